// Tests of parseIpAddress / formatIpAddress from core-as/mod.ts, through the
// WebAssembly core: table cases, RFC 5952 examples, error offsets, round
// trips, and seeded fuzzing against an independent reference written here.

import { type CoreErrorCause, CoreErrorCode, formatIpAddress, type IpAddress, parseIpAddress } from "../core-as/mod.ts";
import { coreWasmModule } from "../core-as/core_wasm.generated.ts";
import { seededRandom } from "./_random.ts";

// ---------------------------------------------------------------------------
// Tiny assertion helpers (no @std/assert: JSR is unreachable here)

function fail(message: string): never {
  throw new Error(message);
}

function assertEquals(actual: unknown, expected: unknown, what = ""): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) fail(`${what ? `${what}: ` : ""}got ${a}, expected ${e}`);
}

function assertThrows(
  fn: () => unknown,
  type: new (...args: never[]) => Error,
  what: string,
): Error {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof type)) {
      fail(`${what}: expected ${type.name}, got ${String(error)}`);
    }
    return error;
  }
  return fail(`${what}: expected ${type.name}, nothing was thrown`);
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Bytes from a compact hex string. */
function bytesOf(text: string): Uint8Array {
  return new Uint8Array(text.match(/../g)?.map((h) => parseInt(h, 16)) ?? []);
}

const CODES = new Set<number>(Object.values(CoreErrorCode));

// ---------------------------------------------------------------------------
// Table cases

/** [input, address bytes as hex, canonical text] */
const VALID: readonly (readonly [string, string, string])[] = [
  ["0.0.0.0", "00000000", "0.0.0.0"],
  ["127.0.0.1", "7f000001", "127.0.0.1"],
  ["192.0.2.1", "c0000201", "192.0.2.1"],
  ["255.255.255.255", "ffffffff", "255.255.255.255"],
  ["10.200.0.99", "0ac80063", "10.200.0.99"],
  ["::", "00000000000000000000000000000000", "::"],
  ["::1", "00000000000000000000000000000001", "::1"],
  ["1::", "00010000000000000000000000000000", "1::"],
  ["::0", "00000000000000000000000000000000", "::"],
  ["0:0:0:0:0:0:0:0", "00000000000000000000000000000000", "::"],
  ["1:2:3:4:5:6:7:8", "00010002000300040005000600070008", "1:2:3:4:5:6:7:8"],
  ["1:2:3:4:5:6:7::", "00010002000300040005000600070000", "1:2:3:4:5:6:7:0"],
  ["::2:3:4:5:6:7:8", "00000002000300040005000600070008", "0:2:3:4:5:6:7:8"],
  ["1::8", "00010000000000000000000000000008", "1::8"],
  [
    "ffff:FFFF:fFfF:0:0:0:0:1",
    "ffffffffffff00000000000000000001",
    "ffff:ffff:ffff::1",
  ],
  // RFC 5952 section 1: all of these are the same address.
  [
    "2001:db8:0:0:1:0:0:1",
    "20010db8000000000001000000000001",
    "2001:db8::1:0:0:1",
  ],
  [
    "2001:0db8:0:0:1:0:0:1",
    "20010db8000000000001000000000001",
    "2001:db8::1:0:0:1",
  ],
  [
    "2001:db8::1:0:0:1",
    "20010db8000000000001000000000001",
    "2001:db8::1:0:0:1",
  ],
  [
    "2001:db8::0:1:0:0:1",
    "20010db8000000000001000000000001",
    "2001:db8::1:0:0:1",
  ],
  [
    "2001:0db8::1:0:0:1",
    "20010db8000000000001000000000001",
    "2001:db8::1:0:0:1",
  ],
  [
    "2001:db8:0:0:1::1",
    "20010db8000000000001000000000001",
    "2001:db8::1:0:0:1",
  ],
  [
    "2001:db8:0000:0:1::1",
    "20010db8000000000001000000000001",
    "2001:db8::1:0:0:1",
  ],
  [
    "2001:DB8:0:0:1::1",
    "20010db8000000000001000000000001",
    "2001:db8::1:0:0:1",
  ],
  // RFC 5952 section 4.1: leading zeros suppressed.
  ["2001:0db8::0001", "20010db8000000000000000000000001", "2001:db8::1"],
  ["2001:db8::0000", "20010db8000000000000000000000000", "2001:db8::"],
  // Section 4.2.1: "::" used to its maximum.
  ["2001:db8:0:0:0:0:2:1", "20010db8000000000000000000020001", "2001:db8::2:1"],
  // Section 4.2.2: a single zero group is not shortened.
  [
    "2001:db8:0:1:1:1:1:1",
    "20010db8000000010001000100010001",
    "2001:db8:0:1:1:1:1:1",
  ],
  [
    "2001:db8::1:1:1:1:1",
    "20010db8000000010001000100010001",
    "2001:db8:0:1:1:1:1:1",
  ],
  // Section 4.2.3: the longest run, the first one on a tie.
  ["2001:0:0:1:0:0:0:1", "20010000000000010000000000000001", "2001:0:0:1::1"],
  ["1:0:0:2:0:0:3:4", "00010000000000020000000000030004", "1::2:0:0:3:4"],
  ["1:0:0:0:2:0:0:0", "00010000000000000002000000000000", "1::2:0:0:0"],
  // Section 4.3: lowercase.
  ["2001:DB8::ABCD", "20010db800000000000000000000abcd", "2001:db8::abcd"],
  // Section 5: IPv4-mapped addresses keep dotted IPv4.
  ["::ffff:192.0.2.1", "00000000000000000000ffffc0000201", "::ffff:192.0.2.1"],
  [
    "0:0:0:0:0:FFFF:c000:0201",
    "00000000000000000000ffffc0000201",
    "::ffff:192.0.2.1",
  ],
  ["::ffff:0.0.0.0", "00000000000000000000ffff00000000", "::ffff:0.0.0.0"],
  // Embedded IPv4 in other addresses is written as hex.
  ["::192.0.2.1", "000000000000000000000000c0000201", "::c000:201"],
  [
    "1:2:3:4:5:6:1.2.3.4",
    "00010002000300040005000601020304",
    "1:2:3:4:5:6:102:304",
  ],
  [
    "64:ff9b::192.0.2.33",
    "0064ff9b0000000000000000c0000221",
    "64:ff9b::c000:221",
  ],
  [
    "::1:2:3:4:5:1.2.3.4",
    "00000001000200030004000501020304",
    "0:1:2:3:4:5:102:304",
  ],
  ["::ffff:1:2", "00000000000000000000ffff00010002", "::ffff:0.1.0.2"],
];

