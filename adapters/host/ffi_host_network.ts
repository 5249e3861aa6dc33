/**
 * The real host with everything a runtime's FFI allows, assembled once for
 * every runtime: rtnetlink first, then `/proc`, then `networkInterfaces()`,
 * and a Router Advertisement listener on a raw ICMPv6 socket when this
 * process may open one. Deno's `denoHostNetwork` (`@pvd/mif/deno`) and
 * Node's `nodeHostNetwork` (`@pvd/mif/node`, koffi) are this with their own
 * {@linkcode HostFfi}.
 *
 * @module
 */

import { readdirSync, readFileSync } from "node:fs";
import { systemClock } from "../../api/clock.ts";
import { HostNetwork, type HostNetworkOptions } from "./host_network.ts";
import type { KernelFactsSource } from "./kernel_facts.ts";
import { type RawIcmpv6Socket, RouterAdvertisementListener } from "./ra_listener.ts";
import { networkInterfacesSource, procSource } from "./sources.ts";

/**
 * What a runtime's FFI provides to {@linkcode ffiHostNetwork}.
 *
 * @example A runtime without FFI
 * ```ts
 * import { MifError } from "../../api/errors.ts";
 * import type { HostFfi } from "./ffi_host_network.ts";
 * import { rtnetlinkSource } from "./rtnetlink_source.ts";
 *
 * const none: HostFfi = {
 *   rtnetlinkSource: () =>
 *     rtnetlinkSource({
 *       calls: () => {
 *         throw new MifError("unsupported", "Cannot open rtnetlink: no FFI here");
 *       },
 *     }),
 *   openIcmpv6Socket: () => {
 *     throw new MifError("unsupported", "Cannot open a raw ICMPv6 socket: no FFI here");
 *   },
 * };
 * if (none.rtnetlinkSource().name !== "rtnetlink") throw new Error("unexpected");
 * ```
 */
export interface HostFfi {
  /** Makes the rtnetlink source over the runtime's calls. */
  rtnetlinkSource(): KernelFactsSource;
  /**
   * Opens a raw ICMPv6 socket passing Router Advertisements only.
   *
   * @throws {MifError} Of code `unsupported` when this process may not.
   */
  openIcmpv6Socket(): RawIcmpv6Socket;
}

/**
 * Options for {@linkcode ffiHostNetwork} (and `denoHostNetwork`,
 * `nodeHostNetwork`): those of `HostNetwork`, and whether to listen for
 * Router Advertisements.
 *
 * @example Without the raw socket
 * ```ts
 * import type { FfiHostNetworkOptions } from "./ffi_host_network.ts";
 *
 * const options: FfiHostNetworkOptions = { listenForRouterAdvertisements: false, pollInterval: 5_000 };
 * if (options.listenForRouterAdvertisements !== false) throw new Error("unexpected");
 * ```
 */
export interface FfiHostNetworkOptions extends Omit<HostNetworkOptions, "routerAdvertisements"> {
  /** Open a raw ICMPv6 socket for RAs when permitted (true when absent). */
  readonly listenForRouterAdvertisements?: boolean;
  /** Receives why the raw socket could not be opened, when it could not. */
  readonly onUnavailable?: (what: string, error: Error) => void;
}

/**
 * A `HostNetwork` over a runtime's FFI: sources rtnetlink, then `/proc`,
 * then `networkInterfaces()` (unless `options.sources` says otherwise); a
 * Router Advertisement listener on a raw ICMPv6 socket when this process
 * may open one, soliciting on every link at start. What it cannot see is in
 * `limitations` once it has read; a socket it could not open goes to
 * `onUnavailable`.
 *
 * @example The sources in order, the listener left out
 * ```ts
 * import { MifError } from "../../api/errors.ts";
 * import { ffiHostNetwork } from "./ffi_host_network.ts";
 * import { rtnetlinkSource } from "./rtnetlink_source.ts";
 *
 * const unsupported = (): never => {
 *   throw new MifError("unsupported", "Cannot open rtnetlink: no FFI here");
 * };
 * const network = ffiHostNetwork(
 *   { rtnetlinkSource: () => rtnetlinkSource({ calls: unsupported }), openIcmpv6Socket: unsupported },
 *   { listenForRouterAdvertisements: false },
 * );
 * if (network.source !== undefined) throw new Error("nothing is read before start or refresh");
 * ```
 *
 * @param ffi The runtime's rtnetlink source and raw socket.
 * @param options As `HostNetwork`'s, plus the listener switch.
 * @returns The adapter, not started.
 */
export function ffiHostNetwork(ffi: HostFfi, options: FfiHostNetworkOptions = {}): HostNetwork {
  const clock = options.clock ?? systemClock;
  let listener: RouterAdvertisementListener | undefined;
  if (options.listenForRouterAdvertisements !== false) {
    try {
      listener = new RouterAdvertisementListener(ffi.openIcmpv6Socket(), clock, { solicit: linkIndexes() });
    } catch (error) {
      options.onUnavailable?.("router advertisements", error as Error);
    }
  }
  return new HostNetwork({
    ...options,
    clock,
    sources: options.sources ?? [ffi.rtnetlinkSource(), procSource(), networkInterfacesSource()],
    ...(listener ? { routerAdvertisements: listener } : {}),
  });
}

/** The ifindex of every link but loopback, to solicit on; none when /sys cannot be read. */
function linkIndexes(): number[] {
  try {
    return readdirSync("/sys/class/net").flatMap((name) => {
      try {
        const index = Number(readFileSync(`/sys/class/net/${name}/ifindex`, "utf8").trim());
        return Number.isInteger(index) && index > 1 ? [index] : [];
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}
