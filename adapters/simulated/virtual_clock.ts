/**
 * A {@linkcode Clock} whose time moves only when a test or a simulation says
 * so, so that lifetimes, DNS timeouts and TCP retransmissions run in virtual
 * time: deterministic, and as fast as the CPU allows.
 *
 * @module
 */

import type { Clock, TimerHandle } from "../../api/network_link.ts";
import { TimeQueue } from "../../api/time_queue.ts";

/** One scheduled callback. */
interface Timer {
  readonly id: number;
  readonly time: number;
  readonly callback: () => void;
}

/**
 * Options for {@linkcode VirtualClock}.
 *
 * @example
 * ```ts
 * import { VirtualClock, type VirtualClockOptions } from "./virtual_clock.ts";
 *
 * const options: VirtualClockOptions = { start: 1_700_000_000_000 };
 * if (new VirtualClock(options).now() !== 1_700_000_000_000) throw new Error("unexpected");
 * ```
 */
export interface VirtualClockOptions {
  /** The clock's initial time in milliseconds; 0 when absent. */
  readonly start?: number;
  /**
   * Lets pending promise jobs run; the async methods await it after each
   * timer. The default waits for one macrotask (`setImmediate`, else a
   * MessageChannel message, else `setTimeout(0)`), which runs every queued
   * microtask first whatever the runtime.
   */
  readonly settle?: () => Promise<void>;
}

/**
 * Options bounding the async run helpers of {@linkcode VirtualClock}.
 *
 * @example
 * ```ts
 * import { type RunOptions, VirtualClock } from "./virtual_clock.ts";
 *
 * const clock = new VirtualClock();
 * clock.setTimer(10, () => {});
 * clock.setTimer(5_000, () => {});
 * const options: RunOptions = { until: 1_000, maxSteps: 100 };
 * await clock.runAll(options);
 * if (clock.now() !== 1_000 || clock.pendingTimers !== 1) throw new Error("unexpected");
 * ```
 */
export interface RunOptions {
  /** Most timers to fire before giving up with a `RangeError`; 100,000 when absent. */
  readonly maxSteps?: number;
  /** Latest virtual time to run to; no limit when absent. */
  readonly until?: number;
}

const DEFAULT_MAX_STEPS = 100_000;

let macrotask: ((callback: () => void) => void) | undefined;

/**
 * Waits for one macrotask: every microtask queued before it has run by then.
 * `setImmediate` (Deno, Node, Bun) costs microseconds where `setTimeout(0)`
 * costs a millisecond or more; browsers get a MessageChannel, which is not
 * clamped like nested timeouts. Only the fallback is a real timer.
 */
function settleOneMacrotask(): Promise<void> {
  if (macrotask === undefined) {
    // Both looked up on globalThis: Node's types have setImmediate but a
    // MessagePort without onmessage, the DOM's the reverse.
    const g = globalThis as {
      setImmediate?: (callback: () => void) => unknown;
      MessageChannel?: new () => {
        port1: { onmessage?: (() => void) | null };
        port2: { postMessage(message: null): void };
      };
    };
    if (typeof g.setImmediate === "function") {
      const setImmediate = g.setImmediate;
      macrotask = (callback) => void setImmediate(callback);
    } else if (typeof g.MessageChannel === "function") {
      const channel = new g.MessageChannel();
      const waiting: (() => void)[] = [];
      channel.port1.onmessage = () => waiting.shift()?.();
      macrotask = (callback) => {
        waiting.push(callback);
        channel.port2.postMessage(null);
      };
    } else {
      macrotask = (callback) => void setTimeout(callback, 0);
    }
  }
  const schedule = macrotask;
  return new Promise((resolve) => schedule(resolve));
}

/**
 * A deterministic virtual clock implementing {@linkcode Clock}.
 *
 * Timers fire in time order; timers due at the same time fire in the order
 * they were scheduled. {@linkcode VirtualClock.advance} is synchronous;
 * {@linkcode VirtualClock.tick}, {@linkcode VirtualClock.runUntil},
 * {@linkcode VirtualClock.runAll} and {@linkcode VirtualClock.drive} let
 * promise jobs settle after each timer, which is what promise-based code
 * (resolution, connection attempts, web streams) needs to make progress.
 *
 * @example Fire timers in order
 * ```ts
 * import { VirtualClock } from "./virtual_clock.ts";
 *
 * const clock = new VirtualClock();
 * const fired: string[] = [];
 * clock.setTimer(20, () => fired.push("b"));
 * clock.setTimer(10, () => fired.push("a"));
 * clock.advance(15);
 * if (fired.join() !== "a" || clock.now() !== 15) throw new Error("unexpected");
 * clock.advance(5);
 * if (fired.join() !== "a,b") throw new Error("unexpected");
 * ```
 */
