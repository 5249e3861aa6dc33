// The raw ICMPv6 socket's bytes and logic, written once for Deno and Node
// (adapters/host/_icmpv6_wire.ts, adapters/host/_libc_icmpv6.ts): the
// ICMP6_FILTER set, sockaddr_in6, msghdr and iovec as glibc lays them out on
// LP64 Linux, the control messages recvmsg() fills in, and the socket over a
// scripted glibc (a LibcBinding double whose memory has addresses, so that
// recvmsg() follows the msghdr's pointers as the kernel would).

import { MifError } from "../api/errors.ts";
import {
  controlLength,
  datagramFromMessage,
  icmp6FilterPassing,
  sockaddrIn6,
  writeIovec,
  writeMsghdr,
} from "../adapters/host/_icmpv6_wire.ts";
import type { LibcBinding, NativeMemory } from "../adapters/host/_libc.ts";
import { libcIcmpv6Socket } from "../adapters/host/_libc_icmpv6.ts";
import { assert, assertEquals, assertThrows } from "./_assert.ts";

const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
const u64 = (n: number) => [...u32(n), 0, 0, 0, 0];
const i32 = u32;

/** A cmsghdr (LP64: len u64, level i32, type i32) and its data, padded to 8 as CMSG_SPACE does. */
function cmsg(level: number, type: number, data: number[]): number[] {
  const out = [...u64(16 + data.length), ...i32(level), ...i32(type), ...data];
  while (out.length % 8 !== 0) out.push(0);
  return out;
}

/** `IPV6_HOPLIMIT` (52) at level `IPPROTO_IPV6` (41): an int. */
const hopLimitCmsg = (hops: number) => cmsg(41, 52, i32(hops));
/** `IPV6_PKTINFO` (50): struct in6_pktinfo, the destination address then the arrival ifindex. */
const pktinfoCmsg = (ifindex: number) => cmsg(41, 50, [0xff, 0x02, ...new Array(13).fill(0), 0x01, ...u32(ifindex)]);

/** A sockaddr_in6 from fe80::1 with scope id `scope`. */
function fromFe80(scope: number): Uint8Array {
  return sockaddrIn6("fe80::1", scope);
}

Deno.test("ICMP6_FILTER: every type blocked but 134, whose bit (word 4, bit 6) is clear", () => {
  const filter = icmp6FilterPassing(134);
  assertEquals(filter.length, 32); // struct icmp6_filter: 8 words of 32 bits
  // ICMP6_FILTER_SETPASS(134): icmp6_filt[134 >> 5] &= ~(1 << (134 & 31)), a host-order (little-endian) word.
  assertEquals(Array.from(filter.subarray(16, 20)), [0xbf, 0xff, 0xff, 0xff]);
  assertEquals(filter.filter((b) => b !== 0xff).length, 1);
  // Type 0 and type 255 stay blocked (first and last bits).
  assertEquals([filter[0]! & 1, filter[31]! >> 7], [1, 1]);
});

Deno.test("sockaddr_in6: family, port 0, flowinfo 0, address, scope id", () => {
  assertEquals(
    Array.from(sockaddrIn6("ff02::2", 7)),
    [
      10,
      0, // sin6_family AF_INET6, little-endian
      0,
      0, // sin6_port
      0,
      0,
      0,
      0, // sin6_flowinfo
      0xff,
      0x02,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0x02, // sin6_addr ff02::2
      7,
      0,
      0,
      0, // sin6_scope_id
    ],
  );
  assertThrows(() => sockaddrIn6("ff02::g", 1), SyntaxError);
});

Deno.test("msghdr and iovec: pointers and lengths at glibc's LP64 offsets, flags cleared", () => {
  const msghdr = new Uint8Array(56).fill(0xaa);
  writeMsghdr(msghdr, { name: 0x1111n, iov: 0x2222n, control: 0x3333n, controlSize: 256 });
  const view = new DataView(msghdr.buffer);
  assertEquals(Number(view.getBigUint64(0, true)), 0x1111); // msg_name
  assertEquals(view.getUint32(8, true), 28); // msg_namelen: sizeof(struct sockaddr_in6)
  assertEquals(view.getUint32(12, true), 0); // padding
  assertEquals(Number(view.getBigUint64(16, true)), 0x2222); // msg_iov
  assertEquals(Number(view.getBigUint64(24, true)), 1); // msg_iovlen
  assertEquals(Number(view.getBigUint64(32, true)), 0x3333); // msg_control
  assertEquals(Number(view.getBigUint64(40, true)), 256); // msg_controllen
  assertEquals(view.getInt32(48, true), 0); // msg_flags
  assertEquals(controlLength(msghdr), 256);
  const iovec = new Uint8Array(16).fill(0xaa);
  writeIovec(iovec, 0x4444n, 65_536);
  assertEquals(Array.from(iovec), [0x44, 0x44, 0, 0, 0, 0, 0, 0, ...u64(65_536)]);
});

