/**
 * The messages of the MIF API, draft-ietf-mif-api-extension-05 section 3.2.7,
 * as two discriminated unions: {@linkcode MifRequest} (subscriber to MIF API)
 * and {@linkcode MifReply} (MIF API to subscriber).
 *
 * Field names follow the draft's own wording. Where the draft names no field
 * but the message cannot work without one (a port for a TCP connection, which
 * PvD a stop message is about), the field is added and marked "Extension" in
 * its documentation; the README lists every such deviation.
 *
 * @module
 */

import type { PolicyTable } from "../core-as/policy_table.ts";
import type { EstablishmentReport } from "../core-as/racing.ts";
import type { MifError } from "./errors.ts";
import type { ConnectionToken } from "./network_link.ts";

/**
 * Identifier of an interface, unique on the host while it exists (the OS interface index on real hosts).
 *
 * @example The identifiers of the host's interfaces
 * ```ts
 * import type { InterfaceId } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, eth0, wlan0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * app.postMessage({ type: "announce-interfaces" });
 * const ids: InterfaceId[] = [];
 * for (let m = app.getMessage(); m; m = app.getMessage()) {
 *   if (m.type === "interface-announcement") ids.push(m.interfaceId);
 * }
 * if (ids.join() !== `${eth0.interfaceId},${wlan0.interfaceId}`) throw new Error(ids.join());
 * api.close();
 * ```
 */
export type InterfaceId = number;

/**
 * Identifier of a provisioning domain. Explicit PvDs (RFC 8801) use their
 * PvD ID FQDN; implicit PvDs use `implicit:<interface name>:<ipv4|ipv6>`,
 * following draft -00 section 3.1: a dual-stack link carries two PvDs.
 *
 * @example A dual-stack link carries two implicit PvDs
 * ```ts
 * import type { PvdId } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, eth0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * app.postMessage({ type: "announce-provisioning-domains", interfaceId: eth0.interfaceId });
 * const pvds: PvdId[] = [];
 * for (let m = app.getMessage(); m; m = app.getMessage()) {
 *   if (m.type === "provisioning-domain-announcement") pvds.push(m.pvdId);
 * }
 * if (pvds.join() !== "implicit:eth0:ipv6,implicit:eth0:ipv4") throw new Error(pvds.join());
 * api.close();
 * ```
 */
export type PvdId = string;

/**
 * Configuration Element Type, section 3.2.7.10: "RA", "DHCPv6", "DHCPv4", "etc." (`static` is host
 * configuration such as resolv.conf).
 *
 * @example Where a PvD's configuration came from
 * ```ts
 * import type { ConfigurationElementType } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, eth0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * app.postMessage({ type: "announce-configuration-elements", pvdId: eth0.ipv4.pvdId });
 * const m = app.getMessage();
 * const source: ConfigurationElementType | undefined = m?.type === "configuration-element-announcement"
 *   ? m.element.elementType
 *   : undefined;
 * if (source !== "dhcpv4") throw new Error(`unexpected ${source}`);
 * api.close();
 * ```
 */
export type ConfigurationElementType = "ra" | "dhcpv6" | "dhcpv4" | "static";

/**
 * Configuration Information Identifier, section 3.2.7.17 ("DNS Server List etc.").
 * Each names one kind of data held by a configuration element.
 *
 * @example Ask one PvD for its search domains
 * ```ts
 * import type { ConfigurationInformationId } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, wlan0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * const informationId: ConfigurationInformationId = "search-domains";
 * app.postMessage({ type: "get-configuration-data", pvdId: wlan0.pvd.pvdId, elementType: "ra", informationId });
 * const reply = app.getMessage();
 * if (reply?.type !== "configuration-data" || !JSON.stringify(reply.data).includes("provider-b.example")) {
 *   throw new Error("expected provider B's search domain");
 * }
 * api.close();
 * ```
 */
export type ConfigurationInformationId =
  | "dns-servers"
  | "search-domains"
  | "routers"
  | "prefixes"
  | "routes"
  | "mtu"
  | "captive-portal"
  | "address-selection-policy";

/**
 * The draft's list of every Configuration Information Identifier, in a stable order.
 *
 * @example Everything one router advertisement carries
 * ```ts
 * import { CONFIGURATION_INFORMATION_IDS } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, wlan0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * const present: string[] = [];
 * for (const informationId of CONFIGURATION_INFORMATION_IDS) {
 *   app.postMessage({ type: "get-configuration-data", pvdId: wlan0.pvd.pvdId, elementType: "ra", informationId });
 *   if (app.getMessage()?.type === "configuration-data") present.push(informationId);
 * }
 * if (present.join() !== "dns-servers,search-domains,routers,prefixes,mtu") throw new Error(present.join());
 * api.close();
 * ```
 */
export const CONFIGURATION_INFORMATION_IDS: readonly ConfigurationInformationId[] = [
  "dns-servers",
  "search-domains",
  "routers",
  "prefixes",
  "routes",
  "mtu",
  "captive-portal",
  "address-selection-policy",
];

/**
 * A DNS server with the lifetime (seconds) its source gave it; `Infinity` when it does not expire.
 *
 * @example An RDNSS server, ten minutes on
 * ```ts
 * import type { DnsServer } from "./messages.ts";
 * import { ageConfigurationData } from "./config_db.ts";
 *
 * const server: DnsServer = { address: "2001:db8:a::53", lifetime: 1800 }; // as received in an RA
 * const now = ageConfigurationData({ "dns-servers": [server] }, 600);
 * if (now["dns-servers"]?.[0]?.lifetime !== 1200) throw new Error("the lifetime counts down");
 * ```
 */
export interface DnsServer {
  /** Canonical text of the server's address (RFC 5952 for IPv6). */
  readonly address: string;
  /** Remaining lifetime in seconds. */
  readonly lifetime: number;
}

/**
 * A DNS search domain with its remaining lifetime in seconds.
 *
 * @example Provider B's search domain
 * ```ts
 * import type { SearchDomain } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, wlan0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const domains: readonly SearchDomain[] =
 *   api.database.configurationData(wlan0.pvd.pvdId, "ra", "search-domains") ?? [];
 * if (domains[0]?.domain !== "provider-b.example" || domains[0].lifetime !== 1800) throw new Error("unexpected");
 * api.close();
 * ```
 */
export interface SearchDomain {
  /** The domain, lowercase, without a trailing dot. */
  readonly domain: string;
  /** Remaining lifetime in seconds. */
  readonly lifetime: number;
}

/**
 * A default router with its remaining router lifetime in seconds.
 *
 * @example The router of a DHCPv4 lease
 * ```ts
 * import type { Router } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, eth0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const [router]: readonly Router[] = api.database.configurationData(eth0.ipv4.pvdId, "dhcpv4", "routers") ?? [];
 * // A DHCPv4 router lasts as long as the lease and has medium preference.
 * if (router?.address !== "192.0.2.1" || router.lifetime !== 86_400 || router.preference !== "medium") {
 *   throw new Error("unexpected");
 * }
 * api.close();
 * ```
 */
