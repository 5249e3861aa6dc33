/**
 * DHCPv6 (RFC 8415) messages and options: parsing in the WebAssembly core
 * (`core-as/assembly/dhcpv6.ts`), decoded here eagerly into typed objects,
 * and builders that encode the same objects back to bytes.
 *
 * - {@linkcode parseDhcpv6} parses a UDP payload: a client/server message,
 *   or a Relay-forward / Relay-reply with its relayed message parsed in turn.
 * - {@linkcode parseDhcpv6Options} parses a bare option sequence.
 * - {@linkcode buildDhcpv6} / {@linkcode buildDhcpv6Options} encode.
 * - The API's `configurationFromDhcpv6` (exported by `@pvd/mif`) maps a
 *   Reply or Advertise to configuration data.
 * - To read a few fields of many messages (what a host adapter does),
 *   `viewDhcpv6` of `dhcpv6_view.ts` validates the same way and decodes
 *   only the fields that are read.
 *
 * What is rejected and what is skipped: an option that overruns the message
 * or its enclosing option, relayed messages nested deeper than
 * HOP_COUNT_LIMIT (8), and a relay message without a Relay Message option
 * reject the input with a `SyntaxError`. A known option whose body is
 * malformed is left out of `options` and listed in `skipped` with the
 * reason; unknown options are kept raw (`name: "unknown"`).
 *
 * Values are natural JavaScript types: addresses as canonical text (RFC
 * 5952), lifetimes in seconds with 0xffffffff as `Infinity`, domain names
 * lowercase without the trailing dot, opaque bytes as `Uint8Array` copies.
 *
 * Runtime-neutral: no Deno or Node APIs.
 *
 * @example Parsing a Reply to an Information-request
 * ```ts
 * import { parseDhcpv6 } from "./dhcpv6.ts";
 *
 * const reply = parseDhcpv6(new Uint8Array([
 *   7, 0x12, 0x34, 0x56, // Reply, transaction-id 0x123456
 *   0, 23, 0, 16, // DNS Recursive Name Server option, 16 bytes
 *   0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53,
 * ]));
 * if (reply.messageType !== "reply") throw new Error(reply.messageType);
 * const dns = reply.options[0];
 * if (dns?.name !== "dns-servers" || dns.servers[0] !== "2001:db8::53") {
 *   throw new Error("unexpected option");
 * }
 * ```
 *
 * @module
 */

import type { SkippedItem } from "./_records.ts";
import {
  decodeMessage,
  decodeOptions,
  DHCPV6_OPTION_CODES,
  type Dhcpv6MessageTypeName,
  type Dhcpv6OptionName,
  HOP_COUNT_LIMIT,
  MESSAGE_TYPE_NAMES,
  parseRecords,
} from "./_dhcpv6_records.ts";
import { parseIpAddress } from "./ip_address.ts";

export type { SkippedItem } from "./_records.ts";
export {
  DHCPV6_MESSAGE_TYPES,
  DHCPV6_OPTION_CODES,
  type Dhcpv6MessageTypeName,
  type Dhcpv6OptionName,
} from "./_dhcpv6_records.ts";

// ---------------------------------------------------------------------------
// Typed objects

/**
 * A DUID (RFC 8415 section 11), discriminated by `name`. `type` is the
 * 2-byte DUID type; a type this module does not know keeps its bytes after
 * the type code as `data`.
 *
 * - `duid-llt` (1, section 11.2): hardware type, time (seconds since
 *   2000-01-01 UTC, modulo 2^32) and link-layer address.
 * - `duid-en` (2, section 11.3): enterprise number and identifier.
 * - `duid-ll` (3, section 11.4): hardware type and link-layer address.
 * - `duid-uuid` (4, RFC 6355 section 4): a UUID as lowercase
 *   8-4-4-4-12 hex text.
 *
 * DUIDs are opaque to clients and servers, which "MUST only compare DUIDs
 * for equality" (section 11); the fields are for display and diagnosis.
 *
 * @example
 * ```ts
 * import type { Dhcpv6Duid } from "./dhcpv6.ts";
 *
 * const duid: Dhcpv6Duid = {
 *   name: "duid-ll",
 *   type: 3,
 *   hardwareType: 1, // Ethernet
 *   linkLayerAddress: new Uint8Array([0x02, 0, 0, 0, 0, 1]),
 * };
 * if (duid.name !== "duid-ll") throw new Error();
 * ```
 */
export type Dhcpv6Duid =
  | {
    readonly name: "duid-llt";
    readonly type: 1;
    readonly hardwareType: number;
    readonly time: number;
    readonly linkLayerAddress: Uint8Array;
  }
  | {
    readonly name: "duid-en";
    readonly type: 2;
    readonly enterpriseNumber: number;
    readonly identifier: Uint8Array;
  }
  | { readonly name: "duid-ll"; readonly type: 3; readonly hardwareType: number; readonly linkLayerAddress: Uint8Array }
  | { readonly name: "duid-uuid"; readonly type: 4; readonly uuid: string }
  | { readonly name: "unknown"; readonly type: number; readonly data: Uint8Array };

