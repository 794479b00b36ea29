// An identifier as a number, for the hash index and the checksum partial sums.
// `Number(bigint)` is a runtime call in V8 (17–30 ns measured), while storing a
// bigint into a BigUint64Array and reading its two 32-bit halves compiles to a
// few instructions (3–4 ns), and so does `BigInt.asUintN(64, id) === id`.

const u64 = new BigUint64Array(1);
const u32 = new Uint32Array(u64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE ? 0 : 1, HI = LITTLE ? 1 : 0;

/**
 * `Number(id)` for 0 ≤ id < 2^64 (exact below 2^53, correctly rounded above, like
 * `Number()`: one rounding of the exact sum of the two exact halves); −1 for any other id
 * (negative or 2^64 and beyond), which no valid identifier is.
 */
export function idNumber(id: bigint): number {
  if (BigInt.asUintN(64, id) !== id) return -1;
  u64[0] = id;
  return u32[HI]! * 4294967296 + u32[LO]!;
}
