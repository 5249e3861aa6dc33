// The host adapter under Node, from the built package: MifApi over
// HostNetwork on this real machine (Linux /proc and /sys, read by
// node:fs/promises; IPv4 from node:os), compared with what
// os.networkInterfaces() and /sys say; and, over loopback, real DNS messages
// (node:dgram) and TCP connections (node:net) through the MIF API. The Deno
// suite with the same intent: tests/host_network_test.ts.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { networkInterfaces } from "node:os";
import dnsPacket from "dns-packet";
import { ConnectError, MifApi } from "@pvd/mif";
import { decodeAddressFlags, HostNetwork, networkInterfacesSource, parseIfInet6 } from "@pvd/mif/host";

const onLinux = process.platform === "linux" && existsSync("/sys/class/net");

function drain(subscriber) {
  const out = [];
  for (let m = subscriber.getMessage(); m !== undefined; m = subscriber.getMessage()) out.push(m);
  return out;
}

/** What the subscriber is told about one interface: its PvDs and each PvD's addresses. */
function announced(app, interfaceId) {
  app.postMessage({ type: "announce-provisioning-domains", interfaceId });
  const pvds = drain(app).flatMap((m) => m.type === "provisioning-domain-announcement" ? [m.pvdId] : []);
  const addresses = {};
  for (const pvdId of pvds) {
    app.postMessage({ type: "announce-addresses", pvdId });
    addresses[pvdId] = drain(app).flatMap((m) => m.type === "address-announcement" ? [m.address] : []);
  }
  return addresses;
}

test("live: MifApi over HostNetwork announces this machine's links, PvDs and addresses as os and /sys see them", {
  skip: !onLinux && "not Linux",
}, async () => {
  const errors = [];
  const network = new HostNetwork({ onError: (error) => errors.push(error) });
  const api = new MifApi(network);
  try {
    await network.refresh();
    // Node reads /proc and /sys without any permission flag: the proc source is used, nothing failed.
    assert.equal(network.source, "proc");
    assert.deepEqual(errors, []);
    assert.ok(network.limitations.length > 0, "the adapter says what /proc cannot show");

    const app = api.subscribe();
    app.postMessage({ type: "announce-interfaces" });
    const ids = new Map(
      drain(app).flatMap((m) => m.type === "interface-announcement" ? [[m.displayName, m.interfaceId]] : []),
    );
    const listed = Object.entries(networkInterfaces());
    // Loopback is not a network: not announced.
    for (const [name, entries] of listed) {
      if (entries.every((e) => e.internal)) assert.ok(!ids.has(name), `loopback ${name} is announced`);
    }
    // IPv6 addresses still in duplicate address detection are not usable yet, and not announced.
    const unusable = new Set(
      parseIfInet6(readFileSync("/proc/net/if_inet6", "utf8"))
        .filter((a) => a.flags.dadFailed || (a.flags.tentative && !a.flags.optimistic))
        .map((a) => a.address),
    );
    const external = listed.filter(([, entries]) => entries.some((e) => !e.internal));
    for (const [label, entries] of external) {
      const name = label.split(":")[0];
      const interfaceId = ids.get(name);
      assert.ok(interfaceId !== undefined, `${name} is not announced (announced: ${[...ids.keys()]})`);
      // The interface id is the kernel's ifindex, as /sys and link-local scope ids say.
      assert.equal(interfaceId, Number(readFileSync(`/sys/class/net/${name}/ifindex`, "utf8")));
      for (const e of entries) if (e.family === "IPv6" && e.scopeid) assert.equal(e.scopeid, interfaceId);

      const addresses = announced(app, interfaceId);
      const v4 = entries.filter((e) => e.family === "IPv4").map((e) => e.address);
      const v6 = entries.filter((e) => e.family === "IPv6" && !unusable.has(e.address)).map((e) => e.address);
      // One implicit PvD per link and family, holding exactly the link's addresses of that family.
      if (v4.length > 0) assert.deepEqual(addresses[`implicit:${name}:ipv4`]?.sort(), v4.sort(), `${name} IPv4`);
      if (v6.length > 0) assert.deepEqual(addresses[`implicit:${name}:ipv6`]?.sort(), v6.sort(), `${name} IPv6`);
    }
  } finally {
    api.close();
  }
});