Deno.test("control messages: hop limit and arrival link, in either order", () => {
  const data = Uint8Array.of(134, 0, 0, 0);
  for (const control of [[...hopLimitCmsg(255), ...pktinfoCmsg(3)], [...pktinfoCmsg(3), ...hopLimitCmsg(255)]]) {
    const datagram = datagramFromMessage(data, fromFe80(9), Uint8Array.from(control));
    assertEquals(datagram, { bytes: data, source: "fe80::1", ifindex: 3, hopLimit: 255 });
  }
});

Deno.test("control messages: none gives hop limit -1 (refused later) and the scope id as the link", () => {
  assertEquals(datagramFromMessage(new Uint8Array(4), fromFe80(9), new Uint8Array(0)).hopLimit, -1);
  assertEquals(datagramFromMessage(new Uint8Array(4), fromFe80(9), new Uint8Array(0)).ifindex, 9);
});

Deno.test("control messages: a cut, short or zero-length header ends the walk without reading past it", () => {
  const good = hopLimitCmsg(64);
  // A PKTINFO whose length runs past the control bytes (the kernel set MSG_CTRUNC): ignored.
  const cut = [...good, ...pktinfoCmsg(3).slice(0, 30)];
  assertEquals(datagramFromMessage(new Uint8Array(4), fromFe80(9), Uint8Array.from(cut)), {
    bytes: new Uint8Array(4),
    source: "fe80::1",
    ifindex: 9,
    hopLimit: 64,
  });
  // cmsg_len 0 or under the header's 16 bytes would never advance: the walk stops.
  for (const length of [0, 8, 15]) {
    const bad = [...u64(length), ...i32(41), ...i32(52), ...i32(1), 0, 0, 0, 0, ...good];
    assertEquals(datagramFromMessage(new Uint8Array(4), fromFe80(9), Uint8Array.from(bad)).hopLimit, -1);
  }
  // A HOPLIMIT too short to hold its int is not read.
  const short = [...u64(18), ...i32(41), ...i32(52), 0xff, 0xff, 0, 0, 0, 0, 0, 0];
  assertEquals(datagramFromMessage(new Uint8Array(4), fromFe80(9), Uint8Array.from(short)).hopLimit, -1);
});

Deno.test("the datagram is a copy: the receive buffer can be reused", () => {
  const buffer = Uint8Array.of(134, 0, 1, 2);
  const datagram = datagramFromMessage(buffer, fromFe80(1), new Uint8Array(0));
  buffer.fill(0);
  assertEquals(Array.from(datagram.bytes), [134, 0, 1, 2]);
});

// ---------------------------------------------------------------------------
// The socket over a scripted glibc

/** A LibcBinding double: memory with addresses, one socket fd 5, waker fd 6, datagrams queued for recvmsg. */
class ScriptedLibc implements LibcBinding {
  readonly memory = new Map<bigint, Uint8Array>();
  readonly log: string[] = [];
  readonly queue: { data: Uint8Array; name: Uint8Array; control: Uint8Array }[] = [];
  socketErrno = 0;
  lastErrno = 0;
  woken = false;
  unloaded = false;
  #next = 0x10000n;
  #pollWaiting: (() => void) | undefined;

