/**
 * Reading capture files (pcap and pcapng) in the WebAssembly core, down to
 * the Router Advertisements, DHCPv6 and DHCPv4 messages they carry.
 *
 * {@linkcode readCapture} decodes every packet's lower layers (Ethernet II
 * with 802.1Q/802.1ad tags, Linux cooked capture v1 and v2, raw IP; IPv4,
 * IPv6 with its extension headers; UDP, ICMPv6) and classifies what it
 * carries, so that the message bytes can be handed to the parsers of this
 * module. It never reassembles IP fragments: they are flagged, and only
 * the first fragment of a datagram is decoded further, as far as its bytes
 * go (the way Wireshark shows fragments it cannot reassemble).
 *
 * The classification agrees with tshark 4.0 (`icmpv6.type==134`, `dhcpv6`,
 * `dhcp`) frame for frame on every capture in the project's test corpus.
 * {@linkcode buildCapture} writes packets back as pcapng or pcap.
 *
 * Runtime-neutral: no Deno or Node APIs; the caller reads the file.
 *
 * @example Counting Router Advertisements in a capture
 * ```ts
 * import { readCapture } from "./capture.ts";
 *
 * const bytes = new Uint8Array([
 *   0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, // pcap, 2.4
 *   0xff, 0xff, 0, 0, 1, 0, 0, 0, // snaplen 65535, Ethernet
 * ]);
 * const capture = readCapture(bytes);
 * const ras = capture.packets.filter((p) => p.kind === "router-advertisement");
 * if (capture.format !== "pcap" || ras.length !== 0) throw new Error();
 * ```
 *
 * @module
 */

import { coreWasm } from "./core_wasm.generated.ts";
import { callCore, type CoreErrorCause, CoreErrorCode } from "./_abi.ts";
import { copyRecords, type RecordStream, TAG_SKIPPED } from "./_records.ts";
import { ipv4Text, ipv6Text } from "./_text.ts";

/**
 * The container format of a capture file.
 *
 * @example
 * ```ts
 * import type { CaptureFormat } from "./capture.ts";
 *
 * const format: CaptureFormat = "pcapng";
 * if (format !== "pcapng") throw new Error();
 * ```
 */
export type CaptureFormat = "pcap" | "pcapng";

/**
 * What a packet carries, as far as the MIF API is concerned:
 *
 * - `"router-advertisement"`: an ICMPv6 message of type 134 (RFC 4861
 *   section 4.2);
 * - `"dhcpv6"`: a UDP datagram from or to port 546 or 547 (RFC 8415
 *   section 7.2);
 * - `"dhcpv4"`: a UDP datagram from or to port 67 or 68 (RFC 2131);
 * - `"other"`: anything else, including packets whose lower layers could not
 *   be decoded (see {@linkcode CapturedPacket.problems}).
 *
 * When both ports name a protocol, the lower port wins, as in Wireshark.
 *
 * @example
 * ```ts
 * import type { PacketKind } from "./capture.ts";
 *
 * const kind: PacketKind = "dhcpv6";
 * if (kind !== "dhcpv6") throw new Error();
 * ```
 */
export type PacketKind = "router-advertisement" | "dhcpv6" | "dhcpv4" | "other";

/**
 * An interface of the capture: the pcap file header, or one pcapng
 * Interface Description Block (draft-ietf-opsawg-pcapng section 4.2).
 *
 * @example
 * ```ts
 * import type { CaptureInterface } from "./capture.ts";
 *
 * const ethernet: CaptureInterface = {
 *   section: 0,
 *   offset: 0,
 *   linkType: 1,
 *   snapLength: 65535,
 *   timestampResolution: 6,
 * };
 * if (ethernet.linkType !== 1) throw new Error();
 * ```
 */
