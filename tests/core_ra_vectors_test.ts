// Third-party ND test vectors: every vector of kind "ndp-option(s)",
// "ndp-option-malformed-or-fragment" and "icmpv6-ndp-message" in
// /work/shared/captures/vectors.json (from scapy, mdlayher/ndp, gopacket,
// smoltcp and systemd tests) runs as one test, with the expectation written
// for it in tests/fixtures/ra/vectors_expectations.json: accepted with these
// fields, skipped, or rejected, and a note for each judgement call.

import {
  buildNdOptions,
  buildRouterAdvertisement,
  type NdOption,
  parseNdOptions,
  parseRouterAdvertisement,
} from "../core-as/router_advertisement.ts";
import { assert, assertEquals, assertThrows } from "./_assert.ts";

interface Vector {
  readonly id: string;
  readonly kind: string;
  readonly hex: string;
}

type Input = "options" | "message" | { readonly ndHeader: number };

interface Check {
  readonly input: Input;
  readonly expect: "accept" | "reject";
  readonly error?: string;
  readonly options?: readonly Record<string, unknown>[];
  readonly skipped?: readonly { readonly type: number; readonly reason: string }[];
  readonly header?: Record<string, unknown>;
  readonly invalid?: readonly string[];
  readonly canonical?: boolean;
}

interface Expectation {
  readonly checks: readonly Check[];
  readonly note: string;
}

const KINDS = new Set(["ndp-option(s)", "ndp-option-malformed-or-fragment", "icmpv6-ndp-message"]);

const vectors = (JSON.parse(
  await Deno.readTextFile(new URL("../../shared/captures/vectors.json", import.meta.url)),
) as { vectors: Vector[] }).vectors.filter((v) => KINDS.has(v.kind));
const expectations = (JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/ra/vectors_expectations.json", import.meta.url)),
) as { vectors: Record<string, Expectation> }).vectors;

function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The fixture's spelling of a value: "Infinity", "hex:..." for bytes. */
function fixtureValue(value: unknown): unknown {
  if (value === Infinity) return "Infinity";
  if (value instanceof Uint8Array) return `hex:${toHex(value)}`;
  if (Array.isArray(value)) return value.map(fixtureValue);
  return value;
}

/** Checks that `actual` has every listed field (dataLength: its data's length). */
function assertFields(actual: object, expected: Record<string, unknown>, what: string): void {
  for (const [key, value] of Object.entries(expected)) {
    if (key === "dataLength") {
      const data = (actual as { data?: Uint8Array }).data;
      assertEquals(data?.length, value, `${what}: data length`);
      continue;
    }
    assertEquals(fixtureValue((actual as Record<string, unknown>)[key]), value, `${what}: ${key}`);
  }
}

function run(
  bytes: Uint8Array,
  check: Check,
): {
  options: readonly NdOption[];
  skipped: readonly { type: number; reason: string }[];
  whole?: ReturnType<typeof parseRouterAdvertisement>;
} {
  if (check.input === "message") {
    const ra = parseRouterAdvertisement(bytes);
    return { options: ra.options, skipped: ra.skipped, whole: ra };
  }
  const from = check.input === "options" ? 0 : check.input.ndHeader;
  assert(bytes.length >= from, `the vector is shorter than its ${from}-byte header`);
  return parseNdOptions(bytes.subarray(from));
}

Deno.test("RA vectors: every selected vector has an expectation, and every expectation a vector", () => {
  assertEquals(vectors.length, 182);
  assertEquals(vectors.map((v) => v.id).filter((id) => !(id in expectations)), []);
  const ids = new Set(vectors.map((v) => v.id));
  assertEquals(Object.keys(expectations).filter((id) => !ids.has(id)), []);
  for (const [id, expectation] of Object.entries(expectations)) {
    assert(expectation.note.length > 0 && expectation.checks.length > 0, `${id} has a note and a check`);
  }
});

for (const vector of vectors) {
  Deno.test(`RA vector ${vector.id}`, () => {
    const expectation = expectations[vector.id];
    assert(expectation !== undefined, "no expectation");
    const bytes = fromHex(vector.hex);
    for (const check of expectation.checks) {
      const what = `${JSON.stringify(check.input)} (${expectation.note})`;
      if (check.expect === "reject") {
        assertThrows(() => run(bytes, check), SyntaxError, check.error ?? "");
        continue;
      }
      const parsed = run(bytes, check);
      assertEquals(parsed.options.length, check.options?.length ?? 0, `${what}: number of options`);
      check.options?.forEach((fields, k) => assertFields(parsed.options[k]!, fields, `${what}: option ${k}`));
      assertEquals(parsed.skipped.length, check.skipped?.length ?? 0, `${what}: number of skipped options`);
      check.skipped?.forEach((item, k) => {
        const actual = parsed.skipped[k]!;
        assertEquals(actual.type, item.type, `${what}: skipped type`);
        assert(actual.reason.includes(item.reason), `${what}: reason "${actual.reason}" lacks "${item.reason}"`);
      });
      if (check.header !== undefined) assertFields(parsed.whole!, check.header, `${what}: header`);
      if (check.invalid !== undefined) assertEquals(parsed.whole?.invalid, check.invalid, `${what}: invalid`);
      // Whatever was accepted builds back to bytes that parse the same.
      if (parsed.whole !== undefined) {
        const rebuilt = buildRouterAdvertisement(parsed.whole);
        const again = parseRouterAdvertisement(rebuilt);
        assertEquals({ ...again, skipped: [] }, { ...parsed.whole, skipped: [] }, `${what}: round trip`);
        if (check.canonical) assertEquals(toHex(rebuilt), toHex(bytes), `${what}: canonical bytes`);
      } else {
        const rebuilt = buildNdOptions(parsed.options);
        assertEquals(parseNdOptions(rebuilt).options, parsed.options, `${what}: round trip`);
        if (check.canonical) {
          const from = check.input === "options" ? 0 : (check.input as { ndHeader: number }).ndHeader;
          assertEquals(toHex(rebuilt), toHex(bytes.subarray(from)), `${what}: canonical bytes`);
        }
      }
    }
  });
}
