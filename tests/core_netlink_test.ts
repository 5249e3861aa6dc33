// rtnetlink messages in the WebAssembly core (core-as/netlink.ts): byte
// fixtures built by hand from the uapi headers (linux/netlink.h,
// rtnetlink.h, if_link.h, if_addr.h), real dumps and notifications captured
// from this machine and from a namespace lab (tests/fixtures/netlink/,
// compared with what `ip -j` said at the same moment), malformed input, the
// builders, and a seeded fuzz test.

import {
  buildDumpRequest,
  buildNetlinkMessages,
  type NetlinkMessage,
  type NetlinkMessageInit,
  parseNetlinkMessages,
} from "../core-as/netlink.ts";
import { CoreErrorCode } from "../core-as/_abi.ts";
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { seededRandom } from "./_random.ts";

// ---------------------------------------------------------------------------
// Helpers

/** Little-endian u16, as netlink is in host order (x86-64 here). */
const u16 = (n: number) => [n & 0xff, n >>> 8];
/** Little-endian u32. */
const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
/** ASCII bytes. */
const ascii = (text: string) => Array.from(text, (c) => c.charCodeAt(0));

function bytes(...parts: (number | readonly number[] | Uint8Array)[]): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === "number") out.push(part);
    else out.push(...part);
  }
  return Uint8Array.from(out);
}

