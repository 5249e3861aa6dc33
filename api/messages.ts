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

import type { MifError } from "./errors.ts";
import type { ConnectionToken } from "./network_link.ts";

/** Identifier of an interface, unique on the host while it exists (the OS interface index on real hosts). */
export type InterfaceId = number;

/**
 * Identifier of a provisioning domain. Explicit PvDs (RFC 8801) use their
 * PvD ID FQDN; implicit PvDs use `implicit:<interface name>:<ipv4|ipv6>`,
 * following draft -00 section 3.1: a dual-stack link carries two PvDs.
 */
export type PvdId = string;

/** Configuration Element Type, section 3.2.7.10: "RA", "DHCPv6", "DHCPv4", "etc." (`static` is host configuration such as resolv.conf). */
export type ConfigurationElementType = "ra" | "dhcpv6" | "dhcpv4" | "static";

/**
 * Configuration Information Identifier, section 3.2.7.17 ("DNS Server List etc.").
 * Each names one kind of data held by a configuration element.
 */
export type ConfigurationInformationId =
  | "dns-servers"
  | "search-domains"
  | "routers"
  | "prefixes"
  | "routes"
  | "mtu"
  | "captive-portal";

/** The draft's list of every Configuration Information Identifier, in a stable order. */
export const CONFIGURATION_INFORMATION_IDS: readonly ConfigurationInformationId[] = [
  "dns-servers",
  "search-domains",
  "routers",
  "prefixes",
  "routes",
  "mtu",
  "captive-portal",
];

/** A DNS server with the lifetime (seconds) its source gave it; `Infinity` when it does not expire. */
export interface DnsServer {
  /** Canonical text of the server's address (RFC 5952 for IPv6). */
  readonly address: string;
  /** Remaining lifetime in seconds. */
  readonly lifetime: number;
}

/** A DNS search domain with its remaining lifetime in seconds. */
export interface SearchDomain {
  /** The domain, lowercase, without a trailing dot. */
  readonly domain: string;
  /** Remaining lifetime in seconds. */
  readonly lifetime: number;
}

/** A default router with its remaining router lifetime in seconds. */
export interface Router {
  /** Canonical text of the router's address. */
  readonly address: string;
  /** Remaining lifetime in seconds. */
  readonly lifetime: number;
  /** Default router preference (RFC 4191); `medium` for DHCPv4 routers. */
  readonly preference: "high" | "medium" | "low";
}

/** An on-link or autonomous prefix (RA Prefix Information, DHCPv4 subnet). */
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

/** A more-specific route (RFC 4191 Route Information, DHCPv4 classless static route). */
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
}

/**
 * One configuration element: everything one source (one router's RA, one
 * DHCPv6 server, one DHCPv4 lease, the host's static configuration) provided
 * for one PvD.
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

/** Announce Interfaces, section 3.2.7.1. */
export interface AnnounceInterfaces {
  /** Discriminator. */
  readonly type: "announce-interfaces";
}

/** Stop Announcing Interfaces, section 3.2.7.2. */
export interface StopAnnouncingInterfaces {
  /** Discriminator. */
  readonly type: "stop-announcing-interfaces";
}

/** Announce Provisioning Domain, section 3.2.7.5. */
export interface AnnounceProvisioningDomains {
  /** Discriminator. */
  readonly type: "announce-provisioning-domains";
  /** The interface whose PvDs to announce. */
  readonly interfaceId: InterfaceId;
}

/** Stop Announcing Provisioning Domains, section 3.2.7.6. */
export interface StopAnnouncingProvisioningDomains {
  /** Discriminator. */
  readonly type: "stop-announcing-provisioning-domains";
  /** The interface the subscriber no longer wants PvD announcements for. */
  readonly interfaceId: InterfaceId;
}

/** Announce Configuration Element, section 3.2.7.9. */
export interface AnnounceConfigurationElements {
  /** Discriminator. */
  readonly type: "announce-configuration-elements";
  /** The PvD whose configuration elements to announce. */
  readonly pvdId: PvdId;
  /** "a specific configuration element": only this type when given, every type otherwise. */
  readonly elementType?: ConfigurationElementType;
}

/** Stop Announce Configuration Element, section 3.2.7.12. */
export interface StopAnnouncingConfigurationElements {
  /** Discriminator. */
  readonly type: "stop-announcing-configuration-elements";
  /** Extension: the PvD to stop for; every PvD when absent. */
  readonly pvdId?: PvdId;
}

/** Announce Address, section 3.2.7.13. */
export interface AnnounceAddresses {
  /** Discriminator. */
  readonly type: "announce-addresses";
  /** The PvD whose addresses to announce. */
  readonly pvdId: PvdId;
}

/** Stop Announcing Address, section 3.2.7.15. */
export interface StopAnnouncingAddresses {
  /** Discriminator. */
  readonly type: "stop-announcing-addresses";
  /** Extension: the PvD to stop for; every PvD when absent. */
  readonly pvdId?: PvdId;
}

/** Get Configuration Data, section 3.2.7.17. */
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

