// The PEs of one pool in identifier order, for paged enumeration, kept
// lazily: a sorted array of entries plus the slots of the PEs added since it
// was sorted. Adding appends a slot number to a typed array (no pointer store,
// so no write barrier and nothing for the collector to trace); enumeration
// resolves the pending slots through the pool's entries by slot, sorts that
// (small) part, merges, and rebuilds the sorted array when the pending part or
// the removed PEs grow too large, so the amortised cost per change stays
// O(log n).
//
// A pending slot names whatever entry holds the slot now: the PE added there,
// or a later one that reused the slot after it was removed (that one was added
// after the sort too, so its slot is pending as well; duplicates are dropped).
// A removed entry stays in the entries array until its slot is reused and is
// skipped as not live. Without enumerations the pending slots are compacted
// (sorted, duplicates dropped) instead of growing past twice the slots in use.

import type { Entry } from "./_entry.ts";
import { grownCapacity, i32Array } from "../_slab.ts";

const byId = (a: Entry, b: Entry): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const EMPTY: readonly Entry[] = [];

export class IdOrder {
  readonly #entries: readonly (Entry | undefined)[];
  #sorted: Entry[] = [];
  /** Slots added since the sorted array was built: #slots[0 .. #count). */
  #slots = i32Array(16);
  #count = 0;
  /** The live entries of the pending slots, sorted, while #resolved is true. */
  #pending: readonly Entry[] = EMPTY;
  #resolved = true;
  #removed = 0;

  /** @param entries The pool's entries by slot (the array itself, read at enumeration). */
  constructor(entries: readonly (Entry | undefined)[]) {
    this.#entries = entries;
  }

  add(slot: number): void {
    if (this.#count === this.#slots.length) this.#makeRoom();
    this.#slots[this.#count++] = slot;
    this.#resolved = false;
  }

  removed(): void {
    this.#removed++;
  }

  /** Live entries with id > after (all if undefined), in id order. */
  *from(after: bigint | undefined): Generator<Entry> {
    this.#tidy();
    const a = this.#sorted, b = this.#pending;
    let i = after === undefined ? 0 : firstAbove(a, after);
    let j = after === undefined ? 0 : firstAbove(b, after);
    while (i < a.length || j < b.length) {
      const e = j >= b.length || (i < a.length && a[i]!.id < b[j]!.id) ? a[i++]! : b[j++]!;
      if (e.live) yield e;
    }
  }

  #tidy(): void {
    const sorted = this.#sorted;
    if (
      this.#count > 64 + (sorted.length >> 3) || this.#removed > 64 + (sorted.length >> 1)
    ) {
      const all = sorted.filter((e) => e.live);
      for (const e of this.#resolve()) all.push(e);
      this.#sorted = sortedUnique(all);
      this.#count = 0;
      this.#pending = EMPTY;
      this.#resolved = true;
      this.#removed = 0;
    } else if (!this.#resolved) {
      this.#pending = sortedUnique(this.#resolve());
      this.#resolved = true;
    }
  }

  // The live entries the pending slots hold now, in no particular order (an entry twice when
  // its slot is pending twice).
  #resolve(): Entry[] {
    const out: Entry[] = [];
    const entries = this.#entries, slots = this.#slots;
    for (let i = 0; i < this.#count; i++) {
      const e = entries[slots[i]!];
      if (e !== undefined && e.live) out.push(e);
    }
    return out;
  }

  // Full buffer: with more pending slots than twice the slots the pool ever used, drop
  // duplicates first; grow unless that freed half of the buffer.
  #makeRoom(): void {
    if (this.#count >= 2 * this.#entries.length) this.#compact();
    if (2 * this.#count > this.#slots.length) {
      const grown = i32Array(grownCapacity(this.#slots.length));
      grown.set(this.#slots);
      this.#slots = grown;
    }
  }

  // Sorts the pending slots and drops duplicates (a slot reused after a removal).
  #compact(): void {
    const n = this.#count;
    if (n < 2) return;
    const slots = this.#slots.subarray(0, n).sort();
    let m = 1;
    for (let i = 1; i < n; i++) if (slots[i] !== slots[m - 1]) slots[m++] = slots[i]!;
    this.#count = m;
  }
}

// Sorts by identifier and drops repeated entries (a live identifier is one entry).
function sortedUnique(list: Entry[]): Entry[] {
  list.sort(byId);
  let m = 0;
  for (let i = 0; i < list.length; i++) {
    if (m === 0 || list[i] !== list[m - 1]) list[m++] = list[i]!;
  }
  list.length = m;
  return list;
}

function firstAbove(list: readonly Entry[], id: bigint): number {
  let lo = 0, hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.id <= id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
