// The benchmark's baseline parsers (bench/baseline/) against the WebAssembly
// bindings: over every RA, DHCPv6 and DHCPv4 payload of the real captures,
// both accept the same packets and build deep-equal objects, so that the
// benchmark compares like with like. Seeded mutations of those packets then
// drive both through their skip and reject paths.

import { type CorpusPacket, hasSharedCaptures, loadCorpus, type Protocol } from "../bench/_corpus.ts";
import { parseRouterAdvertisement as baselineRa } from "../bench/baseline/router_advertisement.ts";
import { parseDhcpv6 as baselineDhcpv6 } from "../bench/baseline/dhcpv6.ts";
import { parseDhcpv4 as baselineDhcpv4 } from "../bench/baseline/dhcpv4.ts";
import { parseRouterAdvertisement } from "../core-as/router_advertisement.ts";
import { parseDhcpv6 } from "../core-as/dhcpv6.ts";
import { parseDhcpv4 } from "../core-as/dhcpv4.ts";
import { assert, assertEquals } from "./_assert.ts";
import { difference, mutate, randomPacket } from "./_compare.ts";
import { seededRandom } from "./_random.ts";

const PARSERS: Readonly<Record<Protocol, { wasm: (b: Uint8Array) => unknown; baseline: (b: Uint8Array) => unknown }>> =
  {
    "router-advertisement": { wasm: (b) => parseRouterAdvertisement(b), baseline: baselineRa },
    "dhcpv6": { wasm: parseDhcpv6, baseline: baselineDhcpv6 },
    "dhcpv4": { wasm: parseDhcpv4, baseline: baselineDhcpv4 },
  };

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

function run(parse: (bytes: Uint8Array) => unknown, bytes: Uint8Array): Outcome {
  try {
    return { ok: true, value: parse(bytes) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Compares both parsers on one input; returns a problem or undefined. */
function compare(kind: Protocol, bytes: Uint8Array): { problem?: string; accepted: boolean } {
  const { wasm, baseline } = PARSERS[kind];
  const expected = run(wasm, bytes);
  const actual = run(baseline, bytes.slice());
  if (expected.ok !== actual.ok) {
    const why = expected.ok ? (actual as { error: unknown }).error : (expected as { error: unknown }).error;
    return { problem: `wasm ${expected.ok ? "accepts" : "rejects"}, baseline does not (${why})`, accepted: false };
  }
  if (!expected.ok) {
    // Both reject: both must say so with a SyntaxError.
    const a = (actual as { error: unknown }).error;
    if (!(a instanceof SyntaxError)) return { problem: `baseline threw ${a}`, accepted: false };
    return { accepted: false };
  }
  const found = difference((actual as { value: unknown }).value, (expected as { value: unknown }).value);
  return found === undefined ? { accepted: true } : { problem: found, accepted: true };
}

const corpus: CorpusPacket[] = loadCorpus();

Deno.test("bench corpus: holds packets of every protocol", () => {
  if (!hasSharedCaptures()) {
    console.warn("shared captures absent: only the lab captures are compared");
  }
  for (const kind of ["router-advertisement", "dhcpv6", "dhcpv4"] as const) {
    assert(corpus.some((p) => p.kind === kind), `no ${kind} packet in the corpus`);
  }
});

for (const kind of ["router-advertisement", "dhcpv6", "dhcpv4"] as const) {
  Deno.test(`bench baseline: ${kind} objects equal the wasm binding's over the corpus`, () => {
    const problems: string[] = [];
    let accepted = 0;
    let rejected = 0;
    for (const packet of corpus.filter((p) => p.kind === kind)) {
      const result = compare(kind, packet.payload);
      if (result.problem !== undefined) problems.push(`${packet.origin}: ${result.problem}`);
      else if (result.accepted) accepted++;
      else rejected++;
    }
    assertEquals(problems, []);
    assert(accepted > 0, "no packet accepted");
    // Which packets are rejected is part of what is compared; print it for the record.
    console.log(`${kind}: ${accepted} accepted alike, ${rejected} rejected alike`);
  });
}

Deno.test("bench baseline: both parsers agree on mutated corpus packets", () => {
  const next = seededRandom(0x5eed);
  const problems: string[] = [];
  const counts = { accepted: 0, rejected: 0 };
  for (let round = 0; round < 40; round++) {
    for (const packet of corpus) {
      const bytes = mutate(packet.payload, next);
      const result = compare(packet.kind, bytes);
      if (result.problem !== undefined) {
        const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
        problems.push(`${packet.kind} ${packet.origin} mutated to ${hex}: ${result.problem}`);
      } else if (result.accepted) counts.accepted++;
      else counts.rejected++;
    }
  }
  assertEquals(problems.slice(0, 5), []);
  assert(counts.accepted > 0 && counts.rejected > 0, JSON.stringify(counts));
});

Deno.test("bench baseline: both parsers agree on random bodies", () => {
  const random = seededRandom(0xbe9c);
  const problems: string[] = [];
  const counts = { accepted: 0, rejected: 0 };
  for (const kind of ["router-advertisement", "dhcpv6", "dhcpv4"] as const) {
    for (let n = 0; n < 2_000; n++) {
      const bytes = randomPacket(kind, random);
      const result = compare(kind, bytes);
      if (result.problem !== undefined) {
        const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
        problems.push(`${kind} ${hex}: ${result.problem}`);
      } else if (result.accepted) counts.accepted++;
      else counts.rejected++;
    }
  }
  assertEquals(problems.slice(0, 5), []);
  assert(counts.accepted > 0 && counts.rejected > 0, JSON.stringify(counts));
  console.log(`random bodies: ${counts.accepted} accepted alike, ${counts.rejected} rejected alike`);
});
