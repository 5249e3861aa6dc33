/**
 * DNS messages for address lookups (RFC 1035 section 4, AAAA from RFC 3596):
 * build a query, check that a datagram is the response to it, and pull the
 * addresses out. Runtime-neutral: the simulated network and the UDP
 * adapters of real hosts share it.
 *
 * @module
 */

import { parseIpAddress } from "../../core-as/ip_address.ts";
import {
  AUTHORITATIVE_ANSWER,
  decodePacket,
  encodePacket,
  type PacketAnswer,
  RECURSION_AVAILABLE,
  RECURSION_DESIRED,
  TRUNCATED_RESPONSE,
} from "./_dns_packet.ts";

/**
 * The record types an address lookup asks for.
 *
 * @example
 * ```ts
 * import { type AddressRecordType, encodeAddressQuery } from "./dns_message.ts";
 *
 * const types: AddressRecordType[] = ["AAAA", "A"];
 * const queries = types.map((type, id) => encodeAddressQuery({ id, name: "a.example", type }));
 * if (queries.length !== 2) throw new Error("unexpected");
 * ```
 */
export type AddressRecordType = "A" | "AAAA";

/**
 * Response codes (RFC 1035 section 4.1.1) the lookup code tells apart.
 *
 * @example
 * ```ts
 * import { checkAddressResponse, type DnsRcode, encodeResponse } from "./dns_message.ts";
 *
 * const rcode: DnsRcode = "REFUSED";
 * const response = encodeResponse({ id: 1, question: { name: "a.example", type: "A" }, rcode });
 * if (checkAddressResponse(response, { id: 1, name: "a.example", type: "A" }).kind !== "server-failure") {
 *   throw new Error("unexpected");
 * }
 * ```
 */
export type DnsRcode =
  | "NOERROR"
  | "FORMERR"
  | "SERVFAIL"
  | "NXDOMAIN"
  | "NOTIMP"
  | "REFUSED";

const RCODE_NUMBERS: Readonly<Record<DnsRcode, number>> = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
};

/** Byte offset of the question section: right after the fixed 12-byte header (RFC 1035 section 4.1.1). */
const HEADER_LENGTH = 12;
/** Byte offset of QDCOUNT in the header. */
const QDCOUNT_OFFSET = 4;
/** Most CNAME links followed inside one answer section; a longer chain is treated as a loop. */
const MAX_CNAME_CHAIN = 8;

/**
 * The question of an address query.
 *
 * @example
 * ```ts
 * import type { AddressQuestion } from "./dns_message.ts";
 *
 * const question: AddressQuestion = { name: "host.example.com", type: "AAAA" };
 * if (question.type !== "AAAA") throw new Error("unexpected");
 * ```
 */
export interface AddressQuestion {
  /** The name, as {@linkcode normalizeDnsName} returns it. */
  readonly name: string;
  /** A or AAAA. */
  readonly type: AddressRecordType;
}

/**
 * An address query as sent: identifier and question.
 *
 * @example
 * ```ts
 * import { type AddressQuery, encodeAddressQuery } from "./dns_message.ts";
 *
 * const query: AddressQuery = { id: 0x2a2a, name: "host.example.com", type: "A" };
 * if (encodeAddressQuery(query)[0] !== 0x2a) throw new Error("unexpected");
 * ```
 */
export interface AddressQuery extends AddressQuestion {
  /** The 16-bit message identifier (RFC 1035 section 4.1.1 ID). */
  readonly id: number;
}

/**
 * Lowercases a name and strips one trailing dot, checking the limits of
 * RFC 1035 section 2.3.4: labels of 1 to 63 bytes, at most 253 characters.
 * Throws a `SyntaxError` when the name breaks them.
 *
 * Only ASCII letters are folded: DNS compares names ASCII-case-insensitively
 * (RFC 4343), and internationalised names arrive here already as A-labels.
 *
 * @example
 * ```ts
 * import { normalizeDnsName } from "./dns_message.ts";
 *
 * if (normalizeDnsName("Host.Example.COM.") !== "host.example.com") throw new Error("unexpected");
 * ```
 */
