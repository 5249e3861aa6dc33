/*
 * Router Advertisements and Neighbor Discovery options (RFC 4861 section 4.2
 * and 4.6, with the options of RFC 4191, 5175, 8106, 8781, 8801, 8910 and
 * 9463), parsed into the shared record stream of records.ts.
 *
 *   parseRouterAdvertisement(len)  the ICMPv6 message, from its Type byte
 *   parseNdOptions(len)            a bare sequence of ND options, as the Linux
 *                                  kernel forwards RA options to userspace
 *                                  (ND user options over rtnetlink)
 *
 * What rejects the whole input (an error through failWith, detail ids
 * 0x100..0x10f below):
 *   - a message shorter than the 16-byte RA header, or whose Type is not 134;
 *   - an option of length 0: nothing says where the next option starts, and
 *     parsers that went on looped forever (dhcpcd#415);
 *   - an option (or its 2-byte Type/Length header) running past the end.
 * Option lengths are counted in 8-octet units; the length byte is widened
 * before it is multiplied, so 255 * 8 = 2040-byte options work (mdlayher/ndp
 * once multiplied in 8 bits and rejected long RDNSS/DNSSL options).
 *
 * What skips one option and keeps the rest (a TAG_SKIPPED record, code = a
 * detail id 0x110..0x1ff below, start/length = the option, a = its type), as
 * systemd's ndisc-option.c does: a known option whose body is malformed, for
 * example an RDNSS option of even length (CVE-2020-16898 was an even-length
 * RDNSS overflowing Windows' tcpip.sys), a DNSSL name that is compressed or
 * unterminated, a Route Information length that does not fit its prefix
 * length.
 *
 * Unknown option types are kept: a TAG_OPTION record with their type.
 *
 * The receive checks of RFC 4861 section 6.1.2 that need the IP header (hop
 * limit, source address) or are policy (Code) are made by the TypeScript
 * binding; the parser only refuses bytes it cannot walk.
 *
 * Names (DNSSL domains, the PvD ID, the DNR authentication domain name) are
 * DNS wire format without compression (RFC 1035 section 3.1). A label byte
 * must be visible ASCII other than "." (0x21..0x7e except 0x2e), so that the
 * host's dotted text is unambiguous and builds back to the same bytes.
 */

import { NameProblem, scanDnsName, scannedNameLabels, scannedNameLength } from "./dns_name";
import { begin, byteAt, ErrorCode, failWith, u16At, u32At } from "./abi";
import { beginRecords, closeRecord, finishRecords, putRecord, TAG_SKIPPED } from "./records";

// ---------------------------------------------------------------------------
// Record tags (high byte 0x01). code/start/length/a/b per tag:

/**
 * The 16-byte RA header: of the message (start 0), or carried by a PvD option
 * with its R flag set (RFC 8801 section 3.1; start = where it lies in it).
 * code = the header's Code byte; a = Cur Hop Limit; b = the flags byte
 * (M, O, H, Prf, P, reserved). Other fields are read by the host from the
 * input at start.
 */
export const TAG_RA_HEADER: u32 = 0x0101;

/**
 * One accepted ND option. code = option Type; start/length = the whole
 * option (Type and Length bytes included); children = the records nested in
 * it. a and b by type:
 *   1, 2  Source/Target Link-Layer Address  a = 0, b = 0
 *   3     Prefix Information                a = Prefix Length, b = flags byte
 *   5     MTU                               a = MTU
 *   21    PvD ID                            a = the 16 bits H|L|R|Reserved|Delay,
 *                                           b = Sequence Number; children: a
 *                                           TAG_DNS_NAME (PvD ID FQDN), a
 *                                           TAG_RA_HEADER if R is set, then the
 *                                           records of the options it carries
 *   24    Route Information                 a = Prefix Length, b = Prf (0, 1, 3)
 *   25    RDNSS                             a = number of addresses
 *   26    Flags Expansion                   a = number of flag bytes
 *   31    DNSSL                             a = number of names; children: one
 *                                           TAG_DNS_NAME per name
 *   37    Captive Portal                    a = URI length in bytes (from start + 2)
 *   38    PREF64                            a = prefix length (96..32),
 *                                           b = lifetime in seconds
 *   144   DNR (encrypted DNS)               a = Service Priority; children: a
 *                                           TAG_DNS_NAME (ADN), then unless in
 *                                           ADN-only mode TAG_DNR_ADDRESSES and
 *                                           TAG_DNR_SVC_PARAMS
 *   other (unknown, kept raw)               a = 0, b = 0
 */
