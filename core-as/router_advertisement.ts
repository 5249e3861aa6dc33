/**
 * Router Advertisements (RFC 4861 section 4.2) and Neighbor Discovery
 * options, parsed in the WebAssembly core and decoded eagerly into typed
 * objects, and builders that encode the same objects back into bytes. The
 * API's `configurationFromRouterAdvertisement` (exported by `@pvd/mif`)
 * turns an RA into configuration data.
 *
 * Options understood: Source/Target Link-Layer Address (1, 2), Prefix
 * Information (3), MTU (5), PvD ID (21, RFC 8801, with its nested RA header
 * and options), Route Information (24, RFC 4191), RDNSS (25) and DNSSL (31,
 * RFC 8106), Flags Expansion (26, RFC 5175), Captive Portal (37, RFC 8910),
 * PREF64 (38, RFC 8781) and DNR (144, RFC 9463). Any other option is kept
 * raw with its type.
 *
 * Three outcomes for malformed input:
 * - bytes that cannot be walked (shorter than the header, not type 134, an
 *   option of length 0 or running past the end) throw a `SyntaxError`;
 * - a known option with a malformed body is left out of `options` and listed
 *   in `skipped`, the rest of the message is kept (as systemd does);
 * - a message failing a receive check of RFC 4861 section 6.1.2 (hop limit,
 *   link-local source, code) is parsed and the failures are listed in
 *   `invalid`: the caller discards it and counts.
 *
 * To read a few fields of many advertisements (what a host adapter does),
 * `viewRouterAdvertisement` of `router_advertisement_view.ts` validates the
 * same way and decodes only the fields that are read.
 *
 * Runtime-neutral: no Deno or Node APIs.
 *
 * @example Parse, inspect, build back
 * ```ts
 * import { buildRouterAdvertisement, parseRouterAdvertisement } from "./router_advertisement.ts";
 *
 * const bytes = buildRouterAdvertisement({
 *   curHopLimit: 64, managed: false, other: true, homeAgent: false, preference: "high",
 *   proxy: false, reservedFlags: 0, routerLifetime: 1800, reachableTime: 0, retransTimer: 0,
 *   options: [{ type: "rdnss", lifetime: 600, servers: ["2001:db8::53"] }],
 * });
 * const ra = parseRouterAdvertisement(bytes, { hopLimit: 255, sourceAddress: "fe80::1" });
 * if (ra.options[0]?.type !== "rdnss" || ra.options[0].servers[0] !== "2001:db8::53") throw new Error();
 * if (ra.invalid.length !== 0 || ra.preference !== "high") throw new Error();
 * ```
 *
 * @module
 */

import type { SkippedItem } from "./_records.ts";
import {
  checkMetadata,
  decodeOptions,
  FLAG_HOME_AGENT,
  FLAG_MANAGED,
  FLAG_OTHER,
  FLAG_PROXY,
  INFINITE_LIFETIME,
  MAX_OPTION_SIZE,
  OptionType,
  parseRecords,
  PREF64_MAX_SCALED_LIFETIME,
  PREF64_PREFIX_LENGTHS,
  PREFERENCE_BITS,
  PREFERENCE_SHIFT,
  PREFIX_AUTONOMOUS,
  PREFIX_ON_LINK,
  PREFIX_ROUTER_ADDRESS,
  PVD_HTTP,
  PVD_LEGACY,
  PVD_RA_HEADER,
  PVD_RESERVED_SHIFT,
  RA_HEADER_SIZE,
  readHeader,
  receiveChecks,
  TYPE_ROUTER_ADVERTISEMENT,
  u16 as u16At,
  UNIT,
} from "./_router_advertisement_records.ts";
import { parseIpAddress } from "./ip_address.ts";
import { maskPrefix } from "./_prefix.ts";

export type { SkippedItem } from "./_records.ts";

// ---------------------------------------------------------------------------
// Types

/**
 * Default router preference or route preference (RFC 4191 section 2.1).
 *
 * @example
 * ```ts
 * import type { RouterPreference } from "./router_advertisement.ts";
 *
 * const preference: RouterPreference = "high";
 * if (preference !== "high") throw new Error();
 * ```
 */
export type RouterPreference = "high" | "medium" | "low";

/**
 * The fields of an RA header after Type, Code and Checksum (RFC 4861 section
 * 4.2): those of the message itself, or of the header a PvD option carries
 * when its R flag is set (RFC 8801 section 3.1).
 *
 * @example
 * ```ts
 * import type { RouterAdvertisementHeader } from "./router_advertisement.ts";
 *
 * const header: RouterAdvertisementHeader = {
 *   curHopLimit: 64, managed: false, other: false, homeAgent: false, preference: "medium",
 *   proxy: false, reservedFlags: 0, routerLifetime: 1800, reachableTime: 0, retransTimer: 0,
 * };
 * if (header.routerLifetime !== 1800) throw new Error();
 * ```
 */
