// Translate Name inside one PvD on a real two-provider host built in network
// namespaces (tests/lab/two_provider_host.sh: each provider's dnsmasq answers
// www.example with its own addresses). `mif resolve --json` runs inside the
// host namespace through the Deno adapter, as a user would, while tcpdump
// listens on both providers' links. Checked here: each PvD gets its own
// provider's answer, from its own source address, and the other provider's
// link sees no query; a name only the other provider knows fails with the
// reason; a PvD with no DNS server gets no-dns-servers; forged answers racing
// a slow server (tests/lab/spoof_dns.py: wrong identifier, question, source
// address, source port) are ignored and counted; an answer over 512 bytes is
// truncated over UDP and fetched again over TCP from the same address.
// Needs root, `ip netns`, radvd, dnsmasq, dhclient, python3 and tcpdump:
// skipped, saying so, where they are missing.

import { assert, assertEquals } from "./_assert.ts";

const here = new URL("./lab/", import.meta.url).pathname;
const lab = `${here}two_provider_host.sh`;
const cli = new URL("../cli/mif.ts", import.meta.url).pathname;

function missing(): string | undefined {
  if (Deno.build.os !== "linux") return "not Linux";
  if (Deno.permissions.querySync({ name: "run" }).state !== "granted") return "needs --allow-run";
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return "needs --allow-ffi";
  try {
    if (Deno.uid() !== 0) return "needs root for network namespaces";
  } catch {
    return "needs --allow-sys to check for root";
  }
  for (
    const tool of ["/usr/sbin/radvd", "/usr/sbin/dnsmasq", "/usr/sbin/dhclient", "/usr/bin/python3", "/usr/bin/tcpdump"]
  ) {
    try {
      Deno.statSync(tool);
    } catch {
      return `needs ${tool}`;
    }
  }
  return undefined;
}

const why = missing();
const decoder = new TextDecoder();

async function run(...args: string[]): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(args[0]!, {
    args: args.slice(1),
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(`${args.join(" ")} failed: ${decoder.decode(stderr)}`);
  return decoder.decode(stdout);
}

interface Resolution {
  readonly pvdId: string;
  readonly addresses: { address: string; ms: number }[];
  readonly completeMs: number;
  readonly error?: { code: string; message: string };
  readonly dns?: { udpQueries: number; tcpQueries: number; ignored: Record<string, number> };
  readonly ignored?: { server: string; kind: string; reason: string }[];
}

/** `mif resolve NAME --json` inside the host namespace (the Deno adapter, with RAs), one PvD or all. */
async function resolve(ns: string, name: string, pvdId?: string, wait = 10_000): Promise<Resolution[]> {
  const { stdout, stderr } = await new Deno.Command("ip", {
    args: [
      "netns",
      "exec",
      ns,
      Deno.execPath(),
      "run",
      "-A",
      cli,
      "resolve",
      name,
      ...(pvdId === undefined ? [] : ["--pvd", pvdId]),
      "--wait",
      String(wait),
      "--json",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = decoder.decode(stdout);
  try {
    return JSON.parse(text).pvds;
  } catch {
    throw new Error(`mif resolve printed no JSON: ${text}\n${decoder.decode(stderr)}`);
  }
}

/**
 * tcpdump on a provider's link (isp0), DNS over UDP and TCP only, one text
 * line per packet (`-n -l`; writing a file is not used, as a confined
 * tcpdump may be unable to write where the test can).
 */
class Capture {
  readonly #child: Deno.ChildProcess;
  readonly #stdout: Promise<string>;
  readonly #stderr: Promise<void>;
  #listening!: () => void;
  readonly listening: Promise<void>;

  constructor(ns: string) {
    this.listening = new Promise<void>((resolve) => (this.#listening = resolve));
    const child = new Deno.Command("ip", {
      args: ["netns", "exec", ns, "tcpdump", "-i", "isp0", "-n", "-l", "udp port 53 or tcp port 53"],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    this.#stdout = new Response(child.stdout).text();
    this.#stderr = (async () => {
      let said = "";
      for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
        said += chunk;
        if (said.includes("listening on")) this.#listening();
      }
    })();
  }

  /** Stops tcpdump and returns what it printed, one line per packet. */
  async stop(): Promise<string[]> {
    // Let the last packets of a finished exchange reach the capture.
    await new Promise((resolve) => setTimeout(resolve, 100));
    this.#child.kill("SIGTERM");
    const text = await this.#stdout;
    await this.#child.status;
    await this.#stderr;
    return text.split("\n").filter((line) => line.trim() !== "");
  }
}

/** Starts one capture per namespace and waits until each listens (at most 5 s). */
async function capture(namespaces: readonly string[]): Promise<Capture[]> {
  const captures = namespaces.map((ns) => new Capture(ns));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("tcpdump did not start listening within 5 s")), 5_000);
  });
  try {
    await Promise.race([Promise.all(captures.map((c) => c.listening)), timeout]);
  } finally {
    clearTimeout(timer);
  }
  return captures;
}

/** The source address of each DNS query for `name` in tcpdump's text (`SRC.PORT > DST.53: ID+ TYPE? NAME.`). */
function querySources(lines: readonly string[], name: string): string[] {
  return lines.flatMap((line) => {
    const match = line.match(/ IP6? (\S+)\.\d+ > \S+\.53: \d+\+? (?:\[[^\]]*\] )?A{1,4}\? (\S+)\. /);
    return match && match[2] === name ? [match[1]!] : [];
  });
}

