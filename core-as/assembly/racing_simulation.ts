/*
 * Connection races simulated inside the core: many races of the racing
 * scheduler (racing.ts) against a network model, in one call, with no
 * crossing to the host per event.
 *
 *   simulateRaces(len)   runs `races` races of the scenarios in the input
 *
 * The simulator is a discrete-event loop over virtual milliseconds. It is
 * a host of the scheduler like raceStep, through the same plain functions
 * (raceOpen, raceAddress, raceResolved, raceEnded, raceAbort,
 * raceSchedule) and the action log: the scheduling logic is racing.ts's,
 * not a copy. Per race it
 *   - picks a scenario (by weight, from the PRNG, when there are several),
 *   - draws the race's jitter: each answer time, then each destination's
 *     latency, in input order, gets a uniform integer in [-J, J] added
 *     (clamped at 0; none drawn when J is 0 or for what never happens),
 *   - opens the race (time 0), then repeats one step per instant: the
 *     answers due then (PvD order, A before AAAA; each answer's
 *     destinations, then its end), the attempt outcomes due then (in start
 *     order), the overall timeout's abort if it is due, then the
 *     scheduling pass; it carries out the actions (an attempt's outcome is
 *     due at its start + its latency; a cancelled one's never comes; the
 *     latest wake-up is the next time to step at),
 *   - moves to the earliest of: next answer, next outcome, the wake-up, the
 *     timeout. When nothing is left to happen (an answer that never comes,
 *     black-holed attempts, no timeout), the race is aborted where it
 *     stands and counted as stalled.
 * Races run one after another in one race slot of the simulator's own, so
 * the 64 slots of raceStep are untouched.
 *
 * A decision is one scheduler step: one call of the scheduler at one
 * instant of a race (the events of that instant applied, then the
 * scheduling pass unless the race ended), which is what one raceStep
 * OP_EVENTS call does; the final abort of a stalled race counts as one.
 * Host time divided by decisions is the cost per decision, simulation
 * included.
 *
 * PRNG: xorshift32 (13, 17, 5), seeded from the header (seed 0 stands for
 * SEED_FOR_ZERO, since xorshift cannot leave 0). Uniform draws in [0, n)
 * are (x * n) >> 32. The stream runs on from race to race, so race i
 * depends on the seed and on the races before it.
 *
 * Input (little-endian):
 *   header, SIM_HEADER_SIZE = 16 bytes
 *     0  u32 races to run, 1..MAX_SIM_RACES
 *     4  u32 seed
 *     8  u32 races whose result to keep (the first ones; more than `races`
 *            keeps all)
 *     12 u8  scenario count, 1..MAX_SCENARIOS
 *     13..15 zero
 *   then each scenario: SCENARIO_SIZE = 28 bytes
 *     0  u16 weight, 1..65535: how often it is picked, relative to the others
 *     2  u8  PvD count, 0..8
 *     3  u8  destination count over all its PvDs and families, 0..64
 *     4  u32 jitter J, ms
 *     8  u32 overall timeout: the race is aborted at this time (ms after it
 *            opened); 0xffffffff: none
 *     12 options as raceStep's OP_OPEN, 16 bytes: u32 resolution delay,
 *            u32 connection attempt delay (clamped to 10..2000), u32 PvD
 *            stagger, u8 first address family count (0 means 1, above 64
 *            means 64), u8 preferred family 4 or 6, u16 zero
 *   and PvD count PvDs, SIM_PVD_SIZE = 20 bytes, in the policy's order
 *     0  u8  policy as OP_OPEN (neutral 0, require 1, prefer 2, avoid 3,
 *            prohibit 4)
 *     1  u8  families queried: bit 0 IPv4 (A), bit 1 IPv6 (AAAA)
 *     2  u16 zero
 *     4  the A answer, ANSWER_SIZE = 8 bytes:
 *          0 u32 when it comes, ms after the race opened; 0xffffffff never
 *          4 u8  destinations in it (0: a negative answer)
 *          5..7 zero
 *        all zero when A is not queried
 *     12 the AAAA answer, the same
 *   and destination count destinations, SIM_DEST_SIZE = 8 bytes: each PvD's
 *   A destinations then its AAAA ones, in RFC 6724 order
 *     0  u8  OUTCOME_CONNECT 1, OUTCOME_FAIL 2 (refused, unreachable),
 *            OUTCOME_BLACK_HOLE 3 (never answers)
 *     1..3 zero
 *     4  u32 ms from the attempt's start to its outcome (connect, fail;
 *            ignored for a black hole)
 *   The input ends after the last scenario's destinations.
 *
 * Output, a fixed layout (little-endian), not records:
 *   summary, SUMMARY_SIZE = 96 bytes
 *     0  u32 races run
 *     4  u32 races per outcome, OUTCOME_* - 1 .. (8 counters, offsets 4..32):
 *            connected first, fallback, faster; failed all-failed,
 *            no-addresses, no-eligible-pvd, timeout, stalled
 *     36 u32 results written (below)
 *     40 u64 attempts started
 *     48 u64 attempts cancelled (in flight when their race ended)
 *     56 u64 decisions (see above)
 *     64 u64 events fed to the scheduler (addresses, answer ends, attempt
 *            outcomes, aborts)
 *     72 u64 actions the scheduler took (starts, cancels, wake-ups, outcomes)
 *     80 u64 sum of times to connect, ms, over connected races
 *     88 u32 least time to connect (0xffffffff when none connected)
 *     92 u32 greatest time to connect
 *   histogram of times to connect, HIST_BUCKETS u32 counts: bucket t for
 *   t < 32 ms, then 16 buckets per power of two (bucket of t >= 32:
 *   32 + (e - 5) * 16 + ((t >> (e - 4)) & 15), e = floor(log2 t)), so a
 *   bucket spans at most 1/16 of its lower bound
 *   then one result per kept race, RESULT_SIZE = 12 bytes, in race order
 *     0  u32 time to connect, ms; 0xffffffff when the race failed
 *     4  u32 when the race ended, ms (connected, failed, timed out, stalled)
 *     8  u8  the winner's PvD index; 0xff when the race failed
 *     9  u8  OUTCOME_*
 *     10 u8  attempts started
 *     11 u8  scenario index
 *
 * Errors: a malformed header or scenario fails the whole call with a detail
 * (table below, 0x620..0x63f, mirrored in core-as/racing_simulation.ts) and
 * runs nothing. The result size is checked before anything runs.
 */

