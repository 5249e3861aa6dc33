/**
 * Connection racing policies: how the PvDs of a host take part in a race
 * (require, prefer, avoid, prohibit; by PvD, by interface type, by measured
 * round-trip time, or by a rule of the user's) and the Happy Eyeballs timing
 * inside each. A policy is data plus the small set of rules of
 * {@linkcode planRace}, so policies can be compared in a benchmark; the
 * racing itself is the WebAssembly scheduler of `core-as/racing.ts`.
 *
 * @module
 */

import { MAX_RACE_PVDS, type PvdPolicy, type RaceOptions, type RacePvd } from "../core-as/racing.ts";
import type { InterfaceId, PvdId } from "./messages.ts";
import type { InterfaceKind } from "./network_link.ts";

/**
 * A PvD that could take part in a race, as {@linkcode planRace} sees it.
 *
 * @example A Wi-Fi PvD with IPv6 and IPv4 sources
 * ```ts
 * import type { RaceCandidate } from "./race_policy.ts";
 *
 * const wifi: RaceCandidate = {
 *   pvdId: "pvd.provider-b.example", interfaceId: 2, interfaceKind: "wifi", explicit: true, families: [6, 4],
 * };
 * if (wifi.families.length !== 2) throw new Error("unexpected");
 * ```
 */
export interface RaceCandidate {
  /** The PvD. */
  readonly pvdId: PvdId;
  /** Its interface. */
  readonly interfaceId: InterfaceId;
  /** Its interface's type. */
  readonly interfaceKind: InterfaceKind;
  /** True for an RFC 8801 PvD, false for an implicit one. */
  readonly explicit: boolean;
  /** The families it has a usable source address of. */
  readonly families: readonly (4 | 6)[];
  /** Its smoothed connection round-trip time (ms) from {@linkcode RttHistory}, when measured. */
  readonly srtt?: number;
  /**
   * False when `srtt` is only a lower bound, from races it lost and none it
   * won ({@linkcode RttHistory.measured}); a measured PvD ranks before it.
   */
  readonly srttMeasured?: boolean;
}

/**
 * A connection racing policy: RFC 8305 timing inside each PvD, and which
 * PvDs race in what order. Every field is optional; an empty policy is
 * RFC 8305's defaults over every PvD, in the configuration database's order.
 *
 * The policy of a PvD is the first of: `custom(pvd)`, `pvds[pvdId]`,
 * `interfaceKinds[kind]`, `neutral`. PvDs are then ranked by the WebAssembly
 * scheduler: `require` ones only when there are any, never `prohibit`,
 * `prefer` before `neutral` before `avoid`; within a rank, by measured RTT
 * when `order` is `rtt`, else in the database's order.
 *
 * @example Never cellular, and Wi-Fi before Ethernet
 * ```ts
 * import type { RacePolicy } from "./race_policy.ts";
 *
 * const policy: RacePolicy = {
 *   name: "wifi-first",
 *   interfaceKinds: { cellular: "prohibit", wifi: "prefer" },
 *   pvdStagger: 100,
 * };
 * if (policy.interfaceKinds?.cellular !== "prohibit") throw new Error("unexpected");
 * ```
 */
export interface RacePolicy {
  /** A name for reports and benchmarks. */
  readonly name?: string;
  /** RFC 8305 section 3 resolution delay, ms (50). */
  readonly resolutionDelay?: number;
  /** RFC 8305 section 5 connection attempt delay, ms (250; clamped to 10 .. 2000). */
  readonly attemptDelay?: number;
  /** RFC 8305 section 4 first address family count (1). */
  readonly firstFamilyCount?: number;
  /** The family tried first in each PvD (6). */
  readonly preferredFamily?: 4 | 6;
  /**
   * Delay between the first attempts of successive PvDs, ms (0: all PvDs
   * start together), or `adaptive`: from the measured RTT of the PvD ranked
   * first, twice its smoothed RTT within {@linkcode ADAPTIVE_STAGGER_MIN}
   * and the attempt delay, and 0 while it has none (a race that measures
   * every PvD). A healthy path then makes one connection, and a dead one
   * hands over within a few of its round trips.
   */
  readonly pvdStagger?: number | "adaptive";
  /**
   * Gives up an attempt that has not connected after this many ms, as
   * Node's `autoSelectFamilyAttemptTimeout` does; attempts stay in flight
   * until the race ends when absent (RFC 8305).
   */
  readonly attemptTimeout?: number;
  /**
   * How answers reach the race: `parallel` (each family as it arrives, with
   * the resolution delay; the default), or `together` (both families at
   * once, as `getaddrinfo` gives them to Node and Deno).
   */
  readonly resolution?: "parallel" | "together";
  /** Races at most this many PvDs, the best ranked (8, the scheduler's limit). */
  readonly maxPvds?: number;
  /** What the policy says about given PvDs. */
  readonly pvds?: Readonly<Record<PvdId, PvdPolicy>>;
  /** What the policy says about interface types, as TAPS's interface selection properties. */
  readonly interfaceKinds?: Readonly<Partial<Record<InterfaceKind, PvdPolicy>>>;
  /** Ranks PvDs of equal policy by measured RTT (`rtt`) or by the database's order (`configured`, the default). */
  readonly order?: "configured" | "rtt";
  /** The user's own rule, consulted first; `undefined` leaves the decision to the rest of the policy. */
  readonly custom?: (pvd: RaceCandidate) => PvdPolicy | undefined;
}

