/**
 * What a source learns about the real host, as plain data: links, addresses,
 * routes and DNS configuration ({@linkcode HostFacts}), and the interface every
 * source implements ({@linkcode KernelFactsSource}). `/proc` and `/sys`,
 * `networkInterfaces()` and, later, rtnetlink all fill in the same types, so
 * the model that turns facts into provisioning domains
 * (`networkStateFromFacts`) does not care which one spoke.
 *
 * Runtime-neutral: no `Deno.*`, no `node:` import.
 *
 * @module
 */

import type { InterfaceKind } from "../../api/network_link.ts";

/**
 * A network interface as the kernel reports it.
 *
 * @example The Ethernet link of a test machine
 * ```ts
 * import type { KernelLink } from "./kernel_facts.ts";
 *
 * const eth0: KernelLink = {
 *   ifindex: 4,
 *   name: "eth0",
 *   kind: "ethernet",
 *   up: true,
 *   mtu: 1400,
 *   linkLayerAddress: "02:fc:00:00:00:01",
 * };
 * if (eth0.kind !== "ethernet") throw new Error("unexpected");
 * ```
 */
export interface KernelLink {
  /** Kernel interface index; the MIF interface identifier. */
  readonly ifindex: number;
  /** Interface name (`eth0`, `wlp2s0`). */
  readonly name: string;
  /** Link type, from {@linkcode classifyLink} or a guess when the source cannot tell. */
  readonly kind: InterfaceKind;
  /** Operationally up, from {@linkcode linkIsUp}. */
  readonly up: boolean;
  /**
   * Administratively up (`IFF_UP`) though perhaps not yet operationally:
   * a link coming up (no carrier yet, Wi-Fi associating). Absent when the
   * source cannot tell.
   */
  readonly adminUp?: boolean;
  /** MTU in bytes, when the source can see it. */
  readonly mtu?: number;
  /** Link-layer address as lowercase colon-separated hex; absent for links without one (tun, WireGuard). */
  readonly linkLayerAddress?: string;
}

/**
 * The scope of an address: the kernel's `RT_SCOPE_*` for IPv4, the address
 * type for IPv6 (RFC 4291 section 2.5.6, RFC 3879 for the deprecated site scope).
 *
 * @example
 * ```ts
 * import type { AddressScope } from "./kernel_facts.ts";
 *
 * const scopes: AddressScope[] = ["global", "site", "link", "host"];
 * if (scopes.length !== 4) throw new Error("unexpected");
 * ```
 */
export type AddressScope = "global" | "site" | "link" | "host";

/**
 * The `IFA_F_*` flags of an address (Linux `include/uapi/linux/if_addr.h`),
 * one boolean each. A source that cannot see flags reports them all false.
 *
 * @example A temporary address that is past its preferred lifetime
 * ```ts
 * import { decodeAddressFlags, type KernelAddressFlags } from "./kernel_facts.ts";
 *
 * const flags: KernelAddressFlags = decodeAddressFlags(0x21, 6);
 * if (!flags.temporary || !flags.deprecated || flags.permanent) throw new Error("unexpected");
 * ```
 */
