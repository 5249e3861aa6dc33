/**
 * The connection-policy benchmark (issue 5): many connection races on
 * simulated multi-provider hosts, in virtual time, under several racing
 * policies, reported as time-to-connect percentiles and failure rates per
 * policy and scenario, as a table and as an SVG chart.
 *
 * Each scenario is a host built on the {@linkcode SimulatedNetwork}: one
 * explicit PvD (RFC 8801) per interface, so that a PvD carries both address
 * families as a provider does, and the runtimes' one-network policies race
 * IPv6 against IPv4 as they do. Before every race the path latencies (one
 * way, as the simulated network takes them) are drawn again, each ×
 * uniform 0.7 to 1.3 unless the scenario says otherwise, from a generator
 * seeded by the benchmark's seed and the scenario, so that race _i_ of
 * every policy in a scenario meets the same network. A race is one {@linkcode MifApi.connect} call: real DNS messages
 * in each PvD, attempts raced by the WebAssembly scheduler. Its time to
 * connect runs from the call to the winning attempt's connection, DNS
 * included; a race that fails or passes the overall timeout is a failure.
 * One API per scenario and policy serves all its races, so the RTT-history
 * policy learns as it goes.
 *
 * Runtime-neutral (no Deno or Node APIs): the `mif policies` command and
 * the tests import it.
 *
 * @example Twenty races of two policies on a host whose Wi-Fi upstream is dead
 * ```ts
 * import { comparePolicies, renderPolicyReport } from "./policy_comparison.ts";
 *
 * const comparison = await comparePolicies({
 *   races: 20,
 *   scenarios: ["dead-upstream"],
 *   policies: ["rfc8305", "node-like"],
 * });
 * const [rfc, node] = comparison.cells;
 * if (rfc!.failures !== 0 || node!.failures !== 20) throw new Error(renderPolicyReport(comparison).table);
 * ```
 *
 * @module
 */

import { MifApi } from "../api/mif_api.ts";
import { ConnectError } from "../api/errors.ts";
import { RACE_POLICIES, type RacePolicy } from "../api/race_policy.ts";
import type { InterfaceId, PvdId } from "../api/messages.ts";
import type { InterfaceKind, TimerHandle } from "../api/network_link.ts";
import { raElement } from "../adapters/simulated/builders.ts";
import { SeededRandom } from "../adapters/simulated/seeded_random.ts";
import { SimulatedNetwork } from "../adapters/simulated/simulated_network.ts";
import { MAX_RACES } from "../core-as/racing.ts";
import { renderCdfSvg, renderMarkdownTable, renderTable, summarize, type TableRow } from "./_distribution_report.ts";

// The types this module's signatures use, re-exported so that its
// documentation stands on its own.
export type * from "../adapters/simulated/mod.ts";
export type { RaceCandidate, RacePolicy } from "../api/race_policy.ts";
export type { PvdPolicy } from "../core-as/racing.ts";
export type { PolicyRow, PolicyTable, ScopeRow } from "../core-as/policy_table.ts";

// ---------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------

/**
 * A simulated host ready for races: the network, what to connect to, and
 * how to set one race up.
 *
 * @example Build a scenario's host and connect once
 * ```ts
 * import { type BenchmarkHost, POLICY_SCENARIOS } from "./policy_comparison.ts";
 * import { SeededRandom } from "../adapters/simulated/mod.ts";
 * import { MifApi } from "../mod.ts";
 *
 * const host: BenchmarkHost = POLICY_SCENARIOS.find((s) => s.name === "healthy")!.build({ seed: 1 });
 * const api = new MifApi(host.network);
 * const cleanup = host.prepare(new SeededRandom(1));
 * const { token, pvdId } = await host.network.clock.drive(api.connect(host.name, host.port));
 * if (pvdId !== host.firstPvd) throw new Error(pvdId);
 * token.close();
 * cleanup();
 * api.close();
 * ```
 */
export interface BenchmarkHost {
  /** The host and the network around it, not yet started. */
  readonly network: SimulatedNetwork;
  /** The name to connect to. */
  readonly name: string;
  /** The TCP port to connect to. */
  readonly port: number;
  /** The first PvD in the configuration database's order: the one the one-network policies use. */
  readonly firstPvd: PvdId;
  /**
   * Sets up the next race: draws this race's latencies (and loss, and
   * events) from `random`, always the same number of draws, so that race
   * _i_ meets the same network under every policy. Returns what to call
   * once the race is over (it cancels pending events and restores what
   * the race took away).
   */
  prepare(random: SeededRandom): () => void;
}

/**
 * A benchmark scenario: a name, what it models, and a builder of fresh
 * hosts.
 *
 * @example The scenarios, by name
 * ```ts
 * import { POLICY_SCENARIOS, type PolicyScenario } from "./policy_comparison.ts";
 *
 * const names = POLICY_SCENARIOS.map((s: PolicyScenario) => s.name);
 * if (!names.includes("split-horizon")) throw new Error(names.join());
 * ```
 */
