// The per-PvD DNS cache: the store itself (TTL, cap, least recently used,
// scope, case), the negative TTL read from an SOA, and the cache inside the
// MIF API on the simulated network, where every query is counted: a second
// resolution in the same PvD asks nobody, another PvD still asks its own
// servers, an expired answer is asked again, and a withdrawn PvD's answers
// go with it.

import { DnsCache, type DnsCacheScope, MifApi, type MifApiOptions, type MifReply } from "../mod.ts";
import { twoProviderHost } from "../adapters/simulated/mod.ts";
import { checkAddressResponse } from "../adapters/dns/dns_message.ts";
import { encodePacket } from "../adapters/dns/_dns_packet.ts";
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { drain } from "./_scripted_link.ts";

const A: DnsCacheScope = { pvdId: "pvd.a.example", dnsServers: ["2001:db8:a::53"], searchDomains: ["a.example"] };

Deno.test("DnsCache: served until its TTL ends, never at or after it; TTL 0 and absent are not kept", () => {
  const cache = new DnsCache();
  cache.store(A, "www.example", { family: 6, addresses: ["2001:db8:a::80"], ttl: 30 }, 1_000);
  assertEquals(cache.lookup(A, "www.example", 6, 1_000), { family: 6, addresses: ["2001:db8:a::80"], ttl: 30 });
  assertEquals(cache.lookup(A, "www.example", 6, 30_999)?.ttl, 1, "the last second still counts as one");
  assertEquals(cache.lookup(A, "www.example", 6, 31_000), undefined);
  assertEquals(cache.stats().entries, 0, "an expired answer is dropped when found");
  cache.store(A, "zero.example", { family: 4, addresses: ["192.0.2.1"], ttl: 0 }, 0);
  cache.store(A, "none.example", { family: 4, addresses: ["192.0.2.1"] }, 0);
  assertEquals(cache.stats().entries, 0);
  assertEquals(cache.lookup(A, "www.example", 4, 1_000), undefined, "the other family was never answered");
  assertEquals(cache.stats().hits, 2);
  assertEquals(cache.stats().misses, 2);
});

Deno.test("DnsCache: maxTtl caps a long TTL; a negative answer is kept like a positive one", () => {
  const cache = new DnsCache({ maxTtl: 10 });
  cache.store(A, "www.example", { family: 6, addresses: ["2001:db8:a::80"], ttl: 86_400 }, 0);
  assertEquals(cache.lookup(A, "www.example", 6, 0)?.ttl, 10);
  assertEquals(cache.lookup(A, "www.example", 6, 10_000), undefined);
  cache.store(A, "v4only.example", { family: 6, addresses: [], ttl: 5 }, 0);
  assertEquals(cache.lookup(A, "v4only.example", 6, 4_000), { family: 6, addresses: [], ttl: 1 });
});

Deno.test("DnsCache: scope is the PvD, its servers and its search list; names fold ASCII case only", () => {
  const cache = new DnsCache();
  cache.store(A, "WWW.Example", { family: 6, addresses: ["2001:db8:a::80"], ttl: 60 }, 0);
  assert(cache.lookup(A, "www.example", 6, 0) !== undefined, "DNS names are case-insensitive (RFC 4343)");
  assertEquals(cache.lookup(A, "www.example.", 6, 0), undefined, "a trailing dot turns the search list off");
  assertEquals(cache.lookup({ ...A, pvdId: "pvd.b.example" }, "www.example", 6, 0), undefined);
  assertEquals(cache.lookup({ ...A, dnsServers: ["2001:db8:a::54"] }, "www.example", 6, 0), undefined);
  assertEquals(cache.lookup({ ...A, searchDomains: [] }, "www.example", 6, 0), undefined);
  cache.store(A, "é.example", { family: 6, addresses: ["2001:db8:a::81"], ttl: 60 }, 0);
  assertEquals(cache.lookup(A, "É.example", 6, 0), undefined, "only A-Z fold");
});

