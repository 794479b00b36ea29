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
// Entry. The heap engine reports the end of every run of its root (ranOut). This file records
// those slots in a ring of the pool's size; when the new root is in the same round as the slot
// that just left (no element is left in the old round: a boundary candidate) and at least n runs
// ended since the last try, the pool switches to a pending state. The next selection checks the
// state itself in O(n): the last n recorded slots, in order, must be in the heap, all in one
// round, each with its virtual counter at its weight, weights not decreasing, sequence numbers
// strictly increasing (so they are distinct and are all n elements). That is exactly a boundary
// whose order is the recorded list, whatever happened before; if it does not hold, the heap goes
// on and the next try waits for n more runs (so a pool that never settles pays O(1) per run).
//
// While in cycle mode the pool's per-slot numbers (sequence number, round, virtual counter,
// selection count) are kept exactly as the heap would keep them: a use writes the same values,
// sequence numbers are renumbered and rounds rebased by the same rules on the same set of
// elements. Only the heap's own arrays go stale.
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
import { renumber, SEQ_LIMIT } from "./_sequence.ts";
import { f64Array } from "../_slab.ts";

/** Whether new weighted round robin pools use cycle mode (tests turn it off to compare). */
export const wrrCycle = { enabled: true };

/** Pool-wide counts of cycle entries and exits (tests check that their streams use the mode). */
export const wrrCycleCounts = { entered: 0, left: 0 };

/** Cycle positions repeated after the end, so that k ≤ PAD reads need no wrap-around. */
const PAD = 16;

const ROUND_FACTOR = 4294967296;

