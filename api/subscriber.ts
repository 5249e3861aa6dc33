/**
 * A subscriber's end of the MIF API: POST MESSAGE, CHECK MESSAGE and GET
 * MESSAGE of section 3.2.6, over a queue of its own.
 *
 * @module
 */

import type { MifReply, MifRequest } from "./messages.ts";

/**
 * Options for {@linkcode Subscriber.checkMessage}.
 *
 * @example Wait at most half a second of the adapter's clock
 * ```ts
 * import type { CheckMessageOptions } from "./subscriber.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, clock } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * const options: CheckMessageOptions = { timeout: 500 };
 * const waiting = app.checkMessage(options); // nothing was posted: no message comes
 * await clock.tick(500); // virtual time
 * if ((await waiting) !== false) throw new Error("expected the timeout to pass");
 * api.close();
 * ```
 */
export interface CheckMessageOptions {
  /**
   * How long to wait, in milliseconds of the adapter's clock: `0` probes
   * without blocking (and answers synchronously), a positive number waits at
   * most that long, absent waits until a message comes or the subscriber
   * closes.
   */
  readonly timeout?: number;
  /** Stops the wait: the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * Options for {@linkcode Subscriber.messages}.
 *
 * @example Stop an iteration with a signal
 * ```ts
 * import type { MessagesOptions } from "./subscriber.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, clock } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * const controller = new AbortController();
 * const options: MessagesOptions = { signal: controller.signal };
 * app.postMessage({ type: "announce-interfaces" });
 * let seen = 0;
 * const reading = (async () => {
 *   for await (const _message of app.messages(options)) seen++;
 * })();
 * await clock.tick(0); // let the iteration read eth0 and wlan0, then wait
 * controller.abort(new Error("enough"));
 * const reason = await reading.catch((error: Error) => error);
 * if (seen !== 2 || reason?.message !== "enough") throw new Error(`${seen} ${reason}`);
 * api.close();
 * ```
 */
export interface MessagesOptions {
  /** Ends the iteration: the pending `next()` rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * One subscriber of the MIF API ("either the Application or the High Level
 * API", section 3.2.7), with its own queue and its own subscriptions. Made by
 * {@linkcode MifApi.subscribe}.
 *
 * Queue policy: a queue holds at most `queueCapacity` messages. Replies to
 * the subscriber's own requests (including the initial iteration after an
 * Announce request, Name Translation, Connected and errors) are always
 * queued. Live announcements that find the queue full are not queued;
 * instead one {@linkcode AnnouncementsDropped} message counts them, in their
 * place in the order, and the subscriber re-posts its Announce requests to
 * resynchronise. Nothing already queued is ever dropped.
 *
 * @example POST, CHECK and GET
 * ```ts
 * import type { Subscriber } from "./subscriber.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network } = twoProviderHost();
 * const api = new MifApi(network);
 * const app: Subscriber = api.subscribe();
 * app.postMessage({ type: "announce-interfaces" }); // POST MESSAGE
 * if (!app.checkMessage({ timeout: 0 }) || app.pending !== 2) throw new Error("expected eth0 and wlan0");
 * const first = app.getMessage(); // GET MESSAGE
 * if (first?.type !== "interface-announcement" || first.displayName !== "eth0") throw new Error("expected eth0");
 * app.close();
 * if (!app.closed || app.getMessage()?.type !== "interface-announcement") throw new Error("queued messages stay");
 * api.close();
 * ```
 */
export interface Subscriber extends AsyncIterable<MifReply> {
  /**
   * POST MESSAGE (section 3.2.6.1): posts a request and returns. A request
   * that cannot be accepted gets a {@linkcode RequestError} reply in the queue;
   * this call never throws.
   */
  postMessage(message: MifRequest): void;
  /**
   * CHECK MESSAGE (section 3.2.6.2), non-blocking probe: whether a message is
   * waiting, answered synchronously.
   */
  checkMessage(options: CheckMessageOptions & { readonly timeout: 0 }): boolean;
  /**
   * CHECK MESSAGE (section 3.2.6.2): resolves `true` as soon as a message is
   * waiting, `false` when the timeout passes first or the subscriber closes.
   */
  checkMessage(options?: CheckMessageOptions): Promise<boolean>;
  /**
   * GET MESSAGE (section 3.2.6.3): the next message, or `undefined` when none
   * is waiting.
   */
  getMessage(): MifReply | undefined;
  /** Every message as it comes, waiting with CHECK MESSAGE in between; ends after close once drained. */
  messages(options?: MessagesOptions): AsyncIterableIterator<MifReply>;
  /** How many messages are waiting. */
  readonly pending: number;
  /** Whether {@linkcode Subscriber.close} was called. */
  readonly closed: boolean;
  /**
   * Ends every subscription and outstanding request of this subscriber.
   * Messages already queued can still be read; nothing new is queued.
   */
  close(): void;
}
