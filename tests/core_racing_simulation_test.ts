/**
 * Races simulated in the WebAssembly core (core-as/racing_simulation.ts)
 * against the same races driven by hand, event by event, through the
 * ConnectionRace binding (core-as/racing.ts): identical times to connect,
 * winners, outcomes, attempts and decisions, for fixed scenarios and for
 * seeded random ones with jitter (the oracle replays the core's PRNG).
 * Then determinism, totals, the percentile helper, errors named for every
 * malformed field, and a bounded fuzz of the raw export.
 */

import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { seededRandom } from "./_random.ts";
import { ConnectionRace, MAX_RACES, type RaceAction, type RaceEvent, type RacePvd } from "../core-as/racing.ts";
import {
  encodeRaceSimulation,
  MAX_RACE_SCENARIOS,
  MAX_SIMULATED_RACES,
  type RaceScenario,
  type SimulatedDestination,
  type SimulatedPvd,
  type SimulatedRaceOutcome,
  simulateEncodedRaces,
  simulateRaces,
} from "../core-as/racing_simulation.ts";
import { coreWasm } from "../core-as/core_wasm.generated.ts";
import { coreMemory } from "../core-as/_abi.ts";

// ---------------------------------------------------------------------------
// The oracle: the simulator's discrete-event loop, written again in
// TypeScript over ConnectionRace, with the core's PRNG and jitter.

interface OracleRace {
  readonly timeToConnect: number;
  readonly end: number;
  readonly pvd: number | undefined;
  readonly outcome: SimulatedRaceOutcome;
  readonly attempts: number;
  readonly scenario: number;
  readonly decisions: number;
  readonly cancelled: number;
}

