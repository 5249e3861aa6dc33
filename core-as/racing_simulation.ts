/**
 * Connection races simulated in bulk inside the WebAssembly core: the
 * racing scheduler that `ConnectionRace` (racing.ts) drives (Happy Eyeballs
 * v2, RFC 8305, inside each PvD; a policy across PvDs) run against a network
 * model, many races per call, with no crossing between JavaScript and
 * WebAssembly per event (`core-as/assembly/racing_simulation.ts`). One call
 * runs synchronously: 10,000 races take a few milliseconds.
 *
 * A scenario says, per PvD, when its A and AAAA answers come (or that one
 * never does), which destinations each holds and what an attempt to each
 * does: connect or fail after some milliseconds, or never answer. A jitter
 * of ±J ms, drawn from a seeded PRNG, makes the races of one call differ;
 * the same seed gives the same races.
 *
 * Runtime-neutral: no Deno or Node APIs.
 *
 * @example IPv6 black-holed: IPv4 wins one connection attempt delay later
 * ```ts
 * import { simulateRaces } from "./racing_simulation.ts";
 *
 * const result = simulateRaces({
 *   pvds: [{
 *     pvd: "isp.example",
 *     ipv6: { at: 10, destinations: [{ outcome: "black-hole" }] },
 *     ipv4: { at: 12, destinations: [{ outcome: "connect", after: 30 }] },
 *   }],
 * }, { races: 1000 });
 * // The AAAA attempt starts at 10 ms, the A one 250 ms later and connects 30 ms after.
 * if (result.connected !== 1000 || result.timesToConnect[0] !== 290) throw new Error();
 * ```
 *
 * @module
 */

import type { PvdPolicy, RaceOptions, RaceReason } from "./racing.ts";
// The scheduler's types this module's own types use, public from here too.
export type { PvdPolicy, RaceOptions, RaceReason } from "./racing.ts";
import { coreWasm } from "./core_wasm.generated.ts";
import { coreMemory, invokeCore } from "./_abi.ts";

/** Races one call runs at most. */
export const MAX_SIMULATED_RACES = 1 << 24;
/** Scenarios one call mixes at most. */
export const MAX_RACE_SCENARIOS = 16;

// Layout of core-as/assembly/racing_simulation.ts.
const SIM_HEADER_SIZE = 16;
const SCENARIO_SIZE = 28;
const SIM_PVD_SIZE = 20;
const SIM_DEST_SIZE = 8;
const SUMMARY_SIZE = 96;
const HIST_BUCKETS = 32 + 27 * 16;
const RESULT_SIZE = 12;
const NEVER = 0xffff_ffff;
const MAX_TIME = 0xffff_fffe;
const MAX_PVDS = 8;
const MAX_DESTINATIONS = 64;

const POLICIES: Readonly<Record<string, number>> = { neutral: 0, require: 1, prefer: 2, avoid: 3, prohibit: 4 };
const OUTCOMES: Readonly<Record<string, number>> = { connect: 1, fail: 2, "black-hole": 3 };
const RACE_OUTCOMES: readonly SimulatedRaceOutcome[] = [
  "first",
  "fallback",
  "faster",
  "all-failed",
  "no-addresses",
  "no-eligible-pvd",
  "timeout",
  "stalled",
];

/** Messages for the core's detail identifiers (0x620..0x63f). */
const DETAIL_TEXT: Readonly<Record<number, (offset: number) => string>> = {
  0x620: (o) => `input ends inside the entry at offset ${o}`,
  0x621: (o) => `bytes at offset ${o} follow the last scenario`,
  0x622: () => `race count is 0 or more than ${MAX_SIMULATED_RACES}`,
  0x623: () => `scenario count is 0 or more than ${MAX_RACE_SCENARIOS}`,
  0x624: (o) => `reserved field at offset ${o} is not zero`,
  0x625: (o) => `scenario at offset ${o} has weight 0`,
  0x626: (o) => `scenario count of provisioning domains at offset ${o} is more than ${MAX_PVDS}`,
  0x627: (o) => `scenario count of destinations at offset ${o} is more than ${MAX_DESTINATIONS}`,
  0x628: (o) => `preferred family at offset ${o} is not 4 or 6`,
  0x629: (o) => `provisioning domain at offset ${o} has an unknown policy or no address family`,
  0x62a: (o) => `answer at offset ${o} is for a family that is not queried`,
  0x62b: (o) => `destination counts at offset ${o} do not add up to the scenario's`,
  0x62c: (o) => `destination at offset ${o} has an unknown outcome`,
};