export interface RouterAdvertisementHeader {
  /** Cur Hop Limit; 0 means unspecified. */
  readonly curHopLimit: number;
  /** M: addresses are available via DHCPv6. */
  readonly managed: boolean;
  /** O: other configuration is available via DHCPv6. */
  readonly other: boolean;
  /** H: the router is a Mobile IPv6 home agent (RFC 3775 section 7.1). */
  readonly homeAgent: boolean;
  /**
   * Prf, the default router preference (RFC 4191 section 2.2); the reserved
   * value 10 reads as `medium`, as that section requires.
   */
  readonly preference: RouterPreference;
  /** P: the RA is proxied (RFC 4389 section 4.1.3.3). */
  readonly proxy: boolean;
  /** The two lowest flag bits, reserved, kept as received. */
  readonly reservedFlags: number;
  /** Router Lifetime in seconds; 0: not a default router. */
  readonly routerLifetime: number;
  /** Reachable Time in milliseconds; 0 means unspecified. */
  readonly reachableTime: number;
  /** Retrans Timer in milliseconds; 0 means unspecified. */
  readonly retransTimer: number;
}

/**
 * A parsed Router Advertisement (RFC 4861 section 4.2).
 *
 * @example
 * ```ts
 * import { parseRouterAdvertisement, type RouterAdvertisement } from "./router_advertisement.ts";
 *
 * // Type 134, Code 0, Checksum 0, hop limit 64, no flags, lifetime 1800 s.
 * const ra: RouterAdvertisement = parseRouterAdvertisement(
 *   new Uint8Array([134, 0, 0, 0, 64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0]),
 * );
 * if (ra.routerLifetime !== 1800 || ra.options.length !== 0) throw new Error();
 * ```
 */
export interface RouterAdvertisement extends RouterAdvertisementHeader {
  /** ICMP Code (0 in a valid RA; see `invalid`). */
  readonly code: number;
  /** ICMP Checksum as received, not verified (the host or the adapter checks it). */
  readonly checksum: number;
  /** The options, in message order. */
  readonly options: readonly NdOption[];
  /** Known options left out because their body is malformed. */
  readonly skipped: readonly SkippedItem[];
  /** Failed receive checks of RFC 4861 section 6.1.2: discard the RA when not empty. */
  readonly invalid: readonly string[];
}

/**
 * What {@linkcode buildRouterAdvertisement} takes: a parsed RA does.
 *
 * @example
 * ```ts
 * import { buildRouterAdvertisement, type RouterAdvertisementInit } from "./router_advertisement.ts";
 *
 * const init: RouterAdvertisementInit = {
 *   curHopLimit: 0, managed: true, other: true, homeAgent: false, preference: "low",
 *   proxy: false, reservedFlags: 0, routerLifetime: 0, reachableTime: 0, retransTimer: 0, options: [],
 * };
 * if (buildRouterAdvertisement(init)[5] !== 0xd8) throw new Error();
 * ```
 */
export interface RouterAdvertisementInit extends RouterAdvertisementHeader {
  /** ICMP Code, 0 by default. */
  readonly code?: number;
  /** ICMP Checksum, 0 by default (the sending kernel fills it in). */
  readonly checksum?: number;
  /** The options, in order. */
  readonly options: readonly NdOption[];
}

/**
 * Source (1) or Target (2) Link-Layer Address, RFC 4861 section 4.6.1.
 *
 * @example
 * ```ts
 * import type { LinkLayerAddressOption } from "./router_advertisement.ts";
 *
 * const option: LinkLayerAddressOption = { type: "source-link-layer-address", address: "52:54:00:12:34:56" };
 * if (option.address.length !== 17) throw new Error();
 * ```
 */
export interface LinkLayerAddressOption {
  /** Discriminator. */
  readonly type: "source-link-layer-address" | "target-link-layer-address";
  /**
   * The option body as lowercase colon-separated hex: 6 bytes for Ethernet,
   * more (with the link type's padding) for other links.
   */
  readonly address: string;
}

/**
 * Prefix Information (3), RFC 4861 section 4.6.2.
 *
 * @example
 * ```ts
 * import type { PrefixInformationOption } from "./router_advertisement.ts";
 *
 * const option: PrefixInformationOption = {
 *   type: "prefix-information", prefix: "2001:db8::", prefixLength: 64, onLink: true, autonomous: true,
 *   routerAddress: false, reservedFlags: 0, validLifetime: 86400, preferredLifetime: 14400,
 * };
 * if (!option.autonomous) throw new Error();
 * ```
 */
export interface PrefixInformationOption {
  /** Discriminator. */
  readonly type: "prefix-information";
  /**
   * The Prefix field as received: bits past the prefix length are not
   * cleared, since with R set they hold the router's address.
   */
  readonly prefix: string;
  /** Prefix Length, 0 to 128. */
  readonly prefixLength: number;
  /** L: the prefix is on-link. */
  readonly onLink: boolean;
  /** A: usable for stateless address autoconfiguration. */
  readonly autonomous: boolean;
  /** R: the Prefix field is a complete router address (RFC 6275 section 7.2). */
  readonly routerAddress: boolean;
  /** The five low bits of the flags byte, kept as received. */
  readonly reservedFlags: number;
  /** Valid Lifetime in seconds; `Infinity` for 0xffffffff. */
  readonly validLifetime: number;
  /** Preferred Lifetime in seconds; `Infinity` for 0xffffffff. */
  readonly preferredLifetime: number;
}