export function normalizeDnsName(name: string): string {
  const stripped = name.endsWith(".") ? name.slice(0, -1) : name;
  const lower = stripped.replace(/[A-Z]/g, (c) => c.toLowerCase());
  if (lower.length === 0) {
    throw new SyntaxError(`Cannot use DNS name "${name}": it is empty`);
  }
  if (lower.length > 253) {
    throw new SyntaxError(
      `Cannot use DNS name "${name}": it is longer than 253 characters`,
    );
  }
  const encoder = new TextEncoder();
  for (const label of lower.split(".")) {
    const length = encoder.encode(label).length;
    if (length === 0) {
      throw new SyntaxError(
        `Cannot use DNS name "${name}": it has an empty label`,
      );
    }
    if (length > 63) {
      throw new SyntaxError(
        `Cannot use DNS name "${name}": label "${label}" is longer than 63 bytes`,
      );
    }
  }
  return lower;
}

/**
 * Builds the wire form of an A or AAAA query with recursion desired, as a
 * stub resolver sends it. The name is normalised first.
 *
 * @example
 * ```ts
 * import { encodeAddressQuery } from "./dns_message.ts";
 *
 * const bytes = encodeAddressQuery({ id: 0x1234, name: "host.example.com", type: "AAAA" });
 * if (bytes[0] !== 0x12 || bytes[1] !== 0x34) throw new Error("unexpected");
 * ```
 */
export function encodeAddressQuery(query: AddressQuery): Uint8Array {
  checkId(query.id);
  return encodePacket({
    type: "query",
    id: query.id,
    flags: RECURSION_DESIRED,
    questions: [{
      name: normalizeDnsName(query.name),
      type: query.type,
      class: "IN",
    }],
  });
}

/**
 * Decodes a query as a server receives it. Returns `undefined` for bytes
 * that are not a standard query with exactly one IN question (a server
 * drops those), and the question's type as it appears when it is not A or
 * AAAA.
 *
 * @example
 * ```ts
 * import { decodeQuery, encodeAddressQuery } from "./dns_message.ts";
 *
 * const query = decodeQuery(encodeAddressQuery({ id: 7, name: "a.example", type: "A" }));
 * if (query?.id !== 7 || query.name !== "a.example" || query.type !== "A") throw new Error("unexpected");
 * ```
 */
export function decodeQuery(
  bytes: Uint8Array,
): { id: number; name: string; type: string } | undefined {
  let packet;
  try {
    packet = decodePacket(bytes);
  } catch {
    return undefined;
  }
  const question = packet.questions?.[0];
  if (
    packet.type !== "query" || packet.opcode !== "QUERY" ||
    packet.questions?.length !== 1 ||
    question === undefined || question.class !== "IN" || packet.id === undefined
  ) {
    return undefined;
  }
  let name: string;
  try {
    name = normalizeDnsName(question.name);
  } catch {
    return undefined;
  }
  return { id: packet.id, name, type: question.type };
}

/**
 * One record of a response built by {@linkcode encodeResponse}.
 *
 * @example
 * ```ts
 * import { encodeResponse, type ResponseRecord } from "./dns_message.ts";
 *
 * const alias: ResponseRecord = { name: "www.example.com", type: "CNAME", ttl: 300, data: "host.example.com" };
 * encodeResponse({ id: 1, question: { name: "www.example.com", type: "A" }, answers: [alias] });
 * ```
 */
export interface ResponseRecord {
  /** Owner name. */
  readonly name: string;
  /** A, AAAA or CNAME. */
  readonly type: "A" | "AAAA" | "CNAME";
  /** Time to live in seconds. */
  readonly ttl: number;
  /** The address (A, AAAA) or the canonical name (CNAME). */
  readonly data: string;
}

/**
 * What {@linkcode encodeResponse} builds.
 *
 * @example
 * ```ts
 * import { encodeResponse, type ResponseOptions } from "./dns_message.ts";
 *
 * const options: ResponseOptions = { id: 5, question: { name: "gone.example", type: "AAAA" }, rcode: "NXDOMAIN" };
 * if ((encodeResponse(options)[3]! & 0x0f) !== 3) throw new Error("unexpected");
 * ```
 */
export interface ResponseOptions {
  /** Identifier, copied from the query by an honest server. */
  readonly id: number;
  /** The question, copied from the query by an honest server. */
  readonly question: { readonly name: string; readonly type: string };
  /** Response code; NOERROR when absent. */
  readonly rcode?: DnsRcode;
  /** Answer section. */
  readonly answers?: readonly ResponseRecord[];
  /** Sets AA; true when absent. */
  readonly authoritative?: boolean;
  /** Sets TC. */
  readonly truncated?: boolean;
}

