/**
 * The Power of Two Least Used policy.
 *
 * @module
 */

import { definePolicy, type PoolPolicy } from "./policy.ts";
import { builtinInfo } from "./_policy_math.ts";
import { PolicyType } from "../wire/policy_parameter.ts";
import { KEY_LOAD, USE_NONE, WEIGHT_ONE, withFormula } from "./_formula.ts";

/**
 * Power of Two Least Used (rserpool-ng, type 0xb0003001, field load): the
 * "power of two random choices" of modern load balancers. Draws two distinct
 * pool elements uniformly and takes the less loaded one (ties: the less
 * recently used); for k > 1 it repeats without replacement. It never picks
 * the more loaded of its two draws, and unlike Least Used it does not send
 * every request to the same element while loads are stale.
 *
 * @example Characteristic behaviour
 * ```ts
 * import { SelectionPool, powerOfTwoLeastUsed } from "./mod.ts";
 * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const pool = new SelectionPool(powerOfTwoLeastUsed);
 * const lu = (load: number) => policyParameter(PolicyType.PowerOfTwoLeastUsed, { load });
 * const busy = pool.add(lu(900));
 * pool.add(lu(100));
 * pool.add(lu(200));
 * const out = new Int32Array(1), rng = new SeededRng(9);
 * for (let i = 0; i < 50; i++) {
 *   pool.select(1, out, rng);
 *   assert.notEqual(out[0], busy); // the busiest loses every pair it is in
 * }
 * ```
 */
export const powerOfTwoLeastUsed: PoolPolicy = withFormula(
  definePolicy({
    info: builtinInfo(PolicyType.PowerOfTwoLeastUsed),
    engine: "two-choices",
    defaultMaxIncrement: 1,
    key: (v, slot) => v.load[slot]!,
  }),
  { key: KEY_LOAD, weight: WEIGHT_ONE, use: USE_NONE },
);
