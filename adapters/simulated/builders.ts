/**
 * Builders for the configuration elements a simulated link carries: a
 * router advertisement, a DHCPv4 lease, a DHCPv6 reply, static host
 * configuration. Lifetimes are in seconds, as the protocols carry them;
 * addresses are stored in canonical text.
 *
 * @module
 */

import { parseIpAddress } from "../../core-as/ip_address.ts";
import type {
  ConfigurationData,
  ConfigurationElement,
  DnsServer,
  Prefix,
  Route,
  Router,
  SearchDomain,
} from "../../api/messages.ts";
import { parsePrefix } from "./_prefix.ts";

/** Element data being assembled: ConfigurationData without `readonly`. */
type MutableData = {
  -readonly [K in keyof ConfigurationData]: ConfigurationData[K];
};

/** RFC 4861 section 6.2.1 AdvDefaultLifetime default: 3 × MaxRtrAdvInterval (600 s). */
const DEFAULT_ROUTER_LIFETIME = 1800;
/** RFC 4861 section 6.2.1 AdvValidLifetime default: 30 days. */
const DEFAULT_VALID_LIFETIME = 2_592_000;
/** RFC 4861 section 6.2.1 AdvPreferredLifetime default: 7 days. */
const DEFAULT_PREFERRED_LIFETIME = 604_800;
/** RFC 8106 section 5.1: at least 3 × MaxRtrAdvInterval. */
const DEFAULT_RDNSS_LIFETIME = 1800;

/**
 * A prefix for {@linkcode raElement}.
 *
 * @example
 * ```ts
 * import { raElement, type RaPrefixOptions } from "./builders.ts";
 *
 * const prefix: RaPrefixOptions = { prefix: "2001:db8:a::/64", validLifetime: 7200, preferredLifetime: 3600 };
 * const ra = raElement({ router: "2001:db8:a::1", prefixes: [prefix] });
 * if (ra.data.prefixes?.[0]?.preferredLifetime !== 3600) throw new Error("unexpected");
 * ```
 */
export interface RaPrefixOptions {
  /** `address/length`, such as `2001:db8:a::/64`. */
  readonly prefix: string;
  /** Valid lifetime in seconds; 30 days when absent. */
  readonly validLifetime?: number;
  /** Preferred lifetime in seconds; 7 days when absent. */
  readonly preferredLifetime?: number;
  /** L flag; true when absent. */
  readonly onLink?: boolean;
  /** A flag (SLAAC); true when absent. */
  readonly autonomous?: boolean;
}

/**
 * A more-specific route for {@linkcode raElement} or {@linkcode dhcpv4Element}.
 *
 * @example
 * ```ts
 * import { raElement, type RouteOptions } from "./builders.ts";
 *
 * const route: RouteOptions = { prefix: "2001:db8:f::/48", preference: "high", lifetime: 600 };
 * const ra = raElement({ router: "2001:db8:a::1", routes: [route] });
 * if (ra.data.routes?.[0]?.length !== 48) throw new Error("unexpected");
 * ```
 */
export interface RouteOptions {
  /** `address/length` of the destination. */
  readonly prefix: string;
  /** Next hop; the element's router when absent. */
  readonly via?: string;
  /** Lifetime in seconds; the element's default when absent. */
  readonly lifetime?: number;
  /** RFC 4191 preference; `medium` when absent. */
  readonly preference?: "high" | "medium" | "low";
}

/**
 * What {@linkcode raElement} puts in a router advertisement.
 *
 * @example
 * ```ts
 * import { raElement, type RaElementOptions } from "./builders.ts";
 *
 * const options: RaElementOptions = { router: "2001:db8:a::1", routerLifetime: 0, mtu: 1280 };
 * const ra = raElement(options);
 * if (ra.data.routers !== undefined || ra.data.mtu !== 1280) throw new Error("unexpected");
 * ```
 */
