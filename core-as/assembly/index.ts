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
