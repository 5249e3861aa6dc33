/**
 * `mif connect HOST PORT`: the draft's section 3.3 on the real host through
 * `api.connect()`: HOST is translated in every eligible PvD (each through
 * its own DNS servers) or taken as an address literal, attempts are raced
 * across the PvDs by the WebAssembly scheduler, each socket bound to its
 * PvD's source address after the egress check. Prints the establishment
 * report (every attempt's PvD, source, destination, start, end and result,
 * with the reason of each failed one; the winner and why), then closes the
 * connection. `--json` prints the same as one JSON document.
 *
 * The adapter is the Deno one (`denoHostNetwork`), as for `mif status`; run
 * with `deno run -A` so that rtnetlink answers the route lookups and Router
 * Advertisements bring each PvD's DNS servers.
 *
 * @module
 */

import { MifApi } from "../api/mif_api.ts";
import { ConnectError, MifError } from "../api/errors.ts";
import type { ConnectionAttemptFailure, PvdId } from "../api/messages.ts";
import type { NetworkLink } from "../api/network_link.ts";
import { RACE_POLICIES, type RacePolicy } from "../api/race_policy.ts";
import type { EstablishmentReport } from "../core-as/racing.ts";
import { parseIpAddress } from "../core-as/ip_address.ts";
import type { EgressMismatch, EgressMode } from "../adapters/host/egress.ts";

/**
 * An adapter `mif connect` can run on: any {@linkcode NetworkLink}, read
 * first when it has `refresh`; its egress mismatches are printed when it
 * keeps them (as `HostNetwork`).
 *
 * @example
 * ```ts
 * import type { ConnectNetwork } from "./connect.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const network: ConnectNetwork = twoProviderHost().network;
 * if (network.egressMismatches !== undefined) throw new Error("the simulated network has no egress to check");
 * ```
 */
export type ConnectNetwork = NetworkLink & {
  refresh?: () => Promise<unknown>;
  readonly egressMismatches?: readonly EgressMismatch[];
};

/**
 * What `mif connect` runs on: the Deno host adapter, or one a test gives.
 *
 * @example Connect on a simulated host, printing into an array
 * ```ts
 * import { runConnect, type ConnectCommandOptions } from "./connect.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, clock, host } = twoProviderHost();
 * const lines: string[] = [];
 * const options: ConnectCommandOptions = { network, print: (line) => lines.push(line) };
 * const code = await clock.drive(runConnect([host.name, String(host.port), "--wait", "0"], options));
 * if (code !== 0 || !lines[0]?.includes("connected through")) throw new Error(lines.join("\n"));
 * ```
 */
export interface ConnectCommandOptions {
  /**
   * The adapter; `denoHostNetwork({ egress })` when absent. It is read first
   * when it has `refresh`; `--egress` applies only to the default one.
   */
  readonly network?: ConnectNetwork;
  /** Where lines go; console.log when absent. */
  readonly print?: (line: string) => void;
  /** Where usage errors go; console.error when absent. */
  readonly printError?: (line: string) => void;
}

/**
 * One attempt of the race, as `mif connect --json` prints it: times in ms
 * since `connect()` was called, and the reason of a failed attempt.
 *
 * @example
 * ```ts
 * import type { ConnectAttemptLine } from "./connect.ts";
 *
 * const line: ConnectAttemptLine = {
 *   attempt: 0,
 *   pvdId: "implicit:eth0:ipv6",
 *   family: 6,
 *   source: "2001:db8:a::100",
 *   destination: "2001:db8:c::80",
 *   startMs: 3,
 *   endMs: 4,
 *   result: "failed",
 *   reason: "refused",
 * };
 * if (line.result !== "failed") throw new Error("unexpected");
 * ```
 */
