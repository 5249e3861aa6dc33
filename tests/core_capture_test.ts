// Tests of readCapture / buildCapture (core-as/capture.ts) and, through them,
// the WebAssembly capture reader (core-as/assembly/capture.ts): per-field
// fixtures of pcap and pcapng in both byte orders, the lower layers (VLAN,
// Linux cooked capture v1 and v2, raw IP, IPv6 extension headers,
// fragments), flagged packets, rejected files, every real capture of
// /work/shared/captures against tshark's counts, and a seeded fuzz.

import { assert, assertEquals as assertJsonEquals, assertThrows } from "./_assert.ts";
import {
  buildCapture,
  type CapturedPacket,
  type CaptureFile,
  type CapturePacketInit,
  readCapture,
} from "../core-as/capture.ts";
import type { CoreErrorCause } from "../core-as/mod.ts";

// ---------------------------------------------------------------------------
// Byte helpers

/** assertEquals for values that hold bigints (timestamps), which JSON cannot write. */
function assertEquals(actual: unknown, expected: unknown, message?: string): void {
  const plain = (value: unknown) =>
    JSON.parse(JSON.stringify(value ?? null, (_, v) => typeof v === "bigint" ? `${v}n` : v === undefined ? null : v));
  assertJsonEquals(plain(actual), plain(expected), message);
}

type Order = "le" | "be";
type Part = number | readonly number[] | Uint8Array;

function bytes(...parts: Part[]): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === "number") out.push(part);
    else out.push(...part);
  }
  return new Uint8Array(out);
}

function u16(order: Order, n: number): number[] {
  return order === "le" ? [n & 0xff, (n >>> 8) & 0xff] : [(n >>> 8) & 0xff, n & 0xff];
}

function u32(order: Order, n: number): number[] {
  const be = [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  return order === "le" ? be.reverse() : be;
}

/** A pcapng 64-bit timestamp: upper then lower 32 bits, each in the section's order. */
function ts64(order: Order, units: bigint): number[] {
  return [...u32(order, Number(units >> 32n)), ...u32(order, Number(units & 0xffffffffn))];
}

const be16 = (n: number) => u16("be", n);
const hex = (data: Uint8Array) => Array.from(data, (b) => b.toString(16).padStart(2, "0")).join("");
const pad4 = (data: Uint8Array) => new Uint8Array((data.length + 3) & ~3).fill(0).map((_, i) => data[i] ?? 0);

// ---------------------------------------------------------------------------
// Frames, built field by field (network byte order)

const MAC_ALL_NODES = [0x33, 0x33, 0x00, 0x00, 0x00, 0x01];
const MAC_ROUTER = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
const MAC_BROADCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
const FE80_1 = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const FF02_1 = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const FF02_1_2 = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2];
const V4_ZERO = [0, 0, 0, 0];
const V4_BROADCAST = [255, 255, 255, 255];

function ethernet(etherType: number, destination = MAC_ALL_NODES): number[] {
  return [
    ...destination, // destination MAC
    ...MAC_ROUTER, // source MAC
    ...be16(etherType), // EtherType
  ];
}

function ipv6(payloadLength: number, nextHeader: number, hopLimit = 255, source = FE80_1, destination = FF02_1) {
  return [
    ...[0x60, 0x00, 0x00, 0x00], // version 6, traffic class 0, flow label 0
    ...be16(payloadLength), // payload length
    nextHeader, // next header
    hopLimit, // hop limit
    ...source, // source address
    ...destination, // destination address
  ];
}

function ipv4(totalLength: number, protocol: number, options: { ttl?: number; fragment?: number; ihl?: number } = {}) {
  const ihl = options.ihl ?? 5;
  return [
    0x40 | ihl, // version 4, IHL
    0x00, // DSCP, ECN
    ...be16(totalLength), // total length
    ...[0x12, 0x34], // identification
    ...be16(options.fragment ?? 0), // flags, fragment offset
    options.ttl ?? 64, // TTL
    protocol, // protocol
    ...[0x00, 0x00], // header checksum (not checked)
    ...V4_ZERO, // source 0.0.0.0
    ...V4_BROADCAST, // destination 255.255.255.255
    ...new Array(Math.max(0, ihl - 5) * 4).fill(1), // options (NOPs)
  ];
}

function udp(source: number, destination: number, length: number): number[] {
  return [
    ...be16(source), // source port
    ...be16(destination), // destination port
    ...be16(length), // length, header included
    ...[0x00, 0x00], // checksum (not checked)
  ];
}

/** A Router Advertisement with one Source Link-Layer Address option (24 bytes). */
const RA = [
  134, // type: Router Advertisement
  0, // code
  ...[0x12, 0x34], // checksum
  64, // cur hop limit
  0x00, // M, O, H, Prf, P flags
  ...be16(1800), // router lifetime
  ...[0, 0, 0, 0], // reachable time
  ...[0, 0, 0, 0], // retrans timer
  ...[1, 1], // option: source link-layer address, length 1 (8 bytes)
  ...MAC_ROUTER, // the address
];

/** The start of a DHCPv6 Solicit: message type and transaction id. */
const DHCPV6 = [1, 0x12, 0x34, 0x56];
/** The start of a BOOTREQUEST: op, htype, hlen, hops. */
const DHCPV4 = [1, 1, 6, 0];

const RA_FRAME = bytes(ethernet(0x86dd), ipv6(RA.length, 58), RA);
const DHCPV6_PACKET = bytes(ipv6(8 + DHCPV6.length, 17, 1, FE80_1, FF02_1_2), udp(546, 547, 8 + DHCPV6.length), DHCPV6);
const DHCPV6_FRAME = bytes(ethernet(0x86dd), DHCPV6_PACKET);
const DHCPV4_PACKET = bytes(ipv4(20 + 8 + DHCPV4.length, 17, { ttl: 128 }), udp(68, 67, 8 + DHCPV4.length), DHCPV4);
const DHCPV4_FRAME = bytes(ethernet(0x0800, MAC_BROADCAST), DHCPV4_PACKET);

// ---------------------------------------------------------------------------
// Containers, built field by field

const MAGIC_MICRO = 0xa1b2c3d4;
const MAGIC_NANO = 0xa1b23c4d;

function pcapHeader(order: Order, options: { magic?: number; linkType?: number; major?: number } = {}): number[] {
  return [
    ...u32(order, options.magic ?? MAGIC_MICRO), // magic number
    ...u16(order, options.major ?? 2), // major version
    ...u16(order, 4), // minor version
    ...u32(order, 0), // reserved 1 (was thiszone)
    ...u32(order, 0), // reserved 2 (was sigfigs)
    ...u32(order, 65535), // snaplen
    ...u32(order, options.linkType ?? 1), // link type
  ];
}

function pcapRecord(order: Order, seconds: number, fraction: number, data: Uint8Array, originalLength = data.length) {
  return [
    ...u32(order, seconds), // timestamp seconds
    ...u32(order, fraction), // timestamp microseconds or nanoseconds
    ...u32(order, data.length), // captured packet length
    ...u32(order, originalLength), // original packet length
    ...data, // packet data
  ];
}

