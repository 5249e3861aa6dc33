// Announcements: initial iteration, live changes, stop messages, the
// draft's ordering rules on withdrawal, expiry on the virtual clock, and the
// snapshot diff.

import { MifApi } from "../mod.ts";
import { assert, assertEquals } from "./_assert.ts";
import {
  address,
  drain,
  drainBrief,
  ETH0,
  raElement,
  ScriptedLink,
  twoLinkState,
  V4,
  V6,
  WIFI,
  WLAN0,
} from "./_scripted_link.ts";

function setup() {
  const link = new ScriptedLink();
  const api = new MifApi(link);
  return { link, api, app: api.subscribe() };
}

/** Subscribes to everything on eth0 and discards the initial iteration. */
function subscribeEverything(app: ReturnType<MifApi["subscribe"]>) {
  app.postMessage({ type: "announce-interfaces" });
  app.postMessage({ type: "announce-provisioning-domains", interfaceId: ETH0 });
  for (const pvdId of [V6, V4]) {
    app.postMessage({ type: "announce-configuration-elements", pvdId });
    app.postMessage({ type: "announce-addresses", pvdId });
  }
  return drainBrief(app);
}

Deno.test("Announce Interfaces iterates every interface, then announces new ones until stopped", () => {
  const { link, api, app } = setup();
  app.postMessage({ type: "announce-interfaces" });
  assertEquals(drainBrief(app), ["interface 2 eth0", "interface 3 wlan0"]);

  link.apply({ kind: "interface-set", interface: { interfaceId: 7, displayName: "tun0", kind: "vpn", up: true } });
  assertEquals(drainBrief(app), ["interface 7 tun0"]);
  // A state change of a known interface is not a new interface; a new display name is news.
  link.apply({ kind: "interface-set", interface: { interfaceId: 7, displayName: "tun0", kind: "vpn", up: false } });
  assertEquals(drainBrief(app), []);
  link.apply({ kind: "interface-set", interface: { interfaceId: 7, displayName: "vpn0", kind: "vpn", up: false } });
  assertEquals(drainBrief(app), ["interface 7 vpn0"]);

  link.apply({ kind: "interface-removed", interfaceId: 7 });
  assertEquals(drainBrief(app), ["no-interface 7"]);

  app.postMessage({ type: "stop-announcing-interfaces" });
  link.apply({ kind: "interface-set", interface: { interfaceId: 8, displayName: "tun1", kind: "vpn", up: true } });
  link.apply({ kind: "interface-removed", interfaceId: ETH0 });
  assertEquals(drainBrief(app), [], "stop really stops, both kinds of announcement");
  api.close();
});

Deno.test("Announce Provisioning Domains iterates an interface's PvDs and follows it", () => {
  const { link, api, app } = setup();
  app.postMessage({ type: "announce-provisioning-domains", interfaceId: ETH0 });
  assertEquals(drainBrief(app), [`pvd ${V6}`, `pvd ${V4}`]);
  link.apply({ kind: "pvd-set", pvd: { pvdId: "isp2.example", interfaceId: ETH0, explicit: true } });
  link.apply({ kind: "pvd-set", pvd: { pvdId: "other.example", interfaceId: WLAN0, explicit: true } });
  assertEquals(drainBrief(app), ["pvd isp2.example"], "only PvDs of the subscribed interface");
  link.apply({ kind: "pvd-removed", pvdId: "isp2.example" });
  assertEquals(drainBrief(app), ["no-pvd isp2.example"]);
  app.postMessage({ type: "stop-announcing-provisioning-domains", interfaceId: ETH0 });
  link.apply({ kind: "pvd-set", pvd: { pvdId: "isp3.example", interfaceId: ETH0, explicit: true } });
  link.apply({ kind: "pvd-removed", pvdId: V4 });
  assertEquals(drainBrief(app), []);
  api.close();
});

Deno.test("an interface going away withdraws each PvD's elements and addresses, each PvD, then the interface", () => {
  const { link, api, app } = setup();
  subscribeEverything(app);
  link.apply({ kind: "interface-removed", interfaceId: ETH0 });
  assertEquals(drainBrief(app), [
    `no-element ${V6} ra fe80::1`,
    `no-address ${V6} 2001:db8:a::100`,
    `no-pvd ${V6}`,
    `no-element ${V4} dhcpv4 192.0.2.1`,
    `no-address ${V4} 192.0.2.100`,
    `no-pvd ${V4}`,
    "no-interface 2",
  ]);
  // Automatic unsubscription: the same interface and PvD coming back are
  // announced as an interface only; the PvD subscription ended.
  link.apply(
    { kind: "interface-set", interface: { interfaceId: ETH0, displayName: "eth0", kind: "ethernet", up: true } },
    { kind: "pvd-set", pvd: { pvdId: V6, interfaceId: ETH0, explicit: false } },
    { kind: "address-set", address: address(V6, "2001:db8:a::100", Infinity, Infinity) },
  );
  assertEquals(drainBrief(app), ["interface 2 eth0"]);
  // Re-subscribing works as at first.
  app.postMessage({ type: "announce-provisioning-domains", interfaceId: ETH0 });
  assertEquals(drainBrief(app), [`pvd ${V6}`]);
  api.close();
});

