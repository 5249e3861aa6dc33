#!/usr/bin/env python3
"""Advertises an explicit provisioning domain (RFC 8801) every 2 seconds, as
radvd cannot: an RA whose PvD option nests the PvD's own prefix, RDNSS and
DNSSL. The prefix is also advertised outside the PvD option, so that the
kernel (which does not know PvDs) configures an address in it by SLAAC; a
PvD-aware host attaches that address to the PvD.

Usage (as root, inside the router's namespace): send_pvd_ra.py IFNAME FQDN PREFIX DNS_SERVER
"""
import socket
import sys
import time

from ra_wire import dnssl, option, prefix_info, pvd_option, ra_header, rdnss, send_ra

IFNAME, FQDN, PREFIX, DNS = sys.argv[1:5]
IFINDEX = socket.if_nametoindex(IFNAME)
MAC = open(f"/sys/class/net/{IFNAME}/address").read().strip()

nested = prefix_info(PREFIX, valid=7200, preferred=3600) + rdnss([DNS]) + dnssl([FQDN])
# The same router as radvd's RAs, so the same router lifetime (1800 s, low
# preference): a lifetime of 0 would make the kernel drop that router's
# default route (RFC 4861 section 6.3.4).
body = ra_header(lifetime=1800, flags=0x18) + pvd_option(FQDN, 1, nested) + prefix_info(PREFIX, valid=7200, preferred=3600)
body += option(1, bytes.fromhex(MAC.replace(":", "")))
while True:
    send_ra(IFINDEX, body)
    time.sleep(2)
