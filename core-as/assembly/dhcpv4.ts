/*
 * DHCPv4 and BOOTP messages (RFC 951, RFC 2131, RFC 2132) and their options,
 * with option overload (RFC 2131 section 4.1, option 52), long options split
 * into several instances (RFC 3396), the domain search list (RFC 3397), the
 * classless static routes (RFC 3442), the captive portal URI (RFC 8910) and
 * encrypted DNS (DNR, RFC 9463 section 5), parsed into the shared record
 * stream of records.ts.
 *
 *   parseDhcpv4(len)         a whole message: the UDP payload, from `op`
 *   parseDhcpv4Options(len)  a bare option sequence (test vectors, fragments)
 *
 * The message (RFC 2131 section 2, figure 1), offsets in bytes:
 *
 *   0 op   1 htype   2 hlen   3 hops   4 xid (4)   8 secs (2)   10 flags (2)
 *   12 ciaddr   16 yiaddr   20 siaddr   24 giaddr   28 chaddr (16)
 *   44 sname (64)   108 file (128)   236 magic cookie 99.130.83.99 (4)
 *   240 options ... up to the end of the UDP payload
 *
 * What rejects the whole input (an error through failWith, detail ids
 * 0x300..0x30f below):
 *   - fewer than the 236 bytes of the fixed BOOTP header;
 *   - hlen over 16, the size of chaddr;
 *   - an option whose length byte, or whose data, runs past the end of the
 *     area it lies in (the options field, or the file or sname field when
 *     overloaded). A message without the End option is accepted when its
 *     last option ends exactly at the end of the area: many clients stop
 *     there, and tshark only notes "End option missing" and decodes on.
 * Zero-length options are legal in DHCPv4 (Rapid Commit, RFC 4039) and cannot
 * loop: every option consumes its two header bytes.
 *
 * A message without the magic cookie is plain BOOTP (RFC 951): the 64-byte
 * `vend` field is not made of DHCP options, so none are parsed and the
 * message record says so (the npm `dhcp` package never checks the cookie and
 * reads options out of BOOTP vendor data).
 *
 * How the options are put together, in this order:
 *   1. Option overload (52) in the options field says that `file` (1),
 *      `sname` (2) or both (3) carry options too. RFC 2131 section 4.1 has
 *      the options field read first (so that the overload is known), then
 *      `file`, then `sname`; each ends at its End option or its end.
 *      An option 52 found inside `file` or `sname` is skipped: the overload
 *      is only read from the options field.
 *   2. Every instance of one option code is concatenated with the others, in
 *      that order, before it is interpreted (RFC 3396): one TAG_OPTION
 *      record per option code, where its first instance lies, with one
 *      TAG_DHCPV4_PART child per instance in order.
 *   3. Each interpreted option is validated over its concatenated data. A
 *      malformed one gets a TAG_SKIPPED child (code = a detail id 0x310..0x3ff
 *      below, start/length = its first instance, a = the option code,
 *      b = the input offset of the fault) and the host leaves it out, as
 *      systemd does; the other options are kept. Unknown options are kept
 *      raw.
 *
 * Reading concatenated data: the parser reads it back from the PART records
 * it has just written in the result region, so it demands, before writing
 * anything, a result region that holds every record it could write (three
 * per option instance at most, counted while framing): the parse never runs
 * with records missing.
 *
 * Names (domain search, DNR authentication domain name) are DNS wire format
 * (RFC 1035 section 3.1). A label byte must be visible ASCII other than "."
 * (0x21..0x7e except 0x2e), as in router_advertisement.ts, so that the host's
 * dotted text is unambiguous and builds back to the same bytes.
 */

import { begin, byteAt, ErrorCode, failWith, needResult, resultByteAt } from "./abi";
import {
  beginRecords,
  closeRecord,
  finishRecords,
  putRecord,
  RECORD_SIZE,
  recordsWritten,
  setRecordA,
  TAG_SKIPPED,
} from "./records";

// ---------------------------------------------------------------------------
// Record tags (high byte 0x03). code/start/length/a/b per tag:

