// The host adapter: the sources over fixture trees (this machine's files and
// a hand-written laptop), HostNetwork's reading, polling, watching and
// fallbacks on a virtual clock, the MIF API over it, a live read of this
// machine's /proc, and resolve/connect over loopback sockets (these need
// --allow-net and are skipped without it; no other traffic is sent).

import { networkInterfaces } from "node:os";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createServer, type Server, type Socket } from "node:net";
import {
  decodeAddressFlags,
  type HostFacts,
  HostNetwork,
  type KernelFactsSource,
  type NetworkInterfacesFunction,
  networkInterfacesSource,
  parseIfInet6,
  procSource,
} from "../adapters/host/mod.ts";
import { VirtualClock } from "../adapters/simulated/mod.ts";
import { decodeQuery, encodeResponse } from "../adapters/dns/mod.ts";
import { ConfigurationDatabase, type DatabaseEvent } from "../api/config_db.ts";
import { MifError } from "../api/errors.ts";
import { MifApi } from "../mod.ts";
import { THIS_MACHINE_LINKS } from "./_this_machine.ts";
import type { MifReply } from "../api/messages.ts";
import type { NetworkLinkSink, NetworkState, ResolvedFamily } from "../api/network_link.ts";
import type { Subscriber } from "../api/subscriber.ts";
import { assert, assertEquals, assertRejects } from "./_assert.ts";

const THIS_MACHINE = "tests/fixtures/host/this-machine";
const LAPTOP = "tests/fixtures/host/laptop";

async function listing(root: string): Promise<NetworkInterfacesFunction> {
  const json = JSON.parse(await Deno.readTextFile(`${root}/network_interfaces.json`));
  return () => json;
}

