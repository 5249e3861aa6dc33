/*
 * Wasm-side tests: the ABI primitives and the IP address functions exercised
 * directly in AssemblyScript. tests/core_wasm_side_test.ts compiles this file
 * (with core-as/assembly/) into a test module in memory and runs every
 * exported `test*` function as a Deno test.
 *
 * A failed check calls the host's `reportFailure` and traps. Messages are
 * static strings because this module must not allocate either: the stub
 * allocator would hand out memory on top of the result region.
 */

import {
  begin,
  byteAt,
  canRead,
  copyInputToResult,
  ErrorCode,
  errorOffset,
  fail,
  inputCapacity,
  inputLength,
  inputPtr,
  needResult,
  putU32,
  putU8,
  reserveInput,
  reserveResult,
  resultByteAt,
  resultCapacity,
  resultPtr,
  u16At,
  u32At,
} from "../assembly/abi";
import { formatIpAddress, parseIpAddress } from "../assembly/ip_address";

/** Host import: records a failed check before the test traps. */
declare function reportFailure(
  what: string,
  subject: string,
  actual: i64,
  expected: i64,
): void;

function expectEqual(
  what: string,
  subject: string,
  actual: i64,
  expected: i64,
): void {
  if (actual != expected) {
    reportFailure(what, subject, actual, expected);
    unreachable();
  }
}

function expectTrue(what: string, subject: string, value: bool): void {
  expectEqual(what, subject, value ? 1 : 0, 1);
}

/** Writes an ASCII string into the input region; returns its length. */
function setInput(text: string): usize {
  const len = <usize> text.length;
  const ptr = reserveInput(len);
  expectTrue("reserveInput succeeds", text, ptr != 0);
  for (let i: usize = 0; i < len; i++) {
    store<u8>(ptr + i, <u8> text.charCodeAt(<i32> i));
  }
  return len;
}

/** Compares the result region with an ASCII string. */
function expectResultText(what: string, written: i32, expected: string): void {
  expectEqual(what, expected, written, expected.length);
  for (let i = 0; i < expected.length; i++) {
    expectEqual(
      what,
      expected,
      resultByteAt(<usize> i),
      expected.charCodeAt(i),
    );
  }
}

// ---------------------------------------------------------------------------
// ABI primitives

export function testRegionLayout(): void {
  expectEqual("result region is 16-byte aligned", "", resultPtr() & 15, 0);
  expectTrue(
    "result region is past static data",
    "",
    resultPtr() >= __heap_base,
  );
  expectEqual(
    "input region follows the result region",
    "",
    inputPtr(),
    resultPtr() + resultCapacity(),
  );
  expectTrue("default result capacity", "", resultCapacity() >= 4096);
}

export function testReserveInputGrowsMemory(): void {
  const ptr = reserveInput(200_000);
  expectEqual("reserveInput returns inputPtr", "", ptr, inputPtr());
  expectTrue("input capacity grew", "", inputCapacity() >= 200_000);
  expectTrue(
    "memory backs the input region",
    "",
    (<u64> memory.size() << 16) >= <u64> inputPtr() + 200_000,
  );
  expectEqual("absurd input size is refused", "", reserveInput(0x8000_0000), 0);
  expectEqual("maximum usize is refused", "", reserveInput(0xffff_ffff), 0);
  expectTrue("capacity kept after refusal", "", inputCapacity() >= 200_000);
}

export function testReserveResultMovesInput(): void {
  const before = resultCapacity();
  const ptr = reserveResult(before + 1);
  expectEqual("reserveResult returns resultPtr", "", ptr, resultPtr());
  expectEqual("capacity rounded to 16", "", resultCapacity(), before + 16);
  expectEqual(
    "input region moved behind the result region",
    "",
    inputPtr(),
    resultPtr() + resultCapacity(),
  );
  expectEqual("smaller request keeps capacity", "", reserveResult(1), ptr);
  expectEqual("capacity unchanged", "", resultCapacity(), before + 16);
  expectEqual(
    "absurd result size is refused",
    "",
    reserveResult(0xffff_fff0),
    0,
  );
}