export interface Router {
  /** Canonical text of the router's address. */
  readonly address: string;
  /** Remaining lifetime in seconds. */
  readonly lifetime: number;
  /** Default router preference (RFC 4191); `medium` for DHCPv4 routers. */
  readonly preference: "high" | "medium" | "low";
}

/**
 * An on-link or autonomous prefix (RA Prefix Information, DHCPv4 subnet).
 *
 * @example A SLAAC prefix ninety minutes on
 * ```ts
 * import type { Prefix } from "./messages.ts";
 * import { ageConfigurationData } from "./config_db.ts";
 *
 * const prefix: Prefix = {
 *   prefix: "2001:db8:b::",
 *   length: 64,
 *   validLifetime: 7200,
 *   preferredLifetime: 3600,
 *   onLink: true,
 *   autonomous: true,
 * };
 * // Addresses from it are now deprecated, but still valid for half an hour.
 * const now = ageConfigurationData({ prefixes: [prefix] }, 5400).prefixes?.[0];
 * if (now?.validLifetime !== 1800 || now.preferredLifetime !== 0) throw new Error("unexpected");
 * ```
 */
export interface Prefix {
  /** Canonical text of the prefix address. */
  readonly prefix: string;
  /** Prefix length in bits. */
  readonly length: number;
  /** Remaining valid lifetime in seconds. */
  readonly validLifetime: number;
  /** Remaining preferred lifetime in seconds. */
  readonly preferredLifetime: number;
  /** On-link flag (L). */
  readonly onLink: boolean;
  /** Autonomous address-configuration flag (A). */
  readonly autonomous: boolean;
}

/**
 * A more-specific route (RFC 4191 Route Information, DHCPv4 classless static route).
 *
 * @example A Route Information option, as the simulated network builds it
 * ```ts
 * import type { Route } from "./messages.ts";
 * import { raElement } from "../adapters/simulated/mod.ts";
 *
 * const ra = raElement({
 *   router: "2001:db8:a::1",
 *   routes: [{ prefix: "2001:db8:c::/48", preference: "high", lifetime: 600 }],
 * });
 * const expected: Route = { prefix: "2001:db8:c::", length: 48, lifetime: 600, preference: "high" };
 * if (JSON.stringify(ra.data.routes?.[0]) !== JSON.stringify(expected)) throw new Error("unexpected");
 * ```
 */
export interface Route {
  /** Canonical text of the destination prefix. */
  readonly prefix: string;
  /** Prefix length in bits. */
  readonly length: number;
  /** Next hop; the element's router when absent. */
  readonly via?: string;
  /** Remaining lifetime in seconds. */
  readonly lifetime: number;
  /** Route preference (RFC 4191). */
  readonly preference: "high" | "medium" | "low";
}

/**
 * The data a configuration element holds, keyed by Configuration Information
 * Identifier. An element holds only what its source provided.
 *
 * @example What a router advertisement typically holds
 * ```ts
 * import { CONFIGURATION_INFORMATION_IDS, type ConfigurationData } from "./messages.ts";
 *
 * const data: ConfigurationData = {
 *   "dns-servers": [{ address: "2001:db8:a::53", lifetime: 1800 }],
 *   "search-domains": [{ domain: "provider-a.example", lifetime: 1800 }],
 *   routers: [{ address: "2001:db8:a::1", lifetime: 1800, preference: "medium" }],
 *   mtu: 1500,
 * };
 * const held = CONFIGURATION_INFORMATION_IDS.filter((id) => data[id] !== undefined);
 * if (held.join() !== "dns-servers,search-domains,routers,mtu") throw new Error(held.join());
 * ```
 */
export interface ConfigurationData {
  /** DNS Server List: RDNSS, DHCPv6 option 23, DHCPv4 option 6. */
  readonly "dns-servers"?: readonly DnsServer[];
  /** DNS search list: DNSSL, DHCPv6 option 24, DHCPv4 options 15 and 119. */
  readonly "search-domains"?: readonly SearchDomain[];
  /** Default routers. */
  readonly routers?: readonly Router[];
  /** Prefixes. */
  readonly prefixes?: readonly Prefix[];
  /** More-specific routes. */
  readonly routes?: readonly Route[];
  /** Link MTU in bytes. */
  readonly mtu?: number;
  /** Captive portal API URI (RFC 8910). */
  readonly "captive-portal"?: string;
  /**
   * The RFC 6724 address selection policy in force for the PvD: host
   * configuration, so answered for the `static` element type only.
   */
  readonly "address-selection-policy"?: AddressSelectionPolicy;
}

/**
 * How the MIF API orders source and destination addresses in a PvD (RFC
 * 6724): the policy table and the two choices the RFC leaves open.
 *
 * @example The IPv4-first preset, with RFC 6724's own rule 9 for IPv4
 * ```ts
 * import type { AddressSelectionPolicy } from "./messages.ts";
 * import { POLICY_IPV4_FIRST } from "../core-as/policy_table.ts";
 *
 * const policy: AddressSelectionPolicy = { policy: POLICY_IPV4_FIRST, ipv4Rule9: "always", preferTemporary: true };
 * if (policy.policy.rows.length === 0) throw new Error("empty table");
 * ```
 */
export interface AddressSelectionPolicy {
  /** The policy table (precedence and label by prefix). */
  readonly policy: PolicyTable;
  /** Destination rule 9 for IPv4: never, within the source's subnet (glibc), or always (the RFC). */
  readonly ipv4Rule9: "off" | "same-subnet" | "always";
  /** Source rule 7: prefer temporary addresses (RFC 8981), or public ones. */
  readonly preferTemporary: boolean;
}

/**
 * One configuration element: everything one source (one router's RA, one
 * DHCPv6 server, one DHCPv4 lease, the host's static configuration) provided
 * for one PvD.
 *
 * @example Provider B's router advertisement
 * ```ts
 * import type { ConfigurationElement } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, wlan0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * app.postMessage({ type: "announce-configuration-elements", pvdId: wlan0.pvd.pvdId });
 * const m = app.getMessage();
 * const element: ConfigurationElement | undefined = m?.type === "configuration-element-announcement"
 *   ? m.element
 *   : undefined;
 * // One element per source: this RA is identified by its router's address.
 * if (element?.elementType !== "ra" || element.elementId !== wlan0.pvd.router || element.data.mtu !== 1480) {
 *   throw new Error("unexpected");
 * }
 * api.close();
 * ```
 */
export interface ConfigurationElement {
  /** Configuration Element Type. */
  readonly elementType: ConfigurationElementType;
  /**
   * Extension: which element of this type, unique within the PvD (for
   * example the router's or the server's address). The draft identifies an
   * element by PvD and type only, which cannot tell two routers of one PvD
   * apart.
   */
  readonly elementId: string;
  /** The element's data. */
  readonly data: ConfigurationData;
}

