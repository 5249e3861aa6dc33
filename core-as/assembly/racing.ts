/*
 * Connection racing scheduler: Happy Eyeballs v2 (RFC 8305) inside each
 * provisioning domain, and a data-driven policy across PvDs (require,
 * prefer, avoid, prohibit, order, stagger), as the MIF draft's section 3.3
 * asks ("send SYNs to every address through every PvD, keep the best").
 *
 *   raceStep(len)   one entry point; the operation is in the header
 *
 * raceStep only decodes bytes and writes records: the scheduling logic is a
 * set of plain functions over one race's state (raceOpen, raceAddress,
 * raceResolved, raceEnded, raceAbort, raceSchedule, ...; see "The scheduler
 * as plain functions" below), which in-core hosts such as
 * racing_simulation.ts call directly, collecting actions from a log.
 *
 * Sans-IO: the scheduler opens no socket, keeps no timer and reads no
 * clock. The host passes `now` (u32 milliseconds since the race opened,
 * never decreasing) with every call, feeds events (addresses resolved,
 * attempt succeeded or failed, abort) and carries out the actions it gets
 * back (start attempt, cancel attempt, winner, failure, wake me at T). Same
 * events, same actions: tests, simulations and benchmarks run identically.
 *
 * State. Races live in linear memory, in MAX_RACES fixed slots reserved as
 * static data (no allocation). A race is named by its race id, slot +
 * 256 * generation, so a closed race's id never reaches a newer race in the
 * same slot. Capacities per race: MAX_PVDS 8 PvDs, MAX_DESTINATIONS 64
 * destinations over all PvDs (an attempt id is the destination's index:
 * each destination is tried at most once).
 *
 * Input (little-endian):
 *   header, HEADER_SIZE = 16 bytes
 *     0  u8  operation: OP_OPEN 1, OP_EVENTS 2, OP_CLOSE 3
 *     1..3   zero
 *     4  u32 race id (OP_EVENTS, OP_CLOSE; ignored by OP_OPEN)
 *     8  u32 now, ms since the race opened (OP_EVENTS)
 *     12 u32 count: PvDs (OP_OPEN) or events (OP_EVENTS)
 *   OP_OPEN then: options, OPTIONS_SIZE = 16 bytes
 *     0  u32 resolution delay ms (RFC 8305 section 3)
 *     4  u32 connection attempt delay ms, clamped to 10 .. 2000 (section 5:
 *        "MUST NOT be less than 10 ms" ... "SHOULD NOT be greater than 2 s")
 *     8  u32 cross-PvD stagger ms
 *     12 u8  first address family count (section 4), 1..64 (0 means 1)
 *     13 u8  preferred family, 4 or 6
 *     14 u16 zero
 *   and count PvDs, PVD_SIZE = 4 bytes, in the policy's order of PvDs
 *     0  u8  policy: POLICY_NEUTRAL 0, REQUIRE 1, PREFER 2, AVOID 3,
 *            PROHIBIT 4 (TAPS-like)
 *     1  u8  families queried: bit 0 IPv4 (A), bit 1 IPv6 (AAAA)
 *     2  u16 zero
 *   OP_EVENTS then: count events, EVENT_SIZE = 8 bytes
 *     0  u8  type: EV_ADDRESS 1, EV_RESOLVED 2, EV_SUCCEEDED 3,
 *            EV_FAILED 4, EV_ABORT 5
 *     1  u8  PvD index (EV_ADDRESS, EV_RESOLVED)
 *     2  u8  family 4 or 6 (EV_ADDRESS, EV_RESOLVED)
 *     3  u8  zero
 *     4  u32 EV_ADDRESS: a host handle for the (source, destination) pair,
 *            given back in actions; EV_SUCCEEDED, EV_FAILED: attempt id
 *   EV_ADDRESS events of one PvD and family come in RFC 6724 order; the
 *   family's EV_RESOLVED ends its answer (none before it: a negative one).
 *
 * Output: records of records.ts (tags below, high byte 0x06). A malformed
 * event is skipped with a TAG_SKIPPED record (code = detail, start/length =
 * the event's bytes, a = its type) and the rest are applied. A malformed
 * header fails the call with a detail and changes nothing. The result
 * capacity is checked before any state changes, so the host's retry on
 * ResultTooSmall replays the same call on the same state.
 *
 * Within a PvD (RFC 8305):
 *   - Resolution delay (section 3): when the preferred family's answer
 *     comes first, or the other family is not queried, attempts may start
 *     at once; when the other family's comes first, they wait until the
 *     preferred family answers or the resolution delay has passed.
 *   - Interleaving (section 4): `first family count` addresses of the
 *     preferred family, then alternating; a family that has run out leaves
 *     its turn to the other. Addresses arriving later join their family.
 *   - Connection attempt delay (section 5): the next attempt starts one
 *     delay after the last start, or at once when an attempt fails or none
 *     is in flight. Attempts stay in flight until the race ends: none is
 *     aborted at the attempt delay.
 * Across PvDs: PvDs with `prohibit` are never used; when any PvD has
 * `require`, only those are used. The others are ranked prefer (and
 * require), neutral, avoid, ties by input order. A PvD starts no earlier
 * than n * stagger after the race opened, n being the PvDs ranked before it
 * that are not exhausted (answers in, every attempt failed): at once when
 * they all are, and a dead PvD holds no one back.
 * Every PvD runs its own Happy Eyeballs: attempts in several PvDs overlap.
 *
 * End: the first attempt to succeed wins; every other attempt in flight is
 * cancelled. When every usable PvD is exhausted, the race fails. Either way
 * the outcome record is followed by its report (its children): one record
 * per started attempt. After the end, events are skipped (DETAIL_RACE_OVER).
 */

