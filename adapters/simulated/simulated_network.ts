/**
 * An in-process network implementing {@linkcode NetworkLink}: interfaces,
 * provisioning domains, configuration elements and addresses that a test
 * adds, changes and removes; DNS servers answering real DNS wire messages;
 * paths with latency, loss and black holes; TCP servers whose connections
 * carry bytes over web streams. Everything runs on a {@linkcode VirtualClock}
 * and draws randomness from a seeded generator, so a run replays exactly.
 *
 * @module
 */

import { parseIpAddress } from "../../core-as/ip_address.ts";
import { MifError } from "../../api/errors.ts";
import type { ConfigurationElement, ConfigurationElementType, InterfaceId, PvdId } from "../../api/messages.ts";
import type {
  AddressInfo,
  ApplicationHint,
  ConnectAttempt,
  ConnectionToken,
  ElementInfo,
  InterfaceInfo,
  InterfaceKind,
  NetworkChange,
  NetworkLink,
  NetworkLinkSink,
  NetworkState,
  PvdInfo,
  ResolvedFamily,
  ResolveQuery,
  TimerHandle,
} from "../../api/network_link.ts";
import { decodeQuery, normalizeDnsName } from "../dns/dns_message.ts";
import { type DnsExchange, type DnsTransport, resolveAddresses } from "../dns/stub_resolver.ts";
import { elementLifetime } from "./builders.ts";
import { type DnsServerOptions, SimulatedDnsServer } from "./dns_server.ts";
import { parsePrefix, type Prefix, prefixContains } from "./_prefix.ts";
import { SeededRandom } from "./seeded_random.ts";
import { SimConnection, type SimulatedServerConnection } from "./_sim_connection.ts";
import { VirtualClock } from "./virtual_clock.ts";

export type { SimulatedServerConnection } from "./_sim_connection.ts";

/**
 * How packets fare on a path.
 *
 * @example
 * ```ts
 * import { type PathBehaviour, SimulatedNetwork } from "./simulated_network.ts";
 *
 * const lossyRadio: PathBehaviour = { latencyMs: 60, lossRate: 0.05 };
 * new SimulatedNetwork({ defaultPath: lossyRadio });
 * ```
 */
export interface PathBehaviour {
  /** False for a black hole: packets vanish and nothing ever answers. True when absent. */
  readonly reachable?: boolean;
  /** One-way delay in ms; a round trip takes twice this. */
  readonly latencyMs?: number;
  /** Probability (0 to 1) that any one packet is lost, each way. */
  readonly lossRate?: number;
  /** A middlebox answers every SYN with a RST: connections are refused after one round trip. */
  readonly refuse?: boolean;
  /** A router answers with ICMP unreachable after one round trip: connections and DNS fail as unreachable. */
  readonly icmpUnreachable?: boolean;
}

/**
 * A path from a PvD (or every PvD) to a destination prefix.
 *
 * @example
 * ```ts
 * import { type PathOptions, SimulatedNetwork } from "./simulated_network.ts";
 *
 * const blackHole: PathOptions = { pvdId: "implicit:eth0:ipv6", to: "2001:db8:dead::/48", reachable: false };
 * new SimulatedNetwork().setPath(blackHole);
 * ```
 */
export interface PathOptions extends PathBehaviour {
  /** The PvD whose packets take this path; every PvD when absent. */
  readonly pvdId?: PvdId;
  /** Destination: `address/length`, or an address. */
  readonly to: string;
}

/** A path's behaviour with every field filled in. */
interface ResolvedPath {
  readonly reachable: boolean;
  readonly latencyMs: number;
  readonly lossRate: number;
  readonly refuse: boolean;
  readonly icmpUnreachable: boolean;
}

/**
 * Called for each connection a server accepts; the default echoes every byte back.
 *
 * @example
 * ```ts
 * import { type ServerHandler, SimulatedNetwork } from "./simulated_network.ts";
 *
 * // Discards whatever the client sends (the RFC 863 discard service).
 * const discard: ServerHandler = (connection) => {
 *   connection.readable.pipeTo(new WritableStream()).catch(() => {});
 * };
 * new SimulatedNetwork().addServer({ address: "2001:db8:c::9", port: 9, handler: discard });
 * ```
 */
export type ServerHandler = (connection: SimulatedServerConnection) => void;

/**
 * Options for {@linkcode SimulatedNetwork.addServer}.
 *
 * @example
 * ```ts
 * import { type ServerOptions, SimulatedNetwork } from "./simulated_network.ts";
 *
 * const echo: ServerOptions = { address: "203.0.113.7", port: 7 };
 * new SimulatedNetwork().addServer(echo);
 * ```
 */
export interface ServerOptions {
  /** The address it listens on. */
  readonly address: string;
  /** The TCP port it listens on. */
  readonly port: number;
  /** What it does with each connection; {@linkcode echoHandler} when absent. */
  readonly handler?: ServerHandler;
}

/**
 * Options for {@linkcode SimulatedNetwork.addInterface}.
 *
 * @example
 * ```ts
 * import { type InterfaceOptions, SimulatedNetwork } from "./simulated_network.ts";
 *
 * const options: InterfaceOptions = { displayName: "wwan0", kind: "cellular", up: false };
 * const net = new SimulatedNetwork();
 * net.addInterface(options);
 * if (net.state().interfaces[0]?.up !== false) throw new Error("unexpected");
 * ```
 */
export interface InterfaceOptions {
  /** Display name, such as `eth0`; it names the interface's implicit PvDs. */
  readonly displayName: string;
  /** Link type; `other` when absent. */
  readonly kind?: InterfaceKind;
  /** Whether the link starts up; true when absent. */
  readonly up?: boolean;
}

/**
 * Options for {@linkcode SimulatedNetwork.addPvd}.
 *
 * @example
 * ```ts
 * import { type PvdOptions, SimulatedNetwork } from "./simulated_network.ts";
 *
 * const net = new SimulatedNetwork();
 * const options: PvdOptions = { interfaceId: net.addInterface({ displayName: "wlan0" }), fqdn: "pvd.example", lifetime: 600 };
 * net.addPvd(options);
 * if (net.state().pvds[0]?.expiresAt !== 600_000) throw new Error("unexpected");
 * ```
 */
export interface PvdOptions {
  /** The interface the PvD is learned on. */
  readonly interfaceId: InterfaceId;
  /** An RFC 8801 PvD ID FQDN for an explicit PvD. */
  readonly fqdn?: string;
  /** The family of an implicit PvD (`implicit:<name>:ipv4|ipv6`); required without `fqdn`. */
  readonly family?: 4 | 6;
  /** Lifetime in seconds; never expires when absent. */
  readonly lifetime?: number;
}

/**
 * Options for {@linkcode SimulatedNetwork.addAddress}.
 *
 * @example
 * ```ts
 * import { type AddressOptions, SimulatedNetwork } from "./simulated_network.ts";
 *
 * const net = new SimulatedNetwork();
 * const pvdId = net.addPvd({ interfaceId: net.addInterface({ displayName: "wlan0" }), family: 6 });
 * const temporary: AddressOptions = { address: "2001:db8::7e3a", validLifetime: 86400, preferredLifetime: 3600, temporary: true };
 * net.addAddress(pvdId, temporary);
 * ```
 */