import { begin, canRead, ErrorCode, failWith, inputPtr, needResult, putU32, resultPtr } from "./abi";
import {
  ACTION_CANCEL,
  ACTION_FAILURE,
  ACTION_SIZE,
  ACTION_START,
  ACTION_WAKE,
  ACTION_WINNER,
  actionLog,
  FAIL_ABORTED,
  loggedActions,
  MAX_DESTINATIONS,
  MAX_PVDS,
  RACE_SIZE,
  raceAbort,
  raceAddress,
  raceAdvance,
  raceEnded,
  raceLogActions,
  raceOpen,
  racePvdValid,
  raceRank,
  raceResolved,
  raceRunning,
  raceSchedule,
  raceSetPvd,
} from "./racing";

// ---------------------------------------------------------------------------
// Detail identifiers (0x620..0x63f), mirrored in core-as/racing_simulation.ts.

/** The input ends inside an entry (header, scenario, PvD or destinations). */
export const DETAIL_SIM_TRUNCATED: u32 = 0x620;
/** Bytes after the last scenario. */
export const DETAIL_SIM_TRAILING: u32 = 0x621;
/** Race count 0 or above MAX_SIM_RACES. */
export const DETAIL_SIM_RACES: u32 = 0x622;
/** Scenario count 0 or above MAX_SCENARIOS. */
export const DETAIL_SIM_SCENARIOS: u32 = 0x623;
/** A field that must be zero is not. */
export const DETAIL_SIM_RESERVED: u32 = 0x624;
/** A scenario with weight 0. */
export const DETAIL_SIM_WEIGHT: u32 = 0x625;
/** More than MAX_PVDS PvDs in a scenario. */
export const DETAIL_SIM_PVDS: u32 = 0x626;
/** More than MAX_DESTINATIONS destinations in a scenario. */
export const DETAIL_SIM_DESTINATIONS: u32 = 0x627;
/** Preferred family not 4 or 6. */
export const DETAIL_SIM_FAMILY: u32 = 0x628;
/** A PvD with an unknown policy or no family. */
export const DETAIL_SIM_PVD: u32 = 0x629;
/** An answer for a family the PvD does not query is not all zero. */
export const DETAIL_SIM_UNASKED: u32 = 0x62a;
/** The answers' destination counts do not add up to the scenario's. */
export const DETAIL_SIM_COUNT: u32 = 0x62b;
/** A destination with an unknown outcome. */
export const DETAIL_SIM_OUTCOME: u32 = 0x62c;

