/**
 * The WebAssembly checksum kernels (`asm/assembly/checksum.ts` scalar, `checksum_simd.ts` SIMD),
 * behind the {@link ChecksumKernel} interface.
 *
 * Each operation copies its input into one fixed input region of the module's memory (in chunks
 * of {@link WASM_INPUT_BYTES}) and passes only a pointer and a length; input that already lives
 * in the module's memory is summed in place. Operations where the pure-TS kernel measured faster
 * are handed to it (options and thresholds below; figures in bench/README.md).
 *
 * @module
 */

import type { ChecksumKernel } from "./checksum_kernel.ts";
import { checkId, checkIds, checkPoolHandle, checkRange } from "./_check.ts";
import { fold16, fold32 } from "./internet_checksum.ts";
import { tsChecksumKernel } from "./ts_checksum_kernel.ts";
import { tsSum16, tsSum32, tsSumIds16, tsSumIds32 } from "./_ts_sums.ts";
import {
  decodeBase64,
  isLittleEndianHost,
  loadWasmModule,
  type LoadWasmModuleOptions,
  type WasmModule,
  type WasmModuleExports,
} from "../_wasm/wasm_module.ts";
import * as scalarBytes from "../_wasm/checksum_wasm.ts";
import * as simdBytes from "../_wasm/checksum_simd_wasm.ts";

/** Which build of the checksum module: `"simd"` (128-bit SIMD) or `"scalar"` (any engine). */
export type WasmChecksumVariant = "simd" | "scalar";

/**
 * Ranges shorter than this many bytes are summed by the TS kernel: a WebAssembly call with its
 * copy costs about 70 ns, the TS loop about 0.75 ns per byte, so they meet near 100 bytes
 * (measured: TS faster at 64 B, even at 128 B, WebAssembly 2x faster at 256 B).
 *
 * @see bench/README.md, "WebAssembly hot path" (short buffers)
 */
export const WASM_MIN_BYTES = 128;

/**
 * Identifier columns shorter than this are summed by the TS kernel: about 90 ns per WebAssembly
 * call against 0.75 ns per identifier in TS (measured: TS faster at N = 10, even at N = 100,
 * WebAssembly 2.3x faster at N = 1000).
 *
 * @see bench/README.md, "WebAssembly hot path" (full recomputation)
 */
export const WASM_MIN_IDS = 128;

/**
 * Size of the fixed input region: longer inputs are copied and summed in chunks of this size.
 * 16 KiB to 256 KiB measured the same for a 16 MiB buffer; 64 KiB is one memory page.
 *
 * @see bench/README.md, "WebAssembly hot path" (16 MiB buffer)
 */
export const WASM_INPUT_BYTES = 65536;

/** Options of {@link wasmChecksumKernel}: where the kernel hands work to the TS kernel. */
export interface WasmChecksumKernelOptions {
  /** Byte ranges shorter than this go to TS; default {@link WASM_MIN_BYTES}; 0 = never. */
  readonly minBytes?: number;
  /** Identifier columns shorter than this go to TS; default {@link WASM_MIN_IDS}; 0 = never. */
  readonly minIds?: number;
  /**
   * Where per-PE partial sums run: `"ts"` (default: faster, see bench/README.md) or `"wasm"`
   * (for the differential tests and the benchmark that justifies the default).
   */
  readonly peSums?: "ts" | "wasm";
}

/** The exports of both checksum builds (asm/assembly/checksum.ts). */
export interface ChecksumExports extends WasmModuleExports {
  sum16be(ptr: number, len: number): number;
  sum16le(ptr: number, len: number): number;
  sum32be(ptr: number, len: number): number;
  sum32le(ptr: number, len: number): number;
  pe_sum16(ptr: number, len: number, id: number): number;
  pe_sum32(ptr: number, len: number, idHigh: number, idLow: number): number;
}

const EXPORT_NAMES = ["sum16be", "sum16le", "sum32be", "sum32le", "pe_sum16", "pe_sum32"];

/** A loaded checksum module with its input region (shared by all kernels of one variant). */
interface Loaded {
  readonly module: WasmModule<ChecksumExports>;
  readonly input: number;
}

