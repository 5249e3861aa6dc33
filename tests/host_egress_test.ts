// The egress check of HostNetwork.connect: the route lookup (routeGet,
// RTM_GETROUTE) over scripted system calls, byte for byte, and live against
// `ip route get` on this machine; the guess from the main table where the
// kernel cannot be asked (routeFromFacts); and what connect() does with the
// answer under each egress mode, over loopback sockets (--allow-net) with a
// source whose lookups the test scripts. The namespace lab
// (tests/lab_connect_test.ts) runs it against real source routing.

import { createServer, type Server, Socket } from "node:net";
import {
  decodeAddressFlags,
  type EgressMismatch,
  type HostFacts,
  HostNetwork,
  type KernelFactsSource,
  type KernelRouteLookup,
  type NetlinkSocketCalls,
  NetlinkSystemError,
  routeFromFacts,
  routeGet,
  rtnetlinkSource,
  socketOf,
  sourcePrefix,
} from "../adapters/host/mod.ts";
import { openLibcNetlink } from "../adapters/deno/rtnetlink.ts";
import { MifError } from "../api/errors.ts";
import { buildNetlinkMessages, type NetlinkMessageInit, parseNetlinkMessages } from "../core-as/netlink.ts";
import { assert, assertEquals, assertRejects } from "./_assert.ts";

// ---------------------------------------------------------------------------
// routeGet over scripted calls

/** Calls that answer each request with what `answer` says (bytes with the request's seq), or nothing. */
class LookupCalls implements NetlinkSocketCalls {
  readonly requests: Uint8Array[] = [];
  readonly closed: number[] = [];
  opened = 0;
  disposed = 0;
  waits = 0;
  /** Whether the answer is there at once (the kernel's way) or only after a wait. */
  late = false;
  answer: (seq: number) => NetlinkMessageInit[] | undefined = () => undefined;
  #pending: Uint8Array | undefined;
  #held: Uint8Array | undefined;

  open(groups: number, memberships: readonly number[]): number {
    assertEquals([groups, memberships.length], [0, 0], "a lookup joins no group");
    return 20 + this.opened++;
  }
  send(_fd: number, bytes: Uint8Array): void {
    this.requests.push(bytes.slice());
    const seq = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
    const messages = this.answer(seq);
    const encoded = messages === undefined ? undefined : buildNetlinkMessages(messages);
    if (this.late) this.#held = encoded;
    else this.#pending = encoded;
  }
  receive(_fd: number, buffer: Uint8Array): number | "empty" {
    const pending = this.#pending;
    if (pending === undefined) return "empty";
    this.#pending = undefined;
    buffer.set(pending);
    return pending.length;
  }
  wait(_fd: number, _waker: number, timeout: number): Promise<"readable" | "timeout"> {
    this.waits++;
    if (this.#held !== undefined) {
      this.#pending = this.#held;
      this.#held = undefined;
      return Promise.resolve("readable");
    }
    return new Promise((resolve) => setTimeout(() => resolve("timeout"), Math.min(timeout, 20)));
  }
  openWaker(): number {
    return 99;
  }
  wake(): void {}
  close(fd: number): void {
    this.closed.push(fd);
  }
  dispose(): void {
    this.disposed++;
  }
}

const ROUTE_BASE = { type: "route", action: "new", tos: 0, protocol: 9, scope: 0, flags: 0 } as const;

/** The kernel's answer through wlan0 (3), table 103, for a request's seq. */
function through(seq: number, ifindex = 3): NetlinkMessageInit[] {
  return [{
    ...ROUTE_BASE,
    header: { seq },
    family: 6,
    prefixLength: 128,
    sourceLength: 128,
    table: 103,
    routeType: 1,
    destination: "2001:db8:c::80",
    source: "2001:db8:b::100",
    gateway: "fe80::b",
    outputIfindex: ifindex,
    preferredSource: "2001:db8:b::100",
  }];
}

function refusal(seq: number, errno: number): NetlinkMessageInit[] {
  return [{ type: "error", header: { seq }, error: -errno }];
}