/** A pcapng block of any type: its body is padded to 32 bits. */
function block(order: Order, type: number, body: Part[]): number[] {
  const padded = pad4(bytes(...body));
  const length = 12 + padded.length;
  return [
    ...u32(order, type), // block type
    ...u32(order, length), // block total length
    ...padded, // block body
    ...u32(order, length), // block total length, again
  ];
}

function option(order: Order, code: number, value: Part[]): number[] {
  const data = bytes(...value);
  return [
    ...u16(order, code), // option code
    ...u16(order, data.length), // option length
    ...pad4(data), // value, padded to 32 bits
  ];
}

const END_OF_OPTIONS = (order: Order) => [...u16(order, 0), ...u16(order, 0)]; // opt_endofopt

function shb(order: Order, major = 1): number[] {
  return block(order, 0x0a0d0d0a, [
    u32(order, 0x1a2b3c4d), // byte-order magic
    u16(order, major), // major version
    u16(order, 0), // minor version
    [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // section length: -1, unknown
  ]);
}

function idb(order: Order, linkType: number, options: number[][] = [], snaplen = 0): number[] {
  return block(order, 1, [
    u16(order, linkType), // link type
    u16(order, 0), // reserved
    u32(order, snaplen), // snaplen
    ...options, // options
  ]);
}

function epb(order: Order, iface: number, units: bigint, data: Uint8Array, originalLength = data.length): number[] {
  return block(order, 6, [
    u32(order, iface), // interface ID
    ts64(order, units), // timestamp (upper, lower)
    u32(order, data.length), // captured packet length
    u32(order, originalLength), // original packet length
    data, // packet data (block() pads it)
  ]);
}

function spb(order: Order, data: Uint8Array, originalLength = data.length): number[] {
  return block(order, 3, [
    u32(order, originalLength), // original packet length
    data, // packet data
  ]);
}

function obsoletePb(order: Order, iface: number, units: bigint, data: Uint8Array): number[] {
  return block(order, 2, [
    u16(order, iface), // interface ID
    u16(order, 0), // drops count
    ts64(order, units), // timestamp (upper, lower)
    u32(order, data.length), // captured packet length
    u32(order, data.length), // original packet length
    data, // packet data
  ]);
}

function only(capture: CaptureFile): CapturedPacket {
  assertEquals(capture.packets.length, 1, "packet count");
  return capture.packets[0]!;
}

function rejects(file: Uint8Array, message: string, offset?: number): void {
  const error = assertThrows(() => readCapture(file), SyntaxError);
  assertEquals(error.message, `Cannot read capture file: ${message}`);
  if (offset !== undefined) assertEquals((error.cause as CoreErrorCause).offset, offset, "cause offset");
}

// ---------------------------------------------------------------------------
// pcap

Deno.test("pcap little-endian, microseconds: header, record and an RA", () => {
  const file = bytes(pcapHeader("le"), pcapRecord("le", 1_334_319_972, 631_155, RA_FRAME));
  const capture = readCapture(file);
  assertEquals(capture.format, "pcap");
  assertEquals(capture.interfaces, [{ section: 0, offset: 0, linkType: 1, snapLength: 65535, timestampResolution: 6 }]);
  assertEquals(capture.skippedBlocks, []);
  const packet = only(capture);
  assertEquals(packet.frame, 1);
  assertEquals(packet.offset, 24 + 16);
  assertEquals(packet.linkType, 1);
  assertEquals(packet.timestamp, 1_334_319_972_631_155_000n);
  assertEquals(packet.time, 1_334_319_972.631155);
  assertEquals(packet.originalLength, RA_FRAME.length);
  assertEquals(hex(packet.data), hex(RA_FRAME));
  assertEquals(packet.kind, "router-advertisement");
  assertEquals(packet.ipVersion, 6);
  assertEquals(packet.source, "fe80::1");
  assertEquals(packet.destination, "ff02::1");
  assertEquals(packet.hopLimit, 255);
  assertEquals(packet.protocol, 58);
  assertEquals(packet.icmpType, 134);
  assertEquals(packet.sourcePort, undefined);
  assertEquals(packet.payloadOffset, 24 + 16 + 14 + 40);
  assertEquals(hex(packet.payload), hex(bytes(RA)));
  assertEquals(packet.fragment, false);
  assertEquals(packet.problems, []);
  // The payload is a view into the file, not a copy.
  assertEquals(packet.payload.buffer, file.buffer);
});

Deno.test("pcap big-endian reads the same packets as little-endian", () => {
  const frames = [RA_FRAME, DHCPV6_FRAME, DHCPV4_FRAME];
  const files = (["le", "be"] as const).map((order) =>
    readCapture(bytes(pcapHeader(order), ...frames.map((f, i) => pcapRecord(order, 1000 + i, 999_999, f))))
  );
  const view = (capture: CaptureFile) =>
    capture.packets.map((p) => ({ ...p, data: hex(p.data), payload: hex(p.payload) }));
  assertEquals(view(files[1]!), view(files[0]!));
  assertEquals(files[1]!.packets.map((p) => p.kind), ["router-advertisement", "dhcpv6", "dhcpv4"]);
  assertEquals(files[1]!.packets[2]!.timestamp, 1002_999_999_000n);
});

Deno.test("pcap with nanosecond magic, both byte orders", () => {
  for (const order of ["le", "be"] as const) {
    const file = bytes(
      pcapHeader(order, { magic: MAGIC_NANO }),
      pcapRecord(order, 1_700_000_000, 123_456_789, RA_FRAME),
    );
    const capture = readCapture(file);
    assertEquals(capture.interfaces[0]!.timestampResolution, 9);
    assertEquals(only(capture).timestamp, 1_700_000_000_123_456_789n, order);
  }
});

Deno.test("pcap fraction of a second or more is carried and flagged", () => {
  const file = bytes(pcapHeader("le"), pcapRecord("le", 10, 2_500_000, RA_FRAME));
  const packet = only(readCapture(file));
  assertEquals(packet.timestamp, 12_500_000_000n);
  assertEquals(packet.problems, ["timestamp fraction 2500000 is a second or more"]);
  assertEquals(packet.kind, "router-advertisement");
});

Deno.test("pcap link type keeps the low 16 bits (the FCS bits are not part of it)", () => {
  const file = bytes(pcapHeader("le", { linkType: 0x1400_0001 }), pcapRecord("le", 0, 0, RA_FRAME));
  assertEquals(only(readCapture(file)).linkType, 1);
});

Deno.test("pcap with no records is an empty capture", () => {
  assertEquals(readCapture(bytes(pcapHeader("be"))).packets, []);
});

Deno.test("pcap structure errors reject the file", () => {
  rejects(new Uint8Array([0xd4, 0xc3, 0xb2]), "file of 3 bytes is too short for a capture file header", 0);
  rejects(bytes(pcapHeader("le")).subarray(0, 20), "file of 20 bytes is too short for a capture file header");
  rejects(
    new TextEncoder().encode("GET / HTTP/1.1\r\n"),
    "file starts with 0x47455420, not a pcap or pcapng magic number",
  );
  rejects(bytes(pcapHeader("le", { major: 3 })), "pcap header has version 3.4, expected 2.x", 4);
  const record = pcapRecord("le", 0, 0, RA_FRAME);
  rejects(bytes(pcapHeader("le"), record.slice(0, 10)), "packet record at offset 24 is cut off after 10 bytes", 24);
  rejects(
    bytes(pcapHeader("le"), record.slice(0, record.length - 1)),
    `packet record at offset 24 has captured length ${RA_FRAME.length}, past the end of the file`,
    24,
  );
  // The second record is the one cut off: the offset names it.
  rejects(
    bytes(pcapHeader("le"), record, record.slice(0, 30)),
    `packet record at offset ${24 + record.length} has captured length ${RA_FRAME.length}, past the end of the file`,
  );
});

// ---------------------------------------------------------------------------
// pcapng

Deno.test("pcapng little-endian: SHB, IDB with if_tsresol, EPB, skipped blocks", () => {
  const nrb = block("le", 4, [u16("le", 0), u16("le", 0)]); // Name Resolution Block: nrb_record_end only
  const isb = block("le", 5, [u32("le", 0), ts64("le", 0n)]); // Interface Statistics Block, no options
  const file = bytes(
    shb("le"),
    idb("le", 1, [option("le", 9, [9]), END_OF_OPTIONS("le")], 262144), // if_tsresol: 10^-9
    epb("le", 0, 1_700_000_000_123_456_789n, DHCPV6_FRAME),
    nrb,
    isb,
    epb("le", 0, 1_700_000_001_000_000_000n, RA_FRAME),
  );
  const capture = readCapture(file);
  assertEquals(capture.format, "pcapng");
  assertEquals(capture.interfaces, [{
    section: 0,
    offset: 28,
    linkType: 1,
    snapLength: 262144,
    timestampResolution: 9,
  }]);
  const nrbAt = 28 + 32 + 32 + pad4(DHCPV6_FRAME).length;
  assertEquals(capture.skippedBlocks, [
    { type: 4, offset: nrbAt, length: 16 },
    { type: 5, offset: nrbAt + 16, length: 24 },
  ]);
  assertEquals(capture.packets.map((p) => [p.frame, p.kind, p.timestamp]), [
    [1, "dhcpv6", 1_700_000_000_123_456_789n],
    [2, "router-advertisement", 1_700_000_001_000_000_000n],
  ]);
  const dhcp = capture.packets[0]!;
  assertEquals(dhcp.offset, 28 + 32 + 28);
  assertEquals([dhcp.source, dhcp.destination, dhcp.hopLimit], ["fe80::1", "ff02::1:2", 1]);
  assertEquals([dhcp.sourcePort, dhcp.destinationPort, dhcp.protocol], [546, 547, 17]);
  assertEquals(hex(dhcp.payload), hex(bytes(DHCPV6)));
  assertEquals(dhcp.payloadOffset, dhcp.offset + 14 + 40 + 8);
});

Deno.test("pcapng big-endian section, default microsecond resolution", () => {
  const file = bytes(shb("be"), idb("be", 1), epb("be", 0, 1_334_319_972_631_155n, RA_FRAME));
  const packet = only(readCapture(file));
  assertEquals(packet.timestamp, 1_334_319_972_631_155_000n);
  assertEquals(packet.kind, "router-advertisement");
  assertEquals(packet.source, "fe80::1");
});

Deno.test("pcapng sections in both byte orders: interfaces restart per section", () => {
  const file = bytes(
    shb("le"),
    idb("le", 1),
    idb("le", 101), // raw IP
    epb("le", 1, 5n, DHCPV4_PACKET),
    shb("be"),
    idb("be", 229), // raw IPv6
    epb("be", 0, 7n, DHCPV6_PACKET),
    epb("be", 0, 8n, DHCPV6_PACKET),
  );
  const capture = readCapture(file);
  assertEquals(capture.interfaces.map((i) => [i.section, i.linkType]), [[0, 1], [0, 101], [1, 229]]);
  assertEquals(capture.packets.map((p) => [p.interfaceIndex, p.linkType, p.kind, p.timestamp]), [
    [1, 101, "dhcpv4", 5_000n],
    [2, 229, "dhcpv6", 7_000n],
    [2, 229, "dhcpv6", 8_000n],
  ]);
});

Deno.test("pcapng Simple Packet Block: interface 0, snaplen, no timestamp", () => {
  // The first 60 bytes of a 342-byte frame: the interface's snaplen cut it.
  const sixty = bytes(DHCPV4_FRAME, new Array(60 - DHCPV4_FRAME.length).fill(0xaa));
  const file = bytes(shb("le"), idb("le", 1, [], 60), spb("le", sixty, 342));
  const packet = only(readCapture(file));
  assertEquals(packet.timestamp, undefined);
  assertEquals(packet.time, undefined);
  assertEquals(packet.data.length, 60);
  assertEquals(packet.originalLength, 342);
  assertEquals(packet.problems[0], "frame captured 60 of its 342 bytes");
  // A Simple Packet Block's padding is not packet data: its original length bounds it.
  const padded = only(readCapture(bytes(shb("le"), idb("le", 1), spb("le", RA_FRAME.subarray(0, 75)))));
  assertEquals(padded.data.length, 75);
});

Deno.test("pcapng obsolete Packet Block", () => {
  const file = bytes(shb("be"), idb("be", 1), obsoletePb("be", 0, 1_000_001n, RA_FRAME));
  const packet = only(readCapture(file));
  assertEquals(packet.timestamp, 1_000_001_000n);
  assertEquals(packet.kind, "router-advertisement");
});

Deno.test("pcapng timestamp resolutions: decimal, binary, if_tsoffset", () => {
  const cases: [number[][], bigint, bigint][] = [
    [[option("le", 9, [3])], 1_234_567n, 1_234_567_000_000n], // milliseconds
    [[option("le", 9, [12])], 1_000_000_000_123_456_789n, 1_000_000_000_123_456n], // picoseconds: truncated
    [[option("le", 9, [0])], 42n, 42_000_000_000n], // seconds
    [[option("le", 9, [0x80 | 10])], 1024n * 100n + 512n, 100_500_000_000n], // 2^-10 s: 100.5 s
    // 2^-40 s, floored exactly. (tshark 4.0.17 shows 3.013460736 here: its
    // 64-bit product of fraction and 10^9 overflows.)
    [[option("le", 9, [0x80 | 40])], (1n << 40n) * 3n + (1n << 39n) + 1n, 3_500_000_000n],
    [[option("le", 9, [0x80 | 63])], (1n << 63n) - 1n, 999_999_999n], // 2^-63: just under a second
    // if_tsoffset: seconds added to every timestamp, here -10 s (two's complement, 64-bit little-endian).
    [[option("le", 14, [0xf6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])], 15_000_000n, 5_000_000_000n],
  ];
  for (const [options, units, expected] of cases) {
    const file = bytes(shb("le"), idb("le", 1, options), epb("le", 0, units, RA_FRAME));
    assertEquals(only(readCapture(file)).timestamp, expected, `${JSON.stringify(options)} ${units}`);
  }
  // if_tsoffset in a big-endian section: +1000 s.
  const file = bytes(
    shb("be"),
    idb("be", 1, [option("be", 14, [0, 0, 0, 0, 0, 0, 0x03, 0xe8])]),
    epb("be", 0, 0n, RA_FRAME),
  );
  assertEquals(only(readCapture(file)).timestamp, 1000_000_000_000n);
  // A negative time still formats: -10 s + 5 s.
  const early = bytes(
    shb("le"),
    idb("le", 1, [option("le", 14, [0xf6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])]),
    epb("le", 0, 5_000_000n, RA_FRAME),
  );
  assertEquals(only(readCapture(early)).timestamp, -5_000_000_000n);
  assertEquals(only(readCapture(early)).time, -5);
  // Seconds beyond 48 bits: the timestamp is left out and flagged.
  const far = bytes(shb("le"), idb("le", 1, [option("le", 9, [0])]), epb("le", 0, 1n << 60n, RA_FRAME));
  const packet = only(readCapture(far));
  assertEquals(packet.timestamp, undefined);
  assertEquals(packet.problems, ["timestamp does not fit 48-bit seconds"]);
});

Deno.test("pcapng block length 0, misaligned, short or overrunning: rejected, never looped", () => {
  const head = bytes(shb("le"), idb("le", 1)); // 28 + 20 bytes
  const at = head.length;
  const zero = bytes(head, u32("le", 6), u32("le", 0), u32("le", 0));
  rejects(zero, `block at offset ${at} has length 0`, at);
  rejects(bytes(head, u32("le", 6), u32("le", 13), new Array(9).fill(0)), `block at offset ${at} has length 13`);
  rejects(bytes(head, u32("le", 6), u32("le", 8), u32("le", 8)), `block at offset ${at} has length 8`);
  rejects(
    bytes(head, u32("le", 6), u32("le", 64), new Array(20).fill(0)),
    `block at offset ${at} has length 64, past the end of the file`,
  );
  rejects(bytes(head, u32("le", 6), u16("le", 0)), `block at offset ${at} is cut off after 6 bytes`);
  const bad = epb("le", 0, 0n, RA_FRAME);
  bad[bad.length - 4] = bad[bad.length - 4]! ^ 4; // trailing length differs
  rejects(bytes(head, bad), `block at offset ${at} ends with length ${bad.length ^ 4}, not the length it starts with`);
  // The Section Header Block's length is read after its byte-order magic.
  const shbZero = shb("be");
  shbZero.splice(4, 4, 0, 0, 0, 0);
  rejects(bytes(shbZero), "block at offset 0 has length 0");
  // A block deep in a file (blocks start at multiples of 4).
  const padding = block("le", 0x0bad, [new Array(1236 - 48 - 12).fill(0)]);
  assertEquals(padding.length, 1236 - 48);
  rejects(bytes(head, padding, u32("le", 6), u32("le", 0)), "block at offset 1236 has length 0", 1236);
});

Deno.test("pcapng malformed sections, interfaces and packet blocks are rejected", () => {
  const badMagic = shb("le");
  badMagic.splice(8, 4, 1, 2, 3, 4);
  rejects(bytes(badMagic), "byte-order magic at offset 8 is 0x01020304, not 0x1a2b3c4d in either byte order", 8);
  rejects(bytes(shb("le", 2)), "section header at offset 0 has version 2.0, expected 1.x", 12);
  rejects(
    bytes(block("le", 0x0a0d0d0a, [u32("le", 0x1a2b3c4d), u32("le", 1)])),
    "section header block at offset 0 has length 20, less than 28",
  );
  rejects(
    bytes(shb("le"), block("le", 1, [u32("le", 1)])),
    "interface description block at offset 28 has length 16, less than 20",
  );
  rejects(
    bytes(shb("le"), idb("le", 1), block("le", 6, [new Array(16).fill(0)])),
    "enhanced packet block at offset 48 has length 28, less than 32",
  );
  rejects(
    bytes(shb("le"), idb("le", 1), block("le", 3, [])),
    "simple packet block at offset 48 has length 12, less than 16",
  );
  rejects(
    bytes(shb("le"), idb("le", 1), block("le", 2, [new Array(16).fill(0)])),
    "packet block at offset 48 has length 28, less than 32",
  );
  rejects(
    bytes(shb("le"), epb("le", 0, 0n, RA_FRAME)),
    "packet block at offset 28 refers to interface 0, which its section does not describe",
    28,
  );
  rejects(
    bytes(shb("le"), idb("le", 1), epb("le", 1, 0n, RA_FRAME)),
    "packet block at offset 48 refers to interface 1, which its section does not describe",
  );
  rejects(
    bytes(shb("le"), spb("le", RA_FRAME)),
    "packet block at offset 28 refers to interface 0, which its section does not describe",
  );
  // Interfaces of an earlier section do not carry over.
  rejects(
    bytes(shb("le"), idb("le", 1), shb("le"), epb("le", 0, 0n, RA_FRAME)),
    "packet block at offset 76 refers to interface 0, which its section does not describe",
  );
  const overrun = epb("le", 0, 0n, RA_FRAME);
  overrun.splice(20, 4, ...u32("le", 200)); // captured length beyond the block
  rejects(
    bytes(shb("le"), idb("le", 1), overrun),
    "packet block at offset 48 has captured length 200, past the end of the block",
  );
  rejects(
    bytes(shb("le"), idb("le", 1, [[...u16("le", 2), ...u16("le", 40), 0, 0, 0, 0]])),
    "option at offset 44 has length 40, past the end of its block",
    44,
  );
  rejects(
    bytes(shb("le"), idb("le", 1, [option("le", 9, [20])])),
    "timestamp resolution at offset 48 is 0x14, finer than 64-bit timestamps can count",
  );
  rejects(
    bytes(shb("le"), idb("le", 1, [option("le", 9, [0x80 | 64])])),
    "timestamp resolution at offset 48 is 0xc0, finer than 64-bit timestamps can count",
  );
});

Deno.test("pcapng: more interfaces than the reader keeps is rejected, not overflowed", () => {
  const many: number[] = [];
  for (let i = 0; i < 1025; i++) many.push(...idb("le", 1));
  rejects(
    bytes(shb("le"), many),
    `interface description block at offset ${28 + 1024 * 20} describes more than 1024 interfaces in one section`,
  );
  // 1024 are fine, and the last one is usable.
  const ok = bytes(shb("le"), many.slice(0, 1024 * 20), epb("le", 1023, 0n, RA_FRAME));
  assertEquals(only(readCapture(ok)).interfaceIndex, 1023);
});

Deno.test("an option after opt_endofopt is not read", () => {
  const file = bytes(shb("le"), idb("le", 1, [END_OF_OPTIONS("le"), option("le", 9, [9])]), epb("le", 0, 1n, RA_FRAME));
  assertEquals(only(readCapture(file)).timestamp, 1_000n);
});

// ---------------------------------------------------------------------------
// Link layers

function onePacket(linkType: number, data: Uint8Array, originalLength = data.length): CapturedPacket {
  return only(readCapture(bytes(shb("le"), idb("le", linkType), epb("le", 0, 0n, data, originalLength))));
}

Deno.test("Ethernet with 802.1Q and 802.1ad (QinQ) tags", () => {
  const tagged = bytes(
    ...MAC_ALL_NODES, // destination MAC
    ...MAC_ROUTER, // source MAC
    ...be16(0x88a8), // TPID: 802.1ad service tag
    ...be16(0x2064), // TCI: priority 1, DEI 0, VLAN 100
    ...be16(0x8100), // TPID: 802.1Q customer tag
    ...be16(0xe00a), // TCI: priority 7, VLAN 10
    ...be16(0x86dd), // EtherType: IPv6
    ipv6(RA.length, 58),
    RA,
  );
  const packet = onePacket(1, tagged);
  assertEquals(packet.vlanIds, [100, 10]);
  assertEquals(packet.kind, "router-advertisement");
  assertEquals(packet.payloadOffset - packet.offset, 14 + 8 + 40);
  // A single 802.1Q tag, and the pre-standard 0x9100.
  for (const tpid of [0x8100, 0x9100]) {
    const single = bytes(
      ...MAC_BROADCAST,
      ...MAC_ROUTER,
      ...be16(tpid),
      ...be16(0x0fff),
      ...be16(0x0800),
      DHCPV4_PACKET,
    );
    const p = onePacket(1, single);
    assertEquals([p.vlanIds, p.kind], [[4095], "dhcpv4"]);
  }
  // A tag cut off by the end of the frame.
  const cut = onePacket(1, bytes(...MAC_BROADCAST, ...MAC_ROUTER, ...be16(0x8100), 0x00));
  assertEquals(cut.problems, ["VLAN tag at offset 14 needs 4 bytes, 1 available"]);
  assertEquals(cut.kind, "other");
});

Deno.test("Linux cooked capture v1 (SLL, 113)", () => {
  const sll = bytes(
    ...be16(0), // packet type: to us
    ...be16(1), // ARPHRD_ETHER
    ...be16(6), // link-layer address length
    ...[...MAC_ROUTER, 0, 0], // link-layer address, padded to 8
    ...be16(0x86dd), // protocol: IPv6
    ipv6(RA.length, 58),
    RA,
  );
  const packet = onePacket(113, sll);
  assertEquals([packet.kind, packet.source, packet.payloadOffset - packet.offset], [
    "router-advertisement",
    "fe80::1",
    56,
  ]);
  assertEquals(onePacket(113, sll.subarray(0, 15)).problems, [
    "Linux cooked capture header at offset 0 needs 16 bytes, 15 available",
  ]);
});

Deno.test("Linux cooked capture v2 (SLL2, 276)", () => {
  const sll2 = bytes(
    ...be16(0x0800), // protocol: IPv4
    ...be16(0), // reserved
    ...[0, 0, 0, 3], // interface index
    ...be16(1), // ARPHRD_ETHER
    4, // packet type: outgoing
    6, // link-layer address length
    ...[...MAC_ROUTER, 0, 0], // link-layer address, padded to 8
    DHCPV4_PACKET,
  );
  const packet = onePacket(276, sll2);
  assertEquals([packet.kind, packet.source, packet.destination, packet.hopLimit], [
    "dhcpv4",
    "0.0.0.0",
    "255.255.255.255",
    128,
  ]);
  assertEquals(packet.payloadOffset - packet.offset, 20 + 20 + 8);
  // VLAN tags may follow a cooked header too.
  const tagged = bytes(...be16(0x8100), sll2.subarray(2, 20), ...be16(0x0005), ...be16(0x0800), DHCPV4_PACKET);
  assertEquals(onePacket(276, tagged).vlanIds, [5]);
});

Deno.test("raw IP link types 101, 228 and 229", () => {
  assertEquals(onePacket(101, DHCPV4_PACKET).kind, "dhcpv4");
  assertEquals(onePacket(101, DHCPV6_PACKET).kind, "dhcpv6");
  assertEquals(onePacket(228, DHCPV4_PACKET).kind, "dhcpv4");
  assertEquals(onePacket(229, DHCPV6_PACKET).kind, "dhcpv6");
  assertEquals(onePacket(229, DHCPV4_PACKET).problems, ["IPv6 header at offset 0 needs 40 bytes, 32 available"]);
  const v4as6 = onePacket(229, bytes(DHCPV4_PACKET, new Array(20).fill(0)));
  assertEquals(v4as6.problems, ["IPv6 header at offset 0 has version 4"]);
  assertEquals(onePacket(228, DHCPV6_PACKET).problems, ["IPv4 header at offset 0 has version 6"]);
  assertEquals(onePacket(101, bytes(0x50, new Array(30).fill(0))).problems, ["IP header at offset 0 has version 5"]);
  assertEquals(onePacket(101, new Uint8Array()).problems, ["packet is empty, without an IP header"]);
});

Deno.test("a link type that is not decoded is kept as other, without problems", () => {
  const packet = onePacket(105, RA_FRAME); // IEEE 802.11
  assertEquals([packet.kind, packet.problems, packet.ipVersion], ["other", [], undefined]);
  assertEquals(packet.payload.length, 0);
  assertEquals(packet.payloadOffset, packet.offset + RA_FRAME.length);
});

// ---------------------------------------------------------------------------
// IP layers

Deno.test("IPv6 extension headers are walked: hop-by-hop, routing, destination options, AH", () => {
  const packet = bytes(
    ethernet(0x86dd),
    ipv6(8 + 16 + 8 + 12 + 8 + DHCPV6.length, 0, 1, FE80_1, FF02_1_2),
    [43, 0, 5, 2, 0, 0, 0, 0], // hop-by-hop: next routing, length 0 (8 bytes), PadN
    [60, 1, 0, 0, 0, 0, 0, 0, 1, 6, 0, 0, 0, 0, 0, 0], // routing: next destination options, length 1 (16 bytes)
    [51, 0, 1, 4, 0, 0, 0, 0], // destination options: next AH, length 0, PadN
    [17, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2], // AH: next UDP, payload len 1 (12 bytes), SPI, sequence
    udp(546, 547, 8 + DHCPV6.length),
    DHCPV6,
  );
  const decoded = onePacket(1, packet);
  assertEquals([decoded.kind, decoded.protocol, decoded.problems], ["dhcpv6", 17, []]);
  assertEquals(decoded.payloadOffset - decoded.offset, 14 + 40 + 8 + 16 + 8 + 12 + 8);
  // An extension header that runs past the packet is flagged.
  const cut = bytes(ethernet(0x86dd), ipv6(16, 60), [17, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assertEquals(onePacket(1, cut).problems, ["IPv6 extension header 60 at offset 54 needs 24 bytes, 16 available"]);
  const one = bytes(ethernet(0x86dd), ipv6(1, 0), [17]);
  assertEquals(onePacket(1, one).problems, ["IPv6 extension header 0 at offset 54 needs 8 bytes, 1 available"]);
  // No next header (59): nothing more, no problem.
  const none = onePacket(1, bytes(ethernet(0x86dd), ipv6(0, 59)));
  assertEquals([none.kind, none.protocol, none.problems], ["other", 59, []]);
});

Deno.test("IPv6 fragments are flagged; the first is decoded as far as it goes, an atomic one fully", () => {
  const fragment = (field: number) =>
    bytes(
      ethernet(0x86dd),
      ipv6(8 + 8 + DHCPV6.length, 44, 1, FE80_1, FF02_1_2),
      [17, 0, ...be16(field), 0, 0, 0, 7], // fragment: next UDP, reserved, offset and M, identification
      udp(546, 547, 8 + 1000), // the datagram's UDP length covers all fragments
      DHCPV6,
    );
  const first = onePacket(1, fragment(0x0001)); // offset 0, M set
  assertEquals([first.fragment, first.kind, first.protocol], [true, "dhcpv6", 17]);
  assertEquals(first.problems, [
    "IPv6 fragment header at offset 54 has fragment offset 0, more to come, not reassembled",
  ]);
  const later = onePacket(1, fragment(0x00a8)); // offset 21 (168 bytes), M clear: the last
  assertEquals([later.fragment, later.kind, later.sourcePort], [true, "other", undefined]);
  assertEquals(later.problems, [
    "IPv6 fragment header at offset 54 has fragment offset 168, the last, not reassembled",
  ]);
  const atomic = onePacket(
    1,
    bytes(
      ethernet(0x86dd),
      ipv6(8 + 8 + DHCPV6.length, 44, 1, FE80_1, FF02_1_2),
      [17, 0, 0, 0, 0, 0, 0, 7], // fragment: offset 0, M clear (RFC 6946 atomic fragment)
      udp(546, 547, 8 + DHCPV6.length),
      DHCPV6,
    ),
  );
  assertEquals([atomic.fragment, atomic.kind, atomic.problems], [false, "dhcpv6", []]);
});

Deno.test("IPv4 fragments are flagged; options are skipped by IHL", () => {
  const fragment = (field: number) =>
    bytes(ethernet(0x0800), ipv4(20 + 8 + DHCPV4.length, 17, { fragment: field }), udp(68, 67, 500), DHCPV4);
  const first = onePacket(1, fragment(0x2000)); // MF, offset 0
  assertEquals([first.fragment, first.kind], [true, "dhcpv4"]);
  assertEquals(first.problems, ["IPv4 packet at offset 14 is a fragment (offset 0, more to come), not reassembled"]);
  const last = onePacket(1, fragment(0x0010)); // offset 16 (128 bytes), the last
  assertEquals([last.fragment, last.kind], [true, "other"]);
  assertEquals(last.problems, ["IPv4 packet at offset 14 is a fragment (offset 128, the last), not reassembled"]);
  // Don't Fragment alone is not a fragment.
  const df = onePacket(1, bytes(ethernet(0x0800), ipv4(32, 17, { fragment: 0x4000 }), udp(68, 67, 12), DHCPV4));
  assertEquals([df.fragment, df.problems, df.kind], [false, [], "dhcpv4"]);
  // IHL 7: 8 bytes of options before UDP.
  const options = onePacket(1, bytes(ethernet(0x0800), ipv4(40, 17, { ihl: 7 }), udp(67, 68, 12), DHCPV4));
  assertEquals([options.kind, options.payloadOffset - options.offset], ["dhcpv4", 14 + 28 + 8]);
});

Deno.test("Ethernet padding is not payload: IPv4 total length bounds it", () => {
  const padded = bytes(DHCPV4_FRAME, new Array(60 - DHCPV4_FRAME.length).fill(0));
  const packet = onePacket(1, padded);
  assertEquals([packet.payload.length, packet.problems], [DHCPV4.length, []]);
});

Deno.test("malformed lower layers are flagged, the packet kept", () => {
  const cases: [Uint8Array, string, string][] = [
    [RA_FRAME.subarray(0, 10), "other", "Ethernet header at offset 0 needs 14 bytes, 10 available"],
    [bytes(ethernet(0x0800), 0x45, 0, 0), "other", "IPv4 header at offset 14 needs 20 bytes, 3 available"],
    [
      bytes(ethernet(0x0800), ipv4(40, 17, { ihl: 4 }), new Array(20).fill(0)),
      "other",
      "IPv4 header at offset 14 has header length 16, less than 20",
    ],
    [
      bytes(ethernet(0x0800), ipv4(60, 17, { ihl: 15 }).slice(0, 20)),
      "other",
      "IPv4 header at offset 14 needs 60 bytes, 20 available",
    ],
    [
      bytes(ethernet(0x0800), ipv4(19, 17), udp(68, 67, 8)),
      "other",
      "IPv4 header at offset 14 has total length 19, less than its header",
    ],
    [
      bytes(ethernet(0x0800), ipv4(300, 17), udp(68, 67, 280), DHCPV4),
      "dhcpv4",
      "IPv4 header at offset 14 has total length 300, more than the 32 bytes available",
    ],
    [
      bytes(ethernet(0x86dd), ipv6(100, 58), RA),
      "router-advertisement",
      "IPv6 header at offset 14 has payload length 100, more than the 24 bytes available",
    ],
    [
      bytes(ethernet(0x86dd), ipv6(4, 17), [2, 34, 2, 35]),
      "other",
      "UDP header at offset 54 needs 8 bytes, 4 available",
    ],
    [
      bytes(ethernet(0x86dd), ipv6(12, 17), udp(546, 547, 7), DHCPV6),
      "other",
      "UDP header at offset 54 has length 7, less than 8",
    ],
    [
      bytes(ethernet(0x86dd), ipv6(12, 17), udp(546, 547, 40), DHCPV6),
      "dhcpv6",
      "UDP header at offset 54 has length 40, more than the 12 bytes available",
    ],
    [
      bytes(ethernet(0x86dd), ipv6(3, 58), [134, 0, 0]),
      "other",
      "ICMPv6 message at offset 54 needs 4 bytes, 3 available",
    ],
  ];
  for (const [frame, kind, problem] of cases) {
    const packet = onePacket(1, frame);
    assertEquals([packet.kind, packet.problems], [kind, [problem]], problem);
  }
  // Addresses are known once the IP header is.
  const bad = onePacket(1, bytes(ethernet(0x0800), ipv4(19, 17), udp(68, 67, 8)));
  assertEquals([bad.source, bad.destination], ["0.0.0.0", "255.255.255.255"]);
});

Deno.test("a frame captured short is flagged and decoded as far as it goes", () => {
  const short = DHCPV4_FRAME.subarray(0, 14 + 20 + 8 + 2);
  const packet = onePacket(1, short, 342);
  assertEquals(packet.problems, [`frame captured ${short.length} of its 342 bytes`]);
  assertEquals([packet.kind, packet.payload.length], ["dhcpv4", 2]);
  // The IP and UDP lengths that the cut explains are not flagged again.
  const ipv6Cut = onePacket(1, RA_FRAME.subarray(0, 60), RA_FRAME.length);
  assertEquals(ipv6Cut.problems, [`frame captured 60 of its ${RA_FRAME.length} bytes`]);
  assertEquals([ipv6Cut.kind, ipv6Cut.payload.length], ["router-advertisement", 6]);
  // A capture that claims fewer bytes on the wire than it holds.
  assertEquals(onePacket(1, RA_FRAME, 10).problems, [
    `original length 10 is less than the ${RA_FRAME.length} bytes captured`,
  ]);
});

Deno.test("UDP classification by port: the lower port decides first", () => {
  const kindOf = (source: number, destination: number) =>
    onePacket(229, bytes(ipv6(12, 17), udp(source, destination, 12), DHCPV6)).kind;
  assertEquals(kindOf(546, 547), "dhcpv6");
  assertEquals(kindOf(547, 547), "dhcpv6"); // relay to server
  assertEquals(kindOf(40000, 547), "dhcpv6");
  assertEquals(kindOf(161, 546), "dhcpv6"); // 161 names nothing here, so 546 decides
  assertEquals(kindOf(68, 67), "dhcpv4");
  assertEquals(kindOf(67, 67), "dhcpv4"); // relay to server
  assertEquals(kindOf(16896, 68), "dhcpv4");
  assertEquals(kindOf(67, 546), "dhcpv4"); // both name one: the lower port wins
  assertEquals(kindOf(53, 53), "other");
  const icmp = onePacket(229, bytes(ipv6(8, 58), [135, 0, 0, 0, 0, 0, 0, 0])); // Neighbor Solicitation
  assertEquals([icmp.kind, icmp.icmpType, icmp.payload.length], ["other", 135, 8]);
});

// ---------------------------------------------------------------------------
// buildCapture

Deno.test("buildCapture writes pcapng and pcap that read back the same", () => {
  const packets: CapturePacketInit[] = [
    { data: RA_FRAME, timestamp: 1_700_000_000_123_456_789n },
    { data: DHCPV6_PACKET, linkType: 229, timestamp: 1n, originalLength: 400 },
    { data: new Uint8Array(3), timestamp: 0n },
  ];
  const back = readCapture(buildCapture({ packets }));
  assertEquals(back.format, "pcapng");
  assertEquals(back.interfaces.map((i) => [i.linkType, i.timestampResolution]), [[1, 9], [229, 9]]);
  assertEquals(
    back.packets.map((p) => [hex(p.data), p.linkType, p.timestamp, p.originalLength]),
    packets.map((p) => [hex(p.data), p.linkType ?? 1, p.timestamp, p.originalLength ?? p.data.length]),
  );
  const pcap = readCapture(
    buildCapture({ format: "pcap", packets: [packets[0]!, { data: DHCPV4_FRAME, timestamp: 5n }] }),
  );
  assertEquals(pcap.format, "pcap");
  assertEquals(pcap.packets.map((p) => [p.kind, p.timestamp]), [["router-advertisement", 1_700_000_000_123_456_789n], [
    "dhcpv4",
    5n,
  ]]);
  assertThrows(() => buildCapture({ format: "pcap", packets }), RangeError, "pcap holds one link type, got 1 and 229");
  assertThrows(
    () => buildCapture({ packets: [{ data: RA_FRAME, timestamp: -1n }] }),
    RangeError,
    "timestamp -1 is out of range",
  );
  assertThrows(
    () => buildCapture({ format: "pcap", packets: [{ data: RA_FRAME, timestamp: 2n ** 32n * 1_000_000_000n }] }),
    RangeError,
  );
  assertThrows(() => buildCapture({ packets: [{ data: RA_FRAME, linkType: 70000 }] }), RangeError, "link type 70000");
});

Deno.test("readCapture takes only bytes", () => {
  assertThrows(() => readCapture("pcap" as unknown as Uint8Array), TypeError, "expected a Uint8Array");
});

// ---------------------------------------------------------------------------
// Real captures, against tshark

const CAPTURES = new URL("../../shared/captures", import.meta.url).pathname;
const haveCaptures = await Deno.stat(CAPTURES).then(() => true, () => false);

interface TsharkCounts {
  readonly files: Record<string, { counts: Record<string, number>; frames: Record<string, number[]> }>;
}

async function captureFiles(dir: string, prefix = ""): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory) found.push(...await captureFiles(`${dir}/${entry.name}`, `${prefix}${entry.name}/`));
    else if (/\.pcap(ng)?$/.test(entry.name)) found.push(`${prefix}${entry.name}`);
  }
  return found.sort();
}

