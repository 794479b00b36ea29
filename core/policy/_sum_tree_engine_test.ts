import { test } from "node:test";
import assert from "node:assert/strict";
import { SelectionPool } from "./selection_pool.ts";
import { weightedRandom } from "./weighted_random.ts";
import { randomizedLeastUsedDegradation } from "./randomized_least_used_degradation.ts";
import { randomizedPriorityLeastUsedDegradation } from "./randomized_priority_least_used_degradation.ts";
import { SumTreeEngine } from "./_sum_tree_engine.ts";
import { formulaOf } from "./_formula.ts";
import {
  createSelectionKernel,
  type SelectionKernel,
  tsSelectionKernel,
} from "./selection_kernel.ts";
import type { PoolPolicy } from "./policy.ts";
import { drawIndex } from "./_draw.ts";
import { SeededRng } from "../rng.ts";
import { type PolicyParameter, policyParameter, PolicyType } from "../wire/policy_parameter.ts";

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

// ---- degradation policies: rejection against upper bounds of the weights ----

/**
 * A SumTreeEngine of a degradation policy beside the rule it documents, replayed naively: the
 * bounds are the weights as of each PE's registration, last update or the last tightening;
 * proposals by drawIndex over the bounds of the PEs not yet drawn (ascending slot order);
 * accepted when the draw fell within the first `weight` of the proposed range; tightened before a
 * selection when the weight lost by uses since exceeds 1/8 of the bounds' total, and after 8
 * rejections in a row.
 */
class BoundHarness {
  readonly pool: SelectionPool;
  readonly engine: SumTreeEngine;
  readonly live: number[] = [];
  readonly bound = new Map<number, number>();
  lag = 0;
  rejections = 0;
  tightenings = 0;
  /** Tightenings after 8 rejections in a row, by whether k was above 24 (the tree's path). */
  forced = [0, 0];
  readonly #policy: PoolPolicy;
  #capacity: number;

  constructor(policy: PoolPolicy, kernel: SelectionKernel) {
    this.#policy = policy;
    this.pool = new SelectionPool(policy);
    const f = formulaOf(policy);
    this.engine = new SumTreeEngine(this.pool, policy, f.weight, f.use, kernel);
    this.#capacity = this.pool.capacity;
  }

  weight(s: number): number {
    // This engine is not the pool's own (which flushes itself when the pool's arrays are read):
    // its records' counters go to the pool first.
    this.engine.flushUses();
    return this.#policy.weight(this.pool, s);
  }

  add(v: PolicyParameter): void {
    const s = this.pool.add(v);
    if (this.pool.capacity !== this.#capacity) {
      this.#capacity = this.pool.capacity;
      this.engine.grow(this.#capacity);
    }
    this.engine.add(s);
    this.live.push(s);
    this.bound.set(s, this.weight(s));
  }

  update(i: number, v: PolicyParameter): void {
    const s = this.live[i % this.live.length]!;
    if (this.pool.update(s, v)) {
      this.engine.changed(s);
      this.bound.set(s, this.weight(s));
    }
  }

  remove(i: number): void {
    const s = this.live.splice(i % this.live.length, 1)[0]!;
    this.engine.remove(s);
    this.pool.remove(s);
    this.bound.delete(s);
  }

  #tighten(): void {
    for (const s of this.live) this.bound.set(s, this.weight(s));
    this.lag = 0;
    this.tightenings++;
  }

  /** The rule: the slots it selects (and the uses it applies to the pool's counters). */
  expect(k: number, rng: SeededRng): number[] {
    const left = [...this.live].sort((a, b) => a - b);
    const want = Math.min(k, left.length), chosen: number[] = [];
    const sum = (): number => left.reduce((a, s) => a + this.bound.get(s)!, 0);
    if (want === 0) return chosen;
    if (this.lag * 8 > sum()) this.#tighten();
    let rejected = 0;
    while (chosen.length < want) {
      let r = drawIndex(rng, sum()), i = 0;
      while (r >= this.bound.get(left[i]!)!) r -= this.bound.get(left[i++]!)!;
      if (!(r < this.weight(left[i]!))) {
        this.rejections++;
        if (++rejected === 8) {
          this.#tighten();
          this.forced[want > 24 ? 1 : 0]!++;
          rejected = 0;
        }
        continue;
      }
      rejected = 0;
      chosen.push(left.splice(i, 1)[0]!);
    }
    return chosen;
  }

  /** The weight lost by the uses of `chosen` (measured on the pool after the engine's uses). */
  account(chosen: number[], mi: number, before: number[]): void {
    const used = Math.min(mi === 0 ? 1 : mi, chosen.length);
    for (let i = 0; i < used; i++) this.lag += before[i]! - this.weight(chosen[i]!);
  }

  pick(k: number, mi: number, rng: SeededRng): number[] {
    if (k === 1) {
      const s = this.engine.selectOne(rng, mi === 0 ? 1 : mi);
      return s < 0 ? [] : [s];
    }
    const out = new Int32Array(k);
    return [...out.subarray(0, this.engine.select(k, out, rng, mi === 0 ? 1 : mi))];
  }
}

