/**
 * The record-stream side of Router Advertisements, shared by the eager
 * parser (`router_advertisement.ts`) and the on-access view
 * (`router_advertisement_view.ts`): the mirror of the core's tags and
 * detail identifiers, the call into the core, and the decoding of records
 * into the typed objects.
 *
 * Runtime-neutral: no Deno or Node APIs.
 *
 * @module
 */

import type {
  NdOption,
  PvdOption,
  ReceiveMetadata,
  RouterAdvertisementHeader,
  RouterPreference,
} from "./router_advertisement.ts";
import { coreMemory, invokeCore } from "./_abi.ts";
import { dnsNameText as nameText, hexText, ipv6List, ipv6PrefixText, ipv6Text, latin1Text } from "./_text.ts";
import { readRecords, RecordStream, type SkippedItem, TAG_SKIPPED } from "./_records.ts";
import { coreWasm } from "./core_wasm.generated.ts";
import { parseIpAddress } from "./ip_address.ts";
import { isLinkLocal } from "./_prefix.ts";

// ---------------------------------------------------------------------------
// Mirror of core-as/assembly/router_advertisement.ts, and the wire constants

export const TAG_RA_HEADER = 0x0101;
export const TAG_OPTION = 0x0102;
export const TAG_DNS_NAME = 0x0103;
export const TAG_DNR_ADDRESSES = 0x0104;
export const TAG_DNR_SVC_PARAMS = 0x0105;

/** Detail identifiers of the core (0x100..0x1ff), by name. */
export const Detail = {
  ShortMessage: 0x100,
  NotRouterAdvertisement: 0x101,
  ZeroLength: 0x102,
  TruncatedOptionHeader: 0x103,
  OptionOverrun: 0x104,
  BadLength: 0x110,
  PrefixLength: 0x111,
  ReservedPreference: 0x112,
  NameLabel: 0x113,
  NameCharacter: 0x114,
  NameTooLong: 0x115,
  NameUnterminated: 0x116,
  DataAfterPadding: 0x117,
  RootName: 0x118,
  PrefixLengthCode: 0x119,
  EmptyUri: 0x11a,
  UriCharacter: 0x11b,
  NestedPvd: 0x11c,
  NestedFraming: 0x11d,
  FieldOverrun: 0x11e,
  AddressLength: 0x11f,
  AliasMode: 0x120,
  NoNames: 0x121,
  NameLengthMismatch: 0x122,
} as const;

/** Option types this module decodes. */
export const OptionType = {
  SourceLinkLayerAddress: 1,
  TargetLinkLayerAddress: 2,
  PrefixInformation: 3,
  Mtu: 5,
  Pvd: 21,
  RouteInformation: 24,
  Rdnss: 25,
  FlagsExpansion: 26,
  Dnssl: 31,
  CaptivePortal: 37,
  Pref64: 38,
  Dnr: 144,
} as const;

