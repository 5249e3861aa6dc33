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
 * (an eventfd in the poll set).
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

import { MifError } from "../../api/errors.ts";
import { formatIpAddress, parseIpAddress } from "../../core-as/ip_address.ts";
import type { Icmpv6Datagram, RawIcmpv6Socket } from "../host/ra_listener.ts";
import { EACCES, EAGAIN, EINTR, EPERM, ERRNO_NAMES, int32Bytes, type Libc, openLibc } from "./_libc.ts";

// Constants of glibc's and Linux's headers (x86-64 and every LP64 Linux).
/** `AF_INET6`, `SOCK_RAW`, `SOCK_CLOEXEC`, `IPPROTO_ICMPV6`, `IPPROTO_IPV6`. */
const AF_INET6 = 10;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0x80000;
const IPPROTO_IPV6 = 41;
const IPPROTO_ICMPV6 = 58;
/** `ICMP6_FILTER` (netinet/icmp6.h): a 256-bit set of types to block. */
const ICMP6_FILTER = 1;
/** `IPV6_*` socket options (linux/in6.h). */
const IPV6_UNICAST_HOPS = 16;
const IPV6_MULTICAST_HOPS = 18;
const IPV6_RECVPKTINFO = 49;
const IPV6_PKTINFO = 50;
const IPV6_RECVHOPLIMIT = 51;
const IPV6_HOPLIMIT = 52;
const MSG_DONTWAIT = 0x40;
/** `struct sockaddr_in6`: family u16, port u16, flowinfo u32, addr [16], scope_id u32. */
const SOCKADDR_IN6_SIZE = 28;
/** `struct msghdr` on LP64: name ptr, namelen u32 (+4), iov ptr, iovlen u64, control ptr, controllen u64, flags i32 (+4). */
const MSGHDR_SIZE = 56;
/** `struct iovec`: base ptr, len u64. */
const IOVEC_SIZE = 16;
/** `struct cmsghdr` on LP64: len u64, level i32, type i32, then data aligned to 8. */
const CMSG_HEADER = 16;
/** ICMPv6 Router Advertisement. */
const ROUTER_ADVERTISEMENT = 134;
/** An RA is at most one IPv6 MTU of a jumbo-less link; 64 KiB holds anything. */
const BUFFER_SIZE = 65_536;
const CONTROL_SIZE = 256;

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
  const libc = openLibc(action);
  const c = libc.symbols;
  const fd = c.socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
  if (fd < 0) {
    const errno = libc.errno();
    libc.close();
    const why = errno === EPERM || errno === EACCES
      ? "not permitted (needs root or CAP_NET_RAW)"
      : `errno ${errno}${ERRNO_NAMES[errno] ? ` (${ERRNO_NAMES[errno]})` : ""}`;
    throw new MifError("unsupported", `Cannot ${action}: ${why}`);
  }
  const option = (level: number, name: number, value: Uint8Array, what: string) => {
    if (c.setsockopt(fd, level, name, value, value.length) < 0) {
      const errno = libc.errno();
      c.close(fd);
      libc.close();
      throw new MifError("unsupported", `Cannot ${action}: ${what}: errno ${errno}`);
    }
  };
  // Block every type, then pass type 134: bit set means blocked (Linux's ICMP6_FILTER_SETPASS clears it).
  const filter = new Uint8Array(32).fill(0xff);
  const filterView = new DataView(filter.buffer);
  const word = ROUTER_ADVERTISEMENT >> 5;
  filterView.setUint32(word * 4, filterView.getUint32(word * 4, true) & ~(1 << (ROUTER_ADVERTISEMENT & 31)), true);
  option(IPPROTO_ICMPV6, ICMP6_FILTER, filter, "ICMP6_FILTER");
  option(IPPROTO_IPV6, IPV6_RECVHOPLIMIT, int32Bytes(1), "IPV6_RECVHOPLIMIT");
  option(IPPROTO_IPV6, IPV6_RECVPKTINFO, int32Bytes(1), "IPV6_RECVPKTINFO");
  option(IPPROTO_IPV6, IPV6_MULTICAST_HOPS, int32Bytes(255), "IPV6_MULTICAST_HOPS");
  option(IPPROTO_IPV6, IPV6_UNICAST_HOPS, int32Bytes(255), "IPV6_UNICAST_HOPS");
  return new LibcIcmpv6Socket(libc, fd);
}

