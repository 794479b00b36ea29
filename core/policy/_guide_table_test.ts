// The guide table against a linear reference (the slot whose cumulative range contains r, slots
// in ascending order, zero weights skipped), built at once and step by step; and the
// weighted-random engine with its guide table against the reference selection procedure of
// policy_conformance_test.ts (draw over the live slots in ascending order, remove, draw again),
// across the lazy rebuild, after weight changes, with zero weights, with both kernels.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SeededRng } from "../rng.ts";
import { drawIndex } from "./_draw.ts";
import {
  GUIDE_QUIET_MIN,
  GUIDE_QUIET_SHIFT,
  GUIDE_SCAN_MAX,
  GuideTable,
  RECORD,
  TRACKED_BUCKETS_MAX,
} from "./_guide_table.ts";
import { SumTreeEngine } from "./_sum_tree_engine.ts";
import { formulaOf } from "./_formula.ts";
import {
  BUILTIN_POLICIES,
  createSelectionKernel,
  type PoolPolicy,
  type SelectionKernel,
  SelectionPool,
  tsSelectionKernel,
} from "./mod.ts";
import { policyParameter } from "../wire/policy_parameter.ts";

/** A pool size whose tables outgrow L1 (the size the guide table was first tuned for). */
const LARGE = 8192;

/** The slot whose range contains r, for many draws r (one linear scan over them sorted). */
function referenceAll(val: Float64Array, draws: number[]): Map<number, number> {
  const sorted = [...new Set(draws)].sort((a, b) => a - b), slots = new Map<number, number>();
  let s = 0, c = 0;
  for (const r of sorted) {
    while (val[s] === 0 || r >= c + val[s]!) c += val[s++]!;
    slots.set(r, s);
  }
  return slots;
}

/** Weights with zero runs, tiny and huge values (RLU's spare capacity reaches 2^32 − 1). */
function weights(n: number, seed: number): Float64Array {
  const rng = new SeededRng(seed);
  const val = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    const kind = drawIndex(rng, 8);
    val[s] = kind === 0
      ? 0
      : kind === 1
      ? 1
      : kind === 2
      ? 0xffffffff - drawIndex(rng, 1000)
      : kind === 3
      ? drawIndex(rng, 0x100000000)
      : 1 + drawIndex(rng, 100);
  }
  // A long run of free slots, as after many deregistrations.
  val.fill(0, n >> 2, (n >> 2) + Math.min(200, n >> 3));
  return val;
}

function sum(val: Float64Array): number {
  return val.reduce((a, b) => a + b, 0);
}

/**
 * The draws to check a table with: both ends, every range boundary and its neighbours, then 2000
 * random ones.
 */
function boundaryDraws(val: Float64Array, seed: number): number[] {
  const total = sum(val), rng = new SeededRng(seed);
  const draws: number[] = [0, total - 1];
  let c = 0;
  for (let s = 0; s < val.length; s++) {
    if (val[s]! === 0) continue;
    draws.push(c, c + val[s]! - 1);
    if (c > 0) draws.push(c - 1);
    c += val[s]!;
  }
  for (let i = 0; i < 2000; i++) draws.push(drawIndex(rng, total));
  return draws;
}

/** Checks findSlot and the (start, weight) pairs against the reference for many draws. */
function checkTable(g: GuideTable, val: Float64Array, seed: number): number {
  const draws = boundaryDraws(val, seed);
  let answered = 0;
  const slots = referenceAll(val, draws), start = new Float64Array(val.length);
  for (let s = 1; s < val.length; s++) start[s] = start[s - 1]! + val[s - 1]!;
  for (const r of draws) {
    const want = slots.get(r)!, got = g.findSlot(r);
    if (got < 0) {
      // Only a long scan may give up: more than GUIDE_SCAN_MAX ranges start before r within
      // the span the scan had to cover.
      assert.equal(got, -1, `draw ${r}`);
      continue;
    }
    answered++;
    assert.equal(got, want, `draw ${r}`);
    const e = g.findEntry(r);
    assert.equal(g.cum[2 * e + 1], got, `entry of draw ${r}`);
    assert.equal(g.cum[2 * e], start[got], `start of slot ${got}`);
    assert.equal(g.cum[2 * e + 2]! - g.cum[2 * e]!, val[got], `weight of slot ${got}`);
  }
  return answered / draws.length;
}

