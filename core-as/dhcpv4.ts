/**
 * DHCPv4 messages (RFC 2131, RFC 2132): parsing in the WebAssembly core
 * (`core-as/assembly/dhcpv4.ts`) into typed objects, and building back to
 * bytes. The API's `configurationFromDhcpv4` (exported by `@pvd/mif`) maps
 * an ACK to configuration data.
 *
 * What the parser does beyond walking options:
 * - option overload (52, RFC 2131 section 4.1): options continue in `file`,
 *   then `sname`;
 * - long options (RFC 3396): every instance of one code, across the options
 *   field, `file` and `sname` in that order, is concatenated before it is
 *   interpreted; each option says where its first instance lay (`source`);
 * - the domain search list (119, RFC 3397) with compression pointers into
 *   the concatenated data, bounded and strictly backwards;
 * - classless static routes (121, RFC 3442), captive portal (114, RFC 8910),
 *   encrypted DNS (162, RFC 9463).
 *
 * Bytes that cannot be walked reject the message (a `SyntaxError` such as
 * `Cannot parse DHCPv4 message: option at offset 250 overruns the options`);
 * a known option whose body is malformed is left out and listed in
 * `skipped`; every other option is kept, unknown ones raw.
 *
 * Runtime-neutral: no Deno or Node APIs.
 *
 * @example Parse, inspect, build back
 * ```ts
 * import { buildDhcpv4, parseDhcpv4 } from "./dhcpv4.ts";
 *
 * const bytes = buildDhcpv4({
 *   op: 2,
 *   xid: 0x1234,
 *   yiaddr: "192.0.2.10",
 *   chaddr: "02:00:00:00:00:01",
 *   options: [
 *     { name: "message-type", type: 53, messageType: 5 },
 *     { name: "subnet-mask", type: 1, mask: "255.255.255.0" },
 *     { name: "router", type: 3, addresses: ["192.0.2.1"] },
 *   ],
 * });
 * const message = parseDhcpv4(bytes);
 * if (message.messageType?.name !== "DHCPACK") throw new Error();
 * if (message.yiaddr !== "192.0.2.10") throw new Error();
 * ```
 *
 * @module
 */

import { callCore } from "./_abi.ts";
import { copyRecords, type RecordStream, type SkippedItem, TAG_SKIPPED } from "./_records.ts";
import { coreWasm } from "./core_wasm.generated.ts";
import { ipv4Bytes, maskPrefix } from "./_prefix.ts";
import { hexText, ipv4Text, latin1Text } from "./_text.ts";

export type { SkippedItem } from "./_records.ts";

// ---------------------------------------------------------------------------
// Mirror of core-as/assembly/dhcpv4.ts: tags, flags, detail identifiers.

/** Record tags (see core-as/assembly/dhcpv4.ts for code/a/b of each). */
const TAG_MESSAGE = 0x0300;
const TAG_OPTION = 0x0301;
const TAG_PART = 0x0302;
/** Message record flags. */
const MESSAGE_COOKIE = 1;
const MESSAGE_END = 2;

/** Detail identifiers of the core parser (0x300..0x3ff). */
const Detail = {
  ShortHeader: 0x301,
  Hlen: 0x302,
  OverrunOptions: 0x303,
  OverrunFile: 0x304,
  OverrunSname: 0x305,
  BadLength: 0x310,
  NotMultipleOf4: 0x311,
  TooShort: 0x312,
  MtuTooSmall: 0x313,
  MaxSizeTooSmall: 0x314,
  BadOverload: 0x315,
  OverloadMisplaced: 0x316,
  RouteWidth: 0x317,
  RouteTruncated: 0x318,
  NameTruncated: 0x319,
  NameLabel: 0x31a,
  NamePointer: 0x31b,
  NameTooLong: 0x31c,
  NameTooManyPointers: 0x31d,
  DnrTruncated: 0x31e,
  DnrAdn: 0x31f,
  DnrAddrLength: 0x320,
  DnrSvcParams: 0x321,
} as const;

