// The PvD model of a real host: networkStateFromFacts and stabilizeTimes,
// from hand-built facts, and through the configuration database.

import {
  decodeAddressFlags,
  type HostDns,
  type HostFacts,
  implicitPvdId,
  type KernelAddress,
  type KernelLink,
  type KernelRoute,
  networkStateFromFacts,
  stabilizeTimes,
} from "../adapters/host/mod.ts";
import { ConfigurationDatabase, type DatabaseEvent } from "../api/config_db.ts";
import { VirtualClock } from "../adapters/simulated/mod.ts";
import {
  buildRouterAdvertisement,
  type NdOption,
  parseRouterAdvertisement,
  type RouterAdvertisement,
} from "../core-as/mod.ts";
import type { NetworkState } from "../api/network_link.ts";
import { assert, assertEquals } from "./_assert.ts";
import { BASE, providerBPvdOption } from "./_router_advertisement_fixtures.ts";

const LO: KernelLink = { ifindex: 1, name: "lo", kind: "loopback", up: true, mtu: 65536 };
const ETH0: KernelLink = { ifindex: 4, name: "eth0", kind: "ethernet", up: true, mtu: 1400 };
const WLAN0: KernelLink = { ifindex: 3, name: "wlan0", kind: "wifi", up: true, mtu: 1500 };
const NO_DNS: HostDns = { servers: [], searchDomains: [], links: [] };

function address(
  ifindex: number,
  text: string,
  prefixLength: number,
  extra: Partial<KernelAddress> = {},
): KernelAddress {
  const family = text.includes(":") ? 6 : 4;
  return {
    ifindex,
    family,
    address: text,
    prefixLength,
    scope: text.startsWith("fe80") ? "link" : "global",
    flags: decodeAddressFlags(0x80, family),
    ...extra,
  };
}

function flags(bits: number): KernelAddress["flags"] {
  return decodeAddressFlags(bits, 6);
}

function route(
  ifindex: number,
  destination: string,
  prefixLength: number,
  extra: Partial<KernelRoute> = {},
): KernelRoute {
  return {
    family: destination.includes(":") ? 6 : 4,
    destination,
    prefixLength,
    ifindex,
    metric: 0,
    type: "unicast",
    ...extra,
  };
}

/** This machine: lo, eth0 with fd00::2, fe80::fc:ff:fe00:1 and 192.0.2.2, resolv.conf with 8.8.8.8. */
function thisMachine(): HostFacts {
  return {
    links: [LO, ETH0],
    addresses: [
      address(4, "fd00::2", 64, { flags: flags(0x82) }),
      address(1, "::1", 128, { scope: "host" }),
      address(4, "fe80::fc:ff:fe00:1", 64),
      address(1, "127.0.0.1", 8, { scope: "host" }),
      address(4, "192.0.2.2", 24),
    ],
    routes: [
      route(4, "fd00::", 64, { metric: 256 }),
      route(4, "::", 0, { gateway: "fd00::1", metric: 1024 }),
      route(1, "::1", 128, { type: "local" }),
      route(4, "0.0.0.0", 0, { gateway: "192.0.2.1" }),
      route(4, "192.0.2.0", 24),
    ],
    dns: { servers: ["8.8.8.8"], searchDomains: [], links: [], origin: "/etc/resolv.conf" },
  };
}

function elementsOf(state: NetworkState, pvdId: string) {
  return state.elements.filter((e) => e.pvdId === pvdId).map((e) => e.element);
}

Deno.test("model: this machine gives eth0 two implicit PvDs and leaves lo out", () => {
  const state = networkStateFromFacts(thisMachine(), 5_000);
  assertEquals(state.interfaces, [{ interfaceId: 4, displayName: "eth0", kind: "ethernet", up: true }]);
  assertEquals(state.pvds, [
    { pvdId: "implicit:eth0:ipv6", interfaceId: 4, explicit: false },
    { pvdId: "implicit:eth0:ipv4", interfaceId: 4, explicit: false },
  ]);
  assertEquals(state.addresses.map((a) => `${a.pvdId} ${a.address}/${a.prefixLength}`), [
    "implicit:eth0:ipv6 fd00::2/64",
    "implicit:eth0:ipv6 fe80::fc:ff:fe00:1/64",
    "implicit:eth0:ipv4 192.0.2.2/24",
  ]);
  assert(state.addresses.every((a) => a.validUntil === Infinity && a.preferredUntil === Infinity));
  assertEquals(elementsOf(state, "implicit:eth0:ipv6"), [{
    elementType: "static",
    elementId: "kernel",
    data: { routers: [{ address: "fd00::1", lifetime: Infinity, preference: "medium" }], mtu: 1400 },
  }]);
  assertEquals(elementsOf(state, "implicit:eth0:ipv4"), [
    {
      elementType: "static",
      elementId: "resolv.conf",
      data: { "dns-servers": [{ address: "8.8.8.8", lifetime: Infinity }] },
    },
    {
      elementType: "static",
      elementId: "kernel",
      data: { routers: [{ address: "192.0.2.1", lifetime: Infinity, preference: "medium" }], mtu: 1400 },
    },
  ]);
  assert(state.elements.every((e) => e.receivedAt === 5_000 && e.expiresAt === undefined));
});

