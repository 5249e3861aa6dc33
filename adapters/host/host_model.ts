/**
 * The project's PvD model of a real host: {@linkcode networkStateFromFacts}
 * turns what a source learned ({@linkcode HostFacts}) into the
 * {@linkcode NetworkState} an adapter hands the configuration database.
 *
 * - **Interfaces**: one per link that is up, its ifindex as the interface
 *   identifier; loopback is left out unless `includeLoopback`, and a link
 *   that is down unless `includeDownLinks`. A link coming up
 *   (administratively up, no carrier yet) is an interface that is not up,
 *   without PvDs, until it is up. An application cannot use a
 *   link that is down, so taking a link down withdraws its addresses, its
 *   PvDs and then the interface (the draft's order), and bringing it up
 *   announces it again.
 * - **Implicit PvDs** (draft-ietf-mif-api-extension-00 section 3.1): a link
 *   with a usable address of a family carries `implicit:<link>:ipv6` or
 *   `implicit:<link>:ipv4`; a dual-stack link carries both.
 * - **Addresses** go to their link's PvD of their family, link-local ones
 *   included: the application asked for a PvD, and RFC 6724's scope rules
 *   already keep a link-local source away from a global destination.
 *   Tentative addresses (unless optimistic, RFC 4429) and addresses whose
 *   duplicate address detection failed are left out, since the kernel will
 *   not send from them. Lifetimes become clock times; a source that cannot
 *   see lifetimes (`/proc`) gives `Infinity`, and the address disappears at
 *   the next read after the kernel removes it.
 * - **Configuration elements** of type `static`, per PvD:
 *   `systemd-resolved` holds the link's own DNS servers and search domains
 *   when systemd-resolved knows them; otherwise `resolv.conf` holds the
 *   host-wide servers of the PvD's family and the host-wide search list.
 *   **That is a guess**: resolv.conf does not say which network a server
 *   belongs to, so every PvD of the family gets every server (except a
 *   link-local server with a zone, which goes to its link only), and not
 *   to a PvD whose link's Router Advertisements name DNS servers (RDNSS):
 *   those are that network's own. `kernel`
 *   holds the routers (gateways of default routes on the link, lowest metric
 *   first), more-specific routes with a gateway, and the link MTU. All of
 *   them last forever: the next read replaces them.
 * - **Router Advertisements** heard on a link (`routerAdvertisements`, from
 *   a raw ICMPv6 listener): an `ra` element per router, its data mapped by
 *   `configurationFromRouterAdvertisement` with lifetimes counting from
 *   when it was heard. An RA without a PvD option belongs to the link's
 *   implicit IPv6 PvD. An RA with an RFC 8801 PvD option makes an explicit
 *   PvD named by its PvD ID, holding the element; the link's addresses in
 *   the prefixes the PvD advertises move to it from the implicit PvD, which
 *   keeps the rest (RFC 8801 section 3.4: options inside the PvD option
 *   belong to that PvD). The explicit PvD lasts as long as the longest
 *   lifetime it advertised.
 *
 * Runtime-neutral: no `Deno.*`, no `node:` import.
 *
 * @module
 */

import { parseIpAddress } from "../../core-as/ip_address.ts";
import { equalBytes, maskPrefix } from "../../core-as/_prefix.ts";
import type { PvdOption, RouterAdvertisement } from "../../core-as/router_advertisement.ts";
import { configurationFromRouterAdvertisement } from "../../api/configuration_from_packets.ts";
import { longestLifetime } from "./_ra_lifetime.ts";
import type { ConfigurationData, ConfigurationElement, DnsServer, PvdId, Route, Router } from "../../api/messages.ts";
import type { AddressInfo, ElementInfo, InterfaceInfo, NetworkState, PvdInfo } from "../../api/network_link.ts";
import type { HostFacts, KernelAddress, KernelLink } from "./kernel_facts.ts";

