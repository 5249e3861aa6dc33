/**
 * The parser benchmark's cases, shared by `parsers_bench.ts` (`deno bench`)
 * and `parsers_report.ts` (packets and bytes per second): each case runs
 * one path over every packet of one group of the corpus.
 *
 * Paths: the WebAssembly core validating only (`validate*`), the eager
 * bindings (`parse*`, full objects), the on-access views (`view*`), and the
 * baseline TypeScript parsers of `baseline/` (full objects, the same as the
 * eager bindings'). Scenarios: building the objects, and reading the fields
 * a host adapter needs from them.
 *
 * @module
 */

import { type CorpusPacket, loadCorpus, type Protocol } from "./_corpus.ts";
import { parseRouterAdvertisement as baselineRa } from "./baseline/router_advertisement.ts";
import { parseDhcpv6 as baselineDhcpv6 } from "./baseline/dhcpv6.ts";
import { parseDhcpv4 as baselineDhcpv4 } from "./baseline/dhcpv4.ts";
import { type NdOption, parseRouterAdvertisement, type RouterAdvertisement } from "../core-as/router_advertisement.ts";
import {
  type RouterAdvertisementView,
  validateRouterAdvertisement,
  viewRouterAdvertisement,
} from "../core-as/router_advertisement_view.ts";
import { type Dhcpv6Message, type Dhcpv6Option, parseDhcpv6 } from "../core-as/dhcpv6.ts";
import { type Dhcpv6View, validateDhcpv6, viewDhcpv6 } from "../core-as/dhcpv6_view.ts";
import { type Dhcpv4Message, parseDhcpv4 } from "../core-as/dhcpv4.ts";
import { type Dhcpv4View, validateDhcpv4, viewDhcpv4 } from "../core-as/dhcpv4_view.ts";

/** A group of the corpus: one protocol, or all of them interleaved. */
export type Group = Protocol | "mixed";

/** What a case does with each packet. */
export type Scenario = "parse" | "adapter";

/** One benchmark case. */
export interface Case {
  /** The packets it runs over. */
  readonly group: Group;
  /** Build objects, or read the adapter's fields. */
  readonly scenario: Scenario;
  /** The path, as printed. */
  readonly name: string;
  /** True for the baseline TypeScript parser (the reference of its group). */
  readonly baseline: boolean;
  /** Runs the path over every packet of the group once; returns a checksum so nothing is optimised away. */
  readonly run: () => number;
}

/** The packets of one group and their size. */
export interface GroupCorpus {
  readonly group: Group;
  readonly packets: readonly CorpusPacket[];
  readonly bytes: number;
}

// ---------------------------------------------------------------------------
// Reading what an adapter needs

/** Folds a string into the checksum (its length and a character). */
function text(s: string | undefined): number {
  return s === undefined ? 0 : s.length + (s.charCodeAt(s.length - 1) | 0);
}

/** Lifetimes may be Infinity; keep the checksum finite. */
function time(n: number): number {
  return n === Infinity ? 1 : n;
}

/**
 * From a parsed RA: router lifetime, prefixes, RDNSS, DNSSL, MTU and PvD
 * ID, from the message and its first PvD ID option, as
 * `configurationFromRouterAdvertisement` walks them.
 */
function readRa(ra: RouterAdvertisement): number {
  let sum = ra.routerLifetime;
  let pvdSeen = false;
  const visit = (option: NdOption): void => {
    switch (option.type) {
      case "prefix-information":
        sum += text(option.prefix) + option.prefixLength + time(option.validLifetime) +
          time(option.preferredLifetime) + (option.onLink ? 1 : 0) + (option.autonomous ? 1 : 0);
        break;
      case "rdnss":
        sum += time(option.lifetime);
        for (const server of option.servers) sum += text(server);
        break;
      case "dnssl":
        sum += time(option.lifetime);
        for (const domain of option.domains) sum += text(domain);
        break;
      case "mtu":
        sum += option.mtu;
        break;
      case "pvd":
        if (pvdSeen) break;
        pvdSeen = true;
        sum += text(option.pvdId);
        for (const nested of option.options) visit(nested);
        break;
    }
  };
  for (const option of ra.options) visit(option);
  return sum;
}

