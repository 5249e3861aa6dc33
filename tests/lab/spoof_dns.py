#!/usr/bin/env python3
"""An on-path attacker racing a slow DNS server, for tests/lab_dns_test.ts.

Runs inside a provider's namespace of tests/lab/two_provider_host.sh, whose
dnsmasq forwards *.slow.example to 127.0.0.1#5300. This script is that
upstream and answers after DELAY_MS, so the real answer reaches the host late;
meanwhile it watches the provider's link for the host's queries for
*.slow.example and, for each, sends four forged answers at once, each failing
exactly one of the checks a resolver must make (RFC 5452 section 9.1):

  identifier  from the server's address and port 53, another message ID
  question    from the server's address and port 53, the right ID, another name
  source      from another address of the provider (port 53), ID and question right
  port        from the server's address but port 5353, ID and question right

Every forgery carries FORGED_V6 / FORGED_V4, so a host that took one shows it.
The forgeries are sent from raw sockets, which may use the server's own
address and port while dnsmasq holds them. Prints one line per forgery sent.

Usage (as root, inside the provider's namespace):
  spoof_dns.py IFNAME OTHER_SOURCE REAL_V6 REAL_V4 DELAY_MS
"""
import select
import socket
import struct
import sys
import time

IFNAME, OTHER_SOURCE, REAL_V6, REAL_V4, DELAY_MS = sys.argv[1:6]
DELAY = int(DELAY_MS) / 1000
FORGED_V6, FORGED_V4 = "2001:db8:bad::66", "192.0.2.66"
SUFFIX = b"\x04slow\x07example\x00"
ETH_P_IPV6 = 0x86DD
IPV6_CHECKSUM = getattr(socket, "IPV6_CHECKSUM", 7)
TYPE_A, TYPE_AAAA = 1, 28


def question_end(message):
    """Offset just past the first question (name, type, class); names here are never compressed."""
    at = 12
    while message[at] != 0:
        at += 1 + message[at]
    return at + 5


def response(query, rdata_for, ident=None, name=None):
    """A response to `query` with one answer record of the query's type (none for other types), TTL 0."""
    end = question_end(query)
    qname, (qtype, qclass) = query[12:end - 4], struct.unpack("!HH", query[end - 4:end])
    if name is not None:
        qname = name
    ident = struct.unpack("!H", query[:2])[0] if ident is None else ident
    answers = b""
    if qtype in (TYPE_A, TYPE_AAAA):
        family = socket.AF_INET if qtype == TYPE_A else socket.AF_INET6
        data = socket.inet_pton(family, rdata_for(qtype))
        # Owner: a pointer to the question's name at offset 12.
        answers = struct.pack("!HHHIH", 0xC00C, qtype, qclass, 0, len(data)) + data
    header = struct.pack("!HHHHHH", ident, 0x8180, 1, 1 if answers else 0, 0, 0)
    return header + qname + struct.pack("!HH", qtype, qclass) + answers


def real(qtype):
    return REAL_V4 if qtype == TYPE_A else REAL_V6


def forged(qtype):
    return FORGED_V4 if qtype == TYPE_A else FORGED_V6


def send_raw6(source, source_port, destination, destination_port, payload):
    """One UDP datagram from any local address and port, whoever holds them; the kernel fills the checksum."""
    raw = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_UDP)
    try:
        raw.setsockopt(socket.IPPROTO_IPV6, IPV6_CHECKSUM, 6)
        raw.bind((source, 0))
        header = struct.pack("!HHHH", source_port, destination_port, 8 + len(payload), 0)
        raw.sendto(header + payload, (destination, 0))
    finally:
        raw.close()


def forge(packet):
    """The four forgeries for one query seen on the link (an IPv6 frame)."""
    if len(packet) < 14 + 40 + 8 + 12 or packet[14 + 6] != socket.IPPROTO_UDP:
        return
    ip = packet[14:]
    source = socket.inet_ntop(socket.AF_INET6, ip[8:24])
    server = socket.inet_ntop(socket.AF_INET6, ip[24:40])
    sport, dport = struct.unpack("!HH", ip[40:44])
    query = bytes(ip[48:])
    if dport != 53 or query[2] & 0x80:
        return
    try:
        end = question_end(query)
    except IndexError:
        return
    if not query[12:end - 4].lower().endswith(SUFFIX):
        return
    ident = struct.unpack("!H", query[:2])[0]
    evil_name = b"\x04evil" + SUFFIX
    forgeries = [
        ("identifier", server, 53, response(query, forged, ident=ident ^ 0x5A5A)),
        ("question", server, 53, response(query, forged, name=evil_name)),
        ("source", OTHER_SOURCE, 53, response(query, forged)),
        ("port", server, 5353, response(query, forged)),
    ]
    for kind, from_address, from_port, payload in forgeries:
        send_raw6(from_address, from_port, source, sport, payload)
        print(f"forged {kind} id={ident} to [{source}]:{sport}", flush=True)


def main():
    sniffer = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IPV6))
    sniffer.bind((IFNAME, ETH_P_IPV6))
    upstream = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    upstream.bind(("127.0.0.1", 5300))
    pending = []  # (due, query, peer) of the slow upstream
    print("ready", flush=True)
    while True:
        timeout = max(0.0, pending[0][0] - time.monotonic()) if pending else None
        readable, _, _ = select.select([sniffer, upstream], [], [], timeout)
        if sniffer in readable:
            packet, address = sniffer.recvfrom(65535)
            if address[2] != socket.PACKET_OUTGOING:
                forge(packet)
        if upstream in readable:
            query, peer = upstream.recvfrom(65535)
            pending.append((time.monotonic() + DELAY, query, peer))
            pending.sort(key=lambda item: item[0])
        while pending and pending[0][0] <= time.monotonic():
            _, query, peer = pending.pop(0)
            upstream.sendto(response(query, real), peer)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
