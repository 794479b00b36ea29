import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ReceiveTracker } from "./_receive_tracker.ts";

test("ReceiveTracker.record() advances the cumulative TSN and reports gaps as SACK offsets", () => {
  const t = new ReceiveTracker(100);
  assert.equal(t.cumulativeTsn, 99);
  assert.equal(t.record(100), "new");
  assert.equal(t.record(103), "new");
  assert.equal(t.record(104), "new");
  assert.equal(t.record(107), "new");
  assert.equal(t.cumulativeTsn, 100);
  assert.deepEqual(t.gapBlocks(10), [3, 4, 7, 7]);
  assert.equal(t.record(103), "duplicate");
  assert.equal(t.record(99), "duplicate");
  assert.deepEqual(t.takeDuplicates(), [103, 99]);
  assert.equal(t.record(101), "new");
  assert.equal(t.record(102), "new"); // fills the gap: cum jumps over 103..104
  assert.equal(t.cumulativeTsn, 104);
  assert.deepEqual(t.gapBlocks(10), [3, 3]);
  assert.equal(t.record(106), "new"); // joins 107
  assert.equal(t.record(105), "new");
  assert.equal(t.cumulativeTsn, 107);
  assert.ok(!t.hasGaps);
});

test("ReceiveTracker works across the 2^32 TSN wrap", () => {
  const t = new ReceiveTracker(0xfffffffe);
  assert.equal(t.record(0xfffffffe), "new");
  assert.equal(t.record(1), "new");
  assert.deepEqual(t.gapBlocks(4), [3, 3]);
  assert.equal(t.record(0xffffffff), "new");
  assert.equal(t.record(0), "new");
  assert.equal(t.cumulativeTsn, 1);
});

test("ReceiveTracker refuses TSNs beyond its span and new ranges beyond its range limit", () => {
  const t = new ReceiveTracker(1, 2, 1000);
  assert.equal(t.record(1002), "refused");
  assert.equal(t.record(10), "new");
  assert.equal(t.record(20), "new");
  assert.ok(!t.accepts(30));
  assert.equal(t.record(30), "refused");
  assert.ok(t.accepts(21)); // extends a range
  assert.equal(t.record(21), "new");
  assert.equal(t.rangeCount, 2);
});

test("ReceiveTracker agrees with a set model on random arrival orders", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 200 }), (offsets) => {
      const base = 0xffffffe0;
      const t = new ReceiveTracker(base);
      const got = new Set<number>();
      for (const o of offsets) {
        const r = t.record((base + o) >>> 0);
        assert.equal(r, got.has(o) ? "duplicate" : "new");
        got.add(o);
      }
      let cum = -1;
      while (got.has(cum + 1)) cum++;
      assert.equal(t.cumulativeTsn, (base + cum) >>> 0);
      const expected: number[] = [];
      for (let o = cum + 2; o <= 60; o++) {
        if (got.has(o) && !got.has(o - 1)) {
          let e = o;
          while (got.has(e + 1)) e++;
          expected.push(o - cum, e - cum);
        }
      }
      assert.deepEqual(t.gapBlocks(100), expected);
    }),
    { numRuns: 500 },
  );
});
