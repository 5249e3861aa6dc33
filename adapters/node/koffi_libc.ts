/**
 * glibc from Node through koffi (a Node-API FFI package from npm, pinned in
 * the package's dependencies): the calls the rtnetlink source and the raw
 * ICMPv6 socket make, as the runtime-neutral code in `adapters/host/` drives
 * them, and {@linkcode openKoffiNetlink}, the rtnetlink source's
 * {@linkcode NetlinkSocketCalls}.
 *
 * The event loop never blocks: the one call that waits, `poll()`, goes
 * through koffi's asynchronous call (`poll.async`), which runs it on a
 * thread of libuv's pool and calls back on the main thread. Every other call
 * is synchronous, on the main thread, and errno is read right after it with
 * `koffi.errno()` (the calling thread's errno), since errno is per thread:
 * `recv` and `recvmsg` run only once `poll()` said the socket is readable.
 * Memory that native code reads or fills in from another thread or through
 * pointers (the `pollfd` array, the `msghdr` of `recvmsg`) is allocated by
 * koffi at a fixed address.
 *
 * koffi is loaded on first use, not when this module is imported, so that a
 * platform without its prebuilt binary (or without glibc) makes the sources
 * `unsupported` instead of failing the import.
 *
 * @example The calls of an rtnetlink source (Linux, glibc)
 * ```ts ignore
 * import { openKoffiNetlink } from "./koffi_libc.ts";
 *
 * const calls = openKoffiNetlink();
 * const fd = calls.open(0, []);
 * calls.close(fd);
 * calls.dispose();
 * ```
 *
 * @module
 */

import { createRequire } from "node:module";
import process from "node:process";
import type * as Koffi from "koffi";
import { MifError } from "../../api/errors.ts";
import type { LibcBinding, NativeMemory } from "../host/_libc.ts";
import { libcNetlinkCalls } from "../host/_libc_netlink.ts";
import type { NetlinkSocketCalls } from "../host/rtnetlink_source.ts";

/** koffi's function objects: a call, and `.async(...args, callback)`. */
type KoffiFunction = ReturnType<Koffi.LibraryHandle["func"]>;

/** glibc's functions as koffi declares them (ssize_t is intptr_t on every Linux target). */
interface LibcFunctions {
  readonly koffi: typeof Koffi;
  readonly socket: KoffiFunction;
  readonly bind: KoffiFunction;
  readonly setsockopt: KoffiFunction;
  readonly send: KoffiFunction;
  readonly sendto: KoffiFunction;
  readonly recv: KoffiFunction;
  readonly recvmsg: KoffiFunction;
  readonly poll: KoffiFunction;
  readonly eventfd: KoffiFunction;
  readonly write: KoffiFunction;
  readonly close: KoffiFunction;
}

/** glibc, loaded once per process: it is never unloaded anyway, and declaring the functions costs parsing. */
let loaded: LibcFunctions | undefined;

function load(): LibcFunctions {
  if (loaded !== undefined) return loaded;
  // Loaded here, not imported at the top: koffi's native binary loads when
  // the package does, and a platform without one must not fail the import.
  const koffi = createRequire(import.meta.url)("koffi") as typeof Koffi;
  const libc = koffi.load("libc.so.6");
  loaded = {
    koffi,
    socket: libc.func("int socket(int domain, int type, int protocol)"),
    bind: libc.func("int bind(int fd, const void *address, uint32_t length)"),
    setsockopt: libc.func("int setsockopt(int fd, int level, int name, const void *value, uint32_t length)"),
    send: libc.func("intptr_t send(int fd, const void *bytes, size_t length, int flags)"),
    sendto: libc.func(
      "intptr_t sendto(int fd, const void *bytes, size_t length, int flags, const void *address, uint32_t addressLength)",
    ),
    recv: libc.func("intptr_t recv(int fd, void *buffer, size_t length, int flags)"),
    recvmsg: libc.func("intptr_t recvmsg(int fd, void *message, int flags)"),
    poll: libc.func("int poll(void *fds, uint64_t count, int timeout)"),
    eventfd: libc.func("int eventfd(unsigned int initial, int flags)"),
    write: libc.func("intptr_t write(int fd, const void *bytes, size_t length)"),
    close: libc.func("int close(int fd)"),
  };
  return loaded;
}