/** [input, zone, canonical text] */
const ZONES: readonly (readonly [string, string, string])[] = [
  ["fe80::1%eth0", "eth0", "fe80::1%eth0"],
  ["FE80:0:0:0:0:0:0:1%Eth0", "Eth0", "fe80::1%Eth0"],
  ["fe80::%1", "1", "fe80::%1"],
  ["fe80::1%25", "25", "fe80::1%25"],
  ["ff02::1%en0.100", "en0.100", "ff02::1%en0.100"],
  ["::ffff:1.2.3.4%x", "x", "::ffff:1.2.3.4%x"],
  ["fe80::1%a:b~_-!", "a:b~_-!", "fe80::1%a:b~_-!"],
];

/** [input, error class, code, offset in the string] */
const INVALID: readonly (readonly [
  string,
  typeof SyntaxError | typeof RangeError,
  number,
  number,
])[] = [
  ["", SyntaxError, CoreErrorCode.Truncated, 0],
  ["1", SyntaxError, CoreErrorCode.Truncated, 1],
  ["1.", SyntaxError, CoreErrorCode.Truncated, 2],
  ["1.2.3", SyntaxError, CoreErrorCode.Truncated, 5],
  ["1.2.3.", SyntaxError, CoreErrorCode.Truncated, 6],
  ["1.2.3.4.", SyntaxError, CoreErrorCode.UnexpectedCharacter, 7],
  ["1.2.3.4.5", SyntaxError, CoreErrorCode.UnexpectedCharacter, 7],
  ["01.2.3.4", SyntaxError, CoreErrorCode.UnexpectedCharacter, 1],
  ["1.02.3.4", SyntaxError, CoreErrorCode.UnexpectedCharacter, 3],
  ["1.2.3.000", SyntaxError, CoreErrorCode.UnexpectedCharacter, 7],
  ["00.0.0.0", SyntaxError, CoreErrorCode.UnexpectedCharacter, 1],
  ["256.0.0.0", RangeError, CoreErrorCode.OutOfRange, 0],
  ["1.2.3.999", RangeError, CoreErrorCode.OutOfRange, 6],
  ["1.2.3.4294967297", RangeError, CoreErrorCode.OutOfRange, 6],
  ["1..2.3", SyntaxError, CoreErrorCode.UnexpectedCharacter, 2],
  [".1.2.3.4", SyntaxError, CoreErrorCode.UnexpectedCharacter, 0],
  ["1.2.3.4 ", SyntaxError, CoreErrorCode.UnexpectedCharacter, 7],
  [" 1.2.3.4", SyntaxError, CoreErrorCode.UnexpectedCharacter, 0],
  ["1.2.3.4/24", SyntaxError, CoreErrorCode.UnexpectedCharacter, 7],
  ["1.2.3.4%eth0", SyntaxError, CoreErrorCode.UnexpectedCharacter, 7],
  ["1.2.3.0x4", SyntaxError, CoreErrorCode.UnexpectedCharacter, 7],
  ["1.2.3.+4", SyntaxError, CoreErrorCode.UnexpectedCharacter, 6],
  ["1.2.3.４", SyntaxError, CoreErrorCode.UnexpectedCharacter, 6],
  ["0x7f.0.0.1", SyntaxError, CoreErrorCode.UnexpectedCharacter, 1],
  [":", SyntaxError, CoreErrorCode.Truncated, 1],
  [":1", SyntaxError, CoreErrorCode.UnexpectedCharacter, 1],
  ["1:", SyntaxError, CoreErrorCode.Truncated, 2],
  [":::", SyntaxError, CoreErrorCode.UnexpectedCharacter, 2],
  ["1:::2", SyntaxError, CoreErrorCode.UnexpectedCharacter, 3],
  ["1::2::3", SyntaxError, CoreErrorCode.UnexpectedCharacter, 5],
  ["::1::", SyntaxError, CoreErrorCode.UnexpectedCharacter, 4],
  ["1:2:3:4:5:6:7", SyntaxError, CoreErrorCode.Truncated, 13],
  ["1:2:3:4:5:6:7:", SyntaxError, CoreErrorCode.Truncated, 14],
  ["1:2:3:4:5:6:7:8:9", SyntaxError, CoreErrorCode.UnexpectedCharacter, 15],
  ["1:2:3:4:5:6:7:8::", SyntaxError, CoreErrorCode.UnexpectedCharacter, 15],
  ["::1:2:3:4:5:6:7:8", SyntaxError, CoreErrorCode.UnexpectedCharacter, 15],
  ["1::2:3:4:5:6:7:8", SyntaxError, CoreErrorCode.UnexpectedCharacter, 14],
  ["12345::", RangeError, CoreErrorCode.BadLength, 0],
  ["1:00000::", RangeError, CoreErrorCode.BadLength, 2],
  ["fe80::g", SyntaxError, CoreErrorCode.UnexpectedCharacter, 6],
  ["fe80:::1", SyntaxError, CoreErrorCode.UnexpectedCharacter, 6],
  ["1:2:3%eth0", SyntaxError, CoreErrorCode.UnexpectedCharacter, 5],
  ["::1.2.3", SyntaxError, CoreErrorCode.Truncated, 7],
  ["::1.2.3.4.5", SyntaxError, CoreErrorCode.UnexpectedCharacter, 9],
  ["::1.2.3.4:5", SyntaxError, CoreErrorCode.UnexpectedCharacter, 9],
  ["::1.2.3.256", RangeError, CoreErrorCode.OutOfRange, 8],
  ["::1.02.3.4", SyntaxError, CoreErrorCode.UnexpectedCharacter, 5],
  ["::a.2.3.4", SyntaxError, CoreErrorCode.UnexpectedCharacter, 3],
  ["1.2.3.4::", SyntaxError, CoreErrorCode.UnexpectedCharacter, 7],
  ["1:2:3:4:5:6:7:1.2.3.4", SyntaxError, CoreErrorCode.UnexpectedCharacter, 15],
  ["1:2:3:4:5:6:1.2.3.4:8", SyntaxError, CoreErrorCode.UnexpectedCharacter, 19],
  ["::1:2:3:4:5:6:1.2.3.4", SyntaxError, CoreErrorCode.UnexpectedCharacter, 15],
  ["fe80::1%", SyntaxError, CoreErrorCode.Truncated, 8],
  ["fe80::1%%", SyntaxError, CoreErrorCode.UnexpectedCharacter, 8],
  ["fe80::1%a b", SyntaxError, CoreErrorCode.UnexpectedCharacter, 9],
  ["fe80::1%a/64", SyntaxError, CoreErrorCode.UnexpectedCharacter, 9],
  ["fe80::1%[x]", SyntaxError, CoreErrorCode.UnexpectedCharacter, 8],
  ["fe80::1%eth\u0000", SyntaxError, CoreErrorCode.UnexpectedCharacter, 11],
  ["fe80::1%eth0é", SyntaxError, CoreErrorCode.UnexpectedCharacter, 12],
  ["%eth0", SyntaxError, CoreErrorCode.UnexpectedCharacter, 0],
  ["[::1]", SyntaxError, CoreErrorCode.UnexpectedCharacter, 0],
  ["::1/128", SyntaxError, CoreErrorCode.UnexpectedCharacter, 3],
  ["::1 ", SyntaxError, CoreErrorCode.UnexpectedCharacter, 3],
  ["\u{1F600}", SyntaxError, CoreErrorCode.UnexpectedCharacter, 0],
  ["é::1", SyntaxError, CoreErrorCode.UnexpectedCharacter, 0],
  ["localhost", SyntaxError, CoreErrorCode.UnexpectedCharacter, 0],
];

