// Runs the AssemblyScript tests in core-as/tests/: compiles them together with
// core-as/assembly/ into a test module (in memory, with the production flags)
// and runs each exported `test*` function as a Deno test. Also checks what
// ties the AssemblyScript and TypeScript sides together: the error-code
// mirror and the committed generated module.

import { BUILD_FLAGS, buildGeneratedModule, compileAssemblyScript, readSourceTree } from "../core-as/build.ts";
import { CoreErrorCode } from "../core-as/_abi.ts";

const coreDir = new URL("../core-as/", import.meta.url);

const files = {
  ...await readSourceTree(new URL("assembly/", coreDir), "assembly/"),
  ...await readSourceTree(new URL("tests/", coreDir), "tests/"),
};
const { binary } = await compileAssemblyScript(
  files,
  "tests/index.ts",
  BUILD_FLAGS,
);

let failure: string | undefined;

/** Reads an AssemblyScript string: UTF-16LE, byte length at ptr - 4. */
function readString(ptr: number): string {
  if (ptr === 0) return "";
  // Only called from imports, i.e. after instantiation.
  const { buffer } = instance.exports.memory as WebAssembly.Memory;
  const bytes = new DataView(buffer).getUint32(ptr - 4, true);
  return String.fromCharCode(
    ...new Uint16Array(buffer.slice(ptr, ptr + bytes)),
  );
}

const module = new WebAssembly.Module(binary);
const instance = new WebAssembly.Instance(module, {
  index: {
    reportFailure(
      what: number,
      subject: number,
      actual: bigint,
      expected: bigint,
    ) {
      const about = readString(subject);
      failure = `${readString(what)}${about ? ` (${JSON.stringify(about)})` : ""}: got ${actual}, expected ${expected}`;
    },
  },
  env: {
    // Only reached through a bug in the test code itself (e.g. an array
    // bounds check); reported like a failed check.
    abort(message: number, file: number, line: number, column: number) {
      failure = `abort: ${readString(message)} at ${readString(file)}:${line}:${column}`;
    },
  },
});

const testNames = Object.keys(instance.exports).filter((name) => name.startsWith("test"));

Deno.test("wasm side: the test module exports tests", () => {
  if (testNames.length < 10) {
    throw new Error(`Expected at least 10 tests, found ${testNames.length}`);
  }
});

for (const name of testNames) {
  Deno.test(`wasm side: ${name}`, () => {
    failure = undefined;
    const run = instance.exports[name] as () => void;
    try {
      run();
    } catch (error) {
      if (failure === undefined) throw error;
      throw new Error(`${name}: ${failure}`, { cause: error });
    }
    if (failure !== undefined) throw new Error(`${name}: ${failure}`);
  });
}

Deno.test("wasm side: the TypeScript error codes mirror the AssemblyScript enum", () => {
  const source = files["assembly/abi.ts"] ?? "";
  const body = /export const enum ErrorCode \{([\s\S]*?)\n\}/.exec(source)?.[1];
  if (body === undefined) throw new Error("ErrorCode enum not found in abi.ts");
  const asCodes = Object.fromEntries(
    Array.from(
      body.matchAll(/^\s*(\w+) = (-?\d+),/gm),
      (m) => [m[1], Number(m[2])],
    ),
  );
  const expected = JSON.stringify(asCodes);
  const actual = JSON.stringify(CoreErrorCode);
  if (actual !== expected) {
    throw new Error(
      `CoreErrorCode ${actual} differs from ErrorCode ${expected}`,
    );
  }
});

Deno.test("wasm side: core_wasm.generated.ts is up to date", async () => {
  const { text } = await buildGeneratedModule();
  const committed = await Deno.readTextFile(
    new URL("core_wasm.generated.ts", coreDir),
  );
  if (committed !== text) {
    throw new Error(
      "core-as/core_wasm.generated.ts is out of date: run `deno task build:wasm`",
    );
  }
});
