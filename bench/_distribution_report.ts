/**
 * Turns benchmark samples into a percentile table (plain text or Markdown)
 * and an SVG chart of cumulative distributions, for the connection-policy
 * benchmark: the time to connect of several selection policies across
 * several network scenarios.
 *
 * The input is, per scenario and policy, the times to connect of the races
 * that connected (milliseconds) and the number of races that did not. The
 * table gives percentiles of the successes beside the failure rate; the
 * chart plots each policy's share of all races connected by a given time,
 * so a curve's plateau sits at one minus its failure rate.
 *
 * Runtime-neutral: no Deno or Node APIs; every renderer returns a string and
 * gives the same bytes for the same input.
 *
 * @example A table and a chart
 * ```ts
 * import { renderCdfSvg, renderTable, summarize } from "./_distribution_report.ts";
 *
 * const samples = [12, 15, 15, 40, 250];
 * const text = renderTable([{ scenario: "dual-stack", policy: "fastest", summary: summarize(samples, 1) }]);
 * if (!text.includes("dual-stack")) throw new Error(text);
 * const svg = renderCdfSvg([{ title: "dual-stack", series: [{ name: "fastest", samples, failures: 1 }] }]);
 * if (!svg.startsWith("<?xml")) throw new Error(svg);
 * ```
 *
 * @module
 */

// ---------------------------------------------------------------------------
// Summaries
// ---------------------------------------------------------------------------

/**
 * The distribution of one policy's times to connect in one scenario.
 *
 * The statistics (`min` to `mean`) describe the successes only, in
 * milliseconds; `failureRate` says how many races they leave out.
 * Percentiles use the nearest-rank method: the p-th percentile of n sorted
 * successes is the one at rank ⌈p·n/100⌉ (1-based), always an observed
 * sample, never an interpolation.
 *
 * With no successes every statistic is `NaN`; with no races at all
 * `failureRate` is `NaN` too.
 *
 * @example
 * ```ts
 * import type { DistributionSummary } from "./_distribution_report.ts";
 *
 * const none: DistributionSummary = {
 *   count: 0, failures: 2, races: 2, failureRate: 1,
 *   min: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN,
 * };
 * if (!Number.isNaN(none.p50)) throw new Error();
 * ```
 */
export interface DistributionSummary {
  /** Races that connected: the number of samples. */
  readonly count: number;
  /** Races that did not connect. */
  readonly failures: number;
  /** All races: `count + failures`. */
  readonly races: number;
  /** `failures / races`, from 0 to 1; `NaN` when there were no races. */
  readonly failureRate: number;
  /** The fastest success, in ms. */
  readonly min: number;
  /** Median of the successes (nearest rank), in ms. */
  readonly p50: number;
  /** 90th percentile of the successes (nearest rank), in ms. */
  readonly p90: number;
  /** 99th percentile of the successes (nearest rank), in ms. */
  readonly p99: number;
  /** The slowest success, in ms. */
  readonly max: number;
  /** Arithmetic mean of the successes, in ms. */
  readonly mean: number;
}

/**
 * Summarizes one series: `samples` are the times to connect of the races
 * that connected (ms, finite, not negative, in any order), `failures` the
 * number of races that did not connect.
 *
 * Percentiles are nearest-rank (see {@linkcode DistributionSummary}). Empty
 * input does not throw: the statistics are `NaN` (and `failureRate` too when
 * `failures` is 0).
 *
 * @throws {RangeError} when a sample is negative or not finite, or when
 * `failures` is not a non-negative integer.
 *
 * @example Nearest rank on ten samples, one race in eleven failed
 * ```ts
 * import { summarize } from "./_distribution_report.ts";
 *
 * const s = summarize([10, 1, 9, 2, 8, 3, 7, 4, 6, 5], 1);
 * // p50: rank ⌈0.5 × 10⌉ = 5 → 5; p90: rank 9 → 9; p99: rank ⌈9.9⌉ = 10 → 10.
 * if (s.p50 !== 5 || s.p90 !== 9 || s.p99 !== 10 || s.mean !== 5.5) throw new Error();
 * if (s.races !== 11 || s.failureRate !== 1 / 11) throw new Error();
 * ```
 *
 * @example Empty input
 * ```ts
 * import { summarize } from "./_distribution_report.ts";
 *
 * const s = summarize([], 0);
 * if (s.count !== 0 || !Number.isNaN(s.p50) || !Number.isNaN(s.failureRate)) throw new Error();
 * ```
 */
