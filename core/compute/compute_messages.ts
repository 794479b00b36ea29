/**
 * The compute service's application protocol, carried as application data (PPID
 * {@link COMPUTE_PPID}) on a session: a pool user hands out work units, a pool element answers
 * with their results; and the state a pool element checkpoints in its session cookies.
 *
 * Messages are CBOR maps (RFC 8949): `{ t: "unit", job, unit, from, to }` and
 * `{ t: "result", job, unit, from, to, count, sum, resumedFrom, pe }` (`sum` an integer of any
 * size, `resumedFrom` the checkpoint position the unit resumed at or -1, `pe` the identifier of
 * the pool element that finished it), `{ t: "error", job, unit, reason }`.
 *
 * @module
 */

import { Encoder } from "cbor-x/encode";
import { MAX_PRIME_RANGE_END } from "./primes.ts";

/** The payload protocol identifier of compute messages ("CPU1"). */
export const COMPUTE_PPID = 0x43505531;

/** A work unit: count and sum the primes in [from, to). */
export interface WorkUnit {
  /** The job's name (chosen by the pool user). */
  readonly job: string;
  /** The unit's number within the job (0-based). */
  readonly unit: number;
  /** First number. */
  readonly from: number;
  /** End, exclusive. */
  readonly to: number;
}

/** A message of the compute protocol. */
export type ComputeMessage =
  | ({ readonly type: "unit" } & WorkUnit)
  | ({
    /** A finished unit. */
    readonly type: "result";
    /** Primes in the range. */
    readonly count: number;
    /** Their sum. */
    readonly sum: bigint;
    /** Where the unit resumed from a checkpoint, or -1 when computed from its start. */
    readonly resumedFrom: number;
    /** The pool element that finished it. */
    readonly pe: bigint;
  } & WorkUnit)
  | {
    /** A unit the pool element refuses (its range is not one it computes). */
    readonly type: "error";
    /** The refused unit's job. */
    readonly job: string;
    /** The refused unit's number. */
    readonly unit: number;
    /** Why. */
    readonly reason: string;
  };

/** The progress of one started unit, as checkpointed in a cookie. */
export interface UnitProgress extends WorkUnit {
  /** The next number to sieve (from ≤ next ≤ to). */
  readonly next: number;
  /** Primes found in [from, next). */
  readonly count: number;
  /** Their sum. */
  readonly sum: bigint;
}

/** A session's checkpoint: its units in progress. */
export interface ComputeCheckpoint {
  /** Format version (1). */
  readonly v: 1;
  /** Units started and not finished. */
  readonly units: readonly UnitProgress[];
}

/**
 * The result of {@link decodeComputeMessage}: a message; a unit that names its job and number but
 * whose range is not one a pool element computes (`invalid-unit`: answered with an `error`
 * message, the session goes on); or bytes that are no compute message at all (`malformed`).
 */
export type ComputeDecodeResult =
  | { readonly kind: "ok"; readonly message: ComputeMessage }
  | {
    readonly kind: "invalid-unit";
    readonly job: string;
    readonly unit: number;
    readonly detail: string;
  }
  | { readonly kind: "malformed"; readonly detail: string };

const cbor = new Encoder({ useRecords: false, mapsAsObjects: true });

/**
 * Encodes a compute message.
 *
 * @param message The message.
 * @returns Fresh bytes.
 * @throws {TypeError} If the job, unit number or range is not one a pool element accepts.
 * @example A unit
 * ```ts
 * import { decodeComputeMessage, encodeComputeMessage } from "./compute_messages.ts";
 * import assert from "node:assert/strict";
 * const bytes = encodeComputeMessage({ type: "unit", job: "j", unit: 0, from: 0, to: 100 });
 * assert.deepEqual(decodeComputeMessage(bytes), {
 *   kind: "ok", message: { type: "unit", job: "j", unit: 0, from: 0, to: 100 },
 * });
 * ```
 */
export function encodeComputeMessage(message: ComputeMessage): Uint8Array {
  if (message.type === "error") {
    const invalid = jobOf(message) ?? unitOf(message);
    if (invalid !== undefined) {
      throw new TypeError(`Cannot encode compute error message: ${invalid}`);
    }
    return cbor.encode({
      t: message.type,
      job: message.job,
      unit: message.unit,
      reason: String(message.reason),
    }).slice();
  }
  const base = {
    t: message.type,
    job: message.job,
    unit: message.unit,
    from: message.from,
    to: message.to,
  };
  // A peer would refuse it: refuse it here, where the caller's bug is.
  const invalid = workUnitOf(base);
  if (typeof invalid === "string") {
    throw new TypeError(`Cannot encode compute ${message.type} message: ${invalid}`);
  }
  switch (message.type) {
    case "unit":
      return cbor.encode(base).slice();
    case "result":
      return cbor.encode({
        ...base,
        count: message.count,
        sum: message.sum,
        resumedFrom: message.resumedFrom,
        pe: message.pe,
      }).slice();
  }
}

