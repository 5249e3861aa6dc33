/**
 * Default address selection (RFC 6724) in the WebAssembly core, aware of
 * provisioning domains: which source address to use for a destination
 * (section 5), in which order to try a host's destination addresses
 * (section 6), and the facts both rest on (scope, policy table, common
 * prefix length). Every result names the rule that decided, so a caller
 * can say why.
 *
 * PvDs: every candidate source and every destination may carry its PvD
 * and interface. A destination with a PvD is only ever paired with a source
 * of that PvD; a destination without one takes any source, and the PvD of
 * its chosen next hop decides source rule 5.5 ("prefer addresses in a prefix
 * advertised by the next-hop").
 *
 * Addresses are given as text or as {@linkcode IpAddress} objects from
 * `parseIpAddress`; text is parsed once and remembered (up to 4,096
 * distinct strings), so repeated calls with the same text cost no parse.
 * A host's own addresses, which change far less often than destinations
 * are sorted, can be checked and encoded once with
 * {@linkcode prepareSources}.
 *
 * Runtime-neutral: no Deno or Node APIs.
 *
 * @example Ordering a host's addresses with the sources of two PvDs
 * ```ts
 * import { sortDestinations } from "./address_selection.ts";
 *
 * const sorted = sortDestinations(["198.51.100.7", "2001:db8:c::80"], {
 *   sources: [
 *     { address: "2001:db8:a::100", pvd: "isp-a.example" },
 *     { address: "192.0.2.10", pvd: "isp-b.example" },
 *   ],
 * });
 * if (sorted[0]!.address !== "2001:db8:c::80" || sorted[0]!.rule !== 6) throw new Error();
 * // IPv6 first: rule 6, precedence 40 of ::/0 against 35 of IPv4.
 * ```
 *
 * @module
 */

import { coreWasm } from "./core_wasm.generated.ts";
import { CoreErrorCode, coreMemory, quote } from "./_abi.ts";
import { type IpAddress, parseIpAddress } from "./ip_address.ts";
import { checkPolicyTable, POLICY_RFC6724, type PolicyRow, type PolicyTable } from "./policy_table.ts";
import { ipv4Text } from "./_text.ts";

export type { IpAddress } from "./ip_address.ts";

// ---------------------------------------------------------------------------
// Mirror of core-as/assembly/address_selection.ts: layout, tags, details.

const OP_SELECT_SOURCE = 1;
const OP_SORT_DESTINATIONS = 2;
const OP_CLASSIFY = 3;
const OPTION_PREFER_PUBLIC = 1;
const HEADER_SIZE = 32;
const ROW_SIZE = 24;
const NAT64_SIZE = 24;
const SOURCE_SIZE = 32;
const DESTINATION_SIZE = 32;
const RECORD_SIZE = 24;
const ROW_PRECEDENCE = 1;
const ROW_LABEL = 2;
const ROW_SCOPE = 4;
const SOURCE_DEPRECATED = 1;
const SOURCE_HOME = 2;
const SOURCE_CARE_OF = 4;
const SOURCE_TEMPORARY = 8;
const SOURCE_TUNNEL = 16;
const SOURCE_PRESET_ONLY = 32;
const PREFIX_UNKNOWN = 255;
const DEST_UNREACHABLE = 1;
const DEST_PRESET = 2;
const NO_INDEX = 0xffff_ffff;
const MAX_DESTINATIONS = 0xff_ffff;
/** Workspace bytes the core needs past its records, per source and per destination. */
const WS_SOURCE_SIZE = 32;
const WS_DESTINATION_SIZE = 16;
/** Record tags (see the core for code/a/b of each). */
const TAG_SOURCE = 0x0501;
const TAG_DESTINATION = 0x0502;
const TAG_ADDRESS = 0x0503;
const RULE_ORDER = 90;

const IPV4_RULE9 = { "off": 0, "same-subnet": 1, "always": 2 } as const;

/** Detail identifiers of the core (0x500..0x5ff): why it rejected its input. */
const DETAIL_TEXT: Readonly<Record<number, string>> = {
  0x501: "input is shorter than the header",
  0x502: "unknown operation",
  0x503: "unknown option bits",
  0x504: "a reserved field is not zero",
  0x505: "the entries run past the end of the input",
  0x506: "bytes follow the last entry",
  0x507: "a policy row has a prefix length over 128",
  0x508: "a policy row has a kind that is not allowed",
  0x509: "a policy row has a value that is 0 or out of range",
  0x50a: "a scope row is not an IPv4-mapped prefix",
  0x50b: "a NAT64 prefix length is not 32, 40, 48, 56, 64 or 96",
  0x50c: "a source has unknown flags",
  0x50d: "a source prefix length is too long for its family",
  0x50e: "a destination has unknown flags",
  0x50f: "a preset source index is not a source",
  0x510: "a preset source belongs to another provisioning domain",
  0x511: "source selection needs exactly one destination",
  0x512: "source selection with a preset source",
  0x513: "too many destinations",
  0x514: "a preset source has another family than its destination",
  0x515: "policy rows are not ordered longest prefix first",
};

/** Address kinds of the core's TAG_ADDRESS records. */
const KINDS: Readonly<Record<number, AddressKind>> = {
  0: "global",
  1: "unspecified",
  2: "loopback",
  3: "link-local",
  4: "site-local",
  5: "ula",
  6: "multicast",
  7: "6to4",
  8: "teredo",
  9: "nat64",
  10: "ipv4-compatible",
  16: "ipv4",
  17: "ipv4-unspecified",
  18: "ipv4-loopback",
  19: "ipv4-link-local",
  20: "ipv4-private",
  21: "ipv4-shared",
  22: "ipv4-multicast",
};

// ---------------------------------------------------------------------------
// Public types

/**
 * An address: text (IPv4, or IPv6 with an optional `%zone`) or a parsed
 * {@linkcode IpAddress}. IPv4-mapped IPv6 (`::ffff:192.0.2.1`) is IPv4 here,
 * as RFC 6724 section 3.2 compares it.
 *
 * @example
 * ```ts
 * import { parseIpAddress } from "./ip_address.ts";
 * import type { AddressInput } from "./address_selection.ts";
 *
 * const inputs: AddressInput[] = ["192.0.2.1", parseIpAddress("fe80::1%eth0")];
 * if (inputs.length !== 2) throw new Error();
 * ```
 */
export type AddressInput = string | IpAddress;

/**
 * An interface, by name (`"eth0"`) or by the MIF API's interface id. Only
 * equality matters; use one kind throughout a call.
 *
 * @example
 * ```ts
 * import type { InterfaceRef } from "./address_selection.ts";
 *
 * const refs: InterfaceRef[] = ["wlan0", 3]; // a name, or the MIF API's interfaceId
 * if (refs.length !== 2) throw new Error();
 * ```
 */
export type InterfaceRef = string | number;

/**
 * A candidate source address: one of the host's addresses, with what the
 * rules need to know about it.
 *
 * @example
 * ```ts
 * import type { SourceCandidate } from "./address_selection.ts";
 *
 * const candidate: SourceCandidate = {
 *   address: "2001:db8:a::d5e3:7953:13eb:22e8",
 *   pvd: "isp-a.example",
 *   interface: "eth0",
 *   prefixLength: 64,
 *   temporary: true,
 * };
 * if (!candidate.temporary) throw new Error();
 * ```
 */
export interface SourceCandidate {
  /** The address. A zone (`fe80::1%eth0`) names its interface when `interface` is absent. */
  readonly address: AddressInput;
  /** Its provisioning domain (PvD ID or implicit PvD name). */
  readonly pvd?: string;
  /** The interface it is assigned to (source rule 5, and link-local candidate sets). */
  readonly interface?: InterfaceRef;
  /**
   * Its on-link prefix length, which limits CommonPrefixLen (source rule 8,
   * destination rule 9). Unknown: 64 for IPv6, 32 for IPv4.
   */
  readonly prefixLength?: number;
  /** Deprecated: its preferred lifetime has ended (RFC 4862; rule 3). */
  readonly deprecated?: boolean;
  /** A temporary address (RFC 8981; source rule 7). */
  readonly temporary?: boolean;
  /** A Mobile IPv6 home address (rule 4). */
  readonly home?: boolean;
  /** A Mobile IPv6 care-of address (rule 4). */
  readonly careOf?: boolean;
  /**
   * Its interface encapsulates (a 6in4 or other tunnel): destinations
   * reached from it are not native (destination rule 7). 6to4 and Teredo
   * addresses count as such without it.
   */
  readonly tunnel?: boolean;
}

