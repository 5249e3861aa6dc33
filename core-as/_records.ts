/**
 * Host side of the record stream (see `core-as/assembly/records.ts`): the
 * layout constants and {@linkcode RecordStream}, a read-only view over the
 * records a parser wrote, with the input they point into.
 *
 * Runtime-neutral: no Deno or Node APIs.
 *
 * @module
 */

/** Size of one record in bytes. */
export const RECORD_SIZE = 24;

/** Common tag: an item skipped as its RFC requires (code = detail, a = item type). */
export const TAG_SKIPPED = 0x0001;

/** A skipped item, as reported to the caller. */
export interface SkippedItem {
  /** Input offset of the skipped bytes. */
  readonly offset: number;
  /** How many bytes were skipped. */
  readonly length: number;
  /** The item's type (option code). */
  readonly type: number;
  /** Why, in words: `option at offset 40 has an odd length`. */
  readonly reason: string;
}

/**
 * The records of one parse and the input they describe. Records are read by
 * index; a record's `[start, start + length)` lies inside `input` (the
 * parser checked it), so fields can be read there without further checks.
 */
export class RecordStream {
  /** The parsed bytes. */
  readonly input: Uint8Array;
  /** A view of `input`, for multi-byte fields (network byte order). */
  readonly data: DataView;
  readonly #records: DataView;

  /**
   * Wraps records copied out of the result region.
   *
   * @param records The record bytes (a multiple of {@linkcode RECORD_SIZE}).
   * @param input The parsed bytes.
   */
  constructor(records: Uint8Array, input: Uint8Array) {
    this.#records = new DataView(records.buffer, records.byteOffset, records.byteLength);
    this.input = input;
    this.data = new DataView(input.buffer, input.byteOffset, input.byteLength);
  }

  /** Number of records. */
  get count(): number {
    return this.#records.byteLength / RECORD_SIZE;
  }

  /** What record `i` is (protocol tag). */
  tag(i: number): number {
    return this.#records.getUint16(i * RECORD_SIZE, true);
  }

  /** Its option type, message type or sub-kind. */
  code(i: number): number {
    return this.#records.getUint16(i * RECORD_SIZE + 2, true);
  }

  /** Input offset of its first byte. */
  start(i: number): number {
    return this.#records.getUint32(i * RECORD_SIZE + 4, true);
  }

  /** Its length in bytes. */
  length(i: number): number {
    return this.#records.getUint32(i * RECORD_SIZE + 8, true);
  }

  /** First scalar. */
  a(i: number): number {
    return this.#records.getUint32(i * RECORD_SIZE + 12, true);
  }

  /** Second scalar. */
  b(i: number): number {
    return this.#records.getUint32(i * RECORD_SIZE + 16, true);
  }

  /** How many records after `i` are nested inside it. */
  children(i: number): number {
    return this.#records.getUint32(i * RECORD_SIZE + 20, true);
  }

  /** The index of the record after `i` and everything nested in it. */
  next(i: number): number {
    return i + 1 + this.children(i);
  }

  /** The bytes of record `i`'s structure, from `skip` bytes into it (a view, not a copy). */
  bytes(i: number, skip = 0): Uint8Array {
    const start = this.start(i) + skip;
    return this.input.subarray(start, this.start(i) + this.length(i));
  }
}

/**
 * Calls the core through the ABI and keeps its records: copies them out of
 * the result region, since the next call overwrites it.
 */
export function copyRecords(result: Uint8Array, input: Uint8Array): RecordStream {
  return new RecordStream(result.slice(), input);
}