Deno.test("routeGet: one RTM_GETROUTE request with RTA_DST and RTA_SRC at full length, the answer's link", async () => {
  const calls = new LookupCalls();
  calls.answer = (seq) => through(seq);
  const route = await routeGet(calls, "2001:db8:c::80", "2001:db8:b::100");
  assertEquals(route, { type: "unicast", ifindex: 3, gateway: "fe80::b", table: 103 });
  assertEquals([calls.opened, calls.closed, calls.disposed, calls.waits], [1, [20], 0, 0]);

  const [request] = calls.requests;
  const [asked] = parseNetlinkMessages(request!);
  assert(asked?.type === "other", "RTM_GETROUTE is not a message the parser decodes");
  assertEquals(asked.messageType, 26, "RTM_GETROUTE");
  assertEquals(asked.header.flags, 0x1, "NLM_F_REQUEST only: one route, not a dump");
  // The payload is a struct rtmsg and its attributes: read it back as a route message.
  const header = new Uint8Array(16);
  new DataView(header.buffer).setUint32(0, 16 + asked.payload.length, true);
  new DataView(header.buffer).setUint16(4, 24, true); // RTM_NEWROUTE
  const [body] = parseNetlinkMessages(new Uint8Array([...header, ...asked.payload]));
  assert(body?.type === "route");
  assertEquals(
    [body.family, body.prefixLength, body.sourceLength, body.destination, body.source, body.flags, body.table],
    [6, 128, 128, "2001:db8:c::80", "2001:db8:b::100", 0x1000, 0],
    "AF_INET6, /128 from /128, RTM_F_LOOKUP_TABLE, no table",
  );

  const v4 = new LookupCalls();
  v4.answer = (seq) => [{
    ...ROUTE_BASE,
    header: { seq },
    family: 4,
    prefixLength: 32,
    sourceLength: 0,
    table: 254,
    routeType: 1,
    destination: "203.0.113.80",
    gateway: "198.51.100.1",
    outputIfindex: 2,
  }];
  assertEquals(await routeGet(v4, "203.0.113.80", "198.51.100.23"), {
    type: "unicast",
    ifindex: 2,
    gateway: "198.51.100.1",
    table: 254,
  });
  const [asked4] = parseNetlinkMessages(v4.requests[0]!);
  assert(asked4?.type === "other");
  assertEquals([asked4.payload[0], asked4.payload[1], asked4.payload[2]], [2, 32, 32], "AF_INET, /32 from /32");
});

Deno.test("routeGet: no route is a reject answer naming the kind of route; other errors throw", async () => {
  const cases: [number, string][] = [
    [101, "no route (ENETUNREACH)"],
    [113, "an unreachable route (EHOSTUNREACH)"],
    [13, "a prohibit route (EACCES)"],
    [22, "a blackhole route, or a source address not the host's (EINVAL)"],
  ];
  for (const [errno, why] of cases) {
    const calls = new LookupCalls();
    calls.answer = (seq) => refusal(seq, errno);
    assertEquals(await routeGet(calls, "2001:db8:99::1", "2001:db8:a::5"), { type: "reject", unreachable: why });
    assertEquals(calls.closed, [20]);
  }
  const denied = new LookupCalls();
  denied.answer = (seq) => refusal(seq, 1); // EPERM: not an answer about routes
  const error = await assertRejects(() => routeGet(denied, "2001:db8:99::1", "2001:db8:a::5"), NetlinkSystemError);
  assertEquals((error as NetlinkSystemError).errno, 1);
  assertEquals(denied.closed, [20], "the socket is closed whatever happens");
});

Deno.test("routeGet: answers to other requests and acknowledgements are skipped; a late answer is waited for", async () => {
  const calls = new LookupCalls();
  calls.answer = (seq) => [
    ...through(seq + 7, 9), // a stray answer to something else
    { type: "error", header: { seq }, error: 0 }, // an acknowledgement
    ...through(seq),
  ];
  assertEquals((await routeGet(calls, "2001:db8:c::80", "2001:db8:b::100")).ifindex, 3);

  const late = new LookupCalls();
  late.late = true;
  late.answer = (seq) => through(seq);
  assertEquals((await routeGet(late, "2001:db8:c::80", "2001:db8:b::100")).ifindex, 3);
  assertEquals(late.waits, 1);

  const silent = new LookupCalls();
  const error = await assertRejects(
    () => routeGet(silent, "2001:db8:c::80", "2001:db8:b::100", { timeout: 50 }),
    MifError,
    "Cannot look up the route to 2001:db8:c::80 from 2001:db8:b::100: no answer within 50 ms",
  );
  assertEquals((error as MifError).code, "timed-out");
  assertEquals(silent.closed, [20]);
});

