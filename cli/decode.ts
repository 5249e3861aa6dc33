/**
 * `mif decode FILE [--json]`: the Router Advertisements, DHCPv6 and DHCPv4
 * messages of a pcap or pcapng file, decoded by the core's parsers.
 *
 * For each such packet, one JSON object: its frame number (from 1, as in
 * Wireshark), capture time, IP source and destination, kind, and either the
 * parsed `message` or the parser's `error`. With `--json` the output is JSON
 * Lines (one object per line, for `jq`); without it each packet gets a
 * readable summary line followed by its object, indented.
 *
 * In the JSON, bytes (Uint8Array) are written as lowercase hex strings,
 * bigints as decimal strings and infinite lifetimes as `"Infinity"`.
 *
 * Exit codes: 0 success (even when some messages do not parse), 1 the file
 * cannot be read or is not a capture file, 2 usage.
 *
 * @module
 */

import { type CapturedPacket, readCapture } from "../core-as/capture.ts";
import { parseRouterAdvertisement } from "../core-as/router_advertisement.ts";
import { parseDhcpv6 } from "../core-as/dhcpv6.ts";
import { parseDhcpv4 } from "../core-as/dhcpv4.ts";

/** Usage of the command, for `mif help` and usage errors. */
export const DECODE_USAGE = "decode FILE [--json]";

/** One decoded RA, DHCPv6 or DHCPv4 packet. */
export interface DecodedPacket {
  /** Frame number in the file, from 1. */
  readonly frame: number;
  /** Capture time, ISO 8601 UTC with the file's precision; null if the packet has none. */
  readonly time: string | null;
  /** IP source address. */
  readonly source: string | null;
  /** IP destination address. */
  readonly destination: string | null;
  /** What the packet carries. */
  readonly kind: "router-advertisement" | "dhcpv6" | "dhcpv4";
  /** UDP ports, for DHCP. */
  readonly sourcePort?: number;
  /** UDP destination port, for DHCP. */
  readonly destinationPort?: number;
  /** Problems of the lower layers (see `CapturedPacket.problems`), when there are any. */
  readonly problems?: readonly string[];
  /** The parsed message, when it parsed. */
  readonly message?: unknown;
  /** The parser's error message, when it did not. */
  readonly error?: string;
}

/** What {@linkcode runDecode} would print, and the exit code. */
export interface DecodeOutput {
  /** 0 success, 1 unreadable file or not a capture, 2 usage. */
  readonly exitCode: 0 | 1 | 2;
  /** Lines for standard output. */
  readonly lines: readonly string[];
  /** Lines for standard error. */
  readonly errors: readonly string[];
}

/** Options of {@linkcode runDecode}. */
export interface DecodeCommandOptions {
  /** Reads the file; `Deno.readFile` by default. */
  readonly readFile?: (path: string) => Promise<Uint8Array>;
}

/**
 * Decodes the RA, DHCPv6 and DHCPv4 packets of a capture file's bytes.
 *
 * @param bytes The capture file.
 * @returns One entry per such packet, in file order.
 * @throws {SyntaxError} If the bytes are not a capture file (see `readCapture`).
 */
export function decodeMessages(bytes: Uint8Array): DecodedPacket[] {
  const decoded: DecodedPacket[] = [];
  const capture = readCapture(bytes);
  for (const packet of capture.packets) {
    if (packet.kind === "other") continue;
    const resolution = capture.interfaces[packet.interfaceIndex]?.timestampResolution ?? 9;
    const entry: {
      -readonly [K in keyof DecodedPacket]: DecodedPacket[K];
    } = {
      frame: packet.frame,
      time: packet.timestamp === undefined ? null : formatTime(packet.timestamp, fractionDigits(resolution)),
      source: packet.source ?? null,
      destination: packet.destination ?? null,
      kind: packet.kind,
    };
    if (packet.sourcePort !== undefined && packet.destinationPort !== undefined) {
      entry.sourcePort = packet.sourcePort;
      entry.destinationPort = packet.destinationPort;
    }
    if (packet.problems.length > 0) entry.problems = packet.problems;
    try {
      entry.message = parseMessage(packet);
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      // A parser reports malformed bytes as SyntaxError; anything else is
      // named, so that a bug does not pass for a malformed packet.
      entry.error = error instanceof SyntaxError ? error.message : `${error.name}: ${error.message}`;
    }
    decoded.push(entry);
  }
  return decoded;
}

function parseMessage(packet: CapturedPacket): unknown {
  switch (packet.kind) {
    case "router-advertisement":
      return parseRouterAdvertisement(packet.payload, {
        ...(packet.hopLimit === undefined ? {} : { hopLimit: packet.hopLimit }),
        ...(packet.source === undefined ? {} : { sourceAddress: packet.source }),
      });
    case "dhcpv6":
      return parseDhcpv6(packet.payload);
    case "dhcpv4":
      return parseDhcpv4(packet.payload);
    default:
      return undefined;
  }
}

