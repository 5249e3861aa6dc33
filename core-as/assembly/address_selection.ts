/*
 * Default address selection for IPv6 and IPv4 (RFC 6724), aware of
 * provisioning domains (PvDs, RFC 7556): source address selection (section
 * 5, rules 1 to 8 with rule 5.5), destination address ordering (section 6,
 * rules 1 to 10) and the classification both rest on (scope, section 3;
 * policy table lookup, section 2.1; CommonPrefixLen, section 2.2).
 *
 *   selectAddresses(len)   one entry point; the operation is in the header
 *
 * Every rule is computed as a per-address key, so that a comparison is one
 * integer comparison and the order is a total order (see "Keys" below).
 *
 * Input (all integers little-endian). An address or prefix is the 128-bit
 * number of its 16 bytes read in network order, stored as two u64: the
 * high half (bytes 0..7) first, then the low half (bytes 8..15), each
 * little-endian, so that the core compares and counts bits with plain
 * loads (WebAssembly has no byte swap: bswap<u64> costs 15 instructions).
 * An IPv4 address is written IPv4-mapped, ::ffff:a.b.c.d, as RFC 6724
 * section 3.2 says to compare it:
 *
 *   header, HEADER_SIZE = 32 bytes
 *     0  u8   operation: OP_SELECT_SOURCE 1, OP_SORT_DESTINATIONS 2,
 *             OP_CLASSIFY 3
 *     1  u8   options: bit 0 OPTION_PREFER_PUBLIC (reverse source rule 7),
 *             bits 1..2 the IPv4 treatment of destination rule 9
 *             (IPV4_RULE9_OFF 0, IPV4_RULE9_SAME_SUBNET 1, IPV4_RULE9_ALWAYS 2)
 *     2  u16  zero
 *     4  u32  policy rows R        8  u32  NAT64 prefixes N
 *     12 u32  sources S            16 u32  destinations D
 *     20..31  zero
 *   R policy rows, ROW_SIZE = 24 bytes, longest prefix first (a lookup
 *   takes the first row of each kind that matches, which is then the
 *   longest match; of two rows of one length the first counts)
 *     0  prefix (16)   16 u8 prefix length 0..128   17 u8 kind:
 *        ROW_PRECEDENCE 1 | ROW_LABEL 2 (a policy row with either or both),
 *        or ROW_SCOPE 4 alone (an IPv4 scope row, "scopev4": an IPv4-mapped
 *        prefix of length 96 or more)
 *     18 u16 zero   20 u16 precedence rank 1..65535 (ROW_PRECEDENCE), or the
 *        scope 1..15 (ROW_SCOPE)   22 u16 label id 1..65535 (ROW_LABEL)
 *     The host turns precedences into ranks (only their order matters) and
 *     labels into ids (only equality matters), so any table fits in u16.
 *   N NAT64 prefixes, NAT64_SIZE = 24 bytes
 *     0  prefix (16)   16 u8 length 32, 40, 48, 56, 64 or 96 (RFC 6052
 *        section 2.2)   17..23 zero
 *   S sources, SOURCE_SIZE = 32 bytes
 *     0  address (16)
 *     16 u8  flags: SOURCE_DEPRECATED 1, SOURCE_HOME 2, SOURCE_CARE_OF 4,
 *            SOURCE_TEMPORARY 8, SOURCE_TUNNEL 16 (its interface encapsulates),
 *            SOURCE_PRESET_ONLY 32 (only a preset Source(D), never a
 *            candidate: a pair given whole by the caller)
 *     17 u8  on-link prefix length in the address's family (0..128 for
 *            IPv6, 0..32 for IPv4), PREFIX_UNKNOWN 255 when not known
 *     18 u16 zero   20 u32 interface id (0 unknown)   24 u32 PvD id (0 none)
 *     28 u32 zero
 *   D destinations, DESTINATION_SIZE = 32 bytes
 *     0  address (16)
 *     16 u8  flags: DEST_UNREACHABLE 1 (destination rule 1), DEST_PRESET 2
 *            (Source(D) is given at offset 28, not selected)
 *     17..19 zero
 *     20 u32 outgoing interface id (0 unknown: source rule 5 cannot decide)
 *     24 u32 PvD id (0: any PvD; otherwise only sources of this PvD qualify)
 *     28 u32 without DEST_PRESET: the PvD id of the chosen next hop (0
 *            unknown: source rule 5.5 cannot decide); with DEST_PRESET: the
 *            index of Source(D) among the sources, NO_INDEX when undefined
 *
 * Output: records of records.ts (tags below, high byte 0x05), then a
 * workspace the host ignores (32 bytes per source, 16 per destination).
 * The result region must hold both; the need is reported through
 * ResultTooSmall before anything is computed.
 *
 * Bounds. Like smoltcp's wire module, the layout is checked once, up front:
 * the header's counts must describe exactly the input's length, and the
 * result region must hold the records and the workspace. Every field read
 * after that lies at a fixed offset inside an entry that lies inside the
 * input, and every workspace access inside the span needResult confirmed,
 * so the loops read and write with plain loads and stores instead of the
 * per-access checks of abi.ts, which cost more than the rules themselves.
 * Entries are checked field by field where they are first read (an error
 * then reports the first bad entry in input order within its section).
 *
 * Candidate set (section 4): a source qualifies for D when it has D's family
 * ("IPv4 sources for IPv4 destinations"), is neither multicast nor
 * unspecified ("multicast addresses and the unspecified address MUST NOT be
 * included in a candidate set"), belongs to D's PvD when D has one (a
 * destination learned in one PvD is never paired with another PvD's source),
 * and, for a multicast or link-local D whose outgoing interface is known,
 * lies on that interface ("the set of candidate source addresses MUST only
 * include addresses assigned to interfaces belonging to the same link as the
 * outgoing interface"; a source whose interface is unknown is kept).
 *
 * Keys. RFC 6724 states each rule as "prefer A if ... and B not ...". All but
 * two compare a value of each address on its own, so each rule becomes a bit
 * field of a key, earlier rules in higher bits, and comparing keys applies
 * the rules in order. The two exceptions are made total orders, because a
 * relation with intransitive ties yields an order that depends on the input
 * order beyond what rule 10 allows (and sorts that misbehave):
 *   - Rule 4 (home addresses) of both sections says "home and care-of" beats
 *     the rest and "home only" beats "care-of only", and nothing about an
 *     address that is neither. Then home-only ~ neither ~ care-of-only while
 *     home-only > care-of-only: a cycle with rule 10. Here: both 2, home-only
 *     and neither 1, care-of-only 0 (one added decision: a plain address
 *     beats a care-of address, which keeps "avoid care-of" in the rule's
 *     spirit).
 *   - Destination rule 9 applies "when DA and DB belong to the same address
 *     family". An IPv4 destination that ties an IPv6 one on rules 1 to 8
 *     (possible only with a policy table that gives IPv4 the precedence of
 *     an IPv6 prefix) would otherwise be ordered by rule 10 against it while
 *     the IPv6 ones are ordered by prefix length among themselves: a cycle.
 *     Here rule 9 puts IPv6 before IPv4 in that case, then compares
 *     CommonPrefixLen within the family.
 */

