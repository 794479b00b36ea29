/**
 * The arithmetic of the handlespace checksum (team decision 3): folding an exact sum to 16 or 32
 * bits with end-around carry, the one's complement that finishes it, and the PE identifier's share
 * of a per-PE partial sum.
 *
 * - Internet-16 (RFC profile): 16-bit big-endian words, modulus M = 0xffff.
 * - Internet-32 (NG profile): 32-bit big-endian words, modulus M = 0xffffffff.
 *
 * For an exact sum S: fold(S) = S == 0 ? 0 : ((S − 1) mod M) + 1, which is what repeated
 * end-around carry gives, and checksum = ~fold(S) & mask. Folding is compatible with addition
 * (fold(fold(A) + fold(B)) = fold(A + B)), so folded partial sums can be added in any grouping.
 *
 * @module
 */

import { checkId, checkPoolHandle } from "./_check.ts";

/** Bit width of a handlespace checksum: 16 (Internet-16, RFC profile) or 32 (Internet-32, NG). */
export type ChecksumWidth = 16 | 32;

/** Modulus of the Internet-16 one's complement sum. */
export const INTERNET16_MODULUS = 0xffff;

/** Modulus of the Internet-32 one's complement sum. */
export const INTERNET32_MODULUS = 0xffffffff;

/**
 * Longest pool handle a per-PE partial sum accepts: the value of a Pool Handle parameter, whose
 * 16-bit TLV length includes the 4-byte header. Keeps every exact partial sum below 2^53.
 */
export const MAX_POOL_HANDLE_LENGTH = 65531;

const TWO_32 = 4294967296;

/** Scratch for bigint → number: DataView is the fastest path in Deno and Bun. */
const idScratch = new DataView(new ArrayBuffer(8));

/**
 * Folds an exact non-negative sum to 16 bits with end-around carry.
 *
 * @param sum An exact sum: a non-negative safe integer.
 * @returns 0 when `sum` is 0, else ((sum − 1) mod 0xffff) + 1, in 1..0xffff.
 * @throws {RangeError} When `sum` is not a non-negative safe integer.
 * @example Folding the test vector of spec/checksum.md §7
 * ```ts
 * import { fold16 } from "./internet_checksum.ts";
 * import assert from "node:assert/strict";
 * assert.equal(fold16(0x7d035), 0xd03c);
 * assert.equal(fold16(0), 0);
 * assert.equal(fold16(0xffff * 3), 0xffff);
 * ```
 */
export function fold16(sum: number): number {
  checkSum(sum);
  if (sum <= 0xffff) return sum;
  if (sum <= 0xffffffff) {
    let s = (sum & 0xffff) + (sum >>> 16);
    s = (s & 0xffff) + (s >>> 16);
    return s;
  }
  return ((sum - 1) % INTERNET16_MODULUS) + 1;
}

/**
 * Folds an exact non-negative sum to 32 bits with end-around carry.
 *
 * @param sum An exact sum: a non-negative safe integer.
 * @returns 0 when `sum` is 0, else ((sum − 1) mod 0xffffffff) + 1, in 1..0xffffffff.
 * @throws {RangeError} When `sum` is not a non-negative safe integer.
 * @example End-around carry
 * ```ts
 * import { fold32 } from "./internet_checksum.ts";
 * import assert from "node:assert/strict";
 * assert.equal(fold32(0x1_0000_0002), 3);
 * assert.equal(fold32(0xffffffff), 0xffffffff);
 * ```
 */
export function fold32(sum: number): number {
  checkSum(sum);
  return foldTo32(sum);
}

/**
 * Folds an exact sum to the given width.
 *
 * @param width 16 or 32.
 * @param sum An exact sum: a non-negative safe integer.
 * @returns {@link fold16} or {@link fold32} of `sum`.
 * @throws {RangeError} When `sum` is not a non-negative safe integer.
 * @example Either width
 * ```ts
 * import { fold } from "./internet_checksum.ts";
 * import assert from "node:assert/strict";
 * assert.equal(fold(16, 0x1_0001), 2);
 * assert.equal(fold(32, 0x1_0001), 0x1_0001);
 * ```
 */
export function fold(width: ChecksumWidth, sum: number): number {
  return width === 16 ? fold16(sum) : fold32(sum);
}

/**
 * Finishes an Internet-16 checksum: fold, then one's complement.
 *
 * @param sum An exact or folded sum (non-negative safe integer).
 * @returns ~fold16(sum) & 0xffff; 0xffff for the empty sum.
 * @throws {RangeError} When `sum` is not a non-negative safe integer.
 * @example spec/checksum.md §7: {1,2,3} → 0x2fc3, {} → 0xffff
 * ```ts
 * import { finish16 } from "./internet_checksum.ts";
 * import assert from "node:assert/strict";
 * assert.equal(finish16(0x7d035), 0x2fc3);
 * assert.equal(finish16(0x4fb73), 0x0488);
 * assert.equal(finish16(0), 0xffff);
 * ```
 */
