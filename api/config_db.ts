/**
 * The configuration database behind the MIF API: interfaces, provisioning
 * domains, configuration elements and addresses, as an adapter reports them,
 * with lifetimes expiring on the adapter's clock.
 *
 * Every change comes out as an ordered stream of {@linkcode DatabaseEvent}s.
 * The order carries the draft's rules, so the fan-out to subscribers only has
 * to filter: a PvD that goes away first loses its configuration elements and
 * addresses one by one, then itself; an interface that goes away first loses
 * every PvD that way, then itself (section 3.2.7.5, 3.2.7.9, 3.2.7.13).
 *
 * @module
 */

import { parseIpAddress } from "../core-as/ip_address.ts";
import { TimeQueue } from "./time_queue.ts";
import { MifError } from "./errors.ts";
import type {
  ConfigurationData,
  ConfigurationElement,
  ConfigurationElementType,
  ConfigurationInformationId,
  InterfaceId,
  Prefix,
  PvdId,
} from "./messages.ts";
import type {
  AddressInfo,
  Clock,
  ElementInfo,
  InterfaceInfo,
  NetworkChange,
  NetworkLinkSink,
  NetworkState,
  PvdInfo,
  TimerHandle,
} from "./network_link.ts";

/**
 * Why a provisioning domain, element or address left the database.
 *
 * @example A PvD removed with its address
 * ```ts
 * import { ConfigurationDatabase, type RemovalReason } from "./config_db.ts";
 * import { systemClock } from "./clock.ts";
 *
 * const reasons: RemovalReason[] = [];
 * const db = new ConfigurationDatabase(systemClock, {
 *   onEvent: (e) => {
 *     if (e.kind === "pvd-removed" || e.kind === "address-removed") reasons.push(e.reason);
 *   },
 * });
 * const pvdId = "implicit:eth0:ipv4";
 * db.apply([
 *   { kind: "interface-set", interface: { interfaceId: 1, displayName: "eth0", kind: "ethernet", up: true } },
 *   { kind: "pvd-set", pvd: { pvdId, interfaceId: 1, explicit: false } },
 *   {
 *     kind: "address-set",
 *     address: { pvdId, address: "192.0.2.100", prefixLength: 24, validUntil: Infinity, preferredUntil: Infinity },
 *   },
 * ]);
 * db.apply([{ kind: "pvd-removed", pvdId }]);
 * if (reasons.join() !== "pvd-removed,removed") throw new Error(reasons.join());
 * db.close();
 * ```
 */
export type RemovalReason = "removed" | "expired" | "pvd-removed" | "interface-removed";

/**
 * One change to the database, in the order subscribers must learn of it.
 *
 * @example An address expires on the clock
 * ```ts
 * import { ConfigurationDatabase, type DatabaseEvent } from "./config_db.ts";
 * import { VirtualClock } from "../adapters/simulated/mod.ts";
 *
 * const clock = new VirtualClock();
 * const events: DatabaseEvent[] = [];
 * const db = new ConfigurationDatabase(clock, { onEvent: (event) => events.push(event) });
 * const pvdId = "implicit:eth0:ipv6";
 * db.apply([
 *   { kind: "interface-set", interface: { interfaceId: 1, displayName: "eth0", kind: "ethernet", up: true } },
 *   { kind: "pvd-set", pvd: { pvdId, interfaceId: 1, explicit: false } },
 *   {
 *     kind: "address-set",
 *     address: { pvdId, address: "2001:db8:a::100", prefixLength: 64, validUntil: 60_000, preferredUntil: 60_000 },
 *   },
 * ]);
 * clock.advance(60_000);
 * const last = events.at(-1);
 * if (last?.kind !== "address-removed" || last.reason !== "expired") throw new Error(last?.kind);
 * db.close();
 * ```
 */
export type DatabaseEvent =
  | { readonly kind: "interface-added"; readonly info: InterfaceInfo }
  | { readonly kind: "interface-changed"; readonly info: InterfaceInfo; readonly previous: InterfaceInfo }
  | { readonly kind: "interface-removed"; readonly info: InterfaceInfo }
  | { readonly kind: "interface-going-away"; readonly interfaceId: InterfaceId }
  | { readonly kind: "interface-going-up"; readonly interfaceId: InterfaceId }
  | { readonly kind: "pvd-added"; readonly pvd: PvdInfo }
  | { readonly kind: "pvd-removed"; readonly pvd: PvdInfo; readonly reason: RemovalReason }
  | { readonly kind: "element-set"; readonly element: ElementInfo }
  | { readonly kind: "element-removed"; readonly element: ElementInfo; readonly reason: RemovalReason }
  | { readonly kind: "address-set"; readonly address: AddressInfo }
  | { readonly kind: "address-removed"; readonly address: AddressInfo; readonly reason: RemovalReason };

