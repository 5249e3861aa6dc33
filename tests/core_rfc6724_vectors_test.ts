// Every vector of ../shared/vectors/rfc6724.json (RFC 6724 section 10 and
// Go's addrselect tests) through the public TypeScript API into the
// WebAssembly core, forward and, where the source test does, reversed; and
// the policy tables of the file against the presets.

import { assert, assertEquals } from "./_assert.ts";
import {
  classifyAddress,
  commonPrefixLength,
  compareDestinations,
  selectSource,
  sortDestinations,
  type SourceCandidate,
} from "../core-as/address_selection.ts";
import {
  POLICY_GLIBC,
  POLICY_RFC6724,
  POLICY_RFC6724_UPDATE,
  type PolicyRow,
  type PolicyTable,
} from "../core-as/policy_table.ts";
import { parseIpAddress } from "../core-as/ip_address.ts";

interface Candidate {
  address: string;
  flags: string[];
}

interface Vector {
  id: string;
  kind: string;
  also_reversed?: boolean;
  implementation_semantics?: string;
  input: Record<string, unknown>;
  expected: Record<string, unknown>;
}

interface VectorFile {
  kinds: Record<string, string>;
  policy_tables: Record<string, unknown>;
  vectors: Vector[];
}

const file: VectorFile = JSON.parse(
  await Deno.readTextFile(new URL("../../shared/vectors/rfc6724.json", import.meta.url)),
);

/** The file's flags as candidate fields. */
function candidate({ address, flags }: Candidate): SourceCandidate {
  const known = new Set(["deprecated", "home", "care-of", "temporary", "public"]);
  for (const flag of flags) assert(known.has(flag), `unknown flag ${flag}`);
  return {
    address,
    deprecated: flags.includes("deprecated"),
    home: flags.includes("home"),
    careOf: flags.includes("care-of"),
    temporary: flags.includes("temporary"),
  };
}

/**
 * RFC 5952 text of an address of the file. Two RFC 6724 examples write
 * "::" for a single zero group ("2001:db8:1::d5e3:7953:13eb:22e8"), which
 * RFC 5952 section 4.2.2 rules out; results are canonical.
 */
function canonical(text: string): string {
  return parseIpAddress(text).text;
}

function reversed<T>(items: readonly T[]): T[] {
  return [...items].reverse();
}

/** Runs `check` on the input as given and, when the vector says so, reversed. */
function directions(vector: Vector): boolean[] {
  return vector.also_reversed ? [false, true] : [false];
}

const counts: Record<string, number> = {};
for (const vector of file.vectors) counts[vector.kind] = (counts[vector.kind] ?? 0) + 1;

Deno.test("rfc6724 vectors: the file has every kind it describes and nothing else", () => {
  for (const kind of Object.keys(counts)) assert(kind in file.kinds, `undescribed kind ${kind}`);
  assertEquals(file.vectors.length, 52);
});

for (const vector of file.vectors) {
  const name = `rfc6724 vector ${vector.id} (${vector.kind})`;
  switch (vector.kind) {
    case "source_select": {
      const input = vector.input as { destination: string; candidates: Candidate[] };
      const expected = vector.expected as { source: string };
      Deno.test(name, () => {
        // Every source_select vector is symmetric: run both orders.
        for (const order of [input.candidates, reversed(input.candidates)]) {
          const chosen = selectSource(input.destination, order.map(candidate));
          assertEquals(chosen?.address, canonical(expected.source));
          assert(chosen?.rule !== undefined, "a rule decided");
        }
      });
      break;
    }
    case "dest_sort_candidates": {
      const input = vector.input as { candidate_sources: Candidate[]; destinations: string[] };
      const expected = vector.expected as { order: { destination: string; source: string | null }[] };
      Deno.test(name, () => {
        for (const reverse of directions(vector)) {
          const destinations = reverse ? reversed(input.destinations) : input.destinations;
          const sources = (reverse ? reversed(input.candidate_sources) : input.candidate_sources).map(candidate);
          const sorted = sortDestinations(destinations, { sources });
          assertEquals(
            sorted.map((d) => ({ destination: d.address, source: d.source ?? null })),
            expected.order,
            reverse ? "reversed" : "forward",
          );
          // Rules 1..9 decided every neighbouring pair: the order does not
          // rest on the input order.
          for (const d of sorted.slice(0, -1)) assert(d.rule !== undefined && d.rule !== 10, `rule ${d.rule}`);
        }
      });
      break;
    }
    case "dest_sort_pairs": {
      const input = vector.input as { pairs: { destination: string; source: string | null }[] };
      const expected = vector.expected as { order: string[] };
      Deno.test(name, () => {
        for (const reverse of directions(vector)) {
          const pairs = reverse ? reversed(input.pairs) : input.pairs;
          const destinations = pairs.map(({ destination, source }) => ({ address: destination, source }));
          // The default (glibc's "same-subnet") and Go's "off" agree on every
          // vector: the sources' prefixes are unknown.
          for (const ipv4Rule9 of [undefined, "off"] as const) {
            const sorted = sortDestinations(destinations, ipv4Rule9 === undefined ? {} : { ipv4Rule9 });
            assertEquals(sorted.map((d) => d.address), expected.order, `${reverse ? "reversed" : "forward"}`);
          }
        }
      });
      break;
    }
    case "dest_compare": {
      const input = vector.input as {
        a: string;
        b: string;
        source_a?: string | null;
        source_b?: string | null;
        candidate_sources?: Candidate[];
      };
      const expected = vector.expected as { preferred: "a" | "b" | "equal" };
      Deno.test(name, () => {
        const a = input.source_a === undefined ? input.a : { address: input.a, source: input.source_a };
        const b = input.source_b === undefined ? input.b : { address: input.b, source: input.source_b };
        const options = { sources: (input.candidate_sources ?? []).map(candidate) };
        assertEquals(compareDestinations(a, b, options).preferred, expected.preferred);
        const swapped = compareDestinations(b, a, options).preferred;
        assertEquals(swapped, expected.preferred === "a" ? "b" : expected.preferred === "b" ? "a" : "equal");
      });
      break;
    }
    case "policy_lookup": {
      const input = vector.input as { address: string };
      const expected = vector.expected as { prefix: string; precedence: number; label: number };
      Deno.test(name, () => {
        const c = classifyAddress(input.address);
        assertEquals(
          { prefix: c.precedenceRow?.prefix, precedence: c.precedence, label: c.label },
          expected,
        );
        assertEquals(c.labelRow?.prefix, expected.prefix);
      });
      break;
    }
    case "scope": {
      const input = vector.input as { address: string };
      const expected = vector.expected as { scope: number };
      Deno.test(name, () => {
        assertEquals(classifyAddress(input.address).scope, expected.scope);
      });
      break;
    }
    case "common_prefix_len": {
      const input = vector.input as { a: string; b: string };
      const expected = vector.expected as { bits: number };
      Deno.test(name, () => {
        assertEquals(commonPrefixLength(input.a, input.b), expected.bits);
        // Without a prefix length the count is symmetric.
        assertEquals(commonPrefixLength(input.b, input.a), expected.bits);
      });
      break;
    }
    default:
      Deno.test(name, () => {
        throw new Error(`no runner for kind ${vector.kind}`);
      });
  }
}