Deno.test("parseIpAddress accepts valid addresses", () => {
  for (const [input, bytes, canonical] of VALID) {
    const address = parseIpAddress(input);
    assertEquals(address.family, bytes.length === 8 ? 4 : 6, input);
    assertEquals(hex(address.bytes), bytes, input);
    assertEquals(address.text, canonical, input);
    assertEquals("zone" in address, false, `${input} has no zone`);
    assertEquals(address.bytes.length, bytes.length / 2, input);
  }
});

Deno.test("parseIpAddress keeps IPv6 zones", () => {
  for (const [input, zone, canonical] of ZONES) {
    const address = parseIpAddress(input);
    assertEquals(address.family, 6, input);
    assertEquals(address.zone, zone, input);
    assertEquals(address.text, canonical, input);
  }
});

Deno.test("parseIpAddress rejects invalid text at the right offset", () => {
  for (const [input, type, code, offset] of INVALID) {
    const error = assertThrows(() => parseIpAddress(input), type, input);
    const cause = error.cause as CoreErrorCause;
    assertEquals(cause, { code, offset }, JSON.stringify(input));
    if (!error.message.endsWith(` at offset ${offset}`)) {
      fail(`${input}: message "${error.message}" lacks the offset`);
    }
  }
});

Deno.test("error messages are sentence case, name the action and the input", () => {
  const error = assertThrows(
    () => parseIpAddress("fe80::g"),
    SyntaxError,
    "fe80::g",
  );
  assertEquals(
    error.message,
    'Cannot parse IP address "fe80::g": unexpected character at offset 6',
  );
  assertEquals(
    assertThrows(() => parseIpAddress("1.2.3.256"), RangeError, "256")
      .message,
    'Cannot parse IP address "1.2.3.256": value out of range at offset 6',
  );
  assertEquals(
    assertThrows(() => parseIpAddress("1.2.3"), SyntaxError, "1.2.3").message,
    'Cannot parse IP address "1.2.3": truncated input at offset 5',
  );
  // Control characters are escaped and long input is shortened.
  assertEquals(
    assertThrows(() => parseIpAddress("a\nb"), SyntaxError, "newline").message,
    'Cannot parse IP address "a\\nb": unexpected character at offset 1',
  );
  const long = assertThrows(
    () => parseIpAddress(`1.2.3.4${" ".repeat(100)}`),
    SyntaxError,
    "long",
  );
  assertEquals(
    long.message,
    `Cannot parse IP address "1.2.3.4${" ".repeat(54)}...": unexpected character at offset 7`,
  );
});

