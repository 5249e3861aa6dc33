/**
 * Sources of {@linkcode HostFacts} that need no FFI: {@linkcode procSource}
 * (Linux `/proc`, `/sys`, resolv.conf and systemd-resolved's files) and
 * {@linkcode networkInterfacesSource} (`networkInterfaces()` from
 * `node:os`, on any system). Both use only `node:fs/promises` and `node:os`,
 * which Deno and Node provide.
 *
 * Permissions under Deno: `networkInterfacesSource` needs `--allow-sys` (and
 * `--allow-read` for resolv.conf). `procSource` needs `--allow-all`: Deno
 * treats every path under `/proc` and `/sys` as privileged and refuses it
 * with `--allow-read` alone, even `--allow-read=/proc,/sys`
 * (denoland/deno#27564). Without it, `procSource().read()` rejects and
 * `HostNetwork` falls back to `networkInterfacesSource`. Node has no such
 * restriction.
 *
 * Each names what it cannot see in `limitations`.
 *
 * @module
 */

import { readdir, readFile, stat } from "node:fs/promises";
import { networkInterfaces as osNetworkInterfaces } from "node:os";
import { parseIpAddress } from "../../core-as/ip_address.ts";
import { MifError } from "../../api/errors.ts";
import {
  type AddressScope,
  classifyLink,
  decodeAddressFlags,
  type HostDns,
  type HostFacts,
  type KernelAddress,
  type KernelFactsSource,
  type KernelLink,
  type KernelRoute,
  type LinkDns,
  linkIsUp,
} from "./kernel_facts.ts";
import {
  parseIfInet6,
  parseIpv4Route,
  parseIpv6Route,
  parseResolvConf,
  parseResolvedLinkState,
  parseUevent,
  type ProcRoute,
  type ResolvConf,
} from "./proc_parsers.ts";
import type { InterfaceKind } from "../../api/network_link.ts";

/**
 * One address as `networkInterfaces()` lists it (`os.NetworkInterfaceInfo`).
 * Node 18.0 to 18.3 gave `family` as a number.
 *
 * @example
 * ```ts
 * import type { OsInterfaceAddress } from "./sources.ts";
 *
 * const entry: OsInterfaceAddress = {
 *   address: "192.0.2.2",
 *   netmask: "255.255.255.0",
 *   family: "IPv4",
 *   mac: "02:fc:00:00:00:01",
 *   internal: false,
 *   cidr: "192.0.2.2/24",
 * };
 * if (entry.family !== "IPv4") throw new Error("unexpected");
 * ```
 */
export interface OsInterfaceAddress {
  /** The address. */
  readonly address: string;
  /** Its netmask. */
  readonly netmask: string;
  /** Its family. */
  readonly family: "IPv4" | "IPv6" | 4 | 6;
  /** The link's MAC address. */
  readonly mac: string;
  /** True for loopback. */
  readonly internal: boolean;
  /** `address/length`, or null when the netmask is not contiguous. */
  readonly cidr: string | null;
  /** IPv6 scope id: the interface index for a link-local address, 0 otherwise. */
  readonly scopeid?: number;
}

/**
 * `networkInterfaces()` from `node:os`, or a stand-in for tests.
 *
 * @example A host with only loopback
 * ```ts
 * import type { NetworkInterfacesFunction } from "./sources.ts";
 *
 * const fake: NetworkInterfacesFunction = () => ({
 *   lo: [{ address: "127.0.0.1", netmask: "255.0.0.0", family: "IPv4", mac: "00:00:00:00:00:00", internal: true, cidr: "127.0.0.1/8" }],
 * });
 * if (Object.keys(fake()).join() !== "lo") throw new Error("unexpected");
 * ```
 */
export type NetworkInterfacesFunction = () => Readonly<Record<string, readonly OsInterfaceAddress[] | undefined>>;

const realNetworkInterfaces: NetworkInterfacesFunction = () =>
  osNetworkInterfaces() as unknown as ReturnType<NetworkInterfacesFunction>;

/**
 * Options for {@linkcode procSource}.
 *
 * @example Read a copied tree instead of the live system
 * ```ts
 * import { procSource, type ProcSourceOptions } from "./sources.ts";
 *
 * const options: ProcSourceOptions = { root: "tests/fixtures/host/this-machine", networkInterfaces: () => ({}) };
 * const facts = await procSource(options).read();
 * if (!facts.links.some((l) => l.name === "eth0")) throw new Error("unexpected");
 * ```
 */
