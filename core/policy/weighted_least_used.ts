/**
 * The Weighted Least Used policy.
 *
 * @module
 */

import { definePolicy, type PoolPolicy } from "./policy.ts";
import { builtinInfo } from "./_policy_math.ts";
import { PolicyType } from "../wire/policy_parameter.ts";
import { KEY_WLU, USE_NONE, WEIGHT_ONE, withFormula } from "./_formula.ts";

/**
 * Weighted Least Used (rserpool-ng, type 0xb0003002, fields weight, load):
 * the pool element with the lowest load relative to its capacity,
 * load / weight; equal values take turns. Weight 0 means no capacity (chosen
 * only after all others). With loads that follow the traffic, elements
 * receive requests in proportion to their weights.
 *
 * @example Characteristic behaviour
 * ```ts
 * import { SelectionPool, weightedLeastUsed } from "./mod.ts";
 * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const pool = new SelectionPool(weightedLeastUsed);
 * const wlu = (weight: number, load: number) =>
 *   policyParameter(PolicyType.WeightedLeastUsed, { weight, load });
 * pool.add(wlu(1, 300)); // 300 per unit of capacity
 * const big = pool.add(wlu(4, 800)); // 200 per unit
 * const out = new Int32Array(1);
 * pool.select(1, out, new SeededRng(1));
 * assert.equal(out[0], big);
 * ```
 */
export const weightedLeastUsed: PoolPolicy = withFormula(
  definePolicy({
    info: builtinInfo(PolicyType.WeightedLeastUsed),
    engine: "sorted",
    // Weight 0: no capacity, key Infinity.
    maxKey: Infinity,
    defaultMaxIncrement: 1,
    key: (v, slot) => {
      const w = v.weight[slot]!;
      return w === 0 ? Infinity : v.load[slot]! / w;
    },
  }),
  { key: KEY_WLU, weight: WEIGHT_ONE, use: USE_NONE },
);
