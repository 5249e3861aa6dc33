/**
 * The `mif` command line. Commands:
 *
 * - `demo [--seed N] [--json]`: the draft's section 3.3 on a simulated host.
 * - `decode FILE [--json]`: the RA, DHCPv6 and DHCPv4 messages of a pcap or
 *   pcapng file (needs read permission: `deno run --allow-read`).
 * - `policies [--races N] [--seed S] [--svg FILE] [--markdown] [--json]`:
 *   the connection-policy benchmark (`bench/policy_comparison.ts`), a
 *   percentile table per scenario and policy; `--svg` writes the chart
 *   (needs `--allow-write`).
 *
 * - `status [--wait MS] [--json]`: the real host: interfaces, PvDs, addresses
 *   with lifetimes, DNS per PvD, the data source in use and what it cannot
 *   see (`deno run -A` for rtnetlink and Router Advertisements).
 * - `watch [--for MS] [--json]`: every MIF message about the real host as it
 *   comes.
 * - `resolve NAME [--pvd ID] [--wait MS] [--json]`: Translate Name in every
 *   PvD of the real host (or one), each through its own DNS servers, with
 *   the time each address arrived.
 * - `routes [--json]`: the `ip` commands for source-specific routing per link.
 * - `connect HOST PORT [--pvd ID] [--policy NAME] [--timeout MS] [--wait MS]
 *   [--egress MODE] [--json]`: races a TCP connection through the real
 *   host's PvDs and prints the establishment report, then closes it.
 *
 * Run with `deno task mif <command>` (or `deno task demo`).
 *
 * @module
 */

import { runDemo } from "./demo.ts";
import { runDecode } from "./decode.ts";
import { runRoutes, runStatus, runWatch } from "./host.ts";
import { runResolve } from "./resolve.ts";
import { runConnect } from "./connect.ts";
import {
  BENCHMARK_POLICIES,
  comparePolicies,
  DEFAULT_RACES,
  POLICY_SCENARIOS,
  renderPolicyReport,
  summarizeComparison,
} from "../bench/policy_comparison.ts";

const USAGE = `Usage: mif <command> [options]

Commands:
  demo [--seed N] [--json]   the draft's section 3.3 example on a simulated two-provider host
  decode FILE [--json]       RA, DHCPv6 and DHCPv4 messages of a pcap or pcapng file
  policies [options]         the connection-policy benchmark: time to connect per scenario and policy
      --races N              races per scenario and policy (${DEFAULT_RACES})
      --seed S               seed of every random draw (1)
      --scenarios A,B        only these scenarios; --policies A,B only these policies
      --svg FILE             also write the chart (cumulative distributions) as SVG
      --markdown             print the table in Markdown
      --json                 print the summaries as JSON
  status [--wait MS] [--json] the real host: interfaces, PvDs, addresses with lifetimes, DNS per PvD, data source
  watch [--for MS] [--json]  every message about the real host as it comes, until interrupted
  resolve NAME [--pvd ID] [--wait MS] [--json]
                             translate NAME in every PvD of the real host (or one), each through its own DNS
                             servers: each address with the time it arrived, errors, DNS counters
  routes [--json]            the ip rule/route commands for source-specific routing per link (printed, not run)
  connect HOST PORT [--pvd ID] [--policy NAME] [--timeout MS] [--wait MS] [--egress refuse|warn|off] [--json]
                             race a TCP connection through every PvD of the real host (or one) and print the
                             establishment report: each attempt's PvD, source, destination, times, result;
                             the winner and why. Policies: adaptive (the default), rfc8305, ipv4-first,
                             rtt-history, node-like, deno-like, prefer:PVD_ID. Exit 0 connected, 1 not
  help                       this text`;

