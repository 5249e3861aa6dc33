/**
 * {@linkcode HostNetwork}: the {@linkcode NetworkLink} of the real host. It
 * reads {@linkcode HostFacts} from the first source that works, turns them
 * into the project's PvD model (`networkStateFromFacts`) and hands each
 * read to the configuration database as a snapshot, which announces only
 * what changed. It resolves names per PvD with the project's stub resolver
 * over UDP sockets bound to the PvD's own addresses (`node:dgram`; TCP from
 * the same address for truncated answers, `node:net`), and
 * connects with TCP sockets bound to the chosen source (`node:net`): both
 * modules exist in Deno and Node. Under Deno, `procSource` needs
 * `--allow-all` (Deno guards `/proc` and `/sys`); with only `--allow-read`
 * and `--allow-sys` the default sources fall back to `networkInterfaces()`.
 * Resolving and connecting need `--allow-net`.
 *
 * @module
 */

import { connect as netConnect, Socket } from "node:net";
import { createSocket } from "node:dgram";
import { parseIpAddress } from "../../core-as/ip_address.ts";
import { systemClock } from "../../api/clock.ts";
import { MifError } from "../../api/errors.ts";
import type { InterfaceId, PvdId } from "../../api/messages.ts";
import type {
  Clock,
  ConnectAttempt,
  ConnectionToken,
  NetworkChange,
  NetworkLink,
  NetworkLinkSink,
  NetworkState,
  ResolvedFamily,
  ResolveQuery,
  TimerHandle,
} from "../../api/network_link.ts";
import { type DnsMismatchKind, DnsTcpReader, frameDnsTcpMessage } from "../dns/dns_message.ts";
import { type DnsTransport, resolveAddresses } from "../dns/stub_resolver.ts";
import { type HostModelOptions, networkStateFromFacts, stabilizeTimes } from "./host_model.ts";
import { type EgressMismatch, type EgressMode, routeFromFacts, sourcePrefix } from "./egress.ts";
import type { HostDns, HostFacts, KernelFactsSource, KernelLink, KernelRouteLookup } from "./kernel_facts.ts";
import type { RouterAdvertisementListener } from "./ra_listener.ts";
import { hostDnsFromFiles, networkInterfacesSource, procSource } from "./sources.ts";

/**
 * Options for {@linkcode HostNetwork}.
 *
 * @example Poll a copied tree every five seconds and log errors
 * ```ts
 * import { HostNetwork, type HostNetworkOptions, procSource } from "./mod.ts";
 *
 * const options: HostNetworkOptions = {
 *   sources: [procSource({ root: "tests/fixtures/host/this-machine", networkInterfaces: () => ({}) })],
 *   pollInterval: 5_000,
 *   onError: (error) => console.error(error.message),
 * };
 * const network = new HostNetwork(options);
 * await network.refresh();
 * if (network.source !== "proc") throw new Error("unexpected");
 * ```
 */
export interface HostNetworkOptions {
  /**
   * Sources in preference order; the first whose `read()` succeeds is used
   * from then on. `[procSource(), networkInterfacesSource()]` when absent.
   */
  readonly sources?: readonly KernelFactsSource[];
  /** The clock for lifetimes, polling and DNS timeouts; the system clock when absent. */
  readonly clock?: Clock;
  /** Milliseconds between reads of a source without `watch`; 1000 when absent. */
  readonly pollInterval?: number;
  /** How facts become PvDs (`includeLoopback`). */
  readonly model?: HostModelOptions;
  /** Receives every error met while reading in the background; never thrown. */
  readonly onError?: (error: Error) => void;
  /** The UDP port DNS servers are queried on; 53 when absent (tests use a loopback server elsewhere). */
  readonly dnsPort?: number;
  /** How long to wait for one DNS server's answer, in ms; 2000 when absent. */
  readonly dnsTimeout?: number;
  /** Rounds over a PvD's DNS servers; 2 when absent. */
  readonly dnsAttempts?: number;
  /**
   * Hears Router Advertisements in full (PvD options included) on a raw
   * ICMPv6 socket; the network starts and stops it. Without one, no explicit
   * PvD is seen and RA options reach the model only as far as a source
   * reports them.
   */
  readonly routerAdvertisements?: RouterAdvertisementListener;
  /**
   * DNS configuration for a source that reads none itself (rtnetlink): by
   * default resolv.conf and systemd-resolved's per-link files
   * ({@linkcode hostDnsFromFiles}), merged with the RDNSS/DNSSL the source
   * heard. Read at each read of the source.
   */
  readonly dns?: (links: readonly KernelLink[]) => Promise<HostDns>;
  /**
   * What {@linkcode HostNetwork.connect} does when the route from the
   * attempt's source to its destination leaves through another link than
   * the PvD's (a host without source-specific routing): `refuse` fails the
   * attempt saying so, `warn` connects and reports it (`onError` and
   * {@linkcode HostNetwork.egressMismatches}), `off` does not look.
   * `refuse` when absent.
   */
  readonly egress?: EgressMode;
}

const DEFAULT_POLL_INTERVAL = 1_000;
export type { EgressMismatch, EgressMode } from "./egress.ts";
// The kinds of ignored DNS messages, named by this module's DnsCounters and DnsMismatch.
export type { DnsMismatchKind } from "../dns/dns_message.ts";

