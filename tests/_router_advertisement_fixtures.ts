// Router Advertisement fixtures shared by the parser tests
// (core_router_advertisement_test.ts), the configuration data tests
// (configuration_from_packets_test.ts) and the host adapter's tests
// (host_model_test.ts, host_ra_listener_test.ts): byte fixtures split per
// field, decoded options, and the RAs of capture files.

import type { NdOption, RouterAdvertisementHeader, RouterAdvertisementInit } from "../core-as/router_advertisement.ts";
import { readCapture } from "../core-as/capture.ts";
import { assert } from "./_assert.ts";

// ---------------------------------------------------------------------------
// Helpers

/** Bytes from hex fragments (one per field in the fixtures); spaces ignored. */
export function h(...parts: string[]): Uint8Array {
  const hex = parts.join("").replace(/\s+/g, "");
  assert(hex.length % 2 === 0, `odd hex: ${hex}`);
  return Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));
}

/** Hex of ASCII text, for names and URIs in fixtures. */
export function text(value: string): string {
  return Array.from(value, (c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
}

// ---------------------------------------------------------------------------
// Fixtures

/**
 * Provider B's RFC 8801 PvD option as the namespace lab sends it:
 * `pvd.provider-b.example` with its own prefix (2001:db8:bb::/64) and
 * provider B's DNS server; with the embedded RA header (the R flag) when
 * `withHeader`.
 */
export function providerBPvdOption(withHeader = false): NdOption {
  return {
    type: "pvd",
    pvdId: "pvd.provider-b.example",
    http: false,
    legacy: false,
    reservedFlags: 0,
    delay: 0,
    sequenceNumber: 1,
    // The embedded header: BASE's, with a Router Lifetime of 0 (RFC 8801 section 3.1).
    ...(withHeader ? { header: { ...raHeader(BASE), routerLifetime: 0 } } : {}),
    options: [
      {
        type: "prefix-information",
        prefix: "2001:db8:bb::",
        prefixLength: 64,
        onLink: true,
        autonomous: true,
        router: false,
        reservedFlags: 0,
        validLifetime: 7200,
        preferredLifetime: 3600,
      },
      { type: "rdnss", lifetime: 600, servers: ["2001:db8:b::53"] },
    ],
  } as NdOption;
}

/** An RA's header fields, without its options. */
function raHeader(ra: RouterAdvertisementInit): RouterAdvertisementHeader {
  const { options: _options, ...header } = ra;
  return header;
}

/** A header for builders: hop limit 64, no flags, Router Lifetime 1800 s. */
export const BASE: RouterAdvertisementInit = {
  curHopLimit: 64,
  managed: false,
  other: false,
  homeAgent: false,
  preference: "medium",
  proxy: false,
  reservedFlags: 0,
  routerLifetime: 1800,
  reachableTime: 0,
  retransTimer: 0,
  options: [],
};

/** A full RA with every option type, field by field. */
export const FULL_RA = h(
  // RA header (RFC 4861 section 4.2)
  "86", // Type 134
  "00", // Code 0
  "beef", // Checksum, kept as received
  "40", // Cur Hop Limit 64
  "e4", // M=1 O=1 H=1 (RFC 3775) Prf=00 (medium) P=1 (RFC 4389) reserved=00
  "0708", // Router Lifetime 1800 s
  "00007530", // Reachable Time 30000 ms
  "000003e8", // Retrans Timer 1000 ms
  // Source Link-Layer Address (1), offset 16
  "01", // Type
  "01", // Length 1
  "525400123456", // MAC
  // Target Link-Layer Address (2), offset 24
  "02", // Type
  "01", // Length 1
  "0a0b0c0d0e0f", // MAC
  // Prefix Information (3), offset 32
  "03", // Type
  "04", // Length 4
  "40", // Prefix Length 64
  "e0", // L=1 A=1 R=1 reserved=0
  "00015180", // Valid Lifetime 86400
  "00003840", // Preferred Lifetime 14400
  "00000000", // Reserved2
  "20010db8000100000000000000000000", // Prefix 2001:db8:1::
  // MTU (5), offset 64
  "05", // Type
  "01", // Length 1
  "0000", // Reserved
  "000005dc", // MTU 1500
  // Route Information (24, RFC 4191), offset 72
  "18", // Type
  "02", // Length 2 (prefix up to /64)
  "30", // Prefix Length 48
  "08", // Prf=01 (high)
  "00000258", // Route Lifetime 600
  "20010db8000c0000", // Prefix 2001:db8:c::
  // RDNSS (25, RFC 8106), offset 88
  "19", // Type
  "05", // Length 5: two addresses
  "0000", // Reserved
  "00000e10", // Lifetime 3600
  "20010db8000000000000000000000053", // 2001:db8::53
  "20010db8000000000000000000000054", // 2001:db8::54
  // Flags Expansion (26, RFC 5175), offset 128
  "1a", // Type
  "01", // Length 1
  "800000000001", // 48 flag bits
  // DNSSL (31, RFC 8106), offset 136
  "1f", // Type
  "03", // Length 3
  "0000", // Reserved
  "ffffffff", // Lifetime: infinity
  "07" + text("Example") + "03" + text("COM") + "00", // Example.COM, lowercased when read
  "000000", // padding
  // Captive Portal (37, RFC 8910), offset 160
  "25", // Type
  "03", // Length 3
  text("https://cp.example"), // URI, 18 bytes
  "00000000", // NUL padding
  // PREF64 (38, RFC 8781), offset 184
  "26", // Type
  "02", // Length 2
  "0708", // Scaled Lifetime 225 (1800 s), PLC 0 (/96)
  "0064ff9b0000000000000000", // Prefix 64:ff9b::
  // DNR (144, RFC 9463), offset 200
  "90", // Type
  "07", // Length 7
  "0001", // Service Priority 1
  "00000e10", // Lifetime 3600
  "0012", // ADN Length 18
  "08" + text("resolver") + "07" + text("example") + "00", // ADN resolver.example
  "0010", // Addr Length 16
  "20010db8000000000000000000000053", // 2001:db8::53
  "0007", // SvcParams Length 7
  "0001" + "0003" + "02" + text("h2"), // alpn=h2
  "00", // padding
  // An unknown option (253, experimental), offset 256
  "fd", // Type
  "01", // Length 1
  "010203040506", // data
);

/**
 * An RA whose PvD ID option (RFC 8801) carries an RA header, options, and a
 * nested PvD ID option that is skipped.
 */
export const PVD_RA = h(
  // RA header: Router Lifetime 0, so hosts that are not PvD-aware do not
  // use this router (RFC 8801 section 3.1's use of the R flag)
  "86", // Type 134
  "00", // Code 0
  "0000", // Checksum
  "40", // Cur Hop Limit 64
  "00", // flags
  "0000", // Router Lifetime 0
  "00000000", // Reachable Time
  "00000000", // Retrans Timer
  // PvD ID (21), offset 16
  "15", // Type
  "0d", // Length 13 (104 bytes: everything below)
  "a005", // H=1 L=0 R=1 Reserved=0 Delay=5
  "007b", // Sequence Number 123
  "03" + text("pvd") + "07" + text("example") + "03" + text("com") + "00", // PvD ID FQDN (17 bytes)
  "00", // padding to the 8-octet boundary (6 + 17 + 1 = 24)
  // nested RA header (16 octets), offset 40
  "86", // Type 134 (receivers ignore it)
  "00", // Code 0 (ignored)
  "0000", // Checksum 0 (ignored)
  "40", // Cur Hop Limit 64
  "48", // O=1 Prf=01 (high)
  "0e10", // Router Lifetime 3600
  "00000000", // Reachable Time
  "00000000", // Retrans Timer
  // nested RDNSS, offset 56
  "19", // Type
  "03", // Length 3
  "0000", // Reserved
  "00000258", // Lifetime 600
  "20010db800ab00000000000000000053", // 2001:db8:ab::53
  // nested Prefix Information, offset 80
  "03", // Type
  "04", // Length 4
  "40", // /64
  "c0", // L=1 A=1
  "00001c20", // Valid 7200
  "00000e10", // Preferred 3600
  "00000000", // Reserved2
  "20010db800ab00000000000000000000", // 2001:db8:ab::
  // a nested PvD ID option, offset 112: MUST NOT be there, skipped
  "15", // Type
  "01", // Length 1
  "0000", // flags
  "0000", // Sequence Number
  "00", // root name
  "00", // padding
);

// ---------------------------------------------------------------------------
// Real captures

/** The shared capture files (SOURCES.md there says where each comes from). */
export const CAPTURES = new URL("../../shared/captures/", import.meta.url);

/** One Router Advertisement of a capture. */
export interface CapturedRa {
  readonly frame: number;
  readonly src: string;
  readonly hlim: number;
  readonly icmp: Uint8Array;
}

/** The Router Advertisements of a capture file, with the IPv6 source and hop limit, read by the shared reader. */
export function routerAdvertisementsIn(file: Uint8Array): CapturedRa[] {
  return readCapture(file).packets
    .filter((p) => p.kind === "router-advertisement" && !p.fragment)
    .map((p) => ({ frame: p.frame, src: p.source!, hlim: p.hopLimit!, icmp: p.payload!.slice() }));
}
