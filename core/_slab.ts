// One ArrayBuffer carved into typed-array views: allocating a backing store
// costs about as much as ten views, so a component that needs several
// per-slot arrays allocates them together. Views are handed out in call
// order; allocate 8-byte arrays first so every view stays aligned.

export class Slab {
  readonly #buffer: ArrayBuffer;
  #offset = 0;

  /**
   * @param f64 Number of 8-byte elements to be handed out.
   * @param i32 Number of 4-byte elements to be handed out.
   * @param u8 Number of 1-byte elements to be handed out.
   */
  constructor(f64: number, i32: number, u8 = 0) {
    this.#buffer = new ArrayBuffer(8 * f64 + 4 * i32 + u8);
  }

  f64(n: number): Float64Array {
    const v = new Float64Array(this.#buffer, this.#offset, n);
    this.#offset += 8 * n;
    return v;
  }

  u32(n: number): Uint32Array {
    const v = new Uint32Array(this.#buffer, this.#offset, n);
    this.#offset += 4 * n;
    return v;
  }

  i32(n: number, fill?: number): Int32Array {
    const v = new Int32Array(this.#buffer, this.#offset, n);
    this.#offset += 4 * n;
    if (fill !== undefined) v.fill(fill);
    return v;
  }

  u8(n: number): Uint8Array {
    const v = new Uint8Array(this.#buffer, this.#offset, n);
    this.#offset += n;
    return v;
  }
}

/** Copies the old contents into a new, longer view (growth). */
export function copyInto<T extends Float64Array | Uint32Array | Int32Array | Uint8Array>(
  to: T,
  from: T,
): T {
  to.set(from);
  return to;
}