/**
 * What an attempt to a simulated destination does: `connect`, `fail`
 * (connection refused, ICMP unreachable) or `black-hole` (no answer ever:
 * the attempt stays in flight until the race ends).
 *
 * @example
 * ```ts
 * import type { SimulatedOutcome } from "./racing_simulation.ts";
 *
 * const outcome: SimulatedOutcome = "black-hole";
 * if (outcome !== "black-hole") throw new Error();
 * ```
 */
export type SimulatedOutcome = "connect" | "fail" | "black-hole";

/**
 * A destination of a simulated answer.
 *
 * @example A server 40 ms away that refuses the connection
 * ```ts
 * import type { SimulatedDestination } from "./racing_simulation.ts";
 *
 * const d: SimulatedDestination = { outcome: "fail", after: 40 };
 * if (d.after !== 40) throw new Error();
 * ```
 */
export interface SimulatedDestination {
  /** What an attempt to it does. */
  readonly outcome: SimulatedOutcome;
  /** Milliseconds from the attempt's start to its outcome (`connect`, `fail`): 0 when absent. */
  readonly after?: number;
}

/**
 * One family's answer in a simulated PvD.
 *
 * @example An AAAA answer that never comes, and a negative A answer
 * ```ts
 * import type { SimulatedAnswer } from "./racing_simulation.ts";
 *
 * const lost: SimulatedAnswer = { at: Infinity, destinations: [] };
 * const negative: SimulatedAnswer = { at: 5, destinations: [] };
 * if (lost.at !== Infinity || negative.destinations.length !== 0) throw new Error();
 * ```
 */
export interface SimulatedAnswer {
  /** When it comes, in milliseconds after the race opens; `Infinity`: never. */
  readonly at: number;
  /** Its destinations, best first (RFC 6724 order); none: a negative answer. */
  readonly destinations: readonly SimulatedDestination[];
}

/**
 * A simulated PvD: its policy and its answers. A family without an answer
 * is not queried in it.
 *
 * @example A cellular PvD, avoided, IPv6 only
 * ```ts
 * import type { SimulatedPvd } from "./racing_simulation.ts";
 *
 * const cellular: SimulatedPvd = {
 *   pvd: "cellular.example",
 *   policy: "avoid",
 *   ipv6: { at: 40, destinations: [{ outcome: "connect", after: 80 }] },
 * };
 * if (cellular.ipv4 !== undefined) throw new Error();
 * ```
 */
export interface SimulatedPvd {
  /** Its name, for the caller (the simulation names PvDs by index). */
  readonly pvd?: string;
  /** What the policy says about it; `neutral` when absent. */
  readonly policy?: PvdPolicy;
  /** The A answer; absent when IPv4 is not queried in this PvD. */
  readonly ipv4?: SimulatedAnswer;
  /** The AAAA answer; absent when IPv6 is not queried in this PvD. */
  readonly ipv6?: SimulatedAnswer;
}

/**
 * A network model for a race: its PvDs in the policy's order, the race's
 * options, a jitter and an overall timeout.
 *
 * @example Two PvDs, the second avoided and 100 ms behind
 * ```ts
 * import type { RaceScenario } from "./racing_simulation.ts";
 *
 * const scenario: RaceScenario = {
 *   pvds: [
 *     { pvd: "wifi", ipv6: { at: 10, destinations: [{ outcome: "connect", after: 30 }] } },
 *     { pvd: "cellular", policy: "avoid", ipv4: { at: 30, destinations: [{ outcome: "connect", after: 60 }] } },
 *   ],
 *   options: { pvdStagger: 100 },
 *   jitter: 5,
 *   timeout: 10_000,
 * };
 * if (scenario.pvds.length !== 2) throw new Error();
 * ```
 */