export function summarize(samples: readonly number[], failures: number): DistributionSummary {
  const sorted = sortedSamples(samples, failures, "Cannot summarize samples");
  const count = sorted.length;
  const races = count + failures;
  let sum = 0;
  // Ascending order keeps the rounding error of the sum small and the
  // result independent of the order the samples came in.
  for (const v of sorted) sum += v;
  return {
    count,
    failures,
    races,
    failureRate: races === 0 ? NaN : failures / races,
    min: count === 0 ? NaN : sorted[0]!,
    p50: nearestRank(sorted, 50),
    p90: nearestRank(sorted, 90),
    p99: nearestRank(sorted, 99),
    max: count === 0 ? NaN : sorted[count - 1]!,
    mean: count === 0 ? NaN : sum / count,
  };
}

/** Checks the input of a series and returns its samples sorted ascending. */
function sortedSamples(samples: readonly number[], failures: number, action: string): Float64Array {
  if (!Number.isSafeInteger(failures) || failures < 0) {
    throw new RangeError(`${action}: failure count ${failures} is not a non-negative integer`);
  }
  const sorted = new Float64Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]!;
    // A negative or infinite time to connect means a broken benchmark;
    // drawing or averaging it would hide that.
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`${action}: sample ${i} is ${v}`);
    sorted[i] = v;
  }
  // A typed array sorts numerically (an Array would sort as strings).
  return sorted.sort();
}

/**
 * The nearest-rank percentile of ascending samples, `p` an integer from 1 to
 * 100. `p * n` is an exact integer, and dividing it by 100 is exact whenever
 * the quotient is an integer, so the ceiling is never pushed up by rounding.
 */
function nearestRank(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = Math.min(n, Math.max(1, Math.ceil((p * n) / 100)));
  return sorted[rank - 1]!;
}

// ---------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------

/**
 * One row of a percentile table: a policy in a scenario.
 *
 * @example
 * ```ts
 * import { summarize, type TableRow } from "./_distribution_report.ts";
 *
 * const row: TableRow = { scenario: "lossy Wi-Fi", policy: "race all", summary: summarize([30, 45], 0) };
 * if (row.summary.max !== 45) throw new Error();
 * ```
 */
export interface TableRow {
  /** The network scenario. */
  readonly scenario: string;
  /** The selection policy. */
  readonly policy: string;
  /** Its distribution, from {@linkcode summarize}. */
  readonly summary: DistributionSummary;
}

/**
 * Options of {@linkcode renderTable} and {@linkcode renderMarkdownTable}.
 *
 * @example
 * ```ts
 * import type { TableOptions } from "./_distribution_report.ts";
 *
 * const options: TableOptions = { decimals: 0 };
 * if (options.decimals !== 0) throw new Error();
 * ```
 */
export interface TableOptions {
  /** Digits after the decimal point of the times (ms) and of the failure percentage; default 1, at most 6. */
  readonly decimals?: number;
}

const COLUMNS = ["scenario", "policy", "n", "failed %", "p50 ms", "p90 ms", "p99 ms", "max ms"] as const;
/** Which columns hold numbers: those are right-aligned. */
const NUMERIC = [false, false, true, true, true, true, true, true] as const;

/**
 * A plain-text table for a terminal or a log, in a monospace font: columns
 * scenario, policy, n (races), failed %, p50, p90, p99 and max (ms), two
 * spaces apart, names left-aligned and numbers right-aligned, a dashed line
 * under the header. Rows keep their order. Statistics that are `NaN` (no
 * successes) show as `-`. Widths count code points, so names should not use
 * wide or combining characters. Every line ends with `\n`.
 *
 * @example
 * ```ts
 * import { renderTable, summarize } from "./_distribution_report.ts";
 *
 * const text = renderTable([
 *   { scenario: "dual-stack", policy: "fastest", summary: summarize([12, 15, 40], 1) },
 *   { scenario: "dual-stack", policy: "first PvD only", summary: summarize([], 4) },
 * ]);
 * const lines = text.split("\n");
 * if (lines[0] !== "scenario    policy          n  failed %  p50 ms  p90 ms  p99 ms  max ms") throw new Error(text);
 * if (lines[2] !== "dual-stack  fastest         4      25.0    15.0    40.0    40.0    40.0") throw new Error(text);
 * if (lines[3] !== "dual-stack  first PvD only  4     100.0       -       -       -       -") throw new Error(text);
 * ```
 */
