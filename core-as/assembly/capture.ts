/*
 * Capture files: pcap and pcapng, read into the record stream (records.ts).
 *
 * readCapture(len) reads a whole capture file from the input region and
 * writes one record stream: a File record, the Section and Interface records
 * that give packets their meaning, any other pcapng block as a Block record,
 * and one Packet record per packet, in file order, whose children are its
 * timestamp, the lower layers it decoded (link header, VLAN tags, IPv4 or
 * IPv6 with extension headers, UDP or ICMPv6), the Payload that classifies
 * it (Router Advertisement, DHCPv6, DHCPv4, other) and its problems.
 *
 * What rejects the whole file (an error through failWith, with a detail of
 * CaptureDetail and the value it quotes from captureErrorValue()) is only a
 * malformed file structure: an unknown magic number, a pcap record or a pcapng
 * block that runs past the end of the file, a block length that is less than
 * 12 or not a multiple of 4 (a length of 0 would otherwise loop forever), a
 * block whose trailing length differs, an option that runs past its block, a
 * packet that refers to an interface the section never described.
 *
 * What only flags a packet (a TAG_SKIPPED child with a detail of
 * CaptureDetail, see below) is anything wrong inside a packet's bytes, and
 * the record still comes, with what was decoded:
 *   - a link, IP, extension, UDP or ICMPv6 header that is cut off or whose
 *     lengths contradict themselves: decoding stops there;
 *   - a frame captured shorter than it was on the wire, or an IP length that
 *     claims more bytes than the frame has: decoding goes on over the bytes
 *     that are there;
 *   - an IP fragment, never reassembled: the first fragment, which holds the
 *     UDP or ICMPv6 header, is decoded as far as its bytes go (as Wireshark
 *     does when it cannot reassemble), the others are not decoded further.
 *     An IPv6 atomic fragment (offset 0, M clear) is a whole packet and is
 *     not flagged (RFC 6946 section 4).
 *
 * Timestamps are converted to seconds since 1970-01-01 UTC and a fraction in
 * nanoseconds, whatever the file's resolution (pcap microseconds or
 * nanoseconds; pcapng if_tsresol, decimal or binary, plus if_tsoffset).
 * Binary fractions are truncated to whole nanoseconds.
 *
 * Formats, as specified by the IETF OPSAWG drafts that document them:
 *   - pcap: draft-ietf-opsawg-pcap section 4 (file header) and 5 (records);
 *     magic 0xa1b2c3d4 (microseconds) or 0xa1b23c4d (nanoseconds), written in
 *     the byte order of the machine that wrote the file.
 *   - pcapng: draft-ietf-opsawg-pcapng section 3.1 (block structure), 4.1
 *     (Section Header Block), 4.2 (Interface Description Block), 4.3
 *     (Enhanced Packet Block), 4.4 (Simple Packet Block), appendix A (the
 *     obsolete Packet Block). Each section has its own byte order.
 */

import { begin, byteAt, canRead, ErrorCode, failWith, inputLength, u16At, u32At } from "./abi";
import { beginRecords, closeRecord, finishRecords, putRecord, TAG_SKIPPED } from "./records";

/**
 * Tags of the capture records (high byte 0x04). Every record's start and
 * length lie inside the file; for each tag, what code, a and b mean:
 */
export const enum CaptureTag {
  /** The file. code: 1 pcap, 2 pcapng; start 0, length the file length;
   * a: pcap version (major << 16 | minor), 0 for pcapng;
   * b: pcap flags, bit 0 big-endian, bit 1 nanosecond timestamps (0 for
   * pcapng: see Section). Always the first record. */
  File = 0x0400,
  /** An interface: the pcap file header, or a pcapng Interface Description
   * Block. code: link type (LINKTYPE_*); start/length: the header or block;
   * a: snapshot length (0: none); b: the if_tsresol byte in force
   * (6 for microsecond pcap, 9 for nanosecond pcap). Interfaces are numbered
   * from 0 in each section, in the order of their records. */
  Interface = 0x0401,
  /** A packet (pcap record, pcapng EPB, SPB or obsolete PB). code: link type
   * of its interface; start/length: the captured bytes; a: original length on
   * the wire; b: interface number within its section. Its children, in this
   * order: Timestamp (absent for a Simple Packet Block, which has none), link
   * layer, Vlan tags, IPv4 or IPv6 and Ipv6Extension headers, Udp or Icmpv6,
   * Payload, and TAG_SKIPPED problems where they were found. */
  Packet = 0x0402,
  /** When a packet was captured. code: bits 32..47 of the seconds (the
   * seconds are a signed 48-bit count since 1970-01-01 UTC); start/length: the
   * timestamp fields in the file; a: bits 0..31 of the seconds; b: the
   * fraction of the second in nanoseconds (0..999999999). */
  Timestamp = 0x0403,
  /** A pcapng Section Header Block. code: 0; start/length: the block;
   * a: version (major << 16 | minor); b: 1 if the section is big-endian,
   * 0 if little-endian. Interface numbers restart after it. */
  Section = 0x0404,
  /** A pcapng block this reader does not decode (Name Resolution, Interface
   * Statistics, Decryption Secrets, custom, ...), skipped by its length.
   * code: 0; start/length: the block; a: block type; b: 0. */
  Block = 0x0405,
  /** Ethernet II header (IEEE 802.3 clause 3.2.6), LINKTYPE_ETHERNET 1.
   * code: the EtherType field; start/length: 14 bytes; a, b: 0. */
  Ethernet = 0x0410,
  /** Linux cooked capture v1 header, LINKTYPE_LINUX_SLL 113. code: protocol
   * (an EtherType); start/length: 16 bytes; a: packet type; b: ARPHRD type. */
  Sll = 0x0411,
  /** Linux cooked capture v2 header, LINKTYPE_LINUX_SLL2 276. code: protocol
   * (an EtherType); start/length: 20 bytes; a: packet type; b: ARPHRD type.
   * The interface index is the u32 at start + 4. */
  Sll2 = 0x0412,
  /** An IEEE 802.1Q (C-tag, 0x8100) or 802.1ad (S-tag, 0x88a8, or the
   * pre-standard 0x9100) VLAN tag. code: the EtherType after the tag;
   * start/length: the 4 bytes after the TPID (TCI and that EtherType);
   * a: the TCI (priority << 13 | DEI << 12 | VLAN ID); b: the TPID. */
  Vlan = 0x0413,
  /** IPv4 header (RFC 791 section 3.1). code: protocol; start/length: the
   * header with its options; a: TTL; b: the flags and fragment offset field.
   * The source address is the 4 bytes at start + 12, the destination at
   * start + 16. */
  Ipv4 = 0x0420,
  /** IPv6 fixed header (RFC 8200 section 3). code: next header; start/length:
   * 40 bytes; a: hop limit; b: payload length. The source address is the 16
   * bytes at start + 8, the destination at start + 24. */
  Ipv6 = 0x0421,
  /** IPv6 extension header (RFC 8200 section 4): Hop-by-Hop Options 0,
   * Routing 43, Fragment 44, Destination Options 60, or Authentication Header
   * 51 (RFC 4302). code: its type; start/length: the header; a: its next
   * header; b: for a Fragment header the offset and flags field
   * (offset << 3 | M), else 0. */
  Ipv6Extension = 0x0422,
  /** UDP header (RFC 768). code: 0; start/length: 8 bytes; a: source port;
   * b: destination port. */
  Udp = 0x0430,
  /** ICMPv6 message (RFC 4443 section 2.1). code: type; start/length: the
   * message to the end of the IP payload; a: ICMPv6 code; b: 0. */
  Icmpv6 = 0x0431,
  /** What the packet carries. code: a PayloadKind; start/length: the whole
   * ICMPv6 message (from its type byte) or the UDP payload; a, b: 0. Absent
   * when the packet has neither (PayloadKind.Other is then implied). */
  Payload = 0x0440,
}