export interface RaceScenario {
  /** The PvDs, at most 8, with at most 64 destinations in all. */
  readonly pvds: readonly SimulatedPvd[];
  /** The race's options, as `ConnectionRace` (racing.ts) takes them (without `now`: races start at 0). */
  readonly options?: Omit<RaceOptions, "now">;
  /** ±J ms added to every answer time and every latency, uniform, per race: 0 when absent. */
  readonly jitter?: number;
  /** The race is aborted at this time (ms) if not over by then: none when absent. */
  readonly timeout?: number;
  /** How often this scenario is picked when several are mixed, relative to the others: 1 when absent. */
  readonly weight?: number;
}

/**
 * How many races to run, and how.
 *
 * @example
 * ```ts
 * import type { SimulateRacesOptions } from "./racing_simulation.ts";
 *
 * const options: SimulateRacesOptions = { races: 10_000, seed: 42, keep: 0 };
 * if (options.keep !== 0) throw new Error();
 * ```
 */
export interface SimulateRacesOptions {
  /** Races to run, 1 to {@linkcode MAX_SIMULATED_RACES}. */
  readonly races: number;
  /** PRNG seed, an unsigned 32-bit integer: 1 when absent. */
  readonly seed?: number;
  /** How many races (the first ones) keep their own result: all when absent. */
  readonly keep?: number;
}

/**
 * How a simulated race ended: won (`first`, `fallback`, `faster`, as in an
 * `EstablishmentReport`), failed by the scheduler
 * (`all-failed`, `no-addresses`, `no-eligible-pvd`), aborted by the
 * scenario's `timeout`, or `stalled`: nothing left could happen (an answer
 * that never comes, black-holed attempts) and there was no timeout.
 *
 * @example
 * ```ts
 * import type { SimulatedRaceOutcome } from "./racing_simulation.ts";
 *
 * const outcome: SimulatedRaceOutcome = "stalled";
 * if (outcome !== "stalled") throw new Error();
 * ```
 */
export type SimulatedRaceOutcome = Exclude<RaceReason, "aborted"> | "timeout" | "stalled";

/**
 * One kept race's result.
 *
 * @example
 * ```ts
 * import { simulateRaces } from "./racing_simulation.ts";
 *
 * const result = simulateRaces({
 *   pvds: [{ ipv4: { at: 0, destinations: [{ outcome: "fail", after: 20 }, { outcome: "connect", after: 20 }] } }],
 * }, { races: 1 });
 * const race = result.race(0);
 * if (race.outcome !== "fallback" || race.timeToConnect !== 40 || race.attempts !== 2) throw new Error();
 * ```
 */
export interface SimulatedRace {
  /** Milliseconds from the race's start to the winner's connection; `Infinity` when it failed. */
  readonly timeToConnect: number;
  /** When the race ended, ms: connected, failed, timed out or stalled. */
  readonly end: number;
  /** The winner's PvD, an index into its scenario's `pvds`; `undefined` when it failed. */
  readonly pvd: number | undefined;
  /** How it ended. */
  readonly outcome: SimulatedRaceOutcome;
  /** Attempts started. */
  readonly attempts: number;
  /** Its scenario, an index into the scenarios given (0 for a single one). */
  readonly scenario: number;
}

