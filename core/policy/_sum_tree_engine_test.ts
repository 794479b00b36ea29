import { test } from "node:test";
import assert from "node:assert/strict";
import { SelectionPool } from "./selection_pool.ts";
import { weightedRandom } from "./weighted_random.ts";
import { drawIndex } from "./_draw.ts";
import { SeededRng } from "../rng.ts";
import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";

const wrand = (weight: number) => policyParameter(PolicyType.WeightedRandom, { weight });

// The slot a draw r falls into when the live slots' weights are laid out in ascending slot order.
function expectedSlot(weights: Map<number, number>, r: number): number {
  let cum = 0;
  for (const [slot, w] of [...weights].sort((a, b) => a[0] - b[0])) {
    cum += w;
    if (r < cum) return slot;
  }
  throw new Error("r beyond the total");
}

// Draws `draws` times from the pool and from the reference with twin random sources.
function assertDrawsMatch(pool: SelectionPool, weights: Map<number, number>, draws: number): void {
  const total = [...weights.values()].reduce((a, b) => a + b, 0);
  const rng = new SeededRng(99), twin = new SeededRng(99);
  for (let i = 0; i < draws; i++) {
    assert.equal(pool.selectOne(rng), expectedSlot(weights, drawIndex(twin, total)));
  }
}

test("SelectionPool (weighted random) draws by the new weights after a burst of registrations and growth", () => {
  const pool = new SelectionPool(weightedRandom);
  const weights = new Map<number, number>();
  for (let i = 0; i < 3000; i++) {
    const w = 1 + ((i * 7919) % 97);
    weights.set(pool.add(wrand(w)), w);
  }
  assertDrawsMatch(pool, weights, 200);
});

test("SelectionPool (weighted random) draws by the new weights after a burst of updates and removals", () => {
  const pool = new SelectionPool(weightedRandom, { initialCapacity: 4096 });
  const weights = new Map<number, number>();
  for (let i = 0; i < 4000; i++) {
    const w = 1 + (i % 13);
    weights.set(pool.add(wrand(w)), w);
  }
  assertDrawsMatch(pool, weights, 50);
  // More changes than the levels follow one by one, with no selection in between.
  for (const slot of [...weights.keys()]) {
    if (slot % 3 === 0) {
      pool.remove(slot);
      weights.delete(slot);
    } else if (slot % 3 === 1) {
      const w = 1000 + slot;
      pool.update(slot, wrand(w));
      weights.set(slot, w);
    }
  }
  assertDrawsMatch(pool, weights, 200);
  // A few changes between selections.
  for (let i = 1; i < 40; i += 3) {
    pool.update(i, wrand(5));
    weights.set(i, 5);
    assertDrawsMatch(pool, weights, 3);
  }
});
