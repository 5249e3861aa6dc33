/**
 * Policy tables of RFC 6724 address selection, as data: the default table
 * of RFC 6724 section 2.1, the updated table of
 * draft-ietf-6man-rfc6724-update, an IPv4-first table (RFC 6724 section
 * 10.3), glibc's built-in table, and tables read from gai.conf text (the
 * format of glibc's `/etc/gai.conf`, gai.conf(5)).
 *
 * A table maps address prefixes to a precedence (destination rule 6: higher
 * goes first) and a label (source rule 6 and destination rule 5: a source
 * whose label equals the destination's is preferred), each by longest
 * matching prefix, and IPv4 prefixes to a scope (RFC 6724 section 3.2).
 * Tables are plain frozen objects, so they can be compared, printed, stored
 * and reported (Get Configuration Data) as they are.
 *
 * Runtime-neutral: no Deno or Node APIs.
 *
 * @example Preferring IPv4, as RFC 6724 section 10.3 shows
 * ```ts
 * import { parseGaiConf, POLICY_IPV4_FIRST } from "./policy_table.ts";
 *
 * const table = parseGaiConf(`
 *   # /etc/gai.conf: prefer IPv4
 *   precedence ::1/128       50
 *   precedence ::/0          40
 *   precedence ::ffff:0:0/96 100
 *   precedence 2002::/16     30
 *   precedence 2001::/32      5
 *   precedence fc00::/7       3
 *   precedence ::/96          1
 *   precedence fec0::/10      1
 *   precedence 3ffe::/16      1
 * `);
 * const precedence = (t: typeof table) => t.rows.map((r) => `${r.prefix} ${r.precedence}`).join();
 * if (precedence(table) !== precedence(POLICY_IPV4_FIRST)) throw new Error("differs");
 * ```
 *
 * @module
 */

import { parseIpAddress } from "./ip_address.ts";

/**
 * One row of a policy table (RFC 6724 section 2.1). A row may give a
 * precedence, a label or both: a gai.conf file can replace the label table
 * alone, so the two are looked up separately, each by longest matching
 * prefix among the rows that give it.
 *
 * @example
 * ```ts
 * import type { PolicyRow } from "./policy_table.ts";
 *
 * const ula: PolicyRow = { prefix: "fc00::/7", precedence: 3, label: 13 };
 * if (ula.label !== 13) throw new Error();
 * ```
 */
export interface PolicyRow {
  /**
   * The prefix: IPv6 text and a length 0 to 128 (`"2002::/16"`), an IPv4
   * prefix as IPv4-mapped IPv6 (`"::ffff:10.0.0.0/104"`), or IPv4 text and a
   * length 0 to 32 (`"10.0.0.0/8"`), which means the same.
   */
  readonly prefix: string;
  /** Precedence, 0 to 2,147,483,647: destination rule 6 prefers higher. */
  readonly precedence?: number;
  /** Label, 0 to 2,147,483,647: only equality matters. */
  readonly label?: number;
}

/**
 * A scope for IPv4 addresses of a prefix (RFC 6724 section 3.2; gai.conf
 * `scopev4`). Scopes are those of IPv6 (RFC 4291 section 2.7): 2
 * link-local, 5 site-local, 14 global.
 *
 * @example
 * ```ts
 * import type { ScopeRow } from "./policy_table.ts";
 *
 * const apipa: ScopeRow = { prefix: "169.254.0.0/16", scope: 2 };
 * if (apipa.scope !== 2) throw new Error();
 * ```
 */
export interface ScopeRow {
  /** An IPv4 prefix (`"169.254.0.0/16"`) or its IPv4-mapped form (`"::ffff:169.254.0.0/112"`). */
  readonly prefix: string;
  /** The scope, 1 to 15. */
  readonly scope: number;
}

