// The links of the machine the host fixtures were captured on
// (tests/fixtures/host/this-machine/, tests/fixtures/netlink/): what every
// source must agree on, whether it reads /proc and /sys or rtnetlink.

import type { KernelLink } from "../adapters/host/mod.ts";

export const THIS_MACHINE_LINKS: readonly KernelLink[] = [
  {
    ifindex: 1,
    name: "lo",
    kind: "loopback",
    up: true,
    adminUp: true,
    mtu: 65536,
    linkLayerAddress: "00:00:00:00:00:00",
  },
  {
    ifindex: 2,
    name: "ifb0",
    kind: "ethernet",
    up: false,
    adminUp: false,
    mtu: 1500,
    linkLayerAddress: "6a:98:d3:51:98:8a",
  },
  {
    ifindex: 3,
    name: "ifb1",
    kind: "ethernet",
    up: false,
    adminUp: false,
    mtu: 1500,
    linkLayerAddress: "ce:87:0c:c7:37:88",
  },
  {
    ifindex: 4,
    name: "eth0",
    kind: "ethernet",
    up: true,
    adminUp: true,
    mtu: 1400,
    linkLayerAddress: "02:fc:00:00:00:01",
  },
];
