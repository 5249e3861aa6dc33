/**
 * Baseline for the address selection benchmark: the same RFC 6724 rules as
 * core-as/assembly/address_selection.ts, with the same deviations (rule 4
 * ranks, rule 9 across families, IPv4 rule 9 modes, rule 7 for 6to4,
 * Teredo, tunnels and NAT64), written in plain TypeScript the way one
 * would without the core: addresses as byte arrays, per-address attribute
 * objects, a comparator that walks the rules in order, Array.prototype.sort.
 * Same inputs, same result objects, same rule numbers: a test
 * (tests/core_address_selection_test.ts) checks that the two agree on
 * random inputs.
 *
 * Why not AssemblyScript's portable mode (one source compiled to JS as
 * well): the core reads and writes linear memory with `load<T>` and
 * `store<T>`, whose type argument, which says how many bytes to access,
 * disappears when the source is compiled to JavaScript; std/portable has no
 * replacement for them.
 *
 * @module
 */

import { type IpAddress, parseIpAddress } from "../../core-as/ip_address.ts";
import { checkPolicyTable, POLICY_RFC6724, type PolicyTable } from "../../core-as/policy_table.ts";
import type {
  AddressInput,
  Destination,
  DestinationRule,
  SelectSourceOptions,
  SortDestinationsOptions,
  SortedDestination,
  SourceCandidate,
  SourceRule,
  SourceSelection,
} from "../../core-as/address_selection.ts";

/**
 * Candidates with their addresses parsed once, like the core's
 * `PreparedSources`: nothing that depends on the policy table is kept, so
 * both paths compute the same per call.
 */
export interface BaselineSources {
  readonly candidates: readonly (SourceCandidate | AddressInput)[];
  readonly addresses: readonly Addr[];
}

/** The baseline's `prepareSources`. */
export function prepareSources(candidates: readonly (SourceCandidate | AddressInput)[]): BaselineSources {
  const copy = [...candidates];
  return { candidates: copy, addresses: copy.map((c) => toAddr(isBare(c) ? c : c.address)) };
}

/** The baseline's options: the core's, with its own prepared sources. */
export type BaselineOptions = Omit<SortDestinationsOptions, "sources"> & {
  readonly sources?: readonly (SourceCandidate | AddressInput)[] | BaselineSources;
};

function sourcesOf(
  p: Policy,
  sources: readonly (SourceCandidate | AddressInput)[] | BaselineSources | undefined,
  presetOnly: boolean,
): Source[] {
  if (sources === undefined) return [];
  if (Array.isArray(sources)) return sources.map((c, i) => makeSource(p, c, i, presetOnly));
  const prepared = sources as BaselineSources;
  return prepared.candidates.map((c, i) => makeSource(p, c, i, presetOnly, prepared.addresses[i]));
}

/** An address: 16 bytes (IPv4 mapped) and its text. */
export interface Addr {
  readonly text: string;
  readonly zone: string | undefined;
  /** 16 bytes, IPv4 mapped. */
  readonly bytes: Uint8Array;
  readonly v4: boolean;
}

const cache = new Map<string, Addr>();

function toAddr(input: AddressInput): Addr {
  if (typeof input === "string") {
    let a = cache.get(input);
    if (a === undefined) {
      a = fromIp(parseIpAddress(input));
      if (cache.size >= 4096) cache.clear();
      cache.set(input, a);
    }
    return a;
  }
  return fromIp(input);
}

function fromIp(ip: IpAddress): Addr {
  if (ip.bytes.length === 4) {
    const bytes = new Uint8Array(16);
    bytes[10] = 0xff;
    bytes[11] = 0xff;
    bytes.set(ip.bytes, 12);
    return { text: ip.text, zone: undefined, bytes, v4: true };
  }
  return { text: ip.text, zone: ip.zone, bytes: ip.bytes, v4: isMapped(ip.bytes) };
}

function isMapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

function isBare(x: unknown): x is AddressInput {
  return typeof x === "string" || (typeof x === "object" && x !== null && "bytes" in x);
}

// ---------------------------------------------------------------------------
// Policy

interface Row {
  readonly bytes: Uint8Array;
  readonly length: number;
  readonly precedence: number | undefined;
  readonly label: number | undefined;
}

