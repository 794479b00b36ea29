/**
 * Frames of the TCP/MPTCP framing shim: the 12-byte header, the frame types,
 * one-shot encode and decode, and the payloads of the control frames (HELLO,
 * HEARTBEAT, HEARTBEAT-ACK, ABORT).
 *
 * ```text
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Flags     |         Stream number         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |              Payload protocol identifier (PPID)               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               Length (payload bytes after header)             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Payload (Length bytes)                    |
 * ```
 *
 * All fields are big-endian. Flags are sent as 0 and ignored on receipt.
 * Stream and PPID are meaningful in DATA frames only; control frames send 0
 * there and receivers ignore them. A receiver checks the header before it
 * buffers any payload, so a header claiming 2 GiB is refused after 12 bytes.
 *
 * @module
 */

import { AbortCause } from "./abort_cause.ts";

/** Size in bytes of a frame header. */
export const FRAME_HEADER_BYTES = 12;

/** The frame types of the shim. */
export const FrameType = {
  /** One user message (an ASAP or ENRP message, or application data) with its PPID and stream. */
  Data: 0x01,
  /** A liveness probe with an 8-byte opaque payload. */
  Heartbeat: 0x02,
  /** The answer to a HEARTBEAT, echoing its payload. */
  HeartbeatAck: 0x03,
  /** A cause code (u16) and a UTF-8 reason; the sender closes the connection after it. */
  Abort: 0x04,
  /** The first frame in each direction: shim version and the largest DATA payload accepted. */
  Hello: 0x05,
} as const;

/** A frame type code known to this implementation. */
export type FrameTypeCode = typeof FrameType[keyof typeof FrameType];

/** The shim version this implementation speaks. */
export const SHIM_VERSION = 1;

/**
 * Default largest DATA payload a receiver accepts: 1 MiB. ASAP and ENRP messages are at most
 * 65535 bytes; the rest of the room is for application data on PU-PE associations.
 */
export const DEFAULT_MAX_PAYLOAD = 1 << 20;

/**
 * The smallest "largest DATA payload" a peer may announce in its HELLO: 65535 bytes, the largest
 * ASAP or ENRP message. It is also the limit for DATA sent before the peer's HELLO has arrived.
 */
export const MIN_MAX_PAYLOAD = 65535;

/** Largest payload of a control frame (HELLO, ABORT); larger control frames are invalid. */
export const MAX_CONTROL_PAYLOAD = 1024;

/** Payload size of HEARTBEAT and HEARTBEAT-ACK frames. */
export const HEARTBEAT_PAYLOAD_BYTES = 8;

/** Payload size of a version 1 HELLO (receivers accept longer ones and ignore the tail). */
export const HELLO_PAYLOAD_BYTES = 8;

/** A decoded frame. */
export interface Frame {
  /** The frame type (one of {@link FrameType}). */
  readonly type: FrameTypeCode;
  /** The flags byte as received (no flags are defined yet). */
  readonly flags: number;
  /** Stream number (DATA frames). */
  readonly stream: number;
  /** Payload protocol identifier (DATA frames). */
  readonly ppid: number;
  /** The payload; may be a view into the buffer that was decoded. */
  readonly payload: Uint8Array;
}

/** Why a frame is malformed. */
export type FrameErrorKind =
  | "unknown-frame-type"
  | "frame-too-large"
  | "invalid-length"
  | "handshake-failure";

/** A malformed frame: the kind, the ABORT cause to send and a message. */
export interface FrameError {
  /** The kind of problem. */
  readonly kind: FrameErrorKind;
  /** The ABORT cause code that reports it to the peer. */
  readonly cause: number;
  /** A human-readable explanation. */
  readonly message: string;
}

/** The result of decoding a frame: the frame, "need more bytes", or malformed. */
export type FrameDecodeResult =
  | { readonly kind: "frame"; readonly frame: Frame; readonly consumed: number }
  | { readonly kind: "need-more" }
  | { readonly kind: "malformed"; readonly error: FrameError };

