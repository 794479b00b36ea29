// The differential suite of the selection kernels: pools that run with the WebAssembly kernel
// (threshold 0, so every prefix-sum tree descent runs in the module) must choose exactly what
// pools with the pure-TS kernel choose, for the same operations and the same random stream, over
// randomized pools of every weighted-random policy (the only engine with a WebAssembly path;
// fast-check), also while the module's memory grows under the engines' views. The naive-model comparisons of policy_conformance_test.ts run with both
// kernels too, and handlespace_kernel_test.ts compares handle resolutions.

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { SeededRng } from "../rng.ts";
import {
  type PolicyField,
  type PolicyParameter,
  policyParameter,
} from "../wire/policy_parameter.ts";
import {
  BUILTIN_POLICIES,
  createSelectionKernel,
  type PoolPolicy,
  type SelectionKernel,
  SelectionPool,
  tsSelectionKernel,
  WASM_MIN_TREE,
} from "./mod.ts";

const wasm = createSelectionKernel({ minTree: 0 });
const hasWasm = wasm.name === "wasm";
const skip = hasWasm ? false : "WebAssembly is not available in this runtime";

/** Policy information from small numbers (so that keys tie and hit the cap). */
function param(policy: PoolPolicy, values: readonly number[]): PolicyParameter {
  const f: Partial<Record<PolicyField, number>> = {};
  policy.fields.forEach((field, i) => {
    const v = values[i % values.length]!;
    f[field] = field === "distance"
      ? (v % 3) * 50
      : field === "loadDpf" || field === "weightDpf"
      ? (v % 3) * 0x00418937
      : field === "weight"
      ? v % 5
      : v % 7 === 6
      ? 0xffffffff
      : (v % 7) * 0x20000000;
  });
  return policyParameter(policy.type, f);
}

type Op =
  | { readonly op: "add"; readonly v: readonly number[] }
  | { readonly op: "remove"; readonly i: number }
  | { readonly op: "update"; readonly i: number; readonly v: readonly number[] }
  | { readonly op: "select"; readonly k: number; readonly mi: number }
  | { readonly op: "one"; readonly mi: number };

const values = fc.array(fc.nat(20), { minLength: 1, maxLength: 4 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant("add" as const), v: values }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("remove" as const), i: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant("update" as const), i: fc.nat(), v: values }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("select" as const),
      k: fc.integer({ min: 0, max: 30 }),
      mi: fc.nat(3),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("one" as const), mi: fc.nat(3) }) },
);

/** Runs the operations on a pool with the given kernel; returns everything it chose. */
function run(
  policy: PoolPolicy,
  kernel: SelectionKernel,
  ops: readonly Op[],
  seed: number,
  warm: number,
): unknown[] {
  const pool = new SelectionPool(policy, { kernel });
  const rng = new SeededRng(seed);
  const live: number[] = [];
  const seen: unknown[] = [];
  // A larger pool first, so that sifts and descents go several levels deep.
  for (let i = 0; i < warm; i++) live.push(pool.add(param(policy, [i * 7, i * 13, i, i * 3])));
  const out = new Int32Array(32);
  for (const o of ops) {
    if (o.op === "add") live.push(pool.add(param(policy, o.v)));
    else if (o.op === "remove" && live.length > 0) {
      pool.remove(live.splice(o.i % live.length, 1)[0]!);
    } else if (o.op === "update" && live.length > 0) {
      seen.push(pool.update(live[o.i % live.length]!, param(policy, o.v)));
    } else if (o.op === "select") {
      const n = pool.select(o.k, out, rng, o.mi);
      seen.push([...out.subarray(0, n)]);
    } else if (o.op === "one") seen.push(pool.selectOne(rng, o.mi));
  }
  seen.push(live.map((s) => [pool.degradation[s], pool.selections[s], pool.selectionWeight(s)]));
  return seen;
}

test("createSelectionKernel() returns the pure-TS kernel on request and checks its options", () => {
  assert.equal(createSelectionKernel({ wasm: false }).name, "ts");
  assert.equal(createSelectionKernel({ wasm: false }), tsSelectionKernel);
  assert.throws(() => createSelectionKernel({ wasm: "no" as unknown as boolean }), TypeError);
  assert.throws(() => createSelectionKernel({ minTree: -1 }), RangeError);
  assert.throws(() => createSelectionKernel({ minTree: 1.5 }), RangeError);
  assert.ok(WASM_MIN_TREE >= 0);
  assert.equal(new SelectionPool(BUILTIN_POLICIES[0]!).kernel, tsSelectionKernel);
  assert.throws(
    () => new SelectionPool(BUILTIN_POLICIES[0]!, { kernel: 1 as unknown as SelectionKernel }),
    TypeError,
  );
});

test("createSelectionKernel() uses WebAssembly where the engine can run it", { skip }, () => {
  assert.equal(createSelectionKernel().name, "wasm");
  assert.equal(new SelectionPool(BUILTIN_POLICIES[5]!, { kernel: wasm }).kernel.name, "wasm");
});

const WEIGHTED_RANDOM = BUILTIN_POLICIES.filter((p) => p.engine === "weighted-random");

test("the differential suite covers the weighted-random policies", () => {
  assert.deepEqual(
    WEIGHTED_RANDOM.map((p) => p.name).sort(),
    [
      "RandomizedLeastUsed",
      "RandomizedLeastUsedDegradation",
      "RandomizedPriorityLeastUsed",
      "RandomizedPriorityLeastUsedDegradation",
      "WeightedRandom",
      "WeightedRandomDPF",
    ],
  );
});

for (const policy of WEIGHTED_RANDOM) {
  test(
    `${policy.name}: the wasm kernel chooses exactly what the ts kernel chooses (randomized pools)`,
    {
      skip,
    },
    () => {
      fc.assert(
        fc.property(
          fc.array(opArb, { minLength: 1, maxLength: 120 }),
          fc.nat(),
          fc.integer({ min: 0, max: 300 }),
          (ops, seed, warm) => {
            assert.deepEqual(
              run(policy, wasm, ops, seed, warm),
              run(policy, tsSelectionKernel, ops, seed, warm),
            );
          },
        ),
        { numRuns: 25, seed: policy.type },
      );
    },
  );
}

test("SelectionPool with the wasm kernel keeps choosing the same while the module's memory grows", {
  skip,
}, () => {
  // Many pools grow one after the other, so the memory grows (and every view is rebuilt)
  // between operations on the pools that already exist.
  const twins = WEIGHTED_RANDOM.map((p) => ({
    p,
    a: new SelectionPool(p, { kernel: wasm }),
    b: new SelectionPool(p, { kernel: tsSelectionKernel }),
  }));
  const ra = new SeededRng(3), rb = new SeededRng(3);
  const oa = new Int32Array(3), ob = new Int32Array(3);
  for (let i = 0; i < 3000; i++) {
    for (const { p, a, b } of twins) {
      const v = param(p, [i, i * 5, i * 11]);
      assert.equal(a.add(v), b.add(v));
      if (i % 4 === 0) {
        assert.equal(a.selectOne(ra), b.selectOne(rb));
        assert.deepEqual(oa.subarray(0, a.select(3, oa, ra)), ob.subarray(0, b.select(3, ob, rb)));
      }
    }
  }
  for (const { a, b } of twins) assert.deepEqual(a.order(), b.order());
});
