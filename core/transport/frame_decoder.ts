/**
 * A streaming decoder for shim frames: push received chunks, pull frames.
 *
 * @module
 */

import {
  checkFrameHeader,
  DEFAULT_MAX_PAYLOAD,
  FRAME_HEADER_BYTES,
  type FrameDecodeResult,
  type FrameError,
  type FrameTypeCode,
  NEED_MORE,
  readU32,
} from "./frame.ts";

/** Options of a {@link FrameDecoder}. */
export interface FrameDecoderOptions {
  /** The largest DATA payload accepted (default 1 MiB). Larger headers are refused unread. */
  readonly maxPayload?: number;
}

/** First capacity of the buffer that gathers a payload split across chunks. */
const FIRST_PAYLOAD_CAPACITY = 4096;

/**
 * Accumulates the bytes of a TCP stream and yields frames, "need more" or a malformed-frame
 * error. It never throws on peer input and never buffers more than the frame in progress:
 * at most 12 header bytes plus the payload bytes actually received so far (which the header
 * check bounds by `maxPayload`). The buffer of a payload split across chunks grows with the
 * bytes that arrive, so a header announcing 1 MiB followed by silence holds only what came.
 *
 * Use: `push(chunk)`, then call `next()` until it returns `need-more` (or `malformed`, after which
 * the decoder stays malformed). A frame whose bytes all lie in one chunk is returned as a view
 * into that chunk (no copy); a frame split across chunks gets its own buffer.
 *
 * @example Frames split across chunks
 * ```ts
 * import { encodeFrame, FrameType } from "./frame.ts";
 * import { FrameDecoder } from "./frame_decoder.ts";
 * import assert from "node:assert/strict";
 * const bytes = encodeFrame(FrameType.Data, 1, 99, new Uint8Array([1, 2, 3]));
 * const d = new FrameDecoder();
 * d.push(bytes.subarray(0, 7));
 * assert.equal(d.next().kind, "need-more");
 * d.push(bytes.subarray(7));
 * const r = d.next();
 * assert.equal(r.kind, "frame");
 * if (r.kind === "frame") assert.deepEqual([...r.frame.payload], [1, 2, 3]);
 * ```
 */
export class FrameDecoder {
  #maxPayload: number;
  #chunk: Uint8Array = new Uint8Array(0);
  #offset = 0;
  #header = new Uint8Array(FRAME_HEADER_BYTES);
  #headerFill = 0;
  #payload: Uint8Array | undefined;
  #payloadFill = 0;
  #length = 0;
  #error: FrameError | undefined;

  /**
   * Creates a decoder.
   *
   * @param options The payload limit.
   */
  constructor(options: FrameDecoderOptions = {}) {
    this.#maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
  }

