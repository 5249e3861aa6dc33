// The bytes a raw ICMPv6 socket is driven with, whatever the runtime's FFI:
// the constants of glibc's and Linux's headers, the ICMP6_FILTER set, struct
// sockaddr_in6, struct msghdr and struct iovec as recvmsg() takes them, and
// the control messages (cmsg) it fills in. Laid out for LP64 Linux (x86-64,
// aarch64, riscv64: 8-byte pointers and size_t, little-endian).
//
// Runtime-neutral: no Deno.*, no node:*.

import { formatIpAddress, parseIpAddress } from "../../core-as/ip_address.ts";
import type { Icmpv6Datagram } from "./ra_listener.ts";

/** `AF_INET6`, `SOCK_RAW`, `SOCK_CLOEXEC`, `IPPROTO_ICMPV6`, `IPPROTO_IPV6`. */
export const AF_INET6 = 10;
export const SOCK_RAW = 3;
export const SOCK_CLOEXEC = 0x80000;
export const IPPROTO_IPV6 = 41;
export const IPPROTO_ICMPV6 = 58;
/** `ICMP6_FILTER` (netinet/icmp6.h): a 256-bit set of types to block. */
export const ICMP6_FILTER = 1;
/** `IPV6_*` socket options (linux/in6.h). */
export const IPV6_UNICAST_HOPS = 16;
export const IPV6_MULTICAST_HOPS = 18;
export const IPV6_RECVPKTINFO = 49;
export const IPV6_PKTINFO = 50;
export const IPV6_RECVHOPLIMIT = 51;
export const IPV6_HOPLIMIT = 52;
export const MSG_DONTWAIT = 0x40;

/** `struct sockaddr_in6`: family u16, port u16, flowinfo u32, addr [16], scope_id u32. */
export const SOCKADDR_IN6_SIZE = 28;
const SIN6_ADDR = 8;
const SIN6_SCOPE_ID = 24;
/** `struct msghdr` on LP64: name ptr, namelen u32 (+4), iov ptr, iovlen u64, control ptr, controllen u64, flags i32 (+4). */
export const MSGHDR_SIZE = 56;
const MSG_NAME = 0;
const MSG_NAMELEN = 8;
const MSG_IOV = 16;
const MSG_IOVLEN = 24;
const MSG_CONTROL = 32;
const MSG_CONTROLLEN = 40;
const MSG_FLAGS = 48;
/** `struct iovec`: base ptr, len u64. */
export const IOVEC_SIZE = 16;
/** `struct cmsghdr` on LP64: len u64, level i32, type i32, then data aligned to 8. */
const CMSG_HEADER = 16;
/** `struct in6_pktinfo`: addr [16], ifindex u32. */
const IN6_PKTINFO_IFINDEX = 16;
const IN6_PKTINFO_SIZE = 20;

/** ICMPv6 Router Advertisement (RFC 4861 section 4.2). */
export const ROUTER_ADVERTISEMENT = 134;

/**
 * The `ICMP6_FILTER` value passing only ICMPv6 `type`: 256 bits in 32-bit
 * words, a set bit meaning blocked (Linux's `ICMP6_FILTER_SETPASS` clears
 * it; the kernel reads the words in host order).
 */
export function icmp6FilterPassing(type: number): Uint8Array {
  const filter = new Uint8Array(32).fill(0xff);
  const view = new DataView(filter.buffer);
  const word = (type >> 5) * 4;
  view.setUint32(word, view.getUint32(word, true) & ~(1 << (type & 31)), true);
  return filter;
}

/** A `struct sockaddr_in6` for `destination` (an IPv6 address in text) on link `ifindex`, port 0. */
export function sockaddrIn6(destination: string, ifindex: number): Uint8Array {
  const address = new Uint8Array(SOCKADDR_IN6_SIZE);
  const view = new DataView(address.buffer);
  view.setUint16(0, AF_INET6, true);
  address.set(parseIpAddress(destination).bytes, SIN6_ADDR);
  view.setUint32(SIN6_SCOPE_ID, ifindex, true);
  return address;
}