/**
 * Builds the wire form of a response, as a (simulated) server sends it.
 *
 * @example
 * ```ts
 * import { checkAddressResponse, encodeResponse } from "./dns_message.ts";
 *
 * const response = encodeResponse({
 *   id: 9,
 *   question: { name: "a.example", type: "A" },
 *   answers: [{ name: "a.example", type: "A", ttl: 60, data: "192.0.2.1" }],
 * });
 * const result = checkAddressResponse(response, { id: 9, name: "a.example", type: "A" });
 * if (result.kind !== "answer" || result.addresses[0] !== "192.0.2.1") throw new Error("unexpected");
 * ```
 */
export function encodeResponse(options: ResponseOptions): Uint8Array {
  checkId(options.id);
  const rcode = RCODE_NUMBERS[options.rcode ?? "NOERROR"];
  let flags = RECURSION_DESIRED | RECURSION_AVAILABLE | rcode;
  if (options.authoritative ?? true) flags |= AUTHORITATIVE_ANSWER;
  if (options.truncated) flags |= TRUNCATED_RESPONSE;
  return encodePacket({
    type: "response",
    id: options.id,
    // dns-packet writes no RCODE of its own: it goes in the low four bits.
    flags,
    questions: [{
      name: options.question.name,
      type: options.question.type,
      class: "IN",
    }],
    answers: (options.answers ?? []).map((r) => ({
      name: r.name,
      type: r.type,
      class: "IN",
      ttl: r.ttl,
      data: r.data,
    })),
  });
}

/**
 * The verdict on a datagram received for an address query:
 * - `answer`: the addresses (canonical text, in answer order) and the
 *   smallest TTL among the records used;
 * - `nxdomain`: the name does not exist (RCODE 3);
 * - `no-data`: the name exists but has no record of the type; `ttl` is
 *   how long that may be remembered, from the SOA record of the authority
 *   section (RFC 2308 section 5: the smaller of its TTL and its MINIMUM),
 *   absent without one (RFC 2308 section 5: such an answer is not to be
 *   cached);
 * - `server-failure`: SERVFAIL, REFUSED, NOTIMP or FORMERR: ask another server;
 * - `truncated`: TC set, retry over TCP;
 * - `mismatch`: not the response to this query (undecodable, not a
 *   response, other identifier or question): ignore it and keep waiting,
 *   as RFC 5452 section 9.1 requires of a resolver.
 *
 * @example
 * ```ts
 * import { type AddressResponseCheck, checkAddressResponse, encodeResponse } from "./dns_message.ts";
 *
 * const query = { id: 8, name: "a.example", type: "A" as const };
 * const check: AddressResponseCheck = checkAddressResponse(encodeResponse({ id: 8, question: query }), query);
 * switch (check.kind) {
 *   case "no-data":
 *     break; // the name exists, without an A record
 *   default:
 *     throw new Error(check.kind);
 * }
 * ```
 */
export type AddressResponseCheck =
  | {
    readonly kind: "answer";
    readonly addresses: readonly string[];
    readonly ttl: number;
  }
  | { readonly kind: "nxdomain" }
  | { readonly kind: "no-data"; readonly ttl?: number }
  | { readonly kind: "server-failure"; readonly rcode: string }
  | { readonly kind: "truncated" }
  | {
    readonly kind: "mismatch";
    readonly reason: string;
    /** Which check failed, for counting; `reason` says it in words. */
    readonly mismatch: Exclude<DnsMismatchKind, "source">;
  };

/**
 * Why a message was not taken as the response to a query (RFC 5452
 * section 9.1: a resolver accepts a response only from the address and
 * port it queried, with the query's identifier and question):
 * - `source`: it came from another address or port than the server asked
 *   (seen by the transport, which drops it);
 * - `undecodable`: the bytes are not a DNS message;
 * - `not-response`: QR is clear (a query, perhaps our own reflected);
 * - `identifier`: another message identifier;
 * - `opcode`: another opcode than QUERY;
 * - `question`: another question section than the one sent.
 *
 * @example Count ignored answers by kind
 * ```ts
 * import { checkAddressResponse, type DnsMismatchKind, encodeResponse } from "./dns_message.ts";
 *
 * const counts = new Map<DnsMismatchKind, number>();
 * const query = { id: 7, name: "a.example", type: "A" as const };
 * const check = checkAddressResponse(encodeResponse({ id: 8, question: query }), query);
 * if (check.kind === "mismatch") counts.set(check.mismatch, (counts.get(check.mismatch) ?? 0) + 1);
 * if (counts.get("identifier") !== 1) throw new Error("unexpected");
 * ```
 */
