// The rtnetlink source (adapters/deno/rtnetlink.ts): facts from captured
// bytes, the source's logic over scripted system calls (retries, overrun,
// errors, stopping), then live: a dump of this machine compared with
// `ip -j`, and watching inside network namespaces the test creates.
//
// Permissions: the live tests need --allow-ffi and --allow-run (ip); the
// namespace tests also need root. Each is skipped, saying why, without them.
// Nothing is changed in the namespace the tests run in.

import { MifError } from "../api/errors.ts";
import {
  hostFactsFromNetlink,
  type NetlinkSocketCalls,
  NetlinkSystemError,
  rtnetlinkSource,
  type WaitResult,
} from "../adapters/deno/rtnetlink.ts";
import type { HostFacts, KernelAddress, KernelLink, KernelRoute, LinkDns } from "../adapters/host/kernel_facts.ts";
import { buildNetlinkMessages, type NetlinkMessageInit, parseNetlinkMessages } from "../core-as/netlink.ts";
import { assert, assertEquals, assertRejects } from "./_assert.ts";
import { THIS_MACHINE_LINKS } from "./_this_machine.ts";
import {
  createLab,
  ip,
  ipJson,
  labRouterAdvertisement,
  labUnavailable,
  sendRouterAdvertisement,
  spawnChild,
} from "./_netns_lab.ts";

const fixtures = new URL("./fixtures/netlink/", import.meta.url);
const read = (name: string) => Deno.readFile(new URL(name, fixtures));

// ---------------------------------------------------------------------------
// Facts from captured bytes

async function factsOf(...files: string[]): Promise<HostFacts> {
  const messages = [];
  for (const file of files) messages.push(...parseNetlinkMessages(await read(file)));
  return hostFactsFromNetlink(messages);
}

const ROOT_FILES = ["link.bin", "address.bin", "route4.bin", "route6.bin"];

Deno.test("facts: this machine's captured dumps", async () => {
  const facts = await factsOf(...ROOT_FILES);
  assertEquals(facts.links, THIS_MACHINE_LINKS);
  assertEquals(
    facts.addresses.map((
      a,
    ) => [a.ifindex, a.address, a.prefixLength, a.scope, a.flags.permanent, a.flags.noDad, a.validLifetime]),
    [
      [1, "127.0.0.1", 8, "host", true, false, Infinity],
      [4, "192.0.2.2", 24, "global", true, false, Infinity],
      [1, "::1", 128, "host", true, false, Infinity],
      [4, "fd00::2", 64, "global", true, true, Infinity],
      [4, "fe80::fc:ff:fe00:1", 64, "link", true, false, Infinity],
    ],
  );
  assertEquals(
    facts.routes,
    [
      {
        family: 4,
        destination: "0.0.0.0",
        prefixLength: 0,
        gateway: "192.0.2.1",
        ifindex: 4,
        metric: 0,
        table: 254,
        type: "unicast",
        origin: "boot",
      },
      {
        family: 4,
        destination: "192.0.2.0",
        prefixLength: 24,
        ifindex: 4,
        metric: 0,
        table: 254,
        type: "unicast",
        origin: "kernel",
      },
      {
        family: 6,
        destination: "fd00::",
        prefixLength: 64,
        ifindex: 4,
        metric: 256,
        table: 254,
        type: "unicast",
        origin: "kernel",
      },
      {
        family: 6,
        destination: "fe80::",
        prefixLength: 64,
        ifindex: 4,
        metric: 256,
        table: 254,
        type: "unicast",
        origin: "kernel",
      },
      {
        family: 6,
        destination: "::",
        prefixLength: 0,
        gateway: "fd00::1",
        ifindex: 4,
        metric: 1024,
        table: 254,
        type: "unicast",
        origin: "boot",
      },
    ] satisfies KernelRoute[],
  );
  assertEquals(facts.dns, { servers: [], searchDomains: [], links: [] });
});