/**
 * Options for {@linkcode ConfigurationDatabase}.
 *
 * @example Hear about changes that do not fit
 * ```ts
 * import { ConfigurationDatabase, type ConfigurationDatabaseOptions } from "./config_db.ts";
 * import { systemClock } from "./clock.ts";
 *
 * const errors: string[] = [];
 * const options: ConfigurationDatabaseOptions = {
 *   onError: (error, change) => errors.push(`${change.kind}: ${error.code}`),
 * };
 * const db = new ConfigurationDatabase(systemClock, options);
 * const address = { pvdId: "implicit:eth0:ipv6", address: "2001:db8:a::100", prefixLength: 64 };
 * db.apply([{ kind: "address-set", address: { ...address, validUntil: Infinity, preferredUntil: Infinity } }]);
 * if (errors.join() !== "address-set: unknown-pvd") throw new Error(errors.join());
 * db.close();
 * ```
 */
export interface ConfigurationDatabaseOptions {
  /** Receives every event, synchronously, in order. */
  readonly onEvent?: (event: DatabaseEvent) => void;
  /** Receives each change the adapter sent that does not fit the state; the change is skipped. */
  readonly onError?: (error: MifError, change: NetworkChange) => void;
}

interface StoredPvd {
  info: PvdInfo;
  /** Keyed by `elementType \0 elementId`, in arrival order. */
  readonly elements: Map<string, ElementInfo>;
  /** Keyed by canonical address, in arrival order. */
  readonly addresses: Map<string, AddressInfo>;
}

interface StoredInterface {
  info: InterfaceInfo;
  /** PvD identifiers in arrival order. */
  readonly pvds: Set<PvdId>;
}

const SEP = "\u0000";
const elementKey = (type: ConfigurationElementType, id: string) => type + SEP + id;

/**
 * Remaining whole seconds until `until` (clock ms); `Infinity` stays infinite.
 *
 * @example Whole seconds left
 * ```ts
 * import { remainingSeconds } from "./config_db.ts";
 *
 * if (remainingSeconds(10_500, 4_000) !== 6) throw new Error("6.5 s left counts as 6");
 * if (remainingSeconds(1_000, 5_000) !== 0) throw new Error("a past time leaves 0");
 * if (remainingSeconds(Infinity, 5_000) !== Infinity) throw new Error("infinite stays infinite");
 * ```
 */
export function remainingSeconds(until: number, now: number): number {
  if (until === Infinity) return Infinity;
  return Math.max(0, Math.floor((until - now) / 1000));
}

/**
 * The data of an element as it stands `elapsed` seconds after it was
 * received: each lifetime reduced by `elapsed`, entries whose lifetime has
 * run out left out (RFC 8106 section 5.1: an expired RDNSS address is no
 * longer used).
 *
 * @example An RDNSS option fifteen minutes after it was received
 * ```ts
 * import { ageConfigurationData } from "./config_db.ts";
 *
 * const received = {
 *   "dns-servers": [{ address: "2001:db8:a::53", lifetime: 1800 }, { address: "2001:db8:a::54", lifetime: 600 }],
 *   mtu: 1500,
 * };
 * const now = ageConfigurationData(received, 900);
 * const servers = now["dns-servers"] ?? [];
 * if (servers.length !== 1 || servers[0]?.lifetime !== 900 || now.mtu !== 1500) throw new Error("unexpected");
 * ```
 */
export function ageConfigurationData(data: ConfigurationData, elapsed: number): ConfigurationData {
  if (elapsed <= 0) return data;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(data) as ConfigurationInformationId[]) {
    const value = agedValue(data, key, elapsed);
    if (value !== undefined) out[key] = value;
  }
  return out as ConfigurationData;
}

/**
 * One Configuration Information Identifier of `data` as it stands
 * `elapsed` seconds later: lifetimes reduced, entries whose lifetime has
 * run out left out; values without lifetimes as they are.
 */
