/**
 * A raw ICMPv6 socket through koffi (glibc), for the Router Advertisement
 * listener (`RouterAdvertisementListener` of `@pvd/mif/host`): the same
 * socket as Deno's (`adapters/host/_libc_icmpv6.ts`, written once over
 * glibc): an `ICMP6_FILTER` that passes Router Advertisements only, the Hop
 * Limit and arrival link of every message (`IPV6_RECVHOPLIMIT`,
 * `IPV6_RECVPKTINFO`), and Router Solicitations sent with Hop Limit 255.
 *
 * The event loop never blocks: only `poll()` waits, on a thread of libuv's
 * pool (koffi's asynchronous call); `recvmsg()` runs on the main thread once
 * the socket is readable. Closing wakes a pending receive at once.
 *
 * Needs the right to open a raw socket (root or `CAP_NET_RAW`); without it
 * {@linkcode openIcmpv6Socket} throws a `MifError` of code `unsupported`
 * saying so.
 *
 * @example Listen for RAs on this host (root)
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
import { openKoffiLibc } from "./koffi_libc.ts";

/**
 * Opens the socket: raw ICMPv6, Router Advertisements only, Hop Limit and
 * arrival link reported, Hop Limit 255 on what it sends.
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
 * @throws {MifError} Of code `unsupported` off Linux, without koffi, or without the right to open raw sockets.
 */
export function openIcmpv6Socket(): RawIcmpv6Socket {
  const action = "open a raw ICMPv6 socket";
  return libcIcmpv6Socket(openKoffiLibc(action), action);
}