import { begin, ErrorCode, failWith, inputPtr, needResult, resultPtr } from "./abi";
import { RECORD_SIZE } from "./records";

// ---------------------------------------------------------------------------
// Record tags (high byte 0x05). code/start/length/a/b per tag:

/**
 * The source chosen for the one destination (OP_SELECT_SOURCE; one record).
 * code = the rule code (RULE_* below) by which it beat the runner-up,
 *        RULE_NONE when there was no runner-up, RULE_ORDER when the two tie
 *        on every rule and the input order decided;
 * start/length = the chosen source's entry in the input (the destination's
 *        entry when no source qualified);
 * a = the chosen source's index, NO_INDEX when no source qualified;
 * b = the runner-up's index, NO_INDEX when there was none.
 */
export const TAG_SOURCE: u32 = 0x0501;

/**
 * One destination, in preference order (OP_SORT_DESTINATIONS; one record per
 * destination, best first).
 * code = bits 0..7: the rule code by which it goes before the next record's
 *        destination (RULE_NONE for the last one); bits 8..15: the rule code
 *        by which Source(D) beat the runner-up among the candidates
 *        (RULE_NONE when preset or without a runner-up, RULE_ORDER on a tie);
 * start/length = the destination's entry in the input;
 * a = the destination's index in the input;
 * b = the index of Source(D) among the sources, NO_INDEX when undefined.
 */
export const TAG_DESTINATION: u32 = 0x0502;

/**
 * One address described (OP_CLASSIFY; one record per destination entry).
 * code = bits 0..3 its scope (section 3), bits 8..15 its kind (KIND_*);
 * start/length = the entry in the input;
 * a = bits 0..15 the position of the policy row that gave its precedence,
 *     bits 16..31 that of the row that gave its label (0xffff: none);
 * b = bits 0..7 CommonPrefixLen(Source, address) limited to the source's
 *     prefix length when the entry has DEST_PRESET with a source (0xff
 *     otherwise; 0 across families), bits 8..31 the position + 1 of the
 *     NAT64 prefix that holds the address (0: none).
 */
export const TAG_ADDRESS: u32 = 0x0503;

/** Rule codes in records: ten times the rule number, so 5.5 is 55. */
export const RULE_NONE: u32 = 0;
/** Source selection: every rule tied and the input order decided. */
export const RULE_ORDER: u32 = 90;

/** Address kinds of TAG_ADDRESS. */
export const KIND_GLOBAL: u32 = 0;
export const KIND_UNSPECIFIED: u32 = 1;
export const KIND_LOOPBACK: u32 = 2;
export const KIND_LINK_LOCAL: u32 = 3;
export const KIND_SITE_LOCAL: u32 = 4;
export const KIND_ULA: u32 = 5;
export const KIND_MULTICAST: u32 = 6;
export const KIND_6TO4: u32 = 7;
export const KIND_TEREDO: u32 = 8;
export const KIND_NAT64: u32 = 9;
export const KIND_IPV4_COMPATIBLE: u32 = 10;
export const KIND_IPV4: u32 = 16;
export const KIND_IPV4_UNSPECIFIED: u32 = 17;
export const KIND_IPV4_LOOPBACK: u32 = 18;
export const KIND_IPV4_LINK_LOCAL: u32 = 19;
export const KIND_IPV4_PRIVATE: u32 = 20;
export const KIND_IPV4_SHARED: u32 = 21;
export const KIND_IPV4_MULTICAST: u32 = 22;

// ---------------------------------------------------------------------------
// Detail identifiers (0x500..0x5ff), mirrored as sentences in
// core-as/address_selection.ts. Every one rejects the whole input; the TS
// binding checks its arguments first, so they are only reached by bytes
// written some other way.

/** Shorter than the header (offset = the input length). */
export const DETAIL_SHORT_HEADER: u32 = 0x501;
/** Operation byte unknown (offset 0). */
export const DETAIL_OPERATION: u32 = 0x502;
/** Options byte has unknown bits or IPv4 rule 9 mode 3 (offset 1). */
export const DETAIL_OPTIONS: u32 = 0x503;
/** A field that must be zero is not (offset = the field). */
export const DETAIL_RESERVED: u32 = 0x504;
/** The counts need more bytes than the input has (offset = the input length). */
export const DETAIL_TRUNCATED: u32 = 0x505;
/** Bytes left after the last entry (offset = the first of them). */
export const DETAIL_TRAILING: u32 = 0x506;
/** A policy row's prefix length is over 128 (offset = the row). */
export const DETAIL_ROW_LENGTH: u32 = 0x507;
/** A policy row's kind is not allowed (offset = the row). */
export const DETAIL_ROW_KIND: u32 = 0x508;
/** A row's precedence rank, label id or scope value is 0 or too large (offset = the row). */
export const DETAIL_ROW_VALUE: u32 = 0x509;
/** A scope row is not an IPv4-mapped prefix of length 96 or more (offset = the row). */
export const DETAIL_SCOPE_ROW: u32 = 0x50a;
/** A NAT64 prefix length is not one of RFC 6052's (offset = the prefix). */
export const DETAIL_NAT64_LENGTH: u32 = 0x50b;
/** A source has unknown flag bits (offset = the source). */
export const DETAIL_SOURCE_FLAGS: u32 = 0x50c;
/** A source's prefix length is too long for its family (offset = the source). */
export const DETAIL_SOURCE_PREFIX: u32 = 0x50d;
/** A destination has unknown flag bits (offset = the destination). */
export const DETAIL_DEST_FLAGS: u32 = 0x50e;
/** A preset source index is not a source (offset = the destination). */
export const DETAIL_PRESET_INDEX: u32 = 0x50f;
/** A preset source belongs to another PvD than its destination (offset = the destination). */
export const DETAIL_PRESET_PVD: u32 = 0x510;
/** OP_SELECT_SOURCE without exactly one destination (offset 16). */
export const DETAIL_SELECT_COUNT: u32 = 0x511;
/** OP_SELECT_SOURCE with a preset source (offset = the destination). */
export const DETAIL_SELECT_PRESET: u32 = 0x512;
/** More destinations than the keys can number (offset 16). */
export const DETAIL_TOO_MANY: u32 = 0x513;
/** A preset source has another family than its destination, outside OP_CLASSIFY (offset = the destination). */
export const DETAIL_PRESET_FAMILY: u32 = 0x514;
/** A policy row is longer than the row before it (offset = the row). */
export const DETAIL_ROW_ORDER: u32 = 0x515;

// ---------------------------------------------------------------------------
// Layout

export const OP_SELECT_SOURCE: u32 = 1;
export const OP_SORT_DESTINATIONS: u32 = 2;
export const OP_CLASSIFY: u32 = 3;

