// Packets and bytes per second of every case of bench/parsers_bench.ts
// (deno bench prints only time per iteration), as a Markdown table, and
// whether the targets of the parser issue are met:
//   - validating only: at least 2 million packets per second on one core;
//   - reading the fields an adapter needs: the WebAssembly path at least
//     twice the baseline TypeScript parser's packets per second.
// All cases are warmed up, then each is timed in batches (each batch long
// enough to include its share of garbage collection); the median counts.
// Run: deno run --allow-read --allow-env bench/parsers_report.ts [--quick]

import { benchCases, benchCorpus, type Case, type Group, GROUP_NAMES } from "./_parser_cases.ts";

const quick = Deno.args.includes("--quick");
const WARMUP_MS = quick ? 100 : 400;
const BATCH_MS = quick ? 20 : 60;
const BATCHES = quick ? 7 : 21;
const PARSE_ONLY_TARGET = 2_000_000;
const ADAPTER_TARGET = 2;

let sink = 0;

/** Median time of one iteration of `c`, in milliseconds. */
function time(c: Case): number {
  const until = performance.now() + WARMUP_MS;
  let perBatch = 1;
  while (performance.now() < until) {
    const start = performance.now();
    for (let i = 0; i < perBatch; i++) sink += c.run();
    if (performance.now() - start < BATCH_MS) perBatch *= 2;
  }
  const samples: number[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const start = performance.now();
    for (let i = 0; i < perBatch; i++) sink += c.run();
    samples.push((performance.now() - start) / perBatch);
  }
  samples.sort((x, y) => x - y);
  return samples[samples.length >> 1]!;
}

function si(n: number, unit: string): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G${unit}`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M${unit}`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k${unit}`;
  return `${n.toFixed(0)} ${unit}`;
}

const corpus = benchCorpus();
const rows: string[] = [];
const checks: string[] = [];
console.log(`Deno ${Deno.version.deno}, V8 ${Deno.version.v8}, ${navigator.hardwareConcurrency} CPUs (one used)`);
for (const c of corpus) {
  console.log(`${GROUP_NAMES[c.group]}: ${c.packets.length} packets, ${c.bytes} bytes`);
}
console.log();
rows.push("| Packets | Scenario | Path | µs/iter | packets/s | bytes/s | vs baseline |");
rows.push("| ------- | -------- | ---- | ------: | --------: | ------: | ----------: |");

const byGroup = new Map<Group, { packets: number; bytes: number }>();
for (const c of corpus) byGroup.set(c.group, { packets: c.packets.length, bytes: c.bytes });
const cases = benchCases(corpus);
// Every case runs once first, so that the code they share is compiled for
// all of them before any is timed (the first case timed would otherwise pay
// for tiering up what the others use).
for (const c of cases) {
  const until = performance.now() + WARMUP_MS / 4;
  while (performance.now() < until) sink += c.run();
}
const results: { c: Case; ms: number }[] = [];
for (const c of cases) {
  const ms = time(c);
  results.push({ c, ms });
  Deno.stderr.writeSync(new TextEncoder().encode("."));
}
Deno.stderr.writeSync(new TextEncoder().encode("\n"));

for (const { c, ms } of results) {
  const size = byGroup.get(c.group)!;
  const baseline = results.find((r) => r.c.group === c.group && r.c.scenario === c.scenario && r.c.baseline)!;
  const pps = size.packets / (ms / 1000);
  const ratio = baseline.ms / ms;
  const scenario = c.scenario === "parse" ? "objects" : "adapter fields";
  rows.push(
    `| ${GROUP_NAMES[c.group]} | ${scenario} | ${c.name} | ${(ms * 1000).toFixed(1)} | ${si(pps, "")} | ${
      si(size.bytes / (ms / 1000), "B")
    } | ${c.baseline ? "1" : `${ratio.toFixed(2)}×`} |`,
  );
  if (c.name.startsWith("wasm: validate only")) {
    const ok = pps >= PARSE_ONLY_TARGET;
    checks.push(
      `${ok ? "met   " : "MISSED"} ${GROUP_NAMES[c.group]}: validate only ${si(pps, "packets/s")} (target 2 M)`,
    );
  }
  if (c.name.startsWith("wasm: view, adapter")) {
    const ok = ratio >= ADAPTER_TARGET;
    checks.push(
      `${ok ? "met   " : "MISSED"} ${GROUP_NAMES[c.group]}: adapter fields, view ${
        ratio.toFixed(2)
      }× baseline (target 2×)`,
    );
  }
}
console.log(rows.join("\n"));
console.log();
console.log(checks.join("\n"));
if (Number.isNaN(sink)) console.log(sink);
