#!/usr/bin/env bash
# Makes the lab captures in tests/fixtures/lab/: radvd, kea and dnsmasq
# talking to dhclient over a veth pair between two network namespaces this
# script creates, plus hand-made RAs and a DHCPv6 Reconfigure (craft.py) for
# what those daemons cannot send. Traffic never leaves the two namespaces;
# only documentation prefixes are used.
#
# Needs root and Debian's radvd, kea-dhcp4-server, kea-dhcp6-server, dnsmasq,
# isc-dhcp-client and tcpdump (.ci/run installs them when it runs this).
# Usage: tests/lab/make_captures.sh [OUTPUT_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(realpath -m "${1:-$here/../fixtures/lab}")
mkdir -p "$out"
work=$(mktemp -d)
srv=mifcap-srv-$$
host=mifcap-host-$$

cleanup() {
  # LAB_LOGS=DIR keeps the daemons' logs, for when a capture comes out short.
  [ -n "${LAB_LOGS:-}" ] && mkdir -p "$LAB_LOGS" && cp "$work"/*.log "$LAB_LOGS"/ 2>/dev/null
  rm -rf "/etc/netns/$host" "/etc/netns/$srv"
  for pidfile in "$work"/*.pid; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  ip netns pids "$srv" 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns pids "$host" 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns del "$srv" 2>/dev/null || true
  ip netns del "$host" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# For foreground commands; background ones call ip netns exec directly, so
# that $! is the daemon itself and not a subshell.
S() { ip netns exec "$srv" "$@"; }
H() { ip netns exec "$host" "$@"; }

# dhclient must not change this machine: it runs with a no-op script (-sf
# /bin/true), and each namespace gets its own resolv.conf, which ip netns
# exec mounts over /etc/resolv.conf for the processes inside.
mkdir -p "/etc/netns/$srv" "/etc/netns/$host"
: >"/etc/netns/$srv/resolv.conf"
: >"/etc/netns/$host/resolv.conf"
ip netns add "$srv"
ip netns add "$host"
ip link add srv0 netns "$srv" type veth peer name host0 netns "$host"
S ip link set lo up
H ip link set lo up
S ip link set srv0 address 02:00:5e:00:01:01
H ip link set host0 address 02:00:5e:00:02:02
S sysctl -qw net.ipv6.conf.srv0.forwarding=1
H sysctl -qw net.ipv6.conf.host0.accept_ra=2
S ip link set srv0 up
H ip link set host0 up
S ip addr add 2001:db8:1::1/64 dev srv0 nodad
S ip addr add 198.51.100.1/24 dev srv0
# Wait for both link-local addresses to leave DAD.
for _ in $(seq 50); do
  if S ip -6 addr show dev srv0 scope link | grep -q "inet6" &&
    ! H ip -6 addr show dev host0 | grep -q tentative &&
    H ip -6 addr show dev host0 scope link | grep -q "inet6"; then break; fi
  sleep 0.1
done
host_ll=$(H ip -6 addr show dev host0 scope link | awk '/inet6/ { sub("/.*", "", $2); print $2; exit }')

capture() { # NAME: starts tcpdump on the host side
  ip netns exec "$host" tcpdump -i host0 -U -s 0 -w "$out/$1.pcap" \
    'icmp6[icmp6type] == 134 or udp port 67 or udp port 68 or udp port 546 or udp port 547' \
    >/dev/null 2>&1 &
  echo $! >"$work/tcpdump.pid"
  sleep 1
}
stop_capture() {
  sleep 1
  # SIGTERM, not SIGINT: background jobs of a script ignore SIGINT.
  kill -TERM "$(cat "$work/tcpdump.pid")"
  wait "$(cat "$work/tcpdump.pid")" 2>/dev/null || true
  rm -f "$work/tcpdump.pid"
}

# 1. radvd: prefixes, routes, preferences, several RDNSS options (radvd puts
# at most 3 addresses in one; craft.py sends a longer one) and a DNSSL option
# longer than 255 bytes (the length byte times 8 must be widened, mdlayher/ndp).
dnssl=$(for i in $(seq 1 12); do printf 'zone%02d.a-rather-long-search-domain.example.net ' "$i"; done)
cat >"$work/radvd.conf" <<EOF
interface srv0 {
  AdvSendAdvert on;
  MinRtrAdvInterval 3;
  MaxRtrAdvInterval 4;
  AdvDefaultPreference high;
  AdvHomeAgentFlag on;
  AdvOtherConfigFlag on;
  AdvLinkMTU 1480;
  AdvCurHopLimit 64;
  prefix 2001:db8:1::/64 { AdvValidLifetime 86400; AdvPreferredLifetime 14400; };
  prefix 2001:db8:2::/64 { AdvOnLink off; AdvAutonomous on; };
  route 2001:db8:100::/48 { AdvRoutePreference high; AdvRouteLifetime 1800; };
  route 2001:db8:200::/40 { AdvRoutePreference low; };
  route ::/0 { AdvRoutePreference medium; };
  RDNSS 2001:db8:1::53 2001:db8:1::54 2001:db8:1::55 { AdvRDNSSLifetime 1800; };
  RDNSS 2001:db8:1::56 { AdvRDNSSLifetime infinity; };
  DNSSL $dnssl { AdvDNSSLLifetime 1800; };
};
EOF
capture radvd
ip netns exec "$srv" radvd -C "$work/radvd.conf" -p "$work/radvd.pid" -n -m stderr >/dev/null 2>&1 &
echo $! >"$work/radvd-main.pid"
sleep 5
kill "$(cat "$work/radvd-main.pid")"
stop_capture

# 2. dnsmasq as DHCPv6 server, with dhclient: stateless Information-request /
# Reply, then Solicit / Advertise / Request / Reply with IA_NA; DNS, domain
# list, information refresh time, SOL_MAX_RT, captive portal (103) and DNR
# (144, RFC 9463 section 5.1), the last three as bytes and forced, since
# dhclient does not ask for them. (kea-dhcp6 2.2 sat
# silent on this veth link, so dnsmasq serves DHCPv6 and kea DHCPv4.)
hexcolons() { sed 's/../&:/g; s/:$//'; }
dnr6=$(printf '%04x%04x%s%04x%s%s' 1 17 03646e73076578616d706c65036e657400 16 \
  20010db8005300000000000000000001 000100030268330003000201bb | hexcolons)
portal6=$(printf 'https://portal.example.net/api' | od -An -tx1 | tr -d ' \n' | hexcolons)
capture dnsmasq-dhcpv6
ip netns exec "$srv" dnsmasq --no-daemon --port=0 --interface=srv0 --bind-interfaces \
  --dhcp-range=2001:db8:1::1000,2001:db8:1::1fff,64,7200 \
  --dhcp-option=option6:dns-server,[2001:db8:1::53],[2001:db8:1::54] \
  --dhcp-option=option6:domain-search,provider-a.example,corp.example.net \
  --dhcp-option=option6:information-refresh-time,3600 \
  --dhcp-option-force=option6:82,00:00:1c:20 \
  --dhcp-option-force=option6:103,"$portal6" \
  --dhcp-option-force=option6:144,"$dnr6" \
  --dhcp-leasefile="$work/dnsmasq6.leases" --pid-file="$work/dnsmasq6.pid" >"$work/dnsmasq6.log" 2>&1 &
echo $! >"$work/dnsmasq6-main.pid"
sleep 1
H timeout 15 dhclient -6 -S -1 -v -sf /bin/true -pf "$work/dh6s.pid" -lf "$work/dh6s.leases" host0 >/dev/null 2>&1 || true
H timeout 15 dhclient -6 -N -1 -v -sf /bin/true -pf "$work/dh6.pid" -lf "$work/dh6.leases" host0 >/dev/null 2>&1 || true
H dhclient -6 -r -sf /bin/true -lf "$work/dh6.leases" -pf "$work/dh6.pid" host0 >/dev/null 2>&1 || true
kill "$(cat "$work/dnsmasq6-main.pid")" 2>/dev/null || true
stop_capture

# 3. kea-dhcp4 with dhclient: DISCOVER / OFFER / REQUEST / ACK with routers,
# DNS, domain name and search (119), classless routes (121), captive portal
# (114) and DNR (162); kea 2.2 knows neither 121 nor 162, so both are given
# as bytes; 114 and 162 are sent unasked (dhclient does not request them).
# 121 (RFC 3442 compact encoding): 203.0.113.0/24 via
# 198.51.100.254, 192.0.2.128/25 via 198.51.100.253, default via
# 198.51.100.1. 162 (RFC 9463 section 5.2): instance data length, priority,
# ADN length and ADN, address length and address, SvcParams.
adn=03646e73076578616d706c65036e657400 # dns.example.net
svc=000100030268330003000201bb         # alpn=h3, port=443
instance="$(printf '%04x' 1)$(printf '%02x' $((${#adn} / 2)))$adn$(printf '%02x' 4)c6336435$svc"
dnr4="$(printf '%04x' $((${#instance} / 2)))$instance"
cat >"$work/kea4.json" <<EOF
{ "Dhcp4": {
  "interfaces-config": { "interfaces": [ "srv0" ] },
  "lease-database": { "type": "memfile", "persist": false },
  "control-socket": { "socket-type": "unix", "socket-name": "$work/kea4.sock" },
  "option-def": [
    { "name": "dnr", "code": 162, "type": "binary", "space": "dhcp4" },
    { "name": "classless-routes", "code": 121, "type": "binary", "space": "dhcp4" }
  ],
  "option-data": [
    { "name": "routers", "data": "198.51.100.1" },
    { "name": "domain-name-servers", "data": "198.51.100.53, 198.51.100.54" },
    { "name": "domain-name", "data": "provider-a.example" },
    { "name": "domain-search", "data": "provider-a.example, corp.provider-a.example, example.net" },
    { "name": "classless-routes", "code": 121, "csv-format": false,
      "data": "18cb0071c63364fe19c0000280c63364fd00c6336401" },
    { "name": "v4-captive-portal", "data": "https://portal.example.net/api", "always-send": true },
    { "name": "interface-mtu", "data": "1480" },
    { "name": "dnr", "code": 162, "csv-format": false, "data": "$dnr4", "always-send": true }
  ],
  "subnet4": [ { "subnet": "198.51.100.0/24", "interface": "srv0", "pools": [ { "pool": "198.51.100.100 - 198.51.100.199" } ] } ],
  "loggers": [ { "name": "kea-dhcp4", "output_options": [ { "output": "$work/kea4.log" } ], "severity": "WARN" } ]
} }
EOF
capture kea-dhcpv4
ip netns exec "$srv" env KEA_PIDFILE_DIR="$work" KEA_LOCKFILE_DIR="$work" kea-dhcp4 -c "$work/kea4.json" >/dev/null 2>&1 &
echo $! >"$work/kea4.pid"
sleep 2
H timeout 20 dhclient -4 -1 -v -sf /bin/true -pf "$work/dh4.pid" -lf "$work/dh4.leases" host0 >/dev/null 2>&1 || true
H dhclient -4 -r -sf /bin/true -pf "$work/dh4.pid" -lf "$work/dh4.leases" host0 >/dev/null 2>&1 || true
kill "$(cat "$work/kea4.pid")" 2>/dev/null || true
stop_capture

# 4. dnsmasq as DHCPv4 server: its own encoding of 119, 121 and 114, and a
# host name long enough that the options spill into the overload fields.
capture dnsmasq-dhcpv4
ip netns exec "$srv" dnsmasq --no-daemon --port=0 --interface=srv0 --bind-interfaces \
  --dhcp-range=198.51.100.50,198.51.100.60,255.255.255.0,600 \
  --dhcp-option=option:router,198.51.100.1 \
  --dhcp-option=option:dns-server,198.51.100.53 \
  --dhcp-option=option:domain-search,provider-a.example,corp.provider-a.example \
  --dhcp-option=121,203.0.113.0/24,198.51.100.254,192.0.2.0/24,198.51.100.253 \
  --dhcp-option-force=114,"https://portal.example.net/api" \
  --dhcp-leasefile="$work/dnsmasq.leases" --pid-file="$work/dnsmasq.pid" >/dev/null 2>&1 &
echo $! >"$work/dnsmasq-main.pid"
sleep 1
H timeout 20 dhclient -4 -1 -v -sf /bin/true -pf "$work/dh4b.pid" -lf "$work/dh4b.leases" host0 >/dev/null 2>&1 || true
H dhclient -4 -r -sf /bin/true -pf "$work/dh4b.pid" -lf "$work/dh4b.leases" host0 >/dev/null 2>&1 || true
kill "$(cat "$work/dnsmasq-main.pid")" 2>/dev/null || true
stop_capture

# 5. What no daemon here sends: PvD option (RFC 8801), PREF64, captive
# portal and DNR in RAs, and a DHCPv6 Reconfigure.
capture crafted
S python3 "$here/craft.py" srv0 "$host_ll"
stop_capture

for f in "$out"/*.pcap; do
  echo "$(basename "$f"): $(tcpdump -r "$f" 2>/dev/null | wc -l) packets"
done
