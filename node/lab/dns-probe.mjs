// @ts-check
// Node's DNS probe for test/lab-dns-test.mjs: Translate Name through the
// built package's nodeHostNetwork() (koffi), inside the lab's host
// namespace. Kept out of test/, where node --test would run it as a test
// file. One host network for the probe's life, so that the Router
// Advertisement listener keeps what it heard (provider B's PvD RA comes every
// 2 s); a fresh MifApi over it for each request, as `mif resolve` makes one
// per process, so that nothing is answered from an earlier request's state.
//
// Each request is a JSON line on stdin with an `id`; each answer a JSON line
// on stdout with the same `id`:
//
//   {"op": "resolve", "name": NAME, "pvdId": PVD, "wait": MS}
//       as `mif resolve NAME [--pvd PVD] --wait MS --json`: waits at most MS
//       for PVD to have a DNS server (all of MS without PVD), posts Translate
//       Name in PVD (in every PvD without it) and waits for every Name
//       Translation complete: {"name", "pvds": [per PvD: pvdId, interface,
//       addresses with the ms each came after posting, completeMs, error,
//       dns (what the adapter counted during this request), ignored (the
//       answers it ignored meanwhile)], "dns" (every PvD)}.
//   {"op": "source"}: the source in use and what it cannot see.
//
// The first line, {"type": "ready"}, comes once the host has been read.
// Closing stdin stops the network and exits.

import { MifApi, translateInPvds } from "@pvd/mif";
import { nodeHostNetwork } from "@pvd/mif/node";
import process from "node:process";
import { createInterface } from "node:readline";

/** @param {object} line */
const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");

const network = nodeHostNetwork({ onError: (error) => print({ type: "adapter-error", message: error.message }) });
// Started with nowhere to deliver, for the RA listener and the watch to run
// between requests; each request's MifApi takes its place.
network.start({ snapshot() {}, apply() {} });
await network.refresh();

/**
 * The host network for one MifApi: closing that API leaves the network
 * running for the next request.
 *
 * @type {import("@pvd/mif").NetworkLink}
 */
const link = {
  clock: network.clock,
  start: (sink) => network.start(sink),
  stop: () => {},
  resolve: (query, signal) => network.resolve(query, signal),
  connect: (attempt, signal) => network.connect(attempt, signal),
};

/** @typedef {import("@pvd/mif/host").DnsCounters} DnsCounters */

/**
 * What was counted between two readings.
 *
 * @param {DnsCounters} after
 * @param {DnsCounters} before
 * @returns {DnsCounters}
 */
function since(after, before) {
  /** @type {Record<string, number>} */
  const ignored = {};
  for (const [kind, n] of Object.entries(after.ignored)) {
    ignored[kind] = n - /** @type {Record<string, number>} */ (before.ignored)[kind];
  }
  return {
    udpQueries: after.udpQueries - before.udpQueries,
    tcpQueries: after.tcpQueries - before.tcpQueries,
    ignored: /** @type {DnsCounters["ignored"]} */ (ignored),
  };
}

/**
 * One resolution over a fresh MifApi.
 *
 * @param {string} name
 * @param {string | undefined} pvdId
 * @param {number} wait
 */
async function resolve(name, pvdId, wait) {
  const api = new MifApi(link);
  try {
    await network.refresh();
    const hasDns = () =>
      pvdId !== undefined && (api.database.configurationData(pvdId, undefined, "dns-servers") ?? []).length > 0;
    for (const deadline = Date.now() + wait; !hasDns() && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(50, deadline - Date.now())));
    }
    // The counters before: this request's own figures are the difference.
    const ids = api.database.interfaces().flatMap((info) => api.database.pvdsOf(info.interfaceId))
      .map((pvd) => pvd.pvdId);
    if (pvdId !== undefined && !ids.includes(pvdId)) ids.push(pvdId);
    const before = new Map(ids.map((id) => [id, network.dnsCounters(id)]));
    const beforeAll = network.dnsCounters();
    const since0 = network.clock.now();
    const results = await translateInPvds(api, name, pvdId === undefined ? {} : { pvdId });
    const mismatches = network.dnsMismatches.filter((m) => m.at >= since0);
    return {
      name,
      pvds: results.map((r) => ({
        ...r,
        dns: since(network.dnsCounters(r.pvdId), /** @type {DnsCounters} */ (before.get(r.pvdId))),
        ignored: mismatches.filter((m) => m.pvdId === r.pvdId).map(({ server, kind, reason }) => ({
          server,
          kind,
          reason,
        })),
      })),
      dns: since(network.dnsCounters(), beforeAll),
    };
  } finally {
    api.close();
  }
}

print({ type: "ready", source: network.source });
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() === "") continue;
  /** @type {{ id?: unknown, op?: string, name?: string, pvdId?: string, wait?: number }} */
  let request = {};
  try {
    request = JSON.parse(line);
    if (request.op === "resolve") {
      print({ id: request.id, ...await resolve(String(request.name), request.pvdId, request.wait ?? 1_500) });
    } else if (request.op === "source") {
      print({ id: request.id, source: network.source, limitations: network.limitations });
    } else print({ id: request.id, error: `unknown op ${request.op}` });
  } catch (error) {
    print({ id: request.id, error: error instanceof Error ? error.stack : String(error) });
  }
}
network.stop();