/** How many ignored DNS messages {@linkcode HostNetwork.dnsMismatches} keeps, and egress mismatches {@linkcode HostNetwork.egressMismatches}. */
const MISMATCHES_KEPT = 256;

/**
 * DNS traffic of one PvD (or of all) as {@linkcode HostNetwork} counted it.
 *
 * @example Read the counters after a lookup
 * ```ts
 * import { type DnsCounters, HostNetwork } from "./mod.ts";
 *
 * const network = new HostNetwork({ sources: [] });
 * const counters: DnsCounters = network.dnsCounters("implicit:eth0:ipv6");
 * if (counters.udpQueries !== 0 || counters.ignored.identifier !== 0) throw new Error("unexpected");
 * ```
 */
export interface DnsCounters {
  /** Queries sent over UDP. */
  readonly udpQueries: number;
  /** Queries sent again over TCP after a truncated UDP answer. */
  readonly tcpQueries: number;
  /** Messages ignored as not being the response, by why (RFC 5452 section 9.1). */
  readonly ignored: Readonly<Record<DnsMismatchKind, number>>;
}

/**
 * One DNS message that {@linkcode HostNetwork} ignored as not being the
 * response to its query: a forgery, a late or stray answer.
 *
 * @example
 * ```ts
 * import type { DnsMismatch } from "./mod.ts";
 *
 * const mismatch: DnsMismatch = {
 *   at: 0,
 *   pvdId: "implicit:eth0:ipv6",
 *   server: "2001:db8:a::53",
 *   kind: "identifier",
 *   reason: "identifier 4660 is not 22136",
 * };
 * if (mismatch.kind !== "identifier") throw new Error("unexpected");
 * ```
 */
export interface DnsMismatch {
  /** When it came, on the adapter's clock. */
  readonly at: number;
  /** The PvD whose query it claimed to answer. */
  readonly pvdId: PvdId;
  /** The server that was asked. */
  readonly server: string;
  /** Which check failed. */
  readonly kind: DnsMismatchKind;
  /** The same in words, with the values seen. */
  readonly reason: string;
}

interface MutableDnsCounters {
  udpQueries: number;
  tcpQueries: number;
  ignored: Record<DnsMismatchKind, number>;
}

function noDnsCounters(): MutableDnsCounters {
  return {
    udpQueries: 0,
    tcpQueries: 0,
    ignored: { source: 0, undecodable: 0, "not-response": 0, identifier: 0, opcode: 0, question: 0 },
  };
}

/**
 * The real host as a {@linkcode NetworkLink}.
 *
 * - **State.** `start(sink)` reads the facts and delivers a snapshot, then
 *   reads again on each `watch` notification of the source, or every
 *   `pollInterval` ms when it has none, and delivers each read as a new
 *   snapshot (clock times of unchanged items are kept, so an unchanged host
 *   announces nothing). Reads never overlap; notifications during a read
 *   make one more. The first read is asynchronous: `await refresh()` to
 *   know the database holds the host's state.
 * - **Sources.** The first of `sources` whose `read()` succeeds is kept:
 *   {@linkcode HostNetwork.source} names it and
 *   {@linkcode HostNetwork.limitations} says what it cannot see. Failures
 *   of the sources before it go to `onError` once.
 * - **Errors** while reading in the background go to `onError` (a
 *   `MifError` `unsupported` when no source works, or the source's error)
 *   and the last state stays; the next poll tries again. Nothing throws.
 * - **Resolve** runs the stub resolver (`adapters/dns`) with the PvD's DNS
 *   servers over UDP, each query from a socket bound to a PvD address of
 *   the server's family (a random port, chosen by the kernel), so the
 *   answer comes through that PvD; a truncated answer is asked again over
 *   TCP from the same address (RFC 7766). Only a datagram from the server's
 *   address and port is read; the others are ignored and counted, as are
 *   answers with another identifier or question
 *   ({@linkcode HostNetwork.dnsCounters}, {@linkcode HostNetwork.dnsMismatches}).
 * - **Connect** opens a TCP connection bound to the attempt's source
 *   address; link-local addresses get the PvD's link as their zone. First
 *   it checks the egress: the route from that source to the destination,
 *   asked of the kernel (`routeGet` of the source: rtnetlink
 *   `RTM_GETROUTE`, policy rules included) or guessed from the main table
 *   the source read, must leave through the PvD's link; what happens when
 *   it does not is the `egress` option.
 *
 * @example The live host through the MIF API
 * ```ts
 * import { HostNetwork } from "./mod.ts";
 * import { MifApi } from "../../mod.ts";
 *
 * const network = new HostNetwork({ onError: (error) => console.error(error.message) });
 * const api = new MifApi(network);
 * await network.refresh();
 * const app = api.subscribe();
 * app.postMessage({ type: "announce-interfaces" });
 * const names: string[] = [];
 * for (let m = app.getMessage(); m !== undefined; m = app.getMessage()) {
 *   if (m.type === "interface-announcement") names.push(m.displayName);
 * }
 * // "proc" on Linux under Node or `deno -A`; "network-interfaces" otherwise.
 * console.log(network.source, names); // proc [ "eth0", ... ]
 * api.close();
 * ```
 */
