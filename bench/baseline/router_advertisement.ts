/**
 * Baseline: a Router Advertisement parser in plain TypeScript over a
 * DataView, the way a user without the WebAssembly core would write it. It
 * produces the same objects as `parseRouterAdvertisement` of
 * `core-as/router_advertisement.ts` (without receive metadata) and applies
 * the same rules: reject what cannot be walked, skip a known option with a
 * malformed body, keep unknown options raw.
 *
 * @module
 */

import type {
  NdOption,
  PvdOption,
  RouterAdvertisement,
  RouterAdvertisementHeader,
  RouterPreference,
  SkippedItem,
} from "../../core-as/router_advertisement.ts";
import { hexText, ipv6List, ipv6Text, latin1, lifetime, lowerAscii, maskPrefix } from "./_text.ts";

const HEADER_SIZE = 16;
const UNIT = 8;
const PREFERENCES: readonly RouterPreference[] = ["medium", "high", "medium", "low"];
const PREF64_LENGTHS = [96, 64, 56, 48, 40, 32];

const NAMES: Readonly<Record<number, string>> = {
  1: "Source Link-Layer Address",
  2: "Target Link-Layer Address",
  3: "Prefix Information",
  5: "MTU",
  21: "PvD ID",
  24: "Route Information",
  25: "RDNSS",
  26: "Flags Expansion",
  31: "DNSSL",
  37: "Captive Portal",
  38: "PREF64",
  144: "DNR",
};

const LENGTH_RULES: Readonly<Record<number, string>> = {
  3: "RFC 4861 section 4.6.2 requires 4",
  5: "RFC 4861 section 4.6.4 requires 1",
  24: "RFC 4191 section 2.3 requires 1 to 3, enough for the prefix length",
  25: "RFC 8106 section 5.1 requires an odd length of at least 3",
  31: "RFC 8106 section 5.2 requires at least 2",
  38: "RFC 8781 section 4 requires 2",
  144: "RFC 9463 section 6.1 requires at least 2",
};

/** Thrown inside an option's decoder: the option is skipped for this reason. */
class Skip {
  constructor(readonly reason: string) {}
}

/** Parses an RA (ICMPv6 message from its Type byte). */
export function parseRouterAdvertisement(bytes: Uint8Array): RouterAdvertisement {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < HEADER_SIZE) {
    throw new SyntaxError(`Cannot parse router advertisement: message of ${bytes.length} bytes is too short`);
  }
  if (bytes[0] !== 134) throw new SyntaxError(`Cannot parse router advertisement: type ${bytes[0]} is not 134`);
  checkFraming(bytes, HEADER_SIZE, bytes.length, "router advertisement");
  const code = bytes[1]!;
  const skipped: SkippedItem[] = [];
  const header = readHeader(view, 0);
  const options = parseOptions(bytes, view, HEADER_SIZE, bytes.length, false, skipped);
  return {
    code,
    checksum: view.getUint16(2),
    ...header,
    options,
    skipped,
    invalid: code !== 0 ? [`code ${code} is not 0`] : [],
  };
}

function checkFraming(bytes: Uint8Array, start: number, end: number, what: string): void {
  let at = start;
  while (at < end) {
    if (end - at < 2) throw new SyntaxError(`Cannot parse ${what}: option at offset ${at} is cut off`);
    const size = bytes[at + 1]! * UNIT;
    if (size === 0) throw new SyntaxError(`Cannot parse ${what}: option at offset ${at} has length 0`);
    if (size > end - at) throw new SyntaxError(`Cannot parse ${what}: option at offset ${at} runs past the end`);
    at += size;
  }
}

function readHeader(view: DataView, at: number): RouterAdvertisementHeader {
  const flags = view.getUint8(at + 5);
  return {
    curHopLimit: view.getUint8(at + 4),
    managed: (flags & 0x80) !== 0,
    other: (flags & 0x40) !== 0,
    homeAgent: (flags & 0x20) !== 0,
    preference: PREFERENCES[(flags >> 3) & 3]!,
    proxy: (flags & 0x04) !== 0,
    reservedFlags: flags & 0x03,
    routerLifetime: view.getUint16(at + 6),
    reachableTime: view.getUint32(at + 8),
    retransTimer: view.getUint32(at + 12),
  };
}

function parseOptions(
  bytes: Uint8Array,
  view: DataView,
  start: number,
  end: number,
  nested: boolean,
  skipped: SkippedItem[],
): NdOption[] {
  const options: NdOption[] = [];
  for (let at = start; at < end;) {
    const type = bytes[at]!;
    const size = bytes[at + 1]! * UNIT;
    try {
      options.push(parseOption(bytes, view, type, at, size, nested, skipped));
    } catch (error) {
      if (!(error instanceof Skip)) throw error;
      skipped.push({
        offset: at,
        length: size,
        type,
        reason: `${NAMES[type] ?? `Type ${type}`} option at offset ${at} ${error.reason}`,
      });
    }
    at += size;
  }
  return options;
}

