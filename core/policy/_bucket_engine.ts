// Bucketed sorted engine, for sorted policies with many equal keys: Priority
// (few priority levels) and the degradation family (Least Used with
// Degradation and its variants, whose keys run into the 0xffffffff cap).
//
// Pool elements with the same key share a bucket: a circular doubly linked
// list of slots in sequence-number order from its head (the least recently
// used); the tail is the head's predecessor. The buckets
// sit in a 4-ary min-heap on their key (keys of distinct buckets differ).
// The selection order is: buckets by key, and within a bucket the list.
// A use gives the slot the next sequence number, i.e. moves it to the tail of
// the bucket of its (possibly changed) key: O(1) when the key stays, however
// many elements share it (a use of the head only advances the head: one
// store); otherwise one hash probe and a bucket-heap sift.
//
// Layout, by slot: snext, sprev: Int32Array (circular within the bucket),
// sbucket: Int32Array (the slot's bucket id). By bucket id: bkey:
// Float64Array, bhead (−1: empty), bsize, bpos (position in the bucket heap):
// Int32Array. By bucket-heap
// position j (children 4j+1 … 4j+4): bh: Float64Array with two numbers per
// position, bh[2j+2] = the key, bh[2j+3] = the bucket id; in front of them
// bh[0] = the next sequence number and bh[1] = the limit of the plain use of
// a head (SEQ_LIMIT, or 0 when uses update the policy information: one
// compare for both), so that the hot paths read one array. keyToBucket: a KeyMap
// (typed-array hash) from key to bucket id; entries of dropped or re-keyed
// buckets are left in place and recognised as stale (the bucket's key
// differs or it is empty), and the map is rebuilt when stale entries
// outnumber live ones. Bucket ids come from a free list; there are never more
// buckets than slots.
//
// When an update of the policy information changes a slot's key, the slot
// keeps its sequence number (as in RSPLIB) and is linked into the new bucket
// at its sequence position, found by walking from both ends of that bucket at
// once.
//
// The first up to MEMO slots of the last selection of k > 1 are remembered
// (memo, memoN) until the order may have changed, so repeated selections of
// k > 1 copy them. A use of the head of the first bucket whose key stays (the
// steady state of Priority) keeps the memo valid: it rotates with the list.

import type { SelectionPool } from "./selection_pool.ts";
import type { PoolPolicy } from "./policy.ts";
import { renumber, SEQ_LIMIT, SEQ_START } from "./_sequence.ts";
import { KEY_PRIORITY, keyByFormula, USE_NONE } from "./_formula.ts";
import { KeyMap } from "../_key_map.ts";
import { copyInto, i32Array, Slab } from "../_slab.ts";

/** Up to this many selected PEs the frontier is scanned linearly; above, it is a heap. */
const LINEAR_FRONTIER = 16;

/** Slots of the last selection of k > 1 that are remembered. */
const MEMO = 8;

/** Slots of selectInto() when the memo does not hold them (shared, selections do not interleave). */
let intoScratch = new Int32Array(16);

/** Scratch frontier shared by all engines of this kind (selections do not interleave). */
let frontier = new Int32Array(4 * LINEAR_FRONTIER + 4);

export class BucketEngine {
  snext: Int32Array;
  sprev: Int32Array;
  sbucket: Int32Array;
  bkey: Float64Array;
  bhead: Int32Array;
  bsize: Int32Array;
  bpos: Int32Array;
  bh: Float64Array;
  nb = 0;
  size = 0;
  /** The last selection's first slots in order, valid while memoN > 0. */
  readonly memo = i32Array(MEMO);
  memoN = 0;
  keyToBucket = new KeyMap();
  #freeBuckets: Int32Array;
  #freeCount = 0;
  #highBucket = 0;
  readonly #pool: SelectionPool;
  // The pool's per-slot arrays this engine writes (refreshed when the pool grows). Public: the
  // hot paths read them, and a private field costs a byte more per read.
  seq: Float64Array;
  sel: Float64Array;
  readonly #policy: PoolPolicy;
  readonly #updates: boolean;
  readonly #keyCode: number;