export class HostNetwork implements NetworkLink {
  /** The clock lifetimes are measured against. */
  readonly clock: Clock;
  readonly #sources: readonly KernelFactsSource[];
  readonly #pollInterval: number;
  readonly #model: HostModelOptions;
  readonly #onError: (error: Error) => void;
  readonly #dnsPort: number;
  readonly #dnsTimeout: number | undefined;
  readonly #dnsAttempts: number | undefined;
  readonly #listener: RouterAdvertisementListener | undefined;
  readonly #dns: (links: readonly KernelLink[]) => Promise<HostDns>;
  readonly #egress: EgressMode;
  #egressMismatches: EgressMismatch[] = [];
  #chosen: KernelFactsSource | undefined;
  #sink: NetworkLinkSink | undefined;
  /** Bumped by start and stop: a read begun under another generation delivers nothing. */
  #generation = 0;
  #timer: TimerHandle | undefined;
  #unwatch: (() => void) | undefined;
  /** Reads run one after another through this chain. */
  #queue: Promise<unknown> = Promise.resolve();
  /** The generation whose background read is queued and not yet begun, if any. */
  #queuedFor: number | undefined;
  #facts: HostFacts | undefined;
  #delivered: NetworkState | undefined;
  readonly #dnsCounters = new Map<PvdId, MutableDnsCounters>();
  #dnsMismatches: DnsMismatch[] = [];

  /**
   * Makes the adapter; nothing is read until {@linkcode HostNetwork.start}
   * or {@linkcode HostNetwork.refresh}.
   *
   * @param options Sources, clock, poll interval, model options, error callback, DNS settings.
   */
  constructor(options: HostNetworkOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.#sources = options.sources ?? [procSource(), networkInterfacesSource()];
    this.#pollInterval = options.pollInterval ?? DEFAULT_POLL_INTERVAL;
    this.#model = options.model ?? {};
    this.#onError = options.onError ?? (() => {});
    this.#dnsPort = options.dnsPort ?? 53;
    this.#dnsTimeout = options.dnsTimeout;
    this.#dnsAttempts = options.dnsAttempts;
    this.#listener = options.routerAdvertisements;
    this.#dns = options.dns ?? ((links) => hostDnsFromFiles(links));
    this.#egress = options.egress ?? "refuse";
  }

  /** The source in use, once one has worked. */
  get source(): KernelFactsSource["name"] | undefined {
    return this.#chosen?.name;
  }

