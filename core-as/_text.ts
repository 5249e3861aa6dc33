/**
 * Text from validated bytes, for the decoders of the parsers: canonical
 * address text, the same as the core's `formatIpAddress` (a test compares
 * the two) but without a call into the module and a copy of the bytes per
 * address, which cost more than the whole parse; DNS names; hex.
 *
 * Runtime-neutral: no Deno or Node APIs.
 *
 * @module
 */

/** Decimal text of each byte value. */
const DECIMAL: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));
/** Hex text of each byte value, two digits. */
const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * The dotted quad of the 4 bytes at `at` (the caller has checked they are
 * there).
 */
export function ipv4Text(bytes: Uint8Array, at: number): string {
  return DECIMAL[bytes[at]!]! + "." + DECIMAL[bytes[at + 1]!]! + "." + DECIMAL[bytes[at + 2]!]! + "." +
    DECIMAL[bytes[at + 3]!]!;
}

/** Character codes of the hex digits. */
const HEX_DIGIT: readonly number[] = Array.from({ length: 16 }, (_, i) => i.toString(16).charCodeAt(0));

/**
 * Arrays of character codes by length, reused. A string is made with one
 * `String.fromCharCode` over an array of exactly its length: adding a
 * character or a group at a time builds a chain of strings that costs as
 * much again to flatten when the string is first compared or hashed.
 */
const CODES: number[][] = [];

function codes(length: number): number[] {
  return CODES[length] ??= new Array<number>(length).fill(0);
}

/**
 * RFC 5952 text of the 16 bytes at `at` (the caller has checked they are
 * there): lowercase hex without leading zeros, the longest run of two or
 * more zero groups written "::" (the first one on a tie), and
 * "::ffff:a.b.c.d" for IPv4-mapped addresses (section 5).
 */
export function ipv6Text(bytes: Uint8Array, at: number): string {
  let zeroPrefix = 0;
  for (let i = at; i < at + 10; i++) zeroPrefix |= bytes[i]!;
  if (zeroPrefix === 0 && bytes[at + 10] === 0xff && bytes[at + 11] === 0xff) {
    return "::ffff:" + ipv4Text(bytes, at + 12);
  }
  // The longest run of zero groups; ">" keeps the first one on a tie, and a
  // single zero group (best length 1) is never shortened.
  let bestStart = -1;
  let bestLength = 1;
  let run = 0;
  for (let i = 0; i < 8; i++) {
    if ((bytes[at + 2 * i]! | bytes[at + 2 * i + 1]!) === 0) {
      run++;
      if (run > bestLength) {
        bestLength = run;
        bestStart = i - run + 1;
      }
    } else {
      run = 0;
    }
  }
  const bestEnd = bestStart < 0 ? -1 : bestStart + bestLength;
  // First the length, to pick the array; then the characters.
  let n = 0;
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      n += 2;
      i = bestEnd - 1;
      continue;
    }
    if (i > 0 && i !== bestEnd) n++;
    const group = (bytes[at + 2 * i]! << 8) | bytes[at + 2 * i + 1]!;
    n += group >= 0x1000 ? 4 : group >= 0x100 ? 3 : group >= 0x10 ? 2 : 1;
  }
  const out = codes(n);
  n = 0;
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out[n++] = COLON;
      out[n++] = COLON;
      i = bestEnd - 1;
      continue;
    }
    if (i > 0 && i !== bestEnd) out[n++] = COLON;
    const group = (bytes[at + 2 * i]! << 8) | bytes[at + 2 * i + 1]!;
    if (group >= 0x1000) out[n++] = HEX_DIGIT[group >> 12]!;
    if (group >= 0x100) out[n++] = HEX_DIGIT[(group >> 8) & 0xf]!;
    if (group >= 0x10) out[n++] = HEX_DIGIT[(group >> 4) & 0xf]!;
    out[n++] = HEX_DIGIT[group & 0xf]!;
  }
  return String.fromCharCode.apply(null, out);
}

const COLON = 0x3a;
const DOT = 0x2e;

/** Scratch for {@linkcode ipv6PrefixText}: formatting is synchronous, so one buffer serves every call. */
const scratch = new Uint8Array(16);

/**
 * RFC 5952 text of an IPv6 prefix: `available` bytes at `at` (at most 16),
 * zero-filled to 16 and with every bit past `prefixLength` cleared.
 */
export function ipv6PrefixText(bytes: Uint8Array, at: number, available: number, prefixLength: number): string {
  const n = Math.min(available, 16);
  for (let k = 0; k < 16; k++) scratch[k] = k < n ? bytes[at + k]! : 0;
  for (let bit = prefixLength; bit < 128; bit++) scratch[bit >> 3] = scratch[bit >> 3]! & ~(0x80 >> (bit & 7));
  return ipv6Text(scratch, 0);
}

/** `count` IPv6 addresses back to back from `at`, as text. */
export function ipv6List(bytes: Uint8Array, at: number, count: number): string[] {
  const list: string[] = new Array(count);
  for (let k = 0; k < count; k++) list[k] = ipv6Text(bytes, at + 16 * k);
  return list;
}

/** Lowercase hex of each byte, joined by `separator`. */
export function hexText(bytes: Uint8Array, separator: string): string {
  let text = "";
  for (let i = 0; i < bytes.length; i++) text += i === 0 ? HEX2[bytes[i]!]! : separator + HEX2[bytes[i]!]!;
  return text;
}

/**
 * A DNS name in uncompressed wire format at `at` (RFC 1035 section 3.1),
 * which the core has validated (labels of visible ASCII without dots,
 * ending with a zero byte), as lowercase dotted text without the trailing
 * dot; the root is "".
 */
export function dnsNameText(input: Uint8Array, at: number): string {
  // The text is the wire form without its first length byte and final
  // zero, the other length bytes turned into dots.
  let end = at;
  for (let length = input[end]!; length !== 0; length = input[end]!) end += 1 + length;
  if (end === at) return "";
  const out = codes(end - at - 1);
  let n = 0;
  let upper = false;
  for (let length = input[at]!; length !== 0; length = input[at]!) {
    if (n !== 0) out[n++] = DOT;
    for (let k = at + 1; k <= at + length; k++) {
      const c = input[k]!;
      if (c >= 0x41 && c <= 0x5a) upper = true;
      out[n++] = c;
    }
    at += 1 + length;
  }
  const text = String.fromCharCode.apply(null, out);
  return upper ? text.toLowerCase() : text;
}

/** Longest text made through the reused arrays; longer text goes in chunks. */
const MAX_CACHED = 256;
/** Chunk size for long text: `apply` passes every code as an argument. */
const CHUNK = 4096;

/** One character per byte of [from, to). */
export function latin1Text(input: Uint8Array, from: number, to: number): string {
  if (to <= from) return "";
  if (to - from > MAX_CACHED) {
    let text = "";
    for (let k = from; k < to; k += CHUNK) {
      text += String.fromCharCode.apply(null, input.subarray(k, Math.min(to, k + CHUNK)) as unknown as number[]);
    }
    return text;
  }
  const out = codes(to - from);
  for (let k = from; k < to; k++) out[k - from] = input[k]!;
  return String.fromCharCode.apply(null, out);
}