export function testBeginChecksLength(): void {
  reserveInput(16);
  expectEqual(
    "len beyond capacity",
    "",
    begin(inputCapacity() + 1),
    ErrorCode.InputTooLarge,
  );
  expectEqual("length cleared on failure", "", inputLength(), 0);
  expectEqual("len within capacity", "", begin(16), 0);
  expectEqual("length recorded", "", inputLength(), 16);
  expectEqual("error offset reset", "", errorOffset(), 0);
}

export function testCheckedReaders(): void {
  const ptr = reserveInput(8);
  for (let i: usize = 0; i < 8; i++) store<u8>(ptr + i, <u8> (i + 1));
  // Only 5 of the 8 bytes are input: bytes 6..8 must stay invisible.
  begin(5);
  expectEqual("byteAt first", "", byteAt(0), 1);
  expectEqual("byteAt last", "", byteAt(4), 5);
  expectEqual("byteAt past end", "", byteAt(5), -1);
  expectEqual("byteAt huge offset", "", byteAt(0xffff_ffff), -1);
  expectEqual("u16At in bounds", "", u16At(3), 0x0405);
  expectEqual("u16At straddling end", "", u16At(4), -1);
  expectEqual("u16At wrapping offset", "", u16At(0xffff_ffff), -1);
  expectEqual("u32At in bounds", "", u32At(1), 0x0203_0405);
  expectEqual("u32At straddling end", "", u32At(2), -1);
  expectEqual("u32At wrapping offset", "", u32At(0xffff_fffe), -1);
  expectTrue("canRead whole input", "", canRead(0, 5));
  expectTrue("canRead empty at end", "", canRead(5, 0));
  expectTrue("canRead past end", "", !canRead(1, 5));
  expectTrue("canRead empty past end", "", !canRead(6, 0));
  expectTrue("canRead wrapping", "", !canRead(0xffff_ffff, 2));
  begin(0);
  expectEqual("empty input", "", byteAt(0), -1);
}

export function testCheckedWriters(): void {
  const cap = resultCapacity();
  reserveInput(1);
  store<u8>(inputPtr(), 0x5a);
  putU8(cap, 0xff);
  putU32(cap - 3, 0xffff_ffff);
  expectEqual(
    "writes past the result region are dropped",
    "",
    load<u8>(inputPtr()),
    0x5a,
  );
  putU32(cap - 4, 0x0403_0201);
  expectEqual("putU32 is little-endian", "", resultByteAt(cap - 4), 1);
  expectEqual("putU32 last byte", "", resultByteAt(cap - 1), 4);
  expectEqual("resultByteAt past end", "", resultByteAt(cap), -1);
  expectEqual("needResult fits", "", needResult(cap), 0);
  expectEqual(
    "needResult too big",
    "",
    needResult(cap + 1),
    ErrorCode.ResultTooSmall,
  );
  expectEqual("needResult reports the size", "", errorOffset(), cap + 1);
  expectEqual(
    "fail returns the code",
    "",
    fail(ErrorCode.OutOfRange, 7),
    ErrorCode.OutOfRange,
  );
  expectEqual("fail records the offset", "", errorOffset(), 7);
}

export function testCopyInputToResult(): void {
  const len = setInput("abcdef");
  begin(len);
  expectTrue("copy in bounds", "", copyInputToResult(1, 0, 3));
  expectEqual("copied byte", "", resultByteAt(0), 0x62);
  expectTrue("copy past input", "", !copyInputToResult(4, 0, 3));
  expectTrue(
    "copy past result",
    "",
    !copyInputToResult(0, resultCapacity() - 2, 3),
  );
  expectTrue(
    "copy with wrapping offset",
    "",
    !copyInputToResult(0xffff_ffff, 0, 2),
  );
}

// ---------------------------------------------------------------------------
// IP address functions