/**
 * What a batch of simulated races did: totals, per-race times to connect
 * for the kept races, and percentiles.
 *
 * A decision is one scheduler step: one call of the scheduler at one
 * instant of a race (that instant's events applied, then the scheduling
 * pass), what one `ConnectionRace.step` (racing.ts) call does; time spent
 * divided by `decisions` is the cost per decision, simulation included.
 *
 * @example
 * ```ts
 * import { simulateRaces } from "./racing_simulation.ts";
 *
 * const result = simulateRaces({
 *   pvds: [{ ipv6: { at: 10, destinations: [{ outcome: "connect", after: 20 }] } }],
 *   jitter: 5,
 * }, { races: 100, seed: 7 });
 * if (result.decisions < result.races) throw new Error();
 * if (result.percentile(50) < 20 || result.percentile(50) > 40) throw new Error();
 * ```
 */
export interface RaceSimulationResult {
  /** Races run. */
  readonly races: number;
  /** Races with a winner. */
  readonly connected: number;
  /** Races without one. */
  readonly failed: number;
  /** Races per outcome. */
  readonly outcomes: Readonly<Record<SimulatedRaceOutcome, number>>;
  /** Attempts started, over all races. */
  readonly attempts: number;
  /** Attempts cancelled (in flight when their race ended). */
  readonly cancelled: number;
  /** Scheduler steps (see above). */
  readonly decisions: number;
  /** Events fed to the scheduler: addresses, answer ends, attempt outcomes, aborts. */
  readonly events: number;
  /** Actions the scheduler took: starts, cancels, wake-ups, outcomes. */
  readonly actions: number;
  /** Mean time to connect of connected races, ms (`NaN` when none connected). */
  readonly meanTimeToConnect: number;
  /** Least time to connect, ms (`Infinity` when none connected). */
  readonly minTimeToConnect: number;
  /** Greatest time to connect, ms (`-Infinity` when none connected). */
  readonly maxTimeToConnect: number;
  /** Time to connect of each kept race, ms; `Infinity` for a failed race. */
  readonly timesToConnect: Float64Array;
  /** The winner's PvD index of each kept race; -1 for a failed race. */
  readonly winners: Int8Array;
  /**
   * Kept race `index` in full.
   *
   * @throws {RangeError} When `index` is not a kept race.
   */
  race(index: number): SimulatedRace;
  /**
   * The `p`-th percentile (nearest rank) of time to connect over all races,
   * a failed race counting as `Infinity`. Exact when every race was kept;
   * otherwise from a histogram: the lower bound of the value's bucket
   * (exact below 32 ms, within 1/16 above).
   *
   * @throws {RangeError} When `p` is not in 0..100.
   */
  percentile(p: number): number;
}

function fail(message: string): never {
  throw new RangeError(`Cannot simulate connection races: ${message}`);
}

function checkTime(value: unknown, what: string, allowNever: boolean): number {
  if (allowNever && value === Infinity) return NEVER;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    fail(`${what} ${String(value)} is not a non-negative number${allowNever ? " or Infinity" : ""}`);
  }
  if (value > MAX_TIME) fail(`${what} ${value} is more than ${MAX_TIME}`);
  return Math.floor(value);
}

function checkInteger(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    fail(`${what} ${String(value)} is not an integer from ${min} to ${max}`);
  }
  return value;
}

/**
 * Encodes scenarios and options as the core's input bytes (the layout is
 * documented in `core-as/assembly/racing_simulation.ts`): for
 * {@linkcode simulateEncodedRaces}, which runs them, e.g. many times.
 *
 * @example
 * ```ts
 * import { encodeRaceSimulation } from "./racing_simulation.ts";
 *
 * const input = encodeRaceSimulation({ pvds: [{ ipv4: { at: 0, destinations: [{ outcome: "connect" }] } }] }, {
 *   races: 10,
 * });
 * // Header, one scenario, one PvD, one destination.
 * if (input.length !== 16 + 28 + 20 + 8) throw new Error();
 * ```
 *
 * @param scenario A scenario, or up to {@linkcode MAX_RACE_SCENARIOS} mixed by weight.
 * @param options How many races, the seed, how many to keep.
 * @returns The input bytes.
 * @throws {RangeError} For a value that is out of range or cannot be encoded, naming it.
 */