/**
 * A suboption of the NTP Server option (RFC 5908 section 4), discriminated
 * by `name`: `server-address` (1), `multicast-address` (2), `server-fqdn`
 * (3), or `unknown` with its raw value.
 *
 * @example
 * ```ts
 * import type { Dhcpv6NtpSuboption } from "./dhcpv6.ts";
 *
 * const server: Dhcpv6NtpSuboption = { name: "server-fqdn", type: 3, fqdn: "ntp.example.com" };
 * if (server.name !== "server-fqdn") throw new Error();
 * ```
 */
export type Dhcpv6NtpSuboption =
  | { readonly name: "server-address"; readonly type: 1; readonly address: string }
  | { readonly name: "multicast-address"; readonly type: 2; readonly address: string }
  | { readonly name: "server-fqdn"; readonly type: 3; readonly fqdn: string }
  | { readonly name: "unknown"; readonly type: number; readonly data: Uint8Array };

/**
 * The fields of each option, by option name; {@linkcode Dhcpv6Option} adds
 * `name` and `type` (the option code, {@linkcode DHCPV6_OPTION_CODES}).
 * Section numbers are RFC 8415's unless another RFC is named.
 *
 * @example Picking one option's type
 * ```ts
 * import type { Dhcpv6OptionFields } from "./dhcpv6.ts";
 *
 * const ia: Dhcpv6OptionFields["ia-na"] = { iaid: 1, t1: 3600, t2: 5400, options: [] };
 * if (ia.t2 !== 5400) throw new Error();
 * ```
 */
export interface Dhcpv6OptionFields {
  /** Client Identifier (21.2). */
  readonly "client-id": { readonly duid: Dhcpv6Duid };
  /** Server Identifier (21.3). */
  readonly "server-id": { readonly duid: Dhcpv6Duid };
  /** Identity Association for Non-temporary Addresses (21.4); T1 and T2 in seconds. */
  readonly "ia-na": {
    readonly iaid: number;
    readonly t1: number;
    readonly t2: number;
    readonly options: readonly Dhcpv6Option[];
  };
  /** Identity Association for Temporary Addresses (21.5). */
  readonly "ia-ta": { readonly iaid: number; readonly options: readonly Dhcpv6Option[] };
  /** IA Address (21.6); lifetimes in seconds. */
  readonly "ia-address": {
    readonly address: string;
    readonly preferredLifetime: number;
    readonly validLifetime: number;
    readonly options: readonly Dhcpv6Option[];
  };
  /** Option Request (21.7): the requested option codes. */
  readonly "option-request": { readonly codes: readonly number[] };
  /** Preference (21.8). */
  readonly "preference": { readonly value: number };
  /** Elapsed Time (21.9) in hundredths of a second; 0xffff means longer. */
  readonly "elapsed-time": { readonly hundredths: number };
  /** Relay Message (21.10): the relayed message. */
  readonly "relay-message": { readonly message: Dhcpv6Message };
  /** Authentication (21.11), with the authentication information raw. */
  readonly "authentication": {
    readonly protocol: number;
    readonly algorithm: number;
    readonly rdm: number;
    readonly replayDetection: Uint8Array;
    readonly information: Uint8Array;
  };
  /** Server Unicast (21.12). */
  readonly "server-unicast": { readonly address: string };
  /** Status Code (21.13): the status code and its UTF-8 message. */
  readonly "status-code": { readonly statusCode: number; readonly message: string };
  /** Rapid Commit (21.14). */
  readonly "rapid-commit": Record<never, never>;
  /** User Class (21.15): each user-class-data item. */
  readonly "user-class": { readonly classes: readonly Uint8Array[] };
  /** Vendor Class (21.16): each vendor-class-data item. */
  readonly "vendor-class": { readonly enterpriseNumber: number; readonly classes: readonly Uint8Array[] };
  /** Vendor-specific Information (21.17), the vendor's option-data raw. */
  readonly "vendor-options": { readonly enterpriseNumber: number; readonly data: Uint8Array };
  /** Interface-Id (21.18), opaque. */
  readonly "interface-id": { readonly data: Uint8Array };
  /** Reconfigure Message (21.19): the msg-type the client is to send. */
  readonly "reconfigure-message": { readonly reconfigureType: number };
  /** Reconfigure Accept (21.20). */
  readonly "reconfigure-accept": Record<never, never>;
  /** SIP Servers Domain Name List (RFC 3319 section 3.1). */
  readonly "sip-server-domains": { readonly domains: readonly string[] };
  /** SIP Servers IPv6 Address List (RFC 3319 section 3.2). */
  readonly "sip-server-addresses": { readonly servers: readonly string[] };
  /** DNS Recursive Name Server (RFC 3646 section 3). */
  readonly "dns-servers": { readonly servers: readonly string[] };
  /** Domain Search List (RFC 3646 section 4). */
  readonly "domain-list": { readonly domains: readonly string[] };
  /** Identity Association for Prefix Delegation (21.21); T1 and T2 in seconds. */
  readonly "ia-pd": {
    readonly iaid: number;
    readonly t1: number;
    readonly t2: number;
    readonly options: readonly Dhcpv6Option[];
  };
  /** IA Prefix (21.22); lifetimes in seconds. */
  readonly "ia-prefix": {
    readonly prefix: string;
    readonly prefixLength: number;
    readonly preferredLifetime: number;
    readonly validLifetime: number;
    readonly options: readonly Dhcpv6Option[];
  };
  /** SNTP Servers (RFC 4075 section 4). */
  readonly "sntp-servers": { readonly servers: readonly string[] };
  /** Information Refresh Time (21.23) in seconds. */
  readonly "information-refresh-time": { readonly seconds: number };
  /** NTP Server (RFC 5908 section 4). */
  readonly "ntp-server": { readonly suboptions: readonly Dhcpv6NtpSuboption[] };
  /** AFTR-Name (RFC 6334 section 3). */
  readonly "aftr-name": { readonly fqdn: string };
  /** SOL_MAX_RT (21.24) in seconds. */
  readonly "sol-max-rt": { readonly seconds: number };
  /** INF_MAX_RT (21.25) in seconds. */
  readonly "inf-max-rt": { readonly seconds: number };
  /** Captive-Portal (RFC 8910 section 2.2): the captive portal API URI. */
  readonly "captive-portal": { readonly uri: string };
  /**
   * Encrypted DNS (RFC 9463 section 4.1). In ADN-only mode the option has
   * neither `addresses` nor `serviceParameters`; otherwise it has both
   * (SvcParams raw, possibly empty).
   */
  readonly "dnr": {
    readonly servicePriority: number;
    readonly adn: string;
    readonly addresses?: readonly string[];
    readonly serviceParameters?: Uint8Array;
  };
  /** Any other option code (or suboption), its body raw. */
  readonly "unknown": { readonly data: Uint8Array };
}

