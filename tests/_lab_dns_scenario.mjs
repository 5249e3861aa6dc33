// @ts-check
// Translate Name inside one PvD on the two-provider lab
// (tests/lab/two_provider_host.sh: each provider's dnsmasq answers
// www.example with its own addresses), written once for every runtime:
// Deno's test (tests/lab_dns_test.ts, `mif resolve --json` run as a user
// would) and Node's (node/test/lab-dns-test.mjs, a probe over the built
// package's nodeHostNetwork()) give a way to resolve a name in the host
// namespace and run the same checks, while tcpdump listens on both
// providers' links:
//
// - each PvD gets its own provider's answer, asked from its own source
//   address, and the other provider's link sees no query;
// - every PvD at once: the IPv4 PvDs have no DNS server and say so
//   (no-dns-servers), never the system resolver's answer;
// - a name only the other provider knows fails, naming the refusing server;
// - forged answers racing a slow server (tests/lab/spoof_dns.py: wrong
//   identifier, question, source address, source port) are ignored and
//   counted, and the real answer is taken;
// - an answer over 512 bytes is truncated over UDP and asked again over TCP
//   of the same server from the same address.
//
// Each resolution must be a fresh one (a new process, or a new MifApi): the
// checks count queries on the wire, so nothing may come from a cache.
// Plain JavaScript over node: modules, so that Deno and Node both import it.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { labUnavailable } from "./_lab_scenario.mjs";

const SPOOF = fileURLToPath(new URL("./lab/spoof_dns.py", import.meta.url));
const TCPDUMP = "/usr/bin/tcpdump";

/**
 * Why the DNS lab cannot run here, or undefined when it can: the lab's
 * needs (labUnavailable) plus tcpdump.
 *
 * @returns {string | undefined}
 */
export function dnsLabUnavailable() {
  return labUnavailable() ?? (existsSync(TCPDUMP) ? undefined : `needs ${TCPDUMP}`);
}

/**
 * What the adapter counted for a PvD (or every PvD) during one resolution:
 * queries sent over UDP and TCP, answers ignored by kind.
 *
 * @typedef {{ udpQueries: number, tcpQueries: number, ignored: Record<string, number> }} DnsCounts
 */

/**
 * The outcome of Translate Name in one PvD, the shape `mif resolve --json`
 * prints per PvD (cli/resolve.ts, PvdResolution): each address with the ms
 * it arrived after the request was posted, when Name Translation complete
 * came, the error, and what the adapter counted and ignored meanwhile.
 *
 * @typedef {{
 *   pvdId: string,
 *   interface?: string,
 *   addresses: { address: string, ms: number }[],
 *   completeMs: number,
 *   error?: { code: string, message: string },
 *   dns?: DnsCounts,
 *   ignored?: { server: string, kind: string, reason: string }[],
 * }} Resolution
 */

/**
 * Translates NAME in PVD (every PvD when absent) inside the lab's host
 * namespace, a fresh resolution each time, after waiting at most `wait` ms
 * for Router Advertisements (until PVD has a DNS server, when given): one
 * Resolution per PvD, as `mif resolve NAME [--pvd PVD] --wait WAIT --json`.
 *
 * @typedef {(name: string, pvdId: string | undefined, wait: number) => Promise<Resolution[]>} Resolve
 */

/**
 * @param {number} ms
 * @returns {Promise<void>}
 */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A child process in a namespace, its output kept; stopped by `kill`, and by the scenario's end whatever happens. */
