/*
 * rtnetlink messages (Linux include/uapi/linux/netlink.h, rtnetlink.h,
 * if_link.h, if_addr.h), parsed into the shared record stream of records.ts.
 *
 *   parseNetlink(len)  a buffer of netlink messages as one recv() on a
 *                      NETLINK_ROUTE socket returns it: nlmsghdr after
 *                      nlmsghdr, each padded to NLMSG_ALIGNTO (4) bytes
 *
 * Byte order: netlink is in the host's byte order, and every field below is
 * read little-endian, the order of every host Deno and Node run rtnetlink on
 * (x86-64, aarch64, riscv64). Addresses and the ND options inside
 * RTM_NEWNDUSEROPT are in network order and are left as bytes for the host.
 *
 * What is understood:
 *   RTM_NEWLINK/DELLINK (16, 17)    struct ifinfomsg, then IFLA_* attributes;
 *                                   IFLA_LINKINFO is walked one level deep
 *   RTM_NEWADDR/DELADDR (20, 21)    struct ifaddrmsg, then IFA_* attributes
 *   RTM_NEWROUTE/DELROUTE (24, 25)  struct rtmsg, then RTA_* attributes
 *   RTM_NEWNDUSEROPT (68)           struct nduseroptmsg, the ND options it
 *                                   carries (handed whole to the host, which
 *                                   parses them with parseNdOptions of
 *                                   router_advertisement.ts), then
 *                                   NDUSEROPT_* attributes
 *   NLMSG_ERROR (2)                 struct nlmsgerr; with NLM_F_ACK_TLVS the
 *                                   extended-ack attributes after the echo
 *   NLMSG_DONE (3)                  the int status of a dump
 *   anything else (NLMSG_NOOP 1, NLMSG_OVERRUN 4, requests, other families)
 *                                   a TAG_MESSAGE record alone: the host keeps
 *                                   the payload raw
 *
 * Nothing rejects the whole input: a kernel buffer is trusted for its
 * framing, and what cannot be walked is reported where it starts, so the
 * host decides (the TypeScript binding throws a SyntaxError for a framing
 * problem and keeps per-message problems in the message's `skipped`):
 *   - framing (a TAG_SKIPPED at top level covering the rest of the input, and
 *     the parse stops, since nothing says where the next message starts):
 *     fewer than 16 bytes left for a header, nlmsg_len below 16 (the netlink
 *     twin of a zero-length ND option), nlmsg_len past the end (a truncated
 *     recv);
 *   - a message shorter than its fixed header: a TAG_SKIPPED inside the
 *     message record, and the next message is parsed;
 *   - attribute framing (fewer than 4 bytes left, nla_len below 4, nla_len
 *     past the end of its message or container): a TAG_SKIPPED covering the
 *     rest of the attributes, whose earlier records are kept; the next
 *     message is parsed;
 *   - a known attribute whose payload has a size or value its type does not
 *     allow: a TAG_SKIPPED for that attribute only.
 * Unknown attributes are kept: a TAG_ATTRIBUTE record with their type.
 *
 * Every loop consumes at least 4 bytes of input per pass (16 for messages),
 * and nested attributes are followed one level deep only.
 */

import { begin, byteAt, canRead } from "./abi";
import { beginRecords, closeRecord, finishRecords, putRecord, TAG_SKIPPED } from "./records";

// ---------------------------------------------------------------------------
// Record tags (high byte 0x07). code/start/length/a/b per tag:

/**
 * One netlink message. code = nlmsg_type; start/length = the message from its
 * nlmsghdr, nlmsg_len bytes (the alignment padding after it excluded);
 * a = nlmsg_flags; b = nlmsg_seq; nlmsg_pid is read by the host at start + 12.
 * children: the fixed-header record of its type (TAG_LINK, ...), then its
 * attribute and TAG_SKIPPED records. A message of a type not listed above has
 * no children.
 */
export const TAG_MESSAGE: u32 = 0x0700;

/**
 * struct ifinfomsg of RTM_NEWLINK/DELLINK (16 bytes). code = ifi_type
 * (ARPHRD_*); a = ifi_index; b = ifi_flags (IFF_*). ifi_family (start) and
 * ifi_change (start + 12) are read by the host.
 */
export const TAG_LINK: u32 = 0x0701;

/**
 * struct ifaddrmsg of RTM_NEWADDR/DELADDR (8 bytes). code = ifa_family;
 * a = ifa_index; b = ifa_prefixlen | ifa_flags << 8 | ifa_scope << 16.
 */