Deno.test("parseIpAddress reports offsets in UTF-16 code units", () => {
  // Every accepted character is ASCII, so the first non-ASCII character is
  // the offending one and its string index is the offset.
  for (
    const [input, offset] of [["1.2.3.\u00e9", 6], ["::\u{1F600}", 2]] as const
  ) {
    const cause = assertThrows(() => parseIpAddress(input), SyntaxError, input)
      .cause as CoreErrorCause;
    assertEquals(cause.offset, offset, input);
  }
});

Deno.test("parseIpAddress rejects non-strings with a TypeError", () => {
  assertThrows(
    () => parseIpAddress(123 as unknown as string),
    TypeError,
    "number",
  );
});

Deno.test("parseIpAddress returns fresh, independent byte arrays", () => {
  const a = parseIpAddress("1.2.3.4");
  const b = parseIpAddress("5.6.7.8");
  assertEquals(hex(a.bytes), "01020304");
  assertEquals(hex(b.bytes), "05060708");
  a.bytes[0] = 9;
  assertEquals(parseIpAddress("1.2.3.4").bytes[0], 1);
});

Deno.test("parseIpAddress handles very long input", () => {
  const zone = "z".repeat(1_000_000);
  const address = parseIpAddress(`fe80::1%${zone}`);
  assertEquals(address.zone?.length, zone.length);
  assertEquals(address.text.length, "fe80::1%".length + zone.length);
  const cause = assertThrows(
    () => parseIpAddress("1".repeat(1_000_000)),
    RangeError,
    "many digits",
  ).cause as CoreErrorCause;
  assertEquals(cause, { code: CoreErrorCode.BadLength, offset: 0 });
  // A valid address is still parsed correctly after the memory grew.
  assertEquals(parseIpAddress("::1").text, "::1");
});