// ---------------------------------------------------------------------------
// Subscriber to MIF API (requests)
// ---------------------------------------------------------------------------

/**
 * Announce Interfaces, section 3.2.7.1.
 *
 * @example Every interface now, then each new one
 * ```ts
 * import type { AnnounceInterfaces } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * const request: AnnounceInterfaces = { type: "announce-interfaces" };
 * app.postMessage(request);
 * network.addInterface({ displayName: "wwan0", kind: "cellular" });
 * const names: string[] = [];
 * for (let m = app.getMessage(); m; m = app.getMessage()) {
 *   if (m.type === "interface-announcement") names.push(m.displayName);
 * }
 * if (names.join() !== "eth0,wlan0,wwan0") throw new Error(names.join());
 * api.close();
 * ```
 */
export interface AnnounceInterfaces {
  /** Discriminator. */
  readonly type: "announce-interfaces";
}

/**
 * Stop Announcing Interfaces, section 3.2.7.2.
 *
 * @example No more interface announcements
 * ```ts
 * import type { StopAnnouncingInterfaces } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * app.postMessage({ type: "announce-interfaces" }); // eth0, wlan0
 * const request: StopAnnouncingInterfaces = { type: "stop-announcing-interfaces" };
 * app.postMessage(request);
 * network.addInterface({ displayName: "wwan0", kind: "cellular" });
 * if (app.pending !== 2) throw new Error("wwan0 was announced after the stop");
 * api.close();
 * ```
 */
export interface StopAnnouncingInterfaces {
  /** Discriminator. */
  readonly type: "stop-announcing-interfaces";
}

/**
 * Announce Provisioning Domain, section 3.2.7.5.
 *
 * @example The PvDs of wlan0, then a new one
 * ```ts
 * import type { AnnounceProvisioningDomains } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, wlan0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * const request: AnnounceProvisioningDomains = {
 *   type: "announce-provisioning-domains",
 *   interfaceId: wlan0.interfaceId,
 * };
 * app.postMessage(request);
 * network.addPvd({ interfaceId: wlan0.interfaceId, fqdn: "pvd.hotspot.example" });
 * const pvds: string[] = [];
 * for (let m = app.getMessage(); m; m = app.getMessage()) {
 *   if (m.type === "provisioning-domain-announcement") pvds.push(m.pvdId);
 * }
 * if (pvds.join() !== "pvd.provider-b.example,pvd.hotspot.example") throw new Error(pvds.join());
 * api.close();
 * ```
 */
export interface AnnounceProvisioningDomains {
  /** Discriminator. */
  readonly type: "announce-provisioning-domains";
  /** The interface whose PvDs to announce. */
  readonly interfaceId: InterfaceId;
}

/**
 * Stop Announcing Provisioning Domains, section 3.2.7.6.
 *
 * @example A PvD withdrawn after the stop goes unannounced
 * ```ts
 * import type { StopAnnouncingProvisioningDomains } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, wlan0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * app.postMessage({ type: "announce-provisioning-domains", interfaceId: wlan0.interfaceId });
 * const request: StopAnnouncingProvisioningDomains = {
 *   type: "stop-announcing-provisioning-domains",
 *   interfaceId: wlan0.interfaceId,
 * };
 * app.postMessage(request);
 * network.removePvd(wlan0.pvd.pvdId);
 * if (app.pending !== 1) throw new Error("expected only the first announcement");
 * api.close();
 * ```
 */
export interface StopAnnouncingProvisioningDomains {
  /** Discriminator. */
  readonly type: "stop-announcing-provisioning-domains";
  /** The interface the subscriber no longer wants PvD announcements for. */
  readonly interfaceId: InterfaceId;
}

/**
 * Announce Configuration Element, section 3.2.7.9.
 *
 * @example Only the DHCPv6 elements of a PvD
 * ```ts
 * import type { AnnounceConfigurationElements } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { dhcpv6Element, twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, eth0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * const pvdId = eth0.ipv6.pvdId;
 * const request: AnnounceConfigurationElements = {
 *   type: "announce-configuration-elements",
 *   pvdId,
 *   elementType: "dhcpv6",
 * };
 * app.postMessage(request); // the PvD's RA is left out
 * network.setElement(pvdId, dhcpv6Element({ server: "2001:db8:a::547", dnsServers: ["2001:db8:a::53"] }));
 * const m = app.getMessage();
 * if (m?.type !== "configuration-element-announcement" || m.element.elementType !== "dhcpv6" || app.pending !== 0) {
 *   throw new Error("expected the DHCPv6 element alone");
 * }
 * api.close();
 * ```
 */
export interface AnnounceConfigurationElements {
  /** Discriminator. */
  readonly type: "announce-configuration-elements";
  /** The PvD whose configuration elements to announce. */
  readonly pvdId: PvdId;
  /** "a specific configuration element": only this type when given, every type otherwise. */
  readonly elementType?: ConfigurationElementType;
}

/**
 * Stop Announce Configuration Element, section 3.2.7.12.
 *
 * @example Stop for every PvD at once
 * ```ts
 * import type { StopAnnouncingConfigurationElements } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { dhcpv6Element, twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, eth0, wlan0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * for (const pvdId of [eth0.ipv6.pvdId, wlan0.pvd.pvdId]) {
 *   app.postMessage({ type: "announce-configuration-elements", pvdId });
 * }
 * const request: StopAnnouncingConfigurationElements = { type: "stop-announcing-configuration-elements" };
 * app.postMessage(request); // no pvdId: every PvD
 * network.setElement(wlan0.pvd.pvdId, dhcpv6Element({ server: "2001:db8:b::547", dnsServers: ["2001:db8:b::53"] }));
 * if (app.pending !== 2) throw new Error("expected only the two RAs announced before the stop");
 * api.close();
 * ```
 */
export interface StopAnnouncingConfigurationElements {
  /** Discriminator. */
  readonly type: "stop-announcing-configuration-elements";
  /** Extension: the PvD to stop for; every PvD when absent. */
  readonly pvdId?: PvdId;
}

/**
 * Announce Address, section 3.2.7.13.
 *
 * @example The address of provider B's PvD, with its lifetimes
 * ```ts
 * import type { AnnounceAddresses } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, wlan0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * const request: AnnounceAddresses = { type: "announce-addresses", pvdId: wlan0.pvd.pvdId };
 * app.postMessage(request);
 * const m = app.getMessage();
 * if (m?.type !== "address-announcement" || m.address !== "2001:db8:b::100" || m.preferredLifetime !== 3600) {
 *   throw new Error("unexpected");
 * }
 * api.close();
 * ```
 */
export interface AnnounceAddresses {
  /** Discriminator. */
  readonly type: "announce-addresses";
  /** The PvD whose addresses to announce. */
  readonly pvdId: PvdId;
}

