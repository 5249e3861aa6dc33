/**
 * The MIF API: subscribers post requests and read announcements and
 * replies; a {@linkcode NetworkLink} adapter feeds the configuration
 * database and carries out name resolution and connections.
 *
 * @module
 */

import {
  compareDestinations,
  selectSource,
  sortDestinations,
  type SourceCandidate,
} from "../core-as/address_selection.ts";
import { parseIpAddress } from "../core-as/ip_address.ts";
import { POLICY_RFC6724 } from "../core-as/policy_table.ts";
import type { EstablishmentReport, RaceDestination } from "../core-as/racing.ts";
import { ConfigurationDatabase, type DatabaseEvent, remainingSeconds } from "./config_db.ts";
import { DnsCache, type DnsCacheOptions, type DnsCacheScope, type DnsCacheStats } from "./dns_cache.ts";
import { ConnectError, MifError } from "./errors.ts";
import { planRace, RACE_POLICIES, type RaceCandidate, type RacePolicy, RttHistory } from "./race_policy.ts";
import { type RaceOutcome, RaceRunner } from "./race_runner.ts";
import type {
  AddressSelectionPolicy,
  ConnectToAddress,
  ConnectToAddressFromAddress,
  ConnectToPvd,
  GetConfigurationData,
  InterfaceId,
  MifReply,
  MifRequest,
  PvdId,
  TranslateName,
} from "./messages.ts";
import type {
  AddressInfo,
  ConnectionToken,
  NetworkChange,
  NetworkLink,
  PvdInfo,
  ResolvedFamily,
  ResolveQuery,
} from "./network_link.ts";
import type { Subscriber } from "./subscriber.ts";
import { type EndpointOwner, SubscriberEndpoint } from "./_subscriber_endpoint.ts";
import { validateRequest } from "./validate.ts";

/**
 * Options for {@linkcode MifApi}.
 *
 * @example A smaller queue, and changes the adapter got wrong
 * ```ts
 * import { MifApi, type MifApiOptions } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network } = twoProviderHost();
 * const skipped: string[] = [];
 * const options: MifApiOptions = {
 *   queueCapacity: 1_024,
 *   onLinkError: (error, change) => skipped.push(`${change.kind}: ${error.code}`),
 * };
 * const api = new MifApi(network, options);
 * api.database.apply([{ kind: "pvd-removed", pvdId: "pvd.unknown.example" }]); // as a confused adapter would
 * if (skipped.join() !== "pvd-removed: unknown-pvd") throw new Error(skipped.join());
 * api.close();
 * ```
 */
export interface MifApiOptions {
  /** Default queue capacity of each subscriber, in messages (65,536 when absent). */
  readonly queueCapacity?: number;
  /**
   * The RFC 6724 address selection policy, for every PvD or per PvD: the
   * policy table (RFC 6724's default when absent), destination rule 9 for
   * IPv4 (`same-subnet` when absent, as glibc) and source rule 7
   * (temporary addresses preferred when absent).
   */
  readonly addressSelection?:
    | Partial<AddressSelectionPolicy>
    | ((pvdId: PvdId) => Partial<AddressSelectionPolicy>);
  /** Receives each change from the adapter that did not fit the state and was skipped. */
  readonly onLinkError?: (error: MifError, change: NetworkChange) => void;
  /**
   * The connection racing policy of {@linkcode MifApi.connect} (unless it
   * is given one) and the timing of the Connect messages:
   * `RACE_POLICIES.adaptive` when absent (PvDs ranked by measured RTT, the
   * next one started after twice the first one's RTT, every PvD at once
   * until measured); `RACE_POLICIES.rfc8305` races every PvD at once
   * always.
   */
  readonly racePolicy?: RacePolicy;
  /**
   * The per-PvD cache of DNS answers that Translate Name and
   * {@linkcode MifApi.connect} share: answers are served again in the PvD
   * that asked, through the same servers, for as long as their TTL allows
   * ({@linkcode DnsCache}). On when absent; `false` asks the PvD's servers
   * every time.
   */
  readonly dnsCache?: DnsCacheOptions | false;
}

/**
 * Options for {@linkcode MifApi.connect}.
 *
 * @example Give up after two seconds, never over cellular
 * ```ts
 * import type { ConnectOptions } from "./mif_api.ts";
 *
 * const options: ConnectOptions = {
 *   timeout: 2_000,
 *   policy: { interfaceKinds: { cellular: "prohibit" } },
 *   signal: AbortSignal.timeout(10_000),
 * };
 * if (options.timeout !== 2_000) throw new Error("unexpected");
 * ```
 */
export interface ConnectOptions {
  /** Stops the race: attempts are cancelled and the promise rejects with code `aborted`. */
  readonly signal?: AbortSignal;
  /** Overall time limit, ms on the adapter's clock: the race stops with code `timed-out`. None when absent. */
  readonly timeout?: number;
  /** The racing policy for this connection (the API's `racePolicy` when absent). */
  readonly policy?: RacePolicy;
  /** Only these PvDs are eligible (every PvD when absent). */
  readonly pvds?: readonly PvdId[];
}

/**
 * A connection made by {@linkcode MifApi.connect}.
 *
 * @example What a caller keeps
 * ```ts
 * import type { Connection } from "./mif_api.ts";
 *
 * function summary(connection: Connection): string {
 *   return `${connection.token.remoteAddress} through ${connection.pvdId}: ${connection.report.why}`;
 * }
 * ```
 */
export interface Connection {
  /** The connection; the caller closes it. */
  readonly token: ConnectionToken;
  /** The PvD it goes through. */
  readonly pvdId: PvdId;
  /** Every attempt of the race and why this one won. */
  readonly report: EstablishmentReport;
}

/**
 * Options for {@linkcode MifApi.subscribe}.
 *
 * @example A subscriber with a tiny queue
 * ```ts
 * import { MifApi, type SubscribeOptions } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network } = twoProviderHost();
 * const api = new MifApi(network);
 * const options: SubscribeOptions = { queueCapacity: 2 };
 * const app = api.subscribe(options);
 * app.postMessage({ type: "announce-interfaces" }); // eth0 and wlan0 fill the queue
 * network.addInterface({ displayName: "wwan0", kind: "cellular" }); // a live announcement finds it full
 * const types: string[] = [];
 * for (let m = app.getMessage(); m; m = app.getMessage()) types.push(m.type);
 * if (types.at(-1) !== "announcements-dropped") throw new Error(types.join());
 * api.close();
 * ```
 */