/** Classification of a packet, the code of its Payload record. */
export const enum PayloadKind {
  /** Anything else: another ICMPv6 type or UDP port. */
  Other = 0,
  /** ICMPv6 type 134, Router Advertisement (RFC 4861 section 4.2). */
  RouterAdvertisement = 1,
  /** UDP port 546 or 547 (RFC 8415 section 7.2). */
  Dhcpv6 = 2,
  /** UDP port 67 or 68 (RFC 2131 section 4.1). */
  Dhcpv4 = 3,
}

/**
 * Detail identifiers (errorDetail() for a rejected file, code of TAG_SKIPPED
 * records for a flagged packet), mirrored as message templates in
 * core-as/capture.ts. For a rejected file, errorOffset() is where the
 * offending block, record or field starts and captureErrorValue() the value
 * the message quotes. For a TAG_SKIPPED child of a Packet: start/length the
 * bytes that were not decoded, a: the item (link type, IP version or
 * protocol, extension header type), b: the value the message quotes.
 */
export const enum CaptureDetail {
  // ---- the file is rejected
  /** value: the file length. */
  FileTooShort = 0x401,
  /** value: the first four bytes, big-endian. */
  UnknownMagic = 0x402,
  /** value: major << 16 | minor. */
  PcapVersion = 0x403,
  /** value: how many bytes are left for the 16-byte record header. */
  PcapRecordCutOff = 0x404,
  /** value: the captured length. */
  PcapRecordOverrun = 0x405,
  /** value: how many bytes are left for the block's type and length. */
  BlockCutOff = 0x406,
  /** value: the block length (< 12 or not a multiple of 4). */
  BlockLength = 0x407,
  /** value: the block length. */
  BlockOverrun = 0x408,
  /** value: the trailing block length. */
  BlockTrailer = 0x409,
  /** value: the byte-order magic as read big-endian. */
  ByteOrderMagic = 0x40a,
  /** value: major << 16 | minor. */
  SectionVersion = 0x40b,
  /** value: the block length (< 28). */
  ShortSectionHeader = 0x40c,
  /** value: the block length (< 20). */
  ShortInterface = 0x40d,
  /** value: the block length (< 32). */
  ShortEnhancedPacket = 0x40e,
  /** value: the block length (< 16). */
  ShortSimplePacket = 0x40f,
  /** value: the block length (< 32). */
  ShortObsoletePacket = 0x410,
  /** value: how many bytes are left for the option header. */
  OptionCutOff = 0x411,
  /** value: the option length. */
  OptionOverrun = 0x412,
  /** value: the if_tsresol byte. */
  TimestampResolution = 0x413,
  /** value: the number the interface would get. */
  TooManyInterfaces = 0x414,
  /** value: the interface number. */
  UnknownInterface = 0x415,
  /** value: the captured length. */
  PacketOverrun = 0x416,

  // ---- the packet is flagged
  /** b: the original length (start/length: the captured bytes). */
  FrameTruncated = 0x420,
  /** b: the original length, less than the captured length. */
  OriginalLengthShort = 0x421,
  /** b: the pcap fraction, at least one second (carried into the seconds). */
  TimestampFraction = 0x422,
  /** The timestamp does not fit 48-bit seconds; the Timestamp is left out. */
  TimestampOutOfRange = 0x423,
  /** a: the link type; b: the header size it needs. */
  LinkHeaderTruncated = 0x424,
  /** b: 4, the size of the tag. */
  VlanTagTruncated = 0x425,
  /** a: the expected version (0 for raw IP); b: the version found. */
  IpVersion = 0x426,
  /** b: the header size needed. */
  Ipv4HeaderTruncated = 0x427,
  /** b: the header length (IHL * 4), less than 20. */
  Ipv4HeaderLength = 0x428,
  /** b: the total length, less than the header length. */
  Ipv4TotalLength = 0x429,
  /** b: the total length, more than the frame holds. */
  Ipv4TotalLengthExceeds = 0x42a,
  /** a: the protocol; b: the flags and fragment offset field. */
  Ipv4Fragment = 0x42b,
  /** b: 40. */
  Ipv6HeaderTruncated = 0x42c,
  /** b: the payload length, more than the frame holds. */
  Ipv6PayloadLengthExceeds = 0x42d,
  /** a: the header type; b: the size it needs. */
  ExtensionHeaderTruncated = 0x42e,
  /** a: the next header; b: the offset and flags field. */
  Ipv6Fragment = 0x42f,
  /** b: 8. */
  UdpHeaderTruncated = 0x430,
  /** b: the UDP length, less than 8. */
  UdpLengthShort = 0x431,
  /** b: the UDP length, more than the IP payload holds. */
  UdpLengthExceeds = 0x432,
  /** b: 4. */
  Icmpv6Truncated = 0x433,
  /** A raw IP packet without a single byte; a: the link type. */
  RawIpEmpty = 0x434,
}

// ---------------------------------------------------------------------------
// Constants of the formats

/** pcap file header (draft-ietf-opsawg-pcap section 4). */
const PCAP_HEADER_SIZE: usize = 24;
const PCAP_VERSION_MAJOR_AT: usize = 4;
const PCAP_VERSION_MINOR_AT: usize = 6;
const PCAP_SNAPLEN_AT: usize = 16;
const PCAP_LINKTYPE_AT: usize = 20;
/** Magic numbers as read big-endian from a file written big-endian. */
const PCAP_MAGIC_MICROSECONDS: u32 = 0xa1b2c3d4;
const PCAP_MAGIC_NANOSECONDS: u32 = 0xa1b23c4d;
/** Supported major version; libpcap writes 2.4 and reads any 2.x. */
const PCAP_VERSION_MAJOR: u32 = 2;

/** pcap packet record header (section 5). */
const PCAP_RECORD_HEADER_SIZE: usize = 16;
const PCAP_TS_SECONDS_AT: usize = 0;
const PCAP_TS_FRACTION_AT: usize = 4;
const PCAP_CAPLEN_AT: usize = 8;
const PCAP_ORIGLEN_AT: usize = 12;

/** pcapng general block structure (section 3.1): type, length, body, length. */
const BLOCK_TYPE_AT: usize = 0;
const BLOCK_LENGTH_AT: usize = 4;
const BLOCK_BODY_AT: usize = 8;
/** Type, length and trailing length: the smallest possible block. */
const BLOCK_MIN_SIZE: usize = 12;

