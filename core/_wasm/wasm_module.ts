/**
 * The loader for the embedded WebAssembly modules of `asm/` (internal to `core/`).
 *
 * Every module is instantiated synchronously (`new WebAssembly.Module` + `new
 * WebAssembly.Instance`), from bytes embedded in a generated `*_wasm.ts` file, with no file or
 * network access and no permissions. Release builds import nothing; debug builds may import
 * `env.abort`, which the loader provides as a function that throws.
 *
 * Memory conventions (asm/README.md):
 * - Only numbers cross the boundary: byte offsets ("pointers") and lengths into the module's
 *   memory, and numeric results. Never objects or strings.
 * - Kernels never allocate. Everything from the module's `heap_base()` upwards is handed out by
 *   this loader ({@link WasmModule.alloc}): fixed input/output regions, and later the
 *   struct-of-arrays columns a selection kernel reads.
 * - Only the loader grows the memory. Growing detaches the old `ArrayBuffer`, so views are rebuilt
 *   at that moment and {@link WasmModule.generation} goes up: code that keeps its own typed-array
 *   views over the memory rebuilds them when the generation it saw has changed.
 *
 * @module
 */

/** The exports every module of `asm/` has. */
export interface WasmModuleExports {
  /** The module's linear memory. */
  readonly memory: WebAssembly.Memory;
  /** First byte after the module's static data, a multiple of 16. */
  heap_base(): number;
}

/** The subset of the global `WebAssembly` object the loader uses (injectable for tests). */
export interface WebAssemblyApi {
  validate(bytes: BufferSource): boolean;
  Module: new (bytes: BufferSource) => WebAssembly.Module;
  Instance: new (module: WebAssembly.Module, imports?: WebAssembly.Imports) => WebAssembly.Instance;
}

/** Options of {@link loadWasmModule}. */
export interface LoadWasmModuleOptions {
  /**
   * The WebAssembly API to use; defaults to `globalThis.WebAssembly`. `null` means "not
   * available" (tests use it to exercise the pure-TS fallback).
   */
  readonly webAssembly?: WebAssemblyApi | null;
}

/** Bytes per WebAssembly memory page. */
export const WASM_PAGE_BYTES = 65536;

/** Smallest region {@link WasmModule.alloc} hands out, and the alignment of every region. */
export const WASM_MIN_REGION_BYTES = 64;

/** Most pages a 32-bit WebAssembly memory can have (4 GiB). */
const MAX_PAGES = 65536;
const MAX_MEMORY_BYTES = MAX_PAGES * WASM_PAGE_BYTES;

/**
 * Decodes the base64 text of a generated module.
 *
 * @param text Base64 (standard alphabet, with padding).
 * @returns The decoded bytes.
 */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Whether typed arrays on this host are little-endian, as WebAssembly memory always is. Kernels
 * that copy multi-byte typed arrays (not bytes) into a module need it.
 *
 * @returns `true` on little-endian hosts (x86, ARM as configured by every common OS).
 */