export const TAG_ADDRESS: u32 = 0x0702;

/**
 * struct rtmsg of RTM_NEWROUTE/DELROUTE (12 bytes). code = rtm_family;
 * a = rtm_dst_len | rtm_src_len << 8 | rtm_tos << 16 | rtm_table << 24;
 * b = rtm_protocol | rtm_scope << 8 | rtm_type << 16. rtm_flags (start + 8)
 * is read by the host.
 */
export const TAG_ROUTE: u32 = 0x0703;

/**
 * struct nduseroptmsg of RTM_NEWNDUSEROPT (16 bytes). code = family;
 * a = nduseropt_ifindex; b = icmp6 type | icmp6 code << 8. A TAG_ND_OPTIONS
 * record follows it.
 */
export const TAG_ND_USER_OPTION: u32 = 0x0704;

/**
 * The ND options of an RTM_NEWNDUSEROPT: start/length = the
 * nduseropt_opts_len bytes after the nduseroptmsg, unparsed (the host hands
 * them to parseNdOptions). a = b = 0.
 */
export const TAG_ND_OPTIONS: u32 = 0x0705;

/**
 * struct nlmsgerr of NLMSG_ERROR. start/length = the payload after the
 * nlmsghdr; a = error (a negative errno, or 0 for an acknowledgement, as
 * two's complement); b = the length of the echoed request that follows the
 * error field (0 when the payload ends after it; 16 with NLM_F_CAPPED).
 * children: the extended-ack attributes (NLMSGERR_ATTR_*), when
 * NLM_F_ACK_TLVS is set.
 */
export const TAG_ERROR: u32 = 0x0706;

/**
 * The payload of NLMSG_DONE. a = the int status (0, or a negative errno when
 * a dump failed part way, two's complement); b = 1 if the payload holds it
 * (4 bytes or more), 0 for an empty payload.
 */
export const TAG_DONE: u32 = 0x0707;

/**
 * One attribute (struct nlattr and its payload). code = nla_type without its
 * two flag bits (NLA_TYPE_MASK); start/length = the payload after the 4-byte
 * header, nla_len - 4 bytes, padding excluded; b = the flag bits
 * (nla_type >> 14: 2 = NLA_F_NESTED, 1 = NLA_F_NET_BYTEORDER). a by type:
 *   a u8/u32 scalar this parser knows (IFLA_MTU, IFLA_OPERSTATE 0..6,
 *   IFA_FLAGS, RTA_OIF, RTA_PRIORITY, RTA_TABLE, RTA_PREF 0, 1 or 3,
 *   NLMSGERR_ATTR_OFFS)                      a = the value
 *   a string (IFLA_IFNAME, IFA_LABEL, IFLA_INFO_KIND, NLMSGERR_ATTR_MSG)
 *                                            a = its length before the NUL
 *   IFLA_LINKINFO                            a = 0; children: its attributes
 *   anything else (addresses, IFA_CACHEINFO, unknown types, kept raw)
 *                                            a = 0
 */
export const TAG_ATTRIBUTE: u32 = 0x0708;

// ---------------------------------------------------------------------------
// Detail identifiers (0x700..0x7ff), mirrored as sentences in
// core-as/netlink.ts. All are TAG_SKIPPED codes; a = the message type for
// message-level ones, the attribute type for attribute-level ones.

// Framing: the rest of the input is skipped and the parse stops.
/** Fewer than 16 bytes are left for a message header. */
export const DETAIL_TRUNCATED_HEADER: u32 = 0x700;
/** nlmsg_len is below the 16-byte header. */
export const DETAIL_MESSAGE_LENGTH: u32 = 0x701;
/** nlmsg_len runs past the end of the input. */
export const DETAIL_MESSAGE_OVERRUN: u32 = 0x702;

