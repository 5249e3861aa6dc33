/**
 * A stub resolver for one provisioning domain: sends A and AAAA queries in
 * parallel to the PvD's own DNS servers, in order, with a timeout per try
 * and a number of rounds over the list, asks again over TCP when a UDP
 * answer is truncated and the transport can (RFC 7766), and yields each
 * address as its answer arrives. The transport is pluggable (the simulated
 * network, sockets on a real host) and time runs on a {@linkcode Clock}, so
 * the same code runs in virtual time under test.
 *
 * @module
 */

import { MifError } from "../../api/errors.ts";
import type { Clock, ResolvedFamily, ResolveQuery } from "../../api/network_link.ts";
import {
  type AddressQuery,
  type AddressRecordType,
  type AddressResponseCheck,
  checkAddressResponse,
  type DnsMismatchKind,
  encodeAddressQuery,
  normalizeDnsName,
} from "./dns_message.ts";

/**
 * Where a transport reports what happened to one query datagram.
 *
 * @example
 * ```ts
 * import type { DnsDatagramHandlers } from "./stub_resolver.ts";
 *
 * // What a transport with no route does: report it at once.
 * function noRoute(handlers: DnsDatagramHandlers): void {
 *   handlers.onUnreachable("no route to host");
 * }
 * ```
 */
export interface DnsDatagramHandlers {
  /**
   * A message arrived from the server queried: over UDP a datagram whose
   * source address and port are the server's, over TCP one message without
   * its length prefix. It may still be forged: it is checked.
   */
  onDatagram(bytes: Uint8Array): void;
  /**
   * The server cannot be reached (ICMP unreachable, no route, no source
   * address of its family; over TCP also a refused or closed connection);
   * nothing will follow.
   */
  onUnreachable(reason: string): void;
  /**
   * A datagram came that cannot be the response, from another address or
   * port than the server's (RFC 5452 section 9.1): the transport drops it
   * and only says so here, to be counted. The wait goes on.
   */
  onMismatch?(reason: string): void;
}

/**
 * One query in flight; closing it stops every report about it.
 *
 * @example
 * ```ts
 * import type { DnsExchange } from "./stub_resolver.ts";
 *
 * let open = true;
 * const exchange: DnsExchange = { close: () => (open = false) };
 * exchange.close();
 * if (open) throw new Error("unexpected");
 * ```
 */
export interface DnsExchange {
  /** Stops listening for responses and releases what the query holds. */
  close(): void;
}

/**
 * Sends DNS query datagrams and reports the datagrams that come back; may
 * also send a query over TCP, for answers too large for a datagram.
 *
 * @example
 * ```ts
 * import type { DnsTransport } from "./stub_resolver.ts";
 *
 * // A transport where every server is unreachable, over UDP and TCP.
 * const offline: DnsTransport = {
 *   send(_server, _query, handlers) {
 *     handlers.onUnreachable("network is down");
 *     return { close() {} };
 *   },
 *   sendTcp(_server, _query, handlers) {
 *     handlers.onUnreachable("network is down");
 *     return { close() {} };
 *   },
 * };
 * ```
 */
export interface DnsTransport {
  /**
   * Sends `query` to `server` (an address, canonical text) on port 53 and
   * reports what comes back until the returned exchange is closed. It may
   * call `handlers` synchronously. Datagrams from another address or port
   * go to `handlers.onMismatch`, never to `onDatagram`.
   */
  send(
    server: string,
    query: Uint8Array,
    handlers: DnsDatagramHandlers,
  ): DnsExchange;
  /**
   * Optional: sends `query` to `server` over TCP on port 53 (RFC 7766), from
   * the same source address `send` would use, with the 2-byte length prefix
   * (`frameDnsTcpMessage`), and reports each message read back through
   * `handlers.onDatagram` without its prefix until the exchange is closed;
   * `onUnreachable` when the connection cannot be made or ends first. The
   * resolver calls it when a UDP answer is truncated. Without it (the
   * simulated network), a truncated answer counts as none from that server.
   */
  sendTcp?(
    server: string,
    query: Uint8Array,
    handlers: DnsDatagramHandlers,
  ): DnsExchange;
}