export const TAG_OPTION: u32 = 0x0102;

/**
 * A DNS name in wire format. start/length = its bytes including the final
 * zero byte; a = number of labels; code = 0.
 */
export const TAG_DNS_NAME: u32 = 0x0103;

/** DNR ipv6-address(es): start/length = the address bytes; a = how many. */
export const TAG_DNR_ADDRESSES: u32 = 0x0104;

/** DNR Service Parameters (SvcParams), kept raw: start/length = the bytes. */
export const TAG_DNR_SVC_PARAMS: u32 = 0x0105;

// ---------------------------------------------------------------------------
// Detail identifiers (0x100..0x1ff), mirrored as sentences in
// core-as/router_advertisement.ts.

// Errors: the input is rejected (errorOffset says where).
/** The message is shorter than the 16-byte header (offset = its length). */
export const DETAIL_SHORT_MESSAGE: u32 = 0x100;
/** The Type byte is not 134 (offset 0). */
export const DETAIL_NOT_ROUTER_ADVERTISEMENT: u32 = 0x101;
/** An option has length 0 (offset = the option). */
export const DETAIL_ZERO_LENGTH: u32 = 0x102;
/** Fewer than 2 bytes are left for an option's Type and Length. */
export const DETAIL_TRUNCATED_OPTION_HEADER: u32 = 0x103;
/** An option runs past the end of the input (offset = the option). */
export const DETAIL_OPTION_OVERRUN: u32 = 0x104;

// Skips: one option is dropped and reported (TAG_SKIPPED code).
/** The option's Length is not allowed for its type. */
export const DETAIL_BAD_LENGTH: u32 = 0x110;
/** A Prefix Length over 128. */
export const DETAIL_PREFIX_LENGTH: u32 = 0x111;
/** Route Information with the reserved preference 10 (RFC 4191 section 2.3). */
export const DETAIL_RESERVED_PREFERENCE: u32 = 0x112;
/** A name label of more than 63 bytes, or a compression pointer. */
export const DETAIL_NAME_LABEL: u32 = 0x113;
/** A name byte that is not visible ASCII, or is ".". */
export const DETAIL_NAME_CHARACTER: u32 = 0x114;
/** A name longer than 255 bytes in wire format. */
export const DETAIL_NAME_TOO_LONG: u32 = 0x115;
/** A name running past the end of its field. */
export const DETAIL_NAME_UNTERMINATED: u32 = 0x116;
/** Non-zero bytes after the padding started (or trailing data). */
export const DETAIL_DATA_AFTER_PADDING: u32 = 0x117;
/** A PvD ID or ADN that is the root name. */
export const DETAIL_ROOT_NAME: u32 = 0x118;
/** A PREF64 Prefix Length Code other than 0..5 (RFC 8781 section 4). */
export const DETAIL_PREFIX_LENGTH_CODE: u32 = 0x119;
/** A Captive Portal option without URI. */
export const DETAIL_EMPTY_URI: u32 = 0x11a;
/** A Captive Portal URI byte that is not visible ASCII (or a NUL inside). */
export const DETAIL_URI_CHARACTER: u32 = 0x11b;
/** A PvD option inside a PvD option (RFC 8801 section 3.2). */
export const DETAIL_NESTED_PVD: u32 = 0x11c;
/** A PvD option whose nested options have length 0 or overrun it. */
export const DETAIL_NESTED_FRAMING: u32 = 0x11d;
/** A length field or fixed part running past the end of the option. */
export const DETAIL_FIELD_OVERRUN: u32 = 0x11e;
/** A DNR Addr Length that is 0 or not a multiple of 16. */
export const DETAIL_ADDRESS_LENGTH: u32 = 0x11f;
/** A DNR Service Priority of 0 (SVCB alias mode, which DNR does not support). */
export const DETAIL_ALIAS_MODE: u32 = 0x120;
/** A DNSSL option without any domain name (RFC 8106 section 5.2). */
export const DETAIL_NO_NAMES: u32 = 0x121;
/** A DNR ADN Length that does not match the name it holds. */
export const DETAIL_NAME_LENGTH_MISMATCH: u32 = 0x122;

