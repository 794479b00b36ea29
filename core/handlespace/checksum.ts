/**
 * Handlespace checksums: the Internet-16 checksum of the RFC profile and the
 * Internet-32 checksum of the NG profile, per pool element partial sums, and
 * an accumulator that keeps a set's checksum incrementally (O(1) per change).
 *
 * Definitions (team decision 3, spec/checksum.md §3):
 *
 * - Internet-16, per PE: the sum of the 16-bit big-endian words of the pool
 *   handle (zero-padded on its own to even length) plus the 16-bit words of
 *   the PE identifier as 4 bytes big-endian. Exactly RSPLIB's definition.
 * - Internet-32, per PE: the sum of the 32-bit big-endian words of the pool
 *   handle (zero-padded on its own to a multiple of 4) plus the PE identifier
 *   as 8 bytes big-endian (two words).
 * - A set's value: fold(S) with end-around carry, then the one's complement;
 *   for an exact sum S, fold(S) = S == 0 ? 0 : ((S − 1) mod M) + 1 with
 *   M = 0xffff or 0xffffffff. The empty set gives 0xffff / 0xffffffff.
 *
 * Byte order is stated explicitly: words are big-endian, and the finished
 * value is sent big-endian. (RSPLIB sums native little-endian words and sends
 * the result unswapped, which yields the same bytes.)
 *
 * @see RFC 1071 (the Internet checksum), RFC 5353 (ENRP PE Checksum)
 * @module
 */

/**
 * A checksum routine over a byte buffer. The TypeScript kernel
 * {@link tsChecksumKernel} is the reference; a WebAssembly kernel can be
 * plugged in wherever a kernel is accepted and must return identical values.
 */
export interface ChecksumKernel {
  /** Kernel name for benchmarks and diagnostics (e.g. `"ts"`, `"wasm-simd"`). */
  readonly name: string;
  /**
   * The one's-complement sum of the 16-bit big-endian words of
   * `bytes[offset .. offset+length)` (an odd last byte is padded with a zero
   * byte), folded with end-around carry: fold(S), in 0..0xffff, 0 only for an
   * all-zero range.
   *
   * @param bytes The buffer.
   * @param offset Start of the range (word boundaries count from here).
   * @param length Length of the range in bytes.
   * @returns fold(S).
   */
  sum16(bytes: Uint8Array, offset: number, length: number): number;
  /**
   * The one's-complement sum of the 32-bit big-endian words of the range
   * (the last word zero-padded), folded: fold(S) in 0..0xffffffff.
   *
   * @param bytes The buffer.
   * @param offset Start of the range.
   * @param length Length of the range in bytes.
   * @returns fold(S).
   */
  sum32(bytes: Uint8Array, offset: number, length: number): number;
}

/** The checksum width: 16 (Internet-16, RFC profile) or 32 (Internet-32, NG profile). */
export type ChecksumWidth = 16 | 32;

/**
 * How an Internet-16 accumulator handles sums beyond 32 bits: `"exact"` is the
 * mathematically correct one's-complement sum; `"rsplib"` reproduces RSPLIB's
 * 32-bit accumulator that wraps modulo 2^32 (values differ from about 24000
 * PEs with 8-byte handles on).
 */
export type ChecksumCompat = "exact" | "rsplib";

import { idWordSum16, idWordSum32, rsplibIdWordSum16 } from "./_partial.ts";

const M16 = 0xffff;
const M32 = 0xffffffff;
// An accumulator's running sum is kept below this bound, so that adding any partial sum
// (below 2^53) to it stays exact; it is reduced modulo M only when it would reach it.
const REDUCE_AT = 2 ** 52;