export interface PolicyScenario {
  /** Short name, as in the table. */
  readonly name: string;
  /** What the host looks like and what goes wrong, in a sentence or two. */
  readonly description: string;
  /**
   * Builds a fresh host.
   *
   * @param options `seed`: the network's own randomness (packet loss, DNS identifiers).
   */
  build(options: { readonly seed: number }): BenchmarkHost;
}

/** A provider: one interface carrying one explicit, dual-stack (or IPv6-only) PvD. */
interface Provider {
  readonly displayName: string;
  readonly kind: InterfaceKind;
  readonly fqdn: string;
  /** The /64, written as its first 64 bits with `::`; the host is `::100`, the router `::1`. */
  readonly prefix: string;
  /** The host's IPv4 address in a /24, when the provider gives one. */
  readonly ipv4?: string;
  /** The provider's recursive resolver. */
  readonly dnsServer: string;
}

// Documentation addresses only (RFC 3849, RFC 5737), a ULA for the VPN.
const WIRED: Provider = {
  displayName: "eth0",
  kind: "ethernet",
  fqdn: "pvd.wired.example",
  prefix: "2001:db8:a::",
  ipv4: "192.0.2.100",
  dnsServer: "2001:db8:a::53",
};
const WIFI: Provider = {
  displayName: "wlan0",
  kind: "wifi",
  fqdn: "pvd.wifi.example",
  prefix: "2001:db8:b::",
  ipv4: "198.51.100.100",
  dnsServer: "2001:db8:b::53",
};
/** IPv6-only, as many mobile networks are (464XLAT left out: nothing here needs IPv4 over it). */
const CELLULAR: Provider = {
  displayName: "wwan0",
  kind: "cellular",
  fqdn: "pvd.cellular.example",
  prefix: "2001:db8:d::",
  dnsServer: "2001:db8:d::53",
};
const VPN: Provider = {
  displayName: "tun0",
  kind: "vpn",
  fqdn: "pvd.corp.example",
  prefix: "fd00:c0de::",
  ipv4: "10.8.0.100",
  dnsServer: "fd00:c0de::53",
};

const SERVICE = "www.example.com";
const INTRANET = "wiki.corp.example";
const PORT = 443;
const ORIGIN6 = "2001:db8:c::80";
const ORIGIN4 = "203.0.113.80";
/** What the public DNS answers for the intranet name: the company's firewall, which drops. */
const FIREWALL6 = "2001:db8:e::80";
const FIREWALL4 = "203.0.113.180";
/** What the VPN's DNS answers for it: the server inside. */
const INTERNAL6 = "fd00:c0de:1::80";
const INTERNAL4 = "10.1.0.80";
const PUBLIC_RECORDS = { [SERVICE]: { AAAA: [ORIGIN6], A: [ORIGIN4] } };

/**
 * Adds a provider's PvD to its interface: an RA with the prefix and the
 * resolver (lifetimes long enough for any run), and the host's addresses.
 * Called again to bring back a PvD that was removed.
 */
function attachPvd(network: SimulatedNetwork, interfaceId: InterfaceId, provider: Provider): PvdId {
  const pvdId = network.addPvd({ interfaceId, fqdn: provider.fqdn });
  network.setElement(
    pvdId,
    raElement({
      router: `${provider.prefix}1`,
      prefixes: [{ prefix: `${provider.prefix}/64` }],
      rdnss: [provider.dnsServer],
      routerLifetime: 9000, // RFC 4861's largest
      rdnssLifetime: Infinity, // RFC 8106: all ones, for as long as the run lasts
    }),
  );
  network.addAddress(pvdId, { address: `${provider.prefix}100`, prefixLength: 64 });
  if (provider.ipv4 !== undefined) network.addAddress(pvdId, { address: provider.ipv4, prefixLength: 24 });
  return pvdId;
}

/** Adds the provider's interface and PvD; interfaces come in the order added, and so do their PvDs. */
function addProvider(network: SimulatedNetwork, provider: Provider): { interfaceId: InterfaceId; pvdId: PvdId } {
  const interfaceId = network.addInterface({ displayName: provider.displayName, kind: provider.kind });
  return { interfaceId, pvdId: attachPvd(network, interfaceId, provider) };
}

/** `ms` × uniform 0.7 to 1.3, in whole milliseconds (at least 1): one draw. */
function jitter(random: SeededRandom, ms: number): number {
  return Math.max(1, Math.round(ms * (0.7 + 0.6 * random.next())));
}

/** Uniform in [low, high], whole milliseconds: one draw. */
function uniform(random: SeededRandom, low: number, high: number): number {
  return Math.round(low + (high - low) * random.next());
}

/** The public service on both origin addresses. */
function addOrigin(network: SimulatedNetwork): void {
  network.addServer({ address: ORIGIN6, port: PORT });
  network.addServer({ address: ORIGIN4, port: PORT });
}

