// The package as a Node user gets it: the exports map (the same entry points
// as deno.json's, plus ./host), types beside every entry, nothing Deno-only in
// dist/, what `npm pack` would put in the tarball, and a TypeScript consumer
// that type-checks against the published declarations.
//
// Test files here are named *-test.mjs, which node --test finds: Deno's test
// discovery at the repository root takes *.test.mjs and *_test.mjs.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const here = new URL("../", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL("package.json", here), "utf8"));
const denoJson = JSON.parse(readFileSync(new URL("../deno.json", here), "utf8"));

// Entry points that exist in one runtime only: Deno's FFI adapter.
const DENO_ONLY = new Set(["./deno"]);

test("the exports map mirrors deno.json's, each entry with its declarations", async () => {
  const ts = (path) => path.replace(/^\.\//, "");
  const expected = Object.entries(denoJson.exports).filter(([name]) => !DENO_ONLY.has(name)).map((
    [name, path],
  ) => [name, ts(path)]);
  for (const [name, source] of expected) {
    const entry = manifest.exports[name];
    assert.ok(entry, `${name} is not exported`);
    assert.equal(entry.default, `./dist/${source.replace(/\.ts$/, ".js")}`);
    assert.equal(entry.types, `./dist/${source.replace(/\.ts$/, ".d.ts")}`);
  }
  for (const [name, entry] of Object.entries(manifest.exports)) {
    const specifier = `${manifest.name}${name.slice(1)}`;
    assert.equal(import.meta.resolve(specifier), new URL(entry.default, here).href);
    assert.ok(existsSync(new URL(entry.types, here)), `${entry.types} is missing`);
    const module = await import(specifier);
    assert.ok(Object.keys(module).length > 0, `${specifier} exports nothing`);
  }
  // Only the entry points are public.
  await assert.rejects(import(`${manifest.name}/dist/mod.js`), { code: "ERR_PACKAGE_PATH_NOT_EXPORTED" });
});

test("dist/ holds plain ES modules and nothing Deno-only", () => {
  const files = readdirSync(new URL("dist/", here), { recursive: true }).map(String);
  assert.ok(files.includes("mod.js") && files.includes("core-as/core_wasm.generated.js"));
  for (const excluded of ["adapters/deno", "cli/mif.js", "cli/decode.js", "bench", "core-as/build.js", "tests"]) {
    assert.ok(!files.some((f) => f.startsWith(excluded)), `${excluded} was built`);
  }
  for (const file of files.filter((f) => f.endsWith(".js"))) {
    // Comments keep the sources' JSDoc examples (Deno-style imports), so look at code only.
    const code = readFileSync(new URL(`dist/${file}`, here), "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
    assert.ok(!/\brequire\(|\bmodule\.exports\b/.test(code), `${file} is CommonJS`);
    // Relative imports were rewritten from .ts to .js.
    assert.ok(!/from "\.{1,2}\/[^"]*\.ts"/.test(code), `${file} imports a .ts file`);
    assert.ok(!/\bDeno\./.test(code), `${file} uses Deno.*`);
  }
});

test("npm pack would ship dist/ and package.json, and no sources, tests or node_modules", async () => {
  const { stdout } = await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: fileURLToPath(here),
  });
  const [{ files }] = JSON.parse(stdout);
  const paths = files.map((f) => f.path);
  assert.ok(paths.includes("package.json") && paths.includes("dist/mod.js") && paths.includes("dist/mod.d.ts"));
  for (const path of paths) assert.ok(path === "package.json" || path.startsWith("dist/"), `${path} is packed`);
});

test("a TypeScript consumer type-checks against the declarations (DOM lib, or skipLibCheck)", async () => {
  const tsc = fileURLToPath(new URL("node_modules/typescript/bin/tsc", here));
  const project = (name) => fileURLToPath(new URL(`test/consumer/${name}`, here));
  const results = await Promise.allSettled([
    run(process.execPath, [tsc, "-p", project("tsconfig.json")]),
    run(process.execPath, [tsc, "-p", project("tsconfig.node-lib.json")]),
  ]);
  for (const result of results) {
    assert.equal(result.status, "fulfilled", result.reason?.stdout ?? String(result.reason));
  }
});
