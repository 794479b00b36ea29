// Weighted-random engine: an 8-ary tree of prefix sums over the selection
// weights of all slots.
//
// Layout: val: Float64Array by slot, the weight currently in the tree
// (policy.weight, 0 for free slots). pre: Float64Array holding levels 0 … L
// one after another; level 0 has one entry per slot, level l + 1 one entry per
// group of 8 entries of level l, and the top level L is a single group. Entry j
// of a level is the exclusive prefix sum, within its group of 8, of the totals
// of the group's members: pre[start_l + j] = Σ total_l(i) for i from 8⌊j/8⌋ to
// j − 1 (so the first entry of every group is 0), where total_0(s) = val[s]
// and total_{l+1}(g) is the sum of group g of level l. levelStart[l] is the
// offset of level l in pre; every level is padded to a multiple of 8 entries.
// tot: Float64Array(1), the sum of all weights. Weights are integers below
// 2^32 and sums stay below 2^53, so all arithmetic is exact.
//
// One draw: r = drawIndex(rng, total), then descend from the top group; at
// each level the child c is the number of entries 1 … 7 of the group (one
// cache line) that are ≤ r, counted without branches, and r drops by entry c:
// O(log₈ N) levels of 7 compares. What was subtracted on the way down is the
// cumulative weight of all slots before the drawn one (its range starts
// there). Updating a weight adds the difference to the entries after it in its
// group on every level (at most 7 per level) and to the total.
//
// Drawing k distinct slots (1 < k ≤ STEP_OVER_MAX) needs no descent while the guide table is ready
// (a draw it does not answer descends the tree, and the step-over below reads prefixes from it):
// each draw runs over all the weights, as for k = 1, and a slot drawn before in the same selection
// is drawn again (rejection: given that the slot is new, it is distributed exactly as the weights
// of the slots not yet drawn, so the selection is exactly the reference procedure's in
// distribution). After DUPLICATE_MAX such duplicates in one selection (a few PEs hold most of the
// weight) its rest steps over the drawn ranges: after j draws, a draw r in 0 … total − (their
// weights) − 1 is mapped back onto the full range by stepping over the ranges of the slots already
// drawn (in ascending order of their start, add the weight of each range that starts at or before
// r), which gives the same slot as the reference procedure (remove each drawn slot, draw again over
// what remains in ascending slot order). Rejection reads one line of the guide table per draw where
// stepping over needs the drawn range too (a second, dependent line: wave 12). The degradation
// policies' selections (below) step over from the start; k > STEP_OVER_MAX takes each drawn slot
// out of the tree for the rest of the call (#selectMany).
//
// Next to the tree, a guide table (_guide_table.ts) finds the same slot for the same r in
// expected O(1) with one or two cache lines; it is rebuilt lazily after the weights have stayed
// unchanged for a while, and the tree answers whenever it is stale.
//
// The levels are also kept lazily: a burst of weight changes with no descent in between (a
// batch of registrations, updates or deregistrations, a pool growing) stops updating them once
// it exceeds BURST_SHIFT of the capacity (val and the total stay exact), and the next descent
// rebuilds all levels bottom-up from val in O(capacity). A change then costs O(1) and at most
// about as much again in the rebuild, instead of an update of every level; changes between
// descents (a registrar's normal mix) keep the levels current.
//
// Degradation policies (RLUD, RPLUD: USE_DEGRADE) change a weight on every use, and only ever lower
// it between re-registrations (the counter grows, the weight is a spare capacity minus the counter,
// at least 1). For them val holds an UPPER BOUND of each weight, not the weight: a use lowers the
// weight (kept in a 32-byte record per slot with the range start, the load degradation, the
// degradation counter, the selections not yet counted in the pool and the bound, so that a draw
// and a use touch one record and nothing else of the slot's but the caller's entry; records and
// two lists of slots are allocated at a pool's first selection, 40 bytes per slot) and leaves
// val, the tree and the guide table alone, so the table stays valid and a call costs O(1)
// expected. The pool's counter of a slot is written by a use only when it leaves 0 (update()
// tells a changed PE from it), its selection count not at all: flushUses brings both up to date
// from the records of the slots counted since (a list), and the pool calls it before it hands
// its arrays out, before it grows, and (through its getter) whenever a weight formula reads the
// counter; remove() flushes the slot's own record first (at N = 100000, where every call uses a
// slot whose lines are cold, two cache lines less per use: wave 13). A draw is then exact
// rejection sampling: propose a slot s by the same mapping as always over the bounds (drawIndex
// over their total, ranges in ascending slot order, k distinct by stepping over the drawn ones),
// accept it if the draw fell within the first w(s) of its range of bound(s) (r − start(s) < w(s),
// what the descent leaves of r, or r minus the start from the guide table): given s, that
// position is uniform over the range, so the probability is exactly w / bound, with no further
// random number; a rejected proposal is drawn again. The guide table finds the proposal with
// findTracked: its bucket names a slot, and the scan steps through these records from there, so
// the draw reads the table's word (64 KB at most, L2) and the records (waves 12 and 13).
// Accepted slots are distributed exactly as the weights (each step of a k-selection as the
// weights of what remains). The bounds are tightened (val = the weights of the slots used since,
// kept in a list) when the weight lost by uses since the last tightening (`lag`, summed at each
// use; a re-registration that raises a weight sets val to it but does not lower `lag`) exceeds
// 1 / 2^LAG_SHIFT of the bounds' total, before a selection; so at least 7 in 8 proposals are
// accepted on average, and the O(dirty) tightening is paid by at least as many uses. After
// REJECT_MAX rejections in a row the bounds are tightened at once and the step draws again
// (then val equals the weights: the next proposal is accepted). Which slot a given random stream
// picks is thus a function of the pool's operations (the reference model in
// policy_conformance_test.ts replays the rule); with val equal to the weights (no use since the
// last tightening) it is the plain mapping, and so it is for every other weighted-random policy.