/** Parses `text`, checks the family, then formats it back to `canonical`. */
function expectParse(text: string, family: i32, canonical: string): void {
  const len = setInput(text);
  const status = parseIpAddress(len);
  expectEqual("parse status", text, status, 32);
  expectEqual("parsed family", text, resultByteAt(0), family);
  // The input region must be left as it was.
  for (let i: usize = 0; i < len; i++) {
    expectEqual("input untouched", text, byteAt(i), text.charCodeAt(<i32> i));
  }
  // Feed the address bytes back into formatIpAddress.
  const size: usize = family == 4 ? 4 : 16;
  const zoneLength = <usize> load<u32>(resultPtr() + 8);
  const ptr = reserveInput(size);
  memory.copy(ptr, resultPtr() + 16, size);
  const written = formatIpAddress(size, size);
  if (zoneLength == 0) expectResultText("canonical text", written, canonical);
}

function expectZone(text: string, offset: u32, length: u32): void {
  expectEqual("parse status", text, parseIpAddress(setInput(text)), 32);
  expectEqual("zone offset", text, load<u32>(resultPtr() + 4), offset);
  expectEqual("zone length", text, load<u32>(resultPtr() + 8), length);
}

function expectParseError(text: string, code: i32, offset: i32): void {
  const status = parseIpAddress(setInput(text));
  expectEqual("parse error code", text, status, code);
  expectEqual("parse error offset", text, errorOffset(), offset);
}

export function testParseIpv4(): void {
  expectParse("0.0.0.0", 4, "0.0.0.0");
  expectParse("192.0.2.1", 4, "192.0.2.1");
  expectParse("255.255.255.255", 4, "255.255.255.255");
  expectParse("10.0.100.9", 4, "10.0.100.9");
  expectParseError("", ErrorCode.Truncated, 0);
  expectParseError("1.2.3", ErrorCode.Truncated, 5);
  expectParseError("1.2.3.", ErrorCode.Truncated, 6);
  expectParseError("1.2.3.4.", ErrorCode.UnexpectedCharacter, 7);
  expectParseError("01.2.3.4", ErrorCode.UnexpectedCharacter, 1);
  expectParseError("1.2.3.00", ErrorCode.UnexpectedCharacter, 7);
  expectParseError("256.2.3.4", ErrorCode.OutOfRange, 0);
  expectParseError("1.2.3.1000000", ErrorCode.OutOfRange, 6);
  expectParseError("1..3.4", ErrorCode.UnexpectedCharacter, 2);
  expectParseError("1.2.3.4 ", ErrorCode.UnexpectedCharacter, 7);
  expectParseError(" 1.2.3.4", ErrorCode.UnexpectedCharacter, 0);
  expectParseError("1.2.3.4%eth0", ErrorCode.UnexpectedCharacter, 7);
  expectParseError("1.2.3.-4", ErrorCode.UnexpectedCharacter, 6);
}

export function testParseReadsOnlyLenBytes(): void {
  // "1.2.3.4" is in memory, but only "1.2.3" is input.
  setInput("1.2.3.4");
  expectEqual(
    "truncated by len",
    "1.2.3",
    parseIpAddress(5),
    ErrorCode.Truncated,
  );
  expectEqual("at len", "1.2.3", errorOffset(), 5);
  setInput("fe80::1%eth0");
  expectEqual(
    "zone cut by len",
    "fe80::1%",
    parseIpAddress(8),
    ErrorCode.Truncated,
  );
  expectEqual("at len", "fe80::1%", errorOffset(), 8);
  setInput("::ffff");
  expectEqual("len 0", "", parseIpAddress(0), ErrorCode.Truncated);
  expectEqual(
    "len beyond capacity",
    "",
    parseIpAddress(inputCapacity() + 1),
    ErrorCode.InputTooLarge,
  );
}