import { begin, canRead, ErrorCode, failWith, inputLength, inputPtr, needResult } from "./abi";
import { beginRecords, closeRecord, putRecord, RECORD_SIZE, recordsWritten, TAG_SKIPPED } from "./records";

// ---------------------------------------------------------------------------
// Record tags (high byte 0x06). code/start/length/a/b per tag:

/** OP_OPEN: the race opened. a = race id. */
export const TAG_RACE: u32 = 0x0601;
/** Start an attempt now. code = PvD index, start = attempt id, length = 0, a = host handle, b = family. */
export const TAG_START: u32 = 0x0602;
/** Cancel an attempt in flight (the race is over). start = attempt id, a = host handle. */
export const TAG_CANCEL: u32 = 0x0603;
/**
 * The winner. code = WIN_* reason, start = attempt id, a = host handle,
 * b = attempts started before it and still in flight when it won.
 * Children: its report (TAG_ATTEMPT records).
 */
export const TAG_WINNER: u32 = 0x0604;
/** The race failed. code = FAIL_* reason. Children: its report. */
export const TAG_FAILURE: u32 = 0x0605;
/** Call again (with no events) at time a (ms since the race opened). */
export const TAG_WAKE: u32 = 0x0606;
/**
 * One started attempt of a report. code = RESULT_* | (PvD index << 8),
 * start = attempt id, length = start order (0 first), a = start time,
 * b = end time (ms since the race opened).
 */
export const TAG_ATTEMPT: u32 = 0x0607;

/** Winner reasons. The first attempt started in the race succeeded. */
export const WIN_FIRST: u32 = 1;
/** Every attempt started before it had failed. */
export const WIN_FALLBACK: u32 = 2;
/** It succeeded while attempts started before it were in flight. */
export const WIN_FASTER: u32 = 3;

/** Failure reasons. Attempts were made and every one failed. */
export const FAIL_ALL_FAILED: u32 = 1;
/** Every answer came in and no usable PvD had an address. */
export const FAIL_NO_ADDRESSES: u32 = 2;
/** The policy left no PvD to use. */
export const FAIL_NO_PVD: u32 = 3;
/** The host aborted the race (EV_ABORT). */
export const FAIL_ABORTED: u32 = 4;

/** Attempt results in reports. */
export const RESULT_SUCCEEDED: u32 = 1;
export const RESULT_FAILED: u32 = 2;
export const RESULT_CANCELLED: u32 = 3;

// ---------------------------------------------------------------------------
// Detail identifiers (0x600..0x6ff), mirrored in core-as/racing.ts.

/** Unknown operation. */
export const DETAIL_BAD_OPERATION: u32 = 0x601;
/** The input length does not match the header's count. */
export const DETAIL_BAD_LENGTH: u32 = 0x602;
/** No such race (closed, or never opened). */
export const DETAIL_NO_RACE: u32 = 0x603;
/** Every race slot is in use. */
export const DETAIL_NO_SLOT: u32 = 0x604;
/** More than MAX_PVDS PvDs. */
export const DETAIL_TOO_MANY_PVDS: u32 = 0x605;
/** A PvD entry with an unknown policy or no family. */
export const DETAIL_BAD_PVD: u32 = 0x606;
/** Preferred family not 4 or 6. */
export const DETAIL_BAD_FAMILY: u32 = 0x607;
/** `now` is earlier than the race's last `now`. */
export const DETAIL_TIME_BACKWARDS: u32 = 0x608;
/** Skipped event: unknown type. */
export const DETAIL_BAD_EVENT: u32 = 0x609;
/** Skipped event: PvD index or family not of this race. */
export const DETAIL_BAD_EVENT_PVD: u32 = 0x60a;
/** Skipped event: no attempt in flight with this id. */
export const DETAIL_NO_ATTEMPT: u32 = 0x60b;
/** Skipped event: the race has MAX_DESTINATIONS destinations already. */
export const DETAIL_TOO_MANY_DESTINATIONS: u32 = 0x60c;
/** Skipped event: the race is over. */
export const DETAIL_RACE_OVER: u32 = 0x60d;
/** Skipped event: an address for a family already answered. */
export const DETAIL_ALREADY_RESOLVED: u32 = 0x60e;

// ---------------------------------------------------------------------------
// Layout

const OP_OPEN: i32 = 1;
const OP_EVENTS: i32 = 2;
const OP_CLOSE: i32 = 3;

const EV_ADDRESS: i32 = 1;
const EV_RESOLVED: i32 = 2;
const EV_SUCCEEDED: i32 = 3;
const EV_FAILED: i32 = 4;
const EV_ABORT: i32 = 5;

