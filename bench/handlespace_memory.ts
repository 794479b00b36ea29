// Memory per pool element: registers 1,000,000 PEs (1000 pools of 1000, the pools cycling
// through every policy) with the bench workload's per-PE data (fresh transport and policy
// objects per PE, as a decoder produces them), resolves every pool's handle once with k = 1 and
// once with k = 3 (a registrar's pools are resolved, and some policies build their selection
// structures, e.g. the degradation family's calendar, at the first selection), then reports
// resident set size and V8 heap growth per PE.
//
//   deno run --allow-all --v8-flags=--expose-gc bench/handlespace_memory.ts [pools] [perPool]

import { BENCH_POLICIES, fmix32, newHandlespace, NOW, OWN_ID, registration } from "./_workload.ts";
import type { PoolElementEntry } from "../core/handlespace/pool_element.ts";

const pools = Number(Deno.args[0] ?? 1000);
const perPool = Number(Deno.args[1] ?? 1000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error("run with --v8-flags=--expose-gc for exact figures");
}
const settle = (): Deno.MemoryUsage => {
  for (let i = 0; i < 3; i++) gc?.();
  return Deno.memoryUsage();
};

const before = settle();
const t0 = performance.now();
const hs = newHandlespace();
const enc = new TextEncoder();
let i = 0;
for (let p = 0; p < pools; p++) {
  const handle = enc.encode(`Pool${String(p).padStart(4, "0")}`);
  const policy = BENCH_POLICIES[p % BENCH_POLICIES.length]!;
  for (let j = 0; j < perPool; j++, i++) {
    const r = registration(policy, i);
    // Distinct identifiers across pools: the workload's fmix32 sequence over the global index.
    const element = { ...r.element, id: BigInt(fmix32(i + 1)) };
    const result = hs.register(handle, element, {
      now: NOW,
      home: OWN_ID,
      association: r.association,
      asapTransport: r.asapTransport,
    });
    if (!result.ok) throw new Error(result.reason);
  }
}
const out: PoolElementEntry[] = [];
for (let p = 0; p < pools; p++) {
  const handle = enc.encode(`Pool${String(p).padStart(4, "0")}`);
  for (const k of [1, 3]) {
    if (hs.resolveInto(handle, k, out) !== Math.min(k, perPool)) throw new Error("resolution");
  }
}
const seconds = (performance.now() - t0) / 1000;
const after = settle();
const n = hs.size;
const perPe = (a: number, b: number): string => ((a - b) / n).toFixed(0);
console.log(`pool elements: ${n} in ${hs.poolCount} pools (built and resolved in ${seconds.toFixed(1)} s)`);
console.log(
  `RSS: ${(after.rss / 2 ** 20).toFixed(0)} MiB total, ${
    perPe(after.rss, before.rss)
  } bytes per PE`,
);
console.log(
  `V8 heap used: ${(after.heapUsed / 2 ** 20).toFixed(0)} MiB, ${
    perPe(after.heapUsed, before.heapUsed)
  } bytes per PE; typed-array (external) memory: ${
    perPe(after.external, before.external)
  } bytes per PE`,
);
if (hs.handlespaceChecksum() !== hs.computeHandlespaceChecksum()) throw new Error("checksum");
