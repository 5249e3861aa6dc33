/**
 * Answers kept per PvD for as long as their TTL allows, so that a second
 * connection or Translate Name in the same PvD needs no round trip to its
 * DNS servers, as Android keeps a cache per network and Apple's resolver
 * one per interface. An answer is only ever served back in the PvD that
 * asked for it, through the same DNS servers and search list: a PvD's
 * answers (split-horizon names, a provider's CDN nodes) never leak into
 * another PvD, and a PvD whose servers change starts afresh.
 *
 * @module
 */

import type { PvdId } from "./messages.ts";

/**
 * Options of {@linkcode DnsCache} (`MifApiOptions.dnsCache`).
 *
 * @example A small cache, answers kept at most a minute
 * ```ts
 * import { DnsCache, type DnsCacheOptions } from "./dns_cache.ts";
 *
 * const options: DnsCacheOptions = { maxEntries: 64, maxTtl: 60 };
 * const cache = new DnsCache(options);
 * if (cache.stats().maxEntries !== 64) throw new Error("unexpected");
 * ```
 */
export interface DnsCacheOptions {
  /** How many answers (one per PvD, name and family) are kept; the least recently used goes first. 1,024 when absent. */
  readonly maxEntries?: number;
  /** The longest an answer is kept, in seconds, whatever its TTL says. 3,600 when absent. */
  readonly maxTtl?: number;
}

/**
 * What a {@linkcode DnsCache} holds and how often it answered.
 *
 * @example
 * ```ts
 * import { DnsCache, type DnsCacheStats } from "./dns_cache.ts";
 *
 * const stats: DnsCacheStats = new DnsCache().stats();
 * if (stats.entries !== 0 || stats.hits !== 0) throw new Error("unexpected");
 * ```
 */
export interface DnsCacheStats {
  /** Answers held now (some may have expired and wait to be dropped). */
  readonly entries: number;
  /** The most it holds. */
  readonly maxEntries: number;
  /** Families answered from the cache. */
  readonly hits: number;
  /** Families that had to be asked of the PvD's DNS servers. */
  readonly misses: number;
}

/**
 * Where a cached answer is valid: the PvD, and what its resolution
 * depended on (the servers asked and the search list that expanded the
 * name), so that a change to either misses.
 *
 * @example
 * ```ts
 * import type { DnsCacheScope } from "./dns_cache.ts";
 *
 * const scope: DnsCacheScope = { pvdId: "pvd.example", dnsServers: ["2001:db8::53"], searchDomains: [] };
 * if (scope.dnsServers.length !== 1) throw new Error("unexpected");
 * ```
 */
export interface DnsCacheScope {
  /** The PvD that asked. */
  readonly pvdId: PvdId;
  /** Its DNS servers when it asked, in order. */
  readonly dnsServers: readonly string[];
  /** Its search domains when it asked, in order. */
  readonly searchDomains: readonly string[];
}

/**
 * One family's answer found in the cache: the addresses (empty for a
 * cached negative answer) and the seconds left of its TTL.
 *
 * @example
 * ```ts
 * import type { CachedFamily } from "./dns_cache.ts";
 *
 * const hit: CachedFamily = { family: 6, addresses: ["2001:db8:c::80"], ttl: 42 };
 * if (hit.ttl > 60) throw new Error("unexpected");
 * ```
 */
export interface CachedFamily {
  /** 4 for A records, 6 for AAAA. */
  readonly family: 4 | 6;
  /** The addresses, in the order the answer gave them. */
  readonly addresses: readonly string[];
  /** Whole seconds left before the answer expires (at least 1). */
  readonly ttl: number;
}

interface Entry {
  readonly pvdId: PvdId;
  readonly addresses: readonly string[];
  /** Clock time (ms) at which the answer stops being served. */
  readonly expiresAt: number;
}

const DEFAULT_MAX_ENTRIES = 1_024;
const DEFAULT_MAX_TTL = 3_600;

/**
 * A TTL-bounded, least-recently-used cache of address answers per PvD.
 * Times are the caller's clock (ms), so that it runs on virtual time in
 * tests. A name is matched as given, ASCII letters folded (DNS names are
 * case-insensitive, RFC 4343); a trailing dot makes another name, since it
 * turns the search list off.
 *
 * @example An answer served back in its PvD only, until its TTL runs out
 * ```ts
 * import { DnsCache } from "./dns_cache.ts";
 *
 * const cache = new DnsCache();
 * const a = { pvdId: "pvd.a.example", dnsServers: ["2001:db8:a::53"], searchDomains: [] };
 * const b = { pvdId: "pvd.b.example", dnsServers: ["2001:db8:b::53"], searchDomains: [] };
 * cache.store(a, "WWW.example", { family: 6, addresses: ["2001:db8:a::80"], ttl: 60 }, 0);
 * if (cache.lookup(a, "www.example", 6, 59_000)?.ttl !== 1) throw new Error("should be served");
 * if (cache.lookup(b, "www.example", 6, 0) !== undefined) throw new Error("leaked into another PvD");
 * if (cache.lookup(a, "www.example", 6, 60_000) !== undefined) throw new Error("served after its TTL");
 * ```
 */