// Inside one message: the message is kept, the next one is parsed.
/** The message is shorter than the fixed header of its type. */
export const DETAIL_SHORT_BODY: u32 = 0x710;
/** Fewer than 4 bytes are left for an attribute header. */
export const DETAIL_ATTRIBUTE_HEADER: u32 = 0x711;
/** An attribute has nla_len below 4. */
export const DETAIL_ATTRIBUTE_LENGTH: u32 = 0x712;
/** An attribute runs past the end of its message or container. */
export const DETAIL_ATTRIBUTE_OVERRUN: u32 = 0x713;
/** A known attribute's payload has a size its type does not allow. */
export const DETAIL_ATTRIBUTE_SIZE: u32 = 0x714;
/** A string attribute without its terminating NUL. */
export const DETAIL_UNTERMINATED_STRING: u32 = 0x715;
/** A known attribute holds a value its type does not define. */
export const DETAIL_ATTRIBUTE_VALUE: u32 = 0x716;
/** nduseropt_opts_len runs past the end of the message. */
export const DETAIL_ND_OPTIONS_OVERRUN: u32 = 0x717;
/** The request echoed in an NLMSG_ERROR runs past the end of the message. */
export const DETAIL_ECHO_OVERRUN: u32 = 0x718;

// ---------------------------------------------------------------------------
// Wire layout

/** struct nlmsghdr: nlmsg_len u32, nlmsg_type u16, nlmsg_flags u16, nlmsg_seq u32, nlmsg_pid u32. */
const NLMSG_HDRLEN: usize = 16;
const NLMSG_TYPE_AT: usize = 4;
const NLMSG_FLAGS_AT: usize = 6;
const NLMSG_SEQ_AT: usize = 8;
/** NLMSG_ALIGNTO and NLA_ALIGNTO. */
const ALIGN: usize = 4;
/** struct nlattr: nla_len u16, nla_type u16. */
const NLA_HDRLEN: usize = 4;
const NLA_TYPE_MASK: u32 = 0x3fff;

const NLMSG_ERROR: u32 = 2;
const NLMSG_DONE: u32 = 3;
const RTM_NEWLINK: u32 = 16;
const RTM_DELLINK: u32 = 17;
const RTM_NEWADDR: u32 = 20;
const RTM_DELADDR: u32 = 21;
const RTM_NEWROUTE: u32 = 24;
const RTM_DELROUTE: u32 = 25;
const RTM_NEWNDUSEROPT: u32 = 68;

/** nlmsg_flags of an NLMSG_ERROR: only the echoed header follows the error (netlink.h). */
const NLM_F_CAPPED: u32 = 0x100;
/** nlmsg_flags of an NLMSG_ERROR: extended-ack attributes follow the echo. */
const NLM_F_ACK_TLVS: u32 = 0x200;

const AF_INET: u32 = 2;
const AF_INET6: u32 = 10;

/** struct ifinfomsg: family u8, pad u8, type u16, index i32, flags u32, change u32. */
const IFINFOMSG_SIZE: usize = 16;
const IFI_TYPE_AT: usize = 2;
const IFI_INDEX_AT: usize = 4;
const IFI_FLAGS_AT: usize = 8;

/** struct ifaddrmsg: family, prefixlen, flags, scope (u8 each), index u32. */
const IFADDRMSG_SIZE: usize = 8;
const IFA_INDEX_AT: usize = 4;

/** struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type (u8 each), flags u32. */
const RTMSG_SIZE: usize = 12;

/** struct nduseroptmsg: family u8, pad u8, opts_len u16, ifindex i32, icmp type u8, code u8, pad u16, pad u32. */
const NDUSEROPTMSG_SIZE: usize = 16;
const NDUSEROPT_OPTS_LEN_AT: usize = 2;
const NDUSEROPT_IFINDEX_AT: usize = 4;
const NDUSEROPT_ICMP_TYPE_AT: usize = 8;
const NDUSEROPT_ICMP_CODE_AT: usize = 9;

/** struct nlmsgerr: error i32, then the echoed struct nlmsghdr (and more). */
const NLMSGERR_ERROR_SIZE: usize = 4;

// IFLA_* (if_link.h)
const IFLA_ADDRESS: u32 = 1;
const IFLA_BROADCAST: u32 = 2;
const IFLA_IFNAME: u32 = 3;
const IFLA_MTU: u32 = 4;
const IFLA_OPERSTATE: u32 = 16;
const IFLA_LINKINFO: u32 = 18;
const IFLA_PERM_ADDRESS: u32 = 54;
const IFLA_INFO_KIND: u32 = 1;
/** MAX_ADDR_LEN of netdevice.h: the longest link-layer address. */
const MAX_ADDR_LEN: usize = 32;
/** IF_OPER_UP, the largest RFC 2863 state Linux defines (if.h). */
const IF_OPER_MAX: u32 = 6;

