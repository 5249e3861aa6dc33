/**
 * Helpers for tests that compare objects built two ways (the benchmark's
 * baseline parsers, the on-access views) over the corpus and mutations of
 * it: a deep comparison with a readable answer, mutations (from the
 * seeded generator of `_random.ts`).
 *
 * @module
 */

/**
 * The first difference between two values, as a path and both sides, or
 * undefined. Stricter than JSON: typed arrays compare by type and bytes,
 * an absent key differs from an undefined one, key order is ignored.
 */
export function difference(a: unknown, b: unknown, path = "$"): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array)) return `${path}: one side is not a Uint8Array`;
    if (a.length !== b.length || a.some((x, i) => x !== b[i])) return `${path}: bytes [${a}] vs [${b}]`;
    return undefined;
  }
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return `${path}: ${String(a)} vs ${String(b)}`;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: array vs object`;
  const keysA = Object.keys(a).sort();
  const keysB = Object.keys(b).sort();
  if (keysA.join() !== keysB.join()) return `${path}: keys ${keysA} vs ${keysB}`;
  for (const key of keysA) {
    const found = difference(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      `${path}.${key}`,
    );
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A copy of `bytes` with 1 to 4 random edits, or cut short. */
export function mutate(bytes: Uint8Array, random: () => number): Uint8Array {
  const next = (n: number) => Math.floor(random() * n);
  const out = bytes.slice();
  const edits = 1 + next(4);
  for (let k = 0; k < edits; k++) {
    const at = next(out.length);
    switch (next(4)) {
      case 0:
        out[at] = next(256);
        break;
      case 1:
        out[at] = out[at]! ^ (1 << next(8));
        break;
      case 2:
        // Small values hit length and type fields where they matter most.
        out[at] = next(4);
        break;
      default:
        return out.subarray(0, Math.max(1, at));
    }
  }
  return out;
}

/** Option types each parser decodes, so that random options hit their checks. */
const KNOWN: Readonly<Record<"router-advertisement" | "dhcpv6" | "dhcpv4", readonly number[]>> = {
  "router-advertisement": [1, 2, 3, 5, 21, 24, 25, 26, 31, 37, 38, 144],
  "dhcpv6": [
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    11,
    12,
    13,
    14,
    15,
    16,
    17,
    18,
    19,
    20,
    21,
    22,
    23,
    24,
    25,
    26,
    31,
    32,
    56,
    64,
    103,
    144,
  ],
  "dhcpv4": [1, 3, 6, 12, 15, 26, 28, 50, 51, 52, 53, 54, 55, 57, 58, 59, 60, 61, 114, 119, 121, 162],
};

/**
 * A random packet of `kind` that mostly frames: its header, then options of
 * types the parser decodes (or any type) with random, small-valued bodies,
 * so that the option checks, not the framing, decide.
 */
export function randomPacket(
  kind: "router-advertisement" | "dhcpv6" | "dhcpv4",
  random: () => number,
): Uint8Array {
  const next = (n: number) => Math.floor(random() * n);
  // Bodies of small numbers: lengths, counts and flags that make sense.
  const body = (n: number) => Array.from({ length: n }, () => next(3) === 0 ? next(256) : next(8));
  const type = () => next(4) === 0 ? next(256) : KNOWN[kind][next(KNOWN[kind].length)]!;
  const out: number[] = [];
  const options = next(6);
  if (kind === "router-advertisement") {
    out.push(134, next(8) === 0 ? 1 : 0, 0, 0, 64, next(256), 7, 8, 0, 0, 0, 0, 0, 0, 0, 0);
    for (let k = 0; k < options; k++) {
      const units = 1 + next(5);
      out.push(type(), units, ...body(units * 8 - 2));
    }
  } else if (kind === "dhcpv6") {
    out.push(1 + next(11), next(256), next(256), next(256));
    for (let k = 0; k < options; k++) {
      const length = next(40);
      out.push(0, type(), 0, length, ...body(length));
    }
  } else {
    out.push(1 + next(2), 1, next(8) === 0 ? next(20) : 6, 0, ...new Array(232).fill(0), 99, 130, 83, 99);
    for (let k = 0; k < options; k++) {
      const length = next(20);
      out.push(type(), length, ...body(length));
    }
    if (next(2) === 0) out.push(255);
  }
  // Now and then a cut or a stray byte, for the framing checks.
  const ending = next(10);
  if (ending === 0) out.length = next(out.length + 1);
  else if (ending === 1) out.push(next(256));
  return new Uint8Array(out);
}
