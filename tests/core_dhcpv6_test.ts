// DHCPv6 (RFC 8415) parsing and building: per-field byte fixtures, round
// trips, every rejection and skip rule (with the bugs that shipped in other
// parsers), real captures compared with tshark and tcpdump, and a seeded
// fuzz test.

import { assert, assertEquals, assertThrows } from "./_assert.ts";
import {
  buildDhcpv6,
  buildDhcpv6Options,
  type Dhcpv6ClientServerMessage,
  type Dhcpv6Message,
  type Dhcpv6Option,
  parseDhcpv6,
  parseDhcpv6Options,
} from "../core-as/dhcpv6.ts";
import { CoreErrorCode } from "../core-as/_abi.ts";
import { DHCPV6_CAPTURES } from "./fixtures/dhcpv6/generate_tshark.ts";
import { seededRandom } from "./_random.ts";
import { readCapture } from "../core-as/capture.ts";
import { ascii, bytes, CLIENT_DUID_LLT, INFORMATION_REPLY, SOLICIT, toHex } from "./_dhcpv6_fixtures.ts";

// ---------------------------------------------------------------------------
// Helpers

/** The message minus every `skipped` list, for build → parse comparisons. */
function withoutSkipped(value: unknown): unknown {
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map(withoutSkipped);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).filter(([k]) => k !== "skipped").map(([k, v]) => [k, withoutSkipped(v)]),
    );
  }
  return value;
}

function skippedCount(message: Dhcpv6Message): number {
  const nested = message.options.reduce(
    (n, o) => n + (o.name === "relay-message" ? skippedCount(o.message) : 0),
    0,
  );
  return message.skipped.length + nested;
}

/** Parses, checks the bytes re-encode exactly and the object survives build → parse. */
function parseRoundTrip(data: Uint8Array): Dhcpv6Message {
  const message = parseDhcpv6(data);
  assertEquals(toHex(buildDhcpv6(message)), toHex(data), "build(parse(bytes))");
  assertEquals(parseDhcpv6(buildDhcpv6(message)), message, "parse(build(message))");
  return message;
}

function cause(error: Error): { code: number; offset: number } {
  return error.cause as { code: number; offset: number };
}

// ---------------------------------------------------------------------------
// Per-field fixtures

const CLIENT_ID: Dhcpv6Option = {
  name: "client-id",
  type: 1,
  duid: {
    name: "duid-llt",
    type: 1,
    hardwareType: 1,
    time: 0x2a3b4c5d,
    linkLayerAddress: bytes("020000000001"),
  },
};

const SOLICIT_PARSED: Dhcpv6Message = {
  messageType: "solicit",
  type: 1,
  transactionId: 0xa1b2c3,
  options: [
    CLIENT_ID,
    { name: "option-request", type: 6, codes: [23, 24, 103, 144] },
    { name: "elapsed-time", type: 8, hundredths: 0 },
    { name: "rapid-commit", type: 14 },
    { name: "ia-na", type: 3, iaid: 1, t1: 0, t2: 0, options: [] },
    { name: "ia-pd", type: 25, iaid: 2, t1: 0, t2: 0, options: [] },
  ],
  skipped: [],
};

const SERVER_DUID_LL = [
  "0002 000a", // Server Identifier, option-len 10
  "0003", // DUID-LL
  "0001", // hardware type 1 (Ethernet)
  "020000000002", // link-layer address
];
const SERVER_ID: Dhcpv6Option = {
  name: "server-id",
  type: 2,
  duid: { name: "duid-ll", type: 3, hardwareType: 1, linkLayerAddress: bytes("020000000002") },
};

const ADVERTISE = bytes(
  "02", // msg-type: Advertise
  "0a0b0c", // transaction-id
  ...CLIENT_DUID_LLT,
  ...SERVER_DUID_LL,
  "0007 0001", // Preference, option-len 1
  "ff", // 255: the client may pick this server at once
  "0003 0035", // IA_NA, option-len 53
  "00000001", // IAID
  "00000e10", // T1 3600 s
  "00001518", // T2 5400 s
  "0005 0018", //   IA Address, option-len 24
  "20010db8000000000000000000000100", //   address 2001:db8::100
  "00001c20", //   preferred lifetime 7200 s
  "ffffffff", //   valid lifetime: infinity
  "000d 0009", //   Status Code, option-len 9
  "0000", //   Success
  ascii("success"), //   status message
  "0019 0031", // IA_PD, option-len 49
  "00000002", // IAID
  "00000708", // T1 1800 s
  "00000b40", // T2 2880 s
  "001a 0021", //   IA Prefix, option-len 33
  "00000e10", //   preferred lifetime 3600 s
  "00001c20", //   valid lifetime 7200 s
  "38", //   prefix-length 56
  "20010db8120000000000000000000000", //   prefix 2001:db8:1200::
  "000d 0004", //     Status Code, option-len 4
  "0000", //     Success
  ascii("ok"), //     status message
  "000d 0007", // Status Code, option-len 7
  "0000", // Success
  "70 72 c3aa 74", // "prêt": UTF-8, ê is 2 bytes
);
const ADVERTISE_PARSED: Dhcpv6Message = {
  messageType: "advertise",
  type: 2,
  transactionId: 0x0a0b0c,
  options: [
    CLIENT_ID,
    SERVER_ID,
    { name: "preference", type: 7, value: 255 },
    {
      name: "ia-na",
      type: 3,
      iaid: 1,
      t1: 3600,
      t2: 5400,
      options: [
        {
          name: "ia-address",
          type: 5,
          address: "2001:db8::100",
          preferredLifetime: 7200,
          validLifetime: Infinity,
          options: [],
        },
        { name: "status-code", type: 13, statusCode: 0, message: "success" },
      ],
    },
    {
      name: "ia-pd",
      type: 25,
      iaid: 2,
      t1: 1800,
      t2: 2880,
      options: [{
        name: "ia-prefix",
        type: 26,
        prefix: "2001:db8:1200::",
        prefixLength: 56,
        preferredLifetime: 3600,
        validLifetime: 7200,
        options: [{ name: "status-code", type: 13, statusCode: 0, message: "ok" }],
      }],
    },
    { name: "status-code", type: 13, statusCode: 0, message: "prêt" },
  ],
  skipped: [],
};

const INFORMATION_REPLY_PARSED: Dhcpv6Message = {
  messageType: "reply",
  type: 7,
  transactionId: 0x5e6f70,
  options: [
    { name: "client-id", type: 1, duid: { name: "duid-uuid", type: 4, uuid: "c8a3f7b2-1d4e-4f6a-9b0c-2d3e4f5a6b7c" } },
    {
      name: "server-id",
      type: 2,
      duid: { name: "duid-en", type: 2, enterpriseNumber: 32473, identifier: bytes("0102030405060708") },
    },
    { name: "dns-servers", type: 23, servers: ["2001:db8::53", "2001:db8::35"] },
    { name: "domain-list", type: 24, domains: ["example.net", "corp.example.net"] },
    {
      name: "ntp-server",
      type: 56,
      suboptions: [
        { name: "server-address", type: 1, address: "2001:db8::123" },
        { name: "multicast-address", type: 2, address: "ff05::101" },
        { name: "server-fqdn", type: 3, fqdn: "ntp.example.net" },
      ],
    },
    { name: "sol-max-rt", type: 82, seconds: 3600 },
    { name: "inf-max-rt", type: 83, seconds: 86400 },
    { name: "captive-portal", type: 103, uri: "https://portal.example.net/api" },
    {
      name: "dnr",
      type: 144,
      servicePriority: 1,
      adn: "resolver.example.net",
      addresses: ["2001:db8::1", "2001:db8::2"],
      serviceParameters: bytes("0001 0004 03646f74 0003 0002 0355"),
    },
    { name: "dnr", type: 144, servicePriority: 2, adn: "resolver.example.net" },
    { name: "information-refresh-time", type: 32, seconds: 7200 },
  ],
  skipped: [],
};

