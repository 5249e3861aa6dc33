/**
 * The connection racing scheduler (core-as/racing.ts) in virtual time: RFC
 * 8305 timing inside a PvD, the policy across PvDs, outcomes and reports,
 * a seeded property test over many races and a bounded fuzz of the raw
 * export. No sockets, no sleeps.
 */

import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { seededRandom } from "./_random.ts";
import {
  ConnectionRace,
  MAX_RACE_DESTINATIONS,
  MAX_RACES,
  type RaceAction,
  type RaceDestination,
  type RaceOptions,
  type RacePvd,
} from "../core-as/racing.ts";
import { coreWasm } from "../core-as/core_wasm.generated.ts";
import { coreMemory } from "../core-as/_abi.ts";

const V6 = (n: number): RaceDestination => ({ address: `2001:db8::${n}`, source: "2001:db8::ff" });
const V4 = (n: number): RaceDestination => ({ address: `203.0.113.${n}`, source: "192.0.2.100" });

/** Actions as short strings: `start 2001:db8::1@0`, `wake 250`, `cancel 0`, ... */
function brief(actions: readonly RaceAction[]): string[] {
  return actions.map((a) => {
    switch (a.kind) {
      case "start":
        return `start ${a.address}@${a.at}`;
      case "cancel":
        return `cancel ${a.address}`;
      case "wake":
        return `wake ${a.at}`;
      case "winner":
        return `winner ${a.address} ${a.report.reason}`;
      case "failure":
        return `failure ${a.report.reason}`;
    }
  });
}

function startOf(actions: readonly RaceAction[], address: string): number {
  const start = actions.find((a) => a.kind === "start" && a.address === address);
  assert(start !== undefined && start.kind === "start", `no start of ${address}`);
  return start.attempt;
}

// ---------------------------------------------------------------------------
// RFC 8305 inside one PvD

Deno.test("racing: attempts start one connection attempt delay apart and stay in flight", () => {
  using race = new ConnectionRace(["a"]);
  assertEquals(brief(race.resolved(0, { pvd: "a", family: 6, destinations: [V6(1), V6(2), V6(3)] })), [
    "start 2001:db8::1@0",
    "wake 250",
  ]);
  assertEquals(brief(race.resolved(1, { pvd: "a", family: 4, destinations: [] })), ["wake 250"]);
  assertEquals(brief(race.tick(100)), ["wake 250"]);
  assertEquals(brief(race.tick(250)), ["start 2001:db8::2@250", "wake 500"]);
  assertEquals(brief(race.tick(500)), ["start 2001:db8::3@500"]);
  // Nothing left to start and nothing aborted at the delay (unlike Node).
  assertEquals(brief(race.tick(5_000)), []);
  assertEquals(brief(race.succeeded(6_000, 1)), [
    "cancel 2001:db8::1",
    "cancel 2001:db8::3",
    "winner 2001:db8::2 faster",
  ]);
});

Deno.test("racing: a failure starts the next attempt at once", () => {
  using race = new ConnectionRace([{ pvd: "a", families: [6] }]);
  race.resolved(0, { pvd: "a", family: 6, destinations: [V6(1), V6(2), V6(3)] });
  assertEquals(brief(race.failed(40, 0)), ["start 2001:db8::2@40", "wake 290"]);
  // The delay counts from the last start.
  assertEquals(brief(race.tick(290)), ["start 2001:db8::3@290"]);
  assertEquals(brief(race.failed(300, 1)), []);
  const end = race.failed(310, 2);
  assertEquals(brief(end), ["failure all-failed"]);
  const report = race.report!;
  assertEquals(report.attempts.map((a) => [a.address, a.start, a.end, a.result]), [
    ["2001:db8::1", 0, 40, "failed"],
    ["2001:db8::2", 40, 300, "failed"],
    ["2001:db8::3", 290, 310, "failed"],
  ]);
  assertEquals(report.why, "all 3 attempts failed");
});

Deno.test("racing: two failures at once start two attempts", () => {
  using race = new ConnectionRace([{ pvd: "a", families: [6] }]);
  race.resolved(0, { pvd: "a", family: 6, destinations: [V6(1), V6(2), V6(3), V6(4)] });
  race.tick(250);
  assertEquals(brief(race.step(260, [{ kind: "failed", attempt: 0 }, { kind: "failed", attempt: 1 }])), [
    "start 2001:db8::3@260",
    "start 2001:db8::4@260",
  ]);
});

