#!/usr/bin/env python3
"""Sends hand-made Router Advertisements and a DHCPv6 Reconfigure on a lab link.

These carry what radvd, dnsmasq and kea cannot send, so that the lab captures
cover them: the RFC 8801 PvD option (with a nested RA header and options),
PREF64 (RFC 8781) with every prefix length code, the captive portal option
(RFC 8910), the DNR option (RFC 9463) and a DHCPv6 Reconfigure (RFC 8415).
The bytes are built here, independently of the library's own builders, so
the captures test the parsers against a second encoder.

Usage (as root, inside the sending namespace): craft.py IFNAME HOST_LINK_LOCAL
"""
import socket
import struct
import sys
import time

IFNAME, HOST = sys.argv[1], sys.argv[2]
IFINDEX = socket.if_nametoindex(IFNAME)


def name(fqdn):
    """DNS wire format, no compression (RFC 1035 section 3.1)."""
    out = b""
    for label in fqdn.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\x00"


def option(kind, body):
    """An ND option: type, length in units of 8 octets, body zero-padded."""
    total = 2 + len(body)
    pad = (-total) % 8
    return bytes([kind, (total + pad) // 8]) + body + b"\x00" * pad


def ra_header(lifetime=1800, flags=0x08):
    """Cur Hop Limit 64, flags (Prf high = 0x08), Router Lifetime, Reachable, Retrans."""
    return struct.pack("!BBHII", 64, flags, lifetime, 0, 0)


def prefix_info(prefix, length=64, valid=86400, preferred=14400):
    return option(3, struct.pack("!BBIII", length, 0xC0, valid, preferred, 0) + socket.inet_pton(socket.AF_INET6, prefix))


def rdnss(addresses, lifetime=1800):
    return option(25, struct.pack("!HI", 0, lifetime) + b"".join(socket.inet_pton(socket.AF_INET6, a) for a in addresses))


def dnssl(domains, lifetime=1800):
    return option(31, struct.pack("!HI", 0, lifetime) + b"".join(name(d) for d in domains))


def pvd_option(fqdn, seq, nested):
    """RFC 8801 section 3.1: H=0 L=0 R=1, Delay 0, Sequence, PvD ID FQDN, then the RA header and options."""
    flags_delay = 0x2000  # R flag: an RA header follows the name
    body = struct.pack("!HH", flags_delay, seq) + name(fqdn)
    body += b"\x00" * ((-(2 + len(body))) % 8)
    # The header RA (type 134, code 0, checksum 0, then the RA fields), then options.
    body += struct.pack("!BBH", 134, 0, 0) + ra_header(lifetime=0, flags=0) + nested
    return option(21, body)


def pref64(prefix, plc, lifetime=600):
    """RFC 8781: scaled lifetime (13 bits, units of 8 s) and PLC, then 96 bits of prefix."""
    scaled = (lifetime // 8) << 3 | plc
    return option(38, struct.pack("!H", scaled) + socket.inet_pton(socket.AF_INET6, prefix)[:12])


def captive_portal(uri):
    return option(37, uri.encode())


def dnr(priority, adn, addresses, svc_params=b""):
    """RFC 9463 section 6.1: priority, lifetime, ADN length + ADN, addresses length + addresses,
    SvcParams length + SvcParams, then padding (the RA option needs the last length, DHCP does not)."""
    adn_wire = name(adn)
    addrs = b"".join(socket.inet_pton(socket.AF_INET6, a) for a in addresses)
    body = struct.pack("!HIH", priority, 1800, len(adn_wire)) + adn_wire
    body += struct.pack("!H", len(addrs)) + addrs
    body += struct.pack("!H", len(svc_params)) + svc_params
    return option(144, body)


def send_ra(body):
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, IFINDEX)
    # Type 134, code 0, checksum 0: the kernel fills in ICMPv6 checksums.
    s.sendto(struct.pack("!BBH", 134, 0, 0) + body, ("ff02::1", 0, 0, IFINDEX))
    s.close()
    time.sleep(0.2)


nested = prefix_info("2001:db8:77::") + rdnss(["2001:db8:77::53"]) + dnssl(["pvd.example.net"])
send_ra(ra_header() + pvd_option("pvd.example.net", 7, nested) + option(1, bytes.fromhex("02005e000101")))
send_ra(ra_header() + b"".join(pref64("64:ff9b::", plc) for plc in range(6)))
send_ra(ra_header() + captive_portal("https://portal.example.net/api"))
# An RDNSS option of 20 addresses: 328 bytes, length byte 41 (over 255 bytes).
send_ra(ra_header() + rdnss(["2001:db8:53::%x" % (0x100 + i) for i in range(20)]))
send_ra(ra_header() + dnr(1, "dns.example.net", ["2001:db8:53::1", "2001:db8:53::2"], bytes.fromhex("000100030268330003000201bb")))

# DHCPv6 Reconfigure (msg-type 10) from the server port to the client.
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
u.bind(("::", 547, 0, IFINDEX))
server_duid = struct.pack("!HHI", 1, 1, 700000000) + bytes.fromhex("02005e000101")
client_duid = struct.pack("!HH", 3, 1) + bytes.fromhex("02005e000202")
msg = bytes([10]) + b"\x00\x12\x34"
msg += struct.pack("!HH", 2, len(server_duid)) + server_duid
msg += struct.pack("!HH", 1, len(client_duid)) + client_duid
msg += struct.pack("!HHB", 19, 1, 11)  # Reconfigure Message: Information-request
u.sendto(msg, (HOST, 546, 0, IFINDEX))
u.close()
