/**
 * The pure-TypeScript checksum kernel: the reference implementation, used wherever WebAssembly
 * is unavailable, disabled, or slower (small inputs, per-PE partial sums).
 *
 * @module
 */

import type { ChecksumKernel } from "./checksum_kernel.ts";
import { checkIds, checkPoolHandle, checkRange } from "./_check.ts";
import { idSum16, idSum32 } from "./internet_checksum.ts";
import { tsSum16, tsSum32, tsSumIds16, tsSumIds32, wordSum16, wordSum32 } from "./_ts_sums.ts";

/**
 * The pure-TypeScript {@link ChecksumKernel} (`name` `"ts"`): plain loops, exact arithmetic.
 * Stateless; share it freely.
 *
 * @example The test vector of spec/checksum.md §7
 * ```ts
 * import { tsChecksumKernel as k } from "./ts_checksum_kernel.ts";
 * import { finish16 } from "./internet_checksum.ts";
 * import assert from "node:assert/strict";
 * const echo = new TextEncoder().encode("EchoPool");
 * const calc = new TextEncoder().encode("CalcAppPool");
 * assert.equal(k.peSum16(echo, 0x1a2b3c4dn), 0x1c425);
 * assert.equal(k.peSum16(calc, 0x5e3a9c21n), 0x3374e);
 * const all = k.peSum16(echo, 0x1a2b3c4dn) + k.peSum16(calc, 0x5e3a9c21n) +
 *   k.peSum16(calc, 0x2d4f6a80n);
 * assert.equal(finish16(all), 0x2fc3);
 * ```
 */
export const tsChecksumKernel: ChecksumKernel = Object.freeze({
  name: "ts",
  sum16(bytes: Uint8Array, offset = 0, length?: number): number {
    return tsSum16(bytes, offset, checkRange(bytes, offset, length));
  },
  sum32(bytes: Uint8Array, offset = 0, length?: number): number {
    return tsSum32(bytes, offset, checkRange(bytes, offset, length));
  },
  peSum16(poolHandle: Uint8Array, peId: bigint): number {
    checkPoolHandle(poolHandle);
    return wordSum16(poolHandle, 0, poolHandle.length) + idSum16(peId);
  },
  peSum32(poolHandle: Uint8Array, peId: bigint): number {
    checkPoolHandle(poolHandle);
    return wordSum32(poolHandle, 0, poolHandle.length) + idSum32(peId);
  },
  sumIds16(ids: Uint32Array): number {
    checkIds(ids);
    return tsSumIds16(ids);
  },
  sumIds32(words: Uint32Array): number {
    checkIds(words);
    return tsSumIds32(words);
  },
});
