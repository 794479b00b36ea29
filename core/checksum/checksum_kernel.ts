/**
 * The interface every checksum implementation (pure TypeScript, WebAssembly scalar, WebAssembly
 * SIMD) provides, so the handlespace, the tests and the benchmarks can swap them.
 *
 * @module
 */

/**
 * The hot operations of the handlespace checksum (team decision 3, spec/checksum.md).
 *
 * Sums come in two kinds:
 * - **exact**: the per-PE partial sums ({@link ChecksumKernel.peSum16},
 *   {@link ChecksumKernel.peSum32}), plain integers below 2^53, as RSPLIB adds them. The RFC
 *   profile's `checksumCompat: "rsplib"` needs them unfolded.
 * - **folded**: sums over buffers and identifier columns, which can exceed 2^53 (16 MiB of
 *   32-bit words already does). They are returned as fold(S) = S == 0 ? 0 : ((S − 1) mod M) + 1,
 *   which keeps everything the checksum depends on (S mod M, and whether S is 0), so they add
 *   like exact sums: fold(fold(A) + fold(B)) = fold(A + B).
 *
 * Implementations must return identical numbers for identical inputs; the differential suite
 * (`checksum_kernel_test.ts`) holds every kernel to that.
 *
 * @example Summing the workload's pool with any kernel
 * ```ts
 * import { createChecksumKernel, finish16, fold16, foldTimes } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const kernel = createChecksumKernel();
 * const handle = new TextEncoder().encode("EchoPool");
 * const ids = new Uint32Array([0x1a2b3c4d]);
 * // Full recomputation: n × the handle's share + the identifiers' share.
 * const sum = fold16(foldTimes(16, kernel.peSum16(handle, 0n), ids.length) + kernel.sumIds16(ids));
 * assert.equal(finish16(sum), 0x3bd9);
 * assert.equal(finish16(kernel.peSum16(handle, 0x1a2b3c4dn)), 0x3bd9);
 * ```
 */
export interface ChecksumKernel {
  /** Which implementation this is: `"ts"`, `"wasm-scalar"`, `"wasm-simd"`. */
  readonly name: string;

  /**
   * Internet-16 sum of a byte range: 16-bit big-endian words, an odd trailing byte padded with a
   * zero byte, folded (not complemented).
   *
   * @param bytes The buffer.
   * @param offset First byte of the range; default 0.
   * @param length Bytes in the range; default: to the end of `bytes`.
   * @returns fold16 of the exact word sum, 0..0xffff.
   * @throws {TypeError} When `bytes` is not a Uint8Array.
   * @throws {RangeError} When the range is not inside `bytes`.
   */
  sum16(bytes: Uint8Array, offset?: number, length?: number): number;

  /**
   * Internet-32 sum of a byte range: 32-bit big-endian words, 1..3 trailing bytes padded with
   * zero bytes, folded (not complemented).
   *
   * @param bytes The buffer.
   * @param offset First byte of the range; default 0.
   * @param length Bytes in the range; default: to the end of `bytes`.
   * @returns fold32 of the exact word sum, 0..0xffffffff.
   * @throws {TypeError} When `bytes` is not a Uint8Array.
   * @throws {RangeError} When the range is not inside `bytes`.
   */
  sum32(bytes: Uint8Array, offset?: number, length?: number): number;

  /**
   * Exact per-PE partial sum of the RFC profile: the 16-bit big-endian words of the pool handle,
   * zero-padded on its own to even length, plus the two 16-bit words of the 4-byte PE identifier.
   * `peSum16(handle, 0n)` is the handle's share alone (cache it per pool).
   *
   * @param poolHandle The pool handle bytes (at most 65531).
   * @param peId The PE identifier, 0..0xffffffff.
   * @returns The exact, unfolded partial sum.
   * @throws {TypeError} When an argument has the wrong type.
   * @throws {RangeError} When the handle is too long or the identifier does not fit in 32 bits.
   */
  peSum16(poolHandle: Uint8Array, peId: bigint): number;

  /**
   * Exact per-PE partial sum of the NG profile: the 32-bit big-endian words of the pool handle,
   * zero-padded on its own to a multiple of 4, plus the two 32-bit words of the 8-byte PE
   * identifier.
   *
   * @param poolHandle The pool handle bytes (at most 65531).
   * @param peId The PE identifier, 0..2^64 − 1.
   * @returns The exact, unfolded partial sum.
   * @throws {TypeError} When an argument has the wrong type.
   * @throws {RangeError} When the handle is too long or the identifier does not fit in 64 bits.
   */
  peSum32(poolHandle: Uint8Array, peId: bigint): number;

  /**
   * The identifiers' share of an Internet-16 full recomputation: the sum of the two 16-bit words
   * of every 32-bit identifier in a column (a slot holding 0 adds nothing).
   *
   * @param ids 32-bit PE identifiers.
   * @returns fold16 of the exact sum.
   * @throws {TypeError} When `ids` is not a Uint32Array.
   */
  sumIds16(ids: Uint32Array): number;

  /**
   * The identifiers' share of an Internet-32 full recomputation: the sum of all 32-bit words of a
   * column holding 64-bit identifiers as 32-bit halves, in any arrangement (a view of a
   * `BigUint64Array`, or separate high and low columns summed one after the other).
   *
   * @param words The 32-bit halves of 64-bit PE identifiers.
   * @returns fold32 of the exact sum.
   * @throws {TypeError} When `words` is not a Uint32Array.
   */
  sumIds32(words: Uint32Array): number;
}
