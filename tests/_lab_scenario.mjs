// @ts-check
// The two-provider lab scenario, written once for every runtime: Deno's
// test (tests/lab_host_test.ts, a Deno probe) and Node's
// (node/test/lab-host-test.mjs, a Node probe over the built package) run the
// same steps against the same namespaces (tests/lab/two_provider_host.sh).
// A probe runs inside the host namespace and prints every MIF message as a
// JSON line (tests/lab/follow_host.mjs); the scenario changes the host and
// checks what the probe heard, and when.
//
// Plain JavaScript over node: modules, so that Deno and Node both import it.

import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** The lab script. */
export const LAB = fileURLToPath(new URL("./lab/two_provider_host.sh", import.meta.url));

/** The tools the lab needs beside root and `ip`. */
const TOOLS = ["/usr/sbin/radvd", "/usr/sbin/dnsmasq", "/usr/sbin/dhclient", "/usr/bin/python3"];

/**
 * Why the lab cannot run here, or undefined when it can: it needs Linux,
 * root (network namespaces) and Debian's radvd, dnsmasq, dhclient, python3.
 *
 * @returns {string | undefined}
 */
export function labUnavailable() {
  if (process.platform !== "linux") return "not Linux";
  let uid;
  try {
    uid = process.getuid?.();
  } catch {
    return "cannot tell whether this is root";
  }
  if (uid !== 0) return "needs root for network namespaces";
  for (const tool of TOOLS) if (!existsSync(tool)) return `needs ${tool} (.ci/run installs it)`;
  return undefined;
}

/**
 * Runs a command to its end; rejects with its stderr when it fails.
 *
 * @param {string[]} command
 * @returns {Promise<void>}
 */
export function run(...command) {
  const [file, ...args] = command;
  return new Promise((resolve, reject) => {
    execFile(/** @type {string} */ (file), args, (error, _stdout, stderr) => {
      if (error) reject(new Error(`${command.join(" ")} failed: ${stderr || error.message}`));
      else resolve();
    });
  });
}

/** Builds the lab (`NAME-host` is the host namespace); `down` removes it. */
export class Lab {
  /** @param {string} name */
  constructor(name) {
    /** The lab's name. */
    this.name = name;
    /** The host namespace. */
    this.namespace = `${name}-host`;
  }

  /**
   * @param {{ server?: boolean }} [options] `server`: the server side beyond both providers (`up NAME --server`).
   * @returns {Promise<void>}
   */
  up(options = {}) {
    return run("bash", LAB, "up", this.name, ...(options.server ? ["--server"] : []));
  }

  /** @returns {Promise<void>} */
  down() {
    return run("bash", LAB, "down", this.name);
  }

  /**
   * Black-holes provider `letter`'s path to the server side (`blackhole NAME LETTER [FAMILY]`), or
   * routes it again (`unblackhole`).
   *
   * @param {"blackhole" | "unblackhole"} action
   * @param {"a" | "b"} letter
   * @param {4 | 6} [family] Both when absent.
   * @returns {Promise<void>}
   */
  path(action, letter, family) {
    return run("bash", LAB, action, this.name, letter, ...(family === undefined ? [] : [String(family)]));
  }

  /**
   * Runs a command in the host namespace.
   *
   * @param {string[]} command
   * @returns {Promise<void>}
   */
  exec(...command) {
    return run("ip", "netns", "exec", this.namespace, ...command);
  }
}

/**
 * A message the probe printed: its type, the wall clock time it was read,
 * and the message's fields.
 *
 * @typedef {{ at: number, type: string, [key: string]: unknown }} Heard
 */