  socket(): number {
    if (this.socketErrno !== 0) {
      this.lastErrno = this.socketErrno;
      return -1;
    }
    return 5;
  }
  bind(): number {
    return 0;
  }
  setsockopt(_fd: number, level: number, name: number): number {
    this.log.push(`setsockopt ${level} ${name}`);
    return 0;
  }
  send(): number {
    return -1;
  }
  sendto(_fd: number, bytes: Uint8Array, _flags: number, address: Uint8Array): number {
    this.log.push(`sendto ${bytes.length} ${Array.from(address.subarray(8, 10))} scope ${address[24]}`);
    return bytes.length;
  }
  recv(): number {
    return -1;
  }
  recvmsg(_fd: number, message: NativeMemory): number {
    const next = this.queue.shift();
    if (next === undefined) {
      this.lastErrno = 11; // EAGAIN
      return -1;
    }
    // Follow the pointers, as the kernel does.
    const msg = new DataView(message.bytes.buffer, message.bytes.byteOffset, 56);
    this.#at(msg.getBigUint64(0, true)).set(next.name);
    const iov = new DataView(this.#at(msg.getBigUint64(16, true)).buffer);
    this.#at(iov.getBigUint64(0, true)).set(next.data);
    this.#at(msg.getBigUint64(32, true)).set(next.control);
    msg.setBigUint64(40, BigInt(next.control.length), true);
    return next.data.length;
  }
  eventfd(): number {
    return 6;
  }
  write(fd: number): number {
    if (fd === 6) {
      this.woken = true;
      this.#pollWaiting?.();
    }
    return 8;
  }
  close(fd: number): number {
    this.log.push(`close ${fd}`);
    return 0;
  }
  errno(): number {
    return this.lastErrno;
  }
  poll(fds: NativeMemory): Promise<number> {
    const view = new DataView(fds.bytes.buffer, fds.bytes.byteOffset, 16);
    const settle = (): number => {
      if (this.woken) {
        view.setInt16(14, 1, true); // POLLIN on the waker
        return 1;
      }
      view.setInt16(6, 1, true);
      return 1;
    };
    if (this.woken || this.queue.length > 0) return Promise.resolve(settle());
    return new Promise((resolve) => {
      this.#pollWaiting = () => {
        this.#pollWaiting = undefined;
        resolve(settle());
      };
    });
  }
  allocate(size: number): NativeMemory {
    const bytes = new Uint8Array(size);
    const address = this.#next;
    this.#next += 0x100000n;
    this.memory.set(address, bytes);
    return { bytes, address, free: () => this.memory.delete(address) };
  }
  unload(): void {
    this.unloaded = true;
  }
  /** Delivers a datagram and wakes a pending poll. */
  deliver(data: Uint8Array, name: Uint8Array, control: number[]): void {
    this.queue.push({ data, name, control: Uint8Array.from(control) });
    this.#pollWaiting?.();
  }
  #at(address: bigint): Uint8Array {
    const bytes = this.memory.get(address);
    if (bytes === undefined) throw new Error(`no memory at ${address}`);
    return bytes;
  }
}

Deno.test("socket: options set in order, a datagram read through the msghdr's pointers, close frees everything", async () => {
  const libc = new ScriptedLibc();
  const socket = libcIcmpv6Socket(libc, "open a raw ICMPv6 socket");
  assertEquals(libc.log, [
    "setsockopt 58 1", // ICMP6_FILTER
    "setsockopt 41 51", // IPV6_RECVHOPLIMIT
    "setsockopt 41 49", // IPV6_RECVPKTINFO
    "setsockopt 41 18", // IPV6_MULTICAST_HOPS
    "setsockopt 41 16", // IPV6_UNICAST_HOPS
  ]);
  const pending = socket.receive();
  const ra = Uint8Array.of(134, 0, 0, 0, 64, 0, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0);
  libc.deliver(ra, fromFe80(0), [...hopLimitCmsg(255), ...pktinfoCmsg(4)]);
  assertEquals(await pending, { bytes: ra, source: "fe80::1", ifindex: 4, hopLimit: 255 });
  socket.send(new Uint8Array(8), "ff02::2", 4);
  assertEquals(libc.log.at(-1), "sendto 8 255,2 scope 4");
  // Closing wakes a pending receive, which ends with undefined; then everything is released.
  const last = socket.receive();
  socket.close();
  assertEquals(await last, undefined);
  assert(libc.unloaded, "the library is released");
  assertEquals(libc.memory.size, 0, "every allocation is freed");
  assertEquals(libc.log.slice(-2), ["close 5", "close 6"]);
  const closed = assertThrows(() => socket.send(new Uint8Array(8), "ff02::2", 4), MifError);
  assertEquals((closed as MifError).code, "aborted");
});

Deno.test("socket: EPERM from socket() is unsupported, saying root or CAP_NET_RAW, and releases the library", () => {
  const libc = new ScriptedLibc();
  libc.socketErrno = 1;
  const error = assertThrows(() => libcIcmpv6Socket(libc, "open a raw ICMPv6 socket"), MifError);
  assertEquals((error as MifError).code, "unsupported");
  assertEquals(error.message, "Cannot open a raw ICMPv6 socket: not permitted (needs root or CAP_NET_RAW)");
  assert(libc.unloaded);
});
