// HostNetwork's DNS over real loopback sockets (tests/_loopback_dns.ts):
// TCP when a UDP answer is truncated, from the PvD's own address; what
// happens when the server has no TCP; answers from another port, with
// another identifier or question ignored and counted per PvD. Needs
// --allow-net=127.0.0.1,[::1]; skipped without it.

import { decodeAddressFlags, type HostFacts, HostNetwork } from "../adapters/host/mod.ts";
import { MifError } from "../api/errors.ts";
import { MifApi } from "../mod.ts";
import { createSocket } from "node:dgram";
import type { ResolvedFamily, ResolveQuery } from "../api/network_link.ts";
import { FORGED, startLoopbackDns } from "./_loopback_dns.ts";
import { assert, assertEquals, assertRejects } from "./_assert.ts";

const netAllowed = ["127.0.0.1", "[::1]"].every((host) =>
  Deno.permissions.querySync({ name: "net", host }).state === "granted"
);

function loopbackFacts(): HostFacts {
  return {
    links: [{ ifindex: 1, name: "lo", kind: "loopback", up: true, mtu: 65536 }],
    addresses: [
      { ifindex: 1, family: 6, address: "::1", prefixLength: 128, scope: "host", flags: decodeAddressFlags(0x80, 6) },
      { ifindex: 1, family: 4, address: "127.0.0.1", prefixLength: 8, scope: "host", flags: decodeAddressFlags(0, 4) },
    ],
    routes: [],
    dns: { servers: ["::1", "127.0.0.1"], searchDomains: [], links: [] },
  };
}

function network(port: number): HostNetwork {
  return new HostNetwork({
    sources: [{ name: "proc", limitations: [], read: () => Promise.resolve(loopbackFacts()) }],
    model: { includeLoopback: true },
    dnsPort: port,
    dnsTimeout: 1_000,
    dnsAttempts: 1,
  });
}

function query(family: 4 | 6, name: string): ResolveQuery {
  return {
    pvdId: `implicit:lo:ipv${family}`,
    interfaceId: 1,
    name,
    dnsServers: [family === 6 ? "::1" : "127.0.0.1"],
    searchDomains: [],
    sourceAddresses: [family === 6 ? "::1" : "127.0.0.1"],
  };
}

async function collect(answers: AsyncIterable<ResolvedFamily>): Promise<string[]> {
  const out: string[] = [];
  for await (const answer of answers) out.push(...answer.addresses);
  return out.sort();
}

/** 40 addresses of each family: about 700 and 1,150 bytes, over 512 either way. */
const many = {
  A: Array.from({ length: 40 }, (_, i) => `198.51.100.${i + 1}`),
  AAAA: Array.from({ length: 40 }, (_, i) => `2001:db8:b16::${(i + 1).toString(16)}`),
};

Deno.test({
  name: "host DNS: a truncated UDP answer is asked again over TCP, from the PvD's address, in both families",
  ignore: !netAllowed,
  async fn() {
    const dns = await startLoopbackDns({ records: { "big.test": many, "small.test": { A: ["192.0.2.1"] } } });
    const net = network(dns.port);
    try {
      await net.refresh();
      for (const family of [6, 4] as const) {
        const found = await collect(net.resolve(query(family, "big.test"), new AbortController().signal));
        assertEquals(found, [...many.A, ...many.AAAA].sort());
      }
      const source = (s: string) => s.replace("::ffff:", "");
      assertEquals(
        dns.log.map((line) => {
          const [via, from, type] = line.split(" ");
          return `${via} ${source(from!)} ${type}`;
        }).sort(),
        [
          "tcp 127.0.0.1 A",
          "tcp 127.0.0.1 AAAA",
          "tcp ::1 A",
          "tcp ::1 AAAA",
          "udp 127.0.0.1 A",
          "udp 127.0.0.1 AAAA",
          "udp ::1 A",
          "udp ::1 AAAA",
        ],
      );
      assertEquals(net.dnsCounters("implicit:lo:ipv6").tcpQueries, 2);
      assertEquals(net.dnsCounters("implicit:lo:ipv4").udpQueries, 2);
      assertEquals(net.dnsCounters().tcpQueries, 4);
      // A small answer stays on UDP.
      dns.log.length = 0;
      assertEquals(await collect(net.resolve(query(4, "small.test"), new AbortController().signal)), ["192.0.2.1"]);
      assert(dns.log.every((line) => line.startsWith("udp ")), dns.log.join());
      assertEquals(net.dnsCounters().tcpQueries, 4);
    } finally {
      await dns.close();
    }
  },
});

