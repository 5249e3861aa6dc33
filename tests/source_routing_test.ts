// Source-specific routing commands: per link, a table with its prefixes and
// its own default router, and rules from its prefixes; and, as root on the
// namespace lab, that running them makes the kernel route by source.

import { decodeAddressFlags, type HostFacts, sourceRoutingCommands } from "../adapters/host/mod.ts";
import { assert, assertEquals } from "./_assert.ts";

const facts: HostFacts = {
  links: [
    { ifindex: 1, name: "lo", kind: "loopback", up: true },
    { ifindex: 2, name: "eth0", kind: "ethernet", up: true },
    { ifindex: 3, name: "wlan0", kind: "wifi", up: true },
    { ifindex: 4, name: "wg0", kind: "vpn", up: true },
  ],
  addresses: [
    {
      ifindex: 2,
      family: 6,
      address: "2001:db8:a::100",
      prefixLength: 64,
      scope: "global",
      flags: decodeAddressFlags(0, 6),
    },
    { ifindex: 2, family: 6, address: "fe80::1:2", prefixLength: 64, scope: "link", flags: decodeAddressFlags(0, 6) },
    {
      ifindex: 2,
      family: 4,
      address: "198.51.100.20",
      prefixLength: 26,
      scope: "global",
      flags: decodeAddressFlags(0, 4),
    },
    {
      ifindex: 3,
      family: 6,
      address: "2001:db8:b::100",
      prefixLength: 64,
      scope: "global",
      flags: decodeAddressFlags(0, 6),
    },
    { ifindex: 4, family: 4, address: "10.9.0.2", prefixLength: 24, scope: "global", flags: decodeAddressFlags(0, 4) },
  ],
  routes: [
    { family: 6, destination: "::", prefixLength: 0, gateway: "fe80::a", ifindex: 2, metric: 1024, type: "unicast" },
    { family: 6, destination: "::", prefixLength: 0, gateway: "fe80::b", ifindex: 3, metric: 1024, type: "unicast" },
    { family: 6, destination: "::", prefixLength: 0, gateway: "fe80::c", ifindex: 3, metric: 2048, type: "unicast" },
    {
      family: 4,
      destination: "0.0.0.0",
      prefixLength: 0,
      gateway: "198.51.100.1",
      ifindex: 2,
      metric: 100,
      type: "unicast",
    },
  ],
  dns: { servers: [], searchDomains: [], links: [] },
};

Deno.test("sourceRoutingCommands: a table per link with its prefixes and best router, rules from its prefixes", () => {
  const plans = sourceRoutingCommands(facts);
  assertEquals(plans.map((p) => `${p.name} ${p.table} ${p.skipped ?? "ok"}`), [
    "eth0 102 ok",
    "wlan0 103 ok",
    "wg0 104 no global address with a default router",
  ]);
  assertEquals(plans[0]!.commands, [
    "ip -6 route replace 2001:db8:a::/64 dev eth0 table 102",
    "ip -6 route replace default via fe80::a dev eth0 table 102",
    "ip -6 rule del from 2001:db8:a::/64 table 102 priority 1000 2>/dev/null || true",
    "ip -6 rule add from 2001:db8:a::/64 table 102 priority 1000",
    "ip -4 route replace 198.51.100.0/26 dev eth0 table 102",
    "ip -4 route replace default via 198.51.100.1 dev eth0 table 102",
    "ip -4 rule del from 198.51.100.0/26 table 102 priority 1000 2>/dev/null || true",
    "ip -4 rule add from 198.51.100.0/26 table 102 priority 1000",
  ]);
  assert(plans[1]!.commands.includes("ip -6 route replace default via fe80::b dev wlan0 table 103"), "lowest metric");
  assertEquals(
    sourceRoutingCommands(facts, { firstTable: 500, priority: 7 })[0]!.commands[3],
    "ip -6 rule add from 2001:db8:a::/64 table 502 priority 7",
  );
});

function labMissing(): string | undefined {
  if (Deno.permissions.querySync({ name: "run" }).state !== "granted") return "needs --allow-run";
  try {
    if (Deno.uid() !== 0) return "needs root";
    Deno.statSync("/usr/sbin/radvd");
  } catch {
    return "needs root and radvd";
  }
  return undefined;
}
const why = labMissing();

async function sh(...args: string[]): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(args[0]!, { args: args.slice(1) }).output();
  if (code !== 0) throw new Error(`${args.join(" ")}: ${new TextDecoder().decode(stderr)}`);
  return new TextDecoder().decode(stdout);
}

Deno.test({
  name: `lab: the printed commands make the kernel route by source${why ? ` (skipped: ${why})` : ""}`,
  ignore: why !== undefined,
  sanitizeResources: false,
  async fn() {
    const lab = new URL("./lab/two_provider_host.sh", import.meta.url).pathname;
    const cli = new URL("../cli/mif.ts", import.meta.url).pathname;
    const name = `mifr${Deno.pid % 10_000}`;
    const ns = `${name}-host`;
    await sh("bash", lab, "up", name);
    try {
      const source = async (link: string) =>
        (await sh("ip", "netns", "exec", ns, "ip", "-6", "-o", "addr", "show", "dev", link, "scope", "global"))
          .split("\n").map((l) => l.split(/\s+/)[3]?.split("/")[0]).find((a) =>
            a?.startsWith(`2001:db8:${link === "eth0" ? "a" : "b"}:`)
          )!;
      const routeDev = async (from: string) =>
        (await sh("ip", "netns", "exec", ns, "ip", "-6", "route", "get", "2001:db8:c::1", "from", from)).match(
          / dev (\S+)/,
        )?.[1];
      const wlanSource = await source("wlan0");
      // Provider A's router preference is high: without rules, B's address leaves through eth0.
      assertEquals(await routeDev(wlanSource), "eth0");
      const script = await sh("ip", "netns", "exec", ns, Deno.execPath(), "run", "-A", cli, "routes");
      await sh("ip", "netns", "exec", ns, "bash", "-euc", script);
      assertEquals(await routeDev(wlanSource), "wlan0", "B's address now leaves through B's link");
      assertEquals(await routeDev(await source("eth0")), "eth0");
    } finally {
      await sh("bash", lab, "down", name);
    }
  },
});