const POLICY_NEUTRAL: u32 = 0;
const POLICY_REQUIRE: u32 = 1;
const POLICY_PREFER: u32 = 2;
const POLICY_AVOID: u32 = 3;
const POLICY_PROHIBIT: u32 = 4;

const HEADER_SIZE: usize = 16;
const OPTIONS_SIZE: usize = 16;
const PVD_SIZE: usize = 4;
const EVENT_SIZE: usize = 8;

/** Races open at once. */
export const MAX_RACES: u32 = 64;
/** PvDs per race. */
export const MAX_PVDS: u32 = 8;
/** Destinations (and so attempts) per race, over all its PvDs. */
export const MAX_DESTINATIONS: u32 = 64;

const MIN_ATTEMPT_DELAY: u32 = 10;
const MAX_ATTEMPT_DELAY: u32 = 2000;

// Race slot: header, then MAX_PVDS PvD entries, then destinations.
const R_ID: usize = 0; // u32, 0 = free slot
const R_STATE: usize = 4; // u8 STATE_*
const R_PVDS: usize = 5; // u8
const R_DESTS: usize = 6; // u8
const R_FFC: usize = 7; // u8 first family count
const R_PREFERRED: usize = 8; // u8 4 or 6
const R_STARTED: usize = 9; // u8 attempts started
const R_NOW: usize = 12; // u32
const R_RES_DELAY: usize = 16; // u32
const R_ATT_DELAY: usize = 20; // u32
const R_STAGGER: usize = 24; // u32
const R_HEADER: usize = 32;

const P_POLICY: usize = 0; // u8
const P_FAMILIES: usize = 1; // u8 bits FAM_V4, FAM_V6
const P_ANSWERED: usize = 2; // u8 bits
const P_ELIGIBLE: usize = 3; // u8
const P_RANK: usize = 4; // u8
const P_KICKS: usize = 5; // u8 failures not yet answered by a start
const P_IN_FLIGHT: usize = 6; // u8
const P_STARTED_PREF: usize = 7; // u8
const P_STARTED_OTHER: usize = 8; // u8
const P_FIRST_ANSWER: usize = 12; // u32 time of the first answer + 1 (0 none)
const P_NEXT_AT: usize = 16; // u32 earliest start by the attempt delay
const P_SIZE: usize = 24;

const D_PVD: usize = 0; // u8
const D_FAMILY: usize = 1; // u8 4 or 6
const D_STATE: usize = 2; // u8 DS_*
const D_ORDER: usize = 3; // u8 start order
const D_HANDLE: usize = 4; // u32
const D_START: usize = 8; // u32
const D_END: usize = 12; // u32
const D_SIZE: usize = 16;

const PVDS_AT: usize = R_HEADER;
const DESTS_AT: usize = PVDS_AT + <usize> MAX_PVDS * P_SIZE;
/** Bytes of one race's state (see the plain functions). */
export const RACE_SIZE: usize = DESTS_AT + <usize> MAX_DESTINATIONS * D_SIZE;

const STATE_RUNNING: u32 = 0;
const STATE_OVER: u32 = 1;

const DS_WAITING: u32 = 0;
const DS_IN_FLIGHT: u32 = 1;
const DS_SUCCEEDED: u32 = 2;
const DS_FAILED: u32 = 3;
const DS_CANCELLED: u32 = 4;

const FAM_V4: u32 = 1;
const FAM_V6: u32 = 2;

/** Records one call may write besides one per event: starts, cancels, outcome, report, wake. */
const FIXED_RECORDS: usize = 4 * <usize> MAX_DESTINATIONS + 8;

const races = memory.data(<i32> (<usize> MAX_RACES * RACE_SIZE), 16);
let generation: u32 = 0;
const NO_TIME: u32 = 0xffff_ffff;

// ---------------------------------------------------------------------------
// Input readers: the whole input's length is checked against the header's
// count first, so these only guard against a short input.

function le8(at: usize): u32 {
  return canRead(at, 1) ? <u32> load<u8>(inputPtr() + at) : 0;
}

function le32(at: usize): u32 {
  return canRead(at, 4) ? load<u32>(inputPtr() + at) : 0;
}

function familyBit(family: u32): u32 {
  return family == 4 ? FAM_V4 : family == 6 ? FAM_V6 : 0;
}

function pvdAt(race: usize, p: u32): usize {
  return race + PVDS_AT + <usize> p * P_SIZE;
}

function destAt(race: usize, d: u32): usize {
  return race + DESTS_AT + <usize> d * D_SIZE;
}

/** The slot of race `id`, or 0 when no open race has that id. */
function raceOf(id: u32): usize {
  const slot = id & 0xff;
  if (id == 0 || slot >= MAX_RACES) return 0;
  const race = races + <usize> slot * RACE_SIZE;
  return load<u32>(race + R_ID) == id ? race : 0;
}

// ---------------------------------------------------------------------------
// Entry point: decodes the input bytes into calls of the scheduler's plain
// functions (next section) and writes their actions as records.

