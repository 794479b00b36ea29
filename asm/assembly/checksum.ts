// Checksum kernels, scalar build (runs on any WebAssembly 1.0 engine): the fallback where SIMD is missing.
//
// Exports (identical in checksum.ts and checksum_simd.ts, so core/_wasm loads either behind one
// interface; conventions in asm/README.md): only numbers cross the boundary. `ptr` and `len`
// are a byte range in this module's memory (any alignment); 32-bit results come back as i32
// (JS: `>>> 0`); exact sums that may exceed 32 bits come back as f64 (exact below 2^53).
import { addLanesScalar } from "./_lanes";
import { fold16, fold32, lanes16be, lanes16le, lanes32be, lanes32le, resetLanes } from "./_lanes";

export { heap_base } from "./_heap";

/** One summing pass over [ptr, ptr + len) into the lanes (not inlined: keeps the module small). */
function addLanes(ptr: usize, len: usize): void {
  addLanesScalar(ptr, len);
}

/** Internet-16 sum of [ptr, ptr + len): 16-bit big-endian words, odd tail zero-padded, folded. */
export function sum16be(ptr: usize, len: usize): u32 {
  resetLanes();
  addLanes(ptr, len);
  return fold16(lanes16be());
}

/** Folded sum of the 16-bit little-endian words of [ptr, ptr + len) (e.g. Uint32Array halves). */
export function sum16le(ptr: usize, len: usize): u32 {
  resetLanes();
  addLanes(ptr, len);
  return fold16(lanes16le());
}

/** Internet-32 sum of [ptr, ptr + len): 32-bit big-endian words, tail zero-padded, folded. */
export function sum32be(ptr: usize, len: usize): u32 {
  resetLanes();
  addLanes(ptr, len);
  return fold32(lanes32be());
}

/** Folded sum of the 32-bit little-endian words of [ptr, ptr + len) (e.g. Uint32Array values). */
export function sum32le(ptr: usize, len: usize): u32 {
  resetLanes();
  addLanes(ptr, len);
  return fold32(lanes32le());
}

/**
 * Exact (unfolded) per-PE partial sum of the RFC profile: the 16-bit big-endian words of the
 * pool handle at [ptr, ptr + len), zero-padded on its own, plus the two 16-bit words of the
 * 32-bit PE identifier.
 */
export function pe_sum16(ptr: usize, len: usize, id: u32): f64 {
  resetLanes();
  addLanes(ptr, len);
  return <f64> (lanes16be() + <u64> (id >>> 16) + <u64> (id & 0xffff));
}

/**
 * Exact (unfolded) per-PE partial sum of the NG profile: the 32-bit big-endian words of the pool
 * handle at [ptr, ptr + len), zero-padded on its own to a multiple of 4, plus the two 32-bit
 * words (idHigh, idLow) of the 64-bit PE identifier.
 */
export function pe_sum32(ptr: usize, len: usize, idHigh: u32, idLow: u32): f64 {
  resetLanes();
  addLanes(ptr, len);
  return <f64> (lanes32be() + <u64> idHigh + <u64> idLow);
}