/** Names of the option types, for messages. */
export const OPTION_NAMES: Readonly<Record<number, string>> = {
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

/** What each type's Length must be, for the bad-length message. */
export const LENGTH_RULES: Readonly<Record<number, string>> = {
  3: "RFC 4861 section 4.6.2 requires 4",
  5: "RFC 4861 section 4.6.4 requires 1",
  24: "RFC 4191 section 2.3 requires 1 to 3, enough for the prefix length",
  25: "RFC 8106 section 5.1 requires an odd length of at least 3",
  31: "RFC 8106 section 5.2 requires at least 2",
  38: "RFC 8781 section 4 requires 2",
  144: "RFC 9463 section 6.1 requires at least 2",
};

export const RA_HEADER_SIZE = 16;
export const TYPE_ROUTER_ADVERTISEMENT = 134;
export const UNIT = 8;
export const MAX_OPTION_SIZE = 255 * UNIT;
export const INFINITE_LIFETIME = 0xffffffff;

/** RA header flags byte (RFC 4861 section 4.2, RFC 3775, RFC 4191, RFC 4389). */
export const FLAG_MANAGED = 0x80;
export const FLAG_OTHER = 0x40;
export const FLAG_HOME_AGENT = 0x20;
export const FLAG_PROXY = 0x04;
export const FLAGS_RESERVED = 0x03;
export const PREFERENCE_SHIFT = 3;

/** Prefix Information flags byte. */
export const PREFIX_ON_LINK = 0x80;
export const PREFIX_AUTONOMOUS = 0x40;
export const PREFIX_ROUTER_ADDRESS = 0x20;
export const PREFIX_RESERVED = 0x1f;

/** PvD ID flags field: H|L|R|Reserved(9)|Delay(4). */
export const PVD_HTTP = 0x8000;
export const PVD_LEGACY = 0x4000;
export const PVD_RA_HEADER = 0x2000;
export const PVD_RESERVED_SHIFT = 4;
export const PVD_RESERVED_MASK = 0x1ff;
export const PVD_DELAY_MASK = 0xf;

export const PREF64_PREFIX_LENGTHS: readonly number[] = [96, 64, 56, 48, 40, 32];
export const PREF64_MAX_SCALED_LIFETIME = 0x1fff;

export const PREFERENCE_BY_BITS: readonly RouterPreference[] = ["medium", "high", "medium", "low"];
export const PREFERENCE_BITS: Readonly<Record<RouterPreference, number>> = { medium: 0, high: 1, low: 3 };

// ---------------------------------------------------------------------------
// Calling the core

const invokeMessage = (len: number): number => coreWasm.parseRouterAdvertisement(len);
const invokeOptions = (len: number): number => coreWasm.parseNdOptions(len);

/**
 * Runs the core parser over `bytes` (an RA, or with `bare` a sequence of ND
 * options) and returns the byte length of its records, which lie at
 * `coreWasm.resultPtr()` until the next call into the core.
 */
export function invokeParser(bytes: Uint8Array, bare: boolean): number {
  return invokeCore(coreWasm, {
    action: bare ? "parse ND options" : "parse router advertisement",
    input: bytes,
    invoke: bare ? invokeOptions : invokeMessage,
    detail: (detail, offset) => detailMessage(detail, offset, bytes),
  });
}

/**
 * Parses `bytes` in the core and copies the records out, for decoding. The
 * stream reads `bytes` itself, not a copy: decoders copy what they keep.
 */
export function parseRecords(bytes: Uint8Array, bare: boolean): RecordStream {
  const size = invokeParser(bytes, bare);
  return new RecordStream(readRecords(coreMemory(coreWasm), coreWasm.resultPtr() >>> 0, size), bytes);
}

/** Big-endian u16 of the input (the core has checked it is there). */
export function u16(input: Uint8Array, at: number): number {
  return (input[at]! << 8) | input[at + 1]!;
}

/** Big-endian u32 of the input. */
export function u32(input: Uint8Array, at: number): number {
  return input[at]! * 0x1000000 + ((input[at + 1]! << 16) | (input[at + 2]! << 8) | input[at + 3]!);
}

/**
 * The failed receive checks of RFC 4861 section 6.1.2 for an RA of Code
 * `code` received with `metadata` (checked by {@linkcode checkMetadata}).
 */
export function receiveChecks(metadata: CheckedMetadata, code: number): string[] {
  const invalid: string[] = [];
  // RFC 4861 section 6.1.2: "A node MUST silently discard any received
  // Router Advertisement messages that do not satisfy all of the following
  // validity checks". ICMP length of 16 or more and options of non-zero
  // length are enforced by the parse itself, which throws otherwise.
  if (metadata.sourceAddress !== undefined && !isLinkLocal(metadata.sourceAddress.bytes)) {
    invalid.push(`source address ${metadata.sourceAddress.text} is not link-local`);
  }
  if (metadata.hopLimit !== undefined && metadata.hopLimit !== 255) {
    invalid.push(`hop limit ${metadata.hopLimit} is not 255`);
  }
  if (code !== 0) invalid.push(`code ${code} is not 0`);
  return invalid;
}

/** Receive metadata once checked. */
export interface CheckedMetadata {
  readonly hopLimit?: number;
  readonly sourceAddress?: { readonly bytes: Uint8Array; readonly text: string };
}

// ---------------------------------------------------------------------------
// Decoding

export function checkMetadata(
  metadata: ReceiveMetadata,
): { hopLimit?: number; sourceAddress?: { bytes: Uint8Array; text: string } } {
  if (typeof metadata !== "object" || metadata === null) {
    throw new TypeError("Cannot parse router advertisement: expected an options object");
  }
  const { hopLimit, sourceAddress } = metadata;
  if (hopLimit !== undefined && (!Number.isInteger(hopLimit) || hopLimit < 0 || hopLimit > 255)) {
    throw new TypeError(`Cannot parse router advertisement: hopLimit ${hopLimit} is not an integer 0 to 255`);
  }
  if (sourceAddress === undefined) return hopLimit === undefined ? {} : { hopLimit };
  if (typeof sourceAddress !== "string") {
    throw new TypeError("Cannot parse router advertisement: sourceAddress is not a string");
  }
  let address;
  try {
    address = parseIpAddress(sourceAddress);
  } catch (error) {
    throw new TypeError(`Cannot parse router advertisement: sourceAddress: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const source = { bytes: address.bytes, text: address.text };
  return hopLimit === undefined ? { sourceAddress: source } : { hopLimit, sourceAddress: source };
}

/** Says what a detail identifier means, for errors and skipped items. */
export function detailMessage(detail: number, offset: number, input: Uint8Array): string | undefined {
  switch (detail) {
    case Detail.ShortMessage:
      return `message of ${offset} bytes is shorter than the ${RA_HEADER_SIZE}-byte header`;
    case Detail.NotRouterAdvertisement:
      return `type ${input[0]} is not ${TYPE_ROUTER_ADVERTISEMENT}`;
    case Detail.ZeroLength:
      return `option at offset ${offset} has length 0`;
    case Detail.TruncatedOptionHeader:
      return `option at offset ${offset} is cut off after ${input.length - offset} byte`;
    case Detail.OptionOverrun:
      return `option at offset ${offset} of ${input[offset + 1]! * UNIT} bytes runs past the end at ${input.length}`;
    default:
      return undefined;
  }
}

/** The reason of a skipped option, as a sentence fragment. */
export function skipReason(detail: number, type: number, offset: number, input: Uint8Array): string {
  const subject = `${OPTION_NAMES[type] ?? `Type ${type}`} option at offset ${offset}`;
  switch (detail) {
    case Detail.BadLength:
      return `${subject} has length ${input[offset + 1]}; ${LENGTH_RULES[type] ?? "it is too short"}`;
    case Detail.PrefixLength:
      return `${subject} has prefix length ${input[offset + 2]}, over 128`;
    case Detail.ReservedPreference:
      return `${subject} has the reserved preference 10 (RFC 4191 section 2.3)`;
    case Detail.NameLabel:
      return `${subject} has a name label over 63 bytes or a compression pointer`;
    case Detail.NameCharacter:
      return `${subject} has a name byte that is not visible ASCII or is a dot`;
    case Detail.NameTooLong:
      return `${subject} has a name over 255 bytes`;
    case Detail.NameUnterminated:
      return `${subject} has a name that runs past its end`;
    case Detail.DataAfterPadding:
      return `${subject} has non-zero bytes after its padding`;
    case Detail.RootName:
      return `${subject} has the root as its name`;
    case Detail.PrefixLengthCode:
      return `${subject} has prefix length code ${input[offset + 3]! & 0x7}, which RFC 8781 section 4 does not define`;
    case Detail.EmptyUri:
      return `${subject} has an empty URI`;
    case Detail.UriCharacter:
      return `${subject} has a URI byte that is not visible ASCII`;
    case Detail.NestedPvd:
      return `${subject} is inside another PvD ID option (RFC 8801 section 3.2)`;
    case Detail.NestedFraming:
      return `${subject} carries an option of length 0 or running past its end`;
    case Detail.FieldOverrun:
      return `${subject} has a field that runs past its end`;
    case Detail.AddressLength:
      return `${subject} has an address length that is not a positive multiple of 16`;
    case Detail.AliasMode:
      return `${subject} has service priority 0 (alias mode, which DNR does not allow)`;
    case Detail.NoNames:
      return `${subject} has no domain names`;
    case Detail.NameLengthMismatch:
      return `${subject} has an ADN length that does not match its name`;
    default:
      return `${subject} is malformed (detail ${detail})`;
  }
}

/** The header fields of an RA header at `at` of the input. */
export function readHeader(input: Uint8Array, at: number): RouterAdvertisementHeader {
  const flags = input[at + 5]!;
  return {
    curHopLimit: input[at + 4]!,
    managed: (flags & FLAG_MANAGED) !== 0,
    other: (flags & FLAG_OTHER) !== 0,
    homeAgent: (flags & FLAG_HOME_AGENT) !== 0,
    preference: PREFERENCE_BY_BITS[(flags >> PREFERENCE_SHIFT) & 0x3]!,
    proxy: (flags & FLAG_PROXY) !== 0,
    reservedFlags: flags & FLAGS_RESERVED,
    routerLifetime: u16(input, at + 6),
    reachableTime: u32(input, at + 8),
    retransTimer: u32(input, at + 12),
  };
}

/** Decodes the option and skip records in [from, to). */
export function decodeOptions(stream: RecordStream, from: number, to: number, skipped: SkippedItem[]): NdOption[] {
  const options: NdOption[] = [];
  for (let i = from; i < to; i = stream.next(i)) {
    const tag = stream.tag(i);
    if (tag === TAG_SKIPPED) {
      const offset = stream.start(i);
      const type = stream.a(i);
      skipped.push({
        offset,
        length: stream.length(i),
        type,
        reason: skipReason(stream.code(i), type, offset, stream.input),
      });
    } else if (tag === TAG_OPTION) {
      options.push(decodeOption(stream, i, skipped));
    }
  }
  return options;
}

export function decodeOption(stream: RecordStream, i: number, skipped: SkippedItem[]): NdOption {
  const type = stream.code(i);
  const start = stream.start(i);
  const end = start + stream.length(i);
  const { input } = stream;
  switch (type) {
    case OptionType.SourceLinkLayerAddress:
    case OptionType.TargetLinkLayerAddress:
      return {
        type: type === OptionType.SourceLinkLayerAddress ? "source-link-layer-address" : "target-link-layer-address",
        address: hexText(input.subarray(start + 2, end), ":"),
      };
    case OptionType.PrefixInformation: {
      const flags = stream.b(i);
      return {
        type: "prefix-information",
        prefix: ipv6Text(input, start + 16),
        prefixLength: stream.a(i),
        onLink: (flags & PREFIX_ON_LINK) !== 0,
        autonomous: (flags & PREFIX_AUTONOMOUS) !== 0,
        routerAddress: (flags & PREFIX_ROUTER_ADDRESS) !== 0,
        reservedFlags: flags & PREFIX_RESERVED,
        validLifetime: lifetime(u32(input, start + 4)),
        preferredLifetime: lifetime(u32(input, start + 8)),
      };
    }
    case OptionType.Mtu:
      return { type: "mtu", mtu: stream.a(i) };
    case OptionType.RouteInformation: {
      const prefixLength = stream.a(i);
      return {
        type: "route-information",
        prefix: ipv6PrefixText(input, start + 8, end - start - 8, prefixLength),
        prefixLength,
        preference: PREFERENCE_BY_BITS[stream.b(i)]!,
        lifetime: lifetime(u32(input, start + 4)),
      };
    }
    case OptionType.Rdnss:
      return {
        type: "rdnss",
        lifetime: lifetime(u32(input, start + 4)),
        servers: ipv6List(input, start + 8, stream.a(i)),
      };
    case OptionType.Dnssl: {
      const domains: string[] = [];
      for (let j = i + 1; j < stream.next(i); j = stream.next(j)) {
        if (stream.tag(j) === TAG_DNS_NAME) domains.push(nameText(input, stream.start(j)));
      }
      return { type: "dnssl", lifetime: lifetime(u32(input, start + 4)), domains };
    }
    case OptionType.FlagsExpansion:
      return { type: "flags-expansion", flags: input.slice(start + 2, end) };
    case OptionType.CaptivePortal:
      return { type: "captive-portal", uri: latin1Text(input, start + 2, start + 2 + stream.a(i)) };
    case OptionType.Pref64: {
      // The 96 bits carried, the last 32 zero.
      const prefix = ipv6PrefixText(input, start + 4, 12, 128);
      return { type: "pref64", prefix, prefixLength: stream.a(i), lifetime: stream.b(i) };
    }
    case OptionType.Pvd:
      return decodePvd(stream, i, skipped);
    case OptionType.Dnr: {
      let adn = "";
      let servers: string[] = [];
      let svcParams = new Uint8Array(0);
      for (let j = i + 1; j < stream.next(i); j = stream.next(j)) {
        const tag = stream.tag(j);
        if (tag === TAG_DNS_NAME) adn = nameText(input, stream.start(j));
        else if (tag === TAG_DNR_ADDRESSES) servers = ipv6List(input, stream.start(j), stream.a(j));
        else if (tag === TAG_DNR_SVC_PARAMS) {
          svcParams = input.slice(stream.start(j), stream.start(j) + stream.length(j));
        }
      }
      return {
        type: "dnr",
        priority: stream.a(i),
        lifetime: lifetime(u32(input, start + 4)),
        adn,
        addresses: servers,
        svcParams,
      };
    }
    default:
      return { type, data: input.slice(start + 2, end) };
  }
}

export function decodePvd(stream: RecordStream, i: number, skipped: SkippedItem[]): PvdOption {
  const flags = stream.a(i);
  const end = stream.next(i);
  let j = i + 1;
  let pvdId = "";
  let header: RouterAdvertisementHeader | undefined;
  // The core writes the PvD ID name first, then the header if R is set.
  if (j < end && stream.tag(j) === TAG_DNS_NAME) pvdId = nameText(stream.input, stream.start(j++));
  if (j < end && stream.tag(j) === TAG_RA_HEADER) header = readHeader(stream.input, stream.start(j++));
  const common = {
    type: "pvd" as const,
    pvdId,
    http: (flags & PVD_HTTP) !== 0,
    legacy: (flags & PVD_LEGACY) !== 0,
    reservedFlags: (flags >> PVD_RESERVED_SHIFT) & PVD_RESERVED_MASK,
    delay: flags & PVD_DELAY_MASK,
    sequenceNumber: stream.b(i),
  };
  const options = decodeOptions(stream, j, end, skipped);
  return header === undefined ? { ...common, options } : { ...common, header, options };
}

export function lifetime(seconds: number): number {
  return seconds === INFINITE_LIFETIME ? Infinity : seconds;
}
