// How long what an RA said lasts, shared by the host model (an explicit
// PvD's and an element's expiry) and the RA listener (when to forget a
// router that went silent).

import type { ConfigurationData } from "../../api/messages.ts";

/** The longest lifetime (s) in configuration data mapped from an RA; 0 when nothing in it lasts. */
export function longestLifetime(data: ConfigurationData): number {
  let longest = 0;
  for (
    const entry of [
      ...(data["dns-servers"] ?? []),
      ...(data["search-domains"] ?? []),
      ...(data.routers ?? []),
      ...(data.routes ?? []),
    ]
  ) longest = Math.max(longest, entry.lifetime);
  for (const prefix of data.prefixes ?? []) longest = Math.max(longest, prefix.validLifetime);
  return longest;
}
