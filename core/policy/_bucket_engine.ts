// Bucketed sorted engine: every sorted policy except weighted round robin.
//
// Pool elements with the same key share a bucket: a doubly linked list of
// slots in sequence-number order (head = least recently used). The buckets
// sit in a binary min-heap on their key (keys of distinct buckets differ).
// The selection order is: buckets by key, and within a bucket the list.
// A use gives the slot the next sequence number, i.e. moves it to the tail of
// the bucket of its (possibly changed) key: O(1) when the key stays (Least
// Used, Priority, a saturated degradation counter), however many elements
// share it; otherwise one hash lookup and a bucket-heap sift (O(log B)).
//
// Layout, by slot: snext, sprev: Int32Array (−1 ends the list), sbucket:
// Int32Array (the slot's bucket id). By bucket id: bkey: Float64Array,
// bhead, btail, bsize, bpos (position in the bucket heap): Int32Array. By
// bucket-heap position j (children 2j+1, 2j+2): bh: Int32Array (bucket id),
// bhk: Float64Array (its key). keyToBucket: Map from key to bucket id.
// Bucket ids come from a free list; there are never more buckets than slots.
//
// When an update of the policy information changes a slot's key, the slot
// keeps its sequence number (as in RSPLIB) and is linked into the new bucket
// at its sequence position, found by walking from both ends of that bucket at
// once.

import type { SelectionPool } from "./selection_pool.ts";
import type { PoolPolicy } from "./policy.ts";
import { renumber, SEQ_LIMIT, SEQ_START } from "./_sequence.ts";
import { KeyMap } from "./_key_map.ts";

/** Up to this many selected PEs the frontier is scanned linearly; above, it is a heap. */
const LINEAR_FRONTIER = 16;

// Sift helpers of the frontier heap: positions into the bucket heap, ordered by bhk.
function frontierDown(fr: Int32Array, n: number, bhk: Float64Array): void {
  const p = fr[0]!, k = bhk[p]!;
  let i = 0;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && bhk[fr[c + 1]!]! < bhk[fr[c]!]!) c++;
    if (k <= bhk[fr[c]!]!) break;
    fr[i] = fr[c]!;
    i = c;
  }
  fr[i] = p;
}

