// RFC 6724 address selection in the WebAssembly core: each rule of sections
// 5 and 6 in a case built so that it is the rule that decides, the PvD
// constraints, scopes and kinds (IPv4, mapped, zones, ULA, 6to4, Teredo,
// NAT64), policy tables and gai.conf, errors that name their input,
// property tests (total order, independence from input order, stability),
// agreement with the TypeScript baseline, and malformed bytes straight into
// the core.

import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { seededRandom } from "./_random.ts";
import {
  type AddressInput,
  classifyAddress,
  commonPrefixLength,
  compareDestinations,
  type Destination,
  DESTINATION_RULES,
  prepareSources,
  selectSource,
  sortDestinations,
  type SortDestinationsOptions,
  SOURCE_RULES,
  type SourceCandidate,
} from "../core-as/address_selection.ts";
import {
  checkPolicyTable,
  formatGaiConf,
  parseGaiConf,
  POLICY_GLIBC,
  POLICY_IPV4_FIRST,
  POLICY_RFC6724,
  POLICY_RFC6724_UPDATE,
  type PolicyTable,
} from "../core-as/policy_table.ts";
import { parseIpAddress } from "../core-as/ip_address.ts";
import { coreWasm } from "../core-as/core_wasm.generated.ts";
import { CoreErrorCode } from "../core-as/_abi.ts";
import * as baseline from "../bench/baseline/address_selection.ts";

function order(destinations: readonly (Destination | AddressInput)[], options?: SortDestinationsOptions): string[] {
  return sortDestinations(destinations, options).map((d) => d.address);
}

// ---------------------------------------------------------------------------
// Source address selection (section 5), one rule at a time

Deno.test("source rule 1: prefer same address, even deprecated", () => {
  const chosen = selectSource("2001:db8::1", [
    { address: "2001:db8::2" },
    { address: "2001:db8::1", deprecated: true },
  ]);
  assertEquals([chosen?.address, chosen?.rule, chosen?.runnerUp], ["2001:db8::1", 1, 0]);
  // Without the deprecation only rule 1 separates them (both share the /64).
  const plain = selectSource("2001:db8::1", ["2001:db8::2", "2001:db8::1"]);
  assertEquals([plain?.address, plain?.rule], ["2001:db8::1", 1]);
});

Deno.test("source rule 2: prefer appropriate scope, in all three cases", () => {
  // Scope(D) global: the larger scope.
  assertEquals(selectSource("2001:db8::1", ["fe80::1", "2001:db8:ff::1"])?.rule, 2);
  assertEquals(selectSource("2001:db8::1", ["fe80::1", "2001:db8:ff::1"])?.address, "2001:db8:ff::1");
  // Scope(D) link-local: the smallest scope that reaches it.
  const linkLocal = selectSource("fe80::9", ["2001:db8::1", "fe80::1"]);
  assertEquals([linkLocal?.address, linkLocal?.rule], ["fe80::1", 2]);
  // A site-local multicast destination: site-local (5) beats global (14)
  // and link-local (2) cannot reach it.
  const site = selectSource("ff05::1:3", ["fe80::1", "2001:db8::1", "fec0::1"]);
  assertEquals([site?.address, site?.rule], ["fec0::1", 2]);
});

Deno.test("source rule 3: avoid deprecated addresses", () => {
  const chosen = selectSource("2001:db8:1::1", [{ address: "2001:db8:1::2", deprecated: true }, "2001:db8:1::3"]);
  assertEquals([chosen?.address, chosen?.rule], ["2001:db8:1::3", 3]);
});

Deno.test("source rule 4: prefer home addresses, with a plain address between home and care-of", () => {
  const d = "2001:db8:1::1";
  const homeVsCareOf = selectSource(d, [{ address: "2001:db8:1::2", careOf: true }, {
    address: "2001:db8:1::3",
    home: true,
  }]);
  assertEquals([homeVsCareOf?.address, homeVsCareOf?.rule], ["2001:db8:1::3", 4]);
  const bothVsHome = selectSource(d, [{ address: "2001:db8:1::2", home: true }, {
    address: "2001:db8:1::3",
    home: true,
    careOf: true,
  }]);
  assertEquals([bothVsHome?.address, bothVsHome?.rule], ["2001:db8:1::3", 4]);
  // Extension for a total order: a plain address beats a care-of address,
  // and ties with a home-only address.
  const plainVsCareOf = selectSource(d, [{ address: "2001:db8:1::2", careOf: true }, "2001:db8:1::3"]);
  assertEquals([plainVsCareOf?.address, plainVsCareOf?.rule], ["2001:db8:1::3", 4]);
  const plainVsHome = selectSource(d, ["2001:db8:1::2", { address: "2001:db8:1::3", home: true }]);
  assertEquals([plainVsHome?.address, plainVsHome?.rule], ["2001:db8:1::2", undefined]);
});

Deno.test("source rule 5: prefer the outgoing interface", () => {
  const candidates = [
    { address: "2001:db8:1::2", interface: "eth0" },
    { address: "2001:db8:1::3", interface: "wlan0" },
  ];
  const chosen = selectSource({ address: "2001:db8:1::1", interface: "wlan0" }, candidates);
  assertEquals([chosen?.address, chosen?.rule], ["2001:db8:1::3", 5]);
  // Unknown outgoing interface: rule 5 cannot decide.
  assertEquals(selectSource("2001:db8:1::1", candidates)?.rule, undefined);
});

Deno.test("source rule 5.5: prefer addresses advertised by the next hop (its PvD)", () => {
  const candidates = [
    { address: "2001:db8:a::100", pvd: "isp-a.example", interface: "eth0" },
    { address: "2001:db8:b::100", pvd: "isp-b.example", interface: "eth0" },
  ];
  for (const [nextHopPvd, expected] of [["isp-a.example", 0], ["isp-b.example", 1]] as const) {
    const chosen = selectSource({ address: "2001:db8:c::80", interface: "eth0", nextHopPvd }, candidates);
    assertEquals([chosen?.index, chosen?.rule], [expected, 5.5]);
  }
});

Deno.test("source rule 6: prefer matching label", () => {
  // 6to4 destination: the 6to4 source matches its label 2, the native one does not.
  const chosen = selectSource("2002:c633:6401::1", ["2001:db8:1::2", "2002:c633:6402::2"]);
  assertEquals([chosen?.address, chosen?.rule], ["2002:c633:6402::2", 6]);
});

