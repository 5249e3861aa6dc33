/**
 * A {@linkcode KernelFactsSource} that learns the Linux host from rtnetlink
 * (`NETLINK_ROUTE`, rtnetlink(7)), with the bytes decoded by the WebAssembly
 * core (`parseNetlinkMessages`). This is the runtime-neutral part: the
 * dumps, the watch loop, overruns and the DNS the kernel forwards from
 * Router Advertisements, all over {@linkcode NetlinkSocketCalls}, the few
 * system calls a runtime provides (Deno: `openLibcNetlink` of
 * `@pvd/mif/deno`; Node: koffi, in `@pvd/mif/node`; tests: a double).
 *
 * - `read()` dumps links (`RTM_GETLINK`), addresses of both families
 *   (`RTM_GETADDR`) and routes of both families (`RTM_GETROUTE`, main table
 *   kept) on a socket of its own, and turns them into {@linkcode HostFacts}.
 *   A dump the kernel marks interrupted (`NLM_F_DUMP_INTR`: the tables
 *   changed while it ran) is read again.
 * - `watch(onChange)` joins the link, address and route multicast groups and
 *   `RTNLGRP_ND_USEROPT` on a second socket and calls `onChange` once per
 *   batch of notifications, and when the kernel dropped some (`ENOBUFS`: the
 *   caller must read everything again). The RDNSS and DNSSL options the
 *   kernel forwards from Router Advertisements go to `onNdUserOption` and
 *   into the per-link DNS of later reads.
 *
 * The event loop never blocks as long as the calls keep their contract:
 * only `wait` waits, off the event loop; sockets are read with
 * `receive` (`recv(MSG_DONTWAIT)`) on the main thread once `wait` said they
 * are readable, so that errno (per thread) is read where it was set and
 * `ENOBUFS` is not lost. A watch stops at once: the calls' waker (an
 * eventfd in the poll set) is written to (`shutdown()` does not wake a
 * netlink socket: it answers `EOPNOTSUPP`).
 *
 * @example Read the host through scripted calls (a test double)
 * ```ts
 * import { buildNetlinkMessages } from "../../core-as/netlink.ts";
 * import { type NetlinkSocketCalls, rtnetlinkSource } from "./rtnetlink_source.ts";
 *
 * // Answers every dump request with one loopback link (or nothing), then NLMSG_DONE.
 * let pending: Uint8Array | undefined;
 * const calls: NetlinkSocketCalls = {
 *   open: () => 3,
 *   send(_fd, request) {
 *     const seq = new DataView(request.buffer, request.byteOffset).getUint32(8, true);
 *     const kind = request[4]; // RTM_GETLINK is 18
 *     const header = { seq };
 *     pending = buildNetlinkMessages([
 *       ...(kind === 18
 *         ? [{ type: "link", action: "new", header, family: 0, ifindex: 1, arphrdType: 772, flags: 0x10049, change: 0, name: "lo" } as const]
 *         : []),
 *       { type: "done", header, status: 0 },
 *     ]);
 *   },
 *   receive(_fd, buffer) {
 *     if (pending === undefined) return "empty";
 *     buffer.set(pending);
 *     const length = pending.length;
 *     pending = undefined;
 *     return length;
 *   },
 *   wait: () => Promise.resolve("readable"),
 *   openWaker: () => 4,
 *   wake: () => {},
 *   close: () => {},
 *   dispose: () => {},
 * };
 * const facts = await rtnetlinkSource({ calls: () => calls }).read();
 * if (facts.links[0]?.name !== "lo" || facts.links[0].kind !== "loopback") throw new Error("unexpected");
 * ```
 *
 * @module
 */

import { MifError } from "../../api/errors.ts";
import {
  describeErrno,
  EACCES,
  EAFNOSUPPORT,
  EPERM,
  EPROTONOSUPPORT,
  type WaitResult as LibcWaitResult,
} from "./_libc.ts";
import { parseIpAddress } from "../../core-as/ip_address.ts";
import {
  buildDumpRequest,
  buildNetlinkMessages,
  type NetlinkDumpKind,
  type NetlinkLinkMessage,
  type NetlinkMessage,
  type NetlinkNdUserOptionMessage,
  parseNetlinkMessages,
} from "../../core-as/netlink.ts";
import {
  type AddressScope,
  classifyLink,
  decodeAddressFlags,
  type HostFacts,
  type KernelAddress,
  type KernelFactsSource,
  type KernelLink,
  type KernelRoute,
  type KernelRouteLookup,
  type KernelRouteType,
  type LinkDns,
  linkIsUp,
} from "./kernel_facts.ts";

// ---------------------------------------------------------------------------
// Constants (linux/netlink.h, linux/rtnetlink.h)

/** `RTMGRP_*` bits of `nl_groups` (linux/rtnetlink.h). */
const RTMGRP_LINK = 0x1;
const RTMGRP_IPV4_IFADDR = 0x10;
const RTMGRP_IPV4_ROUTE = 0x40;
const RTMGRP_IPV6_IFADDR = 0x100;
const RTMGRP_IPV6_ROUTE = 0x400;
/** `RTNLGRP_ND_USEROPT`: group 20, which has no `RTMGRP_*` bit of its own. */
const RTNLGRP_ND_USEROPT = 20;
/** `RTNLGRP_IPV4_RULE` and `RTNLGRP_IPV6_RULE`: policy routing rules changing, which change route lookups. */
const RTNLGRP_IPV4_RULE = 8;
const RTNLGRP_IPV6_RULE = 19;
/** Route lookups kept while watching, at most; beyond, the oldest go. */
const ROUTE_CACHE_SIZE = 256;
/** `NLM_F_DUMP_INTR` (linux/netlink.h): the dump was interrupted by a change. */
const NLM_F_DUMP_INTR = 0x10;
/** `RT_TABLE_MAIN`. */
const RT_TABLE_MAIN = 254;