/**
 * Options for {@linkcode resolveAddresses}.
 *
 * @example
 * ```ts
 * import { VirtualClock } from "../simulated/virtual_clock.ts";
 * import type { StubResolverOptions } from "./stub_resolver.ts";
 *
 * const options: StubResolverOptions = {
 *   transport: { send: (_s, _q, h) => (h.onUnreachable("offline"), { close() {} }) },
 *   clock: new VirtualClock(),
 *   timeoutMs: 1000,
 *   attempts: 3,
 * };
 * if (options.attempts !== 3) throw new Error("unexpected");
 * ```
 */
export interface StubResolverOptions {
  /** How query datagrams travel. */
  readonly transport: DnsTransport;
  /** The clock timeouts run on. */
  readonly clock: Clock;
  /** Draws a 16-bit query identifier; `crypto.getRandomValues` when absent. */
  readonly randomId?: () => number;
  /** How long to wait for one server's response, in ms; 2000 when absent. */
  readonly timeoutMs?: number;
  /** Rounds over the server list (RES_DFLRETRY style); 2 when absent. */
  readonly attempts?: number;
  /**
   * Called for each message that is not the response to the query (a
   * forgery, a late answer), with the server asked and why, in words and as
   * a {@linkcode DnsMismatchKind}. The message is ignored and the wait goes on.
   */
  readonly onMismatch?: (server: string, reason: string, kind: DnsMismatchKind) => void;
}

/** How one query over one protocol to one server ended. */
type ExchangeOutcome =
  | Exclude<AddressResponseCheck, { kind: "mismatch" }>
  | { readonly kind: "timeout" }
  | { readonly kind: "unreachable"; readonly reason: string }
  | { readonly kind: "aborted" };

/** How one try with one server ended: over TCP when the UDP answer was truncated. */
type TryOutcome = ExchangeOutcome & { readonly overTcp?: boolean };

/** How one record type's lookup of one name ended. */
type LookupResult =
  | { readonly kind: "answer"; readonly addresses: readonly string[]; readonly ttl: number }
  | { readonly kind: "no-data"; readonly ttl?: number }
  | { readonly kind: "nxdomain" | "failed" | "aborted" };

const DEFAULT_TIMEOUT_MS = 2000;
const DEFAULT_ATTEMPTS = 2;
/** Like the usual `ndots:1`: a name with no dot is tried with the search domains first. */
const NDOTS = 1;

function cryptoRandomId(): number {
  const bytes = new Uint16Array(1);
  crypto.getRandomValues(bytes);
  return bytes[0]!;
}

/**
 * The names a stub resolver tries for `name`, in order (the usual
 * `ndots:1` behaviour): a name ending with a dot is absolute and tried
 * alone; a name with a dot is tried as given, then with each search domain;
 * a single label is tried with each search domain, then as given. Names are
 * normalised; throws a `SyntaxError` for an invalid name.
 *
 * @example
 * ```ts
 * import { searchCandidates } from "./stub_resolver.ts";
 *
 * const names = searchCandidates("printer", ["corp.example"]);
 * if (names.join() !== "printer.corp.example,printer") throw new Error(names.join());
 * ```
 */
export function searchCandidates(
  name: string,
  searchDomains: readonly string[],
): string[] {
  const base = normalizeDnsName(name);
  if (name.endsWith(".")) return [base];
  const searched: string[] = [];
  for (const domain of searchDomains) {
    try {
      searched.push(normalizeDnsName(`${base}.${domain}`));
    } catch {
      // Too long with this domain: skip it, as resolvers do.
    }
  }
  const dots = base.split(".").length - 1;
  const ordered = dots >= NDOTS ? [base, ...searched] : [...searched, base];
  return [...new Set(ordered)];
}