  constructor(pool: SelectionPool, policy: PoolPolicy, keyCode: number, useCode: number) {
    const capacity = pool.capacity;
    this.#pool = pool;
    this.seq = pool.seq;
    this.sel = pool.selections;
    this.#policy = policy;
    this.#keyCode = keyCode;
    this.#updates = useCode !== USE_NONE;
    const slab = new Slab(3 * capacity + 2, 7 * capacity);
    this.bkey = slab.f64(capacity);
    this.bh = slab.f64(2 * capacity + 2);
    this.bh[0] = SEQ_START;
    this.bh[1] = this.#updates ? 0 : SEQ_LIMIT;
    this.snext = slab.i32(capacity);
    this.sprev = slab.i32(capacity);
    this.sbucket = slab.i32(capacity);
    this.bhead = slab.i32(capacity);
    this.bsize = slab.i32(capacity);
    this.bpos = slab.i32(capacity);
    this.#freeBuckets = slab.i32(capacity);
    // With no buckets, bh[3] names bucket 0 (the zeros) until the first one is made, and after
    // the last one is dropped the last one's id (#dropBucket leaves it): a bucket with no head
    // (−1) and size 0 either way, so selectOne() need not check the pool's size.
    this.bhead[0] = -1;
  }

  grow(capacity: number): void {
    this.seq = this.#pool.seq;
    this.sel = this.#pool.selections;
    const slab = new Slab(3 * capacity + 2, 7 * capacity);
    this.bkey = copyInto(slab.f64(capacity), this.bkey);
    this.bh = copyInto(slab.f64(2 * capacity + 2), this.bh);
    this.snext = copyInto(slab.i32(capacity), this.snext);
    this.sprev = copyInto(slab.i32(capacity), this.sprev);
    this.sbucket = copyInto(slab.i32(capacity), this.sbucket);
    this.bhead = copyInto(slab.i32(capacity), this.bhead);
    this.bsize = copyInto(slab.i32(capacity), this.bsize);
    this.bpos = copyInto(slab.i32(capacity), this.bpos);
    this.#freeBuckets = copyInto(slab.i32(capacity), this.#freeBuckets);
  }

  first(): number {
    return this.nb > 0 ? this.bhead[this.bh[3]! | 0]! : -1;
  }

  add(slot: number): void {
    this.memoN = 0;
    this.seq[slot] = this.#sequence();
    this.#append(this.#bucketFor(this.#lifecycleKey(slot)), slot);
    this.size++;
  }

  remove(slot: number): void {
    this.memoN = 0;
    const b = this.sbucket[slot]!;
    this.#detach(b, slot);
    if (this.bsize[b] === 0) this.#dropBucket(b);
    this.size--;
  }

  changed(slot: number): void {
    this.memoN = 0;
    const key = this.#lifecycleKey(slot);
    const b = this.sbucket[slot]!;
    if (key === this.bkey[b]) return;
    this.#detach(b, slot);
    this.#insertBySeq(this.#retarget(b, key), slot);
  }

  selectOne(maxIncrement: number): number {
    // Small, so that V8 inlines it into its callers, also SelectionPool.selectOneTrusted() serving
    // every kind of pool (bench/HISTORY.md, wave 12 `pribud`): the plain use of the head inline,
    // unless a memo is to rotate or the sequence numbers run out (useHead). An empty pool's first
    // bucket position names a bucket with no head (see the constructor).
    const bh = this.bh, b = bh[3]! | 0, bhead = this.bhead, s = bhead[b]!;
    if (s < 0) return s;
    this.sel[s]!++;
    if (maxIncrement > 0) {
      const seq = bh[0]!;
      if (seq < bh[1]! && this.memoN === 0) {
        bh[0] = seq + 1;
        this.seq[s] = seq;
        bhead[b] = this.snext[s]!;
      } else this.useHead(b, s);
    }
    return s;
  }