/** The receive buffer: more than the 32 KiB a dump's datagrams reach (netlink_dump). */
const BUFFER_SIZE = 64 * 1024;
/** How often an interrupted dump is read again before giving up. */
const DUMP_ATTEMPTS = 3;
/** The longest setTimeout delay. */
const MAX_TIMER = 2 ** 31 - 1;

// ---------------------------------------------------------------------------
// The system calls

/**
 * A failed system call, with its errno.
 *
 * @example
 * ```ts
 * import { NetlinkSystemError } from "./rtnetlink_source.ts";
 *
 * const error = new NetlinkSystemError("socket", 97);
 * if (error.errno !== 97 || !error.message.includes("EAFNOSUPPORT")) throw new Error(error.message);
 * ```
 */
export class NetlinkSystemError extends Error {
  /** The call that failed (`socket`, `bind`, ...). */
  readonly call: string;
  /** Its errno. */
  readonly errno: number;

  /**
   * Makes the error.
   *
   * @param call The call that failed.
   * @param errno Its errno.
   */
  constructor(call: string, errno: number) {
    super(`Cannot ${call}: ${describeErrno(errno)}`);
    this.name = "NetlinkSystemError";
    this.call = call;
    this.errno = errno;
  }
}

/**
 * What {@linkcode NetlinkSocketCalls.wait} saw: the socket is readable, the
 * waker was written to, the time ran out, or poll() failed (its errno stays
 * on the thread it ran on; `EINTR` in practice, so callers wait again, a
 * bounded number of times).
 *
 * @example
 * ```ts
 * import type { WaitResult } from "./rtnetlink_source.ts";
 *
 * const result: WaitResult = "woken";
 * if (result !== "woken") throw new Error();
 * ```
 */
export type WaitResult = LibcWaitResult;

/**
 * The system calls an rtnetlink source makes, in one small object: Deno's
 * (`openLibcNetlink` of `@pvd/mif/deno`), Node's (koffi, `@pvd/mif/node`) or
 * a test double. Every method but `wait` returns at once.
 *
 * @example A stand-in that has nothing to say
 * ```ts
 * import type { NetlinkSocketCalls } from "./rtnetlink_source.ts";
 *
 * const silent: NetlinkSocketCalls = {
 *   open: () => 3,
 *   send: () => {},
 *   receive: () => "empty",
 *   wait: () => Promise.resolve("timeout"),
 *   openWaker: () => 4,
 *   wake: () => {},
 *   close: () => {},
 *   dispose: () => {},
 * };
 * if (silent.receive(3, new Uint8Array(16)) !== "empty") throw new Error();
 * ```
 */
export interface NetlinkSocketCalls {
  /**
   * Opens a `NETLINK_ROUTE` socket bound to the `RTMGRP_*` bits of `groups`
   * and joined to each group number of `memberships`.
   *
   * @param groups `nl_groups` for bind().
   * @param memberships Groups joined with `NETLINK_ADD_MEMBERSHIP`.
   * @param receiveBufferSize `SO_RCVBUF`, when given (the kernel doubles it).
   * @returns The descriptor.
   * @throws {NetlinkSystemError} If a call fails.
   */
  open(groups: number, memberships: readonly number[], receiveBufferSize?: number): number;
  /**
   * Sends a request to the kernel.
   *
   * @throws {NetlinkSystemError} If send() fails.
   */
  send(fd: number, bytes: Uint8Array): void;
  /**
   * Reads one datagram without waiting: its real length (which may exceed
   * `buffer`: it was cut), `"empty"` when none is waiting, `"overrun"` when
   * the kernel dropped messages for want of buffer space (`ENOBUFS`).
   *
   * @throws {NetlinkSystemError} For any other failure.
   */
  receive(fd: number, buffer: Uint8Array): number | "empty" | "overrun";
  /**
   * Waits, off the event loop, until `fd` is readable, `waker` (an eventfd,
   * or -1 for none) was written to, or `timeout` milliseconds passed (-1:
   * no limit).
   */
  wait(fd: number, waker: number, timeout: number): Promise<WaitResult>;
  /**
   * Opens an eventfd for {@linkcode NetlinkSocketCalls.wake}.
   *
   * @throws {NetlinkSystemError} If eventfd() fails.
   */
  openWaker(): number;
  /** Makes a pending and every later `wait` on `waker` return `"woken"`. */
  wake(waker: number): void;
  /** Closes a descriptor. */
  close(fd: number): void;
  /** Releases the calls themselves (the library); call once no `wait` is pending. */
  dispose(): void;
}

// ---------------------------------------------------------------------------
// Dumps

/** How many poll() failures in a row are taken for a broken descriptor rather than EINTR. */
const WAIT_FAILURES = 8;

/** Waits like `calls.wait`, again after a failure, a bounded number of times. */
async function waitOnce(calls: NetlinkSocketCalls, fd: number, waker: number, timeout: number): Promise<WaitResult> {
  for (let failures = 0;; failures++) {
    const result = await calls.wait(fd, waker, timeout);
    if (result !== "failed") return result;
    if (failures + 1 >= WAIT_FAILURES) throw new NetlinkSystemError("poll", 0);
  }
}

/** A dump that must be read again: the kernel said it was interrupted, or dropped part of it. */
class DumpRestart extends Error {}

let nextSeq = (Date.now() >>> 0) & 0xffffff;

/**
 * Sends a dump request on `fd` and collects the answer: every message
 * carrying the request's sequence number, up to `NLMSG_DONE`.
 */