Deno.test("source rule 7: prefer temporary addresses, or public ones when reversed", () => {
  const candidates = [
    { address: "2001:db8:1::2", prefixLength: 64 },
    { address: "2001:db8:1:0:d5e3:7953:13eb:22e8", prefixLength: 64, temporary: true },
  ];
  const temporary = selectSource("2001:db8:1::1", candidates);
  assertEquals([temporary?.index, temporary?.rule], [1, 7]);
  const reversed = selectSource("2001:db8:1::1", candidates, { preferTemporary: false });
  assertEquals([reversed?.index, reversed?.rule], [0, 7]);
});

Deno.test("source rule 8: longest matching prefix, limited to the source's prefix length", () => {
  const chosen = selectSource("2001:db8:1::1", ["2001:db8:3::2", "2001:db8:1::2"]);
  assertEquals([chosen?.address, chosen?.rule], ["2001:db8:1::2", 8]);
  // A shares 64 bits with D but its prefix is a /48; B shares 62 in its /64.
  const limited = selectSource("2001:db8:1:2::5", [
    { address: "2001:db8:1:2::1", prefixLength: 48 },
    { address: "2001:db8:1::9", prefixLength: 64 },
  ]);
  assertEquals([limited?.address, limited?.rule], ["2001:db8:1::9", 8]);
});

Deno.test("source selection: a full tie keeps the first candidate, with no rule", () => {
  const chosen = selectSource("2001:db8:1::1", ["2001:db8:2::1", "2001:db8:3::1"]);
  assertEquals([chosen?.index, chosen?.rule, chosen?.runnerUp], [0, undefined, 1]);
  const alone = selectSource("2001:db8:1::1", ["2001:db8:2::1"]);
  assertEquals([alone?.index, alone?.rule, alone?.runnerUp], [0, undefined, undefined]);
  assertEquals(selectSource("2001:db8:1::1", []), undefined);
});

Deno.test("source selection: the candidate set (section 4)", () => {
  // Family: an IPv4 destination takes an IPv4 source, also written mapped.
  assertEquals(selectSource("192.0.2.1", ["2001:db8::1", "::ffff:192.0.2.9"])?.address, "::ffff:192.0.2.9");
  assertEquals(selectSource("::ffff:192.0.2.1", ["2001:db8::1", "198.51.100.1"])?.address, "198.51.100.1");
  assertEquals(selectSource("192.0.2.1", ["2001:db8::1"]), undefined);
  // "multicast addresses and the unspecified address MUST NOT be included"
  assertEquals(selectSource("2001:db8::1", ["ff02::1", "::", "ff0e::1"]), undefined);
  assertEquals(selectSource("192.0.2.1", ["224.0.0.1", "0.0.0.0"]), undefined);
  // A link-local destination on a known interface: only that link's sources.
  const zoned = selectSource("fe80::1%eth1", ["fe80::2%eth0", "fe80::3%eth1", "2001:db8::1"]);
  assertEquals([zoned?.address, zoned?.runnerUp], ["fe80::3%eth1", 2]);
  const byName = selectSource({ address: "ff02::fb", interface: "eth1" }, [
    { address: "fe80::2", interface: "eth0" },
    { address: "fe80::3", interface: "eth1" },
  ]);
  assertEquals([byName?.address, byName?.runnerUp], ["fe80::3", undefined]);
});

Deno.test("source selection: never a source of another PvD", () => {
  const candidates: SourceCandidate[] = [
    { address: "2001:db8:a::100", pvd: "a" },
    { address: "2001:db8:b::100", pvd: "b" },
    { address: "2001:db8:c::100" },
  ];
  assertEquals(selectSource({ address: "2001:db8:b::80", pvd: "a" }, candidates)?.address, "2001:db8:a::100");
  assertEquals(selectSource({ address: "2001:db8:a::80", pvd: "b" }, candidates)?.address, "2001:db8:b::100");
  // A candidate without a PvD belongs to none.
  assertEquals(selectSource({ address: "2001:db8:c::80", pvd: "c" }, candidates), undefined);
  // Without a PvD, any source; longest prefix decides.
  assertEquals(selectSource("2001:db8:b::80", candidates)?.address, "2001:db8:b::100");
});

// ---------------------------------------------------------------------------
// Destination address ordering (section 6), one rule at a time

function pair(address: string, source: SourceCandidate | string | null, extra: Partial<Destination> = {}): Destination {
  return { address, source, ...extra };
}

Deno.test("destination rule 1: avoid unusable destinations", () => {
  const sorted = sortDestinations([
    pair("2001:db8:1::1", "2001:db8:1::2", { unreachable: true }),
    pair("2001:db8:2::1", "2001:db8:2::2"),
  ]);
  assertEquals([sorted[0]!.address, sorted[0]!.rule], ["2001:db8:2::1", 1]);
  // No source of its family: Source(D) undefined.
  const noSource = sortDestinations(["192.0.2.1", "2001:db8::1"], { sources: ["2001:db8::2"] });
  assertEquals([noSource[0]!.address, noSource[0]!.rule, noSource[1]!.source], ["2001:db8::1", 1, undefined]);
  assertEquals(order([pair("2001:db8::1", null), pair("192.0.2.1", "192.0.2.2")]), ["192.0.2.1", "2001:db8::1"]);
});

Deno.test("destination rule 2: prefer matching scope", () => {
  const sorted = sortDestinations([pair("2001:db8:1::1", "fe80::1"), pair("198.51.100.121", "198.51.100.117")]);
  assertEquals([sorted[0]!.address, sorted[0]!.rule], ["198.51.100.121", 2]);
});

Deno.test("destination rule 3: avoid deprecated source addresses", () => {
  const sorted = sortDestinations([
    pair("2001:db8:1::1", { address: "2001:db8:1::2", deprecated: true }),
    pair("2001:db8:2::1", "2001:db8:2::2"),
  ]);
  assertEquals([sorted[0]!.address, sorted[0]!.rule], ["2001:db8:2::1", 3]);
});

Deno.test("destination rule 4: prefer home addresses", () => {
  const sorted = sortDestinations([
    pair("2001:db8:1::1", { address: "2001:db8:1::2", careOf: true }),
    pair("2001:db8:2::1", { address: "2001:db8:2::2", home: true }),
  ]);
  assertEquals([sorted[0]!.address, sorted[0]!.rule], ["2001:db8:2::1", 4]);
  const both = sortDestinations([
    pair("2001:db8:1::1", { address: "2001:db8:1::2", home: true }),
    pair("2001:db8:2::1", { address: "2001:db8:2::2", home: true, careOf: true }),
  ]);
  assertEquals([both[0]!.address, both[0]!.rule], ["2001:db8:2::1", 4]);
});