/**
 * A DHCPv6 option, discriminated by `name`; `type` is its option code.
 * Unknown options are `{ name: "unknown", type, data }`.
 *
 * @example Reading IA_NA addresses
 * ```ts
 * import type { Dhcpv6Option } from "./dhcpv6.ts";
 *
 * const option: Dhcpv6Option = {
 *   name: "ia-na",
 *   type: 3,
 *   iaid: 1,
 *   t1: 3600,
 *   t2: 5400,
 *   options: [{
 *     name: "ia-address",
 *     type: 5,
 *     address: "2001:db8::100",
 *     preferredLifetime: 7200,
 *     validLifetime: Infinity,
 *     options: [],
 *   }],
 * };
 * const addresses = option.name === "ia-na"
 *   ? option.options.flatMap((o) => o.name === "ia-address" ? [o.address] : [])
 *   : [];
 * if (addresses[0] !== "2001:db8::100") throw new Error();
 * ```
 */
export type Dhcpv6Option = {
  [N in keyof Dhcpv6OptionFields]:
    & { readonly name: N; readonly type: N extends Dhcpv6OptionName ? (typeof DHCPV6_OPTION_CODES)[N] : number }
    & Dhcpv6OptionFields[N];
}[keyof Dhcpv6OptionFields];

/**
 * A client/server message (RFC 8415 section 8): every message type other
 * than Relay-forward and Relay-reply.
 *
 * @example
 * ```ts
 * import type { Dhcpv6ClientServerMessage } from "./dhcpv6.ts";
 *
 * const solicit: Dhcpv6ClientServerMessage = {
 *   messageType: "solicit",
 *   type: 1,
 *   transactionId: 0x123456,
 *   options: [{ name: "rapid-commit", type: 14 }],
 *   skipped: [],
 * };
 * if (solicit.options.length !== 1) throw new Error();
 * ```
 */
export interface Dhcpv6ClientServerMessage {
  /** The msg-type by name; `unknown` for numbers RFC 8415 does not define. */
  readonly messageType: Exclude<Dhcpv6MessageTypeName, "relay-forward" | "relay-reply">;
  /** The msg-type number. */
  readonly type: number;
  /** The 24-bit transaction-id. */
  readonly transactionId: number;
  /** The options, in message order. */
  readonly options: readonly Dhcpv6Option[];
  /** Options (and suboptions) left out because their body is malformed. */
  readonly skipped: readonly SkippedItem[];
}

