// Tests of the connection-policy benchmark (bench/policy_comparison.ts) and
// of `mif policies`: each scenario shows the physics it is built for (the
// bounds below follow from its latencies, one way, × 0.7 to 1.3, rounded),
// runs are deterministic for a seed whatever else runs, and no race leaves a
// connection, a core slot or a timer behind.

import { assert, assertEquals, assertRejects } from "./_assert.ts";
import {
  BENCHMARK_POLICIES,
  comparePolicies,
  POLICY_SCENARIOS,
  type PolicyCell,
  type PolicyComparison,
  renderPolicyReport,
  summarizeComparison,
} from "../bench/policy_comparison.ts";
import { ConnectError, MifApi, openRunnerRaces } from "../mod.ts";
import { SeededRandom } from "../adapters/simulated/mod.ts";
import { main } from "../cli/mif.ts";

const RACES = 20;
const comparison: PolicyComparison = await comparePolicies({ races: RACES, seed: 1 });

function cell(scenario: string, policy: string): PolicyCell {
  const found = comparison.cells.find((c) => c.scenario === scenario && c.policy === policy);
  assert(found, `no cell ${scenario} × ${policy}`);
  return found;
}

/** Every sample of the cell lies within [low, high] ms. */
function assertWithin(c: PolicyCell, low: number, high: number): void {
  const outside = c.samples.filter((s) => s < low || s > high);
  assertEquals(outside, [], `${c.scenario} × ${c.policy}: samples outside ${low}-${high} ms`);
}

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.ceil(sorted.length / 2) - 1]!;
}

Deno.test("the comparison runs every scenario under every policy, in order, and leaves nothing open", () => {
  assertEquals(comparison.scenarios, POLICY_SCENARIOS.map((s) => s.name));
  assertEquals(comparison.policies, BENCHMARK_POLICIES.map((p) => p.name));
  assertEquals(comparison.cells.length, POLICY_SCENARIOS.length * BENCHMARK_POLICIES.length);
  comparison.cells.forEach((c, i) => {
    assertEquals(c.scenario, comparison.scenarios[Math.floor(i / comparison.policies.length)]);
    assertEquals(c.policy, comparison.policies[i % comparison.policies.length]);
    assertEquals(c.samples.length + c.failures, RACES, `${c.scenario} × ${c.policy}: every race counted`);
    assertEquals(Object.values(c.failureCodes).reduce((a, b) => a + b, 0), c.failures);
    assertEquals(Object.values(c.winners).reduce((a, b) => a + b, 0), c.samples.length);
    assertEquals(c.openConnectionsAfterRace, 0, `${c.scenario} × ${c.policy}: a connection stayed open`);
    // A time to connect counts whole virtual milliseconds from the call, DNS included.
    assert(c.samples.every((s) => Number.isInteger(s) && s > 0 && s < comparison.timeout), String(c.samples));
  });
  assertEquals(openRunnerRaces(), 0, "every core slot freed");
});

Deno.test("healthy: every policy connects every race, through the wired PvD, at one DNS and one TCP round trip", () => {
  for (const policy of comparison.policies) {
    const c = cell("healthy", policy);
    assertEquals(c.failures, 0);
    assertEquals(c.winners, { "pvd.wired.example": RACES });
  }
  // DNS 1 ms one way (2 ms round trip); IPv6 12 ms, IPv4 10 ms one way, each × 0.7 to 1.3.
  assertWithin(cell("healthy", "rfc8305"), 2 + 16, 2 + 32);
  assertWithin(cell("healthy", "ipv4-first"), 2 + 14, 2 + 26);
  // The jitter is applied: the races differ.
  assert(new Set(cell("healthy", "rfc8305").samples).size > 3);
});

