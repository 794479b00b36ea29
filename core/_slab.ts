// One ArrayBuffer carved into typed-array views: allocating a backing store
// costs about as much as ten views, so a component that needs several
// per-slot arrays allocates them together. Views are handed out in call
// order; allocate 8-byte arrays first so every view stays aligned.
//
// Small slabs (a new pool's arrays, a small hash map) are carved out of a
// shared chunk instead of a buffer of their own: an ArrayBuffer costs
// 0.3–0.9 µs to allocate in V8 (a backing store outside the heap), a view
// about 25 ns, and a pool of ten PEs used to allocate a dozen buffers. A
// chunk's memory is handed out once, in order, and never reused (so every
// slab starts zeroed, like a new ArrayBuffer); it is freed by the garbage
// collector when no view into it is left. At most SMALL_SLAB bytes of a live
// slab can keep one CHUNK alive.

const CHUNK = 32768;
const SMALL_SLAB = 2048;
let chunk = new ArrayBuffer(CHUNK);
let chunkUsed = 0;

export class Slab {
  readonly #buffer: ArrayBuffer;
  #offset: number;

  /**
   * @param f64 Number of 8-byte elements to be handed out.
   * @param i32 Number of 4-byte elements to be handed out.
   * @param u8 Number of 1-byte elements to be handed out.
   */
  constructor(f64: number, i32: number, u8 = 0) {
    const bytes = 8 * f64 + 4 * i32 + u8;
    if (bytes > SMALL_SLAB) {
      this.#buffer = new ArrayBuffer(bytes);
      this.#offset = 0;
      return;
    }
    const size = (bytes + 7) & ~7;
    if (chunkUsed + size > CHUNK) {
      chunk = new ArrayBuffer(CHUNK);
      chunkUsed = 0;
    }
    this.#buffer = chunk;
    this.#offset = chunkUsed;
    chunkUsed += size;
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

/**
 * A small Float64Array (from the shared chunk when small, see Slab), every element `fill`:
 * `new Float64Array(n)` allocates a buffer of its own, 0.3–0.9 µs under Deno even for one
 * element.
 */
export function f64Array(n: number, fill = 0): Float64Array {
  const v = new Slab(n, 0).f64(n);
  if (fill !== 0) v.fill(fill);
  return v;
}

/** A small Int32Array, every element `fill` (see f64Array). */
export function i32Array(n: number, fill = 0): Int32Array {
  return new Slab(0, n).i32(n, fill === 0 ? undefined : fill);
}

/**
 * A copy of the bytes (from the shared chunk when small, see Slab): `bytes.slice()` allocates a
 * buffer of its own, ~0.8 µs under Deno for a pool handle of 8 bytes. The copy is a view: its
 * `buffer` is the shared chunk (read it through the view, never through `buffer`).
 */
export function u8Copy(bytes: Uint8Array): Uint8Array {
  const v = new Slab(0, 0, bytes.length).u8(bytes.length);
  v.set(bytes);
  return v;
}

/**
 * The next capacity of a per-slot structure that is full (a power of two stays one): four
 * times as large below 1024 slots, twice as large from there. Every step allocates new
 * buffers and copies the old contents (a buffer costs ~0.8 µs plus ~0.1–0.2 ns per byte under
 * Deno), so small structures skip every other step: a pool growing to 1000 PEs grows three
 * times (16 → 64 → 256 → 1024) instead of six and allocates a third fewer bytes on the way.
 * The price is slack in pools of 257–512 PEs (1024 slots where doubling gives 512); from 1024
 * slots on, doubling keeps at most 2× slack as before.
 */
export function grownCapacity(capacity: number): number {
  return capacity < 1024 ? capacity * 4 : capacity * 2;
}
