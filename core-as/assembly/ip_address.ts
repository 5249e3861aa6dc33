/*
 * IP address text: strict parsing and RFC 5952 canonical formatting.
 *
 * parseIpAddress(len) reads the text in the input region and writes a
 * 32-byte result (all integers little-endian):
 *
 *   offset  0  u8   family: 4 or 6
 *   offset  1  u8[3] zero
 *   offset  4  u32  zone offset in the input (0 when there is no zone)
 *   offset  8  u32  zone length in bytes (0 when there is no zone)
 *   offset 12  u32  zero
 *   offset 16  u8[16] address in network order; IPv4 uses the first 4 bytes
 *                    and leaves the other 12 zero
 *
 * Accepted syntax:
 *   - IPv4: exactly four decimal parts 0..255 separated by ".", without
 *     leading zeros ("01" is rejected, as Go and Rust do, because other
 *     parsers read it as octal).
 *   - IPv6 (RFC 4291 section 2.2): up to 8 groups of 1..4 hex digits
 *     separated by ":", "::" at most once standing for one or more zero
 *     groups, optionally ending in a dotted IPv4 address for the last 32 bits.
 *   - IPv6 only: "%" and a zone of one or more visible ASCII characters other
 *     than "%", "/", "[" and "]" (those would clash with percent-encoding,
 *     prefix lengths and URL brackets).
 * Errors report the offset of the first byte that cannot be accepted, except
 * that a value out of range or a group too long is reported at its start.
 *
 * formatIpAddress(len, addressLength) reads `addressLength` (4 or 16) address
 * bytes, optionally followed (IPv6 only) by "%" and a zone, and writes the
 * canonical text: dotted quad for IPv4; for IPv6 lowercase hex without
 * leading zeros, the longest run of two or more zero groups (the first on a
 * tie) written as "::", and "::ffff:a.b.c.d" for IPv4-mapped addresses.
 */

import {
  begin,
  byteAt,
  ErrorCode,
  fail,
  inputLength,
  needResult,
  putU32,
  putU8,
  resultByteAt,
} from "./abi";

/** Size of the parse result. */
const PARSE_RESULT_SIZE: usize = 32;
const FAMILY_AT: usize = 0;
const ZONE_OFFSET_AT: usize = 4;
const ZONE_LENGTH_AT: usize = 8;
const ADDRESS_AT: usize = 16;

/** Longest IPv6 text without zone: 8 groups of 4 digits and 7 colons. */
const MAX_IPV6_TEXT: usize = 39;
/** Longest IPv4 text: "255.255.255.255". */
const MAX_IPV4_TEXT: usize = 15;

const DOT: i32 = 0x2e;
const COLON: i32 = 0x3a;
const PERCENT: i32 = 0x25;

/** Cursor shared by the parsing helpers (no allocation, so no objects). */
let pos: usize = 0;
/** Cursor of the formatter in the result region. */
let out: usize = 0;

function isDigit(c: i32): bool {
  return <u32> (c - 0x30) < 10;
}

/** Value of a hex digit, or -1 (also for the -1 end-of-input marker). */
function hexValue(c: i32): i32 {
  if (<u32> (c - 0x30) < 10) return c - 0x30;
  const lower = c | 0x20; // ASCII letters only differ in this bit
  if (<u32> (lower - 0x61) < 6) return lower - 0x61 + 10;
  return -1;
}

function isZoneChar(c: i32): bool {
  return c >= 0x21 && c <= 0x7e && c != PERCENT && c != 0x2f && c != 0x5b &&
    c != 0x5d;
}

/** Error code for a missing item at `pos`: truncated if at end of input. */
function missing(c: i32): i32 {
  return c < 0 ? ErrorCode.Truncated : ErrorCode.UnexpectedCharacter;
}

/**
 * Parses a dotted quad starting at `pos` into result bytes `to..to+3`,
 * leaving `pos` after it. Does not look at what follows.
 */
function parseDottedQuad(to: usize): i32 {
  for (let part: usize = 0; part < 4; part++) {
    if (part > 0) {
      const c = byteAt(pos);
      if (c != DOT) return fail(missing(c), pos);
      pos++;
    }
    const start = pos;
    let c = byteAt(pos);
    if (!isDigit(c)) return fail(missing(c), pos);
    let value: u32 = 0;
    while (isDigit(c)) {
      // A second digit after a leading 0 is the offending character.
      if (pos > start && value == 0) {
        return fail(ErrorCode.UnexpectedCharacter, pos);
      }
      value = value * 10 + <u32> (c - 0x30);
      // Checked per digit, so the loop stops after at most 4 digits.
      if (value > 255) return fail(ErrorCode.OutOfRange, start);
      pos++;
      c = byteAt(pos);
    }
    putU8(to + part, value);
  }
  return 0;
}

