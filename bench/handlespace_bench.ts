// Handlespace benchmarks on the workload of bench-reference.md (see bench/_workload.ts).
//
// Groups: one per (operation, policy, N[, k]), named e.g. "resolve LeastUsed N=1000 k=1". The
// resolve groups of the weighted-random policies have two members: "ts" (the baseline, the
// pure-TS selection kernel, the handlespace's default) and "wasm" (the WebAssembly selection
// kernel, forced for every tree descent, so the group compares the kernels); the other engines
// have no WebAssembly path and only the "ts" member. Every iteration does a batch (1000
// resolutions, or whole register/deregister cycles), so divide the batch size by the reported
// time per iteration for operations per second; bench/handlespace_table.ts does that conversion
// and prints the README tables.
//
// Environment: HANDLESPACE_BENCH_POLICIES=LeastUsed,RoundRobin and HANDLESPACE_BENCH_SIZES=10,1000
// narrow the matrix (default: every policy and N = 10 … 100000).

import type { Handlespace, PoolElementEntry } from "../core/handlespace/mod.ts";
import {
  createSelectionKernel,
  type PoolPolicy,
  type SelectionKernel,
  tsSelectionKernel,
} from "../core/policy/mod.ts";
import {
  buffer,
  checksumBufferBlock,
  checksumEntries,
  checksumReadBlock,
  checksumRecomputeBlock,
  type ChecksumRecords,
  checksumUpdateBlock,
  lifecycleBatch,
} from "./_cases.ts";
import {
  BENCH_POLICIES,
  filledHandlespace,
  newHandlespace,
  POOL_HANDLE,
  REFERENCE_POLICIES,
  registerAll,
  registrations,
  SIZES,
} from "./_workload.ts";

const policyFilter = Deno.env.get("HANDLESPACE_BENCH_POLICIES")?.split(",");
const sizes = Deno.env.get("HANDLESPACE_BENCH_SIZES")?.split(",").map(Number) ?? [...SIZES];
const policies = BENCH_POLICIES.filter((p) => !policyFilter || policyFilter.includes(p.name));

/** Resolutions per iteration of a resolve benchmark. */
const RESOLVE_BATCH = 1000;

const kernels: readonly (readonly [string, SelectionKernel])[] = [
  ["ts", tsSelectionKernel],
  ["wasm", createSelectionKernel({ minTree: 0 })],
];

// Pools are built lazily, once per (kernel, policy, N), and shared by the k = 1 and k = 3
// benchmarks.
const pools = new Map<string, Handlespace>();
function poolFor(policy: PoolPolicy, n: number, kernel: SelectionKernel = tsSelectionKernel) {
  const key = `${kernel.name}/${policy.name}/${n}`;
  let hs = pools.get(key);
  if (hs === undefined) {
    hs = filledHandlespace(policy, n, kernel);
    pools.set(key, hs);
  }
  return hs;
}

const out: PoolElementEntry[] = [];
for (const policy of policies) {
  for (const n of sizes) {
    for (const k of [1, 3]) {
      for (const [name, kernel] of kernels) {
        if (kernel.name !== name) continue; // no WebAssembly in this runtime
        if (name === "wasm" && policy.engine !== "weighted-random") continue;
        Deno.bench({
          name,
          group: `resolve ${policy.name} N=${n} k=${k}`,
          baseline: name === "ts",
          fn() {
            const hs = poolFor(policy, n, kernel);
            for (let i = 0; i < RESOLVE_BATCH; i++) hs.resolveInto(POOL_HANDLE, k, out);
          },
        });
      }
    }
  }
}

// Lifecycle (bench-reference.md operations 1–4), for the nine policies RSPLIB was measured with.
// One iteration = lifecycleBatch(N) handlespaces (⌈100/N⌉: one from N = 100 on, as the reference
// runs each cycle on a handlespace of its own) through the phase; setup is untimed.
for (const policy of policies.filter((p) => REFERENCE_POLICIES.includes(p.name))) {
  for (const n of sizes) {
    const batch = lifecycleBatch(n);
    const regs = registrations(policy, n);
    const changed = [registrations(policy, n, 1, regs), registrations(policy, n, 2, regs)];
    const identical = registrations(policy, n, 2, regs);
    const ids = regs.map((r) => r.element.id);
    const fresh = (): Handlespace[] => Array.from({ length: batch }, () => newHandlespace());
    Deno.bench({
      name: "ts",
      group: `register ${policy.name} N=${n} (${batch * n} ops)`,
      baseline: true,
      fn(b) {
        const spaces = fresh();
        b.start();
        for (const hs of spaces) registerAll(hs, regs);
        b.end();
      },
    });
    Deno.bench({
      name: "ts",
      group: `update load changed ${policy.name} N=${n} (${batch * n} ops)`,
      baseline: true,
      fn(b) {
        const spaces = fresh();
        for (const hs of spaces) registerAll(hs, regs);
        b.start();
        for (const hs of spaces) registerAll(hs, changed[0]!);
        b.end();
      },
    });
    Deno.bench({
      name: "ts",
      group: `update identical ${policy.name} N=${n} (${batch * n} ops)`,
      baseline: true,
      fn(b) {
        const spaces = fresh();
        for (const hs of spaces) registerAll(hs, changed[1]!);
        b.start();
        for (const hs of spaces) registerAll(hs, identical);
        b.end();
      },
    });
    Deno.bench({
      name: "ts",
      group: `deregister ${policy.name} N=${n} (${batch * n} ops)`,
      baseline: true,
      fn(b) {
        const spaces = fresh();
        for (const hs of spaces) registerAll(hs, regs);
        b.start();
        for (const hs of spaces) for (const id of ids) hs.deregister(POOL_HANDLE, id);
        b.end();
      },
    });
  }
}

// Checksums (bench-reference.md operation 6) on a RoundRobin pool.
for (const n of sizes) {
  const repeat = Math.max(1, Math.ceil(20000 / n));
  let records: ChecksumRecords | undefined;
  Deno.bench({
    name: "ts",
    group: `checksum incremental update N=${n} (${repeat * n} updates)`,
    baseline: true,
    fn() {
      records ??= checksumEntries(poolFor(BENCH_POLICIES[0]!, n), n);
      checksumUpdateBlock(records, repeat);
    },
  });
  Deno.bench({
    name: "ts",
    group: `checksum full recomputation N=${n}`,
    baseline: true,
    fn() {
      checksumRecomputeBlock(poolFor(BENCH_POLICIES[0]!, n), 1);
    },
  });
  Deno.bench({
    name: "ts",
    group: `checksum read finished value N=${n} (1000 reads)`,
    baseline: true,
    fn() {
      checksumReadBlock(poolFor(BENCH_POLICIES[0]!, n), 1000);
    },
  });
}
for (const [label, size] of [["64 KiB", 65536], ["16 MiB", 16 << 20]] as const) {
  const b = buffer(size);
  Deno.bench({
    name: "ts",
    group: `checksum buffer ${label}`,
    baseline: true,
    fn() {
      checksumBufferBlock(b, 1);
    },
  });
}
