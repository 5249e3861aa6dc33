// RFC 6724 address selection: the WebAssembly core (core-as/address_selection.ts)
// against the same rules in plain TypeScript (bench/baseline/address_selection.ts),
// through the same API, on a host with two PvDs (Ethernet and Wi-Fi, each
// with IPv6 and IPv4): destination sorts of 2, 8 and 64 destinations (each
// destination's source selected among the host's 8 addresses), and source
// selections among 2 and 8 candidates. Addresses are parsed once
// (IpAddress objects), as a caller that sorts often would keep them. Each
// path runs with the candidates as a plain array (encoded per call) and
// prepared once (prepareSources: the host's addresses change far less
// often than destinations are sorted).
// Run: deno bench --allow-read --allow-env bench/address_selection_bench.ts

import { parseIpAddress } from "../core-as/ip_address.ts";
import {
  type Destination,
  prepareSources,
  selectSource,
  sortDestinations,
  type SourceCandidate,
} from "../core-as/address_selection.ts";
import * as baseline from "./baseline/address_selection.ts";

const ip = parseIpAddress;

/** The host's addresses: two PvDs, IPv6 (public, temporary, deprecated, ULA, link-local) and IPv4. */
const sources: SourceCandidate[] = [
  { address: ip("2001:db8:a::100"), pvd: "a", interface: "eth0", prefixLength: 64 },
  { address: ip("2001:db8:a::d5e3:7953:13eb:22e8"), pvd: "a", interface: "eth0", prefixLength: 64, temporary: true },
  { address: ip("2001:db8:a::200"), pvd: "a", interface: "eth0", prefixLength: 64, deprecated: true },
  { address: ip("fe80::1%eth0"), pvd: "a", prefixLength: 64 },
  { address: ip("192.0.2.10"), pvd: "a4", interface: "eth0", prefixLength: 24 },
  { address: ip("2001:db8:b::100"), pvd: "b", interface: "wlan0", prefixLength: 64 },
  { address: ip("fd00:b::100"), pvd: "b", interface: "wlan0", prefixLength: 64 },
  { address: ip("198.51.100.10"), pvd: "b4", interface: "wlan0", prefixLength: 24 },
];

/** Destinations as DNS would give them: IPv6 and IPv4 alternating, some PvD-specific, some not. */
function destinations(n: number): Destination[] {
  const out: Destination[] = [];
  for (let i = 0; i < n; i++) {
    const v6 = i % 2 === 0;
    const k = i >> 1;
    const text = v6 ? `2001:db8:${(0xc0 + k).toString(16)}::${k + 1}` : `203.0.${113 + (k % 3)}.${k + 1}`;
    const pvd = i % 4 < 2 ? undefined : v6 ? "b" : "b4";
    out.push(pvd === undefined ? { address: ip(text), nextHopPvd: v6 ? "a" : "a4" } : { address: ip(text), pvd });
  }
  return out;
}

const plain = sources;
const prepared = prepareSources(sources);
const baselinePrepared = baseline.prepareSources(sources);
let sink = 0;

// The paths must agree before their speed means anything.
for (const n of [2, 8, 64]) {
  const list = destinations(n);
  const results = new Set([
    JSON.stringify(sortDestinations(list, { sources: plain })),
    JSON.stringify(sortDestinations(list, { sources: prepared })),
    JSON.stringify(baseline.sortDestinations(list, { sources: plain })),
    JSON.stringify(baseline.sortDestinations(list, { sources: baselinePrepared })),
  ]);
  if (results.size !== 1) throw new Error(`the paths disagree on ${n} destinations`);
}

// One function literal per path, so that no call site sees two paths'
// functions or argument shapes (V8 shares type feedback between closures
// of one literal).
for (const n of [2, 8, 64]) {
  const list = destinations(n);
  const group = `sort ${n} destinations (sources among ${sources.length})`;
  const wasmPlain = { sources: plain };
  const wasmPrepared = { sources: prepared };
  const basePlain = { sources: plain };
  const basePrepared = { sources: baselinePrepared };
  Deno.bench({ group, name: "wasm", fn: () => void (sink += sortDestinations(list, wasmPlain).length) });
  Deno.bench({
    group,
    name: "wasm, prepared sources",
    fn: () => void (sink += sortDestinations(list, wasmPrepared).length),
  });
  Deno.bench({
    group,
    name: "baseline",
    baseline: true,
    fn: () => void (sink += baseline.sortDestinations(list, basePlain).length),
  });
  Deno.bench({
    group,
    name: "baseline, prepared sources",
    fn: () => void (sink += baseline.sortDestinations(list, basePrepared).length),
  });
}

const destination: Destination = { address: ip("2001:db8:c0::1"), nextHopPvd: "b", interface: "wlan0" };
for (const n of [2, 8]) {
  const group = `select source among ${n} candidates`;
  const candidates = n === 2 ? [sources[0]!, sources[5]!] : sources;
  const wasmPrepared = prepareSources(candidates);
  const basePrepared = baseline.prepareSources(candidates);
  Deno.bench({ group, name: "wasm", fn: () => void (sink += selectSource(destination, candidates)!.index) });
  Deno.bench({
    group,
    name: "wasm, prepared sources",
    fn: () => void (sink += selectSource(destination, wasmPrepared)!.index),
  });
  Deno.bench({
    group,
    name: "baseline",
    baseline: true,
    fn: () => void (sink += baseline.selectSource(destination, candidates)!.index),
  });
  Deno.bench({
    group,
    name: "baseline, prepared sources",
    fn: () => void (sink += baseline.selectSource(destination, basePrepared)!.index),
  });
}

globalThis.addEventListener("unload", () => {
  if (Number.isNaN(sink)) console.log(sink);
});
