/**
 * Router Advertisements heard in full, PvD option included: the kernel
 * forwards only some RA options to user space (RDNSS, DNSSL, captive portal,
 * PREF64), so a host that wants RFC 8801 PvDs listens on a raw ICMPv6
 * socket. This module is the runtime-neutral part: the RFC 4861 receive
 * checks, parsing by the WebAssembly core, the latest RA per router and link
 * with its expiry, and a Router Solicitation at start. The socket itself is
 * a {@linkcode RawIcmpv6Socket} each runtime provides (Deno's FFI today).
 *
 * @module
 */

import { parseIpAddress } from "../../core-as/ip_address.ts";
import { equalBytes, isLinkLocal } from "../../core-as/_prefix.ts";
import { parseRouterAdvertisement } from "../../core-as/router_advertisement.ts";
import { configurationFromRouterAdvertisement } from "../../api/configuration_from_packets.ts";
import type { Clock } from "../../api/network_link.ts";
import type { HeardRouterAdvertisement } from "./host_model.ts";
import { longestLifetime } from "./_ra_lifetime.ts";

/**
 * One ICMPv6 message as a raw socket received it, with what the IPv6 header
 * said (through `IPV6_RECVHOPLIMIT` and `IPV6_RECVPKTINFO`).
 *
 * @example
 * ```ts
 * import type { Icmpv6Datagram } from "./ra_listener.ts";
 *
 * const d: Icmpv6Datagram = { bytes: new Uint8Array(16), source: "fe80::1", ifindex: 3, hopLimit: 255 };
 * if (d.hopLimit !== 255) throw new Error("unexpected");
 * ```
 */
export interface Icmpv6Datagram {
  /** The ICMPv6 message, from its type field on. */
  readonly bytes: Uint8Array;
  /** The IPv6 source address, canonical text without a zone. */
  readonly source: string;
  /** The link it arrived on. */
  readonly ifindex: number;
  /** The IPv6 Hop Limit it arrived with. */
  readonly hopLimit: number;
}

/**
 * A raw ICMPv6 socket that passes Router Advertisements only, as a runtime
 * provides it.
 *
 * @example A socket that never receives anything
 * ```ts
 * import type { RawIcmpv6Socket } from "./ra_listener.ts";
 *
 * let closed = false;
 * const silent: RawIcmpv6Socket = {
 *   receive: () => new Promise((resolve) => setTimeout(() => resolve(undefined), 0)),
 *   send: () => {},
 *   close: () => (closed = true),
 * };
 * silent.close();
 * if (!closed) throw new Error("unexpected");
 * ```
 */
export interface RawIcmpv6Socket {
  /** The next message, or `undefined` once the socket is closed. */
  receive(): Promise<Icmpv6Datagram | undefined>;
  /** Sends an ICMPv6 message (the kernel fills in the checksum) with Hop Limit 255. */
  send(bytes: Uint8Array, destination: string, ifindex: number): void | Promise<void>;
  /** Closes the socket; a pending `receive` resolves to `undefined`. */
  close(): void;
}

/**
 * Why an ICMPv6 message was not taken as a Router Advertisement.
 *
 * @example
 * ```ts
 * import type { RaRejection } from "./ra_listener.ts";
 *
 * const r: RaRejection = { reason: "hop limit 64 is not 255", source: "fe80::1", ifindex: 3 };
 * if (!r.reason.includes("255")) throw new Error("unexpected");
 * ```
 */
export interface RaRejection {
  /** What was wrong, naming the field. */
  readonly reason: string;
  /** Who sent it. */
  readonly source: string;
  /** Where it arrived. */
  readonly ifindex: number;
}

/**
 * Applies the receive checks of RFC 4861 section 6.1.2 and parses the RA:
 * the source is link-local, the Hop Limit 255 ("the packet could not
 * possibly have been forwarded by a router"), the ICMP code 0, the length 16
 * octets or more, and every option well formed with a length above zero
 * (the parser's checks). The kernel has checked the checksum.
 *
 * @example A forwarded RA is refused
 * ```ts
 * import { acceptRouterAdvertisement } from "./ra_listener.ts";
 *
 * const bytes = new Uint8Array([134, 0, 0, 0, 64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0]);
 * const ok = acceptRouterAdvertisement({ bytes, source: "fe80::1", ifindex: 2, hopLimit: 255 }, 0);
 * const bad = acceptRouterAdvertisement({ bytes, source: "fe80::1", ifindex: 2, hopLimit: 254 }, 0);
 * if (!("ra" in ok) || "ra" in bad) throw new Error("unexpected");
 * ```
 *
 * @param datagram What the socket received.
 * @param now Clock time (ms) it was received.
 * @returns The heard RA, or why it was refused.
 */
