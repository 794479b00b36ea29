// Weighted-random engine: a Fenwick (binary indexed) tree over the selection
// weights of all slots.
//
// Layout: val: Float64Array by slot, the weight currently in the tree
// (policy.weight, 0 for free slots); tree: Float64Array of capacity+1 entries,
// 1-based, tree[i] = sum of val over slots (i − lowbit(i)) .. i−1; total, the
// sum of all weights. The capacity is a power of two, so the descent needs no
// bounds check. Weights are integers below 2^32 and sums stay below 2^53, so
// all arithmetic is exact.
//
// One draw: r = drawIndex(rng, total), then descend to the slot whose
// cumulative range contains r (O(log N)). For k > 1 a drawn slot is taken out
// of the tree until the end of the call (drawing without replacement) and put
// back afterwards; the last draw needs no removal.

import type { Rng } from "../rng.ts";
import type { SelectionPool } from "./selection_pool.ts";
import type { PoolPolicy } from "./policy.ts";
import { drawIndex } from "./_draw.ts";

export class FenwickEngine {
  tree: Float64Array;
  val: Float64Array;
  total = 0;
  size = 0;
  #top: number;
  readonly #pool: SelectionPool;
  // The pool's per-slot arrays this engine writes (refreshed when the pool grows).
  #seq: Float64Array;
  #sel: Float64Array;
  readonly #policy: PoolPolicy;
  readonly #updates: boolean;

  constructor(pool: SelectionPool, policy: PoolPolicy, capacity: number) {
    this.#pool = pool;
    this.#seq = pool.seq;
    this.#sel = pool.selections;
    this.#policy = policy;
    this.#updates = policy.updatesOnUse;
    this.tree = new Float64Array(capacity + 1);
    this.val = new Float64Array(capacity);
    this.#top = capacity;
  }

  grow(capacity: number): void {
    this.#seq = this.#pool.seq;
    this.#sel = this.#pool.selections;
    const val = new Float64Array(capacity);
    val.set(this.val);
    const tree = new Float64Array(capacity + 1);
    for (let i = 1; i <= capacity; i++) {
      tree[i]! += val[i - 1]!;
      const parent = i + (i & -i);
      if (parent <= capacity) tree[parent]! += tree[i]!;
    }
    this.val = val;
    this.tree = tree;
    this.#top = capacity;
  }

  add(slot: number): void {
    const w = this.#policy.weight(this.#pool, slot);
    this.val[slot] = w;
    this.#addTree(slot, w);
    this.size++;
  }

  remove(slot: number): void {
    this.#addTree(slot, -this.val[slot]!);
    this.val[slot] = 0;
    this.size--;
  }

  changed(slot: number): void {
    const w = this.#policy.weight(this.#pool, slot);
    const d = w - this.val[slot]!;
    if (d !== 0) {
      this.val[slot] = w;
      this.#addTree(slot, d);
    }
  }

  selectOne(rng: Rng, maxIncrement: number): number {
    if (this.size === 0 || this.total <= 0) return -1;
    const s = this.#find(drawIndex(rng, this.total));
    this.#sel[s]!++;
    const policy = this.#policy;
    if (maxIncrement > 0 && this.#updates) {
      policy.update(this.#pool, s);
      this.changed(s);
    }
    return s;
  }

  select(k: number, out: Int32Array, rng: Rng, maxIncrement: number): number {
    const want = k < this.size ? k : this.size;
    const val = this.val;
    let count = 0;
    while (count < want && this.total > 0) {
      const slot = this.#find(drawIndex(rng, this.total));
      out[count++] = slot;
      if (count < want) this.#addTree(slot, -val[slot]!);
    }
    // Put the temporarily removed slots back (all but the last one drawn).
    for (let i = 0; i < count - 1; i++) {
      const s = out[i]!;
      this.#addTree(s, val[s]!);
    }
    const selections = this.#sel;
    for (let i = 0; i < count; i++) selections[out[i]!]!++;
    const policy = this.#policy;
    if (this.#updates) {
      const used = maxIncrement < count ? maxIncrement : count;
      for (let i = 0; i < used; i++) {
        const s = out[i]!;
        policy.update(this.#pool, s);
        this.changed(s);
      }
    }
    return count;
  }

  // Smallest slot whose cumulative weight exceeds r (0 ≤ r < total).
  #find(r: number): number {
    const tree = this.tree;
    let p = 0;
    for (let step = this.#top; step > 0; step >>= 1) {
      const q = p + step;
      const t = tree[q]!;
      if (t <= r) {
        p = q;
        r -= t;
      }
    }
    return p;
  }

  #addTree(slot: number, delta: number): void {
    const tree = this.tree, cap = this.#top;
    for (let i = slot + 1; i <= cap; i += i & -i) tree[i]! += delta;
    this.total += delta;
  }
}
