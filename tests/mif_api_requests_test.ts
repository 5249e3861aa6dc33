// POST, CHECK and GET; bad requests; many subscribers; the queue policy;
// name translation and connection bookkeeping with a scripted adapter.

import { MifApi, MifError, type MifReply } from "../mod.ts";
import { POLICY_IPV4_FIRST, POLICY_RFC6724 } from "../core-as/policy_table.ts";
import { assert, assertEquals, assertRejects } from "./_assert.ts";
import { address, drain, drainBrief, ETH0, fakeToken, ScriptedLink, V4, V6, WIFI } from "./_scripted_link.ts";

function setup() {
  const link = new ScriptedLink();
  const api = new MifApi(link);
  return { link, api, app: api.subscribe() };
}

Deno.test("CHECK MESSAGE probes synchronously, GET says when nothing waits", () => {
  const { api, app } = setup();
  assertEquals(app.checkMessage({ timeout: 0 }), false);
  assertEquals(app.getMessage(), undefined);
  app.postMessage({ type: "announce-interfaces" });
  assertEquals(app.checkMessage({ timeout: 0 }), true);
  assertEquals(app.pending, 2);
  assertEquals(app.getMessage()?.type, "interface-announcement");
  api.close();
});

Deno.test("CHECK MESSAGE waits a bounded time on the adapter's clock", async () => {
  const { link, api, app } = setup();
  const timersBefore = link.clock.pendingTimers;
  let answer: boolean | undefined;
  app.checkMessage({ timeout: 1_000 }).then((value) => answer = value);
  await link.clock.tick(999);
  assertEquals(answer, undefined);
  await link.clock.tick(1);
  assertEquals(answer, false);
  assertEquals(link.clock.pendingTimers, timersBefore, "the wait's timer is gone");
  api.close();
});

Deno.test("CHECK MESSAGE waits indefinitely until a message comes, and wakes every waiter", async () => {
  const { link, api, app } = setup();
  const timersBefore = link.clock.pendingTimers;
  const first = app.checkMessage();
  const second = app.checkMessage({ timeout: 1_000 });
  await link.clock.tick(999);
  app.postMessage({ type: "announce-interfaces" });
  assertEquals(await first, true);
  assertEquals(await second, true);
  assertEquals(link.clock.pendingTimers, timersBefore, "the bounded wait's timer is gone");
  api.close();
});

Deno.test("CHECK MESSAGE rejects with the signal's reason when aborted", async () => {
  const { api, app } = setup();
  const controller = new AbortController();
  const waiting = app.checkMessage({ signal: controller.signal });
  controller.abort(new Error("enough"));
  await assertRejects(() => waiting, Error, "enough");
  await assertRejects(() => app.checkMessage({ signal: controller.signal }), Error, "enough");
  api.close();
});

Deno.test("closing a subscriber releases its waiters and ends its iteration after the backlog", async () => {
  const { api, app } = setup();
  const waiting = app.checkMessage();
  app.postMessage({ type: "announce-interfaces" });
  assertEquals(await waiting, true);
  app.close();
  assertEquals(await app.checkMessage(), true, "the backlog stays readable");
  const seen: string[] = [];
  for await (const m of app) seen.push(m.type);
  assertEquals(seen, ["interface-announcement", "interface-announcement"]);
  assertEquals(await app.checkMessage(), false);
  app.postMessage({ type: "announce-interfaces" }); // ignored, never throws
  assertEquals(app.pending, 0);
  api.close();
});

Deno.test("async iteration yields messages as they come", async () => {
  const { link, api, app } = setup();
  app.postMessage({ type: "announce-interfaces" });
  const seen: string[] = [];
  const done = (async () => {
    for await (const m of app.messages()) {
      if (m.type === "interface-announcement") seen.push(m.displayName);
      if (seen.length === 3) break;
    }
  })();
  await link.clock.tick(10);
  link.apply({ kind: "interface-set", interface: { interfaceId: 9, displayName: "tun9", kind: "vpn", up: true } });
  await done;
  assertEquals(seen, ["eth0", "wlan0", "tun9"]);
  api.close();
});