export function acceptRouterAdvertisement(
  datagram: Icmpv6Datagram,
  now: number,
): HeardRouterAdvertisement | RaRejection {
  const { bytes, source, ifindex, hopLimit } = datagram;
  const refuse = (reason: string): RaRejection => ({ reason, source, ifindex });
  let sourceBytes: Uint8Array;
  try {
    sourceBytes = parseIpAddress(source).bytes;
  } catch (error) {
    return refuse(`source address: ${(error as Error).message}`);
  }
  if (!isLinkLocal(sourceBytes)) return refuse(`source ${source} is not link-local`);
  if (hopLimit !== 255) return refuse(`hop limit ${hopLimit} is not 255`);
  if (bytes.length < 16) return refuse(`length ${bytes.length} is under 16 octets`);
  if (bytes[0] !== 134) return refuse(`ICMPv6 type ${bytes[0]} is not a Router Advertisement`);
  if (bytes[1] !== 0) return refuse(`ICMP code ${bytes[1]} is not 0`);
  try {
    return { ifindex, source: parseIpAddress(source).text, receivedAt: now, ra: parseRouterAdvertisement(bytes) };
  } catch (error) {
    return refuse((error as Error).message);
  }
}

/**
 * A Router Solicitation (RFC 4861 section 4.1) without options: sent at
 * start so routers answer at once rather than at their next periodic RA.
 *
 * @example
 * ```ts
 * import { routerSolicitation } from "./ra_listener.ts";
 *
 * if (routerSolicitation()[0] !== 133 || routerSolicitation().length !== 8) throw new Error("unexpected");
 * ```
 *
 * @returns The ICMPv6 message (the kernel fills in the checksum).
 */
export function routerSolicitation(): Uint8Array {
  return new Uint8Array([133, 0, 0, 0, 0, 0, 0, 0]);
}

/** Re-announce an unchanged RA's lifetimes at most this often, so a periodic RA is not news each time. */
const REFRESH_MS = 60_000;

/**
 * Options for {@linkcode RouterAdvertisementListener}.
 *
 * @example
 * ```ts
 * import type { RouterAdvertisementListenerOptions } from "./ra_listener.ts";
 *
 * const options: RouterAdvertisementListenerOptions = { solicit: [2, 3] };
 * if (options.solicit?.length !== 2) throw new Error("unexpected");
 * ```
 */
export interface RouterAdvertisementListenerOptions {
  /** Links to send a Router Solicitation on at start (to ff02::2). */
  readonly solicit?: readonly number[];
  /** Receives each refused message, with why. */
  readonly onRejected?: (rejection: RaRejection) => void;
}

/**
 * Listens for Router Advertisements on a raw ICMPv6 socket and keeps the
 * latest one from each router on each link, per PvD (a router may send one
 * RA per PvD), until everything it said has expired. `onHeard` is called when what the host knows changed: a new
 * router, different contents, a refresh of lifetimes (at most once a
 * minute for an unchanged RA), or an expiry.
 *
 * @example With a scripted socket
 * ```ts
 * import { RouterAdvertisementListener } from "./ra_listener.ts";
 * import { VirtualClock } from "../simulated/virtual_clock.ts";
 *
 * const ra = new Uint8Array([134, 0, 0, 0, 64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0]);
 * const queue = [{ bytes: ra, source: "fe80::1", ifindex: 2, hopLimit: 255 }];
 * const socket = {
 *   receive: () => Promise.resolve(queue.shift()),
 *   send: () => {},
 *   close: () => {},
 * };
 * const clock = new VirtualClock();
 * const listener = new RouterAdvertisementListener(socket, clock);
 * await new Promise<void>((resolve) => listener.start(resolve));
 * if (listener.heard()[0]?.source !== "fe80::1") throw new Error("unexpected");
 * listener.stop();
 * ```
 */
