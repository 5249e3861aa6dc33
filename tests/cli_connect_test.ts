// `mif connect` over an injected HostNetwork: fixed facts (the loopback
// link carrying both families, and a second link eth9 the scripted route
// lookups may send through), a loopback DNS server (tests/_loopback_dns.ts)
// and a loopback echo server on one port of both families. The report in
// text and JSON, a PvD alone, a policy, refusals by the egress check, a port
// nobody listens on, and usage errors. Needs --allow-net=127.0.0.1,[::1].

import { createServer, type Server, type Socket } from "node:net";
import { decodeAddressFlags, type HostFacts, HostNetwork, type KernelRouteLookup } from "../adapters/host/mod.ts";
import { type ConnectReport, runConnect } from "../cli/connect.ts";
import { type LoopbackDns, startLoopbackDns } from "./_loopback_dns.ts";
import { assert, assertEquals } from "./_assert.ts";

const netAllowed = ["127.0.0.1", "[::1]"].every((host) =>
  Deno.permissions.querySync({ name: "net", host }).state === "granted"
);

function facts(): HostFacts {
  return {
    links: [
      { ifindex: 1, name: "lo", kind: "loopback", up: true, mtu: 65536 },
      { ifindex: 9, name: "eth9", kind: "ethernet", up: true },
    ],
    addresses: [
      { ifindex: 1, family: 6, address: "::1", prefixLength: 128, scope: "host", flags: decodeAddressFlags(0x80, 6) },
      { ifindex: 1, family: 4, address: "127.0.0.1", prefixLength: 8, scope: "host", flags: decodeAddressFlags(0, 4) },
    ],
    routes: [],
    dns: { servers: ["::1", "127.0.0.1"], searchDomains: [], links: [] },
  };
}

interface Echo {
  readonly port: number;
  readonly peers: string[];
  /** Connections still open on the server's side. */
  readonly open: () => number;
  close(): Promise<void>;
}

/** An echo server on 127.0.0.1 and ::1, one port. */
async function echoServer(): Promise<Echo> {
  const sockets = new Set<Socket>();
  const peers: string[] = [];
  const handler = (socket: Socket) => {
    sockets.add(socket);
    peers.push(socket.remoteAddress ?? "?");
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    socket.pipe(socket);
  };
  const listen = (server: Server, port: number, host: string) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
  for (let tries = 0;; tries++) {
    const v4 = createServer(handler);
    const v6 = createServer(handler);
    await listen(v4, 0, "127.0.0.1");
    const port = (v4.address() as { port: number }).port;
    try {
      await listen(v6, port, "::1");
    } catch (error) {
      await new Promise((resolve) => v4.close(resolve));
      if (tries < 10) continue;
      throw error;
    }
    const closeOne = (s: Server) => new Promise<void>((resolve) => s.close(() => resolve()));
    return {
      port,
      peers,
      open: () => sockets.size,
      close: async () => {
        for (const socket of sockets) socket.destroy();
        await Promise.all([closeOne(v4), closeOne(v6)]);
      },
    };
  }
}

interface Run {
  readonly code: number;
  readonly lines: string[];
  readonly errors: string[];
}

/** Runs `mif connect ARGS` over a HostNetwork of `facts()`; `route` answers its lookups (the PvD's link when absent). */
async function connect(dns: LoopbackDns, route: KernelRouteLookup | undefined, ...args: string[]): Promise<Run> {
  const network = new HostNetwork({
    sources: [{
      name: "rtnetlink",
      limitations: [],
      read: () => Promise.resolve(facts()),
      routeGet: () => Promise.resolve(route ?? { type: "unicast", ifindex: 1 }),
    }],
    model: { includeLoopback: true },
    // An rtnetlink source reads no DNS configuration: the files' would be this machine's.
    dns: () => Promise.resolve({ servers: ["::1", "127.0.0.1"], searchDomains: [], links: [] }),
    dnsPort: dns.port,
    dnsTimeout: 500,
    dnsAttempts: 1,
  });
  const lines: string[] = [];
  const errors: string[] = [];
  const code = await runConnect([...args, "--wait", "0"], {
    network,
    print: (line) => lines.push(line),
    printError: (line) => errors.push(line),
  });
  return { code, lines, errors };
}

