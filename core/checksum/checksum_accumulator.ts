/**
 * The incremental handlespace checksum: per-PE partial sums are added when a PE enters a set
 * (the handlespace, or one registrar's ownership set) and subtracted when it leaves, in O(1).
 *
 * @module
 */

import {
  type ChecksumWidth,
  fold16,
  INTERNET16_MODULUS,
  INTERNET32_MODULUS,
  swap16,
} from "./internet_checksum.ts";

/**
 * How an accumulator sums: `"exact"` (the one's complement sum of decision 3, at any size) or
 * `"rsplib"` (Internet-16 only: RSPLIB's unsigned 32-bit accumulator over little-endian words,
 * which wraps, so the value differs from the exact one once that raw total passes 2^32, about
 * 24000 PEs of the benchmark workload).
 */
export type ChecksumCompat = "exact" | "rsplib";

/** Options of {@link ChecksumAccumulator}. */
export interface ChecksumAccumulatorOptions {
  /** `"exact"` (default) or `"rsplib"` (16-bit only). */
  readonly compat?: ChecksumCompat;
}

const TWO_32 = 4294967296;

/**
 * A running handlespace checksum over a set of per-PE partial sums (team decision 3).
 *
 * In `"exact"` mode it keeps S mod M (M = 0xffff or 0xffffffff) and the number of non-zero
 * partial sums in the set, so it never overflows, adds and subtracts in O(1), and still tells
 * S = 0 (checksum 0xffff…) from a non-zero multiple of M (checksum 0). Partial sums may be exact
 * or folded: both have the same residue and zero-ness.
 *
 * In `"rsplib"` mode (16-bit) it keeps RSPLIB's raw 32-bit accumulator, which wraps modulo 2^32.
 * Add RSPLIB's own partial sums there ({@link rsplibPeSum16}: little-endian words, as RSPLIB
 * sums them on x86 and ARM hosts), since the wrap happens on that sum. {@link folded} and
 * {@link finish} still return wire-order values, comparable with the exact mode's.
 *
 * Subtract only partial sums that were added: the accumulator cannot detect a wrong one, only a
 * subtraction from an empty set.
 *
 * @example spec/checksum.md §7: three PEs, then one removed
 * ```ts
 * import { ChecksumAccumulator } from "./checksum_accumulator.ts";
 * import assert from "node:assert/strict";
 * const acc = new ChecksumAccumulator(16);
 * assert.equal(acc.finish(), 0xffff);
 * acc.add(0x1c425);
 * acc.add(0x3374e);
 * acc.add(0x2d4c2);
 * assert.equal(acc.finish(), 0x2fc3);
 * acc.sub(0x2d4c2);
 * assert.equal(acc.finish(), 0x0488);
 * ```
 */
export class ChecksumAccumulator {
  /** 16 (Internet-16) or 32 (Internet-32). */
  readonly width: ChecksumWidth;
  /** `"exact"` or `"rsplib"`. */
  readonly compat: ChecksumCompat;
  #modulus: number;
  #rsplib: boolean;
  /** Exact mode: S mod M in 0..M − 1. RSPLIB mode: the raw accumulator, 0..2^32 − 1. */
  #residue = 0;
  #nonzero = 0;
  #count = 0;

  /**
   * Creates an empty accumulator.
   *
   * @param width 16 (RFC profile) or 32 (NG profile).
   * @param options `compat: "rsplib"` to reproduce RSPLIB's wrapping 32-bit accumulator.
   * @throws {RangeError} On a width other than 16 or 32, an unknown compat, or `"rsplib"` with 32.
   */
  constructor(width: ChecksumWidth, options: ChecksumAccumulatorOptions = {}) {
    if (width !== 16 && width !== 32) {
      throw new RangeError(`Cannot create a checksum accumulator: width ${width} is not 16 or 32`);
    }
    const compat = options.compat ?? "exact";
    if (compat !== "exact" && compat !== "rsplib") {
      throw new RangeError(
        `Cannot create a checksum accumulator: compat "${compat}" is not "exact" or "rsplib"`,
      );
    }
    if (compat === "rsplib" && width !== 16) {
      throw new RangeError(
        'Cannot create a checksum accumulator: compat "rsplib" exists only for width 16',
      );
    }
    this.width = width;
    this.compat = compat;
    this.#modulus = width === 16 ? INTERNET16_MODULUS : INTERNET32_MODULUS;
    this.#rsplib = compat === "rsplib";
  }

  /** How many partial sums the set holds (added minus subtracted). */
  get count(): number {
    return this.#count;
  }