export interface CaptureInterface {
  /** Which pcapng section (from 0) describes it; 0 for pcap. */
  readonly section: number;
  /** File offset of its block (0, the file header, for pcap). */
  readonly offset: number;
  /** Its link type (LINKTYPE_* of the tcpdump.org list: 1 Ethernet, 113 and 276 Linux cooked, 101 raw IP). */
  readonly linkType: number;
  /** Its snapshot length (0: unlimited). */
  readonly snapLength: number;
  /**
   * The if_tsresol byte in force: a negative power of 10, or of 2 when the
   * high bit is set (6: microseconds, 9: nanoseconds).
   */
  readonly timestampResolution: number;
}

/**
 * One packet of a capture file, with its lower layers decoded.
 *
 * @example
 * ```ts
 * import type { CapturedPacket } from "./capture.ts";
 *
 * function describe(packet: CapturedPacket): string {
 *   return `${packet.frame} ${packet.source ?? "?"} > ${packet.destination ?? "?"} ${packet.kind}`;
 * }
 * if (typeof describe !== "function") throw new Error();
 * ```
 */
export interface CapturedPacket {
  /** Its number in the file, from 1 (as Wireshark numbers frames). */
  readonly frame: number;
  /** File offset of its captured bytes. */
  readonly offset: number;
  /** Index of its interface in {@linkcode CaptureFile.interfaces}. */
  readonly interfaceIndex: number;
  /** The link type of its interface. */
  readonly linkType: number;
  /**
   * When it was captured, in seconds since 1970-01-01 UTC with a fraction
   * (a float: below a microsecond, see `timestamp`). Absent for a pcapng
   * Simple Packet Block, which has no timestamp, or a timestamp out of range.
   */
  readonly time?: number;
  /** The same instant in nanoseconds since 1970-01-01 UTC, exactly. */
  readonly timestamp?: bigint;
  /** Its length on the wire. */
  readonly originalLength: number;
  /** The captured bytes (a view into the file's bytes). */
  readonly data: Uint8Array;
  /** The VLAN IDs of its 802.1Q/802.1ad tags, outermost first. */
  readonly vlanIds: readonly number[];
  /** The IP version, if an IP header was decoded. */
  readonly ipVersion?: 4 | 6;
  /** The IP source address, as canonical text. */
  readonly source?: string;
  /** The IP destination address, as canonical text. */
  readonly destination?: string;
  /** The IPv6 hop limit or the IPv4 TTL. */
  readonly hopLimit?: number;
  /** The upper-layer protocol after the IP (extension) headers: 17 UDP, 58 ICMPv6, ... */
  readonly protocol?: number;
  /** The UDP source port. */
  readonly sourcePort?: number;
  /** The UDP destination port. */
  readonly destinationPort?: number;
  /** The ICMPv6 type. */
  readonly icmpType?: number;
  /** True if it is an IPv4 or IPv6 fragment (never reassembled). */
  readonly fragment: boolean;
  /** What it carries. */
  readonly kind: PacketKind;
  /** File offset of `payload`. */
  readonly payloadOffset: number;
  /**
   * The ICMPv6 message (from its type byte) or the UDP payload, as a view
   * into the file's bytes; empty when the packet has neither. For a frame
   * captured short, only the captured part.
   */
  readonly payload: Uint8Array;
  /**
   * What is wrong with it, in words (`IPv4 header at offset 14 has total
   * length 1500, more than the 300 bytes available`), offsets counted from
   * the frame's first byte; empty for a sound packet. Decoding stops at the
   * first problem in the layers.
   */
  readonly problems: readonly string[];
}

/**
 * A pcapng block that {@linkcode readCapture} skips (Name Resolution,
 * Interface Statistics, Decryption Secrets, custom blocks, ...).
 *
 * @example
 * ```ts
 * import type { SkippedBlock } from "./capture.ts";
 *
 * const statistics: SkippedBlock = { type: 5, offset: 100, length: 32 };
 * if (statistics.type !== 5) throw new Error();
 * ```
 */
export interface SkippedBlock {
  /** Its block type. */
  readonly type: number;
  /** Its file offset. */
  readonly offset: number;
  /** Its length in bytes. */
  readonly length: number;
}

/**
 * A capture file read by {@linkcode readCapture}.
 *
 * @example
 * ```ts
 * import type { CaptureFile } from "./capture.ts";
 *
 * const empty: CaptureFile = { format: "pcap", interfaces: [], packets: [], skippedBlocks: [] };
 * if (empty.packets.length !== 0) throw new Error();
 * ```
 */
