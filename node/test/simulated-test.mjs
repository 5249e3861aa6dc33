// The MIF API on the simulated two-provider host, under Node, from the built
// package: the draft's section 3.3 (interfaces, PvDs, addresses, Translate
// Name per PvD, Connect to PvD, the high-level connect() race) and the demo.
// The Deno suites with the same intent: tests/mif_api_simulated_test.ts,
// tests/mif_api_announce_test.ts, tests/connect_racing_test.ts.

import { test } from "node:test";
import assert from "node:assert/strict";
import { ConnectError, MifApi, openRunnerRaces } from "@pvd/mif";
import { twoProviderHost } from "@pvd/mif/simulated";
// Not an export of the package: the demo is built for these tests only.
import { runDemo } from "../dist/cli/demo.js";

function setup(seed = 1) {
  const host = twoProviderHost({ seed });
  const api = new MifApi(host.network);
  return { ...host, api, app: api.subscribe() };
}

/** Every message waiting, by GET MESSAGE until there is none. */
function drain(subscriber) {
  const out = [];
  for (let m = subscriber.getMessage(); m !== undefined; m = subscriber.getMessage()) out.push(m);
  return out;
}

test("section 3.3: interfaces, then each one's PvDs, then each PvD's addresses", () => {
  const { api, app, eth0, wlan0 } = setup();
  app.postMessage({ type: "announce-interfaces" });
  // CHECK MESSAGE with a zero timeout answers synchronously.
  assert.equal(app.checkMessage({ timeout: 0 }), true);
  const interfaces = drain(app).filter((m) => m.type === "interface-announcement");
  assert.deepEqual(interfaces.map((m) => [m.interfaceId, m.displayName]), [
    [eth0.interfaceId, "eth0"],
    [wlan0.interfaceId, "wlan0"],
  ]);

  const pvds = [];
  for (const { interfaceId } of interfaces) {
    app.postMessage({ type: "announce-provisioning-domains", interfaceId });
    for (const m of drain(app)) {
      if (m.type === "provisioning-domain-announcement") pvds.push(`${m.interfaceId} ${m.pvdId}`);
    }
  }
  // Provider A: two implicit PvDs on eth0 (one per family); provider B: an explicit one (RFC 8801).
  assert.deepEqual(pvds.sort(), [
    `${eth0.interfaceId} implicit:eth0:ipv4`,
    `${eth0.interfaceId} implicit:eth0:ipv6`,
    `${wlan0.interfaceId} pvd.provider-b.example`,
  ]);

  const addresses = new Map();
  for (const pvdId of [eth0.ipv6.pvdId, eth0.ipv4.pvdId, wlan0.pvd.pvdId]) {
    app.postMessage({ type: "announce-addresses", pvdId });
    for (const m of drain(app)) {
      if (m.type === "address-announcement") addresses.set(m.address, m);
    }
  }
  assert.deepEqual([...addresses.keys()].sort(), ["192.0.2.100", "2001:db8:a::100", "2001:db8:b::100"]);
  // Lifetimes come with IPv6 addresses only; provider B's SLAAC address is valid 2 h, preferred 1 h.
  const b = addresses.get(wlan0.pvd.address);
  assert.deepEqual([b.validLifetime, b.preferredLifetime], [7200, 3600]);
  assert.equal(addresses.get(eth0.ipv4.address).validLifetime, undefined);
  api.close();
});

test("a request that cannot be accepted gets an error reply, and POST never throws", () => {
  const { api, app } = setup();
  app.postMessage({ type: "announce-provisioning-domains", interfaceId: 999 });
  const [reply] = drain(app);
  assert.equal(reply?.type, "error", JSON.stringify(reply));
  assert.equal(typeof reply.error.code, "string");
  api.close();
});

