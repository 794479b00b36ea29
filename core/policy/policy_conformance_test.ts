// The conformance suite shared by every pool policy: the same checks run over
// all built-in policies (k distinct PEs, k > N, empty pool, determinism,
// removal and update during rotation, MaxIncrement), an exact differential
// check of the round-robin, sorted and weighted-random engines against a naive
// reference model, and each policy's characteristic behaviour (orders,
// proportions with a chi-square bound on a seeded stream, degradation, distance
// penalties, power of two choices, weighted least used).

import { test } from "node:test";
import assert from "node:assert/strict";
import { type Rng, SeededRng } from "../rng.ts";
import {
  type PolicyField,
  type PolicyParameter,
  policyParameter,
  PolicyType,
} from "../wire/policy_parameter.ts";
import {
  BUILTIN_POLICIES,
  createSelectionKernel,
  type PoolPolicy,
  type SelectionKernel,
  SelectionPool,
  type SelectionValues,
  tsSelectionKernel,
} from "./mod.ts";
import { drawIndex } from "./_draw.ts";
import {
  formulaOf,
  USE_DEGRADE,
  WEIGHT_SPARE_LOAD_DEG,
  WEIGHT_SPARE_LOAD_LD_DEG,
} from "./_formula.ts";

/** Whether a weighted-random policy lowers a weight on use (RLUD, RPLUD: drawn by bounds). */
function degrades(p: PoolPolicy): boolean {
  const f = formulaOf(p);
  return f.use === USE_DEGRADE &&
    (f.weight === WEIGHT_SPARE_LOAD_DEG || f.weight === WEIGHT_SPARE_LOAD_LD_DEG);
}

// Reference model: A deliberately naive model of the selection engines, for differential tests:
// it keeps the same per-slot numbers in plain arrays, sorts on every call and
// applies the policy hooks exactly as spec/behaviour.md §11 describes (one
// per-use update per used PE). The round-robin, sorted and weighted-random
// engines must return exactly what this model returns; random draws use the
// engines' documented mapping (drawIndex over slots in ascending order). For the
// weighted-random policies the mapping runs over per-PE upper bounds of the
// weights (_sum_tree_engine.ts): each bound is the weight as of the PE's
// registration, its last update or the last tightening; a proposal is
// accepted when the draw fell within the first `weight` of its range, else
// drawn again; the bounds are tightened to the weights before a selection
// once the weight lost by uses since the last tightening exceeds 1/8 of their
// total, and after 8 rejections in a row. Only the degradation policies lower a
// weight on use, so for the others the bounds are the weights.

class ReferenceModel implements SelectionValues {
  readonly weight: Uint32Array;
  readonly priority: Uint32Array;
  readonly load: Uint32Array;
  readonly loadDegradation: Uint32Array;
  readonly loadDpf: Uint32Array;
  readonly weightDpf: Uint32Array;
  readonly distance: Uint32Array;
  readonly degradation: Uint32Array;
  readonly round: Float64Array;
  readonly virtual: Uint32Array;
  readonly seq: Float64Array;
  readonly selections: Float64Array;
  /** Weighted-random: the upper bound of each weight that proposals are drawn by. */
  readonly bound: Float64Array;
  /** Weighted-random: the weight lost by uses since the bounds were last tightened. */
  #lag = 0;
  readonly live = new Set<number>();
  #counter = 0;
  readonly #policy: PoolPolicy;

  constructor(policy: PoolPolicy, capacity: number) {
    this.#policy = policy;
    this.weight = new Uint32Array(capacity);
    this.priority = new Uint32Array(capacity);
    this.load = new Uint32Array(capacity);
    this.loadDegradation = new Uint32Array(capacity);
    this.loadDpf = new Uint32Array(capacity);
    this.weightDpf = new Uint32Array(capacity);
    this.distance = new Uint32Array(capacity);
    this.degradation = new Uint32Array(capacity);
    this.round = new Float64Array(capacity);
    this.virtual = new Uint32Array(capacity);
    this.seq = new Float64Array(capacity);
    this.selections = new Float64Array(capacity);
    this.bound = new Float64Array(capacity);
  }

  /** Live slots in selection order (key, then sequence number). */
  order(): number[] {
    const p = this.#policy;
    return [...this.live].sort((a, b) => {
      const ka = p.key(this, a), kb = p.key(this, b);
      if (ka !== kb) return ka < kb ? -1 : 1;
      return this.seq[a]! - this.seq[b]!;
    });
  }

  add(slot: number, v: PolicyParameter): void {
    const first = this.#policy.engine === "sorted" || this.#policy.engine === "round-robin"
      ? (this.order()[0] ?? -1)
      : -1;
    this.#store(slot, v);
    this.degradation[slot] = 0;
    this.selections[slot] = 0;
    this.round[slot] = 0;
    this.virtual[slot] = 0;
    this.#policy.initialize(this, slot, first);
    this.seq[slot] = ++this.#counter;
    this.live.add(slot);
    this.bound[slot] = this.#policy.weight(this, slot);
  }

  update(slot: number, v: PolicyParameter): boolean {
    const same = this.weight[slot] === v.weight && this.priority[slot] === v.priority &&
      this.load[slot] === v.load && this.loadDegradation[slot] === v.loadDegradation &&
      this.loadDpf[slot] === v.loadDpf && this.weightDpf[slot] === v.weightDpf &&
      this.distance[slot] === v.distance && this.degradation[slot] === 0;
    if (same) return false;
    this.#store(slot, v);
    this.degradation[slot] = 0;
    if (this.virtual[slot]! > v.weight) this.virtual[slot] = v.weight;
    this.bound[slot] = this.#policy.weight(this, slot);
    return true;
  }

