// Cycle mode of weighted round robin: a pool whose elements do not change serves a fixed cycle,
// replayed from an array with a cursor (O(1) per use, like round robin's ring) instead of the heap
// engine (whose root sinks through the whole heap at the end of every run of `weight` uses).
//
// Why the order is a cycle. Weighted round robin orders by (round, virtual counter, sequence
// number). Call a state a *boundary* when every pool element is in the same round R with its
// virtual counter at its weight: the order is then by (weight, sequence number). The first is
// served max(weight, 1) times in a row (its key drops by one per use, so it stays first) and
// goes to round R + 1 with its counter back at its weight and the newest sequence number, then
// the next, and so on. When round R is done, every element is in round R + 1 at its weight, with
// sequence numbers in the order they were served: sorted by weight and, among equal weights, in
// the previous order. So the next round's order is the same list C, and so is every later one.
// Between two boundaries the order is C rotated to the cursor: the element being served (its
// counter below its weight, so its key below every other key of round R), the rest of round R in C
// order, then round R + 1 in C order. k > 1 selections with MaxIncrement 1 use only the first, so
// they follow the same cycle and return C[cursor … cursor + k − 1] (wrapping).
//
// More generally, the order is C rotated from any *settled* state: the heap order L (root
// first) consists of L0, the elements of the root's round R, then L1, those of round R + 1;
// every element but the root has its virtual counter at its weight (the root may be part-way
// through its run); and C = L1 ++ L0 has non-decreasing weights. Round R serves L0 in order,
// each goes to round R + 1 with a fresh sequence number; round R + 1 is then ordered by
// (weight, sequence number): L1 (older numbers) before L0 among equal weights, so it is C, a
// boundary. The cursor starts at |L1|, on the root. A new pool is settled (every element
// joined the round of the first at its weight), and so is a pool after one round without change.
//
// Entry. The heap engine reports the end of every run of its root (ranOut). After n/16 runs (at
// least 8; twice as many after a failed try or a stay shorter than a round, up to 4n, so that a
// pool that never settles pays O(1) per run) the pool switches to a pending state; its
// next selection takes the heap's elements (root first, the others ordered by round, weight
// and sequence number with counting sorts: O(n)), checks that this is the heap's exact order
// (strictly increasing by key and sequence number, every other counter at its weight) and
// settled, and enters cycle mode, or goes back to the heap.
//
// While in cycle mode the pool's per-slot numbers (sequence number, round, virtual counter,
// selection count) are what the heap would have: a use inside a run only counts the cursor
// slot's counter down, and its sequence numbers and counter are written at the end of the run,
// when leaving and when the pool's seq or virtual arrays are read (sync); rounds are rebased by
// the heap's rule on the same elements; a run whose sequence numbers would reach SEQ_LIMIT goes
// back to the heap, which renumbers. Only the heap's own arrays go stale.
//
// Exit: any change (registration, deregistration, a weight change; a load change is no change
// for weighted round robin), and a selection whose MaxIncrement uses more than the first element.
// The heap is refilled from the cycle rotated to the cursor, which is the exact order by (key,
// sequence number), and a sorted array is a valid heap: O(n) writes, no comparison. Every later
// choice is then the heap's own (its choices depend only on keys and sequence numbers, which are
// unique).

import type { PoolPolicy } from "./policy.ts";
import { KEY_LIMIT } from "./policy.ts";
import type { HeapEngine } from "./_heap_engine.ts";
import type { SelectionPool } from "./selection_pool.ts";
import { SEQ_LIMIT } from "./_sequence.ts";
import { f64Array } from "../_slab.ts";

/** Pool-wide counts of cycle entries and exits (tests check that their streams use the mode). */
export const wrrCycleCounts = { entered: 0, left: 0 };

/** The cycle of a pool that has not entered cycle mode yet (shared: nothing is written to it). */
const NONE = new Int32Array(0);

/** Fewest runs between two tries. */
const MIN_WAIT = 8;

