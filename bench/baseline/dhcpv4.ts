/**
 * Baseline: a DHCPv4 parser in plain TypeScript over a DataView, the way a
 * user without the WebAssembly core would write it. It produces the same
 * objects as `parseDhcpv4` of `core-as/dhcpv4.ts` and applies the same
 * rules: option overload (RFC 2131 section 4.1), long options concatenated
 * (RFC 3396), a known option with a malformed body skipped, unknown options
 * kept raw.
 *
 * @module
 */

import type {
  Dhcpv4Area,
  Dhcpv4ClasslessRoute,
  Dhcpv4DnrInstance,
  Dhcpv4Message,
  Dhcpv4Option,
  Dhcpv4SvcParam,
  SkippedItem,
} from "../../core-as/dhcpv4.ts";
import { hexText, ipv4Text, latin1, lowerAscii } from "./_text.ts";

const MESSAGE_TYPES: readonly string[] = [
  "unknown",
  "DHCPDISCOVER",
  "DHCPOFFER",
  "DHCPREQUEST",
  "DHCPDECLINE",
  "DHCPACK",
  "DHCPNAK",
  "DHCPRELEASE",
  "DHCPINFORM",
  "DHCPFORCERENEW",
  "DHCPLEASEQUERY",
  "DHCPLEASEUNASSIGNED",
  "DHCPLEASEUNKNOWN",
  "DHCPLEASEACTIVE",
  "DHCPBULKLEASEQUERY",
  "DHCPLEASEQUERYDONE",
  "DHCPACTIVELEASEQUERY",
  "DHCPLEASEQUERYSTATUS",
  "DHCPTLS",
];

const AREAS: readonly Dhcpv4Area[] = ["options", "file", "sname"];
const FIXED: Readonly<Record<number, number>> = {
  1: 4,
  26: 2,
  28: 4,
  50: 4,
  51: 4,
  52: 1,
  53: 1,
  54: 4,
  57: 2,
  58: 4,
  59: 4,
};
const MINIMUM: Readonly<Record<number, number>> = { 12: 1, 15: 1, 55: 1, 60: 1, 61: 2, 114: 1, 119: 1, 121: 5, 162: 1 };
const MAX_POINTERS = 256;

/** A range of the message that carries options. */
interface Area {
  readonly start: number;
  readonly end: number;
  readonly kind: number;
}

/** One instance of an option: where its data lies. */
interface Part {
  readonly start: number;
  readonly length: number;
}

/** Why an option is left out: the sentence and where in the data it was found. */
class Fault {
  constructor(readonly reason: (option: string, at: number) => string, readonly at: number) {}
}

