/**
 * The Randomized Priority Least Used with Degradation policy.
 *
 * @module
 */

import { definePolicy, type PoolPolicy } from "./policy.ts";
import { builtinInfo, spare } from "./_policy_math.ts";
import { degrade } from "./_degradation.ts";
import { PolicyType } from "../wire/policy_parameter.ts";
import { KEY_ZERO, USE_DEGRADE, WEIGHT_SPARE_LOAD_LD_DEG, withFormula } from "./_formula.ts";

/**
 * Randomized Priority Least Used with Degradation (RSPLIB, type
 * 0xb0001004, fields load, loadDegradation): weighted random with weight
 * 0xffffffff − load − load degradation − degradation counter (at least 1);
 * each use adds the load degradation to the counter, an update resets it.
 * (RSPLIB never raises the counter for this policy; see
 * Randomized Least Used with Degradation.)
 *
 * @example Characteristic behaviour
 * ```ts
 * import { SelectionPool, randomizedPriorityLeastUsedDegradation } from "./mod.ts";
 * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const pool = new SelectionPool(randomizedPriorityLeastUsedDegradation);
 * const s = pool.add(policyParameter(PolicyType.RandomizedPriorityLeastUsedDegradation, {
 *   load: 0xffff0000, loadDegradation: 0x1000,
 * }));
 * assert.equal(pool.selectionWeight(s), 0xefff);
 * pool.select(1, new Int32Array(1), new SeededRng(1));
 * assert.equal(pool.selectionWeight(s), 0xdfff);
 * ```
 */
export const randomizedPriorityLeastUsedDegradation: PoolPolicy = withFormula(
  definePolicy({
    info: builtinInfo(PolicyType.RandomizedPriorityLeastUsedDegradation),
    engine: "weighted-random",
    defaultMaxIncrement: 1,
    weight: (v, slot) => spare(v.load[slot]!, v.loadDegradation[slot]!, v.degradation[slot]!),
    update: degrade,
  }),
  { key: KEY_ZERO, weight: WEIGHT_SPARE_LOAD_LD_DEG, use: USE_DEGRADE },
);