/**
 * A Relay-forward or Relay-reply message (RFC 8415 section 9). Its options
 * include the Relay Message option; `message` is that option's message (the
 * first one, if a relay carries several).
 *
 * @example
 * ```ts
 * import { buildDhcpv6, parseDhcpv6 } from "./dhcpv6.ts";
 *
 * const solicit = {
 *   messageType: "solicit",
 *   type: 1,
 *   transactionId: 7,
 *   options: [],
 *   skipped: [],
 * } as const;
 * const relay = parseDhcpv6(buildDhcpv6({
 *   messageType: "relay-forward",
 *   type: 12,
 *   hopCount: 0,
 *   linkAddress: "2001:db8::1",
 *   peerAddress: "fe80::2",
 *   options: [{ name: "relay-message", type: 9, message: solicit }],
 *   message: solicit,
 *   skipped: [],
 * }));
 * if (relay.messageType !== "relay-forward") throw new Error();
 * if (relay.message.messageType !== "solicit") throw new Error();
 * ```
 */
export interface Dhcpv6RelayMessage<
  T extends "relay-forward" | "relay-reply" = "relay-forward" | "relay-reply",
> {
  /** `relay-forward` (12) or `relay-reply` (13). */
  readonly messageType: T;
  /** The msg-type number. */
  readonly type: T extends "relay-forward" ? 12 : 13;
  /** Number of relay agents that already relayed this message. */
  readonly hopCount: number;
  /** The link-address: identifies the client's link. */
  readonly linkAddress: string;
  /** The peer-address: the client or relay agent it came from (or goes to). */
  readonly peerAddress: string;
  /** The options, in message order, the Relay Message option included. */
  readonly options: readonly Dhcpv6Option[];
  /** The relayed message. */
  readonly message: Dhcpv6Message;
  /** Options left out because their body is malformed. */
  readonly skipped: readonly SkippedItem[];
}

/**
 * A DHCPv6 message: client/server or relay, told apart by `messageType`
 * (the relay kinds are listed apart so that comparing `messageType` with
 * both narrows either way).
 *
 * @example
 * ```ts
 * import { type Dhcpv6Message, parseDhcpv6 } from "./dhcpv6.ts";
 *
 * const message: Dhcpv6Message = parseDhcpv6(new Uint8Array([11, 0, 0, 1]));
 * if (message.messageType === "relay-forward" || message.messageType === "relay-reply") {
 *   throw new Error("not a relay");
 * }
 * if (message.transactionId !== 1) throw new Error();
 * ```
 */
export type Dhcpv6Message =
  | Dhcpv6ClientServerMessage
  | Dhcpv6RelayMessage<"relay-forward">
  | Dhcpv6RelayMessage<"relay-reply">;

/**
 * A bare option sequence, as {@linkcode parseDhcpv6Options} returns it.
 *
 * @example
 * ```ts
 * import { type Dhcpv6Options, parseDhcpv6Options } from "./dhcpv6.ts";
 *
 * const parsed: Dhcpv6Options = parseDhcpv6Options(new Uint8Array([0, 14, 0, 0]));
 * if (parsed.options[0]?.name !== "rapid-commit") throw new Error();
 * ```
 */
export interface Dhcpv6Options {
  /** The options, in input order. */
  readonly options: readonly Dhcpv6Option[];
  /** Options (and suboptions) left out because their body is malformed. */
  readonly skipped: readonly SkippedItem[];
}

// ---------------------------------------------------------------------------
// Parsing

/**
 * Parses a DHCPv6 message: a UDP payload to or from port 546 or 547.
 *
 * Relay-forward and Relay-reply messages have their Relay Message option
 * parsed as a nested message, at most HOP_COUNT_LIMIT (8) deep.
 *
 * @example A Solicit
 * ```ts
 * import { parseDhcpv6 } from "./dhcpv6.ts";
 *
 * const solicit = parseDhcpv6(new Uint8Array([
 *   1, 0xaa, 0xbb, 0xcc, // Solicit, transaction-id 0xaabbcc
 *   0, 8, 0, 2, 0, 0, // Elapsed Time 0
 *   0, 6, 0, 4, 0, 23, 0, 24, // Option Request: DNS servers, domain list
 * ]));
 * if (solicit.messageType !== "solicit" || solicit.transactionId !== 0xaabbcc) {
 *   throw new Error();
 * }
 * ```
 *
 * @example An option overrunning the message
 * ```ts
 * import { parseDhcpv6 } from "./dhcpv6.ts";
 *
 * try {
 *   parseDhcpv6(new Uint8Array([1, 0, 0, 1, 0, 8, 0, 9, 0, 0]));
 *   throw new Error("accepted");
 * } catch (error) {
 *   if (!(error instanceof SyntaxError)) throw error;
 *   // Cannot parse DHCPv6 message: option at offset 4 overruns the message
 * }
 * ```
 *
 * @param bytes The message.
 * @returns The parsed message.
 * @throws {SyntaxError} If the message is truncated, an option overruns the
 * message or its enclosing option, relay messages nest too deep or a relay
 * message has no Relay Message option; `cause` is a
 * `CoreErrorCause` with the byte offset.
 * @throws {TypeError} If `bytes` is not a `Uint8Array`.
 */
