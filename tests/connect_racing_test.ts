// Connection racing through the MIF API on the simulated network, in virtual
// time: the high-level connect() of section 3.3, Connect to PvD / Address
// with the WebAssembly scheduler, RFC 8305 timing, PvD policies, RTT
// history, timeouts, aborts, and nothing left behind after many races.

import { ConnectError, MifApi, type MifApiOptions, openRunnerRaces, RACE_POLICIES, type RacePolicy } from "../mod.ts";
import type { EstablishmentReport } from "../core-as/racing.ts";
import type { NetworkLink, ResolvedFamily } from "../api/network_link.ts";
import {
  raElement,
  SeededRandom,
  SimulatedNetwork,
  type SimulatedNetworkOptions,
  twoProviderHost,
} from "../adapters/simulated/mod.ts";
import { assert, assertEquals } from "./_assert.ts";
import { drain } from "./_scripted_link.ts";

function setup(options: MifApiOptions = {}) {
  const host = twoProviderHost({ seed: 7 });
  const api = new MifApi(host.network, options);
  return { ...host, api };
}

/** Every attempt ended exactly once, at or after its start, and one won exactly when connected. */
function checkReport(report: EstablishmentReport): void {
  const ids = new Set(report.attempts.map((a) => a.attempt));
  assertEquals(ids.size, report.attempts.length, "each attempt is reported once");
  for (const a of report.attempts) assert(a.end >= a.start, `attempt ${a.attempt} ends before it starts`);
  const winners = report.attempts.filter((a) => a.result === "succeeded");
  assertEquals(winners.length, report.outcome === "connected" ? 1 : 0, "exactly one winner when connected");
  if (report.outcome === "connected") assertEquals(winners[0]!.attempt, report.winner);
}

/** What the race did, one line per attempt: PvD, destination, start, end (from `t0`), result. */
function lines(report: EstablishmentReport, t0 = 0): string[] {
  return report.attempts.map((a) => `${a.pvd} ${a.address} ${a.start - t0}-${a.end - t0} ${a.result}`);
}

Deno.test("connect() races every PvD as section 3.3 does and keeps the first to connect", async () => {
  const { api, clock, network, wlan0, eth0, host } = setup();
  const timersBefore = clock.pendingTimers;
  const { token, report, pvdId } = await clock.drive(api.connect(host.name, host.port));
  checkReport(report);
  // DNS answers in 4 ms on eth0 and 8 ms on wlan0; provider B's cache is 5 ms away.
  assertEquals(lines(report), [
    `${eth0.ipv6.pvdId} ${host.providerA.ipv6} 4-18 cancelled`,
    `${eth0.ipv4.pvdId} ${host.providerA.ipv4} 4-18 cancelled`,
    `${wlan0.pvd.pvdId} ${host.providerB.ipv6[0]} 8-18 succeeded`,
  ]);
  assertEquals(pvdId, wlan0.pvd.pvdId);
  assertEquals(report.reason, "faster");
  assertEquals(report.overtaken, 2);
  assert(report.why.includes("2 attempts started before it were still in flight"), report.why);
  // The token carries bytes (an echo server).
  await token.writable.getWriter().write(new TextEncoder().encode("hi"));
  const { value } = await clock.drive(token.readable.getReader().read());
  assertEquals(new TextDecoder().decode(value), "hi");
  token.close();
  await clock.tick(1_000); // the closes complete; lifetimes (hours) do not expire
  assertEquals(network.openConnections, 0, "the losers and the winner are closed");
  assertEquals(openRunnerRaces(), 0);
  assertEquals(clock.pendingTimers, timersBefore, "no timer left behind");
  assertEquals(api.rttHistory.srtt(wlan0.pvd.pvdId), 10);
  api.close();
});

