/**
 * DHCPv6 messages read on access: {@linkcode viewDhcpv6} validates the
 * message in the WebAssembly core like `parseDhcpv6`, keeps the core's
 * records, and decodes a field only when it is read. A host adapter reads
 * a few fields of each message (its type, DNS servers, domain list, IA
 * addresses); building every option's object for that costs more than the
 * parse itself.
 *
 * {@linkcode validateDhcpv6} only validates: the whole message is walked
 * and checked, nothing is decoded.
 *
 * Runtime-neutral: no Deno or Node APIs.
 *
 * @example Reading what an adapter needs
 * ```ts
 * import { buildDhcpv6 } from "./dhcpv6.ts";
 * import { viewDhcpv6 } from "./dhcpv6_view.ts";
 *
 * const reply = viewDhcpv6(buildDhcpv6({
 *   messageType: "reply",
 *   type: 7,
 *   transactionId: 0x123456,
 *   options: [
 *     { name: "dns-servers", type: 23, servers: ["2001:db8::53"] },
 *     { name: "domain-list", type: 24, domains: ["example.com"] },
 *   ],
 *   skipped: [],
 * }));
 * if (reply.messageType !== "reply" || reply.dnsServers[0] !== "2001:db8::53") throw new Error();
 * if (reply.domains[0] !== "example.com") throw new Error();
 * ```
 *
 * @module
 */

import type { Dhcpv6Message, Dhcpv6MessageTypeName, Dhcpv6Option, SkippedItem } from "./dhcpv6.ts";
import type { RecordStream } from "./_records.ts";
import {
  addressList,
  decodeMessage,
  decodeOption,
  decodeOptions,
  invokeParser,
  MESSAGE_TYPE_NAMES,
  nameText,
  parseRecords,
  TAG_MESSAGE,
  TAG_NAME,
  TAG_OPTION,
} from "./_dhcpv6_records.ts";

/** An IA Address option, as it appears in `options`. */
export type Dhcpv6IaAddressOption = Extract<Dhcpv6Option, { readonly name: "ia-address" }>;
/** An IA Prefix option, as it appears in `options`. */
export type Dhcpv6IaPrefixOption = Extract<Dhcpv6Option, { readonly name: "ia-prefix" }>;

/**
 * A DHCPv6 message whose fields are decoded when read: the fields every
 * message has (those of `parseDhcpv6`'s result, with the same values),
 * accessors for what a host adapter uses, which decode those options only,
 * and {@linkcode Dhcpv6View.toObject} for the whole message.
 *
 * The accessors look at the message's own options (for a relay message,
 * the relay's, not the relayed message's).
 *
 * The view reads the bytes it was given whenever a field is read: do not
 * change them while the view is in use (copy a reused receive buffer
 * first). Decoded lists are kept.
 *
 * @example
 * ```ts
 * import { type Dhcpv6View, viewDhcpv6 } from "./dhcpv6_view.ts";
 *
 * const view: Dhcpv6View = viewDhcpv6(new Uint8Array([11, 0, 0, 1])); // Information-request
 * if (view.messageType !== "information-request" || view.transactionId !== 1) throw new Error();
 * if (view.toObject().options.length !== 0) throw new Error();
 * ```
 */
export interface Dhcpv6View {
  /** The msg-type by name; `unknown` for numbers RFC 8415 does not define. */
  readonly messageType: Dhcpv6MessageTypeName;
  /** The msg-type number. */
  readonly type: number;
  /** The 24-bit transaction-id; `undefined` for a relay message, which has none. */
  readonly transactionId: number | undefined;
  /** The options, in message order (decoded once, on first read). */
  readonly options: readonly Dhcpv6Option[];
  /** Options (and suboptions) left out because their body is malformed. */
  readonly skipped: readonly SkippedItem[];
  /** The servers of every DNS Recursive Name Server option (RFC 3646 section 3), in order. */
  readonly dnsServers: readonly string[];
  /** The domains of every Domain Search List option (RFC 3646 section 4), in order. */
  readonly domains: readonly string[];
  /** The IA Address options inside the message's IA_NA and IA_TA options (RFC 8415 section 21.6). */
  readonly iaAddresses: readonly Dhcpv6IaAddressOption[];
  /** The IA Prefix options inside the message's IA_PD options (RFC 8415 section 21.22). */
  readonly iaPrefixes: readonly Dhcpv6IaPrefixOption[];
  /** The same message as a plain object, as `parseDhcpv6` returns it. */
  toObject(): Dhcpv6Message;
}

/**
 * Validates a DHCPv6 message in the WebAssembly core and returns a view
 * that decodes each field when it is read. Throws what `parseDhcpv6` does.
 *
 * @example
 * ```ts
 * import { viewDhcpv6 } from "./dhcpv6_view.ts";
 *
 * const solicit = viewDhcpv6(new Uint8Array([1, 0xaa, 0xbb, 0xcc, 0, 14, 0, 0])); // Rapid Commit
 * if (solicit.transactionId !== 0xaabbcc || solicit.options[0]?.name !== "rapid-commit") throw new Error();
 * ```
 *
 * @param bytes The message (a UDP payload); read again when fields are
 * read, so keep it unchanged while the view is used.
 * @returns The view.
 * @throws {SyntaxError} If the message is truncated, an option overruns the
 * message or its enclosing option, relay messages nest too deep or a relay
 * message has no Relay Message option; `cause` is a `CoreErrorCause` with
 * the byte offset.
 * @throws {TypeError} If `bytes` is not a `Uint8Array`.
 */