  #tighten(): void {
    for (const s of this.live) this.bound[s] = this.#policy.weight(this, s);
    this.#lag = 0;
  }

  remove(slot: number): void {
    this.live.delete(slot);
  }

  select(k: number, rng: Rng, maxIncrement: number): number[] {
    const p = this.#policy;
    const mi = maxIncrement === 0 ? p.defaultMaxIncrement : maxIncrement;
    let chosen: number[];
    if (p.engine === "weighted-random") {
      chosen = [];
      const pool = [...this.live].sort((a, b) => a - b);
      const want = Math.min(k, pool.length);
      const sum = (): number => pool.reduce((a, s) => a + this.bound[s]!, 0);
      if (want > 0 && sum() > 0 && this.#lag * 8 > sum()) this.#tighten();
      // The other policies, 1 < k ≤ 24: each draw over all the PEs, a PE drawn before drawn
      // again, until k PEs or 8 such duplicates; the rest as below.
      if (!degrades(p) && want > 1 && want <= 24 && sum() > 0) {
        const total = sum();
        for (let duplicates = 0; chosen.length < want;) {
          let r = drawIndex(rng, total);
          let i = 0;
          while (r >= this.bound[pool[i]!]!) r -= this.bound[pool[i++]!]!;
          if (!chosen.includes(pool[i]!)) chosen.push(pool[i]!);
          else if (++duplicates === 8) break;
        }
        for (const s of chosen) pool.splice(pool.indexOf(s), 1);
      }
      let rejected = 0;
      while (chosen.length < want) {
        const total = sum();
        if (total <= 0) break;
        let r = drawIndex(rng, total);
        let i = 0;
        while (r >= this.bound[pool[i]!]!) r -= this.bound[pool[i++]!]!;
        // Accepted if r fell within the first `weight` of the range of `bound`.
        const s = pool[i]!;
        if (!(r < p.weight(this, s))) {
          if (++rejected === 8) {
            this.#tighten();
            rejected = 0;
          }
          continue;
        }
        rejected = 0;
        chosen.push(s);
        pool.splice(i, 1);
      }
      const used = Math.min(mi, chosen.length);
      for (let i = 0; i < used; i++) {
        const before = p.weight(this, chosen[i]!);
        p.update(this, chosen[i]!);
        this.#lag += before - p.weight(this, chosen[i]!);
      }
    } else {
      chosen = this.order().slice(0, k);
      const used = Math.min(mi, chosen.length);
      for (let i = 0; i < used; i++) {
        const s = chosen[i]!;
        this.seq[s] = ++this.#counter;
        p.update(this, s);
      }
    }
    for (const s of chosen) this.selections[s]!++;
    return chosen;
  }

  #store(slot: number, v: PolicyParameter): void {
    this.weight[slot] = v.weight;
    this.priority[slot] = v.priority;
    this.load[slot] = v.load;
    this.loadDegradation[slot] = v.loadDegradation;
    this.loadDpf[slot] = v.loadDpf;
    this.weightDpf[slot] = v.weightDpf;
    this.distance[slot] = v.distance;
  }
}

// ---- helpers ----

/** Random policy information for a policy, with fields in small ranges so ties happen. */
function randomParam(policy: PoolPolicy, rng: Rng, spread = 4): PolicyParameter {
  const f: Partial<Record<PolicyField, number>> = {};
  for (const field of policy.fields) {
    f[field] = field === "distance"
      ? drawIndex(rng, 3) * 50
      : field === "loadDpf" || field === "weightDpf"
      ? drawIndex(rng, 3) * 0x00418937
      : field === "weight"
      ? 1 + drawIndex(rng, spread)
      : drawIndex(rng, spread) * 0x01000000;
  }
  return policyParameter(policy.type, f);
}

/** Policy information near the key cap (0xffffffff), so keys saturate and tie there. */
function nearCapParam(policy: PoolPolicy, rng: Rng): PolicyParameter {
  const f: Partial<Record<PolicyField, number>> = {};
  const pick = <T>(xs: readonly T[]): T => xs[drawIndex(rng, xs.length)]!;
  for (const field of policy.fields) {
    f[field] = field === "load"
      ? pick([0, 0xf0000000, 0xfffffff0, 0xffffffff])
      : field === "loadDegradation"
      ? pick([0, 0x10000000, 0x80000000])
      : field === "weight"
      ? pick([0, 1, 2])
      : field === "distance"
      ? pick([0, 100])
      : field === "loadDpf"
      ? pick([0, 0x01000000])
      : pick([0, 1]);
  }
  return policyParameter(policy.type, f);
}

function filled(policy: PoolPolicy, n: number, seed = 1): { pool: SelectionPool; slots: number[] } {
  const pool = new SelectionPool(policy);
  const rng = new SeededRng(seed);
  const slots: number[] = [];
  for (let i = 0; i < n; i++) slots.push(pool.add(randomParam(policy, rng)));
  return { pool, slots };
}

let picks = 0;

/** select(k), or for k = 1 every other time selectOne(), which must choose the same. */
function pick(pool: SelectionPool, k: number, rng: Rng, mi = 0): number[] {
  if (k === 1 && picks++ % 2 === 1) {
    const s = pool.selectOne(rng, mi);
    return s < 0 ? [] : [s];
  }
  const out = new Int32Array(Math.max(k, 1));
  const n = pool.select(k, out, rng, mi);
  return [...out.subarray(0, n)];
}

/** Chi-square statistic of observed counts against expected probabilities. */
function chiSquare(counts: number[], probabilities: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  let x2 = 0;
  for (let i = 0; i < counts.length; i++) {
    const e = total * probabilities[i]!;
    x2 += (counts[i]! - e) ** 2 / e;
  }
  return x2;
}

// 99.9 % quantiles of the chi-square distribution by degrees of freedom.
const CHI2_999: Record<number, number> = {
  1: 10.83,
  2: 13.82,
  3: 16.27,
  4: 18.47,
  5: 20.52,
  11: 31.26,
  23: 49.73,
};

/** A random run of pool changes and selections, the same on an engine and the reference model. */
interface ModelRun {
  readonly steps: number;
  /** Each step draws one of `ops` operations: `adds` of them add, then remove, update, select. */
  readonly ops: number;
  readonly adds: number;
  /** Below this many pool elements a step adds; removals keep more than this many. */
  readonly minLive: number;
  readonly param: () => PolicyParameter;
  /** Selects on both and compares. */
  readonly select: (step: number) => void;
  readonly afterStep?: (step: number) => void;
}

/** Adds, removes and updates pool elements on `pool` and `model` alike; returns the live slots. */
function runAgainstModel(
  pool: SelectionPool,
  model: ReferenceModel,
  rng: Rng,
  run: ModelRun,
): number[] {
  const live: number[] = [];
  for (let step = 0; step < run.steps; step++) {
    const op = drawIndex(rng, run.ops);
    if (op < run.adds || live.length < run.minLive) {
      const v = run.param();
      const s = pool.add(v);
      model.add(s, v);
      live.push(s);
    } else if (op === run.adds && live.length > run.minLive) {
      const s = live.splice(drawIndex(rng, live.length), 1)[0]!;
      pool.remove(s);
      model.remove(s);
    } else if (op === run.adds + 1) {
      const s = live[drawIndex(rng, live.length)]!;
      const v = run.param();
      assert.equal(pool.update(s, v), model.update(s, v));
    } else {
      run.select(step);
    }
    run.afterStep?.(step);
  }
  return live;
}

const byName = (name: string): PoolPolicy => BUILTIN_POLICIES.find((p) => p.name === name)!;
const P = (type: number, fields: Partial<Record<PolicyField, number>> = {}): PolicyParameter =>
  policyParameter(type, fields);

