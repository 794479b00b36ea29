// Paired A/B of the lifecycle phases (registration, re-registration with the load changed and
// with identical values, deregistration) between this tree ("new") and another checkout of the
// project ("base", e.g. a worktree of main): the lifecycle counterpart of bench/paired_ab.ts.
//
//   deno run --allow-all bench/paired_lifecycle.ts --base /tmp/main-base [--processes 8]
//     [--policies Priority,LeastUsed] [--sizes 1000,10000] [--pairs 11] [--ops 20000]
//     [--separate-sets]
//
// Method: each of --processes child processes imports both trees' bench/_cases.ts and runs their
// own `lifecycleBlock` (one fresh handlespace per cycle, as bench/handlespace_table.ts does from
// N = 100 on) in blocks of ⌈--ops / N⌉ cycles, timed by CPU time, after three warm-up blocks of
// each; --pairs pairs of blocks alternate base and new within the pair order. A cell's ratio per
// process is median(new) / median(base) of the blocks' operations per second. Every other process
// swaps which tree is imported, warmed and timed first (a process tends to stay in one fast or
// slow state throughout). Both trees register the same registration objects (--separate-sets:
// each tree its own, built base first, as until wave 15): at N = 10000 an update reads ~10 cache
// lines of its own and the stored transport's objects, and where those lie in the heap decides
// much of its time, so with two sets main against a copy of itself measured identical
// re-registration 0.73 / 1.30 (RR) depending on which set was built first (wave 15 `rereg2`);
// with one set 0.92–1.01. The parent prints per cell and phase the geometric mean of the
// processes' ratios and their range; > 1 means the new tree is faster. Main against itself gave
// registration cells of 0.92–1.01 (geometric mean 0.98) over six processes under load 5–6.
//
// (--child is the internal mode of a child process; it prints one JSON line per cell.)

import { parseArgs } from "node:util";
import { baseDir, runPairedChildren } from "./_paired_processes.ts";
import { geometricMean, median, positiveInts } from "./_stats.ts";

type Cases = typeof import("./_cases.ts");
type Workload = typeof import("./_workload.ts");

const PHASES = ["registration", "updateChanged", "updateIdentical", "deregistration"] as const;
type Phase = (typeof PHASES)[number];

interface CellResult {
  readonly policy: string;
  readonly n: number;
  /** Per phase: [base, new] medians in million operations per second. */
  readonly phases: Record<Phase, [number, number]>;
}

const { values: opts } = parseArgs({
  args: Deno.args,
  options: {
    base: { type: "string" },
    processes: { type: "string", default: "8" },
    policies: {
      type: "string",
      default:
        "WeightedRoundRobin,Priority,LeastUsed,PriorityLeastUsed,WeightedRandom,RandomizedLeastUsed",
    },
    sizes: { type: "string", default: "1000,10000" },
    pairs: { type: "string", default: "11" },
    ops: { type: "string", default: "20000" },
    child: { type: "boolean", default: false },
    swap: { type: "boolean", default: false },
    "separate-sets": { type: "boolean", default: false },
  },
});

const BASE_DIR = baseDir(opts.base);
const PROCESSES = positiveInts("processes", opts.processes!)[0]!;
const SIZES = positiveInts("sizes", opts.sizes!);
const PAIRS = positiveInts("pairs", opts.pairs!)[0]!;
const OPS = positiveInts("ops", opts.ops!)[0]!;
const POLICIES = opts.policies!.split(",");
const SEPARATE_SETS = opts["separate-sets"]!;

interface Tree {
  readonly cases: Cases;
  readonly workload: Workload;
}

async function load(dir: string): Promise<Tree> {
  const cases: Cases = await import(new URL(`file://${dir}/bench/_cases.ts`).href);
  const workload: Workload = await import(new URL(`file://${dir}/bench/_workload.ts`).href);
  cases.useCpuClock();
  return { cases, workload };
}

// One block: `cycles` lifecycle cycles of one tree, the phases' operations per second (millions).
function block(tree: Tree, sets: ReturnType<Cases["lifecycleSets"]>, cycles: number) {
  const ns: Record<Phase, number> = {
    registration: 0,
    updateChanged: 0,
    updateIdentical: 0,
    deregistration: 0,
  };
  let ops = 0;
  for (let c = 0; c < cycles; c++) {
    const s = tree.cases.lifecycleBlock(sets, 1);
    for (const ph of PHASES) ns[ph] += s[ph].ns;
    ops += s.registration.ops;
  }
  const out = {} as Record<Phase, number>;
  for (const ph of PHASES) out[ph] = ops / ns[ph] * 1000;
  return out;
}

