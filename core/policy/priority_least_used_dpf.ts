/**
 * The Priority Least Used with Distance Penalty Factor policy.
 *
 * @module
 */

import { definePolicy, type PoolPolicy, U32_MAX } from "./policy.ts";
import { builtinInfo, penalisedLoad } from "./_policy_math.ts";
import { PolicyType } from "../wire/policy_parameter.ts";
import { KEY_DPF_LOAD_LD, USE_NONE, WEIGHT_ONE, withFormula } from "./_formula.ts";

/**
 * Priority Least Used with Distance Penalty Factor (RSPLIB, type
 * 0xb0002004, fields load, loadDegradation, loadDpf, distance; the wire
 * layout is ours, LUD-DPF's): lowest load + load degradation + distance
 * penalty, capped; equal values take turns.
 *
 * @example Characteristic behaviour
 * ```ts
 * import { SelectionPool, priorityLeastUsedDpf } from "./mod.ts";
 * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const pool = new SelectionPool(priorityLeastUsedDpf);
 * const p = (loadDegradation: number, distance: number) => policyParameter(
 *   PolicyType.PriorityLeastUsedDpf, { load: 1000, loadDegradation, loadDpf: 1, distance },
 * );
 * pool.add(p(0, 60));
 * const b = pool.add(p(50, 0));
 * const out = new Int32Array(1);
 * pool.select(1, out, new SeededRng(1));
 * assert.equal(out[0], b); // 1050 < 1060
 * ```
 */
export const priorityLeastUsedDpf: PoolPolicy = withFormula(
  definePolicy({
    info: builtinInfo(PolicyType.PriorityLeastUsedDpf),
    engine: "sorted",
    // Keys are capped at 0xffffffff: everything at the cap ties.
    maxKey: U32_MAX,
    defaultMaxIncrement: 1,
    key: (v, slot) =>
      penalisedLoad(v.load[slot]! + v.loadDegradation[slot]!, v.distance[slot]!, v.loadDpf[slot]!),
  }),
  { key: KEY_DPF_LOAD_LD, weight: WEIGHT_ONE, use: USE_NONE },
);