const RELAYED_SOLICIT = [
  "01", // msg-type: Solicit
  "a1b2c3", // transaction-id
  "0008 0002 0000", // Elapsed Time 0
];
const RELAY_FORWARD = bytes(
  "0c", // msg-type: Relay-forward (second relay agent)
  "01", // hop-count 1
  "20010db8000100000000000000000001", // link-address 2001:db8:1::1
  "fe800000000000000000000000000001", // peer-address fe80::1 (the first relay agent)
  "0012 0004", // Interface-Id, option-len 4
  ascii("eth1"), // opaque interface identifier
  "0009 0039", // Relay Message, option-len 57
  "0c", //   msg-type: Relay-forward (first relay agent)
  "00", //   hop-count 0
  "20010db8000200000000000000000001", //   link-address 2001:db8:2::1
  "fe800000000000000000000000000002", //   peer-address fe80::2 (the client)
  "0012 0005", //   Interface-Id, option-len 5
  ascii("vlan7"), //   opaque interface identifier
  "0009 000a", //   Relay Message, option-len 10
  ...RELAYED_SOLICIT, //     the client's Solicit
);
const SOLICIT_INSIDE: Dhcpv6Message = {
  messageType: "solicit",
  type: 1,
  transactionId: 0xa1b2c3,
  options: [{ name: "elapsed-time", type: 8, hundredths: 0 }],
  skipped: [],
};
const INNER_RELAY: Dhcpv6Message = {
  messageType: "relay-forward",
  type: 12,
  hopCount: 0,
  linkAddress: "2001:db8:2::1",
  peerAddress: "fe80::2",
  options: [
    { name: "interface-id", type: 18, data: bytes(ascii("vlan7")) },
    { name: "relay-message", type: 9, message: SOLICIT_INSIDE },
  ],
  message: SOLICIT_INSIDE,
  skipped: [],
};
const RELAY_FORWARD_PARSED: Dhcpv6Message = {
  messageType: "relay-forward",
  type: 12,
  hopCount: 1,
  linkAddress: "2001:db8:1::1",
  peerAddress: "fe80::1",
  options: [
    { name: "interface-id", type: 18, data: bytes(ascii("eth1")) },
    { name: "relay-message", type: 9, message: INNER_RELAY },
  ],
  message: INNER_RELAY,
  skipped: [],
};

const RECONFIGURE = bytes(
  "0a", // msg-type: Reconfigure
  "000000", // transaction-id: 0 (section 18.3.11)
  ...SERVER_DUID_LL,
  ...CLIENT_DUID_LLT,
  "0013 0001", // Reconfigure Message, option-len 1
  "05", // the client is to send a Renew
  "000b 001c", // Authentication, option-len 28
  "03", // protocol 3: reconfigure key (section 20.4)
  "01", // algorithm 1: HMAC-MD5
  "00", // RDM 0: monotonically increasing counter
  "0000000000000007", // replay detection
  "02", // authentication information type 2: HMAC-MD5 digest
  "00112233445566778899aabbccddeeff", // the digest
);
const RECONFIGURE_PARSED: Dhcpv6Message = {
  messageType: "reconfigure",
  type: 10,
  transactionId: 0,
  options: [
    SERVER_ID,
    CLIENT_ID,
    { name: "reconfigure-message", type: 19, reconfigureType: 5 },
    {
      name: "authentication",
      type: 11,
      protocol: 3,
      algorithm: 1,
      rdm: 0,
      replayDetection: bytes("0000000000000007"),
      information: bytes("02 00112233445566778899aabbccddeeff"),
    },
  ],
  skipped: [],
};

const FIXTURES: readonly (readonly [string, Uint8Array, Dhcpv6Message])[] = [
  ["Solicit", SOLICIT, SOLICIT_PARSED],
  ["Advertise with IA_NA, IA_PD and Status Code", ADVERTISE, ADVERTISE_PARSED],
  ["Reply to Information-request", INFORMATION_REPLY, INFORMATION_REPLY_PARSED],
  ["Relay-forward nesting two deep", RELAY_FORWARD, RELAY_FORWARD_PARSED],
  ["Reconfigure", RECONFIGURE, RECONFIGURE_PARSED],
];

for (const [name, data, expected] of FIXTURES) {
  Deno.test(`dhcpv6: parses a ${name} field by field`, () => {
    assertEquals(parseDhcpv6(data), expected);
  });
  Deno.test(`dhcpv6: ${name} round-trips through build and parse`, () => {
    assertEquals(toHex(buildDhcpv6(expected)), toHex(data));
    assertEquals(parseRoundTrip(data), expected);
  });
}

Deno.test("dhcpv6: a relayed message is both an option and `message`", () => {
  const relay = parseDhcpv6(RELAY_FORWARD);
  assert(relay.messageType === "relay-forward");
  const option = relay.options.find((o) => o.name === "relay-message");
  assert(option?.name === "relay-message" && option.message === relay.message);
  assert(relay.message.messageType === "relay-forward");
  assertEquals(relay.message.message.messageType, "solicit");
});

Deno.test("dhcpv6: every message type parses; unknown types keep their number", () => {
  const names = [
    "solicit",
    "advertise",
    "request",
    "confirm",
    "renew",
    "rebind",
    "reply",
    "release",
    "decline",
    "reconfigure",
    "information-request",
  ];
  for (let type = 1; type <= 11; type++) {
    const message = parseRoundTrip(bytes(type.toString(16).padStart(2, "0"), "000001"));
    assertEquals(message.messageType, names[type - 1]);
    assertEquals(message.type, type);
  }
  for (const type of [0, 14, 20, 36, 255]) {
    const message = parseRoundTrip(bytes(type.toString(16).padStart(2, "0"), "123456", "0008 0002 0001"));
    assertEquals(message, {
      messageType: "unknown",
      type,
      transactionId: 0x123456,
      options: [{ name: "elapsed-time", type: 8, hundredths: 1 }],
      skipped: [],
    });
  }
});

Deno.test("dhcpv6: Relay-reply parses like Relay-forward", () => {
  const reply = parseRoundTrip(bytes(
    "0d", // Relay-reply
    "00", // hop-count
    "20010db8000000000000000000000001", // link-address
    "fe800000000000000000000000000009", // peer-address
    "0009 0004", // Relay Message, option-len 4
    "07 010203", // Reply, no options
  ));
  assert(reply.messageType === "relay-reply");
  assertEquals(reply.type, 13);
  assertEquals(reply.message, { messageType: "reply", type: 7, transactionId: 0x010203, options: [], skipped: [] });
});

Deno.test("dhcpv6: unknown options are kept raw with their code, never dropped", () => {
  const message = parseRoundTrip(bytes(
    "0b 000001", // Information-request
    "beef 0003 010203", // option 0xbeef, 3 bytes
    "0000 0000", // option 0, empty
    "0027 0005 01 03 777777", // Client FQDN (RFC 4704): not decoded, kept raw
    "0008 0002 0000", // Elapsed Time after them
  ));
  assertEquals(message.options, [
    { name: "unknown", type: 0xbeef, data: bytes("010203") },
    { name: "unknown", type: 0, data: new Uint8Array() },
    { name: "unknown", type: 39, data: bytes("01 03 777777") },
    { name: "elapsed-time", type: 8, hundredths: 0 },
  ]);
});

Deno.test("dhcpv6: domain names come out lowercase, so such bytes re-encode folded", () => {
  const data = bytes("0018 000a", "04 436f5270 03 4e4554 00"); // CoRp.NET
  const { options } = parseDhcpv6Options(data);
  assertEquals(options, [{ name: "domain-list", type: 24, domains: ["corp.net"] }]);
  assertEquals(toHex(buildDhcpv6Options(options)), "0018000a" + "04636f727003" + "6e657400");
});

Deno.test("dhcpv6: the rest of the decoded options", () => {
  const { options, skipped } = parseDhcpv6Options(bytes(
    "000c 0010", // Server Unicast
    "20010db8000000000000000000000547",
    "000f 000b", // User Class, option-len 11
    "0003 616263", // "abc"
    "0000", // an empty class
    "0002 7a7a", // "zz"
    "0010 000e", // Vendor Class, option-len 14
    "00000137", // enterprise-number 311
    "0008 4d53465420352e30", // "MSFT 5.0"
    "0011 000a", // Vendor-specific Information, option-len 10
    "0000118b", // enterprise-number 4491
    "0026 0002 0102", // vendor-defined encapsulated option, kept raw
    "0014 0000", // Reconfigure Accept
    "0015 0011", // SIP Servers Domain Name List (RFC 3319)
    "03 736970 07 6578616d706c65 03 636f6d 00", // sip.example.com
    "0016 0010", // SIP Servers IPv6 Address List
    "20010db8000000000000000000005060",
    "001f 0010", // SNTP Servers (RFC 4075)
    "20010db8000000000000000000000123",
    "0040 000e", // AFTR-Name (RFC 6334)
    "04 61667472 07 6578616d706c65 00", // aftr.example
    "0020 0004 ffffffff", // Information Refresh Time: infinity
  ));
  assertEquals(skipped, []);
  assertEquals(options, [
    { name: "server-unicast", type: 12, address: "2001:db8::547" },
    { name: "user-class", type: 15, classes: [bytes(ascii("abc")), new Uint8Array(), bytes("7a7a")] },
    { name: "vendor-class", type: 16, enterpriseNumber: 311, classes: [bytes(ascii("MSFT 5.0"))] },
    { name: "vendor-options", type: 17, enterpriseNumber: 4491, data: bytes("0026 0002 0102") },
    { name: "reconfigure-accept", type: 20 },
    { name: "sip-server-domains", type: 21, domains: ["sip.example.com"] },
    { name: "sip-server-addresses", type: 22, servers: ["2001:db8::5060"] },
    { name: "sntp-servers", type: 31, servers: ["2001:db8::123"] },
    { name: "aftr-name", type: 64, fqdn: "aftr.example" },
    { name: "information-refresh-time", type: 32, seconds: Infinity },
  ]);
  assertEquals(parseDhcpv6Options(buildDhcpv6Options(options)).options, options);
});

