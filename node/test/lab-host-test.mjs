// The real host under Node, through the built package: nodeHostNetwork()
// (rtnetlink and the raw ICMPv6 socket through koffi) inside the two-provider
// lab (../tests/lab/two_provider_host.sh: radvd, dnsmasq, SLAAC, DHCPv4
// leases, an RFC 8801 PvD RA), checked by the same scenario as Deno's lab
// test (../tests/_lab_scenario.mjs): both interfaces, every PvD including
// pvd.provider-b.example, addresses with lifetimes, each provider's
// RDNSS/DNSSL in RA elements, Get Configuration Data, an added address and
// link within a second, and link down giving No Address, No PvD, No
// Interface in that order within a second. The probe is lab/host-probe.mjs.
// Needs root, `ip netns`, radvd, dnsmasq and dhclient: skipped, saying so,
// where they are missing (.ci/run installs them).

import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { expectChanges, expectInitialState, Lab, labUnavailable, Probe } from "../../tests/_lab_scenario.mjs";

const probePath = fileURLToPath(new URL("../lab/host-probe.mjs", import.meta.url));
const why = labUnavailable();

test(`lab host under Node (koffi): interfaces, PvDs, RA configuration and changes through the API${
  why ? ` (skipped: ${why})` : ""
}`, { skip: why ?? false, timeout: 120_000 }, async (t) => {
  const lab = new Lab(`mifn${process.pid % 10_000}`);
  await lab.up();
  const probe = new Probe(lab.namespace, [process.execPath, probePath]);
  try {
    await expectInitialState(probe);
    const latency = await expectChanges(probe, lab);
    t.diagnostic(`address announced ${latency.address} ms after the ip command`);
    t.diagnostic(`link announced ${latency.link} ms after the first ip command`);
    t.diagnostic(`wlan0 withdrawn ${latency.withdrawn} ms after the ip command`);
    // Nothing the probe could not open: rtnetlink and the raw socket both worked.
    const unavailable = probe.heard.filter((m) => m.type === "unavailable" || m.type === "adapter-error");
    if (unavailable.length > 0) throw new Error(`the probe reported: ${JSON.stringify(unavailable)}`);
  } finally {
    await probe.close();
    await lab.down();
  }
});
