/**
 * Parsers for the text files through which Linux shows its network state
 * without FFI: `/proc/net/if_inet6`, `/proc/net/ipv6_route`,
 * `/proc/net/route`, sysfs `uevent`, `resolv.conf` and systemd-resolved's
 * per-link state files. Pure functions over text: no I/O, runtime-neutral.
 *
 * The kernel's files have a fixed format, so a line that does not fit it is a
 * `SyntaxError` naming the file and the line (cause `{ code, offset, line }`):
 * reading on would mean misreading. `resolv.conf` and systemd-resolved's files
 * are written by people and other programs and read leniently, as glibc and
 * systemd do: a line that cannot be used is skipped and reported in `skipped`.
 *
 * IPv4 addresses are not in `/proc` as a table per link (only inside
 * `/proc/net/fib_trie`, without their link), so the sources take them from
 * `networkInterfaces()` instead.
 *
 * @module
 */

import { formatIpAddress, parseIpAddress } from "../../core-as/ip_address.ts";
import {
  type AddressScope,
  decodeAddressFlags,
  type KernelAddressFlags,
  type KernelRouteType,
} from "./kernel_facts.ts";

/**
 * The `cause` of a `SyntaxError` from the `/proc` parsers.
 *
 * @example Where a bad line starts
 * ```ts
 * import { parseIfInet6, type ProcParseErrorCause } from "./proc_parsers.ts";
 *
 * try {
 *   parseIfInet6("00000000000000000000000000000001 01 80 10 80       lo\nbroken\n");
 *   throw new Error("accepted");
 * } catch (error) {
 *   const cause = (error as Error).cause as ProcParseErrorCause;
 *   if (cause.code !== "field-count" || cause.line !== 2 || cause.offset !== 54) throw error;
 * }
 * ```
 */
export interface ProcParseErrorCause {
  /** What is wrong: the number of fields, a number, or a value out of range. */
  readonly code: "field-count" | "invalid-number" | "invalid-value";
  /** Character offset of the line's start in the text. */
  readonly offset: number;
  /** Line number, from 1. */
  readonly line: number;
}

/**
 * A line of a configuration file that was not used, and why.
 *
 * @example
 * ```ts
 * import { parseResolvConf, type SkippedLine } from "./proc_parsers.ts";
 *
 * const skipped: readonly SkippedLine[] = parseResolvConf("nameserver 127.1\n").skipped;
 * if (skipped[0]?.line !== 1) throw new Error("unexpected");
 * ```
 */
export interface SkippedLine {
  /** Line number, from 1. */
  readonly line: number;
  /** The line's text. */
  readonly text: string;
  /** Why it was skipped, sentence case. */
  readonly reason: string;
}

// ---------------------------------------------------------------------------
// Lines and fields
// ---------------------------------------------------------------------------

interface Line {
  readonly text: string;
  readonly number: number;
  readonly offset: number;
}

/** Every line with its number and offset; a trailing `\r` is dropped. */
function lines(text: string): Line[] {
  const out: Line[] = [];
  let offset = 0;
  let number = 1;
  for (const raw of text.split("\n")) {
    out.push({ text: raw.endsWith("\r") ? raw.slice(0, -1) : raw, number, offset });
    offset += raw.length + 1;
    number++;
  }
  return out;
}

function fields(line: Line): string[] {
  const trimmed = line.text.trim();
  return trimmed === "" ? [] : trimmed.split(/\s+/);
}

function procError(file: string, line: Line, code: ProcParseErrorCause["code"], what: string): SyntaxError {
  const cause: ProcParseErrorCause = { code, offset: line.offset, line: line.number };
  return new SyntaxError(`Cannot parse ${file}: line ${line.number} ${what}`, { cause });
}

const HEX = /^[0-9a-fA-F]+$/;
const DECIMAL = /^-?[0-9]+$/;

function hexField(file: string, line: Line, name: string, text: string, maxDigits: number): number {
  if (!HEX.test(text) || text.length > maxDigits) {
    throw procError(file, line, "invalid-number", `has ${name} "${text}", expected up to ${maxDigits} hex digits`);
  }
  return parseInt(text, 16);
}

