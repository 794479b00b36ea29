// Jobs through a compute pool, with real processes on loopback (`deno task bench`, or
// `deno bench --allow-all bench/compute_pool_bench.ts`). A registrar and compute pool elements
// (`server --compute`) run as separate Deno processes; every iteration runs one whole job in the
// bench process (`runComputeJob`: splits the range, keeps several sessions open to the pool,
// assembles the result) and fails unless the job completes with the exact prime count and no
// unit counted twice. iter/s is jobs per second.
//
// Groups:
//   - "pool of 4 vs 1, paced": capacity-1 pool elements whose slots sieve 2·10⁶ numbers/s and
//     sleep the rest of the time, as pool elements on machines of their own would;
//   - "pool of 4 vs 1, CPU-bound": the sieve as fast as the processor allows (on this machine
//     the pool elements share its cores, so this scales with cores, not members);
//   - "policies, capacities 1, 1, 4": one pool of three paced pool elements of capacities 1, 1
//     and 4 (6 slots), 6 sessions, the pool's policy varied (a registrar and pool per policy).
// Each job starts on an idle pool (see job()). When the bench process ends it prints, for the policy group, the share of units each capacity
// class computed (the 4× pool element holds 4/6 of the slots).
// Figures: bench/README.md, "Sessions and distributed computing".

import { runComputeJob } from "../adapters/cli/compute_client.ts";
import type { ComputeJobReport } from "../adapters/cli/compute_client.ts";
import { primesBelow, startComputePe, startRegistrar } from "../tests/e2e/_session_procs.ts";
import { fixture, track } from "./_process_fixture.ts";

interface Workload {
  readonly capacities: readonly number[];
  readonly rate: number;
  readonly to: number;
  readonly units: number;
  readonly sessions: number;
  readonly policy?: string;
}

const PACED = { rate: 2_000_000, to: 8_000_000, units: 16, sessions: 8 };
const CPU = { rate: 0, to: 100_000_000, units: 20, sessions: 8 };
const MIXED = { capacities: [1, 1, 4], rate: 2_000_000, to: 12_000_000, units: 24, sessions: 6 };
const PRIMES = new Map<number, number>([
  [PACED.to, primesBelow(PACED.to)],
  [MIXED.to, primesBelow(MIXED.to)],
  [CPU.to, 5_761_455], // π(10⁸)
]);

/** A registrar and the workload's pool elements; resolves with the registrar's port. */
function pool(w: Workload): Promise<{ port: number; capacityOf: Map<string, number> }> {
  return fixture(JSON.stringify(w), async () => {
    const pr = await startRegistrar();
    track(pr.proc);
    const pes = await Promise.all(
      w.capacities.map((c) =>
        startComputePe(pr.port, c, w.rate, w.policy === undefined ? {} : { policy: w.policy })
      ),
    );
    for (const pe of pes) track(pe.proc);
    return {
      value: {
        port: pr.port,
        capacityOf: new Map(pes.map((pe, i) => [pe.id, w.capacities[i]!])),
      },
      close: async () => {
        for (const pe of pes) await pe.proc.stop();
        await pr.proc.stop();
      },
    };
  });
}

/**
 * Runs one job on the workload's pool, timed from b.start() to b.end(); throws unless its result
 * is exact. The job starts on an idle pool: 300 ms after the previous one (outside the timed
 * part), so the pool elements' load reports of 0 have reached the registrar (a pool element
 * re-registers load changes at most every 250 ms, policyUpdateInterval; back to back, the next
 * job's sessions would be placed on the loads of the last one's end).
 */
async function job(b: Deno.BenchContext, w: Workload): Promise<ComputeJobReport> {
  const { port } = await pool(w);
  await new Promise((resolve) => setTimeout(resolve, 300));
  b.start();
  const report = await runComputeJob({
    registrars: [`127.0.0.1:${port}`],
    to: w.to,
    units: w.units,
    sessions: w.sessions,
  });
  b.end();
  const expected = PRIMES.get(w.to);
  if (!report.complete || report.duplicates !== 0 || report.primes !== expected) {
    throw new Error(
      `job wrong: ${report.done} of ${report.units} units, ${report.duplicates} duplicates, ` +
        `${report.primes} primes (expected ${expected})`,
    );
  }
  return report;
}

for (const [label, w] of [["paced", PACED], ["CPU-bound", CPU]] as const) {
  const group = `pool of 4 vs 1, ${label}`;
  Deno.bench({
    name: `1 pool element: [0, ${w.to}) in ${w.units} units`,
    group,
    baseline: true,
    n: 3,
    warmup: 1,
  }, async (b) => {
    await job(b, { ...w, capacities: [1] });
  });
  Deno.bench({
    name: `4 pool elements: [0, ${w.to}) in ${w.units} units`,
    group,
    n: 3,
    warmup: 1,
  }, async (b) => {
    await job(b, { ...w, capacities: [1, 1, 1, 1] });
  });
}

const POLICIES = [
  "RoundRobin",
  "Random",
  "WeightedRoundRobin",
  "LeastUsed",
  "LeastUsedDegradation",
  "WeightedLeastUsed",
];
/** Units per capacity class, per policy, over all its jobs. */
const shares = new Map<string, Map<number, number>>();

for (const policy of POLICIES) {
  Deno.bench({
    name: policy,
    group: "policies, capacities 1, 1, 4",
    baseline: policy === "RoundRobin",
    n: 3,
    warmup: 1,
  }, async (b) => {
    const w = { ...MIXED, policy };
    const report = await job(b, w);
    const { capacityOf } = await pool(w);
    const byClass = shares.get(policy) ?? new Map<number, number>();
    for (const [pe, units] of Object.entries(report.perPoolElement)) {
      const c = capacityOf.get(pe) ?? 0;
      byClass.set(c, (byClass.get(c) ?? 0) + units);
    }
    shares.set(policy, byClass);
  });
}

globalThis.addEventListener("unload", () => {
  if (shares.size === 0) return;
  console.log("\nShare of the units by capacity class (policies, capacities 1, 1, 4):");
  for (const [policy, byClass] of shares) {
    const total = [...byClass.values()].reduce((a, b) => a + b, 0);
    const part = (c: number) => `${((100 * (byClass.get(c) ?? 0)) / total).toFixed(0)} %`;
    console.log(`  ${policy}: the two 1× ${part(1)}, the 4× ${part(4)}`);
  }
});
