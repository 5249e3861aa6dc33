// Tests of `mif decode` (cli/decode.ts, reached through cli/mif.ts): real
// captures through main(), self-made captures through runDecode() with an
// in-memory file, usage and unreadable files, and the JSON rendering.

import { assert, assertEquals } from "./_assert.ts";
import { main } from "../cli/mif.ts";
import { decodeMessages, formatTime, runDecode, toJson } from "../cli/decode.ts";
import { buildCapture } from "../core-as/capture.ts";

const CAPTURES = new URL("../../shared/captures", import.meta.url).pathname;
const haveCaptures = await Deno.stat(CAPTURES).then(() => true, () => false);

/** Runs main() with console.log / console.error captured. */
async function runMain(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...parts: unknown[]) => void out.push(parts.join(" "));
  console.error = (...parts: unknown[]) => void err.push(parts.join(" "));
  try {
    return { code: await main(args), out, err };
  } finally {
    console.log = log;
    console.error = error;
  }
}

const be16 = (n: number) => [n >> 8, n & 0xff];
const FE80_1 = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const FF02_1 = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const FF02_1_2 = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2];

/** An Ethernet frame carrying IPv6 with `payload` under `nextHeader`. */
function ipv6Frame(nextHeader: number, hopLimit: number, destination: number[], payload: number[]): Uint8Array {
  return new Uint8Array([
    ...[0x33, 0x33, 0, 0, 0, 1], // destination MAC
    ...[0x02, 0, 0, 0, 0, 1], // source MAC
    ...be16(0x86dd), // EtherType: IPv6
    ...[0x60, 0, 0, 0], // version 6, traffic class, flow label
    ...be16(payload.length), // payload length
    nextHeader, // next header
    hopLimit, // hop limit
    ...FE80_1, // source
    ...destination, // destination
    ...payload,
  ]);
}

const RA = [
  ...[134, 0], // type: Router Advertisement, code
  ...[0, 0], // checksum
  64, // cur hop limit
  0x80, // flags: M
  ...be16(1800), // router lifetime
  ...[0, 0, 0, 0], // reachable time
  ...[0, 0, 0, 0], // retrans timer
];
/** A DHCPv6 Solicit whose only option runs past the message. */
const BAD_DHCPV6 = [
  1, // message type: Solicit
  ...[0, 0, 1], // transaction id
  ...be16(1), // option: Client Identifier
  ...be16(40), // option length: 40, but 2 bytes follow
  ...[0, 1],
];

function udp(source: number, destination: number, payload: readonly number[]): number[] {
  return [
    ...be16(source), // source port
    ...be16(destination), // destination port
    ...be16(8 + payload.length), // length
    ...[0, 0], // checksum (not checked)
  ];
}

function memoryFile(bytes: Uint8Array) {
  return { readFile: (_path: string) => Promise.resolve(bytes) };
}

Deno.test({
  name: "mif decode --json: real RA, DHCPv6 and DHCPv4 captures",
  ignore: !haveCaptures,
  fn: async () => {
    const ra = await runMain(["decode", `${CAPTURES}/tcpdump/icmpv6.pcap`, "--json"]);
    assertEquals([ra.code, ra.err, ra.out.length], [0, [], 1]);
    const first = JSON.parse(ra.out[0]!);
    assertEquals(
      [first.frame, first.time, first.source, first.destination, first.kind],
      [1, "2012-04-13T12:26:12.631155Z", "fe80::b299:28ff:fec8:d66c", "ff02::1", "router-advertisement"],
    );
    assertEquals([first.message.routerLifetime, first.message.curHopLimit, first.error], [15, 64, undefined]);

    const dhcpv6 = await runMain(["decode", "--json", `${CAPTURES}/tcpdump/dhcpv6-ia-na.pcap`]);
    assertEquals([dhcpv6.code, dhcpv6.out.length], [0, 4]);
    const solicit = JSON.parse(dhcpv6.out[0]!);
    assertEquals([solicit.kind, solicit.sourcePort, solicit.destinationPort], ["dhcpv6", 546, 547]);
    assertEquals([solicit.destination, solicit.message.messageType], ["ff02::1:2", "solicit"]);

    const dhcpv4 = await runMain(["decode", `${CAPTURES}/charrua/dhcp.pcap`, "--json"]);
    const ack = JSON.parse(dhcpv4.out[2]!);
    assertEquals([ack.frame, ack.kind, ack.source, ack.destination], [3, "dhcpv4", "192.168.8.1", "192.168.8.20"]);
    assertEquals(ack.message.yiaddr, "192.168.8.20");
  },
});

Deno.test({
  name: "mif decode: a truncated first fragment shows its problems and the parser's error",
  ignore: !haveCaptures,
  fn: async () => {
    const { code, out } = await runMain(["decode", `${CAPTURES}/tcpdump/bootp_asan.pcap`, "--json"]);
    assertEquals(code, 0);
    const packet = JSON.parse(out[0]!);
    assertEquals(packet.kind, "dhcpv4");
    assertEquals(packet.problems, [
      "frame captured 90 of its 65570 bytes",
      "IPv4 packet at offset 14 is a fragment (offset 0, more to come), not reassembled",
    ]);
    assert(packet.message === undefined && packet.error.startsWith("Cannot parse DHCPv4"), packet.error);
  },
});

