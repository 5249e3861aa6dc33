// `mif resolve` over an injected HostNetwork: fixed facts (the loopback link,
// a DNS server on ::1 only, so the IPv4 PvD has none) and a loopback DNS
// server started here (tests/_loopback_dns.ts). Text, JSON, errors, the
// counters and the TCP fallback. Needs --allow-net=127.0.0.1,[::1].

import { decodeAddressFlags, type HostFacts, HostNetwork } from "../adapters/host/mod.ts";
import { runResolve } from "../cli/resolve.ts";
import { type LoopbackDns, type LoopbackDnsOptions, startLoopbackDns } from "./_loopback_dns.ts";
import { assert, assertEquals } from "./_assert.ts";

const netAllowed = ["127.0.0.1", "[::1]"].every((host) =>
  Deno.permissions.querySync({ name: "net", host }).state === "granted"
);

function facts(): HostFacts {
  return {
    links: [{ ifindex: 1, name: "lo", kind: "loopback", up: true, mtu: 65536 }],
    addresses: [
      { ifindex: 1, family: 6, address: "::1", prefixLength: 128, scope: "host", flags: decodeAddressFlags(0x80, 6) },
      { ifindex: 1, family: 4, address: "127.0.0.1", prefixLength: 8, scope: "host", flags: decodeAddressFlags(0, 4) },
    ],
    routes: [],
    // Only an IPv6 server: implicit:lo:ipv4 has no DNS server at all.
    dns: { servers: ["::1"], searchDomains: [], links: [] },
  };
}

const RECORDS: LoopbackDnsOptions["records"] = {
  "host.test": { A: ["192.0.2.1"], AAAA: ["2001:db8::1", "2001:db8::2"] },
  "big.test": {
    A: Array.from({ length: 40 }, (_, i) => `198.51.100.${i + 1}`),
    AAAA: Array.from({ length: 40 }, (_, i) => `2001:db8:b16::${(i + 1).toString(16)}`),
  },
};

interface Run {
  readonly code: number;
  readonly lines: string[];
  readonly errors: string[];
  readonly network: HostNetwork;
}

async function withServer(
  options: Partial<LoopbackDnsOptions>,
  body: (resolve: (...args: string[]) => Promise<Run>, dns: LoopbackDns) => Promise<void>,
): Promise<void> {
  const dns = await startLoopbackDns({ records: RECORDS, ...options });
  try {
    await body(async (...args) => {
      const network = new HostNetwork({
        sources: [{ name: "proc", limitations: [], read: () => Promise.resolve(facts()) }],
        model: { includeLoopback: true },
        dnsPort: dns.port,
        dnsTimeout: 500,
        dnsAttempts: 1,
      });
      const lines: string[] = [];
      const errors: string[] = [];
      const code = await runResolve(args, {
        network,
        print: (line) => lines.push(line),
        printError: (line) => errors.push(line),
      });
      return { code, lines, errors, network };
    }, dns);
  } finally {
    await dns.close();
  }
}

Deno.test({
  name: "mif resolve: text per PvD, each address with its time, the PvD without DNS server failing clearly",
  ignore: !netAllowed,
  async fn() {
    await withServer({}, async (resolve, dns) => {
      const { code, lines } = await resolve("host.test", "--wait", "0");
      assertEquals(code, 0);
      const text = lines.join("\n");
      const ms = String.raw`\d+\.\d ms`;
      assert(
        new RegExp(
          String.raw`^host\.test in implicit:lo:ipv6 \(lo\)\n` +
            String.raw`(  (2001:db8::1|2001:db8::2|192\.0\.2\.1) +${ms}\n){3}` +
            String.raw`  complete after ${ms}: 3 addresses\n` +
            String.raw`  dns 2 queries over UDP, 0 over TCP, 0 answers ignored\n` +
            String.raw`host\.test in implicit:lo:ipv4 \(lo\)\n` +
            String.raw`  failed after ${ms}: Cannot translate name "host\.test": provisioning domain ` +
            String.raw`"implicit:lo:ipv4" has no DNS server \(no-dns-servers\)\n` +
            String.raw`dns, every PvD: 2 queries over UDP, 0 over TCP, 0 answers ignored$`,
        ).test(text),
        text,
      );
      // Only the PvD's own server was asked, from the PvD's address.
      assertEquals(dns.log.sort(), ["udp ::1 A host.test", "udp ::1 AAAA host.test"]);
    });
  },
});