const BLOCK_SECTION_HEADER: u32 = 0x0a0d0d0a;
const BLOCK_INTERFACE: u32 = 0x00000001;
const BLOCK_OBSOLETE_PACKET: u32 = 0x00000002;
const BLOCK_SIMPLE_PACKET: u32 = 0x00000003;
const BLOCK_ENHANCED_PACKET: u32 = 0x00000006;

/** Section Header Block (section 4.1), offsets from the block start. */
const SHB_BYTE_ORDER_AT: usize = 8;
const SHB_VERSION_MAJOR_AT: usize = 12;
const SHB_VERSION_MINOR_AT: usize = 14;
const SHB_MIN_SIZE: usize = 28;
const BYTE_ORDER_MAGIC: u32 = 0x1a2b3c4d;
const BYTE_ORDER_MAGIC_SWAPPED: u32 = 0x4d3c2b1a;
const SECTION_VERSION_MAJOR: u32 = 1;

/** Interface Description Block (section 4.2). */
const IDB_LINKTYPE_AT: usize = 8;
const IDB_SNAPLEN_AT: usize = 12;
const IDB_OPTIONS_AT: usize = 16;
const IDB_MIN_SIZE: usize = 20;
/** Option codes (section 3.5 and 4.2). */
const OPT_ENDOFOPT: u32 = 0;
const OPT_IF_TSRESOL: u32 = 9;
const OPT_IF_TSOFFSET: u32 = 14;
/** "If this option is not present, a resolution of 10^-6 is assumed". */
const DEFAULT_TSRESOL: u32 = 6;
/** Largest decimal exponent whose unit count fits in u64 (10^19). */
const MAX_DECIMAL_TSRESOL: u32 = 19;
/** Largest binary exponent for a 64-bit timestamp. */
const MAX_BINARY_TSRESOL: u32 = 63;

/** Enhanced Packet Block (section 4.3). */
const EPB_INTERFACE_AT: usize = 8;
const EPB_TIMESTAMP_AT: usize = 12;
const EPB_CAPLEN_AT: usize = 20;
const EPB_ORIGLEN_AT: usize = 24;
const EPB_DATA_AT: usize = 28;
const EPB_MIN_SIZE: usize = 32;

/** Simple Packet Block (section 4.4): always interface 0, no timestamp. */
const SPB_ORIGLEN_AT: usize = 8;
const SPB_DATA_AT: usize = 12;
const SPB_MIN_SIZE: usize = 16;

/** Obsolete Packet Block (appendix A): like the EPB, u16 interface. */
const PB_INTERFACE_AT: usize = 8;
const PB_TIMESTAMP_AT: usize = 12;
const PB_CAPLEN_AT: usize = 20;
const PB_ORIGLEN_AT: usize = 24;
const PB_DATA_AT: usize = 28;
const PB_MIN_SIZE: usize = 32;

const FORMAT_PCAP: u32 = 1;
const FORMAT_PCAPNG: u32 = 2;

/** Link types (LINKTYPE_* of the tcpdump.org list). */
const LINKTYPE_ETHERNET: u32 = 1;
const LINKTYPE_RAW: u32 = 101;
const LINKTYPE_LINUX_SLL: u32 = 113;
const LINKTYPE_IPV4: u32 = 228;
const LINKTYPE_IPV6: u32 = 229;
const LINKTYPE_LINUX_SLL2: u32 = 276;

const ETHERNET_HEADER_SIZE: usize = 14;
const ETHERNET_TYPE_AT: usize = 12;
const SLL_HEADER_SIZE: usize = 16;
const SLL_PACKET_TYPE_AT: usize = 0;
const SLL_ARPHRD_AT: usize = 2;
const SLL_PROTOCOL_AT: usize = 14;
const SLL2_HEADER_SIZE: usize = 20;
const SLL2_PROTOCOL_AT: usize = 0;
const SLL2_ARPHRD_AT: usize = 8;
const SLL2_PACKET_TYPE_AT: usize = 10;
const VLAN_TAG_SIZE: usize = 4;

const ETHERTYPE_IPV4: u32 = 0x0800;
const ETHERTYPE_IPV6: u32 = 0x86dd;
const ETHERTYPE_VLAN: u32 = 0x8100;
const ETHERTYPE_QINQ: u32 = 0x88a8;
const ETHERTYPE_QINQ_OLD: u32 = 0x9100;

/** IPv4 header (RFC 791 section 3.1). */
const IPV4_MIN_HEADER: usize = 20;
const IPV4_TOTAL_LENGTH_AT: usize = 2;
const IPV4_FRAGMENT_AT: usize = 6;
const IPV4_TTL_AT: usize = 8;
const IPV4_PROTOCOL_AT: usize = 9;
/** More Fragments flag and the 13-bit fragment offset; DF does not count. */
const IPV4_FRAGMENT_MASK: u32 = 0x3fff;
/** The fragment offset alone: non-zero for every fragment but the first. */
const IPV4_FRAGMENT_OFFSET_MASK: u32 = 0x1fff;

/** IPv6 header (RFC 8200 section 3). */
const IPV6_HEADER_SIZE: usize = 40;
const IPV6_PAYLOAD_LENGTH_AT: usize = 4;
const IPV6_NEXT_HEADER_AT: usize = 6;
const IPV6_HOP_LIMIT_AT: usize = 7;

/** Next header / protocol numbers. */
const IP_HOP_BY_HOP: u32 = 0;
const IP_UDP: u32 = 17;
const IP_ROUTING: u32 = 43;
const IP_FRAGMENT: u32 = 44;
const IP_AUTHENTICATION: u32 = 51;
const IP_ICMPV6: u32 = 58;
const IP_DESTINATION_OPTIONS: u32 = 60;

/** IPv6 Fragment header (RFC 8200 section 4.5). */
const FRAGMENT_HEADER_SIZE: usize = 8;
const FRAGMENT_FIELD_AT: usize = 2;
/** Fragment offset (13 bits, shifted by 3) and the M flag; not the reserved bits. */
const FRAGMENT_MASK: u32 = 0xfff9;
/** The fragment offset alone. */
const FRAGMENT_OFFSET_MASK: u32 = 0xfff8;

const UDP_HEADER_SIZE: usize = 8;
const UDP_LENGTH_AT: usize = 4;
const ICMPV6_HEADER_SIZE: usize = 4;
const ICMPV6_ROUTER_ADVERTISEMENT: u32 = 134;

const PORT_DHCPV4_SERVER: u32 = 67;
const PORT_DHCPV4_CLIENT: u32 = 68;
const PORT_DHCPV6_CLIENT: u32 = 546;
const PORT_DHCPV6_SERVER: u32 = 547;

/** Seconds are kept as a signed 48-bit count (code:a of Timestamp). */
const SECONDS_LIMIT: i64 = 1 << 47;
const NANOSECONDS_PER_SECOND: u64 = 1_000_000_000;

// ---------------------------------------------------------------------------
// Interface table of the current pcapng section.
//
// Packets name their interface by number, so the link type, resolution and
// offset of every interface of the section must be at hand. They live in a
// static, zero-initialised table (reserved at compile time below the heap
// base, so no runtime allocation): 16 bytes per interface.