/** Translate Name, section 3.2.7.18. */
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

/** Stop Translating Name, section 3.2.7.19. */
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

/** Connect to Address, section 3.2.7.22. */
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

/** Connect to Address From Address, section 3.2.7.23. */
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

/** Application: Wants to connect, section 3.2.7.26.1. */
export interface WantsToConnect {
  /** Discriminator. */
  readonly type: "wants-to-connect";
}

/** Application: Connection is idle, section 3.2.7.26.2. */
export interface ConnectionIsIdle {
  /** Discriminator. */
  readonly type: "connection-is-idle";
  /** Extension: the connection that is idle; the whole application when absent. */
  readonly connectionId?: string;
}

/** Application: Connection can be broken, section 3.2.7.26.3. */
export interface ConnectionCanBeBroken {
  /** Discriminator. */
  readonly type: "connection-can-be-broken";
  /** Extension: the connection that may be broken; every connection when absent. */
  readonly connectionId?: string;
}

/** Every message a subscriber can post to the MIF API. */
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

/** Interface Announcement, section 3.2.7.3. */
export interface InterfaceAnnouncement {
  /** Discriminator. */
  readonly type: "interface-announcement";
  /** Interface identifier. */
  readonly interfaceId: InterfaceId;
  /** Interface display name. */
  readonly displayName: string;
}

/** No Interface Announcement, section 3.2.7.4. */
export interface NoInterfaceAnnouncement {
  /** Discriminator. */
  readonly type: "no-interface-announcement";
  /** Interface identifier. */
  readonly interfaceId: InterfaceId;
}

/** Provisioning Domain Announcement, section 3.2.7.7. */
export interface ProvisioningDomainAnnouncement {
  /** Discriminator. */
  readonly type: "provisioning-domain-announcement";
  /** Interface identifier. */
  readonly interfaceId: InterfaceId;
  /** Provisioning domain identifier. */
  readonly pvdId: PvdId;
}

/** No Provisioning Domain Announcement, section 3.2.7.8. */
export interface NoProvisioningDomainAnnouncement {
  /** Discriminator. */
  readonly type: "no-provisioning-domain-announcement";
  /** Interface identifier. */
  readonly interfaceId: InterfaceId;
  /** Provisioning domain identifier. */
  readonly pvdId: PvdId;
}

/** Configuration Element Announcement, section 3.2.7.10. */
export interface ConfigurationElementAnnouncement {
  /** Discriminator. */
  readonly type: "configuration-element-announcement";
  /** Provisioning Domain ID. */
  readonly pvdId: PvdId;
  /** The element, with its Configuration Element Type. */
  readonly element: ConfigurationElement;
}

/** No Configuration Element Announcement, section 3.2.7.11. */
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

/** Address Announcement, section 3.2.7.14. */
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

/** No Address Announcement, section 3.2.7.16. */
export interface NoAddressAnnouncement {
  /** Discriminator. */
  readonly type: "no-address-announcement";
  /** Provisioning domain identifier. */
  readonly pvdId: PvdId;
  /** The IPv4 or IPv6 address no longer valid. */
  readonly address: string;
}

/** Configuration Data, section 3.2.7.17. */
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

/** No Configuration Data, section 3.2.7.17. */
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

/** Name Translation, section 3.2.7.20: one message per address. */
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

/** Connected, section 3.2.7.24. */
export interface Connected {
  /** Discriminator. */
  readonly type: "connected";
  /** The connection identifier from the Connect message. */
  readonly connectionId: string;
  /** Token for the communications API: the connection itself. */
  readonly token: ConnectionToken;
}

/** One connection attempt and how it ended, for {@linkcode NotConnected}. */
export interface ConnectionAttemptFailure {
  /** Source address used. */
  readonly sourceAddress: string;
  /** Destination address tried. */
  readonly address: string;
  /** Why it failed. */
  readonly reason: string;
}

/** Not Connected, section 3.2.7.25 (Connection Failed in 3.2.7.23). */
export interface NotConnected {
  /** Discriminator. */
  readonly type: "not-connected";
  /** The connection identifier from the Connect message. */
  readonly connectionId: string;
  /** An indication as to what went wrong. */
  readonly error: MifError;
  /** Every attempt made and why each failed (empty when none could start). */
  readonly attempts: readonly ConnectionAttemptFailure[];
}

/** Interface is going away, section 3.2.7.26.4. */
export interface InterfaceGoingAway {
  /** Discriminator. */
  readonly type: "interface-going-away";
  /** Interface identifier. */
  readonly interfaceId: InterfaceId;
}

/** Interface is going up, section 3.2.7.26.5. */
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
 */
export interface AnnouncementsDropped {
  /** Discriminator. */
  readonly type: "announcements-dropped";
  /** How many announcements were not queued. */
  readonly count: number;
}

/** Every message the MIF API sends to a subscriber. */
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

/** The `type` of every {@linkcode MifRequest}. */
export type MifRequestType = MifRequest["type"];
/** The `type` of every {@linkcode MifReply}. */
export type MifReplyType = MifReply["type"];
