/**
 * Carries out a connection race: feeds the WebAssembly scheduler
 * ({@linkcode ConnectionRace}) with answers, attempt outcomes and time on a
 * {@linkcode Clock}, and does what it says through a
 * {@linkcode NetworkLink}: start an attempt, cancel one, wake at a time,
 * hand over the winner. Every loser is closed and every timer cleared, so a
 * race leaves nothing behind. Runtime-neutral: the same runner drives the
 * simulated network in virtual time and the real host.
 *
 * @module
 */

import {
  type AttemptTarget,
  ConnectionRace,
  type EstablishmentReport,
  MAX_RACE_DESTINATIONS,
  MAX_RACES,
  type RaceAction,
  type RaceDestination,
  type RaceEvent,
  type RaceOptions,
  type RacePvd,
} from "../core-as/racing.ts";
import { MifError } from "./errors.ts";
import type { ConnectionAttemptFailure, InterfaceId, PvdId } from "./messages.ts";
import type { Clock, ConnectionToken, NetworkLink, TimerHandle } from "./network_link.ts";

/**
 * A PvD in a run: the scheduler's {@linkcode RacePvd} and its interface.
 *
 * @example
 * ```ts
 * import type { RunnerPvd } from "./race_runner.ts";
 *
 * const pvd: RunnerPvd = { pvd: "implicit:eth0:ipv6", interfaceId: 1, families: [6] };
 * if (pvd.interfaceId !== 1) throw new Error("unexpected");
 * ```
 */
export type RunnerPvd = RacePvd & { readonly interfaceId: InterfaceId };

/**
 * What a race runs over, and how.
 *
 * @example
 * ```ts
 * import type { RaceRunnerOptions } from "./race_runner.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network } = twoProviderHost();
 * const options: RaceRunnerOptions = { link: network, port: 80, attemptTimeout: 250 };
 * if (options.port !== 80) throw new Error("unexpected");
 * ```
 */
export interface RaceRunnerOptions {
  /** Where attempts are made; its clock times the race. */
  readonly link: Pick<NetworkLink, "clock" | "connect">;
  /** The destination port. */
  readonly port: number;
  /** The scheduler's timing (RFC 8305 defaults when absent). */
  readonly race?: Omit<RaceOptions, "now">;
  /** Gives up an attempt after this many ms (Node-like); attempts stay in flight when absent. */
  readonly attemptTimeout?: number | undefined;
  /** Stops the race: attempts are cancelled and the outcome is a failure with this reason. */
  readonly signal?: AbortSignal;
}

/**
 * How a race ended.
 *
 * @example
 * ```ts
 * import type { RaceOutcome } from "./race_runner.ts";
 *
 * function describe(outcome: RaceOutcome): string {
 *   return outcome.token ? `connected: ${outcome.report.why}` : `failed: ${outcome.error?.message}`;
 * }
 * ```
 */
export interface RaceOutcome {
  /** The winner's connection, when there is one; the caller owns it. */
  readonly token: ConnectionToken | undefined;
  /** Every attempt, when it started and ended, and why the race ended so. */
  readonly report: EstablishmentReport;
  /** Each failed attempt and why. */
  readonly failures: readonly ConnectionAttemptFailure[];
  /** Each PvD that gave no answer (resolution failed, no DNS server, withdrawn) and why. */
  readonly unanswered: readonly { readonly pvdId: PvdId; readonly reason: string }[];
  /** Why the race failed (absent for a winner). */
  readonly error: MifError | undefined;
}

interface Attempt {
  readonly target: AttemptTarget;
  readonly controller: AbortController;
  timer: TimerHandle | undefined;
  done: boolean;
}

let openRaces = 0;
const waitingForSlot: (() => void)[] = [];

/**
 * Races the runners have open in the core (of its {@linkcode MAX_RACES}
 * slots; the rest are other users'): zero once every race has ended, which
 * is what the leak tests check.
 *
 * @example
 * ```ts
 * import { openRunnerRaces } from "./race_runner.ts";
 *
 * if (openRunnerRaces() < 0) throw new Error("unexpected");
 * ```
 *
 * @returns How many races are open.
 */
export function openRunnerRaces(): number {
  return openRaces;
}

/**
 * Runs one race. Feed it each family's answer per PvD
 * ({@linkcode RaceRunner.resolved}, {@linkcode RaceRunner.unanswered}); it
 * makes the attempts and settles {@linkcode RaceRunner.outcome}.
 *
 * When the core's {@linkcode MAX_RACES} race slots are all taken, the race
 * waits for one: answers fed meanwhile are kept and applied when it opens.
 *
 * @example One PvD, an address literal, on the simulated network
 * ```ts
 * import { RaceRunner } from "./race_runner.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, clock, eth0, host } = twoProviderHost();
 * const pvd = eth0.ipv4.pvdId;
 * const runner = new RaceRunner([{ pvd, interfaceId: eth0.interfaceId, families: [4] }], {
 *   link: network,
 *   port: host.port,
 * });
 * runner.resolved({ pvd, family: 4, destinations: [{ address: host.providerA.ipv4, source: eth0.ipv4.address }] });
 * const outcome = await clock.drive(runner.outcome);
 * if (!outcome.token || outcome.report.reason !== "first") throw new Error(outcome.error?.message);
 * outcome.token.close();
 * await clock.runAll();
 * ```
 */
