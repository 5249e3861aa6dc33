// @ts-check
// The connection probe of the lab tests, written once for every runtime: it
// runs inside the lab's host namespace (two_provider_host.sh up NAME
// --server) and connects through the real host as an application would,
// through the public API, on request. Each request is a JSON line on stdin
// with an `id`; each answer a JSON line on stdout with the same `id`:
//
//   {"op": "wait", "pvds": [...], "dns": [...], "timeout": MS}
//       until every PvD listed has a source address, and those in `dns`
//       a DNS server: {"ok": true} or {"ok": false, "state": ...}
//   {"op": "message", "request": {CONNECT MESSAGE}, "echo": TEXT, "egress": MODE}
//       posts a Connect message (its connectionId added) and waits for
//       Connected or Not Connected: the message's fields, the time it took,
//       and for a connection the two ends and TEXT sent through it and back.
//       With `egress` ("warn", "off"), over a second network so configured.
//   {"op": "connect", "host": H, "port": P, "prefer": PVD, "timeout": MS, "echo": TEXT}
//       api.connect() (policy preferPvd(PVD) when given): the PvD, the
//       report, the time it took, the ends and the echo; or the error with
//       the report and every attempt's reason.
//   {"op": "routes"}: the source-specific routing commands for this host
//       (sourceRoutingCommands, what `mif routes` prints), as shell text.
//   {"op": "source"}: the source in use and what it cannot see.
//
// Every answer carries `startedAt` (the wall clock when the request began),
// so that report times (the adapter's clock, Date.now()) can be made
// relative. Closing stdin closes the API and exits. Deno's probe
// (connect_probe.ts) and Node's (node/lab/connect-probe.mjs) only give the
// library's pieces.

import process from "node:process";
import { createInterface } from "node:readline";

/**
 * JSON for a line: Infinity as text, tokens left out.
 *
 * @param {unknown} value
 * @returns {string}
 */
function json(value) {
  return JSON.stringify(
    value,
    (_key, v) =>
      v === Infinity
        ? "Infinity"
        : typeof v === "object" && v !== null && "readable" in v && "writable" in v
        ? undefined
        : v,
  );
}

/**
 * @typedef {{
 *   readonly source: string | undefined,
 *   readonly limitations: readonly string[],
 *   readonly egressMismatches: readonly object[],
 *   readonly facts: object | undefined,
 *   refresh(): Promise<unknown>,
 * }} ProbeNetwork
 *
 * @typedef {{
 *   readonly localAddress: string, readonly remoteAddress: string,
 *   readonly readable: ReadableStream<Uint8Array>, readonly writable: WritableStream<Uint8Array>,
 *   close(): void,
 * }} Token
 *
 * @typedef {{
 *   subscribe(): {
 *     postMessage(request: object): void,
 *     checkMessage(options?: { timeout?: number }): Promise<boolean> | boolean,
 *     getMessage(): any,
 *     close(): void,
 *   },
 *   connect(host: string, port: number, options?: object): Promise<{ token: Token, pvdId: string, report: object }>,
 *   readonly database: {
 *     getPvd(pvdId: string): object | undefined,
 *     addressesOf(pvdId: string): readonly object[],
 *     configurationData(pvdId: string, type: undefined, id: string): any,
 *     interfaces(): readonly { interfaceId: number, displayName: string }[],
 *     pvdsOf(interfaceId: number): readonly { pvdId: string }[],
 *   },
 *   close(): void,
 * }} ProbeApi
 *
 * @typedef {{
 *   open(options: { egress?: string, listenForRouterAdvertisements?: boolean,
 *     onError: (error: Error) => void }): ProbeNetwork,
 *   api(network: ProbeNetwork): ProbeApi,
 *   preferPvd(pvdId: string): object,
 *   sourceRoutingCommands(facts: any): readonly { commands: readonly string[] }[],
 * }} Library
 */

/**
 * Sends `text` through the connection and reads it back, within `timeout` ms.
 *
 * @param {Token} token
 * @param {string} text
 * @param {number} timeout
 * @returns {Promise<string>}
 */
async function echo(token, text, timeout) {
  const writer = token.writable.getWriter();
  const reader = token.readable.getReader();
  const timer = setTimeout(() => reader.cancel(new Error("no echo in time")).catch(() => {}), timeout);
  try {
    await writer.write(new TextEncoder().encode(text));
    let got = "";
    const decoder = new TextDecoder();
    while (got.length < text.length) {
      const { value, done } = await reader.read();
      if (done) break;
      got += decoder.decode(value, { stream: true });
    }
    return got;
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
    writer.releaseLock();
  }
}

/**
 * Serves requests until stdin closes.
 *
 * @param {Library} library
 * @returns {Promise<void>}
 */
