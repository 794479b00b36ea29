// Checksum partial sums of a pool element from an identifier already converted
// to a number (exact up to 2^53), shared by the public bigint functions in
// checksum.ts and the handlespace, which converts each identifier once; and the
// identifier's own word sums read straight from a bigint.
//
// `Number(bigint)` and bigint shifts/masks are runtime calls in V8 (17–30 ns),
// while storing a bigint into a BigUint64Array and reading its two 32-bit halves
// compiles to a few instructions (see _id_number.ts), as does
// `BigInt.asUintN(bits, id) === id`.

const u64 = new BigUint64Array(1);
const u32 = new Uint32Array(u64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE ? 0 : 1, HI = LITTLE ? 1 : 0;

/** Internet-16: the handle's word sum plus the id's two 16-bit words (id below 2^32). */
export function partial16OfNumber(handleSum: number, n: number): number {
  return handleSum + (n >>> 16) + (n & 0xffff);
}

/** Internet-32: the handle's word sum plus the id's two 32-bit words (id up to 2^53). */
export function partial32OfNumber(handleSum: number, n: number): number {
  const hi = Math.floor(n / 4294967296);
  return handleSum + hi + (n - hi * 4294967296);
}

/**
 * The sum of the two 16-bit big-endian words of a 32-bit identifier (its part of an
 * Internet-16 partial sum), or −1 if the identifier is not in 0..2^32−1.
 */
export function idWordSum16(id: bigint): number {
  if (BigInt.asUintN(32, id) !== id) return -1;
  u64[0] = id;
  const n = u32[LO]!;
  return (n >>> 16) + (n & 0xffff);
}

/**
 * The sum of the identifier's two 16-bit words read little-endian (RSPLIB's order on
 * x86), or −1 if the identifier is not in 0..2^32−1.
 */
export function rsplibIdWordSum16(id: bigint): number {
  if (BigInt.asUintN(32, id) !== id) return -1;
  u64[0] = id;
  const n = u32[LO]!;
  // Swap the bytes within each 16-bit half, then add the halves.
  const x = ((n >>> 8) & 0x00ff00ff) | ((n & 0x00ff00ff) << 8);
  return (x >>> 16) + (x & 0xffff);
}

/**
 * The sum of the two 32-bit big-endian words of a 64-bit identifier (its part of an
 * Internet-32 partial sum; exact for every 64-bit value), or −1 if the identifier is not
 * in 0..2^64−1.
 */
export function idWordSum32(id: bigint): number {
  if (BigInt.asUintN(64, id) !== id) return -1;
  u64[0] = id;
  return u32[HI]! + u32[LO]!;
}

/** (a · b) mod m for integers 0 ≤ a, b < 2^32 and 1 ≤ m < 2^32, exact in doubles. */
export function mulMod(a: number, b: number, m: number): number {
  const high = (a * Math.floor(b / 65536)) % m; // < 2^48 before the reduction
  return (high * 65536 + a * (b % 65536)) % m; // < 2^48 + 2^48
}
