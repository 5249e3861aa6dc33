// @ts-check
// The runtimes' own connect, as contenders of bench/connect_lab.ts, inside
// the lab's host namespace (the system resolver reads the namespace's
// resolv.conf, the kernel picks the route and the source):
//
//   node-net:     node:net's net.connect({ host, port, autoSelectFamily: true }) (run with node)
//   deno-connect: Deno.connect({ hostname, port, autoSelectFamily: true }) (run with deno; Deno 2.9 has the option,
//                 default true, with a 250 ms attempt delay)
//
// One process per scenario: N sequential connects, each timed from the call
// to the established connection, printed as one JSON line.
//
// Usage: node|deno run -A bench/_connect_lab_runtime.mjs MODE HOST PORT RUNS TIMEOUT_MS STOP_AFTER [WARMUP]

import net from "node:net";

const [mode = "node-net", host = "srv.example", portText = "8080", runsText = "30", timeoutText = "5000"] = process
  .argv.slice(2);
const stopAfter = Number(process.argv[7] ?? "5");
const warmup = Number(process.argv[8] ?? "1");
/** Warm-up stops after this long: an impaired path's 250 ms connects need no hundred rounds to warm the code. */
const WARMUP_BUDGET_MS = 5_000;
const port = Number(portText);
const runs = Number(runsText);
const timeout = Number(timeoutText);

/**
 * node:net with Happy Eyeballs: resolved when `connect` fires.
 *
 * @returns {Promise<{ ms: number, remote: string } | { error: string }>}
 */
function nodeOnce() {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, autoSelectFamily: true });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ error: `timed out after ${timeout} ms` });
    }, timeout);
    socket.once("connect", () => {
      const ms = performance.now() - started;
      clearTimeout(timer);
      const remote = socket.remoteAddress ?? "?";
      socket.destroy();
      resolve({ ms, remote });
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ error: String(error.message).slice(0, 300) });
    });
  });
}

/**
 * Deno.connect with its own Happy Eyeballs; the signal gives it up at the timeout.
 *
 * @returns {Promise<{ ms: number, remote: string } | { error: string }>}
 */
async function denoOnce() {
  const Deno = /** @type {any} */ (globalThis).Deno;
  const started = performance.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeout);
  try {
    const connection = await Deno.connect({ hostname: host, port, autoSelectFamily: true, signal: controller.signal });
    const ms = performance.now() - started;
    const remote = connection.remoteAddr.hostname;
    connection.close();
    return { ms, remote };
  } catch (error) {
    return {
      error: controller.signal.aborted ? `timed out after ${timeout} ms` : String(/** @type {Error} */ (error).message)
        .slice(0, 300),
    };
  } finally {
    clearTimeout(timer);
  }
}

if (mode === "deno-connect" && !("Deno" in globalThis)) throw new Error("deno-connect runs under Deno");
const once = mode === "deno-connect" ? denoOnce : nodeOnce;

/** @type {(number | null)[]} */
const timings = [];
/** @type {string[]} */
const errors = [];
/** @type {Record<string, number>} */
const winners = {};
// Untimed connects first, as bench/_connect_lab_library.ts does: the same
// number for every contender; a failure ends them (it would only wait). The
// first one is reported apart: a cold start (resolver loaded, code paths
// compiled).
/** @type {number | null} */
let first = null;
const warmupEnds = performance.now() + WARMUP_BUDGET_MS;
for (let i = 0; i < warmup && performance.now() < warmupEnds; i++) {
  const outcome = await once();
  if ("error" in outcome) break;
  if (i === 0) first = outcome.ms;
}
let failedInARow = 0;
for (let run = 0; run < runs; run++) {
  if (failedInARow >= stopAfter) break;
  const outcome = await once();
  if ("error" in outcome) {
    timings.push(null);
    errors.push(outcome.error);
    failedInARow++;
  } else {
    timings.push(outcome.ms);
    winners[outcome.remote] = (winners[outcome.remote] ?? 0) + 1;
    failedInARow = 0;
  }
}
process.stdout.write(
  JSON.stringify({ timings, first, errors: [...new Set(errors)], winners, runtime: process.version }) + "\n",
);
process.exit(0);
