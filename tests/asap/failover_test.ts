// Registrar failure: every PE registered at a registrar that crashes moves to the other one
// (each registrar alone, no ENRP) and pool users resolve it there.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Sim, simSeeds, withSeed } from "../_sim.ts";
import { addPoolElement, addPoolUser, addRegistrar, enc } from "./_setup.ts";
import { policyParameter, PolicyType } from "../../core/wire/policy_parameter.ts";
import type { PoolElement } from "../../core/asap/pool_element.ts";
import type { PoolUserEvent } from "../../core/asap/pool_user.ts";

test("PEs fail over to a second registrar when their home crashes and are resolvable there", () => {
  for (const seed of simSeeds(200, 4000)) {
    withSeed(seed, () => {
      const sim = new Sim({ seed, latency: 1 + (seed % 3), datagramLoss: 0.1 });
      const a = addRegistrar(sim, "pr-a");
      const b = addRegistrar(sim, "pr-b");
      const pes: PoolElement[] = [];
      for (let i = 0; i < 6; i++) {
        pes.push(
          addPoolElement(sim, `pe${i}`, {
            poolHandle: "EchoPool",
            policy: policyParameter(PolicyType.RoundRobin),
            userTransport: { protocol: "tcp", port: 7 },
            // Half know the registrars statically, half only from announces.
            ...(i % 2 === 0 ? { registrars: [a.endpoint, b.endpoint] } : {}),
          }).pe,
        );
      }
      const { pu } = addPoolUser(sim, "pu", { staleCacheValue: 0 });
      assert.ok(sim.runUntil(() => pes.every((p) => p.state === "registered"), 20_000));
      sim.command("pu", (now) => pu.resolve(now, "EchoPool")); // attach the PU somewhere
      sim.runFor(sim.random() * 10_000);
      const [victim, survivor] = sim.random() < 0.5 ? [a, b] : [b, a];
      const moving = victim.registrar.handlespace.size;
      sim.crash(victim.node.name, { reset: sim.random() < 0.5 });
      // Without a reset the PEs notice within heartbeat interval + timeout (5 s), or by a
      // response timeout; then one hunt round.
      assert.ok(
        sim.runUntil(() => survivor.registrar.handlespace.size === pes.length, 20_000),
        `${survivor.registrar.handlespace.size} of ${pes.length} PEs at the survivor (${moving} moved)`,
      );
      assert.ok(sim.runUntil(() => pes.every((p) => p.state === "registered"), 5_000));
      for (const pe of pes) {
        assert.equal(
          survivor.registrar.handlespace.find(enc("EchoPool"), pe.id)?.homeRegistrarId,
          survivor.registrar.id,
        );
      }
      // The PU may have been attached to the crashed registrar: it fails over too.
      const n = sim.events("pu", "resolved").length;
      sim.command("pu", (now) => pu.resolve(now, "EchoPool", { items: "all" }));
      assert.ok(sim.runUntil(() => sim.events("pu", "resolved").length > n, 20_000));
      const r = sim.events<PoolUserEvent>("pu", "resolved")[n]!;
      assert.equal(r.type === "resolved" && r.poolElements.length, pes.length);
      const hs = survivor.registrar.handlespace;
      assert.equal(hs.handlespaceChecksum(), hs.computeHandlespaceChecksum());
    });
  }
});
