/**
 * Builds `core-as/core_wasm.generated.ts` from the AssemblyScript sources in
 * `core-as/assembly/`, or with `--check` verifies that the committed file is
 * what the sources produce.
 *
 * ```sh
 * deno run --allow-read --allow-write --allow-env --allow-sys core-as/build.ts [--check]
 * ```
 *
 * The compiler only sees sources through in-memory callbacks, so the output
 * depends on nothing but the hashed inputs: the source files, the pinned
 * compiler version and {@link BUILD_FLAGS}.
 *
 * @module
 */

import asc from "assemblyscript/asc";

/** Compiler flags that shape the binary; they are part of the source hash. */
export const BUILD_FLAGS: readonly string[] = ["-O3", "--runtime", "stub"];

/** Output of {@link compileAssemblyScript}. */
export interface CompiledModule {
  /** The WebAssembly binary. */
  readonly binary: Uint8Array<ArrayBuffer>;
  /** The compiler's TypeScript declarations of the raw exports. */
  readonly declarations: string;
}

/**
 * Compiles AssemblyScript held in memory.
 *
 * @param files Source texts keyed by path relative to a virtual base
 * directory, e.g. `"assembly/index.ts"`; imports between them resolve as on
 * disk.
 * @param entry Path of the entry file, a key of `files`.
 * @param flags Compiler flags, {@link BUILD_FLAGS} by default.
 * @returns The binary and its declarations.
 * @throws {Error} With the compiler's diagnostics if compilation fails.
 */
export async function compileAssemblyScript(
  files: Readonly<Record<string, string>>,
  entry: string,
  flags: readonly string[] = BUILD_FLAGS,
): Promise<CompiledModule> {
  const outputs = new Map<string, Uint8Array | string>();
  const stdout = asc.createMemoryStream();
  const stderr = asc.createMemoryStream();
  const result = await asc.main(
    [
      entry,
      ...flags,
      "--outFile",
      "out.wasm",
      // The raw bindings are only used for their .d.ts, which names the
      // parameters of the exports; they do not change the binary.
      "--bindings",
      "raw",
      "--noColors",
    ],
    {
      stdout,
      stderr,
      // Anything not in `files` (asconfig.json included) does not exist.
      readFile: (name) => Object.hasOwn(files, name) ? files[name]! : null,
      writeFile: (name, contents) => {
        outputs.set(name, contents);
      },
      listFiles: () => [],
    },
  );
  const wasm = outputs.get("out.wasm");
  const declarations = outputs.get("out.d.ts");
  if (
    result.error || !(wasm instanceof Uint8Array) ||
    typeof declarations !== "string"
  ) {
    const detail = stderr.toString().trim() || String(result.error);
    throw new Error(`Cannot compile ${entry}: ${detail}`);
  }
  return { binary: new Uint8Array(wasm), declarations };
}

/**
 * Reads every file under a directory, keyed by `prefix` + relative path with
 * "/" separators, in sorted key order.
 *
 * @param dir The directory as a `file:` URL ending in "/".
 * @param prefix Prepended to each relative path, e.g. `"assembly/"`.
 * @returns The file texts.
 */
export async function readSourceTree(
  dir: URL,
  prefix: string,
): Promise<Record<string, string>> {
  const found: [string, string][] = [];
  const walk = async (url: URL, relative: string): Promise<void> => {
    for await (const entry of Deno.readDir(url)) {
      if (entry.isDirectory) {
        await walk(
          new URL(`${entry.name}/`, url),
          `${relative}${entry.name}/`,
        );
      } else if (entry.isFile) {
        found.push([
          `${prefix}${relative}${entry.name}`,
          await Deno.readTextFile(new URL(entry.name, url)),
        ]);
      }
    }
  };
  await walk(dir, "");
  // Sorted by UTF-16 code units, which is stable across file systems.
  found.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(found);
}

/**
 * SHA-256 over the sources (sorted by path), the compiler version and the
 * flags: everything the binary is made from.
 *
 * @param files The sources, as from {@link readSourceTree}.
 * @param flags The compiler flags.
 * @returns The digest as lowercase hex.
 */