Deno.test("destination rule 5: prefer matching label", () => {
  const sorted = sortDestinations([
    pair("2001:db8:1::1", "2002:c633:6401::2"),
    pair("2002:c633:6401::1", "2002:c633:6401::2"),
  ]);
  assertEquals([sorted[0]!.address, sorted[0]!.rule], ["2002:c633:6401::1", 5]);
});

Deno.test("destination rule 6: prefer higher precedence, per policy table", () => {
  const destinations = [pair("10.1.2.3", "10.1.2.4"), pair("2001:db8:1::1", "2001:db8:1::2")];
  const sorted = sortDestinations(destinations);
  assertEquals([sorted[0]!.address, sorted[0]!.rule], ["2001:db8:1::1", 6]);
  const ipv4First = sortDestinations(destinations, { policy: POLICY_IPV4_FIRST });
  assertEquals([ipv4First[0]!.address, ipv4First[0]!.rule], ["10.1.2.3", 6]);
  // The update puts ULAs above IPv4.
  const ula = [pair("10.1.2.3", "10.1.2.4"), pair("fd00:1::1", "fd00:1::2")];
  assertEquals(order(ula), ["10.1.2.3", "fd00:1::1"]);
  assertEquals(order(ula, { policy: POLICY_RFC6724_UPDATE }), ["fd00:1::1", "10.1.2.3"]);
});

Deno.test("destination rule 7: prefer native transport over tunnels and NAT64", () => {
  const tunnel = sortDestinations([
    pair("2001:db8:1::1", { address: "2001:db8:9::2", tunnel: true }),
    pair("2001:db8:2::1", "2001:db8:9::3"),
  ]);
  assertEquals([tunnel[0]!.address, tunnel[0]!.rule], ["2001:db8:2::1", 7]);
  // A NAT64 destination (well-known prefix) against a native one.
  const nat64 = sortDestinations([pair("64:ff9b::c000:221", "2001:db8::2"), pair("2001:db8:5::1", "2001:db8::2")]);
  assertEquals([nat64[0]!.address, nat64[0]!.rule], ["2001:db8:5::1", 7]);
  // A network-specific prefix counts only when given (PREF64). The source
  // shares 32 bits with both, so rule 9 ties.
  const nsp = [pair("2001:db8:64::c000:221", "2001:db8:ffff::2"), pair("2001:db8:5::1", "2001:db8:ffff::2")];
  assertEquals(sortDestinations(nsp)[0]!.rule, 10);
  const withPref64 = sortDestinations(nsp, { pref64: ["2001:db8:64::/96"] });
  assertEquals([withPref64[0]!.address, withPref64[0]!.rule], ["2001:db8:5::1", 7]);
  // A Teredo or 6to4 source encapsulates. A one-row table keeps labels and
  // precedences equal, so that rule 7 is what decides.
  const flat: PolicyTable = { name: "flat", rows: [{ prefix: "::/0", precedence: 40, label: 1 }] };
  for (const tunnelled of ["2001:0:4136:e378:8000:63bf:3fff:fdd3", "2002:c633:6401::2"]) {
    const sorted = sortDestinations([pair("2001:db8:1::1", tunnelled), pair("2001:db8:2::1", "2001:db8:9::3")], {
      policy: flat,
    });
    assertEquals([sorted[0]!.address, sorted[0]!.rule], ["2001:db8:2::1", 7], tunnelled);
  }
  // Both through Teredo: rule 7 ties.
  const teredo = sortDestinations([
    pair("2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001:0:4136:e378:8000:63bf:3fff:fdd3"),
    pair("2001:0:4136:e378::1", "2001:0:4136:e378::2"),
  ]);
  assertEquals(teredo[0]!.rule, 10);
});

Deno.test("destination rule 8: prefer smaller scope", () => {
  const sorted = sortDestinations([pair("2001:db8:1::1", "2001:db8:1::2"), pair("fe80::1", "fe80::2")]);
  assertEquals([sorted[0]!.address, sorted[0]!.rule], ["fe80::1", 8]);
});

Deno.test("destination rule 9: longest matching prefix; IPv4 off, same subnet or always", () => {
  const v6 = sortDestinations([pair("2001:db8:3ffe::1", "2001:db8:3f44::2"), pair("2001:db8:1::1", "2001:db8:1::2")]);
  assertEquals([v6[0]!.address, v6[0]!.rule], ["2001:db8:1::1", 9]);
  const source = { address: "192.168.1.10", prefixLength: 24 };
  const v4 = [pair("192.0.2.1", source), pair("192.168.1.20", source), pair("192.168.7.1", source)];
  assertEquals(order(v4, { ipv4Rule9: "off" }), ["192.0.2.1", "192.168.1.20", "192.168.7.1"]);
  assertEquals(order(v4, { ipv4Rule9: "same-subnet" }), ["192.168.1.20", "192.0.2.1", "192.168.7.1"]);
  assertEquals(sortDestinations(v4)[0]!.rule, 9); // same-subnet is the default
  // The RFC's rule: 192.168.7.1 shares 21 bits, 192.0.2.1 only 8.
  assertEquals(order(v4, { ipv4Rule9: "always" }), ["192.168.1.20", "192.168.7.1", "192.0.2.1"]);
  // Across families (a table giving IPv4 the precedence and label of ::/0):
  // IPv6 first, by rule 9.
  const flat: PolicyTable = {
    name: "flat",
    rows: [{ prefix: "::/0", precedence: 40, label: 1 }, { prefix: "::ffff:0:0/96", precedence: 40, label: 1 }],
  };
  const mixed = sortDestinations([pair("192.0.2.1", "192.0.2.2"), pair("2001:db8::1", "2001:db8::2")], {
    policy: flat,
  });
  assertEquals([mixed[0]!.address, mixed[0]!.rule], ["2001:db8::1", 9]);
});

Deno.test("destination rule 10: otherwise leave the order unchanged", () => {
  const destinations = [pair("2001:db8:1::1", "2001:db8:9::2"), pair("2001:db8:2::1", "2001:db8:9::2")];
  assertEquals(sortDestinations(destinations).map((d) => [d.address, d.rule]), [
    ["2001:db8:1::1", 10],
    ["2001:db8:2::1", undefined],
  ]);
  assertEquals(order([...destinations].reverse()), ["2001:db8:2::1", "2001:db8:1::1"]);
});

