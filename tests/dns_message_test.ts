import {
  checkAddressResponse,
  decodeQuery,
  encodeAddressQuery,
  encodeResponse,
  normalizeDnsName,
  resolveAddresses,
  searchCandidates,
} from "../adapters/dns/mod.ts";
import type { DnsDatagramHandlers, DnsTransport } from "../adapters/dns/mod.ts";
import { MifError } from "../api/errors.ts";
import type { ResolvedFamily, ResolveQuery } from "../api/network_link.ts";
import { VirtualClock } from "../adapters/simulated/virtual_clock.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "./_sim_assert.ts";

const QUERY = { id: 0xbeef, name: "host.example.com", type: "AAAA" as const };

/** `host.example.com` as a wire-format name. */
// deno-fmt-ignore
const HOST_EXAMPLE_COM = [
  4, ...ascii("host"),
  7, ...ascii("example"),
  3, ...ascii("com"),
  0, // root
];

function ascii(text: string): number[] {
  return [...text].map((c) => c.charCodeAt(0));
}

Deno.test("encodeAddressQuery writes the RFC 1035 header and question", () => {
  const bytes = encodeAddressQuery(QUERY);
  // deno-fmt-ignore
  const expected = new Uint8Array([
    0xbe, 0xef, // ID
    0x01, 0x00, // QR=0, OPCODE=QUERY, RD=1, RCODE=0
    0x00, 0x01, // QDCOUNT
    0x00, 0x00, // ANCOUNT
    0x00, 0x00, // NSCOUNT
    0x00, 0x00, // ARCOUNT
    ...HOST_EXAMPLE_COM,
    0x00, 0x1c, // QTYPE AAAA (28)
    0x00, 0x01, // QCLASS IN
  ]);
  assertEquals(bytes, expected);
});

Deno.test("encodeAddressQuery normalises the name and checks the identifier", () => {
  assertEquals(
    encodeAddressQuery({ ...QUERY, name: "HOST.Example.com." }),
    encodeAddressQuery(QUERY),
  );
  assertThrows(
    () => encodeAddressQuery({ ...QUERY, id: 0x10000 }),
    RangeError,
    "65535",
  );
  assertThrows(() => encodeAddressQuery({ ...QUERY, id: -1 }), RangeError);
});

Deno.test("normalizeDnsName enforces the RFC 1035 limits", () => {
  assertEquals(normalizeDnsName("WWW.Example.ORG."), "www.example.org");
  assertThrows(() => normalizeDnsName(""), SyntaxError, "empty");
  assertThrows(() => normalizeDnsName("."), SyntaxError, "empty");
  assertThrows(() => normalizeDnsName("a..b"), SyntaxError, "empty label");
  assertThrows(
    () => normalizeDnsName(`${"a".repeat(64)}.example`),
    SyntaxError,
    "63 bytes",
  );
  normalizeDnsName(`${"a".repeat(63)}.example`);
  const long = Array.from({ length: 64 }, () => "abc").join(".");
  assertThrows(() => normalizeDnsName(long), SyntaxError, "253");
});

Deno.test("decodeQuery round-trips a query and drops what is not one", () => {
  assertEquals(decodeQuery(encodeAddressQuery(QUERY)), {
    id: 0xbeef,
    name: "host.example.com",
    type: "AAAA",
  });
  // A response is not a query.
  assertEquals(
    decodeQuery(
      encodeResponse({ id: 1, question: { name: "a.example", type: "A" } }),
    ),
    undefined,
  );
  // Truncated header, truncated question.
  assertEquals(decodeQuery(new Uint8Array([1, 2, 3])), undefined);
  assertEquals(decodeQuery(encodeAddressQuery(QUERY).slice(0, 20)), undefined);
  // Two questions.
  const two = encodeAddressQuery(QUERY);
  const doubled = new Uint8Array([...two, ...two.slice(12)]);
  doubled[5] = 2;
  assertEquals(decodeQuery(doubled), undefined);
});