/**
 * Options for {@linkcode networkStateFromFacts}.
 *
 * @example Keep the loopback interface
 * ```ts
 * import { type HostModelOptions, networkStateFromFacts } from "./host_model.ts";
 * import { decodeAddressFlags } from "./kernel_facts.ts";
 *
 * const options: HostModelOptions = { includeLoopback: true };
 * const state = networkStateFromFacts({
 *   links: [{ ifindex: 1, name: "lo", kind: "loopback", up: true }],
 *   addresses: [{ ifindex: 1, family: 6, address: "::1", prefixLength: 128, scope: "host", flags: decodeAddressFlags(0x80, 6) }],
 *   routes: [],
 *   dns: { servers: [], searchDomains: [], links: [] },
 * }, 0, options);
 * if (state.pvds[0]?.pvdId !== "implicit:lo:ipv6") throw new Error("unexpected");
 * ```
 */
export interface HostModelOptions {
  /** Announce the loopback interface and its PvDs; false when absent. */
  readonly includeLoopback?: boolean;
  /** Announce links that are down, and their PvDs; false when absent. */
  readonly includeDownLinks?: boolean;
  /** The latest Router Advertisement from each router on each link, as a listener heard them. */
  readonly routerAdvertisements?: readonly HeardRouterAdvertisement[];
}

/**
 * A Router Advertisement a listener accepted (RFC 4861 section 6.1.2
 * checks done): where and when it was heard, from which router, and what it
 * said.
 *
 * @example An RA heard on wlan0
 * ```ts
 * import type { HeardRouterAdvertisement } from "./host_model.ts";
 * import { parseRouterAdvertisement } from "../../core-as/mod.ts";
 *
 * const bytes = new Uint8Array([134, 0, 0, 0, 64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0]);
 * const heard: HeardRouterAdvertisement = {
 *   ifindex: 3,
 *   source: "fe80::1",
 *   receivedAt: 1_000,
 *   ra: parseRouterAdvertisement(bytes),
 * };
 * if (heard.ra.routerLifetime !== 1800) throw new Error("unexpected");
 * ```
 */
export interface HeardRouterAdvertisement {
  /** The link it arrived on. */
  readonly ifindex: number;
  /** The router: the RA's link-local source address. */
  readonly source: string;
  /** Clock time (ms) it was heard: its lifetimes count from then. */
  readonly receivedAt: number;
  /** The parsed RA. */
  readonly ra: RouterAdvertisement;
}

/**
 * The identifier of a link's implicit PvD for one family (draft -00 section
 * 3.1: a dual-stack link is two PvDs).
 *
 * @example
 * ```ts
 * import { implicitPvdId } from "./host_model.ts";
 *
 * if (implicitPvdId("eth0", 6) !== "implicit:eth0:ipv6") throw new Error("unexpected");
 * ```
 *
 * @param linkName The link's name.
 * @param family The address family.
 * @returns `implicit:<link>:ipv6` or `implicit:<link>:ipv4`.
 */
export function implicitPvdId(linkName: string, family: 4 | 6): PvdId {
  return `implicit:${linkName}:ipv${family}`;
}

/** Element data being assembled: ConfigurationData without `readonly`. */
type MutableData = { -readonly [K in keyof ConfigurationData]: ConfigurationData[K] };