export interface AddressOptions {
  /** The address, any valid text form. */
  readonly address: string;
  /** Prefix length of its subnet; 64 for IPv6 and 24 for IPv4 when absent. */
  readonly prefixLength?: number;
  /** Valid lifetime in seconds; infinite when absent. */
  readonly validLifetime?: number;
  /** Preferred lifetime in seconds; the valid lifetime when absent. */
  readonly preferredLifetime?: number;
  /** RFC 8981 temporary address. */
  readonly temporary?: boolean;
}

/**
 * Options for {@linkcode SimulatedNetwork}.
 *
 * @example
 * ```ts
 * import { SimulatedNetwork, type SimulatedNetworkOptions, VirtualClock } from "./mod.ts";
 *
 * const options: SimulatedNetworkOptions = { seed: 99, clock: new VirtualClock({ start: 5000 }), dnsTimeoutMs: 500 };
 * if (new SimulatedNetwork(options).clock.now() !== 5000) throw new Error("unexpected");
 * ```
 */
export interface SimulatedNetworkOptions {
  /** Seed of every random draw (loss, DNS identifiers); 1 when absent. */
  readonly seed?: number;
  /** The clock; a new {@linkcode VirtualClock} at 0 when absent. */
  readonly clock?: VirtualClock;
  /** Behaviour of destinations no path matches; reachable, 10 ms, no loss when absent. */
  readonly defaultPath?: PathBehaviour;
  /** Delay between Interface Going Up and the link being up, for hints; 50 ms when absent. */
  readonly linkUpDelayMs?: number;
  /** Wait for one DNS server's response, in ms; 2000 when absent. */
  readonly dnsTimeoutMs?: number;
  /** Rounds over a PvD's DNS servers; 2 when absent. */
  readonly dnsAttempts?: number;
  /** When SYNs are retransmitted, in ms after the first; 1000, 3000, 7000 when absent (RFC 6298: 1 s RTO, doubling). */
  readonly synRetransmitsMs?: readonly number[];
  /** When a connection attempt gives up, in ms; 15000 when absent (the next RTO after 7 s). */
  readonly connectTimeoutMs?: number;
}

/**
 * One DNS query datagram sent, as recorded for tests.
 *
 * @example
 * ```ts
 * import type { DnsQueryRecord, SimulatedNetwork } from "./simulated_network.ts";
 *
 * // The servers a run queried, in order.
 * const serversQueried = (net: SimulatedNetwork) => net.dnsQueries.map((q: DnsQueryRecord) => q.server);
 * ```
 */
export interface DnsQueryRecord {
  /** Clock time it was sent. */
  readonly at: number;
  /** The PvD it was sent through. */
  readonly pvdId: PvdId;
  /** The server it was sent to. */
  readonly server: string;
  /** The question's name (`?` when the bytes did not decode). */
  readonly name: string;
  /** The question's type. */
  readonly type: string;
  /** The message identifier. */
  readonly id: number;
}

/**
 * One SYN sent, as recorded for tests.
 *
 * @example
 * ```ts
 * import type { SimulatedNetwork, SynRecord } from "./simulated_network.ts";
 *
 * // When each SYN left, relative to the first.
 * const synTimes = (net: SimulatedNetwork) => net.syns.map((s: SynRecord) => s.at - (net.syns[0]?.at ?? 0));
 * ```
 */
export interface SynRecord {
  /** Clock time it was sent. */
  readonly at: number;
  /** The PvD it was sent through. */
  readonly pvdId: PvdId;
  /** Source address. */
  readonly sourceAddress: string;
  /** Destination address. */
  readonly address: string;
  /** Destination port. */
  readonly port: number;
}

/**
 * Filter for {@linkcode SimulatedNetwork.dnsQueryCount} and {@linkcode SimulatedNetwork.synCount}.
 *
 * @example
 * ```ts
 * import { type CountFilter, SimulatedNetwork } from "./simulated_network.ts";
 *
 * const filter: CountFilter = { pvdId: "implicit:eth0:ipv6", address: "2001:db8:c::80" };
 * if (new SimulatedNetwork().synCount(filter) !== 0) throw new Error("unexpected");
 * ```
 */
export interface CountFilter {
  /** Only through this PvD. */
  readonly pvdId?: PvdId;
  /** Only to this server or destination address. */
  readonly address?: string;
}

const DEFAULT_PATH: ResolvedPath = {
  reachable: true,
  latencyMs: 10,
  lossRate: 0,
  refuse: false,
  icmpUnreachable: false,
};
/** First ephemeral port (RFC 6335 dynamic range). */
const FIRST_EPHEMERAL_PORT = 49152;

/**
 * The default server handler: writes back every byte it reads, and closes
 * its side when the client closes its own.
 *
 * @example
 * ```ts
 * import { echoHandler, SimulatedNetwork } from "./simulated_network.ts";
 *
 * const net = new SimulatedNetwork();
 * net.addServer({ address: "2001:db8:c::7", port: 7, handler: echoHandler });
 * ```
 */
export function echoHandler(connection: SimulatedServerConnection): void {
  // A reset errors the streams; the echo just stops.
  connection.readable.pipeTo(connection.writable).catch(() => {});
}

interface InterfaceRecord {
  info: InterfaceInfo;
  /** Interface Going Up was announced; the link comes up when this fires. */
  pendingUp?: TimerHandle;
  /** Interface Going Away was announced before taking the link down. */
  pendingDown?: TimerHandle;
  /** Interface Going Away was announced before removing the interface. */
  pendingRemoval?: TimerHandle;
}

interface PvdRecord {
  info: PvdInfo;
  /** 4 or 6 for an implicit PvD; undefined (both) for an explicit one. */
  family: 4 | 6 | undefined;
  elements: Map<string, ElementInfo>;
  addresses: Map<string, AddressInfo>;
}

interface PathRecord {
  readonly pvdId: PvdId | undefined;
  readonly prefix: Prefix;
  readonly behaviour: ResolvedPath;
}