export interface ConnectAttemptLine {
  /** The attempt's number in the race. */
  readonly attempt: number;
  /** Its PvD. */
  readonly pvdId: PvdId;
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** The source address its socket was bound to. */
  readonly source: string;
  /** The destination address. */
  readonly destination: string;
  /** When it started. */
  readonly startMs: number;
  /** When it ended. */
  readonly endMs: number;
  /** How it ended. */
  readonly result: "succeeded" | "failed" | "cancelled";
  /** Why it failed, for a failed attempt: the end of the adapter's message. */
  readonly reason?: string;
}

/**
 * What `mif connect --json` prints.
 *
 * @example
 * ```ts
 * import type { ConnectReport } from "./connect.ts";
 *
 * const report: ConnectReport = {
 *   host: "www.example",
 *   port: 80,
 *   policy: "rfc8305",
 *   connected: false,
 *   ms: 12,
 *   reason: "no-eligible-pvd",
 *   why: "no usable provisioning domain",
 *   attempts: [],
 *   error: { code: "connection-failed", message: "Cannot connect to www.example port 80: no usable provisioning domain" },
 * };
 * if (report.connected) throw new Error("unexpected");
 * ```
 */
export interface ConnectReport {
  /** The host asked for. */
  readonly host: string;
  /** The port. */
  readonly port: number;
  /** The racing policy's name. */
  readonly policy: string;
  /** Whether a connection was made. */
  readonly connected: boolean;
  /** From `connect()` to its outcome, ms. */
  readonly ms: number;
  /** The winner's PvD. */
  readonly pvdId?: PvdId;
  /** The connection's local end. */
  readonly local?: { readonly address: string; readonly port: number };
  /** Its remote end. */
  readonly remote?: { readonly address: string; readonly port: number };
  /** The winning attempt's number. */
  readonly winner?: number;
  /** Why the race ended so: `first`, `fallback`, `faster`, or why it failed. */
  readonly reason: EstablishmentReport["reason"];
  /** The same as a sentence. */
  readonly why: string;
  /** Every attempt started, in start order. */
  readonly attempts: readonly ConnectAttemptLine[];
  /** The error, when not connected. */
  readonly error?: { readonly code: string; readonly message: string };
  /** PvDs that gave no answer, and why. */
  readonly unanswered?: readonly { readonly pvdId: PvdId; readonly reason: string }[];
  /** PvDs the policy left out, and why. */
  readonly excluded?: readonly { readonly pvdId: PvdId; readonly why: string }[];
  /** Attempts whose route left through another link than their PvD's (refused, or warned about). */
  readonly egress?: readonly EgressMismatch[];
}

interface Parsed {
  readonly host: string;
  readonly port: number;
  readonly pvdId: PvdId | undefined;
  readonly policy: RacePolicy;
  readonly timeout: number;
  readonly wait: number | undefined;
  readonly egress: EgressMode | undefined;
  readonly json: boolean;
}

const USAGE = "usage: mif connect HOST PORT [--pvd ID] [--policy NAME] [--timeout MS] [--wait MS] " +
  "[--egress refuse|warn|off] [--json]";

/** The policies `--policy` names, `prefer:ID` aside. */
const POLICIES: Readonly<Record<string, RacePolicy>> = {
  adaptive: RACE_POLICIES.adaptive,
  rfc8305: RACE_POLICIES.rfc8305,
  "ipv4-first": RACE_POLICIES.ipv4First,
  "rtt-history": RACE_POLICIES.rttHistory,
  "node-like": RACE_POLICIES.nodeLike,
  "deno-like": RACE_POLICIES.denoLike,
};

function milliseconds(option: string, text: string | undefined): number | string {
  const value = Number(text);
  if (text === undefined || text.trim() === "" || !Number.isFinite(value) || value < 0) {
    return `${option} takes a number of milliseconds, got ${text}`;
  }
  return value;
}

