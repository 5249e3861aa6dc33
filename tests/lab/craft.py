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

from ra_wire import dnssl, name, option, prefix_info, pvd_option, ra_header, rdnss
from ra_wire import send_ra as send_ra_on

IFNAME, HOST = sys.argv[1], sys.argv[2]
IFINDEX = socket.if_nametoindex(IFNAME)


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
    send_ra_on(IFINDEX, body)
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
