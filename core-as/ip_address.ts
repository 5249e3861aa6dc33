/**
 * IP address text: strict parsing of IPv4 and IPv6 (with zones) and
 * canonical formatting (RFC 5952), computed in the WebAssembly core. The API
 * uses it for the address fields of its messages, the parser bindings for
 * the addresses they are given to encode.
 *
 * Runtime-neutral: no Deno or Node APIs.
 *
 * @module
 */

import { coreWasm } from "./core_wasm.generated.ts";
import { callCore, quote } from "./_abi.ts";

/**
 * A parsed IP address.
 *
 * @example
 * ```ts
 * import { type IpAddress, parseIpAddress } from "@pvd/mif/core";
 *
 * const address: IpAddress = parseIpAddress("fe80::1%eth0");
 * if (address.family !== 6 || address.zone !== "eth0") throw new Error();
 * ```
 */
export interface IpAddress {
  /** The address family: 4 for IPv4, 6 for IPv6. */
  readonly family: 4 | 6;
  /** The address in network byte order: 4 bytes for IPv4, 16 for IPv6. */
  readonly bytes: Uint8Array;
  /** The IPv6 zone (scope) as written after "%", if any. */
  readonly zone?: string;
  /** Canonical text (RFC 5952 for IPv6), with "%" and the zone if any. */
  readonly text: string;
}

/** Result layout of the core `parseIpAddress` (see assembly/ip_address.ts). */
const PARSED_ZONE_OFFSET = 4;
const PARSED_ZONE_LENGTH = 8;
const PARSED_ADDRESS = 16;

/**
 * Parses IPv4 or IPv6 address text strictly.
 *
 * Accepts a dotted quad of exactly four decimal parts 0 to 255 without
 * leading zeros, or IPv6 text as in RFC 4291 section 2.2 (at most one "::",
 * up to 8 groups of 1 to 4 hex digits, optionally ending in a dotted quad),
 * followed for IPv6 only by "%" and a zone of visible ASCII characters other
 * than "%", "/", "[" and "]". Nothing else is accepted: no surrounding
 * spaces, brackets, prefix lengths or shortened IPv4 forms.
 *
 * @example Parsing and canonicalising
 * ```ts
 * import { parseIpAddress } from "@pvd/mif/core";
 *
 * const v4 = parseIpAddress("192.0.2.1");
 * if (v4.family !== 4 || v4.bytes.join(".") !== "192.0.2.1") {
 *   throw new Error("unexpected IPv4 result");
 * }
 * const v6 = parseIpAddress("FE80:0:0:0:0:0:0:1%eth0");
 * if (v6.text !== "fe80::1%eth0") throw new Error(v6.text);
 * ```
 *
 * @example Rejecting malformed text
 * ```ts
 * import { parseIpAddress } from "@pvd/mif/core";
 *
 * try {
 *   parseIpAddress("fe80::g");
 *   throw new Error("accepted");
 * } catch (error) {
 *   if (!(error instanceof SyntaxError)) throw error;
 *   // Cannot parse IP address "fe80::g": unexpected character at offset 6
 * }
 * ```
 *
 * @param text The address text.
 * @returns The parsed address with its canonical text.
 * @throws {SyntaxError} If the text is truncated or has an unexpected
 * character.
 * @throws {RangeError} If a part is out of range or too long. Either error
 * has a {@link CoreErrorCause} as `cause`, giving the offset in `text`.
 */
export function parseIpAddress(text: string): IpAddress {
  if (typeof text !== "string") {
    throw new TypeError(`Cannot parse IP address: expected a string`);
  }
  const { family, bytes, zone } = callCore(coreWasm, {
    action: `parse IP address ${quote(text)}`,
    input: text,
    invoke: (len) => coreWasm.parseIpAddress(len),
    decode: (result, view) => {
      const family: 4 | 6 = result[0] === 4 ? 4 : 6;
      const zoneOffset = view.getUint32(PARSED_ZONE_OFFSET, true);
      const zoneLength = view.getUint32(PARSED_ZONE_LENGTH, true);
      return {
        family,
        bytes: result.slice(
          PARSED_ADDRESS,
          PARSED_ADDRESS + (family === 4 ? 4 : 16),
        ),
        // The core only accepts ASCII, so byte offsets are string indices.
        zone: zoneLength > 0 ? text.slice(zoneOffset, zoneOffset + zoneLength) : undefined,
      };
    },
  });
  const canonical = formatAddressOnly(bytes);
  return zone === undefined
    ? { family, bytes, text: canonical }
    : { family, bytes, zone, text: `${canonical}%${zone}` };
}

