/**
 * Connection racing across provisioning domains: a sans-IO, deterministic
 * scheduler (in the WebAssembly core, `core-as/assembly/racing.ts`) that
 * runs Happy Eyeballs v2 (RFC 8305) inside each PvD and a policy as data
 * across PvDs (require, prefer, avoid, prohibit, an order, a stagger).
 *
 * It opens no socket, sets no timer and reads no clock: the caller passes
 * `now` with every event and carries out the actions it gets back (start an
 * attempt, cancel one, the winner, the failure, wake me at T). The same
 * events give the same actions, in tests, simulations, benchmarks and on a
 * real host.
 *
 * Runtime-neutral: no Deno or Node APIs.
 *
 * @example A race in one PvD, in virtual time
 * ```ts
 * import { ConnectionRace } from "./racing.ts";
 *
 * using race = new ConnectionRace(["pvd.a.example"]);
 * // The AAAA answer comes first: its attempt starts at once (RFC 8305 section 3).
 * const [start] = race.resolved(0, {
 *   pvd: "pvd.a.example", family: 6, destinations: [{ address: "2001:db8::80", source: "2001:db8::2" }],
 * });
 * race.resolved(5, { pvd: "pvd.a.example", family: 4, destinations: [] });
 * if (start?.kind !== "start" || start.address !== "2001:db8::80") throw new Error();
 * const [winner] = race.succeeded(30, start.attempt);
 * if (winner?.kind !== "winner" || winner.report.attempts[0]!.end !== 30) throw new Error();
 * ```
 *
 * @module
 */

import { coreWasm } from "./core_wasm.generated.ts";
import { coreMemory, invokeCore } from "./_abi.ts";

// Operations, events, tags and reasons of core-as/assembly/racing.ts.
const OP_OPEN = 1;
const OP_EVENTS = 2;
const OP_CLOSE = 3;
const EV_ADDRESS = 1;
const EV_RESOLVED = 2;
const EV_SUCCEEDED = 3;
const EV_FAILED = 4;
const EV_ABORT = 5;
const HEADER_SIZE = 16;
const OPTIONS_SIZE = 16;
const PVD_SIZE = 4;
const EVENT_SIZE = 8;
const RECORD_WORDS = 6;
const TAG_SKIPPED = 0x0001;
const TAG_RACE = 0x0601;
const TAG_START = 0x0602;
const TAG_CANCEL = 0x0603;
const TAG_WINNER = 0x0604;
const TAG_FAILURE = 0x0605;
const TAG_WAKE = 0x0606;
const TAG_ATTEMPT = 0x0607;
const DETAIL_RACE_OVER = 0x60d;

/** Races that can be open at once (slots in the core's linear memory). */
export const MAX_RACES = 64;
/** PvDs per race. */
export const MAX_RACE_PVDS = 8;
/** Destinations per race, over all its PvDs (each is attempted at most once). */
export const MAX_RACE_DESTINATIONS = 64;

const POLICIES: Readonly<Record<string, number>> = { neutral: 0, require: 1, prefer: 2, avoid: 3, prohibit: 4 };
const WIN_REASONS: readonly (RaceReason | undefined)[] = [undefined, "first", "fallback", "faster"];
const FAIL_REASONS: readonly (RaceReason | undefined)[] = [
  undefined,
  "all-failed",
  "no-addresses",
  "no-eligible-pvd",
  "aborted",
];
const RESULTS = [undefined, "succeeded", "failed", "cancelled"] as const;

/** Messages for the core's detail identifiers (0x600..0x6ff). */
const DETAIL_TEXT: Readonly<Record<number, string>> = {
  0x601: "unknown operation",
  0x602: "input length does not match its count",
  0x603: "no such race",
  0x604: `more than ${MAX_RACES} races are open`,
  0x605: `more than ${MAX_RACE_PVDS} provisioning domains`,
  0x606: "provisioning domain with an unknown policy or no address family",
  0x607: "preferred family is not 4 or 6",
  0x608: "time went backwards",
  0x609: "unknown event",
  0x60a: "event names a provisioning domain or family not in the race",
  0x60b: "no attempt in flight with this id",
  0x60c: `more than ${MAX_RACE_DESTINATIONS} destinations`,
  0x60d: "the race is over",
  0x60e: "address for a family already answered",
};

