// Sorted engine for the degradation family on a calendar queue: the selection pool moves a pool
// of that family from the heap engine to it at calendarThreshold.min pool elements
// (selection_pool.ts). It replaced a radix heap (wave 6: the same k = 1 speed, k = 3 1.1–1.8×).
//
// What makes it fit: keys are integers in 0 … 0xffffffff and a use raises a key by at most the
// PE's load degradation. The calendar covers the window of bucket numbers [b0, b0 + nb) where a
// key x has bucket number x >>> shift; nb (a power of two, about the pool size) circular
// buckets of width 2^shift cover at least twice the pool's largest load degradation, so a used
// PE stays in the window. Each bucket is a doubly linked list sorted by (key, sequence number);
// with about one PE per bucket a use unlinks the head and links the PE a few buckets further on.
// A bitmap of the non-empty buckets finds the next one. Keys above the window wait in the high
// heap (a binary heap on (key, sequence number)) and move in as the window advances; keys below
// the window (a registration, or an update that resets the counter) go into the low heap, whose
// PEs all come before every PE of the calendar. When the low heap holds more than an eighth of
// the pool, or the pool outgrows the calendar, everything is filed again (O(n log n)).
// Ties are broken by sequence number exactly as in the heap engine (_calendar_engine_test.ts).

import type { SelectionPool } from "./selection_pool.ts";
import type { PoolPolicy } from "./policy.ts";
import { renumber, SEQ_LIMIT, SEQ_START } from "./_sequence.ts";
import { KEY_LOAD_DEG, KEY_LOAD_LD_DEG, keyByFormula } from "./_formula.ts";
import { copyInto, Slab } from "../_slab.ts";

const U32_MAX = 0xffffffff;
/** Node locations. */
const NOWHERE = 0, CAL = 1, LOW = 2, HIGH = 3;
const MIN_BUCKETS = 64, MAX_BUCKETS = 1 << 17;

/**
 * From this many pool elements on a pool of the degradation family moves from the heap engine to
 * the calendar engine (below, the heap engine's path is shared with the other sorted policies
 * and as fast). A field, so that tests can move small pools.
 */
export const calendarThreshold = { min: 256 };

/**
 * The calendar-queue engine of the degradation family: the selection pool's sorted order by
 * (key, sequence number), the same choices as the heap engine (see the file comment).
 */