/**
 * The message (parseDhcpv4 only; the first record, every other record is
 * nested in it). code = op; start = 0; length = the whole input.
 * a = flags: bit 0 (MESSAGE_COOKIE) the magic cookie is present, bit 1
 *     (MESSAGE_END) the options field ends with an End option, bits 8..9 the
 *     overload in force (0 none, 1 file, 2 sname, 3 both);
 * b = where the options field's options end: just past its End option, or
 *     the input length without End; the bytes from there on are padding.
 *     236 for BOOTP without cookie (the `vend` field starts there).
 * Header fields are read by the host from the input at their offsets.
 * Besides the options, its children may hold a TAG_SKIPPED record (code
 * DETAIL_OVERLOAD_MISPLACED, start/length = the instance, a = 52, b = its
 * offset) for each option 52 found inside file or sname.
 */
export const TAG_DHCPV4_MESSAGE: u32 = 0x0300;

/**
 * One option after concatenation (RFC 3396), at its first instance.
 * code = option code; start/length = the first instance, code and length
 * bytes included; a = length of the concatenated data; b = the area of the
 * first instance (AREA_OPTIONS 0, AREA_FILE 1, AREA_SNAME 2). children: one
 * TAG_DHCPV4_PART per instance, then a TAG_SKIPPED if the option is malformed.
 */
export const TAG_DHCPV4_OPTION: u32 = 0x0301;

/**
 * One instance's data. code = option code; start/length = the data bytes
 * (after the length byte); a = its area (0 options, 1 file, 2 sname); b = 0.
 */
export const TAG_DHCPV4_PART: u32 = 0x0302;

/** Message flag: the magic cookie 99.130.83.99 is present. */
export const MESSAGE_COOKIE: u32 = 1;
/** Message flag: the options field ends with an End option. */
export const MESSAGE_END: u32 = 2;

/** Areas that carry options, in the order RFC 2131 section 4.1 reads them. */
export const AREA_OPTIONS: u32 = 0;
export const AREA_FILE: u32 = 1;
export const AREA_SNAME: u32 = 2;

// ---------------------------------------------------------------------------
// Detail identifiers (0x300..0x3ff), mirrored as sentences in
// core-as/dhcpv4.ts.

// Errors: the input is rejected (errorOffset says where).
/** Shorter than the 236-byte BOOTP header (offset = the input length). */
export const DETAIL_SHORT_HEADER: u32 = 0x301;
/** hlen over 16 (offset 2). */
export const DETAIL_HLEN: u32 = 0x302;
/** An option overruns the options field (offset = the option). */
export const DETAIL_OVERRUN_OPTIONS: u32 = 0x303;
/** An option overruns the overloaded file field (offset = the option). */
export const DETAIL_OVERRUN_FILE: u32 = 0x304;
/** An option overruns the overloaded sname field (offset = the option). */
export const DETAIL_OVERRUN_SNAME: u32 = 0x305;

// Skips: one option is left out and reported (TAG_SKIPPED code).
/** The concatenated length is not the option's fixed length. */
export const DETAIL_BAD_LENGTH: u32 = 0x310;
/** An address list whose length is not a positive multiple of 4. */
export const DETAIL_NOT_MULTIPLE_OF_4: u32 = 0x311;
/** Shorter than the option's minimum length (RFC 2132). */
export const DETAIL_TOO_SHORT: u32 = 0x312;
/** Interface MTU below 68 (RFC 2132 section 5.1). */
export const DETAIL_MTU_TOO_SMALL: u32 = 0x313;
/** Maximum DHCP message size below 576 (RFC 2132 section 9.10). */
export const DETAIL_MAX_SIZE_TOO_SMALL: u32 = 0x314;
/** Option overload value other than 1, 2 or 3. */
export const DETAIL_BAD_OVERLOAD: u32 = 0x315;
/** Option overload inside the file or sname field. */
export const DETAIL_OVERLOAD_MISPLACED: u32 = 0x316;
/** A classless static route of width over 32 (RFC 3442). */
export const DETAIL_ROUTE_WIDTH: u32 = 0x317;
/** A classless static route cut short by the end of the option. */
export const DETAIL_ROUTE_TRUNCATED: u32 = 0x318;
/** A name cut short by the end of the option. */
export const DETAIL_NAME_TRUNCATED: u32 = 0x319;
/** A label type other than 00 and 11, or a label byte that is not allowed. */
export const DETAIL_NAME_LABEL: u32 = 0x31a;
/** A compression pointer that does not point before where the name went. */
export const DETAIL_NAME_POINTER: u32 = 0x31b;
/** A name longer than 255 bytes in wire format (RFC 1035 section 3.1). */
export const DETAIL_NAME_TOO_LONG: u32 = 0x31c;
/** More compression pointers than the bound below. */
export const DETAIL_NAME_TOO_MANY_POINTERS: u32 = 0x31d;
/** A DNR instance that overruns the option or is shorter than its fields. */
export const DETAIL_DNR_TRUNCATED: u32 = 0x31e;
/** A DNR authentication domain name that is empty, compressed or malformed. */
export const DETAIL_DNR_ADN: u32 = 0x31f;
/** A DNR Addr Length of 0 or not a multiple of 4 (RFC 9463 section 5). */
export const DETAIL_DNR_ADDR_LENGTH: u32 = 0x320;
/** DNR SvcParams that do not split into key, length and value. */
export const DETAIL_DNR_SVC_PARAMS: u32 = 0x321;

