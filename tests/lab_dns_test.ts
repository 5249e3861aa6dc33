// Translate Name inside one PvD on a real two-provider host built in network
// namespaces (tests/lab/two_provider_host.sh: each provider's dnsmasq answers
// www.example with its own addresses). `mif resolve --json` runs inside the
// host namespace through the Deno adapter, as a user would, a new process
// per resolution, while tcpdump listens on both providers' links. The checks
// (tests/_lab_dns_scenario.mjs, which Node's lab test runs too, over koffi):
// each PvD gets its own provider's answer, from its own source address, and
// the other provider's link sees no query; a name only the other provider
// knows fails with the reason; a PvD with no DNS server gets no-dns-servers;
// forged answers racing a slow server (tests/lab/spoof_dns.py: wrong
// identifier, question, source address, source port) are ignored and
// counted; an answer over 512 bytes is truncated over UDP and fetched again
// over TCP from the same address. Needs root, `ip netns`, radvd, dnsmasq,
// dhclient, python3 and tcpdump: skipped, saying so, where they are missing.

import { Lab } from "./_lab_scenario.mjs";
import { dnsLabUnavailable, type Resolution, runDnsScenario } from "./_lab_dns_scenario.mjs";

const cli = new URL("../cli/mif.ts", import.meta.url).pathname;

function missing(): string | undefined {
  if (Deno.build.os !== "linux") return "not Linux";
  if (Deno.permissions.querySync({ name: "run" }).state !== "granted") return "needs --allow-run";
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return "needs --allow-ffi";
  if (Deno.permissions.querySync({ name: "sys" }).state !== "granted") return "needs --allow-sys to check for root";
  return dnsLabUnavailable();
}

const why = missing();
const decoder = new TextDecoder();

/** `mif resolve NAME [--pvd ID] --wait MS --json` inside the host namespace (the Deno adapter, with RAs). */
async function resolve(
  namespace: string,
  name: string,
  pvdId: string | undefined,
  wait: number,
): Promise<Resolution[]> {
  const { stdout, stderr } = await new Deno.Command("ip", {
    args: [
      "netns",
      "exec",
      namespace,
      Deno.execPath(),
      "run",
      "-A",
      cli,
      "resolve",
      name,
      ...(pvdId === undefined ? [] : ["--pvd", pvdId]),
      "--wait",
      String(wait),
      "--json",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = decoder.decode(stdout);
  try {
    return JSON.parse(text).pvds;
  } catch {
    throw new Error(`mif resolve printed no JSON: ${text}\n${decoder.decode(stderr)}`);
  }
}

Deno.test({
  name: `lab DNS: Translate Name per PvD, no leak, errors, forged answers, TCP fallback${
    why ? ` (skipped: ${why})` : ""
  }`,
  ignore: why !== undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const lab = new Lab(`mifd${Deno.pid % 10_000}`);
    try {
      await lab.up();
      const measured = await runDnsScenario(lab, (name, pvdId, wait) => resolve(lab.namespace, name, pvdId, wait));
      for (const line of measured) console.log(`  ${line}`);
    } finally {
      await lab.down();
    }
  },
});