export interface ProcSourceOptions {
  /** The directory holding `proc/`, `sys/`, `etc/` and `run/`; `/` when absent. */
  readonly root?: string;
  /** Where IPv4 addresses come from; `networkInterfaces()` of `node:os` when absent. */
  readonly networkInterfaces?: NetworkInterfacesFunction;
  /** Byte order of `/proc/net/route`; this machine's when absent. */
  readonly byteOrder?: "little" | "big";
}

const PROC_LIMITATIONS: readonly string[] = [
  "Changes are polled, not notified: /proc and /sys cannot be watched",
  "IPv6 address lifetimes are not shown by /proc/net/if_inet6: addresses appear to last forever and vanish at the next read after the kernel removes them",
  "Address flags above 0x80 (IFA_F_MANAGETEMPADDR, NOPREFIXROUTE, MCAUTOJOIN, STABLE_PRIVACY) are cut off by /proc/net/if_inet6, which prints the flags as one byte",
  "IPv4 addresses come from networkInterfaces(), as /proc has no per-link IPv4 address table: no flags, no lifetimes, and under Node only links that are up and running",
  "IPv4 routes come from /proc/net/route, which shows the main table only: policy-routing tables are not seen",
  "IPv6 routes come from /proc/net/ipv6_route, which shows no table id, route preference or expiry, and only the first nexthop of a nexthop-object route",
  "Router advertisements are not seen: no RDNSS or DNSSL lifetimes, no RFC 8801 PvD option, so every PvD is implicit",
  "DNS servers are per link only where systemd-resolved keeps per-link state; otherwise resolv.conf's servers are a host-wide guess given to every PvD of their family",
  "systemd-resolved servers on a port other than 53 (DNS over TLS) are left out",
];

const NETWORK_INTERFACES_LIMITATIONS: readonly string[] = [
  "Changes are polled, not notified",
  "Interface indexes are known only from a link-local address's scope id; other links get stable made-up identifiers from 0x7f000000",
  "Link kinds are guessed from interface names, except loopback",
  "No MTU, no operational state: every listed link counts as up, and Node lists only links that are up and running",
  "No address flags: temporary, deprecated and tentative addresses cannot be told apart",
  "No address lifetimes: addresses appear to last forever",
  "No routes: PvDs have no routers",
  "DNS comes from resolv.conf only, where it exists, as a host-wide guess given to every PvD of each server's family",
];

function path(root: string, relative: string): string {
  return `${root.replace(/\/+$/, "")}/${relative}`;
}

/** Reads a text file; undefined when it does not exist (or, in sysfs, cannot be read in this state). */
async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    // ENOENT: absent; ENOTDIR: a path through a file; EINVAL: sysfs attributes
    // such as `carrier` on a link that is administratively down.
    if (code === "ENOENT" || code === "ENOTDIR" || code === "EINVAL") return undefined;
    throw error;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

async function readLink(root: string, name: string): Promise<KernelLink | undefined> {
  const dir = path(root, `sys/class/net/${name}`);
  const [ifindex, type, operstate, mtu, address, flags, uevent, carrier, wireless, phy] = await Promise.all([
    readOptional(`${dir}/ifindex`),
    readOptional(`${dir}/type`),
    readOptional(`${dir}/operstate`),
    readOptional(`${dir}/mtu`),
    readOptional(`${dir}/address`),
    readOptional(`${dir}/flags`),
    readOptional(`${dir}/uevent`),
    readOptional(`${dir}/carrier`),
    exists(`${dir}/wireless`),
    exists(`${dir}/phy80211`),
  ]);
  // Not a link (bonding_masters is a file there), or removed while reading.
  if (ifindex === undefined || type === undefined || !/^[0-9]+$/.test(ifindex.trim())) return undefined;
  const event = parseUevent(uevent ?? "");
  const devtype = event.DEVTYPE;
  const kind = classifyLink({
    arphrdType: Number(type.trim()),
    ...(devtype === undefined ? {} : { devtype }),
    wireless: wireless || phy,
  });
  const flagBits = flags === undefined ? 0 : parseInt(flags.trim(), 16) || 0;
  const carrierText = carrier?.trim();
  const up = linkIsUp({
    operstate: operstate?.trim() ?? "unknown",
    flags: flagBits,
    ...(carrierText === undefined ? {} : { carrier: carrierText === "1" }),
  });
  const mtuValue = mtu === undefined ? NaN : Number(mtu.trim());
  const lladdr = address?.trim().toLowerCase();
  return {
    ifindex: Number(ifindex.trim()),
    name,
    kind,
    up,
    ...(flags === undefined ? {} : { adminUp: (flagBits & 0x1) !== 0 }),
    ...(Number.isFinite(mtuValue) ? { mtu: mtuValue } : {}),
    ...(lladdr ? { linkLayerAddress: lladdr } : {}),
  };
}

