// The MIF API end to end on the simulated network: real DNS messages per
// PvD, connections with bytes on them, lifetimes on the virtual clock, and
// the demo.

import { MifApi, type MifReply } from "../mod.ts";
import { twoProviderHost } from "../adapters/simulated/mod.ts";
import { runDemo } from "../cli/demo.ts";
import { assert, assertEquals } from "./_assert.ts";
import { brief, drain } from "./_scripted_link.ts";

function setup(seed = 1) {
  const host = twoProviderHost({ seed });
  const api = new MifApi(host.network);
  return { ...host, clock: host.network.clock, api, app: api.subscribe() };
}

Deno.test("Translate Name answers from the PvD's own DNS servers only (split horizon)", async () => {
  const { network, clock, api, app, eth0, wlan0, host } = setup();
  app.postMessage({ type: "translate-name", pvdId: eth0.ipv6.pvdId, name: host.name, translationId: "a" });
  app.postMessage({ type: "translate-name", pvdId: wlan0.pvd.pvdId, name: host.name, translationId: "b" });
  await clock.runAll({ until: 10_000 });
  const got = new Map<string, string[]>();
  for (const m of drain(app)) {
    if (m.type === "name-translation") got.set(m.translationId, [...(got.get(m.translationId) ?? []), m.address]);
  }
  assertEquals(got.get("a")?.sort(), [host.providerA.ipv4, host.providerA.ipv6].sort());
  assertEquals(got.get("b")?.sort(), [...host.providerB.ipv6, host.providerB.ipv4].sort());
  assertEquals(network.dnsQueryCount({ address: eth0.ipv6.dnsServer }), 2, "A and AAAA to provider A");
  assertEquals(network.dnsQueryCount({ address: wlan0.pvd.dnsServer }), 2, "A and AAAA to provider B");
  assertEquals(network.dnsQueryCount({ address: eth0.ipv4.dnsServer }), 0, "nothing to a server of another PvD");
  api.close();
});

Deno.test("an unknown name fails the translation with the resolver's reason", async () => {
  const { clock, api, app, eth0 } = setup();
  app.postMessage({ type: "translate-name", pvdId: eth0.ipv6.pvdId, name: "nx.example.com", translationId: "nx" });
  await clock.runAll({ until: 20_000 });
  const [done] = drain(app);
  assert(done?.type === "name-translation-complete", JSON.stringify(done));
  assertEquals(done.count, 0);
  assertEquals(done.error?.code, "resolution-failed");
  api.close();
});

Deno.test("Connect to Address hands over a working connection; bytes round-trip", async () => {
  const { clock, api, app, eth0, host } = setup();
  app.postMessage({
    type: "connect-to-address",
    address: host.providerA.ipv6,
    port: host.port,
    pvdId: eth0.ipv6.pvdId,
    connectionId: "c",
  });
  await clock.runUntil(() => app.pending > 0);
  const [reply] = drain(app);
  assert(reply?.type === "connected", JSON.stringify(reply));
  assertEquals(reply.token.localAddress, eth0.ipv6.address);
  assertEquals(reply.token.pvdId, eth0.ipv6.pvdId);
  const writer = reply.token.writable.getWriter();
  const reader = reply.token.readable.getReader();
  await clock.drive(writer.write(new TextEncoder().encode("ping")));
  const { value } = await clock.drive(reader.read());
  assertEquals(new TextDecoder().decode(value), "ping");
  reader.releaseLock();
  writer.releaseLock();
  reply.token.close();
  await clock.runAll({ until: clock.now() + 1_000 });
  api.close();
});

Deno.test("Not Connected after the SYN retransmits when a path is black-holed", async () => {
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
  assertEquals(clock.now(), 15_000, "the simulated TCP gives up at 15 s");
  const [reply] = drain(app);
  assert(reply?.type === "not-connected");
  assertEquals(reply.attempts.length, 1);
  assert(/timed out/.test(reply.attempts[0]!.reason), reply.attempts[0]!.reason);
  api.close();
});

Deno.test("Connect to PvD resolves in the PvD and connects through it", async () => {
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
  assert(reply?.type === "connected", JSON.stringify(reply));
  assertEquals(reply.token.localAddress, wlan0.pvd.address);
  assert(host.providerB.ipv6.includes(reply.token.remoteAddress));
  reply.token.close();
  api.close();
});

Deno.test("the wireless PvD's lifetimes expire on the virtual clock, one by one", async () => {
  const { clock, api, app, wlan0 } = setup();
  app.postMessage({ type: "announce-provisioning-domains", interfaceId: wlan0.interfaceId });
  app.postMessage({ type: "announce-addresses", pvdId: wlan0.pvd.pvdId });
  drain(app);
  await clock.tick(7_200_000); // the SLAAC address's valid lifetime
  assertEquals(drain(app).map(brief), [`no-address ${wlan0.pvd.pvdId} ${wlan0.pvd.address}`]);
  api.close();
});

Deno.test("interface going up after Wants to connect", async () => {
  const { network, clock, api, app, wlan0 } = setup();
  app.postMessage({ type: "announce-interfaces" });
  drain(app);
  network.setInterfaceUp(wlan0.interfaceId, false);
  app.postMessage({ type: "wants-to-connect" });
  await clock.tick(1_000);
  assertEquals(drain(app).map(brief), [`interface-going-up ${wlan0.interfaceId}`]);
  assert(network.state().interfaces.every((i) => i.up));
  api.close();
});

Deno.test("the demo runs the draft's section 3.3 and keeps the first connection", async () => {
  const lines: string[] = [];
  const result = await runDemo({ seed: 1, write: (line) => lines.push(line) });
  const types = result.log.map((e) => (e.message as MifReply).type);
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
  ) assert(types.includes(type as MifReply["type"]), `the demo shows ${type}`);
  assertEquals(result.echoed, "hello through a chosen PvD");
  assert(result.chosen, "a connection was kept");
  assert(types.lastIndexOf("no-provisioning-domain-announcement") < types.lastIndexOf("no-interface-announcement"));
  assert(lines.some((l) => l.includes("◀── Connected")));
  // Deterministic under the seed.
  const again = await runDemo({ seed: 1, write: () => {} });
  assertEquals(again.log.length, result.log.length);
  assertEquals(again.chosen, result.chosen);
});
