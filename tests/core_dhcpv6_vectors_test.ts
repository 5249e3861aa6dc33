// Every DHCPv6 vector of /work/shared/captures/vectors.json (kinds
// "dhcpv6-option(s)", "dhcpv6-fragment", "dhcpv6-message", "dhcpv6-message?")
// runs as a test with the expectation its source test states, encoded in
// tests/fixtures/dhcpv6/vectors_expectations.json with a note for each
// judgement call (see its "description").

import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { buildDhcpv6, buildDhcpv6Options, parseDhcpv6, parseDhcpv6Options } from "../core-as/dhcpv6.ts";

interface Vector {
  readonly id: string;
  readonly kind: string;
  readonly hex: string;
}

interface Expectation {
  readonly entry: "message" | "options" | "name";
  readonly wrap?: string;
  readonly context?: string;
  readonly expect: "accept" | "skip" | "reject" | "name";
  readonly result?: unknown;
  readonly skipped?: readonly string[];
  readonly error?: string;
  readonly in?: string;
  readonly note: string;
}

const KINDS = new Set(["dhcpv6-option(s)", "dhcpv6-fragment", "dhcpv6-message", "dhcpv6-message?"]);

const { vectors } = JSON.parse(
  await Deno.readTextFile(new URL("../../shared/captures/vectors.json", import.meta.url)),
) as {
  vectors: Vector[];
};
const expectations = (JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/dhcpv6/vectors_expectations.json", import.meta.url)),
) as { vectors: Record<string, Expectation> }).vectors;
const byId = new Map(vectors.map((v) => [v.id, v]));

function bytes(hex: string): Uint8Array {
  assert(/^([0-9a-f]{2})*$/.test(hex), `bad hex ${hex}`);
  return new Uint8Array(hex.match(/../g)?.map((b) => parseInt(b, 16)) ?? []);
}

function toHex(data: Uint8Array): string {
  return Array.from(data, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The parse result as the expectations store it: bytes as hex, Infinity as
 * text, the top level's skips apart (relayed messages keep theirs).
 */
function stored(value: unknown): unknown {
  const { skipped: _, ...rest } = value as { skipped: unknown };
  return JSON.parse(JSON.stringify(rest, (_key, v) => {
    if (v instanceof Uint8Array) return toHex(v);
    return v === Infinity ? "Infinity" : v;
  }));
}

function skipReasons(value: unknown): string[] {
  // Only the top level's skips: relayed messages are checked through `result`.
  return (value as { skipped: { reason: string }[] }).skipped.map((s) => s.reason);
}

const dhcpv6Vectors = vectors.filter((v) => KINDS.has(v.kind));

Deno.test("dhcpv6 vectors: every vector has an expectation, and no expectation is stale", () => {
  const missing = dhcpv6Vectors.filter((v) => !(v.id in expectations)).map((v) => v.id);
  assertEquals(missing, []);
  const stale = Object.keys(expectations).filter((id) => !dhcpv6Vectors.some((v) => v.id === id));
  assertEquals(stale, []);
  // Each note says whether the decode agrees with the source test, or why not.
  for (const [id, e] of Object.entries(expectations)) {
    assert(/^(agrees|accepted|checks|judgement): /.test(e.note), `${id} has no note`);
  }
});

for (const vector of dhcpv6Vectors) {
  const e = expectations[vector.id];
  if (e === undefined) continue; // reported by the test above
  Deno.test(`dhcpv6 vector ${vector.id}`, () => {
    if (e.entry === "name") {
      // The vector is the text the source decoded (with the root dot): its
      // wire form must be what the referenced vector's bytes hold.
      const text = new TextDecoder().decode(bytes(vector.hex));
      const wire = toHex(buildDhcpv6Options([{ name: "domain-list", type: 24, domains: [text] }]).subarray(4));
      const within = byId.get(e.in ?? "");
      assert(within !== undefined, `${e.in} is not a vector`);
      assert(within.hex.includes(wire), `${wire} not in ${within.hex}`);
      return;
    }
    let hex = vector.hex;
    if (e.wrap !== undefined) {
      // The fragment must sit where the source test puts it.
      assertEquals(e.wrap.split("{}").length, 2, "one placeholder");
      hex = e.wrap.replace("{}", vector.hex);
    }
    const input = bytes(hex);
    const parse = () => e.entry === "message" ? parseDhcpv6(input) : parseDhcpv6Options(input);
    if (e.expect === "reject") {
      const error = assertThrows(parse, SyntaxError);
      const action = e.entry === "message" ? "message" : "options";
      assertEquals(error.message, `Cannot parse DHCPv6 ${action}: ${e.error}`);
      return;
    }
    const parsed = parse();
    assertEquals(stored(parsed), e.result, "decoded fields");
    assertEquals(skipReasons(parsed), e.skipped ?? [], "skipped options");
    if (e.expect === "accept") assertEquals(e.skipped, undefined);
    // Whatever was accepted re-encodes to something that parses the same.
    const rebuilt = e.entry === "message"
      ? parseDhcpv6(buildDhcpv6(parsed as ReturnType<typeof parseDhcpv6>))
      : parseDhcpv6Options(buildDhcpv6Options(parsed.options));
    assertEquals(stored(rebuilt), e.result, "rebuilt");
  });
}