// ---------------------------------------------------------------------------
// formatIpAddress

Deno.test("formatIpAddress writes canonical text", () => {
  for (const [, bytes, canonical] of VALID) {
    assertEquals(formatIpAddress(bytesOf(bytes)), canonical, bytes);
  }
  // A view into a larger buffer is read from its own offset.
  const buffer = new Uint8Array([9, 9, 192, 0, 2, 1, 9]);
  assertEquals(formatIpAddress(buffer.subarray(2, 6)), "192.0.2.1");
});

Deno.test("formatIpAddress appends a valid zone", () => {
  const bytes = bytesOf("fe800000000000000000000000000001");
  assertEquals(formatIpAddress(bytes, "eth0"), "fe80::1%eth0");
  const zone = "x".repeat(20_000); // larger than the default result region
  assertEquals(formatIpAddress(bytes, zone), `fe80::1%${zone}`);
  assertEquals(formatIpAddress(bytes, "eth0"), "fe80::1%eth0");
});

Deno.test("formatIpAddress rejects bad input", () => {
  for (const length of [0, 1, 3, 5, 15, 17, 32]) {
    const error = assertThrows(
      () => formatIpAddress(new Uint8Array(length)),
      RangeError,
      `${length} bytes`,
    );
    assertEquals(
      error.message,
      `Cannot format IP address: expected 4 or 16 bytes, got ${length}`,
    );
  }
  assertThrows(
    () => formatIpAddress(new Uint8Array(4), "eth0"),
    RangeError,
    "IPv4 with zone",
  );
  const v6 = new Uint8Array(16);
  for (
    const [zone, code, offset] of [
      ["", CoreErrorCode.Truncated, 0],
      ["a b", CoreErrorCode.UnexpectedCharacter, 1],
      ["a%b", CoreErrorCode.UnexpectedCharacter, 1],
      ["\u00e9", CoreErrorCode.UnexpectedCharacter, 0],
      ["eth0/1", CoreErrorCode.UnexpectedCharacter, 4],
    ] as const
  ) {
    const error = assertThrows(
      () => formatIpAddress(v6, zone),
      SyntaxError,
      JSON.stringify(zone),
    );
    assertEquals(error.cause, { code, offset }, JSON.stringify(zone));
  }
  assertEquals(
    assertThrows(() => formatIpAddress(v6, "a b"), SyntaxError, "space")
      .message,
    'Cannot format IP address with zone "a b": unexpected character at offset 1',
  );
  assertThrows(
    () => formatIpAddress([1, 2, 3, 4] as unknown as Uint8Array),
    TypeError,
    "array",
  );
});