Deno.test("a prohibited PvD is never used, not even for DNS; a required one is the only one used", async () => {
  const { api, clock, network, wlan0, eth0, host } = setup();
  const avoidB: RacePolicy = { pvds: { [wlan0.pvd.pvdId]: "prohibit" } };
  const first = await clock.drive(api.connect(host.name, host.port, { policy: avoidB }));
  assertEquals(first.pvdId, eth0.ipv6.pvdId);
  assertEquals(network.synCount({ pvdId: wlan0.pvd.pvdId }), 0);
  assertEquals(network.dnsQueryCount({ pvdId: wlan0.pvd.pvdId }), 0);
  first.token.close();

  const onlyV4: RacePolicy = { pvds: { [eth0.ipv4.pvdId]: "require" } };
  const before = network.syns.length;
  const t0 = clock.now();
  const second = await clock.drive(api.connect(host.name, host.port, { policy: onlyV4 }));
  assertEquals(second.pvdId, eth0.ipv4.pvdId);
  assertEquals(network.syns.slice(before).map((s) => s.pvdId), [eth0.ipv4.pvdId]);
  // The first race's A answer in that PvD is still cached: no DNS round trip this time.
  assertEquals(lines(second.report, t0), [`${eth0.ipv4.pvdId} ${host.providerA.ipv4} 0-50 succeeded`]);
  second.token.close();

  // Nothing left: the error says which PvDs were left out and why.
  const none: RacePolicy = { interfaceKinds: { ethernet: "prohibit", wifi: "prohibit" } };
  const error = await clock.drive(api.connect(host.name, host.port, { policy: none })).catch((e) => e);
  assert(error instanceof ConnectError, String(error));
  assertEquals(error.report.reason, "no-eligible-pvd");
  assertEquals(error.excluded.length, 3);
  assert(error.message.includes("prohibited by the policy for wifi interfaces"), error.message);
  api.close();
});

Deno.test("interface types, PvD preference with a stagger, and custom rules order the PvDs", async () => {
  const { api, clock, network, wlan0, eth0, host } = setup();
  // Ethernet avoided: wlan0 first; eth0's PvDs start 300 ms later, too late to be needed.
  const policy: RacePolicy = { interfaceKinds: { ethernet: "avoid" }, pvdStagger: 300 };
  const a = await clock.drive(api.connect(host.name, host.port, { policy }));
  assertEquals(a.pvdId, wlan0.pvd.pvdId);
  assertEquals(network.synCount({ pvdId: eth0.ipv6.pvdId }), 0);
  a.token.close();
  // A custom rule: only explicit PvDs (RFC 8801), whatever the rest says.
  const explicitOnly: RacePolicy = { custom: (pvd) => pvd.explicit ? "require" : undefined };
  const b = await clock.drive(api.connect(host.name, host.port, { policy: explicitOnly }));
  assertEquals(b.report.attempts.map((x) => x.pvd), [wlan0.pvd.pvdId]);
  b.token.close();
  // Prefer one PvD: it goes first, the others a stagger later.
  const c = await clock.drive(api.connect(host.name, host.port, { policy: RACE_POLICIES.preferPvd(eth0.ipv4.pvdId) }));
  assertEquals(c.report.attempts[0]?.pvd, eth0.ipv4.pvdId);
  c.token.close();
  api.close();
});

/** One interface with one dual-stack explicit PvD, its DNS 2 ms away, the server's paths given. */
function dualStackHost(options: SimulatedNetworkOptions = {}) {
  const network = new SimulatedNetwork({ seed: 3, ...options });
  const eth0 = network.addInterface({ displayName: "eth0", kind: "ethernet" });
  const pvdId = network.addPvd({ interfaceId: eth0, fqdn: "pvd.dual.example" });
  network.setElement(
    pvdId,
    raElement({ router: "2001:db8:a::1", prefixes: [{ prefix: "2001:db8:a::/64" }], rdnss: ["2001:db8:a::53"] }),
  );
  network.addAddress(pvdId, { address: "2001:db8:a::100", prefixLength: 64 });
  network.addAddress(pvdId, { address: "192.0.2.100", prefixLength: 24 });
  network.addDnsServer({
    address: "2001:db8:a::53",
    records: { "www.example": { AAAA: ["2001:db8:c::80"], A: ["203.0.113.80"] } },
  });
  network.setPath({ pvdId, to: "2001:db8:a::/64", latencyMs: 1 });
  network.addServer({ address: "2001:db8:c::80", port: 443 });
  network.addServer({ address: "203.0.113.80", port: 443 });
  network.setPath({ pvdId, to: "2001:db8:c::/48", latencyMs: 10 });
  network.setPath({ pvdId, to: "203.0.113.0/24", latencyMs: 10 });
  return { network, clock: network.clock, pvdId };
}