/**
 * Stop Announcing Address, section 3.2.7.15.
 *
 * @example A new address after the stop goes unannounced
 * ```ts
 * import type { StopAnnouncingAddresses } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, eth0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * app.postMessage({ type: "announce-addresses", pvdId: eth0.ipv6.pvdId }); // 2001:db8:a::100
 * const request: StopAnnouncingAddresses = { type: "stop-announcing-addresses", pvdId: eth0.ipv6.pvdId };
 * app.postMessage(request);
 * network.addAddress(eth0.ipv6.pvdId, { address: "2001:db8:a::101" });
 * if (app.pending !== 1) throw new Error("2001:db8:a::101 was announced after the stop");
 * api.close();
 * ```
 */
export interface StopAnnouncingAddresses {
  /** Discriminator. */
  readonly type: "stop-announcing-addresses";
  /** Extension: the PvD to stop for; every PvD when absent. */
  readonly pvdId?: PvdId;
}

/**
 * Get Configuration Data, section 3.2.7.17.
 *
 * @example The DNS servers of a DHCPv4 lease
 * ```ts
 * import type { GetConfigurationData } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, eth0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * const request: GetConfigurationData = {
 *   type: "get-configuration-data",
 *   pvdId: eth0.ipv4.pvdId,
 *   elementType: "dhcpv4",
 *   informationId: "dns-servers",
 * };
 * app.postMessage(request);
 * const reply = app.getMessage(); // answered at once
 * if (reply?.type !== "configuration-data" || !JSON.stringify(reply.data).includes("192.0.2.53")) {
 *   throw new Error("unexpected");
 * }
 * api.close();
 * ```
 */
export interface GetConfigurationData {
  /** Discriminator. */
  readonly type: "get-configuration-data";
  /** Provisioning Domain ID. */
  readonly pvdId: PvdId;
  /** Configuration Element Type. */
  readonly elementType: ConfigurationElementType;
  /** Configuration Information Identifier. */
  readonly informationId: ConfigurationInformationId;
}

/**
 * Translate Name, section 3.2.7.18.
 *
 * @example Resolve a name through provider B
 * ```ts
 * import type { TranslateName } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, clock, wlan0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * const request: TranslateName = {
 *   type: "translate-name",
 *   pvdId: wlan0.pvd.pvdId,
 *   name: "host.example.com",
 *   translationId: "t1",
 * };
 * app.postMessage(request);
 * await clock.tick(1_000); // virtual time: provider B's DNS server answers
 * const addresses: string[] = [];
 * for (let m = app.getMessage(); m; m = app.getMessage()) if (m.type === "name-translation") addresses.push(m.address);
 * if (!addresses.includes("2001:db8:b:80::80")) throw new Error("expected provider B's on-net cache");
 * api.close();
 * ```
 */
export interface TranslateName {
  /** Discriminator. */
  readonly type: "translate-name";
  /** The provisioning domain to resolve the name in. */
  readonly pvdId: PvdId;
  /** A UTF-8 string naming a network node. */
  readonly name: string;
  /** Chosen by the subscriber, unique across its outstanding translations. */
  readonly translationId: string;
}

/**
 * Stop Translating Name, section 3.2.7.19.
 *
 * @example Nothing more comes for a stopped translation
 * ```ts
 * import type { StopTranslatingName } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, clock, wlan0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * app.postMessage({ type: "translate-name", pvdId: wlan0.pvd.pvdId, name: "host.example.com", translationId: "t1" });
 * const request: StopTranslatingName = { type: "stop-translating-name", translationId: "t1" };
 * app.postMessage(request); // before any answer
 * await clock.tick(5_000);
 * if (app.pending !== 0) throw new Error("a message came for a stopped translation");
 * api.close();
 * ```
 */
export interface StopTranslatingName {
  /** Discriminator. */
  readonly type: "stop-translating-name";
  /** The Translation Identifier given in Translate Name. */
  readonly translationId: string;
}

/**
 * Connect to PvD, section 3.2.7.21: connect through one chosen PvD. The draft
 * names only the PvD; to produce a connection the message also carries the
 * name to resolve in that PvD, the port and a connection identifier
 * (Extension).
 *
 * @example Connect to a name through provider A
 * ```ts
 * import type { ConnectToPvd } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, clock, eth0, host } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * const request: ConnectToPvd = {
 *   type: "connect-to-pvd",
 *   pvdId: eth0.ipv6.pvdId,
 *   name: host.name,
 *   port: host.port,
 *   connectionId: "c1",
 * };
 * app.postMessage(request);
 * await clock.tick(1_000); // the name is resolved in the PvD, then one TCP handshake
 * const reply = app.getMessage();
 * if (reply?.type !== "connected" || reply.token.remoteAddress !== "2001:db8:c::80") throw new Error("unexpected");
 * reply.token.close();
 * api.close();
 * ```
 */
export interface ConnectToPvd {
  /** Discriminator. */
  readonly type: "connect-to-pvd";
  /** The chosen provisioning domain. */
  readonly pvdId: PvdId;
  /** Extension: host name (resolved in the PvD) or address literal to connect to. */
  readonly name: string;
  /** Extension: TCP port. */
  readonly port: number;
  /** Extension: chosen by the subscriber, unique across its outstanding connections. */
  readonly connectionId: string;
}

/**
 * Connect to Address, section 3.2.7.22.
 *
 * @example Connect to provider B's on-net cache
 * ```ts
 * import type { ConnectToAddress } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, clock, wlan0, host } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * const request: ConnectToAddress = {
 *   type: "connect-to-address",
 *   address: "2001:db8:b:80::80",
 *   port: host.port,
 *   pvdId: wlan0.pvd.pvdId,
 *   connectionId: "c1",
 * };
 * app.postMessage(request);
 * await clock.tick(1_000);
 * const reply = app.getMessage();
 * if (reply?.type !== "connected" || reply.token.localAddress !== wlan0.pvd.address) throw new Error("unexpected");
 * reply.token.close();
 * api.close();
 * ```
 */
export interface ConnectToAddress {
  /** Discriminator. */
  readonly type: "connect-to-address";
  /** The destination IP address. */
  readonly address: string;
  /** Extension: TCP port (the draft names none, TCP needs one). */
  readonly port: number;
  /** The provisioning domain whose source addresses to use. */
  readonly pvdId: PvdId;
  /** Chosen by the subscriber, unique across its outstanding connections. */
  readonly connectionId: string;
}

/**
 * Connect to Address From Address, section 3.2.7.23.
 *
 * @example Connect from the DHCPv4 lease's address
 * ```ts
 * import type { ConnectToAddressFromAddress } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, clock, eth0, host } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * const request: ConnectToAddressFromAddress = {
 *   type: "connect-to-address-from-address",
 *   sourceAddress: eth0.ipv4.address,
 *   address: host.providerA.ipv4,
 *   port: host.port,
 *   pvdId: eth0.ipv4.pvdId,
 *   connectionId: "c1",
 * };
 * app.postMessage(request);
 * await clock.tick(1_000);
 * const reply = app.getMessage();
 * if (reply?.type !== "connected" || reply.token.localAddress !== "192.0.2.100") throw new Error("unexpected");
 * reply.token.close();
 * api.close();
 * ```
 */