Deno.test("dhcpv6: a message with thousands of options grows the result region", () => {
  // 16,000 options make 16,001 records of 24 bytes: far past the default
  // 4 KiB result region, so the core asks for more and the call is retried.
  const data = bytes("07 000001", "000e0000".repeat(16_000));
  const message = parseDhcpv6(data);
  assertEquals(message.options.length, 16_000);
  assertEquals(toHex(buildDhcpv6(message)), toHex(data));
  // The largest UDP payload parses too.
  const largest = bytes("07 000001", "0012 fff7", "ab".repeat(0xfff7));
  assertEquals(largest.length, 65_535);
  assertEquals(parseDhcpv6(largest).options[0]?.name, "interface-id");
});

Deno.test("dhcpv6: empty lists are well-formed", () => {
  const { options, skipped } = parseDhcpv6Options(bytes(
    "0006 0000", // Option Request with no codes
    "0017 0000", // DNS servers, none
    "0018 0000", // Domain List, none
    "0038 0000", // NTP Server, no suboptions
    "000d 0002 0001", // Status Code UnspecFail, empty message
  ));
  assertEquals(skipped, []);
  assertEquals(options, [
    { name: "option-request", type: 6, codes: [] },
    { name: "dns-servers", type: 23, servers: [] },
    { name: "domain-list", type: 24, domains: [] },
    { name: "ntp-server", type: 56, suboptions: [] },
    { name: "status-code", type: 13, statusCode: 1, message: "" },
  ]);
});

Deno.test("dhcpv6: DUID types, and unknown DUID types kept raw", () => {
  const duid = (hex: string) => {
    const body = bytes(hex);
    const option = parseDhcpv6Options(bytes("0001", body.length.toString(16).padStart(4, "0"), hex)).options[0];
    assert(option?.name === "client-id", `${hex} was not decoded`);
    return option.duid;
  };
  assertEquals(duid("0001 0006 00000000"), {
    name: "duid-llt",
    type: 1,
    hardwareType: 6,
    time: 0,
    linkLayerAddress: new Uint8Array(),
  });
  assertEquals(duid("0002 00000009 01"), { name: "duid-en", type: 2, enterpriseNumber: 9, identifier: bytes("01") });
  assertEquals(duid("0003 0020 0102030405060708"), {
    name: "duid-ll",
    type: 3,
    hardwareType: 32,
    linkLayerAddress: bytes("0102030405060708"),
  });
  assertEquals(duid("0005 010203"), { name: "unknown", type: 5, data: bytes("010203") });
  assertEquals(duid("ffff ab"), { name: "unknown", type: 0xffff, data: bytes("ab") });
  // 128 bytes after the type code: the longest DUID.
  assertEquals(duid(`0002 00000009 ${"aa".repeat(124)}`), {
    name: "duid-en",
    type: 2,
    enterpriseNumber: 9,
    identifier: bytes("aa".repeat(124)),
  });
});

// ---------------------------------------------------------------------------
// Rejections: the whole input

function rejects(data: Uint8Array, includes: string, offset: number): void {
  const error = assertThrows(() => parseDhcpv6(data), SyntaxError, includes);
  assertEquals(error.message, `Cannot parse DHCPv6 message: ${includes}`);
  assertEquals(cause(error).offset, offset, "error offset");
}

Deno.test("dhcpv6 rejects: a message shorter than its header", () => {
  rejects(new Uint8Array(), "message at offset 0 is shorter than its 4-byte header", 0);
  rejects(bytes("01 0203"), "message at offset 0 is shorter than its 4-byte header", 0);
  rejects(bytes("0c 00", "00".repeat(31)), "relay message at offset 0 is shorter than its 34-byte header", 0);
});

Deno.test("dhcpv6 rejects: an option header or body overrunning the message", () => {
  rejects(bytes("01 000001", "0008 00"), "option at offset 4 overruns the message", 4);
  rejects(bytes("01 000001", "0008 0002 0000", "0017"), "option at offset 10 overruns the message", 10);
  // The option-len of the last option claims one byte more than is left.
  rejects(bytes("01 000001", "0008 0003 0000"), "option at offset 4 overruns the message", 4);
  // Large option-len: 0xffff must not wrap any bound.
  rejects(bytes("01 000001", "0017 ffff", "00".repeat(16)), "option at offset 4 overruns the message", 4);
  const error = assertThrows(() => parseDhcpv6(bytes("01 000001 0008 00")), SyntaxError);
  assertEquals(cause(error).code, CoreErrorCode.Truncated);
});

Deno.test("dhcpv6 rejects: the option at offset 30 overrunning the message", () => {
  // Solicit with a 26-byte Client Identifier, then an option whose
  // option-len runs past the end: the brief's sample message.
  rejects(
    bytes("01 000001", "0001 0016 0002 00000009", "11".repeat(16), "0017 0010 20010db8"),
    "option at offset 30 overruns the message",
    30,
  );
});

Deno.test("dhcpv6 rejects: IA_NA / IA Address / IA Prefix over-reads (RIOT, edk2, OpenBSD)", () => {
  // IA Address claims 24 + 8 bytes inside an IA_NA holding only 24 + 4.
  rejects(
    bytes(
      "02 000001",
      "0003 002c", // IA_NA, option-len 44
      "00000001 00000000 00000000",
      "0005 0020", // IA Address, option-len 32: 4 bytes past the IA_NA
      "20010db8000000000000000000000100 00000001 00000002",
      "000d 0002 0000", // (Status Code) — the IA Address would swallow it
    ),
    "option at offset 20 overruns its enclosing option",
    20,
  );
  // IA Prefix shorter than the IA_PD says, with the header cut.
  rejects(
    bytes("07 000001", "0019 000e", "00000002 00000000 00000000", "001a"),
    "option at offset 20 overruns its enclosing option",
    20,
  );
  // A status code nested in an IA Prefix overrunning the IA Prefix.
  rejects(
    bytes(
      "07 000001",
      "0019 0030", // IA_PD, option-len 48
      "00000002 00000000 00000000",
      "001a 001d", // IA Prefix, option-len 29
      "00000001 00000002 40 20010db8000000000000000000000000",
      "000d 0005 0000", // Status Code claims 5 bytes, 2 are left in the IA Prefix
      "ff", // (outside the IA Prefix, inside the IA_PD)
    ),
    "option at offset 49 overruns its enclosing option",
    49,
  );
});

Deno.test("dhcpv6 rejects: CVE-2018-15688 class, an IA whose length hides its addresses", () => {
  // systemd's client sized its copy of an Advertise's IA from the IA's own
  // fields; here the IA_NA's option-len is shorter than the IA Address it
  // holds, which must not be read past the IA_NA.
  rejects(
    bytes(
      "02 000001",
      "0003 0010", // IA_NA, option-len 16: 12 fixed bytes and a 4-byte header
      "00000001 00000000 00000000",
      "0005 0018", // IA Address, option-len 24, all of it past the IA_NA
      "20010db8000000000000000000000100 00000001 00000002",
    ),
    "option at offset 20 overruns its enclosing option",
    20,
  );
});

Deno.test("dhcpv6 builds: IA lengths are computed, and a body over 65535 bytes is refused (CVE-2018-15688)", () => {
  const address = (n: number): Dhcpv6Option => ({
    name: "ia-address",
    type: 5,
    address: `2001:db8::${(n + 1).toString(16)}`,
    preferredLifetime: 1,
    validLifetime: 2,
    options: [],
  });
  const ia = (count: number): Dhcpv6Option => ({
    name: "ia-na",
    type: 3,
    iaid: 7,
    t1: 0,
    t2: 0,
    options: Array.from({ length: count }, (_, n) => address(n)),
  });
  const built = buildDhcpv6Options([ia(3)]);
  assertEquals(built.length, 4 + 12 + 3 * 28);
  assertEquals((built[2]! << 8) | built[3]!, 12 + 3 * 28);
  assertEquals(parseDhcpv6Options(built).options, [ia(3)]);
  // 12 + 2340 * 28 = 65532 fits; one address more does not.
  assertEquals(buildDhcpv6Options([ia(2340)]).length, 4 + 65532);
  assertThrows(() => buildDhcpv6Options([ia(2341)]), RangeError, "body of 65560 bytes exceeds 65535");
});

/** A Solicit wrapped in `relays` Relay-forward messages. */
function nestedRelays(relays: number): Uint8Array {
  let message = bytes("01 000001", "0008 0002 0000");
  for (let i = 0; i < relays; i++) {
    const length = message.length.toString(16).padStart(4, "0");
    message = bytes(
      "0c",
      (i & 0xff).toString(16).padStart(2, "0"), // hop-count: 0 for the first relay agent
      "20010db8000000000000000000000001",
      "fe800000000000000000000000000001",
      "0009",
      length,
      toHex(message),
    );
  }
  return message;
}