/**
 * Decodes a compute message; never throws.
 *
 * @param bytes The bytes received.
 * @returns The message, or why it is not one.
 * @example Garbage is malformed
 * ```ts
 * import { decodeComputeMessage } from "./compute_messages.ts";
 * import assert from "node:assert/strict";
 * assert.equal(decodeComputeMessage(Uint8Array.of(0xff)).kind, "malformed");
 * ```
 */
export function decodeComputeMessage(bytes: Uint8Array): ComputeDecodeResult {
  let v: unknown;
  try {
    v = cbor.decode(bytes);
  } catch (e) {
    return bad(`not CBOR: ${(e as Error).message}`);
  }
  if (typeof v !== "object" || v === null) return bad("not a map");
  const m = v as Record<string, unknown>;
  if (m.t === "error") {
    const invalid = jobOf(m) ?? unitOf(m);
    if (invalid !== undefined) return bad(invalid);
    if (typeof m.reason !== "string") return bad("bad reason");
    return {
      kind: "ok",
      message: { type: "error", job: m.job as string, unit: m.unit as number, reason: m.reason },
    };
  }
  const unit = workUnitOf(m);
  if (typeof unit === "string") {
    // A unit that says which it is can be refused by name; anything else is garbage.
    if (m.t === "unit" && jobOf(m) === undefined && unitOf(m) === undefined) {
      return {
        kind: "invalid-unit",
        job: m.job as string,
        unit: m.unit as number,
        detail: `Cannot compute unit ${m.unit} of job ${JSON.stringify(m.job)}: ${unit}`,
      };
    }
    return bad(unit);
  }
  switch (m.t) {
    case "unit":
      return { kind: "ok", message: { type: "unit", ...unit } };
    case "result": {
      const sum = typeof m.sum === "number" && Number.isSafeInteger(m.sum) ? BigInt(m.sum) : m.sum;
      const pe = typeof m.pe === "number" && Number.isSafeInteger(m.pe) ? BigInt(m.pe) : m.pe;
      if (!isCount(m.count) || typeof sum !== "bigint" || sum < 0n) return bad("bad count or sum");
      if (!Number.isInteger(m.resumedFrom) || typeof pe !== "bigint") {
        return bad("bad resumedFrom or pe");
      }
      return {
        kind: "ok",
        message: {
          type: "result",
          ...unit,
          count: m.count as number,
          sum,
          resumedFrom: m.resumedFrom as number,
          pe,
        },
      };
    }
    default:
      return bad(`unknown type ${JSON.stringify(String(m.t))}`);
  }
}

/**
 * Whether a value (a state restored from a cookie) is a {@link ComputeCheckpoint}.
 *
 * @param v The value.
 * @returns Whether it has the checkpoint's shape.
 * @example Check a restored state
 * ```ts
 * import { isComputeCheckpoint } from "./compute_messages.ts";
 * import assert from "node:assert/strict";
 * assert.ok(isComputeCheckpoint({ v: 1, units: [] }));
 * assert.ok(!isComputeCheckpoint({ v: 1, units: [{ job: "j" }] }));
 * ```
 */
export function isComputeCheckpoint(v: unknown): v is ComputeCheckpoint {
  if (typeof v !== "object" || v === null) return false;
  const c = v as { v?: unknown; units?: unknown };
  if (c.v !== 1 || !Array.isArray(c.units)) return false;
  for (const u of c.units as unknown[]) {
    if (typeof u !== "object" || u === null) return false;
    const p = u as Record<string, unknown>;
    if (typeof workUnitOf(p) === "string") return false;
    const sum = p.sum;
    if (typeof sum !== "bigint" && !(typeof sum === "number" && Number.isSafeInteger(sum))) {
      return false;
    }
    if (!isCount(p.count) || !Number.isInteger(p.next)) return false;
    if ((p.next as number) < (p.from as number) || (p.next as number) > (p.to as number)) {
      return false;
    }
  }
  return true;
}

function jobOf(m: { readonly job?: unknown }): string | undefined {
  return typeof m.job !== "string" || m.job.length > 256
    ? "the job is not a string of at most 256 characters"
    : undefined;
}

function unitOf(m: { readonly unit?: unknown }): string | undefined {
  return isCount(m.unit) ? undefined : "the unit number is not a whole number ≥ 0";
}

function workUnitOf(m: Record<string, unknown>): WorkUnit | string {
  const named = jobOf(m) ?? unitOf(m);
  if (named !== undefined) return named;
  const from = m.from, to = m.to;
  if (!isCount(from) || !isCount(to) || to < from || to > MAX_PRIME_RANGE_END) {
    return `the range [${from}, ${to}) is not within [0, ${MAX_PRIME_RANGE_END}]`;
  }
  return { job: m.job as string, unit: m.unit as number, from, to };
}

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

function bad(detail: string): ComputeDecodeResult {
  return { kind: "malformed", detail: `Cannot decode compute message: ${detail}` };
}