export interface RaElementOptions {
  /** The router's address (the RA's source), also the element's identifier. */
  readonly router: string;
  /** Router lifetime in seconds; 1800 when absent; 0 means "not a default router". */
  readonly routerLifetime?: number;
  /** Default router preference (RFC 4191); `medium` when absent. */
  readonly preference?: "high" | "medium" | "low";
  /** Prefix Information options. */
  readonly prefixes?: readonly RaPrefixOptions[];
  /** RDNSS addresses (RFC 8106). */
  readonly rdnss?: readonly string[];
  /** RDNSS lifetime in seconds; 1800 when absent. */
  readonly rdnssLifetime?: number;
  /** DNSSL domains (RFC 8106). */
  readonly dnssl?: readonly string[];
  /** DNSSL lifetime in seconds; the RDNSS lifetime when absent. */
  readonly dnsslLifetime?: number;
  /** MTU option. */
  readonly mtu?: number;
  /** Route Information options (RFC 4191). */
  readonly routes?: readonly RouteOptions[];
  /** Captive portal URI (RFC 8910). */
  readonly captivePortal?: string;
}

/**
 * A router advertisement as a configuration element of type `ra`.
 *
 * @example
 * ```ts
 * import { raElement } from "./builders.ts";
 *
 * const ra = raElement({
 *   router: "fe80::1",
 *   prefixes: [{ prefix: "2001:db8:a::/64" }],
 *   rdnss: ["2001:db8:a::53"],
 *   dnssl: ["provider-a.example"],
 *   mtu: 1500,
 * });
 * if (ra.elementType !== "ra" || ra.data["dns-servers"]?.[0]?.address !== "2001:db8:a::53") {
 *   throw new Error("unexpected");
 * }
 * ```
 */
export function raElement(options: RaElementOptions): ConfigurationElement {
  const router = canonical(options.router);
  const routerLifetime = options.routerLifetime ?? DEFAULT_ROUTER_LIFETIME;
  const rdnssLifetime = options.rdnssLifetime ?? DEFAULT_RDNSS_LIFETIME;
  const data: MutableData = {};
  // RFC 4861 section 6.3.4: a router lifetime of 0 means the router is not a
  // default router, so it is left out of the list rather than listed as expired.
  if (routerLifetime > 0) {
    data.routers = [{
      address: router,
      lifetime: routerLifetime,
      preference: options.preference ?? "medium",
    }] satisfies Router[];
  }
  if (options.prefixes?.length) {
    data.prefixes = options.prefixes.map((p): Prefix => {
      const parsed = parsePrefix(p.prefix);
      const validLifetime = p.validLifetime ?? DEFAULT_VALID_LIFETIME;
      return {
        prefix: parsed.text.slice(0, parsed.text.indexOf("/")),
        length: parsed.length,
        validLifetime,
        // RFC 4862 section 5.5.3 c): a preferred lifetime above the valid one is invalid; clamp it.
        preferredLifetime: Math.min(
          p.preferredLifetime ?? DEFAULT_PREFERRED_LIFETIME,
          validLifetime,
        ),
        onLink: p.onLink ?? true,
        autonomous: p.autonomous ?? true,
      };
    });
  }
  if (options.rdnss?.length) {
    data["dns-servers"] = options.rdnss.map((a): DnsServer => ({
      address: canonical(a),
      lifetime: rdnssLifetime,
    }));
  }
  if (options.dnssl?.length) {
    const lifetime = options.dnsslLifetime ?? rdnssLifetime;
    data["search-domains"] = options.dnssl.map((d): SearchDomain => ({
      domain: domainName(d),
      lifetime,
    }));
  }
  if (options.routes?.length) {
    data.routes = options.routes.map((r) => route(r, routerLifetime));
  }
  if (options.mtu !== undefined) data.mtu = options.mtu;
  if (options.captivePortal !== undefined) {
    data["captive-portal"] = options.captivePortal;
  }
  return { elementType: "ra", elementId: router, data };
}

/**
 * What {@linkcode dhcpv4Element} puts in a DHCPv4 lease.
 *
 * @example
 * ```ts
 * import { dhcpv4Element, type Dhcpv4ElementOptions } from "./builders.ts";
 *
 * const options: Dhcpv4ElementOptions = { server: "192.0.2.1", leaseTime: 600, routers: ["192.0.2.1"] };
 * if (dhcpv4Element(options).elementId !== "192.0.2.1") throw new Error("unexpected");
 * ```
 */
