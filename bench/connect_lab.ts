// Time to connect on the namespace lab (issue 7's benchmark): this library's
// api.connect() through denoHostNetwork() against the runtimes' own Happy
// Eyeballs (Node's net.connect with autoSelectFamily, Deno.connect with
// autoSelectFamily), side by side in one run, in three scenarios:
//
//   (a) healthy dual-stack, through both providers;
//   (b) IPv6 black-holed beyond the preferred provider (A);
//   (c) the preferred provider's upstream dead (A's IPv6 and IPv4 black-holed;
//       its DNS still answers, being on the host's link).
//
// The lab (tests/lab/two_provider_host.sh up NAME --server) is built once and
// removed in `finally`, even on failure. `mif routes`'s commands run in the
// host namespace first, so that a connection from either provider's address
// leaves through that provider. The runtimes resolve through the system
// resolver, which reads the lab's own /etc/netns/NAME-host/resolv.conf:
// provider A's DNS, the preferred provider's, as a host's resolv.conf would
// say; this library asks each PvD's own DNS servers (from the RAs).
//
// Each contender runs as one child process per scenario and round in the
// host namespace (bench/_connect_lab_library.ts,
// bench/_connect_lab_runtime.mjs), the contenders taking turns round after
// round. Each process makes WARMUP untimed connects (at most 5 s of them;
// stopping at the first failure), then its share of the RUNS sequential
// connects, each timed from the call to the established connection, so
// that process start-up and the JIT's compilations stay out of the
// figures: steady state, as in a long-running process (V8 optimizes the
// code a process runs often, after some tens to hundreds of runs, for
// every contender's JavaScript alike). The first untimed connect is
// reported apart, as the cold figure. The library keeps DNS answers for
// their TTL (60 s on the lab) unless told not to; the runtimes ask
// getaddrinfo, which keeps nothing, every time. A connect that fails or
// takes longer than TIMEOUT counts as a failure; after STOP_AFTER failures
// in a row the process stops (the rest would only wait out the timeout),
// the runs not made count as failures too, and a contender that failed a
// whole round is not run again in that scenario.
//
// The library's contenders: its default policy (RACE_POLICIES.adaptive: the
// PvD with the best measured RTT first, the next one after twice that RTT),
// the same without the DNS cache, RFC 8305 over every PvD at once, and
// preferPvd(A) (the others after the 250 ms attempt delay).
//
// Usage (root, Linux; radvd, dnsmasq, dhclient, python3, node):
//   deno run -A bench/connect_lab.ts [--runs 50] [--rounds 3] [--timeout 5000] [--stop-after 5] [--warmup 100]
//     [--json PATH]

const LAB = new URL("../tests/lab/two_provider_host.sh", import.meta.url).pathname;
const ECHO = new URL("../tests/lab/echo_server.py", import.meta.url).pathname;
const LIBRARY = new URL("./_connect_lab_library.ts", import.meta.url).pathname;
const RUNTIME = new URL("./_connect_lab_runtime.mjs", import.meta.url).pathname;
const CLI = new URL("../cli/mif.ts", import.meta.url).pathname;

const SERVER = { name: "srv.example", port: 8080, v6: "2001:db8:c::80", v4: "203.0.113.80" };
/** Provider A's DNS server: the preferred provider's, in the namespace's resolv.conf. */
const PROVIDER_A_DNS = "2001:db8:a::53";
const A6 = "implicit:eth0:ipv6";
/** RFC 8305's connection attempt delay, which preferPvd() also staggers the other PvDs by. */
const ATTEMPT_DELAY = 250;

function option(name: string, fallback: number): number {
  const at = Deno.args.indexOf(name);
  if (at === -1) return fallback;
  const value = Number(Deno.args[at + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} takes a positive number`);
  return value;
}
const RUNS = option("--runs", 50);
const ROUNDS = option("--rounds", 3);
/** Timed connects per contender process: the runs are split over the rounds. */
const PER_ROUND = Math.ceil(RUNS / ROUNDS);
/** Timed connects per contender and scenario, all rounds together. */
const TOTAL = PER_ROUND * ROUNDS;
const TIMEOUT = option("--timeout", 5_000);
const STOP_AFTER = option("--stop-after", 5);
const WARMUP = option("--warmup", 100);
const jsonAt = Deno.args.indexOf("--json");
const JSON_PATH = jsonAt === -1 ? undefined : Deno.args[jsonAt + 1];

const decoder = new TextDecoder();

async function run(command: string, ...args: string[]): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" })
    .output();
  if (code !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} failed (${code}): ${decoder.decode(stderr)}${decoder.decode(stdout)}`,
    );
  }
  return decoder.decode(stdout);
}