const KINDS = ["router-advertisement", "dhcpv6", "dhcpv4"] as const;

Deno.test({
  name: "every real capture reads, and its RA / DHCPv6 / DHCPv4 frames are tshark's",
  ignore: !haveCaptures,
  fn: async () => {
    const expected: TsharkCounts = JSON.parse(
      await Deno.readTextFile(new URL("./fixtures/capture/tshark_counts.json", import.meta.url)),
    );
    const files = await captureFiles(CAPTURES);
    assertEquals(files, Object.keys(expected.files).sort(), "the fixture lists every capture");
    let total = 0;
    let expectedTotal = 0;
    for (const file of files) {
      const capture = readCapture(await Deno.readFile(`${CAPTURES}/${file}`));
      const want = expected.files[file]!;
      for (const kind of KINDS) {
        const frames = capture.packets.filter((p) => p.kind === kind).map((p) => p.frame);
        assertEquals(frames.length, want.counts[kind], `${file} ${kind} count`);
        assertEquals(frames, want.frames[kind], `${file} ${kind} frames`);
        total += frames.length;
        expectedTotal += want.counts[kind]!;
      }
      // Every packet's views lie inside the file.
      for (const p of capture.packets) {
        assert(p.payloadOffset >= p.offset && p.payloadOffset + p.payload.length <= p.offset + p.data.length, file);
      }
    }
    assertEquals(total, expectedTotal);
    assert(total > 200, "the captures hold a few hundred such messages");
  },
});