export function testParseIpv6(): void {
  expectParse("::", 6, "::");
  expectParse("::1", 6, "::1");
  expectParse("1::", 6, "1::");
  expectParse("2001:DB8::1", 6, "2001:db8::1");
  expectParse("2001:0db8:0000:0000:0000:0000:0002:0001", 6, "2001:db8::2:1");
  expectParse("1:2:3:4:5:6:7:8", 6, "1:2:3:4:5:6:7:8");
  expectParse("1:2:3:4:5:6:7::", 6, "1:2:3:4:5:6:7:0");
  expectParse("::2:3:4:5:6:7:8", 6, "0:2:3:4:5:6:7:8");
  expectParse("::ffff:192.0.2.1", 6, "::ffff:192.0.2.1");
  expectParse("::192.0.2.1", 6, "::c000:201");
  expectParse("1:2:3:4:5:6:1.2.3.4", 6, "1:2:3:4:5:6:102:304");
  expectParse("fe80::1%eth0", 6, "");
  expectZone("fe80::1%eth0", 8, 4);
  expectParse("fe80::%1", 6, "");
  expectZone("fe80::%1", 7, 1);
  expectZone("::1.2.3.4%x~-_.", 10, 5);
  expectParseError(":", ErrorCode.Truncated, 1);
  expectParseError(":1", ErrorCode.UnexpectedCharacter, 1);
  expectParseError(":::", ErrorCode.UnexpectedCharacter, 2);
  expectParseError("1::2::3", ErrorCode.UnexpectedCharacter, 5);
  expectParseError("1:2:3:4:5:6:7:8:9", ErrorCode.UnexpectedCharacter, 15);
  expectParseError("1:2:3:4:5:6:7:8::", ErrorCode.UnexpectedCharacter, 15);
  expectParseError("1::2:3:4:5:6:7:8", ErrorCode.UnexpectedCharacter, 14);
  expectParseError("1:2:3:4:5:6:7", ErrorCode.Truncated, 13);
  expectParseError("1:2:3:4:5:6:7:", ErrorCode.Truncated, 14);
  expectParseError("12345::", ErrorCode.BadLength, 0);
  expectParseError("::00000", ErrorCode.BadLength, 2);
  expectParseError("fe80::g", ErrorCode.UnexpectedCharacter, 6);
  expectParseError("1::2:", ErrorCode.Truncated, 5);
  expectParseError("::1.2.3", ErrorCode.Truncated, 7);
  expectParseError("::1.2.3.4:5", ErrorCode.UnexpectedCharacter, 9);
  expectParseError("::ab.1.2.3", ErrorCode.UnexpectedCharacter, 4);
  expectParseError("1:2:3:4:5:6:7:1.2.3.4", ErrorCode.UnexpectedCharacter, 15);
  expectParseError("::1:2:3:4:5:6:1.2.3.4", ErrorCode.UnexpectedCharacter, 15);
  expectParseError("::01.2.3.4", ErrorCode.UnexpectedCharacter, 3);
  expectParseError("::1.2.3.256", ErrorCode.OutOfRange, 8);
  expectParseError("fe80::1%", ErrorCode.Truncated, 8);
  expectParseError("fe80::1%a b", ErrorCode.UnexpectedCharacter, 9);
  expectParseError("fe80::1%a%b", ErrorCode.UnexpectedCharacter, 9);
  expectParseError("fe80::1%a/64", ErrorCode.UnexpectedCharacter, 9);
  expectParseError("1:2:3%eth0", ErrorCode.UnexpectedCharacter, 5);
  expectParseError("[::1]", ErrorCode.UnexpectedCharacter, 0);
  expectParseError("::1/128", ErrorCode.UnexpectedCharacter, 3);
}

