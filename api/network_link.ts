/**
 * The "network link" side of the MIF API (draft section 3.2.5): the one
 * interface through which an adapter (the simulated network, or the Deno and
 * Node adapters for a real host) feeds the configuration database and carries
 * out name resolution and connections.
 *
 * The API layer defines this interface and the adapters implement it, so
 * imports point down: adapters import the API, never the reverse.
 *
 * @module
 */

import type {
  ConfigurationElement,
  ConnectionCanBeBroken,
  ConnectionIsIdle,
  InterfaceId,
  PvdId,
  WantsToConnect,
} from "./messages.ts";

/**
 * A timer handle returned by {@linkcode Clock.setTimer}.
 *
 * @example Cancel a timer by its handle
 * ```ts
 * import type { TimerHandle } from "./network_link.ts";
 * import { VirtualClock } from "../adapters/simulated/mod.ts";
 *
 * const clock = new VirtualClock();
 * let fired = false;
 * const handle: TimerHandle = clock.setTimer(1_000, () => (fired = true));
 * clock.clearTimer(handle);
 * clock.advance(2_000);
 * if (fired) throw new Error("a cancelled timer fired");
 * ```
 */
export type TimerHandle = number | { readonly [key: string]: unknown };

/**
 * Time as the configuration database sees it. Lifetimes expire and CHECK
 * MESSAGE waits on this clock, so a virtual clock makes every test and
 * benchmark run in virtual time.
 *
 * @example The clock an adapter exposes
 * ```ts
 * import type { Clock } from "./network_link.ts";
 * import { VirtualClock } from "../adapters/simulated/mod.ts";
 *
 * const virtual = new VirtualClock();
 * const clock: Clock = virtual; // what the simulated network hands the MIF API
 * const fired: number[] = [];
 * clock.setTimer(250, () => fired.push(clock.now()));
 * virtual.advance(1_000); // only a test moves virtual time
 * if (fired.join() !== "250" || clock.now() !== 1_000) throw new Error("unexpected");
 * ```
 */
export interface Clock {
  /** Milliseconds since an arbitrary epoch. */
  now(): number;
  /** Calls `callback` once, `delay` milliseconds from now. */
  setTimer(delay: number, callback: () => void): TimerHandle;
  /** Cancels a timer; cancelling a fired or cancelled timer does nothing. */
  clearTimer(handle: TimerHandle): void;
}

/**
 * What kind of link an interface is, as TAPS and Apple's Network.framework classify them.
 *
 * @example The links of the section 3.3 host
 * ```ts
 * import type { InterfaceKind } from "./network_link.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network } = twoProviderHost();
 * const kinds: InterfaceKind[] = network.state().interfaces.map((i) => i.kind);
 * if (kinds.join() !== "ethernet,wifi") throw new Error(kinds.join());
 * ```
 */
export type InterfaceKind = "ethernet" | "wifi" | "cellular" | "vpn" | "loopback" | "other";

/**
 * An interface as the adapter reports it.
 *
 * @example A cellular modem that is not up yet
 * ```ts
 * import type { InterfaceInfo } from "./network_link.ts";
 * import { ConfigurationDatabase } from "./config_db.ts";
 * import { systemClock } from "./clock.ts";
 *
 * const wwan0: InterfaceInfo = { interfaceId: 4, displayName: "wwan0", kind: "cellular", up: false };
 * const db = new ConfigurationDatabase(systemClock);
 * db.apply([{ kind: "interface-set", interface: wwan0 }]);
 * if (db.getInterface(4)?.displayName !== "wwan0") throw new Error("unexpected");
 * db.close();
 * ```
 */
export interface InterfaceInfo {
  /** Identifier, stable while the interface exists. */
  readonly interfaceId: InterfaceId;
  /** Display name (`eth0`, `wlan0`). */
  readonly displayName: string;
  /** Link type. */
  readonly kind: InterfaceKind;
  /** Whether the link is operationally up. */
  readonly up: boolean;
}