export function renderTable(rows: readonly TableRow[], options: TableOptions = {}): string {
  const cells = rows.map((row) => rowCells(row, decimalsOf(options), (s) => s.replace(/[\r\n\t]/g, " ")));
  const widths = COLUMNS.map((header, c) => Math.max(width(header), ...cells.map((r) => width(r[c]!))));
  const line = (values: readonly string[]) =>
    values.map((v, c) => pad(v, widths[c]!, NUMERIC[c]!)).join("  ").trimEnd() + "\n";
  return line(COLUMNS) + line(widths.map((w) => "-".repeat(w))) + cells.map(line).join("");
}

/**
 * The same table in GitHub-flavoured Markdown, for a README: numeric
 * columns right-aligned (`-:`), cells padded so that `deno fmt` leaves the
 * table as it is, and Markdown characters of names (`|`, `*`, `_`, `<`, …)
 * escaped with a backslash. Every line ends with `\n`.
 *
 * @example
 * ```ts
 * import { renderMarkdownTable, summarize } from "./_distribution_report.ts";
 *
 * const md = renderMarkdownTable([{ scenario: "v6-only", policy: "a|b", summary: summarize([3], 0) }]);
 * const lines = md.split("\n");
 * if (lines[0] !== "| scenario | policy |  n | failed % | p50 ms | p90 ms | p99 ms | max ms |") throw new Error(md);
 * if (lines[1] !== "| -------- | ------ | -: | -------: | -----: | -----: | -----: | -----: |") throw new Error(md);
 * if (lines[2] !== "| v6-only  | a\\|b   |  1 |      0.0 |    3.0 |    3.0 |    3.0 |    3.0 |") throw new Error(md);
 * ```
 */
export function renderMarkdownTable(rows: readonly TableRow[], options: TableOptions = {}): string {
  const cells = rows.map((row) => rowCells(row, decimalsOf(options), escapeMarkdown));
  // As `deno fmt` writes it: a separator needs three dashes, or `-:`.
  const widths = COLUMNS.map((header, c) =>
    Math.max(NUMERIC[c] ? 2 : 3, width(header), ...cells.map((r) => width(r[c]!)))
  );
  const line = (values: readonly string[]) =>
    "| " + values.map((v, c) => pad(v, widths[c]!, NUMERIC[c]!)).join(" | ") + " |\n";
  const rule = widths.map((w, c) => NUMERIC[c] ? "-".repeat(w - 1) + ":" : "-".repeat(w));
  return line(COLUMNS) + line(rule) + cells.map(line).join("");
}

function decimalsOf(options: TableOptions): number {
  const decimals = options.decimals ?? 1;
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 6) {
    throw new RangeError(`Cannot render table: decimals ${decimals} is not an integer from 0 to 6`);
  }
  return decimals;
}

function rowCells(row: TableRow, decimals: number, text: (s: string) => string): string[] {
  const s = row.summary;
  const fixed = (v: number) => Number.isNaN(v) ? "-" : v.toFixed(decimals);
  return [
    text(row.scenario),
    text(row.policy),
    String(s.races),
    fixed(s.failureRate * 100),
    fixed(s.p50),
    fixed(s.p90),
    fixed(s.p99),
    fixed(s.max),
  ];
}