/** Runs one operation of the scheduler; see the module comment. */
export function raceStep(len: usize): i32 {
  logActions = false;
  const status = begin(len);
  if (status != 0) return status;
  beginRecords();
  if (len < HEADER_SIZE) return failWith(ErrorCode.Truncated, len, DETAIL_BAD_LENGTH);
  const op = <i32> le8(0);
  const count = le32(12);
  if (op == OP_OPEN) return open(count);
  if (op == OP_CLOSE) {
    if (len != HEADER_SIZE) return failWith(ErrorCode.BadLength, HEADER_SIZE, DETAIL_BAD_LENGTH);
    const race = raceOf(le32(4));
    if (race == 0) return failWith(ErrorCode.InvalidValue, 4, DETAIL_NO_RACE);
    store<u32>(race + R_ID, 0);
    return 0;
  }
  if (op == OP_EVENTS) return events(count);
  return failWith(ErrorCode.InvalidValue, 0, DETAIL_BAD_OPERATION);
}

function open(count: u32): i32 {
  if (count > MAX_PVDS) return failWith(ErrorCode.OutOfRange, 12, DETAIL_TOO_MANY_PVDS);
  const expected = HEADER_SIZE + OPTIONS_SIZE + <usize> count * PVD_SIZE;
  if (inputLength() != expected) return failWith(ErrorCode.BadLength, inputLength(), DETAIL_BAD_LENGTH);
  const o = HEADER_SIZE;
  const preferred = le8(o + 13);
  if (preferred != 4 && preferred != 6) return failWith(ErrorCode.InvalidValue, o + 13, DETAIL_BAD_FAMILY);
  for (let p: u32 = 0; p < count; p++) {
    const at = o + OPTIONS_SIZE + <usize> p * PVD_SIZE;
    if (!racePvdValid(le8(at), le8(at + 1))) return failWith(ErrorCode.InvalidValue, at, DETAIL_BAD_PVD);
  }
  let race: usize = 0;
  for (let s: u32 = 0; s < MAX_RACES; s++) {
    const r = races + <usize> s * RACE_SIZE;
    if (load<u32>(r + R_ID) == 0) {
      race = r;
      generation = generation >= 0xff_fffe ? 1 : generation + 1;
      store<u32>(race + R_ID, s | (generation << 8));
      break;
    }
  }
  if (race == 0) return failWith(ErrorCode.InvalidValue, 0, DETAIL_NO_SLOT);
  const status = needResult(RECORD_SIZE);
  if (status != 0) {
    store<u32>(race + R_ID, 0);
    return status;
  }
  raceOpen(race, load<u32>(race + R_ID), count, le32(o), le32(o + 4), le32(o + 8), le8(o + 12), preferred);
  for (let p: u32 = 0; p < count; p++) {
    const at = o + OPTIONS_SIZE + <usize> p * PVD_SIZE;
    raceSetPvd(race, p, le8(at), le8(at + 1));
  }
  raceRank(race);
  putRecord(TAG_RACE, 0, 0, 0, load<u32>(race + R_ID), 0);
  return <i32> RECORD_SIZE;
}

function events(count: u32): i32 {
  const len = inputLength();
  if (<usize> count > (len - HEADER_SIZE) / EVENT_SIZE || len != HEADER_SIZE + <usize> count * EVENT_SIZE) {
    return failWith(ErrorCode.BadLength, len, DETAIL_BAD_LENGTH);
  }
  const race = raceOf(le32(4));
  if (race == 0) return failWith(ErrorCode.InvalidValue, 4, DETAIL_NO_RACE);
  const now = le32(8);
  if (now < load<u32>(race + R_NOW)) return failWith(ErrorCode.OutOfRange, 8, DETAIL_TIME_BACKWARDS);
  const status = needResult((<usize> count + FIXED_RECORDS) * RECORD_SIZE);
  if (status != 0) return status;
  raceAdvance(race, now);
  let aborted = false;
  for (let i: u32 = 0; i < count; i++) {
    const at = HEADER_SIZE + <usize> i * EVENT_SIZE;
    const type = <i32> le8(at);
    if (!raceRunning(race)) {
      putRecord(TAG_SKIPPED, DETAIL_RACE_OVER, at, EVENT_SIZE, <u32> type, 0);
      continue;
    }
    const detail = applyEvent(race, at, type, now);
    if (detail == 0xffff_ffff) {
      aborted = true;
      raceAbort(race, now);
    } else if (detail != 0) {
      putRecord(TAG_SKIPPED, detail, at, EVENT_SIZE, <u32> type, 0);
    }
  }
  if (!aborted && raceRunning(race)) raceSchedule(race, now);
  return <i32> (recordsWritten() * RECORD_SIZE);
}

/** Applies one event's bytes; returns 0, a detail id to skip it, or 0xffffffff for abort. */
function applyEvent(race: usize, at: usize, type: i32, now: u32): u32 {
  if (type == EV_ABORT) return 0xffff_ffff;
  if (type == EV_ADDRESS) return raceAddress(race, le8(at + 1), le8(at + 2), le32(at + 4));
  if (type == EV_RESOLVED) return raceResolved(race, le8(at + 1), le8(at + 2), now);
  if (type == EV_SUCCEEDED || type == EV_FAILED) return raceEnded(race, le32(at + 4), type == EV_SUCCEEDED, now);
  return DETAIL_BAD_EVENT;
}