/**
 * A destination address with what selection needs to know about it.
 *
 * @example
 * ```ts
 * import type { Destination } from "./address_selection.ts";
 *
 * const learned: Destination = { address: "2001:db8:c::80", pvd: "isp-a.example" };
 * const agnostic: Destination = { address: "2001:db8:c::80", nextHopPvd: "isp-b.example" };
 * if (learned.pvd === agnostic.nextHopPvd) throw new Error();
 * ```
 */
export interface Destination {
  /** The address. A zone names the outgoing interface when `interface` is absent. */
  readonly address: AddressInput;
  /**
   * The PvD it was learned in (e.g. the PvD whose DNS resolver gave it).
   * Only sources of this PvD qualify. Absent: any source qualifies.
   */
  readonly pvd?: string;
  /** The outgoing interface to it, when routing has chosen one (source rule 5). */
  readonly interface?: InterfaceRef;
  /** The PvD of the next hop routing has chosen for it (source rule 5.5). */
  readonly nextHopPvd?: string;
  /** Known to be unreachable (destination rule 1). */
  readonly unreachable?: boolean;
  /**
   * Source(D) given instead of selected (`null`: Source(D) is undefined).
   * It must have the destination's family, and its PvD, if any, must be
   * the destination's.
   */
  readonly source?: AddressInput | SourceCandidate | null;
}

/**
 * The rules of RFC 6724 section 5 (source address selection) by number.
 *
 * @example
 * ```ts
 * import { SOURCE_RULES, type SourceRule } from "./address_selection.ts";
 *
 * const rule: SourceRule = 5.5;
 * if (SOURCE_RULES[rule] !== "Prefer addresses in a prefix advertised by the next-hop") throw new Error();
 * ```
 */
export type SourceRule = 1 | 2 | 3 | 4 | 5 | 5.5 | 6 | 7 | 8;

/**
 * The rules of RFC 6724 section 6 (destination address ordering) by number.
 *
 * @example
 * ```ts
 * import { DESTINATION_RULES, type DestinationRule } from "./address_selection.ts";
 *
 * const rule: DestinationRule = 9;
 * if (DESTINATION_RULES[rule] !== "Use longest matching prefix") throw new Error();
 * ```
 */
export type DestinationRule = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;

/**
 * The titles of the source selection rules, as RFC 6724 section 5 gives them.
 *
 * @example
 * ```ts
 * import { SOURCE_RULES } from "./address_selection.ts";
 *
 * if (SOURCE_RULES[8] !== "Use longest matching prefix") throw new Error();
 * ```
 */
export const SOURCE_RULES: Readonly<Record<SourceRule, string>> = Object.freeze({
  1: "Prefer same address",
  2: "Prefer appropriate scope",
  3: "Avoid deprecated addresses",
  4: "Prefer home addresses",
  5: "Prefer outgoing interface",
  5.5: "Prefer addresses in a prefix advertised by the next-hop",
  6: "Prefer matching label",
  7: "Prefer temporary addresses",
  8: "Use longest matching prefix",
});

/**
 * The titles of the destination ordering rules, as RFC 6724 section 6 gives
 * them.
 *
 * @example
 * ```ts
 * import { DESTINATION_RULES } from "./address_selection.ts";
 *
 * if (DESTINATION_RULES[10] !== "Otherwise, leave the order unchanged") throw new Error();
 * ```
 */
export const DESTINATION_RULES: Readonly<Record<DestinationRule, string>> = Object.freeze({
  1: "Avoid unusable destinations",
  2: "Prefer matching scope",
  3: "Avoid deprecated addresses",
  4: "Prefer home addresses",
  5: "Prefer matching label",
  6: "Prefer higher precedence",
  7: "Prefer native transport",
  8: "Prefer smaller scope",
  9: "Use longest matching prefix",
  10: "Otherwise, leave the order unchanged",
});

/**
 * Options shared by every function of this module.
 *
 * @example
 * ```ts
 * import type { AddressSelectionOptions } from "./address_selection.ts";
 * import { POLICY_RFC6724_UPDATE } from "./policy_table.ts";
 *
 * const options: AddressSelectionOptions = { policy: POLICY_RFC6724_UPDATE, pref64: ["2001:db8:64::/96"] };
 * if (options.pref64?.length !== 1) throw new Error();
 * ```
 */
export interface AddressSelectionOptions {
  /**
   * The policy table: {@linkcode POLICY_RFC6724} unless given. Tables are
   * checked and encoded the first time they are used, then remembered by
   * identity: do not change one after use.
   */
  readonly policy?: PolicyTable;
  /**
   * NAT64 prefixes (RFC 6052; PREF64 of RFC 8781) besides the well-known
   * 64:ff9b::/96, which always counts: a destination inside one is reached
   * through a translator, not natively (destination rule 7).
   */
  readonly pref64?: readonly string[];
}

/**
 * Options of {@linkcode selectSource}.
 *
 * @example
 * ```ts
 * import type { SelectSourceOptions } from "./address_selection.ts";
 *
 * const options: SelectSourceOptions = { preferTemporary: false }; // RFC 6724 rule 7 reversed
 * if (options.preferTemporary !== false) throw new Error();
 * ```
 */
export interface SelectSourceOptions extends AddressSelectionOptions {
  /**
   * Source rule 7: prefer temporary addresses (RFC 6724, and RFC 8981
   * section 3.6), the default, or public ones (`false`), the reversal
   * RFC 6724 requires implementations to offer.
   */
  readonly preferTemporary?: boolean;
}

/**
 * Options of {@linkcode sortDestinations} and {@linkcode compareDestinations}.
 *
 * @example
 * ```ts
 * import type { SortDestinationsOptions } from "./address_selection.ts";
 *
 * const options: SortDestinationsOptions = { sources: ["192.0.2.10"], ipv4Rule9: "off" };
 * if (options.ipv4Rule9 !== "off") throw new Error();
 * ```
 */
export interface SortDestinationsOptions extends SelectSourceOptions {
  /**
   * The candidate sources from which Source(D) is selected for each
   * destination that does not give its own (`source`), as an array or a
   * {@linkcode PreparedSources} snapshot. Absent: none, so such
   * destinations are unusable (rule 1).
   */
  readonly sources?: readonly (SourceCandidate | AddressInput)[] | PreparedSources;
  /**
   * Destination rule 9 for IPv4: `"always"` as RFC 6724 says, which skews
   * DNS round robin towards addresses that happen to share leading bits
   * with the source (golang/go#13283); `"same-subnet"` (the default, as
   * glibc) only when the destination is inside the source's known on-link
   * prefix; `"off"` never (as Go). IPv6 always applies it.
   */
  readonly ipv4Rule9?: "off" | "same-subnet" | "always";
}

/**
 * The source {@linkcode selectSource} chose, and why.
 *
 * @example
 * ```ts
 * import { selectSource, SOURCE_RULES } from "./address_selection.ts";
 *
 * const chosen = selectSource("2001:db8:1::1", ["fe80::1", "2001:db8:3::1"]);
 * if (chosen === undefined || chosen.rule === undefined) throw new Error();
 * const why = `${chosen.address}: ${SOURCE_RULES[chosen.rule]}`; // "2001:db8:3::1: Prefer appropriate scope"
 * if (!why.endsWith("scope")) throw new Error(why);
 * ```
 */