/**
 * What a policy says about one PvD, as TAPS selection properties do:
 * `require` (only required PvDs are used), `prefer` (tried first), `neutral`,
 * `avoid` (tried last), `prohibit` (never used).
 *
 * @example
 * ```ts
 * import type { PvdPolicy } from "./racing.ts";
 *
 * const policy: PvdPolicy = "avoid";
 * if (policy !== "avoid") throw new Error();
 * ```
 */
export type PvdPolicy = "require" | "prefer" | "neutral" | "avoid" | "prohibit";

/**
 * A PvD taking part in a race, in the policy's order of PvDs.
 *
 * @example Cellular last, and only over IPv4
 * ```ts
 * import type { RacePvd } from "./racing.ts";
 *
 * const cellular: RacePvd = { pvd: "pvd.cellular.example", policy: "avoid", families: [4] };
 * if (cellular.families?.[0] !== 4) throw new Error();
 * ```
 */
export interface RacePvd {
  /** The PvD identifier. */
  readonly pvd: string;
  /** What the policy says about it; `neutral` when absent. */
  readonly policy?: PvdPolicy;
  /** The families resolved in it (A and/or AAAA answers to wait for); both when absent. */
  readonly families?: readonly (4 | 6)[];
}

/**
 * Timing and policy of a race. Times are milliseconds of the caller's clock.
 *
 * @example RFC 8305 defaults, written out
 * ```ts
 * import type { RaceOptions } from "./racing.ts";
 *
 * const options: RaceOptions = {
 *   resolutionDelay: 50,
 *   attemptDelay: 250,
 *   firstFamilyCount: 1,
 *   preferredFamily: 6,
 *   pvdStagger: 0,
 * };
 * if (options.attemptDelay !== 250) throw new Error();
 * ```
 */
export interface RaceOptions {
  /** Clock time at which the race opens (0 when absent); every `now` counts from it. */
  readonly now?: number;
  /** RFC 8305 section 3 Resolution Delay: 50 ms when absent. */
  readonly resolutionDelay?: number;
  /** RFC 8305 section 5 Connection Attempt Delay: 250 ms when absent, clamped to 10 .. 2000 ms. */
  readonly attemptDelay?: number;
  /** RFC 8305 section 4 First Address Family Count: 1 when absent. */
  readonly firstFamilyCount?: number;
  /** The family tried first within each PvD: 6 when absent. */
  readonly preferredFamily?: 4 | 6;
  /**
   * Delay between the first attempts of successive PvDs in the policy's
   * order, counting only PvDs before it that can still connect: 0 when absent.
   */
  readonly pvdStagger?: number;
}

/**
 * A destination as name resolution gave it in one PvD, with the source
 * chosen for it (RFC 6724 section 5, e.g. by `sortDestinations`).
 *
 * @example
 * ```ts
 * import type { RaceDestination } from "./racing.ts";
 *
 * const d: RaceDestination = { address: "203.0.113.80", source: "192.0.2.100" };
 * if (d.source !== "192.0.2.100") throw new Error();
 * ```
 */
export interface RaceDestination {
  /** Destination address, canonical text. */
  readonly address: string;
  /** Source address in the same PvD, canonical text. */
  readonly source: string;
}

/**
 * One family's answer in one PvD, destinations in RFC 6724 order (an empty
 * list is a negative answer).
 *
 * @example
 * ```ts
 * import type { ResolutionAnswer } from "./racing.ts";
 *
 * const answer: ResolutionAnswer = { pvd: "pvd.a.example", family: 4, destinations: [] };
 * if (answer.destinations.length !== 0) throw new Error();
 * ```
 */
export interface ResolutionAnswer {
  /** The PvD that answered. */
  readonly pvd: string;
  /** 4 for A, 6 for AAAA. */
  readonly family: 4 | 6;
  /** The destinations, best first. */
  readonly destinations: readonly RaceDestination[];
}

