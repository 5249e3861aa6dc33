/*
 * DHCPv6 messages and options (RFC 8415), parsed into the shared record
 * stream (records.ts). The TypeScript binding is core-as/dhcpv6.ts.
 *
 *   parseDhcpv6Message(len)  the input is one UDP payload: a client/server
 *                            message or a Relay-forward / Relay-reply, with
 *                            relayed messages parsed recursively
 *   parseDhcpv6Options(len)  the input is a bare option sequence (the body
 *                            of a message, or a fragment of one)
 *
 * Both validate the whole input and write records in input order. The
 * record stream is the only result; every record's bytes lie in the input.
 *
 * Tags (high byte 0x02) and what code / a / b mean for each:
 *
 *   TAG_MESSAGE    0x0201  client/server message (RFC 8415 section 8)
 *                          code = msg-type, a = transaction-id (24 bits),
 *                          b = nesting depth (0 outermost, +1 per Relay
 *                          Message option); children = its options
 *   TAG_RELAY      0x0202  Relay-forward / Relay-reply (section 9)
 *                          code = msg-type (12 or 13), a = hop-count,
 *                          b = nesting depth; link-address at start + 2,
 *                          peer-address at start + 18; children = options
 *   TAG_OPTION     0x0203  an option (section 21), start = its option-code
 *                          code = option-code, a = option-len, b = 0;
 *                          children = what the body holds: a TAG_DUID
 *                          (options 1, 2), encapsulated TAG_OPTIONs
 *                          (3, 4, 5, 25, 26), a TAG_MESSAGE / TAG_RELAY
 *                          (9), TAG_FIELD class data (15, 16), TAG_NAMEs
 *                          (21, 24, 64), TAG_SUBOPTIONs (56), or TAG_NAME
 *                          then two TAG_FIELDs unless ADN-only (144).
 *                          Fixed fields are read by the host from the
 *                          input, whose length this parser has checked.
 *   TAG_DUID       0x0204  a DUID (section 11), start = its type code
 *                          code = DUID type, a = hardware type (DUID-LLT,
 *                          DUID-LL) or enterprise-number (DUID-EN), else 0;
 *                          b = time (DUID-LLT), else 0
 *   TAG_NAME       0x0205  a domain name in DNS wire format (section 10),
 *                          start/length = its labels and terminating zero
 *                          code = 0, a = number of labels, b = 0
 *   TAG_SUBOPTION  0x0206  an NTP server suboption (RFC 5908 section 4)
 *                          code = suboption-code, a = suboption-len, b = 0;
 *                          the FQDN suboption (3) has a TAG_NAME child
 *   TAG_FIELD      0x0207  a variable-length field inside an option
 *                          code = FIELD_CLASS_DATA (one user-class-data or
 *                          vendor-class-data item, start after its length),
 *                          FIELD_DNR_ADDRESSES (the ipv6-address(es) of a
 *                          DNR option, a = count) or FIELD_DNR_SVC_PARAMS
 *                          (the SvcParams, possibly empty); a = 0 otherwise
 *   TAG_SKIPPED    0x0001  (records.ts) an option or suboption whose body is
 *                          malformed, skipped with the rest kept: code =
 *                          detail (table below), start/length = the whole
 *                          option, a = its option-code (or suboption-code)
 *
 * Rejections (the message is meaningless or unsafe to walk) and skips (one
 * option is malformed, the rest stands) follow the rule of systemd's
 * ndisc-option.c that STYLE.md holds up:
 *
 *   - An option header or body that overruns its container (the message, or
 *     the option that encapsulates it) rejects the whole input: a reader that
 *     trusted option-len overran its buffer in systemd (CVE-2018-15688), RIOT,
 *     edk2 and OpenBSD (IA_NA / IAPREFIX), so nothing after it can be placed.
 *   - Relayed messages nest at most HOP_COUNT_LIMIT (8) deep: RFC 8415
 *     section 19.1.1 has relay agents discard a Relay-forward whose hop-count
 *     reached it, so deeper nesting never comes from a conforming relay chain
 *     (odhcpd#401 recursed without a bound). Encapsulated options nest at most
 *     MAX_OPTION_DEPTH deep, which every option of RFC 8415 fits.
 *   - A Relay-forward / Relay-reply without a Relay Message option, or whose
 *     relayed message does not parse, is rejected: section 9 says the option
 *     "MUST be included", and the relay exists only to carry it.
 *   - A known option whose body is malformed (wrong fixed length, odd Option
 *     Request, bad DUID, bad domain name, invalid UTF-8 status message, ...)
 *     is skipped with a TAG_SKIPPED record; an unknown option is kept raw.
 *
 * Every rejection is ErrorCode.Truncated (an overrun, a short header, a
 * relay without its Relay Message option) or ErrorCode.UnexpectedCharacter
 * (nesting past a limit), so the host reports all of them as a SyntaxError.
 *
 * Details (errorDetail() for rejections, the code of TAG_SKIPPED records for
 * skips), mirrored as message templates in core-as/dhcpv6.ts:
 *
 *   0x201  message shorter than its 4-byte header
 *   0x202  relay message shorter than its 34-byte header
 *   0x203  option (header or body) overruns the message
 *   0x204  option (header or body) overruns its enclosing option
 *   0x205  Relay Message option nests deeper than HOP_COUNT_LIMIT
 *   0x206  encapsulated options nest deeper than MAX_OPTION_DEPTH
 *   0x207  relay message without a Relay Message option
 *   0x208  option (header or body) overruns a bare option sequence
 *   0x220  skip: option-len differs from the option's fixed length
 *   0x221  skip: option-len shorter than the option's fixed fields
 *   0x222  skip: option-len not a multiple of the option's item size
 *   0x223  skip: DUID shorter than its type requires (or not 16 + 2 bytes
 *          for DUID-UUID), or of 0 or more than 128 bytes after the type
 *   0x224  skip: domain name runs past the end of its field
 *   0x225  skip: domain name uses a compression pointer
 *   0x226  skip: domain name has a label length with reserved bits 01 or 10
 *   0x227  skip: domain name longer than 255 bytes
 *   0x228  skip: domain name label holds a byte outside visible ASCII or a dot
 *   0x229  skip: domain name does not fill its field exactly
 *   0x22a  skip: status message is not UTF-8
 *   0x22b  skip: prefix-length over 128
 *   0x22c  skip: class data item overruns the option
 *   0x22d  skip: URI empty or holding a byte outside visible ASCII
 *   0x22e  skip: DNR ADN length overruns the option, or the ADN is the root
 *   0x22f  skip: DNR Addr Length truncated, zero, not a multiple of 16 or
 *          overrunning the option
 *   0x230  skip: DNR SvcParams not a sequence of key, length, value
 *   0x231  skip: User Class without any user-class-data item
 */

