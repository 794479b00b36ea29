/**
 * rserpool-ng: Reliable Server Pooling (RSerPool) in TypeScript: ASAP
 * (RFC 5352), ENRP (RFC 5353), their parameters (RFC 5354) and pool policies
 * (RFC 5356), in the RFC wire profile and the next-generation (NG) profile.
 *
 * ```ts
 * import { classifyPpid } from "./mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(classifyPpid(11), { protocol: "asap", profile: "rfc" });
 * ```
 *
 * @module
 */

export * from "./core/wire/mod.ts";
export * from "./core/rng.ts";
export * from "./core/handlespace/handlespace.ts";
export type { PoolElementEntry, PoolInfo } from "./core/handlespace/pool_element.ts";
export { BUILTIN_POLICIES, defaultPolicies, PolicyRegistry } from "./core/policy/registry.ts";
export type { PoolPolicy, SelectionEngine, SelectionValues } from "./core/policy/policy.ts";
export { SelectionPool } from "./core/policy/selection_pool.ts";
export { PolicySet } from "./core/policy/policy_set.ts";
export * from "./core/registrar/mod.ts";
export * from "./core/asap/mod.ts";
export type * from "./core/role.ts";
