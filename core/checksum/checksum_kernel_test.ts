// The differential suite: one set of expectations run over every ChecksumKernel (the TS
// reference, both WebAssembly builds summing everything in WebAssembly, and the kernels as
// createChecksumKernel() configures them), against an independent BigInt reference and the
// published vectors (spec/checksum.md §7, bench-reference.md "Reference values").
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ChecksumKernel } from "./checksum_kernel.ts";
import { tsChecksumKernel } from "./ts_checksum_kernel.ts";
import {
  loadChecksumModule,
  wasmChecksumKernel,
  type WasmChecksumVariant,
} from "./wasm_checksum_kernel.ts";
import { createChecksumKernel } from "./create_checksum_kernel.ts";
import { ChecksumAccumulator } from "./checksum_accumulator.ts";
import { finish16, fold16, fold32, foldTimes, rsplibPeSum16, swap16 } from "./internet_checksum.ts";

// ---------------------------------------------------------------------------------------------
// Independent reference: BigInt word sums, written from the definition (not from _ts_sums.ts).

function refSum(bytes: Uint8Array, wordBytes: 2 | 4): bigint {
  let s = 0n;
  for (let i = 0; i < bytes.length; i += wordBytes) {
    let w = 0n;
    for (let j = 0; j < wordBytes; j++) w = (w << 8n) | BigInt(bytes[i + j] ?? 0);
    s += w;
  }
  return s;
}

function refFold(s: bigint, modulus: bigint): number {
  return s === 0n ? 0 : Number((s - 1n) % modulus + 1n);
}

const ref16 = (b: Uint8Array) => refFold(refSum(b, 2), 0xffffn);
const ref32 = (b: Uint8Array) => refFold(refSum(b, 4), 0xffffffffn);

/** Deterministic bytes (xorshift32), biased towards 0x00 and 0xff to provoke carries. */
function bytesOf(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const r = x & 0xff;
    out[i] = r < 64 ? 0xff : r < 96 ? 0 : r;
  }
  return out;
}

/** The MurmurHash3 32-bit finalizer (bench-reference.md, "Workload definition"). */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const encoder = new TextEncoder();
const ECHO = encoder.encode("EchoPool");
const CALC = encoder.encode("CalcAppPool");

// ---------------------------------------------------------------------------------------------
// The kernels under test.

const kernels: { label: string; kernel: ChecksumKernel }[] = [
  { label: "ts", kernel: tsChecksumKernel },
];
const unavailable: string[] = [];
for (const variant of ["scalar", "simd"] as WasmChecksumVariant[]) {
  const pure = wasmChecksumKernel(variant, { minBytes: 0, minIds: 0, peSums: "wasm" });
  const tuned = wasmChecksumKernel(variant);
  if (pure && tuned) {
    kernels.push({ label: `wasm-${variant} (everything in WebAssembly)`, kernel: pure });
    kernels.push({ label: `wasm-${variant} (default thresholds)`, kernel: tuned });
  } else {
    unavailable.push(variant);
  }
}
kernels.push({ label: "createChecksumKernel()", kernel: createChecksumKernel() });

test("wasmChecksumKernel() loads both builds on this runtime", () => {
  // Deno, Bun and Node all have WebAssembly with SIMD; a failure here means the embedded modules
  // stopped loading and every other WebAssembly row below silently tested TS.
  assert.deepEqual(unavailable, []);
  assert.equal(createChecksumKernel().name, "wasm-simd");
});

/** Lengths that cross every internal border: SIMD steps (64), flushes (2048, 8192), chunks. */
const EDGE_LENGTHS = [
  511,
  512,
  2047,
  2048,
  2049,
  2063,
  8191,
  8192,
  8193,
  8192 * 3 + 77,
  65535,
  65536,
  65537,
  65536 * 3 + 5,
];