export const OPTION_PREFER_PUBLIC: u32 = 1;
export const IPV4_RULE9_OFF: u32 = 0;
export const IPV4_RULE9_SAME_SUBNET: u32 = 1;
export const IPV4_RULE9_ALWAYS: u32 = 2;

export const HEADER_SIZE: usize = 32;
const HEADER_OPERATION: usize = 0;
const HEADER_OPTIONS: usize = 1;
const HEADER_ROWS: usize = 4;
const HEADER_NAT64: usize = 8;
const HEADER_SOURCES: usize = 12;
const HEADER_DESTINATIONS: usize = 16;

export const ROW_SIZE: usize = 24;
const ROW_LENGTH: usize = 16;
const ROW_KIND: usize = 17;
const ROW_VALUE: usize = 20;
const ROW_LABEL: usize = 22;
export const ROW_PRECEDENCE: u32 = 1;
export const ROW_HAS_LABEL: u32 = 2;
export const ROW_SCOPE: u32 = 4;

export const NAT64_SIZE: usize = 24;
const NAT64_LENGTH: usize = 16;

export const SOURCE_SIZE: usize = 32;
const SOURCE_FLAGS: usize = 16;
const SOURCE_PREFIX: usize = 17;
const SOURCE_INTERFACE: usize = 20;
const SOURCE_PVD: usize = 24;
export const SOURCE_DEPRECATED: u32 = 1;
export const SOURCE_HOME: u32 = 2;
export const SOURCE_CARE_OF: u32 = 4;
export const SOURCE_TEMPORARY: u32 = 8;
export const SOURCE_TUNNEL: u32 = 16;
export const SOURCE_PRESET_ONLY: u32 = 32;
const SOURCE_FLAGS_KNOWN: u32 = 63;
export const PREFIX_UNKNOWN: u32 = 255;

export const DESTINATION_SIZE: usize = 32;
const DEST_FLAGS: usize = 16;
const DEST_INTERFACE: usize = 20;
const DEST_PVD: usize = 24;
const DEST_EXTRA: usize = 28;
export const DEST_UNREACHABLE: u32 = 1;
export const DEST_PRESET: u32 = 2;
const DEST_FLAGS_KNOWN: u32 = 3;

export const NO_INDEX: u32 = 0xffff_ffff;
/** Destination indexes live in the low 24 bits of a key. */
const MAX_DESTINATIONS: u32 = 0xff_ffff;

/**
 * Workspace per source: hi u64, lo u64, scope u8, input flags u8, prefix
 * limit u8, derived flags u8, label u16, static key bits u16, interface
 * u32, PvD u32.
 */
const WS_SOURCE_SIZE: usize = 32;
const WS_HI: usize = 0;
const WS_LO: usize = 8;
const WS_SCOPE: usize = 16;
const WS_FLAGS: usize = 17;
const WS_LIMIT: usize = 18;
const WS_DERIVED: usize = 19;
const WS_LABEL: usize = 20;
const WS_STATIC: usize = 22;
const WS_INTERFACE: usize = 24;
const WS_PVD: usize = 28;
/** Derived flags of a source. */
const DERIVED_PREFIX_KNOWN: u32 = 1;
const DERIVED_IPV4: u32 = 2;
/** Not a candidate: multicast, unspecified, or SOURCE_PRESET_ONLY. */
const DERIVED_EXCLUDED: u32 = 4;
/** Reaching a destination from it encapsulates (destination rule 7). */
const DERIVED_ENCAPSULATING: u32 = 8;

/** Workspace per destination: its sort key (u64), Source(D) (u32), the source rule (u32). */
const WS_DEST_KEY_SIZE: usize = 8;
const WS_DEST_INFO_SIZE: usize = 8;

// ---------------------------------------------------------------------------
// Key layouts

// Source key (u32), higher is better; a tie goes to the earlier source.
const SK_RULE8_SHIFT: u32 = 0; // 8 bits: CommonPrefixLen, limited to the prefix length
const SK_RULE7: u32 = 1 << 8; // temporary (or public, reversed)
const SK_RULE6: u32 = 1 << 9; // label matches D's
const SK_RULE55: u32 = 1 << 10; // PvD of the chosen next hop
const SK_RULE5: u32 = 1 << 11; // on the outgoing interface
const SK_RULE4_SHIFT: u32 = 12; // 2 bits: home rank
const SK_RULE3: u32 = 1 << 14; // not deprecated
const SK_RULE2_SHIFT: u32 = 15; // 5 bits: scope rank against D
const SK_RULE1: u32 = 1 << 20; // the same address as D

// Destination key (u64), higher is better. The low 24 bits hold
// MAX_DESTINATIONS - index, so keys are unique and a tie on rules 1..9
// keeps the input order (rule 10).
const DK_INDEX_MASK: u64 = 0xff_ffff;
const DK_RULE9_SHIFT: u64 = 24; // 9 bits: IPv6 bit (32), CommonPrefixLen (24..31)
const DK_RULE8_SHIFT: u64 = 33; // 4 bits: 15 - Scope(D)
const DK_RULE7: u64 = 1 << 37; // native transport
const DK_RULE6_SHIFT: u64 = 38; // 16 bits: precedence rank
const DK_RULE5: u64 = 1 << 54; // Label(Source(D)) = Label(D)
const DK_RULE4_SHIFT: u64 = 55; // 2 bits: home rank of Source(D)
const DK_RULE3: u64 = 1 << 57; // Source(D) not deprecated
const DK_RULE2: u64 = 1 << 58; // Scope(D) = Scope(Source(D))
const DK_RULE1: u64 = 1 << 59; // usable

// ---------------------------------------------------------------------------
// Access within the checked spans (see "Bounds" at the top)

/** inputPtr() and resultPtr() of the current call. */
let inBase: usize = 0;
let wsBase: usize = 0;

// @ts-ignore: decorator
@inline function ld8(offset: usize): u32 {
  return <u32> load<u8>(inBase + offset);
}

// @ts-ignore: decorator
@inline function ld16(offset: usize): u32 {
  return <u32> load<u16>(inBase + offset);
}

// @ts-ignore: decorator
@inline function ld32(offset: usize): u32 {
  return load<u32>(inBase + offset);
}

/** One half of an address, as the number whose bit 63 is the half's first bit. */
// @ts-ignore: decorator
@inline function ldHalf(offset: usize): u64 {
  return load<u64>(inBase + offset);
}

// @ts-ignore: decorator
@inline function wsLd8(offset: usize): u32 {
  return <u32> load<u8>(wsBase + offset);
}

// @ts-ignore: decorator
@inline function wsLd16(offset: usize): u32 {
  return <u32> load<u16>(wsBase + offset);
}

// @ts-ignore: decorator
@inline function wsLd32(offset: usize): u32 {
  return load<u32>(wsBase + offset);
}

// @ts-ignore: decorator
@inline function wsLd64(offset: usize): u64 {
  return load<u64>(wsBase + offset);
}