/** Fixed data lengths the core checks, for the sentences. */
const FIXED_LENGTHS: Readonly<Record<number, number>> = {
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

/** Minimum data lengths the core checks (RFC 2132, RFC 3442, RFC 9463). */
const MIN_LENGTHS: Readonly<Record<number, number>> = {
  12: 1,
  15: 1,
  55: 1,
  60: 1,
  61: 2,
  114: 1,
  119: 1,
  121: 5,
  162: 1,
};

/** Says why the whole message was rejected (the end of the error message). */
function errorText(detail: number, offset: number, input: Uint8Array): string | undefined {
  switch (detail) {
    case Detail.ShortHeader:
      return `message of ${offset} bytes is shorter than the 236-byte BOOTP header`;
    case Detail.Hlen:
      return `hardware address length ${input[2]} at offset 2 exceeds 16`;
    case Detail.OverrunOptions:
      return `option at offset ${offset} overruns the options`;
    case Detail.OverrunFile:
      return `option at offset ${offset} overruns the file field`;
    case Detail.OverrunSname:
      return `option at offset ${offset} overruns the sname field`;
  }
  return undefined;
}

/** Says why an option was skipped, from its record and its data. */
function skipText(
  detail: number,
  code: number,
  offset: number,
  fault: number,
  data: Uint8Array,
): string {
  const option = `option ${code} at offset ${offset}`;
  switch (detail) {
    case Detail.BadLength:
      return `${option} has length ${data.length}, not ${FIXED_LENGTHS[code]}`;
    case Detail.NotMultipleOf4:
      return `${option} has length ${data.length}, not a positive multiple of 4`;
    case Detail.TooShort:
      return `${option} has length ${data.length}, less than ${MIN_LENGTHS[code]}`;
    case Detail.MtuTooSmall:
      return `${option} has MTU ${u16(data, 0)}, less than 68`;
    case Detail.MaxSizeTooSmall:
      return `${option} has maximum message size ${u16(data, 0)}, less than 576`;
    case Detail.BadOverload:
      return `${option} has overload value ${data[0]}, not 1, 2 or 3`;
    case Detail.OverloadMisplaced:
      return `${option} lies inside the ${offset < 108 ? "sname" : "file"} field, which cannot overload`;
    case Detail.RouteWidth:
      return `${option} has a route of width more than 32 at offset ${fault}`;
    case Detail.RouteTruncated:
      return `${option} has a route cut short at offset ${fault}`;
    case Detail.NameTruncated:
      return `${option} has a name cut short at offset ${fault}`;
    case Detail.NameLabel:
      return `${option} has a label that is not allowed at offset ${fault}`;
    case Detail.NamePointer:
      return `${option} has a compression pointer at offset ${fault} that does not point backwards`;
    case Detail.NameTooLong:
      return `${option} has a name longer than 255 bytes at offset ${fault}`;
    case Detail.NameTooManyPointers:
      return `${option} has more than 256 compression pointers (offset ${fault})`;
    case Detail.DnrTruncated:
      return `${option} has a DNR instance cut short at offset ${fault}`;
    case Detail.DnrAdn:
      return `${option} has a malformed authentication domain name at offset ${fault}`;
    case Detail.DnrAddrLength:
      return `${option} has an Addr Length at offset ${fault} that is 0 or not a multiple of 4`;
    case Detail.DnrSvcParams:
      return `${option} has malformed SvcParams at offset ${fault}`;
  }
  return `${option} is malformed (detail ${detail})`;
}

// ---------------------------------------------------------------------------
// Public types

/**
 * Where an option's first instance lay: the options field, or the `file` or
 * `sname` header field carrying options under option overload (RFC 2131
 * section 4.1).
 *
 * @example
 * ```ts
 * import type { Dhcpv4Area } from "./dhcpv4.ts";
 *
 * const area: Dhcpv4Area = "file";
 * ```
 */
export type Dhcpv4Area = "options" | "file" | "sname";

/**
 * What every option has.
 *
 * @example
 * ```ts
 * import type { Dhcpv4OptionBase } from "./dhcpv4.ts";
 *
 * const base: Dhcpv4OptionBase = { type: 43, source: "options" };
 * ```
 */
export interface Dhcpv4OptionBase {
  /** The option code. */
  readonly type: number;
  /**
   * Where the option's first instance lay. The parser always sets it; the
   * builder places the option there (`"options"` when absent).
   */
  readonly source?: Dhcpv4Area;
}

/**
 * Subnet Mask (1), RFC 2132 section 3.3.
 *
 * @example
 * ```ts
 * import type { Dhcpv4SubnetMaskOption } from "./dhcpv4.ts";
 *
 * const option: Dhcpv4SubnetMaskOption = { name: "subnet-mask", type: 1, mask: "255.255.255.0" };
 * ```
 */
export interface Dhcpv4SubnetMaskOption extends Dhcpv4OptionBase {
  /** Discriminant. */
  readonly name: "subnet-mask";
  /** The option code. */
  readonly type: 1;
  /** The mask as a dotted quad. */
  readonly mask: string;
}

/**
 * Router (3) or Domain Name Server (6), RFC 2132 sections 3.5 and 3.8: a
 * list of addresses in order of preference.
 *
 * @example
 * ```ts
 * import type { Dhcpv4AddressListOption } from "./dhcpv4.ts";
 *
 * const option: Dhcpv4AddressListOption = {
 *   name: "domain-name-server",
 *   type: 6,
 *   addresses: ["192.0.2.53", "192.0.2.54"],
 * };
 * ```
 */
export interface Dhcpv4AddressListOption extends Dhcpv4OptionBase {
  /** Discriminant. */
  readonly name: "router" | "domain-name-server";
  /** The option code: 3 for router, 6 for domain-name-server. */
  readonly type: 3 | 6;
  /** One or more addresses, dotted quads. */
  readonly addresses: readonly string[];
}

/**
 * An option holding one address: Broadcast Address (28), Requested IP
 * Address (50), Server Identifier (54); RFC 2132 sections 5.3, 9.1, 9.7.
 *
 * @example
 * ```ts
 * import type { Dhcpv4AddressOption } from "./dhcpv4.ts";
 *
 * const option: Dhcpv4AddressOption = { name: "server-identifier", type: 54, address: "192.0.2.1" };
 * ```
 */
export interface Dhcpv4AddressOption extends Dhcpv4OptionBase {
  /** Discriminant. */
  readonly name: "broadcast-address" | "requested-address" | "server-identifier";
  /** The option code: 28, 50 or 54. */
  readonly type: 28 | 50 | 54;
  /** The address, a dotted quad. */
  readonly address: string;
}

/**
 * Host Name (12), RFC 2132 section 3.14, as text (one character per byte;
 * trailing NUL bytes removed, which "the receiver ... MUST be prepared to
 * delete", section 2).
 *
 * @example
 * ```ts
 * import type { Dhcpv4HostNameOption } from "./dhcpv4.ts";
 *
 * const option: Dhcpv4HostNameOption = { name: "host-name", type: 12, hostName: "laptop" };
 * ```
 */
export interface Dhcpv4HostNameOption extends Dhcpv4OptionBase {
  /** Discriminant. */
  readonly name: "host-name";
  /** The option code. */
  readonly type: 12;
  /** The host name. */
  readonly hostName: string;
}

/**
 * Domain Name (15), RFC 2132 section 3.17: lowercase, without trailing NUL
 * bytes or a trailing dot.
 *
 * @example
 * ```ts
 * import type { Dhcpv4DomainNameOption } from "./dhcpv4.ts";
 *
 * const option: Dhcpv4DomainNameOption = { name: "domain-name", type: 15, domain: "example.com" };
 * ```
 */
export interface Dhcpv4DomainNameOption extends Dhcpv4OptionBase {
  /** Discriminant. */
  readonly name: "domain-name";
  /** The option code. */
  readonly type: 15;
  /** The domain. */
  readonly domain: string;
}

/**
 * Interface MTU (26), RFC 2132 section 5.1 (at least 68).
 *
 * @example
 * ```ts
 * import type { Dhcpv4InterfaceMtuOption } from "./dhcpv4.ts";
 *
 * const option: Dhcpv4InterfaceMtuOption = { name: "interface-mtu", type: 26, mtu: 1500 };
 * ```
 */
export interface Dhcpv4InterfaceMtuOption extends Dhcpv4OptionBase {
  /** Discriminant. */
  readonly name: "interface-mtu";
  /** The option code. */
  readonly type: 26;
  /** The MTU in bytes. */
  readonly mtu: number;
}

/**
 * A time in seconds: IP Address Lease Time (51), Renewal (T1) Time (58),
 * Rebinding (T2) Time (59); RFC 2132 sections 9.2, 9.11, 9.12.
 * 0xffffffff ("infinity", RFC 2131 section 3.3) is `Infinity`.
 *
 * @example
 * ```ts
 * import type { Dhcpv4TimeOption } from "./dhcpv4.ts";
 *
 * const option: Dhcpv4TimeOption = { name: "lease-time", type: 51, seconds: 86400 };
 * ```
 */
export interface Dhcpv4TimeOption extends Dhcpv4OptionBase {
  /** Discriminant. */
  readonly name: "lease-time" | "renewal-time" | "rebinding-time";
  /** The option code: 51, 58 or 59. */
  readonly type: 51 | 58 | 59;
  /** Seconds, or `Infinity`. */
  readonly seconds: number;
}

/**
 * Option Overload (52), RFC 2132 section 9.3: 1 the `file` field carries
 * options, 2 `sname` does, 3 both.
 *
 * @example
 * ```ts
 * import type { Dhcpv4OverloadOption } from "./dhcpv4.ts";
 *
 * const option: Dhcpv4OverloadOption = { name: "overload", type: 52, overload: 3 };
 * ```
 */
export interface Dhcpv4OverloadOption extends Dhcpv4OptionBase {
  /** Discriminant. */
  readonly name: "overload";
  /** The option code. */
  readonly type: 52;
  /** Which fields carry options. */
  readonly overload: 1 | 2 | 3;
}

/**
 * DHCP Message Type (53), RFC 2132 section 9.6.
 *
 * @example
 * ```ts
 * import type { Dhcpv4MessageTypeOption } from "./dhcpv4.ts";
 *
 * const option: Dhcpv4MessageTypeOption = { name: "message-type", type: 53, messageType: 1 };
 * ```
 */
export interface Dhcpv4MessageTypeOption extends Dhcpv4OptionBase {
  /** Discriminant. */
  readonly name: "message-type";
  /** The option code. */
  readonly type: 53;
  /** The message type number (see {@linkcode DHCPV4_MESSAGE_TYPES}). */
  readonly messageType: number;
}

/**
 * Parameter Request List (55), RFC 2132 section 9.8.
 *
 * @example
 * ```ts
 * import type { Dhcpv4ParameterRequestListOption } from "./dhcpv4.ts";
 *
 * const option: Dhcpv4ParameterRequestListOption = { name: "parameter-request-list", type: 55, codes: [1, 3, 6] };
 * ```
 */
export interface Dhcpv4ParameterRequestListOption extends Dhcpv4OptionBase {
  /** Discriminant. */
  readonly name: "parameter-request-list";
  /** The option code. */
  readonly type: 55;
  /** The requested option codes, in the client's order of preference. */
  readonly codes: readonly number[];
}

/**
 * Maximum DHCP Message Size (57), RFC 2132 section 9.10 (at least 576).
 *
 * @example
 * ```ts
 * import type { Dhcpv4MaxMessageSizeOption } from "./dhcpv4.ts";
 *
 * const option: Dhcpv4MaxMessageSizeOption = { name: "max-message-size", type: 57, size: 1500 };
 * ```
 */
export interface Dhcpv4MaxMessageSizeOption extends Dhcpv4OptionBase {
  /** Discriminant. */
  readonly name: "max-message-size";
  /** The option code. */
  readonly type: 57;
  /** The size in bytes. */
  readonly size: number;
}

/**
 * Vendor class identifier (60), RFC 2132 section 9.13, as text (one
 * character per byte, kept exactly).
 *
 * @example
 * ```ts
 * import type { Dhcpv4VendorClassOption } from "./dhcpv4.ts";
 *
 * const option: Dhcpv4VendorClassOption = { name: "vendor-class", type: 60, identifier: "MSFT 5.0" };
 * ```
 */
export interface Dhcpv4VendorClassOption extends Dhcpv4OptionBase {
  /** Discriminant. */
  readonly name: "vendor-class";
  /** The option code. */
  readonly type: 60;
  /** The identifier. */
  readonly identifier: string;
}

/**
 * Client-identifier (61), RFC 2132 section 9.14: a type byte (a hardware
 * type, 0 for other identifiers, 255 for RFC 4361 IAID and DUID) and at
 * least one byte of identifier.
 *
 * @example
 * ```ts
 * import type { Dhcpv4ClientIdentifierOption } from "./dhcpv4.ts";
 *
 * const option: Dhcpv4ClientIdentifierOption = {
 *   name: "client-identifier",
 *   type: 61,
 *   identifierType: 1,
 *   identifier: new Uint8Array([2, 0, 0, 0, 0, 1]),
 * };
 * ```
 */
export interface Dhcpv4ClientIdentifierOption extends Dhcpv4OptionBase {
  /** Discriminant. */
  readonly name: "client-identifier";
  /** The option code. */
  readonly type: 61;
  /** The first byte. */
  readonly identifierType: number;
  /** The bytes after it. */
  readonly identifier: Uint8Array;
}

/**
 * Captive-Portal (114), RFC 8910 section 2.1: the URI of the captive portal
 * API, or `urn:ietf:params:capport:unrestricted` when there is none.
 *
 * @example
 * ```ts
 * import type { Dhcpv4CaptivePortalOption } from "./dhcpv4.ts";
 *
 * const option: Dhcpv4CaptivePortalOption = { name: "captive-portal", type: 114, uri: "https://portal.example/api" };
 * ```
 */
export interface Dhcpv4CaptivePortalOption extends Dhcpv4OptionBase {
  /** Discriminant. */
  readonly name: "captive-portal";
  /** The option code. */
  readonly type: 114;
  /** The URI. */
  readonly uri: string;
}

/**
 * Domain Search (119), RFC 3397: the search list, lowercase, without
 * trailing dots (the root is `""`). The builder compresses it as RFC 1035
 * section 4.1.4 describes.
 *
 * @example
 * ```ts
 * import type { Dhcpv4DomainSearchOption } from "./dhcpv4.ts";
 *
 * const option: Dhcpv4DomainSearchOption = {
 *   name: "domain-search",
 *   type: 119,
 *   domains: ["eng.apple.com", "marketing.apple.com"],
 * };
 * ```
 */
export interface Dhcpv4DomainSearchOption extends Dhcpv4OptionBase {
  /** Discriminant. */
  readonly name: "domain-search";
  /** The option code. */
  readonly type: 119;
  /** The domains, in order. */
  readonly domains: readonly string[];
}

/**
 * One classless static route (RFC 3442). Servers send a router of `0.0.0.0`
 * for a destination on the link.
 *
 * @example
 * ```ts
 * import type { Dhcpv4ClasslessRoute } from "./dhcpv4.ts";
 *
 * const route: Dhcpv4ClasslessRoute = { prefix: "10.17.0.0", length: 16, router: "192.0.2.1" };
 * ```
 */
export interface Dhcpv4ClasslessRoute {
  /** The destination prefix, with every bit past `length` zero. */
  readonly prefix: string;
  /** The prefix length ("width"), 0 to 32. */
  readonly length: number;
  /** The next hop. */
  readonly router: string;
}

/**
 * Classless Static Route (121), RFC 3442. "If the DHCP server returns both a
 * Classless Static Routes option and a Router option, the DHCP client MUST
 * ignore the Router option" (section 3): the API's `configurationFromDhcpv4`
 * does.
 *
 * @example
 * ```ts
 * import type { Dhcpv4ClasslessRoutesOption } from "./dhcpv4.ts";
 *
 * const option: Dhcpv4ClasslessRoutesOption = {
 *   name: "classless-static-routes",
 *   type: 121,
 *   routes: [{ prefix: "0.0.0.0", length: 0, router: "192.0.2.1" }],
 * };
 * ```
 */
export interface Dhcpv4ClasslessRoutesOption extends Dhcpv4OptionBase {
  /** Discriminant. */
  readonly name: "classless-static-routes";
  /** The option code. */
  readonly type: 121;
  /** The routes, in order. */
  readonly routes: readonly Dhcpv4ClasslessRoute[];
}

/**
 * One SvcParam of a DNR instance (RFC 9460 section 2.2), kept raw.
 *
 * @example
 * ```ts
 * import type { Dhcpv4SvcParam } from "./dhcpv4.ts";
 *
 * const alpn: Dhcpv4SvcParam = { key: 1, value: new Uint8Array([3, 0x64, 0x6f, 0x74]) };
 * ```
 */
export interface Dhcpv4SvcParam {
  /** SvcParamKey. */
  readonly key: number;
  /** SvcParamValue. */
  readonly value: Uint8Array;
}

/**
 * One DNR instance (RFC 9463 section 5). Without `addresses` it is in
 * ADN-only mode.
 *
 * @example
 * ```ts
 * import type { Dhcpv4DnrInstance } from "./dhcpv4.ts";
 *
 * const instance: Dhcpv4DnrInstance = {
 *   priority: 1,
 *   adn: "dot.example.net",
 *   addresses: ["192.0.2.53"],
 *   svcParams: [],
 * };
 * ```
 */
export interface Dhcpv4DnrInstance {
  /** Service Priority (lower is preferred). */
  readonly priority: number;
  /** Authentication domain name, lowercase, without trailing dot. */
  readonly adn: string;
  /** IPv4 addresses of the resolver; absent in ADN-only mode. */
  readonly addresses?: readonly string[];
  /** Service parameters; present (maybe empty) when `addresses` is. */
  readonly svcParams?: readonly Dhcpv4SvcParam[];
}

/**
 * Encrypted DNS (OPTION_V4_DNR, 162), RFC 9463 section 5.
 *
 * @example
 * ```ts
 * import type { Dhcpv4DnrOption } from "./dhcpv4.ts";
 *
 * const option: Dhcpv4DnrOption = { name: "dnr", type: 162, instances: [{ priority: 1, adn: "resolver.example" }] };
 * ```
 */
export interface Dhcpv4DnrOption extends Dhcpv4OptionBase {
  /** Discriminant. */
  readonly name: "dnr";
  /** The option code. */
  readonly type: 162;
  /** One or more instances. */
  readonly instances: readonly Dhcpv4DnrInstance[];
}

/**
 * Any other option, kept raw (concatenated when it had several instances).
 *
 * @example
 * ```ts
 * import type { Dhcpv4RawOption } from "./dhcpv4.ts";
 *
 * const option: Dhcpv4RawOption = { name: "raw", type: 82, data: new Uint8Array([1, 1, 7]) };
 * ```
 */
export interface Dhcpv4RawOption extends Dhcpv4OptionBase {
  /** Discriminant. */
  readonly name: "raw";
  /** The option data. */
  readonly data: Uint8Array;
}

/**
 * A DHCPv4 option, after overload and concatenation, discriminated by
 * `name`.
 *
 * @example
 * ```ts
 * import type { Dhcpv4Option } from "./dhcpv4.ts";
 *
 * function describe(option: Dhcpv4Option): string {
 *   return option.name === "router" ? option.addresses.join(", ") : option.name;
 * }
 * if (describe({ name: "router", type: 3, addresses: ["192.0.2.1"] }) !== "192.0.2.1") throw new Error();
 * ```
 */
export type Dhcpv4Option =
  | Dhcpv4SubnetMaskOption
  | Dhcpv4AddressListOption
  | Dhcpv4AddressOption
  | Dhcpv4HostNameOption
  | Dhcpv4DomainNameOption
  | Dhcpv4InterfaceMtuOption
  | Dhcpv4TimeOption
  | Dhcpv4OverloadOption
  | Dhcpv4MessageTypeOption
  | Dhcpv4ParameterRequestListOption
  | Dhcpv4MaxMessageSizeOption
  | Dhcpv4VendorClassOption
  | Dhcpv4ClientIdentifierOption
  | Dhcpv4CaptivePortalOption
  | Dhcpv4DomainSearchOption
  | Dhcpv4ClasslessRoutesOption
  | Dhcpv4DnrOption
  | Dhcpv4RawOption;

/**
 * Names of the DHCP message types (RFC 2132 section 9.6, RFC 3203, RFC 4388,
 * RFC 6926, RFC 7724, RFC 8572), by number.
 *
 * @example
 * ```ts
 * import { DHCPV4_MESSAGE_TYPES } from "./dhcpv4.ts";
 *
 * if (DHCPV4_MESSAGE_TYPES[5] !== "DHCPACK") throw new Error();
 * ```
 */
export const DHCPV4_MESSAGE_TYPES: Readonly<Record<number, string>> = {
  1: "DHCPDISCOVER",
  2: "DHCPOFFER",
  3: "DHCPREQUEST",
  4: "DHCPDECLINE",
  5: "DHCPACK",
  6: "DHCPNAK",
  7: "DHCPRELEASE",
  8: "DHCPINFORM",
  9: "DHCPFORCERENEW",
  10: "DHCPLEASEQUERY",
  11: "DHCPLEASEUNASSIGNED",
  12: "DHCPLEASEUNKNOWN",
  13: "DHCPLEASEACTIVE",
  14: "DHCPBULKLEASEQUERY",
  15: "DHCPLEASEQUERYDONE",
  16: "DHCPACTIVELEASEQUERY",
  17: "DHCPLEASEQUERYSTATUS",
  18: "DHCPTLS",
};

/**
 * The message type of a message, number and name (`"unknown"` for numbers
 * without one).
 *
 * @example
 * ```ts
 * import type { Dhcpv4MessageType } from "./dhcpv4.ts";
 *
 * const type: Dhcpv4MessageType = { type: 1, name: "DHCPDISCOVER" };
 * ```
 */
export interface Dhcpv4MessageType {
  /** The number carried by option 53. */
  readonly type: number;
  /** Its name. */
  readonly name: string;
}

/**
 * The fixed BOOTP header of a DHCPv4 message (RFC 2131 section 2), and
 * whether the magic cookie follows it: what {@linkcode Dhcpv4Message} and the
 * on-access view share.
 *
 * @example
 * ```ts
 * import { buildDhcpv4, type Dhcpv4Header, parseDhcpv4 } from "./dhcpv4.ts";
 *
 * const header: Dhcpv4Header = parseDhcpv4(buildDhcpv4({ xid: 7, chaddr: "02:00:00:00:00:01" }));
 * if (header.xid !== 7 || header.chaddr !== "02:00:00:00:00:01") throw new Error();
 * ```
 */
export interface Dhcpv4Header {
  /** Message op code: 1 BOOTREQUEST, 2 BOOTREPLY. */
  readonly op: number;
  /** Hardware address type (1 for Ethernet). */
  readonly htype: number;
  /** Hardware address length, at most 16. */
  readonly hlen: number;
  /** Relay hops. */
  readonly hops: number;
  /** Transaction ID. */
  readonly xid: number;
  /** Seconds elapsed since the client began. */
  readonly secs: number;
  /** The 16 flag bits. */
  readonly flags: number;
  /** The broadcast flag (the top bit of `flags`). */
  readonly broadcast: boolean;
  /** Client IP address. */
  readonly ciaddr: string;
  /** "Your" (client) IP address. */
  readonly yiaddr: string;
  /** Next server IP address. */
  readonly siaddr: string;
  /** Relay agent IP address. */
  readonly giaddr: string;
  /**
   * Client hardware address, its first `hlen` bytes: colon-separated
   * (`02:00:00:00:00:01`) for Ethernet (htype 1, hlen 6), plain lowercase hex
   * otherwise.
   */
  readonly chaddr: string;
  /** Server host name (up to its first NUL); `""` when it carries options. */
  readonly sname: string;
  /** Boot file name (up to its first NUL); `""` when it carries options. */
  readonly file: string;
  /** Whether the magic cookie 99.130.83.99 follows the header. */
  readonly magicCookie: boolean;
}

/**
 * A parsed DHCPv4 (or plain BOOTP) message (RFC 2131 section 2): the header
 * and the options.
 *
 * @example
 * ```ts
 * import { buildDhcpv4, type Dhcpv4Message, parseDhcpv4 } from "./dhcpv4.ts";
 *
 * const message: Dhcpv4Message = parseDhcpv4(buildDhcpv4({ xid: 7, chaddr: "02:00:00:00:00:01" }));
 * if (message.xid !== 7 || !message.magicCookie || message.options.length !== 0) throw new Error();
 * ```
 */
export interface Dhcpv4Message extends Dhcpv4Header {
  /** Without the cookie (plain BOOTP, RFC 951): the vendor area, raw. */
  readonly vendor?: Uint8Array;
  /** The message type, from option 53, when present and well formed. */
  readonly messageType?: Dhcpv4MessageType;
  /** The options, in order of first appearance. */
  readonly options: readonly Dhcpv4Option[];
  /** Whether the options field ends with an End option. */
  readonly end: boolean;
  /** How many bytes follow the End option (padding). */
  readonly padding: number;
  /** Options left out because their body was malformed. */
  readonly skipped: readonly SkippedItem[];
}

/**
 * What {@linkcode buildDhcpv4} takes: a {@linkcode Dhcpv4Message} or any part
 * of one. Absent fields are zero, `htype` is 1, `op` 1 (BOOTREQUEST), `hlen`
 * comes from `chaddr`, the cookie and the End option are written, and
 * `messageType` and `skipped` are ignored (the message type is option 53).
 *
 * @example
 * ```ts
 * import { buildDhcpv4, type Dhcpv4MessageInit } from "./dhcpv4.ts";
 *
 * const init: Dhcpv4MessageInit = { xid: 1, broadcast: true, padding: 60 };
 * if (buildDhcpv4(init).length !== 301) throw new Error();
 * ```
 */
export interface Dhcpv4MessageInit {
  /** Message op code (default 1). */
  readonly op?: number;
  /** Hardware address type (default 1). */
  readonly htype?: number;
  /** Must match the length of `chaddr` when given. */
  readonly hlen?: number;
  /** Relay hops. */
  readonly hops?: number;
  /** Transaction ID. */
  readonly xid?: number;
  /** Seconds elapsed. */
  readonly secs?: number;
  /** Flag bits; the broadcast bit is also set by `broadcast: true`. */
  readonly flags?: number;
  /** Sets the broadcast bit. */
  readonly broadcast?: boolean;
  /** Client IP address. */
  readonly ciaddr?: string;
  /** "Your" IP address. */
  readonly yiaddr?: string;
  /** Next server IP address. */
  readonly siaddr?: string;
  /** Relay agent IP address. */
  readonly giaddr?: string;
  /** Client hardware address: hex bytes, optionally colon-separated. */
  readonly chaddr?: string;
  /** Server host name (at most 64 bytes). */
  readonly sname?: string;
  /** Boot file name (at most 128 bytes). */
  readonly file?: string;
  /** Write the magic cookie (default true); false builds plain BOOTP. */
  readonly magicCookie?: boolean;
  /** Plain BOOTP only: the vendor area. */
  readonly vendor?: Uint8Array;
  /** The options, written in order into the area each names. */
  readonly options?: readonly Dhcpv4Option[];
  /** Write the End option (default true). */
  readonly end?: boolean;
  /** Zero bytes to write after the End option. */
  readonly padding?: number;
}

/**
 * Options of {@linkcode buildDhcpv4}.
 *
 * @example
 * ```ts
 * import type { BuildDhcpv4Options } from "./dhcpv4.ts";
 *
 * const options: BuildDhcpv4Options = { maxLength: 576 };
 * ```
 */
export interface BuildDhcpv4Options {
  /**
   * Largest message to produce. When the options field would make the
   * message longer, trailing options move into `file`, then `sname`, and an
   * Option Overload is added (RFC 2131 section 4.1); a `RangeError` says so
   * if they still do not fit. Without it no overload is added.
   */
  readonly maxLength?: number;
}

/**
 * A bare option sequence, parsed.
 *
 * @example
 * ```ts
 * import { type Dhcpv4OptionList, parseDhcpv4Options } from "./dhcpv4.ts";
 *
 * const list: Dhcpv4OptionList = parseDhcpv4Options(new Uint8Array([53, 1, 1, 255]));
 * if (list.options[0]?.name !== "message-type") throw new Error();
 * ```
 */
export interface Dhcpv4OptionList {
  /** The options, concatenated per code (RFC 3396). */
  readonly options: readonly Dhcpv4Option[];
  /** Options left out because their body was malformed. */
  readonly skipped: readonly SkippedItem[];
}

// ---------------------------------------------------------------------------
// Parsing

/**
 * Parses a DHCPv4 or BOOTP message: the payload of a UDP datagram to or from
 * port 67 or 68.
 *
 * @example Overload and concatenation
 * ```ts
 * import { parseDhcpv4 } from "./dhcpv4.ts";
 *
 * const bytes = new Uint8Array(300);
 * bytes.set([2, 1, 6], 0); // BOOTREPLY, Ethernet, hlen 6
 * bytes.set([6, 4, 192, 0, 2, 54, 255], 108); // file: DNS part 2, End
 * bytes.set([99, 130, 83, 99], 236); // magic cookie
 * bytes.set([53, 1, 5, 52, 1, 1, 6, 4, 192, 0, 2, 53, 255], 240);
 * const message = parseDhcpv4(bytes);
 * const dns = message.options.find((o) => o.type === 6);
 * if (dns?.name !== "domain-name-server") throw new Error();
 * if (dns.addresses.join() !== "192.0.2.53,192.0.2.54") throw new Error();
 * ```
 *
 * @example A rejected message
 * ```ts
 * import { parseDhcpv4 } from "./dhcpv4.ts";
 *
 * try {
 *   parseDhcpv4(new Uint8Array(100));
 *   throw new Error("accepted");
 * } catch (error) {
 *   if (!(error instanceof SyntaxError)) throw error;
 *   // Cannot parse DHCPv4 message: message of 100 bytes is shorter than the 236-byte BOOTP header
 * }
 * ```
 *
 * @param bytes The UDP payload.
 * @returns The message.
 * @throws {SyntaxError} If the bytes cannot be walked: shorter than the
 * header, hlen over 16, or an option overrunning its area; `cause` is a
 * `CoreErrorCause` with the byte offset.
 */
export function parseDhcpv4(bytes: Uint8Array): Dhcpv4Message {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError("Cannot parse DHCPv4 message: expected a Uint8Array");
  }
  const stream = callCore(coreWasm, {
    action: "parse DHCPv4 message",
    input: bytes,
    invoke: (len) => coreWasm.parseDhcpv4(len),
    decode: (result) => copyRecords(result, bytes),
    detail: (detail, offset) => errorText(detail, offset, bytes),
  });
  return decodeMessage(stream);
}

