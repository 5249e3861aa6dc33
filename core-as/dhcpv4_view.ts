/**
 * DHCPv4 messages read on access: {@linkcode viewDhcpv4} validates the
 * message in the WebAssembly core like `parseDhcpv4`, keeps the core's
 * records, and decodes a field only when it is read. A host adapter reads a
 * few fields of each message (its type, yiaddr, routers, DNS servers, lease
 * time, subnet mask); building every option's object for that costs more
 * than the parse itself.
 *
 * {@linkcode validateDhcpv4} only validates: the whole message is walked
 * and checked, nothing is decoded.
 *
 * Runtime-neutral: no Deno or Node APIs.
 *
 * @example Reading what an adapter needs
 * ```ts
 * import { buildDhcpv4 } from "./dhcpv4.ts";
 * import { viewDhcpv4 } from "./dhcpv4_view.ts";
 *
 * const ack = viewDhcpv4(buildDhcpv4({
 *   op: 2,
 *   yiaddr: "192.0.2.10",
 *   chaddr: "02:00:00:00:00:01",
 *   options: [
 *     { name: "message-type", type: 53, messageType: 5 },
 *     { name: "subnet-mask", type: 1, mask: "255.255.255.0" },
 *     { name: "router", type: 3, addresses: ["192.0.2.1"] },
 *     { name: "lease-time", type: 51, seconds: 3600 },
 *   ],
 * }));
 * if (ack.messageType?.name !== "DHCPACK" || ack.yiaddr !== "192.0.2.10") throw new Error();
 * if (ack.routers[0] !== "192.0.2.1" || ack.leaseTime !== 3600 || ack.subnetMask !== "255.255.255.0") {
 *   throw new Error();
 * }
 * ```
 *
 * @module
 */

import { DHCPV4_MESSAGE_TYPES, type Dhcpv4Message, type Dhcpv4MessageType, parseDhcpv4 } from "./dhcpv4.ts";
import type { Dhcpv4Header, Dhcpv4Option, SkippedItem } from "./dhcpv4.ts";
import { coreMemory, invokeCore } from "./_abi.ts";
import { readRecords, RecordStream, TAG_SKIPPED } from "./_records.ts";
import { hexText, ipv4Text, latin1Text } from "./_text.ts";
import { coreWasm } from "./core_wasm.generated.ts";

// Mirror of the record tags of core-as/assembly/dhcpv4.ts (see there for
// code/a/b of each); the view tests compare every field with parseDhcpv4.
const TAG_OPTION = 0x0301;
const TAG_PART = 0x0302;
/** Message record: a bit 0, the magic cookie is present; bit 1, an End option ends the options field. */
const MESSAGE_COOKIE = 1;
const MESSAGE_END = 2;
/** Message record: a bits 8 and 9, the option overload in force. */
const OVERLOAD_SHIFT = 8;

/** Fixed layout of the BOOTP header (RFC 2131 section 2). */
const SNAME_AT = 44;
const FILE_AT = 108;
const HEADER_SIZE = 236;

/**
 * A DHCPv4 message whose fields are decoded when read: the header fields of
 * `parseDhcpv4`'s result (with the same values, read from the bytes when
 * asked), accessors for the options a host adapter uses, which decode those
 * options only, and `options`, `skipped` and {@linkcode Dhcpv4View.toObject}
 * for the whole message, decoded by `parseDhcpv4` on first use.
 *
 * An option accessor gives `undefined` (or an empty list) when the option
 * is absent or was skipped as malformed, as `options` would not hold it.
 *
 * The view reads the bytes it was given whenever a field is read: do not
 * change them while the view is in use (copy a reused receive buffer
 * first).
 *
 * @example
 * ```ts
 * import { buildDhcpv4 } from "./dhcpv4.ts";
 * import { type Dhcpv4View, viewDhcpv4 } from "./dhcpv4_view.ts";
 *
 * const view: Dhcpv4View = viewDhcpv4(buildDhcpv4({ xid: 7, chaddr: "02:00:00:00:00:01" }));
 * if (view.xid !== 7 || view.messageType !== undefined || view.routers.length !== 0) throw new Error();
 * ```
 */
export interface Dhcpv4View extends Dhcpv4Header {
  /** Without the cookie (plain BOOTP): the vendor area, a copy. */
  readonly vendor: Uint8Array | undefined;
  /** Whether the options field ends with an End option. */
  readonly end: boolean;
  /** How many bytes follow the End option (padding). */
  readonly padding: number;
  /** The message type (option 53), when present and well formed. */
  readonly messageType: Dhcpv4MessageType | undefined;
  /** Subnet Mask (option 1, RFC 2132 section 3.3). */
  readonly subnetMask: string | undefined;
  /** Router (option 3, section 3.5): the addresses, empty without the option. */
  readonly routers: readonly string[];
  /** Domain Name Server (option 6, section 3.8): the addresses, empty without the option. */
  readonly dnsServers: readonly string[];
  /** IP Address Lease Time (option 51, section 9.2) in seconds; `Infinity` for 0xffffffff. */
  readonly leaseTime: number | undefined;
  /** Server Identifier (option 54, section 9.7). */
  readonly serverIdentifier: string | undefined;
  /** Interface MTU (option 26, section 5.1). */
  readonly interfaceMtu: number | undefined;
  /** The options, as `parseDhcpv4` decodes them (on first read). */
  readonly options: readonly Dhcpv4Option[];
  /** Options left out because their body was malformed (on first read). */
  readonly skipped: readonly SkippedItem[];
  /** The same message as a plain object, as `parseDhcpv4` returns it. */
  toObject(): Dhcpv4Message;
}