Deno.test("ipv6-blackhole: RFC 8305 escapes through the Wi-Fi within the attempt delay; IPv4 first is faster", () => {
  // Wi-Fi: DNS 3 ms and IPv6 30 ms one way: 4-8 + 42-78 ms.
  const rfc = cell("ipv6-blackhole", "rfc8305");
  assertWithin(rfc, 46, 86);
  assertEquals(rfc.winners, { "pvd.wifi.example": RACES });
  assert(Math.max(...rfc.samples) < 250 + 78, "within the attempt delay plus a round trip");
  // The wired PvD's IPv4 at once: 2 + 14-26 ms.
  const v4 = cell("ipv6-blackhole", "ipv4-first");
  assertWithin(v4, 16, 28);
  assert(median(v4.samples) < median(rfc.samples));
  // One network: IPv6 black-holed, IPv4 one attempt delay later (RFC 8305 section 5); prefer-first-pvd
  // gets there first too, since the Wi-Fi starts 250 ms late.
  for (const policy of ["node-like", "deno-like", "prefer-first-pvd"]) {
    assertWithin(cell("ipv6-blackhole", policy), 2 + 250 + 14, 2 + 250 + 26);
  }
  // RTT history: the first race ranks the wired PvD first (nothing measured) and the Wi-Fi wins 100 ms
  // later; from then on the Wi-Fi goes first.
  const rtt = cell("ipv6-blackhole", "rtt-history");
  assert(rtt.samples[0]! >= 100 + 46, `first race ${rtt.samples[0]}`);
  assertWithin({ ...rtt, samples: rtt.samples.slice(1) }, 46, 86);
});

Deno.test("dead-upstream: policies that race PvDs connect over cellular; one-PvD policies fail or time out", () => {
  // Cellular: DNS 35 ms and server 45 ms one way: 50-92 + 64-118 ms.
  for (const policy of ["rfc8305", "ipv4-first", "rtt-history"]) {
    const c = cell("dead-upstream", policy);
    assertEquals(c.failures, 0, policy);
    assertEquals(c.winners, { "pvd.cellular.example": RACES });
    assertWithin(c, 114, 210 + (policy === "rtt-history" ? 100 : 0));
  }
  // Preferring the Wi-Fi costs the 250 ms stagger.
  assertWithin(cell("dead-upstream", "prefer-first-pvd"), 250 + 64, 250 + 118);
  // Node gives each attempt up at 250 ms: fails fast. Deno waits on SYN retransmissions until the timeout.
  assertEquals(cell("dead-upstream", "node-like").failureCodes, { "connection-failed": RACES });
  assertEquals(cell("dead-upstream", "deno-like").failureCodes, { "timed-out": RACES });
});

Deno.test("cellular: Node-like gives up where RFC 8305 and Deno-like connect; racing the Wi-Fi beats waiting", () => {
  assertEquals(cell("cellular", "node-like").failureCodes, { "connection-failed": RACES });
  const rfc = cell("cellular", "rfc8305");
  const deno = cell("cellular", "deno-like");
  assertEquals(rfc.failures, 0);
  assertEquals(deno.failures, 0);
  // Deno-like over the cell alone: 2 × (radio + 5) + 2 × (radio + 20), radio 150-400 ms.
  assertWithin(deno, 2 * 154 + 2 * 164, 2 * 407 + 2 * 426);
  assert(median(rfc.samples) < median(deno.samples), "the Wi-Fi, slow to resolve, still wins most races");
  assert((rfc.winners["pvd.wifi.example"] ?? 0) > RACES / 2, JSON.stringify(rfc.winners));
});

Deno.test("lossy: SYN retransmissions and DNS retries show in the one-PvD policies, never in RFC 8305", () => {
  // The clean cellular PvD bounds RFC 8305: DNS 30 ms and server 40 ms one way, at most 78 + 104 ms.
  const rfc = cell("lossy", "rfc8305");
  assertEquals(rfc.failures, 0);
  assertWithin(rfc, 1, 78 + 104);
  assert(Object.keys(rfc.winners).length === 2, `both PvDs win some races: ${JSON.stringify(rfc.winners)}`);
  // A lost SYN costs Deno-like a 1 s retransmission (or a lost query a 2 s DNS retry).
  assert(cell("lossy", "deno-like").samples.some((s) => s >= 1_000));
  // Node-like gives attempts up before any retransmission: some races fail.
  assert(cell("lossy", "node-like").failures > 0);
});

Deno.test("split-horizon: only the VPN's answer connects, through the VPN; the public answer never does", () => {
  for (const policy of ["rfc8305", "ipv4-first", "prefer-first-pvd", "rtt-history"]) {
    const c = cell("split-horizon", policy);
    assertEquals(c.failures, 0, policy);
    assertEquals(c.winners, { "pvd.corp.example": RACES });
  }
  // VPN DNS and server 30 ms one way each: 42-78 + 42-78 ms.
  assertWithin(cell("split-horizon", "rfc8305"), 84, 156);
  assertEquals(cell("split-horizon", "node-like").failureCodes, { "connection-failed": RACES });
  assertEquals(cell("split-horizon", "deno-like").failureCodes, { "timed-out": RACES });
});

