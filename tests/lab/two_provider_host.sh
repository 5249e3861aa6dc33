#!/usr/bin/env bash
# A real multi-provider host in network namespaces, for the host adapter's
# tests: a host namespace with two links, eth0 and wlan0, to two provider
# namespaces. Each provider runs radvd (its prefix, RDNSS, DNSSL, a route
# information option, its router preference) and dnsmasq (DHCPv4, stateless
# DHCPv6 and DNS); the host gets its IPv6 addresses from the kernel's own
# SLAAC and its IPv4 leases from dhclient. Provider B also sends an RA with an
# RFC 8801 PvD option (send_pvd_ra.py), since radvd cannot.
#
# With --server, a fourth namespace (NAME-srv) stands for the Internet
# beyond both providers: it is linked to each provider's namespace and holds
# 2001:db8:c::/48 and 203.0.113.0/24 (servers at 2001:db8:c::80 and
# 203.0.113.80, named srv.example by both providers' DNS), routed through
# both. The providers then forward IPv4 too, and filter what the host sends
# them by source address (BCP 38: a packet from the other provider's
# prefixes is answered with ICMP administratively prohibited), as real
# providers do, so a connection that leaves through the wrong provider fails
# rather than working by accident. `blackhole NAME a` then drops provider
# A's traffic to the server beyond its link, silently (a blackhole route in
# A's namespace), and `unblackhole NAME a` puts the route back.
#
# Nothing leaves the namespaces; only documentation prefixes are used
# (2001:db8::/32, 198.51.100.0/24, 203.0.113.0/24), away from this machine's
# own addresses.
#
# Usage (root; Debian's radvd, dnsmasq, isc-dhcp-client, python3):
#   two_provider_host.sh up NAME [--server]   builds it; the host namespace is NAME-host
#   two_provider_host.sh down NAME            removes it, whatever state it is in
#   two_provider_host.sh exec NAME CMD...     runs CMD in the host namespace
#   two_provider_host.sh blackhole NAME a|b [6|4]     drops that provider's traffic to the server side
#   two_provider_host.sh unblackhole NAME a|b [6|4]   routes it to the server side again
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage="usage: two_provider_host.sh up|down|exec|blackhole|unblackhole NAME ..."
cmd=${1:?$usage}
name=${2:?$usage}
host=$name-host
isp_a=$name-a
isp_b=$name-b
srv=$name-srv
run=/run/mif-lab-$name

