// The on-access views (core-as/*_view.ts) against the eager parsers: every
// field of a view equals the parsed object's, over the corpus of real
// captures and seeded mutations of it; the hot-path accessors equal what an
// adapter would pick out of the parsed object. Also the pieces the views
// and the faster eager path rest on: the TypeScript address text (against
// the core's formatIpAddress), records kept across calls, memory growth.

import { type CorpusPacket, loadCorpus, type Protocol } from "../bench/_corpus.ts";
import { formatIpAddress } from "../core-as/mod.ts";
import { type NdOption, parseRouterAdvertisement, type RouterAdvertisement } from "../core-as/router_advertisement.ts";
import { validateRouterAdvertisement, viewRouterAdvertisement } from "../core-as/router_advertisement_view.ts";
import { type Dhcpv6Message, type Dhcpv6Option, parseDhcpv6, parseDhcpv6Options } from "../core-as/dhcpv6.ts";
import { validateDhcpv6, viewDhcpv6 } from "../core-as/dhcpv6_view.ts";
import { type Dhcpv4Message, parseDhcpv4 } from "../core-as/dhcpv4.ts";
import { validateDhcpv4, viewDhcpv4 } from "../core-as/dhcpv4_view.ts";
import { dnsNameText, hexText, ipv4Text, ipv6PrefixText, ipv6Text, latin1Text } from "../core-as/_text.ts";
import { readRecords } from "../core-as/_records.ts";
import { coreMemory } from "../core-as/_abi.ts";
import { coreWasm } from "../core-as/core_wasm.generated.ts";
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { difference, mutate, randomPacket } from "./_compare.ts";
import { seededRandom } from "./_random.ts";

const corpus: CorpusPacket[] = loadCorpus();

// ---------------------------------------------------------------------------
// Address text

Deno.test("address text: IPv6 text equals the core's formatIpAddress", () => {
  const next = seededRandom(6);
  const bytes = new Uint8Array(16);
  for (let n = 0; n < 20_000; n++) {
    // Groups that are mostly zero make runs of every length and position.
    for (let g = 0; g < 8; g++) {
      const value = next() < 1 / 3 ? Math.floor(next() * 0x10000) : 0;
      bytes[2 * g] = value >> 8;
      bytes[2 * g + 1] = value & 0xff;
    }
    if (n % 50 === 0) bytes.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]); // IPv4-mapped
    assertEquals(ipv6Text(bytes, 0), formatIpAddress(bytes), `bytes ${hexText(bytes, "")}`);
  }
});

Deno.test("address text: edge cases of RFC 5952", () => {
  const cases: [string, string][] = [
    ["00000000000000000000000000000000", "::"],
    ["00000000000000000000000000000001", "::1"],
    ["20010db8000000000000000000000000", "2001:db8::"],
    ["20010db8000000010000000000000001", "2001:db8:0:1::1"], // the longer run wins
    ["20010db8000000000001000000000001", "2001:db8::1:0:0:1"], // the first of two equal runs
    ["20010db8000100010001000100010001", "2001:db8:1:1:1:1:1:1"],
    ["20010db8000000010001000100010001", "2001:db8:0:1:1:1:1:1"], // one zero group stays
    ["00000000000000000000ffffc0000201", "::ffff:192.0.2.1"],
    ["0000000000000000ffff0000c0000201", "::ffff:0:c000:201"], // not IPv4-mapped
    ["fe800000000000000abcdef012345678", "fe80::abc:def0:1234:5678"],
  ];
  for (const [hex, text] of cases) {
    const bytes = Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
    assertEquals(ipv6Text(bytes, 0), text);
    assertEquals(formatIpAddress(bytes), text);
  }
  const padded = new Uint8Array([9, 192, 0, 2, 255, 9]);
  assertEquals(ipv4Text(padded, 1), "192.0.2.255");
  assertEquals(formatIpAddress(padded.subarray(1, 5)), "192.0.2.255");
});