// ---------------------------------------------------------------------------
// Wire layout

/** ICMPv6 Type of a Router Advertisement (RFC 4861 section 4.2). */
const TYPE_ROUTER_ADVERTISEMENT: i32 = 134;
/** Type, Code, Checksum, Cur Hop Limit, flags, Router Lifetime, Reachable Time, Retrans Timer. */
const RA_HEADER_SIZE: usize = 16;
const RA_CODE_AT: usize = 1;
const RA_HOP_LIMIT_AT: usize = 4;
const RA_FLAGS_AT: usize = 5;

/** Options are counted in units of 8 octets (RFC 4861 section 4.6). */
const UNIT: usize = 8;
/** Type and Length bytes. */
const OPTION_HEADER_SIZE: usize = 2;

const OPTION_SOURCE_LINK_LAYER_ADDRESS: i32 = 1;
const OPTION_TARGET_LINK_LAYER_ADDRESS: i32 = 2;
const OPTION_PREFIX_INFORMATION: i32 = 3;
const OPTION_MTU: i32 = 5;
const OPTION_PVD: i32 = 21;
const OPTION_ROUTE_INFORMATION: i32 = 24;
const OPTION_RDNSS: i32 = 25;
const OPTION_FLAGS_EXPANSION: i32 = 26;
const OPTION_DNSSL: i32 = 31;
const OPTION_CAPTIVE_PORTAL: i32 = 37;
const OPTION_PREF64: i32 = 38;
const OPTION_DNR: i32 = 144;

/** Prefix Information (RFC 4861 section 4.6.2): fixed 32 bytes. */
const PREFIX_INFORMATION_SIZE: usize = 32;
const PREFIX_LENGTH_AT: usize = 2;
const PREFIX_FLAGS_AT: usize = 3;

/** MTU (RFC 4861 section 4.6.4): fixed 8 bytes. */
const MTU_SIZE: usize = 8;
const MTU_AT: usize = 4;

/** Route Information (RFC 4191 section 2.3). */
const ROUTE_MAX_UNITS: usize = 3;
const ROUTE_PREFIX_LENGTH_AT: usize = 2;
const ROUTE_FLAGS_AT: usize = 3;
/** The reserved Prf value (binary 10). */
const PREFERENCE_RESERVED: i32 = 2;

/** RDNSS (RFC 8106 section 5.1): 8 fixed bytes then 16 per address. */
const RDNSS_FIXED_SIZE: usize = 8;
const IPV6_ADDRESS_SIZE: usize = 16;

/** DNSSL (RFC 8106 section 5.2): 8 fixed bytes then names; at least 2 units. */
const DNSSL_NAMES_AT: usize = 8;
const DNSSL_MIN_SIZE: usize = 16;

/** PvD ID (RFC 8801 section 3.1). */
const PVD_FLAGS_AT: usize = 2;
const PVD_SEQUENCE_AT: usize = 4;
const PVD_NAME_AT: usize = 6;
/** R flag in the 16-bit H|L|R|Reserved|Delay field. */
const PVD_FLAG_R: i32 = 0x2000;

/** PREF64 (RFC 8781 section 4): fixed 16 bytes. */
const PREF64_SIZE: usize = 16;
const PREF64_LIFETIME_PLC_AT: usize = 2;
const PREF64_PLC_MASK: i32 = 0x7;
const PREF64_SCALE: u32 = 8;

