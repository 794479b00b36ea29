/**
 * The Priority Least Used with Degradation policy.
 *
 * @module
 */

import { definePolicy, type PoolPolicy, U32_MAX } from "./policy.ts";
import { builtinInfo, cappedSum3 } from "./_policy_math.ts";
import { degrade } from "./_degradation.ts";
import { PolicyType } from "../wire/policy_parameter.ts";
import { KEY_LOAD_LD_DEG, USE_DEGRADE, WEIGHT_ONE, withFormula } from "./_formula.ts";

/**
 * Priority Least Used with Degradation (RSPLIB, type 0xb0001003, fields
 * load, loadDegradation): lowest load + load degradation + degradation
 * counter; each use adds the load degradation to the counter, an update
 * resets it.
 *
 * @example Characteristic behaviour
 * ```ts
 * import { SelectionPool, priorityLeastUsedDegradation } from "./mod.ts";
 * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const pool = new SelectionPool(priorityLeastUsedDegradation);
 * const p = (load: number) =>
 *   policyParameter(PolicyType.PriorityLeastUsedDegradation, { load, loadDegradation: 10 });
 * const a = pool.add(p(100)), b = pool.add(p(105));
 * const out = new Int32Array(1), rng = new SeededRng(1), picks = [];
 * for (let i = 0; i < 3; i++) { pool.select(1, out, rng); picks.push(out[0]); }
 * assert.deepEqual(picks, [a, b, a]);
 * ```
 */
export const priorityLeastUsedDegradation: PoolPolicy = withFormula(
  definePolicy({
    info: builtinInfo(PolicyType.PriorityLeastUsedDegradation),
    engine: "sorted",
    // Keys are capped at 0xffffffff: everything at the cap ties.
    maxKey: U32_MAX,
    defaultMaxIncrement: 1,
    key: (v, slot) => cappedSum3(v.load[slot]!, v.loadDegradation[slot]!, v.degradation[slot]!),
    update: degrade,
  }),
  { key: KEY_LOAD_LD_DEG, weight: WEIGHT_ONE, use: USE_DEGRADE },
);
