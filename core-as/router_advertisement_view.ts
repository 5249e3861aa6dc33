/**
 * Router Advertisements read on access: {@linkcode viewRouterAdvertisement}
 * validates the message in the WebAssembly core like
 * `parseRouterAdvertisement`, keeps the core's records, and decodes a field
 * only when it is read. A host adapter reads a handful of fields of each RA
 * (router lifetime, prefixes, RDNSS, DNSSL, MTU, PvD ID); building every
 * option's object for that costs more than the parse itself.
 *
 * {@linkcode validateRouterAdvertisement} only validates: the whole message
 * is walked and checked, nothing is decoded.
 *
 * Runtime-neutral: no Deno or Node APIs.
 *
 * @example Reading what an adapter needs
 * ```ts
 * import { buildRouterAdvertisement } from "./router_advertisement.ts";
 * import { viewRouterAdvertisement } from "./router_advertisement_view.ts";
 *
 * const bytes = buildRouterAdvertisement({
 *   curHopLimit: 64, managed: false, other: false, homeAgent: false, preference: "medium",
 *   proxy: false, reservedFlags: 0, routerLifetime: 1800, reachableTime: 0, retransTimer: 0,
 *   options: [
 *     { type: "source-link-layer-address", address: "52:54:00:12:34:56" },
 *     { type: "rdnss", lifetime: 600, servers: ["2001:db8::53"] },
 *   ],
 * });
 * const ra = viewRouterAdvertisement(bytes, { hopLimit: 255, sourceAddress: "fe80::1" });
 * if (ra.invalid.length !== 0 || ra.routerLifetime !== 1800) throw new Error();
 * // Only the RDNSS option is decoded here; the link-layer address never is.
 * if (ra.rdnss[0]?.servers[0] !== "2001:db8::53") throw new Error();
 * ```
 *
 * @module
 */

import type {
  DnsslOption,
  NdOption,
  PrefixInformationOption,
  RdnssOption,
  ReceiveMetadata,
  RouteInformationOption,
  RouterAdvertisement,
  RouterAdvertisementHeader,
  RouterPreference,
  SkippedItem,
} from "./router_advertisement.ts";
import type { RecordStream } from "./_records.ts";
import {
  type CheckedMetadata,
  checkMetadata,
  decodeOption,
  decodeOptions,
  FLAG_HOME_AGENT,
  FLAG_MANAGED,
  FLAG_OTHER,
  FLAG_PROXY,
  FLAGS_RESERVED,
  invokeParser,
  OptionType,
  parseRecords,
  PREFERENCE_BY_BITS,
  PREFERENCE_SHIFT,
  readHeader,
  receiveChecks,
  TAG_DNS_NAME,
  TAG_OPTION,
  u16,
  u32,
} from "./_router_advertisement_records.ts";
import { dnsNameText } from "./_text.ts";

/**
 * A Router Advertisement whose fields are decoded when read. It is a
 * {@linkcode RouterAdvertisement} (every field of the parsed object, with
 * the same values), plus accessors for the options a host adapter uses,
 * which decode those options only.
 *
 * The accessors `prefixes`, `rdnss`, `dnssl`, `routes`, `mtu` and `pvdId`
 * cover the options of the message and those carried by its first PvD ID
 * option (RFC 8801 section 3.4: "hosts MUST ignore all but the first PvD
 * option"), in message order, with the PvD's options at its place.
 *
 * The view reads the bytes it was given whenever a field is read: do not
 * change them while the view is in use (copy a reused receive buffer
 * first). Option lists are decoded once and kept.
 *
 * @example
 * ```ts
 * import { viewRouterAdvertisement, type RouterAdvertisementView } from "./router_advertisement_view.ts";
 *
 * // Type 134, hop limit 64, lifetime 1800 s, then an MTU option of 1500.
 * const view: RouterAdvertisementView = viewRouterAdvertisement(
 *   new Uint8Array([134, 0, 0, 0, 64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 5, 1, 0, 0, 0, 0, 0x05, 0xdc]),
 * );
 * if (view.mtu !== 1500 || view.pvdId !== undefined) throw new Error();
 * if (view.toObject().options[0]?.type !== "mtu") throw new Error();
 * ```
 */
