/**
 * What a decode returns: a message, "need more bytes", or a typed malformed
 * result naming the RFC 5354 error cause and the offset. Decoding never
 * throws for any input bytes; only misuse of the API (bad options) throws.
 *
 * @see RFC 5354 section 3.10 (cause codes)
 * @module
 */

import type { WireProfile } from "./profile.ts";

/** The protocol of a message: ASAP or ENRP. */
export type RserpoolProtocol = "asap" | "enrp";

/**
 * Why a message was rejected.
 *
 * - `"profile-mismatch"`: the NG flag (0x80) disagrees with the expected profile.
 * - `"bad-length"`: a message or parameter Length is too short, runs past its
 *   container, or a fixed-size parameter has the wrong Length.
 * - `"truncated-parameter"`: 1–3 bytes are left in a container, too few for a parameter header.
 * - `"bad-padding"`: a container's Length ends inside (not before or after) its last parameter's padding.
 * - `"unknown-message-type"`: the message type is not defined for the protocol.
 * - `"unrecognized-parameter"`: an unrecognised parameter with action bits 00 or 01 stopped processing.
 * - `"unexpected-parameter"`: a recognised parameter where the message layout does not allow it.
 * - `"missing-parameter"`: a mandatory parameter is absent.
 * - `"invalid-value"`: a field value is not allowed (empty pool handle, bad address count, ...).
 * - `"too-large"`: the message Length exceeds the configured maximum.
 */
export type MalformedReason =
  | "profile-mismatch"
  | "bad-length"
  | "truncated-parameter"
  | "bad-padding"
  | "unknown-message-type"
  | "unrecognized-parameter"
  | "unexpected-parameter"
  | "missing-parameter"
  | "invalid-value"
  | "too-large";

/** Options of a decode. */
export interface DecodeOptions {
  /**
   * The profile the receiver expects (known from the association's PPID), or
   * `"detect"` to take it from the message's NG flag (for self-describing
   * UDP datagrams and tools).
   */
  readonly profile: WireProfile | "detect";
  /**
   * Largest accepted message Length in bytes, 4..65535 (default 65535). A
   * larger Length is rejected as `"too-large"` as soon as the header is seen,
   * so a stream reader never buffers more than this for one message.
   */
  readonly maxMessageSize?: number;
}

/** A decoded message. */
export interface DecodeOk<M> {
  /** Discriminant. */
  readonly kind: "ok";
  /** ASAP or ENRP. */
  readonly protocol: RserpoolProtocol;
  /** The profile the message was decoded with. */
  readonly profile: WireProfile;
  /** The message. Its byte fields are copies: nothing aliases the input. */
  readonly message: M;
  /**
   * Bytes taken from the input: the message Length rounded up to 4 (the
   * final padding), or less if the input ends before that padding.
   */
  readonly consumed: number;
  /**
   * Unrecognised parameters with action bits 11 that were skipped and must be
   * reported (Operation Error, cause Unrecognized Parameter); usually empty.
   */
  readonly unrecognized: readonly Uint8Array[];
}

/** The input holds only the beginning of a message. */
export interface DecodeNeedMore {
  /** Discriminant. */
  readonly kind: "need-more";
  /** The total number of input bytes needed before decoding can go on. */
  readonly needed: number;
}

/** The message is malformed. */
export interface DecodeMalformed {
  /** Discriminant. */
  readonly kind: "malformed";
  /** ASAP or ENRP. */
  readonly protocol: RserpoolProtocol;
  /** Why. */
  readonly reason: MalformedReason;
  /** The RFC 5354 cause code to report it with (see `ErrorCause`). */
  readonly cause: number;
  /** Offset of the problem from the start of the message. */
  readonly offset: number;
  /** Human-readable explanation, e.g. "Cannot decode ASAP Registration: ...". */
  readonly detail: string;
  /**
   * Whether the protocol says to answer with an Error message: false for an
   * unrecognised parameter with action bits 00 (silent stop) and whenever the
   * malformed message is itself an ASAP/ENRP Error.
   */
  readonly report: boolean;
  /** The offending parameter or message (a copy), used as cause information. */
  readonly offending?: Uint8Array;
  /** The message type byte, when the header could be read. */
  readonly messageType?: number;
  /**
   * Bytes to skip in a stream to get past this message: its padded Length
   * when known and present, else the whole input.
   */
  readonly consumed: number;
}

/** The result of decoding one message. */
export type DecodeResult<M> = DecodeOk<M> | DecodeNeedMore | DecodeMalformed;
