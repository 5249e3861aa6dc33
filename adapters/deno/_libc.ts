// glibc through Deno's FFI: the LibcBinding (adapters/host/_libc.ts) that
// the rtnetlink source and the raw ICMPv6 socket run over. poll() is
// declared nonblocking, so Deno runs it on a thread of its own and returns a
// Promise; every other call runs on the main thread.

import { MifError } from "../../api/errors.ts";
import type { LibcBinding, NativeMemory } from "../host/_libc.ts";

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

/**
 * Opens glibc, after checking that this is Linux and that FFI is granted, so
 * that no permission prompt appears. Throws a `MifError` of code
 * `unsupported` naming `action` otherwise.
 */
export function openLibc(action: string): LibcBinding {
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
  const size = (bytes: Uint8Array) => BigInt(bytes.length);
  return {
    socket: (domain, type, protocol) => libc.socket(domain, type, protocol),
    bind: (fd, address) => libc.bind(fd, address, address.length),
    setsockopt: (fd, level, name, value) => libc.setsockopt(fd, level, name, value, value.length),
    send: (fd, bytes, flags) => Number(libc.send(fd, bytes, size(bytes), flags)),
    sendto: (fd, bytes, flags, address) => Number(libc.sendto(fd, bytes, size(bytes), flags, address, address.length)),
    recv: (fd, buffer, flags) => Number(libc.recv(fd, buffer, size(buffer), flags)),
    recvmsg: (fd, message, flags) => Number(libc.recvmsg(fd, message.bytes, flags)),
    eventfd: (initial, flags) => libc.eventfd(initial, flags),
    write: (fd, bytes) => Number(libc.write(fd, bytes, size(bytes))),
    close: (fd) => libc.close(fd),
    errno() {
      const location = libc.__errno_location();
      return location === null ? 0 : new Deno.UnsafePointerView(location).getInt32();
    },
    poll: (fds, count, timeout) => libc.poll(fds.bytes, BigInt(count), timeout),
    allocate(length): NativeMemory {
      // An ArrayBuffer's memory does not move while it is referenced: the
      // holder of the NativeMemory keeps it so.
      const bytes = new Uint8Array(length);
      return { bytes, address: BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(bytes))), free: () => {} };
    },
    unload() {
      library.close();
    },
  };
}
