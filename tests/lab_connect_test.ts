// Connections through the real host, on the two-provider lab with a server
// side beyond both providers (tests/lab/two_provider_host.sh up NAME
// --server): the egress check against source-specific routing, a server
// only provider B reaches, and provider A black-holed beyond its link. The
// Deno adapter runs inside the host namespace (tests/lab/connect_probe.ts);
// the scenario (tests/_lab_connect_scenario.mjs, which Node's lab test runs
// too, over koffi) asks it to connect and checks the outcomes, the reasons,
// the reports' timing and the bytes through each connection. `mif routes`
// and `mif connect` run in the namespace as a user would run them. Needs
// root, `ip netns`, radvd, dnsmasq, dhclient and python3: skipped, saying
// so, where they are missing.

import { assert, assertEquals } from "./_assert.ts";
import { Lab, labUnavailable } from "./_lab_scenario.mjs";
import { ConnectProbe, EchoServer, runConnectScenario, SERVER } from "./_lab_connect_scenario.mjs";

const here = new URL("./lab/", import.meta.url).pathname;
const cli = new URL("../cli/mif.ts", import.meta.url).pathname;

function missing(): string | undefined {
  if (Deno.build.os !== "linux") return "not Linux";
  if (Deno.permissions.querySync({ name: "run" }).state !== "granted") return "needs --allow-run";
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return "needs --allow-ffi";
  if (Deno.permissions.querySync({ name: "sys" }).state !== "granted") return "needs --allow-sys to check for root";
  return labUnavailable();
}

const why = missing();
const decoder = new TextDecoder();

/** `mif ARGS` inside the host namespace, as a user runs it: exit code and stdout. */
async function mif(namespace: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command("ip", {
    args: ["netns", "exec", namespace, Deno.execPath(), "run", "-A", cli, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

Deno.test({
  name: `lab connect: egress check, mif routes, a server only B reaches, A black-holed, mif connect${
    why ? ` (skipped: ${why})` : ""
  }`,
  ignore: why !== undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const lab = new Lab(`mifc${Deno.pid % 10_000}`);
    let probe: ConnectProbe | undefined;
    try {
      await lab.up({ server: true });
      probe = new ConnectProbe(lab.namespace, [Deno.execPath(), "run", "-A", `${here}connect_probe.ts`]);
      const timings = await runConnectScenario(lab, probe, {
        async routeCommands() {
          const { code, stdout, stderr } = await mif(lab.namespace, "routes");
          assertEquals(code, 0, stderr);
          return stdout;
        },
      });
      for (const [what, ms] of Object.entries(timings)) console.log(`  ${what}: ${ms} ms`);

      // `mif connect` through the real host: the report, then the connection closed.
      const server = new EchoServer(`${lab.name}-srv`, SERVER.port, [SERVER.v6]);
      try {
        await server.ready();
        await lab.path("blackhole", "a");
        const connected = await mif(lab.namespace, "connect", SERVER.name, String(SERVER.port), "--json");
        assertEquals(connected.code, 0, connected.stdout + connected.stderr);
        const report = JSON.parse(connected.stdout);
        assertEquals(report.connected, true);
        assert(report.pvdId.startsWith("implicit:wlan0") || report.pvdId === "pvd.provider-b.example", report.pvdId);
        assertEquals(report.remote, { address: SERVER.v6, port: SERVER.port });
        assert(server.peers.includes(report.local.address), `${server.peers} / ${report.local.address}`);
        console.log(`  mif connect ${SERVER.name} ${SERVER.port}: ${report.ms} ms through ${report.pvdId}`);
        const text = await mif(
          lab.namespace,
          "connect",
          SERVER.name,
          String(SERVER.port),
          "--pvd",
          "implicit:eth0:ipv6",
          "--timeout",
          "600",
        );
        assertEquals(text.code, 1, text.stdout + text.stderr);
        assert(/not connected/.test(text.stdout) && /implicit:eth0:ipv6/.test(text.stdout), text.stdout);
      } finally {
        await server.close();
      }
    } finally {
      await probe?.close();
      await lab.down();
    }
  },
});