/**
 * What {@linkcode planRace} decided: the PvDs in order, each with its policy
 * and families, and the scheduler's options.
 *
 * @example
 * ```ts
 * import { planRace, type RacePlan } from "./race_policy.ts";
 *
 * const plan: RacePlan = planRace({}, [
 *   { pvdId: "a", interfaceId: 1, interfaceKind: "ethernet", explicit: false, families: [4] },
 * ]);
 * if (plan.pvds[0]?.pvd !== "a" || plan.options.attemptDelay !== 250) throw new Error("unexpected");
 * ```
 */
export interface RacePlan {
  /** The PvDs taking part, best ranked first (prohibited ones left out). */
  readonly pvds: readonly (RacePvd & { readonly interfaceId: InterfaceId })[];
  /** PvDs the policy left out, with why. */
  readonly excluded: readonly { readonly pvdId: PvdId; readonly why: string }[];
  /** The scheduler's timing. */
  readonly options: Required<Omit<RaceOptions, "now">>;
  /** Per-attempt give-up time, ms, when the policy has one. */
  readonly attemptTimeout: number | undefined;
  /** How answers reach the race. */
  readonly resolution: "parallel" | "together";
}

const RANK: Readonly<Record<PvdPolicy, number>> = { require: 0, prefer: 0, neutral: 1, avoid: 2, prohibit: 3 };

/**
 * Applies a policy to the candidate PvDs: each PvD's policy, the order, the
 * cap on PvDs, and the timing. The scheduler applies `require` and
 * `prohibit` again; the plan leaves prohibited PvDs out so that nothing is
 * resolved in them either.
 *
 * @example Prefer the PvD with the shortest measured RTT
 * ```ts
 * import { planRace } from "./race_policy.ts";
 *
 * const plan = planRace({ order: "rtt" }, [
 *   { pvdId: "slow", interfaceId: 1, interfaceKind: "cellular", explicit: false, families: [4], srtt: 180 },
 *   { pvdId: "fast", interfaceId: 2, interfaceKind: "wifi", explicit: false, families: [4, 6], srtt: 12 },
 * ]);
 * if (plan.pvds.map((p) => p.pvd).join() !== "fast,slow") throw new Error("unexpected");
 * ```
 *
 * @param policy The policy.
 * @param candidates The PvDs with a usable source address, in the database's order.
 * @returns The plan.
 */
export function planRace(policy: RacePolicy, candidates: readonly RaceCandidate[]): RacePlan {
  const excluded: { pvdId: PvdId; why: string }[] = [];
  const ranked = candidates.map((candidate, index) => {
    const custom = policy.custom?.(candidate);
    const byPvd = policy.pvds?.[candidate.pvdId];
    const byKind = policy.interfaceKinds?.[candidate.interfaceKind];
    const verdict: PvdPolicy = custom ?? byPvd ?? byKind ?? "neutral";
    const source = custom !== undefined
      ? "the custom rule"
      : byPvd !== undefined
      ? "the policy for this PvD"
      : byKind !== undefined
      ? `the policy for ${candidate.interfaceKind} interfaces`
      : "default";
    return { candidate, index, verdict, source };
  });
  const anyRequired = ranked.some((r) => r.verdict === "require");
  const usable = ranked.filter((r) => {
    if (r.verdict === "prohibit") {
      excluded.push({ pvdId: r.candidate.pvdId, why: `prohibited by ${r.source}` });
      return false;
    }
    if (anyRequired && r.verdict !== "require") {
      excluded.push({ pvdId: r.candidate.pvdId, why: "another PvD is required" });
      return false;
    }
    if (r.candidate.families.length === 0) {
      excluded.push({ pvdId: r.candidate.pvdId, why: "no usable source address" });
      return false;
    }
    return true;
  });
  const byRtt = policy.order === "rtt";
  // Measured first, then known only from races lost, then never raced.
  const evidence = (c: RaceCandidate) => c.srtt === undefined ? 2 : c.srttMeasured === false ? 1 : 0;
  usable.sort((x, y) =>
    RANK[x.verdict] - RANK[y.verdict] ||
    (byRtt
      ? evidence(x.candidate) - evidence(y.candidate) ||
        (x.candidate.srtt ?? Infinity) - (y.candidate.srtt ?? Infinity)
      : 0) ||
    x.index - y.index
  );
  const cap = Math.max(1, Math.min(MAX_RACE_PVDS, Math.floor(policy.maxPvds ?? MAX_RACE_PVDS)));
  const attemptDelay = policy.attemptDelay ?? 250;
  for (const r of usable.slice(cap)) {
    excluded.push({ pvdId: r.candidate.pvdId, why: `only ${cap} PvD${cap === 1 ? "" : "s"} race under this policy` });
  }
  return {
    pvds: usable.slice(0, cap).map((r) => ({
      pvd: r.candidate.pvdId,
      interfaceId: r.candidate.interfaceId,
      policy: r.verdict,
      families: r.candidate.families,
    })),
    excluded,
    options: {
      resolutionDelay: policy.resolutionDelay ?? 50,
      attemptDelay,
      firstFamilyCount: policy.firstFamilyCount ?? 1,
      preferredFamily: policy.preferredFamily ?? 6,
      pvdStagger: policy.pvdStagger === "adaptive"
        ? adaptiveStagger(usable[0]?.candidate.srtt, attemptDelay)
        : policy.pvdStagger ?? 0,
    },
    attemptTimeout: policy.attemptTimeout,
    resolution: policy.resolution ?? "parallel",
  };
}