/** Parses a DHCPv4/BOOTP message (a UDP payload). */
export function parseDhcpv4(bytes: Uint8Array): Dhcpv4Message {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = bytes.length;
  if (len < 236) throw new SyntaxError(`Cannot parse DHCPv4 message: message of ${len} bytes is too short`);
  const hlen = bytes[2]!;
  if (hlen > 16) throw new SyntaxError(`Cannot parse DHCPv4 message: hardware address length ${hlen} exceeds 16`);
  const cookie = len >= 240 && bytes[236] === 99 && bytes[237] === 130 && bytes[238] === 83 && bytes[239] === 99;
  const areas: Area[] = [];
  let optionsEnd = 236;
  let hasEnd = false;
  let overload = 0;
  if (cookie) {
    const framed = frameArea(bytes, 240, len, 0);
    optionsEnd = framed.end;
    hasEnd = framed.hasEnd;
    areas.push({ start: 240, end: optionsEnd, kind: 0 });
    // The overload is in force only when the options field's option 52 is
    // well formed: its instances concatenated are one byte, 1 to 3.
    if (framed.overloadLength === 1 && framed.overloadValue >= 1 && framed.overloadValue <= 3) {
      overload = framed.overloadValue;
    }
    if ((overload & 1) !== 0) areas.push({ start: 108, end: frameArea(bytes, 108, 236, 1).end, kind: 1 });
    if ((overload & 2) !== 0) areas.push({ start: 44, end: frameArea(bytes, 44, 108, 2).end, kind: 2 });
  }
  const options: Dhcpv4Option[] = [];
  const skipped: SkippedItem[] = [];
  readOptions(bytes, areas, options, skipped);
  const htype = bytes[1]!;
  const flags = view.getUint16(10);
  const chaddr = bytes.subarray(28, 28 + hlen);
  const type = options.find((o) => o.name === "message-type");
  return {
    op: bytes[0]!,
    htype,
    hlen,
    hops: bytes[3]!,
    xid: view.getUint32(4),
    secs: view.getUint16(8),
    flags,
    broadcast: (flags & 0x8000) !== 0,
    ciaddr: ipv4Text(bytes, 12),
    yiaddr: ipv4Text(bytes, 16),
    siaddr: ipv4Text(bytes, 20),
    giaddr: ipv4Text(bytes, 24),
    chaddr: htype === 1 && hlen === 6 ? hexText(chaddr, ":") : hexText(chaddr, ""),
    sname: (overload & 2) !== 0 ? "" : cString(bytes, 44, 108),
    file: (overload & 1) !== 0 ? "" : cString(bytes, 108, 236),
    magicCookie: cookie,
    ...(cookie ? {} : { vendor: bytes.slice(236) }),
    ...(type?.name === "message-type"
      ? { messageType: { type: type.messageType, name: MESSAGE_TYPES[type.messageType] ?? "unknown" } }
      : {}),
    options,
    end: hasEnd,
    padding: cookie ? len - optionsEnd : 0,
    skipped,
  };
}

/** Checks that every option of [start, end) fits; notes option 52 of the options field. */
function frameArea(bytes: Uint8Array, start: number, end: number, kind: number) {
  let overloadLength = 0;
  let overloadValue = 0;
  let at = start;
  while (at < end) {
    const code = bytes[at]!;
    if (code === 0) {
      at++;
      continue;
    }
    if (code === 255) return { end: at + 1, hasEnd: true, overloadLength, overloadValue };
    if (at + 1 >= end || bytes[at + 1]! > end - at - 2) {
      throw new SyntaxError(`Cannot parse DHCPv4 message: option at offset ${at} overruns the ${AREAS[kind]}`);
    }
    const length = bytes[at + 1]!;
    if (code === 52 && kind === 0) {
      overloadLength += length;
      if (length === 1) overloadValue = bytes[at + 2]!;
    }
    at += 2 + length;
  }
  return { end, hasEnd: false, overloadLength, overloadValue };
}

/** Reads the options of every area in order, concatenating the instances of each code. */
function readOptions(bytes: Uint8Array, areas: readonly Area[], options: Dhcpv4Option[], skipped: SkippedItem[]): void {
  const seen = new Set<number>();
  for (let a = 0; a < areas.length; a++) {
    const area = areas[a]!;
    for (let at = area.start; at < area.end;) {
      const code = bytes[at]!;
      if (code === 255) break;
      if (code === 0) {
        at++;
        continue;
      }
      const length = bytes[at + 1]!;
      const first = at;
      at += 2 + length;
      if (code === 52 && area.kind !== 0) {
        skipped.push({
          offset: first,
          length: 2 + length,
          type: code,
          reason: `option 52 at offset ${first} lies inside the ${
            first < 108 ? "sname" : "file"
          } field, which cannot overload`,
        });
        continue;
      }
      if (seen.has(code)) continue;
      seen.add(code);
      const parts = instances(bytes, areas, a, first, code);
      const data = parts.length === 1
        ? bytes.subarray(parts[0]!.start, parts[0]!.start + parts[0]!.length)
        : concat(bytes, parts);
      const option = `option ${code} at offset ${first}`;
      try {
        options.push(decodeOption(code, data, AREAS[area.kind]!));
      } catch (error) {
        if (!(error instanceof Fault)) throw error;
        skipped.push({
          offset: first,
          length: 2 + length,
          type: code,
          reason: error.reason(option, inputOffset(parts, error.at, first)),
        });
      }
    }
  }
}

