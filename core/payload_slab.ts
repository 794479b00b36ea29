/**
 * Copies of outgoing messages as views of a shared buffer, for roles that queue many small
 * messages (a registrar answering handle resolutions). Allocating a small `Uint8Array` costs
 * about 0.3–0.6 µs in Deno (an off-heap backing store each), more than encoding a Handle
 * Resolution Response; a view of a slab costs a few tens of nanoseconds. The technique is Node's
 * Buffer pool and `WireDecoder`'s byte slab.
 *
 * @module
 */

/** Slab size: 64 KiB, so a retained view pins little memory. */
const SLAB_SIZE = 65536;
/** Messages longer than this get an allocation of their own. */
const MAX_IN_SLAB = 8192;

/**
 * Hands out copies of byte ranges as views of a buffer that is replaced (never overwritten)
 * when full: a view's bytes never change after it was returned.
 *
 * @example Copies do not alias the source
 * ```ts
 * import { PayloadSlab } from "./payload_slab.ts";
 * import assert from "node:assert/strict";
 * const slab = new PayloadSlab();
 * const src = new Uint8Array([1, 2, 3]);
 * const copy = slab.copy(src);
 * src[0] = 9;
 * assert.deepEqual([...copy], [1, 2, 3]);
 * ```
 */
export class PayloadSlab {
  #buf = new Uint8Array(SLAB_SIZE);
  #pos = 0;

  /**
   * A copy of some bytes.
   *
   * @param src The bytes.
   * @returns A view holding a copy (its own allocation when longer than 8 KiB).
   */
  copy(src: Uint8Array): Uint8Array {
    const n = src.length;
    if (n > MAX_IN_SLAB) return src.slice();
    if (this.#pos + n > SLAB_SIZE) {
      this.#buf = new Uint8Array(SLAB_SIZE);
      this.#pos = 0;
    }
    const p = this.#pos;
    this.#buf.set(src, p);
    this.#pos = (p + n + 7) & ~7;
    return new Uint8Array(this.#buf.buffer, p, n);
  }
}