/**
 * The shortest stagger `adaptive` waits before the next PvD, ms: RFC 8305
 * section 5's floor for a connection attempt delay, which keeps a path
 * whose RTT is not known to the millisecond from being raced at once.
 */
export const ADAPTIVE_STAGGER_MIN = 10;

/**
 * The `adaptive` stagger for a race whose first PvD has this smoothed RTT:
 * twice it (a connection that has not come in two round trips is likely
 * lost), between {@linkcode ADAPTIVE_STAGGER_MIN} and the attempt delay; 0
 * when unmeasured, so that the race measures every PvD.
 */
function adaptiveStagger(srtt: number | undefined, attemptDelay: number): number {
  if (srtt === undefined) return 0;
  return Math.min(Math.max(ADAPTIVE_STAGGER_MIN, attemptDelay), Math.max(ADAPTIVE_STAGGER_MIN, Math.ceil(2 * srtt)));
}

/**
 * Measured connection round-trip times, kept per PvD and never shared
 * between PvDs (RFC 8305 section 4; the Happy Eyeballs v3 draft): a path's
 * history says nothing about another provider's. Smoothed as TCP does
 * (RFC 6298: SRTT = 7/8 SRTT + 1/8 R), and forgotten when the PvD goes.
 * Winners give samples; losers still in flight at the end give lower
 * bounds ({@linkcode RttHistory.recordLowerBound}).
 *
 * @example
 * ```ts
 * import { RttHistory } from "./race_policy.ts";
 *
 * const history = new RttHistory();
 * history.record("pvd.a.example", 40);
 * history.record("pvd.a.example", 8);
 * if (history.srtt("pvd.a.example") !== 36 || history.srtt("pvd.b.example") !== undefined) throw new Error();
 * ```
 */
export class RttHistory {
  readonly #entries = new Map<PvdId, { srtt: number; measured: boolean }>();

  /**
   * Adds a measurement: the time from an attempt's start to its connection.
   * The first one replaces what lower bounds alone had estimated.
   *
   * @param pvdId The PvD it went through.
   * @param rtt Milliseconds; a negative or non-finite value is ignored.
   */
  record(pvdId: PvdId, rtt: number): void {
    if (!Number.isFinite(rtt) || rtt < 0) return;
    const old = this.#entries.get(pvdId);
    const srtt = old === undefined || !old.measured ? rtt : old.srtt + (rtt - old.srtt) / 8;
    this.#entries.set(pvdId, { srtt, measured: true });
  }

  /**
   * Adds a lower bound: an attempt that had not connected after `rtt` ms
   * when the race ended without it (a loser, cancelled). It says the PvD's
   * RTT is at least that, so it raises the estimate toward it (to it, for
   * a PvD never measured) and never lowers it; without it, a PvD that keeps
   * losing would stay unknown.
   *
   * @example
   * ```ts
   * import { RttHistory } from "./race_policy.ts";
   *
   * const history = new RttHistory();
   * history.recordLowerBound("pvd.b.example", 40); // lost a race after 40 ms
   * history.recordLowerBound("pvd.b.example", 10); // says nothing new
   * if (history.srtt("pvd.b.example") !== 40) throw new Error();
   * ```
   *
   * @param pvdId The PvD.
   * @param rtt Milliseconds the attempt had been in flight.
   */
  recordLowerBound(pvdId: PvdId, rtt: number): void {
    if (!Number.isFinite(rtt) || rtt < 0) return;
    const old = this.#entries.get(pvdId);
    if (old === undefined || !old.measured) {
      this.#entries.set(pvdId, { srtt: Math.max(old?.srtt ?? 0, rtt), measured: false });
    } else if (old.srtt < rtt) {
      this.record(pvdId, rtt);
    }
  }