/** DNR (RFC 9463 section 6.1). */
const DNR_PRIORITY_AT: usize = 2;
const DNR_ADN_LENGTH_AT: usize = 8;
const DNR_ADN_AT: usize = 10;
/** Everything up to a one-label ADN needs two units. */
const DNR_MIN_SIZE: usize = 16;

// ---------------------------------------------------------------------------
// State of the current parse (globals, since core functions do not allocate)

/** Where checkFraming found a problem, and what. */
let framingAt: usize = 0;
let framingCode: i32 = 0;
/** What scanName found: the end of the name (past its zero byte), its labels. */
let nameEnd: usize = 0;
let nameLabels: u32 = 0;
/** What checkDnr found: the parts of the option, for the records. */
let dnrAdnOnly: bool = false;
let dnrAddressesAt: usize = 0;
let dnrAddressesLength: usize = 0;
let dnrParamsAt: usize = 0;
let dnrParamsLength: usize = 0;
/** Where checkPvd found the nested header (if any) and options. */
let pvdHeaderAt: usize = 0;
let pvdOptionsAt: usize = 0;
let pvdNameAt: usize = 0;
let pvdNameLength: usize = 0;
let pvdNameLabels: u32 = 0;

// ---------------------------------------------------------------------------
// Entry points

/**
 * Parses the Router Advertisement in the input (the ICMPv6 message from its
 * Type byte) into records: a TAG_RA_HEADER, then one record per option.
 *
 * @param len Input length in bytes.
 * @returns The byte length of the records, or a negative ErrorCode.
 */
export function parseRouterAdvertisement(len: usize): i32 {
  const status = begin(len);
  if (status != 0) return status;
  beginRecords();
  if (len < RA_HEADER_SIZE) {
    return failWith(ErrorCode.Truncated, len, DETAIL_SHORT_MESSAGE);
  }
  if (byteAt(0) != TYPE_ROUTER_ADVERTISEMENT) {
    return failWith(ErrorCode.UnexpectedCharacter, 0, DETAIL_NOT_ROUTER_ADVERTISEMENT);
  }
  // The framing of every option is checked before anything is written, so a
  // rejected message leaves no half-written records behind.
  const framing = checkFraming(RA_HEADER_SIZE, len);
  if (framing != 0) return failWith(framingCode, framingAt, framing);
  putRecord(TAG_RA_HEADER, <u32> byteAt(RA_CODE_AT), 0, RA_HEADER_SIZE, <u32> byteAt(RA_HOP_LIMIT_AT), <u32> byteAt(RA_FLAGS_AT));
  parseOptions(RA_HEADER_SIZE, len, 0);
  return finishRecords();
}

/**
 * Parses a bare sequence of ND options (no message header) into records.
 *
 * @param len Input length in bytes.
 * @returns The byte length of the records, or a negative ErrorCode.
 */
export function parseNdOptions(len: usize): i32 {
  const status = begin(len);
  if (status != 0) return status;
  beginRecords();
  const framing = checkFraming(0, len);
  if (framing != 0) return failWith(framingCode, framingAt, framing);
  parseOptions(0, len, 0);
  return finishRecords();
}

// ---------------------------------------------------------------------------
// Option walk

/**
 * Checks that the options in [start, end) tile it exactly: every option has
 * its 2-byte header, a non-zero length, and ends by `end`. Returns 0, or a
 * detail id with framingAt/framingCode set.
 */
function checkFraming(start: usize, end: usize): u32 {
  let offset = start;
  // Each pass consumes at least UNIT bytes (a zero length returns).
  while (offset < end) {
    if (end - offset < OPTION_HEADER_SIZE) {
      framingAt = offset;
      framingCode = ErrorCode.Truncated;
      return DETAIL_TRUNCATED_OPTION_HEADER;
    }
    // RFC 4861 section 4.6: "Nodes MUST silently discard an ND packet that
    // contains an option with length zero."
    const units = <usize> byteAt(offset + 1);
    if (units == 0) {
      framingAt = offset;
      framingCode = ErrorCode.UnexpectedCharacter;
      return DETAIL_ZERO_LENGTH;
    }
    // usize arithmetic: 255 * 8 does not wrap.
    const size = units * UNIT;
    if (size > end - offset) {
      framingAt = offset;
      framingCode = ErrorCode.Truncated;
      return DETAIL_OPTION_OVERRUN;
    }
    offset += size;
  }
  return 0;
}