test("Translate Name answers from each PvD's own DNS servers only (split horizon)", async () => {
  const { network, clock, api, app, eth0, wlan0, host } = setup();
  app.postMessage({ type: "translate-name", pvdId: eth0.ipv6.pvdId, name: host.name, translationId: "a" });
  app.postMessage({ type: "translate-name", pvdId: wlan0.pvd.pvdId, name: host.name, translationId: "b" });
  await clock.runAll({ until: 10_000 }); // virtual time: the simulated DNS servers answer
  const got = new Map();
  const complete = new Map();
  for (const m of drain(app)) {
    if (m.type === "name-translation") got.set(m.translationId, [...(got.get(m.translationId) ?? []), m.address]);
    if (m.type === "name-translation-complete") complete.set(m.translationId, m.count);
  }
  assert.deepEqual(got.get("a")?.sort(), [host.providerA.ipv4, host.providerA.ipv6].sort());
  assert.deepEqual(got.get("b")?.sort(), [...host.providerB.ipv6, host.providerB.ipv4].sort());
  assert.deepEqual(Object.fromEntries(complete), { a: 2, b: 3 });
  // Real DNS messages went to each PvD's server: A and AAAA each, none elsewhere.
  assert.equal(network.dnsQueryCount({ address: eth0.ipv6.dnsServer }), 2);
  assert.equal(network.dnsQueryCount({ address: wlan0.pvd.dnsServer }), 2);
  assert.equal(network.dnsQueryCount({ address: eth0.ipv4.dnsServer }), 0);
  api.close();
});

test("an unknown name completes with no answer and the resolver's reason", async () => {
  const { clock, api, app, eth0 } = setup();
  app.postMessage({ type: "translate-name", pvdId: eth0.ipv6.pvdId, name: "nx.example.com", translationId: "nx" });
  await clock.runAll({ until: 20_000 });
  const [done] = drain(app);
  assert.equal(done?.type, "name-translation-complete", JSON.stringify(done));
  assert.equal(done.count, 0);
  assert.equal(done.error?.code, "resolution-failed");
  api.close();
});

test("Connect to PvD resolves inside the PvD and connects through it; bytes round-trip", async () => {
  const { clock, api, app, wlan0, host } = setup();
  app.postMessage({
    type: "connect-to-pvd",
    pvdId: wlan0.pvd.pvdId,
    name: host.name,
    port: host.port,
    connectionId: "p",
  });
  await clock.runUntil(() => app.pending > 0);
  const [reply] = drain(app);
  assert.equal(reply?.type, "connected", JSON.stringify(reply));
  assert.equal(reply.connectionId, "p");
  assert.equal(reply.token.pvdId, wlan0.pvd.pvdId);
  assert.equal(reply.token.localAddress, wlan0.pvd.address);
  assert.ok(host.providerB.ipv6.includes(reply.token.remoteAddress), reply.token.remoteAddress);
  // Node's own web streams carry the bytes (the servers echo).
  const writer = reply.token.writable.getWriter();
  const reader = reply.token.readable.getReader();
  await clock.drive(writer.write(new TextEncoder().encode("ping")));
  const { value } = await clock.drive(reader.read());
  assert.equal(new TextDecoder().decode(value), "ping");
  reader.releaseLock();
  writer.releaseLock();
  reply.token.close();
  await clock.runAll({ until: clock.now() + 1_000 });
  api.close();
});

test("Not Connected after the SYN retransmits when the path is black-holed", async () => {
  const { network, clock, api, app, wlan0, host } = setup();
  network.setPath({ pvdId: wlan0.pvd.pvdId, to: "2001:db8:c::/48", reachable: false });
  app.postMessage({
    type: "connect-to-address",
    address: host.providerA.ipv6,
    port: host.port,
    pvdId: wlan0.pvd.pvdId,
    connectionId: "bh",
  });
  await clock.runUntil(() => app.pending > 0);
  assert.equal(clock.now(), 15_000, "the simulated TCP gives up at 15 s");
  const [reply] = drain(app);
  assert.equal(reply?.type, "not-connected");
  assert.equal(reply.attempts.length, 1);
  assert.match(reply.attempts[0].reason, /timed out/);
  api.close();
});