Deno.test("encodeResponse puts the RCODE in the low bits and sets QR, AA, RA", () => {
  const bytes = encodeResponse({
    id: 7,
    question: { name: "a.example", type: "A" },
    rcode: "NXDOMAIN",
  });
  assertEquals(bytes[2]! & 0x80, 0x80, "QR");
  assertEquals(bytes[2]! & 0x04, 0x04, "AA");
  assertEquals(bytes[3]! & 0x80, 0x80, "RA");
  assertEquals(bytes[3]! & 0x0f, 3, "RCODE");
  const truncated = encodeResponse({
    id: 7,
    question: { name: "a.example", type: "A" },
    truncated: true,
  });
  assertEquals(truncated[2]! & 0x02, 0x02, "TC");
});

function respond(
  overrides: Partial<Parameters<typeof encodeResponse>[0]> = {},
): Uint8Array {
  return encodeResponse({
    id: QUERY.id,
    question: { name: QUERY.name, type: QUERY.type },
    answers: [
      { name: QUERY.name, type: "AAAA", ttl: 300, data: "2001:DB8:0:0::80" },
      { name: QUERY.name, type: "AAAA", ttl: 60, data: "2001:db8::81" },
    ],
    ...overrides,
  });
}

Deno.test("checkAddressResponse extracts canonical addresses and the smallest TTL", () => {
  assertEquals(checkAddressResponse(respond(), QUERY), {
    kind: "answer",
    addresses: ["2001:db8::80", "2001:db8::81"],
    ttl: 60,
  });
});

Deno.test("checkAddressResponse rejects a response with another identifier", () => {
  const result = checkAddressResponse(respond({ id: QUERY.id ^ 1 }), QUERY);
  assertEquals(result.kind, "mismatch");
  assert(result.kind === "mismatch" && result.reason.includes("identifier"));
});

Deno.test("checkAddressResponse rejects a response to another question", () => {
  for (
    const question of [{ name: "evil.example.com", type: "AAAA" }, {
      name: QUERY.name,
      type: "A",
    }]
  ) {
    const result = checkAddressResponse(respond({ question }), QUERY);
    assert(
      result.kind === "mismatch" && result.reason.includes("question"),
      JSON.stringify(question),
    );
  }
});

Deno.test("checkAddressResponse rejects the query reflected back", () => {
  const result = checkAddressResponse(encodeAddressQuery(QUERY), QUERY);
  assert(result.kind === "mismatch" && result.reason === "not a response");
});

Deno.test("checkAddressResponse rejects a single label posing as two", () => {
  // The question as two labels, "host.example" (with a dot byte inside) and
  // "com": it decodes to the same text but is another name.
  const forged = respond();
  // deno-fmt-ignore
  const question = [
    12, ...ascii("host.example"),
    3, ...ascii("com"),
    0, // root
    0x00, 0x1c, // QTYPE AAAA
    0x00, 0x01, // QCLASS IN
  ];
  const bytes = new Uint8Array([
    ...forged.slice(0, 12),
    ...question,
    ...forged.slice(12 + HOST_EXAMPLE_COM.length + 4),
  ]);
  const result = checkAddressResponse(bytes, QUERY);
  // It decodes fine (to the same text): only the byte comparison catches it.
  assert(
    result.kind === "mismatch" &&
      result.reason === "question differs from the query",
    JSON.stringify(result),
  );
});

Deno.test("checkAddressResponse accepts a question in mixed case (DNS 0x20)", () => {
  const bytes = respond({
    question: { name: "HoSt.ExAmPlE.cOm", type: "AAAA" },
  });
  assertEquals(checkAddressResponse(bytes, QUERY).kind, "answer");
});

Deno.test("checkAddressResponse treats undecodable bytes as a mismatch", () => {
  assertEquals(
    checkAddressResponse(new Uint8Array([0xbe, 0xef]), QUERY).kind,
    "mismatch",
  );
  const cut = respond().slice(0, 40);
  assertEquals(checkAddressResponse(cut, QUERY).kind, "mismatch");
});