/** Interfaces one section may describe; a section with more is rejected. */
const MAX_INTERFACES: u32 = 1024;
const INTERFACE_ENTRY_SIZE: usize = 16;
const ENTRY_LINKTYPE_AT: usize = 0; // u16
const ENTRY_TSRESOL_AT: usize = 2; // u16: the if_tsresol byte
const ENTRY_SNAPLEN_AT: usize = 4; // u32
const ENTRY_TSOFFSET_AT: usize = 8; // i64: if_tsoffset seconds, clamped
const interfaceTable: usize = memory.data(<i32> (MAX_INTERFACES * <u32> INTERFACE_ENTRY_SIZE));

/** Interfaces described so far in the current section. */
let interfaceCount: u32 = 0;

function entry(index: u32): usize {
  return interfaceTable + <usize> index * INTERFACE_ENTRY_SIZE;
}

// ---------------------------------------------------------------------------
// State of one call (globals: core functions must not allocate)

/** Byte order of the pcap file or of the current pcapng section. */
let littleEndian: bool = false;
/** The value the error message of a rejected file quotes. */
let errorValue: u32 = 0;

/** Timestamp of the packet being emitted. */
let tsPresent: bool = false;
let tsSeconds: i64 = 0;
let tsNanoseconds: u32 = 0;
let tsStart: usize = 0;
let tsLength: usize = 0;
/** A timestamp problem detail (0: none) and the value it quotes. */
let tsProblem: u32 = 0;
let tsProblemValue: u32 = 0;

/** True if the frame was captured shorter than it was on the wire. */
let frameTruncated: bool = false;
/**
 * True if the packet's upper layers are known to be incomplete: the frame
 * was captured short, the IP header claims more bytes than the frame has
 * (flagged there), or it is the first fragment of an IP datagram. Length
 * fields of the layers above that claim more bytes are then expected, not
 * flagged again.
 */
let partial: bool = false;

/**
 * The value quoted by the error message of the last rejected file (see
 * CaptureDetail): a length, a version or a magic number.
 */
export function captureErrorValue(): u32 {
  return errorValue;
}

function reject(code: i32, offset: usize, detail: u32, value: u32): i32 {
  errorValue = value;
  return failWith(code, offset, detail);
}

/** Flags the packet being emitted: a TAG_SKIPPED child (see CaptureDetail). */
function problem(detail: u32, start: usize, length: usize, item: u32, value: u32): void {
  putRecord(TAG_SKIPPED, detail, start, length, item, value);
}

// ---------------------------------------------------------------------------
// Readers in the byte order of the file or section (abi.ts reads big-endian)

/** u16 in the current byte order, or -1 past the end. */
function u16In(offset: usize): i32 {
  const value = u16At(offset);
  if (value < 0 || !littleEndian) return value;
  return <i32> bswap<u16>(<u16> value);
}

/** u32 in the current byte order, or -1 past the end. */
function u32In(offset: usize): i64 {
  const value = u32At(offset);
  if (value < 0 || !littleEndian) return value;
  return <i64> bswap<u32>(<u32> value);
}

/**
 * u32 in the current byte order at an offset already checked with canRead
 * (0 if it was not, which callers never rely on).
 */
function field32(offset: usize): u32 {
  const value = u32In(offset);
  return value < 0 ? 0 : <u32> value;
}

/** u16 in the current byte order at an offset already checked. */
function field16(offset: usize): u32 {
  const value = u16In(offset);
  return value < 0 ? 0 : <u32> value;
}

/** Big-endian (network order) u16 at an offset already checked. */
function net16(offset: usize): u32 {
  const value = u16At(offset);
  return value < 0 ? 0 : <u32> value;
}

/** Byte at an offset already checked. */
function net8(offset: usize): u32 {
  const value = byteAt(offset);
  return value < 0 ? 0 : <u32> value;
}

/** A u64 field in the current byte order, at an offset already checked. */
function u64In(offset: usize): u64 {
  const first = <u64> field32(offset);
  const second = <u64> field32(offset + 4);
  return littleEndian ? (second << 32) | first : (first << 32) | second;
}

/**
 * A 64-bit timestamp made of two u32 fields, high word first, each in the
 * current byte order (pcapng section 4.3: "Timestamp (Upper)" then
 * "Timestamp (Lower)").
 */
function timestamp64(offset: usize): u64 {
  return (<u64> field32(offset) << 32) | <u64> field32(offset + 4);
}

// ---------------------------------------------------------------------------
// Entry point

/**
 * Reads the capture file of `len` bytes in the input region and writes its
 * record stream. Returns the stream's byte length, or a negative ErrorCode
 * with errorOffset(), errorDetail() and captureErrorValue() set.
 */
export function readCapture(len: usize): i32 {
  const started = begin(len);
  if (started != 0) return started;
  beginRecords();
  errorValue = 0;
  interfaceCount = 0;
  littleEndian = false;

  const magic = u32At(0);
  if (magic < 0) {
    return reject(ErrorCode.Truncated, 0, CaptureDetail.FileTooShort, <u32> len);
  }
  const m = <u32> magic;
  let status: i32;
  if (m == BLOCK_SECTION_HEADER) {
    status = readPcapng();
  } else if (m == PCAP_MAGIC_MICROSECONDS || m == PCAP_MAGIC_NANOSECONDS) {
    status = readPcap(false, m == PCAP_MAGIC_NANOSECONDS);
  } else if (m == bswap<u32>(PCAP_MAGIC_MICROSECONDS) || m == bswap<u32>(PCAP_MAGIC_NANOSECONDS)) {
    status = readPcap(true, m == bswap<u32>(PCAP_MAGIC_NANOSECONDS));
  } else {
    return reject(ErrorCode.UnexpectedCharacter, 0, CaptureDetail.UnknownMagic, m);
  }
  if (status != 0) return status;
  return finishRecords();
}

// ---------------------------------------------------------------------------
// pcap