Deno.test("routeGet: addresses of different families, or not addresses, are a TypeError or SyntaxError", async () => {
  const calls = new LookupCalls();
  await assertRejects(
    () => routeGet(calls, "2001:db8:c::80", "198.51.100.23"),
    TypeError,
    "the address families differ",
  );
  await assertRejects(() => routeGet(calls, "www.example", "198.51.100.23"), SyntaxError);
  assertEquals(calls.opened, 0, "nothing is opened for a bad question");
});

Deno.test("rtnetlinkSource.routeGet: the calls are opened once for every lookup, released by close()", async () => {
  const calls = new LookupCalls();
  calls.answer = (seq) => through(seq);
  let opened = 0;
  const source = rtnetlinkSource({
    calls: () => {
      opened++;
      return calls;
    },
  });
  const answers = await Promise.all([
    source.routeGet("2001:db8:c::80", "2001:db8:b::100"),
    source.routeGet("2001:db8:c::81", "2001:db8:b::100"),
  ]);
  assertEquals(answers.map((a) => a.ifindex), [3, 3]);
  assertEquals(await source.routeGet("2001:db8:c::80", "2001:db8:b::100"), answers[0]);
  assertEquals([opened, calls.opened, calls.closed.length, calls.disposed], [1, 3, 3, 0]);
  source.close();
  assertEquals(calls.disposed, 1);
  await source.routeGet("2001:db8:c::80", "2001:db8:b::100");
  assertEquals(opened, 2, "opened again after close()");

  // close() while a lookup waits for its answer: released once it is done.
  calls.late = true;
  const waiting = source.routeGet("2001:db8:c::80", "2001:db8:b::100");
  source.close();
  assertEquals(calls.disposed, 1);
  await waiting;
  assertEquals(calls.disposed, 2);

  const none = rtnetlinkSource({
    calls: () => {
      throw new MifError("unsupported", "Cannot open rtnetlink: no FFI here");
    },
  });
  const error = await assertRejects(async () => await none.routeGet("2001:db8:c::80", "2001:db8:b::100"), MifError);
  assertEquals((error as MifError).code, "unsupported");
  assertEquals(error.message, "Cannot look up the route to 2001:db8:c::80 from 2001:db8:b::100: no FFI here");
});

// ---------------------------------------------------------------------------
// Live: the kernel of this machine, against `ip route get`

const ffi = Deno.build.os === "linux" && Deno.permissions.querySync({ name: "ffi" }).state === "granted" &&
  Deno.permissions.querySync({ name: "run", command: "ip" }).state === "granted";

Deno.test({
  name: `live: routeGet agrees with ip route get on this machine${
    ffi ? "" : " (skipped: needs --allow-ffi, --allow-run)"
  }`,
  ignore: !ffi,
  async fn() {
    const addresses = JSON.parse(
      new TextDecoder().decode(new Deno.Command("ip", { args: ["-j", "addr"] }).outputSync().stdout),
    ) as { ifindex: number; ifname: string; addr_info: { family: string; local: string; scope: string }[] }[];
    const sources = addresses.flatMap((l) => l.addr_info.filter((a) => a.scope === "global").map((a) => a.local));
    const calls = openLibcNetlink();
    try {
      let compared = 0;
      for (const source of sources) {
        const v6 = source.includes(":");
        for (const destination of v6 ? ["2001:db8:ffff::1", "::1", source] : ["203.0.113.254", "127.0.0.1", source]) {
          const route = await routeGet(calls, destination, source);
          const ip = new Deno.Command("ip", {
            args: ["-j", v6 ? "-6" : "-4", "route", "get", destination, "from", source],
          })
            .outputSync();
          if (!ip.success) {
            assertEquals(route.type, "reject", `${destination} from ${source}: ip says no route`);
            continue;
          }
          const [expected] = JSON.parse(new TextDecoder().decode(ip.stdout)) as { dev: string; gateway?: string }[];
          const link = addresses.find((l) => l.ifname === expected!.dev);
          assertEquals(route.ifindex, link?.ifindex, `${destination} from ${source}: ${JSON.stringify(expected)}`);
          assertEquals(route.gateway, expected!.gateway, `${destination} from ${source}`);
          compared++;
        }
      }
      assert(sources.length === 0 || compared > 0, "nothing compared");
    } finally {
      calls.dispose();
    }
  },
});