// ---------------------------------------------------------------------------
// Layout

/** Races one call may run. */
export const MAX_SIM_RACES: u32 = 1 << 24;
/** Scenarios one call may mix. */
export const MAX_SCENARIOS: u32 = 16;

const SIM_HEADER_SIZE: usize = 16;
const SCENARIO_SIZE: usize = 28;
const SIM_PVD_SIZE: usize = 20;
const ANSWER_SIZE: usize = 8;
const SIM_DEST_SIZE: usize = 8;

/** Destination outcomes. */
export const OUTCOME_CONNECT: u32 = 1;
export const OUTCOME_FAIL: u32 = 2;
export const OUTCOME_BLACK_HOLE: u32 = 3;

/** Race outcomes in results: how it was won (the scheduler's WIN_*) ... */
export const RACE_FIRST: u32 = 1;
export const RACE_FALLBACK: u32 = 2;
export const RACE_FASTER: u32 = 3;
/** ... or why it failed (the scheduler's FAIL_* + 3, then the simulator's). */
export const RACE_ALL_FAILED: u32 = 4;
export const RACE_NO_ADDRESSES: u32 = 5;
export const RACE_NO_PVD: u32 = 6;
/** Aborted by the scenario's overall timeout. */
export const RACE_TIMEOUT: u32 = 7;
/** Aborted because nothing was left that could happen. */
export const RACE_STALLED: u32 = 8;

const SUMMARY_SIZE: usize = 96;
const S_RACES: usize = 0;
const S_KEPT: usize = 36;
const S_ATTEMPTS: usize = 40;
const S_CANCELLED: usize = 48;
const S_DECISIONS: usize = 56;
const S_EVENTS: usize = 64;
const S_ACTIONS: usize = 72;
const S_TTC_SUM: usize = 80;
const S_TTC_MIN: usize = 88;
const S_TTC_MAX: usize = 92;
const HIST_BUCKETS: u32 = 32 + 27 * 16;
const HIST_SIZE: usize = <usize> HIST_BUCKETS * 4;
const RESULT_SIZE: usize = 12;

const NEVER: u32 = 0xffff_ffff;
const SEED_FOR_ZERO: u32 = 0x9e37_79b9;
/** Steps per race; no race needs this many (each step consumes an event or a wake-up). */
const MAX_STEPS: u32 = 1024;
/** Answers per scenario: one per PvD and family. */
const MAX_ANSWERS: u32 = 2 * MAX_PVDS;