async function withServers(body: (dns: LoopbackDns, echo: Echo) => Promise<void>): Promise<void> {
  const dns = await startLoopbackDns({ records: { "host.test": { A: ["127.0.0.1"], AAAA: ["::1"] } } });
  const echo = await echoServer();
  try {
    await body(dns, echo);
  } finally {
    await echo.close();
    await dns.close();
  }
}

/** Lets the server see the client's close. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 20));
}

Deno.test({
  name: "mif connect: the report in text, each attempt with its times and result, then the connection closed",
  ignore: !netAllowed,
  async fn() {
    await withServers(async (dns, echo) => {
      const { code, lines, errors } = await connect(dns, undefined, "host.test", String(echo.port));
      assertEquals([code, errors], [0, []]);
      const text = lines.join("\n");
      assert(
        new RegExp(
          String.raw`^host\.test port ${echo.port}: connected through implicit:lo:ipv[46] in \d+ ms, ` +
            String.raw`from (\[::1\]|127\.0\.0\.1):\d+ to (\[::1\]|127\.0\.0\.1):${echo.port} \(policy adaptive\)$`,
        ).test(lines[0]!),
        text,
      );
      // One line per attempt: number, PvD, source, destination, times, result.
      const rows = lines.filter((l) => l.startsWith("  #"));
      assert(rows.length >= 1 && rows.length <= 2, text);
      for (const row of rows) {
        assert(
          /^ {2}#\d +implicit:lo:ipv[46] +(::1|127\.0\.0\.1) +(::1|127\.0\.0\.1) +\d+-\d+ ms +(succeeded|cancelled)$/
            .test(row),
          row,
        );
      }
      assert(/^winner: attempt \d \((first|faster)\): attempt \d to /.test(lines.at(-2)!), text);
      assertEquals(lines.at(-1), "closed the connection");
      await settle();
      assertEquals([echo.peers.length >= 1, echo.open()], [true, 0]);
    });
  },
});

Deno.test({
  name: "mif connect --json: the same as data; --pvd keeps to one PvD; --policy prefer:ID goes there first",
  ignore: !netAllowed,
  async fn() {
    await withServers(async (dns, echo) => {
      const one = await connect(dns, undefined, "host.test", String(echo.port), "--pvd", "implicit:lo:ipv4", "--json");
      assertEquals(one.code, 0, one.lines.join("\n"));
      const report: ConnectReport = JSON.parse(one.lines.join("\n"));
      assertEquals([report.host, report.port, report.connected, report.pvdId], [
        "host.test",
        echo.port,
        true,
        "implicit:lo:ipv4",
      ]);
      assertEquals(report.remote, { address: "127.0.0.1", port: echo.port });
      assertEquals(report.local?.address, "127.0.0.1");
      assertEquals(report.attempts.map((a) => [a.pvdId, a.source, a.destination, a.result]), [
        ["implicit:lo:ipv4", "127.0.0.1", "127.0.0.1", "succeeded"],
      ]);
      const [attempt] = report.attempts;
      assert(
        attempt!.startMs >= 0 && attempt!.endMs >= attempt!.startMs && report.ms >= attempt!.endMs,
        one.lines.join(),
      );
      assertEquals([report.winner, report.reason], [0, "first"]);

      const preferred = await connect(
        dns,
        undefined,
        "host.test",
        String(echo.port),
        "--policy",
        "prefer:implicit:lo:ipv4",
        "--json",
      );
      const second: ConnectReport = JSON.parse(preferred.lines.join("\n"));
      assertEquals([preferred.code, second.policy, second.pvdId], [0, "prefer implicit:lo:ipv4", "implicit:lo:ipv4"]);
      assertEquals(second.attempts[0]?.pvdId, "implicit:lo:ipv4");

      const literal = await connect(dns, undefined, "::1", String(echo.port), "--json");
      assertEquals(JSON.parse(literal.lines.join("\n")).pvdId, "implicit:lo:ipv6");
    });
  },
});

Deno.test({
  name: "mif connect: not connected exits 1 with each attempt's reason: refused, or the egress check",
  ignore: !netAllowed,
  async fn() {
    await withServers(async (dns, echo) => {
      const port = echo.port;
      await echo.close();
      const refused = await connect(dns, undefined, "host.test", String(port), "--json");
      assertEquals(refused.code, 1);
      const report: ConnectReport = JSON.parse(refused.lines.join("\n"));
      assertEquals(report.connected, false);
      assertEquals(report.error?.code, "connection-failed");
      assertEquals(report.reason, "all-failed");
      assertEquals(report.attempts.map((a) => [a.result, a.reason]).sort(), [["failed", "refused"], [
        "failed",
        "refused",
      ]]);

      const text = await connect(dns, undefined, "host.test", String(port));
      assertEquals(text.code, 1);
      assert(text.lines[0]!.startsWith(`host.test port ${port}: not connected after `), text.lines[0]);
      assert(text.lines.some((l) => /^ {2}#\d .* failed: refused$/.test(l)), text.lines.join("\n"));
      assertEquals(
        text.lines[0],
        `host.test port ${port}: not connected after ${
          text.lines[0]!.match(/after (\d+) ms/)?.[1]
        } ms (policy adaptive): all 2 attempts failed`,
      );
      assertEquals(text.lines.at(-1), "error connection-failed: all-failed");
    });
    await withServers(async (dns, echo) => {
      // The kernel would send every attempt through eth9: refused before any socket.
      const wrong = await connect(dns, { type: "unicast", ifindex: 9 }, "host.test", String(echo.port), "--json");
      assertEquals(wrong.code, 1);
      const report: ConnectReport = JSON.parse(wrong.lines.join("\n"));
      assertEquals(echo.peers, []);
      for (const attempt of report.attempts) {
        assert(
          /^would leave through eth9, not lo: this host has no source-specific route for (::1\/128|127\.0\.0\.0\/8); see `mif routes`$/
            .test(attempt.reason ?? ""),
          attempt.reason,
        );
      }
      assertEquals(report.egress?.map((m) => [m.action, m.egressName]), [["refused", "eth9"], ["refused", "eth9"]]);
      // A name nobody knows: the error names each PvD's resolution.
      const unknown = await connect(dns, undefined, "missing.test", String(echo.port));
      assertEquals(unknown.code, 1);
      assert(unknown.lines.some((l) => l.startsWith("  no answer in implicit:lo:ipv6: ")), unknown.lines.join("\n"));
    });
  },
});

Deno.test("mif connect: usage errors exit with 2", async () => {
  for (
    const [args, message] of [
      [[], "which host and port?"],
      [["host.test"], "which host and port?"],
      [["host.test", "80", "81"], "which host and port?"],
      [["host.test", "http"], "port http is not 1 to 65535"],
      [["host.test", "65536"], "port 65536 is not 1 to 65535"],
      [["host.test", "80", "--bogus"], 'unknown option "--bogus"'],
      [["host.test", "80", "--pvd"], "--pvd takes a PvD identifier"],
      [
        ["host.test", "80", "--policy", "fastest"],
        "--policy takes one of adaptive, rfc8305, ipv4-first, rtt-history, node-like, deno-like or prefer:PVD_ID, " +
        'got "fastest"',
      ],
      [["host.test", "80", "--timeout", "soon"], "--timeout takes a number of milliseconds, got soon"],
      [["host.test", "80", "--egress", "maybe"], "--egress takes refuse, warn or off, got maybe"],
    ] as [string[], string][]
  ) {
    const errors: string[] = [];
    const code = await runConnect(args, { print: () => {}, printError: (line) => errors.push(line) });
    assertEquals(code, 2, args.join(" "));
    assert(errors[0]?.startsWith("mif connect: ") && errors[0].includes(message), errors.join());
  }
});