function parse(args: readonly string[]): Parsed | string {
  const positional: string[] = [];
  let pvdId: string | undefined;
  let policy: RacePolicy = RACE_POLICIES.adaptive;
  let timeout = 10_000;
  let wait: number | undefined;
  let egress: EgressMode | undefined;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const option = args[i]!;
    switch (option) {
      case "--json":
        json = true;
        break;
      case "--pvd":
        pvdId = args[++i];
        if (pvdId === undefined || pvdId === "") return "--pvd takes a PvD identifier";
        break;
      case "--policy": {
        const name = args[++i] ?? "";
        if (name.startsWith("prefer:") && name.length > "prefer:".length) {
          policy = RACE_POLICIES.preferPvd(name.slice("prefer:".length));
        } else if (POLICIES[name] !== undefined) policy = POLICIES[name];
        else return `--policy takes one of ${Object.keys(POLICIES).join(", ")} or prefer:PVD_ID, got "${name}"`;
        break;
      }
      case "--timeout":
      case "--wait": {
        const value = milliseconds(option, args[++i]);
        if (typeof value === "string") return value;
        if (option === "--timeout") timeout = value;
        else wait = value;
        break;
      }
      case "--egress": {
        const mode = args[++i];
        if (mode !== "refuse" && mode !== "warn" && mode !== "off") {
          return `--egress takes refuse, warn or off, got ${mode}`;
        }
        egress = mode;
        break;
      }
      default:
        if (option.startsWith("-")) return `unknown option "${option}"`;
        positional.push(option);
    }
  }
  if (positional.length !== 2) return `which host and port? ${USAGE}`;
  const [host, portText] = positional as [string, string];
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || !(port >= 1 && port <= 65_535)) return `port ${portText} is not 1 to 65535`;
  return { host, port, pvdId, policy, timeout, wait, egress, json };
}

/**
 * The adapter's connect, with the reason of each failed attempt kept by
 * PvD, source and destination: the report says that an attempt failed, the
 * adapter says why, and a winner's race returns no failures.
 */
function recording(network: ConnectNetwork): { link: NetworkLink; reasons: Map<string, string[]> } {
  const reasons = new Map<string, string[]>();
  const link: NetworkLink = {
    clock: network.clock,
    start: (sink) => network.start(sink),
    stop: () => network.stop(),
    resolve: (query, signal) => network.resolve(query, signal),
    connect: (attempt, signal) =>
      network.connect(attempt, signal).catch((error: unknown) => {
        if (!(error instanceof MifError && error.code === "aborted")) {
          const key = `${attempt.pvdId} ${attempt.sourceAddress} ${attempt.address}`;
          const list = reasons.get(key) ?? [];
          list.push(error instanceof Error ? error.message : String(error));
          reasons.set(key, list);
        }
        throw error;
      }),
    ...(network.hint === undefined ? {} : { hint: (hint) => network.hint!(hint) }),
  };
  return { link, reasons };
}

/** The end of an adapter's message, after "Cannot connect to ... in provisioning domain "...": ". */
function shortReason(message: string): string {
  const match = message.match(/^Cannot connect to .*? in provisioning domain "[^"]*": (.*)$/s);
  return match ? match[1]! : message;
}

function isLiteral(host: string): boolean {
  try {
    parseIpAddress(host);
    return true;
  } catch {
    return false;
  }
}