/**
 * A policy table: what address selection prefers, as data.
 *
 * @example A table with a known-local ULA row (draft-ietf-6man-rfc6724-update)
 * ```ts
 * import { type PolicyTable, POLICY_RFC6724_UPDATE } from "./policy_table.ts";
 *
 * const table: PolicyTable = {
 *   name: "home network",
 *   rows: [...POLICY_RFC6724_UPDATE.rows, { prefix: "fd12:3456:789a::/48", precedence: 45, label: 14 }],
 * }; // no scopes: those of RFC 6724 section 3.2
 * if (table.rows.length !== 10) throw new Error();
 * ```
 */
export interface PolicyTable {
  /** What the table is, for reports: `"RFC 6724"`, `"gai.conf"`. */
  readonly name: string;
  /** The rows, in any order: lookups take the longest matching prefix. */
  readonly rows: readonly PolicyRow[];
  /**
   * IPv4 scopes; without them, RFC 6724 section 3.2: 127.0.0.0/8 and
   * 169.254.0.0/16 link-local (2), every other IPv4 address global (14).
   */
  readonly scopes?: readonly ScopeRow[];
}

function freezeTable(table: PolicyTable): PolicyTable {
  return Object.freeze({
    name: table.name,
    rows: Object.freeze(table.rows.map((row) => Object.freeze({ ...row }))),
    scopes: Object.freeze((table.scopes ?? RFC6724_SCOPES).map((row) => Object.freeze({ ...row }))),
  });
}

/** RFC 6724 section 3.2: loopback and autoconfiguration addresses are link-local, the rest global. */
const RFC6724_SCOPES: readonly ScopeRow[] = [
  { prefix: "169.254.0.0/16", scope: 2 },
  { prefix: "127.0.0.0/8", scope: 2 },
  { prefix: "0.0.0.0/0", scope: 14 },
];

/**
 * The default policy table of RFC 6724 section 2.1, row by row, with the
 * IPv4 scopes of section 3.2.
 *
 * @example
 * ```ts
 * import { POLICY_RFC6724 } from "./policy_table.ts";
 *
 * const ipv4 = POLICY_RFC6724.rows.find((row) => row.prefix === "::ffff:0:0/96");
 * if (ipv4?.precedence !== 35 || ipv4.label !== 4) throw new Error();
 * ```
 */
export const POLICY_RFC6724: PolicyTable = freezeTable({
  name: "RFC 6724",
  rows: [
    { prefix: "::1/128", precedence: 50, label: 0 }, // loopback
    { prefix: "::/0", precedence: 40, label: 1 }, // everything else
    { prefix: "::ffff:0:0/96", precedence: 35, label: 4 }, // IPv4-mapped: IPv4
    { prefix: "2002::/16", precedence: 30, label: 2 }, // 6to4
    { prefix: "2001::/32", precedence: 5, label: 5 }, // Teredo
    { prefix: "fc00::/7", precedence: 3, label: 13 }, // ULA
    { prefix: "::/96", precedence: 1, label: 3 }, // IPv4-compatible (deprecated)
    { prefix: "fec0::/10", precedence: 1, label: 11 }, // site-local (deprecated)
    { prefix: "3ffe::/16", precedence: 1, label: 12 }, // 6bone (returned)
  ],
  scopes: RFC6724_SCOPES,
});

/**
 * The policy table of draft-ietf-6man-rfc6724-update: ULAs (fc00::/7) above
 * IPv4 (precedence 30 against 20), 6to4 down to Teredo's 5. A host that
 * knows its local ULA prefixes adds a row for each (precedence 45, label
 * 14; see {@linkcode PolicyTable}).
 *
 * @example
 * ```ts
 * import { POLICY_RFC6724_UPDATE } from "./policy_table.ts";
 *
 * const ula = POLICY_RFC6724_UPDATE.rows.find((row) => row.prefix === "fc00::/7");
 * if (ula?.precedence !== 30) throw new Error();
 * ```
 */