/** The cycle's state, reported to the pool: the heap serves. */
export const CYCLE_OFF = 0;
/** A boundary was seen: the next selection checks it and enters cycle mode or goes back. */
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
  /** Slots whose run ended, the last n of them (a ring; allocated at the first run's end). */
  #rec = new Int32Array(0);
  #recAt = 0;
  /** Runs ended since the last try. */
  #runs = 0;
  /** The cycle C, then its first PAD positions again. */
  #cyc = new Int32Array(0);
  #m = 0;
  #cur = 0;
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

  /** The pool grew: the recording ring keeps its slots. */
  grow(capacity: number): void {
    if (this.#rec.length === 0) return;
    const rec = new Int32Array(capacity);
    rec.set(this.#rec);
    this.#rec = rec;
  }

  /**
   * The heap engine's root `s` ended its run (moved to the next round); `root` is the new root.
   * Records s; at a boundary candidate after at least n runs, asks the pool for a try.
   */
  ranOut(s: number, root: number): void {
    const n = this.#heap.n;
    let rec = this.#rec;
    if (rec.length < n) rec = this.#rec = new Int32Array(this.#pool.capacity);
    let at = this.#recAt;
    if (at >= n) at = 0;
    rec[at] = s;
    this.#recAt = at + 1;
    const round = this.#pool.round;
    if (++this.#runs >= n && round[root] === round[s] && this.#state === CYCLE_OFF) {
      this.#state = CYCLE_PENDING;
      this.#mode(CYCLE_PENDING);
    }
  }

  /**
   * Pending: checks that the heap is at a boundary whose order is the recorded list and enters
   * cycle mode, else goes back to the heap. Returns whether the cycle serves now.
   */
  start(): boolean {
    if (this.#state === CYCLE_ON) return true;
    const heap = this.#heap, n = heap.n, at = this.#recAt, rec = this.#rec;
    this.#runs = 0;
    const pool = this.#pool;
    const seq = pool.seq, round = pool.round, virtual = pool.virtual, weight = pool.weight;
    let ok = n > 0 && heap.fn === 0 && at <= n && rec.length >= n;
    if (ok) {
      const pos = heap.pos, r = round[rec[at < n ? at : 0]!]!;
      let w = -1, q = -Infinity;
      for (let i = 0, j = at < n ? at : 0; i < n; i++, j = j + 1 < n ? j + 1 : 0) {
        const c = rec[j]!, cw = weight[c]!, cq = seq[c]!;
        if (pos[c]! < 0 || round[c] !== r || virtual[c] !== cw || cw < w || cq <= q) {
          ok = false;
          break;
        }
        w = cw;
        q = cq;
      }
    }
    if (!ok) {
      this.#state = CYCLE_OFF;
      this.#mode(CYCLE_OFF);
      return false;
    }
    let cyc = this.#cyc;
    if (cyc.length < n + PAD) cyc = this.#cyc = new Int32Array(n + PAD);
    for (let i = 0, j = at < n ? at : 0; i < n; i++, j = j + 1 < n ? j + 1 : 0) cyc[i] = rec[j]!;
    for (let i = 0; i < PAD; i++) cyc[n + i] = cyc[i % n]!;
    this.#m = n;
    this.#cur = 0;
    this.#next[0] = heap.nextSequence();
    heap.flushCounts();
    heap.memoN = 0;
    this.#seq = seq;
    this.#sel = pool.selections;
    this.#round = round;
    this.#virtual = virtual;
    this.#weight = weight;
    this.#state = CYCLE_ON;
    wrrCycleCounts.entered++;
    this.#mode(CYCLE_ON);
    return true;
  }

  /** Back to the heap: refills it in the cycle's current order (nothing to do when pending). */
  leave(): void {
    if (this.#state === CYCLE_ON) {
      this.#heap.adoptOrder(this.#cyc, this.#cur, this.#m, this.#next[0]!);
      wrrCycleCounts.left++;
    }
    this.#runs = 0;
    this.#state = CYCLE_OFF;
    this.#mode(CYCLE_OFF);
  }

  /** Whether a change of `slot`'s policy information to `weight` keeps the cycle (same weight). */
  keeps(slot: number, weight: number): boolean {
    return this.#state === CYCLE_ON && this.#weight[slot] === weight;
  }

  /** The first slot in selection order. */
  first(): number {
    return this.#cyc[this.#cur]!;
  }

  /** All slots in selection order. */
  orderInto(out: number[]): void {
    const cyc = this.#cyc, m = this.#m;
    for (let i = 0, j = this.#cur; i < m; i++, j = j + 1 < m ? j + 1 : 0) out.push(cyc[j]!);
  }

  selectOne(maxIncrement: number): number {
    if (this.#state !== CYCLE_ON) return this.startOne(maxIncrement);
    const s = this.#cyc[this.#cur]!;
    this.#sel[s]!++;
    if (maxIncrement > 0) this.#use(s);
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
    if (maxIncrement > 0) this.#use(cyc[cur]!);
    return want;
  }

  /** select() writing `table[slot]` into `out` (Handlespace.resolveInto). */
  selectInto<T>(k: number, table: readonly T[], out: T[], maxIncrement: number): number {
    const m = this.#m, want = k < m ? k : m;
    if (want > PAD || (maxIncrement > 1 && want > 1) || want === 0) {
      return this.#selectIntoOther(k, table, out, maxIncrement);
    }
    const cyc = this.#cyc, sel = this.#sel, cur = this.#cur;
    for (let i = 0; i < want; i++) {
      const s = cyc[cur + i]!;
      out[i] = table[s]!;
      sel[s]!++;
    }
    this.#use(cyc[cur]!);
    return want;
  }

  /** Pending: selectInto() of the cycle if it starts, else of the heap. */
  startInto<T>(k: number, table: readonly T[], out: T[], maxIncrement: number): number {
    return this.start()
      ? this.selectInto(k, table, out, maxIncrement)
      : this.#heap.selectInto(k, table, out, maxIncrement);
  }

  #selectIntoOther<T>(k: number, table: readonly T[], out: T[], maxIncrement: number): number {
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
    if (maxIncrement > 0) this.#use(cyc[cur]!);
    return want;
  }

  // A use of the current slot s: the next sequence number and the per-use update of weighted
  // round robin; while its virtual counter stays above 1 nothing else changes.
  #use(s: number): void {
    const nx = this.#next, q = nx[0]!, virtual = this.#virtual[s]!;
    if (q >= SEQ_LIMIT || virtual <= 1) {
      this.#useLast(s);
      return;
    }
    nx[0] = q + 1;
    this.#seq[s] = q;
    this.#virtual[s] = virtual - 1;
  }

  // #use() when the sequence numbers are renumbered or the run ends: the slot goes to the next
  // round with its counter at its weight, the cursor to the next slot; a key at KEY_LIMIT rebases
  // every round (the heap's rules, on the same elements).
  #useLast(s: number): void {
    const nx = this.#next;
    let q = nx[0]!;
    if (q >= SEQ_LIMIT) q = renumber(this.#seq, this.#cyc, this.#m);
    nx[0] = q + 1;
    this.#seq[s] = q;
    const virtual = this.#virtual[s]!;
    if (virtual > 1) {
      this.#virtual[s] = virtual - 1;
      return;
    }
    const round = this.#round[s]! + 1, weight = this.#weight[s]!;
    this.#round[s] = round;
    this.#virtual[s] = weight;
    const cur = this.#cur + 1;
    this.#cur = cur === this.#m ? 0 : cur;
    if (round * ROUND_FACTOR + weight >= KEY_LIMIT) {
      this.#policy.rebase(this.#pool, this.#cyc, this.#m);
    }
  }
}