Deno.test("dhcpv6 rejects: relay messages nested deeper than HOP_COUNT_LIMIT (odhcpd#401)", () => {
  // Eight relay agents: hop-counts 7 down to 0, the Solicit innermost.
  let message = parseRoundTrip(nestedRelays(8));
  for (let depth = 0; depth < 8; depth++) {
    assert(message.messageType === "relay-forward", `depth ${depth}`);
    assertEquals(message.hopCount, 7 - depth);
    message = message.message;
  }
  assertEquals(message.messageType, "solicit");
  // A ninth relay: its Relay Message option, at 8 * 38 + 34, would nest a
  // message at depth 9.
  const error = assertThrows(() => parseDhcpv6(nestedRelays(9)), SyntaxError);
  assertEquals(
    error.message,
    "Cannot parse DHCPv6 message: relay message option at offset 338 nests deeper than HOP_COUNT_LIMIT (8)",
  );
  assertEquals(cause(error), { code: CoreErrorCode.UnexpectedCharacter, offset: 338 });
  // Far deeper nesting fails the same way, without exhausting anything.
  assertThrows(() => parseDhcpv6(nestedRelays(300)), SyntaxError, "nests deeper than HOP_COUNT_LIMIT");
  // The builder refuses to make what the parser refuses.
  const inner = parseDhcpv6(nestedRelays(8));
  assertThrows(
    () =>
      buildDhcpv6({
        messageType: "relay-forward",
        type: 12,
        hopCount: 8,
        linkAddress: "::",
        peerAddress: "::",
        options: [{ name: "relay-message", type: 9, message: inner }],
        message: inner,
        skipped: [],
      }),
    RangeError,
    "HOP_COUNT_LIMIT",
  );
});

Deno.test("dhcpv6 rejects: a relay message without a Relay Message option", () => {
  const header = ["0c 00", "20010db8000000000000000000000001", "fe800000000000000000000000000001"];
  rejects(bytes(...header), "relay message at offset 0 has no relay message option", 0);
  rejects(bytes(...header, "0012 0001 01"), "relay message at offset 0 has no relay message option", 0);
  // The nested one is named by its own offset.
  rejects(
    bytes(...header, "0009 0022", ...header),
    "relay message at offset 38 has no relay message option",
    38,
  );
});

Deno.test("dhcpv6 rejects: a relay whose relayed message is malformed", () => {
  const header = ["0c 00", "20010db8000000000000000000000001", "fe800000000000000000000000000001"];
  // Relay Message holding 2 bytes: no room for a message header.
  rejects(bytes(...header, "0009 0002 0100"), "message at offset 38 is shorter than its 4-byte header", 38);
  // Empty Relay Message.
  rejects(bytes(...header, "0009 0000"), "message at offset 38 is shorter than its 4-byte header", 38);
  // The relayed Solicit has an option overrunning it (but not the relay).
  rejects(
    bytes(...header, "0009 0006 01000001 0008", "0002 0000"),
    "option at offset 42 overruns the message",
    42,
  );
});

Deno.test("dhcpv6 rejects: encapsulated options nested deeper than 8 levels", () => {
  const nest = (levels: number) => {
    let option = bytes("000e 0000"); // Rapid Commit innermost
    for (let i = 0; i < levels; i++) {
      option = bytes("0004", (4 + option.length).toString(16).padStart(4, "0"), "00000001", toHex(option));
    }
    return bytes("01 000001", toHex(option));
  };
  parseRoundTrip(nest(8));
  rejects(nest(9), "option at offset 68 nests options deeper than 8 levels", 68);
});

Deno.test("dhcpv6 rejects: bare options use the same rules", () => {
  const error = assertThrows(() => parseDhcpv6Options(bytes("0017 0010 00")), SyntaxError);
  assertEquals(error.message, "Cannot parse DHCPv6 options: option at offset 0 overruns the options");
  assertThrows(() => parseDhcpv6Options(bytes("00")), SyntaxError, "option at offset 0 overruns the options");
  assertEquals(parseDhcpv6Options(new Uint8Array()), { options: [], skipped: [] });
});

Deno.test("dhcpv6 rejects: anything but a Uint8Array with a TypeError", () => {
  assertThrows(() => parseDhcpv6([1, 0, 0, 1] as unknown as Uint8Array), TypeError, "expected a Uint8Array");
  assertThrows(() => parseDhcpv6Options("0001" as unknown as Uint8Array), TypeError, "expected a Uint8Array");
});

// ---------------------------------------------------------------------------
// Skips: one malformed option, the rest kept

/** Parses `option` between two Elapsed Time options and returns the skip. */
function skips(option: string, reason: string): void {
  const before = "0008 0002 0001";
  const after = "0008 0002 0002";
  const message = parseDhcpv6(bytes("0b 000001", before, option, after));
  assertEquals(message.options, [
    { name: "elapsed-time", type: 8, hundredths: 1 },
    { name: "elapsed-time", type: 8, hundredths: 2 },
  ], `options around ${option}`);
  const length = bytes(option).length;
  const type = parseInt(option.replaceAll(" ", "").slice(0, 4), 16);
  assertEquals(message.skipped, [{ offset: 10, length, type, reason }]);
}

Deno.test("dhcpv6 skips: options with a wrong fixed length", () => {
  skips("0007 0002 0102", "option 7 (preference) at offset 10 has length 2 instead of 1");
  skips("0008 0001 00", "option 8 (elapsed-time) at offset 10 has length 1 instead of 2");
  skips("000c 000f" + "00".repeat(15), "option 12 (server-unicast) at offset 10 has length 15 instead of 16");
  skips("000e 0001 00", "option 14 (rapid-commit) at offset 10 has length 1 instead of 0");
  skips("0013 0000", "option 19 (reconfigure-message) at offset 10 has length 0 instead of 1");
  skips("0014 0002 0000", "option 20 (reconfigure-accept) at offset 10 has length 2 instead of 0");
  skips("0020 0003 000e10", "option 32 (information-refresh-time) at offset 10 has length 3 instead of 4");
  skips("0052 0005 0000000e10", "option 82 (sol-max-rt) at offset 10 has length 5 instead of 4");
  skips("0053 0002 0e10", "option 83 (inf-max-rt) at offset 10 has length 2 instead of 4");
});

Deno.test("dhcpv6 skips: options shorter than their fixed fields", () => {
  skips(
    "0003 000b" + "00".repeat(11),
    "option 3 (ia-na) at offset 10 has length 11, shorter than its 12-byte fixed fields",
  );
  skips("0004 0003 000000", "option 4 (ia-ta) at offset 10 has length 3, shorter than its 4-byte fixed fields");
  skips(
    "0005 0017" + "00".repeat(23),
    "option 5 (ia-address) at offset 10 has length 23, shorter than its 24-byte fixed fields",
  );
  skips(
    "000b 000a" + "00".repeat(10),
    "option 11 (authentication) at offset 10 has length 10, shorter than its 11-byte fixed fields",
  );
  skips("000d 0001 00", "option 13 (status-code) at offset 10 has length 1, shorter than its 2-byte fixed fields");
  skips("0010 0003 000001", "option 16 (vendor-class) at offset 10 has length 3, shorter than its 4-byte fixed fields");
  skips("0011 0000", "option 17 (vendor-options) at offset 10 has length 0, shorter than its 4-byte fixed fields");
  skips("0019 0004 00000001", "option 25 (ia-pd) at offset 10 has length 4, shorter than its 12-byte fixed fields");
  skips(
    "001a 0018" + "00".repeat(24),
    "option 26 (ia-prefix) at offset 10 has length 24, shorter than its 25-byte fixed fields",
  );
  skips("0090 0003 000100", "option 144 (dnr) at offset 10 has length 3, shorter than its 4-byte fixed fields");
});

Deno.test("dhcpv6 skips: list options whose length is not a multiple of the item", () => {
  skips("0006 0003 001700", "option 6 (option-request) at offset 10 has length 3, not a multiple of 2");
  skips("0017 0011" + "00".repeat(17), "option 23 (dns-servers) at offset 10 has length 17, not a multiple of 16");
  skips(
    "0016 000f" + "00".repeat(15),
    "option 22 (sip-server-addresses) at offset 10 has length 15, not a multiple of 16",
  );
  skips("001f 0008" + "00".repeat(8), "option 31 (sntp-servers) at offset 10 has length 8, not a multiple of 16");
});

