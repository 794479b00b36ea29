/**
 * The Weighted Random policy.
 *
 * @module
 */

import { definePolicy, type PoolPolicy } from "./policy.ts";
import { builtinInfo } from "./_policy_math.ts";
import { PolicyType } from "../wire/policy_parameter.ts";
import { KEY_ZERO, USE_NONE, WEIGHT_WEIGHT, withFormula } from "./_formula.ts";

/**
 * Weighted Random (RFC 5356, type 0x00000004, field weight): k distinct pool
 * elements drawn with probability proportional to their weight (without
 * replacement within one selection). A weight of 0 is never drawn.
 *
 * @example Characteristic behaviour
 * ```ts
 * import { SelectionPool, weightedRandom } from "./mod.ts";
 * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const pool = new SelectionPool(weightedRandom);
 * pool.add(policyParameter(PolicyType.WeightedRandom, { weight: 0 }));
 * const heavy = pool.add(policyParameter(PolicyType.WeightedRandom, { weight: 5 }));
 * const out = new Int32Array(1);
 * pool.select(1, out, new SeededRng(3));
 * assert.equal(out[0], heavy);
 * ```
 */
export const weightedRandom: PoolPolicy = withFormula(
  definePolicy({
    info: builtinInfo(PolicyType.WeightedRandom),
    engine: "weighted-random",
    defaultMaxIncrement: 0,
    weight: (v, slot) => v.weight[slot]!,
  }),
  { key: KEY_ZERO, weight: WEIGHT_WEIGHT, use: USE_NONE },
);