Deno.test("destination ordering: sources chosen per destination, with PvDs and next hops", () => {
  const sources: SourceCandidate[] = [
    { address: "2001:db8:a::100", pvd: "a", prefixLength: 64 },
    { address: "2001:db8:a::d5e3:1", pvd: "a", prefixLength: 64, temporary: true },
    { address: "2001:db8:b::100", pvd: "b", prefixLength: 64 },
    { address: "192.0.2.10", pvd: "b4", prefixLength: 24 },
  ];
  const sorted = sortDestinations([
    { address: "198.51.100.1", pvd: "b4" },
    { address: "2001:db8:c::1", pvd: "b" },
    { address: "2001:db8:d::1", nextHopPvd: "a" },
    { address: "2001:db8:e::1", pvd: "c" },
  ], { sources });
  assertEquals(sorted.map((d) => [d.address, d.source, d.sourceIndex, d.sourceRule, d.rule]), [
    ["2001:db8:c::1", "2001:db8:b::100", 2, undefined, 10],
    ["2001:db8:d::1", "2001:db8:a::d5e3:1", 1, 7, 6],
    ["198.51.100.1", "192.0.2.10", 3, undefined, 1],
    ["2001:db8:e::1", undefined, undefined, undefined, undefined],
  ]);
  // The PvD-agnostic destination's source came from the next hop's PvD by 5.5.
  const viaB = sortDestinations([{ address: "2001:db8:d::1", nextHopPvd: "b" }], { sources });
  assertEquals([viaB[0]!.source, viaB[0]!.sourceRule], ["2001:db8:b::100", 5.5]);
});

Deno.test("destination ordering: a given source must be in the destination's PvD", () => {
  const error = assertThrows(
    () => sortDestinations([{ address: "2001:db8::1", pvd: "a", source: { address: "2001:db8::2", pvd: "b" } }]),
    RangeError,
  );
  assertEquals(
    error.message,
    'Cannot sort destinations: destination 0: source 2001:db8::2 is not in provisioning domain "a"',
  );
  assertThrows(
    () => sortDestinations([{ address: "2001:db8::1", source: "192.0.2.1" }]),
    RangeError,
    "destination 0: source 192.0.2.1 is not of the destination's address family",
  );
  // A given source without a PvD is taken to be in the destination's.
  assertEquals(
    sortDestinations([{ address: "2001:db8::1", pvd: "a", source: "2001:db8::2" }])[0]!.source,
    "2001:db8::2",
  );
});

Deno.test("destination ordering: compareDestinations agrees with sortDestinations", () => {
  const sources = ["2001:db8:1::2", "fe80::1", "10.1.2.4"];
  assertEquals(compareDestinations("2001:db8:1::1", "10.1.2.3", { sources }), { preferred: "a", rule: 6 });
  assertEquals(compareDestinations("10.1.2.3", "2001:db8:1::1", { sources }), { preferred: "b", rule: 6 });
  assertEquals(compareDestinations("10.1.2.3", "10.1.2.5", { sources }), { preferred: "equal", rule: 10 });
});

Deno.test("rule titles name every rule", () => {
  assertEquals(Object.keys(SOURCE_RULES).length, 9);
  assertEquals(Object.keys(DESTINATION_RULES).length, 10);
});

// ---------------------------------------------------------------------------
// Scope, kinds, NAT64, common prefix length

Deno.test("classifyAddress: scope and kind of every kind of address", () => {
  const cases: [string, number, string][] = [
    ["::", 14, "unspecified"],
    ["::1", 2, "loopback"],
    ["fe80::1%eth0", 2, "link-local"],
    ["fec0::1", 5, "site-local"],
    ["fd00:1::1", 14, "ula"],
    ["ff01::1", 1, "multicast"],
    ["ff02::1", 2, "multicast"],
    ["ff08::1", 8, "multicast"],
    ["2002:c000:221::1", 14, "6to4"],
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", 14, "teredo"],
    ["2001:db8::1", 14, "global"],
    ["::192.0.2.1", 14, "ipv4-compatible"],
    ["64:ff9b::192.0.2.33", 14, "nat64"],
    ["0.0.0.0", 14, "ipv4-unspecified"],
    ["127.0.0.1", 2, "ipv4-loopback"],
    ["169.254.1.2", 2, "ipv4-link-local"],
    ["10.1.2.3", 14, "ipv4-private"],
    ["172.16.0.1", 14, "ipv4-private"],
    ["192.168.0.1", 14, "ipv4-private"],
    ["100.64.0.1", 14, "ipv4-shared"],
    ["224.0.0.251", 14, "ipv4-multicast"],
    ["8.8.8.8", 14, "ipv4"],
    ["::ffff:169.254.1.2", 2, "ipv4-link-local"],
  ];
  for (const [address, scope, kind] of cases) {
    const c = classifyAddress(address);
    assertEquals([c.scope, c.kind], [scope, kind], address);
  }
  assertEquals(classifyAddress("::ffff:192.0.2.1").family, 4);
  assertEquals(classifyAddress(parseIpAddress("fe80::1%eth0")).address, "fe80::1%eth0");
});

Deno.test("classifyAddress: IPv4 scope from the table's scope rows (glibc's old private scope)", () => {
  const old: PolicyTable = {
    ...POLICY_RFC6724,
    scopes: [
      { prefix: "169.254.0.0/16", scope: 2 },
      { prefix: "127.0.0.0/8", scope: 2 },
      { prefix: "10.0.0.0/8", scope: 5 },
      { prefix: "::ffff:172.16.0.0/108", scope: 5 },
      { prefix: "192.168.0.0/16", scope: 5 },
    ],
  };
  assertEquals(classifyAddress("10.1.2.3", { policy: old }).scope, 5);
  assertEquals(classifyAddress("172.31.0.1", { policy: old }).scope, 5);
  assertEquals(classifyAddress("8.8.8.8", { policy: old }).scope, 14); // no row: global
});

Deno.test("classifyAddress: the IPv4 address inside NAT64 prefixes of every RFC 6052 length", () => {
  // RFC 6052 section 2.4, 192.0.2.33 under each prefix length.
  const cases: [string, string][] = [
    ["2001:db8::/32", "2001:db8:c000:221::"],
    ["2001:db8:100::/40", "2001:db8:1c0:2:21::"],
    ["2001:db8:122::/48", "2001:db8:122:c000:2:2100::"],
    ["2001:db8:122:300::/56", "2001:db8:122:3c0:0:221::"],
    ["2001:db8:122:344::/64", "2001:db8:122:344:c0:2:2100:0"],
    ["2001:db8:122:344::/96", "2001:db8:122:344::192.0.2.33"],
    ["64:ff9b::/96", "64:ff9b::192.0.2.33"],
  ];
  for (const [prefix, address] of cases) {
    const c = classifyAddress(address, { pref64: [prefix] });
    assertEquals([c.kind, c.nat64], ["nat64", { prefix, ipv4: "192.0.2.33" }], prefix);
  }
  assertEquals(classifyAddress("2001:db8:122:344::192.0.2.33").nat64, undefined);
});