function decimalField(file: string, line: Line, name: string, text: string): number {
  if (!DECIMAL.test(text)) throw procError(file, line, "invalid-number", `has ${name} "${text}", expected a number`);
  return Number(text);
}

/** 32 hex digits, network byte order, as `/proc/net/if_inet6` and `ipv6_route` print `struct in6_addr`. */
function ipv6Field(file: string, line: Line, name: string, text: string): string {
  if (text.length !== 32 || !HEX.test(text)) {
    throw procError(file, line, "invalid-number", `has ${name} "${text}", expected 32 hex digits`);
  }
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return formatIpAddress(bytes);
}

/** A line's fields once {@linkcode expectFields} has checked their number. */
type Fields<N extends number, T extends string[] = []> = T["length"] extends N ? T : Fields<N, [...T, string]>;

function expectFields(file: string, line: Line, got: string[], expected: number): void {
  if (got.length !== expected) {
    const fieldWord = got.length === 1 ? "field" : "fields";
    throw procError(file, line, "field-count", `has ${got.length} ${fieldWord}, expected ${expected}`);
  }
}

// ---------------------------------------------------------------------------
// /proc/net/if_inet6
// ---------------------------------------------------------------------------

/**
 * One line of `/proc/net/if_inet6`: an IPv6 address of a link.
 *
 * @example
 * ```ts
 * import { parseIfInet6, type ProcInet6Address } from "./proc_parsers.ts";
 *
 * const [lo]: ProcInet6Address[] = parseIfInet6("00000000000000000000000000000001 01 80 10 80       lo\n");
 * if (lo?.address !== "::1" || lo.scope !== "host") throw new Error("unexpected");
 * ```
 */
export interface ProcInet6Address {
  /** Canonical text. */
  readonly address: string;
  /** The link's index. */
  readonly ifindex: number;
  /** Prefix length. */
  readonly prefixLength: number;
  /** Scope, from the kernel's address type bits. */
  readonly scope: AddressScope;
  /**
   * Flags. The file prints `(u8) ifp->flags`, so the flags above 0x80
   * (`IFA_F_MANAGETEMPADDR`, `NOPREFIXROUTE`, `MCAUTOJOIN`, `STABLE_PRIVACY`)
   * always read false here.
   */
  readonly flags: KernelAddressFlags;
  /** The link's name. */
  readonly name: string;
}

// The scope column prints `ipv6_addr_scope()`: the IPV6_ADDR_* type bits
// under IPV6_ADDR_SCOPE_MASK (0xf0), from include/net/ipv6.h.
const IPV6_ADDR_LOOPBACK = 0x10;
const IPV6_ADDR_LINKLOCAL = 0x20;
const IPV6_ADDR_SITELOCAL = 0x40;

function inet6Scope(bits: number): AddressScope {
  switch (bits & 0xf0) {
    case IPV6_ADDR_LOOPBACK:
      return "host";
    case IPV6_ADDR_LINKLOCAL:
      return "link";
    case IPV6_ADDR_SITELOCAL:
      return "site";
    default:
      // 0x00 is global; 0x80 (IPV6_ADDR_COMPATv4) is a global address too.
      return "global";
  }
}

/**
 * Parses `/proc/net/if_inet6`: per line, the address as 32 hex digits, the
 * ifindex, prefix length, scope and flags in hex, and the link's name
 * (`net/ipv6/addrconf.c`, `if6_seq_show`). The file shows no lifetimes: a
 * source built on it cannot say when an address expires.
 *
 * @example This machine's file
 * ```ts
 * import { parseIfInet6 } from "./proc_parsers.ts";
 *
 * const text = [
 *   "fd000000000000000000000000000002 04 40 00 82     eth0",
 *   "00000000000000000000000000000001 01 80 10 80       lo",
 *   "fe8000000000000000fc00fffe000001 04 40 20 80     eth0",
 *   "",
 * ].join("\n");
 * const [ula, , linkLocal] = parseIfInet6(text);
 * if (ula?.address !== "fd00::2" || ula.ifindex !== 4 || !ula.flags.noDad) throw new Error("unexpected");
 * if (linkLocal?.address !== "fe80::fc:ff:fe00:1" || linkLocal.scope !== "link") throw new Error("unexpected");
 * ```
 *
 * @param text The file's contents.
 * @returns One entry per line, in file order.
 * @throws {SyntaxError} If a line does not have the kernel's format.
 */