export async function sourceHash(
  files: Readonly<Record<string, string>>,
  flags: readonly string[],
): Promise<string> {
  const parts: string[] = [];
  for (const path of Object.keys(files).sort()) {
    // NUL separators keep "a"+"bc" and "ab"+"c" apart.
    parts.push(`${path}\0${files[path]}\0`);
  }
  parts.push(`assemblyscript@${asc.version}\0${flags.join(" ")}\0`);
  const bytes = new TextEncoder().encode(parts.join(""));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** One export function as described by the compiler's declarations. */
interface ExportSignature {
  readonly name: string;
  readonly params: readonly { name: string; tsType: string; asType: string }[];
  readonly tsResult: string;
  readonly asResult: string;
}

/** Reads the export function signatures out of the raw bindings' .d.ts. */
function parseDeclarations(declarations: string): ExportSignature[] {
  const signatures: ExportSignature[] = [];
  const pattern = /\/\*\*([\s\S]*?)\*\/\s*export function (\w+)\(([^)]*)\): ([^;]+);/g;
  for (const match of declarations.matchAll(pattern)) {
    const [, doc = "", name = "", paramList = "", tsResult = ""] = match;
    const asTypes = new Map<string, string>();
    for (const m of doc.matchAll(/@param (\w+) `([^`]+)`/g)) {
      asTypes.set(m[1]!, m[2]!);
    }
    const params = paramList.split(",").map((p) => p.trim()).filter(Boolean)
      .map((p) => {
        const [pname = "", tsType = ""] = p.split(":").map((s) => s.trim());
        return { name: pname, tsType, asType: asTypes.get(pname) ?? tsType };
      });
    const asResult = /@returns `([^`]+)`/.exec(doc)?.[1] ?? "void";
    signatures.push({ name, params, tsResult: tsResult.trim(), asResult });
  }
  return signatures;
}

/** Base64 in lines short enough for editors and diffs. */
function base64Lines(bytes: Uint8Array): string[] {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  const text = btoa(binary);
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += 76) lines.push(text.slice(i, i + 76));
  return lines;
}

/**
 * Renders the generated TypeScript module.
 *
 * @param compiled The compiled module.
 * @param hash The {@link sourceHash} of its inputs.
 * @param sources The source paths, for the header.
 * @returns The module text.
 * @throws {Error} If the module imports anything or has an export the
 * declarations do not describe.
 */
export function renderGeneratedModule(
  compiled: CompiledModule,
  hash: string,
  sources: readonly string[],
): string {
  const module = new WebAssembly.Module(compiled.binary);
  const imports = WebAssembly.Module.imports(module);
  if (imports.length > 0) {
    const names = imports.map((i) => `${i.module}.${i.name}`).join(", ");
    throw new Error(
      `The core module must not import anything, but imports ${names}`,
    );
  }
  const signatures = new Map(
    parseDeclarations(compiled.declarations).map((s) => [s.name, s]),
  );
  const members: string[] = [];
  for (const { name, kind } of WebAssembly.Module.exports(module)) {
    const sig = signatures.get(name);
    if (kind === "memory" && name === "memory") {
      members.push(
        "  /** Linear memory holding the input and result regions. */",
        "  readonly memory: WebAssembly.Memory;",
      );
    } else if (kind === "function" && sig) {
      const asParams = sig.params.map((p) => `${p.name}: ${p.asType}`);
      const tsParams = sig.params.map((p) => `${p.name}: ${p.tsType}`);
      members.push(
        `  /** AssemblyScript \`${name}(${asParams.join(", ")}): ${sig.asResult}\`. */`,
        `  ${name}(${tsParams.join(", ")}): ${sig.tsResult};`,
      );
    } else {
      throw new Error(
        `Unsupported export ${name} (${kind}) of the core module`,
      );
    }
  }
  return [
    "// @generated by core-as/build.ts from core-as/assembly/. DO NOT EDIT.",
    "// Rebuild: deno task build:wasm. Verify: deno task check:wasm.",
    `// sha256: ${hash}`,
    `// compiler: assemblyscript ${asc.version} ${BUILD_FLAGS.join(" ")}`,
    `// sources: ${sources.join(", ")}`,
    `// wasm: ${compiled.binary.length} bytes`,
    "",
    "/**",
    " * Raw exports of the core WebAssembly module. See",
    " * core-as/assembly/abi.ts for the calling convention.",
    " */",
    "export interface CoreWasmExports {",
    ...members,
    "}",
    "",
    "const WASM_BASE64 =",
    ...base64Lines(compiled.binary).map((line, i, all) => `  "${line}"${i === all.length - 1 ? ";" : " +"}`),
    "",
    "function decodeBase64(text: string) {",
    "  const binary = atob(text);",
    "  const bytes = new Uint8Array(binary.length);",
    "  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);",
    "  return bytes;",
    "}",
    "",
    "/**",
    " * The compiled core module, compiled synchronously at import (the binary",
    " * is small) so that importers need no top-level await.",
    " */",
    "export const coreWasmModule: WebAssembly.Module = new WebAssembly.Module(",
    "  decodeBase64(WASM_BASE64),",
    ");",
    "",
    "/** Exports of the shared instance of {@link coreWasmModule}. */",
    "export const coreWasm: CoreWasmExports = new WebAssembly.Instance(",
    "  coreWasmModule,",
    "  {},",
    ").exports as unknown as CoreWasmExports;",
    "",
  ].join("\n");
}

/**
 * Builds the generated module text from the sources on disk.
 *
 * @returns The text of `core-as/core_wasm.generated.ts` and the wasm size.
 */
export async function buildGeneratedModule(): Promise<
  { text: string; wasmSize: number }
> {
  const files = await readSourceTree(
    new URL("./assembly/", import.meta.url),
    "assembly/",
  );
  const compiled = await compileAssemblyScript(files, "assembly/index.ts");
  const hash = await sourceHash(files, BUILD_FLAGS);
  return {
    text: renderGeneratedModule(compiled, hash, Object.keys(files)),
    wasmSize: compiled.binary.length,
  };
}

async function main(args: readonly string[]): Promise<number> {
  const target = new URL("./core_wasm.generated.ts", import.meta.url);
  const check = args.includes("--check");
  const { text, wasmSize } = await buildGeneratedModule();
  if (!check) {
    await Deno.writeTextFile(target, text);
    console.log(
      `Wrote core-as/core_wasm.generated.ts (wasm ${wasmSize} bytes)`,
    );
    return 0;
  }
  let committed: string | undefined;
  try {
    committed = await Deno.readTextFile(target);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  if (committed === text) {
    console.log("core-as/core_wasm.generated.ts is up to date");
    return 0;
  }
  const header = (s: string | undefined) => s?.split("\n").find((l) => l.startsWith("// sha256:")) ?? "(missing)";
  console.error(
    [
      "core-as/core_wasm.generated.ts is out of date with core-as/assembly/",
      `  committed: ${committed === undefined ? "(no file)" : header(committed)}`,
      `  expected:  ${header(text)}`,
      "Run `deno task build:wasm` and commit the result",
    ].join("\n"),
  );
  return 1;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