Deno.test({
  name: "real captures: fields of a few packets, as tshark shows them",
  ignore: !haveCaptures,
  fn: async () => {
    // tshark -r tcpdump/icmpv6.pcap -c 1 -T fields -e frame.time_epoch -e ipv6.src -e ipv6.hlim
    const ra = readCapture(await Deno.readFile(`${CAPTURES}/tcpdump/icmpv6.pcap`)).packets[0]!;
    assertEquals([ra.kind, ra.source, ra.destination, ra.hopLimit], [
      "router-advertisement",
      "fe80::b299:28ff:fec8:d66c",
      "ff02::1",
      255,
    ]);
    assertEquals(ra.timestamp, 1_334_319_972_631_155_000n);
    // The pcapng file from gopacket: DHCPv4 over Ethernet.
    const dhcp = readCapture(await Deno.readFile(`${CAPTURES}/gopacket/le/test001.pcapng`));
    assertEquals(dhcp.format, "pcapng");
    assertEquals(dhcp.packets.map((p) => [p.sourcePort, p.destinationPort]), [[68, 67], [67, 68], [68, 67], [67, 68]]);
    // Fuzzed tcpdump input: a truncated first fragment, still classified as tshark does.
    const asan = readCapture(await Deno.readFile(`${CAPTURES}/tcpdump/dhcp6_reconf_asan.pcap`)).packets[0]!;
    assertEquals([asan.kind, asan.fragment, asan.originalLength, asan.data.length], ["dhcpv6", true, 262144, 92]);
  },
});