/**
 * Writes the records of the options in [start, end), whose framing
 * checkFraming accepted. `depth` is 1 inside a PvD option.
 */
function parseOptions(start: usize, end: usize, depth: i32): void {
  let offset = start;
  while (offset < end) {
    const size = <usize> byteAt(offset + 1) * UNIT;
    if (size == 0) return; // unreachable after checkFraming; keeps the loop finite
    parseOption(offset, size, byteAt(offset), depth);
    offset += size;
  }
}

/** Writes the record(s) of one option of `size` bytes at `offset`. */
function parseOption(offset: usize, size: usize, type: i32, depth: i32): void {
  let problem: u32 = 0;
  switch (type) {
    case OPTION_PREFIX_INFORMATION: {
      problem = checkPrefixInformation(offset, size);
      if (problem == 0) {
        putRecord(TAG_OPTION, type, offset, size, <u32> byteAt(offset + PREFIX_LENGTH_AT), <u32> byteAt(offset + PREFIX_FLAGS_AT));
      }
      break;
    }
    case OPTION_MTU: {
      // RFC 4861 section 4.6.4: Length 1.
      if (size != MTU_SIZE) problem = DETAIL_BAD_LENGTH;
      else putRecord(TAG_OPTION, type, offset, size, <u32> u32At(offset + MTU_AT), 0);
      break;
    }
    case OPTION_ROUTE_INFORMATION: {
      problem = checkRouteInformation(offset, size);
      if (problem == 0) {
        const preference = (byteAt(offset + ROUTE_FLAGS_AT) >> 3) & 0x3;
        putRecord(TAG_OPTION, type, offset, size, <u32> byteAt(offset + ROUTE_PREFIX_LENGTH_AT), <u32> preference);
      }
      break;
    }
    case OPTION_RDNSS: {
      // RFC 8106 section 5.1: "The minimum value is 3 if one IPv6 address is
      // contained in the option. Every additional RDNSS address increases the
      // length by 2." An even length leaves half an address (CVE-2020-16898).
      const units = size / UNIT;
      if (units < 3 || (units & 1) == 0) problem = DETAIL_BAD_LENGTH;
      else putRecord(TAG_OPTION, type, offset, size, <u32> ((size - RDNSS_FIXED_SIZE) / IPV6_ADDRESS_SIZE), 0);
      break;
    }
    case OPTION_FLAGS_EXPANSION: {
      // RFC 5175 section 4: 48 bits of flags per unit; every length is usable.
      putRecord(TAG_OPTION, type, offset, size, <u32> (size - OPTION_HEADER_SIZE), 0);
      break;
    }
    case OPTION_DNSSL: {
      problem = checkDnssl(offset, size, false);
      if (problem == 0) {
        const index = putRecord(TAG_OPTION, type, offset, size, 0, 0);
        checkDnssl(offset, size, true);
        closeRecord(index);
      }
      break;
    }
    case OPTION_CAPTIVE_PORTAL: {
      problem = checkCaptivePortal(offset, size);
      break;
    }
    case OPTION_PREF64: {
      problem = checkPref64(offset, size);
      break;
    }
    case OPTION_PVD: {
      problem = checkPvd(offset, size, depth);
      if (problem == 0) {
        const flags = u16At(offset + PVD_FLAGS_AT);
        const index = putRecord(TAG_OPTION, type, offset, size, <u32> flags, <u32> u16At(offset + PVD_SEQUENCE_AT));
        putRecord(TAG_DNS_NAME, 0, pvdNameAt, pvdNameLength, pvdNameLabels, 0);
        if (pvdHeaderAt != 0) {
          putRecord(TAG_RA_HEADER, <u32> byteAt(pvdHeaderAt + RA_CODE_AT), pvdHeaderAt, RA_HEADER_SIZE, <u32> byteAt(pvdHeaderAt + RA_HOP_LIMIT_AT), <u32> byteAt(pvdHeaderAt + RA_FLAGS_AT));
        }
        // Globals are reused by the nested options: read them first.
        parseOptions(pvdOptionsAt, offset + size, depth + 1);
        closeRecord(index);
      }
      break;
    }
    case OPTION_DNR: {
      problem = checkDnr(offset, size);
      if (problem == 0) {
        const index = putRecord(TAG_OPTION, type, offset, size, <u32> u16At(offset + DNR_PRIORITY_AT), 0);
        putRecord(TAG_DNS_NAME, 0, offset + DNR_ADN_AT, <usize> u16At(offset + DNR_ADN_LENGTH_AT), nameLabels, 0);
        if (!dnrAdnOnly) {
          putRecord(TAG_DNR_ADDRESSES, 0, dnrAddressesAt, dnrAddressesLength, <u32> (dnrAddressesLength / IPV6_ADDRESS_SIZE), 0);
          putRecord(TAG_DNR_SVC_PARAMS, 0, dnrParamsAt, dnrParamsLength, 0, 0);
        }
        closeRecord(index);
      }
      break;
    }
    default: {
      // Link-layer addresses (1, 2) have a body of any length (RFC 4861
      // section 4.6.1 leaves the format to each link type); unknown types
      // are kept raw, never dropped.
      putRecord(TAG_OPTION, type, offset, size, 0, 0);
    }
  }
  if (problem != 0) putRecord(TAG_SKIPPED, problem, offset, size, <u32> type, 0);
}