/**
 * An event for {@linkcode ConnectionRace.step}.
 *
 * @example
 * ```ts
 * import type { RaceEvent } from "./racing.ts";
 *
 * const events: RaceEvent[] = [{ kind: "failed", attempt: 0 }, { kind: "abort" }];
 * if (events.length !== 2) throw new Error();
 * ```
 */
export type RaceEvent =
  | ({ readonly kind: "resolved" } & ResolutionAnswer)
  | { readonly kind: "succeeded"; readonly attempt: number }
  | { readonly kind: "failed"; readonly attempt: number }
  | { readonly kind: "abort" };

/**
 * An attempt: where from, where to, through which PvD.
 *
 * @example
 * ```ts
 * import type { AttemptTarget } from "./racing.ts";
 *
 * const t: AttemptTarget = { attempt: 0, pvd: "pvd.a.example", family: 6, address: "2001:db8::80", source: "2001:db8::2" };
 * if (t.family !== 6) throw new Error();
 * ```
 */
export interface AttemptTarget {
  /** Attempt id, unique within the race. */
  readonly attempt: number;
  /** The PvD. */
  readonly pvd: string;
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** Destination address. */
  readonly address: string;
  /** Source address. */
  readonly source: string;
}

/**
 * One attempt of an establishment report.
 *
 * @example
 * ```ts
 * import type { AttemptReport } from "./racing.ts";
 *
 * const a: AttemptReport = {
 *   attempt: 1, pvd: "pvd.a.example", family: 4, address: "203.0.113.80", source: "192.0.2.100",
 *   start: 250, end: 280, result: "succeeded",
 * };
 * if (a.end - a.start !== 30) throw new Error();
 * ```
 */
export interface AttemptReport extends AttemptTarget {
  /** When it started (caller's clock). */
  readonly start: number;
  /** When it ended: succeeded, failed, or was cancelled. */
  readonly end: number;
  /** How it ended. */
  readonly result: "succeeded" | "failed" | "cancelled";
}

/**
 * Why a race ended so: for a winner, `first` (the first attempt started
 * succeeded), `fallback` (every attempt started before it had failed) or
 * `faster` (it beat attempts started before it, still in flight); for a
 * failure, `all-failed`, `no-addresses`, `no-eligible-pvd` or `aborted`.
 *
 * @example
 * ```ts
 * import type { RaceReason } from "./racing.ts";
 *
 * const reason: RaceReason = "faster";
 * if (reason !== "faster") throw new Error();
 * ```
 */
export type RaceReason =
  | "first"
  | "fallback"
  | "faster"
  | "all-failed"
  | "no-addresses"
  | "no-eligible-pvd"
  | "aborted";

/**
 * How a race ended: every attempt made, in start order, and why.
 *
 * @example
 * ```ts
 * import type { EstablishmentReport } from "./racing.ts";
 *
 * const report: EstablishmentReport = {
 *   outcome: "failed", reason: "no-addresses", winner: undefined, overtaken: 0, attempts: [],
 *   why: "no usable provisioning domain had an address",
 * };
 * if (report.outcome !== "failed") throw new Error();
 * ```
 */
export interface EstablishmentReport {
  /** `connected` with a winner, or `failed`. */
  readonly outcome: "connected" | "failed";
  /** Why. */
  readonly reason: RaceReason;
  /** The winning attempt's id. */
  readonly winner: number | undefined;
  /** How many attempts started before the winner were still in flight when it won. */
  readonly overtaken: number;
  /** Every started attempt, in start order. */
  readonly attempts: readonly AttemptReport[];
  /** The reason as a sentence. */
  readonly why: string;
}

/**
 * What the caller must do: start or cancel an attempt, call again at a time,
 * or take the outcome (`winner` or `failure`, each with its report).
 *
 * @example
 * ```ts
 * import type { RaceAction } from "./racing.ts";
 *
 * const action: RaceAction = { kind: "wake", at: 250 };
 * if (action.kind === "wake" && action.at !== 250) throw new Error();
 * ```
 */
