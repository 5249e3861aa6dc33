// Tests of bench/_distribution_report.ts: nearest-rank summaries, the two
// tables, and the CDF chart (checked for well-formedness with a small XML
// parser below, since Deno has no DOMParser).

import { assert, assertEquals, assertThrows } from "./_assert.ts";
import {
  type CdfPanel,
  PALETTE,
  renderCdfSvg,
  renderMarkdownTable,
  renderTable,
  summarize,
  type TableRow,
} from "../bench/_distribution_report.ts";

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/** A seeded generator (mulberry32), so that the large inputs are the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(values: readonly T[], seed: number): T[] {
  const next = random(seed);
  const out = [...values];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const ENTITY = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/;

interface XmlElement {
  readonly name: string;
  readonly attributes: ReadonlyMap<string, string>;
  readonly depth: number;
}

/**
 * Checks that `xml` is a well-formed document as this module writes them
 * (prolog, one root, elements, double-quoted attributes, text, no CDATA or
 * doctype) and returns its elements in document order. Throws on unbalanced
 * or crossed tags, a raw `<` or a bare `&`, duplicate attributes, text
 * outside the root.
 */
function parseXml(xml: string): XmlElement[] {
  const elements: XmlElement[] = [];
  const stack: string[] = [];
  let roots = 0;
  let i = 0;
  if (xml.startsWith("<?xml")) {
    i = xml.indexOf("?>") + 2;
    assert(i > 1, "unterminated prolog");
  }
  const checkText = (text: string) => {
    if (stack.length === 0) assert(text.trim() === "", `text outside the root: ${JSON.stringify(text)}`);
    assert(!ENTITY.test(text), `bare & in text: ${JSON.stringify(text)}`);
    assert(!text.includes(">"), `unescaped > in text: ${JSON.stringify(text)}`);
  };
  while (i < xml.length) {
    const lt = xml.indexOf("<", i);
    checkText(lt === -1 ? xml.slice(i) : xml.slice(i, lt));
    if (lt === -1) break;
    if (xml.startsWith("<!--", lt)) {
      const end = xml.indexOf("-->", lt);
      assert(end !== -1, "unterminated comment");
      i = end + 3;
      continue;
    }
    // The tag ends at the first `>` outside quotes.
    let j = lt + 1;
    let quoted = false;
    for (; j < xml.length; j++) {
      const c = xml[j];
      if (c === '"') quoted = !quoted;
      else if (c === "<") throw new Error(`raw < inside tag at ${j}`);
      else if (c === ">" && !quoted) break;
    }
    assert(j < xml.length, `unterminated tag at ${lt}`);
    const tag = xml.slice(lt, j + 1);
    i = j + 1;
    const closing = /^<\/([A-Za-z_][\w.:-]*)\s*>$/.exec(tag);
    if (closing) {
      const open = stack.pop();
      assert(open === closing[1], `</${closing[1]}> closes <${open}>`);
      continue;
    }
    const opening = /^<([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*="[^"]*")*)\s*(\/?)>$/.exec(tag);
    assert(opening, `malformed tag ${tag}`);
    const attributes = new Map<string, string>();
    for (const [, name, value] of opening[2]!.matchAll(/([A-Za-z_][\w.:-]*)="([^"]*)"/g)) {
      assert(!attributes.has(name!), `duplicate attribute ${name} in ${tag}`);
      assert(!ENTITY.test(value!), `bare & in attribute ${name}`);
      attributes.set(name!, value!);
    }
    if (stack.length === 0) roots++;
    elements.push({ name: opening[1]!, attributes, depth: stack.length });
    if (opening[3] !== "/") stack.push(opening[1]!);
  }
  assertEquals(stack, [], "unclosed elements");
  assertEquals(roots, 1, "root elements");
  return elements;
}

interface SeriesPath {
  readonly name: string;
  readonly stroke: string;
  readonly dash: string | undefined;
  readonly d: string;
}