async function runChild(): Promise<void> {
  const newDir = new URL("..", import.meta.url).pathname.replace(/\/+$/, "");
  const swap = opts.swap!;
  // Which tree goes first (import, warm-up, timing within a pair) alternates per process.
  const first = await load(swap ? BASE_DIR : newDir);
  const second = await load(swap ? newDir : BASE_DIR);
  const base = swap ? first : second, fresh = swap ? second : first;
  const names = fresh.workload.BENCH_POLICIES.map((p) => p.name);
  for (const name of POLICIES) {
    if (!names.includes(name)) throw new RangeError(`--policies: unknown policy ${name}`);
  }
  const policyOf = (t: Tree, name: string) =>
    t.workload.BENCH_POLICIES.find((p) => p.name === name)!;
  for (const name of POLICIES) {
    for (const n of SIZES) {
      // Both trees re-register the same objects (built by the tree that goes first), unless
      // --separate-sets: where a set's objects lie in the heap moves the updates at N = 10000 by
      // up to 1.5x either way, so two sets made one tree "faster" than the other (see the header).
      const first = swap ? base : fresh;
      const setsBase = SEPARATE_SETS
        ? base.cases.lifecycleSets(policyOf(base, name), n)
        : first.cases.lifecycleSets(policyOf(first, name), n);
      const setsNew = SEPARATE_SETS
        ? fresh.cases.lifecycleSets(policyOf(fresh, name), n)
        : setsBase;
      const cycles = Math.max(1, Math.ceil(OPS / n));
      const timeBase = () => block(base, setsBase, cycles);
      const timeNew = () => block(fresh, setsNew, cycles);
      for (let w = 0; w < 3; w++) {
        if (swap) timeBase(), timeNew();
        else timeNew(), timeBase();
      }
      const xb: Record<Phase, number>[] = [], xn: Record<Phase, number>[] = [];
      for (let p = 0; p < PAIRS; p++) {
        if ((p % 2 === 0) !== swap) {
          xb.push(timeBase());
          xn.push(timeNew());
        } else {
          xn.push(timeNew());
          xb.push(timeBase());
        }
      }
      const phases = {} as Record<Phase, [number, number]>;
      for (const ph of PHASES) {
        phases[ph] = [median(xb.map((x) => x[ph])), median(xn.map((x) => x[ph]))];
      }
      const cell: CellResult = { policy: name, n, phases };
      console.log(JSON.stringify(cell));
    }
  }
}

async function runParent(): Promise<void> {
  const script = new URL(import.meta.url).pathname;
  const cells = new Map<
    string,
    Record<Phase, { base: number[]; new: number[]; ratio: number[] }>
  >();
  await runPairedChildren<CellResult>("paired lifecycle", script, PROCESSES, (c) => {
    const key = `${c.policy}|${c.n}`;
    let entry = cells.get(key);
    if (entry === undefined) {
      entry = {} as Record<Phase, { base: number[]; new: number[]; ratio: number[] }>;
      for (const ph of PHASES) entry[ph] = { base: [], new: [], ratio: [] };
      cells.set(key, entry);
    }
    for (const ph of PHASES) {
      const [b, m] = c.phases[ph];
      entry[ph].base.push(b);
      entry[ph].new.push(m);
      entry[ph].ratio.push(m / b);
    }
  });
  console.log(
    `Paired lifecycle A/B, ${PROCESSES} processes (order swapped in every other), ${PAIRS} pairs ` +
      `of blocks of ${OPS} operations per cell, CPU clock; ratio = new / base (> 1: this tree is ` +
      `faster)\n`,
  );
  console.log("| Policy | N | phase | base (M/s) | new (M/s) | ratio, geometric mean | range |");
  console.log("|---|---|---|---|---|---|---|");
  const all: Record<Phase, number[]> = {
    registration: [],
    updateChanged: [],
    updateIdentical: [],
    deregistration: [],
  };
  for (const [key, e] of cells) {
    const [policy, n] = key.split("|");
    for (const ph of PHASES) {
      const x = e[ph];
      all[ph].push(...x.ratio);
      console.log(
        `| ${policy} | ${n} | ${ph} | ${median(x.base).toFixed(2)} | ${
          median(x.new).toFixed(2)
        } | ` +
          `${geometricMean(x.ratio).toFixed(3)} | ${Math.min(...x.ratio).toFixed(2)}–${
            Math.max(...x.ratio).toFixed(2)
          } |`,
      );
    }
  }
  console.log();
  for (const ph of PHASES) {
    console.log(`${ph}: geometric mean ${geometricMean(all[ph]).toFixed(3)}`);
  }
}

if (opts.child) await runChild();
else await runParent();