/** Every instance of `code` from `at` in area `a` on, in reading order. */
function instances(bytes: Uint8Array, areas: readonly Area[], a: number, at: number, code: number): Part[] {
  const parts: Part[] = [];
  for (; a < areas.length; a++) {
    const area = areas[a]!;
    if (at < area.start) at = area.start;
    while (at < area.end) {
      const c = bytes[at]!;
      if (c === 255) break;
      if (c === 0) {
        at++;
        continue;
      }
      const length = bytes[at + 1]!;
      if (c === code && !(code === 52 && area.kind !== 0)) parts.push({ start: at + 2, length });
      at += 2 + length;
    }
    at = -1;
  }
  return parts;
}

function concat(bytes: Uint8Array, parts: readonly Part[]): Uint8Array {
  let total = 0;
  for (const part of parts) total += part.length;
  const data = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    data.set(bytes.subarray(part.start, part.start + part.length), at);
    at += part.length;
  }
  return data;
}

/** The input offset of byte `k` of the concatenated data, or `fallback` past its end. */
function inputOffset(parts: readonly Part[], k: number, fallback: number): number {
  for (const part of parts) {
    if (k < part.length) return part.start + k;
    k -= part.length;
  }
  return fallback;
}

const u16 = (data: Uint8Array, at: number) => (data[at]! << 8) | data[at + 1]!;
const u32 = (data: Uint8Array, at: number) => u16(data, at) * 0x10000 + u16(data, at + 2);

function decodeOption(type: number, data: Uint8Array, source: Dhcpv4Area): Dhcpv4Option {
  const fixed = FIXED[type];
  if (fixed !== undefined && data.length !== fixed) {
    throw new Fault((o) => `${o} has length ${data.length}, not ${fixed}`, 0);
  }
  const minimum = MINIMUM[type];
  if (minimum !== undefined && data.length < minimum) {
    throw new Fault((o) => `${o} has length ${data.length}, less than ${minimum}`, 0);
  }
  switch (type) {
    case 1:
      return { name: "subnet-mask", type: 1, mask: ipv4Text(data, 0), source };
    case 3:
    case 6: {
      if (data.length === 0 || data.length % 4 !== 0) {
        throw new Fault((o) => `${o} has length ${data.length}, not a positive multiple of 4`, 0);
      }
      const addresses: string[] = [];
      for (let at = 0; at < data.length; at += 4) addresses.push(ipv4Text(data, at));
      return type === 3
        ? { name: "router", type: 3, addresses, source }
        : { name: "domain-name-server", type: 6, addresses, source };
    }
    case 12: {
      let end = data.length;
      while (end > 0 && data[end - 1] === 0) end--;
      return { name: "host-name", type: 12, hostName: latin1(data, 0, end), source };
    }
    case 15:
      return { name: "domain-name", type: 15, domain: lowerAscii(latin1(data)).replace(/[.\0]+$/, ""), source };
    case 26: {
      const mtu = u16(data, 0);
      if (mtu < 68) throw new Fault((o) => `${o} has MTU ${mtu}, less than 68`, 0);
      return { name: "interface-mtu", type: 26, mtu, source };
    }
    case 28:
      return { name: "broadcast-address", type: 28, address: ipv4Text(data, 0), source };
    case 50:
      return { name: "requested-address", type: 50, address: ipv4Text(data, 0), source };
    case 51:
    case 58:
    case 59: {
      const value = u32(data, 0);
      const seconds = value === 0xffffffff ? Infinity : value;
      const name = type === 51 ? "lease-time" : type === 58 ? "renewal-time" : "rebinding-time";
      return { name, type, seconds, source };
    }
    case 52: {
      const overload = data[0]!;
      if (overload < 1 || overload > 3) {
        throw new Fault((o) => `${o} has overload value ${overload}, not 1, 2 or 3`, 0);
      }
      return { name: "overload", type: 52, overload: overload as 1 | 2 | 3, source };
    }
    case 53:
      return { name: "message-type", type: 53, messageType: data[0]!, source };
    case 54:
      return { name: "server-identifier", type: 54, address: ipv4Text(data, 0), source };
    case 55:
      return { name: "parameter-request-list", type: 55, codes: [...data], source };
    case 57: {
      const size = u16(data, 0);
      if (size < 576) throw new Fault((o) => `${o} has maximum message size ${size}, less than 576`, 0);
      return { name: "max-message-size", type: 57, size, source };
    }
    case 60:
      return { name: "vendor-class", type: 60, identifier: latin1(data), source };
    case 61:
      return { name: "client-identifier", type: 61, identifierType: data[0]!, identifier: data.slice(1), source };
    case 114:
      return { name: "captive-portal", type: 114, uri: latin1(data), source };
    case 119:
      return { name: "domain-search", type: 119, domains: domainSearch(data), source };
    case 121:
      return { name: "classless-static-routes", type: 121, routes: staticRoutes(data), source };
    case 162:
      return { name: "dnr", type: 162, instances: dnr(data), source };
    default:
      return { name: "raw", type, data: data.slice(), source };
  }
}

