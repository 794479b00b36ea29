/**
 * The pool registrar (PR), sans-IO: ASAP registration, deregistration, keep-alive monitoring,
 * endpoint unreachable handling, handle resolution and server announces over a handlespace,
 * and the ENRP requests answered without peering. Run it with `adapters/driver.ts` over real
 * sockets, or feed it directly as below.
 *
 * ```ts
 * import { Registrar } from "./mod.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const pr = new Registrar({ rng: new SeededRng(7), id: 42n, announceTargets: [] });
 * pr.handleTimeout(0); // starts it: no startup phase, no announce targets
 * assert.equal(pr.inStartupPhase, false);
 * assert.equal(pr.pollTransmit(), undefined); // nothing to send
 * assert.equal(pr.stats().poolElements, 0);
 * ```
 *
 * @module
 */

export * from "./registrar.ts";
export * from "./config.ts";
export * from "./authorization.ts";
export type * from "./events.ts";
export * from "./stats.ts";
export * from "./pool_stats.ts";
export type * from "./local_change.ts";
