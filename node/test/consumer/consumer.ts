// Compiled by package-test.mjs, never run: the public types as a Node
// TypeScript project sees them through the package's exports map.
import { ConnectError, MifApi, type MifReply } from "@pvd/mif";
import { parseRouterAdvertisement, sortDestinations } from "@pvd/mif/core";
import { twoProviderHost } from "@pvd/mif/simulated";
import { HostNetwork } from "@pvd/mif/host";

export async function example(): Promise<string | undefined> {
  const { network, host } = twoProviderHost();
  const api = new MifApi(network);
  const app = api.subscribe();
  app.postMessage({ type: "announce-interfaces" });
  const first: MifReply | undefined = app.getMessage();
  if (first?.type === "interface-announcement") console.log(first.displayName.toUpperCase());
  const ra = parseRouterAdvertisement(new Uint8Array(16), { hopLimit: 255 });
  const lifetime: number = ra.routerLifetime;
  const sorted = sortDestinations(["2001:db8::1", "192.0.2.1"]);
  const rule: number | undefined = sorted[0]?.rule;
  const real = new HostNetwork({ pollInterval: 5_000 });
  console.log(lifetime, rule, real.source);
  try {
    const { token, report } = await api.connect(host.name, host.port);
    token.close();
    return report.why;
  } catch (error) {
    if (error instanceof ConnectError) return error.report.reason;
    throw error;
  }
}