// ---- the same checks for every policy ----

// The model comparisons run with every selection kernel; the WebAssembly kernel with threshold
// 0, so that it runs every tree descent of the weighted-random policies (where the engine can
// load it; the other engines have no WebAssembly path).
const KERNELS: SelectionKernel[] = [tsSelectionKernel];
{
  const wasm = createSelectionKernel({ minTree: 0 });
  if (wasm.name !== "ts") KERNELS.push(wasm);
}

for (const policy of BUILTIN_POLICIES) {
  test(`${policy.name}: selection returns k distinct live pool elements`, () => {
    const { pool, slots } = filled(policy, 12);
    const rng = new SeededRng(2);
    for (let round = 0; round < 50; round++) {
      for (const k of [1, 2, 3, 5]) {
        const got = pick(pool, k, rng);
        assert.equal(got.length, k);
        assert.equal(new Set(got).size, k);
        for (const s of got) assert.ok(slots.includes(s) && pool.has(s));
      }
    }
  });

  test(`${policy.name}: k larger than the pool returns every pool element once`, () => {
    const { pool, slots } = filled(policy, 5);
    const got = pick(pool, 9, new SeededRng(3));
    assert.deepEqual([...got].sort((a, b) => a - b), [...slots].sort((a, b) => a - b));
  });

  test(`${policy.name}: an empty pool and k = 0 select nothing`, () => {
    const pool = new SelectionPool(policy);
    const rng = new SeededRng(4);
    assert.equal(pool.select(3, new Int32Array(3), rng), 0);
    pool.add(randomParam(policy, rng));
    assert.equal(pool.select(0, new Int32Array(0), rng), 0);
    const s = pool.first() >= 0 ? pool.first() : pool.order()[0]!;
    pool.remove(s);
    assert.equal(pool.select(1, new Int32Array(1), rng), 0);
  });

  test(`${policy.name}: the same seed and operations give the same selections`, () => {
    const run = (): number[] => {
      const { pool } = filled(policy, 20, 5);
      const rng = new SeededRng(99);
      const all: number[] = [];
      for (let i = 0; i < 200; i++) all.push(...pick(pool, 1 + (i % 3), rng));
      return all;
    };
    assert.deepEqual(run(), run());
  });

  test(`${policy.name}: removed pool elements are never selected and updates keep selection valid`, () => {
    const { pool, slots } = filled(policy, 10, 6);
    const rng = new SeededRng(7);
    const removed = new Set<number>();
    for (let step = 0; step < 60; step++) {
      if (step % 10 === 3) {
        const victim = slots.find((s) => !removed.has(s))!;
        pool.remove(victim);
        removed.add(victim);
      }
      if (step % 7 === 2) {
        const live = slots.filter((s) => !removed.has(s));
        pool.update(live[step % live.length]!, randomParam(policy, rng));
      }
      const got = pick(pool, 3, rng);
      assert.equal(got.length, Math.min(3, slots.length - removed.size));
      for (const s of got) assert.ok(!removed.has(s), `removed slot ${s} selected`);
      assert.equal(new Set(got).size, got.length);
    }
  });

  test(`${policy.name}: selectOne() selects exactly what select() with k = 1 selects`, () => {
    const a = filled(policy, 15, 8).pool, b = filled(policy, 15, 8).pool;
    const ra = new SeededRng(5), rb = new SeededRng(5), values = new SeededRng(6);
    for (let i = 0; i < 300; i++) {
      const mi = i % 4;
      assert.equal(a.selectOne(ra, mi), pick(b, 1, rb, mi)[0]);
      if (i % 25 === 0) {
        const slot = a.order()[i % 15]!, v = randomParam(policy, values);
        a.update(slot, v);
        b.update(slot, v);
      }
    }
    assert.equal(new SelectionPool(policy).selectOne(ra), -1);
  });

  test(`${policy.name}: out-of-range arguments throw RangeError or TypeError`, () => {
    const { pool } = filled(policy, 3);
    const rng = new SeededRng(1);
    assert.throws(() => pool.select(-1, new Int32Array(1), rng), RangeError);
    assert.throws(() => pool.select(1.5, new Int32Array(2), rng), RangeError);
    assert.throws(() => pool.select(2, new Int32Array(1), rng), RangeError);
    assert.throws(() => pool.select(1, new Int32Array(1), rng, -1), RangeError);
    assert.throws(() => pool.update(999, randomParam(policy, rng)), RangeError);
    const other = policy.type === PolicyType.RoundRobin ? PolicyType.Random : PolicyType.RoundRobin;
    assert.throws(() => pool.add(P(other)), TypeError);
  });

  for (const kernel of KERNELS) {
    if (policy.engine === "uniform-random" || policy.engine === "two-choices") break;
    const via = kernel.name === "ts" ? "" : ` (${kernel.name} kernel)`;
    test(`${policy.name}: the engine matches the reference model with keys at the cap${via}`, () => {
      const rng = new SeededRng(policy.type ^ 0xcab);
      const r1 = new SeededRng(12), r2 = new SeededRng(12);
      const pool = new SelectionPool(policy, { kernel });
      const model = new ReferenceModel(policy, 256);
      runAgainstModel(pool, model, rng, {
        steps: 800,
        ops: 8,
        adds: 1,
        minLive: 3,
        param: () => nearCapParam(policy, rng),
        select(step) {
          const k = 1 + drawIndex(rng, 4), mi = drawIndex(rng, 3);
          assert.deepEqual(pick(pool, k, r1, mi), model.select(k, r2, mi), `step ${step}`);
        },
      });
      if (policy.engine !== "weighted-random") assert.deepEqual(pool.order(), model.order());
    });

    test(`${policy.name}: the engine returns exactly what the naive reference model returns${via}`, () => {
      const rng = new SeededRng(policy.type);
      const engineRng = new SeededRng(11), modelRng = new SeededRng(11);
      const pool = new SelectionPool(policy, { kernel });
      const model = new ReferenceModel(policy, 256);
      const live = runAgainstModel(pool, model, rng, {
        steps: 1500,
        ops: 10,
        adds: 2,
        minLive: 2,
        param: () => randomParam(policy, rng),
        select(step) {
          // Mostly small k (linear frontiers); sometimes k > 16 (heap frontiers).
          const k = drawIndex(rng, 6) === 0 ? 17 + drawIndex(rng, 30) : 1 + drawIndex(rng, 5);
          const mi = drawIndex(rng, 4);
          assert.deepEqual(
            pick(pool, k, engineRng, mi),
            model.select(k, modelRng, mi),
            `step ${step}`,
          );
        },
        afterStep(step) {
          if (policy.engine !== "weighted-random" && step % 100 === 0) {
            assert.deepEqual(pool.order(), model.order(), `order at step ${step}`);
          }
        },
      });
      for (const s of live) {
        assert.equal(pool.degradation[s], model.degradation[s]);
        assert.equal(pool.selections[s], model.selections[s]);
      }
    });
  }
}

