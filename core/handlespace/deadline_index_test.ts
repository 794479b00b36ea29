import { test } from "node:test";
import assert from "node:assert/strict";
import { DeadlineIndex } from "./deadline_index.ts";
import { SeededRng } from "../rng.ts";

test("DeadlineIndex.popDue() returns deadlines in time order, ties in the order they were set", () => {
  const d = new DeadlineIndex();
  d.set(1, 300);
  d.set(2, 100);
  d.set(3, 200);
  d.set(4, 100);
  const out: number[] = [];
  for (let due = d.popDue(1000); due !== undefined; due = d.popDue(1000)) out.push(due.key);
  assert.deepEqual(out, [2, 4, 3, 1]);
  assert.equal(d.size, 0);
});

test("DeadlineIndex.set() moves a pending deadline instead of adding a second one", () => {
  const d = new DeadlineIndex();
  d.set(5, 100);
  d.set(5, 900);
  assert.equal(d.size, 1);
  assert.equal(d.next(), 900);
  assert.equal(d.popDue(500), undefined);
});

test("DeadlineIndex.clear() removes one deadline and keeps the others ordered", () => {
  const d = new DeadlineIndex();
  for (let k = 0; k < 10; k++) d.set(k, 1000 - k * 10);
  assert.equal(d.clear(9), true);
  assert.equal(d.clear(9), false);
  assert.equal(d.clear(4000), false);
  assert.equal(d.nextKey(), 8);
  assert.equal(d.get(9), undefined);
});

test("DeadlineIndex: random operations agree with a sorted list", () => {
  const d = new DeadlineIndex();
  const model = new Map<number, number>();
  const rng = new SeededRng(5);
  for (let step = 0; step < 3000; step++) {
    const key = rng.nextU32() % 200;
    const op = rng.nextU32() % 4;
    if (op < 2) {
      const t = rng.nextU32() % 10000;
      d.set(key, t);
      model.set(key, t);
    } else if (op === 2) {
      assert.equal(d.clear(key), model.delete(key));
    } else {
      const now = rng.nextU32() % 10000;
      const due = d.popDue(now);
      const min = Math.min(...model.values());
      if (model.size === 0 || min > now) assert.equal(due, undefined);
      else {
        assert.equal(due?.time, min);
        assert.equal(model.get(due!.key), min);
        model.delete(due!.key);
      }
    }
    assert.equal(d.size, model.size);
    assert.equal(d.next(), model.size === 0 ? undefined : Math.min(...model.values()));
  }
});

test("DeadlineIndex.set() rejects negative keys and non-finite times", () => {
  const d = new DeadlineIndex();
  assert.throws(() => d.set(-1, 0), RangeError);
  assert.throws(() => d.set(1.5, 0), RangeError);
  assert.throws(() => d.set(1, NaN), RangeError);
});