function frontierUp(fr: Int32Array, i: number, bhk: Float64Array): void {
  const p = fr[i]!, k = bhk[p]!;
  while (i > 0) {
    const q = (i - 1) >> 1;
    if (bhk[fr[q]!]! <= k) break;
    fr[i] = fr[q]!;
    i = q;
  }
  fr[i] = p;
}

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
  readonly keyToBucket = new KeyMap();
  #freeBuckets: Int32Array;
  #freeCount = 0;
  #highBucket = 0;
  #frontier = new Int32Array(16);
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
    this.#seq = this.#pool.seq;
    this.#sel = this.#pool.selections;
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
    this.#seq[slot] = this.#sequence();
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
    const b = this.sbucket[slot]!;
    if (key === this.bkey[b]) return;
    this.#detach(b, slot);
    this.#insertBySeq(this.#retarget(b, key), slot);
  }

  selectOne(maxIncrement: number): number {
    if (this.size === 0) return -1;
    const s = this.bhead[this.bh[0]!]!;
    this.#sel[s]!++;
    if (maxIncrement > 0) {
      if (this.nextSeq >= SEQ_LIMIT) this.#renumber();
      this.#use(s);
    }
    return s;
  }

  select(k: number, out: Int32Array, maxIncrement: number): number {
    const want = k < this.size ? k : this.size;
    if (want === 0) return 0;
    if (want === 1) out[0] = this.bhead[this.bh[0]!]!;
    else if (want <= 3) this.#takeFew(want, out);
    else this.#take(want, out);
    const selections = this.#sel;
    for (let i = 0; i < want; i++) selections[out[i]!]!++;
    const used = maxIncrement < want ? maxIncrement : want;
    if (used > 0) {
      if (this.nextSeq + used > SEQ_LIMIT) this.#renumber();
      for (let i = 0; i < used; i++) this.#use(out[i]!);
    }
    return want;
  }

  // A use: the next sequence number (the tail of the slot's bucket) and the per-use update.
  #use(s: number): void {
    this.#seq[s] = this.nextSeq++;
    const b = this.sbucket[s]!;
    const policy = this.#policy;
    if (this.#updates) {
      const pool = this.#pool;
      policy.update(pool, s);
      const key = policy.key(pool, s);
      if (key !== this.bkey[b]) {
        this.#detach(b, s);
        this.#append(this.#retarget(b, key), s);
        return;
      }
    }
    if (this.btail[b] !== s) {
      this.#detach(b, s);
      this.#append(b, s);
    }
  }

  // The bucket for a slot that left bucket b and now has `key`. An emptied b takes the
  // new key itself when no bucket has it yet (no allocation, one bucket-heap sift).
  #retarget(b: number, key: number): number {
    const map = this.keyToBucket;
    const t = map.get(key);
    if (this.bsize[b] !== 0) return t >= 0 ? t : this.#newBucket(key);
    if (t >= 0) {
      this.#dropBucket(b);
      return t;
    }
    map.delete(this.bkey[b]!);
    map.insert(key, b);
    this.bkey[b] = key;
    const j = this.bpos[b]!;
    this.bhk[j] = key;
    if (this.#up(j) === j) this.#down(j);
    return b;
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
  // The first 2 or 3 slots without a frontier: the top bucket's list, then the
  // smaller child bucket, then the smallest of the other child and its children.
  #takeFew(want: number, out: Int32Array): void {
    const bh = this.bh, bhk = this.bhk, bhead = this.bhead, snext = this.snext, nb = this.nb;
    let s = bhead[bh[0]!]!;
    out[0] = s;
    let c = 1;
    for (s = snext[s]!; s >= 0 && c < want; s = snext[s]!) out[c++] = s;
    if (c === want) return;
    let p = 1, other = -1;
    if (nb > 2) {
      if (bhk[2]! < bhk[1]!) {
        p = 2;
        other = 1;
      } else other = 2;
    }
    s = bhead[bh[p]!]!;
    out[c++] = s;
    if (c === want) return;
    s = snext[s]!;
    if (s >= 0) {
      out[c] = s;
      return;
    }
    let best = other, bk = other >= 0 ? bhk[other]! : Infinity;
    const l = 2 * p + 1;
    if (l < nb && (best < 0 || bhk[l]! < bk)) {
      best = l;
      bk = bhk[l]!;
    }
    if (l + 1 < nb && bhk[l + 1]! < bk) best = l + 1;
    out[c] = bhead[bh[best]!]!;
  }

  #take(want: number, out: Int32Array): void {
    const bh = this.bh, bhk = this.bhk, bhead = this.bhead, snext = this.snext, nb = this.nb;
    let c = 0;
    for (let s = bhead[bh[0]!]!; s >= 0 && c < want; s = snext[s]!) out[c++] = s;
    if (c === want) return;
    let fr = this.#frontier;
    if (fr.length < want + 2) fr = this.#frontier = new Int32Array(2 * want + 2);
    let fn = 0;
    if (nb > 1) fr[fn++] = 1;
    if (nb > 2) fr[fn++] = 2;
    if (want <= LINEAR_FRONTIER) {
      // Small k: scan the frontier (at most k + 1 bucket positions) for the smallest key.
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
      return;
    }
    // Large k: the frontier is itself a binary min-heap on the bucket keys (O(k log k)).
    if (fn === 2 && bhk[2]! < bhk[1]!) {
      fr[0] = 2;
      fr[1] = 1;
    }
    while (c < want) {
      const bp = fr[0]!;
      for (let s = bhead[bh[bp]!]!; s >= 0 && c < want; s = snext[s]!) out[c++] = s;
      const l = 2 * bp + 1;
      if (l < nb) {
        fr[0] = l;
        frontierDown(fr, fn, bhk);
        if (l + 1 < nb) {
          fr[fn] = l + 1;
          frontierUp(fr, fn++, bhk);
        }
      } else if (--fn > 0) {
        fr[0] = fr[fn]!;
        frontierDown(fr, fn, bhk);
      }
    }
  }

  #bucketFor(key: number): number {
    const found = this.keyToBucket.get(key);
    return found >= 0 ? found : this.#newBucket(key);
  }

  #newBucket(key: number): number {
    const b = this.#freeCount > 0 ? this.#freeBuckets[--this.#freeCount]! : this.#highBucket++;
    this.keyToBucket.insert(key, b);
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
    const seq = this.#seq, snext = this.snext, sprev = this.sprev;
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
    this.nextSeq = renumber(this.#seq, slots, n);
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