const ENGINE_KERNELS: SelectionKernel[] = [tsSelectionKernel];
{
  const wasm = createSelectionKernel({ minTree: 0 });
  if (wasm.name !== "ts") ENGINE_KERNELS.push(wasm);
}

for (const kernel of ENGINE_KERNELS) {
  for (const policy of [randomizedLeastUsedDegradation, randomizedPriorityLeastUsedDegradation]) {
    test(`SumTreeEngine (${kernel.name} kernel): ${policy.name} selects exactly by the documented rejection rule, with the guide table and the tree, k = 1 … 30`, () => {
      const h = new BoundHarness(policy, kernel);
      const values = new SeededRng(policy.type);
      const param = (): PolicyParameter =>
        policyParameter(policy.type, {
          load: drawIndex(values, 8) === 0 ? 0xfff00000 : drawIndex(values, 0x100000000),
          loadDegradation: drawIndex(values, 4) === 0 ? 0 : drawIndex(values, 0x10000000),
        });
      for (let i = 0; i < 500; i++) h.add(param());
      const ra = new SeededRng(5), rb = new SeededRng(5), ks = new SeededRng(6);
      let guided = 0;
      for (let step = 0; step < 8000; step++) {
        // Quiet stretches (the table gets built) between bursts of changes.
        if (step % 2000 === 1999) {
          for (let j = 0; j < 40; j++) {
            const c = drawIndex(ks, 3);
            if (c === 0) h.add(param());
            else if (c === 1) h.remove(drawIndex(ks, h.live.length));
            else h.update(drawIndex(ks, h.live.length), param());
          }
        }
        const x = drawIndex(ks, 40);
        const k = x === 0 ? 30 : x < 6 ? 3 : x < 8 ? 2 : 1, mi = drawIndex(ks, 3);
        if (h.engine.guideReady) guided++;
        const want = h.expect(k, rb);
        const before = want.map((s) => h.weight(s));
        const got = h.pick(k, mi, ra);
        assert.deepEqual(got, want, `step ${step}`);
        h.account(got, mi, before);
        for (const s of h.live) assert.equal(h.engine.weightOf(s), h.weight(s));
      }
      assert.ok(guided > 4000, `only ${guided} selections with the guide table`);
      assert.ok(h.rejections > 100, `only ${h.rejections} rejections`);
      assert.ok(h.tightenings > 2, `only ${h.tightenings} tightenings`);
    });
  }
}

for (const kernel of ENGINE_KERNELS) {
  for (const policy of [randomizedLeastUsedDegradation, randomizedPriorityLeastUsedDegradation]) {
    test(`SumTreeEngine (${kernel.name} kernel): ${policy.name} follows the rule through long runs of rejections (k near the pool size)`, () => {
      // A small pool whose weights fall fast: the last draws of a large k pick among a few PEs
      // that may have lost most of their weight, so 8 rejections in a row happen.
      const h = new BoundHarness(policy, kernel);
      const values = new SeededRng(policy.type ^ 77);
      const param = (): PolicyParameter =>
        policyParameter(policy.type, {
          load: drawIndex(values, 0x100000000),
          loadDegradation: 0x20000000 + drawIndex(values, 0x60000000),
        });
      for (let i = 0; i < 40; i++) h.add(param());
      const ra = new SeededRng(8), rb = new SeededRng(8), ks = new SeededRng(9);
      for (let step = 0; step < 4000; step++) {
        if (step % 10 === 9) h.update(drawIndex(ks, h.live.length), param());
        const k = [1, 3, 20, 24, 30, 39][drawIndex(ks, 6)]!, mi = 1 + drawIndex(ks, 2);
        const want = h.expect(k, rb);
        const before = want.map((s) => h.weight(s));
        const got = h.pick(k, mi, ra);
        assert.deepEqual(got, want, `step ${step}`);
        h.account(got, mi, before);
      }
      assert.ok(h.forced[0]! > 0 && h.forced[1]! > 0, `forced tightenings ${h.forced}`);
    });
  }
}

