/**
 * Randomness for the sans-IO core. The core never reads a random source of
 * its own: policies, timer jitter and identifier generation take an
 * {@link Rng}. Production code seeds {@link SeededRng} from the runtime's
 * cryptographic source (in `adapters/`); tests and simulations pass a fixed
 * seed so every run can be replayed.
 *
 * @module
 */

/** A source of uniformly distributed unsigned 32-bit integers. */
export interface Rng {
  /** Returns the next uniformly distributed integer in 0..0xffffffff. */
  nextU32(): number;
}

/**
 * A fast, seedable pseudo-random generator (xoshiro128**): 128-bit state,
 * period 2^128 − 1. Not cryptographic; identifiers that must be unguessable
 * come from a cryptographic source in the adapters.
 *
 * @example Same seed, same stream
 * ```ts
 * import { SeededRng } from "./rng.ts";
 * import assert from "node:assert/strict";
 * const a = new SeededRng(42), b = new SeededRng(42);
 * assert.equal(a.nextU32(), b.nextU32());
 * ```
 */
export class SeededRng implements Rng {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  /**
   * Creates a generator from a seed. Seeds are expanded with SplitMix32, so
   * nearby seeds give unrelated streams.
   *
   * @param seed Any 32-bit integer, or four 32-bit words of state.
   */
  constructor(seed: number | readonly [number, number, number, number]) {
    if (typeof seed === "number") {
      let x = seed >>> 0;
      const next = (): number => {
        x = (x + 0x9e3779b9) >>> 0;
        let z = x;
        z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
        z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
        return (z ^ (z >>> 16)) >>> 0;
      };
      this.#s0 = next();
      this.#s1 = next();
      this.#s2 = next();
      this.#s3 = next();
    } else {
      [this.#s0, this.#s1, this.#s2, this.#s3] = seed.map((w) => w >>> 0) as [
        number,
        number,
        number,
        number,
      ];
    }
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
  }

  /**
   * The next uniformly distributed integer.
   *
   * @returns An integer in 0..0xffffffff.
   */
  nextU32(): number {
    const s1 = this.#s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    return result;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * A uniformly distributed integer in `0 .. bound-1`, without modulo bias.
 *
 * @param rng The random source.
 * @param bound Exclusive upper bound, 1..2^32.
 * @returns The drawn integer.
 * @throws {RangeError} If the bound is out of range.
 * @example A die roll
 * ```ts
 * import { randomBelow, SeededRng } from "./rng.ts";
 * import assert from "node:assert/strict";
 * const v = randomBelow(new SeededRng(1), 6);
 * assert.ok(v >= 0 && v < 6);
 * ```
 */
export function randomBelow(rng: Rng, bound: number): number {
  if (!(bound >= 1 && bound <= 0x100000000) || !Number.isInteger(bound)) {
    throw new RangeError(`Cannot draw a random integer: bound ${bound} is not in 1..2^32`);
  }
  // Rejection sampling on the top of the 32-bit range removes the modulo bias.
  const limit = 0x100000000 - (0x100000000 % bound);
  for (;;) {
    const x = rng.nextU32();
    if (x < limit) return x % bound;
  }
}

/**
 * A uniformly distributed integer in `0 .. bound-1` for bounds up to 2^53
 * (two 32-bit draws).
 *
 * @param rng The random source.
 * @param bound Exclusive upper bound, 1..2^53.
 * @returns The drawn integer.
 * @throws {RangeError} If the bound is out of range.
 * @example A large range
 * ```ts
 * import { randomBelow53, SeededRng } from "./rng.ts";
 * import assert from "node:assert/strict";
 * const v = randomBelow53(new SeededRng(7), 2 ** 40);
 * assert.ok(v >= 0 && v < 2 ** 40);
 * ```
 */
export function randomBelow53(rng: Rng, bound: number): number {
  if (bound <= 0x100000000) return randomBelow(rng, bound);
  if (!(bound <= Number.MAX_SAFE_INTEGER + 1) || !Number.isInteger(bound)) {
    throw new RangeError(`Cannot draw a random integer: bound ${bound} is not in 1..2^53`);
  }
  const limit = 2 ** 53 - (2 ** 53 % bound);
  for (;;) {
    const x = (rng.nextU32() >>> 11) * 0x100000000 + rng.nextU32();
    if (x < limit) return x % bound;
  }
}

/**
 * A random non-zero identifier of the given width (32 or 64 bits), as used
 * for PE and PR identifiers.
 *
 * @param rng The random source.
 * @param bits 32 (RFC profile) or 64 (NG profile).
 * @returns A non-zero identifier below 2^bits - 1 (all-ones is avoided as RSPLIB does).
 * @example A 64-bit identifier
 * ```ts
 * import { randomIdentifier, SeededRng } from "./rng.ts";
 * import assert from "node:assert/strict";
 * const id = randomIdentifier(new SeededRng(3), 64);
 * assert.ok(id > 0n && id < 2n ** 64n - 1n);
 * ```
 */
export function randomIdentifier(rng: Rng, bits: 32 | 64): bigint {
  const max = bits === 32 ? 0xffffffffn : 0xffffffffffffffffn;
  for (;;) {
    let id = BigInt(rng.nextU32());
    if (bits === 64) id = (id << 32n) | BigInt(rng.nextU32());
    if (id !== 0n && id !== max) return id;
  }
}
