/**
 * Per-pool statistics counters of a registrar: registrations, re-registrations, handle
 * resolutions, Endpoint Unreachable reports, keep-alive timeouts and rate-limited requests of
 * each pool, kept while the pool exists.
 *
 * @module
 */

/** Counters of one pool since it was created (a pool that empties and comes back starts at 0). */
export interface PoolStats {
  /** New PEs registered into the pool. */
  registrations: number;
  /** Re-registrations of PEs of the pool. */
  reRegistrations: number;
  /** Handle Resolutions answered with PEs of the pool. */
  handleResolutions: number;
  /** Endpoint Unreachable reports counted for PEs of the pool. */
  unreachableReports: number;
  /** PEs of the pool removed for a missing Keep-Alive Ack. */
  keepAliveTimeouts: number;
  /**
   * Handle Resolutions and Endpoint Unreachable reports naming the pool that a per-association
   * rate limit refused.
   */
  rateLimitedRequests: number;
}

/**
 * A per-pool statistics object with every counter at 0.
 *
 * @returns The counters.
 * @example Zero
 * ```ts
 * import { emptyPoolStats } from "./pool_stats.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(emptyPoolStats(), {
 *   registrations: 0, reRegistrations: 0, handleResolutions: 0, unreachableReports: 0,
 *   keepAliveTimeouts: 0, rateLimitedRequests: 0,
 * });
 * ```
 */
export function emptyPoolStats(): PoolStats {
  return {
    registrations: 0,
    reRegistrations: 0,
    handleResolutions: 0,
    unreachableReports: 0,
    keepAliveTimeouts: 0,
    rateLimitedRequests: 0,
  };
}
