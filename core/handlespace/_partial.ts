// Checksum partial sums of a pool element from an identifier already converted
// to a number (exact up to 2^53), shared by the public bigint functions in
// checksum.ts and the handlespace, which converts each identifier once.

/** Internet-16: the handle's word sum plus the id's two 16-bit words (id below 2^32). */
export function partial16OfNumber(handleSum: number, n: number): number {
  return handleSum + (n >>> 16) + (n & 0xffff);
}

/** Internet-32: the handle's word sum plus the id's two 32-bit words (id up to 2^53). */
export function partial32OfNumber(handleSum: number, n: number): number {
  const hi = Math.floor(n / 4294967296);
  return handleSum + hi + (n - hi * 4294967296);
}
