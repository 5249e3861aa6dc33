// Private: an established simulated TCP connection. Two one-way pipes carry
// bytes between the client's token and the server handler's streams, each
// chunk arriving `latencyMs` later on the virtual clock. TCP is reliable, so
// the path's loss rate does not apply to data: only the handshake sees it.

import type { Clock, ConnectionEnds, ConnectionToken, TimerHandle } from "../../api/network_link.ts";
import type { InterfaceId, PvdId } from "../../api/messages.ts";

/**
 * The server's side of a simulated connection, handed to a server handler.
 *
 * @example
 * ```ts
 * import type { SimulatedServerConnection } from "./mod.ts";
 *
 * // A server that greets each client and hangs up.
 * function greet(connection: SimulatedServerConnection): void {
 *   const writer = connection.writable.getWriter();
 *   const text = `hello ${connection.remoteAddress}\n`;
 *   writer.write(new TextEncoder().encode(text)).then(() => writer.close()).catch(() => {});
 * }
 * ```
 */
export type SimulatedServerConnection = ConnectionEnds;

/** One direction: what is written at one end becomes readable at the other. */
class Pipe {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  #clock: Clock;
  #latencyMs: number;
  #onIdle: () => void;
  #reader!: ReadableStreamDefaultController<Uint8Array>;
  #writer!: WritableStreamDefaultController;
  /** Chunks, FINs and resets still travelling. */
  #inFlight = new Set<TimerHandle>();
  /** The receiving end takes nothing more (closed, cancelled, reset). */
  #readerDone = false;
  /** The sending end sends nothing more (FIN sent, reset). */
  #writerDone = false;

  constructor(clock: Clock, latencyMs: number, onIdle: () => void) {
    this.#clock = clock;
    this.#latencyMs = latencyMs;
    this.#onIdle = onIdle;
    this.readable = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#reader = controller;
      },
      cancel: () => {
        this.#readerDone = true;
        this.#onIdle();
      },
    });
    this.writable = new WritableStream<Uint8Array>({
      start: (controller) => {
        this.#writer = controller;
      },
      write: (chunk) => {
        if (this.#writerDone) {
          throw new TypeError("Cannot write: the connection is closed");
        }
        // Copy now: the writer may reuse its buffer once write() resolves.
        const bytes = chunk.slice();
        this.#travel(() => this.#reader.enqueue(bytes));
      },
      close: () => this.#sendFin(),
      abort: () => this.#sendFin(),
    });
  }

  /** Both ends are finished and nothing is travelling. */
  get idle(): boolean {
    return this.#readerDone && this.#writerDone && this.#inFlight.size === 0;
  }

  /** The receiving application closes its end: it reads nothing more. */
  closeReader(): void {
    if (this.#readerDone) return;
    this.#readerDone = true;
    try {
      this.#reader.close();
    } catch {
      // Already closed or errored by the application.
    }
  }

  /** The sending application closes its end: later writes fail, a FIN travels. */
  closeWriter(): void {
    if (this.#writerDone) return;
    try {
      this.#writer.error(
        new TypeError("Cannot write: the connection is closed"),
      );
    } catch {
      // Already closed by the application.
    }
    this.#sendFin();
  }

  /** Tears the pipe down at once (an RST, a vanished interface). */
  reset(reason: Error): void {
    for (const handle of this.#inFlight) this.#clock.clearTimer(handle);
    this.#inFlight.clear();
    if (!this.#readerDone) {
      this.#readerDone = true;
      try {
        this.#reader.error(reason);
      } catch {
        // Already closed.
      }
    }
    if (!this.#writerDone) {
      this.#writerDone = true;
      try {
        this.#writer.error(reason);
      } catch {
        // Already closed.
      }
    }
  }

  #sendFin(): void {
    if (this.#writerDone) return;
    this.#writerDone = true;
    this.#travel(() => {
      this.#readerDone = true;
      this.#reader.close();
    });
  }

  /** Runs `deliver` at the far end one latency from now, unless that end is done by then. */
  #travel(deliver: () => void): void {
    const handle = this.#clock.setTimer(this.#latencyMs, () => {
      this.#inFlight.delete(handle);
      if (!this.#readerDone) {
        try {
          deliver();
        } catch {
          // The application closed or errored its readable meanwhile.
        }
      }
      this.#onIdle();
    });
    this.#inFlight.add(handle);
  }
}

/** What a {@linkcode SimConnection} is made of. */
export interface SimConnectionInit {
  readonly clock: Clock;
  readonly latencyMs: number;
  readonly pvdId: PvdId;
  readonly interfaceId: InterfaceId;
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Called once when the connection is over (both ways closed, or reset). */
  readonly onClosed: (connection: SimConnection) => void;
}

/** An established connection: the client's token and the server's side. */
export class SimConnection {
  readonly token: ConnectionToken;
  readonly server: SimulatedServerConnection;
  readonly pvdId: PvdId;
  readonly interfaceId: InterfaceId;
  #up: Pipe;
  #down: Pipe;
  #over = false;
  #onClosed: (connection: SimConnection) => void;

  constructor(init: SimConnectionInit) {
    this.pvdId = init.pvdId;
    this.interfaceId = init.interfaceId;
    this.#onClosed = init.onClosed;
    const check = () => this.#checkIdle();
    this.#up = new Pipe(init.clock, init.latencyMs, check);
    this.#down = new Pipe(init.clock, init.latencyMs, check);
    const closeToken = () => this.#closeClient();
    this.token = {
      pvdId: init.pvdId,
      interfaceId: init.interfaceId,
      localAddress: init.localAddress,
      localPort: init.localPort,
      remoteAddress: init.remoteAddress,
      remotePort: init.remotePort,
      readable: this.#down.readable,
      writable: this.#up.writable,
      close: closeToken,
    };
    this.server = {
      localAddress: init.remoteAddress,
      localPort: init.remotePort,
      remoteAddress: init.localAddress,
      remotePort: init.localPort,
      readable: this.#up.readable,
      writable: this.#down.writable,
    };
  }

  /** Whether the connection still counts as open. */
  get open(): boolean {
    return !this.#over;
  }

  /** Resets both directions at once, with `reason` as the streams' error. */
  reset(reason: Error): void {
    if (this.#over) return;
    this.#up.reset(reason);
    this.#down.reset(reason);
    this.#finish();
  }

  /**
   * The client's close(): it reads nothing more and sends its FIN. The
   * connection stops counting as open at once; the FIN still reaches the
   * server one latency later, so its handler sees the end of the stream.
   */
  #closeClient(): void {
    if (this.#over) return;
    this.#down.closeReader();
    this.#up.closeWriter();
    this.#finish();
  }

  #checkIdle(): void {
    if (!this.#over && this.#up.idle && this.#down.idle) this.#finish();
  }

  #finish(): void {
    this.#over = true;
    this.#onClosed(this);
  }
}