function isLabelByte(c: number | undefined): boolean {
  return c !== undefined && c >= 0x21 && c <= 0x7e && c !== 0x2e;
}

/**
 * The names of a domain search list (RFC 3397), whose compression pointers
 * are offsets into the data; every pointer must land before every place
 * the name was read from, so that no list can loop.
 */
function domainSearch(data: Uint8Array): string[] {
  const truncated = (o: string, at: number) => `${o} has a name cut short at offset ${at}`;
  const label = (o: string, at: number) => `${o} has a label that is not allowed at offset ${at}`;
  const names: string[] = [];
  let next = 0;
  let pointers = 0;
  while (next < data.length) {
    let at = next;
    let lowest = next;
    let jumped = false;
    let wire = 0;
    let text = "";
    for (;;) {
      const b = data[at];
      if (b === undefined) throw new Fault(truncated, at);
      if (b === 0) {
        if (!jumped) next = at + 1;
        break;
      }
      if ((b & 0xc0) === 0xc0) {
        const low = data[at + 1];
        if (low === undefined) throw new Fault(truncated, at);
        const target = ((b & 0x3f) << 8) | low;
        if (target >= lowest) {
          throw new Fault((o, f) => `${o} has a compression pointer at offset ${f} that does not point backwards`, at);
        }
        if (++pointers > MAX_POINTERS) {
          throw new Fault((o, f) => `${o} has more than 256 compression pointers (offset ${f})`, at);
        }
        if (!jumped) next = at + 2;
        jumped = true;
        lowest = target;
        at = target;
        continue;
      }
      if ((b & 0xc0) !== 0) throw new Fault(label, at);
      wire += b + 1;
      if (wire + 1 > 255) throw new Fault((o, f) => `${o} has a name longer than 255 bytes at offset ${f}`, at);
      for (let i = 1; i <= b; i++) {
        const c = data[at + i];
        if (c === undefined) throw new Fault(truncated, at);
        if (!isLabelByte(c)) throw new Fault(label, at + i);
      }
      if (text.length > 0) text += ".";
      text += latin1(data, at + 1, at + 1 + b);
      at += 1 + b;
    }
    names.push(lowerAscii(text));
  }
  return names;
}