  /** What the source in use cannot see; empty before one has worked. */
  get limitations(): readonly string[] {
    if (this.#chosen === undefined) return [];
    const own = [...this.#chosen.limitations];
    if (this.#listener === undefined) {
      own.push("no Router Advertisement listener (raw ICMPv6): explicit PvDs (RFC 8801) are not seen");
    }
    if (this.#egress === "off") {
      own.push(
        "Egress not checked (egress: \"off\"): a connection bound to one PvD's address may leave through another PvD's link",
      );
    } else if (this.#chosen.routeGet === undefined) {
      own.push(
        "Egress guessed, not asked of the kernel: the route of each connection is taken by longest-prefix match over " +
          "the main table this source reads, so policy rules (ip rule) and source-specific routes are not seen and a " +
          'host routed by source may have connections refused that would leave the right way (egress: "warn" there)',
      );
    }
    return own;
  }

  /**
   * The latest connection attempts whose route left through another link
   * than their PvD's (at most 256), oldest first: refused ones, and under
   * `egress: "warn"` the ones that went ahead.
   */
  get egressMismatches(): readonly EgressMismatch[] {
    return [...this.#egressMismatches];
  }

  /** The facts of the last successful read. */
  get facts(): HostFacts | undefined {
    return this.#facts;
  }

  /**
   * What {@linkcode HostNetwork.resolve} sent and ignored for one PvD, or for
   * every PvD together when `pvdId` is absent; zeros for a PvD never resolved
   * in. Counters only grow.
   *
   * @param pvdId The PvD; all of them when absent.
   * @returns A copy of the counters.
   */
  dnsCounters(pvdId?: PvdId): DnsCounters {
    const total = noDnsCounters();
    const counted = pvdId === undefined
      ? [...this.#dnsCounters.values()]
      : [this.#dnsCounters.get(pvdId) ?? noDnsCounters()];
    for (const c of counted) {
      total.udpQueries += c.udpQueries;
      total.tcpQueries += c.tcpQueries;
      for (const kind of Object.keys(total.ignored) as DnsMismatchKind[]) total.ignored[kind] += c.ignored[kind];
    }
    return total;
  }

  /** The latest DNS messages ignored as not being the response (at most 256), oldest first. */
  get dnsMismatches(): readonly DnsMismatch[] {
    return [...this.#dnsMismatches];
  }

  #countDns(pvdId: PvdId): MutableDnsCounters {
    let counters = this.#dnsCounters.get(pvdId);
    if (counters === undefined) this.#dnsCounters.set(pvdId, counters = noDnsCounters());
    return counters;
  }

  /**
   * Starts delivering to `sink`: a first read at once, then one per watch
   * notification or poll. Starting again replaces the sink.
   */
  start(sink: NetworkLinkSink): void {
    this.#halt();
    this.#sink = sink;
    this.#delivered = undefined;
    this.#listener?.start(() => this.#cycle());
    this.#cycle();
  }

  /**
   * Stops delivering: clears the poll timer, stops watching and closes the
   * Router Advertisement listener (it cannot be started again); a read in
   * flight delivers nothing.
   */
  stop(): void {
    this.#halt();
    this.#listener?.stop();
    for (const source of this.#sources) source.close?.();
  }

  #halt(): void {
    this.#generation++;
    this.#sink = undefined;
    if (this.#timer !== undefined) this.clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#unwatch?.();
    this.#unwatch = undefined;
  }

  /**
   * Reads the host now (after any read in flight) and, when started,
   * delivers the result as a snapshot.
   *
   * @returns The state read.
   * @throws {MifError} `unsupported` when no source works; a source's own error when the chosen one fails.
   */
  refresh(): Promise<NetworkState> {
    const generation = this.#generation;
    return this.#enqueue(() => this.#readOnce(generation));
  }

  /**
   * Resolves `query.name` through the PvD's DNS servers over UDP, each query
   * sent from a socket bound to a PvD source address of the server's family
   * (a link-local one for a link-local server), and over TCP from the same
   * address when an answer is truncated, on the adapter's clock. Messages
   * that are not the response are ignored and counted
   * ({@linkcode HostNetwork.dnsCounters}). See `resolveAddresses` for the
   * retry rules and errors.
   */
  resolve(query: ResolveQuery, signal: AbortSignal): AsyncIterable<ResolvedFamily> {
    return resolveAddresses(query, signal, {
      transport: this.#dnsTransport(query),
      clock: this.clock,
      onMismatch: (server, reason, kind) => {
        this.#countDns(query.pvdId).ignored[kind]++;
        this.#dnsMismatches.push({ at: this.clock.now(), pvdId: query.pvdId, server, kind, reason });
        if (this.#dnsMismatches.length > MISMATCHES_KEPT) this.#dnsMismatches.shift();
      },
      ...(this.#dnsTimeout === undefined ? {} : { timeoutMs: this.#dnsTimeout }),
      ...(this.#dnsAttempts === undefined ? {} : { attempts: this.#dnsAttempts }),
    });
  }

  /**
   * Makes one TCP connection from `attempt.sourceAddress`, once the route
   * from it to `attempt.address` is known to leave through the PvD's link
   * (see the `egress` option). Rejects with a `MifError`
   * `connection-failed` whose message ends with the reason (`refused`,
   * `timed out`, `unreachable`, `source address not available`, `would
   * leave through wlan0, not eth0: ...`, or the system's message), or
   * `aborted` when `signal` fires.
   */
  connect(attempt: ConnectAttempt, signal: AbortSignal): Promise<ConnectionToken> {
    const destination = `${bracket(attempt.address)}:${attempt.port}`;
    const where =
      `Cannot connect to ${destination} from ${attempt.sourceAddress} in provisioning domain "${attempt.pvdId}"`;
    try {
      if (signal.aborted) throw new MifError("aborted", `${where}: stopped`, { cause: signal.reason });
      let destinationBytes: Uint8Array;
      try {
        destinationBytes = addressBytes(attempt.address);
      } catch (error) {
        throw new MifError("invalid-address", `${where}: ${(error as Error).message}`, { cause: error });
      }
      const family = destinationBytes.length === 16 ? 6 : 4;
      // A route the source already knows is judged at once, so that the
      // socket opens in this turn of the event loop.
      const refusal = this.#checkEgress(attempt, destinationBytes);
      if (refusal instanceof Promise) {
        return refusal.then((known) => this.#openChecked(attempt, signal, where, family, known));
      }
      return this.#openChecked(attempt, signal, where, family, refusal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Opens the socket once the egress check has passed; throws why not otherwise. */
  #openChecked(
    attempt: ConnectAttempt,
    signal: AbortSignal,
    where: string,
    family: 4 | 6,
    refusal: string | undefined,
  ): Promise<ConnectionToken> {
    if (signal.aborted) throw new MifError("aborted", `${where}: stopped`, { cause: signal.reason });
    if (refusal !== undefined) throw new MifError("connection-failed", `${where}: ${refusal}`);
    if (bindDenied(attempt.sourceAddress)) {
      throw new MifError(
        "connection-failed",
        `${where}: Deno has no net permission for the source address (--allow-net)`,
      );
    }
    return this.#open(attempt, signal, where, family);
  }

  /**
   * Why an attempt must not go ahead (`egress: "refuse"`), or undefined;
   * at once when the route is known without asking the kernel. Every
   * mismatch is kept in {@linkcode HostNetwork.egressMismatches}; under
   * `warn` it goes to `onError` too.
   */
  #checkEgress(attempt: ConnectAttempt, destination: Uint8Array): string | undefined | Promise<string | undefined> {
    if (this.#egress === "off") return undefined;
    let bytes: [Uint8Array, Uint8Array];
    try {
      bytes = [addressBytes(attempt.sourceAddress), destination];
    } catch {
      return undefined; // The socket says what is wrong.
    }
    // A link-local destination names its link: the socket is bound to the PvD's.
    if (isLinkLocal(bytes[1])) return undefined;
    const source = this.#chosen;
    if (source?.routeGet === undefined) return this.#judgeEgress(attempt, bytes[0], undefined);
    const unknown = (error: unknown) => {
      this.#report(
        new MifError(
          "unsupported",
          `Cannot ask the kernel for the route to ${attempt.address} from ${attempt.sourceAddress}, ` +
            `guessing from the main table: ${message(error)}`,
          { cause: error },
        ),
      );
      return this.#judgeEgress(attempt, bytes[0], undefined);
    };
    let asked: KernelRouteLookup | Promise<KernelRouteLookup>;
    try {
      asked = source.routeGet(attempt.address, attempt.sourceAddress);
    } catch (error) {
      return unknown(error);
    }
    if (asked instanceof Promise) return asked.then((route) => this.#judgeEgress(attempt, bytes[0], route), unknown);
    return this.#judgeEgress(attempt, bytes[0], asked);
  }

  /** The egress check given the kernel's route (undefined: guessed from the main table). */
  #judgeEgress(attempt: ConnectAttempt, sourceBytes: Uint8Array, kernelRoute: KernelRouteLookup | undefined) {
    const facts = this.#facts;
    let route = kernelRoute;
    let guessed = false;
    if (route === undefined && facts !== undefined) {
      route = routeFromFacts(facts, attempt.address, attempt.interfaceId);
      guessed = true;
    }
    if (route === undefined || route.type === "local") return undefined;
    const table = guessed ? "the main routing table" : "the kernel";
    if (route.ifindex === undefined || route.type === "reject") {
      // The socket would fail too, with a vaguer reason.
      return this.#egress === "refuse"
        ? `unreachable: ${table} has ${
          route.unreachable ?? "no route"
        } to ${attempt.address} from ${attempt.sourceAddress}`
        : undefined;
    }
    // RFC 4291 section 2.5.6: a router forwards nothing from a link-local
    // source, and no source-specific route would change that.
    if (isLinkLocal(sourceBytes) && route.gateway !== undefined) {
      return this.#egress === "refuse"
        ? `a link-local source reaches its own link only, and ${attempt.address} is beyond router ${route.gateway}`
        : undefined;
    }
    if (route.ifindex === attempt.interfaceId) return undefined;
    const interfaceName = this.#linkName(attempt.interfaceId) ?? `interface ${attempt.interfaceId}`;
    const egressName = this.#linkName(route.ifindex) ?? `interface ${route.ifindex}`;
    const prefix = sourcePrefix(facts, attempt.sourceAddress);
    const reason = `would leave through ${egressName}, not ${interfaceName}: this host has no source-specific route ` +
      `for ${prefix}; see \`mif routes\`` +
      (guessed ? " (guessed from the main routing table: policy rules are not seen)" : "");
    const action = this.#egress === "refuse" ? "refused" : "warned";
    this.#egressMismatches.push({
      at: this.clock.now(),
      pvdId: attempt.pvdId,
      interfaceId: attempt.interfaceId,
      interfaceName,
      sourceAddress: attempt.sourceAddress,
      address: attempt.address,
      egressInterfaceId: route.ifindex,
      egressName,
      prefix,
      guessed,
      action,
      reason,
    });
    if (this.#egressMismatches.length > MISMATCHES_KEPT) this.#egressMismatches.shift();
    if (action === "refused") return reason;
    this.#report(
      new MifError(
        "unsupported",
        `Connecting to ${bracket(attempt.address)}:${attempt.port} from ${attempt.sourceAddress} in provisioning ` +
          `domain "${attempt.pvdId}" all the same: ${reason}`,
      ),
    );
    return undefined;
  }

  /** Opens the socket bound to the attempt's source. */
  #open(attempt: ConnectAttempt, signal: AbortSignal, where: string, family: 4 | 6): Promise<ConnectionToken> {
    return new Promise<ConnectionToken>((resolve, reject) => {
      const zone = this.#linkName(attempt.interfaceId);
      let socket: Socket;
      try {
        socket = netConnect({
          host: withZone(attempt.address, zone),
          port: attempt.port,
          localAddress: withZone(attempt.sourceAddress, zone),
          family,
        });
      } catch (error) {
        reject(new MifError("connection-failed", `${where}: ${reason(error)}`, { cause: error }));
        return;
      }
      // Always listened to, so that a late error never goes unhandled.
      socket.on("error", () => {});
      const onAbort = () => {
        cleanup();
        socket.destroy();
        reject(new MifError("aborted", `${where}: stopped`, { cause: signal.reason }));
      };
      const onConnect = () => {
        cleanup();
        resolve(socketToken(socket, attempt));
      };
      const onError = (error: Error) => {
        cleanup();
        socket.destroy();
        reject(new MifError("connection-failed", `${where}: ${reason(error)}`, { cause: error }));
      };
      const cleanup = () => {
        signal.removeEventListener("abort", onAbort);
        socket.off("connect", onConnect);
        socket.off("error", onError);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      socket.once("connect", onConnect);
      socket.once("error", onError);
    });
  }

  #enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(job, job);
    this.#queue = run.catch(() => {});
    return run;
  }

  /** One background read: coalesced with any not yet begun, errors to onError, then the next poll armed. */
  #cycle(): void {
    const generation = this.#generation;
    if (this.#queuedFor === generation) return;
    this.#queuedFor = generation;
    this.#enqueue(async () => {
      if (this.#queuedFor === generation) this.#queuedFor = undefined;
      if (generation !== this.#generation) return;
      try {
        await this.#readOnce(generation);
      } catch (error) {
        this.#report(error);
      }
      this.#arm(generation);
    });
  }

  /** After a background read: watch the chosen source, or poll. */
  #arm(generation: number): void {
    if (generation !== this.#generation || this.#sink === undefined) return;
    const watch = this.#chosen?.watch;
    if (watch !== undefined) {
      if (this.#unwatch !== undefined) return;
      try {
        this.#unwatch = watch.call(this.#chosen, () => this.#cycle());
        return;
      } catch (error) {
        // A source that cannot watch after all is polled instead.
        this.#report(error);
      }
    }
    if (this.#timer !== undefined) return;
    this.#timer = this.clock.setTimer(this.#pollInterval, () => {
      this.#timer = undefined;
      this.#cycle();
    });
  }

  async #readOnce(generation: number): Promise<NetworkState> {
    const facts = await this.#withDns(await this.#readFacts());
    const model = { ...this.#model, routerAdvertisements: this.#listener?.heard() ?? [] };
    const state = stabilizeTimes(networkStateFromFacts(facts, this.clock.now(), model), this.#delivered);
    this.#facts = facts;
    if (this.#sink !== undefined && generation === this.#generation) {
      const goingAway = this.#goingAway(facts, state);
      const previous = this.#delivered;
      this.#delivered = state;
      try {
        // The host reports a link going down: Interface Going Away first
        // (section 3.2.7.26.4), then the snapshot withdraws its addresses,
        // its PvDs and the interface, in the draft's order.
        if (goingAway.length > 0) this.#sink.apply(goingAway);
        this.#sink.snapshot(state);
        // A link the host brought up that has no carrier yet: Interface Going
        // Up (section 3.2.7.26.5), once, when it first shows so.
        const goingUp = this.#goingUp(previous, state);
        if (goingUp.length > 0) this.#sink.apply(goingUp);
      } catch (error) {
        this.#report(error);
      }
    }
    return state;
  }

  /** Interfaces not up that were not there before: links coming up (a link that lost its carrier is not). */
  #goingUp(previous: NetworkState | undefined, state: NetworkState): NetworkChange[] {
    const before = new Set((previous?.interfaces ?? []).map((i) => i.interfaceId));
    return state.interfaces
      .filter((i) => !i.up && !before.has(i.interfaceId))
      .map((i) => ({ kind: "interface-going-up", interfaceId: i.interfaceId }));
  }

  /** Interfaces announced before whose link is still there but no longer up: they are going away. */
  #goingAway(facts: HostFacts, state: NetworkState): NetworkChange[] {
    const previous = this.#delivered;
    if (previous === undefined) return [];
    const now = new Set(state.interfaces.map((i) => i.interfaceId));
    return previous.interfaces
      .filter((i) => !now.has(i.interfaceId) && facts.links.some((l) => l.ifindex === i.interfaceId && !l.up))
      .map((i) => ({ kind: "interface-going-away", interfaceId: i.interfaceId }));
  }

  /** A source without DNS of its own gets the files', with the per-link servers it heard kept first. */
  async #withDns(facts: HostFacts): Promise<HostFacts> {
    if (this.#chosen?.name !== "rtnetlink") return facts;
    let files: HostDns;
    try {
      files = await this.#dns(facts.links);
    } catch (error) {
      this.#report(error);
      return facts;
    }
    const heard = new Set(facts.dns.links.map((l) => l.ifindex));
    return {
      ...facts,
      dns: {
        servers: files.servers,
        searchDomains: files.searchDomains,
        links: [...facts.dns.links, ...files.links.filter((l) => !heard.has(l.ifindex))],
        ...(files.origin === undefined ? {} : { origin: files.origin }),
      },
    };
  }

  async #readFacts(): Promise<HostFacts> {
    if (this.#chosen !== undefined) return await this.#chosen.read();
    const failures: { name: string; error: unknown }[] = [];
    for (const source of this.#sources) {
      try {
        const facts = await source.read();
        this.#chosen = source;
        for (const failure of failures) {
          this.#report(
            new MifError(
              "unsupported",
              `Cannot read host facts through "${failure.name}", using "${source.name}": ${message(failure.error)}`,
              { cause: failure.error },
            ),
          );
        }
        return facts;
      } catch (error) {
        failures.push({ name: source.name, error });
      }
    }
    const tried = failures.map((f) => `${f.name} (${message(f.error)})`).join(", ") || "none";
    throw new MifError("unsupported", `Cannot read host facts: no source works; tried ${tried}`, {
      cause: failures[0]?.error,
    });
  }

  #report(error: unknown): void {
    try {
      this.#onError(error instanceof Error ? error : new Error(String(error)));
    } catch {
      // An onError that throws must not stop the adapter.
    }
  }

  #linkName(interfaceId: InterfaceId): string | undefined {
    return this.#facts?.links.find((l) => l.ifindex === interfaceId)?.name;
  }

  /**
   * DNS for one query's PvD: each UDP query from its own socket bound to a
   * PvD address of the server's family on a port the kernel picks at random;
   * each TCP query from a connection bound to the same kind of address.
   */
  #dnsTransport(query: ResolveQuery): DnsTransport {
    const zone = this.#linkName(query.interfaceId);
    const port = this.#dnsPort;
    const counters = () => this.#countDns(query.pvdId);
    /** The source for `server`, or why there is none. */
    const sourceFor = (server: string) => {
      const target = parseIpAddress(server);
      const source = pickSource(query.sourceAddresses, target.family, target.bytes);
      if (source === undefined) {
        return { problem: `the provisioning domain has no IPv${target.family} source address` };
      }
      if (bindDenied(source)) {
        return { problem: `Deno has no net permission for source address ${source} (--allow-net)` };
      }
      return { target, source };
    };
    return {
      send(server, bytes, handlers) {
        const chosen = sourceFor(server);
        if ("problem" in chosen) {
          handlers.onUnreachable(chosen.problem);
          return { close() {} };
        }
        const { target, source } = chosen;
        counters().udpQueries++;
        const socket = createSocket({ type: target.family === 6 ? "udp6" : "udp4" });
        const wanted = withoutZone(target.text);
        let closed = false;
        const close = () => {
          if (closed) return;
          closed = true;
          try {
            socket.close();
          } catch {
            // Already closed by an error.
          }
        };
        socket.on("error", (error) => {
          if (!closed) handlers.onUnreachable(reason(error));
          close();
        });
        socket.on("message", (message, from) => {
          if (closed) return;
          let sender: string;
          try {
            sender = withoutZone(parseIpAddress(from.address).text);
          } catch {
            sender = from.address;
          }
          // RFC 5452 section 9.1: only the address and port asked may answer.
          if (sender !== wanted || from.port !== port) {
            handlers.onMismatch?.(`came from ${bracket(sender)}:${from.port}, not ${bracket(wanted)}:${port}`);
            return;
          }
          handlers.onDatagram(new Uint8Array(message));
        });
        socket.bind({ port: 0, address: withZone(source, zone) }, () => {
          if (closed) return;
          socket.send(bytes, port, withZone(target.text, zone), (error) => {
            if (error && !closed) {
              handlers.onUnreachable(reason(error));
              close();
            }
          });
        });
        return { close };
      },
      sendTcp(server, bytes, handlers) {
        const chosen = sourceFor(server);
        if ("problem" in chosen) {
          handlers.onUnreachable(chosen.problem);
          return { close() {} };
        }
        const { target, source } = chosen;
        let framed: Uint8Array;
        try {
          framed = frameDnsTcpMessage(bytes);
        } catch (error) {
          handlers.onUnreachable(message(error));
          return { close() {} };
        }
        counters().tcpQueries++;
        let socket: Socket;
        try {
          socket = netConnect({
            host: withZone(target.text, zone),
            port,
            localAddress: withZone(source, zone),
            family: target.family,
          });
        } catch (error) {
          handlers.onUnreachable(reason(error));
          return { close() {} };
        }
        let closed = false;
        const close = () => {
          if (closed) return;
          closed = true;
          socket.destroy();
        };
        const fail = (why: string) => {
          if (closed) return;
          handlers.onUnreachable(why);
          close();
        };
        const reader = new DnsTcpReader();
        socket.on("error", (error) => fail(reason(error)));
        socket.on("close", () => fail("the server closed the TCP connection before answering"));
        socket.on("data", (chunk: Uint8Array) => {
          for (const response of reader.push(chunk)) {
            if (closed) return;
            handlers.onDatagram(response);
          }
        });
        socket.once("connect", () => {
          if (!closed) socket.write(framed);
        });
        return { close };
      },
    };
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function bracket(address: string): string {
  return address.includes(":") ? `[${address}]` : address;
}

function withoutZone(text: string): string {
  const percent = text.indexOf("%");
  return percent === -1 ? text : text.slice(0, percent);
}

/** Addresses parsed by {@linkcode addressBytes}: a connect asks about the same few several times. */
const parsedAddresses = new Map<string, Uint8Array>();

/** An address's bytes (throws as `parseIpAddress` does); never to be written to, being shared. */
function addressBytes(text: string): Uint8Array {
  let bytes = parsedAddresses.get(text);
  if (bytes === undefined) {
    bytes = parseIpAddress(text).bytes;
    if (parsedAddresses.size >= 256) parsedAddresses.clear();
    parsedAddresses.set(text, bytes);
  }
  return bytes;
}

function isLinkLocal(bytes: Uint8Array): boolean {
  return bytes.length === 16 && bytes[0] === 0xfe && (bytes[1]! & 0xc0) === 0x80;
}

/** A link-local IPv6 address without a zone gets the PvD's link, so the kernel knows where it is. */
function withZone(address: string, zone: string | undefined): string {
  if (zone === undefined || address.includes("%")) return address;
  try {
    return isLinkLocal(addressBytes(address)) ? `${address}%${zone}` : address;
  } catch {
    return address;
  }
}

interface DenoPermissions {
  querySync(descriptor: { name: "net"; host: string }): { state: string };
}

/** Source addresses Deno has said it may bind, asked once each (a revoked permission fails at bind all the same). */
const bindGranted = new Set<string>();

/**
 * Under Deno, whether this process lacks the net permission to bind a
 * socket to `address`. Deno's `node:net` and `node:dgram` raise that
 * refusal outside any handler (an uncaught error, not an `error` event), so
 * the adapter asks first. Always false under Node.
 */
function bindDenied(address: string): boolean {
  if (bindGranted.has(address)) return false;
  const permissions = (globalThis as { Deno?: { permissions?: DenoPermissions } }).Deno?.permissions;
  if (permissions === undefined) return false;
  try {
    const host = withoutZone(address);
    const granted = permissions.querySync({ name: "net", host: `${bracket(host)}:0` }).state === "granted";
    if (granted && bindGranted.size < 256) bindGranted.add(address);
    return !granted;
  } catch {
    return false;
  }
}

function isLoopback(bytes: Uint8Array): boolean {
  if (bytes.length === 4) return bytes[0] === 127;
  return bytes.every((b, i) => b === (i === 15 ? 1 : 0));
}

/**
 * The PvD source address to query `server` from: of its family, of the
 * same kind (link-local for a link-local server, loopback for a loopback
 * one) when there is one, else the first of the family.
 */
function pickSource(sources: readonly string[], family: 4 | 6, server: Uint8Array): string | undefined {
  const candidates = sources.flatMap((text) => {
    try {
      const parsed = parseIpAddress(text);
      return parsed.family === family ? [{ text: withoutZone(parsed.text), bytes: parsed.bytes }] : [];
    } catch {
      return [];
    }
  });
  const kind = (bytes: Uint8Array) => isLoopback(bytes) ? "loopback" : isLinkLocal(bytes) ? "link" : "other";
  const wanted = kind(server);
  return (candidates.find((c) => kind(c.bytes) === wanted) ??
    candidates.find((c) => kind(c.bytes) === "other") ??
    candidates[0])?.text;
}

function reason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case "ECONNREFUSED":
      return "refused";
    case "ETIMEDOUT":
      return "timed out";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "unreachable";
    case "ECONNRESET":
      return "reset";
    case "EADDRNOTAVAIL":
      return "source address not available";
    default:
      return message(error);
  }
}

/** A connected socket as a token with web streams; reading pauses the socket while the stream is full. */
function socketToken(socket: Socket, attempt: ConnectAttempt): ConnectionToken {
  let closed = false;
  // The streams are made on first use: a caller that takes the socket
  // itself (socketOf) pays for neither, and the socket does not flow
  // until something reads it.
  let readable: ReadableStream<Uint8Array> | undefined;
  let writable: WritableStream<Uint8Array> | undefined;
  return {
    pvdId: attempt.pvdId,
    interfaceId: attempt.interfaceId,
    // The socket was bound to the source and connected to the address: only
    // the port the kernel picked needs asking (getsockname).
    localAddress: attempt.sourceAddress,
    localPort: socket.localPort ?? 0,
    remoteAddress: attempt.address,
    remotePort: attempt.port,
    get readable() {
      return readable ??= socketReadable(socket);
    },
    get writable() {
      return writable ??= socketWritable(socket);
    },
    socket,
    close() {
      if (closed) return;
      closed = true;
      socket.destroy();
    },
  };
}

/** The bytes from the peer, with backpressure: the socket pauses while the stream is full. */
function socketReadable(socket: Socket): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const finish = () => {
        try {
          controller.close();
        } catch {
          // Already closed or errored.
        }
      };
      // Closed before the stream was asked for: nothing more will come.
      if (socket.destroyed && socket.readableLength === 0) {
        finish();
        return;
      }
      socket.on("data", (chunk: Uint8Array) => {
        try {
          // A copy: the stream's reader owns what it gets.
          controller.enqueue(new Uint8Array(chunk));
        } catch {
          return;
        }
        if ((controller.desiredSize ?? 0) <= 0) socket.pause();
      });
      socket.once("end", finish);
      socket.once("close", finish);
      socket.on("error", (error) => {
        try {
          controller.error(error);
        } catch {
          // Already closed.
        }
      });
    },
    pull() {
      socket.resume();
    },
    cancel() {
      socket.destroy();
    },
  }, new ByteLengthQueuingStrategy({ highWaterMark: 65_536 }));
}