interface Policy {
  readonly rows: readonly Row[];
  readonly scopes: readonly { bytes: Uint8Array; length: number; scope: number }[];
}

const policies = new WeakMap<PolicyTable, Policy>();

function prefix(text: string): { bytes: Uint8Array; length: number } {
  const [address, length] = text.split("/");
  const a = toAddr(address!);
  return { bytes: a.bytes, length: Number(length) + (a.v4 && !address!.includes(":") ? 96 : 0) };
}

function policyOf(table: PolicyTable): Policy {
  let p = policies.get(table);
  if (p === undefined) {
    checkPolicyTable(table);
    p = {
      rows: table.rows.map((r) => ({ ...prefix(r.prefix), precedence: r.precedence, label: r.label })),
      scopes: (table.scopes ?? POLICY_RFC6724.scopes!).map((s) => ({ ...prefix(s.prefix), scope: s.scope })),
    };
    policies.set(table, p);
  }
  return p;
}

function matches(a: Uint8Array, p: Uint8Array, length: number): boolean {
  let i = 0;
  for (; i < length >> 3; i++) if (a[i] !== p[i]) return false;
  const rest = length & 7;
  return rest === 0 || ((a[i]! ^ p[i]!) & (0xff << (8 - rest)) & 0xff) === 0;
}

function lookup(p: Policy, a: Uint8Array): { precedence: number; label: number | undefined } {
  let precedence = 0;
  let label: number | undefined;
  let bestP = -1;
  let bestL = -1;
  for (const row of p.rows) {
    if (row.precedence !== undefined && row.length > bestP && matches(a, row.bytes, row.length)) {
      bestP = row.length;
      precedence = row.precedence;
    }
    if (row.label !== undefined && row.length > bestL && matches(a, row.bytes, row.length)) {
      bestL = row.length;
      label = row.label;
    }
  }
  return { precedence, label };
}

/** RFC 6724 section 3; IPv4 by the scope rows (section 3.2). */
function scopeOf(p: Policy, a: Addr): number {
  const b = a.bytes;
  if (a.v4) {
    let scope = 14;
    let best = -1;
    for (const s of p.scopes) {
      if (s.length > best && matches(b, s.bytes, s.length)) {
        best = s.length;
        scope = s.scope;
      }
    }
    return scope;
  }
  if (b[0] === 0xff) return b[1]! & 0xf;
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return 2;
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0xc0) return 5;
  for (let i = 0; i < 15; i++) if (b[i] !== 0) return 14;
  return b[15] === 1 ? 2 : 14;
}

function commonPrefixLen(s: Uint8Array, d: Uint8Array, sv4: boolean, limit: number): number {
  let bits = 0;
  for (let i = sv4 ? 12 : 0; i < 16; i++) {
    const x = s[i]! ^ d[i]!;
    if (x !== 0) {
      bits += Math.clz32(x) - 24;
      break;
    }
    bits += 8;
  }
  return Math.min(bits, limit);
}

// ---------------------------------------------------------------------------
// Sources

interface Source {
  readonly input: SourceCandidate | AddressInput;
  readonly index: number;
  readonly a: Addr;
  readonly scope: number;
  readonly label: number | undefined;
  readonly deprecated: boolean;
  readonly homeRank: number;
  readonly temporary: boolean;
  readonly iface: string | number | undefined;
  readonly pvd: string | undefined;
  readonly limit: number;
  readonly known: boolean;
  readonly excluded: boolean;
  readonly encapsulating: boolean;
}

function homeRank(home: boolean, careOf: boolean): number {
  return home && careOf ? 2 : careOf ? 0 : 1;
}

function makeSource(
  p: Policy,
  input: SourceCandidate | AddressInput,
  index: number,
  presetOnly: boolean,
  parsed?: Addr,
): Source {
  const c: SourceCandidate = isBare(input) ? { address: input } : input;
  const a = parsed ?? toAddr(c.address);
  const b = a.bytes;
  const multicast = a.v4 ? (b[12]! >> 4) === 0xe : b[0] === 0xff;
  const unspecified = b.every((x, i) => x === 0 || (a.v4 && i < 12));
  const sixToFour = !a.v4 && b[0] === 0x20 && b[1] === 0x02;
  const teredo = !a.v4 && b[0] === 0x20 && b[1] === 0x01 && b[2] === 0 && b[3] === 0;
  return {
    input,
    index,
    a,
    scope: scopeOf(p, a),
    label: lookup(p, b).label,
    deprecated: c.deprecated === true,
    homeRank: homeRank(c.home === true, c.careOf === true),
    temporary: c.temporary === true,
    iface: c.interface ?? a.zone,
    pvd: c.pvd,
    limit: c.prefixLength ?? (a.v4 ? 32 : 64),
    known: c.prefixLength !== undefined,
    excluded: presetOnly || multicast || unspecified,
    encapsulating: c.tunnel === true || sixToFour || teredo,
  };
}