const invokeMessage = (len: number): number => coreWasm.parseDhcpv4(len);

/**
 * Validates a DHCPv4 message in the WebAssembly core and returns a view
 * that decodes each field when it is read. Throws what `parseDhcpv4`
 * throws.
 *
 * @example
 * ```ts
 * import { buildDhcpv4 } from "./dhcpv4.ts";
 * import { viewDhcpv4 } from "./dhcpv4_view.ts";
 *
 * const bytes = buildDhcpv4({ op: 2, yiaddr: "192.0.2.7", chaddr: "02:00:00:00:00:01" });
 * if (viewDhcpv4(bytes).yiaddr !== "192.0.2.7") throw new Error();
 * ```
 *
 * @param bytes The message (the UDP payload, from `op`); read again when
 * fields are read, so keep it unchanged while the view is used.
 * @returns The view.
 * @throws {SyntaxError} If the bytes cannot be walked as a DHCPv4 message;
 * `cause` is a `CoreErrorCause` with the byte offset.
 * @throws {TypeError} If `bytes` is not a `Uint8Array`.
 */
export function viewDhcpv4(bytes: Uint8Array): Dhcpv4View {
  const size = invokeParser(bytes);
  return new View(new RecordStream(readRecords(coreMemory(coreWasm), coreWasm.resultPtr() >>> 0, size), bytes));
}

/**
 * Validates a DHCPv4 message in the WebAssembly core without decoding
 * anything: for dropping malformed messages early, or for measuring the
 * parser alone.
 *
 * @example
 * ```ts
 * import { validateDhcpv4 } from "./dhcpv4_view.ts";
 *
 * try {
 *   validateDhcpv4(new Uint8Array(100)); // shorter than the 236-byte header
 *   throw new Error("accepted");
 * } catch (error) {
 *   if (!(error instanceof SyntaxError)) throw error;
 * }
 * ```
 *
 * @param bytes The message (the UDP payload, from `op`).
 * @throws {SyntaxError} As {@linkcode viewDhcpv4} does.
 * @throws {TypeError} If `bytes` is not a `Uint8Array`.
 */
export function validateDhcpv4(bytes: Uint8Array): void {
  invokeParser(bytes);
}

function invokeParser(bytes: Uint8Array): number {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError("Cannot parse DHCPv4 message: expected a Uint8Array");
  }
  return invokeCore(coreWasm, {
    action: "parse DHCPv4 message",
    input: bytes,
    invoke: invokeMessage,
    detail: (detail, offset) => rejection(detail, offset, bytes),
  });
}

/** Why the core rejected a message: the sentences of `parseDhcpv4`, by detail identifier. */
function rejection(detail: number, offset: number, input: Uint8Array): string | undefined {
  switch (detail) {
    case 0x301:
      return `message of ${offset} bytes is shorter than the 236-byte BOOTP header`;
    case 0x302:
      return `hardware address length ${input[2]} at offset 2 exceeds 16`;
    case 0x303:
      return `option at offset ${offset} overruns the options`;
    case 0x304:
      return `option at offset ${offset} overruns the file field`;
    case 0x305:
      return `option at offset ${offset} overruns the sname field`;
  }
  return undefined;
}

class View implements Dhcpv4View {
  readonly #stream: RecordStream;
  readonly #input: Uint8Array;
  #parsed: Dhcpv4Message | undefined;

  constructor(stream: RecordStream) {
    this.#stream = stream;
    this.#input = stream.input;
  }

  get op(): number {
    return this.#input[0]!;
  }

  get htype(): number {
    return this.#input[1]!;
  }

  get hlen(): number {
    return this.#input[2]!;
  }

  get hops(): number {
    return this.#input[3]!;
  }

