"""Router Advertisement wire format for the lab scripts: ND options built by
hand from the RFCs, independently of the library's own builders, so that the
lab tests the parsers against a second encoder."""
import socket
import struct
import time


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


def send_ra(ifindex, body):
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, ifindex)
    # Type 134, code 0, checksum 0: the kernel fills in ICMPv6 checksums.
    s.sendto(struct.pack("!BBH", 134, 0, 0) + body, ("ff02::1", 0, 0, ifindex))
    s.close()
