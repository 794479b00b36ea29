/**
 * The Least Used policy.
 *
 * @module
 */

import { definePolicy, type PoolPolicy, U32_MAX } from "./policy.ts";
import { builtinInfo } from "./_policy_math.ts";
import { PolicyType } from "../wire/policy_parameter.ts";
import { KEY_LOAD, USE_NONE, WEIGHT_ONE, withFormula } from "./_formula.ts";

/**
 * Least Used (RFC 5356, type 0x40000001, field load): the pool element with
 * the lowest load; equal loads take turns (sequence number).
 *
 * @example Characteristic behaviour
 * ```ts
 * import { SelectionPool, leastUsed } from "./mod.ts";
 * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const pool = new SelectionPool(leastUsed);
 * pool.add(policyParameter(PolicyType.LeastUsed, { load: 500 }));
 * const low = pool.add(policyParameter(PolicyType.LeastUsed, { load: 100 }));
 * const out = new Int32Array(1);
 * pool.select(1, out, new SeededRng(1));
 * assert.equal(out[0], low);
 * ```
 */
export const leastUsed: PoolPolicy = withFormula(
  definePolicy({
    info: builtinInfo(PolicyType.LeastUsed),
    engine: "sorted",
    // Keys are capped at 0xffffffff: everything at the cap ties.
    maxKey: U32_MAX,
    defaultMaxIncrement: 1,
    key: (v, slot) => v.load[slot]!,
  }),
  { key: KEY_LOAD, weight: WEIGHT_ONE, use: USE_NONE },
);