function agedValue<K extends ConfigurationInformationId>(
  data: ConfigurationData,
  key: K,
  elapsed: number,
): ConfigurationData[K] | undefined {
  const value = data[key];
  if (value === undefined || elapsed <= 0) return value;
  const age = (lifetime: number) => lifetime === Infinity ? Infinity : Math.floor(lifetime - elapsed);
  switch (key) {
    case "dns-servers":
    case "search-domains":
    case "routers":
    case "routes":
      return (value as readonly { readonly lifetime: number }[])
        .map((entry) => ({ ...entry, lifetime: age(entry.lifetime) }))
        .filter((entry) => entry.lifetime > 0) as unknown as ConfigurationData[K];
    case "prefixes":
      return (value as readonly Prefix[]).map((prefix) => ({
        ...prefix,
        validLifetime: age(prefix.validLifetime),
        preferredLifetime: Math.max(0, age(prefix.preferredLifetime)),
      })).filter((prefix) => prefix.validLifetime > 0) as unknown as ConfigurationData[K];
    default:
      return value;
  }
}

/** Identity of the items a merged list holds, so that two elements naming one server give one entry. */
function entryIdentity(entry: unknown): string {
  const e = entry as Record<string, unknown>;
  return String(e.address ?? e.domain ?? `${e.prefix}/${e.length}`);
}

/**
 * The configuration database. It is a {@linkcode NetworkLinkSink}: an adapter
 * feeds it snapshots and changes, and it keeps lifetimes on the clock.
 *
 * @example Feed it and read it back
 * ```ts
 * import { ConfigurationDatabase } from "./config_db.ts";
 * import { systemClock } from "./clock.ts";
 *
 * const events: string[] = [];
 * const db = new ConfigurationDatabase(systemClock, { onEvent: (e) => events.push(e.kind) });
 * db.apply([
 *   { kind: "interface-set", interface: { interfaceId: 2, displayName: "eth0", kind: "ethernet", up: true } },
 *   { kind: "pvd-set", pvd: { pvdId: "implicit:eth0:ipv6", interfaceId: 2, explicit: false } },
 * ]);
 * db.apply([{ kind: "interface-removed", interfaceId: 2 }]);
 * if (events.join() !== "interface-added,pvd-added,pvd-removed,interface-removed") throw new Error(events.join());
 * db.close();
 * ```
 */
export class ConfigurationDatabase implements NetworkLinkSink {
  readonly #clock: Clock;
  readonly #onEvent: (event: DatabaseEvent) => void;
  readonly #onError: (error: MifError, change: NetworkChange) => void;
  readonly #interfaces = new Map<InterfaceId, StoredInterface>();
  readonly #pvds = new Map<PvdId, StoredPvd>();
  /** Expiry times of PvDs, elements and addresses, by item key. */
  readonly #expiry = new TimeQueue<string>();
  #timer: TimerHandle | undefined;
  #timerAt = Infinity;
  #closed = false;

  /**
   * Makes an empty database.
   *
   * @param clock The clock lifetimes are measured against.
   * @param options Where events and adapter errors go.
   */
  constructor(clock: Clock, options: ConfigurationDatabaseOptions = {}) {
    this.#clock = clock;
    this.#onEvent = options.onEvent ?? (() => {});
    this.#onError = options.onError ?? (() => {});
  }

  /** The clock lifetimes are measured against. */
  get clock(): Clock {
    return this.#clock;
  }

  // -------------------------------------------------------------------------
  // Reading
  // -------------------------------------------------------------------------

