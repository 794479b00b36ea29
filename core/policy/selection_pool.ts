/**
 * The selection state of one pool: the policy information of its pool
 * elements in struct-of-arrays form and the engine data structure of the
 * pool's policy. Used by the registrar's handlespace (one per pool) and by a
 * pool user's cache; knows nothing about identifiers or addresses, only slots.
 *
 * @module
 */

import type { Rng } from "../rng.ts";
import type { PolicyParameter } from "../wire/policy_parameter.ts";
import type { PoolPolicy, SelectionValues } from "./policy.ts";
import { RingEngine } from "./_ring_engine.ts";
import { HeapEngine } from "./_heap_engine.ts";
import { SumTreeEngine } from "./_sum_tree_engine.ts";
import { DenseEngine } from "./_dense_engine.ts";
import { BucketEngine } from "./_bucket_engine.ts";
import { CalendarEngine, calendarThreshold } from "./_calendar_engine.ts";
import { CYCLE_OFF, WrrCycle } from "./_wrr_cycle.ts";
import { grownCapacity, Slab } from "../_slab.ts";
import {
  type Formula,
  formulaOf,
  KEY_DPF_LOAD_DEG,
  KEY_DPF_LOAD_LD_DEG,
  KEY_HOOK,
  KEY_LOAD_DEG,
  KEY_LOAD_LD_DEG,
  KEY_WRR,
  USE_DEGRADE,
  USE_WRR,
} from "./_formula.ts";
import { type SelectionKernel, tsSelectionKernel } from "./selection_kernel.ts";
import {
  bucketInto,
  calendarInto,
  calendarOne,
  cycleInto,
  denseInto,
  denseOne,
  heapInto,
  ringInto,
  type SelectIntoEntry,
  type SelectOneEntry,
  sumTreeBoundedOne,
  sumTreeInto,
  sumTreeOne,
} from "./_engine_entry.ts";

// Engine kinds. selectOneTrusted() switches on RING, HEAP, BUCKET and CYCLE as literals (bytecode
// budget): change a value there too.
const RING = 0, HEAP = 1, DENSE = 2, SUM_TREE = 3, BUCKET = 4, CALENDAR = 5;
/** Weighted round robin in cycle mode (or about to check whether it can enter it): _wrr_cycle.ts. */
const CYCLE = 6;

/** Options of a {@link SelectionPool}. */
export interface SelectionPoolOptions {
  /** Slots to allocate up front (rounded up to a power of two, at least 4). */
  readonly initialCapacity?: number;
  /**
   * Where the engine runs its hot loops: {@link tsSelectionKernel} (default) or a kernel from
   * {@link createSelectionKernel} (WebAssembly where it measured faster). Both choose the same
   * pool elements.
   */
  readonly kernel?: SelectionKernel;
  /**
   * Whether a weighted round robin pool serves its order, once settled, from a cycle array
   * instead of the heap (default true; the choices are the same, so false is for comparisons).
   */
  readonly wrrCycle?: boolean;
}

/**
 * The pool elements of one pool as numbered slots, and the structure that
 * selects among them by the pool's {@link PoolPolicy}.
 *
 * **Layout** (for kernels that work on the same memory): every
 * {@link SelectionValues} array is indexed by slot; a slot is valid while
 * {@link SelectionPool.has} is true. Free slots are reused (last freed,
 * first reused). The engine structures are documented with each engine:
 * round robin keeps a circular list (`next`, `prev`, `head`); sorted policies
 * an indexed 4-ary heap (`h` with key, sequence number and slot per heap
 * position, `pos` by slot), or with many equal keys buckets of equal keys
 * (circular lists in sequence order, `snext`, `sprev`, `sbucket`) in a 4-ary
 * heap on the key (`bh`, `bpos`, `bkey`, `bhead`, `bsize`); the
 * weighted-random engine an 8-ary sum tree (`sums`, `val`); uniform random and
 * two choices a dense slot array (`dense`, `dpos`, `key`).
 *
 * **Selection** returns up to k distinct slots in the policy's order. Only the
 * first min(k, MaxIncrement) count as used: they get the next sequence
 * number (so equal keys are served round robin) and the policy's per-use
 * update. MaxIncrement 0 means the policy's default.
 *
 * @example Round robin over three pool elements
 * ```ts
 * import { SelectionPool, roundRobin } from "./mod.ts";
 * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const pool = new SelectionPool(roundRobin);
 * const rr = policyParameter(PolicyType.RoundRobin);
 * const a = pool.add(rr), b = pool.add(rr), c = pool.add(rr);
 * const out = new Int32Array(3), rng = new SeededRng(1);
 * const picks = [];
 * for (let i = 0; i < 4; i++) { pool.select(1, out, rng); picks.push(out[0]); }
 * assert.deepEqual(picks, [a, b, c, a]);
 * ```
 */