/**
 * MTU (5), RFC 4861 section 4.6.4.
 *
 * @example
 * ```ts
 * import type { MtuOption } from "./router_advertisement.ts";
 *
 * const option: MtuOption = { type: "mtu", mtu: 1500 };
 * if (option.mtu !== 1500) throw new Error();
 * ```
 */
export interface MtuOption {
  /** Discriminator. */
  readonly type: "mtu";
  /** The link MTU in bytes. */
  readonly mtu: number;
}

/**
 * Route Information (24), RFC 4191 section 2.3.
 *
 * @example
 * ```ts
 * import type { RouteInformationOption } from "./router_advertisement.ts";
 *
 * const option: RouteInformationOption = {
 *   type: "route-information", prefix: "2001:db8:c::", prefixLength: 48, preference: "high", lifetime: 600,
 * };
 * if (option.prefixLength !== 48) throw new Error();
 * ```
 */
export interface RouteInformationOption {
  /** Discriminator. */
  readonly type: "route-information";
  /** The prefix, with the bits past its length cleared ("ignored by the receiver"). */
  readonly prefix: string;
  /** Prefix Length, 0 to 128. */
  readonly prefixLength: number;
  /** Prf (an option with the reserved value 10 is skipped). */
  readonly preference: RouterPreference;
  /** Route Lifetime in seconds; `Infinity` for 0xffffffff. */
  readonly lifetime: number;
}

/**
 * Recursive DNS Server (25), RFC 8106 section 5.1.
 *
 * @example
 * ```ts
 * import type { RdnssOption } from "./router_advertisement.ts";
 *
 * const option: RdnssOption = { type: "rdnss", lifetime: Infinity, servers: ["2001:db8::53"] };
 * if (option.servers.length !== 1) throw new Error();
 * ```
 */
export interface RdnssOption {
  /** Discriminator. */
  readonly type: "rdnss";
  /** Lifetime in seconds; `Infinity` for 0xffffffff; 0: stop using them. */
  readonly lifetime: number;
  /** The servers' addresses, canonical text, at least one. */
  readonly servers: readonly string[];
}

/**
 * DNS Search List (31), RFC 8106 section 5.2.
 *
 * @example
 * ```ts
 * import type { DnsslOption } from "./router_advertisement.ts";
 *
 * const option: DnsslOption = { type: "dnssl", lifetime: 600, domains: ["example.com"] };
 * if (option.domains[0] !== "example.com") throw new Error();
 * ```
 */
export interface DnsslOption {
  /** Discriminator. */
  readonly type: "dnssl";
  /** Lifetime in seconds; `Infinity` for 0xffffffff; 0: stop using them. */
  readonly lifetime: number;
  /** The domains, lowercase, without trailing dot, at least one. */
  readonly domains: readonly string[];
}

/**
 * RA Flags Expansion (26), RFC 5175 section 4.
 *
 * @example
 * ```ts
 * import type { FlagsExpansionOption } from "./router_advertisement.ts";
 *
 * const option: FlagsExpansionOption = { type: "flags-expansion", flags: new Uint8Array(6) };
 * if (option.flags.length !== 6) throw new Error();
 * ```
 */
export interface FlagsExpansionOption {
  /** Discriminator. */
  readonly type: "flags-expansion";
  /** The flag bits, most significant first: 6 bytes per 8-octet unit. */
  readonly flags: Uint8Array;
}

/**
 * PvD ID (21), RFC 8801 section 3.1: the explicit provisioning domain this
 * RA belongs to, with the options only PvD-aware hosts should see.
 *
 * @example
 * ```ts
 * import type { PvdOption } from "./router_advertisement.ts";
 *
 * const option: PvdOption = {
 *   type: "pvd", pvdId: "pvd.example.com", http: true, legacy: false, reservedFlags: 0, delay: 5,
 *   sequenceNumber: 123, options: [{ type: "rdnss", lifetime: 600, servers: ["2001:db8::53"] }],
 * };
 * if (option.header !== undefined) throw new Error("no R flag here");
 * ```
 */
export interface PvdOption {
  /** Discriminator. */
  readonly type: "pvd";
  /** The PvD ID FQDN, lowercase, without trailing dot. */
  readonly pvdId: string;
  /** H: PvD Additional Information is available over HTTPS. */
  readonly http: boolean;
  /** L: the router also provides IPv4 with DHCPv4. */
  readonly legacy: boolean;
  /** The 9 reserved flag bits, kept as received ("ignored by the receiver"). */
  readonly reservedFlags: number;
  /** Delay, 0 to 15: randomised backoff before fetching the additional information. */
  readonly delay: number;
  /** Sequence Number of the additional information. */
  readonly sequenceNumber: number;
  /** The RA header it carries: present exactly when the R flag is set. */
  readonly header?: RouterAdvertisementHeader;
  /** The options it carries (never another PvD option: those are skipped). */
  readonly options: readonly NdOption[];
}

/**
 * PREF64 (38), RFC 8781 section 4: the NAT64 prefix.
 *
 * @example
 * ```ts
 * import type { Pref64Option } from "./router_advertisement.ts";
 *
 * const option: Pref64Option = { type: "pref64", prefix: "64:ff9b::", prefixLength: 96, lifetime: 600 };
 * if (option.lifetime % 8 !== 0) throw new Error();
 * ```
 */