Deno.test("facts: the lab's veth after an RA: SLAAC lifetimes, RA routes, the local table left out", async () => {
  const facts = await factsOf("lab_link.bin", "lab_address.bin", "lab_route6.bin");
  assertEquals(facts.links.map((l) => [l.name, l.kind, l.up]), [["lo", "loopback", true], ["vh", "ethernet", true], [
    "mifbr0",
    "ethernet",
    false,
  ]]);
  const slaac = facts.addresses.find((a) => a.address.startsWith("2001:db8:77:")) as KernelAddress;
  assert(slaac.validLifetime! <= 600 && slaac.preferredLifetime! <= 300 && !slaac.flags.permanent);
  const fromRa = facts.routes.filter((r) => r.origin === "ra");
  assertEquals(fromRa.map((r) => [r.destination, r.prefixLength, r.metric]), [["2001:db8:88::", 48, 1024], [
    "::",
    0,
    1024,
  ]]);
  assert(facts.routes.every((r) => r.table === 254 && r.type === "unicast"));
});

// ---------------------------------------------------------------------------
// The source over scripted system calls

/** Sets the sequence number of every message in `bytes` (a copy). */
function withSeq(bytes: Uint8Array, seq: number, flags = 0): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  for (let at = 0; at + 16 <= out.length;) {
    const length = view.getUint32(at, true);
    view.setUint32(at + 8, seq, true);
    view.setUint16(at + 6, view.getUint16(at + 6, true) | flags, true);
    at += (length + 3) & ~3;
  }
  return out;
}

type Datagram = Uint8Array | "overrun";

/** A kernel in a box: answers dump requests from fixtures and delivers notifications on demand. */
class ScriptedCalls implements NetlinkSocketCalls {
  readonly opened: { fd: number; groups: number; memberships: readonly number[]; rcvbuf: number | undefined }[] = [];
  readonly closed: number[] = [];
  disposed = 0;
  /** What a dump request of message type 18, 22, 26 (and family) is answered with. */
  answer: (type: number, family: number, attempt: number) => Datagram[] = () => [];
  /** Fails `open` with this errno. */
  openErrno: number | undefined;
  readonly #queues = new Map<number, Datagram[]>();
  readonly #woken = new Set<number>();
  #nextFd = 10;
  #attempts = new Map<string, number>();
  #waiting: (() => void) | undefined;
  pendingWaits = 0;

  open(groups: number, memberships: readonly number[], rcvbuf?: number): number {
    if (this.openErrno !== undefined) throw new NetlinkSystemError("socket", this.openErrno);
    const fd = this.#nextFd++;
    this.opened.push({ fd, groups, memberships, rcvbuf });
    this.#queues.set(fd, []);
    return fd;
  }

  /** Route lookups (RTM_GETROUTE without NLM_F_DUMP) asked. */
  routeLookups = 0;

