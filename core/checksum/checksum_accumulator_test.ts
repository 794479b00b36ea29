import { test } from "node:test";
import assert from "node:assert/strict";
import { ChecksumAccumulator } from "./checksum_accumulator.ts";
import { finish16, fold16, fold32 } from "./internet_checksum.ts";

test("ChecksumAccumulator.finish() is all ones for the empty set", () => {
  assert.equal(new ChecksumAccumulator(16).finish(), 0xffff);
  assert.equal(new ChecksumAccumulator(32).finish(), 0xffffffff);
  assert.equal(new ChecksumAccumulator(16, { compat: "rsplib" }).finish(), 0xffff);
});

test("ChecksumAccumulator.add() and sub() follow the test vector of spec/checksum.md §7", () => {
  const acc = new ChecksumAccumulator(16);
  acc.add(0x1c425);
  acc.add(0x3374e);
  acc.add(0x2d4c2);
  assert.equal(acc.count, 3);
  assert.equal(acc.folded(), 0xd03c);
  assert.equal(acc.finish(), 0x2fc3);
  acc.sub(0x2d4c2);
  assert.equal(acc.finish(), 0x0488);
  acc.sub(0x1c425);
  acc.sub(0x3374e);
  assert.equal(acc.count, 0);
  assert.equal(acc.finish(), 0xffff);
});

test("ChecksumAccumulator.folded() tells a non-zero multiple of the modulus from zero", () => {
  for (const width of [16, 32] as const) {
    const m = width === 16 ? 0xffff : 0xffffffff;
    const acc = new ChecksumAccumulator(width);
    acc.add(m);
    assert.equal(acc.folded(), m);
    assert.equal(acc.finish(), 0);
    acc.add(m * 3);
    acc.sub(m);
    assert.equal(acc.finish(), 0);
    acc.sub(m * 3);
    assert.equal(acc.finish(), m);
    // Zero partial sums (an all-zero handle with identifier 0) leave the value alone.
    acc.add(0);
    assert.equal(acc.count, 1);
    assert.equal(acc.folded(), 0);
  }
});

test("ChecksumAccumulator matches a from-scratch fold after random add/sub sequences", () => {
  let seed = 12345;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (const width of [16, 32] as const) {
    for (let round = 0; round < 50; round++) {
      const acc = new ChecksumAccumulator(width);
      const set: number[] = [];
      for (let step = 0; step < 200; step++) {
        if (set.length > 0 && rand() < 0.4) {
          const [p] = set.splice(Math.floor(rand() * set.length), 1);
          acc.sub(p!);
        } else {
          const p = Math.floor(rand() * 2 ** (round % 2 ? 53 : 36));
          set.push(p);
          acc.add(p);
        }
        const exact = set.reduce((s, p) => s + BigInt(p), 0n);
        const m = width === 16 ? 0xffffn : 0xffffffffn;
        const expected = exact === 0n ? 0 : Number((exact - 1n) % m + 1n);
        assert.equal(acc.folded(), expected);
        assert.equal(acc.count, set.length);
      }
    }
  }
});

test("ChecksumAccumulator accepts folded partial sums as well as exact ones", () => {
  const exact = new ChecksumAccumulator(32);
  const folded = new ChecksumAccumulator(32);
  for (const p of [2 ** 40 + 5, 0xffffffff * 9, 123]) {
    exact.add(p);
    folded.add(fold32(p));
  }
  assert.equal(exact.finish(), folded.finish());
  const a16 = new ChecksumAccumulator(16);
  a16.add(0x7d035);
  assert.equal(a16.folded(), fold16(0x7d035));
});

test("ChecksumAccumulator in rsplib mode wraps its raw sum at 2^32 like RSPLIB", () => {
  const rsplib = new ChecksumAccumulator(16, { compat: "rsplib" });
  const exact = new ChecksumAccumulator(16);
  // Below the wrap both agree (the rsplib mode returns wire order: swap of the LE fold).
  rsplib.add(0x1234);
  assert.equal(rsplib.folded(), 0x3412);
  rsplib.reset();
  for (let i = 0; i < 5; i++) {
    rsplib.add(0x7fffffff);
    exact.add(0x7fffffff);
  }
  // 5 · (2^31 − 1) wraps twice: the LE fold is 2 lower, i.e. the wire value differs by 0x0200.
  assert.notEqual(rsplib.finish(), exact.finish());
  const wrapped = (5 * 0x7fffffff) % 2 ** 32;
  assert.equal(
    rsplib.finish(),
    0xffff - (((fold16(wrapped) & 0xff) << 8) | (fold16(wrapped) >> 8)),
  );
  // Subtracting below zero wraps back: add then sub restores the value.
  for (let i = 0; i < 5; i++) rsplib.sub(0x7fffffff);
  assert.equal(rsplib.finish(), 0xffff);
  assert.equal(finish16(0), 0xffff);
});

test("ChecksumAccumulator rejects misuse", () => {
  assert.throws(() => new ChecksumAccumulator(8 as 16), RangeError);
  assert.throws(() => new ChecksumAccumulator(32, { compat: "rsplib" }), RangeError);
  assert.throws(() => new ChecksumAccumulator(16, { compat: "other" as "exact" }), RangeError);
  const acc = new ChecksumAccumulator(16);
  assert.throws(() => acc.sub(1), RangeError);
  assert.throws(() => acc.add(-1), RangeError);
  assert.throws(() => acc.add(1.5), RangeError);
  assert.throws(() => acc.add(2 ** 53), RangeError);
});