export interface SourceSelection {
  /** The chosen source, canonical text (with its zone, if any). */
  readonly address: string;
  /** The candidate as given. */
  readonly candidate: SourceCandidate | AddressInput;
  /** Its position among the candidates. */
  readonly index: number;
  /**
   * The rule by which it beat the runner-up; undefined when no other
   * candidate qualified, or when the two tie on every rule and it came
   * first.
   */
  readonly rule: SourceRule | undefined;
  /** The runner-up's position among the candidates, if another qualified. */
  readonly runnerUp: number | undefined;
}

/**
 * One destination of {@linkcode sortDestinations}' result, in order.
 *
 * @example
 * ```ts
 * import { DESTINATION_RULES, sortDestinations } from "./address_selection.ts";
 *
 * const [first] = sortDestinations(["fe80::1%eth0", "2001:db8:1::1"], {
 *   sources: ["2001:db8:1::2", "fe80::2%eth0"],
 * });
 * if (first?.address !== "fe80::1%eth0" || first.rule !== 8) throw new Error();
 * const why = DESTINATION_RULES[first.rule]; // "Prefer smaller scope"
 * if (why !== "Prefer smaller scope") throw new Error();
 * ```
 */
export interface SortedDestination {
  /** The destination, canonical text (with its zone, if any). */
  readonly address: string;
  /** The destination as given. */
  readonly destination: Destination | AddressInput;
  /** Its position in the input. */
  readonly index: number;
  /** Source(D), canonical text; undefined when no source qualified. */
  readonly source: string | undefined;
  /** Source(D)'s position in `options.sources`; undefined when given with the destination or undefined. */
  readonly sourceIndex: number | undefined;
  /**
   * The rule by which Source(D) beat the runner-up (see
   * {@linkcode SourceSelection.rule}); undefined when given, alone or tied.
   */
  readonly sourceRule: SourceRule | undefined;
  /** The rule by which it goes before the next destination; undefined for the last. */
  readonly rule: DestinationRule | undefined;
}

/**
 * What {@linkcode compareDestinations} found.
 *
 * @example
 * ```ts
 * import { compareDestinations, type DestinationComparison } from "./address_selection.ts";
 *
 * const result: DestinationComparison = compareDestinations("2001:db8::1", "2001:db8::2", {
 *   sources: ["2001:db8::3"],
 * });
 * if (result.preferred !== "equal" || result.rule !== 10) throw new Error();
 * ```
 */
export interface DestinationComparison {
  /** Which goes first; `"equal"` when only rule 10 (the input order) separates them. */
  readonly preferred: "a" | "b" | "equal";
  /** The deciding rule. */
  readonly rule: DestinationRule;
}

/**
 * What an address is, for the rules: see {@linkcode classifyAddress}.
 *
 * @example
 * ```ts
 * import type { AddressKind } from "./address_selection.ts";
 *
 * const kind: AddressKind = "teredo";
 * if (kind !== "teredo") throw new Error();
 * ```
 */
export type AddressKind =
  | "global"
  | "unspecified"
  | "loopback"
  | "link-local"
  | "site-local"
  | "ula"
  | "multicast"
  | "6to4"
  | "teredo"
  | "nat64"
  | "ipv4-compatible"
  | "ipv4"
  | "ipv4-unspecified"
  | "ipv4-loopback"
  | "ipv4-link-local"
  | "ipv4-private"
  | "ipv4-shared"
  | "ipv4-multicast";

/**
 * An address as the rules see it: {@linkcode classifyAddress}'s result.
 *
 * @example
 * ```ts
 * import { type AddressClass, classifyAddress } from "./address_selection.ts";
 *
 * const c: AddressClass = classifyAddress("169.254.13.78");
 * if (c.scope !== 2 || c.kind !== "ipv4-link-local" || c.family !== 4) throw new Error();
 * ```
 */
export interface AddressClass {
  /** Canonical text. */
  readonly address: string;
  /** 4 for IPv4 and IPv4-mapped addresses, 6 otherwise. */
  readonly family: 4 | 6;
  /** Scope (RFC 6724 section 3; RFC 4291 section 2.7): 2 link-local, 5 site-local, 14 global, ... */
  readonly scope: number;
  /** What kind of address it is. */
  readonly kind: AddressKind;
  /** Precedence from the policy table; undefined when no row covers it. */
  readonly precedence: number | undefined;
  /** Label from the policy table; undefined when no row covers it. */
  readonly label: number | undefined;
  /** The row that gave the precedence, as written in the table. */
  readonly precedenceRow: PolicyRow | undefined;
  /** The row that gave the label. */
  readonly labelRow: PolicyRow | undefined;
  /** For an address inside a NAT64 prefix: the prefix and the IPv4 address it embeds (RFC 6052 section 2.2). */
  readonly nat64: { readonly prefix: string; readonly ipv4: string } | undefined;
}

/**
 * Options of {@linkcode commonPrefixLength}.
 *
 * @example
 * ```ts
 * import type { CommonPrefixLengthOptions } from "./address_selection.ts";
 *
 * const options: CommonPrefixLengthOptions = { prefixLength: 48 };
 * if (options.prefixLength !== 48) throw new Error();
 * ```
 */
export interface CommonPrefixLengthOptions {
  /** The prefix length of the first address (the source); unknown: 64 for IPv6, 32 for IPv4. */
  readonly prefixLength?: number;
}

// ---------------------------------------------------------------------------
// Addresses

/**
 * Address text, parsed once, as the core takes it: its 16 bytes (IPv4
 * mapped) as two 64-bit numbers in network order, high half first, each
 * stored little-endian: four words, `w0` the low word of the high half.
 */
interface TextAddress {
  readonly text: string;
  readonly zone: string | undefined;
  readonly ipv4: boolean;
  readonly w0: number;
  readonly w1: number;
  readonly w2: number;
  readonly w3: number;
}

const MAX_CACHED_TEXTS = 4096;
const textCache = new Map<string, TextAddress>();

