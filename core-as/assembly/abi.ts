/*
 * Shared byte-buffer ABI of the core WebAssembly module
 * =====================================================
 *
 * Every core function (IP address text, RA/DHCPv6/DHCPv4 parsers, RFC 6724
 * address selection, the connection-racing scheduler, ...) talks to its host
 * the same way, so that one small host-side helper can call all of them.
 *
 * Memory layout (linear memory, exported as `memory`):
 *
 *   [ static data | result region | input region ...... end of memory ]
 *                 ^ resultPtr()   ^ inputPtr()
 *
 *   - The result region starts at `__heap_base` rounded up to 16 bytes and
 *     holds `resultCapacity()` bytes (4096 unless grown).
 *   - The input region follows it and runs to the end of memory, so it holds
 *     `inputCapacity()` bytes.
 *   - `reserveInput(len)` grows memory so that the input region holds at least
 *     `len` bytes; `reserveResult(len)` does the same for the result region
 *     (which moves the input region). Both return the new region pointer, or 0
 *     when memory cannot grow. Both may move a region and invalidate its
 *     contents and any host view of `memory.buffer`: reserve first, then write.
 *
 * Calling convention:
 *
 *   1. The host calls `reserveInput(len)`, then writes `len` input bytes at
 *      `inputPtr()` through a fresh `Uint8Array` view of `memory.buffer`.
 *   2. The host calls the core function with `len` as first argument, followed
 *      by small scalar arguments if the function needs any.
 *   3. The function returns an i32. `>= 0` is the number of bytes it wrote at
 *      `resultPtr()`. `< 0` is an `ErrorCode`; `errorOffset()` then gives the
 *      byte offset in the input where the problem was found. For
 *      `ErrorCode.ResultTooSmall` it gives instead the result capacity that is
 *      needed: the host calls `reserveResult(errorOffset())`, writes the input
 *      again and retries.
 *
 * Rules for core functions, which keep malformed input harmless:
 *
 *   - Start with `begin(len)` and return its error, if any.
 *   - Read the input only through the checked readers below (`byteAt`,
 *     `u16At`, `u32At`, after `canRead` where convenient). Like std's
 *     DataView they check the offset against the input length before they
 *     load, but they return -1 past the end instead of throwing, because a
 *     throw would trap under `--runtime stub`.
 *   - Write the result only through the checked writers below, after
 *     `needResult(size)` has confirmed the capacity.
 *   - Never write into the input region: the host reads it back to turn byte
 *     offsets into character offsets in error messages.
 *   - Every loop must consume at least one input byte per iteration or be
 *     bounded by a constant, so that no input can make a function spin.
 *   - Do not allocate (`new`, string concatenation, arrays): the stub runtime
 *     would bump-allocate at `__heap_base`, on top of the result region.
 *   - Import nothing from the host; the build rejects a module with imports.
 *
 * All numbers crossing the boundary are wasm i32. Pointers, capacities and
 * offsets are unsigned; hosts read them with `>>> 0`.
 *
 * The module keeps its state in globals and is not reentrant: one call at a
 * time, which is all a single JavaScript thread can do anyway.
 */

/**
 * Error codes returned (negated) by every core function. Mirrored, with the
 * human text, in `core-as/_abi.ts`; a test keeps the two in sync.
 */
export const enum ErrorCode {
  /** The input ended before the item being read was complete. */
  Truncated = -1,
  /** A character (or byte) that is not allowed at this position. */
  UnexpectedCharacter = -2,
  /** A numeric value is outside its allowed range. */
  OutOfRange = -3,
  /** A field, item or argument has a length that is not allowed. */
  BadLength = -4,
  /** A well-formed value that is not allowed here. */
  InvalidValue = -5,
  /** `len` exceeds `inputCapacity()`: the host did not reserve enough. */
  InputTooLarge = -6,
  /** The result region is too small; `errorOffset()` is the needed size. */
  ResultTooSmall = -7,
}

/** Alignment of both regions, enough for any scalar a parser may store. */
const REGION_ALIGN: usize = 16;
/** Default result capacity: ample for every fixed-size result. */
const DEFAULT_RESULT_CAPACITY: usize = 4096;
/** Results must stay countable by the i32 return value. */
const MAX_REGION: usize = 0x7fff_fff0;

let resultCap: usize = DEFAULT_RESULT_CAPACITY;
let inputLen: usize = 0;
let errOffset: usize = 0;
let errDetail: u32 = 0;

function alignRegion(n: usize): usize {
  return (n + REGION_ALIGN - 1) & ~(REGION_ALIGN - 1);
}

/** Size of linear memory in bytes, as u64 because 65536 pages overflow u32. */
function memoryBytes(): u64 {
  return <u64> memory.size() << 16;
}

/** Grows memory so that it spans at least `end` bytes; false if it cannot. */
function ensureMemory(end: u64): bool {
  const have = memoryBytes();
  if (end <= have) return true;
  const pages = <i32> ((end - have + 0xffff) >>> 16);
  return memory.grow(pages) >= 0;
}

// ---------------------------------------------------------------------------
// Exported region management (called by the host)

/** Start of the result region. */
export function resultPtr(): usize {
  return alignRegion(__heap_base);
}

