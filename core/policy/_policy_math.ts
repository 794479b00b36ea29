// Arithmetic shared by the policy definitions: capped sums, spare capacity and
// RSPLIB's distance penalty terms. All inputs are u32 values held in doubles,
// so sums of up to four of them are exact.

import { U32_MAX } from "./policy.ts";
import { type PolicyTypeInfo, policyTypeInfo } from "../wire/policy_parameter.ts";

/** min(a + b, 0xffffffff). */
export function cappedSum(a: number, b: number): number {
  const s = a + b;
  return s > U32_MAX ? U32_MAX : s;
}

/** min(a + b + c, 0xffffffff). */
export function cappedSum3(a: number, b: number, c: number): number {
  const s = a + b + c;
  return s > U32_MAX ? U32_MAX : s;
}

/** Spare capacity 0xffffffff − a − b − c, at least 1 (a PE with weight 0 would never be drawn). */
export function spare(a: number, b: number, c: number): number {
  const s = U32_MAX - a - b - c;
  return s < 1 ? 1 : s;
}

/** Rounds to the nearest integer, ties to even (C's `rint` in the default rounding mode). */
export function rint(x: number): number {
  const r = Math.round(x);
  // Math.round rounds halves up; move exact .5 cases with an odd result down.
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The distance penalty as a fraction: distance (ms) × dpf / 0xffffffff, the
 * penalty per millisecond. Evaluated in the same order as RSPLIB so results
 * agree bit for bit.
 */
export function penalty(distance: number, dpf: number): number {
  return distance * (dpf / U32_MAX);
}

/**
 * A load-type key with a distance penalty: rint(base + penalty × 0xffffffff),
 * capped at 0xffffffff. `base` is the sum of the load terms (exact).
 */
export function penalisedLoad(base: number, distance: number, dpf: number): number {
  const v = rint(base + penalty(distance, dpf) * U32_MAX);
  return v > U32_MAX ? U32_MAX : v;
}

/** The wire description of a built-in policy type (throws if the shared table lacks it). */
export function builtinInfo(type: number): PolicyTypeInfo {
  const info = policyTypeInfo(type);
  if (info === undefined) {
    throw new TypeError(`Cannot define policy 0x${type.toString(16)}: unknown type`);
  }
  return info;
}
