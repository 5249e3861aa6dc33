// Connection racing: many races through the scheduler of the WebAssembly
// core, three ways (bench/_racing_cases.ts says what each path does): the
// ConnectionRace binding (one JS<->wasm round trip and object decoding per
// event), the raw raceStep export (bytes prepared once), and simulateRaces
// (all races in one call into the core). Every iteration runs 10,000 races,
// so time/iter divided by 10,000 is the time per race; bench/racing_report.ts
// prints races/s and ns per decision.
// Run: deno bench --allow-read --allow-env bench/racing_bench.ts

import { racingCases } from "./_racing_cases.ts";

let sink = 0;

for (const c of racingCases()) {
  Deno.bench({
    group: c.group,
    name: c.name,
    baseline: c.name === "ConnectionRace binding",
    fn: () => void (sink += c.run()),
  });
}

globalThis.addEventListener("unload", () => {
  if (Number.isNaN(sink)) console.log(sink);
});