/**
 * A host with two providers, in this order, each resolver answering the
 * public records, and the public service on both origins.
 */
function twoPublicProviders(
  seed: number,
  first: Provider,
  second: Provider,
): { network: SimulatedNetwork; first: ReturnType<typeof addProvider>; second: ReturnType<typeof addProvider> } {
  const network = new SimulatedNetwork({ seed });
  const a = addProvider(network, first);
  const b = addProvider(network, second);
  network.addDnsServer({ address: first.dnsServer, records: PUBLIC_RECORDS });
  network.addDnsServer({ address: second.dnsServer, records: PUBLIC_RECORDS });
  addOrigin(network);
  return { network, first: a, second: b };
}

function host(
  network: SimulatedNetwork,
  firstPvd: PvdId,
  prepare: (random: SeededRandom) => () => void,
  name = SERVICE,
): BenchmarkHost {
  return { network, name, port: PORT, firstPvd, prepare };
}

const nothing = () => {};

const healthy: PolicyScenario = {
  name: "healthy",
  description: "A dual-stack wired PvD first (server 10-12 ms away) and a dual-stack Wi-Fi PvD (20-22 ms): " +
    "nothing broken, the control",
  build({ seed }) {
    const { network, first: wired, second: wifi } = twoPublicProviders(seed, WIRED, WIFI);
    return host(network, wired.pvdId, (random) => {
      network.setPath({ pvdId: wired.pvdId, to: "2001:db8:a::/64", latencyMs: jitter(random, 1) });
      network.setPath({ pvdId: wired.pvdId, to: ORIGIN6, latencyMs: jitter(random, 12) });
      network.setPath({ pvdId: wired.pvdId, to: ORIGIN4, latencyMs: jitter(random, 10) });
      network.setPath({ pvdId: wifi.pvdId, to: "2001:db8:b::/64", latencyMs: jitter(random, 3) });
      network.setPath({ pvdId: wifi.pvdId, to: ORIGIN6, latencyMs: jitter(random, 22) });
      network.setPath({ pvdId: wifi.pvdId, to: ORIGIN4, latencyMs: jitter(random, 20) });
      return nothing;
    });
  },
};

const ipv6Blackhole: PolicyScenario = {
  name: "ipv6-blackhole",
  description: "As healthy, but the wired PvD's IPv6 is black-holed beyond its router (its DNS still answers AAAA); " +
    "the Wi-Fi PvD works on both families, 28-30 ms away",
  build({ seed }) {
    const { network, first: wired, second: wifi } = twoPublicProviders(seed, WIRED, WIFI);
    return host(network, wired.pvdId, (random) => {
      network.setPath({ pvdId: wired.pvdId, to: "2001:db8:a::/64", latencyMs: jitter(random, 1) });
      // A broken IPv6 upstream: SYNs leave and nothing ever comes back.
      network.setPath({ pvdId: wired.pvdId, to: "::/0", reachable: false });
      network.setPath({ pvdId: wired.pvdId, to: ORIGIN4, latencyMs: jitter(random, 10) });
      network.setPath({ pvdId: wifi.pvdId, to: "2001:db8:b::/64", latencyMs: jitter(random, 3) });
      network.setPath({ pvdId: wifi.pvdId, to: ORIGIN6, latencyMs: jitter(random, 30) });
      network.setPath({ pvdId: wifi.pvdId, to: ORIGIN4, latencyMs: jitter(random, 28) });
      return nothing;
    });
  },
};

const deadUpstream: PolicyScenario = {
  name: "dead-upstream",
  description: "Wi-Fi first, its link up and its resolver answering from cache on the link, everything beyond " +
    "its router black-holed; an IPv6-only cellular PvD (DNS 35 ms, server 45 ms away) works",
  build({ seed }) {
    const { network, first: wifi, second: cellular } = twoPublicProviders(seed, WIFI, CELLULAR);
    return host(network, wifi.pvdId, (random) => {
      // The Wi-Fi's router and resolver are on the link; past it, nothing.
      network.setPath({ pvdId: wifi.pvdId, to: "2001:db8:b::/64", latencyMs: jitter(random, 2) });
      network.setPath({ pvdId: wifi.pvdId, to: "::/0", reachable: false });
      network.setPath({ pvdId: wifi.pvdId, to: "0.0.0.0/0", reachable: false });
      network.setPath({ pvdId: cellular.pvdId, to: "2001:db8:d::/64", latencyMs: jitter(random, 35) });
      network.setPath({ pvdId: cellular.pvdId, to: ORIGIN6, latencyMs: jitter(random, 45) });
      return nothing;
    });
  },
};