// ---------------------------------------------------------------------------
// The scheduler as plain functions over one race's state at `race` (RACE_SIZE
// bytes anywhere in memory). raceStep above is one host of them; an in-core
// host such as racing_simulation.ts calls them directly, with no input bytes
// and no records: one implementation of the scheduling logic for both.
//
// A host opens a race (raceOpen, raceSetPvd per PvD, raceRank), then per
// instant `now`: raceAdvance, the events of that instant in order
// (raceAddress, raceResolved, raceEnded, raceAbort; none once raceRunning is
// false), then raceSchedule if the race is still running. Arguments are
// validated as raceStep validates its bytes: a PvD entry must pass
// racePvdValid and the preferred family be 4 or 6 before raceOpen.

/** True when a PvD entry's policy and families are acceptable (as OP_OPEN checks them). */
export function racePvdValid(policy: u32, families: u32): bool {
  return policy <= POLICY_PROHIBIT && families != 0 && families <= 3;
}

/**
 * Opens a race at `race` with OP_OPEN's options: clears its state, clamps
 * the first family count to 1..64 and the attempt delay to 10..2000 ms.
 */
export function raceOpen(
  race: usize,
  id: u32,
  pvdCount: u32,
  resolutionDelay: u32,
  attemptDelay: u32,
  stagger: u32,
  firstFamilyCount: u32,
  preferred: u32,
): void {
  // Destination entries are written whole when added (raceAddress) and
  // never read past the count, so only the header and the PvDs are cleared.
  memory.fill(race, 0, DESTS_AT);
  store<u32>(race + R_ID, id);
  store<u8>(race + R_PVDS, <u8> pvdCount);
  let ffc = firstFamilyCount;
  if (ffc == 0) ffc = 1;
  if (ffc > MAX_DESTINATIONS) ffc = MAX_DESTINATIONS;
  store<u8>(race + R_FFC, <u8> ffc);
  store<u8>(race + R_PREFERRED, <u8> preferred);
  store<u32>(race + R_RES_DELAY, resolutionDelay);
  let delay = attemptDelay;
  if (delay < MIN_ATTEMPT_DELAY) delay = MIN_ATTEMPT_DELAY;
  if (delay > MAX_ATTEMPT_DELAY) delay = MAX_ATTEMPT_DELAY;
  store<u32>(race + R_ATT_DELAY, delay);
  store<u32>(race + R_STAGGER, stagger);
}

/** Sets PvD `p`'s policy and families (bit 0 IPv4, bit 1 IPv6). */
export function raceSetPvd(race: usize, p: u32, policy: u32, families: u32): void {
  const pvd = pvdAt(race, p);
  store<u8>(pvd + P_POLICY, <u8> policy);
  store<u8>(pvd + P_FAMILIES, <u8> families);
}

/** Ranks the PvDs by their policies; call once every PvD is set. */
export function raceRank(race: usize): void {
  const count = <u32> load<u8>(race + R_PVDS);
  let required = false;
  for (let p: u32 = 0; p < count; p++) {
    if (<u32> load<u8>(pvdAt(race, p) + P_POLICY) == POLICY_REQUIRE) required = true;
  }
  // Rank: require and prefer first, then neutral, then avoid; input order
  // within each class. Only eligible PvDs take a rank.
  let rank: u32 = 0;
  for (let cls: u32 = 0; cls < 3; cls++) {
    for (let p: u32 = 0; p < count; p++) {
      const pvd = pvdAt(race, p);
      const policy = <u32> load<u8>(pvd + P_POLICY);
      if (policy == POLICY_PROHIBIT || (required && policy != POLICY_REQUIRE)) continue;
      const c: u32 = policy == POLICY_REQUIRE || policy == POLICY_PREFER ? 0 : policy == POLICY_NEUTRAL ? 1 : 2;
      if (c != cls) continue;
      store<u8>(pvd + P_ELIGIBLE, 1);
      store<u8>(pvd + P_RANK, <u8> rank);
      rank++;
    }
  }
}

/** Moves the race's clock to `now`; false (and no change) if that is earlier than its last. */
export function raceAdvance(race: usize, now: u32): bool {
  if (now < load<u32>(race + R_NOW)) return false;
  store<u32>(race + R_NOW, now);
  return true;
}

/** True until the race has a winner or has failed. */
export function raceRunning(race: usize): bool {
  return <u32> load<u8>(race + R_STATE) == STATE_RUNNING;
}

/** 0 when PvD `p` of the race queries `family` and has no answer for it yet, else the detail. */
function answerCheck(race: usize, p: u32, family: u32): u32 {
  const bit = familyBit(family);
  if (p >= <u32> load<u8>(race + R_PVDS) || bit == 0) return DETAIL_BAD_EVENT_PVD;
  const pvd = pvdAt(race, p);
  if ((<u32> load<u8>(pvd + P_FAMILIES) & bit) == 0) return DETAIL_BAD_EVENT_PVD;
  if ((<u32> load<u8>(pvd + P_ANSWERED) & bit) != 0) return DETAIL_ALREADY_RESOLVED;
  return 0;
}

/**
 * EV_ADDRESS: a destination of PvD `p`'s answer for `family`, next in RFC
 * 6724 order. Its attempt id is the number of destinations added before it.
 * Returns 0, or the detail of why it was not added.
 */