  /**
   * Hands the decoder the next received chunk. The chunk must not be modified while frames
   * decoded from it are in use.
   *
   * @param chunk The received bytes.
   * @returns Nothing; throws a TypeError if the previous chunk was not drained with `next()`.
   */
  push(chunk: Uint8Array): void {
    if (this.#error !== undefined) return;
    if (this.#offset < this.#chunk.length) {
      throw new TypeError(
        "Cannot push a chunk: the previous chunk is not consumed; call next() until it returns need-more",
      );
    }
    this.#chunk = chunk;
    this.#offset = 0;
  }

  /** Whether a frame has started (some of its bytes arrived) but is not complete. */
  get inFrame(): boolean {
    return this.#headerFill > 0 || this.#payload !== undefined;
  }

  /** Bytes held for the frame in progress (header plus payload received so far). */
  get bufferedBytes(): number {
    return this.#headerFill + this.#payloadFill;
  }

  /** The sticky error once the stream was found malformed, else `undefined`. */
  get error(): FrameError | undefined {
    return this.#error;
  }

  /**
   * Decodes the next frame from the pushed bytes.
   *
   * @returns A frame (with `consumed` = its size), `need-more`, or `malformed`.
   */
  next(): FrameDecodeResult {
    if (this.#error !== undefined) return { kind: "malformed", error: this.#error };
    const chunk = this.#chunk;
    let offset = this.#offset;
    let avail = chunk.length - offset;
    if (this.#headerFill < FRAME_HEADER_BYTES) {
      if (this.#headerFill === 0 && avail >= FRAME_HEADER_BYTES) {
        // Fast path: the header lies in this chunk.
        const type = chunk[offset]!;
        const length = readU32(chunk, offset + 8);
        const error = checkFrameHeader(type, length, this.#maxPayload);
        if (error !== undefined) return this.#fail(error);
        const total = FRAME_HEADER_BYTES + length;
        if (avail >= total) {
          this.#offset = offset + total;
          return {
            kind: "frame",
            frame: {
              type: type as FrameTypeCode,
              flags: chunk[offset + 1]!,
              stream: (chunk[offset + 2]! << 8) | chunk[offset + 3]!,
              ppid: readU32(chunk, offset + 4),
              payload: chunk.subarray(offset + FRAME_HEADER_BYTES, offset + total),
            },
            consumed: total,
          };
        }
        this.#header.set(chunk.subarray(offset, offset + FRAME_HEADER_BYTES));
        this.#headerFill = FRAME_HEADER_BYTES;
        offset += FRAME_HEADER_BYTES;
        avail -= FRAME_HEADER_BYTES;
        this.#length = length;
      } else {
        const take = Math.min(FRAME_HEADER_BYTES - this.#headerFill, avail);
        this.#header.set(chunk.subarray(offset, offset + take), this.#headerFill);
        this.#headerFill += take;
        offset += take;
        avail -= take;
        this.#offset = offset;
        if (this.#headerFill < FRAME_HEADER_BYTES) return NEED_MORE;
        const length = readU32(this.#header, 8);
        const error = checkFrameHeader(this.#header[0]!, length, this.#maxPayload);
        if (error !== undefined) return this.#fail(error);
        this.#length = length;
      }
    }
    const length = this.#length;
    const need = length - this.#payloadFill;
    if (this.#payload === undefined && avail >= need) {
      // The whole payload is in this chunk.
      this.#offset = offset + need;
      return this.#emit(chunk.subarray(offset, offset + need));
    }
    const take = Math.min(need, avail);
    const fill = this.#payloadFill + take;
    let payload = this.#payload;
    if (payload === undefined || payload.length < fill) {
      const grown = new Uint8Array(
        Math.min(length, Math.max(fill, FIRST_PAYLOAD_CAPACITY, (payload?.length ?? 0) * 2)),
      );
      if (payload !== undefined) grown.set(payload.subarray(0, this.#payloadFill));
      payload = grown;
      this.#payload = payload;
    }
    payload.set(chunk.subarray(offset, offset + take), this.#payloadFill);
    this.#payloadFill = fill;
    this.#offset = offset + take;
    if (fill < length) return NEED_MORE;
    return this.#emit(payload);
  }

  #emit(payload: Uint8Array): FrameDecodeResult {
    const h = this.#header;
    const result: FrameDecodeResult = {
      kind: "frame",
      frame: {
        type: h[0]! as FrameTypeCode,
        flags: h[1]!,
        stream: (h[2]! << 8) | h[3]!,
        ppid: readU32(h, 4),
        payload,
      },
      consumed: FRAME_HEADER_BYTES + this.#length,
    };
    this.#headerFill = 0;
    this.#payload = undefined;
    this.#payloadFill = 0;
    this.#length = 0;
    return result;
  }

  #fail(error: FrameError): FrameDecodeResult {
    this.#error = error;
    this.#headerFill = 0;
    this.#payload = undefined;
    this.#payloadFill = 0;
    this.#chunk = new Uint8Array(0);
    this.#offset = 0;
    return { kind: "malformed", error };
  }
}