// ---------------------------------------------------------------------------
// The raw ABI on a fresh instance (memory starts empty)

Deno.test("raw ABI: a fresh instance never traps on edge lengths", () => {
  const raw = new WebAssembly.Instance(coreWasmModule, {})
    .exports as unknown as typeof import("../core-as/core_wasm.generated.ts").coreWasm;
  // Nothing reserved yet: an empty input is simply truncated.
  assertEquals(raw.parseIpAddress(0), CoreErrorCode.Truncated);
  assertEquals(raw.errorOffset(), 0);
  // A length past the input region is refused, not read.
  assertEquals(raw.parseIpAddress(-1), CoreErrorCode.InputTooLarge);
  assertEquals(raw.formatIpAddress(-1, 16), CoreErrorCode.InputTooLarge);
  assertEquals(raw.reserveInput(-1), 0);
  assertEquals(raw.reserveResult(-1), 0);
  const ptr = raw.reserveInput(7) >>> 0;
  new Uint8Array(raw.memory.buffer, ptr, 7).set(
    new TextEncoder().encode("1.2.3.4"),
  );
  assertEquals(raw.parseIpAddress(7), 32);
  const result = new Uint8Array(raw.memory.buffer, raw.resultPtr() >>> 0, 32);
  assertEquals(result[0], 4);
  assertEquals(hex(result.subarray(16, 20)), "01020304");
});

// ---------------------------------------------------------------------------
// Round trips and fuzzing

const random = seededRandom;

/**
 * Independent reference parser (split-based rather than a scanner) used as
 * an oracle: address bytes as hex plus zone, or undefined if invalid.
 */
