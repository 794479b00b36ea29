/**
 * The pool element and pool user sides of ASAP (RFC 5352) as sans-IO roles, and the table of
 * every ASAP timer and threshold with RSPLIB's values. The registrar side is in
 * `../registrar/mod.ts`.
 *
 * ```ts
 * import { ASAP_DEFAULTS, PoolElement } from "./mod.ts";
 * import { SeededRng } from "../rng.ts";
 * import { policyParameter, PolicyType } from "../wire/mod.ts";
 * import assert from "node:assert/strict";
 * const pe = new PoolElement({
 *   rng: new SeededRng(1),
 *   poolHandle: "EchoPool",
 *   policy: policyParameter(PolicyType.LeastUsed, { load: 0 }),
 *   userTransport: { protocol: "tcp", port: 7 },
 *   registrars: [{ address: "127.0.0.1", port: 3863 }],
 * });
 * assert.equal(pe.state, "idle");
 * assert.equal(ASAP_DEFAULTS.reRegistrationInterval.value, 30000);
 * ```
 *
 * @module
 */

export * from "./defaults.ts";
export * from "./pool_element.ts";
export * from "./pool_element_state.ts";
export * from "./pool_user.ts";
