// DNS over TCP (RFC 7766) in the runtime-neutral DNS code: the 2-byte
// length framing, the mismatch kinds the checks report, and the stub
// resolver's fallback from a truncated UDP answer to TCP on a scripted
// transport in virtual time. The real sockets are in host_dns_test.ts.

import {
  checkAddressResponse,
  decodeQuery,
  DnsTcpReader,
  encodeAddressQuery,
  encodeResponse,
  frameDnsTcpMessage,
  resolveAddresses,
} from "../adapters/dns/mod.ts";
import type { DnsDatagramHandlers, DnsMismatchKind, DnsTransport } from "../adapters/dns/mod.ts";
import { MifError } from "../api/errors.ts";
import type { ResolvedFamily, ResolveQuery } from "../api/network_link.ts";
import { VirtualClock } from "../adapters/simulated/virtual_clock.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "./_assert.ts";
import { seededRandom } from "./_random.ts";

// ---------------------------------------------------------------------------
// Framing
// ---------------------------------------------------------------------------

Deno.test("frameDnsTcpMessage puts the length first, most significant byte first", () => {
  const message = new Uint8Array(300).fill(0xa5);
  const framed = frameDnsTcpMessage(message);
  assertEquals([framed[0], framed[1]], [0x01, 0x2c]); // 300
  assertEquals(framed.length, 302);
  assertEquals(framed.subarray(2), message);
  assertEquals([...frameDnsTcpMessage(new Uint8Array(0))], [0, 0]);
  assertEquals(frameDnsTcpMessage(new Uint8Array(0xffff)).length, 0x10001);
  assertThrows(() => frameDnsTcpMessage(new Uint8Array(0x10000)), RangeError, "more than 65535");
});

Deno.test("DnsTcpReader reassembles messages split and joined at any byte", () => {
  const messages = [1, 0, 255, 256, 1200].map((n, i) => new Uint8Array(n).fill(i + 1));
  const stream = new Uint8Array(messages.reduce((sum, m) => sum + m.length + 2, 0));
  let at = 0;
  for (const m of messages) {
    stream.set(frameDnsTcpMessage(m), at);
    at += m.length + 2;
  }
  const random = seededRandom(7);
  for (let round = 0; round < 200; round++) {
    const reader = new DnsTcpReader();
    const out: Uint8Array[] = [];
    for (let from = 0; from < stream.length;) {
      // Chunks of 1 byte to the whole stream, copied so that the reader cannot keep a view.
      const size = round === 0 ? 1 : 1 + Math.floor(random() * (round % 2 ? 8 : stream.length));
      const chunk = stream.slice(from, from + size);
      out.push(...reader.push(chunk));
      chunk.fill(0xee);
      from += size;
    }
    assertEquals(out, messages);
    assertEquals(reader.pending, 0);
  }
});

Deno.test("DnsTcpReader keeps a partial message, the length prefix itself split", () => {
  const reader = new DnsTcpReader();
  assertEquals(reader.push(new Uint8Array([0x00])), []);
  assertEquals(reader.pending, 1);
  assertEquals(reader.push(new Uint8Array([0x03, 0x61])), []);
  assertEquals(reader.pending, 3);
  assertEquals(reader.push(new Uint8Array([0x62, 0x63, 0x00])), [new Uint8Array([0x61, 0x62, 0x63])]);
  assertEquals(reader.pending, 1);
});

// ---------------------------------------------------------------------------
// Mismatch kinds
// ---------------------------------------------------------------------------

Deno.test("checkAddressResponse says which check failed", () => {
  const query = { id: 0x1234, name: "host.example", type: "A" as const };
  const kind = (bytes: Uint8Array): DnsMismatchKind | undefined => {
    const check = checkAddressResponse(bytes, query);
    return check.kind === "mismatch" ? check.mismatch : undefined;
  };
  assertEquals(kind(new Uint8Array([1, 2, 3])), "undecodable");
  assertEquals(kind(encodeAddressQuery(query)), "not-response");
  assertEquals(kind(encodeResponse({ id: 0x1235, question: query })), "identifier");
  assertEquals(kind(encodeResponse({ id: 0x1234, question: { name: "other.example", type: "A" } })), "question");
  assertEquals(kind(encodeResponse({ id: 0x1234, question: { name: "host.example", type: "AAAA" } })), "question");
  const opcode = encodeResponse({ id: 0x1234, question: query });
  opcode[2] = opcode[2]! | (2 << 3); // OPCODE 2 (STATUS)
  assertEquals(kind(opcode), "opcode");
  assertEquals(kind(encodeResponse({ id: 0x1234, question: query })), undefined);
});

