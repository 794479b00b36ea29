// Sorted engine on an indexed 4-ary min-heap of (key, sequence number): for
// the sorted policies whose key changes only when the policy information
// changes (Least Used, Priority Least Used, the non-degrading DPF variants,
// Weighted Least Used), for weighted round robin, whose key changes on every
// use but mostly downwards (which leaves the root in place), and for the
// degradation family, whose key grows by a small step on every use.
//
// Layout, by heap position i (0 = root; children 4i+1 … 4i+4, parent
// ⌊(i−1)/4⌋), each array stored from index OFF = 3 on (position i at index
// i + 3), so that the four children of a position, at indices 4(i+1) …
// 4(i+1)+3, are one aligned group of 32 bytes (half a cache line):
//   hk: Float64Array, the key of the element at i (the policy's key);
//   hs: Float64Array, its sequence number (a copy of seq[slot]);
//   hslot: Int32Array, its slot.
// Positions from n on hold key and sequence number +Infinity, so a group of
// children can always be read whole (a missing child never wins).
// By slot: pos: Int32Array, the heap position of the slot (−1 when absent,
// −2 when in the saturated list).
//
// Elements whose key equals the policy's maximum key (policy.maxKey, e.g. a
// load plus degradation capped at 0xffffffff) all tie and come after every
// heap element. They sit outside the heap in a list in sequence order
// (fnext, fprev: Int32Array by slot; fhead, ftail, fn), so a use among them,
// the steady state of a degradation policy between re-registrations, is O(1).
//
// Selecting k takes the root and then repeatedly the smallest element of a
// small frontier (children of what was taken): O(k log k) compares and no
// change to the heap. The first up to MEMO slots of the last such selection
// are remembered (memo, memoN) until the order may have changed, so repeated
// selections of k > 1 with static keys copy them. A use gives the slot the next
// sequence number and the per-use update (formula codes, _formula.ts), then
// restores the heap by sifting; the root whose key did not grow and stays
// below its children is left in place in O(1), and the order is unchanged.

import type { SelectionPool } from "./selection_pool.ts";
import { KEY_LIMIT, type PoolPolicy } from "./policy.ts";
import { renumber, SEQ_LIMIT, SEQ_START } from "./_sequence.ts";
import {
  KEY_LOAD,
  KEY_LOAD_DEG,
  KEY_LOAD_LD,
  KEY_LOAD_LD_DEG,
  KEY_WRR,
  keyByFormula,
  USE_DEGRADE,
  USE_HOOK,
  USE_NONE,
  USE_WRR,
} from "./_formula.ts";
import { f64Array, i32Array, Slab } from "../_slab.ts";
import { cappedSum } from "./_policy_math.ts";
import type { WrrCycle } from "./_wrr_cycle.ts";

/** Index of heap position 0 in hk, hs and hslot (usePlain() has it as a literal, too). */
const OFF = 3;

/** Up to this many selected PEs the frontier is scanned linearly; above, it is a heap. */
const LINEAR_FRONTIER = 16;

/** Slots of the last selection of k > 1 that are remembered. */
const MEMO = 8;

/** Scratch frontier shared by all engines of this kind (selections do not interleave). */
let frontier = new Int32Array(4 * LINEAR_FRONTIER + 8);

/** Slots of selectInto() when the memo does not hold them (shared, selections do not interleave). */
let intoScratch = new Int32Array(16);

/**
 * #memoUse: the root, under a use without a per-use update, stays below its children.
 * (selectInto() compares with this and MEMO_USE_OTHER as literals: change them there too.)
 */
const MEMO_USE_PLAIN = 0;
/** #memoUse: weighted round robin's root (useTopWrr). */
const MEMO_USE_WRR = 1;
/** #memoUse: anything else (the general path). */
const MEMO_USE_OTHER = 2;

/** pos[] value of a slot in the saturated list. */
const SATURATED = -2;

const U32_MAX = 0xffffffff;
const ROUND_FACTOR = 4294967296;

/** Heap array length for a capacity: positions 0 … cap−1 plus a padded last group. */
function heapLength(capacity: number): number {
  return capacity + OFF + 8 > 32 ? capacity + OFF + 8 : 32;
}

