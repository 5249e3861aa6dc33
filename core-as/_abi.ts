/**
 * Host side of the byte-buffer ABI of the core WebAssembly module (see
 * `core-as/assembly/abi.ts`): the error-code mirror and {@link callCore},
 * the one helper every core function binding goes through.
 *
 * Runtime-neutral: no Deno or Node APIs, so it runs in browsers too.
 *
 * @module
 */

/**
 * Error codes of the core module, mirroring `ErrorCode` in
 * `core-as/assembly/abi.ts` (a test keeps the two in sync).
 *
 * @example Telling a range problem from a syntax problem
 * ```ts
 * import { CoreErrorCode, parseIpAddress } from "@pvd/mif/core";
 *
 * try {
 *   parseIpAddress("1.2.3.256");
 * } catch (error) {
 *   const cause = (error as Error).cause as { code: number; offset: number };
 *   if (cause.code !== CoreErrorCode.OutOfRange) throw error;
 *   if (cause.offset !== 6) throw error;
 * }
 * ```
 */
export const CoreErrorCode = {
  /** The input ended before the item being read was complete. */
  Truncated: -1,
  /** A character (or byte) that is not allowed at this position. */
  UnexpectedCharacter: -2,
  /** A numeric value is outside its allowed range. */
  OutOfRange: -3,
  /** A field, item or argument has a length that is not allowed. */
  BadLength: -4,
  /** A well-formed value that is not allowed here. */
  InvalidValue: -5,
  /** The input did not fit in the input region. */
  InputTooLarge: -6,
  /** The result region was too small (retried internally). */
  ResultTooSmall: -7,
} as const;

/**
 * One of the {@link CoreErrorCode} values.
 *
 * @example
 * ```ts
 * import { CoreErrorCode, type CoreErrorCode as Code } from "@pvd/mif/core";
 *
 * const code: Code = CoreErrorCode.Truncated;
 * if (code !== -1) throw new Error("unexpected");
 * ```
 */
export type CoreErrorCode = typeof CoreErrorCode[keyof typeof CoreErrorCode];

/**
 * The `cause` of every error thrown for a core function failure: the error
 * code and where in the input it was found (in UTF-16 code units for text
 * input, in bytes for binary input).
 *
 * @example
 * ```ts
 * import { type CoreErrorCause, parseIpAddress } from "@pvd/mif/core";
 *
 * try {
 *   parseIpAddress("fe80::g");
 * } catch (error) {
 *   const cause = (error as Error).cause as CoreErrorCause;
 *   if (cause.offset !== 6) throw error;
 * }
 * ```
 */
export interface CoreErrorCause {
  /** The error code. */
  readonly code: CoreErrorCode;
  /** Offset in the input where the problem was found. */
  readonly offset: number;
}

/** Human text and error class for each code; messages are sentence case. */
const ERRORS: Readonly<
  Record<
    CoreErrorCode,
    { text: string; type: SyntaxErrorConstructor | RangeErrorConstructor }
  >
> = {
  [CoreErrorCode.Truncated]: { text: "truncated input", type: SyntaxError },
  [CoreErrorCode.UnexpectedCharacter]: {
    text: "unexpected character",
    type: SyntaxError,
  },
  [CoreErrorCode.OutOfRange]: { text: "value out of range", type: RangeError },
  [CoreErrorCode.BadLength]: { text: "bad length", type: RangeError },
  [CoreErrorCode.InvalidValue]: { text: "invalid value", type: RangeError },
  [CoreErrorCode.InputTooLarge]: { text: "input too large", type: RangeError },
  [CoreErrorCode.ResultTooSmall]: {
    text: "result too large",
    type: RangeError,
  },
};

/**
 * The raw exports every core module has (see `core-as/assembly/abi.ts`).
 * The generated `CoreWasmExports` satisfies it.
 */