/** The 4 bytes at `at` as a big-endian number. */
function wordAt(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/** 16 address bytes in the core's order of words (see TextAddress). */
function wordsOf(b: Uint8Array): [number, number, number, number] {
  return [wordAt(b, 4), wordAt(b, 0), wordAt(b, 12), wordAt(b, 8)];
}

/** The IPv4-mapped prefix ::ffff:0:0/96 in the low half's high word. */
const MAPPED = 0x0000_ffff;

/** Keeps the text cache bounded; only called between calls, never during one. */
function trimCaches(): void {
  if (textCache.size >= MAX_CACHED_TEXTS) textCache.clear();
}

function isIpAddress(value: unknown): value is IpAddress {
  if (typeof value !== "object" || value === null) return false;
  const { bytes, text } = value as IpAddress;
  return bytes instanceof Uint8Array && (bytes.length === 4 || bytes.length === 16) && typeof text === "string";
}

/**
 * True for an address given bare (text or IpAddress), not as a candidate or
 * destination object. Only for entries resolveEntry has checked: those are
 * text, an IpAddress, or an object with an `address`.
 */
function isBare(input: unknown): input is AddressInput {
  return typeof input === "string" || (input as { address?: unknown }).address === undefined;
}

/**
 * Checks an address and, for text, parses it into the cache. Parsing calls
 * the core, which overwrites its input region, so every address of a call
 * is resolved before the call writes its input.
 */
function resolve(input: unknown, action: string, what: string): void {
  if (typeof input === "string") {
    if (textCache.has(input)) return;
    let ip: IpAddress;
    try {
      ip = parseIpAddress(input);
    } catch (error) {
      const e = error as Error;
      throw new (e.constructor as ErrorConstructor)(`Cannot ${action}: ${what}: ${e.message}`, { cause: e.cause });
    }
    const b = ip.bytes;
    textCache.set(
      input,
      b.length === 4 ? { text: ip.text, zone: undefined, ipv4: true, w0: 0, w1: 0, w2: wordAt(b, 0), w3: MAPPED } : {
        text: ip.text,
        zone: ip.zone,
        ipv4: wordAt(b, 0) === 0 && wordAt(b, 4) === 0 && wordAt(b, 8) === MAPPED,
        w0: wordAt(b, 4),
        w1: wordAt(b, 0),
        w2: wordAt(b, 12),
        w3: wordAt(b, 8),
      },
    );
    return;
  }
  if (!isIpAddress(input)) throw new TypeError(`Cannot ${action}: ${what}: expected address text or an IpAddress`);
}

/** Resolves the address of a candidate or destination (bare or in an object). */
function resolveEntry(input: unknown, action: string, what: string): void {
  if (typeof input === "string") return resolve(input, action, what);
  if (typeof input !== "object" || input === null) {
    throw new TypeError(`Cannot ${action}: ${what}: expected an object or an address`);
  }
  const address = (input as { address?: unknown }).address;
  resolve(address === undefined ? input : address, action, what);
}

/**
 * Writes a resolved address as four words at `at`; returns whether it is
 * IPv4. Text comes from the cache, an IpAddress from its bytes (IPv4 mapped).
 */
function putAddress(w: Uint32Array, at: number, a: AddressInput): boolean {
  if (typeof a === "string") {
    const t = textCache.get(a)!;
    w[at] = t.w0;
    w[at + 1] = t.w1;
    w[at + 2] = t.w2;
    w[at + 3] = t.w3;
    return t.ipv4;
  }
  const b = a.bytes;
  if (b.length === 4) {
    w[at] = 0;
    w[at + 1] = 0;
    w[at + 2] = wordAt(b, 0);
    w[at + 3] = MAPPED;
    return true;
  }
  const high = wordAt(b, 0);
  const low = wordAt(b, 4);
  const mapped = wordAt(b, 8);
  w[at] = low;
  w[at + 1] = high;
  w[at + 2] = wordAt(b, 12);
  w[at + 3] = mapped;
  return high === 0 && low === 0 && mapped === MAPPED;
}

/** Canonical text of a resolved address. */
function textOf(a: AddressInput): string {
  return typeof a === "string" ? textCache.get(a)!.text : a.text;
}

function zoneOf(a: AddressInput): string | undefined {
  return typeof a === "string" ? textCache.get(a)!.zone : a.zone;
}

/**
 * Ids for PvD and interface names. They stay the same for as long as the
 * tables are not cleared, which happens only when they grow past 65,536
 * names; prepared sources notice by the generation and encode again.
 */
const pvdIds = new Map<string, number>();
const interfaceIds = new Map<InterfaceRef, number>();
let idGeneration = 0;

function pvdId(pvd: unknown, action: string, what: string): number {
  if (pvd === undefined) return 0;
  if (typeof pvd !== "string") throw new TypeError(`Cannot ${action}: ${what}: pvd is not a string`);
  let id = pvdIds.get(pvd);
  if (id === undefined) pvdIds.set(pvd, id = pvdIds.size + 1);
  return id;
}

function interfaceId(ref: unknown, zone: string | undefined, action: string, what: string): number {
  const key = ref ?? zone;
  if (key === undefined) return 0;
  if (typeof key !== "string" && typeof key !== "number") {
    throw new TypeError(`Cannot ${action}: ${what}: interface is not a string or a number`);
  }
  let id = interfaceIds.get(key);
  if (id === undefined) interfaceIds.set(key, id = interfaceIds.size + 1);
  return id;
}

/** Keeps the id tables bounded; only called between calls. */
function trimIds(): void {
  if (pvdIds.size > 0xffff || interfaceIds.size > 0xffff) {
    pvdIds.clear();
    interfaceIds.clear();
    idGeneration++;
  }
}

// ---------------------------------------------------------------------------
// Policy tables and NAT64 prefixes, encoded once

interface EncodedPolicy {
  /** The rows in the core's layout, longest prefix first, as words. */
  readonly words: Uint32Array;
  readonly rowCount: number;
  /** For each encoded row: the table row it came from (undefined for scope rows). */
  readonly rows: readonly (PolicyRow | undefined)[];
}

const encodedPolicies = new WeakMap<PolicyTable, EncodedPolicy>();

/** Prefix text to 16 bytes (IPv4 mapped) and a 0..128 length; the text was checked. */
function prefixBytes(text: string): { bytes: Uint8Array; length: number } {
  const slash = text.indexOf("/");
  const ip = parseIpAddress(text.slice(0, slash));
  const length = Number(text.slice(slash + 1));
  if (ip.bytes.length === 16) return { bytes: ip.bytes, length };
  const bytes = new Uint8Array(16);
  bytes[10] = 0xff;
  bytes[11] = 0xff;
  bytes.set(ip.bytes, 12);
  return { bytes, length: length + 96 };
}

function encodePolicy(table: PolicyTable): EncodedPolicy {
  const known = encodedPolicies.get(table);
  if (known !== undefined) return known;
  checkPolicyTable(table);
  // Only the order of precedences matters and only the equality of labels,
  // so the core gets ranks and ids that fit in 16 bits.
  const precedences = [...new Set(table.rows.flatMap((r) => r.precedence === undefined ? [] : [r.precedence]))]
    .sort((a, b) => a - b);
  const labels = [...new Set(table.rows.flatMap((r) => r.label === undefined ? [] : [r.label]))];
  const entries: { bytes: Uint8Array; length: number; kind: number; a: number; b: number; row?: PolicyRow }[] = [];
  for (const row of table.rows) {
    const { bytes, length } = prefixBytes(row.prefix);
    entries.push({
      bytes,
      length,
      kind: (row.precedence === undefined ? 0 : ROW_PRECEDENCE) | (row.label === undefined ? 0 : ROW_LABEL),
      a: row.precedence === undefined ? 0 : precedences.indexOf(row.precedence) + 1,
      b: row.label === undefined ? 0 : labels.indexOf(row.label) + 1,
      row,
    });
  }
  for (const scope of table.scopes ?? POLICY_RFC6724.scopes ?? []) {
    const { bytes, length } = prefixBytes(scope.prefix);
    entries.push({ bytes, length, kind: ROW_SCOPE, a: scope.scope, b: 0 });
  }
  // The core wants the longest prefix first (a stable sort keeps equal
  // lengths in table order).
  entries.sort((x, y) => y.length - x.length);
  const words = new Uint32Array((entries.length * ROW_SIZE) / 4);
  entries.forEach((entry, i) => {
    const w = (i * ROW_SIZE) / 4;
    words.set(wordsOf(entry.bytes), w);
    words[w + 4] = entry.length | (entry.kind << 8);
    words[w + 5] = entry.a | (entry.b << 16);
  });
  const encoded = { words, rowCount: entries.length, rows: entries.map((e) => e.row) };
  encodedPolicies.set(table, encoded);
  return encoded;
}

interface EncodedNat64 {
  readonly words: Uint32Array;
  readonly count: number;
  readonly prefixes: readonly { readonly text: string; readonly bytes: Uint8Array; readonly length: number }[];
}

const WELL_KNOWN_NAT64 = "64:ff9b::/96";
const encodedNat64 = new WeakMap<readonly string[], EncodedNat64>();
const NO_PREF64: readonly string[] = [];

function encodeNat64(pref64: readonly string[] | undefined, action: string): EncodedNat64 {
  const list = pref64 ?? NO_PREF64;
  const known = encodedNat64.get(list);
  if (known !== undefined) return known;
  if (!Array.isArray(list)) throw new TypeError(`Cannot ${action}: pref64 is not an array of prefixes`);
  const prefixes = [WELL_KNOWN_NAT64, ...list].map((text, i) => {
    const what = `pref64 ${i - 1} ${quote(String(text))}`;
    if (typeof text !== "string" || !/^[0-9a-fA-F:.]+\/[0-9]{1,3}$/.test(text)) {
      throw new SyntaxError(`Cannot ${action}: ${what} is not an IPv6 prefix`);
    }
    let prefix: { bytes: Uint8Array; length: number };
    try {
      prefix = prefixBytes(text);
    } catch (error) {
      throw new SyntaxError(`Cannot ${action}: ${what}: ${(error as Error).message}`);
    }
    const { bytes, length } = prefix;
    // RFC 6052 section 2.2: the prefix lengths a NAT64 may use.
    if (![32, 40, 48, 56, 64, 96].includes(length) || (bytes[10] === 0xff && bytes[11] === 0xff && length >= 96)) {
      throw new RangeError(`Cannot ${action}: ${what} has a length other than 32, 40, 48, 56, 64 or 96`);
    }
    return { text, bytes, length };
  });
  const words = new Uint32Array((prefixes.length * NAT64_SIZE) / 4);
  prefixes.forEach((prefix, i) => {
    const w = (i * NAT64_SIZE) / 4;
    words.set(wordsOf(prefix.bytes), w);
    words[w + 4] = prefix.length;
  });
  const encoded = { words, count: prefixes.length, prefixes };
  encodedNat64.set(list, encoded);
  return encoded;
}

// ---------------------------------------------------------------------------
// Entries

/** Writes a source entry (address resolved) at word `at`; returns whether it is IPv4. */
function writeSource(
  w: Uint32Array,
  at: number,
  input: SourceCandidate | AddressInput,
  extraFlags: number,
  action: string,
  what: string,
): boolean {
  w[at + 7] = 0;
  if (isBare(input)) {
    const v4 = putAddress(w, at, input);
    w[at + 4] = extraFlags | (PREFIX_UNKNOWN << 8);
    w[at + 5] = interfaceId(undefined, zoneOf(input), action, what);
    w[at + 6] = 0;
    return v4;
  }
  const c = input as SourceCandidate;
  const v4 = putAddress(w, at, c.address);
  let prefix = PREFIX_UNKNOWN;
  if (c.prefixLength !== undefined) {
    prefix = c.prefixLength;
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > (v4 ? 32 : 128)) {
      throw new RangeError(
        `Cannot ${action}: ${what}: prefix length ${c.prefixLength} is not an integer from 0 to ${v4 ? 32 : 128}`,
      );
    }
  }
  w[at + 4] = extraFlags | (c.deprecated ? SOURCE_DEPRECATED : 0) | (c.home ? SOURCE_HOME : 0) |
    (c.careOf ? SOURCE_CARE_OF : 0) | (c.temporary ? SOURCE_TEMPORARY : 0) | (c.tunnel ? SOURCE_TUNNEL : 0) |
    (prefix << 8);
  w[at + 5] = interfaceId(c.interface, c.interface === undefined ? zoneOf(c.address) : undefined, action, what);
  w[at + 6] = pvdId(c.pvd, action, what);
  return v4;
}