// Decoded scenarios, read once per call so that races read no input.
const T_WEIGHT: usize = 0; // u32
const T_PVDS: usize = 4; // u8
const T_DESTS: usize = 5; // u8
const T_ANSWERS: usize = 6; // u8
const T_PREFERRED: usize = 7; // u8
const T_JITTER: usize = 8; // u32
const T_TIMEOUT: usize = 12; // u32
const T_RES_DELAY: usize = 16; // u32
const T_ATT_DELAY: usize = 20; // u32
const T_STAGGER: usize = 24; // u32
const T_FFC: usize = 28; // u8
const T_POLICY: usize = 32; // u8 per PvD
const T_FAMILIES: usize = 40; // u8 per PvD
const T_ANSWER: usize = 48; // MAX_ANSWERS entries of 8 bytes: u32 time, u8 PvD, u8 family, u8 first, u8 count
const T_DEST: usize = T_ANSWER + <usize> MAX_ANSWERS * 8; // MAX_DESTINATIONS entries: u32 latency, u8 outcome
const T_SIZE: usize = T_DEST + <usize> MAX_DESTINATIONS * 8;

const scenarios = memory.data(<i32> (<usize> MAX_SCENARIOS * T_SIZE), 16);
const race = memory.data(<i32> RACE_SIZE, 16);
const histogram = memory.data(<i32> HIST_SIZE, 16);
// Per race: answer times, destination latencies and outcome times, attempt
// ids by destination, destinations by start order.
const answerTime = memory.data(<i32> (<usize> MAX_ANSWERS * 4), 16);
const destLatency = memory.data(<i32> (<usize> MAX_DESTINATIONS * 4), 16);
const destDue = memory.data(<i32> (<usize> MAX_DESTINATIONS * 4), 16);
const destAttempt = memory.data(<i32> MAX_DESTINATIONS, 16);
const startOrder = memory.data(<i32> MAX_DESTINATIONS, 16);

let rng: u32 = SEED_FOR_ZERO;
let decodeStatus: i32 = 0;

// Totals of one call.
const outcomes = memory.data(<i32> (9 * 4), 16); // u32 per RACE_* (index 0 unused)
let attempts: u64 = 0;
let cancelled: u64 = 0;
let decisions: u64 = 0;
let events: u64 = 0;
let actions: u64 = 0;
let ttcSum: u64 = 0;
let ttcMin: u32 = NEVER;
let ttcMax: u32 = 0;

// One race's progress, set by the action log.
let started: u32 = 0;
let wake: u32 = NEVER;
let outcome: u32 = 0;
let winnerPvd: u32 = 0xff;
let abortOutcome: u32 = RACE_STALLED;

// ---------------------------------------------------------------------------
// Input readers (checked; 0 past the end, after which the caller fails)

function le8(at: usize): u32 {
  return canRead(at, 1) ? <u32> load<u8>(inputPtr() + at) : 0;
}

function le16(at: usize): u32 {
  return canRead(at, 2) ? <u32> load<u16>(inputPtr() + at) : 0;
}

function le32(at: usize): u32 {
  return canRead(at, 4) ? load<u32>(inputPtr() + at) : 0;
}

function scenarioAt(s: u32): usize {
  return scenarios + <usize> s * T_SIZE;
}

// ---------------------------------------------------------------------------
// Entry point