// ---------------------------------------------------------------------------
// Layout (RFC 2131 section 2)

const OP_AT: usize = 0;
const HLEN_AT: usize = 2;
const SNAME_AT: usize = 44;
const SNAME_END: usize = 108;
const FILE_AT: usize = 108;
const FILE_END: usize = 236;
const COOKIE_AT: usize = 236;
const OPTIONS_AT: usize = 240;
/** Size of the fixed BOOTP header, up to the vendor/options field. */
const HEADER_SIZE: usize = 236;
const CHADDR_SIZE: i32 = 16;

const OPTION_PAD: i32 = 0;
const OPTION_END: i32 = 255;
const OPTION_OVERLOAD: u32 = 52;

/**
 * Bound on compression pointers followed in one domain search option.
 * Honest lists follow one or two per name; this keeps a hostile list from
 * making the parser walk the option thousands of times.
 */
const MAX_POINTERS: i32 = 256;
/** Longest name in wire format (RFC 1035 section 3.1). */
const MAX_NAME: usize = 255;

// ---------------------------------------------------------------------------
// The areas that carry options, in reading order (at most three).

let areaCount: i32 = 0;
let area0Start: usize = 0;
let area0End: usize = 0;
let area0Kind: u32 = 0;
let area1Start: usize = 0;
let area1End: usize = 0;
let area1Kind: u32 = 0;
let area2Start: usize = 0;
let area2End: usize = 0;
let area2Kind: u32 = 0;

function addArea(start: usize, end: usize, kind: u32): void {
  if (areaCount == 0) {
    area0Start = start;
    area0End = end;
    area0Kind = kind;
  } else if (areaCount == 1) {
    area1Start = start;
    area1End = end;
    area1Kind = kind;
  } else {
    area2Start = start;
    area2End = end;
    area2Kind = kind;
  }
  areaCount++;
}

function areaStart(i: i32): usize {
  return i == 0 ? area0Start : i == 1 ? area1Start : area2Start;
}

function areaEnd(i: i32): usize {
  return i == 0 ? area0End : i == 1 ? area1End : area2End;
}

function areaKind(i: i32): u32 {
  return i == 0 ? area0Kind : i == 1 ? area1Kind : area2Kind;
}

function overrunDetail(kind: u32): u32 {
  if (kind == AREA_FILE) return DETAIL_OVERRUN_FILE;
  if (kind == AREA_SNAME) return DETAIL_OVERRUN_SNAME;
  return DETAIL_OVERRUN_OPTIONS;
}

// ---------------------------------------------------------------------------
// Framing: walks one area, checks that every option fits, counts instances.

/** Non-Pad, non-End instances counted by `frameArea`. */
let instanceCount: usize = 0;
/** Where the last framed area's options ended (past End, or the area end). */
let framedEnd: usize = 0;
/** Whether the last framed area ended with an End option. */
let framedHasEnd: bool = false;
/** Option 52 seen while framing the options field: instances and value. */
let overloadInstances: i32 = 0;
let overloadLength: i32 = 0;
let overloadValue: i32 = 0;

