// @ts-check
// The probe of the lab tests, written once for every runtime: it runs
// inside the lab's host namespace (two_provider_host.sh) and follows the
// real host through the public API, as an application would: every
// interface, every PvD of each, and every address and configuration element
// of each PvD, printed as one JSON line per message with the wall clock time
// it was read. Lines on stdin ask for more:
//   get PVD_ID ELEMENT_TYPE INFORMATION_ID
//   source
// Closing stdin closes the API and exits. Deno's probe (host_probe.ts) and
// Node's (node/lab/host-probe.mjs) only make the network and the API.

import process from "node:process";
import { createInterface } from "node:readline";

/**
 * Prints one message as a JSON line, with the time it was read; Infinity
 * as text, connection tokens left out.
 *
 * @param {object} message
 */
export function print(message) {
  const line = JSON.stringify(
    { at: Date.now(), ...message },
    (_key, value) =>
      value === Infinity
        ? "Infinity"
        : typeof value === "object" && value !== null && "readable" in value
        ? undefined
        : value,
  );
  process.stdout.write(line + "\n");
}

/**
 * What the probe needs from a runtime: the API over the runtime's host
 * network, and the network (for its source and limitations).
 *
 * @typedef {{
 *   api: { subscribe(): { postMessage(request: object): void, [Symbol.asyncIterator](): AsyncIterator<any> }, close(): void },
 *   network: { readonly source: string | undefined, readonly limitations: readonly string[] },
 * }} Opened
 */

/**
 * Follows the host until stdin closes.
 *
 * @param {(callbacks: {
 *   onError: (error: Error) => void,
 *   onUnavailable: (what: string, error: Error) => void,
 * }) => Opened} open Makes the network with these callbacks, and the API over it.
 * @returns {Promise<void>}
 */
export async function followHost(open) {
  const { api, network } = open({
    onError: (error) => print({ type: "adapter-error", message: error.message }),
    onUnavailable: (what, error) => print({ type: "unavailable", what, message: error.message }),
  });
  const app = api.subscribe();
  app.postMessage({ type: "announce-interfaces" });

  createInterface({ input: process.stdin })
    .on("line", (line) => {
      const [command, pvdId, elementType, informationId] = line.trim().split(/\s+/);
      if (command === "get") {
        // Posted as typed by a person: a bad field comes back as an error reply.
        app.postMessage({ type: "get-configuration-data", pvdId, elementType, informationId });
      } else if (command === "source") {
        print({ type: "source", source: network.source, limitations: network.limitations });
      }
    })
    .on("close", () => {
      api.close();
      process.exit(0);
    });

  for await (const message of app) {
    print(message);
    if (message.type === "interface-announcement") {
      app.postMessage({ type: "announce-provisioning-domains", interfaceId: message.interfaceId });
    } else if (message.type === "provisioning-domain-announcement") {
      app.postMessage({ type: "announce-addresses", pvdId: message.pvdId });
      app.postMessage({ type: "announce-configuration-elements", pvdId: message.pvdId });
    }
  }
}