  /** Every interface, in arrival order. */
  interfaces(): InterfaceInfo[] {
    return [...this.#interfaces.values()].map((i) => i.info);
  }

  /** One interface, or `undefined`. */
  getInterface(interfaceId: InterfaceId): InterfaceInfo | undefined {
    return this.#interfaces.get(interfaceId)?.info;
  }

  /** The PvDs of one interface, in arrival order. */
  pvdsOf(interfaceId: InterfaceId): PvdInfo[] {
    const iface = this.#interfaces.get(interfaceId);
    return iface ? [...iface.pvds].map((id) => this.#pvds.get(id)!.info) : [];
  }

  /** Every PvD, in arrival order. */
  pvds(): PvdInfo[] {
    return [...this.#pvds.values()].map((p) => p.info);
  }

  /** One PvD, or `undefined`. */
  getPvd(pvdId: PvdId): PvdInfo | undefined {
    return this.#pvds.get(pvdId)?.info;
  }

  /** The configuration elements of a PvD (of one type when given), lifetimes as of now. */
  elementsOf(pvdId: PvdId, elementType?: ConfigurationElementType): ConfigurationElement[] {
    const pvd = this.#pvds.get(pvdId);
    if (!pvd) return [];
    const out: ConfigurationElement[] = [];
    for (const info of pvd.elements.values()) {
      if (elementType === undefined || info.element.elementType === elementType) out.push(this.currentElement(info));
    }
    return out;
  }

  /** An element as it stands now: its lifetimes reduced by the time since it was received. */
  currentElement(info: ElementInfo): ConfigurationElement {
    const elapsed = (this.#clock.now() - info.receivedAt) / 1000;
    return { ...info.element, data: ageConfigurationData(info.element.data, elapsed) };
  }

  /** The addresses of a PvD, in arrival order. */
  addressesOf(pvdId: PvdId): AddressInfo[] {
    const pvd = this.#pvds.get(pvdId);
    return pvd ? [...pvd.addresses.values()] : [];
  }

  /** One address of a PvD (canonical text), or `undefined`. */
  getAddress(pvdId: PvdId, address: string): AddressInfo | undefined {
    return this.#pvds.get(pvdId)?.addresses.get(address);
  }

  /**
   * The data of one Configuration Information Identifier, merged over every
   * element of `elementType` in the PvD (lists concatenated without
   * duplicates, single values from the first element that has one), or
   * `undefined` when no element has it.
   */
  configurationData<K extends ConfigurationInformationId>(
    pvdId: PvdId,
    elementType: ConfigurationElementType | undefined,
    informationId: K,
  ): ConfigurationData[K] | undefined {
    let merged: unknown[] | undefined;
    const seen = new Set<string>();
    const pvd = this.#pvds.get(pvdId);
    if (!pvd) return undefined;
    const now = this.#clock.now();
    for (const info of pvd.elements.values()) {
      if (elementType !== undefined && info.element.elementType !== elementType) continue;
      // Only this identifier is aged, not the whole element.
      const value = agedValue(info.element.data, informationId, (now - info.receivedAt) / 1000);
      if (value === undefined) continue;
      if (!Array.isArray(value)) return value as ConfigurationData[K];
      for (const entry of value) {
        const id = entryIdentity(entry);
        if (seen.has(id)) continue;
        seen.add(id);
        (merged ??= []).push(entry);
      }
    }
    return merged as ConfigurationData[K] | undefined;
  }

  // -------------------------------------------------------------------------
  // Writing (NetworkLinkSink)
  // -------------------------------------------------------------------------

  /** Replaces the whole state, announcing the difference. */
  snapshot(state: NetworkState): void {
    const changes: NetworkChange[] = [];
    const canonical = (pvdId: PvdId, address: string) => pvdId + SEP + this.#canonicalOr(address);
    const wantedAddresses = new Set(state.addresses.map((a) => canonical(a.pvdId, a.address)));
    const wantedElements = new Set(
      state.elements.map((e) => e.pvdId + SEP + elementKey(e.element.elementType, e.element.elementId)),
    );
    const wantedPvds = new Map(state.pvds.map((p) => [p.pvdId, p.interfaceId]));
    const wantedInterfaces = new Set(state.interfaces.map((i) => i.interfaceId));
    // Removals first, innermost first, so nothing is announced twice.
    for (const [pvdId, pvd] of this.#pvds) {
      for (const [key, info] of pvd.elements) {
        if (!wantedElements.has(pvdId + SEP + key)) {
          const { elementType, elementId } = info.element;
          changes.push({ kind: "element-removed", pvdId, elementType, elementId });
        }
      }
      for (const address of pvd.addresses.keys()) {
        if (!wantedAddresses.has(pvdId + SEP + address)) changes.push({ kind: "address-removed", pvdId, address });
      }
      if (wantedPvds.get(pvdId) !== pvd.info.interfaceId) changes.push({ kind: "pvd-removed", pvdId });
    }
    for (const interfaceId of this.#interfaces.keys()) {
      if (!wantedInterfaces.has(interfaceId)) changes.push({ kind: "interface-removed", interfaceId });
    }
    for (const info of state.interfaces) changes.push({ kind: "interface-set", interface: info });
    for (const pvd of state.pvds) changes.push({ kind: "pvd-set", pvd });
    for (const element of state.elements) changes.push({ kind: "element-set", element });
    for (const address of state.addresses) changes.push({ kind: "address-set", address });
    this.apply(changes);
  }

  /** Applies changes in order; a change that does not fit is reported and skipped. */
  apply(changes: readonly NetworkChange[]): void {
    if (this.#closed) return;
    for (const change of changes) {
      try {
        this.#applyOne(change);
      } catch (error) {
        if (!(error instanceof MifError)) throw error;
        this.#onError(error, change);
      }
    }
    this.#armTimer();
  }

  /** Stops expiry timers; later changes are ignored. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #applyOne(change: NetworkChange): void {
    switch (change.kind) {
      case "interface-set":
        return this.#setInterface(change.interface);
      case "interface-removed":
        return this.#removeInterface(this.#needInterface(change.interfaceId, "remove interface"));
      case "interface-going-away":
      case "interface-going-up":
        this.#needInterface(change.interfaceId, `report ${change.kind}`);
        return this.#onEvent({ kind: change.kind, interfaceId: change.interfaceId });
      case "pvd-set":
        return this.#setPvd(change.pvd);
      case "pvd-removed":
        return this.#removePvd(this.#needPvd(change.pvdId, "remove provisioning domain"), "removed");
      case "element-set":
        return this.#setElement(change.element);
      case "element-removed": {
        const pvd = this.#needPvd(change.pvdId, "remove configuration element");
        const info = pvd.elements.get(elementKey(change.elementType, change.elementId));
        if (!info) {
          throw new MifError(
            "malformed-request",
            `Cannot remove configuration element: provisioning domain "${change.pvdId}" has no ${change.elementType} element "${change.elementId}"`,
          );
        }
        return this.#removeElement(pvd, info, "removed");
      }
      case "address-set":
        return this.#setAddress(change.address);
      case "address-removed": {
        const pvd = this.#needPvd(change.pvdId, "remove address");
        const address = this.#canonical(change.address, "remove address");
        const info = pvd.addresses.get(address);
        if (!info) {
          throw new MifError(
            "malformed-request",
            `Cannot remove address: provisioning domain "${change.pvdId}" has no address ${address}`,
          );
        }
        return this.#removeAddress(pvd, info, "removed");
      }
      default: {
        const kind = (change as { kind?: unknown }).kind;
        throw new MifError("malformed-request", `Cannot apply network change: unknown kind ${JSON.stringify(kind)}`);
      }
    }
  }

  #needInterface(interfaceId: InterfaceId, action: string): StoredInterface {
    const iface = this.#interfaces.get(interfaceId);
    if (!iface) throw new MifError("unknown-interface", `Cannot ${action}: no interface ${interfaceId}`);
    return iface;
  }

  #needPvd(pvdId: PvdId, action: string): StoredPvd {
    const pvd = this.#pvds.get(pvdId);
    if (!pvd) throw new MifError("unknown-pvd", `Cannot ${action}: no provisioning domain "${pvdId}"`);
    return pvd;
  }

  #canonical(address: string, action: string): string {
    try {
      return parseIpAddress(address).text;
    } catch (cause) {
      throw new MifError("invalid-address", `Cannot ${action}: ${(cause as Error).message}`, { cause });
    }
  }

  #canonicalOr(address: string): string {
    try {
      return parseIpAddress(address).text;
    } catch {
      return address;
    }
  }

  #setInterface(info: InterfaceInfo): void {
    const existing = this.#interfaces.get(info.interfaceId);
    if (!existing) {
      this.#interfaces.set(info.interfaceId, { info, pvds: new Set() });
      return this.#onEvent({ kind: "interface-added", info });
    }
    const old = existing.info;
    if (old.displayName === info.displayName && old.kind === info.kind && old.up === info.up) return;
    existing.info = info;
    this.#onEvent({ kind: "interface-changed", info, previous: old });
  }

  #removeInterface(iface: StoredInterface): void {
    for (const pvdId of [...iface.pvds]) this.#removePvd(this.#pvds.get(pvdId)!, "interface-removed");
    this.#interfaces.delete(iface.info.interfaceId);
    this.#onEvent({ kind: "interface-removed", info: iface.info });
  }

  #setPvd(info: PvdInfo): void {
    const iface = this.#needInterface(info.interfaceId, `add provisioning domain "${info.pvdId}"`);
    const existing = this.#pvds.get(info.pvdId);
    if (existing && existing.info.interfaceId !== info.interfaceId) {
      // An explicit PvD seen on another link now is, to a subscriber, a PvD
      // that left one interface and appeared on another.
      this.#removePvd(existing, "removed");
    } else if (existing) {
      if (existing.info.expiresAt !== info.expiresAt || existing.info.explicit !== info.explicit) {
        existing.info = info;
        this.#schedule(info.expiresAt, "p" + SEP + info.pvdId);
      }
      return;
    }
    this.#pvds.set(info.pvdId, { info, elements: new Map(), addresses: new Map() });
    iface.pvds.add(info.pvdId);
    this.#schedule(info.expiresAt, "p" + SEP + info.pvdId);
    this.#onEvent({ kind: "pvd-added", pvd: info });
  }

  #removePvd(pvd: StoredPvd, reason: RemovalReason): void {
    const cascade: RemovalReason = reason === "interface-removed" ? reason : "pvd-removed";
    for (const info of [...pvd.elements.values()]) this.#removeElement(pvd, info, cascade);
    for (const info of [...pvd.addresses.values()]) this.#removeAddress(pvd, info, cascade);
    this.#pvds.delete(pvd.info.pvdId);
    this.#interfaces.get(pvd.info.interfaceId)?.pvds.delete(pvd.info.pvdId);
    this.#onEvent({ kind: "pvd-removed", pvd: pvd.info, reason });
  }

  #setElement(info: ElementInfo): void {
    const pvd = this.#needPvd(info.pvdId, "add configuration element");
    const key = elementKey(info.element.elementType, info.element.elementId);
    const existing = pvd.elements.get(key);
    if (
      existing && existing.receivedAt === info.receivedAt && existing.expiresAt === info.expiresAt &&
      JSON.stringify(existing.element) === JSON.stringify(info.element)
    ) return;
    pvd.elements.set(key, info);
    this.#schedule(info.expiresAt, "e" + SEP + info.pvdId + SEP + key);
    this.#onEvent({ kind: "element-set", element: info });
  }

  #removeElement(pvd: StoredPvd, info: ElementInfo, reason: RemovalReason): void {
    pvd.elements.delete(elementKey(info.element.elementType, info.element.elementId));
    this.#onEvent({ kind: "element-removed", element: info, reason });
  }

  #setAddress(given: AddressInfo): void {
    const pvd = this.#needPvd(given.pvdId, `add address ${given.address}`);
    const address = this.#canonical(given.address, "add address");
    const info: AddressInfo = address === given.address ? given : { ...given, address };
    const existing = pvd.addresses.get(address);
    if (
      existing && existing.validUntil === info.validUntil && existing.preferredUntil === info.preferredUntil &&
      existing.prefixLength === info.prefixLength && existing.temporary === info.temporary
    ) return;
    pvd.addresses.set(address, info);
    this.#schedule(info.validUntil, "a" + SEP + info.pvdId + SEP + address);
    this.#onEvent({ kind: "address-set", address: info });
  }

  #removeAddress(pvd: StoredPvd, info: AddressInfo, reason: RemovalReason): void {
    pvd.addresses.delete(info.address);
    this.#onEvent({ kind: "address-removed", address: info, reason });
  }

  // -------------------------------------------------------------------------
  // Expiry
  // -------------------------------------------------------------------------

  #schedule(at: number | undefined, key: string): void {
    if (at === undefined || at === Infinity) return;
    this.#expiry.push(at, key);
  }

  #armTimer(): void {
    const next = this.#expiry.peek()?.at;
    if (this.#closed || next === undefined || next >= this.#timerAt) return;
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timerAt = next;
    this.#timer = this.#clock.setTimer(Math.max(0, next - this.#clock.now()), () => this.#expire());
  }

  #expire(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    if (this.#closed) return;
    const now = this.#clock.now();
    for (let entry = this.#expiry.popDue(now); entry; entry = this.#expiry.popDue(now)) {
      const [kind, pvdId, ...rest] = entry.value.split(SEP) as [string, string, ...string[]];
      const pvd = this.#pvds.get(pvdId);
      if (!pvd) continue;
      // Lazy deletion: act only when the item still carries this very expiry.
      if (kind === "p") {
        if (pvd.info.expiresAt === entry.at) this.#removePvd(pvd, "expired");
      } else if (kind === "e") {
        const info = pvd.elements.get(rest.join(SEP));
        if (info?.expiresAt === entry.at) this.#removeElement(pvd, info, "expired");
      } else {
        const info = pvd.addresses.get(rest[0]!);
        if (info?.validUntil === entry.at) this.#removeAddress(pvd, info, "expired");
      }
    }
    this.#armTimer();
  }
}
