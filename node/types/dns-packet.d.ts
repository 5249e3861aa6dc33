// Build-time only. adapters/dns/_dns_packet.ts declares the part of
// dns-packet it uses and casts the default export to it, so that no
// @types/dns-packet enters the type check (as under Deno); this tells tsc the
// module exists without giving it a type of its own.
declare module "dns-packet" {
  const dnsPacket: unknown;
  export default dnsPacket;
}