export interface ConnectToAddressFromAddress {
  /** Discriminator. */
  readonly type: "connect-to-address-from-address";
  /** The source IP address; it must belong to the PvD. */
  readonly sourceAddress: string;
  /** The destination IP address. */
  readonly address: string;
  /** Extension: TCP port. */
  readonly port: number;
  /** The provisioning domain the source address belongs to. */
  readonly pvdId: PvdId;
  /** Chosen by the subscriber, unique across its outstanding connections. */
  readonly connectionId: string;
}

/**
 * Application: Wants to connect, section 3.2.7.26.1.
 *
 * @example The adapter brings a down link up
 * ```ts
 * import type { WantsToConnect } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, wlan0 } = twoProviderHost();
 * network.setInterfaceUp(wlan0.interfaceId, false); // Wi-Fi off
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * app.postMessage({ type: "announce-interfaces" }); // eth0, wlan0
 * const request: WantsToConnect = { type: "wants-to-connect" };
 * app.postMessage(request);
 * let last;
 * for (let m = app.getMessage(); m; m = app.getMessage()) last = m;
 * if (last?.type !== "interface-going-up" || last.interfaceId !== wlan0.interfaceId) throw new Error("unexpected");
 * api.close();
 * ```
 */
export interface WantsToConnect {
  /** Discriminator. */
  readonly type: "wants-to-connect";
}

/**
 * Application: Connection is idle, section 3.2.7.26.2.
 *
 * @example A hint for the adapter, with no reply
 * ```ts
 * import type { ConnectionIsIdle } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * const request: ConnectionIsIdle = { type: "connection-is-idle", connectionId: "c1" };
 * app.postMessage(request);
 * if (app.pending !== 0 || network.hints[0]?.type !== "connection-is-idle") throw new Error("unexpected");
 * api.close();
 * ```
 */
export interface ConnectionIsIdle {
  /** Discriminator. */
  readonly type: "connection-is-idle";
  /** Extension: the connection that is idle; the whole application when absent. */
  readonly connectionId?: string;
}

/**
 * Application: Connection can be broken, section 3.2.7.26.3.
 *
 * @example Every connection may be broken
 * ```ts
 * import type { ConnectionCanBeBroken } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * const request: ConnectionCanBeBroken = { type: "connection-can-be-broken" }; // no connectionId: all of them
 * app.postMessage(request);
 * const hint = network.hints[0];
 * if (app.pending !== 0 || hint?.type !== "connection-can-be-broken" || hint.connectionId !== undefined) {
 *   throw new Error("unexpected");
 * }
 * api.close();
 * ```
 */
export interface ConnectionCanBeBroken {
  /** Discriminator. */
  readonly type: "connection-can-be-broken";
  /** Extension: the connection that may be broken; every connection when absent. */
  readonly connectionId?: string;
}

/**
 * Every message a subscriber can post to the MIF API.
 *
 * @example Post several requests in turn
 * ```ts
 * import type { MifRequest } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, eth0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * const requests: MifRequest[] = [
 *   { type: "announce-interfaces" }, // eth0, wlan0
 *   { type: "announce-provisioning-domains", interfaceId: eth0.interfaceId }, // its IPv6 and IPv4 PvDs
 *   { type: "announce-addresses", pvdId: eth0.ipv6.pvdId }, // 2001:db8:a::100
 * ];
 * for (const request of requests) app.postMessage(request);
 * if (app.pending !== 5) throw new Error(`${app.pending} messages`);
 * api.close();
 * ```
 */
export type MifRequest =
  | AnnounceInterfaces
  | StopAnnouncingInterfaces
  | AnnounceProvisioningDomains
  | StopAnnouncingProvisioningDomains
  | AnnounceConfigurationElements
  | StopAnnouncingConfigurationElements
  | AnnounceAddresses
  | StopAnnouncingAddresses
  | GetConfigurationData
  | TranslateName
  | StopTranslatingName
  | ConnectToPvd
  | ConnectToAddress
  | ConnectToAddressFromAddress
  | WantsToConnect
  | ConnectionIsIdle
  | ConnectionCanBeBroken;

// ---------------------------------------------------------------------------
// MIF API to subscriber (announcements and replies)
// ---------------------------------------------------------------------------

/**
 * Interface Announcement, section 3.2.7.3.
 *
 * @example The first interface of the host
 * ```ts
 * import type { InterfaceAnnouncement } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, eth0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * app.postMessage({ type: "announce-interfaces" });
 * const m = app.getMessage();
 * const announcement: InterfaceAnnouncement | undefined = m?.type === "interface-announcement" ? m : undefined;
 * if (announcement?.interfaceId !== eth0.interfaceId || announcement.displayName !== "eth0") {
 *   throw new Error("unexpected");
 * }
 * api.close();
 * ```
 */
export interface InterfaceAnnouncement {
  /** Discriminator. */
  readonly type: "interface-announcement";
  /** Interface identifier. */
  readonly interfaceId: InterfaceId;
  /** Interface display name. */
  readonly displayName: string;
}

/**
 * No Interface Announcement, section 3.2.7.4.
 *
 * @example wlan0 goes away
 * ```ts
 * import type { NoInterfaceAnnouncement } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, wlan0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * app.postMessage({ type: "announce-interfaces" });
 * network.removeInterface(wlan0.interfaceId);
 * let gone: NoInterfaceAnnouncement | undefined;
 * for (let m = app.getMessage(); m; m = app.getMessage()) if (m.type === "no-interface-announcement") gone = m;
 * if (gone?.interfaceId !== wlan0.interfaceId) throw new Error("expected wlan0 to be withdrawn");
 * api.close();
 * ```
 */
export interface NoInterfaceAnnouncement {
  /** Discriminator. */
  readonly type: "no-interface-announcement";
  /** Interface identifier. */
  readonly interfaceId: InterfaceId;
}

/**
 * Provisioning Domain Announcement, section 3.2.7.7.
 *
 * @example A new explicit PvD on wlan0
 * ```ts
 * import type { ProvisioningDomainAnnouncement } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, wlan0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * app.postMessage({ type: "announce-provisioning-domains", interfaceId: wlan0.interfaceId });
 * network.addPvd({ interfaceId: wlan0.interfaceId, fqdn: "pvd.hotspot.example" });
 * let latest: ProvisioningDomainAnnouncement | undefined;
 * for (let m = app.getMessage(); m; m = app.getMessage()) {
 *   if (m.type === "provisioning-domain-announcement") latest = m;
 * }
 * if (latest?.pvdId !== "pvd.hotspot.example" || latest.interfaceId !== wlan0.interfaceId) {
 *   throw new Error("unexpected");
 * }
 * api.close();
 * ```
 */
