/**
 * The pool user's side of a compute job: splitting a range into work units and assembling their
 * results exactly once each.
 *
 * @module
 */

import type { WorkUnit } from "./compute_messages.ts";
import { MAX_PRIME_RANGE_END } from "./primes.ts";

/**
 * Splits [from, to) into `units` work units of nearly equal size (the first ones one larger).
 *
 * @param job The job's name.
 * @param from First number.
 * @param to End, exclusive.
 * @param units How many units (at most to − from, at least 1).
 * @returns The units, in order.
 * @throws {RangeError} For an empty or invalid range or unit count.
 * @example Ten numbers in three units
 * ```ts
 * import { splitJob } from "./compute_job.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(splitJob("j", 0, 10, 3).map((u) => [u.from, u.to]), [[0, 4], [4, 7], [7, 10]]);
 * ```
 */
export function splitJob(job: string, from: number, to: number, units: number): WorkUnit[] {
  if (
    !Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to <= from ||
    to > MAX_PRIME_RANGE_END
  ) {
    throw new RangeError(`Cannot split job: [${from}, ${to}) is not a non-empty range in 0..2^32`);
  }
  if (!Number.isInteger(units) || units < 1 || units > to - from) {
    throw new RangeError(`Cannot split job: ${units} units do not fit [${from}, ${to})`);
  }
  const size = Math.floor((to - from) / units);
  const extra = (to - from) % units;
  const out: WorkUnit[] = [];
  let at = from;
  for (let i = 0; i < units; i++) {
    const end = at + size + (i < extra ? 1 : 0);
    out.push({ job, unit: i, from: at, to: end });
    at = end;
  }
  return out;
}

/** One unit's accepted result. */
export interface UnitRecord {
  /** Primes. */
  readonly count: number;
  /** Their sum. */
  readonly sum: bigint;
  /** The pool element that computed it. */
  readonly pe: bigint;
  /** Where it resumed from a checkpoint, or -1. */
  readonly resumedFrom: number;
}

/**
 * Collects the results of a job's units: each unit counts once; a second result for a unit is
 * counted as a duplicate and ignored.
 *
 * @example Assemble two units
 * ```ts
 * import { JobAssembler, splitJob } from "./compute_job.ts";
 * import assert from "node:assert/strict";
 * const units = splitJob("j", 0, 30, 2);
 * const job = new JobAssembler(units);
 * job.accept({ ...units[0]!, count: 6, sum: 41n, pe: 1n, resumedFrom: -1 });
 * job.accept({ ...units[1]!, count: 4, sum: 88n, pe: 2n, resumedFrom: -1 });
 * assert.equal(job.accept({ ...units[1]!, count: 4, sum: 88n, pe: 2n, resumedFrom: -1 }), "duplicate");
 * assert.ok(job.complete);
 * assert.deepEqual([job.count, job.sum, job.duplicates], [10, 129n, 1]);
 * ```
 */
export class JobAssembler {
  readonly #units: readonly WorkUnit[];
  readonly #records = new Map<number, UnitRecord>();
  #count = 0;
  #sum = 0n;
  #duplicates = 0;

  /**
   * Creates an assembler for a job's units.
   *
   * @param units The units (from {@link splitJob}).
   */
  constructor(units: readonly WorkUnit[]) {
    this.#units = units;
  }

  /**
   * Records a result.
   *
   * @param r The unit and its result.
   * @returns `"new"`, `"duplicate"` (already recorded; ignored), or `"unknown"` (not a unit of
   *   this job, or a different range).
   */
  accept(r: WorkUnit & UnitRecord): "new" | "duplicate" | "unknown" {
    const u = this.#units[r.unit];
    if (u === undefined || u.job !== r.job || u.from !== r.from || u.to !== r.to) return "unknown";
    if (this.#records.has(r.unit)) {
      this.#duplicates++;
      return "duplicate";
    }
    this.#records.set(r.unit, { count: r.count, sum: r.sum, pe: r.pe, resumedFrom: r.resumedFrom });
    this.#count += r.count;
    this.#sum += r.sum;
    return "new";
  }

  /** Whether every unit has a result. */
  get complete(): boolean {
    return this.#records.size === this.#units.length;
  }

  /** Units with a result. */
  get done(): number {
    return this.#records.size;
  }

  /** Primes so far. */
  get count(): number {
    return this.#count;
  }

  /** Their sum so far. */
  get sum(): bigint {
    return this.#sum;
  }

  /** Results ignored because their unit had one already. */
  get duplicates(): number {
    return this.#duplicates;
  }

  /**
   * The recorded results by unit number.
   *
   * @returns A copy of the records.
   */
  records(): Map<number, UnitRecord> {
    return new Map(this.#records);
  }

  /**
   * The units still without a result.
   *
   * @returns Their numbers.
   */
  missing(): number[] {
    return this.#units.filter((u) => !this.#records.has(u.unit)).map((u) => u.unit);
  }
}
