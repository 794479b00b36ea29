/**
 * SCTP chunk type codes (RFC 9260 section 3.2 and the IANA registry) and what a receiver does
 * with a type it does not know: the two high bits of the type say so.
 *
 * @module
 */

/** Chunk type codes. The engine implements the RFC 9260 base set; the others are named only. */
export const ChunkType = {
  /** Payload data. */
  Data: 0,
  /** Initiation. */
  Init: 1,
  /** Initiation acknowledgement (carries the state cookie). */
  InitAck: 2,
  /** Selective acknowledgement. */
  Sack: 3,
  /** Heartbeat request. */
  Heartbeat: 4,
  /** Heartbeat acknowledgement. */
  HeartbeatAck: 5,
  /** Abort. */
  Abort: 6,
  /** Shutdown. */
  Shutdown: 7,
  /** Shutdown acknowledgement. */
  ShutdownAck: 8,
  /** Operation error. */
  Error: 9,
  /** State cookie echo. */
  CookieEcho: 10,
  /** Cookie acknowledgement. */
  CookieAck: 11,
  /** Explicit congestion notification echo (not supported: never negotiated). */
  Ecne: 12,
  /** Congestion window reduced (not supported). */
  Cwr: 13,
  /** Shutdown complete. */
  ShutdownComplete: 14,
  /** Authentication, RFC 4895 (not supported). */
  Auth: 15,
  /** I-DATA, RFC 8260 (not supported). */
  IData: 64,
  /** ASCONF-ACK, RFC 5061 (not supported). */
  AsconfAck: 128,
  /** Stream re-configuration, RFC 6525 (not supported). */
  ReConfig: 130,
  /** Padding, RFC 4820 (skipped). */
  Pad: 132,
  /** FORWARD-TSN, RFC 3758 (not supported). */
  ForwardTsn: 192,
  /** ASCONF, RFC 5061 (not supported). */
  Asconf: 193,
  /** I-FORWARD-TSN, RFC 8260 (not supported). */
  IForwardTsn: 194,
} as const;

const NAMES: Record<number, string> = {
  0: "DATA",
  1: "INIT",
  2: "INIT-ACK",
  3: "SACK",
  4: "HEARTBEAT",
  5: "HEARTBEAT-ACK",
  6: "ABORT",
  7: "SHUTDOWN",
  8: "SHUTDOWN-ACK",
  9: "ERROR",
  10: "COOKIE-ECHO",
  11: "COOKIE-ACK",
  12: "ECNE",
  13: "CWR",
  14: "SHUTDOWN-COMPLETE",
  15: "AUTH",
  64: "I-DATA",
  128: "ASCONF-ACK",
  130: "RE-CONFIG",
  132: "PAD",
  192: "FORWARD-TSN",
  193: "ASCONF",
  194: "I-FORWARD-TSN",
};

/**
 * The name of a chunk type.
 *
 * @param type A chunk type code (0..255).
 * @returns Its RFC name, or a hex label for unassigned codes.
 * @example Names
 * ```ts
 * import { ChunkType, chunkTypeName } from "./chunk_type.ts";
 * import assert from "node:assert/strict";
 * assert.equal(chunkTypeName(ChunkType.CookieEcho), "COOKIE-ECHO");
 * assert.equal(chunkTypeName(0x7f), "chunk type 0x7f");
 * ```
 */
export function chunkTypeName(type: number): string {
  return NAMES[type] ?? `chunk type 0x${type.toString(16).padStart(2, "0")}`;
}

/**
 * What RFC 9260 section 3.2 tells a receiver to do with a chunk type it does not implement,
 * from the type's two high bits.
 *
 * - `stop`: 00, stop processing the packet and discard it.
 * - `stop-report`: 01, the same, and report it in an ERROR chunk ("Unrecognized Chunk Type").
 * - `skip`: 10, skip the chunk and go on with the next.
 * - `skip-report`: 11, skip it, go on, and report it.
 */
export type UnknownChunkAction = "stop" | "stop-report" | "skip" | "skip-report";

/**
 * The action for an unknown chunk type.
 *
 * @param type The chunk type code.
 * @returns The action its two high bits ask for.
 * @example The four combinations
 * ```ts
 * import { unknownChunkAction } from "./chunk_type.ts";
 * import assert from "node:assert/strict";
 * assert.equal(unknownChunkAction(0x0f), "stop"); // AUTH
 * assert.equal(unknownChunkAction(0x40), "stop-report"); // I-DATA
 * assert.equal(unknownChunkAction(0x84), "skip"); // PAD
 * assert.equal(unknownChunkAction(0xc1), "skip-report"); // ASCONF
 * ```
 */
export function unknownChunkAction(type: number): UnknownChunkAction {
  switch (type >>> 6) {
    case 0:
      return "stop";
    case 1:
      return "stop-report";
    case 2:
      return "skip";
    default:
      return "skip-report";
  }
}