interface Dest {
  readonly a: Addr;
  readonly scope: number;
  readonly label: number | undefined;
  readonly precedence: number;
  readonly iface: string | number | undefined;
  readonly pvd: string | undefined;
  readonly nextHopPvd: string | undefined;
  readonly multicast: boolean;
}

/** Source rule values of one candidate for D, in rule order (higher is better). */
function sourceValues(s: Source, d: Dest, preferTemporary: boolean): number[] {
  const same = s.a.bytes.every((x, i) => x === d.a.bytes[i]) ? 1 : 0;
  return [
    same,
    s.scope >= d.scope ? 16 + (15 - s.scope) : s.scope,
    s.deprecated ? 0 : 1,
    s.homeRank,
    d.iface !== undefined && s.iface === d.iface ? 1 : 0,
    d.nextHopPvd !== undefined && s.pvd === d.nextHopPvd ? 1 : 0,
    d.label !== undefined && s.label === d.label ? 1 : 0,
    s.temporary === preferTemporary ? 1 : 0,
    commonPrefixLen(s.a.bytes, d.a.bytes, s.a.v4, s.limit),
  ];
}

const SOURCE_RULE_NUMBERS: readonly SourceRule[] = [1, 2, 3, 4, 5, 5.5, 6, 7, 8];