const cellular: PolicyScenario = {
  name: "cellular",
  description: "A congested IPv6-only cellular PvD first (radio 150-400 ms, drawn per race), beside a fast " +
    "dual-stack Wi-Fi (15 ms) whose resolver is slow (350 ms)",
  build({ seed }) {
    const { network, first: cell, second: wifi } = twoPublicProviders(seed, CELLULAR, WIFI);
    return host(network, cell.pvdId, (random) => {
      // Every packet through the cell crosses the same radio: one draw for both paths.
      const radio = uniform(random, 150, 400);
      network.setPath({ pvdId: cell.pvdId, to: "2001:db8:d::/64", latencyMs: radio + jitter(random, 5) });
      network.setPath({ pvdId: cell.pvdId, to: ORIGIN6, latencyMs: radio + jitter(random, 20) });
      network.setPath({ pvdId: wifi.pvdId, to: "2001:db8:b::/64", latencyMs: jitter(random, 350) });
      network.setPath({ pvdId: wifi.pvdId, to: ORIGIN6, latencyMs: jitter(random, 15) });
      network.setPath({ pvdId: wifi.pvdId, to: ORIGIN4, latencyMs: jitter(random, 15) });
      return nothing;
    });
  },
};

const lossy: PolicyScenario = {
  name: "lossy",
  description: "Wi-Fi first, fast (15 ms) but losing 20-30 % of packets each way (drawn per race; DNS and SYNs " +
    "alike), beside a clean IPv6-only cellular PvD (DNS 30 ms, server 40 ms)",
  build({ seed }) {
    const { network, first: wifi, second: cell } = twoPublicProviders(seed, WIFI, CELLULAR);
    return host(network, wifi.pvdId, (random) => {
      const lossRate = 0.2 + 0.1 * random.next();
      network.setPath({ pvdId: wifi.pvdId, to: "2001:db8:b::/64", latencyMs: jitter(random, 3), lossRate });
      network.setPath({ pvdId: wifi.pvdId, to: ORIGIN6, latencyMs: jitter(random, 15), lossRate });
      network.setPath({ pvdId: wifi.pvdId, to: ORIGIN4, latencyMs: jitter(random, 15), lossRate });
      network.setPath({ pvdId: cell.pvdId, to: "2001:db8:d::/64", latencyMs: jitter(random, 30) });
      network.setPath({ pvdId: cell.pvdId, to: ORIGIN6, latencyMs: jitter(random, 40) });
      return nothing;
    });
  },
};

const splitHorizon: PolicyScenario = {
  name: "split-horizon",
  description: `Wi-Fi first and a split-tunnel VPN: ${INTRANET} is the server inside (30 ms) through the VPN's ` +
    "DNS, and the company's firewall, which drops, through the public DNS; the inside is unreachable over Wi-Fi",
  build({ seed }) {
    const network = new SimulatedNetwork({ seed });
    const wifi = addProvider(network, WIFI);
    const vpn = addProvider(network, VPN);
    network.addDnsServer({
      address: WIFI.dnsServer,
      records: { [INTRANET]: { AAAA: [FIREWALL6], A: [FIREWALL4] } },
    });
    network.addDnsServer({
      address: VPN.dnsServer,
      records: { [INTRANET]: { AAAA: [INTERNAL6], A: [INTERNAL4] } },
    });
    network.addServer({ address: INTERNAL6, port: PORT });
    network.addServer({ address: INTERNAL4, port: PORT });
    // The firewall drops whatever comes from outside.
    network.setPath({ to: FIREWALL6, reachable: false });
    network.setPath({ to: FIREWALL4, reachable: false });
    // The inside has no route over the Wi-Fi: what a host mixing the VPN's
    // answer with the Wi-Fi's route would meet.
    network.setPath({ pvdId: wifi.pvdId, to: "fd00::/8", reachable: false });
    network.setPath({ pvdId: wifi.pvdId, to: "10.0.0.0/8", reachable: false });
    return host(network, wifi.pvdId, (random) => {
      network.setPath({ pvdId: wifi.pvdId, to: "2001:db8:b::/64", latencyMs: jitter(random, 3) });
      network.setPath({ pvdId: vpn.pvdId, to: "fd00:c0de::/64", latencyMs: jitter(random, 30) });
      network.setPath({ pvdId: vpn.pvdId, to: "fd00:c0de:1::/64", latencyMs: jitter(random, 30) });
      network.setPath({ pvdId: vpn.pvdId, to: "10.1.0.0/16", latencyMs: jitter(random, 30) });
      return nothing;
    }, INTRANET);
  },
};

