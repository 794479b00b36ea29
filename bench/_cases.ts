// The measured operations of the handlespace benchmarks, shared by `deno bench`
// (handlespace_bench.ts) and the table script (handlespace_table.ts), so both time the same code.
// Each function does one timed block and returns how many operations it did and how long it
// took; setup that bench-reference.md keeps outside the timed blocks stays outside.

import process from "node:process";
import type { Handlespace, PoolElementEntry } from "../core/handlespace/mod.ts";
import type { Entry } from "../core/handlespace/_entry.ts";
import { ChecksumAccumulator, partial16, tsChecksumKernel } from "../core/handlespace/checksum.ts";
import { idWordSum16 } from "../core/handlespace/_partial.ts";
import type { PoolPolicy, SelectionKernel } from "../core/policy/mod.ts";
import {
  fmix32,
  newHandlespace,
  POOL_HANDLE,
  registerAll,
  type Registration,
  registrations,
} from "./_workload.ts";

/**
 * The clock of the timed blocks, in milliseconds: wall time (`performance.now()`, default) or the
 * process's CPU time (user + system, `useCpuClock()`), which on a shared machine does not count
 * the time other jobs hold the core; on an idle core the two agree.
 */
let clock: () => number = () => performance.now();

/** Times the blocks by the process's CPU time instead of wall time (see `clock`). */
export function useCpuClock(): void {
  clock = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
}

/** A timed block: operations done and nanoseconds taken. */
export interface Sample {
  readonly ops: number;
  readonly ns: number;
}

/** Millions of operations per second of a sample. */
export function mops(s: Sample): number {
  return s.ops / s.ns * 1000;
}

/** Handle resolution: `calls` calls of k PEs on one pool. */
export function resolveBlock(hs: Handlespace, k: number, calls: number): Sample {
  const out: PoolElementEntry[] = [];
  const handle = POOL_HANDLE;
  let sink = 0;
  const t0 = clock();
  for (let i = 0; i < calls; i++) sink += hs.resolveInto(handle, k, out);
  const ns = (clock() - t0) * 1e6;
  if (sink !== calls * k && sink < calls) throw new Error("bench resolution returned too little");
  return { ops: calls, ns };
}

/**
 * Lifecycle phases of bench-reference.md operations 1–4 on `batch` fresh handlespaces at once
 * (so that small N is not dominated by the clock): registration of PEs 0 … n−1, re-registration
 * with the load changed (cycle r), re-registration with identical values (fresh but equal
 * objects, as a decoder produces), deregistration.
 */
export interface LifecycleSample {
  readonly registration: Sample;
  readonly updateChanged: Sample;
  readonly updateIdentical: Sample;
  readonly deregistration: Sample;
}

/** The registration sets of one (policy, N) for lifecycleBlock, built once (untimed). */
export interface LifecycleSets {
  /** PEs 0 … N−1 as registered first. */
  readonly initial: readonly Registration[];
  /** The same PEs with the load changed (cycle r = 1). */
  readonly changed: readonly Registration[];
  /** Fresh pool elements equal to `changed` (a decoder produces new objects per message). */
  readonly identical: readonly Registration[];
  /** The identifiers, for deregistration. */
  readonly ids: readonly bigint[];
}

export function lifecycleSets(policy: PoolPolicy, n: number): LifecycleSets {
  const initial = registrations(policy, n);
  return {
    initial,
    changed: registrations(policy, n, 1, initial),
    identical: registrations(policy, n, 1, initial),
    ids: initial.map((x) => x.element.id),
  };
}

export function lifecycleBlock(
  sets: LifecycleSets,
  batch: number,
  kernel?: SelectionKernel,
): LifecycleSample {
  const n = sets.initial.length;
  const spaces = Array.from({ length: batch }, () => newHandlespace(1, kernel));
  const time = (phase: (hs: Handlespace) => void): Sample => {
    const t0 = clock();
    for (let b = 0; b < batch; b++) phase(spaces[b]!);
    return { ops: n * batch, ns: (clock() - t0) * 1e6 };
  };
  const registration = time((hs) => registerAll(hs, sets.initial));
  const updateChanged = time((hs) => registerAll(hs, sets.changed));
  const updateIdentical = time((hs) => registerAll(hs, sets.identical));
  const ids = sets.ids;
  const deregistration = time((hs) => {
    for (let i = 0; i < n; i++) hs.deregister(POOL_HANDLE, ids[i]!);
  });
  for (const hs of spaces) if (hs.size !== 0) throw new Error("bench deregistration left PEs");
  return { registration, updateChanged, updateIdentical, deregistration };
}

/**
 * Handlespaces per lifecycle block. RSPLIB's method (bench-reference.md operation 1) runs each
 * cycle on a new handlespace of its own and adds up the phase times, so a phase works on one
 * pool of N PEs, in cache. A timed block here needs about 100 operations: the CPU clock reads
 * at 1 µs resolution and one read costs ~1.3 µs, so 100 operations (30–100 µs) keep the
 * clock's share near the 3 % that the reference's clock reads add at N = 10. Hence one
 * handlespace per block from N = 100 on and ten at N = 10: the fewest that give a measurable
 * block. (Until wave 7 a block held ⌊10000 / N⌋ handlespaces below N = 1000, a thousand pools
 * of 10 PEs at N = 10: ~10 MB of working set, beyond L2, where the reference touches one pool;
 * updates and deregistrations at N = 10 measured at half speed that way.)
 */
export function lifecycleBatch(n: number): number {
  return Math.max(1, Math.ceil(100 / n));
}

