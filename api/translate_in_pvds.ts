/**
 * Translate Name in several PvDs at once, through the message API, with
 * the time each address and each completion came: what `mif resolve` and
 * the Node DNS lab's probe report. Runtime-neutral.
 *
 * @module
 */

import type { MifApi } from "./mif_api.ts";
import type { MifReply, PvdId } from "./messages.ts";

/**
 * One PvD's Name Translation, as it came.
 *
 * @example
 * ```ts
 * import type { PvdTranslation } from "./translate_in_pvds.ts";
 *
 * const done: PvdTranslation = {
 *   pvdId: "implicit:eth0:ipv6",
 *   interface: "eth0",
 *   addresses: [{ address: "2001:db8:c::80", ms: 3.1 }],
 *   completeMs: 3.4,
 * };
 * if (done.addresses.length !== 1) throw new Error("unexpected");
 * ```
 */
export interface PvdTranslation {
  /** The PvD. */
  readonly pvdId: PvdId;
  /** Its interface's display name (`?` for a PvD the database does not know). */
  readonly interface: string;
  /** Each address as it arrived, ms after the translations were posted. */
  readonly addresses: readonly { readonly address: string; readonly ms: number }[];
  /** When Name Translation complete (or the request's error) came, ms after the translations were posted. */
  readonly completeMs: number;
  /** Why the translation failed, when it did: the MIF error's code and message. */
  readonly error?: { readonly code: string; readonly message: string };
}

interface Pending {
  readonly pvdId: PvdId;
  readonly interface: string;
  readonly addresses: { address: string; ms: number }[];
  completeMs?: number;
  error?: { code: string; message: string };
}

/**
 * Posts Translate Name for `name` in every PvD of the database (or only in
 * `pvdId`, posted even when unknown, so that the API's own error names the
 * problem), all at once from one subscriber, and waits until every one has
 * completed.
 *
 * @example Both providers of a simulated host answer
 * ```ts
 * import { translateInPvds } from "./translate_in_pvds.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, clock, host } = twoProviderHost();
 * const api = new MifApi(network);
 * await clock.tick(0);
 * const results = await clock.drive(translateInPvds(api, host.name, { now: () => clock.now() }));
 * if (!results.every((r) => r.error !== undefined || r.addresses.length > 0)) throw new Error("unexpected");
 * api.close();
 * ```
 *
 * @param api The API to post through.
 * @param name The name to translate.
 * @param options `pvdId`: only that PvD; `now`: the clock for the times, ms (`performance.now()` when absent).
 * @returns One result per PvD, in the database's order.
 */
export async function translateInPvds(
  api: MifApi,
  name: string,
  options: { readonly pvdId?: PvdId; readonly now?: () => number } = {},
): Promise<PvdTranslation[]> {
  const { pvdId } = options;
  const now = options.now ?? (() => performance.now());
  const db = api.database;
  const pvds = db.interfaces().flatMap((info) =>
    db.pvdsOf(info.interfaceId).map((pvd) => ({ pvdId: pvd.pvdId, interface: info.displayName }))
  ).filter((pvd) => pvdId === undefined || pvd.pvdId === pvdId);
  if (pvdId !== undefined && pvds.length === 0) pvds.push({ pvdId, interface: "?" });

  const app = api.subscribe();
  const started = now();
  const results = new Map<string, Pending>();
  pvds.forEach((pvd, index) => {
    const translationId = `t${index}`;
    results.set(translationId, { ...pvd, addresses: [] });
    app.postMessage({ type: "translate-name", pvdId: pvd.pvdId, name, translationId });
  });
  try {
    for (let open = results.size; open > 0;) {
      await app.checkMessage();
      for (let m = app.getMessage(); m !== undefined; m = app.getMessage()) {
        if (record(m, results, Math.round((now() - started) * 10) / 10)) open--;
      }
    }
  } finally {
    app.close();
  }
  return [...results.values()].map((r) => ({
    pvdId: r.pvdId,
    interface: r.interface,
    addresses: r.addresses,
    completeMs: r.completeMs ?? 0,
    ...(r.error === undefined ? {} : { error: r.error }),
  }));
}

/**
 * Files one reply under its translation; true when it ended one (Name
 * Translation complete, or an error reply to the request).
 */
function record(message: MifReply, results: Map<string, Pending>, ms: number): boolean {
  let result: Pending | undefined;
  let error: { readonly code: string; readonly message: string } | undefined;
  if (message.type === "name-translation") {
    results.get(message.translationId)?.addresses.push({ address: message.address, ms });
    return false;
  } else if (message.type === "name-translation-complete") {
    result = results.get(message.translationId);
    error = message.error;
  } else if (message.type === "error") {
    const request = message.request as { type?: string; translationId?: string };
    result = request.type === "translate-name" ? results.get(request.translationId ?? "") : undefined;
    error = message.error;
  }
  if (result === undefined || result.completeMs !== undefined) return false;
  result.completeMs = ms;
  if (error !== undefined) result.error = { code: error.code, message: error.message };
  return true;
}