export interface KernelAddressFlags {
  /** `IFA_F_TEMPORARY` (0x01 on IPv6): an RFC 8981 temporary address. */
  readonly temporary: boolean;
  /** `IFA_F_SECONDARY` (0x01 on IPv4, the same bit): not the first address of its subnet. */
  readonly secondary: boolean;
  /** `IFA_F_NODAD` (0x02): duplicate address detection was not run. */
  readonly noDad: boolean;
  /** `IFA_F_OPTIMISTIC` (0x04): RFC 4429 optimistic DAD; usable while tentative. */
  readonly optimistic: boolean;
  /** `IFA_F_DADFAILED` (0x08): duplicate address detection found a duplicate; never usable. */
  readonly dadFailed: boolean;
  /** `IFA_F_HOMEADDRESS` (0x10): a Mobile IPv6 home address. */
  readonly homeAddress: boolean;
  /** `IFA_F_DEPRECATED` (0x20): the preferred lifetime has run out. */
  readonly deprecated: boolean;
  /** `IFA_F_TENTATIVE` (0x40): duplicate address detection still running. */
  readonly tentative: boolean;
  /** `IFA_F_PERMANENT` (0x80): configured by hand, not by SLAAC or DHCPv6. */
  readonly permanent: boolean;
  /** `IFA_F_MANAGETEMPADDR` (0x100): the kernel makes temporary addresses from this one. */
  readonly managesTemporary: boolean;
  /** `IFA_F_NOPREFIXROUTE` (0x200): no prefix route was added for it. */
  readonly noPrefixRoute: boolean;
  /** `IFA_F_MCAUTOJOIN` (0x400): the multicast group is joined automatically. */
  readonly multicastAutoJoin: boolean;
  /** `IFA_F_STABLE_PRIVACY` (0x800): an RFC 7217 stable, opaque interface identifier. */
  readonly stablePrivacy: boolean;
}

// IFA_F_* from include/uapi/linux/if_addr.h.
const IFA_F_SECONDARY = 0x01; // also IFA_F_TEMPORARY
const IFA_F_NODAD = 0x02;
const IFA_F_OPTIMISTIC = 0x04;
const IFA_F_DADFAILED = 0x08;
const IFA_F_HOMEADDRESS = 0x10;
const IFA_F_DEPRECATED = 0x20;
const IFA_F_TENTATIVE = 0x40;
const IFA_F_PERMANENT = 0x80;
const IFA_F_MANAGETEMPADDR = 0x100;
const IFA_F_NOPREFIXROUTE = 0x200;
const IFA_F_MCAUTOJOIN = 0x400;
const IFA_F_STABLE_PRIVACY = 0x800;

/**
 * Decodes `IFA_F_*` bits. Bit 0x01 is `IFA_F_TEMPORARY` on IPv6 and
 * `IFA_F_SECONDARY` on IPv4 (one value, two names in `if_addr.h`), so the
 * family decides which flag it sets.
 *
 * @example The flags of `fd00::2` in this machine's `/proc/net/if_inet6`
 * ```ts
 * import { decodeAddressFlags } from "./kernel_facts.ts";
 *
 * const flags = decodeAddressFlags(0x82, 6); // IFA_F_PERMANENT | IFA_F_NODAD
 * if (!flags.permanent || !flags.noDad || flags.tentative) throw new Error("unexpected");
 * if (!decodeAddressFlags(0x01, 4).secondary || decodeAddressFlags(0x01, 4).temporary) throw new Error("unexpected");
 * ```
 *
 * @param bits The flags, as `ifa_flags` (8 bits) or the `IFA_FLAGS` attribute (32 bits).
 * @param family The address family.
 * @returns One boolean per flag.
 */
export function decodeAddressFlags(bits: number, family: 4 | 6): KernelAddressFlags {
  const has = (bit: number) => (bits & bit) !== 0;
  return {
    temporary: family === 6 && has(IFA_F_SECONDARY),
    secondary: family === 4 && has(IFA_F_SECONDARY),
    noDad: has(IFA_F_NODAD),
    optimistic: has(IFA_F_OPTIMISTIC),
    dadFailed: has(IFA_F_DADFAILED),
    homeAddress: has(IFA_F_HOMEADDRESS),
    deprecated: has(IFA_F_DEPRECATED),
    tentative: has(IFA_F_TENTATIVE),
    permanent: has(IFA_F_PERMANENT),
    managesTemporary: has(IFA_F_MANAGETEMPADDR),
    noPrefixRoute: has(IFA_F_NOPREFIXROUTE),
    multicastAutoJoin: has(IFA_F_MCAUTOJOIN),
    stablePrivacy: has(IFA_F_STABLE_PRIVACY),
  };
}