Deno.test("RFC 8305: IPv6 black-holed, IPv4 starts exactly one attempt delay later and wins", async () => {
  const { network, clock, pvdId } = dualStackHost();
  network.setPath({ pvdId, to: "2001:db8:c::/48", reachable: false });
  const api = new MifApi(network);
  const { token, report } = await clock.drive(api.connect("www.example", 443));
  // Both answers at 2 ms; IPv6 first; IPv4 at 2 + 250; connected one RTT (20 ms) later.
  assertEquals(lines(report), [
    `${pvdId} 2001:db8:c::80 2-272 cancelled`,
    `${pvdId} 203.0.113.80 252-272 succeeded`,
  ]);
  token.close();
  // With a 100 ms attempt delay, IPv4 starts at 102.
  const faster = await clock.drive(api.connect("www.example", 443, { policy: { attemptDelay: 100 } }));
  assertEquals(faster.report.attempts.map((a) => a.start - faster.report.attempts[0]!.start), [0, 100]);
  faster.token.close();
  api.close();
});

Deno.test("RFC 8305: a refused attempt starts the next one at once", async () => {
  const { network, clock, pvdId } = dualStackHost();
  network.setPath({ pvdId, to: "2001:db8:c::/48", refuse: true, latencyMs: 10 });
  const api = new MifApi(network);
  const { token, report } = await clock.drive(api.connect("www.example", 443));
  assertEquals(lines(report), [
    `${pvdId} 2001:db8:c::80 2-22 failed`,
    `${pvdId} 203.0.113.80 22-42 succeeded`,
  ]);
  assertEquals(report.reason, "fallback");
  token.close();
  api.close();
});

/** The simulated network, with the AAAA answers held back `delay` ms (a slow AAAA lookup). */
function lateAaaa(network: SimulatedNetwork, delay: number): NetworkLink {
  return {
    clock: network.clock,
    start: (sink) => network.start(sink),
    stop: () => network.stop(),
    connect: (attempt, signal) => network.connect(attempt, signal),
    async *resolve(query, signal) {
      const held: ResolvedFamily[] = [];
      for await (const answer of network.resolve(query, signal)) {
        if (answer.family === 6) held.push(answer);
        else yield answer;
      }
      if (held.length > 0) await new Promise((resolve) => network.clock.setTimer(delay, () => resolve(undefined)));
      yield* held;
    },
  };
}

Deno.test("RFC 8305 resolution delay: a late AAAA within 50 ms is waited for, a later one is not", async () => {
  for (const [delay, expected] of [[30, "2001:db8:c::80 32"], [200, "203.0.113.80 52"]] as const) {
    const { network, clock } = dualStackHost();
    const api = new MifApi(lateAaaa(network, delay));
    const { token, report } = await clock.drive(api.connect("www.example", 443));
    const first = report.attempts[0]!;
    assertEquals(`${first.address} ${first.start}`, expected, `AAAA ${delay} ms late`);
    token.close();
    api.close();
  }
});

Deno.test("getaddrinfo-style policies wait for both answers; Node-like gives attempts up at 250 ms", async () => {
  {
    const { network, clock } = dualStackHost();
    const api = new MifApi(lateAaaa(network, 200));
    const { token, report } = await clock.drive(api.connect("www.example", 443, { policy: RACE_POLICIES.denoLike }));
    assertEquals(report.attempts[0]?.start, 202, "nothing starts before both answers");
    token.close();
    api.close();
  }
  // IPv6 black-holed, IPv4 400 ms away: the runtimes' complaint (nodejs/node#54359) reproduced.
  const { network, clock, pvdId } = dualStackHost();
  network.setPath({ pvdId, to: "2001:db8:c::/48", reachable: false });
  network.setPath({ pvdId, to: "203.0.113.0/24", latencyMs: 200 });
  const api = new MifApi(network);
  const node = await clock.drive(api.connect("www.example", 443, { policy: RACE_POLICIES.nodeLike })).catch((e) => e);
  assert(node instanceof ConnectError, String(node));
  assertEquals(lines(node.report), [
    `${pvdId} 2001:db8:c::80 2-252 failed`,
    `${pvdId} 203.0.113.80 252-502 failed`,
  ]);
  assert(node.attempts.every((a) => a.reason === "gave up after 250 ms"), node.message);
  const rfc = await clock.drive(api.connect("www.example", 443, { policy: RACE_POLICIES.rfc8305 }));
  assertEquals(rfc.report.attempts.at(-1)?.result, "succeeded");
  assertEquals(rfc.report.attempts.at(-1)!.end - rfc.report.attempts[0]!.start, 650);
  rfc.token.close();
  api.close();
});

