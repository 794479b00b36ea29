/**
 * Decoding ASAP and ENRP messages. Decoding is total: any byte string gives a
 * message, "need more bytes", or a malformed result naming the RFC 5354 error
 * cause and the offset (see {@link DecodeResult}); it never throws for any
 * input bytes and its work is linear in the message size.
 *
 * Rules (RFC 5354, RSPLIB-compatible where they differ):
 * - The message Length may include or exclude the final padding (up to 3
 *   bytes); a parameter Length excludes its padding, and a container's
 *   Length may include or exclude the padding of its last parameter.
 * - Parameters are expected in the order of RFC 5352/5353. An unrecognised
 *   parameter type (compared as the full 16-bit code) is handled by its
 *   action bits: 00 stop and drop silently, 01 stop and report, 10 skip,
 *   11 skip and report (listed in `unrecognized` of the result).
 * - The NG flag (0x80) must match the expected profile ("profile-mismatch"
 *   otherwise), or selects it when the profile is `"detect"`.
 * - Flags a message does not define, padding contents and reserved fields
 *   are ignored.
 * - Decoded byte fields (pool handles, cookies, cause information) are copies;
 *   nothing in a result aliases the input.
 *
 * @see RFC 5352, RFC 5353, RFC 5354
 * @module
 */

import { decodeFrame } from "./_frame.ts";
import type { AsapMessage } from "./asap_message.ts";
import type { DecodeOptions, DecodeResult } from "./decode_result.ts";
import type { EnrpMessage } from "./enrp_message.ts";
import { classifyPpid } from "./profile.ts";

/**
 * Decodes one ASAP message from the start of `bytes`.
 *
 * In a stream, call it repeatedly and drop `consumed` bytes after each
 * message; "need-more" says how many bytes in total are required. On a
 * datagram (SCTP message, UDP) "need-more" means the datagram is truncated.
 *
 * @param bytes The received bytes, starting with a message header.
 * @param options The expected profile (or `"detect"`) and the size limit.
 * @returns The message, "need-more" or "malformed".
 * @throws {TypeError} If `bytes` is not a Uint8Array or the profile option is invalid.
 * @throws {RangeError} If `maxMessageSize` is not in 4..65535.
 * @example Decode a Server Announce
 * ```ts
 * import { decodeAsapMessage } from "./decode.ts";
 * import assert from "node:assert/strict";
 * const bytes = new Uint8Array([0x0a, 0x00, 0x00, 0x08, 0x7c, 0x5b, 0x2e, 0x11]);
 * const r = decodeAsapMessage(bytes, { profile: "rfc" });
 * assert.equal(r.kind, "ok");
 * if (r.kind === "ok") {
 *   assert.deepEqual(r.message, {
 *     type: "server-announce",
 *     registrarId: 0x7c5b2e11n,
 *     transports: [],
 *   });
 * }
 * assert.deepEqual(decodeAsapMessage(bytes.subarray(0, 6), { profile: "rfc" }), {
 *   kind: "need-more",
 *   needed: 8,
 * });
 * ```
 */
export function decodeAsapMessage(
  bytes: Uint8Array,
  options: DecodeOptions,
): DecodeResult<AsapMessage> {
  return decodeFrame(bytes, options, "asap");
}

/**
 * Decodes one ENRP message from the start of `bytes` (see {@link decodeAsapMessage}).
 *
 * @param bytes The received bytes, starting with a message header.
 * @param options The expected profile (or `"detect"`) and the size limit.
 * @returns The message, "need-more" or "malformed".
 * @throws {TypeError} If `bytes` is not a Uint8Array or the profile option is invalid.
 * @throws {RangeError} If `maxMessageSize` is not in 4..65535.
 * @example A profile mismatch is reported, never misparsed
 * ```ts
 * import { decodeEnrpMessage } from "./decode.ts";
 * import assert from "node:assert/strict";
 * // An RFC-profile List Request received where the NG profile is expected.
 * const bytes = new Uint8Array([5, 0, 0, 12, 0x3f, 0, 0xaa, 1, 0x7c, 0x5b, 0x2e, 0x11]);
 * const r = decodeEnrpMessage(bytes, { profile: "ng" });
 * assert.equal(r.kind, "malformed");
 * if (r.kind === "malformed") assert.equal(r.reason, "profile-mismatch");
 * assert.equal(decodeEnrpMessage(bytes, { profile: "rfc" }).kind, "ok");
 * ```
 */
export function decodeEnrpMessage(
  bytes: Uint8Array,
  options: DecodeOptions,
): DecodeResult<EnrpMessage> {
  return decodeFrame(bytes, options, "enrp");
}

/** Options of {@link decodeMessage}. */
export interface DecodeMessageOptions {
  /** Largest accepted message Length, 4..65535 (default 65535). */
  readonly maxMessageSize?: number;
}

/**
 * Decodes one message received with a payload protocol identifier: the PPID
 * says ASAP or ENRP and the profile (11/12: RFC; "NGAS"/"NGEN": NG), and the
 * message's NG flag must agree.
 *
 * @param bytes The received message.
 * @param ppid The payload protocol identifier it arrived with.
 * @param options The size limit.
 * @returns The message, "need-more" or "malformed".
 * @throws {RangeError} If the PPID is not one of ASAP's or ENRP's (application data).
 * @example Dispatch by PPID
 * ```ts
 * import { decodeMessage } from "./decode.ts";
 * import assert from "node:assert/strict";
 * const listRequest = new Uint8Array([5, 0, 0, 12, 0x3f, 0, 0xaa, 1, 0x7c, 0x5b, 0x2e, 0x11]);
 * const r = decodeMessage(listRequest, 12);
 * assert.equal(r.kind === "ok" && r.message.type, "list-request");
 * ```
 */
export function decodeMessage(
  bytes: Uint8Array,
  ppid: number,
  options: DecodeMessageOptions = {},
): DecodeResult<AsapMessage | EnrpMessage> {
  const meaning = classifyPpid(ppid);
  if (meaning.protocol === "data") {
    throw new RangeError(`Cannot decode: PPID ${ppid} is not an ASAP or ENRP PPID`);
  }
  const opts = options.maxMessageSize === undefined
    ? { profile: meaning.profile }
    : { profile: meaning.profile, maxMessageSize: options.maxMessageSize };
  return decodeFrame(bytes, opts, meaning.protocol);
}