Deno.test("model: includeLoopback keeps lo and its two PvDs", () => {
  const state = networkStateFromFacts(thisMachine(), 0, { includeLoopback: true });
  assertEquals(state.interfaces.map((i) => i.displayName), ["lo", "eth0"]);
  assertEquals(state.pvds.map((p) => p.pvdId), [
    "implicit:lo:ipv6",
    "implicit:lo:ipv4",
    "implicit:eth0:ipv6",
    "implicit:eth0:ipv4",
  ]);
  // The host-wide guess reaches loopback too: 8.8.8.8 is IPv4.
  assertEquals(elementsOf(state, "implicit:lo:ipv4")[0]?.data["dns-servers"]?.[0]?.address, "8.8.8.8");
});

Deno.test("model: implicitPvdId follows draft -00 naming", () => {
  assertEquals(implicitPvdId("wlp2s0", 4), "implicit:wlp2s0:ipv4");
  assertEquals(implicitPvdId("wlp2s0", 6), "implicit:wlp2s0:ipv6");
});

Deno.test("model: a link without addresses is an interface without PvDs; single-stack links get one PvD", () => {
  const facts = {
    links: [ETH0, WLAN0, { ifindex: 2, name: "ifb0", kind: "ethernet" as const, up: false, mtu: 1500 }],
    addresses: [address(4, "192.0.2.2", 24), address(3, "2001:db8::3", 64)],
    routes: [],
    dns: NO_DNS,
  };
  const state = networkStateFromFacts(facts, 0, { includeDownLinks: true });
  assertEquals(state.interfaces.map((i) => `${i.interfaceId} ${i.displayName} ${i.up}`), [
    "2 ifb0 false",
    "3 wlan0 true",
    "4 eth0 true",
  ]);
  // By default a link that is down is no interface: nothing can use it.
  assertEquals(networkStateFromFacts(facts, 0).interfaces.map((i) => i.displayName), ["wlan0", "eth0"]);
  assertEquals(state.pvds.map((p) => p.pvdId), ["implicit:wlan0:ipv6", "implicit:eth0:ipv4"]);
});

Deno.test("model: tentative and DAD-failed addresses are left out; optimistic ones are used", () => {
  const state = networkStateFromFacts({
    links: [ETH0],
    addresses: [
      address(4, "2001:db8::1", 64, { flags: flags(0x40) }), // tentative
      address(4, "2001:db8::2", 64, { flags: flags(0x48) }), // tentative, DAD failed
      address(4, "2001:db8::3", 64, { flags: flags(0x44) }), // tentative, optimistic
      address(4, "2001:db8::4", 64, { flags: flags(0x4c) }), // optimistic but failed
      address(4, "fe80::5", 64, { flags: flags(0x08) }), // failed
    ],
    routes: [],
    dns: NO_DNS,
  }, 0);
  assertEquals(state.addresses.map((a) => a.address), ["2001:db8::3"]);
  // A link whose only addresses are unusable has no PvD.
  const none = networkStateFromFacts({
    links: [ETH0],
    addresses: [address(4, "2001:db8::1", 64, { flags: flags(0x40) })],
    routes: [],
    dns: NO_DNS,
  }, 0);
  assertEquals(none.pvds, []);
});