/** Runs to wait for before a try in a pool of n elements (the try costs O(n)). */
function waitFor(n: number): number {
  return n >> 4 > MIN_WAIT ? n >> 4 : MIN_WAIT;
}

/** Cycle positions repeated after the end, so that k ≤ PAD reads need no wrap-around. */
const PAD = 16;

const ROUND_FACTOR = 4294967296;

/** The cycle's state, reported to the pool: the heap serves. */
export const CYCLE_OFF = 0;
/** Runs enough for a try: the next selection checks the state and enters cycle mode or not. */
export const CYCLE_PENDING = 1;
/** The cycle serves. */
export const CYCLE_ON = 2;

export class WrrCycle {
  readonly #pool: SelectionPool;
  readonly #heap: HeapEngine;
  readonly #policy: PoolPolicy;
  /** Tells the pool which entries to use (CYCLE_OFF, CYCLE_PENDING, CYCLE_ON). */
  readonly #mode: (mode: number) => void;
  #state = CYCLE_OFF;
  /** Runs ended since the last try or exit, and how many to wait for before the next try. */
  #runs = 0;
  #wait = 0;
  /** Runs served since entry (a stay shorter than a round doubles the wait). */
  #served = 0;
  /** The cycle C, then its first PAD positions again. */
  #cyc = NONE;
  /** Scratch of the same length. */
  #tmp = NONE;
  #m = 0;
  #cur = 0;
  /**
   * The slot at the cursor and its virtual counter as the heap would have it now; the pool's
   * arrays hold the value `#synced` (uses of the current run not yet written: #synced − #left).
   */
  #slot = 0;
  #left = 0;
  #synced = 0;
  /** [next sequence number] while the cycle serves (the heap's is written back at exit). */
  readonly #next = f64Array(1);
  // The pool's per-slot arrays (bound at entry; a pool grows only in add(), which leaves first).
  #seq: Float64Array;
  #sel: Float64Array;
  #round: Float64Array;
  #virtual: Uint32Array;
  #weight: Uint32Array;

  constructor(
    pool: SelectionPool,
    heap: HeapEngine,
    policy: PoolPolicy,
    mode: (mode: number) => void,
  ) {
    this.#pool = pool;
    this.#heap = heap;
    this.#policy = policy;
    this.#mode = mode;
    this.#seq = pool.seq;
    this.#sel = pool.selections;
    this.#round = pool.round;
    this.#virtual = pool.virtual;
    this.#weight = pool.weight;
  }

  /** Whether the cycle serves (not pending). */
  get on(): boolean {
    return this.#state === CYCLE_ON;
  }

