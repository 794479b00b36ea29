// Weighted round robin's cycle mode against the plain heap engine: random streams of selections
// (k = 1 … 4 through selectOne, select and selectInto, MaxIncrement mostly the default, sometimes
// 2 or 3), registrations, deregistrations, weight changes, load-only changes and identical
// re-registrations, with long stable stretches so that the cycle is entered and left many times.
// Two pools get the same operations, one with cycle mode and one without; every choice and every
// per-slot number the pool shows (sequence number, round, virtual counter, selection count) and
// the order must be the same after every operation.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SeededRng } from "../rng.ts";
import { type PolicyParameter, policyParameter, PolicyType } from "../wire/policy_parameter.ts";
import { SelectionPool, weightedRoundRobin } from "./mod.ts";
import { drawIndex } from "./_draw.ts";
import { wrrCycleCounts } from "./_wrr_cycle.ts";

function pools(): [SelectionPool, SelectionPool] {
  return [
    new SelectionPool(weightedRoundRobin),
    new SelectionPool(weightedRoundRobin, { wrrCycle: false }),
  ];
}

function same(a: SelectionPool, b: SelectionPool, live: number[], what: string): void {
  for (const s of live) {
    assert.equal(a.seq[s], b.seq[s], `${what}: sequence number of slot ${s}`);
    assert.equal(a.round[s], b.round[s], `${what}: round of slot ${s}`);
    assert.equal(a.virtual[s], b.virtual[s], `${what}: virtual counter of slot ${s}`);
    assert.equal(a.selections[s], b.selections[s], `${what}: selections of slot ${s}`);
  }
  assert.deepEqual(a.order(), b.order(), `${what}: order`);
  assert.equal(a.first(), b.first(), `${what}: first`);
}

interface Stream {
  readonly seed: number;
  readonly steps: number;
  /** Largest weight drawn (weights 0 … maxWeight). */
  readonly maxWeight: number;
  /** Fewest pool elements a deregistration leaves. */
  readonly minLive?: number;
  /** Weights drawn from 0 … 3 and 1500 … maxWeight instead. */
  readonly apart?: boolean;
  /** Selections per stable stretch (drawn up to this). */
  readonly stretch: number;
}

// Runs one stream; returns how often the cycle pool entered and left cycle mode.
function runStream(run: Stream): { entered: number; left: number } {
  const [a, b] = pools();
  const rng = new SeededRng(run.seed), ra = new SeededRng(1), rb = new SeededRng(1);
  const entered = wrrCycleCounts.entered, left = wrrCycleCounts.left;
  const table = Array.from({ length: 1024 }, (_, i) => i);
  const outA = new Int32Array(8), outB = new Int32Array(8), intoA: number[] = [];
  const intoB: number[] = [];
  const live: number[] = [];
  const param = (weight: number, load = 0): PolicyParameter =>
    policyParameter(PolicyType.WeightedRoundRobin, { weight, load });
  const weight = (): number =>
    !run.apart
      ? drawIndex(rng, run.maxWeight + 1)
      : drawIndex(rng, 2) === 0
      ? drawIndex(rng, 4)
      : 1500 + drawIndex(rng, run.maxWeight - 1499);
  // A selection; outside stable stretches MaxIncrement is sometimes 2 or 3 (uses beyond the first).
  const select = (step: number, stable = false): void => {
    const k = 1 + drawIndex(rng, 4), how = drawIndex(rng, 3);
    const r = drawIndex(rng, 20);
    const mi = r === 0 && !stable ? 2 : r === 1 && !stable ? 3 : r < 8 ? 1 : 0;
    const what = `step ${step}, k ${k}, MaxIncrement ${mi}`;
    if (how === 0 || k === 1 && how === 1) {
      assert.equal(a.selectOne(ra, mi), b.selectOne(rb, mi), what);
    } else if (how === 1) {
      const n = a.select(k, outA, ra, mi);
      assert.equal(n, b.select(k, outB, rb, mi), what);
      assert.deepEqual(outA.subarray(0, n), outB.subarray(0, n), what);
    } else {
      const n = a.selectInto(k, table, intoA, ra, mi);
      assert.equal(n, b.selectInto(k, table, intoB, rb, mi), what);
      assert.deepEqual(intoA.slice(0, n), intoB.slice(0, n), what);
    }
  };
  for (let i = 0; i < 3 + (run.minLive ?? 0) + drawIndex(rng, 20); i++) {
    const v = param(weight());
    const s = a.add(v);
    assert.equal(b.add(v), s);
    live.push(s);
  }
  for (let step = 0; step < run.steps; step++) {
    const op = drawIndex(rng, 12);
    if (op === 0 && live.length < 60) {
      const v = param(weight());
      const s = a.add(v);
      assert.equal(b.add(v), s);
      live.push(s);
    } else if (op === 1 && live.length > Math.max(1, run.minLive ?? 0)) {
      const s = live.splice(drawIndex(rng, live.length), 1)[0]!;
      a.remove(s);
      b.remove(s);
    } else if (op === 2) {
      // A weight change (or, by chance, none).
      const s = live[drawIndex(rng, live.length)]!, v = param(weight(), a.load[s]);
      assert.equal(a.update(s, v), b.update(s, v));
    } else if (op === 3) {
      // A load change (no change for weighted round robin's order) or an identical update.
      const s = live[drawIndex(rng, live.length)]!;
      const v = param(a.weight[s]!, drawIndex(rng, 2) === 0 ? a.load[s]! : drawIndex(rng, 1000));
      assert.equal(a.update(s, v), b.update(s, v));
    } else if (op < 6) {
      // A stable stretch: long enough for several rounds.
      const n = 1 + drawIndex(rng, run.stretch);
      for (let i = 0; i < n; i++) select(step, true);
    } else select(step);
    // Not after every step: reading the counters writes the cycle's pending run, and a change
    // must also leave the cycle exactly when nothing read them.
    if (step % 3 === 0) same(a, b, live, `after step ${step}`);
  }
  same(a, b, live, "at the end");
  return { entered: wrrCycleCounts.entered - entered, left: wrrCycleCounts.left - left };
}