export type RaceAction =
  | ({ readonly kind: "start"; readonly at: number } & AttemptTarget)
  | ({ readonly kind: "cancel"; readonly at: number } & AttemptTarget)
  | { readonly kind: "wake"; readonly at: number }
  | ({ readonly kind: "winner"; readonly at: number; readonly report: EstablishmentReport } & AttemptTarget)
  | { readonly kind: "failure"; readonly at: number; readonly report: EstablishmentReport };

interface Entry {
  readonly pvd: string;
  readonly family: 4 | 6;
  readonly address: string;
  readonly source: string;
}

const registry = typeof FinalizationRegistry === "function"
  ? new FinalizationRegistry<number>((id) => closeSlot(id))
  : undefined;

function closeSlot(id: number): boolean {
  const input = new Uint8Array(HEADER_SIZE);
  const view = new DataView(input.buffer);
  view.setUint8(0, OP_CLOSE);
  view.setUint32(4, id, true);
  const ptr = coreWasm.reserveInput(HEADER_SIZE) >>> 0;
  if (ptr === 0) return false;
  coreMemory(coreWasm).bytes.set(input, ptr);
  return coreWasm.raceStep(HEADER_SIZE) >= 0;
}

function detail(id: number): string | undefined {
  return DETAIL_TEXT[id];
}

function checkTime(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`Cannot open connection race: ${what} ${String(value)} is not a non-negative number`);
  }
  return Math.min(Math.floor(value), 0xffff_fffe);
}

/**
 * One connection race, held in the core's linear memory (one of
 * {@linkcode MAX_RACES} slots) until {@linkcode ConnectionRace.close}.
 *
 * Feed it events with the caller's `now` (never decreasing) and carry out
 * the actions it returns. Attempt ids are the `attempt` of `start` actions.
 *
 * @example Happy Eyeballs: IPv6 black-holed, IPv4 wins after the attempt delay
 * ```ts
 * import { ConnectionRace } from "./racing.ts";
 *
 * using race = new ConnectionRace(["pvd.a.example"]);
 * const a = race.resolved(0, {
 *   pvd: "pvd.a.example", family: 6, destinations: [{ address: "2001:db8::80", source: "2001:db8::2" }],
 * });
 * const b = race.resolved(10, {
 *   pvd: "pvd.a.example", family: 4, destinations: [{ address: "203.0.113.80", source: "192.0.2.100" }],
 * });
 * if (a[0]?.kind !== "start" || b[0]?.kind !== "wake" || b[0].at !== 250) throw new Error();
 * const c = race.tick(250);
 * if (c[0]?.kind !== "start" || c[0].address !== "203.0.113.80") throw new Error();
 * const d = race.succeeded(270, 1);
 * // The IPv6 attempt is cancelled, the IPv4 one won though started later.
 * if (d[0]?.kind !== "cancel" || d[1]?.kind !== "winner" || d[1].report.reason !== "faster") throw new Error();
 * ```
 */
export class ConnectionRace {
  readonly #pvds: readonly string[];
  readonly #pvdIndex = new Map<string, number>();
  readonly #entries: Entry[] = [];
  readonly #attempts: (Entry | undefined)[] = [];
  readonly #inFlight = new Set<number>();
  /** Per PvD index: families asked (bit 0 IPv4, bit 1 IPv6) and answered. */
  readonly #asked: number[] = [];
  readonly #answered: number[] = [];
  readonly #origin: number;
  #id = 0;
  #last = 0;
  #report: EstablishmentReport | undefined;

