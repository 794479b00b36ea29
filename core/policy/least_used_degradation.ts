/**
 * The Least Used with Degradation policy.
 *
 * @module
 */

import { definePolicy, type PoolPolicy, U32_MAX } from "./policy.ts";
import { builtinInfo, cappedSum } from "./_policy_math.ts";
import { degrade } from "./_degradation.ts";
import { PolicyType } from "../wire/policy_parameter.ts";
import { KEY_LOAD_DEG, USE_DEGRADE, WEIGHT_ONE, withFormula } from "./_formula.ts";

/**
 * Least Used with Degradation (RFC 5356, type 0x40000002, fields load,
 * loadDegradation): lowest load + degradation counter; each use adds the
 * PE's load degradation to its counter, an update of its policy information
 * resets it to 0.
 *
 * Deviation from RSPLIB (team decision 4): RSPLIB adds the degradation twice
 * per use and once at registration; we add it once per use only.
 *
 * @example Characteristic behaviour
 * ```ts
 * import { SelectionPool, leastUsedDegradation } from "./mod.ts";
 * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const pool = new SelectionPool(leastUsedDegradation);
 * const lud = (load: number) =>
 *   policyParameter(PolicyType.LeastUsedDegradation, { load, loadDegradation: 10 });
 * const a = pool.add(lud(100)), b = pool.add(lud(105));
 * const out = new Int32Array(1), rng = new SeededRng(1), picks = [];
 * for (let i = 0; i < 3; i++) { pool.select(1, out, rng); picks.push(out[0]); }
 * assert.deepEqual(picks, [a, b, a]); // 100 → 110 > 105 → 115 > 110
 * ```
 */
export const leastUsedDegradation: PoolPolicy = withFormula(
  definePolicy({
    info: builtinInfo(PolicyType.LeastUsedDegradation),
    engine: "sorted",
    // Keys are capped at 0xffffffff: everything at the cap ties.
    maxKey: U32_MAX,
    defaultMaxIncrement: 1,
    key: (v, slot) => cappedSum(v.load[slot]!, v.degradation[slot]!),
    update: degrade,
  }),
  { key: KEY_LOAD_DEG, weight: WEIGHT_ONE, use: USE_DEGRADE },
);