export function raceAddress(race: usize, p: u32, family: u32, handle: u32): u32 {
  const detail = answerCheck(race, p, family);
  if (detail != 0) return detail;
  const n = <u32> load<u8>(race + R_DESTS);
  if (n >= MAX_DESTINATIONS) return DETAIL_TOO_MANY_DESTINATIONS;
  const d = destAt(race, n);
  store<u64>(d, 0);
  store<u64>(d + 8, 0);
  store<u8>(d + D_PVD, <u8> p);
  store<u8>(d + D_FAMILY, <u8> family);
  store<u8>(d + D_STATE, <u8> DS_WAITING);
  store<u32>(d + D_HANDLE, handle);
  store<u8>(race + R_DESTS, <u8> (n + 1));
  return 0;
}

/** EV_RESOLVED: PvD `p`'s answer for `family` is complete. Returns 0 or the detail. */
export function raceResolved(race: usize, p: u32, family: u32, now: u32): u32 {
  const detail = answerCheck(race, p, family);
  if (detail != 0) return detail;
  const pvd = pvdAt(race, p);
  store<u8>(pvd + P_ANSWERED, <u8> (<u32> load<u8>(pvd + P_ANSWERED) | familyBit(family)));
  if (load<u32>(pvd + P_FIRST_ANSWER) == 0) store<u32>(pvd + P_FIRST_ANSWER, now + 1);
  return 0;
}

/**
 * EV_SUCCEEDED (`succeeded`) or EV_FAILED: attempt `id` ended. A success
 * ends the race (its actions: cancels, the winner). Returns 0 or the detail.
 */
export function raceEnded(race: usize, id: u32, succeeded: bool, now: u32): u32 {
  if (id >= <u32> load<u8>(race + R_DESTS)) return DETAIL_NO_ATTEMPT;
  const d = destAt(race, id);
  if (<u32> load<u8>(d + D_STATE) != DS_IN_FLIGHT) return DETAIL_NO_ATTEMPT;
  const pvd = pvdAt(race, <u32> load<u8>(d + D_PVD));
  store<u8>(pvd + P_IN_FLIGHT, <u8> (<u32> load<u8>(pvd + P_IN_FLIGHT) - 1));
  store<u32>(d + D_END, now);
  if (!succeeded) {
    store<u8>(d + D_STATE, <u8> DS_FAILED);
    // RFC 8305 section 5: the next attempt need not wait for the delay
    // once one has failed.
    const kicks = <u32> load<u8>(pvd + P_KICKS);
    if (kicks < 255) store<u8>(pvd + P_KICKS, <u8> (kicks + 1));
    return 0;
  }
  store<u8>(d + D_STATE, <u8> DS_SUCCEEDED);
  finish(race, now, id, 0);
  return 0;
}

/** EV_ABORT: ends the race now (its actions: cancels, the failure `aborted`). */
export function raceAbort(race: usize, now: u32): void {
  finish(race, now, NO_TIME, FAIL_ABORTED);
}

// ---------------------------------------------------------------------------
// Actions: where the scheduler's decisions go. Under raceStep they are
// records (tags above). An in-core host calls raceLogActions first and
// reads the action log instead: ACTION_SIZE bytes per action, in the order
// raceStep would write their records, without the report (the host has
// seen every start and end already). One step logs at most MAX_LOGGED
// actions: each destination starts and is cancelled at most once, plus one
// outcome and one wake-up.
//
// Log entry, little-endian:
//   0  u8  ACTION_*
//   1  u8  PvD index (START, CANCEL, WINNER)
//   2  u8  attempt id (START, CANCEL, WINNER)
//   3  u8  START: family 4 or 6; WINNER: WIN_* reason; FAILURE: FAIL_* reason
//   4  u32 START, CANCEL, WINNER: host handle; WAKE: time

/** Start attempt (TAG_START). */
export const ACTION_START: u32 = 1;
/** Cancel attempt (TAG_CANCEL). */
export const ACTION_CANCEL: u32 = 2;
/** The winner (TAG_WINNER). */
export const ACTION_WINNER: u32 = 3;
/** The race failed (TAG_FAILURE). */
export const ACTION_FAILURE: u32 = 4;
/** Call again at a time (TAG_WAKE). */
export const ACTION_WAKE: u32 = 5;
/** Bytes per log entry. */
export const ACTION_SIZE: usize = 8;
/** Entries one step can log. */
export const MAX_LOGGED: u32 = 2 * MAX_DESTINATIONS + 2;

/** The action log: MAX_LOGGED entries of ACTION_SIZE bytes. */
export const actionLog = memory.data(<i32> (<usize> MAX_LOGGED * ACTION_SIZE), 16);
let logActions = false;
let logged: u32 = 0;

/** Sends the actions of the coming step to the action log, emptied; raceStep goes back to records. */
export function raceLogActions(): void {
  logActions = true;
  logged = 0;
}

/** Actions in the log since raceLogActions. */
export function loggedActions(): u32 {
  return logged;
}

function logAction(kind: u32, p: u32, id: u32, code: u32, value: u32): void {
  if (logged >= MAX_LOGGED) return; // cannot happen: see MAX_LOGGED
  const at = actionLog + <usize> logged * ACTION_SIZE;
  store<u32>(at, kind | (p << 8) | (id << 16) | (code << 24));
  store<u32>(at + 4, value);
  logged++;
}