export interface SubscribeOptions {
  /** This subscriber's queue capacity, in messages. */
  readonly queueCapacity?: number;
}

const SEP = "\u0000";
const DEFAULT_QUEUE_CAPACITY = 65_536;

/** Turns anything thrown by an adapter into a {@linkcode MifError}. */
function asMifError(error: unknown, code: MifError["code"], action: string): MifError {
  if (error instanceof MifError) return error;
  const text = error instanceof Error ? error.message : String(error);
  return new MifError(code, `Cannot ${action}: ${text}`, { cause: error });
}

/**
 * The MIF API of draft-ietf-mif-api-extension-05 over one network adapter.
 *
 * @example Learn the interfaces of a simulated host
 * ```ts
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * app.postMessage({ type: "announce-interfaces" });
 * const names = [];
 * for (let m = app.getMessage(); m; m = app.getMessage()) {
 *   if (m.type === "interface-announcement") names.push(m.displayName);
 * }
 * if (names.join() !== "eth0,wlan0") throw new Error(names.join());
 * api.close();
 * ```
 */
export class MifApi {
  readonly #link: NetworkLink;
  readonly #db: ConfigurationDatabase;
  readonly #queueCapacity: number;
  readonly #addressSelection: MifApiOptions["addressSelection"];
  readonly #subscribers = new Set<SubscriberEndpoint>();
  /** Subscribers of interface announcements. */
  readonly #interfaceSubscribers = new Set<SubscriberEndpoint>();
  /** Subscribers of PvD announcements, by interface. */
  readonly #pvdSubscribers = new Map<InterfaceId, Set<SubscriberEndpoint>>();
  /** Subscribers of configuration element announcements, by PvD. */
  readonly #elementSubscribers = new Map<PvdId, Set<SubscriberEndpoint>>();
  /** Subscribers of address announcements, by PvD. */
  readonly #addressSubscribers = new Map<PvdId, Set<SubscriberEndpoint>>();
  /** Outstanding translations and connections, by the PvD they run in, to stop when it goes. */
  readonly #operations = new Map<PvdId, Set<AbortController>>();
  /** The races of {@linkcode MifApi.connect} in progress, to stop on close. */
  readonly #liveConnects = new Set<AbortController>();
  readonly #racePolicy: RacePolicy;
  readonly #rttHistory = new RttHistory();
  readonly #dnsCache: DnsCache | undefined;
  readonly #owner: EndpointOwner = {
    post: (endpoint, message) => this.#post(endpoint, message),
    closed: (endpoint) => this.#unsubscribeAll(endpoint),
  };
  #closed = false;

  /**
   * Starts the API over an adapter; the adapter's snapshot arrives through
   * {@linkcode NetworkLink.start} before the first subscriber can ask.
   *
   * @param link The network adapter.
   * @param options Queue capacity and where adapter errors go.
   */
  constructor(link: NetworkLink, options: MifApiOptions = {}) {
    this.#link = link;
    this.#queueCapacity = options.queueCapacity ?? DEFAULT_QUEUE_CAPACITY;
    this.#addressSelection = options.addressSelection;
    this.#racePolicy = options.racePolicy ?? RACE_POLICIES.adaptive;
    this.#dnsCache = options.dnsCache === false ? undefined : new DnsCache(options.dnsCache);
    const onLinkError = options.onLinkError ?? (() => {});
    this.#db = new ConfigurationDatabase(link.clock, {
      onEvent: (event) => this.#fanOut(event),
      onError: onLinkError,
    });
    link.start(this.#db);
  }

  /** The configuration database, for reading the current state directly. */
  get database(): ConfigurationDatabase {
    return this.#db;
  }

  /** Connection round-trip times measured per PvD by past races. */
  get rttHistory(): RttHistory {
    return this.#rttHistory;
  }

  /**
   * What the DNS cache holds and how often it answered; undefined when it
   * is off (`dnsCache: false`).
   */
  dnsCacheStats(): DnsCacheStats | undefined {
    return this.#dnsCache?.stats();
  }

  /**
   * Forgets the cached DNS answers of one PvD, or of every PvD, so that
   * the next resolution asks the servers again.
   *
   * @param pvdId The PvD; every PvD when absent.
   * @returns How many answers were dropped (0 when the cache is off).
   */
  flushDnsCache(pvdId?: PvdId): number {
    return this.#dnsCache?.flush(pvdId) ?? 0;
  }

  /**
   * Adds a subscriber with an empty queue and no subscriptions.
   *
   * @param options Its queue capacity.
   */
  subscribe(options: SubscribeOptions = {}): Subscriber {
    const capacity = options.queueCapacity ?? this.#queueCapacity;
    if (!(capacity >= 1)) throw new RangeError(`Cannot subscribe: queue capacity must be 1 or more, got ${capacity}`);
    const endpoint = new SubscriberEndpoint(this.#owner, this.#link.clock, capacity);
    if (this.#closed) endpoint.close();
    else this.#subscribers.add(endpoint);
    return endpoint;
  }

  /** Stops the adapter, every outstanding request and every subscriber. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const endpoint of [...this.#subscribers]) endpoint.close();
    const reason = new MifError("aborted", "Cannot connect: the API was closed");
    for (const controller of [...this.#liveConnects]) controller.abort(reason);
    // Resolutions still filling the cache after their race ended.
    for (const operations of [...this.#operations.values()]) {
      for (const controller of [...operations]) controller.abort(reason);
    }
    this.#link.stop();
    this.#db.close();
  }

  // -------------------------------------------------------------------------
  // Requests
  // -------------------------------------------------------------------------

  #post(s: SubscriberEndpoint, message: unknown): void {
    try {
      this.#handle(s, validateRequest(message));
    } catch (error) {
      const mifError = asMifError(error, "internal-error", "handle request");
      s.enqueue({ type: "error", error: mifError, request: message }, true);
    }
  }

  #handle(s: SubscriberEndpoint, request: MifRequest): void {
    switch (request.type) {
      case "announce-interfaces":
        s.interfaces = true;
        this.#interfaceSubscribers.add(s);
        for (const info of this.#db.interfaces()) {
          s.enqueue(
            { type: "interface-announcement", interfaceId: info.interfaceId, displayName: info.displayName },
            true,
          );
          s.announcedInterfaces.add(info.interfaceId);
        }
        return;
      case "stop-announcing-interfaces":
        if (!s.interfaces) throw this.#notSubscribed(request.type, "interface announcements");
        s.interfaces = false;
        this.#interfaceSubscribers.delete(s);
        s.announcedInterfaces.clear();
        return;
      case "announce-provisioning-domains": {
        const { interfaceId } = request;
        if (!this.#db.getInterface(interfaceId)) {
          throw new MifError(
            "unknown-interface",
            `Cannot announce provisioning domains: no interface ${interfaceId}`,
            { field: "interfaceId" },
          );
        }
        s.pvdInterfaces.add(interfaceId);
        setOf(this.#pvdSubscribers, interfaceId).add(s);
        for (const pvd of this.#db.pvdsOf(interfaceId)) this.#announcePvd(s, pvd, true);
        return;
      }
      case "stop-announcing-provisioning-domains": {
        const { interfaceId } = request;
        if (!s.pvdInterfaces.has(interfaceId)) {
          throw this.#notSubscribed(request.type, `provisioning domain announcements on interface ${interfaceId}`);
        }
        this.#dropPvdSubscription(s, interfaceId);
        return;
      }
      case "announce-configuration-elements": {
        const pvdId = this.#needPvd(request.type, request.pvdId).pvdId;
        s.elementPvds.set(pvdId, request.elementType);
        setOf(this.#elementSubscribers, pvdId).add(s);
        for (const info of this.#db.elementsOf(pvdId, request.elementType)) {
          s.enqueue({ type: "configuration-element-announcement", pvdId, element: info }, true);
          s.announcedElements.add(pvdId + SEP + info.elementType + SEP + info.elementId);
        }
        return;
      }
      case "stop-announcing-configuration-elements": {
        const pvds = request.pvdId === undefined ? [...s.elementPvds.keys()] : [request.pvdId];
        if (pvds.length === 0 || !pvds.every((p) => s.elementPvds.has(p))) {
          throw this.#notSubscribed(request.type, `configuration element announcements${inPvd(request.pvdId)}`);
        }
        for (const pvdId of pvds) this.#dropElementSubscription(s, pvdId);
        return;
      }
      case "announce-addresses": {
        const pvdId = this.#needPvd(request.type, request.pvdId).pvdId;
        s.addressPvds.add(pvdId);
        setOf(this.#addressSubscribers, pvdId).add(s);
        for (const info of this.#db.addressesOf(pvdId)) {
          this.#announceAddress(s, info, this.#addressAnnouncement(info), true);
        }
        return;
      }
      case "stop-announcing-addresses": {
        const pvds = request.pvdId === undefined ? [...s.addressPvds] : [request.pvdId];
        if (pvds.length === 0 || !pvds.every((p) => s.addressPvds.has(p))) {
          throw this.#notSubscribed(request.type, `address announcements${inPvd(request.pvdId)}`);
        }
        for (const pvdId of pvds) this.#dropAddressSubscription(s, pvdId);
        return;
      }
      case "get-configuration-data":
        return this.#getConfigurationData(s, request);
      case "translate-name":
        return this.#translateName(s, request);
      case "stop-translating-name": {
        const controller = s.translations.get(request.translationId);
        if (!controller) {
          throw new MifError(
            "unknown-translation-id",
            `Cannot stop translating name: no outstanding translation "${request.translationId}"`,
            { field: "translationId" },
          );
        }
        s.translations.delete(request.translationId);
        controller.abort(new MifError("aborted", "Translation stopped by the subscriber"));
        return;
      }
      case "connect-to-pvd":
      case "connect-to-address":
      case "connect-to-address-from-address":
        return this.#connect(s, request);
      case "wants-to-connect":
      case "connection-is-idle":
      case "connection-can-be-broken":
        this.#link.hint?.(request);
        return;
    }
  }

  #notSubscribed(type: string, what: string): MifError {
    return new MifError("not-subscribed", `Cannot accept ${type}: not subscribed to ${what}`);
  }

  #needPvd(type: string, pvdId: PvdId): PvdInfo {
    const pvd = this.#db.getPvd(pvdId);
    if (!pvd) {
      throw new MifError("unknown-pvd", `Cannot accept ${type}: no provisioning domain "${pvdId}"`, {
        field: "pvdId",
      });
    }
    return pvd;
  }

  #getConfigurationData(s: SubscriberEndpoint, request: GetConfigurationData): void {
    const { pvdId, elementType, informationId } = request;
    this.#needPvd(request.type, pvdId);
    // The address selection policy is the host's own configuration for the PvD.
    const data = informationId === "address-selection-policy"
      ? (elementType === "static" ? this.#policyFor(pvdId) : undefined)
      : this.#db.configurationData(pvdId, elementType, informationId);
    s.enqueue(
      data === undefined
        ? { type: "no-configuration-data", pvdId, elementType, informationId }
        : { type: "configuration-data", pvdId, elementType, informationId, data },
      true,
    );
  }

  // -------------------------------------------------------------------------
  // Name translation and connections
  // -------------------------------------------------------------------------

  /** Registers an operation in a PvD, so that the PvD's withdrawal stops it. */
  #startOperation(pvdId: PvdId): { controller: AbortController; done(): void } {
    const controller = new AbortController();
    const set = setOf(this.#operations, pvdId);
    set.add(controller);
    return {
      controller,
      done: () => {
        set.delete(controller);
        if (set.size === 0 && this.#operations.get(pvdId) === set) this.#operations.delete(pvdId);
      },
    };
  }

  /**
   * Each family's addresses for a name inside one PvD (canonical text): the
   * literal itself, or the adapter's resolution through the PvD's DNS
   * servers, asking only for the given families. Families the cache holds
   * for this PvD and its servers come first, without a query; what the
   * servers answer is kept for its TTL.
   */
  async *#resolve(
    pvdId: PvdId,
    name: string,
    signal: AbortSignal,
    families?: readonly (4 | 6)[],
  ): AsyncGenerator<ResolvedFamily> {
    const literal = addressLiteral(name);
    if (literal !== undefined) {
      yield { family: literal.family, addresses: [literal.text] };
      return;
    }
    const query = this.#question(pvdId, name, families);
    if (query === undefined) throw new MifError("no-dns-servers", noDnsServer(pvdId, name));
    const { hits, missing } = this.#fromCache(query);
    for (const hit of hits) {
      signal.throwIfAborted();
      yield hit;
    }
    if (missing.length > 0) yield* this.#asked({ ...query, families: missing }, signal);
  }

  /** What resolving a name in a PvD asks of its DNS servers; undefined when it has none. */
  #question(pvdId: PvdId, name: string, families?: readonly (4 | 6)[]): ResolveQuery | undefined {
    const dnsServers = this.#db.configurationData(pvdId, undefined, "dns-servers") ?? [];
    if (dnsServers.length === 0) return undefined;
    const searchDomains = this.#db.configurationData(pvdId, undefined, "search-domains") ?? [];
    return {
      pvdId,
      interfaceId: this.#db.getPvd(pvdId)!.interfaceId,
      name,
      dnsServers: dnsServers.map((d) => d.address),
      searchDomains: searchDomains.map((d) => d.domain),
      sourceAddresses: this.#db.addressesOf(pvdId).map((a) => a.address),
      ...(families ? { families } : {}),
    };
  }

  /** The families of a question the cache answers now, and those left to ask (every one without a cache). */
  #fromCache(query: ResolveQuery): { hits: ResolvedFamily[]; missing: (4 | 6)[] } {
    const families = query.families ?? [6, 4];
    const cache = this.#dnsCache;
    if (cache === undefined) return { hits: [], missing: [...families] };
    const scope = cacheScope(query);
    const now = this.#link.clock.now();
    const hits: ResolvedFamily[] = [];
    const missing: (4 | 6)[] = [];
    for (const family of families) {
      const hit = cache.lookup(scope, query.name, family, now);
      if (hit === undefined) missing.push(family);
      else hits.push(hit);
    }
    return { hits, missing };
  }

  /** The PvD's DNS servers' answers to a question, each kept in the cache for its TTL. */
  async *#asked(query: ResolveQuery, signal: AbortSignal): AsyncGenerator<ResolvedFamily> {
    const scope = cacheScope(query);
    for await (const answer of this.#answers(query, signal)) {
      this.#dnsCache?.store(scope, query.name, answer, this.#link.clock.now());
      yield answer;
    }
  }

  /** The adapter's answers, addresses in canonical text. */
  async *#answers(query: ResolveQuery, signal: AbortSignal): AsyncGenerator<ResolvedFamily> {
    for await (const answer of this.#link.resolve(query, signal)) {
      signal.throwIfAborted();
      const addresses = answer.addresses.map((address) => parseIpAddress(address).text);
      yield answer.ttl === undefined ? { family: answer.family, addresses } : { ...answer, addresses };
    }
  }

  #translateName(s: SubscriberEndpoint, request: TranslateName): void {
    const { pvdId, name, translationId } = request;
    this.#needPvd(request.type, pvdId);
    if (s.translations.has(translationId)) {
      throw new MifError(
        "duplicate-translation-id",
        `Cannot translate name: translation "${translationId}" is still outstanding`,
        { field: "translationId" },
      );
    }
    const operation = this.#startOperation(pvdId);
    const { signal } = operation.controller;
    s.translations.set(translationId, operation.controller);
    (async () => {
      let count = 0;
      let error: MifError | undefined;
      try {
        const seen = new Set<string>();
        for await (const answer of this.#resolve(pvdId, name, signal)) {
          for (const address of answer.addresses) {
            if (seen.has(address)) continue;
            seen.add(address);
            s.enqueue({ type: "name-translation", translationId, address }, true);
            count++;
          }
        }
      } catch (caught) {
        error = asMifError(signal.aborted ? signal.reason : caught, "resolution-failed", `translate name "${name}"`);
      } finally {
        operation.done();
      }
      // Stopped by the subscriber: it wants nothing more about this translation.
      if (error?.code === "aborted" || s.translations.get(translationId) !== operation.controller) return;
      s.translations.delete(translationId);
      s.enqueue(
        error
          ? { type: "name-translation-complete", translationId, count, error }
          : { type: "name-translation-complete", translationId, count },
        true,
      );
    })();
  }

  /** The address selection policy in force for a PvD. */
  #policyFor(pvdId: PvdId): AddressSelectionPolicy {
    const given = typeof this.#addressSelection === "function" ? this.#addressSelection(pvdId) : this.#addressSelection;
    return {
      policy: given?.policy ?? POLICY_RFC6724,
      ipv4Rule9: given?.ipv4Rule9 ?? "same-subnet",
      preferTemporary: given?.preferTemporary ?? true,
    };
  }

  /** The PvD's valid addresses as RFC 6724 source candidates. */
  #sourceCandidates(pvd: PvdInfo): SourceCandidate[] {
    const now = this.#link.clock.now();
    return this.#db.addressesOf(pvd.pvdId)
      .filter((info) => info.validUntil > now)
      .map((info) => ({
        address: info.address,
        pvd: pvd.pvdId,
        interface: pvd.interfaceId,
        prefixLength: info.prefixLength,
        deprecated: info.preferredUntil <= now,
        temporary: info.temporary === true,
      }));
  }

  /**
   * Source addresses of a PvD for a destination, best first by RFC 6724
   * section 5 (the WebAssembly core): the best source, then the best of the
   * rest, and so on, so that a failed attempt falls back to the next best.
   * The PvD is both the destination's and the next hop's (rule 5.5).
   */
  #sourcesFor(pvd: PvdInfo, destination: string): string[] {
    const { policy, preferTemporary } = this.#policyFor(pvd.pvdId);
    const target = { address: destination, pvd: pvd.pvdId, nextHopPvd: pvd.pvdId, interface: pvd.interfaceId };
    const left = this.#sourceCandidates(pvd);
    const ordered: string[] = [];
    for (;;) {
      const best = selectSource(target, left, { policy, preferTemporary });
      if (!best) return ordered;
      ordered.push(best.address);
      left.splice(best.index, 1);
    }
  }

  /** A PvD as a race candidate: its interface and the families it has a valid source of. */
  #candidate(pvd: PvdInfo): RaceCandidate {
    const families = new Set<4 | 6>();
    for (const source of this.#sourceCandidates(pvd)) families.add(String(source.address).includes(":") ? 6 : 4);
    const srtt = this.#rttHistory.srtt(pvd.pvdId);
    return {
      pvdId: pvd.pvdId,
      interfaceId: pvd.interfaceId,
      interfaceKind: this.#db.getInterface(pvd.interfaceId)?.kind ?? "other",
      explicit: pvd.explicit,
      families: [6, 4].filter((f) => families.has(f as 4 | 6)) as (4 | 6)[],
      ...(srtt === undefined ? {} : { srtt, srttMeasured: this.#rttHistory.measured(pvd.pvdId) }),
    };
  }

  /**
   * One family's destinations in the order to try them, RFC 6724 section 6
   * with the PvD's sources (the WebAssembly core), each with its Source(D);
   * destinations no source of the PvD can reach are left out. The racing
   * scheduler interleaves the families (RFC 8305 section 4).
   */
  #raceDestinations(pvd: PvdInfo, addresses: readonly string[]): RaceDestination[] {
    if (addresses.length === 0) return [];
    const { policy, ipv4Rule9, preferTemporary } = this.#policyFor(pvd.pvdId);
    const sorted = sortDestinations(
      addresses.map((address) => ({ address, pvd: pvd.pvdId, nextHopPvd: pvd.pvdId, interface: pvd.interfaceId })),
      { sources: this.#sourceCandidates(pvd), policy, ipv4Rule9, preferTemporary },
    );
    return sorted.flatMap((d) => d.source === undefined ? [] : [{ address: d.address, source: d.source }]);
  }

  /**
   * Resolves a name in each PvD of a race and feeds the answers to it as
   * they come (or all at once, for a `together` policy). A PvD that fails to
   * resolve, has no DNS server or is withdrawn stops answering; the race
   * goes on in the others.
   */
  #feedRace(runner: RaceRunner, pvds: readonly PvdInfo[], name: string, together: boolean): () => void {
    const stops: (() => void)[] = [];
    const literal = addressLiteral(name);
    // The first PvD's answer goes in alone, so that its attempt starts at
    // once; the rest of what is known now goes in as one scheduler step.
    const [first, ...rest] = pvds;
    if (first !== undefined) this.#feedPvd(runner, first, name, literal, together, stops);
    runner.batch(() => {
      for (const pvd of rest) this.#feedPvd(runner, pvd, name, literal, together, stops);
    });
    return () => stops.forEach((stop) => stop());
  }

  /** One PvD's part of `#feedRace`: what stops its resolution goes to `stops`. */
  #feedPvd(
    runner: RaceRunner,
    pvd: PvdInfo,
    name: string,
    literal: ReturnType<typeof addressLiteral>,
    together: boolean,
    stops: (() => void)[],
  ): void {
    // A PvD that cannot resolve the name is out of the race at once, with
    // the reason #resolve would give, and no generator or error to make.
    const query = literal ? undefined : this.#question(pvd.pvdId, name, runner.familiesOf(pvd.pvdId));
    if (!literal && query === undefined) {
      runner.unanswered(pvd.pvdId, noDnsServer(pvd.pvdId, name));
      return;
    }
    // Registered even when nothing is left to ask: the PvD's withdrawal
    // still fails its attempts in flight.
    const operation = this.#startOperation(pvd.pvdId);
    const { signal } = operation.controller;
    const onWithdrawn = () => {
      const reason = signal.reason instanceof Error ? signal.reason.message : "withdrawn";
      runner.withdraw(pvd.pvdId, reason);
    };
    signal.addEventListener("abort", onWithdrawn, { once: true });
    /** The PvD's DNS servers are being asked. */
    let asking = false;
    /** The race is over but the answer still goes into the cache. */
    let detached = false;
    stops.push(() => {
      signal.removeEventListener("abort", onWithdrawn);
      // A question in flight when the race ends is answered all the
      // same, for the cache: the next connect finds it there rather than
      // asking again and being cut off again. The PvD's withdrawal and
      // close() still stop it.
      if (asking && this.#dnsCache !== undefined) {
        detached = true;
        return;
      }
      operation.controller.abort(RACE_OVER);
      operation.done();
    });
    const feed = (answer: ResolvedFamily) => runner.resolved({ pvd: pvd.pvdId, ...this.#answerOf(pvd, answer) });
    // What needs no query (a literal, the cache's answers) goes in now,
    // so that the first attempt starts in this turn of the event loop.
    if (literal) {
      feed({ family: literal.family, addresses: [literal.text] });
      runner.unanswered(pvd.pvdId);
      return;
    }
    const { hits, missing } = this.#fromCache(query!);
    const held: ResolvedFamily[] = together && missing.length > 0 ? hits : [];
    if (held.length === 0) hits.forEach(feed);
    if (missing.length === 0) {
      runner.unanswered(pvd.pvdId);
      return;
    }
    asking = true;
    (async () => {
      try {
        for await (const answer of this.#asked({ ...query!, families: missing }, signal)) {
          if (detached || runner.over) continue; // Kept in the cache all the same.
          if (together) held.push(answer);
          else feed(answer);
        }
        held.forEach(feed);
        runner.unanswered(pvd.pvdId);
      } catch (caught) {
        if (signal.aborted || detached) return; // Withdrawn (handled above), or the race is over.
        held.forEach(feed);
        runner.unanswered(pvd.pvdId, asMifError(caught, "resolution-failed", `resolve "${name}"`).message);
      } finally {
        asking = false;
        if (detached) operation.done();
      }
    })();
  }

  #answerOf(pvd: PvdInfo, answer: ResolvedFamily): { family: 4 | 6; destinations: RaceDestination[] } {
    return { family: answer.family, destinations: this.#raceDestinations(pvd, answer.addresses) };
  }

  /**
   * The family a PvD's address selection prefers for a global destination,
   * given its sources: what RFC 8305 section 4 takes from the first address
   * of the RFC 6724 sorted list, known here before any answer arrives.
   */
  #preferredFamily(pvd: PvdInfo): 4 | 6 {
    const { policy, ipv4Rule9, preferTemporary } = this.#policyFor(pvd.pvdId);
    const at = { pvd: pvd.pvdId, nextHopPvd: pvd.pvdId, interface: pvd.interfaceId };
    const { preferred } = compareDestinations(
      { address: "2001:db8::1", ...at },
      { address: "203.0.113.1", ...at },
      { sources: this.#sourceCandidates(pvd), policy, ipv4Rule9, preferTemporary },
    );
    return preferred === "b" ? 4 : 6;
  }

  /**
   * Keeps the winner's connection time in its PvD's history, and, for the
   * PvDs whose attempts were still in flight when it won, a lower bound of
   * their RTT: how long they had waited, and at least a millisecond more
   * than the winner took.
   */
  #learn(outcome: RaceOutcome): void {
    const { report } = outcome;
    if (!outcome.token) return;
    const winner = report.attempts.find((a) => a.attempt === report.winner);
    if (winner === undefined) return;
    const won = winner.end - winner.start;
    this.#rttHistory.record(winner.pvd, won);
    for (const attempt of report.attempts) {
      if (attempt.result !== "cancelled" || attempt.pvd === winner.pvd) continue;
      // It lost: counted as slower than the winner even when it started
      // later and was in flight for less time, so that the next race does
      // not rank it first on a bound shorter than the winner's RTT.
      this.#rttHistory.recordLowerBound(attempt.pvd, Math.max(attempt.end - attempt.start, won + 1));
    }
  }

  #connect(s: SubscriberEndpoint, request: ConnectToPvd | ConnectToAddress | ConnectToAddressFromAddress): void {
    const { pvdId, connectionId } = request;
    const pvd = this.#needPvd(request.type, pvdId);
    if (s.connections.has(connectionId)) {
      throw new MifError(
        "duplicate-connection-id",
        `Cannot connect: connection "${connectionId}" is still outstanding`,
        { field: "connectionId" },
      );
    }
    if (request.type === "connect-to-address-from-address") {
      if (!this.#db.getAddress(pvdId, request.sourceAddress)) {
        throw new MifError(
          "address-not-in-pvd",
          `Cannot connect from ${request.sourceAddress}: it is not an address of provisioning domain "${pvdId}"`,
          { field: "sourceAddress" },
        );
      }
      if (request.sourceAddress.includes(":") !== request.address.includes(":")) {
        throw new MifError(
          "invalid-address",
          `Cannot connect from ${request.sourceAddress} to ${request.address}: the address families differ`,
          { field: "address" },
        );
      }
    }
    // The subscriber chose the PvD: the policy gives the timing, not the
    // choice; the first family is the PvD's address selection's unless the
    // policy names one.
    const plan = planRace(this.#racePolicy, []);
    const race = { ...plan.options, preferredFamily: this.#racePolicy.preferredFamily ?? this.#preferredFamily(pvd) };
    const family: 4 | 6 | undefined = request.type === "connect-to-pvd"
      ? undefined
      : request.address.includes(":")
      ? 6
      : 4;
    const candidate = this.#candidate(pvd);
    const families = family === undefined ? candidate.families : [family];
    const operation = this.#startOperation(pvdId);
    const { signal } = operation.controller;
    s.connections.set(connectionId, operation.controller);
    const runner = new RaceRunner(
      families.length === 0 ? [] : [{ pvd: pvdId, interfaceId: pvd.interfaceId, policy: "require", families }],
      { link: this.#link, port: request.port, race, attemptTimeout: plan.attemptTimeout, signal },
    );
    let stopFeeding = () => {};
    if (request.type !== "connect-to-pvd") {
      const sources = request.type === "connect-to-address-from-address"
        ? [request.sourceAddress]
        : this.#sourcesFor(pvd, request.address);
      // Connect to Address races the PvD's sources for the one destination, best first.
      runner.resolved({
        pvd: pvdId,
        family: family!,
        destinations: sources.map((source) => ({ address: request.address, source })),
      });
    } else if (families.length > 0) {
      stopFeeding = this.#feedRace(runner, [pvd], request.name, plan.resolution === "together");
    }

    runner.outcome.then((outcome) => {
      stopFeeding();
      operation.done();
      this.#learn(outcome);
      const { token, report } = outcome;
      if (s.connections.get(connectionId) !== operation.controller || s.closed) {
        token?.close(); // Nobody is left to take the connection.
        return;
      }
      s.connections.delete(connectionId);
      if (token) {
        s.enqueue({ type: "connected", connectionId, token, report }, true);
        return;
      }
      let error = outcome.error ?? new MifError("connection-failed", "Cannot connect");
      if (report.reason.startsWith("no-") && outcome.failures.length === 0 && outcome.unanswered.length === 0) {
        const what = family === undefined
          ? `"${(request as ConnectToPvd).name}"`
          : (request as ConnectToAddress).address;
        error = new MifError(
          "no-source-address",
          `Cannot connect to ${what}: provisioning domain "${pvdId}" has no source address of its family`,
        );
      } else if (error.code === "resolution-failed" && outcome.unanswered.length > 0) {
        error = new MifError(error.code, outcome.unanswered.map((u) => u.reason).join("; "));
      }
      s.enqueue({ type: "not-connected", connectionId, error, attempts: outcome.failures, report }, true);
    });
  }

  /**
   * Connects to a host the way the draft's section 3.3 describes: Translate
   * Name in every eligible PvD, race connection attempts through all of them
   * (Happy Eyeballs v2 inside each PvD, the policy across PvDs, in the
   * WebAssembly scheduler), and keep the best. Resolves with the winning
   * connection and the establishment report; rejects with a
   * {@linkcode ConnectError} carrying the report and every attempt's reason.
   *
   * Eligible PvDs have an interface that is up and a valid source address;
   * the policy (`options.policy`, else the API's `racePolicy`) orders and
   * filters them. Each winner's connection time goes into the RTT history of
   * its PvD (see {@linkcode RttHistory}), which the `rtt` order uses.
   *
   * @example Reach the host through whichever provider answers first
   * ```ts
   * import { MifApi } from "./mif_api.ts";
   * import { twoProviderHost } from "../adapters/simulated/mod.ts";
   *
   * const { network, clock, host } = twoProviderHost();
   * const api = new MifApi(network);
   * const { token, report } = await clock.drive(api.connect(host.name, host.port, { timeout: 5_000 }));
   * if (report.outcome !== "connected" || !report.attempts.some((a) => a.result === "succeeded")) {
   *   throw new Error(report.why);
   * }
   * token.close();
   * api.close();
   * ```
   *
   * @param host A name (resolved in each PvD) or an address literal.
   * @param port The TCP port.
   * @param options Signal, overall timeout, policy, PvDs.
   * @returns The connection and its report.
   * @throws {ConnectError} When no attempt connected, the signal fired or the timeout passed.
   */
  async connect(host: string, port: number, options: ConnectOptions = {}): Promise<Connection> {
    if (typeof host !== "string" || host.length === 0) {
      throw new MifError("malformed-request", "Cannot connect: the host is empty", { field: "host" });
    }
    if (!Number.isInteger(port) || port < 1 || port > 65_535) {
      throw new MifError("malformed-request", `Cannot connect to ${host}: port ${port} is not 1 to 65535`, {
        field: "port",
      });
    }
    if (this.#closed) throw new MifError("aborted", `Cannot connect to ${host}: the API is closed`);
    const timeout = options.timeout;
    if (timeout !== undefined && !(timeout >= 0)) {
      throw new MifError("malformed-request", `Cannot connect to ${host}: timeout ${timeout} is not a duration`, {
        field: "timeout",
      });
    }
    const wanted = options.pvds === undefined ? undefined : new Set(options.pvds);
    const eligible = this.#db.interfaces()
      .filter((info) => info.up)
      .flatMap((info) => this.#db.pvdsOf(info.interfaceId))
      .filter((pvd) => wanted === undefined || wanted.has(pvd.pvdId));
    const policy = options.policy ?? this.#racePolicy;
    const plan = planRace(policy, eligible.map((pvd) => this.#candidate(pvd)));
    const first = plan.pvds[0] && this.#db.getPvd(plan.pvds[0].pvd);
    const preferredFamily = policy.preferredFamily ?? (first ? this.#preferredFamily(first) : 6);
    const controller = new AbortController();
    const onAbort = () => controller.abort(asMifError(options.signal?.reason, "aborted", `connect to ${host}`));
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    const timer = timeout === undefined ? undefined : this.#link.clock.setTimer(timeout, () =>
      controller.abort(
        new MifError("timed-out", `Cannot connect to ${host} port ${port}: no connection within ${timeout} ms`),
      ));
    this.#liveConnects.add(controller);
    const runner = new RaceRunner(plan.pvds, {
      link: this.#link,
      port,
      race: { ...plan.options, preferredFamily },
      attemptTimeout: plan.attemptTimeout,
      signal: controller.signal,
    });
    const racing = plan.pvds.map((p) => this.#db.getPvd(p.pvd)!);
    const stopFeeding = this.#feedRace(runner, racing, host, plan.resolution === "together");
    const outcome = await runner.outcome;
    stopFeeding();
    if (timer !== undefined) this.#link.clock.clearTimer(timer);
    options.signal?.removeEventListener("abort", onAbort);
    this.#liveConnects.delete(controller);
    this.#learn(outcome);
    if (outcome.token) {
      const winner = outcome.report.attempts.find((a) => a.attempt === outcome.report.winner)!;
      return { token: outcome.token, report: outcome.report, pvdId: winner.pvd };
    }
    const excluded = plan.excluded.map((e) => `${e.pvdId} ${e.why}`);
    const base = outcome.error ?? new MifError("connection-failed", `Cannot connect to ${host}`);
    const message = base.message.replace(/^Cannot connect to port \d+/, `Cannot connect to ${host} port ${port}`) +
      (excluded.length > 0 && outcome.report.reason === "no-eligible-pvd" ? ` (${excluded.join("; ")})` : "");
    throw new ConnectError(base.code, message, {
      report: outcome.report,
      attempts: outcome.failures,
      unanswered: outcome.unanswered,
      excluded: plan.excluded,
      cause: base,
    });
  }

  // -------------------------------------------------------------------------
  // Fan-out of database events
  // -------------------------------------------------------------------------

  #announcePvd(s: SubscriberEndpoint, pvd: PvdInfo, solicited: boolean): void {
    const message: MifReply = {
      type: "provisioning-domain-announcement",
      interfaceId: pvd.interfaceId,
      pvdId: pvd.pvdId,
    };
    if (s.enqueue(message, solicited)) s.announcedPvds.add(pvd.pvdId);
  }

  /** Address Announcement as of now; lifetimes for IPv6 only (section 3.2.7.14). */
  #addressAnnouncement(info: AddressInfo): MifReply {
    const { pvdId, address } = info;
    if (!address.includes(":")) return { type: "address-announcement", pvdId, address };
    const now = this.#link.clock.now();
    return {
      type: "address-announcement",
      pvdId,
      address,
      validLifetime: remainingSeconds(info.validUntil, now),
      preferredLifetime: remainingSeconds(info.preferredUntil, now),
    };
  }

  #announceAddress(s: SubscriberEndpoint, info: AddressInfo, message: MifReply, solicited: boolean): void {
    if (s.enqueue(message, solicited)) s.announcedAddresses.add(info.pvdId + SEP + info.address);
  }

  #fanOut(event: DatabaseEvent): void {
    switch (event.kind) {
      case "interface-added":
      case "interface-changed": {
        const { interfaceId, displayName } = event.info;
        // Of a known interface only a new display name is news; up and down
        // come as going-up and going-away.
        if (event.kind === "interface-changed" && event.previous.displayName === displayName) return;
        for (const s of this.#interfaceSubscribers) {
          if (s.enqueue({ type: "interface-announcement", interfaceId, displayName }, false)) {
            s.announcedInterfaces.add(interfaceId);
          }
        }
        return;
      }
      case "interface-removed": {
        const { interfaceId } = event.info;
        for (const s of this.#interfaceSubscribers) {
          if (!s.announcedInterfaces.delete(interfaceId)) continue;
          s.enqueue({ type: "no-interface-announcement", interfaceId }, false);
        }
        // Section 3.2.7.5: after No Interface Announcement, PvD subscriptions
        // for that interface end by themselves.
        for (const s of [...(this.#pvdSubscribers.get(interfaceId) ?? [])]) this.#dropPvdSubscription(s, interfaceId);
        return;
      }
      case "interface-going-away":
      case "interface-going-up":
        for (const s of this.#interfaceSubscribers) {
          s.enqueue({ type: event.kind, interfaceId: event.interfaceId }, false);
        }
        return;
      case "pvd-added":
        for (const s of this.#pvdSubscribers.get(event.pvd.interfaceId) ?? []) this.#announcePvd(s, event.pvd, false);
        return;
      case "pvd-removed": {
        const { pvdId, interfaceId } = event.pvd;
        for (const controller of this.#operations.get(pvdId) ?? []) {
          controller.abort(
            new MifError("pvd-withdrawn", `Provisioning domain "${pvdId}" was withdrawn (${event.reason})`),
          );
        }
        this.#operations.delete(pvdId);
        this.#rttHistory.forget(pvdId);
        this.#dnsCache?.flush(pvdId);
        for (const s of this.#pvdSubscribers.get(interfaceId) ?? []) {
          if (s.announcedPvds.delete(pvdId)) {
            s.enqueue({ type: "no-provisioning-domain-announcement", interfaceId, pvdId }, false);
          }
        }
        // The PvD can no longer be used: subscriptions to its elements and addresses end.
        for (const s of [...(this.#elementSubscribers.get(pvdId) ?? [])]) this.#dropElementSubscription(s, pvdId);
        for (const s of [...(this.#addressSubscribers.get(pvdId) ?? [])]) this.#dropAddressSubscription(s, pvdId);
        return;
      }
      case "element-set": {
        const { pvdId } = event.element;
        const subscribers = this.#elementSubscribers.get(pvdId);
        if (!subscribers) return;
        // One message for every subscriber: messages are read-only.
        const element = this.#db.currentElement(event.element);
        const message: MifReply = { type: "configuration-element-announcement", pvdId, element };
        const key = pvdId + SEP + element.elementType + SEP + element.elementId;
        for (const s of subscribers) {
          const filter = s.elementPvds.get(pvdId);
          if (filter !== undefined && filter !== element.elementType) continue;
          if (s.enqueue(message, false)) s.announcedElements.add(key);
        }
        return;
      }
      case "element-removed": {
        const { pvdId, element } = event.element;
        const key = pvdId + SEP + element.elementType + SEP + element.elementId;
        for (const s of this.#elementSubscribers.get(pvdId) ?? []) {
          if (!s.announcedElements.delete(key)) continue;
          s.enqueue(
            {
              type: "no-configuration-element-announcement",
              pvdId,
              elementType: element.elementType,
              elementId: element.elementId,
            },
            false,
          );
        }
        return;
      }
      case "address-set": {
        const subscribers = this.#addressSubscribers.get(event.address.pvdId);
        if (!subscribers) return;
        const message = this.#addressAnnouncement(event.address);
        for (const s of subscribers) this.#announceAddress(s, event.address, message, false);
        return;
      }
      case "address-removed": {
        const { pvdId, address } = event.address;
        for (const s of this.#addressSubscribers.get(pvdId) ?? []) {
          if (!s.announcedAddresses.delete(pvdId + SEP + address)) continue;
          s.enqueue({ type: "no-address-announcement", pvdId, address }, false);
        }
        return;
      }
    }
  }

  // -------------------------------------------------------------------------
  // Unsubscribing
  // -------------------------------------------------------------------------

  #dropPvdSubscription(s: SubscriberEndpoint, interfaceId: InterfaceId): void {
    s.pvdInterfaces.delete(interfaceId);
    deleteFrom(this.#pvdSubscribers, interfaceId, s);
    for (const pvd of this.#db.pvdsOf(interfaceId)) s.announcedPvds.delete(pvd.pvdId);
  }

  #dropElementSubscription(s: SubscriberEndpoint, pvdId: PvdId): void {
    s.elementPvds.delete(pvdId);
    deleteFrom(this.#elementSubscribers, pvdId, s);
    const prefix = pvdId + SEP;
    for (const key of s.announcedElements) if (key.startsWith(prefix)) s.announcedElements.delete(key);
  }

  #dropAddressSubscription(s: SubscriberEndpoint, pvdId: PvdId): void {
    s.addressPvds.delete(pvdId);
    deleteFrom(this.#addressSubscribers, pvdId, s);
    const prefix = pvdId + SEP;
    for (const key of s.announcedAddresses) if (key.startsWith(prefix)) s.announcedAddresses.delete(key);
  }

  #unsubscribeAll(s: SubscriberEndpoint): void {
    this.#subscribers.delete(s);
    this.#interfaceSubscribers.delete(s);
    for (const interfaceId of [...s.pvdInterfaces]) this.#dropPvdSubscription(s, interfaceId);
    for (const pvdId of [...s.elementPvds.keys()]) this.#dropElementSubscription(s, pvdId);
    for (const pvdId of [...s.addressPvds]) this.#dropAddressSubscription(s, pvdId);
    const reason = new MifError("aborted", "The subscriber closed");
    for (const controller of s.translations.values()) controller.abort(reason);
    for (const controller of s.connections.values()) controller.abort(reason);
    s.translations.clear();
    s.connections.clear();
  }
}

function inPvd(pvdId: PvdId | undefined): string {
  return pvdId === undefined ? "" : ` in provisioning domain "${pvdId}"`;
}

function setOf<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (!set) map.set(key, set = new Set());
  return set;
}

function deleteFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}

/**
 * Why a race's resolutions stop when it is over: one shared reason, since
 * nobody reads it and an abort without one makes a DOMException (and its
 * stack) every time.
 */
const RACE_OVER = new MifError("aborted", "Cannot resolve: the race is over");

/** Where a question's cached answers hold: its PvD, servers and search list. */
function cacheScope(query: ResolveQuery): DnsCacheScope {
  return { pvdId: query.pvdId, dnsServers: query.dnsServers, searchDomains: query.searchDomains };
}

/** Why a PvD cannot translate a name: the one wording of Translate Name and connect(). */
function noDnsServer(pvdId: PvdId, name: string): string {
  return `Cannot translate name "${name}": provisioning domain "${pvdId}" has no DNS server`;
}

/**
 * The address a name is, if it is an IPv4 or IPv6 literal. Names are most
 * of what comes here: only text that could be a literal (a colon, or
 * digits and dots only) is parsed, so that a name costs no exception.
 */
function addressLiteral(name: string): { text: string; family: 4 | 6 } | undefined {
  if (!name.includes(":") && !/^[0-9.]+$/.test(name)) return undefined;
  try {
    const parsed = parseIpAddress(name);
    return { text: parsed.text, family: parsed.text.includes(":") ? 6 : 4 };
  } catch {
    return undefined; // Not an address literal: resolved as a name.
  }
}