Deno.test({
  name: `lab DNS: Translate Name per PvD, no leak, errors, forged answers, TCP fallback${
    why ? ` (skipped: ${why})` : ""
  }`,
  ignore: why !== undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const name = `mifd${Deno.pid % 10_000}`;
    const host = `${name}-host`;
    const isp = { a: `${name}-a`, b: `${name}-b` };
    await run("bash", lab, "up", name);
    let spoofer: Deno.ChildProcess | undefined;
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
        const [result] = await resolve(host, "www.example", c.pvdId);
        const ownLines = await own!.stop();
        const otherLines = await other!.stop();
        assert(result !== undefined && result.error === undefined, JSON.stringify(result));
        assertEquals(result.addresses.map((a) => a.address).sort(), [`2001:db8:${c.letter}:80::80`, c.v4].sort());
        const sources = querySources(ownLines, "www.example");
        assertEquals(sources.length, 2, `one A and one AAAA query on the own link:\n${ownLines.join("\n")}`);
        assert(sources.every((s) => s.startsWith(c.prefix)), `queries from ${sources.join()}, not ${c.prefix}*`);
        assertEquals(otherLines, [], `DNS on the other provider's link while resolving in ${c.pvdId}`);
        console.log(
          `  ${c.pvdId}: ${
            result.addresses.map((a) => `${a.address} at ${a.ms} ms`).join(", ")
          }, complete at ${result.completeMs} ms; queries from ${sources[0]}; nothing on the other link`,
        );
      }

      // Every PvD at once: the IPv4 PvDs have no DNS server (the lab gives
      // none to the host over DHCPv4) and say so, never the system's answer.
      const all = await resolve(host, "www.example", undefined, 3_000);
      for (const pvdId of ["implicit:eth0:ipv4", "implicit:wlan0:ipv4"]) {
        const result = all.find((r) => r.pvdId === pvdId);
        assertEquals(result?.error?.code, "no-dns-servers", JSON.stringify(result));
        assertEquals(result?.addresses, []);
        assert(result?.error?.message.includes("has no DNS server"), result?.error?.message);
      }
      assertEquals(
        all.filter((r) => r.addresses.length > 0).map((r) => r.pvdId).sort(),
        cases.map((c) => c.pvdId).sort(),
      );

      // A name only provider B knows: provider A's server refuses it, and
      // the error names the PvD, the server and what it said.
      const [onlyB] = await resolve(host, "only-b.example", "implicit:eth0:ipv6");
      assertEquals(onlyB?.error?.code, "resolution-failed", JSON.stringify(onlyB));
      assertEquals(onlyB?.addresses, []);
      assert(
        onlyB?.error?.message.includes('"implicit:eth0:ipv6"') &&
          onlyB.error.message.includes("2001:db8:a::53 (REFUSED)"),
        onlyB?.error?.message,
      );
      const [atB] = await resolve(host, "only-b.example", "implicit:wlan0:ipv6");
      assertEquals(atB?.addresses.map((a) => a.address), ["2001:db8:b:80::81"]);
      console.log(`  only-b.example in implicit:eth0:ipv6: ${onlyB?.error?.message}`);

      // Forged answers race a real one that comes 400 ms late: each fails
      // one check and is ignored and counted; the real answer is taken.
      spoofer = new Deno.Command("ip", {
        args: [
          "netns",
          "exec",
          isp.a,
          "python3",
          `${here}spoof_dns.py`,
          "isp0",
          "2001:db8:a::1",
          "2001:db8:a:5::5",
          "198.51.100.5",
          "400",
        ],
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      const spoofLines: string[] = [];
      const spoofRead = (async () => {
        let buffered = "";
        for await (const chunk of spoofer.stdout.pipeThrough(new TextDecoderStream())) {
          buffered += chunk;
          for (let nl = buffered.indexOf("\n"); nl !== -1; nl = buffered.indexOf("\n")) {
            spoofLines.push(buffered.slice(0, nl));
            buffered = buffered.slice(nl + 1);
          }
        }
      })();
      for (let i = 0; i < 50 && !spoofLines.includes("ready"); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert(spoofLines.includes("ready"), "spoof_dns.py did not start");
      const [spoofed] = await resolve(host, `r${Deno.pid}.slow.example`, "implicit:eth0:ipv6");
      assert(spoofed !== undefined && spoofed.error === undefined, JSON.stringify(spoofed));
      assertEquals(spoofed.addresses.map((a) => a.address).sort(), ["198.51.100.5", "2001:db8:a:5::5"]);
      assertEquals(spoofed.dns?.ignored, {
        source: 4, // another address, and the server's address from another port, for each of A and AAAA
        undecodable: 0,
        "not-response": 0,
        identifier: 2,
        opcode: 0,
        question: 2,
      });
      assertEquals(spoofLines.filter((l) => l.startsWith("forged ")).length, 8, spoofLines.join("\n"));
      assert(spoofed.addresses.every((a) => a.ms >= 380), JSON.stringify(spoofed.addresses));
      const reasons = (spoofed.ignored ?? []).map((m) => m.reason);
      assert(reasons.some((r) => r.includes("came from [2001:db8:a::1]:53")), reasons.join("\n"));
      assert(reasons.some((r) => r.includes("came from [2001:db8:a::53]:5353")), reasons.join("\n"));
      console.log(
        `  forged answers: ${spoofed.ignored?.length} ignored (${
          Object.entries(spoofed.dns?.ignored ?? {}).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(", ")
        }); the real answer taken at ${spoofed.completeMs} ms`,
      );
      spoofer.kill("SIGTERM");
      await spoofer.status;
      await spoofRead;
      spoofer = undefined;

      // 40 A and 40 AAAA records: truncated over UDP (no EDNS: 512 bytes),
      // then asked over TCP of the same server from the same address.
      const [own] = await capture([isp.a]);
      const [big] = await resolve(host, "big.example", "implicit:eth0:ipv6");
      const bigLines = await own!.stop();
      assert(big !== undefined && big.error === undefined, JSON.stringify(big));
      assertEquals(big.addresses.length, 80);
      assertEquals([big.dns?.udpQueries, big.dns?.tcpQueries], [2, 2]);
      const udpSources = querySources(bigLines, "big.example");
      // tcpdump marks TC with "|" after the identifier and AA's "*": "6738*| 17/0/0".
      const truncated = bigLines.filter((l) => /\.53 > \S+: \d+\*?-?\| /.test(l));
      const syns = bigLines.filter((l) => l.includes(".53: Flags [S]"));
      assertEquals(truncated.length, 2, `two truncated UDP answers:\n${bigLines.join("\n")}`);
      assertEquals(syns.length, 2, `two TCP connections to port 53:\n${bigLines.join("\n")}`);
      const synSources = syns.map((l) => l.match(/ IP6 (\S+)\.\d+ > /)?.[1]);
      assert(
        udpSources.length === 2 && [...udpSources, ...synSources].every((s) => s === udpSources[0]),
        `TCP from ${synSources.join()}, UDP from ${udpSources.join()}`,
      );
      console.log(`  big.example: 80 addresses at ${big.completeMs} ms, UDP truncated then TCP from ${udpSources[0]}`);
    } finally {
      if (spoofer !== undefined) {
        try {
          spoofer.kill("SIGTERM");
        } catch {
          // Already gone.
        }
        await spoofer.status;
      }
      await run("bash", lab, "down", name);
    }
  },
});