test("connect() races every PvD as section 3.3 does and keeps the first to connect", async () => {
  const { api, clock, network, wlan0, eth0, host } = setup(7);
  const timersBefore = clock.pendingTimers;
  const { token, report, pvdId } = await clock.drive(api.connect(host.name, host.port));
  // The establishment report: DNS answers in 4 ms on eth0 and 8 ms on wlan0;
  // provider B's cache is 5 ms away, so wlan0 wins although it started last.
  assert.deepEqual(
    report.attempts.map((a) => `${a.pvd} ${a.address} ${a.start}-${a.end} ${a.result}`),
    [
      `${eth0.ipv6.pvdId} ${host.providerA.ipv6} 4-18 cancelled`,
      `${eth0.ipv4.pvdId} ${host.providerA.ipv4} 4-18 cancelled`,
      `${wlan0.pvd.pvdId} ${host.providerB.ipv6[0]} 8-18 succeeded`,
    ],
  );
  assert.equal(report.outcome, "connected");
  assert.equal(report.attempts.find((a) => a.result === "succeeded").attempt, report.winner);
  assert.equal(pvdId, wlan0.pvd.pvdId);
  assert.equal(report.reason, "faster");
  assert.equal(report.overtaken, 2);
  assert.ok(report.why.includes("2 attempts started before it were still in flight"), report.why);

  await token.writable.getWriter().write(new TextEncoder().encode("hi"));
  const { value } = await clock.drive(token.readable.getReader().read());
  assert.equal(new TextDecoder().decode(value), "hi");
  token.close();
  await clock.tick(1_000);
  // Nothing left behind: the losers and the winner are closed, no timers, no races.
  assert.equal(network.openConnections, 0);
  assert.equal(openRunnerRaces(), 0);
  assert.equal(clock.pendingTimers, timersBefore);
  assert.equal(api.rttHistory.srtt(wlan0.pvd.pvdId), 10);
  api.close();
});

test("connect() with a policy: a prohibited PvD is never used; none left is a ConnectError", async () => {
  const { api, clock, network, wlan0, eth0, host } = setup(7);
  const avoidB = { pvds: { [wlan0.pvd.pvdId]: "prohibit" } };
  const first = await clock.drive(api.connect(host.name, host.port, { policy: avoidB }));
  assert.equal(first.pvdId, eth0.ipv6.pvdId);
  assert.equal(network.synCount({ pvdId: wlan0.pvd.pvdId }), 0);
  assert.equal(network.dnsQueryCount({ pvdId: wlan0.pvd.pvdId }), 0);
  first.token.close();

  const none = { interfaceKinds: { ethernet: "prohibit", wifi: "prohibit" } };
  const error = await clock.drive(api.connect(host.name, host.port, { policy: none })).catch((e) => e);
  assert.ok(error instanceof ConnectError, String(error));
  assert.equal(error.report.reason, "no-eligible-pvd");
  assert.equal(error.excluded.length, 3);
  api.close();
});

test("the demo runs the draft's section 3.3 and keeps the first connection, deterministically", async () => {
  const lines = [];
  const result = await runDemo({ seed: 1, write: (line) => lines.push(line) });
  const types = result.log.map((e) => e.message.type);
  for (
    const type of [
      "announce-interfaces",
      "interface-announcement",
      "provisioning-domain-announcement",
      "configuration-element-announcement",
      "address-announcement",
      "configuration-data",
      "name-translation",
      "connected",
      "interface-going-away",
      "no-provisioning-domain-announcement",
      "no-interface-announcement",
    ]
  ) assert.ok(types.includes(type), `the demo shows ${type}`);
  assert.equal(result.echoed, "hello through a chosen PvD");
  assert.ok(result.chosen, "a connection was kept");
  assert.ok(lines.some((l) => l.includes("◀── Connected")));
  const again = await runDemo({ seed: 1, write: () => {} });
  assert.equal(again.log.length, result.log.length);
  assert.deepEqual(again.chosen, result.chosen);
});