/**
 * The {@linkcode NetworkState} of a host, following the project's PvD model
 * (see the module documentation for each rule and guess).
 *
 * @example This machine: eth0 dual-stack, resolv.conf with one IPv4 server
 * ```ts
 * import { networkStateFromFacts } from "./host_model.ts";
 * import { decodeAddressFlags } from "./kernel_facts.ts";
 *
 * const state = networkStateFromFacts({
 *   links: [
 *     { ifindex: 1, name: "lo", kind: "loopback", up: true, mtu: 65536 },
 *     { ifindex: 4, name: "eth0", kind: "ethernet", up: true, mtu: 1400 },
 *   ],
 *   addresses: [
 *     { ifindex: 4, family: 6, address: "fd00::2", prefixLength: 64, scope: "global", flags: decodeAddressFlags(0x82, 6) },
 *     { ifindex: 4, family: 4, address: "192.0.2.2", prefixLength: 24, scope: "global", flags: decodeAddressFlags(0, 4) },
 *   ],
 *   routes: [{ family: 4, destination: "0.0.0.0", prefixLength: 0, gateway: "192.0.2.1", ifindex: 4, metric: 0, type: "unicast" }],
 *   dns: { servers: ["8.8.8.8"], searchDomains: [], links: [] },
 * }, 1_000);
 * if (state.pvds.map((p) => p.pvdId).join() !== "implicit:eth0:ipv6,implicit:eth0:ipv4") throw new Error("unexpected");
 * const v4 = state.elements.filter((e) => e.pvdId === "implicit:eth0:ipv4").map((e) => e.element);
 * if (v4[0]?.data["dns-servers"]?.[0]?.address !== "8.8.8.8") throw new Error("unexpected");
 * if (v4[1]?.data.routers?.[0]?.address !== "192.0.2.1") throw new Error("unexpected");
 * ```
 *
 * @param facts What a source learned.
 * @param now The clock time (ms) of the read: lifetimes count from it.
 * @param options Whether to keep loopback.
 * @returns Interfaces, PvDs, elements and addresses.
 */
export function networkStateFromFacts(facts: HostFacts, now: number, options: HostModelOptions = {}): NetworkState {
  const links = [...facts.links]
    .filter((link) => options.includeLoopback === true || link.kind !== "loopback")
    // A link coming up (administratively up, no carrier yet) is an interface
    // that is not up, without PvDs: the adapter announces Interface Going Up.
    .filter((link) => options.includeDownLinks === true || link.up || link.adminUp === true)
    .sort((a, b) => a.ifindex - b.ifindex);
  const interfaces: InterfaceInfo[] = links.map((link) => ({
    interfaceId: link.ifindex,
    displayName: link.name,
    kind: link.kind,
    up: link.up,
  }));
  const pvds: PvdInfo[] = [];
  const elements: ElementInfo[] = [];
  const addresses: AddressInfo[] = [];
  for (const link of links) {
    if (!link.up && options.includeDownLinks !== true) continue;
    const heard = (options.routerAdvertisements ?? []).filter((h) => h.ifindex === link.ifindex);
    const explicit = heard.flatMap((h) => explicitPvdOf(h));
    for (const family of [6, 4] as const) {
      const own = facts.addresses.filter((a) => a.ifindex === link.ifindex && a.family === family && usable(a));
      const pvdId = implicitPvdId(link.name, family);
      const implicitRas = family === 6 ? heard.filter((h) => pvdOptionOf(h.ra) === undefined) : [];
      if (own.length === 0 && implicitRas.length === 0) continue;
      pvds.push({ pvdId, interfaceId: link.ifindex, explicit: false });
      // A Router Advertisement's RDNSS says which servers this link's own
      // network gives: resolv.conf's host-wide guess is then not needed, and
      // would send this PvD's queries to another network's servers.
      const raDns = implicitRas.some((h) =>
        h.ra.options.some((o) => o.type === "rdnss" && o.lifetime > 0 && o.servers.length > 0)
      );
      for (const element of [dnsElement(facts, link, family, raDns), kernelElement(facts, link, family)]) {
        if (element !== undefined) elements.push({ pvdId, element, receivedAt: now });
      }
      for (const h of implicitRas) elements.push(raElementInfo(pvdId, h));
      const seen = new Set<string>();
      for (const address of own) {
        if (seen.has(address.address)) continue;
        seen.add(address.address);
        // An address in a prefix an explicit PvD advertised belongs to that PvD.
        const owner = family === 6 ? explicit.find((e) => e.covers(address.address)) : undefined;
        addresses.push(addressInfo(owner?.pvdId ?? pvdId, address, now));
      }
    }
    const named = new Set<PvdId>();
    for (const e of explicit) {
      elements.push(e.element);
      if (named.has(e.pvdId)) continue;
      named.add(e.pvdId);
      const expiresAt = Math.max(...explicit.filter((x) => x.pvdId === e.pvdId).map((x) => x.expiresAt));
      pvds.push({
        pvdId: e.pvdId,
        interfaceId: link.ifindex,
        explicit: true,
        ...(expiresAt === Infinity ? {} : { expiresAt }),
      });
    }
  }
  // Addresses come after their PvD in the state: explicit PvDs are listed last.
  return { interfaces, pvds, elements, addresses };
}

