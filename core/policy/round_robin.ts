/**
 * The Round Robin policy.
 *
 * @module
 */

import { definePolicy, type PoolPolicy } from "./policy.ts";
import { builtinInfo } from "./_policy_math.ts";
import { PolicyType } from "../wire/policy_parameter.ts";
import { KEY_ZERO, USE_NONE, WEIGHT_ONE, withFormula } from "./_formula.ts";

/**
 * Round Robin (RFC 5356, type 0x00000001): the pool elements take turns in
 * the order they joined. With k > 1 a selection returns the next k in turn,
 * but only the first min(k, MaxIncrement) count as used, so successive
 * selections of 3 with the default MaxIncrement 1 slide by one:
 * [0,1,2], [1,2,3], ... (as in RSPLIB).
 *
 * @example Characteristic behaviour
 * ```ts
 * import { SelectionPool, roundRobin } from "./mod.ts";
 * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const pool = new SelectionPool(roundRobin);
 * const s = [0, 1, 2, 3].map(() => pool.add(policyParameter(PolicyType.RoundRobin)));
 * const out = new Int32Array(3), rng = new SeededRng(1);
 * pool.select(3, out, rng);
 * assert.deepEqual([...out], [s[0], s[1], s[2]]);
 * pool.select(3, out, rng);
 * assert.deepEqual([...out], [s[1], s[2], s[3]]);
 * ```
 */
export const roundRobin: PoolPolicy = withFormula(
  definePolicy({
    info: builtinInfo(PolicyType.RoundRobin),
    engine: "round-robin",
    defaultMaxIncrement: 1,
  }),
  { key: KEY_ZERO, weight: WEIGHT_ONE, use: USE_NONE },
);