function hex(input: Uint8Array): string {
  return Array.from(input, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** An nlmsghdr for a message of `bodyLength` bytes after it. */
function header(type: number, bodyLength: number, flags = 0, seq = 0, pid = 0): number[] {
  return [...u32(16 + bodyLength), ...u16(type), ...u16(flags), ...u32(seq), ...u32(pid)];
}

/** An attribute, padded to 4 bytes. */
function attr(type: number, ...payload: (number | readonly number[])[]): number[] {
  const data = bytes(...payload);
  const out = [...u16(4 + data.length), ...u16(type), ...data];
  while (out.length % 4 !== 0) out.push(0);
  return out;
}

/** A whole message with its header's length computed. */
function message(type: number, body: readonly number[], flags = 0, seq = 0, pid = 0): number[] {
  const out = [...header(type, body.length, flags, seq, pid), ...body];
  // NLMSG_ALIGN: the next message starts 4-aligned; nlmsg_len leaves this out.
  while (out.length % 4 !== 0) out.push(0);
  return out;
}

const fixtures = new URL("./fixtures/netlink/", import.meta.url);
const read = (name: string) => Deno.readFile(new URL(name, fixtures));
const readJson = async (name: string) => JSON.parse(await Deno.readTextFile(new URL(name, fixtures)));

/** Messages without their offsets-dependent diagnostics, for round trips. */
function normalized(messages: readonly NetlinkMessage[]): unknown[] {
  return messages.map((m) =>
    m.type === "nd-user-option" ? { ...m, skipped: [], optionsSkipped: [] } : { ...m, skipped: [] }
  );
}

/**
 * Parses, builds and parses again: the same messages. `clean`: the rebuilt
 * bytes have nothing to skip (not so for malformed messages kept raw).
 */
function roundTrip(input: Uint8Array, clean = true): void {
  const parsed = parseNetlinkMessages(input);
  const rebuilt = buildNetlinkMessages(parsed);
  const again = parseNetlinkMessages(rebuilt);
  if (clean) { for (const m of again) assertEquals(m.skipped, [], `rebuilt ${hex(input)}`); }
  assertEquals(normalized(again), normalized(parsed), `round trip of ${hex(input)}`);
}

// ---------------------------------------------------------------------------
// Hand-built fixtures, field by field

/** RTM_NEWLINK of eth0, a veth, as a dump answers it. */
// deno-fmt-ignore
const NEWLINK = bytes(
  u32(100), // nlmsg_len: 16 + 16 + 68
  u16(16), // nlmsg_type RTM_NEWLINK
  u16(0x2), // nlmsg_flags NLM_F_MULTI
  u32(7), // nlmsg_seq
  u32(4242), // nlmsg_pid
  0, // ifi_family AF_UNSPEC
  0, // ifi_pad
  u16(1), // ifi_type ARPHRD_ETHER
  u32(2), // ifi_index 2
  u32(0x11043), // ifi_flags UP|BROADCAST|RUNNING|MULTICAST|LOWER_UP
  u32(0), // ifi_change
  u16(9), u16(3), ascii("eth0"), 0, 0, 0, 0, // IFLA_IFNAME "eth0\0", padded
  u16(8), u16(13), u32(1000), // IFLA_TXQLEN 1000 (kept raw)
  u16(5), u16(16), 6, 0, 0, 0, // IFLA_OPERSTATE IF_OPER_UP, padded
  u16(8), u16(4), u32(1500), // IFLA_MTU 1500
  u16(10), u16(1), 0x02, 0xfc, 0, 0, 0, 1, 0, 0, // IFLA_ADDRESS 02:fc:00:00:00:01, padded
  u16(20), u16(0x8012), // IFLA_LINKINFO, NLA_F_NESTED
  u16(9), u16(1), ascii("veth"), 0, 0, 0, 0, // IFLA_INFO_KIND "veth\0", padded
  u16(4), u16(2), // IFLA_INFO_DATA, empty (kept raw)
);

/** RTM_NEWADDR of a SLAAC address, with lifetimes and 32-bit flags. */
// deno-fmt-ignore
const NEWADDR6 = bytes(
  u32(72), // nlmsg_len: 16 + 8 + 48
  u16(20), // RTM_NEWADDR
  u16(0), // no flags: a notification
  u32(0), // seq
  u32(0), // pid
  10, // ifa_family AF_INET6
  64, // ifa_prefixlen
  0x00, // ifa_flags: the low 8 bits, superseded by IFA_FLAGS
  0, // ifa_scope RT_SCOPE_UNIVERSE
  u32(2), // ifa_index
  u16(20), u16(1), 0x20, 0x01, 0x0d, 0xb8, 0, 0x77, 0, 0, 0x40, 0xba, 0xf1, 0xff, 0xfe, 0xd2, 0x24, 0xfe, // IFA_ADDRESS
  u16(20), u16(6), u32(300), u32(600), u32(886178), u32(886179), // IFA_CACHEINFO: preferred, valid, cstamp, tstamp
  u16(8), u16(8), u32(0x340), // IFA_FLAGS MANAGETEMPADDR|NOPREFIXROUTE|TENTATIVE
);

/** RTM_NEWADDR of an IPv4 address, as `ip addr` shows 192.0.2.2/24 on eth0. */
// deno-fmt-ignore
const NEWADDR4 = bytes(
  u32(88), // nlmsg_len: 16 + 8 + 64
  u16(20), // RTM_NEWADDR
  u16(0x2), // NLM_F_MULTI
  u32(1), // seq
  u32(4242), // pid
  2, // ifa_family AF_INET
  24, // ifa_prefixlen
  0x80, // ifa_flags IFA_F_PERMANENT
  0, // ifa_scope universe
  u32(4), // ifa_index
  u16(8), u16(1), 192, 0, 2, 2, // IFA_ADDRESS
  u16(8), u16(2), 192, 0, 2, 2, // IFA_LOCAL
  u16(8), u16(4), 192, 0, 2, 255, // IFA_BROADCAST
  u16(9), u16(3), ascii("eth0"), 0, 0, 0, 0, // IFA_LABEL "eth0\0", padded
  u16(8), u16(8), u32(0x80), // IFA_FLAGS
  u16(20), u16(6), u32(0xffffffff), u32(0xffffffff), u32(215), u32(215), // IFA_CACHEINFO: forever
);

/** RTM_NEWROUTE of an RA-learned IPv6 default route. */
// deno-fmt-ignore
const NEWROUTE6 = bytes(
  u32(88), // nlmsg_len: 16 + 12 + 60
  u16(24), // RTM_NEWROUTE
  u16(0x600), // NLM_F_CREATE|NLM_F_EXCL (notification)
  u32(0), // seq
  u32(0), // pid
  10, // rtm_family AF_INET6
  0, // rtm_dst_len: default
  0, // rtm_src_len
  0, // rtm_tos
  254, // rtm_table RT_TABLE_MAIN
  9, // rtm_protocol RTPROT_RA
  0, // rtm_scope universe
  1, // rtm_type RTN_UNICAST
  u32(0), // rtm_flags
  u16(8), u16(15), u32(254), // RTA_TABLE
  u16(8), u16(6), u32(1024), // RTA_PRIORITY
  u16(20), u16(5), 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0xe0, 0x64, 0xd6, 0xff, 0xfe, 0xbc, 0x71, 0x24, // RTA_GATEWAY
  u16(8), u16(4), u32(2), // RTA_OIF
  u16(5), u16(20), 1, 0, 0, 0, // RTA_PREF ICMPV6_ROUTER_PREF_HIGH, padded
  u16(8), u16(23), u32(1796), // RTA_EXPIRES (kept raw)
);

/** RTM_NEWNDUSEROPT carrying an RDNSS option, as ndisc_ra_useropt() builds it. */
// deno-fmt-ignore
const NDUSEROPT = bytes(
  u32(76), // nlmsg_len: 16 + 16 + 24 + 20
  u16(68), // RTM_NEWNDUSEROPT
  u16(0), // flags
  u32(0), // seq
  u32(0), // pid
  10, // nduseropt_family AF_INET6
  0, // nduseropt_pad1
  u16(24), // nduseropt_opts_len
  u32(2), // nduseropt_ifindex
  134, // nduseropt_icmp_type: Router Advertisement
  0, // nduseropt_icmp_code
  u16(0), // nduseropt_pad2
  u32(0), // nduseropt_pad3
  25, 3, 0, 0, 0, 0, 0x03, 0x84, // RDNSS: type 25, length 3 units, reserved, lifetime 900 (network order)
  0x20, 0x01, 0x0d, 0xb8, 0, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53, // 2001:db8:77::53
  u16(20), u16(1), 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0xe0, 0x64, 0xd6, 0xff, 0xfe, 0xbc, 0x71, 0x24, // NDUSEROPT_SRCADDR
);

/** The end of a dump. */
// deno-fmt-ignore
const DONE = bytes(
  u32(20), // nlmsg_len
  u16(3), // NLMSG_DONE
  u16(0x2), // NLM_F_MULTI
  u32(7), // seq
  u32(4242), // pid
  u32(0), // the int status
);

/** A refused request: -EPERM, echo capped, with an extended-ack message. */
// deno-fmt-ignore
const ERROR_EPERM = bytes(
  u32(56), // nlmsg_len: 16 + 4 + 16 + 20
  u16(2), // NLMSG_ERROR
  u16(0x300), // NLM_F_CAPPED|NLM_F_ACK_TLVS
  u32(9), // seq
  u32(4242), // pid
  u32(-1 >>> 0), // error -EPERM
  u32(32), u16(16), u16(0x405), u32(9), u32(0), // echoed nlmsghdr: 32 bytes, RTM_NEWLINK, REQUEST|ACK|CREATE
  u16(18), u16(1), ascii("Not permitted"), 0, 0, 0, // NLMSGERR_ATTR_MSG "Not permitted\0", padded
);

Deno.test("links: ifinfomsg and IFLA attributes, LINKINFO nested, unknown kept raw", () => {
  const [link, ...rest] = parseNetlinkMessages(NEWLINK);
  assertEquals(rest, []);
  assertEquals(link, {
    type: "link",
    action: "new",
    header: { flags: 2, seq: 7, pid: 4242 },
    family: 0,
    ifindex: 2,
    arphrdType: 1,
    flags: 0x11043,
    change: 0,
    name: "eth0",
    mtu: 1500,
    linkLayerAddress: "02:fc:00:00:00:01",
    operstate: "up",
    linkInfo: { kind: "veth", attributes: [{ type: 2, data: new Uint8Array(0) }] },
    attributes: [{ type: 13, data: Uint8Array.from(u32(1000)) }],
    skipped: [],
  });
});

Deno.test("addresses: IPv6 lifetimes from IFA_CACHEINFO, IFA_FLAGS over ifa_flags", () => {
  const [address] = parseNetlinkMessages(NEWADDR6);
  assertEquals(address, {
    type: "address",
    action: "new",
    header: { flags: 0, seq: 0, pid: 0 },
    family: 6,
    prefixLength: 64,
    flags: 0x340,
    scope: 0,
    ifindex: 2,
    address: "2001:db8:77:0:40ba:f1ff:fed2:24fe",
    cacheInfo: { preferredLifetime: 300, validLifetime: 600, created: 886178, updated: 886179 },
    attributes: [],
    skipped: [],
  });
});

Deno.test("addresses: IPv4 local, broadcast, label; 0xffffffff lifetimes are Infinity", () => {
  const [address] = parseNetlinkMessages(NEWADDR4);
  assert(address?.type === "address");
  assertEquals(
    [address.family, address.address, address.local, address.broadcast, address.label, address.flags],
    [4, "192.0.2.2", "192.0.2.2", "192.0.2.255", "eth0", 0x80],
  );
  assertEquals(address.cacheInfo, { preferredLifetime: Infinity, validLifetime: Infinity, created: 215, updated: 215 });
});

Deno.test("routes: rtmsg, RTA attributes, RA protocol and preference, unknown kept raw", () => {
  const [route] = parseNetlinkMessages(NEWROUTE6);
  assertEquals(route, {
    type: "route",
    action: "new",
    header: { flags: 0x600, seq: 0, pid: 0 },
    family: 6,
    prefixLength: 0,
    sourceLength: 0,
    tos: 0,
    table: 254,
    protocol: 9,
    scope: 0,
    routeType: 1,
    flags: 0,
    gateway: "fe80::e064:d6ff:febc:7124",
    outputIfindex: 2,
    priority: 1024,
    preference: "high",
    attributes: [{ type: 23, data: Uint8Array.from(u32(1796)) }],
    skipped: [],
  });
});

Deno.test("routes: a table past 255 comes from RTA_TABLE, rtm_table holding RT_TABLE_COMPAT", () => {
  // deno-fmt-ignore
  const input = bytes(message(24, [
    2, 24, 0, 0, 252, 4, 0, 1, ...u32(0), // AF_INET /24, table COMPAT, RTPROT_STATIC, universe, unicast
    ...attr(15, u32(1000)), // RTA_TABLE 1000
    ...attr(1, [198, 51, 100, 0]), // RTA_DST
    ...attr(7, [198, 51, 100, 7]), // RTA_PREFSRC
  ]));
  const [route] = parseNetlinkMessages(input);
  assert(route?.type === "route");
  assertEquals([route.table, route.destination, route.preferredSource, route.protocol], [
    1000,
    "198.51.100.0",
    "198.51.100.7",
    4,
  ]);
  assertEquals(buildNetlinkMessages([route])[20], 252, "rtm_table of the rebuilt message");
  roundTrip(input);
});

Deno.test("ND user options: handed to the ND option parser, with the router's address", () => {
  const [nd] = parseNetlinkMessages(NDUSEROPT);
  assertEquals(nd, {
    type: "nd-user-option",
    header: { flags: 0, seq: 0, pid: 0 },
    family: 10,
    ifindex: 2,
    icmpType: 134,
    icmpCode: 0,
    options: [{ type: "rdnss", lifetime: 900, servers: ["2001:db8:77::53"] }],
    optionsSkipped: [],
    source: "fe80::e064:d6ff:febc:7124",
    attributes: [],
    skipped: [],
  });
});

Deno.test("done and error: status, errno, capped echo, extended ack", () => {
  const [done, error] = parseNetlinkMessages(bytes(DONE, ERROR_EPERM));
  assertEquals(done, { type: "done", header: { flags: 2, seq: 7, pid: 4242 }, status: 0, skipped: [] });
  assertEquals(error, {
    type: "error",
    header: { flags: 0x300, seq: 9, pid: 4242 },
    error: -1,
    request: { length: 32, messageType: 16, flags: 0x405, seq: 9, pid: 0, payload: new Uint8Array(0) },
    message: "Not permitted",
    attributes: [],
    skipped: [],
  });
  // An acknowledgement echoing the whole request (not capped).
  const request = buildDumpRequest("link", { seq: 5 });
  const ack = bytes(message(2, [...u32(0), ...request], 0, 5));
  const [parsed] = parseNetlinkMessages(ack);
  assert(parsed?.type === "error" && parsed.error === 0);
  assertEquals([parsed.request?.length, parsed.request?.messageType, parsed.request?.payload.length], [32, 18, 16]);
  // An empty NLMSG_DONE has no status.
  assertEquals(parseNetlinkMessages(bytes(message(3, [])))[0], {
    type: "done",
    header: { flags: 0, seq: 0, pid: 0 },
    skipped: [],
  });
});

Deno.test("other messages: NOOP, OVERRUN, requests and non-IP families are kept raw", () => {
  const input = bytes(
    message(1, []), // NLMSG_NOOP
    message(4, [1, 2, 3, 4]), // NLMSG_OVERRUN
    message(20, [7, 0, 0, 0, ...u32(1)]), // RTM_NEWADDR of family 7: not interpreted
  );
  const messages = parseNetlinkMessages(input);
  assertEquals(messages.map((m) => m.type === "other" ? [m.messageType, hex(m.payload)] : m.type), [
    [1, ""],
    [4, "01020304"],
    [20, "0700000001000000"],
  ]);
  roundTrip(input);
});

Deno.test("deletions: RTM_DELLINK, RTM_DELADDR, RTM_DELROUTE", () => {
  const input = bytes(
    message(17, [0, 0, ...u16(1), ...u32(9), ...u32(0), ...u32(0), ...attr(3, ascii("veth9"), 0)]),
    message(21, [10, 64, 0x80, 0, ...u32(9), ...attr(1, [0x20, 1, 0x0d, 0xb8, ...new Array(11).fill(0), 9])]),
    message(25, [10, 64, 0, 0, 254, 2, 0, 1, ...u32(0), ...attr(1, [0x20, 1, 0x0d, 0xb8, ...new Array(12).fill(0)])]),
  );
  const messages = parseNetlinkMessages(input);
  assertEquals(messages.map((m) => "action" in m ? `${m.type} ${m.action}` : m.type), [
    "link delete",
    "address delete",
    "route delete",
  ]);
  const [link, address, route] = messages;
  assert(link?.type === "link" && address?.type === "address" && route?.type === "route");
  assertEquals([link.name, address.address, route.destination], ["veth9", "2001:db8::9", "2001:db8::"]);
  roundTrip(input);
});

Deno.test("several messages in one buffer; the last one's padding may be missing", () => {
  const input = bytes(NEWLINK, NEWADDR6, NDUSEROPT, DONE);
  assertEquals(parseNetlinkMessages(input).map((m) => m.type), ["link", "address", "nd-user-option", "done"]);
  // A link name of 3 bytes leaves nlmsg_len unaligned; without the padding
  // after it the message still parses.
  const unpadded = bytes(
    message(16, [0, 0, ...u16(772), ...u32(1), ...u32(0), ...u32(0), ...u16(7), ...u16(3), ...ascii("lo"), 0]),
  )
    .slice(0, 16 + 16 + 7);
  assertEquals(unpadded.length % 4, 3);
  const [lo] = parseNetlinkMessages(unpadded);
  assert(lo?.type === "link" && lo.name === "lo" && lo.skipped.length === 0);
});

// ---------------------------------------------------------------------------
// Malformed input

Deno.test("framing: a header that cannot be walked is a SyntaxError at its offset", () => {
  const cases: [Uint8Array, string, number, number][] = [
    // nlmsg_len 8: below the header, nothing says where the next starts.
    [
      bytes(DONE, u32(8), u16(3), u16(0), u32(0), u32(0)),
      "message at offset 20 has length 8, shorter than its 16-byte header",
      20,
      CoreErrorCode.BadLength,
    ],
    // nlmsg_len 0: the classic infinite loop.
    [bytes(u32(0), u16(3), u16(0), u32(0), u32(0)), "message at offset 0 has length 0", 0, CoreErrorCode.BadLength],
    // nlmsg_len past the end: a truncated recv.
    [
      bytes(DONE, u32(400), u16(16), u16(0), u32(0), u32(0)),
      "message at offset 20 of 400 bytes runs past the end at 36",
      20,
      CoreErrorCode.Truncated,
    ],
    // Fewer than 16 bytes left.
    [
      bytes(DONE, 1, 2, 3, 4, 5),
      "message at offset 20 is cut off after 5 bytes of its 16-byte header",
      20,
      CoreErrorCode.Truncated,
    ],
  ];
  for (const [input, text, offset, code] of cases) {
    const error = assertThrows(
      () => parseNetlinkMessages(input),
      SyntaxError,
      `Cannot parse netlink messages: ${text}`,
    );
    assertEquals(error.cause, { code, offset });
  }
  assertEquals(parseNetlinkMessages(new Uint8Array(0)), []);
});

Deno.test("attributes: nla_len below 4 or past the end skips the rest of the message, not the next one", () => {
  const link = (...attributes: number[]) =>
    message(16, [0, 0, ...u16(1), ...u32(5), ...u32(0), ...u32(0), ...attr(4, u32(1400)), ...attributes]);
  const cases: [number[], string][] = [
    [
      [...u16(0), ...u16(3), 0, 0, 0, 0],
      "type 3 attribute at offset 40 of RTM_NEWLINK has length 0, shorter than its 4-byte header",
    ],
    [
      [...u16(2), ...u16(3), 0, 0, 0, 0],
      "type 3 attribute at offset 40 of RTM_NEWLINK has length 2, shorter than its 4-byte header",
    ],
    [
      [...u16(64), ...u16(3), 0, 0, 0, 0],
      "type 3 attribute at offset 40 of RTM_NEWLINK of 64 bytes runs past the end of its container at 48",
    ],
    [[1, 2], "attribute at offset 40 is cut off after 2 bytes of its 4-byte header"],
  ];
  for (const [tail, reason] of cases) {
    const messages = parseNetlinkMessages(bytes(link(...tail), DONE));
    const [first, done] = messages;
    assert(first?.type === "link", reason);
    // The attributes before the bad one are kept.
    assertEquals(first.mtu, 1400, reason);
    assertEquals(first.skipped.map((s) => s.reason), [reason.replace("type 3", "IFLA_IFNAME")]);
    assertEquals(done?.type, "done", reason);
  }
});

Deno.test("attributes: a known one of the wrong size or value is skipped alone", () => {
  // deno-fmt-ignore
  const input = bytes(
    message(16, [
      0, 0, ...u16(1), ...u32(5), ...u32(0), ...u32(0), // ifinfomsg: ARPHRD_ETHER, ifindex 5
      ...attr(4, [0xdc, 0x05]), // IFLA_MTU of 2 bytes
      ...attr(16, [9]), // IFLA_OPERSTATE 9: not defined
      ...attr(3, ascii("eth0")), // IFLA_IFNAME without NUL
      ...attr(1, new Array(33).fill(1)), // IFLA_ADDRESS of 33 bytes
      ...attr(13, u32(1000)), // IFLA_TXQLEN: fine
    ]),
    message(20, [
      2, 24, 0, 0, ...u32(5), // ifaddrmsg: AF_INET /24, ifindex 5
      ...attr(1, new Array(16).fill(0)), // IFA_ADDRESS of 16 bytes in an AF_INET message
      ...attr(6, u32(1)), // IFA_CACHEINFO of 4 bytes
      ...attr(2, [192, 0, 2, 9]), // IFA_LOCAL: fine
    ]),
    message(24, [
      10, 0, 0, 0, 254, 9, 0, 1, ...u32(0), // rtmsg: AF_INET6 default, main, RTPROT_RA, unicast
      ...attr(20, [2]), // RTA_PREF 2: reserved
      ...attr(4, u32(5)), // RTA_OIF: fine
    ]),
  );
  const [link, address, route] = parseNetlinkMessages(input);
  assert(link?.type === "link" && address?.type === "address" && route?.type === "route");
  assertEquals(link.skipped.map((s) => s.reason), [
    "IFLA_MTU attribute at offset 32 of RTM_NEWLINK has 2 bytes; it takes 4",
    "IFLA_OPERSTATE attribute at offset 40 of RTM_NEWLINK holds 9, which its type does not define",
    "IFLA_IFNAME attribute at offset 48 of RTM_NEWLINK has no terminating NUL",
    "IFLA_ADDRESS attribute at offset 56 of RTM_NEWLINK has 33 bytes; at most 32",
  ]);
  assertEquals([link.mtu, link.operstate, link.name, link.linkLayerAddress], [
    undefined,
    undefined,
    undefined,
    undefined,
  ]);
  assertEquals(link.attributes, [{ type: 13, data: Uint8Array.from(u32(1000)) }]);
  assertEquals(address.skipped.map((s) => [s.type, s.reason]), [
    [
      1,
      "IFA_ADDRESS attribute at offset 128 of RTM_NEWADDR has 16 bytes; an address of its family takes 4 (IPv4) or 16 (IPv6)",
    ],
    [6, "IFA_CACHEINFO attribute at offset 148 of RTM_NEWADDR has 4 bytes; it takes 16"],
  ]);
  assertEquals(address.local, "192.0.2.9");
  assertEquals(route.skipped.map((s) => s.reason), [
    "RTA_PREF attribute at offset 192 of RTM_NEWROUTE holds 2, which its type does not define",
  ]);
  assertEquals([route.preference, route.outputIfindex], [undefined, 5]);
  roundTrip(input);
});

Deno.test("bodies: shorter than the fixed header, ND options or an echo running past the end", () => {
  const input = bytes(
    message(16, [0, 0, ...u16(1), ...u32(5)]), // RTM_NEWLINK with 8 of 16 bytes
    message(68, [10, 0, ...u16(64), ...u32(2), 134, 0, 0, 0, 0, 0, 0, 0]), // opts_len 64, none there
    message(2, [...u32(-22 >>> 0), ...u32(64), ...u16(16), ...u16(5), ...u32(1), ...u32(0)]), // echo of 64 bytes, 16 there
  );
  const messages = parseNetlinkMessages(input);
  assertEquals(messages.map((m) => [m.type, m.skipped.map((s) => s.reason)]), [
    ["other", ["RTM_NEWLINK message has 8 bytes after its header at offset 16, fewer than its 16-byte fixed header"]],
    ["other", ["RTM_NEWNDUSEROPT message at offset 24 has ND options of 64 bytes running past its end"]],
    ["other", ["NLMSG_ERROR message at offset 56 echoes a request running past its end"]],
  ]);
  roundTrip(input, false);
});

Deno.test("ND user options: options the ND parser rejects or skips are reported, the message kept", () => {
  const nd = (...options: number[]) =>
    message(68, [10, 0, ...u16(options.length), ...u32(2), 134, 0, 0, 0, 0, 0, 0, 0, ...options]);
  // An option of length 0 (dhcpcd#415): the options cannot be walked.
  const [zero] = parseNetlinkMessages(bytes(nd(25, 0, 0, 0, 0, 0, 0, 0)));
  assert(zero?.type === "nd-user-option");
  assertEquals(zero.options, []);
  assertEquals(zero.skipped.map((s) => s.reason), ["ND options at offset 32: option at offset 0 has length 0"]);
  // An RDNSS of even length (CVE-2020-16898): skipped by the ND parser.
  const [even] = parseNetlinkMessages(bytes(nd(25, 2, 0, 0, 0, 0, 0, 60, ...new Array(8).fill(0))));
  assert(even?.type === "nd-user-option");
  assertEquals(even.options, []);
  assertEquals(even.optionsSkipped.map((s) => s.type), [25]);
});

Deno.test("nesting: a malformed attribute inside IFLA_LINKINFO is skipped inside it", () => {
  // deno-fmt-ignore
  const input = bytes(message(16, [
    0, 0, ...u16(1), ...u32(5), ...u32(0), ...u32(0), // ifinfomsg: ARPHRD_ETHER, ifindex 5
    ...u16(16), ...u16(0x8012), // IFLA_LINKINFO, nested
    ...attr(1, ascii("tun")), // IFLA_INFO_KIND without NUL
    ...u16(2), ...u16(2), // an attribute of length 2
    ...attr(3, ascii("tun0"), 0), // IFLA_IFNAME after the container: still read
  ]));
  const [link] = parseNetlinkMessages(input);
  assert(link?.type === "link");
  assertEquals(link.linkInfo, { attributes: [] });
  assertEquals(link.name, "tun0");
  assertEquals(link.skipped.map((s) => s.reason), [
    "IFLA_INFO_KIND attribute at offset 36 of RTM_NEWLINK has no terminating NUL",
    "type 2 attribute at offset 44 of RTM_NEWLINK has length 2, shorter than its 4-byte header",
  ]);
});

// ---------------------------------------------------------------------------
// Real bytes from this machine and from the namespace lab

interface IpLink {
  ifindex: number;
  ifname: string;
  mtu: number;
  address?: string;
  operstate: string;
  linkinfo?: { info_kind?: string };
  addr_info?: {
    family: string;
    local: string;
    prefixlen: number;
    scope: string;
    valid_life_time: number;
    preferred_life_time: number;
  }[];
}
interface IpRoute {
  dst: string;
  gateway?: string;
  dev: string;
  metric?: number;
  protocol?: string;
  pref?: string;
}

const PROTOCOLS: Record<number, string> = { 2: "kernel", 3: "boot", 4: "static", 9: "ra", 16: "dhcp" };
const SCOPES: Record<number, string> = { 0: "global", 200: "site", 253: "link", 254: "host" };

/** `details`: the JSON is `ip -j -d link`, which shows the link kind. */
function compareLinks(messages: NetlinkMessage[], ip: IpLink[], details = false): void {
  const links = messages.filter((m) => m.type === "link");
  assertEquals(
    links.map((
      l,
    ) => [l.ifindex, l.name, l.mtu, l.linkLayerAddress, l.operstate?.toUpperCase(), details ? l.linkInfo?.kind : 0]),
    ip.map((l) => [l.ifindex, l.ifname, l.mtu, l.address, l.operstate, details ? l.linkinfo?.info_kind : 0]),
  );
  for (const link of links) assertEquals(link.skipped, [], link.name);
}

function compareAddresses(messages: NetlinkMessage[], ip: IpLink[]): void {
  const addresses = messages.filter((m) => m.type === "address");
  const forever = (n: number) => n === Infinity ? 0xffffffff : n;
  const ours = addresses.map((a) => [
    a.ifindex,
    a.family === 4 ? "inet" : "inet6",
    a.local ?? a.address,
    a.prefixLength,
    SCOPES[a.scope],
  ]).sort();
  const theirs = ip.flatMap((l) => (l.addr_info ?? []).map((a) => [l.ifindex, a.family, a.local, a.prefixlen, a.scope]))
    .sort();
  assertEquals(ours, theirs);
  // Lifetimes: ip prints the same numbers (forever as 4294967295).
  const lifetimes = addresses.map((a) => [a.local ?? a.address, forever(a.cacheInfo!.validLifetime)]).sort();
  const ipLifetimes = ip.flatMap((l) => (l.addr_info ?? []).map((a) => [a.local, a.valid_life_time])).sort();
  if (ipLifetimes.every(([, v]) => v === 0xffffffff)) assertEquals(lifetimes, ipLifetimes);
  for (const a of addresses) assertEquals(a.skipped, []);
}

function compareRoutes(messages: NetlinkMessage[], ip: IpRoute[], names: Map<number, string>): void {
  const routes = messages.filter((m) => m.type === "route" && m.table === 254);
  assertEquals(
    routes.map((r) => {
      assert(r.type === "route");
      const dst = r.prefixLength === 0 ? "default" : `${r.destination}/${r.prefixLength}`;
      return [
        dst,
        r.gateway,
        names.get(r.outputIfindex ?? 0),
        r.family === 6 ? r.priority : undefined,
        PROTOCOLS[r.protocol],
      ];
    }),
    ip.map((r) => [r.dst, r.gateway, r.dev, r.metric, r.protocol ?? "boot"]),
  );
}

Deno.test("real dumps of this machine agree with ip -j captured at the same time", async () => {
  const ip = await readJson("ip.json");
  const links = parseNetlinkMessages(await read("link.bin"));
  const addresses = parseNetlinkMessages(await read("address.bin"));
  assertEquals(links.at(-1)?.type, "done");
  assertEquals(addresses.at(-1)?.type, "done");
  compareLinks(links, ip.link);
  compareAddresses(addresses, ip.addr);
  const names = new Map(links.flatMap((l) => l.type === "link" ? [[l.ifindex, l.name ?? ""] as const] : []));
  compareRoutes(parseNetlinkMessages(await read("route4.bin")), ip.route4, names);
  compareRoutes(parseNetlinkMessages(await read("route6.bin")), ip.route6, names);
  // Every message of a dump carries the request's sequence number.
  assert(links.every((m) => m.header.seq === 1));
});

Deno.test("real lab bytes: a veth and a bridge, SLAAC lifetimes, RA routes, ND user options", async () => {
  const ip = await readJson("lab_ip.json");
  const links = parseNetlinkMessages(await read("lab_link.bin"));
  compareLinks(links, ip.link, true);
  const addresses = parseNetlinkMessages(await read("lab_address.bin"));
  compareAddresses(addresses, ip.addr);
  const slaac = addresses.find((m) => m.type === "address" && m.address?.startsWith("2001:db8:77:"));
  assert(slaac?.type === "address" && slaac.cacheInfo !== undefined);
  // Captured a few seconds after the RA (valid 600 s, preferred 300 s).
  assert(
    slaac.cacheInfo.validLifetime > 590 && slaac.cacheInfo.validLifetime <= 600,
    String(slaac.cacheInfo.validLifetime),
  );
  assert(slaac.cacheInfo.preferredLifetime > 290 && slaac.cacheInfo.preferredLifetime <= 300);
  const names = new Map(links.flatMap((l) => l.type === "link" ? [[l.ifindex, l.name ?? ""] as const] : []));
  const routes = parseNetlinkMessages(await read("lab_route6.bin"));
  compareRoutes(routes, ip.route6, names);
  const fromRa = routes.filter((m) => m.type === "route" && m.protocol === 9);
  assertEquals(fromRa.map((r) => r.type === "route" ? [r.destination, r.preference] : []), [
    ["2001:db8:88::", "high"],
    [undefined, "high"],
  ]);

  const notifications = parseNetlinkMessages(await read("lab_notifications.bin"));
  const nd = notifications.filter((m) => m.type === "nd-user-option");
  // One option per message, as the kernel forwards them (ndisc_ra_useropt).
  assertEquals(nd.map((m) => m.type === "nd-user-option" ? m.options.map((o) => o.type) : []), [
    ["prefix-information"],
    ["rdnss"],
    ["dnssl"],
    ["captive-portal"],
    ["pref64"],
  ]);
  const [, rdnss, dnssl] = nd;
  assert(rdnss?.type === "nd-user-option" && dnssl?.type === "nd-user-option");
  assertEquals(rdnss.options, [{ type: "rdnss", lifetime: 900, servers: ["2001:db8:77::53", "2001:db8:77::54"] }]);
  assertEquals(dnssl.options, [{ type: "dnssl", lifetime: 900, domains: ["lab.example", "corp.example"] }]);
  const vh = [...names].find(([, name]) => name === "vh")?.[0];
  assert(rdnss.source?.startsWith("fe80::") && rdnss.icmpType === 134 && rdnss.ifindex === vh);
});

Deno.test("real bytes round-trip through build and parse", async () => {
  for await (const entry of Deno.readDir(fixtures)) {
    if (!entry.name.endsWith(".bin")) continue;
    const input = await read(entry.name);
    for (const m of parseNetlinkMessages(input)) assertEquals(m.skipped, [], entry.name);
    roundTrip(input);
  }
});

// ---------------------------------------------------------------------------
// Builders

Deno.test("build: the hand-built fixtures written in the kernel's order come back byte for byte", () => {
  for (const input of [NEWADDR4, NDUSEROPT, DONE, ERROR_EPERM]) {
    assertEquals(hex(buildNetlinkMessages(parseNetlinkMessages(input))), hex(input));
  }
  for (const input of [NEWLINK, NEWADDR6, NEWROUTE6]) roundTrip(input);
});

Deno.test("build: defaults, padding and errors", () => {
  const link: Extract<NetlinkMessageInit, { type: "link" }> = {
    type: "link",
    action: "new",
    family: 0,
    ifindex: 3,
    arphrdType: 65534,
    flags: 0x10041,
    change: 0,
    name: "wg0",
  };
  // deno-fmt-ignore
  assertEquals(
    hex(buildNetlinkMessages([link])),
    hex(bytes(
      u32(40), u16(16), u16(0), u32(0), u32(0), // nlmsghdr: header defaults to zeros
      0, 0, u16(65534), u32(3), u32(0x10041), u32(0), // ifinfomsg
      u16(8), u16(3), ascii("wg0"), 0, // IFLA_IFNAME "wg0\0"
    )),
  );
  assertThrows(
    () => buildNetlinkMessages([{ ...link, ifindex: -1 }]),
    RangeError,
    "ifindex -1 is not an integer 0 to 4294967295",
  );
  assertThrows(() => buildNetlinkMessages([{ ...link, name: "a\0b" }]), RangeError, "name holds a NUL");
  assertThrows(
    () => buildNetlinkMessages([{ ...link, linkLayerAddress: "02:zz" }]),
    RangeError,
    "not up to 32 hex bytes",
  );
  assertThrows(
    () =>
      buildNetlinkMessages([{
        type: "route",
        action: "new",
        family: 4,
        prefixLength: 0,
        sourceLength: 0,
        tos: 0,
        table: 254,
        protocol: 4,
        scope: 0,
        routeType: 1,
        flags: 0,
        gateway: "fe80::1",
      }]),
    TypeError,
    'gateway "fe80::1" is not an IPv4 address',
  );
  assertThrows(
    () =>
      buildNetlinkMessages([{
        type: "address",
        action: "new",
        family: 5 as 4,
        prefixLength: 0,
        flags: 0,
        scope: 0,
        ifindex: 1,
      }]),
    TypeError,
    "family 5 is not 4 or 6",
  );
});

Deno.test("dump requests: RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE with REQUEST|DUMP", () => {
  assertEquals(
    hex(buildDumpRequest("link", { seq: 7 })),
    hex(bytes(
      u32(32), // nlmsg_len: 16 + struct ifinfomsg
      u16(18), // RTM_GETLINK
      u16(0x301), // NLM_F_REQUEST | NLM_F_DUMP (NLM_F_ROOT | NLM_F_MATCH)
      u32(7), // seq
      u32(0), // pid: the kernel fills in the socket's
      new Array(16).fill(0), // ifinfomsg, AF_UNSPEC
    )),
  );
  assertEquals(
    hex(buildDumpRequest("address", { family: 6, pid: 9 })),
    hex(bytes(u32(24), u16(22), u16(0x301), u32(0), u32(9), 10, 0, 0, 0, u32(0))),
  );
  assertEquals(
    hex(buildDumpRequest("route", { family: 4 })),
    hex(bytes(u32(28), u16(26), u16(0x301), u32(0), u32(0), 2, new Array(11).fill(0))),
  );
  assertThrows(
    () => buildDumpRequest("neighbour" as "link"),
    TypeError,
    'kind "neighbour" is not link, address or route',
  );
  assertThrows(() => buildDumpRequest("link", { family: 5 as 4 }), TypeError, "family 5 is not 4 or 6");
  assertThrows(() => buildDumpRequest("link", { seq: 2 ** 32 }), RangeError, "seq 4294967296");
  roundTrip(buildDumpRequest("route", { family: 6, seq: 3 }));
});

// ---------------------------------------------------------------------------
// Fuzz: seeded, bounded

Deno.test("fuzz: 20,000 mutated and random inputs: a result or a SyntaxError, and results round-trip", async () => {
  const next = seededRandom(0x4e4c_4e4b);
  const int = (n: number) => Math.floor(next() * n);
  const seeds: Uint8Array[] = [NEWLINK, NEWADDR6, NEWADDR4, NEWROUTE6, NDUSEROPT, DONE, ERROR_EPERM];
  for await (const entry of Deno.readDir(fixtures)) {
    if (!entry.name.endsWith(".bin")) continue;
    // Whole dumps are long: take windows of whole messages, so mutations
    // land everywhere without every input being kilobytes.
    const input = await read(entry.name);
    for (let at = 0; at < input.length;) {
      const size = input[at]! | (input[at + 1]! << 8);
      seeds.push(input.slice(at, at + ((size + 3) & ~3)));
      at += (size + 3) & ~3;
    }
  }
  let accepted = 0;
  let rejected = 0;
  for (let n = 0; n < 20_000; n++) {
    let input: Uint8Array;
    if (n % 10 === 9) {
      // Random bytes after a plausible header, so that bodies get walked.
      input = Uint8Array.from({ length: 16 + int(100) }, () => int(256));
      if (int(2) === 0) {
        input.set(u32(input.length), 0);
        input.set(u16([16, 20, 24, 68, 2, 3][int(6)]!), 4);
      }
    } else {
      input = seeds[int(seeds.length)]!.slice();
      if (int(4) === 0) input = bytes(input, seeds[int(seeds.length)]!);
      for (let m = 1 + int(4); m > 0; m--) {
        const at = int(input.length);
        switch (int(6)) {
          case 0:
            input[at] = input[at]! ^ (1 << int(8));
            break;
          case 1:
            input[at] = int(256);
            break;
          case 2:
            // Lengths are what parsers get wrong: poke small values.
            input[at] = int(8);
            break;
          case 3:
            input = input.slice(0, at);
            break;
          case 4:
            input = bytes(input, Array.from({ length: 1 + int(16) }, () => int(256)));
            break;
          default:
            input = bytes(input.subarray(0, at), input.subarray(at + 1 + int(8)));
        }
      }
    }
    let parsed: NetlinkMessage[];
    try {
      parsed = parseNetlinkMessages(input);
    } catch (error) {
      assert(error instanceof SyntaxError, `input ${hex(input)} threw ${error}`);
      rejected++;
      continue;
    }
    accepted++;
    const again = parseNetlinkMessages(buildNetlinkMessages(parsed));
    assertEquals(normalized(again), normalized(parsed), `round trip of ${hex(input)}`);
  }
  assert(accepted > 2_000 && rejected > 2_000, `accepted ${accepted}, rejected ${rejected}`);
});