export class SelectionPool implements SelectionValues {
  readonly #policy: PoolPolicy;
  readonly #kernel: SelectionKernel;
  #kind: number;
  readonly #defaultMaxIncrement: number;
  /** Whether add() calls policy.initialize (custom policies and weighted round robin). */
  readonly #initializes: boolean;
  #capacity: number;
  #size = 0;
  #high = 0;
  #free!: Int32Array;
  #freeCount = 0;
  #alive!: Uint8Array;
  #weight!: Uint32Array;
  #priority!: Uint32Array;
  #load!: Uint32Array;
  #loadDegradation!: Uint32Array;
  #loadDpf!: Uint32Array;
  #weightDpf!: Uint32Array;
  #distance!: Uint32Array;
  #degradation!: Uint32Array;
  #round!: Float64Array;
  #virtual!: Uint32Array;
  #seq!: Float64Array;
  #selections!: Float64Array;
  readonly #ring: RingEngine | undefined;
  #heap: HeapEngine | undefined;
  readonly #dense: DenseEngine | undefined;
  readonly #sumTree: SumTreeEngine | undefined;
  readonly #bucket: BucketEngine | undefined;
  #calendar: CalendarEngine | undefined;
  /** Weighted round robin's cycle mode over the heap engine (_wrr_cycle.ts). */
  readonly #cycle: WrrCycle | undefined;
  /** Whether the pool moves from the heap to the calendar engine once it is large enough. */
  readonly #calendarLater: boolean;
  /** The engine, for the entries below. */
  #engine: unknown;
  /** k = 1 of the engines not dispatched in selectOne() itself (_engine_entry.ts). */
  #one: SelectOneEntry = noOne;
  /** k > 1 of every engine (_engine_entry.ts). */
  #into!: SelectIntoEntry;

  /**
   * Creates an empty selection pool.
   *
   * @param policy The pool's policy.
   * @param options Initial capacity.
   */
  constructor(policy: PoolPolicy, options: SelectionPoolOptions = {}) {
    const wanted = options.initialCapacity ?? 4;
    if (!Number.isInteger(wanted) || wanted < 0) {
      throw new RangeError(
        `Cannot create selection pool: initial capacity ${wanted} is not a non-negative integer`,
      );
    }
    let cap = 4;
    while (cap < wanted) cap *= 2;
    this.#policy = policy;
    const kernel = options.kernel ?? tsSelectionKernel;
    if (typeof kernel !== "object" || kernel === null || typeof kernel.name !== "string") {
      throw new TypeError("Cannot create selection pool: option kernel is not a selection kernel");
    }
    this.#kernel = kernel;
    this.#defaultMaxIncrement = policy.defaultMaxIncrement;
    const formula = formulaOf(policy);
    this.#initializes = formula.key === KEY_HOOK || formula.key === KEY_WRR;
    this.#capacity = cap;
    this.#allocate(cap, false);
    // The degradation family: keys are u32 and a use raises them by at most the PE's load
    // degradation, so from calendarThreshold.min pool elements on a calendar queue orders them
    // (_calendar_engine.ts); small pools stay on the heap engine, whose path they share with the
    // other sorted policies.
    this.#calendarLater = policy.engine === "sorted" && policy.sortedStructure === "heap" &&
      isCalendarFormula(policy, formula);
    switch (policy.engine) {
      case "round-robin":
        this.#kind = RING;
        this.#ring = new RingEngine(this, cap);
        this.#engine = this.#ring;
        this.#into = ringInto;
        break;
      case "sorted":
        if (policy.sortedStructure === "heap") {
          this.#kind = HEAP;
          this.#heap = new HeapEngine(this, policy, formula.key, formula.use);
          this.#engine = this.#heap;
          this.#into = heapInto;
          if (formula.use === USE_WRR && options.wrrCycle !== false) {
            this.#cycle = new WrrCycle(this, this.#heap, policy, (mode) => this.#cycleMode(mode));
            this.#heap.cycle = this.#cycle;
          }
        } else {
          this.#kind = BUCKET;
          this.#bucket = new BucketEngine(this, policy, formula.key, formula.use);
          this.#engine = this.#bucket;
          this.#into = bucketInto;
        }
        break;
      case "uniform-random":
      case "two-choices":
        this.#kind = DENSE;
        this.#dense = new DenseEngine(this, policy, formula.key, formula.use);
        this.#engine = this.#dense;
        this.#one = denseOne;
        this.#into = denseInto;
        break;
      case "weighted-random":
        this.#kind = SUM_TREE;
        this.#sumTree = new SumTreeEngine(this, policy, formula.weight, formula.use, kernel);
        this.#engine = this.#sumTree;
        this.#one = this.#sumTree.bounded ? sumTreeBoundedOne : sumTreeOne;
        this.#into = sumTreeInto;
        break;
      default:
        throw new TypeError(`Cannot create selection pool: unknown engine "${policy.engine}"`);
    }
  }

