// A handlespace whose pools run the WebAssembly selection kernel resolves exactly the PEs of one
// that runs the pure-TS kernel (the engines' differential suite is
// core/policy/selection_kernel_test.ts).

import { test } from "node:test";
import assert from "node:assert/strict";
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
  tsSelectionKernel,
} from "../policy/mod.ts";
import { Handlespace } from "./handlespace.ts";
import type { PoolElementEntry } from "./pool_element.ts";

const wasm = createSelectionKernel({ minTree: 0 });
const skip = wasm.name === "wasm" ? false : "WebAssembly is not available in this runtime";

function param(policy: PoolPolicy, values: readonly number[]): PolicyParameter {
  const f: Partial<Record<PolicyField, number>> = {};
  policy.fields.forEach((field, i) => {
    const v = values[i % values.length]!;
    f[field] = field === "weight" ? v % 5 : (v % 7) * 0x20000000;
  });
  return policyParameter(policy.type, f);
}

test("Handlespace with the wasm kernel resolves exactly the PEs the ts kernel resolves", {
  skip,
}, () => {
  const spaces = [wasm, tsSelectionKernel].map((selectionKernel) =>
    new Handlespace({ ownId: 1n, rng: new SeededRng(5), profile: "rfc", selectionKernel })
  );
  const handles = ["rlud", "wrand", "rlu"].map((h) => new TextEncoder().encode(h));
  const policies = ["RandomizedLeastUsedDegradation", "WeightedRandom", "RandomizedLeastUsed"].map((
    n,
  ) => BUILTIN_POLICIES.find((p) => p.name === n)!);
  for (const hs of spaces) {
    for (let i = 0; i < 2000; i++) {
      const j = i % 3;
      const r = hs.register(handles[j]!, {
        id: BigInt(i + 1),
        homeRegistrarId: 1n,
        registrationLife: 1000,
        userTransport: { protocol: "tcp", port: 1, transportUse: "data", addresses: ["10.0.0.1"] },
        policy: param(policies[j]!, [i * 3, i * 7, i]),
      }, { now: 0 });
      assert.ok(r.ok);
    }
  }
  const outs: PoolElementEntry[][] = [[], []];
  for (let call = 0; call < 3000; call++) {
    const h = handles[call % 3]!, k = 1 + (call % 4);
    const ids = spaces.map((hs, i) => {
      const n = hs.resolveInto(h, k, outs[i]!);
      return outs[i]!.slice(0, n).map((e) => e.id);
    });
    assert.deepEqual(ids[0], ids[1], `call ${call}`);
  }
});
