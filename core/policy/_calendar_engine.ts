// Sorted engine for the degradation family (Least Used with Degradation, Priority Least Used
// with Degradation and their DPF variants) on a calendar queue whose lifecycle costs O(1): the
// selection pool moves a pool of that family from the heap engine to it at
// calendarThreshold.min pool elements (selection_pool.ts). It replaced a radix heap (wave 6),
// which filed every use twice and every registration at once (bench/HISTORY.md).
//
// What makes it fit: keys are integers in 0 … 0xffffffff and a use raises a key by at most the
// PE's load degradation (the "hold" model of a simulation queue: take the least, put it back a
// little later). The calendar covers the window of bucket numbers [b0, b0 + nb), where key x
// has bucket number x >>> shift; its nb circular buckets (a power of two, at least eight per PE
// up to 2^13 buckets and two per PE beyond, at most 2^16: a larger bucket array misses the cache
// on every use; narrower buckets hold fewer of the PEs that crowd near the first key) of width
// 2^shift span the pool's largest load degradation plus two buckets, so a used PE, which moves
// from the first bucket by at most that much, stays in the window; from 1024 PEs on the largest
// but n/1024 (the PEs with the largest steps are the least used; theirs may jump beyond the
// window, into the high heap: a maximum just above a power of two no longer doubles the width
// for all, bench/HISTORY.md wave 15 `ludtail`) (the narrowest such width:
// twice the span, as before wave 8, put twice as many PEs into a bucket near the first key,
// where the PEs in use crowd, and so more uses walk back from a bucket's tail). Each bucket is a doubly
// linked list sorted by (key, sequence number); a use unlinks the head and links the PE a few
// buckets further on, after the equal keys without reading sequence numbers (its number is the
// newest), and after the tail without reading the tail's record when the tail's key (its
// offset in the bucket kept in the tail's word) is not larger, or in front of a bucket's only
// PE when that PE's key (the tail's) is larger. A bitmap of the non-empty buckets finds the next one; a use that empties
// the current bucket finds it at once. Keys above the window wait in the high heap (a binary
// heap on (key, sequence number) whose positions hold the key beside the node id, so that its
// comparisons read a record only on equal keys) and move in
// as the window advances; keys below the window (a PE whose counter was reset) go into the low
// heap, whose PEs all come before every PE of the calendar. Selecting k > 1 reads the first k
// in place (bucket by bucket) and uses the first, where a radix heap has to take them out
// into a heap; selectInto (the handlespace's path) writes their objects on that walk.
//
// Lifecycle without filing: a registration, an update of the policy information and a pool
// taken over from the heap engine only append the PE to the pending list (O(1), its key not even
// computed); a deregistration unlinks the PE from wherever it is (pending: swap with the last).
// The next selection (or first() / order()) files the pending PEs: one by one while they are
// few, otherwise everything is filed again in O(n) (window from the least key, heapified high
// heap). So a burst of registrations, updates and deregistrations between two selections costs
// what appending to an array costs, and the filing is paid once by the selection that needs it:
// about 100 ns per PE (the first selection after registering 10000 PEs takes ~1 ms, the radix
// heap's of wave 6 ~0.03 ms; bench/HISTORY.md).
//
// The common use (the head of the current bucket, its new key after the tail of its bucket) runs
// in one function (#useHead, and a copy of it in CalendarEngine.into, the k > 1 selection, so
// that the handlespace's k = 3 path makes one call into the engine): V8 boxes a key above 2^31
// (a double) on every call into a helper it does not inline, so keys reach helpers through the
// record. Per-PE state of the engine sits in one 32-byte record (node id = slot + 1; 0 is
// "none", so a link to it can be written without a branch): key (as a u32 through a Uint32Array
// view of the same memory), next, prev, where (0 nowhere, 1 calendar, or 8·position + tag for
// the low heap, the high heap and the pending list), a copy of the PE's load degradation, its
// degradation counter, its sequence number (less a base
// common to the engine, see calendarSequence; the pool's `seq` array is written from the records
// when it is read) and its selections not yet added to the pool's count. So a use reads and
// writes one record and nothing else of the PE's (the pool's seq, loadDegradation, degradation
// and selections arrays at N = 100000 were cold lines): the pool's counter is written when a use
// moves it from 0 (a re-registration tells a change from it), and flushUses() brings the pool's
// counters and counts up to date from the records listed since, before the pool's arrays are read
// or grow (bench/HISTORY.md wave 14 `calmem`, after `rludmem`'s records in _sum_tree_engine.ts).
// The load degradation copy is taken whenever a PE is filed, and every change of its policy
// information makes it pending first. Every key of
// the family, the DPF ones included, is an integer sum capped at 0xffffffff that a use raises by
// the load degradation: the DPF keys' penalty term (distance × load DPF, rounded as RSPLIB does)
// is that integer product up to far less than 1/2 below the cap (_policy_math_test.ts), so a use
// adds the load degradation to the stored key and never computes a key again. Per bucket (8 bytes,
// 512 KiB at 2^16 buckets; 12 measured 3–9 % slower at N = 100000, bench/HISTORY.md wave 15): head, and the tail's node id
// with its key's offset in the bucket above it (the bucket's keys share the bits above the
// offset; the offset's lowest bits are dropped where id and offset need more than 32 bits, and a
// tie of what is left reads the tail's record). Ties are broken by sequence number exactly as
// in the heap engine (_calendar_engine_test.ts compares the two).

import type { SelectionPool } from "./selection_pool.ts";
import type { PoolPolicy } from "./policy.ts";
import { SEQ_LIMIT } from "./_sequence.ts";
import { KEY_LOAD_DEG, KEY_LOAD_LD_DEG, keyByFormula } from "./_formula.ts";

const U32_MAX = 0xffffffff;
/**
 * Record fields (stride 8, 32 bytes, all 32-bit words): key, next, prev, where, a copy of the
 * PE's load degradation (taken when the PE is filed), its degradation counter (the pool's copy is
 * written when it leaves 0 and brought up to date by flushUses), its sequence number less the
 * engine's base (see calendarSequence), and its selections not yet added to the pool's count.
 */