  /**
   * Names the array the caller maps selected slots through (`table[slot]` after selectOne, as
   * selectInto's `table`), so that an engine that knows a slot near the one it will select
   * before it has found it reads that slot's element early: its cache line then loads in
   * parallel with the engine's own lines instead of after them. Only the degradation policies'
   * weighted-random engine uses it (RLUD / RPLUD at N = 100000, bench/HISTORY.md wave 14); the
   * selections are the same with or without it.
   *
   * @param table The caller's elements by slot (the same array for the pool's life).
   * @example A handlespace's pool names its entries
   * ```ts
   * import { randomizedLeastUsedDegradation, SelectionPool } from "./mod.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * const pool = new SelectionPool(randomizedLeastUsedDegradation);
   * const names: string[] = [];
   * pool.touchTable(names);
   * const type = PolicyType.RandomizedLeastUsedDegradation;
   * names[pool.add(policyParameter(type, { load: 0 }))] = "a";
   * assert.equal(names[pool.selectOne(new SeededRng(1))], "a");
   * ```
   */
  touchTable(table: readonly unknown[]): void {
    this.#sumTree?.touchTable(table);
  }

  /** The pool's policy. */
  get policy(): PoolPolicy {
    return this.#policy;
  }
  /** The selection kernel the engine runs its hot loops with. */
  get kernel(): SelectionKernel {
    return this.#kernel;
  }
  /** Number of live slots. */
  get size(): number {
    return this.#size;
  }
  /** Length of every per-slot array (a power of two). */
  get capacity(): number {
    return this.#capacity;
  }
  /** Weight per slot. */
  get weight(): Uint32Array {
    return this.#weight;
  }
  /** Priority per slot. */
  get priority(): Uint32Array {
    return this.#priority;
  }
  /** Load per slot. */
  get load(): Uint32Array {
    return this.#load;
  }
  /** Load degradation per slot. */
  get loadDegradation(): Uint32Array {
    return this.#loadDegradation;
  }
  /** Load DPF per slot. */
  get loadDpf(): Uint32Array {
    return this.#loadDpf;
  }
  /** Weight DPF per slot. */
  get weightDpf(): Uint32Array {
    return this.#weightDpf;
  }
  /** Distance per slot. */
  get distance(): Uint32Array {
    return this.#distance;
  }
  /**
   * Degradation counter per slot, up to date when read. Read-only: the engines that keep counters
   * in their own records do not see a write into this array.
   */
  get degradation(): Uint32Array {
    // The degradation policies' weighted-random engine and calendar engine keep the counters of
    // used slots in their records until asked (_sum_tree_engine.ts, _calendar_engine.ts).
    this.#sumTree?.flushUses();
    this.#calendar?.flushUses();
    return this.#degradation;
  }
  /**
   * Whether the slot's degradation counter is not 0, without bringing the counters up to date
   * first (as the `degradation` getter does): an engine that keeps counters in its records writes
   * the pool's counter when it leaves 0, so this is exact. A re-registration asks it every time.
   *
   * @param slot a live slot of this pool
   * @returns true if the slot's degradation counter is not 0
   */
  degraded(slot: number): boolean {
    return this.#degradation[slot] !== 0;
  }
  /** Weighted round robin round counter per slot. */
  get round(): Float64Array {
    return this.#round;
  }
  /** Weighted round robin virtual counter per slot. */
  get virtual(): Uint32Array {
    // Weighted round robin's cycle mode writes a run's counter at its end.
    if (this.#kind === CYCLE) this.#cycle!.sync();
    return this.#virtual;
  }
  /** Sequence number per slot. */
  get seq(): Float64Array {
    if (this.#kind === CYCLE) this.#cycle!.sync();
    // The calendar engine keeps them in its records (_calendar_engine.ts).
    else if (this.#kind === CALENDAR) this.#calendar!.syncSequences(this.#seq);
    return this.#seq;
  }
  /**
   * Selection count per slot, up to date when read. Read-only: the engines that count in their
   * own records do not see a write into this array.
   */
  get selections(): Float64Array {
    this.#flushCounts();
    return this.#selections;
  }

  // Brings the selection counts and degradation counters up to date from the engines that keep
  // them in their own state: the heap engine counts repeated selections of its memo lazily, the
  // degradation policies' weighted-random engine and calendar engine count in their records.
  #flushCounts(): void {
    this.#heap?.flushCounts();
    this.#sumTree?.flushUses();
    this.#calendar?.flushUses();
  }

  /**
   * Whether a slot holds a pool element.
   *
   * @param slot A slot number.
   * @returns True for a live slot.
   * @example After removal
   * ```ts
   * import { SelectionPool, random } from "./mod.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import assert from "node:assert/strict";
   * const pool = new SelectionPool(random);
   * const s = pool.add(policyParameter(PolicyType.Random));
   * pool.remove(s);
   * assert.equal(pool.has(s), false);
   * ```
   */
  has(slot: number): boolean {
    return slot >= 0 && slot < this.#capacity && this.#alive[slot] === 1;
  }

  /**
   * Adds a pool element with the given policy information.
   *
   * @param policy The element's policy parameter; its type must be the pool policy's type.
   * @returns The new slot.
   * @throws {TypeError} If the policy type differs from the pool's.
   * @example Two slots
   * ```ts
   * import { SelectionPool, leastUsed } from "./mod.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import assert from "node:assert/strict";
   * const pool = new SelectionPool(leastUsed);
   * const a = pool.add(policyParameter(PolicyType.LeastUsed, { load: 5 }));
   * assert.equal(pool.load[a], 5);
   * assert.equal(pool.size, 1);
   * ```
   */
  add(policy: PolicyParameter): number {
    this.#checkType(policy);
    if (this.#kind === CYCLE) this.#cycle!.leave();
    let slot: number;
    if (this.#freeCount > 0) slot = this.#free[--this.#freeCount]!;
    else {
      if (this.#high === this.#capacity) this.#grow();
      slot = this.#high++;
    }
    this.#alive[slot] = 1;
    this.#store(slot, policy);
    this.#degradation[slot] = 0;
    this.#selections[slot] = 0;
    this.#round[slot] = 0;
    this.#virtual[slot] = 0;
    // Only weighted round robin initialises among the built-in policies (formula KEY_WRR, whose
    // hook does what the hook of the reference does); a hook call from here is megamorphic.
    if (this.#initializes) this.#policy.initialize(this, slot, this.first());
    this.#size++;
    switch (this.#kind) {
      case RING:
        this.#ring!.add(slot);
        break;
      case HEAP:
        this.#heap!.add(slot);
        break;
      case DENSE:
        this.#dense!.add(slot);
        break;
      case BUCKET:
        this.#bucket!.add(slot);
        break;
      case CALENDAR:
        this.#calendar!.add(slot);
        break;
      default:
        this.#sumTree!.add(slot);
    }
    if (this.#calendarLater && this.#kind === HEAP && this.#size >= calendarThreshold.min) {
      this.#toCalendar();
    }
    return slot;
  }

  /**
   * Whether a slot holds exactly the given policy information (all seven
   * fields; the degradation counter and other selection state are not
   * compared).
   *
   * @param slot A live slot.
   * @param policy A policy parameter.
   * @returns True if every field is equal.
   * @throws {RangeError} If the slot is not live.
   * @example Compare
   * ```ts
   * import { SelectionPool, leastUsed } from "./mod.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import assert from "node:assert/strict";
   * const pool = new SelectionPool(leastUsed);
   * const s = pool.add(policyParameter(PolicyType.LeastUsed, { load: 5 }));
   * assert.equal(pool.matches(s, policyParameter(PolicyType.LeastUsed, { load: 5 })), true);
   * assert.equal(pool.matches(s, policyParameter(PolicyType.LeastUsed, { load: 6 })), false);
   * ```
   */
  matches(slot: number, policy: PolicyParameter): boolean {
    this.#checkLive(slot);
    return this.#same(slot, policy);
  }

  /**
   * The slot the next {@link SelectionPool.add} will use (freed slots are
   * reused last freed, first reused), so a caller can save what the old
   * occupant left in the arrays before it is overwritten.
   *
   * @returns A slot number.
   * @example Reuse
   * ```ts
   * import { SelectionPool, random } from "./mod.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import assert from "node:assert/strict";
   * const pool = new SelectionPool(random);
   * const s = pool.add(policyParameter(PolicyType.Random));
   * pool.remove(s);
   * assert.equal(pool.nextSlot(), s);
   * ```
   */
  nextSlot(): number {
    return this.#freeCount > 0 ? this.#free[this.#freeCount - 1]! : this.#high;
  }

  /**
   * Replaces a pool element's policy information (a re-registration). As in
   * RSPLIB, it counts as a change when any value differs or the element's
   * degradation counter is non-zero; a change resets the degradation counter,
   * caps the weighted round robin virtual counter at the new weight and
   * re-positions the element. The sequence number is kept.
   *
   * @param slot A live slot.
   * @param policy The new policy parameter (same type as the pool's).
   * @returns Whether anything changed.
   * @throws {RangeError} If the slot is not live.
   * @throws {TypeError} If the policy type differs from the pool's.
   * @example A load change re-orders Least Used
   * ```ts
   * import { SelectionPool, leastUsed } from "./mod.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * const pool = new SelectionPool(leastUsed);
   * const a = pool.add(policyParameter(PolicyType.LeastUsed, { load: 1 }));
   * const b = pool.add(policyParameter(PolicyType.LeastUsed, { load: 2 }));
   * assert.equal(pool.update(a, policyParameter(PolicyType.LeastUsed, { load: 3 })), true);
   * const out = new Int32Array(1);
   * pool.select(1, out, new SeededRng(1));
   * assert.equal(out[0], b);
   * ```
   */
  update(slot: number, policy: PolicyParameter): boolean {
    // The checks read what the comparison reads anyway (a re-registration of an unchanged PE
    // ends here, so this part stays small enough to inline); a change goes out of line.
    if (this.#alive[slot] !== 1) this.#checkLive(slot);
    if (policy.type !== this.#policy.type) this.#checkType(policy);
    if (this.#degradation[slot] === 0 && this.#same(slot, policy)) return false;
    this.#replace(slot, policy);
    return true;
  }

  // update() of a changed PE (or one with a non-zero degradation counter).
  #replace(slot: number, policy: PolicyParameter): void {
    if (this.#kind === CYCLE) {
      // Weighted round robin's order depends on the weight alone: the cycle stays on other changes.
      if (this.#cycle!.keeps(slot, policy.weight)) {
        this.#store(slot, policy);
        return;
      }
      this.#cycle!.leave();
    }
    this.#store(slot, policy);
    this.#degradation[slot] = 0;
    if (this.#virtual[slot]! > policy.weight) this.#virtual[slot] = policy.weight;
    switch (this.#kind) {
      case HEAP:
        this.#heap!.changed(slot);
        break;
      case DENSE:
        this.#dense!.changed(slot);
        break;
      case SUM_TREE:
        this.#sumTree!.changed(slot);
        break;
      case BUCKET:
        this.#bucket!.changed(slot);
        break;
      case CALENDAR:
        this.#calendar!.changed(slot);
        break;
    }
  }

  /**
   * Removes a pool element; its slot becomes free for reuse.
   *
   * @param slot A live slot.
   * @throws {RangeError} If the slot is not live.
   * @example Remove
   * ```ts
   * import { SelectionPool, random } from "./mod.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import assert from "node:assert/strict";
   * const pool = new SelectionPool(random);
   * const s = pool.add(policyParameter(PolicyType.Random));
   * pool.remove(s);
   * assert.equal(pool.size, 0);
   * ```
   */
  remove(slot: number): void {
    this.#checkLive(slot);
    if (this.#kind === CYCLE) this.#cycle!.leave();
    switch (this.#kind) {
      case RING:
        this.#ring!.remove(slot);
        break;
      case HEAP:
        this.#heap!.remove(slot);
        break;
      case DENSE:
        this.#dense!.remove(slot);
        break;
      case BUCKET:
        this.#bucket!.remove(slot);
        break;
      case CALENDAR:
        this.#calendar!.remove(slot);
        break;
      default:
        this.#sumTree!.remove(slot);
    }
    this.#alive[slot] = 0;
    this.#free[this.#freeCount++] = slot;
    this.#size--;
  }

  /**
   * Selects up to k distinct pool elements by the pool's policy and writes
   * their slots into `out` in selection order. Allocates nothing.
   *
   * @param k How many to select (a non-negative integer); more than the pool holds gives all.
   * @param out Receives the slots; needs room for min(k, size) entries.
   * @param rng Random source for the random-based policies.
   * @param maxIncrement How many of the selected count as used; 0 = the policy's default.
   * @returns The number of slots written.
   * @throws {RangeError} If k or maxIncrement is not a non-negative integer, or `out` is too short.
   * @example Least Used takes the lowest load and rotates among equals
   * ```ts
   * import { SelectionPool, leastUsed } from "./mod.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * const pool = new SelectionPool(leastUsed);
   * const lu = (load: number) => policyParameter(PolicyType.LeastUsed, { load });
   * const a = pool.add(lu(1)), b = pool.add(lu(1));
   * pool.add(lu(9));
   * const out = new Int32Array(2), rng = new SeededRng(1);
   * assert.equal(pool.select(2, out, rng), 2);
   * assert.deepEqual([...out], [a, b]);
   * pool.select(1, out, rng);
   * assert.equal(out[0], b);
   * ```
   */
  select(k: number, out: Int32Array, rng: Rng, maxIncrement = 0): number {
    // Kept small (the checks' messages are built elsewhere) so that V8 inlines it into callers.
    if ((k >>> 0) !== k || (maxIncrement >>> 0) !== maxIncrement) badSelect(k, maxIncrement);
    if (out.length < k && out.length < this.#size) shortOutput(out.length, k, this.#size);
    const mi = maxIncrement === 0 ? this.#defaultMaxIncrement : maxIncrement;
    switch (this.#kind) {
      case HEAP:
        return this.#heap!.select(k, out, mi);
      case BUCKET:
        return this.#bucket!.select(k, out, mi);
      case CALENDAR:
        return this.#calendar!.select(k, out, mi);
      case CYCLE:
        return this.#cycle!.select(k, out, mi);
      case RING:
        return this.#ring!.select(k, out, mi);
      case DENSE:
        return this.#dense!.select(k, out, rng, mi);
      default:
        return this.#sumTree!.select(k, out, rng, mi);
    }
  }

  /**
   * {@link SelectionPool.select} for callers that keep an object per slot: writes
   * `table[slot]` of the selected slots into `out[0 .. n)` instead of the slots (without a
   * round trip through a slot array where the engine remembers its last selection).
   *
   * @param k How many to select (a non-negative integer).
   * @param table The caller's object per slot (e.g. the pool's entries); read at selected slots.
   * @param out Receives the objects (grows as needed; give it room for k to avoid growth).
   * @param rng Random source for the random-based policies.
   * @param maxIncrement How many of the selected count as used; 0 = the policy's default.
   * @returns The number of objects written.
   * @throws {RangeError} If k or maxIncrement is not a non-negative integer.
   * @example Names instead of slots
   * ```ts
   * import { SelectionPool, roundRobin } from "./mod.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * const pool = new SelectionPool(roundRobin);
   * const names: string[] = [];
   * for (const name of ["a", "b", "c"]) names[pool.add(policyParameter(PolicyType.RoundRobin))] = name;
   * const out: string[] = [], rng = new SeededRng(1);
   * assert.equal(pool.selectInto(2, names, out, rng), 2);
   * assert.deepEqual(out, ["a", "b"]);
   * pool.selectInto(2, names, out, rng);
   * assert.deepEqual(out, ["b", "c"]);
   * ```
   */
  selectInto<T>(k: number, table: readonly T[], out: T[], rng: Rng, maxIncrement = 0): number {
    if ((k >>> 0) !== k || (maxIncrement >>> 0) !== maxIncrement) badSelect(k, maxIncrement);
    return this.selectIntoTrusted(
      k,
      table,
      out,
      rng,
      maxIncrement === 0 ? this.#defaultMaxIncrement : maxIncrement,
    );
  }

  /**
   * {@link SelectionPool.selectInto} with arguments its caller has already
   * checked and resolved (Handlespace.resolveInto, which checks k once and
   * keeps the pool's maxIncrement): no checks and no default, so that V8 inlines the k = 1 and the k > 1 selection together
   * into a caller (every byte of bytecode counts against one budget).
   *
   * @param k How many (a non-negative integer: not checked).
   * @param table Values by slot.
   * @param out Receives `table[slot]` of each selected slot, in order.
   * @param rng Random source for the random-based policies.
   * @param maxIncrement How many count as used, already resolved (0: none; the caller puts in the policy's default, e.g. `policy.defaultMaxIncrement`; a non-negative integer: not checked).
   * @returns How many were written.
   * @example Two of three, round robin
   * ```ts
   * import { roundRobin, SelectionPool } from "./mod.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * const pool = new SelectionPool(roundRobin);
   * const names: string[] = [];
   * for (const name of ["a", "b", "c"]) names[pool.add(policyParameter(PolicyType.RoundRobin))] = name;
   * const out: string[] = [];
   * assert.equal(pool.selectIntoTrusted(2, names, out, new SeededRng(1), roundRobin.defaultMaxIncrement), 2);
   * assert.deepEqual(out, ["a", "b"]);
   * ```
   */
  selectIntoTrusted<T>(
    k: number,
    table: readonly T[],
    out: T[],
    rng: Rng,
    maxIncrement: number,
  ): number {
    // The engine's own entry (_engine_entry.ts): inlined where the process serves one engine
    // kind, a call to a function optimised for that engine alone where it serves several.
    return this.#into(this.#engine, k, table, out, rng, maxIncrement);
  }

  /**
   * Selects one pool element (the k = 1 case of {@link SelectionPool.select},
   * without an output array).
   *
   * @param rng Random source for the random-based policies.
   * @param maxIncrement Whether the selection counts as a use: 0 = the policy's default.
   * @returns The slot, or -1 if nothing can be selected (an empty pool, or only zero weights).
   * @throws {RangeError} If maxIncrement is not a non-negative integer.
   * @example Priority picks the highest
   * ```ts
   * import { SelectionPool, priority } from "./mod.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * const pool = new SelectionPool(priority);
   * pool.add(policyParameter(PolicyType.Priority, { priority: 1 }));
   * const high = pool.add(policyParameter(PolicyType.Priority, { priority: 5 }));
   * assert.equal(pool.selectOne(new SeededRng(1)), high);
   * ```
   */
  selectOne(rng: Rng, maxIncrement = 0): number {
    if ((maxIncrement >>> 0) !== maxIncrement) badSelectOne(maxIncrement);
    return this.selectOneTrusted(
      rng,
      maxIncrement === 0 ? this.#defaultMaxIncrement : maxIncrement,
    );
  }

  /**
   * {@link SelectionPool.selectOne} with a maxIncrement its caller has
   * already checked and resolved (Handlespace.resolveInto, which keeps the
   * pool's): no check and no default, so
   * that V8 inlines the k = 1 and the k > 1 selection together into a caller
   * (every byte of bytecode counts against one budget).
   *
   * @param rng Random source for the random-based policies.
   * @param maxIncrement Whether the selection counts as a use, already resolved (0: no; the caller puts in the policy's default, e.g. `policy.defaultMaxIncrement`; a non-negative integer: not checked).
   * @returns The slot, or -1 if nothing can be selected.
   * @example Priority picks the highest
   * ```ts
   * import { SelectionPool, priority } from "./mod.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * const pool = new SelectionPool(priority);
   * pool.add(policyParameter(PolicyType.Priority, { priority: 1 }));
   * const high = pool.add(policyParameter(PolicyType.Priority, { priority: 5 }));
   * assert.equal(pool.selectOneTrusted(new SeededRng(1), priority.defaultMaxIncrement), high);
   * ```
   */
  selectOneTrusted(rng: Rng, maxIncrement: number): number {
    // (The engine kinds as literals, HEAP 1, BUCKET 4, RING 0, CYCLE 6: each use of a module
    // constant is two bytes of bytecode more, and every byte counts against the caller's budget.)
    const mi = maxIncrement;
    switch (this.#kind) {
      case 1:
        return this.#heap!.selectOne(mi);
      case 4:
        return this.#bucket!.selectOne(mi);
      case 0:
        return this.#ring!.selectOne(mi);
      case 6:
        return this.#cycle!.selectOne(mi);
      default:
        // The random engines and the calendar engine through their own entry (_engine_entry.ts), so
        // that in a process serving several kinds they take no inlining budget from the above.
        return this.#one(this.#engine, rng, mi);
    }
  }

  /**
   * The slot that comes first in selection order: the round robin head or
   * the sorted engine's minimum; -1 for an empty pool and for the random
   * engines, which have no order.
   *
   * @returns A slot or -1.
   * @example Priority's first
   * ```ts
   * import { SelectionPool, priority } from "./mod.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import assert from "node:assert/strict";
   * const pool = new SelectionPool(priority);
   * pool.add(policyParameter(PolicyType.Priority, { priority: 1 }));
   * const high = pool.add(policyParameter(PolicyType.Priority, { priority: 5 }));
   * assert.equal(pool.first(), high);
   * ```
   */
  first(): number {
    switch (this.#kind) {
      case RING:
        return this.#ring!.head;
      case HEAP:
        return this.#heap!.first();
      case BUCKET:
        return this.#bucket!.first();
      case CALENDAR:
        return this.#calendar!.first();
      case CYCLE:
        return this.#cycle!.on ? this.#cycle!.first() : this.#heap!.first();
      default:
        return -1;
    }
  }

  /**
   * All live slots in selection order (round robin and sorted engines: the
   * order the next selections would follow if nothing changed; two choices:
   * by key and sequence number; random engines: ascending slot numbers).
   * O(N log N); meant for inspection and tests.
   *
   * @returns The slots.
   * @example Round robin order
   * ```ts
   * import { SelectionPool, roundRobin } from "./mod.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import assert from "node:assert/strict";
   * const pool = new SelectionPool(roundRobin);
   * const a = pool.add(policyParameter(PolicyType.RoundRobin));
   * const b = pool.add(policyParameter(PolicyType.RoundRobin));
   * assert.deepEqual(pool.order(), [a, b]);
   * ```
   */
  order(): number[] {
    const out: number[] = [];
    switch (this.#kind) {
      case RING:
        this.#ring!.orderInto(out);
        break;
      case HEAP:
        this.#heap!.orderInto(out);
        break;
      case DENSE:
        this.#dense!.orderInto(out);
        break;
      case BUCKET:
        this.#bucket!.orderInto(out);
        break;
      case CALENDAR:
        this.#calendar!.orderInto(out);
        break;
      case CYCLE:
        if (this.#cycle!.on) this.#cycle!.orderInto(out);
        else this.#heap!.orderInto(out);
        break;
      default:
        for (let s = 0; s < this.#high; s++) if (this.#alive[s] === 1) out.push(s);
    }
    return out;
  }

  /**
   * The current selection weight of a slot: in the weighted-random engine
   * its weight by the policy's formula (the sum tree holds a bound of it for
   * the degradation policies); for the other engines the policy's weight
   * hook.
   *
   * @param slot A live slot.
   * @returns The weight.
   * @throws {RangeError} If the slot is not live.
   * @example Randomized Least Used weighs by spare capacity
   * ```ts
   * import { SelectionPool, randomizedLeastUsed } from "./mod.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import assert from "node:assert/strict";
   * const pool = new SelectionPool(randomizedLeastUsed);
   * const s = pool.add(policyParameter(PolicyType.RandomizedLeastUsed, { load: 0xfffffff0 }));
   * assert.equal(pool.selectionWeight(s), 0xf);
   * ```
   */
  selectionWeight(slot: number): number {
    this.#checkLive(slot);
    if (this.#kind === SUM_TREE) return this.#sumTree!.weightOf(slot);
    return this.#policy.weight(this, slot);
  }

  // The load first: it is what a re-registration with new values changes most often (a PE
  // reporting its load), so that compare exits at once.
  #same(slot: number, p: PolicyParameter): boolean {
    return this.#load[slot] === p.load && this.#weight[slot] === p.weight &&
      this.#priority[slot] === p.priority && this.#loadDegradation[slot] === p.loadDegradation &&
      this.#loadDpf[slot] === p.loadDpf && this.#weightDpf[slot] === p.weightDpf &&
      this.#distance[slot] === p.distance;
  }

  #store(slot: number, p: PolicyParameter): void {
    this.#weight[slot] = p.weight;
    this.#priority[slot] = p.priority;
    this.#load[slot] = p.load;
    this.#loadDegradation[slot] = p.loadDegradation;
    this.#loadDpf[slot] = p.loadDpf;
    this.#weightDpf[slot] = p.weightDpf;
    this.#distance[slot] = p.distance;
  }

  #checkType(p: PolicyParameter): void {
    if (p.type !== this.#policy.type) {
      throw new TypeError(
        `Cannot store policy information: type 0x${
          p.type.toString(16)
        } is not the pool's ${this.#policy.name}`,
      );
    }
  }

  #checkLive(slot: number): void {
    if (!this.has(slot)) throw new RangeError(`Cannot use slot ${slot}: it holds no pool element`);
  }

  // Moves the pool from the heap engine to the calendar engine, keeping the order (same keys,
  // same sequence numbers) and the selection counts.
  #toCalendar(): void {
    const heap = this.#heap!;
    heap.flushCounts();
    const slots = new Int32Array(this.#size);
    let n = 0;
    for (let s = 0; s < this.#high; s++) if (this.#alive[s] === 1) slots[n++] = s;
    const calendar = new CalendarEngine(this, this.#policy, formulaOf(this.#policy).key);
    calendar.adopt(slots, n, heap.nextSequence(), this.#seq);
    this.#heap = undefined;
    this.#calendar = calendar;
    this.#kind = CALENDAR;
    this.#engine = calendar;
    this.#one = calendarOne;
    this.#into = calendarInto;
  }

  #grow(): void {
    this.#flushCounts();
    const cap = grownCapacity(this.#capacity);
    this.#allocate(cap, true);
    this.#capacity = cap;
    this.#ring?.grow(cap);
    this.#heap?.grow(cap);
    this.#dense?.grow(cap);
    this.#sumTree?.grow(cap);
    this.#bucket?.grow(cap);
    this.#calendar?.grow(cap);
  }

  // The cycle's callback: which engine serves (the heap, the cycle, or the check before it).
  #cycleMode(mode: number): void {
    if (mode === CYCLE_OFF) {
      this.#kind = HEAP;
      this.#engine = this.#heap;
      this.#into = heapInto;
    } else {
      this.#kind = CYCLE;
      this.#engine = this.#cycle;
      this.#into = cycleInto;
    }
  }

  // All per-slot arrays as views of one buffer (one allocation instead of fourteen), with the
  // old contents copied over when growing.
  #allocate(cap: number, grown: boolean): void {
    const slab = new Slab(3 * cap, 10 * cap, cap);
    const f64 = (old: Float64Array): Float64Array => {
      const v = slab.f64(cap);
      if (grown) v.set(old);
      return v;
    };
    const u32 = (old: Uint32Array): Uint32Array => {
      const v = slab.u32(cap);
      if (grown) v.set(old);
      return v;
    };
    this.#round = f64(this.#round);
    this.#seq = f64(this.#seq);
    this.#selections = f64(this.#selections);
    this.#weight = u32(this.#weight);
    this.#priority = u32(this.#priority);
    this.#load = u32(this.#load);
    this.#loadDegradation = u32(this.#loadDegradation);
    this.#loadDpf = u32(this.#loadDpf);
    this.#weightDpf = u32(this.#weightDpf);
    this.#distance = u32(this.#distance);
    this.#degradation = u32(this.#degradation);
    this.#virtual = u32(this.#virtual);
    const free = slab.i32(cap), alive = slab.u8(cap);
    if (grown) {
      free.set(this.#free);
      alive.set(this.#alive);
    }
    this.#free = free;
    this.#alive = alive;
  }
}

/** `#one` of the engines dispatched in selectOne() itself (never called). */
function noOne(): number {
  return -1;
}

// Whether a sorted policy's key is a u32 that only grows on use (the degradation family's
// formulas): then the calendar engine orders it.
function isCalendarFormula(policy: PoolPolicy, formula: Formula): boolean {
  const { key, use } = formula;
  return use === USE_DEGRADE && policy.maxKey === 0xffffffff &&
    (key === KEY_LOAD_DEG || key === KEY_LOAD_LD_DEG || key === KEY_DPF_LOAD_DEG ||
      key === KEY_DPF_LOAD_LD_DEG);
}

function badSelect(k: number, maxIncrement: number): never {
  if ((k >>> 0) !== k) {
    throw new RangeError(`Cannot select pool elements: k ${k} is not a non-negative integer`);
  }
  throw new RangeError(
    `Cannot select pool elements: MaxIncrement ${maxIncrement} is not a non-negative integer`,
  );
}

function shortOutput(length: number, k: number, size: number): never {
  throw new RangeError(
    `Cannot select pool elements: output has room for ${length} of ${k < size ? k : size} slots`,
  );
}

function badSelectOne(maxIncrement: number): never {
  throw new RangeError(
    `Cannot select a pool element: MaxIncrement ${maxIncrement} is not a non-negative integer`,
  );
}