export class CalendarEngine {
  rk: Float64Array;
  nxt: Int32Array;
  prv: Int32Array;
  loc: Int8Array;
  /** Position in the low or high heap. */
  hpos: Int32Array;
  low: Int32Array;
  high: Int32Array;
  nLow = 0;
  nHigh = 0;
  hd: Int32Array = new Int32Array(MIN_BUCKETS);
  tl: Int32Array = new Int32Array(MIN_BUCKETS);
  bits: Int32Array = new Int32Array(MIN_BUCKETS >> 5);
  nb = MIN_BUCKETS;
  mask = MIN_BUCKETS - 1;
  shift = 0;
  /** [b0, next sequence number] */
  readonly st = new Float64Array([0, SEQ_START]);
  /** Circular index of bucket b0. */
  cur = 0;
  /** PEs in the calendar. */
  cn = 0;
  n = 0;
  readonly #pool: SelectionPool;
  readonly #policy: PoolPolicy;
  readonly #keyCode: number;
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
    const slab = new Slab(cap, 6 * cap, cap);
    this.rk = slab.f64(cap);
    this.nxt = slab.i32(cap);
    this.prv = slab.i32(cap);
    this.hpos = slab.i32(cap);
    this.low = slab.i32(cap);
    this.high = slab.i32(cap);
    this.loc = new Int8Array(cap);
  }

  grow(capacity: number): void {
    const pool = this.#pool;
    this.#seq = pool.seq;
    this.#sel = pool.selections;
    this.#ld = pool.loadDegradation;
    this.#deg = pool.degradation;
    const cap = capacity + 1;
    const slab = new Slab(cap, 6 * cap, cap);
    this.rk = copyInto(slab.f64(cap), this.rk);
    this.nxt = copyInto(slab.i32(cap), this.nxt);
    this.prv = copyInto(slab.i32(cap), this.prv);
    this.hpos = copyInto(slab.i32(cap), this.hpos);
    this.low = copyInto(slab.i32(cap), this.low);
    this.high = copyInto(slab.i32(cap), this.high);
    const loc = new Int8Array(cap);
    loc.set(this.loc);
    this.loc = loc;
  }

  first(): number {
    if (this.n === 0) return -1;
    return this.#first() - 1;
  }

  add(slot: number): void {
    this.#seq[slot] = this.#sequence();
    this.n++;
    if (this.n > 2 * this.nb && this.nb < MAX_BUCKETS) {
      this.#place(slot + 1, this.#key(slot));
      this.#rebuild();
      return;
    }
    this.#place(slot + 1, this.#key(slot));
  }

  remove(slot: number): void {
    this.#detach(slot + 1);
    this.n--;
  }

  changed(slot: number): void {
    const id = slot + 1;
    this.#detach(id);
    this.#place(id, this.#key(slot));
  }

  selectOne(maxIncrement: number): number {
    if (this.n === 0) return -1;
    if (this.nLow !== 0) return this.#selectLow(maxIncrement);
    const id = this.#calFirst(), s = id - 1;
    this.#sel[s]!++;
    if (maxIncrement > 0) this.#useHead(id, s);
    return s;
  }

  #selectLow(maxIncrement: number): number {
    const id = this.low[0]!, s = id - 1;
    this.#sel[s]!++;
    if (maxIncrement > 0) this.#use(id);
    return s;
  }

  // A use of node id, the head of bucket `cur` with the low heap empty.
  #useHead(id: number, s: number): void {
    const st = this.st, seq = st[1]!;
    if (seq >= SEQ_LIMIT) {
      this.#use(id);
      return;
    }
    st[1] = seq + 1;
    this.#seq[s] = seq;
    const ld = this.#ld[s]!, deg = this.#deg[s]! + ld;
    this.#deg[s] = deg > U32_MAX ? U32_MAX : deg;
    const cur = this.cur, nxt = this.nxt, after = nxt[id]!;
    this.hd[cur] = after;
    if (after === 0) {
      this.tl[cur] = 0;
      this.bits[cur >> 5] = this.bits[cur >> 5]! & ~(1 << (cur & 31));
    } else this.prv[after] = 0;
    this.cn--;
    this.loc[id] = NOWHERE;
    const k = this.rk[id]!;
    const x = this.#additive ? (k + ld > U32_MAX ? U32_MAX : k + ld) : this.#key(s);
    const rel = (x >>> this.shift) - st[0]!;
    if (rel >= 0 && rel < this.nb && this.cn !== 0) {
      this.rk[id] = x;
      this.#calInsert(id, x);
    } else this.#place(id, x);
  }

  select(k: number, out: Int32Array, maxIncrement: number): number {
    const n = this.n, want = k < n ? k : n;
    if (want === 0) return 0;
    const sel = this.#sel;
    let c = 0;
    if (this.nLow === 0 && this.cn >= want) {
      // The first `want` PEs of the calendar, bucket by bucket.
      let id = this.#calFirst(), b = this.cur;
      const nxt = this.nxt;
      for (;;) {
        for (; id !== 0 && c < want; id = nxt[id]!) out[c++] = id - 1;
        if (c === want) break;
        b = this.#nextBucket((b + 1) & this.mask);
        id = this.hd[b]!;
      }
    } else {
      // Take them out in order, then put them back (same keys, same sequence numbers).
      for (; c < want; c++) {
        const id = this.#first();
        out[c] = id - 1;
        this.#detach(id);
      }
      for (let i = 0; i < want; i++) this.#place(out[i]! + 1, this.rk[out[i]! + 1]!);
    }
    for (let i = 0; i < want; i++) sel[out[i]!]!++;
    if (maxIncrement > 0) {
      const used = maxIncrement < want ? maxIncrement : want;
      const loc = this.loc;
      for (let i = 0; i < used; i++) {
        const id = out[i]! + 1;
        if (loc[id] === CAL) this.#useCal(id, id - 1);
        else this.#use(id);
      }
    }
    return want;
  }

  orderInto(out: number[]): void {
    const rk = this.rk, seq = this.#seq, all = this.#all();
    all.sort((a, b) => rk[a]! - rk[b]! || seq[a - 1]! - seq[b - 1]!);
    for (const id of all) out.push(id - 1);
  }

  /**
   * Takes over `count` live slots from another engine with their sequence numbers (the next one
   * to give out is `nextSeq`); the engine must be empty.
   */
  adopt(slots: Int32Array, count: number, nextSeq: number): void {
    this.st[1] = nextSeq;
    for (let i = 0; i < count; i++) {
      const id = slots[i]! + 1;
      this.rk[id] = this.#key(id - 1);
      this.loc[id] = HIGH;
      this.high[i] = id;
      this.hpos[id] = i;
    }
    this.nHigh = count;
    this.n = count;
    this.#rebuild();
  }

  // The first PE of all (n > 0).
  #first(): number {
    return this.nLow !== 0 ? this.low[0]! : this.#calFirst();
  }

  // The first PE of the calendar (moving the window up to it, or to the high heap's first).
  #calFirst(): number {
    const h = this.hd[this.cur]!;
    if (h !== 0) return h;
    if (this.cn === 0) {
      // Jump the window to the high heap's first.
      this.st[0] = this.rk[this.high[0]!]! >>> this.shift;
      this.cur = this.st[0]! & this.mask;
      this.#pull();
      return this.hd[this.cur]!;
    }
    const b = this.#nextBucket(this.cur);
    this.st[0] = this.st[0]! + ((b - this.cur) & this.mask);
    this.cur = b;
    if (this.nHigh !== 0) this.#pull();
    return this.hd[b]!;
  }

  // Moves the high heap's PEs that are now inside the window into the calendar.
  #pull(): void {
    const b0 = this.st[0]!, nb = this.nb, shift = this.shift, rk = this.rk;
    while (this.nHigh !== 0) {
      const id = this.high[0]!;
      if ((rk[id]! >>> shift) - b0 >= nb) break;
      this.#heapRemove(this.high, HIGH, 0);
      this.#calInsert(id, rk[id]!);
    }
  }

  // The first non-empty bucket at or after circular index b (the calendar is not empty).
  #nextBucket(b: number): number {
    const bits = this.bits, words = bits.length;
    let w = b >> 5;
    let m = bits[w]! & (-1 << (b & 31));
    while (m === 0) {
      w = w + 1 === words ? 0 : w + 1;
      m = bits[w]!;
    }
    return (w << 5) + 31 - Math.clz32(m & -m);
  }

  // A use of node id, in the calendar.
  #useCal(id: number, s: number): void {
    const st = this.st, seq = st[1]!;
    if (seq >= SEQ_LIMIT) {
      this.#use(id);
      return;
    }
    st[1] = seq + 1;
    this.#seq[s] = seq;
    const ld = this.#ld[s]!, deg = this.#deg[s]! + ld;
    this.#deg[s] = deg > U32_MAX ? U32_MAX : deg;
    this.#calUnlink(id);
    this.loc[id] = NOWHERE;
    const k = this.rk[id]!;
    const x = this.#additive ? (k + ld > U32_MAX ? U32_MAX : k + ld) : this.#key(s);
    const rel = (x >>> this.shift) - st[0]!;
    if (rel >= 0 && rel < this.nb && this.cn !== 0) {
      this.rk[id] = x;
      this.#calInsert(id, x);
    } else this.#place(id, x);
  }

  // A use of node id: the next sequence number, the degradation step, filed again.
  #use(id: number): void {
    const s = id - 1;
    const ld = this.#ld[s]!, deg = this.#deg[s]! + ld;
    const seq = this.#sequence();
    this.#detach(id);
    this.#seq[s] = seq;
    this.#deg[s] = deg > U32_MAX ? U32_MAX : deg;
    const k = this.rk[id]!;
    this.#place(id, this.#additive ? (k + ld > U32_MAX ? U32_MAX : k + ld) : this.#key(s));
  }

  #detach(id: number): void {
    const l = this.loc[id]!;
    if (l === CAL) this.#calUnlink(id);
    else if (l === LOW) this.#heapRemove(this.low, LOW, this.hpos[id]!);
    else if (l === HIGH) this.#heapRemove(this.high, HIGH, this.hpos[id]!);
    this.loc[id] = NOWHERE;
  }

  // Places node id (detached, sequence number set) with key x.
  #place(id: number, x: number): void {
    this.rk[id] = x;
    const bk = x >>> this.shift, b0 = this.st[0]!;
    if (this.cn === 0 && this.nLow === 0) {
      // An empty calendar: its window may move anywhere at or below the high heap's first.
      let base = bk;
      if (this.nHigh !== 0) {
        const hb = this.rk[this.high[0]!]! >>> this.shift;
        if (hb < base) base = hb;
      }
      this.st[0] = base;
      this.cur = base & this.mask;
      if (this.nHigh !== 0) this.#pull();
      if (bk - base < this.nb) this.#calInsert(id, x);
      else this.#heapPush(this.high, HIGH, id);
      return;
    }
    if (bk < b0) {
      this.#heapPush(this.low, LOW, id);
      if (this.nLow > 16 + (this.n >> 3)) this.#rebuild();
    } else if (bk - b0 < this.nb) this.#calInsert(id, x);
    else this.#heapPush(this.high, HIGH, id);
  }

  // Links node id with key x (inside the window) into its bucket at its (key, sequence) place.
  #calInsert(id: number, x: number): void {
    const b = (x >>> this.shift) & this.mask, rk = this.rk, seq = this.#seq, nxt = this.nxt;
    const prv = this.prv, mine = seq[id - 1]!;
    let after = this.tl[b]!;
    if (mine === this.st[1]! - 1) {
      // The newest sequence number (a use or a registration): after every equal key.
      while (after !== 0 && rk[after]! > x) after = prv[after]!;
    } else {
      while (after !== 0) {
        const ka = rk[after]!;
        if (ka < x || (ka === x && seq[after - 1]! < mine)) break;
        after = prv[after]!;
      }
    }
    const next = after !== 0 ? nxt[after]! : this.hd[b]!;
    prv[id] = after;
    nxt[id] = next;
    if (after !== 0) nxt[after] = id;
    else this.hd[b] = id;
    if (next !== 0) prv[next] = id;
    else this.tl[b] = id;
    this.bits[b >> 5] = this.bits[b >> 5]! | 1 << (b & 31);
    this.loc[id] = CAL;
    this.cn++;
  }

  #calUnlink(id: number): void {
    const b = (this.rk[id]! >>> this.shift) & this.mask, nxt = this.nxt, prv = this.prv;
    const n = nxt[id]!, p = prv[id]!;
    if (p !== 0) nxt[p] = n;
    else this.hd[b] = n;
    if (n !== 0) prv[n] = p;
    else this.tl[b] = p;
    if (this.hd[b] === 0) this.bits[b >> 5] = this.bits[b >> 5]! & ~(1 << (b & 31));
    this.cn--;
  }

  // Whether node a comes before node b: key, then sequence number.
  #before(a: number, b: number): boolean {
    const ka = this.rk[a]!, kb = this.rk[b]!;
    return ka < kb || (ka === kb && this.#seq[a - 1]! < this.#seq[b - 1]!);
  }

  #heapPush(h: Int32Array, where: number, id: number): void {
    const i = where === LOW ? this.nLow++ : this.nHigh++;
    this.loc[id] = where;
    h[i] = id;
    this.#up(h, i);
  }

  #heapRemove(h: Int32Array, where: number, p: number): void {
    const last = where === LOW ? --this.nLow : --this.nHigh;
    this.loc[h[p]!] = NOWHERE;
    if (p === last) return;
    const moved = h[last]!;
    h[p] = moved;
    this.hpos[moved] = p;
    if (this.#up(h, p) === p) this.#down(h, p, last);
  }

  #up(h: Int32Array, i: number): number {
    const hpos = this.hpos, id = h[i]!;
    while (i > 0) {
      const q = (i - 1) >> 1, up = h[q]!;
      if (!this.#before(id, up)) break;
      h[i] = up;
      hpos[up] = i;
      i = q;
    }
    h[i] = id;
    hpos[id] = i;
    return i;
  }

  #down(h: Int32Array, i: number, n: number): void {
    const hpos = this.hpos, id = h[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.#before(h[c + 1]!, h[c]!)) c++;
      const down = h[c]!;
      if (!this.#before(down, id)) break;
      h[i] = down;
      hpos[down] = i;
      i = c;
    }
    h[i] = id;
    hpos[id] = i;
  }

  // Every node id, in no particular order.
  #all(): number[] {
    const all: number[] = [];
    for (let i = 0; i < this.nLow; i++) all.push(this.low[i]!);
    for (let i = 0; i < this.nHigh; i++) all.push(this.high[i]!);
    for (let b = 0; b < this.nb; b++) {
      for (let id = this.hd[b]!; id !== 0; id = this.nxt[id]!) all.push(id);
    }
    return all;
  }

  // Sizes the calendar for the pool and files everything again relative to the least key.
  #rebuild(): void {
    const rk = this.rk, seq = this.#seq, all = this.#all();
    all.sort((a, b) => rk[a]! - rk[b]! || seq[a - 1]! - seq[b - 1]!);
    let nb = MIN_BUCKETS;
    while (nb < this.n && nb < MAX_BUCKETS) nb *= 2;
    let maxLd = 0;
    const ld = this.#ld;
    for (const id of all) maxLd = ld[id - 1]! > maxLd ? ld[id - 1]! : maxLd;
    let shift = 0;
    while (shift < 32 && nb * 2 ** shift < 2 * maxLd + 2) shift++;
    if (shift > 31) shift = 31;
    this.nb = nb;
    this.mask = nb - 1;
    this.shift = shift;
    this.hd = new Int32Array(nb);
    this.tl = new Int32Array(nb);
    this.bits = new Int32Array(nb >> 5);
    this.nLow = 0;
    this.nHigh = 0;
    this.cn = 0;
    for (const id of all) this.loc[id] = NOWHERE;
    if (all.length === 0) return;
    const b0 = rk[all[0]!]! >>> shift;
    this.st[0] = b0;
    this.cur = b0 & this.mask;
    // In order: appending to the tails (the bucket walk stops at once), the rest in order onto
    // the high heap (a sorted array is a heap).
    for (const id of all) {
      const x = rk[id]!;
      if ((x >>> shift) - b0 < nb) this.#calInsert(id, x);
      else {
        const i = this.nHigh++;
        this.high[i] = id;
        this.hpos[id] = i;
        this.loc[id] = HIGH;
      }
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
    const slots = Int32Array.from(this.#all(), (id) => id - 1);
    this.st[1] = renumber(this.#seq, slots, slots.length);
    return st[1]!++;
  }
}