Deno.test("pvd-vanishes: no race hangs; racing policies connect, one-PvD policies fail when the PvD goes", () => {
  for (const policy of comparison.policies) {
    const c = cell("pvd-vanishes", policy);
    assertEquals(c.failureCodes["timed-out"], undefined, `${policy}: a race hung until the timeout`);
    // Wi-Fi: 10 + 120 ms at most 13 + 156; cellular 80 + 100, at most 104 + 130, or later when staggered.
    assert(Math.max(...c.samples) < 600, `${policy}: ${Math.max(...c.samples)} ms`);
  }
  for (const policy of ["rfc8305", "ipv4-first", "prefer-first-pvd", "rtt-history"]) {
    assertEquals(cell("pvd-vanishes", policy).failures, 0, policy);
  }
  const node = cell("pvd-vanishes", "node-like");
  assert(node.failures > 0 && node.failures < RACES, `${node.failures} failures`);
  // Node-like and Deno-like differ only in giving attempts up at 250 ms, which the Wi-Fi never needs.
  assertEquals(cell("pvd-vanishes", "deno-like").samples, node.samples);
});

Deno.test("a run is deterministic for a seed, whatever other cells run beside it", async () => {
  const options = { races: 8, seed: 42, scenarios: ["lossy", "pvd-vanishes"] } as const;
  const a = await comparePolicies(options);
  const b = await comparePolicies(options);
  assertEquals(a, b);
  const alone = await comparePolicies({ races: 8, seed: 42, scenarios: ["pvd-vanishes"], policies: ["node-like"] });
  assertEquals(alone.cells[0], a.cells.find((c) => c.scenario === "pvd-vanishes" && c.policy === "node-like"));
  const other = await comparePolicies({ ...options, seed: 43 });
  assert(JSON.stringify(other.cells) !== JSON.stringify(a.cells), "another seed, other draws");
});

Deno.test("every scenario host: after each race, no connection, core slot or timer is left", async () => {
  for (const scenario of POLICY_SCENARIOS) {
    for (const policyName of ["rfc8305", "node-like", "deno-like"]) {
      const host = scenario.build({ seed: 9 });
      const { network } = host;
      const clock = network.clock;
      const api = new MifApi(network, { dnsCache: false }); // as the benchmark runs
      const policy = BENCHMARK_POLICIES.find((p) => p.name === policyName)!.policyFor(host.firstPvd);
      const draws = new SeededRandom(9);
      const timers = clock.pendingTimers;
      for (let race = 0; race < 4; race++) {
        const cleanup = host.prepare(draws);
        const outcome = await clock.drive(api.connect(host.name, host.port, { policy, timeout: 10_000 })).then(
          (c) => c.token.close(),
          (error) => assert(error instanceof ConnectError, String(error)),
        );
        assertEquals(outcome, undefined);
        cleanup();
        await clock.tick(1_000);
        const where = `${scenario.name} × ${policyName}, race ${race}`;
        assertEquals(network.openConnections, 0, `${where}: connections`);
        assertEquals(openRunnerRaces(), 0, `${where}: core slots`);
        assertEquals(clock.pendingTimers, timers, `${where}: timers`);
        // The first PvD is back (pvd-vanishes) and first again.
        assertEquals(api.database.pvds().map((p) => p.pvdId).includes(host.firstPvd), true, where);
      }
      api.close();
    }
  }
});

Deno.test("bad options are RangeErrors naming what is known", async () => {
  await assertRejects(() => comparePolicies({ scenarios: ["moon"] }), RangeError, 'unknown scenario "moon"');
  await assertRejects(
    () => comparePolicies({ policies: ["fastest"] }),
    RangeError,
    "known: adaptive, rfc8305, ipv4-first",
  );
  await assertRejects(() => comparePolicies({ races: 0 }), RangeError, "race count 0");
  await assertRejects(() => comparePolicies({ timeout: -1 }), RangeError, "timeout -1");
});

