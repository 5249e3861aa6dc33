// One contender of bench/connect_lab.ts: this library's api.connect() through
// denoHostNetwork(), inside the lab's host namespace. Started once per
// scenario and policy, so that Deno's start-up, the adapter's first read of
// the host and the Router Advertisements bringing each PvD's DNS servers
// stay out of the figures; then N sequential connects, each timed from the
// call to the established connection, printed as one JSON line.
//
// Usage: deno run -A bench/_connect_lab_library.ts HOST PORT RUNS TIMEOUT_MS POLICY STOP_AFTER [CACHE [WARMUP]]
//   POLICY: default (the API's: RACE_POLICIES.adaptive) | rfc8305 | prefer:PVD_ID
//   CACHE: dns-cache (the default: answers kept for their TTL, as a
//   long-running application has them after its first connect) | no-dns-cache
//   (every connect asks each PvD's DNS servers, as getaddrinfo does)

import { MifApi, RACE_POLICIES, type RacePolicy } from "../mod.ts";
import { denoHostNetwork } from "../adapters/deno/mod.ts";
import { runConnects } from "./_connect_lab_runs.mjs";

const [host = "srv.example", portText = "8080", runsText = "30", timeoutText = "5000", policyText = "default"] =
  Deno.args;
const stopAfter = Number(Deno.args[5] ?? "5");
const dnsCache = (Deno.args[6] ?? "dns-cache") === "dns-cache";
const warmup = Number(Deno.args[7] ?? "1");
const port = Number(portText);
const runs = Number(runsText);
const timeout = Number(timeoutText);
/** The policy given to every connect; none for the API's default. */
const policy: RacePolicy | undefined = policyText.startsWith("prefer:")
  ? RACE_POLICIES.preferPvd(policyText.slice("prefer:".length))
  : policyText === "rfc8305"
  ? RACE_POLICIES.rfc8305
  : policyText === "default"
  ? undefined
  : (() => {
    throw new Error(`unknown policy ${policyText}: default, rfc8305 or prefer:PVD_ID`);
  })();

/** The PvDs that must be usable (addresses, and DNS for the IPv6 ones) before timing starts. */
const PVDS = ["implicit:eth0:ipv6", "implicit:eth0:ipv4", "implicit:wlan0:ipv6", "implicit:wlan0:ipv4"];
const DNS = ["implicit:eth0:ipv6", "implicit:wlan0:ipv6"];

const network = denoHostNetwork();
const api = new MifApi(network, dnsCache ? {} : { dnsCache: false });
await network.refresh();

// RDNSS arrives with the next RA (every 3-4 s): wait for it, as a long-running
// application would have it, rather than time a PvD that has no DNS yet.
const usable = (pvdId: string, dns: boolean) =>
  api.database.getPvd(pvdId) !== undefined && api.database.addressesOf(pvdId).length > 0 &&
  (!dns || (api.database.configurationData(pvdId, undefined, "dns-servers") ?? []).length > 0);
const deadline = Date.now() + 15_000;
while (!(PVDS.every((p) => usable(p, false)) && DNS.every((p) => usable(p, true))) && Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, 50));
}

/** True until the timed connects begin. */
let warming = true;

/** The last run's establishment report, for reading why a figure is what it is. */
let sample: unknown;

/**
 * Per connect, from its establishment report: how long after the first
 * attempt the winning one started, and how long it took (ms, the clock's
 * whole milliseconds).
 */
const schedules: { winnerStart: number; winnerTook: number }[] = [];

async function once(): Promise<{ ms: number; pvdId: string } | { error: string }> {
  const started = performance.now();
  try {
    const { token, pvdId, report } = await api.connect(host, port, policy ? { policy, timeout } : { timeout });
    const ms = performance.now() - started;
    token.close();
    sample = report;
    const first = Math.min(...report.attempts.map((a) => a.start));
    const winner = report.attempts.find((a) => a.attempt === report.winner)!;
    if (!warming) schedules.push({ winnerStart: winner.start - first, winnerTook: winner.end - winner.start });
    return { ms, pvdId };
  } catch (caught) {
    const error = caught as { code?: string; message?: string };
    sample = (caught as { report?: unknown }).report;
    return { error: `${error.code ?? "error"}: ${String(error.message ?? caught).slice(0, 300)}` };
  }
}

// Untimed connects first (the first ones compile the code paths; the
// first of all is a cold start, its DNS answer not yet kept), then the
// timed ones; the schedules are the timed runs' only.
const outcome = await runConnects(async () => {
  const result = await once();
  return "error" in result ? result : { ms: result.ms, winner: result.pvdId };
}, { warmup, runs, stopAfter, timing: () => (warming = false) });
console.log(JSON.stringify({ ...outcome, source: network.source, sample, schedules }));
api.close();
Deno.exit(0);
