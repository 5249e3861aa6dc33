// Node's FFI adapter (@pvd/mif/node, koffi) on this machine, without root:
// the rtnetlink source's dump compared with `ip -j`, errno read on the main
// thread after a failed call, a watch that leaves the event loop free and
// stops at once, a route lookup compared with `ip route get`, and
// nodeHostNetwork() choosing rtnetlink and saying what it cannot see. The namespace lab (lab-host-test.mjs) checks the rest as root.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { NetlinkSystemError } from "@pvd/mif/host";
import { nodeHostNetwork, openIcmpv6Socket, openKoffiNetlink, rtnetlinkSource } from "@pvd/mif/node";

const run = promisify(execFile);
const onLinux = process.platform === "linux" && existsSync("/sys/class/net");
const hasIp = existsSync("/usr/sbin/ip") || existsSync("/sbin/ip") || existsSync("/usr/bin/ip");
const isRoot = process.getuid?.() === 0;

test("rtnetlinkSource over koffi: links and addresses as `ip -j` sees them", {
  skip: !(onLinux && hasIp) && "needs Linux and ip",
}, async () => {
  const facts = await rtnetlinkSource().read();
  const { stdout: links } = await run("ip", ["-j", "link", "show"]);
  assert.deepEqual(
    facts.links.map((l) => [l.ifindex, l.name, l.mtu]),
    JSON.parse(links).map((l) => [l.ifindex, l.ifname, l.mtu]),
  );
  const { stdout: addresses } = await run("ip", ["-j", "addr", "show"]);
  const expected = JSON.parse(addresses).flatMap((l) =>
    l.addr_info.map((a) => `${l.ifindex} ${a.local}/${a.prefixlen}`)
  ).sort();
  assert.deepEqual(facts.addresses.map((a) => `${a.ifindex} ${a.address}/${a.prefixLength}`).sort(), expected);
  const loopback = facts.links.find((l) => l.name === "lo");
  assert.equal(loopback?.kind, "loopback");
});

test("rtnetlinkSource over koffi: routeGet answers as `ip route get` does", {
  skip: !(onLinux && hasIp) && "needs Linux and ip",
}, async () => {
  const source = rtnetlinkSource();
  try {
    const local = await source.routeGet("127.0.0.1", "127.0.0.1");
    assert.equal(local.type, "local");
    assert.equal(local.ifindex, 1);
    const { stdout } = await run("ip", ["-j", "addr", "show"]);
    const links = JSON.parse(stdout);
    for (const link of links) {
      for (const a of link.addr_info.filter((a) => a.scope === "global")) {
        const destination = a.family === "inet6" ? "2001:db8:ffff::1" : "203.0.113.254";
        const route = await source.routeGet(destination, a.local);
        const ip = await run("ip", ["-j", "route", "get", destination, "from", a.local]).catch(() => undefined);
        if (ip === undefined) {
          assert.equal(route.type, "reject", `${destination} from ${a.local}`);
          continue;
        }
        const [expected] = JSON.parse(ip.stdout);
        assert.equal(route.ifindex, links.find((l) => l.ifname === expected.dev)?.ifindex, `${destination} from ${a.local}`);
        assert.equal(route.gateway, expected.gateway);
      }
    }
  } finally {
    source.close();
  }
});

test("openKoffiNetlink: an empty socket reads as empty (EAGAIN), a closed one fails with EBADF read on this thread", {
  skip: !onLinux && "not Linux",
}, () => {
  const calls = openKoffiNetlink();
  try {
    const fd = calls.open(0, []);
    // Nothing was asked: recv(MSG_DONTWAIT) fails with EAGAIN, which must be read as "empty".
    assert.equal(calls.receive(fd, new Uint8Array(4096)), "empty");
    calls.close(fd);
    assert.throws(() => calls.receive(fd, new Uint8Array(16)), (error) => {
      assert.ok(error instanceof NetlinkSystemError);
      assert.equal(error.errno, 9); // EBADF
      return true;
    });
  } finally {
    calls.dispose();
  }
});

test("rtnetlinkSource over koffi: watching leaves the event loop free and stops at once", {
  skip: !onLinux && "not Linux",
}, async () => {
  const errors = [];
  const stop = rtnetlinkSource({ onError: (error) => errors.push(error) }).watch(() => {});
  // poll() waits on a thread of libuv's pool: timers keep firing meanwhile.
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  await new Promise((resolve) => setTimeout(resolve, 300));
  clearInterval(timer);
  assert.ok(ticks >= 20, `only ${ticks} ticks of 10 ms in 300 ms`);
  const t0 = Date.now();
  await stop();
  assert.ok(Date.now() - t0 < 200, `stopping took ${Date.now() - t0} ms`);
  assert.deepEqual(errors, []);
});

test("nodeHostNetwork: rtnetlink first, and what it cannot see", { skip: !onLinux && "not Linux" }, async () => {
  const unavailable = [];
  const network = nodeHostNetwork({ onUnavailable: (what, error) => unavailable.push(`${what}: ${error.message}`) });
  try {
    const state = await network.refresh();
    assert.equal(network.source, "rtnetlink");
    assert.ok(network.limitations[0].includes("koffi"), network.limitations[0]);
    assert.ok(state.interfaces.length > 0 || state.pvds.length === 0);
    if (isRoot) {
      // Root may open the raw socket: the RA listener runs.
      assert.deepEqual(unavailable, []);
      assert.ok(!network.limitations.some((l) => l.includes("no Router Advertisement listener")));
    } else {
      assert.equal(unavailable.length, 1);
      assert.match(unavailable[0], /^router advertisements: Cannot open a raw ICMPv6 socket: not permitted/);
      assert.ok(network.limitations.some((l) => l.includes("no Router Advertisement listener")));
    }
  } finally {
    network.stop();
  }
});

test("openIcmpv6Socket over koffi: close wakes a pending receive", {
  skip: (!onLinux && "not Linux") || (!isRoot && "needs root or CAP_NET_RAW"),
}, async () => {
  const socket = openIcmpv6Socket();
  const pending = socket.receive();
  setTimeout(() => socket.close(), 50);
  const t0 = Date.now();
  assert.equal(await pending, undefined);
  assert.ok(Date.now() - t0 < 500, `receive ended after ${Date.now() - t0} ms`);
});