// ---- characteristic behaviour ----

test("RoundRobin: cycles in order and k = 3 slides by one ([0,1,2], [1,2,3], ...)", () => {
  const pool = new SelectionPool(byName("RoundRobin"));
  const s = Array.from({ length: 6 }, () => pool.add(P(PolicyType.RoundRobin)));
  const rng = new SeededRng(1);
  const windows = Array.from({ length: 7 }, () => pick(pool, 3, rng));
  const idx = windows.map((w) => w.map((x) => s.indexOf(x)));
  assert.deepEqual(idx, [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 0], [5, 0, 1], [
    0,
    1,
    2,
  ]]);
});

test("RoundRobin: MaxIncrement 3 advances by the whole window, 0 means the default 1", () => {
  const pool = new SelectionPool(byName("RoundRobin"));
  const s = Array.from({ length: 5 }, () => pool.add(P(PolicyType.RoundRobin)));
  const rng = new SeededRng(1);
  const idx = (w: number[]): number[] => w.map((x) => s.indexOf(x));
  assert.deepEqual(idx(pick(pool, 3, rng, 3)), [0, 1, 2]);
  assert.deepEqual(idx(pick(pool, 3, rng, 3)), [3, 4, 0]);
  assert.deepEqual(idx(pick(pool, 3, rng, 0)), [1, 2, 3]);
  assert.deepEqual(idx(pick(pool, 3, rng, 0)), [2, 3, 4]);
});

test("RoundRobin: a new pool element joins at the end of the rotation, a removed one is skipped", () => {
  const pool = new SelectionPool(byName("RoundRobin"));
  const [a, b, c] = [0, 1, 2].map(() => pool.add(P(PolicyType.RoundRobin)));
  const rng = new SeededRng(1);
  assert.deepEqual(pick(pool, 1, rng), [a]);
  const d = pool.add(P(PolicyType.RoundRobin));
  pool.remove(c!);
  // Rotation after using a: b, c, a; d joins behind a; c leaves.
  assert.deepEqual([1, 2, 3, 4].flatMap(() => pick(pool, 1, rng)), [b, a, d, b]);
});

test("WeightedRoundRobin: every round serves each pool element exactly weight times", () => {
  const pool = new SelectionPool(byName("WeightedRoundRobin"));
  const weights = [3, 1, 2, 5];
  const s = weights.map((weight) => pool.add(P(PolicyType.WeightedRoundRobin, { weight })));
  const rng = new SeededRng(1);
  const total = weights.reduce((a, b) => a + b, 0);
  for (let round = 0; round < 30; round++) {
    const counts = new Map<number, number>();
    for (let i = 0; i < total; i++) {
      const [x] = pick(pool, 1, rng);
      counts.set(x!, (counts.get(x!) ?? 0) + 1);
    }
    assert.deepEqual(s.map((x) => counts.get(x) ?? 0), weights, `round ${round}`);
  }
});

test("Priority: picks the highest priority and rotates among equal priorities", () => {
  const pool = new SelectionPool(byName("Priority"));
  const pri = (priority: number): PolicyParameter => P(PolicyType.Priority, { priority });
  pool.add(pri(1));
  const a = pool.add(pri(7)), b = pool.add(pri(7)), c = pool.add(pri(7));
  pool.add(pri(6));
  const rng = new SeededRng(1);
  assert.deepEqual([0, 1, 2, 3, 4].flatMap(() => pick(pool, 1, rng)), [a, b, c, a, b]);
  const top = pool.add(pri(9));
  assert.deepEqual(pick(pool, 1, rng), [top]);
  assert.deepEqual(pick(pool, 3, rng), [top, c, a]);
});

test("Priority: repeated selections of k slide through the top priority, also past its end", () => {
  // Each call returns the first k in selection order, then the first moves to the end of its
  // priority: k smaller and larger than the top priority's group, mixed with k = 1.
  const pool = new SelectionPool(byName("Priority"));
  const pri = (priority: number): PolicyParameter => P(PolicyType.Priority, { priority });
  const top = [0, 1, 2, 3, 4].map(() => pool.add(pri(9)));
  const next = [pool.add(pri(5)), pool.add(pri(5))];
  const rng = new SeededRng(1);
  const rotation = [...top];
  for (const k of [3, 3, 1, 3, 2, 7, 7, 3, 6, 6, 1, 3]) {
    const expected = [...rotation, ...next].slice(0, k);
    assert.deepEqual(pick(pool, k, rng), expected, `k = ${k}`);
    rotation.push(rotation.shift()!);
  }
});

test("Priority: selectInto() keeps the round robin among equal priorities of the reference model", () => {
  // resolveInto's path (the top priority's list walked directly, its head moved to the end) with
  // few priorities, so each holds many pool elements; priority changes relink a pool element at
  // its sequence position, removals take heads, tails and middles of the rotation.
  const policy = byName("Priority");
  const rng = new SeededRng(0x9e1);
  const pool = new SelectionPool(policy);
  const model = new ReferenceModel(policy, 512);
  const r1 = new SeededRng(5), r2 = new SeededRng(5);
  const table = Array.from({ length: 4096 }, (_, i) => i);
  const out: number[] = [];
  runAgainstModel(pool, model, rng, {
    steps: 3000,
    ops: 12,
    adds: 1,
    minLive: 4,
    param: () => P(PolicyType.Priority, { priority: 3 + drawIndex(rng, 3) }),
    select(step) {
      const k = 1 + drawIndex(rng, 6), mi = drawIndex(rng, 5) === 0 ? 2 : 1;
      const n = pool.selectInto(k, table, out, r1, mi);
      assert.deepEqual(out.slice(0, n), model.select(k, r2, mi), `step ${step}`);
    },
  });
  assert.deepEqual(pool.order(), model.order());
});