export function parseIfInet6(text: string): ProcInet6Address[] {
  const file = "/proc/net/if_inet6";
  const out: ProcInet6Address[] = [];
  for (const line of lines(text)) {
    const f = fields(line);
    if (f.length === 0) continue;
    expectFields(file, line, f, 6);
    const [address, ifindex, prefixLength, scope, flags, name] = f as Fields<6>;
    const length = hexField(file, line, "prefix length", prefixLength, 2);
    if (length > 128) throw procError(file, line, "invalid-value", `has prefix length ${length}, above 128`);
    out.push({
      address: ipv6Field(file, line, "address", address),
      // "%02x" is a minimum width: an ifindex above 255 prints more digits.
      ifindex: hexField(file, line, "ifindex", ifindex, 8),
      prefixLength: length,
      scope: inet6Scope(hexField(file, line, "scope", scope, 2)),
      flags: decodeAddressFlags(hexField(file, line, "flags", flags, 2), 6),
      name,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------

/**
 * One line of `/proc/net/ipv6_route` or `/proc/net/route`. The files name
 * the link, not its index; `*` stands for no link (a reject route).
 *
 * @example
 * ```ts
 * import { parseIpv4Route, type ProcRoute } from "./proc_parsers.ts";
 *
 * const text = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
 *   "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n";
 * const [route]: ProcRoute[] = parseIpv4Route(text, { byteOrder: "little" });
 * if (route?.gateway !== "192.0.2.1" || route.prefixLength !== 0) throw new Error("unexpected");
 * ```
 */
export interface ProcRoute {
  /** Address family. */
  readonly family: 4 | 6;
  /** Destination prefix address, canonical text. */
  readonly destination: string;
  /** Destination prefix length. */
  readonly prefixLength: number;
  /** Source prefix address (IPv6 source-specific routes only). */
  readonly source?: string;
  /** Source prefix length, when `source` is present. */
  readonly sourcePrefixLength?: number;
  /** Next hop, present when the route has `RTF_GATEWAY`. */
  readonly gateway?: string;
  /** Metric. */
  readonly metric: number;
  /** `RTF_*` flags as printed. */
  readonly flags: number;
  /** What the route does, from the flags (and for IPv6 multicast, the destination). */
  readonly type: KernelRouteType;
  /** `ra` when `RTF_ADDRCONF` says a router advertisement installed it (IPv6). */
  readonly origin?: "ra";
  /** The link's name; `*` for none. */
  readonly name: string;
}

// RTF_* from include/uapi/linux/route.h and ipv6_route.h.
const RTF_UP = 0x0001;
const RTF_GATEWAY = 0x0002;
const RTF_REJECT = 0x0200;
const RTF_ADDRCONF = 0x00040000;
const RTF_ANYCAST = 0x00100000;
const RTF_LOCAL = 0x80000000;

/**
 * Parses `/proc/net/ipv6_route`: per line, destination and its prefix
 * length, source and its prefix length, next hop (hex), metric, reference
 * count, use count and `RTF_*` flags (8 hex digits each), and the link's name
 * (`net/ipv6/route.c`, `ipv6_route_native_seq_show`).
 *
 * The file walks every table without saying which (local routes carry
 * `RTF_LOCAL`), shows no route preference or expiry, and for a route
 * through a nexthop object shows only its first nexthop.
 *
 * @example This machine's default route
 * ```ts
 * import { parseIpv6Route } from "./proc_parsers.ts";
 *
 * const line = "00000000000000000000000000000000 00 00000000000000000000000000000000 00 " +
 *   "fd000000000000000000000000000001 00000400 00000003 00000000 00000003     eth0\n";
 * const [route] = parseIpv6Route(line);
 * if (route?.gateway !== "fd00::1" || route.metric !== 1024 || route.type !== "unicast") throw new Error("unexpected");
 * ```
 *
 * @param text The file's contents.
 * @returns One entry per line, in file order.
 * @throws {SyntaxError} If a line does not have the kernel's format.
 */
export function parseIpv6Route(text: string): ProcRoute[] {
  const file = "/proc/net/ipv6_route";
  const out: ProcRoute[] = [];
  for (const line of lines(text)) {
    const f = fields(line);
    if (f.length === 0) continue;
    expectFields(file, line, f, 10);
    const [dst, dstLength, src, srcLength, nextHop, metric, , , flagsText, name] = f as Fields<10>;
    const prefixLength = hexField(file, line, "destination prefix length", dstLength, 2);
    const sourcePrefixLength = hexField(file, line, "source prefix length", srcLength, 2);
    if (prefixLength > 128 || sourcePrefixLength > 128) {
      throw procError(file, line, "invalid-value", "has a prefix length above 128");
    }
    const flags = hexField(file, line, "flags", flagsText, 8);
    const destination = ipv6Field(file, line, "destination", dst);
    const gateway = ipv6Field(file, line, "next hop", nextHop);
    const source = ipv6Field(file, line, "source", src);
    // ff00::/8 is the multicast route every IPv6 link gets; its type
    // (RTN_MULTICAST) is not among the printed flags.
    const multicast = prefixLength >= 8 && dst.slice(0, 2).toLowerCase() === "ff";
    const route: ProcRoute = {
      family: 6,
      destination,
      prefixLength,
      ...(sourcePrefixLength > 0 ? { source, sourcePrefixLength } : {}),
      ...((flags & RTF_GATEWAY) !== 0 ? { gateway } : {}),
      metric: hexField(file, line, "metric", metric, 8),
      flags,
      type: routeType(flags, multicast),
      ...((flags & RTF_ADDRCONF) !== 0 ? { origin: "ra" as const } : {}),
      name,
    };
    out.push(route);
  }
  return out;
}

function routeType(flags: number, multicast: boolean): KernelRouteType {
  // `flags` is a JS number up to 0xffffffff: compare with >>> 0 so that the
  // top bit (RTF_LOCAL) is not read as a sign.
  if (((flags & RTF_LOCAL) >>> 0) !== 0) return "local";
  if ((flags & RTF_REJECT) !== 0) return "reject";
  if ((flags & RTF_ANYCAST) !== 0 || multicast) return "other";
  return "unicast";
}

/**
 * Options for {@linkcode parseIpv4Route}.
 *
 * @example
 * ```ts
 * import type { Ipv4RouteOptions } from "./proc_parsers.ts";
 *
 * const x86: Ipv4RouteOptions = { byteOrder: "little" };
 * if (x86.byteOrder !== "little") throw new Error("unexpected");
 * ```
 */
export interface Ipv4RouteOptions {
  /**
   * The byte order of the machine that wrote the file: it prints each
   * `__be32` as a host integer, so on a little-endian machine `192.0.2.1`
   * reads `010200C0`. This machine's order when absent.
   */
  readonly byteOrder?: "little" | "big";
}

const HOST_BYTE_ORDER: "little" | "big" = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? "little" : "big";

function ipv4Field(file: string, line: Line, name: string, text: string, order: "little" | "big"): Uint8Array {
  const value = hexField(file, line, name, text, 8);
  const bytes = new Uint8Array([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
  return order === "little" ? bytes.reverse() : bytes;
}

function maskLength(file: string, line: Line, mask: Uint8Array): number {
  let length = 0;
  let ended = false;
  for (const byte of mask) {
    for (let bit = 7; bit >= 0; bit--) {
      const set = (byte >> bit) & 1;
      if (set && ended) {
        throw procError(file, line, "invalid-value", `has mask ${formatIpAddress(mask)}, not contiguous`);
      }
      if (set) length++;
      else ended = true;
    }
  }
  return length;
}

/**
 * Parses `/proc/net/route`: a header line, then per route the link's name,
 * destination, gateway, flags (hex), reference count, use count, metric
 * (decimal), mask (hex), MTU, window and initial RTT (`net/ipv4/fib_trie.c`,
 * `fib_route_seq_show`). Addresses are 32-bit integers in the writing
 * machine's byte order ({@linkcode Ipv4RouteOptions.byteOrder}).
 *
 * The file shows the `main` table only: routes of other tables (policy
 * routing, VPN clients) and local routes do not appear.
 *
 * @example This machine's routes
 * ```ts
 * import { parseIpv4Route } from "./proc_parsers.ts";
 *
 * const text = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
 *   "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n" +
 *   "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
 * const [, subnet] = parseIpv4Route(text, { byteOrder: "little" });
 * if (subnet?.destination !== "192.0.2.0" || subnet.prefixLength !== 24 || subnet.gateway !== undefined) {
 *   throw new Error("unexpected");
 * }
 * ```
 *
 * @param text The file's contents.
 * @param options The byte order of the machine that wrote it.
 * @returns One entry per route, in file order.
 * @throws {SyntaxError} If a line does not have the kernel's format.
 */
export function parseIpv4Route(text: string, options: Ipv4RouteOptions = {}): ProcRoute[] {
  const file = "/proc/net/route";
  const order = options.byteOrder ?? HOST_BYTE_ORDER;
  const out: ProcRoute[] = [];
  for (const line of lines(text)) {
    const f = fields(line);
    if (f.length === 0 || f[0] === "Iface") continue;
    expectFields(file, line, f, 11);
    const [name, dst, gw, flagsText, , , metric, mask] = f as Fields<11>;
    const flags = hexField(file, line, "flags", flagsText, 8);
    if ((flags & RTF_UP) === 0) {
      // fib_route_seq_show prints every route as RTF_UP; anything else is not this file.
      throw procError(file, line, "invalid-value", `has flags ${flagsText} without RTF_UP`);
    }
    const gateway = formatIpAddress(ipv4Field(file, line, "gateway", gw, order));
    out.push({
      family: 4,
      destination: formatIpAddress(ipv4Field(file, line, "destination", dst, order)),
      prefixLength: maskLength(file, line, ipv4Field(file, line, "mask", mask, order)),
      ...((flags & RTF_GATEWAY) !== 0 ? { gateway } : {}),
      metric: decimalField(file, line, "metric", metric),
      flags,
      type: (flags & RTF_REJECT) !== 0 ? "reject" : "unicast",
      name,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------
// sysfs uevent
// ---------------------------------------------------------------------------

/**
 * Parses a sysfs `uevent` file: `KEY=VALUE` per line. Lines without `=` are
 * ignored.
 *
 * @example A Wi-Fi link's uevent
 * ```ts
 * import { parseUevent } from "./proc_parsers.ts";
 *
 * const event = parseUevent("DEVTYPE=wlan\nINTERFACE=wlp2s0\nIFINDEX=3\n");
 * if (event.DEVTYPE !== "wlan" || event.IFINDEX !== "3") throw new Error("unexpected");
 * ```
 *
 * @param text The file's contents.
 * @returns The values by key.
 */
export function parseUevent(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines(text)) {
    const eq = line.text.indexOf("=");
    if (eq <= 0) continue;
    out[line.text.slice(0, eq)] = line.text.slice(eq + 1);
  }
  return out;
}

// ---------------------------------------------------------------------------
// resolv.conf
// ---------------------------------------------------------------------------

/**
 * What `resolv.conf` says.
 *
 * @example
 * ```ts
 * import { parseResolvConf, type ResolvConf } from "./proc_parsers.ts";
 *
 * const conf: ResolvConf = parseResolvConf("nameserver 8.8.8.8\n");
 * if (conf.nameservers[0] !== "8.8.8.8" || conf.searchDomains.length !== 0) throw new Error("unexpected");
 * ```
 */
export interface ResolvConf {
  /**
   * Name servers, canonical text, in file order; an IPv6 zone is kept
   * (`fe80::1%eth0`). Every valid one is kept, though glibc uses only the
   * first three (`MAXNS`).
   */
  readonly nameservers: readonly string[];
  /**
   * The search list: the words of the last `search` or `domain` line (the
   * later one replaces the earlier, as in glibc), lowercase, without the
   * trailing dot.
   */
  readonly searchDomains: readonly string[];
  /** `options`: `ndots:2` as `{ ndots: 2 }`, a flag such as `rotate` as `{ rotate: true }`. */
  readonly options: Readonly<Record<string, number | true>>;
  /** Lines that were not used: bad addresses, unknown keywords (`sortlist` included), empty values. */
  readonly skipped: readonly SkippedLine[];
}

/** A keyword counts only at the start of a line and followed by a blank, as glibc's MATCH. */
function keyword(text: string, name: string): string | undefined {
  if (!text.startsWith(name)) return undefined;
  // A keyword alone on its line is that keyword with no value.
  if (text.length === name.length) return "";
  const next = text[name.length];
  return next === " " || next === "\t" ? text.slice(name.length + 1) : undefined;
}

function domainName(word: string): string {
  const lower = word.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

/**
 * Parses `resolv.conf` as glibc's `res_init` reads it (resolv.conf(5)):
 * lines starting with `#` or `;` are comments; `nameserver ADDRESS`
 * (further words ignored), `search DOMAIN...`, `domain DOMAIN` and
 * `options OPTION...` are read; a keyword counts only at the very start of
 * a line followed by a space or tab. Stricter than glibc in one way: an
 * address must be in full form (`127.1` is skipped, where `inet_aton`
 * would accept it).
 *
 * @example A NetworkManager-style file
 * ```ts
 * import { parseResolvConf } from "./proc_parsers.ts";
 *
 * const conf = parseResolvConf([
 *   "# Generated by NetworkManager",
 *   "search Corp.Example. lab.example",
 *   "nameserver 192.168.1.1",
 *   "nameserver FE80::1%wlp2s0",
 *   "options edns0 ndots:2",
 * ].join("\n"));
 * if (conf.searchDomains.join() !== "corp.example,lab.example") throw new Error("unexpected");
 * if (conf.nameservers.join() !== "192.168.1.1,fe80::1%wlp2s0") throw new Error("unexpected");
 * if (conf.options.ndots !== 2 || conf.options.edns0 !== true) throw new Error("unexpected");
 * ```
 *
 * @param text The file's contents.
 * @returns What it configures, and the lines skipped.
 */
export function parseResolvConf(text: string): ResolvConf {
  const nameservers: string[] = [];
  let searchDomains: string[] = [];
  const options: Record<string, number | true> = {};
  const skipped: SkippedLine[] = [];
  const skip = (line: Line, reason: string) => skipped.push({ line: line.number, text: line.text, reason });
  for (const line of lines(text)) {
    const t = line.text;
    if (t.trim() === "" || t.startsWith("#") || t.startsWith(";")) continue;
    let rest: string | undefined;
    if ((rest = keyword(t, "nameserver")) !== undefined) {
      const word = rest.trim().split(/\s+/)[0] ?? "";
      if (word === "") {
        skip(line, "Nameserver line has no address");
        continue;
      }
      try {
        nameservers.push(parseIpAddress(word).text);
      } catch (error) {
        skip(line, (error as Error).message);
      }
    } else if ((rest = keyword(t, "search")) !== undefined) {
      const words = rest.trim().split(/\s+/).filter((w) => w !== "").map(domainName).filter((d) => d !== "");
      searchDomains = words;
    } else if ((rest = keyword(t, "domain")) !== undefined) {
      const word = rest.trim().split(/\s+/)[0] ?? "";
      if (word === "") {
        skip(line, "Domain line has no domain");
        continue;
      }
      // glibc: `domain` replaces the search list with that one domain.
      const name = domainName(word);
      searchDomains = name === "" ? [] : [name];
    } else if ((rest = keyword(t, "options")) !== undefined) {
      for (const word of rest.trim().split(/\s+/)) {
        if (word === "") continue;
        const colon = word.indexOf(":");
        if (colon > 0 && /^[0-9]+$/.test(word.slice(colon + 1))) {
          options[word.slice(0, colon)] = Number(word.slice(colon + 1));
        } else {
          options[word] = true;
        }
      }
    } else {
      const word = t.trim().split(/\s+/)[0] ?? "";
      skip(line, t.startsWith(" ") || t.startsWith("\t") ? "Line starts with a blank" : `Unknown keyword "${word}"`);
    }
  }
  return { nameservers, searchDomains, options, skipped };
}

// ---------------------------------------------------------------------------
// systemd-resolved per-link state
// ---------------------------------------------------------------------------

/**
 * A DNS server as systemd-resolved writes it: `ADDRESS`, `ADDRESS%IFINDEX`,
 * `ADDRESS:PORT` (IPv4), `[ADDRESS]:PORT` (IPv6), each optionally followed by
 * `#SERVER-NAME` (for DNS over TLS).
 *
 * @example
 * ```ts
 * import { parseResolvedLinkState, type ResolvedServer } from "./proc_parsers.ts";
 *
 * const [server]: readonly ResolvedServer[] = parseResolvedLinkState("SERVERS=[2001:db8::53]:853#dns.example\n").servers;
 * if (server?.port !== 853 || server.serverName !== "dns.example") throw new Error("unexpected");
 * ```
 */
export interface ResolvedServer {
  /** Canonical text, without a zone. */
  readonly address: string;
  /** The port, when not 53. */
  readonly port?: number;
  /** The zone of a link-local server: the link's index. */
  readonly ifindex?: number;
  /** The server's name, for DNS over TLS. */
  readonly serverName?: string;
}

/**
 * What a systemd-resolved per-link state file
 * (`/run/systemd/resolve/netif/<ifindex>`) says.
 *
 * @example
 * ```ts
 * import { parseResolvedLinkState, type ResolvedLinkState } from "./proc_parsers.ts";
 *
 * const state: ResolvedLinkState = parseResolvedLinkState("SERVERS=192.168.1.1\nDOMAINS=home.example ~corp.example\n");
 * if (state.searchDomains.join() !== "home.example" || state.routeOnlyDomains.join() !== "corp.example") {
 *   throw new Error("unexpected");
 * }
 * ```
 */
export interface ResolvedLinkState {
  /** `SERVERS=`, in order. */
  readonly servers: readonly ResolvedServer[];
  /** `DOMAINS=` without the `~` ones: searched and routed. */
  readonly searchDomains: readonly string[];
  /** `DOMAINS=` entries with `~`: routed to this link, not searched (`~.` is the root: every name). */
  readonly routeOnlyDomains: readonly string[];
  /** `DEFAULT_ROUTE=`, when present. */
  readonly defaultRoute?: boolean;
  /** Every `KEY=VALUE` as written (`LLMNR`, `MDNS`, `DNSSEC`, `DNSOVERTLS`, `NTAS`, ...). */
  readonly values: Readonly<Record<string, string>>;
  /** Lines or entries that were not used. */
  readonly skipped: readonly SkippedLine[];
}

function resolvedServer(entry: string): ResolvedServer {
  let rest = entry;
  let serverName: string | undefined;
  const hash = rest.indexOf("#");
  if (hash !== -1) {
    serverName = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  let port: number | undefined;
  let zone: string | undefined;
  let address: string;
  if (rest.startsWith("[")) {
    // "[ADDRESS]:PORT" then "%IFINDEX": systemd puts the zone after the port.
    const close = rest.indexOf("]");
    if (close === -1) throw new SyntaxError(`Cannot parse DNS server "${entry}": no closing bracket`);
    address = rest.slice(1, close);
    let after = rest.slice(close + 1);
    const percent = after.indexOf("%");
    if (percent !== -1) {
      zone = after.slice(percent + 1);
      after = after.slice(0, percent);
    }
    if (!/^:[0-9]{1,5}$/.test(after)) throw new SyntaxError(`Cannot parse DNS server "${entry}": bad port`);
    port = Number(after.slice(1));
  } else {
    const percent = rest.indexOf("%");
    const colons = rest.split(":").length - 1;
    if (percent !== -1) {
      zone = rest.slice(percent + 1);
      address = rest.slice(0, percent);
    } else if (colons === 1) {
      // Only IPv4 has exactly one colon, before the port.
      const [a, p] = rest.split(":") as [string, string];
      if (!/^[0-9]{1,5}$/.test(p)) throw new SyntaxError(`Cannot parse DNS server "${entry}": bad port`);
      address = a;
      port = Number(p);
    } else {
      address = rest;
    }
  }
  const parsed = parseIpAddress(address);
  if (port !== undefined && (port === 0 || port > 65535)) {
    throw new SyntaxError(`Cannot parse DNS server "${entry}": port ${port} out of range`);
  }
  if (zone !== undefined && !/^[0-9]+$/.test(zone)) {
    throw new SyntaxError(`Cannot parse DNS server "${entry}": zone "${zone}" is not an interface index`);
  }
  return {
    address: parsed.text,
    ...(port !== undefined && port !== 53 ? { port } : {}),
    ...(zone !== undefined ? { ifindex: Number(zone) } : {}),
    ...(serverName ? { serverName } : {}),
  };
}

/**
 * Parses a systemd-resolved per-link state file
 * (`/run/systemd/resolve/netif/<ifindex>`, written by `link_save_user` in
 * `src/resolve/resolved-link.c`): `KEY=VALUE` lines, `#` comments,
 * `SERVERS=` and `DOMAINS=` as space-separated lists. The file starts
 * "This is private data. Do not parse." and its format has changed before,
 * so anything unknown is kept in `values` and bad entries are skipped, not
 * fatal.
 *
 * @example
 * ```ts
 * import { parseResolvedLinkState } from "./proc_parsers.ts";
 *
 * const state = parseResolvedLinkState([
 *   "# This is private data. Do not parse.",
 *   "LLMNR=yes",
 *   "DEFAULT_ROUTE=yes",
 *   "SERVERS=192.168.1.1 fe80::1%3",
 *   "DOMAINS=home.example",
 * ].join("\n"));
 * if (state.servers[1]?.address !== "fe80::1" || state.servers[1].ifindex !== 3) throw new Error("unexpected");
 * if (state.defaultRoute !== true || state.values.LLMNR !== "yes") throw new Error("unexpected");
 * ```
 *
 * @param text The file's contents.
 * @returns What it says, and what was skipped.
 */
export function parseResolvedLinkState(text: string): ResolvedLinkState {
  const values: Record<string, string> = {};
  const servers: ResolvedServer[] = [];
  const searchDomains: string[] = [];
  const routeOnlyDomains: string[] = [];
  const skipped: SkippedLine[] = [];
  let defaultRoute: boolean | undefined;
  for (const line of lines(text)) {
    const t = line.text.trim();
    if (t === "" || t.startsWith("#")) continue;
    const eq = t.indexOf("=");
    if (eq <= 0) {
      skipped.push({ line: line.number, text: line.text, reason: "Line has no KEY=VALUE" });
      continue;
    }
    const key = t.slice(0, eq);
    const value = t.slice(eq + 1);
    values[key] = value;
    const words = value.split(/\s+/).filter((w) => w !== "");
    if (key === "SERVERS") {
      for (const word of words) {
        try {
          servers.push(resolvedServer(word));
        } catch (error) {
          skipped.push({ line: line.number, text: line.text, reason: (error as Error).message });
        }
      }
    } else if (key === "DOMAINS") {
      for (const word of words) {
        if (word.startsWith("~")) {
          const name = domainName(word.slice(1));
          // "~." is the root domain: this link takes every name not claimed elsewhere.
          routeOnlyDomains.push(name === "" ? "." : name);
        } else {
          const name = domainName(word);
          if (name !== "") searchDomains.push(name);
        }
      }
    } else if (key === "DEFAULT_ROUTE") {
      if (value === "yes" || value === "no") defaultRoute = value === "yes";
      else skipped.push({ line: line.number, text: line.text, reason: `DEFAULT_ROUTE is "${value}", not yes or no` });
    }
  }
  return {
    servers,
    searchDomains,
    routeOnlyDomains,
    ...(defaultRoute === undefined ? {} : { defaultRoute }),
    values,
    skipped,
  };
}