export interface Dhcpv4ElementOptions {
  /** Server identifier (option 54), also the element's identifier. */
  readonly server: string;
  /** Lease time in seconds (option 51); every datum of the lease lasts this long. */
  readonly leaseTime: number;
  /** Routers (option 3), in preference order. */
  readonly routers?: readonly string[];
  /** The subnet, `address/length` (from option 1), as an on-link prefix. */
  readonly subnet?: string;
  /** DNS servers (option 6). */
  readonly dnsServers?: readonly string[];
  /** Domain name (option 15), used as the first search domain. */
  readonly domain?: string;
  /** Domain search list (option 119), after the domain name. */
  readonly searchDomains?: readonly string[];
  /** Interface MTU (option 26). */
  readonly mtu?: number;
  /** Classless static routes (option 121). */
  readonly routes?: readonly RouteOptions[];
  /** Captive portal URI (option 114, RFC 8910). */
  readonly captivePortal?: string;
}

/**
 * A DHCPv4 lease as a configuration element of type `dhcpv4`.
 *
 * @example
 * ```ts
 * import { dhcpv4Element } from "./builders.ts";
 *
 * const lease = dhcpv4Element({
 *   server: "192.0.2.1",
 *   leaseTime: 3600,
 *   routers: ["192.0.2.1"],
 *   subnet: "192.0.2.0/24",
 *   dnsServers: ["192.0.2.53"],
 *   domain: "provider-a.example",
 * });
 * if (lease.data["search-domains"]?.[0]?.domain !== "provider-a.example") throw new Error("unexpected");
 * ```
 */
export function dhcpv4Element(
  options: Dhcpv4ElementOptions,
): ConfigurationElement {
  const lifetime = options.leaseTime;
  const data: MutableData = {};
  if (options.routers?.length) {
    data.routers = options.routers.map((a): Router => ({
      address: canonical(a),
      lifetime,
      preference: "medium",
    }));
  }
  if (options.subnet !== undefined) {
    const parsed = parsePrefix(options.subnet);
    data.prefixes = [{
      prefix: parsed.text.slice(0, parsed.text.indexOf("/")),
      length: parsed.length,
      validLifetime: lifetime,
      preferredLifetime: lifetime,
      onLink: true,
      autonomous: false,
    }] satisfies Prefix[];
  }
  if (options.dnsServers?.length) {
    data["dns-servers"] = options.dnsServers.map((a): DnsServer => ({
      address: canonical(a),
      lifetime,
    }));
  }
  const domains = [
    ...(options.domain === undefined ? [] : [options.domain]),
    ...(options.searchDomains ?? []),
  ];
  if (domains.length > 0) {
    data["search-domains"] = [...new Set(domains.map(domainName))].map((
      domain,
    ): SearchDomain => ({ domain, lifetime }));
  }
  if (options.routes?.length) {
    data.routes = options.routes.map((r) => route(r, lifetime));
  }
  if (options.mtu !== undefined) data.mtu = options.mtu;
  if (options.captivePortal !== undefined) {
    data["captive-portal"] = options.captivePortal;
  }
  return { elementType: "dhcpv4", elementId: canonical(options.server), data };
}

/**
 * What {@linkcode dhcpv6Element} puts in a DHCPv6 reply.
 *
 * @example
 * ```ts
 * import { dhcpv6Element, type Dhcpv6ElementOptions } from "./builders.ts";
 *
 * const options: Dhcpv6ElementOptions = { server: "00:01:00:01:2a:bc", searchDomains: ["corp.example"] };
 * if (dhcpv6Element(options).elementId !== "00:01:00:01:2a:bc") throw new Error("unexpected");
 * ```
 */
export interface Dhcpv6ElementOptions {
  /** The server (its address or DUID text), the element's identifier. */
  readonly server: string;
  /** Lifetime in seconds of the data (information refresh time); infinite when absent. */
  readonly lifetime?: number;
  /** DNS recursive name servers (option 23). */
  readonly dnsServers?: readonly string[];
  /** Domain search list (option 24). */
  readonly searchDomains?: readonly string[];
}

/**
 * A DHCPv6 reply (stateless or stateful) as a configuration element of type `dhcpv6`.
 *
 * @example
 * ```ts
 * import { dhcpv6Element } from "./builders.ts";
 *
 * const reply = dhcpv6Element({ server: "2001:db8:a::547", dnsServers: ["2001:db8:a::53"], lifetime: 86400 });
 * if (reply.data["dns-servers"]?.[0]?.lifetime !== 86400) throw new Error("unexpected");
 * ```
 */