interface Contender {
  readonly label: string;
  readonly kind: "library" | "runtime";
  readonly command: readonly string[];
}

interface Outcome {
  readonly timings: (number | null)[];
  /** The first, untimed connect of the process (cold: code not yet compiled, nothing cached), ms. */
  readonly first?: number | null;
  /** The library's: when its winning attempt started after the first, and how long it took, per timed connect. */
  readonly schedules?: { winnerStart: number; winnerTook: number }[];
  readonly errors: string[];
  readonly winners: Record<string, number>;
}

interface Row {
  readonly scenario: string;
  readonly contender: Contender;
  readonly outcome: Outcome;
  readonly ok: number[];
  readonly failures: number;
  readonly median: number | undefined;
  readonly p90: number | undefined;
}

/** One contender's rounds as one outcome: the first round's cold connect, every timed one. */
function pooled(rounds: readonly Outcome[]): Outcome {
  const winners: Record<string, number> = {};
  for (const o of rounds) for (const [w, n] of Object.entries(o.winners)) winners[w] = (winners[w] ?? 0) + n;
  return {
    timings: rounds.flatMap((o) => o.timings),
    first: rounds[0]?.first ?? null,
    schedules: rounds.flatMap((o) => o.schedules ?? []),
    errors: [...new Set(rounds.flatMap((o) => o.errors))],
    winners,
  };
}

/** The nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function measure(namespace: string, contender: Contender): Promise<Outcome> {
  const [command, ...args] = contender.command;
  const { code, stdout, stderr } = await new Deno.Command("ip", {
    args: ["netns", "exec", namespace, command!, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const line = decoder.decode(stdout).trim().split("\n").findLast((l) => l.startsWith("{"));
  if (code !== 0 || line === undefined) {
    throw new Error(`${contender.label} ended with ${code}: ${decoder.decode(stderr).slice(-2000)}`);
  }
  return JSON.parse(line) as Outcome;
}

function row(scenario: string, contender: Contender, outcome: Outcome): Row {
  const ok = outcome.timings.filter((t): t is number => t !== null).sort((a, b) => a - b);
  return {
    scenario,
    contender,
    outcome,
    ok,
    failures: TOTAL - ok.length,
    median: percentile(ok, 50),
    p90: percentile(ok, 90),
  };
}

/** Two decimals below 10 ms, where the healthy figures are, one above. */
const ms = (value: number | undefined | null) =>
  value === undefined || value === null ? "—" : value.toFixed(value < 10 ? 2 : 1);

/** A median for comparisons: a contender that failed more than half its runs has none better than the timeout. */
function effectiveMedian(r: Row): number {
  return r.failures * 2 > TOTAL || r.median === undefined ? Infinity : r.median;
}

