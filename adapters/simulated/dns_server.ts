/**
 * A simulated DNS server: it decodes each query datagram with dns-packet
 * and encodes a real response from the records it holds. Several servers
 * holding different records for the same name make split-horizon DNS.
 *
 * @module
 */

import { parseIpAddress } from "../../core-as/ip_address.ts";
import {
  decodeQuery,
  type DnsRcode,
  encodeResponse,
  normalizeDnsName,
  type ResponseRecord,
} from "../dns/dns_message.ts";

/**
 * The records a server holds for one name.
 *
 * @example
 * ```ts
 * import { type DnsRecordSet, SimulatedDnsServer } from "./dns_server.ts";
 *
 * const records: DnsRecordSet = { A: ["203.0.113.80"], AAAA: ["2001:db8:c::80"], ttl: 60 };
 * new SimulatedDnsServer({ address: "192.0.2.53", records: { "host.example.com": records } });
 * ```
 */
export interface DnsRecordSet {
  /** IPv4 addresses. */
  readonly A?: readonly string[];
  /** IPv6 addresses. */
  readonly AAAA?: readonly string[];
  /** An alias: the name is another name's (the target may live on the same server). */
  readonly CNAME?: string;
  /** TTL of every record, in seconds; 300 when absent. */
  readonly ttl?: number;
}

/**
 * How a server misbehaves: answer every query with SERVFAIL or REFUSED, or
 * stay silent (the query is received and never answered).
 *
 * @example
 * ```ts
 * import { type DnsServerFailure, SimulatedDnsServer } from "./dns_server.ts";
 *
 * const failure: DnsServerFailure = "servfail";
 * const server = new SimulatedDnsServer({ address: "192.0.2.53", failure });
 * server.failure = undefined; // honest again
 * ```
 */
export type DnsServerFailure = "servfail" | "refused" | "silent";

/**
 * Replaces a server's answering: given the query datagram, returns the
 * datagrams to send back, in order (none, a forged one before the real
 * one, several). `server.answer(query)` gives the honest response.
 *
 * @example
 * ```ts
 * import { type DnsServerHandler, SimulatedDnsServer } from "./dns_server.ts";
 *
 * // Answer every query twice, as a duplicating network would.
 * const twice: DnsServerHandler = (query, server) => {
 *   const response = server.answer(query);
 *   return response ? [response, response] : [];
 * };
 * new SimulatedDnsServer({ address: "192.0.2.53", handler: twice });
 * ```
 */
export type DnsServerHandler = (
  query: Uint8Array,
  server: SimulatedDnsServer,
) => readonly Uint8Array[];

/**
 * Options for a {@linkcode SimulatedDnsServer}.
 *
 * @example
 * ```ts
 * import { type DnsServerOptions, SimulatedDnsServer } from "./dns_server.ts";
 *
 * const options: DnsServerOptions = { address: "2001:db8:a::53", records: { "a.example": { AAAA: ["2001:db8::a"] } } };
 * if (new SimulatedDnsServer(options).address !== "2001:db8:a::53") throw new Error("unexpected");
 * ```
 */
export interface DnsServerOptions {
  /** The server's address. */
  readonly address: string;
  /** Records by name. */
  readonly records?: Readonly<Record<string, DnsRecordSet>>;
  /** Misbehaviour; none when absent. */
  readonly failure?: DnsServerFailure;
  /** Replaces the answering entirely; see {@linkcode DnsServerHandler}. */
  readonly handler?: DnsServerHandler;
}

const DEFAULT_TTL = 300;
/** Most CNAME links the server follows inside its own records. */
const MAX_CHAIN = 8;

/**
 * A DNS server holding records by name. A name it does not hold gets
 * NXDOMAIN; a name it holds without records of the asked type gets an
 * empty NOERROR answer; query types other than A and AAAA get no data.
 *
 * @example
 * ```ts
 * import { SimulatedDnsServer } from "./dns_server.ts";
 * import { checkAddressResponse, encodeAddressQuery } from "../dns/dns_message.ts";
 *
 * const server = new SimulatedDnsServer({
 *   address: "2001:db8:a::53",
 *   records: { "host.example.com": { AAAA: ["2001:db8:c::80"] } },
 * });
 * const query = { id: 1, name: "host.example.com", type: "AAAA" as const };
 * const response = server.answer(encodeAddressQuery(query))!;
 * const check = checkAddressResponse(response, query);
 * if (check.kind !== "answer" || check.addresses[0] !== "2001:db8:c::80") throw new Error("unexpected");
 * ```
 */
export class SimulatedDnsServer {
  /** The server's address, canonical text. */
  readonly address: string;
  /** Misbehaviour, changeable at any time; `undefined` for an honest server. */
  failure: DnsServerFailure | undefined;
  /** Replacement answering, changeable at any time. */
  handler: DnsServerHandler | undefined;
  #records = new Map<string, DnsRecordSet>();
  #received = 0;