Deno.test({
  name: "mif resolve --json: the same as data, times in ms, counters per PvD and in all",
  ignore: !netAllowed,
  async fn() {
    await withServer({}, async (resolve) => {
      const { code, lines } = await resolve("host.test", "--json", "--wait", "0");
      assertEquals(code, 0);
      const report = JSON.parse(lines.join("\n"));
      assertEquals(report.name, "host.test");
      assertEquals(report.pvds.map((p: { pvdId: string }) => p.pvdId), ["implicit:lo:ipv6", "implicit:lo:ipv4"]);
      const [v6, v4] = report.pvds;
      assertEquals(v6.interface, "lo");
      assertEquals(v6.addresses.map((a: { address: string }) => a.address).sort(), [
        "192.0.2.1",
        "2001:db8::1",
        "2001:db8::2",
      ]);
      for (const a of v6.addresses) assert(typeof a.ms === "number" && a.ms >= 0 && a.ms <= v6.completeMs);
      assertEquals(v6.error, undefined);
      assertEquals(v6.dns.udpQueries, 2);
      assertEquals(v6.ignored, []);
      assertEquals(v4.addresses, []);
      assertEquals(v4.error.code, "no-dns-servers");
      assertEquals(v4.dns.udpQueries, 0);
      assertEquals(report.dns.udpQueries, 2);
      assertEquals(report.dns.ignored.source, 0);
    });
  },
});

Deno.test({
  name: "mif resolve --pvd: one PvD; a name that does not exist and an unknown PvD fail with exit code 1",
  ignore: !netAllowed,
  async fn() {
    await withServer({}, async (resolve) => {
      const one = await resolve("host.test", "--pvd", "implicit:lo:ipv6", "--json", "--wait", "0");
      assertEquals(one.code, 0);
      assertEquals(JSON.parse(one.lines.join("\n")).pvds.length, 1);

      const missing = await resolve("missing.test", "--pvd", "implicit:lo:ipv6", "--json", "--wait", "0");
      assertEquals(missing.code, 1);
      const [pvd] = JSON.parse(missing.lines.join("\n")).pvds;
      assertEquals(pvd.error.code, "resolution-failed");
      assertEquals(
        pvd.error.message,
        'Cannot resolve "missing.test" in provisioning domain "implicit:lo:ipv6": name does not exist; ' +
          "servers tried: ::1 (NXDOMAIN)",
      );

      const unknown = await resolve("host.test", "--pvd", "pvd.nowhere.example", "--wait", "0");
      assertEquals(unknown.code, 1);
      assertEquals(unknown.lines[0], "host.test in pvd.nowhere.example (?)");
      assert(unknown.lines[1]!.includes("(unknown-pvd)"), unknown.lines.join("\n"));
    });
  },
});

Deno.test({
  name: "mif resolve: forged answers are listed and counted; a truncated answer goes over TCP",
  ignore: !netAllowed,
  async fn() {
    await withServer({ forge: ["identifier", "question", "port"] }, async (resolve) => {
      const { code, lines, network } = await resolve("host.test", "--pvd", "implicit:lo:ipv6", "--wait", "0");
      assertEquals(code, 0);
      const text = lines.join("\n");
      assert(
        text.includes("  dns 2 queries over UDP, 0 over TCP, 6 answers ignored (2 source, 2 identifier, 2 question)"),
        text,
      );
      assertEquals(lines.filter((l) => l.startsWith("  ignored an answer for ::1: ")).length, 6, text);
      assert(/ignored an answer for ::1: came from \[::1\]:\d+, not \[::1\]:\d+ \(source\)/.test(text), text);
      assert(!text.includes("2001:db8:bad::66") && !text.includes("192.0.2.66"), text);
      assertEquals(network.dnsCounters().ignored.question, 2);
    });
    await withServer({}, async (resolve) => {
      const { code, lines } = await resolve("big.test", "--pvd", "implicit:lo:ipv6", "--json", "--wait", "0");
      assertEquals(code, 0);
      const [pvd] = JSON.parse(lines.join("\n")).pvds;
      assertEquals(pvd.addresses.length, 80);
      assertEquals([pvd.dns.udpQueries, pvd.dns.tcpQueries], [2, 2]);
    });
  },
});

Deno.test("mif resolve: usage errors exit with 2", async () => {
  for (
    const [args, message] of [
      [[], "which name?"],
      [["a.example", "b.example"], 'one name only, got "a.example" and "b.example"'],
      [["a.example", "--bogus"], 'unknown option "--bogus"'],
      [["a.example", "--wait", "soon"], "--wait takes a number of milliseconds, got soon"],
      [["a.example", "--pvd"], "--pvd takes a PvD identifier"],
    ] as [string[], string][]
  ) {
    const errors: string[] = [];
    const code = await runResolve(args, { print: () => {}, printError: (line) => errors.push(line) });
    assertEquals(code, 2, args.join(" "));
    assert(errors[0]?.startsWith("mif resolve: ") && errors[0].includes(message), errors.join());
  }
});