Deno.test("a PvD that disappears mid-race fails its attempts; the race goes on in the others", async () => {
  const { api, clock, network, wlan0, eth0, host } = setup();
  network.setPath({ pvdId: wlan0.pvd.pvdId, to: "2001:db8:b:80::/64", latencyMs: 50 });
  const connecting = api.connect(host.name, host.port);
  await clock.tick(20);
  network.removePvd(wlan0.pvd.pvdId);
  const { token, report, pvdId } = await clock.drive(connecting);
  assertEquals(pvdId, eth0.ipv6.pvdId);
  const lost = report.attempts.find((a) => a.pvd === wlan0.pvd.pvdId);
  assertEquals(`${lost?.end} ${lost?.result}`, "20 failed");
  token.close();
  await clock.tick(1_000); // the closes complete; lifetimes (hours) do not expire
  assertEquals(network.openConnections, 0);
  api.close();
});

Deno.test("connect() stops at its timeout or its signal, cancelling every attempt", async () => {
  const { api, clock, network, wlan0, eth0, host } = setup();
  for (
    const [pvdId, to] of [
      [eth0.ipv6.pvdId, "2001:db8:c::/48"],
      [eth0.ipv4.pvdId, "203.0.113.0/24"],
      [wlan0.pvd.pvdId, "2001:db8:b:80::/64"],
      [wlan0.pvd.pvdId, "2001:db8:c::/48"],
    ] as const
  ) network.setPath({ pvdId, to, reachable: false });
  const timersBefore = clock.pendingTimers;
  const timedOut = await clock.drive(api.connect(host.name, host.port, { timeout: 1_000 })).catch((e) => e);
  assert(timedOut instanceof ConnectError, String(timedOut));
  assertEquals(timedOut.code, "timed-out");
  assertEquals(clock.now(), 1_000);
  assertEquals(timedOut.report.reason, "aborted");
  checkReport(timedOut.report);
  assert(timedOut.report.attempts.every((a) => a.result === "cancelled" && a.end === 1_000));
  const controller = new AbortController();
  clock.setTimer(300, () => controller.abort(new Error("user went away")));
  const aborted = await clock.drive(api.connect(host.name, host.port, { signal: controller.signal })).catch((e) => e);
  assert(aborted instanceof ConnectError && aborted.code === "aborted", String(aborted));
  assertEquals(clock.now(), 1_300);
  await clock.tick(1_000); // the closes complete; lifetimes (hours) do not expire
  assertEquals(clock.pendingTimers, timersBefore);
  assertEquals(openRunnerRaces(), 0);
  // Bad arguments are typed errors, not crashes.
  for (const [h, p] of [["", 80], [host.name, 0], [host.name, 70_000]] as const) {
    const error = await api.connect(h, p).catch((e) => e);
    assertEquals(error.code, "malformed-request");
  }
  api.close();
});