/**
 * A simulated multi-interface host and the network around it.
 *
 * Lifetimes given to it are in seconds, as the protocols carry them; the
 * state it reports holds absolute clock times in ms. It does not expire
 * anything itself (the configuration database does, on the same clock),
 * but expired PvDs, elements and addresses are left out of snapshots and
 * are no longer usable for connections.
 *
 * @example Resolve a name and connect through a chosen PvD
 * ```ts
 * import { raElement, SimulatedNetwork } from "./mod.ts";
 *
 * const net = new SimulatedNetwork({ seed: 1 });
 * const eth0 = net.addInterface({ displayName: "eth0", kind: "ethernet" });
 * const pvdId = net.addPvd({ interfaceId: eth0, family: 6 });
 * net.setElement(pvdId, raElement({ router: "fe80::1", prefixes: [{ prefix: "2001:db8:a::/64" }], rdnss: ["2001:db8:a::53"] }));
 * const source = net.addAddress(pvdId, { address: "2001:db8:a::100" });
 * net.addDnsServer({ address: "2001:db8:a::53", records: { "host.example.com": { AAAA: ["2001:db8:c::80"] } } });
 * net.addServer({ address: "2001:db8:c::80", port: 80 });
 *
 * const signal = new AbortController().signal;
 * const query = {
 *   pvdId, interfaceId: eth0, name: "host.example.com",
 *   dnsServers: ["2001:db8:a::53"], searchDomains: [], sourceAddresses: [source],
 * };
 * const addresses: string[] = [];
 * await net.clock.drive((async () => {
 *   for await (const answer of net.resolve(query, signal)) addresses.push(...answer.addresses);
 * })());
 * const token = await net.clock.drive(
 *   net.connect({ pvdId, interfaceId: eth0, sourceAddress: source, address: addresses[0]!, port: 80 }, signal),
 * );
 * if (token.remoteAddress !== "2001:db8:c::80") throw new Error("unexpected");
 * token.close();
 * await net.clock.runAll();
 * ```
 */
export class SimulatedNetwork implements NetworkLink {
  /** The virtual clock everything runs on. */
  readonly clock: VirtualClock;
  /** The seeded generator of every random draw. */
  readonly random: SeededRandom;
  #sink: NetworkLinkSink | undefined;
  #interfaces = new Map<InterfaceId, InterfaceRecord>();
  #pvds = new Map<PvdId, PvdRecord>();
  #nextInterfaceId = 1;
  #paths: PathRecord[] = [];
  #defaultPath: ResolvedPath;
  #dnsServers = new Map<string, SimulatedDnsServer>();
  #servers = new Map<string, ServerHandler>();
  #connections = new Set<SimConnection>();
  #nextPort = FIRST_EPHEMERAL_PORT;
  #linkUpDelayMs: number;
  #dnsTimeoutMs: number;
  #dnsAttempts: number;
  #synRetransmitsMs: readonly number[];
  #connectTimeoutMs: number;
  #hints: ApplicationHint[] = [];
  #dnsLog: DnsQueryRecord[] = [];
  #synLog: SynRecord[] = [];
  #dnsMismatches: { server: string; reason: string }[] = [];

  /**
   * Makes an empty network: no interface, no server, no path.
   *
   * @param options Seed, clock, default path and protocol timings.
   */
  constructor(options: SimulatedNetworkOptions = {}) {
    this.clock = options.clock ?? new VirtualClock();
    this.random = new SeededRandom(options.seed ?? 1);
    this.#defaultPath = resolvePath(options.defaultPath ?? {}, DEFAULT_PATH);
    this.#linkUpDelayMs = options.linkUpDelayMs ?? 50;
    this.#dnsTimeoutMs = options.dnsTimeoutMs ?? 2000;
    this.#dnsAttempts = options.dnsAttempts ?? 2;
    this.#synRetransmitsMs = options.synRetransmitsMs ?? [1000, 3000, 7000];
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 15_000;
  }

  // -------------------------------------------------------------------------
  // NetworkLink
  // -------------------------------------------------------------------------

  /**
   * Starts delivering to `sink`: the current state as a snapshot, then every
   * change as it happens. A second call switches to the new sink.
   *
   * @example
   * ```ts
   * import { SimulatedNetwork } from "./simulated_network.ts";
   *
   * const net = new SimulatedNetwork();
   * net.addInterface({ displayName: "eth0" });
   * let interfaces = 0;
   * net.start({ snapshot: (s) => (interfaces = s.interfaces.length), apply: () => {} });
   * if (interfaces !== 1) throw new Error("unexpected");
   * ```
   */
  start(sink: NetworkLinkSink): void {
    this.#sink = sink;
    sink.snapshot(this.state());
  }

  /**
   * Stops delivering changes. The network itself goes on: connections stay
   * up and timers (a pending link-up, a removal notice) still fire.
   *
   * @example
   * ```ts
   * import { SimulatedNetwork } from "./simulated_network.ts";
   *
   * const net = new SimulatedNetwork();
   * let changes = 0;
   * net.start({ snapshot: () => {}, apply: (c) => (changes += c.length) });
   * net.stop();
   * net.addInterface({ displayName: "eth0" });
   * if (changes !== 0) throw new Error("unexpected");
   * ```
   */
  stop(): void {
    this.#sink = undefined;
  }

  /**
   * Resolves a name in one PvD with real DNS messages sent to the query's
   * DNS servers only, through the PvD's path to each; see
   * {@linkcode resolveAddresses} for the retry rules and errors.
   *
   * @example
   * ```ts
   * import { SimulatedNetwork } from "./simulated_network.ts";
   *
   * const net = new SimulatedNetwork();
   * const id = net.addInterface({ displayName: "eth0" });
   * const pvdId = net.addPvd({ interfaceId: id, family: 4 });
   * net.addAddress(pvdId, { address: "192.0.2.10" });
   * net.addDnsServer({ address: "192.0.2.53", records: { "a.example": { A: ["198.51.100.1"] } } });
   * const query = {
   *   pvdId, interfaceId: id, name: "a.example",
   *   dnsServers: ["192.0.2.53"], searchDomains: [], sourceAddresses: ["192.0.2.10"],
   * };
   * const found: string[] = [];
   * await net.clock.drive((async () => {
   *   for await (const answer of net.resolve(query, new AbortController().signal)) found.push(...answer.addresses);
   * })());
   * if (found.join() !== "198.51.100.1") throw new Error(found.join());
   * ```
   */
  resolve(query: ResolveQuery, signal: AbortSignal): AsyncIterable<ResolvedFamily> {
    return resolveAddresses(query, signal, {
      transport: this.#dnsTransport(query.pvdId),
      clock: this.clock,
      randomId: () => this.random.int(0x10000),
      timeoutMs: this.#dnsTimeoutMs,
      attempts: this.#dnsAttempts,
      onMismatch: (server, reason) => this.#dnsMismatches.push({ server, reason }),
    });
  }