  /** The heap engine's root ended its run (moved to the next round): maybe time for a try. */
  ranOut(): void {
    const runs = ++this.#runs;
    if (
      runs >= MIN_WAIT && runs >= (this.#wait || waitFor(this.#heap.n)) && this.#state === CYCLE_OFF
    ) {
      this.#state = CYCLE_PENDING;
      this.#mode(CYCLE_PENDING);
    }
  }

  /**
   * Pending: checks that the heap's state is settled and enters cycle mode, else goes back to
   * the heap. Returns whether the cycle serves now.
   */
  start(): boolean {
    if (this.#state === CYCLE_ON) return true;
    const heap = this.#heap, n = heap.n;
    this.#runs = 0;
    let split = n > 0 && heap.fn === 0 ? this.#settled(n) : -1;
    // The sequence numbers of the first run must stay below SEQ_LIMIT (the heap renumbers there).
    if (split >= 0) {
      const v = this.#pool.virtual[this.#cyc[0]!]!;
      if (heap.nextSequence() + (v > 1 ? v : 1) >= SEQ_LIMIT) split = -1;
    }
    if (split < 0) {
      this.#wait = longer(this.#wait, n);
      this.#state = CYCLE_OFF;
      this.#mode(CYCLE_OFF);
      return false;
    }
    // C = L1 ++ L0 (L is in #cyc from #settled), then its first PAD positions again.
    const cyc = this.#cyc, tmp = this.#tmp;
    for (let i = 0; i < n; i++) tmp[i] = cyc[i]!;
    for (let i = split, j = 0; i < n; i++, j++) cyc[j] = tmp[i]!;
    for (let i = 0, j = n - split; i < split; i++, j++) cyc[j] = tmp[i]!;
    for (let i = 0; i < PAD; i++) cyc[n + i] = cyc[i % n]!;
    this.#m = n;
    this.#cur = n - split;
    this.#served = 0;
    const pool = this.#pool;
    this.#slot = cyc[n - split]!;
    this.#left = this.#synced = pool.virtual[this.#slot]!;
    this.#next[0] = heap.nextSequence();
    heap.flushCounts();
    heap.memoN = 0;
    this.#seq = pool.seq;
    this.#sel = pool.selections;
    this.#round = pool.round;
    this.#virtual = pool.virtual;
    this.#weight = pool.weight;
    this.#state = CYCLE_ON;
    wrrCycleCounts.entered++;
    this.#mode(CYCLE_ON);
    return true;
  }

  // Writes the heap's n elements in heap order into #cyc (L) and returns |L0| if the state is
  // settled, else −1.
  #settled(n: number): number {
    const heap = this.#heap, pool = this.#pool;
    const seq = pool.seq, round = pool.round, virtual = pool.virtual, weight = pool.weight;
    if (this.#cyc.length < n + PAD) {
      this.#cyc = new Int32Array(n + PAD);
      this.#tmp = new Int32Array(n + PAD);
    }
    const cyc = this.#cyc;
    heap.slotsInto(cyc);
    const r = round[cyc[0]!]!;
    if (!settledOrder(cyc, n, r, seq, round, weight, this.#tmp)) return -1;
    // The exact heap order: strictly increasing (key, sequence number); rounds R, then R + 1;
    // every counter but the root's at its weight.
    let split = n, pk = r * ROUND_FACTOR + virtual[cyc[0]!]!, pq = seq[cyc[0]!]!;
    for (let i = 1; i < n; i++) {
      const c = cyc[i]!, cr = round[c]!, v = virtual[c]!, k = cr * ROUND_FACTOR + v, q = seq[c]!;
      if (v !== weight[c] || !(k > pk || (k === pk && q > pq))) return -1;
      if (cr !== r) {
        if (cr !== r + 1) return -1;
        if (split === n) split = i;
      }
      pk = k;
      pq = q;
    }
    // C = L1 ++ L0 must have non-decreasing weights: within L1 and within L0 after the root the
    // increasing keys (counters at their weights) say so; the root and the junction remain.
    const root = weight[cyc[0]!]!;
    if (split > 1 && root > weight[cyc[1]!]!) return -1;
    if (split < n && weight[cyc[n - 1]!]! > root) return -1;
    return split;
  }

  /** Back to the heap: refills it in the cycle's current order (nothing to do when pending). */
  leave(): void {
    if (this.#state === CYCLE_ON) {
      this.sync();
      this.#heap.adoptOrder(this.#cyc, this.#cur, this.#m, this.#next[0]!);
      wrrCycleCounts.left++;
      // A stay shorter than the pool's size did not pay for the entry: wait longer next time.
      const n = this.#m;
      this.#wait = this.#served < n ? longer(this.#wait, n) : 0;
    }
    this.#runs = 0;
    this.#state = CYCLE_OFF;
    this.#mode(CYCLE_OFF);
  }

  /** Writes the uses of the current run not yet written into the pool's arrays. */
  sync(): void {
    const left = this.#left, u = this.#synced - left;
    if (u === 0 || this.#state !== CYCLE_ON) return;
    const s = this.#slot, nx = this.#next, q = nx[0]!;
    this.#seq[s] = q + u - 1;
    nx[0] = q + u;
    this.#virtual[s] = left;
    this.#synced = left;
  }

  /** Whether a change of `slot`'s policy information to `weight` keeps the cycle (same weight). */
  keeps(slot: number, weight: number): boolean {
    return this.#state === CYCLE_ON && this.#weight[slot] === weight;
  }

  /** The first slot in selection order. */
  first(): number {
    return this.#slot;
  }

  /** All slots in selection order. */
  orderInto(out: number[]): void {
    const cyc = this.#cyc, m = this.#m;
    for (let i = 0, j = this.#cur; i < m; i++, j = j + 1 < m ? j + 1 : 0) out.push(cyc[j]!);
  }

  /** selectOne(); `maxIncrement` is at least 1 (weighted round robin's default is 1). */
  selectOne(maxIncrement: number): number {
    if (this.#state !== CYCLE_ON) return this.startOne(maxIncrement);
    const s = this.#slot;
    this.#sel[s]!++;
    const left = this.#left;
    if (left > 1) this.#left = left - 1;
    else this.#runEnd();
    return s;
  }

  /** Pending: selectOne() of the cycle if it starts, else of the heap. */
  startOne(maxIncrement: number): number {
    return this.start() ? this.selectOne(maxIncrement) : this.#heap.selectOne(maxIncrement);
  }

  select(k: number, out: Int32Array, maxIncrement: number): number {
    if (!this.start()) return this.#heap.select(k, out, maxIncrement);
    const m = this.#m, want = k < m ? k : m;
    if (want === 0) return 0;
    if (maxIncrement > 1 && want > 1) {
      this.leave();
      return this.#heap.select(k, out, maxIncrement);
    }
    const cyc = this.#cyc, sel = this.#sel, cur = this.#cur;
    for (let i = 0, j = cur; i < want; i++, j = j + 1 < m ? j + 1 : 0) {
      const s = cyc[j]!;
      out[i] = s;
      sel[s]!++;
    }
    this.#use();
    return want;
  }

  /** select() writing `table[slot]` into `out` (Handlespace.resolveInto). */
  selectInto<T>(k: number, table: readonly T[], out: T[], maxIncrement: number): number {
    const m = this.#m, want = k < m ? k : m;
    if (want > PAD || (maxIncrement > 1 && want > 1) || want === 0 || this.#state !== CYCLE_ON) {
      return this.#selectIntoOther(k, table, out, maxIncrement);
    }
    const cyc = this.#cyc, sel = this.#sel, cur = this.#cur;
    for (let i = 0; i < want; i++) {
      const s = cyc[cur + i]!;
      out[i] = table[s]!;
      sel[s]!++;
    }
    this.#use();
    return want;
  }

  #selectIntoOther<T>(k: number, table: readonly T[], out: T[], maxIncrement: number): number {
    if (!this.start()) return this.#heap.selectInto(k, table, out, maxIncrement);
    const m = this.#m, want = k < m ? k : m;
    if (want === 0) return 0;
    if (maxIncrement > 1 && want > 1) {
      // Uses of elements after the first: the heap's way.
      this.leave();
      return this.#heap.selectInto(k, table, out, maxIncrement);
    }
    const cyc = this.#cyc, sel = this.#sel, cur = this.#cur;
    for (let i = 0, j = cur; i < want; i++, j = j + 1 < m ? j + 1 : 0) {
      const s = cyc[j]!;
      out[i] = table[s]!;
      sel[s]!++;
    }
    this.#use();
    return want;
  }

  // A use of the slot at the cursor: while its virtual counter stays above 1 it only counts down
  // (the sequence number and the counter are written at the end of the run or by sync()).
  #use(): void {
    const left = this.#left;
    if (left > 1) this.#left = left - 1;
    else this.#runEnd();
  }

  // The use that ends the run of the slot at the cursor: its uses' sequence numbers, the next
  // round with its counter at its weight (a key at KEY_LIMIT rebases every round: the heap's rule,
  // on the same elements), the cursor to the next slot. If that run's sequence numbers would reach
  // SEQ_LIMIT, back to the heap, which renumbers.
  #runEnd(): void {
    const s = this.#slot, u = this.#synced - this.#left + 1, nx = this.#next, q = nx[0]! + u;
    this.#seq[s] = q - 1;
    nx[0] = q;
    const round = this.#round[s]! + 1, weight = this.#weight[s]!;
    this.#round[s] = round;
    this.#virtual[s] = weight;
    let cur = this.#cur + 1;
    if (cur === this.#m) cur = 0;
    this.#cur = cur;
    const next = this.#cyc[cur]!, left = this.#virtual[next]!;
    this.#slot = next;
    this.#left = this.#synced = left;
    this.#served++;
    if (round * ROUND_FACTOR + weight >= KEY_LIMIT) {
      this.#policy.rebase(this.#pool, this.#cyc, this.#m);
    }
    if (q + (left > 1 ? left : 1) >= SEQ_LIMIT) this.leave();
  }
}

// The wait after a failed try or a short stay: twice as long, at most four rounds of runs.
function longer(wait: number, n: number): number {
  const w = 2 * (wait || waitFor(n));
  return w < 4 * n ? w : 4 * n > MIN_WAIT ? 4 * n : MIN_WAIT;
}

// Orders slots[1 … n−1] by (round − r, weight, sequence number), the heap's order when every
// virtual counter is at its weight (slots[0], the root, stays): least significant digit first,
// with stable counting sorts on the bytes of the sequence numbers' offsets and then on round and
// weight, O(n); a comparison sort when the ranges are too wide. False if a round is not r or r + 1.
function settledOrder(
  slots: Int32Array,
  n: number,
  r: number,
  seq: Float64Array,
  round: Float64Array,
  weight: Uint32Array,
  tmp: Int32Array,
): boolean {
  const m = n - 1;
  let wmin = Infinity, wmax = -Infinity, qmin = Infinity, qmax = -Infinity;
  for (let i = 1; i < n; i++) {
    const c = slots[i]!, d = round[c]! - r, w = weight[c]!, q = seq[c]!;
    if (d !== 0 && d !== 1) return false;
    if (w < wmin) wmin = w;
    if (w > wmax) wmax = w;
    if (q < qmin) qmin = q;
    if (q > qmax) qmax = q;
  }
  if (m < 2) return true;
  const span = wmax - wmin + 1;
  let src = slots.subarray(1, n), dst = tmp.subarray(0, m);
  if (qmax - qmin >= 4294967296 || span > 4 * n + 256) {
    const sorted = Array.from(src).sort((a, b) =>
      round[a]! - round[b]! || weight[a]! - weight[b]! || seq[a]! - seq[b]!
    );
    for (let i = 0; i < m; i++) src[i] = sorted[i]!;
    return true;
  }
  const count = new Int32Array(Math.max(257, 2 * span + 1));
  const pass = (buckets: number, key: (c: number) => number): void => {
    count.fill(0, 0, buckets + 1);
    for (let i = 0; i < m; i++) count[key(src[i]!) + 1]!++;
    for (let b = 0; b < buckets; b++) count[b + 1]! += count[b]!;
    for (let i = 0; i < m; i++) {
      const c = src[i]!;
      dst[count[key(c)]!++] = c;
    }
    const t = src;
    src = dst;
    dst = t;
  };
  for (let mul = 1, range = qmax - qmin; range >= 1; mul *= 256, range = Math.floor(range / 256)) {
    pass(256, (c) => ((seq[c]! - qmin) / mul) & 255);
  }
  pass(2 * span, (c) => (round[c]! - r) * span + weight[c]! - wmin);
  if (src.buffer !== slots.buffer || src.byteOffset !== slots.byteOffset + 4) {
    for (let i = 0; i < m; i++) slots[i + 1] = src[i]!;
  }
  return true;
}
