/**
 * The Least Used with Distance Penalty Factor policy.
 *
 * @module
 */

import { definePolicy, type PoolPolicy, U32_MAX } from "./policy.ts";
import { builtinInfo, penalisedLoad } from "./_policy_math.ts";
import { PolicyType } from "../wire/policy_parameter.ts";
import { KEY_DPF_LOAD, USE_NONE, WEIGHT_ONE, withFormula } from "./_formula.ts";

/**
 * Least Used with Distance Penalty Factor (RSPLIB and
 * draft-dreibholz-rserpool-delay, type 0xb0002002, fields load, loadDpf,
 * distance): lowest rint(load + distance × loadDpf / 0xffffffff ×
 * 0xffffffff), capped at 0xffffffff; equal values take turns.
 *
 * @example Characteristic behaviour
 * ```ts
 * import { SelectionPool, leastUsedDpf } from "./mod.ts";
 * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const pool = new SelectionPool(leastUsedDpf);
 * const p = (distance: number) =>
 *   policyParameter(PolicyType.LeastUsedDpf, { load: 1000, loadDpf: 10, distance });
 * pool.add(p(200));
 * const near = pool.add(p(10));
 * const out = new Int32Array(1);
 * pool.select(1, out, new SeededRng(1));
 * assert.equal(out[0], near);
 * ```
 */
export const leastUsedDpf: PoolPolicy = withFormula(
  definePolicy({
    info: builtinInfo(PolicyType.LeastUsedDpf),
    engine: "sorted",
    // Keys are capped at 0xffffffff: everything at the cap ties.
    maxKey: U32_MAX,
    defaultMaxIncrement: 1,
    key: (v, slot) => penalisedLoad(v.load[slot]!, v.distance[slot]!, v.loadDpf[slot]!),
  }),
  { key: KEY_DPF_LOAD, weight: WEIGHT_ONE, use: USE_NONE },
);
