// Property tests: the WebAssembly kernels against the TS reference on random inputs
// (fast-check), plus the fallback to TS when WebAssembly cannot run.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { tsChecksumKernel } from "./ts_checksum_kernel.ts";
import {
  loadChecksumModule,
  WASM_INPUT_BYTES,
  wasmChecksumKernel,
  type WasmChecksumVariant,
} from "./wasm_checksum_kernel.ts";
import { ChecksumAccumulator } from "./checksum_accumulator.ts";

const VARIANTS: WasmChecksumVariant[] = ["scalar", "simd"];

/** A buffer with a range inside it, lengths up to a few SIMD blocks plus tails. */
const bufferAndRange = fc.uint8Array({ maxLength: 1200 }).chain((bytes) =>
  fc.record({
    bytes: fc.constant(bytes),
    offset: fc.integer({ min: 0, max: bytes.length }),
  }).chain(({ bytes, offset }) =>
    fc.record({
      bytes: fc.constant(bytes),
      offset: fc.constant(offset),
      length: fc.integer({ min: 0, max: bytes.length - offset }),
    })
  )
);

for (const variant of VARIANTS) {
  const wasm = wasmChecksumKernel(variant, { minBytes: 0, minIds: 0, peSums: "wasm" });

  test(`wasmChecksumKernel("${variant}").sum16() and sum32() equal the TS kernel on random ranges`, () => {
    assert.ok(wasm, `the ${variant} build must load here`);
    fc.assert(
      fc.property(bufferAndRange, ({ bytes, offset, length }) => {
        assert.equal(
          wasm.sum16(bytes, offset, length),
          tsChecksumKernel.sum16(bytes, offset, length),
        );
        assert.equal(
          wasm.sum32(bytes, offset, length),
          tsChecksumKernel.sum32(bytes, offset, length),
        );
      }),
      { numRuns: 300 },
    );
  });

  test(`wasmChecksumKernel("${variant}") equals the TS kernel on long buffers of mostly 0xff`, () => {
    assert.ok(wasm);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 * WASM_INPUT_BYTES }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 20 }),
        (length, edits) => {
          const bytes = new Uint8Array(length).fill(0xff);
          for (const [at, value] of edits) if (length > 0) bytes[at % length] = value;
          assert.equal(wasm.sum16(bytes), tsChecksumKernel.sum16(bytes));
          assert.equal(wasm.sum32(bytes), tsChecksumKernel.sum32(bytes));
        },
      ),
      { numRuns: 40 },
    );
  });

  test(`wasmChecksumKernel("${variant}") per-PE sums equal the TS kernel's and keep accumulators equal through add/sub sequences`, () => {
    assert.ok(wasm);
    const entry = fc.record({
      handle: fc.uint8Array({ minLength: 1, maxLength: 80 }),
      id: fc.bigInt({ min: 0n, max: 0xffffffffffffffffn }),
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), entry), { maxLength: 60 }), (ops) => {
        const accs = [16, 32].flatMap((w) => [
          new ChecksumAccumulator(w as 16 | 32),
          new ChecksumAccumulator(w as 16 | 32),
        ]);
        const live: { handle: Uint8Array; id: bigint }[] = [];
        for (const [remove, e] of ops) {
          const pe = remove && live.length > 0
            ? live.splice(Number(e.id % BigInt(live.length)), 1)[0]!
            : e;
          const id16 = pe.id & 0xffffffffn;
          const sums: number[] = [
            wasm.peSum16(pe.handle, id16),
            tsChecksumKernel.peSum16(pe.handle, id16),
            wasm.peSum32(pe.handle, pe.id),
            tsChecksumKernel.peSum32(pe.handle, pe.id),
          ];
          assert.equal(sums[0], sums[1]);
          assert.equal(sums[2], sums[3]);
          if (pe === e) live.push(e);
          sums.forEach((s, i) => (pe === e ? accs[i]!.add(s) : accs[i]!.sub(s)));
          assert.equal(accs[0]!.finish(), accs[1]!.finish());
          assert.equal(accs[2]!.finish(), accs[3]!.finish());
        }
      }),
      { numRuns: 200 },
    );
  });

  test(`wasmChecksumKernel("${variant}").sumIds16() and sumIds32() equal the TS kernel on random columns`, () => {
    assert.ok(wasm);
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 0xffffffff }), { maxLength: 3000 }),
        fc.nat(),
        (values, cut) => {
          const ids = Uint32Array.from(values);
          const view = ids.subarray(Math.min(cut % 7, ids.length));
          assert.equal(wasm.sumIds16(view), tsChecksumKernel.sumIds16(view));
          assert.equal(wasm.sumIds32(view), tsChecksumKernel.sumIds32(view));
        },
      ),
      { numRuns: 200 },
    );
  });
}

test("wasmChecksumKernel() default thresholds hand small inputs and per-PE sums to TS with equal results", () => {
  const tuned = wasmChecksumKernel("simd");
  assert.ok(tuned);
  const handle = new TextEncoder().encode("EchoPool");
  assert.equal(tuned.peSum16(handle, 1n), tsChecksumKernel.peSum16(handle, 1n));
  for (const n of [0, 1, 127, 128, 129, 5000]) {
    const bytes = new Uint8Array(n).map((_, i) => i * 31 + 7);
    assert.equal(tuned.sum16(bytes), tsChecksumKernel.sum16(bytes));
    assert.equal(tuned.sum32(bytes), tsChecksumKernel.sum32(bytes));
  }
});

test("loadChecksumModule() returns undefined when WebAssembly is unavailable", () => {
  assert.equal(loadChecksumModule("simd", { webAssembly: null }), undefined);
});

test("loadChecksumModule() returns undefined when the engine rejects the module (e.g. no SIMD)", () => {
  const noSimd = {
    validate: () => false,
    Module: WebAssembly.Module,
    Instance: WebAssembly.Instance,
  };
  assert.equal(loadChecksumModule("simd", { webAssembly: noSimd }), undefined);
  const refusing = {
    validate: () => true,
    Module: class {
      constructor() {
        throw new RangeError("WebAssembly.Compile is disallowed on the main thread");
      }
    } as unknown as typeof WebAssembly.Module,
    Instance: WebAssembly.Instance,
  };
  assert.equal(loadChecksumModule("scalar", { webAssembly: refusing }), undefined);
});

test("wasmChecksumKernel() rejects invalid thresholds", () => {
  assert.throws(() => wasmChecksumKernel("simd", { minBytes: -1 }), RangeError);
  assert.throws(() => wasmChecksumKernel("simd", { minIds: 1.5 }), RangeError);
  assert.throws(() => wasmChecksumKernel("simd", { peSums: "c" as "ts" }), RangeError);
});
