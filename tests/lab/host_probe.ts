// Deno's probe for tests/lab_host_test.ts: the host through
// denoHostNetwork(), followed by the shared probe (follow_host.mjs), inside
// the lab's host namespace. Run with -A (FFI, raw sockets, /proc).

import { MifApi } from "../../mod.ts";
import { denoHostNetwork } from "../../adapters/deno/mod.ts";
import { followHost } from "./follow_host.mjs";

await followHost((callbacks) => {
  const network = denoHostNetwork(callbacks);
  return { network, api: new MifApi(network) };
});
