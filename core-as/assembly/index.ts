/*
 * Entry point of the core WebAssembly module: everything exported here is a
 * raw export of the module (see abi.ts for the calling convention).
 */

export {
  errorDetail,
  errorOffset,
  inputCapacity,
  inputPtr,
  reserveInput,
  reserveResult,
  resultCapacity,
  resultPtr,
} from "./abi";
export { formatIpAddress, parseIpAddress } from "./ip_address";
export { parseNdOptions, parseRouterAdvertisement } from "./router_advertisement";
export { parseDhcpv6Message, parseDhcpv6Options } from "./dhcpv6";
export { captureErrorValue, readCapture } from "./capture";
export { parseDhcpv4, parseDhcpv4Options } from "./dhcpv4";
export { selectAddresses } from "./address_selection";
export { raceStep } from "./racing";
export { simulateRaces } from "./racing_simulation";
export { parseNetlink } from "./netlink";
