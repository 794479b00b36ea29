// The pure-TypeScript sums behind tsChecksumKernel, without argument checks (callers check).
// They are the reference the WebAssembly kernels are tested against: plain loops over bytes,
// exact integer arithmetic in doubles, folded often enough to stay below 2^53.

import { fold16, fold32 } from "./internet_checksum.ts";

/**
 * Bytes summed before a fold: 2^18 32-bit words of at most 2^32 each stay below 2^50. A multiple
 * of 4, so chunk borders fall on word borders of both widths.
 */
const CHUNK = 1 << 20;

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
  let s = 0;
  let i = start;
  const words = end - ((end - start) & 3);
  for (; i < words; i += 4) {
    s += bytes[i]! * 0x1000000 + ((bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!);
  }
  if (i < end) {
    const b1 = i + 1 < end ? bytes[i + 1]! : 0;
    const b2 = i + 2 < end ? bytes[i + 2]! : 0;
    s += bytes[i]! * 0x1000000 + ((b1 << 16) | (b2 << 8));
  }
  return s;
}

/** Folded Internet-16 sum of bytes[offset, offset + length). */
export function tsSum16(bytes: Uint8Array, offset: number, length: number): number {
  const end = offset + length;
  if (length <= CHUNK) return fold16(wordSum16(bytes, offset, end));
  let total = 0;
  for (let start = offset; start < end; start += CHUNK) {
    total += fold16(wordSum16(bytes, start, Math.min(end, start + CHUNK)));
  }
  return fold16(total);
}

/** Folded Internet-32 sum of bytes[offset, offset + length). */
export function tsSum32(bytes: Uint8Array, offset: number, length: number): number {
  const end = offset + length;
  if (length <= CHUNK) return fold32(wordSum32(bytes, offset, end));
  let total = 0;
  for (let start = offset; start < end; start += CHUNK) {
    total += fold32(wordSum32(bytes, start, Math.min(end, start + CHUNK)));
  }
  return fold32(total);
}

/** Folded sum of the 16-bit halves of 32-bit identifiers (at most 2^32 · 0x1fffe < 2^49). */
export function tsSumIds16(ids: Uint32Array): number {
  let s = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    s += (id >>> 16) + (id & 0xffff);
  }
  return fold16(s);
}

/** Folded sum of 32-bit words, folded every 2^20 words to stay below 2^53. */
export function tsSumIds32(words: Uint32Array): number {
  let total = 0;
  for (let start = 0; start < words.length; start += CHUNK) {
    const end = Math.min(words.length, start + CHUNK);
    let s = 0;
    for (let i = start; i < end; i++) s += words[i]!;
    total += fold32(s);
  }
  return fold32(total);
}
