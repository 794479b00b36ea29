/**
 * How a compute pool element turns its work into policy information, so every policy sees the
 * pool's capacities: load = units per slot (RFC 5356 load, a fraction of 0xffffffff, capped at
 * 100 %), weight = capacity (weighted policies), load degradation = one unit's share
 * (1 / capacity). Weighted Least Used divides load by weight itself, so it gets the absolute
 * number of units (per {@link WEIGHTED_LOAD_SCALE}) instead.
 *
 * @module
 */

import { type PolicyParameter, policyTypeInfo } from "../wire/policy_parameter.ts";

/** Units that make 100 % load for Weighted Least Used (which divides by the weight itself). */
export const WEIGHTED_LOAD_SCALE = 1024;

const FULL = 0xffffffff;

/**
 * The policy information of a compute pool element.
 *
 * @param base The pool's policy (its type and any fixed fields).
 * @param active Units running or waiting.
 * @param capacity Slots (units computed at once).
 * @returns The policy parameter to register.
 * @throws {RangeError} For a capacity below 1 or a negative number of units.
 * @example Least Used sees units per slot, Weighted Least Used sees units and weight
 * ```ts
 * import { computeLoadPolicy } from "./compute_load.ts";
 * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
 * import assert from "node:assert/strict";
 * const lu = computeLoadPolicy(policyParameter(PolicyType.LeastUsed), 2, 4);
 * assert.equal(lu.load, Math.round(0xffffffff / 2));
 * const wlu = computeLoadPolicy(policyParameter(PolicyType.WeightedLeastUsed), 2, 4);
 * assert.equal(wlu.weight, 4);
 * ```
 */
export function computeLoadPolicy(
  base: PolicyParameter,
  active: number,
  capacity: number,
): PolicyParameter {
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`Cannot compute policy: capacity ${capacity} is not an integer ≥ 1`);
  }
  if (!(active >= 0)) throw new RangeError(`Cannot compute policy: ${active} units`);
  const fields = policyTypeInfo(base.type)?.fields ?? [];
  const weighted = fields.includes("weight");
  const load = weighted
    ? Math.min(1, active / WEIGHTED_LOAD_SCALE)
    : Math.min(1, active / capacity);
  return {
    ...base,
    ...(fields.includes("load") ? { load: Math.round(load * FULL) } : {}),
    ...(weighted ? { weight: capacity } : {}),
    ...(fields.includes("loadDegradation") ? { loadDegradation: Math.round(FULL / capacity) } : {}),
  };
}