// Every malformed or out-of-place request: the reply names the problem and the field.
const BAD_REQUESTS: [unknown, string][] = [
  [null, "error malformed-request"],
  ["announce-interfaces", "error malformed-request"],
  [[], "error malformed-request"],
  [{}, "error unknown-request-type type"],
  [{ type: "announce-everything" }, "error unknown-request-type type"],
  [{ type: "announce-interfaces", extra: 1 }, "error malformed-request extra"],
  [{ type: "announce-provisioning-domains" }, "error malformed-request interfaceId"],
  [{ type: "announce-provisioning-domains", interfaceId: "2" }, "error malformed-request interfaceId"],
  [{ type: "announce-provisioning-domains", interfaceId: 1.5 }, "error malformed-request interfaceId"],
  [{ type: "announce-provisioning-domains", interfaceId: 99 }, "error unknown-interface interfaceId"],
  [{ type: "announce-addresses", pvdId: "no.such.pvd" }, "error unknown-pvd pvdId"],
  [{ type: "announce-addresses", pvdId: 7 }, "error malformed-request pvdId"],
  [{ type: "announce-addresses", pvdId: "" }, "error malformed-request pvdId"],
  [{ type: "announce-configuration-elements", pvdId: V6, elementType: "ppp" }, "error malformed-request elementType"],
  [
    { type: "get-configuration-data", pvdId: V6, elementType: "ra", informationId: "ntp" },
    "error malformed-request informationId",
  ],
  [
    { type: "get-configuration-data", pvdId: "x", elementType: "ra", informationId: "mtu" },
    "error unknown-pvd pvdId",
  ],
  [{ type: "stop-announcing-interfaces" }, "error not-subscribed"],
  [{ type: "stop-announcing-provisioning-domains", interfaceId: ETH0 }, "error not-subscribed"],
  [{ type: "stop-announcing-addresses" }, "error not-subscribed"],
  [{ type: "stop-announcing-configuration-elements", pvdId: V6 }, "error not-subscribed"],
  [{ type: "stop-translating-name", translationId: "t9" }, "error unknown-translation-id translationId"],
  [{ type: "translate-name", pvdId: V6, name: "", translationId: "t" }, "error malformed-request name"],
  [{ type: "translate-name", pvdId: V6, name: "a\u0000b", translationId: "t" }, "error malformed-request name"],
  [
    { type: "connect-to-address", address: "2001:db8::g", port: 80, pvdId: V6, connectionId: "c" },
    "error invalid-address address",
  ],
  [
    { type: "connect-to-address", address: "2001:db8::1", port: 0, pvdId: V6, connectionId: "c" },
    "error malformed-request port",
  ],
  [
    { type: "connect-to-address", address: "2001:db8::1", port: 65536, pvdId: V6, connectionId: "c" },
    "error malformed-request port",
  ],
  [
    {
      type: "connect-to-address-from-address",
      sourceAddress: "2001:db8:b::100",
      address: "2001:db8::1",
      port: 80,
      pvdId: V6,
      connectionId: "c",
    },
    "error address-not-in-pvd sourceAddress",
  ],
  [
    {
      type: "connect-to-address-from-address",
      sourceAddress: "2001:db8:a::100",
      address: "192.0.2.9",
      port: 80,
      pvdId: V6,
      connectionId: "c",
    },
    "error invalid-address address",
  ],
  [{ type: "connection-is-idle", connectionId: 5 }, "error malformed-request connectionId"],
];

Deno.test("every malformed or out-of-place request gets a typed error reply naming the problem", () => {
  const { api, app } = setup();
  for (const [request, expected] of BAD_REQUESTS) {
    app.postMessage(request as never);
    const replies = drain(app);
    assertEquals(replies.length, 1, `one reply to ${JSON.stringify(request)}`);
    const reply = replies[0]!;
    assert(reply.type === "error");
    assertEquals(
      `error ${reply.error.code}${reply.error.field ? " " + reply.error.field : ""}`,
      expected,
      JSON.stringify(request),
    );
    assert(reply.error instanceof MifError);
    assert(/^Cannot [a-z]/.test(reply.error.message) && !reply.error.message.endsWith("."), reply.error.message);
    assertEquals(reply.request, request);
  }
  api.close();
});

