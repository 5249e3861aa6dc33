// The vectors of ../shared/captures/vectors.json that are whole packets
// (kinds "ethernet-frame", "ipv4-packet", "ipv6-packet": gopacket and scapy
// tests). Each goes into a capture file of its link type, through the
// capture reader, then the parser of what it carries; the result must agree
// with what tshark 4.0.17 decoded of the same bytes (the vector's
// `tshark_4_0_17`): the kind of message, its message type and its option
// codes in order. The option and message vectors run in the per-protocol
// vector tests.

import { buildCapture, readCapture } from "../core-as/capture.ts";
import { parseDhcpv4 } from "../core-as/dhcpv4.ts";
import { type Dhcpv6Message, parseDhcpv6 } from "../core-as/dhcpv6.ts";
import { parseRouterAdvertisement } from "../core-as/router_advertisement.ts";
import { assertEquals } from "./_assert.ts";

interface Vector {
  readonly id: string;
  readonly kind: string;
  readonly hex: string;
  readonly tshark_4_0_17?: Record<string, string>;
}

const KINDS: Record<string, number> = { "ethernet-frame": 1, "ipv4-packet": 101, "ipv6-packet": 101 };
const file = new URL("../../shared/captures/vectors.json", import.meta.url);
let vectors: Vector[] = [];
try {
  vectors = (JSON.parse(await Deno.readTextFile(file)) as { vectors: Vector[] }).vectors
    .filter((v) => v.kind in KINDS);
} catch (error) {
  if (!(error instanceof Deno.errors.NotFound)) throw error;
}

const hexBytes = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
/** tshark's comma-separated codes, without Pad (0) and End (255), which it lists among DHCPv4 options. */
const codes = (list: string | undefined) =>
  (list ?? "").split(",").filter((c) => c !== "" && c !== "0" && c !== "255").map(Number);

Deno.test({
  name: "packet vectors: there are eleven, and every one is run",
  ignore: vectors.length === 0,
  fn: () => assertEquals(vectors.length, 11),
});

for (const vector of vectors) {
  Deno.test({
    name: `packet vector ${vector.id}`,
    fn: () => {
      const capture = readCapture(
        buildCapture({ packets: [{ data: hexBytes(vector.hex), linkType: KINDS[vector.kind]! }] }),
      );
      assertEquals(capture.packets.length, 1);
      const packet = capture.packets[0]!;
      const tshark = vector.tshark_4_0_17 ?? {};
      const protocols = tshark.protocols ?? "";
      if (protocols.endsWith(":icmpv6")) {
        assertEquals(packet.kind, "router-advertisement");
        const ra = parseRouterAdvertisement(packet.payload!);
        if (tshark.nd_option_types !== undefined) {
          const byName: Record<string, number> = {
            "source-link-layer-address": 1,
            "prefix-information": 3,
            mtu: 5,
          };
          assertEquals(
            ra.options.map((o) => typeof o.type === "number" ? o.type : byName[o.type] ?? -1),
            codes(tshark.nd_option_types),
          );
        }
      } else if (protocols.endsWith(":dhcp")) {
        assertEquals(packet.kind, "dhcpv4");
        const message = parseDhcpv4(packet.payload!);
        if (tshark.dhcpv4_msgtype !== undefined) {
          assertEquals(message.messageType?.type, Number(tshark.dhcpv4_msgtype));
        }
        // tshark lists each option instance; ours are concatenated per code (RFC 3396), in first-seen order.
        const seen = [...new Set(codes(tshark.dhcpv4_option_types))];
        assertEquals(message.options.map((o) => o.type), seen);
      } else if (protocols.endsWith(":dhcpv6")) {
        assertEquals(packet.kind, "dhcpv6");
        const types: number[] = [];
        for (
          let m: Dhcpv6Message | undefined = parseDhcpv6(packet.payload!);
          m;
          m = "message" in m ? m.message : undefined
        ) {
          types.push(m.type);
        }
        assertEquals(types, codes(tshark.dhcpv6_msgtypes));
      } else {
        throw new Error(`no expectation for ${protocols}`);
      }
    },
  });
}