async function dump(
  calls: NetlinkSocketCalls,
  fd: number,
  kind: NetlinkDumpKind,
  family: 4 | 6 | undefined,
  buffer: Uint8Array,
  timeout: number,
): Promise<NetlinkMessage[]> {
  const seq = nextSeq = (nextSeq + 1) >>> 0;
  calls.send(fd, buildDumpRequest(kind, family === undefined ? { seq } : { family, seq }));
  const messages: NetlinkMessage[] = [];
  let interrupted = false;
  const deadline = Date.now() + timeout;
  for (;;) {
    const received = calls.receive(fd, buffer);
    if (received === "empty") {
      const left = deadline - Date.now();
      if (left <= 0 || await waitOnce(calls, fd, -1, left) === "timeout") {
        throw new MifError("timed-out", `Cannot dump ${kind}s over rtnetlink: no answer within ${timeout} ms`);
      }
      continue;
    }
    // A datagram lost (ENOBUFS) or cut (longer than the buffer): start over.
    if (received === "overrun" || received > buffer.length) throw new DumpRestart();
    let batch: NetlinkMessage[];
    try {
      batch = parseNetlinkMessages(buffer.subarray(0, received));
    } catch (error) {
      if (error instanceof SyntaxError) throw new DumpRestart();
      throw error;
    }
    for (const message of batch) {
      // Answers to an earlier, abandoned request on this socket.
      if (message.header.seq !== seq) continue;
      if ((message.header.flags & NLM_F_DUMP_INTR) !== 0) interrupted = true;
      if (message.type === "done") {
        if ((message.status ?? 0) < 0) {
          throw new NetlinkSystemError(`dump ${kind}s`, -(message.status ?? 0));
        }
        if (interrupted) throw new DumpRestart();
        return messages;
      }
      if (message.type === "error") {
        if (message.error === 0) continue;
        throw new NetlinkSystemError(`dump ${kind}s`, -message.error);
      }
      messages.push(message);
    }
  }
}

// ---------------------------------------------------------------------------
// Messages to facts

const ROUTE_ORIGINS: Readonly<Record<number, NonNullable<KernelRoute["origin"]>>> = {
  2: "kernel", // RTPROT_KERNEL
  3: "boot", // RTPROT_BOOT
  4: "static", // RTPROT_STATIC
  9: "ra", // RTPROT_RA
  16: "dhcp", // RTPROT_DHCP
};

/** `rtm_type` (RTN_*) to {@linkcode KernelRouteType}. */
function routeType(type: number): KernelRouteType {
  if (type === 1) return "unicast"; // RTN_UNICAST
  if (type === 2) return "local"; // RTN_LOCAL
  // RTN_BLACKHOLE, RTN_UNREACHABLE, RTN_PROHIBIT
  if (type === 6 || type === 7 || type === 8) return "reject";
  return "other";
}

/** `RT_SCOPE_*` to {@linkcode AddressScope}. */
function addressScope(scope: number): AddressScope {
  if (scope === 200) return "site"; // RT_SCOPE_SITE
  if (scope === 253) return "link"; // RT_SCOPE_LINK
  if (scope >= 254) return "host"; // RT_SCOPE_HOST, RT_SCOPE_NOWHERE
  return "global"; // RT_SCOPE_UNIVERSE and user-defined scopes below 200
}

/**
 * A link message as a {@linkcode KernelLink}; undefined for one without a
 * name (never from the kernel).
 */
/** `IFF_UP` (linux/if.h): the link is administratively up. */
const IFF_UP = 0x1;

function kernelLink(message: NetlinkLinkMessage): KernelLink | undefined {
  if (message.name === undefined) return undefined;
  const infoKind = message.linkInfo?.kind;
  return {
    ifindex: message.ifindex,
    name: message.name,
    kind: classifyLink({ arphrdType: message.arphrdType, ...(infoKind === undefined ? {} : { infoKind }) }),
    up: linkIsUp({ operstate: message.operstate ?? "unknown", flags: message.flags }),
    adminUp: (message.flags & IFF_UP) !== 0,
    ...(message.mtu === undefined ? {} : { mtu: message.mtu }),
    ...(message.linkLayerAddress ? { linkLayerAddress: message.linkLayerAddress } : {}),
  };
}

/**
 * Turns the messages of a link, an address and a route dump into
 * {@linkcode HostFacts}: links in ifindex order, every address of IPv4 and
 * IPv6, and the routes of the main table that have an outgoing link. DNS
 * is empty but for `dns.links`, which the caller fills (the rtnetlink
 * source: from ND user options).
 *
 * @example
 * ```ts
 * import { buildNetlinkMessages, parseNetlinkMessages } from "../../core-as/netlink.ts";
 * import { hostFactsFromNetlink } from "./rtnetlink_source.ts";
 *
 * const messages = parseNetlinkMessages(buildNetlinkMessages([
 *   { type: "link", action: "new", family: 0, ifindex: 1, arphrdType: 772, flags: 0x10049, change: 0, name: "lo", mtu: 65536, operstate: "unknown" },
 *   { type: "address", action: "new", family: 4, prefixLength: 8, flags: 0x80, scope: 254, ifindex: 1, address: "127.0.0.1", local: "127.0.0.1" },
 * ]));
 * const facts = hostFactsFromNetlink(messages);
 * if (facts.links[0]?.kind !== "loopback" || !facts.links[0].up) throw new Error();
 * if (facts.addresses[0]?.scope !== "host" || !facts.addresses[0].flags.permanent) throw new Error();
 * ```
 *
 * @param messages Parsed messages; other types are ignored, and so are deletions.
 * @param dns Per-link DNS to put in `dns.links`; none by default.
 * @returns The facts.
 */
