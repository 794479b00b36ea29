/**
 * The handlespace checksum of RSerPool (ENRP PE Checksum parameter): Internet-16 for the RFC
 * profile, Internet-32 for the NG profile, kept incrementally per PE (team decision 3,
 * spec/checksum.md). The sums run in WebAssembly where that measured faster and in TypeScript
 * otherwise; both give identical results.
 *
 * ```ts
 * import { ChecksumAccumulator, createChecksumKernel } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const kernel = createChecksumKernel();
 * const echo = new TextEncoder().encode("EchoPool");
 * const calc = new TextEncoder().encode("CalcAppPool");
 * const ownership = new ChecksumAccumulator(16);
 * ownership.add(kernel.peSum16(echo, 0x1a2b3c4dn));
 * ownership.add(kernel.peSum16(calc, 0x5e3a9c21n));
 * ownership.add(kernel.peSum16(calc, 0x2d4f6a80n));
 * assert.equal(ownership.finish(), 0x2fc3); // PE Checksum parameter 00 0f 00 06 2f c3 00 00
 * ```
 *
 * @module
 */

export type { ChecksumKernel } from "./checksum_kernel.ts";
export * from "./internet_checksum.ts";
export * from "./checksum_accumulator.ts";
export * from "./ts_checksum_kernel.ts";
export * from "./create_checksum_kernel.ts";