  /**
   * The smoothed RTT of a PvD, ms (only a lower bound when
   * {@linkcode RttHistory.measured} is false); `undefined` before any race.
   *
   * @param pvdId The PvD.
   */
  srtt(pvdId: PvdId): number | undefined {
    return this.#entries.get(pvdId)?.srtt;
  }

  /**
   * Whether a PvD's RTT was measured (it won a race), not only bounded from
   * below by races it lost.
   *
   * @example
   * ```ts
   * import { RttHistory } from "./race_policy.ts";
   *
   * const history = new RttHistory();
   * history.recordLowerBound("pvd.b.example", 21); // lost after 21 ms
   * history.record("pvd.b.example", 40); // then won in 40 ms
   * if (!history.measured("pvd.b.example") || history.srtt("pvd.b.example") !== 40) throw new Error();
   * ```
   *
   * @param pvdId The PvD.
   */
  measured(pvdId: PvdId): boolean {
    return this.#entries.get(pvdId)?.measured ?? false;
  }

  /**
   * Forgets a PvD's history (it went away: a PvD that comes back is new).
   *
   * @param pvdId The PvD.
   */
  forget(pvdId: PvdId): void {
    this.#entries.delete(pvdId);
  }
}

/**
 * Ready-made policies, the ones the policy benchmark compares. `nodeLike`
 * and `denoLike` model the runtimes' built-in Happy Eyeballs (parameters
 * read from their code): one network only, both families from
 * `getaddrinfo` at once; Node gives each attempt up at the 250 ms delay
 * (nodejs/node#54359), Deno keeps attempts in flight and always starts with
 * IPv6. What they cannot express here: Deno does not start the next attempt
 * early when one fails (this scheduler always does).
 *
 * @example Prefer one PvD
 * ```ts
 * import { RACE_POLICIES } from "./race_policy.ts";
 *
 * const policy = RACE_POLICIES.preferPvd("pvd.provider-b.example");
 * if (policy.pvds?.["pvd.provider-b.example"] !== "prefer") throw new Error("unexpected");
 * ```
 */
export const RACE_POLICIES: {
  readonly rfc8305: RacePolicy;
  readonly ipv4First: RacePolicy;
  readonly rttHistory: RacePolicy;
  readonly adaptive: RacePolicy;
  readonly nodeLike: RacePolicy;
  readonly denoLike: RacePolicy;
  readonly preferPvd: (pvdId: PvdId) => RacePolicy;
} = {
  /** RFC 8305's defaults over every PvD at once. */
  rfc8305: { name: "rfc8305" },
  /** RFC 8305 with IPv4 tried first. */
  ipv4First: { name: "ipv4-first", preferredFamily: 4 },
  /** PvDs ranked by measured RTT, the slower ones started 100 ms later. */
  rttHistory: { name: "rtt-history", order: "rtt", pvdStagger: 100 },
  /**
   * The MIF API's default: PvDs ranked by measured RTT, the next one
   * started after twice the first one's RTT (`pvdStagger: "adaptive"`);
   * every PvD at once until the first is measured. Interfaces raced with
   * a delay, not all at once, as TAPS implementations do (RFC 9623's
   * delayed racing): a connect over a healthy path opens one connection,
   * not one per PvD, and a cellular link is not woken for every connect.
   */
  adaptive: { name: "adaptive", order: "rtt", pvdStagger: "adaptive" },
  /** Node 20's `net.connect` with `autoSelectFamily`, over the first PvD. */
  nodeLike: {
    name: "node-like",
    maxPvds: 1,
    resolution: "together",
    attemptDelay: 250,
    attemptTimeout: 250,
  },
  /** Deno 2.9's `Deno.connect` with `autoSelectFamily`, over the first PvD. */
  denoLike: { name: "deno-like", maxPvds: 1, resolution: "together", attemptDelay: 250 },
  /**
   * One PvD first, the others 250 ms later if it has not connected by then.
   *
   * @param pvdId The preferred PvD.
   * @returns The policy.
   */
  preferPvd(pvdId: PvdId): RacePolicy {
    return { name: `prefer ${pvdId}`, pvds: { [pvdId]: "prefer" }, pvdStagger: 250 };
  },
};
