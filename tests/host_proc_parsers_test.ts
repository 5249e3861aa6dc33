// The text parsers of adapters/host: /proc/net/if_inet6, ipv6_route, route,
// sysfs uevent, resolv.conf and systemd-resolved's per-link files. The
// fixtures are literal text: first what this machine's /proc showed, then
// hand-written lines for the cases it does not have.

import {
  decodeAddressFlags,
  parseIfInet6,
  parseIpv4Route,
  parseIpv6Route,
  parseResolvConf,
  parseResolvedLinkState,
  parseUevent,
  type ProcParseErrorCause,
} from "../adapters/host/mod.ts";
import { assert, assertEquals, assertThrows } from "./_assert.ts";

/** Throws unless `fn` throws a SyntaxError with this message part and cause. */
function assertProcError(fn: () => unknown, includes: string, cause: ProcParseErrorCause): void {
  const error = assertThrows(fn, SyntaxError, includes);
  assertEquals(error.cause, cause);
}

// ---------------------------------------------------------------------------
// /proc/net/if_inet6
// ---------------------------------------------------------------------------

/** This machine's /proc/net/if_inet6, byte for byte (`%8s` pads the names). */
const THIS_MACHINE_IF_INET6 = "fd000000000000000000000000000002 04 40 00 82     eth0\n" +
  "00000000000000000000000000000001 01 80 10 80       lo\n" +
  "fe8000000000000000fc00fffe000001 04 40 20 80     eth0\n";

Deno.test("if_inet6: this machine's file", () => {
  const entries = parseIfInet6(THIS_MACHINE_IF_INET6);
  assertEquals(entries.map((e) => `${e.name} ${e.ifindex} ${e.address}/${e.prefixLength} ${e.scope}`), [
    "eth0 4 fd00::2/64 global",
    "lo 1 ::1/128 host",
    "eth0 4 fe80::fc:ff:fe00:1/64 link",
  ]);
  // 0x82: IFA_F_PERMANENT | IFA_F_NODAD (`ip addr` shows "nodad" for fd00::2).
  assertEquals(entries[0]?.flags, decodeAddressFlags(0x82, 6));
  assert(entries[0]!.flags.permanent && entries[0]!.flags.noDad && !entries[0]!.flags.tentative);
  assert(entries[2]!.flags.permanent && !entries[2]!.flags.noDad);
});

Deno.test("if_inet6: the file in the repository's fixture tree is the same text", async () => {
  const text = await Deno.readTextFile("tests/fixtures/host/this-machine/proc/net/if_inet6");
  assertEquals(text, THIS_MACHINE_IF_INET6);
});

Deno.test("if_inet6: each flag bit decodes to its IFA_F_* name (uapi if_addr.h)", () => {
  const bits: [number, keyof ReturnType<typeof decodeAddressFlags>][] = [
    [0x01, "temporary"],
    [0x02, "noDad"],
    [0x04, "optimistic"],
    [0x08, "dadFailed"],
    [0x10, "homeAddress"],
    [0x20, "deprecated"],
    [0x40, "tentative"],
    [0x80, "permanent"],
  ];
  for (const [bit, name] of bits) {
    const hex = bit.toString(16).padStart(2, "0");
    const [entry] = parseIfInet6(`20010db8000000000000000000000001 02 40 00 ${hex}     eth1\n`);
    const set = Object.entries(entry!.flags).filter(([, on]) => on).map(([flag]) => flag);
    assertEquals(set, [name], `flag 0x${hex}`);
  }
});

Deno.test("if_inet6: bit 0x01 is temporary on IPv6 and secondary on IPv4", () => {
  assert(decodeAddressFlags(0x01, 6).temporary && !decodeAddressFlags(0x01, 6).secondary);
  assert(decodeAddressFlags(0x01, 4).secondary && !decodeAddressFlags(0x01, 4).temporary);
  // The 32-bit IFA_FLAGS attribute of rtnetlink carries the upper flags too.
  const upper = decodeAddressFlags(0xf00, 6);
  assert(upper.managesTemporary && upper.noPrefixRoute && upper.multicastAutoJoin && upper.stablePrivacy);
});