function pvdOptionOf(ra: RouterAdvertisement): PvdOption | undefined {
  // RFC 8801 section 3.4: "hosts MUST ignore all but the first PvD option".
  return ra.options.find((option): option is PvdOption => option.type === "pvd");
}

/** An RA as an `ra` element of a PvD, lifetimes counting from when it was heard. */
function raElementInfo(pvdId: PvdId, heard: HeardRouterAdvertisement): ElementInfo {
  const data = configurationFromRouterAdvertisement(heard.ra, { sourceAddress: heard.source });
  const lifetime = longestLifetime(data);
  return {
    pvdId,
    element: { elementType: "ra", elementId: heard.source, data },
    receivedAt: heard.receivedAt,
    ...(lifetime === Infinity ? {} : { expiresAt: heard.receivedAt + lifetime * 1000 }),
  };
}

interface ExplicitPvd {
  readonly pvdId: PvdId;
  readonly element: ElementInfo;
  readonly expiresAt: number;
  covers(address: string): boolean;
}

function explicitPvdOf(heard: HeardRouterAdvertisement): ExplicitPvd[] {
  const option = pvdOptionOf(heard.ra);
  if (option === undefined) return [];
  const pvdId: PvdId = option.pvdId;
  const element = raElementInfo(pvdId, heard);
  const prefixes = (element.element.data.prefixes ?? []).map((p) => ({
    bytes: maskPrefix(parseIpAddress(p.prefix).bytes, p.length),
    length: p.length,
  }));
  return [{
    pvdId,
    element,
    expiresAt: element.expiresAt ?? Infinity,
    covers(address) {
      let bytes: Uint8Array;
      try {
        bytes = parseIpAddress(address).bytes;
      } catch {
        return false;
      }
      return prefixes.some((p) => bytes.length === 16 && equalBytes(maskPrefix(bytes, p.length), p.bytes));
    },
  }];
}

/**
 * Whether the kernel would send from an address: not while duplicate
 * address detection runs (RFC 4862 section 5.4), unless the address is
 * optimistic (RFC 4429 section 3.1), and never once it failed.
 */
function usable(address: KernelAddress): boolean {
  if (address.flags.dadFailed) return false;
  return !address.flags.tentative || address.flags.optimistic;
}

function until(now: number, seconds: number | undefined): number {
  if (seconds === undefined || seconds === Infinity) return Infinity;
  return now + seconds * 1000;
}

function addressInfo(pvdId: PvdId, address: KernelAddress, now: number): AddressInfo {
  const validUntil = until(now, address.validLifetime);
  // A deprecated address whose preferred lifetime the source cannot see is
  // past it: it stays valid but is no longer preferred (RFC 4862 section 5.5.4).
  const preferred = address.preferredLifetime ?? (address.flags.deprecated ? 0 : undefined);
  const preferredUntil = Math.min(until(now, preferred), validUntil);
  return {
    pvdId,
    address: address.address,
    prefixLength: address.prefixLength,
    validUntil,
    preferredUntil,
    ...(address.flags.temporary ? { temporary: true } : {}),
  };
}

/** The family of an address text, or undefined when it does not parse. */
function familyOf(text: string): { family: 4 | 6; address: string; zone?: string } | undefined {
  try {
    const parsed = parseIpAddress(text);
    const percent = parsed.text.indexOf("%");
    return percent === -1
      ? { family: parsed.family, address: parsed.text }
      : { family: parsed.family, address: parsed.text.slice(0, percent), zone: parsed.text.slice(percent + 1) };
  } catch {
    return undefined;
  }
}