function ipv4Scope(bytes: Uint8Array): AddressScope {
  if (bytes[0] === 127) return "host";
  if (bytes[0] === 169 && bytes[1] === 254) return "link";
  return "global";
}

function ipv6Scope(bytes: Uint8Array): AddressScope {
  if (bytes.every((b, i) => b === (i === 15 ? 1 : 0))) return "host";
  if (bytes[0] === 0xfe && (bytes[1]! & 0xc0) === 0x80) return "link";
  if (bytes[0] === 0xfe && (bytes[1]! & 0xc0) === 0xc0) return "site";
  return "global";
}

/** The prefix length of a `networkInterfaces()` entry, from `cidr` or else its netmask. */
function osPrefixLength(entry: OsInterfaceAddress): number | undefined {
  const slash = entry.cidr?.lastIndexOf("/") ?? -1;
  if (entry.cidr && slash !== -1) return Number(entry.cidr.slice(slash + 1));
  try {
    const mask = parseIpAddress(entry.netmask).bytes;
    let length = 0;
    for (const byte of mask) {
      for (let bit = 7; bit >= 0; bit--) {
        if ((byte >> bit) & 1) length++;
        else return length;
      }
    }
    return length;
  } catch {
    return undefined;
  }
}

function osFamily(entry: OsInterfaceAddress): 4 | 6 {
  return entry.family === "IPv4" || entry.family === 4 ? 4 : 6;
}

/** A `networkInterfaces()` entry as a {@linkcode KernelAddress}; undefined when it does not parse. */
function osAddress(ifindex: number, entry: OsInterfaceAddress): KernelAddress | undefined {
  const family = osFamily(entry);
  const prefixLength = osPrefixLength(entry);
  if (prefixLength === undefined) return undefined;
  let parsed;
  try {
    parsed = parseIpAddress(entry.address);
  } catch {
    return undefined;
  }
  const percent = parsed.text.indexOf("%");
  return {
    ifindex,
    family,
    address: percent === -1 ? parsed.text : parsed.text.slice(0, percent),
    prefixLength,
    scope: family === 4 ? ipv4Scope(parsed.bytes) : ipv6Scope(parsed.bytes),
    flags: decodeAddressFlags(0, family),
  };
}

/** A link name as `getifaddrs` gives it: `eth0:1` is an IPv4 label on `eth0`. */
function baseName(name: string): string {
  const colon = name.indexOf(":");
  return colon === -1 ? name : name.slice(0, colon);
}

function routesFromProc(entries: readonly ProcRoute[], ifindexOf: ReadonlyMap<string, number>): KernelRoute[] {
  const out: KernelRoute[] = [];
  for (const entry of entries) {
    const ifindex = ifindexOf.get(entry.name);
    // "*" (a reject route with no link) or a link removed while reading.
    if (ifindex === undefined) continue;
    out.push({
      family: entry.family,
      destination: entry.destination,
      prefixLength: entry.prefixLength,
      ...(entry.gateway === undefined ? {} : { gateway: entry.gateway }),
      ifindex,
      metric: entry.metric,
      type: entry.type,
      ...(entry.origin === undefined ? {} : { origin: entry.origin }),
    });
  }
  return out;
}

/** systemd-resolved's stub listeners: a resolv.conf naming only these forwards to per-link servers. */
const RESOLVED_STUBS = new Set(["127.0.0.53", "127.0.0.54"]);