function badLength(bytes: Uint8Array, type: number, at: number): Skip {
  return new Skip(`has length ${bytes[at + 1]}; ${LENGTH_RULES[type] ?? "it is too short"}`);
}

function parseOption(
  bytes: Uint8Array,
  view: DataView,
  type: number,
  at: number,
  size: number,
  nested: boolean,
  skipped: SkippedItem[],
): NdOption {
  const end = at + size;
  switch (type) {
    case 1:
    case 2:
      return {
        type: type === 1 ? "source-link-layer-address" : "target-link-layer-address",
        address: hexText(bytes.subarray(at + 2, end), ":"),
      };
    case 3: {
      if (size !== 32) throw badLength(bytes, type, at);
      const prefixLength = bytes[at + 2]!;
      if (prefixLength > 128) throw new Skip(`has prefix length ${prefixLength}, over 128`);
      const flags = bytes[at + 3]!;
      return {
        type: "prefix-information",
        prefix: ipv6Text(bytes, at + 16),
        prefixLength,
        onLink: (flags & 0x80) !== 0,
        autonomous: (flags & 0x40) !== 0,
        routerAddress: (flags & 0x20) !== 0,
        reservedFlags: flags & 0x1f,
        validLifetime: lifetime(view.getUint32(at + 4)),
        preferredLifetime: lifetime(view.getUint32(at + 8)),
      };
    }
    case 5:
      if (size !== 8) throw badLength(bytes, type, at);
      return { type: "mtu", mtu: view.getUint32(at + 4) };
    case 24: {
      const units = size / UNIT;
      const prefixLength = bytes[at + 2]!;
      if (units > 3) throw badLength(bytes, type, at);
      if (prefixLength > 128) throw new Skip(`has prefix length ${prefixLength}, over 128`);
      if ((prefixLength > 64 && units < 3) || (prefixLength > 0 && units < 2)) throw badLength(bytes, type, at);
      const bits = (bytes[at + 3]! >> 3) & 3;
      if (bits === 2) throw new Skip("has the reserved preference 10 (RFC 4191 section 2.3)");
      const prefix = new Uint8Array(16);
      prefix.set(bytes.subarray(at + 8, end));
      return {
        type: "route-information",
        prefix: ipv6Text(maskPrefix(prefix, prefixLength), 0),
        prefixLength,
        preference: PREFERENCES[bits]!,
        lifetime: lifetime(view.getUint32(at + 4)),
      };
    }
    case 25: {
      const units = size / UNIT;
      if (units < 3 || units % 2 === 0) throw badLength(bytes, type, at);
      return {
        type: "rdnss",
        lifetime: lifetime(view.getUint32(at + 4)),
        servers: ipv6List(bytes, at + 8, (size - 8) / 16),
      };
    }
    case 26:
      return { type: "flags-expansion", flags: bytes.slice(at + 2, end) };
    case 31: {
      if (size < 16) throw badLength(bytes, type, at);
      const domains: string[] = [];
      let name = at + 8;
      while (name < end) {
        if (bytes[name] === 0) {
          if (!allZero(bytes, name, end)) throw new Skip("has non-zero bytes after its padding");
          break;
        }
        const scanned = scanName(bytes, name, end);
        domains.push(scanned.text);
        name = scanned.end;
      }
      if (domains.length === 0) throw new Skip("has no domain names");
      return { type: "dnssl", lifetime: lifetime(view.getUint32(at + 4)), domains };
    }
    case 37: {
      let uriEnd = at + 2;
      while (uriEnd < end && bytes[uriEnd] !== 0) {
        const c = bytes[uriEnd]!;
        if (c < 0x21 || c > 0x7e) throw new Skip("has a URI byte that is not visible ASCII");
        uriEnd++;
      }
      if (uriEnd === at + 2) throw new Skip("has an empty URI");
      if (!allZero(bytes, uriEnd, end)) throw new Skip("has a URI byte that is not visible ASCII");
      return { type: "captive-portal", uri: latin1(bytes, at + 2, uriEnd) };
    }
    case 38: {
      if (size !== 16) throw badLength(bytes, type, at);
      const field = view.getUint16(at + 2);
      const prefixLength = PREF64_LENGTHS[field & 7];
      if (prefixLength === undefined) {
        throw new Skip(`has prefix length code ${field & 7}, which RFC 8781 section 4 does not define`);
      }
      const prefix = new Uint8Array(16);
      prefix.set(bytes.subarray(at + 4, at + 16));
      return { type: "pref64", prefix: ipv6Text(prefix, 0), prefixLength, lifetime: (field >> 3) * 8 };
    }
    case 21:
      return parsePvd(bytes, view, at, size, nested, skipped);
    case 144:
      return parseDnr(bytes, view, at, size);
    default:
      return { type, data: bytes.slice(at + 2, end) };
  }
}

