/**
 * A priority queue of values by time: the earliest first, and among equal
 * times the first pushed first. Both the configuration database's expiry and
 * the simulated network's virtual clock schedule on it. Removal is left to
 * the caller (lazy deletion): a value that is no longer wanted is skipped
 * when it comes up, which keeps every operation O(log n).
 *
 * @module
 */

interface Entry<T> {
  readonly at: number;
  readonly seq: number;
  readonly value: T;
}

/** Binary min-heap on (time, insertion order). */
export class TimeQueue<T> {
  #heap: Entry<T>[] = [];
  #seq = 0;

  /** Number of entries. */
  get size(): number {
    return this.#heap.length;
  }

  /** The earliest entry, or `undefined` when empty. */
  peek(): { readonly at: number; readonly value: T } | undefined {
    return this.#heap[0];
  }

  /** Adds `value` at time `at`. */
  push(at: number, value: T): void {
    const heap = this.#heap;
    const entry: Entry<T> = { at, seq: this.#seq++, value };
    let i = heap.length;
    heap.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!before(entry, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = entry;
  }

  /** Removes and returns the earliest entry, or `undefined` when empty. */
  pop(): { readonly at: number; readonly value: T } | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right]!, heap[left]!) ? right : left;
      const c = heap[child]!;
      if (!before(c, last)) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
    return top;
  }

  /** Removes and returns the earliest entry if it is due at `now`. */
  popDue(now: number): { readonly at: number; readonly value: T } | undefined {
    const top = this.#heap[0];
    return top !== undefined && top.at <= now ? this.pop() : undefined;
  }
}

function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