/**
 * Walks the options of [start, end): every option must fit inside it.
 * Returns 0, or the (negative) error.
 */
function frameArea(start: usize, end: usize, kind: u32): i32 {
  let pos = start;
  framedHasEnd = false;
  // Every iteration consumes at least one byte.
  while (pos < end) {
    const code = byteAt(pos);
    if (code == OPTION_PAD) {
      // Pad is a single byte with no length (RFC 2132 section 3.1); the npm
      // `dhcp` package skips the byte after it and loses the next option.
      pos++;
      continue;
    }
    if (code == OPTION_END) {
      framedHasEnd = true;
      framedEnd = pos + 1;
      return 0;
    }
    if (pos + 1 >= end) {
      return failWith(ErrorCode.Truncated, pos, overrunDetail(kind));
    }
    const length = <usize> byteAt(pos + 1);
    if (length > end - pos - 2) {
      return failWith(ErrorCode.Truncated, pos, overrunDetail(kind));
    }
    if (<u32> code == OPTION_OVERLOAD && kind == AREA_OPTIONS) {
      overloadInstances++;
      overloadLength += <i32> length;
      if (length == 1) overloadValue = byteAt(pos + 2);
    }
    instanceCount++;
    pos += 2 + length;
  }
  framedEnd = end;
  return 0;
}

// ---------------------------------------------------------------------------
// Option codes already emitted: a 256-bit set in four globals (no memory).

let seen0: u64 = 0;
let seen1: u64 = 0;
let seen2: u64 = 0;
let seen3: u64 = 0;

function clearSeen(): void {
  seen0 = 0;
  seen1 = 0;
  seen2 = 0;
  seen3 = 0;
}

/** Marks `code` as emitted; returns whether it already was. */
function markSeen(code: u32): bool {
  const bit: u64 = (<u64> 1) << (<u64> (code & 63));
  const word = code >> 6;
  let old: u64 = 0;
  if (word == 0) {
    old = seen0;
    seen0 = old | bit;
  } else if (word == 1) {
    old = seen1;
    seen1 = old | bit;
  } else if (word == 2) {
    old = seen2;
    seen2 = old | bit;
  } else {
    old = seen3;
    seen3 = old | bit;
  }
  return (old & bit) != 0;
}

// ---------------------------------------------------------------------------
// Reading an option's concatenated data back through its PART records.

/** Record index of the option's first PART and how many there are. */
let partFirst: usize = 0;
let partCount: usize = 0;
/** Cursor cache: part index and the logical offset where it starts. */
let cursorPart: usize = 0;
let cursorBase: usize = 0;

function resultU32(at: usize): u32 {
  // Records lie inside the region: beginOptions demanded room for all.
  return <u32> resultByteAt(at) | (<u32> resultByteAt(at + 1) << 8) |
    (<u32> resultByteAt(at + 2) << 16) | (<u32> resultByteAt(at + 3) << 24);
}

function partStart(index: usize): usize {
  return <usize> resultU32((partFirst + index) * RECORD_SIZE + 4);
}

function partLength(index: usize): usize {
  return <usize> resultU32((partFirst + index) * RECORD_SIZE + 8);
}

function beginData(first: usize, count: usize): void {
  partFirst = first;
  partCount = count;
  cursorPart = 0;
  cursorBase = 0;
}

/**
 * Input offset of byte `k` of the concatenated data, or -1 past its end.
 * Reading forward costs O(1) amortised; a jump back rescans the parts.
 */
function dataOffset(k: usize): i64 {
  if (k < cursorBase) {
    cursorPart = 0;
    cursorBase = 0;
  }
  while (cursorPart < partCount) {
    const length = partLength(cursorPart);
    if (k - cursorBase < length) {
      return <i64> (partStart(cursorPart) + (k - cursorBase));
    }
    cursorBase += length;
    cursorPart++;
  }
  return -1;
}