Deno.test("commonPrefixLength: families, limits, IPv4-mapped", () => {
  assertEquals(commonPrefixLength("2001:db8::1", "2001:db8::1"), 64);
  assertEquals(commonPrefixLength("2001:db8::1", "2001:db8::1", { prefixLength: 128 }), 128);
  assertEquals(commonPrefixLength("2001:db8::1", "2001:db8::3", { prefixLength: 128 }), 126);
  assertEquals(commonPrefixLength("::ffff:1.2.3.4", "1.2.3.4"), 32);
  assertEquals(commonPrefixLength("10.0.0.1", "10.0.0.2", { prefixLength: 8 }), 8);
  assertEquals(commonPrefixLength("10.0.0.1", "2001:db8::1"), 0);
  assertThrows(() => commonPrefixLength("10.0.0.1", "10.0.0.2", { prefixLength: 33 }), RangeError, "prefix length 33");
});

// ---------------------------------------------------------------------------
// Policy tables and gai.conf

Deno.test("policy tables: presets are frozen and valid, and round-trip through gai.conf", () => {
  for (const table of [POLICY_RFC6724, POLICY_RFC6724_UPDATE, POLICY_IPV4_FIRST, POLICY_GLIBC]) {
    checkPolicyTable(table);
    assert(Object.isFrozen(table) && Object.isFrozen(table.rows) && Object.isFrozen(table.rows[0]));
    const again = parseGaiConf(formatGaiConf(table), { name: table.name });
    const key = (t: PolicyTable) => JSON.stringify([...t.rows].sort((a, b) => a.prefix < b.prefix ? -1 : 1));
    assertEquals(key(again), key(table), table.name);
    assertEquals(again.scopes, table.scopes);
  }
});

Deno.test("parseGaiConf: a line of one kind replaces that whole table (glibc)", () => {
  const text = `
# labels only
label ::1/128       0    # loopback
label ::/0          1
label 2002::/16     2
label ::ffff:0:0/96 4
reload no
`;
  const table = parseGaiConf(text);
  assertEquals(table.name, "gai.conf");
  assertEquals(table.rows.filter((r) => r.label !== undefined).map((r) => r.prefix), [
    "::1/128",
    "::/0",
    "2002::/16",
    "::ffff:0:0/96",
  ]);
  // Precedences are still RFC 6724's, all nine.
  assertEquals(table.rows.filter((r) => r.precedence !== undefined).length, 9);
  // fc00::/7 has no label any more: it matches ::/0's label 1.
  assertEquals(classifyAddress("fd00::1", { policy: table }).label, 1);
  // With glibc's base, the precedences are glibc's.
  const glibc = parseGaiConf(text, { base: POLICY_GLIBC, name: "/etc/gai.conf" });
  assertEquals(glibc.name, "/etc/gai.conf");
  assertEquals(classifyAddress("192.0.2.1", { policy: glibc }).precedence, 10);
  // scopev4 in both forms; an address without a length is a /32.
  const scopes = parseGaiConf("scopev4 ::ffff:169.254.0.0/112 2\nscopev4 10.0.0.0/8 5\nscopev4 192.0.2.1 5\n");
  assertEquals(scopes.scopes, [
    { prefix: "::ffff:169.254.0.0/112", scope: 2 },
    { prefix: "10.0.0.0/8", scope: 5 },
    { prefix: "192.0.2.1/32", scope: 5 },
  ]);
  assertEquals(classifyAddress("10.9.9.9", { policy: scopes }).scope, 5);
  assertEquals(classifyAddress("127.0.0.1", { policy: scopes }).scope, 14); // 127/8 row replaced
  assertEquals(classifyAddress("192.0.2.1", { policy: scopes }).scope, 5);
  assertEquals(classifyAddress("192.0.2.2", { policy: scopes }).scope, 14);
  // A single-address precedence.
  assertEquals(classifyAddress("2001:db8::1", { policy: parseGaiConf("precedence 2001:db8::1 77") }).precedence, 77);
});

Deno.test("parseGaiConf: every malformed line is a SyntaxError naming it", () => {
  const cases: [string, string][] = [
    ["labell ::/0 1", '"labell ::/0 1": unknown keyword "labell"'],
    ["label ::/0", 'expected "label <prefix> <value>", got 2 words'],
    ["label ::/0 1 2", "got 4 words"],
    ["precedence ::/0 forty", 'value "forty" is not a decimal number'],
    ["precedence ::/0 -1", 'value "-1" is not a decimal number'],
    ["precedence ::/0 2147483648", "value 2147483648 is out of range (0 to 2147483647)"],
    ["label ::/129 1", 'prefix "::/129" has length 129, more than 128'],
    ["label ::/x 1", 'prefix "::/x" has length "x", not a decimal number'],
    ["label 2001:db8::g/32 1", 'address "2001:db8::g": unexpected character at offset 10'],
    ["label 10.0.0.0/8 1", "is IPv4; write it IPv4-mapped"],
    ["label fe80::%eth0/64 1", "has a zone"],
    ["scopev4 2001:db8::/32 2", "is not IPv4 or IPv4-mapped"],
    ["scopev4 ::ffff:10.0.0.0/95 2", "is not IPv4 or IPv4-mapped"],
    ["scopev4 10.0.0.0/8 16", "value 16 is out of range (1 to 15)"],
    ["scopev4 10.0.0.0/33 2", "more than 32"],
    ["reload maybe", 'expected "reload yes" or "reload no"'],
  ];
  for (const [line, expected] of cases) {
    const error = assertThrows(() => parseGaiConf(`# comment\n\n${line}\n`), SyntaxError, expected);
    assert(error.message.startsWith(`Cannot parse gai.conf: line 3 `), error.message);
    assertEquals((error.cause as { line: number }).line, 3);
  }
  assertThrows(
    () => parseGaiConf("label ::1/128 0\nlabel 0:0::1/128 3\n"),
    SyntaxError,
    'line 2 "label 0:0::1/128 3": label for 0:0::1/128 was already given on line 1',
  );
  assertThrows(() => parseGaiConf(42 as unknown as string), TypeError);
});

