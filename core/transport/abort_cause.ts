/**
 * Cause codes of the framing shim's ABORT frame.
 *
 * These are the shim's own codes (16 bits, carried in the first two bytes of
 * an ABORT frame's payload); they are not RFC 5354 Operation Error causes.
 *
 * @module
 */

/** Cause codes of an ABORT frame. */
export const AbortCause = {
  /** No more specific cause; the reason text says what happened. */
  Unspecified: 0x0000,
  /** A frame header carried a frame type this implementation does not know. */
  UnknownFrameType: 0x0001,
  /** A frame header announced a payload larger than the receiver accepts. */
  FrameTooLarge: 0x0002,
  /** A frame's length is invalid for its type (for example a HEARTBEAT that is not 8 bytes). */
  InvalidFrameLength: 0x0003,
  /** The first frame was not HELLO, a HELLO repeated, or a HELLO carried unusable values. */
  HandshakeFailure: 0x0004,
  /** The peer's HELLO, a started frame or any message did not arrive in time. */
  Timeout: 0x0005,
  /** The peer did not answer a HEARTBEAT within the heartbeat timeout. */
  HeartbeatTimeout: 0x0006,
  /** The listener is at its association limit and refuses this connection. */
  TooManyAssociations: 0x0007,
  /** The layer above the shim (an ASAP role, the session layer) aborted the association. */
  UserAbort: 0x0008,
} as const;

/** One of the cause codes this implementation sends. Receivers accept any 16-bit code. */
export type AbortCauseCode = typeof AbortCause[keyof typeof AbortCause];

const NAMES: Record<number, string> = {
  0x0000: "Unspecified",
  0x0001: "Unknown Frame Type",
  0x0002: "Frame Too Large",
  0x0003: "Invalid Frame Length",
  0x0004: "Handshake Failure",
  0x0005: "Timeout",
  0x0006: "Heartbeat Timeout",
  0x0007: "Too Many Associations",
  0x0008: "User Abort",
};

/**
 * The name of an ABORT cause code, or a hex label for codes this implementation does not define.
 *
 * @param code A 16-bit cause code.
 * @returns The human-readable name.
 * @example Name a cause
 * ```ts
 * import { AbortCause, abortCauseName } from "./abort_cause.ts";
 * import assert from "node:assert/strict";
 * assert.equal(abortCauseName(AbortCause.FrameTooLarge), "Frame Too Large");
 * assert.equal(abortCauseName(0x7777), "Cause 0x7777");
 * ```
 */
export function abortCauseName(code: number): string {
  return NAMES[code] ?? `Cause 0x${code.toString(16).padStart(4, "0")}`;
}
