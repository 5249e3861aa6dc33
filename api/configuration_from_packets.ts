/**
 * Configuration data from parsed packets: what a host keeps of a Router
 * Advertisement, a DHCPv6 Reply or a DHCPv4 ACK, as the MIF API's
 * {@linkcode ConfigurationData} (section 3.2.7.17) for the PvD it belongs to.
 * The packets are parsed by the WebAssembly core (`@pvd/mif/core`); an
 * adapter maps them with these functions and reports the result as a
 * configuration element.
 *
 * Runtime-neutral: no Deno or Node APIs.
 *
 * @example What an adapter does with a received RA
 * ```ts
 * import { configurationFromRouterAdvertisement } from "./configuration_from_packets.ts";
 * import { parseRouterAdvertisement } from "../core-as/mod.ts";
 *
 * // Type 134, Code 0, Checksum 0, hop limit 64, no flags, Router Lifetime 1800 s.
 * const bytes = new Uint8Array([134, 0, 0, 0, 64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0]);
 * const metadata = { hopLimit: 255, sourceAddress: "fe80::1" };
 * const ra = parseRouterAdvertisement(bytes, metadata);
 * if (ra.invalid.length > 0) throw new Error("discard it"); // RFC 4861 section 6.1.2
 * const data = configurationFromRouterAdvertisement(ra, metadata);
 * if (data.routers?.[0]?.lifetime !== 1800) throw new Error();
 * ```
 *
 * @module
 */

import type {
  NdOption,
  PvdOption,
  RouterAdvertisement,
  RouterAdvertisementHeader,
} from "../core-as/router_advertisement.ts";
import type { Dhcpv6Message } from "../core-as/dhcpv6.ts";
import type {
  Dhcpv4AddressListOption,
  Dhcpv4CaptivePortalOption,
  Dhcpv4ClasslessRoutesOption,
  Dhcpv4DomainNameOption,
  Dhcpv4DomainSearchOption,
  Dhcpv4InterfaceMtuOption,
  Dhcpv4Message,
  Dhcpv4Option,
  Dhcpv4SubnetMaskOption,
  Dhcpv4TimeOption,
} from "../core-as/dhcpv4.ts";
import { formatIpAddress, parseIpAddress } from "../core-as/ip_address.ts";
import { ipv4Bytes, isLinkLocal, maskPrefix } from "../core-as/_prefix.ts";
import type { ConfigurationData, DnsServer, Prefix, Route, Router, SearchDomain } from "./messages.ts";

// ---------------------------------------------------------------------------
// Router Advertisements

/**
 * Maps an RA to the MIF API's configuration data for the PvD it belongs to:
 * what a host keeps of it, with RFC 4861, 4191 and 8106 processing rules
 * applied:
 *
 * - the PvD is the one of the first PvD ID option if any (RFC 8801 section
 *   3.4: "hosts MUST ignore all but the first PvD option"); the options it
 *   carries count along with the others, and the RA header it carries (R
 *   flag) replaces the message's for the router;
 * - `routers`: the RA's source, given as `sourceAddress`, when its Router
 *   Lifetime is not 0;
 * - `prefixes`: Prefix Information with a valid lifetime, the prefix masked
 *   to its length; link-local prefixes are left out (RFC 4861 section
 *   6.3.4: "silently ignore");
 * - `routes`, `dns-servers`, `search-domains`: entries whose lifetime is not
 *   0 (0 withdraws them);
 * - `mtu`: the first MTU option of at least 1280 (the IPv6 minimum);
 * - `captive-portal`: the first Captive Portal URI.
 *
 * Check `ra.invalid` first: an RA failing its receive checks is discarded.
 *
 * @example
 * ```ts
 * import { configurationFromRouterAdvertisement } from "./configuration_from_packets.ts";
 * import { buildRouterAdvertisement, parseRouterAdvertisement } from "../core-as/mod.ts";
 *
 * const ra = parseRouterAdvertisement(buildRouterAdvertisement({
 *   curHopLimit: 64, managed: false, other: false, homeAgent: false, preference: "medium",
 *   proxy: false, reservedFlags: 0, routerLifetime: 1800, reachableTime: 0, retransTimer: 0,
 *   options: [
 *     { type: "rdnss", lifetime: 600, servers: ["2001:db8::53"] },
 *     { type: "mtu", mtu: 1480 },
 *   ],
 * }));
 * const data = configurationFromRouterAdvertisement(ra, { sourceAddress: "fe80::1" });
 * if (data.routers?.[0]?.address !== "fe80::1" || data.mtu !== 1480) throw new Error();
 * if (data["dns-servers"]?.[0]?.lifetime !== 600) throw new Error();
 * ```
 *
 * @param ra A parsed advertisement.
 * @param options `sourceAddress`: the RA's IP source, the router's address.
 * @returns The configuration data; absent keys mean the RA did not provide them.
 * @throws {TypeError} If `sourceAddress` is not an IP address.
 */