/** Classless static routes (RFC 3442): width, significant octets, router. */
function staticRoutes(data: Uint8Array): Dhcpv4ClasslessRoute[] {
  const routes: Dhcpv4ClasslessRoute[] = [];
  for (let at = 0; at < data.length;) {
    const width = data[at]!;
    if (width > 32) throw new Fault((o, f) => `${o} has a route of width more than 32 at offset ${f}`, at);
    const significant = (width + 7) >> 3;
    if (data.length - at < 1 + significant + 4) {
      throw new Fault((o, f) => `${o} has a route cut short at offset ${f}`, at);
    }
    const prefix = new Uint8Array(4);
    prefix.set(data.subarray(at + 1, at + 1 + significant));
    for (let i = 0; i < 4; i++) {
      const bits = Math.max(0, Math.min(8, width - 8 * i));
      prefix[i] = prefix[i]! & (0xff00 >> bits) & 0xff;
    }
    routes.push({ prefix: ipv4Text(prefix, 0), length: width, router: ipv4Text(data, at + 1 + significant) });
    at += 1 + significant + 4;
  }
  return routes;
}

/** The DNR authentication domain name filling [at, end) exactly. */
function plainName(data: Uint8Array, at: number, end: number): string {
  const bad = (f: number) => new Fault((o, x) => `${o} has a malformed authentication domain name at offset ${x}`, f);
  let text = "";
  let pos = at;
  while (pos < end) {
    const length = data[pos]!;
    if (length === 0) {
      if (pos === at || pos + 1 !== end) throw bad(pos);
      return lowerAscii(text);
    }
    if ((length & 0xc0) !== 0 || pos + 1 + length > end) throw bad(pos);
    for (let i = 1; i <= length; i++) if (!isLabelByte(data[pos + i])) throw bad(pos + i);
    if (text.length > 0) text += ".";
    text += latin1(data, pos + 1, pos + 1 + length);
    pos += 1 + length;
  }
  throw bad(at);
}

/** Encrypted DNS instances (RFC 9463 section 5). */
function dnr(data: Uint8Array): Dhcpv4DnrInstance[] {
  const truncated = (f: number) => new Fault((o, x) => `${o} has a DNR instance cut short at offset ${x}`, f);
  const list: Dhcpv4DnrInstance[] = [];
  for (let at = 0; at < data.length;) {
    if (data.length - at < 2) throw truncated(at);
    const length = u16(data, at);
    const end = at + 2 + length;
    if (end > data.length || length < 3) throw truncated(at);
    const priority = u16(data, at + 2);
    const adnLength = data[at + 4]!;
    let pos = at + 5;
    if (adnLength > end - pos) throw truncated(at + 4);
    if (adnLength === 0) {
      throw new Fault((o, x) => `${o} has a malformed authentication domain name at offset ${x}`, at + 4);
    }
    const adn = plainName(data, pos, pos + adnLength);
    pos += adnLength;
    if (pos >= end) {
      list.push({ priority, adn });
    } else {
      const addrLength = data[pos]!;
      if (addrLength === 0 || addrLength % 4 !== 0 || addrLength > end - pos - 1) {
        throw new Fault((o, x) => `${o} has an Addr Length at offset ${x} that is 0 or not a multiple of 4`, pos);
      }
      const addresses: string[] = [];
      for (let i = pos + 1; i < pos + 1 + addrLength; i += 4) addresses.push(ipv4Text(data, i));
      pos += 1 + addrLength;
      const svcParams: Dhcpv4SvcParam[] = [];
      while (pos < end) {
        if (end - pos < 4 || u16(data, pos + 2) > end - pos - 4) {
          throw new Fault((o, x) => `${o} has malformed SvcParams at offset ${x}`, pos);
        }
        const valueLength = u16(data, pos + 2);
        svcParams.push({ key: u16(data, pos), value: data.slice(pos + 4, pos + 4 + valueLength) });
        pos += 4 + valueLength;
      }
      list.push({ priority, adn, addresses, svcParams });
    }
    at = end;
  }
  return list;
}

/** Text up to the first NUL byte of [from, to). */
function cString(bytes: Uint8Array, from: number, to: number): string {
  let end = from;
  while (end < to && bytes[end] !== 0) end++;
  return latin1(bytes, from, end);
}