export const POLICY_RFC6724_UPDATE: PolicyTable = freezeTable({
  name: "draft-ietf-6man-rfc6724-update",
  rows: [
    { prefix: "::1/128", precedence: 50, label: 0 },
    { prefix: "::/0", precedence: 40, label: 1 },
    { prefix: "::ffff:0:0/96", precedence: 20, label: 4 },
    { prefix: "2002::/16", precedence: 5, label: 2 },
    { prefix: "2001::/32", precedence: 5, label: 5 },
    { prefix: "fc00::/7", precedence: 30, label: 13 },
    { prefix: "::/96", precedence: 1, label: 3 },
    { prefix: "fec0::/10", precedence: 1, label: 11 },
    { prefix: "3ffe::/16", precedence: 1, label: 12 },
  ],
  scopes: RFC6724_SCOPES,
});

/**
 * RFC 6724's table changed to prefer IPv4 as its section 10.3 shows:
 * ::ffff:0:0/96 gets precedence 100, above every IPv6 prefix.
 *
 * @example
 * ```ts
 * import { POLICY_IPV4_FIRST } from "./policy_table.ts";
 *
 * const top = Math.max(...POLICY_IPV4_FIRST.rows.map((row) => row.precedence ?? 0));
 * if (top !== 100) throw new Error();
 * ```
 */
export const POLICY_IPV4_FIRST: PolicyTable = freezeTable({
  name: "IPv4 first (RFC 6724 section 10.3)",
  rows: POLICY_RFC6724.rows.map((row) => row.prefix === "::ffff:0:0/96" ? { ...row, precedence: 100 } : row),
  scopes: RFC6724_SCOPES,
});

/**
 * glibc's built-in tables, what `getaddrinfo` uses without an
 * `/etc/gai.conf`: the labels and precedences of RFC 3484 plus a ULA label,
 * in two tables with different prefixes (so some rows give only a label).
 * Pass it as `base` to {@linkcode parseGaiConf} to read a gai.conf as glibc
 * does.
 *
 * @example
 * ```ts
 * import { POLICY_GLIBC } from "./policy_table.ts";
 *
 * const ipv4 = POLICY_GLIBC.rows.find((row) => row.prefix === "::ffff:0:0/96");
 * if (ipv4?.precedence !== 10) throw new Error();
 * ```
 */
export const POLICY_GLIBC: PolicyTable = freezeTable({
  name: "glibc",
  rows: [
    { prefix: "::1/128", precedence: 50, label: 0 },
    { prefix: "2002::/16", precedence: 30, label: 2 },
    { prefix: "::/96", precedence: 20, label: 3 },
    { prefix: "::ffff:0:0/96", precedence: 10, label: 4 },
    { prefix: "fec0::/10", label: 5 },
    { prefix: "fc00::/7", label: 6 },
    { prefix: "2001::/32", label: 7 },
    { prefix: "::/0", precedence: 40, label: 1 },
  ],
  scopes: RFC6724_SCOPES,
});

// ---------------------------------------------------------------------------
// Prefixes

/** A prefix in the 128-bit space: IPv4 as IPv4-mapped, length counted from bit 0. */
interface ParsedPrefix {
  /** 16 bytes, bits past the length as written (lookups mask them). */
  readonly bytes: Uint8Array;
  /** 0..128. */
  readonly length: number;
  /** True when the prefix lies inside ::ffff:0:0/96 (an IPv4 prefix). */
  readonly ipv4: boolean;
}

/** Largest precedence or label: glibc reads them into an int. */
const MAX_VALUE = 0x7fff_ffff;

/**
 * Reads prefix text (see {@linkcode PolicyRow}); returns an error text
 * instead of throwing, so each caller words the error for its input.
 */
