/**
 * rtnetlink messages, as a `NETLINK_ROUTE` socket delivers them (Linux
 * `include/uapi/linux/netlink.h`, `rtnetlink.h`, `if_link.h`, `if_addr.h`):
 * parsed in the WebAssembly core (`core-as/assembly/netlink.ts`) into typed
 * objects, and built back into bytes, with the dump requests a host adapter
 * sends.
 *
 * {@linkcode parseNetlinkMessages} takes the bytes of one `recv()`: several
 * messages, each padded to 4 bytes. It understands links
 * (`RTM_NEWLINK`/`RTM_DELLINK`), addresses (`RTM_NEWADDR`/`RTM_DELADDR`),
 * routes (`RTM_NEWROUTE`/`RTM_DELROUTE`), the Router Advertisement options
 * the kernel forwards to userspace (`RTM_NEWNDUSEROPT`, whose ND options are
 * parsed by {@linkcode parseNdOptions}), `NLMSG_DONE` and `NLMSG_ERROR`;
 * anything else is kept raw as an `"other"` message.
 *
 * Netlink is in the host's byte order; the core reads it little-endian,
 * the order of every host Deno and Node run rtnetlink on (x86-64, aarch64,
 * riscv64). Addresses are canonical text (RFC 5952 for IPv6), link-layer
 * addresses lowercase colon-separated hex, lifetimes seconds with
 * `0xffffffff` as `Infinity`.
 *
 * Three outcomes for malformed input:
 * - framing that cannot be walked (fewer than 16 bytes left for a header, an
 *   `nlmsg_len` below 16 or past the end) throws a `SyntaxError`: a caller
 *   reading a socket treats it like an overrun and reads everything again;
 * - inside one message, attribute framing that cannot be walked (`nla_len`
 *   below 4 or past the end), a body shorter than its fixed header, or a
 *   known attribute of the wrong size is listed in the message's `skipped`;
 *   the rest of the message and the next messages are kept;
 * - unknown attributes are kept raw in the message's `attributes`.
 *
 * Runtime-neutral: no Deno or Node APIs.
 *
 * @example Parse what a link dump returned, build it back
 * ```ts
 * import { buildNetlinkMessages, parseNetlinkMessages } from "./netlink.ts";
 *
 * const bytes = buildNetlinkMessages([
 *   { type: "link", action: "new", family: 0, ifindex: 1, arphrdType: 772, flags: 0x10049, change: 0,
 *     name: "lo", mtu: 65536, operstate: "unknown" },
 *   { type: "done", status: 0 },
 * ]);
 * const [lo, done] = parseNetlinkMessages(bytes);
 * if (lo?.type !== "link" || lo.name !== "lo" || lo.mtu !== 65536) throw new Error();
 * if (done?.type !== "done") throw new Error();
 * ```
 *
 * @module
 */

import { callCore, CoreErrorCode } from "./_abi.ts";
import { copyRecords, type RecordStream, type SkippedItem, TAG_SKIPPED } from "./_records.ts";
import { hexText, ipv4Text, ipv6Text } from "./_text.ts";
import { coreWasm } from "./core_wasm.generated.ts";
import { parseIpAddress } from "./ip_address.ts";
import { buildNdOptions, type NdOption, parseNdOptions } from "./router_advertisement.ts";

export type { SkippedItem } from "./_records.ts";

// ---------------------------------------------------------------------------
// Mirror of core-as/assembly/netlink.ts: tags and detail identifiers.

/** Record tags (see core-as/assembly/netlink.ts for code/a/b of each). */
const TAG_MESSAGE = 0x0700;
const TAG_LINK = 0x0701;
const TAG_ADDRESS = 0x0702;
const TAG_ROUTE = 0x0703;
const TAG_ND_USER_OPTION = 0x0704;
const TAG_ND_OPTIONS = 0x0705;
const TAG_ERROR = 0x0706;
const TAG_DONE = 0x0707;
const TAG_ATTRIBUTE = 0x0708;

/** Detail identifiers of the core parser (0x700..0x7ff). */
const Detail = {
  TruncatedHeader: 0x700,
  MessageLength: 0x701,
  MessageOverrun: 0x702,
  ShortBody: 0x710,
  AttributeHeader: 0x711,
  AttributeLength: 0x712,
  AttributeOverrun: 0x713,
  AttributeSize: 0x714,
  UnterminatedString: 0x715,
  AttributeValue: 0x716,
  NdOptionsOverrun: 0x717,
  EchoOverrun: 0x718,
} as const;

// ---------------------------------------------------------------------------
// Wire constants (checked against the uapi headers of Linux 6.1)

/** struct nlmsghdr. */
const NLMSG_HDRLEN = 16;
/** struct nlattr. */
const NLA_HDRLEN = 4;
const NLA_TYPE_SHIFT = 14;

const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const RTM_NEWLINK = 16;
const RTM_DELLINK = 17;
const RTM_GETLINK = 18;
const RTM_NEWADDR = 20;
const RTM_DELADDR = 21;
const RTM_GETADDR = 22;
const RTM_NEWROUTE = 24;
const RTM_DELROUTE = 25;
const RTM_GETROUTE = 26;
const RTM_NEWNDUSEROPT = 68;

const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300;
const NLM_F_CAPPED = 0x100;
const NLM_F_ACK_TLVS = 0x200;

const AF_UNSPEC = 0;
const AF_INET = 2;
const AF_INET6 = 10;

const IFINFOMSG_SIZE = 16;
const IFADDRMSG_SIZE = 8;
const RTMSG_SIZE = 12;
const NDUSEROPTMSG_SIZE = 16;

const IFLA_ADDRESS = 1;
const IFLA_BROADCAST = 2;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFLA_OPERSTATE = 16;
const IFLA_LINKINFO = 18;
const IFLA_PERM_ADDRESS = 54;
const IFLA_INFO_KIND = 1;
const NLA_F_NESTED = 0x8000;

const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFA_LABEL = 3;
const IFA_BROADCAST = 4;
const IFA_ANYCAST = 5;
const IFA_CACHEINFO = 6;
const IFA_MULTICAST = 7;
const IFA_FLAGS = 8;

const RTA_DST = 1;
const RTA_SRC = 2;
const RTA_OIF = 4;
const RTA_GATEWAY = 5;
const RTA_PRIORITY = 6;
const RTA_PREFSRC = 7;
const RTA_TABLE = 15;
const RTA_PREF = 20;
/** rtm_table of a route whose table id needs RTA_TABLE (RT_TABLE_COMPAT). */
const RT_TABLE_COMPAT = 252;

const NDUSEROPT_SRCADDR = 1;
const NLMSGERR_ATTR_MSG = 1;
const NLMSGERR_ATTR_OFFS = 2;

/** An infinite lifetime in struct ifa_cacheinfo. */
const INFINITY_LIFE_TIME = 0xffffffff;

/** IF_OPER_* of if.h, by value (RFC 2863 states). */
const OPERSTATES: readonly LinkOperState[] = [
  "unknown",
  "notpresent",
  "down",
  "lowerlayerdown",
  "testing",
  "dormant",
  "up",
];

/** RTA_PREF values (ICMPV6_ROUTER_PREF_* of icmpv6.h; 2 is reserved). */
const PREFERENCES: Readonly<Record<number, RoutePreference>> = { 0: "medium", 1: "high", 3: "low" };
const PREFERENCE_VALUES: Readonly<Record<RoutePreference, number>> = { medium: 0, high: 1, low: 3 };

// ---------------------------------------------------------------------------
// Types

/**
 * The `struct nlmsghdr` fields of a message other than its length and type.
 *
 * @example
 * ```ts
 * import type { NetlinkHeader } from "./netlink.ts";
 *
 * // A part of a dump: NLM_F_MULTI, the request's sequence number, our port id.
 * const header: NetlinkHeader = { flags: 0x2, seq: 1, pid: 4242 };
 * if ((header.flags & 0x2) === 0) throw new Error();
 * ```
 */
export interface NetlinkHeader {
  /** `nlmsg_flags`: `NLM_F_MULTI` (0x2), `NLM_F_DUMP_INTR` (0x10), ... */
  readonly flags: number;
  /** `nlmsg_seq`: the sequence number of the request answered, 0 for notifications. */
  readonly seq: number;
  /** `nlmsg_pid`: the port id of the socket answered, 0 for notifications. */
  readonly pid: number;
}

/**
 * An attribute this parser does not interpret, kept raw.
 *
 * @example
 * ```ts
 * import type { NetlinkAttribute } from "./netlink.ts";
 *
 * const txqlen: NetlinkAttribute = { type: 13, data: new Uint8Array([0xe8, 0x03, 0, 0]) }; // IFLA_TXQLEN 1000
 * if (txqlen.data.length !== 4) throw new Error();
 * ```
 */
export interface NetlinkAttribute {
  /** `nla_type`, with its `NLA_F_NESTED` (0x8000) and `NLA_F_NET_BYTEORDER` (0x4000) bits. */
  readonly type: number;
  /** The payload, padding excluded (a copy). */
  readonly data: Uint8Array;
}

