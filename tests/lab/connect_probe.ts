// Deno's connection probe for tests/lab_connect_test.ts: the host through
// denoHostNetwork(), served by the shared probe (serve_connects.mjs),
// inside the lab's host namespace. Run with -A (FFI, raw sockets, net).

import { MifApi, RACE_POLICIES } from "../../mod.ts";
import { denoHostNetwork, type DenoHostNetworkOptions } from "../../adapters/deno/mod.ts";
import { sourceRoutingCommands } from "../../adapters/host/mod.ts";
import { serveConnects } from "./serve_connects.mjs";

await serveConnects({
  open: (options) => denoHostNetwork(options as DenoHostNetworkOptions),
  api: (network) => new MifApi(network as ReturnType<typeof denoHostNetwork>),
  preferPvd: (pvdId) => RACE_POLICIES.preferPvd(pvdId),
  sourceRoutingCommands: (facts) => sourceRoutingCommands(facts),
});