export class VirtualClock implements Clock {
  #now: number;
  #nextId = 1;
  /** Timers by (time, scheduling order); cancelled timers are skipped when they come up. */
  #queue = new TimeQueue<Timer>();
  /** Live timers by id: what is still due to fire. */
  #live = new Map<number, Timer>();
  #settle: () => Promise<void>;

  /**
   * Makes a clock at time `options.start` (0 by default).
   *
   * @param options Start time and how to let promise jobs settle.
   */
  constructor(options: VirtualClockOptions = {}) {
    this.#now = options.start ?? 0;
    this.#settle = options.settle ?? settleOneMacrotask;
  }

  /**
   * The current virtual time in milliseconds.
   *
   * @example
   * ```ts
   * import { VirtualClock } from "./virtual_clock.ts";
   *
   * const clock = new VirtualClock({ start: 1000 });
   * if (clock.now() !== 1000) throw new Error("unexpected");
   * ```
   */
  now(): number {
    return this.#now;
  }

  /**
   * Schedules `callback` at `now() + delay`. A negative or NaN delay counts
   * as 0; an infinite delay never fires.
   *
   * @example
   * ```ts
   * import { VirtualClock } from "./virtual_clock.ts";
   *
   * const clock = new VirtualClock();
   * let fired = false;
   * clock.setTimer(100, () => (fired = true));
   * clock.advance(100);
   * if (!fired) throw new Error("unexpected");
   * ```
   */
  setTimer(delay: number, callback: () => void): TimerHandle {
    const id = this.#nextId++;
    // An infinite delay would move the clock to Infinity when it fired; such
    // a timer can never be due, so it is simply not stored.
    if (delay === Infinity) return id;
    const time = this.#now + (delay > 0 ? delay : 0);
    const timer: Timer = { id, time, callback };
    this.#live.set(id, timer);
    this.#queue.push(time, timer);
    return id;
  }

  /**
   * Cancels a timer; cancelling a fired or cancelled timer does nothing.
   *
   * @example
   * ```ts
   * import { VirtualClock } from "./virtual_clock.ts";
   *
   * const clock = new VirtualClock();
   * const handle = clock.setTimer(10, () => {
   *   throw new Error("cancelled timer fired");
   * });
   * clock.clearTimer(handle);
   * clock.advance(20);
   * ```
   */
  clearTimer(handle: TimerHandle): void {
    if (typeof handle === "number") this.#live.delete(handle);
  }

  /**
   * How many timers are scheduled and not yet fired or cancelled.
   *
   * @example
   * ```ts
   * import { VirtualClock } from "./virtual_clock.ts";
   *
   * const clock = new VirtualClock();
   * clock.setTimer(5, () => {});
   * if (clock.pendingTimers !== 1) throw new Error("unexpected");
   * ```
   */
  get pendingTimers(): number {
    return this.#live.size;
  }

  /**
   * The time of the next timer due, or `undefined` when none is scheduled.
   *
   * @example
   * ```ts
   * import { VirtualClock } from "./virtual_clock.ts";
   *
   * const clock = new VirtualClock();
   * clock.setTimer(30, () => {});
   * if (clock.nextTimerAt() !== 30) throw new Error("unexpected");
   * ```
   */
  nextTimerAt(): number | undefined {
    return this.#peek()?.time;
  }

  /**
   * Moves time forward by `ms`, synchronously firing every timer due within
   * the window (including timers those timers schedule), each at its own
   * time. Promise jobs do not run in between; use {@linkcode VirtualClock.tick}
   * for promise-based code.
   *
   * @example
   * ```ts
   * import { VirtualClock } from "./virtual_clock.ts";
   *
   * const clock = new VirtualClock();
   * const times: number[] = [];
   * clock.setTimer(10, () => {
   *   times.push(clock.now());
   *   clock.setTimer(10, () => times.push(clock.now()));
   * });
   * clock.advance(25);
   * if (times.join() !== "10,20" || clock.now() !== 25) throw new Error("unexpected");
   * ```
   */
  advance(ms: number): void {
    if (!(ms >= 0)) {
      throw new RangeError(
        `Cannot advance the clock: ${ms} ms is not a non-negative number`,
      );
    }
    const end = this.#now + ms;
    for (;;) {
      const timer = this.#peek();
      if (timer === undefined || timer.time > end) break;
      this.#fire(timer);
    }
    this.#now = end;
  }