/** Lets queued promise jobs and zero-delay timers run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function drain(app: Subscriber): MifReply[] {
  const out: MifReply[] = [];
  for (let m = app.getMessage(); m !== undefined; m = app.getMessage()) out.push(m);
  return out;
}

// ---------------------------------------------------------------------------
// procSource over fixture trees
// ---------------------------------------------------------------------------

Deno.test("procSource: this machine's files", async () => {
  const facts = await procSource({
    root: THIS_MACHINE,
    networkInterfaces: await listing(THIS_MACHINE),
    byteOrder: "little",
  }).read();
  assertEquals(facts.links, THIS_MACHINE_LINKS);
  assertEquals(facts.addresses.map((a) => `${a.ifindex} ${a.address}/${a.prefixLength} ${a.scope}`), [
    "4 fd00::2/64 global",
    "1 ::1/128 host",
    "4 fe80::fc:ff:fe00:1/64 link",
    "1 127.0.0.1/8 host",
    "4 192.0.2.2/24 global",
  ]);
  // IPv4 from networkInterfaces(): no flags, no lifetimes.
  assertEquals(facts.addresses[4]?.flags, decodeAddressFlags(0, 4));
  assertEquals(facts.addresses[4]?.validLifetime, undefined);
  assertEquals(
    facts.routes.filter((r) => r.type === "unicast").map((r) =>
      `${r.ifindex} ${r.destination}/${r.prefixLength} ${r.gateway ?? "-"} ${r.metric}`
    ),
    ["4 fd00::/64 - 256", "4 fe80::/64 - 256", "4 ::/0 fd00::1 1024", "4 0.0.0.0/0 192.0.2.1 0", "4 192.0.2.0/24 - 0"],
  );
  assertEquals(facts.dns, { servers: ["8.8.8.8"], searchDomains: [], links: [], origin: "/etc/resolv.conf" });
});

Deno.test("procSource: the hand-written laptop", async () => {
  const facts = await procSource({ root: LAPTOP, networkInterfaces: await listing(LAPTOP), byteOrder: "little" })
    .read();
  // bonding_masters is a file among the links and is skipped.
  assertEquals(facts.links.map((l) => `${l.ifindex} ${l.name} ${l.kind} ${l.up ? "up" : "down"} ${l.mtu}`), [
    "1 lo loopback up 65536",
    "2 enp0s31f6 ethernet down 1500",
    "3 wlp2s0 wifi up 1500",
    "4 wwan0 cellular up 1500",
    "5 wg0 vpn up 1420",
    "6 tun0 vpn up 1500",
    "7 docker0 ethernet down 1500",
    "300 veth3c2a1b0 ethernet up 1500",
  ]);
  // Links without a link-layer address have none.
  assertEquals(facts.links.find((l) => l.name === "wg0")?.linkLayerAddress, undefined);
  // The wlp2s0:1 label is wlp2s0; gone0 is not a link any more.
  const v4 = facts.addresses.filter((a) => a.family === 4).map((a) => `${a.ifindex} ${a.address}`);
  assertEquals(v4, [
    "1 127.0.0.1",
    "3 192.168.1.23",
    "3 192.168.1.99",
    "4 100.72.14.13",
    "5 10.64.12.7",
    "6 10.8.0.2",
    "7 172.17.0.1",
  ]);
  assert(facts.addresses.some((a) => a.ifindex === 300 && a.address === "fe80::6c21:9aff:fe0b:ccde"));
  // The reject route with no link ("*") is dropped; the RA default route keeps its origin.
  assert(facts.routes.every((r) => r.type !== "reject" || r.ifindex === 1));
  const raDefault = facts.routes.find((r) => r.family === 6 && r.prefixLength === 0 && r.ifindex === 3);
  assertEquals(raDefault?.origin, "ra");
  assertEquals(raDefault?.gateway, "fe80::1");
  // Behind systemd-resolved's stub, the host-wide list is the upstream one.
  assertEquals(facts.dns.origin, "/run/systemd/resolve/resolv.conf");
  assertEquals(facts.dns.servers, ["192.168.1.1", "fe80::1%3", "2001:db8:1::53", "100.72.0.53", "2001:db8:cafe::53"]);
  assertEquals(facts.dns.links.map((l) => [l.ifindex, l.servers.join(" "), l.routeOnlyDomains.join(" ")]), [
    [3, "192.168.1.1 fe80::1 2001:db8:1::53", "corp.example"],
    // The DNS-over-TLS server on port 853 is left out.
    [4, "100.72.0.53 2001:db8:cafe::53", ""],
    [5, "fd7a:115c:a1e0::53", ". tailnet.example"],
  ]);
});

Deno.test("procSource: not Linux (no /sys/class/net) is unsupported", async () => {
  const error = await assertRejects(
    () => procSource({ root: "/nonexistent-root", networkInterfaces: () => ({}) }).read(),
    MifError,
    "Cannot read host facts from /proc and /sys",
  );
  assertEquals((error as MifError).code, "unsupported");
});

Deno.test("procSource: a kernel file in an unknown format is a SyntaxError", async () => {
  const root = await Deno.makeTempDir({ prefix: "host-fixture-" });
  try {
    await Deno.mkdir(`${root}/sys/class/net`, { recursive: true });
    await Deno.mkdir(`${root}/proc/net`, { recursive: true });
    await Deno.writeTextFile(`${root}/proc/net/route`, "Iface\tDestination\n");
    await Deno.writeTextFile(`${root}/proc/net/if_inet6`, "this is not if_inet6\n");
    await assertRejects(
      () => procSource({ root, networkInterfaces: () => ({}) }).read(),
      SyntaxError,
      "Cannot parse /proc/net/if_inet6: line 1 has 4 fields, expected 6",
    );
    // Without if_inet6 and ipv6_route (no IPv6 in the kernel), reading works.
    await Deno.remove(`${root}/proc/net/if_inet6`);
    const facts = await procSource({ root, networkInterfaces: () => ({}) }).read();
    assertEquals([facts.links.length, facts.addresses.length, facts.routes.length], [0, 0, 0]);
    assertEquals(facts.dns, { servers: [], searchDomains: [], links: [] });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("procSource: says what it cannot see", () => {
  const source = procSource();
  assertEquals(source.name, "proc");
  assertEquals(source.watch, undefined);
  assert(source.limitations.some((l) => l.includes("lifetimes")));
  assert(source.limitations.some((l) => l.includes("networkInterfaces()")));
});

// ---------------------------------------------------------------------------
// networkInterfacesSource
// ---------------------------------------------------------------------------

Deno.test("networkInterfacesSource: ids from link-local scope ids, made-up ids that stay", async () => {
  let listed: ReturnType<NetworkInterfacesFunction> = JSON.parse(
    await Deno.readTextFile(`${LAPTOP}/network_interfaces.json`),
  );
  const source = networkInterfacesSource({ root: THIS_MACHINE, networkInterfaces: () => listed });
  const first = await source.read();
  assertEquals(first.links.map((l) => `${l.name}=${l.ifindex} ${l.kind}`), [
    "wlp2s0=3 wifi",
    "docker0=2130706432 other",
    "gone0=2130706433 other",
    "lo=2130706434 loopback",
    "tun0=2130706435 vpn",
    "wg0=2130706436 vpn",
    "wwan0=2130706437 cellular",
  ]);
  assert(first.links.every((l) => l.up && l.mtu === undefined));
  // The alias's address joins its link; IPv6 addresses are there too.
  assertEquals(
    first.addresses.filter((a) => a.ifindex === 3).map((a) => `${a.address} ${a.scope}`),
    [
      "192.168.1.23 global",
      "2001:db8:1:0:a00:27ff:fe12:3456 global",
      "fe80::a00:27ff:fe12:3456 link",
      "192.168.1.99 global",
    ],
  );
  assertEquals(first.routes, []);
  assertEquals(first.dns.servers, ["8.8.8.8"]);
  // A link that appears later gets the next made-up id; the others keep theirs.
  listed = { ...listed, zz9: [{ ...listed.tun0![0]!, address: "10.9.0.1", cidr: "10.9.0.1/24" }] };
  const second = await source.read();
  assertEquals(second.links.find((l) => l.name === "tun0")?.ifindex, 2130706435);
  assertEquals(second.links.find((l) => l.name === "zz9")?.ifindex, 2130706438);
});

Deno.test("networkInterfacesSource: a failing listing is unsupported; no resolv.conf is no DNS", async () => {
  const failing = networkInterfacesSource({
    networkInterfaces: () => {
      throw new Error('Requires sys access to "networkInterfaces"');
    },
  });
  const error = await assertRejects(() => failing.read(), MifError, "Cannot read host facts from networkInterfaces()");
  assertEquals((error as MifError).code, "unsupported");
  const empty = await networkInterfacesSource({ root: "/nonexistent-root", networkInterfaces: () => ({}) }).read();
  assertEquals(empty, { links: [], addresses: [], routes: [], dns: { servers: [], searchDomains: [], links: [] } });
  assert(networkInterfacesSource().limitations.some((l) => l.includes("No routes")));
});

// ---------------------------------------------------------------------------
// HostNetwork with sources under test control
// ---------------------------------------------------------------------------

function facts(addresses: string[]): HostFacts {
  return {
    links: [{ ifindex: 4, name: "eth0", kind: "ethernet", up: true, adminUp: true, mtu: 1400 }],
    addresses: addresses.map((address) => ({
      ifindex: 4,
      family: address.includes(":") ? 6 : 4,
      address,
      prefixLength: address.includes(":") ? 64 : 24,
      scope: "global",
      flags: decodeAddressFlags(0, address.includes(":") ? 6 : 4),
    })),
    routes: [],
    dns: { servers: ["192.0.2.53"], searchDomains: [], links: [] },
  };
}

/** A source whose facts and failures a test sets. */
class ScriptedSource implements KernelFactsSource {
  readonly name: KernelFactsSource["name"];
  readonly limitations: readonly string[];
  current: HostFacts;
  failure: Error | undefined;
  reads = 0;
  constructor(name: KernelFactsSource["name"], current: HostFacts, failure?: Error) {
    this.name = name;
    this.limitations = [`${name} sees little`];
    this.current = current;
    this.failure = failure;
  }
  read(): Promise<HostFacts> {
    this.reads++;
    return this.failure === undefined ? Promise.resolve(this.current) : Promise.reject(this.failure);
  }
}

