/**
 * Small assertions for the tests: JSR (and so @std/assert) is not reachable
 * from this project's machines.
 *
 * @module
 */

/** Throws unless `condition` holds. */
export function assert(condition: unknown, message = "Assertion failed"): asserts condition {
  if (!condition) throw new Error(message);
}

/** Throws unless the two values are deeply equal (compared as JSON, key order included). */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  const a = JSON.stringify(actual, jsonReplacer);
  const e = JSON.stringify(expected, jsonReplacer);
  if (a !== e) throw new Error(`${message ? message + ": " : ""}expected ${e}\n  actual ${a}`);
}

/** Throws unless `fn` throws an instance of `type` whose message includes `includes`. */
export function assertThrows(fn: () => unknown, type: abstract new (...args: never[]) => Error, includes = ""): Error {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof type)) throw new Error(`expected ${type.name}, got ${error}`);
    if (!error.message.includes(includes)) {
      throw new Error(`expected message with "${includes}", got "${error.message}"`);
    }
    return error;
  }
  throw new Error(`expected ${type.name} to be thrown`);
}

/** Throws unless the promise rejects with an instance of `type`. */
export async function assertRejects(
  fn: () => Promise<unknown>,
  type: abstract new (...args: never[]) => Error,
  includes = "",
): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    if (!(error instanceof type)) throw new Error(`expected ${type.name}, got ${error}`);
    if (!error.message.includes(includes)) {
      throw new Error(`expected message with "${includes}", got "${error.message}"`);
    }
    return error;
  }
  throw new Error(`expected ${type.name} rejection`);
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (value === Infinity) return "Infinity";
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}
