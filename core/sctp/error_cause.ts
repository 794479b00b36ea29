/**
 * SCTP error causes (RFC 9260 section 3.3.10), carried in ABORT and ERROR chunks: the codes, their
 * names, and the byte layout of a cause (code u16, length u16, information, padded to 4 bytes).
 *
 * @module
 */

/** Error cause codes of RFC 9260. */
export const SctpErrorCause = {
  /** A DATA chunk named a stream the receiver does not have. */
  InvalidStreamIdentifier: 1,
  /** An INIT or INIT-ACK lacks a mandatory parameter. */
  MissingMandatoryParameter: 2,
  /** A COOKIE-ECHO carried a cookie past its lifetime. */
  StaleCookie: 3,
  /** The receiver is out of resources. */
  OutOfResource: 4,
  /** An address parameter could not be used (for example a host name). */
  UnresolvableAddress: 5,
  /** A chunk type the receiver does not implement. */
  UnrecognizedChunkType: 6,
  /** A mandatory parameter has an invalid value. */
  InvalidMandatoryParameter: 7,
  /** Parameters of an INIT or INIT-ACK the receiver does not implement. */
  UnrecognizedParameters: 8,
  /** A DATA chunk without user data. */
  NoUserData: 9,
  /** A COOKIE-ECHO arrived while shutting down. */
  CookieReceivedWhileShuttingDown: 10,
  /** A restarting peer listed addresses the association did not have. */
  RestartWithNewAddresses: 11,
  /** The upper layer aborted; the information is its reason. */
  UserInitiatedAbort: 12,
  /** The peer broke the protocol; the information says how. */
  ProtocolViolation: 13,
} as const;

const NAMES: Record<number, string> = {
  1: "Invalid Stream Identifier",
  2: "Missing Mandatory Parameter",
  3: "Stale Cookie Error",
  4: "Out of Resource",
  5: "Unresolvable Address",
  6: "Unrecognized Chunk Type",
  7: "Invalid Mandatory Parameter",
  8: "Unrecognized Parameters",
  9: "No User Data",
  10: "Cookie Received While Shutting Down",
  11: "Restart of an Association with New Addresses",
  12: "User-Initiated Abort",
  13: "Protocol Violation",
};

/**
 * The name of an error cause code.
 *
 * @param code A 16-bit cause code.
 * @returns Its RFC name, or a hex label.
 * @example Names
 * ```ts
 * import { SctpErrorCause, sctpErrorCauseName } from "./error_cause.ts";
 * import assert from "node:assert/strict";
 * assert.equal(sctpErrorCauseName(SctpErrorCause.ProtocolViolation), "Protocol Violation");
 * assert.equal(sctpErrorCauseName(0x100), "Cause 0x0100");
 * ```
 */
export function sctpErrorCauseName(code: number): string {
  return NAMES[code] ?? `Cause 0x${code.toString(16).padStart(4, "0")}`;
}

/** One error cause of an ABORT or ERROR chunk. */
export interface SctpCause {
  /** The cause code. */
  readonly code: number;
  /** The cause-specific information (a view into the packet when decoded). */
  readonly info: Uint8Array;
}

/**
 * Encodes error causes back to back (each padded to 4 bytes), as the value of an ABORT or ERROR
 * chunk.
 *
 * @param causes The causes.
 * @returns The bytes.
 * @example A user abort with a reason
 * ```ts
 * import { decodeCauses, encodeCauses, SctpErrorCause } from "./error_cause.ts";
 * import assert from "node:assert/strict";
 * const bytes = encodeCauses([
 *   { code: SctpErrorCause.UserInitiatedAbort, info: new TextEncoder().encode("bye") },
 * ]);
 * assert.equal(bytes.length, 8);
 * const [cause] = decodeCauses(bytes)!;
 * assert.equal(new TextDecoder().decode(cause!.info), "bye");
 * ```
 */
export function encodeCauses(causes: readonly SctpCause[]): Uint8Array {
  let size = 0;
  for (const c of causes) size += (4 + c.info.length + 3) & ~3;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of causes) {
    const len = 4 + c.info.length;
    if (len > 0xffff) throw new RangeError(`Cannot encode an error cause of ${len} bytes`);
    out[at] = c.code >>> 8;
    out[at + 1] = c.code & 0xff;
    out[at + 2] = len >>> 8;
    out[at + 3] = len & 0xff;
    out.set(c.info, at + 4);
    at += (len + 3) & ~3;
  }
  return out;
}

/**
 * Decodes the error causes of an ABORT or ERROR chunk value.
 *
 * @param value The chunk value (after the 4-byte chunk header).
 * @returns The causes (views into `value`), or `undefined` when a cause length is invalid.
 * @example Truncated causes are refused
 * ```ts
 * import { decodeCauses } from "./error_cause.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(decodeCauses(new Uint8Array(0)), []);
 * assert.equal(decodeCauses(new Uint8Array([0, 12, 0, 9, 1])), undefined);
 * ```
 */
export function decodeCauses(value: Uint8Array): SctpCause[] | undefined {
  const causes: SctpCause[] = [];
  let at = 0;
  while (at + 4 <= value.length) {
    const code = (value[at]! << 8) | value[at + 1]!;
    const len = (value[at + 2]! << 8) | value[at + 3]!;
    if (len < 4 || at + len > value.length) return undefined;
    causes.push({ code, info: value.subarray(at + 4, at + len) });
    at += (len + 3) & ~3;
  }
  return at >= value.length ? causes : undefined;
}

/**
 * A one-line description of error causes, for logs and `closed` events: names, and the text of
 * User-Initiated Abort and Protocol Violation causes.
 *
 * @param causes The causes.
 * @returns The description (`""` when there are none).
 * @example Describe an abort
 * ```ts
 * import { describeCauses, SctpErrorCause } from "./error_cause.ts";
 * import assert from "node:assert/strict";
 * const info = new TextEncoder().encode("shutting down");
 * assert.equal(
 *   describeCauses([{ code: SctpErrorCause.UserInitiatedAbort, info }]),
 *   "User-Initiated Abort: shutting down",
 * );
 * ```
 */
export function describeCauses(causes: readonly SctpCause[]): string {
  return causes.map((c) => {
    const name = sctpErrorCauseName(c.code);
    if (
      (c.code === SctpErrorCause.UserInitiatedAbort ||
        c.code === SctpErrorCause.ProtocolViolation) && c.info.length > 0
    ) {
      return `${name}: ${TEXT.decode(c.info)}`;
    }
    return name;
  }).join("; ");
}

const TEXT = new TextDecoder("utf-8", { fatal: false });