const pvdVanishes: PolicyScenario = {
  name: "pvd-vanishes",
  description: "A busy Wi-Fi first (DNS 5 ms, server 60 ms), removed at a random time 0-300 ms into the race " +
    "(and back for the next), beside an IPv6-only cellular PvD (DNS 40 ms, server 50 ms)",
  build({ seed }) {
    const { network, first: wifi, second: cell } = twoPublicProviders(seed, WIFI, CELLULAR);
    return host(network, wifi.pvdId, (random) => {
      network.setPath({ pvdId: wifi.pvdId, to: "2001:db8:b::/64", latencyMs: jitter(random, 5) });
      network.setPath({ pvdId: wifi.pvdId, to: ORIGIN6, latencyMs: jitter(random, 60) });
      network.setPath({ pvdId: wifi.pvdId, to: ORIGIN4, latencyMs: jitter(random, 60) });
      network.setPath({ pvdId: cell.pvdId, to: "2001:db8:d::/64", latencyMs: jitter(random, 40) });
      network.setPath({ pvdId: cell.pvdId, to: ORIGIN6, latencyMs: jitter(random, 50) });
      let removed = false;
      const timer: TimerHandle = network.clock.setTimer(uniform(random, 0, 300), () => {
        removed = true;
        network.removePvd(wifi.pvdId);
      });
      return () => {
        network.clock.clearTimer(timer);
        if (removed) attachPvd(network, wifi.interfaceId, WIFI);
      };
    });
  },
};

/**
 * Every scenario of the benchmark, in table order: `healthy`,
 * `ipv6-blackhole`, `dead-upstream`, `cellular`, `lossy`, `split-horizon`,
 * `pvd-vanishes`. Each builds a fresh {@linkcode BenchmarkHost}.
 *
 * @example Describe the scenarios
 * ```ts
 * import { POLICY_SCENARIOS } from "./policy_comparison.ts";
 *
 * for (const scenario of POLICY_SCENARIOS) console.log(`${scenario.name}: ${scenario.description}`);
 * if (POLICY_SCENARIOS.length !== 7) throw new Error();
 * ```
 */
export const POLICY_SCENARIOS: readonly PolicyScenario[] = Object.freeze([
  healthy,
  ipv6Blackhole,
  deadUpstream,
  cellular,
  lossy,
  splitHorizon,
  pvdVanishes,
]);

// ---------------------------------------------------------------------------
// Policies
// ---------------------------------------------------------------------------

/**
 * A policy of the benchmark: a name, what it does, and the
 * {@linkcode RacePolicy} it stands for on a given host.
 *
 * @example
 * ```ts
 * import { BENCHMARK_POLICIES, type BenchmarkPolicy } from "./policy_comparison.ts";
 *
 * const prefer: BenchmarkPolicy = BENCHMARK_POLICIES.find((p) => p.name === "prefer-first-pvd")!;
 * if (prefer.policyFor("pvd.wifi.example").pvds?.["pvd.wifi.example"] !== "prefer") throw new Error();
 * ```
 */
export interface BenchmarkPolicy {
  /** Short name, as in the table. */
  readonly name: string;
  /** What it does, in a sentence. */
  readonly description: string;
  /**
   * The racing policy on a host.
   *
   * @param firstPvd The host's first PvD.
   */
  policyFor(firstPvd: PvdId): RacePolicy;
}

/**
 * The policies compared, in table (and colour) order, from
 * {@linkcode RACE_POLICIES}: `adaptive` (the API's default), `rfc8305`,
 * `ipv4-first`, `prefer-first-pvd`, `rtt-history`, `node-like`, `deno-like`.
 *
 * @example Their names
 * ```ts
 * import { BENCHMARK_POLICIES } from "./policy_comparison.ts";
 *
 * const names = BENCHMARK_POLICIES.map((p) => p.name).join();
 * if (names !== "adaptive,rfc8305,ipv4-first,prefer-first-pvd,rtt-history,node-like,deno-like") throw new Error(names);
 * ```
 */
export const BENCHMARK_POLICIES: readonly BenchmarkPolicy[] = Object.freeze([
  {
    name: "adaptive",
    description: "The API's default: PvDs by measured RTT, the next one after twice the first one's RTT (10 to 250 ms)",
    policyFor: () => RACE_POLICIES.adaptive,
  },
  {
    name: "rfc8305",
    description: "RFC 8305 defaults in every PvD at once (IPv6 first, 250 ms attempt delay)",
    policyFor: () => RACE_POLICIES.rfc8305,
  },
  {
    name: "ipv4-first",
    description: "The same with IPv4 tried first",
    policyFor: () => RACE_POLICIES.ipv4First,
  },
  {
    name: "prefer-first-pvd",
    description: "The first PvD; the others 250 ms later, or as soon as it is exhausted",
    policyFor: (firstPvd: PvdId) => ({ ...RACE_POLICIES.preferPvd(firstPvd), name: "prefer-first-pvd" }),
  },
  {
    name: "rtt-history",
    description: "PvDs ordered by the smoothed RTT of past winners, each next one 100 ms later",
    policyFor: () => RACE_POLICIES.rttHistory,
  },
  {
    name: "node-like",
    description: "Node's autoSelectFamily: the first PvD only, both answers at once, each attempt given up at 250 ms",
    policyFor: () => RACE_POLICIES.nodeLike,
  },
  {
    name: "deno-like",
    description: "Deno's Happy Eyeballs: the first PvD only, both answers at once, attempts kept in flight",
    policyFor: () => RACE_POLICIES.denoLike,
  },
]);