Deno.test("address text: prefixes are zero-filled and masked", () => {
  const bytes = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0xff, 0xff, 0xaa]);
  assertEquals(ipv6PrefixText(bytes, 0, 8, 48), "2001:db8:ffff::");
  assertEquals(ipv6PrefixText(bytes, 0, 8, 36), "2001:db8:f000::");
  assertEquals(ipv6PrefixText(bytes, 0, 9, 128), "2001:db8:ffff:ffff:aa00::");
  assertEquals(ipv6PrefixText(bytes, 4, 0, 0), "::");
});

Deno.test("text: names and Latin-1 text of every length", () => {
  assertEquals(dnsNameText(new Uint8Array([0]), 0), "");
  assertEquals(dnsNameText(new Uint8Array([9, 3, 0x57, 0x77, 0x57, 2, 0x63, 0x4f, 0]), 1), "www.co");
  // 4 labels of 63: the longest name (255 bytes with its length bytes and zero).
  const label = new Array(63).fill(0x61);
  const longest = new Uint8Array([63, ...label, 63, ...label, 63, ...label, 61, ...label.slice(2), 0]);
  assertEquals(longest.length, 255);
  assertEquals(dnsNameText(longest, 0), [63, 63, 63, 61].map((n) => "a".repeat(n)).join("."));
  const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => 0x20 + (i % 95));
  for (const [from, to] of [[0, 0], [3, 4], [10, 266], [10, 267], [0, 70_000]]) {
    assertEquals(
      latin1Text(bytes, from!, to!),
      Array.from(bytes.subarray(from, to), (b) => String.fromCharCode(b)).join(""),
    );
  }
});

// ---------------------------------------------------------------------------
// Comparing a view with the parsed object

/** The options of an RA and of its first PvD ID option, in message order. */
function raOptions(ra: RouterAdvertisement): NdOption[] {
  const all: NdOption[] = [];
  let pvdSeen = false;
  for (const option of ra.options) {
    if (option.type === "pvd") {
      if (!pvdSeen) all.push(...option.options);
      pvdSeen = true;
    } else {
      all.push(option);
    }
  }
  return all;
}

function compareRa(bytes: Uint8Array): string | undefined {
  let expected: RouterAdvertisement;
  try {
    expected = parseRouterAdvertisement(bytes, { hopLimit: 255, sourceAddress: "fe80::1" });
  } catch (error) {
    const thrown = assertThrows(() => viewRouterAdvertisement(bytes), SyntaxError);
    assertThrows(() => validateRouterAdvertisement(bytes), SyntaxError);
    return thrown.message === (error as Error).message ? undefined : `error ${thrown.message} vs ${error}`;
  }
  validateRouterAdvertisement(bytes);
  // Accessors first, in an order where nothing was decoded before.
  const view = viewRouterAdvertisement(bytes, { hopLimit: 255, sourceAddress: "fe80::1" });
  const options = raOptions(expected);
  const picked = {
    prefixes: options.filter((o) => o.type === "prefix-information"),
    rdnss: options.filter((o) => o.type === "rdnss"),
    dnssl: options.filter((o) => o.type === "dnssl"),
    routes: options.filter((o) => o.type === "route-information"),
    mtu: options.find((o) => o.type === "mtu")?.mtu,
    pvdId: expected.options.find((o) => o.type === "pvd")?.pvdId,
  };
  const actualPicked = {
    prefixes: view.prefixes,
    rdnss: view.rdnss,
    dnssl: view.dnssl,
    routes: view.routes,
    mtu: view.mtu,
    pvdId: view.pvdId,
  };
  const found = difference(actualPicked, picked, "accessors");
  if (found !== undefined) return found;
  for (const key of Object.keys(expected) as (keyof RouterAdvertisement)[]) {
    const field = difference(view[key], expected[key], key);
    if (field !== undefined) return field;
  }
  return difference(view.toObject(), expected, "toObject") ??
    difference(JSON.parse(JSON.stringify(view)), JSON.parse(JSON.stringify(expected)), "toJSON");
}

