/**
 * The record-stream side of DHCPv6, shared by the eager parser
 * (`dhcpv6.ts`) and the on-access view (`dhcpv6_view.ts`): the mirror of
 * the core's tags and detail identifiers, the message and option codes, the
 * call into the core, and the decoding of records into the typed objects.
 *
 * Runtime-neutral: no Deno or Node APIs.
 *
 * @module
 */

import type {
  Dhcpv6ClientServerMessage,
  Dhcpv6Duid,
  Dhcpv6Message,
  Dhcpv6NtpSuboption,
  Dhcpv6Option,
} from "./dhcpv6.ts";
import { coreMemory, invokeCore } from "./_abi.ts";
import { readRecords, RecordStream, type SkippedItem, TAG_SKIPPED } from "./_records.ts";
import { dnsNameText, hexText, ipv6List, ipv6Text, latin1Text } from "./_text.ts";
import { coreWasm } from "./core_wasm.generated.ts";

// ---------------------------------------------------------------------------
// Record tags, fields and details: mirrors core-as/assembly/dhcpv6.ts

export const TAG_MESSAGE = 0x0201;
export const TAG_RELAY = 0x0202;
export const TAG_OPTION = 0x0203;
export const TAG_DUID = 0x0204;
export const TAG_NAME = 0x0205;
export const TAG_SUBOPTION = 0x0206;
export const TAG_FIELD = 0x0207;

export const FIELD_CLASS_DATA = 1;
export const FIELD_DNR_ADDRESSES = 2;
export const FIELD_DNR_SVC_PARAMS = 3;

/** RFC 8415 section 7.6. */
export const HOP_COUNT_LIMIT = 8;
/** Nesting bound of encapsulated options (MAX_OPTION_DEPTH in the core). */
export const MAX_OPTION_DEPTH = 8;

/** Why an input was rejected, by detail identifier. */
export const REJECTIONS: Readonly<Record<number, (offset: number) => string>> = {
  0x201: (o) => `message at offset ${o} is shorter than its 4-byte header`,
  0x202: (o) => `relay message at offset ${o} is shorter than its 34-byte header`,
  0x203: (o) => `option at offset ${o} overruns the message`,
  0x204: (o) => `option at offset ${o} overruns its enclosing option`,
  0x205: (o) => `relay message option at offset ${o} nests deeper than HOP_COUNT_LIMIT (${HOP_COUNT_LIMIT})`,
  0x206: (o) => `option at offset ${o} nests options deeper than ${MAX_OPTION_DEPTH} levels`,
  0x207: (o) => `relay message at offset ${o} has no relay message option`,
  0x208: (o) => `option at offset ${o} overruns the options`,
};

/** Option bodies of a fixed length (detail 0x220), by option code. */
export const FIXED_LENGTHS: Readonly<Record<number, number>> = {
  7: 1,
  8: 2,
  12: 16,
  14: 0,
  19: 1,
  20: 0,
  32: 4,
  82: 4,
  83: 4,
};
/** Fixed fields before variable data (detail 0x221), by option code. */
export const MINIMUM_LENGTHS: Readonly<Record<number, number>> = {
  3: 12,
  4: 4,
  5: 24,
  11: 11,
  13: 2,
  16: 4,
  17: 4,
  25: 12,
  26: 25,
  144: 4,
};
/** Item sizes of list options (detail 0x222), by option code. */
export const ITEM_SIZES: Readonly<Record<number, number>> = { 6: 2, 22: 16, 23: 16, 31: 16 };

/** Minimum DUID lengths by DUID type (RFC 8415 section 11, RFC 6355). */
export const DUID_MINIMUM: Readonly<Record<number, number>> = { 1: 8, 2: 6, 3: 4, 4: 18 };
export const DUID_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: "DUID-LLT",
  2: "DUID-EN",
  3: "DUID-LL",
  4: "DUID-UUID",
};