function recordingSink(): NetworkLinkSink & { snapshots: NetworkState[] } {
  const snapshots: NetworkState[] = [];
  return { snapshots, snapshot: (state) => snapshots.push(state), apply: () => {} };
}

Deno.test("HostNetwork: a snapshot at start, then one per poll; an unchanged host announces nothing", async () => {
  const clock = new VirtualClock();
  const source = new ScriptedSource("proc", facts(["192.0.2.2"]));
  const events: DatabaseEvent[] = [];
  const db = new ConfigurationDatabase(clock, { onEvent: (e) => events.push(e) });
  const network = new HostNetwork({ sources: [source], clock, pollInterval: 1_000 });
  network.start(db);
  await settle();
  assertEquals(source.reads, 1);
  assertEquals(network.source, "proc");
  assertEquals(network.limitations[0], "proc sees little");
  assert(network.limitations[1]?.startsWith("no Router Advertisement listener"), "and no RA listener was given");
  assertEquals(events.map((e) => e.kind), [
    "interface-added",
    "pvd-added",
    "element-set",
    "element-set",
    "address-set",
  ]);
  assertEquals(clock.pendingTimers, 1);
  clock.advance(999);
  await settle();
  assertEquals(source.reads, 1);
  clock.advance(1);
  await settle();
  assertEquals(source.reads, 2);
  assertEquals(events.length, 5);
  // An address appears: only it is announced.
  source.current = facts(["192.0.2.2", "2001:db8::2"]);
  clock.advance(1_000);
  await settle();
  assertEquals(events.slice(5).map((e) => e.kind), ["pvd-added", "element-set", "address-set"]);
  assertEquals(network.facts?.addresses.length, 2);
  network.stop();
  assertEquals(clock.pendingTimers, 0);
  db.close();
});

Deno.test("HostNetwork: the first source that works is used; the ones before it are reported once", async () => {
  const clock = new VirtualClock();
  const errors: Error[] = [];
  const rtnetlink = new ScriptedSource("rtnetlink", facts([]), new Error("no FFI here"));
  const proc = new ScriptedSource("proc", facts([]), new Error("no /proc"));
  const fallback = new ScriptedSource("network-interfaces", facts(["192.0.2.2"]));
  const network = new HostNetwork({ sources: [rtnetlink, proc, fallback], clock, onError: (e) => errors.push(e) });
  const sink = recordingSink();
  network.start(sink);
  await settle();
  assertEquals(network.source, "network-interfaces");
  assertEquals(network.limitations[0], "network-interfaces sees little");
  assertEquals(errors.map((e) => e.message), [
    'Cannot read host facts through "rtnetlink", using "network-interfaces": no FFI here',
    'Cannot read host facts through "proc", using "network-interfaces": no /proc',
  ]);
  assert(errors.every((e) => e instanceof MifError && e.code === "unsupported"));
  // From then on, only the chosen source is read.
  clock.advance(1_000);
  await settle();
  assertEquals([rtnetlink.reads, proc.reads, fallback.reads], [1, 1, 2]);
  assertEquals(sink.snapshots.length, 2);
  network.stop();
});

