// Internal slab for the byte fields a WireDecoder copies out of a message
// (pool handles, cookies, cause information). Allocating many small
// Uint8Arrays is expensive in some runtimes (Deno: ~0.3 µs each, the largest
// cost of decoding a Registration); a slab hands out views of one larger
// buffer instead, the technique of Node's Buffer pool. Copies never alias the
// decoded input; small ones may share a backing ArrayBuffer with each other.

/** Slab size: small enough that a retained view pins little memory. */
export const SLAB_SIZE = 4096;
/** Fields longer than this get an allocation of their own. */
export const SLAB_MAX_FIELD = 256;

/** Copies small byte ranges into views of a shared, replaced-when-full buffer. */
export class ByteSlab {
  #buf = new Uint8Array(SLAB_SIZE);
  #pos = 0;

  /** A copy of `src[start, end)`. */
  copy(src: Uint8Array, start: number, end: number): Uint8Array {
    const n = end - start;
    if (n > SLAB_MAX_FIELD) return src.slice(start, end);
    if (this.#pos + n > SLAB_SIZE) {
      this.#buf = new Uint8Array(SLAB_SIZE);
      this.#pos = 0;
    }
    const buf = this.#buf, p = this.#pos;
    for (let i = 0; i < n; i++) buf[p + i] = src[start + i]!;
    // Keep views 8-byte aligned so neighbours do not share cache lines needlessly.
    this.#pos = (p + n + 7) & ~7;
    // The constructor is cheaper than subarray() (no species lookup).
    return new Uint8Array(buf.buffer, p, n);
  }
}
