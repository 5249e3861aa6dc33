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
import { runConnects } from "./_connect_lab_runs.mjs";

const [mode = "node-net", host = "srv.example", portText = "8080", runsText = "30", timeoutText = "5000"] = process
  .argv.slice(2);
const stopAfter = Number(process.argv[7] ?? "5");
const warmup = Number(process.argv[8] ?? "1");
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

// Untimed connects first, as bench/_connect_lab_library.ts does (the first
// one a cold start: resolver loaded, code paths compiled), then the timed ones.
const outcome = await runConnects(async () => {
  const result = await once();
  return "error" in result ? result : { ms: result.ms, winner: result.remote };
}, { warmup, runs, stopAfter });
process.stdout.write(JSON.stringify({ ...outcome, runtime: process.version }) + "\n");
process.exit(0);