export function parseDhcpv6(bytes: Uint8Array): Dhcpv6Message {
  const stream = parseRecords(bytes, false);
  return decodeMessage(stream, 0);
}

/**
 * Parses a bare sequence of DHCPv6 options: a message body, or a fragment
 * such as the options encapsulated in an IA_NA.
 *
 * @example
 * ```ts
 * import { parseDhcpv6Options } from "./dhcpv6.ts";
 *
 * const { options, skipped } = parseDhcpv6Options(new Uint8Array([
 *   0, 7, 0, 1, 255, // Preference 255
 *   0, 8, 0, 1, 0, // Elapsed Time with 1 byte instead of 2: skipped
 * ]));
 * if (options[0]?.name !== "preference" || options[0].value !== 255) throw new Error();
 * if (skipped[0]?.offset !== 5) throw new Error();
 * ```
 *
 * @param bytes The options.
 * @returns The options, and those skipped.
 * @throws {SyntaxError} If an option overruns the input or its enclosing
 * option, or relay messages inside nest too deep.
 * @throws {TypeError} If `bytes` is not a `Uint8Array`.
 */
export function parseDhcpv6Options(bytes: Uint8Array): Dhcpv6Options {
  const stream = parseRecords(bytes, true);
  const skipped: SkippedItem[] = [];
  const options = decodeOptions(stream, 0, stream.count, skipped);
  return { options, skipped };
}

// ---------------------------------------------------------------------------
// Building

const UNWRITTEN = 0xee;

/**
 * A growable byte buffer for the builders. Fresh space is filled with 0xee,
 * not zero, so that a field the encoder forgets shows in tests.
 */
class Writer {
  #bytes = new Uint8Array(256).fill(UNWRITTEN);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  #reserve(n: number): void {
    if (this.#length + n <= this.#bytes.length) return;
    const grown = new Uint8Array(Math.max(this.#bytes.length * 2, this.#length + n)).fill(UNWRITTEN);
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
  }

  u8(value: number): void {
    this.#reserve(1);
    this.#bytes[this.#length++] = value;
  }

  u16(value: number): void {
    this.u8(value >>> 8);
    this.u8(value & 0xff);
  }

  u32(value: number): void {
    this.u16(value >>> 16);
    this.u16(value & 0xffff);
  }

  bytes(data: Uint8Array): void {
    this.#reserve(data.length);
    this.#bytes.set(data, this.#length);
    this.#length += data.length;
  }

  /** Overwrites a big-endian u16 written earlier. */
  patchU16(at: number, value: number): void {
    this.#bytes[at] = value >>> 8;
    this.#bytes[at + 1] = value & 0xff;
  }

  result(): Uint8Array {
    return this.#bytes.slice(0, this.#length);
  }
}

function buildError(what: string, problem: string): RangeError {
  return new RangeError(`Cannot build DHCPv6 ${what}: ${problem}`);
}

function checkInteger(value: unknown, max: number, what: string, field: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max) {
    throw buildError(what, `${field} must be an integer from 0 to ${max}, got ${String(value)}`);
  }
  return value;
}

function checkBytes(value: unknown, what: string, field: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`Cannot build DHCPv6 ${what}: ${field} must be a Uint8Array`);
  return value;
}

/** A lifetime or time in seconds: Infinity (or 0xffffffff) is 0xffffffff. */
function lifetimeValue(value: number, what: string, field: string): number {
  return value === Infinity ? 0xffff_ffff : checkInteger(value, 0xffff_ffff, what, field);
}

function ipv6Bytes(text: unknown, what: string, field: string): Uint8Array {
  if (typeof text !== "string") throw new TypeError(`Cannot build DHCPv6 ${what}: ${field} must be a string`);
  const parsed = parseIpAddress(text);
  if (parsed.family !== 6 || parsed.zone !== undefined) {
    throw buildError(what, `${field} must be an IPv6 address without zone, got ${JSON.stringify(text)}`);
  }
  return parsed.bytes;
}