function readPcap(swapped: bool, nanoseconds: bool): i32 {
  littleEndian = swapped;
  const len = inputLength();
  if (!canRead(0, PCAP_HEADER_SIZE)) {
    return reject(ErrorCode.Truncated, 0, CaptureDetail.FileTooShort, <u32> len);
  }
  const major = field16(PCAP_VERSION_MAJOR_AT);
  const minor = field16(PCAP_VERSION_MINOR_AT);
  const version = (major << 16) | minor;
  if (major != PCAP_VERSION_MAJOR) {
    return reject(ErrorCode.InvalidValue, PCAP_VERSION_MAJOR_AT, CaptureDetail.PcapVersion, version);
  }
  const snaplen = field32(PCAP_SNAPLEN_AT);
  // The upper bits of the field may say how long a frame check sequence
  // each packet ends with (section 4); the link type is the low 16 bits.
  const linkType = field32(PCAP_LINKTYPE_AT) & 0xffff;
  const flags: u32 = (swapped ? 0 : 1) | (nanoseconds ? 2 : 0);
  putRecord(CaptureTag.File, FORMAT_PCAP, 0, len, version, flags);
  putRecord(CaptureTag.Interface, linkType, 0, PCAP_HEADER_SIZE, snaplen, nanoseconds ? 9 : DEFAULT_TSRESOL);

  const unit: u32 = nanoseconds ? 1_000_000_000 : 1_000_000;
  const scale: u32 = nanoseconds ? 1 : 1000;
  let offset = PCAP_HEADER_SIZE;
  // Each iteration consumes the 16-byte record header at least.
  while (offset < len) {
    if (!canRead(offset, PCAP_RECORD_HEADER_SIZE)) {
      return reject(ErrorCode.Truncated, offset, CaptureDetail.PcapRecordCutOff, <u32> (len - offset));
    }
    const caplen = field32(offset + PCAP_CAPLEN_AT);
    const origlen = field32(offset + PCAP_ORIGLEN_AT);
    const data = offset + PCAP_RECORD_HEADER_SIZE;
    if (<usize> caplen > len - data) {
      return reject(ErrorCode.Truncated, offset, CaptureDetail.PcapRecordOverrun, caplen);
    }
    const seconds = field32(offset + PCAP_TS_SECONDS_AT);
    const fraction = field32(offset + PCAP_TS_FRACTION_AT);
    tsPresent = true;
    tsStart = offset;
    tsLength = 8;
    tsProblem = 0;
    // The seconds field is unsigned (section 5), so it always fits 48 bits;
    // a fraction of a second or more is carried into the seconds and flagged.
    tsSeconds = <i64> seconds + <i64> (fraction / unit);
    tsNanoseconds = (fraction % unit) * scale;
    if (fraction >= unit) {
      tsProblem = CaptureDetail.TimestampFraction;
      tsProblemValue = fraction;
    }
    emitPacket(linkType, data, caplen, origlen, 0);
    offset = data + <usize> caplen;
  }
  return 0;
}

// ---------------------------------------------------------------------------
// pcapng

function readPcapng(): i32 {
  const len = inputLength();
  putRecord(CaptureTag.File, FORMAT_PCAPNG, 0, len, 0, 0);
  let offset: usize = 0;
  // Each iteration consumes a whole block, at least BLOCK_MIN_SIZE bytes.
  while (offset < len) {
    const left = len - offset;
    if (left < BLOCK_BODY_AT) {
      return reject(ErrorCode.Truncated, offset, CaptureDetail.BlockCutOff, <u32> left);
    }
    // The Section Header Block's type reads the same in both byte orders;
    // its byte-order magic says how to read everything up to the next one.
    const typeBigEndian = u32At(offset + BLOCK_TYPE_AT);
    if (typeBigEndian == <i64> BLOCK_SECTION_HEADER) {
      const bom = u32At(offset + SHB_BYTE_ORDER_AT);
      if (bom < 0) {
        return reject(ErrorCode.Truncated, offset, CaptureDetail.BlockCutOff, <u32> left);
      }
      if (<u32> bom == BYTE_ORDER_MAGIC) {
        littleEndian = false;
      } else if (<u32> bom == BYTE_ORDER_MAGIC_SWAPPED) {
        littleEndian = true;
      } else {
        return reject(ErrorCode.InvalidValue, offset + SHB_BYTE_ORDER_AT, CaptureDetail.ByteOrderMagic, <u32> bom);
      }
    }
    const type = field32(offset + BLOCK_TYPE_AT);
    const blockLength = field32(offset + BLOCK_LENGTH_AT);
    // Section 3.1 requires the Block Total Length to be a multiple of 4; less
    // than 12 cannot hold the block's own framing, and 0 would never advance.
    if (<usize> blockLength < BLOCK_MIN_SIZE || (blockLength & 3) != 0) {
      return reject(ErrorCode.BadLength, offset, CaptureDetail.BlockLength, blockLength);
    }
    if (<usize> blockLength > left) {
      return reject(ErrorCode.Truncated, offset, CaptureDetail.BlockOverrun, blockLength);
    }
    const trailer = field32(offset + <usize> blockLength - 4);
    if (trailer != blockLength) {
      return reject(ErrorCode.BadLength, offset, CaptureDetail.BlockTrailer, trailer);
    }
    let status: i32 = 0;
    if (type == BLOCK_SECTION_HEADER) {
      status = readSectionHeader(offset, blockLength);
    } else if (type == BLOCK_INTERFACE) {
      status = readInterface(offset, blockLength);
    } else if (type == BLOCK_ENHANCED_PACKET) {
      status = readEnhancedPacket(offset, blockLength);
    } else if (type == BLOCK_SIMPLE_PACKET) {
      status = readSimplePacket(offset, blockLength);
    } else if (type == BLOCK_OBSOLETE_PACKET) {
      status = readObsoletePacket(offset, blockLength);
    } else {
      // A reader skips the blocks it does not know (section 3.1); each one is
      // kept visible as a Block record rather than dropped silently.
      putRecord(CaptureTag.Block, 0, offset, blockLength, type, 0);
    }
    if (status != 0) return status;
    offset += <usize> blockLength;
  }
  return 0;
}

function readSectionHeader(offset: usize, blockLength: u32): i32 {
  if (<usize> blockLength < SHB_MIN_SIZE) {
    return reject(ErrorCode.BadLength, offset, CaptureDetail.ShortSectionHeader, blockLength);
  }
  const major = field16(offset + SHB_VERSION_MAJOR_AT);
  const minor = field16(offset + SHB_VERSION_MINOR_AT);
  const version = (major << 16) | minor;
  // Section 4.1: a reader must not read a section whose major version it
  // does not know, since its blocks may be laid out differently.
  if (major != SECTION_VERSION_MAJOR) {
    return reject(ErrorCode.InvalidValue, offset + SHB_VERSION_MAJOR_AT, CaptureDetail.SectionVersion, version);
  }
  // Interface numbers are per section (section 4.2).
  interfaceCount = 0;
  putRecord(CaptureTag.Section, 0, offset, blockLength, version, littleEndian ? 0 : 1);
  return 0;
}