/**
 * Parses a bare sequence of DHCPv4 options (no header, no cookie): Pad and
 * End are allowed, bytes after End are ignored, and option 52 overloads
 * nothing.
 *
 * @example
 * ```ts
 * import { parseDhcpv4Options } from "./dhcpv4.ts";
 *
 * // RFC 3397's example list, with a compression pointer.
 * const list = parseDhcpv4Options(new Uint8Array([
 *   119, 27,
 *   3, 0x65, 0x6e, 0x67, 5, 0x61, 0x70, 0x70, 0x6c, 0x65, 3, 0x63, 0x6f, 0x6d, 0,
 *   9, 0x6d, 0x61, 0x72, 0x6b, 0x65, 0x74, 0x69, 0x6e, 0x67, 0xc0, 4,
 * ]));
 * const option = list.options[0];
 * if (option?.name !== "domain-search") throw new Error();
 * if (option.domains.join() !== "eng.apple.com,marketing.apple.com") throw new Error();
 * ```
 *
 * @param bytes The options.
 * @returns The options and what was skipped.
 * @throws {SyntaxError} If an option overruns the bytes.
 */
export function parseDhcpv4Options(bytes: Uint8Array): Dhcpv4OptionList {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError("Cannot parse DHCPv4 options: expected a Uint8Array");
  }
  const stream = callCore(coreWasm, {
    action: "parse DHCPv4 options",
    input: bytes,
    invoke: (len) => coreWasm.parseDhcpv4Options(len),
    decode: (result) => copyRecords(result, bytes),
    detail: (detail, offset) => errorText(detail, offset, bytes),
  });
  const options: Dhcpv4Option[] = [];
  const skipped: SkippedItem[] = [];
  for (let i = 0; i < stream.count; i = stream.next(i)) {
    decodeTopLevel(stream, i, options, skipped);
  }
  return { options, skipped };
}