// ---------------------------------------------------------------------------
// Per-option checks: each returns 0 or a skip detail id.

/** Prefix Information, RFC 4861 section 4.6.2. */
function checkPrefixInformation(offset: usize, size: usize): u32 {
  // "Length 4"
  if (size != PREFIX_INFORMATION_SIZE) return DETAIL_BAD_LENGTH;
  if (byteAt(offset + PREFIX_LENGTH_AT) > 128) return DETAIL_PREFIX_LENGTH;
  return 0;
}

/** Route Information, RFC 4191 section 2.3. */
function checkRouteInformation(offset: usize, size: usize): u32 {
  const units = size / UNIT;
  // "The Length field is 1, 2, or 3 depending on the Prefix Length. If
  // Prefix Length is greater than 64, then Length must be 3. If Prefix
  // Length is greater than 0, then Length must be 2 or 3."
  if (units > ROUTE_MAX_UNITS) return DETAIL_BAD_LENGTH;
  const prefixLength = byteAt(offset + ROUTE_PREFIX_LENGTH_AT);
  if (prefixLength > 128) return DETAIL_PREFIX_LENGTH;
  if (prefixLength > 64 && units < 3) return DETAIL_BAD_LENGTH;
  if (prefixLength > 0 && units < 2) return DETAIL_BAD_LENGTH;
  // "If the Reserved (10) value is received, the Route Information Option
  // MUST be ignored."
  if (((byteAt(offset + ROUTE_FLAGS_AT) >> 3) & 0x3) == PREFERENCE_RESERVED) {
    return DETAIL_RESERVED_PREFERENCE;
  }
  return 0;
}

/**
 * DNSSL, RFC 8106 section 5.2: names, then zero padding. With `emit`, also
 * writes a TAG_DNS_NAME per name (call it so only after a check passed).
 */