/** The end of a skip reason, after "option 7 (preference) at offset 40 ". */
export function skipReason(detail: number, item: Uint8Array, code: number, suboption: boolean): string {
  const length = item.length - 4;
  switch (detail) {
    case 0x220:
      return `has length ${length} instead of ${suboption ? 16 : FIXED_LENGTHS[code]}`;
    case 0x221:
      return `has length ${length}, shorter than its ${MINIMUM_LENGTHS[code]}-byte fixed fields`;
    case 0x222:
      return `has length ${length}, not a multiple of ${ITEM_SIZES[code]}`;
    case 0x223: {
      if (length < 3) return `holds a DUID of ${length} bytes, shorter than a type code and one byte`;
      if (length > 130) return `holds a DUID of ${length} bytes, longer than a type code and 128 bytes`;
      const type = (item[4]! << 8) | item[5]!;
      const minimum = DUID_MINIMUM[type] ?? 3;
      return type === 4
        ? `holds a DUID-UUID of ${length} bytes instead of 18`
        : `holds a ${DUID_TYPE_NAMES[type]} of ${length} bytes, shorter than ${minimum}`;
    }
    case 0x224:
      return "has a domain name that runs past its end";
    case 0x225:
      return "has a compressed domain name, which RFC 8415 section 10 forbids";
    case 0x226:
      return "has a domain name label length with reserved bits set";
    case 0x227:
      return "has a domain name longer than 255 bytes";
    case 0x228:
      return "has a domain name label holding a dot or a byte outside visible ASCII";
    case 0x229:
      return "has bytes after its domain name";
    case 0x22a:
      return "has a status message that is not UTF-8";
    case 0x22b:
      return `has prefix length ${item[12]}, over 128`;
    case 0x22c:
      return "has class data that runs past its end";
    case 0x22d:
      return "has an empty URI or one with a byte outside visible ASCII";
    case 0x22e:
      return "has an ADN length that overruns it, or an ADN that is the root";
    case 0x22f:
      return "has an Addr Length that is missing, zero, not a multiple of 16 or overrunning it";
    case 0x230:
      return "has SvcParams that are not a sequence of key, length and value";
    case 0x231:
      return "has no user class";
    default:
      return `is malformed (detail ${detail})`;
  }
}

// ---------------------------------------------------------------------------
// Names and codes

/**
 * Message types by name (RFC 8415 section 7.3). Other numbers parse with
 * the client/server layout as `messageType: "unknown"`.
 *
 * @example
 * ```ts
 * import { DHCPV6_MESSAGE_TYPES } from "./dhcpv6.ts";
 *
 * if (DHCPV6_MESSAGE_TYPES["information-request"] !== 11) throw new Error();
 * ```
 */
export const DHCPV6_MESSAGE_TYPES = {
  "solicit": 1,
  "advertise": 2,
  "request": 3,
  "confirm": 4,
  "renew": 5,
  "rebind": 6,
  "reply": 7,
  "release": 8,
  "decline": 9,
  "reconfigure": 10,
  "information-request": 11,
  "relay-forward": 12,
  "relay-reply": 13,
} as const;

/**
 * Name of a message type of RFC 8415, or `"unknown"` for any other number.
 *
 * @example
 * ```ts
 * import type { Dhcpv6MessageTypeName } from "./dhcpv6.ts";
 *
 * const name: Dhcpv6MessageTypeName = "advertise";
 * if (name !== "advertise") throw new Error();
 * ```
 */
export type Dhcpv6MessageTypeName = keyof typeof DHCPV6_MESSAGE_TYPES | "unknown";

/**
 * Option codes by option name, for the options this module decodes
 * (IANA "DHCPv6 Option Codes").
 *
 * @example
 * ```ts
 * import { DHCPV6_OPTION_CODES } from "./dhcpv6.ts";
 *
 * if (DHCPV6_OPTION_CODES["dns-servers"] !== 23) throw new Error();
 * ```
 */
export const DHCPV6_OPTION_CODES = {
  "client-id": 1,
  "server-id": 2,
  "ia-na": 3,
  "ia-ta": 4,
  "ia-address": 5,
  "option-request": 6,
  "preference": 7,
  "elapsed-time": 8,
  "relay-message": 9,
  "authentication": 11,
  "server-unicast": 12,
  "status-code": 13,
  "rapid-commit": 14,
  "user-class": 15,
  "vendor-class": 16,
  "vendor-options": 17,
  "interface-id": 18,
  "reconfigure-message": 19,
  "reconfigure-accept": 20,
  "sip-server-domains": 21,
  "sip-server-addresses": 22,
  "dns-servers": 23,
  "domain-list": 24,
  "ia-pd": 25,
  "ia-prefix": 26,
  "sntp-servers": 31,
  "information-refresh-time": 32,
  "ntp-server": 56,
  "aftr-name": 64,
  "sol-max-rt": 82,
  "inf-max-rt": 83,
  "captive-portal": 103,
  "dnr": 144,
} as const;