function readPrefix(text: string, defaultLength?: number): ParsedPrefix | string {
  const slash = text.indexOf("/");
  const addressText = slash < 0 ? text : text.slice(0, slash);
  let address;
  try {
    address = parseIpAddress(addressText);
  } catch (error) {
    return (error as Error).message.replace(/^Cannot parse IP address /, "address ");
  }
  if (address.zone !== undefined) return `prefix ${JSON.stringify(text)} has a zone`;
  const v4 = address.family === 4;
  let length: number;
  if (slash < 0) {
    if (defaultLength === undefined) return `prefix ${JSON.stringify(text)} has no length`;
    length = defaultLength;
  } else {
    const lengthText = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(lengthText)) {
      return `prefix ${JSON.stringify(text)} has length ${JSON.stringify(lengthText)}, not a decimal number`;
    }
    length = Number(lengthText);
    if (length > (v4 ? 32 : 128)) {
      return `prefix ${JSON.stringify(text)} has length ${length}, more than ${v4 ? 32 : 128}`;
    }
  }
  const bytes = new Uint8Array(16);
  if (v4) {
    bytes[10] = 0xff;
    bytes[11] = 0xff;
    bytes.set(address.bytes, 12);
    if (slash < 0 && defaultLength === 128) length = 32;
    length += 96;
  } else {
    bytes.set(address.bytes);
  }
  const ipv4 = length >= 96 && bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff &&
    bytes[11] === 0xff;
  return { bytes, length, ipv4 };
}

/** Same prefix: same length and the same bits up to it. */
function samePrefix(a: ParsedPrefix, b: ParsedPrefix): boolean {
  if (a.length !== b.length) return false;
  for (let bit = 0; bit < a.length; bit += 8) {
    const keep = Math.min(8, a.length - bit);
    const mask = (0xff00 >> keep) & 0xff;
    if (((a.bytes[bit >> 3]! ^ b.bytes[bit >> 3]!) & mask) !== 0) return false;
  }
  return true;
}

/** A problem found in a table, with the error class that fits it. */
interface Problem {
  readonly type: TypeErrorConstructor | RangeErrorConstructor | SyntaxErrorConstructor;
  readonly text: string;
}

/** The first problem of a table, or undefined (see {@linkcode checkPolicyTable}). */
function tableProblem(table: PolicyTable): Problem | undefined {
  const shape = (text: string): Problem => ({ type: TypeError, text });
  const range = (text: string): Problem => ({ type: RangeError, text });
  if (typeof table !== "object" || table === null || !Array.isArray(table.rows)) {
    return shape("expected an object with a rows array");
  }
  if (typeof table.name !== "string") return shape("expected a name string");
  const precedences: ParsedPrefix[] = [];
  const labels: ParsedPrefix[] = [];
  for (let i = 0; i < table.rows.length; i++) {
    const row = table.rows[i];
    if (typeof row !== "object" || row === null) return shape(`row ${i} is not an object`);
    if (typeof row.prefix !== "string") return shape(`row ${i} has no prefix string`);
    const prefix = readPrefix(row.prefix);
    if (typeof prefix === "string") return { type: SyntaxError, text: `row ${i}: ${prefix}` };
    if (row.precedence === undefined && row.label === undefined) {
      return shape(`row ${i} (${row.prefix}) gives neither a precedence nor a label`);
    }
    const attributes = [["precedence", row.precedence, precedences], ["label", row.label, labels]] as const;
    for (const [what, value, seen] of attributes) {
      if (value === undefined) continue;
      if (!Number.isInteger(value) || value < 0 || value > MAX_VALUE) {
        return range(`row ${i} (${row.prefix}) has ${what} ${value}, not an integer from 0 to ${MAX_VALUE}`);
      }
      if (seen.some((other) => samePrefix(other, prefix))) {
        return range(`row ${i} (${row.prefix}) gives a ${what} for a prefix an earlier row gives one for`);
      }
      seen.push(prefix);
    }
  }
  const scopes = table.scopes ?? [];
  if (!Array.isArray(scopes)) return shape("scopes is not an array");
  const seenScopes: ParsedPrefix[] = [];
  for (let i = 0; i < scopes.length; i++) {
    const row = scopes[i];
    if (typeof row !== "object" || row === null) return shape(`scope row ${i} is not an object`);
    if (typeof row.prefix !== "string") return shape(`scope row ${i} has no prefix string`);
    const prefix = readPrefix(row.prefix);
    if (typeof prefix === "string") return { type: SyntaxError, text: `scope row ${i}: ${prefix}` };
    if (!prefix.ipv4) return range(`scope row ${i} (${row.prefix}) is not an IPv4 prefix`);
    if (!Number.isInteger(row.scope) || row.scope < 1 || row.scope > 15) {
      return range(`scope row ${i} (${row.prefix}) has scope ${row.scope}, not an integer from 1 to 15`);
    }
    if (seenScopes.some((other) => samePrefix(other, prefix))) {
      return range(`scope row ${i} (${row.prefix}) repeats the prefix of an earlier scope row`);
    }
    seenScopes.push(prefix);
  }
  return undefined;
}