const KEY = 0, NEXT = 1, PREV = 2, WHERE = 3, LD = 4, DEG = 5, SQ = 6, CNT = 7;
/** `where` values: nowhere, in the calendar, or 8·position + one of the tags. */
const NOWHERE = 0, CAL = 1, LOW = 2, HIGH = 3, PEND = 4, TAG = 7;
const MIN_BUCKETS = 64, MAX_BUCKETS = 1 << 16;
/** Bucket fields (stride 2): head, the tail's word (see `ht`). */
const HS = 2;
/**
 * Up to this many buckets (64 KiB of bucket fields), a calendar has eight per PE rather than
 * two: narrower buckets, fewer PEs in each where the uses crowd near the first key (pools of
 * 256 … 4096 PEs; a larger array costs more in cache misses than it saves).
 */
const FINE_BUCKETS = 1 << 13;
/** #rebuild's count of PEs by the bucket width 2^s their step needs (s = 0 … 32). */
const widthCounts = new Int32Array(33);
/** Slots of selectInto() outside its common case (shared: selections do not interleave). */
let intoSlots = new Int32Array(16);

/**
 * Pool size from which the selection pool orders the degradation family with this engine
 * (below, the heap engine: small pools saturate at the 0xffffffff cap, where both are a queue,
 * and the heap engine's code is shared with the other sorted policies in a process serving many
 * policies). A field, so that tests can lower it.
 *
 * @see bench/README.md "Handlespace and policies"
 */
export const calendarThreshold = { min: 256 };

/**
 * The calendar engine's sequence numbers: a record holds a PE's number less a base common to the
 * engine (st[3]) in a 32-bit word, below `span`. When the next number reaches SEQ_LIMIT the live
 * PEs are renumbered 0 … n − 1 in their order, as the heap engine and renumber() do (the same
 * numbers); when the word's span runs out first, the base moves up to the least number (the same
 * numbers), or, if that frees less than half the span, the PEs are renumbered base + 0 … n − 1 in
 * their order (other numbers, the same order, so the same choices). A field, so that tests can
 * lower it.
 */
export const calendarSequence = { span: 0xffffffff };

/**
 * The calendar-queue engine of the degradation family: the selection pool's sorted order by
 * (key, sequence number), the same choices as the heap engine (see the file comment).
 */
export class CalendarEngine {
  /**
   * Node records: key, next, prev, where, load degradation, degradation counter, sequence number,
   * uncounted selections (stride 8).
   */
  nd!: Int32Array;
  /** The same memory as u32 (for the keys, load degradations, counters and sequence numbers). */
  nk!: Uint32Array;
  /**
   * The low and the high heap: per position (stride 2) the PE's key and its node id, so that
   * their comparisons read no record (a pull from a high heap of ~90000 PEs compared ~30 records
   * before).
   */
  low!: Uint32Array;
  high!: Uint32Array;
  pend!: Int32Array;
  nLow = 0;
  nHigh = 0;
  nPend = 0;
  /**
   * Per bucket (stride HS = 2): head, and the tail's word: its node id (idb bits) and above it
   * its key's offset in the bucket (shift bits less the dr lowest).
   */
  ht: Int32Array = new Int32Array(HS * MIN_BUCKETS);
  /** The same memory as u32 (for the tails' keys). */
  /** Bits of a node id in a tail word (the rest: the tail key's offset in its bucket). */
  idb = 1;
  /** (1 << idb) − 1. */
  idm = 1;
  /** Mask of a key's offset in its bucket: 2^shift − 1. */
  om = 0;
  /** Low bits of the offset dropped so that it fits beside the id: max(0, shift + idb − 32). */
  dr = 0;
  bits: Int32Array = new Int32Array(MIN_BUCKETS >> 5);
  nb = MIN_BUCKETS;
  mask = MIN_BUCKETS - 1;
  shift = 0;
  /**
   * [b0, the next sequence number less the base, the limit of that (renumbered there: the span,
   * or SEQ_LIMIT less the base), the base, the least b0 at which the high heap's first enters the
   * window (+∞ while the heap is empty: a window advance compares b0 with it rather than reading
   * the heap's first record; kept at or below the true bound, a stale lower one only costs a
   * #pull that moves nothing)]
   */
  readonly st = new Float64Array([0, 0, 0, 0, Infinity]);
  /** Circular index of bucket b0. */
  cur = 0;
  /** PEs in the calendar. */
  cn = 0;
  n = 0;
  readonly #pool: SelectionPool;
  readonly #policy: PoolPolicy;
  readonly #keyCode: number;
  // The pool's per-slot arrays this engine reads and writes (refreshed when the pool grows). The
  // sequence numbers live in the records (the pool's array is written by syncSequences()), a use
  // reads the load degradation from the record's copy, and the counter and the selection count
  // of a selected PE are kept in its record until flushUses() (the pool calls it before its
  // arrays are read): at N = 100000 every use hits another PE, and the pool's two arrays were
  // two cold lines per use besides the record (bench/HISTORY.md wave 14 `calmem`).
  #sel!: Float64Array;
  #ld!: Uint32Array;
  #deg!: Uint32Array;
  /**
   * Node ids whose uncounted selections left 0 since the last flushUses() (a node may be listed
   * more than once: a removed one's reuse).
   */
  #cnt!: Int32Array;
  #cntCount = 0;
  /** The list overflowed: flushUses() reads every record. */
  #cntAll = false;

  constructor(pool: SelectionPool, policy: PoolPolicy, keyCode: number) {
    this.#pool = pool;
    this.#policy = policy;
    this.#keyCode = keyCode;
    this.#attach(pool.capacity);
    this.#tailCode();
  }

  grow(capacity: number): void {
    // (The pool flushes before it grows: the list is empty, the records' counts are 0.)
    const { nd, low, high, pend } = this, idm = this.idm;
    this.#attach(capacity);
    this.nd.set(nd);
    this.low.set(low);
    this.high.set(high);
    this.pend.set(pend);
    this.#tailCode();
    if (this.idm !== idm) {
      // Wider node ids: the tail words again.
      const ht = this.ht;
      for (let t = 1; t < ht.length; t += HS) {
        const tail = ht[t]! & idm;
        if (tail !== 0) ht[t] = this.#tailWord(tail, this.nk[8 * tail + KEY]!);
      }
    }
  }