import { NameProblem, scanDnsName, scannedNameLabels, scannedNameLength } from "./dns_name";
import { begin, byteAt, ErrorCode, failWith, inputLength, u16At, u32At } from "./abi";
import { beginRecords, closeRecord, finishRecords, putRecord, TAG_SKIPPED } from "./records";

// ---------------------------------------------------------------------------
// Tags, fields and details (see the table above)

const TAG_MESSAGE: u32 = 0x0201;
const TAG_RELAY: u32 = 0x0202;
const TAG_OPTION: u32 = 0x0203;
const TAG_DUID: u32 = 0x0204;
const TAG_NAME: u32 = 0x0205;
const TAG_SUBOPTION: u32 = 0x0206;
const TAG_FIELD: u32 = 0x0207;

const FIELD_CLASS_DATA: u32 = 1;
const FIELD_DNR_ADDRESSES: u32 = 2;
const FIELD_DNR_SVC_PARAMS: u32 = 3;

const DETAIL_MESSAGE_TRUNCATED: u32 = 0x201;
const DETAIL_RELAY_TRUNCATED: u32 = 0x202;
const DETAIL_OVERRUNS_MESSAGE: u32 = 0x203;
const DETAIL_OVERRUNS_OPTION: u32 = 0x204;
const DETAIL_RELAY_TOO_DEEP: u32 = 0x205;
const DETAIL_OPTIONS_TOO_DEEP: u32 = 0x206;
const DETAIL_NO_RELAY_MESSAGE: u32 = 0x207;
const DETAIL_OVERRUNS_OPTIONS: u32 = 0x208;
const DETAIL_FIXED_LENGTH: u32 = 0x220;
const DETAIL_TOO_SHORT: u32 = 0x221;
const DETAIL_NOT_MULTIPLE: u32 = 0x222;
const DETAIL_DUID_LENGTH: u32 = 0x223;
const DETAIL_NAME_OVERRUN: u32 = 0x224;
const DETAIL_NAME_COMPRESSED: u32 = 0x225;
const DETAIL_NAME_LABEL_TYPE: u32 = 0x226;
const DETAIL_NAME_TOO_LONG: u32 = 0x227;
const DETAIL_NAME_CHARACTER: u32 = 0x228;
const DETAIL_NAME_TRAILING: u32 = 0x229;
const DETAIL_NOT_UTF8: u32 = 0x22a;
const DETAIL_PREFIX_LENGTH: u32 = 0x22b;
const DETAIL_CLASS_DATA: u32 = 0x22c;
const DETAIL_URI: u32 = 0x22d;
const DETAIL_DNR_ADN: u32 = 0x22e;
const DETAIL_DNR_ADDRESSES: u32 = 0x22f;
const DETAIL_DNR_SVC_PARAMS: u32 = 0x230;
const DETAIL_NO_CLASS_DATA: u32 = 0x231;