// ---------------------------------------------------------------------------
// Scheduling

/** The next destination of PvD `p` in Happy Eyeballs order, or NO_TIME. */
function nextDestination(race: usize, p: u32): u32 {
  const pvd = pvdAt(race, p);
  const preferred = <u32> load<u8>(race + R_PREFERRED);
  const other: u32 = preferred == 6 ? 4 : 6;
  const sp = <u32> load<u8>(pvd + P_STARTED_PREF);
  const so = <u32> load<u8>(pvd + P_STARTED_OTHER);
  const ffc = <u32> load<u8>(race + R_FFC);
  // RFC 8305 section 4: `ffc` of the preferred family, then alternate.
  const want = sp < ffc || so + ffc > sp ? preferred : other;
  let wanted = NO_TIME;
  let fallback = NO_TIME;
  const n = <u32> load<u8>(race + R_DESTS);
  for (let i: u32 = 0; i < n; i++) {
    const d = destAt(race, i);
    if (<u32> load<u8>(d + D_PVD) != p || <u32> load<u8>(d + D_STATE) != DS_WAITING) continue;
    const family = <u32> load<u8>(d + D_FAMILY);
    if (family == want) {
      wanted = i;
      break;
    }
    if (fallback == NO_TIME) fallback = i;
  }
  // A family that has run out leaves its turn to the other.
  return wanted != NO_TIME ? wanted : fallback;
}

/** True when PvD `p` can never start another attempt nor win. */
function exhausted(race: usize, p: u32): bool {
  const pvd = pvdAt(race, p);
  if (load<u8>(pvd + P_ANSWERED) != load<u8>(pvd + P_FAMILIES)) return false;
  if (load<u8>(pvd + P_IN_FLIGHT) != 0) return false;
  return nextDestination(race, p) == NO_TIME;
}

/** When PvD `p` may start by the resolution delay, or NO_TIME while it may not. */
function resolutionGate(race: usize, p: u32): u32 {
  const pvd = pvdAt(race, p);
  const first = load<u32>(pvd + P_FIRST_ANSWER);
  if (first == 0) return NO_TIME; // no answer yet
  const families = <u32> load<u8>(pvd + P_FAMILIES);
  const answered = <u32> load<u8>(pvd + P_ANSWERED);
  const prefBit = familyBit(<u32> load<u8>(race + R_PREFERRED));
  // RFC 8305 section 3: go once the preferred family answered (or is not
  // asked); after the other family's answer, wait up to the delay.
  if ((families & prefBit) == 0 || (answered & prefBit) != 0) return 0;
  return first - 1 + load<u32>(race + R_RES_DELAY);
}

/** When PvD `p` may start by the cross-PvD stagger. */
function staggerGate(race: usize, p: u32): u32 {
  const rank = <u32> load<u8>(pvdAt(race, p) + P_RANK);
  // One stagger per PvD ranked before it that can still connect: a PvD
  // exhausted (answered, every attempt failed, or nothing to try) holds no
  // one back, so a dead PvD does not delay the next one's turn.
  const count = <u32> load<u8>(race + R_PVDS);
  let ahead: u32 = 0;
  for (let q: u32 = 0; q < count; q++) {
    const other = pvdAt(race, q);
    if (load<u8>(other + P_ELIGIBLE) == 0 || <u32> load<u8>(other + P_RANK) >= rank) continue;
    if (!exhausted(race, q)) ahead++;
  }
  const t = <u64> ahead * <u64> load<u32>(race + R_STAGGER);
  return t > 0xffff_fffe ? 0xffff_fffe : <u32> t;
}

/**
 * The scheduling pass at `now`, after the events of that instant: starts
 * what may start, ends the race when every usable PvD is exhausted, asks for
 * a wake-up. Only for a running race.
 */
export function raceSchedule(race: usize, now: u32): void {
  const count = <u32> load<u8>(race + R_PVDS);
  const delay = load<u32>(race + R_ATT_DELAY);
  let wake = NO_TIME;
  let live = false;
  for (let p: u32 = 0; p < count; p++) {
    const pvd = pvdAt(race, p);
    if (load<u8>(pvd + P_ELIGIBLE) == 0) continue;
    if (!exhausted(race, p)) live = true;
    const res = resolutionGate(race, p);
    if (res == NO_TIME) continue;
    const stagger = staggerGate(race, p);
    const gate = res > stagger ? res : stagger;
    if (gate > now) {
      // Only worth a wake-up if there is something to start then.
      if (nextDestination(race, p) != NO_TIME && gate < wake) wake = gate;
      continue;
    }
    // Bounded: every iteration starts one of at most MAX_DESTINATIONS.
    for (let k: u32 = 0; k < MAX_DESTINATIONS; k++) {
      const d = nextDestination(race, p);
      if (d == NO_TIME) {
        store<u8>(pvd + P_KICKS, 0);
        break;
      }
      const kicks = <u32> load<u8>(pvd + P_KICKS);
      const idle = load<u8>(pvd + P_IN_FLIGHT) == 0;
      const nextAt = load<u32>(pvd + P_NEXT_AT);
      if (kicks == 0 && !idle && now < nextAt) {
        if (nextAt < wake) wake = nextAt;
        break;
      }
      if (kicks > 0) store<u8>(pvd + P_KICKS, <u8> (kicks - 1));
      startAttempt(race, p, d, now);
      const next = <u64> now + <u64> delay;
      store<u32>(pvd + P_NEXT_AT, next > 0xffff_fffe ? 0xffff_fffe : <u32> next);
    }
  }
  if (!live) {
    let eligible = false;
    for (let p: u32 = 0; p < count; p++) if (load<u8>(pvdAt(race, p) + P_ELIGIBLE) != 0) eligible = true;
    const reason = !eligible ? FAIL_NO_PVD : load<u8>(race + R_STARTED) == 0 ? FAIL_NO_ADDRESSES : FAIL_ALL_FAILED;
    finish(race, now, NO_TIME, reason);
    return;
  }
  if (wake == NO_TIME) return;
  if (logActions) logAction(ACTION_WAKE, 0, 0, 0, wake);
  else putRecord(TAG_WAKE, 0, 0, 0, wake, 0);
}