Deno.test("racing: resolution delay waits for AAAA after A, up to 50 ms", () => {
  // AAAA within the delay: IPv6 first.
  {
    using race = new ConnectionRace(["a"]);
    assertEquals(brief(race.resolved(0, { pvd: "a", family: 4, destinations: [V4(1)] })), ["wake 50"]);
    assertEquals(brief(race.resolved(20, { pvd: "a", family: 6, destinations: [V6(1)] })), [
      "start 2001:db8::1@20",
      "wake 270",
    ]);
    assertEquals(brief(race.tick(270)), ["start 203.0.113.1@270"]);
  }
  // AAAA late: IPv4 at 50 ms, IPv6 joins when it arrives and goes next.
  {
    using race = new ConnectionRace(["a"]);
    race.resolved(0, { pvd: "a", family: 4, destinations: [V4(1), V4(2)] });
    assertEquals(brief(race.tick(50)), ["start 203.0.113.1@50", "wake 300"]);
    assertEquals(brief(race.resolved(100, { pvd: "a", family: 6, destinations: [V6(1)] })), ["wake 300"]);
    assertEquals(brief(race.tick(300)), ["start 2001:db8::1@300", "wake 550"]);
    assertEquals(brief(race.tick(550)), ["start 203.0.113.2@550"]);
  }
  // A negative AAAA answer ends the wait.
  {
    using race = new ConnectionRace(["a"]);
    race.resolved(0, { pvd: "a", family: 4, destinations: [V4(1)] });
    assertEquals(brief(race.resolved(10, { pvd: "a", family: 6, destinations: [] })), ["start 203.0.113.1@10"]);
  }
  // A configured delay; and no wait at all when only A is asked.
  {
    using race = new ConnectionRace(["a"], { resolutionDelay: 0 });
    assertEquals(brief(race.resolved(0, { pvd: "a", family: 4, destinations: [V4(1)] })), ["start 203.0.113.1@0"]);
  }
  {
    using race = new ConnectionRace([{ pvd: "a", families: [4] }]);
    assertEquals(brief(race.resolved(7, { pvd: "a", family: 4, destinations: [V4(1)] })), ["start 203.0.113.1@7"]);
  }
});

/** The order attempts start in when every one fails at once. */
function startOrder(options: RaceOptions, v6: number, v4: number): string[] {
  using race = new ConnectionRace(["a"], options);
  const six = Array.from({ length: v6 }, (_, i) => V6(i + 1));
  const four = Array.from({ length: v4 }, (_, i) => V4(i + 1));
  let actions = race.step(0, [
    { kind: "resolved", pvd: "a", family: 6, destinations: six },
    { kind: "resolved", pvd: "a", family: 4, destinations: four },
  ]);
  const order: string[] = [];
  for (let t = 1; t < 100; t++) {
    const start = actions.find((a) => a.kind === "start");
    if (start === undefined || start.kind !== "start") break;
    order.push(start.address);
    actions = race.failed(t, start.attempt);
  }
  return order;
}

Deno.test("racing: address families interleave after the first family count", () => {
  assertEquals(startOrder({}, 3, 3), [
    "2001:db8::1",
    "203.0.113.1",
    "2001:db8::2",
    "203.0.113.2",
    "2001:db8::3",
    "203.0.113.3",
  ]);
  assertEquals(startOrder({ firstFamilyCount: 2 }, 3, 3), [
    "2001:db8::1",
    "2001:db8::2",
    "203.0.113.1",
    "2001:db8::3",
    "203.0.113.2",
    "203.0.113.3",
  ]);
  assertEquals(startOrder({ preferredFamily: 4 }, 2, 3), [
    "203.0.113.1",
    "2001:db8::1",
    "203.0.113.2",
    "2001:db8::2",
    "203.0.113.3",
  ]);
  // One family only.
  assertEquals(startOrder({}, 0, 2), ["203.0.113.1", "203.0.113.2"]);
});

Deno.test("racing: the connection attempt delay is clamped to 10 ms .. 2 s", () => {
  const cases: [number, number][] = [[0, 10], [1, 10], [10, 10], [100, 100], [2_000, 2_000], [60_000, 2_000]];
  for (const [given, used] of cases) {
    using race = new ConnectionRace([{ pvd: "a", families: [6] }], { attemptDelay: given });
    assertEquals(brief(race.resolved(0, { pvd: "a", family: 6, destinations: [V6(1), V6(2)] })), [
      "start 2001:db8::1@0",
      `wake ${used}`,
    ]);
  }
});