// ---------------------------------------------------------------------------
// The guess from the main table

const flags6 = decodeAddressFlags(0, 6);
const flags4 = decodeAddressFlags(0, 4);

/** Provider A on eth0 (2) preferred, provider B on wlan0 (3), both families, as the lab's host without source routing. */
function twoProviders(): HostFacts {
  return {
    links: [
      { ifindex: 1, name: "lo", kind: "loopback", up: true },
      { ifindex: 2, name: "eth0", kind: "ethernet", up: true },
      { ifindex: 3, name: "wlan0", kind: "wifi", up: true },
    ],
    addresses: [
      { ifindex: 2, family: 6, address: "2001:db8:a::100", prefixLength: 64, scope: "global", flags: flags6 },
      { ifindex: 3, family: 6, address: "2001:db8:b::100", prefixLength: 64, scope: "global", flags: flags6 },
      { ifindex: 2, family: 4, address: "198.51.100.23", prefixLength: 26, scope: "global", flags: flags4 },
      { ifindex: 3, family: 4, address: "198.51.100.100", prefixLength: 26, scope: "global", flags: flags4 },
    ],
    routes: [
      { family: 6, destination: "2001:db8:a::", prefixLength: 64, ifindex: 2, metric: 256, type: "unicast" },
      { family: 6, destination: "2001:db8:b::", prefixLength: 64, ifindex: 3, metric: 256, type: "unicast" },
      {
        family: 6,
        destination: "2001:db8:b0::",
        prefixLength: 48,
        gateway: "fe80::b",
        ifindex: 3,
        metric: 1024,
        type: "unicast",
      },
      { family: 6, destination: "2001:db8:66::", prefixLength: 48, ifindex: 1, metric: 1024, type: "reject" },
      { family: 6, destination: "::", prefixLength: 0, gateway: "fe80::a", ifindex: 2, metric: 1024, type: "unicast" },
      { family: 6, destination: "::", prefixLength: 0, gateway: "fe80::b", ifindex: 3, metric: 1024, type: "unicast" },
      // A policy-routing table's default: not the main table.
      {
        family: 4,
        destination: "0.0.0.0",
        prefixLength: 0,
        gateway: "198.51.100.65",
        ifindex: 3,
        metric: 0,
        table: 103,
        type: "unicast",
      },
      {
        family: 4,
        destination: "0.0.0.0",
        prefixLength: 0,
        gateway: "198.51.100.1",
        ifindex: 2,
        metric: 200,
        table: 254,
        type: "unicast",
      },
      {
        family: 4,
        destination: "0.0.0.0",
        prefixLength: 0,
        gateway: "198.51.100.65",
        ifindex: 3,
        metric: 300,
        table: 254,
        type: "unicast",
      },
      { family: 4, destination: "198.51.100.64", prefixLength: 26, ifindex: 3, metric: 0, table: 254, type: "unicast" },
    ],
    dns: { servers: [], searchDomains: [], links: [] },
  };
}

Deno.test("routeFromFacts: the host's own address, the longest prefix, the lowest metric, main table only", () => {
  const facts = twoProviders();
  assertEquals(routeFromFacts(facts, "2001:db8:b::100"), { type: "local", ifindex: 3 });
  assertEquals(routeFromFacts(facts, "2001:db8:b::7")?.ifindex, 3, "on-link /64");
  assertEquals(routeFromFacts(facts, "2001:db8:b0::1"), { type: "unicast", ifindex: 3, gateway: "fe80::b" });
  assertEquals(routeFromFacts(facts, "203.0.113.80"), {
    type: "unicast",
    ifindex: 2,
    gateway: "198.51.100.1",
    table: 254,
  }, "table 103's default is not seen; metric 200 beats 300");
  assertEquals(routeFromFacts(facts, "198.51.100.90")?.ifindex, 3);
  assertEquals(routeFromFacts(facts, "2001:db8:66::1"), {
    type: "reject",
    unreachable: "a reject route in the main table",
  });
  assertEquals(routeFromFacts({ ...facts, routes: [] }, "2001:db8:c::80"), undefined, "no route known: no guess");
  assertEquals(routeFromFacts(facts, "not an address"), undefined);
});

