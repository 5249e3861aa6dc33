// DHCPv6 fixtures shared by the parser tests (core_dhcpv6_test.ts) and the
// configuration data tests (configuration_from_packets_test.ts): helpers and
// byte fixtures split per field.

// ---------------------------------------------------------------------------
// Helpers

/** Bytes from hex rows (spaces allowed): one row per field in fixtures. */
export function bytes(...rows: string[]): Uint8Array {
  const hex = rows.join("").replaceAll(" ", "");
  if (!/^([0-9a-f]{2})*$/.test(hex)) throw new Error(`bad hex fixture: ${hex}`);
  return new Uint8Array(hex.match(/../g)?.map((b) => parseInt(b, 16)) ?? []);
}

/** Lowercase hex of bytes, without separators. */
export function toHex(data: Uint8Array): string {
  return Array.from(data, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Hex of UTF-8 text, for fixture rows. */
export function ascii(text: string): string {
  return toHex(new TextEncoder().encode(text));
}

// ---------------------------------------------------------------------------
// Per-field fixtures

/** A Client Identifier option holding a DUID-LLT, as rows. */
export const CLIENT_DUID_LLT = [
  "0001 000e", // Client Identifier, option-len 14
  "0001", // DUID-LLT
  "0001", // hardware type 1 (Ethernet)
  "2a3b4c5d", // time: seconds since 2000-01-01
  "020000000001", // link-layer address
];

/** A Solicit for addresses and prefixes, with Rapid Commit. */
export const SOLICIT = bytes(
  "01", // msg-type: Solicit
  "a1b2c3", // transaction-id
  ...CLIENT_DUID_LLT,
  "0006 0008", // Option Request, option-len 8
  "0017 0018 0067 0090", // DNS servers, domain list, captive portal, DNR
  "0008 0002", // Elapsed Time, option-len 2
  "0000", // 0 hundredths of a second
  "000e 0000", // Rapid Commit, empty
  "0003 000c", // IA_NA, option-len 12
  "00000001", // IAID
  "00000000", // T1: server's choice
  "00000000", // T2: server's choice
  "0019 000c", // IA_PD, option-len 12
  "00000002", // IAID
  "00000000", // T1
  "00000000", // T2
);

/** resolver.example.net in DNS wire format, as a row. */
const RESOLVER_NAME = "08 7265736f6c766572 07 6578616d706c65 03 6e6574 00"; // resolver.example.net

/** A Reply to an Information-request with every stateless option. */
export const INFORMATION_REPLY = bytes(
  "07", // msg-type: Reply
  "5e6f70", // transaction-id
  "0001 0012", // Client Identifier, option-len 18
  "0004", // DUID-UUID (RFC 6355)
  "c8a3f7b21d4e4f6a9b0c2d3e4f5a6b7c", // UUID
  "0002 000e", // Server Identifier, option-len 14
  "0002", // DUID-EN
  "00007ed9", // enterprise-number 32473 (RFC 5612, documentation)
  "0102030405060708", // identifier
  "0017 0020", // DNS Recursive Name Server, option-len 32
  "20010db8000000000000000000000053", // 2001:db8::53
  "20010db8000000000000000000000035", // 2001:db8::35
  "0018 001f", // Domain Search List, option-len 31
  "07 6578616d706c65 03 6e6574 00", // example.net
  "04 636f7270 07 6578616d706c65 03 6e6574 00", // corp.example.net
  "0038 003d", // NTP Server, option-len 61
  "0001 0010", //   server address suboption, 16 bytes
  "20010db8000000000000000000000123", //   2001:db8::123
  "0002 0010", //   multicast address suboption, 16 bytes
  "ff050000000000000000000000000101", //   ff05::101
  "0003 0011", //   server FQDN suboption, 17 bytes
  "03 6e7470 07 6578616d706c65 03 6e6574 00", //   ntp.example.net
  "0052 0004", // SOL_MAX_RT, option-len 4
  "00000e10", // 3600 s
  "0053 0004", // INF_MAX_RT, option-len 4
  "00015180", // 86400 s
  "0067 001e", // Captive-Portal, option-len 30
  ascii("https://portal.example.net/api"), // the API URI
  "0090 004a", // Encrypted DNS (DNR), option-len 74
  "0001", // Service Priority 1
  "0016", // ADN Length 22
  RESOLVER_NAME, // ADN resolver.example.net
  "0020", // Addr Length 32
  "20010db8000000000000000000000001", // 2001:db8::1
  "20010db8000000000000000000000002", // 2001:db8::2
  "0001 0004 03 646f74", // SvcParam alpn = "dot"
  "0003 0002 0355", // SvcParam port = 853
  "0090 001a", // Encrypted DNS (DNR) in ADN-only mode, option-len 26
  "0002", // Service Priority 2
  "0016", // ADN Length 22
  RESOLVER_NAME, // ADN, and nothing after it
  "0020 0004", // Information Refresh Time, option-len 4
  "00001c20", // 7200 s
);