export interface Pref64Option {
  /** Discriminator. */
  readonly type: "pref64";
  /** The 96 prefix bits carried, as an address (the last 32 bits zero). */
  readonly prefix: string;
  /** 96, 64, 56, 48, 40 or 32 (from the Prefix Length Code). */
  readonly prefixLength: number;
  /** Lifetime in seconds: the Scaled Lifetime times 8. */
  readonly lifetime: number;
}

/**
 * Captive Portal (37), RFC 8910 section 2.3.
 *
 * @example
 * ```ts
 * import type { CaptivePortalOption } from "./router_advertisement.ts";
 *
 * const option: CaptivePortalOption = { type: "captive-portal", uri: "https://portal.example/api" };
 * if (!option.uri.startsWith("https:")) throw new Error();
 * ```
 */
export interface CaptivePortalOption {
  /** Discriminator. */
  readonly type: "captive-portal";
  /** The captive portal API URI, without its NUL padding. */
  readonly uri: string;
}

/**
 * Encrypted DNS (144), RFC 9463 section 6.1: a DNS resolver reachable over
 * DoT, DoH or DoQ.
 *
 * @example
 * ```ts
 * import type { DnrOption } from "./router_advertisement.ts";
 *
 * const option: DnrOption = {
 *   type: "dnr", priority: 1, lifetime: 3600, adn: "resolver.example",
 *   addresses: ["2001:db8::53"], svcParams: new Uint8Array([0, 1, 0, 3, 2, 0x68, 0x32]),
 * };
 * if (option.addresses.length !== 1) throw new Error();
 * ```
 */
export interface DnrOption {
  /** Discriminator. */
  readonly type: "dnr";
  /** Service Priority, 1 to 65535 (lower is preferred). */
  readonly priority: number;
  /** Lifetime in seconds; `Infinity` for 0xffffffff. */
  readonly lifetime: number;
  /** Authentication Domain Name, lowercase, without trailing dot. */
  readonly adn: string;
  /** The resolver's addresses; empty in ADN-only mode. */
  readonly addresses: readonly string[];
  /** SvcParams in wire format, kept raw; empty in ADN-only mode. */
  readonly svcParams: Uint8Array;
}

/**
 * Any other option, kept raw.
 *
 * @example
 * ```ts
 * import type { UnknownNdOption } from "./router_advertisement.ts";
 *
 * // Advertisement Interval (RFC 6275 section 7.3) is not decoded.
 * const option: UnknownNdOption = { type: 7, data: new Uint8Array([0, 0, 0, 0, 0x0b, 0xb8]) };
 * if (option.data.length + 2 !== 8) throw new Error();
 * ```
 */
export interface UnknownNdOption {
  /** The option Type. */
  readonly type: number;
  /** The bytes after Type and Length (a multiple of 8, minus 2). */
  readonly data: Uint8Array;
}

/**
 * One ND option: the decoded types by name, anything else by number.
 *
 * @example Narrowing on `type`
 * ```ts
 * import type { NdOption } from "./router_advertisement.ts";
 *
 * function describe(option: NdOption): string {
 *   if (typeof option.type === "number") return `option ${option.type}`;
 *   switch (option.type) {
 *     case "mtu":
 *       return `MTU ${option.mtu}`;
 *     default:
 *       return option.type;
 *   }
 * }
 * if (describe({ type: "mtu", mtu: 1280 }) !== "MTU 1280") throw new Error();
 * ```
 */
export type NdOption =
  | LinkLayerAddressOption
  | PrefixInformationOption
  | MtuOption
  | RouteInformationOption
  | RdnssOption
  | DnsslOption
  | FlagsExpansionOption
  | PvdOption
  | Pref64Option
  | CaptivePortalOption
  | DnrOption
  | UnknownNdOption;

/**
 * A bare sequence of ND options, as {@linkcode parseNdOptions} returns it.
 *
 * @example
 * ```ts
 * import { type NdOptions, parseNdOptions } from "./router_advertisement.ts";
 *
 * const parsed: NdOptions = parseNdOptions(new Uint8Array([5, 1, 0, 0, 0, 0, 0x05, 0xdc]));
 * if (parsed.options[0]?.type !== "mtu") throw new Error();
 * ```
 */
export interface NdOptions {
  /** The options, in order. */
  readonly options: readonly NdOption[];
  /** Known options left out because their body is malformed. */
  readonly skipped: readonly SkippedItem[];
}

/**
 * Metadata of a received RA for the receive checks of RFC 4861 section
 * 6.1.2; each check runs only when its field is given.
 *
 * @example
 * ```ts
 * import type { ReceiveMetadata } from "./router_advertisement.ts";
 *
 * const metadata: ReceiveMetadata = { hopLimit: 255, sourceAddress: "fe80::1%eth0" };
 * if (metadata.hopLimit !== 255) throw new Error();
 * ```
 */
export interface ReceiveMetadata {
  /** The IP Hop Limit the RA arrived with: must be 255. */
  readonly hopLimit?: number;
  /** The IP source address: must be link-local. */
  readonly sourceAddress?: string;
}

// ---------------------------------------------------------------------------
// Parsing