Deno.test("dhcpv6 skips: DUIDs whose length does not fit their type (odhcpd#401 over-read)", () => {
  skips(
    "0001 0002 0001",
    "option 1 (client-id) at offset 10 holds a DUID of 2 bytes, shorter than a type code and one byte",
  );
  skips(
    "0002 0001 00",
    "option 2 (server-id) at offset 10 holds a DUID of 1 bytes, shorter than a type code and one byte",
  );
  skips("0001 0007 0001 0001 000000", "option 1 (client-id) at offset 10 holds a DUID-LLT of 7 bytes, shorter than 8");
  skips("0001 0005 0002 000000", "option 1 (client-id) at offset 10 holds a DUID-EN of 5 bytes, shorter than 6");
  skips("0001 0003 0003 00", "option 1 (client-id) at offset 10 holds a DUID-LL of 3 bytes, shorter than 4");
  skips(
    "0001 0011 0004" + "00".repeat(15),
    "option 1 (client-id) at offset 10 holds a DUID-UUID of 17 bytes instead of 18",
  );
  skips(
    "0001 0013 0004" + "00".repeat(17),
    "option 1 (client-id) at offset 10 holds a DUID-UUID of 19 bytes instead of 18",
  );
  skips(
    "0002 0083 0002 00000009" + "aa".repeat(125),
    "option 2 (server-id) at offset 10 holds a DUID of 131 bytes, longer than a type code and 128 bytes",
  );
});

Deno.test("dhcpv6 skips: malformed domain names (RFC 8415 section 10)", () => {
  const prefix = "option 24 (domain-list) at offset 10";
  skips("0018 0004 03 636f6d", `${prefix} has a domain name that runs past its end`);
  skips("0018 0005 05 636f6d 00", `${prefix} has a domain name that runs past its end`);
  skips("0018 0008 03 636f6d 00 03 6e65", `${prefix} has a domain name that runs past its end`);
  skips(
    "0018 0007 03 636f6d 00 c0 00",
    `${prefix} has a compressed domain name, which RFC 8415 section 10 forbids`,
  );
  skips("0018 0003 41 6100", `${prefix} has a domain name label length with reserved bits set`);
  skips("0018 0003 80 6100", `${prefix} has a domain name label length with reserved bits set`);
  skips("0018 0005 03 612e62 00", `${prefix} has a domain name label holding a dot or a byte outside visible ASCII`);
  skips("0018 0005 03 612062 00", `${prefix} has a domain name label holding a dot or a byte outside visible ASCII`);
  skips("0018 0005 03 610062 00", `${prefix} has a domain name label holding a dot or a byte outside visible ASCII`);
  skips("0018 0005 03 61c362 00", `${prefix} has a domain name label holding a dot or a byte outside visible ASCII`);
  // 4 labels of 63 bytes: 256 bytes with the terminating zero.
  const long = `3f${"61".repeat(63)}`.repeat(4);
  skips(`0018 0101 ${long} 00`, `${prefix} has a domain name longer than 255 bytes`);
  // 3 labels of 63 and one of 61: exactly 255 bytes, allowed.
  const longest = `${`3f${"61".repeat(63)}`.repeat(3)}3d${"61".repeat(61)}00`;
  const parsed = parseDhcpv6Options(bytes("0018 00ff", longest));
  assertEquals(parsed.skipped, []);
  assertEquals(parsed.options[0]?.name === "domain-list" && parsed.options[0].domains[0]?.length, 253);
  // Single-name options: nothing may follow the name.
  skips("0040 0006 01 61 00 01 62 00", "option 64 (aftr-name) at offset 10 has bytes after its domain name");
  skips(
    "0015 0004 01 61 c0 0c",
    "option 21 (sip-server-domains) at offset 10 has a compressed domain name, which RFC 8415 section 10 forbids",
  );
});

Deno.test("dhcpv6 skips: a Status Code message that is not UTF-8", () => {
  for (const bad of ["ff", "c0 80", "e0 80 80", "ed a0 80", "f4 90 80 80", "c3", "e2 82", "80"]) {
    skips(
      `000d ${(2 + bytes(bad).length).toString(16).padStart(4, "0")} 0001 ${bad}`,
      "option 13 (status-code) at offset 10 has a status message that is not UTF-8",
    );
  }
  // The longest valid sequences pass.
  const { options } = parseDhcpv6Options(bytes("000d 000c 0000 7f df bf ef bf bd f4 8f bf bf"));
  assertEquals(options[0]?.name === "status-code" && options[0].message, "\x7f\u07ff\ufffd\u{10ffff}");
});

Deno.test("dhcpv6 skips: other malformed bodies", () => {
  skips(
    "001a 0019 00000001 00000002 81 20010db8000000000000000000000000",
    "option 26 (ia-prefix) at offset 10 has prefix length 129, over 128",
  );
  skips("000f 0004 0003 6162", "option 15 (user-class) at offset 10 has class data that runs past its end");
  skips("000f 0001 00", "option 15 (user-class) at offset 10 has class data that runs past its end");
  // Section 21.15: "one or more" user classes; an empty Vendor Class is allowed.
  skips("000f 0000", "option 15 (user-class) at offset 10 has no user class");
  assertEquals(parseDhcpv6Options(bytes("0010 0004 0000118b")).options, [
    { name: "vendor-class", type: 16, enterpriseNumber: 4491, classes: [] },
  ]);
  skips("0010 0006 00000137 0001", "option 16 (vendor-class) at offset 10 has class data that runs past its end");
  skips(
    "0067 0000",
    "option 103 (captive-portal) at offset 10 has an empty URI or one with a byte outside visible ASCII",
  );
  skips(
    "0067 0006 687474703a20",
    "option 103 (captive-portal) at offset 10 has an empty URI or one with a byte outside visible ASCII",
  );
});

Deno.test("dhcpv6 skips: malformed DNR options (RFC 9463)", () => {
  const prefix = "option 144 (dnr) at offset 10";
  const adn = "03 646e73 07 6578616d706c65 00"; // dns.example (13 bytes)
  skips("0090 0006 0001 0005 0361", `${prefix} has an ADN length that overruns it, or an ADN that is the root`);
  skips("0090 0005 0001 0001 00", `${prefix} has an ADN length that overruns it, or an ADN that is the root`);
  skips("0090 0004 0001 0000", `${prefix} has an ADN length that overruns it, or an ADN that is the root`);
  skips(`0090 0012 0001 000e ${adn} 00`, `${prefix} has bytes after its domain name`);
  skips(
    `0090 0012 0001 000d ${adn} 00`,
    `${prefix} has an Addr Length that is missing, zero, not a multiple of 16 or overrunning it`,
  );
  skips(
    `0090 0013 0001 000d ${adn} 0000`,
    `${prefix} has an Addr Length that is missing, zero, not a multiple of 16 or overrunning it`,
  );
  skips(
    `0090 0024 0001 000d ${adn} 0011 ${"00".repeat(17)}`,
    `${prefix} has an Addr Length that is missing, zero, not a multiple of 16 or overrunning it`,
  );
  skips(
    `0090 0022 0001 000d ${adn} 0010 ${"00".repeat(15)}`,
    `${prefix} has an Addr Length that is missing, zero, not a multiple of 16 or overrunning it`,
  );
  skips(
    `0090 0026 0001 000d ${adn} 0010 ${"00".repeat(16)} 0001 00`,
    `${prefix} has SvcParams that are not a sequence of key, length and value`,
  );
  skips(
    `0090 0029 0001 000d ${adn} 0010 ${"00".repeat(16)} 0001 0003 6832`,
    `${prefix} has SvcParams that are not a sequence of key, length and value`,
  );
  skips(`0090 0010 0001 000c 03 646e73 07 6578616d706c 65`, `${prefix} has a domain name that runs past its end`);
  // Well-formed, with empty SvcParams.
  const { options } = parseDhcpv6Options(bytes(`0090 0023 ffff 000d ${adn} 0010 20010db8000000000000000000000001`));
  assertEquals(options, [{
    name: "dnr",
    type: 144,
    servicePriority: 0xffff,
    adn: "dns.example",
    addresses: ["2001:db8::1"],
    serviceParameters: new Uint8Array(),
  }]);
});

Deno.test("dhcpv6 skips: an NTP suboption, keeping the other suboptions (RFC 5908)", () => {
  const message = parseDhcpv6(bytes(
    "07 000001",
    "0038 0032", // NTP Server, option-len 50
    "0001 0004 20010db8", // server address of 4 bytes: skipped
    "0003 0005 01 61 00 01 62", // FQDN with bytes after the name: skipped
    "0002 0010 ff050000000000000000000000000101", // multicast address: kept
    "0009 0002 abcd", // unknown suboption: kept raw
    "0003 0003 01 61 00", // FQDN "a": kept
  ));
  assertEquals(message.options, [{
    name: "ntp-server",
    type: 56,
    suboptions: [
      { name: "multicast-address", type: 2, address: "ff05::101" },
      { name: "unknown", type: 9, data: bytes("abcd") },
      { name: "server-fqdn", type: 3, fqdn: "a" },
    ],
  }]);
  assertEquals(message.skipped, [
    { offset: 8, length: 8, type: 1, reason: "NTP suboption 1 at offset 8 has length 4 instead of 16" },
    { offset: 16, length: 9, type: 3, reason: "NTP suboption 3 at offset 16 has bytes after its domain name" },
  ]);
  // A suboption overrunning the NTP option is an overrun like any other.
  rejects(
    bytes("07 000001", "0038 0008", "0001 0010 20010db8", "0000"),
    "option at offset 8 overruns its enclosing option",
    8,
  );
});

