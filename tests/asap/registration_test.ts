// 1000 pool elements register over the simulated network into one pool per policy; handle
// resolutions through a pool user obey each pool's policy; the handlespace stays consistent.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Sim } from "../_sim.ts";
import { addPoolElement, addPoolUser, addRegistrar } from "./_setup.ts";
import { BUILTIN_POLICIES } from "../../core/policy/registry.ts";
import {
  type PolicyParameter,
  policyParameter,
  policyTypeInfo,
} from "../../core/wire/policy_parameter.ts";
import type { PoolUser, PoolUserEvent } from "../../core/asap/pool_user.ts";

const PES = 1000;
const POOLS = BUILTIN_POLICIES.length;

/** Policy information of the i-th PE of a pool: varied, some zero weights and equal keys. */
function policyFor(type: number, i: number): PolicyParameter {
  const fields: Record<string, number> = {};
  for (const f of policyTypeInfo(type)!.fields) {
    if (f === "weight") fields.weight = i % 10 === 9 ? 0 : 1 + (i % 4);
    else if (f === "priority") fields.priority = (i * 7) % 11;
    else if (f === "load") fields.load = ((i * 7919) % 97) * 40_000_000;
    else if (f === "loadDegradation") fields.loadDegradation = (i % 3) * 1_000_000;
    else if (f === "loadDpf" || f === "weightDpf") fields[f] = 0x00418937;
  }
  return policyParameter(type, fields);
}

type Result = Extract<PoolUserEvent, { type: "resolved" | "resolution-failed" }>;

function results(sim: Sim): Result[] {
  return sim.events<PoolUserEvent>("pu").filter((e): e is Result =>
    e.type === "resolved" || e.type === "resolution-failed"
  );
}

/** n resolutions of a pool through the PU, pipelined; all must succeed. */
function resolveMany(sim: Sim, pu: PoolUser, pool: string, n: number, items: number) {
  const before = results(sim).length;
  sim.command("pu", (now) => {
    for (let i = 0; i < n; i++) pu.resolve(now, pool, { items, staleCacheValue: 0 });
  });
  assert.ok(sim.runUntil(() => results(sim).length >= before + n, 5000));
  return results(sim).slice(before).map((e) => {
    assert.ok(e.type === "resolved", `${pool}: ${e.type}`);
    return e;
  });
}

test("1000 PEs register into pools of every policy and resolutions obey each policy", () => {
  const sim = new Sim({ seed: 42 });
  const pr = addRegistrar(sim, "pr", { maxHrRate: 0 }); // thousands of resolutions at one instant
  const members = new Map<string, Map<bigint, PolicyParameter>>();
  for (let i = 0; i < PES; i++) {
    const policy = BUILTIN_POLICIES[i % POOLS]!;
    const pool = `pool-${policy.abbreviation}`;
    const p = policyFor(policy.type, Math.floor(i / POOLS));
    const { pe } = addPoolElement(sim, `pe${i}`, {
      poolHandle: pool,
      policy: p,
      userTransport: { protocol: "tcp", port: 1000 + i },
    });
    if (!members.has(pool)) members.set(pool, new Map());
    members.get(pool)!.set(pe.id, p);
  }
  const { pu } = addPoolUser(sim, "pu");
  assert.ok(sim.runUntil(() => pr.registrar.handlespace.size === PES, 10_000));
  sim.runFor(6000); // a keep-alive round
  const hs = pr.registrar.handlespace;
  assert.equal(hs.poolCount, POOLS);
  assert.equal(hs.handlespaceChecksum(), hs.computeHandlespaceChecksum());
  assert.equal(hs.ownershipChecksum(pr.registrar.id), hs.computeOwnershipChecksum(pr.registrar.id));
  assert.equal(pr.registrar.stats().keepAliveTimeouts, 0);

  for (const policy of BUILTIN_POLICIES) {
    const pool = `pool-${policy.abbreviation}`;
    const known = members.get(pool)!;
    const size = known.size;
    const rs = resolveMany(sim, pu, pool, 40, 3);
    for (const r of rs) {
      assert.equal(r.policy?.type, policy.type, pool);
      const ids = r.poolElements.map((e) => e.id);
      assert.equal(new Set(ids).size, ids.length, `${pool}: distinct`);
      for (const e of r.poolElements) assert.ok(known.has(e.id), `${pool}: member`);
      if (policy.engine !== "weighted-random") assert.equal(ids.length, Math.min(3, size), pool);
      else if (policyTypeInfo(policy.type)!.fields.includes("weight")) {
        for (const e of r.poolElements) assert.notEqual(known.get(e.id)!.weight, 0, pool);
      }
    }
  }

  // Least Used: the three least loaded, in load order.
  const lu = members.get("pool-LU")!;
  const loads = [...lu.values()].map((p) => p.load).sort((a, b) => a - b);
  for (const r of resolveMany(sim, pu, "pool-LU", 5, 3)) {
    assert.deepEqual(r.poolElements.map((e) => e.policy.load), loads.slice(0, 3));
  }
  // Priority: the highest priorities first.
  const pri = [...members.get("pool-PRI")!.values()].map((p) => p.priority).sort((a, b) => b - a);
  for (const r of resolveMany(sim, pu, "pool-PRI", 5, 3)) {
    assert.deepEqual(r.poolElements.map((e) => e.policy.priority), pri.slice(0, 3));
  }
  // Round robin: one full turn serves every PE once.
  const rr = resolveMany(sim, pu, "pool-RR", 50, 1).map((r) => r.poolElements[0]!.id);
  assert.equal(new Set(rr).size, 50);
  // Weighted round robin: each round serves every PE its weight (8 rounds, from mid-round).
  const wrrMembers = members.get("pool-WRR")!;
  const weights = [...wrrMembers.values()].map((p) => p.weight);
  const perRound = weights.reduce((s, w) => s + Math.max(w, 1), 0);
  const served = new Map<bigint, number>();
  for (const r of resolveMany(sim, pu, "pool-WRR", 8 * perRound, 1)) {
    const id = r.poolElements[0]!.id;
    served.set(id, (served.get(id) ?? 0) + 1);
  }
  for (const [id, p] of wrrMembers) {
    if (p.weight === 0) continue;
    const n = served.get(id) ?? 0;
    assert.ok(Math.abs(n - 8 * p.weight) <= p.weight + 1, `WRR weight ${p.weight}: ${n}`);
  }
  // Random: every PE turns up over many draws.
  const rand = resolveMany(sim, pu, "pool-RAND", 600, 1).map((r) => r.poolElements[0]!.id);
  assert.equal(new Set(rand).size, 50);
  assert.equal(pr.registrar.stats().handleResolutionsUnknownPool, 0);
  assert.equal(hs.size, PES);
});
