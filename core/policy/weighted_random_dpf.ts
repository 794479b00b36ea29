/**
 * The Weighted Random with Distance Penalty Factor policy.
 *
 * @module
 */

import { definePolicy, type PoolPolicy } from "./policy.ts";
import { builtinInfo, penalty, rint } from "./_policy_math.ts";
import { PolicyType } from "../wire/policy_parameter.ts";
import { KEY_ZERO, USE_NONE, WEIGHT_DPF, withFormula } from "./_formula.ts";

/**
 * Weighted Random with Distance Penalty Factor (RSPLIB and
 * draft-dreibholz-rserpool-delay, type 0xb0002001, fields weight, weightDpf,
 * distance): weighted random with weight − rint(weight × distance ×
 * weightDpf / 0xffffffff); a negative result becomes 1 (RSPLIB's rule, so a
 * result of exactly 0 stays 0 and is never drawn).
 *
 * @example Characteristic behaviour
 * ```ts
 * import { SelectionPool, weightedRandomDpf } from "./mod.ts";
 * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
 * import assert from "node:assert/strict";
 * const pool = new SelectionPool(weightedRandomDpf);
 * const s = pool.add(policyParameter(PolicyType.WeightedRandomDpf, {
 *   weight: 1000, weightDpf: 0x00418937, distance: 100, // about 0.1 % per ms
 * }));
 * assert.equal(pool.selectionWeight(s), 900);
 * ```
 */
export const weightedRandomDpf: PoolPolicy = withFormula(
  definePolicy({
    info: builtinInfo(PolicyType.WeightedRandomDpf),
    engine: "weighted-random",
    defaultMaxIncrement: 0,
    weight: (v, slot) => {
      const w = v.weight[slot]!;
      const value = w - rint(w * penalty(v.distance[slot]!, v.weightDpf[slot]!));
      return value < 0 ? 1 : value;
    },
  }),
  { key: KEY_ZERO, weight: WEIGHT_DPF, use: USE_NONE },
);