export class HeapEngine {
  hk: Float64Array;
  hs: Float64Array;
  hslot: Int32Array;
  pos: Int32Array;
  n = 0;
  fnext: Int32Array;
  fprev: Int32Array;
  fhead = -1;
  ftail = -1;
  fn = 0;
  /** The last selection's first slots in order, valid while memoN > 0. */
  readonly memo = i32Array(MEMO);
  memoN = 0;
  /**
   * Selections served from the memo whose counts are not yet in the pool's selection counts:
   * hits[w] selections of the first w memo slots (added by flushCounts() before the memo
   * changes and before the counts are read), so a memo hit writes one number, not k.
   */
  readonly #hits = f64Array(MEMO + 1);
  #pending = false;
  /** How selectInto() may use the memo's first (MEMO_USE_*), found by #remember(). */
  #memoUse = MEMO_USE_OTHER;
  /** The memo's first while the memo is valid and its use is MEMO_USE_PLAIN, else −1. */
  #plainRoot = -1;
  /** Weighted round robin's cycle mode (_wrr_cycle.ts), told of every end of a root's run. */
  cycle: WrrCycle | undefined = undefined;
  readonly #pool: SelectionPool;
  readonly #policy: PoolPolicy;
  readonly #keyCode: number;
  readonly #useCode: number;
  readonly #maxKey: number;
  /** Whether a per-use degradation raises the key by exactly the load degradation (capped). */
  readonly #additive: boolean;
  /** Whether the per-use update is weighted round robin's (useTopWrr). */
  readonly #wrr: boolean;
  // The pool's per-slot arrays this engine reads and writes (refreshed when the pool grows).
  #seq: Float64Array;
  #sel: Float64Array;
  #load: Uint32Array;
  #ld: Uint32Array;
  #deg: Uint32Array;
  #weight: Uint32Array;
  #round: Float64Array;
  #virtual: Uint32Array;

  constructor(
    pool: SelectionPool,
    policy: PoolPolicy,
    keyCode: number,
    useCode: number,
  ) {
    this.#pool = pool;
    this.#policy = policy;
    this.#keyCode = keyCode;
    this.#useCode = useCode;
    this.#maxKey = policy.maxKey;
    this.#wrr = useCode === USE_WRR;
    this.#additive = useCode === USE_DEGRADE &&
      (keyCode === KEY_LOAD_DEG || keyCode === KEY_LOAD_LD_DEG) && policy.maxKey === U32_MAX;
    this.#seq = this.#sel = this.#round = undefined!;
    this.#load =
      this.#ld =
      this.#deg =
      this.#weight =
      this.#virtual =
        undefined!;
    this.#bind();
    const cap = pool.capacity;
    this.hk = this.hs = undefined!;
    this.hslot =
      this.pos =
      this.fnext =
      this.fprev =
        undefined!;
    this.#allocate(cap, false);
  }

