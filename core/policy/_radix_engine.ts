// Sorted engine for the degradation family (Least Used with Degradation, Priority Least Used
// with Degradation and their DPF variants): a radix heap on the key, with 16-way buckets.
//
// What makes it fit: every key is an integer in 0 … 0xffffffff (capped sums, rounded penalties),
// and between updates of the policy information a key only grows: a use adds the PE's load
// degradation to its counter. So the key of a used PE never drops below the key of the first PE,
// and the first key never decreases while the pool is only selected from: a monotone priority
// queue. In the steady state of these policies the used PEs "fill up like water": the first PE's
// key rises by its step into a band of nearly equal keys. A comparison heap sifts it down through
// that band on every use (2.4–2.9 levels of comparisons whose outcome the CPU cannot predict,
// ~11 ns per misprediction here); the radix heap files it by its key's digits relative to the
// first key (an XOR, a clz and a shift) and sorts it further only when everything before it is
// used up.
//
// Layout. `last` (st[0]) is the key of the first PE. Bucket 0 holds the PEs whose key equals
// `last`, as a doubly linked list in sequence-number order (head = next to be selected). Every
// other PE, with key x > last, is in bucket 1 + 16·ℓ + δ, where ℓ (0 … 7) is the highest 4-bit
// digit in which x differs from `last` and δ is x's digit there: every key of a bucket is below
// every key of a later bucket, and these buckets are unordered doubly linked lists. Lists link
// node ids (slot + 1; 0 is "none", so a link to it can be written without a branch), by node id:
// rk (Float64Array, the key), rnext, rprev (Int32Array). Bucket 0: h0, t0 (head, tail); the
// others: head (Int32Array). digits (Int32Array, 8): per level the 16-bit mask of its non-empty
// buckets; misc (Int32Array): [mask of the levels with a non-empty bucket]. A PE's bucket is not
// stored: it follows from its key and `last`.
//
// When bucket 0 runs empty, the first non-empty bucket (two masks: ctz, ctz) becomes bucket 0:
// with one PE (the usual case; bench/README.md) directly, otherwise its least key becomes `last`
// and its PEs are filed again (into lower levels; those with the least key into bucket 0 in
// sequence order).
//
// In front of the radix heap sits the front heap: a binary min-heap on (key, sequence number)
// of node ids (fh, with fpos by node id, −1 outside), holding every PE that comes before all PEs
// of the radix heap: the PEs taken from it by selections of k > 1 (extract: the head of bucket
// 0, refilled first if empty) and the PEs whose key dropped below `last` (a registration, or an
// update of the policy information that resets the counter), so `last` never moves down and
// nothing is filed again because of such a drop. Selecting k takes the first k of the front heap
// (extracting until it holds k), so k = 3 costs one extraction per use, as k = 1 does. When the
// dropped PEs make up more than an eighth of the pool (a burst of registrations), everything is
// filed again relative to the least key (O(n), at most once per n/8 drops). Ties are broken by
// sequence number exactly as in the heap engine (_radix_engine_test.ts compares the two).
//
// Where it loses: the buckets are linked lists through the slots, so at N = 100000 with a band of
// tens of thousands of PEs (long runs without re-registrations) every refiling misses the cache,
// while a comparison heap keeps the band in its top levels (bench/README.md).

import type { SelectionPool } from "./selection_pool.ts";
import type { PoolPolicy } from "./policy.ts";
import { renumber, SEQ_LIMIT, SEQ_START } from "./_sequence.ts";
import { KEY_LOAD_DEG, KEY_LOAD_LD_DEG, keyByFormula } from "./_formula.ts";
import { copyInto, Slab } from "../_slab.ts";

const U32_MAX = 0xffffffff;
const LEVELS = 8;
const BUCKETS = 1 + 16 * LEVELS;
/** misc[] index of the mask of the levels with a non-empty bucket. */
const LEVEL_MASK = 0;

/** Up to this many, the first k of the front heap come from a linearly scanned frontier. */
const LINEAR_FRONTIER = 16;

/** Scratch frontier shared by all engines of this kind (selections do not interleave). */
const frontier: Int32Array = new Int32Array(2 * LINEAR_FRONTIER + 4);