Deno.test("checkAddressResponse reports NXDOMAIN, failures, truncation and no data", () => {
  assertEquals(
    checkAddressResponse(respond({ rcode: "NXDOMAIN", answers: [] }), QUERY),
    { kind: "nxdomain" },
  );
  assertEquals(
    checkAddressResponse(respond({ rcode: "SERVFAIL", answers: [] }), QUERY),
    {
      kind: "server-failure",
      rcode: "SERVFAIL",
    },
  );
  assertEquals(
    checkAddressResponse(respond({ rcode: "REFUSED", answers: [] }), QUERY),
    {
      kind: "server-failure",
      rcode: "REFUSED",
    },
  );
  assertEquals(checkAddressResponse(respond({ truncated: true }), QUERY), {
    kind: "truncated",
  });
  assertEquals(checkAddressResponse(respond({ answers: [] }), QUERY), {
    kind: "no-data",
  });
});

Deno.test("checkAddressResponse ignores records for other names and of other types", () => {
  const bytes = respond({
    answers: [
      {
        name: "victim.example.net",
        type: "AAAA",
        ttl: 300,
        data: "2001:db8::666",
      },
      { name: QUERY.name, type: "A", ttl: 300, data: "192.0.2.66" },
    ],
  });
  assertEquals(checkAddressResponse(bytes, QUERY), { kind: "no-data" });
});

Deno.test("checkAddressResponse follows a CNAME chain inside the answer", () => {
  const bytes = respond({
    answers: [
      { name: QUERY.name, type: "CNAME", ttl: 100, data: "edge.cdn.example" },
      {
        name: "edge.cdn.example",
        type: "CNAME",
        ttl: 200,
        data: "node7.cdn.example",
      },
      {
        name: "node7.cdn.example",
        type: "AAAA",
        ttl: 50,
        data: "2001:db8:7::1",
      },
      {
        name: "unrelated.example",
        type: "AAAA",
        ttl: 50,
        data: "2001:db8:bad::1",
      },
    ],
  });
  assertEquals(checkAddressResponse(bytes, QUERY), {
    kind: "answer",
    addresses: ["2001:db8:7::1"],
    ttl: 50,
  });
});

Deno.test("searchCandidates follows ndots:1", () => {
  assertEquals(searchCandidates("printer", ["corp.example", "example"]), [
    "printer.corp.example",
    "printer.example",
    "printer",
  ]);
  assertEquals(searchCandidates("www.example.com", ["corp.example"]), [
    "www.example.com",
    "www.example.com.corp.example",
  ]);
  assertEquals(searchCandidates("www.example.com.", ["corp.example"]), [
    "www.example.com",
  ]);
  assertThrows(() => searchCandidates("a..b", []), SyntaxError);
});

// ---------------------------------------------------------------------------
// resolveAddresses over a scripted transport
// ---------------------------------------------------------------------------

type Script = (
  server: string,
  query: { id: number; name: string; type: string },
  handlers: DnsDatagramHandlers,
) => void;

function scriptedTransport(
  clock: VirtualClock,
  script: Script,
  log: string[] = [],
): DnsTransport {
  return {
    send(server, bytes, handlers) {
      const query = decodeQuery(bytes)!;
      log.push(`${clock.now()} ${server} ${query.type} ${query.name}`);
      let open = true;
      script(server, query, {
        onDatagram: (b) => open && handlers.onDatagram(b),
        onUnreachable: (r) => open && handlers.onUnreachable(r),
      });
      return { close: () => (open = false) };
    },
  };
}

function resolveQuery(overrides: Partial<ResolveQuery> = {}): ResolveQuery {
  return {
    pvdId: "pvd.example",
    interfaceId: 1,
    name: "host.example.com",
    dnsServers: ["2001:db8::53"],
    searchDomains: [],
    sourceAddresses: ["2001:db8::100"],
    ...overrides,
  };
}

async function collect(iterable: AsyncIterable<ResolvedFamily>): Promise<string[]> {
  const out: string[] = [];
  for await (const answer of iterable) out.push(...answer.addresses);
  return out;
}

