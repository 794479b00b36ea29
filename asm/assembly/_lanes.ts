// Byte-lane sums: the one primitive behind every checksum of this package.
//
// For a byte range [ptr, ptr + len), lane k (k = 0..3) is the sum of the bytes at offsets
// i ≡ k (mod 4) from ptr. Every word sum the checksum needs is an exact linear combination of
// the four lanes, so one pass serves all of them, in either byte order:
//
//   16-bit big-endian words    = 2^8·(L0 + L2) + (L1 + L3)     (odd tail padded with a zero byte)
//   16-bit little-endian words = (L0 + L2) + 2^8·(L1 + L3)
//   32-bit big-endian words    = 2^24·L0 + 2^16·L1 + 2^8·L2 + L3  (tail zero-padded to 4 bytes)
//   32-bit little-endian words = L0 + 2^8·L1 + 2^16·L2 + 2^24·L3
//
// Zero padding adds nothing, so trailing bytes need no special case. The sums are exact: a lane
// is at most 255·2^30 < 2^38 for len < 2^32, so every combination stays below 2^63.

export let L0: u64 = 0;
export let L1: u64 = 0;
export let L2: u64 = 0;
export let L3: u64 = 0;

const BYTES: u64 = 0x00ff00ff00ff00ff;
const HALVES: u64 = 0x0000ffff0000ffff;

/** Adds the lanes of [ptr, ptr + len) to L0..L3 with 64-bit words (SWAR); `len` bytes from `ptr`. */
// @ts-ignore: decorator
@inline
export function addLanesScalar(ptr: usize, len: usize): void {
  let p = ptr;
  let n = len;
  // Sixteen bytes per step into 16-bit sub-lanes: each step adds at most 2·255 to a sub-lane,
  // so 128 steps (65280) fit before the sub-lanes are flushed into the 64-bit lanes.
  while (n >= 16) {
    let steps = n >> 4;
    if (steps > 128) steps = 128;
    n -= steps << 4;
    let even: u64 = 0; // bytes at offsets 0, 2, 4, 6 of each 8-byte word (16-bit sub-lanes 0..3)
    let odd: u64 = 0; // bytes at offsets 1, 3, 5, 7
    do {
      const a = load<u64>(p);
      const b = load<u64>(p, 8);
      even += (a & BYTES) + (b & BYTES);
      odd += ((a >> 8) & BYTES) + ((b >> 8) & BYTES);
      p += 16;
    } while (--steps);
    // 16-bit sub-lanes 0 and 2 hold offsets 0 and 4 of a word (even) or 1 and 5 (odd): lanes 0, 1;
    // sub-lanes 1 and 3 hold offsets 2 and 6 (even) or 3 and 7 (odd): lanes 2, 3.
    const e02 = even & HALVES;
    const e13 = (even >> 16) & HALVES;
    const o02 = odd & HALVES;
    const o13 = (odd >> 16) & HALVES;
    L0 += (e02 & 0xffffffff) + (e02 >> 32);
    L2 += (e13 & 0xffffffff) + (e13 >> 32);
    L1 += (o02 & 0xffffffff) + (o02 >> 32);
    L3 += (o13 & 0xffffffff) + (o13 >> 32);
  }
  addLanesBytes(p, n, 0);
}

/** Adds up to a few bytes one at a time; `first` is the lane of the byte at `ptr`. */
// @ts-ignore: decorator
@inline
export function addLanesBytes(ptr: usize, len: usize, first: u32): void {
  for (let i: usize = 0; i < len; i++) {
    const b = <u64> load<u8>(ptr + i);
    switch ((first + <u32> i) & 3) {
      case 0:
        L0 += b;
        break;
      case 1:
        L1 += b;
        break;
      case 2:
        L2 += b;
        break;
      default:
        L3 += b;
    }
  }
}

// @ts-ignore: decorator
@inline
export function resetLanes(): void {
  L0 = 0;
  L1 = 0;
  L2 = 0;
  L3 = 0;
}

// @ts-ignore: decorator
@inline
export function lanes16be(): u64 {
  return ((L0 + L2) << 8) + L1 + L3;
}

// @ts-ignore: decorator
@inline
export function lanes16le(): u64 {
  return L0 + L2 + ((L1 + L3) << 8);
}

// @ts-ignore: decorator
@inline
export function lanes32be(): u64 {
  return (L0 << 24) + (L1 << 16) + (L2 << 8) + L3;
}

// @ts-ignore: decorator
@inline
export function lanes32le(): u64 {
  return L0 + (L1 << 8) + (L2 << 16) + (L3 << 24);
}

/**
 * One's complement fold of an exact sum to 16 bits: 0 for 0, else ((s − 1) mod 0xffff) + 1,
 * which is what repeated end-around carry gives.
 */
// @ts-ignore: decorator
@inline
export function fold16(s: u64): u32 {
  return s == 0 ? 0 : <u32> ((s - 1) % 0xffff) + 1;
}

/** One's complement fold of an exact sum to 32 bits: 0 for 0, else ((s − 1) mod 0xffffffff) + 1. */
// @ts-ignore: decorator
@inline
export function fold32(s: u64): u32 {
  return s == 0 ? 0 : <u32> ((s - 1) % 0xffffffff) + 1;
}
