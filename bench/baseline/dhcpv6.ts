/**
 * Baseline: a DHCPv6 parser in plain TypeScript over a DataView, the way a
 * user without the WebAssembly core would write it. It produces the same
 * objects as `parseDhcpv6` of `core-as/dhcpv6.ts` and applies the same
 * rules: reject an option that overruns its container, skip a known option
 * with a malformed body, keep unknown options raw.
 *
 * @module
 */

import type {
  Dhcpv6ClientServerMessage,
  Dhcpv6Duid,
  Dhcpv6Message,
  Dhcpv6NtpSuboption,
  Dhcpv6Option,
  SkippedItem,
} from "../../core-as/dhcpv6.ts";
import { ipv6List, ipv6Text, latin1, lifetime, lowerAscii } from "./_text.ts";

const MESSAGE_TYPES: readonly string[] = [
  "unknown",
  "solicit",
  "advertise",
  "request",
  "confirm",
  "renew",
  "rebind",
  "reply",
  "release",
  "decline",
  "reconfigure",
  "information-request",
  "relay-forward",
  "relay-reply",
];

const OPTION_NAMES: Readonly<Record<number, string>> = {
  1: "client-id",
  2: "server-id",
  3: "ia-na",
  4: "ia-ta",
  5: "ia-address",
  6: "option-request",
  7: "preference",
  8: "elapsed-time",
  9: "relay-message",
  11: "authentication",
  12: "server-unicast",
  13: "status-code",
  14: "rapid-commit",
  15: "user-class",
  16: "vendor-class",
  17: "vendor-options",
  18: "interface-id",
  19: "reconfigure-message",
  20: "reconfigure-accept",
  21: "sip-server-domains",
  22: "sip-server-addresses",
  23: "dns-servers",
  24: "domain-list",
  25: "ia-pd",
  26: "ia-prefix",
  31: "sntp-servers",
  32: "information-refresh-time",
  56: "ntp-server",
  64: "aftr-name",
  82: "sol-max-rt",
  83: "inf-max-rt",
  103: "captive-portal",
  144: "dnr",
};

