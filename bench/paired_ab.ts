// Paired A/B of handle resolution between this tree ("new") and another checkout of the project
// ("base", e.g. a worktree of main): the way to tell whether a change to the selection path
// helps on a shared, noisy machine, where two table runs of the same code differ by 1.3–1.4×.
//
//   deno run --allow-all bench/paired_ab.ts --base /tmp/main-base [--processes 8]
//     [--policies Priority,LeastUsed] [--sizes 10,1000] [--ks 1,3] [--mode own|mixed]
//     [--pairs 7] [--warmup 600000]
//
// Method: each of --processes child processes imports both trees' bench/_workload.ts, builds
// one pool of N PEs per policy in each tree, warms both up (--warmup calls per k on a twin pool,
// as bench/handlespace_table.ts), then times --pairs pairs of 200000-call blocks by CPU time,
// base and new alternating within the pair order; the cell's ratio is median(new) /
// median(base). Every other process swaps which tree is imported, warmed and timed first and
// which of two identical timing functions each tree gets: a process tends to stay in one fast
// or slow state throughout, and a fixed order turns that into a false gain (same code against
// itself: 0.70–1.33× per process with a fixed order, 0.84–1.12× counterbalanced over eight).
// The parent prints per cell the geometric mean of the processes' ratios, their median and
// range; > 1 means the new tree is faster. --mode mixed first runs every policy of both trees
// (N = 1000, k = 1 and 3), like a registrar serving pools of many policies.
//
// (--child is the internal mode of a child process; it prints one JSON line per cell.)

import { parseArgs } from "node:util";
import { baseDir, runPairedChildren } from "./_paired_processes.ts";
import type { Handlespace, PoolElementEntry } from "../core/handlespace/mod.ts";
import { cpuMs, geometricMean, median, positiveInts } from "./_stats.ts";

type Workload = typeof import("./_workload.ts");

interface CellResult {
  readonly policy: string;
  readonly n: number;
  readonly k: number;
  readonly base: number;
  readonly new: number;
}

const { values: opts } = parseArgs({
  args: Deno.args,
  options: {
    base: { type: "string" },
    processes: { type: "string", default: "8" },
    policies: { type: "string" },
    sizes: { type: "string", default: "10,1000" },
    ks: { type: "string", default: "1,3" },
    mode: { type: "string", default: "own" },
    pairs: { type: "string", default: "7" },
    warmup: { type: "string", default: "600000" },
    child: { type: "boolean", default: false },
    swap: { type: "boolean", default: false },
  },
});

const BASE_DIR = baseDir(opts.base);
const PROCESSES = positiveInts("processes", opts.processes!)[0]!;
const SIZES = positiveInts("sizes", opts.sizes!);
const KS = positiveInts("ks", opts.ks!);
const PAIRS = positiveInts("pairs", opts.pairs!)[0]!;
const WARMUP = positiveInts("warmup", opts.warmup!)[0]!;
const MODE = opts.mode!;
if (MODE !== "own" && MODE !== "mixed") throw new RangeError(`--mode ${MODE}: use own or mixed`);
const BLOCK = 200000;

// Two identical timing functions, so that the harness's own call site of resolveInto sees one
// tree only (a shared one would be polymorphic and slower for whichever tree came second).
function timeBlockA(hs: Handlespace, handle: Uint8Array, k: number, calls: number): number {
  const out: PoolElementEntry[] = [];
  let got = 0;
  const t0 = cpuMs();
  for (let i = 0; i < calls; i++) got += hs.resolveInto(handle, k, out);
  const ms = cpuMs() - t0;
  if (got < calls) throw new Error(`resolution returned fewer than ${calls} pool elements`);
  return calls / ms / 1000;
}

function timeBlockB(hs: Handlespace, handle: Uint8Array, k: number, calls: number): number {
  const out: PoolElementEntry[] = [];
  let got = 0;
  const t0 = cpuMs();
  for (let i = 0; i < calls; i++) got += hs.resolveInto(handle, k, out);
  const ms = cpuMs() - t0;
  if (got < calls) throw new Error(`resolution returned fewer than ${calls} pool elements`);
  return calls / ms / 1000;
}