for (const { label, kernel } of kernels) {
  test(`ChecksumKernel.sum16() and sum32() of ${label} match the reference for every length 0..300 at offsets 0..7`, () => {
    const buffer = bytesOf(300 + 8, 7);
    for (let offset = 0; offset < 8; offset++) {
      for (let length = 0; length <= 300; length++) {
        const range = buffer.subarray(offset, offset + length);
        assert.equal(
          kernel.sum16(buffer, offset, length),
          ref16(range),
          `sum16 @${offset}+${length}`,
        );
        assert.equal(
          kernel.sum32(buffer, offset, length),
          ref32(range),
          `sum32 @${offset}+${length}`,
        );
      }
    }
  });

  test(`ChecksumKernel.sum16() and sum32() of ${label} match the reference across internal block borders`, () => {
    for (const length of EDGE_LENGTHS) {
      for (const fill of ["random", "ones"]) {
        const buffer = fill === "ones"
          ? new Uint8Array(length + 3).fill(0xff)
          : bytesOf(length + 3, length);
        for (const offset of [0, 1, 3]) {
          const range = buffer.subarray(offset, offset + length);
          assert.equal(
            kernel.sum16(buffer, offset, length),
            ref16(range),
            `sum16 ${fill} @${offset}+${length}`,
          );
          assert.equal(
            kernel.sum32(buffer, offset, length),
            ref32(range),
            `sum32 ${fill} @${offset}+${length}`,
          );
        }
      }
    }
  });

  test(`ChecksumKernel.sum32() of ${label} stays exact where the word sum passes 2^53`, () => {
    // 12 MiB of 0xff: 3·2^20 words of 0xffffffff, a sum of about 2^53.6, ≡ 0 (mod 0xffffffff).
    const ones = new Uint8Array(12 << 20).fill(0xff);
    assert.equal(kernel.sum32(ones), 0xffffffff);
    assert.equal(kernel.sum16(ones), 0xffff);
    ones[5] = 0xfe; // one less at 2^16 of word 1: the sum drops by 2^16
    assert.equal(kernel.sum32(ones), 0xffffffff - 0x10000);
    assert.equal(kernel.sum16(ones), 0xfffe); // one less in the low byte of 16-bit word 2
  });

  test(`ChecksumKernel.sum16() of ${label} defaults to the whole buffer and pads an odd tail`, () => {
    assert.equal(kernel.sum16(new Uint8Array([])), 0);
    assert.equal(kernel.sum16(new Uint8Array([0x12])), 0x1200);
    assert.equal(kernel.sum16(new Uint8Array([0x12, 0x34, 0x56])), 0x1234 + 0x5600);
    assert.equal(kernel.sum16(new Uint8Array([9, 0x12, 0x34]), 1), 0x1234);
    assert.equal(kernel.sum32(new Uint8Array([0x12, 0x34, 0x56])), 0x12345600);
    assert.equal(kernel.sum32(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1])), 1);
    // A non-zero sum that is a multiple of the modulus folds to all ones, not to 0.
    assert.equal(kernel.sum16(new Uint8Array([0xff, 0xff, 0xff, 0xff])), 0xffff);
    assert.equal(kernel.sum16(new Uint8Array(1000)), 0);
  });

  test(`ChecksumKernel.sum16() of ${label} rejects ranges outside the buffer and non-bytes`, () => {
    const b = new Uint8Array(10);
    assert.throws(() => kernel.sum16(b, 11), RangeError);
    assert.throws(() => kernel.sum16(b, 4, 7), RangeError);
    assert.throws(() => kernel.sum32(b, -1, 2), RangeError);
    assert.throws(() => kernel.sum32(b, 1.5, 2), RangeError);
    assert.throws(() => kernel.sum16([1, 2] as unknown as Uint8Array), TypeError);
  });

  test(`ChecksumKernel.peSum16() of ${label} gives the partial sums of spec/checksum.md §7`, () => {
    assert.equal(kernel.peSum16(ECHO, 0x1a2b3c4dn), 0x1c425);
    assert.equal(kernel.peSum16(CALC, 0x5e3a9c21n), 0x3374e); // handle padded on its own
    assert.equal(kernel.peSum16(CALC, 0x2d4f6a80n), 0x2d4c2);
    const acc = new ChecksumAccumulator(16);
    for (
      const [h, id] of [[ECHO, 0x1a2b3c4dn], [CALC, 0x5e3a9c21n], [CALC, 0x2d4f6a80n]] as const
    ) {
      acc.add(kernel.peSum16(h, id));
    }
    assert.equal(acc.finish(), 0x2fc3);
    acc.sub(kernel.peSum16(CALC, 0x2d4f6a80n));
    assert.equal(acc.finish(), 0x0488);
    // Not the checksum of the concatenation "CalcAppPool" ‖ id (0x298ed): the padding matters.
    assert.notEqual(kernel.peSum16(CALC, 0x5e3a9c21n), 0x298ed);
  });

  test(`ChecksumKernel.peSum32() of ${label} sums 32-bit words of the padded handle and the 8-byte identifier`, () => {
    for (
      const [handle, id] of [
        [ECHO, 0x1a2b3c4dn],
        [CALC, 0xffffffffffffffffn],
        [encoder.encode("a"), 0n],
        [bytesOf(4093, 3), 0x0123456789abcdefn],
        [bytesOf(65531, 4).fill(0xff), 0xfedcba9876543210n],
      ] as const
    ) {
      const expected = refSum(handle, 4) + (id >> 32n) + (id & 0xffffffffn);
      assert.equal(kernel.peSum32(handle, id), Number(expected));
      const expected16 = refSum(handle, 2) + ((id & 0xffffffffn) >> 16n) + (id & 0xffffn);
      if (id <= 0xffffffffn) assert.equal(kernel.peSum16(handle, id), Number(expected16));
    }
  });

  test(`ChecksumKernel.peSum16() and peSum32() of ${label} reject bad identifiers and handles`, () => {
    assert.throws(() => kernel.peSum16(ECHO, 0x1_0000_0000n), RangeError);
    assert.throws(() => kernel.peSum16(ECHO, -1n), RangeError);
    assert.throws(() => kernel.peSum32(ECHO, 1n << 64n), RangeError);
    assert.throws(() => kernel.peSum32(ECHO, 5 as unknown as bigint), TypeError);
    assert.throws(() => kernel.peSum16(new Uint8Array(65532), 1n), RangeError);
    assert.throws(() => kernel.peSum32("EchoPool" as unknown as Uint8Array, 1n), TypeError);
  });

  test(`ChecksumKernel.sumIds16() and sumIds32() of ${label} sum identifier columns exactly`, () => {
    for (const n of [0, 1, 31, 32, 33, 1000, 16384, 16385, 70000]) {
      const ids = new Uint32Array(n);
      for (let i = 0; i < n; i++) ids[i] = fmix32(i + n);
      let s16 = 0n, s32 = 0n;
      for (const id of ids) {
        s16 += BigInt(id >>> 16) + BigInt(id & 0xffff);
        s32 += BigInt(id);
      }
      assert.equal(kernel.sumIds16(ids), refFold(s16, 0xffffn), `sumIds16 n=${n}`);
      assert.equal(kernel.sumIds32(ids), refFold(s32, 0xffffffffn), `sumIds32 n=${n}`);
      // A view at an odd element offset of a larger column.
      if (n > 2) {
        const view = ids.subarray(1, n - 1);
        assert.equal(
          kernel.sumIds32(view),
          refFold(s32 - BigInt(ids[0]!) - BigInt(ids[n - 1]!), 0xffffffffn),
        );
      }
    }
    const ones = new Uint32Array(3 << 20).fill(0xffffffff); // sum ≈ 2^53.6
    assert.equal(kernel.sumIds32(ones), 0xffffffff);
    assert.equal(kernel.sumIds16(ones), 0xffff);
    assert.throws(() => kernel.sumIds16([1] as unknown as Uint32Array), TypeError);
  });

  test(`ChecksumKernel of ${label} reproduces RSPLIB's reference values for the benchmark workload`, () => {
    // bench-reference.md: pool "EchoPool", PE ids fmix32(i + 1), N PEs, all owned. Its values are
    // RSPLIB's in-memory numbers on little-endian x86: the raw accumulator sums little-endian
    // words, and the finished value is the byte swap of the wire value (RSPLIB writes it without
    // htons). So wire = swap16(reference), and RSPLIB's wrap needs rsplibPeSum16().
    const expected = [
      [10, 0x0019f1c7, 0x0e1f, 0x0e1f],
      [100, 0x0109e46a, 0x1a8c, 0x1a8c],
      [1000, 0x0a7b70fb, 0x8489, 0x8489],
      [10000, 0x690db8c8, 0xde29, 0xde29],
      [100000, 0x17b2fe92, 0xe9ba, 0xe9b6],
    ] as const;
    for (const [n, accumulator, rsplibValue, exactValue] of expected) {
      const rsplib = new ChecksumAccumulator(16, { compat: "rsplib" });
      const exact = new ChecksumAccumulator(16);
      const ids = new Uint32Array(n);
      let raw = 0;
      for (let i = 0; i < n; i++) {
        ids[i] = fmix32(i + 1);
        const id = BigInt(ids[i]!);
        const le = rsplibPeSum16(ECHO, id);
        rsplib.add(le);
        exact.add(kernel.peSum16(ECHO, id));
        raw += le;
      }
      assert.equal(raw % 2 ** 32, accumulator, `RSPLIB's raw accumulator N=${n}`);
      assert.equal(swap16(rsplib.finish()), rsplibValue, `rsplib N=${n}`);
      assert.equal(swap16(exact.finish()), exactValue, `exact N=${n}`);
      // Full recomputation from the identifier column agrees with the incremental value.
      const handle = kernel.peSum16(ECHO, 0n);
      const recomputed = fold16(foldTimes(16, handle, n) + kernel.sumIds16(ids));
      assert.equal(finish16(recomputed), exact.finish(), `recompute N=${n}`);
    }
    // The wire values themselves, e.g. a Presence at N = 10 carries the bytes 1f 0e.
    assert.equal(swap16(0x0e1f), 0x1f0e);
  });

  test(`ChecksumKernel of ${label} gives the NG (Internet-32) workload value of a BigInt reference`, () => {
    const n = 20000;
    const acc = new ChecksumAccumulator(32);
    const words = new Uint32Array(2 * n);
    let s = 0n;
    for (let i = 0; i < n; i++) {
      const id = (BigInt(fmix32(i + 1)) << 32n) | BigInt(fmix32(i + 7));
      acc.add(kernel.peSum32(ECHO, id));
      words[2 * i] = Number(id >> 32n);
      words[2 * i + 1] = Number(id & 0xffffffffn);
      s += refSum(ECHO, 4) + (id >> 32n) + (id & 0xffffffffn);
    }
    assert.equal(acc.folded(), refFold(s, 0xffffffffn));
    const handle = kernel.peSum32(ECHO, 0n);
    assert.equal(fold32(foldTimes(32, handle, n) + kernel.sumIds32(words)), acc.folded());
  });
}

