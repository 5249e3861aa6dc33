// The connection racing cases, shared by racing_bench.ts (deno bench) and
// racing_report.ts (races/s, ns per decision). Every case runs RACES races
// per call of `run`, which returns the scheduler decisions they took:
//   - "ConnectionRace binding": each race opened, stepped and closed through
//     core-as/racing.ts, the way a host drives it (events in, actions out as
//     objects), scripted for the scenario;
//   - "raw raceStep export": the same races through the raw export, input
//     bytes prepared once, only the race id and attempt id patched in, and
//     only the record words the host needs read back;
//   - "simulateRaces": all RACES races in one call into the core
//     (core-as/racing_simulation.ts), per-race results decoded (or, "keep
//     0", the totals and histogram only).
// A decision is one scheduler step (one raceStep OP_EVENTS call, one
// ConnectionRace.step, one step of the in-core simulator): the binding and
// raw paths take 3 per healthy race (AAAA, A, connected) and 4 per
// black-holed one (AAAA, A, the wake-up, connected); the simulator takes
// one more, its step at time 0.

import { ConnectionRace } from "../core-as/racing.ts";
import { type RaceScenario, simulateRaces } from "../core-as/racing_simulation.ts";
import { coreWasm } from "../core-as/core_wasm.generated.ts";
import { coreMemory } from "../core-as/_abi.ts";

/** Races per call of a case's `run`. */
export const RACES = 10_000;

/** One benchmark case. */
export interface RacingCase {
  readonly group: string;
  readonly name: string;
  /** Runs RACES races; returns the decisions they took. */
  readonly run: () => number;
}

const V6 = [
  { address: "2001:db8:c::80", source: "2001:db8:a::100" },
  { address: "2001:db8:c::81", source: "2001:db8:a::100" },
];
const V4 = [
  { address: "203.0.113.80", source: "192.0.2.100" },
  { address: "203.0.113.81", source: "192.0.2.100" },
];

/** One PvD, both families, AAAA at 10 ms and A at 12 ms; every server connects in 20 ms. */
export const HEALTHY: RaceScenario = {
  pvds: [{
    pvd: "isp.example",
    ipv6: { at: 10, destinations: [{ outcome: "connect", after: 20 }, { outcome: "connect", after: 20 }] },
    ipv4: { at: 12, destinations: [{ outcome: "connect", after: 20 }, { outcome: "connect", after: 20 }] },
  }],
};

/** The same, IPv6 black-holed: IPv4 starts one attempt delay (250 ms) after IPv6 and connects in 30 ms. */
export const V6_BLACK_HOLE: RaceScenario = {
  pvds: [{
    pvd: "isp.example",
    ipv6: { at: 10, destinations: [{ outcome: "black-hole" }, { outcome: "black-hole" }] },
    ipv4: { at: 12, destinations: [{ outcome: "connect", after: 30 }, { outcome: "connect", after: 30 }] },
  }],
};

/**
 * A host with Wi-Fi (preferred) and cellular (avoided, 100 ms behind), ±10
 * ms jitter, a 5 s timeout: 80 % healthy, 15 % with IPv6 black-holed on
 * Wi-Fi, 5 % with Wi-Fi dead (every attempt refused), cellular winning.
 */
export const TWO_PVDS: readonly RaceScenario[] = (() => {
  const cellular = {
    pvd: "cellular.example",
    policy: "avoid" as const,
    ipv6: { at: 40, destinations: [{ outcome: "connect" as const, after: 90 }] },
    ipv4: { at: 45, destinations: [{ outcome: "connect" as const, after: 80 }] },
  };
  const wifi = (v6: "connect" | "black-hole" | "fail", v4: "connect" | "fail") => ({
    pvd: "wifi.example",
    policy: "prefer" as const,
    ipv6: { at: 8, destinations: [{ outcome: v6, after: 25 }, { outcome: v6, after: 25 }] },
    ipv4: { at: 9, destinations: [{ outcome: v4, after: 22 }, { outcome: v4, after: 22 }] },
  });
  const common = { options: { pvdStagger: 100 }, jitter: 10, timeout: 5_000 };
  return [
    { pvds: [wifi("connect", "connect"), cellular], weight: 80, ...common },
    { pvds: [wifi("black-hole", "connect"), cellular], weight: 15, ...common },
    { pvds: [wifi("fail", "fail"), cellular], weight: 5, ...common },
  ];
})();