/**
 * A provisioning domain as the adapter reports it.
 *
 * @example An explicit PvD that lasts ten minutes
 * ```ts
 * import type { PvdInfo } from "./network_link.ts";
 * import { ConfigurationDatabase } from "./config_db.ts";
 * import { VirtualClock } from "../adapters/simulated/mod.ts";
 *
 * const clock = new VirtualClock();
 * const db = new ConfigurationDatabase(clock);
 * const pvd: PvdInfo = { pvdId: "pvd.provider-b.example", interfaceId: 2, explicit: true, expiresAt: 600_000 };
 * db.apply([
 *   { kind: "interface-set", interface: { interfaceId: 2, displayName: "wlan0", kind: "wifi", up: true } },
 *   { kind: "pvd-set", pvd },
 * ]);
 * clock.advance(600_000);
 * if (db.getPvd(pvd.pvdId) !== undefined) throw new Error("expected the PvD to expire");
 * db.close();
 * ```
 */
export interface PvdInfo {
  /** Identifier: the RFC 8801 PvD ID FQDN, or `implicit:<interface>:<ipv4|ipv6>`. */
  readonly pvdId: PvdId;
  /** The interface the PvD was learned on. */
  readonly interfaceId: InterfaceId;
  /** True for an RFC 8801 PvD ID, false for an implicit PvD. */
  readonly explicit: boolean;
  /** Clock time (ms) at which the PvD expires; never when absent. */
  readonly expiresAt?: number;
}

/**
 * A configuration element as the adapter reports it.
 *
 * @example Lifetimes count from when the element was received
 * ```ts
 * import type { ElementInfo } from "./network_link.ts";
 * import { ConfigurationDatabase } from "./config_db.ts";
 * import { VirtualClock } from "../adapters/simulated/mod.ts";
 *
 * const clock = new VirtualClock();
 * const db = new ConfigurationDatabase(clock);
 * const pvdId = "implicit:eth0:ipv6";
 * const info: ElementInfo = {
 *   pvdId,
 *   element: {
 *     elementType: "ra",
 *     elementId: "2001:db8:a::1",
 *     data: { "dns-servers": [{ address: "2001:db8:a::53", lifetime: 1800 }] },
 *   },
 *   receivedAt: 0,
 *   expiresAt: 1_800_000,
 * };
 * db.apply([
 *   { kind: "interface-set", interface: { interfaceId: 1, displayName: "eth0", kind: "ethernet", up: true } },
 *   { kind: "pvd-set", pvd: { pvdId, interfaceId: 1, explicit: false } },
 *   { kind: "element-set", element: info },
 * ]);
 * clock.advance(600_000);
 * if (db.configurationData(pvdId, "ra", "dns-servers")?.[0]?.lifetime !== 1200) throw new Error("unexpected");
 * db.close();
 * ```
 */
export interface ElementInfo {
  /** The PvD it belongs to. */
  readonly pvdId: PvdId;
  /** The element; the lifetimes in its data count from `receivedAt`. */
  readonly element: ConfigurationElement;
  /** Clock time (ms) at which the element was received. */
  readonly receivedAt: number;
  /** Clock time (ms) at which the whole element expires; never when absent. */
  readonly expiresAt?: number;
}

/**
 * An address as the adapter reports it.
 *
 * @example An address is stored in canonical text
 * ```ts
 * import type { AddressInfo } from "./network_link.ts";
 * import { ConfigurationDatabase } from "./config_db.ts";
 * import { systemClock } from "./clock.ts";
 *
 * const db = new ConfigurationDatabase(systemClock);
 * const pvdId = "implicit:eth0:ipv6";
 * const address: AddressInfo = {
 *   pvdId,
 *   address: "2001:DB8:A:0::100",
 *   prefixLength: 64,
 *   validUntil: Infinity,
 *   preferredUntil: Infinity,
 * };
 * db.apply([
 *   { kind: "interface-set", interface: { interfaceId: 1, displayName: "eth0", kind: "ethernet", up: true } },
 *   { kind: "pvd-set", pvd: { pvdId, interfaceId: 1, explicit: false } },
 *   { kind: "address-set", address },
 * ]);
 * if (db.addressesOf(pvdId)[0]?.address !== "2001:db8:a::100") throw new Error("unexpected");
 * db.close();
 * ```
 */