function startAttempt(race: usize, p: u32, id: u32, now: u32): void {
  const pvd = pvdAt(race, p);
  const d = destAt(race, id);
  const order = <u32> load<u8>(race + R_STARTED);
  store<u8>(race + R_STARTED, <u8> (order + 1));
  store<u8>(d + D_STATE, <u8> DS_IN_FLIGHT);
  store<u8>(d + D_ORDER, <u8> order);
  store<u32>(d + D_START, now);
  store<u8>(pvd + P_IN_FLIGHT, <u8> (<u32> load<u8>(pvd + P_IN_FLIGHT) + 1));
  const family = <u32> load<u8>(d + D_FAMILY);
  if (family == <u32> load<u8>(race + R_PREFERRED)) {
    store<u8>(pvd + P_STARTED_PREF, <u8> (<u32> load<u8>(pvd + P_STARTED_PREF) + 1));
  } else {
    store<u8>(pvd + P_STARTED_OTHER, <u8> (<u32> load<u8>(pvd + P_STARTED_OTHER) + 1));
  }
  if (logActions) logAction(ACTION_START, p, id, family, load<u32>(d + D_HANDLE));
  else putRecord(TAG_START, p, id, 0, load<u32>(d + D_HANDLE), family);
}

/**
 * Ends the race: cancels what is in flight, writes the outcome and its
 * report (as records; to the action log without the report).
 */
function finish(race: usize, now: u32, winner: u32, reason: u32): void {
  store<u8>(race + R_STATE, <u8> STATE_OVER);
  const n = <u32> load<u8>(race + R_DESTS);
  let pendingBefore: u32 = 0;
  const winnerOrder: u32 = winner == NO_TIME ? 0 : <u32> load<u8>(destAt(race, winner) + D_ORDER);
  for (let i: u32 = 0; i < n; i++) {
    const d = destAt(race, i);
    if (<u32> load<u8>(d + D_STATE) != DS_IN_FLIGHT) continue;
    if (<u32> load<u8>(d + D_ORDER) < winnerOrder) pendingBefore++;
    store<u8>(d + D_STATE, <u8> DS_CANCELLED);
    store<u32>(d + D_END, now);
    if (logActions) logAction(ACTION_CANCEL, <u32> load<u8>(d + D_PVD), i, 0, load<u32>(d + D_HANDLE));
    else putRecord(TAG_CANCEL, 0, i, 0, load<u32>(d + D_HANDLE), 0);
  }
  const code = winnerOrder == 0 ? WIN_FIRST : pendingBefore == 0 ? WIN_FALLBACK : WIN_FASTER;
  if (logActions) {
    if (winner == NO_TIME) {
      logAction(ACTION_FAILURE, 0, 0, reason, 0);
    } else {
      const w = destAt(race, winner);
      logAction(ACTION_WINNER, <u32> load<u8>(w + D_PVD), winner, code, load<u32>(w + D_HANDLE));
    }
    return;
  }
  let outcome: usize;
  if (winner != NO_TIME) {
    outcome = putRecord(TAG_WINNER, code, winner, 0, load<u32>(destAt(race, winner) + D_HANDLE), pendingBefore);
  } else {
    outcome = putRecord(TAG_FAILURE, reason, 0, 0, 0, 0);
  }
  // The report, in start order (each start order appears once).
  const started = <u32> load<u8>(race + R_STARTED);
  for (let order: u32 = 0; order < started; order++) {
    for (let i: u32 = 0; i < n; i++) {
      const d = destAt(race, i);
      const state = <u32> load<u8>(d + D_STATE);
      if (state == DS_WAITING || <u32> load<u8>(d + D_ORDER) != order) continue;
      const result = state == DS_SUCCEEDED ? RESULT_SUCCEEDED : state == DS_FAILED ? RESULT_FAILED : RESULT_CANCELLED;
      const attemptCode = result | (<u32> load<u8>(d + D_PVD) << 8);
      putRecord(TAG_ATTEMPT, attemptCode, i, order, load<u32>(d + D_START), load<u32>(d + D_END));
      break;
    }
  }
  closeRecord(outcome);
}
