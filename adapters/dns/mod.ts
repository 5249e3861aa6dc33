/**
 * Runtime-neutral DNS for the adapters: address queries and response
 * checks over the dns-packet codec ({@linkcode encodeAddressQuery},
 * {@linkcode checkAddressResponse}), and a stub resolver for one
 * provisioning domain over a pluggable datagram transport
 * ({@linkcode resolveAddresses}). No `Deno.*` and no `node:` import: the
 * simulated network uses it in every runtime, the UDP adapters of real
 * hosts with sockets.
 *
 * dns-packet works on Node's `Buffer`; Deno and Node provide it, a browser
 * bundle needs a `Buffer` polyfill.
 *
 * @example Build a query and check a response to it
 * ```ts
 * import { checkAddressResponse, encodeAddressQuery, encodeResponse } from "./mod.ts";
 *
 * const query = { id: 4242, name: "host.example.com", type: "AAAA" as const };
 * const wire = encodeAddressQuery(query);
 * if (wire.length < 12) throw new Error("unexpected");
 * const response = encodeResponse({
 *   id: 4242,
 *   question: query,
 *   answers: [{ name: "host.example.com", type: "AAAA", ttl: 300, data: "2001:db8::1" }],
 * });
 * const check = checkAddressResponse(response, query);
 * if (check.kind !== "answer" || check.addresses[0] !== "2001:db8::1") throw new Error("unexpected");
 * ```
 *
 * @module
 */

export * from "./dns_message.ts";
export * from "./stub_resolver.ts";

// The API types this module's signatures use, re-exported so that its
// documentation stands on its own.
export type { Clock, ResolvedFamily, ResolveQuery, TimerHandle } from "../../api/network_link.ts";
export type { InterfaceId, PvdId } from "../../api/messages.ts";
