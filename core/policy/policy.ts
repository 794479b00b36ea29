/**
 * The pool policy interface: what a pool member selection policy declares
 * (type code, names, wire fields, selection engine, default MaxIncrement) and
 * the hooks a {@link SelectionPool} calls to order, weigh and update pool
 * elements.
 *
 * A policy never stores state of its own. Everything it reads or writes lives
 * in the pool's struct-of-arrays ({@link SelectionValues}), indexed by a
 * per-pool slot number, so that the same numbers can later be processed by a
 * WebAssembly kernel without copying.
 *
 * @see RFC 5356 (policies), spec/behaviour.md section 11 (RSPLIB's realisation)
 * @module
 */

import type { PolicyTypeInfo } from "../wire/policy_parameter.ts";

/**
 * How a policy chooses pool elements. Each engine is one data structure in
 * {@link SelectionPool}:
 *
 * - `"round-robin"`: a circular list in sequence-number order; a use moves
 *   the head (O(1)).
 * - `"sorted"`: ordered by (key, sequence number); the first k in that order
 *   are chosen, a use gives the PE the next sequence number (round robin
 *   among equal keys) and applies {@link PoolPolicy.update}. Kept as an
 *   indexed 4-ary heap on (key, sequence number) (O(log N) per use), or for
 *   {@link PoolPolicy.sortedStructure} `"buckets"` as lists of equal keys in
 *   a heap on the key (O(1) per use that keeps the key); O(k log k) to find
 *   the first k.
 * - `"uniform-random"`: k distinct PEs drawn uniformly (O(1) per draw).
 * - `"weighted-random"`: k distinct PEs drawn with probability proportional
 *   to {@link PoolPolicy.weight}, from an 8-ary sum tree (O(log N) per draw),
 *   or, once the weights have stayed unchanged for a while, from a guide
 *   table that finds the same PE for the same draw (expected O(1)).
 * - `"two-choices"`: per chosen PE, two distinct uniform draws and the one
 *   with the smaller (key, sequence number) wins (O(1) per draw).
 */
export type SelectionEngine =
  | "round-robin"
  | "sorted"
  | "uniform-random"
  | "weighted-random"
  | "two-choices";

/**
 * The per-slot numbers of one pool (struct of arrays). Slot `s` of every
 * array belongs to the same pool element. Arrays are replaced (never
 * resized in place) when the pool grows, so read them again after an
 * insertion instead of keeping references.
 *
 * Policy information (from the Pool Member Selection Policy parameter):
 * `weight`, `priority`, `load`, `loadDegradation`, `loadDpf`, `weightDpf`,
 * `distance` (all u32). Local selection state: `degradation` (u32, the
 * degradation counter of the LUD family, reset to 0 by every update of the
 * policy information), `round` and `virtual` (weighted round robin's round
 * and virtual counters), `seq` (the sequence number that breaks ties, larger
 * = used more recently) and `selections` (how often the PE was returned).
 */
export interface SelectionValues {
  /** Weight per slot (WRR, WRAND, WRAND-DPF, WLU). */
  readonly weight: Uint32Array;
  /** Priority per slot, larger preferred (PRI). */
  readonly priority: Uint32Array;
  /** Load per slot, fraction of 0xffffffff. */
  readonly load: Uint32Array;
  /** Load degradation per slot, fraction of 0xffffffff. */
  readonly loadDegradation: Uint32Array;
  /** Load distance penalty factor per slot, fraction of 0xffffffff per ms. */
  readonly loadDpf: Uint32Array;
  /** Weight distance penalty factor per slot, fraction of 0xffffffff per ms. */
  readonly weightDpf: Uint32Array;
  /** Distance in ms per slot (DPF policies). */
  readonly distance: Uint32Array;
  /** Degradation counter per slot (LUD family), capped at 0xffffffff. */
  readonly degradation: Uint32Array;
  /** Weighted round robin round counter per slot. */
  readonly round: Float64Array;
  /** Weighted round robin virtual counter per slot. */
  readonly virtual: Uint32Array;
  /** Sequence number per slot (sorted and two-choices engines). */
  readonly seq: Float64Array;
  /** Number of times each slot was returned by a selection. */
  readonly selections: Float64Array;
}

