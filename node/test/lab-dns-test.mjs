// Translate Name per PvD on the real host under Node, through the built
// package: nodeHostNetwork() (rtnetlink and the raw ICMPv6 socket through
// koffi) inside the two-provider lab (../tests/lab/two_provider_host.sh),
// checked by the same scenario as Deno's lab test
// (../tests/_lab_dns_scenario.mjs) while tcpdump listens on both providers'
// links: each PvD's own provider's answer from its own address and nothing
// on the other link, every PvD at once with no-dns-servers for the IPv4
// ones, a name only the other provider knows failing with the reason, forged
// answers ignored and counted, a truncated UDP answer asked again over TCP.
// The probe is lab/dns-probe.mjs (a fresh MifApi per resolution). Needs
// root, `ip netns`, radvd, dnsmasq, dhclient, python3 and tcpdump: skipped,
// saying so, where they are missing.

import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { Lab } from "../../tests/_lab_scenario.mjs";
import { ConnectProbe } from "../../tests/_lab_connect_scenario.mjs";
import { dnsLabUnavailable, runDnsScenario } from "../../tests/_lab_dns_scenario.mjs";

const probePath = fileURLToPath(new URL("../lab/dns-probe.mjs", import.meta.url));
const why = dnsLabUnavailable();

test(
  `lab DNS under Node (koffi): Translate Name per PvD, no leak, errors, forged answers, TCP fallback${
    why ? ` (skipped: ${why})` : ""
  }`,
  { skip: why ?? false, timeout: 120_000 },
  async (t) => {
    const lab = new Lab(`mifr${process.pid % 10_000}`);
    /** @type {ConnectProbe | undefined} */
    let probe;
    try {
      await lab.up();
      // The probe answers requests by id, as the connection probe does.
      const started = new ConnectProbe(lab.namespace, [process.execPath, probePath]);
      probe = started;
      await started.ready();
      const measured = await runDnsScenario(lab, async (name, pvdId, wait) => {
        const answer = await started.ask({ op: "resolve", name, pvdId, wait }, wait + 20_000);
        if (!Array.isArray(answer.pvds)) throw new Error(`the probe gave no resolution: ${JSON.stringify(answer)}`);
        return answer.pvds;
      });
      for (const line of measured) t.diagnostic(line);
      const source = await started.ask({ op: "source" });
      if (source.source !== "rtnetlink") throw new Error(`the probe read the host through ${source.source}`);
      if (started.adapterErrors.length > 0) {
        throw new Error(`the adapter reported: ${started.adapterErrors.join("\n")}`);
      }
    } finally {
      await probe?.close();
      await lab.down();
    }
  },
);