function readInterface(offset: usize, blockLength: u32): i32 {
  if (<usize> blockLength < IDB_MIN_SIZE) {
    return reject(ErrorCode.BadLength, offset, CaptureDetail.ShortInterface, blockLength);
  }
  if (interfaceCount >= MAX_INTERFACES) {
    return reject(ErrorCode.InvalidValue, offset, CaptureDetail.TooManyInterfaces, interfaceCount);
  }
  const linkType = field16(offset + IDB_LINKTYPE_AT);
  const snaplen = field32(offset + IDB_SNAPLEN_AT);
  let tsresol = DEFAULT_TSRESOL;
  let tsoffset: i64 = 0;
  const end = offset + <usize> blockLength - 4;
  let at = offset + IDB_OPTIONS_AT;
  // Options (section 3.5): code u16, length u16, value padded to 32 bits.
  // Each iteration consumes at least the 4-byte option header.
  while (at < end) {
    // Unreachable while block lengths are multiples of 4 (checked before),
    // but it keeps the two reads below inside the block on its own.
    if (end - at < 4) {
      return reject(ErrorCode.Truncated, at, CaptureDetail.OptionCutOff, <u32> (end - at));
    }
    const code = field16(at);
    const length = field16(at + 2);
    const padded = <usize> ((length + 3) & ~3);
    if (padded > end - at - 4) {
      return reject(ErrorCode.Truncated, at, CaptureDetail.OptionOverrun, length);
    }
    if (code == OPT_ENDOFOPT) break;
    if (code == OPT_IF_TSRESOL && length == 1) {
      // "If the Most Significant Bit is equal to zero, the remaining bits
      // indicates the resolution ... as a negative power of 10 ... If the
      // Most Significant Bit is equal to one ... negative power of 2."
      tsresol = net8(at + 4);
      const exponent = tsresol & 0x7f;
      if ((tsresol & 0x80) != 0 ? exponent > MAX_BINARY_TSRESOL : exponent > MAX_DECIMAL_TSRESOL) {
        return reject(ErrorCode.InvalidValue, at + 4, CaptureDetail.TimestampResolution, tsresol);
      }
    } else if (code == OPT_IF_TSOFFSET && length == 8) {
      // if_tsoffset: "a 64-bit signed integer value that specifies an offset
      // (in seconds) that must be added to the timestamp of each packet".
      tsoffset = <i64> u64In(at + 4);
    }
    at += 4 + padded;
  }
  // Offsets beyond the 48-bit range of Timestamp cannot apply to any time
  // this reader can report; they are clamped so that the sum cannot wrap.
  if (tsoffset >= SECONDS_LIMIT) tsoffset = SECONDS_LIMIT;
  if (tsoffset <= -SECONDS_LIMIT) tsoffset = -SECONDS_LIMIT;
  const e = entry(interfaceCount);
  store<u16>(e + ENTRY_LINKTYPE_AT, <u16> linkType);
  store<u16>(e + ENTRY_TSRESOL_AT, <u16> tsresol);
  store<u32>(e + ENTRY_SNAPLEN_AT, snaplen);
  store<i64>(e + ENTRY_TSOFFSET_AT, tsoffset);
  interfaceCount++;
  putRecord(CaptureTag.Interface, linkType, offset, blockLength, snaplen, tsresol);
  return 0;
}

function readEnhancedPacket(offset: usize, blockLength: u32): i32 {
  if (<usize> blockLength < EPB_MIN_SIZE) {
    return reject(ErrorCode.BadLength, offset, CaptureDetail.ShortEnhancedPacket, blockLength);
  }
  const iface = field32(offset + EPB_INTERFACE_AT);
  return readPacketBlock(offset, blockLength, iface, EPB_TIMESTAMP_AT, EPB_CAPLEN_AT, EPB_ORIGLEN_AT, EPB_DATA_AT);
}

function readObsoletePacket(offset: usize, blockLength: u32): i32 {
  if (<usize> blockLength < PB_MIN_SIZE) {
    return reject(ErrorCode.BadLength, offset, CaptureDetail.ShortObsoletePacket, blockLength);
  }
  const iface = field16(offset + PB_INTERFACE_AT);
  return readPacketBlock(offset, blockLength, iface, PB_TIMESTAMP_AT, PB_CAPLEN_AT, PB_ORIGLEN_AT, PB_DATA_AT);
}

/** The common part of the Enhanced and the obsolete Packet Block. */
function readPacketBlock(
  offset: usize,
  blockLength: u32,
  iface: u32,
  timestampAt: usize,
  caplenAt: usize,
  origlenAt: usize,
  dataAt: usize,
): i32 {
  // The Interface ID names an IDB of this section, in the order they came
  // (section 4.3); a packet of an undescribed interface has no link type.
  if (iface >= interfaceCount) {
    return reject(ErrorCode.InvalidValue, offset, CaptureDetail.UnknownInterface, iface);
  }
  const e = entry(iface);
  const caplen = field32(offset + caplenAt);
  const origlen = field32(offset + origlenAt);
  const data = offset + dataAt;
  const end = offset + <usize> blockLength - 4;
  if (<usize> caplen > end - data) {
    return reject(ErrorCode.Truncated, offset, CaptureDetail.PacketOverrun, caplen);
  }
  setUnitsTimestamp(
    timestamp64(offset + timestampAt),
    <u32> load<u16>(e + ENTRY_TSRESOL_AT),
    load<i64>(e + ENTRY_TSOFFSET_AT),
    offset + timestampAt,
  );
  emitPacket(<u32> load<u16>(e + ENTRY_LINKTYPE_AT), data, caplen, origlen, iface);
  return 0;
}

function readSimplePacket(offset: usize, blockLength: u32): i32 {
  if (<usize> blockLength < SPB_MIN_SIZE) {
    return reject(ErrorCode.BadLength, offset, CaptureDetail.ShortSimplePacket, blockLength);
  }
  // A Simple Packet Block belongs to the section's first interface (4.4).
  if (interfaceCount == 0) {
    return reject(ErrorCode.InvalidValue, offset, CaptureDetail.UnknownInterface, 0);
  }
  const e = entry(0);
  const origlen = field32(offset + SPB_ORIGLEN_AT);
  const data = offset + SPB_DATA_AT;
  const room = offset + <usize> blockLength - 4 - data;
  // Section 4.4: the captured length is the smaller of the original length
  // and the interface's snaplen; the block (padded) bounds it as well.
  let caplen = <usize> origlen < room ? origlen : <u32> room;
  const snaplen = load<u32>(e + ENTRY_SNAPLEN_AT);
  if (snaplen != 0 && snaplen < caplen) caplen = snaplen;
  tsPresent = false;
  tsProblem = 0;
  emitPacket(<u32> load<u16>(e + ENTRY_LINKTYPE_AT), data, caplen, origlen, 0);
  return 0;
}

// ---------------------------------------------------------------------------
// Timestamps

/** 10 to the power `n`, for n <= 19 (the loop is bounded by a constant). */
function pow10(n: u32): u64 {
  let value: u64 = 1;
  for (let i: u32 = 0; i < n && i < MAX_DECIMAL_TSRESOL; i++) value *= 10;
  return value;
}

/**
 * floor(fraction * 10^9 / 2^exponent), exactly, for fraction < 2^exponent
 * and exponent <= 63: the product needs up to 93 bits, so it is formed in
 * two 64-bit halves when it would not fit one.
 */
function binaryFractionToNanoseconds(fraction: u64, exponent: u32): u64 {
  // fraction < 2^34 and 10^9 < 2^30: the product fits 64 bits.
  if (exponent <= 34) return (fraction * NANOSECONDS_PER_SECOND) >> exponent;
  const high = (fraction >> 32) * NANOSECONDS_PER_SECOND; // < 2^61
  const low = (fraction & 0xffff_ffff) * NANOSECONDS_PER_SECOND; // < 2^62
  // product = high * 2^32 + low = upper * 2^64 + lower
  const lower = (high << 32) + low;
  const carry: u64 = lower < low ? 1 : 0;
  const upper = (high >> 32) + carry;
  return (upper << (64 - exponent)) | (lower >> exponent);
}

/**
 * Sets the timestamp of the next packet from a pcapng count of units since
 * 1970, the interface's if_tsresol byte (already checked to be in range)
 * and its if_tsoffset in seconds.
 */