export function viewDhcpv6(bytes: Uint8Array): Dhcpv6View {
  return new View(parseRecords(bytes, false));
}

/**
 * Validates a DHCPv6 message in the WebAssembly core without decoding
 * anything: for dropping malformed messages early, or for measuring the
 * parser alone.
 *
 * @example
 * ```ts
 * import { validateDhcpv6 } from "./dhcpv6_view.ts";
 *
 * validateDhcpv6(new Uint8Array([11, 0, 0, 1]));
 * try {
 *   validateDhcpv6(new Uint8Array([1, 0, 0, 1, 0, 8, 0, 9, 0, 0])); // option overruns the message
 *   throw new Error("accepted");
 * } catch (error) {
 *   if (!(error instanceof SyntaxError)) throw error;
 * }
 * ```
 *
 * @param bytes The message (a UDP payload).
 * @throws {SyntaxError} As `parseDhcpv6` does.
 * @throws {TypeError} If `bytes` is not a `Uint8Array`.
 */
export function validateDhcpv6(bytes: Uint8Array): void {
  invokeParser(bytes, false);
}

/** DHCPv6 option codes the accessors look for. */
const IA_NA = 3;
const IA_TA = 4;
const IA_ADDRESS = 5;
const DNS_SERVERS = 23;
const DOMAIN_LIST = 24;
const IA_PD = 25;
const IA_PREFIX = 26;

class View implements Dhcpv6View {
  readonly #stream: RecordStream;
  #options: Dhcpv6Option[] | undefined;
  #skipped: SkippedItem[] | undefined;
  #dnsServers: string[] | undefined;
  #domains: string[] | undefined;
  #iaAddresses: Dhcpv6IaAddressOption[] | undefined;
  #iaPrefixes: Dhcpv6IaPrefixOption[] | undefined;

  constructor(stream: RecordStream) {
    this.#stream = stream;
  }

  get messageType(): Dhcpv6MessageTypeName {
    return MESSAGE_TYPE_NAMES.get(this.#stream.code(0)) ?? "unknown";
  }

  get type(): number {
    return this.#stream.code(0);
  }

  get transactionId(): number | undefined {
    return this.#stream.tag(0) === TAG_MESSAGE ? this.#stream.a(0) : undefined;
  }

  get options(): readonly Dhcpv6Option[] {
    if (this.#options === undefined) {
      this.#skipped = [];
      // Record 0 is the message; its options are nested in it.
      this.#options = decodeOptions(this.#stream, 1, this.#stream.next(0), this.#skipped);
    }
    return this.#options;
  }

  get skipped(): readonly SkippedItem[] {
    if (this.#skipped === undefined) void this.options;
    return this.#skipped!;
  }

  get dnsServers(): readonly string[] {
    if (this.#dnsServers === undefined) {
      const s = this.#stream;
      const servers: string[] = [];
      for (let i = 1; i < s.next(0); i = s.next(i)) {
        if (s.tag(i) === TAG_OPTION && s.code(i) === DNS_SERVERS) {
          // a = option-len, a multiple of 16 (the core skips it otherwise).
          for (const server of addressList(s, s.start(i) + 4, s.a(i))) servers.push(server);
        }
      }
      this.#dnsServers = servers;
    }
    return this.#dnsServers;
  }

  get domains(): readonly string[] {
    if (this.#domains === undefined) {
      const s = this.#stream;
      const domains: string[] = [];
      for (let i = 1; i < s.next(0); i = s.next(i)) {
        if (s.tag(i) !== TAG_OPTION || s.code(i) !== DOMAIN_LIST) continue;
        for (let j = i + 1; j < s.next(i); j = s.next(j)) {
          if (s.tag(j) === TAG_NAME) domains.push(nameText(s, j));
        }
      }
      this.#domains = domains;
    }
    return this.#domains;
  }

  get iaAddresses(): readonly Dhcpv6IaAddressOption[] {
    return this.#iaAddresses ??= this.#nested(IA_NA, IA_TA, IA_ADDRESS) as Dhcpv6IaAddressOption[];
  }

  get iaPrefixes(): readonly Dhcpv6IaPrefixOption[] {
    return this.#iaPrefixes ??= this.#nested(IA_PD, IA_PD, IA_PREFIX) as Dhcpv6IaPrefixOption[];
  }

  toObject(): Dhcpv6Message {
    return decodeMessage(this.#stream, 0);
  }

  toJSON(): Dhcpv6Message {
    return this.toObject();
  }

  /** Options of code `inner` directly inside the message's options of code `outer1` or `outer2`. */
  #nested(outer1: number, outer2: number, inner: number): Dhcpv6Option[] {
    const s = this.#stream;
    const found: Dhcpv6Option[] = [];
    // Skips inside them are the message's; `skipped` reports those.
    const unused: SkippedItem[] = [];
    for (let i = 1; i < s.next(0); i = s.next(i)) {
      if (s.tag(i) !== TAG_OPTION || (s.code(i) !== outer1 && s.code(i) !== outer2)) continue;
      for (let j = i + 1; j < s.next(i); j = s.next(j)) {
        if (s.tag(j) === TAG_OPTION && s.code(j) === inner) found.push(decodeOption(s, j, unused));
      }
    }
    return found;
  }
}
