/**
 * Where a connection bound to a PvD's address would leave the host. Linux
 * picks the outgoing link by destination unless policy rules or
 * source-specific routes say otherwise, so a socket bound to provider B's
 * address can leave through provider A's link, where B's address is
 * foreign (and dropped by ingress filtering, BCP 38). `HostNetwork.connect`
 * asks the kernel first (`routeGet` of the source, `RTM_GETROUTE`) and,
 * where it cannot, guesses from the main table it read
 * ({@linkcode routeFromFacts}); what it does about a mismatch is the
 * {@linkcode EgressMode}.
 *
 * Runtime-neutral: no `Deno.*`, no `node:` import.
 *
 * @module
 */

import { formatIpAddress, parseIpAddress } from "../../core-as/ip_address.ts";
import { maskPrefix } from "../../core-as/_prefix.ts";
import type { InterfaceId, PvdId } from "../../api/messages.ts";
import type { HostFacts, KernelRouteLookup } from "./kernel_facts.ts";

/**
 * What `HostNetwork.connect` does when a connection would leave through
 * another link than its PvD's: `refuse` fails the attempt saying so (the
 * default), `warn` connects and reports it (`onError`,
 * `HostNetwork.egressMismatches`), `off` does not look.
 *
 * @example
 * ```ts
 * import type { EgressMode } from "./egress.ts";
 *
 * const mode: EgressMode = "warn";
 * if (mode !== "warn") throw new Error("unexpected");
 * ```
 */
export type EgressMode = "refuse" | "warn" | "off";

/**
 * A connection attempt that would have left, or left, through another link
 * than its PvD's.
 *
 * @example
 * ```ts
 * import type { EgressMismatch } from "./egress.ts";
 *
 * const mismatch: EgressMismatch = {
 *   at: 0,
 *   pvdId: "implicit:wlan0:ipv6",
 *   interfaceId: 3,
 *   interfaceName: "wlan0",
 *   sourceAddress: "2001:db8:b::100",
 *   address: "2001:db8:c::80",
 *   egressInterfaceId: 2,
 *   egressName: "eth0",
 *   prefix: "2001:db8:b::/64",
 *   guessed: false,
 *   action: "refused",
 *   reason: "would leave through eth0, not wlan0: this host has no source-specific route for 2001:db8:b::/64; see `mif routes`",
 * };
 * if (mismatch.action !== "refused") throw new Error("unexpected");
 * ```
 */
export interface EgressMismatch {
  /** When, on the adapter's clock. */
  readonly at: number;
  /** The attempt's PvD. */
  readonly pvdId: PvdId;
  /** The PvD's interface. */
  readonly interfaceId: InterfaceId;
  /** Its name. */
  readonly interfaceName: string;
  /** The source address the socket was to be bound to. */
  readonly sourceAddress: string;
  /** The destination. */
  readonly address: string;
  /** The link the packets would leave through. */
  readonly egressInterfaceId: number;
  /** Its name. */
  readonly egressName: string;
  /** The source's prefix (its address and prefix length as the host has it), or the address alone when unknown. */
  readonly prefix: string;
  /** True when the route was guessed from the main table, not asked of the kernel. */
  readonly guessed: boolean;
  /** `refused`: the attempt failed; `warned`: it went ahead. */
  readonly action: "refused" | "warned";
  /** The reason, as the attempt's error or warning says it. */
  readonly reason: string;
}

function matches(prefix: Uint8Array, length: number, address: Uint8Array): boolean {
  if (prefix.length !== address.length) return false;
  const full = Math.floor(length / 8);
  for (let i = 0; i < full; i++) if (prefix[i] !== address[i]) return false;
  const bits = length % 8;
  if (bits === 0) return true;
  const mask = (0xff00 >> bits) & 0xff;
  return (prefix[full]! & mask) === (address[full]! & mask);
}