// ---------------------------------------------------------------------------
// Fuzz

/** xorshift32: a small seeded generator, so failures replay. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
}

/** The fields a packet keeps when written again with buildCapture. */
function comparable(p: CapturedPacket, withTime: boolean) {
  return {
    linkType: p.linkType,
    originalLength: p.originalLength,
    data: hex(p.data),
    timestamp: withTime ? p.timestamp?.toString() : undefined,
    vlanIds: p.vlanIds,
    ipVersion: p.ipVersion,
    source: p.source,
    destination: p.destination,
    hopLimit: p.hopLimit,
    protocol: p.protocol,
    ports: [p.sourcePort, p.destinationPort],
    icmpType: p.icmpType,
    fragment: p.fragment,
    kind: p.kind,
    payload: hex(p.payload),
    payloadAt: p.payloadOffset - p.offset,
    // Timestamp problems belong to the old container, not the packet.
    problems: p.problems.filter((text) => !text.startsWith("timestamp")),
  };
}

function checkAccepted(input: Uint8Array, capture: CaptureFile, what: string): void {
  const end = input.byteOffset + input.length;
  capture.packets.forEach((p, i) => {
    assertEquals(p.frame, i + 1, what);
    assert(p.data.byteOffset + p.data.length <= end && p.payload.byteOffset + p.payload.length <= end, what);
    assert(p.payloadOffset >= p.offset && p.payloadOffset + p.payload.length <= p.offset + p.data.length, what);
  });
  // Round trip: written again as pcapng, every packet decodes the same.
  const packets = capture.packets.map((p) => ({
    data: p.data,
    linkType: p.linkType,
    originalLength: p.originalLength,
    timestamp: p.timestamp !== undefined && p.timestamp >= 0n && p.timestamp < 2n ** 64n ? p.timestamp : 0n,
  }));
  const again = readCapture(buildCapture({ packets }));
  assertEquals(
    again.packets.map((p, i) => comparable(p, packets[i]!.timestamp !== 0n)),
    capture.packets.map((p, i) => comparable(p, packets[i]!.timestamp !== 0n)),
    `${what}: round trip`,
  );
}