Deno.test("DnsCache: the least recently used answer goes first; flush per PvD or all", () => {
  const cache = new DnsCache({ maxEntries: 2 });
  const B = { ...A, pvdId: "pvd.b.example" };
  cache.store(A, "one.example", { family: 6, addresses: ["2001:db8::1"], ttl: 60 }, 0);
  cache.store(B, "two.example", { family: 6, addresses: ["2001:db8::2"], ttl: 60 }, 0);
  cache.lookup(A, "one.example", 6, 0); // one is now the most recent
  cache.store(A, "three.example", { family: 6, addresses: ["2001:db8::3"], ttl: 60 }, 0);
  assert(cache.lookup(A, "one.example", 6, 0) !== undefined);
  assertEquals(cache.lookup(B, "two.example", 6, 0), undefined, "two was the least recently used");
  assertEquals(cache.flush("pvd.other.example"), 0);
  assertEquals(cache.flush(A.pvdId), 2);
  assertEquals(cache.stats().entries, 0);
  cache.store(B, "two.example", { family: 6, addresses: ["2001:db8::2"], ttl: 60 }, 0);
  assertEquals(cache.flush(), 1);
  assertThrows(() => new DnsCache({ maxEntries: 0 }), RangeError, "maxEntries 0");
  assertThrows(() => new DnsCache({ maxTtl: -1 }), RangeError, "maxTtl -1");
});

Deno.test("checkAddressResponse: a no-data answer's TTL is the SOA's, the smaller of its TTL and MINIMUM", () => {
  const query = { id: 9, name: "v4only.example", type: "AAAA" as const };
  const soa = (ttl: number, minimum: number) => ({
    name: "example",
    type: "SOA",
    class: "IN",
    ttl,
    data: {
      mname: "ns.example",
      rname: "hostmaster.example",
      serial: 1,
      refresh: 3600,
      retry: 600,
      expire: 86400,
      minimum,
    },
  });
  const response = (authorities: object[]) =>
    encodePacket({
      id: 9,
      type: "response",
      flags: 0x0100,
      questions: [{ name: query.name, type: "AAAA", class: "IN" }],
      answers: [],
      authorities: authorities as never,
    });
  assertEquals(checkAddressResponse(response([soa(300, 60)]), query), { kind: "no-data", ttl: 60 });
  assertEquals(checkAddressResponse(response([soa(30, 60)]), query), { kind: "no-data", ttl: 30 });
  assertEquals(checkAddressResponse(response([]), query), { kind: "no-data" }, "no SOA: not to be kept");
});

function setup(options: MifApiOptions = {}) {
  const host = twoProviderHost({ seed: 3 });
  const api = new MifApi(host.network, options);
  return { ...host, clock: host.network.clock, api, app: api.subscribe() };
}

/** Translate Name in one PvD, to completion: the addresses, sorted. */
async function translate(s: ReturnType<typeof setup>, pvdId: string, name: string): Promise<string[]> {
  const translationId = `t${s.clock.now()}`;
  s.app.postMessage({ type: "translate-name", pvdId, name, translationId });
  const got: MifReply[] = [];
  await s.clock.runUntil(() => {
    got.push(...drain(s.app));
    return got.some((m) => m.type === "name-translation-complete");
  });
  const complete = got.find((m) => m.type === "name-translation-complete");
  assert(complete?.type === "name-translation-complete" && complete.error === undefined, JSON.stringify(complete));
  return got.flatMap((m) => m.type === "name-translation" ? [m.address] : []).sort();
}

Deno.test("MIF API cache: a second Translate Name in a PvD asks nobody; another PvD asks its own servers", async () => {
  const s = setup();
  const { network, eth0, wlan0, host } = s;
  const first = await translate(s, eth0.ipv6.pvdId, host.name);
  const queries = network.dnsQueryCount({ pvdId: eth0.ipv6.pvdId });
  assertEquals(queries, 2, "A and AAAA");
  assertEquals(await translate(s, eth0.ipv6.pvdId, host.name.toUpperCase()), first);
  assertEquals(network.dnsQueryCount({ pvdId: eth0.ipv6.pvdId }), queries, "answered from the cache");
  const b = await translate(s, wlan0.pvd.pvdId, host.name);
  assertEquals(b, [...host.providerB.ipv6, host.providerB.ipv4].sort(), "provider B's own answer, not A's cached one");
  assertEquals(network.dnsQueryCount({ pvdId: wlan0.pvd.pvdId }), 2);
  assertEquals(s.api.dnsCacheStats(), { entries: 4, maxEntries: 1_024, hits: 2, misses: 4 });
  s.api.close();
});