for (const variant of ["scalar", "simd"] as WasmChecksumVariant[]) {
  test(`wasmChecksumKernel("${variant}") sums bytes that live in its module's memory in place`, () => {
    const loaded = loadChecksumModule(variant);
    assert.ok(loaded);
    const kernel = wasmChecksumKernel(variant, { minBytes: 0, minIds: 0 })!;
    const { module } = loaded;
    const ptr = module.alloc(200000);
    const view = new Uint8Array(module.buffer, ptr, 200000);
    view.set(bytesOf(200000, 99));
    // Longer than the input region, so a copying path would have to chunk; in place it must not.
    assert.equal(kernel.sum16(view, 3, 199990), ref16(view.subarray(3, 199993)));
    assert.equal(kernel.sum32(view, 1, 150001), ref32(view.subarray(1, 150002)));
    const ids = new Uint32Array(module.buffer, ptr, 40000);
    let s = 0n;
    for (const id of ids) s += BigInt(id);
    assert.equal(kernel.sumIds32(ids), refFold(s, 0xffffffffn));
    module.free(ptr);
  });

  test(`wasmChecksumKernel("${variant}") keeps working after its module's memory grows`, () => {
    const loaded = loadChecksumModule(variant)!;
    const kernel = wasmChecksumKernel(variant, { minBytes: 0, minIds: 0, peSums: "wasm" })!;
    const bytes = bytesOf(100000, 5);
    const ids = new Uint32Array(bytes.buffer, 0, 25000);
    const before = [kernel.sum16(bytes), kernel.sumIds16(ids), kernel.peSum16(ECHO, 77n)];
    const generation = loaded.module.generation;
    const big = loaded.module.alloc(8 << 20); // forces growth: views over the old buffer detach
    assert.ok(loaded.module.generation > generation);
    assert.deepEqual(
      [kernel.sum16(bytes), kernel.sumIds16(ids), kernel.peSum16(ECHO, 77n)],
      before,
    );
    loaded.module.free(big);
  });
}
