// Runs inside the lab's host namespace (tests/lab/two_provider_host.sh) and
// follows the real host through the public API, as an application would:
// every interface, every PvD of each, and every address and configuration
// element of each PvD, printed as one JSON line per message with the wall
// clock time it was read. Lines on stdin ask for configuration data:
//   get PVD_ID ELEMENT_TYPE INFORMATION_ID
//   source
// Used by tests/lab_host_test.ts; run with -A (FFI, raw sockets, /proc).

import { MifApi, type MifReply } from "../../mod.ts";
import { denoHostNetwork } from "../../adapters/deno/mod.ts";

const network = denoHostNetwork({
  onError: (error) => print({ type: "adapter-error", message: error.message }),
  onUnavailable: (what, error) => print({ type: "unavailable", what, message: error.message }),
});
const api = new MifApi(network);
const app = api.subscribe();

function print(message: unknown): void {
  console.log(
    JSON.stringify(
      { at: Date.now(), ...(message as object) },
      (_key, value) =>
        value === Infinity
          ? "Infinity"
          : typeof value === "object" && value !== null && "readable" in value
          ? undefined
          : value,
    ),
  );
}

app.postMessage({ type: "announce-interfaces" });

(async () => {
  const input = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
  let buffered = "";
  for await (const chunk of input) {
    buffered += chunk;
    for (let newline = buffered.indexOf("\n"); newline !== -1; newline = buffered.indexOf("\n")) {
      const [command, pvdId, elementType, informationId] = buffered.slice(0, newline).trim().split(/\s+/);
      buffered = buffered.slice(newline + 1);
      if (command === "get") {
        // Posted as typed by a person: a bad field comes back as an error reply.
        app.postMessage({ type: "get-configuration-data", pvdId, elementType, informationId } as never);
      } else if (command === "source") {
        print({ type: "source", source: network.source, limitations: network.limitations });
      }
    }
  }
  api.close();
  Deno.exit(0);
})();

for await (const message of app) {
  print(message);
  follow(message);
}

function follow(message: MifReply): void {
  if (message.type === "interface-announcement") {
    app.postMessage({ type: "announce-provisioning-domains", interfaceId: message.interfaceId });
  } else if (message.type === "provisioning-domain-announcement") {
    app.postMessage({ type: "announce-addresses", pvdId: message.pvdId });
    app.postMessage({ type: "announce-configuration-elements", pvdId: message.pvdId });
  }
}
