import { test } from "node:test";
import assert from "node:assert/strict";
import { Fifo } from "./fifo.ts";

test("Fifo.shift() returns items in insertion order across many pushes and shifts", () => {
  const q = new Fifo<number>();
  let next = 0, expected = 0;
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 97; i++) q.push(next++);
    for (let i = 0; i < 60; i++) assert.equal(q.shift(), expected++);
  }
  assert.equal(q.length, next - expected);
  assert.deepEqual(q.toArray().slice(0, 3), [expected, expected + 1, expected + 2]);
  assert.equal(q.peek(), expected);
  while (q.length > 0) assert.equal(q.shift(), expected++);
  assert.equal(q.shift(), undefined);
  assert.equal(expected, next);
});

test("Fifo.clear() empties the queue", () => {
  const q = new Fifo<string>();
  q.push("a");
  q.clear();
  assert.equal(q.length, 0);
  assert.equal(q.peek(), undefined);
});
