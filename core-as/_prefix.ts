/**
 * Address and prefix bytes, shared by the parser bindings (the RA receive
 * checks and builder, the DHCPv4 decoder and builder) and by the API layer's
 * mapping of parsed packets to configuration data
 * (`configuration_from_packets.ts`).
 *
 * Runtime-neutral: no Deno or Node APIs.
 *
 * @module
 */

import { parseIpAddress } from "./ip_address.ts";

/**
 * Clears, in place, every bit of `prefix` past the first `length` bits, and
 * returns `prefix`: 4 bytes for IPv4, 16 for IPv6.
 */
export function maskPrefix(prefix: Uint8Array, length: number): Uint8Array {
  // Written so that NaN, like a length past the end, clears nothing.
  if (!(length < 8 * prefix.length)) return prefix;
  for (let i = 0; i < prefix.length; i++) {
    const bits = Math.max(0, Math.min(8, length - 8 * i));
    prefix[i] = prefix[i]! & (0xff00 >> bits) & 0xff;
  }
  return prefix;
}

/** fe80::/10 (RFC 4291 section 2.5.6). */
export function isLinkLocal(address: Uint8Array): boolean {
  return address.length === 16 && address[0] === 0xfe && (address[1]! & 0xc0) === 0x80;
}

/**
 * The 4 bytes of IPv4 address text (a fresh copy, free to mask).
 *
 * @throws {RangeError} For IPv6 text (worded for the DHCPv4 builder, its
 * first user).
 * @throws {SyntaxError | RangeError} For text that is not an address, from
 * {@linkcode parseIpAddress}.
 */
export function ipv4Bytes(text: string): Uint8Array {
  const address = parseIpAddress(text);
  if (address.family !== 4) {
    throw new RangeError(`Cannot build DHCPv4 message: ${JSON.stringify(text)} is not an IPv4 address`);
  }
  return address.bytes;
}

/** True when two byte strings are equal (addresses, prefixes, whole messages). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