/** Runs the races the input describes; see the module comment. */
export function simulateRaces(len: usize): i32 {
  const status = begin(len);
  if (status != 0) return status;
  if (!canRead(0, SIM_HEADER_SIZE)) return failWith(ErrorCode.Truncated, 0, DETAIL_SIM_TRUNCATED);
  const count = le32(0);
  if (count == 0 || count > MAX_SIM_RACES) return failWith(ErrorCode.OutOfRange, 0, DETAIL_SIM_RACES);
  const seed = le32(4);
  const keep = le32(8) < count ? le32(8) : count;
  const scenarioCount = le8(12);
  if (scenarioCount == 0 || scenarioCount > MAX_SCENARIOS) {
    return failWith(ErrorCode.OutOfRange, 12, DETAIL_SIM_SCENARIOS);
  }
  if (le8(13) != 0 || le16(14) != 0) return failWith(ErrorCode.InvalidValue, 13, DETAIL_SIM_RESERVED);
  let at = SIM_HEADER_SIZE;
  let totalWeight: u32 = 0;
  // Bounded by MAX_SCENARIOS; each scenario consumes input.
  for (let s: u32 = 0; s < scenarioCount; s++) {
    at = decodeScenario(s, at);
    if (at == 0) return decodeStatus;
    totalWeight += load<u32>(scenarioAt(s) + T_WEIGHT);
  }
  if (at != len) return failWith(ErrorCode.BadLength, at, DETAIL_SIM_TRAILING);
  const size = SUMMARY_SIZE + HIST_SIZE + <usize> keep * RESULT_SIZE;
  const room = needResult(size);
  if (room != 0) return room;

  rng = seed == 0 ? SEED_FOR_ZERO : seed;
  memory.fill(outcomes, 0, 9 * 4);
  memory.fill(histogram, 0, HIST_SIZE);
  attempts = 0;
  cancelled = 0;
  decisions = 0;
  events = 0;
  actions = 0;
  ttcSum = 0;
  ttcMin = NEVER;
  ttcMax = 0;
  // Bounded by MAX_SIM_RACES, each race by MAX_STEPS.
  for (let i: u32 = 0; i < count; i++) {
    let s: u32 = 0;
    if (scenarioCount > 1) {
      let pick = <u32> ((<u64> nextRandom() * <u64> totalWeight) >> 32);
      for (; s < scenarioCount - 1; s++) {
        const weight = load<u32>(scenarioAt(s) + T_WEIGHT);
        if (pick < weight) break;
        pick -= weight;
      }
    }
    const end = runRace(scenarioAt(s));
    store<u32>(outcomes + <usize> outcome * 4, load<u32>(outcomes + <usize> outcome * 4) + 1);
    const connected = outcome <= RACE_FASTER;
    if (connected) {
      ttcSum += <u64> end;
      if (end < ttcMin) ttcMin = end;
      if (end > ttcMax) ttcMax = end;
      const b = bucketOf(end);
      store<u32>(histogram + <usize> b * 4, load<u32>(histogram + <usize> b * 4) + 1);
    }
    if (i < keep) {
      const r = SUMMARY_SIZE + HIST_SIZE + <usize> i * RESULT_SIZE;
      putU32(r, connected ? end : NEVER);
      putU32(r + 4, end);
      putU32(r + 8, (connected ? winnerPvd : 0xff) | (outcome << 8) | (started << 16) | (s << 24));
    }
  }

  putU32(S_RACES, count);
  for (let o: u32 = 1; o <= RACE_STALLED; o++) putU32(<usize> o * 4, load<u32>(outcomes + <usize> o * 4));
  putU32(S_KEPT, keep);
  put64(S_ATTEMPTS, attempts);
  put64(S_CANCELLED, cancelled);
  put64(S_DECISIONS, decisions);
  put64(S_EVENTS, events);
  put64(S_ACTIONS, actions);
  put64(S_TTC_SUM, ttcSum);
  putU32(S_TTC_MIN, ttcMin);
  putU32(S_TTC_MAX, ttcMax);
  memory.copy(resultPtr() + SUMMARY_SIZE, histogram, HIST_SIZE);
  return <i32> size;
}

function put64(at: usize, value: u64): void {
  putU32(at, <u32> value);
  putU32(at + 4, <u32> (value >> 32));
}

/**
 * Validates scenario `s` at input offset `at` and decodes it into its
 * table. Returns the offset after it, or 0 with decodeStatus set.
 */