/** Display width, counted in code points (a surrogate pair is one). */
function width(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function pad(s: string, w: number, right: boolean): string {
  const fill = " ".repeat(w - width(s));
  return right ? fill + s : s + fill;
}

/**
 * Backslash-escapes what Markdown would read as markup or as the end of a
 * cell; a line break would end the table row, so it becomes a space.
 */
function escapeMarkdown(s: string): string {
  return s.replace(/[\r\n\t]/g, " ").replace(/[\\`*_[\]<>|~&]/g, (c) => "\\" + c);
}

// ---------------------------------------------------------------------------
// Chart
// ---------------------------------------------------------------------------

/**
 * One policy's races in one scenario, as drawn by {@linkcode renderCdfSvg}.
 *
 * @example
 * ```ts
 * import type { CdfSeries } from "./_distribution_report.ts";
 *
 * const series: CdfSeries = { name: "fastest", samples: [12, 15, 40], failures: 1 };
 * if (series.samples.length + series.failures !== 4) throw new Error();
 * ```
 */
export interface CdfSeries {
  /** The policy: lines of the same name share a colour in every panel. */
  readonly name: string;
  /** Times to connect of the races that connected, in ms (finite, not negative, any order). */
  readonly samples: readonly number[];
  /** Races that did not connect. */
  readonly failures: number;
}

/**
 * One scenario: a panel of the chart, with one line per policy.
 *
 * @example
 * ```ts
 * import type { CdfPanel } from "./_distribution_report.ts";
 *
 * const panel: CdfPanel = {
 *   title: "IPv6 broken",
 *   series: [{ name: "fastest", samples: [300, 310], failures: 0 }, { name: "v6 first", samples: [2000], failures: 1 }],
 * };
 * if (panel.series.length !== 2) throw new Error();
 * ```
 */
export interface CdfPanel {
  /** The scenario, shown above the panel. */
  readonly title: string;
  /** The policies measured in it. */
  readonly series: readonly CdfSeries[];
}

/**
 * Options of {@linkcode renderCdfSvg}. Sizes are in pixels (SVG user units).
 *
 * @example
 * ```ts
 * import type { CdfSvgOptions } from "./_distribution_report.ts";
 *
 * const options: CdfSvgOptions = { title: "Time to connect", width: 720, columns: 2, policies: ["fastest", "v6 first"] };
 * if (options.columns !== 2) throw new Error();
 * ```
 */
export interface CdfSvgOptions {
  /** A heading above the panels, also the SVG's `<title>`. */
  readonly title?: string;
  /** Width of the whole image; default 960. */
  readonly width?: number;
  /** Height of one panel; default 260. */
  readonly panelHeight?: number;
  /** Panels per row; default 3, or 2 for four panels, never more than there are panels. */
  readonly columns?: number;
  /**
   * Left end of the time axis in ms (positive). Default: 1 ms, or the decade
   * below the fastest positive sample when that is faster. Samples below it,
   * 0 included, are drawn at the left edge.
   */
  readonly minMs?: number;
  /**
   * Right end of the time axis in ms. Default: 10,000 ms, or the decade
   * above the slowest sample when that is slower. Samples above it are drawn
   * at the right edge.
   */
  readonly maxMs?: number;
  /**
   * Policy names in the order they take colours (and legend places), so
   * that separate charts agree; names not listed follow in order of first
   * appearance.
   */
  readonly policies?: readonly string[];
}

/**
 * The Okabe-Ito palette (Okabe and Ito, "Color Universal Design", 2008),
 * which stays distinguishable under the common colour-vision deficiencies.
 * Yellow comes last: it is the hardest to see on white. Policies beyond the
 * eighth reuse the colours with dashed lines.
 *
 * @example
 * ```ts
 * import { PALETTE } from "./_distribution_report.ts";
 *
 * if (PALETTE.length !== 8 || PALETTE[0] !== "#E69F00") throw new Error();
 * ```
 */
export const PALETTE: readonly string[] = Object.freeze([
  "#E69F00", // orange
  "#56B4E9", // sky blue
  "#009E73", // bluish green
  "#0072B2", // blue
  "#D55E00", // vermillion
  "#CC79A7", // reddish purple
  "#000000", // black
  "#F0E442", // yellow
]);

const DASHES = ["", "6 3", "2 2", "8 3 2 3"] as const;

// Layout, in pixels. The panel margins leave room for tick labels and the
// axis labels; the text width is estimated, since no fonts are measured.
const PAD = 16;
const TITLE_HEIGHT = 30;
const LEGEND_ROW = 20;
const LEGEND_SWATCH = 24;
const CHAR_WIDTH = 7;
const PANEL_LEFT = 56;
const PANEL_RIGHT = 24;
const PANEL_TOP = 28;
const PANEL_BOTTOM = 44;
const Y_TICKS = [0, 0.25, 0.5, 0.75, 1] as const;

/**
 * An SVG 1.1 chart of cumulative distributions: one panel per scenario, in
 * a grid, each with one step line per policy.
 *
 * - x: time to connect in ms on a log10 scale, ticks at every power of ten
 *   (by default 1, 10, 100, 1000 and 10000 ms, widened to whole decades
 *   when samples fall outside; see {@linkcode CdfSvgOptions}), minor grid
 *   lines at 2–9 times each. Every panel has the same axis, for comparison.
 * - y: the fraction of all races (successes and failures) connected by that
 *   time, 0 to 1. The line rises by 1/races at each success and ends at
 *   1 − failure rate at the right edge: the plateau shows the failures.
 *   A series without any race draws no line.
 *
 * A policy keeps its colour (then dash pattern) in every panel and in the
 * legend above the panels. Coordinates are rounded to 0.1 px, the lines
 * written as relative moves (`h`, `v`) only where they move after rounding:
 * equal samples make one step, and a line has at most one step per 0.1 px
 * of plot width or height, whatever its number of samples (about 12 kB for
 * 10,000 distinct samples in a 960 px chart).
 * Text is XML-escaped. The output is a standalone document (`<?xml` prolog,
 * `xmlns`), white background, and the same input gives the same bytes.
 *
 * @throws {RangeError} when a sample is negative or not finite, a failure
 * count is not a non-negative integer, or an option is out of range.
 *
 * @example Two scenarios, two policies
 * ```ts
 * import { renderCdfSvg } from "./_distribution_report.ts";
 *
 * const svg = renderCdfSvg([
 *   { title: "dual-stack", series: [
 *     { name: "fastest", samples: [12, 15, 40], failures: 0 },
 *     { name: "v6 first", samples: [20, 22], failures: 1 },
 *   ] },
 *   { title: "IPv6 broken", series: [
 *     { name: "fastest", samples: [300, 320, 350], failures: 0 },
 *     { name: "v6 first", samples: [2100], failures: 2 },
 *   ] },
 * ], { title: "Time to connect" });
 * if (!svg.includes('xmlns="http://www.w3.org/2000/svg"')) throw new Error();
 * if (svg.split('<path class="series"').length - 1 !== 4) throw new Error(svg);
 * ```
 */
export function renderCdfSvg(panels: readonly CdfPanel[], options: CdfSvgOptions = {}): string {
  const action = "Cannot render CDF chart";
  // Validate and sort every series once, up front.
  const sorted = panels.map((panel) =>
    panel.series.map((s) => sortedSamples(s.samples, s.failures, `${action}: series "${s.name}" of "${panel.title}"`))
  );

  const totalWidth = positive(options.width ?? 960, "width", action);
  const panelHeight = positive(options.panelHeight ?? 260, "panel height", action);
  const defaultColumns = panels.length === 4 ? 2 : 3;
  const columnsOption = options.columns ?? defaultColumns;
  if (!Number.isInteger(columnsOption) || columnsOption < 1) {
    throw new RangeError(`${action}: columns ${columnsOption} is not a positive integer`);
  }
  const columns = Math.max(1, Math.min(columnsOption, panels.length));
  const [lo, hi] = timeRange(sorted, options, action);
  const styles = policyStyles(panels, options.policies ?? []);

  const out: string[] = [];
  const title = options.title;
  let top = PAD;
  const legend = legendRows(styles, totalWidth - 2 * PAD);
  const headerHeight = (title === undefined ? 0 : TITLE_HEIGHT) + legend.length * LEGEND_ROW;
  const gridRows = Math.ceil(panels.length / columns);
  const totalHeight = PAD + headerHeight + (headerHeight > 0 ? 8 : 0) + Math.max(1, gridRows) * panelHeight + PAD;

  out.push(
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${num(totalWidth)}" height="${num(totalHeight)}"`,
    ` viewBox="0 0 ${num(totalWidth)} ${num(totalHeight)}" font-family="sans-serif" font-size="12" fill="#222">\n`,
    `<title>${escapeXml(title ?? "Time to connect")}</title>\n`,
    "<desc>Cumulative distribution of the time to connect, one panel per scenario, one line per policy;",
    " x: time to connect in ms on a log10 scale; y: fraction of races connected.</desc>\n",
    '<rect width="100%" height="100%" fill="#fff"/>\n',
  );
  if (title !== undefined) {
    out.push(
      `<text x="${num(PAD)}" y="${num(top + 20)}" font-size="16" font-weight="bold">${escapeXml(title)}</text>\n`,
    );
    top += TITLE_HEIGHT;
  }
  for (const row of legend) {
    const y = top + LEGEND_ROW / 2;
    for (const { x, style } of row) {
      const swatch = `M${num(PAD + x)} ${num(y)}h${LEGEND_SWATCH}`;
      out.push(
        `<path stroke="${style.color}" stroke-width="2"${dashAttribute(style)} d="${swatch}"/>`,
        `<text x="${num(PAD + x + LEGEND_SWATCH + 6)}" y="${num(y + 4)}">${escapeXml(style.name)}</text>\n`,
      );
    }
    top += LEGEND_ROW;
  }
  if (headerHeight > 0) top += 8;

  if (panels.length === 0) {
    out.push(
      `<text x="${num(totalWidth / 2)}" y="${num(top + panelHeight / 2)}" text-anchor="middle">no data</text>\n`,
    );
  }
  const panelWidth = (totalWidth - 2 * PAD) / columns;
  panels.forEach((panel, p) => {
    const x = PAD + (p % columns) * panelWidth;
    const y = top + Math.floor(p / columns) * panelHeight;
    renderPanel(out, panel, sorted[p]!, styles, { x, y, width: panelWidth, height: panelHeight, lo, hi });
  });
  out.push("</svg>\n");
  return out.join("");
}

interface Frame {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** log10 of the axis ends, in ms. */
  readonly lo: number;
  readonly hi: number;
}

interface SeriesStyle {
  readonly name: string;
  readonly color: string;
  readonly dash: string;
}

function renderPanel(
  out: string[],
  panel: CdfPanel,
  sorted: readonly Float64Array[],
  styles: ReadonlyMap<string, SeriesStyle>,
  frame: Frame,
): void {
  // The plot area, in the panel group's coordinates.
  const left = PANEL_LEFT;
  const right = Math.max(left + 10, frame.width - PANEL_RIGHT);
  const plotTop = PANEL_TOP;
  const bottom = Math.max(plotTop + 10, frame.height - PANEL_BOTTOM);
  const xOf = (ms: number) => {
    const t = ms > 0 ? (Math.log10(ms) - frame.lo) / (frame.hi - frame.lo) : 0;
    return left + Math.min(1, Math.max(0, t)) * (right - left);
  };
  const yOf = (fraction: number) => bottom - fraction * (bottom - plotTop);

  out.push(`<g transform="translate(${num(frame.x)} ${num(frame.y)})">\n`);
  out.push(
    `<text x="${num((left + right) / 2)}" y="${num(plotTop - 10)}" text-anchor="middle" font-weight="bold">`,
    `${escapeXml(panel.title)}</text>\n`,
  );

  // Grid: minor lines at 2–9 × 10^k, major lines at decades and y ticks.
  const minor: string[] = [];
  const major: string[] = [];
  const labels: string[] = [];
  // Label every decade, or every second or third when the labels would
  // touch (a wide axis in a narrow panel), keeping 1 ms labelled.
  const decadeWidth = (right - left) / (frame.hi - frame.lo);
  const labelWidth = Math.max(width(decadeLabel(Math.floor(frame.lo))), width(decadeLabel(Math.ceil(frame.hi))));
  const every = Math.max(1, Math.ceil((labelWidth * CHAR_WIDTH + 8) / decadeWidth));
  for (let k = Math.floor(frame.lo); k <= Math.ceil(frame.hi); k++) {
    for (let m = 1; m <= 9; m++) {
      const log = k + Math.log10(m);
      if (log < frame.lo - 1e-9 || log > frame.hi + 1e-9) continue;
      const x = num(xOf(m * 10 ** k));
      (m === 1 ? major : minor).push(`M${x} ${num(plotTop)}V${num(bottom)}`);
      if (m === 1 && k % every === 0) {
        labels.push(`<text x="${x}" y="${num(bottom + 15)}" text-anchor="middle">${decadeLabel(k)}</text>`);
      }
    }
  }
  for (const f of Y_TICKS) {
    major.push(`M${num(left)} ${num(yOf(f))}H${num(right)}`);
    labels.push(`<text x="${num(left - 6)}" y="${num(yOf(f) + 4)}" text-anchor="end">${f}</text>`);
  }
  out.push(
    `<path class="grid" stroke="#eee" d="${minor.join("")}"/>\n`,
    `<path class="grid" stroke="#ccc" d="${major.join("")}"/>\n`,
    `<path class="axis" stroke="#666" fill="none" d="M${num(left)} ${num(plotTop)}V${num(bottom)}H${num(right)}"/>\n`,
    labels.join("\n"),
    "\n",
    `<text x="${num((left + right) / 2)}" y="${num(bottom + 34)}" text-anchor="middle">`,
    "time to connect (ms, log scale)</text>\n",
    `<text transform="translate(${num(left - 40)} ${num((plotTop + bottom) / 2)}) rotate(-90)" text-anchor="middle">`,
    "fraction connected</text>\n",
  );

  out.push('<g fill="none" stroke-width="1.5" stroke-linejoin="round">\n');
  panel.series.forEach((series, i) => {
    const samples = sorted[i]!;
    const races = samples.length + series.failures;
    if (races === 0) return;
    const style = styles.get(series.name)!;
    const d = stepPath(samples, races, xOf, yOf, left, right);
    out.push(
      `<path class="series" stroke="${style.color}"${dashAttribute(style)} d="${d}">`,
      `<title>${escapeXml(series.name)}</title></path>\n`,
    );
  });
  out.push("</g>\n</g>\n");
}

/**
 * The CDF as a path of horizontal and vertical moves: from (left edge, 0),
 * up by 1/races at each success, across to the right edge at the fraction
 * connected. Only moves visible after rounding to 0.1 px are written: equal
 * samples, and samples that round to the same pixel column, make one step;
 * a rise smaller than 0.1 px waits until the rises add up to one.
 */
function stepPath(
  sorted: Float64Array,
  races: number,
  xOf: (ms: number) => number,
  yOf: (fraction: number) => number,
  left: number,
  right: number,
): string {
  // Positions are kept in whole tenths of a pixel, so the relative moves add
  // up exactly to the rounded absolute positions: no drift along the path.
  let x = tenths(left);
  let y = tenths(yOf(0));
  const parts = [`M${x / 10} ${y / 10}`];
  // The rise at column x is written only once the line moves right, so that
  // samples in one column make one `v`, whatever their number.
  let top = y;
  const rise = () => {
    if (top !== y) parts.push(`v${relative(top - y)}`);
    y = top;
  };
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i]!;
    // Skip to the last of the equal samples: they make one step.
    while (i + 1 < sorted.length && sorted[i + 1] === v) i++;
    const ny = tenths(yOf((i + 1) / races));
    if (ny === top) continue;
    const nx = tenths(xOf(v));
    if (nx !== x) {
      rise();
      parts.push(`h${relative(nx - x)}`);
      x = nx;
    }
    top = ny;
  }
  rise();
  const end = tenths(right);
  if (end !== x) parts.push(`h${relative(end - x)}`);
  return parts.join("");
}

