import { test } from "node:test";
import assert from "node:assert/strict";
import { SeededRng } from "../rng.ts";
import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
import { leastUsedDegradation, PolicySet, roundRobin } from "./mod.ts";

test("PolicySet.select() keeps the policy's state across calls (a pool user's cache)", () => {
  const set = new PolicySet<bigint, string>(roundRobin);
  const rr = policyParameter(PolicyType.RoundRobin);
  for (const id of [1n, 2n, 3n]) set.set(id, `pe-${id}`, rr);
  const rng = new SeededRng(1);
  assert.deepEqual([1, 2, 3, 4].flatMap(() => set.select(1, rng)), [
    "pe-1",
    "pe-2",
    "pe-3",
    "pe-1",
  ]);
});

test("PolicySet.set() of a known key replaces the item and keeps the element's position", () => {
  const set = new PolicySet<bigint, string>(roundRobin);
  const rr = policyParameter(PolicyType.RoundRobin);
  set.set(1n, "a", rr);
  set.set(2n, "b", rr);
  set.set(1n, "a2", rr);
  assert.deepEqual(set.select(2, new SeededRng(1)), ["a2", "b"]);
  assert.equal(set.size, 2);
});

test("PolicySet: an update with new values resets the degradation counter", () => {
  const set = new PolicySet<number, number>(leastUsedDegradation);
  const v = (load: number) =>
    policyParameter(PolicyType.LeastUsedDegradation, { load, loadDegradation: 10 });
  set.set(1, 1, v(100));
  set.set(2, 2, v(105));
  const rng = new SeededRng(1);
  assert.deepEqual([0, 1, 2].flatMap(() => set.select(1, rng)), [1, 2, 1]);
  set.set(1, 1, v(100)); // refreshed: its degradation (20) is gone again
  assert.deepEqual(set.select(1, rng), [1]);
});

test("PolicySet.purgeExpired() drops items whose lifetime has passed, and only those", () => {
  const set = new PolicySet<string, string>(roundRobin);
  const rr = policyParameter(PolicyType.RoundRobin);
  set.set("a", "a", rr, 100);
  set.set("b", "b", rr, 200);
  set.set("c", "c", rr);
  assert.equal(set.purgeExpired(150), 1);
  assert.deepEqual(set.values().sort(), ["b", "c"]);
  assert.equal(set.purgeExpired(1e12), 1);
  assert.deepEqual(set.select(5, new SeededRng(1)), ["c"]);
  assert.equal(set.delete("c"), true);
  assert.deepEqual(set.select(5, new SeededRng(1)), []);
});

test("PolicySet.set() rejects policy information of another policy type", () => {
  const set = new PolicySet<string, string>(roundRobin);
  assert.throws(() => set.set("a", "a", policyParameter(PolicyType.Random)), TypeError);
});