test("GuideTable.findSlot() finds the reference slot for every range boundary and random draws", () => {
  for (const [n, seed] of [[1, 1], [7, 2], [100, 3], [1000, 4], [LARGE + 5, 5]]) {
    const val = weights(n!, seed!);
    if (sum(val) === 0) val[0] = 3;
    const g = new GuideTable();
    g.build(val, val.length, val.length, sum(val));
    assert.ok(g.ready);
    const share = checkTable(g, val, seed! + 100);
    // Nearly every draw is answered by the table (give-ups are rare long scans).
    assert.ok(share > 0.97, `n = ${n}: only ${share} of the draws answered`);
  }
  // Small weights: buckets 2 or 4 draws wide, so that ranges end inside buckets and on their
  // edges (a bucket marked as lying within one range must really do so).
  for (const [n, top] of [[LARGE + 3, 5], [LARGE, 9], [500, 5]]) {
    const rng = new SeededRng(n! + top!), val = new Float64Array(n!);
    for (let s = 0; s < n!; s++) val[s] = drawIndex(rng, top!);
    const g = new GuideTable();
    g.build(val, val.length, val.length, sum(val));
    assert.ok(checkTable(g, val, top!) > 0.97);
  }
});

test("GuideTable.findSlot() is exact on both sides of the packed layout's limit (weights 2^0 … 2^31)", () => {
  // For each magnitude the bucket width grows with the weights; the packed words hold the
  // slot in S bits and the offset above it while log2(width) + S < 32, pairs beyond: every
  // magnitude checks every boundary, its neighbours and the bucket edges of one of them.
  // Weights of 1 among them (the last two slots too) make buckets that `cum` answers, whose
  // codes −3 − entry go down to −(capacity + 1): capacities just below and at powers of two
  // put that next to the most negative S-bit value. Small weights must get the packed layout
  // (one word per bucket).
  for (const n of [5, 7, 8, 14, 29, 40, 62, 64, 125, 300]) {
    for (let m = 0; m < 32; m++) {
      const rng = new SeededRng(1000 * n + m), val = new Float64Array(n);
      for (let s = 0; s < n; s++) {
        const kind = drawIndex(rng, 6);
        val[s] = kind === 0 ? 0 : kind === 1 || s >= n - 2 ? 1 : 2 ** m + drawIndex(rng, 2 ** m);
      }
      const total = sum(val);
      const g = new GuideTable();
      g.build(val, val.length, val.length, total);
      assert.ok(checkTable(g, val, m) > 0.9, `n = ${n}, weights ~2^${m}`);
      // The first and last draw of every bucket (the width as the table chooses it).
      let w = 1, log = 0, bits = 2;
      while (total > 2 * n * w) {
        w *= 2;
        log++;
      }
      while (2 ** (bits - 1) < n + 3) bits++;
      const buckets = Math.ceil(total / w), packed = log + bits < 32;
      assert.equal(g.words.length, packed ? buckets : 2 * buckets, `n = ${n}, 2^${m}: layout`);
      if (m <= 12) assert.ok(packed, `n = ${n}, 2^${m}: small weights pack`);
      const edges: number[] = [];
      for (let lo = 0; lo < total; lo += w) edges.push(lo, Math.min(lo + w, total) - 1);
      const want = referenceAll(val, edges);
      for (const r of edges) {
        const got = g.findSlot(r);
        if (got !== -1) assert.equal(got, want.get(r), `n = ${n}, 2^${m}, draw ${r}`);
      }
    }
  }
});

/**
 * Checks findSlot and findTracked of a table built with trackStarts() against the reference,
 * and the starts it wrote into the records; returns the share of draws findSlot answered.
 */