/** Writes a name in DNS wire format (section 10: uncompressed). */
function writeName(w: Writer, name: unknown, what: string): void {
  if (typeof name !== "string") throw new TypeError(`Cannot build DHCPv6 ${what}: a domain name must be a string`);
  const text = name.endsWith(".") ? name.slice(0, -1) : name;
  const start = w.length;
  if (text !== "") {
    for (const label of text.split(".")) {
      if (label.length === 0 || label.length > 63) {
        throw buildError(what, `domain name ${JSON.stringify(name)} has a label of ${label.length} characters`);
      }
      w.u8(label.length);
      for (let k = 0; k < label.length; k++) {
        const c = label.charCodeAt(k);
        if (c <= 0x20 || c >= 0x7f) {
          throw buildError(what, `domain name ${JSON.stringify(name)} has a character outside visible ASCII`);
        }
        w.u8(c);
      }
    }
  }
  w.u8(0);
  if (w.length - start > 255) throw buildError(what, `domain name ${JSON.stringify(name)} is longer than 255 bytes`);
}

function writeDuid(w: Writer, duid: Dhcpv6Duid, what: string): void {
  w.u16(checkInteger(duid.type, 0xffff, what, "DUID type"));
  switch (duid.name) {
    case "duid-llt":
      w.u16(checkInteger(duid.hardwareType, 0xffff, what, "hardware type"));
      w.u32(checkInteger(duid.time, 0xffff_ffff, what, "DUID time"));
      w.bytes(checkBytes(duid.linkLayerAddress, what, "link-layer address"));
      return;
    case "duid-en":
      w.u32(checkInteger(duid.enterpriseNumber, 0xffff_ffff, what, "enterprise number"));
      w.bytes(checkBytes(duid.identifier, what, "identifier"));
      return;
    case "duid-ll":
      w.u16(checkInteger(duid.hardwareType, 0xffff, what, "hardware type"));
      w.bytes(checkBytes(duid.linkLayerAddress, what, "link-layer address"));
      return;
    case "duid-uuid": {
      const hex = typeof duid.uuid === "string" ? duid.uuid.replaceAll("-", "") : "";
      if (!/^[0-9a-fA-F]{32}$/.test(hex)) {
        throw buildError(what, `UUID ${JSON.stringify(duid.uuid)} is not 16 hex bytes`);
      }
      for (let k = 0; k < 32; k += 2) w.u8(parseInt(hex.slice(k, k + 2), 16));
      return;
    }
    case "unknown":
      w.bytes(checkBytes(duid.data, what, "DUID data"));
      return;
    default:
      throw new TypeError(
        `Cannot build DHCPv6 ${what}: unknown DUID ${JSON.stringify((duid as { name: unknown }).name)}`,
      );
  }
}

/** User Class / Vendor Class data: each item with a 2-byte length. */
function writeClassData(w: Writer, classes: readonly Uint8Array[], what: string): void {
  for (const item of classes) {
    const data = checkBytes(item, what, "class data");
    w.u16(checkInteger(data.length, 0xffff, what, "class data length"));
    w.bytes(data);
  }
}

function writeOptions(w: Writer, options: readonly Dhcpv6Option[]): void {
  if (!Array.isArray(options)) throw new TypeError("Cannot build DHCPv6 options: expected an array of options");
  for (const option of options) writeOption(w, option);
}

/** Writes an option header, lets `body` write the body, then fills in option-len. */
function writeTlv(w: Writer, code: number, what: string, body: () => void): void {
  w.u16(code);
  const lengthAt = w.length;
  w.u16(0);
  body();
  const length = w.length - lengthAt - 2;
  if (length > 0xffff) throw buildError(what, `body of ${length} bytes exceeds 65535`);
  w.patchU16(lengthAt, length);
}

function writeOption(w: Writer, option: Dhcpv6Option): void {
  if (typeof option !== "object" || option === null) {
    throw new TypeError("Cannot build DHCPv6 option: expected an object");
  }
  const name = option.name;
  const what = `option ${JSON.stringify(name)}`;
  let code: number;
  if (name === "unknown") {
    code = checkInteger(option.type, 0xffff, what, "type");
  } else {
    const known = (DHCPV6_OPTION_CODES as Record<string, number>)[name];
    if (known === undefined) {
      throw new TypeError(`Cannot build DHCPv6 option: unknown option name ${JSON.stringify(name)}`);
    }
    if (option.type !== known) throw buildError(what, `type must be ${known}, got ${String(option.type)}`);
    code = known;
  }
  writeTlv(w, code, what, () => writeBody(w, option, what));
}