function answer(
  query: { id: number; name: string; type: string },
  data: string[],
): Uint8Array {
  return encodeResponse({
    id: query.id,
    question: query,
    answers: data.map((d) => ({
      name: query.name,
      type: query.type as "A" | "AAAA",
      ttl: 60,
      data: d,
    })),
  });
}

Deno.test("resolveAddresses throws no-dns-servers for an empty list", async () => {
  const clock = new VirtualClock();
  const transport = scriptedTransport(clock, () => {});
  const error = await assertRejects(
    collect(
      resolveAddresses(
        resolveQuery({ dnsServers: [] }),
        new AbortController().signal,
        { transport, clock },
      ),
    ),
    MifError,
    "pvd.example",
  );
  assertEquals(error.code, "no-dns-servers");
});

Deno.test("resolveAddresses turns an invalid name into resolution-failed", async () => {
  const clock = new VirtualClock();
  const transport = scriptedTransport(clock, () => {});
  const error = await assertRejects(
    collect(
      resolveAddresses(
        resolveQuery({ name: "bad..name" }),
        new AbortController().signal,
        { transport, clock },
      ),
    ),
    MifError,
  );
  assertEquals(error.code, "resolution-failed");
});

Deno.test("resolveAddresses moves on at once from a server reported unreachable", async () => {
  const clock = new VirtualClock();
  const log: string[] = [];
  const transport = scriptedTransport(clock, (server, query, handlers) => {
    if (server === "2001:db8::1") handlers.onUnreachable("no route");
    else {handlers.onDatagram(
        answer(query, query.type === "A" ? ["192.0.2.1"] : ["2001:db8::1:1"]),
      );}
  }, log);
  const query = resolveQuery({ dnsServers: ["2001:db8::1", "2001:db8::2"] });
  const found = await collect(
    resolveAddresses(query, new AbortController().signal, { transport, clock }),
  );
  assertEquals(found.sort(), ["192.0.2.1", "2001:db8::1:1"]);
  assertEquals(clock.now(), 0, "no timeout waited");
  assertEquals(log.length, 4);
});

Deno.test("resolveAddresses ignores forged datagrams and keeps waiting", async () => {
  const clock = new VirtualClock();
  const ignored: string[] = [];
  const transport = scriptedTransport(clock, (_server, query, handlers) => {
    clock.setTimer(
      5,
      () =>
        handlers.onDatagram(
          answer({ ...query, id: query.id ^ 0xffff }, ["2001:db8::bad"]),
        ),
    );
    clock.setTimer(
      6,
      () =>
        handlers.onDatagram(
          answer({ ...query, name: "other.example" }, ["2001:db8::bad"]),
        ),
    );
    clock.setTimer(
      10,
      () =>
        handlers.onDatagram(
          answer(query, query.type === "A" ? [] : ["2001:db8::1"]),
        ),
    );
  });
  const found = await clock.drive(
    collect(resolveAddresses(resolveQuery(), new AbortController().signal, {
      transport,
      clock,
      onMismatch: (_server, reason) => ignored.push(reason),
    })),
  );
  assertEquals(found, ["2001:db8::1"]);
  assertEquals(ignored.length, 4, "two forgeries for each of A and AAAA");
  assertEquals(clock.now(), 10);
});

Deno.test("resolveAddresses tries search domains until one answers", async () => {
  const clock = new VirtualClock();
  const log: string[] = [];
  const transport = scriptedTransport(clock, (_server, query, handlers) => {
    if (query.name === "printer.b.example" && query.type === "A") {
      handlers.onDatagram(answer(query, ["192.0.2.9"]));
    } else if (query.name === "printer.b.example") {
      handlers.onDatagram(answer(query, []));
    } else {handlers.onDatagram(
        encodeResponse({ id: query.id, question: query, rcode: "NXDOMAIN" }),
      );}
  }, log);
  const query = resolveQuery({
    name: "printer",
    searchDomains: ["a.example", "b.example"],
  });
  const found = await collect(
    resolveAddresses(query, new AbortController().signal, { transport, clock }),
  );
  assertEquals(found, ["192.0.2.9"]);
  assertEquals(log.map((l) => l.split(" ").slice(2).join(" ")), [
    "AAAA printer.a.example",
    "A printer.a.example",
    "AAAA printer.b.example",
    "A printer.b.example",
  ]);
});

