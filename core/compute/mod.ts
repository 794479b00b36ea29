/**
 * The distributed-computing example service, sans-IO: exact prime counting over ranges
 * ({@link PrimeSieve}), the compute protocol and checkpoint format
 * ({@link encodeComputeMessage}), the pool element's scheduler with checkpoints
 * ({@link ComputeEngine}) and the pool user's job splitting and assembly ({@link JobAssembler}).
 *
 * ```ts
 * import { JobAssembler, PrimeSieve, splitJob } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const sieve = new PrimeSieve();
 * const units = splitJob("demo", 0, 100_000, 4);
 * const job = new JobAssembler(units);
 * for (const u of units) job.accept({ ...u, ...sieve.tally(u.from, u.to), pe: 1n, resumedFrom: -1 });
 * assert.equal(job.count, 9592); // π(100000)
 * ```
 *
 * @module
 */

export * from "./primes.ts";
export * from "./compute_messages.ts";
export * from "./compute_engine.ts";
export * from "./compute_job.ts";
export * from "./compute_load.ts";
