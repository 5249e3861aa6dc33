/**
 * The wall clock, for adapters of real hosts. Tests and benchmarks use the
 * simulated network's virtual clock instead.
 *
 * @module
 */

import type { Clock, TimerHandle } from "./network_link.ts";

/**
 * The host's clock: `Date.now()` and `setTimeout`, available in every runtime.
 *
 * @example Measure a lifetime
 * ```ts
 * import { systemClock } from "./clock.ts";
 *
 * const start = systemClock.now();
 * const timer = systemClock.setTimer(1_000, () => {});
 * systemClock.clearTimer(timer);
 * if (systemClock.now() < start) throw new Error("clock went back");
 * ```
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (delay, callback) => setTimeout(callback, delay) as unknown as TimerHandle,
  clearTimer: (handle) => clearTimeout(handle as unknown as number),
};