/** The series lines of each panel, in order. */
function seriesByPanel(svg: string): SeriesPath[][] {
  return svg.split('<g transform="translate(').slice(1).map((panel) =>
    [
      ...panel.matchAll(
        /<path class="series" stroke="([^"]+)"(?: stroke-dasharray="([^"]+)")? d="([^"]+)"><title>([^<]*)<\/title><\/path>/g,
      ),
    ].map((m) => ({ stroke: m[1]!, dash: m[2], d: m[3]!, name: m[4]! }))
  );
}

interface Step {
  readonly command: string;
  readonly x: number;
  readonly y: number;
}

/** Follows a path of one `M` then relative `h`/`v` moves, returning the point after each command. */
function walk(d: string): Step[] {
  const tokens = d.match(/[Mhv]|-?(?:\d+(?:\.\d+)?|\.\d+)/g) ?? [];
  assertEquals(tokens.join("").replace(/ /g, ""), d.replace(/ /g, ""), "path holds only M, h, v and numbers");
  assertEquals(tokens[0], "M");
  let x = Number(tokens[1]);
  let y = Number(tokens[2]);
  const steps: Step[] = [{ command: "M", x, y }];
  for (let i = 3; i < tokens.length; i += 2) {
    const command = tokens[i]!;
    const delta = Number(tokens[i + 1]);
    assert(Number.isFinite(delta), `number after ${command}`);
    if (command === "h") x = Math.round((x + delta) * 10) / 10;
    else if (command === "v") y = Math.round((y + delta) * 10) / 10;
    else throw new Error(`unexpected command ${command}`);
    steps.push({ command, x, y });
  }
  return steps;
}

function last<T>(values: readonly T[]): T {
  assert(values.length > 0);
  return values[values.length - 1]!;
}

// ---------------------------------------------------------------------------
// summarize
// ---------------------------------------------------------------------------

Deno.test("summarize: nearest rank on five samples", () => {
  // p50: rank ⌈2.5⌉ = 3; p90: rank ⌈4.5⌉ = 5; p99: rank ⌈4.95⌉ = 5.
  const s = summarize([50, 15, 40, 20, 35], 0);
  assertEquals(s, {
    count: 5,
    failures: 0,
    races: 5,
    failureRate: 0,
    min: 15,
    p50: 35,
    p90: 50,
    p99: 50,
    max: 50,
    mean: 32,
  });
});

Deno.test("summarize: nearest rank on 1..100 and 1..1000 in random order", () => {
  const hundred = shuffled(Array.from({ length: 100 }, (_, i) => i + 1), 1);
  const s = summarize(hundred, 0);
  assertEquals([s.min, s.p50, s.p90, s.p99, s.max, s.mean], [1, 50, 90, 99, 100, 50.5]);
  const thousand = shuffled(Array.from({ length: 1000 }, (_, i) => i + 1), 2);
  const t = summarize(thousand, 0);
  assertEquals([t.p50, t.p90, t.p99], [500, 900, 990]);
  // Nearest rank always returns an observed sample: no interpolation.
  const u = summarize([1, 2, 3, 4], 0);
  assertEquals([u.p50, u.p90, u.p99], [2, 4, 4]);
});

Deno.test("summarize: one sample, duplicates, zero, and the input is left as it was", () => {
  assertEquals(Object.values(summarize([7.5], 0)), [1, 0, 1, 0, 7.5, 7.5, 7.5, 7.5, 7.5, 7.5]);
  const input = [3, 0, 3, 3, 1];
  const s = summarize(input, 0);
  assertEquals([s.min, s.p50, s.p90, s.max], [0, 3, 3, 3]);
  assertEquals(input, [3, 0, 3, 3, 1]);
});

Deno.test("summarize: failures count in the rate, not in the percentiles", () => {
  const s = summarize([10, 20, 30], 1);
  assertEquals([s.count, s.failures, s.races, s.failureRate], [3, 1, 4, 0.25]);
  assertEquals([s.p50, s.p99, s.mean], [20, 30, 20]);
  const all = summarize([], 5);
  assertEquals([all.count, all.races, all.failureRate], [0, 5, 1]);
});