/** The same fields through the view's accessors. */
function readRaView(ra: RouterAdvertisementView): number {
  let sum = ra.routerLifetime;
  for (const option of ra.prefixes) {
    sum += text(option.prefix) + option.prefixLength + time(option.validLifetime) +
      time(option.preferredLifetime) + (option.onLink ? 1 : 0) + (option.autonomous ? 1 : 0);
  }
  for (const option of ra.rdnss) {
    sum += time(option.lifetime);
    for (const server of option.servers) sum += text(server);
  }
  for (const option of ra.dnssl) {
    sum += time(option.lifetime);
    for (const domain of option.domains) sum += text(domain);
  }
  return sum + (ra.mtu ?? 0) + text(ra.pvdId);
}

function readIaAddress(option: Dhcpv6Option): number {
  return option.name === "ia-address"
    ? text(option.address) + time(option.preferredLifetime) + time(option.validLifetime)
    : 0;
}

/** From a parsed DHCPv6 message: message type, DNS servers, domain list, IA addresses. */
function readDhcpv6(message: Dhcpv6Message): number {
  let sum = text(message.messageType);
  for (const option of message.options) {
    switch (option.name) {
      case "dns-servers":
        for (const server of option.servers) sum += text(server);
        break;
      case "domain-list":
        for (const domain of option.domains) sum += text(domain);
        break;
      case "ia-na":
      case "ia-ta":
        for (const nested of option.options) sum += readIaAddress(nested);
        break;
    }
  }
  return sum;
}

function readDhcpv6View(message: Dhcpv6View): number {
  let sum = text(message.messageType);
  for (const server of message.dnsServers) sum += text(server);
  for (const domain of message.domains) sum += text(domain);
  for (const address of message.iaAddresses) sum += readIaAddress(address);
  return sum;
}

/** From a parsed DHCPv4 message: message type, yiaddr, routers, DNS, lease time, subnet mask. */
function readDhcpv4(message: Dhcpv4Message): number {
  let sum = (message.messageType?.type ?? 0) + text(message.yiaddr);
  for (const option of message.options) {
    switch (option.name) {
      case "router":
      case "domain-name-server":
        for (const address of option.addresses) sum += text(address);
        break;
      case "lease-time":
        sum += time(option.seconds);
        break;
      case "subnet-mask":
        sum += text(option.mask);
        break;
    }
  }
  return sum;
}

function readDhcpv4View(message: Dhcpv4View): number {
  let sum = (message.messageType?.type ?? 0) + text(message.yiaddr);
  for (const address of message.routers) sum += text(address);
  for (const address of message.dnsServers) sum += text(address);
  return sum + time(message.leaseTime ?? 0) + text(message.subnetMask);
}

// ---------------------------------------------------------------------------
// Paths, per protocol

/** What each path does with one packet of a protocol. */
interface Paths {
  readonly validate: (bytes: Uint8Array) => number;
  readonly eager: (bytes: Uint8Array) => number;
  readonly view: (bytes: Uint8Array) => number;
  readonly baseline: (bytes: Uint8Array) => number;
  readonly eagerRead: (bytes: Uint8Array) => number;
  readonly viewRead: (bytes: Uint8Array) => number;
  readonly baselineRead: (bytes: Uint8Array) => number;
}

