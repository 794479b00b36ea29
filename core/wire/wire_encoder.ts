/**
 * Encoding ASAP and ENRP messages into a reusable buffer.
 *
 * @see RFC 5352, RFC 5353, RFC 5354
 * @module
 */

import { writeAsap } from "./_asap_body.ts";
import { writeEnrp } from "./_enrp_body.ts";
import { MAX_MESSAGE_SIZE } from "./_frame.ts";
import { Writer } from "./_writer.ts";
import { ASAP_MESSAGE_TYPES, type AsapMessage } from "./asap_message.ts";
import type { RserpoolProtocol } from "./decode_result.ts";
import type { EnrpMessage } from "./enrp_message.ts";
import { DEFAULT_WIRE_PROFILE, type WireProfile } from "./profile.ts";

/** Options of a {@link WireEncoder}. */
export interface WireEncoderOptions {
  /** The wire profile to encode in (default: NG, {@link DEFAULT_WIRE_PROFILE}). */
  readonly profile?: WireProfile;
  /** Largest message to produce, 4..65535 bytes (default 65535). */
  readonly maxMessageSize?: number;
}

const ASAP_TYPES = new Set<string>(ASAP_MESSAGE_TYPES.map(([name]) => name));

/**
 * Whether a message is ASAP or ENRP (the `type` strings of the two are disjoint).
 *
 * @param message An ASAP or ENRP message.
 * @returns `"asap"` or `"enrp"`.
 * @example Protocol of a message
 * ```ts
 * import { protocolOf } from "./wire_encoder.ts";
 * import assert from "node:assert/strict";
 * assert.equal(protocolOf({ type: "list-request", senderId: 1n, receiverId: 2n }), "enrp");
 * ```
 */
export function protocolOf(message: AsapMessage | EnrpMessage): RserpoolProtocol {
  return ASAP_TYPES.has(message.type) ? "asap" : "enrp";
}

/**
 * Encodes ASAP and ENRP messages of one wire profile.
 *
 * The encoder owns a growable buffer and reuses it: the `Uint8Array` returned
 * by {@link WireEncoder.encode} (and `encodeAsap`/`encodeEnrp`) is a view into
 * that buffer and is overwritten by the next call. Send it or copy it
 * (`.slice()`) before encoding again, or use {@link WireEncoder.encodeInto}.
 *
 * Output is canonical: parameters in RFC order, every parameter zero-padded
 * to 4 bytes, Length fields backfilled, the message Length counting the final
 * padding (as RSPLIB sends), the NG flag set exactly in the NG profile. The
 * encoder validates its input and never produces a message that the decoder
 * of the same profile rejects: it throws a `TypeError` for a value of the
 * wrong type (an unknown message type, a non-`Uint8Array` pool handle, an
 * address that is not IP text, ...) and a `RangeError` for a value out of
 * range (an identifier too wide for the profile, an empty pool handle, a
 * non-SCTP transport without exactly one address, a message over the size
 * limit, ...).
 *
 * @example Encode a Handle Resolution and decode it again
 * ```ts
 * import { WireEncoder } from "./wire_encoder.ts";
 * import { decodeAsapMessage } from "./decode.ts";
 * import assert from "node:assert/strict";
 * const encoder = new WireEncoder({ profile: "rfc" });
 * const poolHandle = new TextEncoder().encode("CalcAppPool");
 * const bytes = encoder.encodeAsap({ type: "handle-resolution", poolHandle, items: 2 });
 * assert.equal(bytes.length, 28);
 * const r = decodeAsapMessage(bytes, { profile: "rfc" });
 * assert.deepEqual(r.kind === "ok" && r.message, { type: "handle-resolution", poolHandle, items: 2 });
 * ```
 */
export class WireEncoder {
  /** The profile this encoder writes. */
  readonly profile: WireProfile;
  #w: Writer;
  #max: number;

  /**
   * Creates an encoder.
   *
   * @param options Profile (default NG) and size limit.
   * @throws {TypeError} If the profile is not `"rfc"` or `"ng"`.
   * @throws {RangeError} If `maxMessageSize` is not in 4..65535.
   */
  constructor(options: WireEncoderOptions = {}) {
    const profile = options.profile ?? DEFAULT_WIRE_PROFILE;
    if (profile !== "rfc" && profile !== "ng") {
      throw new TypeError(
        `Cannot create encoder: profile "${String(profile)}" is not "rfc" or "ng"`,
      );
    }
    const max = options.maxMessageSize ?? MAX_MESSAGE_SIZE;
    if (!Number.isInteger(max) || max < 4 || max > MAX_MESSAGE_SIZE) {
      throw new RangeError(`Cannot create encoder: maxMessageSize ${max} is not in 4..65535`);
    }
    this.profile = profile;
    this.#max = max;
    this.#w = new Writer(profile === "ng");
  }

