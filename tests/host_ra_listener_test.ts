// The Router Advertisement listener: RFC 4861 receive checks, the latest RA
// per router, expiry, and explicit PvDs reaching the MIF API through the
// host adapter. The raw socket is scripted here; the namespace lab hears
// real ones.

import {
  acceptRouterAdvertisement,
  decodeAddressFlags,
  type HostFacts,
  HostNetwork,
  type Icmpv6Datagram,
  type KernelFactsSource,
  type RawIcmpv6Socket,
  RouterAdvertisementListener,
} from "../adapters/host/mod.ts";
import { VirtualClock } from "../adapters/simulated/mod.ts";
import { buildRouterAdvertisement, type NdOption } from "../core-as/mod.ts";
import { MifApi } from "../mod.ts";
import { assert, assertEquals } from "./_assert.ts";
import { BASE, providerBPvdOption } from "./_router_advertisement_fixtures.ts";
import { drain } from "./_scripted_link.ts";

function raBytes(options: NdOption[], routerLifetime = 1800): Uint8Array {
  return buildRouterAdvertisement({ ...BASE, routerLifetime, options });
}

/** A socket whose datagrams the test pushes; records what is sent. */
class ScriptedSocket implements RawIcmpv6Socket {
  readonly sent: { bytes: Uint8Array; destination: string; ifindex: number }[] = [];
  closed = false;
  #queue: Icmpv6Datagram[] = [];
  #waiting: ((d: Icmpv6Datagram | undefined) => void) | undefined;
  push(datagram: Icmpv6Datagram): void {
    if (this.#waiting) {
      const wake = this.#waiting;
      this.#waiting = undefined;
      wake(datagram);
    } else this.#queue.push(datagram);
  }
  receive(): Promise<Icmpv6Datagram | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const next = this.#queue.shift();
    if (next) return Promise.resolve(next);
    return new Promise((resolve) => (this.#waiting = resolve));
  }
  send(bytes: Uint8Array, destination: string, ifindex: number): void {
    this.sent.push({ bytes, destination, ifindex });
  }
  close(): void {
    this.closed = true;
    this.#waiting?.(undefined);
    this.#waiting = undefined;
  }
}

Deno.test("acceptRouterAdvertisement applies RFC 4861 section 6.1.2 and names what is wrong", () => {
  const bytes = raBytes([{ type: "mtu", mtu: 1500 }]);
  const ok = { bytes, source: "fe80::1", ifindex: 2, hopLimit: 255 };
  assert("ra" in acceptRouterAdvertisement(ok, 0));
  const cases: [Partial<Icmpv6Datagram>, string][] = [
    [{ hopLimit: 64 }, "hop limit 64 is not 255"],
    [{ source: "2001:db8::1" }, "source 2001:db8::1 is not link-local"],
    [{ source: "not an address" }, "source address:"],
    [{ bytes: bytes.slice(0, 12) }, "length 12 is under 16 octets"],
    [{ bytes: Uint8Array.of(133, ...bytes.slice(1)) }, "ICMPv6 type 133 is not a Router Advertisement"],
    [{ bytes: Uint8Array.of(134, 1, ...bytes.slice(2)) }, "ICMP code 1 is not 0"],
    // A zero-length option (the dhcpcd#415 loop): refused by the parser.
    [{ bytes: Uint8Array.of(...bytes.slice(0, 16), 5, 0, 0, 0, 0, 0, 0, 0) }, "length 0"],
  ];
  for (const [change, reason] of cases) {
    const result = acceptRouterAdvertisement({ ...ok, ...change }, 0);
    assert(!("ra" in result), `accepted: ${reason}`);
    assert(result.reason.includes(reason), `${result.reason} should say ${reason}`);
  }
});

Deno.test("the listener solicits, keeps the latest RA per router, ignores repeats, and forgets expired ones", async () => {
  const socket = new ScriptedSocket();
  const clock = new VirtualClock();
  const rejected: string[] = [];
  const listener = new RouterAdvertisementListener(socket, clock, {
    solicit: [2],
    onRejected: (r) => rejected.push(r.reason),
  });
  let changes = 0;
  listener.start(() => changes++);
  assertEquals(socket.sent.map((s) => `${s.bytes[0]} ${s.destination} ${s.ifindex}`), ["133 ff02::2 2"]);
  const short = raBytes([{ type: "rdnss", lifetime: 60, servers: ["2001:db8::53"] }], 30);
  socket.push({ bytes: short, source: "fe80::1", ifindex: 2, hopLimit: 255 });
  socket.push({ bytes: short, source: "fe80::1", ifindex: 2, hopLimit: 255 }); // a repeat is no news
  socket.push({ bytes: short, source: "fe80::1", ifindex: 2, hopLimit: 1 }); // forwarded: refused
  await clock.tick(0);
  assertEquals(changes, 1);
  assertEquals(listener.heard().map((h) => `${h.ifindex} ${h.source}`), ["2 fe80::1"]);
  assertEquals(rejected, ["hop limit 1 is not 255"]);
  assertEquals(listener.rejected, 1);
  await clock.tick(60_000); // the RDNSS lifetime, the longest
  assertEquals(listener.heard(), []);
  assertEquals(changes, 2, "the expiry is news too");
  listener.stop();
  assert(socket.closed);
});

Deno.test("HostNetwork hears an explicit PvD and the MIF API announces it with its address", async () => {
  const clock = new VirtualClock({ start: 1_000 });
  const facts: HostFacts = {
    links: [{ ifindex: 3, name: "wlan0", kind: "wifi", up: true }],
    addresses: [
      {
        ifindex: 3,
        family: 6,
        address: "fe80::2",
        prefixLength: 64,
        scope: "link",
        flags: decodeAddressFlags(0x80, 6),
      },
      {
        ifindex: 3,
        family: 6,
        address: "2001:db8:bb::2",
        prefixLength: 64,
        scope: "global",
        flags: decodeAddressFlags(0, 6),
      },
    ],
    routes: [],
    dns: { servers: [], searchDomains: [], links: [] },
  };
  const source: KernelFactsSource = { name: "proc", limitations: [], read: () => Promise.resolve(facts) };
  const socket = new ScriptedSocket();
  const network = new HostNetwork({
    sources: [source],
    clock,
    routerAdvertisements: new RouterAdvertisementListener(socket, clock, { solicit: [3] }),
  });
  const api = new MifApi(network);
  const app = api.subscribe();
  await clock.tick(0);
  app.postMessage({ type: "announce-provisioning-domains", interfaceId: 3 });
  assertEquals(drain(app).map((m) => m.type === "provisioning-domain-announcement" ? m.pvdId : m.type), [
    "implicit:wlan0:ipv6",
  ]);
  const pvd = providerBPvdOption();
  socket.push({ bytes: raBytes([pvd], 0), source: "fe80::1", ifindex: 3, hopLimit: 255 });
  await clock.tick(0);
  await clock.tick(0);
  assertEquals(drain(app).map((m) => m.type === "provisioning-domain-announcement" ? m.pvdId : m.type), [
    "pvd.provider-b.example",
  ]);
  assertEquals(api.database.addressesOf("pvd.provider-b.example").map((a) => a.address), ["2001:db8:bb::2"]);
  assertEquals(
    api.database.configurationData("pvd.provider-b.example", "ra", "dns-servers")?.[0]?.address,
    "2001:db8:b::53",
  );
  assert(!network.limitations.some((l) => l.includes("Router Advertisement")));
  api.close();
  assert(socket.closed, "stopping the adapter closes the raw socket");
});