Deno.test({
  name: "mif decode: every real capture decodes with exit code 0",
  ignore: !haveCaptures,
  fn: async () => {
    const counts = JSON.parse(
      await Deno.readTextFile(new URL("./fixtures/capture/tshark_counts.json", import.meta.url)),
    ) as { files: Record<string, { counts: Record<string, number> }> };
    for (const [file, { counts: expected }] of Object.entries(counts.files)) {
      const { exitCode, lines, errors } = await runDecode([`${CAPTURES}/${file}`, "--json"]);
      assertEquals([exitCode, errors], [0, []], file);
      const total = Object.values(expected).reduce((a, b) => a + b, 0);
      assertEquals(lines.length, total, file);
      for (const line of lines) {
        const packet = JSON.parse(line);
        assert(("message" in packet) !== ("error" in packet), `${file}: message or error, ${line.slice(0, 200)}`);
      }
    }
  },
});

Deno.test("runDecode on a self-made capture: message, parser error, readable output", async () => {
  const bytes = buildCapture({
    packets: [
      { data: ipv6Frame(58, 255, FF02_1, RA), timestamp: 1_700_000_000_000_000_001n },
      {
        data: ipv6Frame(17, 1, FF02_1_2, [...udp(546, 547, BAD_DHCPV6), ...BAD_DHCPV6]),
        timestamp: 1_700_000_001_500_000_000n,
      },
      { data: ipv6Frame(58, 255, FF02_1, [135, 0, 0, 0, 0, 0, 0, 0]) }, // not an RA: not printed
    ],
  });
  const json = await runDecode(["capture.pcapng", "--json"], memoryFile(bytes));
  assertEquals([json.exitCode, json.errors, json.lines.length], [0, [], 2]);
  const [ra, bad] = json.lines.map((line) => JSON.parse(line));
  assertEquals(
    [ra.frame, ra.time, ra.source, ra.destination, ra.kind, ra.message.managed, ra.message.routerLifetime],
    [1, "2023-11-14T22:13:20.000000001Z", "fe80::1", "ff02::1", "router-advertisement", true, 1800],
  );
  assertEquals([bad.frame, bad.kind, bad.message], [2, "dhcpv6", undefined]);
  assert(bad.error.startsWith("Cannot parse DHCPv6"), bad.error);

  const readable = await runDecode(["capture.pcapng"], memoryFile(bytes));
  assertEquals(readable.exitCode, 0);
  assert(readable.lines[0]!.startsWith("#1 2023-11-14T22:13:20.000000001Z fe80::1 > ff02::1 router-advertisement"));
  assertEquals(JSON.parse(readable.lines[1]!), ra);
  assert(readable.lines[1]!.includes('\n  "frame": 1'), "indented JSON");
  const summary = readable.lines.find((line) => line.startsWith("#2 "))!;
  assert(summary.includes("fe80::1 > ff02::1:2 546 > 547 dhcpv6 error: Cannot parse DHCPv6"), summary);
});

Deno.test("mif decode: usage errors exit 2, unreadable files and non-captures exit 1", async () => {
  const none = await runMain(["decode"]);
  assertEquals([none.code, none.out], [2, []]);
  assertEquals(none.err, ["mif decode: missing FILE", "Usage: mif decode FILE [--json]"]);
  assertEquals((await runDecode(["a.pcap", "b.pcap"])).exitCode, 2);
  const option = await runDecode(["a.pcap", "--yaml"]);
  assertEquals([option.exitCode, option.errors[0]], [2, 'mif decode: unknown option "--yaml"']);

  const missing = await runMain(["decode", "/nonexistent/capture.pcap"]);
  assertEquals(missing.code, 1);
  assert(missing.err[0]!.startsWith("mif decode: Cannot read /nonexistent/capture.pcap: "), missing.err[0]);

  const text = await runDecode(["notes.txt"], memoryFile(new TextEncoder().encode("hello, world")));
  assertEquals([text.exitCode, text.lines], [1, []]);
  assertEquals(text.errors, [
    "mif decode: notes.txt: Cannot read capture file: file starts with 0x68656c6c, not a pcap or pcapng magic number",
  ]);
  const cut = buildCapture({ packets: [{ data: ipv6Frame(58, 255, FF02_1, RA) }] }).subarray(0, 70);
  assertEquals((await runDecode(["cut.pcapng"], memoryFile(cut))).errors, [
    "mif decode: cut.pcapng: Cannot read capture file: block at offset 60 has length 104, past the end of the file",
  ]);
});

Deno.test("mif help lists decode", async () => {
  const { code, out } = await runMain(["help"]);
  assertEquals(code, 0);
  assert(out.join("\n").includes("decode FILE [--json]"));
});

Deno.test("decodeMessages leaves out other packets", () => {
  const bytes = buildCapture({ packets: [{ data: new Uint8Array(60) }] });
  assertEquals(decodeMessages(bytes), []);
});

Deno.test("toJson writes bytes as hex, bigints as strings, infinite numbers by name", () => {
  assertEquals(
    toJson({ data: new Uint8Array([0, 0xab, 0x10]), big: 2n ** 64n, lifetime: Infinity, map: new Map([["a", 1]]) }),
    '{"data":"00ab10","big":"18446744073709551616","lifetime":"Infinity","map":{"a":1}}',
  );
});

Deno.test("formatTime: ISO 8601 with the capture's precision", () => {
  assertEquals(formatTime(1_334_319_972_631_155_000n, 6), "2012-04-13T12:26:12.631155Z");
  assertEquals(formatTime(1_700_000_000_123_456_789n), "2023-11-14T22:13:20.123456789Z");
  assertEquals(formatTime(0n, 0), "1970-01-01T00:00:00Z");
  assertEquals(formatTime(-1n), "1969-12-31T23:59:59.999999999Z");
  assertEquals(formatTime(10n ** 23n, 3), "100000000000000.000");
});