Deno.test("HostNetwork: when no source works, errors go to onError and the next poll tries again", async () => {
  const clock = new VirtualClock();
  const errors: Error[] = [];
  const proc = new ScriptedSource("proc", facts(["192.0.2.2"]), new Error("no /proc"));
  const network = new HostNetwork({ sources: [proc], clock, onError: (e) => errors.push(e) });
  const sink = recordingSink();
  network.start(sink);
  await settle();
  assertEquals(errors.map((e) => e.message), ["Cannot read host facts: no source works; tried proc (no /proc)"]);
  assertEquals(sink.snapshots.length, 0);
  assertEquals(network.source, undefined);
  assertEquals(network.limitations, []);
  await assertRejects(() => network.refresh(), MifError, "no source works");
  proc.failure = undefined;
  clock.advance(1_000);
  await settle();
  assertEquals(sink.snapshots.length, 1);
  assertEquals(network.source, "proc");
  // The chosen source fails later: reported, the last state stays, polling goes on.
  proc.failure = new Error("EIO");
  clock.advance(1_000);
  await settle();
  assertEquals(errors.at(-1)?.message, "EIO");
  assertEquals(sink.snapshots.length, 1);
  assertEquals(clock.pendingTimers, 1);
  network.stop();
});

Deno.test("HostNetwork: a source with watch is not polled; notifications coalesce; stop unwatches", async () => {
  const clock = new VirtualClock();
  let notify: (() => void) | undefined;
  let watching = 0;
  const source = new ScriptedSource("rtnetlink", facts(["192.0.2.2"]));
  const watched: KernelFactsSource = {
    name: source.name,
    limitations: source.limitations,
    read: () => source.read(),
    watch(onChange) {
      watching++;
      notify = onChange;
      return () => {
        watching--;
        notify = undefined;
      };
    },
  };
  // The rtnetlink source's DNS comes from files unless given: given here, so
  // that a read is done within one turn of the event loop (no file I/O).
  const dns = () => Promise.resolve({ servers: [], searchDomains: [], links: [] });
  const network = new HostNetwork({ sources: [watched], clock, dns });
  const sink = recordingSink();
  network.start(sink);
  await settle();
  assertEquals([source.reads, watching, clock.pendingTimers], [1, 1, 0]);
  // Three notifications before the queued read begins: one read.
  notify!();
  notify!();
  notify!();
  await settle();
  assertEquals(source.reads, 2);
  assertEquals(sink.snapshots.length, 2);
  network.stop();
  assertEquals(watching, 0);
});

Deno.test("HostNetwork: a read in flight when stopped delivers nothing; refresh before start delivers nothing", async () => {
  const clock = new VirtualClock();
  let release: ((facts: HostFacts) => void) | undefined;
  const slow: KernelFactsSource = {
    name: "proc",
    limitations: [],
    read: () => new Promise((resolve) => (release = resolve)),
  };
  const network = new HostNetwork({ sources: [slow], clock });
  const sink = recordingSink();
  network.start(sink);
  await settle();
  network.stop();
  release!(facts(["192.0.2.2"]));
  await settle();
  assertEquals(sink.snapshots.length, 0);
  assertEquals(clock.pendingTimers, 0);
  // refresh() without a sink reads and returns the state.
  const reading = network.refresh();
  await settle();
  release!(facts(["192.0.2.3"]));
  const state = await reading;
  assertEquals(state.addresses.map((a) => a.address), ["192.0.2.3"]);
  assertEquals(sink.snapshots.length, 0);
});

Deno.test("HostNetwork: a sink that throws is reported, not fatal", async () => {
  const clock = new VirtualClock();
  const errors: Error[] = [];
  const network = new HostNetwork({
    sources: [new ScriptedSource("proc", facts(["192.0.2.2"]))],
    clock,
    onError: (e) => errors.push(e),
  });
  network.start({
    snapshot: () => {
      throw new Error("sink broke");
    },
    apply: () => {},
  });
  await settle();
  assertEquals(errors.map((e) => e.message), ["sink broke"]);
  assertEquals(clock.pendingTimers, 1);
  network.stop();
});

// ---------------------------------------------------------------------------
// The MIF API over HostNetwork
// ---------------------------------------------------------------------------