export type DnsMismatchKind =
  | "source"
  | "undecodable"
  | "not-response"
  | "identifier"
  | "opcode"
  | "question";

/**
 * Checks that `bytes` is the response to `query` and extracts its
 * addresses. The identifier must match, and the question section must be
 * byte for byte the one sent (ASCII case aside), which also rules out a
 * label with an embedded dot posing as two labels. CNAME chains inside the
 * answer section are followed; records of other owners are ignored (RFC 5452
 * section 6: only data for the question's name, or its aliases, is taken).
 *
 * @example Reject a response with another identifier
 * ```ts
 * import { checkAddressResponse, encodeResponse } from "./dns_message.ts";
 *
 * const spoofed = encodeResponse({ id: 1, question: { name: "a.example", type: "A" } });
 * const result = checkAddressResponse(spoofed, { id: 2, name: "a.example", type: "A" });
 * if (result.kind !== "mismatch") throw new Error("unexpected");
 * ```
 */
export function checkAddressResponse(
  bytes: Uint8Array,
  query: AddressQuery,
): AddressResponseCheck {
  let packet;
  try {
    packet = decodePacket(bytes);
  } catch (error) {
    return {
      kind: "mismatch",
      reason: `cannot decode: ${error instanceof Error ? error.message : String(error)}`,
      mismatch: "undecodable",
    };
  }
  if (packet.type !== "response") {
    return { kind: "mismatch", reason: "not a response", mismatch: "not-response" };
  }
  if (packet.id !== query.id) {
    return {
      kind: "mismatch",
      reason: `identifier ${packet.id} is not ${query.id}`,
      mismatch: "identifier",
    };
  }
  if (packet.opcode !== "QUERY") {
    return { kind: "mismatch", reason: `opcode ${packet.opcode} is not QUERY`, mismatch: "opcode" };
  }
  if (!sameQuestionSection(bytes, query)) {
    return { kind: "mismatch", reason: "question differs from the query", mismatch: "question" };
  }

  if (packet.flag_tc) return { kind: "truncated" };
  const rcode = packet.rcode ?? "NOERROR";
  if (rcode === "NXDOMAIN") return { kind: "nxdomain" };
  if (rcode !== "NOERROR") return { kind: "server-failure", rcode };

  const family = query.type === "A" ? 4 : 6;
  const answers: readonly PacketAnswer[] = packet.answers ?? [];
  const addresses: string[] = [];
  let ttl = Infinity;
  let owner = normalizeDnsName(query.name);
  for (let hop = 0; hop <= MAX_CNAME_CHAIN; hop++) {
    let alias: string | undefined;
    for (const record of answers) {
      if (
        record.class !== "IN" || typeof record.name !== "string" ||
        lowerAscii(record.name) !== owner
      ) continue;
      if (record.type === query.type && typeof record.data === "string") {
        const address = addressOfFamily(record.data, family);
        if (address === undefined) continue; // A malformed record is skipped, not trusted.
        if (!addresses.includes(address)) addresses.push(address);
        ttl = Math.min(ttl, record.ttl ?? 0);
      } else if (
        record.type === "CNAME" && typeof record.data === "string" &&
        alias === undefined
      ) {
        alias = lowerAscii(record.data);
        ttl = Math.min(ttl, record.ttl ?? 0);
      }
    }
    if (addresses.length > 0 || alias === undefined) break;
    owner = alias;
  }
  if (addresses.length === 0) {
    const negative = negativeTtl(packet.authorities ?? []);
    return negative === undefined ? { kind: "no-data" } : { kind: "no-data", ttl: negative };
  }
  return { kind: "answer", addresses, ttl };
}

/**
 * RFC 2308 section 5: a negative answer is remembered for the smaller of
 * the authority section's SOA TTL and the SOA's MINIMUM field; without an
 * SOA, not at all.
 */
function negativeTtl(authorities: readonly PacketAnswer[]): number | undefined {
  for (const record of authorities) {
    if (record.type !== "SOA" || record.class !== "IN") continue;
    const minimum = (record.data as { minimum?: unknown } | undefined)?.minimum;
    if (typeof minimum !== "number" || typeof record.ttl !== "number") continue;
    return Math.min(record.ttl, minimum);
  }
  return undefined;
}

/** Largest DNS message a 2-byte TCP length prefix can carry (RFC 1035 section 4.2.2). */
const MAX_TCP_MESSAGE = 0xffff;