  select(k: number, out: Int32Array, maxIncrement: number): number {
    const want = k < this.size ? k : this.size;
    if (want === 0) return 0;
    const sel = this.sel;
    if (want <= this.memoN) {
      const memo = this.memo;
      for (let i = 0; i < want; i++) {
        const s = memo[i]!;
        out[i] = s;
        sel[s]!++;
      }
    } else {
      this.#take(want, out);
      const m = want < MEMO ? want : MEMO;
      const memo = this.memo;
      for (let i = 0; i < m; i++) memo[i] = out[i]!;
      this.memoN = m;
      for (let i = 0; i < want; i++) sel[out[i]!]!++;
    }
    if (maxIncrement > 0) {
      // The first is the head of the first bucket: inline; the others the general way.
      this.useHead(this.bh[3]! | 0, out[0]!);
      const used = maxIncrement < want ? maxIncrement : want;
      if (used > 1) {
        if (this.bh[0]! + used > SEQ_LIMIT) this.#renumber();
        for (let i = 1; i < used; i++) this.#use(out[i]!);
      }
    }
    return want;
  }

  /**
   * select() writing `table[slot]` into `out` instead of the slots: on a memo hit, one loop
   * from the memo straight into `out` (Handlespace.resolveInto with k > 1).
   */
  selectInto<T>(k: number, table: readonly T[], out: T[], maxIncrement: number): number {
    // The first bucket holding all k, or a memo hit; the rest out of line. (A single exit to
    // selectIntoOther and one unsigned compare for 0 < k <= n make it 301 bytes of bytecode
    // instead of 346, but measured 3–4 % slower: bench/HISTORY.md, wave 12 `pribud`.)
    const want = k < this.size ? k : this.size;
    if (want === 0 || maxIncrement > 1) return this.selectIntoOther(k, table, out, maxIncrement);
    const top = this.bh[3]! | 0, sel = this.sel;
    if (this.bsize[top]! >= want) {
      // The first bucket holds them all (the steady state of Priority): its list is the order,
      // walked directly; the memo is not kept, so the use does not rotate it.
      const snext = this.snext;
      let s = this.bhead[top]!;
      const first = s;
      for (let i = 0; i < want; i++) {
        out[i] = table[s]!;
        sel[s]!++;
        s = snext[s]!;
      }
      this.memoN = 0;
      if (maxIncrement > 0) {
        // useHead() without the memo (just dropped), written out: V8 often has no inlining
        // budget left for a call here, and a call costs as much as the use.
        const bh = this.bh, seq = bh[0]!;
        if (seq < bh[1]!) {
          bh[0] = seq + 1;
          this.seq[first] = seq;
          this.bhead[top] = snext[first]!;
        } else this.useHeadOther(first);
      }
      return want;
    }
    if (want > this.memoN) return this.selectIntoOther(k, table, out, maxIncrement);
    const memo = this.memo;
    for (let i = 0; i < want; i++) {
      const s = memo[i]!;
      out[i] = table[s]!;
      sel[s]!++;
    }
    if (maxIncrement > 0) this.useHead(top, memo[0]!);
    return want;
  }

  /** selectInto() off its inline path: select() into a scratch array, then the table lookup. */
  selectIntoOther<T>(k: number, table: readonly T[], out: T[], maxIncrement: number): number {
    const want = k < this.size ? k : this.size;
    let scratch = intoScratch;
    if (scratch.length < want) scratch = intoScratch = new Int32Array(want);
    const got = this.select(k, scratch, maxIncrement);
    for (let i = 0; i < got; i++) out[i] = table[scratch[i]!]!;
    return got;
  }

  /**
   * A use of s, the head of bucket b, the first bucket: without a per-use update it moves to the
   * tail of its bucket, i.e. the circular list's head advances to the next member (the order is
   * unchanged when s is the bucket's only member: it is its own successor), and the memo rotates
   * with it. (Public, as the other helpers of the hot paths: a call site of a private method is
   * ~10 bytes of bytecode more.)
   */
  useHead(b: number, s: number): void {
    const bh = this.bh, seq = bh[0]!;
    if (seq >= bh[1]!) {
      this.useHeadOther(s);
      return;
    }
    bh[0] = seq + 1;
    this.seq[s] = seq;
    const after = this.snext[s]!;
    if (after !== s) {
      if (this.memoN > 0) this.#rotateMemo(b);
      this.bhead[b] = after;
    }
  }

  /**
   * A use of a head past the plain use's limit: renumbered first when the sequence numbers are
   * exhausted; then the general use (with the per-use update, if any).
   */
  useHeadOther(s: number): void {
    if (this.bh[0]! >= SEQ_LIMIT) this.#renumber();
    this.#use(s);
  }

