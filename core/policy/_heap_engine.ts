// Sorted engine on an indexed binary min-heap of (key, sequence number): for the
// sorted policies whose key changes only when the policy information changes
// (Least Used, Priority Least Used, the non-degrading DPF variants, Weighted
// Least Used) and for weighted round robin, whose key changes on every use but
// mostly downwards, which leaves the root in place.
//
// Layout, by heap position i (0 = root; children 2i+1 and 2i+2, parent ⌊(i−1)/2⌋):
//   h: Float64Array with three numbers per position: h[3i] = the policy key of
//      the element at i (policy.key), h[3i+1] = its sequence number (a copy of
//      seq[slot]), h[3i+2] = its slot.
// and by slot: pos: Int32Array, the heap position of the slot (−1 when absent,
// −2 when in the saturated list).
//
// Elements whose key equals the policy's maximum key (policy.maxKey, e.g. a
// load plus degradation capped at 0xffffffff) all tie and come after every
// heap element. They sit outside the heap in a list in sequence order
// (fnext, fprev: Int32Array by slot; fhead, ftail, fn), so a use among them,
// the steady state of a degradation policy between re-registrations, is O(1).
// Interleaving keeps a position's numbers, and both siblings, in one or two
// cache lines. Slots read back from h are converted with `| 0`, which keeps
// array indexing on V8's integer path (a double index is several times slower).
//
// Selecting k takes the root and then repeatedly the smallest element of a
// small frontier (children of what was taken): O(k log k) compares and no
// change to the heap. A use gives the slot the next sequence number and the
// policy's per-use update, then restores the heap by sifting (O(log N)).

import type { SelectionPool } from "./selection_pool.ts";
import { KEY_LIMIT, type PoolPolicy } from "./policy.ts";
import { renumber, SEQ_LIMIT, SEQ_START } from "./_sequence.ts";
import { copyInto, Slab } from "../_slab.ts";

/** Up to this many selected PEs the frontier is scanned linearly; above, it is a heap. */
const LINEAR_FRONTIER = 16;

/** Scratch frontier shared by all engines of this kind (selections do not interleave). */
let frontier = new Int32Array(4 * LINEAR_FRONTIER + 4);

/** Children per heap node (binary measured faster than 4-ary here). */
const D = 2;

/** pos[] value of a slot in the saturated list. */
const SATURATED = -2;

export class HeapEngine {
  h: Float64Array;
  pos: Int32Array;
  n = 0;
  fnext: Int32Array;
  fprev: Int32Array;
  fhead = -1;
  ftail = -1;
  fn = 0;
  nextSeq = SEQ_START;
  readonly #pool: SelectionPool;
  // The pool's per-slot arrays this engine writes (refreshed when the pool grows).
  #seq: Float64Array;
  #sel: Float64Array;
  readonly #policy: PoolPolicy;
  readonly #updates: boolean;
  readonly #maxKey: number;

  constructor(pool: SelectionPool, policy: PoolPolicy, capacity: number) {
    this.#pool = pool;
    this.#seq = pool.seq;
    this.#sel = pool.selections;
    this.#policy = policy;
    this.#updates = policy.updatesOnUse;
    this.#maxKey = policy.maxKey;
    const slab = new Slab(3 * capacity, 3 * capacity);
    this.h = slab.f64(3 * capacity);
    this.pos = slab.i32(capacity, -1);
    this.fnext = slab.i32(capacity);
    this.fprev = slab.i32(capacity);
  }

  grow(capacity: number): void {
    this.#seq = this.#pool.seq;
    this.#sel = this.#pool.selections;
    const slab = new Slab(3 * capacity, 3 * capacity);
    this.h = copyInto(slab.f64(3 * capacity), this.h);
    this.pos = copyInto(slab.i32(capacity, -1), this.pos);
    this.fnext = copyInto(slab.i32(capacity), this.fnext);
    this.fprev = copyInto(slab.i32(capacity), this.fprev);
  }

  first(): number {
    return this.n > 0 ? (this.h[2]! | 0) : this.fhead;
  }