function checkTracked(val: Float64Array, seed: number): number {
  const g = new GuideTable(), records = new Float64Array(RECORD * (val.length + 1)).fill(-7);
  g.trackStarts(records);
  g.build(val, val.length, val.length, sum(val));
  assert.ok(g.ready);
  const total = sum(val);
  let c = 0;
  for (let s = 0; s < val.length; s++) {
    // Every slot's start, a free slot's being that of the next range.
    assert.equal(records[RECORD * s], c, `start of slot ${s}`);
    c += val[s]!;
  }
  assert.equal(records[RECORD * val.length], total, "the sentinel after the last slot");
  const draws = boundaryDraws(val, seed), slots = referenceAll(val, draws);
  let answered = 0;
  for (const r of draws) {
    const want = slots.get(r)!, got = g.findSlot(r);
    // findTracked scans the same records from the same slot.
    assert.equal(g.findTracked(r), got, `findTracked, draw ${r}`);
    if (got < 0) {
      // Only a long scan (more than TRACKED_SCAN_MAX slots) may give up.
      assert.equal(got, -1, `draw ${r}`);
      continue;
    }
    answered++;
    assert.equal(got, want, `draw ${r}`);
  }
  g.invalidate();
  assert.equal(g.findSlot(draws[2]!), -1, "a stale table answers nothing");
  assert.equal(g.findTracked(draws[2]!), -1, "a stale table answers nothing (findTracked)");
  return answered / draws.length;
}

test("GuideTable.findSlot() of a table with trackStarts() finds the reference slot by the records, across free slots and long runs of them", () => {
  for (const [n, seed] of [[1, 21], [7, 22], [100, 23], [1000, 24], [LARGE + 5, 25]]) {
    const val = weights(n!, seed!);
    if (sum(val) === 0) val[0] = 3;
    const share = checkTracked(val, seed! + 100);
    assert.ok(share > 0.97, `n = ${n}: only ${share} of the draws answered`);
  }
  // Small weights (buckets that several ranges cross), a gap of 300 free slots, free slots at
  // both ends, and weights near 2^31 (buckets 2^30 wide).
  const rng = new SeededRng(26), small = new Float64Array(LARGE + 700);
  for (let s = 0; s < small.length; s++) small[s] = drawIndex(rng, 5);
  assert.ok(checkTracked(small, 27) > 0.97);
  const gap = new Float64Array(LARGE + 700);
  for (let s = 0; s < gap.length; s++) gap[s] = 1 + drawIndex(rng, 40);
  gap.fill(0, 1000, 1300).fill(0, 0, 5).fill(0, gap.length - 9);
  assert.ok(checkTracked(gap, 28) > 0.97);
  const big = new Float64Array(LARGE);
  for (let s = 0; s < big.length; s++) big[s] = 2 ** 31 + drawIndex(rng, 2 ** 31);
  assert.ok(checkTracked(big, 29) > 0.97);
  // Beyond TRACKED_BUCKETS_MAX buckets' worth of PEs: a bucket spans several ranges.
  const many = weights(6 * TRACKED_BUCKETS_MAX, 31);
  const share = checkTracked(many, 32);
  assert.ok(share > 0.97, `only ${share} of the draws answered`);
  const capped = new GuideTable();
  capped.trackStarts(new Float64Array(RECORD * (many.length + 1)));
  capped.build(many, many.length, many.length, sum(many));
  // At most two words per bucket (pairs; packed: one).
  assert.ok(capped.words.length <= 2 * TRACKED_BUCKETS_MAX, `${capped.words.length} words`);
  // One huge weight after many weight-1 slots: the scan gives up rather than walk them all.
  const skew = new Float64Array(5000).fill(1);
  skew[4999] = 0xffffffff;
  checkTracked(skew, 30);
  const g = new GuideTable();
  g.trackStarts(new Float64Array(RECORD * (skew.length + 1)));
  g.build(skew, skew.length, skew.length, sum(skew));
  assert.equal(g.findSlot(4998), -1);
  assert.equal(g.findSlot(0), 0);
  assert.equal(g.findSlot(sum(skew) - 1), 4999);
});