export interface CaptureFile {
  /** The container format. */
  readonly format: CaptureFormat;
  /** Its interfaces, in file order across sections. */
  readonly interfaces: readonly CaptureInterface[];
  /** Its packets, in file order. */
  readonly packets: readonly CapturedPacket[];
  /** The pcapng blocks it skipped (always empty for pcap). */
  readonly skippedBlocks: readonly SkippedBlock[];
}

// ---------------------------------------------------------------------------
// Mirror of core-as/assembly/capture.ts

/** Record tags (CaptureTag). */
const Tag = {
  File: 0x0400,
  Interface: 0x0401,
  Packet: 0x0402,
  Timestamp: 0x0403,
  Section: 0x0404,
  Block: 0x0405,
  Ethernet: 0x0410,
  Sll: 0x0411,
  Sll2: 0x0412,
  Vlan: 0x0413,
  Ipv4: 0x0420,
  Ipv6: 0x0421,
  Ipv6Extension: 0x0422,
  Udp: 0x0430,
  Icmpv6: 0x0431,
  Payload: 0x0440,
} as const;

/** Payload kinds, by PayloadKind code. */
const KINDS: readonly PacketKind[] = ["other", "router-advertisement", "dhcpv6", "dhcpv4"];

/** The File record's code. */
const FORMATS: Readonly<Record<number, CaptureFormat>> = { 1: "pcap", 2: "pcapng" };

/** Offsets of the addresses from the start of the IP header. */
const IPV4_SOURCE_AT = 12;
const IPV4_DESTINATION_AT = 16;
const IPV6_SOURCE_AT = 8;
const IPV6_DESTINATION_AT = 24;
const IPV6_FRAGMENT_HEADER = 44;
/** More Fragments and offset bits of IPv4; offset and M bits of the IPv6 Fragment header. */
const IPV4_FRAGMENT_MASK = 0x3fff;
const IPV6_FRAGMENT_MASK = 0xfff9;
/** Interfaces a pcapng section may describe (MAX_INTERFACES). */
const MAX_INTERFACES = 1024;

const LINK_NAMES: Readonly<Record<number, string>> = {
  1: "Ethernet",
  113: "Linux cooked capture",
  276: "Linux cooked capture v2",
};

const hex = (value: number, digits: number): string => `0x${value.toString(16).padStart(digits, "0")}`;
const version = (value: number): string => `${value >>> 16}.${value & 0xffff}`;

/**
 * Messages of a rejected file, by CaptureDetail: `offset` is the error
 * offset, `value` the one captureErrorValue() gives.
 */
const FILE_ERRORS: Readonly<Record<number, (offset: number, value: number) => string>> = {
  0x401: (_, v) => `file of ${v} bytes is too short for a capture file header`,
  0x402: (_, v) => `file starts with ${hex(v, 8)}, not a pcap or pcapng magic number`,
  0x403: (_, v) => `pcap header has version ${version(v)}, expected 2.x`,
  0x404: (o, v) => `packet record at offset ${o} is cut off after ${v} bytes`,
  0x405: (o, v) => `packet record at offset ${o} has captured length ${v}, past the end of the file`,
  0x406: (o, v) => `block at offset ${o} is cut off after ${v} bytes`,
  0x407: (o, v) => `block at offset ${o} has length ${v}`,
  0x408: (o, v) => `block at offset ${o} has length ${v}, past the end of the file`,
  0x409: (o, v) => `block at offset ${o} ends with length ${v}, not the length it starts with`,
  0x40a: (o, v) => `byte-order magic at offset ${o} is ${hex(v, 8)}, not 0x1a2b3c4d in either byte order`,
  0x40b: (o, v) => `section header at offset ${o - 12} has version ${version(v)}, expected 1.x`,
  0x40c: (o, v) => `section header block at offset ${o} has length ${v}, less than 28`,
  0x40d: (o, v) => `interface description block at offset ${o} has length ${v}, less than 20`,
  0x40e: (o, v) => `enhanced packet block at offset ${o} has length ${v}, less than 32`,
  0x40f: (o, v) => `simple packet block at offset ${o} has length ${v}, less than 16`,
  0x410: (o, v) => `packet block at offset ${o} has length ${v}, less than 32`,
  0x411: (o, v) => `option at offset ${o} is cut off after ${v} bytes`,
  0x412: (o, v) => `option at offset ${o} has length ${v}, past the end of its block`,
  0x413: (o, v) => `timestamp resolution at offset ${o} is ${hex(v, 2)}, finer than 64-bit timestamps can count`,
  0x414: (o) =>
    `interface description block at offset ${o} describes more than ${MAX_INTERFACES} interfaces in one section`,
  0x415: (o, v) => `packet block at offset ${o} refers to interface ${v}, which its section does not describe`,
  0x416: (o, v) => `packet block at offset ${o} has captured length ${v}, past the end of the block`,
};