/**
 * Opens glibc through koffi, after checking that this is Linux. Throws a
 * `MifError` of code `unsupported` naming `action` otherwise, or when koffi
 * or `libc.so.6` cannot be loaded.
 *
 * @example
 * ```ts ignore
 * import { openKoffiLibc } from "./koffi_libc.ts";
 *
 * const libc = openKoffiLibc("open a socket");
 * const fd = libc.socket(16, 3, 0); // AF_NETLINK, SOCK_RAW, NETLINK_ROUTE
 * if (fd < 0) console.log(`errno ${libc.errno()}`);
 * else libc.close(fd);
 * libc.unload();
 * ```
 *
 * @param action What the caller is doing, for messages (`open rtnetlink`).
 * @returns The calls of `adapters/host/`'s socket code.
 * @throws {MifError} Of code `unsupported`.
 */
export function openKoffiLibc(action: string): LibcBinding {
  if (process.platform !== "linux") {
    throw new MifError("unsupported", `Cannot ${action}: this needs Linux, not ${process.platform}`);
  }
  let f: LibcFunctions;
  try {
    f = load();
  } catch (error) {
    throw new MifError(
      "unsupported",
      `Cannot ${action}: cannot load libc.so.6 through koffi: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const { koffi } = f;
  return {
    socket: (domain, type, protocol) => f.socket(domain, type, protocol),
    bind: (fd, address) => f.bind(fd, address, address.length),
    setsockopt: (fd, level, name, value) => f.setsockopt(fd, level, name, value, value.length),
    send: (fd, bytes, flags) => Number(f.send(fd, bytes, bytes.length, flags)),
    sendto: (fd, bytes, flags, address) => Number(f.sendto(fd, bytes, bytes.length, flags, address, address.length)),
    recv: (fd, buffer, flags) => Number(f.recv(fd, buffer, buffer.length, flags)),
    recvmsg: (fd, message, flags) => Number(f.recvmsg(fd, pointerOf(message), flags)),
    eventfd: (initial, flags) => f.eventfd(initial, flags),
    write: (fd, bytes) => Number(f.write(fd, bytes, bytes.length)),
    close: (fd) => f.close(fd),
    errno: () => koffi.errno(),
    poll: (fds, count, timeout) =>
      new Promise<number>((resolve, reject) => {
        f.poll.async(pointerOf(fds), count, timeout, (error: unknown, result: number) => {
          if (error) reject(error);
          else resolve(result);
        });
      }),
    allocate(size): NativeMemory {
      const pointer = koffi.alloc("uint8_t", size);
      let freed = false;
      const memory: KoffiMemory = {
        bytes: new Uint8Array(koffi.view(pointer, size)),
        address: koffi.address(pointer),
        pointer,
        free() {
          if (freed) return;
          freed = true;
          koffi.free(pointer);
        },
      };
      return memory;
    },
    // libc stays loaded for the process (see load()); nothing to release.
    unload() {},
  };
}

/** NativeMemory from koffi.alloc, with the pointer koffi passes as is. */
interface KoffiMemory extends NativeMemory {
  readonly pointer: unknown;
}

/** The koffi pointer behind memory this binding allocated. */
function pointerOf(memory: NativeMemory): unknown {
  const pointer = (memory as Partial<KoffiMemory>).pointer;
  if (pointer === undefined) throw new TypeError("Cannot pass memory koffi did not allocate");
  return pointer;
}

/**
 * Loads glibc through koffi and returns the calls of an rtnetlink source
 * (the same implementation as Deno's `openLibcNetlink`, over koffi).
 *
 * @example
 * ```ts ignore
 * import { openKoffiNetlink } from "./koffi_libc.ts";
 * import { rtnetlinkSource } from "../host/rtnetlink_source.ts";
 *
 * const facts = await rtnetlinkSource({ calls: openKoffiNetlink }).read();
 * console.log(facts.links.map((link) => link.name));
 * ```
 *
 * @returns The calls; `dispose()` releases them.
 * @throws {MifError} Of code `unsupported` when this is not Linux, or koffi
 * or `libc.so.6` cannot be loaded.
 */
export function openKoffiNetlink(): NetlinkSocketCalls {
  return libcNetlinkCalls(openKoffiLibc("open rtnetlink"));
}
