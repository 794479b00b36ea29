/**
 * CRC32c (Castagnoli), the checksum of every SCTP packet (RFC 9260 appendix A, RFC 3309).
 * Slicing-by-8 over eight 256-entry tables: eight bytes per step with table lookups only.
 *
 * @module
 */

/** The reflected Castagnoli polynomial. */
const POLY = 0x82f63b78;

const [T0, T1, T2, T3, T4, T5, T6, T7] = buildTables() as [
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
];

function buildTables(): Uint32Array[] {
  const t = Array.from({ length: 8 }, () => new Uint32Array(256));
  const t0 = t[0]!;
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t0[i] = c >>> 0;
  }
  for (let i = 0; i < 256; i++) {
    let c = t0[i]!;
    for (let s = 1; s < 8; s++) {
      c = t0[c & 0xff]! ^ (c >>> 8);
      t[s]![i] = c >>> 0;
    }
  }
  return t;
}

/**
 * Continues a CRC32c over more bytes. Start with `crc = 0` (the function applies the initial
 * and final inversion itself), so `crc32c(b, crc32c(a))` equals the CRC of `a` then `b`.
 *
 * @param bytes The bytes.
 * @param crc The CRC of the bytes before them (default 0: none).
 * @param start First byte offset (default 0).
 * @param end End offset, exclusive (default `bytes.length`).
 * @returns The CRC32c, an unsigned 32-bit integer.
 * @example The check value of "123456789"
 * ```ts
 * import { crc32c } from "./crc32c.ts";
 * import assert from "node:assert/strict";
 * assert.equal(crc32c(new TextEncoder().encode("123456789")), 0xe3069283);
 * ```
 */
export function crc32c(
  bytes: Uint8Array,
  crc = 0,
  start = 0,
  end: number = bytes.length,
): number {
  let c = ~crc;
  let i = start;
  if (end - i >= 16) {
    // Eight bytes per step: two little-endian words through the eight tables.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const fast = end - 8;
    while (i <= fast) {
      const lo = c ^ view.getUint32(i, true);
      const hi = view.getUint32(i + 4, true);
      c = T7[lo & 0xff]! ^ T6[(lo >>> 8) & 0xff]! ^ T5[(lo >>> 16) & 0xff]! ^ T4[lo >>> 24]! ^
        T3[hi & 0xff]! ^ T2[(hi >>> 8) & 0xff]! ^ T1[(hi >>> 16) & 0xff]! ^ T0[hi >>> 24]!;
      i += 8;
    }
  }
  while (i < end) c = T0[(c ^ bytes[i++]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
