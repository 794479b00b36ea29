import { test } from "node:test";
import assert from "node:assert/strict";
import { createChecksumKernel, NO_WASM_ENV, noWasmFromEnv } from "./create_checksum_kernel.ts";
import { tsChecksumKernel } from "./ts_checksum_kernel.ts";

test("createChecksumKernel() uses the SIMD build where the engine has it", () => {
  // Deno, Bun and Node all support WebAssembly SIMD.
  assert.equal(createChecksumKernel().name, "wasm-simd");
  assert.equal(createChecksumKernel({ wasm: true }).name, "wasm-simd");
});

test("createChecksumKernel({ wasm: false }) forces the pure-TS kernel", () => {
  assert.equal(createChecksumKernel({ wasm: false }), tsChecksumKernel);
});

test("createChecksumKernel() rejects a non-boolean wasm option", () => {
  assert.throws(() => createChecksumKernel({ wasm: "no" as unknown as boolean }), TypeError);
});

test("noWasmFromEnv() reads RSERPOOL_NO_WASM values", () => {
  assert.equal(NO_WASM_ENV, "RSERPOOL_NO_WASM");
  for (const v of ["1", "true", "YES", " on "]) assert.equal(noWasmFromEnv(v), true, v);
  for (const v of [undefined, "", "0", "false", "No", "off"]) {
    assert.equal(noWasmFromEnv(v), false, v);
  }
  assert.throws(() => noWasmFromEnv("2"), SyntaxError);
});
