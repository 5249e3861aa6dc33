// Parser throughput over the real captures: the WebAssembly core (validate
// only, on-access view, eager objects) against the baseline TypeScript
// parsers of bench/baseline/, each group of packets once per iteration.
// Packets and bytes per second: bench/parsers_report.ts.
// Run: deno bench --allow-read --allow-env bench/parsers_bench.ts

import { benchCases, benchCorpus, GROUP_NAMES } from "./_parser_cases.ts";

const corpus = benchCorpus();
let sink = 0;

for (const { group, packets, bytes } of corpus) {
  for (const c of benchCases([{ group, packets, bytes }])) {
    const scenario = c.scenario === "parse" ? "objects" : "adapter fields";
    Deno.bench({
      group: `${GROUP_NAMES[group]}, ${scenario} (${packets.length} packets, ${bytes} bytes)`,
      name: c.name,
      baseline: c.baseline,
      fn() {
        sink += c.run();
      },
    });
  }
}

globalThis.addEventListener("unload", () => {
  if (Number.isNaN(sink)) console.log(sink);
});
