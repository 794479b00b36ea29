// Weighted-random engine: an 8-ary sum tree over the selection weights of all
// slots.
//
// Layout: val: Float64Array by slot, the weight currently in the tree
// (policy.weight, 0 for free slots). sums: Float64Array holding the inner
// levels one after another, bottom up: level 1 has one entry per group of 8
// slots (the sum of their val), level 2 one per group of 8 level-1 entries, …,
// up to a level of at most 8 entries; levelStart[l] is the offset of level l
// (l ≥ 1) in sums. total is the sum of all weights. Weights are integers below
// 2^32 and sums stay below 2^53, so all arithmetic is exact.
//
// One draw: r = drawIndex(rng, total), then descend from the top level,
// scanning at most 8 contiguous sums per level (one cache line) for the child
// whose range contains r: O(log₈ N) levels instead of a binary tree's
// log₂ N scattered reads. For k > 1 a drawn slot is taken out of the tree
// until the end of the call (drawing without replacement) and put back
// afterwards; the last draw needs no removal.

import type { Rng } from "../rng.ts";
import type { SelectionPool } from "./selection_pool.ts";
import type { PoolPolicy } from "./policy.ts";
import { drawIndex } from "./_draw.ts";
import { Slab } from "../_slab.ts";

const F = 8;
const SHIFT = 3;

/**
 * In the group a[g .. g+7], the index of the child whose cumulative range contains r, i.e.
 * how many children end at or before r. Branch-free. (A module-level variable for the
 * running sum would box a double on every write, so the caller subtracts it itself.)
 */
function pick(a: Float64Array, g: number, r: number): number {
  const w0 = a[g]!, w1 = a[g + 1]!, w2 = a[g + 2]!, w3 = a[g + 3]!;
  const w4 = a[g + 4]!, w5 = a[g + 5]!, w6 = a[g + 6]!;
  const p0 = w0, p1 = p0 + w1, p2 = p1 + w2, p3 = p2 + w3;
  const p4 = p3 + w4, p5 = p4 + w5, p6 = p5 + w6;
  const b0 = +(p0 <= r), b1 = +(p1 <= r), b2 = +(p2 <= r), b3 = +(p3 <= r);
  const b4 = +(p4 <= r), b5 = +(p5 <= r), b6 = +(p6 <= r);
  return b0 + b1 + b2 + b3 + b4 + b5 + b6;
}

/** Weights of the slots taken out during one selection (shared; selections do not interleave). */
let held = new Float64Array(16);

export class SumTreeEngine {
  val: Float64Array;
  sums: Float64Array;
  levelStart: number[] = [];
  /** The sum of all weights (in a typed array: a double field would box on every write). */
  #total: Float64Array;
  size = 0;
  #levels = 0;
  readonly #pool: SelectionPool;
  // The pool's per-slot arrays this engine writes (refreshed when the pool grows).
  #sel: Float64Array;
  readonly #policy: PoolPolicy;
  readonly #updates: boolean;

  constructor(pool: SelectionPool, policy: PoolPolicy, capacity: number) {
    this.#pool = pool;
    this.#sel = pool.selections;
    this.#policy = policy;
    this.#updates = policy.updatesOnUse;
    this.val = this.sums = this.#total = undefined!;
    this.#allocate(capacity, false);
  }

  grow(capacity: number): void {
    this.#sel = this.#pool.selections;
    this.#allocate(capacity, true);
  }

