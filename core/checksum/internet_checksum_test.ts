import { test } from "node:test";
import assert from "node:assert/strict";
import {
  finish,
  finish16,
  finish32,
  fold,
  fold16,
  fold32,
  foldTimes,
  idSum16,
  idSum32,
  rsplibPeSum16,
  swap16,
} from "./internet_checksum.ts";

let seed = 2024;
/** A seeded uniform number in [0, 1), so failures reproduce. */
function random(): number {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return (seed + (Math.imul(seed ^ (seed >>> 15), 2246822519) >>> 0) / 2 ** 32) / 2 ** 32 % 1;
}

/** fold by repeated end-around carry with BigInt, straight from RFC 1071. */
function carryFold(sum: bigint, bits: bigint): number {
  const mask = (1n << bits) - 1n;
  let s = sum;
  while (s > mask) s = (s & mask) + (s >> bits);
  return Number(s);
}

test("fold16() equals repeated end-around carry", () => {
  const samples = [
    0,
    1,
    0xfffe,
    0xffff,
    0x10000,
    0x1fffe,
    0x1ffff,
    0x7d035,
    0xffffffff,
    0x1_0000_0000,
  ];
  for (let i = 0; i < 2000; i++) samples.push(Math.floor(random() * 2 ** 53));
  samples.push(Number.MAX_SAFE_INTEGER);
  for (const s of samples) assert.equal(fold16(s), carryFold(BigInt(s), 16n), `fold16(${s})`);
});

test("fold32() equals repeated end-around carry", () => {
  const samples = [0, 1, 0xffffffff, 0x1_0000_0000, 0x1_ffff_fffe, 0x2_0000_0000, 2 ** 52];
  for (let i = 0; i < 2000; i++) samples.push(Math.floor(random() * 2 ** 53));
  samples.push(Number.MAX_SAFE_INTEGER);
  for (const s of samples) assert.equal(fold32(s), carryFold(BigInt(s), 32n), `fold32(${s})`);
});

test("fold16() keeps a non-zero multiple of the modulus apart from zero", () => {
  assert.equal(fold16(0), 0);
  assert.equal(fold16(0xffff * 5), 0xffff);
  assert.equal(fold32(0xffffffff * 7), 0xffffffff);
  assert.equal(finish16(0xffff * 5), 0);
  assert.equal(finish16(0), 0xffff);
});

test("fold() and finish() pick the width", () => {
  assert.equal(fold(16, 0x12345), fold16(0x12345));
  assert.equal(fold(32, 0x1_2345_6789), fold32(0x1_2345_6789));
  assert.equal(finish(16, 0x7d035), 0x2fc3);
  assert.equal(finish(32, 0), 0xffffffff);
  assert.equal(finish32(0x1_0000_0001), 0xfffffffd);
});

test("fold16() rejects sums that are not non-negative safe integers", () => {
  for (const bad of [-1, 0.5, NaN, Infinity, 2 ** 53]) {
    assert.throws(() => fold16(bad), RangeError);
    assert.throws(() => fold32(bad), RangeError);
  }
});

test("foldTimes() equals folding the exact product", () => {
  for (const width of [16, 32] as const) {
    const bits = BigInt(width);
    for (let i = 0; i < 2000; i++) {
      const value = Math.floor(random() * 2 ** (i % 2 ? 53 : 20));
      const times = Math.floor(random() * 2 ** (i % 3 ? 32 : 10));
      const exact = carryFold(BigInt(value) * BigInt(times), bits);
      assert.equal(foldTimes(width, value, times), exact, `${width}: ${value} × ${times}`);
    }
    assert.equal(foldTimes(width, 0, 12), 0);
    assert.equal(foldTimes(width, 12, 0), 0);
    assert.throws(() => foldTimes(width, -1, 2), RangeError);
  }
});

test("idSum16() and idSum32() sum the identifier's big-endian words", () => {
  assert.equal(idSum16(0n), 0);
  assert.equal(idSum16(0xffffffffn), 0x1fffe);
  assert.equal(idSum32(0xffffffffffffffffn), 0x1fffffffe);
  assert.equal(idSum32(0x1a2b3c4dn), 0x1a2b3c4d);
  assert.throws(() => idSum16(0x1_0000_0000n), RangeError);
  assert.throws(() => idSum32(-1n), RangeError);
  assert.throws(() => idSum32(1n << 64n), RangeError);
  assert.throws(() => idSum16(1 as unknown as bigint), TypeError);
});

test("swap16() swaps the bytes of a 16-bit value", () => {
  assert.equal(swap16(0x1234), 0x3412);
  assert.equal(swap16(0xffff), 0xffff);
  assert.equal(swap16(0), 0);
});

test("rsplibPeSum16() folds to the byte swap of the big-endian partial sum", () => {
  // RFC 1071 byte-order independence: summing little-endian words gives the swapped result.
  const handles = ["EchoPool", "CalcAppPool", "x", ""].map((s) => new TextEncoder().encode(s));
  for (const h of handles) {
    for (const id of [0n, 1n, 0x1a2b3c4dn, 0xffffffffn, 0x00ff00ffn]) {
      let be = 0;
      for (let i = 0; i < h.length; i += 2) be += (h[i]! << 8) | (h[i + 1] ?? 0);
      be += idSum16(id);
      assert.equal(fold16(rsplibPeSum16(h, id)), swap16(fold16(be)), `${h.length} ${id}`);
    }
  }
  assert.throws(() => rsplibPeSum16(new Uint8Array(1), 1n << 32n), RangeError);
});