/** Checks the zone after the "%" at `percentAt`; records it in the result. */
function parseZone(percentAt: usize): i32 {
  const len = inputLength();
  const start = percentAt + 1;
  if (start >= len) return fail(ErrorCode.Truncated, len);
  for (let i = start; i < len; i++) {
    if (!isZoneChar(byteAt(i))) {
      return fail(ErrorCode.UnexpectedCharacter, i);
    }
  }
  putU32(ZONE_OFFSET_AT, <u32> start);
  putU32(ZONE_LENGTH_AT, <u32> (len - start));
  return 0;
}

/** Parses IPv6 text from offset 0, zone included. */
function parseIpv6(): i32 {
  pos = 0;
  let groups: usize = 0; // groups stored so far
  let gap: isize = -1; // group index where "::" stands, or -1
  let c = byteAt(0);
  if (c == COLON) {
    c = byteAt(1);
    if (c != COLON) return fail(missing(c), 1);
    gap = 0;
    pos = 2;
    c = byteAt(pos);
  }
  // Each iteration consumes one group (or the final dotted quad) and its
  // separator, so it runs at most 8 times. "::" at the very end (or before
  // the zone) leaves the loop without a group after it.
  let more = !(gap == 0 && (c < 0 || c == PERCENT));
  while (more) {
    const start = pos;
    let digit = hexValue(c);
    if (digit < 0) return fail(missing(c), pos);
    let value: u32 = 0;
    let decimal = true;
    while (digit >= 0) {
      if (pos - start == 4) return fail(ErrorCode.BadLength, start);
      value = (value << 4) | <u32> digit;
      if (digit > 9) decimal = false;
      pos++;
      c = byteAt(pos);
      digit = hexValue(c);
    }
    // With "::" present the explicit groups must leave it at least one.
    const limit: usize = gap >= 0 ? 7 : 8;
    if (c == DOT) {
      // Embedded IPv4 takes the last two groups.
      if (!decimal || groups + 2 > limit) {
        return fail(ErrorCode.UnexpectedCharacter, pos);
      }
      pos = start;
      const err = parseDottedQuad(ADDRESS_AT + 2 * groups);
      if (err < 0) return err;
      groups += 2;
      c = byteAt(pos);
      if (c >= 0 && c != PERCENT) {
        return fail(ErrorCode.UnexpectedCharacter, pos);
      }
      break;
    }
    putU8(ADDRESS_AT + 2 * groups, value >> 8);
    putU8(ADDRESS_AT + 2 * groups + 1, value & 0xff);
    groups++;
    if (c < 0 || c == PERCENT) break;
    if (c != COLON || groups >= limit) {
      return fail(ErrorCode.UnexpectedCharacter, pos);
    }
    if (byteAt(pos + 1) == COLON) {
      if (gap >= 0) return fail(ErrorCode.UnexpectedCharacter, pos + 1);
      gap = <isize> groups;
      pos += 2;
      c = byteAt(pos);
      more = !(c < 0 || c == PERCENT);
    } else {
      pos++;
      c = byteAt(pos);
    }
  }
  if (gap >= 0) {
    // Move the groups after "::" to the end and zero the gap.
    const tail = (groups - <usize> gap) * 2;
    const from = ADDRESS_AT + <usize> gap * 2;
    const to = ADDRESS_AT + 16 - tail;
    for (let i = tail; i > 0; i--) {
      putU8(to + i - 1, <u32> resultByteAt(from + i - 1));
    }
    for (let i = from; i < to; i++) putU8(i, 0);
  } else if (groups < 8) {
    return fail(missing(c), pos);
  }
  if (c == PERCENT) {
    const err = parseZone(pos);
    if (err < 0) return err;
  }
  putU8(FAMILY_AT, 6);
  return <i32> PARSE_RESULT_SIZE;
}

/**
 * Parses IPv4 or IPv6 address text (see the top of this file for the
 * syntax and the result layout).
 */
