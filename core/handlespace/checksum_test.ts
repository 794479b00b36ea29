import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  ChecksumAccumulator,
  finish16,
  finishRsplib16,
  fold16,
  fold32,
  partial16,
  partial32,
  rsplibPartial16,
  rsplibWordSum16,
  swap16,
  tsChecksumKernel,
  wordSum16,
  wordSum32,
} from "./checksum.ts";

const enc = new TextEncoder();

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Naive fold(S) of big-endian words of the given size (BigInt, no shortcuts). */
function naiveSum(bytes: Uint8Array, offset: number, length: number, wordBytes: 2 | 4): number {
  let s = 0n;
  for (let i = 0; i < length; i += wordBytes) {
    let w = 0n;
    for (let j = 0; j < wordBytes; j++) {
      w = (w << 8n) | BigInt(i + j < length ? bytes[offset + i + j]! : 0);
    }
    s += w;
  }
  const m = wordBytes === 2 ? 0xffffn : 0xffffffffn;
  return s === 0n ? 0 : Number(((s - 1n) % m) + 1n);
}

test("checksum: the spec/checksum.md §7 vector ({1,2,3} → 0x2fc3, {1,2} → 0x0488, {} → 0xffff)", () => {
  const echo = wordSum16(enc.encode("EchoPool"));
  const calc = wordSum16(enc.encode("CalcAppPool"));
  const p1 = partial16(echo, 0x1a2b3c4dn);
  const p2 = partial16(calc, 0x5e3a9c21n);
  const p3 = partial16(calc, 0x2d4f6a80n);
  assert.deepEqual([p1, p2, p3], [0x1c425, 0x3374e, 0x2d4c2]);
  const acc = new ChecksumAccumulator(16);
  assert.equal(acc.value(), 0xffff);
  for (const p of [p1, p2, p3]) acc.add(p);
  assert.equal(acc.folded(), 0xd03c);
  assert.equal(acc.value(), 0x2fc3);
  acc.sub(p3);
  assert.equal(acc.value(), 0x0488);
  acc.sub(p1);
  acc.sub(p2);
  assert.equal(acc.value(), 0xffff);
  assert.equal(acc.folded(), 0);
});

test("checksum: an odd-length pool handle is padded on its own, not concatenated with the id", () => {
  const calc = enc.encode("CalcAppPool");
  // Concatenation would give 0x298ed (spec/checksum.md §7 contrast row).
  assert.equal(partial16(wordSum16(calc), 0x5e3a9c21n), 0x3374e);
  assert.notEqual(partial16(wordSum16(calc), 0x5e3a9c21n), 0x298ed);
});

test("checksum: bench workload reference values (EchoPool, ids fmix32(i+1)), exact and RSPLIB-compatible", () => {
  // bench-reference.md gives RSPLIB's x86 values: its accumulator of little-endian words and
  // its finished value in host order. Our values are big-endian numbers with the same wire
  // bytes, i.e. the byte swap of RSPLIB's finished value.
  const ph = enc.encode("EchoPool");
  const handleSum = wordSum16(ph), rsplibHandleSum = rsplibWordSum16(ph);
  const expected: [number, number, number, number][] = [
    // N, RSPLIB accumulator, RSPLIB finished (host order), exact finished (host order)
    [10, 0x0019f1c7, 0x0e1f, 0x0e1f],
    [100, 0x0109e46a, 0x1a8c, 0x1a8c],
    [1000, 0x0a7b70fb, 0x8489, 0x8489],
    [10000, 0x690db8c8, 0xde29, 0xde29],
    [100000, 0x17b2fe92, 0xe9ba, 0xe9b6],
  ];
  const exact = new ChecksumAccumulator(16, "exact");
  const rsplib = new ChecksumAccumulator(16, "rsplib");
  let n = 0;
  for (const [N, raw, rsplibValue, exactValue] of expected) {
    for (; n < N; n++) {
      const id = BigInt(fmix32(n + 1));
      const p = partial16(handleSum, id), q = rsplibPartial16(rsplibHandleSum, id);
      exact.add(p, q);
      rsplib.add(p, q);
    }
    assert.equal(rsplib.raw, raw, `N=${N} accumulator`);
    assert.equal(finishRsplib16(raw), rsplibValue, `N=${N} RSPLIB finish`);
    assert.equal(rsplib.value(), swap16(rsplibValue), `N=${N} rsplib`);
    assert.equal(exact.value(), swap16(exactValue), `N=${N} exact`);
  }
  assert.equal(exact.value(), 0xb6e9);
  assert.equal(rsplib.value(), 0xbae9);
});