/**
 * Name of an option this module decodes; other options are `"unknown"`.
 *
 * @example
 * ```ts
 * import { DHCPV6_OPTION_CODES, type Dhcpv6OptionName } from "./dhcpv6.ts";
 *
 * const name: Dhcpv6OptionName = "domain-list";
 * if (DHCPV6_OPTION_CODES[name] !== 24) throw new Error();
 * ```
 */
export type Dhcpv6OptionName = keyof typeof DHCPV6_OPTION_CODES;

export const MESSAGE_TYPE_NAMES = new Map<number, Dhcpv6MessageTypeName>(
  Object.entries(DHCPV6_MESSAGE_TYPES).map(([name, code]) => [code, name as Dhcpv6MessageTypeName]),
);
export const OPTION_NAMES = new Map<number, Dhcpv6OptionName>(
  Object.entries(DHCPV6_OPTION_CODES).map(([name, code]) => [code, name as Dhcpv6OptionName]),
);

// ---------------------------------------------------------------------------
// Calling the core and decoding

export function parseRecords(bytes: Uint8Array, options: boolean): RecordStream {
  const size = invokeParser(bytes, options);
  // The stream reads `bytes` itself: decoders copy every byte field they keep.
  return new RecordStream(readRecords(coreMemory(coreWasm), coreWasm.resultPtr() >>> 0, size), bytes);
}

const invokeMessage = (len: number): number => coreWasm.parseDhcpv6Message(len);
const invokeOptions = (len: number): number => coreWasm.parseDhcpv6Options(len);
const rejection = (detail: number, offset: number): string | undefined => REJECTIONS[detail]?.(offset);

/**
 * Runs the core parser over `bytes` (a message, or a bare option sequence)
 * and returns the byte length of its records, which lie at
 * `coreWasm.resultPtr()` until the next call into the core.
 */
export function invokeParser(bytes: Uint8Array, options: boolean): number {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`Cannot parse DHCPv6 ${options ? "options" : "message"}: expected a Uint8Array`);
  }
  return invokeCore(coreWasm, {
    action: options ? "parse DHCPv6 options" : "parse DHCPv6 message",
    input: bytes,
    invoke: options ? invokeOptions : invokeMessage,
    detail: rejection,
  });
}

export const utf8 = new TextDecoder();

/** 0xffffffff is infinity for lifetimes and times (section 7.7). */
export function lifetime(value: number): number {
  return value === 0xffff_ffff ? Infinity : value;
}

export function address(s: RecordStream, at: number): string {
  return ipv6Text(s.input, at);
}

export function addressList(s: RecordStream, from: number, length: number): string[] {
  return ipv6List(s.input, from, length / 16);
}

/** The dotted text of a TAG_NAME record's wire-format name (the core checked its labels). */
export function nameText(s: RecordStream, i: number): string {
  return dnsNameText(s.input, s.start(i));
}

export function skippedItem(s: RecordStream, i: number, suboption: boolean): SkippedItem {
  const offset = s.start(i);
  const type = s.a(i);
  const what = suboption
    ? `NTP suboption ${type}`
    : `option ${type}${OPTION_NAMES.has(type) ? ` (${OPTION_NAMES.get(type)})` : ""}`;
  const reason = `${what} at offset ${offset} ${skipReason(s.code(i), s.bytes(i), type, suboption)}`;
  return { offset, length: s.length(i), type, reason };
}

export function decodeMessage(s: RecordStream, i: number): Dhcpv6Message {
  const start = s.start(i);
  const skipped: SkippedItem[] = [];
  const options = decodeOptions(s, i + 1, s.next(i), skipped);
  if (s.tag(i) === TAG_RELAY) {
    const relayed = options.find((o) => o.name === "relay-message");
    // The core rejects a relay message without a Relay Message option.
    if (relayed === undefined) throw new Error("Internal error: relay message without relay message option");
    const fields = {
      hopCount: s.a(i),
      linkAddress: address(s, start + 2),
      peerAddress: address(s, start + 18),
      options,
      message: relayed.message,
      skipped,
    };
    return s.code(i) === 12
      ? { messageType: "relay-forward", type: 12, ...fields }
      : { messageType: "relay-reply", type: 13, ...fields };
  }
  if (s.tag(i) !== TAG_MESSAGE) throw new Error(`Internal error: DHCPv6 record ${i} is not a message`);
  const type = s.code(i);
  const name = MESSAGE_TYPE_NAMES.get(type) ?? "unknown";
  return {
    messageType: name as Dhcpv6ClientServerMessage["messageType"],
    type,
    transactionId: s.a(i),
    options,
    skipped,
  };
}