/**
 * An address assigned to a link.
 *
 * @example A SLAAC address whose lifetimes rtnetlink would report
 * ```ts
 * import { decodeAddressFlags, type KernelAddress } from "./kernel_facts.ts";
 *
 * const address: KernelAddress = {
 *   ifindex: 3,
 *   family: 6,
 *   address: "2001:db8:1:0:a00:27ff:fe12:3456",
 *   prefixLength: 64,
 *   scope: "global",
 *   flags: decodeAddressFlags(0, 6),
 *   validLifetime: 2_591_998,
 *   preferredLifetime: 604_798,
 * };
 * if (address.flags.temporary) throw new Error("unexpected");
 * ```
 */
export interface KernelAddress {
  /** The link it is assigned to. */
  readonly ifindex: number;
  /** Address family. */
  readonly family: 4 | 6;
  /** Canonical text (RFC 5952 for IPv6), without a zone. */
  readonly address: string;
  /** Prefix length of its subnet. */
  readonly prefixLength: number;
  /** Its scope. */
  readonly scope: AddressScope;
  /** Its `IFA_F_*` flags; all false when the source cannot see them. */
  readonly flags: KernelAddressFlags;
  /** Remaining valid lifetime in seconds, `Infinity` for forever; absent when the source cannot see it. */
  readonly validLifetime?: number;
  /** Remaining preferred lifetime in seconds, `Infinity` for forever; absent when the source cannot see it. */
  readonly preferredLifetime?: number;
}

/**
 * What a route does with a packet: forward it (`unicast`), deliver it
 * locally (`local`), refuse it (`reject`: unreachable, prohibit, blackhole),
 * or something else (broadcast, anycast, multicast).
 *
 * @example
 * ```ts
 * import type { KernelRouteType } from "./kernel_facts.ts";
 *
 * const type: KernelRouteType = "unicast";
 * if (type !== "unicast") throw new Error("unexpected");
 * ```
 */
export type KernelRouteType = "unicast" | "local" | "reject" | "other";

/**
 * A route in the kernel's routing tables.
 *
 * @example This machine's IPv6 default route
 * ```ts
 * import type { KernelRoute } from "./kernel_facts.ts";
 *
 * const route: KernelRoute = {
 *   family: 6,
 *   destination: "::",
 *   prefixLength: 0,
 *   gateway: "fd00::1",
 *   ifindex: 4,
 *   metric: 1024,
 *   type: "unicast",
 * };
 * if (route.prefixLength !== 0) throw new Error("a default route");
 * ```
 */
export interface KernelRoute {
  /** Address family. */
  readonly family: 4 | 6;
  /** Destination prefix address, canonical text. */
  readonly destination: string;
  /** Destination prefix length; 0 for a default route. */
  readonly prefixLength: number;
  /** Next hop, canonical text without a zone; absent for an on-link route. */
  readonly gateway?: string;
  /** Outgoing link. */
  readonly ifindex: number;
  /** Metric (priority): lower is preferred. */
  readonly metric: number;
  /** Routing table id (254 is `main`, 255 `local`); absent when the source cannot tell. */
  readonly table?: number;
  /** What the route does. */
  readonly type: KernelRouteType;
  /** Who installed it, when the source can tell: `ra` for routes learned from router advertisements. */
  readonly origin?: "ra" | "dhcp" | "static" | "kernel" | "boot" | "other";
}

/**
 * The DNS configuration of one link, as systemd-resolved keeps it.
 *
 * @example What networkd pushed for a Wi-Fi link
 * ```ts
 * import type { LinkDns } from "./kernel_facts.ts";
 *
 * const wifi: LinkDns = {
 *   ifindex: 3,
 *   servers: ["192.168.1.1", "fe80::1"],
 *   searchDomains: ["home.example"],
 *   routeOnlyDomains: ["corp.example"],
 *   defaultRoute: true,
 *   origin: "/run/systemd/resolve/netif/3",
 * };
 * if (wifi.servers.length !== 2) throw new Error("unexpected");
 * ```
 */