// ---------------------------------------------------------------------------
// Wire layout

/** Message types with the relay layout (section 9). */
const MSG_RELAY_FORW: i32 = 12;
const MSG_RELAY_REPL: i32 = 13;

/** Client/server header (section 8): msg-type, transaction-id (3 bytes). */
const CLIENT_HEADER: usize = 4;
/** Relay header (section 9): msg-type, hop-count, link-address, peer-address. */
const HOP_COUNT_AT: usize = 1;
const RELAY_HEADER: usize = 34;
/** Option header (section 21.1): option-code, option-len. */
const OPTION_LEN_AT: usize = 2;
const OPTION_HEADER: usize = 4;

/** Section 7.6: HOP_COUNT_LIMIT, the most relay agents a message crosses. */
const HOP_COUNT_LIMIT: u32 = 8;
/**
 * Nesting of encapsulated options within one message. RFC 8415 needs 3
 * (IA_NA, IA Address, Status Code); the bound only stops a crafted input
 * from recursing without end.
 */
const MAX_OPTION_DEPTH: u32 = 8;

const IPV6_ADDRESS: usize = 16;
/** Section 11.1: a DUID holds its 2-byte type, then 1 to 128 bytes. */
const DUID_TYPE: usize = 2;
const DUID_MAX_IDENTIFIER: usize = 128;

// Option codes (IANA "Option Codes" registry) parsed beyond raw bytes.
const OPTION_CLIENTID: i32 = 1;
const OPTION_SERVERID: i32 = 2;
const OPTION_IA_NA: i32 = 3;
const OPTION_IA_TA: i32 = 4;
const OPTION_IAADDR: i32 = 5;
const OPTION_ORO: i32 = 6;
const OPTION_PREFERENCE: i32 = 7;
const OPTION_ELAPSED_TIME: i32 = 8;
const OPTION_RELAY_MSG: i32 = 9;
const OPTION_AUTH: i32 = 11;
const OPTION_UNICAST: i32 = 12;
const OPTION_STATUS_CODE: i32 = 13;
const OPTION_RAPID_COMMIT: i32 = 14;
const OPTION_USER_CLASS: i32 = 15;
const OPTION_VENDOR_CLASS: i32 = 16;
const OPTION_VENDOR_OPTS: i32 = 17;
const OPTION_RECONF_MSG: i32 = 19;
const OPTION_RECONF_ACCEPT: i32 = 20;
const OPTION_SIP_SERVER_D: i32 = 21;
const OPTION_SIP_SERVER_A: i32 = 22;
const OPTION_DNS_SERVERS: i32 = 23;
const OPTION_DOMAIN_LIST: i32 = 24;
const OPTION_IA_PD: i32 = 25;
const OPTION_IAPREFIX: i32 = 26;
const OPTION_SNTP_SERVERS: i32 = 31;
const OPTION_INFORMATION_REFRESH_TIME: i32 = 32;
const OPTION_NTP_SERVER: i32 = 56;
const OPTION_AFTR_NAME: i32 = 64;
const OPTION_SOL_MAX_RT: i32 = 82;
const OPTION_INF_MAX_RT: i32 = 83;
const OPTION_V6_CAPTIVE_PORTAL: i32 = 103;
const OPTION_V6_DNR: i32 = 144;

// Fixed parts of option bodies (RFC 8415 section 21 unless noted).
/** IA_NA / IA_PD: IAID, T1, T2. */
const IA_FIXED: usize = 12;
/** IA_TA: IAID. */
const IA_TA_FIXED: usize = 4;
/** IA Address: IPv6-address, preferred-lifetime, valid-lifetime. */
const IAADDR_FIXED: usize = 24;
/** IA Prefix: preferred-lifetime, valid-lifetime, prefix-length, prefix. */
const IAPREFIX_FIXED: usize = 25;
const IAPREFIX_LENGTH_AT: usize = 8;
/** Authentication: protocol, algorithm, RDM, replay detection (8). */
const AUTH_FIXED: usize = 11;
/** Status Code: status-code, then the message. */
const STATUS_FIXED: usize = 2;
/** Vendor Class / Vendor-specific Information: enterprise-number. */
const ENTERPRISE_FIXED: usize = 4;
/** DNR (RFC 9463 section 4.1): Service Priority, ADN Length. */
const DNR_FIXED: usize = 4;
const DNR_ADN_LENGTH_AT: usize = 2;

// DUID types (section 11.2, RFC 6355) and their minimum total lengths.
const DUID_LLT: i32 = 1;
const DUID_EN: i32 = 2;
const DUID_LL: i32 = 3;
const DUID_UUID: i32 = 4;
/** Type, hardware type, time, and a link-layer address of at least 0 bytes. */
const DUID_LLT_MIN: usize = 8;
/** Type, enterprise-number. */
const DUID_EN_MIN: usize = 6;
/** Type, hardware type. */
const DUID_LL_MIN: usize = 4;
/** Type and the 16-byte UUID, exactly (RFC 6355 section 4). */
const DUID_UUID_LENGTH: usize = 18;

