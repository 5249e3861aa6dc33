/**
 * A simulated network for the MIF API: a {@linkcode SimulatedNetwork}
 * implementing the adapter interface `NetworkLink` in process, on a
 * {@linkcode VirtualClock}, deterministic under a seed
 * ({@linkcode SeededRandom}). Interfaces come and go, provisioning domains
 * carry configuration elements ({@linkcode raElement},
 * {@linkcode dhcpv4Element}, ...) and addresses with lifetimes, DNS
 * servers ({@linkcode SimulatedDnsServer}) answer real DNS wire messages
 * per PvD, and connections follow paths with latency, loss, refusals and
 * black holes. {@linkcode twoProviderHost} builds the draft's section 3.3
 * example.
 *
 * Nothing here uses `Deno.*` or `node:` modules: it runs in Deno, Node and
 * browsers (where dns-packet needs a `Buffer` polyfill).
 *
 * @example Connect through provider B and echo bytes
 * ```ts
 * import { twoProviderHost } from "./mod.ts";
 *
 * const { network, wlan0, host } = twoProviderHost({ seed: 7 });
 * const signal = new AbortController().signal;
 * const token = await network.clock.drive(network.connect({
 *   pvdId: wlan0.pvd.pvdId,
 *   interfaceId: wlan0.interfaceId,
 *   sourceAddress: wlan0.pvd.address,
 *   address: host.providerB.ipv6[0]!,
 *   port: host.port,
 * }, signal));
 * const writer = token.writable.getWriter();
 * const reader = token.readable.getReader();
 * await writer.write(new TextEncoder().encode("ping"));
 * const read = reader.read();
 * const { value } = await network.clock.drive(read);
 * if (new TextDecoder().decode(value) !== "ping") throw new Error("unexpected");
 * token.close();
 * await network.clock.runAll();
 * if (network.openConnections !== 0) throw new Error("unexpected");
 * ```
 *
 * @module
 */

export * from "./virtual_clock.ts";
export * from "./seeded_random.ts";
export * from "./builders.ts";
export * from "./dns_server.ts";
export * from "./simulated_network.ts";
export * from "./scenarios.ts";

// The API types this module's signatures use, re-exported so that its
// documentation stands on its own.
export type * from "../_api_types.ts";