function compareValues(x: number[], y: number[]): number {
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

function choose(
  sources: readonly Source[],
  d: Dest,
  preferTemporary: boolean,
): { best: Source | undefined; runnerUp: Source | undefined; rule: SourceRule | undefined } {
  let best: { s: Source; v: number[] } | undefined;
  let second: { s: Source; v: number[] } | undefined;
  const sameLinkOnly = d.iface !== undefined && (d.scope <= 2 || d.multicast);
  for (const s of sources) {
    if (s.excluded || s.a.v4 !== d.a.v4) continue;
    if (d.pvd !== undefined && s.pvd !== d.pvd) continue;
    if (sameLinkOnly && s.iface !== undefined && s.iface !== d.iface) continue;
    const v = sourceValues(s, d, preferTemporary);
    if (best === undefined) {
      best = { s, v };
      continue;
    }
    const at = compareValues(v, best.v);
    if (at >= 0 && v[at]! > best.v[at]!) {
      second = best;
      best = { s, v };
    } else if (second === undefined) {
      second = { s, v };
    } else {
      const at2 = compareValues(v, second.v);
      if (at2 >= 0 && v[at2]! > second.v[at2]!) second = { s, v };
    }
  }
  if (best === undefined) return { best: undefined, runnerUp: undefined, rule: undefined };
  if (second === undefined) return { best: best.s, runnerUp: undefined, rule: undefined };
  const at = compareValues(best.v, second.v);
  return { best: best.s, runnerUp: second.s, rule: at < 0 ? undefined : SOURCE_RULE_NUMBERS[at] };
}

function makeDest(p: Policy, input: Destination | AddressInput): Dest {
  const d: Destination = isBare(input) ? { address: input } : input;
  const a = toAddr(d.address);
  const { precedence, label } = lookup(p, a.bytes);
  return {
    a,
    scope: scopeOf(p, a),
    label,
    precedence,
    iface: d.interface ?? a.zone,
    pvd: d.pvd,
    nextHopPvd: d.nextHopPvd,
    multicast: a.v4 ? (a.bytes[12]! >> 4) === 0xe : a.bytes[0] === 0xff,
  };
}

// ---------------------------------------------------------------------------
// Public functions, the same as the core's binding

/** {@linkcode selectSource} of core-as/address_selection.ts, in plain TypeScript. */
export function selectSource(
  destination: Destination | AddressInput,
  candidates: readonly (SourceCandidate | AddressInput)[] | BaselineSources,
  options: SelectSourceOptions = {},
): SourceSelection | undefined {
  const p = policyOf(options.policy ?? POLICY_RFC6724);
  const sources = sourcesOf(p, candidates, false);
  const { best, runnerUp, rule } = choose(sources, makeDest(p, destination), options.preferTemporary !== false);
  if (best === undefined) return undefined;
  return { address: best.a.text, candidate: best.input, index: best.index, rule, runnerUp: runnerUp?.index };
}

interface Entry {
  readonly index: number;
  readonly input: Destination | AddressInput;
  readonly d: Dest;
  readonly source: Source | undefined;
  readonly sourceRule: SourceRule | undefined;
  readonly values: number[];
}

const NAT64_WELL_KNOWN = toAddrPrefix("64:ff9b::/96");

function toAddrPrefix(text: string): { bytes: Uint8Array; length: number } {
  const [address, length] = text.split("/");
  return { bytes: parseIpAddress(address!).bytes, length: Number(length) };
}

/** {@linkcode sortDestinations} of core-as/address_selection.ts, in plain TypeScript. */
export function sortDestinations(
  destinations: readonly (Destination | AddressInput)[],
  options: BaselineOptions = {},
): SortedDestination[] {
  const p = policyOf(options.policy ?? POLICY_RFC6724);
  const preferTemporary = options.preferTemporary !== false;
  const rule9 = options.ipv4Rule9 ?? "same-subnet";
  const nat64 = [NAT64_WELL_KNOWN, ...(options.pref64 ?? []).map(toAddrPrefix)];
  const candidates = sourcesOf(p, options.sources, false);
  const entries: Entry[] = destinations.map((input, index) => {
    const d = makeDest(p, input);
    let source: Source | undefined;
    let sourceRule: SourceRule | undefined;
    const given = isBare(input) ? undefined : input.source;
    if (given === undefined) {
      const chosen = choose(candidates, d, preferTemporary);
      source = chosen.best;
      sourceRule = chosen.rule;
    } else if (given !== null) {
      source = makeSource(p, given, -1, true);
      if (source.pvd === undefined) source = { ...source, pvd: d.pvd };
      if (d.pvd !== undefined && source.pvd !== d.pvd) throw new RangeError("source of another PvD");
      if (source.a.v4 !== d.a.v4) throw new RangeError("source of another family");
    }
    const unreachable = !isBare(input) && input.unreachable === true;
    const translated = !d.a.v4 && nat64.some((n) => matches(d.a.bytes, n.bytes, n.length));
    let cpl = 0;
    if (source !== undefined) {
      if (!d.a.v4 || rule9 === "always") {
        cpl = commonPrefixLen(source.a.bytes, d.a.bytes, source.a.v4, source.limit);
      } else if (rule9 === "same-subnet" && source.known) {
        cpl = commonPrefixLen(source.a.bytes, d.a.bytes, true, source.limit) >= source.limit ? source.limit : 0;
      }
    }
    const values = [
      source !== undefined && !unreachable ? 1 : 0,
      source !== undefined && source.scope === d.scope ? 1 : 0,
      source === undefined || !source.deprecated ? 1 : 0,
      source === undefined ? 1 : source.homeRank,
      source !== undefined && d.label !== undefined && source.label === d.label ? 1 : 0,
      d.precedence,
      translated || (source !== undefined && source.encapsulating) ? 0 : 1,
      15 - d.scope,
      (d.a.v4 ? 0 : 256) + cpl,
    ];
    return { index, input, d, source, sourceRule, values };
  });
  const ruleBetween = (x: Entry, y: Entry): DestinationRule => {
    const at = compareValues(x.values, y.values);
    return (at < 0 ? 10 : at + 1) as DestinationRule;
  };
  entries.sort((x, y) => {
    const at = compareValues(x.values, y.values);
    return at < 0 ? x.index - y.index : y.values[at]! - x.values[at]!;
  });
  return entries.map((e, k) => ({
    address: e.d.a.text,
    destination: e.input,
    index: e.index,
    source: e.source?.a.text,
    sourceIndex: e.source === undefined || e.source.index < 0 ? undefined : e.source.index,
    sourceRule: e.sourceRule,
    rule: k + 1 < entries.length ? ruleBetween(e, entries[k + 1]!) : undefined,
  }));
}