/**
 * Parses a Router Advertisement: the ICMPv6 message from its Type byte (134)
 * to its end, as a raw ICMPv6 socket delivers it.
 *
 * @example An RA with an RDNSS option, received with its IP metadata
 * ```ts
 * import { parseRouterAdvertisement } from "./router_advertisement.ts";
 *
 * const bytes = new Uint8Array([
 *   134, 0, 0x12, 0x34, // Type, Code, Checksum
 *   64, 0x08, 0x07, 0x08, // Cur Hop Limit, flags (Prf high), Router Lifetime 1800
 *   0, 0, 0, 0, 0, 0, 0, 0, // Reachable Time, Retrans Timer
 *   25, 3, 0, 0, 0, 0, 0x02, 0x58, // RDNSS, length 3, lifetime 600
 *   0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53, // 2001:db8::53
 * ]);
 * const ra = parseRouterAdvertisement(bytes, { hopLimit: 64, sourceAddress: "fe80::1" });
 * if (ra.preference !== "high" || ra.checksum !== 0x1234) throw new Error();
 * const [rdnss] = ra.options;
 * if (rdnss?.type !== "rdnss" || rdnss.servers[0] !== "2001:db8::53") throw new Error();
 * // The hop limit shows the RA was forwarded: RFC 4861 says discard it.
 * if (ra.invalid[0] !== "hop limit 64 is not 255") throw new Error(ra.invalid[0]);
 * ```
 *
 * @example Bytes that cannot be walked
 * ```ts
 * import { parseRouterAdvertisement } from "./router_advertisement.ts";
 *
 * const bytes = new Uint8Array(24);
 * bytes[0] = 134; // an option of length 0 at offset 16 follows the header
 * try {
 *   parseRouterAdvertisement(bytes);
 *   throw new Error("accepted");
 * } catch (error) {
 *   if (!(error instanceof SyntaxError)) throw error;
 *   // "Cannot parse router advertisement: option at offset 16 has length 0"
 * }
 * ```
 *
 * @param bytes The ICMPv6 message.
 * @param options Receive metadata; each receive check runs when its field is given.
 * @returns The advertisement; check `invalid` before using it.
 * @throws {SyntaxError} If the message is shorter than 16 bytes, is not type
 * 134, or has an option of length 0 or running past its end; `cause` is a
 * `CoreErrorCause` with the byte offset.
 * @throws {TypeError} If `bytes` is not a Uint8Array or the metadata is
 * malformed.
 */
export function parseRouterAdvertisement(bytes: Uint8Array, options: ReceiveMetadata = {}): RouterAdvertisement {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError("Cannot parse router advertisement: expected a Uint8Array");
  }
  const metadata = checkMetadata(options);
  // Decoding reads `bytes` itself (no copy is kept): every byte field of
  // the result is a copy, and nothing runs between the parse and the end of
  // decoding that could change them.
  const stream = parseRecords(bytes, false);
  const skipped: SkippedItem[] = [];
  const header = readHeader(bytes, 0);
  // Record 0 is the header; the options follow.
  const ndOptions = decodeOptions(stream, 1, stream.count, skipped);
  const code = bytes[1]!;
  return {
    code,
    checksum: u16At(bytes, 2),
    ...header,
    options: ndOptions,
    skipped,
    invalid: receiveChecks(metadata, code),
  };
}

/**
 * Parses a bare sequence of ND options: the options part of an ND message,
 * or the ND user options the Linux kernel forwards over rtnetlink
 * (`RTM_NEWNDUSEROPT`), one RA option at a time.
 *
 * @example RDNSS forwarded by the kernel
 * ```ts
 * import { parseNdOptions } from "./router_advertisement.ts";
 *
 * const { options, skipped } = parseNdOptions(new Uint8Array([
 *   25, 3, 0, 0, 0xff, 0xff, 0xff, 0xff, // RDNSS, length 3, infinite lifetime
 *   0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, // 2001:db8::1
 * ]));
 * if (options[0]?.type !== "rdnss" || options[0].lifetime !== Infinity || skipped.length !== 0) {
 *   throw new Error();
 * }
 * ```
 *
 * @param bytes The options.
 * @returns The options and what was skipped.
 * @throws {SyntaxError} If an option has length 0 or runs past the end.
 * @throws {TypeError} If `bytes` is not a Uint8Array.
 */
export function parseNdOptions(bytes: Uint8Array): NdOptions {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError("Cannot parse ND options: expected a Uint8Array");
  }
  const stream = parseRecords(bytes, true);
  const skipped: SkippedItem[] = [];
  const options = decodeOptions(stream, 0, stream.count, skipped);
  return { options, skipped };
}

// ---------------------------------------------------------------------------
// Building

/**
 * Encodes a Router Advertisement: the 16-byte header, then the options in
 * order. Type is 134; Code and Checksum are 0 unless given (the kernel
 * computes the checksum when the message is sent on a raw ICMPv6 socket).
 *
 * @example Round trip
 * ```ts
 * import { buildRouterAdvertisement, parseRouterAdvertisement } from "./router_advertisement.ts";
 *
 * const bytes = buildRouterAdvertisement({
 *   curHopLimit: 64, managed: false, other: false, homeAgent: false, preference: "medium",
 *   proxy: false, reservedFlags: 0, routerLifetime: 1800, reachableTime: 0, retransTimer: 0,
 *   options: [
 *     { type: "source-link-layer-address", address: "52:54:00:12:34:56" },
 *     { type: "mtu", mtu: 1500 },
 *   ],
 * });
 * if (bytes.length !== 32) throw new Error();
 * const ra = parseRouterAdvertisement(bytes);
 * if (ra.options[1]?.type !== "mtu" || ra.options[1].mtu !== 1500) throw new Error();
 * ```
 *
 * @param ra The advertisement; a parsed {@linkcode RouterAdvertisement} will do.
 * @returns The ICMPv6 message.
 * @throws {RangeError} If a field is out of range or an option does not fit
 * its wire format.
 * @throws {TypeError} If an address or field has the wrong type.
 */