function decodeScenario(s: u32, at: usize): usize {
  if (!canRead(at, SCENARIO_SIZE)) return bad(ErrorCode.Truncated, at, DETAIL_SIM_TRUNCATED);
  const weight = le16(at);
  if (weight == 0) return bad(ErrorCode.InvalidValue, at, DETAIL_SIM_WEIGHT);
  const pvds = le8(at + 2);
  if (pvds > MAX_PVDS) return bad(ErrorCode.OutOfRange, at + 2, DETAIL_SIM_PVDS);
  const dests = le8(at + 3);
  if (dests > MAX_DESTINATIONS) return bad(ErrorCode.OutOfRange, at + 3, DETAIL_SIM_DESTINATIONS);
  const preferred = le8(at + 25);
  if (preferred != 4 && preferred != 6) return bad(ErrorCode.InvalidValue, at + 25, DETAIL_SIM_FAMILY);
  if (le16(at + 26) != 0) return bad(ErrorCode.InvalidValue, at + 26, DETAIL_SIM_RESERVED);
  const start = at;
  const t = scenarioAt(s);
  store<u32>(t + T_WEIGHT, weight);
  store<u8>(t + T_PVDS, <u8> pvds);
  store<u8>(t + T_DESTS, <u8> dests);
  store<u8>(t + T_PREFERRED, <u8> preferred);
  store<u32>(t + T_JITTER, le32(at + 4));
  store<u32>(t + T_TIMEOUT, le32(at + 8));
  store<u32>(t + T_RES_DELAY, le32(at + 12));
  store<u32>(t + T_ATT_DELAY, le32(at + 16));
  store<u32>(t + T_STAGGER, le32(at + 20));
  store<u8>(t + T_FFC, <u8> le8(at + 24));
  at += SCENARIO_SIZE;

  if (!canRead(at, <usize> pvds * SIM_PVD_SIZE)) return bad(ErrorCode.Truncated, at, DETAIL_SIM_TRUNCATED);
  let answers: u32 = 0;
  let first: u32 = 0;
  for (let p: u32 = 0; p < pvds; p++) {
    const policy = le8(at);
    const families = le8(at + 1);
    if (!racePvdValid(policy, families)) return bad(ErrorCode.InvalidValue, at, DETAIL_SIM_PVD);
    if (le16(at + 2) != 0) return bad(ErrorCode.InvalidValue, at + 2, DETAIL_SIM_RESERVED);
    store<u8>(t + T_POLICY + <usize> p, <u8> policy);
    store<u8>(t + T_FAMILIES + <usize> p, <u8> families);
    // A (family bit 0) then AAAA (bit 1).
    for (let f: u32 = 0; f < 2; f++) {
      const a = at + 4 + <usize> f * ANSWER_SIZE;
      const time = le32(a);
      const n = le8(a + 4);
      if ((families & (1 << f)) == 0) {
        if (time != 0 || n != 0) return bad(ErrorCode.InvalidValue, a, DETAIL_SIM_UNASKED);
      }
      if (le8(a + 5) != 0 || le16(a + 6) != 0) return bad(ErrorCode.InvalidValue, a + 5, DETAIL_SIM_RESERVED);
      if ((families & (1 << f)) == 0) continue;
      if (first + n > dests) return bad(ErrorCode.BadLength, a + 4, DETAIL_SIM_COUNT);
      const e = t + T_ANSWER + <usize> answers * 8;
      store<u32>(e, time);
      store<u8>(e + 4, <u8> p);
      store<u8>(e + 5, <u8> (f == 0 ? 4 : 6));
      store<u8>(e + 6, <u8> first);
      store<u8>(e + 7, <u8> n);
      answers++;
      first += n;
    }
    at += SIM_PVD_SIZE;
  }
  if (first != dests) return bad(ErrorCode.BadLength, start + 3, DETAIL_SIM_COUNT);
  store<u8>(t + T_ANSWERS, <u8> answers);

  if (!canRead(at, <usize> dests * SIM_DEST_SIZE)) return bad(ErrorCode.Truncated, at, DETAIL_SIM_TRUNCATED);
  for (let j: u32 = 0; j < dests; j++) {
    const kind = le8(at);
    if (kind < OUTCOME_CONNECT || kind > OUTCOME_BLACK_HOLE) return bad(ErrorCode.InvalidValue, at, DETAIL_SIM_OUTCOME);
    if (le8(at + 1) != 0 || le16(at + 2) != 0) return bad(ErrorCode.InvalidValue, at + 1, DETAIL_SIM_RESERVED);
    const e = t + T_DEST + <usize> j * 8;
    store<u32>(e, le32(at + 4));
    store<u8>(e + 4, <u8> kind);
    at += SIM_DEST_SIZE;
  }
  return at;
}

