/**
 * Every DHCPv4 vector of /work/shared/captures/vectors.json (kinds
 * "dhcpv4-option(s)", "dhcpv4-fragment", "dhcpv4-message") runs as one test,
 * with the outcome its source test states, encoded (with a note for every
 * judgement call) in tests/fixtures/dhcpv4/vectors_expectations.json.
 * Where tshark decoded a vector, its option codes must be ours too.
 */

import { assert, assertEquals, assertThrows } from "./_assert.ts";
import {
  buildDhcpv4,
  buildDhcpv4Options,
  type Dhcpv4Message,
  type Dhcpv4MessageInit,
  type Dhcpv4Option,
  parseDhcpv4,
  parseDhcpv4Options,
  type SkippedItem,
} from "../core-as/dhcpv4.ts";

const VECTORS = new URL("../../shared/captures/vectors.json", import.meta.url);
const EXPECTATIONS = new URL("./fixtures/dhcpv4/vectors_expectations.json", import.meta.url);
const KINDS = ["dhcpv4-option(s)", "dhcpv4-fragment", "dhcpv4-message"];

interface Vector {
  readonly id: string;
  readonly kind: string;
  readonly hex: string;
  readonly tshark_4_0_17?: { readonly dhcpv4_option_types?: string; readonly wrapped_in?: string } | null;
}

interface Expectation {
  readonly as: "message" | "header" | "after-header" | "xid" | "options" | "value";
  readonly code?: number;
  readonly prefix?: string;
  readonly then?: string;
  readonly expect: "accept" | "skip" | "reject";
  readonly error?: string;
  readonly skipped?: readonly string[];
  readonly options?: readonly Record<string, unknown>[];
  readonly codes?: readonly number[];
  readonly message?: Record<string, unknown>;
  readonly vendor?: string;
  readonly build?: string | Dhcpv4MessageInit;
  readonly exact?: boolean;
  readonly note: string;
}

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function hexOf(data: Uint8Array): string {
  return [...data].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A BOOTREQUEST header, all zero but op, htype and hlen (236 bytes). */
function zeroHeader(): Uint8Array {
  const header = new Uint8Array(236);
  header.set([1, 1, 6]);
  return header;
}

/** Data split into option instances of at most 255 bytes (RFC 3396). */
function asOption(code: number, data: Uint8Array): Uint8Array {
  if (data.length === 0) return new Uint8Array([code, 0]);
  const parts: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += 255) {
    const piece = data.subarray(at, at + 255);
    parts.push(new Uint8Array([code, piece.length]), piece);
  }
  return concat(...parts);
}

/** The bytes to parse and whether they are a whole message. */
function input(vector: Vector, expectation: Expectation): { bytes: Uint8Array; message: boolean } {
  const hex = fromHex(vector.hex);
  switch (expectation.as) {
    case "message":
      return { bytes: hex, message: true };
    case "header":
      // As the source tests append: sname and file zeroed, then the rest.
      return { bytes: concat(hex, new Uint8Array(64 + 128), fromHex(expectation.then ?? "")), message: true };
    case "after-header":
      return { bytes: concat(zeroHeader(), hex), message: true };
    case "xid": {
      const header = zeroHeader();
      header.set(hex, 4);
      return { bytes: header, message: true };
    }
    case "options":
      return { bytes: hex, message: false };
    case "value":
      return { bytes: asOption(expectation.code!, concat(fromHex(expectation.prefix ?? ""), hex)), message: false };
  }
}

/** The listed fields of `actual` match `expected` (bytes given as hex). */
function assertFields(actual: Record<string, unknown>, expected: Record<string, unknown>, label: string): void {
  for (const [key, want] of Object.entries(expected)) {
    if (key === "addressesStartWith") {
      const addresses = actual["addresses"] as string[];
      assertEquals(addresses.slice(0, (want as string[]).length), want, `${label} addresses`);
      continue;
    }
    const got = actual[key];
    if (got instanceof Uint8Array) assertEquals(hexOf(got), want, `${label} ${key}`);
    else assertEquals(got, want, `${label} ${key}`);
  }
}

function withoutSkipped(message: Dhcpv4Message): Omit<Dhcpv4Message, "skipped"> {
  const { skipped: _skipped, ...rest } = message;
  return rest;
}