/**
 * The RFC 2863 operational state of a link, as `IFLA_OPERSTATE` carries it
 * (`IF_OPER_*` of `if.h`) and `/sys/class/net/<name>/operstate` names it.
 *
 * @example
 * ```ts
 * import type { LinkOperState } from "./netlink.ts";
 *
 * const states: LinkOperState[] = ["up", "lowerlayerdown"];
 * if (states.length !== 2) throw new Error();
 * ```
 */
export type LinkOperState = "unknown" | "notpresent" | "down" | "lowerlayerdown" | "testing" | "dormant" | "up";

/**
 * `RTM_NEWLINK` / `RTM_DELLINK`: a link (struct ifinfomsg and `IFLA_*`
 * attributes). Optional fields are present when their attribute was.
 *
 * @example
 * ```ts
 * import type { NetlinkLinkMessage } from "./netlink.ts";
 *
 * const eth0: NetlinkLinkMessage = {
 *   type: "link", action: "new", header: { flags: 0, seq: 0, pid: 0 },
 *   family: 0, ifindex: 2, arphrdType: 1, flags: 0x11043, change: 0,
 *   name: "eth0", mtu: 1500, linkLayerAddress: "02:fc:00:00:00:01", operstate: "up",
 *   attributes: [], skipped: [],
 * };
 * if (eth0.linkInfo !== undefined) throw new Error();
 * ```
 */
export interface NetlinkLinkMessage {
  /** A link. */
  readonly type: "link";
  /** `RTM_NEWLINK` (new or changed) or `RTM_DELLINK`. */
  readonly action: "new" | "delete";
  /** The message header. */
  readonly header: NetlinkHeader;
  /** `ifi_family`: `AF_UNSPEC` (0) from the kernel. */
  readonly family: number;
  /** `ifi_index`: the interface index. */
  readonly ifindex: number;
  /** `ifi_type`: the `ARPHRD_*` hardware type (1 Ethernet, 772 loopback, 65534 none). */
  readonly arphrdType: number;
  /** `ifi_flags`: `IFF_*` (0x1 up, 0x40 running, 0x10000 lower up, ...). */
  readonly flags: number;
  /** `ifi_change`: the flags that changed, in a notification. */
  readonly change: number;
  /** `IFLA_IFNAME`. */
  readonly name?: string;
  /** `IFLA_MTU`. */
  readonly mtu?: number;
  /** `IFLA_ADDRESS`: the link-layer address, lowercase colon-separated hex. */
  readonly linkLayerAddress?: string;
  /** `IFLA_BROADCAST`: the link-layer broadcast address. */
  readonly broadcastAddress?: string;
  /** `IFLA_PERM_ADDRESS`: the burnt-in link-layer address, when it differs from the current one. */
  readonly permanentAddress?: string;
  /** `IFLA_OPERSTATE`. */
  readonly operstate?: LinkOperState;
  /** `IFLA_LINKINFO`: the link's driver kind (`IFLA_INFO_KIND`: `veth`, `bridge`, `wireguard`, ...) and its other nested attributes, raw. */
  readonly linkInfo?: { readonly kind?: string; readonly attributes: readonly NetlinkAttribute[] };
  /** Attributes not interpreted, in order. */
  readonly attributes: readonly NetlinkAttribute[];
  /** Attributes or parts left out because they were malformed. */
  readonly skipped: readonly SkippedItem[];
}

/**
 * `IFA_CACHEINFO` (struct ifa_cacheinfo): lifetimes and timestamps of an
 * address.
 *
 * @example
 * ```ts
 * import type { AddressCacheInfo } from "./netlink.ts";
 *
 * const permanent: AddressCacheInfo = { preferredLifetime: Infinity, validLifetime: Infinity, created: 215, updated: 215 };
 * if (permanent.validLifetime !== Infinity) throw new Error();
 * ```
 */
export interface AddressCacheInfo {
  /** `ifa_prefered`: seconds left before the address is deprecated; `Infinity` for forever. */
  readonly preferredLifetime: number;
  /** `ifa_valid`: seconds left before the address is removed; `Infinity` for forever. */
  readonly validLifetime: number;
  /** `cstamp`: when the address was added, in hundredths of a second since boot. */
  readonly created: number;
  /** `tstamp`: when it was last updated, in hundredths of a second since boot. */
  readonly updated: number;
}

/**
 * `RTM_NEWADDR` / `RTM_DELADDR` of an IPv4 or IPv6 address (struct
 * ifaddrmsg and `IFA_*` attributes). Messages of other families are
 * `"other"` messages.
 *
 * @example
 * ```ts
 * import type { NetlinkAddressMessage } from "./netlink.ts";
 *
 * const address: NetlinkAddressMessage = {
 *   type: "address", action: "new", header: { flags: 0, seq: 0, pid: 0 },
 *   family: 6, prefixLength: 64, flags: 0x80, scope: 0, ifindex: 2, address: "fd00::2",
 *   cacheInfo: { preferredLifetime: Infinity, validLifetime: Infinity, created: 215, updated: 215 },
 *   attributes: [], skipped: [],
 * };
 * if (address.cacheInfo?.validLifetime !== Infinity) throw new Error();
 * ```
 */
export interface NetlinkAddressMessage {
  /** An address. */
  readonly type: "address";
  /** `RTM_NEWADDR` (added or changed) or `RTM_DELADDR`. */
  readonly action: "new" | "delete";
  /** The message header. */
  readonly header: NetlinkHeader;
  /** `ifa_family`: `AF_INET` as 4, `AF_INET6` as 6. */
  readonly family: 4 | 6;
  /** `ifa_prefixlen`. */
  readonly prefixLength: number;
  /** `IFA_F_*` flags: `IFA_FLAGS` when present (32 bits), else `ifa_flags` (8 bits). */
  readonly flags: number;
  /** `ifa_scope`: `RT_SCOPE_*` (0 universe, 200 site, 253 link, 254 host). */
  readonly scope: number;
  /** `ifa_index`: the link. */
  readonly ifindex: number;
  /** `IFA_ADDRESS`: the address (the peer's, on a point-to-point link with `local`). */
  readonly address?: string;
  /** `IFA_LOCAL`: the local address; IPv4 always has it. */
  readonly local?: string;
  /** `IFA_BROADCAST`. */
  readonly broadcast?: string;
  /** `IFA_ANYCAST`. */
  readonly anycast?: string;
  /** `IFA_MULTICAST`. */
  readonly multicast?: string;
  /** `IFA_LABEL`: the IPv4 label (`eth0`, `eth0:1`). */
  readonly label?: string;
  /** `IFA_CACHEINFO`. */
  readonly cacheInfo?: AddressCacheInfo;
  /** Attributes not interpreted, in order. */
  readonly attributes: readonly NetlinkAttribute[];
  /** Attributes or parts left out because they were malformed. */
  readonly skipped: readonly SkippedItem[];
}

/**
 * A route's router preference (`RTA_PREF`, RFC 4191 section 2.1).
 *
 * @example
 * ```ts
 * import type { RoutePreference } from "./netlink.ts";
 *
 * const preference: RoutePreference = "high";
 * if (preference !== "high") throw new Error();
 * ```
 */
export type RoutePreference = "low" | "medium" | "high";

/**
 * `RTM_NEWROUTE` / `RTM_DELROUTE` of an IPv4 or IPv6 route (struct rtmsg and
 * `RTA_*` attributes). Messages of other families are `"other"` messages.
 *
 * @example
 * ```ts
 * import type { NetlinkRouteMessage } from "./netlink.ts";
 *
 * const defaultRoute: NetlinkRouteMessage = {
 *   type: "route", action: "new", header: { flags: 0, seq: 0, pid: 0 },
 *   family: 6, prefixLength: 0, sourceLength: 0, tos: 0, table: 254, protocol: 9, scope: 0, routeType: 1, flags: 0,
 *   gateway: "fe80::1", outputIfindex: 2, priority: 1024, preference: "medium",
 *   attributes: [], skipped: [],
 * };
 * if (defaultRoute.destination !== undefined) throw new Error("a default route has no RTA_DST");
 * ```
 */