export function configurationFromRouterAdvertisement(
  ra: RouterAdvertisement,
  options: { readonly sourceAddress?: string } = {},
): ConfigurationData {
  const pvd = ra.options.find((option): option is PvdOption => option.type === "pvd");
  const all: NdOption[] = [...ra.options.filter((option) => option.type !== "pvd"), ...(pvd?.options ?? [])];
  const header: RouterAdvertisementHeader = pvd?.header ?? ra;
  const dnsServers: DnsServer[] = [];
  const searchDomains: SearchDomain[] = [];
  const prefixes: Prefix[] = [];
  const routes: Route[] = [];
  let mtu: number | undefined;
  let captivePortal: string | undefined;
  for (const option of all) {
    if (typeof option.type === "number") continue;
    switch (option.type) {
      case "rdnss":
        if (option.lifetime > 0) {
          for (const address of option.servers) dnsServers.push({ address, lifetime: option.lifetime });
        }
        break;
      case "dnssl":
        if (option.lifetime > 0) {
          for (const domain of option.domains) searchDomains.push({ domain, lifetime: option.lifetime });
        }
        break;
      case "prefix-information": {
        const bytes = maskPrefix(parseIpAddress(option.prefix).bytes, option.prefixLength);
        if (option.validLifetime > 0 && !isLinkLocal(bytes)) {
          prefixes.push({
            prefix: formatIpAddress(bytes),
            length: option.prefixLength,
            validLifetime: option.validLifetime,
            preferredLifetime: Math.min(option.preferredLifetime, option.validLifetime),
            onLink: option.onLink,
            autonomous: option.autonomous,
          });
        }
        break;
      }
      case "route-information":
        if (option.lifetime > 0) {
          routes.push({
            prefix: option.prefix,
            length: option.prefixLength,
            lifetime: option.lifetime,
            preference: option.preference,
          });
        }
        break;
      case "mtu":
        if (mtu === undefined && option.mtu >= 1280) mtu = option.mtu;
        break;
      case "captive-portal":
        captivePortal ??= option.uri;
        break;
    }
  }
  const routers: Router[] = [];
  if (options.sourceAddress !== undefined && header.routerLifetime > 0) {
    let address: string;
    try {
      address = parseIpAddress(options.sourceAddress).text;
    } catch (error) {
      throw new TypeError(`Cannot map router advertisement: sourceAddress: ${(error as Error).message}`, {
        cause: error,
      });
    }
    routers.push({ address, lifetime: header.routerLifetime, preference: header.preference });
  }
  return {
    ...(dnsServers.length > 0 ? { "dns-servers": dnsServers } : {}),
    ...(searchDomains.length > 0 ? { "search-domains": searchDomains } : {}),
    ...(routers.length > 0 ? { routers } : {}),
    ...(prefixes.length > 0 ? { prefixes } : {}),
    ...(routes.length > 0 ? { routes } : {}),
    ...(mtu !== undefined ? { mtu } : {}),
    ...(captivePortal !== undefined ? { "captive-portal": captivePortal } : {}),
  };
}

// ---------------------------------------------------------------------------
// DHCPv6