export function dhcpv6Element(
  options: Dhcpv6ElementOptions,
): ConfigurationElement {
  const lifetime = options.lifetime ?? Infinity;
  const data: MutableData = {};
  if (options.dnsServers?.length) {
    data["dns-servers"] = options.dnsServers.map((a): DnsServer => ({
      address: canonical(a),
      lifetime,
    }));
  }
  if (options.searchDomains?.length) {
    data["search-domains"] = options.searchDomains.map((d): SearchDomain => ({
      domain: domainName(d),
      lifetime,
    }));
  }
  let server = options.server;
  try {
    server = canonical(server);
  } catch {
    // A DUID, not an address: kept as given.
  }
  return { elementType: "dhcpv6", elementId: server, data };
}

/**
 * What {@linkcode staticElement} holds: host configuration such as resolv.conf.
 *
 * @example
 * ```ts
 * import { staticElement, type StaticElementOptions } from "./builders.ts";
 *
 * const options: StaticElementOptions = { elementId: "resolv.conf", dnsServers: ["192.0.2.53"] };
 * if (staticElement(options).elementId !== "resolv.conf") throw new Error("unexpected");
 * ```
 */
export interface StaticElementOptions {
  /** DNS servers. */
  readonly dnsServers?: readonly string[];
  /** Search domains. */
  readonly searchDomains?: readonly string[];
  /** The element's identifier; `static` when absent. */
  readonly elementId?: string;
}

/**
 * Static host configuration as a configuration element of type `static`;
 * its data never expires.
 *
 * @example
 * ```ts
 * import { staticElement } from "./builders.ts";
 *
 * const conf = staticElement({ dnsServers: ["192.0.2.53"], searchDomains: ["corp.example"] });
 * if (conf.elementId !== "static" || conf.data["dns-servers"]?.[0]?.lifetime !== Infinity) throw new Error("unexpected");
 * ```
 */
export function staticElement(
  options: StaticElementOptions,
): ConfigurationElement {
  const data: MutableData = {};
  if (options.dnsServers?.length) {
    data["dns-servers"] = options.dnsServers.map((a): DnsServer => ({
      address: canonical(a),
      lifetime: Infinity,
    }));
  }
  if (options.searchDomains?.length) {
    data["search-domains"] = options.searchDomains.map((d): SearchDomain => ({
      domain: domainName(d),
      lifetime: Infinity,
    }));
  }
  return {
    elementType: "static",
    elementId: options.elementId ?? "static",
    data,
  };
}

/**
 * How long an element lasts, in seconds: the longest lifetime among the
 * data it holds (a router lifetime, a prefix's valid lifetime, a DNS
 * server's lifetime). `Infinity` when a datum never expires or none has a
 * lifetime (an element holding only an MTU).
 *
 * @example
 * ```ts
 * import { dhcpv4Element, elementLifetime } from "./builders.ts";
 *
 * const lease = dhcpv4Element({ server: "192.0.2.1", leaseTime: 600, dnsServers: ["192.0.2.53"] });
 * if (elementLifetime(lease) !== 600) throw new Error("unexpected");
 * ```
 */
export function elementLifetime(element: ConfigurationElement): number {
  const data = element.data;
  const lifetimes = [
    ...(data.routers ?? []).map((r) => r.lifetime),
    ...(data.prefixes ?? []).map((p) => p.validLifetime),
    ...(data.routes ?? []).map((r) => r.lifetime),
    ...(data["dns-servers"] ?? []).map((d) => d.lifetime),
    ...(data["search-domains"] ?? []).map((d) => d.lifetime),
  ];
  return lifetimes.length === 0 ? Infinity : Math.max(...lifetimes);
}

function canonical(address: string): string {
  return parseIpAddress(address).text;
}

function domainName(domain: string): string {
  const lower = domain.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

function route(options: RouteOptions, defaultLifetime: number): Route {
  const parsed = parsePrefix(options.prefix);
  const base = {
    prefix: parsed.text.slice(0, parsed.text.indexOf("/")),
    length: parsed.length,
    lifetime: options.lifetime ?? defaultLifetime,
    preference: options.preference ?? "medium",
  };
  return options.via === undefined ? base : { ...base, via: canonical(options.via) };
}