function tenths(v: number): number {
  return Math.round(v * 10);
}

/** A move of `t` tenths, without the leading zero SVG does not need (`.4`, `-.2`, `12.5`). */
function relative(t: number): string {
  return String(t / 10).replace(/^(-?)0\./, "$1.");
}

/** The axis ends as log10(ms): the options, or 1 to 10,000 ms widened to whole decades around the samples. */
function timeRange(
  sorted: readonly (readonly Float64Array[])[],
  options: CdfSvgOptions,
  action: string,
): [number, number] {
  let fastest = Infinity;
  let slowest = 0;
  for (const panel of sorted) {
    for (const s of panel) {
      // Ascending: the first positive sample is the fastest one a log axis can place.
      const firstPositive = s.find((v) => v > 0);
      if (firstPositive !== undefined) fastest = Math.min(fastest, firstPositive);
      if (s.length > 0) slowest = Math.max(slowest, s[s.length - 1]!);
    }
  }
  const lo = options.minMs === undefined
    ? Math.min(0, decadeFloor(fastest))
    : Math.log10(positive(options.minMs, "minMs", action));
  const hi = options.maxMs === undefined
    ? Math.max(4, slowest > 0 ? decadeCeil(slowest) : 4, Math.floor(lo) + 1)
    : Math.log10(positive(options.maxMs, "maxMs", action));
  if (!(hi > lo)) throw new RangeError(`${action}: maxMs ${10 ** hi} is not above minMs ${10 ** lo}`);
  return [lo, hi];
}