/**
 * Resolves `query.name` in one PvD through `query.dnsServers` only, yielding
 * each family's answer as it arrives (addresses in canonical text, in the
 * server's order): AAAA and A (or the query's `families`) run in parallel
 * and whichever answers first is yielded first, so that Happy Eyeballs can
 * apply its resolution delay (RFC 8305 section 3). A family is yielded at
 * most once; an empty list is a final negative answer, given once the name
 * is known to have an address in the other family. Each record type
 * tries the servers in order, `timeoutMs` each, for `attempts` rounds; a
 * NOERROR or NXDOMAIN answer is final, SERVFAIL, REFUSED and timeouts move
 * on to the next server, and an unreachable server is not tried again. A
 * truncated UDP answer (TC) is asked again over TCP of the same server,
 * with the same query and a fresh `timeoutMs`, when the transport has
 * `sendTcp` (RFC 7766 section 5); otherwise, or when TCP fails too, the
 * next server is tried. Messages that are not the response (another
 * source, identifier or question) are ignored, reported to `onMismatch`,
 * and the wait goes on.
 *
 * Throws a {@linkcode MifError}: `no-dns-servers` when the list is empty,
 * `resolution-failed` naming the PvD and the servers tried when no address
 * came, `aborted` when `signal` fires.
 *
 * @example Resolve through a transport that answers at once
 * ```ts
 * import { VirtualClock } from "../simulated/virtual_clock.ts";
 * import { decodeQuery, encodeResponse } from "./dns_message.ts";
 * import { resolveAddresses } from "./stub_resolver.ts";
 *
 * const clock = new VirtualClock();
 * const transport = {
 *   send(_server: string, bytes: Uint8Array, handlers: { onDatagram(b: Uint8Array): void }) {
 *     const q = decodeQuery(bytes)!;
 *     const data = q.type === "A" ? "192.0.2.10" : "2001:db8::10";
 *     handlers.onDatagram(encodeResponse({
 *       id: q.id,
 *       question: q,
 *       answers: [{ name: q.name, type: q.type as "A" | "AAAA", ttl: 60, data }],
 *     }));
 *     return { close() {} };
 *   },
 * };
 * const query = {
 *   pvdId: "pvd.example", interfaceId: 1, name: "host.example",
 *   dnsServers: ["2001:db8::53"], searchDomains: [], sourceAddresses: [],
 * };
 * const found: string[] = [];
 * const signal = new AbortController().signal;
 * for await (const answer of resolveAddresses(query, signal, { transport, clock })) {
 *   found.push(`${answer.family}: ${answer.addresses.join()}`);
 * }
 * if (found.join(" ") !== "6: 2001:db8::10 4: 192.0.2.10") throw new Error(found.join());
 * ```
 */
