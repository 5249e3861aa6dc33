/**
 * Prints MIF messages as a timeline, application on the left and MIF API on
 * the right, with the draft's own message names.
 *
 * @module
 */

import type { MifReply, MifRequest } from "../mod.ts";

/** The draft's name of each message, by `type`. */
const TITLES: Record<MifRequest["type"] | MifReply["type"], string> = {
  "announce-interfaces": "Announce Interfaces",
  "stop-announcing-interfaces": "Stop Announcing Interfaces",
  "announce-provisioning-domains": "Announce Provisioning Domains",
  "stop-announcing-provisioning-domains": "Stop Announcing Provisioning Domains",
  "announce-configuration-elements": "Announce Configuration Element",
  "stop-announcing-configuration-elements": "Stop Announce Configuration Element",
  "announce-addresses": "Announce Address",
  "stop-announcing-addresses": "Stop Announcing Address",
  "get-configuration-data": "Get Configuration Data",
  "translate-name": "Translate Name",
  "stop-translating-name": "Stop Translating Name",
  "connect-to-pvd": "Connect to PvD",
  "connect-to-address": "Connect to Address",
  "connect-to-address-from-address": "Connect to Address From Address",
  "wants-to-connect": "Wants to connect",
  "connection-is-idle": "Connection is idle",
  "connection-can-be-broken": "Connection can be broken",
  "interface-announcement": "Interface Announcement",
  "no-interface-announcement": "No Interface Announcement",
  "provisioning-domain-announcement": "Provisioning Domain Announcement",
  "no-provisioning-domain-announcement": "No Provisioning Domain Announcement",
  "configuration-element-announcement": "Configuration Element Announcement",
  "no-configuration-element-announcement": "No Configuration Element Announcement",
  "address-announcement": "Address Announcement",
  "no-address-announcement": "No Address Announcement",
  "configuration-data": "Configuration Data",
  "no-configuration-data": "No Configuration Data",
  "name-translation": "Name Translation",
  "name-translation-complete": "Name Translation complete",
  "connected": "Connected",
  "not-connected": "Not Connected",
  "interface-going-away": "Interface is going away",
  "interface-going-up": "Interface is going up",
  "error": "Error",
  "announcements-dropped": "Announcements dropped",
};

function lifetime(seconds: number | undefined): string {
  return seconds === undefined ? "" : seconds === Infinity ? "forever" : `${seconds} s`;
}

/** The fields of a message worth showing, in one line. */
export function describeMessage(message: MifRequest | MifReply): string {
  const title = TITLES[message.type];
  const m = message as Partial<Record<string, unknown>> & MifReply;
  switch (message.type) {
    case "configuration-element-announcement": {
      const { element } = message;
      const data = element.data;
      const parts = [
        data["dns-servers"] && `dns ${data["dns-servers"].map((d) => d.address).join(" ")}`,
        data["search-domains"] && `search ${data["search-domains"].map((d) => d.domain).join(" ")}`,
        data.routers && `router ${data.routers.map((r) => r.address).join(" ")}`,
        data.prefixes && `prefix ${data.prefixes.map((p) => `${p.prefix}/${p.length}`).join(" ")}`,
        data.mtu !== undefined && `mtu ${data.mtu}`,
      ].filter(Boolean);
      return `${title}  ${message.pvdId}  ${element.elementType.toUpperCase()} from ${element.elementId}: ${
        parts.join(", ")
      }`;
    }
    case "address-announcement":
      return `${title}  ${message.pvdId}  ${message.address}` +
        (message.validLifetime === undefined
          ? ""
          : `  valid ${lifetime(message.validLifetime)}, preferred ${lifetime(message.preferredLifetime)}`);
    case "configuration-data":
      return `${title}  ${message.pvdId}  ${message.informationId}: ${JSON.stringify(message.data)}`;
    case "connected":
      return `${title}  ${message.connectionId}  ${message.token.localAddress} -> ${message.token.remoteAddress} port ${message.token.remotePort}`;
    case "not-connected":
      return `${title}  ${message.connectionId}  ${message.error.message}`;
    case "error":
      return `${title}  ${message.error.code}: ${message.error.message}`;
    case "name-translation-complete":
      return `${title}  ${message.translationId}  ${message.count} address(es)${
        message.error ? `, ${message.error.message}` : ""
      }`;
    default: {
      const fields = Object.entries(m)
        .filter(([key]) => key !== "type")
        .map(([, value]) => typeof value === "string" ? value : JSON.stringify(value));
      return [title, ...fields].join("  ");
    }
  }
}

/** Writes a two-column timeline: what the application posts, and what the MIF API sends back. */
export class Timeline {
  readonly #write: (line: string) => void;
  readonly #now: () => number;
  readonly #width: number;

  constructor(write: (line: string) => void, now: () => number, width = 58) {
    this.#write = write;
    this.#now = now;
    this.#width = width;
  }

  /** The column headings. */
  header(): void {
    this.#write(`${"t (ms)".padStart(8)}  ${"APPLICATION  ──▶".padEnd(this.#width)}  ◀──  MIF API`);
    this.#write(`${"".padStart(8, "─")}  ${"".padEnd(this.#width, "─")}  ${"".padEnd(this.#width, "─")}`);
  }

  /** A message the application posts. */
  request(message: MifRequest): void {
    this.#line(`${describeMessage(message)} ──▶`, "");
  }

  /** A message the MIF API sends. */
  reply(message: MifReply): void {
    this.#line("", `◀── ${describeMessage(message)}`);
  }

  /** A note across both columns: what happens in the network or what the application concludes. */
  note(text: string): void {
    this.#write(`${this.#stamp()}  ** ${text}`);
  }

  #stamp(): string {
    return this.#now().toFixed(0).padStart(8);
  }

  #line(left: string, right: string): void {
    this.#write(`${this.#stamp()}  ${left.padEnd(this.#width)}  ${right}`);
  }
}