  /**
   * Adds a PE's partial sum.
   *
   * @param partial An exact or folded partial sum (non-negative safe integer); in `"rsplib"`
   *   mode RSPLIB's own partial sum ({@link rsplibPeSum16}).
   * @throws {RangeError} When `partial` is not a non-negative safe integer.
   */
  add(partial: number): void {
    // Fast path: a 32-bit unsigned integer (every Internet-16 partial sum of a handle up to
    // 64 KiB); anything else is checked and reduced by #reduceLarge.
    const r = (partial >>> 0) === partial
      ? this.#reduce32(partial)
      : this.#reduceLarge(partial, "add");
    this.#count++;
    if (this.#rsplib) {
      // ToUint32 is exact modulo 2^32 for any integer below 2^53.
      this.#residue = (this.#residue + partial) >>> 0;
      return;
    }
    if (partial === 0) return;
    this.#nonzero++;
    const s = this.#residue + r;
    this.#residue = s >= this.#modulus ? s - this.#modulus : s;
  }

  /**
   * Subtracts a partial sum added before (the PE left the set).
   *
   * @param partial The same number that was added.
   * @throws {RangeError} When `partial` is not a non-negative safe integer or the set is empty.
   */
  sub(partial: number): void {
    const r = (partial >>> 0) === partial
      ? this.#reduce32(partial)
      : this.#reduceLarge(partial, "subtract");
    if (this.#count === 0) {
      throw new RangeError(
        `Cannot subtract the partial sum ${partial}: the checksum accumulator is empty`,
      );
    }
    this.#count--;
    if (this.#rsplib) {
      this.#residue = (this.#residue - partial) >>> 0;
      return;
    }
    if (partial === 0) return;
    this.#nonzero--;
    const s = this.#residue - r;
    this.#residue = s < 0 ? s + this.#modulus : s;
  }

  /**
   * The folded one's complement sum of the set, fold(S), not complemented.
   *
   * @returns 0 for an empty (or all-zero) set, else 1..M.
   * @example Folded and finished
   * ```ts
   * import { ChecksumAccumulator } from "./checksum_accumulator.ts";
   * import assert from "node:assert/strict";
   * const acc = new ChecksumAccumulator(16);
   * acc.add(0x7d035);
   * assert.equal(acc.folded(), 0xd03c);
   * assert.equal(acc.finish(), 0x2fc3);
   * ```
   */
  folded(): number {
    // RSPLIB's little-endian sum folds to the byte swap of the wire-order value.
    if (this.#rsplib) return swap16(fold16(this.#residue));
    if (this.#nonzero === 0) return 0;
    return this.#residue === 0 ? this.#modulus : this.#residue;
  }

  /**
   * The checksum value to send: one's complement of {@link ChecksumAccumulator.folded}.
   *
   * @returns 0..0xffff (width 16) or 0..0xffffffff (width 32); all ones for the empty set.
   * @example RSPLIB's wrap
   * ```ts
   * import { ChecksumAccumulator } from "./checksum_accumulator.ts";
   * import assert from "node:assert/strict";
   * const rsplib = new ChecksumAccumulator(16, { compat: "rsplib" });
   * rsplib.add(0xffffffff);
   * rsplib.add(2); // 2^32 + 1 wraps to 1: folded 0x0001 little-endian, 0x0100 on the wire
   * assert.equal(rsplib.finish(), 0xfeff);
   * ```
   */
  finish(): number {
    return this.#modulus - this.folded();
  }

  /**
   * Empties the set.
   *
   * @example Reset
   * ```ts
   * import { ChecksumAccumulator } from "./checksum_accumulator.ts";
   * import assert from "node:assert/strict";
   * const acc = new ChecksumAccumulator(32);
   * acc.add(5);
   * acc.reset();
   * assert.equal(acc.count, 0);
   * assert.equal(acc.finish(), 0xffffffff);
   * ```
   */
  reset(): void {
    this.#residue = 0;
    this.#nonzero = 0;
    this.#count = 0;
  }

  /** partial mod M for a 32-bit unsigned integer. */
  #reduce32(partial: number): number {
    if (this.#modulus === INTERNET32_MODULUS) return partial === INTERNET32_MODULUS ? 0 : partial;
    // End-around carry twice (2^16 ≡ 1): at most 0x1fffe after the first, 0xffff after the second.
    let s = (partial & 0xffff) + (partial >>> 16);
    s = (s & 0xffff) + (s >>> 16);
    return s === INTERNET16_MODULUS ? 0 : s;
  }

  /** partial mod M for anything that is not a 32-bit unsigned integer; checks it first. */
  #reduceLarge(partial: number, what: string): number {
    checkPartial(partial, what);
    const m = this.#modulus;
    if (m === INTERNET16_MODULUS) return partial % m;
    // End-around carry (2^32 ≡ 1), exact in doubles below 2^53; every step lowers s.
    let s = partial;
    while (s > m) {
      const high = Math.floor(s / TWO_32);
      s = s - high * TWO_32 + high;
    }
    return s === m ? 0 : s;
  }
}

function checkPartial(partial: number, what: string): void {
  if (!Number.isSafeInteger(partial) || partial < 0) {
    throw new RangeError(
      `Cannot ${what} the partial sum ${partial}: it is not a non-negative safe integer`,
    );
  }
}