/**
 * The host's DNS configuration from files, for a source that has none of
 * its own (rtnetlink): `/etc/resolv.conf` (or, behind systemd-resolved's
 * stub, `/run/systemd/resolve/resolv.conf`) and systemd-resolved's per-link
 * state in `/run/systemd/resolve/netif/<ifindex>`.
 *
 * @example Read this machine's resolv.conf
 * ```ts
 * import { hostDnsFromFiles } from "./sources.ts";
 *
 * const dns = await hostDnsFromFiles([]);
 * if (!Array.isArray(dns.servers)) throw new Error("unexpected");
 * ```
 *
 * @param links The links whose per-link state to look for.
 * @param options `root`: a directory standing for `/` (tests).
 * @returns Host-wide and per-link DNS.
 */
export function hostDnsFromFiles(links: readonly KernelLink[], options: { root?: string } = {}): Promise<HostDns> {
  return readHostDns(options.root ?? "/", links);
}

async function readHostDns(root: string, links: readonly KernelLink[]): Promise<HostDns> {
  let conf: ResolvConf | undefined;
  let origin: string | undefined;
  const etc = await readOptional(path(root, "etc/resolv.conf"));
  if (etc !== undefined) {
    conf = parseResolvConf(etc);
    origin = "/etc/resolv.conf";
  }
  if (conf !== undefined && conf.nameservers.length > 0 && conf.nameservers.every((s) => RESOLVED_STUBS.has(s))) {
    // The stub would answer from whichever link systemd-resolved picks; its
    // list of upstream servers is the better host-wide guess.
    const upstream = await readOptional(path(root, "run/systemd/resolve/resolv.conf"));
    if (upstream !== undefined) {
      const parsed = parseResolvConf(upstream);
      conf = {
        ...parsed,
        searchDomains: parsed.searchDomains.length > 0 ? parsed.searchDomains : conf.searchDomains,
      };
      origin = "/run/systemd/resolve/resolv.conf";
    }
  }
  const perLink: LinkDns[] = [];
  for (const link of links) {
    const relative = `run/systemd/resolve/netif/${link.ifindex}`;
    const text = await readOptional(path(root, relative));
    if (text === undefined) continue;
    const state = parseResolvedLinkState(text);
    perLink.push({
      ifindex: link.ifindex,
      // A DNS server datum has no port: a server on another port is left out.
      servers: state.servers.filter((s) => s.port === undefined).map((s) => s.address),
      searchDomains: state.searchDomains,
      routeOnlyDomains: state.routeOnlyDomains,
      ...(state.defaultRoute === undefined ? {} : { defaultRoute: state.defaultRoute }),
      origin: `/${relative}`,
    });
  }
  return {
    servers: conf?.nameservers ?? [],
    searchDomains: conf?.searchDomains ?? [],
    links: perLink,
    ...(origin === undefined ? {} : { origin }),
  };
}

/**
 * Reads Linux's view through files: links from `/sys/class/net/*`
 * (`ifindex`, `type`, `operstate`, `flags`, `carrier`, `mtu`, `address`,
 * `uevent` and the `wireless` directory, classified by `classifyLink`),
 * IPv6 addresses from `/proc/net/if_inet6`, routes from `/proc/net/route`
 * and `/proc/net/ipv6_route`, IPv4 addresses from `networkInterfaces()`
 * (matched to links by name), DNS from `/etc/resolv.conf` (or, behind
 * systemd-resolved's stub, `/run/systemd/resolve/resolv.conf`) and
 * `/run/systemd/resolve/netif/<ifindex>`.
 *
 * `read()` rejects with a {@linkcode MifError} `unsupported` when
 * `/sys/class/net` or `/proc/net/route` cannot be read (not Linux, no
 * permission, or Deno without `--allow-all`), and with a `SyntaxError`
 * when a kernel file does not have the expected format. The files are read one after another, not atomically: a
 * change in between shows at the next read. The source has no `watch`, so
 * it is polled. Its `limitations` list what it cannot see.
 *
 * @example The facts of a copied tree of this machine
 * ```ts
 * import { procSource } from "./sources.ts";
 *
 * const source = procSource({ root: "tests/fixtures/host/this-machine", networkInterfaces: () => ({}) });
 * const facts = await source.read();
 * const eth0 = facts.links.find((l) => l.name === "eth0");
 * if (eth0?.kind !== "ethernet" || eth0.mtu !== 1400) throw new Error("unexpected");
 * if (!facts.addresses.some((a) => a.address === "fd00::2")) throw new Error("unexpected");
 * ```
 *
 * @param options Where the files are, and where IPv4 addresses come from.
 * @returns The source.
 */