Deno.test("MifApi over HostNetwork: the laptop's interfaces, PvDs and configuration", async () => {
  const clock = new VirtualClock();
  const network = new HostNetwork({
    sources: [procSource({ root: LAPTOP, networkInterfaces: await listing(LAPTOP), byteOrder: "little" })],
    clock,
  });
  const api = new MifApi(network);
  await network.refresh();
  const app = api.subscribe();
  app.postMessage({ type: "announce-interfaces" });
  const interfaces = drain(app).flatMap((m) => m.type === "interface-announcement" ? [m.displayName] : []);
  // The wired port and the docker bridge are up without carrier: interfaces coming up, with no PvDs.
  assertEquals(interfaces, ["enp0s31f6", "wlp2s0", "wwan0", "wg0", "tun0", "docker0", "veth3c2a1b0"]);
  app.postMessage({ type: "announce-provisioning-domains", interfaceId: 3 });
  const pvds = drain(app).flatMap((m) => m.type === "provisioning-domain-announcement" ? [m.pvdId] : []);
  assertEquals(pvds, ["implicit:wlp2s0:ipv6", "implicit:wlp2s0:ipv4"]);
  app.postMessage({ type: "announce-addresses", pvdId: "implicit:wlp2s0:ipv6" });
  const addresses = drain(app).flatMap((m) => m.type === "address-announcement" ? [m.address] : []);
  assertEquals(addresses, [
    "2001:db8:1:0:a00:27ff:fe12:3456",
    "2001:db8:1:0:5d2c:1e9a:7b40:8f11",
    "2001:db8:1:0:9e3f:aa01:2b44:c0de",
    "fe80::a00:27ff:fe12:3456",
  ]);
  app.postMessage({
    type: "get-configuration-data",
    pvdId: "implicit:wlp2s0:ipv6",
    elementType: "static",
    informationId: "dns-servers",
  });
  const [data] = drain(app);
  assertEquals(data?.type === "configuration-data" ? data.data : undefined, [
    { address: "fe80::1", lifetime: Infinity },
    { address: "2001:db8:1::53", lifetime: Infinity },
  ]);
  // tun0's IPv6 PvD holds only its optimistic address.
  app.postMessage({ type: "announce-addresses", pvdId: "implicit:tun0:ipv6" });
  assertEquals(drain(app).flatMap((m) => m.type === "address-announcement" ? [m.address] : []), ["fe80::6"]);
  api.close();
  assertEquals(clock.pendingTimers, 0);
});

// ---------------------------------------------------------------------------
// Live: this machine's real /proc through the public API
// ---------------------------------------------------------------------------

const onLinux = Deno.build.os === "linux";

/** Whether this process may read /proc: Deno allows it only with --allow-all (denoland/deno#27564). */
function procReadable(): boolean {
  try {
    Deno.readTextFileSync("/proc/net/if_inet6");
    return true;
  } catch {
    return false;
  }
}

Deno.test({
  name: "live: MifApi over HostNetwork announces this machine's links, PvDs and addresses",
  ignore: !onLinux,
  async fn() {
    const errors: Error[] = [];
    const network = new HostNetwork({ onError: (e) => errors.push(e) });
    const api = new MifApi(network);
    try {
      await network.refresh();
      const viaProc = procReadable();
      // Under the test task (no --allow-all) Deno refuses /proc, and the
      // adapter says so once and falls back to networkInterfaces().
      assertEquals(network.source, viaProc ? "proc" : "network-interfaces");
      assertEquals(errors.length, viaProc ? 0 : 1);
      if (!viaProc) assert(errors[0]!.message.includes("denoland/deno#27564"), errors[0]!.message);
      // What the system says at test time, through other means: node:os for
      // names and IPv4; IPv6 from /proc/net/if_inet6 (usable ones) where it
      // can be read, else from node:os too.
      const listed = networkInterfaces();
      const external = Object.entries(listed).filter(([, entries]) => entries?.some((e) => !e.internal));
      const internal = Object.entries(listed).filter(([, entries]) => entries?.every((e) => e.internal));
      const ipv6 = viaProc
        ? parseIfInet6(Deno.readTextFileSync("/proc/net/if_inet6"))
          .filter((a) => !a.flags.dadFailed && (!a.flags.tentative || a.flags.optimistic))
          .map((a) => ({ name: a.name, address: a.address }))
        : Object.entries(listed).flatMap(([name, entries]) =>
          (entries ?? []).filter((e) => e.family === "IPv6").map((e) => ({ name, address: e.address }))
        );
      const app = api.subscribe();
      app.postMessage({ type: "announce-interfaces" });
      const announced = new Map(
        drain(app).flatMap((m) => m.type === "interface-announcement" ? [[m.displayName, m.interfaceId] as const] : []),
      );
      for (const [name] of internal) assert(!announced.has(name), `loopback ${name} is announced`);
      assert(external.length === 0 || announced.size > 0, "no interface announced");
      for (const [label, entries] of external) {
        const name = label.split(":")[0]!;
        const interfaceId = announced.get(name);
        assert(interfaceId !== undefined, `${name} is not announced`);
        app.postMessage({ type: "announce-provisioning-domains", interfaceId });
        const pvds = drain(app).flatMap((m) => m.type === "provisioning-domain-announcement" ? [m.pvdId] : []);
        const v4 = (entries ?? []).filter((e) => e.family === "IPv4").map((e) => e.address);
        const v6 = ipv6.filter((a) => a.name === name).map((a) => a.address);
        if (v4.length > 0) assert(pvds.includes(`implicit:${name}:ipv4`), `${name}: ${pvds}`);
        if (v6.length > 0) assert(pvds.includes(`implicit:${name}:ipv6`), `${name}: ${pvds}`);
        const seen: string[] = [];
        for (const pvdId of pvds) {
          app.postMessage({ type: "announce-addresses", pvdId });
          seen.push(...drain(app).flatMap((m) => m.type === "address-announcement" ? [m.address] : []));
        }
        for (const address of [...v4, ...v6]) assert(seen.includes(address), `${name}: ${address} not in ${seen}`);
      }
      // Where `ip` may be run, its view must agree too.
      if (Deno.permissions.querySync({ name: "run", command: "ip" }).state === "granted") {
        const output = new Deno.Command("ip", { args: ["-j", "addr"] }).outputSync();
        const links = JSON.parse(new TextDecoder().decode(output.stdout)) as {
          ifname: string;
          link_type: string;
          addr_info: unknown[];
        }[];
        for (const link of links.filter((l) => l.link_type !== "loopback" && l.addr_info.length > 0)) {
          assert(announced.has(link.ifname), `ip shows ${link.ifname}, not announced`);
        }
      }
    } finally {
      api.close();
    }
  },
});