function checkDnssl(offset: usize, size: usize, emit: bool): u32 {
  // "The minimum value is 2 if at least one domain name is contained in
  // the option."
  if (size < DNSSL_MIN_SIZE) return DETAIL_BAD_LENGTH;
  const end = offset + size;
  let at = offset + DNSSL_NAMES_AT;
  let names: u32 = 0;
  while (at < end) {
    if (byteAt(at) == 0) {
      // Zero octets pad the option to its length. A zero where a name would
      // start ends the names: anything non-zero after it is malformed.
      if (!allZero(at, end)) return DETAIL_DATA_AFTER_PADDING;
      break;
    }
    const problem = scanName(at, end);
    if (problem != 0) return problem;
    if (emit) putRecord(TAG_DNS_NAME, 0, at, nameEnd - at, nameLabels, 0);
    names++;
    at = nameEnd; // past at least one label: the loop advances
  }
  if (names == 0) return DETAIL_NO_NAMES;
  return 0;
}

/** Captive Portal, RFC 8910 section 2.3: the URI, then NUL padding. */
function checkCaptivePortal(offset: usize, size: usize): u32 {
  const start = offset + OPTION_HEADER_SIZE;
  const end = offset + size;
  let at = start;
  while (at < end) {
    const c = byteAt(at);
    if (c == 0) break;
    // RFC 3986 URIs are visible ASCII.
    if (c < 0x21 || c > 0x7e) return DETAIL_URI_CHARACTER;
    at++;
  }
  if (at == start) return DETAIL_EMPTY_URI;
  // "padded with NUL (0x00)": a NUL inside the URI would truncate it.
  if (!allZero(at, end)) return DETAIL_URI_CHARACTER;
  putRecord(TAG_OPTION, OPTION_CAPTIVE_PORTAL, offset, size, <u32> (at - start), 0);
  return 0;
}

/** PREF64, RFC 8781 section 4. */
function checkPref64(offset: usize, size: usize): u32 {
  // Section 4: the sender sets Length to 2, and a receiver ignores the
  // option otherwise.
  if (size != PREF64_SIZE) return DETAIL_BAD_LENGTH;
  const field = u16At(offset + PREF64_LIFETIME_PLC_AT);
  const prefixLength = pref64PrefixLength(field & PREF64_PLC_MASK);
  // Section 4: a receiver ignores the option when the Prefix Length Code is
  // not one of the six defined (0 to 5).
  if (prefixLength == 0) return DETAIL_PREFIX_LENGTH_CODE;
  putRecord(TAG_OPTION, OPTION_PREF64, offset, size, <u32> prefixLength, (<u32> field >> 3) * PREF64_SCALE);
  return 0;
}

/** Prefix length for a PREF64 Prefix Length Code, or 0 for 6 and 7. */
function pref64PrefixLength(code: i32): i32 {
  switch (code) {
    case 0:
      return 96;
    case 1:
      return 64;
    case 2:
      return 56;
    case 3:
      return 48;
    case 4:
      return 40;
    case 5:
      return 32;
    default:
      return 0;
  }
}

/**
 * PvD ID, RFC 8801 section 3.1. Sets pvdName*, pvdHeaderAt (0 without R)
 * and pvdOptionsAt.
 */
function checkPvd(offset: usize, size: usize, depth: i32): u32 {
  // RFC 8801 section 3.2: "the PvD option MUST NOT contain further PvD
  // options." One level of nesting is all this parser follows.
  if (depth > 0) return DETAIL_NESTED_PVD;
  const end = offset + size;
  const problem = scanName(offset + PVD_NAME_AT, end);
  if (problem != 0) return problem;
  if (nameLabels == 0) return DETAIL_ROOT_NAME;
  pvdNameAt = offset + PVD_NAME_AT;
  pvdNameLength = nameEnd - pvdNameAt;
  pvdNameLabels = nameLabels;
  // "Padding: Zero or more padding octets to the next 8 octets boundary. It
  // MUST be set to zero by the sender, and ignored by the receiver."
  let at = offset + alignUnit(nameEnd - offset);
  if (at > end) return DETAIL_FIELD_OVERRUN;
  pvdHeaderAt = 0;
  if ((u16At(offset + PVD_FLAGS_AT) & PVD_FLAG_R) != 0) {
    // "RA message header: (16 octets) When the R-flag is set".
    if (end - at < RA_HEADER_SIZE) return DETAIL_FIELD_OVERRUN;
    pvdHeaderAt = at;
    at += RA_HEADER_SIZE;
  }
  pvdOptionsAt = at;
  if (checkFraming(at, end) != 0) return DETAIL_NESTED_FRAMING;
  return 0;
}

