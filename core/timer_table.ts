/**
 * A fixed table of named timers for a sans-IO role (after quinn-proto's `TimerTable`): each
 * kind has at most one deadline, `nextTimeout()` gives the earliest, and the role's
 * `handleTimeout(now)` asks `isExpired(kind, now)` for each kind it handles. Deadlines are
 * absolute milliseconds on the caller's monotonic clock; the table never reads a clock.
 *
 * @module
 */

/**
 * Timers of a closed set of kinds, one deadline per kind.
 *
 * @typeParam K The timer kinds (string literals).
 * @example Two timers
 * ```ts
 * import { TimerTable } from "./timer_table.ts";
 * import assert from "node:assert/strict";
 * const timers = new TimerTable(["announce", "expiry"] as const);
 * timers.set("announce", 1000);
 * timers.set("expiry", 400);
 * assert.equal(timers.nextTimeout(), 400);
 * assert.equal(timers.isExpired("expiry", 400), true);
 * timers.stop("expiry");
 * assert.equal(timers.nextTimeout(), 1000);
 * assert.equal(timers.isExpired("announce", 999), false);
 * ```
 */
export class TimerTable<K extends string> {
  readonly #index: ReadonlyMap<K, number>;
  readonly #deadlines: Float64Array;

  /**
   * Creates a table with every timer stopped.
   *
   * @param kinds The timer kinds (unique).
   * @throws {TypeError} If a kind repeats.
   */
  constructor(kinds: readonly K[]) {
    const index = new Map<K, number>();
    for (const k of kinds) {
      if (index.has(k)) throw new TypeError(`Cannot create timer table: kind "${k}" repeats`);
      index.set(k, index.size);
    }
    this.#index = index;
    this.#deadlines = new Float64Array(kinds.length).fill(Infinity);
  }

  #i(kind: K): number {
    const i = this.#index.get(kind);
    if (i === undefined) throw new TypeError(`Cannot use timer: unknown kind "${kind}"`);
    return i;
  }

  /**
   * Sets (or moves) a timer.
   *
   * @param kind The timer.
   * @param time Its deadline (ms).
   * @throws {RangeError} If the time is NaN.
   */
  set(kind: K, time: number): void {
    if (Number.isNaN(time)) throw new RangeError(`Cannot set timer "${kind}": time is NaN`);
    this.#deadlines[this.#i(kind)] = time;
  }

  /**
   * Stops a timer.
   *
   * @param kind The timer.
   */
  stop(kind: K): void {
    this.#deadlines[this.#i(kind)] = Infinity;
  }

  /**
   * A timer's deadline.
   *
   * @param kind The timer.
   * @returns The deadline, or `undefined` when stopped.
   */
  get(kind: K): number | undefined {
    const t = this.#deadlines[this.#i(kind)]!;
    return t === Infinity ? undefined : t;
  }

  /**
   * Whether a timer is running.
   *
   * @param kind The timer.
   * @returns True when a deadline is set.
   */
  isRunning(kind: K): boolean {
    return this.#deadlines[this.#i(kind)] !== Infinity;
  }

  /**
   * Whether a timer's deadline has come. An expired timer stays set until the caller stops or
   * moves it, so calling `handleTimeout` twice is harmless only if the handler does that.
   *
   * @param kind The timer.
   * @param now The current time.
   * @returns True when the timer is set and its deadline is at or before `now`.
   */
  isExpired(kind: K, now: number): boolean {
    const t = this.#deadlines[this.#i(kind)]!;
    return t !== Infinity && t <= now;
  }

  /**
   * The earliest deadline of all timers.
   *
   * @returns The deadline, or `undefined` when every timer is stopped.
   */
  nextTimeout(): number | undefined {
    let best = Infinity;
    for (const t of this.#deadlines) if (t < best) best = t;
    return best === Infinity ? undefined : best;
  }
}
