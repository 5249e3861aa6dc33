// A raw ICMPv6 socket for the Router Advertisement listener, over glibc,
// written once for every runtime's FFI (LibcBinding): an ICMP6_FILTER
// passing Router Advertisements only, the Hop Limit and arrival link of
// every message (IPV6_RECVHOPLIMIT, IPV6_RECVPKTINFO), and Router
// Solicitations sent with Hop Limit 255.
//
// The event loop never blocks: only poll() waits, on another thread;
// recvmsg() runs on the main thread once the socket is readable, so errno
// is read on the thread that set it. Closing wakes a pending receive at once
// (an eventfd in the poll set). Runtime-neutral.

import { MifError } from "../../api/errors.ts";
import {
  describeErrno,
  EACCES,
  EAGAIN,
  EINTR,
  EPERM,
  int32Bytes,
  type LibcBinding,
  type NativeMemory,
  openWaker,
  waitReadable,
  wake,
} from "./_libc.ts";
import {
  AF_INET6,
  controlLength,
  datagramFromMessage,
  ICMP6_FILTER,
  icmp6FilterPassing,
  IOVEC_SIZE,
  IPPROTO_ICMPV6,
  IPPROTO_IPV6,
  IPV6_MULTICAST_HOPS,
  IPV6_RECVHOPLIMIT,
  IPV6_RECVPKTINFO,
  IPV6_UNICAST_HOPS,
  MSG_DONTWAIT,
  MSGHDR_SIZE,
  ROUTER_ADVERTISEMENT,
  SOCK_CLOEXEC,
  SOCK_RAW,
  SOCKADDR_IN6_SIZE,
  sockaddrIn6,
  writeIovec,
  writeMsghdr,
} from "./_icmpv6_wire.ts";
import type { Icmpv6Datagram, RawIcmpv6Socket } from "./ra_listener.ts";

/** An RA is at most one IPv6 MTU of a jumbo-less link; 64 KiB holds anything. */
const BUFFER_SIZE = 65_536;
const CONTROL_SIZE = 256;

/**
 * Opens the socket over `libc`: raw ICMPv6, Router Advertisements only, Hop
 * Limit and arrival link reported, Hop Limit 255 on what it sends (RFC 4861
 * section 6.1.1 asks routers to check it on solicitations). Closing the
 * socket unloads `libc`; so does a failure here.
 *
 * @throws {MifError} Of code `unsupported` without the right to open raw sockets.
 */
export function libcIcmpv6Socket(libc: LibcBinding, action: string): RawIcmpv6Socket {
  const fd = libc.socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
  if (fd < 0) {
    const errno = libc.errno();
    libc.unload();
    const why = errno === EPERM || errno === EACCES
      ? "not permitted (needs root or CAP_NET_RAW)"
      : describeErrno(errno);
    throw new MifError("unsupported", `Cannot ${action}: ${why}`);
  }
  const option = (level: number, name: number, value: Uint8Array, what: string) => {
    if (libc.setsockopt(fd, level, name, value) < 0) {
      const errno = libc.errno();
      libc.close(fd);
      libc.unload();
      throw new MifError("unsupported", `Cannot ${action}: ${what}: ${describeErrno(errno)}`);
    }
  };
  option(IPPROTO_ICMPV6, ICMP6_FILTER, icmp6FilterPassing(ROUTER_ADVERTISEMENT), "ICMP6_FILTER");
  option(IPPROTO_IPV6, IPV6_RECVHOPLIMIT, int32Bytes(1), "IPV6_RECVHOPLIMIT");
  option(IPPROTO_IPV6, IPV6_RECVPKTINFO, int32Bytes(1), "IPV6_RECVPKTINFO");
  option(IPPROTO_IPV6, IPV6_MULTICAST_HOPS, int32Bytes(255), "IPV6_MULTICAST_HOPS");
  option(IPPROTO_IPV6, IPV6_UNICAST_HOPS, int32Bytes(255), "IPV6_UNICAST_HOPS");
  let waker: number;
  try {
    waker = openWaker(libc);
  } catch (error) {
    libc.close(fd);
    libc.unload();
    throw new MifError("unsupported", `Cannot ${action}: ${(error as Error).message}`, { cause: error });
  }
  return new LibcIcmpv6Socket(libc, fd, waker);
}

class LibcIcmpv6Socket implements RawIcmpv6Socket {
  readonly #libc: LibcBinding;
  readonly #fd: number;
  readonly #waker: number;
  // recvmsg() follows the pointers in the msghdr: all of it in fixed memory.
  readonly #buffer: NativeMemory;
  readonly #control: NativeMemory;
  readonly #name: NativeMemory;
  readonly #iov: NativeMemory;
  readonly #msg: NativeMemory;
  #closed = false;
  #released = false;
  #waiting = 0;

  constructor(libc: LibcBinding, fd: number, waker: number) {
    this.#libc = libc;
    this.#fd = fd;
    this.#waker = waker;
    this.#buffer = libc.allocate(BUFFER_SIZE);
    this.#control = libc.allocate(CONTROL_SIZE);
    this.#name = libc.allocate(SOCKADDR_IN6_SIZE);
    this.#iov = libc.allocate(IOVEC_SIZE);
    this.#msg = libc.allocate(MSGHDR_SIZE);
    writeIovec(this.#iov.bytes, this.#buffer.address, BUFFER_SIZE);
  }

  async receive(): Promise<Icmpv6Datagram | undefined> {
    while (!this.#closed) {
      this.#waiting++;
      let result;
      try {
        result = await waitReadable(this.#libc, this.#fd, this.#waker, -1);
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
    const sent = this.#libc.sendto(this.#fd, bytes, 0, sockaddrIn6(destination, ifindex));
    if (sent < 0) {
      throw new Error(`Cannot send to ${destination} on link ${ifindex}: ${describeErrno(this.#libc.errno())}`);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    wake(this.#libc, this.#waker);
    this.#release();
  }

  /** Frees the descriptors, the memory and the library once no wait is pending on them. */
  #release(): void {
    if (!this.#closed || this.#waiting > 0 || this.#released) return;
    this.#released = true;
    this.#libc.close(this.#fd);
    this.#libc.close(this.#waker);
    for (const memory of [this.#buffer, this.#control, this.#name, this.#iov, this.#msg]) memory.free();
    this.#libc.unload();
  }

  /** One recvmsg() without waiting: the datagram with its Hop Limit and link, or undefined. */
  #receiveNow(): Icmpv6Datagram | undefined {
    writeMsghdr(this.#msg.bytes, {
      name: this.#name.address,
      iov: this.#iov.address,
      control: this.#control.address,
      controlSize: CONTROL_SIZE,
    });
    const length = this.#libc.recvmsg(this.#fd, this.#msg, MSG_DONTWAIT);
    if (length < 0) {
      // Read at once, on this thread: errno is per thread.
      const errno = this.#libc.errno();
      if (errno === EAGAIN || errno === EINTR) return undefined;
      throw new Error(`Cannot receive on the ICMPv6 socket: ${describeErrno(errno)}`);
    }
    const control = this.#control.bytes.subarray(0, Math.min(controlLength(this.#msg.bytes), CONTROL_SIZE));
    return datagramFromMessage(
      this.#buffer.bytes.subarray(0, Math.min(length, BUFFER_SIZE)),
      this.#name.bytes,
      control,
    );
  }
}