export interface AddressInfo {
  /** The PvD it belongs to. */
  readonly pvdId: PvdId;
  /** The address, any valid text form (stored canonical). */
  readonly address: string;
  /** Prefix length of the address's subnet. */
  readonly prefixLength: number;
  /** Clock time (ms) at which the address becomes invalid; `Infinity` for never. */
  readonly validUntil: number;
  /** Clock time (ms) at which the address becomes deprecated; `Infinity` for never. */
  readonly preferredUntil: number;
  /** RFC 8981 temporary address. */
  readonly temporary?: boolean;
}

/**
 * The whole state of a host's network configuration.
 *
 * @example A snapshot, then one with an address gone
 * ```ts
 * import type { NetworkState } from "./network_link.ts";
 * import { ConfigurationDatabase } from "./config_db.ts";
 * import { systemClock } from "./clock.ts";
 *
 * const state: NetworkState = {
 *   interfaces: [{ interfaceId: 1, displayName: "eth0", kind: "ethernet", up: true }],
 *   pvds: [{ pvdId: "implicit:eth0:ipv4", interfaceId: 1, explicit: false }],
 *   elements: [],
 *   addresses: [{
 *     pvdId: "implicit:eth0:ipv4",
 *     address: "192.0.2.100",
 *     prefixLength: 24,
 *     validUntil: Infinity,
 *     preferredUntil: Infinity,
 *   }],
 * };
 * const events: string[] = [];
 * const db = new ConfigurationDatabase(systemClock, { onEvent: (event) => events.push(event.kind) });
 * db.snapshot(state);
 * db.snapshot({ ...state, addresses: [] }); // only the difference is announced
 * if (events.join() !== "interface-added,pvd-added,address-set,address-removed") throw new Error(events.join());
 * db.close();
 * ```
 */
export interface NetworkState {
  /** Every interface. */
  readonly interfaces: readonly InterfaceInfo[];
  /** Every provisioning domain. */
  readonly pvds: readonly PvdInfo[];
  /** Every configuration element. */
  readonly elements: readonly ElementInfo[];
  /** Every address. */
  readonly addresses: readonly AddressInfo[];
}

/**
 * One change to the host's network configuration. `*-set` adds or replaces.
 *
 * @example An interface goes away with notice
 * ```ts
 * import type { NetworkChange } from "./network_link.ts";
 * import { ConfigurationDatabase } from "./config_db.ts";
 * import { systemClock } from "./clock.ts";
 *
 * const changes: NetworkChange[] = [
 *   { kind: "interface-set", interface: { interfaceId: 2, displayName: "wlan0", kind: "wifi", up: true } },
 *   { kind: "pvd-set", pvd: { pvdId: "pvd.provider-b.example", interfaceId: 2, explicit: true } },
 *   { kind: "interface-going-away", interfaceId: 2 },
 *   { kind: "interface-removed", interfaceId: 2 },
 * ];
 * const events: string[] = [];
 * const db = new ConfigurationDatabase(systemClock, { onEvent: (event) => events.push(event.kind) });
 * db.apply(changes);
 * const expected = "interface-added,pvd-added,interface-going-away,pvd-removed,interface-removed";
 * if (events.join() !== expected) throw new Error(events.join());
 * db.close();
 * ```
 */