test("WeightedRoundRobin cycle mode chooses exactly what the heap engine chooses (small weights)", () => {
  let entered = 0, left = 0;
  for (let seed = 1; seed <= 12; seed++) {
    const r = runStream({ seed, steps: 400, maxWeight: 3, stretch: 150 });
    entered += r.entered;
    left += r.left;
  }
  // The streams must use the mode, or they would compare the heap with itself.
  assert.ok(entered > 100, `cycle mode entered ${entered} times`);
  assert.ok(left > 100, `cycle mode left ${left} times`);
});

test("WeightedRoundRobin cycle mode chooses exactly what the heap engine chooses (weights up to 40)", () => {
  let entered = 0;
  for (let seed = 100; seed <= 105; seed++) {
    entered += runStream({ seed, steps: 200, maxWeight: 40, stretch: 2000 }).entered;
  }
  assert.ok(entered > 20, `cycle mode entered ${entered} times`);
});

test("WeightedRoundRobin cycle mode chooses exactly what the heap engine chooses (weights up to 2000)", () => {
  // Weights far apart: the entry orders the pool by a comparison sort instead of counting sorts.
  let entered = 0;
  for (let seed = 200; seed <= 203; seed++) {
    const r = runStream({
      seed,
      steps: 120,
      maxWeight: 2000,
      stretch: 20000,
      minLive: 4,
      apart: true,
    });
    entered += r.entered;
  }
  assert.ok(entered > 5, `cycle mode entered ${entered} times`);
});

test("WeightedRoundRobin cycle mode stays on through load changes and identical updates", () => {
  const [a, b] = pools();
  const w = [2, 1, 3, 1, 2];
  const slots = w.map((weight) => {
    const v = policyParameter(PolicyType.WeightedRoundRobin, { weight });
    const s = a.add(v);
    b.add(v);
    return s;
  });
  const ra = new SeededRng(1), rb = new SeededRng(1);
  for (let i = 0; i < 40; i++) assert.equal(a.selectOne(ra), b.selectOne(rb));
  const entered = wrrCycleCounts.entered, left = wrrCycleCounts.left;
  assert.ok(entered > 0);
  for (let i = 0; i < 200; i++) {
    const s = slots[i % slots.length]!;
    const v = policyParameter(PolicyType.WeightedRoundRobin, { weight: w[i % w.length]!, load: i });
    assert.equal(a.update(s, v), b.update(s, v));
    assert.equal(a.selectOne(ra), b.selectOne(rb));
  }
  assert.equal(wrrCycleCounts.left, left, "a load change left cycle mode");
  same(a, b, slots, "after load changes");
  // A weight change leaves it, and the heap goes on exactly.
  const v = policyParameter(PolicyType.WeightedRoundRobin, { weight: 5 });
  assert.equal(a.update(slots[0]!, v), b.update(slots[0]!, v));
  assert.equal(wrrCycleCounts.left, left + 1);
  for (let i = 0; i < 50; i++) assert.equal(a.selectOne(ra), b.selectOne(rb));
  same(a, b, slots, "after a weight change");
});

test("WeightedRoundRobin cycle mode: a new pool enters it within its first round", () => {
  // A new pool is settled (every pool element joined the same round at its weight), in an order
  // by weight and sequence number that differs from the heap's layout: the entry must sort it.
  const [a, b] = pools();
  const rng = new SeededRng(77), ra = new SeededRng(1), rb = new SeededRng(1);
  const live: number[] = [];
  let total = 0;
  for (let i = 0; i < 3000; i++) {
    const weight = 1 + drawIndex(rng, 5);
    const v = policyParameter(PolicyType.WeightedRoundRobin, { weight });
    live.push(a.add(v));
    b.add(v);
    total += weight;
  }
  const entered = wrrCycleCounts.entered, left = wrrCycleCounts.left;
  for (let i = 0; i < total / 4; i++) assert.equal(a.selectOne(ra), b.selectOne(rb), `call ${i}`);
  assert.equal(wrrCycleCounts.entered, entered + 1, "not entered in the first quarter round");
  const table = live.map((s) => s), outA: number[] = [], outB: number[] = [];
  for (let i = 0; i < 2 * total; i++) {
    const n = a.selectInto(3, table, outA, ra);
    assert.equal(n, b.selectInto(3, table, outB, rb));
    assert.deepEqual(outA, outB, `call ${i}`);
  }
  assert.equal(wrrCycleCounts.left, left);
  same(a, b, live, "after two rounds");
});