Deno.test("racing: times are the caller's clock", () => {
  using race = new ConnectionRace([{ pvd: "a", families: [6] }], { now: 1_000_000 });
  const actions = race.resolved(1_000_005, { pvd: "a", family: 6, destinations: [V6(1), V6(2)] });
  assertEquals(brief(actions), ["start 2001:db8::1@1000005", "wake 1000255"]);
  race.succeeded(1_000_020, 0);
  assertEquals(race.report!.attempts[0]!.start, 1_000_005);
  assertEquals(race.report!.attempts[0]!.end, 1_000_020);
});

// ---------------------------------------------------------------------------
// Across PvDs

const answerAll = (pvds: readonly string[]) =>
  pvds.flatMap((pvd, i) => [
    { kind: "resolved" as const, pvd, family: 6 as const, destinations: [V6(i + 1)] },
    { kind: "resolved" as const, pvd, family: 4 as const, destinations: [] },
  ]);

Deno.test("racing: a prohibited PvD is never used, a required one is the only one", () => {
  {
    using race = new ConnectionRace(["a", { pvd: "b", policy: "prohibit" }, "c"]);
    const actions = race.step(0, answerAll(["a", "b", "c"]));
    assertEquals(brief(actions), ["start 2001:db8::1@0", "start 2001:db8::3@0"]);
    assertEquals(brief(race.step(10, [{ kind: "failed", attempt: 0 }, { kind: "failed", attempt: 2 }])), [
      "failure all-failed",
    ]);
    assert(race.report!.attempts.every((a) => a.pvd !== "b"));
  }
  {
    using race = new ConnectionRace(["a", { pvd: "b", policy: "require" }, { pvd: "c", policy: "prefer" }]);
    assertEquals(brief(race.step(0, answerAll(["a", "b", "c"]))), ["start 2001:db8::2@0"]);
    assertEquals(brief(race.failed(5, 1)), ["failure all-failed"]);
    assertEquals(race.report!.attempts.map((a) => a.pvd), ["b"]);
  }
  {
    using race = new ConnectionRace([{ pvd: "a", policy: "prohibit" }]);
    assertEquals(brief(race.tick(0)), ["failure no-eligible-pvd"]);
  }
});

Deno.test("racing: prefer goes first and avoid last, a stagger apart", () => {
  using race = new ConnectionRace(
    [{ pvd: "a", policy: "avoid" }, "b", { pvd: "c", policy: "prefer" }],
    { pvdStagger: 100 },
  );
  assertEquals(brief(race.step(0, answerAll(["a", "b", "c"]))), ["start 2001:db8::3@0", "wake 100"]);
  assertEquals(brief(race.tick(100)), ["start 2001:db8::2@100", "wake 200"]);
  assertEquals(brief(race.tick(200)), ["start 2001:db8::1@200"]);
  // Attempt ids are the order destinations were given in: a's is 0.
  assertEquals(brief(race.succeeded(210, 0)), [
    "cancel 2001:db8::2",
    "cancel 2001:db8::3",
    "winner 2001:db8::1 faster",
  ]);
  assertEquals(race.report!.overtaken, 2);
});

Deno.test("racing: the next PvD starts at once when every earlier one has failed", () => {
  using race = new ConnectionRace(["a", "b"], { pvdStagger: 1_000 });
  assertEquals(brief(race.step(0, answerAll(["a", "b"]))), ["start 2001:db8::1@0", "wake 1000"]);
  assertEquals(brief(race.failed(30, 0)), ["start 2001:db8::2@30"]);
  assertEquals(brief(race.succeeded(50, 1)), ["winner 2001:db8::2 fallback"]);
  assertEquals(
    race.report!.why,
    "attempt 1 to 2001:db8::2 from 2001:db8::ff in b succeeded after every attempt started before it had failed",
  );
});

Deno.test("racing: PvDs run Happy Eyeballs side by side", () => {
  using race = new ConnectionRace(["a", "b"]);
  const actions = race.step(0, [
    { kind: "resolved", pvd: "a", family: 6, destinations: [V6(1), V6(2)] },
    { kind: "resolved", pvd: "a", family: 4, destinations: [] },
    { kind: "resolved", pvd: "b", family: 4, destinations: [V4(1), V4(2)] },
  ]);
  // b waits for its AAAA answer, a starts at once.
  assertEquals(brief(actions), ["start 2001:db8::1@0", "wake 50"]);
  assertEquals(brief(race.tick(50)), ["start 203.0.113.1@50", "wake 250"]);
  assertEquals(brief(race.tick(250)), ["start 2001:db8::2@250", "wake 300"]);
  assertEquals(brief(race.tick(300)), ["start 203.0.113.2@300"]);
});