export type NetworkChange =
  | { readonly kind: "interface-set"; readonly interface: InterfaceInfo }
  | { readonly kind: "interface-removed"; readonly interfaceId: InterfaceId }
  | { readonly kind: "interface-going-away"; readonly interfaceId: InterfaceId }
  | { readonly kind: "interface-going-up"; readonly interfaceId: InterfaceId }
  | { readonly kind: "pvd-set"; readonly pvd: PvdInfo }
  | { readonly kind: "pvd-removed"; readonly pvdId: PvdId }
  | { readonly kind: "element-set"; readonly element: ElementInfo }
  | {
    readonly kind: "element-removed";
    readonly pvdId: PvdId;
    readonly elementType: ConfigurationElement["elementType"];
    readonly elementId: string;
  }
  | { readonly kind: "address-set"; readonly address: AddressInfo }
  | { readonly kind: "address-removed"; readonly pvdId: PvdId; readonly address: string };

/**
 * Where an adapter delivers what it learns.
 *
 * @example What the simulated network delivers
 * ```ts
 * import type { NetworkLinkSink } from "./network_link.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, wlan0 } = twoProviderHost();
 * const log: string[] = [];
 * const sink: NetworkLinkSink = {
 *   snapshot: (state) => log.push(`snapshot: ${state.pvds.length} PvDs`),
 *   apply: (changes) => log.push(...changes.map((change) => change.kind)),
 * };
 * network.start(sink);
 * network.removePvd(wlan0.pvd.pvdId);
 * network.stop();
 * if (log.join() !== "snapshot: 3 PvDs,pvd-removed") throw new Error(log.join());
 * ```
 */
export interface NetworkLinkSink {
  /**
   * Replaces the whole state: the database announces the difference, as
   * changes, to every subscriber. The first call is the initial snapshot; an
   * adapter that lost track (a netlink buffer overrun) calls it again.
   */
  snapshot(state: NetworkState): void;
  /**
   * Applies changes in order, as one transaction. A change that does not fit
   * the state (an address for an unknown PvD) is reported to `onError` and
   * skipped; the rest still apply.
   */
  apply(changes: readonly NetworkChange[]): void;
}

/**
 * A name to resolve inside one provisioning domain.
 *
 * @example What the MIF API asks an adapter to resolve
 * ```ts
 * import type { ResolveQuery } from "./network_link.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, clock, eth0 } = twoProviderHost();
 * const query: ResolveQuery = {
 *   pvdId: eth0.ipv6.pvdId,
 *   interfaceId: eth0.interfaceId,
 *   name: "host",
 *   dnsServers: [eth0.ipv6.dnsServer],
 *   searchDomains: ["example.com"],
 *   sourceAddresses: [eth0.ipv6.address],
 * };
 * const found: string[] = [];
 * await clock.drive((async () => {
 *   for await (const answer of network.resolve(query, new AbortController().signal)) found.push(...answer.addresses);
 * })());
 * if (!found.includes("2001:db8:c::80")) throw new Error(found.join());
 * ```
 */
export interface ResolveQuery {
  /** The PvD to resolve in. */
  readonly pvdId: PvdId;
  /** Its interface. */
  readonly interfaceId: InterfaceId;
  /** The name, as the subscriber gave it. */
  readonly name: string;
  /** The PvD's DNS servers, canonical text, in preference order. */
  readonly dnsServers: readonly string[];
  /** The PvD's search domains. */
  readonly searchDomains: readonly string[];
  /** The PvD's source addresses, to send queries from. */
  readonly sourceAddresses: readonly string[];
  /** The address families to look up (A for 4, AAAA for 6); both when absent. */
  readonly families?: readonly (4 | 6)[];
}

/**
 * One address family's answer to a {@linkcode ResolveQuery}: each family is
 * answered at most once, and an empty list is a negative answer. Answers
 * come per family so that connection racing can apply the Happy Eyeballs
 * resolution delay (RFC 8305 section 3).
 *
 * @example The answers a dual-stack name gets
 * ```ts
 * import type { ResolvedFamily } from "./network_link.ts";
 *
 * const answers: ResolvedFamily[] = [
 *   { family: 6, addresses: ["2001:db8:c::80"] },
 *   { family: 4, addresses: ["203.0.113.80"] },
 * ];
 * if (answers.flatMap((a) => a.addresses).length !== 2) throw new Error("unexpected");
 * ```
 */
