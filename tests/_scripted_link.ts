/**
 * A network adapter for tests that need exact control: each test pushes
 * changes itself and scripts resolution and connection outcomes. End-to-end
 * behaviour is tested on the simulated network; this isolates the API's own
 * ordering and bookkeeping.
 *
 * @module
 */

import { VirtualClock } from "../adapters/simulated/virtual_clock.ts";
import { MifError } from "../api/errors.ts";
import type { MifReply } from "../api/messages.ts";
import type {
  AddressInfo,
  ApplicationHint,
  ConnectAttempt,
  ConnectionToken,
  ElementInfo,
  NetworkChange,
  NetworkLink,
  NetworkLinkSink,
  NetworkState,
  ResolvedFamily,
  ResolveQuery,
} from "../api/network_link.ts";
import type { Subscriber } from "../api/subscriber.ts";

export const ETH0 = 2;
export const WLAN0 = 3;
export const V6 = "implicit:eth0:ipv6";
export const V4 = "implicit:eth0:ipv4";
export const WIFI = "pvd.provider-b.example";

/** eth0 dual-stack (two implicit PvDs), wlan0 IPv6-only with an explicit PvD. */
export function twoLinkState(): NetworkState {
  return {
    interfaces: [
      { interfaceId: ETH0, displayName: "eth0", kind: "ethernet", up: true },
      { interfaceId: WLAN0, displayName: "wlan0", kind: "wifi", up: true },
    ],
    pvds: [
      { pvdId: V6, interfaceId: ETH0, explicit: false },
      { pvdId: V4, interfaceId: ETH0, explicit: false },
      { pvdId: WIFI, interfaceId: WLAN0, explicit: true, expiresAt: 1_800_000 },
    ],
    elements: [
      raElement(V6, "fe80::1", ["2001:db8:a::53"], 0, 1_800_000),
      {
        pvdId: V4,
        receivedAt: 0,
        expiresAt: 3_600_000,
        element: {
          elementType: "dhcpv4",
          elementId: "192.0.2.1",
          data: {
            "dns-servers": [{ address: "192.0.2.53", lifetime: 3600 }],
            routers: [{ address: "192.0.2.1", lifetime: 3600, preference: "medium" }],
          },
        },
      },
      raElement(WIFI, "fe80::b", ["2001:db8:b::53"], 0, 600_000),
    ],
    addresses: [
      address(V6, "2001:db8:a::100", 86_400_000, 14_400_000),
      address(V4, "192.0.2.100", 3_600_000, 3_600_000),
      address(WIFI, "2001:db8:b::100", 600_000, 300_000),
    ],
  };
}

export function raElement(
  pvdId: string,
  router: string,
  dns: string[],
  receivedAt: number,
  expiresAt: number,
): ElementInfo {
  return {
    pvdId,
    receivedAt,
    expiresAt,
    element: {
      elementType: "ra",
      elementId: router,
      data: {
        routers: [{ address: router, lifetime: 1800, preference: "medium" }],
        "dns-servers": dns.map((a) => ({ address: a, lifetime: 1800 })),
        "search-domains": [{ domain: "example.com", lifetime: 1800 }],
        mtu: 1500,
      },
    },
  };
}

export function address(pvdId: string, text: string, validUntil: number, preferredUntil: number): AddressInfo {
  const prefixLength = text.includes(":") ? 64 : 24;
  return { pvdId, address: text, prefixLength, validUntil, preferredUntil };
}

/** A connection token whose streams carry nothing; records whether it was closed. */
export function fakeToken(attempt: ConnectAttempt): ConnectionToken & { isClosed(): boolean } {
  let closed = false;
  return {
    pvdId: attempt.pvdId,
    interfaceId: attempt.interfaceId,
    localAddress: attempt.sourceAddress,
    localPort: 40000,
    remoteAddress: attempt.address,
    remotePort: attempt.port,
    readable: new ReadableStream(),
    writable: new WritableStream(),
    close: () => void (closed = true),
    isClosed: () => closed,
  };
}