export function encodeRaceSimulation(
  scenario: RaceScenario | readonly RaceScenario[],
  options: SimulateRacesOptions,
): Uint8Array {
  const scenarios: readonly RaceScenario[] = isScenarioList(scenario) ? scenario : [scenario];
  const races = checkInteger(options.races, "race count", 1, MAX_SIMULATED_RACES);
  const seed = checkInteger(options.seed ?? 1, "seed", 0, 0xffff_ffff);
  const keep = checkInteger(options.keep ?? races, "kept race count", 0, 0xffff_ffff);
  checkInteger(scenarios.length, "scenario count", 1, MAX_RACE_SCENARIOS);
  let size = SIM_HEADER_SIZE;
  for (const s of scenarios) {
    size += SCENARIO_SIZE + s.pvds.length * SIM_PVD_SIZE;
    for (const pvd of s.pvds) {
      size += ((pvd.ipv4?.destinations.length ?? 0) + (pvd.ipv6?.destinations.length ?? 0)) * SIM_DEST_SIZE;
    }
  }
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, races, true);
  view.setUint32(4, seed, true);
  view.setUint32(8, Math.min(keep, races), true);
  view.setUint8(12, scenarios.length);
  let at = SIM_HEADER_SIZE;
  scenarios.forEach((s, index) => {
    const name = `scenario ${index}`;
    if (s.pvds.length > MAX_PVDS) fail(`${name} has more than ${MAX_PVDS} provisioning domains`);
    const o = s.options ?? {};
    const preferred = o.preferredFamily ?? 6;
    if (preferred !== 4 && preferred !== 6) fail(`${name} preferred family ${String(preferred)} is not 4 or 6`);
    const destinations: SimulatedDestination[] = [];
    const pvdEntries: [number, number, number, number, number, number][] = [];
    s.pvds.forEach((pvd, p) => {
      const where = `${name} provisioning domain ${p}`;
      const policy = POLICIES[pvd.policy ?? "neutral"];
      if (policy === undefined) fail(`${where} policy ${JSON.stringify(pvd.policy)} is not known`);
      if (pvd.ipv4 === undefined && pvd.ipv6 === undefined) fail(`${where} queries no address family`);
      const families = (pvd.ipv4 === undefined ? 0 : 1) | (pvd.ipv6 === undefined ? 0 : 2);
      const times = [0, 0];
      const counts = [0, 0];
      [pvd.ipv4, pvd.ipv6].forEach((answer, f) => {
        if (answer === undefined) return;
        times[f] = checkTime(answer.at, `${where} ${f === 0 ? "A" : "AAAA"} answer time`, true);
        counts[f] = answer.destinations.length;
        destinations.push(...answer.destinations);
      });
      pvdEntries.push([policy, families, times[0]!, counts[0]!, times[1]!, counts[1]!]);
    });
    if (destinations.length > MAX_DESTINATIONS) fail(`${name} has more than ${MAX_DESTINATIONS} destinations`);
    view.setUint16(at, checkInteger(s.weight ?? 1, `${name} weight`, 1, 0xffff), true);
    view.setUint8(at + 2, s.pvds.length);
    view.setUint8(at + 3, destinations.length);
    view.setUint32(at + 4, checkTime(s.jitter ?? 0, `${name} jitter`, false), true);
    view.setUint32(at + 8, checkTime(s.timeout ?? Infinity, `${name} timeout`, true), true);
    view.setUint32(at + 12, checkTime(o.resolutionDelay ?? 50, `${name} resolution delay`, false), true);
    view.setUint32(at + 16, checkTime(o.attemptDelay ?? 250, `${name} attempt delay`, false), true);
    view.setUint32(at + 20, checkTime(o.pvdStagger ?? 0, `${name} PvD stagger`, false), true);
    view.setUint8(at + 24, checkInteger(o.firstFamilyCount ?? 1, `${name} first family count`, 1, 64));
    view.setUint8(at + 25, preferred);
    at += SCENARIO_SIZE;
    for (const [policy, families, time4, count4, time6, count6] of pvdEntries) {
      view.setUint8(at, policy);
      view.setUint8(at + 1, families);
      view.setUint32(at + 4, time4, true);
      view.setUint8(at + 8, count4);
      view.setUint32(at + 12, time6, true);
      view.setUint8(at + 16, count6);
      at += SIM_PVD_SIZE;
    }
    destinations.forEach((d, j) => {
      const outcome = OUTCOMES[d.outcome];
      if (outcome === undefined) fail(`${name} destination ${j} outcome ${JSON.stringify(d.outcome)} is not known`);
      view.setUint8(at, outcome);
      view.setUint32(at + 4, checkTime(d.after ?? 0, `${name} destination ${j} latency`, false), true);
      at += SIM_DEST_SIZE;
    });
  });
  return bytes;
}