Deno.test("model: lifetimes become clock times; deprecated without a lifetime is no longer preferred", () => {
  const state = networkStateFromFacts({
    links: [ETH0],
    addresses: [
      address(4, "2001:db8::1", 64, { flags: flags(0x00), validLifetime: 7200, preferredLifetime: 3600 }),
      address(4, "2001:db8::2", 64, { flags: flags(0x01), validLifetime: 86400, preferredLifetime: 0 }),
      address(4, "2001:db8::3", 64, { flags: flags(0x21) }), // deprecated temporary, lifetimes unknown
      address(4, "2001:db8::4", 64, { validLifetime: Infinity, preferredLifetime: Infinity }),
      address(4, "2001:db8::5", 64, { validLifetime: 60, preferredLifetime: 600 }), // preferred above valid
    ],
    routes: [],
    dns: NO_DNS,
  }, 10_000);
  assertEquals(
    state.addresses.map((a) => [a.address, a.validUntil, a.preferredUntil, a.temporary ?? false]),
    [
      ["2001:db8::1", 7_210_000, 3_610_000, false],
      ["2001:db8::2", 86_410_000, 10_000, true],
      ["2001:db8::3", Infinity, 10_000, true],
      ["2001:db8::4", Infinity, Infinity, false],
      ["2001:db8::5", 70_000, 70_000, false],
    ],
  );
  // `temporary` is only present when true.
  assert(!("temporary" in state.addresses[0]!));
});

Deno.test("model: an address twice on a link is announced once; addresses of unknown links are dropped", () => {
  const state = networkStateFromFacts({
    links: [ETH0],
    addresses: [address(4, "192.0.2.2", 24), address(4, "192.0.2.2", 24), address(9, "192.0.2.9", 24)],
    routes: [],
    dns: NO_DNS,
  }, 0);
  assertEquals(state.addresses.map((a) => a.address), ["192.0.2.2"]);
});

Deno.test("model: systemd-resolved's per-link servers win over the host-wide guess, per family", () => {
  const state = networkStateFromFacts({
    links: [ETH0, WLAN0],
    addresses: [
      address(4, "192.0.2.2", 24),
      address(4, "2001:db8:4::2", 64),
      address(3, "192.168.1.23", 24),
      address(3, "2001:db8:3::23", 64),
    ],
    routes: [],
    dns: {
      servers: ["192.168.1.1", "2001:db8:3::53", "8.8.8.8"],
      searchDomains: ["home.example"],
      links: [{
        ifindex: 3,
        servers: ["192.168.1.1", "fe80::1", "2001:db8:3::53"],
        searchDomains: ["wifi.example"],
        routeOnlyDomains: ["corp.example"],
        defaultRoute: true,
        origin: "/run/systemd/resolve/netif/3",
      }],
      origin: "/run/systemd/resolve/resolv.conf",
    },
  }, 0);
  const dns = (pvdId: string) =>
    elementsOf(state, pvdId).filter((e) => e.elementId !== "kernel").map((e) => ({
      id: e.elementId,
      servers: e.data["dns-servers"]?.map((s) => s.address),
      domains: e.data["search-domains"]?.map((d) => d.domain),
    }));
  assertEquals(dns("implicit:wlan0:ipv6"), [{
    id: "systemd-resolved",
    servers: ["fe80::1", "2001:db8:3::53"],
    domains: ["wifi.example"],
  }]);
  assertEquals(dns("implicit:wlan0:ipv4"), [{
    id: "systemd-resolved",
    servers: ["192.168.1.1"],
    domains: ["wifi.example"],
  }]);
  // eth0 has no per-link state: the host-wide list, by family (the guess).
  assertEquals(dns("implicit:eth0:ipv4"), [{
    id: "resolv.conf",
    servers: ["192.168.1.1", "8.8.8.8"],
    domains: ["home.example"],
  }]);
  assertEquals(dns("implicit:eth0:ipv6"), [{
    id: "resolv.conf",
    servers: ["2001:db8:3::53"],
    domains: ["home.example"],
  }]);
});

Deno.test("model: a link-local server with a zone goes to its link only, by name or index", () => {
  const state = networkStateFromFacts({
    links: [ETH0, WLAN0],
    addresses: [address(4, "fe80::2", 64), address(3, "fe80::3", 64)],
    routes: [],
    dns: { servers: ["fe80::1%wlan0", "fe80::2%4", "fe80::53"], searchDomains: [], links: [] },
  }, 0);
  const servers = (pvdId: string) => elementsOf(state, pvdId)[0]?.data["dns-servers"]?.map((s) => s.address);
  // Zones are dropped: the PvD names the link. A zone-less link-local server goes everywhere.
  assertEquals(servers("implicit:wlan0:ipv6"), ["fe80::1", "fe80::53"]);
  assertEquals(servers("implicit:eth0:ipv6"), ["fe80::2", "fe80::53"]);
});