/**
 * Messages of a packet's problems, by CaptureDetail (TAG_SKIPPED code):
 * `at` is the record's start counted from the frame, `length` its length,
 * `a` and `b` its scalars.
 */
const PACKET_PROBLEMS: Readonly<Record<number, (at: number, length: number, a: number, b: number) => string>> = {
  0x420: (_, n, __, b) => `frame captured ${n} of its ${b} bytes`,
  0x421: (_, n, __, b) => `original length ${b} is less than the ${n} bytes captured`,
  0x422: (_, __, ___, b) => `timestamp fraction ${b} is a second or more`,
  0x423: () => `timestamp does not fit 48-bit seconds`,
  0x424: (at, n, a, b) =>
    `${LINK_NAMES[a] ?? `link type ${a}`} header at offset ${at} needs ${b} bytes, ${n} available`,
  0x425: (at, n) => `VLAN tag at offset ${at} needs 4 bytes, ${n} available`,
  0x426: (at, _, a, b) => `${a === 0 ? "IP" : `IPv${a}`} header at offset ${at} has version ${b}`,
  0x427: (at, n, _, b) => `IPv4 header at offset ${at} needs ${b} bytes, ${n} available`,
  0x428: (at, _, __, b) => `IPv4 header at offset ${at} has header length ${b}, less than 20`,
  0x429: (at, _, __, b) => `IPv4 header at offset ${at} has total length ${b}, less than its header`,
  0x42a: (at, n, _, b) => `IPv4 header at offset ${at} has total length ${b}, more than the ${n} bytes available`,
  0x42b: (at, _, __, b) =>
    `IPv4 packet at offset ${at} is a fragment (offset ${(b & 0x1fff) * 8}${
      b & 0x2000 ? ", more to come" : ", the last"
    }), not reassembled`,
  0x42c: (at, n) => `IPv6 header at offset ${at} needs 40 bytes, ${n} available`,
  0x42d: (at, n, _, b) =>
    `IPv6 header at offset ${at} has payload length ${b}, more than the ${n - 40} bytes available`,
  0x42e: (at, n, a, b) => `IPv6 extension header ${a} at offset ${at} needs ${b} bytes, ${n} available`,
  0x42f: (at, _, __, b) =>
    `IPv6 fragment header at offset ${at} has fragment offset ${(b >>> 3) * 8}${
      b & 1 ? ", more to come" : ", the last"
    }, not reassembled`,
  0x430: (at, n) => `UDP header at offset ${at} needs 8 bytes, ${n} available`,
  0x431: (at, _, __, b) => `UDP header at offset ${at} has length ${b}, less than 8`,
  0x432: (at, n, _, b) => `UDP header at offset ${at} has length ${b}, more than the ${n} bytes available`,
  0x433: (at, n) => `ICMPv6 message at offset ${at} needs 4 bytes, ${n} available`,
  0x434: () => `packet is empty, without an IP header`,
};

// ---------------------------------------------------------------------------

