// Round-robin engine: the live slots form a circular doubly linked list in
// sequence-number order, starting at `head` (the least recently used). A use
// gives the head the next sequence number, which makes it the tail: the head
// pointer simply advances. Insertion links the new slot in as the tail.
//
// Layout (by slot): next: Int32Array, prev: Int32Array; scalars head, size.

import type { SelectionPool } from "./selection_pool.ts";
import { SEQ_LIMIT, SEQ_START } from "./_sequence.ts";
import { copyInto, f64Array, Slab } from "../_slab.ts";

export class RingEngine {
  next: Int32Array;
  prev: Int32Array;
  head = -1;
  size = 0;
  /** [next sequence number] (a typed array: a double field would box on every write). */
  readonly #next = f64Array(1, SEQ_START);
  readonly #pool: SelectionPool;
  // The pool's per-slot arrays this engine writes (refreshed when the pool grows).
  #seq: Float64Array;
  #sel: Float64Array;

  constructor(pool: SelectionPool, capacity: number) {
    this.#pool = pool;
    this.#seq = pool.seq;
    this.#sel = pool.selections;
    const slab = new Slab(0, 2 * capacity);
    this.next = slab.i32(capacity);
    this.prev = slab.i32(capacity);
  }

  grow(capacity: number): void {
    this.#seq = this.#pool.seq;
    this.#sel = this.#pool.selections;
    const slab = new Slab(0, 2 * capacity);
    this.next = copyInto(slab.i32(capacity), this.next);
    this.prev = copyInto(slab.i32(capacity), this.prev);
  }

  add(slot: number): void {
    this.#seq[slot] = this.#sequence();
    const head = this.head;
    if (head < 0) {
      this.next[slot] = slot;
      this.prev[slot] = slot;
      this.head = slot;
    } else {
      const tail = this.prev[head]!;
      this.next[tail] = slot;
      this.prev[slot] = tail;
      this.next[slot] = head;
      this.prev[head] = slot;
    }
    this.size++;
  }

  remove(slot: number): void {
    if (--this.size === 0) {
      this.head = -1;
      return;
    }
    const n = this.next[slot]!, p = this.prev[slot]!;
    this.next[p] = n;
    this.prev[n] = p;
    if (this.head === slot) this.head = n;
  }

  selectOne(maxIncrement: number): number {
    const s = this.head;
    if (s < 0) return -1;
    this.#sel[s]!++;
    if (maxIncrement > 0) {
      this.#seq[s] = this.#sequence();
      this.head = this.next[s]!;
    }
    return s;
  }

  select(k: number, out: Int32Array, maxIncrement: number): number {
    const count = k < this.size ? k : this.size;
    const next = this.next, selections = this.#sel;
    let s = this.head;
    for (let i = 0; i < count; i++) {
      out[i] = s;
      selections[s]!++;
      s = next[s]!;
    }
    const used = maxIncrement < count ? maxIncrement : count;
    if (used > 0) this.#use(used);
    return count;
  }

  /** select() writing `table[slot]` into `out` instead of the slots (Handlespace.resolveInto). */
  selectInto<T>(k: number, table: readonly T[], out: T[], maxIncrement: number): number {
    const count = k < this.size ? k : this.size;
    const next = this.next, selections = this.#sel;
    let s = this.head;
    for (let i = 0; i < count; i++) {
      out[i] = table[s]!;
      selections[s]!++;
      s = next[s]!;
    }
    const used = maxIncrement < count ? maxIncrement : count;
    if (used > 0) this.#use(used);
    return count;
  }

  // The first `used` elements from the head are used: the next sequence numbers, and the head
  // moves past them (round robin).
  #use(used: number): void {
    const nx = this.#next, next = this.next;
    if (nx[0]! + used > SEQ_LIMIT) this.#renumber();
    const seq = this.#seq;
    let h = this.head, q = nx[0]!;
    for (let i = 0; i < used; i++) {
      seq[h] = q++;
      h = next[h]!;
    }
    nx[0] = q;
    this.head = h;
  }

  orderInto(out: number[]): void {
    let s = this.head;
    for (let i = 0; i < this.size; i++) {
      out.push(s);
      s = this.next[s]!;
    }
  }

  #sequence(): number {
    const nx = this.#next;
    if (nx[0]! >= SEQ_LIMIT) this.#renumber();
    return nx[0]!++;
  }

  // The ring order is the sequence order, so renumbering is a walk from the head.
  #renumber(): void {
    const seq = this.#seq;
    let s = this.head;
    for (let i = 0; i < this.size; i++) {
      seq[s] = i;
      s = this.next[s]!;
    }
    this.#next[0] = this.size;
  }
}