export class RouterAdvertisementListener {
  readonly #socket: RawIcmpv6Socket;
  readonly #clock: Clock;
  readonly #options: RouterAdvertisementListenerOptions;
  readonly #heard = new Map<string, { heard: HeardRouterAdvertisement; bytes: Uint8Array; expiresAt: number }>();
  #onHeard: (() => void) | undefined;
  #running = false;
  #expiry: ReturnType<Clock["setTimer"]> | undefined;
  #rejected = 0;

  /**
   * Makes a listener over a socket; nothing happens before `start`.
   *
   * @param socket The raw ICMPv6 socket (RA filter set).
   * @param clock The clock lifetimes count on.
   * @param options Links to solicit on, where refusals go.
   */
  constructor(socket: RawIcmpv6Socket, clock: Clock, options: RouterAdvertisementListenerOptions = {}) {
    this.#socket = socket;
    this.#clock = clock;
    this.#options = options;
  }

  /** How many messages failed the receive checks. */
  get rejected(): number {
    return this.#rejected;
  }

  /**
   * Sends the solicitations and starts receiving.
   *
   * @param onHeard Called whenever what the host knows changed.
   */
  start(onHeard: () => void): void {
    if (this.#running) return;
    this.#running = true;
    this.#onHeard = onHeard;
    for (const ifindex of this.#options.solicit ?? []) {
      try {
        void Promise.resolve(this.#socket.send(routerSolicitation(), "ff02::2", ifindex)).catch(() => {});
      } catch {
        // A link that cannot send (down, no link-local address yet) is heard from at the next periodic RA.
      }
    }
    void this.#loop();
  }

  /** Stops receiving and closes the socket. */
  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#onHeard = undefined;
    if (this.#expiry !== undefined) this.#clock.clearTimer(this.#expiry);
    this.#expiry = undefined;
    this.#socket.close();
  }

  /**
   * The RAs in force: the latest from each router on each link, minus
   * those whose every lifetime has passed.
   *
   * @returns The heard RAs.
   */
  heard(): HeardRouterAdvertisement[] {
    const now = this.#clock.now();
    return [...this.#heard.values()].filter((entry) => entry.expiresAt > now).map((entry) => entry.heard);
  }

  async #loop(): Promise<void> {
    while (this.#running) {
      let datagram: Icmpv6Datagram | undefined;
      try {
        datagram = await this.#socket.receive();
      } catch {
        datagram = undefined;
      }
      if (datagram === undefined || !this.#running) return;
      this.#take(datagram);
    }
  }

  #take(datagram: Icmpv6Datagram): void {
    const now = this.#clock.now();
    const result = acceptRouterAdvertisement(datagram, now);
    if (!("ra" in result)) {
      this.#rejected++;
      this.#options.onRejected?.(result);
      return;
    }
    // A router may send one RA per PvD (RFC 8801 section 3.4.1): keep the latest of each.
    const pvd = result.ra.options.find((option) => option.type === "pvd");
    const key = `${result.ifindex} ${result.source} ${pvd?.type === "pvd" ? pvd.pvdId : ""}`;
    const previous = this.#heard.get(key);
    const same = previous !== undefined && equalBytes(previous.bytes, datagram.bytes);
    if (same && now - previous.heard.receivedAt < REFRESH_MS && previous.expiresAt > now) return;
    const lifetime = longestLifetime(configurationFromRouterAdvertisement(result.ra, { sourceAddress: result.source }));
    this.#heard.set(key, {
      heard: result,
      bytes: datagram.bytes.slice(),
      expiresAt: lifetime === Infinity ? Infinity : now + lifetime * 1000,
    });
    this.#armExpiry();
    this.#onHeard?.();
  }

  /** One timer for the next expiry, so that a router that went silent is forgotten on time. */
  #armExpiry(): void {
    if (this.#expiry !== undefined) this.#clock.clearTimer(this.#expiry);
    this.#expiry = undefined;
    const now = this.#clock.now();
    let next = Infinity;
    for (const [key, entry] of this.#heard) {
      if (entry.expiresAt <= now) this.#heard.delete(key);
      else next = Math.min(next, entry.expiresAt);
    }
    if (next === Infinity || !this.#running) return;
    this.#expiry = this.#clock.setTimer(next - now, () => {
      this.#expiry = undefined;
      this.#armExpiry();
      this.#onHeard?.();
    });
  }
}
