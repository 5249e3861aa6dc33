// A DNS server on 127.0.0.1 and ::1 for the host adapter's tests: UDP and
// TCP on one port, answers from a table, UDP answers longer than a limit
// truncated (TC) as dnsmasq does without EDNS, and optional forgeries sent
// before each real UDP answer. Needs --allow-net=127.0.0.1,[::1].

import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createServer, type Server, type Socket } from "node:net";
import {
  decodeQuery,
  DnsTcpReader,
  encodeResponse,
  frameDnsTcpMessage,
  type ResponseRecord,
} from "../adapters/dns/mod.ts";

/** The forgeries the server can send before a real UDP answer, each failing one check. */
export type Forgery = "identifier" | "question" | "port";

/** What the loopback server holds and how it behaves. */
export interface LoopbackDnsOptions {
  /** Addresses by name; other names get NXDOMAIN. */
  readonly records: Readonly<Record<string, { readonly A?: readonly string[]; readonly AAAA?: readonly string[] }>>;
  /** UDP answers longer than this many bytes are truncated (512 when absent, RFC 1035 section 4.2.1). */
  readonly udpLimit?: number;
  /** Whether to listen on TCP too (true when absent). */
  readonly tcp?: boolean;
  /** Forgeries sent before each real UDP answer, which then waits 20 ms. */
  readonly forge?: readonly Forgery[];
  /** Names whose queries are logged and never answered. */
  readonly silent?: readonly string[];
}

/** A running loopback server. */
export interface LoopbackDns {
  /** The port of every socket (UDP and TCP, both families). */
  readonly port: number;
  /** Each query as `udp|tcp SOURCE TYPE NAME`. */
  readonly log: string[];
  /** The source port of each UDP query, in order. */
  readonly udpPorts: number[];
  /** Closes every socket and connection. */
  close(): Promise<void>;
}

/** The address a forgery carries, so a test can see it was never taken. */
export const FORGED = { A: "192.0.2.66", AAAA: "2001:db8:bad::66" } as const;

function bind(socket: UdpSocket, port: number, address: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, address, () => {
      socket.off("error", reject);
      resolve();
    });
  });
}

function listen(server: Server, port: number, address: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, address, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** Starts the server on a port free on both loopback addresses, for UDP and TCP. */
export async function startLoopbackDns(options: LoopbackDnsOptions): Promise<LoopbackDns> {
  const log: string[] = [];
  const udpPorts: number[] = [];
  const limit = options.udpLimit ?? 512;
  const respond = (bytes: Uint8Array, via: "udp" | "tcp", source: string): Uint8Array | undefined => {
    const query = decodeQuery(bytes);
    if (query === undefined) return undefined;
    log.push(`${via} ${source} ${query.type} ${query.name}`);
    if (options.silent?.includes(query.name)) return undefined;
    const records = options.records[query.name];
    if (records === undefined) return encodeResponse({ id: query.id, question: query, rcode: "NXDOMAIN" });
    const type = query.type === "A" || query.type === "AAAA" ? query.type : undefined;
    const answers: ResponseRecord[] = (type ? records[type] ?? [] : []).map((data) => ({
      name: query.name,
      type: type!,
      ttl: 60,
      data,
    }));
    const full = encodeResponse({ id: query.id, question: query, answers });
    if (via === "tcp" || full.length <= limit) return full;
    // As dnsmasq: TC set, with what fits (here three records) — never to be used.
    return encodeResponse({ id: query.id, question: query, answers: answers.slice(0, 3), truncated: true });
  };

  for (let tries = 0;; tries++) {
    const udp4 = createSocket("udp4");
    const udp6 = createSocket("udp6");
    const tcp4 = createServer();
    const tcp6 = createServer();
    const forger4 = createSocket("udp4");
    const forger6 = createSocket("udp6");
    const connections = new Set<Socket>();
    const closeAll = async () => {
      for (const c of connections) c.destroy();
      const closeUdp = (s: UdpSocket) =>
        new Promise<void>((resolve) => {
          try {
            s.close(() => resolve());
          } catch {
            resolve();
          }
        });
      const closeTcp = (s: Server) =>
        new Promise<void>((resolve) => s.listening ? s.close(() => resolve()) : resolve());
      await Promise.all([closeUdp(udp4), closeUdp(udp6), closeUdp(forger4), closeUdp(forger6)]);
      await Promise.all([closeTcp(tcp4), closeTcp(tcp6)]);
    };
    let port: number;
    try {
      await bind(udp4, 0, "127.0.0.1");
      port = udp4.address().port;
      await bind(udp6, port, "::1");
      await bind(forger4, 0, "127.0.0.1");
      await bind(forger6, 0, "::1");
      if (options.tcp ?? true) {
        await listen(tcp4, port, "127.0.0.1");
        await listen(tcp6, port, "::1");
      }
    } catch (error) {
      await closeAll();
      if (tries < 10) continue;
      throw error;
    }
    for (const [socket, forger] of [[udp4, forger4], [udp6, forger6]] as const) {
      socket.on("message", (message, from) => {
        const bytes = new Uint8Array(message);
        udpPorts.push(from.port);
        const response = respond(bytes, "udp", from.address);
        if (response === undefined) return;
        const forgeries = options.forge ?? [];
        const query = decodeQuery(bytes)!;
        for (const forgery of forgeries) {
          const type = query.type === "A" ? "A" : "AAAA";
          const record = (name: string) => [{ name, type, ttl: 60, data: FORGED[type] } as const];
          if (forgery === "identifier") {
            const id = query.id ^ 0x5a5a;
            socket.send(encodeResponse({ id, question: query, answers: record(query.name) }), from.port, from.address);
          } else if (forgery === "question") {
            const question = { name: `evil.${query.name}`, type: query.type };
            const forged = encodeResponse({ id: query.id, question, answers: record(question.name) });
            socket.send(forged, from.port, from.address);
          } else {
            const forged = encodeResponse({ id: query.id, question: query, answers: record(query.name) });
            forger.send(forged, from.port, from.address);
          }
        }
        const send = () => {
          try {
            socket.send(response, from.port, from.address);
          } catch {
            // Closed meanwhile: the test is over.
          }
        };
        if (forgeries.length > 0) setTimeout(send, 20);
        else send();
      });
    }
    for (const server of [tcp4, tcp6]) {
      server.on("connection", (connection) => {
        connections.add(connection);
        connection.on("error", () => {});
        connection.on("close", () => connections.delete(connection));
        const reader = new DnsTcpReader();
        connection.on("data", (chunk: Uint8Array) => {
          for (const message of reader.push(new Uint8Array(chunk))) {
            const response = respond(message, "tcp", connection.remoteAddress ?? "?");
            if (response !== undefined) connection.write(frameDnsTcpMessage(response));
          }
        });
      });
    }
    return { port, log, udpPorts, close: closeAll };
  }
}
