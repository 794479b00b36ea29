// Paired A/B of the lifecycle phases (registration, re-registration with the load changed,
// identical re-registration, deregistration) between this tree ("new") and another checkout of the
// project ("base", e.g. a worktree of main), with the table's method: the companion of
// bench/paired_ab.ts for changes to the register/update/deregister paths.
//
//   deno run --allow-all bench/paired_lifecycle.ts --base /tmp/main-base [--processes 6]
//     [--policies RoundRobin,LeastUsed] [--sizes 1000,10000] [--pairs 5] [--ops 50000]
//
// Method: each of --processes child processes imports both trees' bench/_cases.ts and
// bench/_workload.ts and runs the policies one after the other in one process, as
// bench/handlespace_table.ts does (the nine policies RSPLIB was measured with by default). Per
// (policy, N) both trees build their registration sets and warm up with one lifecycle block of at
// least 10000 operations per phase, then --pairs pairs of samples alternate; a sample is
// ⌈ops / N⌉ cycles (lifecycleBlock: a fresh handlespace per cycle below the batch size, every
// phase timed by CPU time), and the two trees take turns going first within the pairs. Every other
// process swaps which tree is imported, warmed and timed first. A cell's ratio in a process is the
// median of its pairs' ratios new / base; the parent prints per cell the geometric mean of the
// processes' ratios and their range, and per phase the geometric mean over all cells (> 1: this
// tree is faster). Phases whose code a change does not touch show this method's floor (wave 8:
// 0.98–1.04 per phase over 6–8 processes under load 4–7).
//
// (--child is the internal mode of a child process; it prints one JSON line per cell and phase.)

import { parseArgs } from "node:util";

type Cases = typeof import("./_cases.ts");
type Workload = typeof import("./_workload.ts");

const PHASES = ["registration", "updateChanged", "updateIdentical", "deregistration"] as const;

interface CellResult {
  readonly policy: string;
  readonly n: number;
  readonly phase: string;
  readonly base: number;
  readonly new: number;
  readonly ratio: number;
}

const { values: opts } = parseArgs({
  args: Deno.args,
  options: {
    base: { type: "string" },
    processes: { type: "string", default: "6" },
    policies: { type: "string" },
    sizes: { type: "string", default: "1000,10000" },
    pairs: { type: "string", default: "5" },
    ops: { type: "string", default: "50000" },
    child: { type: "boolean", default: false },
    swap: { type: "boolean", default: false },
  },
});

function positiveInts(name: string, text: string): number[] {
  const list = text.split(",").map(Number);
  for (const v of list) {
    if (!Number.isInteger(v) || v <= 0) {
      throw new RangeError(`--${name} ${text}: expected positive integers separated by commas`);
    }
  }
  return list;
}

if (opts.base === undefined) {
  throw new TypeError("--base is required: the path of the other checkout (e.g. /tmp/main-base)");
}
const BASE_DIR = opts.base.replace(/\/+$/, "");
const PROCESSES = positiveInts("processes", opts.processes!)[0]!;
const SIZES = positiveInts("sizes", opts.sizes!);
const PAIRS = positiveInts("pairs", opts.pairs!)[0]!;
const OPS = positiveInts("ops", opts.ops!)[0]!;