Deno.test("model: search domains alone make an element; nothing makes none", () => {
  const state = networkStateFromFacts({
    links: [{ ifindex: 4, name: "eth0", kind: "ethernet", up: true }],
    addresses: [address(4, "192.0.2.2", 24)],
    routes: [],
    dns: { servers: ["2001:db8::53"], searchDomains: ["corp.example", "corp.example"], links: [] },
  }, 0);
  assertEquals(elementsOf(state, "implicit:eth0:ipv4"), [{
    elementType: "static",
    elementId: "resolv.conf",
    data: { "search-domains": [{ domain: "corp.example", lifetime: Infinity }] },
  }]);
  const bare = networkStateFromFacts({
    links: [{ ifindex: 4, name: "eth0", kind: "ethernet", up: true }],
    addresses: [address(4, "192.0.2.2", 24)],
    routes: [],
    dns: NO_DNS,
  }, 0);
  assertEquals(bare.elements, []);
});

Deno.test("model: routers are default-route gateways of the link and family, best metric first", () => {
  const state = networkStateFromFacts({
    links: [ETH0, WLAN0],
    addresses: [address(4, "2001:db8::2", 64), address(4, "192.0.2.2", 24)],
    routes: [
      route(4, "::", 0, { gateway: "fe80::2", metric: 1024 }),
      route(4, "::", 0, { gateway: "fe80::1", metric: 100, origin: "ra" }),
      route(4, "::", 0, { gateway: "fe80::1", metric: 2048 }), // the same router again
      route(3, "::", 0, { gateway: "fe80::99", metric: 1 }), // another link
      route(4, "::", 0, { metric: 5 }), // no gateway: point-to-point
      route(4, "::", 0, { gateway: "fe80::7", type: "reject" }),
      route(4, "::", 0, { gateway: "fe80::8", table: 255 }),
      route(4, "::", 0, { gateway: "fe80::9", table: 51820, metric: 3000 }), // policy routing: still a router of the link
      route(4, "2001:db8:f::", 48, { gateway: "fe80::1", metric: 600 }),
      route(4, "2001:db8::", 64), // on-link: no gateway, not a route datum
      route(4, "0.0.0.0", 0, { gateway: "192.0.2.1", metric: 100 }),
    ],
    dns: NO_DNS,
  }, 0);
  const v6 = elementsOf(state, "implicit:eth0:ipv6")[0]!;
  assertEquals(v6.data.routers?.map((r) => r.address), ["fe80::1", "fe80::2", "fe80::9"]);
  assertEquals(v6.data.routes, [{
    prefix: "2001:db8:f::",
    length: 48,
    via: "fe80::1",
    lifetime: Infinity,
    preference: "medium",
  }]);
  assertEquals(elementsOf(state, "implicit:eth0:ipv4")[0]?.data.routers?.map((r) => r.address), ["192.0.2.1"]);
});

Deno.test("model: the database answers Get Configuration Data from the static elements", () => {
  const db = new ConfigurationDatabase(new VirtualClock());
  db.snapshot(networkStateFromFacts(thisMachine(), 0));
  assertEquals(db.configurationData("implicit:eth0:ipv4", "static", "dns-servers"), [{
    address: "8.8.8.8",
    lifetime: Infinity,
  }]);
  assertEquals(db.configurationData("implicit:eth0:ipv6", "static", "routers")?.[0]?.address, "fd00::1");
  assertEquals(db.configurationData("implicit:eth0:ipv6", undefined, "mtu"), 1400);
  assertEquals(db.addressesOf("implicit:eth0:ipv6").map((a) => a.address), ["fd00::2", "fe80::fc:ff:fe00:1"]);
  db.close();
});

Deno.test("stabilizeTimes: re-reading an unchanged host announces nothing", () => {
  const events: DatabaseEvent[] = [];
  const db = new ConfigurationDatabase(new VirtualClock(), { onEvent: (e) => events.push(e) });
  const first = networkStateFromFacts(thisMachine(), 0);
  db.snapshot(first);
  const count = events.length;
  // Without stabilizing, every element would be announced again (its receivedAt moved).
  const unstable = networkStateFromFacts(thisMachine(), 1_000);
  const stable = stabilizeTimes(unstable, first);
  db.snapshot(stable);
  assertEquals(events.length, count);
  assert(stable.elements.every((e, i) => e === first.elements[i]));
  db.snapshot(unstable);
  assertEquals(events.slice(count).map((e) => e.kind), ["element-set", "element-set", "element-set"]);
  db.close();
});