Deno.test("a bad request disturbs neither the sender's queue nor another subscriber", () => {
  const { link, api, app } = setup();
  const other = api.subscribe();
  other.postMessage({ type: "announce-interfaces" });
  app.postMessage({ type: "announce-interfaces" });
  const bad = BAD_REQUESTS.map(([request]) => request).filter((r) =>
    !String((r as { type?: string })?.type).startsWith("stop-")
  );
  for (const request of bad) app.postMessage(request as never);
  link.apply({ kind: "interface-set", interface: { interfaceId: 9, displayName: "tun9", kind: "vpn", up: true } });
  const mine = drainBrief(app);
  assertEquals(mine.slice(0, 2), ["interface 2 eth0", "interface 3 wlan0"], "queued messages are kept");
  assertEquals(mine.length, 2 + bad.length + 1);
  assertEquals(mine.at(-1), "interface 9 tun9", "and the subscription still works");
  assertEquals(drainBrief(other), ["interface 2 eth0", "interface 3 wlan0", "interface 9 tun9"]);
  api.close();
});

Deno.test("many subscribers each get their own queue and subscriptions", () => {
  const { link, api } = setup();
  const subscribers = Array.from({ length: 100 }, () => api.subscribe());
  subscribers.forEach((s, i) => {
    if (i % 2 === 0) s.postMessage({ type: "announce-interfaces" });
    else s.postMessage({ type: "announce-addresses", pvdId: V4 });
  });
  link.apply({ kind: "address-set", address: address(V4, "192.0.2.7", Infinity, Infinity) });
  subscribers.forEach((s, i) => {
    assertEquals(
      drainBrief(s),
      i % 2 === 0
        ? ["interface 2 eth0", "interface 3 wlan0"]
        : [`address ${V4} 192.0.2.100`, `address ${V4} 192.0.2.7`],
    );
  });
  api.close();
});

Deno.test("a full queue counts dropped announcements in order and never drops replies", () => {
  const { link, api } = setup();
  const slow = api.subscribe({ queueCapacity: 3 });
  slow.postMessage({ type: "announce-interfaces" });
  slow.postMessage({ type: "announce-addresses", pvdId: V4 });
  assertEquals(slow.pending, 3, "the initial iteration is a reply and is queued whole");
  for (let i = 0; i < 5; i++) {
    link.apply({ kind: "address-set", address: address(V4, `192.0.2.${10 + i}`, Infinity, Infinity) });
  }
  slow.postMessage({ type: "get-configuration-data", pvdId: V4, elementType: "dhcpv4", informationId: "routers" });
  link.apply({ kind: "address-set", address: address(V4, "192.0.2.20", Infinity, Infinity) });
  assertEquals(drainBrief(slow), [
    "interface 2 eth0",
    "interface 3 wlan0",
    `address ${V4} 192.0.2.100`,
    "dropped 5",
    `data ${V4} dhcpv4 routers`,
    "dropped 1",
  ]);
  // Drained: announcements flow again, and a dropped address's removal is not announced.
  link.apply({ kind: "address-removed", pvdId: V4, address: "192.0.2.10" });
  link.apply({ kind: "address-set", address: address(V4, "192.0.2.30", Infinity, Infinity) });
  assertEquals(drainBrief(slow), [`address ${V4} 192.0.2.30`]);
  api.close();
});

Deno.test("Translate Name streams one Name Translation per address, then completes", async () => {
  const { link, api, app } = setup();
  link.resolver = async function* (query) {
    yield { family: 6, addresses: ["2001:DB8:C::1", "2001:db8:c::1"] }; // a repeat is not a new result
    await new Promise((r) => link.clock.setTimer(30, () => r(undefined)));
    yield { family: 4, addresses: ["192.0.2.80"] };
    assertEquals(query.dnsServers, ["2001:db8:a::53"]);
    assertEquals(query.sourceAddresses, ["2001:db8:a::100"]);
  };
  app.postMessage({ type: "translate-name", pvdId: V6, name: "host.example.com", translationId: "t1" });
  await link.clock.tick(0);
  assertEquals(drainBrief(app), ["translation t1 2001:db8:c::1"]);
  await link.clock.tick(30);
  assertEquals(drainBrief(app), ["translation t1 192.0.2.80", "translation-complete t1 2"]);
  // The identifier is free again once complete.
  app.postMessage({ type: "translate-name", pvdId: V6, name: "2001:db8::5", translationId: "t1" });
  await link.clock.tick(0);
  assertEquals(drainBrief(app), ["translation t1 2001:db8::5", "translation-complete t1 1"], "literals need no DNS");
  assertEquals(link.resolveQueries.length, 1);
  api.close();
});

