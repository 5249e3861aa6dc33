// @ts-check
// Connections through the real host on the two-provider lab with its
// server side (tests/lab/two_provider_host.sh up NAME --server), written
// once for every runtime: Deno's test (tests/lab_connect_test.ts, a Deno
// probe) and Node's (node/test/lab-connect-test.mjs, a Node probe over the
// built package) run the same steps. The probe (tests/lab/serve_connects.mjs)
// runs inside the host namespace and connects on request; echo servers
// (tests/lab/echo_server.py) run on the server side (2001:db8:c::80 and
// 203.0.113.80, reachable through both providers) and on provider B's side
// (2001:db8:b:80::80 and ::81, which only B reaches). Checked, in order:
//
// (c) without source-specific routes, a connection bound to one of
//     provider B's addresses would leave through eth0 (provider A's router
//     is preferred): it is refused, saying so and pointing at `mif routes`;
//     under egress "warn" it goes ahead, is reported, and dies at provider
//     A's ingress filter. After running the commands `mif routes` prints,
//     the same connections succeed, and the server sees B's addresses.
// (a) the server only B reaches: Connect to PvD B reaches it, Connect to
//     PvD A fails saying why (A's DNS refuses the name; to the address, A
//     has no route), and api.connect() finds it whichever PvD is preferred.
// (b) the server both reach, with provider A's path black-holed beyond its
//     link: api.connect() succeeds through B within the attempt delay plus
//     the round trip when every PvD races (RFC 8305's defaults), and when A
//     is preferred (B then starts one attempt delay after A).
//
// Every connection carries bytes through the echo server and back.
// Plain JavaScript over node: modules, so that Deno and Node both import it.

import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const ECHO = fileURLToPath(new URL("./lab/echo_server.py", import.meta.url));

/** The server side's echo server: through both providers. */
export const SERVER = { port: 8080, v6: "2001:db8:c::80", v4: "203.0.113.80", name: "srv.example" };
/** The echo server on provider B's side: only B reaches it. */
export const ONLY_B = { port: 8081, addresses: ["2001:db8:b:80::80", "2001:db8:b:80::81"], name: "only-b.example" };

const A6 = "implicit:eth0:ipv6";
const A4 = "implicit:eth0:ipv4";
const B6 = "implicit:wlan0:ipv6";
const B4 = "implicit:wlan0:ipv4";
const BX = "pvd.provider-b.example";
const B_PVDS = [B6, B4, BX];

/** RFC 8305's connection attempt delay, and the stagger of preferPvd(). */
const ATTEMPT_DELAY = 250;
/** What the event loops, the probe and the scheduler's timers may add, in ms. */
const SLACK = 60;

/**
 * Runs a command; its stdout, or an error with its stderr.
 *
 * @param {string[]} command
 * @returns {Promise<string>}
 */
