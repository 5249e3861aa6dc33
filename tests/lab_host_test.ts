// The real host through the public API, on a two-provider host built in
// network namespaces (tests/lab/two_provider_host.sh: radvd, dnsmasq,
// SLAAC, DHCPv4 leases, an RFC 8801 PvD RA). The Deno adapter runs inside
// the host namespace (tests/lab/host_probe.ts) and prints what an
// application hears; this test changes the host and checks what it heard,
// and when. Needs root, `ip netns`, radvd, dnsmasq and dhclient: skipped,
// saying so, where they are missing (.ci/run installs them).

import { assert, assertEquals } from "./_assert.ts";

const here = new URL("./lab/", import.meta.url).pathname;
const lab = `${here}two_provider_host.sh`;

function missing(): string | undefined {
  if (Deno.build.os !== "linux") return "not Linux";
  if (Deno.permissions.querySync({ name: "run" }).state !== "granted") return "needs --allow-run";
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return "needs --allow-ffi";
  try {
    if (Deno.uid() !== 0) return "needs root for network namespaces";
  } catch {
    return "needs --allow-sys to check for root";
  }
  for (const tool of ["/usr/sbin/radvd", "/usr/sbin/dnsmasq", "/usr/sbin/dhclient", "/usr/bin/python3"]) {
    try {
      Deno.statSync(tool);
    } catch {
      return `needs ${tool}`;
    }
  }
  return undefined;
}

const why = missing();

async function run(...args: string[]): Promise<void> {
  const { code, stderr } = await new Deno.Command(args[0]!, { args: args.slice(1), stdout: "null", stderr: "piped" })
    .output();
  if (code !== 0) throw new Error(`${args.join(" ")} failed: ${new TextDecoder().decode(stderr)}`);
}

interface Heard {
  readonly at: number;
  readonly type: string;
  readonly [key: string]: unknown;
}

/** The probe's messages as they come, with a wait for the next one that matches. */
class Probe {
  readonly heard: Heard[] = [];
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  #wake: (() => void) | undefined;
  readonly #done: Promise<void>;

  constructor(namespace: string) {
    const child = new Deno.Command("ip", {
      args: ["netns", "exec", namespace, Deno.execPath(), "run", "-A", `${here}host_probe.ts`],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    this.#done = (async () => {
      let buffered = "";
      for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
        buffered += chunk;
        for (let nl = buffered.indexOf("\n"); nl !== -1; nl = buffered.indexOf("\n")) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (line.startsWith("{")) this.heard.push(JSON.parse(line));
          this.#wake?.();
        }
      }
    })();
  }

  async send(line: string): Promise<void> {
    await this.#writer.write(new TextEncoder().encode(line + "\n"));
  }

  /** The first message from `from` on that matches, waiting at most `timeout` ms. */
  async next(match: (m: Heard) => boolean, timeout: number, from = 0): Promise<Heard> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const found = this.heard.slice(from).find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `nothing matched within ${timeout} ms; heard:\n${
            this.heard.slice(from).map((m) => JSON.stringify(m).slice(0, 200)).join("\n")
          }`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async close(): Promise<void> {
    await this.#writer.close().catch(() => {});
    await this.#child.status;
    await this.#done;
  }
}