Deno.test("translation identifiers must be unique while outstanding; Stop Translating Name stops", async () => {
  const { link, api, app } = setup();
  let aborted = false;
  link.resolver = async function* (_query, signal) {
    signal.addEventListener("abort", () => aborted = true);
    await new Promise((r) => link.clock.setTimer(1_000, () => r(undefined)));
    yield { family: 6, addresses: ["2001:db8::1"] };
  };
  app.postMessage({ type: "translate-name", pvdId: V6, name: "slow.example", translationId: "t" });
  app.postMessage({ type: "translate-name", pvdId: V4, name: "slow.example", translationId: "t" });
  assertEquals(drainBrief(app), ["error duplicate-translation-id translationId"]);
  app.postMessage({ type: "stop-translating-name", translationId: "t" });
  await link.clock.tick(2_000);
  assert(aborted, "the adapter saw the abort");
  assertEquals(drainBrief(app), [], "nothing after stop");
  // Another subscriber may use the same identifier.
  const other = api.subscribe();
  other.postMessage({ type: "translate-name", pvdId: V6, name: "slow.example", translationId: "t" });
  await link.clock.tick(2_000);
  assertEquals(drainBrief(other), ["translation t 2001:db8::1", "translation-complete t 1"]);
  api.close();
});

Deno.test("a translation fails with a reason: no DNS server, resolver error, PvD withdrawn", async () => {
  const { link, api, app } = setup();
  link.apply({ kind: "pvd-set", pvd: { pvdId: "bare.example", interfaceId: ETH0, explicit: true } });
  app.postMessage({ type: "translate-name", pvdId: "bare.example", name: "a.example", translationId: "t1" });
  link.resolver = async function* () {
    yield* [];
    throw new Error("server said SERVFAIL");
  };
  app.postMessage({ type: "translate-name", pvdId: V6, name: "b.example", translationId: "t2" });
  await link.clock.tick(0);
  link.resolver = async function* () {
    await new Promise((r) => link.clock.setTimer(1_000, () => r(undefined)));
    yield { family: 4, addresses: ["192.0.2.1"] };
  };
  app.postMessage({ type: "translate-name", pvdId: V4, name: "c.example", translationId: "t3" });
  link.apply({ kind: "pvd-removed", pvdId: V4 });
  await link.clock.tick(2_000);
  const messages = drain(app);
  assertEquals(messages.map((m) => m.type === "name-translation-complete" ? m.error?.code : m.type), [
    "no-dns-servers",
    "resolution-failed",
    "pvd-withdrawn",
  ]);
  const failed = messages[1];
  assert(failed?.type === "name-translation-complete");
  assert(failed.error?.message.includes("SERVFAIL"), failed.error?.message);
  api.close();
});

Deno.test("Connect to Address tries the PvD's sources, best first, and hands over the connection", async () => {
  const link = new ScriptedLink();
  const api = new MifApi(link);
  const app = api.subscribe();
  link.apply(
    { kind: "address-set", address: address(V6, "2001:db8:a::dead", Infinity, 0) }, // deprecated
    { kind: "address-set", address: address(V6, "2001:db8:c::77", Infinity, Infinity) },
  );
  link.connector = (attempt) =>
    attempt.sourceAddress === "2001:db8:c::77"
      ? Promise.reject(new MifError("connection-failed", "Cannot connect: refused"))
      : Promise.resolve(fakeToken(attempt));
  app.postMessage({ type: "connect-to-address", address: "2001:db8:c::1", port: 443, pvdId: V6, connectionId: "c1" });
  app.postMessage({ type: "connect-to-address", address: "2001:db8:c::1", port: 443, pvdId: V6, connectionId: "c1" });
  await link.clock.tick(0);
  assertEquals(drainBrief(app), [
    "error duplicate-connection-id connectionId",
    "connected c1 2001:db8:a::100 2001:db8:c::1",
  ]);
  assertEquals(
    link.attempts.map((a) => a.sourceAddress),
    ["2001:db8:c::77", "2001:db8:a::100"],
    "longest matching prefix first, deprecated last (never reached)",
  );
  assertEquals(link.attempts[0]!.port, 443);
  api.close();
});

