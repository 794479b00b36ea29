/**
 * Pool member selection policies (RFC 5356, RSPLIB's extra ones, and
 * rserpool-ng's PowerOfTwoLeastUsed and WeightedLeastUsed), the selection
 * engines that run them over a pool's struct-of-arrays layout
 * ({@link SelectionPool}), a keyed convenience wrapper for small sets such
 * as a pool user's cache ({@link PolicySet}), and the policy registry.
 *
 * ```ts
 * import { defaultPolicies, SelectionPool } from "./mod.ts";
 * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const pool = new SelectionPool(defaultPolicies.byName("LeastUsed")!);
 * pool.add(policyParameter(PolicyType.LeastUsed, { load: 10 }));
 * const idle = pool.add(policyParameter(PolicyType.LeastUsed, { load: 0 }));
 * const out = new Int32Array(1);
 * pool.select(1, out, new SeededRng(1));
 * assert.equal(out[0], idle);
 * ```
 *
 * @module
 */

export * from "./policy.ts";
export * from "./selection_pool.ts";
export * from "./selection_kernel.ts";
export * from "./policy_set.ts";
export * from "./registry.ts";
export * from "./round_robin.ts";
export * from "./weighted_round_robin.ts";
export * from "./random.ts";
export * from "./weighted_random.ts";
export * from "./priority.ts";
export * from "./least_used.ts";
export * from "./least_used_degradation.ts";
export * from "./priority_least_used.ts";
export * from "./randomized_least_used.ts";
export * from "./randomized_priority_least_used.ts";
export * from "./randomized_least_used_degradation.ts";
export * from "./priority_least_used_degradation.ts";
export * from "./randomized_priority_least_used_degradation.ts";
export * from "./weighted_random_dpf.ts";
export * from "./least_used_dpf.ts";
export * from "./least_used_degradation_dpf.ts";
export * from "./priority_least_used_dpf.ts";
export * from "./priority_least_used_degradation_dpf.ts";
export * from "./power_of_two_least_used.ts";
export * from "./weighted_least_used.ts";
