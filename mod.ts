/**
 * The IETF MIF API (draft-ietf-mif-api-extension-05) for hosts with several
 * networks: learn interfaces, provisioning domains (PvDs), configuration
 * elements and addresses as they come and go, resolve names inside one PvD
 * and connect through a chosen PvD, by posting messages and checking for and
 * getting replies.
 *
 * A {@linkcode MifApi} runs over a {@linkcode NetworkLink} adapter: the
 * simulated network (`@pvd/mif/simulated`) here, the Deno and Node adapters
 * for real hosts.
 *
 * Adapters turn what they receive into configuration data with
 * {@linkcode configurationFromRouterAdvertisement},
 * {@linkcode configurationFromDhcpv6} and {@linkcode configurationFromDhcpv4},
 * over the packets the WebAssembly core parses (`@pvd/mif/core`).
 *
 * @example The draft's section 3.3, on a simulated host
 * ```ts
 * import { MifApi } from "./mod.ts";
 * import { twoProviderHost } from "./adapters/simulated/mod.ts";
 *
 * const { network, clock } = twoProviderHost();
 * const api = new MifApi(network);
 * const app = api.subscribe();
 *
 * app.postMessage({ type: "announce-interfaces" });
 * while (app.checkMessage({ timeout: 0 })) {
 *   const message = app.getMessage()!;
 *   if (message.type === "interface-announcement") {
 *     app.postMessage({ type: "announce-provisioning-domains", interfaceId: message.interfaceId });
 *   }
 *   if (message.type === "provisioning-domain-announcement") {
 *     app.postMessage({
 *       type: "translate-name", pvdId: message.pvdId, name: "host.example.com", translationId: message.pvdId,
 *     });
 *   }
 * }
 * await clock.tick(5_000); // virtual time: the simulated DNS answers
 * let answers = 0;
 * for (let m = app.getMessage(); m; m = app.getMessage()) if (m.type === "name-translation") answers++;
 * if (answers === 0) throw new Error("no answer");
 * api.close();
 * ```
 *
 * @module
 */

export {
  type Connection,
  type ConnectOptions,
  MifApi,
  type MifApiOptions,
  type SubscribeOptions,
} from "./api/mif_api.ts";
export {
  ADAPTIVE_STAGGER_MIN,
  planRace,
  RACE_POLICIES,
  type RaceCandidate,
  type RacePlan,
  type RacePolicy,
  RttHistory,
} from "./api/race_policy.ts";
export {
  openRunnerRaces,
  type RaceOutcome,
  RaceRunner,
  type RaceRunnerOptions,
  type RunnerPvd,
} from "./api/race_runner.ts";
export type { CheckMessageOptions, MessagesOptions, Subscriber } from "./api/subscriber.ts";
export { type PvdTranslation, translateInPvds } from "./api/translate_in_pvds.ts";
export { ConnectError, MifError, type MifErrorCode, type MifErrorOptions } from "./api/errors.ts";
export * from "./api/messages.ts";
export type * from "./api/network_link.ts";
export { systemClock } from "./api/clock.ts";
export {
  ageConfigurationData,
  ConfigurationDatabase,
  type ConfigurationDatabaseOptions,
  type DatabaseEvent,
  remainingSeconds,
  type RemovalReason,
} from "./api/config_db.ts";
export { validateRequest } from "./api/validate.ts";
export {
  type CachedFamily,
  DnsCache,
  type DnsCacheOptions,
  type DnsCacheScope,
  type DnsCacheStats,
} from "./api/dns_cache.ts";
export {
  configurationFromDhcpv4,
  configurationFromDhcpv6,
  configurationFromRouterAdvertisement,
} from "./api/configuration_from_packets.ts";
