/**
 * A keyed deadline index: at most one pending deadline per integer key, the
 * earliest one available in O(1), set/clear/pop in O(log n). The handlespace
 * keeps one per kind of pool element deadline (keep-alive transmission,
 * keep-alive timeout, lifetime expiry); a registrar can use it for any other
 * per-object timer.
 *
 * @module
 */

import { Slab } from "../_slab.ts";

// The arrays of every empty index (length 0: never written).
const NO_F64 = new Float64Array(0);
const NO_I32 = new Int32Array(0);

/** A deadline taken out of a {@link DeadlineIndex}. */
export interface DueDeadline {
  /** The key it was set for. */
  readonly key: number;
  /** Its time. */
  readonly time: number;
}

/**
 * Pending deadlines keyed by small non-negative integers. Deadlines with the
 * same time come out in the order they were set (a tie counter), so runs are
 * reproducible.
 *
 * Layout: a binary min-heap by position j (children 2j+1, 2j+2) in `time`
 * (Float64Array), `order` (Float64Array, tie counter) and `key`
 * (Int32Array); `pos` (Int32Array by key) is the heap position of a key's
 * deadline or −1.
 *
 * @example Earliest first
 * ```ts
 * import { DeadlineIndex } from "./deadline_index.ts";
 * import assert from "node:assert/strict";
 * const d = new DeadlineIndex();
 * d.set(7, 5000);
 * d.set(3, 1000);
 * assert.equal(d.next(), 1000);
 * assert.deepEqual(d.popDue(2000), { key: 3, time: 1000 });
 * assert.equal(d.popDue(2000), undefined);
 * ```
 */
export class DeadlineIndex {
  // Empty until the first deadline is set: a handlespace keeps three indexes, and a typed
  // array of its own costs 0.3–1 µs to create under Deno, even an empty one (0.3 µs), so all
  // indexes share the same empty arrays until they grow.
  #time: Float64Array = NO_F64;
  #order: Float64Array = NO_F64;
  #key: Int32Array = NO_I32;
  #pos: Int32Array = NO_I32;
  #n = 0;
  #counter = 0;

  /** Number of pending deadlines. */
  get size(): number {
    return this.#n;
  }

