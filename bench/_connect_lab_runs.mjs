// @ts-check
// The run loop every contender of bench/connect_lab.ts shares (the library's
// under Deno, the runtimes' under Node and Deno, hence plain JavaScript):
// untimed warm-up connects, then the timed ones.

/** Warm-up stops after this long: an impaired path's 250 ms connects need no hundred rounds to warm the code. */
export const WARMUP_BUDGET_MS = 5_000;

/**
 * WARMUP untimed connects (at most {@link WARMUP_BUDGET_MS} of them; the
 * first failure ends them, it would only wait), the first one kept apart as
 * the cold figure; then RUNS timed connects, stopping after STOP_AFTER
 * failures in a row.
 *
 * @param {() => Promise<{ ms: number, winner: string } | { error: string }>} once One connect, timed.
 * @param {{ warmup: number, runs: number, stopAfter: number, timing?: () => void }} counts `timing` is
 *   called once the warm-up is over.
 * @returns {Promise<{ timings: (number | null)[], first: number | null, errors: string[], winners: Record<string, number> }>}
 */
export async function runConnects(once, { warmup, runs, stopAfter, timing }) {
  /** @type {number | null} */
  let first = null;
  const warmupEnds = performance.now() + WARMUP_BUDGET_MS;
  for (let i = 0; i < warmup && performance.now() < warmupEnds; i++) {
    const outcome = await once();
    if ("error" in outcome) break;
    if (i === 0) first = outcome.ms;
  }
  timing?.();
  /** @type {(number | null)[]} */
  const timings = [];
  /** @type {string[]} */
  const errors = [];
  /** @type {Record<string, number>} */
  const winners = {};
  let failedInARow = 0;
  for (let run = 0; run < runs && failedInARow < stopAfter; run++) {
    const outcome = await once();
    if ("error" in outcome) {
      timings.push(null);
      errors.push(outcome.error);
      failedInARow++;
    } else {
      timings.push(outcome.ms);
      winners[outcome.winner] = (winners[outcome.winner] ?? 0) + 1;
      failedInARow = 0;
    }
  }
  return { timings, first, errors: [...new Set(errors)], winners };
}
