/**
 * The Least Used with Degradation and Distance Penalty Factor policy.
 *
 * @module
 */

import { definePolicy, type PoolPolicy, U32_MAX } from "./policy.ts";
import { builtinInfo, penalisedLoad } from "./_policy_math.ts";
import { degrade } from "./_degradation.ts";
import { PolicyType } from "../wire/policy_parameter.ts";
import { KEY_DPF_LOAD_DEG, USE_DEGRADE, WEIGHT_ONE, withFormula } from "./_formula.ts";

/**
 * Least Used with Degradation and Distance Penalty Factor (RSPLIB, type
 * 0xb0002003, fields load, loadDegradation, loadDpf, distance): lowest load +
 * degradation counter + distance penalty (as Least Used DPF), capped; each
 * use adds the load degradation to the counter, an update resets it.
 *
 * @example Characteristic behaviour
 * ```ts
 * import { SelectionPool, leastUsedDegradationDpf } from "./mod.ts";
 * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const pool = new SelectionPool(leastUsedDegradationDpf);
 * const p = (distance: number) => policyParameter(PolicyType.LeastUsedDegradationDpf, {
 *   load: 1000, loadDegradation: 100, loadDpf: 1, distance,
 * });
 * const far = pool.add(p(50)), near = pool.add(p(0));
 * const out = new Int32Array(1), rng = new SeededRng(1), picks = [];
 * for (let i = 0; i < 2; i++) { pool.select(1, out, rng); picks.push(out[0]); }
 * assert.deepEqual(picks, [near, far]); // 1000 < 1050, then 1100 > 1050
 * ```
 */
export const leastUsedDegradationDpf: PoolPolicy = withFormula(
  definePolicy({
    info: builtinInfo(PolicyType.LeastUsedDegradationDpf),
    engine: "sorted",
    // Keys are capped at 0xffffffff: everything at the cap ties.
    maxKey: U32_MAX,
    defaultMaxIncrement: 1,
    key: (v, slot) =>
      penalisedLoad(v.load[slot]! + v.degradation[slot]!, v.distance[slot]!, v.loadDpf[slot]!),
    update: degrade,
  }),
  { key: KEY_DPF_LOAD_DEG, weight: WEIGHT_ONE, use: USE_DEGRADE },
);