/** The bytes to the peer; closing it ends the sending direction. */
function socketWritable(socket: Socket): WritableStream<Uint8Array> {
  return new WritableStream<Uint8Array>({
    write(chunk) {
      return new Promise<void>((resolve, reject) => {
        socket.write(chunk, (error) => (error ? reject(error) : resolve()));
      });
    },
    close() {
      return new Promise<void>((resolve) => socket.end(() => resolve()));
    },
    abort() {
      socket.destroy();
    },
  });
}

/**
 * The runtime's own socket behind a connection made by a host adapter (a
 * `node:net` Socket, in Deno as in Node), for code that wants it rather
 * than the token's streams: `tls.connect({ socket })`, an HTTP agent, a
 * pipe. Use the socket or the streams, not both; `token.close()` still
 * closes it.
 *
 * @example A host connection's socket; none behind another adapter's token
 * ```ts
 * import { Socket } from "node:net";
 * import type { ConnectionToken } from "../../api/network_link.ts";
 * import { socketOf } from "./host_network.ts";
 *
 * // As api.connect() over a host adapter hands it over (unconnected here).
 * const socket = new Socket();
 * const token = { socket } as Partial<ConnectionToken> as ConnectionToken;
 * if (socketOf(token) !== socket) throw new Error("the runtime's socket");
 * if (socketOf({ ...token, socket: undefined }) !== undefined) throw new Error("no socket");
 * socket.destroy();
 * ```
 *
 * @param token A connection from {@linkcode HostNetwork.connect} (or from the API over it).
 * @returns Its socket; undefined for a token another adapter made.
 */
export function socketOf(token: ConnectionToken): Socket | undefined {
  return token.socket instanceof Socket ? token.socket : undefined;
}
