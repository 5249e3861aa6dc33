// `mif status` and `mif watch` over a host adapter with a fixed source: the
// text, the JSON, and the usage errors. The namespace lab runs them on a
// real host (tests/lab_host_test.ts).

import { runStatus, runWatch } from "../cli/host.ts";
import { decodeAddressFlags, type HostFacts, HostNetwork, type KernelFactsSource } from "../adapters/host/mod.ts";
import { VirtualClock } from "../adapters/simulated/mod.ts";
import { assert, assertEquals } from "./_assert.ts";

function fixedHost(): HostNetwork {
  const facts: HostFacts = {
    links: [{ ifindex: 2, name: "eth0", kind: "ethernet", up: true, mtu: 1500 }],
    addresses: [
      {
        ifindex: 2,
        family: 6,
        address: "2001:db8:a::100",
        prefixLength: 64,
        scope: "global",
        flags: decodeAddressFlags(0, 6),
        validLifetime: 7200,
        preferredLifetime: 3600,
      },
      {
        ifindex: 2,
        family: 4,
        address: "192.0.2.100",
        prefixLength: 24,
        scope: "global",
        flags: decodeAddressFlags(0, 4),
      },
    ],
    routes: [],
    dns: { servers: ["2001:db8:a::53", "192.0.2.53"], searchDomains: ["a.example"], links: [] },
  };
  const source: KernelFactsSource = { name: "proc", limitations: ["a fixed host"], read: () => Promise.resolve(facts) };
  // A clock that stands still: the lifetimes printed are the ones read.
  return new HostNetwork({ sources: [source], pollInterval: 60_000, clock: new VirtualClock({ start: 1_000 }) });
}

Deno.test("mif status prints interfaces, PvDs, addresses with lifetimes, DNS and the source", async () => {
  const lines: string[] = [];
  assertEquals(await runStatus(["--wait", "0"], { network: fixedHost(), print: (l) => lines.push(l) }), 0);
  const text = lines.join("\n");
  for (
    const expected of [
      "source: proc",
      "cannot see: a fixed host",
      "eth0 (interface 2, ethernet)",
      "implicit PvD implicit:eth0:ipv6",
      "address 2001:db8:a::100/64  valid 7200 s, preferred 3600 s",
      "dns 2001:db8:a::53",
      "search a.example",
      "implicit PvD implicit:eth0:ipv4",
      "address 192.0.2.100/24  valid forever, preferred forever",
      "dns 192.0.2.53",
    ]
  ) assert(text.includes(expected), `missing "${expected}" in\n${text}`);
});

Deno.test("mif status --json is the same, as data", async () => {
  const lines: string[] = [];
  await runStatus(["--json", "--wait", "0"], { network: fixedHost(), print: (l) => lines.push(l) });
  const report = JSON.parse(lines.join("\n"));
  assertEquals(report.source, "proc");
  const v6 = report.interfaces[0].pvds[0];
  assertEquals(v6.pvdId, "implicit:eth0:ipv6");
  assertEquals(v6.addresses[0], {
    address: "2001:db8:a::100",
    prefixLength: 64,
    validLifetime: 7200,
    preferredLifetime: 3600,
  });
  assertEquals(v6.dnsServers.map((d: { address: string }) => d.address), ["2001:db8:a::53"]);
  assertEquals(report.interfaces[0].pvds[1].addresses[0].validLifetime, "forever");
});

Deno.test("mif watch follows every interface, PvD, address and element until stopped", async () => {
  const lines: string[] = [];
  assertEquals(await runWatch(["--json", "--for", "300"], { network: fixedHost(), print: (l) => lines.push(l) }), 0);
  const types = lines.map((l) => JSON.parse(l).type);
  assertEquals(types.filter((t) => t === "interface-announcement").length, 1);
  assertEquals(types.filter((t) => t === "provisioning-domain-announcement").length, 2);
  assertEquals(types.filter((t) => t === "address-announcement").length, 2);
  assert(types.includes("configuration-element-announcement"), types.join());
  const text: string[] = [];
  await runWatch(["--for", "100"], { network: fixedHost(), print: (l) => text.push(l) });
  assert(/^\d\d:\d\d:\d\d\.\d{3} interface-announcement interfaceId=2 displayName=eth0$/.test(text[0]!), text[0]);
});

Deno.test("mif status and watch refuse options they do not know", async () => {
  const errors: string[] = [];
  const original = console.error;
  console.error = (line: string) => errors.push(line);
  try {
    assertEquals(await runStatus(["--for", "5"], { network: fixedHost() }), 2);
    assertEquals(await runWatch(["--wait", "5"], { network: fixedHost() }), 2);
    assertEquals(await runStatus(["--wait", "soon"], { network: fixedHost() }), 2);
    assertEquals(await runWatch(["--bogus"], { network: fixedHost() }), 2);
  } finally {
    console.error = original;
  }
  assertEquals(errors, [
    "mif status: --for is an option of watch",
    "mif watch: --wait is an option of status",
    "mif status: --wait takes a number of milliseconds, got soon",
    'mif watch: unknown option "--bogus"',
  ]);
});