// ---------------------------------------------------------------------------
// Outcomes

Deno.test("racing: the winner cancels the losers and reports why", () => {
  using race = new ConnectionRace(["a"]);
  const first = race.step(0, [
    { kind: "resolved", pvd: "a", family: 6, destinations: [V6(1)] },
    { kind: "resolved", pvd: "a", family: 4, destinations: [V4(1)] },
  ]);
  const six = startOf(first, "2001:db8::1");
  const second = race.tick(250);
  const four = startOf(second, "203.0.113.1");
  const end = race.succeeded(260, six);
  assertEquals(brief(end), ["cancel 203.0.113.1", "winner 2001:db8::1 first"]);
  const winner = end[1]!;
  assert(winner.kind === "winner");
  assertEquals(winner.report.outcome, "connected");
  assertEquals(winner.report.winner, six);
  assertEquals(winner.report.attempts.map((a) => [a.attempt, a.family, a.start, a.end, a.result]), [
    [six, 6, 0, 260, "succeeded"],
    [four, 4, 250, 260, "cancelled"],
  ]);
  assertEquals(
    winner.report.why,
    "attempt 0 to 2001:db8::1 from 2001:db8::ff in a was the first started and succeeded",
  );
  // Nothing after the race.
  assert(race.over);
  assertEquals(race.tick(300), []);
  assertEquals(race.abort(400), []);
});

Deno.test("racing: failure reasons", () => {
  {
    using race = new ConnectionRace(["a"]);
    race.resolved(0, { pvd: "a", family: 6, destinations: [] });
    assertEquals(brief(race.resolved(5, { pvd: "a", family: 4, destinations: [] })), ["failure no-addresses"]);
    assertEquals(race.report!.attempts, []);
  }
  {
    using race = new ConnectionRace(["a"]);
    race.resolved(0, { pvd: "a", family: 6, destinations: [V6(1)] });
    const end = race.abort(10);
    assertEquals(brief(end), ["cancel 2001:db8::1", "failure aborted"]);
    assertEquals(race.report!.attempts.map((a) => a.result), ["cancelled"]);
  }
  {
    using race = new ConnectionRace([]);
    assertEquals(brief(race.tick(0)), ["failure no-eligible-pvd"]);
  }
});

Deno.test("racing: misuse is a RangeError and changes nothing", () => {
  using race = new ConnectionRace(["a"]);
  race.resolved(10, { pvd: "a", family: 6, destinations: [V6(1)] });
  assertThrows(() => race.tick(5), RangeError, "before the last event");
  assertThrows(() => race.succeeded(20, 7), RangeError, "attempt 7 is not in flight");
  assertThrows(() => race.resolved(20, { pvd: "z", family: 4, destinations: [] }), RangeError, "not in the race");
  assertThrows(() => race.resolved(20, { pvd: "a", family: 6, destinations: [] }), RangeError, "answered already");
  assertThrows(
    () => race.step(20, [{ kind: "failed", attempt: 0 }, { kind: "succeeded", attempt: 0 }]),
    RangeError,
    "attempt 0 is not in flight",
  );
  {
    using v4only = new ConnectionRace([{ pvd: "a", families: [4] }]);
    assertThrows(() => v4only.resolved(0, { pvd: "a", family: 6, destinations: [] }), RangeError, "not asked");
  }
  const many = Array.from({ length: MAX_RACE_DESTINATIONS }, (_, i) => V4(i));
  assertThrows(() => race.resolved(20, { pvd: "a", family: 4, destinations: many }), RangeError, "more than 64");
  assertThrows(() => new ConnectionRace(["a", "a"]), RangeError, "named twice");
  assertThrows(() => new ConnectionRace(["a"], { firstFamilyCount: 0 }), RangeError, "first family count");
  assertThrows(() => new ConnectionRace(["a"], { attemptDelay: -1 }), RangeError, "attempt delay");
  assertThrows(() => new ConnectionRace(Array.from({ length: 9 }, (_, i) => `p${i}`)), RangeError, "more than 8");
  assertThrows(
    () => new ConnectionRace([{ pvd: "a", policy: "maybe" as RacePvd["policy"] & string }]),
    RangeError,
    "not known",
  );
  // The race still works.
  assertEquals(brief(race.succeeded(30, 0)), ["winner 2001:db8::1 first"]);
  race.close();
  assertThrows(() => race.tick(40), RangeError, "closed");
});