Deno.test("stabilizeTimes: lifetimes that drift by a second keep their times; real changes come through", () => {
  const facts = (valid: number, dns: string[]): HostFacts => ({
    links: [ETH0],
    addresses: [address(4, "2001:db8::1", 64, { validLifetime: valid, preferredLifetime: valid / 2 })],
    routes: [],
    dns: { servers: dns, searchDomains: [], links: [] },
  });
  const first = networkStateFromFacts(facts(7200, ["2001:db8::53"]), 0);
  // One second later the kernel reports one second less: the same end, within a second.
  const drift = stabilizeTimes(networkStateFromFacts(facts(7199, ["2001:db8::53"]), 1_400), first);
  assertEquals(drift.addresses[0], first.addresses[0]);
  // A router advertisement refreshed the lifetime: announced.
  const refreshed = stabilizeTimes(networkStateFromFacts(facts(7200, ["2001:db8::53"]), 600_000), first);
  assertEquals(refreshed.addresses[0]?.validUntil, 7_800_000);
  // Other DNS servers: a new element with the new reception time.
  const changed = stabilizeTimes(networkStateFromFacts(facts(7200, ["2001:db8::54"]), 3_000), first);
  assertEquals(changed.elements[0]?.receivedAt, 3_000);
  assertEquals(stabilizeTimes(first, undefined), first);
});

Deno.test("stabilizeTimes: an element with finite lifetimes re-sent later is a refresh", () => {
  const pvdId = "implicit:eth0:ipv6";
  const element = {
    elementType: "ra" as const,
    elementId: "fe80::1",
    data: { routers: [{ address: "fe80::1", lifetime: 1800, preference: "medium" as const }] },
  };
  const state = (receivedAt: number): NetworkState => ({
    interfaces: [{ interfaceId: 4, displayName: "eth0", kind: "ethernet", up: true }],
    pvds: [{ pvdId, interfaceId: 4, explicit: false }],
    elements: [{ pvdId, element, receivedAt, expiresAt: receivedAt + 1_800_000 }],
    addresses: [],
  });
  const first = state(0);
  assertEquals(stabilizeTimes(state(600_000), first).elements[0]?.receivedAt, 600_000);
  assertEquals(stabilizeTimes(state(500), first).elements[0]?.receivedAt, 0);
});

// ---------------------------------------------------------------------------
// Router Advertisements heard on a link

function heardRa(options: NdOption[], routerLifetime = 1800): RouterAdvertisement {
  return parseRouterAdvertisement(buildRouterAdvertisement({ ...BASE, preference: "high", routerLifetime, options }));
}

Deno.test("an RA without a PvD option is an ra element of the link's implicit IPv6 PvD", () => {
  const wlan0: KernelLink = { ifindex: 3, name: "wlan0", kind: "wifi", up: true };
  const ra = heardRa([
    { type: "rdnss", lifetime: 600, servers: ["2001:db8:b::53"] },
    { type: "dnssl", lifetime: 600, domains: ["b.example"] },
  ]);
  const state = networkStateFromFacts(
    {
      links: [wlan0],
      addresses: [{
        ifindex: 3,
        family: 6,
        address: "fe80::2",
        prefixLength: 64,
        scope: "link",
        flags: decodeAddressFlags(0x80, 6),
      }],
      routes: [],
      dns: { servers: [], searchDomains: [], links: [] },
    },
    5_000,
    { routerAdvertisements: [{ ifindex: 3, source: "fe80::1", receivedAt: 4_000, ra }] },
  );
  const element = state.elements.find((e) => e.element.elementType === "ra");
  assertEquals(element?.pvdId, "implicit:wlan0:ipv6");
  assertEquals(element?.element.elementId, "fe80::1");
  assertEquals(element?.receivedAt, 4_000);
  assertEquals(element?.expiresAt, 4_000 + 1_800_000, "the router lifetime is the longest");
  assertEquals(element?.element.data["dns-servers"]?.[0]?.address, "2001:db8:b::53");
  assertEquals(element?.element.data.routers?.[0], { address: "fe80::1", lifetime: 1800, preference: "high" });
});