Deno.test("if_inet6: a temporary deprecated address, and combined DAD states", () => {
  const text = "20010db8000100009e3faa012b44c0de 03 40 00 21   wlp2s0\n" + // temporary + deprecated
    "20010db8000700000000000000000003 06 40 00 c8     tun0\n" + // permanent + tentative + dadfailed
    "fe800000000000000000000000000006 06 40 20 c4     tun0\n"; // permanent + tentative + optimistic
  const [temporary, failed, optimistic] = parseIfInet6(text);
  assert(temporary!.flags.temporary && temporary!.flags.deprecated);
  assert(failed!.flags.dadFailed && failed!.flags.tentative && failed!.flags.permanent);
  assert(optimistic!.flags.optimistic && optimistic!.flags.tentative);
});

Deno.test("if_inet6: an ifindex above 255 prints more than two hex digits", () => {
  const [entry] = parseIfInet6("fe800000000000006c219afffe0bccde 12c 40 20 80 veth3c2a1b0\n");
  assertEquals(entry?.ifindex, 300);
  assertEquals(entry?.name, "veth3c2a1b0");
  assertEquals(entry?.address, "fe80::6c21:9aff:fe0b:ccde");
});

Deno.test("if_inet6: scope bits map to host, link, site and global", () => {
  const scopes = ["00", "10", "20", "40", "80"].map((scope) =>
    parseIfInet6(`fec00000000000000000000000000001 02 40 ${scope} 80     eth1\n`)[0]?.scope
  );
  assertEquals(scopes, ["global", "host", "link", "site", "global"]);
});

Deno.test("if_inet6: empty text, blank lines and CRLF", () => {
  assertEquals(parseIfInet6(""), []);
  assertEquals(parseIfInet6("\n\n"), []);
  const [entry] = parseIfInet6("\r\n00000000000000000000000000000001 01 80 10 80       lo\r\n");
  assertEquals(entry?.address, "::1");
});

Deno.test("if_inet6: malformed lines are SyntaxErrors naming the line", () => {
  const lo = "00000000000000000000000000000001 01 80 10 80       lo\n";
  assertProcError(
    () => parseIfInet6(lo + "00000000000000000000000000000001 01 80 10 80\n"),
    "Cannot parse /proc/net/if_inet6: line 2 has 5 fields, expected 6",
    { code: "field-count", offset: lo.length, line: 2 },
  );
  assertProcError(
    () => parseIfInet6("0000000000000000000000000000001 01 80 10 80 lo\n"),
    'line 1 has address "0000000000000000000000000000001", expected 32 hex digits',
    { code: "invalid-number", offset: 0, line: 1 },
  );
  assertProcError(
    () => parseIfInet6("000000000000000000000000000000g1 01 80 10 80 lo\n"),
    "expected 32 hex digits",
    { code: "invalid-number", offset: 0, line: 1 },
  );
  assertProcError(
    () => parseIfInet6("00000000000000000000000000000001 01 81 10 80 lo\n"),
    "line 1 has prefix length 129, above 128",
    { code: "invalid-value", offset: 0, line: 1 },
  );
  assertProcError(
    () => parseIfInet6("00000000000000000000000000000001 01 80 10 180 lo\n"),
    'has flags "180", expected up to 2 hex digits',
    { code: "invalid-number", offset: 0, line: 1 },
  );
});

// ---------------------------------------------------------------------------
// /proc/net/ipv6_route
// ---------------------------------------------------------------------------

/** This machine's /proc/net/ipv6_route. */
const THIS_MACHINE_IPV6_ROUTE = [
  "fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000003 00000000 00000001     eth0",
  "fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000002 00000000 00000001     eth0",
  "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000003 00000000 00000003     eth0",
  "00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001       lo",
  "fd000000000000000000000000000002 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000004 00000000 80200001     eth0",
  "fe8000000000000000fc00fffe000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001     eth0",
  "ff000000000000000000000000000000 08 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000003 00000000 00000001     eth0",
  "00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo",
  "",
].join("\n");