  /**
   * Opens a race.
   *
   * @param pvds The PvDs, in the policy's order, each a name (neutral, both families) or a {@linkcode RacePvd}.
   * @param options Timing and family preferences.
   * @throws {RangeError} For more than {@linkcode MAX_RACE_PVDS} PvDs, a PvD named twice, a bad
   * option, or when {@linkcode MAX_RACES} races are open.
   */
  constructor(pvds: readonly (string | RacePvd)[], options: RaceOptions = {}) {
    const action = "open connection race";
    if (pvds.length > MAX_RACE_PVDS) {
      throw new RangeError(`Cannot ${action}: more than ${MAX_RACE_PVDS} provisioning domains`);
    }
    this.#origin = options.now ?? 0;
    if (!Number.isFinite(this.#origin)) throw new RangeError(`Cannot ${action}: now is not a finite number`);
    const preferred = options.preferredFamily ?? 6;
    if (preferred !== 4 && preferred !== 6) {
      throw new RangeError(`Cannot ${action}: preferred family ${String(preferred)} is not 4 or 6`);
    }
    const ffc = options.firstFamilyCount ?? 1;
    if (!Number.isInteger(ffc) || ffc < 1 || ffc > MAX_RACE_DESTINATIONS) {
      throw new RangeError(`Cannot ${action}: first family count ${ffc} is not an integer from 1 to 64`);
    }
    const input = new Uint8Array(HEADER_SIZE + OPTIONS_SIZE + pvds.length * PVD_SIZE);
    const view = new DataView(input.buffer);
    view.setUint8(0, OP_OPEN);
    view.setUint32(12, pvds.length, true);
    view.setUint32(HEADER_SIZE, checkTime(options.resolutionDelay ?? 50, "resolution delay"), true);
    view.setUint32(HEADER_SIZE + 4, checkTime(options.attemptDelay ?? 250, "attempt delay"), true);
    view.setUint32(HEADER_SIZE + 8, checkTime(options.pvdStagger ?? 0, "PvD stagger"), true);
    view.setUint8(HEADER_SIZE + 12, ffc);
    view.setUint8(HEADER_SIZE + 13, preferred);
    const names: string[] = [];
    pvds.forEach((entry, i) => {
      const pvd: RacePvd = typeof entry === "string" ? { pvd: entry } : entry;
      if (this.#pvdIndex.has(pvd.pvd)) {
        throw new RangeError(`Cannot ${action}: provisioning domain ${JSON.stringify(pvd.pvd)} is named twice`);
      }
      const policy = POLICIES[pvd.policy ?? "neutral"];
      if (policy === undefined) {
        throw new RangeError(`Cannot ${action}: policy ${JSON.stringify(pvd.policy)} is not known`);
      }
      let families = 0;
      for (const family of pvd.families ?? [4, 6]) {
        if (family !== 4 && family !== 6) throw new RangeError(`Cannot ${action}: family ${family} is not 4 or 6`);
        families |= family === 4 ? 1 : 2;
      }
      if (families === 0) throw new RangeError(`Cannot ${action}: provisioning domain ${pvd.pvd} has no family`);
      const at = HEADER_SIZE + OPTIONS_SIZE + i * PVD_SIZE;
      view.setUint8(at, policy);
      view.setUint8(at + 1, families);
      this.#pvdIndex.set(pvd.pvd, i);
      this.#asked.push(families);
      this.#answered.push(0);
      names.push(pvd.pvd);
    });
    this.#pvds = names;
    invokeCore(coreWasm, { action, input, invoke: (len) => coreWasm.raceStep(len), detail });
    const words = recordWords();
    if (words[0] !== TAG_RACE) throw new Error(`Cannot ${action}: unexpected result`);
    this.#id = words[3]!;
    registry?.register(this, this.#id, this);
  }

  /** The race id in the core (0 once closed). */
  get id(): number {
    return this.#id;
  }

  /** True once the race has a winner or has failed. */
  get over(): boolean {
    return this.#report !== undefined;
  }

  /** The establishment report, once the race is over. */
  get report(): EstablishmentReport | undefined {
    return this.#report;
  }

  /**
   * Applies events at time `now`, in order, and returns the actions.
   * Events after the race is over are ignored.
   *
   * @param now The caller's clock, not earlier than the last call's.
   * @param events The events.
   * @returns The actions, in order: starts, cancels, the outcome, a wake-up.
   * @throws {RangeError} When time goes backwards, an answer names an unknown PvD or family, an
   * attempt is not in flight, or the race would exceed {@linkcode MAX_RACE_DESTINATIONS}.
   */
  step(now: number, events: readonly RaceEvent[] = []): RaceAction[] {
    const action = "advance connection race";
    if (this.#id === 0) throw new RangeError(`Cannot ${action}: the race is closed`);
    const rel = now - this.#origin;
    if (!(rel >= this.#last) || rel > 0xffff_fffe) {
      throw new RangeError(`Cannot ${action}: time ${now} is before the last event or out of range`);
    }
    const t = Math.floor(rel);
    if (this.#report !== undefined) return [];
    let count = 0;
    let added = this.#entries.length;
    const answered = [...this.#answered];
    const ended = new Set<number>();
    for (const event of events) {
      if (event.kind === "resolved") {
        const p = this.#pvdIndex.get(event.pvd);
        if (p === undefined) {
          throw new RangeError(`Cannot ${action}: provisioning domain ${JSON.stringify(event.pvd)} is not in the race`);
        }
        const bit = event.family === 4 ? 1 : event.family === 6 ? 2 : 0;
        if ((this.#asked[p]! & bit) === 0) {
          throw new RangeError(`Cannot ${action}: family ${event.family} is not asked in ${event.pvd}`);
        }
        if ((answered[p]! & bit) !== 0) {
          throw new RangeError(`Cannot ${action}: family ${event.family} is answered already in ${event.pvd}`);
        }
        answered[p] = answered[p]! | bit;
        count += event.destinations.length + 1;
        added += event.destinations.length;
      } else {
        if (event.kind !== "abort") {
          if (!this.#inFlight.has(event.attempt) || ended.has(event.attempt)) {
            throw new RangeError(`Cannot ${action}: attempt ${event.attempt} is not in flight`);
          }
          ended.add(event.attempt);
        }
        count++;
      }
    }
    if (added > MAX_RACE_DESTINATIONS) {
      throw new RangeError(`Cannot ${action}: more than ${MAX_RACE_DESTINATIONS} destinations`);
    }
    const input = new Uint8Array(HEADER_SIZE + count * EVENT_SIZE);
    const view = new DataView(input.buffer);
    view.setUint8(0, OP_EVENTS);
    view.setUint32(4, this.#id, true);
    view.setUint32(8, t, true);
    view.setUint32(12, count, true);
    let at = HEADER_SIZE;
    const pending: Entry[] = [];
    for (const event of events) {
      if (event.kind === "resolved") {
        const p = this.#pvdIndex.get(event.pvd)!;
        for (const d of event.destinations) {
          view.setUint8(at, EV_ADDRESS);
          view.setUint8(at + 1, p);
          view.setUint8(at + 2, event.family);
          view.setUint32(at + 4, this.#entries.length + pending.length, true);
          pending.push({ pvd: event.pvd, family: event.family, address: d.address, source: d.source });
          at += EVENT_SIZE;
        }
        view.setUint8(at, EV_RESOLVED);
        view.setUint8(at + 1, p);
        view.setUint8(at + 2, event.family);
      } else if (event.kind === "abort") {
        view.setUint8(at, EV_ABORT);
      } else {
        view.setUint8(at, event.kind === "succeeded" ? EV_SUCCEEDED : EV_FAILED);
        view.setUint32(at + 4, event.attempt, true);
      }
      at += EVENT_SIZE;
    }
    const size = invokeCore(coreWasm, { action, input, invoke: (len) => coreWasm.raceStep(len), detail });
    this.#last = t;
    this.#entries.push(...pending);
    answered.forEach((bits, p) => (this.#answered[p] = bits));
    for (const event of events) {
      if (event.kind === "failed" || event.kind === "succeeded") this.#inFlight.delete(event.attempt);
    }
    return this.#decode(size / 4, now);
  }

  /**
   * One family's answer in one PvD.
   *
   * @example
   * ```ts
   * import { ConnectionRace } from "./racing.ts";
   *
   * using race = new ConnectionRace([{ pvd: "a", families: [4] }]);
   * const [start] = race.resolved(5, { pvd: "a", family: 4, destinations: [{ address: "203.0.113.1", source: "192.0.2.1" }] });
   * if (start?.kind !== "start" || start.at !== 5) throw new Error();
   * ```
   *
   * @param now The caller's clock.
   * @param answer The answer.
   * @returns The actions.
   * @throws {RangeError} As {@linkcode ConnectionRace.step}.
   */
  resolved(now: number, answer: ResolutionAnswer): RaceAction[] {
    return this.step(now, [{ kind: "resolved", ...answer }]);
  }

  /**
   * An attempt connected.
   *
   * @example
   * ```ts
   * import { ConnectionRace } from "./racing.ts";
   *
   * using race = new ConnectionRace([{ pvd: "a", families: [4] }]);
   * race.resolved(0, { pvd: "a", family: 4, destinations: [{ address: "203.0.113.1", source: "192.0.2.1" }] });
   * const [winner] = race.succeeded(20, 0);
   * if (winner?.kind !== "winner" || winner.report.reason !== "first") throw new Error();
   * ```
   *
   * @param now The caller's clock.
   * @param attempt The attempt id.
   * @returns The actions: cancels of the others, the winner.
   * @throws {RangeError} As {@linkcode ConnectionRace.step}.
   */
  succeeded(now: number, attempt: number): RaceAction[] {
    return this.step(now, [{ kind: "succeeded", attempt }]);
  }

  /**
   * An attempt failed.
   *
   * @example
   * ```ts
   * import { ConnectionRace } from "./racing.ts";
   *
   * using race = new ConnectionRace([{ pvd: "a", families: [4] }]);
   * race.resolved(0, { pvd: "a", family: 4, destinations: [{ address: "203.0.113.1", source: "192.0.2.1" }] });
   * const [failure] = race.failed(20, 0);
   * if (failure?.kind !== "failure" || failure.report.reason !== "all-failed") throw new Error();
   * ```
   *
   * @param now The caller's clock.
   * @param attempt The attempt id.
   * @returns The actions: the next start at once, or the failure.
   * @throws {RangeError} As {@linkcode ConnectionRace.step}.
   */
  failed(now: number, attempt: number): RaceAction[] {
    return this.step(now, [{ kind: "failed", attempt }]);
  }

  /**
   * Time passed (call at a `wake` action's time).
   *
   * @example
   * ```ts
   * import { ConnectionRace } from "./racing.ts";
   *
   * using race = new ConnectionRace(["a"]);
   * if (race.tick(100).length !== 0) throw new Error();
   * ```
   *
   * @param now The caller's clock.
   * @returns The actions.
   * @throws {RangeError} As {@linkcode ConnectionRace.step}.
   */
  tick(now: number): RaceAction[] {
    return this.step(now, []);
  }

  /**
   * Ends the race now: every attempt in flight is cancelled; the failure
   * reason is `aborted`.
   *
   * @example
   * ```ts
   * import { ConnectionRace } from "./racing.ts";
   *
   * using race = new ConnectionRace(["a"]);
   * const [failure] = race.abort(10);
   * if (failure?.kind !== "failure" || failure.report.reason !== "aborted") throw new Error();
   * ```
   *
   * @param now The caller's clock.
   * @returns The actions: cancels, the failure.
   * @throws {RangeError} As {@linkcode ConnectionRace.step}.
   */
  abort(now: number): RaceAction[] {
    return this.step(now, [{ kind: "abort" }]);
  }

  /**
   * Frees the race's slot in the core. Closing twice does nothing.
   *
   * @example
   * ```ts
   * import { ConnectionRace } from "./racing.ts";
   *
   * const race = new ConnectionRace(["a"]);
   * race.close();
   * if (race.id !== 0) throw new Error();
   * ```
   */
  close(): void {
    if (this.#id === 0) return;
    registry?.unregister(this);
    closeSlot(this.#id);
    this.#id = 0;
  }

  /** Same as {@linkcode ConnectionRace.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  #target(attempt: number): AttemptTarget {
    const entry = this.#attempts[attempt]!;
    return { attempt, pvd: entry.pvd, family: entry.family, address: entry.address, source: entry.source };
  }

  #decode(words: number, now: number): RaceAction[] {
    const w = recordWords();
    const out: RaceAction[] = [];
    const count = Math.floor(words / RECORD_WORDS);
    for (let r = 0; r < count; r++) {
      const at = r * RECORD_WORDS;
      const tag = w[at]! & 0xffff;
      const code = w[at]! >>> 16;
      if (tag === TAG_START) {
        const attempt = w[at + 1]!;
        this.#attempts[attempt] = this.#entries[w[at + 3]!];
        this.#inFlight.add(attempt);
        out.push({ kind: "start", at: now, ...this.#target(attempt) });
      } else if (tag === TAG_CANCEL) {
        this.#inFlight.delete(w[at + 1]!);
        out.push({ kind: "cancel", at: now, ...this.#target(w[at + 1]!) });
      } else if (tag === TAG_WAKE) {
        out.push({ kind: "wake", at: w[at + 3]! + this.#origin });
      } else if (tag === TAG_WINNER || tag === TAG_FAILURE) {
        const children = w[at + 5]!;
        const attempts: AttemptReport[] = [];
        for (let k = 1; k <= children && r + k < count; k++) {
          const c = (r + k) * RECORD_WORDS;
          if ((w[c]! & 0xffff) !== TAG_ATTEMPT) continue;
          attempts.push({
            ...this.#target(w[c + 1]!),
            start: w[c + 3]! + this.#origin,
            end: w[c + 4]! + this.#origin,
            result: RESULTS[(w[c]! >>> 16) & 0xff] ?? "failed",
          });
        }
        r += children;
        this.#inFlight.clear();
        if (tag === TAG_WINNER) {
          const winner = w[at + 1]!;
          const reason = WIN_REASONS[code] ?? "first";
          const overtaken = w[at + 4]!;
          const report = { outcome: "connected" as const, reason, winner, overtaken, attempts, why: "" };
          this.#report = { ...report, why: explainWin(this.#target(winner), reason, overtaken, attempts.length) };
          out.push({ kind: "winner", at: now, report: this.#report, ...this.#target(winner) });
        } else {
          const reason = FAIL_REASONS[code] ?? "all-failed";
          this.#report = {
            outcome: "failed",
            reason,
            winner: undefined,
            overtaken: 0,
            attempts,
            why: explainFailure(reason, attempts.length),
          };
          out.push({ kind: "failure", at: now, report: this.#report });
        }
      } else if (tag === TAG_SKIPPED && code !== DETAIL_RACE_OVER) {
        throw new Error(`Cannot advance connection race: ${DETAIL_TEXT[code] ?? `detail ${code}`}`);
      }
    }
    return out;
  }
}

function recordWords(): Uint32Array {
  const { bytes, words } = coreMemory(coreWasm);
  const ptr = coreWasm.resultPtr() >>> 0;
  if (words !== undefined) return words.subarray(ptr >>> 2);
  // Big-endian host: read little-endian words one by one.
  const view = new DataView(bytes.buffer, ptr);
  const n = (coreWasm.resultCapacity() >>> 0) >>> 2;
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getUint32(4 * i, true);
  return out;
}

function describe(t: AttemptTarget): string {
  return `attempt ${t.attempt} to ${t.address} from ${t.source} in ${t.pvd}`;
}

function explainWin(t: AttemptTarget, reason: string, overtaken: number, total: number): string {
  if (reason === "first") return `${describe(t)} was the first started and succeeded`;
  if (reason === "fallback") return `${describe(t)} succeeded after every attempt started before it had failed`;
  return `${describe(t)} succeeded while ${overtaken} attempt${overtaken === 1 ? "" : "s"} started before it ${
    overtaken === 1 ? "was" : "were"
  } still in flight (of ${total} started)`;
}

function explainFailure(reason: string, total: number): string {
  if (reason === "aborted") return `the race was aborted after ${total} attempts`;
  if (reason === "no-eligible-pvd") return "the policy left no provisioning domain to use";
  if (reason === "no-addresses") return "no usable provisioning domain had an address";
  return `all ${total} attempts failed`;
}