/** xorshift32 (13, 17, 5) as the core runs it; seed 0 stands for 0x9e3779b9. */
function xorshift(seed: number): () => number {
  let x = seed === 0 ? 0x9e37_79b9 : seed >>> 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const NEVER = 0xffff_ffff;

/** `base` plus a uniform integer in [-j, j] drawn as the core draws it (exact for j < 2^20). */
function jittered(next: () => number, base: number, j: number): number {
  const draw = Math.floor((next() * (2 * j + 1)) / 2 ** 32);
  return Math.min(Math.max(base + draw - j, 0), NEVER - 1);
}

/** Runs `count` races of `scenarios` through ConnectionRace, as simulateRaces runs them. */
function oracle(scenarios: readonly RaceScenario[], count: number, seed: number): OracleRace[] {
  const next = xorshift(seed);
  const total = scenarios.reduce((sum, s) => sum + (s.weight ?? 1), 0);
  const out: OracleRace[] = [];
  for (let i = 0; i < count; i++) {
    let s = 0;
    if (scenarios.length > 1) {
      let pick = Math.floor((next() * total) / 2 ** 32);
      for (; s < scenarios.length - 1; s++) {
        const weight = scenarios[s]!.weight ?? 1;
        if (pick < weight) break;
        pick -= weight;
      }
    }
    out.push({ ...runOne(scenarios[s]!, next), scenario: s });
  }
  return out;
}

function runOne(scenario: RaceScenario, next: () => number): Omit<OracleRace, "scenario"> {
  const jitter = scenario.jitter ?? 0;
  const timeout = scenario.timeout ?? Infinity;
  // Answers in PvD order, A before AAAA; destinations numbered in that order.
  const answers: { at: number; pvd: string; family: 4 | 6; first: number; dests: SimulatedDestination[] }[] = [];
  const dests: SimulatedDestination[] = [];
  scenario.pvds.forEach((p, index) => {
    for (const [family, answer] of [[4, p.ipv4], [6, p.ipv6]] as const) {
      if (answer === undefined) continue;
      answers.push({ at: answer.at, pvd: `p${index}`, family, first: dests.length, dests: [...answer.destinations] });
      dests.push(...answer.destinations);
    }
  });
  const times = answers.map((a) =>
    a.at === Infinity ? Infinity : jitter === 0 ? Math.floor(a.at) : jittered(next, Math.floor(a.at), jitter)
  );
  const latency = dests.map((d) =>
    d.outcome === "black-hole" ? Infinity : jitter === 0 ? (d.after ?? 0) : jittered(next, d.after ?? 0, jitter)
  );
  const pvds: RacePvd[] = scenario.pvds.map((p, index) => ({
    pvd: `p${index}`,
    policy: p.policy ?? "neutral",
    families: [...(p.ipv4 ? [4 as const] : []), ...(p.ipv6 ? [6 as const] : [])],
  }));
  using race = new ConnectionRace(pvds, scenario.options ?? {});
  const indexOf = new Map<string, number>(); // address -> destination index
  const addressOf = (j: number, family: 4 | 6) => {
    const address = family === 6 ? `2001:db8::${(j + 1).toString(16)}` : `203.0.113.${j + 1}`;
    indexOf.set(address, j);
    return address;
  };
  const destOf = new Map<number, number>(); // attempt id -> destination index
  const due = new Map<number, number>(); // attempt id -> outcome time, while in flight
  const startOrder: number[] = [];
  let now = 0;
  let wake = Infinity;
  let decisions = 0;
  let cancelled = 0;
  let result: Omit<OracleRace, "scenario" | "decisions" | "cancelled" | "attempts"> | undefined;
  const carryOut = (actions: readonly RaceAction[], abortOutcome: SimulatedRaceOutcome) => {
    decisions++;
    wake = Infinity;
    for (const action of actions) {
      if (action.kind === "start") {
        const j = indexOf.get(action.address)!;
        destOf.set(action.attempt, j);
        startOrder.push(action.attempt);
        const l = latency[j]!;
        due.set(action.attempt, l === Infinity || now + l >= NEVER ? Infinity : now + l);
      } else if (action.kind === "cancel") {
        due.delete(action.attempt);
        cancelled++;
      } else if (action.kind === "wake") {
        wake = action.at;
      } else if (action.kind === "winner") {
        const reason = action.report.reason as SimulatedRaceOutcome;
        result = { timeToConnect: now, end: now, pvd: Number(action.pvd.slice(1)), outcome: reason };
      } else {
        const reason = action.report.reason;
        result = {
          timeToConnect: Infinity,
          end: now,
          pvd: undefined,
          outcome: reason === "aborted" ? abortOutcome : reason as SimulatedRaceOutcome,
        };
      }
    }
  };
  for (let step = 0; step < 1024; step++) {
    const events: RaceEvent[] = [];
    answers.forEach((a, k) => {
      if (times[k] !== now) return;
      times[k] = Infinity;
      events.push({
        kind: "resolved",
        pvd: a.pvd,
        family: a.family,
        destinations: a.dests.map((_, n) => ({ address: addressOf(a.first + n, a.family), source: "x" })),
      });
    });
    for (const attempt of startOrder) {
      if (due.get(attempt) !== now) continue;
      due.delete(attempt);
      const j = destOf.get(attempt)!;
      events.push({ kind: dests[j]!.outcome === "connect" ? "succeeded" : "failed", attempt });
    }
    if (now === timeout) events.push({ kind: "abort" });
    carryOut(race.step(now, events), "timeout");
    if (result !== undefined) break;
    const pending = [wake, timeout, ...times, ...due.values()];
    const t = Math.min(...pending);
    if (t === Infinity) break;
    now = t;
  }
  if (result === undefined) carryOut(race.abort(now), "stalled");
  return { ...result!, attempts: startOrder.length, decisions, cancelled };
}

/** The simulator's per-race results, in the oracle's shape. */
function simulated(scenarios: readonly RaceScenario[], count: number, seed: number) {
  const result = simulateRaces(scenarios, { races: count, seed });
  const races = Array.from({ length: count }, (_, i) => result.race(i));
  return { result, races };
}

/** Cross-checks `count` races of `scenarios`; returns the simulator's first race. */
function crossCheck(scenarios: RaceScenario | readonly RaceScenario[], count = 1, seed = 1) {
  const list = Array.isArray(scenarios) ? scenarios as readonly RaceScenario[] : [scenarios as RaceScenario];
  const expected = oracle(list, count, seed);
  const { result, races } = simulated(list, count, seed);
  for (let i = 0; i < count; i++) {
    const e = expected[i]!;
    const { decisions: _d, cancelled: _c, ...want } = e;
    assertEquals(races[i], want, `race ${i} of seed ${seed}: ${JSON.stringify(list)}`);
    assertEquals(result.timesToConnect[i], e.timeToConnect);
    assertEquals(result.winners[i], e.pvd ?? -1);
  }
  assertEquals(result.decisions, expected.reduce((n, e) => n + e.decisions, 0), "decisions");
  assertEquals(result.cancelled, expected.reduce((n, e) => n + e.cancelled, 0), "cancelled");
  assertEquals(result.attempts, expected.reduce((n, e) => n + e.attempts, 0), "attempts");
  return races[0]!;
}

const connect = (after: number): SimulatedDestination => ({ outcome: "connect", after });
const refuse = (after: number): SimulatedDestination => ({ outcome: "fail", after });
const hole: SimulatedDestination = { outcome: "black-hole" };

function dual(v6: SimulatedDestination[], v4: SimulatedDestination[], at6 = 10, at4 = 10): SimulatedPvd {
  return { ipv6: { at: at6, destinations: v6 }, ipv4: { at: at4, destinations: v4 } };
}

// ---------------------------------------------------------------------------
// Fixed scenarios, no jitter

Deno.test("racing simulation: healthy dual stack connects over IPv6 first", () => {
  const race = crossCheck({ pvds: [dual([connect(20), connect(20)], [connect(20)])] });
  assertEquals(race, { timeToConnect: 30, end: 30, pvd: 0, outcome: "first", attempts: 1, scenario: 0 });
});

Deno.test("racing simulation: IPv6 black-holed, IPv4 wins one attempt delay later", () => {
  const race = crossCheck({ pvds: [dual([hole], [connect(30)], 10, 12)] });
  // AAAA at 10 starts at once; A's attempt at 10 + 250, connected 30 ms later.
  assertEquals(race.timeToConnect, 290);
  assertEquals(race.outcome, "faster");
  assertEquals(race.attempts, 2);
  const slow = crossCheck({ pvds: [dual([hole], [connect(30)])], options: { attemptDelay: 100 } });
  assertEquals(slow.timeToConnect, 140);
});

Deno.test("racing simulation: every attempt fails", () => {
  const race = crossCheck({ pvds: [dual([refuse(10), refuse(40)], [refuse(5), refuse(20)])] });
  assertEquals(race.outcome, "all-failed");
  assertEquals(race.timeToConnect, Infinity);
  assertEquals(race.pvd, undefined);
  assertEquals(race.attempts, 4);
  // Both negative: no addresses.
  assertEquals(crossCheck({ pvds: [dual([], [])] }).outcome, "no-addresses");
});

Deno.test("racing simulation: AAAA after A, within and after the resolution delay", () => {
  // AAAA 20 ms after A (within 50 ms): IPv6 first.
  const within = crossCheck({ pvds: [dual([connect(30)], [connect(30)], 20, 0)] });
  assertEquals([within.timeToConnect, within.outcome], [50, "first"]);
  // AAAA 80 ms after A: IPv4 starts at 50 ms and wins at 80 + 0.
  const after = crossCheck({ pvds: [dual([connect(30)], [connect(30)], 80, 0)] });
  assertEquals([after.timeToConnect, after.outcome], [80, "first"]);
  // Black-holed IPv4 first at 50 ms, IPv6 joins at 80 and goes next at 300.
  const late = crossCheck({ pvds: [dual([connect(30)], [hole], 80, 0)] });
  assertEquals([late.timeToConnect, late.outcome], [330, "faster"]);
  // AAAA never answers: IPv4 at the resolution delay.
  const never = crossCheck({
    pvds: [{ ipv6: { at: Infinity, destinations: [] }, ipv4: { at: 5, destinations: [connect(10)] } }],
  });
  assertEquals(never.timeToConnect, 65);
});

Deno.test("racing simulation: two PvDs with prefer, avoid and a stagger", () => {
  const wifi: SimulatedPvd = { policy: "avoid", ipv6: { at: 5, destinations: [connect(20)] } };
  const cellular: SimulatedPvd = { policy: "prefer", ipv6: { at: 30, destinations: [connect(100)] } };
  // The preferred one starts first and wins though slower: the avoided one waits 200 ms.
  const race = crossCheck({ pvds: [wifi, cellular], options: { pvdStagger: 200 } });
  assertEquals([race.timeToConnect, race.pvd, race.outcome], [130, 1, "first"]);
  // With a short stagger the avoided one starts at 50 and wins at 70.
  const short = crossCheck({ pvds: [wifi, cellular], options: { pvdStagger: 50 } });
  assertEquals([short.timeToConnect, short.pvd, short.outcome], [70, 0, "faster"]);
  // The preferred one failing lets the avoided one start at once.
  const failing = crossCheck({
    pvds: [wifi, { ...cellular, ipv6: { at: 30, destinations: [refuse(10)] } }],
    options: { pvdStagger: 1_000 },
  });
  assertEquals([failing.timeToConnect, failing.pvd, failing.outcome], [60, 0, "fallback"]);
  // Neutral PvDs side by side.
  crossCheck({ pvds: [dual([hole], [connect(40)]), dual([connect(300)], [connect(35)], 20, 25)] });
});

Deno.test("racing simulation: prohibit and require", () => {
  const fast: SimulatedPvd = { ipv4: { at: 0, destinations: [connect(5)] } };
  const slow: SimulatedPvd = { ipv4: { at: 0, destinations: [connect(50)] } };
  const prohibited = crossCheck({ pvds: [{ ...fast, policy: "prohibit" }, slow] });
  assertEquals([prohibited.timeToConnect, prohibited.pvd], [50, 1]);
  const required = crossCheck({ pvds: [fast, { ...slow, policy: "require" }] });
  assertEquals([required.timeToConnect, required.pvd], [50, 1]);
  assertEquals(crossCheck({ pvds: [{ ...fast, policy: "prohibit" }] }).outcome, "no-eligible-pvd");
  assertEquals(crossCheck({ pvds: [] }).outcome, "no-eligible-pvd");
});

Deno.test("racing simulation: the overall timeout, and races that stall", () => {
  const blackHoles = { pvds: [dual([hole, hole], [hole])] };
  const timedOut = crossCheck({ ...blackHoles, timeout: 1_000 });
  assertEquals([timedOut.outcome, timedOut.end, timedOut.attempts], ["timeout", 1_000, 3]);
  // A connection at the timeout's own instant still counts.
  const atTimeout = crossCheck({ pvds: [dual([connect(90)], [])], timeout: 100 });
  assertEquals([atTimeout.outcome, atTimeout.timeToConnect], ["first", 100]);
  // A timeout before any answer.
  assertEquals(crossCheck({ pvds: [dual([connect(1)], [], 50, 50)], timeout: 0 }).outcome, "timeout");
  // Without a timeout: aborted after the last start (10 + 2 * 250).
  const stalled = crossCheck(blackHoles);
  assertEquals([stalled.outcome, stalled.end], ["stalled", 510]);
  // An answer that never comes keeps the PvD alive: stalled after the last failure.
  const waiting = crossCheck({
    pvds: [{ ipv6: { at: Infinity, destinations: [] }, ipv4: { at: 0, destinations: [refuse(70)] } }],
  });
  assertEquals([waiting.outcome, waiting.end], ["stalled", 120]);
});

Deno.test("racing simulation: family order, attempt delay and outcomes at one instant", () => {
  const many = Array.from({ length: 8 }, () => refuse(0));
  crossCheck({ pvds: [dual(many, many)], options: { firstFamilyCount: 3, preferredFamily: 4 } });
  crossCheck({ pvds: [dual([refuse(100), refuse(100), connect(100)], [refuse(100), connect(400)])] });
  crossCheck({ pvds: [dual([connect(0)], [connect(0)], 0, 0)] });
  crossCheck({ pvds: [dual([refuse(0), connect(0)], [connect(1)], 0, 0)], options: { attemptDelay: 0 } });
  // 64 destinations, the last one connects.
  const sixtyFour = [...Array.from({ length: 63 }, () => refuse(3)), connect(3)];
  const last = crossCheck({ pvds: [{ ipv6: { at: 0, destinations: sixtyFour } }] });
  assertEquals([last.attempts, last.outcome], [64, "fallback"]);
});

// ---------------------------------------------------------------------------
// Seeded random scenarios, with jitter: the oracle replays the PRNG

function randomScenario(int: (n: number) => number): RaceScenario {
  const policies = ["neutral", "neutral", "prefer", "avoid", "prohibit", "require"] as const;
  const outcomes = ["connect", "connect", "fail", "black-hole"] as const;
  let budget = 64;
  const answer = () => {
    const n = Math.min(budget, int(6));
    budget -= n;
    return {
      at: int(10) === 0 ? Infinity : int(150),
      destinations: Array.from({ length: n }, () => ({ outcome: outcomes[int(4)]!, after: int(400) })),
    };
  };
  const pvds: SimulatedPvd[] = Array.from({ length: int(5) }, () => {
    const families = 1 + int(3);
    return {
      policy: policies[int(policies.length)]!,
      ...(families & 1 ? { ipv4: answer() } : {}),
      ...(families & 2 ? { ipv6: answer() } : {}),
    };
  });
  return {
    pvds,
    options: {
      resolutionDelay: int(100),
      attemptDelay: int(400),
      firstFamilyCount: 1 + int(3),
      preferredFamily: int(2) === 0 ? 4 : 6,
      pvdStagger: int(300),
    },
    jitter: int(3) === 0 ? 0 : int(60),
    ...(int(3) === 0 ? { timeout: int(1_500) } : {}),
    weight: 1 + int(5),
  };
}

Deno.test("racing simulation: property: random scenarios with jitter match ConnectionRace race by race", () => {
  const random = seededRandom(8305);
  const int = (n: number) => Math.floor(random() * n);
  const seen = new Set<SimulatedRaceOutcome>();
  for (let round = 0; round < 1_000; round++) {
    const scenarios = Array.from({ length: 1 + int(3) }, () => randomScenario(int));
    const count = 4;
    const expected = oracle(scenarios, count, round);
    const { result, races } = simulated(scenarios, count, round);
    for (let i = 0; i < count; i++) {
      const { decisions: _d, cancelled: _c, ...want } = expected[i]!;
      assertEquals(races[i], want, `round ${round} race ${i}`);
      seen.add(races[i]!.outcome);
    }
    assertEquals(result.decisions, expected.reduce((n, e) => n + e.decisions, 0), `round ${round} decisions`);
    assertEquals(result.cancelled, expected.reduce((n, e) => n + e.cancelled, 0), `round ${round} cancelled`);
  }
  for (const outcome of ["first", "fallback", "faster", "all-failed", "no-addresses", "timeout", "stalled"] as const) {
    assert(seen.has(outcome), `no race ended ${outcome}`);
  }
});

// ---------------------------------------------------------------------------
// Determinism, totals, percentiles

const jittery: RaceScenario = {
  pvds: [dual([connect(30), hole], [connect(45)], 10, 12), {
    policy: "avoid",
    ipv4: { at: 20, destinations: [connect(60)] },
  }],
  options: { pvdStagger: 40 },
  jitter: 25,
};

Deno.test("racing simulation: the same seed gives the same races, another seed others", () => {
  const a = simulateRaces(jittery, { races: 2_000, seed: 42 });
  const b = simulateRaces(jittery, { races: 2_000, seed: 42 });
  const c = simulateRaces(jittery, { races: 2_000, seed: 43 });
  assertEquals([...a.timesToConnect], [...b.timesToConnect]);
  assertEquals([...a.winners], [...b.winners]);
  assertEquals(a.decisions, b.decisions);
  assert([...a.timesToConnect].join() !== [...c.timesToConnect].join(), "seeds 42 and 43 gave the same races");
  // Seed 0 is valid (it stands for a fixed non-zero seed) and so is the largest.
  assertEquals(simulateRaces(jittery, { races: 10, seed: 0 }).races, 10);
  assertEquals(simulateRaces(jittery, { races: 10, seed: 0xffff_ffff }).races, 10);
  // Jitter makes the races differ.
  assert(new Set(a.timesToConnect).size > 20, "jitter gave too few distinct times");
});

Deno.test("racing simulation: totals add up and agree with the kept races", () => {
  const result = simulateRaces([jittery, { pvds: [dual([hole], [refuse(10)])], timeout: 700, weight: 2 }], {
    races: 3_000,
    seed: 9,
  });
  assertEquals(result.races, 3_000);
  assertEquals(result.connected + result.failed, result.races);
  assertEquals(Object.values(result.outcomes).reduce((a, b) => a + b, 0), result.races);
  assertEquals(result.outcomes.first + result.outcomes.fallback + result.outcomes.faster, result.connected);
  let attempts = 0;
  let sum = 0;
  const perScenario = [0, 0];
  for (let i = 0; i < result.races; i++) {
    const race = result.race(i);
    attempts += race.attempts;
    perScenario[race.scenario]!++;
    if (race.timeToConnect !== Infinity) sum += race.timeToConnect;
    assertEquals(race.timeToConnect === Infinity, race.pvd === undefined);
    if (race.scenario === 1) assertEquals(race.outcome, "timeout");
  }
  assertEquals(result.attempts, attempts);
  assertEquals(result.meanTimeToConnect, sum / result.connected);
  assertEquals(result.minTimeToConnect, Math.min(...result.timesToConnect));
  assertEquals(result.maxTimeToConnect, Math.max(...[...result.timesToConnect].filter((t) => t !== Infinity)));
  // Weights 1 : 2.
  assert(perScenario[1]! > 1_850 && perScenario[1]! < 2_150, `scenario split ${perScenario}`);
  assert(result.decisions >= result.races && result.events > result.races && result.actions > result.races);
});

Deno.test("racing simulation: percentiles, exact and from the histogram", () => {
  const all = simulateRaces(jittery, { races: 5_000, seed: 5 });
  const some = simulateRaces(jittery, { races: 5_000, seed: 5, keep: 10 });
  const none = simulateRaces(jittery, { races: 5_000, seed: 5, keep: 0 });
  assertEquals(some.timesToConnect.length, 10);
  assertEquals(none.timesToConnect.length, 0);
  assertEquals([...some.timesToConnect], [...all.timesToConnect.subarray(0, 10)]);
  assertEquals(none.decisions, all.decisions);
  const sorted = [...all.timesToConnect].sort((a, b) => a - b);
  for (const p of [0, 1, 10, 50, 90, 99, 99.9, 100]) {
    const exact = all.percentile(p);
    assertEquals(exact, sorted[Math.max(1, Math.ceil((p / 100) * 5_000)) - 1]);
    const approx = none.percentile(p);
    assert(approx <= exact && approx >= exact * (1 - 1 / 16), `p${p}: ${approx} for ${exact}`);
  }
  // Failures count as Infinity.
  const broken = simulateRaces([jittery, { pvds: [dual([], [])] }], { races: 1_000, seed: 1, keep: 0 });
  assert(broken.failed > 400);
  assertEquals(broken.percentile(99), Infinity);
  assertThrows(() => all.percentile(101), RangeError, "101 is not from 0 to 100");
  assertThrows(() => all.race(5_000), RangeError, "race 5000 is not one of the 5000 kept");
  const empty = simulateRaces({ pvds: [] }, { races: 3 });
  assertEquals([empty.meanTimeToConnect, empty.minTimeToConnect, empty.maxTimeToConnect], [NaN, Infinity, -Infinity]);
});

Deno.test("racing simulation: the scheduler's open races are left alone", () => {
  // Every raceStep slot in use, one race in the middle of its attempts.
  const races = Array.from({ length: MAX_RACES }, () => new ConnectionRace(["a"]));
  const first = races[0]!;
  const [start] = first.resolved(0, {
    pvd: "a",
    family: 6,
    destinations: [{ address: "2001:db8::1", source: "2001:db8::2" }, {
      address: "2001:db8::3",
      source: "2001:db8::2",
    }],
  });
  assert(start?.kind === "start");
  assertEquals(simulateRaces(jittery, { races: 1_000 }).races, 1_000);
  // The race goes on as before, with records (not the simulator's action log).
  const next = first.failed(10, start.attempt);
  assertEquals(next.map((a) => a.kind), ["start"]);
  for (const race of races) race.close();
});

// ---------------------------------------------------------------------------
// Errors

Deno.test("racing simulation: bad scenarios and options are RangeErrors naming the field", () => {
  const ok: RaceScenario = { pvds: [dual([connect(1)], [])] };
  const cases: [() => unknown, string][] = [
    [() => simulateRaces(ok, { races: 0 }), "race count 0 is not an integer from 1 to 16777216"],
    [() => simulateRaces(ok, { races: 1.5 }), "race count 1.5"],
    [() => simulateRaces(ok, { races: MAX_SIMULATED_RACES + 1 }), "race count 16777217"],
    [() => simulateRaces(ok, { races: 1, seed: -1 }), "seed -1"],
    [() => simulateRaces(ok, { races: 1, keep: -1 }), "kept race count -1"],
    [() => simulateRaces([], { races: 1 }), "scenario count 0"],
    [() => simulateRaces(Array(MAX_RACE_SCENARIOS + 1).fill(ok), { races: 1 }), "scenario count 17"],
    [() => simulateRaces({ ...ok, weight: 0 }, { races: 1 }), "scenario 0 weight 0"],
    [() => simulateRaces({ pvds: Array(9).fill(ok.pvds[0]) }, { races: 1 }), "more than 8 provisioning domains"],
    [
      () => simulateRaces({ pvds: [dual(Array(40).fill(hole), Array(25).fill(hole))] }, { races: 1 }),
      "scenario 0 has more than 64 destinations",
    ],
    [() => simulateRaces({ pvds: [{}] }, { races: 1 }), "scenario 0 provisioning domain 0 queries no address family"],
    [
      () => simulateRaces({ pvds: [{ ...ok.pvds[0]!, policy: "maybe" as "avoid" }] }, { races: 1 }),
      `policy "maybe" is not known`,
    ],
    [
      () => simulateRaces({ pvds: [{ ipv4: { at: -1, destinations: [] } }] }, { races: 1 }),
      "A answer time -1 is not a non-negative number or Infinity",
    ],
    [
      () => simulateRaces({ pvds: [{ ipv6: { at: NaN, destinations: [] } }] }, { races: 1 }),
      "AAAA answer time NaN",
    ],
    [
      () =>
        simulateRaces({ pvds: [{ ipv6: { at: 0, destinations: [{ outcome: "maybe" as "fail" }] } }] }, {
          races: 1,
        }),
      `destination 0 outcome "maybe" is not known`,
    ],
    [() => simulateRaces({ pvds: [dual([connect(-5)], [])] }, { races: 1 }), "destination 0 latency -5"],
    [() => simulateRaces({ ...ok, jitter: Infinity }, { races: 1 }), "scenario 0 jitter Infinity"],
    [() => simulateRaces({ ...ok, timeout: 2 ** 32 }, { races: 1 }), "timeout 4294967296 is more than 4294967294"],
    [() => simulateRaces({ ...ok, options: { preferredFamily: 5 as 4 } }, { races: 1 }), "preferred family 5"],
    [() => simulateRaces({ ...ok, options: { firstFamilyCount: 0 } }, { races: 1 }), "first family count 0"],
    [() => simulateRaces({ ...ok, options: { attemptDelay: -1 } }, { races: 1 }), "attempt delay -1"],
  ];
  for (const [call, message] of cases) {
    const error = assertThrows(call, RangeError, message);
    assert(error.message.startsWith("Cannot simulate connection races: "), error.message);
  }
});

/** A valid input: one scenario, one PvD with both families, three destinations. */
function validInput(): Uint8Array {
  return encodeRaceSimulation({
    pvds: [dual([connect(20), hole], [refuse(5)])],
    jitter: 3,
  }, { races: 4, seed: 7 });
}

Deno.test("racing simulation: malformed bytes fail with the field and its offset", () => {
  // Header 0..15, scenario 16..43, PvD 44..63 (A answer at 48, AAAA at 56),
  // destinations 64..87 (A's first).
  const cases: [(b: Uint8Array, v: DataView) => Uint8Array | void, ErrorConstructor, string, number][] = [
    [(b) => b.subarray(0, 10), SyntaxError, "input ends inside the entry at offset 0", 0],
    [(b) => b.subarray(0, 40), SyntaxError, "input ends inside the entry at offset 16", 16],
    [(b) => b.subarray(0, 50), SyntaxError, "input ends inside the entry at offset 44", 44],
    [(b) => b.subarray(0, 80), SyntaxError, "input ends inside the entry at offset 64", 64],
    [(b) => Uint8Array.of(...b, 0), RangeError, "bytes at offset 88 follow the last scenario", 88],
    [(_, v) => v.setUint32(0, 0, true), RangeError, "race count is 0 or more than 16777216", 0],
    [(_, v) => v.setUint32(0, MAX_SIMULATED_RACES + 1, true), RangeError, "race count is 0", 0],
    [(b) => void (b[12] = 0), RangeError, "scenario count is 0 or more than 16", 12],
    [(b) => void (b[12] = 17), RangeError, "scenario count is 0 or more than 16", 12],
    [(b) => void (b[14] = 1), RangeError, "reserved field at offset 13 is not zero", 13],
    [(_, v) => v.setUint16(16, 0, true), RangeError, "scenario at offset 16 has weight 0", 16],
    [(b) => void (b[18] = 9), RangeError, "provisioning domains at offset 18 is more than 8", 18],
    [(b) => void (b[19] = 65), RangeError, "destinations at offset 19 is more than 64", 19],
    [(b) => void (b[19] = 2), RangeError, "destination counts at offset 60 do not add up", 60],
    [(b) => void (b[19] = 4), RangeError, "destination counts at offset 19 do not add up", 19],
    [(b) => void (b[41] = 5), RangeError, "preferred family at offset 41 is not 4 or 6", 41],
    [(b) => void (b[42] = 1), RangeError, "reserved field at offset 42 is not zero", 42],
    [(b) => void (b[44] = 5), RangeError, "provisioning domain at offset 44 has an unknown policy", 44],
    [(b) => void (b[45] = 0), RangeError, "provisioning domain at offset 44 has an unknown policy or no address", 44],
    [(b) => void (b[47] = 1), RangeError, "reserved field at offset 46 is not zero", 46],
    [(b) => void (b[45] = 2), RangeError, "answer at offset 48 is for a family that is not queried", 48],
    [(b) => void (b[54] = 1), RangeError, "reserved field at offset 53 is not zero", 53],
    [(b) => void (b[52] = 4), RangeError, "destination counts at offset 52 do not add up", 52],
    [(b) => void (b[64] = 4), RangeError, "destination at offset 64 has an unknown outcome", 64],
    [(b) => void (b[72] = 0), RangeError, "destination at offset 72 has an unknown outcome", 72],
    [(b) => void (b[67] = 1), RangeError, "reserved field at offset 65 is not zero", 65],
  ];
  for (const [mutate, type, message, offset] of cases) {
    const input = validInput();
    const changed = mutate(input, new DataView(input.buffer)) ?? input;
    const error = assertThrows(() => simulateEncodedRaces(changed), type, message);
    assertEquals((error.cause as { offset: number }).offset, offset, message);
    assert(error.message.startsWith("Cannot simulate connection races: "), error.message);
  }
  // The unmutated input runs.
  assertEquals(simulateEncodedRaces(validInput()).races, 4);
});

Deno.test("racing simulation: the binding's detail messages mirror the core's detail ids", async () => {
  const core = await Deno.readTextFile(new URL("../core-as/assembly/racing_simulation.ts", import.meta.url));
  const binding = await Deno.readTextFile(new URL("../core-as/racing_simulation.ts", import.meta.url));
  const ids = [...core.matchAll(/DETAIL_SIM_\w+: u32 = (0x6[0-9a-f]{2});/g)].map((m) => m[1]!);
  assertEquals(ids.length, 13);
  for (const id of ids) {
    assert(Number(id) >= 0x620 && Number(id) <= 0x63f, `${id} outside 0x620..0x63f`);
    assert(binding.includes(`  ${id}: (`), `no message for ${id}`);
  }
});

Deno.test("racing simulation: fuzz: the raw export never traps, errors name their field", () => {
  const random = seededRandom(1_000_003);
  const int = (n: number) => Math.floor(random() * n);
  const seeds = Array.from({ length: 24 }, () =>
    encodeRaceSimulation(
      Array.from({ length: 1 + int(3) }, () => randomScenario(int)),
      { races: 1 + int(8), seed: int(1_000), keep: int(10) },
    ));
  let accepted = 0;
  let rejected = 0;
  for (let i = 0; i < 5_000; i++) {
    let input: Uint8Array;
    const kind = int(4);
    if (kind === 0) {
      input = new Uint8Array(int(200));
      for (let k = 0; k < input.length; k++) input[k] = int(256);
      if (input.length >= 16 && int(2) === 0) input.set([1 + int(4), 0, 0, 0], 0);
    } else {
      input = seeds[int(seeds.length)]!.slice();
      for (let m = 1 + int(4); m > 0; m--) {
        const r = int(10);
        if (r < 6 && input.length > 0) input[int(input.length)] = int(3) === 0 ? 0 : int(256);
        else if (r < 8) input = input.subarray(0, int(input.length + 1));
        else input = Uint8Array.of(...input, ...Array.from({ length: 1 + int(20) }, () => int(256)));
      }
    }
    // Keep the run short: at most 64 races per input, unless the count is invalid anyway.
    if (input.length >= 4) {
      const v = new DataView(input.buffer, input.byteOffset, input.length);
      const races = v.getUint32(0, true);
      if (races > 64 && races <= MAX_SIMULATED_RACES) v.setUint32(0, 1 + (races % 64), true);
    }
    // The raw export: a status, never a trap.
    const ptr = coreWasm.reserveInput(input.length) >>> 0;
    assert(ptr !== 0);
    coreMemory(coreWasm).bytes.set(input, ptr);
    const status = coreWasm.simulateRaces(input.length);
    assert(status >= -7 && status !== -6, `status ${status}`);
    // The binding: a result, or an error that names what is wrong.
    try {
      const result = simulateEncodedRaces(input);
      accepted++;
      const v = new DataView(input.buffer, input.byteOffset, input.length);
      assertEquals(result.races, v.getUint32(0, true));
      assertEquals(result.timesToConnect.length, Math.min(v.getUint32(8, true), result.races));
      assertEquals(result.connected + result.failed, result.races);
      assertEquals(Object.values(result.outcomes).reduce((a, b) => a + b, 0), result.races);
      assert(result.decisions >= result.races);
    } catch (error) {
      rejected++;
      assert(error instanceof SyntaxError || error instanceof RangeError, String(error));
      assert(error.message.startsWith("Cannot simulate connection races: "), error.message);
      // A detail message, not the generic text of the error code.
      assert(
        !/(truncated input|value out of range|bad length|invalid value) at offset/.test(error.message),
        error.message,
      );
    }
  }
  assert(accepted > 500 && rejected > 2_000, `${accepted} accepted, ${rejected} rejected`);
});
