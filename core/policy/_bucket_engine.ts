// Bucketed sorted engine, for sorted policies whose key does not change when a
// pool element is used (Priority, Least Used, Priority Least Used, the
// non-degrading DPF variants, Weighted Least Used).
//
// Pool elements with the same key share a bucket: a doubly linked list of
// slots in sequence-number order (head = least recently used). The buckets
// sit in a binary min-heap on their key (keys of distinct buckets differ).
// The selection order is: buckets by key, and within a bucket the list.
// A use gives the slot the next sequence number, i.e. moves it to its
// bucket's tail: O(1), however many elements share the key.
//
// Layout, by slot: snext, sprev: Int32Array (−1 ends the list), sbucket:
// Int32Array (the slot's bucket id). By bucket id: bkey: Float64Array,
// bhead, btail, bsize, bpos (position in the bucket heap): Int32Array. By
// bucket-heap position j (children 2j+1, 2j+2): bh: Int32Array (bucket id),
// bhk: Float64Array (its key). keyToBucket: Map from key to bucket id.
// Bucket ids come from a free list; there are never more buckets than slots.
//
// When an update changes a slot's key, the slot keeps its sequence number
// (as in RSPLIB) and is linked into the new bucket at its sequence position,
// found by walking from both ends of that bucket at once.

import type { SelectionPool } from "./selection_pool.ts";
import type { PoolPolicy } from "./policy.ts";
import { renumber, SEQ_LIMIT, SEQ_START } from "./_sequence.ts";

export class BucketEngine {
  snext: Int32Array;
  sprev: Int32Array;
  sbucket: Int32Array;
  bkey: Float64Array;
  bhead: Int32Array;
  btail: Int32Array;
  bsize: Int32Array;
  bpos: Int32Array;
  bh: Int32Array;
  bhk: Float64Array;
  nb = 0;
  size = 0;
  nextSeq = SEQ_START;
  readonly keyToBucket = new Map<number, number>();
  #freeBuckets: Int32Array;
  #freeCount = 0;
  #highBucket = 0;
  #frontier = new Int32Array(16);
  readonly #pool: SelectionPool;
  readonly #policy: PoolPolicy;

  constructor(pool: SelectionPool, policy: PoolPolicy, capacity: number) {
    this.#pool = pool;
    this.#policy = policy;
    this.snext = new Int32Array(capacity);
    this.sprev = new Int32Array(capacity);
    this.sbucket = new Int32Array(capacity);
    this.bkey = new Float64Array(capacity);
    this.bhead = new Int32Array(capacity);
    this.btail = new Int32Array(capacity);
    this.bsize = new Int32Array(capacity);
    this.bpos = new Int32Array(capacity);
    this.bh = new Int32Array(capacity);
    this.bhk = new Float64Array(capacity);
    this.#freeBuckets = new Int32Array(capacity);
  }

  grow(capacity: number): void {
    const i32 = (a: Int32Array): Int32Array => {
      const b = new Int32Array(capacity);
      b.set(a);
      return b;
    };
    const f64 = (a: Float64Array): Float64Array => {
      const b = new Float64Array(capacity);
      b.set(a);
      return b;
    };
    this.snext = i32(this.snext);
    this.sprev = i32(this.sprev);
    this.sbucket = i32(this.sbucket);
    this.bkey = f64(this.bkey);
    this.bhead = i32(this.bhead);
    this.btail = i32(this.btail);
    this.bsize = i32(this.bsize);
    this.bpos = i32(this.bpos);
    this.bh = i32(this.bh);
    this.bhk = f64(this.bhk);
    this.#freeBuckets = i32(this.#freeBuckets);
  }

  first(): number {
    return this.nb > 0 ? this.bhead[this.bh[0]!]! : -1;
  }

  add(slot: number): void {
    this.#pool.seq[slot] = this.#sequence();
    const b = this.#bucketFor(this.#policy.key(this.#pool, slot));
    this.#append(b, slot);
    this.size++;
  }

  remove(slot: number): void {
    this.#unlink(slot);
    this.size--;
  }

  changed(slot: number): void {
    const key = this.#policy.key(this.#pool, slot);
    if (key === this.bkey[this.sbucket[slot]!]) return;
    this.#unlink(slot);
    this.#insertBySeq(this.#bucketFor(key), slot);
  }

  select(k: number, out: Int32Array, maxIncrement: number): number {
    const want = k < this.size ? k : this.size;
    if (want === 0) return 0;
    const top = this.bh[0]!;
    if (want === 1) out[0] = this.bhead[top]!;
    else this.#take(want, out);
    const selections = this.#pool.selections;
    for (let i = 0; i < want; i++) selections[out[i]!]!++;
    const used = maxIncrement < want ? maxIncrement : want;
    if (used > 0) {
      if (this.nextSeq + used > SEQ_LIMIT) this.#renumber();
      const seq = this.#pool.seq;
      for (let i = 0; i < used; i++) {
        const s = out[i]!;
        seq[s] = this.nextSeq++;
        const b = this.sbucket[s]!;
        if (this.btail[b] !== s) {
          this.#detach(b, s);
          this.#append(b, s);
        }
      }
    }
    return want;
  }

  orderInto(out: number[]): void {
    const buckets = Array.from(this.bh.subarray(0, this.nb));
    buckets.sort((a, b) => this.bkey[a]! - this.bkey[b]!);
    for (const b of buckets) {
      for (let s = this.bhead[b]!; s >= 0; s = this.snext[s]!) out.push(s);
    }
  }

