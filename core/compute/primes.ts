/**
 * The work of the distributed-computing example: counting the primes in a range and summing
 * them, exactly, with a segmented sieve of Eratosthenes. The answer is checkable: π(10⁷) =
 * 664579, π(2·10⁷) = 1270607, and any range's count is π(to) − π(from).
 *
 * @module
 */

/** Largest `to` a range may have: 2³², so base primes stay below 65536. */
export const MAX_PRIME_RANGE_END = 0x100000000;

/** Numbers sieved per segment (bytes of the marking array). */
const SEGMENT = 32768;

/** Primes and their sum in a range. */
export interface PrimeTally {
  /** How many primes. */
  readonly count: number;
  /** Their sum (exact). */
  readonly sum: bigint;
}

/**
 * Counts and sums the primes in [from, to) with a segmented sieve; keeps its base primes
 * between calls.
 *
 * @example The primes below 30
 * ```ts
 * import { PrimeSieve } from "./primes.ts";
 * import assert from "node:assert/strict";
 * const sieve = new PrimeSieve();
 * assert.deepEqual(sieve.tally(0, 30), { count: 10, sum: 129n });
 * assert.deepEqual(sieve.tally(10, 20), { count: 4, sum: 60n }); // 11 13 17 19
 * ```
 */
export class PrimeSieve {
  #base: Uint32Array = new Uint32Array(0);
  #baseLimit = 1;
  readonly #marks = new Uint8Array(SEGMENT);

  /**
   * The primes in [from, to).
   *
   * @param from First number (integer ≥ 0).
   * @param to End, exclusive (integer, from ≤ to ≤ 2³²).
   * @returns Their count and sum.
   * @throws {RangeError} If the range is not valid.
   */
  tally(from: number, to: number): PrimeTally {
    if (
      !Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to < from ||
      to > MAX_PRIME_RANGE_END
    ) {
      throw new RangeError(
        `Cannot count primes: [${from}, ${to}) is not a range of integers in 0..2^32`,
      );
    }
    this.#ensureBase(Math.ceil(Math.sqrt(to)) + 1);
    const base = this.#base;
    const marks = this.#marks;
    let count = 0;
    let sum = 0n;
    for (let lo = Math.max(from, 2); lo < to; lo += SEGMENT) {
      const hi = Math.min(lo + SEGMENT, to);
      const n = hi - lo;
      marks.fill(0, 0, n);
      for (let k = 0; k < base.length; k++) {
        const p = base[k]!;
        if (p * p >= hi) break;
        let j = Math.max(p * p, Math.ceil(lo / p) * p) - lo;
        for (; j < n; j += p) marks[j] = 1;
      }
      let segmentSum = 0;
      for (let i = 0; i < n; i++) {
        if (marks[i] === 0) {
          count++;
          segmentSum += lo + i;
        }
      }
      sum += BigInt(segmentSum);
    }
    return { count, sum };
  }

  /** Base primes up to `limit` (simple sieve), grown on demand. */
  #ensureBase(limit: number): void {
    if (limit <= this.#baseLimit) return;
    const composite = new Uint8Array(limit + 1);
    const primes: number[] = [];
    for (let i = 2; i <= limit; i++) {
      if (composite[i] === 1) continue;
      primes.push(i);
      for (let j = i * i; j <= limit; j += i) composite[j] = 1;
    }
    this.#base = Uint32Array.from(primes);
    this.#baseLimit = limit;
  }
}