// IFA_* (if_addr.h)
const IFA_ADDRESS: u32 = 1;
const IFA_LOCAL: u32 = 2;
const IFA_LABEL: u32 = 3;
const IFA_BROADCAST: u32 = 4;
const IFA_ANYCAST: u32 = 5;
const IFA_CACHEINFO: u32 = 6;
const IFA_MULTICAST: u32 = 7;
const IFA_FLAGS: u32 = 8;
/** struct ifa_cacheinfo: ifa_prefered, ifa_valid, cstamp, tstamp (u32 each). */
const IFA_CACHEINFO_SIZE: usize = 16;

// RTA_* (rtnetlink.h)
const RTA_DST: u32 = 1;
const RTA_SRC: u32 = 2;
const RTA_OIF: u32 = 4;
const RTA_GATEWAY: u32 = 5;
const RTA_PRIORITY: u32 = 6;
const RTA_PREFSRC: u32 = 7;
const RTA_TABLE: u32 = 15;
const RTA_PREF: u32 = 20;
/** The reserved router preference 10 (RFC 4191 section 2.1; icmpv6.h ICMPV6_ROUTER_PREF_INVALID). */
const ROUTER_PREF_INVALID: u32 = 2;
/** ICMPV6_ROUTER_PREF_LOW (binary 11), the largest 2-bit preference. */
const ROUTER_PREF_MAX: u32 = 3;

// NDUSEROPT_* (rtnetlink.h)
const NDUSEROPT_SRCADDR: u32 = 1;

// NLMSGERR_ATTR_* (netlink.h)
const NLMSGERR_ATTR_MSG: u32 = 1;
const NLMSGERR_ATTR_OFFS: u32 = 2;

/** How a known attribute is checked and what its record's `a` holds. */
const enum Form {
  /** Unknown or opaque: kept raw, a = 0. */
  Raw,
  /** Exactly 1 byte; a = the value. */
  U8,
  /** Exactly 4 bytes; a = the value. */
  U32,
  /** NUL-terminated text; a = its length before the NUL. */
  String,
  /** An IP address of the message's family: 4 or 16 bytes. */
  IpAddress,
  /** A link-layer address: at most MAX_ADDR_LEN bytes. */
  LinkAddress,
  /** Exactly 16 bytes (struct ifa_cacheinfo). */
  CacheInfo,
  /** Nested attributes, walked one level deep. */
  Nested,
}

// ---------------------------------------------------------------------------
// Entry point

/**
 * Parses the netlink messages in the input into records: per message a
 * TAG_MESSAGE, and inside it its fixed header and its attributes.
 *
 * @param len Input length in bytes.
 * @returns The byte length of the records, or a negative ErrorCode
 * (InputTooLarge, ResultTooSmall).
 */
export function parseNetlink(len: usize): i32 {
  const status = begin(len);
  if (status != 0) return status;
  beginRecords();
  let offset: usize = 0;
  // Each pass consumes at least NLMSG_HDRLEN bytes or returns.
  while (offset < len) {
    const left = len - offset;
    if (left < NLMSG_HDRLEN) {
      putRecord(TAG_SKIPPED, DETAIL_TRUNCATED_HEADER, offset, left, 0, 0);
      break;
    }
    const size = <usize> le32(offset);
    const type = le16(offset + NLMSG_TYPE_AT);
    // netlink(7): NLMSG_OK stops at a length below the header; nothing else
    // says where the next message starts.
    if (size < NLMSG_HDRLEN) {
      putRecord(TAG_SKIPPED, DETAIL_MESSAGE_LENGTH, offset, left, type, 0);
      break;
    }
    if (size > left) {
      putRecord(TAG_SKIPPED, DETAIL_MESSAGE_OVERRUN, offset, left, type, 0);
      break;
    }
    const index = putRecord(TAG_MESSAGE, type, offset, size, le16(offset + NLMSG_FLAGS_AT), le32(offset + NLMSG_SEQ_AT));
    parseBody(type, offset, size);
    closeRecord(index);
    // NLMSG_NEXT: the padding of the last message may be missing.
    const step = align(size);
    offset = step > left ? len : offset + step;
  }
  return finishRecords();
}

// ---------------------------------------------------------------------------
// Message bodies