/** What checksum (a) works on: PE records and their identifiers' word sums. */
export interface ChecksumRecords {
  /** The handlespace's own records, in registration order. */
  readonly entries: Entry[];
  /** Each entry's identifier word sum (Internet-16), by the same index. */
  readonly idWords: Float64Array;
}

/**
 * The PEs of a bench handlespace (bench/_workload.ts: pool "EchoPool", ids fmix32(i + 1)) in
 * registration order, as the handlespace's own records (checksum (a) works on their fields),
 * with their identifiers' word sums computed once.
 */
export function checksumEntries(hs: Handlespace, n: number): ChecksumRecords {
  const entries = Array.from(
    { length: n },
    (_, i) => hs.find(POOL_HANDLE, BigInt(fmix32(i + 1))) as Entry,
  );
  return { entries, idWords: Float64Array.from(entries, (e) => idWordSum16(e.id)) };
}

/**
 * Checksum (a): the incremental update of one PE entry as RSPLIB does it on every
 * re-registration, on the handlespace's own PE records: subtract the entry's partial sum from a
 * handlespace and an ownership accumulator, recompute it from its pool's handle word sum and
 * its identifier's word sum (both kept as numbers: the identifiers' word sums in an array
 * beside the entries, see {@link checksumEntries}; RSPLIB re-sums the 8 handle and 4 identifier
 * bytes), store it in the entry, add it to both. Over all PEs in registration order, `repeat`
 * times.
 */
export function checksumUpdateBlock(records: ChecksumRecords, repeat: number): Sample {
  const { entries, idWords } = records;
  const n = entries.length, ops = n * repeat;
  const { total, owned, before } = primedAccumulators(entries);
  // One flat loop (a nested loop over small n would leave V8's on-stack-replaced inner loop,
  // and deoptimise, every n updates).
  const t0 = clock();
  for (let k = 0, i = 0; k < ops; k++) {
    const e = entries[i]!;
    const old = e.partial;
    total.sub(old);
    owned.sub(old);
    const p = e.pool.handleSum + idWords[i]!;
    e.partial = p;
    total.add(p);
    owned.add(p);
    if (++i === n) i = 0;
  }
  const ns = (clock() - t0) * 1e6;
  checkNoDrift(total, owned, before);
  return { ops, ns };
}

/**
 * Checksum (a) as {@link checksumUpdateBlock}, but each identifier's words are read from its
 * bigint (`partial16`: range check and word extraction) instead of a precomputed word sum.
 */
export function checksumUpdateBigintBlock(records: ChecksumRecords, repeat: number): Sample {
  const entries = records.entries, n = entries.length, ops = n * repeat;
  const { total, owned, before } = primedAccumulators(entries);
  const t0 = clock();
  for (let k = 0, i = 0; k < ops; k++) {
    const e = entries[i]!;
    const old = e.partial;
    total.sub(old);
    owned.sub(old);
    const p = partial16(e.pool.handleSum, e.id);
    e.partial = p;
    total.add(p);
    owned.add(p);
    if (++i === n) i = 0;
  }
  const ns = (clock() - t0) * 1e6;
  checkNoDrift(total, owned, before);
  return { ops, ns };
}

// Checksum (a)'s handlespace and ownership accumulators, each holding every entry's partial
// sum, and their value before the updates.
function primedAccumulators(
  entries: Entry[],
): { total: ChecksumAccumulator; owned: ChecksumAccumulator; before: number } {
  const total = new ChecksumAccumulator(16), owned = new ChecksumAccumulator(16);
  for (const e of entries) {
    total.add(e.partial);
    owned.add(e.partial);
  }
  return { total, owned, before: total.value() };
}

// Updates that recompute every partial sum as it was leave both values unchanged.
function checkNoDrift(
  total: ChecksumAccumulator,
  owned: ChecksumAccumulator,
  before: number,
): void {
  if (total.value() !== before || owned.value() !== before) throw new Error("checksum drifted");
}

/** Checksum (b): full recomputation over the whole handlespace, `repeat` times. */
export function checksumRecomputeBlock(hs: Handlespace, repeat: number): Sample {
  const expected = hs.handlespaceChecksum();
  let ok = true;
  const t0 = clock();
  for (let r = 0; r < repeat; r++) ok = hs.computeHandlespaceChecksum() === expected && ok;
  const ns = (clock() - t0) * 1e6;
  if (!ok) throw new Error("recomputed checksum differs");
  return { ops: repeat, ns };
}

/** Checksum (c): reading the finished handlespace value, `calls` times. */
export function checksumReadBlock(hs: Handlespace, calls: number): Sample {
  let x = 0;
  const t0 = clock();
  for (let i = 0; i < calls; i++) x ^= hs.handlespaceChecksum();
  const ns = (clock() - t0) * 1e6;
  if (x === -1) throw new Error("unreachable");
  return { ops: calls, ns };
}

/** Checksum (d): the Internet-16 routine over a byte buffer, `repeat` times; ops are bytes. */
export function checksumBufferBlock(buffer: Uint8Array, repeat: number): Sample {
  let x = 0;
  const t0 = clock();
  for (let r = 0; r < repeat; r++) x ^= tsChecksumKernel.sum16(buffer, 0, buffer.length);
  const ns = (clock() - t0) * 1e6;
  if (x === -1) throw new Error("unreachable");
  return { ops: buffer.length * repeat, ns };
}

/** A deterministic buffer of n bytes. */
export function buffer(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = fmix32(i) & 0xff;
  return b;
}