// @ts-ignore: decorator
@inline function wsSt8(offset: usize, value: u32): void {
  store<u8>(wsBase + offset, <u8> value);
}

// @ts-ignore: decorator
@inline function wsSt16(offset: usize, value: u32): void {
  store<u16>(wsBase + offset, <u16> value);
}

// @ts-ignore: decorator
@inline function wsSt32(offset: usize, value: u32): void {
  store<u32>(wsBase + offset, value);
}

// @ts-ignore: decorator
@inline function wsSt64(offset: usize, value: u64): void {
  store<u64>(wsBase + offset, value);
}

function putRecordAt(index: usize, tag: u32, code: u32, start: usize, length: usize, a: u32, b: u32): void {
  const at = index * RECORD_SIZE;
  wsSt32(at, (code << 16) | tag);
  wsSt32(at + 4, <u32> start);
  wsSt32(at + 8, <u32> length);
  wsSt32(at + 12, a);
  wsSt32(at + 16, b);
  wsSt32(at + 20, 0);
}

// ---------------------------------------------------------------------------
// Call state (globals: the module allocates nothing)

let operation: u32 = 0;
let rowsAt: usize = 0;
let rowCount: usize = 0;
let nat64At: usize = 0;
let nat64Count: usize = 0;
let sourcesAt: usize = 0;
let sourceCount: usize = 0;
let destsAt: usize = 0;
let destCount: usize = 0;
let wsSourcesAt: usize = 0;
let wsKeysAt: usize = 0;
let wsInfoAt: usize = 0;
let preferPublic: bool = false;
let ipv4Rule9: u32 = 0;

// Results of describe(), kept in globals for the same reason.
let cScope: u32 = 0;
let cKind: u32 = 0;
let cPrecedence: u32 = 0;
let cLabel: u32 = 0;
let cPrecedenceRow: u32 = 0xffff;
let cLabelRow: u32 = 0xffff;

// ---------------------------------------------------------------------------
// Address facts

/** ::ffff:0:0/96, the IPv4-mapped prefix (RFC 4291 section 2.5.5.2). */
// @ts-ignore: decorator
@inline function isIpv4(hi: u64, lo: u64): bool {
  return hi == 0 && (lo >>> 32) == 0xffff;
}

/** Mask of the first `bits` bits of a 64-bit half (0..64). */
function mask64(bits: u32): u64 {
  if (bits == 0) return 0;
  if (bits >= 64) return 0xffff_ffff_ffff_ffff;
  return <u64> 0xffff_ffff_ffff_ffff << (64 - <u64> bits);
}

function inPrefix(hi: u64, lo: u64, phi: u64, plo: u64, length: u32): bool {
  if (length <= 64) return ((hi ^ phi) & mask64(length)) == 0;
  return hi == phi && ((lo ^ plo) & mask64(length - 64)) == 0;
}

/**
 * CommonPrefixLen(S, D) of section 2.2: the bits S and D share, "up to the
 * length of S's prefix", counted in the family (an IPv4 address has 32).
 * 0 across families. `limit` is S's prefix length in its family.
 */
function commonPrefixLen(shi: u64, slo: u64, dhi: u64, dlo: u64, limit: u32): u32 {
  const sv4 = isIpv4(shi, slo);
  if (sv4 != isIpv4(dhi, dlo)) return 0;
  const x = shi ^ dhi;
  let bits = x != 0 ? <u32> clz<u64>(x) : 64 + <u32> clz<u64>(slo ^ dlo);
  if (sv4) bits -= 96; // the mapped prefix is common to both
  return bits < limit ? bits : limit;
}

/**
 * Scope (section 3.1) and kind. The scope of an IPv4 address comes from the
 * scopev4 rows (section 3.2: loopback and 169.254/16 link-local, everything
 * else global, unless a table says otherwise), found by lookup(). Sets
 * cScope and cKind.
 */
function classify(hi: u64, lo: u64): void {
  if (isIpv4(hi, lo)) {
    const v4 = <u32> lo;
    const top = v4 >>> 24;
    if (v4 == 0) cKind = KIND_IPV4_UNSPECIFIED;
    else if (top == 127) cKind = KIND_IPV4_LOOPBACK;
    else if ((v4 >>> 16) == 0xa9fe) cKind = KIND_IPV4_LINK_LOCAL;
    else if (top == 10 || (v4 >>> 20) == 0xac1 || (v4 >>> 16) == 0xc0a8) cKind = KIND_IPV4_PRIVATE;
    else if ((v4 >>> 22) == 0x191) cKind = KIND_IPV4_SHARED; // 100.64.0.0/10 (RFC 6598)
    else if ((v4 >>> 28) == 0xe) cKind = KIND_IPV4_MULTICAST;
    else cKind = KIND_IPV4;
    cScope = 14; // replaced from the scope rows by lookup()
    return;
  }
  const top16 = <u32> (hi >>> 48);
  if ((top16 >>> 8) == 0xff) {
    // Multicast: the scope is the 4-bit field of RFC 4291 section 2.7.
    cKind = KIND_MULTICAST;
    cScope = top16 & 0xf;
  } else if (hi == 0 && lo == 1) {
    // "the loopback address ... treated as having link-local scope" (3.1).
    cKind = KIND_LOOPBACK;
    cScope = 2;
  } else if ((top16 & 0xffc0) == 0xfe80) {
    cKind = KIND_LINK_LOCAL;
    cScope = 2;
  } else if ((top16 & 0xffc0) == 0xfec0) {
    // Deprecated site-local (RFC 3879), still site scope in RFC 6724.
    cKind = KIND_SITE_LOCAL;
    cScope = 5;
  } else {
    cScope = 14;
    if (hi == 0 && lo == 0) cKind = KIND_UNSPECIFIED;
    else if ((top16 & 0xfe00) == 0xfc00) cKind = KIND_ULA; // global scope (RFC 4193 3.3)
    else if (top16 == 0x2002) cKind = KIND_6TO4;
    else if ((hi >>> 32) == 0x2001_0000) cKind = KIND_TEREDO;
    else if (hi == 0 && (lo >>> 32) == 0) cKind = KIND_IPV4_COMPATIBLE;
    else cKind = KIND_GLOBAL;
  }
}

/**
 * Policy table lookup (section 2.1): the longest matching prefix, separately
 * for the precedence and the label, since a gai.conf table may give them
 * different prefixes; for IPv4 also the scope (section 3.2), 14 (global)
 * when no scope row matches. The rows come longest first, so the first
 * match of each kind is the one, and the walk stops once it has them all.
 * Sets cPrecedence (rank, 0 when no row matches), cLabel (id, 0 when none:
 * it then matches nothing), the rows' positions, and cScope for IPv4.
 */