const loaded: Partial<Record<WasmChecksumVariant, Loaded | null>> = {};

/**
 * Loads (once) and returns the checksum module of a variant with its input region.
 *
 * @param variant `"simd"` or `"scalar"`.
 * @param options Injection of the WebAssembly API (tests); bypasses the cache when given.
 * @returns The module and its input region, or `undefined` when this engine cannot run it.
 */
export function loadChecksumModule(
  variant: WasmChecksumVariant,
  options?: LoadWasmModuleOptions,
): { readonly module: WasmModule<ChecksumExports>; readonly input: number } | undefined {
  if (options === undefined && loaded[variant] !== undefined) return loaded[variant] ?? undefined;
  const text = variant === "simd" ? simdBytes.WASM_BASE64 : scalarBytes.WASM_BASE64;
  const module = loadWasmModule<ChecksumExports>(
    variant === "simd" ? "checksum_simd" : "checksum",
    decodeBase64(text),
    EXPORT_NAMES,
    options,
  );
  const result = module === undefined
    ? undefined
    : { module, input: module.alloc(WASM_INPUT_BYTES) };
  if (options === undefined) loaded[variant] = result ?? null;
  return result;
}

/**
 * A WebAssembly {@link ChecksumKernel} (`name` `"wasm-simd"` or `"wasm-scalar"`).
 *
 * @param variant `"simd"` or `"scalar"`.
 * @param options Where the kernel hands work to the TS kernel (defaults: where TS measured faster).
 * @returns The kernel, or `undefined` when this engine cannot run the variant (no WebAssembly, no
 *   SIMD, instantiation refused).
 * @example Same result as the TS kernel
 * ```ts
 * import { wasmChecksumKernel } from "./wasm_checksum_kernel.ts";
 * import { tsChecksumKernel } from "./ts_checksum_kernel.ts";
 * import assert from "node:assert/strict";
 * const kernel = wasmChecksumKernel("simd", { minBytes: 0 });
 * const bytes = new Uint8Array(1000).map((_, i) => i * 7);
 * if (kernel) assert.equal(kernel.sum16(bytes), tsChecksumKernel.sum16(bytes));
 * ```
 */
export function wasmChecksumKernel(
  variant: WasmChecksumVariant,
  options: WasmChecksumKernelOptions = {},
): ChecksumKernel | undefined {
  const l = loadChecksumModule(variant);
  return l === undefined ? undefined : new WasmChecksumKernel(variant, l, options);
}

class WasmChecksumKernel implements ChecksumKernel {
  readonly name: string;
  #module: WasmModule<ChecksumExports>;
  #exports: ChecksumExports;
  #input: number;
  #minBytes: number;
  #minIds: number;
  #peInWasm: boolean;
  #littleEndian = isLittleEndianHost();
  #u32: Uint32Array | undefined;
  #u32Generation = -1;
  #id = new DataView(new ArrayBuffer(8));

  constructor(variant: WasmChecksumVariant, l: Loaded, options: WasmChecksumKernelOptions) {
    this.name = `wasm-${variant}`;
    this.#module = l.module;
    this.#exports = l.module.exports;
    this.#input = l.input;
    this.#minBytes = threshold(options.minBytes, WASM_MIN_BYTES, "minBytes");
    this.#minIds = threshold(options.minIds, WASM_MIN_IDS, "minIds");
    if (options.peSums !== undefined && options.peSums !== "ts" && options.peSums !== "wasm") {
      throw new RangeError(
        `Cannot create the checksum kernel: peSums "${options.peSums}" is not "ts" or "wasm"`,
      );
    }
    this.#peInWasm = options.peSums === "wasm";
  }

