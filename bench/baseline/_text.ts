/**
 * Text helpers shared by the baseline parsers: what a user writing a
 * DataView parser would write once and reuse (RFC 5952 address text, hex,
 * DNS names).
 *
 * @module
 */

/** Dotted quad of the 4 bytes at `at`. */
export function ipv4Text(bytes: Uint8Array, at: number): string {
  return `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`;
}

/**
 * RFC 5952 text of the 16 bytes at `at`: lowercase, no leading zeros, the
 * longest run of two or more zero groups as "::" (the first on a tie), and
 * "::ffff:a.b.c.d" for IPv4-mapped addresses (section 5).
 */
export function ipv6Text(bytes: Uint8Array, at: number): string {
  const groups = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 8; i++) groups[i] = (bytes[at + 2 * i]! << 8) | bytes[at + 2 * i + 1]!;
  if (
    groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 &&
    groups[5] === 0xffff
  ) {
    return `::ffff:${ipv4Text(bytes, at + 12)}`;
  }
  let bestStart = -1;
  let bestLength = 1; // a single zero group is never shortened
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  let text = "";
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      text += "::";
      i += bestLength - 1;
      continue;
    }
    if (text.length > 0 && !text.endsWith(":")) text += ":";
    text += groups[i]!.toString(16);
  }
  return text;
}

/** `count` IPv6 addresses back to back from `at`. */
export function ipv6List(bytes: Uint8Array, at: number, count: number): string[] {
  const list: string[] = [];
  for (let k = 0; k < count; k++) list.push(ipv6Text(bytes, at + 16 * k));
  return list;
}

/** Lowercase hex of each byte, joined by `separator`. */
export function hexText(bytes: Uint8Array, separator: string): string {
  let text = "";
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0) text += separator;
    text += bytes[i]!.toString(16).padStart(2, "0");
  }
  return text;
}

/** One character per byte. */
export function latin1(bytes: Uint8Array, from = 0, to = bytes.length): string {
  let text = "";
  for (let i = from; i < to; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

/** Lowercases ASCII letters only. */
export function lowerAscii(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/** Clears the bits of `prefix` past `length` (in place). */
export function maskPrefix(prefix: Uint8Array, length: number): Uint8Array {
  for (let bit = length; bit < prefix.length * 8; bit++) {
    prefix[bit >> 3] = prefix[bit >> 3]! & ~(0x80 >> (bit & 7));
  }
  return prefix;
}

/** Sign-free big-endian reads, for code that has no DataView at hand. */
export function u16(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 8) | bytes[at + 1]!;
}

/** Big-endian u32. */
export function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) >>> 0) + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);
}

/** 0xffffffff is infinity for lifetimes. */
export function lifetime(seconds: number): number {
  return seconds === 0xffffffff ? Infinity : seconds;
}