/** Where recvmsg() is to put what it receives: addresses of fixed memory, and sizes. */
export interface MessageBuffers {
  /** The `sockaddr_in6` the source is written to. */
  readonly name: bigint;
  /** The `iovec` describing the data buffer. */
  readonly iov: bigint;
  /** The control (cmsg) buffer. */
  readonly control: bigint;
  /** Its size. */
  readonly controlSize: number;
}

/** Fills in an `iovec` for `size` bytes at `base`. */
export function writeIovec(iovec: Uint8Array, base: bigint, size: number): void {
  const view = new DataView(iovec.buffer, iovec.byteOffset, IOVEC_SIZE);
  view.setBigUint64(0, base, true);
  view.setBigUint64(8, BigInt(size), true);
}

/**
 * Fills in a `msghdr` for one recvmsg(): the name and control lengths are
 * in-out, so this runs before each call.
 */
export function writeMsghdr(msghdr: Uint8Array, buffers: MessageBuffers): void {
  const view = new DataView(msghdr.buffer, msghdr.byteOffset, MSGHDR_SIZE);
  view.setBigUint64(MSG_NAME, buffers.name, true);
  view.setUint32(MSG_NAMELEN, SOCKADDR_IN6_SIZE, true);
  view.setUint32(MSG_NAMELEN + 4, 0, true);
  view.setBigUint64(MSG_IOV, buffers.iov, true);
  view.setBigUint64(MSG_IOVLEN, 1n, true);
  view.setBigUint64(MSG_CONTROL, buffers.control, true);
  view.setBigUint64(MSG_CONTROLLEN, BigInt(buffers.controlSize), true);
  view.setInt32(MSG_FLAGS, 0, true);
}

/** The control length recvmsg() wrote back into the `msghdr`. */
export function controlLength(msghdr: Uint8Array): number {
  return Number(new DataView(msghdr.buffer, msghdr.byteOffset, MSGHDR_SIZE).getBigUint64(MSG_CONTROLLEN, true));
}

/**
 * What one recvmsg() received, as an {@linkcode Icmpv6Datagram}: the
 * source from the `sockaddr_in6`, the Hop Limit from `IPV6_HOPLIMIT` (-1
 * when absent, which the receive checks refuse), and the arrival link from
 * `IPV6_PKTINFO` (the name's scope id when absent). Control messages that
 * do not fit `control` are ignored, not read past.
 *
 * @param data The received message (copied).
 * @param name The `sockaddr_in6` recvmsg() filled in.
 * @param control The control bytes, as long as recvmsg() said.
 */
export function datagramFromMessage(data: Uint8Array, name: Uint8Array, control: Uint8Array): Icmpv6Datagram {
  const nameView = new DataView(name.buffer, name.byteOffset, SOCKADDR_IN6_SIZE);
  const source = formatIpAddress(name.slice(SIN6_ADDR, SIN6_ADDR + 16));
  let hopLimit = -1;
  let ifindex = nameView.getUint32(SIN6_SCOPE_ID, true);
  const view = new DataView(control.buffer, control.byteOffset, control.length);
  for (let at = 0; at + CMSG_HEADER <= control.length;) {
    const length = Number(view.getBigUint64(at, true));
    if (length < CMSG_HEADER || at + length > control.length) break;
    const level = view.getInt32(at + 8, true);
    const type = view.getInt32(at + 12, true);
    if (level === IPPROTO_IPV6 && type === IPV6_HOPLIMIT && length >= CMSG_HEADER + 4) {
      hopLimit = view.getInt32(at + CMSG_HEADER, true);
    } else if (level === IPPROTO_IPV6 && type === IPV6_PKTINFO && length >= CMSG_HEADER + IN6_PKTINFO_SIZE) {
      ifindex = view.getUint32(at + CMSG_HEADER + IN6_PKTINFO_IFINDEX, true);
    }
    // CMSG_NXTHDR: the next header starts 8-aligned.
    at += (length + 7) & ~7;
  }
  return { bytes: data.slice(), source, ifindex, hopLimit };
}