function referenceParse(
  text: string,
): { hex: string; zone?: string } | undefined {
  const percent = text.indexOf("%");
  const address = percent < 0 ? text : text.slice(0, percent);
  const zone = percent < 0 ? undefined : text.slice(percent + 1);
  const dotted = (s: string): number[] | undefined => {
    const parts = s.split(".");
    if (parts.length !== 4) return undefined;
    const out: number[] = [];
    for (const p of parts) {
      if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined;
      out.push(Number(p));
    }
    return out;
  };
  if (zone === undefined) {
    const v4 = dotted(address);
    if (v4) return { hex: hex(new Uint8Array(v4)) };
  } else if (!/^[\x21-\x7e]+$/.test(zone) || /[%/[\]]/.test(zone)) {
    return undefined;
  }
  const halves = address.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string, last: boolean): number[] | undefined => {
    if (s === "") return [];
    const out: number[] = [];
    const pieces = s.split(":");
    for (const [i, p] of pieces.entries()) {
      if (last && i === pieces.length - 1 && p.includes(".")) {
        const v4 = dotted(p);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) {
        out.push(parseInt(p, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  let all: number[];
  if (halves.length === 1) {
    const g = groups(address, true);
    if (!g || g.length !== 8) return undefined;
    all = g;
  } else {
    const head = groups(halves[0]!, false);
    const tail = groups(halves[1]!, true);
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    all = [...head, ...Array(8 - head.length - tail.length).fill(0), ...tail];
  }
  const bytes = new Uint8Array(all.flatMap((g) => [g >> 8, g & 0xff]));
  return zone === undefined ? { hex: hex(bytes) } : { hex: hex(bytes), zone };
}

/** Reference RFC 5952 formatter, written independently of the core. */
function referenceFormat(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join(".");
  if (/^0{20}ffff/.test(hex(bytes))) {
    return `::ffff:${bytes.subarray(12).join(".")}`;
  }
  const groups = Array.from(
    { length: 8 },
    (_, i) => ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16),
  );
  let best = { start: -1, length: 1 };
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > best.length) best = { start: i, length: j - i };
  }
  if (best.start < 0) return groups.join(":");
  return `${groups.slice(0, best.start).join(":")}::${groups.slice(best.start + best.length).join(":")}`;
}

/** Checks one outcome: a consistent address or a well-formed error. */
function checkOutcome(input: string): IpAddress | undefined {
  let address: IpAddress;
  try {
    address = parseIpAddress(input);
  } catch (error) {
    if (!(error instanceof SyntaxError || error instanceof RangeError)) {
      fail(`${JSON.stringify(input)}: unexpected ${String(error)}`);
    }
    const cause = error.cause as CoreErrorCause;
    if (!CODES.has(cause.code)) fail(`${JSON.stringify(input)}: bad code`);
    if (!(cause.offset >= 0 && cause.offset <= input.length)) {
      fail(`${JSON.stringify(input)}: offset ${cause.offset} out of bounds`);
    }
    return undefined;
  }
  const again = parseIpAddress(address.text);
  assertEquals(hex(again.bytes), hex(address.bytes), `${input} round trip`);
  assertEquals(again.text, address.text, `${input} canonical fixed point`);
  assertEquals(again.zone, address.zone, `${input} zone`);
  assertEquals(address.bytes.length, address.family === 4 ? 4 : 16, input);
  return address;
}

Deno.test("round trip: parse, format, parse gives the same address", () => {
  for (const [input] of [...VALID, ...ZONES]) {
    const address = parseIpAddress(input);
    const text = formatIpAddress(address.bytes, address.zone);
    assertEquals(text, address.text, input);
    const again = parseIpAddress(text);
    assertEquals(hex(again.bytes), hex(address.bytes), input);
    assertEquals(again.text, text, input);
  }
});

Deno.test("fuzz: 20000 random byte strings never trap", () => {
  const next = random(0x5eed);
  let accepted = 0;
  for (let i = 0; i < 20_000; i++) {
    const length = Math.floor(next() * 48);
    let input = "";
    for (let j = 0; j < length; j++) {
      // Mostly address characters, sometimes any byte or a non-BMP character.
      const r = next();
      input += r < 0.7
        ? "0123456789abcdefABCDEF:.%"[Math.floor(next() * 25)]
        : r < 0.97
        ? String.fromCharCode(Math.floor(next() * 256))
        : "\u{1F600}";
    }
    if (checkOutcome(input)) accepted++;
  }
  // The alphabet rarely forms an address; the count only guards the mix.
  if (accepted === 0) fail("no random input was accepted");
});

Deno.test("fuzz: 20000 address-like strings agree with the reference parser", () => {
  const next = random(0xc0ffee);
  const tokens = [
    "0",
    "1",
    "9",
    "00",
    "01",
    "10",
    "99",
    "255",
    "256",
    "1000",
    "ab",
    "FFFF",
    "0db8",
    "12345",
    ":",
    ":",
    ":",
    "::",
    "::",
    ".",
    ".",
    "%",
    "eth0",
    " ",
    "1.2.3.4",
    "192.0.2.1",
    "::ffff:",
    "x",
    "/",
    "",
  ];
  let accepted = 0;
  for (let i = 0; i < 20_000; i++) {
    const count = 1 + Math.floor(next() * 14);
    let input = "";
    for (let j = 0; j < count; j++) {
      input += tokens[Math.floor(next() * tokens.length)];
    }
    const reference = referenceParse(input);
    const address = checkOutcome(input);
    if (reference === undefined) {
      if (address) fail(`${JSON.stringify(input)} accepted, reference rejects`);
      continue;
    }
    if (!address) fail(`${JSON.stringify(input)} rejected, reference accepts`);
    accepted++;
    assertEquals(hex(address.bytes), reference.hex, input);
    assertEquals(address.zone, reference.zone, input);
  }
  if (accepted < 500) fail(`only ${accepted} inputs were valid addresses`);
});

Deno.test("fuzz: 10000 random addresses format as the reference does", () => {
  const next = random(42);
  for (let i = 0; i < 10_000; i++) {
    const bytes = new Uint8Array(next() < 0.2 ? 4 : 16);
    for (let j = 0; j < bytes.length; j++) {
      // Many zero bytes so that runs of zero groups are common.
      bytes[j] = next() < 0.6 ? 0 : Math.floor(next() * 256);
    }
    if (bytes.length === 16 && next() < 0.05) {
      bytes.fill(0, 0, 10); // IPv4-mapped
      bytes.set([0xff, 0xff], 10);
    }
    const text = formatIpAddress(bytes);
    assertEquals(text, referenceFormat(bytes), hex(bytes));
    assertEquals(hex(parseIpAddress(text).bytes), hex(bytes), text);
  }
});
