// Message API throughput: POST and GET through a subscriber's queue, and
// the fan-out of one database change to many subscribers.
// Run: deno task bench

import { MifApi, type Subscriber } from "../mod.ts";
import { SimulatedNetwork } from "../adapters/simulated/mod.ts";

function host(subscribers: number) {
  const network = new SimulatedNetwork({ seed: 1 });
  const eth0 = network.addInterface({ displayName: "eth0", kind: "ethernet" });
  const pvdId = network.addPvd({ interfaceId: eth0, family: 6 });
  network.setElement(pvdId, {
    elementType: "ra",
    elementId: "fe80::1",
    data: { "dns-servers": [{ address: "2001:db8::53", lifetime: 1800 }], mtu: 1500 },
  });
  network.addAddress(pvdId, { address: "2001:db8::100" });
  const api = new MifApi(network);
  const subs: Subscriber[] = [];
  for (let i = 0; i < subscribers; i++) {
    const s = api.subscribe();
    s.postMessage({ type: "announce-addresses", pvdId });
    while (s.getMessage());
    subs.push(s);
  }
  return { network, api, pvdId, subs };
}

{
  const { pvdId, subs } = host(1);
  const app = subs[0]!;
  Deno.bench({
    group: "post-get",
    name: "Get Configuration Data: POST then GET (1 message)",
    baseline: true,
    fn() {
      app.postMessage({ type: "get-configuration-data", pvdId, elementType: "ra", informationId: "dns-servers" });
      if (app.getMessage()?.type !== "configuration-data") throw new Error("no reply");
    },
  });
  Deno.bench({
    group: "post-get",
    name: "Announce Interfaces + Stop: POST, POST, GET (1 message)",
    fn() {
      app.postMessage({ type: "announce-interfaces" });
      app.postMessage({ type: "stop-announcing-interfaces" });
      if (app.getMessage()?.type !== "interface-announcement") throw new Error("no reply");
    },
  });
  Deno.bench({
    group: "post-get",
    name: "malformed request: POST then GET the error (1 message)",
    fn() {
      app.postMessage({ type: "announce-addresses", pvdId: 7 } as never);
      if (app.getMessage()?.type !== "error") throw new Error("no reply");
    },
  });
}

for (const count of [1, 100, 1000]) {
  const { network, pvdId, subs } = host(count);
  let n = 0;
  Deno.bench({
    group: "fan-out",
    name: `address added and removed, ${count} subscriber(s) GET both (${2 * count} messages)`,
    baseline: count === 1,
    fn() {
      const address = `2001:db8::${(n++ % 65535).toString(16)}:1`;
      network.addAddress(pvdId, { address });
      network.removeAddress(pvdId, address);
      for (const s of subs) {
        s.getMessage();
        s.getMessage();
      }
    },
  });
}