// NTP server suboptions (RFC 5908 section 4).
const NTP_SUBOPTION_SRV_ADDR: i32 = 1;
const NTP_SUBOPTION_MC_ADDR: i32 = 2;
const NTP_SUBOPTION_SRV_FQDN: i32 = 3;

// ---------------------------------------------------------------------------
// Entry points

/**
 * Parses one DHCPv6 message (a UDP payload) of `len` input bytes into
 * records. Returns the record bytes written, or a negative ErrorCode.
 */
export function parseDhcpv6Message(len: usize): i32 {
  const started = begin(len);
  if (started < 0) return started;
  beginRecords();
  const status = parseMessage(0, inputLength(), 0);
  if (status < 0) return status;
  return finishRecords();
}

/**
 * Parses a bare sequence of DHCPv6 options of `len` input bytes (no message
 * header) into records. Returns the record bytes written, or a negative
 * ErrorCode.
 */
export function parseDhcpv6Options(len: usize): i32 {
  const started = begin(len);
  if (started < 0) return started;
  beginRecords();
  const status = parseOptions(0, inputLength(), 0, 0, DETAIL_OVERRUNS_OPTIONS);
  if (status < 0) return status;
  return finishRecords();
}

// ---------------------------------------------------------------------------
// Messages

/**
 * Parses the message in [start, end) at relay nesting `depth`. Returns 0 or
 * a negative ErrorCode (set through failWith).
 */
function parseMessage(start: usize, end: usize, depth: u32): i32 {
  if (end <= start) {
    return failWith(ErrorCode.Truncated, start, DETAIL_MESSAGE_TRUNCATED);
  }
  const type = byteAt(start);
  if (type == MSG_RELAY_FORW || type == MSG_RELAY_REPL) {
    if (end - start < RELAY_HEADER) {
      return failWith(ErrorCode.Truncated, start, DETAIL_RELAY_TRUNCATED);
    }
    const record = putRecord(TAG_RELAY, <u32> type, start, end - start, <u32> byteAt(start + HOP_COUNT_AT), depth);
    const relayed = parseOptions(start + RELAY_HEADER, end, depth, 0, DETAIL_OVERRUNS_MESSAGE);
    if (relayed < 0) return relayed;
    // Section 9: "Relay Message option ... MUST be included"; without it the
    // relay carries nothing its recipient could act on.
    // Reported as truncation: the relay ended before what it must carry.
    if (relayed == 0) {
      return failWith(ErrorCode.Truncated, start, DETAIL_NO_RELAY_MESSAGE);
    }
    closeRecord(record);
    return 0;
  }
  if (end - start < CLIENT_HEADER) {
    return failWith(ErrorCode.Truncated, start, DETAIL_MESSAGE_TRUNCATED);
  }
  // The transaction-id is the 3 bytes after the msg-type.
  const transactionId = <u32> u32At(start) & 0x00ff_ffff;
  const record = putRecord(TAG_MESSAGE, <u32> type, start, end - start, transactionId, depth);
  const status = parseOptions(start + CLIENT_HEADER, end, depth, 0, DETAIL_OVERRUNS_MESSAGE);
  if (status < 0) return status;
  closeRecord(record);
  return 0;
}

// ---------------------------------------------------------------------------
// Option sequences

/**
 * Parses the options in [start, end): a message's options (`overrun` =
 * DETAIL_OVERRUNS_MESSAGE), a bare sequence (DETAIL_OVERRUNS_OPTIONS) or
 * those encapsulated in an option at `optionDepth` > 0
 * (DETAIL_OVERRUNS_OPTION). Returns how many Relay Message
 * options it held, or a negative ErrorCode.
 */
function parseOptions(start: usize, end: usize, depth: u32, optionDepth: u32, overrun: u32): i32 {
  let relayMessages: i32 = 0;
  let at = start;
  // Each iteration consumes an option header and body: at least 4 bytes.
  while (at < end) {
    if (end - at < OPTION_HEADER) {
      return failWith(ErrorCode.Truncated, at, overrun);
    }
    const code = u16At(at);
    const length = <usize> u16At(at + OPTION_LEN_AT);
    if (length > end - at - OPTION_HEADER) {
      return failWith(ErrorCode.Truncated, at, overrun);
    }
    const status = parseOption(code, at, length, depth, optionDepth);
    if (status < 0) return status;
    if (code == OPTION_RELAY_MSG) relayMessages++;
    at += OPTION_HEADER + length;
  }
  return relayMessages;
}

/**
 * Parses one option at `at` whose body of `length` bytes is known to lie in
 * its container. Returns 0 or a negative ErrorCode.
 */