export interface RouterAdvertisementView extends RouterAdvertisement {
  /** Prefix Information options (RFC 4861 section 4.6.2). */
  readonly prefixes: readonly PrefixInformationOption[];
  /** RDNSS options (RFC 8106 section 5.1). */
  readonly rdnss: readonly RdnssOption[];
  /** DNSSL options (RFC 8106 section 5.2). */
  readonly dnssl: readonly DnsslOption[];
  /** Route Information options (RFC 4191 section 2.3). */
  readonly routes: readonly RouteInformationOption[];
  /** The value of the first MTU option (RFC 4861 section 4.6.4), if any. */
  readonly mtu: number | undefined;
  /** The PvD ID FQDN of the first PvD ID option (RFC 8801), if any. */
  readonly pvdId: string | undefined;
  /** The same advertisement as a plain object, as `parseRouterAdvertisement` returns it. */
  toObject(): RouterAdvertisement;
}

/**
 * Validates a Router Advertisement in the WebAssembly core and returns a
 * view that decodes each field when it is read. Takes and checks what
 * `parseRouterAdvertisement` does, and throws the same errors.
 *
 * @example
 * ```ts
 * import { viewRouterAdvertisement } from "./router_advertisement_view.ts";
 *
 * const ra = viewRouterAdvertisement(new Uint8Array([134, 0, 0, 0, 64, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
 * if (ra.preference !== "high" || ra.routerLifetime !== 0 || ra.options.length !== 0) throw new Error();
 * ```
 *
 * @param bytes The ICMPv6 message, from its Type byte; read again when
 * fields are read, so keep it unchanged while the view is used.
 * @param options Receive metadata, as for `parseRouterAdvertisement`.
 * @returns The view; check `invalid` before using it.
 * @throws {SyntaxError} If the message is shorter than 16 bytes, is not
 * type 134, or has an option of length 0 or running past its end; `cause`
 * is a `CoreErrorCause` with the byte offset.
 * @throws {TypeError} If `bytes` is not a Uint8Array or the metadata is
 * malformed.
 */
export function viewRouterAdvertisement(bytes: Uint8Array, options: ReceiveMetadata = {}): RouterAdvertisementView {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError("Cannot parse router advertisement: expected a Uint8Array");
  }
  const metadata = checkMetadata(options);
  return new View(parseRecords(bytes, false), metadata);
}

/**
 * Validates a Router Advertisement in the WebAssembly core without decoding
 * anything: for dropping malformed messages before queueing them, or for
 * measuring the parser alone.
 *
 * @example
 * ```ts
 * import { validateRouterAdvertisement } from "./router_advertisement_view.ts";
 *
 * validateRouterAdvertisement(new Uint8Array([134, 0, 0, 0, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
 * try {
 *   validateRouterAdvertisement(new Uint8Array([135, 0, 0, 0]));
 *   throw new Error("accepted");
 * } catch (error) {
 *   if (!(error instanceof SyntaxError)) throw error;
 * }
 * ```
 *
 * @param bytes The ICMPv6 message, from its Type byte.
 * @throws {SyntaxError} As `parseRouterAdvertisement` does.
 * @throws {TypeError} If `bytes` is not a Uint8Array.
 */
export function validateRouterAdvertisement(bytes: Uint8Array): void {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError("Cannot parse router advertisement: expected a Uint8Array");
  }
  invokeParser(bytes, false);
}

/**
 * Where the options the accessors decode lie, found in one walk of the
 * records on the first accessor read: record indices by option type, in
 * message order, of the message and its first PvD ID option.
 */
interface Index {
  readonly prefixes: number[];
  readonly rdnss: number[];
  readonly dnssl: number[];
  readonly routes: number[];
  /** The first MTU option, or -1. */
  mtu: number;
  /** The first PvD ID option, or -1. */
  pvd: number;
}

function buildIndex(s: RecordStream): Index {
  const index: Index = { prefixes: [], rdnss: [], dnssl: [], routes: [], mtu: -1, pvd: -1 };
  // Record 0 is the header; the options follow.
  const count = s.count;
  for (let i = 1; i < count; i = s.next(i)) {
    if (s.tag(i) !== TAG_OPTION) continue;
    if (s.code(i) === OptionType.Pvd) {
      if (index.pvd >= 0) continue;
      index.pvd = i;
      // Its children: its name, its RA header (R flag), then its options.
      for (let j = i + 1; j < s.next(i); j = s.next(j)) {
        if (s.tag(j) === TAG_OPTION) add(index, s.code(j), j);
      }
    } else {
      add(index, s.code(i), i);
    }
  }
  return index;
}

function add(index: Index, type: number, i: number): void {
  switch (type) {
    case OptionType.PrefixInformation:
      index.prefixes.push(i);
      break;
    case OptionType.Rdnss:
      index.rdnss.push(i);
      break;
    case OptionType.Dnssl:
      index.dnssl.push(i);
      break;
    case OptionType.RouteInformation:
      index.routes.push(i);
      break;
    case OptionType.Mtu:
      if (index.mtu < 0) index.mtu = i;
      break;
  }
}