  /**
   * Makes a server.
   *
   * @param options Address, records, misbehaviour.
   */
  constructor(options: DnsServerOptions) {
    this.address = parseIpAddress(options.address).text;
    this.failure = options.failure;
    this.handler = options.handler;
    for (const [name, records] of Object.entries(options.records ?? {})) {
      this.setRecords(name, records);
    }
  }

  /**
   * How many query datagrams reached this server.
   *
   * @example
   * ```ts
   * import { SimulatedDnsServer } from "./dns_server.ts";
   *
   * if (new SimulatedDnsServer({ address: "192.0.2.53" }).received !== 0) throw new Error("unexpected");
   * ```
   */
  get received(): number {
    return this.#received;
  }

  /**
   * Sets (replaces) the records of `name`; addresses are checked and stored
   * canonical.
   *
   * @example
   * ```ts
   * import { SimulatedDnsServer } from "./dns_server.ts";
   *
   * const server = new SimulatedDnsServer({ address: "192.0.2.53" });
   * server.setRecords("www.example.com", { CNAME: "host.example.com" });
   * server.setRecords("host.example.com", { A: ["203.0.113.80"], ttl: 60 });
   * ```
   */
  setRecords(name: string, records: DnsRecordSet): void {
    const checked: DnsRecordSet = {
      ...(records.A ? { A: records.A.map((a) => addressOf(a, 4)) } : {}),
      ...(records.AAAA ? { AAAA: records.AAAA.map((a) => addressOf(a, 6)) } : {}),
      ...(records.CNAME !== undefined ? { CNAME: normalizeDnsName(records.CNAME) } : {}),
      ttl: records.ttl ?? DEFAULT_TTL,
    };
    this.#records.set(normalizeDnsName(name), checked);
  }

  /**
   * Removes every record of `name`: it then gets NXDOMAIN.
   *
   * @example
   * ```ts
   * import { SimulatedDnsServer } from "./dns_server.ts";
   *
   * const server = new SimulatedDnsServer({ address: "192.0.2.53", records: { "a.example": { A: ["192.0.2.1"] } } });
   * server.removeRecords("a.example");
   * ```
   */
  removeRecords(name: string): void {
    this.#records.delete(normalizeDnsName(name));
  }

  /**
   * The honest response to a query datagram, honouring `failure` except
   * `silent`; `undefined` for bytes that are not a standard query, which a
   * server drops.
   *
   * @example
   * ```ts
   * import { SimulatedDnsServer } from "./dns_server.ts";
   *
   * const server = new SimulatedDnsServer({ address: "192.0.2.53" });
   * if (server.answer(new Uint8Array([1, 2, 3])) !== undefined) throw new Error("unexpected");
   * ```
   */
  answer(query: Uint8Array): Uint8Array | undefined {
    const decoded = decodeQuery(query);
    if (decoded === undefined) return undefined;
    const question = { name: decoded.name, type: decoded.type };
    if (this.failure === "servfail" || this.failure === "refused") {
      return encodeResponse({
        id: decoded.id,
        question,
        rcode: this.failure === "servfail" ? "SERVFAIL" : "REFUSED",
      });
    }
    const answers: ResponseRecord[] = [];
    let rcode: DnsRcode = "NOERROR";
    let name = decoded.name;
    for (let hop = 0; hop <= MAX_CHAIN; hop++) {
      const records = this.#records.get(name);
      if (records === undefined) {
        // NXDOMAIN only for the name asked; a dangling alias target is
        // simply no data, as an authoritative server for the alias says.
        if (hop === 0) rcode = "NXDOMAIN";
        break;
      }
      const ttl = records.ttl ?? DEFAULT_TTL;
      if (records.CNAME !== undefined) {
        answers.push({ name, type: "CNAME", ttl, data: records.CNAME });
        name = records.CNAME;
        continue;
      }
      if (decoded.type === "A" || decoded.type === "AAAA") {
        for (const data of records[decoded.type] ?? []) {
          answers.push({ name, type: decoded.type, ttl, data });
        }
      }
      break;
    }
    return encodeResponse({ id: decoded.id, question, rcode, answers });
  }

  /**
   * What the server sends back for one query datagram: the handler's
   * datagrams when one is set, nothing when silent, else the honest answer.
   * Counts the query in {@linkcode SimulatedDnsServer.received}.
   *
   * @example
   * ```ts
   * import { SimulatedDnsServer } from "./dns_server.ts";
   *
   * const server = new SimulatedDnsServer({ address: "192.0.2.53", failure: "silent" });
   * if (server.receive(new Uint8Array(12)).length !== 0 || server.received !== 1) throw new Error("unexpected");
   * ```
   */
  receive(query: Uint8Array): readonly Uint8Array[] {
    this.#received++;
    if (this.handler !== undefined) return this.handler(query, this);
    if (this.failure === "silent") return [];
    const response = this.answer(query);
    return response === undefined ? [] : [response];
  }
}

function addressOf(text: string, family: 4 | 6): string {
  const parsed = parseIpAddress(text);
  if (parsed.family !== family) {
    throw new TypeError(
      `Cannot store record: ${text} is not an IPv${family} address`,
    );
  }
  return parsed.text;
}