Deno.test({
  name: "live: on this development machine, eth0 carries fd00::2 and 192.0.2.2, lo is skipped",
  // Only where those addresses are configured: CI machines have others.
  ignore: !onLinux || !Object.values(networkInterfaces()).flat().some((e) => e?.address === "fd00::2"),
  async fn() {
    const network = new HostNetwork();
    const state = await network.refresh();
    const of = (pvdId: string) => state.addresses.filter((a) => a.pvdId === pvdId).map((a) => a.address);
    assert(of("implicit:eth0:ipv6").includes("fd00::2"));
    assert(of("implicit:eth0:ipv4").includes("192.0.2.2"));
    assertEquals(state.interfaces.find((i) => i.displayName === "eth0")?.interfaceId, 4);
    assert(!state.interfaces.some((i) => i.kind === "loopback" || i.displayName === "lo"));
  },
});

// ---------------------------------------------------------------------------
// Resolve and connect over loopback (needs --allow-net)
// ---------------------------------------------------------------------------

const netAllowed = ["127.0.0.1", "[::1]"].every((host) =>
  Deno.permissions.querySync({ name: "net", host }).state === "granted"
);

/** The loopback link with both families and DNS servers on both loopback addresses. */
function loopbackFacts(): HostFacts {
  return {
    links: [{ ifindex: 1, name: "lo", kind: "loopback", up: true, adminUp: true, mtu: 65536 }],
    addresses: [
      { ifindex: 1, family: 6, address: "::1", prefixLength: 128, scope: "host", flags: decodeAddressFlags(0x80, 6) },
      { ifindex: 1, family: 4, address: "127.0.0.1", prefixLength: 8, scope: "host", flags: decodeAddressFlags(0, 4) },
    ],
    routes: [],
    dns: { servers: ["::1", "127.0.0.1"], searchDomains: ["test"], links: [] },
  };
}

interface DnsServers {
  readonly port: number;
  readonly queries: string[];
  close(): Promise<void>;
}

/** A DNS server on 127.0.0.1 and ::1, one port, answering `host.test` with loopback addresses. */
async function startDnsServers(): Promise<DnsServers> {
  const queries: string[] = [];
  const bind = (socket: UdpSocket, port: number, address: string) =>
    new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(port, address, () => {
        socket.off("error", reject);
        resolve();
      });
    });
  const answer = (socket: UdpSocket) =>
    socket.on("message", (message, from) => {
      const query = decodeQuery(new Uint8Array(message));
      if (query === undefined) return;
      queries.push(`${from.address} ${query.type} ${query.name}`);
      const known = query.name === "host.test";
      const data = query.type === "A" ? "127.0.0.1" : "::1";
      const response = encodeResponse({
        id: query.id,
        question: query,
        ...(known ? { answers: [{ name: query.name, type: query.type as "A" | "AAAA", ttl: 60, data }] } : {}),
        ...(known ? {} : { rcode: "NXDOMAIN" as const }),
      });
      socket.send(response, from.port, from.address);
    });
  for (let tries = 0;; tries++) {
    const v4 = createSocket("udp4");
    const v6 = createSocket("udp6");
    await bind(v4, 0, "127.0.0.1");
    const port = v4.address().port;
    try {
      await bind(v6, port, "::1");
    } catch (error) {
      v4.close();
      v6.close();
      if (tries < 5) continue;
      throw error;
    }
    answer(v4);
    answer(v6);
    const closeOne = (s: UdpSocket) => new Promise<void>((resolve) => s.close(() => resolve()));
    return { port, queries, close: () => Promise.all([closeOne(v4), closeOne(v6)]).then(() => {}) };
  }
}

