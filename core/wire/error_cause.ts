/**
 * Operation Error cause codes.
 *
 * @see RFC 5354 section 3.10
 * @module
 */

/** Cause codes of the Operation Error parameter (RFC 5354). */
export const ErrorCause = {
  /** Unspecified error. */
  Unspecified: 0x0000,
  /** Unrecognized parameter; cause info carries the parameter. */
  UnrecognizedParameter: 0x0001,
  /** Unrecognized message; cause info carries the message. */
  UnrecognizedMessage: 0x0002,
  /** Invalid values; cause info carries the offending parameter. */
  InvalidValues: 0x0003,
  /** Non-unique PE identifier. */
  NonUniquePeIdentifier: 0x0004,
  /** Inconsistent pooling policy; cause info carries the policy parameter. */
  InconsistentPoolingPolicy: 0x0005,
  /** Lack of resources. */
  LackOfResources: 0x0006,
  /** Inconsistent transport type; cause info carries the transport parameter. */
  InconsistentTransportType: 0x0007,
  /** Inconsistent data/control configuration. */
  InconsistentDataControlConfiguration: 0x0008,
  /** Unknown pool handle. */
  UnknownPoolHandle: 0x0009,
  /** Rejected due to security considerations. */
  RejectedDueToSecurity: 0x000a,
} as const;

/** A cause code defined by RFC 5354. Decoders also accept any other 16-bit code. */
export type ErrorCauseCode = typeof ErrorCause[keyof typeof ErrorCause];

const NAMES: Record<number, string> = {
  0x0000: "Unspecified Error",
  0x0001: "Unrecognized Parameter",
  0x0002: "Unrecognized Message",
  0x0003: "Invalid Values",
  0x0004: "Non-unique PE Identifier",
  0x0005: "Inconsistent Pooling Policy",
  0x0006: "Lack of Resources",
  0x0007: "Inconsistent Transport Type",
  0x0008: "Inconsistent Data/Control Configuration",
  0x0009: "Unknown Pool Handle",
  0x000a: "Rejected due to security considerations",
};

/**
 * The RFC 5354 name of a cause code, or a hex label for codes the RFC does not define.
 *
 * @param code A 16-bit cause code.
 * @returns The human-readable name.
 * @example Name a cause
 * ```ts
 * import { ErrorCause, errorCauseName } from "./error_cause.ts";
 * import assert from "node:assert/strict";
 * assert.equal(errorCauseName(ErrorCause.UnknownPoolHandle), "Unknown Pool Handle");
 * assert.equal(errorCauseName(0xf002), "Cause 0xf002");
 * ```
 */
export function errorCauseName(code: number): string {
  return NAMES[code] ?? `Cause 0x${code.toString(16).padStart(4, "0")}`;
}