/**
 * Maps a Reply (or Advertise) to the MIF API's {@linkcode ConfigurationData}:
 * `dns-servers` from DNS Recursive Name Server options, `search-domains`
 * from Domain Search List options (first occurrence kept when repeated) and
 * `captive-portal` from the Captive-Portal option (RFC 8910; passed on as
 * is, `urn:ietf:params:capport:unrestricted` included). Lifetimes are the
 * Information Refresh Time (RFC 8415 section 21.23) when the message has one,
 * else `Infinity`. A relay message maps its relayed message. Encrypted DNS
 * (DNR) options are not mapped: configuration data has no place for them.
 *
 * @example
 * ```ts
 * import { configurationFromDhcpv6 } from "./configuration_from_packets.ts";
 * import { parseDhcpv6 } from "../core-as/mod.ts";
 *
 * const reply = parseDhcpv6(new Uint8Array([
 *   7, 0, 0, 1, // Reply
 *   0, 23, 0, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53,
 *   0, 32, 0, 4, 0, 0, 0x0e, 0x10, // Information Refresh Time 3600 s
 * ]));
 * const data = configurationFromDhcpv6(reply);
 * const server = data["dns-servers"]?.[0];
 * if (server?.address !== "2001:db8::53" || server.lifetime !== 3600) throw new Error();
 * ```
 *
 * @param message A parsed message.
 * @returns The configuration data it carries; empty if none.
 */
export function configurationFromDhcpv6(message: Dhcpv6Message): ConfigurationData {
  if (message.messageType === "relay-forward" || message.messageType === "relay-reply") {
    return configurationFromDhcpv6(message.message);
  }
  const refresh = message.options.find((o) => o.name === "information-refresh-time");
  const lifetime = refresh?.seconds ?? Infinity;
  const servers: DnsServer[] = [];
  const domains: SearchDomain[] = [];
  let portal: string | undefined;
  for (const option of message.options) {
    if (option.name === "dns-servers") {
      for (const address of option.servers) {
        if (!servers.some((s) => s.address === address)) servers.push({ address, lifetime });
      }
    } else if (option.name === "domain-list") {
      for (const domain of option.domains) {
        if (domain !== "" && !domains.some((s) => s.domain === domain)) domains.push({ domain, lifetime });
      }
    } else if (option.name === "captive-portal") {
      portal ??= option.uri;
    }
  }
  return {
    ...(servers.length > 0 ? { "dns-servers": servers } : {}),
    ...(domains.length > 0 ? { "search-domains": domains } : {}),
    ...(portal !== undefined ? { "captive-portal": portal } : {}),
  };
}

// ---------------------------------------------------------------------------
// DHCPv4

/**
 * Maps a DHCPACK to the MIF API's configuration data (section 3.2.7.17):
 * DNS servers (6), search domains (15, then 119, without repeats), routers
 * (3, ignored when 121 is present, as RFC 3442 requires; a 121 route of
 * length 0 becomes the router instead), the prefix of `yiaddr` and the
 * subnet mask, routes (121, `via` its router, `0.0.0.0` for on the link),
 * MTU (26) and the captive portal URI (114, left out when it is RFC 8910's
 * "unrestricted" URN).
 * Every lifetime is the lease time (51), `Infinity` without one (a DHCPACK
 * to a DHCPINFORM carries none).
 *
 * @example
 * ```ts
 * import { configurationFromDhcpv4 } from "./configuration_from_packets.ts";
 * import { buildDhcpv4, parseDhcpv4 } from "../core-as/mod.ts";
 *
 * const ack = parseDhcpv4(buildDhcpv4({
 *   op: 2,
 *   yiaddr: "192.0.2.10",
 *   options: [
 *     { name: "message-type", type: 53, messageType: 5 },
 *     { name: "lease-time", type: 51, seconds: 3600 },
 *     { name: "subnet-mask", type: 1, mask: "255.255.255.0" },
 *     { name: "domain-name-server", type: 6, addresses: ["192.0.2.53"] },
 *   ],
 * }));
 * const data = configurationFromDhcpv4(ack);
 * if (data["dns-servers"]?.[0]?.lifetime !== 3600) throw new Error();
 * if (data.prefixes?.[0]?.prefix !== "192.0.2.0") throw new Error();
 * ```
 *
 * @param message A parsed DHCPACK.
 * @returns What it configures; only what it carries.
 * @throws {RangeError} If the message is not a DHCPACK.
 */
