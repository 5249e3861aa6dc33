/**
 * Ready-made simulated hosts for demos and tests.
 *
 * @module
 */

import { dhcpv4Element, raElement } from "./builders.ts";
import { SimulatedNetwork, type SimulatedNetworkOptions } from "./simulated_network.ts";
import type { VirtualClock } from "./virtual_clock.ts";
import type { InterfaceId, PvdId } from "../../api/messages.ts";

/**
 * Provider A's implicit IPv6 PvD on `eth0`.
 *
 * @example
 * ```ts
 * import { type ProviderAIpv6, twoProviderHost } from "./scenarios.ts";
 *
 * const pvd: ProviderAIpv6 = twoProviderHost().eth0.ipv6;
 * if (pvd.address !== "2001:db8:a::100") throw new Error("unexpected");
 * ```
 */
export interface ProviderAIpv6 {
  /** `implicit:eth0:ipv6`. */
  readonly pvdId: PvdId;
  /** The host's address. */
  readonly address: string;
  /** The router advertising the prefix. */
  readonly router: string;
  /** RDNSS. */
  readonly dnsServer: string;
  /** The advertised prefix. */
  readonly prefix: string;
}

/**
 * Provider A's implicit IPv4 PvD on `eth0`.
 *
 * @example
 * ```ts
 * import { type ProviderAIpv4, twoProviderHost } from "./scenarios.ts";
 *
 * const pvd: ProviderAIpv4 = twoProviderHost().eth0.ipv4;
 * if (pvd.dnsServer !== "192.0.2.53") throw new Error("unexpected");
 * ```
 */
export interface ProviderAIpv4 {
  /** `implicit:eth0:ipv4`. */
  readonly pvdId: PvdId;
  /** The leased address. */
  readonly address: string;
  /** Router and DHCP server. */
  readonly router: string;
  /** DNS server of the lease. */
  readonly dnsServer: string;
}

/**
 * Provider B's explicit PvD on `wlan0`.
 *
 * @example
 * ```ts
 * import { type ProviderBPvd, twoProviderHost } from "./scenarios.ts";
 *
 * const pvd: ProviderBPvd = twoProviderHost().wlan0.pvd;
 * if (pvd.pvdId !== "pvd.provider-b.example") throw new Error("unexpected");
 * ```
 */
export interface ProviderBPvd {
  /** `pvd.provider-b.example`. */
  readonly pvdId: PvdId;
  /** The SLAAC address (valid 2 h, preferred 1 h). */
  readonly address: string;
  /** The router advertising the prefix. */
  readonly router: string;
  /** RDNSS. */
  readonly dnsServer: string;
  /** The advertised prefix. */
  readonly prefix: string;
}

/**
 * The draft's section 3.3 host, with the names of everything in it.
 *
 * @example
 * ```ts
 * import { type TwoProviderHost, twoProviderHost } from "./scenarios.ts";
 *
 * const host: TwoProviderHost = twoProviderHost({ seed: 3 });
 * if (host.host.name !== "host.example.com" || host.host.port !== 80) throw new Error("unexpected");
 * ```
 */
export interface TwoProviderHost {
  /** The network, not started. */
  readonly network: SimulatedNetwork;
  /** The network's virtual clock (the same as `network.clock`). */
  readonly clock: VirtualClock;
  /** The wired interface to provider A, dual-stack. */
  readonly eth0: {
    /** Interface identifier. */
    readonly interfaceId: InterfaceId;
    /** The IPv6 PvD. */
    readonly ipv6: ProviderAIpv6;
    /** The IPv4 PvD. */
    readonly ipv4: ProviderAIpv4;
  };
  /** The wireless interface to provider B, IPv6-only. */
  readonly wlan0: {
    /** Interface identifier. */
    readonly interfaceId: InterfaceId;
    /** Its explicit PvD. */
    readonly pvd: ProviderBPvd;
  };
  /** The service both providers reach, answered differently by each provider's DNS. */
  readonly host: {
    /** `host.example.com`. */
    readonly name: string;
    /** TCP port its servers listen on (an echo service). */
    readonly port: number;
    /** What provider A's DNS answers. */
    readonly providerA: { readonly ipv6: string; readonly ipv4: string };
    /** What provider B's DNS answers: its on-net cache first, then the origin. */
    readonly providerB: {
      readonly ipv6: readonly string[];
      readonly ipv4: string;
    };
  };
}

/**
 * Builds the example of the draft's section 3.3 as a simulated host: `eth0`
 * (ethernet, provider A, dual-stack: an implicit IPv6 PvD with an RA and a
 * SLAAC address, an implicit IPv4 PvD with a DHCPv4 lease) and `wlan0`
 * (wifi, provider B, IPv6-only: the explicit PvD `pvd.provider-b.example`
 * with an RA and a SLAAC address with finite lifetimes). `host.example.com`
 * resolves differently through each provider; its origin server
 * `2001:db8:c::80` is reachable through both, 20 ms one way through A and
 * 45 ms through B, and B also answers with an on-net cache 5 ms away.
 *
 * Only documentation addresses are used (RFC 3849, RFC 5737), routers
 * included, so the routers have global rather than link-local addresses.
 *
 * @example
 * ```ts
 * import { twoProviderHost } from "./scenarios.ts";
 *
 * const { network, eth0, wlan0 } = twoProviderHost({ seed: 42 });
 * const state = network.state();
 * if (state.interfaces.length !== 2 || state.pvds.length !== 3) throw new Error("unexpected");
 * if (wlan0.pvd.pvdId !== "pvd.provider-b.example" || eth0.ipv4.pvdId !== "implicit:eth0:ipv4") {
 *   throw new Error("unexpected");
 * }
 * ```
 */
