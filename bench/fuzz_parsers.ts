// Fuzzes the WebAssembly parsers: mutated real packets (every RA, DHCPv6 and
// DHCPv4 message in the shared and lab captures) plus random bytes, through
// both the raw exports and the typed API. For every input it checks:
//
// - no trap: a WebAssembly.RuntimeError is a failure;
// - no read past the input: the raw export runs twice with different bytes
//   placed right after the input in linear memory, and status, error offset
//   and result bytes must not change;
// - the typed API either returns a message or throws a SyntaxError;
// - every accepted message re-encodes, and the bytes parse to the same result.
//
// No hang: every parser loop consumes input, so a call that takes long is
// reported with its time; the slowest call is printed.
//
// Run: deno task fuzz [--count 1000000] [--seed 1]   (CI runs a shorter count)

import { coreWasm } from "../core-as/core_wasm.generated.ts";
import { readCapture } from "../core-as/capture.ts";
import { buildRouterAdvertisement, parseRouterAdvertisement } from "../core-as/router_advertisement.ts";
import { buildDhcpv6, parseDhcpv6 } from "../core-as/dhcpv6.ts";
import { buildDhcpv4, parseDhcpv4 } from "../core-as/dhcpv4.ts";

function option(name: string, fallback: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
}

const COUNT = option("count", 1_000_000);
const SEED = option("seed", 1);

/** xorshift32: small, seeded, good enough to pick mutations. */
let state = SEED >>> 0 || 1;
function random(): number {
  state ^= state << 13;
  state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5;
  state >>>= 0;
  return state;
}
const below = (n: number) => random() % n;

type Kind = "router-advertisement" | "dhcpv6" | "dhcpv4";
const KINDS: Kind[] = ["router-advertisement", "dhcpv6", "dhcpv4"];

// ---------------------------------------------------------------------------
// Corpus

