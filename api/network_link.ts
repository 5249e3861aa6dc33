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

/** A timer handle returned by {@linkcode Clock.setTimer}. */
export type TimerHandle = number | { readonly [key: string]: unknown };

/**
 * Time as the configuration database sees it. Lifetimes expire and CHECK
 * MESSAGE waits on this clock, so a virtual clock makes every test and
 * benchmark run in virtual time.
 */
export interface Clock {
  /** Milliseconds since an arbitrary epoch. */
  now(): number;
  /** Calls `callback` once, `delay` milliseconds from now. */
  setTimer(delay: number, callback: () => void): TimerHandle;
  /** Cancels a timer; cancelling a fired or cancelled timer does nothing. */
  clearTimer(handle: TimerHandle): void;
}

/** What kind of link an interface is, as TAPS and Apple's Network.framework classify them. */
export type InterfaceKind = "ethernet" | "wifi" | "cellular" | "vpn" | "loopback" | "other";

/** An interface as the adapter reports it. */
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

/** A provisioning domain as the adapter reports it. */
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

/** A configuration element as the adapter reports it. */
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

/** An address as the adapter reports it. */
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

/** The whole state of a host's network configuration. */
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

/** One change to the host's network configuration. `*-set` adds or replaces. */
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

/** Where an adapter delivers what it learns. */
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

/** A name to resolve inside one provisioning domain. */
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
}

/** One TCP connection attempt from a given source to a given destination. */
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

/** The two ends of a TCP connection and its byte streams, the web streams every runtime has. */
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
 */
export interface ConnectionToken extends ConnectionEnds {
  /** The PvD the connection goes through. */
  readonly pvdId: PvdId;
  /** The interface it goes through. */
  readonly interfaceId: InterfaceId;
  /** Closes both directions; closing twice does nothing. */
  close(): void;
}

/** A hint from the application (section 3.2.7.26) passed on to the adapter. */
export type ApplicationHint = WantsToConnect | ConnectionIsIdle | ConnectionCanBeBroken;

/**
 * An adapter: what the MIF API needs from a network, real or simulated.
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
   * Resolves a name inside one PvD, yielding each address (any text form) as
   * it arrives. Throws a {@linkcode MifError} when resolution fails.
   */
  resolve(query: ResolveQuery, signal: AbortSignal): AsyncIterable<string>;
  /**
   * Makes one TCP connection attempt. Rejects with a {@linkcode MifError}
   * (code `connection-failed`) saying why, or `aborted` when `signal` fires.
   */
  connect(attempt: ConnectAttempt, signal: AbortSignal): Promise<ConnectionToken>;
  /** Acts on an application hint; optional, a no-op when absent. */
  hint?(hint: ApplicationHint): void;
}