export class RaceRunner {
  readonly #pvds: readonly RunnerPvd[];
  readonly #options: RaceRunnerOptions;
  readonly #clock: Clock;
  readonly #attempts = new Map<number, Attempt>();
  readonly #tokens = new Map<number, ConnectionToken>();
  readonly #failures: ConnectionAttemptFailure[] = [];
  readonly #unanswered: { pvdId: PvdId; reason: string }[] = [];
  /** Families answered per PvD, to answer the rest when a PvD gives up. */
  readonly #answered = new Map<PvdId, Set<4 | 6>>();
  readonly #outcome: Promise<RaceOutcome>;
  #settle!: (outcome: RaceOutcome) => void;
  #race: ConnectionRace | undefined;
  /** Events fed before the race had a slot in the core. */
  #backlog: RaceEvent[] = [];
  /** Events held back by {@linkcode RaceRunner.batch}, for one step. */
  #batched: RaceEvent[] | undefined;
  #wake: TimerHandle | undefined;
  #last = 0;
  #fed = 0;
  #over = false;
  #abortReason: MifError | undefined;
  #onAbort: (() => void) | undefined;

  /**
   * Opens a race over PvDs in the policy's order.
   *
   * @param pvds The PvDs, each with its interface.
   * @param options Link, port, timing, signal.
   */
  constructor(pvds: readonly RunnerPvd[], options: RaceRunnerOptions) {
    this.#pvds = pvds;
    this.#options = options;
    this.#clock = options.link.clock;
    this.#outcome = new Promise((resolve) => (this.#settle = resolve));
    for (const pvd of pvds) this.#answered.set(pvd.pvd, new Set());
    const { signal } = options;
    if (signal) {
      this.#onAbort = () => this.abort(asAborted(signal.reason));
      signal.addEventListener("abort", this.#onAbort, { once: true });
    }
    this.#open();
    if (signal?.aborted) this.abort(asAborted(signal.reason));
  }

  /** Settles once with the winner or the failure; never rejects. */
  get outcome(): Promise<RaceOutcome> {
    return this.#outcome;
  }

  /**
   * The families a PvD takes part with (none for a PvD not in the race).
   *
   * @param pvdId The PvD.
   */
  familiesOf(pvdId: PvdId): (4 | 6)[] {
    const pvd = this.#pvds.find((p) => p.pvd === pvdId);
    return pvd ? [...(pvd.families ?? [4, 6])] : [];
  }

  /** True once the race has ended. */
  get over(): boolean {
    return this.#over;
  }

  /**
   * One family's answer in one PvD, destinations best first, each with its
   * source. Past the scheduler's {@linkcode MAX_RACE_DESTINATIONS}, the rest
   * are left out. Ignored after the end, for a PvD not in the race, and for
   * a family already answered.
   *
   * @param answer The PvD, the family, the destinations.
   */
  resolved(answer: { pvd: PvdId; family: 4 | 6; destinations: readonly RaceDestination[] }): void {
    const answered = this.#answered.get(answer.pvd);
    const pvd = this.#pvds.find((p) => p.pvd === answer.pvd);
    if (this.#over || !answered || !pvd || answered.has(answer.family)) return;
    if (!(pvd.families ?? [4, 6]).includes(answer.family)) return;
    answered.add(answer.family);
    const room = Math.max(0, MAX_RACE_DESTINATIONS - this.#fed);
    const destinations = answer.destinations.slice(0, room);
    this.#fed += destinations.length;
    this.#step([{ kind: "resolved", pvd: answer.pvd, family: answer.family, destinations }]);
  }

  /**
   * A PvD will give no (more) answers: its resolution failed, it has no DNS
   * server, or it was withdrawn. Families not yet answered count as
   * negative, and the reason is kept for the failure.
   *
   * @param pvdId The PvD.
   * @param reason Why, for the outcome's failures.
   */
  unanswered(pvdId: PvdId, reason?: string): void {
    const answered = this.#answered.get(pvdId);
    const pvd = this.#pvds.find((p) => p.pvd === pvdId);
    if (this.#over || !answered || !pvd) return;
    const events: RaceEvent[] = [];
    for (const family of pvd.families ?? [4, 6]) {
      if (answered.has(family)) continue;
      answered.add(family);
      events.push({ kind: "resolved", pvd: pvdId, family, destinations: [] });
    }
    if (reason !== undefined) this.#unanswered.push({ pvdId, reason });
    if (events.length > 0) this.#step(events);
  }

  /**
   * Feeds several answers as one: what `feed` gives is applied in one step
   * of the scheduler when it returns (attempts start then), rather than one
   * step per answer.
   *
   * @example Two PvDs without DNS servers, answered together
   * ```ts
   * import { RaceRunner } from "./race_runner.ts";
   * import { twoProviderHost } from "../adapters/simulated/mod.ts";
   *
   * const { network, clock, eth0 } = twoProviderHost();
   * const runner = new RaceRunner([
   *   { pvd: eth0.ipv6.pvdId, interfaceId: eth0.interfaceId, families: [6] },
   *   { pvd: eth0.ipv4.pvdId, interfaceId: eth0.interfaceId, families: [4] },
   * ], { link: network, port: 80 });
   * runner.batch(() => {
   *   runner.unanswered(eth0.ipv6.pvdId, "no DNS server");
   *   runner.unanswered(eth0.ipv4.pvdId, "no DNS server");
   * });
   * const outcome = await clock.drive(runner.outcome);
   * if (outcome.report.reason !== "no-addresses") throw new Error(outcome.report.reason);
   * ```
   *
   * @param feed Calls {@linkcode RaceRunner.resolved}, {@linkcode RaceRunner.unanswered} and the like.
   */
  batch(feed: () => void): void {
    if (this.#batched !== undefined) return feed();
    this.#batched = [];
    try {
      feed();
    } finally {
      const events = this.#batched;
      this.#batched = undefined;
      if (events.length > 0) this.#step(events);
    }
  }

  /**
   * A PvD went away mid-race: it answers nothing more, and its attempts in
   * flight fail now (the others go on).
   *
   * @param pvdId The PvD.
   * @param reason Why, for the outcome's failures.
   */
  withdraw(pvdId: PvdId, reason: string): void {
    if (this.#over) return;
    this.unanswered(pvdId, reason);
    for (const [id, attempt] of [...this.#attempts]) {
      if (this.#over) return;
      if (attempt.target.pvd === pvdId && !attempt.done) this.#fail(id, attempt, reason);
    }
  }

  /**
   * Ends the race: attempts are cancelled and the outcome is a failure.
   *
   * @param reason The outcome's error (`aborted` when absent).
   */
  abort(reason?: MifError): void {
    if (this.#over) return;
    this.#abortReason = reason ?? new MifError("aborted", "Cannot connect: the race was stopped");
    this.#step([{ kind: "abort" }]);
  }

  #open(): void {
    if (openRaces >= MAX_RACES) {
      waitingForSlot.push(() => this.#open());
      return;
    }
    try {
      this.#race = new ConnectionRace(this.#pvds, { ...this.#options.race, now: this.#now() });
    } catch (error) {
      if (error instanceof RangeError && /races are open/.test(error.message)) {
        // The slots are taken by races outside the runners: retry when one of ours ends.
        waitingForSlot.push(() => this.#open());
        if (openRaces === 0) this.#finishBroken(error);
        return;
      }
      this.#finishBroken(error);
      return;
    }
    openRaces++;
    const backlog = this.#backlog;
    this.#backlog = [];
    // A race with nothing to wait for (every PvD prohibited) ends at once.
    this.#step(backlog);
  }

  /** Never decreasing, whatever the clock does (a wall clock can step back). */
  #now(): number {
    this.#last = Math.max(this.#last, this.#clock.now());
    return this.#last;
  }

  #step(events: readonly RaceEvent[]): void {
    if (this.#over) return;
    if (this.#batched !== undefined) {
      this.#batched.push(...events);
      return;
    }
    if (!this.#race) {
      if (events.some((e) => e.kind === "abort")) this.#finishBroken(this.#abortReason);
      else this.#backlog.push(...events);
      return;
    }
    let actions: RaceAction[];
    try {
      actions = this.#race.step(this.#now(), events);
    } catch (error) {
      this.#finishBroken(error);
      return;
    }
    for (const action of actions) this.#act(action);
  }

  #act(action: RaceAction): void {
    switch (action.kind) {
      case "start":
        return this.#start(action);
      case "cancel": {
        const attempt = this.#attempts.get(action.attempt);
        if (attempt) this.#release(action.attempt, attempt);
        return;
      }
      case "wake":
        if (this.#wake !== undefined) this.#clock.clearTimer(this.#wake);
        this.#wake = this.#clock.setTimer(Math.max(0, action.at - this.#clock.now()), () => {
          this.#wake = undefined;
          this.#step([]);
        });
        return;
      case "winner": {
        const token = this.#tokens.get(action.attempt);
        this.#tokens.delete(action.attempt);
        return this.#finish({ token, report: action.report, ...this.#found(), error: undefined });
      }
      case "failure":
        return this.#finish({
          token: undefined,
          report: action.report,
          ...this.#found(),
          error: this.#abortReason ?? failureError(action.report, this.#found(), this.#options.port),
        });
    }
  }

  #start(target: AttemptTarget): void {
    const controller = new AbortController();
    const attempt: Attempt = { target, controller, timer: undefined, done: false };
    this.#attempts.set(target.attempt, attempt);
    const timeout = this.#options.attemptTimeout;
    if (timeout !== undefined) {
      attempt.timer = this.#clock.setTimer(timeout, () => {
        attempt.timer = undefined;
        if (!attempt.done) this.#fail(target.attempt, attempt, `gave up after ${timeout} ms`);
      });
    }
    const pvd = this.#pvds.find((p) => p.pvd === target.pvd)!;
    this.#options.link.connect(
      {
        pvdId: target.pvd,
        interfaceId: pvd.interfaceId,
        sourceAddress: target.source,
        address: target.address,
        port: this.#options.port,
      },
      controller.signal,
    ).then(
      (token) => {
        if (attempt.done || this.#over) {
          token.close(); // A loser that connected after all.
          return;
        }
        attempt.done = true;
        this.#clearAttempt(attempt);
        this.#attempts.delete(target.attempt);
        this.#tokens.set(target.attempt, token);
        this.#step([{ kind: "succeeded", attempt: target.attempt }]);
      },
      (error) => {
        if (attempt.done || this.#over) return;
        const text = error instanceof Error ? error.message : String(error);
        this.#fail(target.attempt, attempt, text);
      },
    );
  }

  #fail(id: number, attempt: Attempt, reason: string): void {
    this.#release(id, attempt);
    const { source: sourceAddress, address, pvd: pvdId } = attempt.target;
    this.#failures.push({ pvdId, sourceAddress, address, reason });
    this.#step([{ kind: "failed", attempt: id }]);
  }

  /** Stops an attempt: its timer, its connect call. */
  #release(id: number, attempt: Attempt): void {
    attempt.done = true;
    this.#clearAttempt(attempt);
    attempt.controller.abort(new MifError("aborted", `Cannot connect: attempt ${id} was cancelled`));
    this.#attempts.delete(id);
  }