function dhcpv6Expected(message: Dhcpv6Message) {
  const options = message.options;
  const inside = (outer: readonly string[], inner: string) =>
    options.flatMap((o) =>
      outer.includes(o.name) && "options" in o ? (o.options as Dhcpv6Option[]).filter((n) => n.name === inner) : []
    );
  return {
    messageType: message.messageType,
    type: message.type,
    transactionId: "transactionId" in message ? message.transactionId : undefined,
    options,
    skipped: message.skipped,
    dnsServers: options.flatMap((o) => o.name === "dns-servers" ? o.servers : []),
    domains: options.flatMap((o) => o.name === "domain-list" ? o.domains : []),
    iaAddresses: inside(["ia-na", "ia-ta"], "ia-address"),
    iaPrefixes: inside(["ia-pd"], "ia-prefix"),
  };
}

function compareDhcpv6(bytes: Uint8Array): string | undefined {
  let expected: Dhcpv6Message;
  try {
    expected = parseDhcpv6(bytes);
  } catch (error) {
    const thrown = assertThrows(() => viewDhcpv6(bytes), SyntaxError);
    assertThrows(() => validateDhcpv6(bytes), SyntaxError);
    return thrown.message === (error as Error).message ? undefined : `error ${thrown.message} vs ${error}`;
  }
  validateDhcpv6(bytes);
  const view = viewDhcpv6(bytes);
  const want = dhcpv6Expected(expected);
  // Accessors first, then the whole option list.
  const got = {
    dnsServers: view.dnsServers,
    domains: view.domains,
    iaAddresses: view.iaAddresses,
    iaPrefixes: view.iaPrefixes,
    messageType: view.messageType,
    type: view.type,
    transactionId: view.transactionId,
    options: view.options,
    skipped: view.skipped,
  };
  return difference(got, want, "view") ?? difference(view.toObject(), expected, "toObject");
}

function compareDhcpv4(bytes: Uint8Array): string | undefined {
  let expected: Dhcpv4Message;
  try {
    expected = parseDhcpv4(bytes);
  } catch (error) {
    const thrown = assertThrows(() => viewDhcpv4(bytes), SyntaxError);
    assertThrows(() => validateDhcpv4(bytes), SyntaxError);
    return thrown.message === (error as Error).message ? undefined : `error ${thrown.message} vs ${error}`;
  }
  validateDhcpv4(bytes);
  const view = viewDhcpv4(bytes);
  // Option types share shapes under several names: read the fields loosely.
  const find = (name: string) => expected.options.find((o) => o.name === name) as Record<string, unknown> | undefined;
  const want = {
    messageType: expected.messageType,
    subnetMask: find("subnet-mask")?.mask,
    routers: find("router")?.addresses ?? [],
    dnsServers: find("domain-name-server")?.addresses ?? [],
    leaseTime: find("lease-time")?.seconds,
    serverIdentifier: find("server-identifier")?.address,
    interfaceMtu: find("interface-mtu")?.mtu,
  };
  const got = {
    messageType: view.messageType,
    subnetMask: view.subnetMask,
    routers: view.routers,
    dnsServers: view.dnsServers,
    leaseTime: view.leaseTime,
    serverIdentifier: view.serverIdentifier,
    interfaceMtu: view.interfaceMtu,
  };
  const found = difference(got, want, "accessors");
  if (found !== undefined) return found;
  for (const key of Object.keys(expected) as (keyof Dhcpv4Message)[]) {
    const field = difference(view[key], expected[key], key);
    if (field !== undefined) return field;
  }
  // Fields absent from the parsed object read as undefined on the view.
  if (expected.vendor === undefined && view.vendor !== undefined) return "vendor";
  if (expected.messageType === undefined && view.messageType !== undefined) return "messageType";
  return difference(view.toObject(), expected, "toObject");
}