/** Decodes the option records in [from, to), adding skips to `skipped`. */
export function decodeOptions(s: RecordStream, from: number, to: number, skipped: SkippedItem[]): Dhcpv6Option[] {
  const options: Dhcpv6Option[] = [];
  for (let i = from; i < to; i = s.next(i)) {
    const tag = s.tag(i);
    if (tag === TAG_SKIPPED) skipped.push(skippedItem(s, i, false));
    else if (tag === TAG_OPTION) options.push(decodeOption(s, i, skipped));
  }
  return options;
}

export function decodeDuid(s: RecordStream, i: number): Dhcpv6Duid {
  const type = s.code(i);
  switch (type) {
    case 1:
      return { name: "duid-llt", type, hardwareType: s.a(i), time: s.b(i), linkLayerAddress: s.copy(i, 8) };
    case 2:
      return { name: "duid-en", type, enterpriseNumber: s.a(i), identifier: s.copy(i, 6) };
    case 3:
      return { name: "duid-ll", type, hardwareType: s.a(i), linkLayerAddress: s.copy(i, 4) };
    case 4: {
      const hex = hexText(s.bytes(i, 2), "");
      const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      return { name: "duid-uuid", type, uuid };
    }
    default:
      return { name: "unknown", type, data: s.copy(i, 2) };
  }
}

export function decodeNtpSuboptions(
  s: RecordStream,
  from: number,
  to: number,
  skipped: SkippedItem[],
): Dhcpv6NtpSuboption[] {
  const suboptions: Dhcpv6NtpSuboption[] = [];
  for (let i = from; i < to; i = s.next(i)) {
    const tag = s.tag(i);
    if (tag === TAG_SKIPPED) {
      skipped.push(skippedItem(s, i, true));
      continue;
    }
    if (tag !== TAG_SUBOPTION) continue;
    const type = s.code(i);
    const value = s.start(i) + 4;
    if (type === 1) suboptions.push({ name: "server-address", type, address: address(s, value) });
    else if (type === 2) suboptions.push({ name: "multicast-address", type, address: address(s, value) });
    else if (type === 3) suboptions.push({ name: "server-fqdn", type, fqdn: nameText(s, child(s, i, TAG_NAME)) });
    else suboptions.push({ name: "unknown", type, data: s.copy(i, 4) });
  }
  return suboptions;
}

/** The direct children of record `i` with tag `tag` (and `code`, if given). */
export function children(s: RecordStream, i: number, tag: number, code?: number): number[] {
  const list: number[] = [];
  for (let j = i + 1; j < s.next(i); j = s.next(j)) {
    if (s.tag(j) === tag && (code === undefined || s.code(j) === code)) list.push(j);
  }
  return list;
}

/** The first direct child of record `i` with tag `tag` (and `code`). */
export function child(s: RecordStream, i: number, tag: number, code?: number): number {
  for (let j = i + 1; j < s.next(i); j = s.next(j)) {
    if (s.tag(j) === tag && (code === undefined || s.code(j) === code)) return j;
  }
  throw new Error(`Internal error: DHCPv6 record ${i} lacks a child of tag ${tag}`);
}

/** Copies of the class data items of option record `i`. */
function classData(s: RecordStream, i: number): Uint8Array[] {
  const classes: Uint8Array[] = [];
  for (let j = i + 1; j < s.next(i); j = s.next(j)) {
    if (s.tag(j) === TAG_FIELD && s.code(j) === FIELD_CLASS_DATA) classes.push(s.copy(j));
  }
  return classes;
}

/** The names of option record `i`. */
function names(s: RecordStream, i: number): string[] {
  const list: string[] = [];
  for (let j = i + 1; j < s.next(i); j = s.next(j)) {
    if (s.tag(j) === TAG_NAME) list.push(nameText(s, j));
  }
  return list;
}

/** UTF-8 text the core validated; ASCII (nearly every status message) skips the TextDecoder. */
function utf8Text(input: Uint8Array, from: number, to: number): string {
  for (let k = from; k < to; k++) {
    if (input[k]! >= 0x80) return utf8.decode(input.subarray(from, to));
  }
  return latin1Text(input, from, to);
}

