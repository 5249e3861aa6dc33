// The API types adapters' signatures use, re-exported by each adapter's
// mod.ts so that its documentation stands on its own: one list for all.

export type {
  AddressInfo,
  ApplicationHint,
  Clock,
  ConnectAttempt,
  ConnectionEnds,
  ConnectionToken,
  ElementInfo,
  InterfaceInfo,
  InterfaceKind,
  NetworkChange,
  NetworkLink,
  NetworkLinkSink,
  NetworkState,
  PvdInfo,
  ResolvedFamily,
  ResolveQuery,
  TimerHandle,
} from "../api/network_link.ts";
export type {
  AddressSelectionPolicy,
  ConfigurationData,
  ConfigurationElement,
  ConfigurationElementType,
  ConnectionCanBeBroken,
  ConnectionIsIdle,
  DnsServer,
  InterfaceId,
  Prefix,
  PvdId,
  Route,
  Router,
  SearchDomain,
  WantsToConnect,
} from "../api/messages.ts";