function setUnitsTimestamp(units: u64, tsresol: u32, tsoffset: i64, start: usize): void {
  tsStart = start;
  tsLength = 8;
  tsProblem = 0;
  const exponent = tsresol & 0x7f;
  let seconds: u64 = 0;
  let nanoseconds: u64 = 0;
  if ((tsresol & 0x80) != 0) {
    seconds = units >> exponent;
    nanoseconds = binaryFractionToNanoseconds(units & ((<u64> 1 << exponent) - 1), exponent);
  } else {
    const perSecond = pow10(exponent);
    seconds = units / perSecond;
    const fraction = units % perSecond;
    nanoseconds = exponent <= 9 ? fraction * pow10(9 - exponent) : fraction / pow10(exponent - 9);
  }
  // Both terms lie within 2^47 in magnitude here, so the sum cannot wrap.
  const total = seconds >= <u64> SECONDS_LIMIT ? SECONDS_LIMIT : <i64> seconds + tsoffset;
  if (total >= SECONDS_LIMIT || total < -SECONDS_LIMIT) {
    tsPresent = false;
    tsProblem = CaptureDetail.TimestampOutOfRange;
    tsProblemValue = 0;
    return;
  }
  tsPresent = true;
  tsSeconds = total;
  tsNanoseconds = <u32> nanoseconds;
}

// ---------------------------------------------------------------------------
// Packets and their layers

/** Writes the Packet record of one packet and decodes its layers as children. */
function emitPacket(linkType: u32, start: usize, caplen: u32, origlen: u32, iface: u32): void {
  const packet = putRecord(CaptureTag.Packet, linkType, start, caplen, origlen, iface);
  if (tsPresent) {
    const high = <u32> ((tsSeconds >> 32) & 0xffff);
    putRecord(CaptureTag.Timestamp, high, tsStart, tsLength, <u32> tsSeconds, tsNanoseconds);
  }
  if (tsProblem != 0) problem(tsProblem, tsStart, tsLength, 0, tsProblemValue);
  frameTruncated = caplen < origlen;
  partial = frameTruncated;
  if (frameTruncated) {
    problem(CaptureDetail.FrameTruncated, start, caplen, 0, origlen);
  } else if (origlen < caplen) {
    problem(CaptureDetail.OriginalLengthShort, start, caplen, 0, origlen);
  }
  decodeFrame(linkType, start, start + <usize> caplen);
  closeRecord(packet);
}

function decodeFrame(linkType: u32, start: usize, end: usize): void {
  let at = start;
  let etherType: u32 = 0;
  if (linkType == LINKTYPE_ETHERNET) {
    if (end - at < ETHERNET_HEADER_SIZE) {
      problem(CaptureDetail.LinkHeaderTruncated, at, end - at, linkType, <u32> ETHERNET_HEADER_SIZE);
      return;
    }
    etherType = net16(at + ETHERNET_TYPE_AT);
    putRecord(CaptureTag.Ethernet, etherType, at, ETHERNET_HEADER_SIZE, 0, 0);
    at += ETHERNET_HEADER_SIZE;
  } else if (linkType == LINKTYPE_LINUX_SLL) {
    if (end - at < SLL_HEADER_SIZE) {
      problem(CaptureDetail.LinkHeaderTruncated, at, end - at, linkType, <u32> SLL_HEADER_SIZE);
      return;
    }
    etherType = net16(at + SLL_PROTOCOL_AT);
    putRecord(CaptureTag.Sll, etherType, at, SLL_HEADER_SIZE, net16(at + SLL_PACKET_TYPE_AT), net16(at + SLL_ARPHRD_AT));
    at += SLL_HEADER_SIZE;
  } else if (linkType == LINKTYPE_LINUX_SLL2) {
    if (end - at < SLL2_HEADER_SIZE) {
      problem(CaptureDetail.LinkHeaderTruncated, at, end - at, linkType, <u32> SLL2_HEADER_SIZE);
      return;
    }
    etherType = net16(at + SLL2_PROTOCOL_AT);
    putRecord(
      CaptureTag.Sll2,
      etherType,
      at,
      SLL2_HEADER_SIZE,
      net8(at + SLL2_PACKET_TYPE_AT),
      net16(at + SLL2_ARPHRD_AT),
    );
    at += SLL2_HEADER_SIZE;
  } else if (linkType == LINKTYPE_RAW) {
    // Raw IP: the version nibble says which.
    if (at >= end) {
      problem(CaptureDetail.RawIpEmpty, at, 0, linkType, 0);
      return;
    }
    const version = net8(at) >> 4;
    if (version == 4) {
      decodeIpv4(at, end);
    } else if (version == 6) {
      decodeIpv6(at, end);
    } else {
      problem(CaptureDetail.IpVersion, at, end - at, 0, version);
    }
    return;
  } else if (linkType == LINKTYPE_IPV4) {
    decodeIpv4(at, end);
    return;
  } else if (linkType == LINKTYPE_IPV6) {
    decodeIpv6(at, end);
    return;
  } else {
    return; // a link type this reader does not decode: the packet is Other
  }
  // VLAN tags, each 4 bytes after its TPID; each iteration consumes 4 bytes.
  while (etherType == ETHERTYPE_VLAN || etherType == ETHERTYPE_QINQ || etherType == ETHERTYPE_QINQ_OLD) {
    if (end - at < VLAN_TAG_SIZE) {
      problem(CaptureDetail.VlanTagTruncated, at, end - at, etherType, <u32> VLAN_TAG_SIZE);
      return;
    }
    const inner = net16(at + 2);
    putRecord(CaptureTag.Vlan, inner, at, VLAN_TAG_SIZE, net16(at), etherType);
    etherType = inner;
    at += VLAN_TAG_SIZE;
  }
  if (etherType == ETHERTYPE_IPV4) {
    decodeIpv4(at, end);
  } else if (etherType == ETHERTYPE_IPV6) {
    decodeIpv6(at, end);
  }
}