Deno.test("ipv6_route: this machine's file", () => {
  const routes = parseIpv6Route(THIS_MACHINE_IPV6_ROUTE);
  assertEquals(
    routes.map((r) => `${r.name} ${r.destination}/${r.prefixLength} ${r.gateway ?? "-"} ${r.metric} ${r.type}`),
    [
      "eth0 fd00::/64 - 256 unicast",
      "eth0 fe80::/64 - 256 unicast",
      "eth0 ::/0 fd00::1 1024 unicast",
      "lo ::1/128 - 0 local",
      "eth0 fd00::2/128 - 0 local",
      "eth0 fe80::fc:ff:fe00:1/128 - 0 local",
      "eth0 ff00::/8 - 256 other",
      // The root of the table: ip6_null_entry, RTF_REJECT | RTF_NONEXTHOP, metric 0xffffffff.
      "lo ::/0 - 4294967295 reject",
    ],
  );
  assertEquals(routes[2]?.flags, 0x0003);
  assertEquals(routes[3]?.flags, 0x80200001);
});

Deno.test("ipv6_route: routes from router advertisements carry origin ra", () => {
  const text =
    "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000258 00000003 00000000 00450003   wlp2s0\n" +
    "20010db8000f00000000000000000000 30 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000258 00000001 00000000 00c00003   wlp2s0\n" +
    "20010db8000100000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000258 00000002 00000000 004c0001   wlp2s0\n";
  const [router, routeInfo, prefix] = parseIpv6Route(text);
  // RTF_UP | RTF_GATEWAY | RTF_DEFAULT | RTF_ADDRCONF | RTF_EXPIRES
  assertEquals(router, {
    family: 6,
    destination: "::",
    prefixLength: 0,
    gateway: "fe80::1",
    metric: 600,
    flags: 0x00450003,
    type: "unicast",
    origin: "ra",
    name: "wlp2s0",
  });
  // RFC 4191 Route Information: RTF_ROUTEINFO, not RTF_ADDRCONF.
  assertEquals(routeInfo?.origin, undefined);
  assertEquals(routeInfo?.prefixLength, 48);
  assertEquals(prefix?.origin, "ra");
  assertEquals(prefix?.gateway, undefined);
});

Deno.test("ipv6_route: a source-specific route keeps its source prefix", () => {
  const [route] = parseIpv6Route(
    "00000000000000000000000000000000 00 20010db8000a00000000000000000000 30 fe800000000000000000000000000001 00000400 00000001 00000000 00000003     eth0\n",
  );
  assertEquals(route?.source, "2001:db8:a::");
  assertEquals(route?.sourcePrefixLength, 48);
});

Deno.test("ipv6_route: only ff00::/8 and longer are multicast, not 00ff::", () => {
  const [route] = parseIpv6Route(
    "00ff0000000000000000000000000000 10 00000000000000000000000000000000 00 00000000000000000000000000000000 00000400 00000001 00000000 00000001     eth0\n",
  );
  assertEquals(route?.destination, "ff::");
  assertEquals(route?.type, "unicast");
});

Deno.test("ipv6_route: a next hop without RTF_GATEWAY is not a gateway", () => {
  const [route] = parseIpv6Route(
    "20010db8000000000000000000000000 20 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000001     eth0\n",
  );
  assertEquals(route?.gateway, undefined);
});

Deno.test("ipv6_route: malformed lines are SyntaxErrors", () => {
  assertProcError(
    () => parseIpv6Route("00000000000000000000000000000000 00 00000000000000000000000000000000 00 eth0\n"),
    "line 1 has 5 fields, expected 10",
    { code: "field-count", offset: 0, line: 1 },
  );
  assertProcError(
    () =>
      parseIpv6Route(
        "00000000000000000000000000000000 81 00000000000000000000000000000000 00 00000000000000000000000000000000 00000400 00000001 00000000 00000001     eth0\n",
      ),
    "has a prefix length above 128",
    { code: "invalid-value", offset: 0, line: 1 },
  );
  assertProcError(
    () =>
      parseIpv6Route(
        "00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 000004000 00000001 00000000 00000001     eth0\n",
      ),
    'has metric "000004000", expected up to 8 hex digits',
    { code: "invalid-number", offset: 0, line: 1 },
  );
});

// ---------------------------------------------------------------------------
// /proc/net/route
// ---------------------------------------------------------------------------

