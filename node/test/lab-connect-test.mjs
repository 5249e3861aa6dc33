// Connections through the real host under Node, through the built package:
// nodeHostNetwork() (rtnetlink through koffi answering the route lookups)
// inside the two-provider lab with its server side
// (../tests/lab/two_provider_host.sh up NAME --server), checked by the same
// scenario as Deno's lab test (../tests/_lab_connect_scenario.mjs): a
// connection bound to provider B's address refused while it would leave
// through provider A, then made once the source-specific routing commands
// are run; a server only B reaches found whichever PvD is preferred; provider
// A black-holed beyond its link, B winning in time. The probe is
// lab/connect-probe.mjs; the routing commands come from
// sourceRoutingCommands, which `mif routes` prints (the command line is
// Deno's). Needs root, `ip netns`, radvd, dnsmasq, dhclient and python3:
// skipped, saying so, where they are missing.

import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { Lab, labUnavailable } from "../../tests/_lab_scenario.mjs";
import { ConnectProbe, runConnectScenario } from "../../tests/_lab_connect_scenario.mjs";

const probePath = fileURLToPath(new URL("../lab/connect-probe.mjs", import.meta.url));
const why = labUnavailable();

test(`lab connect under Node (koffi): egress check, source routing, a server only B reaches, A black-holed${
  why ? ` (skipped: ${why})` : ""
}`, { skip: why ?? false, timeout: 120_000 }, async (t) => {
  const lab = new Lab(`mifk${process.pid % 10_000}`);
  let probe;
  try {
    await lab.up({ server: true });
    probe = new ConnectProbe(lab.namespace, [process.execPath, probePath]);
    const timings = await runConnectScenario(lab, probe, {
      async routeCommands() {
        const answer = await probe.ask({ op: "routes" });
        if (typeof answer.commands !== "string") throw new Error(`the probe gave no commands: ${JSON.stringify(answer)}`);
        return answer.commands;
      },
    });
    for (const [what, ms] of Object.entries(timings)) t.diagnostic(`${what}: ${ms} ms`);
    const source = await probe.ask({ op: "source" });
    if (source.source !== "rtnetlink") throw new Error(`the probe read the host through ${source.source}`);
  } finally {
    await probe?.close();
    await lab.down();
  }
});