  // Lays out the levels for a capacity and (when growing) rebuilds the sums from val. Every
  // level is padded with zeros to a multiple of 8 entries, so a group can always be read whole.
  #allocate(capacity: number, grown: boolean): void {
    const pad = (n: number): number => Math.ceil(n / F) * F;
    const starts: number[] = [0, 0];
    let inner = 0;
    for (let n = capacity; n > F;) {
      n = Math.ceil(n / F);
      inner += pad(n);
      starts.push(inner);
    }
    // starts[l] for l ≥ 1 is the offset of level l; the last entry is the total length.
    const slab = new Slab(pad(capacity) + inner + 1, 0);
    const val = slab.f64(pad(capacity));
    const total = slab.f64(1);
    if (grown) {
      val.set(this.val);
      total[0] = this.#total[0]!;
    }
    this.val = val;
    this.#total = total;
    this.sums = slab.f64(inner);
    this.levelStart = starts.slice(0, -1);
    this.#levels = this.levelStart.length - 1; // inner levels
    if (grown) {
      for (let s = 0; s < capacity; s++) {
        const w = val[s]!;
        if (w !== 0) this.#addInner(s, w);
      }
    }
  }

  add(slot: number): void {
    const w = this.#policy.weight(this.#pool, slot);
    this.val[slot] = w;
    this.#addInner(slot, w);
    this.#total[0]! += w;
    this.size++;
  }

  remove(slot: number): void {
    const w = this.val[slot]!;
    this.val[slot] = 0;
    this.#addInner(slot, -w);
    this.#total[0]! -= w;
    this.size--;
  }

  changed(slot: number): void {
    const w = this.#policy.weight(this.#pool, slot);
    const d = w - this.val[slot]!;
    if (d !== 0) {
      this.val[slot] = w;
      this.#addInner(slot, d);
      this.#total[0]! += d;
    }
  }

  selectOne(rng: Rng, maxIncrement: number): number {
    if (this.size === 0 || this.#total[0]! <= 0) return -1;
    const s = this.#find(drawIndex(rng, this.#total[0]!));
    this.#sel[s]!++;
    if (maxIncrement > 0 && this.#updates) {
      this.#policy.update(this.#pool, s);
      this.changed(s);
    }
    return s;
  }

  select(k: number, out: Int32Array, rng: Rng, maxIncrement: number): number {
    const want = k < this.size ? k : this.size;
    const val = this.val;
    if (held.length < want) held = new Float64Array(2 * want);
    let count = 0, removed = 0;
    while (count < want && this.#total[0]! > 0) {
      const slot = this.#find(drawIndex(rng, this.#total[0]!));
      out[count++] = slot;
      if (count < want) {
        const w = val[slot]!;
        held[removed++] = w;
        val[slot] = 0;
        this.#addInner(slot, -w);
        this.#total[0]! -= w;
      }
    }
    // Put the temporarily removed slots back (the last draw of a full selection stayed in).
    for (let i = 0; i < removed; i++) {
      const s = out[i]!, w = held[i]!;
      val[s] = w;
      this.#addInner(s, w);
      this.#total[0]! += w;
    }
    const selections = this.#sel;
    for (let i = 0; i < count; i++) selections[out[i]!]!++;
    if (this.#updates) {
      const used = maxIncrement < count ? maxIncrement : count;
      for (let i = 0; i < used; i++) {
        const s = out[i]!;
        this.#policy.update(this.#pool, s);
        this.changed(s);
      }
    }
    return count;
  }

  // The slot whose cumulative weight range contains r (0 ≤ r < total). Each level reads one
  // whole group of 8 and counts, without branching, the children whose cumulative sum is at
  // most r: that count is the child to descend into (zero weights are skipped naturally).
  #find(r: number): number {
    const sums = this.sums, starts = this.levelStart;
    let i = 0; // index within the current level
    for (let l = this.#levels; l >= 1; l--) {
      const g = starts[l]! + (i << SHIFT);
      const c = pick(sums, g, r);
      for (let j = 0; j < c; j++) r -= sums[g + j]!;
      i = (i << SHIFT) + c;
    }
    return (i << SHIFT) + pick(this.val, i << SHIFT, r);
  }

  // Adds delta to every inner level above a slot.
  #addInner(slot: number, delta: number): void {
    const sums = this.sums, starts = this.levelStart;
    let i = slot;
    for (let l = 1; l <= this.#levels; l++) {
      i >>= SHIFT;
      sums[starts[l]! + i]! += delta;
    }
  }
}
