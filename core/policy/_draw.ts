// Random draws used by the selection engines. The exact mapping from the Rng
// stream to an index is part of the engines' contract (a WebAssembly port must
// reproduce it to return the same choices for the same stream).

import type { Rng } from "../rng.ts";

/** 2^-32. */
const INV_2_32 = 1 / 4294967296;
/** 2^-53. */
const INV_2_53 = 1 / 9007199254740992;
/** Above this bound one 32-bit draw is not fine-grained enough (u32 × n must stay below 2^53). */
const ONE_DRAW_LIMIT = 0x200000;

/**
 * A uniformly distributed integer in 0 .. n−1 (n ≥ 1, integer, below 2^53).
 *
 * - n ≤ 2^21: one draw, ⌊u32 × n / 2^32⌋ (exact in doubles).
 * - otherwise: two draws form a 53-bit fraction f = ((a >>> 5) × 2^26 + (b >>> 6)) / 2^53 and
 *   the result is min(⌊f × n⌋, n − 1).
 *
 * The bias of the one-draw form is below n / 2^32, far under what any
 * statistical test of a pool policy can see; it saves the rejection loop of
 * an unbiased draw and keeps the number of draws per selection fixed.
 */
export function drawIndex(rng: Rng, n: number): number {
  if (n <= ONE_DRAW_LIMIT) return Math.floor(rng.nextU32() * n * INV_2_32);
  const a = rng.nextU32() >>> 5, b = rng.nextU32() >>> 6;
  const r = Math.floor((a * 67108864 + b) * INV_2_53 * n);
  return r < n ? r : n - 1;
}
