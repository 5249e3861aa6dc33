/**
 * The real host from Node, with what koffi (glibc through Node-API, a
 * dependency of the package) allows: rtnetlink change events (decoded by
 * the WebAssembly core), Router Advertisements in full from a raw ICMPv6
 * socket (PvD options included), and the `/proc` and `networkInterfaces()`
 * sources of `@pvd/mif/host` as fallbacks. {@linkcode nodeHostNetwork} picks
 * what works here and says what it cannot see. The same code as Deno's
 * adapter (`@pvd/mif/deno`) but for the FFI underneath.
 *
 * The event loop never blocks: the only call that waits, `poll()`, runs on
 * a thread of libuv's pool (koffi's asynchronous call). While the adapter
 * runs, its rtnetlink watch and its RA listener each keep one of that pool's
 * threads (4 unless `UV_THREADPOOL_SIZE` says otherwise) waiting.
 *
 * @example Learn the real host (Linux with glibc; root for RAs)
 * ```ts ignore
 * import { MifApi } from "@pvd/mif";
 * import { nodeHostNetwork } from "@pvd/mif/node";
 *
 * const network = nodeHostNetwork({ onUnavailable: (what, error) => console.warn(what, error.message) });
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * app.postMessage({ type: "announce-interfaces" });
 * for await (const message of app) console.log(message);
 * ```
 *
 * @module
 */

import type { HostNetwork } from "../host/host_network.ts";
import { ffiHostNetwork, type FfiHostNetworkOptions } from "../host/ffi_host_network.ts";
import {
  type RtnetlinkSource,
  rtnetlinkSource as rtnetlinkSourceOver,
  type RtnetlinkSourceOptions,
} from "../host/rtnetlink_source.ts";
import type { NetlinkSocketCalls } from "../host/rtnetlink_source.ts";
import { openIcmpv6Socket } from "./icmpv6_socket.ts";
import { openKoffiNetlink } from "./koffi_libc.ts";

export { openIcmpv6Socket } from "./icmpv6_socket.ts";
export { openKoffiNetlink } from "./koffi_libc.ts";

/**
 * Options of Node's {@linkcode rtnetlinkSource}: those of the
 * runtime-neutral source, with the calls optional.
 *
 * @example
 * ```ts
 * import type { NodeRtnetlinkSourceOptions } from "./mod.ts";
 *
 * const options: NodeRtnetlinkSourceOptions = { timeout: 2_000 };
 * if (options.calls !== undefined) throw new Error("unexpected");
 * ```
 */
export interface NodeRtnetlinkSourceOptions extends Omit<RtnetlinkSourceOptions, "calls" | "requirement"> {
  /** The system calls; {@linkcode openKoffiNetlink} by default (tests pass a double). */
  readonly calls?: () => NetlinkSocketCalls;
}

/**
 * Makes the rtnetlink source over koffi: see `rtnetlinkSource` of
 * `@pvd/mif/host` for what `read()` and `watch()` do. Off Linux, or where
 * koffi or glibc cannot be loaded, `read()` rejects with a `MifError` of
 * code `unsupported` and `HostNetwork` moves on to its next source.
 *
 * @example Read the host's links
 * ```ts ignore
 * import { rtnetlinkSource } from "@pvd/mif/node";
 *
 * const facts = await rtnetlinkSource().read();
 * console.log(facts.links.map((link) => `${link.ifindex} ${link.name} ${link.kind}`));
 * ```
 *
 * @param options Callbacks, timeout and test doubles.
 * @returns The source.
 */
export function rtnetlinkSource(options: NodeRtnetlinkSourceOptions = {}): RtnetlinkSource {
  return rtnetlinkSourceOver({
    ...options,
    calls: options.calls ?? openKoffiNetlink,
    requirement:
      "Needs glibc's libc.so.6 on Linux, through koffi; while watching, holds one thread of libuv's pool (UV_THREADPOOL_SIZE)",
  });
}

/**
 * Options for {@linkcode nodeHostNetwork}: those of `HostNetwork`, and
 * whether to listen for Router Advertisements (`FfiHostNetworkOptions` of
 * `@pvd/mif/host`).
 *
 * @example Without the raw socket
 * ```ts
 * import type { NodeHostNetworkOptions } from "./mod.ts";
 *
 * const options: NodeHostNetworkOptions = { listenForRouterAdvertisements: false, pollInterval: 5_000 };
 * if (options.listenForRouterAdvertisements !== false) throw new Error("unexpected");
 * ```
 */
export type NodeHostNetworkOptions = FfiHostNetworkOptions;

/**
 * A `HostNetwork` for Node: sources rtnetlink (koffi), then `/proc`, then
 * `networkInterfaces()`; a Router Advertisement listener on a raw ICMPv6
 * socket when this process may open one (root or `CAP_NET_RAW`), soliciting
 * on every link at start. Where the socket cannot be opened, `onUnavailable`
 * says why and `limitations` says that explicit PvDs are not seen.
 *
 * @example The sources in order
 * ```ts ignore
 * import { nodeHostNetwork } from "@pvd/mif/node";
 *
 * const network = nodeHostNetwork({ listenForRouterAdvertisements: false });
 * await network.refresh();
 * console.log(network.source, network.limitations); // "rtnetlink" on Linux with glibc
 * ```
 *
 * @param options As `HostNetwork`'s, plus the listener switch.
 * @returns The adapter, not started.
 */
export function nodeHostNetwork(options: NodeHostNetworkOptions = {}): HostNetwork {
  return ffiHostNetwork({ rtnetlinkSource: () => rtnetlinkSource(), openIcmpv6Socket }, options);
}