Deno.test("summarize: empty input gives NaN statistics, not an error", () => {
  const s = summarize([], 0);
  assertEquals([s.count, s.failures, s.races], [0, 0, 0]);
  for (const v of [s.failureRate, s.min, s.p50, s.p90, s.p99, s.max, s.mean]) assert(Number.isNaN(v));
  const f = summarize([], 2);
  assertEquals(f.failureRate, 1);
  for (const v of [f.min, f.p50, f.p90, f.p99, f.max, f.mean]) assert(Number.isNaN(v));
});

Deno.test("summarize: rejects samples and failure counts that cannot be times or counts", () => {
  assertThrows(() => summarize([1, NaN], 0), RangeError, "Cannot summarize samples: sample 1 is NaN");
  assertThrows(() => summarize([-1], 0), RangeError, "sample 0 is -1");
  assertThrows(() => summarize([Infinity], 0), RangeError, "sample 0 is Infinity");
  assertThrows(() => summarize([1], -1), RangeError, "failure count -1 is not a non-negative integer");
  assertThrows(() => summarize([1], 0.5), RangeError, "failure count 0.5");
});

// ---------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------

const ROWS: TableRow[] = [
  { scenario: "dual-stack", policy: "happy eyeballs", summary: summarize([12.25, 15, 40, 1234.5], 0) },
  { scenario: "dual-stack", policy: "v6 first", summary: summarize([20, 22], 1) },
  { scenario: "IPv6 broken (RA only)", policy: "x", summary: summarize([], 12) },
  { scenario: "µ", policy: "a|b*c_", summary: summarize([3], 0) },
];

Deno.test("renderTable: header, rule, and aligned columns", () => {
  const text = renderTable(ROWS);
  assert(text.endsWith("\n"));
  const lines = text.slice(0, -1).split("\n");
  assertEquals(lines.length, 2 + ROWS.length);
  assertEquals(lines[0], "scenario               policy           n  failed %  p50 ms  p90 ms  p99 ms  max ms");
  assertEquals(lines[2], "dual-stack             happy eyeballs   4       0.0    15.0  1234.5  1234.5  1234.5");
  assertEquals(lines[3], "dual-stack             v6 first         3      33.3    20.0    22.0    22.0    22.0");
  assertEquals(lines[4], "IPv6 broken (RA only)  x               12     100.0       -       -       -       -");
  assertEquals(lines[5], "µ                      a|b*c_           1       0.0     3.0     3.0     3.0     3.0");
  // The rule gives the columns: text columns start at the rule's start,
  // numeric columns end at its end, and the gaps stay blank.
  const spans = [...lines[1]!.matchAll(/-+/g)].map((m) => [m.index!, m.index! + m[0].length] as const);
  assertEquals(spans.length, 8);
  for (const line of lines) {
    const chars = [...line];
    assertEquals(chars.length, lines[1]!.length, `width of ${line}`);
    spans.forEach(([start, end], c) => {
      if (c < 2) assert(chars[start] !== " ", `column ${c} starts at ${start}: ${line}`);
      else assert(chars[end - 1] !== " ", `column ${c} ends at ${end}: ${line}`);
      if (c > 0) assertEquals(chars.slice(spans[c - 1]![1], start).join(""), "  ");
    });
  }
});

Deno.test("renderTable: decimals, line breaks in names, and an empty table", () => {
  const text = renderTable([{ scenario: "a\nb", policy: "p", summary: summarize([1.26], 0) }], { decimals: 0 });
  assertEquals(text.split("\n")[2], "a b       p       1         0       1       1       1       1");
  assertEquals(renderTable([]).split("\n").length, 3);
  assertThrows(() => renderTable(ROWS, { decimals: -1 }), RangeError, "decimals -1");
  assertThrows(() => renderMarkdownTable(ROWS, { decimals: 1.5 }), RangeError, "decimals 1.5");
});

