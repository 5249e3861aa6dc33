/**
 * The `mif` command line. Commands:
 *
 * - `demo [--seed N] [--json]`: the draft's section 3.3 on a simulated host.
 * - `decode FILE [--json]`: the RA, DHCPv6 and DHCPv4 messages of a pcap or
 *   pcapng file (needs read permission: `deno run --allow-read`).
 *
 * Run with `deno task mif <command>` (or `deno task demo`).
 *
 * @module
 */

import { runDemo } from "./demo.ts";
import { runDecode } from "./decode.ts";

const USAGE = `Usage: mif <command> [options]

Commands:
  demo [--seed N] [--json]   the draft's section 3.3 example on a simulated two-provider host
  decode FILE [--json]       RA, DHCPv6 and DHCPv4 messages of a pcap or pcapng file
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

if (import.meta.main) Deno.exit(await main(Deno.args));