/** Runs the command line with `args`; returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case "demo": {
      const seedAt = rest.indexOf("--seed");
      const seed = seedAt >= 0 ? Number(rest[seedAt + 1]) : 1;
      if (!Number.isInteger(seed)) {
        console.error(`mif demo: --seed takes an integer, got ${rest[seedAt + 1]}`);
        return 2;
      }
      await runDemo({ seed, json: rest.includes("--json") });
      return 0;
    }
    case "decode": {
      const { exitCode, lines, errors } = await runDecode(rest);
      for (const line of lines) console.log(line);
      for (const line of errors) console.error(line);
      return exitCode;
    }
    case "policies":
      return await runPolicies(rest);
    case "status":
      return await runStatus(rest);
    case "watch":
      return await runWatch(rest);
    case "resolve":
      return await runResolve(rest);
    case "routes":
      return await runRoutes(rest);
    case "connect":
      return await runConnect(rest);
    case undefined:
    case "help":
    case "--help":
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      console.error(`mif: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

/** `mif policies`: runs the benchmark, prints the table (or Markdown, or JSON), writes the chart. */
async function runPolicies(args: readonly string[]): Promise<number> {
  const fail = (text: string) => {
    console.error(`mif policies: ${text}`);
    return 2;
  };
  let races: number | undefined;
  let seed: number | undefined;
  let svg: string | undefined;
  let scenarios: string[] | undefined;
  let policies: string[] | undefined;
  let markdown = false;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const option = args[i]!;
    switch (option) {
      case "--races":
      case "--seed": {
        const text = args[++i];
        const value = Number(text);
        if (
          text === undefined || text.trim() === "" || !Number.isSafeInteger(value) ||
          (option === "--races" && value < 1)
        ) {
          return fail(`${option} takes ${option === "--races" ? "a positive integer" : "an integer"}, got ${text}`);
        }
        if (option === "--races") races = value;
        else seed = value;
        break;
      }
      case "--svg":
      case "--scenarios":
      case "--policies": {
        const text = args[++i];
        if (text === undefined || text === "") return fail(`${option} takes a value`);
        if (option === "--svg") svg = text;
        else if (option === "--scenarios") scenarios = text.split(",");
        else policies = text.split(",");
        break;
      }
      case "--markdown":
        markdown = true;
        break;
      case "--json":
        json = true;
        break;
      default:
        return fail(`unknown option "${option}"\n\n${USAGE}`);
    }
  }
  const started = performance.now();
  let comparison;
  try {
    comparison = await comparePolicies({
      ...(races === undefined ? {} : { races }),
      ...(seed === undefined ? {} : { seed }),
      ...(scenarios === undefined ? {} : { scenarios }),
      ...(policies === undefined ? {} : { policies }),
    });
  } catch (error) {
    if (error instanceof RangeError) return fail(error.message);
    throw error;
  }
  const seconds = (performance.now() - started) / 1000;
  const report = renderPolicyReport(comparison);
  if (json) {
    const { races, seed, timeout } = comparison;
    console.log(JSON.stringify({ races, seed, timeout, results: summarizeComparison(comparison) }, null, 2));
  } else if (markdown) {
    console.log(report.markdown.trimEnd());
  } else {
    console.log(report.table);
    const width = Math.max(...[...POLICY_SCENARIOS, ...BENCHMARK_POLICIES].map((item) => item.name.length));
    const described = (items: readonly { name: string; description: string }[], names: readonly string[]) =>
      items.filter((item) => names.includes(item.name)).map((item) =>
        `  ${item.name.padEnd(width)}  ${item.description}`
      );
    console.log(["Scenarios:", ...described(POLICY_SCENARIOS, comparison.scenarios)].join("\n"));
    console.log(["Policies:", ...described(BENCHMARK_POLICIES, comparison.policies)].join("\n"));
    console.log(
      `\n${comparison.races} races per scenario and policy in virtual time (latencies one way, each drawn again ` +
        `× 0.7-1.3 per race unless a range is given), seed ${comparison.seed}, ${comparison.timeout / 1000} s ` +
        `timeout; ran in ${seconds.toFixed(1)} s`,
    );
  }
  if (svg !== undefined) {
    try {
      await Deno.writeTextFile(svg, report.svg);
    } catch (error) {
      console.error(
        `mif policies: Cannot write the chart to ${svg}: ${error instanceof Error ? error.message : error}`,
      );
      return 1;
    }
    console.error(`mif policies: wrote the chart to ${svg}`);
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