/**
 * Checks a table before use: every prefix parses (see
 * {@linkcode PolicyRow}), every row gives a precedence or a label, values
 * are in range, no prefix gives one attribute twice, scope rows are IPv4.
 * Address selection checks each table this way the first time it meets it.
 *
 * @example
 * ```ts
 * import { checkPolicyTable } from "./policy_table.ts";
 *
 * try {
 *   checkPolicyTable({ name: "mine", rows: [{ prefix: "::/0", precedence: -1, label: 1 }] });
 *   throw new Error("accepted");
 * } catch (error) {
 *   if (!(error instanceof RangeError)) throw error;
 *   // Cannot use policy table "mine": row 0 (::/0) has precedence -1, not an integer from 0 to 2147483647
 * }
 * ```
 *
 * @param table The table.
 * @throws {TypeError} For a table of the wrong shape.
 * @throws {SyntaxError} For prefix text that cannot be parsed.
 * @throws {RangeError} For a value out of range or a repeated prefix.
 */
export function checkPolicyTable(table: PolicyTable): void {
  const problem = tableProblem(table);
  if (problem === undefined) return;
  const name = typeof table === "object" && table !== null && typeof table.name === "string"
    ? ` ${JSON.stringify(table.name)}`
    : "";
  throw new problem.type(`Cannot use policy table${name}: ${problem.text}`);
}

// ---------------------------------------------------------------------------
// gai.conf

/**
 * Options of {@linkcode parseGaiConf}.
 *
 * @example
 * ```ts
 * import { type GaiConfOptions, POLICY_GLIBC } from "./policy_table.ts";
 *
 * const options: GaiConfOptions = { base: POLICY_GLIBC, name: "/etc/gai.conf" };
 * if (options.base !== POLICY_GLIBC) throw new Error();
 * ```
 */
export interface GaiConfOptions {
  /**
   * The tables the file starts from, each replaced whole by the file's lines
   * of its kind: {@linkcode POLICY_RFC6724} unless given ({@linkcode POLICY_GLIBC}
   * reads a file as glibc does).
   */
  readonly base?: PolicyTable;
  /** The name of the resulting table; `"gai.conf"` unless given. */
  readonly name?: string;
}