const AREAS: readonly Dhcpv4Area[] = ["options", "file", "sname"];

function decodeMessage(stream: RecordStream): Dhcpv4Message {
  if (stream.count === 0 || stream.tag(0) !== TAG_MESSAGE) {
    throw new Error("Cannot decode DHCPv4 records: the first record is not the message");
  }
  const input = stream.input;
  const view = stream.data;
  const flagsRecord = stream.a(0);
  const overload = (flagsRecord >> 8) & 3;
  const magicCookie = (flagsRecord & MESSAGE_COOKIE) !== 0;
  const options: Dhcpv4Option[] = [];
  const skipped: SkippedItem[] = [];
  for (let i = 1; i < stream.count; i = stream.next(i)) {
    decodeTopLevel(stream, i, options, skipped);
  }
  const hlen = input[2]!;
  const htype = input[1]!;
  const flags = view.getUint16(10);
  const chaddrBytes = input.subarray(28, 28 + hlen);
  const type = options.find((o) => o.name === "message-type");
  const optionsEnd = stream.b(0);
  const message: Dhcpv4Message = {
    op: input[0]!,
    htype,
    hlen,
    hops: input[3]!,
    xid: view.getUint32(4),
    secs: view.getUint16(8),
    flags,
    broadcast: (flags & 0x8000) !== 0,
    ciaddr: ipv4At(input, 12),
    yiaddr: ipv4At(input, 16),
    siaddr: ipv4At(input, 20),
    giaddr: ipv4At(input, 24),
    chaddr: htype === 1 && hlen === 6 ? hex(chaddrBytes, ":") : hex(chaddrBytes, ""),
    sname: (overload & 2) !== 0 ? "" : cString(input.subarray(44, 108)),
    file: (overload & 1) !== 0 ? "" : cString(input.subarray(108, 236)),
    magicCookie,
    ...(magicCookie ? {} : { vendor: input.slice(236) }),
    ...(type ? { messageType: messageTypeOf(type.messageType) } : {}),
    options,
    end: (flagsRecord & MESSAGE_END) !== 0,
    padding: magicCookie ? input.length - optionsEnd : 0,
    skipped,
  };
  return message;
}