/** Writes the records inside the message of `size` bytes at `offset`. */
function parseBody(type: u32, offset: usize, size: usize): void {
  const body = offset + NLMSG_HDRLEN;
  const end = offset + size;
  const bodySize = size - NLMSG_HDRLEN;
  switch (type) {
    case RTM_NEWLINK:
    case RTM_DELLINK: {
      if (bodySize < IFINFOMSG_SIZE) return shortBody(type, body, bodySize);
      putRecord(TAG_LINK, le16(body + IFI_TYPE_AT), body, IFINFOMSG_SIZE, le32(body + IFI_INDEX_AT), le32(body + IFI_FLAGS_AT));
      parseAttributes(type, 0, body + IFINFOMSG_SIZE, end, 0);
      return;
    }
    case RTM_NEWADDR:
    case RTM_DELADDR: {
      if (bodySize < IFADDRMSG_SIZE) return shortBody(type, body, bodySize);
      const family = u8(body);
      const b = u8(body + 1) | (u8(body + 2) << 8) | (u8(body + 3) << 16);
      putRecord(TAG_ADDRESS, family, body, IFADDRMSG_SIZE, le32(body + IFA_INDEX_AT), b);
      parseAttributes(type, family, body + IFADDRMSG_SIZE, end, 0);
      return;
    }
    case RTM_NEWROUTE:
    case RTM_DELROUTE: {
      if (bodySize < RTMSG_SIZE) return shortBody(type, body, bodySize);
      const family = u8(body);
      const a = u8(body + 1) | (u8(body + 2) << 8) | (u8(body + 3) << 16) | (u8(body + 4) << 24);
      const b = u8(body + 5) | (u8(body + 6) << 8) | (u8(body + 7) << 16);
      putRecord(TAG_ROUTE, family, body, RTMSG_SIZE, a, b);
      parseAttributes(type, family, body + RTMSG_SIZE, end, 0);
      return;
    }
    case RTM_NEWNDUSEROPT: {
      if (bodySize < NDUSEROPTMSG_SIZE) return shortBody(type, body, bodySize);
      const optionsAt = body + NDUSEROPTMSG_SIZE;
      const optionsLength = <usize> le16(body + NDUSEROPT_OPTS_LEN_AT);
      if (optionsLength > end - optionsAt) {
        putRecord(TAG_SKIPPED, DETAIL_ND_OPTIONS_OVERRUN, body, bodySize, type, 0);
        return;
      }
      const family = u8(body);
      const icmp = u8(body + NDUSEROPT_ICMP_TYPE_AT) | (u8(body + NDUSEROPT_ICMP_CODE_AT) << 8);
      putRecord(TAG_ND_USER_OPTION, family, body, NDUSEROPTMSG_SIZE, le32(body + NDUSEROPT_IFINDEX_AT), icmp);
      putRecord(TAG_ND_OPTIONS, 0, optionsAt, optionsLength, 0, 0);
      // ndisc_ra_useropt(): the attributes start at
      // NLMSG_ALIGN(sizeof(struct nduseroptmsg) + opts_len).
      const attributesAt = body + align(NDUSEROPTMSG_SIZE + optionsLength);
      parseAttributes(type, family, attributesAt < end ? attributesAt : end, end, 0);
      return;
    }
    case NLMSG_ERROR: {
      if (bodySize < NLMSGERR_ERROR_SIZE) return shortBody(type, body, bodySize);
      parseError(offset, body, end);
      return;
    }
    case NLMSG_DONE: {
      // A dump's NLMSG_DONE carries an int; an empty one is tolerated
      // (libnl and iproute2 accept both).
      const has = bodySize >= 4;
      putRecord(TAG_DONE, 0, body, bodySize, has ? le32(body) : 0, has ? 1 : 0);
      return;
    }
    default:
      // NLMSG_NOOP, NLMSG_OVERRUN, requests and other families: raw.
      return;
  }
}

/** Reports a message body shorter than the fixed header of its type. */
function shortBody(type: u32, body: usize, bodySize: usize): void {
  putRecord(TAG_SKIPPED, DETAIL_SHORT_BODY, body, bodySize, type, 0);
}

/**
 * NLMSG_ERROR: the error, the echoed request (the whole request, or only its
 * header with NLM_F_CAPPED), then with NLM_F_ACK_TLVS the extended ack.
 */