const haveVectors = (() => {
  try {
    return Deno.statSync(VECTORS).isFile;
  } catch {
    return false;
  }
})();

const vectors: Vector[] = haveVectors
  ? (JSON.parse(Deno.readTextFileSync(VECTORS)) as { vectors: Vector[] }).vectors.filter((v) => KINDS.includes(v.kind))
  : [];
const expectations = (JSON.parse(Deno.readTextFileSync(EXPECTATIONS)) as { vectors: Record<string, Expectation> })
  .vectors;

Deno.test({
  name: "DHCPv4 vectors: every DHCPv4 vector has an expectation, and every expectation a vector",
  ignore: !haveVectors,
  fn: () => {
    assertEquals(vectors.length, 113);
    assertEquals(vectors.map((v) => v.id).sort(), Object.keys(expectations).sort());
    for (const [id, expectation] of Object.entries(expectations)) {
      assert(expectation.note.length > 0, `${id} has no note`);
    }
  },
});

for (const vector of vectors) {
  const expectation = expectations[vector.id];
  Deno.test({
    name: `DHCPv4 vector ${vector.id} (${expectation?.expect ?? "?"})`,
    fn: () => {
      assert(expectation, `no expectation for ${vector.id}`);
      const { bytes, message: whole } = input(vector, expectation);
      const parse = () => whole ? parseDhcpv4(bytes) : parseDhcpv4Options(bytes);
      if (expectation.expect === "reject") {
        assertThrows(parse, SyntaxError, expectation.error ?? "");
        return;
      }
      const parsed = parse() as { options: readonly Dhcpv4Option[]; skipped: readonly SkippedItem[] };
      const reasons = parsed.skipped.map((s) => s.reason);
      if (expectation.expect === "skip") {
        assertEquals(reasons, expectation.skipped, "skipped");
      } else {
        assertEquals(reasons, [], "nothing skipped");
      }
      if (expectation.options) {
        assertEquals(parsed.options.length, expectation.options.length, "option count");
        expectation.options.forEach((want, i) =>
          assertFields(parsed.options[i] as unknown as Record<string, unknown>, want, `option ${i}`)
        );
      }
      if (expectation.codes) assertEquals(parsed.options.map((o) => o.type), expectation.codes, "codes");
      if (expectation.message) {
        assertFields(parsed as unknown as Record<string, unknown>, expectation.message, "message");
      }
      if (expectation.vendor !== undefined) {
        assertEquals(hexOf((parsed as Dhcpv4Message).vendor!), expectation.vendor, "vendor");
      }
      // tshark's decoding, where it read the bytes as we do (options after
      // a synthetic header, or a whole message), names the same options.
      const tshark = vector.tshark_4_0_17;
      const tsharkCodes = tshark?.dhcpv4_option_types;
      const sameReading = tshark?.wrapped_in?.startsWith("synthetic empty BOOTP header")
        ? expectation.as === "options"
        : expectation.as === "message";
      if (tsharkCodes && sameReading) {
        const theirs = [...new Set(tsharkCodes.split(",").map(Number).filter((c) => c !== 0))];
        const ours = [...parsed.options.map((o) => o.type), ...parsed.skipped.map((s) => s.type)];
        assertEquals(ours.sort((a, b) => a - b), theirs.sort((a, b) => a - b), "tshark's option codes");
      }
      // Built back, parsed again: the same.
      if (whole) {
        const message = parsed as Dhcpv4Message;
        const rebuilt = buildDhcpv4(message);
        assertEquals(withoutSkipped(parseDhcpv4(rebuilt)), withoutSkipped(message), "round trip");
        if (expectation.exact) assertEquals(hexOf(rebuilt), hexOf(bytes), "rebuilt byte for byte");
        if (typeof expectation.build === "object") {
          assertEquals(hexOf(buildDhcpv4(expectation.build)), hexOf(bytes), "built from fields");
        }
      } else {
        const rebuilt = buildDhcpv4Options(parsed.options);
        assertEquals(parseDhcpv4Options(rebuilt).options, parsed.options, "round trip");
        if (typeof expectation.build === "string") assertEquals(hexOf(rebuilt), expectation.build, "built");
      }
    },
  });
}