/**
 * A pool member selection policy. Create one with {@link definePolicy}; the
 * built-in ones are in the policy registry (`policyByType`, `policyByName`).
 *
 * Hooks receive the pool's {@link SelectionValues} and a slot. They are
 * called on insertion, on every update of a PE's policy information, and for
 * each of the first min(k, MaxIncrement) PEs of a selection ("uses").
 */
export interface PoolPolicy extends PolicyTypeInfo {
  /** The selection engine that runs this policy. */
  readonly engine: SelectionEngine;
  /**
   * MaxIncrement used when the caller passes 0: how many of the selected PEs
   * count as used (get a new sequence number and the per-use update).
   */
  readonly defaultMaxIncrement: number;
  /** Whether {@link PoolPolicy.update} changes anything (so engines can skip it). */
  readonly updatesOnUse: boolean;
  /**
   * The data structure of the sorted engine: `"heap"` (an indexed 4-ary heap
   * on (key, sequence number): O(log N) per use or update) or `"buckets"`
   * (equal keys share a list: a use that keeps the key is O(1) however many
   * elements share it, at the price of a hash probe when a key changes; for
   * policies with many equal keys). Ignored by other engines.
   */
  readonly sortedStructure: "buckets" | "heap";
  /**
   * The largest key the policy produces (e.g. 0xffffffff for capped load
   * sums), at which all elements tie; NaN if there is none. The heap keeps
   * such elements in a list, so uses among them are O(1).
   */
  readonly maxKey: number;
  /**
   * The primary sort key of a slot (sorted and two-choices engines): smaller
   * is preferred; ties are broken by sequence number.
   *
   * @param values The pool's numbers.
   * @param slot The slot.
   * @returns The key, a finite number or `Infinity`.
   */
  key(values: SelectionValues, slot: number): number;
  /**
   * The selection weight of a slot (weighted-random engine): an integer
   * 0..0xffffffff; 0 is never drawn.
   *
   * @param values The pool's numbers.
   * @param slot The slot.
   * @returns The weight.
   */
  weight(values: SelectionValues, slot: number): number;
  /**
   * Sets the local selection state of a new slot (after its policy
   * information was stored).
   *
   * @param values The pool's numbers.
   * @param slot The new slot.
   * @param first The slot that is currently first in selection order, or -1
   *   for an empty pool (weighted round robin starts a new PE in that PE's
   *   round).
   */
  initialize(values: SelectionValues, slot: number, first: number): void;
  /**
   * The per-use update (e.g. weighted round robin's counters, the LUD
   * degradation counter). Applied once per use; see decision 4 in the team
   * brief for RSPLIB's double application, which we do not copy.
   *
   * @param values The pool's numbers.
   * @param slot The used slot.
   */
  update(values: SelectionValues, slot: number): void;
  /**
   * Keeps keys in the exactly representable range: called by the sorted
   * engine when a key reached {@link KEY_LIMIT}. Must lower every live key by
   * the same amount (order-preserving) and return true, or return false if
   * the policy never produces such keys.
   *
   * @param values The pool's numbers.
   * @param slots The live slots.
   * @param count How many entries of `slots` are valid.
   * @returns Whether keys were changed.
   */
  rebase(values: SelectionValues, slots: Int32Array, count: number): boolean;
  /**
   * The reference total order of the sorted and two-choices engines: key,
   * then sequence number. Negative if `a` comes first.
   *
   * @param values The pool's numbers.
   * @param a A slot.
   * @param b Another slot.
   * @returns Negative, zero (only for `a === b`) or positive.
   */
  compare(values: SelectionValues, a: number, b: number): number;
}

/** The largest load or weight value (100 %, or the largest u32). */
export const U32_MAX = 0xffffffff;

/**
 * Keys at or above this value trigger {@link PoolPolicy.rebase} in the sorted
 * engine (2^52: leaves one bit of headroom below 2^53, the limit of exact
 * integers in a double).
 */
export const KEY_LIMIT = 2 ** 52;