// ---------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------

/**
 * Options of {@linkcode comparePolicies}.
 *
 * @example
 * ```ts
 * import type { ComparePoliciesOptions } from "./policy_comparison.ts";
 *
 * const options: ComparePoliciesOptions = { races: 50, seed: 7, scenarios: ["lossy"], timeout: 5_000 };
 * if (options.races !== 50) throw new Error();
 * ```
 */
export interface ComparePoliciesOptions {
  /** Races per scenario and policy; {@linkcode DEFAULT_RACES} when absent. */
  readonly races?: number;
  /** Seed of every random draw (latencies, loss, events), an integer taken modulo 2^32; 1 when absent. */
  readonly seed?: number;
  /** Scenario names, in the order wanted; every one of {@linkcode POLICY_SCENARIOS} when absent. */
  readonly scenarios?: readonly string[];
  /** Policy names, in the order wanted; every one of {@linkcode BENCHMARK_POLICIES} when absent. */
  readonly policies?: readonly string[];
  /** Overall limit of each race, virtual ms; a race still going then is a failure. 10,000 when absent. */
  readonly timeout?: number;
}

/**
 * Races per scenario and policy when {@linkcode ComparePoliciesOptions.races}
 * is absent: enough that the 99th percentile rests on five races, and the
 * whole run (42 cells, 21,000 races in virtual time) takes seconds.
 *
 * @example
 * ```ts
 * import { DEFAULT_RACES } from "./policy_comparison.ts";
 *
 * if (DEFAULT_RACES !== 500) throw new Error();
 * ```
 */
export const DEFAULT_RACES = 500;

/**
 * One policy's races in one scenario.
 *
 * @example
 * ```ts
 * import type { PolicyCell } from "./policy_comparison.ts";
 *
 * function winRate(cell: PolicyCell): number {
 *   return cell.samples.length / cell.races;
 * }
 * ```
 */
export interface PolicyCell {
  /** The scenario's name. */
  readonly scenario: string;
  /** The policy's name. */
  readonly policy: string;
  /** Races run. */
  readonly races: number;
  /** Time to connect of each race that connected, virtual ms from the call, DNS included; in race order. */
  readonly samples: readonly number[];
  /** Races that did not connect (failed, or still going at the timeout). */
  readonly failures: number;
  /** The failures by error code (`timed-out`, `connection-failed`, `resolution-failed`, …). */
  readonly failureCodes: Readonly<Record<string, number>>;
  /** Connected races by the PvD of the winner. */
  readonly winners: Readonly<Record<PvdId, number>>;
  /**
   * The most connections the network still held open after a race ended
   * and its token was closed: 0 unless the racing code leaks a socket.
   */
  readonly openConnectionsAfterRace: number;
}

/**
 * What {@linkcode comparePolicies} measured: the parameters, and one cell
 * per scenario and policy, scenario by scenario, policies in their order.
 *
 * @example
 * ```ts
 * import type { PolicyComparison } from "./policy_comparison.ts";
 *
 * function cellOf(comparison: PolicyComparison, scenario: string, policy: string) {
 *   return comparison.cells.find((c) => c.scenario === scenario && c.policy === policy);
 * }
 * ```
 */
export interface PolicyComparison {
  /** Races per cell. */
  readonly races: number;
  /** The seed. */
  readonly seed: number;
  /** Each race's overall timeout, ms. */
  readonly timeout: number;
  /** The scenarios run, in order. */
  readonly scenarios: readonly string[];
  /** The policies run, in order. */
  readonly policies: readonly string[];
  /** One per scenario and policy. */
  readonly cells: readonly PolicyCell[];
}

/** Cells run at once: well below the core's {@linkcode MAX_RACES} slots, one race per cell at a time. */
const CONCURRENT_CELLS = Math.floor(MAX_RACES / 2);
/** Virtual time between two races: closes travel, then the next race starts on a quiet network. */
const GAP_MS = 1_000;
/** Timers a race may fire in virtual time before the run is deemed stuck (a race fires a few dozen). */
const MAX_STEPS_PER_RACE = 100_000;

/**
 * Runs the benchmark: for each scenario and policy, a fresh host and API,
 * then `races` connection races one after the other in virtual time, each
 * on freshly drawn latencies. Up to 32 cells run concurrently, each on its
 * own virtual clock; a cell's results depend only on the seed, its scenario
 * and its policy, not on which other cells run or in what order.
 *
 * @example The one-network policies against RFC 8305 when a Wi-Fi's upstream is dead
 * ```ts
 * import { comparePolicies } from "./policy_comparison.ts";
 *
 * const { cells } = await comparePolicies({ races: 10, seed: 3, scenarios: ["dead-upstream"] });
 * const failed = Object.fromEntries(cells.map((c) => [c.policy, c.failures]));
 * if (failed["rfc8305"] !== 0 || failed["deno-like"] !== 10) throw new Error(JSON.stringify(failed));
 * ```
 *
 * @param options Races per cell, seed, which scenarios and policies, the timeout.
 * @returns Every cell's samples and failures.
 * @throws {RangeError} For an unknown scenario or policy, or a race count or timeout out of range.
 */