  #bind(): void {
    const pool = this.#pool;
    this.#seq = pool.seq;
    this.#sel = pool.selections;
    this.#load = pool.load;
    this.#ld = pool.loadDegradation;
    this.#deg = pool.degradation;
    this.#weight = pool.weight;
    this.#round = pool.round;
    this.#virtual = pool.virtual;
  }

  grow(capacity: number): void {
    this.#bind();
    this.#allocate(capacity, true);
  }

  // The heap arrays and the saturated list's links; when growing, the old contents are copied.
  #allocate(cap: number, grown: boolean): void {
    const len = heapLength(cap);
    const slab = new Slab(0, 2 * cap);
    const fnext = slab.i32(cap), fprev = slab.i32(cap);
    const heap = new Slab(2 * len, len + cap);
    const hk = heap.f64(len).fill(Infinity);
    const hs = heap.f64(len).fill(Infinity);
    const hslot = heap.i32(len);
    const pos = heap.i32(cap, -1);
    if (grown) {
      hk.set(this.hk);
      hs.set(this.hs);
      hslot.set(this.hslot);
      pos.set(this.pos);
      fnext.set(this.fnext);
      fprev.set(this.fprev);
    } else hs[0] = SEQ_START;
    this.hk = hk;
    this.hs = hs;
    this.hslot = hslot;
    this.pos = pos;
    this.fnext = fnext;
    this.fprev = fprev;
  }

  first(): number {
    return this.n > 0 ? this.hslot[OFF]! : this.fhead;
  }

  /** The sequence number the next use would get (for a move to another engine). */
  nextSequence(): number {
    return this.hs[0]!;
  }

  add(slot: number): void {
    this.#dropMemo();
    this.#seq[slot] = this.#sequence();
    const key = this.#addedKey(slot);
    if (key === this.#maxKey) this.#fifoAppend(slot);
    else this.#heapInsert(slot, key);
  }

  // The key of a slot being added or changed: the formulas of least used, priority least used
  // and weighted round robin inline (keyByFormula is a call V8 does not inline, with a boxed
  // number result), the others through it. Registration and re-registration only; the use
  // paths keep #key.
  #addedKey(slot: number): number {
    const code = this.#keyCode;
    if (code === KEY_LOAD) return this.#load[slot]!;
    if (code === KEY_LOAD_LD) return cappedSum(this.#load[slot]!, this.#ld[slot]!);
    if (code === KEY_WRR) return this.#round[slot]! * ROUND_FACTOR + this.#virtual[slot]!;
    return this.#key(slot);
  }

  remove(slot: number): void {
    this.#dropMemo();
    if (this.pos[slot] === SATURATED) this.#fifoUnlink(slot);
    else this.#heapRemove(slot);
  }

  changed(slot: number): void {
    this.#dropMemo();
    const key = this.#addedKey(slot);
    const saturated = key === this.#maxKey;
    if (this.pos[slot] === SATURATED) {
      if (saturated) return;
      this.#fifoUnlink(slot);
      this.#heapInsert(slot, key);
    } else if (saturated) {
      this.#heapRemove(slot);
      this.#fifoInsertBySeq(slot);
    } else {
      const p = this.pos[slot]!;
      // A key the change left alone (weighted round robin's under a new load) stays in place.
      if (this.hk[p + OFF] === key) return;
      this.hk[p + OFF] = key < KEY_LIMIT || key === Infinity ? key : this.#checked(key, slot);
      this.#siftDown(this.#siftUp(this.pos[slot]!));
    }
  }

  selectOne(maxIncrement: number): number {
    // Small, so that V8 inlines it into callers that serve every kind of pool. A root that the
    // memo proved to stay in place under its use (#plainRoot: no per-use update, its key below
    // its four children's) is counted as a memo hit and used without comparing it with its
    // children; anything else out of line.
    // (Literals, not the module's constants, on this path: each use of a module constant is two
    // bytes of bytecode more, and every byte counts against the caller's inlining budget.)
    const s = this.#plainRoot;
    if (s < 0) return this.selectFirst(maxIncrement);
    this.#hits[1]!++;
    this.#pending = true;
    if (maxIncrement > 0) this.usePlain(s);
    return s;
  }

  // selectOne() without a root proved to stay: the root (or the saturated list's head), counted
  // and used.
  selectFirst(maxIncrement: number): number {
    if (this.n === 0) return this.#selectSaturated(maxIncrement);
    const s = this.hslot[OFF]!;
    this.#sel[s]!++;
    if (maxIncrement > 0) {
      // Two call sites, so that V8 inlines only the one a process's policies take.
      if (this.#wrr) this.useTopWrr(s);
      else this.#useTop(s);
    }
    return s;
  }

  // A use of the root s that stays in place (#plainRoot): the next sequence number only.
  usePlain(s: number): void {
    // (2 ** 52 is SEQ_LIMIT, 3 is OFF: literals, see selectOne().)
    const hs = this.hs, seq = hs[0]!;
    if (seq < 4503599627370496) {
      hs[0] = seq + 1;
      hs[3] = seq;
      this.#seq[s] = seq;
    } else this.useFirst(s);
  }

  // A use of the root s: inline for the policies without a per-use update (the next sequence
  // number is kept in hs[0], an index no heap position uses); useFirst for the others. Weighted
  // round robin has its own (useTopWrr): callers branch on #wrr, so that V8 inlines only the
  // variant a process's pools take (a call site never taken is not inlined).
  #useTop(s: number): void {
    const hs = this.hs, seq = hs[0]!;
    if (seq >= SEQ_LIMIT || this.#useCode !== USE_NONE) {
      this.useFirst(s);
      return;
    }
    hs[0] = seq + 1;
    hs[OFF] = seq;
    this.#seq[s] = seq;
    const hk = this.hk, k = hk[OFF]!;
    if (k < hk[4]! && k < hk[5]! && k < hk[6]! && k < hk[7]!) {
      if (this.memoN === 0) this.#rememberRoot(s);
      return;
    }
    this.#dropMemo();
    this.#siftDown(0);
  }

  // The root s, which a use without a per-use update leaves in place (its key is below its
  // four children's), becomes the memo (of one slot) with the plain use: selectOne() then takes
  // it without the comparisons until the order may change.
  #rememberRoot(s: number): void {
    if (this.#pending) this.flushCounts();
    this.memo[0] = s;
    this.memoN = 1;
    this.#memoUse = MEMO_USE_PLAIN;
    this.#plainRoot = s;
  }

  // #useTop of weighted round robin, which serves the root `weight` times in a row: while its
  // virtual counter stays above 1 the key drops by one, the root stays the root and the order
  // is unchanged.
  useTopWrr(s: number): void {
    const hs = this.hs, seq = hs[0]!, virtual = this.#virtual[s]!;
    if (seq >= SEQ_LIMIT || virtual <= 1) {
      this.useFirst(s);
      return;
    }
    this.#virtual[s] = virtual - 1;
    this.hk[OFF]!--;
    hs[0] = seq + 1;
    hs[OFF] = seq;
    this.#seq[s] = seq;
  }

  // #useTop or useTopWrr (the colder callers).
  #useTopAny(s: number): void {
    if (this.#wrr) this.useTopWrr(s);
    else this.#useTop(s);
  }

  select(k: number, out: Int32Array, maxIncrement: number): number {
    const n = this.n, total = n + this.fn;
    const want = k < total ? k : total;
    if (want === 0) return 0;
    const sel = this.#sel;
    if (want <= this.memoN) {
      const memo = this.memo;
      for (let i = 0; i < want; i++) out[i] = memo[i]!;
      this.#hits[want]!++;
      this.#pending = true;
    } else {
      if (this.#pending) this.flushCounts();
      this.#take(want, out);
      this.#remember(out, want);
      for (let i = 0; i < want; i++) sel[out[i]!]!++;
    }
    if (maxIncrement > 0) {
      // The first is the root (or the head of the saturated list): inline; the others, which
      // the first's use may have moved, the general way.
      const s = out[0]!;
      if (n > 0) this.#useTopAny(s);
      else this.#useHead(s);
      if (maxIncrement > 1) {
        const used = maxIncrement < want ? maxIncrement : want;
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
    // Small, so that V8 inlines it: k PEs from the memo (k <= memoN <= PEs) into an `out` that
    // has room (its stores never grow it, so their code has no growth path) and a use of the
    // root that keeps the order (#memoUse, found when the memo was filled); the rest out of line.
    // (k − 1 >>> 0 is at least memoN for k = 0 too: one compare for "0 < k <= memoN".)
    const memo = this.memo, use = this.#memoUse;
    if (
      ((k - 1) >>> 0) >= this.memoN || maxIncrement > 1 || out.length < k || use === 2
    ) return this.selectIntoOther(k, table, out, maxIncrement);
    for (let i = 0; i < k; i++) out[i] = table[memo[i]!]!;
    this.#hits[k]!++;
    this.#pending = true;
    // A root known to stay below its children: no per-use update (weighted round robin's own).
    if (maxIncrement > 0) {
      // (2 and 0: MEMO_USE_OTHER and MEMO_USE_PLAIN as literals, see selectOne().)
      if (use === 0) this.usePlain(memo[0]!);
      else this.useTopWrr(memo[0]!);
    }
    return k;
  }

  selectIntoOther<T>(k: number, table: readonly T[], out: T[], maxIncrement: number): number {
    const n = this.n, total = n + this.fn, want = k < total ? k : total;
    if (want === 0) return 0;
    const memo = this.memo;
    let slots: Int32Array = memo;
    if (want <= this.memoN) {
      for (let i = 0; i < want; i++) out[i] = table[memo[i]!]!;
      this.#hits[want]!++;
      this.#pending = true;
    } else {
      if (this.#pending) this.flushCounts();
      slots = intoScratch;
      if (slots.length < want) slots = intoScratch = new Int32Array(want);
      this.#take(want, slots);
      this.#remember(slots, want);
      const sel = this.#sel;
      for (let i = 0; i < want; i++) {
        const s = slots[i]!;
        sel[s]!++;
        out[i] = table[s]!;
      }
    }
    if (maxIncrement > 0) {
      // (Uses never write the memo or the scratch, so `slots` stays valid.)
      const s = slots[0]!;
      if (n > 0) this.#useTopAny(s);
      else this.#useHead(s);
      if (maxIncrement > 1) {
        const used = maxIncrement < want ? maxIncrement : want;
        for (let i = 1; i < used; i++) this.#use(slots[i]!);
      }
    }
    return want;
  }

  // The first slots of a selection of `want` become the memo, with the kind of use of its first
  // (the root) that selectInto() may do inline: while the memo is valid the keys do not change
  // (a change of the policy information, an add, a remove and every use that moves an element
  // drop it), so a root below its four children stays the root under a use without a per-use
  // update, and weighted round robin's root stays the root while useTopWrr keeps the memo.
  #remember(slots: Int32Array, want: number): void {
    const m = want < MEMO ? want : MEMO, memo = this.memo;
    for (let i = 0; i < m; i++) memo[i] = slots[i]!;
    this.memoN = m;
    let use = MEMO_USE_OTHER;
    if (this.n > 0) {
      if (this.#wrr) use = MEMO_USE_WRR;
      else if (this.#useCode === USE_NONE) {
        const hk = this.hk, key = hk[OFF]!;
        if (key < hk[4]! && key < hk[5]! && key < hk[6]! && key < hk[7]!) use = MEMO_USE_PLAIN;
      }
    }
    this.#memoUse = use;
    this.#plainRoot = use === MEMO_USE_PLAIN ? memo[0]! : -1;
  }

  /** Adds the memo hits to the pool's selection counts. */
  flushCounts(): void {
    if (!this.#pending) return;
    const hits = this.#hits, memo = this.memo, sel = this.#sel;
    for (let w = 1; w <= MEMO; w++) {
      const h = hits[w]!;
      if (h === 0) continue;
      for (let i = 0; i < w; i++) sel[memo[i]!]! += h;
      hits[w] = 0;
    }
    this.#pending = false;
  }

  // The memo may no longer hold the first slots: its pending counts go to the pool first.
  #dropMemo(): void {
    if (this.#pending) this.flushCounts();
    this.memoN = 0;
    this.#plainRoot = -1;
  }

  // A use of the root s (the first in order): the built-in per-use updates inline.
  useFirst(s: number): void {
    const hs0 = this.hs, seq = hs0[0]!;
    if (seq >= SEQ_LIMIT) {
      this.#use(s);
      return;
    }
    hs0[0] = seq + 1;
    this.#seq[s] = seq;
    const hk = this.hk;
    this.hs[OFF] = seq;
    const code = this.#useCode;
    let k = hk[OFF]!;
    if (code === USE_WRR) {
      const virtual = this.#virtual[s]!;
      if (virtual > 1) {
        // The key drops by one: the root stays the root, and the order is unchanged.
        this.#virtual[s] = virtual - 1;
        hk[OFF] = k - 1;
        return;
      }
      this.#useRoot(s);
      return;
    } else if (code === USE_DEGRADE) {
      const ld = this.#ld[s]!, deg = this.#deg[s]! + ld;
      this.#deg[s] = deg > U32_MAX ? U32_MAX : deg;
      // For load + counter (+ load degradation) the key grows by the load degradation.
      k = this.#additive ? (k + ld > U32_MAX ? U32_MAX : k + ld) : this.#key(s);
      if (k === U32_MAX) {
        this.#dropMemo();
        this.#heapRemove(s);
        this.#fifoAppend(s);
        return;
      }
      hk[OFF] = k;
    } else if (code !== USE_NONE) {
      this.#useRoot(s);
      return;
    }
    // Still below all four children (the sequence number now loses ties): the order is unchanged.
    if (!(k < hk[4]! && k < hk[5]! && k < hk[6]! && k < hk[7]!)) {
      this.#dropMemo();
      this.#siftDown(0);
    }
  }

  // selectOne() when every element is in the saturated list (the steady state of a degradation
  // policy): the head is used and moves to the tail. A degradation never lowers a key, so a
  // saturated element stays saturated.
  #selectSaturated(maxIncrement: number): number {
    const f = this.fhead;
    if (f < 0) return -1;
    this.#sel[f]!++;
    if (maxIncrement > 0) this.#useHead(f);
    return f;
  }

  // A use of the head f of the saturated list while the heap is empty.
  #useHead(f: number): void {
    const code = this.#useCode, hs = this.hs, seq = hs[0]!;
    if (seq >= SEQ_LIMIT || (code !== USE_DEGRADE && code !== USE_NONE)) {
      this.#use(f);
      return;
    }
    hs[0] = seq + 1;
    this.#seq[f] = seq;
    if (code === USE_DEGRADE) {
      const deg = this.#deg[f]! + this.#ld[f]!;
      this.#deg[f] = deg > U32_MAX ? U32_MAX : deg;
    }
    const after = this.fnext[f]!;
    if (after >= 0) {
      this.#dropMemo();
      // Head to tail.
      const fnext = this.fnext, fprev = this.fprev, tail = this.ftail;
      this.fhead = after;
      fprev[after] = -1;
      fnext[tail] = f;
      fprev[f] = tail;
      fnext[f] = -1;
      this.ftail = f;
    }
  }

  // The rest of a use of the root whose sequence number is already set (not inline).
  #useRoot(s: number): void {
    this.#dropMemo();
    const code = this.#useCode;
    if (code === USE_WRR) {
      const round = this.#round[s]! + 1;
      this.#round[s] = round;
      this.#virtual[s] = this.#weight[s]!;
      this.hk[OFF] = this.#checked(round * ROUND_FACTOR + this.#weight[s]!, s);
      this.#siftDown(0);
      if (this.cycle !== undefined) this.cycle.ranOut();
      return;
    }
    const pool = this.#pool, policy = this.#policy;
    policy.update(pool, s);
    const key = policy.key(pool, s);
    if (key === this.#maxKey) {
      this.#heapRemove(s);
      this.#fifoAppend(s);
      return;
    }
    this.hk[OFF] = this.#checked(key, s);
    this.#siftDown(this.#siftUp(0));
  }

  /** Writes the slots in the heap (positions 0 … n−1, the root first) into `out`. */
  slotsInto(out: Int32Array): void {
    out.set(this.hslot.subarray(OFF, OFF + this.n));
  }

  /**
   * Refills the heap with its `count` elements in selection order, `order[from …]` wrapping
   * around at `count` (weighted round robin leaving cycle mode: the pool's per-slot values are
   * current, only the heap arrays are stale). A sorted array is a heap: no comparisons.
   */
  adoptOrder(order: Int32Array, from: number, count: number, nextSeq: number): void {
    this.#dropMemo();
    const hk = this.hk, hs = this.hs, hslot = this.hslot, pos = this.pos, seq = this.#seq;
    const round = this.#round, virtual = this.#virtual;
    for (let i = 0, j = from; i < count; i++, j = j + 1 < count ? j + 1 : 0) {
      const s = order[j]!;
      hk[i + OFF] = round[s]! * ROUND_FACTOR + virtual[s]!;
      hs[i + OFF] = seq[s]!;
      hslot[i + OFF] = s;
      pos[s] = i;
    }
    this.n = count;
    hs[0] = nextSeq;
  }

  orderInto(out: number[]): void {
    const hk = this.hk, hs = this.hs, order: number[] = [];
    for (let i = 0; i < this.n; i++) order.push(i + OFF);
    order.sort((a, b) => hk[a]! - hk[b]! || hs[a]! - hs[b]!);
    for (const i of order) out.push(this.hslot[i]!);
    for (let s = this.fhead; s >= 0; s = this.fnext[s]!) out.push(s);
  }

  // The first `want` elements in order: the heap's, then the saturated list's.
  #take(want: number, out: Int32Array): void {
    const n = this.n;
    const fromHeap = want < n ? want : n;
    if (fromHeap === 1) out[0] = this.hslot[OFF]!;
    else if (fromHeap > 1) {
      if (fromHeap <= 3) this.#takeFew(fromHeap, out);
      else if (fromHeap <= LINEAR_FRONTIER) this.#takeLinear(fromHeap, out);
      else this.#takeHeap(fromHeap, out);
    }
    for (let c = fromHeap, s = this.fhead; c < want; c++, s = this.fnext[s]!) out[c] = s;
  }

  // The smallest 2 or 3: the root, the smallest child c, then the smaller of the runner-up
  // among the root's four children and the smallest of c's four children (positions past n
  // hold +Infinity and never win). Which element wins a comparison is a coin flip for the
  // CPU, so choices are arithmetic instead of branches.
  #takeFew(want: number, out: Int32Array): void {
    const hslot = this.hslot;
    out[0] = hslot[OFF]!;
    // Indices 4 … 7: the root's children, as a tournament of two pairs.
    const x = this.#before(5, 4), a = 4 + x, a2 = 5 - x;
    const y = this.#before(7, 6), b = 6 + y, b2 = 7 - y;
    const z = this.#before(b, a);
    const c = a + (b - a) * z;
    out[1] = hslot[c]!;
    if (want === 2) return;
    // The runner-up: the final's loser or the partner c beat in its pair.
    const loser = b + (a - b) * z, beaten = a2 + (b2 - a2) * z;
    const u = this.#before(beaten, loser), up = loser + (beaten - loser) * u;
    const g = this.#minOf4(4 * c - 8);
    out[2] = hslot[up + (g - up) * this.#before(g, up)]!;
  }

  // 1 if the element at index i comes before the one at index j (keys, then sequence numbers),
  // else 0; without branches.
  #before(i: number, j: number): number {
    const hk = this.hk, hs = this.hs, ki = hk[i]!, kj = hk[j]!;
    return +(ki < kj) | (+(ki === kj) & +(hs[i]! < hs[j]!));
  }

  // The index of the smallest of the four elements at g … g + 3: a tournament on the keys
  // without branches (which child wins is a coin flip for the CPU), and only when two compared
  // keys are equal (a predictable branch: rare unless many elements share a key) the exact
  // tournament that also compares sequence numbers.
  #minOf4(g: number): number {
    const a = g + this.#before(g + 1, g);
    const b = g + 2 + this.#before(g + 3, g + 2);
    return a + (b - a) * this.#before(b, a);
  }

  // The smallest `want` elements with a linearly scanned frontier (small k).
  #takeLinear(want: number, out: Int32Array): void {
    const hk = this.hk, hs = this.hs, n = this.n, fr = frontier;
    out[0] = this.hslot[OFF]!;
    let fn = 0;
    for (let c = 1; c <= 4 && c < n; c++) fr[fn++] = c + OFF;
    for (let c = 1; c < want; c++) {
      let bi = 0, bp = fr[0]!, bk = hk[bp]!, bs = hs[bp]!;
      for (let j = 1; j < fn; j++) {
        const p = fr[j]!, pk = hk[p]!;
        if (pk < bk || (pk === bk && hs[p]! < bs)) {
          bi = j;
          bp = p;
          bk = pk;
          bs = hs[p]!;
        }
      }
      out[c] = this.hslot[bp]!;
      fr[bi] = fr[--fn]!;
      const first = 4 * (bp - OFF) + 1;
      for (let q = first; q < first + 4 && q < n; q++) fr[fn++] = q + OFF;
    }
  }

  // The smallest `want` elements with a binary-heap frontier (large k): O(k log k).
  #takeHeap(want: number, out: Int32Array): void {
    const hk = this.hk, hs = this.hs, n = this.n;
    let fr = frontier;
    if (fr.length < 4 * want + 8) fr = frontier = new Int32Array(8 * want + 8);
    const less = (a: number, b: number): boolean =>
      hk[a]! < hk[b]! || (hk[a] === hk[b] && hs[a]! < hs[b]!);
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
    push(OFF);
    for (let c = 0; c < want; c++) {
      const top = pop();
      out[c] = this.hslot[top]!;
      const first = 4 * (top - OFF) + 1;
      for (let q = first; q < first + 4 && q < n; q++) push(q + OFF);
    }
  }

  // A use: the next sequence number and the per-use update, then the heap order restored.
  #use(slot: number): void {
    const seq = this.#sequence();
    this.#seq[slot] = seq;
    const p = this.pos[slot]!;
    if (p === SATURATED) {
      this.#useSaturated(slot);
      return;
    }
    const hk = this.hk, i = p + OFF;
    this.hs[i] = seq;
    switch (this.#useCode) {
      case USE_NONE: {
        // Same key, larger sequence number: the root stays if its key is below all children's.
        if (p === 0) {
          const k = hk[OFF]!;
          if (k < hk[4]! && k < hk[5]! && k < hk[6]! && k < hk[7]!) return;
        }
        break;
      }
      case USE_DEGRADE: {
        const deg = this.#deg[slot]! + this.#ld[slot]!;
        this.#deg[slot] = deg > U32_MAX ? U32_MAX : deg;
        const key = this.#key(slot);
        if (key === this.#maxKey) {
          this.#dropMemo();
          this.#heapRemove(slot);
          this.#fifoAppend(slot);
          return;
        }
        hk[i] = key;
        if (p === 0 && key < hk[4]! && key < hk[5]! && key < hk[6]! && key < hk[7]!) return;
        break;
      }
      case USE_WRR: {
        const virtual = this.#virtual[slot]!;
        if (virtual > 1) {
          // The key drops by one: the root stays the root, anything else can only rise.
          this.#virtual[slot] = virtual - 1;
          hk[i] = hk[i]! - 1;
          if (p === 0) return;
          this.#dropMemo();
          this.#siftUp(p);
          return;
        }
        const round = this.#round[slot]! + 1;
        this.#round[slot] = round;
        this.#virtual[slot] = this.#weight[slot]!;
        hk[i] = this.#checked(round * ROUND_FACTOR + this.#weight[slot]!, slot);
        break;
      }
      default: {
        const pool = this.#pool, policy = this.#policy;
        policy.update(pool, slot);
        const key = policy.key(pool, slot);
        this.#dropMemo();
        if (key === this.#maxKey) {
          this.#heapRemove(slot);
          this.#fifoAppend(slot);
          return;
        }
        hk[i] = this.#checked(key, slot);
        this.#siftDown(this.#siftUp(this.pos[slot]!));
        return;
      }
    }
    this.#dropMemo();
    this.#siftDown(this.pos[slot]!);
  }

  // A use of a slot in the saturated list: the update may bring its key back below the cap.
  #useSaturated(slot: number): void {
    this.#dropMemo();
    if (this.#useCode !== USE_NONE) {
      if (this.#useCode === USE_HOOK) this.#policy.update(this.#pool, slot);
      else if (this.#useCode === USE_DEGRADE) {
        const deg = this.#deg[slot]! + this.#ld[slot]!;
        this.#deg[slot] = deg > U32_MAX ? U32_MAX : deg;
      } else this.#policy.update(this.#pool, slot);
      const key = this.#key(slot);
      if (key !== this.#maxKey) {
        this.#fifoUnlink(slot);
        this.#heapInsert(slot, key);
        return;
      }
    }
    // Still saturated, now the most recently used: to the tail.
    if (this.ftail !== slot) {
      this.#fifoUnlink(slot);
      this.#fifoAppend(slot);
    }
  }

  #key(slot: number): number {
    return keyByFormula(this.#keyCode, this.#policy, this.#pool, slot);
  }

  // Inserts a slot (with its sequence number already set) into the heap; `key` is its key (the
  // callers have computed it to test for saturation: computed once, not twice).
  #heapInsert(slot: number, key: number): void {
    const i = this.n++;
    this.hs[i + OFF] = this.#seq[slot]!;
    this.hslot[i + OFF] = slot;
    this.pos[slot] = i;
    // The common case inline: a key passed to a call V8 does not inline is a heap number when it
    // is above the small-integer range (every weighted round robin key, half the loads).
    this.hk[i + OFF] = key < KEY_LIMIT || key === Infinity ? key : this.#checked(key, slot);
    this.#siftUp(this.pos[slot]!);
  }

  #heapRemove(slot: number): void {
    const p = this.pos[slot]!;
    const last = --this.n;
    this.pos[slot] = -1;
    const hk = this.hk, hs = this.hs, hslot = this.hslot;
    if (p !== last) {
      const moved = hslot[last + OFF]!;
      hk[p + OFF] = hk[last + OFF]!;
      hs[p + OFF] = hs[last + OFF]!;
      hslot[p + OFF] = moved;
      this.pos[moved] = p;
    }
    hk[last + OFF] = Infinity;
    hs[last + OFF] = Infinity;
    if (p !== last && this.#siftUp(p) === p) this.#siftDown(p);
  }

  #sequence(): number {
    const hs = this.hs, seq = hs[0]!;
    if (seq < SEQ_LIMIT) {
      hs[0] = seq + 1;
      return seq;
    }
    this.#renumber();
    return this.hs[0]!++;
  }

  // Renumbers every live slot's sequence number to 0 … count−1 in the same order.
  #renumber(): void {
    const seq = this.#seq, hs = this.hs, hslot = this.hslot, n = this.n;
    const slots = new Int32Array(n + this.fn);
    for (let i = 0; i < n; i++) slots[i] = hslot[i + OFF]!;
    let m = n;
    for (let s = this.fhead; s >= 0; s = this.fnext[s]!) slots[m++] = s;
    hs[0] = renumber(seq, slots, m);
    for (let i = 0; i < n; i++) hs[i + OFF] = seq[slots[i]!]!;
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

  // A key for a slot in the heap; when it reached KEY_LIMIT the policy rebases every key (all
  // heap keys are recomputed) and the slot's new key is returned.
  #checked(key: number, slot: number): number {
    if (key < KEY_LIMIT || key === Infinity) return key;
    const hk = this.hk, hslot = this.hslot, n = this.n;
    const slots = new Int32Array(n);
    for (let i = 0; i < n; i++) slots[i] = hslot[i + OFF]!;
    const policy = this.#policy, pool = this.#pool;
    if (!policy.rebase(pool, slots, n)) return key;
    for (let i = 0; i < n; i++) hk[i + OFF] = this.#key(slots[i]!);
    return this.#key(slot);
  }

  #siftUp(p: number): number {
    const hk = this.hk, hs = this.hs, hslot = this.hslot, pos = this.pos;
    let i = p + OFF;
    const k = hk[i]!, s = hs[i]!, slot = hslot[i]!;
    while (i > OFF) {
      const q = ((i - OFF - 1) >> 2) + OFF;
      const qk = hk[q]!;
      if (qk < k || (qk === k && hs[q]! < s)) break;
      hk[i] = qk;
      hs[i] = hs[q]!;
      const qs = hslot[q]!;
      hslot[i] = qs;
      pos[qs] = i - OFF;
      i = q;
    }
    hk[i] = k;
    hs[i] = s;
    hslot[i] = slot;
    pos[slot] = i - OFF;
    return i - OFF;
  }

  #siftDown(p: number): number {
    const hk = this.hk, hs = this.hs, hslot = this.hslot, pos = this.pos;
    const end = this.n + OFF;
    let i = p + OFF;
    const k = hk[i]!, s = hs[i]!, slot = hslot[i]!;
    for (;;) {
      const g = 4 * i - 8; // index of the first child: 4(i − OFF) + 1 + OFF
      if (g >= end) break;
      // The smallest of the four children (missing ones hold +Infinity); which one wins is a
      // coin flip for the CPU, so the tournament has no branches on the keys.
      const c = this.#minOf4(g);
      const ck = hk[c]!;
      if (k < ck || (k === ck && s < hs[c]!)) break;
      hk[i] = ck;
      hs[i] = hs[c]!;
      const cs = hslot[c]!;
      hslot[i] = cs;
      pos[cs] = i - OFF;
      i = c;
    }
    hk[i] = k;
    hs[i] = s;
    hslot[i] = slot;
    pos[slot] = i - OFF;
    return i - OFF;
  }
}