export function buildRouterAdvertisement(ra: RouterAdvertisementInit): Uint8Array {
  const action = "build router advertisement";
  const header = new Uint8Array(RA_HEADER_SIZE);
  header[0] = TYPE_ROUTER_ADVERTISEMENT;
  header[1] = uint(ra.code ?? 0, 8, "code", action);
  new DataView(header.buffer).setUint16(2, uint(ra.checksum ?? 0, 16, "checksum", action));
  writeHeaderFields(header, 0, ra, action);
  return concat([header, ...ra.options.map((option) => encodeOption(option, action))]);
}

/**
 * Encodes ND options back to back, for an RA body or an rtnetlink ND user
 * option.
 *
 * @example
 * ```ts
 * import { buildNdOptions, parseNdOptions } from "./router_advertisement.ts";
 *
 * const bytes = buildNdOptions([{ type: "dnssl", lifetime: 600, domains: ["example.com"] }]);
 * // 8 fixed bytes + "\x07example\x03com\x00" (13) + 3 bytes of padding
 * if (bytes.length !== 24 || bytes[1] !== 3) throw new Error();
 * const [dnssl] = parseNdOptions(bytes).options;
 * if (dnssl?.type !== "dnssl" || dnssl.domains[0] !== "example.com") throw new Error();
 * ```
 *
 * @param options The options.
 * @returns Their encoding.
 * @throws {RangeError} If a field is out of range or an option does not fit
 * its wire format.
 * @throws {TypeError} If an address or field has the wrong type.
 */
export function buildNdOptions(options: readonly NdOption[]): Uint8Array {
  return concat(options.map((option) => encodeOption(option, "build ND options")));
}

function writeHeaderFields(out: Uint8Array, at: number, header: RouterAdvertisementHeader, action: string): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out[at + 4] = uint(header.curHopLimit, 8, "curHopLimit", action);
  const preference = PREFERENCE_BITS[header.preference];
  if (preference === undefined) {
    throw new RangeError(
      `Cannot ${action}: preference ${JSON.stringify(header.preference)} is not high, medium or low`,
    );
  }
  out[at + 5] = (header.managed ? FLAG_MANAGED : 0) | (header.other ? FLAG_OTHER : 0) |
    (header.homeAgent ? FLAG_HOME_AGENT : 0) | (preference << PREFERENCE_SHIFT) | (header.proxy ? FLAG_PROXY : 0) |
    uint(header.reservedFlags, 2, "reservedFlags", action);
  view.setUint16(at + 6, uint(header.routerLifetime, 16, "routerLifetime", action));
  view.setUint32(at + 8, uint(header.reachableTime, 32, "reachableTime", action));
  view.setUint32(at + 12, uint(header.retransTimer, 32, "retransTimer", action));
}