export async function* resolveAddresses(
  query: ResolveQuery,
  signal: AbortSignal,
  options: StubResolverOptions,
): AsyncGenerator<ResolvedFamily> {
  const where = `Cannot resolve "${query.name}" in provisioning domain "${query.pvdId}"`;
  if (signal.aborted) {
    throw new MifError("aborted", `${where}: stopped`, {
      cause: signal.reason,
    });
  }
  if (query.dnsServers.length === 0) {
    throw new MifError("no-dns-servers", `${where}: it has no DNS server`);
  }
  let candidates: string[];
  try {
    candidates = searchCandidates(query.name, query.searchDomains);
  } catch (error) {
    throw new MifError(
      "resolution-failed",
      `${where}: ${(error as Error).message}`,
      { cause: error },
    );
  }

  // One controller stops every exchange, whether the caller aborts, stops
  // iterating, or the generator finishes with a lookup still running.
  const internal = new AbortController();
  const onAbort = () => internal.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  const aborted = new Promise<never>((_, reject) => {
    internal.signal.addEventListener(
      "abort",
      () =>
        reject(
          new MifError("aborted", `${where}: stopped`, {
            cause: signal.reason,
          }),
        ),
      { once: true },
    );
  });
  // The rejection is awaited through Promise.race below; this handler only
  // keeps an abort that happens while nobody races from being reported as
  // unhandled.
  aborted.catch(() => {});

  const context: LookupContext = {
    servers: dedupe(query.dnsServers),
    transport: options.transport,
    clock: options.clock,
    randomId: options.randomId ?? cryptoRandomId,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    attempts: Math.max(1, options.attempts ?? DEFAULT_ATTEMPTS),
    onMismatch: options.onMismatch,
    signal: internal.signal,
    tried: new Map(),
  };
  let sawNoData = false;
  let sawNxdomain = false;
  const types = recordTypes(query.families);
  try {
    for (const candidate of candidates) {
      const finished: { type: AddressRecordType; result: LookupResult }[] = [];
      let wake: (() => void) | undefined;
      for (const type of types) {
        // A lookup that throws (a failing transport or identifier source)
        // counts as failed rather than leaving the generator waiting.
        lookup(candidate, type, context).catch((): LookupResult => ({
          kind: "failed",
        })).then((result) => {
          finished.push({ type, result });
          wake?.();
        });
      }
      // A family with no address is only final once this name is known to
      // exist with some address: until then the next search name may answer.
      const negatives: ResolvedFamily[] = [];
      let answered = false;
      let done = 0;
      let allFailed = true;
      while (done < types.length) {
        if (finished.length === 0) {
          await Promise.race([
            new Promise<void>((resolve) => (wake = resolve)),
            aborted,
          ]);
          continue;
        }
        const { type, result } = finished.shift()!;
        const family = type === "A" ? 4 : 6;
        done++;
        if (result.kind === "aborted") await aborted;
        if (result.kind !== "failed") allFailed = false;
        if (result.kind === "no-data") sawNoData = true;
        if (result.kind === "nxdomain") sawNxdomain = true;
        const addresses = result.kind === "answer" ? dedupe(result.addresses) : [];
        // Only what the records said may be kept: a failure is never remembered.
        const ttl = result.kind === "answer" || result.kind === "no-data" ? result.ttl : undefined;
        const answer: ResolvedFamily = ttl === undefined ? { family, addresses } : { family, addresses, ttl };
        if (addresses.length === 0) {
          if (answered) yield answer;
          else negatives.push(answer);
        } else {
          if (!answered) yield* negatives;
          answered = true;
          yield answer;
        }
        if (internal.signal.aborted) await aborted;
      }
      if (answered) return;
      // Every server failed for this name: the next search domain would only
      // fail the same way, so stop here.
      if (allFailed) break;
    }
    const why = sawNoData ? "no address records" : sawNxdomain ? "name does not exist" : "no DNS server answered";
    const servers = [...context.tried].map(([server, outcome]) => `${server} (${outcome})`).join(", ") || "none";
    throw new MifError(
      "resolution-failed",
      `${where}: ${why}; servers tried: ${servers}`,
    );
  } finally {
    signal.removeEventListener("abort", onAbort);
    internal.abort();
  }
}

interface LookupContext {
  readonly servers: readonly string[];
  readonly transport: DnsTransport;
  readonly clock: Clock;
  readonly randomId: () => number;
  readonly timeoutMs: number;
  readonly attempts: number;
  readonly onMismatch: ((server: string, reason: string, kind: DnsMismatchKind) => void) | undefined;
  readonly signal: AbortSignal;
  /** Last outcome per server, for the error message. */
  readonly tried: Map<string, string>;
}