Deno.test("renderMarkdownTable: a GitHub table with right-aligned numbers and escaped names", () => {
  const md = renderMarkdownTable(ROWS);
  assert(md.endsWith("\n"));
  const lines = md.slice(0, -1).split("\n");
  assertEquals(lines.length, 2 + ROWS.length);
  for (const line of lines) {
    assert(line.startsWith("| ") && line.endsWith(" |"), line);
    // Eight cells: nine pipes that are not escaped.
    assertEquals(line.replace(/\\\|/g, "").split("|").length - 1, 9, line);
    assertEquals([...line].length, [...lines[0]!].length, `padded like deno fmt: ${line}`);
  }
  assertEquals(
    lines[1],
    "| --------------------- | -------------- | -: | -------: | -----: | -----: | -----: | -----: |",
  );
  assertEquals(
    lines[0],
    "| scenario              | policy         |  n | failed % | p50 ms | p90 ms | p99 ms | max ms |",
  );
  assertEquals(
    lines[5],
    "| µ                     | a\\|b\\*c\\_      |  1 |      0.0 |    3.0 |    3.0 |    3.0 |    3.0 |",
  );
  assert(lines[4]!.includes("|    100.0 |      - |"), lines[4]);
  const odd = renderMarkdownTable([{ scenario: "<b>&`x`", policy: "[l](u)\nz", summary: summarize([], 0) }]);
  assert(odd.includes("| \\<b\\>\\&\\`x\\` | \\[l\\](u) z |  0 |        - |"), odd);
});

// ---------------------------------------------------------------------------
// Chart
// ---------------------------------------------------------------------------

const PANELS: CdfPanel[] = [
  {
    title: "dual-stack",
    series: [
      { name: "fastest", samples: [12, 15, 15, 40, 250], failures: 0 },
      { name: `a<b&"c"`, samples: [20, 22, 1500], failures: 1 },
    ],
  },
  {
    title: "IPv6 <broken> & 'slow'",
    series: [
      { name: `a<b&"c"`, samples: [2100], failures: 3 },
      { name: "fastest", samples: [300, 320, 350], failures: 0 },
      { name: "third", samples: [5, 9000], failures: 0 },
    ],
  },
  { title: "empty", series: [] },
];

