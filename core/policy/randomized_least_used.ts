/**
 * The Randomized Least Used policy.
 *
 * @module
 */

import { definePolicy, type PoolPolicy } from "./policy.ts";
import { builtinInfo, spare } from "./_policy_math.ts";
import { PolicyType } from "../wire/policy_parameter.ts";
import { KEY_ZERO, USE_NONE, WEIGHT_SPARE_LOAD, withFormula } from "./_formula.ts";

/**
 * Randomized Least Used (RFC 5356, type 0x40000004, field load): weighted
 * random with weight = spare capacity 0xffffffff − load (at least 1).
 *
 * @example Characteristic behaviour
 * ```ts
 * import { SelectionPool, randomizedLeastUsed } from "./mod.ts";
 * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const pool = new SelectionPool(randomizedLeastUsed);
 * pool.add(policyParameter(PolicyType.RandomizedLeastUsed, { load: 0xffffffff }));
 * const idle = pool.add(policyParameter(PolicyType.RandomizedLeastUsed, { load: 0 }));
 * const out = new Int32Array(1);
 * pool.select(1, out, new SeededRng(5));
 * assert.equal(out[0], idle); // the full PE has weight 1 against 0xffffffff
 * ```
 */
export const randomizedLeastUsed: PoolPolicy = withFormula(
  definePolicy({
    info: builtinInfo(PolicyType.RandomizedLeastUsed),
    engine: "weighted-random",
    defaultMaxIncrement: 1,
    weight: (v, slot) => spare(v.load[slot]!, 0, 0),
  }),
  { key: KEY_ZERO, weight: WEIGHT_SPARE_LOAD, use: USE_NONE },
);
