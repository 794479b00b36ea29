/**
 * The Operation Error parameter as a value: a list of error causes, each a
 * cause code and its raw cause information.
 *
 * Cause information is kept as raw bytes and is never decoded further by the
 * codec (it may embed a whole offending message or parameter); that keeps the
 * work of decoding an Operation Error linear and bounded however the embedded
 * bytes nest.
 *
 * @see RFC 5354 section 3.10
 * @module
 */

/** One error cause of an Operation Error parameter. */
export interface OperationErrorCause {
  /** The cause code (see `ErrorCause`; any 16-bit code decodes). */
  readonly code: number;
  /** Cause-specific information (e.g. the offending parameter or message); may be empty. */
  readonly info: Uint8Array;
}

/** An Operation Error parameter value: one or more error causes, in wire order. */
export interface OperationError {
  /** The causes (at least one). */
  readonly causes: readonly OperationErrorCause[];
}

const EMPTY = new Uint8Array(0);

/**
 * Builds an Operation Error with a single cause.
 *
 * @param code The cause code (u16).
 * @param info The cause information (copied); empty by default.
 * @returns The Operation Error value.
 * @throws {RangeError} If the code is not a 16-bit unsigned integer.
 * @example Unknown pool handle
 * ```ts
 * import { operationError } from "./operation_error.ts";
 * import { ErrorCause } from "./error_cause.ts";
 * import assert from "node:assert/strict";
 * const e = operationError(ErrorCause.UnknownPoolHandle);
 * assert.equal(e.causes[0]?.code, 9);
 * assert.equal(e.causes[0]?.info.length, 0);
 * ```
 */
export function operationError(code: number, info: Uint8Array = EMPTY): OperationError {
  if (!Number.isInteger(code) || code < 0 || code > 0xffff) {
    throw new RangeError(`Cannot build Operation Error: cause code ${code} is not a u16`);
  }
  return { causes: [{ code, info: info.slice() }] };
}