Deno.test("renderCdfSvg: a well-formed standalone SVG 1.1 document", () => {
  const svg = renderCdfSvg(PANELS, { title: "Time to connect" });
  assert(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg '), svg.slice(0, 80));
  const elements = parseXml(svg);
  const root = elements[0]!;
  assertEquals(root.name, "svg");
  assertEquals(root.attributes.get("xmlns"), "http://www.w3.org/2000/svg");
  assertEquals(root.attributes.get("version"), "1.1");
  assertEquals(root.attributes.get("viewBox"), `0 0 ${root.attributes.get("width")} ${root.attributes.get("height")}`);
  const allowed = new Set(["svg", "title", "desc", "rect", "text", "path", "g"]);
  for (const e of elements) assert(allowed.has(e.name), `element ${e.name}`);
  // Every coordinate is rounded to 0.1: no attribute has a number with two decimals.
  for (const e of elements) {
    for (const [name, value] of e.attributes) assert(!/\d\.\d\d/.test(value), `${e.name} ${name}="${value}"`);
  }
  // Three panel groups; panels titled, axes labelled, legend names shown.
  assertEquals(elements.filter((e) => e.name === "g" && e.attributes.has("transform")).length, 3);
  for (const label of [">dual-stack<", ">empty<", ">time to connect (ms, log scale)<", ">fraction connected<"]) {
    assert(svg.includes(label), label);
  }
  assertEquals(svg.split(">fastest</text>").length - 1, 1, "one legend entry per policy");
});

Deno.test("renderCdfSvg: one path per series per panel, named by its policy", () => {
  const svg = renderCdfSvg(PANELS);
  const panels = seriesByPanel(svg);
  assertEquals(panels.map((p) => p.map((s) => s.name)), [
    ["fastest", "a&lt;b&amp;&quot;c&quot;"],
    ["a&lt;b&amp;&quot;c&quot;", "fastest", "third"],
    [],
  ]);
  assertEquals(svg.split('<path class="series"').length - 1, 5);
  // A series without any race has nothing to draw.
  const none = renderCdfSvg([{ title: "t", series: [{ name: "n", samples: [], failures: 0 }] }]);
  assertEquals(seriesByPanel(none), [[]]);
  assert(none.includes(">n</text>"), "still in the legend");
});

Deno.test("renderCdfSvg: names and titles are escaped everywhere", () => {
  const svg = renderCdfSvg(PANELS, { title: `R&D <"charts"> 'q'` });
  parseXml(svg);
  assert(!svg.includes(`a<b&"c"`));
  assert(svg.includes(">a&lt;b&amp;&quot;c&quot;</text>"), "legend");
  assert(svg.includes("<title>a&lt;b&amp;&quot;c&quot;</title>"), "path title");
  assert(svg.includes(">IPv6 &lt;broken&gt; &amp; &#39;slow&#39;</text>"), "panel title");
  assert(svg.includes("<title>R&amp;D &lt;&quot;charts&quot;&gt; &#39;q&#39;</title>"), "document title");
  // Characters XML 1.0 forbids (controls, lone surrogates) become U+FFFD.
  const odd = renderCdfSvg([{ title: "a\u0001b\uD800", series: [{ name: "\u001Fx", samples: [1], failures: 0 }] }]);
  parseXml(odd);
  assert(odd.includes(">a\uFFFDb\uFFFD</text>") && odd.includes(">\uFFFDx</text>"), "replaced");
});

Deno.test("renderCdfSvg: deterministic, whatever the order of the samples", () => {
  const a = renderCdfSvg(PANELS, { title: "t" });
  const b = renderCdfSvg(structuredClone(PANELS), { title: "t" });
  assertEquals(a, b);
  const reordered = PANELS.map((p, i) => ({
    title: p.title,
    series: p.series.map((s, j) => ({ ...s, samples: shuffled(s.samples, 10 * i + j) })),
  }));
  assertEquals(renderCdfSvg(reordered, { title: "t" }), a);
});

Deno.test("renderCdfSvg: a line ends at 1 - failure rate, and rises by 1/races per success", () => {
  const svg = renderCdfSvg([{
    title: "p",
    series: [
      { name: "all", samples: [5, 10, 20], failures: 0 },
      { name: "quarter failed", samples: [20, 5, 10], failures: 1 },
      { name: "none connected", samples: [], failures: 2 },
    ],
  }]);
  const [[all, quarter, none]] = seriesByPanel(svg) as [[SeriesPath, SeriesPath, SeriesPath]];
  const a = walk(all.d);
  const q = walk(quarter.d);
  const n = walk(none.d);
  // Every line starts at fraction 0 at the left edge: that gives the scale.
  const y0 = a[0]!.y;
  const y1 = last(a).y; // no failures: fraction 1
  assert(y1 < y0);
  assertEquals([q[0]!.x, q[0]!.y, n[0]!.x, n[0]!.y], [a[0]!.x, y0, a[0]!.x, y0]);
  const fraction = (y: number) => (y0 - y) / (y0 - y1);
  assert(Math.abs(fraction(last(q).y) - 0.75) <= 0.1 / (y0 - y1), `plateau ${fraction(last(q).y)}`);
  assertEquals(fraction(last(n).y), 0);
  // All three end at the right edge, after a last horizontal move.
  assertEquals(last(q).x, last(a).x);
  assertEquals(last(n).x, last(a).x);
  assertEquals(last(q).command, "h");
  // Steps at the same three times, each a rise of 1/3 (all) or 1/4 (quarter failed).
  const rises = (steps: Step[]) => steps.filter((s) => s.command === "v");
  assertEquals(rises(a).map((s) => s.x), rises(q).map((s) => s.x));
  rises(a).forEach((s, i) => assert(Math.abs(fraction(s.y) - (i + 1) / 3) < 0.002, `all ${i}`));
  rises(q).forEach((s, i) => assert(Math.abs(fraction(s.y) - (i + 1) / 4) < 0.002, `quarter ${i}`));
  // On a log axis, 5 → 10 and 10 → 20 ms are the same distance.
  const [s5, s10, s20] = rises(a);
  assert(Math.abs(s10!.x - s5!.x - (s20!.x - s10!.x)) <= 0.1, "log scale");
});

Deno.test("renderCdfSvg: equal samples make one step, and lines only go right and up", () => {
  const svg = renderCdfSvg([{ title: "p", series: [{ name: "s", samples: [100, 10, 10, 100, 10], failures: 0 }] }]);
  const steps = walk(seriesByPanel(svg)[0]![0]!.d);
  assertEquals(steps.map((s) => s.command).join(""), "Mhvhvh");
  const rng = random(7);
  const many = Array.from({ length: 2_000 }, () => 10 ** (rng() * 4));
  const path = walk(
    renderCdfSvg([{ title: "p", series: [{ name: "s", samples: many, failures: 3 }] }]).match(
      /class="series"[^>]* d="([^"]+)"/,
    )![1]!,
  );
  for (let i = 1; i < path.length; i++) {
    assert(path[i]!.x >= path[i - 1]!.x && path[i]!.y <= path[i - 1]!.y, `monotone at ${i}`);
    assert(path[i]!.command !== path[i - 1]!.command, "moves alternate: no two h or v in a row");
  }
});

