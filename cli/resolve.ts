/**
 * `mif resolve NAME`: Translate Name (section 3.2.7.18) in every PvD of the
 * real host, or in one, through the MIF API: each PvD's own DNS servers,
 * queried from its own addresses. Prints, per PvD, each address with the
 * time it arrived (ms since the translations were posted) and how the
 * translation ended, then what the adapter counted (queries over UDP and
 * TCP, answers ignored as forged or stray). `--json` prints the same as one
 * JSON document.
 *
 * The adapter is the Deno one (`denoHostNetwork`), as for `mif status`; run
 * with `deno run -A` so that rtnetlink and Router Advertisements bring each
 * PvD's DNS servers.
 *
 * @module
 */

import { MifApi } from "../api/mif_api.ts";
import type { PvdId } from "../api/messages.ts";
import { type PvdTranslation, translateInPvds } from "../api/translate_in_pvds.ts";
import type { NetworkLink } from "../api/network_link.ts";
import type { DnsCounters, DnsMismatch } from "../adapters/host/host_network.ts";

/**
 * An adapter `mif resolve` can run on: any {@linkcode NetworkLink}, read
 * first when it has `refresh`, its DNS counters and ignored answers printed
 * when it has `dnsCounters` and `dnsMismatches` (as `HostNetwork`).
 *
 * @example
 * ```ts
 * import type { ResolveNetwork } from "./resolve.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const network: ResolveNetwork = twoProviderHost().network;
 * if (network.dnsCounters !== undefined) throw new Error("the simulated network counts differently");
 * ```
 */
export type ResolveNetwork = NetworkLink & {
  refresh?: () => Promise<unknown>;
  dnsCounters?: (pvdId?: PvdId) => DnsCounters;
  readonly dnsMismatches?: readonly DnsMismatch[];
};

/**
 * What `mif resolve` runs on: the Deno host adapter, or one a test gives.
 *
 * @example Resolve on a simulated host, printing into an array
 * ```ts
 * import { runResolve, type ResolveCommandOptions } from "./resolve.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, clock } = twoProviderHost();
 * const lines: string[] = [];
 * const options: ResolveCommandOptions = { network, print: (line) => lines.push(line), now: () => clock.now() };
 * const code = await clock.drive(runResolve(["host.example.com", "--wait", "0"], options));
 * if (code !== 0 || !lines.some((line) => line.includes("2001:db8:b:80::80"))) throw new Error(lines.join("\n"));
 * ```
 */
export interface ResolveCommandOptions {
  /**
   * The adapter; `denoHostNetwork()` when absent. A `HostNetwork` (or any
   * adapter with `refresh` and `dnsCounters`) is read first and its
   * counters are printed.
   */
  readonly network?: ResolveNetwork;
  /** Where lines go; console.log when absent. */
  readonly print?: (line: string) => void;
  /** Where usage errors go; console.error when absent. */
  readonly printError?: (line: string) => void;
  /** Milliseconds for times, `performance.now()` when absent (a virtual clock in tests). */
  readonly now?: () => number;
}

/**
 * The outcome of Translate Name in one PvD, as `mif resolve --json` prints it.
 *
 * @example
 * ```ts
 * import type { PvdResolution } from "./resolve.ts";
 *
 * const result: PvdResolution = {
 *   pvdId: "implicit:eth0:ipv6",
 *   interface: "eth0",
 *   addresses: [{ address: "2001:db8:a:80::80", ms: 2.4 }],
 *   completeMs: 2.6,
 * };
 * if (result.addresses.length !== 1) throw new Error("unexpected");
 * ```
 */
export interface PvdResolution extends PvdTranslation {
  /** What the adapter counted for this PvD, when it counts. */
  readonly dns?: DnsCounters;
  /** Each answer the adapter ignored for this PvD (forged, stray): the server asked, which check failed, why. */
  readonly ignored?: readonly Pick<DnsMismatch, "server" | "kind" | "reason">[];
}

interface Parsed {
  readonly name: string;
  readonly pvdId: PvdId | undefined;
  readonly json: boolean;
  readonly wait: number | undefined;
}

function parse(args: readonly string[]): Parsed | string {
  let name: string | undefined;
  let pvdId: string | undefined;
  let json = false;
  let wait: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const option = args[i]!;
    if (option === "--json") json = true;
    else if (option === "--pvd") {
      pvdId = args[++i];
      if (pvdId === undefined || pvdId === "") return "--pvd takes a PvD identifier";
    } else if (option === "--wait") {
      const text = args[++i];
      const value = Number(text);
      if (text === undefined || text.trim() === "" || !Number.isFinite(value) || value < 0) {
        return `--wait takes a number of milliseconds, got ${text}`;
      }
      wait = value;
    } else if (option.startsWith("-")) return `unknown option "${option}"`;
    else if (name === undefined) name = option;
    else return `one name only, got "${name}" and "${option}"`;
  }
  if (name === undefined) return "which name? usage: mif resolve NAME [--pvd ID] [--wait MS] [--json]";
  return { name, pvdId, json, wait };
}