/** One record type of one name, server after server, round after round. */
async function lookup(
  name: string,
  type: AddressRecordType,
  context: LookupContext,
): Promise<LookupResult> {
  const unreachable = new Set<string>();
  for (let round = 0; round < context.attempts; round++) {
    for (const server of context.servers) {
      if (unreachable.has(server)) continue;
      if (context.signal.aborted) return { kind: "aborted" };
      const outcome = await tryServer(server, name, type, context);
      // After a truncated UDP answer, what TCP gave is said as such.
      const tcp = outcome.overTcp ? "truncated over UDP, then over TCP " : "";
      switch (outcome.kind) {
        case "answer":
          context.tried.set(server, outcome.overTcp ? "answered over TCP" : "answered");
          return { kind: "answer", addresses: outcome.addresses, ttl: outcome.ttl };
        case "nxdomain":
          context.tried.set(server, `${tcp}NXDOMAIN`);
          return { kind: "nxdomain" };
        case "no-data":
          context.tried.set(server, `${tcp}no ${type} record`);
          return outcome.ttl === undefined ? { kind: "no-data" } : { kind: "no-data", ttl: outcome.ttl };
        case "aborted":
          return { kind: "aborted" };
        case "unreachable":
          context.tried.set(server, `${tcp}unreachable: ${outcome.reason}`);
          // Over TCP, only TCP failed: the server still answers datagrams.
          if (!outcome.overTcp) unreachable.add(server);
          break;
        case "timeout":
          context.tried.set(server, `${tcp}timed out`);
          break;
        case "server-failure":
          context.tried.set(server, `${tcp}${outcome.rcode}`);
          break;
        case "truncated":
          // Without TCP (or truncated even there), a truncated answer is as
          // good as none: move on.
          context.tried.set(
            server,
            outcome.overTcp ? "truncated over UDP and over TCP" : "truncated, and the transport has no TCP",
          );
          break;
      }
    }
  }
  return { kind: "failed" };
}

/**
 * One query to one server over UDP and, when the answer is truncated and
 * the transport can, the same query (same identifier and question) over
 * TCP to the same server (RFC 7766 section 5: "the resolver SHOULD retry
 * using TCP").
 */
async function tryServer(
  server: string,
  name: string,
  type: AddressRecordType,
  context: LookupContext,
): Promise<TryOutcome> {
  const query: AddressQuery = { id: context.randomId() & 0xffff, name, type };
  const outcome = await exchange(server, query, context, "udp");
  const sendTcp = context.transport.sendTcp;
  if (outcome.kind !== "truncated" || sendTcp === undefined || context.signal.aborted) return outcome;
  return { ...await exchange(server, query, context, "tcp"), overTcp: true };
}

/** One query to one server over one protocol: the first message that is its response, or a timeout. */
function exchange(
  server: string,
  query: AddressQuery,
  context: LookupContext,
  protocol: "udp" | "tcp",
): Promise<ExchangeOutcome> {
  return new Promise((resolve) => {
    let finished = false;
    let handle: DnsExchange | undefined;
    const finish = (outcome: ExchangeOutcome) => {
      if (finished) return;
      finished = true;
      context.clock.clearTimer(timer);
      context.signal.removeEventListener("abort", onAbort);
      handle?.close();
      resolve(outcome);
    };
    const onAbort = () => finish({ kind: "aborted" });
    const timer = context.clock.setTimer(
      context.timeoutMs,
      () => finish({ kind: "timeout" }),
    );
    context.signal.addEventListener("abort", onAbort, { once: true });
    const handlers: DnsDatagramHandlers = {
      onDatagram(bytes) {
        if (finished) return;
        const check = checkAddressResponse(bytes, query);
        if (check.kind === "mismatch") {
          context.onMismatch?.(server, check.reason, check.mismatch);
          return;
        }
        finish(check);
      },
      onUnreachable(reason) {
        finish({ kind: "unreachable", reason });
      },
      onMismatch(reason) {
        if (!finished) context.onMismatch?.(server, reason, "source");
      },
    };
    try {
      const bytes = encodeAddressQuery(query);
      handle = protocol === "udp"
        ? context.transport.send(server, bytes, handlers)
        : context.transport.sendTcp!(server, bytes, handlers);
    } catch (error) {
      finish({
        kind: "unreachable",
        reason: error instanceof Error ? error.message : String(error),
      });
    }
    // The transport may have reported synchronously, before `handle` existed.
    if (finished) handle?.close();
  });
}

/** The record types to ask for, AAAA first: both unless the query names its families. */
function recordTypes(families: ResolveQuery["families"]): AddressRecordType[] {
  const asked = families ?? [6, 4];
  const types: AddressRecordType[] = [];
  if (asked.includes(6)) types.push("AAAA");
  if (asked.includes(4)) types.push("A");
  return types;
}

function dedupe(items: readonly string[]): string[] {
  return [...new Set(items)];
}
