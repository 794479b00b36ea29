/**
 * A first-in first-out queue with O(1) push and shift, for the output and event queues of the
 * sans-IO roles (an array's `shift()` is O(n) once it holds many items).
 *
 * @module
 */

/**
 * A FIFO queue. Items are kept in an array with a moving head; the consumed prefix is dropped
 * when it makes up most of the array, so memory stays proportional to the items queued.
 *
 * @typeParam T The item type (`undefined` is not a valid item: `shift()` uses it for "empty").
 * @example Queue and drain
 * ```ts
 * import { Fifo } from "./fifo.ts";
 * import assert from "node:assert/strict";
 * const q = new Fifo<string>();
 * q.push("a");
 * q.push("b");
 * assert.equal(q.length, 2);
 * assert.equal(q.shift(), "a");
 * assert.equal(q.shift(), "b");
 * assert.equal(q.shift(), undefined);
 * ```
 */
export class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  /** Number of queued items. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /**
   * Appends an item.
   *
   * @param item The item.
   */
  push(item: T): void {
    this.#items.push(item);
  }

  /**
   * Takes the oldest item out.
   *
   * @returns The item, or `undefined` when the queue is empty.
   */
  shift(): T | undefined {
    const items = this.#items;
    if (this.#head >= items.length) return undefined;
    const item = items[this.#head];
    items[this.#head++] = undefined;
    if (this.#head === items.length) {
      items.length = 0;
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= items.length) {
      items.splice(0, this.#head);
      this.#head = 0;
    }
    return item;
  }

  /**
   * The oldest item, left in the queue.
   *
   * @returns The item, or `undefined` when the queue is empty.
   */
  peek(): T | undefined {
    return this.#items[this.#head];
  }

  /** Removes every item. */
  clear(): void {
    this.#items.length = 0;
    this.#head = 0;
  }

  /**
   * The queued items, oldest first (a copy).
   *
   * @returns The items.
   */
  toArray(): T[] {
    return this.#items.slice(this.#head) as T[];
  }
}