  /**
   * Encodes an ASAP or ENRP message.
   *
   * @param message The message.
   * @returns A view of the encoded bytes, valid until the next call on this encoder.
   * @throws {TypeError} On a value of the wrong type.
   * @throws {RangeError} On a value out of range for the profile or the size limit.
   * @example Either protocol
   * ```ts
   * import { WireEncoder } from "./wire_encoder.ts";
   * import assert from "node:assert/strict";
   * const enc = new WireEncoder({ profile: "rfc" });
   * const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
   * assert.equal(
   *   hex(enc.encode({ type: "list-request", senderId: 0x3f00aa01n, receiverId: 0x7c5b2e11n })),
   *   "0500000c3f00aa017c5b2e11",
   * );
   * ```
   */
  encode(message: AsapMessage | EnrpMessage): Uint8Array {
    if (message === null || typeof message !== "object") {
      throw new TypeError("Cannot encode: the message must be an object");
    }
    return ASAP_TYPES.has(message.type)
      ? this.encodeAsap(message as AsapMessage)
      : this.encodeEnrp(message as EnrpMessage);
  }

  /**
   * Encodes an ASAP message.
   *
   * @param message The message.
   * @returns A view of the encoded bytes, valid until the next call on this encoder.
   * @throws {TypeError} On a value of the wrong type.
   * @throws {RangeError} On a value out of range for the profile or the size limit.
   * @example Keep-Alive in the NG profile
   * ```ts
   * import { WireEncoder } from "./wire_encoder.ts";
   * import assert from "node:assert/strict";
   * const enc = new WireEncoder({ profile: "ng" });
   * const b = enc.encodeAsap({
   *   type: "endpoint-keep-alive",
   *   home: true,
   *   registrarId: 0x0123456789abcdefn,
   *   poolHandle: new Uint8Array([0x50]),
   * });
   * assert.equal(b[1], 0x81); // NG flag + H flag
   * assert.equal(b.length, 4 + 8 + 8);
   * ```
   */
  encodeAsap(message: AsapMessage): Uint8Array {
    if (message === null || typeof message !== "object") {
      throw new TypeError("Cannot encode: the message must be an object");
    }
    const w = this.#w;
    writeAsap(w, message);
    return this.#finish();
  }

  /**
   * Encodes an ENRP message.
   *
   * @param message The message.
   * @returns A view of the encoded bytes, valid until the next call on this encoder.
   * @throws {TypeError} On a value of the wrong type.
   * @throws {RangeError} On a value out of range for the profile or the size limit.
   * @example Identifiers too wide for the RFC profile are refused
   * ```ts
   * import { WireEncoder } from "./wire_encoder.ts";
   * import assert from "node:assert/strict";
   * const enc = new WireEncoder({ profile: "rfc" });
   * assert.throws(
   *   () => enc.encodeEnrp({ type: "list-request", senderId: 1n << 40n, receiverId: 0n }),
   *   RangeError,
   * );
   * ```
   */
  encodeEnrp(message: EnrpMessage): Uint8Array {
    if (message === null || typeof message !== "object") {
      throw new TypeError("Cannot encode: the message must be an object");
    }
    writeEnrp(this.#w, message);
    return this.#finish();
  }

  /**
   * Encodes a message into the caller's buffer.
   *
   * @param message An ASAP or ENRP message.
   * @param target Where to write.
   * @param offset Where in `target` to start (default 0).
   * @returns The number of bytes written.
   * @throws {TypeError} On a value of the wrong type.
   * @throws {RangeError} On a value out of range, or if `target` is too small.
   * @example Into a larger buffer
   * ```ts
   * import { WireEncoder } from "./wire_encoder.ts";
   * import assert from "node:assert/strict";
   * const enc = new WireEncoder({ profile: "rfc" });
   * const out = new Uint8Array(64);
   * const n = enc.encodeInto({ type: "list-request", senderId: 1n, receiverId: 2n }, out, 12);
   * assert.equal(n, 12);
   * assert.equal(out[12], 5);
   * ```
   */
  encodeInto(message: AsapMessage | EnrpMessage, target: Uint8Array, offset = 0): number {
    const bytes = this.encode(message);
    if (!Number.isInteger(offset) || offset < 0 || offset + bytes.length > target.length) {
      throw new RangeError(
        `Cannot encode: ${bytes.length} bytes do not fit the target at offset ${offset}`,
      );
    }
    target.set(bytes, offset);
    return bytes.length;
  }

  #finish(): Uint8Array {
    const w = this.#w;
    const len = w.pos;
    if (len > this.#max) {
      throw w.range(`the message is ${len} bytes long, over the maximum of ${this.#max}`);
    }
    const b = w.buf;
    b[2] = len >>> 8;
    b[3] = len;
    return b.subarray(0, len);
  }
}

/**
 * Encodes one message into a new `Uint8Array` (a convenience for tools and
 * tests; a hot path keeps a {@link WireEncoder} and reuses its buffer).
 *
 * @param message An ASAP or ENRP message.
 * @param options The profile (default NG) and size limit.
 * @returns The encoded bytes (a fresh copy).
 * @throws {TypeError} On a value of the wrong type.
 * @throws {RangeError} On a value out of range for the profile or the size limit.
 * @example One-off encoding
 * ```ts
 * import { encodeMessage } from "./wire_encoder.ts";
 * import assert from "node:assert/strict";
 * const b = encodeMessage({ type: "server-announce", registrarId: 7n, transports: [] }, {
 *   profile: "rfc",
 * });
 * assert.deepEqual(b, new Uint8Array([0x0a, 0, 0, 8, 0, 0, 0, 7]));
 * ```
 */
export function encodeMessage(
  message: AsapMessage | EnrpMessage,
  options: WireEncoderOptions = {},
): Uint8Array {
  return new WireEncoder(options).encode(message).slice();
}