  sum16(bytes: Uint8Array, offset = 0, length?: number): number {
    const n = checkRange(bytes, offset, length);
    if (n < this.#minBytes) return tsSum16(bytes, offset, n);
    return fold16(this.#sumBytes(this.#exports.sum16be, bytes, offset, n));
  }

  sum32(bytes: Uint8Array, offset = 0, length?: number): number {
    const n = checkRange(bytes, offset, length);
    if (n < this.#minBytes) return tsSum32(bytes, offset, n);
    return fold32(this.#sumBytes(this.#exports.sum32be, bytes, offset, n));
  }

  peSum16(poolHandle: Uint8Array, peId: bigint): number {
    if (!this.#peInWasm) return tsChecksumKernel.peSum16(poolHandle, peId);
    checkPoolHandle(poolHandle);
    checkId(peId, 0xffffffffn, "a 32-bit");
    const len = this.#copyHandle(poolHandle);
    return this.#exports.pe_sum16(this.#input, len, Number(peId));
  }

  peSum32(poolHandle: Uint8Array, peId: bigint): number {
    if (!this.#peInWasm) return tsChecksumKernel.peSum32(poolHandle, peId);
    checkPoolHandle(poolHandle);
    checkId(peId, 0xffffffffffffffffn, "a 64-bit");
    const len = this.#copyHandle(poolHandle);
    this.#id.setBigUint64(0, peId);
    return this.#exports.pe_sum32(this.#input, len, this.#id.getUint32(0), this.#id.getUint32(4));
  }

  sumIds16(ids: Uint32Array): number {
    checkIds(ids);
    if (ids.length < this.#minIds || !this.#littleEndian) return tsSumIds16(ids);
    return fold16(this.#sumWords(this.#exports.sum16le, ids));
  }

  sumIds32(words: Uint32Array): number {
    checkIds(words);
    if (words.length < this.#minIds || !this.#littleEndian) return tsSumIds32(words);
    return fold32(this.#sumWords(this.#exports.sum32le, words));
  }

  /** Runs a byte-range export in place or over chunks; returns the sum of the folded results. */
  #sumBytes(
    fn: (ptr: number, len: number) => number,
    bytes: Uint8Array,
    offset: number,
    n: number,
  ): number {
    const module = this.#module;
    if (bytes.buffer === module.buffer) return fn(bytes.byteOffset + offset, n) >>> 0;
    const u8 = module.u8;
    const input = this.#input;
    if (n <= WASM_INPUT_BYTES) {
      u8.set(
        offset === 0 && n === bytes.length ? bytes : bytes.subarray(offset, offset + n),
        input,
      );
      return fn(input, n) >>> 0;
    }
    // Chunks are multiples of 4 bytes, so word borders stay where they are; each result is at
    // most 2^32 − 1 and there are at most 2^16 of them: the total stays exact.
    let total = 0;
    for (let done = 0; done < n; done += WASM_INPUT_BYTES) {
      const size = Math.min(WASM_INPUT_BYTES, n - done);
      u8.set(bytes.subarray(offset + done, offset + done + size), input);
      total += fn(input, size) >>> 0;
    }
    return total;
  }

  /** Runs a little-endian word export over a Uint32Array, in place or over chunks. */
  #sumWords(fn: (ptr: number, len: number) => number, words: Uint32Array): number {
    const module = this.#module;
    if (words.buffer === module.buffer) return fn(words.byteOffset, words.length * 4) >>> 0;
    if (this.#u32Generation !== module.generation || this.#u32 === undefined) {
      this.#u32 = new Uint32Array(module.buffer, this.#input, WASM_INPUT_BYTES / 4);
      this.#u32Generation = module.generation;
    }
    const u32 = this.#u32;
    const per = WASM_INPUT_BYTES / 4;
    let total = 0;
    for (let done = 0; done < words.length; done += per) {
      const size = Math.min(per, words.length - done);
      u32.set(size === words.length ? words : words.subarray(done, done + size));
      total += fn(this.#input, size * 4) >>> 0;
    }
    return total;
  }

  /** Copies a pool handle into the input region; returns its length. */
  #copyHandle(poolHandle: Uint8Array): number {
    const len = poolHandle.length;
    const u8 = this.#module.u8;
    const input = this.#input;
    if (len <= 64) {
      for (let i = 0; i < len; i++) u8[input + i] = poolHandle[i]!;
    } else {
      // At most 65531 bytes: checked above, and the region holds 65536.
      u8.set(poolHandle, input);
    }
    return len;
  }
}

function threshold(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(
      `Cannot create the checksum kernel: ${name} ${value} is not a non-negative integer`,
    );
  }
  return value;
}
