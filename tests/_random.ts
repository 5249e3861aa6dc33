/**
 * The tests' seeded random numbers, so that every fuzz failure reproduces:
 * the simulated network's generator, as a function.
 *
 * @module
 */

import { SeededRandom } from "../adapters/simulated/seeded_random.ts";

/** A function returning numbers in [0, 1), the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
  const generator = new SeededRandom(seed);
  return () => generator.next();
}