/**
 * Checks a frame header's type and length against the limits, before any payload is buffered.
 *
 * @param type The type byte.
 * @param length The length field.
 * @param maxPayload The largest DATA payload accepted.
 * @returns The problem, or `undefined` when the header is acceptable.
 * @example A 2 GiB DATA frame is refused on its header
 * ```ts
 * import { checkFrameHeader, FrameType } from "./frame.ts";
 * import assert from "node:assert/strict";
 * assert.equal(checkFrameHeader(FrameType.Data, 2 ** 31, 1 << 20)?.kind, "frame-too-large");
 * assert.equal(checkFrameHeader(FrameType.Data, 100, 1 << 20), undefined);
 * ```
 */
export function checkFrameHeader(
  type: number,
  length: number,
  maxPayload: number,
): FrameError | undefined {
  switch (type) {
    case FrameType.Data:
      if (length > maxPayload) {
        return {
          kind: "frame-too-large",
          cause: AbortCause.FrameTooLarge,
          message:
            `Cannot accept DATA frame: payload length ${length} exceeds the limit of ${maxPayload} bytes`,
        };
      }
      if (length === 0) return invalidLength("DATA", length, "at least 1");
      return undefined;
    case FrameType.Heartbeat:
    case FrameType.HeartbeatAck:
      return length === HEARTBEAT_PAYLOAD_BYTES ? undefined : invalidLength(
        type === FrameType.Heartbeat ? "HEARTBEAT" : "HEARTBEAT-ACK",
        length,
        `exactly ${HEARTBEAT_PAYLOAD_BYTES}`,
      );
    case FrameType.Abort:
      return length >= 2 && length <= MAX_CONTROL_PAYLOAD
        ? undefined
        : invalidLength("ABORT", length, `2 to ${MAX_CONTROL_PAYLOAD}`);
    case FrameType.Hello:
      return length >= HELLO_PAYLOAD_BYTES && length <= MAX_CONTROL_PAYLOAD
        ? undefined
        : invalidLength("HELLO", length, `${HELLO_PAYLOAD_BYTES} to ${MAX_CONTROL_PAYLOAD}`);
    default:
      return {
        kind: "unknown-frame-type",
        cause: AbortCause.UnknownFrameType,
        message: `Cannot decode frame: unknown frame type 0x${type.toString(16).padStart(2, "0")}`,
      };
  }
}

function invalidLength(name: string, length: number, expected: string): FrameError {
  return {
    kind: "invalid-length",
    cause: AbortCause.InvalidFrameLength,
    message: `Cannot decode ${name} frame: payload length ${length} is not ${expected} bytes`,
  };
}

/**
 * Writes a frame (header and payload) into a buffer.
 *
 * @param target The buffer to write into; needs `FRAME_HEADER_BYTES + payload.length` bytes of room.
 * @param offset Where the frame starts in `target`.
 * @param type The frame type.
 * @param stream The stream number (0..65535).
 * @param ppid The payload protocol identifier (0..0xffffffff).
 * @param payload The payload.
 * @returns The number of bytes written.
 * @example Encode into a larger buffer
 * ```ts
 * import { encodeFrameInto, FrameType } from "./frame.ts";
 * import assert from "node:assert/strict";
 * const buf = new Uint8Array(64);
 * const n = encodeFrameInto(buf, 4, FrameType.Data, 0, 11, new Uint8Array([1, 2]));
 * assert.equal(n, 14);
 * assert.deepEqual([...buf.subarray(4, 18)], [1, 0, 0, 0, 0, 0, 0, 11, 0, 0, 0, 2, 1, 2]);
 * ```
 */