function dnsElement(
  facts: HostFacts,
  link: KernelLink,
  family: 4 | 6,
  raDns: boolean,
): ConfigurationElement | undefined {
  const perLink = facts.dns.links.find((l) => l.ifindex === link.ifindex);
  let elementId: string;
  let servers: string[];
  let domains: readonly string[];
  if (perLink !== undefined && (perLink.servers.length > 0 || perLink.searchDomains.length > 0)) {
    // systemd-resolved (or the RDNSS/DNSSL the kernel forwarded from RAs) says
    // which servers belong to this link: use those only.
    elementId = perLink.origin.startsWith("/") ? "systemd-resolved" : "kernel-nd-options";
    servers = perLink.servers.flatMap((s) => {
      const parsed = familyOf(s);
      return parsed?.family === family ? [parsed.address] : [];
    });
    domains = perLink.searchDomains;
  } else if (raDns) {
    return undefined;
  } else {
    // The host-wide guess: every server of the family, except a link-local
    // server whose zone names another link.
    elementId = "resolv.conf";
    servers = facts.dns.servers.flatMap((s) => {
      const parsed = familyOf(s);
      if (parsed?.family !== family) return [];
      if (parsed.zone !== undefined && parsed.zone !== link.name && parsed.zone !== String(link.ifindex)) return [];
      return [parsed.address];
    });
    domains = facts.dns.searchDomains;
  }
  const data: MutableData = {};
  const unique = [...new Set(servers)];
  if (unique.length > 0) data["dns-servers"] = unique.map((address): DnsServer => ({ address, lifetime: Infinity }));
  if (domains.length > 0) {
    data["search-domains"] = [...new Set(domains)].map((domain) => ({ domain, lifetime: Infinity }));
  }
  if (Object.keys(data).length === 0) return undefined;
  return { elementType: "static", elementId, data };
}

/** Routing table 255 (`local`) holds the host's own addresses, not paths out. */
const RT_TABLE_LOCAL = 255;

function kernelElement(facts: HostFacts, link: KernelLink, family: 4 | 6): ConfigurationElement | undefined {
  const routes = facts.routes
    .filter((r) =>
      r.ifindex === link.ifindex && r.family === family && r.type === "unicast" && r.gateway !== undefined &&
      r.table !== RT_TABLE_LOCAL
    )
    .sort((a, b) => a.metric - b.metric);
  const routers: Router[] = [];
  const specific: Route[] = [];
  const seen = new Set<string>();
  for (const route of routes) {
    const gateway = route.gateway!;
    if (route.prefixLength === 0) {
      if (seen.has(gateway)) continue;
      seen.add(gateway);
      // Kernel routes carry no RFC 4191 preference that /proc shows.
      routers.push({ address: gateway, lifetime: Infinity, preference: "medium" });
    } else {
      const key = `${route.destination}/${route.prefixLength} ${gateway}`;
      if (seen.has(key)) continue;
      seen.add(key);
      specific.push({
        prefix: route.destination,
        length: route.prefixLength,
        via: gateway,
        lifetime: Infinity,
        preference: "medium",
      });
    }
  }
  const data: MutableData = {};
  if (routers.length > 0) data.routers = routers;
  if (specific.length > 0) data.routes = specific;
  if (link.mtu !== undefined) data.mtu = link.mtu;
  if (Object.keys(data).length === 0) return undefined;
  return { elementType: "static", elementId: "kernel", data };
}

/**
 * Options for {@linkcode stabilizeTimes}.
 *
 * @example
 * ```ts
 * import type { StabilizeOptions } from "./host_model.ts";
 *
 * const options: StabilizeOptions = { toleranceMs: 5_000 };
 * if (options.toleranceMs !== 5_000) throw new Error("unexpected");
 * ```
 */
export interface StabilizeOptions {
  /** How far apart two clock times may be and still count as the same; 2000 ms when absent. */
  readonly toleranceMs?: number;
}

const DEFAULT_TOLERANCE_MS = 2_000;