function bad(code: i32, at: usize, detail: u32): usize {
  decodeStatus = failWith(code, at, detail);
  return 0;
}

// ---------------------------------------------------------------------------
// One race

function nextRandom(): u32 {
  let x = rng;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  rng = x;
  return x;
}

/** `base` plus a uniform integer in [-j, j], clamped to 0 .. NEVER - 1. */
function jittered(base: u32, j: u32): u32 {
  const span = (<u64> j << 1) + 1;
  const draw = (<u64> nextRandom() * span) >> 32;
  const value = <i64> base + <i64> draw - <i64> j;
  if (value < 0) return 0;
  return value >= <i64> NEVER ? NEVER - 1 : <u32> value;
}

function bucketOf(t: u32): u32 {
  if (t < 32) return t;
  const e = 31 - clz<u32>(t);
  return 32 + (e - 5) * 16 + ((t >> (e - 4)) & 15);
}

/**
 * Runs one race of scenario `t` to its end; returns when it ended (ms) and
 * leaves outcome, winnerPvd and started set.
 */
function runRace(t: usize): u32 {
  const jitter = load<u32>(t + T_JITTER);
  const answers = <u32> load<u8>(t + T_ANSWERS);
  const dests = <u32> load<u8>(t + T_DESTS);
  const timeout = load<u32>(t + T_TIMEOUT);
  for (let k: u32 = 0; k < answers; k++) {
    const time = load<u32>(t + T_ANSWER + <usize> k * 8);
    store<u32>(answerTime + <usize> k * 4, time == NEVER || jitter == 0 ? time : jittered(time, jitter));
  }
  for (let j: u32 = 0; j < dests; j++) {
    const e = t + T_DEST + <usize> j * 8;
    const latency = load<u32>(e);
    const kind = <u32> load<u8>(e + 4);
    store<u32>(
      destLatency + <usize> j * 4,
      kind == OUTCOME_BLACK_HOLE ? NEVER : jitter == 0 ? latency : jittered(latency, jitter),
    );
    store<u32>(destDue + <usize> j * 4, NEVER);
  }

  const pvds = <u32> load<u8>(t + T_PVDS);
  raceOpen(
    race,
    1,
    pvds,
    load<u32>(t + T_RES_DELAY),
    load<u32>(t + T_ATT_DELAY),
    load<u32>(t + T_STAGGER),
    <u32> load<u8>(t + T_FFC),
    <u32> load<u8>(t + T_PREFERRED),
  );
  for (let p: u32 = 0; p < pvds; p++) {
    raceSetPvd(race, p, <u32> load<u8>(t + T_POLICY + <usize> p), <u32> load<u8>(t + T_FAMILIES + <usize> p));
  }
  raceRank(race);
  started = 0;
  outcome = 0;
  winnerPvd = 0xff;

  let now: u32 = 0;
  for (let step: u32 = 0; step < MAX_STEPS; step++) {
    raceLogActions();
    raceAdvance(race, now);
    // The answers due now: their destinations, then their end.
    for (let k: u32 = 0; k < answers; k++) {
      if (load<u32>(answerTime + <usize> k * 4) != now) continue;
      store<u32>(answerTime + <usize> k * 4, NEVER);
      const e = t + T_ANSWER + <usize> k * 8;
      const p = <u32> load<u8>(e + 4);
      const family = <u32> load<u8>(e + 5);
      const from = <u32> load<u8>(e + 6);
      const to = from + <u32> load<u8>(e + 7);
      for (let j = from; j < to; j++) raceAddress(race, p, family, j);
      raceResolved(race, p, family, now);
      events += <u64> (to - from + 1);
    }
    // The outcomes due now, in start order; none once the race is won.
    for (let k: u32 = 0; k < started && raceRunning(race); k++) {
      const j = <u32> load<u8>(startOrder + <usize> k);
      if (load<u32>(destDue + <usize> j * 4) != now) continue;
      store<u32>(destDue + <usize> j * 4, NEVER);
      const kind = <u32> load<u8>(t + T_DEST + <usize> j * 8 + 4);
      raceEnded(race, <u32> load<u8>(destAttempt + <usize> j), kind == OUTCOME_CONNECT, now);
      events++;
    }
    if (raceRunning(race)) {
      if (now == timeout) {
        abortOutcome = RACE_TIMEOUT;
        raceAbort(race, now);
        events++;
      } else {
        raceSchedule(race, now);
      }
    }
    decisions++;
    carryOut(now);
    if (!raceRunning(race)) return now;

    // The next instant: the earliest answer, outcome, wake-up or timeout.
    let next = wake < timeout ? wake : timeout;
    for (let k: u32 = 0; k < answers; k++) {
      const time = load<u32>(answerTime + <usize> k * 4);
      if (time < next) next = time;
    }
    for (let k: u32 = 0; k < started; k++) {
      const due = load<u32>(destDue + <usize> load<u8>(startOrder + <usize> k) * 4);
      if (due < next) next = due;
    }
    if (next == NEVER) break;
    // Time never goes back, even for a wake-up in the past (only possible
    // when the scheduler's u32 times wrap, with delays near 2^32 ms).
    now = next > now ? next : now;
  }
  // Nothing left that could happen (or, in theory, out of steps).
  raceLogActions();
  abortOutcome = RACE_STALLED;
  raceAbort(race, now);
  events++;
  decisions++;
  carryOut(now);
  return now;
}