Deno.test("Not Connected lists every attempt; no source of the family is a clear reason", async () => {
  const { link, api, app } = setup();
  app.postMessage({ type: "connect-to-address", address: "198.51.100.1", port: 80, pvdId: V4, connectionId: "a" });
  app.postMessage({ type: "connect-to-address", address: "198.51.100.1", port: 80, pvdId: V6, connectionId: "b" });
  await link.clock.tick(0);
  const replies = drain(app);
  const refused = replies.find((m) => m.type === "not-connected" && m.connectionId === "a");
  const noSource = replies.find((m) => m.type === "not-connected" && m.connectionId === "b");
  assert(refused?.type === "not-connected" && noSource?.type === "not-connected");
  assertEquals(refused.error.code, "connection-failed");
  assertEquals(refused.attempts, [{
    pvdId: V4,
    sourceAddress: "192.0.2.100",
    address: "198.51.100.1",
    reason: "Cannot connect: refused",
  }]);
  assertEquals(noSource.error.code, "no-source-address");
  api.close();
});

Deno.test("Connect to Address From Address uses exactly that source", async () => {
  const { link, api, app } = setup();
  link.connector = (attempt) => Promise.resolve(fakeToken(attempt));
  app.postMessage({
    type: "connect-to-address-from-address",
    sourceAddress: "2001:db8:b::100",
    address: "2001:db8:c::1",
    port: 22,
    pvdId: WIFI,
    connectionId: "ssh",
  });
  await link.clock.tick(0);
  assertEquals(drainBrief(app), ["connected ssh 2001:db8:b::100 2001:db8:c::1"]);
  api.close();
});

Deno.test("Connect to PvD resolves the name in that PvD and connects, IPv6 and IPv4 alternating", async () => {
  const link = new ScriptedLink();
  const api = new MifApi(link);
  const app = api.subscribe();
  link.apply({ kind: "address-set", address: address(V6, "192.0.2.222", Infinity, Infinity) });
  link.resolver = async function* () {
    yield { family: 4, addresses: ["192.0.2.80", "192.0.2.81"] };
    yield { family: 6, addresses: ["2001:db8:c::1"] };
  };
  link.connector = (attempt) =>
    attempt.address === "192.0.2.81"
      ? Promise.resolve(fakeToken(attempt))
      : Promise.reject(new MifError("connection-failed", "Cannot connect: timed out"));
  app.postMessage({ type: "connect-to-pvd", pvdId: V6, name: "www.example", port: 443, connectionId: "w" });
  await link.clock.tick(0);
  assertEquals(drainBrief(app), ["connected w 192.0.2.222 192.0.2.81"]);
  assertEquals(link.attempts.map((a) => a.address), ["2001:db8:c::1", "192.0.2.80", "192.0.2.81"]);
  api.close();
});

Deno.test("a connection that completes after its subscriber left is closed, never leaked", async () => {
  const { link, api, app } = setup();
  const tokens: ReturnType<typeof fakeToken>[] = [];
  link.connector = (attempt) =>
    new Promise((resolve) =>
      link.clock.setTimer(100, () => {
        const token = fakeToken(attempt);
        tokens.push(token);
        resolve(token);
      })
    );
  app.postMessage({ type: "connect-to-address", address: "2001:db8:c::1", port: 80, pvdId: V6, connectionId: "x" });
  app.close();
  await link.clock.tick(200);
  assertEquals(tokens.length, 1);
  assert(tokens[0]!.isClosed());
  api.close();
});

Deno.test("a PvD withdrawn during a connection attempt ends it with Not Connected", async () => {
  const { link, api, app } = setup();
  link.connector = (_attempt, signal) =>
    new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
  app.postMessage({ type: "connect-to-address", address: "2001:db8:c::1", port: 80, pvdId: WIFI, connectionId: "x" });
  await link.clock.tick(0);
  link.apply({ kind: "pvd-removed", pvdId: WIFI });
  await link.clock.tick(0);
  const [reply] = drain(app) as MifReply[];
  assert(reply?.type === "not-connected");
  assertEquals(reply.error.code, "pvd-withdrawn");
  api.close();
});

