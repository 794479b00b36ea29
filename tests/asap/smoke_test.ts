import { test } from "node:test";
import assert from "node:assert/strict";
import { Sim } from "../_sim.ts";
import { addPoolElement, addPoolUser, addRegistrar, enc } from "./_setup.ts";
import { policyParameter, PolicyType } from "../../core/wire/policy_parameter.ts";

test("smoke: a PE registers via announces and a PU resolves it", () => {
  const sim = new Sim({ seed: 1 });
  const { registrar } = addRegistrar(sim, "pr");
  const { pe } = addPoolElement(sim, "pe", {
    poolHandle: "EchoPool",
    policy: policyParameter(PolicyType.RoundRobin),
    userTransport: { protocol: "tcp", port: 7 },
  });
  const { pu } = addPoolUser(sim, "pu");
  assert.ok(sim.runUntil(() => pe.state === "registered", 10_000));
  const id = sim.command("pu", (now) => pu.resolve(now, "EchoPool"));
  assert.ok(sim.runUntil(() => sim.events("pu", "resolved").length > 0, 10_000));
  const resolved = sim.events<{ requestId: number; poolElements: { id: bigint }[] }>(
    "pu",
    "resolved",
  )[0]!;
  assert.equal(resolved.requestId, id);
  assert.equal(resolved.poolElements[0]?.id, pe.id);
  assert.equal(registrar.handlespace.find(enc("EchoPool"), pe.id)?.live, true);
  console.log(sim.now, sim.events("pe"), sim.events("pr"));
});
