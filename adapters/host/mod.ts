/**
 * The real host as a MIF `NetworkLink`, learned without FFI:
 * {@linkcode HostNetwork} reads links, addresses, routes and DNS
 * configuration from the first source that works
 * ({@linkcode procSource}: Linux `/proc`, `/sys`, resolv.conf and
 * systemd-resolved's files; {@linkcode networkInterfacesSource}:
 * `networkInterfaces()` anywhere), turns them into implicit PvDs per link and
 * family ({@linkcode networkStateFromFacts}), and keeps the configuration
 * database up to date by polling. It resolves names per PvD over UDP and
 * connects over TCP from a chosen source address. Works in Deno and Node
 * (`node:fs/promises`, `node:os`, `node:net`, `node:dgram`); Deno reads
 * `/proc` and `/sys` only with `--allow-all` (denoland/deno#27564), and
 * without it the adapter falls back to `networkInterfaces()`.
 *
 * The pieces are separate so that better sources (rtnetlink, a router
 * advertisement listener) can feed the same model: a source implements
 * {@linkcode KernelFactsSource} and returns {@linkcode HostFacts}; the text
 * parsers ({@linkcode parseIfInet6}, {@linkcode parseResolvConf}, ...) and
 * the model are pure and runtime-neutral. So are the rtnetlink source
 * ({@linkcode rtnetlinkSource}, over the {@linkcode NetlinkSocketCalls} a
 * runtime's FFI provides) and {@linkcode ffiHostNetwork}, which Deno's and
 * Node's adapters (`@pvd/mif/deno`, `@pvd/mif/node`) complete with their
 * FFI.
 *
 * @example Which PvDs this host has
 * ```ts
 * import { HostNetwork } from "./mod.ts";
 * import { MifApi } from "../../mod.ts";
 *
 * const network = new HostNetwork();
 * const api = new MifApi(network);
 * const state = await network.refresh();
 * // "proc" on Linux under Node or `deno -A`; "network-interfaces" otherwise.
 * console.log(network.source, state.pvds.map((p) => p.pvdId)); // proc [ "implicit:eth0:ipv6", ... ]
 * for (const limitation of network.limitations) console.log(`- ${limitation}`);
 * api.close();
 * ```
 *
 * @module
 */

export * from "./kernel_facts.ts";
export * from "./proc_parsers.ts";
export * from "./host_model.ts";
export * from "./ra_listener.ts";
export * from "./source_routing.ts";
export * from "./egress.ts";
export * from "./sources.ts";
export * from "./host_network.ts";
export * from "./rtnetlink_source.ts";
export * from "./ffi_host_network.ts";

// The API types this module's signatures use, re-exported so that its
// documentation stands on its own.
export type * from "../_api_types.ts";
export type { PolicyRow, PolicyTable, ScopeRow } from "../../core-as/policy_table.ts";
