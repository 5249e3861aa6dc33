// Private: the one file that touches the dns-packet npm package. It declares
// the small part of dns-packet's interface this project uses, so that no
// `@types/dns-packet` (and with it `@types/node`) enters the type check, and
// it converts between `Uint8Array` and the `Buffer` dns-packet works on.

import dnsPacketModule from "dns-packet";

/** A question as dns-packet decodes and encodes it. */
export interface PacketQuestion {
  name: string;
  type: string;
  class?: string;
}

/** A resource record as dns-packet decodes and encodes it (A, AAAA, CNAME data are strings). */
export interface PacketAnswer {
  name: string;
  type: string;
  class?: string;
  ttl?: number;
  data?: unknown;
}

/** A whole message as dns-packet decodes and encodes it. */
export interface Packet {
  id?: number;
  type?: "query" | "response";
  /** Header flags without QR; dns-packet takes the RCODE from the low four bits on encoding. */
  flags?: number;
  opcode?: string;
  rcode?: string;
  flag_qr?: boolean;
  flag_tc?: boolean;
  questions?: PacketQuestion[];
  answers?: PacketAnswer[];
  authorities?: PacketAnswer[];
  additionals?: PacketAnswer[];
}

interface DnsPacketCodec {
  encode(packet: Packet): Uint8Array;
  decode(buffer: Uint8Array): Packet;
  readonly RECURSION_DESIRED: number;
  readonly RECURSION_AVAILABLE: number;
  readonly AUTHORITATIVE_ANSWER: number;
  readonly TRUNCATED_RESPONSE: number;
}

const codec = dnsPacketModule as DnsPacketCodec;

/** Header flag: recursion desired. */
export const RECURSION_DESIRED: number = codec.RECURSION_DESIRED;
/** Header flag: recursion available. */
export const RECURSION_AVAILABLE: number = codec.RECURSION_AVAILABLE;
/** Header flag: authoritative answer. */
export const AUTHORITATIVE_ANSWER: number = codec.AUTHORITATIVE_ANSWER;
/** Header flag: truncated. */
export const TRUNCATED_RESPONSE: number = codec.TRUNCATED_RESPONSE;

interface BufferConstructorLike {
  from(buffer: ArrayBufferLike, byteOffset: number, length: number): Uint8Array;
}

/**
 * dns-packet reads with `Buffer` methods (`readUInt16BE`), which a plain
 * `Uint8Array` lacks. Deno and Node have a global `Buffer`; a browser needs
 * a polyfill, which dns-packet itself needs to encode anyway. No `node:`
 * import here keeps this file loadable in every runtime.
 */
function toBuffer(bytes: Uint8Array): Uint8Array {
  const ctor = (globalThis as { Buffer?: BufferConstructorLike }).Buffer;
  if (ctor === undefined) {
    throw new TypeError(
      "Cannot decode DNS message: dns-packet needs a global Buffer (load a Buffer polyfill)",
    );
  }
  return ctor.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Encodes a message into a fresh plain `Uint8Array`. */
export function encodePacket(packet: Packet): Uint8Array {
  // Copy out of the Buffer so callers hold an ordinary Uint8Array that no
  // pool or later encode can share or overwrite.
  return new Uint8Array(codec.encode(packet));
}

/** Decodes a message; throws on bytes dns-packet cannot parse. */
export function decodePacket(bytes: Uint8Array): Packet {
  return codec.decode(toBuffer(bytes));
}