  add(slot: number): void {
    this.#seq[slot] = this.#sequence();
    if (this.#policy.key(this.#pool, slot) === this.#maxKey) this.#fifoAppend(slot);
    else this.#heapInsert(slot);
  }

  // Inserts a slot (with its sequence number already set) into the heap.
  #heapInsert(slot: number): void {
    const seq = this.#seq[slot]!;
    const i = this.n++;
    const h = this.h;
    h[3 * i + 1] = seq;
    h[3 * i + 2] = slot;
    this.pos[slot] = i;
    h[3 * i] = this.#keyOf(slot);
    this.#siftUp(i);
  }

  remove(slot: number): void {
    if (this.pos[slot] === SATURATED) this.#fifoUnlink(slot);
    else this.#heapRemove(slot);
  }

  #heapRemove(slot: number): void {
    const i = this.pos[slot]!;
    const last = --this.n;
    this.pos[slot] = -1;
    if (i === last) return;
    const h = this.h;
    h[3 * i] = h[3 * last]!;
    h[3 * i + 1] = h[3 * last + 1]!;
    const moved = h[3 * last + 2]! | 0;
    h[3 * i + 2] = moved;
    this.pos[moved] = i;
    if (this.#siftUp(i) === i) this.#siftDown(i);
  }

  changed(slot: number): void {
    const saturated = this.#policy.key(this.#pool, slot) === this.#maxKey;
    if (this.pos[slot] === SATURATED) {
      if (saturated) return;
      this.#fifoUnlink(slot);
      this.#heapInsert(slot);
    } else if (saturated) {
      this.#heapRemove(slot);
      this.#fifoInsertBySeq(slot);
    } else {
      this.h[3 * this.pos[slot]!] = this.#keyOf(slot);
      this.#siftDown(this.#siftUp(this.pos[slot]!));
    }
  }

  selectOne(maxIncrement: number): number {
    let s: number;
    if (this.n > 0) s = this.h[2]! | 0;
    else if (this.fn > 0) s = this.fhead;
    else return -1;
    this.#sel[s]!++;
    if (maxIncrement > 0) this.#use(s);
    return s;
  }

  select(k: number, out: Int32Array, maxIncrement: number): number {
    const n = this.n, total = n + this.fn;
    const want = k < total ? k : total;
    if (want === 0) return 0;
    const fromHeap = want < n ? want : n;
    if (fromHeap === 1) out[0] = this.h[2]! | 0;
    else if (fromHeap > 1) {
      if (fromHeap <= 3) this.#takeFew(fromHeap, out);
      else if (fromHeap <= LINEAR_FRONTIER) this.#takeLinear(fromHeap, out);
      else this.#takeHeap(fromHeap, out);
    }
    // Then the saturated elements, in sequence order.
    for (let c = fromHeap, s = this.fhead; c < want; c++, s = this.fnext[s]!) out[c] = s;
    const selections = this.#sel;
    for (let i = 0; i < want; i++) selections[out[i]!]!++;
    const used = maxIncrement < want ? maxIncrement : want;
    for (let i = 0; i < used; i++) this.#use(out[i]!);
    return want;
  }

  orderInto(out: number[]): void {
    const h = this.h, order: number[] = [];
    for (let i = 0; i < this.n; i++) order.push(i);
    order.sort((a, b) => h[3 * a]! - h[3 * b]! || h[3 * a + 1]! - h[3 * b + 1]!);
    for (const i of order) out.push(h[3 * i + 2]! | 0);
    for (let s = this.fhead; s >= 0; s = this.fnext[s]!) out.push(s);
  }