/** The largest k with 10^k ≤ v (v positive); 0 for Infinity, so an empty chart keeps the default axis. */
function decadeFloor(v: number): number {
  if (!Number.isFinite(v)) return 0;
  let k = Math.floor(Math.log10(v));
  // Math.log10 may land a hair off an exact power of ten.
  if (10 ** (k + 1) <= v) k++;
  if (10 ** k > v) k--;
  return k;
}

/** The smallest k with 10^k ≥ v (v positive). */
function decadeCeil(v: number): number {
  const k = decadeFloor(v);
  return 10 ** k === v ? k : k + 1;
}

function decadeLabel(k: number): string {
  // 10 ** -1 prints as 0.1, 10 ** 4 as 10000: both as wanted.
  return String(10 ** k);
}

/** Colours in order of `policies`, then of first appearance in the panels. */
function policyStyles(panels: readonly CdfPanel[], policies: readonly string[]): Map<string, SeriesStyle> {
  const styles = new Map<string, SeriesStyle>();
  const add = (name: string) => {
    if (styles.has(name)) return;
    const i = styles.size;
    styles.set(name, {
      name,
      color: PALETTE[i % PALETTE.length]!,
      dash: DASHES[Math.floor(i / PALETTE.length) % DASHES.length]!,
    });
  };
  for (const name of policies) add(name);
  for (const panel of panels) for (const s of panel.series) add(s.name);
  return styles;
}