export function testFormatRfc5952(): void {
  // Section 4.2.2: a single zero group is not shortened.
  const a = memory.data<u8>([
    0x20,
    0x01,
    0x0d,
    0xb8,
    0,
    0,
    0,
    1,
    0,
    1,
    0,
    1,
    0,
    1,
    0,
    1,
  ]);
  memory.copy(reserveInput(16), a, 16);
  expectResultText(
    "single zero group",
    formatIpAddress(16, 16),
    "2001:db8:0:1:1:1:1:1",
  );
  // Section 4.2.3: the longest run wins, the first on a tie.
  const b = memory.data<u8>([
    0x20,
    0x01,
    0,
    0,
    0,
    0,
    0,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    1,
  ]);
  memory.copy(reserveInput(16), b, 16);
  expectResultText("longest run", formatIpAddress(16, 16), "2001:0:0:1::1");
  const c = memory.data<u8>([
    0x20,
    0x01,
    0x0d,
    0xb8,
    0,
    0,
    0,
    0,
    0,
    1,
    0,
    0,
    0,
    0,
    0,
    1,
  ]);
  memory.copy(reserveInput(16), c, 16);
  expectResultText(
    "first run on a tie",
    formatIpAddress(16, 16),
    "2001:db8::1:0:0:1",
  );
  // Section 4.3: lowercase.
  const d = memory.data<u8>([
    0xab,
    0xcd,
    0xef,
    0x01,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0xff,
    0xff,
  ]);
  memory.copy(reserveInput(16), d, 16);
  expectResultText("lowercase", formatIpAddress(16, 16), "abcd:ef01::ffff");
  // Zone appended as given.
  const e = memory.data<u8>([
    0xfe,
    0x80,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    1,
    0x25,
    0x65,
    0x30,
  ]);
  memory.copy(reserveInput(19), e, 19);
  expectResultText("zone", formatIpAddress(19, 16), "fe80::1%e0");
}

export function testFormatErrors(): void {
  const ptr = reserveInput(20);
  memory.fill(ptr, 0, 20);
  expectEqual(
    "address length 5",
    "",
    formatIpAddress(5, 5),
    ErrorCode.BadLength,
  );
  expectEqual("at offset 0", "", errorOffset(), 0);
  expectEqual("too few bytes", "", formatIpAddress(3, 4), ErrorCode.Truncated);
  expectEqual("at len", "", errorOffset(), 3);
  expectEqual(
    "IPv4 with zone",
    "",
    formatIpAddress(6, 4),
    ErrorCode.UnexpectedCharacter,
  );
  expectEqual("at the zone", "", errorOffset(), 4);
  expectEqual(
    "IPv6 extra byte not %",
    "",
    formatIpAddress(18, 16),
    ErrorCode.UnexpectedCharacter,
  );
  expectEqual("at byte 16", "", errorOffset(), 16);
  store<u8>(ptr + 16, 0x25);
  expectEqual("empty zone", "", formatIpAddress(17, 16), ErrorCode.Truncated);
  expectEqual("at len", "", errorOffset(), 17);
  store<u8>(ptr + 17, 0x20);
  expectEqual(
    "space in zone",
    "",
    formatIpAddress(18, 16),
    ErrorCode.UnexpectedCharacter,
  );
  expectEqual("at the space", "", errorOffset(), 17);
}

export function testFormatAsksForResultSpace(): void {
  // A zone longer than the result region: the function names the size.
  const zone: usize = resultCapacity();
  const ptr = reserveInput(17 + zone);
  memory.fill(ptr, 0, 16);
  store<u8>(ptr + 16, 0x25);
  memory.fill(ptr + 17, 0x7a, zone);
  const status = formatIpAddress(17 + zone, 16);
  expectEqual("result too small", "", status, ErrorCode.ResultTooSmall);
  expectEqual("needed size", "", errorOffset(), 39 + 1 + zone);
  reserveResult(errorOffset());
  // Reserving moved the input region: write it again.
  const moved = reserveInput(17 + zone);
  memory.fill(moved, 0, 16);
  store<u8>(moved + 16, 0x25);
  memory.fill(moved + 17, 0x7a, zone);
  expectEqual("fits now", "", formatIpAddress(17 + zone, 16), <i32> (3 + zone));
}
