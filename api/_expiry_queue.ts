/**
 * A min-heap of expiry times with lazy deletion: an entry whose item changed
 * or left is skipped when it comes up, which keeps updates O(log n) without
 * searching the heap.
 *
 * @module
 */

/** One scheduled expiry. `key` names the item; `at` is a clock time in ms. */
export interface ExpiryEntry {
  /** Clock time in milliseconds. */
  readonly at: number;
  /** The item that expires. */
  readonly key: string;
}

/** Binary min-heap of {@linkcode ExpiryEntry}, ordered by `at`, then by insertion. */
export class ExpiryQueue {
  #heap: { at: number; seq: number; key: string }[] = [];
  #seq = 0;

  /** Number of entries, stale ones included. */
  get size(): number {
    return this.#heap.length;
  }

  /** The earliest time, or `undefined` when empty. */
  peekTime(): number | undefined {
    return this.#heap[0]?.at;
  }

  /** Adds an entry. */
  push(at: number, key: string): void {
    const heap = this.#heap;
    heap.push({ at, seq: this.#seq++, key });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(i, parent)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  /** Removes and returns the earliest entry if it is due at `now`. */
  popDue(now: number): ExpiryEntry | undefined {
    const heap = this.#heap;
    const top = heap[0];
    if (top === undefined || top.at > now) return undefined;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && this.#less(left, smallest)) smallest = left;
        if (right < heap.length && this.#less(right, smallest)) smallest = right;
        if (smallest === i) break;
        this.#swap(i, smallest);
        i = smallest;
      }
    }
    return { at: top.at, key: top.key };
  }

  #less(a: number, b: number): boolean {
    const x = this.#heap[a]!;
    const y = this.#heap[b]!;
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }

  #swap(a: number, b: number): void {
    const heap = this.#heap;
    const t = heap[a]!;
    heap[a] = heap[b]!;
    heap[b] = t;
  }
}