Deno.test("rfc6724 vectors: go-sort-5 reorders under the RFC's rule 9 for IPv4 (golang/go#13283)", () => {
  const vector = file.vectors.find((v) => v.id === "go-sort-5")!;
  const input = vector.input as { pairs: { destination: string; source: string }[] };
  const destinations = input.pairs.map(({ destination, source }) => ({ address: destination, source }));
  const always = sortDestinations(destinations, { ipv4Rule9: "always" }).map((d) => d.address);
  // 10.2.3.4 shares 3 leading bits with 23/8, 2 with 54/8, 1 with 75/8, 0
  // with 184/8: the skew the Go issue reports.
  assertEquals(always, [
    "23.23.172.185",
    "23.23.134.56",
    "23.21.50.150",
    "54.83.193.112",
    "75.101.148.21",
    "184.72.238.214",
  ]);
  // With the source's subnet known, only a destination inside it moves up.
  const inSubnet = [...destinations, { address: "10.2.9.9", source: { address: "10.2.3.4", prefixLength: 16 } }];
  const sameSubnet = sortDestinations(inSubnet, { ipv4Rule9: "same-subnet" }).map((d) => d.address);
  assertEquals(sameSubnet, ["10.2.9.9", ...input.pairs.map((p) => p.destination)]);
});

/** A table of the file as rows of ours (precedence and label per prefix). */
function rowsOf(value: unknown): PolicyRow[] {
  return (value as { prefix: string; precedence?: number; label?: number }[]).map((row) => ({ ...row }));
}

function sortedRows(table: PolicyTable): PolicyRow[] {
  return [...table.rows].sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
}

Deno.test("rfc6724 vectors: the policy tables of the file are the presets", () => {
  assertEquals(POLICY_RFC6724.rows, rowsOf(file.policy_tables.rfc6724_default));
  assertEquals(POLICY_RFC6724_UPDATE.rows, rowsOf(file.policy_tables.draft_ietf_6man_rfc6724_update));
  // glibc keeps two tables; ours merges them by prefix.
  const merged = new Map<string, PolicyRow>();
  for (const row of rowsOf(file.policy_tables.glibc_default_labels)) merged.set(row.prefix, row);
  for (const row of rowsOf(file.policy_tables.glibc_default_precedence)) {
    merged.set(row.prefix, { ...merged.get(row.prefix), ...row });
  }
  assertEquals(
    sortedRows(POLICY_GLIBC),
    sortedRows({
      name: "",
      rows: [...merged.values()].map(({ prefix, precedence, label }) => ({
        prefix,
        ...(precedence === undefined ? {} : { precedence }),
        ...(label === undefined ? {} : { label }),
      })),
    }),
  );
  const scopes = file.policy_tables.glibc_default_scopev4_current as { prefix: string; scope: number }[];
  assertEquals(
    [...POLICY_GLIBC.scopes!].sort((a, b) => a.prefix < b.prefix ? -1 : 1),
    [...scopes].sort((a, b) => a.prefix < b.prefix ? -1 : 1),
  );
  // The known-local ULA row the draft adds for a host's own ULA /48s.
  const known = file.policy_tables.draft_known_local_ula_row as { precedence: number; label: number };
  const table: PolicyTable = {
    name: "known-local",
    rows: [...POLICY_RFC6724_UPDATE.rows, {
      prefix: "fd12:3456:789a::/48",
      precedence: known.precedence,
      label: known.label,
    }],
  };
  const c = classifyAddress("fd12:3456:789a:1::1", { policy: table });
  assertEquals([c.precedence, c.label], [45, 14]);
  // Known-local ULA before IPv6 (45 > 40); other ULAs after it but before IPv4.
  const order = sortDestinations(["192.0.2.1", "2001:db8::1", "fd00:1::1", "fd12:3456:789a:1::1"], {
    policy: table,
    sources: ["192.0.2.2", "2001:db8::2", "fd00:1::2", "fd12:3456:789a:1::2"],
  }).map((d) => d.address);
  assertEquals(order, ["fd12:3456:789a:1::1", "2001:db8::1", "fd00:1::1", "192.0.2.1"]);
});