/**
 * Folds an exact non-negative sum with end-around carry into 16 bits.
 *
 * @param sum An exact integer sum, 0 ≤ sum < 2^53.
 * @returns 0 for 0, otherwise ((sum − 1) mod 0xffff) + 1.
 * @example Fold a carry
 * ```ts
 * import { fold16 } from "./checksum.ts";
 * import assert from "node:assert/strict";
 * assert.equal(fold16(0x7d035), 0xd03c);
 * assert.equal(fold16(0xffff), 0xffff);
 * assert.equal(fold16(0), 0);
 * ```
 */
export function fold16(sum: number): number {
  return sum === 0 ? 0 : ((sum - 1) % M16) + 1;
}

/**
 * Folds an exact non-negative sum with end-around carry into 32 bits.
 *
 * @param sum An exact integer sum, 0 ≤ sum < 2^53.
 * @returns 0 for 0, otherwise ((sum − 1) mod 0xffffffff) + 1.
 * @example Fold
 * ```ts
 * import { fold32 } from "./checksum.ts";
 * import assert from "node:assert/strict";
 * assert.equal(fold32(0x1_0000_0001), 2);
 * ```
 */
export function fold32(sum: number): number {
  return sum === 0 ? 0 : ((sum - 1) % M32) + 1;
}

/**
 * The one's complement of a folded 16-bit sum: the value that goes on the wire.
 *
 * @param folded fold(S), 0..0xffff.
 * @returns ~folded & 0xffff.
 * @example The {1,2,3} vector of spec/checksum.md §7
 * ```ts
 * import { finish16 } from "./checksum.ts";
 * import assert from "node:assert/strict";
 * assert.equal(finish16(0xd03c), 0x2fc3);
 * ```
 */
export function finish16(folded: number): number {
  return M16 - folded;
}

/**
 * The one's complement of a folded 32-bit sum.
 *
 * @param folded fold(S), 0..0xffffffff.
 * @returns ~folded & 0xffffffff, as an unsigned number.
 * @example Empty set
 * ```ts
 * import { finish32 } from "./checksum.ts";
 * import assert from "node:assert/strict";
 * assert.equal(finish32(0), 0xffffffff);
 * ```
 */
export function finish32(folded: number): number {
  return M32 - folded;
}

/**
 * RSPLIB's reported value of its raw (wrapped) 32-bit accumulator: fold the
 * carries until 16 bits remain, then complement. RSPLIB sums words in host
 * byte order (little-endian on x86), so this value is in host order too; the
 * bytes on the wire are its little-endian bytes, i.e. the big-endian value
 * is `swap16(finishRsplib16(raw))`.
 *
 * @param raw The accumulator, 0..0xffffffff.
 * @returns The 16-bit checksum in host (little-endian word) order.
 * @example N = 10 of the bench workload (bench-reference.md)
 * ```ts
 * import { finishRsplib16, swap16 } from "./checksum.ts";
 * import assert from "node:assert/strict";
 * assert.equal(finishRsplib16(0x0019f1c7), 0x0e1f);
 * assert.equal(swap16(0x0e1f), 0x1f0e); // the big-endian value: wire bytes 1f 0e
 * ```
 */
export function finishRsplib16(raw: number): number {
  let s = raw >>> 0;
  while (s > M16) s = (s & M16) + (s >>> 16);
  return M16 - s;
}

/**
 * Swaps the two bytes of a 16-bit value.
 *
 * @param v A value 0..0xffff.
 * @returns The value with its bytes swapped.
 * @example Swap
 * ```ts
 * import { swap16 } from "./checksum.ts";
 * import assert from "node:assert/strict";
 * assert.equal(swap16(0x1234), 0x3412);
 * ```
 */
