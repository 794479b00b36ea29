// A binary min-heap of deadlines (lazy deletion: stale items are the caller's to skip), for
// one-timer scheduling: the driver's roles and the SCTP endpoint's associations.

/** One scheduled deadline. */
export interface HeapItem<T> {
  /** The deadline (ms). */
  readonly at: number;
  /** What it belongs to. */
  readonly value: T;
}

/** A min-heap ordered by `at`. Stale items are the caller's to skip (lazy deletion). */
export class DeadlineHeap<T> {
  #items: HeapItem<T>[] = [];

  /** Number of items, stale ones included. */
  get size(): number {
    return this.#items.length;
  }

  /**
   * Adds an item.
   *
   * @param at The deadline.
   * @param value Its owner.
   */
  push(at: number, value: T): void {
    const items = this.#items;
    items.push({ at, value });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]!.at <= at) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = { at, value };
  }

  /**
   * The earliest item, or `undefined`.
   *
   * @returns The item (still in the heap).
   */
  peek(): HeapItem<T> | undefined {
    return this.#items[0];
  }

  /**
   * Removes and returns the earliest item.
   *
   * @returns The item, or `undefined` when empty.
   */
  pop(): HeapItem<T> | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    const n = items.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && items[r]!.at < items[l]!.at ? r : l;
      if (items[c]!.at >= last.at) break;
      items[i] = items[c]!;
      i = c;
    }
    items[i] = last;
    return top;
  }
}
