// The system calls of an rtnetlink source (NetlinkSocketCalls) over glibc,
// written once for every runtime's FFI (LibcBinding). Runtime-neutral.

import { EAGAIN, EINTR, ENOBUFS, int32Bytes, type LibcBinding, openWaker, waitReadable, wake } from "./_libc.ts";
import { type NetlinkSocketCalls, NetlinkSystemError } from "./rtnetlink_source.ts";

// Constants, checked against the uapi and glibc headers of this machine
// (Linux 6.1 headers, glibc 2.36, x86-64) by a C program printing them.

/** `AF_NETLINK` (sys/socket.h). */
const AF_NETLINK = 16;
/** `SOCK_RAW`; netlink sockets are `SOCK_RAW` or `SOCK_DGRAM`. */
const SOCK_RAW = 3;
/** `SOCK_CLOEXEC`: no leak into child processes. */
const SOCK_CLOEXEC = 0x80000;
/** `NETLINK_ROUTE` (linux/netlink.h). */
const NETLINK_ROUTE = 0;
/** `SOL_NETLINK` and `NETLINK_ADD_MEMBERSHIP`, to join groups above 32. */
const SOL_NETLINK = 270;
const NETLINK_ADD_MEMBERSHIP = 1;
/** `SOL_SOCKET`, `SO_RCVBUF`. */
const SOL_SOCKET = 1;
const SO_RCVBUF = 8;
/** `MSG_DONTWAIT` and `MSG_TRUNC` (return the datagram's real length). */
const MSG_DONTWAIT = 0x40;
const MSG_TRUNC = 0x20;
/** `struct sockaddr_nl`: nl_family u16, nl_pad u16, nl_pid u32, nl_groups u32. */
const SOCKADDR_NL_SIZE = 12;

/**
 * The calls of an rtnetlink source over `libc`; `dispose()` unloads it.
 * Sockets are read without waiting, on the calling thread, so errno is read
 * on the thread that set it; only `wait` (poll) runs elsewhere.
 */
export function libcNetlinkCalls(libc: LibcBinding): NetlinkSocketCalls {
  const check = (result: number, call: string): number => {
    if (result < 0) throw new NetlinkSystemError(call, libc.errno());
    return result;
  };
  return {
    open(groups, memberships, receiveBufferSize) {
      const fd = check(libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), "socket");
      try {
        if (receiveBufferSize !== undefined) {
          check(libc.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, int32Bytes(receiveBufferSize)), "setsockopt SO_RCVBUF");
        }
        const address = new Uint8Array(SOCKADDR_NL_SIZE);
        const view = new DataView(address.buffer);
        view.setUint16(0, AF_NETLINK, true);
        // nl_pid 0: the kernel picks the port id.
        view.setUint32(8, groups, true);
        check(libc.bind(fd, address), "bind");
        for (const group of memberships) {
          check(
            libc.setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, int32Bytes(group)),
            `join netlink group ${group}`,
          );
        }
      } catch (error) {
        libc.close(fd);
        throw error;
      }
      return fd;
    },
    send(fd, bytes) {
      const sent = check(libc.send(fd, bytes, 0), "send");
      // Netlink sends a datagram whole or not at all; anything else is a bug.
      if (sent !== bytes.length) throw new Error(`Cannot send a ${bytes.length}-byte request: ${sent} bytes sent`);
    },
    receive(fd, buffer) {
      const result = libc.recv(fd, buffer, MSG_DONTWAIT | MSG_TRUNC);
      if (result >= 0) return result;
      // Read at once, on this thread: errno is per thread.
      const code = libc.errno();
      if (code === EAGAIN || code === EINTR) return "empty";
      if (code === ENOBUFS) return "overrun";
      throw new NetlinkSystemError("recv", code);
    },
    wait: (fd, waker, timeout) => waitReadable(libc, fd, waker, timeout),
    openWaker: () => openWaker(libc),
    wake: (waker) => wake(libc, waker),
    close(fd) {
      libc.close(fd);
    },
    dispose() {
      libc.unload();
    },
  };
}