Deno.test("racing: slots are limited and freed by close", () => {
  const races = Array.from({ length: MAX_RACES }, () => new ConnectionRace(["a"]));
  assertThrows(() => new ConnectionRace(["a"]), RangeError, `more than ${MAX_RACES} races`);
  races[0]!.close();
  const again = new ConnectionRace(["a"]);
  // A closed race's id is never reused by the new race in its slot.
  assert(again.id !== 0 && races.every((r) => r.id !== again.id));
  again.close();
  for (const race of races) race.close();
});

// ---------------------------------------------------------------------------
// Property test: many seeded random races driven in virtual time

interface Scripted {
  readonly at: number;
  readonly seq: number;
  readonly event: Parameters<ConnectionRace["step"]>[1] extends readonly (infer E)[] | undefined ? E : never;
}

Deno.test("racing: property: every attempt ends once, one outcome, time moves forward", () => {
  const random = seededRandom(8305);
  const int = (n: number) => Math.floor(random() * n);
  const policies = ["neutral", "neutral", "prefer", "avoid", "prohibit", "require"] as const;
  let winners = 0;
  let failures = 0;
  for (let round = 0; round < 1_500; round++) {
    const pvdCount = 1 + int(4);
    const pvds: RacePvd[] = Array.from({ length: pvdCount }, (_, i) => ({
      pvd: `p${i}`,
      policy: policies[int(policies.length)]!,
      families: int(4) === 0 ? [int(2) === 0 ? 4 : 6] : [4, 6],
    }));
    const options: RaceOptions = {
      resolutionDelay: int(100),
      attemptDelay: int(400),
      firstFamilyCount: 1 + int(3),
      preferredFamily: int(2) === 0 ? 4 : 6,
      pvdStagger: int(300),
    };
    const queue: Scripted[] = [];
    let seq = 0;
    let addressId = 0;
    for (const pvd of pvds) {
      for (const family of pvd.families!) {
        if (int(8) === 0) continue; // an answer that never comes
        const n = int(5);
        const destinations = Array.from({ length: n }, () => family === 6 ? V6(++addressId) : V4(++addressId));
        queue.push({ at: int(200), seq: seq++, event: { kind: "resolved", pvd: pvd.pvd, family, destinations } });
      }
    }
    const abortAt = int(6) === 0 ? int(2_000) : Infinity;
    if (abortAt !== Infinity) queue.push({ at: abortAt, seq: seq++, event: { kind: "abort" } });
    using race = new ConnectionRace(pvds, options);
    const state = new Map<number, "flight" | "succeeded" | "failed" | "cancelled">();
    let outcomes = 0;
    let now = 0;
    let wake = Infinity;
    for (let step = 0; step < 1_000 && !race.over; step++) {
      queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = queue[0];
      if (next === undefined && wake === Infinity) break;
      let actions: RaceAction[];
      if (next !== undefined && next.at <= wake) {
        queue.shift();
        assert(next.at >= now);
        now = next.at;
        if (next.event.kind === "succeeded" || next.event.kind === "failed") {
          const s = state.get(next.event.attempt);
          if (s !== "flight") continue; // it was cancelled meanwhile
          state.set(next.event.attempt, next.event.kind);
        }
        actions = race.step(now, [next.event]);
      } else {
        assert(wake >= now, "a wake-up in the past");
        now = wake;
        actions = race.tick(now);
      }
      wake = Infinity;
      for (const action of actions) {
        assert(action.at >= now, "an action in the past");
        if (action.kind === "wake") {
          assert(action.at > now, "a wake-up that is not in the future");
          wake = action.at;
        } else if (action.kind === "start") {
          assert(!state.has(action.attempt), `attempt ${action.attempt} started twice`);
          assert(pvds.find((p) => p.pvd === action.pvd)!.policy !== "prohibit", "a prohibited PvD used");
          if (pvds.some((p) => p.policy === "require")) {
            assert(pvds.find((p) => p.pvd === action.pvd)!.policy === "require", "a PvD not required used");
          }
          state.set(action.attempt, "flight");
          const r = int(3);
          if (r < 2) {
            queue.push({
              at: now + int(600),
              seq: seq++,
              event: { kind: r === 0 ? "succeeded" : "failed", attempt: action.attempt },
            });
          }
        } else if (action.kind === "cancel") {
          assertEquals(state.get(action.attempt), "flight", `cancel of attempt ${action.attempt}`);
          state.set(action.attempt, "cancelled");
        } else {
          outcomes++;
          const report = action.report;
          assertEquals(report.attempts.length, state.size, "report covers every started attempt");
          for (const a of report.attempts) {
            assertEquals(a.result, state.get(a.attempt), `result of attempt ${a.attempt}`);
            assert(a.start <= a.end && a.end <= now);
          }
          if (action.kind === "winner") {
            winners++;
            assertEquals(state.get(action.attempt), "succeeded");
            assertEquals(report.attempts.filter((a) => a.result === "succeeded").length, 1);
          } else {
            failures++;
            assert(report.attempts.every((a) => a.result !== "succeeded"));
          }
        }
      }
    }
    // Every started attempt ended exactly once, unless the race is still
    // waiting on an answer that never comes.
    if (race.over) {
      assertEquals(outcomes, 1);
      for (const [attempt, s] of state) assert(s !== "flight", `attempt ${attempt} never ended`);
    } else {
      assertEquals(outcomes, 0);
      const ended = race.abort(now);
      assertEquals(ended.at(-1)?.kind, "failure");
      assertEquals(
        ended.filter((a) => a.kind === "cancel").length,
        [...state.values()].filter((s) => s === "flight").length,
      );
    }
  }
  assert(winners > 100 && failures > 100, `${winners} winners, ${failures} failures`);
});

