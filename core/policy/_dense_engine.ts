// Uniform-random and two-choices engines: the live slots in a dense array.
//
// Layout: dense: Int32Array, the live slots in positions 0 .. size−1 (in no
// particular order); dpos: Int32Array by slot, the slot's position in dense;
// key: Float64Array by slot (two-choices only), the policy key.
//
// A selection works on the prefix 0 .. avail−1 of dense, where avail starts at
// size. Each chosen slot is swapped to position avail−1 and avail shrinks, so
// the next draw cannot choose it again (a partial Fisher–Yates shuffle; the
// set stays the same, only its order changes). Uniform random: one draw
// j = drawIndex(rng, avail). Two choices: a = drawIndex(rng, avail),
// b = drawIndex(rng, avail − 1), b += 1 if b ≥ a; the slot with the smaller
// (key, sequence number) wins; with one slot left it is taken without a draw.

import type { Rng } from "../rng.ts";
import type { SelectionPool } from "./selection_pool.ts";
import type { PoolPolicy } from "./policy.ts";
import { drawIndex } from "./_draw.ts";
import { copyInto, f64Array, Slab } from "../_slab.ts";
import { renumber, SEQ_LIMIT, SEQ_START } from "./_sequence.ts";
import { keyByFormula, USE_NONE } from "./_formula.ts";

export class DenseEngine {
  dense: Int32Array;
  dpos: Int32Array;
  key: Float64Array;
  size = 0;
  /** [next sequence number] (a typed array: a double field would box on every write). */
  readonly #next = f64Array(1, SEQ_START);
  readonly twoChoices: boolean;
  readonly #pool: SelectionPool;
  // The pool's per-slot arrays this engine writes (refreshed when the pool grows).
  #seq: Float64Array;
  #sel: Float64Array;
  readonly #policy: PoolPolicy;
  readonly #updates: boolean;
  readonly #keyCode: number;

  constructor(pool: SelectionPool, policy: PoolPolicy, keyCode: number, useCode: number) {
    const capacity = pool.capacity;
    this.#pool = pool;
    this.#seq = pool.seq;
    this.#sel = pool.selections;
    this.#policy = policy;
    this.#keyCode = keyCode;
    this.#updates = useCode !== USE_NONE;
    this.twoChoices = policy.engine === "two-choices";
    const slab = new Slab(this.twoChoices ? capacity : 0, 2 * capacity);
    this.key = slab.f64(this.twoChoices ? capacity : 0);
    this.dense = slab.i32(capacity);
    this.dpos = slab.i32(capacity);
  }

  grow(capacity: number): void {
    this.#seq = this.#pool.seq;
    this.#sel = this.#pool.selections;
    const slab = new Slab(this.twoChoices ? capacity : 0, 2 * capacity);
    this.key = copyInto(slab.f64(this.twoChoices ? capacity : 0), this.key);
    this.dense = copyInto(slab.i32(capacity), this.dense);
    this.dpos = copyInto(slab.i32(capacity), this.dpos);
  }

  add(slot: number): void {
    const i = this.size++;
    this.dense[i] = slot;
    this.dpos[slot] = i;
    if (this.twoChoices) {
      this.#seq[slot] = this.#sequence();
      this.key[slot] = keyByFormula(this.#keyCode, this.#policy, this.#pool, slot);
    }
  }

  remove(slot: number): void {
    const i = this.dpos[slot]!, last = --this.size;
    const moved = this.dense[last]!;
    this.dense[i] = moved;
    this.dpos[moved] = i;
  }

  changed(slot: number): void {
    if (this.twoChoices) {
      this.key[slot] = keyByFormula(this.#keyCode, this.#policy, this.#pool, slot);
    }
  }

  selectOne(rng: Rng, maxIncrement: number): number {
    const n = this.size;
    if (n === 0) return -1;
    let s: number;
    if (!this.twoChoices) s = this.dense[drawIndex(rng, n)]!;
    else {
      s = this.dense[n === 1 ? 0 : this.#better(rng, n)]!;
      if (maxIncrement > 0) {
        const pool = this.#pool, policy = this.#policy;
        pool.seq[s] = this.#sequence();
        if (this.#updates) {
          policy.update(pool, s);
          this.key[s] = keyByFormula(this.#keyCode, policy, pool, s);
        }
      }
    }
    this.#sel[s]!++;
    return s;
  }

  select(k: number, out: Int32Array, rng: Rng, maxIncrement: number): number {
    const want = k < this.size ? k : this.size;
    const dense = this.dense;
    let avail = this.size;
    for (let c = 0; c < want; c++) {
      let j: number;
      if (!this.twoChoices) j = drawIndex(rng, avail);
      else if (avail === 1) j = 0;
      else j = this.#better(rng, avail);
      const s = dense[j]!;
      out[c] = s;
      if (c + 1 < want) this.#swap(j, --avail);
    }
    const selections = this.#sel;
    for (let i = 0; i < want; i++) selections[out[i]!]!++;
    if (this.twoChoices) {
      const used = maxIncrement < want ? maxIncrement : want;
      if (used > 0) {
        const pool = this.#pool, policy = this.#policy;
        for (let i = 0; i < used; i++) {
          const s = out[i]!;
          pool.seq[s] = this.#sequence();
          if (this.#updates) {
            policy.update(pool, s);
            this.key[s] = keyByFormula(this.#keyCode, policy, pool, s);
          }
        }
      }
    }
    return want;
  }

  orderInto(out: number[]): void {
    const order = Array.from(this.dense.subarray(0, this.size));
    if (this.twoChoices) {
      const key = this.key, seq = this.#seq;
      order.sort((a, b) => key[a]! - key[b]! || seq[a]! - seq[b]!);
    } else {
      order.sort((a, b) => a - b);
    }
    for (const s of order) out.push(s);
  }

  // Two distinct uniform draws from dense[0 .. avail−1]; the position of the better one.
  #better(rng: Rng, avail: number): number {
    const a = drawIndex(rng, avail);
    let b = drawIndex(rng, avail - 1);
    if (b >= a) b++;
    const sa = this.dense[a]!, sb = this.dense[b]!;
    const ka = this.key[sa]!, kb = this.key[sb]!;
    if (ka < kb) return a;
    if (kb < ka) return b;
    const seq = this.#seq;
    return seq[sa]! < seq[sb]! ? a : b;
  }

  #swap(i: number, j: number): void {
    if (i === j) return;
    const dense = this.dense, dpos = this.dpos;
    const si = dense[i]!, sj = dense[j]!;
    dense[i] = sj;
    dense[j] = si;
    dpos[sj] = i;
    dpos[si] = j;
  }

  #sequence(): number {
    const nx = this.#next;
    if (nx[0]! >= SEQ_LIMIT) nx[0] = renumber(this.#seq, this.dense, this.size);
    return nx[0]!++;
  }
}