Deno.test("renderCdfSvg: 10,000 samples make a compact path", () => {
  const rng = random(11);
  // Distinct, spread over 1 ms to 10 s.
  const spread = Array.from({ length: 10_000 }, () => 10 ** (rng() * 4));
  // Many duplicates: whole milliseconds from 1 to 50.
  const coarse = Array.from({ length: 10_000 }, () => 1 + Math.floor(rng() * 50));
  const svg = renderCdfSvg([{
    title: "p",
    series: [{ name: "spread", samples: spread, failures: 100 }, { name: "coarse", samples: coarse, failures: 0 }],
  }], { width: 400, columns: 1 });
  const [[s, c]] = seriesByPanel(svg) as [[SeriesPath, SeriesPath]];
  // At most one horizontal move per 0.1 px of a plot narrower than 400 px.
  assert(walk(s.d).length < 2 * 4_000, `${walk(s.d).length} moves`);
  assert(s.d.length < 20_000, `${s.d.length} bytes`);
  assert(walk(c.d).filter((x) => x.command === "v").length <= 50, "one rise per distinct value");
  assert(c.d.length < 800, `${c.d.length} bytes`);
});

Deno.test("renderCdfSvg: one colour per policy across panels, from the Okabe-Ito palette", () => {
  const svg = renderCdfSvg(PANELS);
  const strokes = new Map<string, Set<string>>();
  for (const s of seriesByPanel(svg).flat()) strokes.set(s.name, (strokes.get(s.name) ?? new Set()).add(s.stroke));
  for (const [name, set] of strokes) assertEquals(set.size, 1, name);
  const colours = [...strokes.values()].map((set) => [...set][0]!);
  assertEquals(new Set(colours).size, colours.length, "distinct policies, distinct colours");
  // First appearance order: fastest, a<b&"c", third.
  assertEquals(colours, [PALETTE[0]!, PALETTE[1]!, PALETTE[2]!]);
  // The policies option fixes the order, so that separate charts agree.
  const fixed = seriesByPanel(renderCdfSvg(PANELS, { policies: ["third", "absent", "fastest"] })).flat();
  assertEquals(fixed.find((s) => s.name === "third")!.stroke, PALETTE[0]);
  assertEquals(fixed.find((s) => s.name === "fastest")!.stroke, PALETTE[2]);
  assertEquals(fixed.find((s) => s.name.startsWith("a&lt;"))!.stroke, PALETTE[3]);
});

Deno.test("renderCdfSvg: beyond eight policies the colours come back dashed", () => {
  const series = Array.from({ length: 10 }, (_, i) => ({ name: `p${i}`, samples: [i + 1], failures: 0 }));
  const paths = seriesByPanel(renderCdfSvg([{ title: "many", series }]))[0]!;
  assertEquals(paths.map((p) => p.stroke), [...PALETTE, PALETTE[0]!, PALETTE[1]!]);
  assertEquals(paths.map((p) => p.dash !== undefined), [
    false,
    false,
    false,
    false,
    false,
    false,
    false,
    false,
    true,
    true,
  ]);
  const pairs = new Set(paths.map((p) => `${p.stroke} ${p.dash}`));
  assertEquals(pairs.size, 10);
});