export interface ProvisioningDomainAnnouncement {
  /** Discriminator. */
  readonly type: "provisioning-domain-announcement";
  /** Interface identifier. */
  readonly interfaceId: InterfaceId;
  /** Provisioning domain identifier. */
  readonly pvdId: PvdId;
}

/**
 * No Provisioning Domain Announcement, section 3.2.7.8.
 *
 * @example A withdrawn PvD loses its addresses first
 * ```ts
 * import type { NoProvisioningDomainAnnouncement } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, wlan0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * app.postMessage({ type: "announce-provisioning-domains", interfaceId: wlan0.interfaceId });
 * app.postMessage({ type: "announce-addresses", pvdId: wlan0.pvd.pvdId });
 * network.removePvd(wlan0.pvd.pvdId);
 * const types: string[] = [];
 * let gone: NoProvisioningDomainAnnouncement | undefined;
 * for (let m = app.getMessage(); m; m = app.getMessage()) {
 *   types.push(m.type);
 *   if (m.type === "no-provisioning-domain-announcement") gone = m;
 * }
 * if (types.at(-2) !== "no-address-announcement" || gone?.pvdId !== wlan0.pvd.pvdId) throw new Error(types.join());
 * api.close();
 * ```
 */
export interface NoProvisioningDomainAnnouncement {
  /** Discriminator. */
  readonly type: "no-provisioning-domain-announcement";
  /** Interface identifier. */
  readonly interfaceId: InterfaceId;
  /** Provisioning domain identifier. */
  readonly pvdId: PvdId;
}

/**
 * Configuration Element Announcement, section 3.2.7.10.
 *
 * @example A router advertisement changes its DNS server
 * ```ts
 * import type { ConfigurationElementAnnouncement } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { raElement, twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, wlan0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * app.postMessage({ type: "announce-configuration-elements", pvdId: wlan0.pvd.pvdId });
 * network.setElement(wlan0.pvd.pvdId, raElement({ router: wlan0.pvd.router, rdnss: ["2001:db8:b::54"] }));
 * let latest: ConfigurationElementAnnouncement | undefined;
 * for (let m = app.getMessage(); m; m = app.getMessage()) {
 *   if (m.type === "configuration-element-announcement") latest = m;
 * }
 * if (latest?.element.data["dns-servers"]?.[0]?.address !== "2001:db8:b::54") throw new Error("unexpected");
 * api.close();
 * ```
 */
export interface ConfigurationElementAnnouncement {
  /** Discriminator. */
  readonly type: "configuration-element-announcement";
  /** Provisioning Domain ID. */
  readonly pvdId: PvdId;
  /** The element, with its Configuration Element Type. */
  readonly element: ConfigurationElement;
}

/**
 * No Configuration Element Announcement, section 3.2.7.11.
 *
 * @example A DHCPv4 lease is withdrawn
 * ```ts
 * import type { NoConfigurationElementAnnouncement } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, eth0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * app.postMessage({ type: "announce-configuration-elements", pvdId: eth0.ipv4.pvdId });
 * network.removeElement(eth0.ipv4.pvdId, "dhcpv4", eth0.ipv4.router);
 * let gone: NoConfigurationElementAnnouncement | undefined;
 * for (let m = app.getMessage(); m; m = app.getMessage()) {
 *   if (m.type === "no-configuration-element-announcement") gone = m;
 * }
 * if (gone?.elementType !== "dhcpv4" || gone.elementId !== "192.0.2.1") throw new Error("unexpected");
 * api.close();
 * ```
 */
export interface NoConfigurationElementAnnouncement {
  /** Discriminator. */
  readonly type: "no-configuration-element-announcement";
  /** Provisioning domain identifier. */
  readonly pvdId: PvdId;
  /** Configuration element type. */
  readonly elementType: ConfigurationElementType;
  /** Extension: which element of that type (see {@linkcode ConfigurationElement.elementId}). */
  readonly elementId: string;
}

/**
 * Address Announcement, section 3.2.7.14.
 *
 * @example Lifetimes as of the announcement
 * ```ts
 * import type { AddressAnnouncement } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, clock, wlan0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * await clock.tick(600_000); // ten minutes of virtual time
 * app.postMessage({ type: "announce-addresses", pvdId: wlan0.pvd.pvdId });
 * const m = app.getMessage();
 * const announcement: AddressAnnouncement | undefined = m?.type === "address-announcement" ? m : undefined;
 * if (announcement?.validLifetime !== 6600 || announcement.preferredLifetime !== 3000) throw new Error("unexpected");
 * api.close();
 * ```
 */
export interface AddressAnnouncement {
  /** Discriminator. */
  readonly type: "address-announcement";
  /** Provisioning domain identifier. */
  readonly pvdId: PvdId;
  /** A single IPv4 or IPv6 address, canonical text. */
  readonly address: string;
  /** IPv6 only: remaining valid lifetime in seconds (`Infinity` for infinite). */
  readonly validLifetime?: number;
  /** IPv6 only: remaining preferred lifetime in seconds (`Infinity` for infinite). */
  readonly preferredLifetime?: number;
}

/**
 * No Address Announcement, section 3.2.7.16.
 *
 * @example An address expires at the end of its valid lifetime
 * ```ts
 * import type { NoAddressAnnouncement } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, clock, wlan0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * app.postMessage({ type: "announce-addresses", pvdId: wlan0.pvd.pvdId });
 * await clock.tick(7_200_000); // two hours of virtual time
 * let gone: NoAddressAnnouncement | undefined;
 * for (let m = app.getMessage(); m; m = app.getMessage()) if (m.type === "no-address-announcement") gone = m;
 * if (gone?.address !== wlan0.pvd.address) throw new Error("expected the address to expire");
 * api.close();
 * ```
 */
export interface NoAddressAnnouncement {
  /** Discriminator. */
  readonly type: "no-address-announcement";
  /** Provisioning domain identifier. */
  readonly pvdId: PvdId;
  /** The IPv4 or IPv6 address no longer valid. */
  readonly address: string;
}

/**
 * Configuration Data, section 3.2.7.17.
 *
 * @example The MTU of provider A's IPv6 link
 * ```ts
 * import type { ConfigurationDataMessage } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, eth0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * app.postMessage({ type: "get-configuration-data", pvdId: eth0.ipv6.pvdId, elementType: "ra", informationId: "mtu" });
 * const m = app.getMessage();
 * const reply: ConfigurationDataMessage | undefined = m?.type === "configuration-data" ? m : undefined;
 * if (reply?.data !== 1500) throw new Error("unexpected");
 * api.close();
 * ```
 */