export function encodeFrameInto(
  target: Uint8Array,
  offset: number,
  type: number,
  stream: number,
  ppid: number,
  payload: Uint8Array,
): number {
  const total = FRAME_HEADER_BYTES + payload.length;
  if (offset < 0 || offset + total > target.length) {
    throw new RangeError(
      `Cannot encode frame: ${total} bytes do not fit at offset ${offset} of a ${target.length}-byte buffer`,
    );
  }
  target[offset] = type;
  target[offset + 1] = 0;
  target[offset + 2] = stream >>> 8;
  target[offset + 3] = stream & 0xff;
  target[offset + 4] = ppid >>> 24;
  target[offset + 5] = (ppid >>> 16) & 0xff;
  target[offset + 6] = (ppid >>> 8) & 0xff;
  target[offset + 7] = ppid & 0xff;
  const length = payload.length;
  target[offset + 8] = length >>> 24;
  target[offset + 9] = (length >>> 16) & 0xff;
  target[offset + 10] = (length >>> 8) & 0xff;
  target[offset + 11] = length & 0xff;
  target.set(payload, offset + FRAME_HEADER_BYTES);
  return total;
}

/**
 * Encodes a frame into a new buffer.
 *
 * @param type The frame type.
 * @param stream The stream number (0..65535).
 * @param ppid The payload protocol identifier (0..0xffffffff).
 * @param payload The payload (copied).
 * @returns The frame bytes.
 * @example A DATA frame carrying an ASAP message on stream 0
 * ```ts
 * import { encodeFrame, FrameType } from "./frame.ts";
 * import assert from "node:assert/strict";
 * const bytes = encodeFrame(FrameType.Data, 0, 11, new Uint8Array([0x03, 0, 0, 4]));
 * assert.equal(bytes.length, 16);
 * assert.equal(bytes[0], 0x01);
 * ```
 */
export function encodeFrame(
  type: number,
  stream: number,
  ppid: number,
  payload: Uint8Array,
): Uint8Array {
  checkFields(type, stream, ppid);
  const out = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  encodeFrameInto(out, 0, type, stream, ppid, payload);
  return out;
}

function checkFields(type: number, stream: number, ppid: number): void {
  if (!Number.isInteger(type) || type < 0 || type > 0xff) {
    throw new RangeError(`Cannot encode frame: type ${type} is not an integer in 0..255`);
  }
  if (!Number.isInteger(stream) || stream < 0 || stream > 0xffff) {
    throw new RangeError(`Cannot encode frame: stream ${stream} is not an integer in 0..65535`);
  }
  if (!Number.isInteger(ppid) || ppid < 0 || ppid > 0xffffffff) {
    throw new RangeError(`Cannot encode frame: PPID ${ppid} is not an integer in 0..0xffffffff`);
  }
}

/**
 * Decodes one frame from the start of `bytes[offset..]`. Never throws on peer input: the result
 * is a frame with the number of bytes consumed (trailing bytes are left alone), "need more", or
 * malformed. The header is checked before the payload is awaited.
 *
 * @param bytes The received bytes.
 * @param offset Where the frame starts.
 * @param maxPayload The largest DATA payload accepted (default {@link DEFAULT_MAX_PAYLOAD}).
 * @returns The decode result; a frame's payload is a view into `bytes`.
 * @example Whole, short and malformed input
 * ```ts
 * import { decodeFrame, encodeFrame, FrameType } from "./frame.ts";
 * import assert from "node:assert/strict";
 * const bytes = encodeFrame(FrameType.Data, 3, 42, new Uint8Array([7]));
 * const r = decodeFrame(bytes);
 * assert.equal(r.kind, "frame");
 * if (r.kind === "frame") assert.equal(r.frame.stream, 3);
 * assert.equal(decodeFrame(bytes.subarray(0, 5)).kind, "need-more");
 * assert.equal(decodeFrame(new Uint8Array(12).fill(0x47)).kind, "malformed");
 * ```
 */