Deno.test("RTT history is kept per PvD, orders the next race, and is forgotten with its PvD", async () => {
  const { api, clock, network, wlan0, eth0, host } = setup({ racePolicy: RACE_POLICIES.rttHistory });
  // Nothing measured yet: every PvD at once, to learn.
  const first = await clock.drive(api.connect(host.name, host.port, { policy: RACE_POLICIES.rfc8305 }));
  first.token.close();
  assertEquals(api.rttHistory.srtt(wlan0.pvd.pvdId), 10);
  assertEquals(api.rttHistory.srtt(eth0.ipv6.pvdId), 14, "a loser still in flight at 18 ms, started at 4: at least 14");
  // wlan0 is now known fastest: it goes first, eth0 100 ms later, never needed.
  const syns = network.synCount({ pvdId: eth0.ipv6.pvdId });
  const second = await clock.drive(api.connect(host.name, host.port));
  assertEquals(second.report.attempts.map((a) => a.pvd), [wlan0.pvd.pvdId]);
  assertEquals(network.synCount({ pvdId: eth0.ipv6.pvdId }), syns);
  second.token.close();
  network.removePvd(wlan0.pvd.pvdId);
  await clock.tick(0);
  assertEquals(api.rttHistory.srtt(wlan0.pvd.pvdId), undefined);
  api.close();
});

Deno.test("Connect messages carry the establishment report", async () => {
  const { api, clock, eth0, host } = setup();
  const app = api.subscribe();
  app.postMessage({
    type: "connect-to-pvd",
    pvdId: eth0.ipv6.pvdId,
    name: host.name,
    port: host.port,
    connectionId: "a",
  });
  app.postMessage({
    type: "connect-to-address",
    pvdId: eth0.ipv4.pvdId,
    address: host.providerA.ipv4,
    port: 81,
    connectionId: "b",
  });
  await clock.tick(1_000);
  const replies = drain(app);
  const a = replies.find((m) => m.type === "connected");
  const b = replies.find((m) => m.type === "not-connected");
  assert(a?.type === "connected" && b?.type === "not-connected", JSON.stringify(replies.map((m) => m.type)));
  assertEquals(lines(a.report), [`${eth0.ipv6.pvdId} ${host.providerA.ipv6} 4-44 succeeded`]);
  assertEquals(b.report.reason, "all-failed");
  assertEquals(b.attempts[0]?.pvdId, eth0.ipv4.pvdId);
  assert(b.attempts[0]!.reason.endsWith("refused"), b.attempts[0]!.reason);
  a.token.close();
  api.close();
});

Deno.test("many races, some concurrent beyond the core's 64 slots, leave no socket, timer or slot behind", async () => {
  const { api, clock, network, wlan0, eth0, host } = setup();
  const random = new SeededRandom(99);
  const paths = [
    [eth0.ipv6.pvdId, "2001:db8:c::/48"],
    [eth0.ipv4.pvdId, "203.0.113.0/24"],
    [wlan0.pvd.pvdId, "2001:db8:b:80::/64"],
    [wlan0.pvd.pvdId, "2001:db8:c::/48"],
  ] as const;
  const timersBefore = clock.pendingTimers;
  let connected = 0;
  let failed = 0;
  for (let round = 0; round < 6; round++) {
    for (const [pvdId, to] of paths) {
      const roll = random.int(4);
      network.setPath({
        pvdId,
        to,
        reachable: roll !== 0,
        refuse: roll === 1,
        latencyMs: 1 + random.int(300),
        lossRate: roll === 2 ? 0.3 : 0,
      });
    }
    const policies = [RACE_POLICIES.rfc8305, RACE_POLICIES.nodeLike, RACE_POLICIES.rttHistory, RACE_POLICIES.ipv4First];
    // 100 at once: 36 of them wait for a slot in the core.
    const races = Array.from(
      { length: 100 },
      (_, i) =>
        api.connect(host.name, host.port, { timeout: 2_000, policy: policies[i % policies.length]! }).then(
          (c) => {
            checkReport(c.report);
            connected++;
            c.token.close();
          },
          (error) => {
            assert(error instanceof ConnectError, String(error));
            checkReport(error.report);
            failed++;
          },
        ),
    );
    await clock.drive(Promise.all(races), { maxSteps: 1_000_000 });
  }
  await clock.tick(1_000); // the closes complete; lifetimes (hours) do not expire
  assertEquals(connected + failed, 600);
  assert(connected > 0 && failed > 0, `${connected} connected, ${failed} failed: both outcomes covered`);
  assertEquals(network.openConnections, 0, "every loser and winner closed");
  assertEquals(openRunnerRaces(), 0, "every race slot freed");
  assertEquals(clock.pendingTimers, timersBefore, "every timer cleared");
  api.close();
});
