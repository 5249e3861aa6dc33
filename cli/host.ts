/**
 * `mif status` and `mif watch`: the real host through the MIF API.
 *
 * - `status` reads the host once (and listens for Router Advertisements for
 *   `--wait` ms) and prints each interface, its PvDs, their addresses with
 *   lifetimes and their DNS servers and search domains, and which data
 *   source is in use with what it cannot see.
 * - `watch` follows every interface, PvD, address and configuration element
 *   as an application would, printing each message as it comes, until
 *   interrupted (or for `--for` ms).
 *
 * Both print JSON with `--json`. The adapter is the Deno one
 * (`denoHostNetwork`: rtnetlink through FFI, then /proc, then
 * `networkInterfaces()`; a raw ICMPv6 socket for RAs when permitted); run
 * with `deno run -A` for the full picture.
 *
 * @module
 */

import { MifApi } from "../api/mif_api.ts";
import type { MifReply } from "../api/messages.ts";
import type { AddressInfo, ElementInfo, NetworkLink } from "../api/network_link.ts";
import { remainingSeconds } from "../api/config_db.ts";
import type { HostNetwork } from "../adapters/host/host_network.ts";
import { sourceRoutingCommands } from "../adapters/host/source_routing.ts";

/** What the commands run on: the Deno host adapter, or one a test gives. */
export interface HostCommandOptions {
  /** The adapter; `denoHostNetwork()` when absent. */
  readonly network?: HostNetwork | (NetworkLink & { source?: string; limitations?: readonly string[] });
  /** Where lines go; console.log when absent. */
  readonly print?: (line: string) => void;
  /** Stops `watch` early (tests; SIGINT otherwise). */
  readonly signal?: AbortSignal;
}

interface Parsed {
  readonly json: boolean;
  readonly wait: number | undefined;
  readonly forMs: number | undefined;
}

function parse(command: string, args: readonly string[]): Parsed | string {
  let json = false;
  let wait: number | undefined;
  let forMs: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const option = args[i]!;
    if (option === "--json") json = true;
    else if (option === "--wait" || option === "--for") {
      const text = args[++i];
      const value = Number(text);
      if (text === undefined || text.trim() === "" || !Number.isFinite(value) || value < 0) {
        return `${option} takes a number of milliseconds, got ${text}`;
      }
      if (option === "--wait") wait = value;
      else forMs = value;
    } else return `unknown option "${option}"`;
  }
  if (command === "status" && forMs !== undefined) return `--for is an option of watch`;
  if (command === "watch" && wait !== undefined) return `--wait is an option of status`;
  return { json, wait, forMs };
}

async function defaultNetwork(): Promise<HostNetwork> {
  const { denoHostNetwork } = await import("../adapters/deno/mod.ts");
  return denoHostNetwork();
}

/** Seconds left, or "forever". */
function left(until: number, now: number): string {
  const s = remainingSeconds(until, now);
  return s === Infinity ? "forever" : `${s} s`;
}

/**
 * `mif status`: prints the host once.
 *
 * @param args `--json`, `--wait MS` (time to hear Router Advertisements; 1500 when absent).
 * @param options The adapter and printer, for tests.
 * @returns The exit code.
 */
export async function runStatus(args: readonly string[], options: HostCommandOptions = {}): Promise<number> {
  const parsed = parse("status", args);
  const print = options.print ?? ((line: string) => console.log(line));
  if (typeof parsed === "string") {
    console.error(`mif status: ${parsed}`);
    return 2;
  }
  const network = options.network ?? await defaultNetwork();
  const api = new MifApi(network);
  try {
    if ("refresh" in network && typeof network.refresh === "function") await network.refresh();
    const wait = parsed.wait ?? 1_500;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const db = api.database;
    const now = network.clock.now();
    const address = (a: AddressInfo) => ({
      address: a.address,
      prefixLength: a.prefixLength,
      validLifetime: remainingSeconds(a.validUntil, now),
      preferredLifetime: remainingSeconds(a.preferredUntil, now),
      ...(a.temporary ? { temporary: true } : {}),
    });
    const report = {
      source: (network as { source?: string }).source,
      limitations: (network as { limitations?: readonly string[] }).limitations ?? [],
      interfaces: db.interfaces().map((info) => ({
        interfaceId: info.interfaceId,
        displayName: info.displayName,
        kind: info.kind,
        up: info.up,
        pvds: db.pvdsOf(info.interfaceId).map((pvd) => ({
          pvdId: pvd.pvdId,
          explicit: pvd.explicit,
          addresses: db.addressesOf(pvd.pvdId).map(address),
          dnsServers: db.configurationData(pvd.pvdId, undefined, "dns-servers") ?? [],
          searchDomains: db.configurationData(pvd.pvdId, undefined, "search-domains") ?? [],
          elements: db.elementsOf(pvd.pvdId).map((e) => `${e.elementType}:${e.elementId}`),
        })),
      })),
    };
    if (parsed.json) {
      print(JSON.stringify(report, (_k, v) => v === Infinity ? "forever" : v, 2));
      return 0;
    }
    print(`source: ${report.source ?? "none"}`);
    for (const limitation of report.limitations) print(`  cannot see: ${limitation}`);
    for (const info of report.interfaces) {
      print(`${info.displayName} (interface ${info.interfaceId}, ${info.kind}${info.up ? "" : ", down"})`);
      for (const pvd of info.pvds) {
        print(`  ${pvd.explicit ? "explicit" : "implicit"} PvD ${pvd.pvdId}`);
        for (const a of db.addressesOf(pvd.pvdId)) {
          print(
            `    address ${a.address}/${a.prefixLength}  valid ${left(a.validUntil, now)}, preferred ${
              left(a.preferredUntil, now)
            }${a.temporary ? ", temporary" : ""}`,
          );
        }
        for (const d of pvd.dnsServers) {
          print(`    dns ${d.address}  ${d.lifetime === Infinity ? "" : `${d.lifetime} s`}`);
        }
        for (const d of pvd.searchDomains) print(`    search ${d.domain}`);
        if (pvd.elements.length > 0) print(`    from ${pvd.elements.join(", ")}`);
      }
    }
    return 0;
  } finally {
    api.close();
  }
}

