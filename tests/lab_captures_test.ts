// The lab captures (tests/lab/make_captures.sh: radvd, dnsmasq, kea and
// dhclient over a veth pair, plus hand-made packets from craft.py) decode to
// exactly what the lab configured. They cover what no public capture has:
// PvD options with a nested RA, PREF64 with every prefix length code, DNR,
// captive portal, RDNSS and DNSSL options longer than 255 bytes,
// Information-request / Reply and Reconfigure.
//
// LAB_CAPTURES=DIR points the test at freshly made captures (CI makes them
// anew when it can); the committed ones are used otherwise.

import { type CapturedPacket, readCapture } from "../core-as/capture.ts";
import { parseDhcpv4 } from "../core-as/dhcpv4.ts";
import { type Dhcpv6ClientServerMessage, type Dhcpv6Option, parseDhcpv6 } from "../core-as/dhcpv6.ts";
import { type NdOption, parseRouterAdvertisement } from "../core-as/router_advertisement.ts";
import { assert, assertEquals } from "./_assert.ts";

const DIR = Deno.env.get("LAB_CAPTURES") ?? new URL("./fixtures/lab/", import.meta.url).pathname;

async function packets(name: string): Promise<readonly CapturedPacket[]> {
  return readCapture(await Deno.readFile(`${DIR}/${name}.pcap`)).packets;
}

function option<T extends NdOption["type"]>(options: readonly NdOption[], type: T) {
  return options.filter((o) => o.type === type) as Extract<NdOption, { type: T }>[];
}

Deno.test("radvd: flags, prefixes, routes, several RDNSS and a DNSSL option over 255 bytes", async () => {
  const ras = (await packets("radvd")).filter((p) => p.kind === "router-advertisement");
  assert(ras.length >= 2, "radvd sent RAs, and a last one when stopped");
  const parsed = ras.map((packet) =>
    parseRouterAdvertisement(packet.payload!, { hopLimit: packet.hopLimit!, sourceAddress: packet.source! })
  );
  // Stopping, radvd sends a final RA that withdraws the router and flushes
  // the DNS options with lifetime 0 (its FlushRDNSS default).
  const last = parsed.at(-1)!;
  assertEquals(last.routerLifetime, 0);
  assertEquals(option(last.options, "rdnss").map((r) => r.lifetime), [0, 0]);
  for (const ra of parsed.slice(0, -1)) {
    assertEquals(ra.invalid, [], "passes the RFC 4861 receive checks");
    assertEquals(ra.skipped, []);
    assert(ra.routerLifetime > 0);
    assertEquals([ra.curHopLimit, ra.other, ra.homeAgent, ra.preference], [64, true, true, "high"]);
    const prefixes = option(ra.options, "prefix-information");
    assertEquals(prefixes.map((p) => `${p.prefix}/${p.prefixLength}`), ["2001:db8:1::/64", "2001:db8:2::/64"]);
    assertEquals([prefixes[0]!.validLifetime, prefixes[0]!.preferredLifetime], [86400, 14400]);
    assertEquals([prefixes[1]!.onLink, prefixes[1]!.autonomous], [false, true]);
    assertEquals(
      option(ra.options, "route-information").map((r) => `${r.prefix}/${r.prefixLength} ${r.preference}`),
      ["2001:db8:100::/48 high", "2001:db8:200::/40 low", "::/0 medium"],
    );
    const rdnss = option(ra.options, "rdnss");
    assertEquals(rdnss.map((r) => r.servers), [["2001:db8:1::53", "2001:db8:1::54", "2001:db8:1::55"], [
      "2001:db8:1::56",
    ]]);
    assertEquals(rdnss[1]!.lifetime, Infinity);
    const [dnssl] = option(ra.options, "dnssl");
    assertEquals(dnssl!.domains.length, 12);
    assertEquals(dnssl!.domains[11], "zone12.a-rather-long-search-domain.example.net");
    assertEquals(option(ra.options, "mtu")[0]?.mtu, 1480);
  }
  // The DNSSL option is longer than 255 bytes: its length byte times 8 must be widened.
  const raw = ras[0]!.payload!;
  let at = 16;
  let longest = 0;
  while (at < raw.length) {
    longest = Math.max(longest, raw[at + 1]! * 8);
    at += raw[at + 1]! * 8;
  }
  assert(longest > 255, `an option of ${longest} bytes`);
});