const COMPARE: Readonly<Record<Protocol, (bytes: Uint8Array) => string | undefined>> = {
  "router-advertisement": compareRa,
  "dhcpv6": compareDhcpv6,
  "dhcpv4": compareDhcpv4,
};

for (const kind of ["router-advertisement", "dhcpv6", "dhcpv4"] as const) {
  Deno.test(`views: ${kind} view fields equal the parsed object's over the corpus and mutations`, () => {
    const next = seededRandom(kind.length);
    const problems: string[] = [];
    const packets = corpus.filter((p) => p.kind === kind);
    assert(packets.length > 0);
    for (let round = 0; round <= 40; round++) {
      for (const packet of packets) {
        // Round 0: the packets as captured.
        const bytes = round === 0 ? packet.payload : mutate(packet.payload, next);
        const problem = COMPARE[kind](bytes);
        if (problem !== undefined) problems.push(`${packet.origin} ${hexText(bytes, "")}: ${problem}`);
      }
    }
    assertEquals(problems.slice(0, 3), []);
  });
}

Deno.test("views: view fields equal the parsed object's for random bodies", () => {
  const random = seededRandom(99);
  const problems: string[] = [];
  for (const kind of ["router-advertisement", "dhcpv6", "dhcpv4"] as const) {
    for (let n = 0; n < 2_000; n++) {
      const bytes = randomPacket(kind, random);
      const problem = COMPARE[kind](bytes);
      if (problem !== undefined) problems.push(`${kind} ${hexText(bytes, "")}: ${problem}`);
    }
  }
  assertEquals(problems.slice(0, 3), []);
});

// ---------------------------------------------------------------------------
// What the views rest on

Deno.test("views: a view keeps its records when the core parses something else", () => {
  const ras = corpus.filter((p) => p.kind === "router-advertisement").map((p) => p.payload);
  const v6 = corpus.filter((p) => p.kind === "dhcpv6").map((p) => p.payload);
  const views = ras.flatMap((bytes) => {
    try {
      return [{ bytes, view: viewRouterAdvertisement(bytes) }];
    } catch {
      return [];
    }
  });
  // Other parses overwrite the result region between the view's creation
  // and its first read.
  for (const bytes of v6) {
    try {
      parseDhcpv6(bytes);
    } catch { /* rejected packets too */ }
  }
  for (const { bytes, view } of views) {
    assertEquals(difference(view.toObject(), parseRouterAdvertisement(bytes)), undefined);
  }
});

Deno.test("views: results stay right when a large input grows memory between calls", () => {
  const reply = corpus.find((p) => p.kind === "dhcpv6")!.payload;
  const before = parseDhcpv6(reply);
  const view = viewDhcpv6(reply);
  const pages = coreWasm.memory.buffer.byteLength;
  // 4 MiB of Rapid Commit options: the input region must grow.
  const big = new Uint8Array(4 << 20);
  for (let at = 0; at < big.length; at += 4) big.set([0, 14, 0, 0], at);
  assertEquals(parseDhcpv6Options(big.subarray(0, 4 * 1000)).options.length, 1000);
  // As a message: msg-type 0, then a million Rapid Commit options, whose
  // records need a grown result region too.
  validateDhcpv6(big);
  assert(coreWasm.memory.buffer.byteLength > pages, "memory did not grow");
  assertEquals(difference(view.toObject(), before), undefined);
  assertEquals(difference(parseDhcpv6(reply), before), undefined);
});

Deno.test("records: the word path and the DataView path read the same numbers", () => {
  const ra = corpus.find((p) => p.kind === "router-advertisement")!.payload;
  viewRouterAdvertisement(ra);
  validateRouterAdvertisement(ra);
  const memory = coreMemory(coreWasm);
  const at = coreWasm.resultPtr() >>> 0;
  const size = 24 * 4;
  assertEquals(readRecords({ words: undefined, view: memory.view }, at, size), readRecords(memory, at, size));
});