Deno.test("dhcpv6 skips: inside an IA, the IA is kept without the malformed option", () => {
  const message = parseDhcpv6(bytes(
    "07 000001",
    "0003 0015", // IA_NA, option-len 21
    "00000001 00000002 00000003",
    "000d 0001 00", // Status Code of 1 byte: skipped
    "000e 0000", // Rapid Commit (misplaced, but well-formed)
  ));
  assertEquals(message.options, [{
    name: "ia-na",
    type: 3,
    iaid: 1,
    t1: 2,
    t2: 3,
    options: [{ name: "rapid-commit", type: 14 }],
  }]);
  assertEquals(message.skipped, [{
    offset: 20,
    length: 5,
    type: 13,
    reason: "option 13 (status-code) at offset 20 has length 1, shorter than its 2-byte fixed fields",
  }]);
});

Deno.test("dhcpv6 skips: a relayed message keeps its own skips", () => {
  const relay = parseDhcpv6(bytes(
    "0c 00 20010db8000000000000000000000001 fe800000000000000000000000000001",
    "0007 0000", // Preference of 0 bytes in the relay: skipped there
    "0009 0009 01000001 0007 0001", // Solicit with a 1-byte Preference...
    "05",
  ));
  assert(relay.messageType === "relay-forward");
  assertEquals(relay.skipped.map((s) => s.offset), [34]);
  assertEquals(relay.message.skipped, []);
  assertEquals(relay.message.options, [{ name: "preference", type: 7, value: 5 }]);
});

// ---------------------------------------------------------------------------
// Builders

Deno.test("dhcpv6 builds: refuses values it cannot encode", () => {
  const message = (options: Dhcpv6Option[], transactionId = 1): Dhcpv6ClientServerMessage => ({
    messageType: "solicit",
    type: 1,
    transactionId,
    options,
    skipped: [],
  });
  assertThrows(
    () => buildDhcpv6(message([], 0x1000000)),
    RangeError,
    "transaction ID must be an integer from 0 to 16777215",
  );
  assertThrows(() => buildDhcpv6(message([], 1.5)), RangeError, "transaction ID");
  assertThrows(
    () => buildDhcpv6({ ...message([]), messageType: "advertise" }),
    RangeError,
    `message type 1 is "solicit", not "advertise"`,
  );
  const bad = (option: unknown, type: abstract new (...args: never[]) => Error, includes: string) =>
    assertThrows(() => buildDhcpv6Options([option as Dhcpv6Option]), type, includes);
  bad({ name: "dns-servers", type: 23, servers: ["192.0.2.1"] }, RangeError, "must be an IPv6 address");
  bad({ name: "dns-servers", type: 23, servers: ["fe80::1%eth0"] }, RangeError, "without zone");
  bad({ name: "dns-servers", type: 24, servers: [] }, RangeError, "type must be 23, got 24");
  bad({ name: "no-such-option", type: 1 }, TypeError, `unknown option name "no-such-option"`);
  bad(
    { name: "domain-list", type: 24, domains: ["a".repeat(64) + ".com"] },
    RangeError,
    "has a label of 64 characters",
  );
  bad({ name: "domain-list", type: 24, domains: ["a..com"] }, RangeError, "has a label of 0 characters");
  bad({ name: "domain-list", type: 24, domains: ["a b.com"] }, RangeError, "character outside visible ASCII");
  bad(
    { name: "domain-list", type: 24, domains: [`${"a".repeat(63)}.`.repeat(4) + "a"] },
    RangeError,
    "longer than 255",
  );
  bad({ name: "preference", type: 7, value: 256 }, RangeError, "value must be an integer from 0 to 255");
  bad(
    {
      name: "ia-prefix",
      type: 26,
      prefix: "::",
      prefixLength: 129,
      preferredLifetime: 0,
      validLifetime: 0,
      options: [],
    },
    RangeError,
    "prefix length",
  );
  bad({ name: "interface-id", type: 18, data: [1, 2] }, TypeError, "data must be a Uint8Array");
  bad({ name: "captive-portal", type: 103, uri: "" }, RangeError, "URI must be a non-empty string");
  bad({ name: "user-class", type: 15, classes: [] }, RangeError, "at least one user class");
  bad(
    { name: "client-id", type: 1, duid: { name: "duid-uuid", type: 4, uuid: "not-a-uuid" } },
    RangeError,
    "is not 16 hex bytes",
  );
  bad(
    { name: "dnr", type: 144, servicePriority: 1, adn: "a.example", serviceParameters: new Uint8Array() },
    RangeError,
    "ADN-only",
  );
  bad(
    {
      name: "authentication",
      type: 11,
      protocol: 3,
      algorithm: 1,
      rdm: 0,
      replayDetection: new Uint8Array(4),
      information: new Uint8Array(),
    },
    RangeError,
    "replay detection must be 8 bytes",
  );
});

Deno.test("dhcpv6 builds: names with a trailing dot, and the root name", () => {
  const built = buildDhcpv6Options([{ name: "domain-list", type: 24, domains: ["example.com.", ""] }]);
  assertEquals(toHex(built), "0018000e" + "076578616d706c6503636f6d00" + "00");
  assertEquals(parseDhcpv6Options(built).options, [{ name: "domain-list", type: 24, domains: ["example.com", ""] }]);
});

Deno.test("dhcpv6 builds: a relay without a Relay Message option gets one for `message`", () => {
  const built = buildDhcpv6({
    messageType: "relay-reply",
    type: 13,
    hopCount: 0,
    linkAddress: "::",
    peerAddress: "fe80::1",
    options: [],
    message: SOLICIT_INSIDE,
    skipped: [],
  });
  assertEquals(toHex(built.subarray(34)), "0009000a" + RELAYED_SOLICIT.join("").replaceAll(" ", ""));
});

Deno.test("dhcpv6 builds: lifetimes take Infinity or 0xffffffff", () => {
  const ia = (t1: number): Dhcpv6Option => ({ name: "ia-pd", type: 25, iaid: 0, t1, t2: Infinity, options: [] });
  assertEquals(toHex(buildDhcpv6Options([ia(Infinity)])), "0019000c 00000000 ffffffff ffffffff".replaceAll(" ", ""));
  assertEquals(toHex(buildDhcpv6Options([ia(0xffffffff)])), "0019000c 00000000 ffffffff ffffffff".replaceAll(" ", ""));
  assertThrows(() => buildDhcpv6Options([ia(-1)]), RangeError, "T1");
});

// ---------------------------------------------------------------------------
// Real captures

/** One UDP datagram to or from port 546 or 547 found in a capture. */
interface Datagram {
  /** Frame number, from 1. */
  readonly frame: number;
  /** The UDP payload as captured. */
  readonly payload: Uint8Array;
  /** True if the capture or an IP fragment holds less than the UDP length says. */
  readonly truncated: boolean;
}

/** The DHCPv6 datagrams of a capture file, read by the shared reader; fragments and short frames are truncated. */
function dhcpv6Datagrams(file: Uint8Array): Datagram[] {
  return readCapture(file).packets
    .filter((p) => p.kind === "dhcpv6")
    .map((p) => ({ frame: p.frame, payload: p.payload!, truncated: p.fragment || p.problems.length > 0 }));
}

const CAPTURES = new URL("../../shared/captures", import.meta.url).pathname;
const tsharkFixture = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/dhcpv6/tshark_dhcpv6.json", import.meta.url)),
) as { captures: Record<string, { frame: number; dhcpv6: Tree }[]> };

type Tree = { readonly [key: string]: unknown };