import type { Rng } from "../rng.ts";
import type { SelectionPool } from "./selection_pool.ts";
import type { PoolPolicy } from "./policy.ts";
import { drawIndex } from "./_draw.ts";
import {
  USE_DEGRADE,
  USE_NONE,
  WEIGHT_SPARE_LOAD_DEG,
  WEIGHT_SPARE_LOAD_LD_DEG,
  weightByFormula,
} from "./_formula.ts";
import { Slab } from "../_slab.ts";
import { GuideTable, RECORD } from "./_guide_table.ts";
import type { SelectionKernel } from "./selection_kernel.ts";
import {
  freeWhenCollected,
  type RegionHolder,
  WasmRegion,
  WasmSelectionKernel,
} from "./_wasm_selection.ts";

const F = 8;
const SHIFT = 3;

/** Start and weight of the ranges drawn so far in one selection, by start (shared scratch). */
let heldStart = new Float64Array(16);
let heldWeight = new Float64Array(16);

/** Where #find leaves r within the drawn slot's range (a module variable would box a double). */
const found = new Float64Array(1);

const U32_MAX = 0xffffffff;

/**
 * A burst of more than capacity >> BURST_SHIFT (+ BURST_MIN) weight changes without a descent
 * leaves the levels stale until the next descent (a rebuild costs about one level update per 16
 * slots).
 */
const BURST_SHIFT = 4;
const BURST_MIN = 8;

const EMPTY_F64 = new Float64Array(0);
const EMPTY_I32 = new Int32Array(0);
const EMPTY_U32 = new Uint32Array(0);

/** Group totals of one level while the levels are rebuilt (shared scratch). */
let groupTotals = new Float64Array(64);

/** Up to this many draws per selection step over the drawn ranges; above, they leave the tree. */
const STEP_OVER_MAX = 24;

/**
 * Degradation policies: the bounds are tightened before a selection when the weight lost by uses
 * since the last tightening exceeds the bounds' total >> LAG_SHIFT (1/8).
 */
const LAG_SHIFT = 3;

/** Degradation policies: after this many rejected proposals in a row the bounds are tightened. */
const REJECT_MAX = 8;

/**
 * Other policies, 1 < k ≤ STEP_OVER_MAX: after this many draws of a slot drawn before in the same
 * selection, the rest of it steps over the drawn ranges (bounds a call's draws where a few PEs
 * hold most of the weight).
 */
const DUPLICATE_MAX = 8;

export class SumTreeEngine {
  val: Float64Array;
  pre: Float64Array;
  levelStart: Int32Array;
  /** [the sum of all weights] (a typed array: a double field would box on every write). */
  tot: Float64Array;
  size = 0;
  /** Index of the top level. */
  #top = 0;
  /** The WebAssembly kernel, when the levels live in its memory. */
  readonly #wasm: WasmSelectionKernel | undefined;
  #region: WasmRegion | undefined = undefined;
  readonly #holder: RegionHolder = { region: undefined };
  #rest: Float64Array | undefined = undefined;
  #prePtr = 0;
  #restPtr = 0;
  #startsPtr = 0;
  /** Whether descents run in WebAssembly (the tree is large enough). */
  #wasmFind = false;
  /** Whether the levels (pre) lag behind val (val and tot are always exact). */
  #stale = false;
  /** Weight changes since the last descent (see BURST_SHIFT). */
  #burst = 0;
  /** The guide table: the same finds as the tree while the weights stay unchanged. */
  readonly #guide = new GuideTable();
  readonly #pool: SelectionPool;
  readonly #policy: PoolPolicy;
  readonly #weightCode: number;
  readonly #useCode: number;
  // The pool's per-slot arrays this engine reads and writes (refreshed when the pool grows).
  #sel: Float64Array;
  #deg: Uint32Array;
  #ld: Uint32Array;
  /** Whether val holds upper bounds of the weights (a degradation policy, see the top). */
  readonly #lazy: boolean;
  /**
   * [weight lost by uses since the bounds were last tightened]; +∞ while the records below are
   * not allocated (a pool that was never selected from has none), so that the first selection's
   * tightening check allocates them.
   */
  readonly #lag = Float64Array.of(Infinity);
  /**
   * Degradation policies, by slot s at RECORD · s (one half cache line: all that a draw and a use
   * read and write): doubles 0 and 1, the start of its range (written by the guide table's build)
   * and its weight; then, in #r32 at 2 · RECORD · s + 4 … 7, its load degradation, its
   * degradation counter, the selections not yet added to the pool's count, and its bound
   * (= val[s]). The pool's counter and count of a used slot are brought up to date by flushUses.
   */
  #rec: Float64Array;
  /** The same buffer as 32-bit words (see #rec). */
  #r32: Uint32Array;
  /** Slots whose weight fell below their bound (a slot may be listed more than once). */
  #dirty: Int32Array;
  #dirtyCount = 0;
  /** The list overflowed (a slot re-entered it after an update): tightening scans every slot. */
  #dirtyAll = false;
  /**
   * Slots whose record holds selections not yet in the pool's count (listed when that number
   * leaves 0; flushUses empties the list). A slot may be listed more than once.
   */
  #pend: Int32Array;
  #pendCount = 0;
  /** The list overflowed: flushUses scans every slot. */
  #pendAll = false;