test("GuideTable.findSlot() of a table with trackStarts() scans the records (its buckets name slots)", () => {
  // Slots 10–13 of weight 1 share bucket 0 with slot 14's start: a scan bucket, whose code is
  // a slot here, not an entry (read as an entry it gave slot 0, of weight 0).
  const val = new Float64Array(16);
  val.fill(1, 10, 14);
  val[14] = 100;
  const g = new GuideTable();
  g.trackStarts(new Float64Array(RECORD * (val.length + 1)));
  g.build(val, val.length, val.length, sum(val));
  const want = referenceAll(val, [...Array(sum(val)).keys()]);
  for (let r = 0; r < sum(val); r++) {
    assert.equal(g.findSlot(r), want.get(r), `findSlot(${r})`);
  }
});

test("GuideTable.findSlot() gives up (−1) on a long scan instead of walking O(N) ranges", () => {
  // One huge weight and many weight-1 slots: the small ranges share a few buckets.
  const val = new Float64Array(5000).fill(1);
  val[4999] = 0xffffffff;
  const g = new GuideTable();
  g.build(val, val.length, val.length, sum(val));
  assert.equal(g.findSlot(4998), -1);
  assert.equal(g.findSlot(0), 0);
  assert.ok(GUIDE_SCAN_MAX < 4998);
  // Buckets past the small ranges lie within slot 4999's range: answered.
  assert.equal(g.findSlot(2 ** 24), 4999);
  assert.equal(g.findSlot(sum(val) - 1), 4999);
});

test("GuideTable.tick() builds only after the quiet draws, in steps, and invalidate() restarts it", () => {
  const val = weights(3000, 7), total = sum(val);
  const g = new GuideTable();
  const quiet = (val.length >> GUIDE_QUIET_SHIFT) + GUIDE_QUIET_MIN;
  let ticks = 0;
  while (ticks < quiet - 1) {
    g.tick(val, val.length, val.length, total);
    ticks++;
  }
  assert.ok(!g.ready);
  assert.equal(g.findSlot(0), -1, "a stale table answers nothing");
  g.tick(val, val.length, val.length, total);
  assert.ok(!g.ready, "one step does not build 3000 slots");
  // Halfway through the build, a change: the build starts over after new quiet draws.
  for (let i = 0; i < 5; i++) g.tick(val, val.length, val.length, total);
  g.invalidate();
  for (let i = 0; i < quiet - 1; i++) g.tick(val, val.length, val.length, total);
  assert.ok(!g.ready);
  let steps = 0;
  while (!g.ready) {
    g.tick(val, val.length, val.length, total);
    assert.ok(++steps < 200, "the build finishes");
  }
  checkTable(g, val, 8);
  g.invalidate();
  assert.ok(!g.ready);
  assert.equal(g.findSlot(1), -1);
  assert.equal(g.findEntry(1), -1);
});

// ---- the engine with its guide table ----

/** A weighted-random engine over a pool (a second engine, so that the test can read it). */
class Harness {
  readonly pool: SelectionPool;
  readonly engine: SumTreeEngine;
  readonly live: number[] = [];
  readonly #policy: PoolPolicy;
  #capacity: number;
  /** The live slots in ascending order and their weights (until the next change). */
  #sorted: [number[], number[]] | undefined = undefined;

  constructor(policy: PoolPolicy, kernel: SelectionKernel) {
    this.#policy = policy;
    this.pool = new SelectionPool(policy);
    const f = formulaOf(policy);
    this.engine = new SumTreeEngine(this.pool, policy, f.weight, f.use, kernel);
    this.#capacity = this.pool.capacity;
  }