function parseError(offset: usize, body: usize, end: usize): void {
  const flags = le16(offset + NLMSG_FLAGS_AT);
  const echoAt = body + NLMSGERR_ERROR_SIZE;
  let echoLength: usize = 0;
  if (end - echoAt >= NLMSG_HDRLEN) {
    echoLength = (flags & NLM_F_CAPPED) != 0 ? NLMSG_HDRLEN : <usize> le32(echoAt);
    if (echoLength < NLMSG_HDRLEN || echoLength > end - echoAt) {
      putRecord(TAG_SKIPPED, DETAIL_ECHO_OVERRUN, body, end - body, NLMSG_ERROR, 0);
      return;
    }
  }
  const index = putRecord(TAG_ERROR, 0, body, end - body, le32(body), <u32> echoLength);
  if ((flags & NLM_F_ACK_TLVS) != 0 && echoLength != 0) {
    const attributesAt = echoAt + align(echoLength);
    parseAttributes(NLMSG_ERROR, 0, attributesAt < end ? attributesAt : end, end, 0);
  }
  closeRecord(index);
}

// ---------------------------------------------------------------------------
// Attributes

/**
 * Writes a record per attribute in [start, end) of a message of `type`
 * (`family` is its address family, 0 when it has none). `depth` is 1 inside
 * a nested attribute.
 */
function parseAttributes(type: u32, family: u32, start: usize, end: usize, depth: i32): void {
  let at = start;
  // Each pass consumes at least NLA_HDRLEN bytes or returns.
  while (at < end) {
    const left = end - at;
    if (left < NLA_HDRLEN) {
      putRecord(TAG_SKIPPED, DETAIL_ATTRIBUTE_HEADER, at, left, 0, 0);
      return;
    }
    const size = <usize> le16(at);
    const rawType = le16(at + 2);
    const attribute = rawType & NLA_TYPE_MASK;
    // netlink(7) NLA_OK: "nla_len >= sizeof(struct nlattr)": a shorter one
    // would not advance the walk.
    if (size < NLA_HDRLEN) {
      putRecord(TAG_SKIPPED, DETAIL_ATTRIBUTE_LENGTH, at, left, attribute, 0);
      return;
    }
    if (size > left) {
      putRecord(TAG_SKIPPED, DETAIL_ATTRIBUTE_OVERRUN, at, left, attribute, 0);
      return;
    }
    parseAttribute(type, family, at, size, attribute, rawType >> 14, depth);
    const step = align(size);
    at = step > left ? end : at + step;
  }
}

/** Writes the record(s) of one attribute of `size` bytes at `at`. */
function parseAttribute(type: u32, family: u32, at: usize, size: usize, attribute: u32, flags: u32, depth: i32): void {
  const payload = at + NLA_HDRLEN;
  const length = size - NLA_HDRLEN;
  const form = depth == 0 ? formOf(type, attribute) : nestedFormOf(attribute);
  let value: u32 = 0;
  let problem: u32 = 0;
  switch (form) {
    case Form.U8: {
      if (length != 1) problem = DETAIL_ATTRIBUTE_SIZE;
      else value = u8(payload);
      break;
    }
    case Form.U32: {
      if (length != 4) problem = DETAIL_ATTRIBUTE_SIZE;
      else value = le32(payload);
      break;
    }
    case Form.String: {
      // nla_put_string() writes the terminating NUL; text stops at the first.
      const nul = findNul(payload, payload + length);
      if (nul < 0) problem = DETAIL_UNTERMINATED_STRING;
      else value = <u32> (<usize> nul - payload);
      break;
    }
    case Form.IpAddress: {
      if (family == AF_INET && length != 4) problem = DETAIL_ATTRIBUTE_SIZE;
      if (family == AF_INET6 && length != 16) problem = DETAIL_ATTRIBUTE_SIZE;
      break;
    }
    case Form.LinkAddress: {
      if (length > MAX_ADDR_LEN) problem = DETAIL_ATTRIBUTE_SIZE;
      break;
    }
    case Form.CacheInfo: {
      if (length != IFA_CACHEINFO_SIZE) problem = DETAIL_ATTRIBUTE_SIZE;
      break;
    }
    case Form.Nested: {
      const index = putRecord(TAG_ATTRIBUTE, attribute, payload, length, 0, flags);
      parseAttributes(type, family, payload, payload + length, depth + 1);
      closeRecord(index);
      return;
    }
    default:
      break;
  }
  if (problem == 0) problem = checkValue(type, attribute, value, depth);
  if (problem != 0) putRecord(TAG_SKIPPED, problem, at, size, attribute, 0);
  else putRecord(TAG_ATTRIBUTE, attribute, payload, length, value, flags);
}