function median(list: readonly number[]): number {
  const s = [...list].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function geometricMean(list: readonly number[]): number {
  return Math.exp(list.reduce((sum, v) => sum + Math.log(v), 0) / list.length);
}

interface Tree {
  readonly cases: Cases;
  readonly workload: Workload;
}

async function importTree(dir: URL): Promise<Tree> {
  const cases: Cases = await import(new URL("_cases.ts", dir).href);
  const workload: Workload = await import(new URL("_workload.ts", dir).href);
  cases.useCpuClock();
  return { cases, workload };
}

async function runChild(): Promise<void> {
  const baseDir = new URL(`file://${BASE_DIR}/bench/`);
  const newDir = new URL("./", import.meta.url);
  const swap = opts.swap!;
  const first = await importTree(swap ? baseDir : newDir);
  const second = await importTree(swap ? newDir : baseDir);
  const base = swap ? first : second, fresh = swap ? second : first;
  const wanted = opts.policies?.split(",") ?? [...fresh.workload.REFERENCE_POLICIES];
  const names = fresh.workload.BENCH_POLICIES.map((p) => p.name);
  for (const name of wanted) {
    if (!names.includes(name)) throw new RangeError(`--policies: unknown policy ${name}`);
  }
  const policyOf = (t: Tree, name: string) =>
    t.workload.BENCH_POLICIES.find((p) => p.name === name);
  for (const name of wanted) {
    const bp = policyOf(base, name), np = policyOf(fresh, name);
    if (bp === undefined || np === undefined) {
      throw new Error(`the base tree has no benchmark policy ${name}`);
    }
    for (const n of SIZES) {
      const sides = [
        { t: base, sets: base.cases.lifecycleSets(bp, n), batch: base.cases.lifecycleBatch(n) },
        { t: fresh, sets: fresh.cases.lifecycleSets(np, n), batch: fresh.cases.lifecycleBatch(n) },
      ];
      const order = swap ? [1, 0] : [0, 1];
      for (const i of order) {
        const s = sides[i]!;
        s.t.cases.lifecycleBlock(s.sets, Math.max(s.batch, Math.ceil(10000 / n)));
      }
      const cycles = Math.max(1, Math.round(Math.ceil(OPS / n) / sides[0]!.batch));
      // Million operations per second per phase, per side, one entry per sample.
      const mops = [PHASES.map(() => [] as number[]), PHASES.map(() => [] as number[])];
      const sample = (i: number) => {
        const s = sides[i]!;
        const ns = [0, 0, 0, 0], ops = [0, 0, 0, 0];
        for (let c = 0; c < cycles; c++) {
          const one = s.t.cases.lifecycleBlock(s.sets, s.batch);
          PHASES.forEach((ph, j) => {
            ns[j]! += one[ph].ns;
            ops[j]! += one[ph].ops;
          });
        }
        PHASES.forEach((_, j) => mops[i]![j]!.push((ops[j]! / ns[j]!) * 1000));
      };
      for (let p = 0; p < PAIRS; p++) {
        const [a, b] = p % 2 === 0 ? order : [order[1]!, order[0]!];
        sample(a!);
        sample(b!);
      }
      PHASES.forEach((phase, j) => {
        const xb = mops[0]![j]!, xn = mops[1]![j]!;
        const cell: CellResult = {
          policy: name,
          n,
          phase,
          base: median(xb),
          new: median(xn),
          ratio: median(xn.map((v, k) => v / xb[k]!)),
        };
        console.log(JSON.stringify(cell));
      });
    }
  }
}

async function runParent(): Promise<void> {
  const script = new URL(import.meta.url).pathname;
  const cells = new Map<string, { base: number[]; new: number[]; ratio: number[] }>();
  for (let i = 0; i < PROCESSES; i++) {
    const args = ["run", "--allow-all", script, "--child", ...Deno.args];
    if (i % 2 === 1) args.push("--swap");
    const out = await new Deno.Command(Deno.execPath(), {
      args,
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!out.success) throw new Error(`paired lifecycle process ${i + 1} of ${PROCESSES} failed`);
    for (const line of new TextDecoder().decode(out.stdout).split("\n")) {
      if (line.trim() === "") continue;
      const c = JSON.parse(line) as CellResult;
      const key = `${c.phase}|${c.policy}|${c.n}`;
      const entry = cells.get(key) ?? { base: [], new: [], ratio: [] };
      entry.base.push(c.base);
      entry.new.push(c.new);
      entry.ratio.push(c.ratio);
      cells.set(key, entry);
    }
    console.error(`paired lifecycle: process ${i + 1} of ${PROCESSES} done`);
  }
  console.log(
    `Paired lifecycle A/B, ${PROCESSES} processes (order swapped in every other), ${PAIRS} pairs ` +
      `of ⌈${OPS}/N⌉-cycle samples per cell, CPU clock; ratio = new / base ` +
      `(> 1: this tree is faster)\n`,
  );
  console.log("| Phase | Policy | N | base (M/s) | new (M/s) | ratio, geometric mean | range |");
  console.log("|---|---|---|---|---|---|---|");
  const perPhase = new Map<string, number[]>();
  for (const phase of PHASES) {
    for (const [key, e] of cells) {
      const [ph, policy, n] = key.split("|");
      if (ph !== phase) continue;
      const list = perPhase.get(phase) ?? [];
      list.push(...e.ratio);
      perPhase.set(phase, list);
      console.log(
        `| ${phase} | ${policy} | ${n} | ${median(e.base).toFixed(2)} | ` +
          `${median(e.new).toFixed(2)} | ${geometricMean(e.ratio).toFixed(3)} | ` +
          `${Math.min(...e.ratio).toFixed(2)}–${Math.max(...e.ratio).toFixed(2)} |`,
      );
    }
  }
  console.log();
  for (const [phase, list] of perPhase) {
    console.log(`${phase}: geometric mean ${geometricMean(list).toFixed(3)}`);
  }
}

if (opts.child) await runChild();
else await runParent();