Deno.test("the report: a row per cell, a panel per scenario, a colour per policy in every panel", () => {
  const { table, markdown, svg } = renderPolicyReport(comparison);
  const rows = comparison.cells.length;
  assertEquals(table.trimEnd().split("\n").length, rows + 2);
  assertEquals(markdown.trimEnd().split("\n").length, rows + 2);
  assert(/\ndead-upstream +node-like +20 +100\.0 +- +- +- +-\n/.test(table), table);
  for (const scenario of comparison.scenarios) assert(svg.includes(`>${scenario}</text>`), scenario);
  // One line per cell with races; each policy's lines share one colour.
  const series = [...svg.matchAll(/<path class="series" stroke="(#[0-9A-F]{6})"[^>]*><title>([^<]+)<\/title>/g)];
  assertEquals(series.length, rows);
  const colours = new Map<string, Set<string>>();
  for (const [, colour, name] of series) colours.set(name!, (colours.get(name!) ?? new Set()).add(colour!));
  assertEquals([...colours.keys()], comparison.policies);
  assert([...colours.values()].every((set) => set.size === 1));
  assertEquals(new Set([...colours.values()].map((set) => [...set][0])).size, comparison.policies.length);
  // JSON-ready summaries: null where nothing connected.
  const summaries = summarizeComparison(comparison);
  const dead = summaries.find((s) => s.scenario === "dead-upstream" && s.policy === "deno-like")!;
  assertEquals([dead.connected, dead.failureRate, dead.p50], [0, 1, null]);
});

/** Runs main() with console.log / console.error captured. */
async function runMain(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...parts: unknown[]) => void out.push(parts.join(" "));
  console.error = (...parts: unknown[]) => void err.push(parts.join(" "));
  try {
    return { code: await main(args), out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

Deno.test("mif policies: the table, Markdown, JSON and the chart", async () => {
  const text = await runMain(["policies", "--races", "2", "--scenarios", "healthy,split-horizon"]);
  assertEquals(text.code, 0, text.err);
  assert(text.out.startsWith("scenario       policy            n  failed %"), text.out);
  assert(text.out.includes("split-horizon  deno-like         2     100.0"), text.out);
  assert(text.out.includes("Scenarios:\n  healthy "), text.out);
  assert(!text.out.includes("lossy"), "only the scenarios asked for");

  const md = await runMain(["policies", "--races", "2", "--policies", "rfc8305", "--markdown"]);
  assertEquals(md.code, 0, md.err);
  assertEquals(md.out.split("\n").length, 2 + POLICY_SCENARIOS.length);
  assert(md.out.startsWith("| scenario "), md.out);

  const json = await runMain(["policies", "--races", "3", "--seed", "5", "--json", "--scenarios", "dead-upstream"]);
  assertEquals(json.code, 0, json.err);
  const parsed = JSON.parse(json.out);
  assertEquals([parsed.races, parsed.seed, parsed.timeout, parsed.results.length], [3, 5, 10_000, 7]);
  const deno = parsed.results.find((r: { policy: string }) => r.policy === "deno-like");
  assertEquals([deno.connected, deno.p50, deno.failureCodes], [0, null, { "timed-out": 3 }]);

  const file = await Deno.makeTempFile({ suffix: ".svg" });
  try {
    const svg = await runMain(["policies", "--races", "2", "--policies", "node-like", "--svg", file]);
    assertEquals(svg.code, 0, svg.err);
    assert(svg.err.includes(`wrote the chart to ${file}`), svg.err);
    const written = await Deno.readTextFile(file);
    assert(written.startsWith("<?xml") && written.trimEnd().endsWith("</svg>"), written.slice(0, 100));
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("mif policies: usage errors exit 2, an unwritable chart 1", async () => {
  for (
    const args of [
      ["--races", "0"],
      ["--races", "many"],
      ["--seed"],
      ["--svg"],
      ["--fast"],
      ["--scenarios", "moon"],
    ]
  ) {
    const { code, err } = await runMain(["policies", ...args]);
    assertEquals(code, 2, args.join(" "));
    assert(err.startsWith("mif policies: "), err);
  }
  const missing = await runMain(["policies", "--races", "1", "--policies", "rfc8305", "--svg", "/nonexistent/x.svg"]);
  assertEquals(missing.code, 1);
  assert(missing.err.includes("Cannot write the chart to /nonexistent/x.svg"), missing.err);
});