export function isLittleEndianHost(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

/**
 * Instantiates an embedded module synchronously.
 *
 * @param name Module name, for messages (`"checksum_simd"`).
 * @param bytes The module bytes.
 * @param exportNames Function exports the caller needs besides `memory` and `heap_base`.
 * @param options Injection of the WebAssembly API (tests).
 * @returns The module, or `undefined` when WebAssembly is unavailable, the bytes do not validate
 *   on this engine (e.g. a missing feature such as SIMD) or instantiation fails (e.g. a Content
 *   Security Policy without `wasm-unsafe-eval`, or a browser main thread refusing synchronous
 *   compilation of a large module).
 * @throws {TypeError} When the module validates but lacks one of `exportNames`: a build error.
 */
export function loadWasmModule<E extends WasmModuleExports>(
  name: string,
  bytes: Uint8Array<ArrayBuffer>,
  exportNames: readonly string[],
  options: LoadWasmModuleOptions = {},
): WasmModule<E> | undefined {
  const api = options.webAssembly === undefined ? defaultWebAssembly() : options.webAssembly;
  if (api === null) return undefined;
  let instance: WebAssembly.Instance;
  try {
    if (!api.validate(bytes)) return undefined;
    instance = new api.Instance(new api.Module(bytes), {
      env: {
        abort: (message: number, file: number, line: number, column: number) =>
          abort(name, message, file, line, column),
      },
    });
  } catch {
    return undefined;
  }
  const exports = instance.exports as Record<string, unknown>;
  const missing = ["heap_base", ...exportNames].filter((n) => typeof exports[n] !== "function");
  const memory = exports.memory as { grow?: unknown; buffer?: unknown } | undefined;
  if (typeof memory?.grow !== "function" || !(memory.buffer instanceof ArrayBuffer)) {
    missing.unshift("memory");
  }
  if (missing.length > 0) {
    throw new TypeError(
      `Cannot load WebAssembly module ${name}: it does not export ${missing.map((m) => `"${m}"`).join(", ")}`,
    );
  }
  return new WasmModule<E>(name, instance.exports as unknown as E);
}

function defaultWebAssembly(): WebAssemblyApi | null {
  const wasm = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  return typeof wasm === "object" && wasm !== null && typeof wasm.Instance === "function"
    ? wasm
    : null;
}

function abort(name: string, message: number, file: number, line: number, column: number): never {
  throw new Error(
    `WebAssembly module ${name} aborted at line ${line}, column ${column} (message at ${message}, file at ${file})`,
  );
}

/**
 * An instantiated module: its exports, its memory, views over that memory, and the allocator
 * that hands out regions above `heap_base()`.
 *
 * Regions are powers of two of at least {@link WASM_MIN_REGION_BYTES} bytes and start at multiples
 * of 64 (enough for `v128` loads and cache lines). Freed regions are reused for the same size
 * class; a bump pointer hands out new ones. The memory grows (never shrinks) when no region fits; growing bumps
 * {@link WasmModule.generation} and rebuilds {@link WasmModule.u8}.
 */
export class WasmModule<E extends WasmModuleExports> {
  /** Module name, for messages. */
  readonly name: string;
  /** The module's exports. */
  readonly exports: E;
  #u8: Uint8Array;
  #generation = 0;
  #top: number;
  #free = new Map<number, number[]>();
  #sizes = new Map<number, number>();

  /**
   * Wraps an instance's exports.
   *
   * @param name Module name, for messages.
   * @param exports The instance's exports.
   */
  constructor(name: string, exports: E) {
    this.name = name;
    this.exports = exports;
    this.#u8 = new Uint8Array(exports.memory.buffer);
    this.#top = roundUp(exports.heap_base(), WASM_MIN_REGION_BYTES);
  }

  /** A byte view over the whole memory; a new view after every growth. */
  get u8(): Uint8Array {
    return this.#u8;
  }

  /** The memory's current `ArrayBuffer` (to recognise views that already live in it). */
  get buffer(): ArrayBufferLike {
    return this.#u8.buffer;
  }

  /** How many times the memory has grown since instantiation. */
  get generation(): number {
    return this.#generation;
  }

  /**
   * Hands out a region of at least `byteLength` bytes, reusing a freed region of the same size
   * class or growing the memory.
   *
   * @param byteLength Bytes needed (≥ 1).
   * @returns The region's byte offset in the module's memory, a multiple of 64.
   * @throws {RangeError} When `byteLength` is not a positive integer or the memory cannot grow.
   */
  alloc(byteLength: number): number {
    if (!Number.isInteger(byteLength) || byteLength < 1 || byteLength > MAX_MEMORY_BYTES) {
      throw new RangeError(
        `Cannot allocate in WebAssembly module ${this.name}: size ${byteLength} is not an integer in 1..${MAX_MEMORY_BYTES}`,
      );
    }
    const size = sizeClass(byteLength);
    const reuse = this.#free.get(size)?.pop();
    if (reuse !== undefined) {
      this.#sizes.set(reuse, size);
      return reuse;
    }
    const ptr = this.#top;
    const end = ptr + size;
    const memory = this.exports.memory;
    const pages = memory.buffer.byteLength / WASM_PAGE_BYTES;
    const needed = Math.ceil(end / WASM_PAGE_BYTES) - pages;
    if (needed > 0) {
      if (needed > MAX_PAGES - pages) {
        throw new RangeError(
          `Cannot allocate ${byteLength} bytes in WebAssembly module ${this.name}: the memory cannot grow to ${end} bytes`,
        );
      }
      // Grow by at least half the current size, so that many small regions cost O(log n) growths.
      memory.grow(Math.min(Math.max(needed, Math.ceil(pages / 2)), MAX_PAGES - pages));
      this.#u8 = new Uint8Array(memory.buffer);
      this.#generation++;
    }
    this.#top = end;
    this.#sizes.set(ptr, size);
    return ptr;
  }

  /**
   * Returns a region to the allocator. Its bytes stay as they are until it is handed out again.
   *
   * @param ptr A byte offset returned by {@link WasmModule.alloc} and not yet freed.
   * @throws {RangeError} When `ptr` is not a live region.
   */
  free(ptr: number): void {
    const size = this.#sizes.get(ptr);
    if (size === undefined) {
      throw new RangeError(`Cannot free region ${ptr} of WebAssembly module ${this.name}: it is not allocated`);
    }
    this.#sizes.delete(ptr);
    let list = this.#free.get(size);
    if (list === undefined) this.#free.set(size, list = []);
    list.push(ptr);
  }

  /**
   * The size in bytes of a live region (its size class).
   *
   * @param ptr A byte offset returned by {@link WasmModule.alloc}.
   * @returns The region's usable size, or `undefined` when `ptr` is not a live region.
   */
  regionSize(ptr: number): number | undefined {
    return this.#sizes.get(ptr);
  }
}

function sizeClass(byteLength: number): number {
  let size = WASM_MIN_REGION_BYTES;
  while (size < byteLength) size *= 2;
  return size;
}

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
