/**
 * `mif demo`: the draft's section 3.3 example on a simulated host with two
 * providers, wired (dual-stack) and wireless (IPv6-only), driven through the
 * MIF API exactly as an application would, in virtual time.
 *
 * @module
 */

import { type ConnectionToken, MifApi, type MifReply, type MifRequest } from "../mod.ts";
import { twoProviderHost } from "../adapters/simulated/mod.ts";
import { Timeline } from "./timeline.ts";

/** Options for {@linkcode runDemo}. */
export interface DemoOptions {
  /** Seed of the simulated network. */
  readonly seed?: number;
  /** Where lines go. */
  readonly write?: (line: string) => void;
  /** Print each message as one JSON line instead of the timeline. */
  readonly json?: boolean;
}

/** What the demo saw, for tests. */
export interface DemoResult {
  /** Every message, in order, with its direction and virtual time. */
  readonly log: readonly { readonly at: number; readonly direction: "request" | "reply"; readonly message: unknown }[];
  /** The connection the application kept. */
  readonly chosen:
    | { readonly connectionId: string; readonly pvdId: string; readonly remoteAddress: string }
    | undefined;
  /** The bytes echoed back on the chosen connection. */
  readonly echoed: string;
}

/** Runs the demo and returns what it saw. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const write = options.write ?? console.log;
  const host = twoProviderHost({ seed: options.seed ?? 1 });
  const { network } = host;
  const clock = network.clock;
  const api = new MifApi(network);
  const app = api.subscribe();
  const timeline = new Timeline(write, () => clock.now());
  const log: { at: number; direction: "request" | "reply"; message: unknown }[] = [];

  const post = (message: MifRequest) => {
    log.push({ at: clock.now(), direction: "request", message });
    if (options.json) write(JSON.stringify({ at: clock.now(), direction: "request", message }));
    else timeline.request(message);
    app.postMessage(message);
  };
  const note = (text: string) => {
    if (!options.json) timeline.note(text);
  };

  // The application's side of the draft's section 3.3.
  const pvdOf = new Map<string, string>(); // translation or connection id -> PvD
  const outstanding = new Set<string>();
  const families = new Map<string, Set<string>>(); // PvD -> address families it has a source in
  const connections: { connectionId: string; token: ConnectionToken }[] = [];
  let connectionNumber = 0;
  const handle = (m: MifReply) => {
    log.push({ at: clock.now(), direction: "reply", message: m });
    if (options.json) write(JSON.stringify({ at: clock.now(), direction: "reply", message: m }, jsonSafe));
    else timeline.reply(m);
    switch (m.type) {
      case "interface-announcement":
        post({ type: "announce-provisioning-domains", interfaceId: m.interfaceId });
        break;
      case "provisioning-domain-announcement": {
        post({ type: "announce-configuration-elements", pvdId: m.pvdId });
        post({ type: "announce-addresses", pvdId: m.pvdId });
        const translationId = `t-${m.pvdId}`;
        pvdOf.set(translationId, m.pvdId);
        outstanding.add(translationId);
        post({ type: "translate-name", pvdId: m.pvdId, name: host.host.name, translationId });
        break;
      }
      case "configuration-element-announcement":
        post({
          type: "get-configuration-data",
          pvdId: m.pvdId,
          elementType: m.element.elementType,
          informationId: "dns-servers",
        });
        break;
      case "address-announcement": {
        const family = m.address.includes(":") ? "IPv6" : "IPv4";
        families.set(m.pvdId, (families.get(m.pvdId) ?? new Set()).add(family));
        break;
      }
      case "name-translation": {
        // Section 3.3: SYNs to every address, through the PvD that gave it,
        // where the PvD has a source address of that family.
        const pvdId = pvdOf.get(m.translationId)!;
        const family = m.address.includes(":") ? "IPv6" : "IPv4";
        if (!families.get(pvdId)?.has(family)) {
          note(`not connecting to ${m.address} through ${pvdId}: it has no ${family} address`);
          break;
        }
        const connectionId = `c${++connectionNumber}`;
        pvdOf.set(connectionId, pvdId);
        outstanding.add(connectionId);
        post({ type: "connect-to-address", address: m.address, port: host.host.port, pvdId, connectionId });
        break;
      }
      case "name-translation-complete":
        outstanding.delete(m.translationId);
        break;
      case "connected":
        outstanding.delete(m.connectionId);
        connections.push({ connectionId: m.connectionId, token: m.token });
        break;
      case "not-connected":
        outstanding.delete(m.connectionId);
        break;
    }
  };
  const pump = async (until: () => boolean, limitMs: number) => {
    const deadline = clock.now() + limitMs;
    for (;;) {
      for (let m = app.getMessage(); m; m = app.getMessage()) handle(m);
      if (until()) return;
      const next = clock.nextTimerAt();
      if (next === undefined || next > deadline) return;
      await clock.tick(next - clock.now());
    }
  };

  if (!options.json) {
    write("MIF API demo: draft-ietf-mif-api-extension-05 section 3.3 on a simulated host");
    write("  eth0   ethernet, provider A, dual-stack: PvDs implicit:eth0:ipv6 and implicit:eth0:ipv4");
    write("  wlan0  wifi, provider B, IPv6-only: explicit PvD pvd.provider-b.example (RFC 8801)");
    write(`  ${host.host.name} resolves differently through each provider; time is virtual`);
    write("");
    timeline.header();
  }
  post({ type: "announce-interfaces" });
  await clock.tick(0);
  await pump(() => outstanding.size === 0, 30_000);

  // "The application then chooses a connection based on its preferred
  // criteria", here: who answered first. The others are closed.
  const [first, ...rest] = connections;
  let echoed = "";
  if (first) {
    const pvdId = pvdOf.get(first.connectionId)!;
    note(
      `keeping ${first.connectionId} (${pvdId}, ${first.token.remoteAddress}): it answered first; closing ${
        rest.map((c) => c.connectionId).join(", ") || "nothing"
      }`,
    );
    for (const c of rest) c.token.close();
    const writer = first.token.writable.getWriter();
    const reader = first.token.readable.getReader();
    const sent = clock.now();
    await clock.drive(writer.write(new TextEncoder().encode("hello through a chosen PvD")));
    const { value } = await clock.drive(reader.read());
    echoed = new TextDecoder().decode(value);
    note(`echo over ${first.connectionId}: "${echoed}" in ${clock.now() - sent} ms`);
    reader.releaseLock();
    writer.releaseLock();
    first.token.close();
  }

  // The wireless link goes away: its PvD's elements and addresses, then the
  // PvD, then the interface, in that order (section 3.2.7.5).
  note("wlan0 is about to be taken down");
  network.removeInterface(host.wlan0.interfaceId, { noticeMs: 500 });
  await pump(() => false, 1_000);
  api.close();

  const chosen = first
    ? {
      connectionId: first.connectionId,
      pvdId: pvdOf.get(first.connectionId)!,
      remoteAddress: first.token.remoteAddress,
    }
    : undefined;
  return { log, chosen, echoed };
}

function jsonSafe(key: string, value: unknown): unknown {
  if (value === Infinity) return "Infinity";
  if (key === "token" && value && typeof value === "object") {
    const t = value as ConnectionToken;
    return {
      localAddress: t.localAddress,
      localPort: t.localPort,
      remoteAddress: t.remoteAddress,
      remotePort: t.remotePort,
    };
  }
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}