Deno.test("routeFromFacts: between routes the kernel could choose alike, the PvD's link is taken", () => {
  const facts = twoProviders(); // two IPv6 defaults, metric 1024 each
  assertEquals(routeFromFacts(facts, "2001:db8:c::80")?.ifindex, 2, "the first of the tie");
  assertEquals(routeFromFacts(facts, "2001:db8:c::80", 3)?.ifindex, 3, "the PvD's link among the tie");
  assertEquals(routeFromFacts(facts, "203.0.113.80", 3)?.ifindex, 2, "a lower metric is no tie");
});

Deno.test("sourcePrefix: the host's prefix of an address, else the address", () => {
  const facts = twoProviders();
  assertEquals(sourcePrefix(facts, "2001:db8:b::100"), "2001:db8:b::/64");
  assertEquals(sourcePrefix(facts, "198.51.100.100"), "198.51.100.64/26");
  assertEquals(sourcePrefix(facts, "2001:db8:f::1"), "2001:db8:f::1");
  assertEquals(sourcePrefix(undefined, "2001:db8:b::100"), "2001:db8:b::100");
});

// ---------------------------------------------------------------------------
// HostNetwork.connect over loopback, the lookups scripted

const netAllowed = ["127.0.0.1", "[::1]"].every((host) =>
  Deno.permissions.querySync({ name: "net", host }).state === "granted"
);

/** The loopback link, and a second link eth9 (ifindex 9) the scripted kernel may route through. */
function loopbackFacts(): HostFacts {
  return {
    links: [
      { ifindex: 1, name: "lo", kind: "loopback", up: true, mtu: 65536 },
      { ifindex: 9, name: "eth9", kind: "ethernet", up: true },
    ],
    addresses: [
      { ifindex: 1, family: 6, address: "::1", prefixLength: 128, scope: "host", flags: decodeAddressFlags(0x80, 6) },
      { ifindex: 1, family: 4, address: "127.0.0.1", prefixLength: 8, scope: "host", flags: decodeAddressFlags(0, 4) },
    ],
    routes: [],
    dns: { servers: [], searchDomains: [], links: [] },
  };
}

interface Echo {
  readonly port: number;
  readonly peers: string[];
  close(): Promise<void>;
}

