// Built-in policy formulas: numeric codes for the key, the selection weight
// and the per-use update of every built-in policy, so that the engines (and
// the WebAssembly selection kernels, which cannot call JavaScript hooks
// cheaply) compute them inline. A call through a policy hook from an engine
// shared by twenty policies is megamorphic: V8 cannot inline it, and it cost
// 5–10 ns per call before these codes existed (bench/HISTORY.md).
//
// A policy defined with definePolicy() outside this folder has no formula
// (KEY_HOOK, WEIGHT_HOOK, USE_HOOK): its hooks are called. The hooks of the
// built-in policies stay the reference: the conformance suite compares the
// engines (which use these codes) with a naive model that calls the hooks,
// and formula_test.ts compares codes and hooks value by value.
//
// The numbers are part of the contract with asm/assembly/selection.ts.

import type { PoolPolicy, SelectionValues } from "./policy.ts";
import { cappedSum, cappedSum3, penalisedLoad, penalty, rint, spare } from "./_policy_math.ts";

/** Key: call policy.key. */
export const KEY_HOOK = 0;
/** Key: 0 for every slot. */
export const KEY_ZERO = 1;
/** Key: load. */
export const KEY_LOAD = 2;
/** Key: min(load + loadDegradation, 0xffffffff). */
export const KEY_LOAD_LD = 3;
/** Key: min(load + degradation counter, 0xffffffff). */
export const KEY_LOAD_DEG = 4;
/** Key: min(load + loadDegradation + degradation counter, 0xffffffff). */
export const KEY_LOAD_LD_DEG = 5;
/** Key: penalisedLoad(load, distance, loadDpf). */
export const KEY_DPF_LOAD = 6;
/** Key: penalisedLoad(load + loadDegradation, distance, loadDpf). */
export const KEY_DPF_LOAD_LD = 7;
/** Key: penalisedLoad(load + degradation counter, distance, loadDpf). */
export const KEY_DPF_LOAD_DEG = 8;
/** Key: penalisedLoad(load + loadDegradation + degradation counter, distance, loadDpf). */
export const KEY_DPF_LOAD_LD_DEG = 9;
/** Key: 0xffffffff − priority. */
export const KEY_PRIORITY = 10;
/** Key: load / weight, Infinity for weight 0. */
export const KEY_WLU = 11;
/** Key: round × 2^32 + virtual counter (weighted round robin). */
export const KEY_WRR = 12;

/** Weight: call policy.weight. */
export const WEIGHT_HOOK = 0;
/** Weight: 1. */
export const WEIGHT_ONE = 1;
/** Weight: weight. */
export const WEIGHT_WEIGHT = 2;
/** Weight: spare(load, 0, 0). */
export const WEIGHT_SPARE_LOAD = 3;
/** Weight: spare(load, loadDegradation, 0). */
export const WEIGHT_SPARE_LOAD_LD = 4;
/** Weight: spare(load, degradation counter, 0). */
export const WEIGHT_SPARE_LOAD_DEG = 5;
/** Weight: spare(load, loadDegradation, degradation counter). */
export const WEIGHT_SPARE_LOAD_LD_DEG = 6;
/** Weight: weight − rint(weight × penalty(distance, weightDpf)), at least 1 when negative. */
export const WEIGHT_DPF = 7;

/** Per-use update: call policy.update. */
export const USE_HOOK = 0;
/** Per-use update: none. */
export const USE_NONE = 1;
/** Per-use update: degradation counter += loadDegradation, capped at 0xffffffff. */
export const USE_DEGRADE = 2;
/** Per-use update: weighted round robin's virtual and round counters. */
export const USE_WRR = 3;

/** The formula codes of one policy. */
export interface Formula {
  readonly key: number;
  readonly weight: number;
  readonly use: number;
}

const formulas = new WeakMap<PoolPolicy, Formula>();

/**
 * Records the formula codes of a built-in policy (whose hooks compute the same values).
 *
 * @returns The policy.
 */
export function withFormula(policy: PoolPolicy, formula: Formula): PoolPolicy {
  formulas.set(policy, formula);
  return policy;
}

/** The formula codes of a policy; hooks for policies defined elsewhere. */
export function formulaOf(policy: PoolPolicy): Formula {
  return formulas.get(policy) ??
    { key: KEY_HOOK, weight: WEIGHT_HOOK, use: policy.updatesOnUse ? USE_HOOK : USE_NONE };
}

/** The key of a slot by formula code (KEY_HOOK: the policy's hook). */
export function keyByFormula(
  code: number,
  policy: PoolPolicy,
  v: SelectionValues,
  slot: number,
): number {
  switch (code) {
    case KEY_ZERO:
      return 0;
    case KEY_LOAD:
      return v.load[slot]!;
    case KEY_LOAD_LD:
      return cappedSum(v.load[slot]!, v.loadDegradation[slot]!);
    case KEY_LOAD_DEG:
      return cappedSum(v.load[slot]!, v.degradation[slot]!);
    case KEY_LOAD_LD_DEG:
      return cappedSum3(v.load[slot]!, v.loadDegradation[slot]!, v.degradation[slot]!);
    case KEY_DPF_LOAD:
      return penalisedLoad(v.load[slot]!, v.distance[slot]!, v.loadDpf[slot]!);
    case KEY_DPF_LOAD_LD:
      return penalisedLoad(
        v.load[slot]! + v.loadDegradation[slot]!,
        v.distance[slot]!,
        v.loadDpf[slot]!,
      );
    case KEY_DPF_LOAD_DEG:
      return penalisedLoad(
        v.load[slot]! + v.degradation[slot]!,
        v.distance[slot]!,
        v.loadDpf[slot]!,
      );
    case KEY_DPF_LOAD_LD_DEG:
      return penalisedLoad(
        v.load[slot]! + v.loadDegradation[slot]! + v.degradation[slot]!,
        v.distance[slot]!,
        v.loadDpf[slot]!,
      );
    case KEY_PRIORITY:
      return 0xffffffff - v.priority[slot]!;
    case KEY_WLU: {
      const w = v.weight[slot]!;
      return w === 0 ? Infinity : v.load[slot]! / w;
    }
    case KEY_WRR:
      return v.round[slot]! * 4294967296 + v.virtual[slot]!;
    default:
      return policy.key(v, slot);
  }
}

/** The selection weight of a slot by formula code (WEIGHT_HOOK: the policy's hook). */
export function weightByFormula(
  code: number,
  policy: PoolPolicy,
  v: SelectionValues,
  slot: number,
): number {
  switch (code) {
    case WEIGHT_ONE:
      return 1;
    case WEIGHT_WEIGHT:
      return v.weight[slot]!;
    case WEIGHT_SPARE_LOAD:
      return spare(v.load[slot]!, 0, 0);
    case WEIGHT_SPARE_LOAD_LD:
      return spare(v.load[slot]!, v.loadDegradation[slot]!, 0);
    case WEIGHT_SPARE_LOAD_DEG:
      return spare(v.load[slot]!, v.degradation[slot]!, 0);
    case WEIGHT_SPARE_LOAD_LD_DEG:
      return spare(v.load[slot]!, v.loadDegradation[slot]!, v.degradation[slot]!);
    case WEIGHT_DPF: {
      const w = v.weight[slot]!;
      const value = w - rint(w * penalty(v.distance[slot]!, v.weightDpf[slot]!));
      return value < 0 ? 1 : value;
    }
    default:
      return policy.weight(v, slot);
  }
}