/** Encodes one option, Type and Length included. */
function encodeOption(option: NdOption, action: string): Uint8Array {
  if (typeof option !== "object" || option === null) {
    throw new TypeError(`Cannot ${action}: an option is not an object`);
  }
  if (typeof option.type === "number") {
    const raw = option as UnknownNdOption;
    if (!(raw.data instanceof Uint8Array)) {
      throw new TypeError(`Cannot ${action}: option ${raw.type} has no data Uint8Array`);
    }
    return withHeader(uint(raw.type, 8, "option type", action), raw.data, `option ${raw.type}`, action, false);
  }
  switch (option.type) {
    case "source-link-layer-address":
    case "target-link-layer-address": {
      const code = option.type === "source-link-layer-address"
        ? OptionType.SourceLinkLayerAddress
        : OptionType.TargetLinkLayerAddress;
      return withHeader(code, parseHexColons(option.address, action), option.type, action, true);
    }
    case "prefix-information": {
      const body = new Uint8Array(30);
      const view = new DataView(body.buffer);
      body[0] = uint(option.prefixLength, 8, "prefixLength", action, 128);
      body[1] = (option.onLink ? PREFIX_ON_LINK : 0) | (option.autonomous ? PREFIX_AUTONOMOUS : 0) |
        (option.routerAddress ? PREFIX_ROUTER_ADDRESS : 0) | uint(option.reservedFlags, 5, "reservedFlags", action);
      view.setUint32(2, lifetimeField(option.validLifetime, "validLifetime", action));
      view.setUint32(6, lifetimeField(option.preferredLifetime, "preferredLifetime", action));
      body.set(ipv6(option.prefix, "prefix", action), 14);
      return withHeader(OptionType.PrefixInformation, body, option.type, action, false);
    }
    case "mtu": {
      const body = new Uint8Array(6);
      new DataView(body.buffer).setUint32(2, uint(option.mtu, 32, "mtu", action));
      return withHeader(OptionType.Mtu, body, option.type, action, false);
    }
    case "route-information": {
      const prefixLength = uint(option.prefixLength, 8, "prefixLength", action, 128);
      const prefix = ipv6(option.prefix, "prefix", action);
      if (!maskPrefix(prefix.slice(), prefixLength).every((b, k) => b === prefix[k])) {
        throw new RangeError(`Cannot ${action}: route prefix ${option.prefix} has bits set past /${prefixLength}`);
      }
      // RFC 4191 section 2.3: the shortest Length that holds the prefix.
      const prefixBytes = prefixLength === 0 ? 0 : prefixLength <= 64 ? 8 : 16;
      const body = new Uint8Array(6 + prefixBytes);
      body[0] = prefixLength;
      body[1] = preferenceBits(option.preference, action) << PREFERENCE_SHIFT;
      new DataView(body.buffer).setUint32(2, lifetimeField(option.lifetime, "lifetime", action));
      body.set(prefix.subarray(0, prefixBytes), 6);
      return withHeader(OptionType.RouteInformation, body, option.type, action, false);
    }
    case "rdnss": {
      if (option.servers.length === 0) throw new RangeError(`Cannot ${action}: an RDNSS option needs a server`);
      const body = new Uint8Array(6 + 16 * option.servers.length);
      new DataView(body.buffer).setUint32(2, lifetimeField(option.lifetime, "lifetime", action));
      option.servers.forEach((server, k) => body.set(ipv6(server, "RDNSS server", action), 6 + 16 * k));
      return withHeader(OptionType.Rdnss, body, option.type, action, false);
    }
    case "dnssl": {
      if (option.domains.length === 0) throw new RangeError(`Cannot ${action}: a DNSSL option needs a domain`);
      const fixed = new Uint8Array(6);
      new DataView(fixed.buffer).setUint32(2, lifetimeField(option.lifetime, "lifetime", action));
      const body = concat([fixed, ...option.domains.map((domain) => nameWire(domain, "DNSSL domain", action))]);
      return withHeader(OptionType.Dnssl, body, option.type, action, true);
    }
    case "flags-expansion":
      return withHeader(OptionType.FlagsExpansion, option.flags, option.type, action, false);
    case "pvd":
      return encodePvd(option, action);
    case "pref64": {
      const code = PREF64_PREFIX_LENGTHS.indexOf(option.prefixLength);
      if (code < 0) {
        throw new RangeError(
          `Cannot ${action}: PREF64 prefix length ${option.prefixLength} is not 96, 64, 56, 48, 40 or 32`,
        );
      }
      const scaled = option.lifetime / 8;
      if (!Number.isInteger(scaled) || scaled < 0 || scaled > PREF64_MAX_SCALED_LIFETIME) {
        throw new RangeError(`Cannot ${action}: PREF64 lifetime ${option.lifetime} is not a multiple of 8 up to 65528`);
      }
      const prefix = ipv6(option.prefix, "PREF64 prefix", action);
      if (prefix.subarray(12).some((b) => b !== 0)) {
        throw new RangeError(`Cannot ${action}: PREF64 prefix ${option.prefix} has bits set past /96`);
      }
      const body = new Uint8Array(14);
      new DataView(body.buffer).setUint16(0, (scaled << 3) | code);
      body.set(prefix.subarray(0, 12), 2);
      return withHeader(OptionType.Pref64, body, option.type, action, false);
    }
    case "captive-portal": {
      const uri = option.uri;
      if (typeof uri !== "string" || uri.length === 0 || !/^[\x21-\x7e]+$/.test(uri)) {
        throw new RangeError(`Cannot ${action}: captive portal URI ${JSON.stringify(uri)} is not visible ASCII`);
      }
      const body = Uint8Array.from(uri, (c) => c.charCodeAt(0));
      return withHeader(OptionType.CaptivePortal, body, option.type, action, true);
    }
    case "dnr":
      return encodeDnr(option, action);
    default: {
      const unknown: never = option;
      throw new TypeError(`Cannot ${action}: unknown option type ${JSON.stringify((unknown as NdOption).type)}`);
    }
  }
}

function encodePvd(option: PvdOption, action: string): Uint8Array {
  const fixed = new Uint8Array(4);
  const flags = (option.http ? PVD_HTTP : 0) | (option.legacy ? PVD_LEGACY : 0) |
    (option.header !== undefined ? PVD_RA_HEADER : 0) |
    (uint(option.reservedFlags, 9, "PvD reservedFlags", action) << PVD_RESERVED_SHIFT) |
    uint(option.delay, 4, "PvD delay", action);
  const view = new DataView(fixed.buffer);
  view.setUint16(0, flags);
  view.setUint16(2, uint(option.sequenceNumber, 16, "PvD sequenceNumber", action));
  // Type, Length, the 4 fixed bytes and the name, padded to the next unit.
  const named = concat([fixed, nameWire(option.pvdId, "PvD ID", action)]);
  const padded = new Uint8Array(paddedSize(named.length + 2) - 2);
  padded.set(named);
  const parts: Uint8Array[] = [padded];
  if (option.header !== undefined) {
    // RFC 8801 section 3.1: "The sender MUST set the 'Type' to 134 ... and
    // set the 'Code' to 0 ... The 'Checksum' MUST be set to 0".
    const header = new Uint8Array(RA_HEADER_SIZE);
    header[0] = TYPE_ROUTER_ADVERTISEMENT;
    writeHeaderFields(header, 0, option.header, action);
    parts.push(header);
  }
  for (const nested of option.options) {
    if (nested.type === "pvd") {
      throw new RangeError(`Cannot ${action}: a PvD ID option cannot carry another (RFC 8801 section 3.2)`);
    }
    parts.push(encodeOption(nested, action));
  }
  return withHeader(OptionType.Pvd, concat(parts), option.type, action, false);
}