export async function serveConnects(library) {
  /** @param {object} line */
  const print = (line) => process.stdout.write(json(line) + "\n");
  const network = library.open({ onError: (error) => print({ type: "adapter-error", message: error.message }) });
  const api = library.api(network);
  await network.refresh();
  let next = 0;

  /**
   * @param {ProbeApi} on
   * @param {string} pvdId
   */
  const ready = (on, pvdId, dns = false) =>
    on.database.getPvd(pvdId) !== undefined && on.database.addressesOf(pvdId).length > 0 &&
    (!dns || (on.database.configurationData(pvdId, undefined, "dns-servers") ?? []).length > 0);

  /** @param {any} request */
  const handle = async (request) => {
    const startedAt = Date.now();
    const t0 = performance.now();
    const ms = () => Math.round((performance.now() - t0) * 10) / 10;
    switch (request.op) {
      case "wait": {
        const deadline = Date.now() + (request.timeout ?? 10_000);
        const done = () =>
          (request.pvds ?? []).every((/** @type {string} */ p) => ready(api, p)) &&
          (request.dns ?? []).every((/** @type {string} */ p) => ready(api, p, true));
        while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
        if (done()) return { ok: true, ms: ms() };
        const db = api.database;
        const state = db.interfaces().flatMap((i) =>
          db.pvdsOf(i.interfaceId).map((p) => ({
            pvdId: p.pvdId,
            addresses: db.addressesOf(p.pvdId),
            dns: db.configurationData(p.pvdId, undefined, "dns-servers") ?? [],
          }))
        );
        return { ok: false, state };
      }
      case "source":
        return { source: network.source, limitations: network.limitations };
      case "routes": {
        await network.refresh();
        const plans = library.sourceRoutingCommands(network.facts);
        return { commands: plans.flatMap((plan) => plan.commands).join("\n") };
      }
      case "message": {
        // A second network for another egress mode, closed afterwards.
        const other = request.egress === undefined ? undefined : library.open({
          egress: request.egress,
          listenForRouterAdvertisements: false,
          onError: (error) => print({ type: "adapter-error", message: error.message }),
        });
        const on = other === undefined ? api : library.api(other);
        try {
          if (other !== undefined) {
            await other.refresh();
            const pvd = request.request.pvdId;
            const deadline = Date.now() + 5_000;
            while (!ready(on, pvd) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
          }
          const app = on.subscribe();
          const connectionId = `c${next++}`;
          app.postMessage({ ...request.request, connectionId });
          for (;;) {
            await app.checkMessage({ timeout: request.timeout ?? 10_000 });
            const message = app.getMessage();
            if (message === undefined) {
              return {
                type: "timeout",
                startedAt,
                ms: ms(),
                ...(other === undefined ? {} : { mismatches: other.egressMismatches }),
              };
            }
            if (message.type === "error") {
              return { type: "error", error: { code: message.error.code, message: message.error.message } };
            }
            if (message.type === "not-connected") {
              return {
                type: message.type,
                startedAt,
                ms: ms(),
                error: { code: message.error.code, message: message.error.message },
                attempts: message.attempts,
                report: message.report,
                ...(other === undefined ? {} : { mismatches: other.egressMismatches }),
              };
            }
            if (message.type === "connected") {
              const took = ms();
              const token = message.token;
              try {
                const echoed = request.echo === undefined ? undefined : await echo(token, request.echo, 5_000);
                return {
                  type: message.type,
                  startedAt,
                  ms: took,
                  report: message.report,
                  local: token.localAddress,
                  remote: token.remoteAddress,
                  echoed,
                  ...(other === undefined ? {} : { mismatches: other.egressMismatches }),
                };
              } finally {
                token.close();
                app.close();
              }
            }
          }
        } finally {
          if (on !== api) on.close();
        }
      }
      case "connect": {
        try {
          const options = {
            ...(request.prefer === undefined ? {} : { policy: library.preferPvd(request.prefer) }),
            ...(request.timeout === undefined ? {} : { timeout: request.timeout }),
          };
          const { token, pvdId, report } = await api.connect(request.host, request.port, options);
          const took = ms();
          try {
            const echoed = request.echo === undefined ? undefined : await echo(token, request.echo, 5_000);
            return {
              ok: true,
              startedAt,
              ms: took,
              pvdId,
              report,
              local: token.localAddress,
              remote: token.remoteAddress,
              echoed,
            };
          } finally {
            token.close();
          }
        } catch (caught) {
          const error = /** @type {any} */ (caught);
          return {
            ok: false,
            startedAt,
            ms: ms(),
            error: { code: error.code, message: error.message },
            report: error.report,
            attempts: error.attempts,
          };
        }
      }
      default:
        return { error: { code: "unknown-op", message: `unknown op ${request.op}` } };
    }
  };

  const lines = createInterface({ input: process.stdin });
  lines.on("line", (line) => {
    if (line.trim() === "") return;
    let request;
    try {
      request = JSON.parse(line);
    } catch {
      print({ type: "bad-request", line });
      return;
    }
    handle(request).then(
      (answer) => print({ id: request.id, ...answer }),
      (error) => print({ id: request.id, error: { code: "probe-failed", message: String(error?.stack ?? error) } }),
    );
  });
  lines.on("close", () => {
    api.close();
    process.exit(0);
  });
  print({ type: "ready", source: network.source });
}
