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

/** Numbers kept per record: the tag/code word, start, length, a, b, children. */
const WORDS = 6;

/**
 * The records of one parse and the input they describe. Records are read by
 * index; a record's `[start, start + length)` lies inside `input` (the
 * parser checked it), so fields can be read there without further checks.
 *
 * The records are held as plain numbers, six per record, copied out of the
 * result region: a JavaScript array costs far less to make than a typed
 * array with its own buffer, and reads as fast.
 */
export class RecordStream {
  /** The parsed bytes. */
  readonly input: Uint8Array;
  readonly #words: number[];
  #data: DataView | undefined;

  /**
   * Wraps records: their bytes as written by the core (a multiple of
   * {@linkcode RECORD_SIZE}, little-endian), or their numbers as
   * {@linkcode readRecords} returns them.
   *
   * @param records The records.
   * @param input The parsed bytes.
   */
  constructor(records: Uint8Array | number[], input: Uint8Array) {
    this.#words = records instanceof Uint8Array ? readRecordBytes(records) : records;
    this.input = input;
  }

  /** A view of `input`, for multi-byte fields (network byte order); made on first use. */
  get data(): DataView {
    return this.#data ??= new DataView(this.input.buffer, this.input.byteOffset, this.input.byteLength);
  }

  /** Number of records. */
  get count(): number {
    return this.#words.length / WORDS;
  }

  /** What record `i` is (protocol tag). */
  tag(i: number): number {
    return this.#words[i * WORDS]! & 0xffff;
  }

  /** Its option type, message type or sub-kind. */
  code(i: number): number {
    return this.#words[i * WORDS]! >>> 16;
  }

  /** Input offset of its first byte. */
  start(i: number): number {
    return this.#words[i * WORDS + 1]!;
  }

  /** Its length in bytes. */
  length(i: number): number {
    return this.#words[i * WORDS + 2]!;
  }

  /** First scalar. */
  a(i: number): number {
    return this.#words[i * WORDS + 3]!;
  }

  /** Second scalar. */
  b(i: number): number {
    return this.#words[i * WORDS + 4]!;
  }

  /** How many records after `i` are nested inside it. */
  children(i: number): number {
    return this.#words[i * WORDS + 5]!;
  }

  /** The index of the record after `i` and everything nested in it. */
  next(i: number): number {
    return i + 1 + this.#words[i * WORDS + 5]!;
  }

  /** The bytes of record `i`'s structure, from `skip` bytes into it (a view, not a copy). */
  bytes(i: number, skip = 0): Uint8Array {
    const start = this.start(i);
    return this.input.subarray(start + skip, start + this.length(i));
  }

  /** A copy of the bytes of record `i`'s structure, from `skip` bytes into it. */
  copy(i: number, skip = 0): Uint8Array {
    const start = this.start(i);
    return this.input.slice(start + skip, start + this.length(i));
  }
}

/**
 * Copies `size` bytes of records at byte offset `at` of a core module's
 * memory into numbers, six per record (the tag/code word, start, length, a,
 * b, children), unsigned.
 *
 * @param memory The memory's views (see `coreMemory` in `_abi.ts`).
 * @param at Where the records start (the result region, 16-byte aligned).
 * @param size Their byte length.
 * @returns The numbers, for {@linkcode RecordStream}.
 */
export function readRecords(
  memory: { readonly words: Uint32Array | undefined; readonly view: DataView },
  at: number,
  size: number,
): number[] {
  const { words } = memory;
  if (words !== undefined && (at & 3) === 0) return readWords(words, at >>> 2, (size / RECORD_SIZE) * WORDS);
  return readLittleEndian(memory.view, at, size);
}

function readWords(words: Uint32Array, base: number, count: number): number[] {
  const out: number[] = new Array(count);
  for (let k = 0; k < count; k++) out[k] = words[base + k]!;
  return out;
}

function readLittleEndian(view: DataView, at: number, size: number): number[] {
  const count = (size / RECORD_SIZE) * WORDS;
  const out: number[] = new Array(count);
  for (let k = 0; k < count; k++) out[k] = view.getUint32(at + 4 * k, true);
  return out;
}

function readRecordBytes(records: Uint8Array): number[] {
  const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
  return readLittleEndian(view, 0, records.byteLength);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Word view of the last buffer `copyRecords` read, kept since making one costs more than the copy. */
let wordsBuffer: ArrayBufferLike | undefined;
let wordsView: Uint32Array | undefined;

/**
 * Keeps the records of a core call past it: copies them out of the result
 * region, since the next call overwrites it.
 */
export function copyRecords(result: Uint8Array, input: Uint8Array): RecordStream {
  const at = result.byteOffset;
  if (!LITTLE_ENDIAN || (at & 3) !== 0) return new RecordStream(readRecordBytes(result), input);
  // The result is a view of the module's memory: read it as words in place.
  if (result.buffer !== wordsBuffer || wordsView === undefined || wordsView.byteLength === 0) {
    wordsBuffer = result.buffer;
    wordsView = new Uint32Array(wordsBuffer, 0, wordsBuffer.byteLength >>> 2);
  }
  return new RecordStream(readWords(wordsView, at >>> 2, (result.byteLength / RECORD_SIZE) * WORDS), input);
}
