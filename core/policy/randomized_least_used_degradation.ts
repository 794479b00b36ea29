/**
 * The Randomized Least Used with Degradation policy.
 *
 * @module
 */

import { definePolicy, type PoolPolicy } from "./policy.ts";
import { builtinInfo, spare } from "./_policy_math.ts";
import { degrade } from "./_degradation.ts";
import { PolicyType } from "../wire/policy_parameter.ts";
import { KEY_ZERO, USE_DEGRADE, WEIGHT_SPARE_LOAD_DEG, withFormula } from "./_formula.ts";

/**
 * Randomized Least Used with Degradation (RSPLIB, type 0xb0001002, fields
 * load, loadDegradation): weighted random with weight 0xffffffff − load −
 * degradation counter (at least 1); each use adds the load degradation to
 * the counter, an update resets it.
 *
 * Deviation from RSPLIB: RSPLIB's per-use hook for this policy only
 * recomputes the weight and never raises the counter, so it behaves like
 * Randomized Least Used; we apply the degradation as spec/behaviour.md §11
 * and the policy's name say.
 *
 * @example Characteristic behaviour
 * ```ts
 * import { SelectionPool, randomizedLeastUsedDegradation } from "./mod.ts";
 * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const pool = new SelectionPool(randomizedLeastUsedDegradation);
 * const s = pool.add(policyParameter(PolicyType.RandomizedLeastUsedDegradation, {
 *   load: 0xffff0000, loadDegradation: 0xf000,
 * }));
 * pool.select(1, new Int32Array(1), new SeededRng(1));
 * assert.equal(pool.selectionWeight(s), 0xfff);
 * ```
 */
export const randomizedLeastUsedDegradation: PoolPolicy = withFormula(
  definePolicy({
    info: builtinInfo(PolicyType.RandomizedLeastUsedDegradation),
    engine: "weighted-random",
    defaultMaxIncrement: 1,
    weight: (v, slot) => spare(v.load[slot]!, v.degradation[slot]!, 0),
    update: degrade,
  }),
  { key: KEY_ZERO, weight: WEIGHT_SPARE_LOAD_DEG, use: USE_DEGRADE },
);