function parseOption(code: i32, at: usize, length: usize, depth: u32, optionDepth: u32): i32 {
  const body = at + OPTION_HEADER;
  switch (code) {
    case OPTION_CLIENTID:
    case OPTION_SERVERID:
      return parseDuidOption(code, at, length);
    case OPTION_IA_NA:
    case OPTION_IA_PD:
      return parseContainer(code, at, length, IA_FIXED, depth, optionDepth);
    case OPTION_IA_TA:
      return parseContainer(code, at, length, IA_TA_FIXED, depth, optionDepth);
    case OPTION_IAADDR:
      return parseContainer(code, at, length, IAADDR_FIXED, depth, optionDepth);
    case OPTION_IAPREFIX:
      // Section 21.22: prefix-length counts the leading bits of a 128-bit
      // prefix; anything larger describes no prefix.
      if (length >= IAPREFIX_FIXED && byteAt(body + IAPREFIX_LENGTH_AT) > 128) {
        return skip(code, at, length, DETAIL_PREFIX_LENGTH);
      }
      return parseContainer(code, at, length, IAPREFIX_FIXED, depth, optionDepth);
    case OPTION_ORO:
      // Section 21.7: a list of 2-byte option codes.
      return multipleOf(code, at, length, 2);
    case OPTION_PREFERENCE:
    case OPTION_RECONF_MSG:
      return fixedLength(code, at, length, 1);
    case OPTION_ELAPSED_TIME:
      return fixedLength(code, at, length, 2);
    case OPTION_RELAY_MSG:
      return parseRelayMessage(at, length, depth);
    case OPTION_AUTH:
      return minimumLength(code, at, length, AUTH_FIXED);
    case OPTION_UNICAST:
      return fixedLength(code, at, length, IPV6_ADDRESS);
    case OPTION_STATUS_CODE:
      if (length < STATUS_FIXED) return skip(code, at, length, DETAIL_TOO_SHORT);
      // Section 21.13: "A UTF-8 encoded [10646] text string".
      if (!isUtf8(body + STATUS_FIXED, body + length)) {
        return skip(code, at, length, DETAIL_NOT_UTF8);
      }
      return plain(code, at, length);
    case OPTION_RAPID_COMMIT:
    case OPTION_RECONF_ACCEPT:
      return fixedLength(code, at, length, 0);
    case OPTION_USER_CLASS:
      // Section 21.15: the data area holds "one or more" user classes.
      if (length == 0) return skip(code, at, length, DETAIL_NO_CLASS_DATA);
      return parseClassData(code, at, length, 0);
    case OPTION_VENDOR_CLASS:
      // Section 21.16 allows an empty vendor-class-data, and CableLabs
      // modems send one (Kea's captureCableLabsShortVendorClass).
      if (length < ENTERPRISE_FIXED) return skip(code, at, length, DETAIL_TOO_SHORT);
      return parseClassData(code, at, length, ENTERPRISE_FIXED);
    case OPTION_VENDOR_OPTS:
      return minimumLength(code, at, length, ENTERPRISE_FIXED);
    case OPTION_SIP_SERVER_A:
    case OPTION_DNS_SERVERS:
    case OPTION_SNTP_SERVERS:
      return multipleOf(code, at, length, IPV6_ADDRESS);
    case OPTION_SIP_SERVER_D:
    case OPTION_DOMAIN_LIST:
      return parseNameList(code, at, length);
    case OPTION_INFORMATION_REFRESH_TIME:
    case OPTION_SOL_MAX_RT:
    case OPTION_INF_MAX_RT:
      return fixedLength(code, at, length, 4);
    case OPTION_NTP_SERVER:
      return parseNtpServer(at, length);
    case OPTION_AFTR_NAME:
      return parseSingleName(code, at, length);
    case OPTION_V6_CAPTIVE_PORTAL:
      return parseUri(code, at, length);
    case OPTION_V6_DNR:
      return parseDnr(at, length);
    default:
      // Unknown options are kept raw, never dropped.
      return plain(code, at, length);
  }
}

/** Writes a childless option record. */
function plain(code: i32, at: usize, length: usize): i32 {
  putRecord(TAG_OPTION, <u32> code, at, OPTION_HEADER + length, <u32> length, 0);
  return 0;
}

/** Reports an option (or suboption) skipped for `detail`. */
function skip(code: i32, at: usize, length: usize, detail: u32): i32 {
  putRecord(TAG_SKIPPED, detail, at, OPTION_HEADER + length, <u32> code, 0);
  return 0;
}

function fixedLength(code: i32, at: usize, length: usize, expected: usize): i32 {
  if (length != expected) return skip(code, at, length, DETAIL_FIXED_LENGTH);
  return plain(code, at, length);
}

