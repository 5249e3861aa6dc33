// Node's probe for test/lab-host-test.mjs: the host through the built
// package's nodeHostNetwork() (koffi), followed by the shared probe
// (tests/lab/follow_host.mjs), inside the lab's host namespace. Kept out of
// test/, where node --test would run it as a test file; inside this folder
// so that "@pvd/mif" resolves to this package (self-reference).

import { MifApi } from "@pvd/mif";
import { nodeHostNetwork } from "@pvd/mif/node";
import { followHost } from "../../tests/lab/follow_host.mjs";

await followHost((callbacks) => {
  const network = nodeHostNetwork(callbacks);
  return { network, api: new MifApi(network) };
});