async function runChild(): Promise<void> {
  const baseUrl = new URL(`file://${BASE_DIR}/bench/_workload.ts`);
  const newUrl = new URL("./_workload.ts", import.meta.url);
  // Which tree goes first (import, warm-up, timing within a pair) alternates per process.
  const swap = opts.swap!;
  const first: Workload = await import(swap ? baseUrl.href : newUrl.href);
  const second: Workload = await import(swap ? newUrl.href : baseUrl.href);
  const base = swap ? first : second, fresh = swap ? second : first;
  const timeBase = swap ? timeBlockB : timeBlockA, timeNew = swap ? timeBlockA : timeBlockB;
  const wanted = opts.policies?.split(",");
  const names = fresh.BENCH_POLICIES.map((p) => p.name);
  for (const name of wanted ?? []) {
    if (!names.includes(name)) throw new RangeError(`--policies: unknown policy ${name}`);
  }
  const pick = (w: Workload) => w.BENCH_POLICIES.filter((p) => !wanted || wanted.includes(p.name));
  const basePolicies = pick(base), newPolicies = pick(fresh);
  if (basePolicies.length !== newPolicies.length) {
    throw new Error("the base tree does not have the same benchmark policies as this one");
  }
  // Both in the given order, base first unless swapped.
  const both = (a: () => void, b: () => void) => swap ? (b(), a()) : (a(), b());
  if (MODE === "mixed") {
    for (let i = 0; i < base.BENCH_POLICIES.length; i++) {
      const hb = base.filledHandlespace(base.BENCH_POLICIES[i]!, 1000);
      const hn = fresh.filledHandlespace(fresh.BENCH_POLICIES[i]!, 1000);
      for (const k of [1, 3]) {
        both(
          () => timeBase(hb, base.POOL_HANDLE, k, BLOCK),
          () => timeNew(hn, fresh.POOL_HANDLE, k, BLOCK),
        );
      }
    }
  }
  for (let p = 0; p < basePolicies.length; p++) {
    for (const n of SIZES) {
      const twinBase = base.filledHandlespace(basePolicies[p]!, n);
      const twinNew = fresh.filledHandlespace(newPolicies[p]!, n);
      for (const k of KS) {
        both(
          () => timeBase(twinBase, base.POOL_HANDLE, k, WARMUP),
          () => timeNew(twinNew, fresh.POOL_HANDLE, k, WARMUP),
        );
      }
      const hb = base.filledHandlespace(basePolicies[p]!, n);
      const hn = fresh.filledHandlespace(newPolicies[p]!, n);
      for (const k of KS) {
        both(
          () => timeBase(hb, base.POOL_HANDLE, k, 20000),
          () => timeNew(hn, fresh.POOL_HANDLE, k, 20000),
        );
        const xb: number[] = [], xn: number[] = [];
        for (let r = 0; r < PAIRS; r++) {
          const b = () => xb.push(timeBase(hb, base.POOL_HANDLE, k, BLOCK));
          const m = () => xn.push(timeNew(hn, fresh.POOL_HANDLE, k, BLOCK));
          if (r % 2 === 0) both(b, m);
          else both(m, b);
        }
        const cell: CellResult = {
          policy: basePolicies[p]!.name,
          n,
          k,
          base: median(xb),
          new: median(xn),
        };
        console.log(JSON.stringify(cell));
      }
    }
  }
}

async function runParent(): Promise<void> {
  const script = new URL(import.meta.url).pathname;
  const cells = new Map<string, { base: number[]; new: number[]; ratio: number[] }>();
  await runPairedChildren<CellResult>("paired A/B", script, PROCESSES, (c) => {
    const key = `${c.policy}|${c.n}|${c.k}`;
    const entry = cells.get(key) ?? { base: [], new: [], ratio: [] };
    entry.base.push(c.base);
    entry.new.push(c.new);
    entry.ratio.push(c.new / c.base);
    cells.set(key, entry);
  });
  console.log(
    `Paired A/B, ${MODE} setting, ${PROCESSES} processes (order swapped in every other), ` +
      `${PAIRS} pairs of ${BLOCK}-call blocks per cell, CPU clock; ratio = new / base ` +
      `(> 1: this tree is faster)\n`,
  );
  console.log(
    "| Policy | N | k | base (M/s) | new (M/s) | ratio, geometric mean | median | range |",
  );
  console.log("|---|---|---|---|---|---|---|---|");
  const all: number[] = [];
  for (const [key, e] of cells) {
    const [policy, n, k] = key.split("|");
    all.push(...e.ratio);
    console.log(
      `| ${policy} | ${n} | ${k} | ${median(e.base).toFixed(1)} | ${median(e.new).toFixed(1)} | ` +
        `${geometricMean(e.ratio).toFixed(3)} | ${median(e.ratio).toFixed(3)} | ` +
        `${Math.min(...e.ratio).toFixed(2)}–${Math.max(...e.ratio).toFixed(2)} |`,
    );
  }
  console.log(`\nAll cells: geometric mean ${geometricMean(all).toFixed(3)}`);
}

if (opts.child) await runChild();
else await runParent();