export function parseIpAddress(len: usize): i32 {
  let err = begin(len);
  if (err < 0) return err;
  err = needResult(PARSE_RESULT_SIZE);
  if (err < 0) return err;
  for (let i: usize = 0; i < PARSE_RESULT_SIZE; i++) putU8(i, 0);

  // Decimal digits followed by "." can only start a dotted quad; anything
  // else is IPv6 (or garbage that the IPv6 parser reports).
  let scan: usize = 0;
  while (isDigit(byteAt(scan))) scan++;
  if (scan > 0 && byteAt(scan) == DOT) {
    pos = 0;
    err = parseDottedQuad(ADDRESS_AT);
    if (err < 0) return err;
    if (pos != len) return fail(ErrorCode.UnexpectedCharacter, pos);
    putU8(FAMILY_AT, 4);
    return <i32> PARSE_RESULT_SIZE;
  }
  return parseIpv6();
}

// ---------------------------------------------------------------------------
// Formatting

function emit(c: i32): void {
  putU8(out, <u32> c);
  out++;
}

function emitDecimal(v: i32): void {
  if (v >= 100) emit(0x30 + v / 100);
  if (v >= 10) emit(0x30 + (v / 10) % 10);
  emit(0x30 + v % 10);
}

function emitHex(v: i32): void {
  // Skip leading zero nibbles but always write the last one.
  let shift = 12;
  while (shift > 0 && ((v >> shift) & 0xf) == 0) shift -= 4;
  for (; shift >= 0; shift -= 4) {
    const nibble = (v >> shift) & 0xf;
    emit(nibble < 10 ? 0x30 + nibble : 0x61 + nibble - 10);
  }
}

function emitDottedQuad(from: usize): void {
  for (let i: usize = 0; i < 4; i++) {
    if (i > 0) emit(DOT);
    emitDecimal(byteAt(from + i));
  }
}

/** IPv6 group `i` of the input (only called once 16 bytes are known). */
function groupAt(i: i32): i32 {
  return (byteAt(<usize> (2 * i)) << 8) | byteAt(<usize> (2 * i + 1));
}

function emitIpv6(): void {
  // IPv4-mapped (::ffff:0:0/96): RFC 5952 section 5 asks for dotted IPv4.
  let mapped = byteAt(10) == 0xff && byteAt(11) == 0xff;
  for (let i: usize = 0; mapped && i < 10; i++) mapped = byteAt(i) == 0;
  if (mapped) {
    emit(COLON);
    emit(COLON);
    for (let i = 0; i < 4; i++) emit(0x66); // "ffff"
    emit(COLON);
    emitDottedQuad(12);
    return;
  }
  // Longest run of zero groups; ">" keeps the first one on a tie.
  let bestStart = -1;
  let bestLength = 1; // a single zero group is never compressed
  let runStart = -1;
  for (let i = 0; i <= 8; i++) {
    if (i < 8 && groupAt(i) == 0) {
      if (runStart < 0) runStart = i;
    } else if (runStart >= 0) {
      if (i - runStart > bestLength) {
        bestStart = runStart;
        bestLength = i - runStart;
      }
      runStart = -1;
    }
  }
  const bestEnd = bestStart >= 0 ? bestStart + bestLength : -1;
  for (let i = 0; i < 8;) {
    if (i == bestStart) {
      emit(COLON);
      emit(COLON);
      i = bestEnd;
      continue;
    }
    if (i > 0 && i != bestEnd) emit(COLON);
    emitHex(groupAt(i));
    i++;
  }
}

/**
 * Formats `addressLength` (4 or 16) address bytes, optionally followed by
 * "%" and a zone for IPv6, as canonical text.
 */
export function formatIpAddress(len: usize, addressLength: usize): i32 {
  let err = begin(len);
  if (err < 0) return err;
  if (addressLength != 4 && addressLength != 16) {
    return fail(ErrorCode.BadLength, 0);
  }
  if (len < addressLength) return fail(ErrorCode.Truncated, len);
  if (len > addressLength) {
    if (addressLength == 4 || byteAt(addressLength) != PERCENT) {
      return fail(ErrorCode.UnexpectedCharacter, addressLength);
    }
    const start = addressLength + 1;
    if (start >= len) return fail(ErrorCode.Truncated, len);
    for (let i = start; i < len; i++) {
      if (!isZoneChar(byteAt(i))) {
        return fail(ErrorCode.UnexpectedCharacter, i);
      }
    }
  }
  const zoneLength = len - addressLength; // "%" included
  err = needResult(
    (addressLength == 4 ? MAX_IPV4_TEXT : MAX_IPV6_TEXT) + zoneLength,
  );
  if (err < 0) return err;

  out = 0;
  if (addressLength == 4) {
    emitDottedQuad(0);
  } else {
    emitIpv6();
  }
  for (let i = addressLength; i < len; i++) emit(byteAt(i));
  return <i32> out;
}