function messageTypeOf(type: number): Dhcpv4MessageType {
  return { type, name: DHCPV4_MESSAGE_TYPES[type] ?? "unknown" };
}

/** Decodes the record at `i` (an option or a top-level skip) into the lists. */
function decodeTopLevel(
  stream: RecordStream,
  i: number,
  options: Dhcpv4Option[],
  skipped: SkippedItem[],
): void {
  const tag = stream.tag(i);
  if (tag === TAG_SKIPPED) {
    skipped.push(skippedItem(stream, i, stream.bytes(i, 2)));
    return;
  }
  if (tag !== TAG_OPTION) return;
  const parts: Uint8Array[] = [];
  let skip = -1;
  for (let j = i + 1; j < stream.next(i); j = stream.next(j)) {
    if (stream.tag(j) === TAG_PART) parts.push(stream.bytes(j));
    else if (stream.tag(j) === TAG_SKIPPED) skip = j;
  }
  const data = parts.length === 1 ? parts[0]! : concat(parts);
  if (skip >= 0) {
    skipped.push(skippedItem(stream, skip, data));
    return;
  }
  const source = AREAS[stream.b(i)] ?? "options";
  options.push(decodeOption(stream.code(i), data, source));
}

function skippedItem(stream: RecordStream, i: number, data: Uint8Array): SkippedItem {
  const offset = stream.start(i);
  const type = stream.a(i);
  return {
    offset,
    length: stream.length(i),
    type,
    reason: skipText(stream.code(i), type, offset, stream.b(i), data),
  };
}

/** Turns validated option data into its typed object. */
function decodeOption(type: number, data: Uint8Array, source: Dhcpv4Area): Dhcpv4Option {
  switch (type) {
    case 1:
      return { name: "subnet-mask", type: 1, mask: ipv4At(data, 0), source };
    case 3:
      return { name: "router", type: 3, addresses: ipv4List(data), source };
    case 6:
      return { name: "domain-name-server", type: 6, addresses: ipv4List(data), source };
    case 12:
      return { name: "host-name", type: 12, hostName: latin1(stripNuls(data)), source };
    case 15:
      return { name: "domain-name", type: 15, domain: normaliseDomain(latin1(data)), source };
    case 26:
      return { name: "interface-mtu", type: 26, mtu: u16(data, 0), source };
    case 28:
      return { name: "broadcast-address", type: 28, address: ipv4At(data, 0), source };
    case 50:
      return { name: "requested-address", type: 50, address: ipv4At(data, 0), source };
    case 51:
      return { name: "lease-time", type: 51, seconds: seconds(data), source };
    case 52:
      return { name: "overload", type: 52, overload: data[0] as 1 | 2 | 3, source };
    case 53:
      return { name: "message-type", type: 53, messageType: data[0]!, source };
    case 54:
      return { name: "server-identifier", type: 54, address: ipv4At(data, 0), source };
    case 55:
      return { name: "parameter-request-list", type: 55, codes: [...data], source };
    case 57:
      return { name: "max-message-size", type: 57, size: u16(data, 0), source };
    case 58:
      return { name: "renewal-time", type: 58, seconds: seconds(data), source };
    case 59:
      return { name: "rebinding-time", type: 59, seconds: seconds(data), source };
    case 60:
      return { name: "vendor-class", type: 60, identifier: latin1(data), source };
    case 61:
      return { name: "client-identifier", type: 61, identifierType: data[0]!, identifier: data.slice(1), source };
    case 114:
      return { name: "captive-portal", type: 114, uri: latin1(data), source };
    case 119:
      return { name: "domain-search", type: 119, domains: decodeDomainList(data), source };
    case 121:
      return { name: "classless-static-routes", type: 121, routes: decodeRoutes(data), source };
    case 162:
      return { name: "dnr", type: 162, instances: decodeDnr(data), source };
  }
  return { name: "raw", type, data: data.slice(), source };
}

// ---------------------------------------------------------------------------
// Field decoding helpers (the core validated every length they rely on)

function u16(data: Uint8Array, at: number): number {
  return ((data[at] ?? 0) << 8) | (data[at + 1] ?? 0);
}

function u32(data: Uint8Array, at: number): number {
  return (u16(data, at) * 0x10000) + u16(data, at + 2);
}

function seconds(data: Uint8Array): number {
  const value = u32(data, 0);
  return value === 0xffffffff ? Infinity : value;
}

function ipv4At(data: Uint8Array, at: number): string {
  return ipv4Text(data, at);
}

