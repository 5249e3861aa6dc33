/**
 * The typed error of the MIF API. Every failure a subscriber can see, whether
 * in a {@linkcode RequestError} reply, a Not Connected message or a failed
 * translation, is a {@linkcode MifError} with a stable `code`.
 *
 * @module
 */

import type { EstablishmentReport } from "../core-as/racing.ts";
import type { ConnectionAttemptFailure, PvdId } from "./messages.ts";

/**
 * Stable identifiers of what went wrong. A subscriber switches on these; the
 * message text is for people and may change.
 *
 * @example Switch on the code of an error reply
 * ```ts
 * import type { MifErrorCode } from "./errors.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 * app.postMessage({ type: "announce-addresses", pvdId: "pvd.unknown.example" });
 * const reply = app.getMessage();
 * const code: MifErrorCode | undefined = reply?.type === "error" ? reply.error.code : undefined;
 * if (code !== "unknown-pvd") throw new Error(`unexpected ${code}`);
 * api.close();
 * ```
 */
export type MifErrorCode =
  /** The request is not an object of a known shape, or a field has the wrong type. */
  | "malformed-request"
  /** The request's `type` is not a message of section 3.2.7. */
  | "unknown-request-type"
  /** No interface has the given identifier. */
  | "unknown-interface"
  /** No provisioning domain has the given identifier. */
  | "unknown-pvd"
  /** An IP address field is not a valid address. */
  | "invalid-address"
  /** A translation with this identifier is still outstanding. */
  | "duplicate-translation-id"
  /** No outstanding translation has this identifier. */
  | "unknown-translation-id"
  /** A connection attempt with this identifier is still outstanding. */
  | "duplicate-connection-id"
  /** A stop message for something the subscriber had not asked for. */
  | "not-subscribed"
  /** The source address does not belong to the provisioning domain. */
  | "address-not-in-pvd"
  /** The provisioning domain has no usable source address for the destination's family. */
  | "no-source-address"
  /** The provisioning domain has no DNS server. */
  | "no-dns-servers"
  /** Name resolution ended without an answer. */
  | "resolution-failed"
  /** Every connection attempt failed. */
  | "connection-failed"
  /** The provisioning domain was withdrawn while the request was in progress. */
  | "pvd-withdrawn"
  /** The operation was stopped by the subscriber or the API was closed. */
  | "aborted"
  /** The operation's overall timeout passed first. */
  | "timed-out"
  /** The network adapter cannot do this. */
  | "unsupported"
  /** A fault inside the MIF API or an adapter; the message says what. */
  | "internal-error";

/**
 * Options for {@linkcode MifError}.
 *
 * @example Name the field at fault and keep the cause
 * ```ts
 * import { MifError, type MifErrorOptions } from "./errors.ts";
 *
 * const cause = new RangeError("70000 is above 65535");
 * const options: MifErrorOptions = { field: "port", cause };
 * const message = "Cannot accept connect-to-address: port must be 1 to 65535";
 * const error = new MifError("malformed-request", message, options);
 * if (error.field !== "port" || error.cause !== cause) throw new Error("unexpected");
 * ```
 */
export interface MifErrorOptions {
  /** The request field at fault, as a property path such as `pvdId`. */
  readonly field?: string;
  /** The underlying error. */
  readonly cause?: unknown;
}

/**
 * An error of the MIF API, with a stable {@linkcode MifErrorCode}.
 *
 * @example Switch on the code
 * ```ts
 * import { MifError } from "./errors.ts";
 *
 * const error = new MifError("unknown-pvd", 'Cannot announce addresses: no provisioning domain "x"', { field: "pvdId" });
 * if (error.code !== "unknown-pvd" || error.field !== "pvdId") throw new Error("unexpected");
 * ```
 */
export class MifError extends Error {
  /** What went wrong. */
  readonly code: MifErrorCode;
  /** The request field at fault, when one is. */
  readonly field: string | undefined;

  /**
   * Makes an error.
   *
   * @param code What went wrong.
   * @param message Sentence case, no trailing period, naming the action and the state.
   * @param options The field at fault and the cause.
   */
  constructor(code: MifErrorCode, message: string, options: MifErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "MifError";
    this.code = code;
    this.field = options.field;
  }
}

/**
 * A connection that could not be made, with the whole race: the
 * establishment report, every attempt and why it failed, the PvDs that gave
 * no answer and the ones the policy left out.
 *
 * @example What a failed connect says
 * ```ts
 * import { ConnectError } from "./errors.ts";
 * import { MifApi } from "./mif_api.ts";
 * import { twoProviderHost } from "../adapters/simulated/mod.ts";
 *
 * const { network, clock, host } = twoProviderHost();
 * const api = new MifApi(network);
 * const error = await clock.drive(api.connect(host.name, 81)).catch((e) => e);
 * if (!(error instanceof ConnectError) || error.code !== "connection-failed") throw error;
 * if (!error.attempts.every((a) => a.reason.endsWith("refused"))) throw new Error(error.message);
 * api.close();
 * ```
 */
export class ConnectError extends MifError {
  /** The race: attempts with their times and results, and why it failed. */
  readonly report: EstablishmentReport;
  /** Each failed attempt: PvD, source, destination, reason. */
  readonly attempts: readonly ConnectionAttemptFailure[];
  /** Each PvD that gave no answer, and why. */
  readonly unanswered: readonly { readonly pvdId: PvdId; readonly reason: string }[];
  /** Each PvD the policy left out, and why. */
  readonly excluded: readonly { readonly pvdId: PvdId; readonly why: string }[];

  /**
   * Makes the error.
   *
   * @param code What went wrong.
   * @param message What was tried and what each attempt met.
   * @param details The race.
   */
  constructor(
    code: MifErrorCode,
    message: string,
    details: {
      report: EstablishmentReport;
      attempts: readonly ConnectionAttemptFailure[];
      unanswered: readonly { readonly pvdId: PvdId; readonly reason: string }[];
      excluded: readonly { readonly pvdId: PvdId; readonly why: string }[];
      cause?: unknown;
    },
  ) {
    super(code, message, details.cause === undefined ? {} : { cause: details.cause });
    this.name = "ConnectError";
    this.report = details.report;
    this.attempts = details.attempts;
    this.unanswered = details.unanswered;
    this.excluded = details.excluded;
  }
}