export function twoProviderHost(
  options: SimulatedNetworkOptions = {},
): TwoProviderHost {
  const network = new SimulatedNetwork(options);
  const name = "host.example.com";
  const port = 80;
  const origin6 = "2001:db8:c::80";
  const origin4 = "203.0.113.80";
  const cacheB6 = "2001:db8:b:80::80";
  const originB4 = "198.51.100.80";

  // eth0: provider A, dual-stack, two implicit PvDs (draft -00 section 3.1).
  const eth0 = network.addInterface({ displayName: "eth0", kind: "ethernet" });
  const aV6 = network.addPvd({ interfaceId: eth0, family: 6 });
  const aV6Router = "2001:db8:a::1";
  const aV6Dns = "2001:db8:a::53";
  network.setElement(
    aV6,
    raElement({
      router: aV6Router,
      prefixes: [{ prefix: "2001:db8:a::/64" }],
      rdnss: [aV6Dns],
      dnssl: ["provider-a.example"],
      mtu: 1500,
    }),
  );
  const aV6Address = network.addAddress(aV6, {
    address: "2001:db8:a::100",
    prefixLength: 64,
  });

  const aV4 = network.addPvd({ interfaceId: eth0, family: 4 });
  const aV4Router = "192.0.2.1";
  const aV4Dns = "192.0.2.53";
  network.setElement(
    aV4,
    dhcpv4Element({
      server: aV4Router,
      leaseTime: 86_400,
      routers: [aV4Router],
      subnet: "192.0.2.0/24",
      dnsServers: [aV4Dns],
      domain: "provider-a.example",
    }),
  );
  const aV4Address = network.addAddress(aV4, {
    address: "192.0.2.100",
    prefixLength: 24,
    validLifetime: 86_400,
  });

  // wlan0: provider B, IPv6-only, one explicit PvD (RFC 8801).
  const wlan0 = network.addInterface({ displayName: "wlan0", kind: "wifi" });
  const b = network.addPvd({
    interfaceId: wlan0,
    fqdn: "pvd.provider-b.example",
  });
  const bRouter = "2001:db8:b::1";
  const bDns = "2001:db8:b::53";
  network.setElement(
    b,
    raElement({
      router: bRouter,
      prefixes: [{
        prefix: "2001:db8:b::/64",
        validLifetime: 7200,
        preferredLifetime: 3600,
      }],
      rdnss: [bDns],
      dnssl: ["provider-b.example"],
      mtu: 1480,
    }),
  );
  const bAddress = network.addAddress(b, {
    address: "2001:db8:b::100",
    prefixLength: 64,
    validLifetime: 7200,
    preferredLifetime: 3600,
  });

  // Split-horizon DNS: each provider's resolvers answer for the same name.
  const viewA = { [name]: { AAAA: [origin6], A: [origin4], ttl: 300 } };
  network.addDnsServer({ address: aV6Dns, records: viewA });
  network.addDnsServer({ address: aV4Dns, records: viewA });
  network.addDnsServer({
    address: bDns,
    records: { [name]: { AAAA: [cacheB6, origin6], A: [originB4], ttl: 60 } },
  });

  for (const address of [origin6, origin4, cacheB6, originB4]) {
    network.addServer({ address, port });
  }

  // Each provider's resolvers are close; the origin is nearer through A.
  network.setPath({ pvdId: aV6, to: "2001:db8:a::/64", latencyMs: 2 });
  network.setPath({ pvdId: aV4, to: "192.0.2.0/24", latencyMs: 2 });
  network.setPath({ pvdId: b, to: "2001:db8:b::/64", latencyMs: 4 });
  network.setPath({ pvdId: aV6, to: "2001:db8:c::/48", latencyMs: 20 });
  network.setPath({ pvdId: aV4, to: "203.0.113.0/24", latencyMs: 25 });
  network.setPath({ pvdId: b, to: "2001:db8:c::/48", latencyMs: 45 });
  network.setPath({ pvdId: b, to: "2001:db8:b:80::/64", latencyMs: 5 });

  return {
    network,
    clock: network.clock,
    eth0: {
      interfaceId: eth0,
      ipv6: {
        pvdId: aV6,
        address: aV6Address,
        router: aV6Router,
        dnsServer: aV6Dns,
        prefix: "2001:db8:a::/64",
      },
      ipv4: {
        pvdId: aV4,
        address: aV4Address,
        router: aV4Router,
        dnsServer: aV4Dns,
      },
    },
    wlan0: {
      interfaceId: wlan0,
      pvd: {
        pvdId: b,
        address: bAddress,
        router: bRouter,
        dnsServer: bDns,
        prefix: "2001:db8:b::/64",
      },
    },
    host: {
      name,
      port,
      providerA: { ipv6: origin6, ipv4: origin4 },
      providerB: { ipv6: [cacheB6, origin6], ipv4: originB4 },
    },
  };
}