test("networkInterfacesSource: the portable source agrees with os.networkInterfaces()", async () => {
  const network = new HostNetwork({ sources: [networkInterfacesSource()] });
  const state = await network.refresh();
  assert.equal(network.source, "network-interfaces");
  const expected = Object.entries(networkInterfaces())
    .filter(([, entries]) => entries.some((e) => !e.internal))
    .flatMap(([name, entries]) =>
      entries.map((e) => `implicit:${name.split(":")[0]}:${e.family === "IPv4" ? "ipv4" : "ipv6"} ${e.address}`)
    );
  const got = state.addresses.map((a) => `${a.pvdId} ${a.address}`);
  for (const line of expected) assert.ok(got.includes(line), `${line} not in ${got}`);
});

// ---------------------------------------------------------------------------
// Loopback: real sockets, no outside network needed
// ---------------------------------------------------------------------------

/** The loopback link, IPv4 only, with a DNS server on 127.0.0.1. */
function loopbackFacts() {
  return {
    links: [{ ifindex: 1, name: "lo", kind: "loopback", up: true, mtu: 65536 }],
    addresses: [
      { ifindex: 1, family: 4, address: "127.0.0.1", prefixLength: 8, scope: "host", flags: decodeAddressFlags(0, 4) },
    ],
    routes: [],
    dns: { servers: ["127.0.0.1"], searchDomains: ["test"], links: [] },
  };
}

/** A DNS server on 127.0.0.1 answering A queries for host.test, NXDOMAIN otherwise (dns-packet). */
async function startDnsServer() {
  const socket = createSocket("udp4");
  const queries = [];
  socket.on("message", (message, from) => {
    const query = dnsPacket.decode(message);
    const question = query.questions[0];
    queries.push(`${question.type} ${question.name}`);
    const known = question.name === "host.test" && question.type === "A";
    socket.send(
      dnsPacket.encode({
        id: query.id,
        type: "response",
        flags: dnsPacket.RECURSION_AVAILABLE | (question.name === "host.test" ? 0 : 3), // RCODE 3: NXDOMAIN
        questions: [question],
        answers: known ? [{ name: question.name, type: "A", ttl: 60, data: "127.0.0.1" }] : [],
      }),
      from.port,
      from.address,
    );
  });
  await new Promise((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return { port: socket.address().port, queries, close: () => new Promise((resolve) => socket.close(resolve)) };
}

/** A TCP echo server on 127.0.0.1. */
async function startEchoServer() {
  const sockets = new Set();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    socket.pipe(socket);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: server.address().port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(resolve);
      }),
  };
}

async function echoOnce(token) {
  const writer = token.writable.getWriter();
  const reader = token.readable.getReader();
  await writer.write(new TextEncoder().encode("ping"));
  const { value } = await reader.read();
  reader.releaseLock();
  writer.releaseLock();
  return new TextDecoder().decode(value);
}

test("loopback: Translate Name over UDP and connect() over TCP through the MIF API", async () => {
  const dns = await startDnsServer();
  const echo = await startEchoServer();
  const network = new HostNetwork({
    sources: [{ name: "proc", limitations: [], read: () => Promise.resolve(loopbackFacts()) }],
    model: { includeLoopback: true },
    dnsPort: dns.port,
    dnsTimeout: 1_000,
  });
  const api = new MifApi(network);
  try {
    await network.refresh();
    const app = api.subscribe();
    // Translate Name: real DNS messages to the PvD's server, the search domain applied.
    app.postMessage({ type: "translate-name", pvdId: "implicit:lo:ipv4", name: "host", translationId: "t" });
    const translated = [];
    while (await app.checkMessage({ timeout: 5_000 })) {
      const m = app.getMessage();
      if (m.type === "name-translation") translated.push(m.address);
      if (m.type === "name-translation-complete") break;
    }
    assert.deepEqual(translated, ["127.0.0.1"]);
    assert.ok(dns.queries.includes("A host.test"), dns.queries.join());

    // The high-level connect(): resolve, race, connect from the PvD's address; bytes through node:net.
    const { token, pvdId, report } = await api.connect("host.test", echo.port, { timeout: 5_000 });
    assert.equal(pvdId, "implicit:lo:ipv4");
    assert.equal(report.outcome, "connected");
    assert.deepEqual([token.localAddress, token.remoteAddress, token.remotePort], [
      "127.0.0.1",
      "127.0.0.1",
      echo.port,
    ]);
    assert.equal(await echoOnce(token), "ping");
    token.close();

    // A port nobody listens on: the race fails, with its report.
    const closed = echo.port;
    await echo.close();
    const error = await api.connect("host.test", closed, { timeout: 5_000 }).catch((e) => e);
    assert.ok(error instanceof ConnectError, String(error));
    assert.equal(error.report.outcome, "failed");
  } finally {
    api.close();
    await echo.close().catch(() => {});
    await dns.close();
  }
});
