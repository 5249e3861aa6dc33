/**
 * The rtnetlink source in Deno: the system calls (`socket`, `bind`, `recv`,
 * `poll`, ...) opened through `Deno.dlopen` on glibc's `libc.so.6`
 * ({@linkcode openLibcNetlink}), and {@linkcode rtnetlinkSource} opening
 * them by default. The source itself (dumps, the watch loop, overruns, the
 * DNS from ND user options, `hostFactsFromNetlink`) is runtime-neutral and
 * lives in `@pvd/mif/host` (`adapters/host/rtnetlink_source.ts`); its types
 * are re-exported here.
 *
 * The event loop never blocks: the only call that waits, `poll()`, is
 * declared `nonblocking`, so Deno runs it on a thread of its own and returns
 * a Promise. Sockets are read with `recv(MSG_DONTWAIT)` on the main thread,
 * only once `poll()` said they are readable, because errno is per thread.
 *
 * Needs `--allow-ffi`. Without it, or off Linux, or without glibc, `read()`
 * rejects with a `MifError` of code `unsupported` saying why, and
 * `HostNetwork` falls back to its next source.
 *
 * @example Read the host, when FFI is allowed
 * ```ts ignore
 * import { rtnetlinkSource } from "./rtnetlink.ts";
 *
 * const source = rtnetlinkSource();
 * const facts = await source.read();
 * console.log(facts.links.map((link) => `${link.ifindex} ${link.name} ${link.kind}`));
 * const stop = source.watch((): void => console.log("changed"));
 * await stop(); // resolves once the socket is closed
 * ```
 *
 * @module
 */

import {
  type NetlinkSocketCalls,
  type RtnetlinkSource,
  rtnetlinkSource as rtnetlinkSourceOver,
  type RtnetlinkSourceOptions,
} from "../host/rtnetlink_source.ts";
import { libcNetlinkCalls } from "../host/_libc_netlink.ts";
import { openLibc } from "./_libc.ts";

export {
  hostFactsFromNetlink,
  type NetlinkSocketCalls,
  NetlinkSystemError,
  type RtnetlinkSource,
  type WaitResult,
} from "../host/rtnetlink_source.ts";

/**
 * Opens glibc through `Deno.dlopen` and returns the calls of an rtnetlink
 * source. Checks first that this is Linux and that FFI is granted, so that
 * no permission prompt appears.
 *
 * @example
 * ```ts ignore
 * import { openLibcNetlink } from "./rtnetlink.ts";
 *
 * const calls = openLibcNetlink();
 * const fd = calls.open(0, []);
 * calls.close(fd);
 * calls.dispose();
 * ```
 *
 * @returns The calls; `dispose()` closes the library.
 * @throws {MifError} Of code `unsupported` when this is not Linux, FFI is
 * not granted, or `libc.so.6` cannot be opened.
 */
export function openLibcNetlink(): NetlinkSocketCalls {
  return libcNetlinkCalls(openLibc("open rtnetlink"));
}

/**
 * Options of Deno's {@linkcode rtnetlinkSource}: those of the
 * runtime-neutral source, with the calls optional.
 *
 * @example
 * ```ts
 * import type { DenoRtnetlinkSourceOptions } from "./rtnetlink.ts";
 *
 * const options: DenoRtnetlinkSourceOptions = {
 *   onNdUserOption: (message) => console.log(message.ifindex, message.options),
 * };
 * if (options.calls !== undefined) throw new Error();
 * ```
 */
export interface DenoRtnetlinkSourceOptions extends Omit<RtnetlinkSourceOptions, "calls" | "requirement"> {
  /** The system calls; {@linkcode openLibcNetlink} by default (tests pass a double). */
  readonly calls?: () => NetlinkSocketCalls;
}

/**
 * Makes the rtnetlink source over Deno's FFI: see `rtnetlinkSource` of
 * `@pvd/mif/host` for what `read()` and `watch()` do.
 *
 * @example Fall back when FFI is not allowed
 * ```ts
 * import { rtnetlinkSource } from "./rtnetlink.ts";
 *
 * const source = rtnetlinkSource();
 * try {
 *   const facts = await source.read();
 *   if (!facts.links.some((link) => link.kind === "loopback")) throw new Error("no loopback");
 * } catch (error) {
 *   // Without --allow-ffi (as doc tests run): "Cannot read host facts from rtnetlink: ..."
 *   if ((error as { code?: string }).code !== "unsupported") throw error;
 * }
 * ```
 *
 * @param options Callbacks, timeout and test doubles.
 * @returns The source.
 */
export function rtnetlinkSource(options: DenoRtnetlinkSourceOptions = {}): RtnetlinkSource {
  return rtnetlinkSourceOver({
    ...options,
    calls: options.calls ?? openLibcNetlink,
    requirement: "Needs --allow-ffi and glibc's libc.so.6 on Linux",
  });
}