export function procSource(options: ProcSourceOptions = {}): KernelFactsSource {
  const root = options.root ?? "/";
  const networkInterfaces = options.networkInterfaces ?? realNetworkInterfaces;
  const byteOrder = options.byteOrder;
  return {
    name: "proc",
    limitations: PROC_LIMITATIONS,
    async read(): Promise<HostFacts> {
      let names: string[];
      let ipv4Routes: string;
      try {
        names = await readdir(path(root, "sys/class/net"));
        ipv4Routes = await readFile(path(root, "proc/net/route"), "utf8");
      } catch (error) {
        // Deno refuses /proc and /sys without --allow-all: say so, since
        // --allow-read looks like it should be enough.
        const hint = (error as Error).name === "NotCapable"
          ? " (Deno reads /proc and /sys only with --allow-all, denoland/deno#27564)"
          : "";
        throw new MifError(
          "unsupported",
          `Cannot read host facts from /proc and /sys: ${(error as Error).message}${hint}`,
          { cause: error },
        );
      }
      const links = (await Promise.all(names.sort().map((name) => readLink(root, name))))
        .filter((l): l is KernelLink => l !== undefined)
        .sort((a, b) => a.ifindex - b.ifindex);
      const ifindexOf = new Map(links.map((l) => [l.name, l.ifindex]));
      const known = new Set(links.map((l) => l.ifindex));
      const [ifInet6, ipv6Routes] = await Promise.all([
        // Both are absent on a kernel without IPv6.
        readOptional(path(root, "proc/net/if_inet6")),
        readOptional(path(root, "proc/net/ipv6_route")),
      ]);
      const addresses: KernelAddress[] = [];
      for (const entry of parseIfInet6(ifInet6 ?? "")) {
        if (!known.has(entry.ifindex)) continue;
        addresses.push({
          ifindex: entry.ifindex,
          family: 6,
          address: entry.address,
          prefixLength: entry.prefixLength,
          scope: entry.scope,
          flags: entry.flags,
        });
      }
      const listed = networkInterfaces();
      for (const [name, entries] of Object.entries(listed)) {
        const ifindex = ifindexOf.get(name) ?? ifindexOf.get(baseName(name));
        if (ifindex === undefined) continue;
        for (const entry of entries ?? []) {
          if (osFamily(entry) !== 4) continue;
          const address = osAddress(ifindex, entry);
          if (address !== undefined) addresses.push(address);
        }
      }
      const routes = [
        ...routesFromProc(parseIpv6Route(ipv6Routes ?? ""), ifindexOf),
        ...routesFromProc(parseIpv4Route(ipv4Routes, byteOrder === undefined ? {} : { byteOrder }), ifindexOf),
      ];
      return { links, addresses, routes, dns: await readHostDns(root, links) };
    },
  };
}

/**
 * Options for {@linkcode networkInterfacesSource}.
 *
 * @example
 * ```ts
 * import { networkInterfacesSource, type NetworkInterfacesSourceOptions } from "./sources.ts";
 *
 * const options: NetworkInterfacesSourceOptions = { networkInterfaces: () => ({}), root: "/nonexistent" };
 * const facts = await networkInterfacesSource(options).read();
 * if (facts.links.length !== 0 || facts.dns.servers.length !== 0) throw new Error("unexpected");
 * ```
 */
export interface NetworkInterfacesSourceOptions {
  /** The listing; `networkInterfaces()` of `node:os` when absent. */
  readonly networkInterfaces?: NetworkInterfacesFunction;
  /** The directory holding `etc/resolv.conf`; `/` when absent. */
  readonly root?: string;
}

/** Made-up interface identifiers start here, far above real interface indexes. */
const MADE_UP_IDS = 0x7f000000;

function guessKind(name: string, internal: boolean): InterfaceKind {
  if (internal) return "loopback";
  if (/^(wlan|wlp|wlx|wifi|ath|ra[0-9])/.test(name)) return "wifi";
  if (/^(wwan|rmnet|ccmni|pdp_ip|usb[0-9])/.test(name)) return "cellular";
  if (/^(tun|tap|wg|utun|ppp|ipsec|tailscale|zt|nordlynx|gpd)/.test(name)) return "vpn";
  if (/^(eth|en|em|eno|ens|enp|enx)/.test(name)) return "ethernet";
  return "other";
}