function encodeDnr(option: DnrOption, action: string): Uint8Array {
  const fixed = new Uint8Array(6);
  const view = new DataView(fixed.buffer);
  view.setUint16(0, uint(option.priority, 16, "DNR priority", action));
  view.setUint32(2, lifetimeField(option.lifetime, "DNR lifetime", action));
  const adn = nameWire(option.adn, "DNR ADN", action);
  const parts: Uint8Array[] = [fixed, u16(adn.length), adn];
  if (option.addresses.length > 0 || option.svcParams.length > 0) {
    const addresses = concat(option.addresses.map((address) => ipv6(address, "DNR address", action)));
    parts.push(u16(uint(addresses.length, 16, "DNR Addr Length", action)), addresses);
    parts.push(u16(uint(option.svcParams.length, 16, "DNR SvcParams Length", action)), option.svcParams);
  }
  return withHeader(OptionType.Dnr, concat(parts), option.type, action, true);
}

/**
 * Prepends Type and Length to a body. With `pad`, zero-pads to the next
 * unit; without, the body must already end on one.
 */
function withHeader(type: number, body: Uint8Array, what: string, action: string, pad: boolean): Uint8Array {
  const size = pad ? paddedSize(body.length + 2) : body.length + 2;
  if (size % UNIT !== 0) {
    throw new RangeError(`Cannot ${action}: ${what} body of ${body.length} bytes does not end on an 8-octet unit`);
  }
  if (size > MAX_OPTION_SIZE) {
    throw new RangeError(`Cannot ${action}: ${what} of ${size} bytes is over ${MAX_OPTION_SIZE}`);
  }
  const out = new Uint8Array(size);
  out[0] = type;
  out[1] = size / UNIT;
  out.set(body, 2);
  return out;
}

function paddedSize(n: number): number {
  return Math.ceil(n / UNIT) * UNIT;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function u16(value: number): Uint8Array {
  return new Uint8Array([value >> 8, value & 0xff]);
}

/** Checks an unsigned integer field of `bits` bits (at most `max`). */
function uint(value: number, bits: number, field: string, action: string, max = 2 ** bits - 1): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`Cannot ${action}: ${field} ${value} is not an integer 0 to ${max}`);
  }
  return value;
}

function lifetimeField(value: number, field: string, action: string): number {
  return value === Infinity ? INFINITE_LIFETIME : uint(value, 32, field, action);
}

function preferenceBits(preference: RouterPreference, action: string): number {
  const bits = PREFERENCE_BITS[preference];
  if (bits === undefined) {
    throw new RangeError(`Cannot ${action}: preference ${JSON.stringify(preference)} is not high, medium or low`);
  }
  return bits;
}

function ipv6(text: string, field: string, action: string): Uint8Array {
  if (typeof text !== "string") throw new TypeError(`Cannot ${action}: ${field} is not a string`);
  const address = parseIpAddress(text);
  if (address.family !== 6 || address.zone !== undefined) {
    throw new RangeError(`Cannot ${action}: ${field} ${text} is not an IPv6 address without zone`);
  }
  return address.bytes;
}

function parseHexColons(text: string, action: string): Uint8Array {
  if (typeof text !== "string" || !/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2})*$/.test(text)) {
    throw new RangeError(`Cannot ${action}: link-layer address ${JSON.stringify(text)} is not colon-separated hex`);
  }
  return Uint8Array.from(text.split(":"), (part) => parseInt(part, 16));
}

/**
 * A domain as uncompressed DNS wire format (RFC 1035 section 3.1). Labels
 * must be 1 to 63 visible ASCII characters: the parser's rule, so that what
 * is built parses back. One trailing dot is allowed.
 */
function nameWire(domain: string, field: string, action: string): Uint8Array {
  if (typeof domain !== "string") throw new TypeError(`Cannot ${action}: ${field} is not a string`);
  const text = domain.endsWith(".") ? domain.slice(0, -1) : domain;
  const labels = text.split(".");
  if (text.length === 0 || labels.some((label) => !/^[\x21-\x7e]{1,63}$/.test(label))) {
    throw new RangeError(`Cannot ${action}: ${field} ${JSON.stringify(domain)} is not a domain name`);
  }
  const out = new Uint8Array(text.length + 2);
  let at = 0;
  for (const label of labels) {
    out[at++] = label.length;
    for (let k = 0; k < label.length; k++) out[at++] = label.charCodeAt(k);
  }
  if (out.length > 255) throw new RangeError(`Cannot ${action}: ${field} ${JSON.stringify(domain)} is over 255 bytes`);
  return out;
}