  // The first `want` slots: the lists of the buckets in key order, with a
  // frontier over the bucket heap (linear scan; it holds at most want + 1).
  #take(want: number, out: Int32Array): void {
    const bh = this.bh, bhk = this.bhk, bhead = this.bhead, snext = this.snext, nb = this.nb;
    let fr = this.#frontier;
    if (fr.length < want + 2) fr = this.#frontier = new Int32Array(2 * want + 2);
    fr[0] = 0;
    let fn = 1, c = 0;
    while (c < want) {
      let bi = 0, bp = fr[0]!, bk = bhk[bp]!;
      for (let j = 1; j < fn; j++) {
        const p = fr[j]!;
        if (bhk[p]! < bk) {
          bi = j;
          bp = p;
          bk = bhk[p]!;
        }
      }
      for (let s = bhead[bh[bp]!]!; s >= 0 && c < want; s = snext[s]!) out[c++] = s;
      const l = 2 * bp + 1;
      if (l < nb) {
        fr[bi] = l;
        if (l + 1 < nb) fr[fn++] = l + 1;
      } else {
        fr[bi] = fr[--fn]!;
      }
    }
  }

  #bucketFor(key: number): number {
    const found = this.keyToBucket.get(key);
    if (found !== undefined) return found;
    const b = this.#freeCount > 0 ? this.#freeBuckets[--this.#freeCount]! : this.#highBucket++;
    this.keyToBucket.set(key, b);
    this.bkey[b] = key;
    this.bhead[b] = -1;
    this.btail[b] = -1;
    this.bsize[b] = 0;
    const j = this.nb++;
    this.bh[j] = b;
    this.bhk[j] = key;
    this.bpos[b] = j;
    this.#up(j);
    return b;
  }

  // Removes a slot from its bucket and drops the bucket when it becomes empty.
  #unlink(slot: number): void {
    const b = this.sbucket[slot]!;
    this.#detach(b, slot);
    if (this.bsize[b] === 0) this.#dropBucket(b);
  }

  #dropBucket(b: number): void {
    this.keyToBucket.delete(this.bkey[b]!);
    const j = this.bpos[b]!, last = --this.nb;
    if (j !== last) {
      const moved = this.bh[last]!;
      this.bh[j] = moved;
      this.bhk[j] = this.bhk[last]!;
      this.bpos[moved] = j;
      if (this.#up(j) === j) this.#down(j);
    }
    this.#freeBuckets[this.#freeCount++] = b;
  }

  #detach(b: number, s: number): void {
    const n = this.snext[s]!, p = this.sprev[s]!;
    if (p >= 0) this.snext[p] = n;
    else this.bhead[b] = n;
    if (n >= 0) this.sprev[n] = p;
    else this.btail[b] = p;
    this.bsize[b]!--;
  }

  #append(b: number, s: number): void {
    const tail = this.btail[b]!;
    this.sprev[s] = tail;
    this.snext[s] = -1;
    if (tail >= 0) this.snext[tail] = s;
    else this.bhead[b] = s;
    this.btail[b] = s;
    this.sbucket[s] = b;
    this.bsize[b]!++;
  }

  // Links s into bucket b before the first member with a larger sequence number.
  #insertBySeq(b: number, s: number): void {
    const seq = this.#pool.seq, snext = this.snext, sprev = this.sprev;
    const mine = seq[s]!;
    // Walk from both ends at once; stop at the first position that decides.
    let fwd = this.bhead[b]!, back = this.btail[b]!;
    let after = -1; // insert after this slot (−1: at the head)
    for (;;) {
      if (back < 0 || seq[back]! < mine) {
        after = back;
        break;
      }
      if (seq[fwd]! > mine) {
        after = sprev[fwd]!;
        break;
      }
      back = sprev[back]!;
      fwd = snext[fwd]!;
    }
    const next = after >= 0 ? snext[after]! : this.bhead[b]!;
    sprev[s] = after;
    snext[s] = next;
    if (after >= 0) snext[after] = s;
    else this.bhead[b] = s;
    if (next >= 0) sprev[next] = s;
    else this.btail[b] = s;
    this.sbucket[s] = b;
    this.bsize[b]!++;
  }

  #sequence(): number {
    if (this.nextSeq >= SEQ_LIMIT) this.#renumber();
    return this.nextSeq++;
  }

  // Renumbers 0 .. size−1 in sequence order; each bucket's list stays sorted.
  #renumber(): void {
    const slots = new Int32Array(this.size);
    let n = 0;
    for (let j = 0; j < this.nb; j++) {
      for (let s = this.bhead[this.bh[j]!]!; s >= 0; s = this.snext[s]!) slots[n++] = s;
    }
    this.nextSeq = renumber(this.#pool.seq, slots, n);
  }

  #up(j: number): number {
    const bh = this.bh, bhk = this.bhk, bpos = this.bpos;
    const b = bh[j]!, k = bhk[j]!;
    while (j > 0) {
      const p = (j - 1) >> 1;
      if (bhk[p]! <= k) break;
      const pb = bh[p]!;
      bh[j] = pb;
      bhk[j] = bhk[p]!;
      bpos[pb] = j;
      j = p;
    }
    bh[j] = b;
    bhk[j] = k;
    bpos[b] = j;
    return j;
  }

  #down(j: number): number {
    const bh = this.bh, bhk = this.bhk, bpos = this.bpos, n = this.nb;
    const b = bh[j]!, k = bhk[j]!;
    for (;;) {
      let c = 2 * j + 1;
      if (c >= n) break;
      if (c + 1 < n && bhk[c + 1]! < bhk[c]!) c++;
      if (k <= bhk[c]!) break;
      const cb = bh[c]!;
      bh[j] = cb;
      bhk[j] = bhk[c]!;
      bpos[cb] = j;
      j = c;
    }
    bh[j] = b;
    bhk[j] = k;
    bpos[b] = j;
    return j;
  }
}