export async function comparePolicies(options: ComparePoliciesOptions = {}): Promise<PolicyComparison> {
  const action = "Cannot compare policies";
  const races = options.races ?? DEFAULT_RACES;
  if (!Number.isSafeInteger(races) || races < 1) {
    throw new RangeError(`${action}: race count ${races} is not a positive integer`);
  }
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`${action}: seed ${seed} is not an integer`);
  const timeout = options.timeout ?? 10_000;
  if (!(timeout > 0 && timeout <= 3_600_000)) {
    throw new RangeError(`${action}: timeout ${timeout} is not from 1 ms to one hour`);
  }
  const scenarios = pick(POLICY_SCENARIOS, options.scenarios, `${action}: unknown scenario`);
  const policies = pick(BENCHMARK_POLICIES, options.policies, `${action}: unknown policy`);
  const jobs = scenarios.flatMap((scenario) =>
    policies.map((policy) => () => runCell(scenario, policy, { races, seed, timeout }))
  );
  // A few cells at a time, each on its own clock: fewer than the core's
  // race slots, since a race waiting for a slot freed on another cell's
  // clock would see its own clock run on meanwhile.
  const cells: PolicyCell[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      cells[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_CELLS, jobs.length) }, worker));
  return {
    races,
    seed,
    timeout,
    scenarios: scenarios.map((s) => s.name),
    policies: policies.map((p) => p.name),
    cells,
  };
}

function pick<T extends { readonly name: string }>(
  all: readonly T[],
  names: readonly string[] | undefined,
  what: string,
): T[] {
  if (names === undefined) return [...all];
  return names.map((name) => {
    const found = all.find((item) => item.name === name);
    if (!found) throw new RangeError(`${what} "${name}" (known: ${all.map((item) => item.name).join(", ")})`);
    return found;
  });
}