Deno.test("a PvD that expires withdraws its elements and addresses one by one, then itself", async () => {
  const { link, api, app } = setup();
  app.postMessage({ type: "announce-provisioning-domains", interfaceId: WLAN0 });
  app.postMessage({ type: "announce-configuration-elements", pvdId: WIFI });
  app.postMessage({ type: "announce-addresses", pvdId: WIFI });
  app.postMessage({ type: "announce-interfaces" });
  drain(app);
  // The wifi address is valid until 600 s, the RA element until 600 s, the PvD until 1800 s.
  link.apply({ kind: "address-set", address: address(WIFI, "2001:db8:b::200", 3_600_000, 3_600_000) });
  link.apply({ kind: "element-set", element: raElement(WIFI, "fe80::c", ["2001:db8:b::54"], 0, 3_600_000) });
  drain(app);

  await link.clock.tick(599_999);
  assertEquals(drainBrief(app), [], "nothing before the lifetime ends");
  await link.clock.tick(1);
  assertEquals(drainBrief(app), [`no-element ${WIFI} ra fe80::b`, `no-address ${WIFI} 2001:db8:b::100`]);
  await link.clock.tick(1_200_000);
  assertEquals(link.clock.now(), 1_800_000);
  assertEquals(drainBrief(app), [
    `no-element ${WIFI} ra fe80::c`,
    `no-address ${WIFI} 2001:db8:b::200`,
    `no-pvd ${WIFI}`,
  ]);
  // The PvD is gone, its interface stays.
  assertEquals(api.database.pvdsOf(WLAN0), []);
  assert(api.database.getInterface(WLAN0));
  api.close();
});

Deno.test("a refreshed lifetime postpones expiry and is announced again", async () => {
  const { link, api, app } = setup();
  app.postMessage({ type: "announce-addresses", pvdId: WIFI });
  assertEquals(drainBrief(app), [`address ${WIFI} 2001:db8:b::100 600/300`]);
  await link.clock.tick(500_000);
  link.apply({ kind: "address-set", address: address(WIFI, "2001:db8:b::100", 1_100_000, 800_000) });
  assertEquals(drainBrief(app), [`address ${WIFI} 2001:db8:b::100 600/300`]);
  await link.clock.tick(100_000); // the old 600 s lifetime passes
  assertEquals(drainBrief(app), []);
  await link.clock.tick(500_000);
  assertEquals(drainBrief(app), [`no-address ${WIFI} 2001:db8:b::100`]);
  api.close();
});

Deno.test("Address Announcement carries lifetimes for IPv6 only, counting down", async () => {
  const { link, api, app } = setup();
  await link.clock.tick(100_000);
  app.postMessage({ type: "announce-addresses", pvdId: V6 });
  app.postMessage({ type: "announce-addresses", pvdId: V4 });
  const [v6, v4] = drain(app);
  assertEquals(v6, {
    type: "address-announcement",
    pvdId: V6,
    address: "2001:db8:a::100",
    validLifetime: 86_300,
    preferredLifetime: 14_300,
  });
  assertEquals(v4, { type: "address-announcement", pvdId: V4, address: "192.0.2.100" });
  api.close();
});

Deno.test("Announce Configuration Element filters by type and ages the element's lifetimes", async () => {
  const { link, api, app } = setup();
  app.postMessage({ type: "announce-configuration-elements", pvdId: V6, elementType: "dhcpv6" });
  assertEquals(drainBrief(app), []);
  link.apply({
    kind: "element-set",
    element: {
      pvdId: V6,
      receivedAt: 0,
      element: {
        elementType: "dhcpv6",
        elementId: "server-1",
        data: { "dns-servers": [{ address: "2001:db8:a::35", lifetime: Infinity }] },
      },
    },
  });
  link.apply({ kind: "element-set", element: raElement(V6, "fe80::2", [], 0, 1_800_000) });
  assertEquals(drainBrief(app), [`element ${V6} dhcpv6 server-1`], "the RA is filtered out");

  await link.clock.tick(1_000_000);
  app.postMessage({ type: "announce-configuration-elements", pvdId: V6 });
  const messages = drain(app);
  const ra = messages.find((m) => m.type === "configuration-element-announcement" && m.element.elementId === "fe80::1");
  assert(ra?.type === "configuration-element-announcement");
  assertEquals(ra.element.data.routers, [{ address: "fe80::1", lifetime: 800, preference: "medium" }]);
  assertEquals(ra.element.data.mtu, 1500);
  api.close();
});