class LibcIcmpv6Socket implements RawIcmpv6Socket {
  readonly #libc: Libc;
  readonly #fd: number;
  readonly #waker: number;
  readonly #buffer = new Uint8Array(BUFFER_SIZE);
  readonly #control = new Uint8Array(CONTROL_SIZE);
  readonly #name = new Uint8Array(SOCKADDR_IN6_SIZE);
  readonly #iov = new Uint8Array(IOVEC_SIZE);
  readonly #msg = new Uint8Array(MSGHDR_SIZE);
  #closed = false;
  #released = false;
  #waiting = 0;

  constructor(libc: Libc, fd: number) {
    this.#libc = libc;
    this.#fd = fd;
    this.#waker = libc.openWaker();
  }

  async receive(): Promise<Icmpv6Datagram | undefined> {
    while (!this.#closed) {
      this.#waiting++;
      let result;
      try {
        result = await this.#libc.wait(this.#fd, this.#waker, -1);
      } finally {
        this.#waiting--;
      }
      if (this.#closed || result === "woken") break;
      if (result !== "readable") continue;
      const datagram = this.#receiveNow();
      if (datagram !== undefined) return datagram;
    }
    this.#release();
    return undefined;
  }

  send(bytes: Uint8Array, destination: string, ifindex: number): void {
    if (this.#closed) throw new MifError("aborted", "Cannot send: the ICMPv6 socket is closed");
    const to = new Uint8Array(SOCKADDR_IN6_SIZE);
    const view = new DataView(to.buffer);
    view.setUint16(0, AF_INET6, true);
    to.set(parseIpAddress(destination).bytes, 8);
    view.setUint32(24, ifindex, true);
    const sent = Number(this.#libc.symbols.sendto(this.#fd, bytes, BigInt(bytes.length), 0, to, SOCKADDR_IN6_SIZE));
    if (sent < 0) throw new Error(`Cannot send to ${destination} on link ${ifindex}: errno ${this.#libc.errno()}`);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#libc.wake(this.#waker);
    this.#release();
  }

  /** Frees the descriptors and the library once no wait is pending on them. */
  #release(): void {
    if (!this.#closed || this.#waiting > 0 || this.#released) return;
    this.#released = true;
    const c = this.#libc.symbols;
    c.close(this.#fd);
    c.close(this.#waker);
    this.#libc.close();
  }

  /** One recvmsg() without waiting: the datagram with its Hop Limit and link, or undefined. */
  #receiveNow(): Icmpv6Datagram | undefined {
    const msg = new DataView(this.#msg.buffer);
    const iov = new DataView(this.#iov.buffer);
    iov.setBigUint64(0, BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(this.#buffer))), true);
    iov.setBigUint64(8, BigInt(this.#buffer.length), true);
    msg.setBigUint64(0, BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(this.#name))), true);
    msg.setUint32(8, SOCKADDR_IN6_SIZE, true);
    msg.setBigUint64(16, BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(this.#iov))), true);
    msg.setBigUint64(24, 1n, true);
    msg.setBigUint64(32, BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(this.#control))), true);
    msg.setBigUint64(40, BigInt(this.#control.length), true);
    msg.setInt32(48, 0, true);
    const length = Number(this.#libc.symbols.recvmsg(this.#fd, this.#msg, MSG_DONTWAIT));
    if (length < 0) {
      const errno = this.#libc.errno();
      if (errno === EAGAIN || errno === EINTR) return undefined;
      throw new Error(`Cannot receive on the ICMPv6 socket: errno ${errno}`);
    }
    const source = formatIpAddress(this.#name.slice(8, 24));
    let hopLimit = -1;
    let ifindex = new DataView(this.#name.buffer).getUint32(24, true);
    const controlLength = Number(msg.getBigUint64(40, true));
    const control = new DataView(this.#control.buffer);
    for (let at = 0; at + CMSG_HEADER <= controlLength;) {
      const length = Number(control.getBigUint64(at, true));
      if (length < CMSG_HEADER || at + length > controlLength) break;
      const level = control.getInt32(at + 8, true);
      const type = control.getInt32(at + 12, true);
      if (level === IPPROTO_IPV6 && type === IPV6_HOPLIMIT && length >= CMSG_HEADER + 4) {
        hopLimit = control.getInt32(at + CMSG_HEADER, true);
      } else if (level === IPPROTO_IPV6 && type === IPV6_PKTINFO && length >= CMSG_HEADER + 20) {
        ifindex = control.getUint32(at + CMSG_HEADER + 16, true);
      }
      at += (length + 7) & ~7;
    }
    return { bytes: this.#buffer.slice(0, length), source, ifindex, hopLimit };
  }
}