function lookup(hi: u64, lo: u64, v4: bool): void {
  cPrecedence = 0;
  cLabel = 0;
  cPrecedenceRow = 0xffff;
  cLabelRow = 0xffff;
  let wanted: u32 = v4 ? ROW_PRECEDENCE | ROW_HAS_LABEL | ROW_SCOPE : ROW_PRECEDENCE | ROW_HAS_LABEL;
  for (let r: usize = 0; r < rowCount; r++) {
    const at = rowsAt + r * ROW_SIZE;
    const found = ld8(at + ROW_KIND) & wanted;
    if (found == 0 || !inPrefix(hi, lo, ldHalf(at), ldHalf(at + 8), ld8(at + ROW_LENGTH))) continue;
    if ((found & ROW_PRECEDENCE) != 0) {
      cPrecedence = ld16(at + ROW_VALUE);
      cPrecedenceRow = <u32> r;
    }
    if ((found & ROW_HAS_LABEL) != 0) {
      cLabel = ld16(at + ROW_LABEL);
      cLabelRow = <u32> r;
    }
    if ((found & ROW_SCOPE) != 0) cScope = ld16(at + ROW_VALUE);
    wanted &= ~found;
    if (wanted == 0) break;
  }
}

/** Scope, kind, precedence and label of an address. */
function describe(hi: u64, lo: u64): void {
  classify(hi, lo);
  lookup(hi, lo, isIpv4(hi, lo));
}

/** Position + 1 of the first NAT64 prefix holding the address, or 0. */
function nat64Of(hi: u64, lo: u64): u32 {
  for (let n: usize = 0; n < nat64Count; n++) {
    const at = nat64At + n * NAT64_SIZE;
    if (inPrefix(hi, lo, ldHalf(at), ldHalf(at + 8), ld8(at + NAT64_LENGTH))) return <u32> n + 1;
  }
  return 0;
}

/**
 * Rule 4 rank of a source: home and care-of 2, home only or neither 1,
 * care-of only 0 (see "Keys" at the top for why "neither" sits in the
 * middle).
 */
function homeRank(flags: u32): u32 {
  const home = (flags & SOURCE_HOME) != 0;
  const careOf = (flags & SOURCE_CARE_OF) != 0;
  if (home && careOf) return 2;
  if (careOf) return 0;
  return 1;
}

// ---------------------------------------------------------------------------
// Validation and setup

/**
 * Checks the header, that the counts describe exactly `len` bytes, and the
 * policy rows and NAT64 prefixes; returns 0 or an error. Sources and
 * destinations are checked where they are first read.
 */
function validate(len: usize): i32 {
  if (len < HEADER_SIZE) return failWith(ErrorCode.Truncated, len, DETAIL_SHORT_HEADER);
  operation = ld8(HEADER_OPERATION);
  if (operation < OP_SELECT_SOURCE || operation > OP_CLASSIFY) {
    return failWith(ErrorCode.InvalidValue, HEADER_OPERATION, DETAIL_OPERATION);
  }
  const options = ld8(HEADER_OPTIONS);
  if ((options & ~7) != 0 || (options >>> 1) > IPV4_RULE9_ALWAYS) {
    return failWith(ErrorCode.InvalidValue, HEADER_OPTIONS, DETAIL_OPTIONS);
  }
  if (ld16(2) != 0) return failWith(ErrorCode.InvalidValue, 2, DETAIL_RESERVED);
  for (let at: usize = 20; at < HEADER_SIZE; at += 4) {
    if (ld32(at) != 0) return failWith(ErrorCode.InvalidValue, at, DETAIL_RESERVED);
  }
  preferPublic = (options & OPTION_PREFER_PUBLIC) != 0;
  ipv4Rule9 = options >>> 1;
  rowCount = ld32(HEADER_ROWS);
  nat64Count = ld32(HEADER_NAT64);
  sourceCount = ld32(HEADER_SOURCES);
  destCount = ld32(HEADER_DESTINATIONS);
  // In u64: four u32 counts times small sizes cannot overflow it.
  const total = <u64> HEADER_SIZE + <u64> rowCount * ROW_SIZE + <u64> nat64Count * NAT64_SIZE +
    <u64> sourceCount * SOURCE_SIZE + <u64> destCount * DESTINATION_SIZE;
  if (total > <u64> len) return failWith(ErrorCode.Truncated, len, DETAIL_TRUNCATED);
  if (total < <u64> len) return failWith(ErrorCode.BadLength, <usize> total, DETAIL_TRAILING);
  // From here on every entry lies inside the input.
  if (destCount > MAX_DESTINATIONS) return failWith(ErrorCode.OutOfRange, HEADER_DESTINATIONS, DETAIL_TOO_MANY);
  if (operation == OP_SELECT_SOURCE && destCount != 1) {
    return failWith(ErrorCode.InvalidValue, HEADER_DESTINATIONS, DETAIL_SELECT_COUNT);
  }
  rowsAt = HEADER_SIZE;
  nat64At = rowsAt + rowCount * ROW_SIZE;
  sourcesAt = nat64At + nat64Count * NAT64_SIZE;
  destsAt = sourcesAt + sourceCount * SOURCE_SIZE;

  let previous: u32 = 128;
  for (let r: usize = 0; r < rowCount; r++) {
    const at = rowsAt + r * ROW_SIZE;
    const length = ld8(at + ROW_LENGTH);
    const kind = ld8(at + ROW_KIND);
    if (length > 128) return failWith(ErrorCode.OutOfRange, at, DETAIL_ROW_LENGTH);
    if (length > previous) return failWith(ErrorCode.InvalidValue, at, DETAIL_ROW_ORDER);
    previous = length;
    if (ld16(at + 18) != 0) return failWith(ErrorCode.InvalidValue, at + 18, DETAIL_RESERVED);
    const value = ld16(at + ROW_VALUE);
    const label = ld16(at + ROW_LABEL);
    if (kind == ROW_SCOPE) {
      if (value == 0 || value > 15 || label != 0) return failWith(ErrorCode.OutOfRange, at, DETAIL_ROW_VALUE);
      if (length < 96 || !isIpv4(ldHalf(at), ldHalf(at + 8))) {
        return failWith(ErrorCode.InvalidValue, at, DETAIL_SCOPE_ROW);
      }
      continue;
    }
    if (kind == 0 || (kind & ~(ROW_PRECEDENCE | ROW_HAS_LABEL)) != 0) {
      return failWith(ErrorCode.InvalidValue, at, DETAIL_ROW_KIND);
    }
    if (((kind & ROW_PRECEDENCE) != 0) != (value != 0) || ((kind & ROW_HAS_LABEL) != 0) != (label != 0)) {
      return failWith(ErrorCode.OutOfRange, at, DETAIL_ROW_VALUE);
    }
  }
  for (let n: usize = 0; n < nat64Count; n++) {
    const at = nat64At + n * NAT64_SIZE;
    const length = ld8(at + NAT64_LENGTH);
    if (length < 32 || length > 96 || (length & 7) != 0 || (length > 64 && length < 96)) {
      return failWith(ErrorCode.InvalidValue, at, DETAIL_NAT64_LENGTH);
    }
    if (ld8(at + 17) != 0 || ld16(at + 18) != 0 || ld32(at + 20) != 0) {
      return failWith(ErrorCode.InvalidValue, at + 17, DETAIL_RESERVED);
    }
  }
  return 0;
}