  send(fd: number, bytes: Uint8Array): void {
    const [request] = parseNetlinkMessages(bytes);
    if (request?.type === "other" && request.messageType === 26 && (request.header.flags & 0x300) === 0) {
      // A lookup: the route through link 3, as the kernel answers at once.
      this.routeLookups++;
      this.#queues.get(fd)!.push(buildNetlinkMessages([{
        type: "route",
        action: "new",
        header: { seq: request.header.seq },
        family: 6,
        prefixLength: 128,
        sourceLength: 128,
        tos: 0,
        table: 254,
        protocol: 0,
        scope: 0,
        routeType: 1,
        flags: 0,
        outputIfindex: 3,
      }]));
      return;
    }
    assert(request?.type === "other" && (request.header.flags & 0x301) === 0x301, "a dump request");
    const key = `${request.messageType}/${request.payload[0]}`;
    const attempt = (this.#attempts.get(key) ?? 0) + 1;
    this.#attempts.set(key, attempt);
    const answer = this.answer(request.messageType, request.payload[0]!, attempt);
    this.#queues.get(fd)!.push(...answer.map((d) => d === "overrun" ? d : withSeq(d, request.header.seq)));
  }

  /** Delivers notifications to every open socket with groups. */
  notify(...datagrams: Datagram[]): void {
    for (const { fd, groups } of this.opened) {
      if (groups !== 0 && !this.closed.includes(fd)) this.#queues.get(fd)!.push(...datagrams);
    }
    this.#waiting?.();
  }

  receive(fd: number, buffer: Uint8Array): number | "empty" | "overrun" {
    const next = this.#queues.get(fd)!.shift();
    if (next === undefined) return "empty";
    if (next === "overrun") return next;
    buffer.set(next.subarray(0, buffer.length));
    return next.length;
  }

  async wait(fd: number, waker: number, timeout: number): Promise<WaitResult> {
    this.pendingWaits++;
    try {
      for (;;) {
        if (this.#woken.has(waker)) return "woken";
        if (this.#queues.get(fd)!.length > 0) return "readable";
        if (timeout >= 0) return "timeout";
        await new Promise<void>((resolve) => this.#waiting = resolve);
      }
    } finally {
      this.pendingWaits--;
    }
  }

  openWaker(): number {
    return this.#nextFd++;
  }

  wake(waker: number): void {
    this.#woken.add(waker);
    this.#waiting?.();
  }

  close(fd: number): void {
    this.closed.push(fd);
  }

  dispose(): void {
    this.disposed++;
  }
}

/** Answers dumps with this machine's captured bytes. */
async function machineAnswers(): Promise<(type: number, family: number) => Datagram[]> {
  const [link, address, route4, route6] = await Promise.all(ROOT_FILES.map(read));
  return (type, family) => {
    if (type === 18) return [link!];
    if (type === 22) return [address!];
    return [family === 2 ? route4! : route6!];
  };
}

Deno.test("source: read() dumps links, addresses and both route families on one socket, then closes it", async () => {
  const calls = new ScriptedCalls();
  calls.answer = await machineAnswers();
  const facts = await rtnetlinkSource({ calls: () => calls }).read();
  assertEquals(facts, await factsOf(...ROOT_FILES));
  assertEquals(calls.opened.map((o) => o.groups), [0]);
  assertEquals(calls.closed, [10]);
  assertEquals(calls.disposed, 1);
});

Deno.test("source: an interrupted dump (NLM_F_DUMP_INTR) is read again, at most 3 times", async () => {
  const answers = await machineAnswers();
  const calls = new ScriptedCalls();
  calls.answer = (type, family, attempt) => {
    const [first] = answers(type, family) as Uint8Array[];
    return [attempt === 1 && type === 22 ? withSeq(first!, 0, 0x10) : first!];
  };
  assertEquals(await rtnetlinkSource({ calls: () => calls }).read(), await factsOf(...ROOT_FILES));
  assertEquals(calls.opened.length, 2, "a new socket for the second attempt");
  assertEquals(calls.closed, [10, 11]);

  const always = new ScriptedCalls();
  always.answer = (type, family) => [withSeq((answers(type, family) as Uint8Array[])[0]!, 0, 0x10)];
  const error = await assertRejects(
    () => rtnetlinkSource({ calls: () => always }).read(),
    MifError,
    "changed during each of 3 dumps",
  );
  assertEquals((error as MifError).code, "internal-error");
  assertEquals(always.closed.length, 3);
  assertEquals(always.disposed, 1);
});

Deno.test("source: an overrun or a cut datagram during a dump starts it over", async () => {
  const answers = await machineAnswers();
  const calls = new ScriptedCalls();
  calls.answer = (type, family, attempt) => attempt === 1 && type === 18 ? ["overrun"] : answers(type, family);
  assertEquals(await rtnetlinkSource({ calls: () => calls }).read(), await factsOf(...ROOT_FILES));
  assertEquals(calls.opened.length, 2);
});

Deno.test("source: refusals become MifError: unsupported for the environment, internal-error for the kernel's answers", async () => {
  const refused = new ScriptedCalls();
  refused.openErrno = 97; // EAFNOSUPPORT: a sandbox without AF_NETLINK
  let error = await assertRejects(
    () => rtnetlinkSource({ calls: () => refused }).read(),
    MifError,
    "Cannot read host facts from rtnetlink: Cannot socket: errno 97 (EAFNOSUPPORT)",
  );
  assertEquals((error as MifError).code, "unsupported");
  assertEquals(refused.disposed, 1);

  const unsupported = () => {
    throw new MifError("unsupported", "Cannot open rtnetlink: FFI is not permitted (run Deno with --allow-ffi)");
  };
  error = await assertRejects(
    () => rtnetlinkSource({ calls: unsupported }).read(),
    MifError,
    "Cannot read host facts from rtnetlink: FFI is not permitted",
  );
  assertEquals((error as MifError).code, "unsupported");

  const failing = new ScriptedCalls();
  failing.answer = () => [buildNetlinkMessages([{ type: "error", error: -22 }])];
  error = await assertRejects(
    () => rtnetlinkSource({ calls: () => failing }).read(),
    MifError,
    "Cannot dump links: errno 22",
  );
  assertEquals((error as MifError).code, "internal-error");

  const silent = new ScriptedCalls();
  error = await assertRejects(
    () => rtnetlinkSource({ calls: () => silent, timeout: 10 }).read(),
    MifError,
    "no answer within 10 ms",
  );
  assertEquals((error as MifError).code, "timed-out");
  assertEquals(silent.closed.length, 1);
});

Deno.test("source: without FFI permission, read() rejects as unsupported and watch() throws", {
  permissions: { ffi: false },
}, async () => {
  const source = rtnetlinkSource();
  const error = await assertRejects(() => source.read(), MifError, "--allow-ffi");
  assertEquals((error as MifError).code, "unsupported");
  let thrown: unknown;
  try {
    source.watch(() => {});
  } catch (caught) {
    thrown = caught;
  }
  assert(thrown instanceof MifError && thrown.code === "unsupported", String(thrown));
});

const LINK: NetlinkMessageInit = {
  type: "link",
  action: "new",
  family: 0,
  ifindex: 7,
  arphrdType: 1,
  flags: 0x11043,
  change: 0x1,
  name: "veth7",
  operstate: "up",
};

function ndUserOption(ifindex: number, lifetime: number): Uint8Array {
  return buildNetlinkMessages([
    {
      type: "nd-user-option",
      family: 10,
      ifindex,
      icmpType: 134,
      icmpCode: 0,
      options: [{ type: "rdnss", lifetime, servers: ["2001:db8::53"] }],
      source: "fe80::1",
    },
    {
      type: "nd-user-option",
      family: 10,
      ifindex,
      icmpType: 134,
      icmpCode: 0,
      options: [{ type: "dnssl", lifetime, domains: ["example.com"] }],
      source: "fe80::1",
    },
  ]);
}

/** Lets the watch loop run: a few turns of the event loop. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

Deno.test("source: watch() calls onChange per batch, passes ND user options on, and stops at once", async () => {
  const calls = new ScriptedCalls();
  calls.answer = await machineAnswers();
  let now = 1_000_000;
  const changes: number[] = [];
  const nd: number[] = [];
  const source = rtnetlinkSource({ calls: () => calls, now: () => now, onNdUserOption: (m) => nd.push(m.ifindex) });
  const stop = source.watch(() => changes.push(now));
  // Links, both address and both route groups, RTNLGRP_ND_USEROPT and both rule groups.
  assertEquals(calls.opened.map((o) => [o.groups, o.memberships]), [[0x551, [20, 8, 19]]]);

  calls.notify(buildNetlinkMessages([LINK]), buildNetlinkMessages([{ ...LINK, operstate: "down" }]));
  await settle();
  assertEquals(changes.length, 1, "one call for the batch of two datagrams");

  calls.notify(ndUserOption(4, 600));
  await settle();
  assertEquals(nd, [4, 4]);
  assertEquals(changes.length, 2, "new DNS is a change");
  const dns: LinkDns[] = [{
    ifindex: 4,
    servers: ["2001:db8::53"],
    searchDomains: ["example.com"],
    routeOnlyDomains: [],
    origin: "rtnetlink RTM_NEWNDUSEROPT",
  }];
  assertEquals((await source.read()).dns.links, dns);

  // The same options again only refresh lifetimes: no change.
  calls.notify(ndUserOption(4, 600));
  await settle();
  assertEquals(changes.length, 2);
  // Lifetimes run out on the clock given.
  now += 601_000;
  assertEquals((await source.read()).dns.links, []);
  // A lifetime of 0 removes at once (RFC 8106 section 5.1).
  calls.notify(ndUserOption(4, 600));
  await settle();
  calls.notify(ndUserOption(4, 0));
  await settle();
  assertEquals((await source.read()).dns.links, []);

  assertEquals(calls.pendingWaits, 1);
  await stop();
  assertEquals(calls.pendingWaits, 0);
  // The watching socket, its waker and the library are released.
  assert(calls.closed.includes(calls.opened[0]!.fd));
  assertEquals(calls.disposed, 4, "one library per read (3), one for the watch");
  await stop(); // twice is harmless
});

Deno.test("source: while watching, a route lookup is kept until the next notification of any kind", async () => {
  const calls = new ScriptedCalls();
  const source = rtnetlinkSource({ calls: () => calls });
  const lookup = () => source.routeGet("2001:db8:c::80", "2001:db8:b::100");
  await lookup();
  await lookup();
  assertEquals(calls.routeLookups, 2, "not watching: every lookup asks the kernel");

  const stop = source.watch(() => {});
  assertEquals((await lookup()).ifindex, 3);
  assertEquals((await lookup()).ifindex, 3);
  await source.routeGet("2001:db8:c::81", "2001:db8:b::100");
  assertEquals(calls.routeLookups, 4, "one more per destination and source, then kept");
  // A policy rule added (RTM_NEWRULE, 32): the kept answers are forgotten.
  calls.notify(buildNetlinkMessages([{ type: "other", messageType: 32, header: {}, payload: new Uint8Array(12) }]));
  await settle();
  await lookup();
  assertEquals(calls.routeLookups, 5);
  await lookup();
  assertEquals(calls.routeLookups, 5);
  await stop();
  await lookup();
  assertEquals(calls.routeLookups, 6, "the watch stopped: nothing is kept");
  source.close();
});

Deno.test("source: an overrun (ENOBUFS), a cut or an unparsable datagram calls onChange and onOverrun", async () => {
  const calls = new ScriptedCalls();
  let overruns = 0;
  let changes = 0;
  const stop = rtnetlinkSource({ calls: () => calls, onOverrun: () => overruns++ }).watch(() => changes++);
  calls.notify("overrun");
  await settle();
  assertEquals([overruns, changes], [1, 1]);
  calls.notify(new Uint8Array(70 * 1024)); // longer than the 64 KiB buffer
  await settle();
  calls.notify(new Uint8Array([8, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])); // nlmsg_len 8
  await settle();
  assertEquals([overruns, changes], [3, 3]);
  await stop();
});

Deno.test("source: a failing socket ends the watch, reports it and asks for a read", async () => {
  const calls = new ScriptedCalls();
  const errors: unknown[] = [];
  let changes = 0;
  const stop = rtnetlinkSource({ calls: () => calls, onError: (e) => errors.push(e) }).watch(() => changes++);
  const receive = calls.receive.bind(calls);
  calls.receive = () => {
    throw new NetlinkSystemError("recv", 9);
  };
  calls.notify(buildNetlinkMessages([LINK]));
  await settle();
  assertEquals([errors.map(String), changes], [["NetlinkSystemError: Cannot recv: errno 9"], 1]);
  assertEquals(calls.disposed, 1);
  calls.receive = receive;
  await stop();
});

Deno.test("source: an RDNSS or DNSSL entry running out is a change too", async () => {
  const calls = new ScriptedCalls();
  let changes = 0;
  const source = rtnetlinkSource({ calls: () => calls });
  const stop = source.watch(() => changes++);
  calls.notify(ndUserOption(4, 1)); // one second
  await settle();
  assertEquals(changes, 1);
  // The RDNSS and the DNSSL entry run out at the same second: one change,
  // or one each when a busy machine fires their timers apart.
  for (let waited = 0; changes < 2 && waited < 3_000; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert(changes === 2 || changes === 3, `${changes} changes`);
  await stop(); // and no timer is left behind
});

Deno.test("source: a callback that throws goes to onError and the watch goes on", async () => {
  const calls = new ScriptedCalls();
  const errors: unknown[] = [];
  let changes = 0;
  const stop = rtnetlinkSource({ calls: () => calls, onError: (e) => errors.push(e) }).watch(() => {
    changes++;
    throw new Error("boom");
  });
  calls.notify(buildNetlinkMessages([LINK]));
  await settle();
  calls.notify(buildNetlinkMessages([LINK]));
  await settle();
  assertEquals([changes, errors.map(String)], [2, ["Error: boom", "Error: boom"]]);
  assertEquals(calls.pendingWaits, 1, "still watching");
  await stop();
});

// ---------------------------------------------------------------------------
// Live

const ffiGranted = Deno.permissions.querySync({ name: "ffi" }).state === "granted";
const runGranted = Deno.permissions.querySync({ name: "run", command: "ip" }).state === "granted";
const liveSkip = Deno.build.os !== "linux"
  ? "not Linux"
  : !ffiGranted
  ? "needs --allow-ffi"
  : !runGranted
  ? "needs --allow-run to run ip"
  : undefined;
const labSkip = liveSkip ?? await labUnavailable();

function live(name: string, skip: string | undefined, fn: () => Promise<void>): void {
  Deno.test({ name: skip === undefined ? name : `${name} (skipped: ${skip})`, ignore: skip !== undefined, fn });
}

interface IpAddressInfo {
  family: string;
  local: string;
  prefixlen: number;
  valid_life_time: number;
}
interface IpLink {
  ifindex: number;
  ifname: string;
  mtu: number;
  address?: string;
  addr_info?: IpAddressInfo[];
}
interface IpRoute {
  dst: string;
  gateway?: string;
  dev: string;
  metric?: number;
}

live("live: a dump of this machine agrees with ip -j link, addr and route", liveSkip, async () => {
  const facts = await rtnetlinkSource().read();
  const [links, addresses, routes4, routes6] = await Promise.all([
    ipJson<IpLink[]>("link"),
    ipJson<IpLink[]>("addr"),
    ipJson<IpRoute[]>("-4", "route"),
    ipJson<IpRoute[]>("-6", "route"),
  ]);
  assertEquals(
    facts.links.map((l) => [l.ifindex, l.name, l.mtu, l.linkLayerAddress]),
    links.map((l) => [l.ifindex, l.ifname, l.mtu, l.address]),
  );
  const forever = (n: number | undefined) => n === Infinity ? 0xffffffff : n;
  assertEquals(
    facts.addresses.map((a) => [a.ifindex, a.family, a.address, a.prefixLength, forever(a.validLifetime)]).sort(),
    addresses.flatMap((l) =>
      (l.addr_info ?? []).map((a) => [l.ifindex, a.family === "inet" ? 4 : 6, a.local, a.prefixlen, a.valid_life_time])
    ).sort(),
  );
  const names = new Map(facts.links.map((l) => [l.ifindex, l.name]));
  assertEquals(
    facts.routes.map((r) => [
      r.prefixLength === 0 ? "default" : `${r.destination}/${r.prefixLength}`,
      r.gateway,
      names.get(r.ifindex),
      r.metric,
    ]),
    [...routes4, ...routes6].map((r) => [r.dst, r.gateway, r.dev, r.metric ?? 0]),
  );
});

live("live: watching this namespace starts and stops promptly, leaking nothing", liveSkip, async () => {
  const stop = rtnetlinkSource().watch(() => {});
  await new Promise((resolve) => setTimeout(resolve, 50));
  const before = performance.now();
  await stop();
  const took = performance.now() - before;
  assert(took < 100, `stopping took ${took} ms`);
});

/** The named link in a change event's facts. */
function linkIn(event: Record<string, unknown>, name: string): KernelLink | undefined {
  return (event.links as KernelLink[] | undefined)?.find((l) => l.name === name);
}

function addressIn(event: Record<string, unknown>, prefix: string): KernelAddress | undefined {
  return (event.addresses as KernelAddress[] | undefined)?.find((a) => a.address.startsWith(prefix));
}

live("live: watching a namespace sees links, addresses, routes and RA options within 1 s", labSkip, async () => {
  const lab = await createLab("watch");
  const child = spawnChild(lab.host, ["watch"]);
  try {
    // Starting Deno and compiling takes a while; the timing starts after.
    await child.next((e) => e.event === "ready", 30_000);
    const within = async (
      what: string,
      act: () => Promise<unknown>,
      match: (e: Record<string, unknown>) => boolean,
    ) => {
      await act();
      const start = performance.now();
      const event = await child.next(match, 1_000);
      assert(performance.now() - start < 1_000, what);
      return event;
    };
    const isChange = (e: Record<string, unknown>) => e.event === "change";

    await within(
      "link up",
      () => ip("-n", lab.host, "link", "set", "vh", "up"),
      (e) => isChange(e) && linkIn(e, "vh")?.up === true,
    );
    const bridge = await within(
      "link added",
      () => ip("-n", lab.host, "link", "add", "mifbr0", "type", "bridge"),
      (e) => isChange(e) && linkIn(e, "mifbr0") !== undefined,
    );
    assertEquals(linkIn(bridge, "mifbr0")?.kind, "ethernet");
    const added = await within(
      "address added",
      () => ip("-n", lab.host, "addr", "add", "2001:db8:5::5/64", "dev", "vh"),
      (e) => isChange(e) && addressIn(e, "2001:db8:5::5") !== undefined,
    );
    assertEquals(addressIn(added, "2001:db8:5::5")?.prefixLength, 64);

    // An RA: the kernel forwards RDNSS and DNSSL, configures an address by
    // SLAAC and installs the default route.
    await sendRouterAdvertisement(lab, labRouterAdvertisement());
    const start = performance.now();
    const rdnss = await child.next((e) => e.event === "nd" && JSON.stringify(e.options).includes('"rdnss"'), 1_000);
    assert(performance.now() - start < 1_000);
    assertEquals(rdnss.options, [{ type: "rdnss", lifetime: 900, servers: ["2001:db8:77::53", "2001:db8:77::54"] }]);
    const configured = await child.next(
      (e) =>
        isChange(e) && addressIn(e, "2001:db8:77:") !== undefined &&
        (e.routes as KernelRoute[]).some((r) => r.origin === "ra" && r.prefixLength === 0) &&
        (e.dns as { links: LinkDns[] }).links.length === 1,
      2_000,
    );
    const vh = linkIn(configured, "vh")!;
    assertEquals((configured.dns as { links: LinkDns[] }).links, [{
      ifindex: vh.ifindex,
      servers: ["2001:db8:77::53", "2001:db8:77::54"],
      searchDomains: ["lab.example", "corp.example"],
      routeOnlyDomains: [],
      origin: "rtnetlink RTM_NEWNDUSEROPT",
    }]);
    const slaac = addressIn(configured, "2001:db8:77:")!;
    assert(slaac.validLifetime! <= 600 && slaac.validLifetime! > 590, String(slaac.validLifetime));

    await within(
      "address removed",
      () => ip("-n", lab.host, "addr", "del", "2001:db8:5::5/64", "dev", "vh"),
      (e) => isChange(e) && addressIn(e, "2001:db8:5::5") === undefined,
    );
    await within(
      "link removed",
      () => ip("-n", lab.host, "link", "del", "mifbr0"),
      (e) => isChange(e) && linkIn(e, "mifbr0") === undefined,
    );
    await child.send("stop");
    const stopped = await child.next((e) => e.event === "stopped", 2_000);
    assert((stopped.ms as number) < 100, `stopping took ${stopped.ms} ms`);
    assertEquals(child.seen.filter((e) => e.event === "error" || e.event === "overrun"), []);
  } finally {
    await child.close();
    await lab.close();
  }
});

live("live: notifications dropped while nobody reads (ENOBUFS) ask for a new read", labSkip, async () => {
  const lab = await createLab("overrun");
  // A small receive buffer: the kernel makes it 2304 bytes at least, doubled.
  const child = spawnChild(lab.host, ["watch", "--rcvbuf", "1024"]);
  try {
    await child.next((e) => e.event === "ready", 30_000);
    // The child stops reading for 1.5 s while 200 addresses come.
    await child.send("block 1500");
    const commands = Array.from({ length: 200 }, (_, i) => `addr add 2001:db8:9::${(i + 1).toString(16)}/128 dev lo\n`);
    const batch = new Deno.Command("ip", { args: ["-n", lab.host, "-batch", "-"], stdin: "piped", stderr: "piped" })
      .spawn();
    const writer = batch.stdin.getWriter();
    await writer.write(new TextEncoder().encode(commands.join("")));
    await writer.close();
    const status = await batch.output();
    assert(status.success, new TextDecoder().decode(status.stderr));
    await child.next((e) => e.event === "overrun", 5_000);
    // The read it asks for sees every address.
    await child.next(
      (e) =>
        e.event === "change" &&
        (e.addresses as KernelAddress[]).filter((a) => a.address.startsWith("2001:db8:9::")).length === 200,
      5_000,
    );
    await child.send("stop");
    await child.next((e) => e.event === "stopped", 2_000);
  } finally {
    await child.close();
    await lab.close();
  }
});