export interface CoreAbiExports {
  /** Linear memory holding the input and result regions. */
  readonly memory: WebAssembly.Memory;
  /** What the last failing call found: a detail identifier of the function's own table, or 0. */
  errorDetail(): number;
  /** Start of the input region. */
  inputPtr(): number;
  /** Grows the input region to at least `len` bytes; 0 on failure. */
  reserveInput(len: number): number;
  /** Start of the result region. */
  resultPtr(): number;
  /** Capacity of the result region in bytes. */
  resultCapacity(): number;
  /** Grows the result region to at least `len` bytes; 0 on failure. */
  reserveResult(len: number): number;
  /** Where the last failing call found its problem. */
  errorOffset(): number;
}

/** What {@link invokeCore} needs to know about one call. */
export interface CoreInvocation {
  /**
   * What the call does, completing "Cannot …" in error messages, e.g.
   * `parse IP address "fe80::g"`.
   */
  readonly action: string;
  /** Text (passed as UTF-8) or bytes to place in the input region. */
  readonly input: string | Uint8Array;
  /** Calls the core function with the input length. */
  readonly invoke: (len: number) => number;
  /**
   * Subtracted from error offsets before they are reported, for inputs whose
   * first bytes are not part of what the user wrote (e.g. a header).
   */
  readonly offsetBase?: number;
  /**
   * Says what a detail identifier (see `errorDetail`) means, as the end of
   * the error message: `option at offset 40 has length 0`. Returns
   * `undefined` for an identifier it does not know.
   */
  readonly detail?: (detail: number, offset: number) => string | undefined;
}

/** What {@link callCore} needs to know about one call. */
export interface CoreCall<T> extends CoreInvocation {
  /**
   * Decodes the result bytes. The view is only valid during this callback:
   * copy what must outlive it. It is made only for a function that declares
   * it (a second parameter): making one costs more than many a decode.
   */
  readonly decode: (result: Uint8Array, view: DataView) => T;
}

/**
 * Views of a core module's whole linear memory. They are kept from call to
 * call, since making them costs more than many a core function, and made
 * again when memory growth has detached them.
 */