/** What {@link definePolicy} takes: the policy's description and the hooks it needs. */
export interface PolicyDefinition {
  /** Wire description (type code, names, fields, origin). */
  readonly info: PolicyTypeInfo;
  /** The selection engine. */
  readonly engine: SelectionEngine;
  /** Default MaxIncrement (RSPLIB: 1 for sorted and randomized-LU policies, 0 for RAND/WRAND). */
  readonly defaultMaxIncrement: number;
  /** Sorted engine structure (see {@link PoolPolicy.sortedStructure}); default `"heap"`. */
  readonly sortedStructure?: "buckets" | "heap";
  /** The largest key (see {@link PoolPolicy.maxKey}); default NaN (none). */
  readonly maxKey?: number;
  /** Primary sort key (sorted, two-choices). Default: 0 for every slot. */
  readonly key?: (values: SelectionValues, slot: number) => number;
  /** Selection weight (weighted-random). Default: 1 for every slot. */
  readonly weight?: (values: SelectionValues, slot: number) => number;
  /** New-slot initialisation. Default: nothing. */
  readonly initialize?: (values: SelectionValues, slot: number, first: number) => void;
  /** Per-use update. Default: none (`updatesOnUse` false). */
  readonly update?: (values: SelectionValues, slot: number) => void;
  /** Key rebasing. Default: returns false. */
  readonly rebase?: (values: SelectionValues, slots: Int32Array, count: number) => boolean;
}

/**
 * Builds a {@link PoolPolicy} from a definition. All policies share one
 * object shape, so engine code that calls their hooks stays monomorphic.
 *
 * @param def The definition.
 * @returns The frozen policy.
 * @example A policy that always prefers the smallest load
 * ```ts
 * import { definePolicy, SelectionPool } from "./mod.ts";
 * import { policyParameter } from "../wire/policy_parameter.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const lowest = definePolicy({
 *   info: { type: 0xb000f001, name: "Lowest", abbreviation: "LOW", fields: ["load"], origin: "rserpool-ng" },
 *   engine: "sorted",
 *   defaultMaxIncrement: 1,
 *   key: (v, slot) => v.load[slot]!,
 * });
 * const pool = new SelectionPool(lowest);
 * pool.add(policyParameter(0xb000f001, { load: 7 }));
 * const b = pool.add(policyParameter(0xb000f001, { load: 3 }));
 * const out = new Int32Array(1);
 * assert.equal(pool.select(1, out, new SeededRng(1)), 1);
 * assert.equal(out[0], b);
 * ```
 */
export function definePolicy(def: PolicyDefinition): PoolPolicy {
  if (!Number.isInteger(def.defaultMaxIncrement) || def.defaultMaxIncrement < 0) {
    throw new RangeError(
      `Cannot define policy ${def.info.name}: default MaxIncrement ${def.defaultMaxIncrement} is not a non-negative integer`,
    );
  }
  const key = def.key ?? zeroKey;
  const policy: PoolPolicy = {
    type: def.info.type,
    name: def.info.name,
    abbreviation: def.info.abbreviation,
    fields: def.info.fields,
    origin: def.info.origin,
    engine: def.engine,
    defaultMaxIncrement: def.defaultMaxIncrement,
    updatesOnUse: def.update !== undefined,
    sortedStructure: def.sortedStructure ?? "heap",
    maxKey: def.maxKey ?? NaN,
    key,
    weight: def.weight ?? unitWeight,
    initialize: def.initialize ?? noInitialize,
    update: def.update ?? noUpdate,
    rebase: def.rebase ?? noRebase,
    compare: (values, a, b) => {
      const ka = key(values, a), kb = key(values, b);
      if (ka !== kb) return ka < kb ? -1 : 1;
      const sa = values.seq[a]!, sb = values.seq[b]!;
      return sa < sb ? -1 : sa > sb ? 1 : 0;
    },
  };
  return Object.freeze(policy);
}

function zeroKey(): number {
  return 0;
}

function unitWeight(): number {
  return 1;
}

function noInitialize(): void {}

function noUpdate(): void {}

function noRebase(): boolean {
  return false;
}