test("Priority: selections from a small first priority and the memo keep the order and counts of the reference model", () => {
  // The bucket engine's memo path, taken when the top priority holds fewer than k pool elements
  // (the bench's pools of 10 and 100): the memo must rotate with a use of the head of a top
  // priority of several (also a use by selectOne, whose plain use leaves the rotation to
  // useHead while a memo is kept), stay as it is for a top priority of one, and be dropped by
  // every other change. Top priorities of 1–3 pool elements above a spread of lower ones; long
  // runs of selections between changes through selectOne, selectInto and select, k up to 11
  // (past the memo's 8), MaxIncrement 0, 1 and 2; counts checked at the end.
  const policy = byName("Priority");
  const rng = new SeededRng(0x7b1);
  const pool = new SelectionPool(policy);
  const model = new ReferenceModel(policy, 512);
  const r1 = new SeededRng(8), r2 = new SeededRng(8);
  const table = Array.from({ length: 4096 }, (_, i) => i);
  const out: number[] = [], slots = new Int32Array(16);
  const live = runAgainstModel(pool, model, rng, {
    steps: 6000,
    ops: 40,
    adds: 1,
    minLive: 3,
    param: () =>
      P(PolicyType.Priority, {
        priority: drawIndex(rng, 4) === 0 ? 90 + drawIndex(rng, 2) : drawIndex(rng, 40),
      }),
    select(step) {
      const mi = drawIndex(rng, 6) === 0 ? drawIndex(rng, 3) : 1;
      const way = drawIndex(rng, 4), k = 1 + drawIndex(rng, way === 0 ? 11 : 5);
      if (way === 1) {
        assert.deepEqual([pool.selectOne(r1, mi)], model.select(1, r2, mi), `step ${step}`);
      } else if (way === 2) {
        const n = pool.select(k, slots, r1, mi);
        assert.deepEqual(Array.from(slots.subarray(0, n)), model.select(k, r2, mi), `step ${step}`);
      } else {
        const n = pool.selectInto(k, table, out, r1, mi);
        assert.deepEqual(out.slice(0, n), model.select(k, r2, mi), `step ${step}`);
      }
    },
  });
  assert.deepEqual(pool.order(), model.order());
  for (const s of live) assert.equal(pool.selections[s], model.selections[s], `slot ${s}`);
});

for (const name of ["LeastUsed", "PriorityLeastUsed", "WeightedRoundRobin"]) {
  test(`${name}: selectInto() memo hits keep the order of the reference model`, () => {
    // resolveInto's path of the heap engine: long runs of selections between changes, so that
    // most are served from the memo with an inline use of the root (whose heap copy of its
    // sequence number must follow, or a later change sorts it wrongly among equal keys); few
    // load levels, so that keys tie; now and then a fresh output array (the path that grows it).
    const policy = byName(name);
    const rng = new SeededRng(0x3e7);
    const pool = new SelectionPool(policy);
    const model = new ReferenceModel(policy, 512);
    const r1 = new SeededRng(6), r2 = new SeededRng(6);
    const table = Array.from({ length: 4096 }, (_, i) => i);
    let out: number[] = [];
    runAgainstModel(pool, model, rng, {
      steps: 4000,
      ops: 24,
      adds: 1,
      minLive: 5,
      param: () =>
        P(policy.type, {
          load: 1000 * drawIndex(rng, 3),
          loadDegradation: 500 * drawIndex(rng, 2),
          weight: 1 + drawIndex(rng, 4),
        }),
      select(step) {
        const k = 1 + drawIndex(rng, 5), mi = drawIndex(rng, 9) === 0 ? 2 : 1;
        if (drawIndex(rng, 7) === 0) out = [];
        const n = pool.selectInto(k, table, out, r1, mi);
        assert.deepEqual(out.slice(0, n), model.select(k, r2, mi), `step ${step}`);
      },
    });
    assert.deepEqual(pool.order(), model.order());
  });
}

for (const name of ["LeastUsed", "PriorityLeastUsed", "LeastUsedDPF", "WeightedLeastUsed"]) {
  test(`${name}: selectOne() memo hits keep the order and counts of the reference model`, () => {
    // Handlespace.resolveInto's k = 1 path of the heap engine: a root that a use leaves in place
    // becomes the memo and is then taken and used without comparing it with its children. Long
    // runs of k = 1 between changes (mostly distinct loads, so that the root stays; some ties),
    // mixed with k > 1 (which refills the memo) and MaxIncrement 0 and 2; the selection counts
    // of the memo hits must reach the pool's counts before every change.
    const policy = byName(name);
    const rng = new SeededRng(0x51e);
    const pool = new SelectionPool(policy);
    const model = new ReferenceModel(policy, 512);
    const r1 = new SeededRng(7), r2 = new SeededRng(7);
    const table = Array.from({ length: 4096 }, (_, i) => i);
    const out: number[] = [];
    const live = runAgainstModel(pool, model, rng, {
      steps: 6000,
      ops: 40,
      adds: 1,
      minLive: 5,
      param: () =>
        P(policy.type, {
          load: 1000 * drawIndex(rng, drawIndex(rng, 2) === 0 ? 3 : 60),
          loadDegradation: 500 * drawIndex(rng, 2),
          weight: 1 + drawIndex(rng, 4),
        }),
      select(step) {
        const mi = drawIndex(rng, 6) === 0 ? drawIndex(rng, 3) : 1;
        if (drawIndex(rng, 6) === 0) {
          const k = 2 + drawIndex(rng, 3);
          const n = pool.selectInto(k, table, out, r1, mi);
          assert.deepEqual(out.slice(0, n), model.select(k, r2, mi), `step ${step}`);
        } else {
          assert.deepEqual([pool.selectOne(r1, mi)], model.select(1, r2, mi), `step ${step}`);
        }
      },
    });
    assert.deepEqual(pool.order(), model.order());
    for (const s of live) assert.equal(pool.selections[s], model.selections[s], `slot ${s}`);
  });
}

test("Heap engine: selectOne() memo hits across the sequence renumbering keep the order of ties", () => {
  // The root taken from the memo is used many times across SEQ_LIMIT (new pools start 16 below
  // it); its sequence number must follow in the pool and the heap, or after the renumbering a
  // pool element updated to the root's key would sort before or after it wrongly.
  for (const name of ["LeastUsed", "PriorityLeastUsed", "LeastUsedDPF", "WeightedLeastUsed"]) {
    const policy = byName(name);
    const pool = new SelectionPool(policy);
    const model = new ReferenceModel(policy, 64);
    const r1 = new SeededRng(1), r2 = new SeededRng(1);
    const param = (load: number) => P(policy.type, { load, weight: 1 });
    const slots: number[] = [];
    for (let i = 0; i < 8; i++) {
      const s = pool.add(param(1000 * (i + 1)));
      model.add(s, param(1000 * (i + 1)));
      slots.push(s);
    }
    const root = pool.first();
    for (let i = 0, last = -1; i < 40; i++) {
      assert.deepEqual([pool.selectOne(r1)], model.select(1, r2, 0), `${name} use ${i}`);
      // Each use gives the root the next (newest) sequence number.
      const seq = pool.seq[root]!;
      assert.notEqual(seq, last, `${name} use ${i}: sequence number unchanged`);
      assert.ok(slots.every((s) => s === root || pool.seq[s]! < seq), `${name} use ${i}`);
      last = seq;
    }
    assert.equal(pool.first(), root);
    assert.ok(pool.order().every((s) => pool.seq[s]! < 100), `${name}: renumbered`);
    for (const s of slots.slice(1, 4)) {
      assert.equal(pool.update(s, param(1000)), model.update(s, param(1000)));
    }
    for (let i = 0; i < 12; i++) {
      assert.deepEqual([pool.selectOne(r1)], model.select(1, r2, 0), `${name} after, use ${i}`);
    }
    assert.deepEqual(pool.order(), model.order(), name);
    for (const s of slots) {
      assert.equal(pool.selections[s], model.selections[s], `${name} slot ${s}`);
    }
  }
});