const name = `mifb${Deno.pid % 10_000}`;
const namespace = `${name}-host`;
let echo: Deno.ChildProcess | undefined;
const rows: Row[] = [];
const verdicts: string[] = [];
try {
  console.error(`building the lab ${name} ...`);
  await run("bash", LAB, "up", name, "--server");
  // The system resolver of every process in the host namespace (ip netns exec
  // mounts this file over /etc/resolv.conf).
  await Deno.writeTextFile(`/etc/netns/${namespace}/resolv.conf`, `nameserver ${PROVIDER_A_DNS}\n`);
  /** `mif ARGS` in the lab's host namespace. */
  const mif = (...args: string[]) => run("ip", "netns", "exec", namespace, Deno.execPath(), "run", "-A", CLI, ...args);
  const commands = await mif("routes");
  await run("ip", "netns", "exec", namespace, "sh", "-e", "-c", commands);
  console.error(`ran mif routes' commands:\n${commands.trim()}`);

  echo = new Deno.Command("ip", {
    args: ["netns", "exec", `${name}-srv`, "python3", ECHO, String(SERVER.port), SERVER.v6, SERVER.v4],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  // Wait for "ready", then keep reading so that the per-connection lines never fill the pipe.
  const ready = Promise.withResolvers<void>();
  (async () => {
    let text: string | undefined = "";
    for await (const chunk of echo!.stdout.pipeThrough(new TextDecoderStream())) {
      if (text === undefined) continue;
      text += chunk;
      if (text.split("\n").includes("ready")) {
        ready.resolve();
        text = undefined;
      }
    }
  })().catch(ready.reject);
  await Promise.race([
    ready.promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error("no echo server")), 5_000)),
  ]);

  // One untimed connect through every PvD first, so that no contender pays
  // for the lab's fresh paths (a first SYN through a just-built path was
  // seen to be retransmitted after 1 s, the initial RTO).
  await mif("connect", SERVER.name, String(SERVER.port), "--policy", "rfc8305")
    .catch((error) => console.error(`the untimed first connect failed: ${error}`));

  const shared = [SERVER.name, String(SERVER.port), String(PER_ROUND), String(TIMEOUT)];
  /** A library contender: the policy, and whether DNS answers are kept (bench/_connect_lab_library.ts's arguments). */
  const library = (label: string, policy: string, cache: "dns-cache" | "no-dns-cache"): Contender => ({
    label,
    kind: "library",
    command: [Deno.execPath(), "run", "-A", LIBRARY, ...shared, policy, String(STOP_AFTER), cache, String(WARMUP)],
  });
  const contenders: Contender[] = [
    library("library, default (adaptive)", "default", "dns-cache"),
    library("library, default, no DNS cache", "default", "no-dns-cache"),
    library("library, rfc8305 (every PvD at once)", "rfc8305", "dns-cache"),
    library(`library, preferPvd(${A6})`, `prefer:${A6}`, "dns-cache"),
    {
      label: `node ${(await run("node", "--version")).trim()} net.connect autoSelectFamily`,
      kind: "runtime",
      command: ["node", RUNTIME, "node-net", ...shared, String(STOP_AFTER), String(WARMUP)],
    },
    {
      label: `deno ${Deno.version.deno} Deno.connect autoSelectFamily`,
      kind: "runtime",
      command: [Deno.execPath(), "run", "-A", RUNTIME, "deno-connect", ...shared, String(STOP_AFTER), String(WARMUP)],
    },
  ];

  const scenarios: { label: string; setup: () => Promise<unknown> }[] = [
    { label: "(a) healthy dual-stack", setup: () => Promise.resolve() },
    { label: "(b) A's IPv6 black-holed", setup: () => run("bash", LAB, "blackhole", name, "a", "6") },
    { label: "(c) A's upstream dead", setup: () => run("bash", LAB, "blackhole", name, "a", "4") },
  ];
  for (const scenario of scenarios) {
    await scenario.setup();
    // Contenders take turns, round after round, each round a fresh process:
    // what drifts on the machine meanwhile falls on all of them alike.
    const outcomes = new Map<Contender, Outcome[]>(contenders.map((c) => [c, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const contender of contenders) {
        const earlier = outcomes.get(contender)!;
        // A contender that failed a whole round would only wait out its timeouts again.
        if (earlier.some((o) => o.timings.length > 0 && o.timings.every((t) => t === null))) continue;
        console.error(`${scenario.label}, round ${round}/${ROUNDS}: ${contender.label} ...`);
        earlier.push(await measure(namespace, contender));
      }
    }
    for (const contender of contenders) rows.push(row(scenario.label, contender, pooled(outcomes.get(contender)!)));
  }
} finally {
  if (echo !== undefined) {
    try {
      await echo.stdin.close();
    } catch { /* already gone */ }
    await echo.status;
  }
  await run("bash", LAB, "down", name).catch((error) => console.error(`down failed: ${error}`));
}

