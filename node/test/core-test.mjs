// The WebAssembly core under Node, from the built package: the module
// embedded as base64 compiles synchronously at import; the parsers read real
// captures from ../shared/captures (expected values as tshark 4.0.17 decodes
// them); RFC 6724 destination ordering on the section 10.2 examples. The Deno
// suites with the same intent: tests/core_capture_test.ts,
// tests/core_router_advertisement_test.ts, tests/core_rfc6724_vectors_test.ts.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import {
  buildRouterAdvertisement,
  CoreErrorCode,
  formatIpAddress,
  parseDhcpv4,
  parseIpAddress,
  parseRouterAdvertisement,
  readCapture,
  sortDestinations,
} from "@pvd/mif/core";
import { configurationFromRouterAdvertisement } from "@pvd/mif";

// Read-only data beside the repository; the tests that need it are skipped without it.
const SHARED = new URL("../../../shared/", import.meta.url);
const haveCaptures = existsSync(new URL("captures/SOURCES.md", SHARED));
const haveVectors = existsSync(new URL("vectors/rfc6724.json", SHARED));

async function capture(path) {
  return readCapture(new Uint8Array(await readFile(new URL(`captures/${path}`, SHARED))));
}

test("IP addresses: parsed and formatted canonically (RFC 5952) by the core", () => {
  const address = parseIpAddress("2001:DB8:0:0:1:0:0:1");
  assert.equal(address.text, "2001:db8::1:0:0:1");
  assert.equal(formatIpAddress(new Uint8Array([192, 0, 2, 1])), "192.0.2.1");
  assert.throws(() => parseIpAddress("2001:db8::1::2"), SyntaxError);
});

test("a Router Advertisement from tcpdump/icmpv6.pcap, field by field as tshark shows it", {
  skip: !haveCaptures && "no ../shared/captures",
}, async () => {
  const { format, packets } = await capture("tcpdump/icmpv6.pcap");
  assert.equal(format, "pcap");
  const packet = packets[0];
  assert.deepEqual([packet.kind, packet.source, packet.destination, packet.hopLimit], [
    "router-advertisement",
    "fe80::b299:28ff:fec8:d66c",
    "ff02::1",
    255,
  ]);
  assert.equal(packet.timestamp, 1_334_319_972_631_155_000n);

  const ra = parseRouterAdvertisement(packet.payload, { hopLimit: packet.hopLimit, sourceAddress: packet.source });
  assert.deepEqual(ra.invalid, [], "passes the RFC 4861 section 6.1.2 checks");
  assert.deepEqual(ra.skipped, []);
  // Checksum 0x2401, hop limit 64, flags 0x20 (Home Agent), router lifetime 15 s.
  assert.equal(ra.checksum, 0x2401);
  assert.equal(ra.curHopLimit, 64);
  assert.deepEqual([ra.managed, ra.other, ra.homeAgent, ra.preference, ra.proxy], [
    false,
    false,
    true,
    "medium",
    false,
  ]);
  assert.deepEqual([ra.routerLifetime, ra.reachableTime, ra.retransTimer], [15, 0, 0]);
  const [prefix, rdnss, dnssl, mtu, sllao, interval, homeAgent] = ra.options;
  assert.deepEqual(prefix, {
    type: "prefix-information",
    prefix: "2222:3333:4444:5555:6600::",
    prefixLength: 72,
    onLink: true,
    autonomous: true,
    routerAddress: false,
    reservedFlags: 0,
    validLifetime: 2_592_000,
    preferredLifetime: 604_800,
  });
  assert.deepEqual(rdnss, { type: "rdnss", lifetime: 5, servers: ["abcd::efef", "1234:5678::1"] });
  assert.deepEqual(dnssl, { type: "dnssl", lifetime: 5, domains: ["example.com", "example.org", "dom1.dom2.tld"] });
  assert.deepEqual(mtu, { type: "mtu", mtu: 100 });
  assert.deepEqual(sllao, { type: "source-link-layer-address", address: "b0:99:28:c8:d6:6c" });
  // Options without a typed form are kept raw: Advertisement Interval 5000 ms, Home Agent Information.
  assert.deepEqual(interval, { type: 7, data: new Uint8Array([0, 0, 0, 0, 0x13, 0x88]) });
  assert.deepEqual(homeAgent, { type: 8, data: new Uint8Array([0, 0, 0xc3, 0x51, 0, 0x0f]) });
  assert.equal(ra.options.length, 7);

  // The encoding is canonical: building the parsed RA gives the bytes back.
  assert.deepEqual(buildRouterAdvertisement(ra), new Uint8Array(packet.payload));

  // And the API turns it into a PvD's configuration data.
  const data = configurationFromRouterAdvertisement(ra, { sourceAddress: packet.source });
  assert.deepEqual(data["dns-servers"], [{ address: "abcd::efef", lifetime: 5 }, {
    address: "1234:5678::1",
    lifetime: 5,
  }]);
  assert.deepEqual(data["search-domains"].map((d) => d.domain), ["example.com", "example.org", "dom1.dom2.tld"]);
  assert.deepEqual(data.routers, [{ address: packet.source, lifetime: 15, preference: "medium" }]);
  assert.deepEqual(data.prefixes.map((p) => `${p.prefix}/${p.length}`), ["2222:3333:4444:5555:6600::/72"]);
});