function isScenarioList(scenario: RaceScenario | readonly RaceScenario[]): scenario is readonly RaceScenario[] {
  return Array.isArray(scenario);
}

/**
 * Runs races already encoded by {@linkcode encodeRaceSimulation} (or
 * written by hand in the core's layout).
 *
 * @example Encode once, run twice: the same seed gives the same races
 * ```ts
 * import { encodeRaceSimulation, simulateEncodedRaces } from "./racing_simulation.ts";
 *
 * const input = encodeRaceSimulation({
 *   pvds: [{ ipv6: { at: 10, destinations: [{ outcome: "connect", after: 25 }] } }],
 *   jitter: 10,
 * }, { races: 50, seed: 3 });
 * const a = simulateEncodedRaces(input);
 * const b = simulateEncodedRaces(input);
 * if (a.timesToConnect.join() !== b.timesToConnect.join()) throw new Error();
 * ```
 *
 * @param input The core's input bytes.
 * @returns The totals and the kept races.
 * @throws {SyntaxError} When the input ends inside an entry.
 * @throws {RangeError} For a count, value or reserved field the core does not accept, naming it and its offset.
 */
export function simulateEncodedRaces(input: Uint8Array): RaceSimulationResult {
  const size = invokeCore(coreWasm, {
    action: "simulate connection races",
    input,
    invoke: (len) => coreWasm.simulateRaces(len),
    detail: (id, offset) => DETAIL_TEXT[id]?.(offset),
  });
  const { view } = coreMemory(coreWasm);
  const base = coreWasm.resultPtr() >>> 0;
  const u32 = (at: number) => view.getUint32(base + at, true);
  const u64 = (at: number) => u32(at) + u32(at + 4) * 2 ** 32;
  const races = u32(0);
  const counts = RACE_OUTCOMES.map((_, i) => u32(4 + 4 * i));
  const outcomes = Object.fromEntries(RACE_OUTCOMES.map((o, i) => [o, counts[i]!])) as Record<
    SimulatedRaceOutcome,
    number
  >;
  const connected = counts[0]! + counts[1]! + counts[2]!;
  const kept = Math.min(u32(36), Math.floor((size - SUMMARY_SIZE - HIST_BUCKETS * 4) / RESULT_SIZE));
  const histogram = new Uint32Array(HIST_BUCKETS);
  for (let b = 0; b < HIST_BUCKETS; b++) histogram[b] = u32(SUMMARY_SIZE + 4 * b);
  const records = new Uint32Array(kept * 3);
  const timesToConnect = new Float64Array(kept);
  const winners = new Int8Array(kept);
  let at = base + SUMMARY_SIZE + HIST_BUCKETS * 4;
  for (let i = 0; i < kept; i++, at += RESULT_SIZE) {
    const ttc = view.getUint32(at, true);
    const packed = view.getUint32(at + 8, true);
    records[3 * i] = ttc;
    records[3 * i + 1] = view.getUint32(at + 4, true);
    records[3 * i + 2] = packed;
    timesToConnect[i] = ttc === NEVER ? Infinity : ttc;
    winners[i] = ttc === NEVER ? -1 : packed & 0xff;
  }
  const ttcMin = u32(88);
  let sorted: Float64Array | undefined;
  return {
    races,
    connected,
    failed: races - connected,
    outcomes,
    attempts: u64(40),
    cancelled: u64(48),
    decisions: u64(56),
    events: u64(64),
    actions: u64(72),
    meanTimeToConnect: connected === 0 ? NaN : u64(80) / connected,
    minTimeToConnect: connected === 0 || ttcMin === NEVER ? Infinity : ttcMin,
    maxTimeToConnect: connected === 0 ? -Infinity : u32(92),
    timesToConnect,
    winners,
    race(index: number): SimulatedRace {
      if (!Number.isInteger(index) || index < 0 || index >= kept) {
        throw new RangeError(`Cannot read simulated race: race ${index} is not one of the ${kept} kept`);
      }
      const packed = records[3 * index + 2]!;
      const ttc = records[3 * index]!;
      return {
        timeToConnect: ttc === NEVER ? Infinity : ttc,
        end: records[3 * index + 1]!,
        pvd: ttc === NEVER ? undefined : packed & 0xff,
        outcome: RACE_OUTCOMES[((packed >>> 8) & 0xff) - 1] ?? "stalled",
        attempts: (packed >>> 16) & 0xff,
        scenario: packed >>> 24,
      };
    },
    percentile(p: number): number {
      if (typeof p !== "number" || !(p >= 0 && p <= 100)) {
        throw new RangeError(`Cannot compute percentile: ${String(p)} is not from 0 to 100`);
      }
      const rank = Math.max(1, Math.ceil((p / 100) * races));
      if (kept === races) {
        sorted ??= timesToConnect.slice().sort();
        return sorted[rank - 1] ?? Infinity;
      }
      let seen = 0;
      for (let b = 0; b < HIST_BUCKETS; b++) {
        seen += histogram[b]!;
        if (seen >= rank) return bucketLow(b);
      }
      return Infinity;
    },
  };
}

