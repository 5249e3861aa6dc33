// The rules that turn a racing policy into a plan, and the RTT history.

import { planRace, RACE_POLICIES, type RaceCandidate, RttHistory } from "../api/race_policy.ts";
import { assertEquals } from "./_assert.ts";

const candidates: RaceCandidate[] = [
  { pvdId: "eth-v6", interfaceId: 1, interfaceKind: "ethernet", explicit: false, families: [6] },
  { pvdId: "eth-v4", interfaceId: 1, interfaceKind: "ethernet", explicit: false, families: [4] },
  { pvdId: "wifi", interfaceId: 2, interfaceKind: "wifi", explicit: true, families: [6, 4], srtt: 15 },
  { pvdId: "cell", interfaceId: 3, interfaceKind: "cellular", explicit: false, families: [4], srtt: 5 },
  { pvdId: "vpn", interfaceId: 4, interfaceKind: "vpn", explicit: false, families: [] },
];

function order(plan: ReturnType<typeof planRace>): string {
  return plan.pvds.map((p) => `${p.pvd}:${p.policy}`).join(" ");
}

Deno.test("planRace: the database's order by default; PvDs without a source are left out", () => {
  const plan = planRace({}, candidates);
  assertEquals(order(plan), "eth-v6:neutral eth-v4:neutral wifi:neutral cell:neutral");
  assertEquals(plan.excluded, [{ pvdId: "vpn", why: "no usable source address" }]);
  assertEquals(plan.options, {
    resolutionDelay: 50,
    attemptDelay: 250,
    firstFamilyCount: 1,
    preferredFamily: 6,
    pvdStagger: 0,
  });
  assertEquals(plan.pvds[2]?.families, [6, 4]);
});

Deno.test("planRace: custom rule, then per PvD, then per interface type; require excludes the rest", () => {
  const plan = planRace({
    interfaceKinds: { cellular: "prohibit", ethernet: "avoid", wifi: "prohibit" },
    pvds: { wifi: "prefer" },
    custom: (pvd) => pvd.pvdId === "eth-v4" ? "prefer" : undefined,
  }, candidates);
  assertEquals(order(plan), "eth-v4:prefer wifi:prefer eth-v6:avoid", "ties in the database's order");
  assertEquals(plan.excluded[0], { pvdId: "cell", why: "prohibited by the policy for cellular interfaces" });
  const required = planRace({ pvds: { cell: "require" } }, candidates);
  assertEquals(order(required), "cell:require");
  assertEquals(required.excluded.filter((e) => e.why === "another PvD is required").length, 4);
});

Deno.test("planRace: RTT order ranks measured PvDs by SRTT within a policy rank, unmeasured after", () => {
  assertEquals(
    order(planRace({ order: "rtt" }, candidates)),
    "cell:neutral wifi:neutral eth-v6:neutral eth-v4:neutral",
  );
  assertEquals(
    order(planRace({ order: "rtt", pvds: { "eth-v4": "prefer" } }, candidates)),
    "eth-v4:prefer cell:neutral wifi:neutral eth-v6:neutral",
  );
});

Deno.test("planRace: the runtime-like policies race one PvD, with getaddrinfo-style answers", () => {
  for (const policy of [RACE_POLICIES.nodeLike, RACE_POLICIES.denoLike]) {
    const plan = planRace(policy, candidates);
    assertEquals(order(plan), "eth-v6:neutral");
    assertEquals(plan.resolution, "together");
    assertEquals(plan.excluded.filter((e) => e.why.startsWith("only 1 PvD")).length, 3);
  }
  assertEquals(planRace(RACE_POLICIES.nodeLike, candidates).attemptTimeout, 250);
  assertEquals(planRace(RACE_POLICIES.denoLike, candidates).attemptTimeout, undefined);
  assertEquals(planRace({ maxPvds: 0 }, candidates).pvds.length, 1, "at least one PvD races");
});

Deno.test("RttHistory smooths per PvD as TCP does and ignores nonsense", () => {
  const history = new RttHistory();
  history.record("a", 80);
  for (let i = 0; i < 50; i++) history.record("a", 16);
  history.record("a", -1);
  history.record("a", NaN);
  const srtt = history.srtt("a")!;
  assertEquals(Math.round(srtt), 16);
  assertEquals(history.srtt("b"), undefined, "never shared across PvDs");
  history.forget("a");
  assertEquals(history.srtt("a"), undefined);
});