/**
 * Reads a pcap or pcapng capture file and decodes every packet down to the
 * message it carries.
 *
 * pcap files may be in either byte order, with microsecond (magic
 * 0xa1b2c3d4) or nanosecond (0xa1b23c4d) timestamps. pcapng files may hold
 * several sections, each in its own byte order, with Enhanced, Simple and
 * obsolete Packet Blocks; the timestamps honour each interface's if_tsresol
 * and if_tsoffset. Other blocks are skipped by their length and listed.
 *
 * A packet whose bytes are malformed (captured short, a header cut off or
 * whose lengths disagree, an IP fragment) is still returned, with its
 * `problems`; only a malformed file structure rejects the whole file.
 *
 * @example Reading a pcapng file with one Router Advertisement
 * ```ts
 * import { readCapture } from "./capture.ts";
 *
 * const le32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
 * const frame = [
 *   ...[0x33, 0x33, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 1, 0x86, 0xdd], // Ethernet: to all-nodes, IPv6
 *   ...[0x60, 0, 0, 0, 0, 16, 58, 255], // IPv6: payload 16, ICMPv6, hop limit 255
 *   ...[0xfe, 0x80, ...Array(13).fill(0), 1], // source fe80::1
 *   ...[0xff, 0x02, ...Array(13).fill(0), 1], // destination ff02::1
 *   ...[134, 0, 0, 0, 64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0], // Router Advertisement
 * ];
 * const epbLength = 32 + 72; // the 70-byte frame padded to 32 bits
 * const bytes = new Uint8Array([
 *   ...le32(0x0a0d0d0a), ...le32(28), ...le32(0x1a2b3c4d), 1, 0, 0, 0, // SHB 1.0
 *   ...Array(8).fill(0xff), ...le32(28), // section length unknown
 *   ...le32(1), ...le32(20), 1, 0, 0, 0, ...le32(0), ...le32(20), // IDB: Ethernet
 *   ...le32(6), ...le32(epbLength), ...le32(0), // EPB on interface 0
 *   ...le32(0x0005_f000), ...le32(0x1234_5678), // timestamp in microseconds
 *   ...le32(frame.length), ...le32(frame.length), ...frame, 0, 0, ...le32(epbLength),
 * ]);
 * const [packet] = readCapture(bytes).packets;
 * if (packet?.kind !== "router-advertisement") throw new Error();
 * if (packet.source !== "fe80::1" || packet.hopLimit !== 255) throw new Error();
 * if (packet.payload.length !== 16 || packet.payload[0] !== 134) throw new Error();
 * ```
 *
 * @param bytes The whole file.
 * @returns The file's format, interfaces, packets and skipped blocks.
 * @throws {SyntaxError} If the file is not a capture file or its structure
 * is malformed: `Cannot read capture file: block at offset 1234 has length
 * 0`. Its `cause` is a {@linkcode CoreErrorCause} giving the file offset.
 * @throws {RangeError} If the file does not fit in WebAssembly memory.
 */
export function readCapture(bytes: Uint8Array): CaptureFile {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError("Cannot read capture file: expected a Uint8Array");
  }
  let records: RecordStream;
  try {
    records = callCore(coreWasm, {
      action: "read capture file",
      input: bytes,
      invoke: (len) => coreWasm.readCapture(len),
      decode: (result) => copyRecords(result, bytes),
      detail: (detail, offset) => FILE_ERRORS[detail]?.(offset, coreWasm.captureErrorValue() >>> 0),
    });
  } catch (error) {
    // Every failure but lack of memory is about the bytes themselves, which
    // this API reports as SyntaxError whatever core code carried it.
    const cause = (error as Error).cause as CoreErrorCause | undefined;
    if (
      error instanceof RangeError && cause !== undefined &&
      cause.code !== CoreErrorCode.InputTooLarge && cause.code !== CoreErrorCode.ResultTooSmall
    ) {
      throw new SyntaxError(error.message, { cause });
    }
    throw error;
  }
  return decodeCapture(records);
}

