/**
 * A keyed set of items selected by a pool policy, with optional lifetimes: a
 * convenience layer over {@link SelectionPool} for small sets such as a pool
 * user's cache of one pool's elements.
 *
 * @module
 */

import type { Rng } from "../rng.ts";
import type { PolicyParameter } from "../wire/policy_parameter.ts";
import type { PoolPolicy } from "./policy.ts";
import { SelectionPool } from "./selection_pool.ts";

/**
 * Items keyed by `K` (e.g. a PE identifier), each with its policy
 * information and an expiry time, selected by one policy. Selection state
 * (round robin position, degradation counters, ...) is kept across calls, as
 * a pool user's cache must do to "select using the same policy".
 *
 * @typeParam K The key type (compared with `Map` semantics; bigint works).
 * @typeParam T The item type.
 * @example A pool user's cache entry set with lifetimes
 * ```ts
 * import { PolicySet, roundRobin } from "./mod.ts";
 * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const cache = new PolicySet<bigint, string>(roundRobin);
 * const rr = policyParameter(PolicyType.RoundRobin);
 * cache.set(1n, "pe-1", rr, 1000);
 * cache.set(2n, "pe-2", rr, 5000);
 * const rng = new SeededRng(1);
 * assert.deepEqual(cache.select(2, rng), ["pe-1", "pe-2"]);
 * assert.equal(cache.purgeExpired(2000), 1);
 * assert.deepEqual(cache.select(2, rng), ["pe-2"]);
 * ```
 */
export class PolicySet<K, T> {
  readonly #pool: SelectionPool;
  readonly #slots = new Map<K, number>();
  #items: (T | undefined)[] = [];
  #expires: number[] = [];
  #out = new Int32Array(8);

  /**
   * Creates an empty set.
   *
   * @param policy The policy that selects among the items.
   */
  constructor(policy: PoolPolicy) {
    this.#pool = new SelectionPool(policy);
  }

  /** The policy. */
  get policy(): PoolPolicy {
    return this.#pool.policy;
  }

  /** Number of items. */
  get size(): number {
    return this.#slots.size;
  }

  /**
   * Adds an item or replaces the one with the same key (keeping its
   * selection state unless its policy information changed).
   *
   * @param key The key.
   * @param item The item.
   * @param policy Its policy information (the set's policy type).
   * @param expiresAt When it expires ({@link PolicySet.purgeExpired}); default never.
   * @throws {TypeError} If the policy type differs from the set's policy.
   * @example Replace
   * ```ts
   * import { PolicySet, leastUsed } from "./mod.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import assert from "node:assert/strict";
   * const set = new PolicySet<string, number>(leastUsed);
   * set.set("a", 1, policyParameter(PolicyType.LeastUsed, { load: 1 }));
   * set.set("a", 2, policyParameter(PolicyType.LeastUsed, { load: 2 }));
   * assert.equal(set.get("a"), 2);
   * assert.equal(set.size, 1);
   * ```
   */
  set(key: K, item: T, policy: PolicyParameter, expiresAt = Infinity): void {
    let slot = this.#slots.get(key);
    if (slot === undefined) {
      slot = this.#pool.add(policy);
      this.#slots.set(key, slot);
    } else {
      this.#pool.update(slot, policy);
    }
    this.#items[slot] = item;
    this.#expires[slot] = expiresAt;
  }

  /**
   * The item with a key.
   *
   * @param key The key.
   * @returns The item, or `undefined`.
   * @example Missing key
   * ```ts
   * import { PolicySet, random } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.equal(new PolicySet<string, number>(random).get("x"), undefined);
   * ```
   */
  get(key: K): T | undefined {
    const slot = this.#slots.get(key);
    return slot === undefined ? undefined : this.#items[slot];
  }

  /**
   * Removes the item with a key.
   *
   * @param key The key.
   * @returns Whether an item was removed.
   * @example Delete
   * ```ts
   * import { PolicySet, random } from "./mod.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import assert from "node:assert/strict";
   * const set = new PolicySet<string, number>(random);
   * set.set("a", 1, policyParameter(PolicyType.Random));
   * assert.equal(set.delete("a"), true);
   * assert.equal(set.delete("a"), false);
   * ```
   */
  delete(key: K): boolean {
    const slot = this.#slots.get(key);
    if (slot === undefined) return false;
    this.#drop(key, slot);
    return true;
  }

  /**
   * Removes every item whose expiry time is at or before `now`.
   *
   * @param now The current time (same clock as the expiry times).
   * @returns How many items were removed.
   * @example Expire
   * ```ts
   * import { PolicySet, random } from "./mod.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import assert from "node:assert/strict";
   * const set = new PolicySet<string, number>(random);
   * set.set("a", 1, policyParameter(PolicyType.Random), 10);
   * assert.equal(set.purgeExpired(9), 0);
   * assert.equal(set.purgeExpired(10), 1);
   * ```
   */
  purgeExpired(now: number): number {
    let removed = 0;
    for (const [key, slot] of [...this.#slots]) {
      if (this.#expires[slot]! <= now) {
        this.#drop(key, slot);
        removed++;
      }
    }
    return removed;
  }

  /**
   * Selects up to k distinct items by the policy.
   *
   * @param k How many (non-negative integer).
   * @param rng Random source for random-based policies.
   * @param maxIncrement How many of the selected count as used; 0 = policy default.
   * @returns The selected items in selection order.
   * @example Least used first
   * ```ts
   * import { PolicySet, leastUsed } from "./mod.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * const set = new PolicySet<string, string>(leastUsed);
   * set.set("a", "busy", policyParameter(PolicyType.LeastUsed, { load: 9 }));
   * set.set("b", "idle", policyParameter(PolicyType.LeastUsed, { load: 1 }));
   * assert.deepEqual(set.select(1, new SeededRng(1)), ["idle"]);
   * ```
   */
  select(k: number, rng: Rng, maxIncrement = 0): T[] {
    const want = Math.min(k, this.#pool.size);
    if (this.#out.length < want) this.#out = new Int32Array(want);
    const n = this.#pool.select(k, this.#out, rng, maxIncrement);
    const result: T[] = [];
    for (let i = 0; i < n; i++) result.push(this.#items[this.#out[i]!]!);
    return result;
  }

  /**
   * The items in no particular order.
   *
   * @returns The items.
   * @example Values
   * ```ts
   * import { PolicySet, random } from "./mod.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import assert from "node:assert/strict";
   * const set = new PolicySet<string, number>(random);
   * set.set("a", 1, policyParameter(PolicyType.Random));
   * assert.deepEqual(set.values(), [1]);
   * ```
   */
  values(): T[] {
    return [...this.#slots.values()].map((slot) => this.#items[slot]!);
  }

  #drop(key: K, slot: number): void {
    this.#pool.remove(slot);
    this.#slots.delete(key);
    this.#items[slot] = undefined;
  }
}