/** The scripted adapter. */
export class ScriptedLink implements NetworkLink {
  readonly clock = new VirtualClock();
  readonly hints: ApplicationHint[] = [];
  readonly resolveQueries: ResolveQuery[] = [];
  readonly attempts: ConnectAttempt[] = [];
  stopped = false;
  #sink: NetworkLinkSink | undefined;
  #initial: NetworkState;

  /** Answers a resolution: default yields nothing. */
  resolver: (query: ResolveQuery, signal: AbortSignal) => AsyncIterable<ResolvedFamily> = async function* () {};
  /** Answers a connection attempt: default fails. */
  connector: (attempt: ConnectAttempt, signal: AbortSignal) => Promise<ConnectionToken> = () =>
    Promise.reject(new MifError("connection-failed", "Cannot connect: refused"));

  constructor(initial: NetworkState = twoLinkState()) {
    this.#initial = initial;
  }

  start(sink: NetworkLinkSink): void {
    this.#sink = sink;
    sink.snapshot(this.#initial);
  }

  stop(): void {
    this.stopped = true;
  }

  /** Pushes changes as the adapter would. */
  apply(...changes: NetworkChange[]): void {
    this.#sink!.apply(changes);
  }

  /** Replaces the state as the adapter would after losing track. */
  snapshot(state: NetworkState): void {
    this.#sink!.snapshot(state);
  }

  resolve(query: ResolveQuery, signal: AbortSignal): AsyncIterable<ResolvedFamily> {
    this.resolveQueries.push(query);
    return this.resolver(query, signal);
  }

  connect(attempt: ConnectAttempt, signal: AbortSignal): Promise<ConnectionToken> {
    this.attempts.push(attempt);
    return this.connector(attempt, signal);
  }

  hint(hint: ApplicationHint): void {
    this.hints.push(hint);
  }
}

/** Every waiting message, taken out of the queue. */
export function drain(subscriber: Subscriber): MifReply[] {
  const out: MifReply[] = [];
  for (let m = subscriber.getMessage(); m; m = subscriber.getMessage()) out.push(m);
  return out;
}

/** A message in one short line, for comparing sequences. */
export function brief(m: MifReply): string {
  switch (m.type) {
    case "interface-announcement":
      return `interface ${m.interfaceId} ${m.displayName}`;
    case "no-interface-announcement":
      return `no-interface ${m.interfaceId}`;
    case "provisioning-domain-announcement":
      return `pvd ${m.pvdId}`;
    case "no-provisioning-domain-announcement":
      return `no-pvd ${m.pvdId}`;
    case "configuration-element-announcement":
      return `element ${m.pvdId} ${m.element.elementType} ${m.element.elementId}`;
    case "no-configuration-element-announcement":
      return `no-element ${m.pvdId} ${m.elementType} ${m.elementId}`;
    case "address-announcement":
      return `address ${m.pvdId} ${m.address}` +
        (m.validLifetime === undefined ? "" : ` ${m.validLifetime}/${m.preferredLifetime}`);
    case "no-address-announcement":
      return `no-address ${m.pvdId} ${m.address}`;
    case "name-translation":
      return `translation ${m.translationId} ${m.address}`;
    case "name-translation-complete":
      return `translation-complete ${m.translationId} ${m.count}${m.error ? " " + m.error.code : ""}`;
    case "connected":
      return `connected ${m.connectionId} ${m.token.localAddress} ${m.token.remoteAddress}`;
    case "not-connected":
      return `not-connected ${m.connectionId} ${m.error.code} ${m.attempts.length}`;
    case "error":
      return `error ${m.error.code}${m.error.field ? " " + m.error.field : ""}`;
    case "configuration-data":
      return `data ${m.pvdId} ${m.elementType} ${m.informationId}`;
    case "no-configuration-data":
      return `no-data ${m.pvdId} ${m.elementType} ${m.informationId}`;
    case "interface-going-away":
    case "interface-going-up":
      return `${m.type} ${m.interfaceId}`;
    case "announcements-dropped":
      return `dropped ${m.count}`;
  }
}

/** The brief form of every waiting message. */
export function drainBrief(subscriber: Subscriber): string[] {
  return drain(subscriber).map(brief);
}