/** Builds the typed file from its record stream. */
function decodeCapture(records: RecordStream): CaptureFile {
  let format: CaptureFormat = "pcap";
  const interfaces: CaptureInterface[] = [];
  const packets: CapturedPacket[] = [];
  const skippedBlocks: SkippedBlock[] = [];
  let section = 0;
  let sectionFirstInterface = 0;
  let sawSection = false;
  for (let i = 0; i < records.count; i = records.next(i)) {
    switch (records.tag(i)) {
      case Tag.File:
        format = FORMATS[records.code(i)] ?? "pcap";
        break;
      case Tag.Section:
        if (sawSection) section++;
        sawSection = true;
        sectionFirstInterface = interfaces.length;
        break;
      case Tag.Interface:
        interfaces.push({
          section,
          offset: records.start(i),
          linkType: records.code(i),
          snapLength: records.a(i),
          timestampResolution: records.b(i),
        });
        break;
      case Tag.Block:
        skippedBlocks.push({ type: records.a(i), offset: records.start(i), length: records.length(i) });
        break;
      case Tag.Packet:
        packets.push(decodePacket(records, i, packets.length + 1, sectionFirstInterface));
        break;
    }
  }
  return { format, interfaces, packets, skippedBlocks };
}

/** Mutable form of a packet while its records are read. */
type PacketDraft = { -readonly [K in keyof CapturedPacket]: CapturedPacket[K] };

/** Decodes the Packet record `index` and its children. */
function decodePacket(records: RecordStream, index: number, frame: number, firstInterface: number): CapturedPacket {
  const { input } = records;
  const frameStart = records.start(index);
  const data = records.bytes(index);
  const vlanIds: number[] = [];
  const problems: string[] = [];
  const packet: PacketDraft = {
    frame,
    offset: frameStart,
    interfaceIndex: firstInterface + records.b(index),
    linkType: records.code(index),
    originalLength: records.a(index),
    data,
    vlanIds,
    fragment: false,
    kind: "other",
    payloadOffset: frameStart + data.length,
    payload: data.subarray(data.length),
    problems,
  };
  const end = records.next(index);
  for (let i = index + 1; i < end; i++) {
    const start = records.start(i);
    switch (records.tag(i)) {
      case Tag.Timestamp: {
        // Seconds are signed 48-bit: code holds bits 32..47.
        const high = records.code(i);
        const seconds = (high >= 0x8000 ? high - 0x10000 : high) * 2 ** 32 + records.a(i);
        const nanoseconds = records.b(i);
        packet.time = seconds + nanoseconds / 1e9;
        packet.timestamp = BigInt(seconds) * 1_000_000_000n + BigInt(nanoseconds);
        break;
      }
      case Tag.Vlan:
        vlanIds.push(records.a(i) & 0x0fff);
        break;
      case Tag.Ipv4:
        packet.ipVersion = 4;
        // The core checked that the header's 20 bytes are there.
        packet.source = ipv4Text(input, start + IPV4_SOURCE_AT);
        packet.destination = ipv4Text(input, start + IPV4_DESTINATION_AT);
        packet.hopLimit = records.a(i);
        packet.protocol = records.code(i);
        if ((records.b(i) & IPV4_FRAGMENT_MASK) !== 0) packet.fragment = true;
        break;
      case Tag.Ipv6:
        packet.ipVersion = 6;
        // The core checked that the header's 40 bytes are there.
        packet.source = ipv6Text(input, start + IPV6_SOURCE_AT);
        packet.destination = ipv6Text(input, start + IPV6_DESTINATION_AT);
        packet.hopLimit = records.a(i);
        packet.protocol = records.code(i);
        break;
      case Tag.Ipv6Extension:
        packet.protocol = records.a(i);
        if (records.code(i) === IPV6_FRAGMENT_HEADER && (records.b(i) & IPV6_FRAGMENT_MASK) !== 0) {
          packet.fragment = true;
        }
        break;
      case Tag.Udp:
        packet.sourcePort = records.a(i);
        packet.destinationPort = records.b(i);
        break;
      case Tag.Icmpv6:
        packet.icmpType = records.code(i);
        break;
      case Tag.Payload:
        packet.kind = KINDS[records.code(i)] ?? "other";
        packet.payloadOffset = start;
        packet.payload = records.bytes(i);
        break;
      case TAG_SKIPPED: {
        const message = PACKET_PROBLEMS[records.code(i)];
        const at = start - frameStart;
        problems.push(
          message?.(at, records.length(i), records.a(i), records.b(i)) ??
            `problem ${records.code(i)} at offset ${at}`,
        );
        break;
      }
    }
  }
  return packet;
}

