/**
 * Decoding ASAP and ENRP messages on a hot path with reusable state.
 *
 * @see RFC 5352, RFC 5353, RFC 5354
 * @module
 */

import { ByteSlab } from "./_byte_slab.ts";
import { checkDecodeOptions, type DecodeContext, decodeFrame } from "./_frame.ts";
import { Reader } from "./_reader.ts";
import type { AsapMessage } from "./asap_message.ts";
import type { DecodeOptions, DecodeResult } from "./decode_result.ts";
import type { EnrpMessage } from "./enrp_message.ts";
import { classifyPpid } from "./profile.ts";

/**
 * Decodes ASAP and ENRP messages with the rules of {@link decodeAsapMessage}
 * (total: a message, "need-more" or "malformed", never an exception for any
 * input), keeping state between calls to make each decode cheaper:
 *
 * - Byte fields (pool handles, cookies, cause information) are copied into
 *   views of a 4 KiB slab the decoder owns, instead of one allocation each
 *   (the technique of Node's Buffer pool). They never alias the input, but
 *   small ones may share a backing `ArrayBuffer` with fields of earlier
 *   messages; `.slice()` a field before keeping it for long if that matters.
 * - A `DataView` over the last input's `ArrayBuffer` is kept, so an adapter
 *   that reuses its receive buffer reads 64-bit (NG) identifiers directly.
 *
 * Use one decoder per association or per receive loop; it is not shared
 * state across threads (there are none in the core).
 *
 * @example Decode in a receive loop
 * ```ts
 * import { WireDecoder } from "./wire_decoder.ts";
 * import { WireEncoder } from "./wire_encoder.ts";
 * import assert from "node:assert/strict";
 * const bytes = new WireEncoder({ profile: "ng" }).encode({
 *   type: "endpoint-keep-alive-ack",
 *   poolHandle: new TextEncoder().encode("EchoPool"),
 *   poolElementId: 0xfedcba9876543210n,
 * });
 * const decoder = new WireDecoder({ profile: "ng" });
 * const r = decoder.decodeAsap(bytes);
 * assert.equal(r.kind === "ok" && r.message.type === "endpoint-keep-alive-ack" &&
 *   r.message.poolElementId, 0xfedcba9876543210n);
 * ```
 */
export class WireDecoder {
  readonly #options: DecodeOptions;
  readonly #max: number;
  readonly #reader: Reader;
  #buffer: ArrayBufferLike | undefined;
  #withView: DecodeContext | undefined;
  readonly #withoutView: DecodeContext;

  /**
   * Creates a decoder.
   *
   * @param options The expected profile (or `"detect"`) and the size limit.
   * @throws {TypeError} If the profile option is invalid.
   * @throws {RangeError} If `maxMessageSize` is not in 4..65535.
   */
  constructor(options: DecodeOptions) {
    this.#max = checkDecodeOptions(options);
    this.#options = { ...options };
    this.#reader = new Reader(new Uint8Array(0), false, "", new ByteSlab());
    this.#withoutView = { reader: this.#reader, view: undefined, max: this.#max };
  }

  #context(bytes: Uint8Array): DecodeContext {
    if (bytes.buffer === this.#buffer && this.#withView !== undefined) return this.#withView;
    if (this.#options.profile !== "rfc" && bytes instanceof Uint8Array) {
      // Worth a DataView only for 64-bit identifiers; kept for the next message.
      this.#buffer = bytes.buffer;
      return this.#withView = {
        reader: this.#reader,
        view: new DataView(bytes.buffer),
        max: this.#max,
      };
    }
    return this.#withoutView;
  }

  /**
   * Decodes one ASAP message from the start of `bytes`.
   *
   * @param bytes The received bytes, starting with a message header.
   * @returns The message, "need-more" or "malformed".
   * @throws {TypeError} If `bytes` is not a Uint8Array.
   * @example A truncated datagram
   * ```ts
   * import { WireDecoder } from "./wire_decoder.ts";
   * import assert from "node:assert/strict";
   * const d = new WireDecoder({ profile: "rfc" });
   * assert.deepEqual(d.decodeAsap(new Uint8Array([0x0a, 0, 0, 8])), { kind: "need-more", needed: 8 });
   * ```
   */
  decodeAsap(bytes: Uint8Array): DecodeResult<AsapMessage> {
    return decodeFrame(bytes, this.#options, "asap", this.#context(bytes));
  }

  /**
   * Decodes one ENRP message from the start of `bytes`.
   *
   * @param bytes The received bytes, starting with a message header.
   * @returns The message, "need-more" or "malformed".
   * @throws {TypeError} If `bytes` is not a Uint8Array.
   * @example A List Request
   * ```ts
   * import { WireDecoder } from "./wire_decoder.ts";
   * import assert from "node:assert/strict";
   * const d = new WireDecoder({ profile: "rfc" });
   * const r = d.decodeEnrp(new Uint8Array([5, 0, 0, 12, 0, 0, 0, 1, 0, 0, 0, 2]));
   * assert.deepEqual(r.kind === "ok" && r.message, { type: "list-request", senderId: 1n, receiverId: 2n });
   * ```
   */
  decodeEnrp(bytes: Uint8Array): DecodeResult<EnrpMessage> {
    return decodeFrame(bytes, this.#options, "enrp", this.#context(bytes));
  }

  /**
   * Decodes one message received with a payload protocol identifier, which
   * sets the protocol and the profile (the decoder's own profile option is
   * not used; its size limit is).
   *
   * @param bytes The received message.
   * @param ppid The payload protocol identifier it arrived with.
   * @returns The message, "need-more" or "malformed".
   * @throws {RangeError} If the PPID is not one of ASAP's or ENRP's.
   * @example By PPID
   * ```ts
   * import { WireDecoder } from "./wire_decoder.ts";
   * import assert from "node:assert/strict";
   * const d = new WireDecoder({ profile: "detect" });
   * const r = d.decodeByPpid(new Uint8Array([0x0a, 0, 0, 8, 0, 0, 0, 7]), 11);
   * assert.equal(r.kind === "ok" && r.message.type, "server-announce");
   * ```
   */
  decodeByPpid(bytes: Uint8Array, ppid: number): DecodeResult<AsapMessage | EnrpMessage> {
    const meaning = classifyPpid(ppid);
    if (meaning.protocol === "data") {
      throw new RangeError(`Cannot decode: PPID ${ppid} is not an ASAP or ENRP PPID`);
    }
    const max = this.#options.maxMessageSize;
    const options = max === undefined
      ? { profile: meaning.profile }
      : { profile: meaning.profile, maxMessageSize: max };
    return decodeFrame(bytes, options, meaning.protocol, this.#context(bytes));
  }
}
