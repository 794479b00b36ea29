// The pure-TypeScript sums behind tsChecksumKernel, without argument checks (callers check).
// They are the reference the WebAssembly kernels are tested against: plain loops over bytes,
// exact integer arithmetic. Inner loops run over blocks small enough that their sums stay in
// int32 range (so V8 and JSC keep them in integer registers; a sum that leaves int32 range made
// the id-column loop 6x slower), and block results are added in doubles and folded before 2^53.

import { fold16, fold32 } from "./internet_checksum.ts";

/**
 * Bytes (or identifiers) per inner block: 4096 words of at most 0x1fffe per step stay below
 * 2^31. A multiple of 4, so block borders fall on word borders of both widths.
 */
const BLOCK = 16384;

/** Block totals are folded once the running total passes this, keeping it exact. */
const FOLD_ABOVE = 2 ** 52;

/** Exact sum of the 16-bit big-endian words of bytes[start, end) (odd tail zero-padded). */
export function wordSum16(bytes: Uint8Array, start: number, end: number): number {
  let s = 0;
  let i = start;
  const quads = end - ((end - start) & 3);
  for (; i < quads; i += 4) {
    s += ((bytes[i]! << 8) | bytes[i + 1]!) + ((bytes[i + 2]! << 8) | bytes[i + 3]!);
  }
  for (; i + 1 < end; i += 2) s += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < end) s += bytes[i]! << 8;
  return s;
}

/** Exact sum of the 32-bit big-endian words of bytes[start, end) (1..3 tail bytes zero-padded). */
export function wordSum32(bytes: Uint8Array, start: number, end: number): number {
  let high = 0; // the words' upper 16-bit halves
  let low = 0;
  let i = start;
  const words = end - ((end - start) & 3);
  for (; i < words; i += 4) {
    high += (bytes[i]! << 8) | bytes[i + 1]!;
    low += (bytes[i + 2]! << 8) | bytes[i + 3]!;
  }
  if (i < end) {
    high += (bytes[i]! << 8) | (i + 1 < end ? bytes[i + 1]! : 0);
    if (i + 2 < end) low += bytes[i + 2]! << 8;
  }
  return high * 65536 + low;
}

/** Folded Internet-16 sum of bytes[offset, offset + length). */
export function tsSum16(bytes: Uint8Array, offset: number, length: number): number {
  const end = offset + length;
  let total = 0;
  for (let start = offset; start < end; start += BLOCK) {
    total += wordSum16(bytes, start, Math.min(end, start + BLOCK));
    if (total > FOLD_ABOVE) total = fold16(total);
  }
  return fold16(total);
}

/** Folded Internet-32 sum of bytes[offset, offset + length). */
export function tsSum32(bytes: Uint8Array, offset: number, length: number): number {
  const end = offset + length;
  let total = 0;
  for (let start = offset; start < end; start += BLOCK) {
    total += wordSum32(bytes, start, Math.min(end, start + BLOCK));
    if (total > FOLD_ABOVE) total = fold32(total);
  }
  return fold32(total);
}

/** Folded sum of the 16-bit halves of 32-bit identifiers. */
export function tsSumIds16(ids: Uint32Array): number {
  let total = 0;
  for (let start = 0; start < ids.length; start += BLOCK) {
    const end = Math.min(ids.length, start + BLOCK);
    let s = 0;
    for (let i = start; i < end; i++) {
      const id = ids[i]!;
      s += (id >>> 16) + (id & 0xffff);
    }
    total += s;
  }
  return fold16(total); // at most 2^32 · 0x1fffe < 2^49
}

/** Folded sum of 32-bit words. */
export function tsSumIds32(words: Uint32Array): number {
  let total = 0;
  for (let start = 0; start < words.length; start += BLOCK) {
    const end = Math.min(words.length, start + BLOCK);
    let high = 0;
    let low = 0;
    for (let i = start; i < end; i++) {
      const w = words[i]!;
      high += w >>> 16;
      low += w & 0xffff;
    }
    total += high * 65536 + low;
    if (total > FOLD_ABOVE) total = fold32(total);
  }
  return fold32(total);
}