/** Capacity of the result region in bytes. */
export function resultCapacity(): usize {
  return resultCap;
}

/** Start of the input region (moves when the result region grows). */
export function inputPtr(): usize {
  return resultPtr() + resultCap;
}

/** Capacity of the input region in bytes: everything up to end of memory. */
export function inputCapacity(): usize {
  const start = <u64> inputPtr();
  const end = memoryBytes();
  if (end <= start) return 0;
  const cap = end - start;
  return cap > <u64> MAX_REGION ? MAX_REGION : <usize> cap;
}

/**
 * Makes the input region hold at least `len` bytes. Returns `inputPtr()`, or
 * 0 if memory cannot grow that far.
 */
export function reserveInput(len: usize): usize {
  if (len > MAX_REGION) return 0;
  if (!ensureMemory(<u64> inputPtr() + <u64> len)) return 0;
  return inputPtr();
}

/**
 * Makes the result region hold at least `len` bytes. The input region moves
 * behind it and its contents are lost. Returns `resultPtr()`, or 0 if memory
 * cannot grow that far.
 */
export function reserveResult(len: usize): usize {
  if (len > MAX_REGION) return 0;
  const cap = len > resultCap ? alignRegion(len) : resultCap;
  if (!ensureMemory(<u64> resultPtr() + <u64> cap)) return 0;
  resultCap = cap;
  return resultPtr();
}

/** Where the last failing call found its problem (see `ErrorCode`). */
export function errorOffset(): usize {
  return errOffset;
}

/**
 * What the last failing call found, as a detail identifier of the function's
 * own table (0 when it gave none). The host turns it into a sentence such as
 * "option at offset 40 has length 0"; see `records.ts` for the parsers'.
 */
export function errorDetail(): u32 {
  return errDetail;
}

// ---------------------------------------------------------------------------
// Helpers for core functions (not exported to the host)

/**
 * Starts a core function call over `len` input bytes. Returns 0, or
 * `ErrorCode.InputTooLarge` if the input would reach past the input region.
 */
export function begin(len: usize): i32 {
  errOffset = 0;
  errDetail = 0;
  inputLen = 0;
  // Memory starts empty; the result region must be backed before any write
  // even when the host reserved nothing (len 0).
  if (!ensureMemory(<u64> inputPtr())) return ErrorCode.InputTooLarge;
  if (len > inputCapacity()) return ErrorCode.InputTooLarge;
  inputLen = len;
  return 0;
}

/** Length of the current input. */
export function inputLength(): usize {
  return inputLen;
}

/** Records where an error was found and returns `code` for chaining. */
export function fail(code: i32, offset: usize): i32 {
  errOffset = offset;
  return code;
}

/** Like `fail`, with a detail identifier saying what was wrong there. */
export function failWith(code: i32, offset: usize, detail: u32): i32 {
  errOffset = offset;
  errDetail = detail;
  return code;
}

/**
 * Returns 0 if the result region holds `size` bytes, else
 * `ErrorCode.ResultTooSmall` with `size` as the error offset.
 */
export function needResult(size: usize): i32 {
  if (size <= resultCap) return 0;
  errOffset = size;
  return ErrorCode.ResultTooSmall;
}

/** True if `n` bytes starting at `offset` lie within the input. */
export function canRead(offset: usize, n: usize): bool {
  // Written as a subtraction so that huge offsets cannot wrap around.
  return n <= inputLen && offset <= inputLen - n;
}

/** The input byte at `offset`, or -1 past the end of the input. */
export function byteAt(offset: usize): i32 {
  if (offset >= inputLen) return -1;
  return <i32> load<u8>(inputPtr() + offset);
}

/** Big-endian u16 at `offset`, or -1 if it does not fit in the input. */
export function u16At(offset: usize): i32 {
  if (!canRead(offset, 2)) return -1;
  return <i32> bswap<u16>(load<u16>(inputPtr() + offset));
}

/** Big-endian u32 at `offset`, or -1 if it does not fit in the input. */
export function u32At(offset: usize): i64 {
  if (!canRead(offset, 4)) return -1;
  return <i64> bswap<u32>(load<u32>(inputPtr() + offset));
}

/** Writes a byte of the result; ignored outside the result region. */
export function putU8(offset: usize, value: u32): void {
  if (offset < resultCap) store<u8>(resultPtr() + offset, <u8> value);
}

/** Writes a little-endian u32 of the result; ignored outside the region. */
export function putU32(offset: usize, value: u32): void {
  if (resultCap >= 4 && offset <= resultCap - 4) {
    store<u32>(resultPtr() + offset, value);
  }
}

/** Reads back a result byte, or -1 outside the result region. */
export function resultByteAt(offset: usize): i32 {
  if (offset >= resultCap) return -1;
  return <i32> load<u8>(resultPtr() + offset);
}

/** Copies `n` input bytes from `from` to result offset `to`, if in bounds. */
export function copyInputToResult(from: usize, to: usize, n: usize): bool {
  if (!canRead(from, n)) return false;
  if (n > resultCap || to > resultCap - n) return false;
  memory.copy(resultPtr() + to, inputPtr() + from, n);
  return true;
}