function writeBody(w: Writer, option: Dhcpv6Option, what: string): void {
  switch (option.name) {
    case "client-id":
    case "server-id":
      return writeDuid(w, option.duid, what);
    case "ia-na":
    case "ia-pd":
      w.u32(checkInteger(option.iaid, 0xffff_ffff, what, "IAID"));
      w.u32(lifetimeValue(option.t1, what, "T1"));
      w.u32(lifetimeValue(option.t2, what, "T2"));
      return writeOptions(w, option.options);
    case "ia-ta":
      w.u32(checkInteger(option.iaid, 0xffff_ffff, what, "IAID"));
      return writeOptions(w, option.options);
    case "ia-address":
      w.bytes(ipv6Bytes(option.address, what, "address"));
      w.u32(lifetimeValue(option.preferredLifetime, what, "preferred lifetime"));
      w.u32(lifetimeValue(option.validLifetime, what, "valid lifetime"));
      return writeOptions(w, option.options);
    case "ia-prefix":
      w.u32(lifetimeValue(option.preferredLifetime, what, "preferred lifetime"));
      w.u32(lifetimeValue(option.validLifetime, what, "valid lifetime"));
      w.u8(checkInteger(option.prefixLength, 128, what, "prefix length"));
      w.bytes(ipv6Bytes(option.prefix, what, "prefix"));
      return writeOptions(w, option.options);
    case "option-request":
      for (const c of option.codes) w.u16(checkInteger(c, 0xffff, what, "option code"));
      return;
    case "preference":
      return w.u8(checkInteger(option.value, 0xff, what, "value"));
    case "elapsed-time":
      return w.u16(checkInteger(option.hundredths, 0xffff, what, "hundredths"));
    case "relay-message":
      relayDepth++;
      try {
        return writeMessage(w, option.message);
      } finally {
        relayDepth--;
      }
    case "authentication": {
      w.u8(checkInteger(option.protocol, 0xff, what, "protocol"));
      w.u8(checkInteger(option.algorithm, 0xff, what, "algorithm"));
      w.u8(checkInteger(option.rdm, 0xff, what, "RDM"));
      const replay = checkBytes(option.replayDetection, what, "replay detection");
      if (replay.length !== 8) throw buildError(what, `replay detection must be 8 bytes, got ${replay.length}`);
      w.bytes(replay);
      return w.bytes(checkBytes(option.information, what, "information"));
    }
    case "server-unicast":
      return w.bytes(ipv6Bytes(option.address, what, "address"));
    case "status-code":
      w.u16(checkInteger(option.statusCode, 0xffff, what, "status code"));
      if (typeof option.message !== "string") {
        throw new TypeError(`Cannot build DHCPv6 ${what}: message must be a string`);
      }
      return w.bytes(new TextEncoder().encode(option.message));
    case "rapid-commit":
    case "reconfigure-accept":
      return;
    case "vendor-class":
      w.u32(checkInteger(option.enterpriseNumber, 0xffff_ffff, what, "enterprise number"));
      return writeClassData(w, option.classes, what);
    case "user-class":
      // Section 21.15: one or more user classes (the parser skips none).
      if (!Array.isArray(option.classes) || option.classes.length === 0) {
        throw buildError(what, "classes must hold at least one user class");
      }
      return writeClassData(w, option.classes, what);
    case "vendor-options":
      w.u32(checkInteger(option.enterpriseNumber, 0xffff_ffff, what, "enterprise number"));
      return w.bytes(checkBytes(option.data, what, "data"));
    case "interface-id":
    case "unknown":
      return w.bytes(checkBytes(option.data, what, "data"));
    case "reconfigure-message":
      return w.u8(checkInteger(option.reconfigureType, 0xff, what, "reconfigure type"));
    case "sip-server-domains":
    case "domain-list":
      for (const domain of option.domains) writeName(w, domain, what);
      return;
    case "sip-server-addresses":
    case "dns-servers":
    case "sntp-servers":
      for (const server of option.servers) w.bytes(ipv6Bytes(server, what, "server"));
      return;
    case "information-refresh-time":
      return w.u32(lifetimeValue(option.seconds, what, "seconds"));
    case "sol-max-rt":
    case "inf-max-rt":
      return w.u32(checkInteger(option.seconds, 0xffff_ffff, what, "seconds"));
    case "ntp-server":
      for (const sub of option.suboptions) {
        const subWhat = `${what} suboption ${JSON.stringify(sub.name)}`;
        const subCode = sub.name === "unknown"
          ? checkInteger(sub.type, 0xffff, subWhat, "type")
          : { "server-address": 1, "multicast-address": 2, "server-fqdn": 3 }[sub.name];
        writeTlv(w, subCode, subWhat, () => {
          if (sub.name === "server-address" || sub.name === "multicast-address") {
            w.bytes(ipv6Bytes(sub.address, subWhat, "address"));
          } else if (sub.name === "server-fqdn") writeName(w, sub.fqdn, subWhat);
          else w.bytes(checkBytes(sub.data, subWhat, "data"));
        });
      }
      return;
    case "aftr-name":
      return writeName(w, option.fqdn, what);
    case "captive-portal": {
      const uri = option.uri;
      if (typeof uri !== "string" || !/^[\x21-\x7e]+$/.test(uri)) {
        throw buildError(what, "URI must be a non-empty string of visible ASCII");
      }
      for (let k = 0; k < uri.length; k++) w.u8(uri.charCodeAt(k));
      return;
    }
    case "dnr": {
      w.u16(checkInteger(option.servicePriority, 0xffff, what, "service priority"));
      const lengthAt = w.length;
      w.u16(0);
      writeName(w, option.adn, what);
      w.patchU16(lengthAt, w.length - lengthAt - 2);
      if (option.addresses === undefined) {
        if (option.serviceParameters !== undefined) {
          throw buildError(what, "service parameters need addresses (ADN-only mode has neither)");
        }
        return;
      }
      w.u16(checkInteger(option.addresses.length * 16, 0xffff, what, "Addr Length"));
      for (const a of option.addresses) w.bytes(ipv6Bytes(a, what, "address"));
      return w.bytes(checkBytes(option.serviceParameters ?? new Uint8Array(), what, "service parameters"));
    }
    default:
      throw new TypeError(
        `Cannot build DHCPv6 option: unknown option name ${JSON.stringify((option as { name: unknown }).name)}`,
      );
  }
}