export function finish16(sum: number): number {
  return INTERNET16_MODULUS - fold16(sum);
}

/**
 * Finishes an Internet-32 checksum: fold, then one's complement.
 *
 * @param sum An exact or folded sum (non-negative safe integer).
 * @returns ~fold32(sum) >>> 0; 0xffffffff for the empty sum.
 * @throws {RangeError} When `sum` is not a non-negative safe integer.
 * @example Empty and non-empty
 * ```ts
 * import { finish32 } from "./internet_checksum.ts";
 * import assert from "node:assert/strict";
 * assert.equal(finish32(0), 0xffffffff);
 * assert.equal(finish32(0x1_0000_0000), 0xfffffffe);
 * ```
 */
export function finish32(sum: number): number {
  return INTERNET32_MODULUS - fold32(sum);
}

/**
 * Finishes a checksum of the given width.
 *
 * @param width 16 or 32.
 * @param sum An exact or folded sum (non-negative safe integer).
 * @returns {@link finish16} or {@link finish32} of `sum`.
 * @throws {RangeError} When `sum` is not a non-negative safe integer.
 * @example Empty set
 * ```ts
 * import { finish } from "./internet_checksum.ts";
 * import assert from "node:assert/strict";
 * assert.equal(finish(16, 0), 0xffff);
 * assert.equal(finish(32, 0), 0xffffffff);
 * ```
 */
export function finish(width: ChecksumWidth, sum: number): number {
  return width === 16 ? finish16(sum) : finish32(sum);
}

/**
 * Folds `value · times` exactly, without forming the product (which may exceed 2^53). A full
 * recomputation uses it for the pool handle's share: every PE of a pool adds the same handle sum.
 *
 * @param width 16 or 32.
 * @param value An exact or folded sum (non-negative safe integer).
 * @param times How often it is added (non-negative safe integer).
 * @returns fold(value · times) at the given width.
 * @throws {RangeError} When an argument is not a non-negative safe integer.
 * @example The handle share of 100000 PEs
 * ```ts
 * import { fold32, foldTimes } from "./internet_checksum.ts";
 * import assert from "node:assert/strict";
 * assert.equal(foldTimes(32, 0x95d2d7db, 3), fold32(0x95d2d7db * 3));
 * assert.equal(foldTimes(16, 0, 5), 0);
 * ```
 */
export function foldTimes(width: ChecksumWidth, value: number, times: number): number {
  checkSum(value);
  checkSum(times);
  if (value === 0 || times === 0) return 0;
  if (width === 16) {
    const r = ((fold16(value) % INTERNET16_MODULUS) * (times % INTERNET16_MODULUS)) %
      INTERNET16_MODULUS;
    return r === 0 ? INTERNET16_MODULUS : r;
  }
  // a · b mod (2^32 − 1) with a, b < 2^32: split b into 16-bit halves so products stay < 2^48.
  const a = foldTo32(value) % INTERNET32_MODULUS;
  const b = foldTo32(times) % INTERNET32_MODULUS;
  const high = ((a * Math.floor(b / 65536)) % INTERNET32_MODULUS) * 65536;
  const r = (high % INTERNET32_MODULUS + a * (b % 65536)) % INTERNET32_MODULUS;
  return r === 0 ? INTERNET32_MODULUS : r;
}

/**
 * The PE identifier's share of an Internet-16 per-PE partial sum: its two 16-bit big-endian
 * words, as a 4-byte identifier of the RFC profile.
 *
 * @param id The PE identifier, 0..0xffffffff.
 * @returns (id >> 16) + (id & 0xffff), exact.
 * @throws {TypeError} When `id` is not a bigint.
 * @throws {RangeError} When `id` does not fit in 32 bits.
 * @example PE 1 of spec/checksum.md §7
 * ```ts
 * import { idSum16 } from "./internet_checksum.ts";
 * import assert from "node:assert/strict";
 * assert.equal(idSum16(0x1a2b3c4dn), 0x1a2b + 0x3c4d);
 * ```
 */
export function idSum16(id: bigint): number {
  if (typeof id !== "bigint" || id < 0n || id > 0xffffffffn) checkId(id, 0xffffffffn, "a 32-bit");
  idScratch.setBigUint64(0, id, true);
  const n = idScratch.getUint32(0, true);
  return (n >>> 16) + (n & 0xffff);
}

