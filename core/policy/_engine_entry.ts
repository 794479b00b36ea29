// The entry points of a selection pool into its engine: one function per engine kind, which a
// pool keeps in a field with its engine (the "specialised selection path").
//
// Why: V8 keeps call feedback per call site and target. A call through such a field from the
// shared path (SelectionPool.selectOne / selectInto, which serve pools of every policy) has one
// target in a process whose pools use one engine kind (all its pools share the function), so V8
// inlines the engine's path into the caller as if it were called directly; in a process serving
// several engine kinds the call is megamorphic and V8 does not inline it: each entry is then
// optimised as a function of its own, with its one engine's path inlined into it and that
// engine's type feedback only. (Closures made per pool would be different targets for every
// pool, and V8 would deoptimise the caller whenever another pool's closure came along.) So an
// engine served through these entries never takes inlining budget (920 bytes of bytecode per
// optimised function) from the shared path of the other engines, whatever mix of policies the
// process runs (bench/README.md "Handlespace and policies").
//
// The k = 1 selection of the round robin, heap and bucket engines (the policies whose calls cost
// about as much as RSPLIB's, 20–25 ns) stays a direct call in SelectionPool.selectOne, inlined
// into the caller; the random engines and the calendar engine (40–120 ns per call, where one
// call more costs little) go through `one`; every engine's k > 1 selection goes through `into`.

import type { Rng } from "../rng.ts";
import type { RingEngine } from "./_ring_engine.ts";
import type { HeapEngine } from "./_heap_engine.ts";
import type { BucketEngine } from "./_bucket_engine.ts";
import type { DenseEngine } from "./_dense_engine.ts";
import type { SumTreeEngine } from "./_sum_tree_engine.ts";
import { CalendarEngine } from "./_calendar_engine.ts";
import type { WrrCycle } from "./_wrr_cycle.ts";

/** Selects one slot of `engine`: its selectOne (maxIncrement already resolved). */
export type SelectOneEntry = (engine: unknown, rng: Rng, maxIncrement: number) => number;

/**
 * Selects up to k slots of `engine` and writes `table[slot]` of each into `out` in order (k and
 * maxIncrement already checked and resolved); returns how many.
 */
export type SelectIntoEntry = (
  engine: unknown,
  k: number,
  table: readonly unknown[],
  out: unknown[],
  rng: Rng,
  maxIncrement: number,
) => number;

/** Slots of the engines without a selectInto of their own (selections do not interleave). */
let scratch = new Int32Array(16);

function room(want: number): Int32Array {
  return scratch.length >= want ? scratch : (scratch = new Int32Array(want));
}

// Writes `table[slot]` of the first n selected slots into `out`; returns n.
function intoTable(
  slots: Int32Array,
  n: number,
  table: readonly unknown[],
  out: unknown[],
): number {
  for (let i = 0; i < n; i++) out[i] = table[slots[i]!];
  return n;
}

/** `one` of the uniform-random and two-choices engine. */
export function denseOne(engine: unknown, rng: Rng, mi: number): number {
  return (engine as DenseEngine).selectOne(rng, mi);
}

/** `one` of the weighted-random engine (weights in the tree). */
export function sumTreeOne(engine: unknown, rng: Rng, mi: number): number {
  return (engine as SumTreeEngine).selectOneExact(rng, mi);
}

/** `one` of the weighted-random engine of a degradation policy (bounds in the tree). */
export function sumTreeBoundedOne(engine: unknown, rng: Rng, mi: number): number {
  return (engine as SumTreeEngine).selectOneBounded(rng, mi);
}

/** `one` of the calendar engine. */
export function calendarOne(engine: unknown, _rng: Rng, mi: number): number {
  return (engine as CalendarEngine).selectOne(mi);
}

/** `into` of weighted round robin's cycle mode (also while it is pending). */
export function cycleInto(
  engine: unknown,
  k: number,
  table: readonly unknown[],
  out: unknown[],
  _rng: Rng,
  mi: number,
): number {
  return (engine as WrrCycle).selectInto(k, table, out, mi);
}

/** `into` of the round robin engine. */
export function ringInto(
  engine: unknown,
  k: number,
  table: readonly unknown[],
  out: unknown[],
  _rng: Rng,
  mi: number,
): number {
  return (engine as RingEngine).selectInto(k, table, out, mi);
}

/** `into` of the heap engine. */
export function heapInto(
  engine: unknown,
  k: number,
  table: readonly unknown[],
  out: unknown[],
  _rng: Rng,
  mi: number,
): number {
  return (engine as HeapEngine).selectInto(k, table, out, mi);
}

/** `into` of the bucket engine. */
export function bucketInto(
  engine: unknown,
  k: number,
  table: readonly unknown[],
  out: unknown[],
  _rng: Rng,
  mi: number,
): number {
  return (engine as BucketEngine).selectInto(k, table, out, mi);
}

/**
 * `into` of the calendar engine: CalendarEngine.into itself, whose common case is one function
 * (an entry calling a method that calls the use was two calls more per selection).
 */
export const calendarInto: SelectIntoEntry = CalendarEngine.into;

/** `into` of the uniform-random and two-choices engine. */
export function denseInto(
  engine: unknown,
  k: number,
  table: readonly unknown[],
  out: unknown[],
  rng: Rng,
  mi: number,
): number {
  const e = engine as DenseEngine, slots = room(k < e.size ? k : e.size);
  return intoTable(slots, e.select(k, slots, rng, mi), table, out);
}

/** `into` of the weighted-random engine. */
export function sumTreeInto(
  engine: unknown,
  k: number,
  table: readonly unknown[],
  out: unknown[],
  rng: Rng,
  mi: number,
): number {
  const e = engine as SumTreeEngine, slots = room(k < e.size ? k : e.size);
  return intoTable(slots, e.select(k, slots, rng, mi), table, out);
}