function minimumLength(code: i32, at: usize, length: usize, minimum: usize): i32 {
  if (length < minimum) return skip(code, at, length, DETAIL_TOO_SHORT);
  return plain(code, at, length);
}

function multipleOf(code: i32, at: usize, length: usize, item: usize): i32 {
  if (length % item != 0) return skip(code, at, length, DETAIL_NOT_MULTIPLE);
  return plain(code, at, length);
}

/**
 * An option with `fixed` bytes of fields followed by encapsulated options
 * (IA_NA, IA_TA, IA_PD, IA Address, IA Prefix).
 */
function parseContainer(code: i32, at: usize, length: usize, fixed: usize, depth: u32, optionDepth: u32): i32 {
  if (length < fixed) return skip(code, at, length, DETAIL_TOO_SHORT);
  // An option where no further nesting is allowed: an unexpected byte.
  if (optionDepth >= MAX_OPTION_DEPTH) {
    return failWith(ErrorCode.UnexpectedCharacter, at, DETAIL_OPTIONS_TOO_DEEP);
  }
  const record = putRecord(TAG_OPTION, <u32> code, at, OPTION_HEADER + length, <u32> length, 0);
  const body = at + OPTION_HEADER;
  const status = parseOptions(body + fixed, body + length, depth, optionDepth + 1, DETAIL_OVERRUNS_OPTION);
  if (status < 0) return status;
  closeRecord(record);
  return 0;
}

/** Relay Message (section 21.10): the relayed message, parsed in turn. */
function parseRelayMessage(at: usize, length: usize, depth: u32): i32 {
  // Section 19.1.1: a relay agent discards a message whose hop-count
  // reached HOP_COUNT_LIMIT, so at most that many relays wrap a message.
  if (depth >= HOP_COUNT_LIMIT) {
    return failWith(ErrorCode.UnexpectedCharacter, at, DETAIL_RELAY_TOO_DEEP);
  }
  const record = putRecord(TAG_OPTION, <u32> OPTION_RELAY_MSG, at, OPTION_HEADER + length, <u32> length, 0);
  const body = at + OPTION_HEADER;
  const status = parseMessage(body, body + length, depth + 1);
  if (status < 0) return status;
  closeRecord(record);
  return 0;
}

// ---------------------------------------------------------------------------
// DUIDs (section 11)

/** Client Identifier / Server Identifier: one DUID filling the body. */
function parseDuidOption(code: i32, at: usize, length: usize): i32 {
  const duid = at + OPTION_HEADER;
  // "The length of the DUID (not including the type code) is at least 1
  // octet and at most 128 octets."
  if (length <= DUID_TYPE || length > DUID_TYPE + DUID_MAX_IDENTIFIER) {
    return skip(code, at, length, DETAIL_DUID_LENGTH);
  }
  const type = u16At(duid);
  let a: u32 = 0;
  let b: u32 = 0;
  if (type == DUID_LLT) {
    if (length < DUID_LLT_MIN) return skip(code, at, length, DETAIL_DUID_LENGTH);
    a = <u32> u16At(duid + 2);
    b = <u32> u32At(duid + 4);
  } else if (type == DUID_EN) {
    if (length < DUID_EN_MIN) return skip(code, at, length, DETAIL_DUID_LENGTH);
    a = <u32> u32At(duid + 2);
  } else if (type == DUID_LL) {
    if (length < DUID_LL_MIN) return skip(code, at, length, DETAIL_DUID_LENGTH);
    a = <u32> u16At(duid + 2);
  } else if (type == DUID_UUID) {
    if (length != DUID_UUID_LENGTH) return skip(code, at, length, DETAIL_DUID_LENGTH);
  }
  const record = putRecord(TAG_OPTION, <u32> code, at, OPTION_HEADER + length, <u32> length, 0);
  putRecord(TAG_DUID, <u32> type, duid, length, a, b);
  closeRecord(record);
  return 0;
}

// ---------------------------------------------------------------------------
// Domain names (section 10: RFC 1035 wire format, never compressed)

/**
 * Checks the name starting at `start` within [start, end). Returns its byte
 * length (labels and terminating zero) or the negated detail. The label
 * count is left in `nameLabels`.
 */
let nameLabels: u32 = 0;

function nameLength(start: usize, end: usize): i32 {
  const problem = scanDnsName(start, end);
  nameLabels = problem == NameProblem.None ? scannedNameLabels : 0;
  switch (problem) {
    case NameProblem.None:
      return <i32> scannedNameLength;
    case NameProblem.Unterminated:
      return -(<i32> DETAIL_NAME_OVERRUN);
    // Section 10: "domain names ... MUST NOT be stored in compressed form".
    case NameProblem.Compressed:
      return -(<i32> DETAIL_NAME_COMPRESSED);
    case NameProblem.LabelType:
      return -(<i32> DETAIL_NAME_LABEL_TYPE);
    case NameProblem.Character:
      return -(<i32> DETAIL_NAME_CHARACTER);
    default:
      return -(<i32> DETAIL_NAME_TOO_LONG);
  }
}