/**
 * Pool size from which the selection pool orders the degradation family with this engine
 * (below, the heap engine: small pools saturate at the 0xffffffff cap, where both are a queue,
 * and the heap engine's code is shared with the other sorted policies in a process serving many
 * policies). A field, so that tests can lower it.
 *
 * @see bench/README.md "Handlespace and policies"
 */
export const radixThreshold = { min: 256 };

/** The bucket of key x when the first key is `last` (x ≥ last). */
function bucketOf(x: number, last: number): number {
  if (x === last) return 0;
  const level = (31 - Math.clz32(x ^ last)) >> 2;
  return 1 + (level << 4) + ((x >>> (level << 2)) & 15);
}

export class RadixEngine {
  rk: Float64Array;
  rnext: Int32Array;
  rprev: Int32Array;
  /** Heads of buckets 1 … 128 (index 0 unused). */
  readonly head = new Int32Array(BUCKETS);
  /** Head and tail of bucket 0 (small-integer fields: the hot path of small pools reads them). */
  h0 = 0;
  t0 = 0;
  readonly digits = new Int32Array(LEVELS);
  readonly misc = new Int32Array(1);
  /** The front heap (node ids) and each node's position in it (−1: not in it). */
  fh: Int32Array;
  fpos: Int32Array;
  /** Size of the front heap. */
  fn = 0;
  /** [last, next sequence number] (a typed array: a double field would box on every write). */
  readonly st = new Float64Array([0, SEQ_START]);
  n = 0;
  readonly #pool: SelectionPool;
  readonly #policy: PoolPolicy;
  readonly #keyCode: number;
  /** Whether a use raises the key by exactly the load degradation (capped). */
  readonly #additive: boolean;
  #seq: Float64Array;
  #sel: Float64Array;
  #ld: Uint32Array;
  #deg: Uint32Array;

  constructor(pool: SelectionPool, policy: PoolPolicy, keyCode: number) {
    this.#pool = pool;
    this.#policy = policy;
    this.#keyCode = keyCode;
    this.#additive = keyCode === KEY_LOAD_DEG || keyCode === KEY_LOAD_LD_DEG;
    this.#seq = pool.seq;
    this.#sel = pool.selections;
    this.#ld = pool.loadDegradation;
    this.#deg = pool.degradation;
    const cap = pool.capacity + 1;
    const slab = new Slab(cap, 4 * cap);
    this.rk = slab.f64(cap);
    this.rnext = slab.i32(cap);
    this.rprev = slab.i32(cap);
    this.fh = slab.i32(cap);
    this.fpos = slab.i32(cap, -1);
  }

  grow(capacity: number): void {
    const pool = this.#pool;
    this.#seq = pool.seq;
    this.#sel = pool.selections;
    this.#ld = pool.loadDegradation;
    this.#deg = pool.degradation;
    const cap = capacity + 1;
    const slab = new Slab(cap, 4 * cap);
    this.rk = copyInto(slab.f64(cap), this.rk);
    this.rnext = copyInto(slab.i32(cap), this.rnext);
    this.rprev = copyInto(slab.i32(cap), this.rprev);
    this.fh = copyInto(slab.i32(cap), this.fh);
    const fpos = slab.i32(cap, -1);
    fpos.set(this.fpos);
    this.fpos = fpos;
  }

  first(): number {
    if (this.n === 0) return -1;
    if (this.fn !== 0) return this.fh[0]! - 1;
    const id = this.h0;
    return (id !== 0 ? id : this.#refill()) - 1;
  }

  add(slot: number): void {
    this.#seq[slot] = this.#sequence();
    this.n++;
    this.#insert(slot + 1, this.#key(slot));
  }

  remove(slot: number): void {
    this.#detach(slot + 1);
    this.n--;
  }

  changed(slot: number): void {
    const id = slot + 1;
    this.#detach(id);
    this.#insert(id, this.#key(slot));
  }

  selectOne(maxIncrement: number): number {
    // Small, so that V8 inlines it: the head of bucket 0 while the front heap is empty (the
    // steady state of k = 1); refills and the front heap out of line.
    const id = this.h0;
    if (id === 0 || this.fn !== 0) return this.#selectOther(maxIncrement);
    const s = id - 1;
    if (maxIncrement > 0) this.#useHead(id);
    this.#sel[s]!++;
    return s;
  }

  #selectOther(maxIncrement: number): number {
    if (this.n === 0) return -1;
    if (this.fn !== 0) return this.#selectFront(maxIncrement);
    const id = this.#refill();
    this.#sel[id - 1]!++;
    if (maxIncrement > 0) this.#useHead(id);
    return id - 1;
  }