test("LeastUsed: picks the lowest load, rotates among equal loads, follows load updates", () => {
  const pool = new SelectionPool(byName("LeastUsed"));
  const lu = (load: number): PolicyParameter => P(PolicyType.LeastUsed, { load });
  const a = pool.add(lu(5)), b = pool.add(lu(5)), c = pool.add(lu(5)), d = pool.add(lu(9));
  const rng = new SeededRng(1);
  assert.deepEqual([0, 1, 2, 3].flatMap(() => pick(pool, 1, rng)), [a, b, c, a]);
  pool.update(d, lu(1));
  assert.deepEqual(pick(pool, 2, rng), [d, b]);
  pool.update(d, lu(5)); // joins the equal loads at its own sequence position (it was just used)
  assert.deepEqual(pick(pool, 4, rng), [b, c, a, d]);
});

test("LeastUsedDegradation: degradation accumulates per use and resets on re-registration", () => {
  const pool = new SelectionPool(byName("LeastUsedDegradation"));
  const v = (load: number): PolicyParameter =>
    P(PolicyType.LeastUsedDegradation, { load, loadDegradation: 10 });
  const a = pool.add(v(100)), b = pool.add(v(125));
  const rng = new SeededRng(1);
  // a: 100 → 110 → 120 → 130; b: 125 → 135
  assert.deepEqual([0, 1, 2, 3, 4].flatMap(() => pick(pool, 1, rng)), [a, a, a, b, a]);
  assert.equal(pool.degradation[a], 40);
  assert.equal(pool.degradation[b], 10);
  assert.equal(pool.update(a, v(100)), true); // same values, but a non-zero counter resets
  assert.equal(pool.degradation[a], 0);
  assert.equal(pool.update(a, v(100)), false);
  assert.deepEqual(pick(pool, 1, rng), [a]);
});

test("LeastUsedDegradation: with MaxIncrement 2 both selected pool elements degrade, by default only the first", () => {
  const pool = new SelectionPool(byName("LeastUsedDegradation"));
  const v = (load: number): PolicyParameter =>
    P(PolicyType.LeastUsedDegradation, { load, loadDegradation: 7 });
  const a = pool.add(v(1)), b = pool.add(v(2));
  const rng = new SeededRng(1);
  pick(pool, 2, rng);
  assert.deepEqual([pool.degradation[a], pool.degradation[b]], [7, 0]);
  pick(pool, 2, rng, 2);
  assert.equal(pool.degradation[a]! + pool.degradation[b]!, 21);
});

test("PriorityLeastUsed: orders by load plus load degradation", () => {
  const pool = new SelectionPool(byName("PriorityLeastUsed"));
  const a = pool.add(P(PolicyType.PriorityLeastUsed, { load: 100, loadDegradation: 50 }));
  const b = pool.add(P(PolicyType.PriorityLeastUsed, { load: 120, loadDegradation: 10 }));
  assert.deepEqual(pick(pool, 2, new SeededRng(1)), [b, a]);
});

test("Degradation family: the counter caps at 0xffffffff", () => {
  for (
    const name of [
      "LeastUsedDegradation",
      "PriorityLeastUsedDegradation",
      "RandomizedLeastUsedDegradation",
    ]
  ) {
    const policy = byName(name);
    const pool = new SelectionPool(policy);
    const s = pool.add(P(policy.type, { load: 0xfffffff0, loadDegradation: 0x80000000 }));
    const rng = new SeededRng(1);
    for (let i = 0; i < 4; i++) pick(pool, 1, rng);
    assert.equal(pool.degradation[s], 0xffffffff, name);
  }
});

function proportions(
  policy: PoolPolicy,
  params: PolicyParameter[],
  expected: number[],
  draws = 20000,
): void {
  const pool = new SelectionPool(policy);
  const s = params.map((p) => pool.add(p));
  const rng = new SeededRng(policy.type ^ 0x5eed);
  const counts = s.map(() => 0);
  for (let i = 0; i < draws; i++) counts[s.indexOf(pick(pool, 1, rng)[0]!)]!++;
  const x2 = chiSquare(counts, expected);
  assert.ok(
    x2 < CHI2_999[expected.length - 1]!,
    `${policy.name}: chi-square ${x2.toFixed(2)}, counts ${counts}`,
  );
}

test("Random: draws are uniform (chi-square, seeded stream)", () => {
  proportions(byName("Random"), Array.from({ length: 5 }, () => P(PolicyType.Random)), [
    0.2,
    0.2,
    0.2,
    0.2,
    0.2,
  ]);
});

test("WeightedRandom: draws are proportional to weight (chi-square), weight 0 is never drawn", () => {
  const w = [1, 2, 3, 4];
  proportions(
    byName("WeightedRandom"),
    w.map((weight) => P(PolicyType.WeightedRandom, { weight })),
    w.map((x) => x / 10),
  );
  const pool = new SelectionPool(byName("WeightedRandom"));
  const zero = pool.add(P(PolicyType.WeightedRandom, { weight: 0 }));
  pool.add(P(PolicyType.WeightedRandom, { weight: 3 }));
  const rng = new SeededRng(1);
  for (let i = 0; i < 200; i++) assert.notEqual(pick(pool, 1, rng)[0], zero);
  assert.equal(pick(pool, 2, rng).length, 1);
});

