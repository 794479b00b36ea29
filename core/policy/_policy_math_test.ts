// RSPLIB's penalised load rounds base + distance × (dpf / 0xffffffff) × 0xffffffff; the three
// roundings move that product by less than 2^-17 while it is below the cap (above it the key is
// capped anyway), so the key is the integer min(base + distance · dpf, 0xffffffff), and a use
// may raise a DPF key by the load degradation (capped) exactly as it raises the additive keys.

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { cappedSum, penalisedLoad } from "./_policy_math.ts";

const U32_MAX = 0xffffffff;

const u32 = fc.oneof(
  fc.constantFrom(0, 1, 2, 0xfffffffe, 0xffffffff),
  fc.integer({ min: 0, max: 1000 }),
  fc.integer({ min: 0, max: U32_MAX }),
);
// A distance and a load DPF whose product is near or below the cap (the keys not all capped).
const below = fc.tuple(fc.integer({ min: 0, max: 32 }), u32, u32).map(([bits, d, f]) => {
  while (d * f > 2 ** bits) {
    if (d > f) d >>>= 1;
    else f >>>= 1;
  }
  return [d, f] as const;
});
const factors = fc.oneof(below, fc.tuple(u32, u32));
// load [+ load degradation] + degradation counter
const base = fc.tuple(u32, u32, u32).map(([a, b, c]) => a + b + c);

test("penalisedLoad is min(base + distance × load DPF, 0xffffffff): an integer, additive in base", () => {
  fc.assert(
    fc.property(base, factors, u32, (x, [d, f], step) => {
      const key = penalisedLoad(x, d, f);
      assert.equal(key, Math.min(x + d * f, U32_MAX));
      assert.equal(penalisedLoad(x + step, d, f), cappedSum(key, step));
    }),
    { numRuns: 20000 },
  );
});