Deno.test("application connectivity hints reach the adapter", () => {
  const { link, api, app } = setup();
  app.postMessage({ type: "wants-to-connect" });
  app.postMessage({ type: "connection-is-idle", connectionId: "c1" });
  app.postMessage({ type: "connection-can-be-broken" });
  assertEquals(link.hints.map((h) => h.type), ["wants-to-connect", "connection-is-idle", "connection-can-be-broken"]);
  assertEquals(drainBrief(app), []);
  api.close();
  assert(link.stopped);
});

Deno.test("source addresses follow RFC 6724 in the WebAssembly core: temporary preferred, or not, by policy", async () => {
  for (const [preferTemporary, expected] of [[true, "2001:db8:a::7e37"], [false, "2001:db8:a::100"]] as const) {
    const link = new ScriptedLink();
    const api = new MifApi(link, { addressSelection: { preferTemporary } });
    const app = api.subscribe();
    link.apply({
      kind: "address-set",
      address: { ...address(V6, "2001:db8:a::7e37", Infinity, Infinity), temporary: true },
    });
    link.connector = (attempt) => Promise.resolve(fakeToken(attempt));
    app.postMessage({ type: "connect-to-address", address: "2001:db8:c::1", port: 80, pvdId: V6, connectionId: "t" });
    await link.clock.tick(0);
    assertEquals(drainBrief(app), [`connected t ${expected} 2001:db8:c::1`], `preferTemporary ${preferTemporary}`);
    api.close();
  }
});

Deno.test("Connect to PvD orders destinations by RFC 6724, then alternates families from the preferred one", async () => {
  const orders: string[][] = [];
  for (const policy of [POLICY_RFC6724, POLICY_IPV4_FIRST]) {
    const link = new ScriptedLink();
    const api = new MifApi(link, { addressSelection: () => ({ policy }) });
    const app = api.subscribe();
    link.apply({ kind: "address-set", address: address(V6, "192.0.2.222", Infinity, Infinity) });
    link.resolver = async function* () {
      yield { family: 6, addresses: ["fd00::1", "2001:db8:c::1"] };
      yield { family: 4, addresses: ["192.0.2.80", "192.0.2.81"] };
    };
    // Both answers are in before the first attempt fails, 1 ms later.
    link.connector = () =>
      new Promise((_, reject) => link.clock.setTimer(1, () => reject(new MifError("connection-failed", "refused"))));
    app.postMessage({ type: "connect-to-pvd", pvdId: V6, name: "www.example", port: 443, connectionId: "w" });
    await link.clock.tick(10);
    orders.push(link.attempts.map((a) => a.address));
    api.close();
  }
  // RFC 6724: global IPv6 (precedence 40) before IPv4 (35) before ULA (3).
  assertEquals(orders[0], ["2001:db8:c::1", "192.0.2.80", "fd00::1", "192.0.2.81"]);
  // The IPv4-first table of RFC 6724 section 10.3 starts with IPv4.
  assertEquals(orders[1], ["192.0.2.80", "2001:db8:c::1", "192.0.2.81", "fd00::1"]);
});

Deno.test("Get Configuration Data returns the address selection policy in force for a PvD", () => {
  const link = new ScriptedLink();
  const api = new MifApi(link, {
    addressSelection: (pvdId) => pvdId === WIFI ? { policy: POLICY_IPV4_FIRST, ipv4Rule9: "off" } : {},
  });
  const app = api.subscribe();
  for (const pvdId of [V6, WIFI]) {
    app.postMessage({
      type: "get-configuration-data",
      pvdId,
      elementType: "static",
      informationId: "address-selection-policy",
    });
  }
  app.postMessage({
    type: "get-configuration-data",
    pvdId: V6,
    elementType: "ra",
    informationId: "address-selection-policy",
  });
  const [v6, wifi, none] = drain(app);
  assert(v6?.type === "configuration-data" && wifi?.type === "configuration-data");
  assertEquals(v6.data, { policy: POLICY_RFC6724, ipv4Rule9: "same-subnet", preferTemporary: true });
  assertEquals(wifi.data, { policy: POLICY_IPV4_FIRST, ipv4Rule9: "off", preferTemporary: true });
  assertEquals(none?.type, "no-configuration-data", "host configuration, not an RA's");
  api.close();
});