/** Byte `k` of the concatenated data, or -1 past its end. */
function dataByte(k: usize): i32 {
  const at = dataOffset(k);
  return at < 0 ? -1 : byteAt(<usize> at);
}

/** Big-endian u16 at `k` of the concatenated data, or -1. */
function dataU16(k: usize): i32 {
  const hi = dataByte(k);
  const lo = dataByte(k + 1);
  if (hi < 0 || lo < 0) return -1;
  return (hi << 8) | lo;
}

// ---------------------------------------------------------------------------
// Validation of interpreted options over their concatenated data.

/** Logical offset of the fault found by the last failing check. */
let faultAt: usize = 0;

function fault(detail: u32, at: usize): u32 {
  faultAt = at;
  return detail;
}

/** The fixed data length of an option code, or -1 if it has none. */
function fixedLength(code: u32): i32 {
  switch (code) {
    case 1: // Subnet Mask
    case 28: // Broadcast Address
    case 50: // Requested IP Address
    case 51: // IP Address Lease Time
    case 54: // Server Identifier
    case 58: // Renewal (T1) Time Value
    case 59: // Rebinding (T2) Time Value
      return 4;
    case 26: // Interface MTU
    case 57: // Maximum DHCP Message Size
      return 2;
    case 52: // Option Overload
    case 53: // DHCP Message Type
      return 1;
  }
  return -1;
}

function isLabelByte(c: i32): bool {
  return c >= 0x21 && c <= 0x7e && c != 0x2e;
}

/**
 * Checks the names of a domain search option (RFC 3397): DNS wire
 * format whose compression pointers are offsets into the concatenated data
 * (RFC 3397). A pointer must point before every place the name
 * has been read from so far, so each jump lands strictly lower: no forward
 * pointer, no pointer to itself, no loop. Returns 0 or a detail.
 */
function checkDomainSearch(total: usize): u32 {
  let next: usize = 0;
  let pointers: i32 = 0;
  // Each name consumes at least one byte of the top-level list.
  while (next < total) {
    let at = next;
    let lowest = next; // the lowest offset this name has been read from
    let jumped = false;
    let wire: usize = 0;
    // Bounded: labels move forward and are capped by MAX_NAME; pointers
    // move strictly down and are capped by MAX_POINTERS.
    while (true) {
      const b = dataByte(at);
      if (b < 0) return fault(DETAIL_NAME_TRUNCATED, at);
      if (b == 0) {
        if (!jumped) next = at + 1;
        break;
      }
      const kind = b & 0xc0;
      if (kind == 0xc0) {
        const low = dataByte(at + 1);
        if (low < 0) return fault(DETAIL_NAME_TRUNCATED, at);
        const target = <usize> (((b & 0x3f) << 8) | low);
        // RFC 1035 section 4.1.4 points back to an earlier occurrence.
        if (target >= lowest) return fault(DETAIL_NAME_POINTER, at);
        if (++pointers > MAX_POINTERS) {
          return fault(DETAIL_NAME_TOO_MANY_POINTERS, at);
        }
        if (!jumped) next = at + 2;
        jumped = true;
        lowest = target;
        at = target;
        continue;
      }
      if (kind != 0) return fault(DETAIL_NAME_LABEL, at);
      const length = <usize> b;
      wire += length + 1;
      if (wire + 1 > MAX_NAME) return fault(DETAIL_NAME_TOO_LONG, at);
      for (let i: usize = 1; i <= length; i++) {
        const c = dataByte(at + i);
        if (c < 0) return fault(DETAIL_NAME_TRUNCATED, at);
        if (!isLabelByte(c)) return fault(DETAIL_NAME_LABEL, at + i);
      }
      at += 1 + length;
    }
  }
  return 0;
}

/**
 * Checks classless static routes (RFC 3442): a width 0..32, the
 * significant octets of the destination (width / 8 rounded up), then the
 * 4-byte router, repeated to the end of the option.
 */
function checkStaticRoutes(total: usize): u32 {
  if (total < 5) return fault(DETAIL_TOO_SHORT, 0);
  let at: usize = 0;
  while (at < total) {
    const width = dataByte(at);
    if (width > 32) return fault(DETAIL_ROUTE_WIDTH, at);
    const significant = <usize> ((width + 7) >> 3);
    if (total - at < 1 + significant + 4) {
      return fault(DETAIL_ROUTE_TRUNCATED, at);
    }
    at += 1 + significant + 4;
  }
  return 0;
}

