// The real host through the public API, on a two-provider host built in
// network namespaces (tests/lab/two_provider_host.sh: radvd, dnsmasq,
// SLAAC, DHCPv4 leases, an RFC 8801 PvD RA). The Deno adapter runs inside
// the host namespace (tests/lab/host_probe.ts) and prints what an
// application hears; the scenario (tests/_lab_scenario.mjs, which Node's
// lab test runs too, over koffi) changes the host and checks what it heard,
// and when. Needs root, `ip netns`, radvd, dnsmasq and dhclient: skipped,
// saying so, where they are missing (.ci/run installs them).

import { assert, assertEquals } from "./_assert.ts";
import { expectChanges, expectInitialState, Lab, labUnavailable, Probe } from "./_lab_scenario.mjs";

const here = new URL("./lab/", import.meta.url).pathname;

function missing(): string | undefined {
  if (Deno.build.os !== "linux") return "not Linux";
  if (Deno.permissions.querySync({ name: "run" }).state !== "granted") return "needs --allow-run";
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return "needs --allow-ffi";
  if (Deno.permissions.querySync({ name: "sys" }).state !== "granted") return "needs --allow-sys to check for root";
  return labUnavailable();
}

const why = missing();

Deno.test({
  name: `lab host: interfaces, PvDs, RA configuration and changes through the API${why ? ` (skipped: ${why})` : ""}`,
  ignore: why !== undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const lab = new Lab(`mifl${Deno.pid % 10_000}`);
    await lab.up();
    const probe = new Probe(lab.namespace, [Deno.execPath(), "run", "-A", `${here}host_probe.ts`]);
    try {
      await expectInitialState(probe);

      // `mif status --json` on the same host: every PvD with its DNS servers, and the source.
      const status = await new Deno.Command("ip", {
        args: [
          "netns",
          "exec",
          lab.namespace,
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

      const latency = await expectChanges(probe, lab);
      console.log(`  address announced ${latency.address} ms after the ip command`);
      console.log(`  link announced ${latency.link} ms after the first ip command`);
      console.log(`  wlan0 withdrawn ${latency.withdrawn} ms after the ip command`);
    } finally {
      await probe.close();
      await lab.down();
    }
  },
});