Deno.test({
  name: "host DNS: without TCP at the server, a truncated answer is no answer, and the error says so",
  ignore: !netAllowed,
  async fn() {
    const dns = await startLoopbackDns({ records: { "big.test": many }, tcp: false });
    const net = network(dns.port);
    try {
      await net.refresh();
      const error = await assertRejects(
        () => collect(net.resolve(query(6, "big.test"), new AbortController().signal)),
        MifError,
      );
      assertEquals((error as MifError).code, "resolution-failed");
      assert(
        error.message.endsWith("servers tried: ::1 (truncated over UDP, then over TCP unreachable: refused)"),
        error.message,
      );
      assertEquals(net.dnsCounters("implicit:lo:ipv6").tcpQueries, 2);
    } finally {
      await dns.close();
    }
  },
});

Deno.test({
  name: "host DNS: answers from another port, with another identifier or question are ignored and counted",
  ignore: !netAllowed,
  async fn() {
    const dns = await startLoopbackDns({
      records: { "host.test": { A: ["192.0.2.1"], AAAA: ["2001:db8::1"] } },
      forge: ["identifier", "question", "port"],
    });
    const net = network(dns.port);
    try {
      await net.refresh();
      const found = await collect(net.resolve(query(6, "host.test"), new AbortController().signal));
      assertEquals(found, ["192.0.2.1", "2001:db8::1"]);
      assert(!found.includes(FORGED.A) && !found.includes(FORGED.AAAA));
      const counters = net.dnsCounters("implicit:lo:ipv6");
      assertEquals(counters.ignored, {
        source: 2,
        undecodable: 0,
        "not-response": 0,
        identifier: 2,
        opcode: 0,
        question: 2,
      });
      assertEquals(net.dnsCounters("implicit:lo:ipv4").ignored.source, 0);
      const mismatches = net.dnsMismatches;
      assertEquals(mismatches.length, 6);
      assert(mismatches.every((m) => m.pvdId === "implicit:lo:ipv6" && m.server === "::1"));
      const fromPort = mismatches.find((m) => m.kind === "source")!;
      assert(/^came from \[::1\]:\d+, not \[::1\]:\d+$/.test(fromPort.reason), fromPort.reason);
      assert(mismatches.some((m) => m.kind === "identifier" && / is not /.test(m.reason)));
      assert(mismatches.some((m) => m.reason === "question differs from the query"));
    } finally {
      await dns.close();
    }
  },
});

Deno.test({
  name: "host DNS: Stop Translating Name closes the sockets of a lookup in flight; nothing comes after",
  ignore: !netAllowed,
  async fn() {
    const dns = await startLoopbackDns({ records: {}, silent: ["slow.test"] });
    const net = network(dns.port);
    const api = new MifApi(net);
    try {
      await net.refresh();
      const app = api.subscribe();
      app.postMessage({ type: "translate-name", pvdId: "implicit:lo:ipv6", name: "slow.test", translationId: "t1" });
      // Both queries reached the server; then the subscriber gives up.
      for (let i = 0; i < 100 && dns.log.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
      assertEquals(dns.log.sort(), ["udp ::1 A slow.test", "udp ::1 AAAA slow.test"]);
      app.postMessage({ type: "stop-translating-name", translationId: "t1" });
      assertEquals(await app.checkMessage({ timeout: 1_200 }), false, "nothing after Stop Translating Name");
      assertEquals(net.dnsCounters("implicit:lo:ipv6").udpQueries, 2);
      // Each query's socket is closed: its port can be bound again.
      assertEquals(dns.udpPorts.length, 2);
      for (const port of dns.udpPorts) {
        const socket = createSocket("udp6");
        await new Promise<void>((resolve, reject) => {
          socket.once("error", reject);
          socket.bind(port, "::1", () => resolve());
        });
        await new Promise<void>((resolve) => socket.close(() => resolve()));
      }
    } finally {
      api.close();
      await dns.close();
    }
  },
});