/**
 * Checks an uncompressed name that must fill [at, end) exactly, as the DNR
 * authentication domain name does: a fully qualified name in the wire
 * format of RFC 1035 section 3.1, without compression (RFC 9463 section 5).
 */
function checkPlainName(at: usize, end: usize): u32 {
  let pos = at;
  while (pos < end) {
    const length = dataByte(pos);
    if (length == 0) {
      if (pos == at) return fault(DETAIL_DNR_ADN, pos); // the root alone
      return pos + 1 == end ? 0 : fault(DETAIL_DNR_ADN, pos);
    }
    if ((length & 0xc0) != 0) return fault(DETAIL_DNR_ADN, pos);
    if (pos + 1 + <usize> length > end) return fault(DETAIL_DNR_ADN, pos);
    for (let i: usize = 1; i <= <usize> length; i++) {
      if (!isLabelByte(dataByte(pos + i))) return fault(DETAIL_DNR_ADN, pos + i);
    }
    pos += 1 + <usize> length;
  }
  return fault(DETAIL_DNR_ADN, at); // no terminating zero
}

/**
 * Checks an encrypted DNS option (RFC 9463 section 5): one or more DNR
 * instances, each
 *   DNR Instance Data Length (2) | Service Priority (2) | ADN Length (1) |
 *   ADN | [ Addr Length (1) | IPv4 addresses | SvcParams ]
 * where the bracketed part is absent in ADN-only mode.
 */
function checkDnr(total: usize): u32 {
  if (total == 0) return fault(DETAIL_TOO_SHORT, 0);
  let at: usize = 0;
  while (at < total) {
    if (total - at < 2) return fault(DETAIL_DNR_TRUNCATED, at);
    const length = <usize> dataU16(at);
    const end = at + 2 + length;
    if (end > total || length < 3) return fault(DETAIL_DNR_TRUNCATED, at);
    const adnLength = <usize> dataByte(at + 4);
    let pos = at + 5;
    if (adnLength > end - pos) return fault(DETAIL_DNR_TRUNCATED, at + 4);
    // The ADN is mandatory in every instance (RFC 9463 section 5).
    if (adnLength == 0) return fault(DETAIL_DNR_ADN, at + 4);
    const adn = checkPlainName(pos, pos + adnLength);
    if (adn != 0) return adn;
    pos += adnLength;
    if (pos < end) {
      // "When present, it MUST be a multiple of 4" (Addr Length); and not
      // in ADN-only mode, at least one address.
      const addrLength = <usize> dataByte(pos);
      if (addrLength == 0 || (addrLength & 3) != 0 || addrLength > end - pos - 1) {
        return fault(DETAIL_DNR_ADDR_LENGTH, pos);
      }
      pos += 1 + addrLength;
      // SvcParams: SvcParamKey (2), SvcParamValue length (2), value.
      while (pos < end) {
        if (end - pos < 4) return fault(DETAIL_DNR_SVC_PARAMS, pos);
        const valueLength = <usize> dataU16(pos + 2);
        if (valueLength > end - pos - 4) return fault(DETAIL_DNR_SVC_PARAMS, pos);
        pos += 4 + valueLength;
      }
    }
    at = end;
  }
  return 0;
}