// ---------------------------------------------------------------------------
// ConnectionRace, scripted per scenario

function bindingHealthy(): number {
  const race = new ConnectionRace(["isp.example"]);
  const [start] = race.resolved(10, { pvd: "isp.example", family: 6, destinations: V6 });
  race.resolved(12, { pvd: "isp.example", family: 4, destinations: V4 });
  if (start?.kind !== "start") throw new Error("no start");
  const [winner] = race.succeeded(30, start.attempt);
  race.close();
  if (winner?.kind !== "winner") throw new Error("no winner");
  return 3;
}

function bindingBlackHole(): number {
  const race = new ConnectionRace(["isp.example"]);
  race.resolved(10, { pvd: "isp.example", family: 6, destinations: V6 });
  const [wake] = race.resolved(12, { pvd: "isp.example", family: 4, destinations: V4 });
  if (wake?.kind !== "wake") throw new Error("no wake-up");
  const [start] = race.tick(wake.at);
  if (start?.kind !== "start") throw new Error("no start");
  const end = race.succeeded(wake.at + 30, start.attempt);
  race.close();
  if (end.at(-1)?.kind !== "winner") throw new Error("no winner");
  return 4;
}

// ---------------------------------------------------------------------------
// The raw export, bytes prepared once

const TAG_START = 0x0602;
const TAG_WINNER = 0x0604;
const TAG_WAKE = 0x0606;

function openInput(): Uint8Array {
  const b = new Uint8Array(16 + 16 + 4);
  const v = new DataView(b.buffer);
  b[0] = 1; // OP_OPEN
  v.setUint32(12, 1, true); // one PvD
  v.setUint32(16, 50, true); // resolution delay
  v.setUint32(20, 250, true); // attempt delay
  b[28] = 1; // first family count
  b[29] = 6; // preferred family
  b[32] = 0; // neutral
  b[33] = 3; // A and AAAA
  return b;
}

/** OP_EVENTS at `now`: the answer of `family` with `count` addresses (handles from `handle`). */
function answerInput(now: number, family: 4 | 6, count: number, handle: number): Uint8Array {
  const b = new Uint8Array(16 + 8 * (count + 1));
  const v = new DataView(b.buffer);
  b[0] = 2; // OP_EVENTS
  v.setUint32(8, now, true);
  v.setUint32(12, count + 1, true);
  for (let i = 0; i <= count; i++) {
    const at = 16 + 8 * i;
    b[at] = i < count ? 1 : 2; // EV_ADDRESS ... EV_RESOLVED
    b[at + 2] = family;
    if (i < count) v.setUint32(at + 4, handle + i, true);
  }
  return b;
}

function eventInput(now: number, type: number): Uint8Array {
  const b = new Uint8Array(16 + 8 * (type === 0 ? 0 : 1));
  const v = new DataView(b.buffer);
  b[0] = 2;
  v.setUint32(8, now, true);
  v.setUint32(12, type === 0 ? 0 : 1, true);
  if (type !== 0) b[16] = type;
  return b;
}