/** A tshark value that may be one item or an array of them. */
function all(value: unknown): unknown[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function colonHex(data: Uint8Array): string {
  return Array.from(data, (b) => b.toString(16).padStart(2, "0")).join(":");
}

function tsharkLifetime(value: number): string {
  return value === Infinity ? "4294967295" : String(value);
}

/**
 * Compares a decoded message with tshark's dhcpv6 tree, field by field, for
 * every field both decode. `where` names the frame in failures.
 */
function compareWithTshark(message: Dhcpv6Message, tree: Tree, where: string): void {
  assertEquals(tree["dhcpv6.msgtype"], String(message.type), `${where}: msg-type`);
  if (message.messageType === "relay-forward" || message.messageType === "relay-reply") {
    assertEquals(tree["dhcpv6.hopcount"], String(message.hopCount), `${where}: hop-count`);
    assertEquals(tree["dhcpv6.linkaddr"], message.linkAddress, `${where}: link-address`);
    assertEquals(tree["dhcpv6.peeraddr"], message.peerAddress, `${where}: peer-address`);
  } else {
    assertEquals(tree["dhcpv6.xid"], `0x${message.transactionId.toString(16).padStart(6, "0")}`, `${where}: xid`);
  }
  compareOptions(message.options, all(tree["dhcpv6.option.type_str_tree"]) as Tree[], where);
}

function compareOptions(options: readonly Dhcpv6Option[], trees: readonly Tree[], where: string): void {
  assertEquals(options.map((o) => String(o.type)), trees.map((t) => t["dhcpv6.option.type"]), `${where}: option codes`);
  options.forEach((option, k) => compareOption(option, trees[k]!, `${where} option ${k} (${option.name})`));
}

function compareOption(option: Dhcpv6Option, t: Tree, where: string): void {
  const body = buildDhcpv6Options([option]).subarray(4);
  assertEquals(t["dhcpv6.option.length"], String(body.length), `${where}: option-len`);
  const check = (key: string, expected: unknown) => assertEquals(t[key], expected, `${where}: ${key}`);
  switch (option.name) {
    case "client-id":
    case "server-id": {
      check("dhcpv6.duid.bytes", colonHex(body));
      check("dhcpv6.duid.type", String(option.duid.type));
      const duid = option.duid;
      if (duid.name === "duid-llt") {
        check("dhcpv6.duidllt.hwtype", String(duid.hardwareType));
        check("dhcpv6.duidllt.link_layer_addr", colonHex(duid.linkLayerAddress));
        // tshark shows the time as a date: seconds since 2000-01-01 UTC.
        const date = new Date(Date.UTC(2000, 0, 1) + duid.time * 1000);
        const shown = new Date(String(t["dhcpv6.duidllt.time"]).replace(".000000000", ""));
        assertEquals(shown.getTime(), date.getTime(), `${where}: DUID-LLT time`);
      } else if (duid.name === "duid-ll") {
        check("dhcpv6.duidll.hwtype", String(duid.hardwareType));
        check("dhcpv6.duidll.link_layer_addr", colonHex(duid.linkLayerAddress));
      } else if (duid.name === "duid-en") {
        check("dhcpv6.duiden.enterprise", String(duid.enterpriseNumber));
        check("dhcpv6.duiden.identifier", colonHex(duid.identifier));
      } else if (duid.name === "duid-uuid") {
        check("dhcpv6.duiduuid.bytes", colonHex(body.subarray(2)));
      }
      return;
    }
    case "ia-na":
    case "ia-pd":
      check("dhcpv6.iaid", option.iaid.toString(16).padStart(8, "0"));
      check("dhcpv6.iaid.t1", tsharkLifetime(option.t1));
      check("dhcpv6.iaid.t2", tsharkLifetime(option.t2));
      return compareOptions(option.options, all(t["dhcpv6.option.type_str_tree"]) as Tree[], where);
    case "ia-ta":
      check("dhcpv6.iata", option.iaid.toString(16).padStart(8, "0"));
      return compareOptions(option.options, all(t["dhcpv6.option.type_str_tree"]) as Tree[], where);
    case "ia-address":
      check("dhcpv6.iaaddr.ip", option.address);
      check("dhcpv6.iaaddr.pref_lifetime", tsharkLifetime(option.preferredLifetime));
      check("dhcpv6.iaaddr.valid_lifetime", tsharkLifetime(option.validLifetime));
      return compareOptions(option.options, all(t["dhcpv6.option.type_str_tree"]) as Tree[], where);
    case "ia-prefix":
      check("dhcpv6.iaprefix.pref_addr", option.prefix);
      check("dhcpv6.iaprefix.pref_len", String(option.prefixLength));
      check("dhcpv6.iaprefix.pref_lifetime", tsharkLifetime(option.preferredLifetime));
      check("dhcpv6.iaprefix.valid_lifetime", tsharkLifetime(option.validLifetime));
      return compareOptions(option.options, all(t["dhcpv6.option.type_str_tree"]) as Tree[], where);
    case "option-request":
      assertEquals(all(t["dhcpv6.requested_option_code"]), option.codes.map(String), `${where}: codes`);
      return;
    case "preference":
      return check("dhcpv6.option_preference", String(option.value));
    case "elapsed-time":
      // tshark shows milliseconds.
      return check("dhcpv6.elapsed_time", String(option.hundredths * 10));
    case "relay-message":
      return compareWithTshark(option.message, t["dhcpv6"] as Tree, `${where} relayed`);
    case "user-class": {
      const items = all(t["User Class suboption"]) as Tree[];
      assertEquals(
        items.map((i) => i["dhcpv6.userclass.opaque_data"]),
        option.classes.map(colonHex),
        `${where}: classes`,
      );
      return;
    }
    case "vendor-class":
      check("dhcpv6.vendorclass.enterprise", String(option.enterpriseNumber));
      // tshark shows the class data as text, all items run together.
      check("dhcpv6.vendorclass.data", option.classes.map((c) => new TextDecoder().decode(c)).join(""));
      return;
    case "vendor-options":
      return check("dhcpv6.vendoropts.enterprise", String(option.enterpriseNumber));
    case "interface-id":
      return check("dhcpv6.interface_id", colonHex(option.data));
    case "sip-server-domains":
      assertEquals(
        all((t["SIP Servers Domain Search List"] as Tree)["dhcpv6.sip_server_domain_search_fqdn"]),
        option.domains.map((d) => `${d}.`),
        `${where}: domains`,
      );
      return;
    case "dns-servers":
      assertEquals(all(t["dhcpv6.dns_server"]), [...option.servers], `${where}: servers`);
      return;
    case "domain-list":
      assertEquals(
        all((t["Domain name suffix search list"] as Tree)["dhcpv6.search_list_entry"]),
        option.domains.map((d) => `${d}.`),
        `${where}: domains`,
      );
      return;
    case "ntp-server": {
      const names = { 1: "NTP Server Address", 2: "NTP Multicast Address", 3: "NTP Server FQDN" } as const;
      for (const [type, label] of Object.entries(names)) {
        const shown = all(t[label]) as Tree[];
        const ours = option.suboptions.filter((s) => String(s.type) === type);
        assertEquals(
          shown.map((s) => s["dhcpv6.ntpserver.addr"] ?? s["dhcpv6.ntpserver.mc_addr"] ?? s["dhcpv6.ntpserver.fqdn"]),
          ours.map((s) => s.name === "server-fqdn" ? `${s.fqdn}.` : s.name === "unknown" ? "" : s.address),
          `${where}: ${label}`,
        );
      }
      return;
    }
    case "aftr-name":
      return check("dhcpv6.aftr_name", `${option.fqdn}.`);
    default:
      return;
  }
}

/** tcpdump's names for the message types (print-dhcp6.c). */
const TCPDUMP_MESSAGE_NAMES: Readonly<Record<number, string>> = {
  1: "solicit",
  2: "advertise",
  3: "request",
  4: "confirm",
  5: "renew",
  6: "rebind",
  7: "reply",
  8: "release",
  9: "decline",
  10: "reconfigure",
  11: "inf-req",
  12: "relay-fwd",
  13: "relay-reply",
};

/**
 * What tcpdump prints for the fields it shows of a message, as substrings
 * its `.out` line must contain.
 */
function tcpdumpTokens(message: Dhcpv6Message): string[] {
  const tokens = [`dhcp6 ${TCPDUMP_MESSAGE_NAMES[message.type]}`];
  if (message.messageType === "relay-forward" || message.messageType === "relay-reply") {
    tokens.push(`linkaddr=${message.linkAddress} peeraddr=${message.peerAddress}`);
  } else {
    tokens.push(`xid=${message.transactionId.toString(16)}`);
  }
  const visit = (option: Dhcpv6Option): void => {
    switch (option.name) {
      case "client-id":
      case "server-id": {
        const label = option.name === "client-id" ? "client-ID" : "server-ID";
        const d = option.duid;
        if (d.name === "duid-llt") {
          tokens.push(`${label} hwaddr/time type ${d.hardwareType} time ${d.time} ${toHex(d.linkLayerAddress)}`);
        } else if (d.name === "duid-ll") {
          tokens.push(`${label} hwaddr type ${d.hardwareType} ${toHex(d.linkLayerAddress)}`);
        } else if (d.name === "duid-en") {
          tokens.push(`${label} enterprise ${d.enterpriseNumber} ${toHex(d.identifier)}`);
        } else if (d.name === "duid-uuid") tokens.push(`${label} uuid ${d.uuid.replaceAll("-", "")}`);
        return;
      }
      case "ia-na":
      case "ia-pd":
        tokens.push(
          `${option.name === "ia-na" ? "IA_NA" : "IA_PD"} IAID:${option.iaid} T1:${option.t1} T2:${option.t2}`,
        );
        return option.options.forEach(visit);
      case "ia-ta":
        tokens.push(`IA_TA IAID:${option.iaid}`);
        return option.options.forEach(visit);
      case "ia-address":
        tokens.push(`IA_ADDR ${option.address} pltime:${option.preferredLifetime} vltime:${option.validLifetime}`);
        return option.options.forEach(visit);
      case "ia-prefix":
        tokens.push(
          `IA_PD-prefix ${option.prefix}/${option.prefixLength} pltime:${option.preferredLifetime} vltime:${option.validLifetime}`,
        );
        return option.options.forEach(visit);
      case "elapsed-time":
        tokens.push(`elapsed-time ${option.hundredths}`);
        return;
      case "preference":
        tokens.push(`preference ${option.value}`);
        return;
      case "rapid-commit":
      case "reconfigure-accept":
        tokens.push(`(${option.name})`);
        return;
      case "dns-servers":
        tokens.push(`DNS-server ${option.servers.join(" ")}`);
        return;
      case "domain-list":
        tokens.push(`DNS-search-list ${option.domains.map((d) => `${d}.`).join(" ")}`);
        return;
      case "sip-server-domains":
        tokens.push(`SIP-servers-domain ${option.domains.map((d) => `${d}.`).join(" ")}`);
        return;
      case "aftr-name":
        tokens.push(`AFTR-Name ${option.fqdn}`);
        return;
      case "ntp-server":
        for (const s of option.suboptions) {
          if (s.name === "server-fqdn") tokens.push(`subopt:3 ${s.fqdn}.`);
          else if (s.name !== "unknown") tokens.push(`subopt:${s.type} ${s.address}`);
        }
        return;
      case "interface-id":
        tokens.push(`interface-ID ${toHex(option.data)}`);
        return;
      case "vendor-class":
        tokens.push(`vendor-class enterprise ${option.enterpriseNumber}`);
        return;
      case "vendor-options":
        tokens.push(`vendor-specific-info enterprise ${option.enterpriseNumber}`);
        return;
      case "relay-message":
        tokens.push(...tcpdumpTokens(option.message));
        return;
      default:
        return;
    }
  };
  message.options.forEach(visit);
  return tokens;
}

/** tcpdump's expected output lines by frame number, from a capture's `.out`. */
async function tcpdumpLines(capture: string): Promise<Map<number, string> | undefined> {
  if (!capture.startsWith("tcpdump/")) return undefined;
  let text: string;
  try {
    text = await Deno.readTextFile(`${CAPTURES}/${capture.replace(/\.pcap$/, ".out")}`);
  } catch {
    return undefined;
  }
  const lines = new Map<number, string>();
  for (const line of text.split("\n")) {
    const match = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (match) lines.set(Number(match[1]), match[2]!);
  }
  return lines;
}

/** Captures whose DHCPv6 frames must be rejected, and why. */
const REJECTED_FRAMES: Readonly<Record<string, string>> = {
  // A Relay-reply cut by the snap length (92 bytes) inside an IPv4 first
  // fragment: two empty Reconfigure Message options and no Relay Message.
  "tcpdump/dhcp6_reconf_asan.pcap#1": "relay message at offset 0 has no relay message option",
  // SNMP sent to port 546: not DHCPv6; its third "option" claims 18369 bytes.
  "tcpdump/ip6-snmp-oid-unsigned.pcap#1": "option at offset 12 overruns the message",
};

for (const capture of DHCPV6_CAPTURES) {
  Deno.test(`dhcpv6 capture ${capture}: matches tshark${capture.startsWith("tcpdump/") ? " and tcpdump" : ""}`, async () => {
    const datagrams = dhcpv6Datagrams(await Deno.readFile(`${CAPTURES}/${capture}`));
    const expected = tsharkFixture.captures[capture]!;
    assertEquals(datagrams.map((d) => d.frame), expected.map((f) => f.frame), "frames with DHCPv6");
    const lines = await tcpdumpLines(capture);
    for (const [k, datagram] of datagrams.entries()) {
      const where = `${capture}#${datagram.frame}`;
      const rejection = REJECTED_FRAMES[where];
      if (rejection !== undefined) {
        assertThrows(() => parseDhcpv6(datagram.payload), SyntaxError, rejection);
        continue;
      }
      assert(!datagram.truncated, `${where} is truncated`);
      const message = parseRoundTrip(datagram.payload);
      assertEquals(skippedCount(message), 0, `${where}: skipped options`);
      compareWithTshark(message, expected[k]!.dhcpv6, where);
      const line = lines?.get(datagram.frame);
      if (lines !== undefined) {
        assert(line !== undefined, `${where}: no tcpdump line`);
        for (const token of tcpdumpTokens(message)) {
          assert(line.includes(token), `${where}: tcpdump line lacks ${JSON.stringify(token)}:\n${line}`);
        }
      }
    }
  });
}

Deno.test("dhcpv6 capture: dhcp6_reconf_asan is a truncated first fragment, and its options are flagged", () => {
  // tcpdump's own test case for a crash on this packet.
  return Deno.readFile(`${CAPTURES}/tcpdump/dhcp6_reconf_asan.pcap`).then((file) => {
    const [datagram] = dhcpv6Datagrams(file);
    assert(datagram?.truncated === true);
    // Its options alone: both Reconfigure Message options are empty.
    const { options, skipped } = parseDhcpv6Options(datagram.payload.subarray(34));
    assertEquals(options, []);
    assertEquals(skipped.map((s) => s.reason), [
      "option 19 (reconfigure-message) at offset 0 has length 0 instead of 1",
      "option 19 (reconfigure-message) at offset 4 has length 0 instead of 1",
    ]);
  });
});

// ---------------------------------------------------------------------------
// Fuzz

const random = seededRandom;

function mutate(seed: Uint8Array, next: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(next() * n);
  let data = seed.slice();
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds; r++) {
    switch (pick(7)) {
      case 0: // flip a bit
        if (data.length > 0) data[pick(data.length)]! ^= 1 << pick(8);
        break;
      case 1: // set a byte to an interesting value
        if (data.length > 0) data[pick(data.length)] = [0, 1, 0x7f, 0x80, 0xc0, 0xff, 12, 13, 9][pick(9)]!;
        break;
      case 2: // truncate
        data = data.slice(0, pick(data.length + 1));
        break;
      case 3: { // insert random bytes
        const at = pick(data.length + 1);
        const extra = Uint8Array.from({ length: 1 + pick(8) }, () => pick(256));
        data = Uint8Array.from([...data.subarray(0, at), ...extra, ...data.subarray(at)]);
        break;
      }
      case 4: { // rewrite a 16-bit field (an option-len, often)
        if (data.length >= 2) {
          const at = pick(data.length - 1);
          const value = [0, 1, 2, 3, 4, 15, 16, 17, 24, 25, 0xffff, pick(0x10000)][pick(12)]!;
          data[at] = value >>> 8;
          data[at + 1] = value & 0xff;
        }
        break;
      }
      case 5: { // duplicate a slice
        const from = pick(data.length + 1);
        const to = from + pick(data.length - from + 1);
        const at = pick(data.length + 1);
        data = Uint8Array.from([...data.subarray(0, at), ...data.subarray(from, to), ...data.subarray(at)]);
        break;
      }
      default: // delete a slice
      {
        const from = pick(data.length + 1);
        const to = from + pick(Math.min(8, data.length - from) + 1);
        data = Uint8Array.from([...data.subarray(0, from), ...data.subarray(to)]);
      }
    }
  }
  return data;
}