export interface NetlinkRouteMessage {
  /** A route. */
  readonly type: "route";
  /** `RTM_NEWROUTE` or `RTM_DELROUTE`. */
  readonly action: "new" | "delete";
  /** The message header. */
  readonly header: NetlinkHeader;
  /** `rtm_family`: `AF_INET` as 4, `AF_INET6` as 6. */
  readonly family: 4 | 6;
  /** `rtm_dst_len`: the destination prefix length; 0 for a default route. */
  readonly prefixLength: number;
  /** `rtm_src_len`: the source prefix length (source-specific routes). */
  readonly sourceLength: number;
  /** `rtm_tos`. */
  readonly tos: number;
  /** The table id: `RTA_TABLE` when present, else `rtm_table` (254 main, 255 local). */
  readonly table: number;
  /** `rtm_protocol`: who installed it (`RTPROT_*`: 2 kernel, 3 boot, 4 static, 9 RA, 16 DHCP). */
  readonly protocol: number;
  /** `rtm_scope`: `RT_SCOPE_*`. */
  readonly scope: number;
  /** `rtm_type`: `RTN_*` (1 unicast, 2 local, 6 blackhole, 7 unreachable, ...). */
  readonly routeType: number;
  /** `rtm_flags`: `RTM_F_*`. */
  readonly flags: number;
  /** `RTA_DST`: the destination prefix; absent for a default route. */
  readonly destination?: string;
  /** `RTA_SRC`: the source prefix of a source-specific route. */
  readonly source?: string;
  /** `RTA_GATEWAY`: the next hop; absent for an on-link route. */
  readonly gateway?: string;
  /** `RTA_PREFSRC`: the preferred source address. */
  readonly preferredSource?: string;
  /** `RTA_OIF`: the outgoing link. */
  readonly outputIfindex?: number;
  /** `RTA_PRIORITY`: the metric. */
  readonly priority?: number;
  /** `RTA_PREF`: the router preference of an IPv6 route. */
  readonly preference?: RoutePreference;
  /** Attributes not interpreted (`RTA_MULTIPATH`, `RTA_CACHEINFO`, ...), in order. */
  readonly attributes: readonly NetlinkAttribute[];
  /** Attributes or parts left out because they were malformed. */
  readonly skipped: readonly SkippedItem[];
}

/**
 * `RTM_NEWNDUSEROPT`: an option of a Router Advertisement the kernel
 * forwards to userspace (RDNSS, DNSSL, captive portal, PREF64, ...), one
 * option per message, with the router's address.
 *
 * @example
 * ```ts
 * import type { NetlinkNdUserOptionMessage } from "./netlink.ts";
 *
 * const rdnss: NetlinkNdUserOptionMessage = {
 *   type: "nd-user-option", header: { flags: 0, seq: 0, pid: 0 },
 *   family: 10, ifindex: 2, icmpType: 134, icmpCode: 0,
 *   options: [{ type: "rdnss", lifetime: 600, servers: ["2001:db8::53"] }], optionsSkipped: [],
 *   source: "fe80::1", attributes: [], skipped: [],
 * };
 * if (rdnss.options[0]?.type !== "rdnss") throw new Error();
 * ```
 */
export interface NetlinkNdUserOptionMessage {
  /** ND user options. */
  readonly type: "nd-user-option";
  /** The message header. */
  readonly header: NetlinkHeader;
  /** `nduseropt_family`: `AF_INET6` (10). */
  readonly family: number;
  /** `nduseropt_ifindex`: the link the RA arrived on. */
  readonly ifindex: number;
  /** `nduseropt_icmp_type`: 134 for a Router Advertisement. */
  readonly icmpType: number;
  /** `nduseropt_icmp_code`. */
  readonly icmpCode: number;
  /** The ND options, as {@linkcode parseNdOptions} returns them. */
  readonly options: readonly NdOption[];
  /** ND options {@linkcode parseNdOptions} left out; offsets count from the first option. */
  readonly optionsSkipped: readonly SkippedItem[];
  /** `NDUSEROPT_SRCADDR`: the router's address. */
  readonly source?: string;
  /** Attributes not interpreted, in order. */
  readonly attributes: readonly NetlinkAttribute[];
  /** Attributes or parts left out because they were malformed. */
  readonly skipped: readonly SkippedItem[];
}

/**
 * `NLMSG_DONE`: the end of a dump.
 *
 * @example
 * ```ts
 * import type { NetlinkDoneMessage } from "./netlink.ts";
 *
 * const done: NetlinkDoneMessage = { type: "done", header: { flags: 2, seq: 1, pid: 4242 }, status: 0, skipped: [] };
 * if (done.status !== 0) throw new Error();
 * ```
 */
export interface NetlinkDoneMessage {
  /** The end of a dump. */
  readonly type: "done";
  /** The message header. */
  readonly header: NetlinkHeader;
  /** The int it carries: 0, or a negative errno when the dump failed part way; absent when it carries none. */
  readonly status?: number;
  /** Parts left out because they were malformed (none today). */
  readonly skipped: readonly SkippedItem[];
}

/**
 * The request an `NLMSG_ERROR` echoes: its header, and its payload unless
 * the kernel capped the echo (`NLM_F_CAPPED`).
 *
 * @example
 * ```ts
 * import type { EchoedRequest } from "./netlink.ts";
 *
 * const request: EchoedRequest = { length: 32, messageType: 18, flags: 0x301, seq: 7, pid: 0, payload: new Uint8Array(0) };
 * if (request.messageType !== 18) throw new Error("RTM_GETLINK");
 * ```
 */
export interface EchoedRequest {
  /** Its `nlmsg_len` (larger than what is echoed when capped). */
  readonly length: number;
  /** Its `nlmsg_type`. */
  readonly messageType: number;
  /** Its `nlmsg_flags`. */
  readonly flags: number;
  /** Its `nlmsg_seq`. */
  readonly seq: number;
  /** Its `nlmsg_pid`. */
  readonly pid: number;
  /** What is echoed after its header (a copy). */
  readonly payload: Uint8Array;
}

/**
 * `NLMSG_ERROR`: a request failed (`error` is a negative errno) or is
 * acknowledged (`error` 0).
 *
 * @example
 * ```ts
 * import type { NetlinkErrorMessage } from "./netlink.ts";
 *
 * const denied: NetlinkErrorMessage = { type: "error", header: { flags: 0x100, seq: 7, pid: 4242 }, error: -1, attributes: [], skipped: [] };
 * if (denied.error !== -1) throw new Error("EPERM");
 * ```
 */
export interface NetlinkErrorMessage {
  /** An error or acknowledgement. */
  readonly type: "error";
  /** The message header. */
  readonly header: NetlinkHeader;
  /** A negative errno (`-1` EPERM, `-22` EINVAL, ...), or 0 for an acknowledgement. */
  readonly error: number;
  /** The request answered, when echoed. */
  readonly request?: EchoedRequest;
  /** `NLMSGERR_ATTR_MSG`: the kernel's explanation (extended ack). */
  readonly message?: string;
  /** `NLMSGERR_ATTR_OFFS`: where in the request the problem is. */
  readonly errorOffset?: number;
  /** Extended-ack attributes not interpreted. */
  readonly attributes: readonly NetlinkAttribute[];
  /** Parts left out because they were malformed. */
  readonly skipped: readonly SkippedItem[];
}

/**
 * Any other message: `NLMSG_NOOP`, `NLMSG_OVERRUN`, requests, other
 * families and types, and messages too short for their fixed header.
 *
 * @example
 * ```ts
 * import type { NetlinkOtherMessage } from "./netlink.ts";
 *
 * const noop: NetlinkOtherMessage = { type: "other", header: { flags: 0, seq: 0, pid: 0 }, messageType: 1, payload: new Uint8Array(0), skipped: [] };
 * if (noop.messageType !== 1) throw new Error();
 * ```
 */
export interface NetlinkOtherMessage {
  /** Not interpreted. */
  readonly type: "other";
  /** The message header. */
  readonly header: NetlinkHeader;
  /** `nlmsg_type`. */
  readonly messageType: number;
  /** Everything after the header (a copy). */
  readonly payload: Uint8Array;
  /** Why a message of a known type is here, when it is malformed. */
  readonly skipped: readonly SkippedItem[];
}

/**
 * One netlink message, by `type`.
 *
 * @example
 * ```ts
 * import { type NetlinkMessage, parseNetlinkMessages } from "./netlink.ts";
 *
 * const messages: NetlinkMessage[] = parseNetlinkMessages(new Uint8Array(0));
 * if (messages.length !== 0) throw new Error();
 * ```
 */
export type NetlinkMessage =
  | NetlinkLinkMessage
  | NetlinkAddressMessage
  | NetlinkRouteMessage
  | NetlinkNdUserOptionMessage
  | NetlinkDoneMessage
  | NetlinkErrorMessage
  | NetlinkOtherMessage;

/**
 * What {@linkcode buildNetlinkMessages} takes: a {@linkcode NetlinkMessage}
 * (a parsed one will do), whose `header` and raw `attributes` may be left
 * out.
 *
 * @example
 * ```ts
 * import type { NetlinkMessageInit } from "./netlink.ts";
 *
 * const done: NetlinkMessageInit = { type: "done", status: 0 };
 * if (done.type !== "done") throw new Error();
 * ```
 */
export type NetlinkMessageInit = NetlinkMessage extends infer M ? M extends NetlinkMessage ?
      & Omit<M, "header" | "skipped" | "attributes" | "optionsSkipped">
      & {
        /** The header; every field defaults to 0. */
        readonly header?: Partial<NetlinkHeader>;
        /** Attributes to append raw; none by default. */
        readonly attributes?: readonly NetlinkAttribute[];
      }
  : never
  : never;

/**
 * What a dump request asks for.
 *
 * @example
 * ```ts
 * import type { NetlinkDumpKind } from "./netlink.ts";
 *
 * const kinds: NetlinkDumpKind[] = ["link", "address", "route"];
 * if (kinds.length !== 3) throw new Error();
 * ```
 */
export type NetlinkDumpKind = "link" | "address" | "route";