/**
 * Formats address bytes as canonical text: a dotted quad for IPv4, RFC 5952
 * for IPv6 (lowercase, no leading zeros, the longest run of two or more zero
 * groups shortened to "::", the first such run on a tie, and
 * "::ffff:a.b.c.d" for IPv4-mapped addresses).
 *
 * @example
 * ```ts
 * import { formatIpAddress } from "@pvd/mif/core";
 *
 * const bytes = new Uint8Array(16);
 * bytes[0] = 0x20, bytes[1] = 0x01, bytes[2] = 0x0d, bytes[3] = 0xb8;
 * bytes[15] = 1;
 * if (formatIpAddress(bytes) !== "2001:db8::1") throw new Error();
 * if (formatIpAddress(bytes, "eth0") !== "2001:db8::1%eth0") throw new Error();
 * if (formatIpAddress(new Uint8Array([192, 0, 2, 1])) !== "192.0.2.1") {
 *   throw new Error();
 * }
 * ```
 *
 * @param bytes The address in network byte order: 4 bytes for IPv4, 16 for
 * IPv6.
 * @param zone An IPv6 zone to append after "%"; same rules as
 * {@link parseIpAddress}.
 * @returns The canonical text.
 * @throws {RangeError} If `bytes` is not 4 or 16 bytes long, or a zone is
 * given for IPv4.
 * @throws {SyntaxError} If the zone is empty or has a character that is not
 * allowed; its `cause` gives the offset in `zone`.
 */
export function formatIpAddress(bytes: Uint8Array, zone?: string): string {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError("Cannot format IP address: expected a Uint8Array");
  }
  if (zone === undefined) return formatAddressOnly(bytes);
  if (typeof zone !== "string") {
    throw new TypeError("Cannot format IP address: expected a string zone");
  }
  checkAddressLength(bytes);
  if (bytes.length === 4) {
    throw new RangeError(
      `Cannot format IP address with zone ${quote(zone)}: IPv4 has no zone`,
    );
  }
  // The core validates the zone: address bytes, "%", zone as UTF-8.
  const zoneBytes = new TextEncoder().encode(zone);
  const input = new Uint8Array(17 + zoneBytes.length);
  input.set(bytes);
  input[16] = 0x25;
  input.set(zoneBytes, 17);
  return callCore(coreWasm, {
    action: `format IP address with zone ${quote(zone)}`,
    input,
    invoke: (len) => coreWasm.formatIpAddress(len, 16),
    decode: decodeAscii,
    // Offsets count within the zone; the core rejects any non-ASCII byte
    // at its own offset, so zone bytes and string indices agree.
    offsetBase: 17,
  });
}

function checkAddressLength(bytes: Uint8Array): void {
  if (bytes.length !== 4 && bytes.length !== 16) {
    throw new RangeError(
      `Cannot format IP address: expected 4 or 16 bytes, got ${bytes.length}`,
    );
  }
}

function formatAddressOnly(bytes: Uint8Array): string {
  checkAddressLength(bytes);
  return callCore(coreWasm, {
    action: "format IP address",
    input: bytes,
    invoke: (len) => coreWasm.formatIpAddress(len, bytes.length),
    decode: decodeAscii,
  });
}

const decoder = new TextDecoder();

/** Decodes ASCII result text; short text skips TextDecoder's overhead. */
function decodeAscii(result: Uint8Array): string {
  // Spreading is bounded: a long zone would overflow the argument stack.
  return result.length <= 64 ? String.fromCharCode(...result) : decoder.decode(result);
}