/** Relay Message options being written around the current message. */
let relayDepth = 0;

function writeMessage(w: Writer, message: Dhcpv6Message): void {
  if (typeof message !== "object" || message === null) {
    throw new TypeError("Cannot build DHCPv6 message: expected an object");
  }
  if (relayDepth > HOP_COUNT_LIMIT) {
    throw buildError("message", `relay messages nest deeper than HOP_COUNT_LIMIT (${HOP_COUNT_LIMIT})`);
  }
  const type = checkInteger(message.type, 0xff, "message", "type");
  const expected = MESSAGE_TYPE_NAMES.get(type) ?? "unknown";
  if (message.messageType !== expected) {
    throw buildError(
      "message",
      `message type ${type} is ${JSON.stringify(expected)}, not ${JSON.stringify(message.messageType)}`,
    );
  }
  w.u8(type);
  if (message.messageType === "relay-forward" || message.messageType === "relay-reply") {
    w.u8(checkInteger(message.hopCount, 0xff, "message", "hop count"));
    w.bytes(ipv6Bytes(message.linkAddress, "message", "link address"));
    w.bytes(ipv6Bytes(message.peerAddress, "message", "peer address"));
    writeOptions(w, message.options);
    // The options are the truth; a relay built without a Relay Message
    // option gets one for `message`, at the end.
    if (!message.options.some((o) => o.name === "relay-message")) {
      writeOption(w, { name: "relay-message", type: 9, message: message.message });
    }
    return;
  }
  const id = checkInteger(message.transactionId, 0xff_ffff, "message", "transaction ID");
  w.u8(id >>> 16);
  w.u16(id & 0xffff);
  writeOptions(w, message.options);
}

/**
 * Encodes a DHCPv6 message, the inverse of {@linkcode parseDhcpv6}: its
 * options in order, each option-len computed. `skipped` is ignored. A relay
 * message whose options hold no Relay Message option gets one for `message`
 * at the end.
 *
 * @example Round trip
 * ```ts
 * import { buildDhcpv6, parseDhcpv6 } from "./dhcpv6.ts";
 *
 * const bytes = buildDhcpv6({
 *   messageType: "information-request",
 *   type: 11,
 *   transactionId: 0x0a0b0c,
 *   options: [{ name: "option-request", type: 6, codes: [23, 24, 103] }],
 *   skipped: [],
 * });
 * if (bytes.length !== 14) throw new Error(String(bytes.length));
 * const again = parseDhcpv6(bytes);
 * if (again.messageType !== "information-request") throw new Error();
 * ```
 *
 * @param message The message.
 * @returns Its bytes.
 * @throws {TypeError} If a field has the wrong type or an option name is
 * unknown.
 * @throws {RangeError} If a value is out of range (a transaction-id over 24
 * bits, an option body over 65535 bytes, a label over 63 characters, ...).
 */
export function buildDhcpv6(message: Dhcpv6Message): Uint8Array {
  const w = new Writer();
  writeMessage(w, message);
  return w.result();
}

/**
 * Encodes a bare option sequence, the inverse of
 * {@linkcode parseDhcpv6Options}.
 *
 * @example
 * ```ts
 * import { buildDhcpv6Options } from "./dhcpv6.ts";
 *
 * const bytes = buildDhcpv6Options([
 *   { name: "domain-list", type: 24, domains: ["example.com"] },
 * ]);
 * // 0, 24, 0, 13, 7, "example", 3, "com", 0
 * if (bytes.length !== 17 || bytes[3] !== 13) throw new Error();
 * ```
 *
 * @param options The options.
 * @returns Their bytes.
 * @throws {TypeError} If a field has the wrong type or an option name is
 * unknown.
 * @throws {RangeError} If a value is out of range.
 */
export function buildDhcpv6Options(options: readonly Dhcpv6Option[]): Uint8Array {
  const w = new Writer();
  writeOptions(w, options);
  return w.result();
}
