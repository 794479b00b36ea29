// The per-use update of the LUD family: degradation counter += load degradation, capped.

import type { SelectionValues } from "./policy.ts";
import { cappedSum } from "./_policy_math.ts";

/** Adds the slot's load degradation to its degradation counter (capped at 0xffffffff). */
export function degrade(values: SelectionValues, slot: number): void {
  values.degradation[slot] = cappedSum(values.degradation[slot]!, values.loadDegradation[slot]!);
}