// ---------------------------------------------------------------------------
// Fuzz of the raw export: bounded, seeded, never a trap

Deno.test("racing: fuzz: the raw export never traps on malformed input", () => {
  const random = seededRandom(6724);
  const int = (n: number) => Math.floor(random() * n);
  const openInput = (pvds: number) => {
    const b = new Uint8Array(32 + 4 * pvds);
    const v = new DataView(b.buffer);
    v.setUint8(0, 1);
    v.setUint32(12, pvds, true);
    v.setUint32(16, 50, true);
    v.setUint32(20, 250, true);
    v.setUint8(28, 1);
    v.setUint8(29, 6);
    for (let i = 0; i < pvds; i++) b.set([int(5), 1 + int(3)], 32 + 4 * i);
    return b;
  };
  const eventsInput = (id: number, now: number, n: number) => {
    const b = new Uint8Array(16 + 8 * n);
    const v = new DataView(b.buffer);
    v.setUint8(0, 2);
    v.setUint32(4, id, true);
    v.setUint32(8, now, true);
    v.setUint32(12, n, true);
    for (let i = 0; i < n; i++) {
      b.set([1 + int(5), int(4), int(2) === 0 ? 4 : 6], 16 + 8 * i);
      v.setUint32(16 + 8 * i + 4, int(70), true);
    }
    return b;
  };
  const call = (input: Uint8Array): { status: number; words: Uint32Array } => {
    const ptr = coreWasm.reserveInput(input.length) >>> 0;
    assert(ptr !== 0);
    coreMemory(coreWasm).bytes.set(input, ptr);
    let status = coreWasm.raceStep(input.length);
    if (status === -7) {
      assert(coreWasm.reserveResult(coreWasm.errorOffset() >>> 0) !== 0);
      const again = coreWasm.reserveInput(input.length) >>> 0;
      coreMemory(coreWasm).bytes.set(input, again);
      status = coreWasm.raceStep(input.length);
    }
    const { bytes } = coreMemory(coreWasm);
    const ptrOut = coreWasm.resultPtr() >>> 0;
    const words = status > 0 ? new Uint32Array(bytes.slice(ptrOut, ptrOut + status).buffer) : new Uint32Array(0);
    return { status, words };
  };
  const opened = new Set<number>();
  const times = new Map<number, number>();
  let accepted = 0;
  for (let i = 0; i < 20_000; i++) {
    let input: Uint8Array;
    const ids = [...opened];
    const kind = int(4);
    if (kind === 0) input = openInput(int(10));
    else if (kind === 3 || ids.length === 0) {
      input = new Uint8Array(int(64));
      for (let k = 0; k < input.length; k++) input[k] = int(256);
    } else {
      const id = ids[int(ids.length)]!;
      input = eventsInput(id, (times.get(id) ?? 0) + int(300), int(12));
    }
    // Mutate some valid inputs: a byte, or the length.
    if (kind !== 3 && int(3) === 0) {
      if (int(2) === 0 && input.length > 0) input[int(input.length)] = int(256);
      else input = input.subarray(0, int(input.length + 1));
    }
    const { status, words } = call(input);
    assert(status >= -7, `status ${status}`);
    if (status < 0) continue;
    accepted++;
    assertEquals(status % 24, 0);
    let lastWake = 0;
    for (let r = 0; r < words.length; r += 6) {
      const tag = words[r]! & 0xffff;
      assert(tag === 0x0001 || (tag >= 0x0601 && tag <= 0x0607), `tag ${tag.toString(16)}`);
      if (tag === 0x0601) opened.add(words[r + 3]!);
      if (tag === 0x0606) lastWake = words[r + 3]!;
    }
    if (input[0] === 2 && input.length >= 16) {
      const v = new DataView(input.buffer, input.byteOffset, input.length);
      const now = v.getUint32(8, true);
      assert(lastWake === 0 || lastWake > now, "wake-up in the past");
      times.set(v.getUint32(4, true), now);
    }
    if (opened.size > 32) {
      for (const id of opened) call(closeInput(id));
      opened.clear();
    }
  }
  for (const id of opened) assert(call(closeInput(id)).status === 0);
  assert(accepted > 5_000, `${accepted} accepted`);
  // Every slot is free again.
  const races = Array.from({ length: MAX_RACES }, () => new ConnectionRace(["a"]));
  for (const race of races) race.close();
});

