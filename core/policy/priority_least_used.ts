/**
 * The Priority Least Used policy.
 *
 * @module
 */

import { definePolicy, type PoolPolicy, U32_MAX } from "./policy.ts";
import { builtinInfo, cappedSum } from "./_policy_math.ts";
import { PolicyType } from "../wire/policy_parameter.ts";
import { KEY_LOAD_LD, USE_NONE, WEIGHT_ONE, withFormula } from "./_formula.ts";

/**
 * Priority Least Used (RFC 5356, type 0x40000003, fields load,
 * loadDegradation): lowest load + load degradation (the load the PE would
 * have after one more request); equal values take turns.
 *
 * @example Characteristic behaviour
 * ```ts
 * import { SelectionPool, priorityLeastUsed } from "./mod.ts";
 * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const pool = new SelectionPool(priorityLeastUsed);
 * const plu = (load: number, loadDegradation: number) =>
 *   policyParameter(PolicyType.PriorityLeastUsed, { load, loadDegradation });
 * pool.add(plu(100, 50));
 * const b = pool.add(plu(120, 10));
 * const out = new Int32Array(1);
 * pool.select(1, out, new SeededRng(1));
 * assert.equal(out[0], b);
 * ```
 */
export const priorityLeastUsed: PoolPolicy = withFormula(
  definePolicy({
    info: builtinInfo(PolicyType.PriorityLeastUsed),
    engine: "sorted",
    // Keys are capped at 0xffffffff: everything at the cap ties.
    maxKey: U32_MAX,
    defaultMaxIncrement: 1,
    key: (v, slot) => cappedSum(v.load[slot]!, v.loadDegradation[slot]!),
  }),
  { key: KEY_LOAD_LD, weight: WEIGHT_ONE, use: USE_NONE },
);