test("checksum: accumulators stay exact far beyond 32 bits and return to empty", () => {
  for (const width of [16, 32] as const) {
    const acc = new ChecksumAccumulator(width);
    const partials: number[] = [];
    let exact = 0n;
    for (let i = 0; i < 5000; i++) {
      const p = width === 16 ? 0x1ffff * (i % 7 + 1) : 0x3_0000_0000 + i * 0x1234567;
      partials.push(p);
      exact += BigInt(p);
      acc.add(p);
    }
    const m = width === 16 ? 0xffffn : 0xffffffffn;
    assert.equal(acc.folded(), Number(((exact - 1n) % m) + 1n));
    for (const p of partials) acc.sub(p);
    assert.equal(acc.value(), Number(m));
  }
});

test("checksum: folding keeps 0 for zero and M for non-zero multiples of M", () => {
  assert.equal(fold16(0), 0);
  assert.equal(fold16(0xffff), 0xffff);
  assert.equal(fold16(0x1fffe), 0xffff);
  assert.equal(fold32(0xffffffff), 0xffffffff);
  assert.equal(finish16(0xffff), 0);
  const acc = new ChecksumAccumulator(16);
  acc.add(0xffff);
  assert.equal(acc.value(), 0);
});

test("checksum: Internet-32 partial sums of 64-bit identifiers use both words", () => {
  const h = wordSum32(enc.encode("EchoPool"));
  assert.equal(h, 0x4563686f + 0x506f6f6c);
  assert.equal(partial32(h, 0xffffffff_00000001n), h + 0xffffffff + 1);
  assert.equal(partial32(h, 0x12345678_9abcdef0n), h + 0x12345678 + 0x9abcdef0);
  assert.equal(partial32(0, 2n ** 60n + 5n), 2 ** 28 + 5);
  assert.equal(wordSum32(enc.encode("abcde")), 0x61626364 + 0x65000000);
  assert.throws(() => partial16(0, 0x1_0000_0000n), RangeError);
  assert.throws(() => partial32(0, 2n ** 64n), RangeError);
});

test("ChecksumAccumulator: rejects unknown widths and rsplib mode for 32 bits", () => {
  assert.throws(() => new ChecksumAccumulator(8 as 16), RangeError);
  assert.throws(() => new ChecksumAccumulator(32, "rsplib"), RangeError);
});

test("tsChecksumKernel: matches a naive big-endian sum on random buffers, offsets and lengths", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 0, maxLength: 300 }),
      fc.nat(7),
      fc.nat(300),
      fc.nat(3),
      (data, start, len, shift) => {
        // Place the data at an arbitrary byte offset of a larger buffer to exercise alignment.
        const buf = new Uint8Array(data.length + 8);
        buf.set(data, shift);
        const view = buf.subarray(shift % 4);
        const offset = Math.min(start, view.length);
        const length = Math.min(len, view.length - offset);
        assert.equal(
          tsChecksumKernel.sum16(view, offset, length),
          naiveSum(view, offset, length, 2),
        );
        assert.equal(
          tsChecksumKernel.sum32(view, offset, length),
          naiveSum(view, offset, length, 4),
        );
      },
    ),
    { seed: 42, numRuns: 400 },
  );
});

test("tsChecksumKernel: zero data folds to 0, all-ones to M, large buffers stay exact", () => {
  const zeros = new Uint8Array(4096);
  assert.equal(tsChecksumKernel.sum16(zeros, 0, 4096), 0);
  assert.equal(tsChecksumKernel.sum32(zeros, 1, 4000), 0);
  const ones = new Uint8Array(4096).fill(0xff);
  assert.equal(tsChecksumKernel.sum16(ones, 0, 4096), 0xffff);
  assert.equal(tsChecksumKernel.sum32(ones, 0, 4096), 0xffffffff);
  const big = new Uint8Array(1 << 20);
  for (let i = 0; i < big.length; i++) big[i] = fmix32(i) & 0xff;
  assert.equal(tsChecksumKernel.sum16(big, 3, big.length - 5), naiveSum(big, 3, big.length - 5, 2));
  assert.equal(tsChecksumKernel.sum32(big, 1, big.length - 2), naiveSum(big, 1, big.length - 2, 4));
});