export interface ConfigurationDataMessage {
  /** Discriminator. */
  readonly type: "configuration-data";
  /** Provisioning Domain ID. */
  readonly pvdId: PvdId;
  /** Configuration Element Type. */
  readonly elementType: ConfigurationElementType;
  /** Configuration Information Identifier. */
  readonly informationId: ConfigurationInformationId;
  /** The data, merged over every element of that type in the PvD. */
  readonly data: ConfigurationData[ConfigurationInformationId];
}

/**
 * No Configuration Data, section 3.2.7.17.
 *
 * @example The PvD has no DHCPv6 element
 * ```ts
 * import type { NoConfigurationData } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, eth0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * const pvdId = eth0.ipv6.pvdId;
 * app.postMessage({ type: "get-configuration-data", pvdId, elementType: "dhcpv6", informationId: "dns-servers" });
 * const m = app.getMessage();
 * const reply: NoConfigurationData | undefined = m?.type === "no-configuration-data" ? m : undefined;
 * if (reply?.elementType !== "dhcpv6" || reply.informationId !== "dns-servers") throw new Error("unexpected");
 * api.close();
 * ```
 */
export interface NoConfigurationData {
  /** Discriminator. */
  readonly type: "no-configuration-data";
  /** Provisioning Domain ID. */
  readonly pvdId: PvdId;
  /** Configuration Element Type. */
  readonly elementType: ConfigurationElementType;
  /** Configuration Information Identifier. */
  readonly informationId: ConfigurationInformationId;
}

/**
 * Name Translation, section 3.2.7.20: one message per address.
 *
 * @example One message per address
 * ```ts
 * import type { NameTranslation } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, clock, eth0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * app.postMessage({ type: "translate-name", pvdId: eth0.ipv6.pvdId, name: "host.example.com", translationId: "a" });
 * await clock.tick(1_000);
 * const answers: NameTranslation[] = [];
 * for (let m = app.getMessage(); m; m = app.getMessage()) if (m.type === "name-translation") answers.push(m);
 * const addresses = answers.map((a) => a.address).sort();
 * if (addresses.join() !== "2001:db8:c::80,203.0.113.80") throw new Error(addresses.join());
 * api.close();
 * ```
 */
export interface NameTranslation {
  /** Discriminator. */
  readonly type: "name-translation";
  /** The Translation ID the subscriber chose. */
  readonly translationId: string;
  /** One IP address returned by the translation, canonical text. */
  readonly address: string;
}

/**
 * Extension: the translation has ended; no Name Translation follows for this
 * identifier, which may be reused. The draft leaves the end of a translation
 * unsaid, so a subscriber could not tell "no answer" from "slow answer".
 *
 * @example A name that does not exist
 * ```ts
 * import type { NameTranslationComplete } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, clock, eth0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * app.postMessage({ type: "translate-name", pvdId: eth0.ipv6.pvdId, name: "missing.example", translationId: "t1" });
 * await clock.tick(10_000);
 * const m = app.getMessage();
 * const complete: NameTranslationComplete | undefined = m?.type === "name-translation-complete" ? m : undefined;
 * if (complete?.count !== 0 || complete.error?.code !== "resolution-failed") throw new Error("unexpected");
 * api.close();
 * ```
 */
export interface NameTranslationComplete {
  /** Discriminator. */
  readonly type: "name-translation-complete";
  /** The Translation ID the subscriber chose. */
  readonly translationId: string;
  /** How many Name Translation messages were sent. */
  readonly count: number;
  /** Why no (further) address came, when the translation failed. */
  readonly error?: MifError;
}

/**
 * Connected, section 3.2.7.24.
 *
 * @example A connection through provider A
 * ```ts
 * import type { Connected } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, clock, eth0, host } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * const pvdId = eth0.ipv6.pvdId;
 * const address = host.providerA.ipv6;
 * app.postMessage({ type: "connect-to-address", address, port: host.port, pvdId, connectionId: "c1" });
 * await clock.tick(1_000);
 * const m = app.getMessage();
 * const connected: Connected | undefined = m?.type === "connected" ? m : undefined;
 * if (connected?.connectionId !== "c1" || connected.token.pvdId !== pvdId) throw new Error("unexpected");
 * connected.token.close();
 * api.close();
 * ```
 */
export interface Connected {
  /** Discriminator. */
  readonly type: "connected";
  /** The connection identifier from the Connect message. */
  readonly connectionId: string;
  /** Token for the communications API: the connection itself. */
  readonly token: ConnectionToken;
  /** The race that made it: every attempt, and why this one won. */
  readonly report: EstablishmentReport;
}

/**
 * One connection attempt and how it ended, for {@linkcode NotConnected}.
 *
 * @example Nothing listens on the port
 * ```ts
 * import type { ConnectionAttemptFailure } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, clock, eth0, host } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * const pvdId = eth0.ipv6.pvdId;
 * app.postMessage({ type: "connect-to-address", address: host.providerA.ipv6, port: 81, pvdId, connectionId: "c1" });
 * await clock.tick(1_000);
 * const m = app.getMessage();
 * const attempts: readonly ConnectionAttemptFailure[] = m?.type === "not-connected" ? m.attempts : [];
 * if (attempts[0]?.sourceAddress !== eth0.ipv6.address || !attempts[0].reason.endsWith("refused")) {
 *   throw new Error("unexpected");
 * }
 * api.close();
 * ```
 */
export interface ConnectionAttemptFailure {
  /** The PvD the attempt went through. */
  readonly pvdId?: PvdId;
  /** Source address used. */
  readonly sourceAddress: string;
  /** Destination address tried. */
  readonly address: string;
  /** Why it failed. */
  readonly reason: string;
}

/**
 * Not Connected, section 3.2.7.25 (Connection Failed in 3.2.7.23).
 *
 * @example No IPv4 source in an IPv6-only PvD
 * ```ts
 * import type { NotConnected } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, wlan0, host } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * const pvdId = wlan0.pvd.pvdId;
 * const address = host.providerB.ipv4; // 198.51.100.80
 * app.postMessage({ type: "connect-to-address", address, port: host.port, pvdId, connectionId: "c1" });
 * await app.checkMessage(); // CHECK MESSAGE: wait for the reply
 * const m = app.getMessage();
 * const failed: NotConnected | undefined = m?.type === "not-connected" ? m : undefined;
 * if (failed?.error.code !== "no-source-address" || failed.attempts.length !== 0) throw new Error("unexpected");
 * api.close();
 * ```
 */
export interface NotConnected {
  /** Discriminator. */
  readonly type: "not-connected";
  /** The connection identifier from the Connect message. */
  readonly connectionId: string;
  /** An indication as to what went wrong. */
  readonly error: MifError;
  /** Every attempt made and why each failed (empty when none could start). */
  readonly attempts: readonly ConnectionAttemptFailure[];
  /** The race: every attempt with its times and result, and why it failed. */
  readonly report: EstablishmentReport;
}