/**
 * Reads a policy table from gai.conf text (gai.conf(5)): lines
 * `label <prefix> <value>`, `precedence <prefix> <value>`,
 * `scopev4 <prefix> <scope>` and `reload <yes|no>`, comments from `#` to
 * the end of the line, blank lines.
 *
 * As in glibc, the lines of one kind replace that whole table of `base`:
 * one `label` line discards every default label, so a file that changes one
 * label must repeat the others; tables without lines keep `base`'s. A
 * prefix without a length is a single address (/128, or /32 for a
 * `scopev4` IPv4 address). `label` and `precedence` prefixes are IPv6 (IPv4
 * as ::ffff:a.b.c.d/96+n); `scopev4` takes an IPv4-mapped prefix of length
 * 96 or more or an IPv4 prefix. `reload` is accepted and has no effect.
 *
 * Unlike glibc, which skips lines it cannot read, every malformed line is
 * an error naming the line, and a prefix given twice for one kind too.
 *
 * @example Replacing the label table
 * ```ts
 * import { parseGaiConf } from "./policy_table.ts";
 *
 * const table = parseGaiConf("label ::1/128 0\nlabel ::/0 1\n");
 * // Only the file's labels remain; the precedences are RFC 6724's.
 * if (table.rows.filter((row) => row.label !== undefined).length !== 2) throw new Error();
 * if (table.rows.filter((row) => row.precedence !== undefined).length !== 9) throw new Error();
 * ```
 *
 * @example An error names the line
 * ```ts
 * import { parseGaiConf } from "./policy_table.ts";
 *
 * try {
 *   parseGaiConf("precedence ::1/128 50\nprecedence ::/0 forty\n");
 *   throw new Error("accepted");
 * } catch (error) {
 *   if (!(error instanceof SyntaxError)) throw error;
 *   // Cannot parse gai.conf: line 2 "precedence ::/0 forty": value "forty" is not a decimal number
 * }
 * ```
 *
 * @param text The file's text.
 * @param options The base tables and the name.
 * @returns A frozen table.
 * @throws {SyntaxError} Naming the line, for a line that cannot be read.
 */
export function parseGaiConf(text: string, options: GaiConfOptions = {}): PolicyTable {
  if (typeof text !== "string") throw new TypeError("Cannot parse gai.conf: expected a string");
  const base = options.base ?? POLICY_RFC6724;
  checkPolicyTable(base);
  interface Entry {
    readonly prefixText: string;
    readonly prefix: ParsedPrefix;
    readonly value: number;
    readonly line: number;
  }
  const found: Record<"label" | "precedence" | "scopev4", Entry[]> = { label: [], precedence: [], scopev4: [] };
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    const hash = line.indexOf("#");
    const words = (hash < 0 ? line : line.slice(0, hash)).trim().split(/[ \t]+/).filter((w) => w !== "");
    if (words.length === 0) continue;
    const fail = (why: string): never => {
      const shown = line.trim().length > 64 ? `${line.trim().slice(0, 61)}...` : line.trim();
      throw new SyntaxError(`Cannot parse gai.conf: line ${n + 1} ${JSON.stringify(shown)}: ${why}`, {
        cause: { line: n + 1 },
      });
    };
    const keyword = words[0]!;
    if (keyword === "reload") {
      if (words.length !== 2 || (words[1] !== "yes" && words[1] !== "no")) fail(`expected "reload yes" or "reload no"`);
      continue;
    }
    if (keyword !== "label" && keyword !== "precedence" && keyword !== "scopev4") {
      fail(`unknown keyword ${JSON.stringify(keyword)}, expected label, precedence, scopev4 or reload`);
    }
    const kind = keyword as "label" | "precedence" | "scopev4";
    if (words.length !== 3) fail(`expected "${kind} <prefix> <value>", got ${words.length} words`);
    const prefixText = words[1]!;
    const isV4Text = !prefixText.includes(":");
    if (isV4Text && kind !== "scopev4") {
      fail(`${kind} prefix ${JSON.stringify(prefixText)} is IPv4; write it IPv4-mapped (::ffff:a.b.c.d/96+n)`);
    }
    const prefix = readPrefix(prefixText, kind === "scopev4" && isV4Text ? 32 : 128);
    if (typeof prefix === "string") fail(prefix);
    const parsed = prefix as ParsedPrefix;
    if (kind === "scopev4" && !parsed.ipv4) {
      fail(`scopev4 prefix ${JSON.stringify(prefixText)} is not IPv4 or IPv4-mapped with a length of 96 or more`);
    }
    const valueText = words[2]!;
    if (!/^[0-9]+$/.test(valueText)) fail(`value ${JSON.stringify(valueText)} is not a decimal number`);
    const value = Number(valueText);
    const max = kind === "scopev4" ? 15 : MAX_VALUE;
    if (value > max || (kind === "scopev4" && value < 1)) {
      fail(`value ${valueText} is out of range (${kind === "scopev4" ? 1 : 0} to ${max})`);
    }
    const earlier = found[kind].find((entry) => samePrefix(entry.prefix, parsed));
    if (earlier !== undefined) fail(`${kind} for ${prefixText} was already given on line ${earlier.line}`);
    // A single address gets its length written out, as rows always have one.
    const withLength = prefixText.includes("/") ? prefixText : `${prefixText}/${isV4Text ? 32 : 128}`;
    found[kind].push({ prefixText: withLength, prefix: parsed, value, line: n + 1 });
  }

  // Rows by prefix, so that a label and a precedence for one prefix share a
  // row. Prefixes keep the text they were first written with.
  const rows: { prefix: string; parsed: ParsedPrefix; precedence?: number; label?: number }[] = [];
  const rowFor = (prefixText: string, parsed: ParsedPrefix) => {
    let row = rows.find((r) => samePrefix(r.parsed, parsed));
    if (row === undefined) rows.push(row = { prefix: prefixText, parsed });
    return row;
  };
  for (const what of ["label", "precedence"] as const) {
    if (found[what].length > 0) {
      for (const entry of found[what]) rowFor(entry.prefixText, entry.prefix)[what] = entry.value;
    } else {
      for (const row of base.rows) {
        const value = row[what];
        if (value !== undefined) rowFor(row.prefix, readPrefix(row.prefix) as ParsedPrefix)[what] = value;
      }
    }
  }
  const scopes = found.scopev4.length > 0
    ? found.scopev4.map((entry) => ({ prefix: entry.prefixText, scope: entry.value }))
    : (base.scopes ?? RFC6724_SCOPES);
  return freezeTable({
    name: options.name ?? "gai.conf",
    rows: rows.map(({ prefix, precedence, label }) => ({
      prefix,
      ...(precedence === undefined ? {} : { precedence }),
      ...(label === undefined ? {} : { label }),
    })),
    scopes,
  });
}

