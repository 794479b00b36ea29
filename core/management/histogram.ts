/**
 * A fixed-bucket histogram for Prometheus (cumulative `le` buckets, sum and count), cheap
 * enough to observe on a registrar's hot path: one comparison loop over a dozen bounds.
 *
 * @module
 */

/**
 * Bucket bounds (seconds) of the handle resolution duration histogram: a registrar answers a
 * handle resolution in 1–3 µs (bench/README.md, "Registrar"), so the buckets start at 1 µs
 * and reach 10 ms for the tail of a busy or paused process.
 *
 * @example From 1 µs to 10 ms
 * ```ts
 * import { HANDLE_RESOLUTION_BUCKETS } from "./histogram.ts";
 * import assert from "node:assert/strict";
 * assert.equal(HANDLE_RESOLUTION_BUCKETS[0], 1e-6);
 * assert.equal(HANDLE_RESOLUTION_BUCKETS.at(-1), 0.01);
 * ```
 */
export const HANDLE_RESOLUTION_BUCKETS: readonly number[] = [
  0.000001,
  0.0000025,
  0.000005,
  0.00001,
  0.000025,
  0.00005,
  0.0001,
  0.00025,
  0.0005,
  0.001,
  0.0025,
  0.01,
];

/**
 * A histogram with fixed upper bounds.
 *
 * @example Observe and read
 * ```ts
 * import { Histogram } from "./histogram.ts";
 * import assert from "node:assert/strict";
 * const h = new Histogram([1, 5]);
 * h.observe(0.5);
 * h.observe(3);
 * h.observe(9);
 * assert.deepEqual(h.cumulativeCounts(), [1, 2, 3]); // le=1, le=5, le=+Inf
 * assert.equal(h.count, 3);
 * assert.equal(h.sum, 12.5);
 * ```
 */
export class Histogram {
  readonly #bounds: Float64Array;
  readonly #counts: Float64Array;
  #sum = 0;
  #count = 0;

  /**
   * Creates a histogram.
   *
   * @param bounds Upper bounds, strictly increasing and finite (`+Inf` is implied).
   * @throws {RangeError} If the bounds are empty, not finite or not increasing.
   */
  constructor(bounds: readonly number[]) {
    if (bounds.length === 0) throw new RangeError("Invalid bounds: need at least one bound");
    for (let i = 0; i < bounds.length; i++) {
      const b = bounds[i]!;
      if (!Number.isFinite(b) || (i > 0 && b <= bounds[i - 1]!)) {
        throw new RangeError(`Invalid bounds: ${bounds.join(", ")} are not finite and increasing`);
      }
    }
    this.#bounds = Float64Array.from(bounds);
    this.#counts = new Float64Array(bounds.length + 1);
  }

  /** The upper bounds (without `+Inf`). */
  get bounds(): readonly number[] {
    return [...this.#bounds];
  }

  /** Observations so far. */
  get count(): number {
    return this.#count;
  }

  /** Sum of the observed values. */
  get sum(): number {
    return this.#sum;
  }

  /**
   * Records one value.
   *
   * @param value The value (e.g. seconds).
   */
  observe(value: number): void {
    const b = this.#bounds;
    let i = 0;
    while (i < b.length && value > b[i]!) i++;
    this.#counts[i]!++;
    this.#sum += value;
    this.#count++;
  }

  /**
   * The cumulative count of each bucket, `+Inf` last (Prometheus' `_bucket` values).
   *
   * @returns One count per bound, then the total.
   */
  cumulativeCounts(): number[] {
    const out: number[] = [];
    let total = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      total += this.#counts[i]!;
      out.push(total);
    }
    return out;
  }
}