/**
 * Reads what `networkInterfaces()` of `node:os` lists, on any system Deno or
 * Node runs on: links with their addresses and netmasks, and DNS from
 * `resolv.conf` where one exists. The last resort: no MTU, no flags, no
 * lifetimes, no routes (see `limitations`). An interface index is known only
 * from a link-local address's scope id; any other link gets a made-up
 * identifier, kept for as long as this source lives.
 *
 * @example Two links, one without a link-local address
 * ```ts
 * import { networkInterfacesSource } from "./sources.ts";
 *
 * const source = networkInterfacesSource({
 *   root: "/nonexistent",
 *   networkInterfaces: () => ({
 *     eth0: [
 *       { address: "192.0.2.2", netmask: "255.255.255.0", family: "IPv4", mac: "02:fc:00:00:00:01", internal: false, cidr: "192.0.2.2/24" },
 *       { address: "fe80::fc:ff:fe00:1", netmask: "ffff:ffff:ffff:ffff::", family: "IPv6", mac: "02:fc:00:00:00:01", internal: false, cidr: "fe80::fc:ff:fe00:1/64", scopeid: 4 },
 *     ],
 *     tun0: [{ address: "10.8.0.2", netmask: "255.255.255.0", family: "IPv4", mac: "00:00:00:00:00:00", internal: false, cidr: "10.8.0.2/24" }],
 *   }),
 * });
 * const facts = await source.read();
 * if (facts.links.map((l) => `${l.name}=${l.ifindex}:${l.kind}`).join() !== "eth0=4:ethernet,tun0=2130706432:vpn") {
 *   throw new Error("unexpected");
 * }
 * ```
 *
 * @param options The listing and where resolv.conf is.
 * @returns The source.
 */
export function networkInterfacesSource(options: NetworkInterfacesSourceOptions = {}): KernelFactsSource {
  const networkInterfaces = options.networkInterfaces ?? realNetworkInterfaces;
  const root = options.root ?? "/";
  const ids = new Map<string, number>();
  let nextMadeUp = MADE_UP_IDS;
  return {
    name: "network-interfaces",
    limitations: NETWORK_INTERFACES_LIMITATIONS,
    async read(): Promise<HostFacts> {
      let listed: ReturnType<NetworkInterfacesFunction>;
      try {
        listed = networkInterfaces();
      } catch (error) {
        throw new MifError(
          "unsupported",
          `Cannot read host facts from networkInterfaces(): ${(error as Error).message}`,
          { cause: error },
        );
      }
      const grouped = new Map<string, OsInterfaceAddress[]>();
      for (const [name, entries] of Object.entries(listed)) {
        const base = baseName(name);
        grouped.set(base, [...(grouped.get(base) ?? []), ...(entries ?? [])]);
      }
      const links: KernelLink[] = [];
      const addresses: KernelAddress[] = [];
      for (const [name, entries] of [...grouped].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        let ifindex = ids.get(name);
        if (ifindex === undefined) {
          const scoped = entries.find((e) => osFamily(e) === 6 && (e.scopeid ?? 0) > 0);
          ifindex = scoped?.scopeid ?? nextMadeUp++;
          ids.set(name, ifindex);
        }
        const first = entries[0];
        const mac = first?.mac.toLowerCase();
        links.push({
          ifindex,
          name,
          kind: guessKind(name, first?.internal ?? false),
          up: true,
          ...(mac ? { linkLayerAddress: mac } : {}),
        });
        for (const entry of entries) {
          const address = osAddress(ifindex, entry);
          if (address !== undefined) addresses.push(address);
        }
      }
      links.sort((a, b) => a.ifindex - b.ifindex);
      const text = await readOptional(path(root, "etc/resolv.conf"));
      const conf = text === undefined ? undefined : parseResolvConf(text);
      const dns: HostDns = conf === undefined
        ? { servers: [], searchDomains: [], links: [] }
        : { servers: conf.nameservers, searchDomains: conf.searchDomains, links: [], origin: "/etc/resolv.conf" };
      return { links, addresses, routes: [], dns };
    },
  };
}
