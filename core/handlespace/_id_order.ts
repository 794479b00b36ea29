// The PEs of one pool in identifier order, for paged enumeration, kept
// lazily: a sorted array plus the PEs added since it was sorted. Adding is
// O(1); enumeration sorts the (small) pending part, merges, and rebuilds the
// sorted array when the pending part or the removed PEs grow too large, so the
// amortised cost per change stays O(log n).

import type { Entry } from "./_entry.ts";

const byId = (a: Entry, b: Entry): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class IdOrder {
  #sorted: Entry[] = [];
  #pending: Entry[] = [];
  #pendingSorted = true;
  #removed = 0;

  add(entry: Entry): void {
    this.#pending.push(entry);
    this.#pendingSorted = false;
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
    const sorted = this.#sorted, pending = this.#pending;
    if (
      pending.length > 64 + (sorted.length >> 3) || this.#removed > 64 + (sorted.length >> 1)
    ) {
      const all = sorted.concat(pending).filter((e) => e.live);
      all.sort(byId);
      this.#sorted = all;
      this.#pending = [];
      this.#pendingSorted = true;
      this.#removed = 0;
    } else if (!this.#pendingSorted) {
      this.#pending = pending.filter((e) => e.live);
      this.#pending.sort(byId);
      this.#pendingSorted = true;
    }
  }
}

function firstAbove(list: Entry[], id: bigint): number {
  let lo = 0, hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.id <= id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
