#!/bin/sh
# dhclient's script for the lab host: applies an IPv4 lease (address and
# default route) and nothing else; never writes a resolv.conf.
case "$reason" in
BOUND | RENEW | REBIND | REBOOT)
  ip -4 addr add "$new_ip_address/$new_subnet_mask" dev "$interface" valid_lft "${new_dhcp_lease_time:-3600}" \
    preferred_lft "${new_dhcp_lease_time:-3600}" 2>/dev/null ||
    ip -4 addr change "$new_ip_address/$new_subnet_mask" dev "$interface" valid_lft "${new_dhcp_lease_time:-3600}" \
      preferred_lft "${new_dhcp_lease_time:-3600}"
  for router in $new_routers; do
    ip -4 route replace default via "$router" dev "$interface" metric "$(cat "/sys/class/net/$interface/ifindex")00"
    break
  done
  ;;
EXPIRE | FAIL | RELEASE | STOP)
  [ -n "$old_ip_address" ] && ip -4 addr del "$old_ip_address/$old_subnet_mask" dev "$interface" 2>/dev/null
  ;;
esac
exit 0