/**
 * Options of {@linkcode buildDumpRequest}.
 *
 * @example
 * ```ts
 * import type { DumpRequestOptions } from "./netlink.ts";
 *
 * const options: DumpRequestOptions = { family: 6, seq: 3 };
 * if (options.family !== 6) throw new Error();
 * ```
 */
export interface DumpRequestOptions {
  /** The address family to dump; both (`AF_UNSPEC`) by default. */
  readonly family?: 4 | 6;
  /** `nlmsg_seq`, which every answer carries; 0 by default. */
  readonly seq?: number;
  /** `nlmsg_pid`; 0 (let the kernel fill in the socket's) by default. */
  readonly pid?: number;
}

// ---------------------------------------------------------------------------
// Parsing

const decoder = new TextDecoder();

/**
 * Parses the netlink messages in `bytes`, as one `recv()` on a
 * `NETLINK_ROUTE` socket returns them.
 *
 * @example An address notification, field by field
 * ```ts
 * import { parseNetlinkMessages } from "./netlink.ts";
 *
 * const bytes = new Uint8Array([
 *   40, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // nlmsghdr: 40 bytes, RTM_NEWADDR, no flags, seq 0, pid 0
 *   2, 24, 0x80, 0, 2, 0, 0, 0, // ifaddrmsg: AF_INET, /24, IFA_F_PERMANENT, scope universe, ifindex 2
 *   8, 0, 1, 0, 192, 0, 2, 2, // IFA_ADDRESS 192.0.2.2
 *   8, 0, 2, 0, 192, 0, 2, 2, // IFA_LOCAL 192.0.2.2
 * ]);
 * const [message] = parseNetlinkMessages(bytes);
 * if (message?.type !== "address" || message.local !== "192.0.2.2" || message.prefixLength !== 24) throw new Error();
 * ```
 *
 * @example Framing that cannot be walked
 * ```ts
 * import { parseNetlinkMessages } from "./netlink.ts";
 *
 * try {
 *   parseNetlinkMessages(new Uint8Array([8, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
 *   throw new Error("accepted");
 * } catch (error) {
 *   if (!(error instanceof SyntaxError)) throw error;
 *   // "Cannot parse netlink messages: message at offset 0 has length 8, shorter than its 16-byte header"
 * }
 * ```
 *
 * @param bytes The messages.
 * @returns The messages, in order.
 * @throws {SyntaxError} If a message header cannot be walked: fewer than 16
 * bytes left, or `nlmsg_len` below 16 or past the end; `cause` is a
 * `CoreErrorCause` with the byte offset.
 * @throws {TypeError} If `bytes` is not a Uint8Array.
 */
export function parseNetlinkMessages(bytes: Uint8Array): NetlinkMessage[] {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError("Cannot parse netlink messages: expected a Uint8Array");
  }
  const stream = callCore(coreWasm, {
    action: "parse netlink messages",
    input: bytes,
    invoke: (len) => coreWasm.parseNetlink(len),
    decode: (result) => copyRecords(result, bytes),
  });
  const messages: NetlinkMessage[] = [];
  for (let i = 0; i < stream.count; i = stream.next(i)) {
    const tag = stream.tag(i);
    if (tag === TAG_MESSAGE) messages.push(decodeMessage(stream, i));
    else if (tag === TAG_SKIPPED) throw framingError(stream, i);
  }
  return messages;
}

function framingError(stream: RecordStream, i: number): SyntaxError {
  const offset = stream.start(i);
  const left = stream.length(i);
  const size = left >= 4 ? u32(stream.input, offset) : 0;
  let text: string;
  let code: CoreErrorCode = CoreErrorCode.Truncated;
  switch (stream.code(i)) {
    case Detail.MessageLength:
      text = `message at offset ${offset} has length ${size}, shorter than its ${NLMSG_HDRLEN}-byte header`;
      code = CoreErrorCode.BadLength;
      break;
    case Detail.MessageOverrun:
      text = `message at offset ${offset} of ${size} bytes runs past the end at ${offset + left}`;
      break;
    default:
      text = `message at offset ${offset} is cut off after ${left} bytes of its ${NLMSG_HDRLEN}-byte header`;
  }
  return new SyntaxError(`Cannot parse netlink messages: ${text}`, { cause: { code, offset } });
}

/** Decodes the message of record `i`. */
function decodeMessage(stream: RecordStream, i: number): NetlinkMessage {
  const { input } = stream;
  const start = stream.start(i);
  const messageType = stream.code(i);
  const header: NetlinkHeader = { flags: stream.a(i), seq: stream.b(i), pid: u32(input, start + 12) };
  const end = stream.next(i);
  const skipped: SkippedItem[] = [];
  const body = i + 1 < end ? stream.tag(i + 1) : 0;
  switch (body) {
    case TAG_LINK:
      return decodeLink(stream, i + 1, end, messageType, header, skipped);
    case TAG_ADDRESS:
      if (stream.code(i + 1) === AF_INET || stream.code(i + 1) === AF_INET6) {
        return decodeAddress(stream, i + 1, end, messageType, header, skipped);
      }
      break;
    case TAG_ROUTE:
      if (stream.code(i + 1) === AF_INET || stream.code(i + 1) === AF_INET6) {
        return decodeRoute(stream, i + 1, end, messageType, header, skipped);
      }
      break;
    case TAG_ND_USER_OPTION:
      return decodeNdUserOption(stream, i + 1, end, header, skipped);
    case TAG_ERROR:
      return decodeError(stream, i + 1, header, skipped);
    case TAG_DONE: {
      const status = stream.b(i + 1) === 1 ? stream.a(i + 1) | 0 : undefined;
      return status === undefined ? { type: "done", header, skipped } : { type: "done", header, status, skipped };
    }
  }
  // A message of no known type or family, or one whose body was too short.
  for (let j = i + 1; j < end; j = stream.next(j)) {
    if (stream.tag(j) === TAG_SKIPPED) skipped.push(skippedItem(stream, j, messageType, 0));
  }
  const payload = input.slice(start + NLMSG_HDRLEN, start + stream.length(i));
  return { type: "other", header, messageType, payload, skipped };
}

function decodeLink(
  stream: RecordStream,
  i: number,
  end: number,
  messageType: number,
  header: NetlinkHeader,
  skipped: SkippedItem[],
): NetlinkLinkMessage {
  const { input } = stream;
  const at = stream.start(i);
  let name: string | undefined;
  let mtu: number | undefined;
  let linkLayerAddress: string | undefined;
  let broadcastAddress: string | undefined;
  let permanentAddress: string | undefined;
  let operstate: LinkOperState | undefined;
  let linkInfo: { kind?: string; attributes: NetlinkAttribute[] } | undefined;
  const attributes: NetlinkAttribute[] = [];
  for (let j = i + 1; j < end; j = stream.next(j)) {
    if (stream.tag(j) === TAG_SKIPPED) {
      skipped.push(skippedItem(stream, j, messageType, 0));
      continue;
    }
    if (stream.tag(j) !== TAG_ATTRIBUTE) continue;
    switch (stream.code(j)) {
      case IFLA_IFNAME:
        name ??= text(stream, j);
        break;
      case IFLA_MTU:
        mtu ??= stream.a(j);
        break;
      case IFLA_ADDRESS:
        linkLayerAddress ??= hexText(stream.bytes(j), ":");
        break;
      case IFLA_BROADCAST:
        broadcastAddress ??= hexText(stream.bytes(j), ":");
        break;
      case IFLA_PERM_ADDRESS:
        permanentAddress ??= hexText(stream.bytes(j), ":");
        break;
      case IFLA_OPERSTATE:
        operstate ??= OPERSTATES[stream.a(j)];
        break;
      case IFLA_LINKINFO:
        if (linkInfo === undefined) linkInfo = decodeLinkInfo(stream, j, messageType, skipped);
        break;
      default:
        attributes.push(rawAttribute(stream, j));
    }
  }
  return {
    type: "link",
    action: messageType === RTM_NEWLINK ? "new" : "delete",
    header,
    family: input[at]!,
    ifindex: stream.a(i),
    arphrdType: stream.code(i),
    flags: stream.b(i),
    change: u32(input, at + 12),
    ...(name === undefined ? {} : { name }),
    ...(mtu === undefined ? {} : { mtu }),
    ...(linkLayerAddress === undefined ? {} : { linkLayerAddress }),
    ...(broadcastAddress === undefined ? {} : { broadcastAddress }),
    ...(permanentAddress === undefined ? {} : { permanentAddress }),
    ...(operstate === undefined ? {} : { operstate }),
    ...(linkInfo === undefined ? {} : { linkInfo }),
    attributes,
    skipped,
  };
}

function decodeLinkInfo(
  stream: RecordStream,
  i: number,
  messageType: number,
  skipped: SkippedItem[],
): { kind?: string; attributes: NetlinkAttribute[] } {
  let kind: string | undefined;
  const attributes: NetlinkAttribute[] = [];
  for (let j = i + 1; j < stream.next(i); j = stream.next(j)) {
    if (stream.tag(j) === TAG_SKIPPED) skipped.push(skippedItem(stream, j, messageType, IFLA_LINKINFO));
    else if (stream.code(j) === IFLA_INFO_KIND && kind === undefined) kind = text(stream, j);
    else attributes.push(rawAttribute(stream, j));
  }
  return kind === undefined ? { attributes } : { kind, attributes };
}