test("tsChecksumKernel: ranges outside the buffer throw RangeError", () => {
  const b = new Uint8Array(8);
  assert.throws(() => tsChecksumKernel.sum16(b, 4, 5), RangeError);
  assert.throws(() => tsChecksumKernel.sum32(b, -1, 2), RangeError);
});

test("ChecksumAccumulator: any sequence of adds and removals of partials up to 2^53 gives the exact fold", () => {
  const partial = fc.oneof(
    fc.integer({ min: 0, max: 0x3ffff }),
    fc.integer({ min: 2 ** 52 - 4, max: 2 ** 53 - 1 }),
    fc.integer({ min: 0, max: 2 ** 53 - 1 }),
  );
  fc.assert(
    fc.property(
      fc.constantFrom(16 as const, 32 as const),
      fc.array(fc.tuple(partial, fc.boolean()), { maxLength: 60 }),
      (width, steps) => {
        const acc = new ChecksumAccumulator(width);
        const m = width === 16 ? 0xffffn : 0xffffffffn;
        const held: number[] = [];
        let exact = 0n;
        for (const [p, remove] of steps) {
          if (remove && held.length > 0) {
            const q = held.pop()!;
            acc.sub(q);
            exact -= BigInt(q);
          } else {
            held.push(p);
            acc.add(p);
            exact += BigInt(p);
          }
          // fold(S) = S == 0 ? 0 : ((S − 1) mod M) + 1 (team decision 3): a set whose
          // partials are all 0 folds to 0, like the empty set.
          const folded = exact === 0n ? 0n : exact % m === 0n ? m : exact % m;
          assert.equal(acc.folded(), Number(folded));
          assert.equal(acc.value(), Number(m - folded));
        }
      },
    ),
    { numRuns: 300 },
  );
});

test("checksum: partial sums read both identifier words at the range limits", () => {
  assert.equal(partial16(7, 0xffffffffn), 7 + 0xffff + 0xffff);
  assert.equal(partial16(0, 0n), 0);
  assert.throws(() => partial16(0, -1n), RangeError);
  assert.equal(rsplibPartial16(0, 0xff00_0001n), 0x00ff + 0x0100);
  assert.throws(() => rsplibPartial16(0, 2n ** 32n), RangeError);
  assert.equal(partial32(1, 2n ** 64n - 1n), 1 + 2 * 0xffffffff);
  assert.equal(partial32(0, 2n ** 53n + 1n), 0x200000 + 1);
  assert.throws(() => partial32(0, -1n), RangeError);
});

test("ChecksumAccumulator: a set whose partial sums are all 0 folds to 0, like the empty set", () => {
  const acc = new ChecksumAccumulator(16);
  acc.add(0);
  acc.add(0);
  assert.equal(acc.folded(), 0);
  assert.equal(acc.value(), 0xffff);
  acc.add(0xffff); // S = M: folds to M, not 0
  assert.equal(acc.value(), 0);
  acc.sub(0xffff);
  assert.equal(acc.value(), 0xffff);
  // (In a handlespace no partial sum is 0: identifiers start at 1.)
});

test("ChecksumAccumulator: sums beyond 2^52 and removals below the kept remainder stay exact", () => {
  for (const width of [16, 32] as const) {
    const m = width === 16 ? 0xffffn : 0xffffffffn;
    const acc = new ChecksumAccumulator(width);
    const big = 2 ** 53 - 1, small = 3;
    const held: number[] = [];
    let exact = 0n;
    const fold = (s: bigint): number => s === 0n ? 0 : Number(((s - 1n) % m) + 1n);
    // Grow well past 2^52 (each add of `big` reduces), then remove in an order that takes the
    // kept remainder below zero many times.
    for (let i = 0; i < 40; i++) {
      const p = i % 3 === 0 ? small : big - i;
      acc.add(p);
      held.push(p);
      exact += BigInt(p);
      assert.equal(acc.folded(), fold(exact));
    }
    while (held.length > 0) {
      const p = held.shift()!;
      acc.sub(p);
      exact -= BigInt(p);
      assert.equal(acc.folded(), fold(exact));
      assert.equal(acc.value(), Number(m) - fold(exact));
    }
    assert.equal(acc.value(), Number(m));
  }
});