class Child {
  /**
   * @param {string} namespace
   * @param {string[]} command
   */
  constructor(namespace, command) {
    this.stdout = "";
    this.stderr = "";
    /** @type {(() => void) | undefined} */
    this.wake = undefined;
    this.child = spawn("ip", ["netns", "exec", namespace, ...command], { stdio: ["ignore", "pipe", "pipe"] });
    /** @type {Promise<number | null>} */
    this.exited = new Promise((resolve) => {
      this.child.on("close", (code) => resolve(code));
      this.child.on("error", () => resolve(null));
    });
    const stdout = /** @type {import("node:stream").Readable} */ (this.child.stdout);
    const stderr = /** @type {import("node:stream").Readable} */ (this.child.stderr);
    stdout.setEncoding("utf8");
    stderr.setEncoding("utf8");
    stdout.on("data", (/** @type {string} */ chunk) => {
      this.stdout += chunk;
      this.wake?.();
    });
    stderr.on("data", (/** @type {string} */ chunk) => {
      this.stderr += chunk;
      this.wake?.();
    });
    this.exited.then(() => this.wake?.());
    this.done = false;
    this.exited.then(() => (this.done = true));
  }

  /**
   * Waits until `ready()` holds, at most `timeout` ms; false when it did not
   * or the process ended first.
   *
   * @param {() => boolean} ready
   * @param {number} timeout
   * @returns {Promise<boolean>}
   */
  async until(ready, timeout) {
    const deadline = Date.now() + timeout;
    while (!ready()) {
      const left = deadline - Date.now();
      if (left <= 0 || this.done) return ready();
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve(undefined);
        };
      });
    }
    return true;
  }

  /** Ends the process (SIGTERM) and waits for it. */
  async kill() {
    if (!this.done) {
      try {
        this.child.kill("SIGTERM");
      } catch {
        // Already gone.
      }
    }
    await this.exited;
  }

  /** @returns {string[]} stdout's non-empty lines. */
  get lines() {
    return this.stdout.split("\n").filter((line) => line.trim() !== "");
  }
}

/**
 * tcpdump on a provider's link (isp0), DNS over UDP and TCP only, one text
 * line per packet (`-n -l`; writing a file is not used, as a confined
 * tcpdump may be unable to write where the test can).
 */
class Capture extends Child {
  /** @param {string} namespace */
  constructor(namespace) {
    super(namespace, ["tcpdump", "-i", "isp0", "-n", "-l", "udp port 53 or tcp port 53"]);
  }

  /** @returns {Promise<string[]>} What tcpdump printed once stopped, one line per packet. */
  async stop() {
    // Let the last packets of a finished exchange reach the capture.
    await sleep(100);
    await this.kill();
    return this.lines;
  }
}

/**
 * Runs the checks listed at the top of this file on a lab that is up, each
 * resolution through `resolve`.
 *
 * @param {{ name: string }} lab The lab (its provider namespaces are NAME-a and NAME-b).
 * @param {Resolve} resolve
 * @returns {Promise<string[]>} What was measured, one line per check.
 */