export function swap16(v: number): number {
  return ((v & 0xff) << 8) | ((v >>> 8) & 0xff);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The TypeScript reference kernel. On little-endian hosts it reads aligned
 * 32-bit words through a `Uint32Array` view and sums them in doubles (exact
 * for 2^21 words at a time); 16-bit sums use the byte-order independence of
 * the one's-complement sum, 32-bit sums separate the four byte lanes.
 *
 * @example Checksum of a buffer
 * ```ts
 * import { finish16, tsChecksumKernel } from "./checksum.ts";
 * import assert from "node:assert/strict";
 * const bytes = new Uint8Array([0x45, 0x63, 0x68, 0x6f]);
 * assert.equal(tsChecksumKernel.sum16(bytes, 0, 4), 0xadd2);
 * assert.equal(finish16(tsChecksumKernel.sum16(bytes, 0, 4)), 0x522d);
 * ```
 */
export const tsChecksumKernel: ChecksumKernel = {
  name: "ts",
  sum16(bytes, offset, length) {
    checkRange(bytes, offset, length);
    return fold16(exactSum16(bytes, offset, length));
  },
  sum32(bytes, offset, length) {
    checkRange(bytes, offset, length);
    return sum32Range(bytes, offset, length);
  },
};

function checkRange(bytes: Uint8Array, offset: number, length: number): void {
  if (
    !Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 ||
    offset + length > bytes.length
  ) {
    throw new RangeError(
      `Cannot compute checksum: range ${offset}+${length} is outside the ${bytes.length}-byte buffer`,
    );
  }
}

// fold(S) of the 16-bit big-endian words of a range.
function exactSum16(bytes: Uint8Array, offset: number, length: number): number {
  let r = 0; // S mod 0xffff, accumulated exactly in doubles and reduced per chunk
  let i = offset;
  const end = offset + length;
  let odd = false; // whether the next byte is the low byte of a word
  while (i < end && ((bytes.byteOffset + i) & 3) !== 0) {
    r += odd ? bytes[i]! : bytes[i]! << 8;
    odd = !odd;
    i++;
  }
  const words = (end - i) >>> 2;
  if (LITTLE_ENDIAN && words > 0) {
    // The sum of little-endian u32 words is congruent (mod 0xffff) to the sum of the
    // little-endian u16 words, i.e. of the byte-swapped big-endian words; a byte swap of a
    // 16-bit value is a multiplication by 2^8 mod 0xffff. If the aligned part starts on the
    // low byte of a big-endian word, the little-endian words are already the right ones.
    const view = new Uint32Array(bytes.buffer, bytes.byteOffset + i, words);
    let acc = 0;
    for (let w = 0; w < words;) {
      const stop = Math.min(words, w + 0x100000);
      let part = 0;
      for (; w + 4 <= stop; w += 4) part += view[w]! + view[w + 1]! + view[w + 2]! + view[w + 3]!;
      for (; w < stop; w++) part += view[w]!;
      acc = (acc + part) % M16;
    }
    r += odd ? acc : ((acc & 0xff) << 8) | (acc >>> 8);
    i += words * 4;
  }
  while (i < end) {
    r += odd ? bytes[i]! : bytes[i]! << 8;
    odd = !odd;
    i++;
  }
  r %= M16;
  return r !== 0 ? r : allZero(bytes, offset, end) ? 0 : M16;
}

// fold(S) of the 32-bit big-endian words of a range.
function sum32Range(bytes: Uint8Array, offset: number, length: number): number {
  let r = 0; // S mod 0xffffffff
  let i = offset;
  const end = offset + length;
  let lane = 0; // position of the next byte within its big-endian word: 0 = most significant
  while (i < end && ((bytes.byteOffset + i) & 3) !== 0) {
    r += bytes[i++]! * LANE_WEIGHT[lane]!;
    lane = (lane + 1) & 3;
  }
  const words = (end - i) >>> 2;
  if (LITTLE_ENDIAN && words > 0) {
    // Host word x = m0 | m1<<8 | m2<<16 | m3<<24 (m0 first in memory). Per chunk of at most
    // 256 words the four byte lanes are summed without overlap in two masked accumulators,
    // then weighted by their big-endian position.
    const view = new Uint32Array(bytes.buffer, bytes.byteOffset + i, words);
    const w0 = LANE_WEIGHT[lane]!, w1 = LANE_WEIGHT[(lane + 1) & 3]!;
    const w2 = LANE_WEIGHT[(lane + 2) & 3]!, w3 = LANE_WEIGHT[(lane + 3) & 3]!;
    for (let w = 0; w < words;) {
      const stop = Math.min(words, w + 256);
      let even = 0, oddLanes = 0;
      for (; w < stop; w++) {
        const x = view[w]!;
        even += x & 0x00ff00ff;
        oddLanes += (x >>> 8) & 0x00ff00ff;
      }
      r = (r + (even & 0xffff) * w0 + (oddLanes & 0xffff) * w1 + Math.floor(even / 65536) * w2 +
        Math.floor(oddLanes / 65536) * w3) % M32;
    }
    i += words * 4;
  }
  while (i < end) {
    r += bytes[i++]! * LANE_WEIGHT[lane]!;
    lane = (lane + 1) & 3;
  }
  r %= M32;
  return r !== 0 ? r : allZero(bytes, offset, end) ? 0 : M32;
}

// Weight of a byte at position 0..3 of a big-endian 32-bit word.
const LANE_WEIGHT = [2 ** 24, 2 ** 16, 2 ** 8, 1];

function allZero(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}

/**
 * The exact sum of the 16-bit big-endian words of a byte string zero-padded
 * on its own to even length (a pool handle's part of an Internet-16 partial).
 *
 * @param bytes The bytes (e.g. a pool handle).
 * @returns The exact sum (no folding).
 * @example "CalcAppPool" is padded with one zero byte
 * ```ts
 * import { wordSum16 } from "./checksum.ts";
 * import assert from "node:assert/strict";
 * const ph = new TextEncoder().encode("CalcAppPool");
 * assert.equal(wordSum16(ph), 0x4361 + 0x6c63 + 0x4170 + 0x7050 + 0x6f6f + 0x6c00);
 * ```
 */
export function wordSum16(bytes: Uint8Array): number {
  let sum = 0;
  const n = bytes.length;
  let i = 0;
  for (; i + 1 < n; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < n) sum += bytes[i]! << 8;
  return sum;
}

/**
 * The exact sum of the 32-bit big-endian words of a byte string zero-padded
 * on its own to a multiple of 4 bytes (a pool handle's part of an
 * Internet-32 partial).
 *
 * @param bytes The bytes.
 * @returns The exact sum (no folding).
 * @example "EchoPool"
 * ```ts
 * import { wordSum32 } from "./checksum.ts";
 * import assert from "node:assert/strict";
 * assert.equal(wordSum32(new TextEncoder().encode("EchoPool")), 0x4563686f + 0x506f6f6c);
 * ```
 */
export function wordSum32(bytes: Uint8Array): number {
  let sum = 0;
  const n = bytes.length;
  for (let i = 0; i < n; i += 4) {
    sum += (bytes[i]! * 0x1000000) + ((bytes[i + 1] ?? 0) << 16) + ((bytes[i + 2] ?? 0) << 8) +
      (bytes[i + 3] ?? 0);
  }
  return sum;
}

/**
 * The Internet-16 partial sum of one pool element: the pool handle's word sum
 * (see {@link wordSum16}) plus the two 16-bit words of the identifier as 4
 * bytes big-endian.
 *
 * @param handleSum `wordSum16(poolHandle)`.
 * @param id The PE identifier (32-bit).
 * @returns The exact partial sum.
 * @throws {RangeError} If the identifier does not fit in 32 bits.
 * @example PE 1 of spec/checksum.md §7
 * ```ts
 * import { partial16, wordSum16 } from "./checksum.ts";
 * import assert from "node:assert/strict";
 * const ph = new TextEncoder().encode("EchoPool");
 * assert.equal(partial16(wordSum16(ph), 0x1a2b3c4dn), 0x1c425);
 * ```
 */
export function partial16(handleSum: number, id: bigint): number {
  const w = idWordSum16(id);
  if (w < 0) {
    throw new RangeError(`Cannot compute Internet-16 partial: identifier ${id} is not 32-bit`);
  }
  return handleSum + w;
}

/**
 * The sum RSPLIB computes on x86 for a byte string: 16-bit words read in
 * little-endian order, zero-padded to even length. Only needed to reproduce
 * RSPLIB's wrapping accumulator (`checksumCompat: "rsplib"`).
 *
 * @param bytes The bytes (e.g. a pool handle).
 * @returns The exact sum of the little-endian words.
 * @example "EchoPool"
 * ```ts
 * import { rsplibWordSum16 } from "./checksum.ts";
 * import assert from "node:assert/strict";
 * assert.equal(rsplibWordSum16(new TextEncoder().encode("Ec")), 0x6345);
 * ```
 */
export function rsplibWordSum16(bytes: Uint8Array): number {
  let sum = 0;
  const n = bytes.length;
  let i = 0;
  for (; i + 1 < n; i += 2) sum += bytes[i]! | (bytes[i + 1]! << 8);
  if (i < n) sum += bytes[i]!;
  return sum;
}

/**
 * RSPLIB's partial sum of one pool element on x86: {@link rsplibWordSum16}
 * of the pool handle plus the identifier's two 16-bit words read
 * little-endian.
 *
 * @param rsplibHandleSum `rsplibWordSum16(poolHandle)`.
 * @param id The PE identifier (32-bit).
 * @returns The exact partial sum in RSPLIB's word order.
 * @throws {RangeError} If the identifier does not fit in 32 bits.
 * @example Byte-swapped words
 * ```ts
 * import { rsplibPartial16 } from "./checksum.ts";
 * import assert from "node:assert/strict";
 * assert.equal(rsplibPartial16(0, 0x1a2b3c4dn), 0x2b1a + 0x4d3c);
 * ```
 */
export function rsplibPartial16(rsplibHandleSum: number, id: bigint): number {
  const w = rsplibIdWordSum16(id);
  if (w < 0) {
    throw new RangeError(`Cannot compute Internet-16 partial: identifier ${id} is not 32-bit`);
  }
  return rsplibHandleSum + w;
}

/**
 * The Internet-32 partial sum of one pool element: the pool handle's word sum
 * (see {@link wordSum32}) plus the two 32-bit words of the identifier as 8
 * bytes big-endian.
 *
 * @param handleSum `wordSum32(poolHandle)`.
 * @param id The PE identifier (up to 64-bit).
 * @returns The exact partial sum.
 * @throws {RangeError} If the identifier does not fit in 64 bits.
 * @example High and low words
 * ```ts
 * import { partial32 } from "./checksum.ts";
 * import assert from "node:assert/strict";
 * assert.equal(partial32(0, 0x00000002_00000003n), 5);
 * ```
 */
export function partial32(handleSum: number, id: bigint): number {
  const w = idWordSum32(id);
  if (w < 0) {
    throw new RangeError(`Cannot compute Internet-32 partial: identifier ${id} is not 64-bit`);
  }
  return handleSum + w;
}

/**
 * The checksum of a set of pool elements kept incrementally: add a partial
 * sum when a PE joins the set, subtract the same value when it leaves. Each
 * operation is O(1) and exact at any set size: the accumulator holds
 * S − q·M exactly (a plain number below 2^52) and the number q of moduli
 * taken out, so an add or a sub is one addition, one comparison and one
 * store; only a sum that would reach 2^52, or a subtraction that would go
 * below zero, takes the rare path that moves multiples of M into q. In
 * `"rsplib"` compatibility mode (16-bit only), RSPLIB's wrapped 32-bit
 * accumulator of little-endian words is kept as well (from the second
 * argument of `add`/`sub`) and the value is derived from it, so it matches
 * RSPLIB's value beyond the wrap point.
 *
 * @example The spec/checksum.md §7 vector
 * ```ts
 * import { ChecksumAccumulator } from "./checksum.ts";
 * import assert from "node:assert/strict";
 * const acc = new ChecksumAccumulator(16);
 * for (const p of [0x1c425, 0x3374e, 0x2d4c2]) acc.add(p);
 * assert.equal(acc.value(), 0x2fc3);
 * acc.sub(0x2d4c2);
 * assert.equal(acc.value(), 0x0488);
 * ```
 */
export class ChecksumAccumulator {
  readonly #m: number;
  readonly #rsplib: boolean;
  // The exact sum S of the set is #sum + #q · M, with 0 ≤ #sum < REDUCE_AT and #q ≥ 0; S is 0
  // exactly when both are. (Without reductions #q stays 0 and #sum is S itself.)
  #sum = 0;
  #q = 0;
  // RSPLIB's accumulator as int32 bits (a V8 small integer; read back with >>> 0).
  #raw = 0;
  // The finished value of the last read and the #sum it was computed for (−1: none). Only a
  // non-zero #sum is cached: with #sum ≠ 0, S > 0 and the value depends on #sum alone.
  #valueOf = -1;
  #value = 0;

  /**
   * Creates an empty accumulator (value 0xffff / 0xffffffff).
   *
   * @param width 16 (Internet-16) or 32 (Internet-32).
   * @param compat `"exact"` (default) or `"rsplib"` (16-bit only).
   * @throws {RangeError} For another width, or `"rsplib"` with width 32.
   */
  constructor(width: ChecksumWidth, compat: ChecksumCompat = "exact") {
    if (width !== 16 && width !== 32) {
      throw new RangeError(`Cannot create checksum accumulator: width ${width} is not 16 or 32`);
    }
    if (compat === "rsplib" && width !== 16) {
      throw new RangeError(
        'Cannot create checksum accumulator: "rsplib" compatibility exists only for Internet-16',
      );
    }
    this.#m = width === 16 ? M16 : M32;
    this.#rsplib = compat === "rsplib";
  }

  /** 16 or 32. */
  get width(): ChecksumWidth {
    return this.#m === M16 ? 16 : 32;
  }

  /**
   * RSPLIB's raw 32-bit accumulator (sum of the RSPLIB partials modulo 2^32)
   * in `"rsplib"` mode; 0 in `"exact"` mode.
   */
  get raw(): number {
    return this.#raw >>> 0;
  }

  /**
   * Adds a pool element's partial sum.
   *
   * @param partial An exact non-negative partial sum (below 2^53).
   * @param rsplibPartial In `"rsplib"` mode: the same PE's partial in RSPLIB's word order
   *   ({@link rsplibPartial16}); ignored otherwise.
   * @example Add
   * ```ts
   * import { ChecksumAccumulator } from "./checksum.ts";
   * import assert from "node:assert/strict";
   * const acc = new ChecksumAccumulator(16);
   * acc.add(0x1c425);
   * assert.equal(acc.value(), 0x3bd9);
   * ```
   */
  add(partial: number, rsplibPartial = 0): void {
    const s = this.#sum + partial;
    // A rounded s below REDUCE_AT is exact (both operands are integers and the exact sum is
    // below 2^52); a rounded s at or above it means the exact one is too.
    if (s < REDUCE_AT) this.#sum = s;
    else this.#addReduced(partial);
    // `=== true`: a plain compare (a bare boolean field gets V8's generic truthiness test).
    if (this.#rsplib === true) this.#raw = (this.#raw + rsplibPartial) | 0; // mod 2^32, exact
  }

  /**
   * Removes a partial sum that was added before.
   *
   * @param partial The same value that was added.
   * @param rsplibPartial The same RSPLIB partial that was added (`"rsplib"` mode).
   * @example Back to empty
   * ```ts
   * import { ChecksumAccumulator } from "./checksum.ts";
   * import assert from "node:assert/strict";
   * const acc = new ChecksumAccumulator(32);
   * acc.add(12345);
   * acc.sub(12345);
   * assert.equal(acc.value(), 0xffffffff);
   * ```
   */
  sub(partial: number, rsplibPartial = 0): void {
    const s = this.#sum - partial; // exact: both operands are integers below 2^53
    if (s >= 0) this.#sum = s;
    else this.#subReduced(partial);
    if (this.#rsplib === true) this.#raw = (this.#raw - rsplibPartial) | 0; // mod 2^32, exact
  }

  // #sum + partial would reach REDUCE_AT: keep #sum + partial mod M (below 2M) and move the
  // multiples of M into #q (each part is an exact multiple of M, so the divisions are exact).
  #addReduced(partial: number): void {
    const m = this.#m, sum = this.#sum;
    const a = sum % m, b = partial % m;
    this.#q += (sum - a) / m + (partial - b) / m;
    this.#sum = a + b;
  }

  // #sum − partial would go below zero: take back the fewest multiples of M from #q that make
  // it non-negative (S − partial ≥ 0 guarantees #q has them).
  #subReduced(partial: number): void {
    const m = this.#m, d = partial - this.#sum; // 0 < d < 2^53, exact
    const r = d % m; // exact (no multiplication that could round beyond 2^53)
    this.#q -= (d - r) / m + (r > 0 ? 1 : 0);
    this.#sum = r > 0 ? m - r : 0;
  }

  /**
   * fold(S): the one's-complement sum before complementing.
   *
   * @returns 0 for the empty set, otherwise 1..M.
   * @example Folded
   * ```ts
   * import { ChecksumAccumulator } from "./checksum.ts";
   * import assert from "node:assert/strict";
   * const acc = new ChecksumAccumulator(16);
   * acc.add(0xffff);
   * assert.equal(acc.folded(), 0xffff);
   * ```
   */
  folded(): number {
    const s = this.#sum;
    if (s === 0 && this.#q <= 0) return 0;
    // s mod m without Float64Mod (a runtime call for values beyond 32 bits): the quotient of a
    // division below 2^52 is off by at most one.
    const m = this.#m;
    let r = s - Math.floor(s / m) * m;
    if (r < 0) r += m;
    else if (r >= m) r -= m;
    return r === 0 ? m : r;
  }

  /**
   * The finished checksum (the value sent in a PE Checksum parameter).
   *
   * @returns ~fold(S) & mask, as a big-endian value; in `"rsplib"` mode RSPLIB's value of its
   *   wrapped accumulator, byte-swapped to big-endian (the same wire bytes RSPLIB sends).
   * @example Empty
   * ```ts
   * import { ChecksumAccumulator } from "./checksum.ts";
   * import assert from "node:assert/strict";
   * assert.equal(new ChecksumAccumulator(16).value(), 0xffff);
   * ```
   */
  value(): number {
    const s = this.#sum;
    if (s === this.#valueOf) return this.#value; // never in "rsplib" mode (#valueOf stays −1)
    if (this.#rsplib === true) return swap16(finishRsplib16(this.#raw >>> 0));
    const v = this.#m - this.folded();
    if (s !== 0) {
      this.#valueOf = s;
      this.#value = v;
    }
    return v;
  }

  /**
   * Empties the accumulator.
   *
   * @example Clear
   * ```ts
   * import { ChecksumAccumulator } from "./checksum.ts";
   * import assert from "node:assert/strict";
   * const acc = new ChecksumAccumulator(16);
   * acc.add(7);
   * acc.clear();
   * assert.equal(acc.value(), 0xffff);
   * ```
   */
  clear(): void {
    this.#sum = 0;
    this.#q = 0;
    this.#raw = 0;
    this.#valueOf = -1;
  }
}
