/*
 * Uncompressed DNS names in wire format (RFC 1035 section 3.1), as RA
 * options (DNSSL, PvD ID, DNR: RFC 8106, 8801, 9463) and DHCPv6 options
 * (Domain List and the other names of RFC 8415 section 10) carry them: a
 * sequence of labels, each a length byte of 1..63 and that many bytes, ended
 * by a zero byte, at most 255 bytes in all. Compression is forbidden in all
 * of them ("MUST NOT be used" / "MUST NOT be stored in compressed form").
 *
 * Label bytes must be visible ASCII other than the dot: names cross to the
 * host as dotted text, where a dot or a control byte inside a label could not
 * be told apart from the structure around it.
 *
 * One scanner for every parser that reads such names; each maps the problem
 * to a detail identifier of its own table.
 */

import { byteAt } from "./abi";

/** What is wrong with a name, or None. */
export const enum NameProblem {
  None = 0,
  /** The name runs past its end without its zero byte. */
  Unterminated = 1,
  /** A length byte of 0xc0 or more: a compression pointer. */
  Compressed = 2,
  /** A length byte of 0x40..0xbf: an extended label type, or a label over 63 bytes. */
  LabelType = 3,
  /** A label byte that is not visible ASCII, or a dot. */
  Character = 4,
  /** Longer than 255 bytes, the final zero byte included. */
  TooLong = 5,
}

const MAX_LABEL: i32 = 63;
const MAX_NAME: usize = 255;

/** After a scan without problem: the name's byte length (labels and zero byte) and its label count. */
export let scannedNameLength: usize = 0;
export let scannedNameLabels: u32 = 0;

/** Checks the name starting at `start`, which must end (with its zero byte) before `end`. */
export function scanDnsName(start: usize, end: usize): NameProblem {
  let at = start;
  let labels: u32 = 0;
  // Each pass consumes a length byte and its label: at least one byte.
  while (true) {
    if (at >= end) return NameProblem.Unterminated;
    const length = byteAt(at);
    if (length == 0) break;
    if (length >= 0xc0) return NameProblem.Compressed;
    if (length > MAX_LABEL) return NameProblem.LabelType;
    if (<usize> length >= end - at) return NameProblem.Unterminated;
    for (let i: usize = 1; i <= <usize> length; i++) {
      const c = byteAt(at + i);
      if (c < 0x21 || c > 0x7e || c == 0x2e) return NameProblem.Character;
    }
    at += 1 + <usize> length;
    labels++;
    if (at - start + 1 > MAX_NAME) return NameProblem.TooLong;
  }
  scannedNameLength = at + 1 - start;
  scannedNameLabels = labels;
  return NameProblem.None;
}