function ipv4List(data: Uint8Array): string[] {
  const addresses: string[] = [];
  for (let at = 0; at + 4 <= data.length; at += 4) addresses.push(ipv4At(data, at));
  return addresses;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function hex(bytes: Uint8Array, separator: string): string {
  return hexText(bytes, separator);
}

/** One character per byte: lossless, so that text builds back to the bytes. */
function latin1(bytes: Uint8Array): string {
  return latin1Text(bytes, 0, bytes.length);
}

/** Text up to the first NUL byte (RFC 951 fields are NUL-terminated). */
function cString(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return latin1(nul < 0 ? bytes : bytes.subarray(0, nul));
}

function stripNuls(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return bytes.subarray(0, end);
}

function lowerAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/**
 * Lowercase, without the trailing dot. NULs and dots are trimmed together
 * ("example.com.\0"), so that the text builds back to bytes that parse to it.
 */
function normaliseDomain(text: string): string {
  return lowerAscii(text).replace(/[.\0]+$/, "");
}

/**
 * Reads the names of a domain search list (RFC 3397), following compression
 * pointers into the same data. The core has validated the list; the loop
 * bounds guard against a mismatch all the same.
 */
function decodeDomainList(data: Uint8Array): string[] {
  const names: string[] = [];
  let next = 0;
  while (next < data.length) {
    const labels: string[] = [];
    let at = next;
    let jumped = false;
    for (let steps = 0;; steps++) {
      if (steps > 1024) throw new Error("Cannot decode domain search list: too many steps");
      const length = data[at];
      if (length === undefined) throw new Error("Cannot decode domain search list: truncated");
      if (length === 0) {
        if (!jumped) next = at + 1;
        break;
      }
      if (length >= 0xc0) {
        if (!jumped) next = at + 2;
        jumped = true;
        at = ((length & 0x3f) << 8) | (data[at + 1] ?? 0);
        continue;
      }
      labels.push(latin1(data.subarray(at + 1, at + 1 + length)));
      at += 1 + length;
    }
    names.push(lowerAscii(labels.join(".")));
  }
  return names;
}

/** Reads an uncompressed name filling `data` (the DNR ADN). */
function decodePlainName(data: Uint8Array): string {
  const labels: string[] = [];
  let at = 0;
  while (at < data.length && data[at] !== 0) {
    const length = data[at]!;
    labels.push(latin1(data.subarray(at + 1, at + 1 + length)));
    at += 1 + length;
  }
  return lowerAscii(labels.join("."));
}

function decodeRoutes(data: Uint8Array): Dhcpv4ClasslessRoute[] {
  const routes: Dhcpv4ClasslessRoute[] = [];
  let at = 0;
  while (at < data.length) {
    const length = data[at]!;
    const significant = (length + 7) >> 3;
    const prefix = new Uint8Array(4);
    prefix.set(data.subarray(at + 1, at + 1 + significant));
    maskPrefix(prefix, length);
    routes.push({
      prefix: ipv4Text(prefix, 0),
      length,
      router: ipv4At(data, at + 1 + significant),
    });
    at += 1 + significant + 4;
  }
  return routes;
}

function decodeDnr(data: Uint8Array): Dhcpv4DnrInstance[] {
  const instances: Dhcpv4DnrInstance[] = [];
  let at = 0;
  while (at < data.length) {
    const end = at + 2 + u16(data, at);
    const priority = u16(data, at + 2);
    const adnLength = data[at + 4]!;
    let pos = at + 5;
    const adn = decodePlainName(data.subarray(pos, pos + adnLength));
    pos += adnLength;
    if (pos >= end) {
      instances.push({ priority, adn });
    } else {
      const addrLength = data[pos]!;
      const addresses = ipv4List(data.subarray(pos + 1, pos + 1 + addrLength));
      pos += 1 + addrLength;
      const svcParams: Dhcpv4SvcParam[] = [];
      while (pos < end) {
        const valueLength = u16(data, pos + 2);
        svcParams.push({ key: u16(data, pos), value: data.slice(pos + 4, pos + 4 + valueLength) });
        pos += 4 + valueLength;
      }
      instances.push({ priority, adn, addresses, svcParams });
    }
    at = end;
  }
  return instances;
}

// ---------------------------------------------------------------------------
// Building

/** Size of the fixed BOOTP header and of the fields that can overload. */
const HEADER_SIZE = 236;
const SNAME_SIZE = 64;
const FILE_SIZE = 128;
const COOKIE = [99, 130, 83, 99];
/** Largest data one option instance holds; longer data is split (RFC 3396). */
const MAX_INSTANCE = 255;

function buildError(what: string): RangeError {
  return new RangeError(`Cannot build DHCPv4 message: ${what}`);
}

/**
 * Encodes a DHCPv4 message: the 236-byte header, the magic cookie, the
 * options (each in the area its `source` names, data over 255 bytes split
 * into several instances as RFC 3396 describes) and the End
 * option, then `padding` zero bytes. For a parsed message,
 * `parseDhcpv4(buildDhcpv4(message))` equals `message` (less `skipped`),
 * and the bytes equal the original ones when those were canonical: no Pad
 * options, zero padding, no option split needlessly, unused header bytes
 * zero.
 *
 * @example Overloading when the options do not fit
 * ```ts
 * import { buildDhcpv4, parseDhcpv4 } from "./dhcpv4.ts";
 *
 * const bytes = buildDhcpv4({
 *   options: [
 *     { name: "message-type", type: 53, messageType: 1 },
 *     { name: "raw", type: 224, data: new Uint8Array(200) },
 *     { name: "raw", type: 225, data: new Uint8Array(100) },
 *   ],
 * }, { maxLength: 500 });
 * const message = parseDhcpv4(bytes);
 * if (bytes.length > 500) throw new Error();
 * if (message.options.find((o) => o.type === 225)?.source !== "file") throw new Error();
 * ```
 *
 * @param message The message; see {@linkcode Dhcpv4MessageInit} for defaults.
 * @param options `maxLength` to overload when the options do not fit.
 * @returns The UDP payload.
 * @throws {RangeError} If a field does not fit or an option value cannot be
 * encoded (an empty address list, an MTU under 68, an option placed in
 * `file` without an overload covering it, ...).
 * @throws {SyntaxError} If an address or `chaddr` is not valid text.
 */
export function buildDhcpv4(message: Dhcpv4MessageInit, options: BuildDhcpv4Options = {}): Uint8Array {
  const header = encodeHeader(message);
  const magicCookie = message.magicCookie ?? true;
  const list = message.options ?? [];
  if (!magicCookie) {
    if (list.length > 0) throw buildError("options need the magic cookie");
    const vendor = message.vendor ?? new Uint8Array(0);
    const out = new Uint8Array(HEADER_SIZE + vendor.length);
    out.set(header);
    out.set(vendor, HEADER_SIZE);
    return out;
  }
  if (message.vendor !== undefined) throw buildError("vendor is only for plain BOOTP without the magic cookie");
  const end = message.end ?? true;
  const padding = message.padding ?? 0;
  if (!Number.isInteger(padding) || padding < 0) throw buildError(`padding ${padding} is not a byte count`);
  if (!end && padding > 0) throw buildError("padding needs the End option");

  const byArea: Record<Dhcpv4Area, Dhcpv4Option[]> = { options: [], file: [], sname: [] };
  for (const option of list) byArea[option.source ?? "options"].push(option);
  let overloadOption = byArea.options.find((o) => o.name === "overload");
  for (const area of ["file", "sname"] as const) {
    if (byArea[area].some((o) => o.name === "overload")) throw buildError(`option overload cannot be in ${area}`);
  }
  let fields = { options: byArea.options, file: byArea.file, sname: byArea.sname };
  const trailer = (end ? 1 : 0) + padding;

  const encodedOptions = encodeOptionList(fields.options);
  let optionsBytes = encodedOptions;
  if (
    options.maxLength !== undefined &&
    HEADER_SIZE + 4 + encodedOptions.length + trailer > options.maxLength
  ) {
    if (overloadOption || fields.file.length > 0 || fields.sname.length > 0) {
      throw buildError(`the options do not fit in ${options.maxLength} bytes and the message already overloads`);
    }
    if ((message.sname ?? "") !== "" || (message.file ?? "") !== "") {
      throw buildError(`the options do not fit in ${options.maxLength} bytes and sname or file hold text`);
    }
    const moved = overloadFields(fields.options, options.maxLength - HEADER_SIZE - 4 - trailer);
    overloadOption = moved.overload;
    fields = moved;
    optionsBytes = encodeOptionList([...fields.options, moved.overload]);
  }
  const overload = overloadOption?.name === "overload" ? overloadOption.overload : 0;
  if (fields.file.length > 0 && (overload & 1) === 0) {
    throw buildError("options placed in file need an option overload of 1 or 3");
  }
  if (fields.sname.length > 0 && (overload & 2) === 0) {
    throw buildError("options placed in sname need an option overload of 2 or 3");
  }
  if ((overload & 1) !== 0 && (message.file ?? "") !== "") {
    throw buildError("file holds text but the overload gives it to options");
  }
  if ((overload & 2) !== 0 && (message.sname ?? "") !== "") {
    throw buildError("sname holds text but the overload gives it to options");
  }
  const overloaded = encodeOverloaded(fields.file, fields.sname, overload);
  if (overloaded.file) header.set(overloaded.file, 108);
  if (overloaded.sname) header.set(overloaded.sname, 44);
  const out = new Uint8Array(HEADER_SIZE + 4 + optionsBytes.length + trailer);
  out.set(header);
  out.set(COOKIE, HEADER_SIZE);
  out.set(optionsBytes, HEADER_SIZE + 4);
  if (end) out[HEADER_SIZE + 4 + optionsBytes.length] = 255;
  return out;
}

/**
 * Encodes a bare sequence of options (each split into instances of at most
 * 255 bytes), optionally followed by End.
 *
 * @example
 * ```ts
 * import { buildDhcpv4Options } from "./dhcpv4.ts";
 *
 * const bytes = buildDhcpv4Options([{ name: "interface-mtu", type: 26, mtu: 1500 }], { end: true });
 * if (bytes.join() !== "26,2,5,220,255") throw new Error(bytes.join());
 * ```
 *
 * @param options The options; `source` must be absent or `"options"`.
 * @param settings `end: true` to append the End option.
 * @returns The bytes.
 * @throws {RangeError} If an option value cannot be encoded.
 */
export function buildDhcpv4Options(
  options: readonly Dhcpv4Option[],
  settings: { readonly end?: boolean } = {},
): Uint8Array {
  for (const option of options) {
    if ((option.source ?? "options") !== "options") {
      throw buildError(`option ${option.type} is placed in ${option.source}, which a bare sequence lacks`);
    }
  }
  const bytes = encodeOptionList(options);
  if (!settings.end) return bytes;
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  out[bytes.length] = 255;
  return out;
}

/** Moves trailing options into file, then sname, to fit `room` bytes. */
function overloadFields(
  list: readonly Dhcpv4Option[],
  room: number,
): { options: Dhcpv4Option[]; file: Dhcpv4Option[]; sname: Dhcpv4Option[]; overload: Dhcpv4OverloadOption } {
  const sizes = list.map((o) => encodeOptionList([o]).length);
  const overloadSize = 3;
  // Keep the longest prefix that fits with the overload option beside it.
  let kept = 0;
  let used = overloadSize;
  while (kept < list.length && used + sizes[kept]! <= room) used += sizes[kept++]!;
  if (used > room) throw buildError(`the options do not fit in ${room} bytes even with overload`);
  // Then fill file (leaving a byte for End) and sname, in order.
  let at = kept;
  let fileUsed = 0;
  while (at < list.length && fileUsed + sizes[at]! <= FILE_SIZE - 1) fileUsed += sizes[at++]!;
  const fileEnd = at;
  let snameUsed = 0;
  while (at < list.length && snameUsed + sizes[at]! <= SNAME_SIZE - 1) snameUsed += sizes[at++]!;
  if (at < list.length) throw buildError("the options do not fit even with file and sname overloaded");
  const value = (fileEnd > kept ? 1 : 0) | (at > fileEnd ? 2 : 0);
  const place = (o: Dhcpv4Option, source: Dhcpv4Area) => ({ ...o, source }) as Dhcpv4Option;
  return {
    options: list.slice(0, kept).map((o) => place(o, "options")),
    file: list.slice(kept, fileEnd).map((o) => place(o, "file")),
    sname: list.slice(fileEnd, at).map((o) => place(o, "sname")),
    overload: { name: "overload", type: 52, overload: (value || 1) as 1 | 2 | 3, source: "options" },
  };
}

/**
 * Writes the options placed in `file` and `sname`. The options read as one
 * stream, file first (RFC 2131 section 4.1), so an option placed in `file`
 * that does not fit there continues in `sname` as a further instance (RFC
 * 3396), as a parsed message's options may. Each field ends with End when
 * there is room for it (a field filled exactly needs none) and zeros.
 */
function encodeOverloaded(
  file: readonly Dhcpv4Option[],
  sname: readonly Dhcpv4Option[],
  overload: number,
): { file?: Uint8Array; sname?: Uint8Array } {
  const fields: { bytes: Uint8Array; used: number }[] = [];
  if ((overload & 1) !== 0) fields.push({ bytes: new Uint8Array(FILE_SIZE), used: 0 });
  if ((overload & 2) !== 0) fields.push({ bytes: new Uint8Array(SNAME_SIZE), used: 0 });
  let current = 0;
  const place = (option: Dhcpv4Option) => {
    const type = byte(option.type, "option type");
    const data = encodeOptionData(option);
    let at = 0;
    let started = false;
    // Each turn writes a piece or moves to the next field: bounded.
    while (!started || at < data.length) {
      const field = fields[current];
      if (field === undefined) throw buildError("the options placed in file and sname do not fit there");
      const room = field.bytes.length - field.used;
      const piece = Math.min(room - 2, data.length - at, MAX_INSTANCE);
      // An option not started yet may take a zero-length first instance,
      // so that it starts in the field it was placed in.
      if (piece > 0 || (piece === 0 && !started)) {
        field.bytes[field.used] = type;
        field.bytes[field.used + 1] = piece;
        field.bytes.set(data.subarray(at, at + piece), field.used + 2);
        field.used += 2 + piece;
        at += piece;
        started = true;
      } else {
        current++;
      }
    }
  };
  for (const option of file) place(option);
  // Options placed in sname start there, after any spill-over from file.
  if ((overload & 2) !== 0) current = fields.length - 1;
  for (const option of sname) place(option);
  for (const field of fields) {
    if (field.used < field.bytes.length) field.bytes[field.used] = 255;
  }
  const result: { file?: Uint8Array; sname?: Uint8Array } = {};
  if ((overload & 1) !== 0) result.file = fields[0]!.bytes;
  if ((overload & 2) !== 0) result.sname = fields[fields.length - 1]!.bytes;
  return result;
}

function encodeHeader(message: Dhcpv4MessageInit): Uint8Array {
  const header = new Uint8Array(HEADER_SIZE);
  const view = new DataView(header.buffer);
  header[0] = byte(message.op ?? 1, "op");
  header[1] = byte(message.htype ?? 1, "htype");
  const chaddr = hexBytes(message.chaddr ?? "");
  if (chaddr.length > 16) throw buildError(`chaddr has ${chaddr.length} bytes, over 16`);
  if (message.hlen !== undefined && message.hlen !== chaddr.length) {
    throw buildError(`hlen ${message.hlen} does not match the ${chaddr.length} bytes of chaddr`);
  }
  header[2] = chaddr.length;
  header[3] = byte(message.hops ?? 0, "hops");
  view.setUint32(4, integer(message.xid ?? 0, 0xffffffff, "xid"));
  view.setUint16(8, integer(message.secs ?? 0, 0xffff, "secs"));
  view.setUint16(10, integer(message.flags ?? 0, 0xffff, "flags") | (message.broadcast ? 0x8000 : 0));
  header.set(ipv4Bytes(message.ciaddr ?? "0.0.0.0"), 12);
  header.set(ipv4Bytes(message.yiaddr ?? "0.0.0.0"), 16);
  header.set(ipv4Bytes(message.siaddr ?? "0.0.0.0"), 20);
  header.set(ipv4Bytes(message.giaddr ?? "0.0.0.0"), 24);
  header.set(chaddr, 28);
  header.set(textField(message.sname ?? "", SNAME_SIZE, "sname"), 44);
  header.set(textField(message.file ?? "", FILE_SIZE, "file"), 108);
  return header;
}

function integer(value: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw buildError(`${what} ${value} is not an integer from 0 to ${max}`);
  }
  return value;
}

