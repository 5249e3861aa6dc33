// Private: the few assertions the simulated-network and DNS tests need, so
// that the tests depend on no assertion library.

/** Throws unless `condition` holds. */
export function assert(
  condition: unknown,
  message = "Assertion failed",
): asserts condition {
  if (!condition) throw new Error(message);
}

/** Structural equality for JSON-like values, Uint8Array and Infinity included. */
function equal(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (
    typeof a !== "object" || typeof b !== "object" || a === null || b === null
  ) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function show(value: unknown): string {
  return JSON.stringify(value, (_k, v) => {
    if (v === Infinity) return "Infinity";
    if (v instanceof Uint8Array) return `Uint8Array[${[...v].join(",")}]`;
    return v;
  });
}

/** Throws unless `actual` and `expected` are structurally equal. */
export function assertEquals(
  actual: unknown,
  expected: unknown,
  message?: string,
): void {
  if (!equal(actual, expected)) {
    throw new Error(
      `${message ? message + ": " : ""}expected ${show(expected)}, got ${show(actual)}`,
    );
  }
}

/** Returns what `fn` throws; throws if it does not, or throws something not of `type`. */
export function assertThrows<E extends Error>(
  fn: () => unknown,
  type: abstract new (...args: never[]) => E,
  includes?: string,
): E {
  try {
    fn();
  } catch (error) {
    checkError(error, type, includes);
    return error as E;
  }
  throw new Error("Expected the function to throw");
}

/** Returns what `promise` rejects with; throws if it resolves, or rejects with something not of `type`. */
export async function assertRejects<E extends Error>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
  includes?: string,
): Promise<E> {
  try {
    await promise;
  } catch (error) {
    checkError(error, type, includes);
    return error as E;
  }
  throw new Error("Expected the promise to reject");
}

function checkError(
  error: unknown,
  type: abstract new (...args: never[]) => Error,
  includes?: string,
): void {
  if (!(error instanceof type)) {
    throw new Error(`Expected ${type.name}, got ${String(error)}`, {
      cause: error,
    });
  }
  if (includes !== undefined && !error.message.includes(includes)) {
    throw new Error(
      `Expected the message to include "${includes}", got "${error.message}"`,
      { cause: error },
    );
  }
}