/**
 * Interface is going away, section 3.2.7.26.4.
 *
 * @example Notice before wlan0 is removed
 * ```ts
 * import type { InterfaceGoingAway } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, clock, wlan0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * app.postMessage({ type: "announce-interfaces" });
 * network.removeInterface(wlan0.interfaceId, { noticeMs: 1_000 });
 * let warning: InterfaceGoingAway | undefined;
 * for (let m = app.getMessage(); m; m = app.getMessage()) if (m.type === "interface-going-away") warning = m;
 * if (warning?.interfaceId !== wlan0.interfaceId) throw new Error("expected a notice");
 * await clock.tick(1_000); // then the interface goes
 * if (app.getMessage()?.type !== "no-interface-announcement") throw new Error("expected the withdrawal");
 * api.close();
 * ```
 */
export interface InterfaceGoingAway {
  /** Discriminator. */
  readonly type: "interface-going-away";
  /** Interface identifier. */
  readonly interfaceId: InterfaceId;
}

/**
 * Interface is going up, section 3.2.7.26.5.
 *
 * @example wlan0 is coming up
 * ```ts
 * import type { InterfaceGoingUp } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, wlan0 } = twoProviderHost();
 * network.setInterfaceUp(wlan0.interfaceId, false);
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * app.postMessage({ type: "announce-interfaces" });
 * network.setInterfaceUp(wlan0.interfaceId, true, { delayMs: 100 });
 * let notice: InterfaceGoingUp | undefined;
 * for (let m = app.getMessage(); m; m = app.getMessage()) if (m.type === "interface-going-up") notice = m;
 * if (notice?.interfaceId !== wlan0.interfaceId) throw new Error("unexpected");
 * api.close();
 * ```
 */
export interface InterfaceGoingUp {
  /** Discriminator. */
  readonly type: "interface-going-up";
  /** Interface identifier. */
  readonly interfaceId: InterfaceId;
}

/**
 * Extension: the reply to a request the MIF API could not accept (malformed,
 * unknown PvD or interface, duplicate identifier). Nothing about the request
 * took effect.
 *
 * @example A malformed address
 * ```ts
 * import type { RequestError } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, eth0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * const pvdId = eth0.ipv6.pvdId;
 * app.postMessage({ type: "connect-to-address", address: "2001:db8::g", port: 80, pvdId, connectionId: "c1" });
 * const m = app.getMessage(); // queued at once; nothing else happened
 * const rejected: RequestError | undefined = m?.type === "error" ? m : undefined;
 * if (rejected?.error.code !== "invalid-address" || rejected.error.field !== "address") throw new Error("unexpected");
 * api.close();
 * ```
 */
export interface RequestError {
  /** Discriminator. */
  readonly type: "error";
  /** What was wrong. */
  readonly error: MifError;
  /** The request as it was posted. */
  readonly request: unknown;
}

/**
 * Extension: the subscriber's queue was full and this many unsolicited
 * announcements were not queued. Replies to the subscriber's own requests are
 * never dropped. Re-post the Announce messages to resynchronise.
 *
 * @example A slow subscriber resynchronises
 * ```ts
 * import type { AnnouncementsDropped } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe({ queueCapacity: 2 });
 * app.postMessage({ type: "announce-interfaces" }); // eth0 and wlan0 fill the queue
 * network.addInterface({ displayName: "wwan0", kind: "cellular" });
 * network.addInterface({ displayName: "wwan1", kind: "cellular" });
 * let dropped: AnnouncementsDropped | undefined;
 * for (let m = app.getMessage(); m; m = app.getMessage()) if (m.type === "announcements-dropped") dropped = m;
 * if (dropped?.count !== 2) throw new Error("expected two dropped announcements");
 * app.postMessage({ type: "announce-interfaces" }); // re-post to learn every interface again
 * if (app.pending !== 4) throw new Error(`${app.pending} messages`);
 * api.close();
 * ```
 */
export interface AnnouncementsDropped {
  /** Discriminator. */
  readonly type: "announcements-dropped";
  /** How many announcements were not queued. */
  readonly count: number;
}

/**
 * Every message the MIF API sends to a subscriber.
 *
 * @example Switch on the type
 * ```ts
 * import type { MifReply } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * function describe(message: MifReply): string {
 *   switch (message.type) {
 *     case "interface-announcement":
 *       return `+${message.displayName}`;
 *     case "no-interface-announcement":
 *       return `-${message.interfaceId}`;
 *     default:
 *       return message.type;
 *   }
 * }
 * const { network, wlan0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * app.postMessage({ type: "announce-interfaces" });
 * network.removeInterface(wlan0.interfaceId);
 * const seen: string[] = [];
 * for (let m = app.getMessage(); m; m = app.getMessage()) seen.push(describe(m));
 * if (seen.join() !== `+eth0,+wlan0,interface-going-away,-${wlan0.interfaceId}`) throw new Error(seen.join());
 * api.close();
 * ```
 */
export type MifReply =
  | InterfaceAnnouncement
  | NoInterfaceAnnouncement
  | ProvisioningDomainAnnouncement
  | NoProvisioningDomainAnnouncement
  | ConfigurationElementAnnouncement
  | NoConfigurationElementAnnouncement
  | AddressAnnouncement
  | NoAddressAnnouncement
  | ConfigurationDataMessage
  | NoConfigurationData
  | NameTranslation
  | NameTranslationComplete
  | Connected
  | NotConnected
  | InterfaceGoingAway
  | InterfaceGoingUp
  | RequestError
  | AnnouncementsDropped;

/**
 * The `type` of every {@linkcode MifRequest}.
 *
 * @example Count what a subscriber posts
 * ```ts
 * import type { MifRequest, MifRequestType } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * const posted = new Map<MifRequestType, number>();
 * const post = (request: MifRequest) => {
 *   posted.set(request.type, (posted.get(request.type) ?? 0) + 1);
 *   app.postMessage(request);
 * };
 * post({ type: "announce-interfaces" });
 * post({ type: "announce-interfaces" }); // re-posting re-iterates
 * if (posted.get("announce-interfaces") !== 2 || app.pending !== 4) throw new Error("unexpected");
 * api.close();
 * ```
 */
export type MifRequestType = MifRequest["type"];
/**
 * The `type` of every {@linkcode MifReply}.
 *
 * @example Count what a subscriber receives
 * ```ts
 * import type { MifReplyType } from "./messages.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, eth0 } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * app.postMessage({ type: "announce-interfaces" });
 * app.postMessage({ type: "announce-provisioning-domains", interfaceId: eth0.interfaceId });
 * const counts = new Map<MifReplyType, number>();
 * for (let m = app.getMessage(); m; m = app.getMessage()) counts.set(m.type, (counts.get(m.type) ?? 0) + 1);
 * if (counts.get("interface-announcement") !== 2 || counts.get("provisioning-domain-announcement") !== 2) {
 *   throw new Error("unexpected");
 * }
 * api.close();
 * ```
 */
export type MifReplyType = MifReply["type"];