/**
 * `mif resolve NAME [--pvd ID] [--wait MS] [--json]`: posts Translate Name
 * for NAME in every PvD (or in PvD ID) at once and prints what comes back.
 * `--wait MS` (1500 when absent) is how long to listen first, for Router
 * Advertisements to bring PvDs and their DNS servers; with `--pvd` the wait
 * ends as soon as that PvD has a DNS server.
 *
 * The exit code is 0 when some PvD gave an address, 1 when none did (every
 * error is printed) and 2 for a usage error.
 *
 * @example A name that exists in one provider only
 * ```ts
 * import { runResolve } from "./resolve.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, clock } = twoProviderHost();
 * const lines: string[] = [];
 * const code = await clock.drive(
 *   runResolve(["host.example.com", "--json", "--wait", "0"], { network, print: (l) => lines.push(l) }),
 * );
 * const report = JSON.parse(lines.join("\n"));
 * if (code !== 0 || report.name !== "host.example.com" || report.pvds.length === 0) throw new Error("unexpected");
 * ```
 *
 * @param args The command's arguments (after `resolve`).
 * @param options The adapter, printers and clock, for tests.
 * @returns The exit code.
 */
export async function runResolve(args: readonly string[], options: ResolveCommandOptions = {}): Promise<number> {
  const parsed = parse(args);
  const print = options.print ?? ((line: string) => console.log(line));
  const printError = options.printError ?? ((line: string) => console.error(line));
  if (typeof parsed === "string") {
    printError(`mif resolve: ${parsed}`);
    return 2;
  }
  const network = options.network ?? await defaultNetwork();
  const now = options.now ?? (() => performance.now());
  const api = new MifApi(network);
  try {
    if (typeof network.refresh === "function") await network.refresh();
    await listen(api, network, parsed);
    const translations = await translateInPvds(api, parsed.name, {
      ...(parsed.pvdId === undefined ? {} : { pvdId: parsed.pvdId }),
      now,
    });
    const report = {
      name: parsed.name,
      pvds: translations.map((r): PvdResolution => ({
        ...r,
        ...(network.dnsCounters === undefined ? {} : { dns: network.dnsCounters(r.pvdId) }),
        ...(network.dnsMismatches === undefined ? {} : {
          ignored: network.dnsMismatches.filter((m) => m.pvdId === r.pvdId).map(({ server, kind, reason }) => ({
            server,
            kind,
            reason,
          })),
        }),
      })),
      ...(network.dnsCounters === undefined ? {} : { dns: network.dnsCounters() }),
    };
    if (parsed.json) print(JSON.stringify(report, null, 2));
    else printText(report, print);
    return report.pvds.some((p) => p.addresses.length > 0) ? 0 : 1;
  } finally {
    api.close();
  }
}

/** Waits for Router Advertisements: `wait` ms, or until the one PvD asked for has a DNS server. */
async function listen(api: MifApi, network: NetworkLink, parsed: Parsed): Promise<void> {
  const wait = parsed.wait ?? 1_500;
  const ready = () =>
    parsed.pvdId !== undefined &&
    (api.database.configurationData(parsed.pvdId, undefined, "dns-servers") ?? []).length > 0;
  const deadline = network.clock.now() + wait;
  while (!ready() && network.clock.now() < deadline) {
    await new Promise<void>((resolve) => network.clock.setTimer(Math.min(50, deadline - network.clock.now()), resolve));
  }
}

function printText(
  report: { readonly name: string; readonly pvds: readonly PvdResolution[]; readonly dns?: DnsCounters },
  print: (line: string) => void,
): void {
  if (report.pvds.length === 0) print(`${report.name}: no provisioning domain to translate it in`);
  for (const pvd of report.pvds) {
    print(`${report.name} in ${pvd.pvdId} (${pvd.interface})`);
    const width = Math.max(0, ...pvd.addresses.map((a) => a.address.length));
    for (const a of pvd.addresses) print(`  ${a.address.padEnd(width)}  ${a.ms.toFixed(1)} ms`);
    if (pvd.error) print(`  failed after ${pvd.completeMs.toFixed(1)} ms: ${pvd.error.message} (${pvd.error.code})`);
    else {
      const count = pvd.addresses.length;
      print(`  complete after ${pvd.completeMs.toFixed(1)} ms: ${count} address${count === 1 ? "" : "es"}`);
    }
    if (pvd.dns && (pvd.dns.udpQueries > 0 || pvd.dns.tcpQueries > 0)) print(`  dns ${describeCounters(pvd.dns)}`);
    for (const m of pvd.ignored ?? []) print(`  ignored an answer for ${m.server}: ${m.reason} (${m.kind})`);
  }
  if (report.dns) print(`dns, every PvD: ${describeCounters(report.dns)}`);
}

/** "4 queries over UDP, 0 over TCP, 0 answers ignored", with the reasons when some were. */
function describeCounters(counters: DnsCounters): string {
  const ignored = Object.entries(counters.ignored).filter(([, n]) => n > 0);
  const total = ignored.reduce((sum, [, n]) => sum + n, 0);
  const why = ignored.length === 0 ? "" : ` (${ignored.map(([kind, n]) => `${n} ${kind}`).join(", ")})`;
  return `${counters.udpQueries} queries over UDP, ${counters.tcpQueries} over TCP, ${total} answer${
    total === 1 ? "" : "s"
  } ignored${why}`;
}

async function defaultNetwork(): Promise<ResolveNetwork> {
  const { denoHostNetwork } = await import("../adapters/deno/mod.ts");
  return denoHostNetwork();
}
