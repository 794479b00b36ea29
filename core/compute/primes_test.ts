import { test } from "node:test";
import assert from "node:assert/strict";
import { PrimeSieve } from "./primes.ts";

/** The plain sieve of Eratosthenes up to n, as a reference. */
function reference(n: number): Uint8Array {
  const prime = new Uint8Array(n).fill(1);
  prime[0] = 0;
  if (n > 1) prime[1] = 0;
  for (let i = 2; i * i < n; i++) if (prime[i]) { for (let j = i * i; j < n; j += i) prime[j] = 0; }
  return prime;
}

test("PrimeSieve.tally() matches known values of π(x)", () => {
  const s = new PrimeSieve();
  assert.equal(s.tally(0, 10_000_000).count, 664579);
  assert.equal(s.tally(0, 1_000_000).sum, 37550402023n);
  assert.equal(s.tally(0, 2).count, 0);
  assert.equal(s.tally(0, 3).count, 1);
  assert.equal(s.tally(5, 5).count, 0);
  // Near 2^32: 4294967291 is the largest prime below it.
  assert.deepEqual(s.tally(4294967280, 4294967296), { count: 1, sum: 4294967291n });
});

test("PrimeSieve.tally() of any split of a range adds up to the whole, as the reference says", () => {
  const n = 200_000;
  const ref = reference(n);
  const s = new PrimeSieve();
  let seed = 99;
  const rand = (m: number) => (seed = (Math.imul(seed, 48271) >>> 0) % 2147483647) % m;
  for (let round = 0; round < 200; round++) {
    const a = rand(n), b = a + rand(n - a + 1);
    let count = 0, sum = 0n;
    for (let i = a; i < b; i++) if (ref[i]) (count++, sum += BigInt(i));
    assert.deepEqual(s.tally(a, b), { count, sum }, `[${a}, ${b})`);
  }
});

test("PrimeSieve.tally() refuses ranges that are not ranges", () => {
  const s = new PrimeSieve();
  assert.throws(() => s.tally(10, 5), RangeError);
  assert.throws(() => s.tally(-1, 5), RangeError);
  assert.throws(() => s.tally(0, 2 ** 32 + 1), RangeError);
  assert.throws(() => s.tally(0.5, 5), RangeError);
});