export function hostFactsFromNetlink(messages: readonly NetlinkMessage[], dns: readonly LinkDns[] = []): HostFacts {
  const links: KernelLink[] = [];
  const addresses: KernelAddress[] = [];
  const routes: KernelRoute[] = [];
  for (const message of messages) {
    if (message.type === "link" && message.action === "new") {
      const link = kernelLink(message);
      if (link !== undefined) links.push(link);
    } else if (message.type === "address" && message.action === "new") {
      // IFA_LOCAL is the local address; IFA_ADDRESS is the peer's on a
      // point-to-point link, and the same as IFA_LOCAL otherwise (IPv6 sends
      // IFA_ADDRESS alone).
      const address = message.local ?? message.address;
      if (address === undefined) continue;
      const info = message.cacheInfo;
      addresses.push({
        ifindex: message.ifindex,
        family: message.family,
        address,
        prefixLength: message.prefixLength,
        scope: addressScope(message.scope),
        flags: decodeAddressFlags(message.flags, message.family),
        ...(info === undefined ? {} : { validLifetime: info.validLifetime, preferredLifetime: info.preferredLifetime }),
      });
    } else if (message.type === "route" && message.action === "new") {
      // Multipath routes carry their links in RTA_MULTIPATH, not decoded.
      if (message.table !== RT_TABLE_MAIN || message.outputIfindex === undefined) continue;
      const origin = ROUTE_ORIGINS[message.protocol] ?? "other";
      routes.push({
        family: message.family,
        destination: message.destination ?? (message.family === 4 ? "0.0.0.0" : "::"),
        prefixLength: message.prefixLength,
        ...(message.gateway === undefined ? {} : { gateway: message.gateway }),
        ifindex: message.outputIfindex,
        metric: message.priority ?? 0,
        table: message.table,
        type: routeType(message.routeType),
        origin,
      });
    }
  }
  links.sort((a, b) => a.ifindex - b.ifindex);
  return { links, addresses, routes, dns: { servers: [], searchDomains: [], links: dns } };
}

// ---------------------------------------------------------------------------
// DNS from ND user options

/** One server or domain learned from an RA, until it expires. */
interface Learned {
  readonly value: string;
  readonly expiresAt: number;
}

/** RDNSS and DNSSL the kernel forwarded, per link, with their lifetimes. */
class NdDnsCache {
  readonly #servers = new Map<number, Map<string, Learned>>();
  readonly #domains = new Map<number, Map<string, Learned>>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Takes in one message; true if what the cache holds changed. */
  add(message: NetlinkNdUserOptionMessage): boolean {
    let changed = false;
    const now = this.#now();
    for (const option of message.options) {
      if (option.type === "rdnss") {
        for (const server of option.servers) {
          changed = this.#put(this.#servers, message.ifindex, server, option.lifetime, now) || changed;
        }
      } else if (option.type === "dnssl") {
        for (const domain of option.domains) {
          changed = this.#put(this.#domains, message.ifindex, domain, option.lifetime, now) || changed;
        }
      }
    }
    return changed;
  }