export interface ResolvedFamily {
  /** 4 for A records, 6 for AAAA. */
  readonly family: 4 | 6;
  /** The addresses, in the order the answer gave them (any text form). */
  readonly addresses: readonly string[];
  /**
   * How long the answer may be used again, in seconds: the smallest TTL of
   * the records that gave it (CNAMEs included), or for a negative answer
   * the SOA's negative TTL (RFC 2308 section 5). Absent or 0: not to be
   * kept.
   */
  readonly ttl?: number;
}

/**
 * One TCP connection attempt from a given source to a given destination.
 *
 * @example One attempt from the DHCPv4 lease's address
 * ```ts
 * import type { ConnectAttempt } from "./network_link.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, clock, eth0, host } = twoProviderHost();
 * const attempt: ConnectAttempt = {
 *   pvdId: eth0.ipv4.pvdId,
 *   interfaceId: eth0.interfaceId,
 *   sourceAddress: eth0.ipv4.address,
 *   address: host.providerA.ipv4,
 *   port: host.port,
 * };
 * const token = await clock.drive(network.connect(attempt, new AbortController().signal));
 * if (token.localAddress !== "192.0.2.100" || token.remoteAddress !== "203.0.113.80") throw new Error("unexpected");
 * token.close();
 * await clock.runAll();
 * ```
 */
export interface ConnectAttempt {
  /** The PvD the source belongs to. */
  readonly pvdId: PvdId;
  /** Its interface. */
  readonly interfaceId: InterfaceId;
  /** Source address, canonical text. */
  readonly sourceAddress: string;
  /** Destination address, canonical text. */
  readonly address: string;
  /** Destination TCP port. */
  readonly port: number;
}

/**
 * The two ends of a TCP connection and its byte streams, the web streams every runtime has.
 *
 * @example Bytes through an echo server
 * ```ts
 * import type { ConnectionEnds } from "./network_link.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, clock, eth0, host } = twoProviderHost();
 * const attempt = {
 *   pvdId: eth0.ipv6.pvdId,
 *   interfaceId: eth0.interfaceId,
 *   sourceAddress: eth0.ipv6.address,
 *   address: host.providerA.ipv6,
 *   port: host.port,
 * };
 * const token = await clock.drive(network.connect(attempt, new AbortController().signal));
 * const ends: ConnectionEnds = token;
 * await ends.writable.getWriter().write(new TextEncoder().encode("ping"));
 * const { value } = await clock.drive(ends.readable.getReader().read());
 * if (new TextDecoder().decode(value) !== "ping" || ends.remotePort !== 80) throw new Error("unexpected");
 * token.close();
 * await clock.runAll();
 * ```
 */
export interface ConnectionEnds {
  /** Local address. */
  readonly localAddress: string;
  /** Local port. */
  readonly localPort: number;
  /** Remote address. */
  readonly remoteAddress: string;
  /** Remote port. */
  readonly remotePort: number;
  /** Bytes from the peer. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the peer. */
  readonly writable: WritableStream<Uint8Array>;
}

/**
 * A connection handed to the subscriber in a Connected message: the token the
 * draft asks for, "suitable for use with the connection API".
 *
 * @example The token of a Connected message
 * ```ts
 * import type { ConnectionToken } from "./network_link.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, clock, wlan0, host } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * const pvdId = wlan0.pvd.pvdId;
 * app.postMessage({ type: "connect-to-pvd", pvdId, name: host.name, port: host.port, connectionId: "c1" });
 * await clock.tick(1_000);
 * const m = app.getMessage();
 * const token: ConnectionToken | undefined = m?.type === "connected" ? m.token : undefined;
 * // Provider B answers with its on-net cache first.
 * if (token?.interfaceId !== wlan0.interfaceId || token.remoteAddress !== "2001:db8:b:80::80") {
 *   throw new Error("unexpected");
 * }
 * token.close();
 * token.close(); // closing twice does nothing
 * api.close();
 * ```
 */