/**
 * Checks every source and precomputes what its key needs that does not
 * depend on D. Returns 0 or an error.
 */
function prepareSources(): i32 {
  for (let s: usize = 0; s < sourceCount; s++) {
    const at = sourcesAt + s * SOURCE_SIZE;
    const input = ld8(at + SOURCE_FLAGS);
    if ((input & ~SOURCE_FLAGS_KNOWN) != 0) return failWith(ErrorCode.InvalidValue, at, DETAIL_SOURCE_FLAGS);
    const hi = ldHalf(at);
    const lo = ldHalf(at + 8);
    const v4 = isIpv4(hi, lo);
    const prefix = ld8(at + SOURCE_PREFIX);
    if (prefix != PREFIX_UNKNOWN && prefix > (v4 ? <u32> 32 : <u32> 128)) {
      return failWith(ErrorCode.OutOfRange, at, DETAIL_SOURCE_PREFIX);
    }
    if (ld16(at + 18) != 0) return failWith(ErrorCode.InvalidValue, at + 18, DETAIL_RESERVED);
    if (ld32(at + 28) != 0) return failWith(ErrorCode.InvalidValue, at + 28, DETAIL_RESERVED);
    describe(hi, lo);
    let derived: u32 = prefix != PREFIX_UNKNOWN ? DERIVED_PREFIX_KNOWN : 0;
    if (v4) derived |= DERIVED_IPV4;
    if (
      cKind == KIND_MULTICAST || cKind == KIND_IPV4_MULTICAST || cKind == KIND_UNSPECIFIED ||
      cKind == KIND_IPV4_UNSPECIFIED || (input & SOURCE_PRESET_ONLY) != 0
    ) {
      derived |= DERIVED_EXCLUDED;
    }
    // Rule 7 of section 6: a 6to4 or Teredo source only exists behind an
    // encapsulating tunnel, like a source on a tunnel interface.
    if ((input & SOURCE_TUNNEL) != 0 || cKind == KIND_6TO4 || cKind == KIND_TEREDO) {
      derived |= DERIVED_ENCAPSULATING;
    }
    // Without a known prefix, IPv6 compares the first 64 bits (the usual
    // prefix length, RFC 4291 section 2.5.1) and IPv4 all 32.
    const limit: u32 = prefix != PREFIX_UNKNOWN ? prefix : v4 ? 32 : 64;
    let staticBits = homeRank(input) << SK_RULE4_SHIFT;
    if ((input & SOURCE_DEPRECATED) == 0) staticBits |= SK_RULE3;
    // Rule 7: "Implementations MUST provide a mechanism allowing an
    // application to reverse the sense of this preference".
    if (((input & SOURCE_TEMPORARY) != 0) != preferPublic) staticBits |= SK_RULE7;
    const ws = wsSourcesAt + s * WS_SOURCE_SIZE;
    wsSt64(ws + WS_HI, hi);
    wsSt64(ws + WS_LO, lo);
    wsSt8(ws + WS_SCOPE, cScope);
    wsSt8(ws + WS_FLAGS, input);
    wsSt8(ws + WS_LIMIT, limit);
    wsSt8(ws + WS_DERIVED, derived);
    wsSt16(ws + WS_LABEL, cLabel);
    wsSt16(ws + WS_STATIC, staticBits);
    wsSt32(ws + WS_INTERFACE, ld32(at + SOURCE_INTERFACE));
    wsSt32(ws + WS_PVD, ld32(at + SOURCE_PVD));
  }
  return 0;
}

/** Checks one destination entry; returns 0 or an error. */
function checkDestination(at: usize): i32 {
  const flags = ld8(at + DEST_FLAGS);
  if ((flags & ~DEST_FLAGS_KNOWN) != 0) return failWith(ErrorCode.InvalidValue, at, DETAIL_DEST_FLAGS);
  if (ld8(at + 17) != 0 || ld16(at + 18) != 0) return failWith(ErrorCode.InvalidValue, at + 17, DETAIL_RESERVED);
  if ((flags & DEST_PRESET) == 0) return 0;
  if (operation == OP_SELECT_SOURCE) return failWith(ErrorCode.InvalidValue, at, DETAIL_SELECT_PRESET);
  const source = ld32(at + DEST_EXTRA);
  if (source == NO_INDEX) return 0;
  if (<usize> source >= sourceCount) return failWith(ErrorCode.OutOfRange, at, DETAIL_PRESET_INDEX);
  const ws = wsSourcesAt + <usize> source * WS_SOURCE_SIZE;
  const pvd = ld32(at + DEST_PVD);
  if (pvd != 0 && wsLd32(ws + WS_PVD) != pvd) return failWith(ErrorCode.InvalidValue, at, DETAIL_PRESET_PVD);
  // OP_CLASSIFY pairs any two addresses: CommonPrefixLen is 0 across families.
  const sourceV4 = (wsLd8(ws + WS_DERIVED) & DERIVED_IPV4) != 0;
  if (operation != OP_CLASSIFY && sourceV4 != isIpv4(ldHalf(at), ldHalf(at + 8))) {
    return failWith(ErrorCode.InvalidValue, at, DETAIL_PRESET_FAMILY);
  }
  return 0;
}

// ---------------------------------------------------------------------------
// Source address selection (section 5)

let chosen: u32 = NO_INDEX;
let runnerUp: u32 = NO_INDEX;
let chosenRule: u32 = RULE_NONE;

/** Rule code of the highest field in which two source keys differ. */
function sourceRuleOf(diff: u32): u32 {
  if (diff == 0) return RULE_ORDER;
  if (diff >= SK_RULE1) return 10;
  if (diff >= (1 << SK_RULE2_SHIFT)) return 20;
  if (diff >= SK_RULE3) return 30;
  if (diff >= (1 << SK_RULE4_SHIFT)) return 40;
  if (diff >= SK_RULE5) return 50;
  if (diff >= SK_RULE55) return 55;
  if (diff >= SK_RULE6) return 60;
  if (diff >= SK_RULE7) return 70;
  return 80;
}

/**
 * Chooses Source(D) for the destination entry at `at` with scope, label and
 * kind given. Sets chosen, runnerUp and chosenRule.
 */
