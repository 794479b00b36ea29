/**
 * The Randomized Priority Least Used policy.
 *
 * @module
 */

import { definePolicy, type PoolPolicy } from "./policy.ts";
import { builtinInfo, spare } from "./_policy_math.ts";
import { PolicyType } from "../wire/policy_parameter.ts";
import { KEY_ZERO, USE_NONE, WEIGHT_SPARE_LOAD_LD, withFormula } from "./_formula.ts";

/**
 * Randomized Priority Least Used (RSPLIB, type 0xb0001001, fields load,
 * loadDegradation): weighted random with weight 0xffffffff − load − load
 * degradation (at least 1).
 *
 * @example Characteristic behaviour
 * ```ts
 * import { SelectionPool, randomizedPriorityLeastUsed } from "./mod.ts";
 * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
 * import assert from "node:assert/strict";
 * const pool = new SelectionPool(randomizedPriorityLeastUsed);
 * const s = pool.add(policyParameter(PolicyType.RandomizedPriorityLeastUsed, {
 *   load: 0xffff0000, loadDegradation: 0xff00,
 * }));
 * assert.equal(pool.selectionWeight(s), 0xff);
 * ```
 */
export const randomizedPriorityLeastUsed: PoolPolicy = withFormula(
  definePolicy({
    info: builtinInfo(PolicyType.RandomizedPriorityLeastUsed),
    engine: "weighted-random",
    defaultMaxIncrement: 1,
    weight: (v, slot) => spare(v.load[slot]!, v.loadDegradation[slot]!, 0),
  }),
  { key: KEY_ZERO, weight: WEIGHT_SPARE_LOAD_LD, use: USE_NONE },
);