const OPEN = openInput();
const CLOSE = Uint8Array.of(3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

/** Writes `input` (with the race id and, for one event, the attempt id) and calls raceStep; returns the result's word offset. */
function step(input: Uint8Array, id: number, attempt = -1): number {
  const ptr = coreWasm.reserveInput(input.length) >>> 0;
  const { bytes, view } = coreMemory(coreWasm);
  bytes.set(input, ptr);
  if (input[0] !== 1) view.setUint32(ptr + 4, id, true);
  if (attempt >= 0) view.setUint32(ptr + 20, attempt, true);
  const status = coreWasm.raceStep(input.length);
  if (status < 0) throw new Error(`raceStep failed: ${status}`);
  return coreWasm.resultPtr() >>> 0;
}

function word(at: number): number {
  return coreMemory(coreWasm).view.getUint32(at, true);
}

const HEALTHY_V6 = answerInput(10, 6, 2, 0);
const HEALTHY_V4 = answerInput(12, 4, 2, 2);
const SUCCEEDED_30 = eventInput(30, 3);

function rawHealthy(): number {
  const id = word(step(OPEN, 0) + 12);
  const r = step(HEALTHY_V6, id);
  if ((word(r) & 0xffff) !== TAG_START) throw new Error("no start");
  const attempt = word(r + 4);
  step(HEALTHY_V4, id);
  const w = step(SUCCEEDED_30, id, attempt);
  if ((word(w) & 0xffff) !== TAG_WINNER) throw new Error("no winner");
  step(CLOSE, id);
  return 3;
}

const TICK_260 = eventInput(260, 0);
const SUCCEEDED_290 = eventInput(290, 3);

function rawBlackHole(): number {
  const id = word(step(OPEN, 0) + 12);
  step(HEALTHY_V6, id);
  const w = step(HEALTHY_V4, id);
  if ((word(w) & 0xffff) !== TAG_WAKE || word(w + 12) !== 260) throw new Error("no wake-up at 260");
  const s = step(TICK_260, id);
  if ((word(s) & 0xffff) !== TAG_START) throw new Error("no start");
  const attempt = word(s + 4);
  const end = step(SUCCEEDED_290, id, attempt);
  // The cancel of the IPv6 attempt, then the winner.
  if ((word(end + 24) & 0xffff) !== TAG_WINNER) throw new Error("no winner");
  step(CLOSE, id);
  return 4;
}

function times(race: () => number): () => number {
  return () => {
    let decisions = 0;
    for (let i = 0; i < RACES; i++) decisions += race();
    return decisions;
  };
}

let seed = 1;

function simulated(scenario: RaceScenario | readonly RaceScenario[], keep?: number): () => number {
  const options = keep === undefined ? { races: RACES } : { races: RACES, keep };
  // A new seed per call, as a caller running batches would.
  return () => simulateRaces(scenario, { ...options, seed: seed++ }).decisions;
}

/** The cases, in the order they are reported. */
export function racingCases(): RacingCase[] {
  // The paths must agree before their speed means anything.
  const healthy = simulateRaces(HEALTHY, { races: 1 }).race(0);
  const blackHole = simulateRaces(V6_BLACK_HOLE, { races: 1 }).race(0);
  if (healthy.timeToConnect !== 30 || blackHole.timeToConnect !== 290) throw new Error("unexpected simulation");
  bindingHealthy();
  bindingBlackHole();
  rawHealthy();
  rawBlackHole();
  const h = `healthy dual stack, ${RACES.toLocaleString("en")} races`;
  const b = `IPv6 black-holed, ${RACES.toLocaleString("en")} races`;
  const m = `two PvDs, 3 scenarios mixed, jitter, ${RACES.toLocaleString("en")} races`;
  return [
    { group: h, name: "ConnectionRace binding", run: times(bindingHealthy) },
    { group: h, name: "raw raceStep export", run: times(rawHealthy) },
    { group: h, name: "simulateRaces", run: simulated(HEALTHY) },
    { group: h, name: "simulateRaces, keep 0", run: simulated(HEALTHY, 0) },
    { group: b, name: "ConnectionRace binding", run: times(bindingBlackHole) },
    { group: b, name: "raw raceStep export", run: times(rawBlackHole) },
    { group: b, name: "simulateRaces", run: simulated(V6_BLACK_HOLE) },
    { group: m, name: "simulateRaces", run: simulated(TWO_PVDS) },
    { group: m, name: "simulateRaces, keep 0", run: simulated(TWO_PVDS, 0) },
  ];
}