  constructor(
    pool: SelectionPool,
    policy: PoolPolicy,
    weightCode: number,
    useCode: number,
    kernel: SelectionKernel,
  ) {
    this.#wasm = kernel instanceof WasmSelectionKernel ? kernel : undefined;
    if (this.#wasm !== undefined) freeWhenCollected(this, this.#holder);
    this.#pool = pool;
    this.#policy = policy;
    this.#weightCode = weightCode;
    this.#useCode = useCode;
    this.#sel = pool.selections;
    this.#deg = pool.degradation;
    this.#ld = pool.loadDegradation;
    // The two weights of the degradation family, spare(load, counter) and
    // spare(load, load degradation, counter), only ever fall on use.
    this.#lazy = useCode === USE_DEGRADE &&
      (weightCode === WEIGHT_SPARE_LOAD_DEG || weightCode === WEIGHT_SPARE_LOAD_LD_DEG);
    this.#dirty = this.#pend = EMPTY_I32;
    this.#rec = EMPTY_F64;
    this.#r32 = EMPTY_U32;
    this.val = this.pre = this.tot = undefined!;
    this.levelStart = undefined!;
    this.#allocate(pool.capacity, false);
  }

  grow(capacity: number): void {
    if (this.#region !== undefined) this.#sync();
    this.#sel = this.#pool.selections;
    this.#deg = this.#pool.degradation;
    this.#ld = this.#pool.loadDegradation;
    this.#allocate(capacity, true);
    this.#guide.invalidate();
    if (this.#rec.length !== 0) {
      const dirty = new Int32Array(capacity);
      dirty.set(this.#dirty.subarray(0, this.#dirtyCount));
      this.#dirty = dirty;
      const pend = new Int32Array(capacity);
      pend.set(this.#pend.subarray(0, this.#pendCount));
      this.#pend = pend;
      // (One record more: the guide table's sentinel.)
      const rec = new Float64Array(RECORD * (this.val.length + 1));
      rec.set(this.#rec);
      this.#rec = rec;
      this.#r32 = new Uint32Array(rec.buffer);
      this.#guide.trackStarts(rec);
    }
  }

  // With the WebAssembly kernel: rebuilds the views over the module's memory after it grew.
  #sync(): void {
    const region = this.#region;
    if (region !== undefined && region.stale) {
      const [pre, rest, starts] = region.sync();
      this.pre = pre as Float64Array;
      this.#rest = rest as Float64Array;
      this.levelStart = starts as Int32Array;
    }
  }

  /**
   * The array the caller reads at each selected slot (a handlespace's entries): a degradation
   * policy's draw reads it early, near the slot it will find (GuideTable.touch).
   */
  touchTable(table: readonly unknown[]): void {
    this.#guide.touch = table;
  }

  /** Whether finds currently go through the guide table (it matches the weights). */
  get guideReady(): boolean {
    return this.#guide.ready;
  }

  /** The sum of all weights in the tree (of their bounds, for a degradation policy). */
  get total(): number {
    return this.tot[0]!;
  }

  /** A live slot's current selection weight (val holds a bound of it for degradation policies). */
  weightOf(slot: number): number {
    return this.#rec.length !== 0 ? this.#rec[RECORD * slot + 1]! : this.#weight(slot);
  }

  // A degradation policy's slot was added or its values changed, and the pool has reset its
  // counter: the record's too (first: the weight formula reads the pool's counters through its
  // getter, whose flush would otherwise bring back the old one), then the weight, load
  // degradation and bound; returns the weight (the caller sets val[slot] to it). Selections the
  // record still counts go to the pool first (a change keeps the count; an added slot's are 0:
  // remove() handed them over). Out of line: add() and changed() are inlined into the
  // registration paths of every policy's pools.
  #record(slot: number): number {
    const r32 = this.#r32, j = 2 * RECORD * slot;
    r32[j + 5] = 0;
    const w = this.#weight(slot);
    if (r32[j + 6] !== 0) {
      this.#sel[slot]! += r32[j + 6]!;
      r32[j + 6] = 0;
    }
    this.#rec[RECORD * slot + 1] = w;
    r32[j + 4] = this.#ld[slot]!;
    r32[j + 7] = w;
    return w;
  }

  // Brings the pool's selection count and degradation counter of one slot up to date with its
  // record.
  #flushSlot(s: number): void {
    const r32 = this.#r32, j = 2 * RECORD * s;
    this.#sel[s]! += r32[j + 6]!;
    r32[j + 6] = 0;
    this.#deg[s] = r32[j + 5]!;
  }

  /**
   * A degradation policy's pool: adds the selections its records still count to the pool's
   * selection counts and copies their degradation counters into the pool's (the pool calls this
   * before its arrays are read). Cheap when nothing is pending.
   */
  flushUses(): void {
    // (Small: the pool's getters, which the registration paths read, inline it.)
    if (this.#pendCount !== 0 || this.#pendAll) this.#flushAll();
  }

  // flushUses with something to do.
  #flushAll(): void {
    const all = this.#pendAll, pend = this.#pend;
    const n = all ? this.val.length : this.#pendCount;
    // (Independent slots: their cache misses overlap.)
    for (let i = 0; i < n; i++) this.#flushSlot(all ? i : pend[i]!);
    this.#pendCount = 0;
    this.#pendAll = false;
  }

  // selectOneBounded's selection of slot s, whose weight was w: counted in its record, and a use
  // when maxIncrement > 0. (One call: with the count inline selectOneBounded no longer fitted
  // the resolution path's inlining budget, wave 13.)
  #selected(s: number, w: number, maxIncrement: number): void {
    const r32 = this.#r32, j = 2 * RECORD * s + 6, p = r32[j]!;
    if (p === 0 || p === U32_MAX) this.#count(s);
    else r32[j] = p + 1;
    if (maxIncrement > 0) this.#degrade(s, w);
  }

  // Counts a selection of slot s in its record; the first one since the last flush lists it.
  #count(s: number): void {
    const r32 = this.#r32, j = 2 * RECORD * s + 6, p = r32[j]!;
    if (p === 0) {
      if (this.#pendCount < this.#pend.length) this.#pend[this.#pendCount++] = s;
      else this.#pendAll = true;
    } else if (p === U32_MAX) {
      this.#flushSlot(s);
      r32[j] = 1;
      return;
    }
    r32[j] = p + 1;
  }

  // Lays out the levels for a capacity and (when growing) rebuilds the sums from val.
  #allocate(capacity: number, grown: boolean): void {
    const pad = (n: number): number => Math.ceil(n / F) * F;
    const starts: number[] = [0];
    let length = pad(capacity);
    for (let n = capacity; n > F;) {
      n = Math.ceil(n / F);
      starts.push(length);
      length += pad(n);
    }
    const total = grown ? this.tot[0]! : 0;
    const slab = new Slab(pad(capacity) + 1, 0);
    const val = slab.f64(pad(capacity));
    if (grown) val.set(this.val);
    this.val = val;
    this.tot = slab.f64(1);
    const wasm = this.#wasm;
    if (wasm !== undefined) {
      // The levels and the level offsets in the module's memory, for tree_find.
      this.#region?.free();
      const region = new WasmRegion(wasm.module.module, [
        ["f64", length],
        ["f64", 1],
        ["i32", starts.length],
      ]);
      this.#region = this.#holder.region = region;
      this.pre = (region.views[0] as Float64Array).fill(0);
      this.#rest = region.views[1] as Float64Array;
      this.levelStart = region.views[2] as Int32Array;
      [this.#prePtr, this.#restPtr, this.#startsPtr] = region.offsets as [number, number, number];
      this.#wasmFind = capacity >= wasm.minTree;
    } else {
      const levels = new Slab(length, starts.length);
      this.pre = levels.f64(length);
      this.levelStart = levels.i32(starts.length);
    }
    this.levelStart.set(starts);
    this.#top = starts.length - 1;
    if (grown) {
      // The total carries over; the (zeroed) levels are rebuilt by the next descent.
      this.tot[0] = total;
      this.#stale = true;
    }
  }

  add(slot: number): void {
    if (this.#region !== undefined) this.#sync();
    const w = this.#rec.length !== 0 ? this.#record(slot) : this.#weight(slot);
    this.val[slot] = w;
    if (w !== 0) {
      this.#change(slot, w);
      this.#guide.invalidate();
    }
    this.size++;
  }

  remove(slot: number): void {
    if (this.#region !== undefined) this.#sync();
    // The record's selections and counter go to the pool's arrays (what they held before).
    if (this.#rec.length !== 0) this.#flushSlot(slot);
    const w = this.val[slot]!;
    this.val[slot] = 0;
    if (w !== 0) {
      this.#change(slot, -w);
      this.#guide.invalidate();
    }
    this.size--;
  }

  changed(slot: number): void {
    if (this.#region !== undefined) this.#sync();
    const w = this.#rec.length !== 0 ? this.#record(slot) : this.#weight(slot);
    const d = w - this.val[slot]!;
    if (d !== 0) {
      this.val[slot] = w;
      this.#change(slot, d);
      this.#guide.invalidate();
    }
  }

  /** Whether val holds bounds of the weights (a degradation policy): selectOneBounded draws. */
  get bounded(): boolean {
    return this.#lazy;
  }

  /** One slot by the engine's rule (selectOneBounded or selectOneExact). */
  selectOne(rng: Rng, maxIncrement: number): number {
    return this.#lazy
      ? this.selectOneBounded(rng, maxIncrement)
      : this.selectOneExact(rng, maxIncrement);
  }

  /**
   * selectOne of an engine whose val holds the weights (not `bounded`): the selection pool's
   * entry for those calls this directly, so their path has no branch for the degradation policies.
   */
  selectOneExact(rng: Rng, maxIncrement: number): number {
    if (this.#region !== undefined) this.#sync();
    const total = this.total;
    if (total <= 0) return -1;
    const r = drawIndex(rng, total);
    let s = this.#guide.findSlot(r);
    if (s < 0) s = this.#miss(r);
    this.#sel[s]!++;
    if (maxIncrement > 0 && this.#useCode !== USE_NONE) this.#used(s);
    return s;
  }

  /** selectOne of a `bounded` engine (a degradation policy): rejection against the bounds. */
  selectOneBounded(rng: Rng, maxIncrement: number): number {
    if (this.#region !== undefined) this.#sync();
    let total = this.tot[0]!;
    if (total <= 0) return -1;
    if (this.#lag[0]! * (1 << LAG_SHIFT) > total) total = this.#tighten();
    const guide = this.#guide, rec = this.#rec;
    let s: number, w: number;
    for (let rejected = 0;;) {
      const r = drawIndex(rng, total);
      s = guide.findTracked(r);
      // Where in its range r fell: from the start the table's build recorded, else what the
      // descent left.
      let pos: number;
      if (s >= 0) pos = r - rec[RECORD * s]!;
      else {
        s = this.#miss(r);
        pos = found[0]!;
      }
      w = rec[RECORD * s + 1]!;
      if (pos < w) break;
      if (++rejected === REJECT_MAX) {
        total = this.#tighten();
        rejected = 0;
      }
    }
    this.#selected(s, w, maxIncrement);
    return s;
  }

  select(k: number, out: Int32Array, rng: Rng, maxIncrement: number): number {
    if (this.#region !== undefined) this.#sync();
    const want = k < this.size ? k : this.size;
    let total = this.total;
    if (want === 0 || total <= 0) return 0;
    const lazy = this.#lazy;
    if (lazy && this.#lag[0]! * (1 << LAG_SHIFT) > total) total = this.#tighten();
    if (want > STEP_OVER_MAX) return this.#selectMany(want, out, rng, maxIncrement);
    if (lazy) return this.#selectLazy(want, out, rng, maxIncrement, total);
    // Distinct slots by rejection: every draw runs over all the weights, exactly as k = 1 (one
    // line of the guide table, no range needed), and a slot drawn before in this call is drawn
    // again; after DUPLICATE_MAX such draws the rest of the call steps over the drawn ranges.
    const guide = this.#guide;
    let count = 0;
    for (let duplicates = 0;;) {
      const r = drawIndex(rng, total);
      let s = guide.findSlot(r);
      if (s < 0) s = this.#miss(r);
      let i = 0;
      while (i < count && out[i] !== s) i++;
      if (i === count) {
        out[count] = s;
        if (++count === want) break;
      } else if (++duplicates === DUPLICATE_MAX) {
        count = this.#selectStepOver(want, out, rng, count, total);
        break;
      }
    }
    const selections = this.#sel;
    for (let i = 0; i < count; i++) selections[out[i]!]!++;
    if (this.#useCode !== USE_NONE) {
      const used = maxIncrement < count ? maxIncrement : count;
      for (let i = 0; i < used; i++) this.#used(out[i]!);
    }
    return count;
  }

  // The rest of a k-selection (k ≤ STEP_OVER_MAX) after DUPLICATE_MAX duplicate draws: with the
  // `count` slots drawn so far (out[0 … count − 1]) out of the weights, each draw r runs over the
  // rest and is mapped back onto the full range by stepping over the drawn ranges (the reference
  // procedure's slot: remove the drawn slots, draw over what remains in ascending slot order).
  // Returns the number of slots in out.
  #selectStepOver(
    want: number,
    out: Int32Array,
    rng: Rng,
    count: number,
    total: number,
  ): number {
    const guide = this.#guide, val = this.val;
    if (heldStart.length < want) {
      heldStart = new Float64Array(2 * want);
      heldWeight = new Float64Array(2 * want);
    }
    const hs = heldStart, hw = heldWeight;
    total = this.#holdDrawn(out, count, total);
    while (total > 0) {
      let r = drawIndex(rng, total);
      // Step over the ranges drawn before (kept sorted by start).
      for (let i = 0; i < count; i++) {
        if (r >= hs[i]!) r += hw[i]!;
        else break;
      }
      // The drawn entry of the guide table, else the tree's descent.
      const e = guide.findEntry(r);
      const s = e >= 0 ? guide.cum[2 * e + 1]! | 0 : this.#miss(r);
      out[count] = s;
      if (++count === want) break;
      // Its range: from the table, or where the descent left r minus what remained within it.
      let start: number, w: number;
      if (e >= 0) {
        const cum = guide.cum;
        start = cum[2 * e]!;
        w = cum[2 * e + 2]! - start;
      } else {
        start = r - found[0]!;
        w = val[s]!;
      }
      total -= w;
      // Insert the range sorted by start (inline here, in the other select path and in
      // #holdDrawn: one shared function measured 0.91–0.98 paired on this path, wave 11).
      let i = count - 1;
      while (i > 0 && hs[i - 1]! > start) {
        hs[i] = hs[i - 1]!;
        hw[i] = hw[i - 1]!;
        i--;
      }
      hs[i] = start;
      hw[i] = w;
    }
    return count;
  }

  // select of a degradation policy (k ≤ STEP_OVER_MAX): as select, with the rejection test, and
  // the drawn slot's range from its record (start, bound) rather than the table's entries.
  #selectLazy(
    want: number,
    out: Int32Array,
    rng: Rng,
    maxIncrement: number,
    total: number,
  ): number {
    const guide = this.#guide, rec = this.#rec;
    if (heldStart.length < want) {
      heldStart = new Float64Array(2 * want);
      heldWeight = new Float64Array(2 * want);
    }
    const hs = heldStart, hw = heldWeight;
    let count = 0, rejected = 0;
    for (;;) {
      let r = drawIndex(rng, total);
      // Step over the ranges drawn before (kept sorted by start).
      for (let i = 0; i < count; i++) {
        if (r >= hs[i]!) r += hw[i]!;
        else break;
      }
      let s = guide.findTracked(r), start: number;
      if (s >= 0) start = rec[RECORD * s]!;
      else {
        s = this.#miss(r);
        start = r - found[0]!;
      }
      // Accepted if r fell within the first w of the slot's range.
      if (!(r - start < rec[RECORD * s + 1]!)) {
        if (++rejected === REJECT_MAX) {
          total = this.#tightenHeld(out, count);
          rejected = 0;
        }
        continue;
      }
      rejected = 0;
      out[count] = s;
      if (++count === want) break;
      const w = this.#r32[2 * RECORD * s + 7]!;
      total -= w;
      if (total <= 0) break;
      // Insert the range sorted by start (inline here, in the other select path and in
      // #holdDrawn: one shared function measured 0.91–0.98 paired on this path, wave 11).
      let i = count - 1;
      while (i > 0 && hs[i - 1]! > start) {
        hs[i] = hs[i - 1]!;
        hw[i] = hw[i - 1]!;
        i--;
      }
      hs[i] = start;
      hw[i] = w;
    }
    // Counted in the records (#count, its common case inline).
    const r32 = this.#r32;
    for (let i = 0; i < count; i++) {
      const j = 2 * RECORD * out[i]! + 6, p = r32[j]!;
      if (p === 0 || p === U32_MAX) this.#count(out[i]!);
      else r32[j] = p + 1;
    }
    const used = maxIncrement < count ? maxIncrement : count;
    for (let i = 0; i < used; i++) this.#degrade(out[i]!, rec[RECORD * out[i]! + 1]!);
    return count;
  }

  // After REJECT_MAX rejections in a k-selection: tightens the bounds, then recomputes the
  // ranges of the `count` slots drawn so far (out[0 … count − 1]) over the new bounds, sorted
  // by start; returns the total of the bounds of the slots not drawn.
  #tightenHeld(out: Int32Array, count: number): number {
    return this.#holdDrawn(out, count, this.#tighten());
  }

  // The ranges of the `count` slots drawn so far (out[0 … count − 1]) into heldStart /
  // heldWeight (room for them made by the caller), sorted by start; returns `total` minus their
  // weights. (The cold paths' form: the draw loops keep their insertion inline, wave 11.)
  #holdDrawn(out: Int32Array, count: number, total: number): number {
    const val = this.val, hs = heldStart, hw = heldWeight;
    for (let j = 0; j < count; j++) {
      const s = out[j]!, start = this.#prefix(s), w = val[s]!;
      total -= w;
      let i = j;
      while (i > 0 && hs[i - 1]! > start) {
        hs[i] = hs[i - 1]!;
        hw[i] = hw[i - 1]!;
        i--;
      }
      hs[i] = start;
      hw[i] = w;
    }
    return total;
  }

  // The sum of val over the slots before `slot` (the start of its range), from the levels.
  #prefix(slot: number): number {
    if (this.#stale) this.#rebuild();
    const pre = this.pre, starts = this.levelStart, top = this.#top;
    let sum = 0, j = slot;
    for (let l = 0; l <= top; l++) {
      sum += pre[starts[l]! + j]!;
      j >>= SHIFT;
    }
    return sum;
  }

  // A degradation policy's use of slot s, whose weight was w: raises the record's counter by the
  // load degradation (capped), lowers the recorded weight and adds what it lost to `lag`; the
  // first loss below its bound lists it. The weight spare(load, [load degradation,]
  // counter) = max(1, 2^32 − 1 − load − … − counter) then becomes exactly max(1, w − load
  // degradation), the counter's cap included (below the cap the sum is exact; at it the weight is
  // 1 either way). The pool's counter is written only when it leaves 0 (so that update() sees
  // from it alone whether the counter is 0); flushUses copies the rest (one cache line less per
  // use at N = 100000, where every use hits another slot's).
  #degrade(s: number, w: number): void {
    const r32 = this.#r32, j = 2 * RECORD * s, ld = r32[j + 4]!;
    const d0 = r32[j + 5]!, sum = d0 + ld;
    const d = sum > U32_MAX ? U32_MAX : sum;
    if (d === d0) return;
    r32[j + 5] = d;
    if (d0 === 0) this.#deg[s] = d;
    const w2 = w - ld < 1 ? 1 : w - ld;
    if (w2 === w) return;
    this.#rec[RECORD * s + 1] = w2;
    this.#lag[0]! += w - w2;
    if (w === r32[j + 7]) {
      if (this.#dirtyCount < this.#dirty.length) this.#dirty[this.#dirtyCount++] = s;
      else this.#dirtyAll = true;
    }
  }

  // Sets the bounds of the listed slots (of every slot after an overflow) to their weights;
  // returns the new total. At the first selection, allocates the records and the list instead
  // (until then no use has lowered a weight: val holds the weights).
  #tighten(): number {
    if (this.#rec.length === 0) return this.#allocateRecords();
    const val = this.val, rec = this.#rec;
    let changed = false;
    const all = this.#dirtyAll, dirty = this.#dirty;
    const n = all ? val.length : this.#dirtyCount;
    for (let i = 0; i < n; i++) {
      const s = all ? i : dirty[i]!, b = val[s]!;
      if (b === 0) continue; // a free slot (removed since it was listed)
      const w = rec[RECORD * s + 1]!;
      if (w !== b) {
        val[s] = this.#r32[2 * RECORD * s + 7] = w;
        this.#change(s, w - b);
        changed = true;
      }
    }
    this.#dirtyCount = 0;
    this.#dirtyAll = false;
    this.#lag[0] = 0;
    if (changed) this.#guide.invalidate();
    return this.tot[0]!;
  }

  // The records and the dirty list of a degradation policy, from val and the load degradations.
  #allocateRecords(): number {
    const val = this.val, ld = this.#ld, capacity = val.length;
    const rec = new Float64Array(RECORD * (capacity + 1)); // the last: the guide's sentinel
    const r32 = new Uint32Array(rec.buffer), deg = this.#deg;
    for (let s = 0; s < capacity; s++) {
      const w = val[s]!;
      if (w === 0) continue;
      rec[RECORD * s + 1] = r32[2 * RECORD * s + 7] = w;
      r32[2 * RECORD * s + 4] = ld[s]!;
      r32[2 * RECORD * s + 5] = deg[s]!;
    }
    this.#rec = rec;
    this.#r32 = r32;
    this.#dirty = new Int32Array(capacity);
    this.#pend = new Int32Array(capacity);
    this.#guide.trackStarts(rec);
    this.#lag[0] = 0;
    return this.tot[0]!;
  }

  // Large k: each drawn slot leaves the tree until the end of the call (O(k log N) instead of
  // stepping over up to k ranges per draw). The guide table does not see these removals, so
  // every draw descends the tree; the tree is as before when the call returns.
  #selectMany(want: number, out: Int32Array, rng: Rng, maxIncrement: number): number {
    if (this.#stale) this.#rebuild();
    this.#burst = 0;
    const val = this.val, lazy = this.#lazy;
    let count = 0, rejected = 0;
    while (count < want && this.total > 0) {
      const s = this.#treeFind(drawIndex(rng, this.total));
      if (lazy) {
        if (!(found[0]! < this.#rec[RECORD * s + 1]!)) {
          if (++rejected === REJECT_MAX) {
            // Tighten with the drawn slots back in the tree, then take them out again.
            for (let i = 0; i < count; i++) this.#addAll(out[i]!, val[out[i]!]!);
            this.#tighten();
            if (this.#stale) this.#rebuild();
            this.#burst = 0;
            for (let i = 0; i < count; i++) this.#addAll(out[i]!, -val[out[i]!]!);
            rejected = 0;
          }
          continue;
        }
        rejected = 0;
      }
      out[count++] = s;
      if (count < want) this.#addAll(s, -val[s]!);
    }
    // Put the removed slots back (the last draw of a full selection stayed in).
    const removed = count < want ? count : count - 1;
    for (let i = 0; i < removed; i++) this.#addAll(out[i]!, val[out[i]!]!);
    if (lazy) { for (let i = 0; i < count; i++) this.#count(out[i]!); }
    else {
      const selections = this.#sel;
      for (let i = 0; i < count; i++) selections[out[i]!]!++;
    }
    if (this.#useCode !== USE_NONE) {
      const used = maxIncrement < count ? maxIncrement : count;
      for (let i = 0; i < used; i++) this.#used(out[i]!);
    }
    return count;
  }

  // A draw the guide table could not answer (stale, or a long scan): counts it towards the
  // table's rebuild and descends the tree.
  #miss(r: number): number {
    if (this.#stale) this.#rebuild();
    this.#burst = 0;
    this.#guide.tick(this.val, this.val.length, this.size, this.total);
    return this.#treeFind(r);
  }

  // The slot whose cumulative weight range contains r (0 ≤ r < total). Each level reads one
  // group of 8 exclusive prefix sums and counts, without branching, entries 1 … 7 at most r:
  // that count is the child to descend into (zero weights are skipped naturally), and r drops
  // by the child's entry. Leaves what remains of r within the slot's range in found[0].
  #treeFind(r: number): number {
    if (this.#wasmFind) {
      const slot = this.#wasm!.module.exports.tree_find(
        this.#prePtr,
        this.#startsPtr,
        this.#top,
        r,
        this.#restPtr,
      );
      found[0] = this.#rest![0]!;
      return slot;
    }
    const pre = this.pre, starts = this.levelStart;
    let i = 0; // index within the current level
    for (let l = this.#top; l >= 0; l--) {
      const g = starts[l]! + (i << SHIFT);
      const c = +(pre[g + 1]! <= r) + +(pre[g + 2]! <= r) + +(pre[g + 3]! <= r) +
        +(pre[g + 4]! <= r) + +(pre[g + 5]! <= r) + +(pre[g + 6]! <= r) + +(pre[g + 7]! <= r);
      r -= pre[g + c]!;
      i = (i << SHIFT) + c;
    }
    found[0] = r;
    return i;
  }

  // A use with a per-use update: a degradation policy's lowers the weight below its bound,
  // another's goes through the policy's hook and the weight is set at once.
  #used(s: number): void {
    if (this.#lazy) this.#degrade(s, this.#rec[RECORD * s + 1]!);
    else {
      this.#policy.update(this.#pool, s);
      this.changed(s);
    }
  }

  #weight(slot: number): number {
    return weightByFormula(this.#weightCode, this.#policy, this.#pool, slot);
  }

  // A slot's weight changed by delta (val already holds the new weight): the total always, the
  // levels unless they are stale or this change makes the burst too long for them.
  #change(slot: number, delta: number): void {
    if (!this.#stale) {
      if (++this.#burst <= (this.val.length >> BURST_SHIFT) + BURST_MIN) {
        this.#addAll(slot, delta);
        return;
      }
      this.#stale = true;
    }
    this.tot[0]! += delta;
  }

  // Recomputes every level from val, bottom-up, in O(capacity): within each group of 8 the
  // exclusive prefix sums of its members' totals, and each group's total as a member of the
  // level above. The sums are of integers below 2^53, so they equal the incrementally kept ones.
  #rebuild(): void {
    const pre = this.pre, starts = this.levelStart, top = this.#top, val = this.val;
    let members = val.length; // level 0: every slot (padded to a multiple of 8)
    if (groupTotals.length < (members >> SHIFT) + 1) {
      groupTotals = new Float64Array((members >> SHIFT) + 1);
    }
    const totals = groupTotals;
    for (let g = 0, base = starts[0]!; g < members; g += F) {
      let sum = 0;
      for (let x = g; x < g + F; x++) {
        pre[base + x] = sum;
        sum += val[x]!;
      }
      totals[g >> SHIFT] = sum;
    }
    for (let l = 1; l <= top; l++) {
      members = (members + F - 1) >> SHIFT; // the groups of the level below
      const base = starts[l]!;
      for (let g = 0; g < members; g += F) {
        let sum = 0;
        for (let x = g; x < g + F; x++) {
          pre[base + x] = sum;
          if (x < members) sum += totals[x]!;
        }
        totals[g >> SHIFT] = sum; // g >> SHIFT ≤ g: that member has been read
      }
    }
    this.#stale = false;
  }

  // Adds delta to a slot's weight in every level (the entries after it in its group) and to
  // the total.
  #addAll(slot: number, delta: number): void {
    const pre = this.pre, starts = this.levelStart, top = this.#top;
    let j = slot;
    for (let l = 0; l <= top; l++) {
      const base = starts[l]!;
      const end = base + (j | (F - 1));
      for (let x = base + j + 1; x <= end; x++) pre[x]! += delta;
      j >>= SHIFT;
    }
    this.tot[0]! += delta;
  }
}
