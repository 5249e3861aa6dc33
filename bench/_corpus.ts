/**
 * The benchmark corpus: every Router Advertisement, DHCPv6 and DHCPv4
 * payload of the real captures (`/work/shared/captures`, searched
 * recursively, and the namespace lab's `tests/fixtures/lab/*.pcap`), read
 * once with `readCapture`.
 *
 * @module
 */

import { type PacketKind, readCapture } from "../core-as/capture.ts";

/** A protocol the parsers handle. */
export type Protocol = Exclude<PacketKind, "other">;

/** One payload of the corpus. */
export interface CorpusPacket {
  /** What it carries. */
  readonly kind: Protocol;
  /** The ICMPv6 message or UDP payload, in its own buffer. */
  readonly payload: Uint8Array;
  /** The capture it came from, relative to its folder, and its frame number. */
  readonly origin: string;
}

/** The shared captures folder, resolved from this file (`<repo>/../shared/captures/`). */
export const SHARED_CAPTURES = new URL("../../shared/captures/", import.meta.url);
/** The namespace lab's captures. */
export const LAB_CAPTURES = new URL("../tests/fixtures/lab/", import.meta.url);

const CAPTURE_FILE = /\.(pcap|pcapng|cap)$/;

function captureFiles(folder: URL, recursive: boolean): URL[] {
  const files: URL[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(folder)];
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return files;
    throw error;
  }
  entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  for (const entry of entries) {
    if (entry.isDirectory && recursive) files.push(...captureFiles(new URL(`${entry.name}/`, folder), true));
    else if (entry.isFile && CAPTURE_FILE.test(entry.name)) files.push(new URL(entry.name, folder));
  }
  return files;
}

/**
 * Reads the corpus. Files that are not readable captures are left out (the
 * captures include deliberately malformed files); an absent shared folder
 * leaves only the lab's captures.
 */
export function loadCorpus(): CorpusPacket[] {
  const packets: CorpusPacket[] = [];
  const sources: [URL, boolean][] = [[SHARED_CAPTURES, true], [LAB_CAPTURES, false]];
  for (const [folder, recursive] of sources) {
    for (const file of captureFiles(folder, recursive)) {
      let capture;
      try {
        capture = readCapture(Deno.readFileSync(file));
      } catch {
        continue;
      }
      const name = file.href.slice(folder.href.length);
      for (const packet of capture.packets) {
        if (packet.kind === "other" || packet.payload.length === 0) continue;
        // A copy, so that parsers see an ordinary buffer of exactly the payload.
        packets.push({ kind: packet.kind, payload: packet.payload.slice(), origin: `${name}#${packet.frame}` });
      }
    }
  }
  return packets;
}

/** True if the shared captures folder is present. */
export function hasSharedCaptures(): boolean {
  try {
    return Deno.statSync(SHARED_CAPTURES).isDirectory;
  } catch {
    return false;
  }
}