/** Writes a destination entry (address resolved, without its preset source) at word `at`; returns whether it is IPv4. */
function writeDestination(
  w: Uint32Array,
  at: number,
  input: Destination | AddressInput,
  action: string,
  what: string,
): boolean {
  if (isBare(input)) {
    const v4 = putAddress(w, at, input);
    w[at + 4] = 0;
    w[at + 5] = interfaceId(undefined, zoneOf(input), action, what);
    w[at + 6] = 0;
    w[at + 7] = 0;
    return v4;
  }
  const d = input as Destination;
  const v4 = putAddress(w, at, d.address);
  w[at + 4] = d.unreachable ? DEST_UNREACHABLE : 0;
  w[at + 5] = interfaceId(d.interface, d.interface === undefined ? zoneOf(d.address) : undefined, action, what);
  w[at + 6] = pvdId(d.pvd, action, what);
  w[at + 7] = pvdId(d.nextHopPvd, action, what);
  return v4;
}

function sourceAddress(input: SourceCandidate | AddressInput): AddressInput {
  return isBare(input) ? input : input.address;
}

function sourceRuleOf(code: number): SourceRule | undefined {
  return code === 0 || code === RULE_ORDER ? undefined : (code / 10) as SourceRule;
}

function checkArray(value: unknown, action: string, what: string): readonly unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`Cannot ${action}: expected ${what} as an array`);
  return value;
}

// ---------------------------------------------------------------------------
// Prepared sources

/**
 * A host's candidate source addresses, checked and encoded once for the
 * core: {@linkcode prepareSources} makes one (an object made any other way
 * is not accepted). Pass it wherever candidates are taken. It is a
 * snapshot: the candidates as they were when it was made (the array is
 * copied; change a candidate object afterwards and the snapshot does not
 * see it), so make a new one when the host's addresses change.
 *
 * @example
 * ```ts
 * import { type PreparedSources, prepareSources, selectSource } from "./address_selection.ts";
 *
 * const sources: PreparedSources = prepareSources(["2001:db8:a::100", "192.0.2.10"]);
 * if (sources.length !== 2) throw new Error();
 * if (selectSource("192.0.2.77", sources)?.address !== "192.0.2.10") throw new Error();
 * ```
 */
export interface PreparedSources {
  /** The candidates, as given (a frozen copy of the array). */
  readonly candidates: readonly (SourceCandidate | AddressInput)[];
  /** How many candidates there are. */
  readonly length: number;
}

/**
 * The encoded entries of each snapshot made here, with the id generation
 * they were encoded in (see trimIds). Membership is what makes an object a
 * PreparedSources.
 */
const preparedEntries = new WeakMap<PreparedSources, { words: Uint32Array; generation: number }>();

/** The encoded entries of a snapshot, made again if the id tables were cleared since. */
function preparedWords(prepared: PreparedSources, action: string): Uint32Array {
  const entry = preparedEntries.get(prepared)!;
  if (entry.generation !== idGeneration) {
    entry.words = encodeSources(prepared.candidates, action, "candidate");
    entry.generation = idGeneration;
  }
  return entry.words;
}

/** Encodes candidates into standalone words (no call into the core while writing). */
function encodeSources(
  candidates: readonly (SourceCandidate | AddressInput)[],
  action: string,
  name: string,
): Uint32Array {
  for (let i = 0; i < candidates.length; i++) resolveEntry(candidates[i], action, `${name} ${i}`);
  const words = new Uint32Array((candidates.length * SOURCE_SIZE) / 4);
  for (let i = 0; i < candidates.length; i++) {
    writeSource(words, (i * SOURCE_SIZE) / 4, candidates[i]!, 0, action, `${name} ${i}`);
  }
  return words;
}

/**
 * Checks and encodes a host's candidate source addresses once, for
 * {@linkcode selectSource} and {@linkcode sortDestinations} to take again
 * and again without encoding them per call. The result is a snapshot (see
 * {@linkcode PreparedSources}).
 *
 * @example Ordering several names' addresses against one set of sources
 * ```ts
 * import { prepareSources, sortDestinations } from "./address_selection.ts";
 *
 * const sources = prepareSources([
 *   { address: "2001:db8:a::100", pvd: "a", prefixLength: 64 },
 *   { address: "192.0.2.10", pvd: "a", prefixLength: 24 },
 * ]);
 * for (const answer of [["192.0.2.80", "2001:db8:c::80"], ["198.51.100.9"]]) {
 *   const sorted = sortDestinations(answer, { sources });
 *   if (sorted[0]!.source === undefined) throw new Error();
 * }
 * ```
 *
 * @param candidates The candidates (see {@linkcode SourceCandidate}).
 * @returns The snapshot.
 * @throws {SyntaxError | RangeError | TypeError} As {@linkcode selectSource}
 * for a malformed candidate, naming it (`candidate 2`).
 */
export function prepareSources(candidates: readonly (SourceCandidate | AddressInput)[]): PreparedSources {
  const action = "prepare sources";
  trimCaches();
  trimIds();
  const copy = Object.freeze([...checkArray(candidates, action, "candidates")]) as readonly (
    | SourceCandidate
    | AddressInput
  )[];
  const prepared: PreparedSources = Object.freeze({ candidates: copy, length: copy.length });
  preparedEntries.set(prepared, { words: encodeSources(copy, action, "candidate"), generation: idGeneration });
  return prepared;
}

// ---------------------------------------------------------------------------
// Calling the core

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Encoding area for big-endian hosts, which cannot write the memory as words. */
let scratch = new Uint32Array(256);