function decodeAddress(
  stream: RecordStream,
  i: number,
  end: number,
  messageType: number,
  header: NetlinkHeader,
  skipped: SkippedItem[],
): NetlinkAddressMessage {
  const { input } = stream;
  const family = stream.code(i) === AF_INET ? 4 : 6;
  const b = stream.b(i);
  let flags = (b >>> 8) & 0xff;
  const found: Partial<Record<number, string>> = {};
  let label: string | undefined;
  let cacheInfo: AddressCacheInfo | undefined;
  let extendedFlags: number | undefined;
  const attributes: NetlinkAttribute[] = [];
  for (let j = i + 1; j < end; j = stream.next(j)) {
    if (stream.tag(j) === TAG_SKIPPED) {
      skipped.push(skippedItem(stream, j, messageType, 0));
      continue;
    }
    if (stream.tag(j) !== TAG_ATTRIBUTE) continue;
    const type = stream.code(j);
    switch (type) {
      case IFA_ADDRESS:
      case IFA_LOCAL:
      case IFA_BROADCAST:
      case IFA_ANYCAST:
      case IFA_MULTICAST:
        found[type] ??= addressText(input, stream.start(j), family);
        break;
      case IFA_LABEL:
        label ??= text(stream, j);
        break;
      case IFA_CACHEINFO: {
        const at = stream.start(j);
        cacheInfo ??= {
          preferredLifetime: lifetime(u32(input, at)),
          validLifetime: lifetime(u32(input, at + 4)),
          created: u32(input, at + 8),
          updated: u32(input, at + 12),
        };
        break;
      }
      case IFA_FLAGS:
        extendedFlags ??= stream.a(j);
        break;
      default:
        attributes.push(rawAttribute(stream, j));
    }
  }
  // if_addr.h: "IFA_FLAGS is a u32 attribute that extends the u8 field
  // ifa_flags. If present, the value from struct ifaddrmsg will be ignored."
  if (extendedFlags !== undefined) flags = extendedFlags;
  const address = found[IFA_ADDRESS];
  const local = found[IFA_LOCAL];
  const broadcast = found[IFA_BROADCAST];
  const anycast = found[IFA_ANYCAST];
  const multicast = found[IFA_MULTICAST];
  return {
    type: "address",
    action: messageType === RTM_NEWADDR ? "new" : "delete",
    header,
    family,
    prefixLength: b & 0xff,
    flags,
    scope: (b >>> 16) & 0xff,
    ifindex: stream.a(i),
    ...(address === undefined ? {} : { address }),
    ...(local === undefined ? {} : { local }),
    ...(broadcast === undefined ? {} : { broadcast }),
    ...(anycast === undefined ? {} : { anycast }),
    ...(multicast === undefined ? {} : { multicast }),
    ...(label === undefined ? {} : { label }),
    ...(cacheInfo === undefined ? {} : { cacheInfo }),
    attributes,
    skipped,
  };
}

function decodeRoute(
  stream: RecordStream,
  i: number,
  end: number,
  messageType: number,
  header: NetlinkHeader,
  skipped: SkippedItem[],
): NetlinkRouteMessage {
  const { input } = stream;
  const family = stream.code(i) === AF_INET ? 4 : 6;
  const a = stream.a(i);
  const b = stream.b(i);
  const found: Partial<Record<number, string>> = {};
  const scalars: Partial<Record<number, number>> = {};
  const attributes: NetlinkAttribute[] = [];
  for (let j = i + 1; j < end; j = stream.next(j)) {
    if (stream.tag(j) === TAG_SKIPPED) {
      skipped.push(skippedItem(stream, j, messageType, 0));
      continue;
    }
    if (stream.tag(j) !== TAG_ATTRIBUTE) continue;
    const type = stream.code(j);
    switch (type) {
      case RTA_DST:
      case RTA_SRC:
      case RTA_GATEWAY:
      case RTA_PREFSRC:
        found[type] ??= addressText(input, stream.start(j), family);
        break;
      case RTA_OIF:
      case RTA_PRIORITY:
      case RTA_TABLE:
      case RTA_PREF:
        scalars[type] ??= stream.a(j);
        break;
      default:
        attributes.push(rawAttribute(stream, j));
    }
  }
  const destination = found[RTA_DST];
  const source = found[RTA_SRC];
  const gateway = found[RTA_GATEWAY];
  const preferredSource = found[RTA_PREFSRC];
  const outputIfindex = scalars[RTA_OIF];
  const priority = scalars[RTA_PRIORITY];
  const pref = scalars[RTA_PREF];
  const preference = pref === undefined ? undefined : PREFERENCES[pref];
  return {
    type: "route",
    action: messageType === RTM_NEWROUTE ? "new" : "delete",
    header,
    family,
    prefixLength: a & 0xff,
    sourceLength: (a >>> 8) & 0xff,
    tos: (a >>> 16) & 0xff,
    // rtnetlink.h: rtm_table holds RT_TABLE_COMPAT for ids past 255, which
    // RTA_TABLE carries whole.
    table: scalars[RTA_TABLE] ?? a >>> 24,
    protocol: b & 0xff,
    scope: (b >>> 8) & 0xff,
    routeType: (b >>> 16) & 0xff,
    flags: u32(input, stream.start(i) + 8),
    ...(destination === undefined ? {} : { destination }),
    ...(source === undefined ? {} : { source }),
    ...(gateway === undefined ? {} : { gateway }),
    ...(preferredSource === undefined ? {} : { preferredSource }),
    ...(outputIfindex === undefined ? {} : { outputIfindex }),
    ...(priority === undefined ? {} : { priority }),
    ...(preference === undefined ? {} : { preference }),
    attributes,
    skipped,
  };
}

function decodeNdUserOption(
  stream: RecordStream,
  i: number,
  end: number,
  header: NetlinkHeader,
  skipped: SkippedItem[],
): NetlinkNdUserOptionMessage {
  const { input } = stream;
  let options: readonly NdOption[] = [];
  let optionsSkipped: readonly SkippedItem[] = [];
  let source: string | undefined;
  const attributes: NetlinkAttribute[] = [];
  const family = stream.code(i);
  for (let j = i + 1; j < end; j = stream.next(j)) {
    const tag = stream.tag(j);
    if (tag === TAG_SKIPPED) {
      skipped.push(skippedItem(stream, j, RTM_NEWNDUSEROPT, 0));
    } else if (tag === TAG_ND_OPTIONS) {
      // The RA parser walks the options; the netlink records were copied
      // out of the core, so calling into it again here is safe.
      try {
        ({ options, skipped: optionsSkipped } = parseNdOptions(stream.bytes(j)));
      } catch (error) {
        if (!(error instanceof SyntaxError)) throw error;
        const offset = stream.start(j);
        const reason = error.message.replace(/^Cannot parse ND options: /, "");
        skipped.push({
          offset,
          length: stream.length(j),
          type: 0,
          reason: `ND options at offset ${offset}: ${reason}`,
        });
      }
    } else if (stream.code(j) === NDUSEROPT_SRCADDR && source === undefined && stream.length(j) === 16) {
      source = ipv6Text(input, stream.start(j));
    } else {
      attributes.push(rawAttribute(stream, j));
    }
  }
  const at = stream.start(i);
  return {
    type: "nd-user-option",
    header,
    family,
    ifindex: stream.a(i),
    icmpType: input[at + 8]!,
    icmpCode: input[at + 9]!,
    options,
    optionsSkipped,
    ...(source === undefined ? {} : { source }),
    attributes,
    skipped,
  };
}

function decodeError(
  stream: RecordStream,
  i: number,
  header: NetlinkHeader,
  skipped: SkippedItem[],
): NetlinkErrorMessage {
  const { input } = stream;
  const at = stream.start(i);
  const echoLength = stream.b(i);
  let request: EchoedRequest | undefined;
  if (echoLength >= NLMSG_HDRLEN) {
    const echo = at + 4;
    request = {
      length: u32(input, echo),
      messageType: u16(input, echo + 4),
      flags: u16(input, echo + 6),
      seq: u32(input, echo + 8),
      pid: u32(input, echo + 12),
      payload: input.slice(echo + NLMSG_HDRLEN, echo + echoLength),
    };
  }
  let message: string | undefined;
  let errorOffset: number | undefined;
  const attributes: NetlinkAttribute[] = [];
  for (let j = i + 1; j < stream.next(i); j = stream.next(j)) {
    if (stream.tag(j) === TAG_SKIPPED) skipped.push(skippedItem(stream, j, NLMSG_ERROR, 0));
    else if (stream.code(j) === NLMSGERR_ATTR_MSG && message === undefined) message = text(stream, j);
    else if (stream.code(j) === NLMSGERR_ATTR_OFFS && errorOffset === undefined) errorOffset = stream.a(j);
    else attributes.push(rawAttribute(stream, j));
  }
  return {
    type: "error",
    header,
    error: stream.a(i) | 0,
    ...(request === undefined ? {} : { request }),
    ...(message === undefined ? {} : { message }),
    ...(errorOffset === undefined ? {} : { errorOffset }),
    attributes,
    skipped,
  };
}