  // The memo after the head of the first bucket b (memo[0], with at least one more member)
  // moves to the tail of b, before the head advances: when the memo holds all of b, its
  // first bsize[b] entries rotate by one; otherwise it holds the first memoN of b's list and
  // shifts by one, taking the member after its last one.
  #rotateMemo(b: number): void {
    const memo = this.memo, m = this.memoN, size = this.bsize[b]!;
    const first = memo[0]!;
    if (m < size) {
      const next = this.snext[memo[m - 1]!]!;
      for (let i = 1; i < m; i++) memo[i - 1] = memo[i]!;
      memo[m - 1] = next;
    } else {
      for (let i = 1; i < size; i++) memo[i - 1] = memo[i]!;
      memo[size - 1] = first;
    }
  }

  orderInto(out: number[]): void {
    const buckets: number[] = [];
    for (let j = 0; j < this.nb; j++) buckets.push(this.bh[2 * j + 3]! | 0);
    buckets.sort((a, b) => this.bkey[a]! - this.bkey[b]!);
    for (const b of buckets) {
      let s = this.bhead[b]!;
      for (let i = this.bsize[b]!; i > 0; i--, s = this.snext[s]!) out.push(s);
    }
  }

  // A use: the next sequence number (the tail of the slot's bucket) and the per-use update.
  #use(s: number): void {
    this.seq[s] = this.bh[0]!++;
    const b = this.sbucket[s]!;
    if (this.#updates) {
      const pool = this.#pool, policy = this.#policy;
      policy.update(pool, s);
      const key = this.#key(s);
      if (key !== this.bkey[b]) {
        this.memoN = 0;
        this.#detach(b, s);
        this.#append(this.#retarget(b, key), s);
        return;
      }
    }
    const head = this.bhead[b]!;
    if (head === s) {
      // The head moves to the tail: the circular list's head advances.
      this.memoN = 0;
      this.bhead[b] = this.snext[s]!;
    } else if (this.sprev[head] !== s) {
      this.memoN = 0;
      this.#detach(b, s);
      this.#append(b, s);
    }
  }

  #key(slot: number): number {
    return keyByFormula(this.#keyCode, this.#policy, this.#pool, slot);
  }

  // The key of a slot being added or changed: Priority's formula inline (keyByFormula is a call
  // V8 does not inline, and its result, 0xffffffff − priority, is above the small-integer range:
  // a heap number allocated per registration and per re-registration with changed values).
  #lifecycleKey(slot: number): number {
    return this.#keyCode === KEY_PRIORITY
      ? 0xffffffff - this.#pool.priority[slot]!
      : keyByFormula(this.#keyCode, this.#policy, this.#pool, slot);
  }

  // The first `want` slots: the lists of the buckets in key order. The top bucket's list
  // comes first; further buckets come from a frontier over the bucket heap.
  #take(want: number, out: Int32Array): void {
    const bh = this.bh, bhead = this.bhead, snext = this.snext, nb = this.nb;
    const bsize = this.bsize;
    let c = takeList(bhead[bh[3]! | 0]!, bsize[bh[3]! | 0]!, want, 0, out, snext);
    if (c === want) return;
    let fr = frontier;
    if (fr.length < 4 * want + 4) fr = frontier = new Int32Array(8 * want + 8);
    let fn = 0;
    for (let q = 1; q <= 4 && q < nb; q++) fr[fn++] = q;
    const linear = want <= LINEAR_FRONTIER;
    if (!linear) heapifyFrontier(fr, fn, bh);
    while (c < want) {
      let bi = 0, bp = fr[0]!;
      if (linear) {
        // Small k: scan the frontier for the smallest key.
        let bk = bh[2 * bp + 2]!;
        for (let j = 1; j < fn; j++) {
          const p = fr[j]!;
          if (bh[2 * p + 2]! < bk) {
            bi = j;
            bp = p;
            bk = bh[2 * p + 2]!;
          }
        }
      }
      const b = bh[2 * bp + 3]! | 0;
      c = takeList(bhead[b]!, bsize[b]!, want, c, out, snext);
      const first = 4 * bp + 1;
      if (linear) {
        fr[bi] = fr[--fn]!;
        for (let q = first; q < first + 4 && q < nb; q++) fr[fn++] = q;
      } else {
        // Large k: the frontier is a binary heap on the bucket keys (O(k log k)).
        fr[0] = fr[--fn]!;
        if (fn > 0) frontierDown(fr, fn, bh);
        for (let q = first; q < first + 4 && q < nb; q++) {
          fr[fn] = q;
          frontierUp(fr, fn++, bh);
        }
      }
    }
  }

  #bucketFor(key: number): number {
    const b = this.keyToBucket.get(key);
    return b >= 0 && this.bkey[b] === key && this.bsize[b]! > 0 ? b : this.#newBucket(key);
  }

  // The bucket for a slot that left bucket b and now has `key`. An emptied b takes the
  // new key itself when no bucket has it yet (no allocation, one bucket-heap sift).
  #retarget(b: number, key: number): number {
    const map = this.keyToBucket;
    const t = map.get(key);
    const found = t >= 0 && t !== b && this.bkey[t] === key && this.bsize[t]! > 0;
    if (this.bsize[b] !== 0) return found ? t : this.#newBucket(key);
    if (found) {
      this.#dropBucket(b);
      return t;
    }
    this.#remember(key, b);
    this.bkey[b] = key;
    const j = this.bpos[b]!;
    this.bh[2 * j + 2] = key;
    if (this.#up(j) === j) this.#down(j);
    return b;
  }

  #newBucket(key: number): number {
    const b = this.#freeCount > 0 ? this.#freeBuckets[--this.#freeCount]! : this.#highBucket++;
    this.#remember(key, b);
    this.bkey[b] = key;
    this.bhead[b] = -1;
    this.bsize[b] = 0;
    const j = this.nb++;
    this.bh[2 * j + 2] = key;
    this.bh[2 * j + 3] = b;
    this.bpos[b] = j;
    this.#up(j);
    return b;
  }

  // Maps key → b, overwriting a stale entry; rebuilds the map when stale entries dominate.
  #remember(key: number, b: number): void {
    const map = this.keyToBucket;
    map.set(key, b);
    if (map.size > 2 * this.nb + 64) {
      const fresh = new KeyMap(this.nb + 1);
      for (let j = 0; j < this.nb; j++) {
        const id = this.bh[2 * j + 3]! | 0;
        fresh.set(this.bkey[id]!, id);
      }
      fresh.set(key, b);
      this.keyToBucket = fresh;
    }
  }

  #dropBucket(b: number): void {
    const j = this.bpos[b]!, last = --this.nb;
    if (j !== last) {
      const bh = this.bh;
      const moved = bh[2 * last + 3]! | 0;
      bh[2 * j + 2] = bh[2 * last + 2]!;
      bh[2 * j + 3] = moved;
      this.bpos[moved] = j;
      if (this.#up(j) === j) this.#down(j);
    }
    this.#freeBuckets[this.#freeCount++] = b;
  }

  #detach(b: number, s: number): void {
    if (--this.bsize[b]! === 0) {
      this.bhead[b] = -1;
      return;
    }
    const n = this.snext[s]!, p = this.sprev[s]!;
    this.snext[p] = n;
    this.sprev[n] = p;
    if (this.bhead[b] === s) this.bhead[b] = n;
  }

  // Links s in as the tail of bucket b.
  #append(b: number, s: number): void {
    const head = this.bhead[b]!, snext = this.snext, sprev = this.sprev;
    if (head < 0) {
      snext[s] = s;
      sprev[s] = s;
      this.bhead[b] = s;
    } else {
      const tail = sprev[head]!;
      snext[tail] = s;
      sprev[s] = tail;
      snext[s] = head;
      sprev[head] = s;
    }
    this.sbucket[s] = b;
    this.bsize[b]!++;
  }

  // Links s into a non-empty circular list after member p.
  #linkAfter(p: number, s: number): void {
    const n = this.snext[p]!;
    this.snext[p] = s;
    this.sprev[s] = p;
    this.snext[s] = n;
    this.sprev[n] = s;
  }

  // Links s into bucket b before the first member with a larger sequence number.
  #insertBySeq(b: number, s: number): void {
    const head = this.bhead[b]!;
    if (head < 0) {
      this.#append(b, s);
      return;
    }
    const seq = this.seq, snext = this.snext, sprev = this.sprev;
    const mine = seq[s]!;
    // Walk from both ends at once; stop at the first position that decides (the members'
    // sequence numbers are distinct and increase from the head, so one always does).
    let fwd = head, back = sprev[head]!;
    for (;;) {
      if (seq[back]! < mine) {
        this.#linkAfter(back, s);
        break;
      }
      if (seq[fwd]! > mine) {
        this.#linkAfter(sprev[fwd]!, s);
        if (fwd === head) this.bhead[b] = s;
        break;
      }
      back = sprev[back]!;
      fwd = snext[fwd]!;
    }
    this.sbucket[s] = b;
    this.bsize[b]!++;
  }

  #sequence(): number {
    if (this.bh[0]! >= SEQ_LIMIT) this.#renumber();
    return this.bh[0]!++;
  }

  // Renumbers 0 .. size−1 in sequence order; each bucket's list stays sorted.
  #renumber(): void {
    const slots = new Int32Array(this.size);
    let n = 0;
    for (let j = 0; j < this.nb; j++) {
      const b = this.bh[2 * j + 3]! | 0;
      n = takeList(this.bhead[b]!, this.bsize[b]!, this.size, n, slots, this.snext);
    }
    this.bh[0] = renumber(this.seq, slots, n);
  }

  #up(j: number): number {
    const bh = this.bh, bpos = this.bpos;
    const k = bh[2 * j + 2]!, b = bh[2 * j + 3]! | 0;
    while (j > 0) {
      const p = (j - 1) >> 2;
      if (bh[2 * p + 2]! <= k) break;
      const pb = bh[2 * p + 3]! | 0;
      bh[2 * j + 2] = bh[2 * p + 2]!;
      bh[2 * j + 3] = pb;
      bpos[pb] = j;
      j = p;
    }
    bh[2 * j + 2] = k;
    bh[2 * j + 3] = b;
    bpos[b] = j;
    return j;
  }

  #down(j: number): number {
    const bh = this.bh, bpos = this.bpos, n = this.nb;
    const k = bh[2 * j + 2]!, b = bh[2 * j + 3]! | 0;
    for (;;) {
      const first = 4 * j + 1;
      if (first >= n) break;
      let c = first, ck = bh[2 * c + 2]!;
      const end = first + 4 < n ? first + 4 : n;
      for (let d = first + 1; d < end; d++) {
        if (bh[2 * d + 2]! < ck) {
          c = d;
          ck = bh[2 * d + 2]!;
        }
      }
      if (k <= ck) break;
      const cb = bh[2 * c + 3]! | 0;
      bh[2 * j + 2] = ck;
      bh[2 * j + 3] = cb;
      bpos[cb] = j;
      j = c;
    }
    bh[2 * j + 2] = k;
    bh[2 * j + 3] = b;
    bpos[b] = j;
    return j;
  }
}