/**
 * Where the current call writes its input: the memory's words at the input
 * region (little-endian hosts), or the scratch words (big-endian hosts).
 * Module state rather than an object per call: calls never overlap.
 */
let frameWords: Uint32Array = scratch;
let frameBase = 0;
let frameInputPtr = 0;
let frameLength = 0;

/** Reserves both regions for a call and points the frame at its input. */
function openFrame(inputBytes: number, resultBytes: number, action: string): void {
  if ((coreWasm.resultCapacity() >>> 0) < resultBytes && coreWasm.reserveResult(resultBytes) === 0) {
    throw new RangeError(`Cannot ${action}: result of ${resultBytes} bytes does not fit in memory`, {
      cause: { code: CoreErrorCode.ResultTooSmall, offset: 0 },
    });
  }
  const inputPtr = coreWasm.reserveInput(inputBytes) >>> 0;
  if (inputPtr === 0) {
    throw new RangeError(`Cannot ${action}: input of ${inputBytes} bytes does not fit in memory`, {
      cause: { code: CoreErrorCode.InputTooLarge, offset: 0 },
    });
  }
  // Views are fetched after reserving: growing memory detaches old buffers.
  const memory = coreMemory(coreWasm);
  frameInputPtr = inputPtr;
  frameLength = inputBytes;
  if (LITTLE_ENDIAN && memory.words !== undefined) {
    frameWords = memory.words;
    frameBase = inputPtr >>> 2;
    return;
  }
  if (scratch.length < inputBytes / 4) scratch = new Uint32Array(inputBytes / 4);
  frameWords = scratch;
  frameBase = 0;
}

/**
 * Runs the core over the frame and returns the records as words: the
 * memory's (from resultBase), or a little-endian copy on big-endian hosts.
 */
function runFrame(records: number, action: string): Uint32Array | number[] {
  if (frameWords === scratch) {
    const { view } = coreMemory(coreWasm);
    for (let i = 0; i < frameLength / 4; i++) view.setUint32(frameInputPtr + 4 * i, scratch[i]!, true);
  }
  const status = coreWasm.selectAddresses(frameLength);
  if (status < 0) {
    const offset = coreWasm.errorOffset() >>> 0;
    const detail = DETAIL_TEXT[coreWasm.errorDetail() >>> 0] ?? `error ${status}`;
    const Type = status === CoreErrorCode.Truncated ? SyntaxError : RangeError;
    throw new Type(`Cannot ${action}: ${detail} at offset ${offset}`, { cause: { code: status, offset } });
  }
  const at = (coreWasm.resultPtr() >>> 0) >>> 2;
  const memory = coreMemory(coreWasm);
  if (LITTLE_ENDIAN && memory.words !== undefined) {
    resultBase = at;
    return memory.words;
  }
  resultBase = 0;
  const words: number[] = [];
  for (let i = 0; i < (records * RECORD_SIZE) / 4; i++) words.push(memory.view.getUint32(4 * (at + i), true));
  return words;
}

/** Word index of the first record in what runFrame returned. */
let resultBase = 0;

/** Writes the header, the policy rows and the NAT64 prefixes; returns the word index after them. */
function writeHeader(
  op: number,
  options: number,
  policy: EncodedPolicy,
  nat64: EncodedNat64,
  sources: number,
  destinations: number,
): number {
  const w = frameWords;
  const b = frameBase;
  w[b] = op | (options << 8);
  w[b + 1] = policy.rowCount;
  w[b + 2] = nat64.count;
  w[b + 3] = sources;
  w[b + 4] = destinations;
  w[b + 5] = 0;
  w[b + 6] = 0;
  w[b + 7] = 0;
  w.set(policy.words, b + HEADER_SIZE / 4);
  const nat64At = b + (HEADER_SIZE + policy.rowCount * ROW_SIZE) / 4;
  w.set(nat64.words, nat64At);
  return nat64At + (nat64.count * NAT64_SIZE) / 4;
}

/** Candidates as given: a prepared snapshot or an array (checked and resolved here). */
function candidatesOf(
  value: unknown,
  action: string,
  name: string,
): { list: readonly (SourceCandidate | AddressInput)[]; prepared: PreparedSources | undefined } {
  if (preparedEntries.has(value as PreparedSources)) {
    const prepared = value as PreparedSources;
    return { list: prepared.candidates, prepared };
  }
  if (!Array.isArray(value)) {
    throw new TypeError(`Cannot ${action}: expected ${name}s as an array or from prepareSources`);
  }
  const list = value as readonly (SourceCandidate | AddressInput)[];
  for (let i = 0; i < list.length; i++) resolveEntry(list[i], action, `${name} ${i}`);
  return { list, prepared: undefined };
}

/** Writes the candidates at word `at`; returns the word index after them. */
function writeCandidates(
  at: number,
  list: readonly (SourceCandidate | AddressInput)[],
  prepared: PreparedSources | undefined,
  action: string,
  name: string,
): number {
  if (prepared !== undefined) {
    frameWords.set(preparedWords(prepared, action), at);
    return at + (list.length * SOURCE_SIZE) / 4;
  }
  for (let i = 0; i < list.length; i++, at += SOURCE_SIZE / 4) {
    writeSource(frameWords, at, list[i]!, 0, action, `${name} ${i}`);
  }
  return at;
}

// ---------------------------------------------------------------------------
// Public functions

/**
 * Chooses the source address for a destination among candidates, by RFC
 * 6724 section 5: rules 1 to 8 with rule 5.5, in order, the first that
 * separates two candidates deciding; on a full tie the earlier candidate.
 *
 * The candidate set (section 4) is the candidates of the destination's
 * family that are neither multicast nor unspecified, only those of the
 * destination's PvD when it has one, and, for a link-local or multicast
 * destination whose interface is known, only those on that interface.
 * Rule 5 needs the destination's `interface`, rule 5.5 its `nextHopPvd`;
 * without them they decide nothing.
 *
 * @example Rule 3 and the PvD constraint
 * ```ts
 * import { selectSource } from "./address_selection.ts";
 *
 * const candidates = [
 *   { address: "2001:db8:a::100", pvd: "a", deprecated: true },
 *   { address: "2001:db8:a::200", pvd: "a" },
 *   { address: "2001:db8:b::100", pvd: "b" },
 * ];
 * // Any PvD: the deprecated one is out (rule 3), then the longest prefix.
 * const any = selectSource("2001:db8:a::80", candidates);
 * if (any?.address !== "2001:db8:a::200" || any.rule !== 8) throw new Error();
 * // Only PvD "a": its two addresses, rule 3 decides.
 * const inA = selectSource({ address: "2001:db8:b::80", pvd: "a" }, candidates);
 * if (inA?.address !== "2001:db8:a::200" || inA.rule !== 3) throw new Error();
 * ```
 *
 * @param destination The destination, as an address or with its PvD,
 * interface and next hop.
 * @param candidates The host's addresses that may serve as source, or a
 * {@linkcode PreparedSources} snapshot of them.
 * @param options Policy table, temporary address preference, NAT64 prefixes.
 * @returns The choice, or undefined when no candidate qualifies.
 * @throws {SyntaxError} When an address or prefix cannot be parsed; the
 * message names the input (`candidate 2`).
 * @throws {RangeError} For a value out of range; {@linkcode TypeError} for
 * input of the wrong shape.
 */