/** This machine's /proc/net/route: tabs, and lines padded with spaces to 127 characters. */
const THIS_MACHINE_ROUTE = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT" +
  " ".repeat(55) + "\n" +
  "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0" + " ".repeat(79) + "\n" +
  "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0" + " ".repeat(79) + "\n";

Deno.test("route: this machine's file, little-endian", async () => {
  assertEquals(await Deno.readTextFile("tests/fixtures/host/this-machine/proc/net/route"), THIS_MACHINE_ROUTE);
  const routes = parseIpv4Route(THIS_MACHINE_ROUTE, { byteOrder: "little" });
  assertEquals(routes, [
    {
      family: 4,
      destination: "0.0.0.0",
      prefixLength: 0,
      gateway: "192.0.2.1",
      metric: 0,
      flags: 3,
      type: "unicast",
      name: "eth0",
    },
    { family: 4, destination: "192.0.2.0", prefixLength: 24, metric: 0, flags: 1, type: "unicast", name: "eth0" },
  ]);
});

Deno.test("route: the same integers written by a big-endian machine", () => {
  const text = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
    "eth0\t00000000\tC0000201\t0003\t0\t0\t100\t00000000\t0\t0\t0\n" +
    "eth0\tC0000200\t00000000\t0001\t0\t0\t100\tFFFFFF00\t0\t0\t0\n";
  const routes = parseIpv4Route(text, { byteOrder: "big" });
  assertEquals(routes.map((r) => `${r.destination}/${r.prefixLength} ${r.gateway ?? "-"} ${r.metric}`), [
    "0.0.0.0/0 192.0.2.1 100",
    "192.0.2.0/24 - 100",
  ]);
});

Deno.test("route: a reject route with no link, a host route and a /30", () => {
  const text = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
    "*\t0000630A\t00000000\t0201\t0\t0\t0\t0000FFFF\t0\t0\t0\n" +
    "wg0\t0100400A\t00000000\t0005\t0\t0\t0\tFFFFFFFF\t0\t0\t0\n" +
    "wwan0\t0C0E4864\t00000000\t0001\t0\t0\t700\tFCFFFFFF\t0\t0\t0\n";
  const [reject, host, p2p] = parseIpv4Route(text, { byteOrder: "little" });
  assertEquals([reject?.name, reject?.destination, reject?.prefixLength, reject?.type], [
    "*",
    "10.99.0.0",
    16,
    "reject",
  ]);
  assertEquals([host?.destination, host?.prefixLength], ["10.64.0.1", 32]);
  assertEquals([p2p?.destination, p2p?.prefixLength, p2p?.metric], ["100.72.14.12", 30, 700]);
});

Deno.test("route: a header alone is no route", () => {
  assertEquals(
    parseIpv4Route("Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"),
    [],
  );
  assertEquals(parseIpv4Route(""), []);
});

Deno.test("route: malformed lines are SyntaxErrors", () => {
  const header = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n";
  assertProcError(
    () =>
      parseIpv4Route(header + "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FF00FF\t0\t0\t0\n", { byteOrder: "little" }),
    "line 2 has mask 255.0.255.0, not contiguous",
    { code: "invalid-value", offset: header.length, line: 2 },
  );
  assertProcError(
    () => parseIpv4Route(header + "eth0\t000200C0\t00000000\t0000\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"),
    "has flags 0000 without RTF_UP",
    { code: "invalid-value", offset: header.length, line: 2 },
  );
  assertProcError(
    () => parseIpv4Route(header + "eth0\t000200C0\t00000000\t0001\t0\t0\tx\t00FFFFFF\t0\t0\t0\n"),
    'has metric "x", expected a number',
    { code: "invalid-number", offset: header.length, line: 2 },
  );
  assertProcError(
    () => parseIpv4Route(header + "eth0\t000200C0\n"),
    "line 2 has 2 fields, expected 11",
    { code: "field-count", offset: header.length, line: 2 },
  );
});

// ---------------------------------------------------------------------------
// sysfs uevent
// ---------------------------------------------------------------------------

