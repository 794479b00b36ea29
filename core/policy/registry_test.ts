import { test } from "node:test";
import assert from "node:assert/strict";
import { POLICY_TYPES, PolicyType } from "../wire/policy_parameter.ts";
import {
  BUILTIN_POLICIES,
  defaultPolicies,
  definePolicy,
  PolicyRegistry,
  roundRobin,
} from "./mod.ts";

test("defaultPolicies holds a policy for every type code of the wire table, with its names and fields", () => {
  assert.equal(BUILTIN_POLICIES.length, POLICY_TYPES.length);
  for (const info of POLICY_TYPES) {
    const p = defaultPolicies.byType(info.type);
    assert.ok(p, info.name);
    assert.equal(p.name, info.name);
    assert.deepEqual(p.fields, info.fields);
    assert.equal(defaultPolicies.byName(info.name), p);
    assert.equal(defaultPolicies.byName(info.abbreviation.toLowerCase()), p);
  }
});

test("defaultPolicies: default MaxIncrement is 0 for Random, Weighted Random and WRAND-DPF, 1 otherwise", () => {
  const zero = new Set<number>([
    PolicyType.Random,
    PolicyType.WeightedRandom,
    PolicyType.WeightedRandomDpf,
  ]);
  for (const p of BUILTIN_POLICIES) {
    assert.equal(p.defaultMaxIncrement, zero.has(p.type) ? 0 : 1, p.name);
  }
});

test("PolicyRegistry.byType() and byName() return undefined for unknown policies", () => {
  assert.equal(defaultPolicies.byType(0xdeadbeef), undefined);
  assert.equal(defaultPolicies.byName("Fastest"), undefined);
});

test("PolicyRegistry rejects duplicate type codes and names", () => {
  const clone = definePolicy({
    info: {
      type: PolicyType.RoundRobin,
      name: "Other",
      abbreviation: "OTH",
      fields: [],
      origin: "rserpool-ng",
    },
    engine: "round-robin",
    defaultMaxIncrement: 1,
  });
  assert.throws(() => new PolicyRegistry([roundRobin, clone]), TypeError);
  const sameName = definePolicy({
    info: {
      type: 0xb000f00f,
      name: "roundrobin",
      abbreviation: "X",
      fields: [],
      origin: "rserpool-ng",
    },
    engine: "round-robin",
    defaultMaxIncrement: 1,
  });
  assert.throws(() => new PolicyRegistry([roundRobin, sameName]), TypeError);
});

test("definePolicy() rejects a negative default MaxIncrement", () => {
  assert.throws(
    () =>
      definePolicy({
        info: {
          type: 0xb000f010,
          name: "Bad",
          abbreviation: "BAD",
          fields: [],
          origin: "rserpool-ng",
        },
        engine: "sorted",
        defaultMaxIncrement: -1,
      }),
    RangeError,
  );
});

test("PoolPolicy.compare() orders by key, then sequence number", () => {
  const lu = defaultPolicies.byName("LeastUsed")!;
  const values = {
    load: new Uint32Array([5, 5, 3]),
    seq: new Float64Array([2, 1, 9]),
  } as unknown as Parameters<typeof lu.compare>[0];
  assert.ok(lu.compare(values, 2, 0) < 0);
  assert.ok(lu.compare(values, 1, 0) < 0);
  assert.ok(lu.compare(values, 0, 1) > 0);
  assert.equal(lu.compare(values, 0, 0), 0);
});