function selectSource(at: usize, dhi: u64, dlo: u64, dScope: u32, dLabel: u32, dKind: u32): void {
  chosen = NO_INDEX;
  runnerUp = NO_INDEX;
  chosenRule = RULE_NONE;
  const dv4 = isIpv4(dhi, dlo);
  const dInterface = ld32(at + DEST_INTERFACE);
  const dPvd = ld32(at + DEST_PVD);
  const nextHopPvd = ld32(at + DEST_EXTRA);
  const sameLinkOnly = dInterface != 0 &&
    (dScope <= 2 || dKind == KIND_MULTICAST || dKind == KIND_IPV4_MULTICAST);
  // A source of the other family, or excluded, never qualifies.
  const skip: u32 = DERIVED_EXCLUDED | DERIVED_IPV4;
  const want: u32 = dv4 ? DERIVED_IPV4 : 0;
  let bestKey: u32 = 0;
  let secondKey: u32 = 0;
  for (let s: usize = 0; s < sourceCount; s++) {
    const ws = wsSourcesAt + s * WS_SOURCE_SIZE;
    if ((wsLd8(ws + WS_DERIVED) & skip) != want) continue;
    const sInterface = wsLd32(ws + WS_INTERFACE);
    const sPvd = wsLd32(ws + WS_PVD);
    // A destination of one PvD is never paired with another PvD's source.
    if (dPvd != 0 && sPvd != dPvd) continue;
    if (sameLinkOnly && sInterface != 0 && sInterface != dInterface) continue;
    const shi = wsLd64(ws + WS_HI);
    const slo = wsLd64(ws + WS_LO);
    const sScope = wsLd8(ws + WS_SCOPE);
    let key = wsLd16(ws + WS_STATIC);
    // Rule 1: Prefer same address.
    if (shi == dhi && slo == dlo) key |= SK_RULE1;
    // Rule 2: Prefer appropriate scope. Among scopes at least Scope(D) the
    // smallest wins; any of those beats a smaller one; among smaller ones
    // the largest wins.
    const scopeRank = sScope >= dScope ? 16 + (15 - sScope) : sScope;
    key |= scopeRank << SK_RULE2_SHIFT;
    // Rule 3 (not deprecated), rule 4 (home) and rule 7 (temporary) are in
    // the static bits.
    // Rule 5: Prefer outgoing interface.
    if (dInterface != 0 && sInterface == dInterface) key |= SK_RULE5;
    // Rule 5.5: Prefer addresses in a prefix advertised by the next-hop. A
    // PvD is the configuration one router (or set of routers) advertised,
    // so the next hop's PvD holds exactly the prefixes it advertised.
    if (nextHopPvd != 0 && sPvd == nextHopPvd) key |= SK_RULE55;
    // Rule 6: Prefer matching label.
    if (dLabel != 0 && wsLd16(ws + WS_LABEL) == dLabel) key |= SK_RULE6;
    // Rule 8: Use longest matching prefix.
    key |= commonPrefixLen(shi, slo, dhi, dlo, wsLd8(ws + WS_LIMIT)) << SK_RULE8_SHIFT;
    // Strictly greater: on a full tie the earlier source stays chosen.
    if (chosen == NO_INDEX || key > bestKey) {
      if (chosen != NO_INDEX) {
        runnerUp = chosen;
        secondKey = bestKey;
      }
      chosen = <u32> s;
      bestKey = key;
    } else if (runnerUp == NO_INDEX || key > secondKey) {
      runnerUp = <u32> s;
      secondKey = key;
    }
  }
  if (runnerUp != NO_INDEX) chosenRule = sourceRuleOf(bestKey ^ secondKey);
}

// ---------------------------------------------------------------------------
// Destination address ordering (section 6)

/** Rule code of the highest field in which two destination keys differ. */
function destinationRuleOf(diff: u64): u32 {
  const x = diff & ~DK_INDEX_MASK;
  if (x == 0) return 100; // Rule 10: Otherwise, leave the order unchanged.
  if (x >= DK_RULE1) return 10;
  if (x >= DK_RULE2) return 20;
  if (x >= DK_RULE3) return 30;
  if (x >= (<u64> 1 << DK_RULE4_SHIFT)) return 40;
  if (x >= DK_RULE5) return 50;
  if (x >= (<u64> 1 << DK_RULE6_SHIFT)) return 60;
  if (x >= DK_RULE7) return 70;
  if (x >= (<u64> 1 << DK_RULE8_SHIFT)) return 80;
  return 90;
}

/** Key of destination `d` with Source(D) = `source` (NO_INDEX: undefined). */
function destinationKey(d: usize, source: u32, dhi: u64, dlo: u64, dScope: u32, dLabel: u32, dPrecedence: u32): u64 {
  const at = destsAt + d * DESTINATION_SIZE;
  const dv4 = isIpv4(dhi, dlo);
  let key: u64 = <u64> (MAX_DESTINATIONS - <u32> d);
  // NAT64 (RFC 6146) is a transition mechanism like encapsulation: a
  // destination inside a NAT64 prefix is not reached natively.
  let native = dv4 || nat64Of(dhi, dlo) == 0;
  // Without Source(D) the rules about it take neutral values, the same for
  // every such destination: not deprecated, neither home nor care-of, no
  // matching scope or label, prefix length 0.
  let homeBits: u64 = 1;
  let cpl: u32 = 0;
  if (source == NO_INDEX) {
    key |= DK_RULE3;
  } else {
    const ws = wsSourcesAt + <usize> source * WS_SOURCE_SIZE;
    const flags = wsLd8(ws + WS_FLAGS);
    const derived = wsLd8(ws + WS_DERIVED);
    // Rule 1: Avoid unusable destinations.
    if ((ld8(at + DEST_FLAGS) & DEST_UNREACHABLE) == 0) key |= DK_RULE1;
    // Rule 2: Prefer matching scope.
    if (wsLd8(ws + WS_SCOPE) == dScope) key |= DK_RULE2;
    // Rule 3: Avoid deprecated addresses.
    if ((flags & SOURCE_DEPRECATED) == 0) key |= DK_RULE3;
    // Rule 4: Prefer home addresses.
    homeBits = <u64> homeRank(flags);
    // Rule 5: Prefer matching label.
    if (dLabel != 0 && wsLd16(ws + WS_LABEL) == dLabel) key |= DK_RULE5;
    // Rule 7: Prefer native transport.
    if ((derived & DERIVED_ENCAPSULATING) != 0) native = false;
    // Rule 9: Use longest matching prefix. For IPv4 the RFC applies it as
    // for IPv6; that defeats DNS round robin (golang/go#13283), so it is
    // off, limited to destinations inside the source's subnet (glibc), or
    // on, as configured.
    const limit = wsLd8(ws + WS_LIMIT);
    if (!dv4 || ipv4Rule9 == IPV4_RULE9_ALWAYS) {
      cpl = commonPrefixLen(wsLd64(ws + WS_HI), wsLd64(ws + WS_LO), dhi, dlo, limit);
    } else if (ipv4Rule9 == IPV4_RULE9_SAME_SUBNET && (derived & DERIVED_PREFIX_KNOWN) != 0) {
      cpl = commonPrefixLen(wsLd64(ws + WS_HI), wsLd64(ws + WS_LO), dhi, dlo, limit) >= limit ? limit : 0;
    }
  }
  key |= homeBits << DK_RULE4_SHIFT;
  // Rule 6: Prefer higher precedence.
  key |= <u64> dPrecedence << DK_RULE6_SHIFT;
  if (native) key |= DK_RULE7;
  // Rule 8: Prefer smaller scope.
  key |= <u64> (15 - (dScope & 15)) << DK_RULE8_SHIFT;
  // Rule 9 (see "Keys" at the top): the family, then the prefix length.
  key |= (<u64> (dv4 ? 0 : 256) | <u64> cpl) << DK_RULE9_SHIFT;
  return key;
}