  // The pool's per-slot arrays, and the engine's own for node ids 0 … capacity in one buffer.
  #attach(capacity: number): void {
    const pool = this.#pool;
    this.#sel = pool.selections;
    this.#ld = pool.loadDegradation;
    this.#deg = pool.degradation;
    const cap = capacity + 1;
    const buf = new ArrayBuffer(56 * cap);
    this.nd = new Int32Array(buf, 0, 8 * cap);
    this.nk = new Uint32Array(buf, 0, 8 * cap);
    this.low = new Uint32Array(buf, 32 * cap, 2 * cap);
    this.high = new Uint32Array(buf, 40 * cap, 2 * cap);
    this.pend = new Int32Array(buf, 48 * cap, cap);
    this.#cnt = new Int32Array(buf, 52 * cap, cap);
    this.#cntCount = 0;
    this.#cntAll = false;
  }

  /**
   * Adds the selections the records still count to the pool's selection counts and copies their
   * degradation counters into the pool's (the pool calls this before its arrays are read and
   * before it grows). Cheap when nothing is listed.
   */
  flushUses(): void {
    if (this.#cntCount !== 0 || this.#cntAll) this.#flushAll();
  }

  // flushUses with something to do.
  #flushAll(): void {
    const all = this.#cntAll, list = this.#cnt;
    const n = all ? this.nd.length >> 3 : this.#cntCount;
    // (Independent records: their cache misses overlap.)
    for (let i = all ? 1 : 0; i < n; i++) this.#flushNode(all ? i : list[i]!);
    this.#cntCount = 0;
    this.#cntAll = false;
  }

  // Brings the pool's selection count and counter of node id up to date with its record.
  #flushNode(id: number): void {
    const nk = this.nk, r = 8 * id, s = id - 1;
    const c = nk[r + CNT]!;
    if (c !== 0) {
      this.#sel[s]! += c;
      nk[r + CNT] = 0;
    }
    this.#deg[s] = nk[r + DEG]!;
  }

  // Counts a selection of node id in its record; the first since the last flush lists it.
  #count(id: number): void {
    const nk = this.nk, j = (id << 3) | CNT, c = nk[j]!;
    if (c === 0 || c === U32_MAX) this.#countRare(id);
    else nk[j] = c + 1;
  }

  #countRare(id: number): void {
    const nk = this.nk, j = 8 * id + CNT;
    if (nk[j] === 0) {
      if (this.#cntCount < this.#cnt.length) this.#cnt[this.#cntCount++] = id;
      else this.#cntAll = true;
    } else this.#flushNode(id); // (still listed)
    nk[j] = 1;
  }

  first(): number {
    if (this.n === 0) return -1;
    if (this.nPend !== 0) this.#flush();
    return this.#first() - 1;
  }

  add(slot: number): void {
    // The pool reset its counter and count (remove() handed the record's over).
    const id = slot + 1, r = 8 * id;
    this.nk[r + SQ] = this.#sequence();
    this.nk[r + DEG] = 0;
    this.nk[r + CNT] = 0;
    this.n++;
    this.#pendPush(id);
  }

  remove(slot: number): void {
    // (The record stays listed if it counts selections: the pool's arrays read after the removal
    // get the old occupant's values; add() zeroes them.)
    this.#detach(slot + 1);
    this.n--;
  }

  changed(slot: number): void {
    // The pool reset its counter: the record's too, at once (a flush would otherwise bring the
    // old one back); the count stays.
    const id = slot + 1;
    this.nk[8 * id + DEG] = 0;
    if ((this.nd[8 * id + WHERE]! & TAG) === PEND) return;
    this.#detach(id);
    this.#pendPush(id);
  }

  selectOne(maxIncrement: number): number {
    // Small, so that V8 inlines it: the head of the current bucket, or of the next non-empty
    // one; pending PEs and the low heap out of line.
    if (this.nPend + this.nLow !== 0) return this.#selectOther(maxIncrement);
    let id = this.ht[HS * this.cur]!;
    if (id === 0) {
      if (this.n === 0) return -1;
      id = this.#advance();
    }
    // (#useHead counts the selection.)
    if (maxIncrement > 0) this.#useHead(id);
    else this.#count(id);
    return id - 1;
  }

  #selectOther(maxIncrement: number): number {
    if (this.n === 0) return -1;
    if (this.nPend !== 0) this.#flush();
    const id = this.#first();
    if (maxIncrement > 0 && (this.nd[8 * id + WHERE]! & TAG) !== LOW) this.#useHead(id);
    else {
      this.#count(id);
      if (maxIncrement > 0) this.#use(id);
    }
    return id - 1;
  }

  select(k: number, out: Int32Array, maxIncrement: number): number {
    const n = this.n, want = k < n ? k : n;
    if (want === 0) return 0;
    if (this.nPend !== 0) this.#flush();
    const nd = this.nd;
    let c = 0;
    if (this.nLow === 0 && this.cn >= want) {
      // The first `want` PEs of the calendar, bucket by bucket.
      let id = this.#calFirst(), b = this.cur;
      const ht = this.ht, mask = this.mask;
      for (;;) {
        for (; id !== 0 && c < want; id = nd[8 * id + NEXT]!) out[c++] = id - 1;
        if (c === want) break;
        b = this.#nextBucket((b + 1) & mask);
        id = ht[HS * b]!;
      }
      // (#useHead counts the first; a #use may file everything again, after the counts.)
      for (let i = maxIncrement > 0 ? 1 : 0; i < want; i++) this.#count(out[i]! + 1);
      if (maxIncrement > 0) {
        this.#useHead(out[0]! + 1);
        const used = maxIncrement < want ? maxIncrement : want;
        for (let i = 1; i < used; i++) this.#use(out[i]! + 1);
      }
      return want;
    }
    // Take them out in order, then put them back (same keys, same sequence numbers).
    for (; c < want; c++) {
      const id = this.#first();
      out[c] = id - 1;
      this.#detach(id);
    }
    for (let i = 0; i < want; i++) this.#place(out[i]! + 1, this.nk[8 * (out[i]! + 1) + KEY]!);
    for (let i = 0; i < want; i++) this.#count(out[i]! + 1);
    if (maxIncrement > 0) {
      const used = maxIncrement < want ? maxIncrement : want;
      for (let i = 0; i < used; i++) this.#use(out[i]! + 1);
    }
    return want;
  }

  /**
   * select() for callers that keep an object per slot: writes `table[slot]` of the selected
   * slots into `out`. The common case (everything filed in the calendar, MaxIncrement 1) reads
   * the first `want` PEs in place and writes their objects on the way, without a slot array; a
   * bucket's last PE is told by the bucket's tail (in the line the head came from), so the walk
   * goes on to the next bucket without reading that PE's record. (The code is in
   * {@link CalendarEngine.into}.)
   */
  selectInto<T>(k: number, table: readonly T[], out: T[], maxIncrement: number): number {
    return CalendarEngine.into(this, k, table, out, undefined, maxIncrement);
  }

  /**
   * {@link CalendarEngine.selectInto} of `engine` as the selection pool's `into` entry
   * (_engine_entry.ts; `_rng` unused). The common case, the walk and the first PE's use, is this
   * one function, one call per selection: #useHead (~950 bytes of bytecode) is never inlined, and
   * neither is selectInto into the handlespace's path (budget) nor the pool's entry call in a
   * process serving several engine kinds, so it was two (bench/HISTORY.md wave 15 `ludk3c`: LUD
   * family k = 3 at N = 1000 +7-16 % paired, with the 32-bit sums of the use).
   */
  static into<T>(
    engine: unknown,
    k: number,
    table: readonly T[],
    out: T[],
    _rng: unknown,
    maxIncrement: number,
  ): number {
    const e = engine as CalendarEngine;
    const want = k < e.n ? k : e.n;
    // (MaxIncrement 0, no use, and > 1 the general way.)
    if (e.nPend + e.nLow !== 0 || e.cn < want || want === 0 || maxIncrement !== 1) {
      return e.#selectIntoOther(k, table, out, maxIncrement);
    }
    const nd = e.nd, sel = e.#sel, ht = e.ht, id = e.#calFirst(), idm = e.idm;
    out[0] = table[id - 1]!;
    let b = e.cur, w = id, wt = ht[HS * b + 1]! & idm;
    for (let c = 1; c < want; c++) {
      if (w === wt) {
        b = e.#nextBucket((b + 1) & e.mask);
        w = ht[HS * b]!;
        wt = ht[HS * b + 1]! & idm;
      } else w = nd[(w << 3) | NEXT]!;
      out[c] = table[w - 1]!;
      // (The pool's count at once: the walk reads no record of a bucket's tail, and the count
      // is exact with the record's added at the flush.)
      sel[w - 1]!++;
    }
    // The use of the first: #useHead's code (see there), repeated so that it is no call.
    const nk = e.nk, r = id << 3, count = nk[r | CNT]!;
    if (count === 0 || count === U32_MAX) e.#countRare(id);
    else nk[r | CNT] = count + 1;
    const st = e.st, seq = st[1]!;
    if (seq >= st[2]!) {
      e.#use(id);
      return want;
    }
    st[1] = seq + 1;
    const key = nk[r | KEY]!;
    nk[r | SQ] = seq;
    // (Sums capped at U32_MAX in 32-bit words: a wrapped sum is less than its first term.)
    const ld = nk[r | LD]!, d0 = nk[r | DEG]!, dw = (d0 + ld) >>> 0, d = dw < d0 ? U32_MAX : dw;
    nk[r | DEG] = d;
    if (d0 === 0) e.#deg[id - 1] = d;
    const xw = (key + ld) >>> 0, x = xw < key ? U32_MAX : xw;
    nk[r | KEY] = x;
    const rel = (x >>> e.shift) - st[0]!;
    if (rel === 0) {
      e.#stayed(id);
      return want;
    }
    const cur = e.cur, c = HS * cur, after = nd[r | NEXT]!;
    ht[c] = after;
    if (after === 0) {
      ht[c + 1] = 0;
      e.bits[cur >> 5] = e.bits[cur >> 5]! & ~(1 << (cur & 31));
    } else nd[(after << 3) | PREV] = 0;
    if (rel >= e.nb || after === 0 && e.cn === 1) {
      e.cn--;
      nd[r | WHERE] = NOWHERE;
      e.#placeStored(id);
    } else {
      const b = (x >>> e.shift) & e.mask, t = HS * b, bits = e.bits, wd = bits[b >> 5]!;
      const bit = 1 << (b & 31), tw = (wd & bit) === 0 ? 0 : ht[t + 1]!, idb = e.idb;
      const tail = tw & idm, xo = (x & e.om) >>> e.dr, to = tw >>> idb;
      if (tail === 0) {
        ht[t] = id;
        ht[t + 1] = id | (xo << idb);
        nd[r | NEXT] = 0;
        nd[r | PREV] = 0;
        bits[b >> 5] = wd | bit;
      } else if (to < xo || to === xo && (e.dr === 0 || nk[(tail << 3) | KEY]! <= x)) {
        nd[(tail << 3) | NEXT] = id;
        nd[r | PREV] = tail;
        nd[r | NEXT] = 0;
        ht[t + 1] = id | (xo << idb);
      } else if (ht[t]! === tail) {
        ht[t] = id;
        nd[(tail << 3) | PREV] = id;
        nd[r | NEXT] = tail;
        nd[r | PREV] = 0;
      } else {
        e.cn--;
        e.#walkIn(id, b);
      }
      if (after === 0) e.#advance();
    }
    return want;
  }

  #selectIntoOther<T>(k: number, table: readonly T[], out: T[], maxIncrement: number): number {
    const room = k < this.n ? k : this.n;
    let slots = intoSlots;
    if (slots.length < room) slots = intoSlots = new Int32Array(room);
    const got = this.select(k, slots, maxIncrement);
    for (let i = 0; i < got; i++) out[i] = table[slots[i]!]!;
    return got;
  }

  orderInto(out: number[]): void {
    if (this.nPend !== 0) this.#flush();
    const nk = this.nk, all = this.#all();
    all.sort((a, b) => nk[8 * a]! - nk[8 * b]! || nk[8 * a + SQ]! - nk[8 * b + SQ]!);
    for (const id of all) out.push(id - 1);
  }

  /**
   * Takes over `count` live slots from another engine with their sequence numbers (`seq`, by
   * slot; the next one to give out is `nextSeq`); the engine must be empty. They are filed at the next selection.
   */
  adopt(slots: Int32Array, count: number, nextSeq: number, seq: Float64Array): void {
    const nk = this.nk, st = this.st;
    let base = nextSeq;
    for (let i = 0; i < count; i++) base = seq[slots[i]!]! < base ? seq[slots[i]!]! : base;
    if (nextSeq - base < calendarSequence.span) {
      for (let i = 0; i < count; i++) nk[8 * (slots[i]! + 1) + SQ] = seq[slots[i]!]! - base;
      st[1] = nextSeq - base;
    } else {
      // More than the span apart: renumbered in their order (the same order).
      const order = Array.from(slots.subarray(0, count));
      order.sort((a, b) => seq[a]! - seq[b]!);
      for (let i = 0; i < count; i++) nk[8 * (order[i]! + 1) + SQ] = i;
      st[1] = count;
    }
    st[3] = base;
    this.#seqLimit();
    for (let i = 0; i < count; i++) {
      const s = slots[i]!;
      nk[8 * (s + 1) + DEG] = this.#deg[s]!; // (add() and changed() zero it)
      this.#pendPush(s + 1);
    }
    this.n = count;
  }

  /** Writes the live PEs' sequence numbers (kept in the records) into the pool's array. */
  syncSequences(seq: Float64Array): void {
    const nd = this.nd, nk = this.nk, cap = seq.length, base = this.st[3]!;
    for (let id = 1; id <= cap; id++) {
      if (nd[8 * id + WHERE] !== NOWHERE) seq[id - 1] = base + nk[8 * id + SQ]!;
    }
  }

  // The first PE of all (n > 0, nothing pending).
  #first(): number {
    return this.nLow !== 0 ? this.low[1]! : this.#calFirst();
  }

  // The first PE of the calendar (moving the window up to it, or to the high heap's first).
  #calFirst(): number {
    const h = this.ht[HS * this.cur]!;
    return h !== 0 ? h : this.#advance();
  }

  #advance(): number {
    const st = this.st;
    if (this.cn === 0) {
      // Jump the window to the high heap's first.
      st[0] = this.high[0]! >>> this.shift;
      this.cur = st[0]! & this.mask;
      this.#pull();
      return this.ht[HS * this.cur]!;
    }
    // The first non-empty bucket after `cur` (inline #nextBucket).
    const bits = this.bits, words = bits.length, cur = this.cur;
    let w = cur >> 5, m = bits[w]! & (-1 << (cur & 31));
    while (m === 0) {
      w = w + 1 === words ? 0 : w + 1;
      m = bits[w]!;
    }
    const b = (w << 5) + 31 - Math.clz32(m & -m);
    const b0 = st[0]! + ((b - cur) & this.mask);
    st[0] = b0;
    this.cur = b;
    if (b0 >= st[4]!) this.#pull();
    return this.ht[HS * b]!;
  }

  // Moves the high heap's PEs that are now inside the window into the calendar.
  #pull(): void {
    const b0 = this.st[0]!, nb = this.nb, shift = this.shift;
    while (this.nHigh !== 0) {
      const id = this.high[1]!, x = this.high[0]!;
      if ((x >>> shift) - b0 >= nb) break;
      this.#heapRemove(this.high, HIGH, 0);
      this.#calInsert(id, x);
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

  // A selection and use of node id, the head of bucket `cur` (nothing pending, the low heap
  // empty): counted, the next sequence number and the degradation step, then linked again
  // further on. CalendarEngine.into (k > 1) has a copy of this code: change both.
  #useHead(id: number): void {
    // One function for the whole common case (V8 would box the key, a double above 2^31, on
    // every call into a helper that is not inlined): keys go to helpers through the record.
    // (Record offsets as `id << 3 | F`: no overflow checks. With the early advance below, LUD N =
    // 1000 k = 1 1.07-1.12 paired; the advance alone, without these, 1.03.)
    const nk = this.nk, r = id << 3, count = nk[r | CNT]!;
    if (count === 0 || count === U32_MAX) this.#countRare(id);
    else nk[r | CNT] = count + 1;
    const st = this.st, seq = st[1]!;
    if (seq >= st[2]!) {
      this.#use(id);
      return;
    }
    st[1] = seq + 1;
    const nd = this.nd, ht = this.ht, k = nk[r | KEY]!;
    nk[r | SQ] = seq;
    // The counter in the record; the pool's when it leaves 0 (update() tells a change from it).
    // (Sums capped at U32_MAX in 32-bit words, V8's integer arithmetic rather than doubles: a
    // wrapped sum is less than its first term. With selectInto's copy, k = 3 +5 %, wave 15.)
    const ld = nk[r | LD]!, d0 = nk[r | DEG]!, dw = (d0 + ld) >>> 0, d = dw < d0 ? U32_MAX : dw;
    nk[r | DEG] = d;
    if (d0 === 0) this.#deg[id - 1] = d;
    const xw = (k + ld) >>> 0, x = xw < k ? U32_MAX : xw;
    nk[r | KEY] = x;
    const rel = (x >>> this.shift) - st[0]!;
    if (rel === 0) {
      this.#stayed(id);
      return;
    }
    // Out of the current bucket (id is its head).
    const cur = this.cur, c = HS * cur, after = nd[r | NEXT]!;
    ht[c] = after;
    if (after === 0) {
      ht[c + 1] = 0;
      this.bits[cur >> 5] = this.bits[cur >> 5]! & ~(1 << (cur & 31));
    } else nd[(after << 3) | PREV] = 0;
    if (rel >= this.nb || after === 0 && this.cn === 1) {
      // Beyond the window, or the calendar would be empty: placed anew.
      this.cn--;
      nd[r | WHERE] = NOWHERE;
      this.#placeStored(id);
    } else {
      // Into its bucket after every key ≤ x: after the tail unless the tail's key is larger.
      // An empty bucket is told by the bitmap (a few KiB, cached) rather than by its tail: the
      // bucket's line is then only written, and a store to a line not in the cache does not
      // hold up what follows as a load of it does (N = 10000 / 100000 k = 1 +4-10 % paired,
      // bench/HISTORY.md wave 13 `ludk3`).
      const b = (x >>> this.shift) & this.mask, t = HS * b, bits = this.bits, w = bits[b >> 5]!;
      const bit = 1 << (b & 31), tw = (w & bit) === 0 ? 0 : ht[t + 1]!, idb = this.idb;
      const tail = tw & this.idm, xo = (x & this.om) >>> this.dr, to = tw >>> idb;
      if (tail === 0) {
        ht[t] = id;
        ht[t + 1] = id | (xo << idb);
        nd[r | NEXT] = 0;
        nd[r | PREV] = 0;
        bits[b >> 5] = w | bit;
      } else if (to < xo || to === xo && (this.dr === 0 || nk[(tail << 3) | KEY]! <= x)) {
        nd[(tail << 3) | NEXT] = id;
        nd[r | PREV] = tail;
        nd[r | NEXT] = 0;
        ht[t + 1] = id | (xo << idb);
      } else if (ht[t]! === tail) {
        // In front of the bucket's only PE, whose key (the tail's) is larger: without reading its
        // record.
        ht[t] = id;
        nd[(tail << 3) | PREV] = id;
        nd[r | NEXT] = tail;
        nd[r | PREV] = 0;
      } else {
        this.cn--;
        this.#walkIn(id, b);
      }
      // The current bucket emptied: the next non-empty one now rather than at the start of the
      // next selection (whose test for an empty current bucket then rarely fails; LUD N = 1000 k
      // = 1 1.07-1.12 paired, bench/HISTORY.md wave 12).
      if (after === 0) this.#advance();
    }
  }

  // The used head id got a key (in its record) in the current bucket: it moves behind the keys
  // ≤ its key.
  #stayed(id: number): void {
    const c = HS * this.cur, tw = this.ht[c + 1]!, tail = tw & this.idm;
    const x = this.nk[(id << 3) | KEY]!;
    if (tail === id) {
      this.ht[c + 1] = this.#tailWord(id, x);
      return;
    }
    if (this.#notAbove(tw, x)) {
      this.#toTail(id, tail);
      this.ht[c + 1] = this.#tailWord(id, x);
      return;
    }
    this.#unlinkHead(id);
    this.#calAppend(id, x);
  }

  // Links node id (unlinked, key in its record, newest sequence number) into bucket b, whose
  // tail's key is larger, after the last key ≤ its key.
  #walkIn(id: number, b: number): void {
    const nd = this.nd, nk = this.nk, x = nk[8 * id + KEY]!;
    let after = nd[8 * (this.ht[HS * b + 1]! & this.idm) + PREV]!;
    while (after !== 0 && nk[8 * after + KEY]! > x) after = nd[8 * after + PREV]!;
    this.#link(id, x, b, after);
  }

  // Places node id (detached, key in its record).
  #placeStored(id: number): void {
    this.#place(id, this.nk[8 * id + KEY]!);
  }

  // Node id (the head of bucket `cur`, not its tail) becomes the tail.
  #toTail(id: number, tail: number): void {
    const nd = this.nd, ht = this.ht, c = HS * this.cur, after = nd[8 * id + NEXT]!;
    ht[c] = after;
    nd[8 * after + PREV] = 0;
    nd[8 * tail + NEXT] = id;
    nd[8 * id + PREV] = tail;
    nd[8 * id + NEXT] = 0;
    ht[c + 1] = id;
  }

  // Unlinks node id, the head of bucket `cur`.
  #unlinkHead(id: number): void {
    const nd = this.nd, ht = this.ht, cur = this.cur, after = nd[8 * id + NEXT]!;
    ht[HS * cur] = after;
    if (after === 0) {
      ht[HS * cur + 1] = 0;
      this.bits[cur >> 5] = this.bits[cur >> 5]! & ~(1 << (cur & 31));
    } else nd[8 * after + PREV] = 0;
    this.cn--;
    nd[8 * id + WHERE] = NOWHERE;
  }

  // A use of any PE (MaxIncrement > 1, the low heap, renumbering): filed again. (The counter
  // goes to the pool's array as well: a filing may flush between a selection's count and the
  // use of its later PEs.)
  #use(id: number): void {
    const s = id - 1;
    const ld = this.nk[8 * id + LD]!, deg = this.nk[8 * id + DEG]! + ld;
    const seq = this.#sequence();
    this.#detach(id);
    this.nk[8 * id + SQ] = seq;
    this.nk[8 * id + DEG] = this.#deg[s] = deg > U32_MAX ? U32_MAX : deg;
    const k = this.nk[8 * id + KEY]!;
    this.#place(id, k + ld > U32_MAX ? U32_MAX : k + ld);
  }

  #detach(id: number): void {
    const w = this.nd[8 * id + WHERE]!, tag = w & TAG;
    if (w === CAL) this.#calUnlink(id);
    else if (tag === LOW) this.#heapRemove(this.low, LOW, w >> 3);
    else if (tag === HIGH) this.#heapRemove(this.high, HIGH, w >> 3);
    else if (tag === PEND) this.#pendRemove(w >> 3);
    this.nd[8 * id + WHERE] = NOWHERE;
  }

  #pendPush(id: number): void {
    const i = this.nPend++;
    this.pend[i] = id;
    this.nd[8 * id + WHERE] = (i << 3) | PEND;
  }

  #pendRemove(p: number): void {
    const last = --this.nPend;
    if (p === last) return;
    const moved = this.pend[last]!;
    this.pend[p] = moved;
    this.nd[8 * moved + WHERE] = (p << 3) | PEND;
  }

  // Files the pending PEs: one by one while they are few, otherwise everything again.
  #flush(): void {
    if (
      this.nPend > 16 + (this.n >> 3) ||
      (2 * this.n > this.nb && this.nb < MAX_BUCKETS ||
        8 * this.n > this.nb && this.nb < FINE_BUCKETS)
    ) {
      this.#rebuild();
      return;
    }
    // (A placement may file everything again, which empties the list.)
    while (this.nPend !== 0) {
      const id = this.pend[--this.nPend]!;
      this.nd[8 * id + WHERE] = NOWHERE;
      this.#copyFields(id);
      this.#place(id, this.#key(id - 1));
    }
  }

  // Places node id (detached, sequence number set) with key x.
  #place(id: number, x: number): void {
    this.nk[8 * id + KEY] = x;
    const bk = x >>> this.shift, b0 = this.st[0]!;
    if (this.cn === 0 && this.nLow === 0) {
      // An empty calendar: its window may move anywhere at or below the high heap's first.
      let base = bk;
      if (this.nHigh !== 0) {
        const hb = this.high[0]! >>> this.shift;
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
    const nk = this.nk, mine = nk[8 * id + SQ]!;
    if (mine === this.st[1]! - 1) {
      this.#calAppend(id, x);
      return;
    }
    const b = (x >>> this.shift) & this.mask, nd = this.nd, ht = this.ht;
    let after = ht[HS * b + 1]! & this.idm;
    while (after !== 0) {
      const ka = nk[8 * after + KEY]!;
      if (ka < x || (ka === x && nk[8 * after + SQ]! < mine)) break;
      after = nd[8 * after + PREV]!;
    }
    this.#link(id, x, b, after);
  }

  // Links node id with key x (inside the window, the newest sequence number) into its bucket
  // after every key ≤ x.
  #calAppend(id: number, x: number): void {
    const b = (x >>> this.shift) & this.mask, tw = this.ht[HS * b + 1]!, tail = tw & this.idm;
    if (tail === 0 || this.#notAbove(tw, x)) {
      // After the tail, without reading its record (the common case).
      this.#link(id, x, b, tail);
      return;
    }
    const nd = this.nd, nk = this.nk;
    let after = nd[8 * tail + PREV]!;
    while (after !== 0 && nk[8 * after + KEY]! > x) after = nd[8 * after + PREV]!;
    this.#link(id, x, b, after);
  }

  #link(id: number, x: number, b: number, after: number): void {
    const nd = this.nd, ht = this.ht, r = 8 * id;
    const next = after !== 0 ? nd[8 * after + NEXT]! : ht[HS * b]!;
    this.nk[r + KEY] = x;
    nd[r + PREV] = after;
    nd[r + NEXT] = next;
    nd[r + WHERE] = CAL;
    if (after !== 0) nd[8 * after + NEXT] = id;
    else ht[HS * b] = id;
    if (next !== 0) nd[8 * next + PREV] = id;
    else {
      ht[HS * b + 1] = this.#tailWord(id, x);
    }
    this.bits[b >> 5] = this.bits[b >> 5]! | 1 << (b & 31);
    this.cn++;
  }

  #calUnlink(id: number): void {
    const b = (this.nk[8 * id + KEY]! >>> this.shift) & this.mask, nd = this.nd, ht = this.ht;
    const n = nd[8 * id + NEXT]!, p = nd[8 * id + PREV]!;
    if (p !== 0) nd[8 * p + NEXT] = n;
    else ht[HS * b] = n;
    if (n !== 0) nd[8 * n + PREV] = p;
    else {
      ht[HS * b + 1] = p === 0 ? 0 : this.#tailWord(p, this.nk[8 * p + KEY]!);
    }
    if (ht[HS * b] === 0) this.bits[b >> 5] = this.bits[b >> 5]! & ~(1 << (b & 31));
    this.cn--;
  }

  // A bucket's tail word: the tail's node id and its key's offset in the bucket above it.
  #tailWord(id: number, x: number): number {
    return id | (((x & this.om) >>> this.dr) << this.idb);
  }

  // Whether the key of the tail a tail word names is at most x (a key of the same bucket).
  #notAbove(tw: number, x: number): boolean {
    const to = tw >>> this.idb, xo = (x & this.om) >>> this.dr;
    return to < xo || to === xo && (this.dr === 0 || this.nk[8 * (tw & this.idm) + KEY]! <= x);
  }

  // The tail words' layout for the node ids of the capacity and the bucket width.
  #tailCode(): void {
    const idb = 32 - Math.clz32(this.nd.length >> 3), shift = this.shift;
    this.idb = idb;
    this.idm = idb >= 31 ? 0x7fffffff : (1 << idb) - 1;
    this.om = shift >= 31 ? 0x7fffffff : (1 << shift) - 1;
    this.dr = shift + idb > 32 ? shift + idb - 32 : 0;
  }

  #heapPush(h: Uint32Array, tag: number, id: number): void {
    const i = tag === LOW ? this.nLow++ : this.nHigh++;
    h[2 * i] = this.nk[8 * id + KEY]!;
    h[2 * i + 1] = id;
    this.#up(h, tag, i);
    if (tag === HIGH) this.#highMoved();
  }

  // The high heap's first (or its window or bucket width) changed: st[4] again.
  #highMoved(): void {
    this.st[4] = this.nHigh === 0 ? Infinity : (this.high[0]! >>> this.shift) - this.nb + 1;
  }

  #heapRemove(h: Uint32Array, tag: number, p: number): void {
    const last = tag === LOW ? --this.nLow : --this.nHigh;
    this.nd[8 * h[2 * p + 1]! + WHERE] = NOWHERE;
    if (p !== last) {
      h[2 * p] = h[2 * last]!;
      h[2 * p + 1] = h[2 * last + 1]!;
      if (this.#up(h, tag, p) === p) this.#down(h, tag, p, last);
    }
    if (tag === HIGH) this.#highMoved();
  }

  // (Keys from the heap's array; a record's sequence number only on equal keys.)
  #up(h: Uint32Array, tag: number, i: number): number {
    const nd = this.nd, nk = this.nk, x = h[2 * i]!, id = h[2 * i + 1]!;
    while (i > 0) {
      const q = (i - 1) >> 1, kq = h[2 * q]!, up = h[2 * q + 1]!;
      if (kq < x || (kq === x && nk[8 * up + SQ]! < nk[8 * id + SQ]!)) break;
      h[2 * i] = kq;
      h[2 * i + 1] = up;
      nd[8 * up + WHERE] = (i << 3) | tag;
      i = q;
    }
    h[2 * i] = x;
    h[2 * i + 1] = id;
    nd[8 * id + WHERE] = (i << 3) | tag;
    return i;
  }

  #down(h: Uint32Array, tag: number, i: number, n: number): void {
    // (The comparisons inline: heapifying a burst of registrations runs this n/2 times.)
    const nd = this.nd, nk = this.nk, x = h[2 * i]!, id = h[2 * i + 1]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let kd = h[2 * c]!, down = h[2 * c + 1]!;
      if (c + 1 < n) {
        const kr = h[2 * c + 2]!, r = h[2 * c + 3]!;
        if (kr < kd || (kr === kd && nk[8 * r + SQ]! < nk[8 * down + SQ]!)) {
          c++;
          down = r;
          kd = kr;
        }
      }
      if (kd > x || (kd === x && nk[8 * down + SQ]! > nk[8 * id + SQ]!)) break;
      h[2 * i] = kd;
      h[2 * i + 1] = down;
      nd[8 * down + WHERE] = (i << 3) | tag;
      i = c;
    }
    h[2 * i] = x;
    h[2 * i + 1] = id;
    nd[8 * id + WHERE] = (i << 3) | tag;
  }

  // Every node id, in no particular order.
  #all(): number[] {
    const all: number[] = [];
    for (let i = 0; i < this.nPend; i++) all.push(this.pend[i]!);
    for (let i = 0; i < this.nLow; i++) all.push(this.low[2 * i + 1]!);
    for (let i = 0; i < this.nHigh; i++) all.push(this.high[2 * i + 1]!);
    const nd = this.nd, ht = this.ht;
    for (let b = 0; b < this.nb; b++) {
      for (let id = ht[HS * b]!; id !== 0; id = nd[8 * id + NEXT]!) all.push(id);
    }
    return all;
  }

  // Sizes the calendar for the pool and files everything again relative to the least key: the
  // window's PEs sorted into their buckets, the rest heapified into the high heap (O(n) but for
  // the window's sort).
  #rebuild(): void {
    const nk = this.nk, nd = this.nd, ld = this.#ld;
    const pend = this.pend, pool = this.#pool, load = pool.load, deg = this.#deg;
    const keyCode = this.#keyCode;
    for (let i = 0; i < this.nPend; i++) {
      // The additive keys inline (a burst of registrations computes them here).
      const id = pend[i]!, s = id - 1;
      let x: number;
      if (keyCode === KEY_LOAD_DEG) x = load[s]! + deg[s]!;
      else if (keyCode === KEY_LOAD_LD_DEG) x = load[s]! + ld[s]! + deg[s]!;
      else x = this.#key(s);
      nk[8 * id + KEY] = x > U32_MAX ? U32_MAX : x;
      this.#copyFields(id);
    }
    const all = this.#all();
    this.nPend = 0;
    let nb = MIN_BUCKETS;
    while (nb < 2 * this.n && nb < MAX_BUCKETS || nb < 8 * this.n && nb < FINE_BUCKETS) nb *= 2;
    // The narrowest bucket width whose window holds a use's step from the first bucket, for all
    // PEs but the n/1024 with the largest load degradations (the least used: their steps beyond
    // the window go through the high heap): by the count of PEs needing each width 2^s.
    const need = widthCounts.fill(0), spare = all.length >> 10;
    let min = U32_MAX;
    for (const id of all) {
      const q = Math.ceil((nk[8 * id + LD]! + 1) / (nb - 2)), x = nk[8 * id + KEY]!;
      need[q <= 1 ? 0 : 32 - Math.clz32(q - 1)]!++;
      min = x < min ? x : min;
    }
    let shift = 0, over = all.length - need[0]!;
    while (shift < 31 && over > spare) over -= need[++shift]!;
    this.nb = nb;
    this.mask = nb - 1;
    this.shift = shift;
    this.#tailCode();
    if (this.ht.length !== HS * nb) {
      this.ht = new Int32Array(HS * nb);
      this.bits = new Int32Array(nb >> 5);
    } else {
      this.ht.fill(0);
      this.bits.fill(0);
    }
    this.nLow = 0;
    this.nHigh = 0;
    this.cn = 0;
    const b0 = min >>> shift;
    this.st[0] = b0;
    this.cur = b0 & this.mask;
    const window: number[] = [], high = this.high;
    for (const id of all) {
      if ((nk[8 * id + KEY]! >>> shift) - b0 < nb) window.push(id);
      else {
        high[2 * this.nHigh] = nk[8 * id + KEY]!;
        high[2 * this.nHigh++ + 1] = id;
      }
    }
    // In order, each appended to its bucket's tail.
    window.sort((a, b) => nk[8 * a]! - nk[8 * b]! || nk[8 * a + SQ]! - nk[8 * b + SQ]!);
    for (const id of window) {
      const x = nk[8 * id + KEY]!, b = (x >>> shift) & this.mask;
      this.#link(id, x, b, this.ht[HS * b + 1]! & this.idm);
    }
    const m = this.nHigh;
    for (let i = 0; i < m; i++) nd[8 * high[2 * i + 1]! + WHERE] = (i << 3) | HIGH;
    for (let i = (m >> 1) - 1; i >= 0; i--) this.#down(high, HIGH, i, m);
    this.#highMoved();
  }

  // Copies the pool's policy information that a use reads into node id's record (at filing: a
  // change of it makes the PE pending).
  #copyFields(id: number): void {
    this.nk[8 * id + LD] = this.#pool.loadDegradation[id - 1]!;
  }

  #key(slot: number): number {
    return keyByFormula(this.#keyCode, this.#policy, this.#pool, slot);
  }

  #sequence(): number {
    const st = this.st, seq = st[1]!;
    if (seq < st[2]!) {
      st[1] = seq + 1;
      return seq;
    }
    this.#renumber();
    return st[1]!++;
  }

  // The next sequence number reached the limit (calendarSequence).
  #renumber(): void {
    const st = this.st, nk = this.nk, all = this.#all(), next = st[1]!;
    if (st[3]! + next < SEQ_LIMIT) {
      // The span ran out: the base moves up to the least number if that frees half the span.
      let least = next;
      for (const id of all) least = nk[8 * id + SQ]! < least ? nk[8 * id + SQ]! : least;
      if (next - least <= calendarSequence.span / 2) {
        for (const id of all) nk[8 * id + SQ] = nk[8 * id + SQ]! - least;
        st[1] = next - least;
        st[3] = st[3]! + least;
        this.#seqLimit();
        return;
      }
    } else st[3] = 0; // (0 … n − 1, as renumber() gives a pool's array at SEQ_LIMIT)
    all.sort((a, b) => nk[8 * a + SQ]! - nk[8 * b + SQ]!);
    for (let i = 0; i < all.length; i++) nk[8 * all[i]! + SQ] = i;
    st[1] = all.length;
    this.#seqLimit();
  }

  // st[2]: the next sequence number (less the base) at which #renumber() runs.
  #seqLimit(): void {
    const span = calendarSequence.span, left = SEQ_LIMIT - this.st[3]!;
    this.st[2] = span < left ? span : left;
  }
}