/**
 * `mif connect HOST PORT [--pvd ID] [--policy NAME] [--timeout MS] [--wait MS] [--egress MODE] [--json]`:
 * connects through the host with `api.connect()`, prints the establishment
 * report and closes the connection.
 *
 * - `--pvd ID`: only that PvD is eligible.
 * - `--policy NAME`: `adaptive` (the API's default; with no RTT measured
 *   yet, as in one command, every PvD at once), `rfc8305` (every PvD at
 *   once), `ipv4-first`, `rtt-history`, `node-like`, `deno-like`, or
 *   `prefer:ID` (that PvD first, the others 250 ms later).
 * - `--timeout MS`: the overall limit (10000 when absent).
 * - `--wait MS`: how long to listen first, for Router Advertisements to
 *   bring PvDs and their DNS servers (1500 when absent); with `--pvd` it
 *   ends as soon as that PvD has an address and, for a name, a DNS server.
 * - `--egress refuse|warn|off`: the default adapter's egress check.
 *
 * The exit code is 0 when connected, 1 when not, 2 for a usage error.
 *
 * @example A name resolved in each PvD of a simulated host, as JSON
 * ```ts
 * import { runConnect } from "./connect.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, clock, host } = twoProviderHost();
 * const lines: string[] = [];
 * const code = await clock.drive(
 *   runConnect([host.name, String(host.port), "--json", "--wait", "0"], { network, print: (l) => lines.push(l) }),
 * );
 * const report = JSON.parse(lines.join("\n"));
 * if (code !== 0 || !report.connected || report.attempts.length === 0) throw new Error(lines.join("\n"));
 * ```
 *
 * @param args The command's arguments (after `connect`).
 * @param options The adapter and printers, for tests.
 * @returns The exit code.
 */
export async function runConnect(args: readonly string[], options: ConnectCommandOptions = {}): Promise<number> {
  const parsed = parse(args);
  const print = options.print ?? ((line: string) => console.log(line));
  const printError = options.printError ?? ((line: string) => console.error(line));
  if (typeof parsed === "string") {
    printError(`mif connect: ${parsed}`);
    return 2;
  }
  const network = options.network ?? await defaultNetwork(parsed.egress);
  const { link, reasons } = recording(network);
  const api = new MifApi(link);
  try {
    if (typeof network.refresh === "function") await network.refresh();
    await listen(api, network, parsed);
    const clock = network.clock;
    const mismatchesBefore = network.egressMismatches?.length ?? 0;
    const started = clock.now();
    const report = await connectOnce(api, parsed, { started, now: () => clock.now() }, reasons);
    const mismatches = network.egressMismatches?.slice(mismatchesBefore);
    const full: ConnectReport = mismatches && mismatches.length > 0 ? { ...report, egress: mismatches } : report;
    if (parsed.json) print(JSON.stringify(full, null, 2));
    else printText(full, print);
    return full.connected ? 0 : 1;
  } finally {
    api.close();
  }
}

async function connectOnce(
  api: MifApi,
  parsed: Parsed,
  time: { readonly started: number; now(): number },
  reasons: Map<string, string[]>,
): Promise<ConnectReport> {
  const { started } = time;
  const base = { host: parsed.host, port: parsed.port, policy: parsed.policy.name ?? "custom" };
  const attemptsOf = (report: EstablishmentReport, failures: readonly ConnectionAttemptFailure[]) => {
    const left = new Map([...reasons].map(([key, list]) => [key, [...list]]));
    for (const f of failures) {
      const key = `${f.pvdId} ${f.sourceAddress} ${f.address}`;
      if (!left.has(key)) left.set(key, [f.reason]);
    }
    return report.attempts.map((a): ConnectAttemptLine => {
      const reason = a.result === "failed" ? left.get(`${a.pvd} ${a.source} ${a.address}`)?.shift() : undefined;
      return {
        attempt: a.attempt,
        pvdId: a.pvd,
        family: a.family,
        source: a.source,
        destination: a.address,
        startMs: a.start - started,
        endMs: a.end - started,
        result: a.result,
        ...(reason === undefined ? {} : { reason: shortReason(reason) }),
      };
    });
  };
  try {
    const connection = await api.connect(parsed.host, parsed.port, {
      policy: parsed.policy,
      timeout: parsed.timeout,
      ...(parsed.pvdId === undefined ? {} : { pvds: [parsed.pvdId] }),
    });
    const ms = time.now() - started;
    const { token, report } = connection;
    const result: ConnectReport = {
      ...base,
      connected: true,
      ms,
      pvdId: connection.pvdId,
      local: { address: token.localAddress, port: token.localPort },
      remote: { address: token.remoteAddress, port: token.remotePort },
      ...(report.winner === undefined ? {} : { winner: report.winner }),
      reason: report.reason,
      why: report.why,
      attempts: attemptsOf(report, []),
    };
    token.close();
    return result;
  } catch (error) {
    const ms = time.now() - started;
    if (!(error instanceof ConnectError)) {
      const mif = error instanceof MifError ? error : undefined;
      return {
        ...base,
        connected: false,
        ms,
        reason: "all-failed",
        why: mif?.message ?? String(error),
        attempts: [],
        error: { code: mif?.code ?? "internal-error", message: mif?.message ?? String(error) },
      };
    }
    return {
      ...base,
      connected: false,
      ms,
      reason: error.report.reason,
      why: error.report.why,
      attempts: attemptsOf(error.report, error.attempts),
      error: { code: error.code, message: error.message },
      ...(error.unanswered.length === 0 ? {} : { unanswered: error.unanswered }),
      ...(error.excluded.length === 0 ? {} : { excluded: error.excluded }),
    };
  }
}