/** Sorts `n` u64 keys at workspace offset `at`, largest first (keys are unique). */
function sortKeys(at: usize, n: usize): void {
  if (n <= 16) {
    for (let i: usize = 1; i < n; i++) {
      const key = wsLd64(at + i * 8);
      let j = i;
      while (j > 0) {
        const before = wsLd64(at + (j - 1) * 8);
        if (before >= key) break;
        wsSt64(at + j * 8, before);
        j--;
      }
      wsSt64(at + j * 8, key);
    }
    return;
  }
  // Heapsort: in place, O(n log n), no allocation. A min-heap, so that
  // moving each root to the end leaves the keys largest first.
  for (let start = n >>> 1; start > 0; start--) siftDown(at, start - 1, n);
  for (let end = n - 1; end > 0; end--) {
    const top = wsLd64(at);
    wsSt64(at, wsLd64(at + end * 8));
    wsSt64(at + end * 8, top);
    siftDown(at, 0, end);
  }
}

function siftDown(at: usize, from: usize, n: usize): void {
  let i = from;
  const key = wsLd64(at + i * 8);
  // Each step at least doubles i, so the loop ends within 32 steps.
  while (true) {
    let child: usize = 2 * i + 1;
    if (child >= n) break;
    let childKey = wsLd64(at + child * 8);
    if (child + 1 < n) {
      const right = wsLd64(at + (child + 1) * 8);
      if (right < childKey) {
        child++;
        childKey = right;
      }
    }
    if (key <= childKey) break;
    wsSt64(at + i * 8, childKey);
    i = child;
  }
  wsSt64(at + i * 8, key);
}

// ---------------------------------------------------------------------------
// Entry point

/**
 * Runs the operation of the header over the input (see the top of this
 * file). Returns the byte length of the records or an error.
 */
export function selectAddresses(len: usize): i32 {
  const started = begin(len);
  if (started != 0) return started;
  inBase = inputPtr();
  wsBase = resultPtr();
  const invalid = validate(len);
  if (invalid != 0) return invalid;
  const records: usize = operation == OP_SELECT_SOURCE ? 1 : destCount;
  // In u64 like the input's size; the result region is at most 2^31 bytes.
  const need = <u64> records * RECORD_SIZE + <u64> sourceCount * WS_SOURCE_SIZE +
    <u64> destCount * (WS_DEST_KEY_SIZE + WS_DEST_INFO_SIZE);
  const status = needResult(need > 0x7fff_ffff ? 0x7fff_ffff : <usize> need);
  if (status != 0) return status;
  // From here on the records and the workspace lie inside the result region.
  const recordBytes = records * RECORD_SIZE;
  wsSourcesAt = recordBytes;
  wsKeysAt = wsSourcesAt + sourceCount * WS_SOURCE_SIZE;
  wsInfoAt = wsKeysAt + destCount * WS_DEST_KEY_SIZE;
  const sourcesStatus = prepareSources();
  if (sourcesStatus != 0) return sourcesStatus;

  if (operation == OP_CLASSIFY) {
    for (let d: usize = 0; d < destCount; d++) {
      const at = destsAt + d * DESTINATION_SIZE;
      const checked = checkDestination(at);
      if (checked != 0) return checked;
      const hi = ldHalf(at);
      const lo = ldHalf(at + 8);
      describe(hi, lo);
      const nat64 = isIpv4(hi, lo) ? 0 : nat64Of(hi, lo);
      const kind = nat64 != 0 && cKind == KIND_GLOBAL ? KIND_NAT64 : cKind;
      let cpl: u32 = 0xff;
      if ((ld8(at + DEST_FLAGS) & DEST_PRESET) != 0) {
        const source = ld32(at + DEST_EXTRA);
        if (source != NO_INDEX) {
          const ws = wsSourcesAt + <usize> source * WS_SOURCE_SIZE;
          cpl = commonPrefixLen(wsLd64(ws + WS_HI), wsLd64(ws + WS_LO), hi, lo, wsLd8(ws + WS_LIMIT));
        }
      }
      putRecordAt(
        d,
        TAG_ADDRESS,
        (cScope & 15) | (kind << 8),
        at,
        DESTINATION_SIZE,
        (cPrecedenceRow & 0xffff) | (cLabelRow << 16),
        cpl | (nat64 << 8),
      );
    }
    return <i32> recordBytes;
  }

  for (let d: usize = 0; d < destCount; d++) {
    const at = destsAt + d * DESTINATION_SIZE;
    const checked = checkDestination(at);
    if (checked != 0) return checked;
    const hi = ldHalf(at);
    const lo = ldHalf(at + 8);
    describe(hi, lo);
    const dScope = cScope;
    const dLabel = cLabel;
    const dPrecedence = cPrecedence;
    let source = NO_INDEX;
    let rule = RULE_NONE;
    if ((ld8(at + DEST_FLAGS) & DEST_PRESET) != 0) {
      source = ld32(at + DEST_EXTRA);
    } else {
      selectSource(at, hi, lo, dScope, dLabel, cKind);
      source = chosen;
      rule = chosenRule;
    }
    if (operation == OP_SELECT_SOURCE) {
      const start = chosen == NO_INDEX ? at : sourcesAt + <usize> chosen * SOURCE_SIZE;
      const length = chosen == NO_INDEX ? DESTINATION_SIZE : SOURCE_SIZE;
      putRecordAt(0, TAG_SOURCE, rule, start, length, chosen, runnerUp);
      return <i32> recordBytes;
    }
    wsSt64(wsKeysAt + d * 8, destinationKey(d, source, hi, lo, dScope, dLabel, dPrecedence));
    wsSt32(wsInfoAt + d * 8, source);
    wsSt32(wsInfoAt + d * 8 + 4, rule);
  }

  sortKeys(wsKeysAt, destCount);
  for (let k: usize = 0; k < destCount; k++) {
    const key = wsLd64(wsKeysAt + k * 8);
    const d = <usize> (MAX_DESTINATIONS - <u32> (key & DK_INDEX_MASK));
    const rule = k + 1 < destCount ? destinationRuleOf(key ^ wsLd64(wsKeysAt + (k + 1) * 8)) : RULE_NONE;
    putRecordAt(
      k,
      TAG_DESTINATION,
      rule | (wsLd32(wsInfoAt + d * 8 + 4) << 8),
      destsAt + d * DESTINATION_SIZE,
      DESTINATION_SIZE,
      <u32> d,
      wsLd32(wsInfoAt + d * 8),
    );
  }
  return <i32> recordBytes;
}