export interface CoreMemory {
  /** The memory as bytes. */
  readonly bytes: Uint8Array;
  /** The memory as a DataView. */
  readonly view: DataView;
  /**
   * The memory as little-endian 32-bit words (records are read this way),
   * or `undefined` on a big-endian host, which must read `view` instead.
   */
  readonly words: Uint32Array | undefined;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Retry bound for growing the result region; each retry at least doubles. */
const MAX_RESULT_RETRIES = 8;
/** Typed arrays use the host's byte order; wasm memory is little-endian. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

let cachedMemory: WebAssembly.Memory | undefined;
let cachedViews: CoreMemory | undefined;

/**
 * The views of `wasm`'s memory, made again only when it is another module's
 * memory or growth detached the buffer (a detached buffer has length 0).
 *
 * @param wasm The raw exports of the core module.
 * @returns Views valid until the memory next grows: fetch them again after
 * any call into the module.
 */
export function coreMemory(wasm: CoreAbiExports): CoreMemory {
  const memory = wasm.memory;
  if (memory !== cachedMemory || cachedViews === undefined || cachedViews.bytes.byteLength === 0) {
    const buffer = memory.buffer;
    cachedViews = {
      bytes: new Uint8Array(buffer),
      view: new DataView(buffer),
      words: LITTLE_ENDIAN ? new Uint32Array(buffer, 0, buffer.byteLength >>> 2) : undefined,
    };
    cachedMemory = memory;
  }
  return cachedViews;
}

/** Formats a value for an error message, shortened so messages stay short. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 61)}...` : text);
}

/**
 * Calls a core function through the ABI: writes the input, invokes the
 * function, grows the result region and retries when it asks for more, and
 * decodes the result or throws.
 *
 * @param wasm The raw exports of the core module.
 * @param call The call description.
 * @returns What `call.decode` returns.
 * @throws {SyntaxError} For truncated input or an unexpected character.
 * @throws {RangeError} For the other error codes; every error carries a
 * {@link CoreErrorCause} as `cause`.
 */
export function callCore<T>(wasm: CoreAbiExports, call: CoreCall<T>): T {
  const status = invokeCore(wasm, call);
  const { bytes } = coreMemory(wasm);
  const resultPtr = wasm.resultPtr() >>> 0;
  const result = bytes.subarray(resultPtr, resultPtr + status);
  if (call.decode.length < 2) return (call.decode as (result: Uint8Array) => T)(result);
  return call.decode(result, new DataView(bytes.buffer, resultPtr, status));
}

/**
 * Calls a core function through the ABI like {@link callCore}, but leaves
 * the result where it is: it lies at `wasm.resultPtr()` in
 * {@link coreMemory} until the next call into the module. This is the
 * path of the parsers, which read their records there without copying.
 *
 * @param wasm The raw exports of the core module.
 * @param call The call description.
 * @returns The byte length of the result (never negative).
 * @throws {SyntaxError} For truncated input or an unexpected character.
 * @throws {RangeError} For the other error codes; every error carries a
 * {@link CoreErrorCause} as `cause`.
 */
export function invokeCore(wasm: CoreAbiExports, call: CoreInvocation): number {
  const { input } = call;
  for (let attempt = 0;; attempt++) {
    // A string needs at most 3 UTF-8 bytes per UTF-16 code unit.
    const reserve = typeof input === "string" ? input.length * 3 : input.length;
    const inputPtr = wasm.reserveInput(reserve) >>> 0;
    if (inputPtr === 0) {
      throw new RangeError(
        `Cannot ${call.action}: input of ${reserve} bytes does not fit in memory`,
        { cause: { code: CoreErrorCode.InputTooLarge, offset: 0 } },
      );
    }
    // Views are fetched after reserving: growing memory detaches old buffers.
    const memory = coreMemory(wasm).bytes;
    let len: number;
    if (typeof input === "string") {
      len = encoder.encodeInto(input, memory.subarray(inputPtr, inputPtr + reserve)).written;
    } else {
      memory.set(input, inputPtr);
      len = input.length;
    }
    const status = call.invoke(len);
    if (status >= 0) return status;
    const offset = wasm.errorOffset() >>> 0;
    if (status === CoreErrorCode.ResultTooSmall) {
      // The offset is the needed capacity, or 0 if the function cannot tell.
      const wanted = offset > 0 ? offset : 2 * (wasm.resultCapacity() >>> 0);
      if (attempt < MAX_RESULT_RETRIES && wasm.reserveResult(wanted) !== 0) {
        continue; // reserving moved the input region: write it again
      }
      throw new RangeError(
        `Cannot ${call.action}: result of ${wanted} bytes does not fit in memory`,
        { cause: { code: status, offset: 0 } },
      );
    }
    throw coreError(wasm, call, status, offset, len);
  }
}

/** Turns an error status into the error to throw. */
function coreError(
  wasm: CoreAbiExports,
  call: CoreInvocation,
  status: number,
  byteOffset: number,
  len: number,
): Error {
  let offset = byteOffset;
  if (typeof call.input === "string" && byteOffset <= len) {
    // Report the offset in UTF-16 code units, as string indices are. The
    // input region is intact: core functions never write into it.
    const ptr = wasm.inputPtr() >>> 0;
    const prefix = new Uint8Array(wasm.memory.buffer, ptr, byteOffset);
    offset = decoder.decode(prefix).length;
  }
  offset -= call.offsetBase ?? 0;
  const known = ERRORS[status as CoreErrorCode] as
    | (typeof ERRORS)[CoreErrorCode]
    | undefined;
  const text = known?.text ?? `error ${status}`;
  const Type = known?.type ?? RangeError;
  const cause: CoreErrorCause = { code: status as CoreErrorCode, offset };
  const detail = call.detail?.(wasm.errorDetail() >>> 0, offset);
  return new Type(`Cannot ${call.action}: ${detail ?? `${text} at offset ${offset}`}`, { cause });
}