Deno.test("Stop Announce Configuration Element and Stop Announcing Address stop, per PvD or all", () => {
  const { link, api, app } = setup();
  subscribeEverything(app);
  app.postMessage({ type: "stop-announcing-addresses", pvdId: V6 });
  app.postMessage({ type: "stop-announcing-configuration-elements" });
  assertEquals(drainBrief(app), []);
  link.apply(
    { kind: "address-set", address: address(V6, "2001:db8:a::200", Infinity, Infinity) },
    { kind: "address-set", address: address(V4, "192.0.2.200", Infinity, Infinity) },
    { kind: "element-set", element: raElement(V6, "fe80::9", [], 0, 1_000_000) },
    { kind: "address-removed", pvdId: V6, address: "2001:db8:a::100" },
  );
  assertEquals(drainBrief(app), [`address ${V4} 192.0.2.200`]);
  api.close();
});

Deno.test("Get Configuration Data answers from the database, or says there is none", () => {
  const { api, app } = setup();
  app.postMessage({ type: "get-configuration-data", pvdId: V6, elementType: "ra", informationId: "dns-servers" });
  app.postMessage({ type: "get-configuration-data", pvdId: V4, elementType: "dhcpv4", informationId: "routers" });
  app.postMessage({ type: "get-configuration-data", pvdId: V6, elementType: "dhcpv6", informationId: "dns-servers" });
  app.postMessage({ type: "get-configuration-data", pvdId: V6, elementType: "ra", informationId: "captive-portal" });
  const [dns, routers, none, portal] = drain(app);
  assertEquals(dns, {
    type: "configuration-data",
    pvdId: V6,
    elementType: "ra",
    informationId: "dns-servers",
    data: [{ address: "2001:db8:a::53", lifetime: 1800 }],
  });
  assert(routers?.type === "configuration-data");
  assertEquals(routers.data, [{ address: "192.0.2.1", lifetime: 3600, preference: "medium" }]);
  assertEquals(none, { type: "no-configuration-data", pvdId: V6, elementType: "dhcpv6", informationId: "dns-servers" });
  assertEquals(portal?.type, "no-configuration-data");
  api.close();
});

Deno.test("interface going away and going up reach interface subscribers", () => {
  const { link, api, app } = setup();
  const other = api.subscribe();
  app.postMessage({ type: "announce-interfaces" });
  drain(app);
  link.apply({ kind: "interface-going-away", interfaceId: WLAN0 }, { kind: "interface-going-up", interfaceId: ETH0 });
  assertEquals(drainBrief(app), ["interface-going-away 3", "interface-going-up 2"]);
  assertEquals(drainBrief(other), [], "a subscriber that did not ask hears nothing");
  api.close();
});

Deno.test("a new snapshot announces only the difference", () => {
  const { link, api, app } = setup();
  subscribeEverything(app);
  const state = twoLinkState();
  link.snapshot({
    interfaces: state.interfaces,
    pvds: state.pvds.filter((p) => p.pvdId !== V4),
    elements: state.elements.filter((e) => e.pvdId !== V4),
    addresses: [
      ...state.addresses.filter((a) => a.pvdId !== V4),
      address(V6, "2001:db8:a::300", Infinity, Infinity),
    ],
  });
  assertEquals(drainBrief(app), [
    `no-element ${V4} dhcpv4 192.0.2.1`,
    `no-address ${V4} 192.0.2.100`,
    `no-pvd ${V4}`,
    `address ${V6} 2001:db8:a::300 Infinity/Infinity`,
  ]);
  api.close();
});

Deno.test("changes from the adapter that do not fit are reported and skipped, the rest apply", () => {
  const link = new ScriptedLink();
  const errors: string[] = [];
  const api = new MifApi(link, { onLinkError: (error) => errors.push(error.code) });
  const app = api.subscribe();
  app.postMessage({ type: "announce-addresses", pvdId: V6 });
  drain(app);
  link.apply(
    { kind: "address-set", address: address("nope", "2001:db8::1", Infinity, Infinity) },
    { kind: "address-set", address: address(V6, "2001:db8:::1", Infinity, Infinity) },
    { kind: "address-set", address: address(V6, "2001:DB8:A::0:200", Infinity, Infinity) },
    { kind: "interface-removed", interfaceId: 99 },
  );
  assertEquals(errors, ["unknown-pvd", "invalid-address", "unknown-interface"]);
  assertEquals(drainBrief(app), [`address ${V6} 2001:db8:a::200 Infinity/Infinity`], "stored canonical");
  api.close();
});
