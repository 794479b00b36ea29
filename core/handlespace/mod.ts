/**
 * The registrar's handlespace: pools and pool elements, the per-owner,
 * per-association and deadline indexes, handle resolution by every pool
 * policy, and the Internet-16 / Internet-32 handlespace checksums kept
 * incrementally.
 *
 * ```ts
 * import { Handlespace } from "./mod.ts";
 * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const hs = new Handlespace({ ownId: 0x10000001n, rng: new SeededRng(1) });
 * const ph = new TextEncoder().encode("EchoPool");
 * for (const [id, load] of [[1n, 500], [2n, 100]] as const) {
 *   const r = hs.register(ph, {
 *     id,
 *     homeRegistrarId: 0n,
 *     registrationLife: 30000,
 *     userTransport: { protocol: "tcp", port: 7, transportUse: "data", addresses: ["10.0.0.1"] },
 *     policy: policyParameter(PolicyType.LeastUsed, { load }),
 *   }, { now: 0, home: hs.ownId, association: Number(id) });
 *   assert.ok(r.ok);
 * }
 * assert.equal(hs.resolve(ph, 1)[0]?.id, 2n);
 * assert.equal(hs.ownedCount(hs.ownId), 2);
 * ```
 *
 * @module
 */

export * from "./handlespace.ts";
export type * from "./pool_element.ts";
export * from "./checksum.ts";
export * from "./deadline_index.ts";
