import { test } from "node:test";
import assert from "node:assert/strict";
import { TimerTable } from "./timer_table.ts";

test("TimerTable.nextTimeout() is the earliest running timer", () => {
  const t = new TimerTable(["a", "b", "c"] as const);
  assert.equal(t.nextTimeout(), undefined);
  t.set("b", 30);
  t.set("c", 10);
  assert.equal(t.nextTimeout(), 10);
  assert.equal(t.get("a"), undefined);
  assert.equal(t.isRunning("c"), true);
  t.set("c", 40); // moved
  assert.equal(t.nextTimeout(), 30);
  t.stop("b");
  assert.equal(t.nextTimeout(), 40);
  assert.equal(t.isExpired("c", 39), false);
  assert.equal(t.isExpired("c", 40), true);
  assert.equal(t.isExpired("a", Infinity), false);
});

test("TimerTable refuses unknown and repeated kinds and NaN times", () => {
  assert.throws(() => new TimerTable(["a", "a"]), TypeError);
  const t = new TimerTable<string>(["a"]);
  assert.throws(() => t.set("b", 1), TypeError);
  assert.throws(() => t.set("a", NaN), RangeError);
});