/** The least time to connect in histogram bucket `b` (see the core's layout). */
function bucketLow(b: number): number {
  if (b < 32) return b;
  const e = 5 + Math.floor((b - 32) / 16);
  return (16 + ((b - 32) % 16)) * 2 ** (e - 4);
}

/**
 * Runs `options.races` connection races of a scenario (or of several, mixed
 * by weight) in the WebAssembly core, each through the same scheduler as
 * `ConnectionRace` (racing.ts), and returns what they did.
 *
 * @example A broken IPv6 path in one race out of ten
 * ```ts
 * import { simulateRaces } from "./racing_simulation.ts";
 *
 * const healthy = {
 *   pvds: [{
 *     ipv6: { at: 10, destinations: [{ outcome: "connect" as const, after: 20 }] },
 *     ipv4: { at: 10, destinations: [{ outcome: "connect" as const, after: 20 }] },
 *   }],
 *   weight: 9,
 * };
 * const broken = {
 *   pvds: [{
 *     ipv6: { at: 10, destinations: [{ outcome: "black-hole" as const }] },
 *     ipv4: { at: 10, destinations: [{ outcome: "connect" as const, after: 20 }] },
 *   }],
 * };
 * const result = simulateRaces([healthy, broken], { races: 10_000, seed: 1 });
 * // 90 % connect in 30 ms over IPv6, 10 % in 280 ms over IPv4.
 * if (result.percentile(50) !== 30 || result.percentile(99) !== 280) throw new Error();
 * ```
 *
 * @param scenario A scenario, or up to {@linkcode MAX_RACE_SCENARIOS} mixed by weight.
 * @param options How many races, the seed, how many races keep their own result.
 * @returns The totals and the kept races.
 * @throws {RangeError} For a scenario or option out of range, naming it.
 */
export function simulateRaces(
  scenario: RaceScenario | readonly RaceScenario[],
  options: SimulateRacesOptions,
): RaceSimulationResult {
  return simulateEncodedRaces(encodeRaceSimulation(scenario, options));
}
