import { test } from "node:test";
import assert from "node:assert/strict";
import { PolicyType } from "../../core/wire/policy_parameter.ts";
import { parsePolicy, policyText } from "./_policy.ts";

test("parsePolicy() reads RSPLIB's rspserver policy strings", () => {
  assert.equal(parsePolicy("RoundRobin", undefined).type, PolicyType.RoundRobin);
  assert.deepEqual(
    [
      parsePolicy("WeightedRoundRobin:5", undefined).weight,
      parsePolicy("WeightedRandom:7", undefined).weight,
    ],
    [5, 7],
  );
  assert.equal(parsePolicy("Priority:3", undefined).priority, 3);
  const lud = parsePolicy("LeastUsedDegradation:0.5", 0.25);
  assert.equal(lud.type, PolicyType.LeastUsedDegradation);
  assert.equal(lud.loadDegradation, Math.round(0.5 * 0xffffffff));
  assert.equal(lud.load, Math.round(0.25 * 0xffffffff));
  const ludDpf = parsePolicy("LeastUsedDegradationDPF:0.01:0.5", undefined);
  assert.equal(ludDpf.loadDpf, Math.round(0.5 * 0xffffffff));
  const wrandDpf = parsePolicy("WeightedRandomDPF:5:1", undefined);
  assert.deepEqual([wrandDpf.weight, wrandDpf.weightDpf], [5, 0xffffffff]);
  assert.equal(parsePolicy("PriorityLeastUsed:0.1", undefined).type, PolicyType.PriorityLeastUsed);
});

test("parsePolicy() takes abbreviations in any case and our own policies", () => {
  assert.equal(parsePolicy("wrand", undefined).weight, 1); // weight defaults to 1
  assert.equal(parsePolicy("LU", 1).load, 0xffffffff);
  assert.equal(parsePolicy("P2C-LU", 0).type, PolicyType.PowerOfTwoLeastUsed);
  assert.equal(parsePolicy("WeightedLeastUsed:4", 0.5).weight, 4);
});

test("parsePolicy() refuses unknown policies, extra values, bad values and a load without LU", () => {
  assert.throws(() => parsePolicy("Fastest", undefined), /is not a policy/);
  assert.throws(() => parsePolicy("RoundRobin:3", undefined), /takes no values/);
  assert.throws(() => parsePolicy("WeightedRandom:-1", undefined), /integer/);
  assert.throws(() => parsePolicy("LeastUsedDegradation:2", undefined), /fraction 0\.\.1/);
  assert.throws(() => parsePolicy("Random", 0.5), /carries no load/);
});

test("policyText() shows the policy's fields", () => {
  assert.equal(policyText(parsePolicy("LeastUsed", 0.25)), "LeastUsed load=25.00%");
  assert.equal(policyText(parsePolicy("WeightedRandom:5", undefined)), "WeightedRandom weight=5");
  assert.equal(policyText(parsePolicy("Priority:2", undefined)), "Priority priority=2");
});
