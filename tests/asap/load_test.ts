// Policy information travels: a PE's load change re-registers it at once, and the registrar's
// Least Used pool then picks the least loaded PE.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Sim, simSeeds, withSeed } from "../_sim.ts";
import { addPoolElement, addPoolUser, addRegistrar } from "./_setup.ts";
import { policyParameter, PolicyType } from "../../core/wire/policy_parameter.ts";
import type { PoolUserEvent } from "../../core/asap/pool_user.ts";
import type { PoolElement } from "../../core/asap/pool_element.ts";

const LU = (load: number) => policyParameter(PolicyType.LeastUsed, { load });

test("A load change re-registers the PE and the Least Used pool follows it", () => {
  for (const seed of simSeeds(100, 3000)) {
    withSeed(seed, () => {
      const sim = new Sim({ seed });
      addRegistrar(sim, "pr");
      const pes: PoolElement[] = [];
      for (let i = 0; i < 8; i++) {
        pes.push(
          addPoolElement(sim, `pe${i}`, {
            poolHandle: "LuPool",
            policy: LU(0x10000000 * (1 + i)),
            userTransport: { protocol: "tcp", port: 7 },
          }).pe,
        );
      }
      const { pu } = addPoolUser(sim, "pu", { staleCacheValue: 0 });
      assert.ok(sim.runUntil(() => pes.every((p) => p.state === "registered"), 5000));
      const pick = (): bigint => {
        const n = sim.events("pu", "resolved").length;
        sim.command("pu", (now) => pu.resolve(now, "LuPool"));
        assert.ok(sim.runUntil(() => sim.events("pu", "resolved").length > n, 1000));
        const e = sim.events<PoolUserEvent>("pu", "resolved")[n]!;
        return e.type === "resolved" ? e.poolElements[0]!.id : 0n;
      };
      assert.equal(pick(), pes[0]!.id);
      // A random PE becomes the least loaded; after one round trip the registrar picks it.
      for (let round = 0; round < 5; round++) {
        const k = Math.floor(sim.random() * pes.length);
        const load = 0x01000000 * (round + 1) - 1;
        for (const [i, pe] of pes.entries()) {
          if (i !== k && pe.policy.load <= load) {
            sim.command(`pe${i}`, (now) => pe.updatePolicy(now, LU(0x20000000 + i)));
          }
        }
        sim.command(`pe${k}`, (now) => pes[k]!.updatePolicy(now, LU(load)));
        sim.runFor(300); // past the policy update interval: coalesced updates are out too
        assert.equal(pick(), pes[k]!.id, `round ${round}`);
      }
    });
  }
});
