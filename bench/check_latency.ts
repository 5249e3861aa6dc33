// CHECK-to-GET latency under load: 1,000 subscribers waiting in CHECK
// MESSAGE while 10,000 address events per second arrive from the adapter.
// Each event is an address added to or removed from one of `--pvds` PvDs;
// subscriber i follows the addresses of PvD i mod pvds, so each event is
// delivered to subscribers/pvds of them. Latency runs from the moment the
// adapter hands the change to the API to the moment GET MESSAGE returns it,
// in real time. Targets: p99 under 1 ms, no message lost.
//
// Run: deno task bench:latency [--subscribers 1000] [--rate 10000] [--seconds 5] [--pvds 100]

import { setImmediate } from "node:timers";
import { MifApi } from "../mod.ts";
import { SimulatedNetwork } from "../adapters/simulated/mod.ts";

function option(name: string, fallback: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
}

const SUBSCRIBERS = option("subscribers", 1000);
const RATE = option("rate", 10_000);
const SECONDS = option("seconds", 5);
const PVDS = option("pvds", 100);

const network = new SimulatedNetwork({ seed: 1 });
const pvdIds: string[] = [];
for (let i = 0; i < PVDS; i++) {
  const interfaceId = network.addInterface({ displayName: `if${i}`, kind: "ethernet" });
  pvdIds.push(network.addPvd({ interfaceId, fqdn: `pvd${i}.example` }));
}
const api = new MifApi(network);

const sentAt = new Map<string, number>();
const latencies: number[] = [];
let received = 0;
let dropped = 0;
let expected = 0;
let running = true;

const consumers = Array.from({ length: SUBSCRIBERS }, async (_, i) => {
  const s = api.subscribe();
  s.postMessage({ type: "announce-addresses", pvdId: pvdIds[i % PVDS]! });
  while (s.getMessage()); // the initial iteration: nothing yet
  while (running || s.pending > 0) {
    if (!s.checkMessage({ timeout: 0 }) && !(await s.checkMessage())) break;
    const m = s.getMessage()!;
    const now = performance.now();
    if (m.type === "announcements-dropped") dropped += m.count;
    else if (m.type === "address-announcement" || m.type === "no-address-announcement") {
      latencies.push(now - sentAt.get(`${m.type === "address-announcement"}${m.address}`)!);
      received++;
    }
  }
  s.close();
});

const live: string[][] = pvdIds.map(() => []);
let sequence = 0;
const start = performance.now();
// The producer applies each event at its due time and then yields a
// macrotask turn, so that subscribers run between events as they would
// between netlink messages; when it falls behind it catches up one event
// per turn, and the rate printed below says how far it got.
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
while (performance.now() - start < SECONDS * 1000) {
  const due = Math.floor(((performance.now() - start) * RATE) / 1000);
  if (sequence < due) {
    const p = sequence % PVDS;
    const addresses = live[p]!;
    // Alternate: add a new address, or remove the oldest once there are a few.
    const add = addresses.length < 4 || (sequence >> 1) % 2 === 0;
    // Written in canonical form, as the API announces it.
    const address = add
      ? `2001:db8:${(p + 1).toString(16)}::${((sequence % 0xfffe) + 1).toString(16)}`
      : addresses.shift()!;
    sentAt.set(`${add}${address}`, performance.now());
    if (add) {
      addresses.push(address);
      network.addAddress(pvdIds[p]!, { address });
    } else network.removeAddress(pvdIds[p]!, address);
    expected += Math.floor(SUBSCRIBERS / PVDS) + (p < SUBSCRIBERS % PVDS ? 1 : 0);
    sequence++;
  }
  await turn();
}
running = false;
// Wake the consumers that wait in CHECK MESSAGE so that they see the end.
api.close();
await Promise.all(consumers);
const elapsed = (performance.now() - start) / 1000;

latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
const fmt = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;
console.log(`subscribers ${SUBSCRIBERS}, PvDs ${PVDS}, target ${RATE} events/s for ${SECONDS} s`);
console.log(`events applied     ${sequence} (${(sequence / elapsed).toFixed(0)}/s)`);
console.log(`messages delivered ${received} of ${expected} expected (${(received / elapsed).toFixed(0)}/s)`);
console.log(`messages lost      ${expected - received} (announcements-dropped: ${dropped})`);
console.log(
  `CHECK-to-GET       p50 ${fmt(pct(0.5))}  p99 ${fmt(pct(0.99))}  p99.9 ${fmt(pct(0.999))}  max ${fmt(pct(1))}`,
);
if (expected !== received) Deno.exitCode = 1;
