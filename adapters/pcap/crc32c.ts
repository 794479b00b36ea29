/**
 * CRC-32C (Castagnoli), the checksum of the SCTP common header.
 *
 * @see RFC 9260 appendix A (formerly RFC 4960)
 * @module
 */

const TABLE = /* @__PURE__ */ (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/**
 * Computes the CRC-32C of bytes.
 *
 * @param bytes The input.
 * @returns The CRC as an unsigned 32-bit integer (SCTP stores it little-endian
 *   in its header's checksum field).
 * @example The standard check value
 * ```ts
 * import { crc32c } from "./crc32c.ts";
 * import assert from "node:assert/strict";
 * assert.equal(crc32c(new TextEncoder().encode("123456789")), 0xe3069283);
 * ```
 */
export function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