export function decodeFrame(
  bytes: Uint8Array,
  offset = 0,
  maxPayload: number = DEFAULT_MAX_PAYLOAD,
): FrameDecodeResult {
  if (bytes.length - offset < FRAME_HEADER_BYTES) return NEED_MORE;
  const type = bytes[offset]!;
  const length = readU32(bytes, offset + 8);
  const error = checkFrameHeader(type, length, maxPayload);
  if (error !== undefined) return { kind: "malformed", error };
  const end = offset + FRAME_HEADER_BYTES + length;
  if (bytes.length < end) return NEED_MORE;
  return {
    kind: "frame",
    frame: {
      type: type as FrameTypeCode,
      flags: bytes[offset + 1]!,
      stream: (bytes[offset + 2]! << 8) | bytes[offset + 3]!,
      ppid: readU32(bytes, offset + 4),
      payload: bytes.subarray(offset + FRAME_HEADER_BYTES, end),
    },
    consumed: end - offset,
  };
}

/** The shared "need more bytes" result. */
export const NEED_MORE: FrameDecodeResult = Object.freeze({ kind: "need-more" });

/**
 * Reads a big-endian u32.
 *
 * @param bytes The buffer.
 * @param offset Where the integer starts.
 * @returns The unsigned value.
 * @example Read a length field
 * ```ts
 * import { readU32 } from "./frame.ts";
 * import assert from "node:assert/strict";
 * assert.equal(readU32(new Uint8Array([0x80, 0, 0, 1]), 0), 0x80000001);
 * ```
 */
export function readU32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) |
    bytes[offset + 3]!) >>> 0;
}

/** The content of a HELLO frame. */
export interface Hello {
  /** The highest shim version the sender speaks (1 here). */
  readonly version: number;
  /** The largest DATA payload the sender accepts. */
  readonly maxPayload: number;
}

/**
 * Encodes a complete HELLO frame: `version u8 | reserved u8 | reserved u16 | max payload u32`.
 *
 * @param maxPayload The largest DATA payload this side accepts (at least {@link MIN_MAX_PAYLOAD}).
 * @param version The shim version (default {@link SHIM_VERSION}).
 * @returns The frame bytes (20 bytes).
 * @example A HELLO announcing 1 MiB
 * ```ts
 * import { decodeFrame, decodeHello, encodeHello } from "./frame.ts";
 * import assert from "node:assert/strict";
 * const r = decodeFrame(encodeHello(1 << 20));
 * assert.equal(r.kind, "frame");
 * if (r.kind === "frame") assert.deepEqual(decodeHello(r.frame.payload), { version: 1, maxPayload: 1 << 20 });
 * ```
 */
export function encodeHello(maxPayload: number, version: number = SHIM_VERSION): Uint8Array {
  checkMaxPayload(maxPayload);
  if (!Number.isInteger(version) || version < 1 || version > 0xff) {
    throw new RangeError(`Cannot encode HELLO: version ${version} is not an integer in 1..255`);
  }
  const payload = new Uint8Array(HELLO_PAYLOAD_BYTES);
  payload[0] = version;
  writeU32(payload, 4, maxPayload);
  return encodeFrame(FrameType.Hello, 0, 0, payload);
}

/**
 * Checks a configured payload limit.
 *
 * @param maxPayload The largest DATA payload to accept.
 * @returns Nothing; throws a RangeError when the value is not an integer in 65535..0xffffffff.
 * @example Too small a limit is refused
 * ```ts
 * import { checkMaxPayload } from "./frame.ts";
 * import assert from "node:assert/strict";
 * assert.throws(() => checkMaxPayload(1000), RangeError);
 * ```
 */
export function checkMaxPayload(maxPayload: number): void {
  if (!Number.isInteger(maxPayload) || maxPayload < MIN_MAX_PAYLOAD || maxPayload > 0xffffffff) {
    throw new RangeError(
      `Invalid maximum payload: ${maxPayload} is not an integer in ${MIN_MAX_PAYLOAD}..4294967295`,
    );
  }
}