  // The smallest 2 or 3: the root, the smaller child p, then the smallest of the
  // other child and p's children.
  #takeFew(want: number, out: Int32Array): void {
    const h = this.h, n = this.n;
    out[0] = h[2]! | 0;
    let p = 1, other = -1;
    if (n > 2) {
      if (h[6]! < h[3]! || (h[6] === h[3] && h[7]! < h[4]!)) {
        p = 2;
        other = 1;
      } else other = 2;
    }
    out[1] = h[3 * p + 2]! | 0;
    if (want === 2) return;
    let best = other;
    const l = 2 * p + 1;
    for (let c = l; c <= l + 1 && c < n; c++) {
      if (
        best < 0 || h[3 * c]! < h[3 * best]! ||
        (h[3 * c] === h[3 * best] && h[3 * c + 1]! < h[3 * best + 1]!)
      ) best = c;
    }
    out[2] = h[3 * best + 2]! | 0;
  }

  // The smallest `want` elements with a linearly scanned frontier (small k).
  #takeLinear(want: number, out: Int32Array): void {
    const h = this.h, n = this.n, fr = frontier;
    out[0] = h[2]! | 0;
    let fn = 0;
    for (let c = 1; c <= D && c < n; c++) fr[fn++] = c;
    for (let c = 1; c < want; c++) {
      let bi = 0, bp = fr[0]!, bk = h[3 * bp]!, bs = h[3 * bp + 1]!;
      for (let j = 1; j < fn; j++) {
        const p = fr[j]!, pk = h[3 * p]!;
        if (pk < bk || (pk === bk && h[3 * p + 1]! < bs)) {
          bi = j;
          bp = p;
          bk = pk;
          bs = h[3 * p + 1]!;
        }
      }
      out[c] = h[3 * bp + 2]! | 0;
      fr[bi] = fr[--fn]!;
      const first = D * bp + 1;
      for (let q = first; q < first + D && q < n; q++) fr[fn++] = q;
    }
  }

  // The smallest `want` elements with a binary-heap frontier (large k): O(k log k).
  #takeHeap(want: number, out: Int32Array): void {
    const h = this.h, n = this.n;
    let fr = frontier;
    if (fr.length < D * want + D) fr = frontier = new Int32Array(2 * D * want + 2 * D);
    const less = (a: number, b: number): boolean =>
      h[3 * a]! < h[3 * b]! || (h[3 * a] === h[3 * b] && h[3 * a + 1]! < h[3 * b + 1]!);
    let fn = 0;
    const push = (p: number): void => {
      let i = fn++;
      while (i > 0) {
        const q = (i - 1) >> 1;
        if (!less(p, fr[q]!)) break;
        fr[i] = fr[q]!;
        i = q;
      }
      fr[i] = p;
    };
    const pop = (): number => {
      const top = fr[0]!;
      const p = fr[--fn]!;
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= fn) break;
        if (c + 1 < fn && less(fr[c + 1]!, fr[c]!)) c++;
        if (!less(fr[c]!, p)) break;
        fr[i] = fr[c]!;
        i = c;
      }
      if (fn > 0) fr[i] = p;
      return top;
    };
    push(0);
    for (let c = 0; c < want; c++) {
      const top = pop();
      out[c] = h[3 * top + 2]! | 0;
      const first = D * top + 1;
      for (let q = first; q < first + D && q < n; q++) push(q);
    }
  }

  #use(slot: number): void {
    const seq = this.#sequence();
    this.#seq[slot] = seq;
    let p = this.pos[slot]!;
    if (p === SATURATED) {
      if (this.#updates) {
        const pool = this.#pool, policy = this.#policy;
        policy.update(pool, slot);
        if (policy.key(pool, slot) !== this.#maxKey) {
          this.#fifoUnlink(slot);
          this.#heapInsert(slot);
          return;
        }
      }
      // Still saturated, now the most recently used: to the tail.
      if (this.ftail !== slot) {
        this.#fifoUnlink(slot);
        this.#fifoAppend(slot);
      }
      return;
    }
    const h = this.h;
    h[3 * p + 1] = seq;
    if (this.#updates) {
      const pool = this.#pool, policy = this.#policy;
      policy.update(pool, slot);
      const key = policy.key(pool, slot);
      if (key === this.#maxKey) {
        this.#heapRemove(slot);
        this.#fifoAppend(slot);
        return;
      }
      // The root with a smaller key (weighted round robin's virtual counter) stays the root.
      if (p === 0 && key < h[0]!) {
        h[0] = key;
        return;
      }
      h[3 * p] = this.#keyOf(slot);
      p = this.#siftUp(p);
    } else if (p === 0) {
      // Same key, larger sequence number: the root stays if its key is below both children's.
      const k = h[0]!, n = this.n;
      if ((n < 2 || k < h[3]!) && (n < 3 || k < h[6]!)) return;
    }
    this.#siftDown(p);
  }

  #sequence(): number {
    if (this.nextSeq >= SEQ_LIMIT) {
      const seq = this.#seq, h = this.h, n = this.n;
      const slots = new Int32Array(n + this.fn);
      for (let i = 0; i < n; i++) slots[i] = h[3 * i + 2]! | 0;
      let m = n;
      for (let s = this.fhead; s >= 0; s = this.fnext[s]!) slots[m++] = s;
      this.nextSeq = renumber(seq, slots, m);
      for (let i = 0; i < n; i++) h[3 * i + 1] = seq[slots[i]!]!;
    }
    return this.nextSeq++;
  }

  #fifoAppend(s: number): void {
    const tail = this.ftail;
    this.fprev[s] = tail;
    this.fnext[s] = -1;
    if (tail >= 0) this.fnext[tail] = s;
    else this.fhead = s;
    this.ftail = s;
    this.pos[s] = SATURATED;
    this.fn++;
  }

  #fifoUnlink(s: number): void {
    const n = this.fnext[s]!, p = this.fprev[s]!;
    if (p >= 0) this.fnext[p] = n;
    else this.fhead = n;
    if (n >= 0) this.fprev[n] = p;
    else this.ftail = p;
    this.pos[s] = -1;
    this.fn--;
  }

  // Links s into the saturated list at its sequence position (walking back from the tail).
  #fifoInsertBySeq(s: number): void {
    const seq = this.#seq, mine = seq[s]!;
    let after = this.ftail;
    while (after >= 0 && seq[after]! > mine) after = this.fprev[after]!;
    const next = after >= 0 ? this.fnext[after]! : this.fhead;
    this.fprev[s] = after;
    this.fnext[s] = next;
    if (after >= 0) this.fnext[after] = s;
    else this.fhead = s;
    if (next >= 0) this.fprev[next] = s;
    else this.ftail = s;
    this.pos[s] = SATURATED;
    this.fn++;
  }

  // The key of a slot that is in the heap; rebases all keys when it is too large.
  #keyOf(slot: number): number {
    const policy = this.#policy, pool = this.#pool;
    const key = policy.key(pool, slot);
    if (key < KEY_LIMIT || key === Infinity) return key;
    const h = this.h, n = this.n;
    const slots = new Int32Array(n);
    for (let i = 0; i < n; i++) slots[i] = h[3 * i + 2]! | 0;
    if (!policy.rebase(pool, slots, n)) return key;
    for (let i = 0; i < n; i++) h[3 * i] = policy.key(pool, slots[i]!);
    return h[3 * this.pos[slot]!]!;
  }

  #siftUp(i: number): number {
    const h = this.h, pos = this.pos;
    const k = h[3 * i]!, s = h[3 * i + 1]!, slot = h[3 * i + 2]! | 0;
    while (i > 0) {
      const p = ((i - 1) / D) | 0;
      const pk = h[3 * p]!;
      if (pk < k || (pk === k && h[3 * p + 1]! < s)) break;
      h[3 * i] = pk;
      h[3 * i + 1] = h[3 * p + 1]!;
      const ps = h[3 * p + 2]! | 0;
      h[3 * i + 2] = ps;
      pos[ps] = i;
      i = p;
    }
    h[3 * i] = k;
    h[3 * i + 1] = s;
    h[3 * i + 2] = slot;
    pos[slot] = i;
    return i;
  }

  #siftDown(i: number): number {
    const h = this.h, pos = this.pos, n = this.n;
    const k = h[3 * i]!, s = h[3 * i + 1]!, slot = h[3 * i + 2]! | 0;
    for (;;) {
      const a = 2 * i + 1;
      if (a >= n) break;
      // The smaller child, chosen without a branch (the choice is a coin flip for the CPU).
      let c = a;
      if (a + 1 < n) {
        const ka = h[3 * a]!, kb = h[3 * a + 3]!;
        c = a + (+(kb < ka) | (+(kb === ka) & +(h[3 * a + 4]! < h[3 * a + 1]!)));
      }
      const ck = h[3 * c]!, cs = h[3 * c + 1]!;
      if (k < ck || (k === ck && s < cs)) break;
      h[3 * i] = ck;
      h[3 * i + 1] = cs;
      const cslot = h[3 * c + 2]! | 0;
      h[3 * i + 2] = cslot;
      pos[cslot] = i;
      i = c;
    }
    h[3 * i] = k;
    h[3 * i + 1] = s;
    h[3 * i + 2] = slot;
    pos[slot] = i;
    return i;
  }
}