/** The form of a top-level attribute of a message of `type`. */
function formOf(type: u32, attribute: u32): Form {
  switch (type) {
    case RTM_NEWLINK:
    case RTM_DELLINK:
      switch (attribute) {
        case IFLA_ADDRESS:
        case IFLA_BROADCAST:
        case IFLA_PERM_ADDRESS:
          return Form.LinkAddress;
        case IFLA_IFNAME:
          return Form.String;
        case IFLA_MTU:
          return Form.U32;
        case IFLA_OPERSTATE:
          return Form.U8;
        case IFLA_LINKINFO:
          return Form.Nested;
      }
      return Form.Raw;
    case RTM_NEWADDR:
    case RTM_DELADDR:
      switch (attribute) {
        case IFA_ADDRESS:
        case IFA_LOCAL:
        case IFA_BROADCAST:
        case IFA_ANYCAST:
        case IFA_MULTICAST:
          return Form.IpAddress;
        case IFA_LABEL:
          return Form.String;
        case IFA_CACHEINFO:
          return Form.CacheInfo;
        case IFA_FLAGS:
          return Form.U32;
      }
      return Form.Raw;
    case RTM_NEWROUTE:
    case RTM_DELROUTE:
      switch (attribute) {
        case RTA_DST:
        case RTA_SRC:
        case RTA_GATEWAY:
        case RTA_PREFSRC:
          return Form.IpAddress;
        case RTA_OIF:
        case RTA_PRIORITY:
        case RTA_TABLE:
          return Form.U32;
        case RTA_PREF:
          return Form.U8;
      }
      return Form.Raw;
    case RTM_NEWNDUSEROPT:
      return attribute == NDUSEROPT_SRCADDR ? Form.IpAddress : Form.Raw;
    case NLMSG_ERROR:
      if (attribute == NLMSGERR_ATTR_MSG) return Form.String;
      if (attribute == NLMSGERR_ATTR_OFFS) return Form.U32;
      return Form.Raw;
  }
  return Form.Raw;
}

/** The form of an attribute nested in IFLA_LINKINFO (the only container walked). */
function nestedFormOf(attribute: u32): Form {
  return attribute == IFLA_INFO_KIND ? Form.String : Form.Raw;
}

/** Checks the value of a scalar attribute; returns 0 or a skip detail id. */
function checkValue(type: u32, attribute: u32, value: u32, depth: i32): u32 {
  if (depth != 0) return 0;
  // if.h defines IF_OPER_UNKNOWN (0) to IF_OPER_UP (6); RFC 2863's states.
  if ((type == RTM_NEWLINK || type == RTM_DELLINK) && attribute == IFLA_OPERSTATE && value > IF_OPER_MAX) {
    return DETAIL_ATTRIBUTE_VALUE;
  }
  // RFC 4191 section 2.1: the preference is 2 bits, "10 Reserved - MUST
  // NOT be sent"; the kernel never reports it (rt6_fill_node maps it to
  // medium), nor anything wider.
  if ((type == RTM_NEWROUTE || type == RTM_DELROUTE) && attribute == RTA_PREF) {
    if (value == ROUTER_PREF_INVALID || value > ROUTER_PREF_MAX) return DETAIL_ATTRIBUTE_VALUE;
  }
  return 0;
}

// ---------------------------------------------------------------------------
// Helpers: little-endian reads through the checked byte reader

/** Byte at `at` as u32 (0 past the end, where callers never read). */
function u8(at: usize): u32 {
  const byte = byteAt(at);
  return byte < 0 ? 0 : <u32> byte;
}

/** Little-endian u16 at `at`, or 0 if it does not fit. */
function le16(at: usize): u32 {
  if (!canRead(at, 2)) return 0;
  return u8(at) | (u8(at + 1) << 8);
}

/** Little-endian u32 at `at`, or 0 if it does not fit. */
function le32(at: usize): u32 {
  if (!canRead(at, 4)) return 0;
  return u8(at) | (u8(at + 1) << 8) | (u8(at + 2) << 16) | (u8(at + 3) << 24);
}

/** Offset of the first zero byte in [start, end), or -1. */
function findNul(start: usize, end: usize): isize {
  for (let at = start; at < end; at++) {
    if (byteAt(at) == 0) return <isize> at;
  }
  return -1;
}

/** NLMSG_ALIGN / NLA_ALIGN: rounds up to 4 bytes. */
function align(n: usize): usize {
  return (n + ALIGN - 1) & ~(ALIGN - 1);
}