  add(fields: Record<string, number>): void {
    const s = this.pool.add(policyParameter(this.#policy.type, fields));
    if (this.pool.capacity !== this.#capacity) {
      this.#capacity = this.pool.capacity;
      this.engine.grow(this.#capacity);
    }
    this.engine.add(s);
    this.live.push(s);
    this.#sorted = undefined;
  }

  update(i: number, fields: Record<string, number>): void {
    const s = this.live[i % this.live.length]!;
    this.pool.update(s, policyParameter(this.#policy.type, fields));
    this.engine.changed(s);
    this.#sorted = undefined;
  }

  remove(i: number): void {
    const s = this.live.splice(i % this.live.length, 1)[0]!;
    this.engine.remove(s);
    this.pool.remove(s);
    this.#sorted = undefined;
  }

  /**
   * The reference procedure: k draws over the live slots in ascending order, each drawn slot
   * removed before the next draw (weights by the policy's hook). For 1 < k ≤ 24 the draws first
   * run over all the slots and a slot drawn before is drawn again, until k slots or 8 such
   * duplicates; the rest is drawn as above.
   */
  expect(k: number, rng: SeededRng): number[] {
    if (this.#sorted === undefined) {
      const sorted = [...this.live].sort((a, b) => a - b);
      this.#sorted = [sorted, sorted.map((s) => this.#policy.weight(this.pool, s))];
    }
    const slots = this.#sorted[0].slice(), ws = this.#sorted[1].slice();
    let total = ws.reduce((a, b) => a + b, 0);
    const chosen: number[] = [];
    const want = Math.min(k, slots.length);
    if (want > 1 && want <= 24 && total > 0) {
      for (let duplicates = 0; chosen.length < want;) {
        let r = drawIndex(rng, total), i = 0;
        while (r >= ws[i]!) r -= ws[i++]!;
        if (!chosen.includes(slots[i]!)) chosen.push(slots[i]!);
        else if (++duplicates === 8) break;
      }
      for (const s of chosen) {
        const i = slots.indexOf(s);
        total -= ws[i]!;
        slots.splice(i, 1);
        ws.splice(i, 1);
      }
    }
    while (chosen.length < k && slots.length > 0 && total > 0) {
      let r = drawIndex(rng, total), i = 0;
      while (r >= ws[i]!) r -= ws[i++]!;
      chosen.push(slots[i]!);
      total -= ws[i]!;
      slots.splice(i, 1);
      ws.splice(i, 1);
    }
    return chosen;
  }

  pick(k: number, rng: SeededRng): number[] {
    if (k === 1) {
      const s = this.engine.selectOne(rng, 0);
      return s < 0 ? [] : [s];
    }
    const out = new Int32Array(k);
    return [...out.subarray(0, this.engine.select(k, out, rng, 0))];
  }
}

const KERNELS: SelectionKernel[] = [tsSelectionKernel];
{
  const wasm = createSelectionKernel({ minTree: 0 });
  if (wasm.name !== "ts") KERNELS.push(wasm);
}
const byName = (name: string): PoolPolicy => BUILTIN_POLICIES.find((p) => p.name === name)!;

for (const kernel of KERNELS) {
  for (const [name, n] of [["WeightedRandom", 300], ["RandomizedLeastUsed", LARGE]]) {
    test(`SumTreeEngine (${kernel.name} kernel): ${name} with the guide table selects exactly what the reference procedure selects (N = ${n})`, () => {
      const policy = byName(name as string);
      const h = new Harness(policy, kernel);
      const values = new SeededRng(n as number);
      const field = (): Record<string, number> =>
        name === "WeightedRandom"
          // Weight 0 (never drawn) in one of five.
          ? { weight: drawIndex(values, 5) === 0 ? 0 : 1 + drawIndex(values, 100) }
          : { load: drawIndex(values, 4) === 0 ? 0xffffffff : drawIndex(values, 0x100000000) };
      for (let i = 0; i < (n as number); i++) h.add(field());
      const ra = new SeededRng(1), rb = new SeededRng(1);
      let readySelections = 0;
      const phase = (calls: number): void => {
        for (let i = 0; i < calls; i++) {
          const k = i % 7 === 0 ? 3 : i % 31 === 0 ? 30 : 1;
          assert.deepEqual(h.pick(k, ra), h.expect(k, rb), `selection ${i}`);
          if (h.engine.guideReady) readySelections++;
        }
      };
      // Long enough for the lazy rebuild to finish (the quiet draws, then the steps).
      const rebuild = 2 * (((2 * (n as number)) >> GUIDE_QUIET_SHIFT) + GUIDE_QUIET_MIN) +
        (6 * (n as number)) / 128 + 100;
      phase(rebuild);
      assert.ok(h.engine.guideReady, "the guide table is built");
      // A weight change makes it stale at once; the tree answers until it is rebuilt.
      const before = policy.weight(h.pool, h.live[5]!);
      let v = field();
      while (policy.weight(h.pool, h.live[5]!) === before) {
        h.update(5, v);
        v = field();
      }
      assert.ok(!h.engine.guideReady);
      phase(rebuild);
      assert.ok(h.engine.guideReady);
      // Removals, additions (a zero weight too) and updates between selections.
      for (let round = 0; round < 20; round++) {
        h.remove(round * 37);
        h.add(field());
        h.update(round * 11, field());
        phase(10);
      }
      phase(rebuild);
      assert.ok(h.engine.guideReady);
      assert.ok(readySelections > rebuild, `only ${readySelections} selections by the guide`);
    });
  }
}

test("GuideTable.findSlot() and findEntry() stay exact where weights of 0 lie between two ranges of a bucket, and for buckets 2^30 wide", () => {
  const n = LARGE + 700;
  const rng = new SeededRng(11), val = new Float64Array(n);
  for (let s = 0; s < n; s++) val[s] = 1 + drawIndex(rng, 40);
  // A gap of 300 zero weights: the ranges on either side of it are not adjacent slots.
  for (let s = 1000; s < 1300; s++) val[s] = 0;
  const g = new GuideTable();
  g.build(val, val.length, val.length, sum(val));
  assert.ok(g.ready);
  assert.ok(checkTable(g, val, 12) > 0.97);
  // Weights near 2^31: buckets 2^30 wide, every boundary offset beyond 23 bits.
  const big = new Float64Array(n);
  for (let s = 0; s < n; s++) big[s] = 2 ** 31 + drawIndex(rng, 2 ** 31);
  const h = new GuideTable();
  h.build(big, big.length, big.length, sum(big));
  assert.ok(h.ready);
  assert.ok(checkTable(h, big, 13) > 0.97);
});

test("GuideTable: a table of one bucket does not write into the arrays that stale tables share", () => {
  // Total weight 1: one bucket, which main's build wrote into the shared stale `first` (and
  // slots), so that every other stale table answered slot 3 instead of −1.
  const val = new Float64Array(8);
  val[3] = 1;
  const one = new GuideTable();
  one.build(val, val.length, 1, 1);
  assert.equal(one.findSlot(0), 3);
  const other = new GuideTable();
  assert.ok(!other.ready);
  assert.equal(other.findSlot(0), -1);
  assert.equal(other.findEntry(0), -1);
  one.invalidate();
  assert.equal(one.findSlot(0), -1);
});

test("SelectionPool (weighted random): a pool of total weight 1 leaves other pools' selections alone", () => {
  // The pool-level form of the test above: before wave 12, pool b then drew slot 0 (weight 0).
  const wrand = byName("WeightedRandom"), rng = new SeededRng(1);
  const a = new SelectionPool(wrand);
  a.add(policyParameter(wrand.type, { weight: 1 }));
  for (let i = 0; i < 200; i++) a.selectOne(rng);
  const b = new SelectionPool(wrand);
  for (let i = 0; i < 5; i++) b.add(policyParameter(wrand.type, { weight: i === 4 ? 1000 : 0 }));
  for (let i = 0; i < 50; i++) assert.equal(b.selectOne(rng), 4);
});