// ---------------------------------------------------------------------------
// The stub resolver's TCP fallback
// ---------------------------------------------------------------------------

interface Query {
  readonly id: number;
  readonly name: string;
  readonly type: string;
}

type Script = (server: string, query: Query, handlers: DnsDatagramHandlers) => void;

/** A transport whose UDP and TCP sides follow scripts; each exchange logged as `udp|tcp SERVER TYPE ID`. */
function transport(
  log: string[],
  udp: Script,
  tcp?: Script,
): DnsTransport & { open: () => number } {
  let open = 0;
  const exchange =
    (via: "udp" | "tcp", script: Script) => (server: string, bytes: Uint8Array, handlers: DnsDatagramHandlers) => {
      const query = decodeQuery(bytes)!;
      log.push(`${via} ${server} ${query.type} ${query.id}`);
      let live = true;
      open++;
      script(server, query, {
        onDatagram: (b) => live && handlers.onDatagram(b),
        onUnreachable: (r) => live && handlers.onUnreachable(r),
        onMismatch: (r) => live && handlers.onMismatch?.(r),
      });
      return {
        close: () => {
          if (live) open--;
          live = false;
        },
      };
    };
  return {
    send: exchange("udp", udp),
    ...(tcp ? { sendTcp: exchange("tcp", tcp) } : {}),
    open: () => open,
  };
}

function answer(query: Query, data: readonly string[], truncated = false): Uint8Array {
  return encodeResponse({
    id: query.id,
    question: query,
    answers: data.map((d) => ({ name: query.name, type: query.type as "A" | "AAAA", ttl: 60, data: d })),
    truncated,
  });
}

const DATA: Readonly<Record<string, string[]>> = { A: ["192.0.2.1", "192.0.2.2"], AAAA: ["2001:db8::1"] };

function resolveQuery(dnsServers = ["2001:db8::53"]): ResolveQuery {
  return {
    pvdId: "pvd.example",
    interfaceId: 1,
    name: "big.example",
    dnsServers,
    searchDomains: [],
    sourceAddresses: ["2001:db8::100"],
  };
}

async function collect(answers: AsyncIterable<ResolvedFamily>): Promise<string[]> {
  const out: string[] = [];
  for await (const a of answers) out.push(...a.addresses);
  return out.sort();
}

Deno.test("resolveAddresses asks again over TCP, same server, same query, when a UDP answer is truncated", async () => {
  const clock = new VirtualClock();
  const log: string[] = [];
  const net = transport(
    log,
    // UDP: a truncated answer whose partial data must not be used.
    (_s, q, h) => clock.setTimer(5, () => h.onDatagram(answer(q, ["192.0.2.99"], true))),
    (_s, q, h) => clock.setTimer(10, () => h.onDatagram(answer(q, DATA[q.type]!))),
  );
  const found = await clock.drive(
    collect(resolveAddresses(resolveQuery(), new AbortController().signal, { transport: net, clock })),
  );
  assertEquals(found, ["192.0.2.1", "192.0.2.2", "2001:db8::1"]);
  assertEquals(clock.now(), 15);
  assertEquals(net.open(), 0, "every exchange closed");
  assertEquals(clock.pendingTimers, 0);
  // The same identifier over TCP as over UDP, for each type.
  const byType = (via: string, type: string) => log.find((l) => l.startsWith(`${via} `) && l.includes(` ${type} `));
  for (const type of ["A", "AAAA"]) {
    assertEquals(byType("tcp", type)?.replace("tcp", "udp"), byType("udp", type));
  }
  assertEquals(log.length, 4);
});

Deno.test("resolveAddresses without sendTcp treats a truncated answer as none, and moves on", async () => {
  const clock = new VirtualClock();
  const log: string[] = [];
  const net = transport(log, (server, q, h) => {
    h.onDatagram(server === "2001:db8::53" ? answer(q, [], true) : answer(q, DATA[q.type]!));
  });
  const found = await clock.drive(collect(
    resolveAddresses(resolveQuery(["2001:db8::53", "2001:db8::54"]), new AbortController().signal, {
      transport: net,
      clock,
    }),
  ));
  assertEquals(found, ["192.0.2.1", "192.0.2.2", "2001:db8::1"]);
  assert(log.every((l) => l.startsWith("udp ")), log.join());
  // And the error says it, when no server does better.
  const failed = collect(resolveAddresses(resolveQuery(), new AbortController().signal, {
    transport: transport([], (_s, q, h) => h.onDatagram(answer(q, [], true))),
    clock,
    attempts: 1,
  }));
  const error = await assertRejects(() => clock.drive(failed), MifError);
  assert(
    error.message.endsWith("servers tried: 2001:db8::53 (truncated, and the transport has no TCP)"),
    error.message,
  );
});