class View implements RouterAdvertisementView {
  readonly #stream: RecordStream;
  readonly #input: Uint8Array;
  readonly #metadata: CheckedMetadata;
  #options: NdOption[] | undefined;
  #skipped: SkippedItem[] | undefined;
  #index: Index | undefined;
  #prefixes: PrefixInformationOption[] | undefined;
  #rdnss: RdnssOption[] | undefined;
  #dnssl: DnsslOption[] | undefined;
  #routes: RouteInformationOption[] | undefined;

  constructor(stream: RecordStream, metadata: CheckedMetadata) {
    this.#stream = stream;
    this.#input = stream.input;
    this.#metadata = metadata;
  }

  get code(): number {
    return this.#input[1]!;
  }

  get checksum(): number {
    return u16(this.#input, 2);
  }

  get curHopLimit(): number {
    return this.#input[4]!;
  }

  get managed(): boolean {
    return (this.#input[5]! & FLAG_MANAGED) !== 0;
  }

  get other(): boolean {
    return (this.#input[5]! & FLAG_OTHER) !== 0;
  }

  get homeAgent(): boolean {
    return (this.#input[5]! & FLAG_HOME_AGENT) !== 0;
  }

  get preference(): RouterPreference {
    return PREFERENCE_BY_BITS[(this.#input[5]! >> PREFERENCE_SHIFT) & 0x3]!;
  }

  get proxy(): boolean {
    return (this.#input[5]! & FLAG_PROXY) !== 0;
  }

  get reservedFlags(): number {
    return this.#input[5]! & FLAGS_RESERVED;
  }

  get routerLifetime(): number {
    return u16(this.#input, 6);
  }

  get reachableTime(): number {
    return u32(this.#input, 8);
  }

  get retransTimer(): number {
    return u32(this.#input, 12);
  }

  get options(): readonly NdOption[] {
    if (this.#options === undefined) {
      this.#skipped = [];
      // Record 0 is the header; the options follow.
      this.#options = decodeOptions(this.#stream, 1, this.#stream.count, this.#skipped);
    }
    return this.#options;
  }

  get skipped(): readonly SkippedItem[] {
    if (this.#skipped === undefined) void this.options;
    return this.#skipped!;
  }

  get invalid(): readonly string[] {
    return receiveChecks(this.#metadata, this.code);
  }

  get prefixes(): readonly PrefixInformationOption[] {
    return this.#prefixes ??= this.#decode(this.#indexed().prefixes) as PrefixInformationOption[];
  }

  get rdnss(): readonly RdnssOption[] {
    return this.#rdnss ??= this.#decode(this.#indexed().rdnss) as RdnssOption[];
  }

  get dnssl(): readonly DnsslOption[] {
    return this.#dnssl ??= this.#decode(this.#indexed().dnssl) as DnsslOption[];
  }

  get routes(): readonly RouteInformationOption[] {
    return this.#routes ??= this.#decode(this.#indexed().routes) as RouteInformationOption[];
  }

  get mtu(): number | undefined {
    const i = this.#indexed().mtu;
    return i < 0 ? undefined : this.#stream.a(i);
  }

  get pvdId(): string | undefined {
    const pvd = this.#indexed().pvd;
    if (pvd < 0) return undefined;
    // The core writes the PvD ID's name as the option's first child.
    const s = this.#stream;
    return s.tag(pvd + 1) === TAG_DNS_NAME ? dnsNameText(this.#input, s.start(pvd + 1)) : "";
  }

  toObject(): RouterAdvertisement {
    const header: RouterAdvertisementHeader = readHeader(this.#input, 0);
    return {
      code: this.code,
      checksum: this.checksum,
      ...header,
      options: this.options,
      skipped: this.skipped,
      invalid: this.invalid,
    };
  }

  toJSON(): RouterAdvertisement {
    return this.toObject();
  }

  #indexed(): Index {
    return this.#index ??= buildIndex(this.#stream);
  }

  /** Decodes the option records at `indices`. */
  #decode(indices: readonly number[]): NdOption[] {
    // Only PvD options use `skipped`, and they are never decoded here.
    const unused: SkippedItem[] = [];
    const found: NdOption[] = new Array(indices.length);
    for (let k = 0; k < indices.length; k++) found[k] = decodeOption(this.#stream, indices[k]!, unused);
    return found;
  }
}
