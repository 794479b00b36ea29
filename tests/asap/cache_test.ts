// The pool user's cache takes load off the registrar: with a stale cache value, resolutions are
// answered locally until the cached PEs are stale; without one, every resolution is a request.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Sim } from "../_sim.ts";
import { addPoolElement, addPoolUser, addRegistrar } from "./_setup.ts";
import { policyParameter, PolicyType } from "../../core/wire/policy_parameter.ts";
import type { PoolUser } from "../../core/asap/pool_user.ts";

function run(staleCacheValue: number) {
  const sim = new Sim({ seed: 21 });
  const pr = addRegistrar(sim, "pr");
  for (let i = 0; i < 10; i++) {
    addPoolElement(sim, `pe${i}`, {
      poolHandle: "EchoPool",
      policy: policyParameter(PolicyType.RoundRobin),
      userTransport: { protocol: "tcp", port: 7 },
    });
  }
  const pus: PoolUser[] = [];
  for (let i = 0; i < 20; i++) pus.push(addPoolUser(sim, `pu${i}`, { staleCacheValue }).pu);
  sim.runFor(2000);
  // Every PU resolves every 100 ms for 60 s.
  for (let t = 0; t < 60_000; t += 100) {
    pus.forEach((pu, i) => sim.command(`pu${i}`, (now) => pu.resolve(now, "EchoPool")));
    sim.runFor(100);
  }
  const resolved = pus.reduce((n, _, i) => n + sim.events(`pu${i}`, "resolved").length, 0);
  const sent = pus.reduce((n, _, i) => n + sim.node(`pu${i}`).sent, 0);
  return { resolved, sent, requests: pr.registrar.stats().handleResolutions };
}

test("PU cache hits avoid network traffic until the entries are stale", () => {
  const cached = run(30_000);
  assert.equal(cached.resolved, 20 * 600);
  // One request per PU per 30 s.
  assert.ok(cached.requests >= 40 && cached.requests <= 60, `${cached.requests} requests`);
  assert.equal(cached.sent, cached.requests);
  const uncached = run(0);
  assert.equal(uncached.resolved, 20 * 600);
  assert.equal(uncached.requests, 20 * 600);
});
