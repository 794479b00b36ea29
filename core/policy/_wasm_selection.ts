// The WebAssembly selection module (asm/assembly/selection.ts): loading, the kernel object the
// engines recognise, and the views engines keep over the module's memory.
//
// The weighted-random engine, when it runs with this kernel, allocates the arrays the descent
// traverses (pre, starts, one f64 for the rest of a descent) in one region of the module's
// memory. Growing the memory (any engine allocating) detaches every view, so an
// engine checks the module's generation at the start of every operation and rebuilds its
// views when it changed (WasmRegion.sync()).

import type { SelectionKernel } from "./selection_kernel.ts";
import {
  decodeBase64,
  isLittleEndianHost,
  loadWasmModule,
  type WasmModule,
  type WasmModuleExports,
} from "../_wasm/wasm_module.ts";
import { WASM_BASE64 } from "../_wasm/selection_wasm.ts";

/** The exports of asm/assembly/selection.ts. */
export interface SelectionExports extends WasmModuleExports {
  tree_find(pre: number, starts: number, top: number, r: number, rest: number): number;
}

const EXPORT_NAMES = ["tree_find"];

/** The loaded selection module. */
export interface SelectionModule {
  readonly module: WasmModule<SelectionExports>;
  readonly exports: SelectionExports;
}

let loaded: SelectionModule | null | undefined = undefined;

/** Loads (once) the selection module; undefined when this engine cannot run it. */
export function loadSelectionModule(): SelectionModule | undefined {
  if (loaded !== undefined) return loaded ?? undefined;
  // Typed-array views over the memory must read little-endian numbers as the kernels do.
  const module = isLittleEndianHost()
    ? loadWasmModule<SelectionExports>("selection", decodeBase64(WASM_BASE64), EXPORT_NAMES)
    : undefined;
  loaded = module === undefined ? null : { module, exports: module.exports };
  return loaded ?? undefined;
}

/** The WebAssembly selection kernel: the engines recognise it with `instanceof`. */
export class WasmSelectionKernel implements SelectionKernel {
  readonly name = "wasm";
  readonly module: SelectionModule;
  /** Trees over at least this many slots are descended in WebAssembly, smaller ones in TS. */
  readonly minTree: number;

  constructor(module: SelectionModule, minTree: number) {
    this.module = module;
    this.minTree = minTree;
  }
}

/**
 * One region of the module's memory, carved into typed-array views like a Slab (8-byte arrays
 * first). `layout` lists the arrays as [kind, length]; views are rebuilt by sync() after the
 * memory grew.
 */
export class WasmRegion {
  readonly #module: WasmModule<SelectionExports>;
  readonly ptr: number;
  readonly #layout: readonly (readonly ["f64" | "i32", number])[];
  /** Byte offset of each array in the module's memory. */
  readonly offsets: number[] = [];
  views: (Float64Array | Int32Array)[] = [];
  #generation = -1;

  constructor(
    module: WasmModule<SelectionExports>,
    layout: readonly (readonly ["f64" | "i32", number])[],
  ) {
    this.#module = module;
    this.#layout = layout;
    let bytes = 0;
    for (const [kind, n] of layout) bytes += (kind === "f64" ? 8 : 4) * n;
    this.ptr = module.alloc(Math.max(bytes, 1));
    let o = this.ptr;
    for (const [kind, n] of layout) {
      this.offsets.push(o);
      o += (kind === "f64" ? 8 : 4) * n;
    }
    this.sync();
  }

  /** Whether the views are stale (the memory grew since they were made). */
  get stale(): boolean {
    return this.#generation !== this.#module.generation;
  }

  /** Rebuilds the views over the current memory buffer; returns them. */
  sync(): (Float64Array | Int32Array)[] {
    const buffer = this.#module.buffer as ArrayBuffer;
    this.views = this.#layout.map(([kind, n], i) =>
      kind === "f64"
        ? new Float64Array(buffer, this.offsets[i]!, n)
        : new Int32Array(buffer, this.offsets[i]!, n)
    );
    this.#generation = this.#module.generation;
    return this.views;
  }

  free(): void {
    this.#module.free(this.ptr);
  }
}

/** What an engine owns in the module's memory: freed when the engine is collected. */
export interface RegionHolder {
  region: WasmRegion | undefined;
}

// Engines do not know when their pool is dropped, so their regions are returned to the module's
// allocator when the engine is garbage collected (the module itself lives as long as the process).
const owners = new FinalizationRegistry<RegionHolder>((holder) => holder.region?.free());

/** Frees the holder's region once `owner` has been garbage collected. */
export function freeWhenCollected(owner: object, holder: RegionHolder): void {
  owners.register(owner, holder);
}