test("a malformed Router Advertisement is a SyntaxError naming the action, the state and the offset", () => {
  // A valid 16-byte header, then an option of type 3 with length 0 (RFC 4861 section 4.6: MUST discard).
  const bytes = new Uint8Array([134, 0, 0, 0, 64, 0, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0]);
  assert.throws(() => parseRouterAdvertisement(bytes), (error) => {
    assert.ok(error instanceof SyntaxError);
    assert.equal(error.message, "Cannot parse router advertisement: option at offset 16 has length 0");
    assert.equal(error.cause.offset, 16);
    assert.equal(typeof error.cause.code, "number");
    assert.ok(Object.values(CoreErrorCode).includes(error.cause.code));
    return true;
  });
});

test("DHCPv4 over Ethernet in a pcapng file (gopacket): the four-message exchange", {
  skip: !haveCaptures && "no ../shared/captures",
}, async () => {
  const { format, packets } = await capture("gopacket/le/test001.pcapng");
  assert.equal(format, "pcapng");
  assert.deepEqual(packets.map((p) => [p.kind, p.sourcePort, p.destinationPort]), [
    ["dhcpv4", 68, 67],
    ["dhcpv4", 67, 68],
    ["dhcpv4", 68, 67],
    ["dhcpv4", 67, 68],
  ]);
  const messages = packets.map((p) => parseDhcpv4(p.payload));
  assert.deepEqual(messages.map((m) => m.messageType?.name), ["DHCPDISCOVER", "DHCPOFFER", "DHCPREQUEST", "DHCPACK"]);
  const ack = messages[3];
  assert.equal(ack.yiaddr, "192.168.0.10");
  assert.equal(ack.chaddr, "00:0b:82:01:fc:42");
  const option = (name) => ack.options.find((o) => o.name === name);
  assert.equal(option("lease-time").seconds, 3600);
  assert.equal(option("subnet-mask").mask, "255.255.255.0");
  assert.equal(option("server-identifier").address, "192.168.0.1");
});

test("RFC 6724 section 10.2: prefer matching label (rule 5), sources chosen per destination", () => {
  const sorted = sortDestinations(["2001:db8:1::1", "2002:c633:6401::1"], {
    sources: ["2002:c633:6401::2", "fe80::2"],
  });
  assert.deepEqual(sorted.map((d) => [d.address, d.source]), [
    ["2002:c633:6401::1", "2002:c633:6401::2"],
    ["2001:db8:1::1", "2002:c633:6401::2"],
  ]);
  assert.equal(sorted[0].rule, 5);
});

test("RFC 6724 section 10.2: every destination-ordering example of ../shared/vectors/rfc6724.json", {
  skip: !haveVectors && "no ../shared/vectors",
}, async () => {
  const file = JSON.parse(await readFile(new URL("vectors/rfc6724.json", SHARED), "utf8"));
  const vectors = file.vectors.filter((v) => v.kind === "dest_sort_candidates");
  assert.ok(vectors.length >= 9, `${vectors.length} vectors`);
  for (const { id, input, expected, also_reversed: alsoReversed } of vectors) {
    for (const reverse of alsoReversed ? [false, true] : [false]) {
      const order = (items) => reverse ? [...items].reverse() : items;
      const sources = order(input.candidate_sources).map(({ address, flags }) => ({
        address,
        deprecated: flags.includes("deprecated"),
        home: flags.includes("home"),
        careOf: flags.includes("care-of"),
        temporary: flags.includes("temporary"),
      }));
      const sorted = sortDestinations(order(input.destinations), { sources });
      assert.deepEqual(
        sorted.map((d) => ({ destination: d.address, source: d.source ?? null })),
        expected.order,
        `${id}${reverse ? " reversed" : ""}`,
      );
    }
  }
});