export function selectSource(
  destination: Destination | AddressInput,
  candidates: readonly (SourceCandidate | AddressInput)[] | PreparedSources,
  options: SelectSourceOptions = {},
): SourceSelection | undefined {
  const action = "select source";
  trimCaches();
  trimIds();
  const { list, prepared } = candidatesOf(candidates, action, "candidate");
  resolveEntry(destination, action, "destination");
  if (!isBare(destination) && (destination as Destination).source !== undefined) {
    throw new TypeError(`Cannot ${action}: destination: a source is given already`);
  }
  const policy = encodePolicy(options.policy ?? POLICY_RFC6724);
  const nat64 = encodeNat64(options.pref64, action);
  const flags = options.preferTemporary === false ? OPTION_PREFER_PUBLIC : 0;
  const n = list.length;
  const inputBytes = HEADER_SIZE + policy.rowCount * ROW_SIZE + nat64.count * NAT64_SIZE + n * SOURCE_SIZE +
    DESTINATION_SIZE;
  openFrame(inputBytes, RECORD_SIZE + n * WS_SOURCE_SIZE + WS_DESTINATION_SIZE, action);
  const at = writeCandidates(
    writeHeader(OP_SELECT_SOURCE, flags, policy, nat64, n, 1),
    list,
    prepared,
    action,
    "candidate",
  );
  writeDestination(frameWords, at, destination, action, "destination");
  const words = runFrame(1, action);
  const base = resultBase;
  const index = words[base + 3]!;
  if (index === NO_INDEX || (words[base]! & 0xffff) !== TAG_SOURCE) return undefined;
  const runnerUp = words[base + 4]!;
  const candidate = list[index]!;
  return {
    address: textOf(sourceAddress(candidate)),
    candidate,
    index,
    rule: sourceRuleOf(words[base]! >>> 16),
    runnerUp: runnerUp === NO_INDEX ? undefined : runnerUp,
  };
}

/**
 * Orders destination addresses by RFC 6724 section 6, rules 1 to 10, after
 * choosing each one's source by section 5 among `options.sources` (unless
 * the destination gives its own `source`).
 *
 * Deviations, each so that the order is a total order (the same for any
 * input order, up to rule 10's ties): rule 4 ranks a source that is neither
 * a home nor a care-of address between the two; rule 9 puts IPv6 before
 * IPv4 when two destinations of different families tie on rules 1 to 8
 * (only possible with a table that gives IPv4 an IPv6 precedence), and
 * treats IPv4 as `options.ipv4Rule9` says (glibc's `"same-subnet"` unless
 * given). Rule 7 counts a 6to4, Teredo or `tunnel` source and a NAT64
 * destination as not native.
 *
 * @example RFC 6724 section 10.2: prefer matching label (rule 5)
 * ```ts
 * import { sortDestinations } from "./address_selection.ts";
 *
 * const sorted = sortDestinations(["2001:db8:1::1", "2002:c633:6401::1"], {
 *   sources: ["2002:c633:6401::2", "fe80::2"],
 * });
 * if (sorted.map((d) => d.address).join() !== "2002:c633:6401::1,2001:db8:1::1") throw new Error();
 * if (sorted[0]!.rule !== 5 || sorted[0]!.source !== "2002:c633:6401::2") throw new Error();
 * ```
 *
 * @example Sources given with the destinations, IPv4 round robin kept
 * ```ts
 * import { sortDestinations } from "./address_selection.ts";
 *
 * const sorted = sortDestinations([
 *   { address: "54.83.193.112", source: "10.2.3.4" },
 *   { address: "23.23.172.185", source: "10.2.3.4" },
 * ]);
 * if (sorted[0]!.address !== "54.83.193.112" || sorted[0]!.rule !== 10) throw new Error();
 * ```
 *
 * @param destinations The destinations in their original order (e.g. as
 * DNS gave them).
 * @param options The candidate sources, policy table, rule 7 preference,
 * IPv4 treatment of rule 9, NAT64 prefixes.
 * @returns Every destination, best first, each with its source and the
 * deciding rules.
 * @throws {SyntaxError} When an address or prefix cannot be parsed; the
 * message names the input (`destination 3`, `source 1`).
 * @throws {RangeError} For a value out of range, or a given source of
 * another PvD or address family than its destination;
 * {@linkcode TypeError} for input of the wrong shape.
 */
export function sortDestinations(
  destinations: readonly (Destination | AddressInput)[],
  options: SortDestinationsOptions = {},
): SortedDestination[] {
  const action = "sort destinations";
  trimCaches();
  trimIds();
  checkArray(destinations, action, "destinations");
  const { list: sources, prepared } = options.sources === undefined
    ? { list: [], prepared: undefined }
    : candidatesOf(options.sources, action, "source");
  const d = destinations.length;
  if (d > MAX_DESTINATIONS) throw new RangeError(`Cannot ${action}: more than ${MAX_DESTINATIONS} destinations`);
  // Every address first (see resolve), counting the sources given with
  // destinations: they go after the candidates, marked as not candidates.
  let presets = 0;
  for (let i = 0; i < d; i++) {
    const dest = destinations[i];
    resolveEntry(dest, action, `destination ${i}`);
    if (isBare(dest)) continue;
    const given = (dest as Destination).source;
    if (given === undefined || given === null) continue;
    resolveEntry(given, action, `destination ${i} source`);
    presets++;
  }
  const policy = encodePolicy(options.policy ?? POLICY_RFC6724);
  const nat64 = encodeNat64(options.pref64, action);
  const rule9 = IPV4_RULE9[options.ipv4Rule9 ?? "same-subnet"];
  if (rule9 === undefined) {
    throw new RangeError(
      `Cannot ${action}: ipv4Rule9 ${quote(String(options.ipv4Rule9))} is not off, same-subnet or always`,
    );
  }
  const flags = (options.preferTemporary === false ? OPTION_PREFER_PUBLIC : 0) | (rule9 << 1);
  const s = sources.length + presets;
  const inputBytes = HEADER_SIZE + policy.rowCount * ROW_SIZE + nat64.count * NAT64_SIZE + s * SOURCE_SIZE +
    d * DESTINATION_SIZE;
  openFrame(inputBytes, d * (RECORD_SIZE + WS_DESTINATION_SIZE) + s * WS_SOURCE_SIZE, action);
  const w = frameWords;
  let presetAt = writeCandidates(
    writeHeader(OP_SORT_DESTINATIONS, flags, policy, nat64, s, d),
    sources,
    prepared,
    action,
    "source",
  );
  let preset = 0;
  let at = presetAt + (presets * SOURCE_SIZE) / 4;
  for (let i = 0; i < d; i++, at += DESTINATION_SIZE / 4) {
    const dest = destinations[i]!;
    const what = `destination ${i}`;
    const v4 = writeDestination(w, at, dest, action, what);
    if (isBare(dest)) continue;
    const given = (dest as Destination).source;
    if (given === undefined) continue;
    if (given === null) {
      w[at + 4] = w[at + 4]! | DEST_PRESET;
      w[at + 7] = NO_INDEX;
      continue;
    }
    const sourceV4 = writeSource(w, presetAt, given, SOURCE_PRESET_ONLY, action, `${what} source`);
    const destPvd = w[at + 6]!;
    // A given source without a PvD is taken to be in its destination's.
    if (w[presetAt + 6] === 0) w[presetAt + 6] = destPvd;
    if (w[presetAt + 6] !== destPvd) {
      throw new RangeError(
        `Cannot ${action}: ${what}: source ${textOf(sourceAddress(given))} is not in provisioning domain ${
          quote((dest as Destination).pvd ?? "")
        }`,
      );
    }
    if (sourceV4 !== v4) {
      throw new RangeError(
        `Cannot ${action}: ${what}: source ${textOf(sourceAddress(given))} is not of the destination's address family`,
      );
    }
    w[at + 4] = w[at + 4]! | DEST_PRESET;
    w[at + 7] = sources.length + preset++;
    presetAt += SOURCE_SIZE / 4;
  }
  const words = runFrame(d, action);
  const base = resultBase;
  if (d > 0 && (words[base]! & 0xffff) !== TAG_DESTINATION) throw new Error(`Cannot ${action}: unexpected result`);
  const out: SortedDestination[] = new Array(d);
  for (let k = 0; k < d; k++) {
    const rec = base + k * (RECORD_SIZE / 4);
    const code = words[rec]! >>> 16;
    const index = words[rec + 3]!;
    const source = words[rec + 4]!;
    const rule = code & 0xff;
    const destination = destinations[index]!;
    let sourceText: string | undefined;
    if (source !== NO_INDEX) {
      sourceText = textOf(
        source < sources.length
          ? sourceAddress(sources[source]!)
          : sourceAddress((destination as Destination).source as SourceCandidate | AddressInput),
      );
    }
    out[k] = {
      address: textOf(isBare(destination) ? destination : destination.address),
      destination,
      index,
      source: sourceText,
      sourceIndex: source === NO_INDEX || source >= sources.length ? undefined : source,
      sourceRule: sourceRuleOf(code >>> 8),
      rule: rule === 0 ? undefined : (rule / 10) as DestinationRule,
    };
  }
  return out;
}