Deno.test("dhcpv6 fuzz: 20,000 mutated and random inputs parse or throw SyntaxError, and round-trip", async () => {
  const seeds: Uint8Array[] = FIXTURES.map(([, data]) => data);
  for (const capture of DHCPV6_CAPTURES) {
    for (const d of dhcpv6Datagrams(await Deno.readFile(`${CAPTURES}/${capture}`))) seeds.push(d.payload);
  }
  seeds.push(nestedRelays(8), INFORMATION_REPLY.subarray(4));
  const next = random(0x5eed_d6c6);
  let accepted = 0;
  let rejected = 0;
  for (let n = 0; n < 20_000; n++) {
    let input: Uint8Array;
    if (n % 10 === 9) {
      input = Uint8Array.from({ length: Math.floor(next() * 96) }, () => Math.floor(next() * 256));
    } else {
      input = mutate(seeds[n % seeds.length]!, next);
    }
    const asOptions = n % 7 === 3;
    let parsed: Dhcpv6Message | { options: readonly Dhcpv6Option[] };
    try {
      parsed = asOptions ? parseDhcpv6Options(input) : parseDhcpv6(input);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw new Error(`input ${toHex(input)} threw ${error}`);
      rejected++;
      continue;
    }
    accepted++;
    const rebuilt = asOptions ? buildDhcpv6Options(parsed.options) : buildDhcpv6(parsed as Dhcpv6Message);
    const again = asOptions ? parseDhcpv6Options(rebuilt) : parseDhcpv6(rebuilt);
    assertEquals(withoutSkipped(again), withoutSkipped(parsed), `round trip of ${toHex(input)}`);
    if (!asOptions) assertEquals(skippedCount(again as Dhcpv6Message), 0, `skips after rebuilding ${toHex(input)}`);
  }
  // Both paths must have been exercised.
  assert(accepted > 2_000 && rejected > 2_000, `accepted ${accepted}, rejected ${rejected}`);
});
