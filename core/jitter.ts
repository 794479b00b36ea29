/**
 * Timer randomisation shared by the registrar's periodic timers (Server Announce, ENRP
 * Presence): each interval is drawn anew, uniformly within ±12.5 % of the configured one, so
 * registrars started together do not stay in step (RSPLIB's `registrarRandomizeCycle`,
 * spec/behaviour.md §12).
 *
 * @module
 */

import type { Rng } from "./rng.ts";

/**
 * A cycle drawn uniformly from [0.875, 1.125] × `cycle`.
 *
 * @param rng The random source.
 * @param cycle The configured interval (ms).
 * @returns The interval to wait this time (ms).
 * @example
 * ```ts
 * import { jitteredCycle } from "./jitter.ts";
 * import { SeededRng } from "./rng.ts";
 * import assert from "node:assert/strict";
 * const t = jitteredCycle(new SeededRng(1), 1000);
 * assert.ok(t >= 875 && t <= 1125);
 * ```
 */
export function jitteredCycle(rng: Rng, cycle: number): number {
  return cycle * (0.875 + 0.25 * (rng.nextU32() / 0x100000000));
}