/** Domain List / SIP Servers Domain Name List: names filling the body. */
function parseNameList(code: i32, at: usize, length: usize): i32 {
  const body = at + OPTION_HEADER;
  const end = body + length;
  // Checked before anything is written: a skip must leave no records.
  let name = body;
  while (name < end) {
    const n = nameLength(name, end);
    if (n < 0) return skip(code, at, length, <u32> -n);
    name += <usize> n;
  }
  const record = putRecord(TAG_OPTION, <u32> code, at, OPTION_HEADER + length, <u32> length, 0);
  name = body;
  while (name < end) {
    const n = <usize> nameLength(name, end);
    putRecord(TAG_NAME, 0, name, n, nameLabels, 0);
    name += n;
  }
  closeRecord(record);
  return 0;
}

/** Checks one name exactly filling [start, end); 0 or the detail. */
function singleName(start: usize, end: usize): u32 {
  const n = nameLength(start, end);
  if (n < 0) return <u32> -n;
  if (start + <usize> n != end) return DETAIL_NAME_TRAILING;
  return 0;
}

/** AFTR-Name (RFC 6334 section 3): one FQDN filling the body. */
function parseSingleName(code: i32, at: usize, length: usize): i32 {
  const body = at + OPTION_HEADER;
  const detail = singleName(body, body + length);
  if (detail != 0) return skip(code, at, length, detail);
  const record = putRecord(TAG_OPTION, <u32> code, at, OPTION_HEADER + length, <u32> length, 0);
  putRecord(TAG_NAME, 0, body, length, nameLabels, 0);
  closeRecord(record);
  return 0;
}

// ---------------------------------------------------------------------------
// Other option bodies

/**
 * User Class / Vendor Class (sections 21.15, 21.16): after `fixed` bytes, a
 * list of items each with a 2-byte length.
 */
function parseClassData(code: i32, at: usize, length: usize, fixed: usize): i32 {
  const end = at + OPTION_HEADER + length;
  const first = at + OPTION_HEADER + fixed;
  let item = first;
  // Each iteration consumes at least the 2-byte item length.
  while (item < end) {
    if (end - item < 2 || <usize> u16At(item) > end - item - 2) {
      return skip(code, at, length, DETAIL_CLASS_DATA);
    }
    item += 2 + <usize> u16At(item);
  }
  const record = putRecord(TAG_OPTION, <u32> code, at, OPTION_HEADER + length, <u32> length, 0);
  item = first;
  while (item < end) {
    const n = <usize> u16At(item);
    putRecord(TAG_FIELD, FIELD_CLASS_DATA, item + 2, n, 0, 0);
    item += 2 + n;
  }
  closeRecord(record);
  return 0;
}

/**
 * NTP Server (RFC 5908 section 4): suboptions in the option format. One
 * that overruns the option rejects the message like any encapsulated
 * option; one with a malformed body is skipped.
 */
function parseNtpServer(at: usize, length: usize): i32 {
  const body = at + OPTION_HEADER;
  const end = body + length;
  const record = putRecord(TAG_OPTION, <u32> OPTION_NTP_SERVER, at, OPTION_HEADER + length, <u32> length, 0);
  let sub = body;
  // Each iteration consumes a suboption header and body: at least 4 bytes.
  while (sub < end) {
    if (end - sub < OPTION_HEADER) {
      return failWith(ErrorCode.Truncated, sub, DETAIL_OVERRUNS_OPTION);
    }
    const code = u16At(sub);
    const subLength = <usize> u16At(sub + OPTION_LEN_AT);
    if (subLength > end - sub - OPTION_HEADER) {
      return failWith(ErrorCode.Truncated, sub, DETAIL_OVERRUNS_OPTION);
    }
    const value = sub + OPTION_HEADER;
    if (code == NTP_SUBOPTION_SRV_ADDR || code == NTP_SUBOPTION_MC_ADDR) {
      // "This suboption MUST include one and only one IPv6 address."
      if (subLength != IPV6_ADDRESS) {
        skip(code, sub, subLength, DETAIL_FIXED_LENGTH);
      } else {
        putRecord(TAG_SUBOPTION, <u32> code, sub, OPTION_HEADER + subLength, <u32> subLength, 0);
      }
    } else if (code == NTP_SUBOPTION_SRV_FQDN) {
      // "This suboption MUST include one and only one FQDN."
      const detail = singleName(value, value + subLength);
      if (detail != 0) {
        skip(code, sub, subLength, detail);
      } else {
        const named = putRecord(TAG_SUBOPTION, <u32> code, sub, OPTION_HEADER + subLength, <u32> subLength, 0);
        putRecord(TAG_NAME, 0, value, subLength, nameLabels, 0);
        closeRecord(named);
      }
    } else {
      putRecord(TAG_SUBOPTION, <u32> code, sub, OPTION_HEADER + subLength, <u32> subLength, 0);
    }
    sub = value + subLength;
  }
  closeRecord(record);
  return 0;
}