/** IPv4 (RFC 791 section 3.1); fragments are flagged, not reassembled. */
function decodeIpv4(at: usize, end: usize): void {
  const available = end - at;
  if (available < IPV4_MIN_HEADER) {
    problem(CaptureDetail.Ipv4HeaderTruncated, at, available, 4, <u32> IPV4_MIN_HEADER);
    return;
  }
  const first = net8(at);
  const version = first >> 4;
  const headerLength = (first & 0x0f) * 4;
  if (version != 4) {
    problem(CaptureDetail.IpVersion, at, available, 4, version);
    return;
  }
  if (<usize> headerLength < IPV4_MIN_HEADER) {
    problem(CaptureDetail.Ipv4HeaderLength, at, available, 4, headerLength);
    return;
  }
  if (<usize> headerLength > available) {
    problem(CaptureDetail.Ipv4HeaderTruncated, at, available, 4, headerLength);
    return;
  }
  const totalLength = net16(at + IPV4_TOTAL_LENGTH_AT);
  const protocol = net8(at + IPV4_PROTOCOL_AT);
  const fragment = net16(at + IPV4_FRAGMENT_AT);
  putRecord(CaptureTag.Ipv4, protocol, at, headerLength, net8(at + IPV4_TTL_AT), fragment);
  if (totalLength < headerLength) {
    problem(CaptureDetail.Ipv4TotalLength, at, available, 4, totalLength);
    return;
  }
  // Bytes past the total length are link-layer padding (Ethernet pads short
  // frames to 60 bytes), not payload.
  let ipEnd = end;
  if (<usize> totalLength > available) {
    // A frame captured short explains itself (FrameTruncated); otherwise the
    // header claims bytes the frame does not have.
    if (!frameTruncated) problem(CaptureDetail.Ipv4TotalLengthExceeds, at, available, 4, totalLength);
    partial = true;
  } else {
    ipEnd = at + <usize> totalLength;
  }
  if ((fragment & IPV4_FRAGMENT_MASK) != 0) {
    problem(CaptureDetail.Ipv4Fragment, at, ipEnd - at, protocol, fragment);
    // Only the first fragment holds the upper-layer header; its payload is
    // decoded as far as it goes, as Wireshark does when it cannot reassemble.
    if ((fragment & IPV4_FRAGMENT_OFFSET_MASK) != 0) return;
    partial = true;
  }
  decodeTransport(protocol, at + <usize> headerLength, ipEnd);
}

/**
 * IPv6 (RFC 8200 section 3) and its extension headers (section 4); a
 * fragment is flagged, not reassembled, except an atomic fragment (offset 0,
 * M clear), which RFC 6946 section 4 says to process as a whole packet.
 */
function decodeIpv6(at: usize, end: usize): void {
  const available = end - at;
  if (available < IPV6_HEADER_SIZE) {
    problem(CaptureDetail.Ipv6HeaderTruncated, at, available, 6, <u32> IPV6_HEADER_SIZE);
    return;
  }
  const version = net8(at) >> 4;
  if (version != 6) {
    problem(CaptureDetail.IpVersion, at, available, 6, version);
    return;
  }
  const payloadLength = net16(at + IPV6_PAYLOAD_LENGTH_AT);
  let header = net8(at + IPV6_NEXT_HEADER_AT);
  putRecord(CaptureTag.Ipv6, header, at, IPV6_HEADER_SIZE, net8(at + IPV6_HOP_LIMIT_AT), payloadLength);
  let ipEnd = end;
  if (<usize> payloadLength > available - IPV6_HEADER_SIZE) {
    if (!frameTruncated) problem(CaptureDetail.Ipv6PayloadLengthExceeds, at, available, 6, payloadLength);
    partial = true;
  } else {
    ipEnd = at + IPV6_HEADER_SIZE + <usize> payloadLength;
  }
  let cursor = at + IPV6_HEADER_SIZE;
  // Each iteration consumes one extension header of at least 8 bytes, after
  // checking that it lies within the packet.
  while (true) {
    const left = ipEnd - cursor;
    let size: usize = 0;
    if (header == IP_HOP_BY_HOP || header == IP_ROUTING || header == IP_DESTINATION_OPTIONS) {
      // "Hdr Ext Len: Length of the ... header in 8-octet units, not
      // including the first 8 octets."
      size = left < 2 ? 8 : (<usize> net8(cursor + 1) + 1) * 8;
    } else if (header == IP_FRAGMENT) {
      size = FRAGMENT_HEADER_SIZE;
    } else if (header == IP_AUTHENTICATION) {
      // RFC 4302 section 2.2: the Payload Len counts 32-bit words, minus 2.
      size = left < 2 ? 8 : (<usize> net8(cursor + 1) + 2) * 4;
    } else {
      break;
    }
    if (size > left) {
      problem(CaptureDetail.ExtensionHeaderTruncated, cursor, left, header, <u32> size);
      return;
    }
    const next = net8(cursor);
    const fragmentField = header == IP_FRAGMENT ? net16(cursor + FRAGMENT_FIELD_AT) : 0;
    putRecord(CaptureTag.Ipv6Extension, header, cursor, size, next, fragmentField);
    if (header == IP_FRAGMENT && (fragmentField & FRAGMENT_MASK) != 0) {
      problem(CaptureDetail.Ipv6Fragment, cursor, left, next, fragmentField);
      // As for IPv4: the first fragment is decoded as far as it goes.
      if ((fragmentField & FRAGMENT_OFFSET_MASK) != 0) return;
      partial = true;
    }
    header = next;
    cursor += size;
  }
  decodeTransport(header, cursor, ipEnd);
}

/** UDP (RFC 768) or ICMPv6 (RFC 4443), then the Payload classification. */
function decodeTransport(protocol: u32, at: usize, end: usize): void {
  const available = end - at;
  if (protocol == IP_UDP) {
    if (available < UDP_HEADER_SIZE) {
      problem(CaptureDetail.UdpHeaderTruncated, at, available, protocol, <u32> UDP_HEADER_SIZE);
      return;
    }
    const source = net16(at);
    const destination = net16(at + 2);
    const length = net16(at + UDP_LENGTH_AT);
    putRecord(CaptureTag.Udp, 0, at, UDP_HEADER_SIZE, source, destination);
    if (<usize> length < UDP_HEADER_SIZE) {
      problem(CaptureDetail.UdpLengthShort, at, available, protocol, length);
      return;
    }
    let payloadEnd = end;
    if (<usize> length > available) {
      if (!partial) problem(CaptureDetail.UdpLengthExceeds, at, available, protocol, length);
    } else {
      payloadEnd = at + <usize> length;
    }
    const payload = at + UDP_HEADER_SIZE;
    putRecord(CaptureTag.Payload, classifyPorts(source, destination), payload, payloadEnd - payload, 0, 0);
  } else if (protocol == IP_ICMPV6) {
    if (available < ICMPV6_HEADER_SIZE) {
      problem(CaptureDetail.Icmpv6Truncated, at, available, protocol, <u32> ICMPV6_HEADER_SIZE);
      return;
    }
    const type = net8(at);
    putRecord(CaptureTag.Icmpv6, type, at, available, net8(at + 1), 0);
    const kind = type == ICMPV6_ROUTER_ADVERTISEMENT ? PayloadKind.RouterAdvertisement : PayloadKind.Other;
    putRecord(CaptureTag.Payload, kind, at, available, 0, 0);
  }
}

function portKind(port: u32): u32 {
  if (port == PORT_DHCPV6_CLIENT || port == PORT_DHCPV6_SERVER) return PayloadKind.Dhcpv6;
  if (port == PORT_DHCPV4_SERVER || port == PORT_DHCPV4_CLIENT) return PayloadKind.Dhcpv4;
  return PayloadKind.Other;
}

/**
 * The kind of a UDP payload by its ports. Like Wireshark's UDP dissector,
 * the lower port is tried first, so a reply from port 67 to port 546 would
 * count as DHCPv4; either port alone decides, so a DHCPv6 message sent from
 * an ephemeral port to 547 counts as DHCPv6.
 */
function classifyPorts(source: u32, destination: u32): u32 {
  const low = source < destination ? source : destination;
  const high = source < destination ? destination : source;
  const kind = portKind(low);
  return kind != PayloadKind.Other ? kind : portKind(high);
}