async function echoServer(host: string): Promise<Echo> {
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
  return {
    port: (server.address() as { port: number }).port,
    peers,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A fixed source whose route lookups answer `lookup` (or throw it), counting them and its close() calls. */
function scriptedSource(
  lookup: () => KernelRouteLookup | Error,
): KernelFactsSource & { asked: string[]; closed: number } {
  const source = {
    name: "rtnetlink" as const,
    limitations: [],
    asked: [] as string[],
    closed: 0,
    read: () => Promise.resolve(loopbackFacts()),
    routeGet(destination: string, from: string): Promise<KernelRouteLookup> {
      source.asked.push(`${destination} from ${from}`);
      const answer = lookup();
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
    close() {
      source.closed++;
    },
  };
  return source;
}

const V4 = { pvdId: "implicit:lo:ipv4", interfaceId: 1, sourceAddress: "127.0.0.1", address: "127.0.0.1" };

Deno.test({
  name: "connect: a route through the PvD's link connects; through another link it is refused before any socket",
  ignore: !netAllowed,
  async fn() {
    const echo = await echoServer("127.0.0.1");
    let route: KernelRouteLookup = { type: "unicast", ifindex: 1, table: 254 };
    const source = scriptedSource(() => route);
    const network = new HostNetwork({ sources: [source], model: { includeLoopback: true } });
    const signal = new AbortController().signal;
    try {
      await network.refresh();
      const token = await network.connect({ ...V4, port: echo.port }, signal);
      token.close();
      assertEquals(source.asked, ["127.0.0.1 from 127.0.0.1"]);
      assertEquals(echo.peers, ["127.0.0.1"]);

      route = { type: "unicast", ifindex: 9, gateway: "192.0.2.1", table: 254 };
      const error = await assertRejects(
        () => network.connect({ ...V4, port: echo.port }, signal),
        MifError,
        `Cannot connect to 127.0.0.1:${echo.port} from 127.0.0.1 in provisioning domain "implicit:lo:ipv4": ` +
          "would leave through eth9, not lo: this host has no source-specific route for 127.0.0.0/8; see `mif routes`",
      );
      assertEquals((error as MifError).code, "connection-failed");
      assertEquals(echo.peers.length, 1, "no socket was opened");
      const [mismatch] = network.egressMismatches;
      assertEquals(
        { ...mismatch, at: 0 },
        {
          at: 0,
          pvdId: "implicit:lo:ipv4",
          interfaceId: 1,
          interfaceName: "lo",
          sourceAddress: "127.0.0.1",
          address: "127.0.0.1",
          egressInterfaceId: 9,
          egressName: "eth9",
          prefix: "127.0.0.0/8",
          guessed: false,
          action: "refused",
          reason: "would leave through eth9, not lo: this host has no source-specific route for 127.0.0.0/8; see " +
            "`mif routes`",
        } satisfies EgressMismatch,
      );

      // No route at all: refused, naming what the kernel has.
      route = { type: "reject", unreachable: "no route (ENETUNREACH)" };
      await assertRejects(
        () => network.connect({ ...V4, port: echo.port }, signal),
        MifError,
        "unreachable: the kernel has no route (ENETUNREACH) to 127.0.0.1 from 127.0.0.1",
      );
      // A local route stays on the host: never a mismatch.
      route = { type: "local", ifindex: 9 };
      (await network.connect({ ...V4, port: echo.port }, signal)).close();
      assertEquals(network.egressMismatches.length, 1);
    } finally {
      network.stop();
      await echo.close();
    }
    assertEquals(source.closed, 1, "stop() releases what the source keeps");
  },
});

Deno.test({
  name: "connect: egress warn connects and reports; off never asks; a failed lookup falls back to the guess",
  ignore: !netAllowed,
  async fn() {
    const echo = await echoServer("127.0.0.1");
    const signal = new AbortController().signal;
    const errors: Error[] = [];
    const wrong = () => ({ type: "unicast", ifindex: 9 }) as const;
    const warnSource = scriptedSource(wrong);
    const warn = new HostNetwork({
      sources: [warnSource],
      model: { includeLoopback: true },
      egress: "warn",
      onError: (e) => errors.push(e),
    });
    const offSource = scriptedSource(wrong);
    const off = new HostNetwork({ sources: [offSource], model: { includeLoopback: true }, egress: "off" });
    const brokenSource = scriptedSource(() => new Error("the FFI went away"));
    const broken = new HostNetwork({
      sources: [brokenSource],
      model: { includeLoopback: true },
      onError: (e) => errors.push(e),
    });
    try {
      for (const network of [warn, off, broken]) await network.refresh();
      (await warn.connect({ ...V4, port: echo.port }, signal)).close();
      assertEquals(warn.egressMismatches.map((m) => m.action), ["warned"]);
      assertEquals(
        errors.map((e) => e.message),
        [
          `Connecting to 127.0.0.1:${echo.port} from 127.0.0.1 in provisioning domain "implicit:lo:ipv4" all the ` +
          "same: would leave through eth9, not lo: this host has no source-specific route for 127.0.0.0/8; see " +
          "`mif routes`",
        ],
      );
      assertEquals((errors[0] as MifError).code, "unsupported");

      (await off.connect({ ...V4, port: echo.port }, signal)).close();
      assertEquals([offSource.asked.length, off.egressMismatches.length], [0, 0]);
      assert(off.limitations.some((l) => l.startsWith('Egress not checked (egress: "off")')), off.limitations.join());

      // The lookup fails: said once per attempt, then the main table is guessed from (no route: no verdict).
      (await broken.connect({ ...V4, port: echo.port }, signal)).close();
      assertEquals(errors.length, 2);
      assert(errors[1]!.message.includes("guessing from the main table: the FFI went away"), errors[1]!.message);
      assertEquals(echo.peers.length, 3);
    } finally {
      for (const network of [warn, off, broken]) network.stop();
      await echo.close();
    }
  },
});

Deno.test({
  name: "connect: without the kernel, the main table is guessed from, and limitations say policy rules are unseen",
  ignore: !netAllowed,
  async fn() {
    const facts: HostFacts = {
      ...loopbackFacts(),
      routes: [{
        family: 6,
        destination: "2001:db8::",
        prefixLength: 32,
        gateway: "fe80::9",
        ifindex: 9,
        metric: 1,
        type: "unicast",
      }],
    };
    const network = new HostNetwork({
      sources: [{ name: "proc", limitations: [], read: () => Promise.resolve(facts) }],
      model: { includeLoopback: true },
    });
    await network.refresh();
    assert(
      network.limitations.some((l) => l.startsWith("Egress guessed, not asked of the kernel") && l.includes("ip rule")),
      network.limitations.join("\n"),
    );
    const error = await assertRejects(
      () =>
        network.connect(
          { pvdId: "implicit:lo:ipv6", interfaceId: 1, sourceAddress: "::1", address: "2001:db8:c::80", port: 9 },
          new AbortController().signal,
        ),
      MifError,
      "would leave through eth9, not lo: this host has no source-specific route for ::1/128; see `mif routes` " +
        "(guessed from the main routing table: policy rules are not seen)",
    );
    assertEquals((error as MifError).code, "connection-failed");
    assertEquals(network.egressMismatches[0]?.guessed, true);
  },
});

Deno.test({
  name: "connect: a link-local source is refused for a destination beyond a router",
  ignore: !netAllowed,
  async fn() {
    const source = scriptedSource(() => ({ type: "unicast", ifindex: 1, gateway: "fe80::1" }));
    const network = new HostNetwork({ sources: [source], model: { includeLoopback: true } });
    await network.refresh();
    await assertRejects(
      () =>
        network.connect(
          { pvdId: "implicit:lo:ipv6", interfaceId: 1, sourceAddress: "fe80::5", address: "2001:db8:c::80", port: 9 },
          new AbortController().signal,
        ),
      MifError,
      "a link-local source reaches its own link only, and 2001:db8:c::80 is beyond router fe80::1",
    );
    // A link-local destination names its link: nothing to ask (the socket fails on its own here).
    const before = source.asked.length;
    const error = await assertRejects(
      () =>
        network.connect(
          { pvdId: "implicit:lo:ipv6", interfaceId: 1, sourceAddress: "::1", address: "fe80::9", port: 9 },
          new AbortController().signal,
        ),
      MifError,
    );
    assertEquals((error as MifError).code, "connection-failed");
    assertEquals(source.asked.length, before);
  },
});

Deno.test({
  name: "connect: the winner's own socket (socketOf), or streams made on first use, even after the peer closed",
  ignore: !netAllowed,
  async fn() {
    const echo = await echoServer("127.0.0.1");
    const source = scriptedSource(() => ({ type: "unicast", ifindex: 1, table: 254 }));
    const network = new HostNetwork({ sources: [source], model: { includeLoopback: true } });
    const signal = new AbortController().signal;
    try {
      await network.refresh();
      // The socket itself: bytes through it, as tls.connect({ socket }) would use it.
      const token = await network.connect({ ...V4, port: echo.port }, signal);
      const socket = socketOf(token);
      assert(socket instanceof Socket, "a node:net Socket");
      assertEquals([socket.localAddress, socket.remotePort], ["127.0.0.1", echo.port]);
      const echoed = new Promise<string>((resolve) => socket.once("data", (chunk) => resolve(String(chunk))));
      socket.write("through the socket");
      assertEquals(await echoed, "through the socket");
      token.close();
      assert(socket.destroyed, "close() closes the socket");

      // The streams, asked for only after the peer has gone: they end rather than wait.
      const late = await network.connect({ ...V4, port: echo.port }, signal);
      const gone = new Promise((resolve) => socketOf(late)!.once("close", resolve));
      await echo.close();
      await gone;
      const read = await late.readable.getReader().read();
      assertEquals(read.done, true);
      late.close();
    } finally {
      network.stop();
      await echo.close();
    }
  },
});