/**
 * Frames a DNS message for TCP: the 2-byte length, most significant byte
 * first, then the message (RFC 1035 section 4.2.2; RFC 7766 section 8:
 * "DNS clients and servers SHOULD pass the two-octet length field, and the
 * message described by that length field, to the TCP layer at the same
 * time", which one buffer does). Throws a `RangeError` for a message longer
 * than 65,535 bytes.
 *
 * @example
 * ```ts
 * import { encodeAddressQuery, frameDnsTcpMessage } from "./dns_message.ts";
 *
 * const query = encodeAddressQuery({ id: 1, name: "a.example", type: "A" });
 * const framed = frameDnsTcpMessage(query);
 * if (framed.length !== query.length + 2 || framed[1] !== query.length) throw new Error("unexpected");
 * ```
 */
export function frameDnsTcpMessage(message: Uint8Array): Uint8Array {
  if (message.length > MAX_TCP_MESSAGE) {
    throw new RangeError(
      `Cannot frame DNS message for TCP: it has ${message.length} bytes, more than 65535`,
    );
  }
  const framed = new Uint8Array(message.length + 2);
  framed[0] = message.length >> 8;
  framed[1] = message.length & 0xff;
  framed.set(message, 2);
  return framed;
}

/**
 * Splits a TCP byte stream from a DNS server back into messages (RFC 1035
 * section 4.2.2 framing): feed it each chunk as it comes, in order, and it
 * returns the messages completed by that chunk. A message may span chunks
 * and a chunk may hold several messages.
 *
 * @example A response that arrives in two pieces
 * ```ts
 * import { DnsTcpReader, encodeAddressQuery, frameDnsTcpMessage } from "./dns_message.ts";
 *
 * const framed = frameDnsTcpMessage(encodeAddressQuery({ id: 1, name: "a.example", type: "A" }));
 * const reader = new DnsTcpReader();
 * const first = reader.push(framed.subarray(0, 5)); // the length and 3 bytes: nothing whole yet
 * const waiting = reader.pending;
 * const [message] = reader.push(framed.subarray(5));
 * if (first.length !== 0 || waiting !== 5) throw new Error("unexpected");
 * if (message?.length !== framed.length - 2 || reader.pending !== 0) throw new Error("unexpected");
 * ```
 */
export class DnsTcpReader {
  #buffered: Uint8Array = new Uint8Array(0);

  /** Bytes received and not yet part of a whole message. */
  get pending(): number {
    return this.#buffered.length;
  }

  /**
   * Takes the next chunk of the stream.
   *
   * @param chunk Bytes as they came off the connection.
   * @returns Every message this chunk completed, each a fresh copy without its length prefix.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    let buffered: Uint8Array;
    if (this.#buffered.length === 0) buffered = chunk;
    else {
      buffered = new Uint8Array(this.#buffered.length + chunk.length);
      buffered.set(this.#buffered);
      buffered.set(chunk, this.#buffered.length);
    }
    const messages: Uint8Array[] = [];
    let at = 0;
    while (buffered.length - at >= 2) {
      const length = (buffered[at]! << 8) | buffered[at + 1]!;
      if (buffered.length - at - 2 < length) break;
      messages.push(buffered.slice(at + 2, at + 2 + length));
      at += 2 + length;
    }
    // A copy, so that the caller may reuse the chunk it gave.
    this.#buffered = buffered.slice(at);
    return messages;
  }
}

function addressOfFamily(text: string, family: 4 | 6): string | undefined {
  try {
    const parsed = parseIpAddress(text);
    return parsed.family === family && parsed.zone === undefined ? parsed.text : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Compares the response's question section with the one the query carried.
 * A query's question sits right after the header and cannot be compressed
 * (nothing precedes it to point at), so the same bytes must be there.
 */
function sameQuestionSection(
  response: Uint8Array,
  query: AddressQuery,
): boolean {
  const sent = encodeAddressQuery(query);
  if (response.length < sent.length) return false;
  if (response[QDCOUNT_OFFSET] !== 0 || response[QDCOUNT_OFFSET + 1] !== 1) {
    return false;
  }
  for (let i = HEADER_LENGTH; i < sent.length; i++) {
    if (foldAsciiByte(response[i]!) !== foldAsciiByte(sent[i]!)) return false;
  }
  return true;
}

function foldAsciiByte(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
}

function lowerAscii(name: string): string {
  const stripped = name.endsWith(".") ? name.slice(0, -1) : name;
  return stripped.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

function checkId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > 0xffff) {
    throw new RangeError(
      `Cannot build DNS message: identifier ${id} is not an integer from 0 to 65535`,
    );
  }
}