export async function runDnsScenario(lab, resolve) {
  const isp = { a: `${lab.name}-a`, b: `${lab.name}-b` };
  /** @type {string[]} */
  const measured = [];
  /** Every capture and forger started, stopped at the end whatever happens. @type {Child[]} */
  const children = [];

  /**
   * Starts one capture per namespace and waits until each listens (at most 5 s).
   *
   * @param {string[]} namespaces
   * @returns {Promise<Capture[]>}
   */
  const capture = async (namespaces) => {
    const captures = namespaces.map((ns) => new Capture(ns));
    children.push(...captures);
    for (const c of captures) {
      const listening = await c.until(() => c.stderr.includes("listening on"), 5_000);
      assert.ok(listening, `tcpdump did not start listening within 5 s: ${c.stderr}`);
    }
    return captures;
  };

  try {
    // Each IPv6 PvD gets its provider's answer only, asked from its own
    // address; the other provider's link carries no DNS at all meanwhile.
    const cases = [
      {
        pvdId: "implicit:eth0:ipv6",
        own: isp.a,
        other: isp.b,
        prefix: "2001:db8:a:",
        letter: "a",
        v4: "198.51.100.60",
      },
      // Until provider B's PvD RA is heard (every 2 s), its 2001:db8:bb:: address is in the implicit PvD.
      {
        pvdId: "implicit:wlan0:ipv6",
        own: isp.b,
        other: isp.a,
        prefix: "2001:db8:b",
        letter: "b",
        v4: "198.51.100.124",
      },
      {
        pvdId: "pvd.provider-b.example",
        own: isp.b,
        other: isp.a,
        prefix: "2001:db8:bb:",
        letter: "b",
        v4: "198.51.100.124",
      },
    ];
    for (const c of cases) {
      const [own, other] = await capture([c.own, c.other]);
      const [result] = await resolve("www.example", c.pvdId, 10_000);
      const ownLines = await /** @type {Capture} */ (own).stop();
      const otherLines = await /** @type {Capture} */ (other).stop();
      assert.ok(result !== undefined && result.error === undefined, JSON.stringify(result));
      assert.deepEqual(result.addresses.map((a) => a.address).sort(), [`2001:db8:${c.letter}:80::80`, c.v4].sort());
      const sources = querySources(ownLines, "www.example");
      assert.equal(sources.length, 2, `one A and one AAAA query on the own link:\n${ownLines.join("\n")}`);
      assert.ok(sources.every((s) => s.startsWith(c.prefix)), `queries from ${sources.join()}, not ${c.prefix}*`);
      assert.deepEqual(otherLines, [], `DNS on the other provider's link while resolving in ${c.pvdId}`);
      assert.deepEqual([result.dns?.udpQueries, result.dns?.tcpQueries], [2, 0], JSON.stringify(result.dns));
      measured.push(
        `${c.pvdId}: ${
          result.addresses.map((a) => `${a.address} at ${a.ms} ms`).join(", ")
        }, complete at ${result.completeMs} ms; queries from ${sources[0]}; nothing on the other link`,
      );
    }

    // Every PvD at once: the IPv4 PvDs have no DNS server (the lab gives
    // none to the host over DHCPv4) and say so, never the system's answer.
    const all = await resolve("www.example", undefined, 3_000);
    for (const pvdId of ["implicit:eth0:ipv4", "implicit:wlan0:ipv4"]) {
      const result = all.find((r) => r.pvdId === pvdId);
      assert.equal(result?.error?.code, "no-dns-servers", JSON.stringify(result));
      assert.deepEqual(result?.addresses, []);
      assert.ok(result?.error?.message.includes("has no DNS server"), result?.error?.message);
      assert.equal(result.dns?.udpQueries ?? 0, 0, JSON.stringify(result.dns));
    }
    assert.deepEqual(
      all.filter((r) => r.addresses.length > 0).map((r) => r.pvdId).sort(),
      cases.map((c) => c.pvdId).sort(),
    );
    measured.push(
      `every PvD: ${
        all.map((r) => `${r.pvdId} ${r.error ? r.error.code : `${r.addresses.length} addresses`} at ${r.completeMs} ms`)
          .join(", ")
      }`,
    );

    // A name only provider B knows: provider A's server refuses it, and
    // the error names the PvD, the server and what it said.
    const [onlyB] = await resolve("only-b.example", "implicit:eth0:ipv6", 10_000);
    assert.equal(onlyB?.error?.code, "resolution-failed", JSON.stringify(onlyB));
    assert.deepEqual(onlyB?.addresses, []);
    assert.ok(
      onlyB?.error?.message.includes('"implicit:eth0:ipv6"') &&
        onlyB.error.message.includes("2001:db8:a::53 (REFUSED)"),
      onlyB?.error?.message,
    );
    const [atB] = await resolve("only-b.example", "implicit:wlan0:ipv6", 10_000);
    assert.deepEqual(atB?.addresses.map((a) => a.address), ["2001:db8:b:80::81"]);
    measured.push(`only-b.example in implicit:eth0:ipv6, failed at ${onlyB?.completeMs} ms: ${onlyB?.error?.message}`);

    // Forged answers race a real one that comes 400 ms late: each fails
    // one check and is ignored and counted; the real answer is taken.
    const spoofer = new Child(isp.a, [
      "python3",
      SPOOF,
      "isp0",
      "2001:db8:a::1",
      "2001:db8:a:5::5",
      "198.51.100.5",
      "400",
    ]);
    children.push(spoofer);
    const started = await spoofer.until(() => spoofer.lines.includes("ready"), 5_000);
    assert.ok(started, `spoof_dns.py did not start: ${spoofer.stderr}`);
    const [spoofed] = await resolve(`r${process.pid}.slow.example`, "implicit:eth0:ipv6", 10_000);
    assert.ok(spoofed !== undefined && spoofed.error === undefined, JSON.stringify(spoofed));
    assert.deepEqual(spoofed.addresses.map((a) => a.address).sort(), ["198.51.100.5", "2001:db8:a:5::5"]);
    assert.deepEqual(spoofed.dns?.ignored, {
      source: 4, // another address, and the server's address from another port, for each of A and AAAA
      undecodable: 0,
      "not-response": 0,
      identifier: 2,
      opcode: 0,
      question: 2,
    });
    // Every forgery was sent before the real answer came, so all are in.
    const forged = spoofer.lines.filter((l) => l.startsWith("forged "));
    assert.equal(forged.length, 8, spoofer.lines.join("\n"));
    assert.ok(spoofed.addresses.every((a) => a.ms >= 380), JSON.stringify(spoofed.addresses));
    const reasons = (spoofed.ignored ?? []).map((m) => m.reason);
    assert.ok(reasons.some((r) => r.includes("came from [2001:db8:a::1]:53")), reasons.join("\n"));
    assert.ok(reasons.some((r) => r.includes("came from [2001:db8:a::53]:5353")), reasons.join("\n"));
    measured.push(
      `forged answers: ${spoofed.ignored?.length} ignored (${
        Object.entries(spoofed.dns?.ignored ?? {}).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(", ")
      }); the real answer taken at ${spoofed.completeMs} ms`,
    );
    await spoofer.kill();

    // 40 A and 40 AAAA records: truncated over UDP (no EDNS: 512 bytes),
    // then asked over TCP of the same server from the same address.
    const [own] = await capture([isp.a]);
    const [big] = await resolve("big.example", "implicit:eth0:ipv6", 10_000);
    const bigLines = await /** @type {Capture} */ (own).stop();
    assert.ok(big !== undefined && big.error === undefined, JSON.stringify(big));
    assert.equal(big.addresses.length, 80);
    assert.deepEqual([big.dns?.udpQueries, big.dns?.tcpQueries], [2, 2]);
    const udpSources = querySources(bigLines, "big.example");
    // tcpdump marks TC with "|" after the identifier and AA's "*": "6738*| 17/0/0".
    const truncated = bigLines.filter((l) => /\.53 > \S+: \d+\*?-?\| /.test(l));
    const syns = bigLines.filter((l) => l.includes(".53: Flags [S]"));
    assert.equal(truncated.length, 2, `two truncated UDP answers:\n${bigLines.join("\n")}`);
    assert.equal(syns.length, 2, `two TCP connections to port 53:\n${bigLines.join("\n")}`);
    const synSources = syns.map((l) => l.match(/ IP6 (\S+)\.\d+ > /)?.[1]);
    assert.ok(
      udpSources.length === 2 && [...udpSources, ...synSources].every((s) => s === udpSources[0]),
      `TCP from ${synSources.join()}, UDP from ${udpSources.join()}`,
    );
    measured.push(`big.example: 80 addresses at ${big.completeMs} ms, UDP truncated then TCP from ${udpSources[0]}`);
    return measured;
  } finally {
    await Promise.all(children.map((c) => c.kill()));
  }
}

/**
 * The source address of each DNS query for `name` in tcpdump's text
 * (`SRC.PORT > DST.53: ID+ TYPE? NAME.`).
 *
 * @param {readonly string[]} lines
 * @param {string} name
 * @returns {string[]}
 */
function querySources(lines, name) {
  return lines.flatMap((line) => {
    const match = line.match(/ IP6? (\S+)\.\d+ > \S+\.53: \d+\+? (?:\[[^\]]*\] )?A{1,4}\? (\S+)\. /);
    return match && match[2] === name ? [/** @type {string} */ (match[1])] : [];
  });
}
