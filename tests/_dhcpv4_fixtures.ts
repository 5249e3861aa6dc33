// DHCPv4 fixtures shared by the parser tests (core_dhcpv4_test.ts) and the
// configuration data tests (configuration_from_packets_test.ts): helpers and
// byte fixtures, field by field.

// ---------------------------------------------------------------------------
// Helpers

/** One field of a fixture: a byte or bytes. */
export type Group = number | readonly number[] | Uint8Array;

/** Concatenates byte groups; each group is one field, commented where used. */
export function bytes(...groups: Group[]): Uint8Array {
  const out: number[] = [];
  for (const group of groups) {
    if (typeof group === "number") out.push(group);
    else out.push(...group);
  }
  return new Uint8Array(out);
}

/** `n` zero bytes. */
export function zeros(n: number): number[] {
  return new Array<number>(n).fill(0);
}

/** The character codes of ASCII text. */
export function ascii(text: string): number[] {
  return [...text].map((c) => c.charCodeAt(0));
}

/** Pads a message with zeros to `length` bytes (BOOTP's 300 by default). */
export function padTo(message: Uint8Array, length = 300): Uint8Array {
  if (message.length >= length) return message;
  const out = new Uint8Array(length);
  out.set(message);
  return out;
}

/** The 236-byte fixed header of a BOOTREQUEST from 02:00:00:00:00:01. */
export function requestHeader(xid: readonly number[] = [0x39, 0x03, 0xf3, 0x26]): Group[] {
  return [
    0x01, // op: BOOTREQUEST
    0x01, // htype: Ethernet
    0x06, // hlen: 6
    0x00, // hops
    xid, // xid
    [0x00, 0x00], // secs
    [0x80, 0x00], // flags: broadcast
    [0, 0, 0, 0], // ciaddr
    [0, 0, 0, 0], // yiaddr
    [0, 0, 0, 0], // siaddr
    [0, 0, 0, 0], // giaddr
    [0x02, 0, 0, 0, 0, 0x01], // chaddr: the client's MAC
    zeros(10), // chaddr padding to 16 bytes
    zeros(64), // sname
    zeros(128), // file
  ];
}

/** The magic cookie 99.130.83.99 (RFC 2131 section 3). */
export const COOKIE = [99, 130, 83, 99];

// ---------------------------------------------------------------------------
// Byte fixtures, field by field

/** A DHCPDISCOVER as a client sends it, padded to 300 bytes. */
export const DISCOVER = padTo(bytes(
  ...requestHeader(),
  COOKIE,
  [53, 1, 1], // DHCP Message Type: DHCPDISCOVER
  [61, 7, 1, 0x02, 0, 0, 0, 0, 0x01], // Client-identifier: type 1 (Ethernet) + MAC
  [50, 4, 192, 0, 2, 10], // Requested IP Address: 192.0.2.10
  [55, 5, 1, 3, 6, 119, 121], // Parameter Request List
  [57, 2, 0x05, 0xdc], // Maximum DHCP Message Size: 1500
  [12, 6, ...ascii("laptop")], // Host Name
  [60, 8, ...ascii("MSFT 5.0")], // Vendor class identifier
  255, // End
));

/** A DHCPACK carrying every interpreted option, and one raw option. */
export const ACK = padTo(bytes(
  0x02, // op: BOOTREPLY
  0x01, // htype: Ethernet
  0x06, // hlen: 6
  0x01, // hops: one relay
  [0x39, 0x03, 0xf3, 0x26], // xid
  [0x00, 0x05], // secs: 5
  [0x00, 0x00], // flags: unicast
  [0, 0, 0, 0], // ciaddr
  [192, 0, 2, 10], // yiaddr: the leased address
  [192, 0, 2, 1], // siaddr: next server
  [198, 51, 100, 1], // giaddr: the relay
  [0x02, 0, 0, 0, 0, 0x01], // chaddr
  zeros(10), // chaddr padding
  [...ascii("boot.example"), ...zeros(64 - 12)], // sname: server host name
  [...ascii("pxelinux.0"), ...zeros(128 - 10)], // file: boot file name
  COOKIE,
  [53, 1, 5], // DHCP Message Type: DHCPACK
  [54, 4, 192, 0, 2, 1], // Server Identifier
  [51, 4, 0x00, 0x00, 0x0e, 0x10], // IP Address Lease Time: 3600 s
  [58, 4, 0x00, 0x00, 0x07, 0x08], // Renewal (T1): 1800 s
  [59, 4, 0x00, 0x00, 0x0c, 0x4e], // Rebinding (T2): 3150 s
  [1, 4, 255, 255, 255, 0], // Subnet Mask
  [3, 8, 192, 0, 2, 1, 192, 0, 2, 2], // Router: two routers
  [6, 8, 192, 0, 2, 53, 192, 0, 2, 54], // Domain Name Server: two servers
  [12, 6, ...ascii("laptop")], // Host Name
  [15, 12, ...ascii("Example.COM.")], // Domain Name (case and dot normalised)
  [26, 2, 0x05, 0xdc], // Interface MTU: 1500
  [28, 4, 192, 0, 2, 255], // Broadcast Address
  [114, 26, ...ascii("https://portal.example/api")], // Captive-Portal (RFC 8910)
  // Domain Search (RFC 3397's example): eng.apple.com, then
  // marketing + a pointer to offset 4 ("apple.com").
  [119, 27, 3, ...ascii("eng"), 5, ...ascii("apple"), 3, ...ascii("com"), 0, 9, ...ascii("marketing"), 0xc0, 0x04],
  // Classless Static Route (RFC 3442): 10.17.0.0/16 via 192.0.2.1, default via 192.0.2.1
  [121, 12, 16, 10, 17, 192, 0, 2, 1, 0, 192, 0, 2, 1],
  // Encrypted DNS (RFC 9463 section 5): one instance
  [162, 27],
  [0, 25], // DNR Instance Data Length
  [0, 1], // Service Priority
  9, // ADN Length
  [3, ...ascii("dns"), 3, ...ascii("dot"), 0], // ADN: dns.dot
  4, // Addr Length
  [192, 0, 2, 53], // IPv4 address
  [0, 1, 0, 4, 3, ...ascii("dot")], // SvcParams: alpn=dot
  [43, 3, 1, 1, 0xaa], // Vendor-Specific Information: kept raw
  255, // End
));