const FIXED: Readonly<Record<number, number>> = { 7: 1, 8: 2, 12: 16, 14: 0, 19: 1, 20: 0, 32: 4, 82: 4, 83: 4 };
const MINIMUM: Readonly<Record<number, number>> = {
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
const DUID_MINIMUM: Readonly<Record<number, number>> = { 1: 8, 2: 6, 3: 4 };
const DUID_NAMES: Readonly<Record<number, string>> = { 1: "DUID-LLT", 2: "DUID-EN", 3: "DUID-LL" };
const HOP_COUNT_LIMIT = 8;
const MAX_OPTION_DEPTH = 8;

const utf8 = new TextDecoder();

/** Thrown inside an option's decoder: the option is skipped for this reason. */
class Skip {
  constructor(readonly reason: string) {}
}

/** The state of one parse: the bytes and a view of them. */
interface Input {
  readonly bytes: Uint8Array;
  readonly view: DataView;
}

/** Parses a DHCPv6 message (a UDP payload). */
export function parseDhcpv6(bytes: Uint8Array): Dhcpv6Message {
  const input = { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  return parseMessage(input, 0, bytes.length, 0);
}

function parseMessage(input: Input, start: number, end: number, depth: number): Dhcpv6Message {
  const { bytes, view } = input;
  if (end <= start) throw new SyntaxError(`Cannot parse DHCPv6 message: message at offset ${start} is empty`);
  const type = bytes[start]!;
  const skipped: SkippedItem[] = [];
  if (type === 12 || type === 13) {
    if (end - start < 34) {
      throw new SyntaxError(`Cannot parse DHCPv6 message: relay message at offset ${start} is too short`);
    }
    const options = parseOptions(input, start + 34, end, depth, 0, skipped);
    const relayed = options.find((o): o is Extract<Dhcpv6Option, { name: "relay-message" }> =>
      o.name === "relay-message"
    );
    if (relayed === undefined) {
      throw new SyntaxError(`Cannot parse DHCPv6 message: relay message at offset ${start} has no relay message`);
    }
    const fields = {
      hopCount: bytes[start + 1]!,
      linkAddress: ipv6Text(bytes, start + 2),
      peerAddress: ipv6Text(bytes, start + 18),
      options,
      message: relayed.message,
      skipped,
    };
    return type === 12
      ? { messageType: "relay-forward", type: 12, ...fields }
      : { messageType: "relay-reply", type: 13, ...fields };
  }
  if (end - start < 4) throw new SyntaxError(`Cannot parse DHCPv6 message: message at offset ${start} is too short`);
  const transactionId = view.getUint32(start) & 0xffffff;
  const options = parseOptions(input, start + 4, end, depth, 0, skipped);
  return {
    messageType: (MESSAGE_TYPES[type] ?? "unknown") as Dhcpv6ClientServerMessage["messageType"],
    type,
    transactionId,
    options,
    skipped,
  };
}

function parseOptions(
  input: Input,
  start: number,
  end: number,
  depth: number,
  optionDepth: number,
  skipped: SkippedItem[],
): Dhcpv6Option[] {
  const { view } = input;
  const options: Dhcpv6Option[] = [];
  for (let at = start; at < end;) {
    if (end - at < 4 || view.getUint16(at + 2) > end - at - 4) {
      throw new SyntaxError(`Cannot parse DHCPv6 message: option at offset ${at} overruns its container`);
    }
    const code = view.getUint16(at);
    const length = view.getUint16(at + 2);
    try {
      options.push(parseOption(input, code, at, length, depth, optionDepth, skipped));
    } catch (error) {
      if (!(error instanceof Skip)) throw error;
      const name = OPTION_NAMES[code];
      skipped.push({
        offset: at,
        length: 4 + length,
        type: code,
        reason: `option ${code}${name !== undefined ? ` (${name})` : ""} at offset ${at} ${error.reason}`,
      });
    }
    at += 4 + length;
  }
  return options;
}

function fixedLength(code: number, length: number): void {
  if (length !== FIXED[code]) throw new Skip(`has length ${length} instead of ${FIXED[code]}`);
}

function minimumLength(code: number, length: number): void {
  if (length < MINIMUM[code]!) {
    throw new Skip(`has length ${length}, shorter than its ${MINIMUM[code]}-byte fixed fields`);
  }
}

function parseOption(
  input: Input,
  code: number,
  at: number,
  length: number,
  depth: number,
  optionDepth: number,
  skipped: SkippedItem[],
): Dhcpv6Option {
  const { bytes, view } = input;
  const body = at + 4;
  const end = body + length;
  const nested = (fixed: number) => {
    minimumLength(code, length);
    if (optionDepth >= MAX_OPTION_DEPTH) {
      throw new SyntaxError(`Cannot parse DHCPv6 message: option at offset ${at} nests too deep`);
    }
    return () => parseOptions(input, body + fixed, end, depth, optionDepth + 1, skipped);
  };
  switch (code) {
    case 1:
    case 2:
      return {
        name: code === 1 ? "client-id" : "server-id",
        type: code,
        duid: parseDuid(input, body, length),
      } as Dhcpv6Option;
    case 3:
    case 25: {
      const options = nested(12);
      return {
        name: code === 3 ? "ia-na" : "ia-pd",
        type: code,
        iaid: view.getUint32(body),
        t1: lifetime(view.getUint32(body + 4)),
        t2: lifetime(view.getUint32(body + 8)),
        options: options(),
      } as Dhcpv6Option;
    }
    case 4: {
      const options = nested(4);
      return { name: "ia-ta", type: 4, iaid: view.getUint32(body), options: options() };
    }
    case 5: {
      const options = nested(24);
      return {
        name: "ia-address",
        type: 5,
        address: ipv6Text(bytes, body),
        preferredLifetime: lifetime(view.getUint32(body + 16)),
        validLifetime: lifetime(view.getUint32(body + 20)),
        options: options(),
      };
    }
    case 26: {
      if (length >= 25 && bytes[body + 8]! > 128) throw new Skip(`has prefix length ${bytes[body + 8]}, over 128`);
      const options = nested(25);
      return {
        name: "ia-prefix",
        type: 26,
        prefix: ipv6Text(bytes, body + 9),
        prefixLength: bytes[body + 8]!,
        preferredLifetime: lifetime(view.getUint32(body)),
        validLifetime: lifetime(view.getUint32(body + 4)),
        options: options(),
      };
    }
    case 6: {
      if (length % 2 !== 0) throw new Skip(`has length ${length}, not a multiple of 2`);
      const codes: number[] = [];
      for (let i = body; i < end; i += 2) codes.push(view.getUint16(i));
      return { name: "option-request", type: 6, codes };
    }
    case 7:
      fixedLength(code, length);
      return { name: "preference", type: 7, value: bytes[body]! };
    case 8:
      fixedLength(code, length);
      return { name: "elapsed-time", type: 8, hundredths: view.getUint16(body) };
    case 9:
      if (depth >= HOP_COUNT_LIMIT) {
        throw new SyntaxError(`Cannot parse DHCPv6 message: relay message option at offset ${at} nests too deep`);
      }
      return { name: "relay-message", type: 9, message: parseMessage(input, body, end, depth + 1) };
    case 11:
      minimumLength(code, length);
      return {
        name: "authentication",
        type: 11,
        protocol: bytes[body]!,
        algorithm: bytes[body + 1]!,
        rdm: bytes[body + 2]!,
        replayDetection: bytes.slice(body + 3, body + 11),
        information: bytes.slice(body + 11, end),
      };
    case 12:
      fixedLength(code, length);
      return { name: "server-unicast", type: 12, address: ipv6Text(bytes, body) };
    case 13:
      minimumLength(code, length);
      if (!isUtf8(bytes, body + 2, end)) throw new Skip("has a status message that is not UTF-8");
      return {
        name: "status-code",
        type: 13,
        statusCode: view.getUint16(body),
        message: utf8.decode(bytes.subarray(body + 2, end)),
      };
    case 14:
      fixedLength(code, length);
      return { name: "rapid-commit", type: 14 };
    case 20:
      fixedLength(code, length);
      return { name: "reconfigure-accept", type: 20 };
    case 15:
      if (length === 0) throw new Skip("has no user class");
      return { name: "user-class", type: 15, classes: classData(input, body, end) };
    case 16:
      minimumLength(code, length);
      return {
        name: "vendor-class",
        type: 16,
        enterpriseNumber: view.getUint32(body),
        classes: classData(input, body + 4, end),
      };
    case 17:
      minimumLength(code, length);
      return {
        name: "vendor-options",
        type: 17,
        enterpriseNumber: view.getUint32(body),
        data: bytes.slice(body + 4, end),
      };
    case 18:
      return { name: "interface-id", type: 18, data: bytes.slice(body, end) };
    case 19:
      fixedLength(code, length);
      return { name: "reconfigure-message", type: 19, reconfigureType: bytes[body]! };
    case 21:
    case 24: {
      const domains: string[] = [];
      for (let name = body; name < end;) {
        const scanned = scanName(bytes, name, end);
        domains.push(scanned.text);
        name = scanned.end;
      }
      return { name: code === 21 ? "sip-server-domains" : "domain-list", type: code, domains } as Dhcpv6Option;
    }
    case 22:
    case 23:
    case 31: {
      if (length % 16 !== 0) throw new Skip(`has length ${length}, not a multiple of 16`);
      return { name: OPTION_NAMES[code]!, type: code, servers: ipv6List(bytes, body, length / 16) } as Dhcpv6Option;
    }
    case 32:
      fixedLength(code, length);
      return { name: "information-refresh-time", type: 32, seconds: lifetime(view.getUint32(body)) };
    case 82:
    case 83:
      fixedLength(code, length);
      return {
        name: code === 82 ? "sol-max-rt" : "inf-max-rt",
        type: code,
        seconds: view.getUint32(body),
      } as Dhcpv6Option;
    case 56:
      return { name: "ntp-server", type: 56, suboptions: ntpSuboptions(input, body, end, skipped) };
    case 64:
      return { name: "aftr-name", type: 64, fqdn: singleName(bytes, body, end) };
    case 103: {
      const uriError = "has an empty URI or one with a byte outside visible ASCII";
      if (length === 0) throw new Skip(uriError);
      for (let i = body; i < end; i++) if (bytes[i]! <= 0x20 || bytes[i]! >= 0x7f) throw new Skip(uriError);
      return { name: "captive-portal", type: 103, uri: latin1(bytes, body, end) };
    }
    case 144:
      return parseDnr(input, body, length);
    default:
      return { name: "unknown", type: code, data: bytes.slice(body, end) };
  }
}

function parseDuid(input: Input, at: number, length: number): Dhcpv6Duid {
  const { bytes, view } = input;
  if (length < 3) throw new Skip(`holds a DUID of ${length} bytes, shorter than a type code and one byte`);
  if (length > 130) throw new Skip(`holds a DUID of ${length} bytes, longer than a type code and 128 bytes`);
  const type = view.getUint16(at);
  const end = at + length;
  if (type === 4) {
    if (length !== 18) throw new Skip(`holds a DUID-UUID of ${length} bytes instead of 18`);
    let hex = "";
    for (let i = at + 2; i < end; i++) hex += bytes[i]!.toString(16).padStart(2, "0");
    const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    return { name: "duid-uuid", type, uuid };
  }
  const minimum = DUID_MINIMUM[type];
  if (minimum !== undefined && length < minimum) {
    throw new Skip(`holds a ${DUID_NAMES[type]} of ${length} bytes, shorter than ${minimum}`);
  }
  switch (type) {
    case 1:
      return {
        name: "duid-llt",
        type,
        hardwareType: view.getUint16(at + 2),
        time: view.getUint32(at + 4),
        linkLayerAddress: bytes.slice(at + 8, end),
      };
    case 2:
      return { name: "duid-en", type, enterpriseNumber: view.getUint32(at + 2), identifier: bytes.slice(at + 6, end) };
    case 3:
      return {
        name: "duid-ll",
        type,
        hardwareType: view.getUint16(at + 2),
        linkLayerAddress: bytes.slice(at + 4, end),
      };
    default:
      return { name: "unknown", type, data: bytes.slice(at + 2, end) };
  }
}

function classData(input: Input, from: number, end: number): Uint8Array[] {
  const { bytes, view } = input;
  const classes: Uint8Array[] = [];
  for (let at = from; at < end;) {
    if (end - at < 2 || view.getUint16(at) > end - at - 2) throw new Skip("has class data that runs past its end");
    const n = view.getUint16(at);
    classes.push(bytes.slice(at + 2, at + 2 + n));
    at += 2 + n;
  }
  return classes;
}

function ntpSuboptions(input: Input, from: number, end: number, skipped: SkippedItem[]): Dhcpv6NtpSuboption[] {
  const { bytes, view } = input;
  const suboptions: Dhcpv6NtpSuboption[] = [];
  for (let at = from; at < end;) {
    if (end - at < 4 || view.getUint16(at + 2) > end - at - 4) {
      throw new SyntaxError(`Cannot parse DHCPv6 message: NTP suboption at offset ${at} overruns its option`);
    }
    const type = view.getUint16(at);
    const length = view.getUint16(at + 2);
    const value = at + 4;
    try {
      if (type === 1 || type === 2) {
        if (length !== 16) throw new Skip(`has length ${length} instead of 16`);
        const address = ipv6Text(bytes, value);
        suboptions.push(
          type === 1 ? { name: "server-address", type, address } : { name: "multicast-address", type, address },
        );
      } else if (type === 3) {
        suboptions.push({ name: "server-fqdn", type, fqdn: singleName(bytes, value, value + length) });
      } else {
        suboptions.push({ name: "unknown", type, data: bytes.slice(value, value + length) });
      }
    } catch (error) {
      if (!(error instanceof Skip)) throw error;
      skipped.push({
        offset: at,
        length: 4 + length,
        type,
        reason: `NTP suboption ${type} at offset ${at} ${error.reason}`,
      });
    }
    at = value + length;
  }
  return suboptions;
}

function parseDnr(input: Input, body: number, length: number): Dhcpv6Option {
  const { bytes, view } = input;
  const end = body + length;
  minimumLength(144, length);
  const adnAt = body + 4;
  const adnLength = view.getUint16(body + 2);
  if (adnLength > end - adnAt || adnLength <= 1) {
    throw new Skip("has an ADN length that overruns it, or an ADN that is the root");
  }
  const adn = singleName(bytes, adnAt, adnAt + adnLength);
  const base = { name: "dnr", type: 144, servicePriority: view.getUint16(body), adn } as const;
  const addressLengthAt = adnAt + adnLength;
  if (addressLengthAt === end) return base;
  const addressError = "has an Addr Length that is missing, zero, not a multiple of 16 or overrunning it";
  if (end - addressLengthAt < 2) throw new Skip(addressError);
  const addressLength = view.getUint16(addressLengthAt);
  const addressesAt = addressLengthAt + 2;
  if (addressLength === 0 || addressLength % 16 !== 0 || addressLength > end - addressesAt) {
    throw new Skip(addressError);
  }
  const paramsAt = addressesAt + addressLength;
  for (let at = paramsAt; at < end;) {
    if (end - at < 4 || view.getUint16(at + 2) > end - at - 4) {
      throw new Skip("has SvcParams that are not a sequence of key, length and value");
    }
    at += 4 + view.getUint16(at + 2);
  }
  return {
    ...base,
    addresses: ipv6List(bytes, addressesAt, addressLength / 16),
    serviceParameters: bytes.slice(paramsAt, end),
  };
}

/** One uncompressed name from `start`, ending by `end`: its text and end. */
function scanName(bytes: Uint8Array, start: number, end: number): { text: string; end: number } {
  let text = "";
  let at = start;
  for (;;) {
    if (at >= end) throw new Skip("has a domain name that runs past its end");
    const n = bytes[at]!;
    if (n === 0) break;
    if (n >= 0xc0) throw new Skip("has a compressed domain name, which RFC 8415 section 10 forbids");
    if (n > 63) throw new Skip("has a domain name label length with reserved bits set");
    if (n > end - at - 1) throw new Skip("has a domain name that runs past its end");
    for (let i = at + 1; i <= at + n; i++) {
      const c = bytes[i]!;
      if (c <= 0x20 || c >= 0x7f || c === 0x2e) {
        throw new Skip("has a domain name label holding a dot or a byte outside visible ASCII");
      }
    }
    if (at > start) text += ".";
    text += lowerAscii(latin1(bytes, at + 1, at + 1 + n));
    at += 1 + n;
    if (at - start >= 255) throw new Skip("has a domain name longer than 255 bytes");
  }
  return { text, end: at + 1 };
}

/** One name exactly filling [start, end). */
function singleName(bytes: Uint8Array, start: number, end: number): string {
  const name = scanName(bytes, start, end);
  if (name.end !== end) throw new Skip("has bytes after its domain name");
  return name.text;
}

/** Well-formed UTF-8 (RFC 3629): no overlong forms, surrogates or values past U+10FFFF. */
function isUtf8(bytes: Uint8Array, start: number, end: number): boolean {
  for (let at = start; at < end;) {
    const c = bytes[at]!;
    if (c < 0x80) {
      at++;
      continue;
    }
    let extra = 0;
    let low = 0x80;
    let high = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) extra = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      extra = 2;
      if (c === 0xe0) low = 0xa0;
      if (c === 0xed) high = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      extra = 3;
      if (c === 0xf0) low = 0x90;
      if (c === 0xf4) high = 0x8f;
    } else return false;
    if (end - at - 1 < extra) return false;
    const first = bytes[at + 1]!;
    if (first < low || first > high) return false;
    for (let i = 2; i <= extra; i++) {
      const next = bytes[at + i]!;
      if (next < 0x80 || next > 0xbf) return false;
    }
    at += 1 + extra;
  }
  return true;
}