export interface LinkDns {
  /** The link. */
  readonly ifindex: number;
  /** DNS servers, canonical text without a zone (a link-local server is on this link), in order. */
  readonly servers: readonly string[];
  /** Search domains, lowercase, no trailing dot. */
  readonly searchDomains: readonly string[];
  /** Routing-only domains (`~example.com`): queries for them go to this link, but they are not searched. */
  readonly routeOnlyDomains: readonly string[];
  /** Whether the link is used for names no routing domain claims; absent when not said. */
  readonly defaultRoute?: boolean;
  /** Where this came from (a file path). */
  readonly origin: string;
}

/**
 * The host's DNS configuration: host-wide servers and search domains
 * (resolv.conf), and per-link configuration where systemd-resolved knows it.
 *
 * @example A host with resolv.conf only
 * ```ts
 * import type { HostDns } from "./kernel_facts.ts";
 *
 * const dns: HostDns = { servers: ["8.8.8.8"], searchDomains: [], links: [], origin: "/etc/resolv.conf" };
 * if (dns.servers[0] !== "8.8.8.8") throw new Error("unexpected");
 * ```
 */
export interface HostDns {
  /**
   * Host-wide DNS servers, canonical text, in order. A link-local server
   * keeps its zone (`fe80::1%wlp2s0`), which names its link.
   */
  readonly servers: readonly string[];
  /** Host-wide search domains, lowercase, no trailing dot. */
  readonly searchDomains: readonly string[];
  /** Per-link configuration (systemd-resolved); empty when none is known. */
  readonly links: readonly LinkDns[];
  /** Where the host-wide configuration came from (a file path); absent when none was found. */
  readonly origin?: string;
}

/**
 * Everything one read of a source learned.
 *
 * @example The smallest host: loopback only
 * ```ts
 * import { decodeAddressFlags, type HostFacts } from "./kernel_facts.ts";
 *
 * const facts: HostFacts = {
 *   links: [{ ifindex: 1, name: "lo", kind: "loopback", up: true, mtu: 65536 }],
 *   addresses: [{
 *     ifindex: 1,
 *     family: 4,
 *     address: "127.0.0.1",
 *     prefixLength: 8,
 *     scope: "host",
 *     flags: decodeAddressFlags(0x80, 4),
 *   }],
 *   routes: [],
 *   dns: { servers: [], searchDomains: [], links: [] },
 * };
 * if (facts.links.length !== 1) throw new Error("unexpected");
 * ```
 */
export interface HostFacts {
  /** Every link, in ifindex order. */
  readonly links: readonly KernelLink[];
  /** Every address. */
  readonly addresses: readonly KernelAddress[];
  /** Routes, as far as the source sees them. */
  readonly routes: readonly KernelRoute[];
  /** DNS configuration. */
  readonly dns: HostDns;
}

/**
 * A way to learn {@linkcode HostFacts}. `HostNetwork` takes a list of these
 * in preference order and uses the first whose `read()` succeeds.
 *
 * @example A fixed source, for a test or a host described by hand
 * ```ts
 * import type { HostFacts, KernelFactsSource } from "./kernel_facts.ts";
 *
 * const facts: HostFacts = { links: [], addresses: [], routes: [], dns: { servers: [], searchDomains: [], links: [] } };
 * const fixed: KernelFactsSource = {
 *   name: "proc",
 *   limitations: ["a fixed description, never changes"],
 *   read: () => Promise.resolve(facts),
 * };
 * if ((await fixed.read()).links.length !== 0) throw new Error("unexpected");
 * ```
 */