/**
 * A guess at the route the kernel would pick for `destination`, from the
 * routes a source read: a local address of the host stays here; otherwise
 * the longest matching prefix of the main table (routes without a table
 * count as main), then the lowest metric; among routes tied on both, one
 * through `prefer` when there is one (the kernel's choice between them is
 * not knowable from here). Policy rules and source-specific routes are not
 * seen, which is why `HostNetwork` asks the kernel where it can.
 *
 * @example Two default routes, the one through eth0 preferred by metric
 * ```ts
 * import { decodeAddressFlags } from "./kernel_facts.ts";
 * import { routeFromFacts } from "./egress.ts";
 *
 * const facts = {
 *   links: [],
 *   addresses: [
 *     { ifindex: 3, family: 4, address: "198.51.100.70", prefixLength: 26, scope: "global", flags: decodeAddressFlags(0, 4) },
 *   ],
 *   routes: [
 *     { family: 4, destination: "0.0.0.0", prefixLength: 0, gateway: "198.51.100.1", ifindex: 2, metric: 200, type: "unicast" },
 *     { family: 4, destination: "0.0.0.0", prefixLength: 0, gateway: "198.51.100.65", ifindex: 3, metric: 300, type: "unicast" },
 *     { family: 4, destination: "198.51.100.64", prefixLength: 26, ifindex: 3, metric: 0, type: "unicast" },
 *   ],
 *   dns: { servers: [], searchDomains: [], links: [] },
 * } as const;
 * if (routeFromFacts(facts, "203.0.113.80")?.ifindex !== 2) throw new Error("the lower metric wins");
 * if (routeFromFacts(facts, "198.51.100.90")?.ifindex !== 3) throw new Error("the longer prefix wins");
 * if (routeFromFacts(facts, "198.51.100.70")?.type !== "local") throw new Error("the host's own address");
 * ```
 *
 * @param facts What a source read.
 * @param destination The destination address.
 * @param prefer The link to pick among routes the kernel could choose between.
 * @returns The guess; undefined when no route matches or the address cannot be parsed.
 */
export function routeFromFacts(
  facts: HostFacts,
  destination: string,
  prefer?: number,
): KernelRouteLookup | undefined {
  let target: Uint8Array;
  let family: 4 | 6;
  try {
    const parsed = parseIpAddress(destination);
    target = parsed.bytes;
    family = parsed.family;
  } catch {
    return undefined;
  }
  const own = facts.addresses.find((a) => {
    if (a.family !== family) return false;
    try {
      return matches(parseIpAddress(a.address).bytes, 8 * target.length, target);
    } catch {
      return false;
    }
  });
  if (own !== undefined) return { type: "local", ifindex: own.ifindex };
  let best: { prefixLength: number; metric: number; route: HostFacts["routes"][number] } | undefined;
  for (const route of facts.routes) {
    if (route.family !== family || (route.table !== undefined && route.table !== 254)) continue;
    let prefix: Uint8Array;
    try {
      prefix = parseIpAddress(route.destination).bytes;
    } catch {
      continue;
    }
    if (!matches(prefix, route.prefixLength, target)) continue;
    const better = best === undefined || route.prefixLength > best.prefixLength ||
      (route.prefixLength === best.prefixLength &&
        (route.metric < best.metric ||
          (route.metric === best.metric && route.ifindex === prefer && best.route.ifindex !== prefer)));
    if (better) best = { prefixLength: route.prefixLength, metric: route.metric, route };
  }
  if (best === undefined) return undefined;
  const { route } = best;
  if (route.type === "reject") return { type: "reject", unreachable: "a reject route in the main table" };
  return {
    type: route.type,
    ifindex: route.ifindex,
    ...(route.gateway === undefined ? {} : { gateway: route.gateway }),
    ...(route.table === undefined ? {} : { table: route.table }),
  };
}

/**
 * The prefix of a host address as the host has it (`2001:db8:a::/64`), or
 * the address alone when the facts do not hold it: what a source-specific
 * route for it would be written for.
 *
 * @example
 * ```ts
 * import { decodeAddressFlags } from "./kernel_facts.ts";
 * import { sourcePrefix } from "./egress.ts";
 *
 * const facts = {
 *   links: [],
 *   addresses: [
 *     { ifindex: 2, family: 6, address: "2001:db8:a::100", prefixLength: 64, scope: "global", flags: decodeAddressFlags(0, 6) },
 *   ],
 *   routes: [],
 *   dns: { servers: [], searchDomains: [], links: [] },
 * } as const;
 * if (sourcePrefix(facts, "2001:db8:a::100") !== "2001:db8:a::/64") throw new Error("unexpected");
 * if (sourcePrefix(facts, "2001:db8:f::1") !== "2001:db8:f::1") throw new Error("not the host's");
 * ```
 *
 * @param facts What a source read, if anything.
 * @param address A host address.
 * @returns The prefix, or the address.
 */
export function sourcePrefix(facts: HostFacts | undefined, address: string): string {
  let bytes: Uint8Array;
  try {
    bytes = parseIpAddress(address).bytes;
  } catch {
    return address;
  }
  for (const a of facts?.addresses ?? []) {
    try {
      const own = parseIpAddress(a.address).bytes;
      if (!matches(own, 8 * own.length, bytes)) continue;
      return `${formatIpAddress(maskPrefix(own, a.prefixLength))}/${a.prefixLength}`;
    } catch {
      continue;
    }
  }
  return address;
}