// ---------------------------------------------------------------------------
// Writing

/**
 * A packet for {@linkcode buildCapture}.
 *
 * @example
 * ```ts
 * import type { CapturePacketInit } from "./capture.ts";
 *
 * const packet: CapturePacketInit = { data: new Uint8Array(60), timestamp: 1_700_000_000_000_000_000n };
 * if (packet.data.length !== 60) throw new Error();
 * ```
 */
export interface CapturePacketInit {
  /** The captured bytes, from the link-layer header on. */
  readonly data: Uint8Array;
  /** Its link type; 1 (Ethernet) by default. */
  readonly linkType?: number;
  /** When it was captured, in nanoseconds since 1970-01-01 UTC; 0 by default. */
  readonly timestamp?: bigint;
  /** Its length on the wire; `data.length` by default. */
  readonly originalLength?: number;
}

/**
 * What {@linkcode buildCapture} writes.
 *
 * @example
 * ```ts
 * import type { CaptureInit } from "./capture.ts";
 *
 * const init: CaptureInit = { format: "pcap", packets: [] };
 * if (init.packets.length !== 0) throw new Error();
 * ```
 */
export interface CaptureInit {
  /**
   * `"pcapng"` (the default): one little-endian section, one interface per
   * link type with nanosecond if_tsresol, one Enhanced Packet Block per
   * packet. `"pcap"`: little-endian with nanosecond timestamps (magic
   * 0xa1b23c4d); every packet must then have the same link type.
   */
  readonly format?: CaptureFormat;
  /** The packets, in order. */
  readonly packets: readonly CapturePacketInit[];
}

/** Largest snapshot length libpcap writes; every packet fits under it. */
const BUILD_SNAPLEN = 262_144;
const SECOND = 1_000_000_000n;

/**
 * Writes packets as a capture file that {@linkcode readCapture} (and
 * Wireshark, tcpdump) can read back: timestamps and bytes come back as
 * given, so tests and simulations can record what they send.
 *
 * @example Round trip
 * ```ts
 * import { buildCapture, readCapture } from "./capture.ts";
 *
 * const data = new Uint8Array(60).fill(0xee);
 * const bytes = buildCapture({ packets: [{ data, timestamp: 1_500_000_000_123_456_789n }] });
 * const [packet] = readCapture(bytes).packets;
 * if (packet?.timestamp !== 1_500_000_000_123_456_789n) throw new Error();
 * if (packet.data.length !== 60 || packet.data[0] !== 0xee) throw new Error();
 * ```
 *
 * @param capture The format and the packets.
 * @returns The file's bytes.
 * @throws {RangeError} If a timestamp is negative or beyond what the format
 * holds (pcap: 32-bit seconds; pcapng: 64-bit nanoseconds), a length does
 * not fit 32 bits, a link type is not a 16-bit number, or a pcap file would
 * need two link types.
 */
