// glibc as the real-host sources see it, whatever the runtime's FFI: the
// handful of calls they make (LibcBinding: Deno.dlopen in adapters/deno/,
// koffi in adapters/node/), errno values, and the wait that keeps the event
// loop free, written once over the binding: poll() on a thread of its own,
// with an eventfd in the poll set so that stopping wakes it at once.
//
// errno is per thread: only poll() runs off the main thread, and every call
// whose errno matters runs on the main thread, with errno read right after.
//
// Runtime-neutral: no Deno.*, no node:*.

/**
 * Memory at a fixed address, which native code may keep pointers into
 * between calls or read from another thread (a `msghdr` and what it points
 * to, a `pollfd` array during an asynchronous poll()).
 */
export interface NativeMemory {
  /** The memory, as bytes. */
  readonly bytes: Uint8Array;
  /** Its address, for pointers written into other structures. */
  readonly address: bigint;
  /** Gives it back; `bytes` must not be used afterwards. */
  free(): void;
}

/**
 * The glibc calls the sources make, as one runtime's FFI makes them. Each
 * returns the C result (-1 with errno set on failure) at once, on the
 * calling thread, except `poll`, which runs on another thread. Byte
 * arguments are read or written only during the call.
 */
export interface LibcBinding {
  /** `socket(domain, type, protocol)`. */
  socket(domain: number, type: number, protocol: number): number;
  /** `bind(fd, address, address.length)`. */
  bind(fd: number, address: Uint8Array): number;
  /** `setsockopt(fd, level, name, value, value.length)`. */
  setsockopt(fd: number, level: number, name: number, value: Uint8Array): number;
  /** `send(fd, bytes, bytes.length, flags)`. */
  send(fd: number, bytes: Uint8Array, flags: number): number;
  /** `sendto(fd, bytes, bytes.length, flags, address, address.length)`. */
  sendto(fd: number, bytes: Uint8Array, flags: number, address: Uint8Array): number;
  /** `recv(fd, buffer, buffer.length, flags)`. */
  recv(fd: number, buffer: Uint8Array, flags: number): number;
  /** `recvmsg(fd, message, flags)`, the `msghdr` in fixed memory since it holds pointers. */
  recvmsg(fd: number, message: NativeMemory, flags: number): number;
  /** `eventfd(initial, flags)`. */
  eventfd(initial: number, flags: number): number;
  /** `write(fd, bytes, bytes.length)`. */
  write(fd: number, bytes: Uint8Array): number;
  /** `close(fd)`. */
  close(fd: number): number;
  /** This thread's errno; call it right after the call that failed. */
  errno(): number;
  /** `poll(fds, count, timeout)` on another thread, so that the event loop runs meanwhile. */
  poll(fds: NativeMemory, count: number, timeout: number): Promise<number>;
  /** Memory at a fixed address, `size` bytes. */
  allocate(size: number): NativeMemory;
  /** Unloads the library; call once no poll() is pending. */
  unload(): void;
}

/** errno values (asm-generic/errno*.h), for the callers' decisions and messages. */
export const EPERM = 1;
export const EINTR = 4;
export const EAGAIN = 11;
export const EACCES = 13;
export const EPROTONOSUPPORT = 93;
export const EAFNOSUPPORT = 97;
export const ENOBUFS = 105;
/** Names of the errno values messages are likely to show. */
export const ERRNO_NAMES: Readonly<Record<number, string>> = {
  [EPERM]: "EPERM",
  [EINTR]: "EINTR",
  [EAGAIN]: "EAGAIN",
  [EACCES]: "EACCES",
  [EPROTONOSUPPORT]: "EPROTONOSUPPORT",
  [EAFNOSUPPORT]: "EAFNOSUPPORT",
  99: "EADDRNOTAVAIL",
  101: "ENETUNREACH",
  [ENOBUFS]: "ENOBUFS",
};

/** `errno 97 (EAFNOSUPPORT)`, for messages. */
export function describeErrno(errno: number): string {
  const name = ERRNO_NAMES[errno];
  return `errno ${errno}${name === undefined ? "" : ` (${name})`}`;
}

/** A 32-bit integer as the bytes of a socket option (little-endian, as on every Linux target here). */
export function int32Bytes(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, value, true);
  return bytes;
}

/** `POLLIN` (poll.h); `struct pollfd` is 8 bytes: fd i32, events i16, revents i16. */
const POLLIN = 0x1;
const POLLFD_SIZE = 8;
/** `EFD_CLOEXEC | EFD_NONBLOCK` (sys/eventfd.h). */
const EFD_FLAGS = 0x80000 | 0x800;

/** What a wait saw: the descriptor is readable, the waker was written to, the time ran out, or poll() failed. */
export type WaitResult = "readable" | "woken" | "timeout" | "failed";

/**
 * Waits off the event loop until `fd` is readable, `waker` (an eventfd from
 * {@linkcode openWaker}; -1 for none) was written to, or `timeout` ms
 * passed (-1: no limit).
 */
export async function waitReadable(libc: LibcBinding, fd: number, waker: number, timeout: number): Promise<WaitResult> {
  // Fixed memory: poll() fills in revents from another thread.
  const fds = libc.allocate(2 * POLLFD_SIZE);
  try {
    const view = new DataView(fds.bytes.buffer, fds.bytes.byteOffset, 2 * POLLFD_SIZE);
    view.setInt32(0, fd, true);
    view.setInt16(4, POLLIN, true);
    view.setInt16(6, 0, true);
    // poll() ignores a negative descriptor.
    view.setInt32(POLLFD_SIZE, waker, true);
    view.setInt16(POLLFD_SIZE + 4, POLLIN, true);
    view.setInt16(POLLFD_SIZE + 6, 0, true);
    const ready = await libc.poll(fds, 2, timeout);
    if (ready < 0) return "failed";
    if (ready === 0) return "timeout";
    if (view.getInt16(POLLFD_SIZE + 6, true) !== 0) return "woken";
    return "readable";
  } finally {
    fds.free();
  }
}

/** An eventfd for {@linkcode wake}; throws naming errno when there is none to be had. */
export function openWaker(libc: LibcBinding): number {
  const fd = libc.eventfd(0, EFD_FLAGS);
  if (fd < 0) throw new Error(`Cannot open an eventfd: ${describeErrno(libc.errno())}`);
  return fd;
}

/** Makes a pending and every later wait on `waker` return `"woken"` (the counter stays above 0). */
export function wake(libc: LibcBinding, waker: number): void {
  const one = new Uint8Array(8);
  new DataView(one.buffer).setBigUint64(0, 1n, true);
  libc.write(waker, one);
}
