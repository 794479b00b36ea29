/**
 * The Priority Least Used with Degradation and Distance Penalty Factor policy.
 *
 * @module
 */

import { definePolicy, type PoolPolicy, U32_MAX } from "./policy.ts";
import { builtinInfo, penalisedLoad } from "./_policy_math.ts";
import { degrade } from "./_degradation.ts";
import { PolicyType } from "../wire/policy_parameter.ts";
import { KEY_DPF_LOAD_LD_DEG, USE_DEGRADE, WEIGHT_ONE, withFormula } from "./_formula.ts";

/**
 * Priority Least Used with Degradation and Distance Penalty Factor (RSPLIB,
 * type 0xb0002005, fields load, loadDegradation, loadDpf, distance; the wire
 * layout is ours, LUD-DPF's): lowest load + load degradation + degradation
 * counter + distance penalty, capped; each use adds the load degradation to
 * the counter, an update resets it.
 *
 * @example Characteristic behaviour
 * ```ts
 * import { SelectionPool, priorityLeastUsedDegradationDpf } from "./mod.ts";
 * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const pool = new SelectionPool(priorityLeastUsedDegradationDpf);
 * const s = pool.add(policyParameter(PolicyType.PriorityLeastUsedDegradationDpf, {
 *   load: 1000, loadDegradation: 7,
 * }));
 * pool.select(1, new Int32Array(1), new SeededRng(1));
 * assert.equal(pool.degradation[s], 7);
 * ```
 */
export const priorityLeastUsedDegradationDpf: PoolPolicy = withFormula(
  definePolicy({
    info: builtinInfo(PolicyType.PriorityLeastUsedDegradationDpf),
    engine: "sorted",
    // Keys are capped at 0xffffffff: everything at the cap ties.
    maxKey: U32_MAX,
    defaultMaxIncrement: 1,
    key: (v, slot) =>
      penalisedLoad(
        v.load[slot]! + v.loadDegradation[slot]! + v.degradation[slot]!,
        v.distance[slot]!,
        v.loadDpf[slot]!,
      ),
    update: degrade,
  }),
  { key: KEY_DPF_LOAD_LD_DEG, weight: WEIGHT_ONE, use: USE_DEGRADE },
);
