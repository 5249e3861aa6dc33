// Node's connection probe for test/lab-connect-test.mjs: the host through
// the built package's nodeHostNetwork() (koffi), served by the shared probe
// (tests/lab/serve_connects.mjs), inside the lab's host namespace. Kept out
// of test/, where node --test would run it as a test file.

import { MifApi, RACE_POLICIES } from "@pvd/mif";
import { sourceRoutingCommands } from "@pvd/mif/host";
import { nodeHostNetwork } from "@pvd/mif/node";
import { serveConnects } from "../../tests/lab/serve_connects.mjs";

await serveConnects({
  open: (options) => nodeHostNetwork(options),
  api: (network) => new MifApi(network),
  preferPvd: (pvdId) => RACE_POLICIES.preferPvd(pvdId),
  sourceRoutingCommands: (facts) => sourceRoutingCommands(facts),
});