  /**
   * Sets (or moves) the deadline of a key.
   *
   * @param key A non-negative integer key.
   * @param time The deadline (any finite number, e.g. ms on a monotonic clock).
   * @throws {RangeError} If the key is not a non-negative integer or the time is not finite.
   * @example Move a deadline
   * ```ts
   * import { DeadlineIndex } from "./deadline_index.ts";
   * import assert from "node:assert/strict";
   * const d = new DeadlineIndex();
   * d.set(1, 100);
   * d.set(1, 50);
   * assert.equal(d.get(1), 50);
   * assert.equal(d.size, 1);
   * ```
   */
  set(key: number, time: number): void {
    if ((key >>> 0) !== key || key > 0x7fffffff) {
      throw new RangeError(`Cannot set deadline: key ${key} is not a non-negative integer`);
    }
    if (!Number.isFinite(time)) {
      throw new RangeError(`Cannot set deadline: time ${time} is not finite`);
    }
    if (key >= this.#pos.length) this.#growKeys(key + 1);
    let j = this.#pos[key]!;
    if (j < 0) {
      if (this.#n === this.#time.length) this.#growHeap();
      j = this.#n++;
      this.#key[j] = key;
    }
    this.#time[j] = time;
    this.#order[j] = this.#counter++;
    this.#pos[key] = j;
    this.#down(this.#up(j));
  }

  /**
   * Removes the deadline of a key.
   *
   * @param key The key.
   * @returns Whether a deadline was pending.
   * @example Clear
   * ```ts
   * import { DeadlineIndex } from "./deadline_index.ts";
   * import assert from "node:assert/strict";
   * const d = new DeadlineIndex();
   * d.set(1, 100);
   * assert.equal(d.clear(1), true);
   * assert.equal(d.next(), undefined);
   * ```
   */
  clear(key: number): boolean {
    const j = key >= 0 && key < this.#pos.length ? this.#pos[key]! : -1;
    if (j < 0) return false;
    this.#removeAt(j);
    return true;
  }

  /**
   * The deadline of a key.
   *
   * @param key The key.
   * @returns Its time, or `undefined` if none is pending.
   * @example Absent
   * ```ts
   * import { DeadlineIndex } from "./deadline_index.ts";
   * import assert from "node:assert/strict";
   * assert.equal(new DeadlineIndex().get(4), undefined);
   * ```
   */
  get(key: number): number | undefined {
    const j = key >= 0 && key < this.#pos.length ? this.#pos[key]! : -1;
    return j < 0 ? undefined : this.#time[j];
  }

  /**
   * The earliest pending deadline, in O(1).
   *
   * @returns Its time, or `undefined` when nothing is pending.
   * @example Empty
   * ```ts
   * import { DeadlineIndex } from "./deadline_index.ts";
   * import assert from "node:assert/strict";
   * assert.equal(new DeadlineIndex().next(), undefined);
   * ```
   */
  next(): number | undefined {
    return this.#n > 0 ? this.#time[0] : undefined;
  }

  /**
   * The key of the earliest pending deadline.
   *
   * @returns The key, or -1 when nothing is pending.
   * @example Peek
   * ```ts
   * import { DeadlineIndex } from "./deadline_index.ts";
   * import assert from "node:assert/strict";
   * const d = new DeadlineIndex();
   * d.set(9, 1);
   * assert.equal(d.nextKey(), 9);
   * ```
   */
  nextKey(): number {
    return this.#n > 0 ? this.#key[0]! : -1;
  }

  /**
   * Takes out the earliest deadline if it is due (time ≤ now).
   *
   * @param now The current time.
   * @returns The due deadline, or `undefined` if none is due.
   * @example Not yet due
   * ```ts
   * import { DeadlineIndex } from "./deadline_index.ts";
   * import assert from "node:assert/strict";
   * const d = new DeadlineIndex();
   * d.set(1, 100);
   * assert.equal(d.popDue(99), undefined);
   * assert.equal(d.popDue(100)?.key, 1);
   * ```
   */
  popDue(now: number): DueDeadline | undefined {
    if (this.#n === 0 || this.#time[0]! > now) return undefined;
    const due = { key: this.#key[0]!, time: this.#time[0]! };
    this.#removeAt(0);
    return due;
  }

  #removeAt(j: number): void {
    this.#pos[this.#key[j]!] = -1;
    const last = --this.#n;
    if (j === last) return;
    this.#time[j] = this.#time[last]!;
    this.#order[j] = this.#order[last]!;
    const moved = this.#key[last]!;
    this.#key[j] = moved;
    this.#pos[moved] = j;
    this.#down(this.#up(j));
  }

  #less(a: number, b: number): boolean {
    const ta = this.#time[a]!, tb = this.#time[b]!;
    return ta < tb || (ta === tb && this.#order[a]! < this.#order[b]!);
  }

  #swap(a: number, b: number): void {
    const t = this.#time[a]!, o = this.#order[a]!, k = this.#key[a]!;
    this.#time[a] = this.#time[b]!;
    this.#order[a] = this.#order[b]!;
    this.#key[a] = this.#key[b]!;
    this.#time[b] = t;
    this.#order[b] = o;
    this.#key[b] = k;
    this.#pos[this.#key[a]!] = a;
    this.#pos[k] = b;
  }

  #up(j: number): number {
    while (j > 0) {
      const p = (j - 1) >> 1;
      if (!this.#less(j, p)) break;
      this.#swap(j, p);
      j = p;
    }
    return j;
  }

  #down(j: number): number {
    for (;;) {
      let c = 2 * j + 1;
      if (c >= this.#n) return j;
      if (c + 1 < this.#n && this.#less(c + 1, c)) c++;
      if (!this.#less(c, j)) return j;
      this.#swap(j, c);
      j = c;
    }
  }

  #growHeap(): void {
    const cap = Math.max(16, this.#time.length * 2);
    const slab = new Slab(2 * cap, cap);
    const time = slab.f64(cap), order = slab.f64(cap), key = slab.i32(cap);
    time.set(this.#time);
    order.set(this.#order);
    key.set(this.#key);
    this.#time = time;
    this.#order = order;
    this.#key = key;
  }

  #growKeys(min: number): void {
    let cap = Math.max(16, this.#pos.length);
    while (cap < min) cap *= 2;
    const pos = new Slab(0, cap).i32(cap, -1);
    pos.set(this.#pos);
    this.#pos = pos;
  }
}
