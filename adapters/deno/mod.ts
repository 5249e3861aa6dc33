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

import { HostNetwork, type HostNetworkOptions } from "../host/host_network.ts";
import { RouterAdvertisementListener } from "../host/ra_listener.ts";
import { networkInterfacesSource, procSource } from "../host/sources.ts";
import { systemClock } from "../../api/clock.ts";
import { openIcmpv6Socket } from "./icmpv6_socket.ts";
import { rtnetlinkSource } from "./rtnetlink.ts";

export * from "./rtnetlink.ts";
export { openIcmpv6Socket } from "./icmpv6_socket.ts";

/**
 * Options for {@linkcode denoHostNetwork}: those of `HostNetwork`, and
 * whether to listen for Router Advertisements.
 *
 * @example Without the raw socket
 * ```ts
 * import type { DenoHostNetworkOptions } from "./mod.ts";
 *
 * const options: DenoHostNetworkOptions = { listenForRouterAdvertisements: false, pollInterval: 5_000 };
 * if (options.listenForRouterAdvertisements !== false) throw new Error("unexpected");
 * ```
 */
export interface DenoHostNetworkOptions extends Omit<HostNetworkOptions, "routerAdvertisements"> {
  /** Open a raw ICMPv6 socket for RAs when permitted (true when absent). */
  readonly listenForRouterAdvertisements?: boolean;
  /** Receives why the raw socket could not be opened, when it could not. */
  readonly onUnavailable?: (what: string, error: Error) => void;
}

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
  const clock = options.clock ?? systemClock;
  let listener: RouterAdvertisementListener | undefined;
  if (options.listenForRouterAdvertisements !== false) {
    try {
      listener = new RouterAdvertisementListener(openIcmpv6Socket(), clock, {
        solicit: linkIndexes(),
      });
    } catch (error) {
      options.onUnavailable?.("router advertisements", error as Error);
    }
  }
  return new HostNetwork({
    ...options,
    clock,
    sources: options.sources ?? [rtnetlinkSource(), procSource(), networkInterfacesSource()],
    ...(listener ? { routerAdvertisements: listener } : {}),
  });
}

/** The ifindex of every link, to solicit on; none when /sys cannot be read. */
function linkIndexes(): number[] {
  try {
    return [...Deno.readDirSync("/sys/class/net")].flatMap((entry) => {
      try {
        const index = Number(Deno.readTextFileSync(`/sys/class/net/${entry.name}/ifindex`).trim());
        return Number.isInteger(index) && index > 1 ? [index] : [];
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}