/** One message as a line of text: its time, its type, and the fields that say what it is about. */
function describe(message: MifReply, at: Date): string {
  const time = at.toISOString().slice(11, 23);
  const fields = Object.entries(message)
    .filter(([key]) => key !== "type" && key !== "element" && key !== "token")
    .map(([key, value]) => `${key}=${typeof value === "object" ? JSON.stringify(value) : String(value)}`);
  if ("element" in message) {
    const element = message.element as ElementInfo["element"];
    fields.push(`element=${element.elementType}:${element.elementId}`, JSON.stringify(element.data));
  }
  return `${time} ${message.type} ${fields.join(" ")}`;
}

/**
 * `mif watch`: follows everything and prints each message as it comes.
 *
 * @param args `--json`, `--for MS` (stop after; until interrupted when absent).
 * @param options The adapter, printer and signal, for tests.
 * @returns The exit code.
 */
export async function runWatch(args: readonly string[], options: HostCommandOptions = {}): Promise<number> {
  const parsed = parse("watch", args);
  const print = options.print ?? ((line: string) => console.log(line));
  if (typeof parsed === "string") {
    console.error(`mif watch: ${parsed}`);
    return 2;
  }
  const network = options.network ?? await defaultNetwork();
  const api = new MifApi(network);
  const app = api.subscribe();
  const controller = new AbortController();
  options.signal?.addEventListener("abort", () => controller.abort(), { once: true });
  const timer = parsed.forMs === undefined ? undefined : setTimeout(() => controller.abort(), parsed.forMs);
  const onSignal = () => controller.abort();
  const signals = options.signal === undefined && typeof Deno !== "undefined";
  if (signals) Deno.addSignalListener("SIGINT", onSignal);
  app.postMessage({ type: "announce-interfaces" });
  try {
    for await (const message of app.messages({ signal: controller.signal })) {
      print(
        parsed.json
          ? JSON.stringify({ at: Date.now(), ...message }, (_k, v) => v === Infinity ? "forever" : v)
          : describe(message, new Date()),
      );
      if (message.type === "interface-announcement") {
        app.postMessage({ type: "announce-provisioning-domains", interfaceId: message.interfaceId });
      } else if (message.type === "provisioning-domain-announcement") {
        app.postMessage({ type: "announce-addresses", pvdId: message.pvdId });
        app.postMessage({ type: "announce-configuration-elements", pvdId: message.pvdId });
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    if (signals) Deno.removeSignalListener("SIGINT", onSignal);
    api.close();
  }
  return 0;
}

/**
 * `mif routes`: prints the `ip` commands that give each link's addresses a
 * routing table through that link's own router (source-specific routing),
 * so that a connection bound to one PvD's address leaves through that PvD's
 * link. Prints them only; a person (root) runs them.
 *
 * @param args `--json`.
 * @param options The adapter and printer, for tests.
 * @returns The exit code.
 */
export async function runRoutes(args: readonly string[], options: HostCommandOptions = {}): Promise<number> {
  const print = options.print ?? ((line: string) => console.log(line));
  const json = args.includes("--json");
  const unknown = args.find((a) => a !== "--json");
  if (unknown !== undefined) {
    console.error(`mif routes: unknown option "${unknown}"`);
    return 2;
  }
  const network = options.network ?? await defaultNetwork();
  if (!("refresh" in network) || typeof network.refresh !== "function") {
    console.error("mif routes: the adapter cannot read the host's routes");
    return 1;
  }
  await network.refresh();
  const facts = network.facts;
  if (facts === undefined) {
    console.error("mif routes: no source could read the host");
    return 1;
  }
  const plans = sourceRoutingCommands(facts);
  if (json) {
    print(JSON.stringify(plans, null, 2));
    return 0;
  }
  print("# Source-specific routing: traffic from each link's addresses leaves through that link's router.");
  print("# Review, then run as root. Undo with: ip rule del from PREFIX table TABLE; ip route flush table TABLE");
  for (const plan of plans) {
    print(
      `# ${plan.name} (interface ${plan.ifindex}), table ${plan.table}${
        plan.skipped ? `: skipped, ${plan.skipped}` : ""
      }`,
    );
    for (const command of plan.commands) print(command);
  }
  return 0;
}