  /** When the next entry runs out (a clock time), or undefined for none. */
  nextExpiry(): number | undefined {
    let next = Infinity;
    for (const table of [this.#servers, this.#domains]) {
      for (const entries of table.values()) {
        for (const entry of entries.values()) next = Math.min(next, entry.expiresAt);
      }
    }
    return next === Infinity ? undefined : next;
  }

  /** What is still valid, per link. */
  links(): LinkDns[] {
    const now = this.#now();
    const ifindexes = new Set([...this.#servers.keys(), ...this.#domains.keys()]);
    const links: LinkDns[] = [];
    for (const ifindex of [...ifindexes].sort((a, b) => a - b)) {
      const servers = this.#valid(this.#servers, ifindex, now);
      const searchDomains = this.#valid(this.#domains, ifindex, now);
      if (servers.length === 0 && searchDomains.length === 0) continue;
      links.push({ ifindex, servers, searchDomains, routeOnlyDomains: [], origin: "rtnetlink RTM_NEWNDUSEROPT" });
    }
    return links;
  }

  #put(
    table: Map<number, Map<string, Learned>>,
    ifindex: number,
    value: string,
    lifetime: number,
    now: number,
  ): boolean {
    let entries = table.get(ifindex);
    // RFC 8106 section 5.1: a lifetime of 0 "MUST" remove the entry.
    if (lifetime === 0) return entries?.delete(value) ?? false;
    if (entries === undefined) table.set(ifindex, entries = new Map());
    const had = entries.has(value);
    // Re-inserting keeps the RA's order for a refreshed entry at the end;
    // the order of servers within one option is what counts.
    entries.set(value, { value, expiresAt: now + lifetime * 1000 });
    return !had;
  }

  #valid(table: Map<number, Map<string, Learned>>, ifindex: number, now: number): string[] {
    const entries = table.get(ifindex);
    if (entries === undefined) return [];
    const values: string[] = [];
    for (const [key, entry] of entries) {
      if (entry.expiresAt <= now) entries.delete(key);
      else values.push(entry.value);
    }
    return values;
  }
}

// ---------------------------------------------------------------------------
// Route lookups

/** `RTM_GETROUTE` (linux/rtnetlink.h). */
const RTM_GETROUTE = 26;
/** `NLM_F_REQUEST`: a request, answered with the route or an `NLMSG_ERROR`. */
const NLM_F_REQUEST = 0x1;
/** `RTM_F_LOOKUP_TABLE`: the answer names the table the route was found in (IPv4; IPv6 always does). */
const RTM_F_LOOKUP_TABLE = 0x1000;
/** `struct nlmsghdr` is 16 bytes. */
const NLMSG_HDRLEN = 16;
/** A route answer is a few hundred bytes. */
const LOOKUP_BUFFER_SIZE = 4096;

/** Why the kernel found no route, by the errno its `NLMSG_ERROR` carries (`ip route get` says the same). */
const NO_ROUTE: Readonly<Record<number, string>> = {
  101: "no route (ENETUNREACH)",
  113: "an unreachable route (EHOSTUNREACH)",
  13: "a prohibit route (EACCES)",
  // IPv4 answers EINVAL for a source address the host does not have, too.
  22: "a blackhole route, or a source address not the host's (EINVAL)",
};

/**
 * The `RTM_GETROUTE` request for one destination from one source: a
 * `struct rtmsg` with both prefixes at full length, `RTA_DST` and
 * `RTA_SRC`, built by the core's encoder as a route message whose payload
 * is then sent under the request's type. (The encoder adds `RTA_TABLE` 0,
 * which a lookup ignores.)
 */
function routeRequest(destination: string, source: string, family: 4 | 6, seq: number): Uint8Array {
  const bits = family === 4 ? 32 : 128;
  const route = buildNetlinkMessages([{
    type: "route",
    action: "new",
    family,
    prefixLength: bits,
    sourceLength: bits,
    tos: 0,
    table: 0,
    protocol: 0,
    scope: 0,
    routeType: 0,
    flags: RTM_F_LOOKUP_TABLE,
    destination,
    source,
  }]);
  const length = new DataView(route.buffer, route.byteOffset, route.byteLength).getUint32(0, true);
  return buildNetlinkMessages([{
    type: "other",
    messageType: RTM_GETROUTE,
    header: { flags: NLM_F_REQUEST, seq },
    payload: route.subarray(NLMSG_HDRLEN, length),
  }]);
}

/**
 * Options of {@linkcode routeGet}.
 *
 * @example
 * ```ts
 * import type { RouteGetOptions } from "./rtnetlink_source.ts";
 *
 * const options: RouteGetOptions = { timeout: 500 };
 * if (options.timeout !== 500) throw new Error("unexpected");
 * ```
 */
export interface RouteGetOptions {
  /** How long to wait for the kernel's answer, in milliseconds; 1000 by default (it comes at once in practice). */
  readonly timeout?: number;
}

/**
 * Asks the kernel which route a packet from `source` to `destination` would
 * take, as `ip route get DESTINATION from SOURCE`: an `RTM_GETROUTE` request
 * on a socket of its own, over the given calls. The kernel applies its
 * policy rules (`ip rule`) and source-specific routes, so the answer's link
 * (`RTA_OIF`) is where a socket bound to `source` would send.
 *
 * The kernel answers within the request's `send()` (rtnetlink handles
 * requests in the sender's context), so the answer is read at once; the
 * calls' `wait` is used only if it is not there yet.
 *
 * @example Over scripted calls that answer "through ifindex 3"
 * ```ts
 * import { buildNetlinkMessages, parseNetlinkMessages } from "../../core-as/netlink.ts";
 * import { type NetlinkSocketCalls, routeGet } from "./rtnetlink_source.ts";
 *
 * let answer: Uint8Array | undefined;
 * const calls: NetlinkSocketCalls = {
 *   open: () => 3,
 *   send(_fd, request) {
 *     const [asked] = parseNetlinkMessages(request); // RTM_GETROUTE is an "other" message here
 *     if (asked?.type !== "other" || asked.messageType !== 26) throw new Error("not a route lookup");
 *     answer = buildNetlinkMessages([{
 *       type: "route", action: "new", header: { seq: asked.header.seq },
 *       family: 6, prefixLength: 128, sourceLength: 128, tos: 0, table: 103, protocol: 9, scope: 0, routeType: 1,
 *       flags: 0, destination: "2001:db8:c::80", gateway: "fe80::b", outputIfindex: 3,
 *     }]);
 *   },
 *   receive(_fd, buffer) {
 *     if (answer === undefined) return "empty";
 *     buffer.set(answer);
 *     return answer.length;
 *   },
 *   wait: () => Promise.resolve("readable"),
 *   openWaker: () => 4,
 *   wake: () => {},
 *   close: () => {},
 *   dispose: () => {},
 * };
 * const route = await routeGet(calls, "2001:db8:c::80", "2001:db8:b::100");
 * if (route.ifindex !== 3 || route.table !== 103 || route.gateway !== "fe80::b") throw new Error("unexpected");
 * ```
 *
 * @param calls The system calls (a runtime's FFI, or a test double); not disposed.
 * @param destination The destination address.
 * @param source A local address of the same family.
 * @param options The timeout.
 * @returns The route; `type: "reject"` with `unreachable` saying why when the kernel has none.
 * @throws {TypeError} If an address cannot be parsed or the families differ.
 * @throws {NetlinkSystemError} If a system call fails, or the kernel refuses the request itself.
 * @throws {MifError} Of code `timed-out` when no answer comes in time.
 */
export async function routeGet(
  calls: NetlinkSocketCalls,
  destination: string,
  source: string,
  options: RouteGetOptions = {},
): Promise<KernelRouteLookup> {
  const to = parseIpAddress(destination);
  const from = parseIpAddress(source);
  if (to.family !== from.family) {
    throw new TypeError(`Cannot look up the route to ${destination} from ${source}: the address families differ`);
  }
  const seq = nextSeq = (nextSeq + 1) >>> 0;
  const request = routeRequest(to.text, from.text, to.family, seq);
  const timeout = options.timeout ?? 1_000;
  const deadline = Date.now() + timeout;
  const buffer = new Uint8Array(LOOKUP_BUFFER_SIZE);
  const fd = calls.open(0, []);
  try {
    calls.send(fd, request);
    for (;;) {
      const received = calls.receive(fd, buffer);
      if (received === "empty") {
        const left = deadline - Date.now();
        if (left <= 0 || await waitOnce(calls, fd, -1, left) === "timeout") {
          throw new MifError(
            "timed-out",
            `Cannot look up the route to ${destination} from ${source}: no answer within ${timeout} ms`,
          );
        }
        continue;
      }
      // A socket of its own carries nothing else; a lost or cut answer cannot be read again.
      if (received === "overrun" || received > buffer.length) {
        throw new Error(`Cannot look up the route to ${destination} from ${source}: the answer was lost or cut`);
      }
      for (const message of parseNetlinkMessages(buffer.subarray(0, received))) {
        if (message.header.seq !== seq) continue;
        if (message.type === "error") {
          if (message.error === 0) continue;
          const errno = -message.error;
          const why = NO_ROUTE[errno];
          if (why === undefined) throw new NetlinkSystemError(`look up the route to ${destination}`, errno);
          return { type: "reject", unreachable: why };
        }
        if (message.type !== "route") continue;
        return {
          type: routeType(message.routeType),
          ...(message.outputIfindex === undefined ? {} : { ifindex: message.outputIfindex }),
          ...(message.gateway === undefined ? {} : { gateway: message.gateway }),
          table: message.table,
        };
      }
    }
  } finally {
    calls.close(fd);
  }
}

// ---------------------------------------------------------------------------
// The source

/**
 * Options of {@linkcode rtnetlinkSource}.
 *
 * @example
 * ```ts
 * import type { RtnetlinkSourceOptions } from "./rtnetlink_source.ts";
 *
 * const options: RtnetlinkSourceOptions = {
 *   calls: () => {
 *     throw new Error("a runtime's FFI goes here, or a test double");
 *   },
 *   onNdUserOption: (message) => console.log(message.ifindex, message.options),
 * };
 * if (options.timeout !== undefined) throw new Error();
 * ```
 */
export interface RtnetlinkSourceOptions {
  /** Called with each ND user option message (RDNSS, DNSSL, PREF64, ...) while watching. */
  readonly onNdUserOption?: (message: NetlinkNdUserOptionMessage) => void;
  /** Called when the kernel dropped notifications (`ENOBUFS`); `onChange` is called too. */
  readonly onOverrun?: () => void;
  /** Called when watching fails and stops; `onChange` is called too, so that the next read reports the error. */
  readonly onError?: (error: unknown) => void;
  /** How long a dump may take, in milliseconds; 5000 by default. */
  readonly timeout?: number;
  /** `SO_RCVBUF` of the watching socket (the kernel doubles it); the system default by default. */
  readonly receiveBufferSize?: number;
  /**
   * Opens the system calls, once per read and per watch: a runtime's FFI
   * (`openLibcNetlink` of `@pvd/mif/deno`, `openKoffiNetlink` of
   * `@pvd/mif/node`) or a test double. A `MifError` it throws (code
   * `unsupported`: no FFI here) becomes the source's.
   */
  readonly calls: () => NetlinkSocketCalls;
  /**
   * What the calls need, said first among the source's limitations (e.g.
   * `Needs --allow-ffi and glibc's libc.so.6 on Linux`); a runtime-neutral
   * sentence by default.
   */
  readonly requirement?: string;
  /** The clock for ND option lifetimes, in milliseconds; `Date.now` by default. */
  readonly now?: () => number;
}

/**
 * The rtnetlink source: a {@linkcode KernelFactsSource} whose `watch`
 * returns a stop function that also resolves once the socket is closed.
 *
 * @example
 * ```ts
 * import type { RtnetlinkSource } from "./rtnetlink_source.ts";
 *
 * function describe(source: RtnetlinkSource): string {
 *   return `${source.name}: ${source.limitations.length} limitations`;
 * }
 * if (typeof describe !== "function") throw new Error();
 * ```
 */
export interface RtnetlinkSource extends KernelFactsSource {
  /** Always `"rtnetlink"`. */
  readonly name: "rtnetlink";
  /**
   * Watches the kernel's notifications; see {@linkcode rtnetlinkSource}.
   *
   * @param onChange Called once per batch of notifications, and on overrun.
   * @returns A function that stops watching, whose Promise resolves once
   * the socket is closed.
   * @throws {MifError} Of code `unsupported` when rtnetlink cannot be opened here.
   */
  watch(onChange: () => void): () => Promise<void>;
  /**
   * Asks the kernel which route a packet from `source` to `destination`
   * would take ({@linkcode routeGet}), over calls opened on first use and
   * kept until {@linkcode RtnetlinkSource.close}, so that a lookup costs a
   * socket and two system calls, not a library load. While `watch()` runs,
   * an answer is kept until the next notification of any link, address,
   * route or policy rule change (the watch joins the rule groups for
   * this), so that racing attempts between changes cost no system call; a
   * change is seen once the watch has read its notification.
   *
   * @param destination The destination address.
   * @param source A local address of the same family.
   * @returns The route, or why there is none; a kept answer at once, not as a promise.
   * @throws {MifError} Of code `unsupported` when rtnetlink cannot be opened here.
   */
  routeGet(destination: string, source: string): KernelRouteLookup | Promise<KernelRouteLookup>;
  /** Releases the calls kept for lookups; the next lookup opens them again. */
  close(): void;
}

const DEFAULT_REQUIREMENT = "Needs a runtime's FFI to glibc's libc.so.6 on Linux";

const LIMITATIONS: readonly string[] = [
  "Routes: the main table (254) only, so policy-routing tables and rules are not seen; multipath routes (RTA_MULTIPATH) are left out, their next hops not decoded",
  "DNS: resolv.conf is not read here (another source's job); dns.links holds only the RDNSS and DNSSL options the kernel forwarded from Router Advertisements while watch() ran, so a read before watching has none, and so has a host whose RAs a userspace daemon handles instead of the kernel (accept_ra off)",
  "Link kinds come from the ARPHRD type and IFLA_INFO_KIND only: a Wi-Fi or cellular link that reports ARPHRD_ETHER shows as ethernet (sysfs DEVTYPE tells them apart)",
  "Netlink is read little-endian, as on x86-64, aarch64 and riscv64",
];

/**
 * Makes the rtnetlink source.
 *
 * - `read()` dumps links, addresses and main-table routes and resolves with
 *   {@linkcode HostFacts}; `dns.links` holds the RDNSS/DNSSL learned while
 *   watching (see `limitations`). It rejects with a `MifError` of code
 *   `unsupported` when rtnetlink cannot be used here (the calls cannot be
 *   opened: not Linux, no FFI, no glibc; or a sandbox refusing
 *   `AF_NETLINK`), so that `HostNetwork` moves on to its next source.
 * - `watch(onChange)` calls `onChange` once per batch of link, address,
 *   route and ND user option notifications, and after an overrun; the stop
 *   function it returns closes the socket promptly and resolves when done.
 *
 * @example Calls that cannot be opened here make the source unsupported
 * ```ts
 * import { MifError } from "../../api/errors.ts";
 * import { rtnetlinkSource } from "./rtnetlink_source.ts";
 *
 * const source = rtnetlinkSource({
 *   calls: () => {
 *     throw new MifError("unsupported", "Cannot open rtnetlink: no FFI in this runtime");
 *   },
 * });
 * try {
 *   await source.read();
 *   throw new Error("unexpected");
 * } catch (error) {
 *   // "Cannot read host facts from rtnetlink: no FFI in this runtime"
 *   if ((error as MifError).code !== "unsupported") throw error;
 * }
 * ```
 *
 * @param options The calls, callbacks and timeout.
 * @returns The source.
 */
export function rtnetlinkSource(options: RtnetlinkSourceOptions): RtnetlinkSource {
  const openCalls = options.calls;
  const timeout = options.timeout ?? 5_000;
  const dnsCache = new NdDnsCache(options.now ?? Date.now);
  const unsupported = (action: string, error: unknown): never => {
    if (error instanceof MifError) {
      throw new MifError(error.code, error.message.replace(/^Cannot open rtnetlink/, `Cannot ${action}`), {
        cause: error,
      });
    }
    // A sandbox or seccomp policy refusing netlink sockets.
    if (error instanceof NetlinkSystemError && [EPERM, EACCES, EAFNOSUPPORT, EPROTONOSUPPORT].includes(error.errno)) {
      throw new MifError("unsupported", `Cannot ${action}: ${error.message}`, { cause: error });
    }
    throw error;
  };

  async function read(): Promise<HostFacts> {
    const action = "read host facts from rtnetlink";
    let calls: NetlinkSocketCalls;
    try {
      calls = openCalls();
    } catch (error) {
      return unsupported(action, error);
    }
    try {
      const buffer = new Uint8Array(BUFFER_SIZE);
      for (let attempt = 1;; attempt++) {
        let fd: number;
        try {
          fd = calls.open(0, []);
        } catch (error) {
          return unsupported(action, error);
        }
        try {
          const messages = [
            ...await dump(calls, fd, "link", undefined, buffer, timeout),
            ...await dump(calls, fd, "address", undefined, buffer, timeout),
            ...await dump(calls, fd, "route", 4, buffer, timeout),
            ...await dump(calls, fd, "route", 6, buffer, timeout),
          ];
          return hostFactsFromNetlink(messages, dnsCache.links());
        } catch (error) {
          if (!(error instanceof DumpRestart)) {
            if (error instanceof MifError) throw error;
            throw new MifError("internal-error", `Cannot ${action}: ${(error as Error).message}`, { cause: error });
          }
          if (attempt >= DUMP_ATTEMPTS) {
            throw new MifError(
              "internal-error",
              `Cannot ${action}: the tables changed during each of ${DUMP_ATTEMPTS} dumps`,
            );
          }
        } finally {
          calls.close(fd);
        }
      }
    } finally {
      calls.dispose();
    }
  }

  function watch(onChange: () => void): () => Promise<void> {
    const action = "watch rtnetlink";
    let calls: NetlinkSocketCalls;
    try {
      calls = openCalls();
    } catch (error) {
      return unsupported(action, error);
    }
    let fd: number;
    let waker: number;
    try {
      const groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;
      fd = calls.open(groups, [RTNLGRP_ND_USEROPT, RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_RULE], options.receiveBufferSize);
    } catch (error) {
      calls.dispose();
      return unsupported(action, error);
    }
    try {
      waker = calls.openWaker();
    } catch (error) {
      calls.close(fd);
      calls.dispose();
      return unsupported(action, error);
    }
    let stopped = false;
    let running = true;
    const buffer = new Uint8Array(BUFFER_SIZE);
    const now = options.now ?? Date.now;
    let expiryTimer: ReturnType<typeof setTimeout> | undefined;

    /**
     * Calls back without letting the callback's exception end the watch:
     * it goes to onError, or is reported like an uncaught exception.
     */
    const call = <T extends unknown[]>(callback: ((...args: T) => void) | undefined, ...args: T): void => {
      try {
        callback?.(...args);
      } catch (error) {
        const onError = options.onError;
        if (onError !== undefined && (callback as unknown) !== onError) call(onError, error);
        else reportUncaught(error);
      }
    };

    /**
     * Arms a timer for the next RDNSS or DNSSL entry to run out: its going
     * is a change too, which no notification announces.
     */
    const scheduleExpiry = (): void => {
      clearTimeout(expiryTimer);
      expiryTimer = undefined;
      const next = dnsCache.nextExpiry();
      if (next === undefined || stopped) return;
      // setTimeout takes at most 2^31 - 1 ms; a longer wait is re-armed.
      const delay = Math.min(Math.max(0, next - now()), MAX_TIMER);
      expiryTimer = setTimeout(() => {
        expiryTimer = undefined;
        if (stopped) return;
        // A refresh since arming may have pushed the entry back.
        const due = dnsCache.nextExpiry();
        if (due !== undefined && due <= now()) {
          dnsCache.links(); // drops what ran out
          call(onChange);
        }
        scheduleExpiry();
      }, delay);
    };

    /** Reads every datagram waiting; true if anything calls for onChange. */
    const drain = (): boolean => {
      let changed = false;
      for (;;) {
        const received = calls.receive(fd, buffer);
        if (received === "empty") return changed;
        // Any notification at all (a rule too) may change where a packet goes.
        forgetRoutes();
        // The kernel dropped notifications, or one did not fit: what we
        // know is stale, and only a new read can tell what changed.
        if (received === "overrun" || received > buffer.length) {
          call(options.onOverrun);
          changed = true;
          continue;
        }
        let messages: NetlinkMessage[];
        try {
          messages = parseNetlinkMessages(buffer.subarray(0, received));
        } catch (error) {
          if (!(error instanceof SyntaxError)) throw error;
          call(options.onOverrun);
          changed = true;
          continue;
        }
        for (const message of messages) {
          if (message.type === "nd-user-option") {
            if (dnsCache.add(message)) changed = true;
            call(options.onNdUserOption, message);
          } else if (message.type === "link" || message.type === "address" || message.type === "route") {
            changed = true;
          }
        }
      }
    };

    watching++;
    const loop = (async () => {
      try {
        while (!stopped) {
          const result = await waitOnce(calls, fd, waker, -1);
          if (stopped || result === "woken") break;
          const changed = drain();
          if (stopped) break;
          scheduleExpiry();
          if (changed) call(onChange);
        }
      } catch (error) {
        if (!stopped) {
          call(options.onError, error);
          call(onChange);
        }
      } finally {
        running = false;
        watching--;
        forgetRoutes();
        clearTimeout(expiryTimer);
        calls.close(fd);
        calls.close(waker);
        calls.dispose();
      }
    })();

    return () => {
      // Once the loop has ended, the waker's number may belong to someone else.
      if (!stopped && running) {
        stopped = true;
        calls.wake(waker);
      }
      return loop;
    };
  }

  /**
   * Route lookups answered since the last notification, while a watch runs
   * (`watching`): its socket hears every link, address, route and rule
   * change, each of which empties this. `epoch` counts the emptyings, so
   * that an answer asked for before one is not kept after it.
   */
  const routes = new Map<string, KernelRouteLookup>();
  let watching = 0;
  let epoch = 0;
  function forgetRoutes(): void {
    epoch++;
    routes.clear();
  }

  /** The calls route lookups share, opened on the first one. */
  let lookupCalls: NetlinkSocketCalls | undefined;
  /** Lookups in flight: the calls are released only once none is. */
  let lookups = 0;
  let closeAfterLookups = false;

  /** A kept answer comes back at once, not as a promise: a connect waits for no turn of the event loop. */
  function lookup(destination: string, source: string): KernelRouteLookup | Promise<KernelRouteLookup> {
    const key = `${destination} ${source}`;
    const known = watching > 0 ? routes.get(key) : undefined;
    if (known !== undefined) return known;
    const asked = epoch;
    return ask(destination, source).then((route) => {
      if (watching > 0 && asked === epoch) {
        if (routes.size >= ROUTE_CACHE_SIZE) routes.delete(routes.keys().next().value!);
        routes.set(key, route);
      }
      return route;
    });
  }

  async function ask(destination: string, source: string): Promise<KernelRouteLookup> {
    const action = `look up the route to ${destination} from ${source}`;
    if (lookupCalls === undefined) {
      try {
        lookupCalls = openCalls();
      } catch (error) {
        return unsupported(action, error);
      }
    }
    const calls = lookupCalls;
    lookups++;
    try {
      return await routeGet(calls, destination, source, { timeout });
    } catch (error) {
      return unsupported(action, error);
    } finally {
      lookups--;
      if (lookups === 0 && closeAfterLookups) release();
    }
  }

  function release(): void {
    closeAfterLookups = false;
    const calls = lookupCalls;
    lookupCalls = undefined;
    calls?.dispose();
  }

  function close(): void {
    // A lookup waiting for its answer keeps the library until it is done.
    if (lookups > 0) closeAfterLookups = true;
    else release();
  }

  const requirement = `${
    options.requirement ?? DEFAULT_REQUIREMENT
  }; sees only the network namespace the process runs in`;
  return { name: "rtnetlink", limitations: [requirement, ...LIMITATIONS], read, watch, routeGet: lookup, close };
}

/**
 * Reports an error no caller can take, as an uncaught exception would be:
 * `reportError` where the runtime has it (Deno, browsers), a throw from a
 * microtask otherwise (Node 20 has no `reportError`).
 */
function reportUncaught(error: unknown): void {
  const report = (globalThis as { reportError?: (error: unknown) => void }).reportError;
  if (typeof report === "function") report(error);
  else {
    queueMicrotask(() => {
      throw error;
    });
  }
}