Deno.test("an RA naming DNS servers keeps resolv.conf's host-wide guess off its PvD; one without RDNSS does not", () => {
  const eth0: KernelLink = { ifindex: 2, name: "eth0", kind: "ethernet", up: true };
  const wlan0: KernelLink = { ifindex: 3, name: "wlan0", kind: "wifi", up: true };
  const linkLocal = (ifindex: number) => ({
    ifindex,
    family: 6 as const,
    address: `fe80::${ifindex}`,
    prefixLength: 64,
    scope: "link" as const,
    flags: decodeAddressFlags(0x80, 6),
  });
  const heard = (ifindex: number, options: NdOption[]) => ({
    ifindex,
    source: `fe80::${ifindex}:1`,
    receivedAt: 0,
    ra: heardRa(options),
  });
  const state = networkStateFromFacts(
    {
      links: [eth0, wlan0],
      addresses: [linkLocal(2), linkLocal(3)],
      routes: [],
      // Provider A's server, as resolv.conf on a host whose preferred network is A's.
      dns: { servers: ["2001:db8:a::53"], searchDomains: ["a.example"], links: [], origin: "/etc/resolv.conf" },
    },
    0,
    {
      routerAdvertisements: [
        heard(2, [{ type: "mtu", mtu: 1500 }]),
        heard(3, [{ type: "rdnss", lifetime: 600, servers: ["2001:db8:b::53"] }]),
      ],
    },
  );
  const servers = (pvdId: string) =>
    state.elements.filter((e) => e.pvdId === pvdId).flatMap((e) =>
      (e.element.data["dns-servers"] ?? []).map((d) => `${e.element.elementId} ${d.address}`)
    );
  assertEquals(servers("implicit:wlan0:ipv6"), ["fe80::3:1 2001:db8:b::53"], "B's own server only");
  assertEquals(servers("implicit:eth0:ipv6"), ["resolv.conf 2001:db8:a::53"], "no RDNSS: the guess stays");
});

Deno.test("an RA with a PvD option makes an explicit PvD that takes the addresses of its prefixes", () => {
  const wlan0: KernelLink = { ifindex: 3, name: "wlan0", kind: "wifi", up: true };
  const address = (text: string, scope: "link" | "global") => ({
    ifindex: 3,
    family: 6 as const,
    address: text,
    prefixLength: 64,
    scope,
    flags: decodeAddressFlags(0, 6),
    validLifetime: 7200,
    preferredLifetime: 3600,
  });
  const pvd = providerBPvdOption(true);
  const plain = heardRa([{ type: "rdnss", lifetime: 600, servers: ["2001:db8:b::53"] }]);
  const state = networkStateFromFacts(
    {
      links: [wlan0],
      addresses: [
        address("fe80::2", "link"),
        address("2001:db8:b::2", "global"),
        address("2001:db8:bb::2", "global"),
      ],
      routes: [],
      dns: { servers: [], searchDomains: [], links: [] },
    },
    1_000,
    {
      routerAdvertisements: [
        { ifindex: 3, source: "fe80::1", receivedAt: 1_000, ra: plain },
        { ifindex: 3, source: "fe80::1:1", receivedAt: 1_000, ra: heardRa([pvd], 0) },
      ],
    },
  );
  assertEquals(state.pvds.map((p) => `${p.pvdId} ${p.explicit} ${p.expiresAt ?? "never"}`), [
    "implicit:wlan0:ipv6 false never",
    "pvd.provider-b.example true 7201000",
  ]);
  assertEquals(
    state.addresses.map((a) => `${a.pvdId} ${a.address}`),
    [
      "implicit:wlan0:ipv6 fe80::2",
      "implicit:wlan0:ipv6 2001:db8:b::2",
      "pvd.provider-b.example 2001:db8:bb::2",
    ],
  );
  const explicitElement = state.elements.find((e) => e.pvdId === "pvd.provider-b.example");
  assertEquals(explicitElement?.element.data["dns-servers"]?.[0]?.address, "2001:db8:b::53");
  assertEquals(explicitElement?.element.data.routers, undefined, "router lifetime 0: not a default router");
  // Through the database: the explicit PvD is announced with its address.
  const db = new ConfigurationDatabase(new VirtualClock({ start: 1_000 }));
  db.snapshot(state);
  assertEquals(db.addressesOf("pvd.provider-b.example").map((a) => a.address), ["2001:db8:bb::2"]);
  db.close();
});