/**
 * DNR (encrypted DNS), RFC 9463 section 6.1. Sets dnr* and leaves the ADN's
 * labels in nameLabels.
 */
function checkDnr(offset: usize, size: usize): u32 {
  if (size < DNR_MIN_SIZE) return DETAIL_BAD_LENGTH;
  // Priority 0 would be SVCB alias mode (RFC 9460), which DNR does not
  // support.
  if (u16At(offset + DNR_PRIORITY_AT) == 0) return DETAIL_ALIAS_MODE;
  const end = offset + size;
  const adnLength = <usize> u16At(offset + DNR_ADN_LENGTH_AT);
  let at = offset + DNR_ADN_AT;
  if (adnLength > end - at) return DETAIL_FIELD_OVERRUN;
  const problem = scanName(at, at + adnLength);
  if (problem != 0) return problem;
  const labels = nameLabels;
  if (labels == 0) return DETAIL_ROOT_NAME;
  if (nameEnd != at + adnLength) return DETAIL_NAME_LENGTH_MISMATCH;
  at += adnLength;
  // ADN-only mode: Addr Length, addresses and SvcParams are absent, so
  // only padding follows the ADN.
  if (end - at < UNIT && allZero(at, end)) {
    dnrAdnOnly = true;
    nameLabels = labels;
    return 0;
  }
  dnrAdnOnly = false;
  if (end - at < 2) return DETAIL_FIELD_OVERRUN;
  const addressLength = <usize> u16At(at);
  at += 2;
  // "Addr Length: ... MUST be a multiple of 16."
  if (addressLength == 0 || addressLength % IPV6_ADDRESS_SIZE != 0) return DETAIL_ADDRESS_LENGTH;
  if (addressLength > end - at) return DETAIL_FIELD_OVERRUN;
  dnrAddressesAt = at;
  dnrAddressesLength = addressLength;
  at += addressLength;
  if (end - at < 2) return DETAIL_FIELD_OVERRUN;
  const paramsLength = <usize> u16At(at);
  at += 2;
  if (paramsLength > end - at) return DETAIL_FIELD_OVERRUN;
  dnrParamsAt = at;
  dnrParamsLength = paramsLength;
  at += paramsLength;
  // Only padding to the next unit may follow, and it is zero.
  if (end - at >= UNIT || !allZero(at, end)) return DETAIL_DATA_AFTER_PADDING;
  nameLabels = labels;
  return 0;
}

// ---------------------------------------------------------------------------
// Helpers

/**
 * Checks one uncompressed DNS name starting at `start` that must end (with
 * its zero byte) by `end`. Sets nameEnd and nameLabels; returns 0 or a skip
 * detail id.
 */
function scanName(start: usize, end: usize): u32 {
  switch (scanDnsName(start, end)) {
    case NameProblem.None:
      nameEnd = start + scannedNameLength;
      nameLabels = scannedNameLabels;
      return 0;
    case NameProblem.Unterminated:
      return DETAIL_NAME_UNTERMINATED;
    // Extended label types and compression pointers: RFC 8106 and RFC 8801
    // forbid them ("MUST NOT be used").
    case NameProblem.Compressed:
    case NameProblem.LabelType:
      return DETAIL_NAME_LABEL;
    case NameProblem.Character:
      return DETAIL_NAME_CHARACTER;
    default:
      return DETAIL_NAME_TOO_LONG;
  }
}

/** True if every byte in [start, end) is zero. */
function allZero(start: usize, end: usize): bool {
  for (let at = start; at < end; at++) {
    if (byteAt(at) != 0) return false;
  }
  return true;
}

/** Rounds a byte count up to whole 8-octet units. */
function alignUnit(n: usize): usize {
  return (n + UNIT - 1) & ~(UNIT - 1);
}