Deno.test("resolveAddresses: TCP refused, timed out or truncated again is that server's failure, not an unreachable UDP", async () => {
  for (
    const [name, tcp, expected, time] of [
      [
        "refused",
        (_s, _q, h) => h.onUnreachable("refused"),
        "truncated over UDP, then over TCP unreachable: refused",
        0,
      ],
      ["silent", () => {}, "truncated over UDP, then over TCP timed out", 2_000],
      ["truncated", (_s, q, h) => h.onDatagram(answer(q, [], true)), "truncated over UDP and over TCP", 0],
      ["NXDOMAIN", (_s, q, h) => h.onDatagram(encodeResponse({ id: q.id, question: q, rcode: "NXDOMAIN" })), "", 0],
    ] as [string, Script, string, number][]
  ) {
    const clock = new VirtualClock();
    const log: string[] = [];
    const net = transport(log, (_s, q, h) => h.onDatagram(answer(q, [], true)), tcp);
    const pending = collect(resolveAddresses(resolveQuery(), new AbortController().signal, {
      transport: net,
      clock,
      timeoutMs: 1_000,
      attempts: 2,
    }));
    const error = await assertRejects(() => clock.drive(pending), MifError);
    assertEquals((error as MifError).code, "resolution-failed", name);
    if (name === "NXDOMAIN") {
      assert(error.message.includes("name does not exist"), error.message);
      assertEquals(log.length, 4, `${name}: final over TCP: ${log.join()}`);
      continue;
    }
    assert(error.message.endsWith(`servers tried: 2001:db8::53 (${expected})`), `${name}: ${error.message}`);
    // Two rounds: the server is asked over UDP again in the second.
    assertEquals(log.filter((l) => l.startsWith("udp ")).length, 4, `${name}: ${log.join()}`);
    assertEquals(log.filter((l) => l.startsWith("tcp ")).length, 4, `${name}: ${log.join()}`);
    assertEquals(clock.now(), time, name);
    assertEquals(net.open(), 0);
  }
});

Deno.test("resolveAddresses ignores and reports messages over TCP that are not the response", async () => {
  const clock = new VirtualClock();
  const ignored: string[] = [];
  const net = transport(
    [],
    (_s, q, h) => {
      // A datagram from elsewhere, as a transport reports it, then the truncated answer.
      h.onMismatch?.("came from [2001:db8::66]:53, not [2001:db8::53]:53");
      h.onDatagram(answer(q, [], true));
    },
    (_s, q, h) => {
      h.onDatagram(answer({ ...q, id: q.id ^ 1 }, ["2001:db8::bad"]));
      clock.setTimer(1, () => h.onDatagram(answer(q, DATA[q.type]!)));
    },
  );
  const found = await clock.drive(collect(resolveAddresses(resolveQuery(), new AbortController().signal, {
    transport: net,
    clock,
    onMismatch: (server, reason, kind) => ignored.push(`${server} ${kind}: ${reason}`),
  })));
  assertEquals(found, ["192.0.2.1", "192.0.2.2", "2001:db8::1"]);
  assertEquals(ignored.filter((i) => i.includes(" source: came from [2001:db8::66]:53")).length, 2);
  assertEquals(ignored.filter((i) => i.startsWith("2001:db8::53 identifier: identifier ")).length, 2);
  assertEquals(ignored.length, 4);
});

Deno.test("resolveAddresses stops a TCP exchange in flight when aborted", async () => {
  const clock = new VirtualClock();
  const net = transport([], (_s, q, h) => h.onDatagram(answer(q, [], true)), () => {});
  const controller = new AbortController();
  const pending = collect(resolveAddresses(resolveQuery(), controller.signal, { transport: net, clock }));
  clock.setTimer(100, () => controller.abort(new Error("stop")));
  const error = await assertRejects(() => clock.drive(pending), MifError);
  assertEquals((error as MifError).code, "aborted");
  assertEquals(net.open(), 0);
  assertEquals(clock.pendingTimers, 0);
});