export interface KernelFactsSource {
  /** Which kind of source this is. */
  readonly name: "rtnetlink" | "proc" | "network-interfaces";
  /** What this source cannot see, one sentence each, for people. */
  readonly limitations: readonly string[];
  /** Reads the host's current facts; rejects when the source cannot work here. */
  read(): Promise<HostFacts>;
  /**
   * Calls `onChange` whenever the facts may have changed (coalescing is the
   * caller's job); returns a function that stops watching. A source without
   * `watch` is polled.
   */
  watch?(onChange: () => void): () => void;
  /**
   * Asks the kernel which route a packet from `source` to `destination`
   * would take, policy rules (`ip rule`) and source-specific routes
   * included, as `ip route get DESTINATION from SOURCE` does. A source
   * without it leaves the question to a guess from its routes.
   *
   * @param destination The destination address, canonical text.
   * @param source A local address of the same family, canonical text.
   * @returns The route, or why there is none; at once (not a promise) when the source already knows it.
   */
  routeGet?(destination: string, source: string): KernelRouteLookup | Promise<KernelRouteLookup>;
  /** Releases what the source keeps open between calls (a library for `routeGet`); it reopens it when asked again. */
  close?(): void;
}

/**
 * The kernel's answer to "which route would a packet from this source to
 * this destination take" (`RTM_GETROUTE`, `ip route get`): the link it would
 * leave through, or why it would not leave at all.
 *
 * @example Leaving through eth0 (ifindex 2), and no route at all
 * ```ts
 * import type { KernelRouteLookup } from "./kernel_facts.ts";
 *
 * const through: KernelRouteLookup = { type: "unicast", ifindex: 2, gateway: "fe80::1", table: 254 };
 * const none: KernelRouteLookup = { type: "reject", unreachable: "no route (ENETUNREACH)" };
 * if (through.ifindex !== 2 || none.ifindex !== undefined) throw new Error("unexpected");
 * ```
 */
export interface KernelRouteLookup {
  /** What the route does: `unicast` leaves through `ifindex`, `local` stays on this host, `reject` goes nowhere. */
  readonly type: KernelRouteType;
  /** The outgoing link (`RTA_OIF`); absent for a `reject` answer. */
  readonly ifindex?: number;
  /** The next hop, when the route has one. */
  readonly gateway?: string;
  /** The table the route was found in, when known (254 `main`, 255 `local`). */
  readonly table?: number;
  /** Why there is no route, for a `reject` answer: the kind of route or the kernel's errno. */
  readonly unreachable?: string;
}

// ARPHRD_* from include/uapi/linux/if_arp.h.
const ARPHRD_ETHER = 1;
const ARPHRD_PPP = 512;
const ARPHRD_RAWIP = 519;
const ARPHRD_LOOPBACK = 772;
const ARPHRD_NONE = 0xfffe;

/**
 * What {@linkcode classifyLink} looks at: the sysfs `type` file (or
 * `ifi_type` from rtnetlink), `DEVTYPE` from the sysfs `uevent` file, whether
 * a `wireless` or `phy80211` directory exists, and rtnetlink's
 * `IFLA_INFO_KIND` when known.
 *
 * @example A WireGuard link
 * ```ts
 * import { classifyLink, type LinkClassification } from "./kernel_facts.ts";
 *
 * const wg0: LinkClassification = { arphrdType: 0xfffe, devtype: "wireguard" };
 * if (classifyLink(wg0) !== "vpn") throw new Error("unexpected");
 * ```
 */
export interface LinkClassification {
  /** `ARPHRD_*` hardware type. */
  readonly arphrdType: number;
  /** `DEVTYPE` from uevent (`wlan`, `wwan`, `bridge`, `wireguard`, ...). */
  readonly devtype?: string;
  /** A `wireless` or `phy80211` directory exists under `/sys/class/net/<name>`. */
  readonly wireless?: boolean;
  /** rtnetlink `IFLA_INFO_KIND` (`tun`, `wireguard`, `veth`, ...). */
  readonly infoKind?: string;
}