export function buildCapture(capture: CaptureInit): Uint8Array {
  const format = capture.format ?? "pcapng";
  const packets = capture.packets.map((packet, index) => checkPacket(packet, index, format));
  const out = new ByteWriter();
  if (format === "pcap") {
    const linkType = packets[0]?.linkType ?? 1;
    const other = packets.find((packet) => packet.linkType !== linkType);
    if (other !== undefined) {
      throw new RangeError(
        `Cannot build capture file: pcap holds one link type, got ${linkType} and ${other.linkType}`,
      );
    }
    out.u32(0xa1b23c4d).u16(2).u16(4).u32(0).u32(0).u32(BUILD_SNAPLEN).u32(linkType); // header, 2.4, ns
    for (const packet of packets) {
      out.u32(Number(packet.timestamp / SECOND)).u32(Number(packet.timestamp % SECOND));
      out.u32(packet.data.length).u32(packet.originalLength).bytes(packet.data);
    }
    return out.finish();
  }
  // Section Header Block, version 1.0, section length unknown (-1).
  out.u32(0x0a0d0d0a).u32(28).u32(0x1a2b3c4d).u16(1).u16(0).u32(0xffffffff).u32(0xffffffff).u32(28);
  const interfaces = new Map<number, number>();
  for (const packet of packets) {
    if (interfaces.has(packet.linkType)) continue;
    interfaces.set(packet.linkType, interfaces.size);
    // Interface Description Block with if_tsresol 9 and opt_endofopt.
    out.u32(1).u32(32).u16(packet.linkType).u16(0).u32(BUILD_SNAPLEN);
    out.u16(9).u16(1).u8(9).u8(0).u8(0).u8(0).u16(0).u16(0).u32(32);
  }
  for (const packet of packets) {
    const padded = (packet.data.length + 3) & ~3;
    const length = 32 + padded;
    out.u32(6).u32(length).u32(interfaces.get(packet.linkType)!);
    out.u32(Number(packet.timestamp >> 32n)).u32(Number(packet.timestamp & 0xffffffffn));
    out.u32(packet.data.length).u32(packet.originalLength).bytes(packet.data);
    for (let i = packet.data.length; i < padded; i++) out.u8(0);
    out.u32(length);
  }
  return out.finish();
}

/** A packet with its defaults applied and its values checked. */
function checkPacket(
  packet: CapturePacketInit,
  index: number,
  format: CaptureFormat,
): { data: Uint8Array; linkType: number; timestamp: bigint; originalLength: number } {
  if (!(packet.data instanceof Uint8Array)) {
    throw new TypeError(`Cannot build capture file: packet ${index} has no Uint8Array data`);
  }
  const linkType = packet.linkType ?? 1;
  const timestamp = packet.timestamp ?? 0n;
  const originalLength = packet.originalLength ?? packet.data.length;
  const limit = format === "pcap" ? 2n ** 32n * SECOND : 2n ** 64n;
  const problem = !Number.isInteger(linkType) || linkType < 0 || linkType > 0xffff
    ? `link type ${linkType} is not a 16-bit number`
    : typeof timestamp !== "bigint" || timestamp < 0n || timestamp >= limit
    ? `timestamp ${timestamp} is out of range for ${format}`
    : !Number.isInteger(originalLength) || originalLength < 0 || originalLength > 0xffffffff
    ? `original length ${originalLength} does not fit 32 bits`
    : packet.data.length > 0xffffffff - 64
    ? `data of ${packet.data.length} bytes is too long`
    : undefined;
  if (problem !== undefined) throw new RangeError(`Cannot build capture file: packet ${index}: ${problem}`);
  return { data: packet.data, linkType, timestamp, originalLength };
}

/** Appends little-endian fields to a growing buffer. */
class ByteWriter {
  #bytes = new Uint8Array(256);
  #view = new DataView(this.#bytes.buffer);
  #length = 0;

  #room(n: number): number {
    if (this.#length + n > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(this.#bytes.length * 2, this.#length + n));
      grown.set(this.#bytes.subarray(0, this.#length));
      this.#bytes = grown;
      this.#view = new DataView(grown.buffer);
    }
    const at = this.#length;
    this.#length += n;
    return at;
  }

  u8(value: number): this {
    const at = this.#room(1);
    this.#bytes[at] = value;
    return this;
  }

  u16(value: number): this {
    const at = this.#room(2);
    this.#view.setUint16(at, value, true);
    return this;
  }

  u32(value: number): this {
    const at = this.#room(4);
    this.#view.setUint32(at, value, true);
    return this;
  }

  bytes(value: Uint8Array): this {
    // Reserve first: growing replaces the buffer.
    const at = this.#room(value.length);
    this.#bytes.set(value, at);
    return this;
  }

  finish(): Uint8Array {
    return this.#bytes.slice(0, this.#length);
  }
}