Deno.test("renderCdfSvg: log10 axis from 1 to 10,000 ms, widened by whole decades", () => {
  const ticks = (svg: string) =>
    [...svg.matchAll(/<text x="[\d.]+" y="[\d.]+" text-anchor="middle">([\d.]+)<\/text>/g)].map((m) => m[1]);
  const basic = renderCdfSvg([{ title: "p", series: [{ name: "s", samples: [3, 40], failures: 0 }] }]);
  assertEquals(ticks(basic), ["1", "10", "100", "1000", "10000"]);
  for (const f of ["0", "0.25", "0.5", "0.75", "1"]) assert(basic.includes(`text-anchor="end">${f}</text>`), f);
  const wide = renderCdfSvg([{ title: "p", series: [{ name: "s", samples: [0.5, 25_000], failures: 0 }] }], {
    width: 2000,
    columns: 1,
  });
  assertEquals(ticks(wide), ["0.1", "1", "10", "100", "1000", "10000", "100000"]);
  const fixed = renderCdfSvg([{ title: "p", series: [{ name: "s", samples: [3], failures: 0 }] }], {
    minMs: 10,
    maxMs: 1000,
  });
  assertEquals(ticks(fixed), ["10", "100", "1000"]);
  // A zero, or a time below the axis, is drawn at the left edge: the first move is a rise.
  const zero = renderCdfSvg([{ title: "p", series: [{ name: "s", samples: [0, 0, 5], failures: 0 }] }]);
  assertEquals(walk(seriesByPanel(zero)[0]![0]!.d)[1]!.command, "v");
});

Deno.test("renderCdfSvg: a grid of panels, and no panels at all", () => {
  const panel = (title: string): CdfPanel => ({ title, series: [{ name: "s", samples: [10], failures: 0 }] });
  const offsets = (svg: string) =>
    [...svg.matchAll(/<g transform="translate\(([\d.]+) ([\d.]+)\)">/g)].map((m) => [Number(m[1]), Number(m[2])]);
  const five = offsets(renderCdfSvg(["a", "b", "c", "d", "e"].map(panel)));
  assertEquals(new Set(five.map(([x]) => x)).size, 3, "three columns");
  assertEquals(new Set(five.map(([, y]) => y)).size, 2, "two rows");
  const four = offsets(renderCdfSvg(["a", "b", "c", "d"].map(panel)));
  assertEquals(new Set(four.map(([x]) => x)).size, 2, "four panels: two by two");
  const one = offsets(renderCdfSvg(["a", "b"].map(panel), { columns: 1 }));
  assertEquals(new Set(one.map(([x]) => x)).size, 1);
  const empty = renderCdfSvg([]);
  parseXml(empty);
  assert(empty.includes(">no data</text>"));
});

Deno.test("renderCdfSvg: rejects bad samples and options", () => {
  const bad = (samples: number[], failures = 0) => () =>
    renderCdfSvg([{ title: "IPv6", series: [{ name: "fast", samples, failures }] }]);
  assertThrows(bad([1, NaN]), RangeError, `Cannot render CDF chart: series "fast" of "IPv6": sample 1 is NaN`);
  assertThrows(bad([-2]), RangeError, "sample 0 is -2");
  assertThrows(bad([1], -1), RangeError, "failure count -1");
  const ok: CdfPanel[] = [{ title: "t", series: [{ name: "s", samples: [1], failures: 0 }] }];
  assertThrows(() => renderCdfSvg(ok, { width: 0 }), RangeError, "width 0 is not a positive number");
  assertThrows(() => renderCdfSvg(ok, { columns: 1.5 }), RangeError, "columns 1.5");
  assertThrows(() => renderCdfSvg(ok, { minMs: 0 }), RangeError, "minMs 0");
  assertThrows(() => renderCdfSvg(ok, { minMs: 100, maxMs: 10 }), RangeError, "is not above minMs");
});