/** Validates option `code` over its concatenated data; 0 or a detail. */
function checkOption(code: u32, total: usize): u32 {
  faultAt = 0;
  const fixed = fixedLength(code);
  if (fixed >= 0 && total != <usize> fixed) return fault(DETAIL_BAD_LENGTH, 0);
  switch (code) {
    case 3: // Router
    case 6: // Domain Name Server
      if (total == 0 || (total & 3) != 0) return fault(DETAIL_NOT_MULTIPLE_OF_4, 0);
      return 0;
    case 12: // Host Name: "minimum length is 1" (RFC 2132 section 3.14)
    case 15: // Domain Name (section 3.17)
    case 55: // Parameter Request List (section 9.8)
    case 60: // Vendor class identifier (section 9.13)
    case 114: // Captive portal URI (RFC 8910 section 2.1)
      if (total < 1) return fault(DETAIL_TOO_SHORT, 0);
      return 0;
    case 61: // Client-identifier: "minimum length is 2" (section 9.14)
      if (total < 2) return fault(DETAIL_TOO_SHORT, 0);
      return 0;
    case 26: // "The minimum legal value for the MTU is 68" (section 5.1)
      if (dataU16(0) < 68) return fault(DETAIL_MTU_TOO_SMALL, 0);
      return 0;
    case 57: // "The minimum legal value is 576 octets" (section 9.10)
      if (dataU16(0) < 576) return fault(DETAIL_MAX_SIZE_TOO_SMALL, 0);
      return 0;
    case 52: {
      const value = dataByte(0);
      if (value < 1 || value > 3) return fault(DETAIL_BAD_OVERLOAD, 0);
      return 0;
    }
    case 119:
      if (total < 1) return fault(DETAIL_TOO_SHORT, 0);
      return checkDomainSearch(total);
    case 121:
      return checkStaticRoutes(total);
    case 162:
      return checkDnr(total);
  }
  return 0;
}

// ---------------------------------------------------------------------------
// Emitting the options of every area.

/**
 * Finds the instance after `pos` in area `area` (or in a later area) whose
 * code is `code`, skipping option 52 outside the options field. Sets
 * `scanArea` / `scanPos` and returns true, or returns false at the end.
 * Framing already checked every length, so reads stay in bounds.
 */
let scanArea: i32 = 0;
let scanPos: usize = 0;

function nextInstance(code: u32): bool {
  while (scanArea < areaCount) {
    const end = areaEnd(scanArea);
    while (scanPos < end) {
      const c = byteAt(scanPos);
      if (c == OPTION_END) break;
      if (c == OPTION_PAD) {
        scanPos++;
        continue;
      }
      const at = scanPos;
      scanPos += 2 + <usize> byteAt(at + 1);
      if (<u32> c != code) continue;
      if (code == OPTION_OVERLOAD && areaKind(scanArea) != AREA_OPTIONS) continue;
      scanPos = at; // report this one; the caller steps over it
      return true;
    }
    scanArea++;
    if (scanArea < areaCount) scanPos = areaStart(scanArea);
  }
  return false;
}

/** Writes the records of the options of every area, in reading order. */
function emitOptions(): void {
  clearSeen();
  for (let area = 0; area < areaCount; area++) {
    const end = areaEnd(area);
    const kind = areaKind(area);
    let pos = areaStart(area);
    while (pos < end) {
      const code = byteAt(pos);
      if (code == OPTION_END) break;
      if (code == OPTION_PAD) {
        pos++;
        continue;
      }
      const length = <usize> byteAt(pos + 1);
      const at = pos;
      pos += 2 + length;
      if (<u32> code == OPTION_OVERLOAD && kind != AREA_OPTIONS) {
        // RFC 2131 section 4.1 reads the overload from the options field.
        putRecord(TAG_SKIPPED, DETAIL_OVERLOAD_MISPLACED, at, 2 + length, <u32> code, <u32> at);
        continue;
      }
      if (markSeen(<u32> code)) continue; // concatenated into an earlier one
      const option = putRecord(TAG_DHCPV4_OPTION, <u32> code, at, 2 + length, 0, kind);
      // Every instance of this code from here on, in reading order.
      const first = recordsWritten();
      let total: usize = 0;
      scanArea = area;
      scanPos = at;
      while (nextInstance(<u32> code)) {
        const dataLength = <usize> byteAt(scanPos + 1);
        putRecord(TAG_DHCPV4_PART, <u32> code, scanPos + 2, dataLength, areaKind(scanArea), 0);
        total += dataLength;
        scanPos += 2 + dataLength;
      }
      setRecordA(option, <u32> total);
      beginData(first, recordsWritten() - first);
      const detail = checkOption(<u32> code, total);
      if (detail != 0) {
        const faultOffset = dataOffset(faultAt);
        const where = faultOffset < 0 ? at : <usize> faultOffset;
        putRecord(TAG_SKIPPED, detail, at, 2 + length, <u32> code, <u32> where);
      }
      closeRecord(option);
    }
  }
}

