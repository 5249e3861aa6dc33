/**
 * A small seeded pseudo-random generator, so that a simulation (packet loss,
 * DNS query identifiers) replays exactly under the same seed.
 *
 * @module
 */

/**
 * xoshiro128** (Blackman and Vigna), seeded through splitmix32. Not for
 * cryptography: the simulation needs reproducibility, not secrecy, and real
 * adapters draw DNS identifiers from `crypto.getRandomValues` instead.
 *
 * @example Same seed, same sequence
 * ```ts
 * import { SeededRandom } from "./seeded_random.ts";
 *
 * const a = new SeededRandom(7);
 * const b = new SeededRandom(7);
 * if (a.nextUint32() !== b.nextUint32()) throw new Error("unexpected");
 * const x = a.next();
 * if (!(x >= 0 && x < 1)) throw new Error("unexpected");
 * ```
 */
export class SeededRandom {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  /**
   * Makes a generator; any integer (taken modulo 2^32) is a seed.
   *
   * @param seed The seed.
   */
  constructor(seed: number) {
    // splitmix32 spreads a small or zero seed over the 128-bit state;
    // xoshiro must never start from an all-zero state.
    let x = seed >>> 0;
    const mix = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#s0 = mix();
    this.#s1 = mix();
    this.#s2 = mix();
    this.#s3 = mix();
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
  }

  /**
   * The next unsigned 32-bit integer.
   *
   * @example
   * ```ts
   * import { SeededRandom } from "./seeded_random.ts";
   *
   * const n = new SeededRandom(1).nextUint32();
   * if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error("unexpected");
   * ```
   */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.#s1, 5), 7), 9) >>> 0;
    const t = this.#s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= this.#s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    return result;
  }

  /**
   * A number in [0, 1), with 32 bits of randomness.
   *
   * @example
   * ```ts
   * import { SeededRandom } from "./seeded_random.ts";
   *
   * const x = new SeededRandom(3).next();
   * if (!(x >= 0 && x < 1)) throw new Error("unexpected");
   * ```
   */
  next(): number {
    return this.nextUint32() / 0x1_0000_0000;
  }

  /**
   * An integer in [0, `bound`), for `bound` between 1 and 2^32.
   *
   * @example
   * ```ts
   * import { SeededRandom } from "./seeded_random.ts";
   *
   * const id = new SeededRandom(5).int(0x10000);
   * if (id < 0 || id > 0xffff) throw new Error("unexpected");
   * ```
   */
  int(bound: number): number {
    if (!Number.isInteger(bound) || bound < 1 || bound > 0x1_0000_0000) {
      throw new RangeError(
        `Cannot draw an integer: bound ${bound} is not an integer from 1 to 2^32`,
      );
    }
    // Rejection sampling keeps the draw unbiased for bounds that do not
    // divide 2^32.
    const limit = 0x1_0000_0000 - (0x1_0000_0000 % bound);
    for (;;) {
      const n = this.nextUint32();
      if (n < limit) return n % bound;
    }
  }

  /**
   * True with probability `p` (0 never, 1 always).
   *
   * @example
   * ```ts
   * import { SeededRandom } from "./seeded_random.ts";
   *
   * const random = new SeededRandom(9);
   * if (random.chance(0) || !random.chance(1)) throw new Error("unexpected");
   * ```
   */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.next() < p;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