  #selectFront(maxIncrement: number): number {
    const id = this.fh[0]!;
    this.#sel[id - 1]!++;
    if (maxIncrement > 0) this.#useFirst(id);
    return id - 1;
  }

  select(k: number, out: Int32Array, maxIncrement: number): number {
    const n = this.n, want = k < n ? k : n;
    if (want === 0) return 0;
    const sel = this.#sel, rnext = this.rnext;
    if (this.fn === 0) {
      // An empty front list: when bucket 0 holds `want` PEs (equal keys, e.g. all at the cap),
      // they are the first, and the first is used in place.
      let id = this.h0;
      if (id === 0) id = this.#refill();
      let c = 0;
      for (; id !== 0 && c < want; id = rnext[id]!) out[c++] = id - 1;
      if (c === want) {
        for (let i = 0; i < want; i++) sel[out[i]!]!++;
        if (maxIncrement > 0) {
          this.#useHead(out[0]! + 1);
          const used = maxIncrement < want ? maxIncrement : want;
          for (let i = 1; i < used; i++) this.#use(out[i]! + 1);
        }
        return want;
      }
    }
    while (this.fn < want) this.#extract();
    this.#takeFront(want, out);
    for (let i = 0; i < want; i++) sel[out[i]!]!++;
    if (maxIncrement > 0) {
      this.#useFirst(out[0]! + 1);
      const used = maxIncrement < want ? maxIncrement : want;
      for (let i = 1; i < used; i++) this.#use(out[i]! + 1);
    }
    return want;
  }

  orderInto(out: number[]): void {
    const rk = this.rk, seq = this.#seq, all: number[] = [];
    for (let i = 0; i < this.fn; i++) all.push(this.fh[i]!);
    for (let id = this.h0; id !== 0; id = this.rnext[id]!) all.push(id);
    for (let b = 1; b < BUCKETS; b++) {
      for (let id = this.head[b]!; id !== 0; id = this.rnext[id]!) all.push(id);
    }
    all.sort((a, b) => rk[a]! - rk[b]! || seq[a - 1]! - seq[b - 1]!);
    for (const id of all) out.push(id - 1);
  }

  // Moves the first PE of the radix heap into the front heap; returns its node id.
  #extract(): number {
    let id = this.h0;
    if (id === 0) id = this.#refill();
    const after = this.rnext[id]!;
    this.h0 = after;
    this.rprev[after] = 0;
    if (after === 0) this.t0 = 0;
    this.#frontPush(id);
    return id;
  }

  // out[0 … want) := the first `want` of the front heap in order (want ≤ fn): its root, then
  // repeatedly the least of a frontier of children of what was taken.
  #takeFront(want: number, out: Int32Array): void {
    const fh = this.fh, fn = this.fn;
    out[0] = fh[0]! - 1;
    if (want === 1) return;
    if (want > LINEAR_FRONTIER) {
      const all = Array.from(fh.subarray(0, fn));
      const rk = this.rk, seq = this.#seq;
      all.sort((a, b) => rk[a]! - rk[b]! || seq[a - 1]! - seq[b - 1]!);
      for (let i = 0; i < want; i++) out[i] = all[i]! - 1;
      return;
    }
    const fr = frontier;
    let n = 0;
    if (fn > 1) fr[n++] = 1;
    if (fn > 2) fr[n++] = 2;
    for (let c = 1; c < want; c++) {
      let bi = 0, bp = fr[0]!;
      for (let j = 1; j < n; j++) {
        const p = fr[j]!;
        if (this.#before(fh[p]!, fh[bp]!)) {
          bi = j;
          bp = p;
        }
      }
      out[c] = fh[bp]! - 1;
      fr[bi] = fr[--n]!;
      const child = 2 * bp + 1;
      if (child < fn) fr[n++] = child;
      if (child + 1 < fn) fr[n++] = child + 1;
    }
  }

  // A use of node id, the root of the front heap: the next sequence number and the degradation
  // step.
  #useFirst(id: number): void {
    const st = this.st, seq = st[1]!;
    if (seq >= SEQ_LIMIT) {
      this.#use(id);
      return;
    }
    st[1] = seq + 1;
    const s = id - 1;
    this.#seq[s] = seq;
    this.#frontRemove(0);
    const ld = this.#ld[s]!, deg = this.#deg[s]! + ld;
    this.#deg[s] = deg > U32_MAX ? U32_MAX : deg;
    const k = this.rk[id]!;
    const key = this.#additive ? (k + ld > U32_MAX ? U32_MAX : k + ld) : this.#key(s);
    this.#insert(id, key);
  }

  // A use of node id, the head of bucket 0 while the front list is empty: the next sequence
  // number and the degradation step; the key only grows, so the PE is filed relative to the
  // unchanged `last` (to the tail of bucket 0 when it stays: the largest sequence number).
  #useHead(id: number): void {
    const st = this.st, seq = st[1]!;
    if (seq >= SEQ_LIMIT) {
      this.#use(id);
      return;
    }
    st[1] = seq + 1;
    const s = id - 1;
    this.#seq[s] = seq;
    const ld = this.#ld[s]!, deg = this.#deg[s]! + ld;
    this.#deg[s] = deg > U32_MAX ? U32_MAX : deg;
    // A key at the cap stays there (the steady state of small pools): head to tail, inline; a
    // key that can grow out of line, so that this stays small enough to be inlined.
    if (this.rk[id] === U32_MAX && st[0] === U32_MAX) this.#rotate0(id);
    else this.#raiseHead(id, s, ld);
  }

  // The rest of #useHead for a key below the cap: the new key, then out of bucket 0 or (no
  // degradation) to its tail.
  #raiseHead(id: number, s: number, ld: number): void {
    const rk = this.rk, k = rk[id]!;
    const key = this.#additive ? (k + ld > U32_MAX ? U32_MAX : k + ld) : this.#key(s);
    rk[id] = key;
    const last = this.st[0]!;
    if (key !== last) this.#leave0(id, key, last);
    else this.#rotate0(id);
  }

  // Moves node id, the head of bucket 0, to its tail (its sequence number is now the largest).
  #rotate0(id: number): void {
    const rnext = this.rnext, after = rnext[id]!;
    if (after === 0) return; // alone in bucket 0: stays
    const rprev = this.rprev, t = this.t0;
    this.h0 = after;
    rprev[after] = 0;
    rnext[t] = id;
    rprev[id] = t;
    rnext[id] = 0;
    this.t0 = id;
  }

  // The head id of bucket 0 got key > last: out of bucket 0 into its bucket (not inline, so that
  // #useHead stays small enough to be inlined into its callers).
  #leave0(id: number, key: number, last: number): void {
    const after = this.rnext[id]!;
    this.h0 = after;
    this.rprev[after] = 0;
    if (after === 0) this.t0 = 0;
    this.#file(id, key, last);
  }

  // A use of any PE (MaxIncrement > 1, or the sequence numbers need renumbering).
  #use(id: number): void {
    const seq = this.#sequence(), s = id - 1;
    this.#detach(id);
    this.#seq[s] = seq;
    const deg = this.#deg[s]! + this.#ld[s]!;
    this.#deg[s] = deg > U32_MAX ? U32_MAX : deg;
    this.#insert(id, this.#key(s));
  }

  // Takes node id out of the front heap or its bucket.
  #detach(id: number): void {
    const p = this.fpos[id]!;
    if (p >= 0) this.#frontRemove(p);
    else this.#unlink(id, bucketOf(this.rk[id]!, this.st[0]!));
  }

  // Places node id (not linked, sequence number set) with the given key: into the front heap
  // when it comes before every PE of the radix heap, otherwise into the radix heap.
  #insert(id: number, key: number): void {
    this.rk[id] = key;
    const last = this.st[0]!;
    if (this.n === this.fn + 1) {
      // The radix heap is empty.
      if (this.fn !== 0) {
        this.#frontPushChecked(id);
        return;
      }
      this.st[0] = key;
    } else if (key < last) {
      this.#frontPushChecked(id);
      return;
    } else if (key !== last) {
      this.#file(id, key, last);
      return;
    } else {
      // Key `last`: the front heap holds it unless it comes after the head of bucket 0.
      const h0 = this.h0;
      if (h0 === 0 || this.#seq[id - 1]! < this.#seq[h0 - 1]!) {
        this.#frontPush(id);
        return;
      }
    }
    this.#insertBySeq(id);
  }

  // Whether node a comes before node b: key, then sequence number.
  #before(a: number, b: number): boolean {
    const ka = this.rk[a]!, kb = this.rk[b]!;
    return ka < kb || (ka === kb && this.#seq[a - 1]! < this.#seq[b - 1]!);
  }

  // A push of a PE whose key dropped below `last`: when such PEs make up more than an eighth
  // of the pool (a burst of registrations or re-registrations), everything is filed again
  // relative to the least key (O(n), at most once per n/8 such pushes).
  #frontPushChecked(id: number): void {
    this.#frontPush(id);
    if (this.fn > 16 + (this.n >> 3)) this.#rebuild();
  }

  /**
   * Takes over `count` live slots from another engine with their sequence numbers (the next one
   * to give out is `nextSeq`); the engine must be empty.
   */
  adopt(slots: Int32Array, count: number, nextSeq: number): void {
    this.st[1] = nextSeq;
    for (let i = 0; i < count; i++) {
      const s = slots[i]!;
      this.rk[s + 1] = this.#key(s);
      this.rnext[s + 1] = 0;
      this.rprev[s + 1] = 0;
    }
    this.n = count;
    if (count === 0) return;
    // Into bucket 0 as one list, then filed relative to the least key.
    const rnext = this.rnext, rprev = this.rprev;
    let prev = 0;
    for (let i = 0; i < count; i++) {
      const id = slots[i]! + 1;
      rprev[id] = prev;
      if (prev !== 0) rnext[prev] = id;
      else this.h0 = id;
      prev = id;
    }
    this.t0 = prev;
    this.#rebuild();
  }

  // Empties the front heap: `last` becomes the least key of all, and every PE is filed again.
  #rebuild(): void {
    const all = new Int32Array(this.n), fh = this.fh, fpos = this.fpos, rk = this.rk;
    let m = 0;
    for (let i = 0; i < this.fn; i++) {
      const id = fh[i]!;
      fpos[id] = -1;
      all[m++] = id;
    }
    this.fn = 0;
    const head = this.head, rnext = this.rnext;
    for (let id = this.h0; id !== 0; id = rnext[id]!) all[m++] = id;
    for (let b = 1; b < BUCKETS; b++) {
      for (let id = head[b]!; id !== 0; id = rnext[id]!) all[m++] = id;
      head[b] = 0;
    }
    this.digits.fill(0);
    this.misc[LEVEL_MASK] = 0;
    this.h0 = 0;
    this.t0 = 0;
    let min = rk[all[0]!]!;
    for (let i = 1; i < m; i++) min = rk[all[i]!]! < min ? rk[all[i]!]! : min;
    this.st[0] = min;
    for (let i = 0; i < m; i++) {
      const id = all[i]!, k = rk[id]!;
      if (k === min) this.#insertBySeq(id);
      else this.#file(id, k, min);
    }
  }

  #frontPush(id: number): void {
    const i = this.fn++;
    this.fh[i] = id;
    this.fpos[id] = i;
    this.#frontUp(i);
  }

  #frontRemove(p: number): void {
    const fh = this.fh, fpos = this.fpos, id = fh[p]!, last = --this.fn;
    fpos[id] = -1;
    if (p === last) return;
    const moved = fh[last]!;
    fh[p] = moved;
    fpos[moved] = p;
    if (this.#frontUp(p) === p) this.#frontDown(p);
  }

  #frontUp(i: number): number {
    const fh = this.fh, fpos = this.fpos, id = fh[i]!;
    while (i > 0) {
      const q = (i - 1) >> 1, up = fh[q]!;
      if (!this.#before(id, up)) break;
      fh[i] = up;
      fpos[up] = i;
      i = q;
    }
    fh[i] = id;
    fpos[id] = i;
    return i;
  }

  #frontDown(i: number): void {
    const fh = this.fh, fpos = this.fpos, id = fh[i]!, n = this.fn;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.#before(fh[c + 1]!, fh[c]!)) c++;
      const down = fh[c]!;
      if (!this.#before(down, id)) break;
      fh[i] = down;
      fpos[down] = i;
      i = c;
    }
    fh[i] = id;
    fpos[id] = i;
  }

  // Files node id with key x > last into its bucket (at the head; buckets ≥ 1 are unordered).
  #file(id: number, x: number, last: number): void {
    const level = (31 - Math.clz32(x ^ last)) >> 2, digit = (x >>> (level << 2)) & 15;
    const b = 1 + (level << 4) + digit, head = this.head, h = head[b]!;
    this.rnext[id] = h;
    this.rprev[id] = 0;
    this.rprev[h] = id; // node 0 absorbs the write when the bucket was empty
    head[b] = id;
    this.digits[level] = this.digits[level]! | 1 << digit;
    this.misc[LEVEL_MASK] = this.misc[LEVEL_MASK]! | 1 << level;
  }

  // Bucket 0 ran empty (and the engine is not): the first non-empty bucket becomes bucket 0.
  // Returns its first node.
  #refill(): number {
    const misc = this.misc, levels = misc[LEVEL_MASK]!, lowLevel = levels & -levels;
    const level = 31 - Math.clz32(lowLevel);
    const digits = this.digits, mask = digits[level]!, low = mask & -mask;
    const b = 1 + (level << 4) + 31 - Math.clz32(low);
    digits[level] = mask ^ low;
    if (mask === low) misc[LEVEL_MASK] = levels ^ lowLevel;
    const head = this.head, rk = this.rk, rnext = this.rnext;
    const first = head[b]!;
    head[b] = 0;
    if (rnext[first] === 0) {
      // One PE (rprev[first] is 0: it was the head).
      this.st[0] = rk[first]!;
      this.h0 = first;
      this.t0 = first;
      return first;
    }
    let min = rk[first]!;
    for (let id = rnext[first]!; id !== 0; id = rnext[id]!) {
      const k = rk[id]!;
      min = k < min ? k : min;
    }
    this.st[0] = min;
    for (let id = first; id !== 0;) {
      const next = rnext[id]!, k = rk[id]!;
      if (k === min) this.#insertBySeq(id);
      else this.#file(id, k, min);
      id = next;
    }
    return this.h0;
  }

  // Links node id into bucket 0 at its sequence position (walking back from the tail).
  #insertBySeq(id: number): void {
    const seq = this.#seq, mine = seq[id - 1]!, rprev = this.rprev, rnext = this.rnext;
    let after = this.t0;
    while (after !== 0 && seq[after - 1]! > mine) after = rprev[after]!;
    const next = after !== 0 ? rnext[after]! : this.h0;
    rprev[id] = after;
    rnext[id] = next;
    if (after !== 0) rnext[after] = id;
    else this.h0 = id;
    if (next !== 0) rprev[next] = id;
    else this.t0 = id;
  }

  #unlink(id: number, b: number): void {
    const rnext = this.rnext, rprev = this.rprev, n = rnext[id]!, p = rprev[id]!;
    if (p !== 0) rnext[p] = n;
    else if (b === 0) this.h0 = n;
    else this.head[b] = n;
    if (n !== 0) rprev[n] = p;
    else if (b === 0) this.t0 = p;
    if (b > 0 && this.head[b] === 0) {
      const level = (b - 1) >> 4, mask = this.digits[level]! & ~(1 << ((b - 1) & 15));
      this.digits[level] = mask;
      if (mask === 0) this.misc[LEVEL_MASK] = this.misc[LEVEL_MASK]! & ~(1 << level);
    }
  }

  #key(slot: number): number {
    return keyByFormula(this.#keyCode, this.#policy, this.#pool, slot);
  }

  #sequence(): number {
    const st = this.st, seq = st[1]!;
    if (seq < SEQ_LIMIT) {
      st[1] = seq + 1;
      return seq;
    }
    this.#renumber();
    return st[1]!++;
  }

  // Renumbers every live slot's sequence number to 0 … n−1 in the same order (bucket 0 stays
  // in sequence order).
  #renumber(): void {
    const slots = new Int32Array(this.n);
    let m = 0;
    for (let i = 0; i < this.fn; i++) slots[m++] = this.fh[i]! - 1;
    for (let id = this.h0; id !== 0; id = this.rnext[id]!) slots[m++] = id - 1;
    for (let b = 1; b < BUCKETS; b++) {
      for (let id = this.head[b]!; id !== 0; id = this.rnext[id]!) slots[m++] = id - 1;
    }
    this.st[1] = renumber(this.#seq, slots, m);
  }
}