function output(...command) {
  const [file, ...args] = command;
  return new Promise((resolve, reject) => {
    execFile(/** @type {string} */ (file), args, { maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command.join(" ")} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

/** A process whose stdout is read as lines, JSON ones parsed. */
class Lines {
  /**
   * @param {string} namespace
   * @param {string[]} command
   */
  constructor(namespace, command) {
    /** @type {any[]} */
    this.lines = [];
    /** @type {(() => void) | undefined} */
    this.wake = undefined;
    this.stderr = "";
    this.child = spawn("ip", ["netns", "exec", namespace, ...command], { stdio: ["pipe", "pipe", "pipe"] });
    /** @type {Promise<number | null>} */
    this.exited = new Promise((resolve) => this.child.on("close", (code) => resolve(code)));
    let buffered = "";
    const stdout = /** @type {import("node:stream").Readable} */ (this.child.stdout);
    stdout.setEncoding("utf8");
    stdout.on("data", (/** @type {string} */ chunk) => {
      buffered += chunk;
      for (let nl = buffered.indexOf("\n"); nl !== -1; nl = buffered.indexOf("\n")) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        this.lines.push(line.startsWith("{") ? JSON.parse(line) : line);
      }
      this.wake?.();
    });
    const stderr = /** @type {import("node:stream").Readable} */ (this.child.stderr);
    stderr.setEncoding("utf8");
    stderr.on("data", (/** @type {string} */ chunk) => (this.stderr += chunk));
  }

  /**
   * The first line from `from` on that matches, within `timeout` ms.
   *
   * @param {(line: any) => boolean} match
   * @param {number} timeout
   * @param {number} [from]
   * @returns {Promise<any>}
   */
  async next(match, timeout, from = 0) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const found = this.lines.slice(from).find(match);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `nothing matched within ${timeout} ms; read:\n${
            this.lines.slice(from).map((l) => JSON.stringify(l).slice(0, 300)).join("\n")
          }\nstderr: ${this.stderr.slice(-2000)}`,
        );
      }
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve(undefined);
        };
      });
    }
  }

  /**
   * @param {string} line
   * @returns {Promise<void>}
   */
  send(line) {
    const stdin = /** @type {import("node:stream").Writable} */ (this.child.stdin);
    return new Promise((resolve, reject) => stdin.write(line + "\n", (error) => (error ? reject(error) : resolve())));
  }

  /** Closes stdin and waits for the end (killed after 5 s). */
  async close() {
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill(), 5_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** An echo server in a namespace, with the peer of each connection it took. */
export class EchoServer extends Lines {
  /**
   * @param {string} namespace
   * @param {number} port
   * @param {string[]} addresses
   */
  constructor(namespace, port, addresses) {
    super(namespace, ["python3", ECHO, String(port), ...addresses]);
  }

  /** @returns {Promise<void>} */
  async ready() {
    await this.next((line) => line === "ready", 5_000);
  }

  /** @returns {string[]} The peer address of each connection so far. */
  get peers() {
    return this.lines.filter((l) => typeof l === "object").map((l) => l.peer);
  }

  /**
   * Waits until the server has logged a connection from `peer`: its log line
   * may come a moment after the client saw the echo.
   *
   * @param {string} peer
   * @returns {Promise<boolean>}
   */
  async sawPeer(peer) {
    for (let waited = 0; waited < 2_000; waited += 20) {
      if (this.peers.includes(peer)) return true;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.peers.includes(peer);
  }
}

/** The connection probe: one request, one answer with the same id. */
export class ConnectProbe extends Lines {
  /**
   * @param {string} namespace
   * @param {string[]} command
   */
  constructor(namespace, command) {
    super(namespace, command);
    this.nextId = 1;
  }

  /** @returns {Promise<any>} The probe's first line, once it has read the host. */
  ready() {
    return this.next((line) => line?.type === "ready", 20_000);
  }

  /**
   * @param {object} request
   * @param {number} [timeout]
   * @returns {Promise<any>}
   */
  async ask(request, timeout = 20_000) {
    const id = this.nextId++;
    await this.send(JSON.stringify({ id, ...request }));
    return await this.next((line) => line?.id === id, timeout);
  }

  /** @returns {string[]} What the adapter reported through onError. */
  get adapterErrors() {
    return this.lines.filter((l) => l?.type === "adapter-error").map((l) => l.message);
  }
}

/**
 * Times of a connection from a report: when it was asked (`startedAt`),
 * the first attempt's start, the winner's start and end.
 *
 * @param {any} answer
 */
function timing(answer) {
  const attempts = /** @type {any[]} */ (answer.report.attempts);
  const winner = attempts.find((a) => a.attempt === answer.report.winner);
  assert.ok(winner, JSON.stringify(answer.report));
  const first = Math.min(...attempts.map((a) => a.start));
  return {
    /** From the request to the winner's connection, ms. */
    total: winner.end - answer.startedAt,
    /** From the first attempt's start to the winner's start. */
    winnerStart: winner.start - first,
    /** The winner's own connection time: the round trip of its SYN. */
    rtt: winner.end - winner.start,
    winner,
  };
}

/**
 * What the test measured, ms: each case's time to connect (or to fail).
 *
 * @typedef {Record<string, number>} Timings
 */

/**
 * Runs cases (c), (a) and (b) (see the top of this file) on a lab that is
 * up with its server side.
 *
 * @param {{ namespace: string, name: string, path(action: "blackhole" | "unblackhole", letter: "a" | "b", family?: 4 | 6): Promise<void> }} lab
 * @param {ConnectProbe} probe Started in the lab's host namespace.
 * @param {{ routeCommands(): Promise<string> }} options How to get `mif routes`'s commands.
 * @returns {Promise<Timings>}
 */
export async function runConnectScenario(lab, probe, options) {
  /** @type {Timings} */
  const timings = {};
  const server = new EchoServer(`${lab.name}-srv`, SERVER.port, [SERVER.v6, SERVER.v4]);
  const onlyB = new EchoServer(`${lab.name}-b`, ONLY_B.port, ONLY_B.addresses);
  try {
    await Promise.all([server.ready(), onlyB.ready(), probe.ready()]);
    const waited = await probe.ask({
      op: "wait",
      pvds: [A6, A4, ...B_PVDS],
      dns: [A6, B6, BX],
      timeout: 15_000,
    });
    assert.equal(waited.ok, true, JSON.stringify(waited).slice(0, 3000));

    // (c) No source-specific routes yet: B's addresses would leave through eth0.
    const targets = { [B6]: SERVER.v6, [B4]: SERVER.v4, [BX]: SERVER.v6 };
    for (const [pvdId, address] of Object.entries(targets)) {
      const refused = await probe.ask({
        op: "message",
        request: { type: "connect-to-address", pvdId, address, port: SERVER.port },
      });
      assert.equal(refused.type, "not-connected", JSON.stringify(refused).slice(0, 2000));
      assert.equal(refused.error.code, "connection-failed");
      const global = refused.attempts.filter((/** @type {any} */ a) => !a.sourceAddress.startsWith("fe80:"));
      assert.ok(global.length > 0, JSON.stringify(refused.attempts));
      for (const attempt of global) {
        assert.match(
          attempt.reason,
          /: would leave through eth0, not wlan0: this host has no source-specific route for (2001:db8:b::\/64|2001:db8:bb::\/64|198\.51\.100\.64\/26); see `mif routes`$/,
        );
      }
      timings[`(c) refused in ${pvdId}`] = refused.ms;
    }
    assert.deepEqual(server.peers, [], "nothing reached the server");

    // Under egress "warn" it goes ahead, is reported, and provider A drops it (BCP 38).
    const warned = await probe.ask({
      op: "message",
      egress: "warn",
      timeout: 1_500,
      request: { type: "connect-to-address", pvdId: B6, address: SERVER.v6, port: SERVER.port },
    });
    assert.equal(warned.type, "timeout", JSON.stringify(warned).slice(0, 2000));
    assert.ok(warned.mismatches.length > 0 && warned.mismatches.every((/** @type {any} */ m) => m.action === "warned"));
    assert.ok(
      probe.adapterErrors.some((m) => m.includes("all the same: would leave through eth0, not wlan0")),
      probe.adapterErrors.join("\n"),
    );
    assert.deepEqual(server.peers, [], "provider A let a packet from B's address through");

    // `mif routes`' commands, run as root in the host namespace.
    const commands = await options.routeCommands();
    assert.match(commands, /ip -6 rule add from 2001:db8:b::\/64 table 103 priority 1000/);
    await output("ip", "netns", "exec", lab.namespace, "sh", "-e", "-c", commands);
    for (const [pvdId, address] of Object.entries(targets)) {
      const connected = await probe.ask({
        op: "message",
        request: { type: "connect-to-address", pvdId, address, port: SERVER.port },
        echo: `through ${pvdId}\n`,
      });
      assert.equal(connected.type, "connected", JSON.stringify(connected).slice(0, 2000));
      assert.equal(connected.echoed, `through ${pvdId}\n`);
      assert.equal(connected.remote, address);
      assert.ok(await server.sawPeer(connected.local), `the server saw no connection from ${connected.local}`);
      timings[`(c) connected in ${pvdId} after mif routes`] = connected.ms;
    }

    // (a) The server only B reaches: Connect to PvD B reaches it.
    for (const pvdId of [B6, BX]) {
      const connected = await probe.ask({
        op: "message",
        request: { type: "connect-to-pvd", pvdId, name: ONLY_B.name, port: ONLY_B.port },
        echo: "only b\n",
      });
      assert.equal(connected.type, "connected", JSON.stringify(connected).slice(0, 2000));
      assert.equal(connected.echoed, "only b\n");
      assert.equal(connected.remote, "2001:db8:b:80::81");
      assert.ok(await onlyB.sawPeer(connected.local), `the server saw no connection from ${connected.local}`);
      timings[`(a) Connect to PvD ${pvdId}`] = connected.ms;
    }
    // Connect to PvD A fails: A's DNS does not know the name.
    const unknown = await probe.ask({
      op: "message",
      request: { type: "connect-to-pvd", pvdId: A6, name: ONLY_B.name, port: ONLY_B.port },
    });
    assert.equal(unknown.type, "not-connected", JSON.stringify(unknown).slice(0, 2000));
    assert.equal(unknown.error.code, "resolution-failed");
    assert.match(unknown.error.message, /2001:db8:a::53 \(REFUSED\)/);
    timings[`(a) Connect to PvD ${A6} failed`] = unknown.ms;
    // Connect to Address in PvD A fails: A has no route to B's side.
    const unreachable = await probe.ask({
      op: "message",
      request: { type: "connect-to-address", pvdId: A6, address: ONLY_B.addresses[0], port: ONLY_B.port },
    });
    assert.equal(unreachable.type, "not-connected", JSON.stringify(unreachable).slice(0, 2000));
    for (const attempt of unreachable.attempts) {
      if (attempt.sourceAddress.startsWith("fe80:")) {
        assert.match(attempt.reason, /: a link-local source reaches its own link only, and .* is beyond router fe80:/);
      } else {
        assert.match(attempt.reason, /: unreachable$/);
      }
    }
    timings[`(a) Connect to Address in ${A6} failed`] = unreachable.ms;
    // api.connect() finds it whichever PvD is preferred.
    for (const [prefer, host] of [[A6, ONLY_B.name], [B6, ONLY_B.name], [A6, ONLY_B.addresses[0]]]) {
      const connected = await probe.ask({ op: "connect", host, port: ONLY_B.port, prefer, echo: "found\n" });
      assert.equal(connected.ok, true, JSON.stringify(connected).slice(0, 3000));
      assert.ok(B_PVDS.includes(connected.pvdId), connected.pvdId);
      assert.equal(connected.echoed, "found\n");
      timings[`(a) api.connect(${host}) preferring ${prefer}`] = timing(connected).total;
    }

    // (b) Both reach the server; provider A's path is black-holed beyond its link.
    await lab.path("blackhole", "a");
    const raced = await probe.ask({ op: "connect", host: SERVER.name, port: SERVER.port, echo: "b\n" });
    assert.equal(raced.ok, true, JSON.stringify(raced).slice(0, 3000));
    assert.ok(B_PVDS.includes(raced.pvdId), raced.pvdId);
    assert.equal(raced.echoed, "b\n");
    const every = timing(raced);
    assert.ok(
      every.winnerStart + every.rtt <= ATTEMPT_DELAY + every.rtt + SLACK,
      `every PvD racing: connected ${every.winnerStart + every.rtt} ms after the first attempt`,
    );
    timings["(b) api.connect, every PvD racing, A black-holed"] = every.total;
    const preferred = await probe.ask({ op: "connect", host: SERVER.name, port: SERVER.port, prefer: A6, echo: "b\n" });
    assert.equal(preferred.ok, true, JSON.stringify(preferred).slice(0, 3000));
    assert.ok(B_PVDS.includes(preferred.pvdId), preferred.pvdId);
    const viaA = preferred.report.attempts.filter((/** @type {any} */ a) => a.pvd === A6);
    assert.ok(viaA.length > 0 && viaA.every((/** @type {any} */ a) => a.result === "cancelled"), "A's attempt hung");
    const fallback = timing(preferred);
    // The preferred provider dead: B starts one stagger (the attempt delay)
    // after A, since eth0's IPv4 PvD, which has nothing to try, holds no one
    // back; connected within the attempt delay plus the round trip.
    assert.ok(
      fallback.winnerStart <= ATTEMPT_DELAY + SLACK,
      `preferring A: B's winning attempt started ${fallback.winnerStart} ms after A's`,
    );
    timings["(b) api.connect preferring A, A black-holed"] = fallback.total;
    timings["(b) B's winner started after A's first attempt"] = fallback.winnerStart;
    await lab.path("unblackhole", "a");
    return timings;
  } finally {
    await Promise.all([server.close(), onlyB.close()]);
  }
}