/** A seed for one purpose of one scenario, mixed from the run's seed (splitmix32's finalizer). */
function derivedSeed(seed: number, scenario: number, purpose: number): number {
  let z = (seed ^ Math.imul(scenario + 1, 0x9e3779b9) ^ Math.imul(purpose + 1, 0x85ebca6b)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

async function runCell(
  scenario: PolicyScenario,
  policy: BenchmarkPolicy,
  run: { races: number; seed: number; timeout: number },
): Promise<PolicyCell> {
  // Seeds depend on the scenario, not on the policy nor on what else runs:
  // every policy meets the same draws of latencies and events, race by race.
  const index = POLICY_SCENARIOS.indexOf(scenario);
  const host = scenario.build({ seed: derivedSeed(run.seed, index, 0) });
  const draws = new SeededRandom(derivedSeed(run.seed, index, 1));
  const { network } = host;
  const clock = network.clock;
  // Every race is a first connection to the name: with the DNS cache on,
  // every race after the first would skip resolution, and the policies'
  // handling of slow or broken DNS would go unmeasured.
  const api = new MifApi(network, { dnsCache: false });
  const racePolicy = policy.policyFor(host.firstPvd);
  const samples: number[] = [];
  const failureCodes: Record<string, number> = {};
  const winners: Record<PvdId, number> = {};
  let failures = 0;
  let openAfter = 0;
  try {
    for (let i = 0; i < run.races; i++) {
      const cleanup = host.prepare(draws);
      const start = clock.now();
      try {
        const connection = await clock.drive(
          api.connect(host.name, host.port, { policy: racePolicy, timeout: run.timeout }),
          { maxSteps: MAX_STEPS_PER_RACE },
        );
        connection.token.close();
        const { report } = connection;
        const winner = report.attempts.find((a) => a.attempt === report.winner);
        samples.push((winner?.end ?? clock.now()) - start);
        winners[connection.pvdId] = (winners[connection.pvdId] ?? 0) + 1;
      } catch (error) {
        if (!(error instanceof ConnectError)) throw error;
        failures++;
        failureCodes[error.code] = (failureCodes[error.code] ?? 0) + 1;
      } finally {
        cleanup();
      }
      await clock.tick(GAP_MS);
      openAfter = Math.max(openAfter, network.openConnections);
    }
  } finally {
    api.close();
  }
  return {
    scenario: scenario.name,
    policy: policy.name,
    races: run.races,
    samples,
    failures,
    failureCodes,
    winners,
    openConnectionsAfterRace: openAfter,
  };
}

// ---------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------

/**
 * One cell's summary, as `mif policies --json` prints it: the
 * distribution of its times to connect (ms; `null` where there was no
 * success), its failures by code and its winners by PvD.
 *
 * @example
 * ```ts
 * import type { PolicySummary } from "./policy_comparison.ts";
 *
 * const slow = (s: PolicySummary) => s.p90 === null || s.p90 > 1_000;
 * ```
 */
export interface PolicySummary {
  /** The scenario. */
  readonly scenario: string;
  /** The policy. */
  readonly policy: string;
  /** Races run. */
  readonly races: number;
  /** Races that connected. */
  readonly connected: number;
  /** Races that did not. */
  readonly failures: number;
  /** `failures / races`. */
  readonly failureRate: number;
  /** Fastest connection, ms. */
  readonly min: number | null;
  /** Median (nearest rank) of the connected races, ms. */
  readonly p50: number | null;
  /** 90th percentile, ms. */
  readonly p90: number | null;
  /** 99th percentile, ms. */
  readonly p99: number | null;
  /** Slowest connection, ms. */
  readonly max: number | null;
  /** Mean of the connected races, ms. */
  readonly mean: number | null;
  /** Failures by error code. */
  readonly failureCodes: Readonly<Record<string, number>>;
  /** Connected races by the winner's PvD. */
  readonly winners: Readonly<Record<PvdId, number>>;
}

/**
 * The summary of every cell, in the comparison's order, as plain data for
 * JSON (a statistic without any success is `null`).
 *
 * @example
 * ```ts
 * import { comparePolicies, summarizeComparison } from "./policy_comparison.ts";
 *
 * const comparison = await comparePolicies({ races: 5, scenarios: ["healthy"], policies: ["rfc8305"] });
 * const [summary] = summarizeComparison(comparison);
 * if (summary?.connected !== 5 || summary.p50 === null) throw new Error(JSON.stringify(summary));
 * console.log(JSON.stringify(summary));
 * ```
 *
 * @param comparison What {@linkcode comparePolicies} returned.
 * @returns One summary per cell.
 */
export function summarizeComparison(comparison: PolicyComparison): PolicySummary[] {
  return comparison.cells.map((cell) => {
    const s = summarize(cell.samples, cell.failures);
    const orNull = (v: number) => Number.isNaN(v) ? null : v;
    return {
      scenario: cell.scenario,
      policy: cell.policy,
      races: s.races,
      connected: s.count,
      failures: s.failures,
      failureRate: s.failureRate,
      min: orNull(s.min),
      p50: orNull(s.p50),
      p90: orNull(s.p90),
      p99: orNull(s.p99),
      max: orNull(s.max),
      mean: orNull(s.mean),
      failureCodes: cell.failureCodes,
      winners: cell.winners,
    };
  });
}

/**
 * The report of a comparison in three forms.
 *
 * @example
 * ```ts
 * import type { PolicyReport } from "./policy_comparison.ts";
 *
 * const print = (report: PolicyReport) => console.log(report.table);
 * ```
 */
export interface PolicyReport {
  /** The percentile table as plain text, for a terminal. */
  readonly table: string;
  /** The same table in Markdown, for a README. */
  readonly markdown: string;
  /** The chart: one panel per scenario, each policy's cumulative distribution of the time to connect. */
  readonly svg: string;
}

/**
 * Renders a comparison: the percentile table (scenario, policy, races,
 * failed %, p50, p90, p99 and max in ms) as text and as Markdown, and the
 * SVG chart of cumulative distributions, one panel per scenario, each
 * policy keeping its colour in every panel (the order of
 * {@linkcode BENCHMARK_POLICIES}).
 *
 * @example
 * ```ts
 * import { comparePolicies, renderPolicyReport } from "./policy_comparison.ts";
 *
 * const comparison = await comparePolicies({ races: 5, scenarios: ["healthy", "lossy"], policies: ["rfc8305"] });
 * const { table, markdown, svg } = renderPolicyReport(comparison);
 * if (!table.includes("lossy") || !markdown.startsWith("| scenario") || !svg.includes("<svg")) throw new Error();
 * ```
 *
 * @param comparison What {@linkcode comparePolicies} returned.
 * @returns The table, the Markdown table and the SVG document.
 */
export function renderPolicyReport(comparison: PolicyComparison): PolicyReport {
  const rows: TableRow[] = comparison.cells.map((cell) => ({
    scenario: cell.scenario,
    policy: cell.policy,
    summary: summarize(cell.samples, cell.failures),
  }));
  const panels = comparison.scenarios.map((scenario) => ({
    title: scenario,
    series: comparison.cells
      .filter((cell) => cell.scenario === scenario)
      .map((cell) => ({ name: cell.policy, samples: cell.samples, failures: cell.failures })),
  }));
  const svg = renderCdfSvg(panels, {
    title:
      `Time to connect by racing policy (${comparison.races} races per policy and scenario, seed ${comparison.seed})`,
    policies: BENCHMARK_POLICIES.map((p) => p.name),
  });
  return {
    table: renderTable(rows),
    markdown: renderMarkdownTable(rows),
    svg,
  };
}