function byte(value: number, what: string): number {
  return integer(value, 255, what);
}

function hexBytes(text: string): Uint8Array {
  const digits = text.replaceAll(":", "");
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(digits)) {
    throw new SyntaxError(`Cannot build DHCPv4 message: chaddr ${JSON.stringify(text)} is not hex bytes`);
  }
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function latin1Bytes(text: string, what: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) throw buildError(`${what} has a character beyond U+00FF at index ${i}`);
    out[i] = code;
  }
  return out;
}

function textField(text: string, size: number, what: string): Uint8Array {
  const bytes = latin1Bytes(text, what);
  if (bytes.length > size) throw buildError(`${what} has ${bytes.length} bytes, over ${size}`);
  return bytes;
}

/** Encodes options in order, each split into instances of at most 255 bytes. */
function encodeOptionList(list: readonly Dhcpv4Option[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const option of list) {
    const type = byte(option.type, "option type");
    if (type === 0 || type === 255) throw buildError(`option type ${type} is Pad or End, not an option`);
    const data = encodeOptionData(option);
    // RFC 3396: data too long for one instance goes into several
    // instances of the same code, in order.
    let at = 0;
    do {
      const piece = data.subarray(at, at + MAX_INSTANCE);
      const instance = new Uint8Array(2 + piece.length);
      instance[0] = type;
      instance[1] = piece.length;
      instance.set(piece, 2);
      chunks.push(instance);
      at += MAX_INSTANCE;
    } while (at < data.length);
  }
  return concat(chunks);
}