/**
 * Decodes a HELLO payload. The result is malformed when the version is 0 or the announced
 * limit is below {@link MIN_MAX_PAYLOAD}; bytes past the first 8 are ignored (later versions
 * may append fields).
 *
 * @param payload The HELLO frame's payload (at least 8 bytes).
 * @returns The HELLO, or a frame error with cause Handshake Failure.
 * @example A limit below 65535 is refused
 * ```ts
 * import { decodeHello } from "./frame.ts";
 * import assert from "node:assert/strict";
 * const bad = decodeHello(new Uint8Array([1, 0, 0, 0, 0, 0, 0x10, 0]));
 * assert.ok("kind" in bad);
 * ```
 */
export function decodeHello(payload: Uint8Array): Hello | FrameError {
  if (payload.length < HELLO_PAYLOAD_BYTES) {
    return handshakeError(`payload length ${payload.length} is shorter than 8 bytes`);
  }
  const version = payload[0]!;
  const maxPayload = readU32(payload, 4);
  if (version === 0) return handshakeError("version 0 is invalid");
  if (maxPayload < MIN_MAX_PAYLOAD) {
    return handshakeError(
      `announced maximum payload ${maxPayload} is below the minimum of ${MIN_MAX_PAYLOAD} bytes`,
    );
  }
  return { version, maxPayload };
}

function handshakeError(detail: string): FrameError {
  return {
    kind: "handshake-failure",
    cause: AbortCause.HandshakeFailure,
    message: `Cannot decode HELLO: ${detail}`,
  };
}

/** The content of an ABORT frame. */
export interface AbortInfo {
  /** The cause code ({@link AbortCause}). */
  readonly cause: number;
  /** The reason text (may be empty). */
  readonly reason: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: false });

/**
 * Encodes a complete ABORT frame. A reason longer than the control frame limit is cut at a
 * character boundary.
 *
 * @param cause The cause code (0..65535).
 * @param reason A human-readable reason.
 * @returns The frame bytes.
 * @example Round trip
 * ```ts
 * import { AbortCause } from "./abort_cause.ts";
 * import { decodeAbort, decodeFrame, encodeAbort } from "./frame.ts";
 * import assert from "node:assert/strict";
 * const r = decodeFrame(encodeAbort(AbortCause.FrameTooLarge, "too big"));
 * assert.equal(r.kind, "frame");
 * if (r.kind === "frame") assert.deepEqual(decodeAbort(r.frame.payload), { cause: 2, reason: "too big" });
 * ```
 */
export function encodeAbort(cause: number, reason: string): Uint8Array {
  if (!Number.isInteger(cause) || cause < 0 || cause > 0xffff) {
    throw new RangeError(`Cannot encode ABORT: cause ${cause} is not an integer in 0..65535`);
  }
  const room = MAX_CONTROL_PAYLOAD - 2;
  const payload = new Uint8Array(2 + Math.min(room, reason.length * 3));
  payload[0] = cause >>> 8;
  payload[1] = cause & 0xff;
  const { written } = encoder.encodeInto(reason, payload.subarray(2));
  return encodeFrame(FrameType.Abort, 0, 0, payload.subarray(0, 2 + written));
}

/**
 * Decodes an ABORT payload. Invalid UTF-8 in the reason is replaced, never an error.
 *
 * @param payload The ABORT frame's payload (at least 2 bytes).
 * @returns The cause and reason.
 * @example Decode
 * ```ts
 * import { decodeAbort } from "./frame.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(decodeAbort(new Uint8Array([0, 7, 0x68, 0x69])), { cause: 7, reason: "hi" });
 * ```
 */
export function decodeAbort(payload: Uint8Array): AbortInfo {
  const cause = payload.length >= 2 ? (payload[0]! << 8) | payload[1]! : AbortCause.Unspecified;
  return { cause, reason: decoder.decode(payload.subarray(2)) };
}

function writeU32(target: Uint8Array, offset: number, value: number): void {
  target[offset] = value >>> 24;
  target[offset + 1] = (value >>> 16) & 0xff;
  target[offset + 2] = (value >>> 8) & 0xff;
  target[offset + 3] = value & 0xff;
}