export class DnsCache {
  readonly #maxEntries: number;
  readonly #maxTtl: number;
  /** Insertion order is recency order: a hit moves its entry to the end. */
  readonly #entries = new Map<string, Entry>();
  #hits = 0;
  #misses = 0;

  /**
   * Makes an empty cache.
   *
   * @param options Size and longest TTL.
   * @throws {RangeError} If `maxEntries` is not a positive integer or `maxTtl` is negative.
   */
  constructor(options: DnsCacheOptions = {}) {
    const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    const maxTtl = options.maxTtl ?? DEFAULT_MAX_TTL;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`Cannot make a DNS cache: maxEntries ${maxEntries} is not a positive integer`);
    }
    if (!(maxTtl >= 0)) throw new RangeError(`Cannot make a DNS cache: maxTtl ${maxTtl} is not a duration`);
    this.#maxEntries = maxEntries;
    this.#maxTtl = maxTtl;
  }

  /**
   * The answer for one family of `name` in the scope, if one is held and
   * has not expired at `now` (an expired one is dropped). Counts a hit or
   * a miss.
   *
   * @param scope The PvD and what its resolution depends on.
   * @param name The name as asked.
   * @param family 4 or 6.
   * @param now The clock's time, in ms.
   * @returns The answer, or undefined.
   */
  lookup(scope: DnsCacheScope, name: string, family: 4 | 6, now: number): CachedFamily | undefined {
    const key = keyOf(scope, name, family);
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.expiresAt <= now) {
      if (entry !== undefined) this.#entries.delete(key);
      this.#misses++;
      return undefined;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    this.#hits++;
    return { family, addresses: entry.addresses, ttl: Math.max(1, Math.floor((entry.expiresAt - now) / 1_000)) };
  }

  /**
   * Keeps one family's answer for `min(ttl, maxTtl)` seconds from `now`;
   * an answer with no TTL, or a TTL of 0, is not kept (RFC 1035 section
   * 3.2.1: zero means use once).
   *
   * @param scope The PvD and what its resolution depends on.
   * @param name The name as asked.
   * @param answer The family, its addresses (empty for a negative answer) and TTL in seconds.
   * @param now The clock's time, in ms.
   */
  store(
    scope: DnsCacheScope,
    name: string,
    answer: { readonly family: 4 | 6; readonly addresses: readonly string[]; readonly ttl?: number | undefined },
    now: number,
  ): void {
    const ttl = Math.min(answer.ttl ?? 0, this.#maxTtl);
    if (!(ttl > 0)) return;
    const key = keyOf(scope, name, answer.family);
    this.#entries.delete(key);
    this.#entries.set(key, { pvdId: scope.pvdId, addresses: [...answer.addresses], expiresAt: now + ttl * 1_000 });
    while (this.#entries.size > this.#maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
  }

  /**
   * Drops every answer of one PvD (one that went away), or all of them.
   *
   * @param pvdId The PvD; every PvD when absent.
   * @returns How many answers were dropped.
   */
  flush(pvdId?: PvdId): number {
    if (pvdId === undefined) {
      const size = this.#entries.size;
      this.#entries.clear();
      return size;
    }
    let dropped = 0;
    for (const [key, entry] of this.#entries) {
      if (entry.pvdId !== pvdId) continue;
      this.#entries.delete(key);
      dropped++;
    }
    return dropped;
  }

  /** What the cache holds and how often it answered. */
  stats(): DnsCacheStats {
    return { entries: this.#entries.size, maxEntries: this.#maxEntries, hits: this.#hits, misses: this.#misses };
  }
}

/** ASCII letters folded only (RFC 4343): other bytes of a name compare as they are. */
function foldAscii(name: string): string {
  return name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

function keyOf(scope: DnsCacheScope, name: string, family: 4 | 6): string {
  // NUL separates the parts: it cannot occur in a name the resolver takes or in an address.
  return [scope.pvdId, scope.dnsServers.join(","), scope.searchDomains.join(","), foldAscii(name), family].join("\0");
}
