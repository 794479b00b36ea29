/**
 * The Random policy.
 *
 * @module
 */

import { definePolicy, type PoolPolicy } from "./policy.ts";
import { builtinInfo } from "./_policy_math.ts";
import { PolicyType } from "../wire/policy_parameter.ts";
import { KEY_ZERO, USE_NONE, WEIGHT_ONE, withFormula } from "./_formula.ts";

/**
 * Random (RFC 5356, type 0x00000003): k distinct pool elements drawn
 * uniformly at random from the injected random source. O(1) per draw.
 *
 * @example Characteristic behaviour
 * ```ts
 * import { SelectionPool, random } from "./mod.ts";
 * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const pool = new SelectionPool(random);
 * for (let i = 0; i < 10; i++) pool.add(policyParameter(PolicyType.Random));
 * const out = new Int32Array(3);
 * assert.equal(pool.select(3, out, new SeededRng(7)), 3);
 * assert.equal(new Set(out).size, 3);
 * ```
 */
export const random: PoolPolicy = withFormula(
  definePolicy({
    info: builtinInfo(PolicyType.Random),
    engine: "uniform-random",
    defaultMaxIncrement: 0,
  }),
  { key: KEY_ZERO, weight: WEIGHT_ONE, use: USE_NONE },
);
