// Per-PU rate limits: a flooding pool user is refused (Lack of Resources) and its unreachable
// reports dropped, while well-behaved pool users and the PEs are not affected.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Sim } from "../_sim.ts";
import { addPoolElement, addPoolUser, addRegistrar, enc } from "./_setup.ts";
import { policyParameter, PolicyType } from "../../core/wire/policy_parameter.ts";
import { ErrorCause } from "../../core/wire/error_cause.ts";
import type { PoolUserEvent } from "../../core/asap/pool_user.ts";
import type { RegistrarEvent } from "../../core/registrar/events.ts";

test("A flooding PU is rate-limited while other PUs keep being served", () => {
  const sim = new Sim({ seed: 31 });
  const pr = addRegistrar(sim, "pr", { maxHrRate: 20, maxEuRate: 1, maxBadPeReports: 100 });
  const { pe } = addPoolElement(sim, "pe", {
    poolHandle: "EchoPool",
    policy: policyParameter(PolicyType.RoundRobin),
    userTransport: { protocol: "tcp", port: 7 },
  });
  const flood = addPoolUser(sim, "flood", { staleCacheValue: 0 }).pu;
  const calm = addPoolUser(sim, "calm", { staleCacheValue: 0 }).pu;
  sim.runFor(2000);
  for (let s = 0; s < 10; s++) {
    sim.command("flood", (now) => {
      for (let i = 0; i < 200; i++) flood.resolve(now, "EchoPool");
      for (let i = 0; i < 5; i++) flood.reportUnreachable(now, "EchoPool", pe.id);
    });
    sim.command("calm", (now) => calm.resolve(now, "EchoPool"));
    sim.runFor(1000);
  }
  const floodResults = sim.events<PoolUserEvent>("flood").filter((e) =>
    e.type === "resolved" || e.type === "resolution-failed"
  );
  assert.equal(floodResults.length, 2000);
  const ok = floodResults.filter((e) => e.type === "resolved").length;
  // A burst of 20, then 20 per second, over the 9 s between the first and the last flood.
  assert.ok(ok >= 190 && ok <= 210, `${ok} served`);
  for (const e of floodResults) {
    if (e.type === "resolution-failed") {
      assert.equal(e.reason, "rejected");
      assert.equal(e.cause, ErrorCause.LackOfResources);
    }
  }
  assert.equal(sim.events("calm", "resolved").length, 10);
  assert.equal(sim.events("calm", "resolution-failed").length, 0);
  const stats = pr.registrar.stats();
  assert.equal(stats.handleResolutionsRateLimited, 2000 - ok);
  // At most one report per second is counted.
  assert.ok(stats.unreachableReports <= 11, `${stats.unreachableReports} reports`);
  assert.ok(stats.unreachableReportsRateLimited >= 39);
  assert.ok(sim.events<RegistrarEvent>("pr", "rate-limited").length >= 2);
  assert.equal(
    pr.registrar.handlespace.find(enc("EchoPool"), pe.id)?.unreachableReports,
    stats.unreachableReports,
  );
});
