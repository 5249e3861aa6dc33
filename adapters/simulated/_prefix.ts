// Private: prefixes ("2001:db8::/32", or a bare address as a host prefix)
// and longest-prefix matching over address bytes, for the path table.

import { parseIpAddress } from "../../core-as/ip_address.ts";

/** A parsed prefix. */
export interface Prefix {
  readonly family: 4 | 6;
  readonly bytes: Uint8Array;
  readonly length: number;
  /** Canonical text, `address/length`. */
  readonly text: string;
}

/** Parses `address/length` or a bare address (a /32 or /128); throws `SyntaxError`. */
export function parsePrefix(text: string): Prefix {
  const slash = text.indexOf("/");
  const address = parseIpAddress(slash === -1 ? text : text.slice(0, slash));
  const max = address.bytes.length * 8;
  let length = max;
  if (slash !== -1) {
    const lengthText = text.slice(slash + 1);
    length = /^[0-9]{1,3}$/.test(lengthText) ? Number(lengthText) : NaN;
    if (!(length >= 0 && length <= max)) {
      throw new SyntaxError(
        `Cannot parse prefix "${text}": length must be 0 to ${max}`,
      );
    }
  }
  return {
    family: address.family,
    bytes: address.bytes,
    length,
    text: `${address.text}/${length}`,
  };
}

/** Whether `address` (bytes of the same family) lies inside `prefix`. */
export function prefixContains(prefix: Prefix, address: Uint8Array): boolean {
  if (address.length !== prefix.bytes.length) return false;
  const whole = prefix.length >> 3;
  for (let i = 0; i < whole; i++) {
    if (address[i] !== prefix.bytes[i]) return false;
  }
  const rest = prefix.length & 7;
  if (rest === 0) return true;
  // Compare only the top `rest` bits of the next byte.
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((address[whole]! ^ prefix.bytes[whole]!) & mask) === 0;
}