for (const policy of [randomizedLeastUsedDegradation, randomizedPriorityLeastUsedDegradation]) {
  test(`SelectionPool (${policy.name}): the selection counts and degradation counters that the engine keeps in its records read as if written at each use, through updates, removals, reuse and growth`, () => {
    // The engine writes a used slot's counter and count into its record; the pool's arrays are
    // brought up to date when read. Each read here must see exactly what writing them at every
    // selection gives (counter capped at 2^32 − 1), and update() must see a non-zero counter.
    // Updates and removals mostly hit the slots just selected, and a removed slot is often
    // reused at once, so that they meet counts not yet in the pool's arrays.
    const pool = new SelectionPool(policy), rng = new SeededRng(21), ops = new SeededRng(22);
    const live: number[] = [], sel = new Map<number, number>(), deg = new Map<number, number>();
    const out = new Int32Array(8);
    let last: number[] = [];
    const add = (): void => {
      const s = pool.add(policyParameter(policy.type, {
        load: drawIndex(ops, 4) === 0 ? 0xfff00000 : drawIndex(ops, 0x100000000),
        loadDegradation: drawIndex(ops, 4) === 0 ? 0 : drawIndex(ops, 0x40000000),
      }));
      live.push(s);
      sel.set(s, 0);
      deg.set(s, 0);
    };
    const target = (): number =>
      last.length > 0 && drawIndex(ops, 4) !== 0
        ? last[drawIndex(ops, last.length)]!
        : live[drawIndex(ops, live.length)]!;
    const check = (step: number): void => {
      // Either array first (reading one brings both up to date).
      const degFirst = drawIndex(ops, 2) === 0;
      for (const s of live) {
        if (degFirst) {
          assert.equal(pool.degradation[s], deg.get(s), `step ${step}: counter of ${s}`);
        }
        assert.equal(pool.selections[s], sel.get(s), `step ${step}: selections of slot ${s}`);
        assert.equal(pool.degradation[s], deg.get(s), `step ${step}: counter of slot ${s}`);
      }
    };
    for (let i = 0; i < 3; i++) add();
    let grown = 0, changed = 0, unchanged = 0, reused = 0;
    for (let step = 0; step < 6000; step++) {
      const op = drawIndex(ops, 30);
      if (op < 2) {
        const capacity = pool.capacity;
        add();
        if (pool.capacity !== capacity) grown++;
      } else if (op === 2 && live.length > 4) {
        const s = target();
        live.splice(live.indexOf(s), 1);
        last = last.filter((x) => x !== s);
        pool.remove(s);
        sel.delete(s);
        deg.delete(s);
        if (drawIndex(ops, 2) === 0) {
          add();
          if (live[live.length - 1] === s) reused++;
        }
      } else if (op < 6) {
        // A re-registration with the same values: a change exactly when the counter is not 0.
        const s = target();
        const same = policyParameter(policy.type, {
          load: pool.load[s]!,
          loadDegradation: pool.loadDegradation[s]!,
        });
        const expected = deg.get(s) !== 0;
        assert.equal(pool.update(s, same), expected, `step ${step}: update of slot ${s}`);
        if (expected) changed++;
        else unchanged++;
        deg.set(s, 0);
      } else if (op === 6) check(step);
      else {
        const k = 1 + drawIndex(ops, 4), mi = drawIndex(ops, 3);
        let n: number;
        if (k === 1 && drawIndex(ops, 2) === 0) {
          out[0] = pool.selectOne(rng, mi);
          n = out[0] < 0 ? 0 : 1;
        } else n = pool.select(k, out, rng, mi);
        const used = Math.min(mi === 0 ? policy.defaultMaxIncrement : mi, n);
        last = [...out.subarray(0, n)];
        for (let i = 0; i < n; i++) {
          const s = out[i]!;
          sel.set(s, sel.get(s)! + 1);
          if (i < used) deg.set(s, Math.min(0xffffffff, deg.get(s)! + pool.loadDegradation[s]!));
        }
      }
    }
    check(-1);
    assert.ok(
      grown >= 2 && changed > 100 && unchanged > 20 && reused > 20,
      `${grown} ${changed} ${unchanged} ${reused}`,
    );
  });
}

test("SelectionPool.touchTable(): a degradation policy's draw reads the caller's table at or a few slots before the slot it selects, and selects the same slots as without it", () => {
  for (const policy of [randomizedLeastUsedDegradation, randomizedPriorityLeastUsedDegradation]) {
    const touched = new SelectionPool(policy), plain = new SelectionPool(policy);
    const values = new SeededRng(8);
    for (let i = 0; i < 3000; i++) {
      const p = policyParameter(policy.type, {
        load: drawIndex(values, 0x100000000),
        loadDegradation: drawIndex(values, 0x1000000),
      });
      touched.add(p);
      plain.add(p);
    }
    // The indices findTracked reads (a proxy: this test's process only).
    const reads: number[] = [];
    const table = new Proxy([] as unknown[], {
      get(target, key, receiver) {
        if (typeof key === "string" && /^\d+$/.test(key)) reads.push(Number(key));
        return Reflect.get(target, key, receiver);
      },
    });
    touched.touchTable(table);
    const ra = new SeededRng(3), rb = new SeededRng(3);
    let near = 0;
    for (let i = 0; i < 20000; i++) {
      reads.length = 0;
      const s = touched.selectOne(ra);
      assert.equal(s, plain.selectOne(rb), `selection ${i}`);
      if (i >= 10000 && reads.length > 0) {
        // One read per proposal; the last one's slot lies at most the scan's length before.
        const x = reads[reads.length - 1]!;
        assert.ok(x <= s && s - x < 64, `selection ${i}: read ${x}, selected ${s}`);
        near++;
      }
    }
    // Once the guide table is built, (nearly) every draw goes through it.
    assert.ok(near > 9000, `${policy.name}: only ${near} of 10000 selections read the table`);
  }
});
