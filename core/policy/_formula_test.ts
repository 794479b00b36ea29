// The formula codes of the built-in policies compute exactly what their hooks compute (the
// engines use the codes; the reference model of the conformance suite uses the hooks).

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { type PolicyField, policyParameter } from "../wire/policy_parameter.ts";
import { BUILTIN_POLICIES, definePolicy, SelectionPool } from "./mod.ts";
import {
  formulaOf,
  KEY_HOOK,
  keyByFormula,
  USE_DEGRADE,
  USE_HOOK,
  USE_NONE,
  USE_WRR,
  WEIGHT_HOOK,
  weightByFormula,
} from "./_formula.ts";

const u32 = fc.oneof(
  fc.constantFrom(0, 1, 0xfffffffe, 0xffffffff),
  fc.integer({ min: 0, max: 0xffffffff }),
);

for (const policy of BUILTIN_POLICIES) {
  test(`${policy.name}: its formula codes give its hooks' key, weight and per-use update`, () => {
    const f = formulaOf(policy);
    assert.notEqual(f.key, KEY_HOOK);
    assert.notEqual(f.weight, WEIGHT_HOOK);
    assert.notEqual(f.use, USE_HOOK);
    assert.equal(f.use !== USE_NONE, policy.updatesOnUse);
    fc.assert(
      fc.property(
        fc.record({
          weight: u32,
          priority: u32,
          load: u32,
          loadDegradation: u32,
          loadDpf: u32,
          weightDpf: u32,
          distance: fc.integer({ min: 0, max: 100000 }),
        }),
        u32,
        fc.integer({ min: 0, max: 2 ** 20 }),
        (fields, degradation, round) => {
          const pool = new SelectionPool(policy);
          const values: Partial<Record<PolicyField, number>> = {};
          for (const field of policy.fields) values[field] = fields[field];
          const s = pool.add(policyParameter(policy.type, values));
          pool.degradation[s] = degradation;
          pool.round[s] = round;
          pool.virtual[s] = fields.weight;
          assert.equal(keyByFormula(f.key, policy, pool, s), policy.key(pool, s));
          assert.equal(weightByFormula(f.weight, policy, pool, s), policy.weight(pool, s));
          // The per-use update the engines apply inline, against the hook on a twin.
          const twin = new SelectionPool(policy);
          const t = twin.add(policyParameter(policy.type, values));
          twin.degradation[t] = degradation;
          twin.round[t] = round;
          twin.virtual[t] = fields.weight;
          policy.update(twin, t);
          if (f.use === USE_DEGRADE) {
            const d = degradation + fields.loadDegradation;
            assert.equal(twin.degradation[t], d > 0xffffffff ? 0xffffffff : d);
          } else if (f.use === USE_WRR) {
            const v = fields.weight;
            assert.equal(twin.virtual[t], v > 1 ? v - 1 : v);
            assert.equal(twin.round[t], v > 1 ? round : round + 1);
          } else {
            assert.equal(twin.degradation[t], degradation);
            assert.equal(twin.round[t], round);
          }
        },
      ),
      { numRuns: 200, seed: policy.type },
    );
  });
}

test("formulaOf() gives hook codes for a policy defined outside the built-in set", () => {
  const custom = definePolicy({
    info: {
      type: 0xb000f002,
      name: "Custom",
      abbreviation: "CUS",
      fields: [],
      origin: "rserpool-ng",
    },
    engine: "sorted",
    defaultMaxIncrement: 1,
    key: () => 3,
    update: () => {},
  });
  assert.deepEqual(formulaOf(custom), { key: KEY_HOOK, weight: WEIGHT_HOOK, use: USE_HOOK });
  const plain = definePolicy({
    info: {
      type: 0xb000f003,
      name: "Plain",
      abbreviation: "PLN",
      fields: [],
      origin: "rserpool-ng",
    },
    engine: "round-robin",
    defaultMaxIncrement: 1,
  });
  assert.equal(formulaOf(plain).use, USE_NONE);
});