Deno.test("resolveAddresses stops with aborted when the signal fires, leaving no timer", async () => {
  const clock = new VirtualClock();
  const transport = scriptedTransport(clock, () => {}); // a silent server
  const controller = new AbortController();
  const pending = collect(
    resolveAddresses(resolveQuery(), controller.signal, {
      transport,
      clock,
      timeoutMs: 1000,
    }),
  );
  pending.catch(() => {});
  await clock.tick(500);
  assertEquals(clock.pendingTimers, 2, "one timeout each for A and AAAA");
  controller.abort();
  const error = await assertRejects(pending, MifError);
  assertEquals(error.code, "aborted");
  assertEquals(clock.pendingTimers, 0);
});

Deno.test("resolveAddresses names the PvD, the reason and the servers when it fails", async () => {
  const clock = new VirtualClock();
  const transport = scriptedTransport(clock, (server, query, handlers) => {
    if (server === "192.0.2.53") {
      handlers.onDatagram(
        encodeResponse({ id: query.id, question: query, rcode: "SERVFAIL" }),
      );
    }
  });
  const query = resolveQuery({ dnsServers: ["2001:db8::53", "192.0.2.53"] });
  const pending = collect(
    resolveAddresses(query, new AbortController().signal, {
      transport,
      clock,
      timeoutMs: 1000,
    }),
  );
  pending.catch(() => {});
  await clock.runAll();
  const error = await assertRejects(pending, MifError);
  assertEquals(error.code, "resolution-failed");
  assertEquals(
    error.message,
    'Cannot resolve "host.example.com" in provisioning domain "pvd.example": no DNS server answered; ' +
      "servers tried: 2001:db8::53 (timed out), 192.0.2.53 (SERVFAIL)",
  );
  // Two rounds, each waiting one timeout on the silent server.
  assertEquals(clock.now(), 2000);
});

Deno.test("resolveAddresses fails cleanly when the identifier source throws", async () => {
  const clock = new VirtualClock();
  const transport = scriptedTransport(clock, () => {});
  const error = await assertRejects(
    collect(resolveAddresses(resolveQuery(), new AbortController().signal, {
      transport,
      clock,
      randomId: () => {
        throw new Error("no entropy");
      },
    })),
    MifError,
    "servers tried: none",
  );
  assertEquals(error.code, "resolution-failed");
  assertEquals(clock.pendingTimers, 0);
});

Deno.test("resolveAddresses answers each family once, as it arrives; a negative one once the name has an address", async () => {
  const clock = new VirtualClock();
  // AAAA: no data at once; A: an answer 30 ms later.
  const transport = scriptedTransport(clock, (_server, query, handlers) => {
    if (query.type === "AAAA") handlers.onDatagram(answer(query, []));
    else clock.setTimer(30, () => handlers.onDatagram(answer(query, ["192.0.2.9", "192.0.2.8", "192.0.2.9"])));
  });
  const seen: string[] = [];
  await clock.drive((async () => {
    for await (const a of resolveAddresses(resolveQuery(), new AbortController().signal, { transport, clock })) {
      seen.push(`${clock.now()} ${a.family}: ${a.addresses.join(",")}`);
    }
  })());
  // The empty AAAA is only final when A proves the name exists: both at 30 ms.
  assertEquals(seen, ["30 6: ", "30 4: 192.0.2.9,192.0.2.8"]);

  // Only the families asked for are looked up.
  const log: string[] = [];
  const only4 = scriptedTransport(
    clock,
    (_s, query, handlers) => handlers.onDatagram(answer(query, ["192.0.2.7"])),
    log,
  );
  const found = await clock.drive(
    collect(
      resolveAddresses(resolveQuery({ families: [4] }), new AbortController().signal, { transport: only4, clock }),
    ),
  );
  assertEquals(found, ["192.0.2.7"]);
  assertEquals(log.map((l) => l.split(" ")[2]), ["A"]);
});