Deno.test("MIF API cache: an answer past its TTL is asked again, and a changed record is seen then", async () => {
  const s = setup();
  const { network, wlan0, host, clock } = s;
  await translate(s, wlan0.pvd.pvdId, host.name);
  // Provider B's records say ttl 60 (adapters/simulated/scenarios.ts).
  network.dnsServer(wlan0.pvd.dnsServer)!.setRecords(host.name, { AAAA: ["2001:db8:b:80::99"], ttl: 60 });
  await clock.tick(30_000);
  assertEquals(await translate(s, wlan0.pvd.pvdId, host.name), [...host.providerB.ipv6, host.providerB.ipv4].sort());
  assertEquals(network.dnsQueryCount({ pvdId: wlan0.pvd.pvdId }), 2, "still within the TTL");
  await clock.tick(31_000);
  assertEquals(await translate(s, wlan0.pvd.pvdId, host.name), ["2001:db8:b:80::99"]);
  assertEquals(network.dnsQueryCount({ pvdId: wlan0.pvd.pvdId }), 4);
  s.api.close();
});

Deno.test("MIF API cache: connect() reuses Translate Name's answers; dnsCache false asks every time", async () => {
  for (const dnsCache of [undefined, false] as const) {
    const s = setup(dnsCache === undefined ? {} : { dnsCache });
    const { network, eth0, host, clock, api } = s;
    await translate(s, eth0.ipv6.pvdId, host.name);
    const before = network.dnsQueryCount({ pvdId: eth0.ipv6.pvdId });
    const connection = await clock.drive(api.connect(host.name, host.port, { pvds: [eth0.ipv6.pvdId] }));
    connection.token.close();
    // An IPv6-only PvD races its AAAA answer only.
    assertEquals(network.dnsQueryCount({ pvdId: eth0.ipv6.pvdId }) - before, dnsCache === false ? 1 : 0);
    assertEquals(api.dnsCacheStats() === undefined, dnsCache === false);
    api.close();
  }
});

Deno.test("MIF API cache: a withdrawn PvD's answers go with it; flushDnsCache forgets on demand", async () => {
  const s = setup();
  const { network, eth0, wlan0, host, api } = s;
  await translate(s, eth0.ipv6.pvdId, host.name);
  await translate(s, wlan0.pvd.pvdId, host.name);
  assertEquals(api.dnsCacheStats()?.entries, 4);
  network.removePvd(wlan0.pvd.pvdId);
  await s.clock.tick(1);
  assertEquals(api.dnsCacheStats()?.entries, 2, "only eth0's answers are left");
  assertEquals(api.flushDnsCache(eth0.ipv6.pvdId), 2);
  await translate(s, eth0.ipv6.pvdId, host.name);
  assertEquals(network.dnsQueryCount({ pvdId: eth0.ipv6.pvdId }), 4, "asked again after the flush");
  api.close();
});

Deno.test("MIF API cache: a PvD's answer still on its way when the race ends is kept for the next connect", async () => {
  const s = setup();
  const { network, eth0, wlan0, host, clock, api } = s;
  // Provider B's resolver is slow: A's connection is made before B answers.
  network.setPath({ pvdId: wlan0.pvd.pvdId, to: "2001:db8:b::/64", latencyMs: 100 });
  const first = await clock.drive(api.connect(host.name, host.port));
  first.token.close();
  assertEquals(first.pvdId, eth0.ipv6.pvdId);
  assertEquals(network.dnsQueryCount({ pvdId: wlan0.pvd.pvdId }), 1, "B was asked");
  const before = api.dnsCacheStats()!.entries;
  await clock.tick(250);
  assertEquals(api.dnsCacheStats()!.entries, before + 1, "B's answer arrived after the race and was kept");
  const second = await clock.drive(api.connect(host.name, host.port, { pvds: [wlan0.pvd.pvdId] }));
  second.token.close();
  assertEquals(network.dnsQueryCount({ pvdId: wlan0.pvd.pvdId }), 1, "answered from the cache, not asked again");
  api.close();
});

Deno.test("MIF API cache: close() stops a resolution left filling the cache; dnsCache false stops it with the race", async () => {
  for (const dnsCache of [undefined, false] as const) {
    const s = setup(dnsCache === undefined ? {} : { dnsCache });
    const { network, wlan0, host, clock, api } = s;
    network.setPath({ pvdId: wlan0.pvd.pvdId, to: "2001:db8:b::/64", latencyMs: 100 });
    (await clock.drive(api.connect(host.name, host.port))).token.close();
    if (dnsCache === false) {
      await clock.tick(250);
      assertEquals(network.dnsQueryCount({ pvdId: wlan0.pvd.pvdId }), 1, "given up with the race, not asked again");
    } else {
      const before = api.dnsCacheStats()!.entries;
      api.close();
      await clock.runAll();
      assertEquals(api.dnsCacheStats()!.entries, before, "B's answer was not waited for after close()");
    }
    api.close();
  }
});
