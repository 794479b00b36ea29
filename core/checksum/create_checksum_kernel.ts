/**
 * Choosing a checksum kernel: WebAssembly where it is available and faster, the pure-TS reference
 * otherwise, or pure TS on request.
 *
 * The core reads no environment. Adapters and tools read {@link NO_WASM_ENV} and pass the result
 * on: `createChecksumKernel({ wasm: !noWasmFromEnv(env.get(NO_WASM_ENV)) })`.
 *
 * @module
 */

import type { ChecksumKernel } from "./checksum_kernel.ts";
import { tsChecksumKernel } from "./ts_checksum_kernel.ts";
import { wasmChecksumKernel } from "./wasm_checksum_kernel.ts";

/** Options of {@link createChecksumKernel}. */
export interface ChecksumKernelOptions {
  /**
   * `false` forces the pure-TS kernel. `true` (default) uses WebAssembly for the operations where
   * it measured faster (SIMD build if the engine has SIMD, else the scalar build) and falls back
   * to pure TS when WebAssembly is unavailable.
   */
  readonly wasm?: boolean;
}

/** The environment variable that forces pure TS when set to 1 (read by adapters, not the core). */
export const NO_WASM_ENV = "RSERPOOL_NO_WASM";

/**
 * Returns the checksum kernel to use.
 *
 * @param options `wasm: false` forces pure TS.
 * @returns A kernel named `"wasm-simd"`, `"wasm-scalar"` or `"ts"`.
 * @throws {TypeError} When `options.wasm` is given and not a boolean.
 * @example Forcing pure TS
 * ```ts
 * import { createChecksumKernel } from "./create_checksum_kernel.ts";
 * import assert from "node:assert/strict";
 * assert.equal(createChecksumKernel({ wasm: false }).name, "ts");
 * const kernel = createChecksumKernel();
 * assert.equal(kernel.sum16(new Uint8Array([1, 2, 3])), 0x0102 + 0x0300);
 * ```
 */
export function createChecksumKernel(options: ChecksumKernelOptions = {}): ChecksumKernel {
  const wasm = options.wasm ?? true;
  if (typeof wasm !== "boolean") {
    throw new TypeError(
      `Cannot create a checksum kernel: option wasm ${String(wasm)} is not a boolean`,
    );
  }
  if (!wasm) return tsChecksumKernel;
  return wasmChecksumKernel("simd") ?? wasmChecksumKernel("scalar") ?? tsChecksumKernel;
}

/**
 * Reads the value of {@link NO_WASM_ENV}.
 *
 * @param value The variable's value, or `undefined` when it is not set.
 * @returns `true` (use pure TS) for `1`, `true`, `yes`, `on`; `false` for unset, empty, `0`,
 *   `false`, `no`, `off` (case-insensitive, surrounding spaces ignored).
 * @throws {SyntaxError} For any other value.
 * @example Reading the variable in an adapter
 * ```ts
 * import { noWasmFromEnv } from "./create_checksum_kernel.ts";
 * import assert from "node:assert/strict";
 * assert.equal(noWasmFromEnv("1"), true);
 * assert.equal(noWasmFromEnv(undefined), false);
 * assert.throws(() => noWasmFromEnv("maybe"), SyntaxError);
 * ```
 */
export function noWasmFromEnv(value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(v)) return true;
  if (["", "0", "false", "no", "off"].includes(v)) return false;
  throw new SyntaxError(
    `Cannot parse ${NO_WASM_ENV}: "${value}" is not one of 1, 0, true, false, yes, no, on, off`,
  );
}
