import { test } from "node:test";
import assert from "node:assert/strict";
import {
  decodeBase64,
  isLittleEndianHost,
  loadWasmModule,
  WASM_MIN_REGION_BYTES,
  WASM_PAGE_BYTES,
  type WasmModuleExports,
} from "./wasm_module.ts";
import * as scalar from "./checksum_wasm.ts";
import * as simd from "./checksum_simd_wasm.ts";

/**
 * A hand-assembled module shaped like a debug build: it imports `env.abort`, exports `memory`,
 * `heap_base` (returns 16) and `boom`, which calls abort(0, 0, 1, 2).
 */
const ABORTING = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  // types: (i32 i32 i32 i32) -> (), () -> i32, () -> ()
  0x01, 0x0f, 0x03, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x00, 0x60, 0x00, 0x01, 0x7f, 0x60, 0x00, 0x00,
  // import env.abort: type 0
  0x02, 0x0d, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x05, 0x61, 0x62, 0x6f, 0x72, 0x74, 0x00, 0x00,
  // functions: heap_base (type 1), boom (type 2)
  0x03, 0x03, 0x02, 0x01, 0x02,
  // memory: 1 page
  0x05, 0x03, 0x01, 0x00, 0x01,
  // exports: memory, heap_base = func 1, boom = func 2
  0x07, 0x1d, 0x03,
  0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00,
  0x09, 0x68, 0x65, 0x61, 0x70, 0x5f, 0x62, 0x61, 0x73, 0x65, 0x00, 0x01,
  0x04, 0x62, 0x6f, 0x6f, 0x6d, 0x00, 0x02,
  // code: heap_base = i32.const 16; boom = call abort(0, 0, 1, 2)
  0x0a, 0x13, 0x02,
  0x04, 0x00, 0x41, 0x10, 0x0b,
  0x0c, 0x00, 0x41, 0x00, 0x41, 0x00, 0x41, 0x01, 0x41, 0x02, 0x10, 0x00, 0x0b,
]);

interface Aborting extends WasmModuleExports {
  boom(): void;
}

function freshScalar() {
  const m = loadWasmModule<WasmModuleExports>("checksum", decodeBase64(scalar.WASM_BASE64), []);
  assert.ok(m);
  return m;
}

test("decodeBase64() decodes the embedded modules to valid WebAssembly of the recorded size", () => {
  for (const generated of [scalar, simd]) {
    const bytes = decodeBase64(generated.WASM_BASE64);
    assert.equal(bytes.length, generated.WASM_BYTE_LENGTH);
    assert.deepEqual([...bytes.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d]);
    assert.equal(WebAssembly.validate(bytes), true);
    // Release builds import nothing: no host function can be reached from them.
    assert.deepEqual(WebAssembly.Module.imports(new WebAssembly.Module(bytes)), []);
  }
  assert.deepEqual([...decodeBase64("AAEC/w==")], [0, 1, 2, 255]);
});

test("loadWasmModule() provides an abort import that throws", () => {
  const m = loadWasmModule<Aborting>("aborting", ABORTING, ["boom"]);
  assert.ok(m);
  assert.throws(() => m.exports.boom(), /WebAssembly module aborting aborted at line 1, column 2/);
});

test("loadWasmModule() returns undefined for bytes that are not WebAssembly", () => {
  assert.equal(loadWasmModule("junk", new Uint8Array([1, 2, 3, 4]), []), undefined);
  assert.equal(loadWasmModule("truncated", ABORTING.slice(0, 30), []), undefined);
});

test("loadWasmModule() returns undefined when WebAssembly is unavailable", () => {
  assert.equal(loadWasmModule("checksum", decodeBase64(scalar.WASM_BASE64), [], { webAssembly: null }), undefined);
});

test("loadWasmModule() throws TypeError when a valid module lacks a required export", () => {
  assert.throws(
    () => loadWasmModule("checksum", decodeBase64(scalar.WASM_BASE64), ["select_round_robin"]),
    { name: "TypeError", message: 'Cannot load WebAssembly module checksum: it does not export "select_round_robin"' },
  );
});

test("WasmModule.alloc() hands out aligned, disjoint regions above heap_base", () => {
  const m = freshScalar();
  const base = m.exports.heap_base();
  const sizes = [1, 64, 65, 100, 4096, 70000, 3];
  const regions = sizes.map((n) => ({ ptr: m.alloc(n), n }));
  for (const { ptr, n } of regions) {
    assert.ok(ptr >= base);
    assert.equal(ptr % WASM_MIN_REGION_BYTES, 0);
    assert.ok(m.regionSize(ptr)! >= n);
    assert.ok(ptr + m.regionSize(ptr)! <= m.u8.length);
  }
  const sorted = regions.map(({ ptr }) => [ptr, ptr + m.regionSize(ptr)!]).sort((a, b) => a[0]! - b[0]!);
  for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i]![0]! >= sorted[i - 1]![1]!);
});

test("WasmModule.free() makes a region reusable for the same size class", () => {
  const m = freshScalar();
  const a = m.alloc(1000);
  const b = m.alloc(1000);
  m.free(a);
  assert.equal(m.regionSize(a), undefined);
  assert.equal(m.alloc(900), a); // same 1024-byte class
  assert.notEqual(m.alloc(1000), b);
  assert.throws(() => m.free(a + 64), RangeError);
  m.free(b);
  assert.throws(() => m.free(b), RangeError);
});

test("WasmModule.alloc() grows the memory, rebuilds u8 and bumps the generation", () => {
  const m = freshScalar();
  const before = m.u8;
  const generation = m.generation;
  before[m.alloc(64)] = 42;
  const ptr = m.alloc(3 * WASM_PAGE_BYTES);
  assert.ok(m.generation > generation);
  assert.equal(before.length, 0); // the old view is detached
  assert.notEqual(m.u8, before);
  assert.equal(m.u8.buffer, m.exports.memory.buffer);
  assert.equal(m.buffer, m.exports.memory.buffer);
  assert.ok(m.u8.length >= ptr + 3 * WASM_PAGE_BYTES);
  // Contents survive growth.
  m.u8[ptr] = 7;
  assert.equal(m.u8[ptr], 7);
});

test("WasmModule.alloc() rejects sizes that are not positive integers or cannot fit", () => {
  const m = freshScalar();
  assert.throws(() => m.alloc(0), RangeError);
  assert.throws(() => m.alloc(1.5), RangeError);
  assert.throws(() => m.alloc(2 ** 33), RangeError);
});

test("isLittleEndianHost() reports the byte order of typed arrays", () => {
  const expected = new DataView(new Uint16Array([0x0102]).buffer).getUint8(0) === 0x02;
  assert.equal(isLittleEndianHost(), expected);
});
