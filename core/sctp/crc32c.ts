/**
 * CRC32c (Castagnoli), the checksum of every SCTP packet (RFC 9260 appendix A, RFC 3309).
 * Slicing-by-8 over eight 256-entry tables: eight bytes per step with table lookups only.
 *
 * @module
 */

/** The reflected Castagnoli polynomial. */
const POLY = 0x82f63b78;

const TABLES: readonly Uint32Array[] = buildTables();

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
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES as [
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
  ];
  let c = ~crc;
  let i = start;
  const fast = end - 8;
  while (i <= fast) {
    const lo = c ^
      (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    c = t7[lo & 0xff]! ^ t6[(lo >>> 8) & 0xff]! ^ t5[(lo >>> 16) & 0xff]! ^ t4[lo >>> 24]! ^
      t3[bytes[i + 4]!]! ^ t2[bytes[i + 5]!]! ^ t1[bytes[i + 6]!]! ^ t0[bytes[i + 7]!]!;
    i += 8;
  }
  while (i < end) c = t0[(c ^ bytes[i++]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