interface EchoServer {
  readonly port: number;
  readonly peers: string[];
  close(): Promise<void>;
}

/** A TCP echo server on one loopback address. */
async function startEchoServer(host: string): Promise<EchoServer> {
  const sockets = new Set<Socket>();
  const peers: string[] = [];
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    peers.push(socket.remoteAddress ?? "?");
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    peers,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function echoOnce(token: { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> }) {
  const writer = token.writable.getWriter();
  const reader = token.readable.getReader();
  await writer.write(new TextEncoder().encode("ping"));
  const { value } = await reader.read();
  reader.releaseLock();
  writer.releaseLock();
  return new TextDecoder().decode(value);
}

Deno.test({
  name: "loopback: resolve sends from the PvD's address and yields both families",
  ignore: !netAllowed,
  async fn() {
    const dns = await startDnsServers();
    const network = new HostNetwork({
      sources: [{ name: "proc", limitations: [], read: () => Promise.resolve(loopbackFacts()) }],
      model: { includeLoopback: true },
      dnsPort: dns.port,
      dnsTimeout: 1_000,
    });
    try {
      await network.refresh();
      const answers: ResolvedFamily[] = [];
      const query = {
        pvdId: "implicit:lo:ipv4",
        interfaceId: 1,
        name: "host",
        dnsServers: ["127.0.0.1"],
        searchDomains: ["test"],
        sourceAddresses: ["127.0.0.1"],
      };
      for await (const answer of network.resolve(query, new AbortController().signal)) answers.push(answer);
      assertEquals(answers.map((a) => `${a.family} ${a.addresses.join()}`).sort(), ["4 127.0.0.1", "6 ::1"]);
      assertEquals(dns.queries.sort(), ["127.0.0.1 A host.test", "127.0.0.1 AAAA host.test"]);
      // A PvD without an address of the server's family cannot reach it.
      const error = await assertRejects(async () => {
        for await (const _ of network.resolve({ ...query, dnsServers: ["::1"] }, new AbortController().signal)) {
          // nothing
        }
      }, MifError);
      assertEquals((error as MifError).code, "resolution-failed");
      assert(error.message.includes("no IPv6 source address"), error.message);
    } finally {
      await dns.close();
    }
  },
});

Deno.test({
  name: "loopback: connect binds the source, carries bytes, and fails with reasons",
  ignore: !netAllowed,
  async fn() {
    const v4 = await startEchoServer("127.0.0.1");
    const v6 = await startEchoServer("::1");
    const network = new HostNetwork({ sources: [] });
    const signal = new AbortController().signal;
    try {
      const attempt = { pvdId: "implicit:lo:ipv4", interfaceId: 1, sourceAddress: "127.0.0.1", address: "127.0.0.1" };
      const token = await network.connect({ ...attempt, port: v4.port }, signal);
      assertEquals([token.localAddress, token.remoteAddress, token.remotePort], ["127.0.0.1", "127.0.0.1", v4.port]);
      assertEquals([token.pvdId, token.interfaceId], ["implicit:lo:ipv4", 1]);
      assertEquals(await echoOnce(token), "ping");
      token.close();
      token.close();
      const token6 = await network.connect(
        { pvdId: "implicit:lo:ipv6", interfaceId: 1, sourceAddress: "::1", address: "::1", port: v6.port },
        signal,
      );
      assertEquals([token6.localAddress, token6.remoteAddress], ["::1", "::1"]);
      assertEquals(await echoOnce(token6), "ping");
      token6.close();
      assertEquals(v6.peers, ["::1"]);
      // Refused: a port nobody listens on (the v4 server's, once closed).
      const closedPort = v4.port;
      await v4.close();
      const refused = await assertRejects(
        () => network.connect({ ...attempt, port: closedPort }, signal),
        MifError,
        `Cannot connect to 127.0.0.1:${closedPort} from 127.0.0.1 in provisioning domain "implicit:lo:ipv4": refused`,
      );
      assertEquals((refused as MifError).code, "connection-failed");
      // A source address this host does not have.
      const foreign = await assertRejects(
        () => network.connect({ ...attempt, sourceAddress: "192.0.2.254", port: v6.port }, signal),
        MifError,
      );
      assertEquals((foreign as MifError).code, "connection-failed");
      const aborted = AbortSignal.abort(new Error("stop"));
      const stopped = await assertRejects(() => network.connect({ ...attempt, port: v6.port }, aborted), MifError);
      assertEquals((stopped as MifError).code, "aborted");
    } finally {
      await v4.close().catch(() => {});
      await v6.close();
    }
  },
});

Deno.test({
  name: "loopback: MifApi.connect resolves and races through the loopback PvDs",
  ignore: !netAllowed,
  async fn() {
    const dns = await startDnsServers();
    const v6 = await startEchoServer("::1");
    const network = new HostNetwork({
      sources: [{ name: "proc", limitations: [], read: () => Promise.resolve(loopbackFacts()) }],
      model: { includeLoopback: true },
      dnsPort: dns.port,
      dnsTimeout: 1_000,
    });
    const api = new MifApi(network);
    try {
      await network.refresh();
      const app = api.subscribe();
      app.postMessage({
        type: "connect-to-pvd",
        pvdId: "implicit:lo:ipv6",
        name: "host.test",
        port: v6.port,
        connectionId: "c1",
      });
      assert(await app.checkMessage({ timeout: 5_000 }));
      const reply = app.getMessage();
      assert(reply?.type === "connected", JSON.stringify(reply));
      assertEquals(reply.token.remoteAddress, "::1");
      assertEquals(await echoOnce(reply.token), "ping");
      reply.token.close();
      // The whole race: both PvDs resolve; only ::1 listens on that port.
      const { token, pvdId } = await api.connect("host", v6.port, { timeout: 5_000 });
      assertEquals(pvdId, "implicit:lo:ipv6");
      token.close();
    } finally {
      api.close();
      await v6.close();
      await dns.close();
    }
  },
});

Deno.test("HostNetwork: a link going down is Interface Going Away, then its addresses, PvDs and the interface withdrawn", async () => {
  let up = true;
  const source: KernelFactsSource = {
    name: "proc",
    limitations: [],
    read: () =>
      Promise.resolve({
        links: [{ ifindex: 3, name: "wlan0", kind: "wifi", up }],
        addresses: [{
          ifindex: 3,
          family: 6,
          address: "2001:db8:b::100",
          prefixLength: 64,
          scope: "global",
          flags: decodeAddressFlags(0, 6),
        }],
        routes: [],
        dns: { servers: [], searchDomains: [], links: [] },
      }),
  };
  const clock = new VirtualClock();
  const network = new HostNetwork({ sources: [source], clock, pollInterval: 1_000 });
  const api = new MifApi(network);
  const app = api.subscribe();
  await clock.tick(0);
  app.postMessage({ type: "announce-interfaces" });
  app.postMessage({ type: "announce-provisioning-domains", interfaceId: 3 });
  app.postMessage({ type: "announce-addresses", pvdId: "implicit:wlan0:ipv6" });
  for (let m = app.getMessage(); m; m = app.getMessage()) { /* the initial announcements */ }
  up = false;
  await clock.tick(1_000);
  const types: string[] = [];
  for (let m = app.getMessage(); m; m = app.getMessage()) types.push(m.type);
  assertEquals(types, [
    "interface-going-away",
    "no-address-announcement",
    "no-provisioning-domain-announcement",
    "no-interface-announcement",
  ]);
  api.close();
});

Deno.test("HostNetwork: a link brought up without carrier yet is Interface Going Up, then its PvDs once it is up", async () => {
  let state: "down" | "coming" | "up" = "down";
  const source: KernelFactsSource = {
    name: "proc",
    limitations: [],
    read: () =>
      Promise.resolve({
        links: [{ ifindex: 3, name: "wlan0", kind: "wifi", up: state === "up", adminUp: state !== "down" }],
        addresses: state === "up"
          ? [{
            ifindex: 3,
            family: 6,
            address: "2001:db8:b::100",
            prefixLength: 64,
            scope: "global",
            flags: decodeAddressFlags(0, 6),
          }]
          : [],
        routes: [],
        dns: { servers: [], searchDomains: [], links: [] },
      }),
  };
  const clock = new VirtualClock();
  const api = new MifApi(new HostNetwork({ sources: [source], clock, pollInterval: 1_000 }));
  const app = api.subscribe();
  app.postMessage({ type: "announce-interfaces" });
  await clock.tick(0);
  const heard = () => {
    const out: string[] = [];
    for (let m = app.getMessage(); m; m = app.getMessage()) {
      out.push(m.type);
      if (m.type === "interface-announcement") {
        app.postMessage({ type: "announce-provisioning-domains", interfaceId: m.interfaceId });
      }
    }
    return out;
  };
  assertEquals(heard(), [], "a link that is down is no interface");
  state = "coming";
  await clock.tick(1_000);
  assertEquals(heard(), ["interface-announcement", "interface-going-up"]);
  state = "up";
  await clock.tick(1_000);
  assertEquals(heard(), ["provisioning-domain-announcement"]);
  api.close();
});