// ---------------------------------------------------------------------------
// Skipped items

/** Names of the attributes the core checks, by message type group. */
const ATTRIBUTE_NAMES: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  link: {
    [IFLA_ADDRESS]: "IFLA_ADDRESS",
    [IFLA_BROADCAST]: "IFLA_BROADCAST",
    [IFLA_IFNAME]: "IFLA_IFNAME",
    [IFLA_MTU]: "IFLA_MTU",
    [IFLA_OPERSTATE]: "IFLA_OPERSTATE",
    [IFLA_LINKINFO]: "IFLA_LINKINFO",
    [IFLA_PERM_ADDRESS]: "IFLA_PERM_ADDRESS",
  },
  linkinfo: { [IFLA_INFO_KIND]: "IFLA_INFO_KIND" },
  address: {
    [IFA_ADDRESS]: "IFA_ADDRESS",
    [IFA_LOCAL]: "IFA_LOCAL",
    [IFA_LABEL]: "IFA_LABEL",
    [IFA_BROADCAST]: "IFA_BROADCAST",
    [IFA_ANYCAST]: "IFA_ANYCAST",
    [IFA_CACHEINFO]: "IFA_CACHEINFO",
    [IFA_MULTICAST]: "IFA_MULTICAST",
    [IFA_FLAGS]: "IFA_FLAGS",
  },
  route: {
    [RTA_DST]: "RTA_DST",
    [RTA_SRC]: "RTA_SRC",
    [RTA_OIF]: "RTA_OIF",
    [RTA_GATEWAY]: "RTA_GATEWAY",
    [RTA_PRIORITY]: "RTA_PRIORITY",
    [RTA_PREFSRC]: "RTA_PREFSRC",
    [RTA_TABLE]: "RTA_TABLE",
    [RTA_PREF]: "RTA_PREF",
  },
  nduseropt: { [NDUSEROPT_SRCADDR]: "NDUSEROPT_SRCADDR" },
  error: { [NLMSGERR_ATTR_MSG]: "NLMSGERR_ATTR_MSG", [NLMSGERR_ATTR_OFFS]: "NLMSGERR_ATTR_OFFS" },
};

/** Message names for the sentences. */
function messageName(messageType: number): string {
  switch (messageType) {
    case RTM_NEWLINK:
      return "RTM_NEWLINK";
    case RTM_DELLINK:
      return "RTM_DELLINK";
    case RTM_NEWADDR:
      return "RTM_NEWADDR";
    case RTM_DELADDR:
      return "RTM_DELADDR";
    case RTM_NEWROUTE:
      return "RTM_NEWROUTE";
    case RTM_DELROUTE:
      return "RTM_DELROUTE";
    case RTM_NEWNDUSEROPT:
      return "RTM_NEWNDUSEROPT";
    case NLMSG_ERROR:
      return "NLMSG_ERROR";
    default:
      return `type ${messageType}`;
  }
}

function attributeGroup(messageType: number, container: number): string {
  if (container === IFLA_LINKINFO) return "linkinfo";
  switch (messageType) {
    case RTM_NEWLINK:
    case RTM_DELLINK:
      return "link";
    case RTM_NEWADDR:
    case RTM_DELADDR:
      return "address";
    case RTM_NEWROUTE:
    case RTM_DELROUTE:
      return "route";
    case RTM_NEWNDUSEROPT:
      return "nduseropt";
    default:
      return "error";
  }
}

/** What size a known attribute must have, for the sentence. */
function sizeRule(group: string, type: number): string {
  if (group === "link") return type === IFLA_MTU ? "it takes 4" : type === IFLA_OPERSTATE ? "it takes 1" : "at most 32";
  if (group === "address") {
    if (type === IFA_CACHEINFO) return "it takes 16";
    if (type === IFA_FLAGS) return "it takes 4";
    return "an address of its family takes 4 (IPv4) or 16 (IPv6)";
  }
  if (group === "route") {
    if (type === RTA_PREF) return "it takes 1";
    if (type === RTA_OIF || type === RTA_PRIORITY || type === RTA_TABLE) return "it takes 4";
    return "an address of its family takes 4 (IPv4) or 16 (IPv6)";
  }
  if (group === "error") return "it takes 4";
  return "an IPv6 address takes 16";
}

/** The skipped item of TAG_SKIPPED record `j` inside a message of `messageType`. */
function skippedItem(stream: RecordStream, j: number, messageType: number, container: number): SkippedItem {
  const offset = stream.start(j);
  const length = stream.length(j);
  const type = stream.a(j);
  const { input } = stream;
  const group = attributeGroup(messageType, container);
  const name = ATTRIBUTE_NAMES[group]?.[type] ?? `type ${type}`;
  const subject = `${name} attribute at offset ${offset} of ${messageName(messageType)}`;
  let reason: string;
  switch (stream.code(j)) {
    case Detail.ShortBody:
      reason = `${messageName(messageType)} message has ${length} bytes after its header at offset ${offset}, ` +
        `fewer than its ${bodySize(messageType)}-byte fixed header`;
      break;
    case Detail.AttributeHeader:
      reason = `attribute at offset ${offset} is cut off after ${length} bytes of its ${NLA_HDRLEN}-byte header`;
      break;
    case Detail.AttributeLength:
      reason = `${subject} has length ${u16(input, offset)}, shorter than its ${NLA_HDRLEN}-byte header`;
      break;
    case Detail.AttributeOverrun:
      reason = `${subject} of ${u16(input, offset)} bytes runs past the end of its container at ${offset + length}`;
      break;
    case Detail.AttributeSize:
      reason = `${subject} has ${length - NLA_HDRLEN} bytes; ${sizeRule(group, type)}`;
      break;
    case Detail.UnterminatedString:
      reason = `${subject} has no terminating NUL`;
      break;
    case Detail.AttributeValue:
      reason = `${subject} holds ${input[offset + NLA_HDRLEN]}, which its type does not define`;
      break;
    case Detail.NdOptionsOverrun:
      reason = `RTM_NEWNDUSEROPT message at offset ${offset - NLMSG_HDRLEN} has ND options of ` +
        `${u16(input, offset + 2)} bytes running past its end`;
      break;
    case Detail.EchoOverrun:
      reason = `NLMSG_ERROR message at offset ${offset - NLMSG_HDRLEN} echoes a request running past its end`;
      break;
    default:
      reason = `${subject} is malformed (detail ${stream.code(j)})`;
  }
  return { offset, length, type, reason };
}

function bodySize(messageType: number): number {
  switch (messageType) {
    case RTM_NEWLINK:
    case RTM_DELLINK:
      return IFINFOMSG_SIZE;
    case RTM_NEWADDR:
    case RTM_DELADDR:
      return IFADDRMSG_SIZE;
    case RTM_NEWROUTE:
    case RTM_DELROUTE:
      return RTMSG_SIZE;
    case RTM_NEWNDUSEROPT:
      return NDUSEROPTMSG_SIZE;
    default:
      return 4;
  }
}

// ---------------------------------------------------------------------------
// Decoding helpers

/** Little-endian u16 of the input (the core has checked it is there). */
function u16(input: Uint8Array, at: number): number {
  return input[at]! | (input[at + 1]! << 8);
}

/** Little-endian u32 of the input. */
function u32(input: Uint8Array, at: number): number {
  return (input[at]! | (input[at + 1]! << 8) | (input[at + 2]! << 16) | (input[at + 3]! << 24)) >>> 0;
}

/** The text of a string attribute: its bytes before the NUL, as UTF-8. */
function text(stream: RecordStream, j: number): string {
  const start = stream.start(j);
  return decoder.decode(stream.input.subarray(start, start + stream.a(j)));
}

/** The address of an address attribute the core checked against `family`. */
function addressText(input: Uint8Array, at: number, family: 4 | 6): string {
  return family === 4 ? ipv4Text(input, at) : ipv6Text(input, at);
}

function rawAttribute(stream: RecordStream, j: number): NetlinkAttribute {
  return { type: stream.code(j) | (stream.b(j) << NLA_TYPE_SHIFT), data: stream.copy(j) };
}

function lifetime(seconds: number): number {
  return seconds === INFINITY_LIFE_TIME ? Infinity : seconds;
}

// ---------------------------------------------------------------------------
// Building

