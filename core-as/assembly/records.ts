/*
 * The record stream: how every parser of the core (Router Advertisement,
 * DHCPv6, DHCPv4, capture files) hands its result to the host.
 *
 * A parse validates the whole input and writes, into the result region, a
 * flat sequence of fixed-size records, one per structure it found (the
 * header, each option, each nested item), in input order. A record names
 * where the structure lies in the input and carries up to two scalars, so the
 * host can build typed objects eagerly or read fields only on access, without
 * any string or object crossing the boundary.
 *
 * Record layout, RECORD_SIZE = 24 bytes, little-endian:
 *
 *   offset  type  field
 *   0       u16   tag       what the structure is: a per-protocol enum whose
 *                           high byte names the protocol (0x00 common,
 *                           0x01 RA, 0x02 DHCPv6, 0x03 DHCPv4, 0x04 capture,
 *                           0x05 address selection, 0x06 racing,
 *                           0x07 rtnetlink)
 *   2       u16   code      option type, message type or sub-kind
 *   4       u32   start     input offset of the structure's first byte
 *   8       u32   length    its length in bytes
 *   12      u32   a         first scalar (meaning per tag)
 *   16      u32   b         second scalar (meaning per tag)
 *   20      u32   children  how many records that follow are nested inside
 *                           this one (all descendants), so a reader can skip
 *
 * Each protocol documents, beside its tag enum, what `code`, `a` and `b` mean
 * for every tag. Bytes of a structure that are not worth a scalar (addresses,
 * names) are read by the host from the input at `start`, which the parser has
 * already bounds-checked: a record's [start, start + length) always lies
 * inside the input.
 *
 * Diagnostics: where an RFC says to skip a malformed item and keep the rest,
 * the parser writes a TAG_SKIPPED record (code = detail identifier, start and
 * length = the skipped bytes, a = the item's type) and goes on. A malformed
 * input that must be rejected whole returns an error through `failWith`, with
 * a detail identifier from the protocol's table.
 *
 * Overflow: records are counted even when the result region is full; the
 * parse then ends with ErrorCode.ResultTooSmall asking for count * 24 bytes,
 * and the host grows the region and calls again.
 */

import { needResult, putU32, resultByteAt } from "./abi";

/** Size of one record in bytes. */
export const RECORD_SIZE: usize = 24;

/** Common tag: an item skipped as its RFC requires (code = detail, a = item type). */
export const TAG_SKIPPED: u32 = 0x0001;

let recordCount: usize = 0;

/** Starts a record stream; call at the start of every parse. */
export function beginRecords(): void {
  recordCount = 0;
}

/** Number of records written (or counted, past a full region) so far. */
export function recordsWritten(): usize {
  return recordCount;
}

/**
 * Appends a record with no children yet and returns its index, which
 * `closeRecord` takes once its nested records are written.
 */
export function putRecord(tag: u32, code: u32, start: usize, length: usize, a: u32, b: u32): usize {
  const index = recordCount++;
  const at = index * RECORD_SIZE;
  // putU32 ignores writes past the region; finishRecords reports the need.
  putU32(at, (code << 16) | (tag & 0xffff));
  putU32(at + 4, <u32> start);
  putU32(at + 8, <u32> length);
  putU32(at + 12, a);
  putU32(at + 16, b);
  putU32(at + 20, 0);
  return index;
}

/** Sets how many records were nested in record `index`: every one since. */
export function closeRecord(index: usize): void {
  putU32(index * RECORD_SIZE + 20, <u32> (recordCount - index - 1));
}

/** Overwrites scalar `a` of record `index` (for values known only later). */
export function setRecordA(index: usize, a: u32): void {
  putU32(index * RECORD_SIZE + 12, a);
}

/** Overwrites scalar `b` of record `index`. */
export function setRecordB(index: usize, b: u32): void {
  putU32(index * RECORD_SIZE + 16, b);
}

/** The tag of record `index`, or -1 if it is not in the result region. */
export function recordTag(index: usize): i32 {
  const lo = resultByteAt(index * RECORD_SIZE);
  const hi = resultByteAt(index * RECORD_SIZE + 1);
  if (lo < 0 || hi < 0) return -1;
  return lo | (hi << 8);
}

/**
 * Ends the stream: the byte length of the records (the function's return
 * value), or ErrorCode.ResultTooSmall when they did not all fit.
 */
export function finishRecords(): i32 {
  const size = recordCount * RECORD_SIZE;
  const status = needResult(size);
  if (status != 0) return status;
  return <i32> size;
}