  /**
   * Makes one simulated TCP handshake from the attempt's source address,
   * which must be a valid address of the PvD. Resolves one round trip after
   * the first SYN that gets through with a token whose streams carry bytes
   * to and from the server's handler. Rejects with a {@linkcode MifError}
   * `connection-failed` whose message ends with the reason (`refused`,
   * `timed out`, `unreachable`, `source address not on this PvD`), or
   * `aborted` when `signal` fires.
   *
   * @example A black hole times out after the SYN retransmissions
   * ```ts
   * import { SimulatedNetwork } from "./simulated_network.ts";
   *
   * const net = new SimulatedNetwork();
   * const id = net.addInterface({ displayName: "eth0" });
   * const pvdId = net.addPvd({ interfaceId: id, family: 6 });
   * const source = net.addAddress(pvdId, { address: "2001:db8:a::100" });
   * net.setPath({ to: "2001:db8:dead::/48", reachable: false });
   * const attempt = { pvdId, interfaceId: id, sourceAddress: source, address: "2001:db8:dead::1", port: 443 };
   * const result = await net.clock.drive(net.connect(attempt, new AbortController().signal)).catch((e) => e);
   * if (result.code !== "connection-failed" || net.clock.now() !== 15000) throw new Error(String(result));
   * ```
   */
  connect(
    attempt: ConnectAttempt,
    signal: AbortSignal,
  ): Promise<ConnectionToken> {
    return new Promise<ConnectionToken>((resolve, reject) => {
      const destination = `${bracket(attempt.address)}:${attempt.port}`;
      const where =
        `Cannot connect to ${destination} from ${attempt.sourceAddress} in provisioning domain "${attempt.pvdId}"`;
      const failure = (reason: string) => new MifError("connection-failed", `${where}: ${reason}`);
      if (signal.aborted) {
        reject(
          new MifError("aborted", `${where}: stopped`, {
            cause: signal.reason,
          }),
        );
        return;
      }
      const problem = this.#sourceProblem(attempt);
      if (problem !== undefined) {
        reject(failure(problem));
        return;
      }
      let dest;
      try {
        dest = parseIpAddress(attempt.address);
      } catch (error) {
        reject(
          new MifError(
            "connection-failed",
            `${where}: ${(error as Error).message}`,
            { cause: error },
          ),
        );
        return;
      }
      const path = this.#pathTo(attempt.pvdId, dest.bytes);
      const handler = this.#servers.get(serverKey(dest.text, attempt.port));
      const timers = new Set<TimerHandle>();
      let done = false;
      const finish = (
        outcome: { token: ConnectionToken } | { error: MifError },
      ) => {
        if (done) return;
        done = true;
        for (const handle of timers) this.clock.clearTimer(handle);
        timers.clear();
        signal.removeEventListener("abort", onAbort);
        if ("token" in outcome) resolve(outcome.token);
        else reject(outcome.error);
      };
      const later = (delay: number, action: () => void) => {
        const handle = this.clock.setTimer(delay, () => {
          timers.delete(handle);
          if (!done) action();
        });
        timers.add(handle);
      };
      const onAbort = () =>
        finish({
          error: new MifError("aborted", `${where}: stopped`, {
            cause: signal.reason,
          }),
        });
      signal.addEventListener("abort", onAbort, { once: true });

      const rtt = 2 * path.latencyMs;
      const sendSyn = () => {
        // The link or the address may have gone since the first SYN.
        const gone = this.#sourceProblem(attempt);
        if (gone !== undefined) {
          finish({ error: failure(gone) });
          return;
        }
        this.#synLog.push({
          at: this.clock.now(),
          pvdId: attempt.pvdId,
          sourceAddress: attempt.sourceAddress,
          address: dest.text,
          port: attempt.port,
        });
        if (!path.reachable || this.random.chance(path.lossRate)) return; // SYN lost
        const answer = path.icmpUnreachable
          ? "unreachable"
          : path.refuse || handler === undefined
          ? "refused"
          : "accept";
        if (this.random.chance(path.lossRate)) return; // SYN-ACK, RST or ICMP lost
        later(rtt, () => {
          if (answer !== "accept") {
            finish({ error: failure(answer) });
            return;
          }
          finish({
            token: this.#establish(attempt, dest.text, path, handler!),
          });
        });
      };
      sendSyn();
      for (const at of this.#synRetransmitsMs) {
        if (at < this.#connectTimeoutMs) later(at, sendSyn);
      }
      later(
        this.#connectTimeoutMs,
        () => finish({ error: failure("timed out") }),
      );
    });
  }

  /**
   * Acts on an application hint and records it. Wants To Connect brings
   * every down interface up: Interface Going Up first, the link up
   * `linkUpDelayMs` later. The other hints are only recorded.
   *
   * @example
   * ```ts
   * import { SimulatedNetwork } from "./simulated_network.ts";
   *
   * const net = new SimulatedNetwork({ linkUpDelayMs: 100 });
   * const id = net.addInterface({ displayName: "wlan0", kind: "wifi", up: false });
   * net.hint({ type: "wants-to-connect" });
   * net.clock.advance(100);
   * if (!net.state().interfaces.find((i) => i.interfaceId === id)?.up) throw new Error("unexpected");
   * ```
   */
  hint(hint: ApplicationHint): void {
    this.#hints.push(hint);
    if (hint.type !== "wants-to-connect") return;
    for (const [id, record] of this.#interfaces) {
      if (!record.info.up && record.pendingRemoval === undefined) {
        this.setInterfaceUp(id, true, { delayMs: this.#linkUpDelayMs });
      }
    }
  }

  // -------------------------------------------------------------------------
  // State
  // -------------------------------------------------------------------------

  /**
   * The current state, leaving out what has expired on the clock.
   *
   * @example
   * ```ts
   * import { SimulatedNetwork } from "./simulated_network.ts";
   *
   * const net = new SimulatedNetwork();
   * const id = net.addInterface({ displayName: "eth0" });
   * const pvdId = net.addPvd({ interfaceId: id, family: 6 });
   * net.addAddress(pvdId, { address: "2001:db8::1", validLifetime: 60 });
   * net.clock.advance(60_000);
   * if (net.state().addresses.length !== 0) throw new Error("unexpected");
   * ```
   */
  state(): NetworkState {
    const now = this.clock.now();
    const pvds: PvdInfo[] = [];
    const elements: ElementInfo[] = [];
    const addresses: AddressInfo[] = [];
    for (const pvd of this.#pvds.values()) {
      if (!alive(pvd.info.expiresAt, now)) continue;
      pvds.push(pvd.info);
      for (const e of pvd.elements.values()) {
        if (alive(e.expiresAt, now)) elements.push(e);
      }
      for (const a of pvd.addresses.values()) {
        if (a.validUntil > now) addresses.push(a);
      }
    }
    return {
      interfaces: [...this.#interfaces.values()].map((i) => i.info),
      pvds,
      elements,
      addresses,
    };
  }

  /**
   * Adds an interface and returns its identifier (1, 2, ... in order).
   *
   * @example
   * ```ts
   * import { SimulatedNetwork } from "./simulated_network.ts";
   *
   * const net = new SimulatedNetwork();
   * const id = net.addInterface({ displayName: "eth0", kind: "ethernet" });
   * if (id !== 1) throw new Error("unexpected");
   * ```
   */
  addInterface(options: InterfaceOptions): InterfaceId {
    for (const record of this.#interfaces.values()) {
      if (record.info.displayName === options.displayName) {
        throw new Error(
          `Cannot add interface: "${options.displayName}" already exists`,
        );
      }
    }
    const interfaceId = this.#nextInterfaceId++;
    const info: InterfaceInfo = {
      interfaceId,
      displayName: options.displayName,
      kind: options.kind ?? "other",
      up: options.up ?? true,
    };
    this.#interfaces.set(interfaceId, { info });
    this.#emit([{ kind: "interface-set", interface: info }]);
    return interfaceId;
  }

  /**
   * Removes an interface with its PvDs, elements and addresses: Interface
   * Going Away first, the removal `noticeMs` later (at once when 0 or
   * absent). Connections through it are reset.
   *
   * @example
   * ```ts
   * import { SimulatedNetwork } from "./simulated_network.ts";
   *
   * const net = new SimulatedNetwork();
   * const id = net.addInterface({ displayName: "wlan0" });
   * net.removeInterface(id, { noticeMs: 500 });
   * net.clock.advance(500);
   * if (net.state().interfaces.length !== 0) throw new Error("unexpected");
   * ```
   */
  removeInterface(
    interfaceId: InterfaceId,
    options: { readonly noticeMs?: number } = {},
  ): void {
    const record = this.#needInterface(interfaceId, "remove interface");
    if (record.pendingRemoval !== undefined) return;
    this.#emit([{ kind: "interface-going-away", interfaceId }]);
    const remove = () => {
      this.#cancelPending(record);
      this.#interfaces.delete(interfaceId);
      for (const [pvdId, pvd] of this.#pvds) {
        if (pvd.info.interfaceId === interfaceId) this.#pvds.delete(pvdId);
      }
      this.#resetConnections(
        (c) => c.interfaceId === interfaceId,
        `interface ${record.info.displayName} was removed`,
      );
      // The configuration database removes the PvDs, elements and addresses
      // of a removed interface itself, in the order the draft asks for.
      this.#emit([{ kind: "interface-removed", interfaceId }]);
    };
    const noticeMs = options.noticeMs ?? 0;
    if (noticeMs > 0) {
      record.pendingRemoval = this.clock.setTimer(noticeMs, remove);
    } else {
      record.pendingRemoval = 0;
      remove();
    }
  }

  /**
   * Brings a link up or down. Up: Interface Going Up first, the link up
   * `delayMs` later (at once when 0 or absent). Down: with `noticeMs`,
   * Interface Going Away first and the link down that much later; at once
   * otherwise. Connections through a link that goes down are reset.
   *
   * @example
   * ```ts
   * import { SimulatedNetwork } from "./simulated_network.ts";
   *
   * const net = new SimulatedNetwork();
   * const id = net.addInterface({ displayName: "wlan0", up: false });
   * const kinds: string[] = [];
   * net.start({ snapshot: () => {}, apply: (c) => kinds.push(...c.map((x) => x.kind)) });
   * net.setInterfaceUp(id, true);
   * if (kinds.join() !== "interface-going-up,interface-set") throw new Error(kinds.join());
   * ```
   */
  setInterfaceUp(
    interfaceId: InterfaceId,
    up: boolean,
    options: { readonly delayMs?: number; readonly noticeMs?: number } = {},
  ): void {
    const record = this.#needInterface(interfaceId, "change interface state");
    if (up) {
      if (record.pendingDown !== undefined) {
        this.clock.clearTimer(record.pendingDown);
        delete record.pendingDown;
      }
      if (record.info.up || record.pendingUp !== undefined) return;
      this.#emit([{ kind: "interface-going-up", interfaceId }]);
      const bringUp = () => {
        delete record.pendingUp;
        this.#setUp(record, true);
      };
      const delayMs = options.delayMs ?? 0;
      if (delayMs > 0) record.pendingUp = this.clock.setTimer(delayMs, bringUp);
      else bringUp();
      return;
    }
    if (record.pendingUp !== undefined) {
      this.clock.clearTimer(record.pendingUp);
      delete record.pendingUp;
    }
    if (!record.info.up || record.pendingDown !== undefined) return;
    const noticeMs = options.noticeMs;
    if (noticeMs === undefined) {
      this.#setUp(record, false);
      return;
    }
    this.#emit([{ kind: "interface-going-away", interfaceId }]);
    const takeDown = () => {
      delete record.pendingDown;
      this.#setUp(record, false);
    };
    if (noticeMs > 0) {
      record.pendingDown = this.clock.setTimer(noticeMs, takeDown);
    } else takeDown();
  }

  /**
   * Adds a PvD to an interface and returns its identifier: the FQDN
   * (lowercase) for an explicit PvD, `implicit:<name>:ipv4|ipv6` otherwise.
   *
   * @example
   * ```ts
   * import { SimulatedNetwork } from "./simulated_network.ts";
   *
   * const net = new SimulatedNetwork();
   * const id = net.addInterface({ displayName: "eth0" });
   * if (net.addPvd({ interfaceId: id, family: 6 }) !== "implicit:eth0:ipv6") throw new Error("unexpected");
   * if (net.addPvd({ interfaceId: id, fqdn: "PvD.Example." }) !== "pvd.example") throw new Error("unexpected");
   * ```
   */
  addPvd(options: PvdOptions): PvdId {
    const iface = this.#needInterface(
      options.interfaceId,
      "add provisioning domain",
    );
    let pvdId: PvdId;
    let family: 4 | 6 | undefined;
    if (options.fqdn !== undefined) {
      pvdId = normalizeDnsName(options.fqdn);
    } else if (options.family === 4 || options.family === 6) {
      family = options.family;
      pvdId = `implicit:${iface.info.displayName}:ipv${family}`;
    } else {
      throw new TypeError(
        "Cannot add provisioning domain: give an FQDN or a family (4 or 6)",
      );
    }
    if (this.#pvds.has(pvdId)) {
      throw new Error(
        `Cannot add provisioning domain: "${pvdId}" already exists`,
      );
    }
    const info: PvdInfo = {
      pvdId,
      interfaceId: options.interfaceId,
      explicit: options.fqdn !== undefined,
      ...(options.lifetime === undefined ? {} : { expiresAt: this.#expiry(options.lifetime) }),
    };
    this.#pvds.set(pvdId, {
      info,
      family,
      elements: new Map(),
      addresses: new Map(),
    });
    this.#emit([{ kind: "pvd-set", pvd: info }]);
    return pvdId;
  }

  /**
   * Removes a PvD with its elements and addresses; connections through it
   * are reset.
   *
   * @example
   * ```ts
   * import { SimulatedNetwork } from "./simulated_network.ts";
   *
   * const net = new SimulatedNetwork();
   * const pvdId = net.addPvd({ interfaceId: net.addInterface({ displayName: "eth0" }), family: 4 });
   * net.removePvd(pvdId);
   * if (net.state().pvds.length !== 0) throw new Error("unexpected");
   * ```
   */
  removePvd(pvdId: PvdId): void {
    this.#needPvd(pvdId, "remove provisioning domain");
    this.#pvds.delete(pvdId);
    this.#resetConnections(
      (c) => c.pvdId === pvdId,
      `provisioning domain "${pvdId}" was removed`,
    );
    this.#emit([{ kind: "pvd-removed", pvdId }]);
  }

  /**
   * Adds or replaces (same type and identifier) a configuration element,
   * received now. It expires after `options.lifetime` seconds, by default
   * the longest lifetime of its data (see {@linkcode elementLifetime}).
   *
   * @example
   * ```ts
   * import { dhcpv4Element, SimulatedNetwork } from "./mod.ts";
   *
   * const net = new SimulatedNetwork();
   * const pvdId = net.addPvd({ interfaceId: net.addInterface({ displayName: "eth0" }), family: 4 });
   * net.setElement(pvdId, dhcpv4Element({ server: "192.0.2.1", leaseTime: 3600, dnsServers: ["192.0.2.53"] }));
   * if (net.state().elements[0]?.expiresAt !== 3_600_000) throw new Error("unexpected");
   * ```
   */
  setElement(
    pvdId: PvdId,
    element: ConfigurationElement,
    options: { readonly lifetime?: number } = {},
  ): void {
    const pvd = this.#needPvd(pvdId, "set configuration element");
    const lifetime = options.lifetime ?? elementLifetime(element);
    const info: ElementInfo = {
      pvdId,
      element,
      receivedAt: this.clock.now(),
      ...(lifetime === Infinity ? {} : { expiresAt: this.#expiry(lifetime) }),
    };
    pvd.elements.set(elementKey(element.elementType, element.elementId), info);
    this.#emit([{ kind: "element-set", element: info }]);
  }

  /**
   * Withdraws a configuration element.
   *
   * @example
   * ```ts
   * import { SimulatedNetwork, staticElement } from "./mod.ts";
   *
   * const net = new SimulatedNetwork();
   * const pvdId = net.addPvd({ interfaceId: net.addInterface({ displayName: "eth0" }), family: 4 });
   * net.setElement(pvdId, staticElement({ dnsServers: ["192.0.2.53"] }));
   * net.removeElement(pvdId, "static", "static");
   * if (net.state().elements.length !== 0) throw new Error("unexpected");
   * ```
   */
  removeElement(
    pvdId: PvdId,
    elementType: ConfigurationElementType,
    elementId: string,
  ): void {
    const pvd = this.#needPvd(pvdId, "remove configuration element");
    if (!pvd.elements.delete(elementKey(elementType, elementId))) {
      throw new Error(
        `Cannot remove configuration element: "${pvdId}" has no ${elementType} element "${elementId}"`,
      );
    }
    this.#emit([{ kind: "element-removed", pvdId, elementType, elementId }]);
  }

  /**
   * Adds or refreshes an address of a PvD and returns its canonical text.
   * An implicit PvD only takes addresses of its family.
   *
   * @example
   * ```ts
   * import { SimulatedNetwork } from "./simulated_network.ts";
   *
   * const net = new SimulatedNetwork();
   * const pvdId = net.addPvd({ interfaceId: net.addInterface({ displayName: "eth0" }), family: 6 });
   * const address = net.addAddress(pvdId, { address: "2001:DB8:0::1", validLifetime: 7200, preferredLifetime: 3600 });
   * if (address !== "2001:db8::1") throw new Error("unexpected");
   * if (net.state().addresses[0]?.preferredUntil !== 3_600_000) throw new Error("unexpected");
   * ```
   */
  addAddress(pvdId: PvdId, options: AddressOptions): string {
    const pvd = this.#needPvd(pvdId, "add address");
    const parsed = parseIpAddress(options.address);
    if (pvd.family !== undefined && parsed.family !== pvd.family) {
      throw new TypeError(
        `Cannot add address ${options.address}: "${pvdId}" is an IPv${pvd.family} provisioning domain`,
      );
    }
    const validLifetime = options.validLifetime ?? Infinity;
    const preferredLifetime = Math.min(
      options.preferredLifetime ?? validLifetime,
      validLifetime,
    );
    const info: AddressInfo = {
      pvdId,
      address: parsed.text,
      prefixLength: options.prefixLength ?? (parsed.family === 6 ? 64 : 24),
      validUntil: this.#expiry(validLifetime),
      preferredUntil: this.#expiry(preferredLifetime),
      ...(options.temporary === undefined ? {} : { temporary: options.temporary }),
    };
    pvd.addresses.set(parsed.text, info);
    this.#emit([{ kind: "address-set", address: info }]);
    return parsed.text;
  }

  /**
   * Removes an address from a PvD.
   *
   * @example
   * ```ts
   * import { SimulatedNetwork } from "./simulated_network.ts";
   *
   * const net = new SimulatedNetwork();
   * const pvdId = net.addPvd({ interfaceId: net.addInterface({ displayName: "eth0" }), family: 4 });
   * net.addAddress(pvdId, { address: "192.0.2.10" });
   * net.removeAddress(pvdId, "192.0.2.10");
   * if (net.state().addresses.length !== 0) throw new Error("unexpected");
   * ```
   */
  removeAddress(pvdId: PvdId, address: string): void {
    const pvd = this.#needPvd(pvdId, "remove address");
    const text = parseIpAddress(address).text;
    if (!pvd.addresses.delete(text)) {
      throw new Error(
        `Cannot remove address ${address}: "${pvdId}" does not have it`,
      );
    }
    this.#emit([{ kind: "address-removed", pvdId, address: text }]);
  }

  // -------------------------------------------------------------------------
  // Servers and paths
  // -------------------------------------------------------------------------

  /**
   * Adds a DNS server listening on port 53 of `options.address` and returns
   * it, to change its records or behaviour later. It answers whoever
   * reaches it; which PvD uses it is up to the PvD's elements.
   *
   * @example
   * ```ts
   * import { SimulatedNetwork } from "./simulated_network.ts";
   *
   * const net = new SimulatedNetwork();
   * const server = net.addDnsServer({ address: "192.0.2.53" });
   * server.setRecords("host.example.com", { A: ["203.0.113.80"] });
   * ```
   */
  addDnsServer(options: DnsServerOptions): SimulatedDnsServer {
    const server = new SimulatedDnsServer(options);
    if (this.#dnsServers.has(server.address)) {
      throw new Error(
        `Cannot add DNS server: ${server.address} already has one`,
      );
    }
    this.#dnsServers.set(server.address, server);
    return server;
  }

  /**
   * The DNS server at `address`, if any.
   *
   * @example
   * ```ts
   * import { SimulatedNetwork } from "./simulated_network.ts";
   *
   * const net = new SimulatedNetwork();
   * net.addDnsServer({ address: "2001:db8:a::53" });
   * if (net.dnsServer("2001:DB8:A:0::53") === undefined) throw new Error("unexpected");
   * ```
   */
  dnsServer(address: string): SimulatedDnsServer | undefined {
    return this.#dnsServers.get(parseIpAddress(address).text);
  }

  /**
   * Adds (or replaces) a TCP listener. A destination without one refuses
   * connections after one round trip.
   *
   * @example
   * ```ts
   * import { SimulatedNetwork } from "./simulated_network.ts";
   *
   * const net = new SimulatedNetwork();
   * net.addServer({
   *   address: "203.0.113.80",
   *   port: 80,
   *   handler: (c) => {
   *     const writer = c.writable.getWriter();
   *     writer.write(new TextEncoder().encode("hello")).then(() => writer.close()).catch(() => {});
   *   },
   * });
   * ```
   */
  addServer(options: ServerOptions): void {
    checkPort(options.port);
    this.#servers.set(
      serverKey(parseIpAddress(options.address).text, options.port),
      options.handler ?? echoHandler,
    );
  }

  /**
   * Removes a TCP listener; established connections stay up.
   *
   * @example
   * ```ts
   * import { SimulatedNetwork } from "./simulated_network.ts";
   *
   * const net = new SimulatedNetwork();
   * net.addServer({ address: "203.0.113.80", port: 80 });
   * net.removeServer("203.0.113.80", 80);
   * ```
   */
  removeServer(address: string, port: number): void {
    this.#servers.delete(serverKey(parseIpAddress(address).text, port));
  }

  /**
   * Sets how packets from a PvD (or from every PvD) to a prefix fare,
   * replacing a path with the same PvD and prefix. The path used is the
   * longest matching prefix, the PvD's own path winning over a path for
   * every PvD with the same prefix, else the network's default path.
   * Applies to DNS and TCP alike.
   *
   * @example
   * ```ts
   * import { SimulatedNetwork } from "./simulated_network.ts";
   *
   * const net = new SimulatedNetwork();
   * net.setPath({ pvdId: "implicit:eth0:ipv6", to: "2001:db8:c::/48", latencyMs: 20 });
   * net.setPath({ to: "2001:db8:dead::/48", reachable: false });
   * net.setPath({ to: "198.51.100.7", refuse: true });
   * ```
   */
  setPath(options: PathOptions): void {
    const prefix = parsePrefix(options.to);
    const pvdId = options.pvdId;
    this.#paths = this.#paths.filter((p) => !(p.pvdId === pvdId && p.prefix.text === prefix.text));
    this.#paths.push({
      pvdId,
      prefix,
      behaviour: resolvePath(options, this.#defaultPath),
    });
  }

  // -------------------------------------------------------------------------
  // Observation, for tests
  // -------------------------------------------------------------------------

  /**
   * Every application hint received, in order.
   *
   * @example
   * ```ts
   * import { SimulatedNetwork } from "./simulated_network.ts";
   *
   * const net = new SimulatedNetwork();
   * net.hint({ type: "connection-is-idle", connectionId: "c1" });
   * if (net.hints[0]?.type !== "connection-is-idle") throw new Error("unexpected");
   * ```
   */
  get hints(): readonly ApplicationHint[] {
    return this.#hints;
  }

  /**
   * Every DNS query datagram sent (lost ones included), in order.
   *
   * @example
   * ```ts
   * import { SimulatedNetwork } from "./simulated_network.ts";
   *
   * if (new SimulatedNetwork().dnsQueries.length !== 0) throw new Error("unexpected");
   * ```
   */
  get dnsQueries(): readonly DnsQueryRecord[] {
    return this.#dnsLog;
  }

  /**
   * Every datagram the resolver ignored as not being the response to its
   * query (forged identifier or question), with the server it came from.
   *
   * @example
   * ```ts
   * import { SimulatedNetwork } from "./simulated_network.ts";
   *
   * if (new SimulatedNetwork().ignoredDnsResponses.length !== 0) throw new Error("unexpected");
   * ```
   */
  get ignoredDnsResponses(): readonly {
    readonly server: string;
    readonly reason: string;
  }[] {
    return this.#dnsMismatches;
  }

  /**
   * Every SYN sent (retransmissions and lost ones included), in order.
   *
   * @example
   * ```ts
   * import { SimulatedNetwork } from "./simulated_network.ts";
   *
   * if (new SimulatedNetwork().syns.length !== 0) throw new Error("unexpected");
   * ```
   */
  get syns(): readonly SynRecord[] {
    return this.#synLog;
  }

  /**
   * How many DNS queries were sent, optionally only through one PvD or to
   * one server.
   *
   * @example
   * ```ts
   * import { SimulatedNetwork } from "./simulated_network.ts";
   *
   * if (new SimulatedNetwork().dnsQueryCount({ address: "192.0.2.53" }) !== 0) throw new Error("unexpected");
   * ```
   */
  dnsQueryCount(filter: CountFilter = {}): number {
    const address = filter.address === undefined ? undefined : parseIpAddress(filter.address).text;
    return this.#dnsLog.filter((q) =>
      (filter.pvdId === undefined || q.pvdId === filter.pvdId) &&
      (address === undefined || q.server === address)
    ).length;
  }

  /**
   * How many SYNs were sent, optionally only through one PvD or to one
   * destination address.
   *
   * @example
   * ```ts
   * import { SimulatedNetwork } from "./simulated_network.ts";
   *
   * if (new SimulatedNetwork().synCount({ pvdId: "implicit:eth0:ipv6" }) !== 0) throw new Error("unexpected");
   * ```
   */
  synCount(filter: CountFilter = {}): number {
    const address = filter.address === undefined ? undefined : parseIpAddress(filter.address).text;
    return this.#synLog.filter((s) =>
      (filter.pvdId === undefined || s.pvdId === filter.pvdId) &&
      (address === undefined || s.address === address)
    ).length;
  }

  /**
   * How many connections are established and not yet closed or reset.
   *
   * @example
   * ```ts
   * import { SimulatedNetwork } from "./simulated_network.ts";
   *
   * if (new SimulatedNetwork().openConnections !== 0) throw new Error("unexpected");
   * ```
   */
  get openConnections(): number {
    return this.#connections.size;
  }

  // -------------------------------------------------------------------------
  // Internals
  // -------------------------------------------------------------------------

  #emit(changes: readonly NetworkChange[]): void {
    this.#sink?.apply(changes);
  }

  #expiry(lifetimeSeconds: number): number {
    if (!(lifetimeSeconds >= 0)) {
      throw new RangeError(
        `Cannot use lifetime ${lifetimeSeconds}: it must be >= 0 seconds`,
      );
    }
    return lifetimeSeconds === Infinity ? Infinity : this.clock.now() + lifetimeSeconds * 1000;
  }

  #needInterface(interfaceId: InterfaceId, action: string): InterfaceRecord {
    const record = this.#interfaces.get(interfaceId);
    if (record === undefined) {
      throw new Error(`Cannot ${action}: no interface ${interfaceId}`);
    }
    return record;
  }

  #needPvd(pvdId: PvdId, action: string): PvdRecord {
    const pvd = this.#pvds.get(pvdId);
    if (pvd === undefined) {
      throw new Error(`Cannot ${action}: no provisioning domain "${pvdId}"`);
    }
    return pvd;
  }

  #cancelPending(record: InterfaceRecord): void {
    for (
      const handle of [
        record.pendingUp,
        record.pendingDown,
        record.pendingRemoval,
      ]
    ) {
      if (handle !== undefined) this.clock.clearTimer(handle);
    }
    delete record.pendingUp;
    delete record.pendingDown;
  }

  #setUp(record: InterfaceRecord, up: boolean): void {
    record.info = { ...record.info, up };
    if (!up) {
      this.#resetConnections(
        (c) => c.interfaceId === record.info.interfaceId,
        `interface ${record.info.displayName} went down`,
      );
    }
    this.#emit([{ kind: "interface-set", interface: record.info }]);
  }

  #resetConnections(match: (c: SimConnection) => boolean, why: string): void {
    for (const connection of [...this.#connections]) {
      if (match(connection)) {
        connection.reset(
          new MifError("connection-failed", `Connection reset: ${why}`),
        );
      }
    }
  }

  /** The live PvD and up interface a packet from `pvdId` leaves through, or why there is none. */
  #egress(pvdId: PvdId): { pvd: PvdRecord } | { problem: string } {
    const now = this.clock.now();
    const pvd = this.#pvds.get(pvdId);
    if (pvd === undefined || !alive(pvd.info.expiresAt, now)) {
      return { problem: "unreachable (no such provisioning domain)" };
    }
    const iface = this.#interfaces.get(pvd.info.interfaceId);
    if (iface === undefined || !iface.info.up) {
      return {
        problem: `unreachable (interface ${iface?.info.displayName ?? pvd.info.interfaceId} is down)`,
      };
    }
    return { pvd };
  }

  /** Why the attempt cannot leave from its source address, or undefined when it can. */
  #sourceProblem(attempt: ConnectAttempt): string | undefined {
    const egress = this.#egress(attempt.pvdId);
    if ("problem" in egress) return egress.problem;
    if (egress.pvd.info.interfaceId !== attempt.interfaceId) {
      return "unreachable (the PvD is on another interface)";
    }
    let source, dest;
    try {
      source = parseIpAddress(attempt.sourceAddress);
      dest = parseIpAddress(attempt.address);
    } catch (error) {
      return `unreachable (${(error as Error).message})`;
    }
    const info = egress.pvd.addresses.get(source.text);
    if (info === undefined || info.validUntil <= this.clock.now()) {
      return "source address not on this PvD";
    }
    if (source.family !== dest.family) {
      return "unreachable (source and destination address families differ)";
    }
    return undefined;
  }

  #pathTo(pvdId: PvdId, address: Uint8Array): ResolvedPath {
    let best: PathRecord | undefined;
    for (const path of this.#paths) {
      if (path.pvdId !== undefined && path.pvdId !== pvdId) continue;
      if (!prefixContains(path.prefix, address)) continue;
      if (best === undefined) {
        best = path;
        continue;
      }
      // Longest prefix first, as in routing; on equal prefixes a PvD's own
      // path beats a path for every PvD.
      if (
        path.prefix.length > best.prefix.length ||
        (path.prefix.length === best.prefix.length &&
          path.pvdId !== undefined && best.pvdId === undefined)
      ) {
        best = path;
      }
    }
    return best?.behaviour ?? this.#defaultPath;
  }

  #establish(
    attempt: ConnectAttempt,
    address: string,
    path: ResolvedPath,
    handler: ServerHandler,
  ): ConnectionToken {
    const localPort = this.#nextPort;
    this.#nextPort = this.#nextPort >= 65535 ? FIRST_EPHEMERAL_PORT : this.#nextPort + 1;
    const connection = new SimConnection({
      clock: this.clock,
      latencyMs: path.latencyMs,
      pvdId: attempt.pvdId,
      interfaceId: attempt.interfaceId,
      localAddress: parseIpAddress(attempt.sourceAddress).text,
      localPort,
      remoteAddress: address,
      remotePort: attempt.port,
      onClosed: (c) => this.#connections.delete(c),
    });
    this.#connections.add(connection);
    try {
      handler(connection.server);
    } catch (error) {
      // A handler that throws crashed the server process: the peer sees a reset.
      connection.reset(
        new MifError(
          "connection-failed",
          "Connection reset: the server failed",
          { cause: error },
        ),
      );
    }
    return connection.token;
  }

  /** DNS datagrams from one PvD: through its path to each server, with latency and loss. */
  #dnsTransport(pvdId: PvdId): DnsTransport {
    return {
      send: (server, query, handlers): DnsExchange => {
        const decoded = decodeQuery(query);
        const timers = new Set<TimerHandle>();
        let closed = false;
        const exchange: DnsExchange = {
          close: () => {
            closed = true;
            for (const handle of timers) this.clock.clearTimer(handle);
            timers.clear();
          },
        };
        const later = (delay: number, action: () => void) => {
          const handle = this.clock.setTimer(delay, () => {
            timers.delete(handle);
            if (!closed) action();
          });
          timers.add(handle);
        };

        const serverAddress = parseIpAddress(server);
        this.#dnsLog.push({
          at: this.clock.now(),
          pvdId,
          server: serverAddress.text,
          name: decoded?.name ?? "?",
          type: decoded?.type ?? "?",
          id: decoded?.id ?? -1,
        });
        const egress = this.#egress(pvdId);
        if ("problem" in egress) {
          handlers.onUnreachable(egress.problem);
          return exchange;
        }
        const now = this.clock.now();
        const hasSource = [...egress.pvd.addresses.values()].some((a) =>
          a.validUntil > now &&
          parseIpAddress(a.address).family === serverAddress.family
        );
        if (!hasSource) {
          handlers.onUnreachable(
            `no IPv${serverAddress.family} source address in "${pvdId}"`,
          );
          return exchange;
        }
        const path = this.#pathTo(pvdId, serverAddress.bytes);
        if (!path.reachable || this.random.chance(path.lossRate)) {
          return exchange; // query lost
        }
        if (path.icmpUnreachable) {
          later(
            2 * path.latencyMs,
            () => handlers.onUnreachable("ICMP destination unreachable"),
          );
          return exchange;
        }
        later(path.latencyMs, () => {
          const dnsServer = this.#dnsServers.get(serverAddress.text);
          if (dnsServer === undefined) {
            // Nothing listens on port 53 there: the host says so.
            later(
              path.latencyMs,
              () => handlers.onUnreachable("ICMP port unreachable"),
            );
            return;
          }
          for (const response of dnsServer.receive(query)) {
            if (this.random.chance(path.lossRate)) continue; // response lost
            const bytes = response.slice();
            later(path.latencyMs, () => handlers.onDatagram(bytes));
          }
        });
        return exchange;
      },
    };
  }
}

function resolvePath(options: PathBehaviour, base: ResolvedPath): ResolvedPath {
  const lossRate = options.lossRate ?? base.lossRate;
  const latencyMs = options.latencyMs ?? base.latencyMs;
  if (!(lossRate >= 0 && lossRate <= 1)) {
    throw new RangeError(
      `Cannot set path: loss rate ${lossRate} is not from 0 to 1`,
    );
  }
  if (!(latencyMs >= 0)) {
    throw new RangeError(
      `Cannot set path: latency ${latencyMs} ms is negative`,
    );
  }
  return {
    reachable: options.reachable ?? true,
    latencyMs,
    lossRate,
    refuse: options.refuse ?? false,
    icmpUnreachable: options.icmpUnreachable ?? false,
  };
}

function alive(expiresAt: number | undefined, now: number): boolean {
  return expiresAt === undefined || expiresAt > now;
}

function elementKey(type: ConfigurationElementType, id: string): string {
  return `${type} ${id}`;
}

function serverKey(address: string, port: number): string {
  return `${address} ${port}`;
}

function bracket(address: string): string {
  return address.includes(":") ? `[${address}]` : address;
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(
      `Cannot add server: port ${port} is not an integer from 1 to 65535`,
    );
  }
}