/**
 * Encodes messages back to back, each padded to 4 bytes. Known attributes
 * are written in the order the kernel writes them, then the raw
 * `attributes` in order; every field of a parsed message survives, so
 * parsing the result gives the same messages (`skipped` aside).
 *
 * @example An RDNSS option as the kernel forwards it
 * ```ts
 * import { buildNetlinkMessages, parseNetlinkMessages } from "./netlink.ts";
 *
 * const bytes = buildNetlinkMessages([{
 *   type: "nd-user-option", family: 10, ifindex: 2, icmpType: 134, icmpCode: 0,
 *   options: [{ type: "rdnss", lifetime: 600, servers: ["2001:db8::53"] }],
 *   source: "fe80::1",
 * }]);
 * const [message] = parseNetlinkMessages(bytes);
 * if (message?.type !== "nd-user-option" || message.source !== "fe80::1") throw new Error();
 * if (message.options[0]?.type !== "rdnss" || message.options[0].servers[0] !== "2001:db8::53") throw new Error();
 * ```
 *
 * @param messages The messages.
 * @returns Their encoding.
 * @throws {RangeError} If a field is out of range or does not fit its wire
 * format.
 * @throws {TypeError} If an address or field has the wrong type.
 */
export function buildNetlinkMessages(messages: readonly NetlinkMessageInit[]): Uint8Array {
  const parts = messages.map((message) => encodeMessage(message));
  return concat(parts);
}

/**
 * Encodes a dump request: `RTM_GETLINK`, `RTM_GETADDR` or `RTM_GETROUTE`
 * with `NLM_F_REQUEST | NLM_F_DUMP`, and an empty fixed header of the family
 * asked for (struct ifinfomsg, ifaddrmsg or rtmsg), as `ip link`,
 * `ip addr` and `ip route` send it. The kernel answers with one message per
 * item, then `NLMSG_DONE`, all with the request's `seq`.
 *
 * @example
 * ```ts
 * import { buildDumpRequest, parseNetlinkMessages } from "./netlink.ts";
 *
 * const request = buildDumpRequest("route", { family: 6, seq: 3 });
 * // nlmsghdr (16) + struct rtmsg (12)
 * if (request.length !== 28 || request[16] !== 10) throw new Error();
 * const [message] = parseNetlinkMessages(request);
 * if (message?.type !== "other" || message.messageType !== 26 || message.header.flags !== 0x301) throw new Error();
 * ```
 *
 * @param kind What to dump.
 * @param options The family (both by default), sequence number and port id.
 * @returns The request.
 * @throws {RangeError} If `seq` or `pid` is not a 32-bit unsigned integer.
 * @throws {TypeError} If `kind` or `family` is not one of the allowed values.
 */
export function buildDumpRequest(kind: NetlinkDumpKind, options: DumpRequestOptions = {}): Uint8Array {
  const action = "build dump request";
  const family = options.family === undefined
    ? AF_UNSPEC
    : options.family === 4
    ? AF_INET
    : options.family === 6
    ? AF_INET6
    : -1;
  if (family < 0) throw new TypeError(`Cannot ${action}: family ${options.family} is not 4 or 6`);
  let type: number;
  let body: Uint8Array;
  switch (kind) {
    case "link":
      type = RTM_GETLINK;
      body = new Uint8Array(IFINFOMSG_SIZE);
      break;
    case "address":
      type = RTM_GETADDR;
      body = new Uint8Array(IFADDRMSG_SIZE);
      break;
    case "route":
      type = RTM_GETROUTE;
      body = new Uint8Array(RTMSG_SIZE);
      break;
    default:
      throw new TypeError(`Cannot ${action}: kind ${JSON.stringify(kind)} is not link, address or route`);
  }
  body[0] = family;
  return frame(
    type,
    {
      flags: NLM_F_REQUEST | NLM_F_DUMP,
      seq: uint(options.seq ?? 0, 32, "seq", action),
      pid: uint(options.pid ?? 0, 32, "pid", action),
    },
    [body],
    action,
  );
}

function encodeMessage(message: NetlinkMessageInit): Uint8Array {
  const action = "build netlink messages";
  const header = {
    flags: uint(message.header?.flags ?? 0, 16, "header.flags", action),
    seq: uint(message.header?.seq ?? 0, 32, "header.seq", action),
    pid: uint(message.header?.pid ?? 0, 32, "header.pid", action),
  };
  const raw = (message.type === "done" || message.type === "other" ? [] : message.attributes ?? []).map((a) =>
    rawEncoded(a, action)
  );
  switch (message.type) {
    case "link": {
      const body = new Uint8Array(IFINFOMSG_SIZE);
      const view = new DataView(body.buffer);
      body[0] = uint(message.family, 8, "family", action);
      view.setUint16(2, uint(message.arphrdType, 16, "arphrdType", action), true);
      view.setUint32(4, uint(message.ifindex, 32, "ifindex", action), true);
      view.setUint32(8, uint(message.flags, 32, "flags", action), true);
      view.setUint32(12, uint(message.change, 32, "change", action), true);
      const parts: Uint8Array[] = [body];
      if (message.name !== undefined) parts.push(attribute(IFLA_IFNAME, cString(message.name, "name", action)));
      if (message.operstate !== undefined) {
        const state = OPERSTATES.indexOf(message.operstate);
        if (state < 0) {
          throw new TypeError(`Cannot ${action}: operstate ${JSON.stringify(message.operstate)} is unknown`);
        }
        parts.push(attribute(IFLA_OPERSTATE, new Uint8Array([state])));
      }
      if (message.mtu !== undefined) parts.push(attribute(IFLA_MTU, le32(uint(message.mtu, 32, "mtu", action))));
      if (message.linkLayerAddress !== undefined) {
        parts.push(attribute(IFLA_ADDRESS, linkAddress(message.linkLayerAddress, "linkLayerAddress", action)));
      }
      if (message.broadcastAddress !== undefined) {
        parts.push(attribute(IFLA_BROADCAST, linkAddress(message.broadcastAddress, "broadcastAddress", action)));
      }
      if (message.linkInfo !== undefined) {
        const nested: Uint8Array[] = [];
        if (message.linkInfo.kind !== undefined) {
          nested.push(attribute(IFLA_INFO_KIND, cString(message.linkInfo.kind, "linkInfo.kind", action)));
        }
        for (const a of message.linkInfo.attributes) nested.push(rawEncoded(a, action));
        parts.push(attribute(IFLA_LINKINFO | NLA_F_NESTED, concat(nested)));
      }
      if (message.permanentAddress !== undefined) {
        parts.push(attribute(IFLA_PERM_ADDRESS, linkAddress(message.permanentAddress, "permanentAddress", action)));
      }
      return frame(message.action === "delete" ? RTM_DELLINK : RTM_NEWLINK, header, [...parts, ...raw], action);
    }
    case "address": {
      const family = familyOf(message.family, action);
      const body = new Uint8Array(IFADDRMSG_SIZE);
      const flags = uint(message.flags, 32, "flags", action);
      body[0] = family === 4 ? AF_INET : AF_INET6;
      body[1] = uint(message.prefixLength, 8, "prefixLength", action);
      // The kernel writes the low 8 bits here and all 32 in IFA_FLAGS.
      body[2] = flags & 0xff;
      body[3] = uint(message.scope, 8, "scope", action);
      new DataView(body.buffer).setUint32(4, uint(message.ifindex, 32, "ifindex", action), true);
      const parts: Uint8Array[] = [body];
      const addresses: [number, string | undefined, string][] = [
        [IFA_ADDRESS, message.address, "address"],
        [IFA_LOCAL, message.local, "local"],
        [IFA_BROADCAST, message.broadcast, "broadcast"],
        [IFA_ANYCAST, message.anycast, "anycast"],
        [IFA_MULTICAST, message.multicast, "multicast"],
      ];
      for (const [type, text, field] of addresses) {
        if (text !== undefined) parts.push(attribute(type, ipBytes(text, family, field, action)));
      }
      if (message.label !== undefined) parts.push(attribute(IFA_LABEL, cString(message.label, "label", action)));
      // inet_fill_ifaddr() writes IFA_FLAGS before IFA_CACHEINFO,
      // inet6_fill_ifaddr() after it.
      if (family === 4) parts.push(attribute(IFA_FLAGS, le32(flags)));
      if (message.cacheInfo !== undefined) {
        const info = message.cacheInfo;
        parts.push(attribute(
          IFA_CACHEINFO,
          concat([
            le32(lifetimeField(info.preferredLifetime, "cacheInfo.preferredLifetime", action)),
            le32(lifetimeField(info.validLifetime, "cacheInfo.validLifetime", action)),
            le32(uint(info.created, 32, "cacheInfo.created", action)),
            le32(uint(info.updated, 32, "cacheInfo.updated", action)),
          ]),
        ));
      }
      if (family === 6) parts.push(attribute(IFA_FLAGS, le32(flags)));
      return frame(message.action === "delete" ? RTM_DELADDR : RTM_NEWADDR, header, [...parts, ...raw], action);
    }
    case "route": {
      const family = familyOf(message.family, action);
      const table = uint(message.table, 32, "table", action);
      const body = new Uint8Array(RTMSG_SIZE);
      body[0] = family === 4 ? AF_INET : AF_INET6;
      body[1] = uint(message.prefixLength, 8, "prefixLength", action);
      body[2] = uint(message.sourceLength, 8, "sourceLength", action);
      body[3] = uint(message.tos, 8, "tos", action);
      body[4] = table < 256 ? table : RT_TABLE_COMPAT;
      body[5] = uint(message.protocol, 8, "protocol", action);
      body[6] = uint(message.scope, 8, "scope", action);
      body[7] = uint(message.routeType, 8, "routeType", action);
      new DataView(body.buffer).setUint32(8, uint(message.flags, 32, "flags", action), true);
      const parts: Uint8Array[] = [body, attribute(RTA_TABLE, le32(table))];
      const ip = (type: number, text: string | undefined, field: string) => {
        if (text !== undefined) parts.push(attribute(type, ipBytes(text, family, field, action)));
      };
      const scalar = (type: number, value: number | undefined, field: string) => {
        if (value !== undefined) parts.push(attribute(type, le32(uint(value, 32, field, action))));
      };
      ip(RTA_DST, message.destination, "destination");
      ip(RTA_SRC, message.source, "source");
      scalar(RTA_PRIORITY, message.priority, "priority");
      ip(RTA_PREFSRC, message.preferredSource, "preferredSource");
      ip(RTA_GATEWAY, message.gateway, "gateway");
      scalar(RTA_OIF, message.outputIfindex, "outputIfindex");
      if (message.preference !== undefined) {
        const value = PREFERENCE_VALUES[message.preference];
        if (value === undefined) {
          throw new TypeError(`Cannot ${action}: preference ${JSON.stringify(message.preference)} is unknown`);
        }
        parts.push(attribute(RTA_PREF, new Uint8Array([value])));
      }
      return frame(message.action === "delete" ? RTM_DELROUTE : RTM_NEWROUTE, header, [...parts, ...raw], action);
    }
    case "nd-user-option": {
      const options = buildNdOptions(message.options);
      if (options.length > 0xffff) {
        throw new RangeError(`Cannot ${action}: ND options of ${options.length} bytes exceed 65535`);
      }
      const body = new Uint8Array(NDUSEROPTMSG_SIZE);
      const view = new DataView(body.buffer);
      body[0] = uint(message.family, 8, "family", action);
      view.setUint16(2, options.length, true);
      view.setUint32(4, uint(message.ifindex, 32, "ifindex", action), true);
      body[8] = uint(message.icmpType, 8, "icmpType", action);
      body[9] = uint(message.icmpCode, 8, "icmpCode", action);
      // ND options are whole 8-octet units, so the attributes start aligned.
      const parts: Uint8Array[] = [body, options];
      if (message.source !== undefined) {
        parts.push(attribute(NDUSEROPT_SRCADDR, ipBytes(message.source, 6, "source", action)));
      }
      return frame(RTM_NEWNDUSEROPT, header, [...parts, ...raw], action);
    }
    case "done": {
      const parts = message.status === undefined ? [] : [le32(int32(message.status, "status", action))];
      return frame(NLMSG_DONE, header, parts, action);
    }
    case "error": {
      const parts: Uint8Array[] = [le32(int32(message.error, "error", action))];
      const request = message.request;
      if (request !== undefined) {
        const echo = new Uint8Array(NLMSG_HDRLEN);
        const view = new DataView(echo.buffer);
        view.setUint32(0, uint(request.length, 32, "request.length", action), true);
        view.setUint16(4, uint(request.messageType, 16, "request.messageType", action), true);
        view.setUint16(6, uint(request.flags, 16, "request.flags", action), true);
        view.setUint32(8, uint(request.seq, 32, "request.seq", action), true);
        view.setUint32(12, uint(request.pid, 32, "request.pid", action), true);
        parts.push(echo, padded(request.payload));
      }
      if ((header.flags & NLM_F_ACK_TLVS) !== 0 && request !== undefined) {
        if (message.message !== undefined) {
          parts.push(attribute(NLMSGERR_ATTR_MSG, cString(message.message, "message", action)));
        }
        if (message.errorOffset !== undefined) {
          parts.push(attribute(NLMSGERR_ATTR_OFFS, le32(uint(message.errorOffset, 32, "errorOffset", action))));
        }
        parts.push(...raw);
      }
      if ((header.flags & NLM_F_CAPPED) !== 0 && request !== undefined && request.payload.length !== 0) {
        throw new RangeError(`Cannot ${action}: a capped error (NLM_F_CAPPED) echoes no request payload`);
      }
      return frame(NLMSG_ERROR, header, parts, action);
    }
    case "other":
      return frame(uint(message.messageType, 16, "messageType", action), header, [message.payload], action);
    default:
      throw new TypeError(
        `Cannot ${action}: message type ${JSON.stringify((message as { type: unknown }).type)} is unknown`,
      );
  }
}