/**
 * Writes a table as gai.conf text that {@linkcode parseGaiConf} (and glibc)
 * reads back to the same table: every label, every precedence and every
 * IPv4 scope, so that each of the three tables is given whole. IPv4
 * prefixes of labels and precedences are written IPv4-mapped, as glibc
 * requires there.
 *
 * @example
 * ```ts
 * import { formatGaiConf, parseGaiConf, POLICY_RFC6724 } from "./policy_table.ts";
 *
 * const text = formatGaiConf(POLICY_RFC6724);
 * if (!text.includes("precedence ::ffff:0:0/96 35")) throw new Error(text);
 * const again = parseGaiConf(text);
 * if (JSON.stringify(again.rows) !== JSON.stringify(POLICY_RFC6724.rows)) throw new Error();
 * ```
 *
 * @param table The table.
 * @returns The text, one line per entry, ending in a newline.
 * @throws {TypeError | SyntaxError | RangeError} If the table is malformed (see {@linkcode checkPolicyTable}).
 */
export function formatGaiConf(table: PolicyTable): string {
  checkPolicyTable(table);
  const mapped = (text: string): string => {
    if (text.includes(":")) return text;
    const [address, length] = text.split("/");
    return `::ffff:${address}/${96 + Number(length ?? 32)}`;
  };
  const lines = [`# ${table.name.replace(/[\r\n]+/g, " ")}`];
  for (const row of table.rows) if (row.label !== undefined) lines.push(`label ${mapped(row.prefix)} ${row.label}`);
  for (const row of table.rows) {
    if (row.precedence !== undefined) lines.push(`precedence ${mapped(row.prefix)} ${row.precedence}`);
  }
  // scopev4 takes IPv4 prefixes as they are.
  for (const row of table.scopes ?? RFC6724_SCOPES) lines.push(`scopev4 ${row.prefix} ${row.scope}`);
  return lines.join("\n") + "\n";
}
