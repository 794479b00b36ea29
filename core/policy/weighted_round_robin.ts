/**
 * The Weighted Round Robin policy.
 *
 * @module
 */

import { definePolicy, type PoolPolicy } from "./policy.ts";
import { builtinInfo } from "./_policy_math.ts";
import { PolicyType } from "../wire/policy_parameter.ts";
import { KEY_WRR, USE_WRR, WEIGHT_ONE, withFormula } from "./_formula.ts";

/** Key = round × 2^32 + virtual counter (exact while the round stays below 2^20). */
const ROUND_FACTOR = 2 ** 32;
/**
 * First round of a new pool: just below the rebase threshold (2^20 rounds), so
 * every pool exercises the rebase once while it is young, as RSPLIB does with
 * its counters.
 */
const ROUND_START = 2 ** 20 - 2;

/**
 * Weighted Round Robin (RFC 5356, type 0x00000002, field weight): in every
 * round each pool element is served exactly `weight` times. Sorted by
 * (round counter, virtual counter, sequence number): the virtual counter
 * starts at the weight and counts down per use; after the use at 1 the round
 * counter advances and the virtual counter is reset to the weight. A new PE
 * joins the current round.
 *
 * Deviation from RSPLIB (team decision 4): RSPLIB applies the per-use update
 * twice (and once at registration), so its PEs are served about weight/2
 * times per round; we apply it once per use.
 *
 * @example Characteristic behaviour
 * ```ts
 * import { SelectionPool, weightedRoundRobin } from "./mod.ts";
 * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const pool = new SelectionPool(weightedRoundRobin);
 * const a = pool.add(policyParameter(PolicyType.WeightedRoundRobin, { weight: 2 }));
 * const b = pool.add(policyParameter(PolicyType.WeightedRoundRobin, { weight: 1 }));
 * const out = new Int32Array(1), rng = new SeededRng(1), picks = [];
 * for (let i = 0; i < 6; i++) { pool.select(1, out, rng); picks.push(out[0]); }
 * assert.equal(picks.filter((s) => s === a).length, 4);
 * assert.equal(picks.filter((s) => s === b).length, 2);
 * ```
 */
export const weightedRoundRobin: PoolPolicy = withFormula(
  definePolicy({
    info: builtinInfo(PolicyType.WeightedRoundRobin),
    engine: "sorted",
    // The key changes on every use and mostly decreases: the root of the heap stays in place.
    defaultMaxIncrement: 1,
    key: (v, slot) => v.round[slot]! * ROUND_FACTOR + v.virtual[slot]!,
    initialize: (v, slot, first) => {
      v.round[slot] = first >= 0 ? v.round[first]! : ROUND_START;
      v.virtual[slot] = v.weight[slot]!;
    },
    update: (v, slot) => {
      const virtual = v.virtual[slot]!;
      if (virtual > 1) v.virtual[slot] = virtual - 1;
      else {
        v.round[slot]!++;
        v.virtual[slot] = v.weight[slot]!;
      }
    },
    rebase: (v, slots, count) => {
      let min = Infinity;
      for (let i = 0; i < count; i++) min = Math.min(min, v.round[slots[i]!]!);
      for (let i = 0; i < count; i++) v.round[slots[i]!]! -= min;
      return true;
    },
  }),
  { key: KEY_WRR, weight: WEIGHT_ONE, use: USE_WRR },
);