/** Carries out the step's actions from the scheduler's action log. */
function carryOut(now: u32): void {
  const n = loggedActions();
  actions += <u64> n;
  wake = NEVER;
  for (let i: u32 = 0; i < n; i++) {
    const at = actionLog + <usize> i * ACTION_SIZE;
    const word = load<u32>(at);
    const value = load<u32>(at + 4);
    const kind = word & 0xff;
    if (kind == ACTION_START) {
      // The handle is the destination's index in the scenario.
      const j = value & (MAX_DESTINATIONS - 1);
      const latency = load<u32>(destLatency + <usize> j * 4);
      const due = <u64> now + <u64> latency;
      store<u8>(destAttempt + <usize> j, <u8> (word >> 16));
      store<u32>(destDue + <usize> j * 4, latency == NEVER || due >= <u64> NEVER ? NEVER : <u32> due);
      if (started < MAX_DESTINATIONS) {
        store<u8>(startOrder + <usize> started, <u8> j);
        started++;
      }
      attempts++;
    } else if (kind == ACTION_CANCEL) {
      store<u32>(destDue + <usize> (value & (MAX_DESTINATIONS - 1)) * 4, NEVER);
      cancelled++;
    } else if (kind == ACTION_WINNER) {
      outcome = word >> 24;
      winnerPvd = (word >> 8) & 0xff;
    } else if (kind == ACTION_FAILURE) {
      const reason = word >> 24;
      outcome = reason == FAIL_ABORTED ? abortOutcome : reason + 3;
    } else if (kind == ACTION_WAKE) {
      wake = value;
    }
  }
}