  get xid(): number {
    return u32(this.#input, 4);
  }

  get secs(): number {
    return u16(this.#input, 8);
  }

  get flags(): number {
    return u16(this.#input, 10);
  }

  get broadcast(): boolean {
    return (this.#input[10]! & 0x80) !== 0;
  }

  get ciaddr(): string {
    return ipv4Text(this.#input, 12);
  }

  get yiaddr(): string {
    return ipv4Text(this.#input, 16);
  }

  get siaddr(): string {
    return ipv4Text(this.#input, 20);
  }

  get giaddr(): string {
    return ipv4Text(this.#input, 24);
  }

  get chaddr(): string {
    const hlen = this.#input[2]!;
    const bytes = this.#input.subarray(28, 28 + hlen);
    return hexText(bytes, this.#input[1] === 1 && hlen === 6 ? ":" : "");
  }

  get sname(): string {
    return (this.#overload & 2) !== 0 ? "" : cString(this.#input, SNAME_AT, FILE_AT);
  }

  get file(): string {
    return (this.#overload & 1) !== 0 ? "" : cString(this.#input, FILE_AT, HEADER_SIZE);
  }

  get magicCookie(): boolean {
    return (this.#stream.a(0) & MESSAGE_COOKIE) !== 0;
  }

  get vendor(): Uint8Array | undefined {
    return this.magicCookie ? undefined : this.#input.slice(HEADER_SIZE);
  }

  get end(): boolean {
    return (this.#stream.a(0) & MESSAGE_END) !== 0;
  }

  get padding(): number {
    // b of the message record: where the options field's options end.
    return this.magicCookie ? this.#input.length - this.#stream.b(0) : 0;
  }

  get messageType(): Dhcpv4MessageType | undefined {
    const i = this.#option(53);
    if (i < 0) return undefined;
    const [data, at] = this.#data(i);
    const type = data[at]!;
    return { type, name: DHCPV4_MESSAGE_TYPES[type] ?? "unknown" };
  }

  get subnetMask(): string | undefined {
    const i = this.#option(1);
    return i < 0 ? undefined : ipv4Text(...this.#data(i));
  }

  get routers(): readonly string[] {
    return this.#addresses(3);
  }

  get dnsServers(): readonly string[] {
    return this.#addresses(6);
  }

  get leaseTime(): number | undefined {
    const i = this.#option(51);
    if (i < 0) return undefined;
    const seconds = u32(...this.#data(i));
    return seconds === 0xffffffff ? Infinity : seconds;
  }

  get serverIdentifier(): string | undefined {
    const i = this.#option(54);
    return i < 0 ? undefined : ipv4Text(...this.#data(i));
  }

  get interfaceMtu(): number | undefined {
    const i = this.#option(26);
    return i < 0 ? undefined : u16(...this.#data(i));
  }

  get options(): readonly Dhcpv4Option[] {
    return this.toObject().options;
  }

  get skipped(): readonly SkippedItem[] {
    return this.toObject().skipped;
  }

  toObject(): Dhcpv4Message {
    return this.#parsed ??= parseDhcpv4(this.#input);
  }

  toJSON(): Dhcpv4Message {
    return this.toObject();
  }

  get #overload(): number {
    return (this.#stream.a(0) >> OVERLOAD_SHIFT) & 3;
  }

  /**
   * The record of option `code` (one per code: the core concatenates the
   * instances, RFC 3396), or -1 if it is absent or was skipped.
   */
  #option(code: number): number {
    const s = this.#stream;
    // Record 0 is the message; the options are nested in it.
    for (let i = 1; i < s.count; i = s.next(i)) {
      if (s.tag(i) !== TAG_OPTION || s.code(i) !== code) continue;
      // A malformed option carries a TAG_SKIPPED child after its parts.
      const last = s.next(i) - 1;
      return last > i && s.tag(last) === TAG_SKIPPED ? -1 : i;
    }
    return -1;
  }

  /**
   * Where the data of option record `i` lies: in the input when it has one
   * instance (the usual case), else in a copy of its instances joined.
   */
  #data(i: number): [Uint8Array, number] {
    const s = this.#stream;
    const end = s.next(i);
    if (end === i + 2) return [this.#input, s.start(i + 1)];
    const joined = new Uint8Array(s.a(i));
    let at = 0;
    for (let j = i + 1; j < end; j++) {
      if (s.tag(j) !== TAG_PART) continue;
      joined.set(s.bytes(j), at);
      at += s.length(j);
    }
    return [joined, 0];
  }

  /** The addresses of an address-list option (a positive multiple of 4 bytes). */
  #addresses(code: number): string[] {
    const i = this.#option(code);
    if (i < 0) return [];
    const [data, at] = this.#data(i);
    const list: string[] = [];
    for (let k = at; k < at + this.#stream.a(i); k += 4) list.push(ipv4Text(data, k));
    return list;
  }
}

function u16(input: Uint8Array, at: number): number {
  return (input[at]! << 8) | input[at + 1]!;
}

function u32(input: Uint8Array, at: number): number {
  return input[at]! * 0x1000000 + ((input[at + 1]! << 16) | (input[at + 2]! << 8) | input[at + 3]!);
}

/** Text up to the first NUL byte of [from, to), one character per byte. */
function cString(input: Uint8Array, from: number, to: number): string {
  let end = from;
  while (end < to && input[end] !== 0) end++;
  return latin1Text(input, from, end);
}
