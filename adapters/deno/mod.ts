/**
 * The real host from Deno, with everything the runtime allows: rtnetlink
 * change events through FFI (decoded by the WebAssembly core), Router
 * Advertisements in full from a raw ICMPv6 socket (PvD options included),
 * and the `/proc` and `networkInterfaces()` sources of `@pvd/mif/host` as
 * fallbacks. {@linkcode denoHostNetwork} picks what works here and says
 * what it cannot see.
 *
 * @example Learn the real host (needs --allow-ffi for rtnetlink; root for RAs)
 * ```ts ignore
 * import { MifApi } from "../../mod.ts";
 * import { denoHostNetwork } from "./mod.ts";
 *
 * const network = denoHostNetwork();
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
import { openIcmpv6Socket } from "./icmpv6_socket.ts";
import { rtnetlinkSource } from "./rtnetlink.ts";

export * from "./rtnetlink.ts";
export { openIcmpv6Socket } from "./icmpv6_socket.ts";

/**
 * Options for {@linkcode denoHostNetwork}: those of `HostNetwork`, and
 * whether to listen for Router Advertisements (`FfiHostNetworkOptions` of
 * `@pvd/mif/host`).
 *
 * @example Without the raw socket
 * ```ts
 * import type { DenoHostNetworkOptions } from "./mod.ts";
 *
 * const options: DenoHostNetworkOptions = { listenForRouterAdvertisements: false, pollInterval: 5_000 };
 * if (options.listenForRouterAdvertisements !== false) throw new Error("unexpected");
 * ```
 */
export type DenoHostNetworkOptions = FfiHostNetworkOptions;

/**
 * A `HostNetwork` for Deno: sources rtnetlink (FFI), then `/proc`, then
 * `networkInterfaces()`; a Router Advertisement listener on a raw ICMPv6
 * socket when this process may open one, soliciting on every link at start.
 *
 * @example The sources in order
 * ```ts
 * import { denoHostNetwork } from "./mod.ts";
 *
 * const network = denoHostNetwork({ listenForRouterAdvertisements: false });
 * if (network.source !== undefined) throw new Error("nothing is read before start or refresh");
 * ```
 *
 * @param options As `HostNetwork`'s, plus the listener switch.
 * @returns The adapter, not started.
 */
export function denoHostNetwork(options: DenoHostNetworkOptions = {}): HostNetwork {
  return ffiHostNetwork({ rtnetlinkSource: () => rtnetlinkSource(), openIcmpv6Socket }, options);
}
