/**
 * Selection kernels: where the hot loops of the selection engines run. The pure-TypeScript
 * kernel is the reference; the WebAssembly kernel (`asm/assembly/selection.ts`) runs the
 * prefix-sum tree descents of the weighted-random policies (Weighted Random, Randomized Least
 * Used and their variants) over the same arrays, which the engine then allocates in the module's
 * memory (no copies per call). Both choose exactly the same pool elements for the same random
 * stream (the differential suite, `selection_kernel_test.ts`). Only that operation measured
 * faster in WebAssembly (bench/README.md); the heap sifts of the sorted policies did not win and
 * stay in TypeScript.
 *
 * The core reads no environment. Adapters and tools read `RSERPOOL_NO_WASM` (see
 * `noWasmFromEnv` in `core/checksum`) and pass the result on:
 * `createSelectionKernel({ wasm: !noWasmFromEnv(env.get("RSERPOOL_NO_WASM")) })`.
 *
 * @module
 */

import { loadSelectionModule, WasmSelectionKernel } from "./_wasm_selection.ts";

/**
 * Where a {@link SelectionPool}'s engine runs its hot loops. Opaque: pass it to
 * `new SelectionPool(policy, { kernel })` or to a handlespace (`selectionKernel`).
 */
export interface SelectionKernel {
  /** `"ts"` (pure TypeScript) or `"wasm"` (WebAssembly where it measured faster). */
  readonly name: string;
}

/**
 * The pure-TypeScript kernel (the reference).
 *
 * @example The default of a selection pool
 * ```ts
 * import { SelectionPool, leastUsed, tsSelectionKernel } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const pool = new SelectionPool(leastUsed, { kernel: tsSelectionKernel });
 * assert.equal(pool.kernel.name, "ts");
 * ```
 */
export const tsSelectionKernel: SelectionKernel = Object.freeze({ name: "ts" });

/**
 * Prefix-sum trees over fewer slots than this are descended in TypeScript even with the
 * WebAssembly kernel: from a capacity of 1024 slots (pools of 513 PEs and more) the descent in
 * WebAssembly measured 1.03–1.13× the TypeScript one (k = 1), below that the two were within
 * noise of each other.
 *
 * @see bench/README.md, "Handlespace and policies" (WebAssembly selection)
 */
export const WASM_MIN_TREE = 1024;

/** Options of {@link createSelectionKernel}. */
export interface SelectionKernelOptions {
  /**
   * `false` forces the pure-TS kernel. `true` (default) returns the WebAssembly kernel when
   * the engine can run the module, which uses WebAssembly only for the operation and sizes
   * where it measured faster (tree descents, threshold below), else the TS kernel.
   */
  readonly wasm?: boolean;
  /** Smallest tree descended in WebAssembly; default {@link WASM_MIN_TREE}; 0 = every tree. */
  readonly minTree?: number;
}

/**
 * Returns the selection kernel to use.
 *
 * @param options `wasm: false` forces pure TS; the threshold for tests and benchmarks.
 * @returns A kernel named `"wasm"` or `"ts"`.
 * @throws {TypeError} When `options.wasm` is given and not a boolean.
 * @throws {RangeError} When `minTree` is not a non-negative integer.
 * @example Forcing pure TS
 * ```ts
 * import { createSelectionKernel } from "./selection_kernel.ts";
 * import assert from "node:assert/strict";
 * assert.equal(createSelectionKernel({ wasm: false }).name, "ts");
 * assert.ok(["wasm", "ts"].includes(createSelectionKernel().name));
 * ```
 */
export function createSelectionKernel(options: SelectionKernelOptions = {}): SelectionKernel {
  const wasm = options.wasm ?? true;
  if (typeof wasm !== "boolean") {
    throw new TypeError(
      `Cannot create a selection kernel: option wasm ${String(wasm)} is not a boolean`,
    );
  }
  const minTree = threshold(options.minTree, WASM_MIN_TREE, "minTree");
  if (!wasm) return tsSelectionKernel;
  const module = loadSelectionModule();
  return module === undefined ? tsSelectionKernel : new WasmSelectionKernel(module, minTree);
}

function threshold(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(
      `Cannot create a selection kernel: ${name} ${value} is not a non-negative integer`,
    );
  }
  return value;
}