function parsePvd(
  bytes: Uint8Array,
  view: DataView,
  at: number,
  size: number,
  nested: boolean,
  skipped: SkippedItem[],
): PvdOption {
  // RFC 8801 section 3.2: "the PvD option MUST NOT contain further PvD options."
  if (nested) throw new Skip("is inside another PvD ID option (RFC 8801 section 3.2)");
  const end = at + size;
  const name = scanName(bytes, at + 6, end);
  if (name.labels === 0) throw new Skip("has the root as its name");
  let next = at + Math.ceil((name.end - at) / UNIT) * UNIT;
  if (next > end) throw new Skip("has a field that runs past its end");
  const flags = view.getUint16(at + 2);
  let header: RouterAdvertisementHeader | undefined;
  if ((flags & 0x2000) !== 0) {
    if (end - next < HEADER_SIZE) throw new Skip("has a field that runs past its end");
    header = readHeader(view, next);
    next += HEADER_SIZE;
  }
  try {
    checkFraming(bytes, next, end, "PvD ID option");
  } catch {
    throw new Skip("carries an option of length 0 or running past its end");
  }
  const common = {
    type: "pvd" as const,
    pvdId: name.text,
    http: (flags & 0x8000) !== 0,
    legacy: (flags & 0x4000) !== 0,
    reservedFlags: (flags >> 4) & 0x1ff,
    delay: flags & 0xf,
    sequenceNumber: view.getUint16(at + 4),
  };
  const options = parseOptions(bytes, view, next, end, true, skipped);
  return header === undefined ? { ...common, options } : { ...common, header, options };
}

function parseDnr(bytes: Uint8Array, view: DataView, at: number, size: number): NdOption {
  if (size < 16) throw badLength(bytes, 144, at);
  const priority = view.getUint16(at + 2);
  if (priority === 0) throw new Skip("has service priority 0 (alias mode, which DNR does not allow)");
  const end = at + size;
  const adnLength = view.getUint16(at + 8);
  let next = at + 10;
  if (adnLength > end - next) throw new Skip("has a field that runs past its end");
  const adn = scanName(bytes, next, next + adnLength);
  if (adn.labels === 0) throw new Skip("has the root as its name");
  if (adn.end !== next + adnLength) throw new Skip("has an ADN length that does not match its name");
  next += adnLength;
  const base = { type: "dnr" as const, priority, lifetime: lifetime(view.getUint32(at + 4)), adn: adn.text };
  // ADN-only mode: only padding follows the name.
  if (end - next < UNIT && allZero(bytes, next, end)) {
    return { ...base, addresses: [], svcParams: new Uint8Array(0) };
  }
  const overrun = "has a field that runs past its end";
  if (end - next < 2) throw new Skip(overrun);
  const addressLength = view.getUint16(next);
  next += 2;
  if (addressLength === 0 || addressLength % 16 !== 0) {
    throw new Skip("has an address length that is not a positive multiple of 16");
  }
  if (addressLength > end - next) throw new Skip(overrun);
  const addresses = ipv6List(bytes, next, addressLength / 16);
  next += addressLength;
  if (end - next < 2) throw new Skip(overrun);
  const paramsLength = view.getUint16(next);
  next += 2;
  if (paramsLength > end - next) throw new Skip(overrun);
  const svcParams = bytes.slice(next, next + paramsLength);
  next += paramsLength;
  if (end - next >= UNIT || !allZero(bytes, next, end)) throw new Skip("has non-zero bytes after its padding");
  return { ...base, addresses, svcParams };
}

/**
 * An uncompressed DNS name from `start` that ends by `end`: its lowercase
 * dotted text, where it ends (past the zero byte) and its label count.
 */
function scanName(bytes: Uint8Array, start: number, end: number): { text: string; end: number; labels: number } {
  const labels: string[] = [];
  let at = start;
  for (;;) {
    if (at >= end) throw new Skip("has a name that runs past its end");
    const length = bytes[at]!;
    if (length === 0) break;
    if (length > 63) throw new Skip("has a name label over 63 bytes or a compression pointer");
    if (length >= end - at) throw new Skip("has a name that runs past its end");
    for (let i = at + 1; i <= at + length; i++) {
      const c = bytes[i]!;
      if (c < 0x21 || c > 0x7e || c === 0x2e) throw new Skip("has a name byte that is not visible ASCII or is a dot");
    }
    labels.push(lowerAscii(latin1(bytes, at + 1, at + 1 + length)));
    at += 1 + length;
    if (at - start + 1 > 255) throw new Skip("has a name over 255 bytes");
  }
  return { text: labels.join("."), end: at + 1, labels: labels.length };
}

function allZero(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}