/** The probe's messages as they come, with a wait for the next one that matches. */
export class Probe {
  /**
   * Starts `command` in `namespace`.
   *
   * @param {string} namespace
   * @param {string[]} command
   */
  constructor(namespace, command) {
    /** @type {Heard[]} */
    this.heard = [];
    /** @type {(() => void) | undefined} */
    this.wake = undefined;
    this.child = spawn("ip", ["netns", "exec", namespace, ...command], { stdio: ["pipe", "pipe", "inherit"] });
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
        if (line.startsWith("{")) this.heard.push(JSON.parse(line));
      }
      this.wake?.();
    });
  }

  /**
   * Sends a line to the probe (`get PVD TYPE ID`, `source`).
   *
   * @param {string} line
   * @returns {Promise<void>}
   */
  send(line) {
    const stdin = /** @type {import("node:stream").Writable} */ (this.child.stdin);
    return new Promise((resolve, reject) => stdin.write(line + "\n", (error) => (error ? reject(error) : resolve())));
  }

  /**
   * The first message from index `from` on that matches, waiting at most
   * `timeout` ms.
   *
   * @param {(m: Heard) => boolean} match
   * @param {number} timeout
   * @param {number} [from]
   * @returns {Promise<Heard>}
   */
  async next(match, timeout, from = 0) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const found = this.heard.slice(from).find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.heard.slice(from).map((m) => JSON.stringify(m).slice(0, 200)).join("\n");
        throw new Error(`nothing matched within ${timeout} ms; heard:\n${seen}`);
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
   * Closes the probe's stdin (it closes its API and exits) and waits for it.
   *
   * @returns {Promise<void>}
   */
  async close() {
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill(), 5_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * @param {(m: Heard) => boolean} match
 * @returns {(m: Heard) => boolean}
 */
const is = (match) => match;

/**
 * What an application hears at first: both interfaces, every PvD (the
 * explicit one from provider B's RFC 8801 RA), SLAAC addresses with
 * radvd's lifetimes, the explicit PvD's address, IPv4 leases, RA elements
 * with each provider's RDNSS and DNSSL, and Get Configuration Data
 * answered per PvD.
 *
 * @param {Probe} probe
 * @returns {Promise<void>}
 */
export async function expectInitialState(probe) {
  /** @param {string} id */
  const pvd = (id) => is((m) => m.type === "provisioning-domain-announcement" && m.pvdId === id);
  for (const iface of ["eth0", "wlan0"]) {
    await probe.next((m) => m.type === "interface-announcement" && m.displayName === iface, 10_000);
  }
  for (const id of ["implicit:eth0:ipv6", "implicit:eth0:ipv4", "implicit:wlan0:ipv6", "implicit:wlan0:ipv4"]) {
    await probe.next(pvd(id), 10_000);
  }
  // Provider B sends its PvD RA every 2 s.
  await probe.next(pvd("pvd.provider-b.example"), 10_000);

  // SLAAC addresses with their lifetimes (radvd: valid 7200 s, preferred 3600 s).
  const slaac = await probe.next(
    (m) =>
      m.type === "address-announcement" && m.pvdId === "implicit:eth0:ipv6" &&
      String(m.address).startsWith("2001:db8:a:"),
    10_000,
  );
  assert.ok(Number(slaac.validLifetime) > 7000 && Number(slaac.validLifetime) <= 7200, JSON.stringify(slaac));
  assert.ok(Number(slaac.preferredLifetime) > 3400 && Number(slaac.preferredLifetime) <= 3600, JSON.stringify(slaac));
  await probe.next(
    (m) =>
      m.type === "address-announcement" && m.pvdId === "pvd.provider-b.example" &&
      String(m.address).startsWith("2001:db8:bb:"),
    10_000,
  );
  // IPv4 leases from dnsmasq.
  await probe.next(
    (m) =>
      m.type === "address-announcement" && m.pvdId === "implicit:eth0:ipv4" &&
      /^198\.51\.100\.([1-3]\d|40)$/.test(String(m.address)),
    10_000,
  );

  // RA configuration elements with each provider's RDNSS and DNSSL.
  for (
    const [id, server, domain] of [
      ["implicit:eth0:ipv6", "2001:db8:a::53", "a.example"],
      ["implicit:wlan0:ipv6", "2001:db8:b::53", "b.example"],
      ["pvd.provider-b.example", "2001:db8:b::53", "pvd.provider-b.example"],
    ]
  ) {
    await probe.next((m) => {
      if (m.type !== "configuration-element-announcement" || m.pvdId !== id) return false;
      const e = /** @type {{ elementType: string, data: Record<string, { address?: string, domain?: string }[]> }} */ (
        m.element
      );
      return e.elementType === "ra" && e.data["dns-servers"]?.some((d) => d.address === server) === true &&
        e.data["search-domains"]?.some((d) => d.domain === domain) === true;
    }, 10_000);
  }

  // Get Configuration Data returns each PvD's DNS servers.
  for (
    const [id, server] of [["implicit:eth0:ipv6", "2001:db8:a::53"], ["pvd.provider-b.example", "2001:db8:b::53"]]
  ) {
    const from = probe.heard.length;
    await probe.send(`get ${id} ra dns-servers`);
    const reply = await probe.next((m) => m.type === "configuration-data" && m.pvdId === id, 5_000, from);
    const servers = /** @type {{ address: string }[]} */ (reply.data).map((d) => d.address);
    assert.deepEqual(servers, [server], id);
  }
}

/**
 * How long after the `ip` command each change was heard, in ms.
 *
 * @typedef {{ address: number, link: number, withdrawn: number }} Latencies
 */

/**
 * Changes the host and checks what was heard, within a second each: an
 * added address; an added link with an address; `wlan0` down giving No
 * Address, No Provisioning Domain, then No Interface, in that order; and
 * that the probe's source is rtnetlink.
 *
 * @param {Probe} probe
 * @param {Lab} lab
 * @returns {Promise<Latencies>}
 */
export async function expectChanges(probe, lab) {
  let from = probe.heard.length;
  let t0 = Date.now();
  await lab.exec("ip", "addr", "add", "2001:db8:a::99/64", "dev", "eth0", "nodad");
  const added = await probe.next(
    (m) => m.type === "address-announcement" && m.address === "2001:db8:a::99",
    2_000,
    from,
  );
  const address = added.at - t0;
  assert.ok(address < 1_000, `address announced after ${address} ms`);

  // An added link (a veth pair, both ends up) with an address.
  from = probe.heard.length;
  t0 = Date.now();
  await lab.exec("ip", "link", "add", "lab9", "type", "veth", "peer", "name", "lab9p");
  await lab.exec("ip", "link", "set", "lab9p", "up");
  await lab.exec("ip", "link", "set", "lab9", "up");
  await lab.exec("ip", "addr", "add", "198.51.100.201/30", "dev", "lab9");
  const announced = await probe.next(
    (m) => m.type === "interface-announcement" && m.displayName === "lab9",
    2_000,
    from,
  );
  const link = announced.at - t0;
  assert.ok(link < 1_000, `link announced after ${link} ms`);

  // wlan0 (ifindex 3) down: No Address, No PvD, then No Interface, in that order, and Interface Going Away before it.
  from = probe.heard.length;
  t0 = Date.now();
  await lab.exec("ip", "link", "set", "wlan0", "down");
  const gone = await probe.next((m) => m.type === "no-interface-announcement" && m.interfaceId === 3, 2_000, from);
  const withdrawn = gone.at - t0;
  assert.ok(withdrawn < 1_000, `interface withdrawn after ${withdrawn} ms`);
  const sequence = probe.heard.slice(from, probe.heard.indexOf(gone) + 1).map((m) => m.type);
  const lastAddress = sequence.lastIndexOf("no-address-announcement");
  const firstNoPvd = sequence.indexOf("no-provisioning-domain-announcement");
  const lastNoPvd = sequence.lastIndexOf("no-provisioning-domain-announcement");
  assert.ok(lastAddress !== -1 && firstNoPvd !== -1, sequence.join());
  assert.ok(lastAddress < lastNoPvd && lastNoPvd < sequence.length - 1, `out of order: ${sequence.join()}`);
  // Interface Going Away comes before No Interface; the kernel removes the
  // IPv6 addresses before it reports the link down, so their withdrawal may
  // come first.
  assert.ok(
    sequence.includes("interface-going-away") &&
      sequence.indexOf("interface-going-away") < sequence.indexOf("no-interface-announcement"),
    `Interface Going Away before No Interface: ${sequence.join()}`,
  );
  const noPvds = probe.heard.slice(from).filter((m) => m.type === "no-provisioning-domain-announcement")
    .map((m) => String(m.pvdId)).sort();
  assert.deepEqual(noPvds, ["implicit:wlan0:ipv4", "implicit:wlan0:ipv6", "pvd.provider-b.example"]);

  // Which source, and what it cannot see.
  from = probe.heard.length;
  await probe.send("source");
  const source = await probe.next((m) => m.type === "source", 2_000, from);
  assert.equal(source.source, "rtnetlink", JSON.stringify(source));
  return { address, link, withdrawn };
}