/**
 * Compares two destinations by RFC 6724 section 6 (each with its source
 * chosen by section 5, as {@linkcode sortDestinations} does): which goes
 * first, and by which rule. `"equal"` (rule 10) when rules 1 to 9 do not
 * separate them.
 *
 * @example RFC 6724 section 10.2: prefer higher precedence (rule 6)
 * ```ts
 * import { compareDestinations } from "./address_selection.ts";
 *
 * const result = compareDestinations("10.1.2.3", "2001:db8:1::1", {
 *   sources: ["2001:db8:1::2", "fe80::1", "10.1.2.4"],
 * });
 * if (result.preferred !== "b" || result.rule !== 6) throw new Error();
 * ```
 *
 * @param a The first destination.
 * @param b The second destination.
 * @param options As for {@linkcode sortDestinations}.
 * @returns Which is preferred and the deciding rule.
 * @throws {SyntaxError | RangeError | TypeError} As {@linkcode sortDestinations}.
 */
export function compareDestinations(
  a: Destination | AddressInput,
  b: Destination | AddressInput,
  options: SortDestinationsOptions = {},
): DestinationComparison {
  const [first] = sortDestinations([a, b], options);
  const rule = first!.rule!;
  if (rule === 10) return { preferred: "equal", rule };
  return { preferred: first!.index === 0 ? "a" : "b", rule };
}

/**
 * What the rules see in an address: its family, scope (RFC 6724 section
 * 3, with IPv4 by the table's scope rows, section 3.2), kind, and its
 * precedence and label from the policy table (section 2.1), each with the
 * row that gave it; for an address in a NAT64 prefix, the IPv4 address it
 * embeds.
 *
 * @example
 * ```ts
 * import { classifyAddress } from "./address_selection.ts";
 *
 * const mapped = classifyAddress("127.0.0.1");
 * if (mapped.precedenceRow?.prefix !== "::ffff:0:0/96" || mapped.label !== 4 || mapped.scope !== 2) {
 *   throw new Error();
 * }
 * const synthesized = classifyAddress("64:ff9b::c000:221");
 * if (synthesized.kind !== "nat64" || synthesized.nat64?.ipv4 !== "192.0.2.33") throw new Error();
 * ```
 *
 * @param address The address.
 * @param options Policy table and NAT64 prefixes.
 * @returns Its classification.
 * @throws {SyntaxError} When the address or a prefix cannot be parsed.
 */
export function classifyAddress(address: AddressInput, options: AddressSelectionOptions = {}): AddressClass {
  const action = "classify address";
  trimCaches();
  resolve(address, action, "address");
  const policy = encodePolicy(options.policy ?? POLICY_RFC6724);
  const nat64 = encodeNat64(options.pref64, action);
  const inputBytes = HEADER_SIZE + policy.rowCount * ROW_SIZE + nat64.count * NAT64_SIZE + DESTINATION_SIZE;
  openFrame(inputBytes, RECORD_SIZE + WS_DESTINATION_SIZE, action);
  const at = writeHeader(OP_CLASSIFY, 0, policy, nat64, 0, 1);
  const f = frameWords;
  const v4 = putAddress(f, at, address);
  const words = [f[at]!, f[at + 1]!, f[at + 2]!, f[at + 3]!];
  for (let k = 4; k < 8; k++) f[at + k] = 0;
  const record = runFrame(1, action);
  const base = resultBase;
  const code = record[base]! >>> 16;
  const rows = record[base + 3]!;
  const precedenceRow = (rows & 0xffff) === 0xffff ? undefined : policy.rows[rows & 0xffff];
  const labelRow = rows >>> 16 === 0xffff ? undefined : policy.rows[rows >>> 16];
  const nat64Index = record[base + 4]! >>> 8;
  let embedded: AddressClass["nat64"];
  if (nat64Index > 0) {
    const prefix = nat64.prefixes[nat64Index - 1]!;
    embedded = { prefix: prefix.text, ipv4: embeddedIpv4(words, prefix.length) };
  }
  return {
    address: textOf(address),
    family: v4 ? 4 : 6,
    scope: code & 0xf,
    kind: KINDS[code >>> 8] ?? "global",
    precedence: precedenceRow?.precedence,
    label: labelRow?.label,
    precedenceRow,
    labelRow,
    nat64: embedded,
  };
}

/** The IPv4 address embedded after a NAT64 prefix (RFC 6052 section 2.2: bits 64..71 are skipped). */
function embeddedIpv4(words: readonly number[], prefixLength: number): string {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  // Back from the core's order of words (see TextAddress) to bytes.
  [words[1]!, words[0]!, words[3]!, words[2]!].forEach((word, i) => view.setUint32(4 * i, word));
  const out = new Uint8Array(4);
  let at = prefixLength / 8;
  for (let i = 0; i < 4; i++, at++) {
    if (at === 8) at++; // the "u" octet
    out[i] = bytes[at]!;
  }
  return ipv4Text(out, 0);
}

/**
 * CommonPrefixLen(S, D) of RFC 6724 section 2.2: how many leading bits two
 * addresses share, "up to the length of S's prefix" (the first address's:
 * 64 for IPv6 and 32 for IPv4 unless given), counted in the family (IPv4
 * has 32 bits, also when IPv4-mapped). 0 across families.
 *
 * @example
 * ```ts
 * import { commonPrefixLength } from "./address_selection.ts";
 *
 * if (commonPrefixLength("fe80::1", "fe80::2") !== 64) throw new Error();
 * if (commonPrefixLength("2001:db8:1::2", "2001:db8:1::1", { prefixLength: 48 }) !== 48) throw new Error();
 * if (commonPrefixLength("1.2.127.255", "1.2.0.0") !== 17) throw new Error();
 * ```
 *
 * @param source S, whose prefix length limits the count.
 * @param destination D.
 * @param options S's prefix length.
 * @returns The number of bits.
 * @throws {SyntaxError} When an address cannot be parsed.
 * @throws {RangeError} When the prefix length is out of range.
 */
export function commonPrefixLength(
  source: AddressInput,
  destination: AddressInput,
  options: CommonPrefixLengthOptions = {},
): number {
  const action = "compute common prefix length";
  trimCaches();
  trimIds();
  resolve(source, action, "source");
  resolve(destination, action, "destination");
  const policy = encodePolicy(POLICY_RFC6724);
  const nat64 = encodeNat64(undefined, action);
  const inputBytes = HEADER_SIZE + policy.rowCount * ROW_SIZE + nat64.count * NAT64_SIZE + SOURCE_SIZE +
    DESTINATION_SIZE;
  openFrame(inputBytes, RECORD_SIZE + WS_SOURCE_SIZE + WS_DESTINATION_SIZE, action);
  let at = writeHeader(OP_CLASSIFY, 0, policy, nat64, 1, 1);
  const f = frameWords;
  const candidate = options.prefixLength === undefined
    ? { address: source }
    : { address: source, prefixLength: options.prefixLength };
  writeSource(f, at, candidate, 0, action, "source");
  at += SOURCE_SIZE / 4;
  putAddress(f, at, destination);
  f[at + 4] = DEST_PRESET;
  f[at + 5] = 0;
  f[at + 6] = 0;
  f[at + 7] = 0;
  const words = runFrame(1, action);
  const base = resultBase;
  if ((words[base]! & 0xffff) !== TAG_ADDRESS) throw new Error(`Cannot ${action}: unexpected result`);
  return words[base + 4]! & 0xff;
}
