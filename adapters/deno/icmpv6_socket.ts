/**
 * A raw ICMPv6 socket through Deno's FFI (glibc), for the Router
 * Advertisement listener (`RouterAdvertisementListener` of `@pvd/mif/host`):
 * an `ICMP6_FILTER` that passes Router Advertisements only, the Hop Limit
 * and arrival link of every message (`IPV6_RECVHOPLIMIT`,
 * `IPV6_RECVPKTINFO`), and Router Solicitations sent with Hop Limit 255.
 *
 * The event loop never blocks: only `poll()` waits, on a thread of its own;
 * `recvmsg()` runs on the main thread once the socket is readable, so errno
 * is read on the thread that set it. Closing wakes a pending receive at once
 * (an eventfd in the poll set). The socket is written once for every
 * runtime over glibc (`adapters/host/_libc_icmpv6.ts`); this module opens
 * glibc through `Deno.dlopen`.
 *
 * Needs `--allow-ffi` and the right to open a raw socket (root or
 * `CAP_NET_RAW`); without them {@linkcode openIcmpv6Socket} throws a
 * `MifError` of code `unsupported` saying which.
 *
 * @example Listen for RAs on this host (root, FFI)
 * ```ts ignore
 * import { openIcmpv6Socket } from "./icmpv6_socket.ts";
 * import { RouterAdvertisementListener } from "../host/ra_listener.ts";
 * import { systemClock } from "../../api/clock.ts";
 *
 * const listener = new RouterAdvertisementListener(openIcmpv6Socket(), systemClock, { solicit: [2] });
 * listener.start(() => console.log(listener.heard()));
 * ```
 *
 * @module
 */

import type { RawIcmpv6Socket } from "../host/ra_listener.ts";
import { libcIcmpv6Socket } from "../host/_libc_icmpv6.ts";
import { openLibc } from "./_libc.ts";

/**
 * Opens the socket: raw ICMPv6, Router Advertisements only, Hop Limit and
 * arrival link reported, Hop Limit 255 on what it sends (RFC 4861 section
 * 6.1.1 asks routers to check it on solicitations).
 *
 * @example
 * ```ts ignore
 * import { openIcmpv6Socket } from "./icmpv6_socket.ts";
 *
 * const socket = openIcmpv6Socket();
 * const datagram = await socket.receive(); // the next RA, or undefined once closed
 * socket.close();
 * ```
 *
 * @returns The socket.
 * @throws {MifError} Of code `unsupported` off Linux, without FFI, or without the right to open raw sockets.
 */
export function openIcmpv6Socket(): RawIcmpv6Socket {
  const action = "open a raw ICMPv6 socket";
  return libcIcmpv6Socket(openLibc(action), action);
}