Deno.test("uevent: this machine's eth0 and a Wi-Fi link", () => {
  assertEquals(parseUevent("INTERFACE=eth0\nIFINDEX=4\n"), { INTERFACE: "eth0", IFINDEX: "4" });
  assertEquals(parseUevent("DEVTYPE=wlan\nINTERFACE=wlp2s0\nIFINDEX=3\n").DEVTYPE, "wlan");
  // A value may hold "="; a line without one is not an entry.
  assertEquals(parseUevent("A=b=c\nnoise\n=x\n"), { A: "b=c" });
});

// ---------------------------------------------------------------------------
// resolv.conf
// ---------------------------------------------------------------------------

Deno.test("resolv.conf: this machine's file", () => {
  assertEquals(parseResolvConf("nameserver 8.8.8.8\n"), {
    nameservers: ["8.8.8.8"],
    searchDomains: [],
    options: {},
    skipped: [],
  });
});

/** A hand-written file with every case resolv.conf(5) and glibc's res_init know, and some they reject. */
const RICH_RESOLV_CONF = [
  "# Generated by NetworkManager", // 1
  "; an old-style comment", // 2
  "domain home.example", // 3: replaced by the search line below
  "search Corp.Example. lab.example\tbranch.example", // 4
  "nameserver 192.168.1.1", // 5
  "nameserver 2001:DB8:1:0:0:0:0:53", // 6: canonicalised
  "nameserver fe80::1%wlp2s0", // 7: the zone is kept
  "nameserver 9.9.9.9 # Quad9", // 8: words after the address are ignored
  "nameserver 127.1", // 9: inet_aton shorthand, refused here
  "nameserver", // 10: no address
  "nameserver\t1.1.1.1", // 11: a tab counts as the blank after the keyword
  "  nameserver 192.0.2.99", // 12: not at the start of the line
  "nameserver192.0.2.98", // 13: no blank after the keyword
  "nameserver 192.0.2.1%eth0", // 14: IPv4 has no zone
  "options edns0 trust-ad ndots:2 timeout:3 attempts:5 rotate", // 15
  "options inet6", // 16: options accumulate
  "sortlist 130.155.160.0/255.255.240.0", // 17: not read
  "lookup file bind", // 18: a BSD keyword
  "", // 19
].join("\r\n");

Deno.test("resolv.conf: a rich hand-written file", () => {
  const conf = parseResolvConf(RICH_RESOLV_CONF);
  assertEquals(conf.nameservers, ["192.168.1.1", "2001:db8:1::53", "fe80::1%wlp2s0", "9.9.9.9", "1.1.1.1"]);
  assertEquals(conf.searchDomains, ["corp.example", "lab.example", "branch.example"]);
  assertEquals(conf.options, {
    edns0: true,
    "trust-ad": true,
    ndots: 2,
    timeout: 3,
    attempts: 5,
    rotate: true,
    inet6: true,
  });
  assertEquals(conf.skipped.map((s) => s.line), [9, 10, 12, 13, 14, 17, 18]);
  assertEquals(conf.skipped[0]?.text, "nameserver 127.1");
  assert(conf.skipped[0]!.reason.startsWith('Cannot parse IP address "127.1"'), conf.skipped[0]!.reason);
  assertEquals(conf.skipped[1]?.reason, "Nameserver line has no address");
  assertEquals(conf.skipped[2]?.reason, "Line starts with a blank");
  assertEquals(conf.skipped[3]?.reason, 'Unknown keyword "nameserver192.0.2.98"');
  assertEquals(conf.skipped[5]?.reason, 'Unknown keyword "sortlist"');
});

Deno.test("resolv.conf: the last of domain and search wins", () => {
  assertEquals(parseResolvConf("search a.example b.example\ndomain C.example.\n").searchDomains, ["c.example"]);
  assertEquals(parseResolvConf("domain c.example\nsearch a.example\n").searchDomains, ["a.example"]);
  // "search ." is the root: no search domain.
  assertEquals(parseResolvConf("search .\n").searchDomains, []);
  assertEquals(parseResolvConf("domain\n").skipped[0]?.reason, "Domain line has no domain");
});

