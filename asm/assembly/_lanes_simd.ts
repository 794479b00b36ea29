// The byte-lane sums of _lanes.ts with 128-bit SIMD: 64 bytes per step, five operations per
// 16 bytes (load, and, shift, two adds), no byte shuffles because the lanes do not care about
// byte order. Needs the `simd` feature; only checksum_simd.ts imports this file.
import { addLanesScalar, L0, L1, L2, L3 } from "./_lanes";

/** Adds the lanes of [ptr, ptr + len) to L0..L3; `len` bytes from `ptr`, any alignment. */
// @ts-ignore: decorator
@inline
export function addLanesSimd(ptr: usize, len: usize): void {
  const lowBytes = i16x8.splat(0x00ff);
  const lowHalves = i32x4.splat(0xffff);
  let p = ptr;
  let n = len;
  let t0 = i64x2.splat(0); // lane 0 (offset ≡ 0 mod 4), as two 64-bit partial totals
  let t1 = i64x2.splat(0);
  let t2 = i64x2.splat(0);
  let t3 = i64x2.splat(0);
  while (n >= 64) {
    // Each step adds at most 2·255 to every 16-bit sub-lane of e0, e1, o0, o1, so 128 steps
    // (65280) fit before they are widened.
    let steps = n >> 6;
    if (steps > 128) steps = 128;
    n -= steps << 6;
    let e0 = i16x8.splat(0); // even offsets: 16-bit sub-lane j holds offset 2j (≡ 0, 2 mod 4)
    let e1 = i16x8.splat(0);
    let o0 = i16x8.splat(0); // odd offsets: sub-lane j holds offset 2j + 1 (≡ 1, 3 mod 4)
    let o1 = i16x8.splat(0);
    do {
      const a = v128.load(p);
      const b = v128.load(p, 16);
      const c = v128.load(p, 32);
      const d = v128.load(p, 48);
      e0 = i16x8.add(e0, v128.and(a, lowBytes));
      o0 = i16x8.add(o0, i16x8.shr_u(a, 8));
      e1 = i16x8.add(e1, v128.and(b, lowBytes));
      o1 = i16x8.add(o1, i16x8.shr_u(b, 8));
      e0 = i16x8.add(e0, v128.and(c, lowBytes));
      o0 = i16x8.add(o0, i16x8.shr_u(c, 8));
      e1 = i16x8.add(e1, v128.and(d, lowBytes));
      o1 = i16x8.add(o1, i16x8.shr_u(d, 8));
      p += 64;
    } while (--steps);
    // Viewed as 32-bit lanes, the low half of e holds offsets ≡ 0 and the high half offsets ≡ 2
    // (mod 4); for o, ≡ 1 and ≡ 3. Each half is at most 65280, so two of them fit in 32 bits.
    const s0 = i32x4.add(v128.and(e0, lowHalves), v128.and(e1, lowHalves));
    const s2 = i32x4.add(i32x4.shr_u(e0, 16), i32x4.shr_u(e1, 16));
    const s1 = i32x4.add(v128.and(o0, lowHalves), v128.and(o1, lowHalves));
    const s3 = i32x4.add(i32x4.shr_u(o0, 16), i32x4.shr_u(o1, 16));
    t0 = i64x2.add(t0, i64x2.add(i64x2.extend_low_i32x4_u(s0), i64x2.extend_high_i32x4_u(s0)));
    t1 = i64x2.add(t1, i64x2.add(i64x2.extend_low_i32x4_u(s1), i64x2.extend_high_i32x4_u(s1)));
    t2 = i64x2.add(t2, i64x2.add(i64x2.extend_low_i32x4_u(s2), i64x2.extend_high_i32x4_u(s2)));
    t3 = i64x2.add(t3, i64x2.add(i64x2.extend_low_i32x4_u(s3), i64x2.extend_high_i32x4_u(s3)));
  }
  L0 += <u64> i64x2.extract_lane(t0, 0) + <u64> i64x2.extract_lane(t0, 1);
  L1 += <u64> i64x2.extract_lane(t1, 0) + <u64> i64x2.extract_lane(t1, 1);
  L2 += <u64> i64x2.extract_lane(t2, 0) + <u64> i64x2.extract_lane(t2, 1);
  L3 += <u64> i64x2.extract_lane(t3, 0) + <u64> i64x2.extract_lane(t3, 1);
  // The rest (< 64 bytes) starts at a multiple of 64 from ptr, so its lanes line up.
  addLanesScalar(p, n);
}