function expectType(option: Dhcpv4Option, types: readonly number[]): void {
  if (!types.includes(option.type)) {
    throw buildError(`option ${option.name} has type ${option.type}, not ${types.join(" or ")}`);
  }
}

/** NVT ASCII text, never empty: "" is sent as one NUL (parsed back as ""). */
function nvtText(text: string, what: string): Uint8Array {
  return text === "" ? new Uint8Array(1) : latin1Bytes(text, what);
}

function encodeOptionData(option: Dhcpv4Option): Uint8Array {
  switch (option.name) {
    case "subnet-mask":
      expectType(option, [1]);
      return ipv4Bytes(option.mask);
    case "router":
    case "domain-name-server":
      expectType(option, [option.name === "router" ? 3 : 6]);
      if (option.addresses.length === 0) throw buildError(`option ${option.name} needs at least one address`);
      return concat(option.addresses.map(ipv4Bytes));
    case "broadcast-address":
    case "requested-address":
    case "server-identifier":
      expectType(option, [{ "broadcast-address": 28, "requested-address": 50, "server-identifier": 54 }[option.name]]);
      return ipv4Bytes(option.address);
    case "host-name":
      expectType(option, [12]);
      return nvtText(option.hostName, "host-name");
    case "domain-name":
      expectType(option, [15]);
      return nvtText(option.domain, "domain-name");
    case "interface-mtu": {
      expectType(option, [26]);
      const mtu = integer(option.mtu, 0xffff, "interface-mtu");
      if (mtu < 68) throw buildError(`interface-mtu ${mtu} is less than 68`);
      return new Uint8Array([mtu >> 8, mtu & 0xff]);
    }
    case "lease-time":
    case "renewal-time":
    case "rebinding-time": {
      expectType(option, [{ "lease-time": 51, "renewal-time": 58, "rebinding-time": 59 }[option.name]]);
      const value = option.seconds === Infinity ? 0xffffffff : integer(option.seconds, 0xffffffff, option.name);
      const out = new Uint8Array(4);
      new DataView(out.buffer).setUint32(0, value);
      return out;
    }
    case "overload":
      expectType(option, [52]);
      if (![1, 2, 3].includes(option.overload)) throw buildError(`overload ${option.overload} is not 1, 2 or 3`);
      return new Uint8Array([option.overload]);
    case "message-type":
      expectType(option, [53]);
      return new Uint8Array([byte(option.messageType, "message-type")]);
    case "parameter-request-list":
      expectType(option, [55]);
      if (option.codes.length === 0) throw buildError("parameter-request-list needs at least one code");
      return new Uint8Array(option.codes.map((code) => byte(code, "parameter-request-list code")));
    case "max-message-size": {
      expectType(option, [57]);
      const size = integer(option.size, 0xffff, "max-message-size");
      if (size < 576) throw buildError(`max-message-size ${size} is less than 576`);
      return new Uint8Array([size >> 8, size & 0xff]);
    }
    case "vendor-class":
      expectType(option, [60]);
      if (option.identifier === "") throw buildError("vendor-class needs at least one byte");
      return latin1Bytes(option.identifier, "vendor-class");
    case "client-identifier": {
      expectType(option, [61]);
      if (option.identifier.length === 0) throw buildError("client-identifier needs at least one byte after its type");
      const out = new Uint8Array(1 + option.identifier.length);
      out[0] = byte(option.identifierType, "client-identifier type");
      out.set(option.identifier, 1);
      return out;
    }
    case "captive-portal":
      expectType(option, [114]);
      if (option.uri === "") throw buildError("captive-portal needs a URI");
      return latin1Bytes(option.uri, "captive-portal");
    case "domain-search":
      expectType(option, [119]);
      if (option.domains.length === 0) throw buildError("domain-search needs at least one domain");
      return encodeDomainList(option.domains);
    case "classless-static-routes":
      expectType(option, [121]);
      if (option.routes.length === 0) throw buildError("classless-static-routes needs at least one route");
      return concat(option.routes.map(encodeRoute));
    case "dnr":
      expectType(option, [162]);
      if (option.instances.length === 0) throw buildError("dnr needs at least one instance");
      return concat(option.instances.map(encodeDnrInstance));
    case "raw":
      if (!(option.data instanceof Uint8Array)) {
        throw new TypeError("Cannot build DHCPv4 message: raw data must be a Uint8Array");
      }
      return option.data;
  }
  throw new TypeError(
    `Cannot build DHCPv4 message: unknown option name ${JSON.stringify((option as { name: unknown }).name)}`,
  );
}

/** The labels of a name, checked as the parser checks them. */
function nameLabels(name: string, what: string): Uint8Array[] {
  if (name === "") return [];
  const labels = lowerAscii(name).split(".").map((label) => latin1Bytes(label, what));
  let wire = 1;
  for (const label of labels) {
    if (label.length === 0 || label.length > 63) {
      throw buildError(`${what} ${JSON.stringify(name)} has a label of ${label.length} bytes`);
    }
    if (label.some((c) => c < 0x21 || c > 0x7e)) {
      throw buildError(`${what} ${JSON.stringify(name)} has a byte that is not visible ASCII`);
    }
    wire += 1 + label.length;
  }
  if (wire > 255) throw buildError(`${what} ${JSON.stringify(name)} is longer than 255 bytes`);
  return labels;
}

/**
 * Encodes a search list, pointing each name's longest already-written
 * suffix as RFC 1035 section 4.1.4 does (offsets below 0x4000 only).
 */
function encodeDomainList(domains: readonly string[]): Uint8Array {
  const out: number[] = [];
  const suffixes = new Map<string, number>();
  for (const domain of domains) {
    const labels = nameLabels(domain, "domain-search name");
    const texts = labels.map(latin1);
    let i = 0;
    for (; i < labels.length; i++) {
      const suffix = texts.slice(i).join(".");
      const earlier = suffixes.get(suffix);
      if (earlier !== undefined) {
        out.push(0xc0 | (earlier >> 8), earlier & 0xff);
        break;
      }
      if (out.length < 0x4000) suffixes.set(suffix, out.length);
      out.push(labels[i]!.length, ...labels[i]!);
    }
    if (i === labels.length) out.push(0);
  }
  return new Uint8Array(out);
}

function encodeRoute(route: Dhcpv4ClasslessRoute): Uint8Array {
  const length = integer(route.length, 32, "classless route length");
  const prefix = ipv4Bytes(route.prefix);
  const masked = prefix.slice();
  maskPrefix(masked, length);
  if (masked.some((b, i) => b !== prefix[i])) {
    throw buildError(`route ${route.prefix}/${length} has bits set past its length`);
  }
  const significant = (length + 7) >> 3;
  const out = new Uint8Array(1 + significant + 4);
  out[0] = length;
  out.set(prefix.subarray(0, significant), 1);
  out.set(ipv4Bytes(route.router), 1 + significant);
  return out;
}

function encodeDnrInstance(instance: Dhcpv4DnrInstance): Uint8Array {
  const labels = nameLabels(instance.adn, "dnr authentication domain name");
  if (labels.length === 0) throw buildError("dnr authentication domain name is empty");
  const adn = concat([...labels.map((l) => concat([new Uint8Array([l.length]), l])), new Uint8Array(1)]);
  const body: Uint8Array[] = [
    new Uint8Array([0, 0, 0, 0, adn.length]),
    adn,
  ];
  new DataView(body[0]!.buffer).setUint16(2, integer(instance.priority, 0xffff, "dnr priority"));
  if (instance.addresses === undefined) {
    if (instance.svcParams !== undefined && instance.svcParams.length > 0) {
      throw buildError("dnr svcParams need addresses (ADN-only mode has none)");
    }
  } else {
    if (instance.addresses.length === 0 || instance.addresses.length > 63) {
      throw buildError(`dnr instance has ${instance.addresses.length} addresses, not 1 to 63`);
    }
    body.push(new Uint8Array([4 * instance.addresses.length]), ...instance.addresses.map(ipv4Bytes));
    for (const param of instance.svcParams ?? []) {
      const head = new Uint8Array(4);
      const view = new DataView(head.buffer);
      view.setUint16(0, integer(param.key, 0xffff, "svcParam key"));
      view.setUint16(2, integer(param.value.length, 0xffff, "svcParam length"));
      body.push(head, param.value);
    }
  }
  const data = concat(body);
  const length = integer(data.length - 2, 0xffff, "dnr instance length");
  new DataView(data.buffer).setUint16(0, length);
  return data;
}