test("WeightedRandom: k distinct PEs follow the draw without replacement (chi-square over ordered pairs and triples)", () => {
  // One PE holds most of the weight, so later draws of a selection often repeat an earlier PE
  // (drawn again) and some selections hit the duplicate limit and step over the drawn ranges.
  // Expected: P(a, b, …) = w_a / T · w_b / (T − w_a) · …; a draw that accepted duplicates,
  // skipped to a neighbour or stepped over wrong ranges would miss it.
  const policy = byName("WeightedRandom"), w = [60, 25, 10, 5], total = 100;
  for (const k of [2, 3]) {
    const pool = new SelectionPool(policy);
    const slots = w.map((weight) => pool.add(P(PolicyType.WeightedRandom, { weight })));
    const outcomes: number[][] = [];
    const extend = (prefix: number[]): void => {
      if (prefix.length === k) outcomes.push(prefix);
      else for (let i = 0; i < w.length; i++) if (!prefix.includes(i)) extend([...prefix, i]);
    };
    extend([]);
    const probability = (o: number[]): number => {
      let p = 1, left = total;
      for (const i of o) {
        p *= w[i]! / left;
        left -= w[i]!;
      }
      return p;
    };
    const rng = new SeededRng(0x5e1ec7 + k), counts = outcomes.map(() => 0);
    for (let i = 0; i < 40000; i++) {
      const got = pick(pool, k, rng).map((s) => slots.indexOf(s));
      assert.equal(new Set(got).size, k, `distinct: ${got}`);
      counts[outcomes.findIndex((o) => o.every((x, j) => x === got[j]))]!++;
    }
    const x2 = chiSquare(counts, outcomes.map(probability));
    assert.ok(
      x2 < CHI2_999[outcomes.length - 1]!,
      `k = ${k}: chi-square ${x2.toFixed(2)}, counts ${counts}`,
    );
  }
});

test("RandomizedLeastUsed: draws are proportional to spare capacity (chi-square)", () => {
  const loads = [0, 0x40000000, 0x80000000, 0xc0000000];
  const spare = loads.map((l) => 0xffffffff - l);
  const sum = spare.reduce((a, b) => a + b, 0);
  proportions(
    byName("RandomizedLeastUsed"),
    loads.map((load) => P(PolicyType.RandomizedLeastUsed, { load })),
    spare.map((x) => x / sum),
  );
});

test("RandomizedPriorityLeastUsed: spare capacity counts the load degradation (chi-square)", () => {
  const v: [number, number][] = [[0x80000000, 0], [0x40000000, 0x40000000], [0, 0]];
  const spare = v.map(([l, d]) => 0xffffffff - l - d);
  const sum = spare.reduce((a, b) => a + b, 0);
  proportions(
    byName("RandomizedPriorityLeastUsed"),
    v.map(([load, loadDegradation]) =>
      P(PolicyType.RandomizedPriorityLeastUsed, { load, loadDegradation })
    ),
    spare.map((x) => x / sum),
  );
});

test("WeightedRandomDPF: the distance penalty lowers the weight (chi-square)", () => {
  // 0.1 % per ms: 100 ms costs 10 % of the weight, 500 ms 50 %.
  const dpf = 0x00418937;
  const params = [0, 100, 500].map((distance) =>
    P(PolicyType.WeightedRandomDpf, { weight: 1000, weightDpf: dpf, distance })
  );
  proportions(byName("WeightedRandomDPF"), params, [1000 / 2400, 900 / 2400, 500 / 2400]);
});

test("Randomized degradation policies: each use lowers the weight, an update restores it", () => {
  for (const name of ["RandomizedLeastUsedDegradation", "RandomizedPriorityLeastUsedDegradation"]) {
    const policy = byName(name);
    const pool = new SelectionPool(policy);
    const v = P(policy.type, { load: 0xf0000000, loadDegradation: 0x01000000 });
    const s = pool.add(v);
    const before = pool.selectionWeight(s);
    pick(pool, 1, new SeededRng(1));
    assert.equal(pool.selectionWeight(s), before - 0x01000000, name);
    pool.update(s, v);
    assert.equal(pool.selectionWeight(s), before, name);
  }
});

test("Randomized degradation policies: draws follow the current weights while uses lower them and updates restore them (chi-square)", () => {
  // Six PEs whose weights fall at different speeds (load degradation 0 … 2^18 per use), so the
  // engine's bounds drift apart from the weights between tightenings; one update per 4000
  // draws resets a counter. Expected counts add up each draw's probabilities (the weights before
  // it), so a draw by the bounds instead of the weights would miss them.
  for (const name of ["RandomizedLeastUsedDegradation", "RandomizedPriorityLeastUsedDegradation"]) {
    const policy = byName(name);
    const pool = new SelectionPool(policy);
    const v = (i: number): PolicyParameter =>
      P(policy.type, {
        load: 0x10000000 * (1 + 2 * i),
        loadDegradation: i === 0 ? 0 : 0x2000 << (2 * i),
      });
    const slots = Array.from({ length: 6 }, (_, i) => pool.add(v(i)));
    const rng = new SeededRng(policy.type ^ 0xd1ce);
    const counts = slots.map(() => 0), expected = slots.map(() => 0);
    const draws = 40000;
    let lowest = 1;
    for (let i = 0; i < draws; i++) {
      if (i % 4000 === 3999) pool.update(slots[(i / 4000) % 6 | 0]!, v((i / 4000) % 6 | 0));
      const w = slots.map((s) => pool.selectionWeight(s));
      const total = w.reduce((a, b) => a + b, 0);
      w.forEach((x, j) => expected[j]! += x / total);
      lowest = Math.min(lowest, w[5]! / 0x50000000);
      counts[slots.indexOf(pick(pool, 1, rng)[0]!)]!++;
    }
    // The fastest-falling PE lost over a third of its weight at some point.
    assert.ok(lowest < 0.66, `${name}: lowest relative weight ${lowest}`);
    const x2 = chiSquare(counts, expected.map((e) => e / draws));
    assert.ok(x2 < CHI2_999[5]!, `${name}: chi-square ${x2.toFixed(2)}, counts ${counts}`);
  }
});

test("LeastUsedDPF and PriorityLeastUsedDPF: the nearer pool element wins at equal load", () => {
  for (
    const name of [
      "LeastUsedDPF",
      "PriorityLeastUsedDPF",
      "LeastUsedDegradationDPF",
      "PriorityLeastUsedDegradationDPF",
    ]
  ) {
    const policy = byName(name);
    const pool = new SelectionPool(policy);
    const v = (distance: number): PolicyParameter =>
      P(policy.type, { load: 0x10000000, loadDpf: 0x00418937, distance });
    const far = pool.add(v(300)), mid = pool.add(v(100)), near = pool.add(v(0));
    assert.deepEqual(pick(pool, 3, new SeededRng(1)), [near, mid, far], name);
  }
});