Deno.test("resolv.conf: systemd-resolved's stub file", () => {
  const conf = parseResolvConf(
    "# This is /run/systemd/resolve/stub-resolv.conf managed by man:systemd-resolved(8).\n" +
      "# Do not edit.\n\nnameserver 127.0.0.53\noptions edns0 trust-ad\nsearch home.example\n",
  );
  assertEquals(conf.nameservers, ["127.0.0.53"]);
  assertEquals(conf.searchDomains, ["home.example"]);
});

// ---------------------------------------------------------------------------
// systemd-resolved per-link state
// ---------------------------------------------------------------------------

Deno.test("resolved link state: a Wi-Fi link with a link-local server and a routing domain", () => {
  const state = parseResolvedLinkState([
    "# This is private data. Do not parse.",
    "LLMNR=yes",
    "MDNS=no",
    "DEFAULT_ROUTE=yes",
    "SERVERS=192.168.1.1 fe80::1%3 2001:db8:1::53",
    "DOMAINS=home.example ~corp.example",
    "",
  ].join("\n"));
  assertEquals(state, {
    servers: [{ address: "192.168.1.1" }, { address: "fe80::1", ifindex: 3 }, { address: "2001:db8:1::53" }],
    searchDomains: ["home.example"],
    routeOnlyDomains: ["corp.example"],
    defaultRoute: true,
    values: {
      LLMNR: "yes",
      MDNS: "no",
      DEFAULT_ROUTE: "yes",
      SERVERS: "192.168.1.1 fe80::1%3 2001:db8:1::53",
      DOMAINS: "home.example ~corp.example",
    },
    skipped: [],
  });
});

Deno.test("resolved link state: every server form systemd writes", () => {
  const { servers, skipped } = parseResolvedLinkState(
    "SERVERS=100.72.0.53 2001:DB8:CAFE::53#dns.carrier.example 100.72.0.54:853#dot.carrier.example " +
      "[2001:db8::35]:853#dot.example [fe80::35]:5353%4 fe80::36%4#link.example 192.0.2.53:53\n",
  );
  assertEquals(servers, [
    { address: "100.72.0.53" },
    { address: "2001:db8:cafe::53", serverName: "dns.carrier.example" },
    { address: "100.72.0.54", port: 853, serverName: "dot.carrier.example" },
    { address: "2001:db8::35", port: 853, serverName: "dot.example" },
    { address: "fe80::35", port: 5353, ifindex: 4 },
    { address: "fe80::36", ifindex: 4, serverName: "link.example" },
    // Port 53 is the default and not kept.
    { address: "192.0.2.53" },
  ]);
  assertEquals(skipped, []);
});

Deno.test("resolved link state: bad entries are skipped, the rest kept", () => {
  const state = parseResolvedLinkState(
    "SERVERS=192.0.2.1 [2001:db8::1 [2001:db8::2]:x 192.0.2.2:70000 not-an-address fe80::1%eth0 192.0.2.3\n" +
      "DEFAULT_ROUTE=maybe\nGARBAGE\n",
  );
  assertEquals(state.servers.map((s) => s.address), ["192.0.2.1", "192.0.2.3"]);
  assertEquals(state.skipped.map((s) => s.reason), [
    'Cannot parse DNS server "[2001:db8::1": no closing bracket',
    'Cannot parse DNS server "[2001:db8::2]:x": bad port',
    'Cannot parse DNS server "192.0.2.2:70000": port 70000 out of range',
    'Cannot parse IP address "not-an-address": unexpected character at offset 0',
    'Cannot parse DNS server "fe80::1%eth0": zone "eth0" is not an interface index',
    'DEFAULT_ROUTE is "maybe", not yes or no',
    "Line has no KEY=VALUE",
  ]);
  assertEquals(state.defaultRoute, undefined);
});

Deno.test("resolved link state: ~. routes every name to the link", () => {
  const state = parseResolvedLinkState("DEFAULT_ROUTE=no\nSERVERS=fd7a:115c:a1e0::53\nDOMAINS=~. ~Tailnet.Example.\n");
  assertEquals(state.routeOnlyDomains, [".", "tailnet.example"]);
  assertEquals(state.searchDomains, []);
  assertEquals(state.defaultRoute, false);
  assertEquals(parseResolvedLinkState("").servers, []);
});