Deno.test({
  name: "fuzz: mutated real captures, mutated frames and random bytes never trap or hang",
  ignore: !haveCaptures,
  fn: async () => {
    const next = random(0x5eed_cafe);
    const int = (n: number) => Math.floor(next() * n);
    const seeds: Uint8Array[] = [];
    const frames: Uint8Array[] = [];
    for (const file of await captureFiles(CAPTURES)) {
      const data = await Deno.readFile(`${CAPTURES}/${file}`);
      // Short prefixes of the large files keep the run bounded.
      seeds.push(data.subarray(0, Math.min(data.length, 4096)));
      for (const p of readCapture(data).packets.slice(0, 40)) frames.push(p.data);
    }
    for (const init of [RA_FRAME, DHCPV6_FRAME, DHCPV4_FRAME]) frames.push(init);
    const mutate = (source: Uint8Array): Uint8Array => {
      const out = source.slice();
      for (let edits = 1 + int(8); edits > 0 && out.length > 0; edits--) {
        const at = int(out.length);
        switch (int(5)) {
          case 0:
            out[at] = out[at]! ^ (1 << int(8)); // bit flip
            break;
          case 1:
            out[at] = [0, 0xff, 0x80, 0x7f, 1][int(5)]!; // boundary value
            break;
          case 2:
            out[at] = int(256);
            break;
          case 3: // a length-like field: 0, tiny, huge
            out.set([0, 0, 0, 0].map(() => [0, 0xff, 4][int(3)]!).slice(0, out.length - at), at);
            break;
          default:
            return out.subarray(0, at); // truncate
        }
      }
      return out;
    };
    const LINK_TYPES = [1, 1, 1, 113, 276, 101, 228, 229, 0, 105];
    let accepted = 0;
    let rejected = 0;
    const started = performance.now();
    for (let i = 0; i < 20_000; i++) {
      let input: Uint8Array;
      const choice = i % 10;
      if (choice < 4) {
        input = mutate(seeds[int(seeds.length)]!); // container and contents
      } else if (choice < 8) {
        // A sound container around mutated frames: the layers get the beating.
        const packets = Array.from({ length: 1 + int(4) }, () => {
          const data = mutate(frames[int(frames.length)]!);
          return {
            data,
            linkType: LINK_TYPES[int(LINK_TYPES.length)]!,
            originalLength: data.length + int(3) * int(100),
          };
        });
        const pcap = int(2) === 0;
        const linkType = packets[0]!.linkType;
        input = buildCapture({
          format: pcap ? "pcap" : "pcapng",
          packets: pcap ? packets.map((p) => ({ ...p, linkType })) : packets,
        });
        if (int(4) === 0) input = mutate(input);
      } else {
        // Random bytes, often behind a real magic number.
        input = new Uint8Array(int(300)).map(() => int(256));
        const magic = [[0xd4, 0xc3, 0xb2, 0xa1], [0xa1, 0xb2, 0x3c, 0x4d], [0x0a, 0x0d, 0x0d, 0x0a], []][int(4)]!;
        input.set(magic.slice(0, input.length));
      }
      const what = `input ${i}: ${hex(input.subarray(0, 64))}`;
      let capture: CaptureFile;
      try {
        capture = readCapture(input);
      } catch (error) {
        if (!(error instanceof SyntaxError)) throw new Error(`${what}: ${error}`);
        assert(error.message.startsWith("Cannot read capture file: "), what);
        assert(!error.message.includes("undefined"), `${what}: ${error.message}`);
        rejected++;
        continue;
      }
      accepted++;
      checkAccepted(input, capture, what);
      for (const p of capture.packets) {
        for (const problem of p.problems) assert(!problem.startsWith("problem "), `${what}: unknown detail ${problem}`);
      }
    }
    assert(accepted > 5000 && rejected > 2000, `accepted ${accepted}, rejected ${rejected}`);
    // Bounded: no input may make the reader spin (generous for slow CI machines).
    assert(performance.now() - started < 120_000, "fuzz took too long");
  },
});