export function decodeOption(s: RecordStream, i: number, skipped: SkippedItem[]): Dhcpv6Option {
  const code = s.code(i);
  const body = s.start(i) + 4;
  const length = s.a(i);
  const d = s.data;
  const name = OPTION_NAMES.get(code);
  // `type` is `code` below: the name was looked up from it.
  switch (name) {
    case "client-id":
    case "server-id":
      return { name, type: code, duid: decodeDuid(s, child(s, i, TAG_DUID)) } as Dhcpv6Option;
    case "ia-na":
    case "ia-pd":
      return {
        name,
        type: code,
        iaid: d.getUint32(body),
        t1: lifetime(d.getUint32(body + 4)),
        t2: lifetime(d.getUint32(body + 8)),
        options: decodeOptions(s, i + 1, s.next(i), skipped),
      } as Dhcpv6Option;
    case "ia-ta":
      return { name, type: 4, iaid: d.getUint32(body), options: decodeOptions(s, i + 1, s.next(i), skipped) };
    case "ia-address":
      return {
        name,
        type: 5,
        address: address(s, body),
        preferredLifetime: lifetime(d.getUint32(body + 16)),
        validLifetime: lifetime(d.getUint32(body + 20)),
        options: decodeOptions(s, i + 1, s.next(i), skipped),
      };
    case "ia-prefix":
      return {
        name,
        type: 26,
        prefix: address(s, body + 9),
        prefixLength: d.getUint8(body + 8),
        preferredLifetime: lifetime(d.getUint32(body)),
        validLifetime: lifetime(d.getUint32(body + 4)),
        options: decodeOptions(s, i + 1, s.next(i), skipped),
      };
    case "option-request": {
      const codes: number[] = [];
      for (let at = body; at < body + length; at += 2) codes.push(d.getUint16(at));
      return { name, type: 6, codes };
    }
    case "preference":
      return { name, type: 7, value: d.getUint8(body) };
    case "elapsed-time":
      return { name, type: 8, hundredths: d.getUint16(body) };
    case "relay-message":
      return { name, type: 9, message: decodeMessage(s, i + 1) };
    case "authentication":
      return {
        name,
        type: 11,
        protocol: d.getUint8(body),
        algorithm: d.getUint8(body + 1),
        rdm: d.getUint8(body + 2),
        replayDetection: s.input.slice(body + 3, body + 11),
        information: s.copy(i, 15),
      };
    case "server-unicast":
      return { name, type: 12, address: address(s, body) };
    case "status-code":
      return { name, type: 13, statusCode: d.getUint16(body), message: utf8Text(s.input, body + 2, body + length) };
    case "rapid-commit":
      return { name, type: 14 };
    case "reconfigure-accept":
      return { name, type: 20 };
    case "user-class":
      return { name, type: 15, classes: classData(s, i) };
    case "vendor-class":
      return {
        name,
        type: 16,
        enterpriseNumber: d.getUint32(body),
        classes: classData(s, i),
      };
    case "vendor-options":
      return { name, type: 17, enterpriseNumber: d.getUint32(body), data: s.copy(i, 8) };
    case "interface-id":
      return { name, type: 18, data: s.copy(i, 4) };
    case "reconfigure-message":
      return { name, type: 19, reconfigureType: d.getUint8(body) };
    case "sip-server-domains":
    case "domain-list":
      return { name, type: code, domains: names(s, i) } as Dhcpv6Option;
    case "sip-server-addresses":
    case "dns-servers":
    case "sntp-servers":
      return { name, type: code, servers: addressList(s, body, length) } as Dhcpv6Option;
    case "information-refresh-time":
      return { name, type: 32, seconds: lifetime(d.getUint32(body)) };
    case "sol-max-rt":
    case "inf-max-rt":
      return { name, type: code, seconds: d.getUint32(body) } as Dhcpv6Option;
    case "ntp-server":
      return { name, type: 56, suboptions: decodeNtpSuboptions(s, i + 1, s.next(i), skipped) };
    case "aftr-name":
      return { name, type: 64, fqdn: nameText(s, child(s, i, TAG_NAME)) };
    case "captive-portal":
      return { name, type: 103, uri: latin1Text(s.input, body, body + length) };
    case "dnr": {
      const adn = nameText(s, child(s, i, TAG_NAME));
      const base = { name, type: 144, servicePriority: d.getUint16(body), adn } as const;
      const [addresses] = children(s, i, TAG_FIELD, FIELD_DNR_ADDRESSES);
      const [svcParams] = children(s, i, TAG_FIELD, FIELD_DNR_SVC_PARAMS);
      // ADN-only mode: the core wrote neither field.
      if (addresses === undefined || svcParams === undefined) return base;
      return {
        ...base,
        addresses: addressList(s, s.start(addresses), s.length(addresses)),
        serviceParameters: s.copy(svcParams),
      };
    }
    default:
      return { name: "unknown", type: code, data: s.copy(i, 4) };
  }
}