/** Resets the per-parse state. */
function resetState(): void {
  areaCount = 0;
  instanceCount = 0;
  framedEnd = 0;
  framedHasEnd = false;
  overloadInstances = 0;
  overloadLength = 0;
  overloadValue = 0;
}

/** Demands room for every record the options can produce (see the top). */
function reserveRecords(extra: usize): i32 {
  return needResult((extra + 3 * instanceCount) * RECORD_SIZE);
}

// ---------------------------------------------------------------------------
// Entry points

/**
 * Parses a DHCPv4/BOOTP message (the UDP payload) of `len` input bytes.
 * Returns the byte length of the records, or an ErrorCode.
 */
export function parseDhcpv4(len: usize): i32 {
  const status = begin(len);
  if (status < 0) return status;
  beginRecords();
  resetState();
  if (len < HEADER_SIZE) {
    return failWith(ErrorCode.Truncated, len, DETAIL_SHORT_HEADER);
  }
  if (byteAt(HLEN_AT) > CHADDR_SIZE) {
    // A byte that is not allowed there: SyntaxError on the host, like the
    // other faults that make the bytes unparseable.
    return failWith(ErrorCode.UnexpectedCharacter, HLEN_AT, DETAIL_HLEN);
  }
  const cookie = len >= OPTIONS_AT && byteAt(COOKIE_AT) == 99 &&
    byteAt(COOKIE_AT + 1) == 130 && byteAt(COOKIE_AT + 2) == 83 &&
    byteAt(COOKIE_AT + 3) == 99;
  let flags: u32 = 0;
  let optionsEnd: usize = COOKIE_AT;
  let overload: u32 = 0;
  if (cookie) {
    flags |= MESSAGE_COOKIE;
    const framed = frameArea(OPTIONS_AT, len, AREA_OPTIONS);
    if (framed < 0) return framed;
    optionsEnd = framedEnd;
    if (framedHasEnd) flags |= MESSAGE_END;
    addArea(OPTIONS_AT, optionsEnd, AREA_OPTIONS);
    // The overload is in force only when the options field's option 52 is
    // well formed (its instances concatenated are one byte, 1..3); a
    // malformed one is reported by checkOption and overloads nothing.
    if (overloadLength == 1 && overloadValue >= 1 && overloadValue <= 3) {
      overload = <u32> overloadValue;
    }
    // RFC 2131 section 4.1: the options field first, then file, then
    // sname, whatever their order in the header.
    if ((overload & 1) != 0) {
      const f = frameArea(FILE_AT, FILE_END, AREA_FILE);
      if (f < 0) return f;
      addArea(FILE_AT, framedEnd, AREA_FILE);
    }
    if ((overload & 2) != 0) {
      const s = frameArea(SNAME_AT, SNAME_END, AREA_SNAME);
      if (s < 0) return s;
      addArea(SNAME_AT, framedEnd, AREA_SNAME);
    }
  }
  const room = reserveRecords(1);
  if (room < 0) return room;
  const message = putRecord(
    TAG_DHCPV4_MESSAGE,
    <u32> byteAt(OP_AT),
    0,
    len,
    flags | (overload << 8),
    <u32> optionsEnd,
  );
  emitOptions();
  closeRecord(message);
  return finishRecords();
}

/**
 * Parses a bare sequence of DHCPv4 options of `len` input bytes (Pad and
 * End allowed; bytes after End are ignored). Option 52 is validated but
 * overloads nothing: there is no file or sname field. Returns the byte
 * length of the records, or an ErrorCode.
 */
export function parseDhcpv4Options(len: usize): i32 {
  const status = begin(len);
  if (status < 0) return status;
  beginRecords();
  resetState();
  const framed = frameArea(0, len, AREA_OPTIONS);
  if (framed < 0) return framed;
  addArea(0, framedEnd, AREA_OPTIONS);
  const room = reserveRecords(0);
  if (room < 0) return room;
  emitOptions();
  return finishRecords();
}