/**
 * Captive-Portal (RFC 8910 section 2.2): a URI (RFC 3986), which is made of
 * visible ASCII only; an empty one points nowhere.
 */
function parseUri(code: i32, at: usize, length: usize): i32 {
  const body = at + OPTION_HEADER;
  if (length == 0) return skip(code, at, length, DETAIL_URI);
  for (let i: usize = 0; i < length; i++) {
    const c = byteAt(body + i);
    if (c <= 0x20 || c >= 0x7f) return skip(code, at, length, DETAIL_URI);
  }
  return plain(code, at, length);
}

/**
 * Encrypted DNS (RFC 9463 section 4.1): Service Priority, ADN Length, ADN,
 * then, unless the option ends there (ADN-only mode), Addr Length, the
 * addresses and SvcParams.
 */
function parseDnr(at: usize, length: usize): i32 {
  const code = OPTION_V6_DNR;
  const body = at + OPTION_HEADER;
  const end = body + length;
  if (length < DNR_FIXED) return skip(code, at, length, DETAIL_TOO_SHORT);
  const adn = body + DNR_FIXED;
  const adnLength = <usize> u16At(body + DNR_ADN_LENGTH_AT);
  // Section 3.1.1: the ADN is mandatory; the root name names no resolver.
  if (adnLength > end - adn || adnLength <= 1) {
    return skip(code, at, length, DETAIL_DNR_ADN);
  }
  const detail = singleName(adn, adn + adnLength);
  if (detail != 0) return skip(code, at, length, detail);
  const labels = nameLabels;
  const addressLengthAt = adn + adnLength;
  let addresses: usize = 0;
  let svcParams: usize = 0;
  const adnOnly = addressLengthAt == end;
  if (!adnOnly) {
    if (end - addressLengthAt < 2) return skip(code, at, length, DETAIL_DNR_ADDRESSES);
    const addressLength = <usize> u16At(addressLengthAt);
    addresses = addressLengthAt + 2;
    // Section 4.1: "When present, it MUST be a multiple of 16"; section
    // 3.1.8: the option then "includes at least one valid IP address".
    if (addressLength == 0 || addressLength % IPV6_ADDRESS != 0 || addressLength > end - addresses) {
      return skip(code, at, length, DETAIL_DNR_ADDRESSES);
    }
    svcParams = addresses + addressLength;
    // RFC 9460 section 2.2: SvcParamKey, SvcParamValue length, value.
    let param = svcParams;
    while (param < end) {
      if (end - param < 4 || <usize> u16At(param + 2) > end - param - 4) {
        return skip(code, at, length, DETAIL_DNR_SVC_PARAMS);
      }
      param += 4 + <usize> u16At(param + 2);
    }
  }
  const record = putRecord(TAG_OPTION, <u32> code, at, OPTION_HEADER + length, <u32> length, 0);
  putRecord(TAG_NAME, 0, adn, adnLength, labels, 0);
  if (!adnOnly) {
    const count = <u32> ((svcParams - addresses) / IPV6_ADDRESS);
    putRecord(TAG_FIELD, FIELD_DNR_ADDRESSES, addresses, svcParams - addresses, count, 0);
    putRecord(TAG_FIELD, FIELD_DNR_SVC_PARAMS, svcParams, end - svcParams, 0, 0);
  }
  closeRecord(record);
  return 0;
}

/**
 * True if [start, end) is well-formed UTF-8 (RFC 3629): no overlong forms,
 * no surrogates, nothing above U+10FFFF.
 */
function isUtf8(start: usize, end: usize): bool {
  let at = start;
  // Each iteration consumes one whole character: at least 1 byte.
  while (at < end) {
    const c = byteAt(at);
    if (c < 0x80) {
      at++;
      continue;
    }
    let extra: usize = 0;
    let low: i32 = 0x80;
    let high: i32 = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      extra = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
      extra = 2;
      if (c == 0xe0) low = 0xa0; // overlong
      if (c == 0xed) high = 0x9f; // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      extra = 3;
      if (c == 0xf0) low = 0x90; // overlong
      if (c == 0xf4) high = 0x8f; // above U+10FFFF
    } else {
      return false;
    }
    if (end - at - 1 < extra) return false;
    // Only the first continuation byte has a narrowed range.
    const first = byteAt(at + 1);
    if (first < low || first > high) return false;
    for (let i: usize = 2; i <= extra; i++) {
      const next = byteAt(at + i);
      if (next < 0x80 || next > 0xbf) return false;
    }
    at += 1 + extra;
  }
  return true;
}
