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