Deno.test("checkPolicyTable: errors name the row", () => {
  const cases: [PolicyTable, typeof TypeError | typeof RangeError | typeof SyntaxError, string][] = [
    [{ name: "t", rows: [{ prefix: "::/0" }] }, TypeError, 'Cannot use policy table "t": row 0 (::/0) gives neither'],
    [{ name: "t", rows: [{ prefix: "::/0", label: 1.5 }] }, RangeError, "row 0 (::/0) has label 1.5"],
    [{ name: "t", rows: [{ prefix: "::", label: 1 }] }, SyntaxError, 'row 0: prefix "::" has no length'],
    [{ name: "t", rows: [{ prefix: "::/0", label: 1 }, { prefix: "0::/0", label: 2 }] }, RangeError, "row 1 (0::/0)"],
    [{ name: "t", rows: [], scopes: [{ prefix: "2001:db8::/32", scope: 2 }] }, RangeError, "not an IPv4 prefix"],
    [{ name: "t", rows: [], scopes: [{ prefix: "10.0.0.0/8", scope: 0 }] }, RangeError, "has scope 0"],
    [{ name: "t" } as unknown as PolicyTable, TypeError, "expected an object with a rows array"],
  ];
  for (const [table, type, expected] of cases) assertThrows(() => checkPolicyTable(table), type, expected);
  // Selection checks tables the same way.
  assertThrows(
    () => selectSource("2001:db8::1", ["2001:db8::2"], { policy: { name: "t", rows: [{ prefix: "::/0" }] } }),
    TypeError,
    "gives neither",
  );
});

Deno.test("policy tables: precedences beyond 16 bits and labels keep their order and identity", () => {
  const big: PolicyTable = {
    name: "big",
    rows: [
      { prefix: "::/0", precedence: 2_000_000_000, label: 1_000_000 },
      { prefix: "::ffff:0:0/96", precedence: 1_999_999_999, label: 1_000_001 },
    ],
  };
  assertEquals(order([pair("10.0.0.1", "10.0.0.2"), pair("2001:db8::1", "2001:db8::2")], { policy: big }), [
    "2001:db8::1",
    "10.0.0.1",
  ]);
  assertEquals(classifyAddress("10.0.0.1", { policy: big }).precedence, 1_999_999_999);
});

// ---------------------------------------------------------------------------
// Errors name their input

Deno.test("errors: malformed addresses and options name the input", () => {
  assertThrows(
    () => selectSource("2001:db8::1", ["2001:db8::2", "2001:db8::g"]),
    SyntaxError,
    'Cannot select source: candidate 1: Cannot parse IP address "2001:db8::g": unexpected character at offset 10',
  );
  assertThrows(() => selectSource("1.2.3.256", []), RangeError, "Cannot select source: destination: Cannot parse IP");
  assertThrows(
    () => sortDestinations(["2001:db8::1", "nope"]),
    SyntaxError,
    "Cannot sort destinations: destination 1: Cannot parse IP address",
  );
  assertThrows(
    () => sortDestinations(["2001:db8::1"], { sources: [{ address: "fe80::1", prefixLength: 129 }] }),
    RangeError,
    "Cannot sort destinations: source 0: prefix length 129 is not an integer from 0 to 128",
  );
  assertThrows(
    () => sortDestinations([{ address: "2001:db8::1", source: "x" }]),
    SyntaxError,
    "destination 0 source: Cannot parse IP address",
  );
  assertThrows(
    () => sortDestinations(["2001:db8::1"], { ipv4Rule9: "sometimes" as "off" }),
    RangeError,
    'ipv4Rule9 "sometimes"',
  );
  assertThrows(() => sortDestinations(["2001:db8::1"], { pref64: ["64:ff9b::/95"] }), RangeError, "pref64 0");
  assertThrows(() => sortDestinations(["2001:db8::1"], { pref64: ["64:ff9b::"] }), SyntaxError, "pref64 0");
  assertThrows(() => sortDestinations("2001:db8::1" as unknown as string[]), TypeError, "expected destinations");
  assertThrows(() => selectSource("2001:db8::1", [42 as unknown as string]), TypeError, "candidate 0");
  assertThrows(
    () => selectSource({ address: "2001:db8::1", pvd: 7 as unknown as string }, []),
    TypeError,
    "destination: pvd is not a string",
  );
});

// ---------------------------------------------------------------------------
// Properties

const POOL_V6 = [
  "2001:db8:1::1",
  "2001:db8:1::2",
  "2001:db8:1:2::3",
  "2001:db8:2::1",
  "2001:db8:3ffe::1",
  "2002:c633:6401::1",
  "2001:0:4136:e378::1",
  "fd00:1::1",
  "fd00:2::9",
  "fe80::1",
  "fe80::2",
  "fec0::1",
  "::1",
  "64:ff9b::c000:221",
  "ff02::1",
  "ff05::1:3",
  "ff0e::1",
  "3ffe::1",
  "::192.0.2.1",
  "::",
];
const POOL_V4 = [
  "192.0.2.1",
  "192.0.2.77",
  "198.51.100.121",
  "10.1.2.3",
  "10.2.3.4",
  "169.254.13.78",
  "127.0.0.1",
  "100.64.1.1",
  "224.0.0.251",
  "0.0.0.0",
];
const POOL = [...POOL_V6, ...POOL_V4];
const PVDS = [undefined, "a", "b"];
const INTERFACES = [undefined, "eth0", "wlan0"];

/** Options both paths take: sources as an array. */
type Options = Omit<SortDestinationsOptions, "sources"> & { readonly sources: readonly (SourceCandidate | string)[] };

