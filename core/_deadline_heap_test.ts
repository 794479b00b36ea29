import { test } from "node:test";
import assert from "node:assert/strict";
import { SeededRng } from "./rng.ts";
import { DeadlineHeap } from "./_deadline_heap.ts";

test("DeadlineHeap pops deadlines in ascending order", () => {
  const rng = new SeededRng(7);
  const heap = new DeadlineHeap<number>();
  const at: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const t = rng.nextU32() % 100000;
    at.push(t);
    heap.push(t, i);
  }
  assert.equal(heap.size, 5000);
  const popped: number[] = [];
  for (let item; (item = heap.pop()) !== undefined;) popped.push(item.at);
  assert.deepEqual(popped, at.sort((a, b) => a - b));
  assert.equal(heap.peek(), undefined);
});

test("DeadlineHeap.peek() shows the earliest item without removing it", () => {
  const heap = new DeadlineHeap<string>();
  heap.push(30, "c");
  heap.push(10, "a");
  heap.push(20, "b");
  assert.deepEqual(heap.peek(), { at: 10, value: "a" });
  assert.equal(heap.size, 3);
  assert.equal(heap.pop()?.value, "a");
  assert.equal(heap.pop()?.value, "b");
});
