// Job throughput of a compute pool of 4 pool elements against 1, with real processes on
// loopback:
//   deno run --allow-all bench/compute_throughput.ts [--runs 3]
// A registrar and capacity-1 compute pool elements run as separate Deno processes; the job runs
// in this process (runComputeJob, 8 sessions). Two workloads:
//   - cpu: units are pure computation (the sieve runs as fast as the processor allows), so the
//     pool scales with the machine's cores, not with the number of pool elements;
//   - paced: each slot sieves 2,000,000 numbers per second (the rest of the time it sleeps), as
//     pool elements on machines of their own would, so the pool scales with its members.
// Prints JSON lines and a summary (median of the runs); figures: bench/README.md,
// "Sessions and distributed computing".

import process from "node:process";
import { availableParallelism } from "node:os";
import { runComputeJob } from "../adapters/cli/compute_client.ts";
import { type Proc, startComputePe, startRegistrar } from "../tests/e2e/_session_procs.ts";

const i = process.argv.indexOf("--runs");
const RUNS = i < 0 ? 3 : Number(process.argv[i + 1]);

const WORKLOADS = {
  cpu: { rate: 0, to: 300_000_000, units: 60 },
  paced: { rate: 2_000_000, to: 20_000_000, units: 40 },
} as const;

async function job(pes: number, workload: keyof typeof WORKLOADS): Promise<number> {
  const w = WORKLOADS[workload];
  const pr = await startRegistrar();
  const procs: Proc[] = [];
  try {
    for (let k = 0; k < pes; k++) procs.push((await startComputePe(pr.port, 1, w.rate)).proc);
    const report = await runComputeJob({
      registrars: [`127.0.0.1:${pr.port}`],
      to: w.to,
      units: w.units,
      sessions: 8,
    });
    if (!report.complete) throw new Error(`job incomplete: ${report.done} of ${report.units}`);
    console.log(
      JSON.stringify({ workload, pes, elapsedMs: report.elapsedMs, primes: report.primes }),
    );
    return report.elapsedMs;
  } finally {
    for (const p of procs) await p.stop();
    await pr.proc.stop();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: string[] = [];
for (const workload of Object.keys(WORKLOADS) as (keyof typeof WORKLOADS)[]) {
  const w = WORKLOADS[workload];
  const t: Record<number, number> = {};
  for (const pes of [1, 4]) {
    const runs: number[] = [];
    for (let r = 0; r < RUNS; r++) runs.push(await job(pes, workload));
    t[pes] = median(runs);
  }
  const perSecond = (ms: number) => (w.to / ms / 1000).toFixed(1);
  rows.push(
    `| ${workload} | ${(t[1]! / 1000).toFixed(2)} s (${perSecond(t[1]!)} M/s) | ${
      (t[4]! / 1000).toFixed(2)
    } s (${perSecond(t[4]!)} M/s) | ${(t[1]! / t[4]!).toFixed(2)}× |`,
  );
}
console.log(
  `\n${availableParallelism()} cores; median of ${RUNS} runs; M/s = million numbers sieved per second`,
);
console.log("| Workload | 1 PE | 4 PEs | Speed-up |");
console.log("|---|---:|---:|---:|");
for (const r of rows) console.log(r);