function randomInputs(random: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const flag = (p: number) => random() < p;
  const candidate = (): SourceCandidate | string => {
    const address = pick(POOL);
    if (flag(0.2)) return address;
    const v4 = !address.includes(":");
    const c: Record<string, unknown> = { address };
    const pvd = pick(PVDS);
    if (pvd !== undefined) c.pvd = pvd;
    const iface = pick(INTERFACES);
    if (iface !== undefined) c.interface = iface;
    if (flag(0.5)) c.prefixLength = Math.floor(random() * (v4 ? 33 : 129));
    for (const name of ["deprecated", "temporary", "home", "careOf", "tunnel"]) if (flag(0.25)) c[name] = true;
    return c as unknown as SourceCandidate;
  };
  const sources = Array.from({ length: Math.floor(random() * 7) }, candidate);
  const destinations = Array.from({ length: 1 + Math.floor(random() * 9) }, (): Destination | string => {
    const address = pick(POOL);
    if (flag(0.3)) return address;
    const d: Record<string, unknown> = { address };
    const pvd = pick(PVDS);
    if (pvd !== undefined) d.pvd = pvd;
    const iface = pick(INTERFACES);
    if (iface !== undefined) d.interface = iface;
    const next = pick(PVDS);
    if (next !== undefined) d.nextHopPvd = next;
    if (flag(0.1)) d.unreachable = true;
    if (flag(0.2)) {
      // A given source must have its destination's family.
      let given = candidate();
      while ((typeof given === "string" ? given : given.address as string).includes(":") !== address.includes(":")) {
        given = candidate();
      }
      // A given source must be in its destination's PvD (or have none).
      if (typeof given !== "string" && given.pvd !== undefined && given.pvd !== pvd) {
        d.source = { ...given, pvd };
        if (pvd === undefined) delete (d.source as Record<string, unknown>).pvd;
      } else {
        d.source = given;
      }
    } else if (flag(0.05)) {
      d.source = null;
    }
    return d as unknown as Destination;
  });
  const options: Options = {
    sources,
    policy: pick([POLICY_RFC6724, POLICY_RFC6724_UPDATE, POLICY_IPV4_FIRST, POLICY_GLIBC]),
    ipv4Rule9: pick(["off", "same-subnet", "always"] as const),
    preferTemporary: flag(0.5),
    pref64: flag(0.3) ? ["2001:db8:122::/48"] : [],
  };
  return { sources, destinations, options, pick };
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

Deno.test("property: the destination order is a total preorder (antisymmetric, transitive)", () => {
  const random = seededRandom(6724);
  for (let round = 0; round < 300; round++) {
    const { destinations, options } = randomInputs(random);
    const [a, b, c] = [destinations[0]!, destinations.at(-1)!, randomInputs(random).destinations[0]!];
    const rel = (x: Destination | string, y: Destination | string) => compareDestinations(x, y, options).preferred;
    // Antisymmetric: swapping the two swaps the answer.
    const ab = rel(a, b);
    assertEquals(rel(b, a), ab === "a" ? "b" : ab === "b" ? "a" : "equal", `round ${round}`);
    // Transitive: x before-or-equal y and y before-or-equal z give x before-or-equal z.
    const le = (x: Destination | string, y: Destination | string) => rel(x, y) !== "b";
    for (const [x, y, z] of [[a, b, c], [a, c, b], [b, a, c], [b, c, a], [c, a, b], [c, b, a]]) {
      if (le(x!, y!) && le(y!, z!)) assert(le(x!, z!), `round ${round}: not transitive`);
      if (rel(x!, y!) === "equal" && rel(y!, z!) === "equal") assertEquals(rel(x!, z!), "equal");
    }
  }
});

Deno.test("property: the order does not depend on the input order, and ties keep it (stable)", () => {
  const random = seededRandom(8981);
  for (let round = 0; round < 400; round++) {
    const { destinations, options } = randomInputs(random);
    // Equal destinations too: the same object twice or an equal copy.
    const input = random() < 0.5 ? [...destinations, destinations[0]!] : destinations;
    const sorted = sortDestinations(input, options);
    const permutation = shuffled(input.map((_, i) => i), random);
    const again = sortDestinations(permutation.map((i) => input[i]!), options);
    for (let k = 0; k < sorted.length; k++) {
      // Same position, same class: only rule 10 may tell them apart.
      const x = input[sorted[k]!.index]!;
      const y = input[permutation[again[k]!.index]!]!;
      assertEquals(compareDestinations(x, y, options).preferred, "equal", `round ${round} position ${k}`);
      // Sorted, and within a class in input order.
      if (k + 1 < sorted.length) {
        const next = sorted[k + 1]!;
        const rel = compareDestinations(x, input[next.index]!, options);
        assert(rel.preferred !== "b", `round ${round}: out of order at ${k}`);
        assertEquals(rel.rule, sorted[k]!.rule, `round ${round}: rule at ${k}`);
        if (rel.preferred === "equal") assert(sorted[k]!.index < next.index, `round ${round}: unstable at ${k}`);
      }
    }
  }
});

Deno.test("property: the chosen source is a best candidate whatever the candidate order", () => {
  const random = seededRandom(4862);
  for (let round = 0; round < 400; round++) {
    const { sources, destinations, options } = randomInputs(random);
    const destination = destinations[0]!;
    let bare: Destination | string = destination;
    if (typeof destination !== "string") {
      const { source: _given, ...rest } = destination;
      bare = rest;
    }
    const chosen = selectSource(bare, sources, options);
    const permutation = shuffled(sources.map((_, i) => i), random);
    const again = selectSource(bare, permutation.map((i) => sources[i]!), options);
    assertEquals(chosen === undefined, again === undefined, `round ${round}`);
    if (chosen === undefined || again === undefined) continue;
    // Either the same candidate, or one that ties with it on every rule.
    if (permutation[again.index] !== chosen.index) {
      const both = selectSource(bare, [chosen.candidate, again.candidate], options);
      assertEquals(both?.rule, undefined, `round ${round}: ${chosen.address} against ${again.address}`);
    }
  }
});

Deno.test("property: the WebAssembly core and the TypeScript baseline agree", () => {
  const random = seededRandom(7556);
  for (let round = 0; round < 1500; round++) {
    const { sources, destinations, options } = randomInputs(random);
    const expected = baseline.sortDestinations(destinations, options);
    assertEquals(sortDestinations(destinations, options), expected, `round ${round}`);
    // Prepared sources give the same on both paths.
    assertEquals(sortDestinations(destinations, { ...options, sources: prepareSources(sources) }), expected);
    assertEquals(
      baseline.sortDestinations(destinations, { ...options, sources: baseline.prepareSources(sources) }),
      expected,
    );
    const destination = destinations[0]!;
    if (typeof destination !== "string" && "source" in destination) continue;
    const chosen = baseline.selectSource(destination, sources, options);
    assertEquals(selectSource(destination, sources, options), chosen, `round ${round}`);
    assertEquals(selectSource(destination, prepareSources(sources), options), chosen, `round ${round}`);
  }
});

Deno.test("prepareSources: a snapshot, checked once, usable everywhere candidates are", () => {
  const candidate = { address: "2001:db8:1::2", deprecated: false };
  const live = [candidate, { address: "2001:db8:1::3" }];
  const prepared = prepareSources(live);
  assertEquals(prepared.length, 2);
  assert(Object.isFrozen(prepared.candidates));
  // Later changes to the array or the objects are not seen.
  live.pop();
  candidate.deprecated = true;
  assertEquals(selectSource("2001:db8:1::1", prepared)?.rule, undefined);
  assertEquals(selectSource("2001:db8:1::1", live)?.rule, undefined);
  assertEquals(selectSource("2001:db8:1::1", [...live, "2001:db8:1::3"])?.index, 1);
  assertEquals(sortDestinations(["2001:db8:1::1"], { sources: prepared })[0]!.source, "2001:db8:1::2");
  // Only prepareSources makes one.
  assertThrows(
    () => selectSource("2001:db8:1::1", { candidates: live, length: 1 } as unknown as string[]),
    TypeError,
    "Cannot select source: expected candidates as an array or from prepareSources",
  );
  assertThrows(() => prepareSources(["2001:db8::1", "nope"]), SyntaxError, "Cannot prepare sources: candidate 1");
  assertThrows(() => prepareSources([{ address: "10.0.0.1", prefixLength: 33 }]), RangeError, "candidate 0: prefix");
});

// ---------------------------------------------------------------------------
// The core's own checks: bytes the binding would never write

/** The input bytes of the last call (the core never writes its input). */
function lastInput(): Uint8Array {
  const memory = new Uint8Array(coreWasm.memory.buffer);
  const at = coreWasm.inputPtr() >>> 0;
  const header = new DataView(memory.buffer, at, 32);
  const length = 32 + 24 * header.getUint32(4, true) + 24 * header.getUint32(8, true) +
    32 * header.getUint32(12, true) + 32 * header.getUint32(16, true);
  return memory.slice(at, at + length);
}

/** Runs the core over raw bytes: the status, growing the result region as asked. */
function runRaw(input: Uint8Array): number {
  for (let attempt = 0; attempt < 4; attempt++) {
    const at = coreWasm.reserveInput(input.length) >>> 0;
    assert(at !== 0, "input reserved");
    new Uint8Array(coreWasm.memory.buffer).set(input, at);
    const status = coreWasm.selectAddresses(input.length);
    if (status !== CoreErrorCode.ResultTooSmall) return status;
    coreWasm.reserveResult(coreWasm.errorOffset() >>> 0);
  }
  throw new Error("result region kept growing");
}

Deno.test("core: malformed layouts are rejected with their detail", () => {
  sortDestinations([pair("2001:db8::1", "2001:db8::2")], { sources: ["2001:db8::3"] });
  const valid = lastInput();
  assert(runRaw(valid) > 0);
  const mutate = (at: number, value: number) => {
    const copy = valid.slice();
    copy[at] = value;
    return copy;
  };
  const cases: [Uint8Array, number, number][] = [
    [valid.slice(0, 31), CoreErrorCode.Truncated, 0x501],
    [mutate(0, 9), CoreErrorCode.InvalidValue, 0x502],
    [mutate(1, 6), CoreErrorCode.InvalidValue, 0x503],
    [mutate(24, 1), CoreErrorCode.InvalidValue, 0x504],
    [valid.slice(0, valid.length - 1), CoreErrorCode.Truncated, 0x505],
    [new Uint8Array([...valid, 0]), CoreErrorCode.BadLength, 0x506],
    [mutate(32 + 16, 129), CoreErrorCode.OutOfRange, 0x507],
    [mutate(32 + 17, 8), CoreErrorCode.InvalidValue, 0x508],
  ];
  for (const [input, code, detail] of cases) {
    assertEquals([runRaw(input), coreWasm.errorDetail()], [code, detail]);
  }
  // A preset source index past the sources, and one of another PvD.
  const d = valid.length - 32;
  const badIndex = valid.slice();
  new DataView(badIndex.buffer).setUint32(d + 28, 7, true);
  assertEquals([runRaw(badIndex), coreWasm.errorDetail()], [CoreErrorCode.OutOfRange, 0x50f]);
  const otherPvd = valid.slice();
  new DataView(otherPvd.buffer).setUint32(d + 24, 99, true);
  assertEquals([runRaw(otherPvd), coreWasm.errorDetail()], [CoreErrorCode.InvalidValue, 0x510]);
  const otherFamily = valid.slice();
  // 192.0.2.1 as the core takes it: high half 0, low half 0x0000ffff_c0000201, little-endian.
  otherFamily.set([0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 192, 0xff, 0xff, 0, 0], d);
  assertEquals([runRaw(otherFamily), coreWasm.errorDetail()], [CoreErrorCode.InvalidValue, 0x514]);
});

Deno.test("core: fuzz, 20,000 mutated and random inputs never trap and keep records in bounds", () => {
  const random = seededRandom(20_000);
  const seeds: Uint8Array[] = [];
  for (let i = 0; i < 40; i++) {
    const { sources, destinations, options } = randomInputs(random);
    sortDestinations(destinations, options);
    seeds.push(lastInput());
    const destination = destinations[0]!;
    if (typeof destination === "string" || !("source" in destination)) {
      selectSource(destination, sources, options);
      seeds.push(lastInput());
    }
  }
  const byte = () => Math.floor(random() * 256);
  let accepted = 0;
  for (let n = 0; n < 20_000; n++) {
    let input: Uint8Array;
    if (n % 10 === 0) {
      input = Uint8Array.from({ length: Math.floor(random() * 200) }, byte);
    } else {
      input = seeds[n % seeds.length]!.slice();
      const edits = 1 + Math.floor(random() * 4);
      for (let e = 0; e < edits && input.length > 0; e++) {
        const at = Math.floor(random() * input.length);
        // Mostly small values: counts, flags and lengths then stay plausible.
        input[at] = random() < 0.5 ? byte() : Math.floor(random() * 4);
      }
      if (random() < 0.05) input = input.slice(0, Math.floor(random() * input.length));
    }
    const status = runRaw(input);
    if (status < 0) {
      assert(status >= -7, `unknown status ${status}`);
      assert((coreWasm.errorDetail() >>> 0) >= 0x501 && (coreWasm.errorDetail() >>> 0) <= 0x515, "detail in range");
      continue;
    }
    accepted++;
    assertEquals(status % 24, 0);
    const view = new DataView(coreWasm.memory.buffer, coreWasm.resultPtr() >>> 0, status);
    for (let r = 0; r < status; r += 24) {
      const tag = view.getUint16(r, true);
      assert(tag >= 0x0501 && tag <= 0x0503, `tag ${tag}`);
      const start = view.getUint32(r + 4, true);
      const length = view.getUint32(r + 8, true);
      assert(start + length <= input.length, "record inside the input");
    }
  }
  assert(accepted > 2_000, `only ${accepted} accepted`);
});
