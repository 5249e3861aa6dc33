/**
 * Source-specific routing for a host with several providers: without it,
 * Linux picks the outgoing link by destination only, so a connection bound
 * to provider A's address can leave through provider B's link (and be
 * dropped by B's ingress filtering, BCP 38), whatever PvD the application
 * chose. {@linkcode sourceRoutingCommands} writes the `ip rule` and
 * `ip route` commands that give each PvD's addresses a routing table of
 * their own, through the PvD's own router.
 *
 * Runtime-neutral: it computes commands and runs nothing.
 *
 * @module
 */

import { formatIpAddress, parseIpAddress } from "../../core-as/ip_address.ts";
import { maskPrefix } from "../../core-as/_prefix.ts";
import type { HostFacts } from "./kernel_facts.ts";

/**
 * Options for {@linkcode sourceRoutingCommands}.
 *
 * @example
 * ```ts
 * import type { SourceRoutingOptions } from "./source_routing.ts";
 *
 * const options: SourceRoutingOptions = { firstTable: 1000, priority: 1000 };
 * if (options.firstTable !== 1000) throw new Error("unexpected");
 * ```
 */
export interface SourceRoutingOptions {
  /** Table number of the first link; each link's table is `firstTable + ifindex` (100 when absent). */
  readonly firstTable?: number;
  /** Priority of the `ip rule`s (1000 when absent: before the main table's 32766). */
  readonly priority?: number;
}

/**
 * One link's source routing: its table, the commands, and why a link got
 * none.
 *
 * @example
 * ```ts
 * import type { LinkSourceRouting } from "./source_routing.ts";
 *
 * const plan: LinkSourceRouting = { ifindex: 2, name: "eth0", table: 102, commands: [], skipped: "no default router" };
 * if (plan.table !== 102) throw new Error("unexpected");
 * ```
 */
export interface LinkSourceRouting {
  /** The link. */
  readonly ifindex: number;
  /** Its name. */
  readonly name: string;
  /** Its routing table. */
  readonly table: number;
  /** The commands, in order (idempotent: `replace`, and rules deleted before they are added). */
  readonly commands: readonly string[];
  /** Why no commands, when there are none. */
  readonly skipped?: string;
}

/**
 * The `ip` commands that route each link's global addresses through that
 * link's own default router: per link and family, a table holding the
 * link's on-link prefixes and its default route, and a rule sending
 * traffic from each of the link's prefixes to that table.
 *
 * @example One dual-stack link
 * ```ts
 * import { sourceRoutingCommands } from "./source_routing.ts";
 * import { decodeAddressFlags } from "./kernel_facts.ts";
 *
 * const [eth0] = sourceRoutingCommands({
 *   links: [{ ifindex: 2, name: "eth0", kind: "ethernet", up: true }],
 *   addresses: [
 *     { ifindex: 2, family: 6, address: "2001:db8:a::100", prefixLength: 64, scope: "global", flags: decodeAddressFlags(0, 6) },
 *   ],
 *   routes: [{ family: 6, destination: "::", prefixLength: 0, gateway: "fe80::1", ifindex: 2, metric: 1024, type: "unicast" }],
 *   dns: { servers: [], searchDomains: [], links: [] },
 * });
 * if (!eth0!.commands.includes("ip -6 rule add from 2001:db8:a::/64 table 102 priority 1000")) throw new Error();
 * ```
 *
 * @param facts The host, as a source read it.
 * @param options Table numbers and rule priority.
 * @returns One plan per link (loopback left out).
 */
export function sourceRoutingCommands(facts: HostFacts, options: SourceRoutingOptions = {}): LinkSourceRouting[] {
  const firstTable = options.firstTable ?? 100;
  const priority = options.priority ?? 1000;
  const plans: LinkSourceRouting[] = [];
  for (const link of facts.links) {
    if (link.kind === "loopback") continue;
    const table = firstTable + link.ifindex;
    const commands: string[] = [];
    for (const family of [6, 4] as const) {
      const ip = family === 6 ? "ip -6" : "ip -4";
      const prefixes = new Set<string>();
      for (const address of facts.addresses) {
        if (address.ifindex !== link.ifindex || address.family !== family || address.scope !== "global") continue;
        const bytes = maskPrefix(parseIpAddress(address.address).bytes, address.prefixLength);
        prefixes.add(`${formatIpAddress(bytes)}/${address.prefixLength}`);
      }
      const router = facts.routes
        .filter((r) =>
          r.family === family && r.ifindex === link.ifindex && r.prefixLength === 0 && r.gateway !== undefined &&
          r.type === "unicast"
        )
        .sort((a, b) => a.metric - b.metric)[0];
      if (prefixes.size === 0 || router === undefined) continue;
      for (const prefix of prefixes) commands.push(`${ip} route replace ${prefix} dev ${link.name} table ${table}`);
      commands.push(`${ip} route replace default via ${router.gateway} dev ${link.name} table ${table}`);
      for (const prefix of prefixes) {
        commands.push(`${ip} rule del from ${prefix} table ${table} priority ${priority} 2>/dev/null || true`);
        commands.push(`${ip} rule add from ${prefix} table ${table} priority ${priority}`);
      }
    }
    plans.push(
      commands.length > 0 ? { ifindex: link.ifindex, name: link.name, table, commands } : {
        ifindex: link.ifindex,
        name: link.name,
        table,
        commands,
        skipped: "no global address with a default router",
      },
    );
  }
  return plans;
}
