/**
 * The Priority policy.
 *
 * @module
 */

import { definePolicy, type PoolPolicy, U32_MAX } from "./policy.ts";
import { builtinInfo } from "./_policy_math.ts";
import { PolicyType } from "../wire/policy_parameter.ts";
import { KEY_PRIORITY, USE_NONE, WEIGHT_ONE, withFormula } from "./_formula.ts";

/**
 * Priority (RFC 5356, type 0x00000005, field priority): the pool element with
 * the highest priority; equal priorities take turns (sequence number).
 * RSPLIB keeps the priority in its weight field; we use the priority field
 * of the parameter (same wire position).
 *
 * @example Characteristic behaviour
 * ```ts
 * import { SelectionPool, priority } from "./mod.ts";
 * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const pool = new SelectionPool(priority);
 * const pri = (priority: number) => policyParameter(PolicyType.Priority, { priority });
 * pool.add(pri(1));
 * const a = pool.add(pri(9)), b = pool.add(pri(9));
 * const out = new Int32Array(1), rng = new SeededRng(1), picks = [];
 * for (let i = 0; i < 3; i++) { pool.select(1, out, rng); picks.push(out[0]); }
 * assert.deepEqual(picks, [a, b, a]);
 * ```
 */
export const priority: PoolPolicy = withFormula(
  definePolicy({
    info: builtinInfo(PolicyType.Priority),
    engine: "sorted",
    // Few priority levels: many equal keys.
    sortedStructure: "buckets",
    defaultMaxIncrement: 1,
    key: (v, slot) => U32_MAX - v.priority[slot]!,
  }),
  { key: KEY_PRIORITY, weight: WEIGHT_ONE, use: USE_NONE },
);