/**
 * `next` with the clock times of `previous` kept wherever nothing really
 * changed, so that re-reading an unchanged host announces nothing: the
 * database re-announces an element whose `receivedAt` moved, and an address
 * whose lifetime end moved. An address or PvD keeps its previous times when
 * the new ones are within the tolerance (a source reporting remaining
 * seconds drifts by up to one second per read). An element keeps its
 * previous `receivedAt` when its data and expiry are the same and either
 * every lifetime in it is infinite or the two receptions are within the
 * tolerance; otherwise a re-sent element with the same lifetimes is a
 * refresh and is announced.
 *
 * @example A second read of an unchanged host changes nothing
 * ```ts
 * import { networkStateFromFacts, stabilizeTimes } from "./host_model.ts";
 * import { decodeAddressFlags, type HostFacts } from "./kernel_facts.ts";
 *
 * const facts: HostFacts = {
 *   links: [{ ifindex: 4, name: "eth0", kind: "ethernet", up: true, mtu: 1400 }],
 *   addresses: [{
 *     ifindex: 4, family: 6, address: "2001:db8::2", prefixLength: 64, scope: "global",
 *     flags: decodeAddressFlags(0, 6), validLifetime: 3600, preferredLifetime: 1800,
 *   }],
 *   routes: [],
 *   dns: { servers: [], searchDomains: [], links: [] },
 * };
 * const first = networkStateFromFacts(facts, 0);
 * const again = stabilizeTimes(networkStateFromFacts({ ...facts }, 1_000), first);
 * if (again.elements[0]?.receivedAt !== 0 || again.addresses[0]?.validUntil !== 3_600_000) throw new Error("unexpected");
 * ```
 *
 * @param next The state just read.
 * @param previous The state delivered last, if any.
 * @param options The tolerance.
 * @returns `next`, with stable times where nothing changed.
 */
export function stabilizeTimes(
  next: NetworkState,
  previous: NetworkState | undefined,
  options: StabilizeOptions = {},
): NetworkState {
  if (previous === undefined) return next;
  const tolerance = options.toleranceMs ?? DEFAULT_TOLERANCE_MS;
  const close = (a: number | undefined, b: number | undefined) =>
    a === b || (a !== undefined && b !== undefined && Math.abs(a - b) <= tolerance);
  const oldPvds = new Map(previous.pvds.map((p) => [p.pvdId, p]));
  const oldElements = new Map(previous.elements.map((e) => [elementKey(e), e]));
  const oldAddresses = new Map(previous.addresses.map((a) => [`${a.pvdId} ${a.address}`, a]));
  const pvds = next.pvds.map((pvd) => {
    const old = oldPvds.get(pvd.pvdId);
    return old !== undefined && old.interfaceId === pvd.interfaceId && old.explicit === pvd.explicit &&
        close(old.expiresAt, pvd.expiresAt)
      ? old
      : pvd;
  });
  const elements = next.elements.map((element) => {
    const old = oldElements.get(elementKey(element));
    if (old === undefined || !close(old.expiresAt, element.expiresAt)) return element;
    if (JSON.stringify(old.element) !== JSON.stringify(element.element)) return element;
    const timeless = element.expiresAt === undefined && allInfinite(element.element.data);
    return timeless || close(old.receivedAt, element.receivedAt) ? old : element;
  });
  const addresses = next.addresses.map((address) => {
    const old = oldAddresses.get(`${address.pvdId} ${address.address}`);
    return old !== undefined && old.prefixLength === address.prefixLength && old.temporary === address.temporary &&
        close(old.validUntil, address.validUntil) && close(old.preferredUntil, address.preferredUntil)
      ? old
      : address;
  });
  return { interfaces: next.interfaces, pvds, elements, addresses };
}

function elementKey(info: ElementInfo): string {
  return `${info.pvdId} ${info.element.elementType} ${info.element.elementId}`;
}

/** Whether every lifetime in the data is infinite, so that its reception time does not matter. */
function allInfinite(data: ConfigurationData): boolean {
  const lifetimes = [
    ...(data["dns-servers"] ?? []).map((d) => d.lifetime),
    ...(data["search-domains"] ?? []).map((d) => d.lifetime),
    ...(data.routers ?? []).map((r) => r.lifetime),
    ...(data.routes ?? []).map((r) => r.lifetime),
    ...(data.prefixes ?? []).flatMap((p) => [p.validLifetime, p.preferredLifetime]),
  ];
  return lifetimes.every((l) => l === Infinity);
}