/** A whole message: nlmsghdr, then the parts, padded to 4 bytes (nlmsg_len excludes the padding of the last part). */
function frame(type: number, header: NetlinkHeader, parts: readonly Uint8Array[], action: string): Uint8Array {
  let length = NLMSG_HDRLEN;
  for (const part of parts) length += part.length;
  if (length > 0xffffffff) throw new RangeError(`Cannot ${action}: message of ${length} bytes is too long`);
  const out = new Uint8Array(align(length));
  const view = new DataView(out.buffer);
  view.setUint32(0, length, true);
  view.setUint16(4, type, true);
  view.setUint16(6, header.flags, true);
  view.setUint32(8, header.seq, true);
  view.setUint32(12, header.pid, true);
  let at = NLMSG_HDRLEN;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** An attribute: nlattr header and payload, padded to 4 bytes. */
function attribute(type: number, payload: Uint8Array): Uint8Array {
  const length = NLA_HDRLEN + payload.length;
  if (length > 0xffff) throw new RangeError(`Cannot build netlink messages: attribute of ${length} bytes is too long`);
  const out = new Uint8Array(align(length));
  out[0] = length & 0xff;
  out[1] = length >>> 8;
  out[2] = type & 0xff;
  out[3] = type >>> 8;
  out.set(payload, NLA_HDRLEN);
  return out;
}

function rawEncoded(a: NetlinkAttribute, action: string): Uint8Array {
  if (!(a.data instanceof Uint8Array)) throw new TypeError(`Cannot ${action}: attribute data is not a Uint8Array`);
  return attribute(uint(a.type, 16, "attribute type", action), a.data);
}

function padded(bytes: Uint8Array): Uint8Array {
  if (bytes.length % 4 === 0) return bytes;
  const out = new Uint8Array(align(bytes.length));
  out.set(bytes);
  return out;
}

function align(n: number): number {
  return (n + 3) & ~3;
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

function le32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0, true);
  return out;
}

function uint(value: number, bits: number, field: string, action: string, max = 2 ** bits - 1): number {
  if (typeof value !== "number") throw new TypeError(`Cannot ${action}: ${field} is not a number`);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`Cannot ${action}: ${field} ${value} is not an integer 0 to ${max}`);
  }
  return value;
}

function int32(value: number, field: string, action: string): number {
  if (typeof value !== "number") throw new TypeError(`Cannot ${action}: ${field} is not a number`);
  if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
    throw new RangeError(`Cannot ${action}: ${field} ${value} is not a 32-bit integer`);
  }
  return value;
}

function lifetimeField(value: number, field: string, action: string): number {
  return value === Infinity ? INFINITY_LIFE_TIME : uint(value, 32, field, action, INFINITY_LIFE_TIME - 1);
}

function familyOf(family: number, action: string): 4 | 6 {
  if (family !== 4 && family !== 6) throw new TypeError(`Cannot ${action}: family ${family} is not 4 or 6`);
  return family;
}

const encoder = new TextEncoder();

/** A string attribute's payload: UTF-8 and the terminating NUL. */
function cString(value: string, field: string, action: string): Uint8Array {
  if (typeof value !== "string") throw new TypeError(`Cannot ${action}: ${field} is not a string`);
  if (value.includes("\0")) throw new RangeError(`Cannot ${action}: ${field} holds a NUL`);
  const bytes = encoder.encode(value);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

/** Link-layer address bytes from colon-separated hex ("" for none). */
function linkAddress(text: string, field: string, action: string): Uint8Array {
  if (typeof text !== "string") throw new TypeError(`Cannot ${action}: ${field} is not a string`);
  if (text === "") return new Uint8Array(0);
  const groups = text.split(":");
  if (groups.length > 32 || !groups.every((g) => /^[0-9a-fA-F]{2}$/.test(g))) {
    throw new RangeError(
      `Cannot ${action}: ${field} ${JSON.stringify(text)} is not up to 32 hex bytes separated by colons`,
    );
  }
  return Uint8Array.from(groups, (g) => parseInt(g, 16));
}

/** The bytes of an address of `family`. */
function ipBytes(text: string, family: 4 | 6, field: string, action: string): Uint8Array {
  if (typeof text !== "string") throw new TypeError(`Cannot ${action}: ${field} is not a string`);
  let bytes: Uint8Array;
  try {
    bytes = parseIpAddress(text).bytes;
  } catch (error) {
    throw new TypeError(`Cannot ${action}: ${field}: ${(error as Error).message}`, { cause: error });
  }
  if (bytes.length !== (family === 4 ? 4 : 16)) {
    throw new TypeError(`Cannot ${action}: ${field} ${JSON.stringify(text)} is not an IPv${family} address`);
  }
  return bytes;
}