/** Waits for Router Advertisements: `wait` ms, or until the one PvD asked for is usable. */
async function listen(api: MifApi, network: NetworkLink, parsed: Parsed): Promise<void> {
  const wait = parsed.wait ?? 1_500;
  const literal = isLiteral(parsed.host);
  const ready = () => {
    if (parsed.pvdId === undefined) return false;
    const db = api.database;
    if (db.getPvd(parsed.pvdId) === undefined || db.addressesOf(parsed.pvdId).length === 0) return false;
    return literal || (db.configurationData(parsed.pvdId, undefined, "dns-servers") ?? []).length > 0;
  };
  const deadline = network.clock.now() + wait;
  while (!ready() && network.clock.now() < deadline) {
    await new Promise<void>((resolve) => network.clock.setTimer(Math.min(50, deadline - network.clock.now()), resolve));
  }
}

function bracket(address: string): string {
  return address.includes(":") ? `[${address}]` : address;
}

function printText(report: ConnectReport, print: (line: string) => void): void {
  const target = `${report.host} port ${report.port}`;
  if (report.connected) {
    print(
      `${target}: connected through ${report.pvdId} in ${report.ms} ms, from ${bracket(report.local!.address)}:${
        report.local!.port
      } to ${bracket(report.remote!.address)}:${report.remote!.port} (policy ${report.policy})`,
    );
  } else {
    print(`${target}: not connected after ${report.ms} ms (policy ${report.policy}): ${report.why}`);
  }
  const rows = report.attempts.map((a) => [
    `#${a.attempt}`,
    a.pvdId,
    a.source,
    a.destination,
    `${a.startMs}-${a.endMs} ms`,
    a.result + (a.reason === undefined ? "" : `: ${a.reason}`),
  ]);
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(0, ...rows.map((r) => r[i]!.length)));
  for (const row of rows) print(`  ${row.map((cell, i) => i < 5 ? cell.padEnd(widths[i]!) : cell).join("  ")}`);
  for (const u of report.unanswered ?? []) print(`  no answer in ${u.pvdId}: ${u.reason}`);
  for (const e of report.excluded ?? []) print(`  left out: ${e.pvdId} ${e.why}`);
  for (const m of report.egress ?? []) {
    if (m.action === "warned") print(`  warning: from ${m.sourceAddress} in ${m.pvdId}: ${m.reason}`);
  }
  if (report.connected) {
    print(`winner: attempt ${report.winner} (${report.reason}): ${report.why}`);
    print("closed the connection");
  } else {
    print(`error ${report.error?.code}: ${report.reason}`);
  }
}

async function defaultNetwork(egress: EgressMode | undefined): Promise<ConnectNetwork> {
  const { denoHostNetwork } = await import("../adapters/deno/mod.ts");
  return denoHostNetwork(egress === undefined ? {} : { egress });
}
