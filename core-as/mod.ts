/**
 * The WebAssembly core of the MIF API: pure computations over bytes, written
 * in AssemblyScript and shared by every runtime (Deno, Node, browsers).
 *
 * This entry point exposes:
 * - IP address validation and canonical formatting (`parseIpAddress`,
 *   `formatIpAddress`), which the API uses for the address fields of its
 *   messages;
 * - Router Advertisements and Neighbor Discovery options
 *   (`parseRouterAdvertisement`, `buildRouterAdvertisement`, ...), and
 *   on-access views of them (`viewRouterAdvertisement`);
 * - DHCPv6 messages (`parseDhcpv6`, `buildDhcpv6`, ...) and views
 *   (`viewDhcpv6`);
 * - DHCPv4 messages (`parseDhcpv4`, `buildDhcpv4`, ...) and views
 *   (`viewDhcpv4`);
 * - pcap and pcapng capture files (`readCapture`, `buildCapture`);
 * - RFC 6724 address selection, PvD-aware (`selectSource`,
 *   `sortDestinations`, `compareDestinations`, `classifyAddress`) over
 *   policy tables as data (`POLICY_RFC6724`, `POLICY_RFC6724_UPDATE`,
 *   `POLICY_IPV4_FIRST`, `POLICY_GLIBC`, `parseGaiConf`);
 * - connection racing across PvDs, Happy Eyeballs v2 inside each, sans-IO
 *   (`ConnectionRace`);
 * - the error codes every core failure carries as its `cause`
 *   (`CoreErrorCode`, `CoreErrorCause`).
 *
 * Mapping parsed packets to the API's configuration data is the API's job:
 * see `configurationFromRouterAdvertisement`, `configurationFromDhcpv6` and
 * `configurationFromDhcpv4` in `@pvd/mif`.
 *
 * @example Canonicalising an address field
 * ```ts
 * import { parseIpAddress } from "@pvd/mif/core";
 *
 * const address = parseIpAddress("2001:DB8:0:0:1:0:0:1");
 * if (address.text !== "2001:db8::1:0:0:1") throw new Error(address.text);
 * ```
 *
 * @example Parsing a Router Advertisement
 * ```ts
 * import { parseRouterAdvertisement } from "@pvd/mif/core";
 *
 * // Type 134, Code 0, Checksum 0, hop limit 64, no flags, lifetime 1800 s.
 * const ra = parseRouterAdvertisement(
 *   new Uint8Array([134, 0, 0, 0, 64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0]),
 *   { hopLimit: 255, sourceAddress: "fe80::1" },
 * );
 * if (ra.routerLifetime !== 1800 || ra.invalid.length !== 0) throw new Error();
 * ```
 *
 * @module
 */

export { type CoreErrorCause, CoreErrorCode } from "./_abi.ts";
// router_advertisement.ts, dhcpv6.ts and dhcpv4.ts each re-export this one
// declaration; exported here by name rather than through any of them.
export type { SkippedItem } from "./_records.ts";
export * from "./ip_address.ts";
export * from "./router_advertisement.ts";
export * from "./router_advertisement_view.ts";
export * from "./dhcpv6.ts";
export * from "./dhcpv6_view.ts";
export * from "./dhcpv4.ts";
export * from "./dhcpv4_view.ts";
export * from "./capture.ts";
export * from "./address_selection.ts";
export * from "./policy_table.ts";
export * from "./racing.ts";
export * from "./racing_simulation.ts";
export * from "./netlink.ts";
