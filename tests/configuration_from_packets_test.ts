// Configuration data from parsed packets (api/configuration_from_packets.ts):
// Router Advertisements (plain, with a PvD ID option, withdrawals, a real
// capture), DHCPv6 Replies and relays, DHCPv4 ACKs.

import {
  configurationFromDhcpv4,
  configurationFromDhcpv6,
  configurationFromRouterAdvertisement,
} from "../api/configuration_from_packets.ts";
import {
  buildDhcpv4,
  buildDhcpv6,
  buildRouterAdvertisement,
  type Dhcpv6Message,
  parseDhcpv4,
  parseDhcpv6,
  parseRouterAdvertisement,
} from "../core-as/mod.ts";
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { BASE, CAPTURES, FULL_RA, PVD_RA, routerAdvertisementsIn } from "./_router_advertisement_fixtures.ts";
import { INFORMATION_REPLY, SOLICIT } from "./_dhcpv6_fixtures.ts";
import { ACK, DISCOVER } from "./_dhcpv4_fixtures.ts";

// ---------------------------------------------------------------------------
// Router Advertisements

Deno.test("configurationFromRouterAdvertisement: the implicit PvD of a plain RA", () => {
  const parsed = parseRouterAdvertisement(FULL_RA);
  assertEquals(configurationFromRouterAdvertisement(parsed, { sourceAddress: "FE80::1%eth0" }), {
    "dns-servers": [{ address: "2001:db8::53", lifetime: 3600 }, { address: "2001:db8::54", lifetime: 3600 }],
    "search-domains": [{ domain: "example.com", lifetime: Infinity }],
    routers: [{ address: "fe80::1%eth0", lifetime: 1800, preference: "medium" }],
    prefixes: [{
      prefix: "2001:db8:1::",
      length: 64,
      validLifetime: 86400,
      preferredLifetime: 14400,
      onLink: true,
      autonomous: true,
    }],
    routes: [{ prefix: "2001:db8:c::", length: 48, lifetime: 600, preference: "high" }],
    mtu: 1500,
    "captive-portal": "https://cp.example",
  });
  // Without the source address there is no router to name.
  assertEquals(configurationFromRouterAdvertisement(parsed).routers, undefined);
  assertThrows(
    () => configurationFromRouterAdvertisement(parsed, { sourceAddress: "nope" }),
    TypeError,
    "sourceAddress",
  );
});

Deno.test("configurationFromRouterAdvertisement: an explicit PvD takes its nested header and options", () => {
  const data = configurationFromRouterAdvertisement(parseRouterAdvertisement(PVD_RA), { sourceAddress: "fe80::2" });
  assertEquals(data, {
    "dns-servers": [{ address: "2001:db8:ab::53", lifetime: 600 }],
    // The outer Router Lifetime is 0; the PvD's own header says 3600, high.
    routers: [{ address: "fe80::2", lifetime: 3600, preference: "high" }],
    prefixes: [{
      prefix: "2001:db8:ab::",
      length: 64,
      validLifetime: 7200,
      preferredLifetime: 3600,
      onLink: true,
      autonomous: true,
    }],
  });
});

Deno.test("configurationFromRouterAdvertisement: withdrawn entries, link-local prefixes and tiny MTUs are left out", () => {
  const parsed = parseRouterAdvertisement(buildRouterAdvertisement({
    ...BASE,
    routerLifetime: 0,
    options: [
      { type: "rdnss", lifetime: 0, servers: ["2001:db8::53"] },
      { type: "dnssl", lifetime: 0, domains: ["gone.example"] },
      { type: "route-information", prefix: "2001:db8::", prefixLength: 32, preference: "low", lifetime: 0 },
      {
        type: "prefix-information",
        prefix: "fe80::",
        prefixLength: 64,
        onLink: true,
        autonomous: true,
        routerAddress: false,
        reservedFlags: 0,
        validLifetime: 60,
        preferredLifetime: 60,
      },
      {
        type: "prefix-information",
        prefix: "2001:db8:5::1",
        prefixLength: 48,
        onLink: true,
        autonomous: false,
        routerAddress: true,
        reservedFlags: 0,
        validLifetime: 60,
        preferredLifetime: 90,
      },
      { type: "mtu", mtu: 1000 },
      { type: "mtu", mtu: 1400 },
    ],
  }));
  assertEquals(configurationFromRouterAdvertisement(parsed, { sourceAddress: "fe80::1" }), {
    prefixes: [{
      prefix: "2001:db8:5::",
      length: 48,
      validLifetime: 60,
      preferredLifetime: 60,
      onLink: true,
      autonomous: false,
    }],
    mtu: 1400,
  });
});