const PATHS: Readonly<Record<Protocol, Paths>> = {
  "router-advertisement": {
    validate: (b) => (validateRouterAdvertisement(b), 1),
    eager: (b) => parseRouterAdvertisement(b).options.length,
    view: (b) => viewRouterAdvertisement(b).code + 1,
    baseline: (b) => baselineRa(b).options.length,
    eagerRead: (b) => readRa(parseRouterAdvertisement(b)),
    viewRead: (b) => readRaView(viewRouterAdvertisement(b)),
    baselineRead: (b) => readRa(baselineRa(b)),
  },
  "dhcpv6": {
    validate: (b) => (validateDhcpv6(b), 1),
    eager: (b) => parseDhcpv6(b).options.length,
    view: (b) => viewDhcpv6(b).type,
    baseline: (b) => baselineDhcpv6(b).options.length,
    eagerRead: (b) => readDhcpv6(parseDhcpv6(b)),
    viewRead: (b) => readDhcpv6View(viewDhcpv6(b)),
    baselineRead: (b) => readDhcpv6(baselineDhcpv6(b)),
  },
  "dhcpv4": {
    validate: (b) => (validateDhcpv4(b), 1),
    eager: (b) => parseDhcpv4(b).options.length,
    view: (b) => viewDhcpv4(b).op,
    baseline: (b) => baselineDhcpv4(b).options.length,
    eagerRead: (b) => readDhcpv4(parseDhcpv4(b)),
    viewRead: (b) => readDhcpv4View(viewDhcpv4(b)),
    baselineRead: (b) => readDhcpv4(baselineDhcpv4(b)),
  },
};

/** The cases of each group, in the order they are printed. */
const CASES: readonly [Scenario, string, keyof Paths, boolean][] = [
  ["parse", "wasm: validate only (records, no objects)", "validate", false],
  ["parse", "wasm: view created, nothing read", "view", false],
  ["parse", "wasm: eager objects", "eager", false],
  ["parse", "baseline: TypeScript objects", "baseline", true],
  ["adapter", "wasm: view, adapter fields read", "viewRead", false],
  ["adapter", "wasm: eager objects, adapter fields read", "eagerRead", false],
  ["adapter", "baseline: TypeScript objects, adapter fields read", "baselineRead", true],
];

/**
 * Reads the corpus and keeps the packets the WebAssembly parsers accept
 * (the baseline accepts the same ones: `tests/bench_baseline_test.ts`), so
 * that no case measures exceptions.
 */
export function benchCorpus(): GroupCorpus[] {
  const accepted = loadCorpus().filter((packet) => {
    try {
      PATHS[packet.kind].validate(packet.payload);
      return true;
    } catch {
      return false;
    }
  });
  const groups: Group[] = ["router-advertisement", "dhcpv6", "dhcpv4", "mixed"];
  return groups.map((group) => {
    const packets = group === "mixed" ? accepted : accepted.filter((p) => p.kind === group);
    return { group, packets, bytes: packets.reduce((sum, p) => sum + p.payload.length, 0) };
  });
}

/** The cases of every group. */
export function benchCases(corpus: readonly GroupCorpus[]): Case[] {
  const cases: Case[] = [];
  for (const { group, packets } of corpus) {
    const payloads = packets.map((p) => p.payload);
    const kinds = packets.map((p) => p.kind);
    for (const [scenario, name, path, baseline] of CASES) {
      let run: () => number;
      if (group === "mixed") {
        const fns = kinds.map((kind) => PATHS[kind][path]);
        run = () => {
          let sum = 0;
          for (let i = 0; i < payloads.length; i++) sum += fns[i]!(payloads[i]!);
          return sum;
        };
      } else {
        const fn = PATHS[group][path];
        run = () => {
          let sum = 0;
          for (let i = 0; i < payloads.length; i++) sum += fn(payloads[i]!);
          return sum;
        };
      }
      cases.push({ group, scenario, name, baseline, run });
    }
  }
  return cases;
}

/** Group names as printed. */
export const GROUP_NAMES: Readonly<Record<Group, string>> = {
  "router-advertisement": "RA",
  "dhcpv6": "DHCPv6",
  "dhcpv4": "DHCPv4",
  "mixed": "mixed",
};