/**
 * The {@linkcode InterfaceKind} of a link, from what the kernel says about it:
 *
 * - `ARPHRD_LOOPBACK` (772): `loopback`;
 * - `DEVTYPE=wlan`, or a `wireless` directory: `wifi`;
 * - `DEVTYPE=wwan`, or `ARPHRD_RAWIP` (519, rmnet and qmi_wwan in raw-IP mode): `cellular`;
 * - info kind or `DEVTYPE` `tun`/`wireguard`, `ARPHRD_NONE` (0xfffe, tun, WireGuard,
 *   xfrm) or `ARPHRD_PPP` (512): `vpn`. PPP also carries DSL and old modems;
 *   a tunnel is the common case on a host running this library;
 * - any other `ARPHRD_ETHER` (1): `ethernet` (bridges, veth and VLANs included);
 * - anything else: `other`.
 *
 * @example This machine's links
 * ```ts
 * import { classifyLink } from "./kernel_facts.ts";
 *
 * if (classifyLink({ arphrdType: 1 }) !== "ethernet") throw new Error("eth0");
 * if (classifyLink({ arphrdType: 772 }) !== "loopback") throw new Error("lo");
 * if (classifyLink({ arphrdType: 1, wireless: true }) !== "wifi") throw new Error("wlan0");
 * if (classifyLink({ arphrdType: 519, devtype: "wwan" }) !== "cellular") throw new Error("wwan0");
 * ```
 *
 * @param link What the kernel says about the link.
 * @returns Its kind.
 */
export function classifyLink(link: LinkClassification): InterfaceKind {
  const devtype = link.devtype?.toLowerCase();
  const infoKind = link.infoKind?.toLowerCase();
  if (link.arphrdType === ARPHRD_LOOPBACK) return "loopback";
  if (devtype === "wlan" || link.wireless === true) return "wifi";
  if (devtype === "wwan" || link.arphrdType === ARPHRD_RAWIP) return "cellular";
  if (
    infoKind === "tun" || infoKind === "wireguard" || devtype === "wireguard" || devtype === "tun" ||
    link.arphrdType === ARPHRD_NONE || link.arphrdType === ARPHRD_PPP
  ) return "vpn";
  if (link.arphrdType === ARPHRD_ETHER) return "ethernet";
  return "other";
}

// IFF_* from include/uapi/linux/if.h.
const IFF_UP = 0x1;
const IFF_RUNNING = 0x40;

/**
 * What {@linkcode linkIsUp} looks at.
 *
 * @example The loopback link, as sysfs shows it
 * ```ts
 * import { linkIsUp, type LinkState } from "./kernel_facts.ts";
 *
 * const lo: LinkState = { operstate: "unknown", flags: 0x9, carrier: true };
 * if (!linkIsUp(lo)) throw new Error("unexpected");
 * ```
 */
export interface LinkState {
  /** RFC 2863 operational state as the kernel names it (`up`, `down`, `unknown`, `dormant`, ...). */
  readonly operstate: string;
  /** `IFF_*` flags: sysfs `flags` (which never holds `IFF_RUNNING`) or rtnetlink `ifi_flags`. */
  readonly flags: number;
  /** sysfs `carrier`, when readable (it is not while the link is administratively down). */
  readonly carrier?: boolean;
}

/**
 * Whether a link is operationally up: `operstate` is `up`, or it is
 * `unknown` (drivers that do not report it: loopback, tun, WireGuard) and
 * the link is administratively up (`IFF_UP`) with a carrier (`IFF_RUNNING`
 * from rtnetlink, or the sysfs `carrier` file reading 1).
 *
 * @example
 * ```ts
 * import { linkIsUp } from "./kernel_facts.ts";
 *
 * if (!linkIsUp({ operstate: "up", flags: 0x1003 })) throw new Error("eth0");
 * if (linkIsUp({ operstate: "down", flags: 0x1003 })) throw new Error("no carrier");
 * if (!linkIsUp({ operstate: "unknown", flags: 0x10041 })) throw new Error("tun0 from rtnetlink");
 * ```
 *
 * @param state What the kernel says about the link.
 * @returns True when the link is usable.
 */
export function linkIsUp(state: LinkState): boolean {
  if (state.operstate === "up") return true;
  if (state.operstate !== "unknown") return false;
  if ((state.flags & IFF_UP) === 0) return false;
  return (state.flags & IFF_RUNNING) !== 0 || state.carrier === true;
}