// The table: scenario × contender → median, p90, failures, ratio to the faster runtime.
const lines = [
  `${TOTAL} sequential connects per contender and scenario (${ROUNDS} rounds of ${PER_ROUND}, each after ${WARMUP} ` +
  `untimed ones), timeout ${TIMEOUT} ms, ms from the call to an ` +
  `established connection`,
  "",
  "| Scenario | Contender | Median ms | p90 ms | First ms | Failures | × faster runtime | Winners |",
  "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
];
for (const r of rows) {
  const runtimes = rows.filter((o) => o.scenario === r.scenario && o.contender.kind === "runtime");
  const faster = Math.min(...runtimes.map(effectiveMedian));
  const ratio = r.median === undefined || !Number.isFinite(faster) ? "—" : (r.median / faster).toFixed(2);
  const stopped = r.outcome.timings.length < TOTAL ? ` (stopped after ${r.outcome.timings.length})` : "";
  const winners = Object.entries(r.outcome.winners).map(([w, n]) => `${w} ×${n}`).join(", ");
  lines.push(
    `| ${r.scenario} | ${r.contender.label} | ${ms(r.median)} | ${ms(r.p90)} | ${ms(r.outcome.first)} | ` +
      `${r.failures}/${TOTAL}${stopped} | ` +
      `${ratio} | ${winners} |`,
  );
}
console.log(lines.join("\n"));
for (const r of rows) {
  if (r.outcome.errors.length > 0) console.log(`  ${r.scenario}, ${r.contender.label}: ${r.outcome.errors.join("; ")}`);
}

// The targets.
const find = (scenario: string, label: string) =>
  rows.find((r) => r.scenario === scenario && r.contender.label === label);
const libraries = rows.filter((r) => r.contender.kind === "library").map((r) => r.contender.label);
const libraryLabels = [...new Set(libraries)];
const verdict = (met: boolean) => met ? "met" : "NOT MET";
for (const scenario of [...new Set(rows.map((r) => r.scenario))]) {
  const runtimes = rows.filter((r) => r.scenario === scenario && r.contender.kind === "runtime");
  const faster = Math.min(...runtimes.map(effectiveMedian));
  for (const label of libraryLabels) {
    const r = label === undefined ? undefined : find(scenario, label);
    if (r === undefined) continue;
    const median = effectiveMedian(r);
    if (scenario.startsWith("(a)")) {
      verdicts.push(
        `${scenario}, ${label}: within 5% of the faster runtime (median ${ms(r.median)} ≤ 1.05 × ${ms(faster)} = ` +
          `${ms(1.05 * faster)} ms): ${verdict(median <= 1.05 * faster)}`,
      );
    } else {
      const worst = runtimes.map((o) =>
        `${o.contender.label.split(" ")[0]} ${Number.isFinite(effectiveMedian(o)) ? ms(o.median) : "failed"}`
      ).join(", ");
      const notSlower = runtimes.every((o) => median <= effectiveMedian(o) && r.failures <= o.failures);
      verdicts.push(
        `${scenario}, ${label}: never slower than the runtimes (median ${ms(r.median)}, failures ${r.failures}; ` +
          `${worst}): ${verdict(notSlower)}`,
      );
    }
    if (scenario.startsWith("(c)")) {
      // "Connected within attempt delay plus round trip": the round trip taken
      // as this contender's healthy median (DNS and the SYN's round trip, an
      // upper bound of the RTT), the attempt delay as RFC 8305's 250 ms.
      const healthy = find("(a) healthy dual-stack", label!);
      const bound = ATTEMPT_DELAY + (healthy?.median ?? 0);
      const schedules = r.outcome.schedules ?? [];
      const middle = (values: number[]) => percentile(values.sort((a, b) => a - b), 50);
      const schedule = schedules.length === 0
        ? ""
        : `; the winning attempt started a median ${
          ms(middle(schedules.map((s) => s.winnerStart)))
        } ms after the first and took ${ms(middle(schedules.map((s) => s.winnerTook)))} ms`;
      verdicts.push(
        `${scenario}, ${label}: within attempt delay + RTT (median ${ms(r.median)} ≤ ${ATTEMPT_DELAY} + ` +
          `${ms(healthy?.median)} = ${ms(bound)} ms; p90 ${ms(r.p90)}${schedule}): ${verdict(median <= bound)}`,
      );
    }
  }
}
console.log("\nTargets (issue 7):");
for (const line of verdicts) console.log(`- ${line}`);
if (JSON_PATH !== undefined) {
  await Deno.writeTextFile(
    JSON_PATH,
    JSON.stringify(
      {
        runs: TOTAL,
        rounds: ROUNDS,
        warmup: WARMUP,
        timeout: TIMEOUT,
        rows: rows.map((r) => ({ ...r, contender: r.contender.label })),
        verdicts,
      },
      null,
      2,
    ) + "\n",
  );
}