async function captureFiles(dir: URL): Promise<URL[]> {
  const out: URL[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
      if (entry.isDirectory) out.push(...await captureFiles(url));
      else if (/\.pcap(ng)?$/.test(entry.name)) out.push(url);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return out;
}

const corpus: Record<Kind, Uint8Array[]> = { "router-advertisement": [], dhcpv6: [], dhcpv4: [] };
for (
  const file of [
    ...await captureFiles(new URL("../../shared/captures/", import.meta.url)),
    ...await captureFiles(new URL("../tests/fixtures/lab/", import.meta.url)),
  ]
) {
  try {
    for (const packet of readCapture(await Deno.readFile(file)).packets) {
      if (packet.kind !== "other" && packet.payload) corpus[packet.kind].push(packet.payload.slice());
    }
  } catch {
    // A capture file the reader rejects is the capture reader's business.
  }
}

// ---------------------------------------------------------------------------
// Mutations

function mutate(seed: Uint8Array): Uint8Array {
  let bytes = seed.slice();
  const rounds = 1 + below(4);
  for (let r = 0; r < rounds; r++) {
    const at = bytes.length > 0 ? below(bytes.length) : 0;
    switch (below(9)) {
      case 0: // flip a bit
        if (bytes.length) bytes[at]! ^= 1 << below(8);
        break;
      case 1: // set a byte to an interesting value (lengths: 0, 1, 0xff)
        if (bytes.length) bytes[at] = [0, 1, 2, 3, 0x7f, 0x80, 0xfe, 0xff][below(8)]!;
        break;
      case 2: // truncate
        bytes = bytes.slice(0, at);
        break;
      case 3: { // extend with random bytes
        const tail = new Uint8Array(1 + below(64)).map(() => below(256));
        const grown = new Uint8Array(bytes.length + tail.length);
        grown.set(bytes);
        grown.set(tail, bytes.length);
        bytes = grown;
        break;
      }
      case 4: { // delete a run
        const n = 1 + below(8);
        bytes = new Uint8Array([...bytes.subarray(0, at), ...bytes.subarray(at + n)]);
        break;
      }
      case 5: { // duplicate a run (repeated options)
        const n = 1 + below(16);
        const run = bytes.subarray(at, at + n);
        bytes = new Uint8Array([...bytes.subarray(0, at), ...run, ...run, ...bytes.subarray(at + run.length)]);
        break;
      }
      case 6: { // splice in a piece of another packet of any kind
        const pool = corpus[KINDS[below(3)]!];
        const other = pool.length ? pool[below(pool.length)]! : new Uint8Array(0);
        const from = other.length ? below(other.length) : 0;
        const piece = other.subarray(from, from + 1 + below(32));
        bytes = new Uint8Array([...bytes.subarray(0, at), ...piece, ...bytes.subarray(at)]);
        break;
      }
      case 7: // big-endian 16-bit length field set to something odd
        if (bytes.length > 1) {
          const v = [0, 1, 0xffff, bytes.length, bytes.length + 1][below(5)]!;
          bytes[at] = v >> 8;
          if (at + 1 < bytes.length) bytes[at + 1] = v & 0xff;
        }
        break;
      default: // random bytes instead
        bytes = new Uint8Array(below(600)).map(() => below(256));
    }
  }
  return bytes;
}

// ---------------------------------------------------------------------------
// Checks

type RawParser = (len: number) => number;
const RAW: Record<Kind, RawParser[]> = {
  "router-advertisement": [coreWasm.parseRouterAdvertisement, coreWasm.parseNdOptions],
  dhcpv6: [coreWasm.parseDhcpv6Message, coreWasm.parseDhcpv6Options],
  dhcpv4: [coreWasm.parseDhcpv4, coreWasm.parseDhcpv4Options],
};

/** Runs a raw export with `trailer` written right after the input; returns what it produced. */
function rawRun(parse: RawParser, input: Uint8Array, trailer: number): string {
  const ptr = coreWasm.reserveInput(input.length + 64) >>> 0;
  if (ptr === 0) throw new Error("cannot reserve input");
  const memory = new Uint8Array(coreWasm.memory.buffer);
  memory.set(input, ptr);
  memory.fill(trailer, ptr + input.length, ptr + input.length + 64);
  const status = parse(input.length);
  if (status < 0) return `error ${status} at ${coreWasm.errorOffset()} detail ${coreWasm.errorDetail()}`;
  const result = new Uint8Array(coreWasm.memory.buffer, coreWasm.resultPtr() >>> 0, status);
  return `ok ${status} ${hash(result)}`;
}

function hash(bytes: Uint8Array): number {
  let h = 2166136261;
  for (const b of bytes) h = Math.imul(h ^ b, 16777619);
  return h >>> 0;
}

/** A stable text of a parse result; `skipped` lists name offsets in the original bytes, so they are left out. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (key, v) => {
    if (key === "skipped") return undefined;
    if (v instanceof Uint8Array) return `hex:${Array.from(v, (b) => b.toString(16).padStart(2, "0")).join("")}`;
    if (typeof v === "bigint") return `bigint:${v}`;
    if (v === Infinity) return "Infinity";
    return v;
  });
}

const TYPED: Record<Kind, { parse: (b: Uint8Array) => unknown; build: (m: never) => Uint8Array }> = {
  "router-advertisement": {
    parse: (b) => parseRouterAdvertisement(b),
    build: (m) => buildRouterAdvertisement(m),
  },
  dhcpv6: { parse: (b) => parseDhcpv6(b), build: (m) => buildDhcpv6(m) },
  dhcpv4: { parse: (b) => parseDhcpv4(b), build: (m) => buildDhcpv4(m) },
};

const failures: string[] = [];
const fail = (kind: Kind, what: string, input: Uint8Array) => {
  if (failures.length < 20) {
    failures.push(`${kind}: ${what}: ${Array.from(input, (b) => b.toString(16).padStart(2, "0")).join("")}`);
  }
};
let accepted = 0;
let rejected = 0;
let slowest = 0;

const start = performance.now();
for (let i = 0; i < COUNT; i++) {
  const kind = KINDS[i % 3]!;
  const pool = corpus[kind];
  const input = pool.length && below(10) !== 0 ? mutate(pool[below(pool.length)]!) : mutate(new Uint8Array(0));
  const t0 = performance.now();
  try {
    for (const parse of RAW[kind]) {
      if (rawRun(parse, input, 0x00) !== rawRun(parse, input, 0xff)) {
        fail(kind, "depends on bytes past the input", input);
      }
    }
  } catch (error) {
    fail(kind, `raw export trapped: ${error}`, input);
    continue;
  }
  const { parse, build } = TYPED[kind];
  let message: unknown;
  try {
    message = parse(input);
    accepted++;
  } catch (error) {
    rejected++;
    if (!(error instanceof SyntaxError)) fail(kind, `threw ${error}`, input);
  }
  if (message !== undefined) {
    try {
      const again = parse(build(message as never));
      if (canonical(again) !== canonical(message)) fail(kind, "re-encoded bytes parse differently", input);
    } catch (error) {
      fail(kind, `re-encoding failed: ${error}`, input);
    }
  }
  slowest = Math.max(slowest, performance.now() - t0);
  if ((i + 1) % 100_000 === 0) console.error(`${i + 1} inputs, ${failures.length} failures`);
}
const seconds = (performance.now() - start) / 1000;

console.log(
  `corpus: ${corpus["router-advertisement"].length} RA, ${corpus.dhcpv6.length} DHCPv6, ${corpus.dhcpv4.length} DHCPv4`,
);
console.log(`inputs: ${COUNT} (seed ${SEED}) in ${seconds.toFixed(1)} s, ${(COUNT / seconds).toFixed(0)}/s`);
console.log(`accepted ${accepted}, rejected ${rejected}, slowest input ${slowest.toFixed(2)} ms`);
console.log(`failures: ${failures.length}`);
for (const f of failures) console.log(`  ${f}`);
if (failures.length > 0) Deno.exit(1);