function closeInput(id: number): Uint8Array {
  const b = new Uint8Array(16);
  b[0] = 3;
  new DataView(b.buffer).setUint32(4, id, true);
  return b;
}

Deno.test("racing: the binding's detail messages mirror the core's detail ids", async () => {
  const core = await Deno.readTextFile(new URL("../core-as/assembly/racing.ts", import.meta.url));
  const binding = await Deno.readTextFile(new URL("../core-as/racing.ts", import.meta.url));
  const ids = [...core.matchAll(/DETAIL_\w+: u32 = (0x6[0-9a-f]{2});/g)].map((m) => m[1]!);
  assert(ids.length >= 14, `${ids.length} detail ids`);
  for (const id of ids) {
    assert(binding.includes(`  ${id}: "`) || binding.includes(`  ${id}: \``), `no message for ${id}`);
  }
});

Deno.test("racing: the same events give the same actions", () => {
  const run = () => {
    using race = new ConnectionRace(["a", { pvd: "b", policy: "avoid" }], { pvdStagger: 70 });
    const log = [
      ...race.step(0, [
        { kind: "resolved", pvd: "a", family: 4, destinations: [V4(1), V4(2)] },
        { kind: "resolved", pvd: "b", family: 6, destinations: [V6(1)] },
      ]),
      ...race.tick(50),
      ...race.tick(70),
      ...race.failed(80, 0),
      ...race.succeeded(90, 2),
    ];
    return JSON.stringify(log);
  };
  assertEquals(run(), run());
});

Deno.test("racing: a PvD waits one stagger per PvD before it that can still connect; a dead one holds no one back", () => {
  using race = new ConnectionRace(["a", "b", "c"], { pvdStagger: 100 });
  const dest = (address: string, source: string) => [{ address, source }];
  race.step(0, [
    { kind: "resolved", pvd: "a", family: 6, destinations: dest("2001:db8:c::1", "2001:db8:a::2") },
    { kind: "resolved", pvd: "a", family: 4, destinations: [] },
    // b has nothing to try: exhausted from the start.
    { kind: "resolved", pvd: "b", family: 6, destinations: [] },
    { kind: "resolved", pvd: "b", family: 4, destinations: [] },
    { kind: "resolved", pvd: "c", family: 6, destinations: dest("2001:db8:c::1", "2001:db8:cc::2") },
    { kind: "resolved", pvd: "c", family: 4, destinations: [] },
  ]);
  // a is in flight (black-holed): c, ranked third, waits one stagger, not two.
  const actions = race.tick(100);
  const start = actions.find((a) => a.kind === "start");
  assert(start?.kind === "start" && start.pvd === "c" && start.at === 100, JSON.stringify(actions));
});