// Copies the members of a bucket's list (head, size) into out from position c, up to `want`
// in all; returns the new count.
function takeList(
  head: number,
  size: number,
  want: number,
  c: number,
  out: Int32Array,
  snext: Int32Array,
): number {
  const end = c + size < want ? c + size : want;
  for (let s = head; c < end; s = snext[s]!) out[c++] = s;
  return c;
}

// The frontier heap of large selections: bucket-heap positions ordered by their key.
function heapifyFrontier(fr: Int32Array, n: number, bh: Float64Array): void {
  for (let i = 1; i < n; i++) frontierUp(fr, i, bh);
}

function frontierDown(fr: Int32Array, n: number, bh: Float64Array): void {
  const p = fr[0]!, k = bh[2 * p + 2]!;
  let i = 0;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && bh[2 * fr[c + 1]! + 2]! < bh[2 * fr[c]! + 2]!) c++;
    if (k <= bh[2 * fr[c]! + 2]!) break;
    fr[i] = fr[c]!;
    i = c;
  }
  fr[i] = p;
}

function frontierUp(fr: Int32Array, i: number, bh: Float64Array): void {
  const p = fr[i]!, k = bh[2 * p + 2]!;
  while (i > 0) {
    const q = (i - 1) >> 1;
    if (bh[2 * fr[q]! + 2]! <= k) break;
    fr[i] = fr[q]!;
    i = q;
  }
  fr[i] = p;
}