Deno.test("configurationFromRouterAdvertisement: the RA of a real capture (anyconnect)", async () => {
  const [first] = routerAdvertisementsIn(await Deno.readFile(new URL("nDPI/anyconnect-vpn.pcap", CAPTURES)));
  assert(first !== undefined);
  const data = configurationFromRouterAdvertisement(parseRouterAdvertisement(first.icmp), { sourceAddress: first.src });
  assertEquals(data, {
    "dns-servers": [{ address: "2001:558:feed::1", lifetime: 86400 }, { address: "2001:558:feed::2", lifetime: 86400 }],
    routers: [{ address: "fe80::2e7e:81ff:feb0:4aa1", lifetime: 180, preference: "medium" }],
    prefixes: [{
      prefix: "2601:646:8402:44b0::",
      length: 64,
      validLifetime: 195869,
      preferredLifetime: 195869,
      onLink: true,
      autonomous: true,
    }],
    routes: [{ prefix: "::", length: 0, lifetime: 180, preference: "medium" }],
  });
});

// ---------------------------------------------------------------------------
// DHCPv6

Deno.test("configurationFromDhcpv6: DNS servers, search domains and captive portal with the refresh time", () => {
  assertEquals(configurationFromDhcpv6(parseDhcpv6(INFORMATION_REPLY)), {
    "dns-servers": [{ address: "2001:db8::53", lifetime: 7200 }, { address: "2001:db8::35", lifetime: 7200 }],
    "search-domains": [{ domain: "example.net", lifetime: 7200 }, { domain: "corp.example.net", lifetime: 7200 }],
    "captive-portal": "https://portal.example.net/api",
  });
});

Deno.test("configurationFromDhcpv6: no Information Refresh Time means Infinity; relays map their message", () => {
  const reply: Dhcpv6Message = {
    messageType: "reply",
    type: 7,
    transactionId: 1,
    options: [
      { name: "dns-servers", type: 23, servers: ["2001:db8::53"] },
      { name: "dns-servers", type: 23, servers: ["2001:db8::53", "2001:db8::54"] },
      { name: "domain-list", type: 24, domains: ["example.net", "example.net", ""] },
    ],
    skipped: [],
  };
  const expected = {
    "dns-servers": [{ address: "2001:db8::53", lifetime: Infinity }, { address: "2001:db8::54", lifetime: Infinity }],
    "search-domains": [{ domain: "example.net", lifetime: Infinity }],
  };
  assertEquals(configurationFromDhcpv6(reply), expected);
  const relay = parseDhcpv6(buildDhcpv6({
    messageType: "relay-reply",
    type: 13,
    hopCount: 0,
    linkAddress: "::",
    peerAddress: "fe80::1",
    options: [],
    message: reply,
    skipped: [],
  }));
  assertEquals(configurationFromDhcpv6(relay), expected);
  assertEquals(configurationFromDhcpv6(parseDhcpv6(SOLICIT)), {});
});

// ---------------------------------------------------------------------------
// DHCPv4

Deno.test("configurationFromDhcpv4: an ACK with every mapped option", () => {
  const data = configurationFromDhcpv4(parseDhcpv4(ACK));
  assertEquals(data, {
    "dns-servers": [{ address: "192.0.2.53", lifetime: 3600 }, { address: "192.0.2.54", lifetime: 3600 }],
    "search-domains": [
      { domain: "example.com", lifetime: 3600 },
      { domain: "eng.apple.com", lifetime: 3600 },
      { domain: "marketing.apple.com", lifetime: 3600 },
    ],
    // RFC 3442: with option 121 present, the Router option is
    // ignored; its 0/0 route is the default router.
    routers: [{ address: "192.0.2.1", lifetime: 3600, preference: "medium" }],
    routes: [{ prefix: "10.17.0.0", length: 16, via: "192.0.2.1", lifetime: 3600, preference: "medium" }],
    prefixes: [{
      prefix: "192.0.2.0",
      length: 24,
      validLifetime: 3600,
      preferredLifetime: 3600,
      onLink: true,
      autonomous: false,
    }],
    mtu: 1500,
    "captive-portal": "https://portal.example/api",
  });
});

Deno.test("configurationFromDhcpv4: routers without 121, infinite lease, unrestricted portal, non-ACK", () => {
  const ack = parseDhcpv4(buildDhcpv4({
    op: 2,
    yiaddr: "10.1.2.3",
    options: [
      { name: "message-type", type: 53, messageType: 5 },
      { name: "lease-time", type: 51, seconds: Infinity },
      { name: "subnet-mask", type: 1, mask: "255.0.255.0" }, // not contiguous: no prefix
      { name: "router", type: 3, addresses: ["10.0.0.1"] },
      { name: "captive-portal", type: 114, uri: "urn:ietf:params:capport:unrestricted" },
    ],
  }));
  assertEquals(configurationFromDhcpv4(ack), {
    routers: [{ address: "10.0.0.1", lifetime: Infinity, preference: "medium" }],
  });
  assertThrows(() => configurationFromDhcpv4(parseDhcpv4(DISCOVER)), RangeError, "message type is DHCPDISCOVER");
});
