// glibc through Deno's FFI, shared by the rtnetlink source and the raw
// ICMPv6 socket: one symbol table, errno, and the wait that keeps the event
// loop free (poll() on a thread of its own, an eventfd to stop it).
//
// errno is per thread: only poll() runs off the main thread, and every call
// whose errno matters runs on the main thread, with errno read right after.

import { MifError } from "../../api/errors.ts";

const LIBC_SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  send: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "isize" },
  recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  recvmsg: { parameters: ["i32", "buffer", "i32"], result: "isize" },
  // The one call that waits: Deno runs it on another thread.
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  eventfd: { parameters: ["u32", "i32"], result: "i32" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  close: { parameters: ["i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

/** glibc's symbols as Deno sees them. */
export type LibcSymbols = Deno.DynamicLibrary<typeof LIBC_SYMBOLS>["symbols"];

/** errno values (asm-generic/errno*.h) and their names, for messages. */
export const EPERM = 1;
export const EINTR = 4;
export const EAGAIN = 11;
export const EACCES = 13;
export const EPROTONOSUPPORT = 93;
export const EAFNOSUPPORT = 97;
export const ENOBUFS = 105;
export const ERRNO_NAMES: Readonly<Record<number, string>> = {
  [EPERM]: "EPERM",
  [EINTR]: "EINTR",
  [EAGAIN]: "EAGAIN",
  [EACCES]: "EACCES",
  [EPROTONOSUPPORT]: "EPROTONOSUPPORT",
  [EAFNOSUPPORT]: "EAFNOSUPPORT",
  [ENOBUFS]: "ENOBUFS",
  99: "EADDRNOTAVAIL",
  101: "ENETUNREACH",
};

/** `POLLIN` (poll.h); `struct pollfd` is 8 bytes: fd i32, events i16, revents i16. */
const POLLIN = 0x1;
const POLLFD_SIZE = 8;
/** `EFD_CLOEXEC | EFD_NONBLOCK` (sys/eventfd.h). */
const EFD_FLAGS = 0x80000 | 0x800;

/** What a wait saw: the descriptor is readable, the waker was written to, the time ran out, or poll() failed. */
export type WaitResult = "readable" | "woken" | "timeout" | "failed";

/** glibc opened, with errno and the waiting calls. */
export interface Libc {
  /** The symbols. */
  readonly symbols: LibcSymbols;
  /** This thread's errno. */
  errno(): number;
  /** Waits off the event loop until `fd` is readable, `waker` (-1: none) was written to, or `timeout` ms (-1: none). */
  wait(fd: number, waker: number, timeout: number): Promise<WaitResult>;
  /** An eventfd for {@linkcode Libc.wake}. */
  openWaker(): number;
  /** Makes a pending and every later wait on `waker` return `"woken"`. */
  wake(waker: number): void;
  /** Closes the library; call once no wait is pending. */
  close(): void;
}

/**
 * Opens glibc, after checking that this is Linux and that FFI is granted, so
 * that no permission prompt appears. Throws a `MifError` of code
 * `unsupported` naming `action` otherwise.
 */
export function openLibc(action: string): Libc {
  if (Deno.build.os !== "linux") {
    throw new MifError("unsupported", `Cannot ${action}: this needs Linux, not ${Deno.build.os}`);
  }
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    throw new MifError("unsupported", `Cannot ${action}: FFI is not permitted (run Deno with --allow-ffi)`);
  }
  let library: Deno.DynamicLibrary<typeof LIBC_SYMBOLS>;
  try {
    library = Deno.dlopen("libc.so.6", LIBC_SYMBOLS);
  } catch (error) {
    throw new MifError("unsupported", `Cannot ${action}: cannot load libc.so.6: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const libc = library.symbols;
  return {
    symbols: libc,
    errno() {
      const location = libc.__errno_location();
      return location === null ? 0 : new Deno.UnsafePointerView(location).getInt32();
    },
    async wait(fd, waker, timeout) {
      const fds = new Uint8Array(2 * POLLFD_SIZE);
      const view = new DataView(fds.buffer);
      view.setInt32(0, fd, true);
      view.setInt16(4, POLLIN, true);
      // poll() ignores a negative descriptor.
      view.setInt32(POLLFD_SIZE, waker, true);
      view.setInt16(POLLFD_SIZE + 4, POLLIN, true);
      const ready = await libc.poll(fds, 2n, timeout);
      if (ready < 0) return "failed";
      if (ready === 0) return "timeout";
      if (view.getInt16(POLLFD_SIZE + 6, true) !== 0) return "woken";
      return "readable";
    },
    openWaker() {
      const fd = libc.eventfd(0, EFD_FLAGS);
      if (fd < 0) throw new Error(`Cannot open an eventfd: errno ${this.errno()}`);
      return fd;
    },
    wake(waker) {
      const one = new Uint8Array(8);
      new DataView(one.buffer).setBigUint64(0, 1n, true);
      libc.write(waker, one, 8n);
    },
    close() {
      library.close();
    },
  };
}

/** A 32-bit integer as the bytes of a socket option. */
export function int32Bytes(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, value, true);
  return bytes;
}