  /**
   * Like {@linkcode VirtualClock.advance}, but lets promise jobs settle
   * before the first timer and after each timer, so that work a timer wakes
   * (and the timers that work schedules) runs inside the same window.
   *
   * @example Drive a promise-based delay
   * ```ts
   * import { VirtualClock } from "./virtual_clock.ts";
   *
   * const clock = new VirtualClock();
   * const log: number[] = [];
   * const sleep = (ms: number) => new Promise<void>((r) => clock.setTimer(ms, r));
   * (async () => {
   *   await sleep(10);
   *   log.push(clock.now());
   *   await sleep(10);
   *   log.push(clock.now());
   * })();
   * await clock.tick(30);
   * if (log.join() !== "10,20") throw new Error("unexpected");
   * ```
   */
  async tick(ms: number): Promise<void> {
    if (!(ms >= 0)) {
      throw new RangeError(
        `Cannot advance the clock: ${ms} ms is not a non-negative number`,
      );
    }
    const end = this.#now + ms;
    await this.#settle();
    for (;;) {
      const timer = this.#peek();
      if (timer === undefined || timer.time > end) break;
      this.#fire(timer);
      await this.#settle();
    }
    this.#now = end;
  }

  /**
   * Fires timers one at a time, letting promise jobs settle after each,
   * until `predicate()` is true. Throws a `RangeError` when no timer is left
   * (or none before `options.until`) and the predicate is still false, or
   * after `options.maxSteps` timers, so a test can never loop forever.
   *
   * @example
   * ```ts
   * import { VirtualClock } from "./virtual_clock.ts";
   *
   * const clock = new VirtualClock();
   * let done = false;
   * clock.setTimer(500, () => (done = true));
   * await clock.runUntil(() => done);
   * if (clock.now() !== 500) throw new Error("unexpected");
   * ```
   */
  async runUntil(
    predicate: () => boolean,
    options: RunOptions = {},
  ): Promise<void> {
    const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
    await this.#settle();
    for (let steps = 0; !predicate(); steps++) {
      if (steps >= maxSteps) {
        throw new RangeError(
          `Cannot run the clock until the condition holds: still false after ${maxSteps} timers`,
        );
      }
      const timer = this.#peek();
      if (
        timer === undefined ||
        (options.until !== undefined && timer.time > options.until)
      ) {
        throw new RangeError(
          `Cannot run the clock until the condition holds: no timer left at ${this.#now} ms`,
        );
      }
      this.#fire(timer);
      await this.#settle();
    }
  }

  /**
   * Fires every timer, including those scheduled along the way, letting
   * promise jobs settle after each, until none is left (or none is due
   * before `options.until`). Throws a `RangeError` after `options.maxSteps`
   * timers, which catches a periodic timer that reschedules itself forever.
   *
   * @example
   * ```ts
   * import { VirtualClock } from "./virtual_clock.ts";
   *
   * const clock = new VirtualClock();
   * clock.setTimer(10, () => clock.setTimer(10, () => {}));
   * await clock.runAll();
   * if (clock.now() !== 20 || clock.pendingTimers !== 0) throw new Error("unexpected");
   * ```
   */
  async runAll(options: RunOptions = {}): Promise<void> {
    const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
    await this.#settle();
    for (let steps = 0;; steps++) {
      const timer = this.#peek();
      if (
        timer === undefined ||
        (options.until !== undefined && timer.time > options.until)
      ) break;
      if (steps >= maxSteps) {
        throw new RangeError(
          `Cannot run every timer: timers still pending after ${maxSteps} fired`,
        );
      }
      this.#fire(timer);
      await this.#settle();
    }
    if (options.until !== undefined && options.until > this.#now) {
      this.#now = options.until;
    }
  }

  /**
   * Runs the clock until `promise` settles and returns its outcome: the way
   * to await an operation that only completes in virtual time. Throws a
   * `RangeError` when the clock runs out of timers first.
   *
   * @example
   * ```ts
   * import { VirtualClock } from "./virtual_clock.ts";
   *
   * const clock = new VirtualClock();
   * const answer = new Promise<number>((r) => clock.setTimer(250, () => r(42)));
   * if ((await clock.drive(answer)) !== 42 || clock.now() !== 250) throw new Error("unexpected");
   * ```
   */
  async drive<T>(promise: Promise<T>, options: RunOptions = {}): Promise<T> {
    let settled = false;
    // Observe the outcome without creating an unhandled rejection; the
    // caller gets the rejection from the returned `await promise`.
    promise.then(() => (settled = true), () => (settled = true));
    await this.runUntil(() => settled, options);
    return await promise;
  }

  #fire(timer: Timer): void {
    this.#queue.pop();
    this.#live.delete(timer.id);
    this.#now = timer.time;
    timer.callback();
  }

  /** The earliest live timer, dropping cancelled ones from the front of the queue. */
  #peek(): Timer | undefined {
    for (;;) {
      const top = this.#queue.peek()?.value;
      if (top === undefined) return undefined;
      if (this.#live.get(top.id) === top) return top;
      this.#queue.pop();
    }
  }
}