Deno.test("fuzz: random bytes without the real captures", () => {
  // The same invariants on self-made inputs, so a fresh clone fuzzes too.
  const next = random(42);
  const int = (n: number) => Math.floor(next() * n);
  const bases = [
    bytes(pcapHeader("le"), pcapRecord("le", 1, 2, RA_FRAME), pcapRecord("le", 3, 4, DHCPV4_FRAME)),
    bytes(pcapHeader("be", { magic: MAGIC_NANO }), pcapRecord("be", 1, 2, DHCPV6_FRAME)),
    bytes(shb("le"), idb("le", 1, [option("le", 9, [0x86])]), epb("le", 0, 99n, RA_FRAME), spb("le", DHCPV4_FRAME)),
    bytes(
      shb("be"),
      idb("be", 113),
      idb("be", 229),
      epb("be", 1, 5n, DHCPV6_PACKET),
      obsoletePb("be", 0, 6n, RA_FRAME),
    ),
  ];
  for (let i = 0; i < 5_000; i++) {
    const input = bases[i % bases.length]!.slice();
    for (let edits = 1 + int(4); edits > 0; edits--) input[int(input.length)] = int(256);
    const cut = int(3) === 0 ? input.subarray(0, int(input.length + 1)) : input;
    try {
      checkAccepted(cut, readCapture(cut), `input ${i}: ${hex(cut)}`);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw new Error(`input ${i}: ${hex(cut)}: ${error}`);
    }
  }
});