Deno.test("crafted RAs: PvD option with a nested RA, PREF64 codes 0-5, captive portal, DNR, long RDNSS", async () => {
  const ras = (await packets("crafted")).filter((p) => p.kind === "router-advertisement")
    .map((p) => parseRouterAdvertisement(p.payload!, { hopLimit: p.hopLimit!, sourceAddress: p.source! }));
  assertEquals(ras.length, 5);
  for (const ra of ras) assertEquals([ra.invalid, ra.skipped], [[], []]);

  const [pvd] = option(ras[0]!.options, "pvd");
  assertEquals([pvd!.pvdId, pvd!.sequenceNumber, pvd!.http, pvd!.legacy], ["pvd.example.net", 7, false, false]);
  assertEquals(pvd!.header?.routerLifetime, 0, "the nested RA header");
  assertEquals(option(pvd!.options, "prefix-information")[0]?.prefix, "2001:db8:77::");
  assertEquals(option(pvd!.options, "rdnss")[0]?.servers, ["2001:db8:77::53"]);
  assertEquals(option(pvd!.options, "dnssl")[0]?.domains, ["pvd.example.net"]);
  assertEquals(option(ras[0]!.options, "source-link-layer-address").length, 1, "options after the PvD option");

  assertEquals(
    option(ras[1]!.options, "pref64").map((p) => `${p.prefix}/${p.prefixLength} ${p.lifetime}`),
    [96, 64, 56, 48, 40, 32].map((length) => `64:ff9b::/${length} 600`),
  );
  assertEquals(option(ras[2]!.options, "captive-portal")[0]?.uri, "https://portal.example.net/api");

  const rdnss = option(ras[3]!.options, "rdnss")[0]!;
  assertEquals(rdnss.servers.length, 20, "an RDNSS option of 328 bytes");
  assertEquals(rdnss.servers[19], "2001:db8:53::113");

  const [dnr] = option(ras[4]!.options, "dnr");
  assertEquals([dnr!.priority, dnr!.lifetime, dnr!.adn], [1, 1800, "dns.example.net"]);
  assertEquals(dnr!.addresses, ["2001:db8:53::1", "2001:db8:53::2"]);
  assertEquals(dnr!.svcParams.length, 13);
});

Deno.test("crafted Reconfigure asks the client to send an Information-request", async () => {
  const [packet] = (await packets("crafted")).filter((p) => p.kind === "dhcpv6");
  const message = parseDhcpv6(packet!.payload!) as Dhcpv6ClientServerMessage;
  assertEquals([message.messageType, message.transactionId], ["reconfigure", 0x1234]);
  const reconfigure = message.options.find((o) => o.name === "reconfigure-message");
  assert(reconfigure?.name === "reconfigure-message");
  assertEquals(reconfigure.reconfigureType, 11);
});

Deno.test("dnsmasq DHCPv6: Information-request / Reply and a stateful exchange, with DNR and captive portal", async () => {
  const messages = (await packets("dnsmasq-dhcpv6")).filter((p) => p.kind === "dhcpv6")
    .map((p) => parseDhcpv6(p.payload!) as Dhcpv6ClientServerMessage);
  const types = messages.map((m) => m.messageType);
  for (const type of ["information-request", "reply", "solicit", "advertise", "request"]) {
    assert(types.includes(type as never), `has ${type}`);
  }
  const reply = messages[types.indexOf("information-request") + 1]!;
  assertEquals(reply.messageType, "reply");
  const find = <N extends Dhcpv6Option["name"]>(name: N) =>
    reply.options.find((o) => o.name === name) as Extract<Dhcpv6Option, { name: N }> | undefined;
  assertEquals(find("dns-servers")?.servers, ["2001:db8:1::53", "2001:db8:1::54"]);
  assertEquals(find("domain-list")?.domains, ["provider-a.example", "corp.example.net"]);
  // dnsmasq sends its own option 32 (the lease time) and drops the one it was given.
  assertEquals(find("information-refresh-time")?.seconds, 7200);
  assertEquals(find("sol-max-rt")?.seconds, 7200);
  assertEquals(find("captive-portal")?.uri, "https://portal.example.net/api");
  const dnr = find("dnr");
  assertEquals([dnr?.servicePriority, dnr?.adn, dnr?.addresses], [1, "dns.example.net", ["2001:db8:53::1"]]);
  const advertise = messages[types.indexOf("advertise")]!;
  assert(advertise.options.some((o) => o.name === "ia-na"), "Advertise carries an IA_NA");
});

Deno.test("kea and dnsmasq DHCPv4: routes (121), search (119), captive portal (114), DNR (162)", async () => {
  for (
    const [file, routes] of [
      ["kea-dhcpv4", [
        "203.0.113.0/24 via 198.51.100.254",
        "192.0.2.128/25 via 198.51.100.253",
        "0.0.0.0/0 via 198.51.100.1",
      ]],
      ["dnsmasq-dhcpv4", ["203.0.113.0/24 via 198.51.100.254", "192.0.2.0/24 via 198.51.100.253"]],
    ] as const
  ) {
    const messages = (await packets(file)).filter((p) => p.kind === "dhcpv4").map((p) => parseDhcpv4(p.payload!));
    const ack = messages.find((m) => m.messageType?.name === "DHCPACK");
    assert(ack, `${file} has an ACK`);
    assertEquals(ack.skipped, []);
    const find = <N extends string>(name: N) => ack.options.find((o) => o.name === name);
    const classless = find("classless-static-routes");
    assert(classless?.name === "classless-static-routes");
    assertEquals(classless.routes.map((r) => `${r.prefix}/${r.length} via ${r.router}`), [...routes]);
    const search = find("domain-search");
    assert(search?.name === "domain-search");
    assertEquals(search.domains.slice(0, 2), ["provider-a.example", "corp.provider-a.example"]);
    const portal = find("captive-portal");
    assert(portal?.name === "captive-portal");
    assertEquals(portal.uri, "https://portal.example.net/api");
    if (file === "kea-dhcpv4") {
      const dnr = find("dnr");
      assert(dnr?.name === "dnr");
      assertEquals(dnr.instances.map((i) => [i.priority, i.adn, i.addresses]), [[1, "dns.example.net", [
        "198.51.100.53",
      ]]]);
    }
  }
});