down() {
  for pidfile in "$run"/*.pid; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  for ns in "$host" "$isp_a" "$isp_b" "$srv"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
  done
  sleep 0.2
  for ns in "$host" "$isp_a" "$isp_b" "$srv"; do
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "/etc/netns/$ns"
  done
  rm -rf "$run"
}

# The server side's prefixes, and each provider's side of its link to it.
srv6=2001:db8:c::/48
srv4=203.0.113.0/24
transit6() { echo "2001:db8:$1:fe::$2"; } # LETTER 1 (provider) or 2 (server)
transit4() { if [ "$1" = a ]; then echo "198.51.100.$((192 + $2))"; else echo "198.51.100.$((196 + $2))"; fi; }

# blackhole|unblackhole LETTER [FAMILY]: in the provider's namespace, the
# route to the server side becomes a blackhole (dropped without a word) or
# goes back through the link to the server.
route_to_server() {
  local action=$1 letter=${2:?"usage: two_provider_host.sh $1 NAME a|b [6|4]"} family=${3:-both}
  [ -f "$run/server" ] || { echo "no server side: build the lab with up $name --server" >&2; exit 2; }
  case "$letter" in a | b) ;; *) echo "provider a or b, not $letter" >&2; exit 2 ;; esac
  case "$family" in 4 | 6 | both) ;; *) echo "family 6 or 4, not $family" >&2; exit 2 ;; esac
  local P="ip netns exec $name-$letter"
  if [ "$family" != 4 ]; then
    if [ "$action" = blackhole ]; then $P ip -6 route replace blackhole "$srv6"
    else $P ip -6 route replace "$srv6" via "$(transit6 "$letter" 2)" dev srv0; fi
  fi
  if [ "$family" != 6 ]; then
    if [ "$action" = blackhole ]; then $P ip -4 route replace blackhole "$srv4"
    else $P ip -4 route replace "$srv4" via "$(transit4 "$letter" 2)" dev srv0; fi
  fi
}

case "$cmd" in
down)
  down
  exit 0
  ;;
exec)
  shift 2
  exec ip netns exec "$host" "$@"
  ;;
blackhole | unblackhole)
  route_to_server "$cmd" "${3:-}" "${4:-}"
  exit 0
  ;;
up) ;;
*)
  echo "unknown command $cmd" >&2
  exit 2
  ;;
esac
server=false
case "${3:-}" in
--server) server=true ;;
"") ;;
*) echo "unknown option ${3}; $usage" >&2; exit 2 ;;
esac

down
mkdir -p "$run"
# Daemons run in the background with their output in $run, so that a caller
# reading this script's output sees it end.
# Each namespace gets its own resolv.conf (ip netns exec mounts it over
# /etc/resolv.conf), so nothing run inside can touch this machine's.
for ns in "$host" "$isp_a" "$isp_b"; do
  mkdir -p "/etc/netns/$ns"
  : >"/etc/netns/$ns/resolv.conf"
  ip netns add "$ns"
  ip netns exec "$ns" ip link set lo up
done
H() { ip netns exec "$host" "$@"; }

# provider LETTER NAMESPACE HOST_LINK V4_BASE PREFERENCE: the provider's
# IPv4 subnet is 198.51.100.V4_BASE/26 (router .+1, DNS .+53, server .+60).
provider() {
  local letter=$1 ns=$2 link=$3 base=$4 preference=$5
  local v4=198.51.100
  local router=$v4.$((base + 1)) dns=$v4.$((base + 53)) server=$v4.$((base + 60))
  ip link add isp0 netns "$ns" type veth peer name "$link" netns "$host"
  local P="ip netns exec $ns"
  $P sysctl -qw net.ipv6.conf.all.forwarding=1
  $P ip link set isp0 up
  $P ip addr add "2001:db8:$letter::1/64" dev isp0 nodad
  $P ip addr add "2001:db8:$letter::53/64" dev isp0 nodad
  $P ip addr add "$router/26" dev isp0
  $P ip addr add "$dns/32" dev isp0
  H sysctl -qw "net.ipv6.conf.$link.accept_ra=1"
  H sysctl -qw "net.ipv6.conf.$link.accept_ra_rt_info_max_plen=64"
  H ip link set "$link" up
  cat >"$run/radvd-$letter.conf" <<EOF
interface isp0 {
  AdvSendAdvert on;
  MinRtrAdvInterval 3;
  MaxRtrAdvInterval 4;
  AdvDefaultPreference $preference;
  AdvDefaultLifetime 1800;
  AdvOtherConfigFlag on;
  prefix 2001:db8:$letter::/64 { AdvOnLink on; AdvAutonomous on; AdvValidLifetime 7200; AdvPreferredLifetime 3600; };
  route 2001:db8:${letter}0::/48 { AdvRoutePreference $preference; AdvRouteLifetime 1800; };
  RDNSS 2001:db8:$letter::53 { AdvRDNSSLifetime 1800; };
  DNSSL $letter.example { AdvDNSSLLifetime 1800; };
};
EOF
  ip netns exec "$ns" radvd -n -C "$run/radvd-$letter.conf" -p "$run/radvd-$letter.pid" -m logfile \
    -l "$run/radvd-$letter.log" >/dev/null 2>&1 &
  # big.example has 40 A and 40 AAAA records: either answer is over 512
  # bytes, so over UDP without EDNS dnsmasq truncates it (TC) and a resolver
  # must ask again over TCP (RFC 7766). slow.example goes to an upstream on
  # the provider's loopback that a test may start (tests/lab/spoof_dns.py),
  # so that forged answers can race a slow real one.
  local big=() i
  for i in $(seq 1 40); do
    big+=("--host-record=big.example,203.0.113.$((base + i)),2001:db8:$letter:b16::$i")
  done
  # DHCPv4 leases, stateless DHCPv6 (information only: radvd sends the RAs),
  # and DNS that answers for this provider only. The lease file is this run's
  # own: dnsmasq's default (/var/lib/misc) would be shared by every run and
  # fill the small ranges. Its own names are answered with a TTL of 60 s, as
  # a provider's records would be (dnsmasq's default, 0, forbids caching).
  ip netns exec "$ns" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
    --interface=isp0 --bind-interfaces --pid-file="$run/dnsmasq-$letter.pid" --local-ttl=60 \
    --dhcp-leasefile="$run/dnsmasq-$letter.leases" \
    --log-facility="$run/dnsmasq-$letter.log" --log-queries --log-dhcp \
    --dhcp-range="$v4.$((base + 10)),$v4.$((base + 40)),255.255.255.192,1h" --dhcp-option=option:router,"$router" \
    --dhcp-option=option:dns-server,"$dns" --dhcp-option=option:domain-search,"$letter.example" \
    --dhcp-range="2001:db8:$letter::,static,64" --dhcp-option=option6:dns-server,"[2001:db8:$letter::53]" \
    --domain="$letter.example" \
    --address="/www.example/2001:db8:$letter:80::80" --address="/www.example/$server" \
    --address="/only-$letter.example/2001:db8:$letter:80::81" \
    --address="/srv.example/2001:db8:c::80" --address="/srv.example/203.0.113.80" \
    "${big[@]}" --server="/slow.example/127.0.0.1#5300" >"$run/dnsmasq-$letter.out" 2>&1 &
  echo $! >"$run/dnsmasq-$letter.pid.bg"
}

provider a "$isp_a" eth0 0 high
provider b "$isp_b" wlan0 64 low
# The provider-side server addresses answered above live on the providers' links.
ip netns exec "$isp_a" ip addr add 2001:db8:a:80::80/64 dev lo
ip netns exec "$isp_b" ip addr add 2001:db8:b:80::80/64 dev lo
# Provider B's explicit PvD prefix is on the same link: replies to the host's
# addresses in it go back that way.
ip netns exec "$isp_b" ip route add 2001:db8:bb::/64 dev isp0

# Provider B also advertises an explicit PvD, every 2 s.
ip netns exec "$isp_b" python3 "$here/send_pvd_ra.py" isp0 pvd.provider-b.example 2001:db8:bb:: 2001:db8:b::53 \
  >"$run/pvd-ra.log" 2>&1 &
echo $! >"$run/pvd-ra.pid"

# IPv4 leases through dhclient, with a script that only sets the address and
# the route (never a resolv.conf), once both dnsmasq instances listen on the
# DHCP port (a DISCOVER sent before would wait for dhclient's back-off).
for ns in "$isp_a" "$isp_b"; do
  for _ in $(seq 100); do
    ip netns exec "$ns" ss -lun 2>/dev/null | grep -q ':67 ' && break
    sleep 0.05
  done
done
for link in eth0 wlan0; do
  ip netns exec "$host" dhclient -4 -sf "$here/dhclient_apply.sh" -pf "$run/dhclient-$link.pid" \
    -lf "$run/dhclient-$link.leases" "$link" >/dev/null 2>&1 || true
done

# The server side (--server): NAME-srv linked to both providers, its
# prefixes routed through both, and each provider filtering the host's
# traffic by source (BCP 38). Rules at priority 100 and 101 come after the
# local table's (priority 0), so what is addressed to the provider itself
# (DHCP, DNS, ND) is delivered before they are looked at.
server_side() {
  mkdir -p "/etc/netns/$srv"
  : >"/etc/netns/$srv/resolv.conf"
  ip netns add "$srv"
  local S="ip netns exec $srv"
  $S ip link set lo up
  $S ip addr add 2001:db8:c::80/128 dev lo
  $S ip addr add 203.0.113.80/32 dev lo
  local letter ns own4
  for letter in a b; do
    ns=$name-$letter
    local P="ip netns exec $ns"
    ip link add srv0 netns "$ns" type veth peer name "$letter"0 netns "$srv"
    $P ip link set srv0 up
    $S ip link set "$letter"0 up
    $P ip addr add "$(transit6 $letter 1)/64" dev srv0 nodad
    $P ip addr add "$(transit4 $letter 1)/30" dev srv0
    $S ip addr add "$(transit6 $letter 2)/64" dev "$letter"0 nodad
    $S ip addr add "$(transit4 $letter 2)/30" dev "$letter"0
    $P sysctl -qw net.ipv4.ip_forward=1
    $P ip -6 route add "$srv6" via "$(transit6 $letter 2)" dev srv0
    $P ip -4 route add "$srv4" via "$(transit4 $letter 2)" dev srv0
    # Anything else is unknown to the provider: ICMP "no route" at once (the
    # lookup below must end in the main table, or the next rule would take it).
    $P ip -6 route add unreachable default
    $P ip -4 route add unreachable default
    if [ $letter = a ]; then own4=198.51.100.0/26; else own4=198.51.100.64/26; fi
    # Replies to the host go back through the provider that gave it the address.
    $S ip -6 route add "2001:db8:$letter::/64" via "$(transit6 $letter 1)" dev "$letter"0
    $S ip -4 route add "$own4" via "$(transit4 $letter 1)" dev "$letter"0
    # BCP 38: from the host's link, only the provider's own prefixes pass.
    $P ip -6 rule add priority 100 iif isp0 from "2001:db8:$letter::/64" lookup main
    $P ip -4 rule add priority 100 iif isp0 from "$own4" lookup main
    $P ip -6 rule add priority 101 iif isp0 prohibit
    $P ip -4 rule add priority 101 iif isp0 prohibit
  done
  # only-b.example's address (B's DNS alone knows the name), beside
  # www.example's on B's side: servers that only B reaches.
  ip netns exec "$isp_b" ip addr add 2001:db8:b:80::81/128 dev lo
  # Provider B's explicit PvD prefix is B's too.
  $S ip -6 route add 2001:db8:bb::/64 via "$(transit6 b 1)" dev b0
  ip netns exec "$isp_b" ip -6 rule add priority 100 iif isp0 from 2001:db8:bb::/64 lookup main
  # The server side's addresses are new: until their duplicate address
  # detection ends (about a second) the kernel drops what is sent to them,
  # and a first connection would wait for the runtimes' IPv4 fallback.
  local ns tentative
  for _ in $(seq 100); do
    tentative=false
    for ns in "$isp_a" "$isp_b" "$srv"; do
      if ip netns exec "$ns" ip -6 addr show tentative | grep -q .; then tentative=true; fi
    done
    [ "$tentative" = false ] && break
    sleep 0.1
  done
  : >"$run/server"
}

# Ready when both links have a global SLAAC address out of DAD and an IPv4 lease.
for _ in $(seq 300); do
  if H ip -6 addr show dev eth0 scope global | grep -q "2001:db8:a:" &&
    H ip -6 addr show dev wlan0 scope global | grep -q "2001:db8:b:" &&
    ! H ip -6 addr show | grep -q tentative &&
    H ip -4 addr show dev eth0 | grep -q "inet " &&
    H ip -4 addr show dev wlan0 | grep -q "inet "; then
    if [ "$server" = true ]; then
      # A failing command ends the script (set -e): leave nothing behind then.
      trap 'echo "the server side could not be built" >&2; down' EXIT
      server_side
      trap - EXIT
    fi
    echo "ready: $host"
    exit 0
  fi
  sleep 0.1
done
echo "the lab host did not get its addresses" >&2
H ip addr >&2
tail -n 3 "$run"/dnsmasq-*.log >&2 2>/dev/null || true
# Leave nothing behind: a caller that sees the failure has no name to clean up.
down
exit 1