Deno.test({
  name: `lab host: interfaces, PvDs, RA configuration and changes through the API${why ? ` (skipped: ${why})` : ""}`,
  ignore: why !== undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const name = `mifl${Deno.pid % 10_000}`;
    const ns = `${name}-host`;
    await run("bash", lab, "up", name);
    const probe = new Probe(ns);
    try {
      const pvd = (id: string) => (m: Heard) => m.type === "provisioning-domain-announcement" && m.pvdId === id;
      // Both interfaces and every PvD, the explicit one from provider B's PvD RA (sent every 2 s).
      for (const iface of ["eth0", "wlan0"]) {
        await probe.next((m) => m.type === "interface-announcement" && m.displayName === iface, 10_000);
      }
      for (const id of ["implicit:eth0:ipv6", "implicit:eth0:ipv4", "implicit:wlan0:ipv6", "implicit:wlan0:ipv4"]) {
        await probe.next(pvd(id), 10_000);
      }
      await probe.next(pvd("pvd.provider-b.example"), 10_000);

      // SLAAC addresses with their lifetimes (radvd: valid 7200 s, preferred 3600 s).
      const slaac = await probe.next(
        (m) =>
          m.type === "address-announcement" && m.pvdId === "implicit:eth0:ipv6" &&
          String(m.address).startsWith("2001:db8:a:"),
        10_000,
      );
      assert(Number(slaac.validLifetime) > 7000 && Number(slaac.validLifetime) <= 7200, JSON.stringify(slaac));
      assert(Number(slaac.preferredLifetime) > 3400 && Number(slaac.preferredLifetime) <= 3600, JSON.stringify(slaac));
      await probe.next(
        (m) =>
          m.type === "address-announcement" && m.pvdId === "pvd.provider-b.example" &&
          String(m.address).startsWith("2001:db8:bb:"),
        10_000,
      );
      // IPv4 leases from dnsmasq.
      await probe.next(
        (m) =>
          m.type === "address-announcement" && m.pvdId === "implicit:eth0:ipv4" &&
          /^198\.51\.100\.([1-3]\d|40)$/.test(String(m.address)),
        10_000,
      );

      // RA configuration elements with each provider's RDNSS and DNSSL.
      for (
        const [id, server, domain] of [
          ["implicit:eth0:ipv6", "2001:db8:a::53", "a.example"],
          ["implicit:wlan0:ipv6", "2001:db8:b::53", "b.example"],
          ["pvd.provider-b.example", "2001:db8:b::53", "pvd.provider-b.example"],
        ]
      ) {
        const element = await probe.next((m) => {
          if (m.type !== "configuration-element-announcement" || m.pvdId !== id) return false;
          const e = m.element as { elementType: string; data: Record<string, { address?: string; domain?: string }[]> };
          return e.elementType === "ra" && e.data["dns-servers"]?.some((d) => d.address === server) === true &&
            e.data["search-domains"]?.some((d) => d.domain === domain) === true;
        }, 10_000);
        assert(element, id);
      }

      // Get Configuration Data returns each PvD's DNS servers.
      for (
        const [id, server] of [["implicit:eth0:ipv6", "2001:db8:a::53"], ["pvd.provider-b.example", "2001:db8:b::53"]]
      ) {
        const from = probe.heard.length;
        await probe.send(`get ${id} ra dns-servers`);
        const reply = await probe.next((m) => m.type === "configuration-data" && m.pvdId === id, 5_000, from);
        assertEquals((reply.data as { address: string }[]).map((d) => d.address), [server]);
      }

      // `mif status --json` on the same host: every PvD with its DNS servers, and the source.
      const status = await new Deno.Command("ip", {
        args: [
          "netns",
          "exec",
          ns,
          Deno.execPath(),
          "run",
          "-A",
          `${here}../../cli/mif.ts`,
          "status",
          "--json",
          "--wait",
          "2500",
        ],
        stdout: "piped",
        stderr: "inherit",
      }).output();
      const report = JSON.parse(new TextDecoder().decode(status.stdout));
      assertEquals(report.source, "rtnetlink");
      const dnsOf = (id: string) =>
        report.interfaces.flatMap((i: { pvds: { pvdId: string; dnsServers: { address: string }[] }[] }) => i.pvds)
          .find((p: { pvdId: string }) => p.pvdId === id)?.dnsServers.map((d: { address: string }) => d.address);
      assert(dnsOf("implicit:eth0:ipv6")?.includes("2001:db8:a::53"), JSON.stringify(report).slice(0, 2000));
      assert(dnsOf("pvd.provider-b.example")?.includes("2001:db8:b::53"), JSON.stringify(report).slice(0, 2000));

      // An added address is announced within a second.
      let from = probe.heard.length;
      let t0 = Date.now();
      await run("ip", "netns", "exec", ns, "ip", "addr", "add", "2001:db8:a::99/64", "dev", "eth0", "nodad");
      const added = await probe.next(
        (m) => m.type === "address-announcement" && m.address === "2001:db8:a::99",
        2_000,
        from,
      );
      assert(added.at - t0 < 1_000, `address announced after ${added.at - t0} ms`);
      console.log(`  address announced ${added.at - t0} ms after the ip command`);

      // An added link (a veth pair, both ends up) with an address, within a second.
      from = probe.heard.length;
      t0 = Date.now();
      await run("ip", "netns", "exec", ns, "ip", "link", "add", "lab9", "type", "veth", "peer", "name", "lab9p");
      await run("ip", "netns", "exec", ns, "ip", "link", "set", "lab9p", "up");
      await run("ip", "netns", "exec", ns, "ip", "link", "set", "lab9", "up");
      await run("ip", "netns", "exec", ns, "ip", "addr", "add", "198.51.100.201/30", "dev", "lab9");
      const link = await probe.next(
        (m) => m.type === "interface-announcement" && m.displayName === "lab9",
        2_000,
        from,
      );
      assert(link.at - t0 < 1_000, `link announced after ${link.at - t0} ms`);
      console.log(`  link announced ${link.at - t0} ms after the first ip command`);

      // wlan0 down: No Address, No PvD, then No Interface, in that order, within a second.
      from = probe.heard.length;
      t0 = Date.now();
      await run("ip", "netns", "exec", ns, "ip", "link", "set", "wlan0", "down");
      const gone = await probe.next((m) => m.type === "no-interface-announcement" && m.interfaceId === 3, 2_000, from);
      assert(gone.at - t0 < 1_000, `interface withdrawn after ${gone.at - t0} ms`);
      console.log(`  wlan0 withdrawn ${gone.at - t0} ms after the ip command`);
      const sequence = probe.heard.slice(from, probe.heard.indexOf(gone) + 1).map((m) => m.type);
      const lastAddress = sequence.lastIndexOf("no-address-announcement");
      const firstNoPvd = sequence.indexOf("no-provisioning-domain-announcement");
      const lastNoPvd = sequence.lastIndexOf("no-provisioning-domain-announcement");
      assert(lastAddress !== -1 && firstNoPvd !== -1, sequence.join());
      assert(lastAddress < lastNoPvd && lastNoPvd < sequence.length - 1, `out of order: ${sequence.join()}`);
      assertEquals(
        probe.heard.slice(from).filter((m) => m.type === "no-provisioning-domain-announcement").map((m) => m.pvdId)
          .sort(),
        ["implicit:wlan0:ipv4", "implicit:wlan0:ipv6", "pvd.provider-b.example"],
      );

      // Which source, and what it cannot see.
      from = probe.heard.length;
      await probe.send("source");
      const source = await probe.next((m) => m.type === "source", 2_000, from);
      assertEquals(source.source, "rtnetlink");
    } finally {
      await probe.close();
      await run("bash", lab, "down", name);
    }
  },
});