export interface ConnectionToken extends ConnectionEnds {
  /** The PvD the connection goes through. */
  readonly pvdId: PvdId;
  /** The interface it goes through. */
  readonly interfaceId: InterfaceId;
  /**
   * The runtime's own connection behind the streams, where the adapter has
   * one (a `node:net` Socket from the host adapters: see their `socketOf`);
   * absent from the simulated network. Use it or the streams, not both.
   */
  readonly socket?: unknown;
  /** Closes both directions; closing twice does nothing. */
  close(): void;
}

/**
 * A hint from the application (section 3.2.7.26) passed on to the adapter.
 *
 * @example What an adapter might do with each hint
 * ```ts
 * import type { ApplicationHint } from "./network_link.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * function plan(hint: ApplicationHint): string {
 *   switch (hint.type) {
 *     case "wants-to-connect":
 *       return "bring links up";
 *     case "connection-is-idle":
 *       return `let ${hint.connectionId ?? "everything"} sleep`;
 *     case "connection-can-be-broken":
 *       return "allow teardown";
 *   }
 * }
 * const { network } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * app.postMessage({ type: "connection-is-idle", connectionId: "c1" });
 * app.postMessage({ type: "connection-can-be-broken" });
 * const plans = network.hints.map(plan); // the simulated network records every hint
 * if (plans.join() !== "let c1 sleep,allow teardown") throw new Error(plans.join());
 * api.close();
 * ```
 */
export type ApplicationHint = WantsToConnect | ConnectionIsIdle | ConnectionCanBeBroken;

/**
 * An adapter: what the MIF API needs from a network, real or simulated.
 *
 * @example An adapter that wraps another
 * ```ts
 * import type { NetworkLink } from "./network_link.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, clock, eth0 } = twoProviderHost();
 * let lookups = 0;
 * const counting: NetworkLink = {
 *   clock: network.clock,
 *   start: (sink) => network.start(sink),
 *   stop: () => network.stop(),
 *   resolve: (query, signal) => {
 *     lookups++;
 *     return network.resolve(query, signal);
 *   },
 *   connect: (attempt, signal) => network.connect(attempt, signal),
 * };
 * const api = new MifApi(counting);
 * const app = api.subscribe();
 * app.postMessage({ type: "translate-name", pvdId: eth0.ipv6.pvdId, name: "host.example.com", translationId: "t1" });
 * await clock.tick(1_000);
 * if (lookups !== 1 || app.getMessage()?.type !== "name-translation") throw new Error("unexpected");
 * api.close();
 * ```
 */
export interface NetworkLink {
  /** The clock lifetimes are measured against. */
  readonly clock: Clock;
  /**
   * Starts delivering state to `sink`: a {@linkcode NetworkLinkSink.snapshot}
   * first, then changes as they happen, until {@linkcode NetworkLink.stop}.
   */
  start(sink: NetworkLinkSink): void;
  /** Stops delivering changes and releases the adapter's resources. */
  stop(): void;
  /**
   * Resolves a name inside one PvD, yielding each family's answer as it
   * arrives; a family not yielded by the end has no address. Throws a
   * {@linkcode MifError} when resolution fails.
   */
  resolve(query: ResolveQuery, signal: AbortSignal): AsyncIterable<ResolvedFamily>;
  /**
   * Makes one TCP connection attempt. Rejects with a {@linkcode MifError}
   * (code `connection-failed`) saying why, or `aborted` when `signal` fires.
   */
  connect(attempt: ConnectAttempt, signal: AbortSignal): Promise<ConnectionToken>;
  /** Acts on an application hint; optional, a no-op when absent. */
  hint?(hint: ApplicationHint): void;
}