export function configurationFromDhcpv4(message: Dhcpv4Message): ConfigurationData {
  if (message.messageType?.type !== 5) {
    throw new RangeError(
      `Cannot map DHCPv4 message to configuration data: message type is ${
        message.messageType?.name ?? "missing"
      }, not DHCPACK`,
    );
  }
  const options = message.options;
  const leaseOption = findOption<Dhcpv4TimeOption>(options, "lease-time");
  const lifetime = leaseOption ? leaseOption.seconds : Infinity;
  const data: {
    -readonly [K in keyof ConfigurationData]: ConfigurationData[K];
  } = {};

  const dns = findOption<Dhcpv4AddressListOption>(options, "domain-name-server");
  if (dns) data["dns-servers"] = dns.addresses.map((address): DnsServer => ({ address, lifetime }));

  const domains: string[] = [];
  const domainName = findOption<Dhcpv4DomainNameOption>(options, "domain-name")?.domain;
  if (domainName) domains.push(domainName);
  for (const domain of findOption<Dhcpv4DomainSearchOption>(options, "domain-search")?.domains ?? []) {
    if (domain !== "" && !domains.includes(domain)) domains.push(domain);
  }
  if (domains.length > 0) data["search-domains"] = domains.map((domain): SearchDomain => ({ domain, lifetime }));

  const classless = findOption<Dhcpv4ClasslessRoutesOption>(options, "classless-static-routes");
  const routers: Router[] = [];
  const routes: Route[] = [];
  if (classless) {
    // RFC 3442: "the DHCP client MUST ignore the Router option".
    for (const route of classless.routes) {
      if (route.length === 0) {
        routers.push({ address: route.router, lifetime, preference: "medium" });
      } else {
        routes.push({ prefix: route.prefix, length: route.length, via: route.router, lifetime, preference: "medium" });
      }
    }
  } else {
    for (const address of findOption<Dhcpv4AddressListOption>(options, "router")?.addresses ?? []) {
      routers.push({ address, lifetime, preference: "medium" });
    }
  }
  if (routers.length > 0) data.routers = routers;
  if (routes.length > 0) data.routes = routes;

  const mask = findOption<Dhcpv4SubnetMaskOption>(options, "subnet-mask");
  const length = mask ? maskLength(mask.mask) : undefined;
  if (length !== undefined && message.yiaddr !== "0.0.0.0") {
    const prefix = ipv4Bytes(message.yiaddr);
    maskPrefix(prefix, length);
    const entry: Prefix = {
      prefix: formatIpAddress(prefix),
      length,
      validLifetime: lifetime,
      preferredLifetime: lifetime,
      onLink: true,
      autonomous: false,
    };
    data.prefixes = [entry];
  }

  const mtu = findOption<Dhcpv4InterfaceMtuOption>(options, "interface-mtu");
  if (mtu) data.mtu = mtu.mtu;
  const portal = findOption<Dhcpv4CaptivePortalOption>(options, "captive-portal");
  if (portal && portal.uri !== "urn:ietf:params:capport:unrestricted") data["captive-portal"] = portal.uri;
  return data;
}

/** The first option called `name`, typed as the caller knows it is. */
function findOption<T extends Dhcpv4Option>(options: readonly Dhcpv4Option[], name: T["name"]): T | undefined {
  return options.find((o) => o.name === name) as T | undefined;
}

/** The prefix length of a contiguous mask, or undefined for another one. */
function maskLength(mask: string): number | undefined {
  const bytes = ipv4Bytes(mask);
  const value = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0);
  const ones = Math.clz32(~value);
  return ones === 32 || (value << ones) >>> 0 === 0 ? ones : undefined;
}