test("LeastUsedDPF: the penalty is load + distance x DPF, rounded and capped at 0xffffffff", () => {
  const pool = new SelectionPool(byName("LeastUsedDPF"));
  // 0x80000000 + 100 ms x (0x01000000 / 0xffffffff per ms) x 0xffffffff = 0x80000000 + 0x64000000
  const a = pool.add(
    P(PolicyType.LeastUsedDpf, { load: 0x80000000, loadDpf: 0x01000000, distance: 100 }),
  );
  const b = pool.add(P(PolicyType.LeastUsedDpf, { load: 0xe4000001 }));
  const c = pool.add(
    P(PolicyType.LeastUsedDpf, { load: 0xffffffff, loadDpf: 0xffffffff, distance: 1 }),
  );
  assert.equal(byName("LeastUsedDPF").key(pool, a), 0xe4000000);
  assert.equal(byName("LeastUsedDPF").key(pool, c), 0xffffffff);
  assert.deepEqual(pick(pool, 3, new SeededRng(1)), [a, b, c]);
});

test("PowerOfTwoLeastUsed: never picks the more loaded of its two draws", () => {
  const policy = byName("PowerOfTwoLeastUsed");
  const pool = new SelectionPool(policy);
  const loads = [50, 10, 90, 10, 30, 70];
  const s = loads.map((load) => pool.add(P(PolicyType.PowerOfTwoLeastUsed, { load })));
  // Replay the documented draws: a = drawIndex(n), b = drawIndex(n - 1), b += b >= a.
  const rng = new SeededRng(21), shadow = new SeededRng(21);
  const seqBefore = (x: number): number => pool.seq[x]!;
  for (let i = 0; i < 2000; i++) {
    const a = drawIndex(shadow, s.length);
    let b = drawIndex(shadow, s.length - 1);
    if (b >= a) b++;
    const [x, y] = [s[a]!, s[b]!];
    const expect = loads[a]! < loads[b]!
      ? x
      : loads[b]! < loads[a]!
      ? y
      : seqBefore(x) < seqBefore(y)
      ? x
      : y;
    assert.deepEqual(pick(pool, 1, rng), [expect]);
  }
  // The busiest element loses every pair it is in; the least loaded ones win most.
  const counts = s.map((x) => pool.selections[x]!);
  assert.equal(counts[2], 0);
  assert.ok(counts[1]! > counts[0]! && counts[3]! > counts[4]!);
  // Ties between the two equally loaded elements alternate (sequence numbers).
  assert.ok(Math.abs(counts[1]! - counts[3]!) < counts[1]! * 0.2);
});

test("PowerOfTwoLeastUsed: k > 1 draws without replacement", () => {
  const pool = new SelectionPool(byName("PowerOfTwoLeastUsed"));
  const s = [5, 4, 3, 2, 1].map((load) => pool.add(P(PolicyType.PowerOfTwoLeastUsed, { load })));
  const rng = new SeededRng(8);
  for (let i = 0; i < 100; i++) {
    const got = pick(pool, 5, rng);
    assert.deepEqual([...got].sort(), [...s].sort());
  }
});

test("WeightedLeastUsed: with loads that follow the traffic, selections are proportional to capacity", () => {
  const pool = new SelectionPool(byName("WeightedLeastUsed"));
  const weights = [1, 2, 4, 8];
  const load = weights.map(() => 0);
  const s = weights.map((weight) => pool.add(P(PolicyType.WeightedLeastUsed, { weight, load: 0 })));
  const rng = new SeededRng(1);
  const counts = weights.map(() => 0);
  for (let i = 0; i < 1500; i++) {
    const i0 = s.indexOf(pick(pool, 1, rng)[0]!);
    counts[i0]!++;
    load[i0]! += 1000; // every request adds the same load
    pool.update(s[i0]!, P(PolicyType.WeightedLeastUsed, { weight: weights[i0]!, load: load[i0]! }));
  }
  weights.forEach((w, i) =>
    assert.ok(Math.abs(counts[i]! - 100 * w) <= 1, `weight ${w}: ${counts[i]}`)
  );
});

test("WeightedLeastUsed: weight 0 is chosen only after every pool element with capacity", () => {
  const pool = new SelectionPool(byName("WeightedLeastUsed"));
  const none = pool.add(P(PolicyType.WeightedLeastUsed, { weight: 0, load: 0 }));
  const some = pool.add(P(PolicyType.WeightedLeastUsed, { weight: 1, load: 0xffffffff }));
  assert.deepEqual(pick(pool, 2, new SeededRng(1)), [some, none]);
});

test("Sorted engines: sequence numbers renumber without changing the order", () => {
  for (const name of ["LeastUsed", "LeastUsedDegradation", "RoundRobin", "PowerOfTwoLeastUsed"]) {
    const policy = byName(name);
    const pool = new SelectionPool(policy);
    const model = new ReferenceModel(policy, 64);
    const rng = new SeededRng(3), r1 = new SeededRng(4), r2 = new SeededRng(4);
    for (let i = 0; i < 8; i++) {
      const v = randomParam(policy, rng, 2);
      model.add(pool.add(v), v);
    }
    // New pools start 16 below the renumbering threshold, so this crosses it.
    for (let i = 0; i < 40; i++) {
      const got = pick(pool, 2, r1);
      if (policy.engine !== "two-choices") assert.deepEqual(got, model.select(2, r2, 0), name);
    }
    const seqs = pool.order().map((s) => pool.seq[s]!);
    assert.ok(seqs.every((x) => x < 100), `${name}: renumbered (${seqs})`);
  }
});

test("WeightedRoundRobin: round counters are rebased without changing the order", () => {
  const policy = byName("WeightedRoundRobin");
  const pool = new SelectionPool(policy);
  const model = new ReferenceModel(policy, 16);
  for (const weight of [1, 2, 1]) {
    const v = P(PolicyType.WeightedRoundRobin, { weight });
    model.add(pool.add(v), v);
  }
  const r1 = new SeededRng(1), r2 = new SeededRng(1);
  for (let i = 0; i < 40; i++) assert.deepEqual(pick(pool, 1, r1), model.select(1, r2, 0));
  // New pools start 2 rounds below the rebase threshold (2^20 rounds).
  assert.ok(pool.order().every((s) => pool.round[s]! < 100));
});

test("SelectionPool: grows past its initial capacity and reuses freed slots", () => {
  for (const policy of BUILTIN_POLICIES) {
    const pool = new SelectionPool(policy, { initialCapacity: 2 });
    const rng = new SeededRng(1);
    const slots = Array.from({ length: 40 }, () => pool.add(randomParam(policy, rng)));
    assert.equal(pool.capacity, 64);
    assert.equal(pick(pool, 40, rng).length, 40);
    pool.remove(slots[7]!);
    assert.equal(pool.add(randomParam(policy, rng)), slots[7]);
    assert.equal(pool.size, 40);
  }
});