  #clearAttempt(attempt: Attempt): void {
    if (attempt.timer !== undefined) this.#clock.clearTimer(attempt.timer);
    attempt.timer = undefined;
  }

  #finishBroken(error: unknown): void {
    const reason = error instanceof MifError ? error : new MifError(
      "internal-error",
      `Cannot connect: the racing scheduler failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
    const report: EstablishmentReport = {
      outcome: "failed",
      reason: reason.code === "aborted" || reason.code === "timed-out" ? "aborted" : "all-failed",
      winner: undefined,
      overtaken: 0,
      attempts: [],
      why: reason.message,
    };
    this.#finish({ token: undefined, report, ...this.#found(), error: reason });
  }

  #found(): Pick<RaceOutcome, "failures" | "unanswered"> {
    return { failures: [...this.#failures], unanswered: [...this.#unanswered] };
  }

  #finish(outcome: RaceOutcome): void {
    if (this.#over) {
      outcome.token?.close();
      return;
    }
    this.#over = true;
    for (const [id, attempt] of [...this.#attempts]) this.#release(id, attempt);
    for (const token of this.#tokens.values()) token.close();
    this.#tokens.clear();
    if (this.#wake !== undefined) this.#clock.clearTimer(this.#wake);
    this.#wake = undefined;
    if (this.#onAbort) this.#options.signal?.removeEventListener("abort", this.#onAbort);
    if (this.#race) {
      this.#race.close();
      this.#race = undefined;
      openRaces--;
      waitingForSlot.shift()?.();
    }
    this.#settle(outcome);
  }
}

function asAborted(reason: unknown): MifError {
  if (reason instanceof MifError) return reason;
  return new MifError("aborted", "Cannot connect: stopped", { cause: reason });
}

/** The failure as one error: what was tried and what each attempt met. */
function failureError(
  report: EstablishmentReport,
  found: Pick<RaceOutcome, "failures" | "unanswered">,
  port: number,
): MifError {
  const details = [
    ...found.unanswered.map((u) => `in ${u.pvdId}: ${u.reason}`),
    ...found.failures.map((f) => `${f.address} from ${f.sourceAddress}: ${f.reason}`),
  ];
  const message = `Cannot connect to port ${port}: ${report.why}${
    details.length > 0 ? ` (${details.join("; ")})` : ""
  }`;
  if (report.reason === "no-addresses") {
    return new MifError(found.unanswered.length > 0 ? "resolution-failed" : "no-source-address", message);
  }
  return new MifError("connection-failed", message);
}
