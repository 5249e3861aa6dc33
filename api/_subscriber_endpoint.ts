/**
 * The implementation of {@linkcode Subscriber}: a message queue with CHECK
 * waiters, plus the subscription state the MIF API keeps per subscriber.
 * Only `mif_api.ts` makes these.
 *
 * @module
 */

import type { AnnouncementsDropped, ConfigurationElementType, InterfaceId, MifReply, PvdId } from "./messages.ts";
import type { Clock, TimerHandle } from "./network_link.ts";
import type { CheckMessageOptions, MessagesOptions, Subscriber } from "./subscriber.ts";

interface Waiter {
  resolve(value: boolean): void;
  reject(reason: unknown): void;
}

/** Queue entries are replies; the drop marker is mutated while it is the newest entry. */
type MutableDropped = { -readonly [K in keyof AnnouncementsDropped]: AnnouncementsDropped[K] };

/** Everything the MIF API needs to reach back into its own side of a subscriber. */
export interface EndpointOwner {
  /** Handles a posted request. */
  post(endpoint: SubscriberEndpoint, message: unknown): void;
  /** The subscriber closed. */
  closed(endpoint: SubscriberEndpoint): void;
}

/** A subscriber, as the MIF API sees it. */
export class SubscriberEndpoint implements Subscriber {
  // Subscription state, read and written by the MIF API.
  /** Subscribed to interface announcements. */
  interfaces = false;
  /** Interfaces whose PvD announcements are subscribed. */
  readonly pvdInterfaces = new Set<InterfaceId>();
  /** PvDs whose configuration elements are subscribed, with the type filter. */
  readonly elementPvds = new Map<PvdId, ConfigurationElementType | undefined>();
  /** PvDs whose addresses are subscribed. */
  readonly addressPvds = new Set<PvdId>();
  /** Interfaces this subscriber was told about and not yet told gone. */
  readonly announcedInterfaces = new Set<InterfaceId>();
  /** PvDs likewise. */
  readonly announcedPvds = new Set<PvdId>();
  /** Elements likewise, by `pvdId \0 type \0 id`. */
  readonly announcedElements = new Set<string>();
  /** Addresses likewise, by `pvdId \0 address`. */
  readonly announcedAddresses = new Set<string>();
  /** Outstanding translations by Translation Identifier. */
  readonly translations = new Map<string, AbortController>();
  /** Outstanding connection attempts by connection identifier. */
  readonly connections = new Map<string, AbortController>();

  readonly #owner: EndpointOwner;
  readonly #clock: Clock;
  readonly #capacity: number;
  #queue: MifReply[] = [];
  #head = 0;
  #dropMarker: MutableDropped | undefined;
  readonly #waiters = new Set<Waiter>();
  #closed = false;

  constructor(owner: EndpointOwner, clock: Clock, capacity: number) {
    this.#owner = owner;
    this.#clock = clock;
    this.#capacity = capacity;
  }

  get pending(): number {
    return this.#queue.length - this.#head;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Queues a message. `solicited` replies to the subscriber's own request
   * and is always queued; an unsolicited announcement is counted in a drop
   * marker instead when the queue is full. Returns whether it was queued.
   */
  enqueue(message: MifReply, solicited: boolean): boolean {
    if (this.#closed) return false;
    if (!solicited && this.pending >= this.#capacity) {
      const last = this.#queue[this.#queue.length - 1];
      if (this.#dropMarker !== undefined && last === this.#dropMarker) {
        this.#dropMarker.count++;
      } else {
        this.#dropMarker = { type: "announcements-dropped", count: 1 };
        this.#push(this.#dropMarker);
      }
      return false;
    }
    this.#push(message);
    return true;
  }

  #push(message: MifReply): void {
    this.#queue.push(message);
    if (this.#waiters.size > 0) {
      for (const waiter of this.#waiters) waiter.resolve(true);
      this.#waiters.clear();
    }
  }

  postMessage(message: unknown): void {
    if (this.#closed) return;
    this.#owner.post(this, message);
  }

  checkMessage(options: CheckMessageOptions & { readonly timeout: 0 }): boolean;
  checkMessage(options?: CheckMessageOptions): Promise<boolean>;
  checkMessage(options: CheckMessageOptions = {}): boolean | Promise<boolean> {
    const { timeout, signal } = options;
    if (timeout === 0) return this.pending > 0;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.pending > 0) return Promise.resolve(true);
    if (this.#closed) return Promise.resolve(false);
    if (timeout !== undefined && !(timeout > 0)) {
      return Promise.reject(new RangeError(`Cannot check message: timeout must be 0 or more, got ${timeout}`));
    }
    return new Promise<boolean>((resolve, reject) => {
      let timer: TimerHandle | undefined;
      const onAbort = () => waiter.reject(signal!.reason);
      const settle = () => {
        this.#waiters.delete(waiter);
        if (timer !== undefined) this.#clock.clearTimer(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const waiter: Waiter = {
        resolve: (value) => {
          settle();
          resolve(value);
        },
        reject: (reason) => {
          settle();
          reject(reason);
        },
      };
      this.#waiters.add(waiter);
      if (timeout !== undefined && timeout !== Infinity) {
        timer = this.#clock.setTimer(timeout, () => waiter.resolve(false));
      }
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  getMessage(): MifReply | undefined {
    if (this.#head >= this.#queue.length) return undefined;
    const message = this.#queue[this.#head]!;
    this.#queue[this.#head] = undefined as unknown as MifReply; // let it be collected
    this.#head++;
    if (message === this.#dropMarker) this.#dropMarker = undefined;
    // Compact once the consumed prefix dominates, so memory follows the backlog.
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    return message;
  }

  async *messages(options: MessagesOptions = {}): AsyncIterableIterator<MifReply> {
    const { signal } = options;
    for (;;) {
      signal?.throwIfAborted();
      const message = this.getMessage();
      if (message !== undefined) {
        yield message;
        continue;
      }
      if (this.#closed) return;
      await this.checkMessage(signal ? { signal } : {});
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<MifReply> {
    return this.messages();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const waiter of this.#waiters) waiter.resolve(false);
    this.#waiters.clear();
    this.#owner.closed(this);
  }
}
