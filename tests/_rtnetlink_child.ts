/**
 * The process tests/deno_rtnetlink_test.ts (and the fixture capture,
 * tests/fixtures/netlink/capture.ts) run inside a network namespace of their
 * own, with `ip netns exec NS deno run --allow-ffi tests/_rtnetlink_child.ts`:
 *
 * - `watch [--rcvbuf BYTES]`: watches with `rtnetlinkSource` and prints one
 *   JSON line per event on stdout: `ready`, `change` (with what a read then
 *   sees), `nd` (an ND user option), `overrun`, `error`, `stopped`. Reads
 *   commands from stdin, one per line: `block MS` keeps the event loop busy
 *   for MS milliseconds (so that notifications pile up in the socket),
 *   `stop` stops watching and exits.
 * - `send-ra IFNAME HEX`: sends the ICMPv6 message HEX (a Router
 *   Advertisement; the kernel fills in the checksum) to ff02::1 on IFNAME
 *   from a raw socket, through FFI.
 * - `dump KIND FAMILY`: prints the raw bytes of a dump (KIND link, address
 *   or route; FAMILY 0, 4 or 6) as hex, for fixtures.
 * - `listen MS`: prints every datagram the watch groups deliver within MS
 *   milliseconds, as `{"datagram": HEX}` lines, for fixtures.
 *
 * @module
 */

import { buildDumpRequest, type NetlinkDumpKind, parseNetlinkMessages } from "../core-as/netlink.ts";
import { openLibcNetlink, rtnetlinkSource } from "../adapters/deno/rtnetlink.ts";

const [mode, ...args] = Deno.args;

/** JSON with Infinity kept readable and bytes as hex. */
function line(value: unknown): void {
  console.log(JSON.stringify(value, (_key, v) => {
    if (v === Infinity) return "Infinity";
    if (v instanceof Uint8Array) return hex(v);
    return v;
  }));
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function watch(): Promise<void> {
  const rcvbuf = args[0] === "--rcvbuf" ? Number(args[1]) : undefined;
  const started = performance.now();
  const at = () => Math.round(performance.now() - started);
  let reading = false;
  let again = false;
  const source = rtnetlinkSource({
    ...(rcvbuf === undefined ? {} : { receiveBufferSize: rcvbuf }),
    onNdUserOption: (message) => line({ event: "nd", at: at(), ...message }),
    onOverrun: () => line({ event: "overrun", at: at() }),
    onError: (error) => line({ event: "error", at: at(), message: String(error) }),
  });
  const changed = async () => {
    const when = at();
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      const facts = await source.read();
      line({ event: "change", at: when, ...facts });
    } catch (error) {
      line({ event: "error", at: when, message: String(error) });
    } finally {
      reading = false;
      if (again) {
        again = false;
        changed();
      }
    }
  };
  const stop = source.watch(() => void changed());
  line({ event: "ready", at: at() });
  const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
  let pending = "";
  for await (const chunk of lines) {
    pending += chunk;
    let newline;
    while ((newline = pending.indexOf("\n")) !== -1) {
      const command = pending.slice(0, newline).trim().split(/\s+/);
      pending = pending.slice(newline + 1);
      if (command[0] === "block") {
        // Busy on purpose: nothing reads the socket meanwhile.
        const until = performance.now() + Number(command[1]);
        while (performance.now() < until) { /* spin */ }
        line({ event: "unblocked", at: at() });
      } else if (command[0] === "stop") {
        const before = performance.now();
        await stop();
        line({ event: "stopped", at: at(), ms: performance.now() - before });
        return;
      }
    }
  }
  await stop();
}

function sendRa(): void {
  const [ifname, message] = args;
  if (ifname === undefined || message === undefined) throw new Error("usage: send-ra IFNAME HEX");
  const libc = Deno.dlopen(
    "libc.so.6",
    {
      socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
      setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
      sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "isize" },
      if_nametoindex: { parameters: ["buffer"], result: "u32" },
      close: { parameters: ["i32"], result: "i32" },
    } as const,
  );
  try {
    const ifindex = libc.symbols.if_nametoindex(new TextEncoder().encode(ifname + "\0"));
    if (ifindex === 0) throw new Error(`no link ${ifname}`);
    // AF_INET6, SOCK_RAW, IPPROTO_ICMPV6: the kernel computes the checksum.
    const fd = libc.symbols.socket(10, 3, 58);
    if (fd < 0) throw new Error("cannot open a raw ICMPv6 socket");
    const int = (value: number) => new Uint8Array(new Int32Array([value]).buffer);
    // IPPROTO_IPV6: IPV6_MULTICAST_HOPS 255 (RFC 4861 section 6.1.2), IPV6_MULTICAST_IF.
    libc.symbols.setsockopt(fd, 41, 18, int(255), 4);
    libc.symbols.setsockopt(fd, 41, 17, int(ifindex), 4);
    // struct sockaddr_in6: family, port, flowinfo, ff02::1, scope id.
    const to = new Uint8Array(28);
    const view = new DataView(to.buffer);
    view.setUint16(0, 10, true);
    to.set([0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 8);
    view.setUint32(24, ifindex, true);
    const bytes = Uint8Array.from(message.match(/../g) ?? [], (h) => parseInt(h, 16));
    const sent = Number(libc.symbols.sendto(fd, bytes, BigInt(bytes.length), 0, to, 28));
    libc.symbols.close(fd);
    if (sent !== bytes.length) throw new Error(`sendto returned ${sent}`);
    line({ sent });
  } finally {
    libc.close();
  }
}

async function dump(): Promise<void> {
  const kind = args[0] as NetlinkDumpKind;
  const family = Number(args[1]);
  const calls = openLibcNetlink();
  const fd = calls.open(0, []);
  try {
    calls.send(fd, buildDumpRequest(kind, family === 0 ? { seq: 1 } : { family: family as 4 | 6, seq: 1 }));
    const buffer = new Uint8Array(65536);
    const chunks: Uint8Array[] = [];
    for (;;) {
      const received = calls.receive(fd, buffer);
      if (received === "empty") {
        if (await calls.wait(fd, -1, 2000) === "timeout") throw new Error("no answer");
        continue;
      }
      if (received === "overrun") throw new Error("overrun");
      const datagram = buffer.slice(0, received);
      chunks.push(datagram);
      if (parseNetlinkMessages(datagram).some((m) => m.type === "done" || m.type === "error")) break;
    }
    console.log(chunks.map(hex).join(""));
  } finally {
    calls.close(fd);
    calls.dispose();
  }
}

async function listen(): Promise<void> {
  const ms = Number(args[0]);
  const calls = openLibcNetlink();
  const fd = calls.open(0x1 | 0x10 | 0x100 | 0x40 | 0x400, [20]);
  line({ event: "ready" });
  const deadline = Date.now() + ms;
  const buffer = new Uint8Array(65536);
  try {
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      if (await calls.wait(fd, -1, left) !== "readable") continue;
      for (;;) {
        const received = calls.receive(fd, buffer);
        if (typeof received !== "number") break;
        line({ datagram: hex(buffer.subarray(0, received)) });
      }
    }
  } finally {
    calls.close(fd);
    calls.dispose();
  }
}

switch (mode) {
  case "watch":
    await watch();
    break;
  case "send-ra":
    sendRa();
    break;
  case "dump":
    await dump();
    break;
  case "listen":
    await listen();
    break;
  default:
    throw new Error("usage: _rtnetlink_child.ts watch|send-ra|dump|listen ...");
}