/**
 * The PE identifier's share of an Internet-32 per-PE partial sum: its two 32-bit big-endian
 * words, as an 8-byte identifier of the NG profile.
 *
 * @param id The PE identifier, 0..2^64 − 1.
 * @returns (id >> 32) + (id & 0xffffffff), exact.
 * @throws {TypeError} When `id` is not a bigint.
 * @throws {RangeError} When `id` does not fit in 64 bits.
 * @example A 64-bit identifier
 * ```ts
 * import { idSum32 } from "./internet_checksum.ts";
 * import assert from "node:assert/strict";
 * assert.equal(idSum32(0x11223344_55667788n), 0x11223344 + 0x55667788);
 * ```
 */
export function idSum32(id: bigint): number {
  if (typeof id !== "bigint" || id < 0n || id > 0xffffffffffffffffn) {
    checkId(id, 0xffffffffffffffffn, "a 64-bit");
  }
  idScratch.setBigUint64(0, id, true);
  return idScratch.getUint32(0, true) + idScratch.getUint32(4, true);
}

/**
 * Swaps the two bytes of a 16-bit value. RSPLIB keeps Internet-16 values in host byte order and
 * writes them to the wire unswapped, so on a little-endian host its in-memory value is the byte
 * swap of the wire value this module computes (bench-reference.md lists such in-memory values).
 *
 * @param value 0..0xffff.
 * @returns The value with its bytes swapped.
 * @example RSPLIB's in-memory value of the workload at N = 10
 * ```ts
 * import { swap16 } from "./internet_checksum.ts";
 * import assert from "node:assert/strict";
 * assert.equal(swap16(0x1f0e), 0x0e1f);
 * ```
 */
export function swap16(value: number): number {
  return ((value & 0xff) << 8) | ((value >>> 8) & 0xff);
}

/**
 * RSPLIB's per-PE partial sum as RSPLIB computes it on a little-endian host (x86-64, ARM64): the
 * pool handle read as little-endian 16-bit words (odd tail zero-padded on its own) plus the
 * 4-byte big-endian PE identifier read as two little-endian words. Only the accumulator of
 * `compat: "rsplib"` needs it: RSPLIB's 32-bit accumulator wraps on this sum, not on the
 * big-endian one, so reproducing its wrap needs these exact numbers. Below the wrap the finished
 * value equals the big-endian computation (RFC 1071 byte-order independence).
 *
 * @param poolHandle The pool handle bytes (at most 65531).
 * @param peId The PE identifier, 0..0xffffffff.
 * @returns The exact little-endian partial sum.
 * @throws {TypeError} When an argument has the wrong type.
 * @throws {RangeError} When the handle is too long or the identifier does not fit in 32 bits.
 * @example bench-reference.md's workload, N = 1: RSPLIB's raw accumulator after one PE
 * ```ts
 * import { rsplibPeSum16 } from "./internet_checksum.ts";
 * import assert from "node:assert/strict";
 * const echo = new TextEncoder().encode("EchoPool");
 * // "Ec" "ho" "Po" "ol" as little-endian words, then id 0x1a2b3c4d as bytes 1a 2b 3c 4d.
 * assert.equal(rsplibPeSum16(echo, 0x1a2b3c4dn), 0x6345 + 0x6f68 + 0x6f50 + 0x6c6f + 0x2b1a + 0x4d3c);
 * ```
 */
export function rsplibPeSum16(poolHandle: Uint8Array, peId: bigint): number {
  checkPoolHandle(poolHandle);
  checkId(peId, 0xffffffffn, "a 32-bit");
  let s = 0;
  const n = poolHandle.length;
  for (let i = 0; i + 1 < n; i += 2) s += poolHandle[i]! | (poolHandle[i + 1]! << 8);
  if (n & 1) s += poolHandle[n - 1]!;
  const id = Number(peId);
  return s + swap16(id >>> 16) + swap16(id & 0xffff);
}

/** fold32 without the argument check, for values already known to be safe integers. */
function foldTo32(sum: number): number {
  if (sum <= INTERNET32_MODULUS) return sum;
  // End-around carry: s = high · 2^32 + low ≡ high + low (mod 2^32 − 1); exact for s < 2^53.
  let s = sum;
  while (s > INTERNET32_MODULUS) {
    const high = Math.floor(s / TWO_32);
    s = s - high * TWO_32 + high;
  }
  return s;
}

function checkSum(sum: number): void {
  if (!Number.isSafeInteger(sum) || sum < 0) {
    throw new RangeError(
      `Cannot fold the checksum sum ${sum}: it is not a non-negative safe integer`,
    );
  }
}