/**
 * Runs `mif decode` with its arguments (after the command name) and returns
 * what it would print.
 *
 * @param args `FILE` and optionally `--json`, in any order.
 * @param options Where the file comes from.
 * @returns The output lines and the exit code.
 */
export async function runDecode(args: readonly string[], options: DecodeCommandOptions = {}): Promise<DecodeOutput> {
  const json = args.includes("--json");
  const rest = args.filter((arg) => arg !== "--json");
  const [path, ...extra] = rest;
  const unknown = rest.find((arg) => arg.startsWith("-") && arg !== "-");
  if (path === undefined || extra.length > 0 || unknown !== undefined) {
    const problem = unknown !== undefined
      ? `unknown option "${unknown}"`
      : path === undefined
      ? "missing FILE"
      : `unexpected argument "${extra[0]}"`;
    return { exitCode: 2, lines: [], errors: [`mif decode: ${problem}`, `Usage: mif ${DECODE_USAGE}`] };
  }
  const readFile = options.readFile ?? ((file: string) => Deno.readFile(file));
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    return { exitCode: 1, lines: [], errors: [`mif decode: Cannot read ${path}: ${describe(error)}`] };
  }
  let decoded: DecodedPacket[];
  try {
    decoded = decodeMessages(bytes);
  } catch (error) {
    if (!(error instanceof SyntaxError || error instanceof RangeError)) throw error;
    return { exitCode: 1, lines: [], errors: [`mif decode: ${path}: ${error.message}`] };
  }
  const lines: string[] = [];
  for (const packet of decoded) {
    if (json) {
      lines.push(toJson(packet));
    } else {
      lines.push(summary(packet), toJson(packet, 2));
    }
  }
  return { exitCode: 0, lines, errors: [] };
}

/** One readable line: frame, time, addresses, kind and the outcome. */
function summary(packet: DecodedPacket): string {
  const ports = packet.sourcePort === undefined ? "" : ` ${packet.sourcePort} > ${packet.destinationPort}`;
  const outcome = packet.error === undefined ? describeMessage(packet.message) : `error: ${packet.error}`;
  const flags = packet.problems === undefined ? "" : ` [${packet.problems.join("; ")}]`;
  return `#${packet.frame} ${packet.time ?? "-"} ${packet.source ?? "?"} > ${
    packet.destination ?? "?"
  }${ports} ${packet.kind}${outcome ? ` ${outcome}` : ""}${flags}`;
}

/** A message's type name, if it has one, for the summary line. */
function describeMessage(message: unknown): string {
  if (typeof message !== "object" || message === null) return "";
  const record = message as Record<string, unknown>;
  for (const key of ["messageType", "type"]) {
    const value = record[key];
    if (typeof value === "string" || typeof value === "number") return String(value);
  }
  return "";
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * JSON with bytes as hex, bigints as decimal strings and non-finite numbers
 * as their names (JSON has none of the three).
 */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, jsonValue, indent);
}

function jsonValue(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) {
    return Array.from(value, (byte) => byte.toString(16).padStart(2, "0")).join("");
  }
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  return value;
}

/** Dates beyond this many seconds from 1970 are out of `Date`'s range. */
const MAX_DATE_SECONDS = 8_640_000_000_000n;

/**
 * How many fraction digits an interface's if_tsresol byte warrants: its
 * decimal exponent up to 9 (6 for microsecond captures), 9 for binary ones.
 */
function fractionDigits(tsresol: number): number {
  return tsresol & 0x80 ? 9 : Math.min(tsresol, 9);
}

/**
 * A capture time as ISO 8601 UTC, with `digits` fraction digits (truncated,
 * 0 to 9), e.g. `2012-04-13T12:26:12.631155Z`.
 *
 * @param nanoseconds Nanoseconds since 1970-01-01 UTC.
 * @param digits Fraction digits to show.
 * @returns The text; seconds since 1970 for instants beyond `Date`'s range.
 */
export function formatTime(nanoseconds: bigint, digits = 9): string {
  let seconds = nanoseconds / 1_000_000_000n;
  let fraction = nanoseconds % 1_000_000_000n;
  if (fraction < 0n) {
    seconds -= 1n;
    fraction += 1_000_000_000n;
  }
  const shown = fraction.toString().padStart(9, "0").slice(0, Math.max(0, Math.min(9, digits)));
  const tail = shown === "" ? "" : `.${shown}`;
  if (seconds > MAX_DATE_SECONDS || seconds < -MAX_DATE_SECONDS) return `${seconds}${tail}`;
  const whole = new Date(Number(seconds) * 1000).toISOString(); // ...T12:34:56.000Z
  return `${whole.slice(0, -5)}${tail}Z`;
}