function dashAttribute(style: SeriesStyle): string {
  return style.dash === "" ? "" : ` stroke-dasharray="${style.dash}"`;
}

/** Lays the legend out in rows no wider than `width`, by estimated text width. */
function legendRows(
  styles: ReadonlyMap<string, SeriesStyle>,
  maxWidth: number,
): { x: number; style: SeriesStyle }[][] {
  const rows: { x: number; style: SeriesStyle }[][] = [];
  let row: { x: number; style: SeriesStyle }[] = [];
  let x = 0;
  for (const style of styles.values()) {
    const itemWidth = LEGEND_SWATCH + 6 + width(style.name) * CHAR_WIDTH + 20;
    if (row.length > 0 && x + itemWidth > maxWidth) {
      rows.push(row);
      row = [];
      x = 0;
    }
    row.push({ x, style });
    x += itemWidth;
  }
  if (row.length > 0) rows.push(row);
  return rows;
}

function positive(v: number, name: string, action: string): number {
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`${action}: ${name} ${v} is not a positive number`);
  return v;
}

/** A coordinate rounded to 0.1, printed as briefly as it goes (`12.3`, `40`, never `-0`). */
function num(v: number): string {
  const r = Math.round(v * 10) / 10;
  return String(r === 0 ? 0 : r);
}

/**
 * Escapes text for XML content and attribute values, and replaces what
 * XML 1.0 does not allow at all (most control characters, lone surrogates,
 * U+FFFE and U+FFFF) with U+FFFD.
 */
function escapeXml(s: string): string {
  return s.replace(NOT_XML, "\uFFFD").replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

// The control characters are the point of this pattern: XML 1.0 allows only
// tab, line feed and carriage return below U+0020.
const NOT_XML =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
