// Measures the handlespace figures of bench/README.md and prints them as markdown tables, ours
// next to RSPLIB's (bench-reference.md), in one process with medians of several samples.
//
//   deno run --allow-all bench/handlespace_table.ts [--samples 5] [--runs 1] [--clock cpu|wall]
//     [--only selection,wasm,lifecycle,checksum] [--policies RoundRobin,LeastUsed] [--sizes 10,1000]
//     [--process own|mixed|both] [--warmup 1000000] [--checksum-bigint]
//
// Method (as bench-reference.md): selection = 20000 warm-up calls, then `samples` timed runs of
// 200000 calls with k = 1, then the same with k = 3 on the same pool. Before that, a twin pool
// (same policy, same N) gets `--warmup` calls with k = 1 and with k = 3 (default 1000000 each):
// a fresh V8 process needs ~0.5 M calls to tier the selection path up to optimised code, and the
// twin lets it do so without changing the timed pool's state (which, for the degradation
// policies, depends on how many uses it has seen). Lifecycle = samples of ⌈200000/N⌉
// register/update/update/deregister cycles on fresh handlespaces; checksum as operation 6
// (--checksum-bigint adds a row of (a) that reads each identifier's words from its bigint).
// With --runs R the whole selection and lifecycle matrix is measured R times in a row and each cell shows the median of the R run medians (robust against other jobs on a
// shared machine). Cells show the median in million operations per second; "ref" is RSPLIB's
// median, and the ratio is ours / RSPLIB's. A cell is marked "short" where it misses the target
// (selection: ≥ 2× for N ≥ 1000 and ≥ 1× below; lifecycle: ≥ 1× for N ≥ 1000). With N = 100 and
// 100000 both measured, a scaling table follows each setting's selection tables (N = 100000 / N =
// 100 per policy and k, "short" below the target's third).
//
// The selection tables are measured with the pure-TS selection kernel (the handlespace's
// default); "wasm" measures the cells of the weighted-random policies (the only engine with a
// WebAssembly path) with the WebAssembly kernel forced for every tree descent (threshold 0) and
// prints its figures with the ratio wasm / ts, in the same run, interleaved per cell.
//
// --process chooses where the selection cells are measured: "own" runs each policy in a process
// of its own (fresh JIT state: one pool, one policy per process, like RSPLIB's reference runs),
// "mixed" runs all selected policies in this one process (like a registrar serving pools of
// many policies, where V8 compiles one shared selection path for all engines), "both" (default)
// measures the own-process cells first and then the mixed ones and prints both sets of tables.
// In the mixed setting every policy's selection runs (N = 1000, k = 1 and 3, 200000 calls each)
// before the first cell is timed.
// The lifecycle rows are measured with each policy in a process of its own too, unless
// --process mixed (then all in this process, one policy after the other); the checksum rows
// always in this process. (--emit-json is the internal mode of an own-process child.)
//
// --clock cpu (default) times blocks by the process's CPU time (user + system), which on a
// shared machine does not count the time other jobs hold the core; --clock wall by wall time.
//
// --rsplib <harness> takes RSPLIB's figures from the same window instead of bench-reference.md:
// the C harness of bench/rsplib/ (built by bench/rsplib/build.sh; README.md there) runs one
// (policy, N) cell per process, next to ours, its order against ours alternating from cell to
// cell: in the own-process setting between the cells of our policy process (which waits for it,
// `--handshake`), for the lifecycle rows next to each run of a (policy, N) in this process, and
// for the checksum rows before each N. The all-policies setting keeps RSPLIB's own-process
// figure of the same run (measured next to the mixed cells if --process mixed). A cell then
// shows ours (RSPLIB, ratio), both medians of this run, and the ratio is the median of the
// per-run ratios ours / RSPLIB where both were measured side by side (--runs R gives R pairs),
// else the ratio of the medians. Policies the harness does not have (RSPLIB's nine of
// bench-reference.md only) get no reference. Without --rsplib nothing of this runs.

import {
  buffer,
  checksumBufferBlock,
  checksumEntries,
  checksumReadBlock,
  checksumRecomputeBlock,
  checksumUpdateBigintBlock,
  checksumUpdateBlock,
  lifecycleBatch,
  lifecycleBlock,
  type LifecycleSample,
  lifecycleSets,
  mops,
  resolveBlock,
  type Sample,
  useCpuClock,
} from "./_cases.ts";
import { RSPLIB, RSPLIB_CHECKSUM } from "./_reference.ts";
import { cellRatio, rsplibGauge, type RsplibRunner, runRsplib } from "./_rsplib.ts";
import { median } from "./_stats.ts";
import { BENCH_POLICIES, filledHandlespace, REFERENCE_POLICIES, SIZES } from "./_workload.ts";
import { createSelectionKernel, tsSelectionKernel } from "../core/policy/mod.ts";

const args = Deno.args;
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const SAMPLES = Number(opt("samples") ?? 5);
const RUNS = Number(opt("runs") ?? 1);
const ONLY = new Set((opt("only") ?? "selection,wasm,lifecycle,checksum").split(","));
const CLOCK = opt("clock") ?? "cpu";
if (CLOCK === "cpu") useCpuClock();
else if (CLOCK !== "wall") throw new RangeError(`--clock ${CLOCK}: use cpu or wall`);
const WASM = createSelectionKernel({ minTree: 0 });
const POLICY_FILTER = opt("policies")?.split(",");
const SIZE_LIST = (opt("sizes")?.split(",").map(Number) ?? [...SIZES]) as number[];
const policies = BENCH_POLICIES.filter((p) => !POLICY_FILTER || POLICY_FILTER.includes(p.name));
const PROCESS = opt("process") ?? "both";
if (!["own", "mixed", "both"].includes(PROCESS)) {
  throw new RangeError(`--process ${PROCESS}: use own, mixed or both`);
}
const EMIT_JSON = args.includes("--emit-json");
// Internal, with --emit-json: wait for a line on stdin before each cell (the parent runs RSPLIB).
const HANDSHAKE = args.includes("--handshake");
const RSPLIB_HARNESS = opt("rsplib");
if (RSPLIB_HARNESS !== undefined && !EMIT_JSON) {
  try {
    if (!Deno.statSync(RSPLIB_HARNESS).isFile) throw new Error("not a file");
  } catch (e) {
    throw new RangeError(
      `--rsplib ${RSPLIB_HARNESS}: no harness there (${
        (e as Error).message
      }); build it with bench/rsplib/build.sh`,
    );
  }
}
const RSPLIB_RUNNER: RsplibRunner | undefined = RSPLIB_HARNESS === undefined || EMIT_JSON
  ? undefined
  : { harness: RSPLIB_HARNESS, samples: SAMPLES, clock: CLOCK };
/** RSPLIB's same-window figures: key (as ours, `rsplib/…` or `<phase>/…`) → one median per run. */
const rsplibRuns = new Map<string, number[]>();
let rsplibTurn = 0;

/**
 * Runs RSPLIB's harness for one (policy, N) and operations and appends each cell's median to
 * `rsplibRuns` (nothing for a policy the harness does not have).
 */
function measureRsplib(policy: string, n: number, ops: string): void {
  // The harness knows bench-reference.md's nine policies; the others get no reference.
  if (!RSPLIB_RUNNER || !REFERENCE_POLICIES.includes(policy)) return;
  for (const [key, value] of runRsplib(RSPLIB_RUNNER, policy, n, ops)) {
    rsplibRuns.set(key, [...(rsplibRuns.get(key) ?? []), value]);
  }
}

/** Whether RSPLIB goes first at the next cell: alternates from cell to cell. */
function rsplibFirst(): boolean {
  return rsplibTurn++ % 2 === 0;
}
const WARMUP = Number(opt("warmup") ?? 1000000);
const BIGINT_IDS = args.includes("--checksum-bigint");

function fmt(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3);
}

function cell(ours: number, ref: number | undefined, need: number, ratio = ours / ref!): string {
  if (ref === undefined) return fmt(ours);
  const short = ratio < need ? " short" : "";
  return `${fmt(ours)} (${fmt(ref)}, ${ratio.toFixed(2)}×${short})`;
}

// A cell against RSPLIB's same-window runs (--rsplib): ours and RSPLIB's median over the runs
// and the ratio (paired per run where both lists come from side-by-side runs).
function sameWindowCell(
  ours: readonly number[],
  rsplib: readonly number[] | undefined,
  need: number,
  paired: boolean,
): string {
  if (rsplib === undefined) return fmt(median(ours));
  return cell(median(ours), median(rsplib), need, cellRatio(ours, rsplib, paired));
}

const refTitle = RSPLIB_RUNNER ? "RSPLIB same window" : "RSPLIB";

function header(title: string): string {
  return `| ${title} | ${SIZE_LIST.map((n) => `N=${n}`).join(" | ")} |\n|---|${
    SIZE_LIST.map(() => "---").join("|")
  }|`;
}

type RefTable = Record<string, readonly number[]>;
const refOf = (table: RefTable, policy: string, n: number): number | undefined =>
  table[policy]?.[(SIZES as readonly number[]).indexOf(n)];

/** Selection medians: key `${kernel}/${policy}/${n}/${k}` → one median per run. */
type Measured = Map<string, number[]>;

// Measures the selection cells of `list` in this process (all of them share its JIT state).
// `beside` runs RSPLIB's cell next to ours (mixed-only runs with --rsplib); with --handshake
// (own-process child) each cell waits for the parent, which runs RSPLIB's cell meanwhile, and
// each cell's medians go to stdout as they are measured.
function measureSelection(
  list: typeof policies,
  withTs: boolean,
  withWasm: boolean,
  beside?: (policy: string, n: number) => void,
): Measured {
  const measured: Measured = new Map();
  const kernels = [
    ...(withTs ? [["ts", tsSelectionKernel] as const] : []),
    ...(withWasm && WASM.name === "wasm" ? [["wasm", WASM] as const] : []),
  ];
  if (list.length > 1) {
    // All policies in one process: every policy's selection path runs before any cell is
    // timed, as in a registrar that serves pools of all these policies (otherwise a policy
    // early in the list would be timed before the later ones have compiled in).
    for (const policy of list) {
      const hs = filledHandlespace(policy, 1000);
      resolveBlock(hs, 1, 200000);
      resolveBlock(hs, 3, 200000);
    }
  }
  for (let run = 0; run < RUNS; run++) {
    for (const policy of list) {
      for (const n of SIZE_LIST) {
        if (HANDSHAKE) waitForParent(run, policy.name, n);
        const first = beside !== undefined && rsplibFirst();
        if (first) beside(policy.name, n);
        const spaces = kernels.filter(([name]) =>
          name === "ts" || policy.engine === "weighted-random"
        ).map((
          [name, kernel],
        ) => [name, filledHandlespace(policy, n, kernel)]);
        // JIT warm-up on a twin pool, so that the timed pool goes through exactly the
        // reference's sequence of calls (its state matters for the degradation policies).
        for (const [, kernel] of kernels) {
          if (kernel !== tsSelectionKernel && policy.engine !== "weighted-random") continue;
          const twin = filledHandlespace(policy, n, kernel);
          resolveBlock(twin, 1, WARMUP);
          resolveBlock(twin, 3, WARMUP);
        }
        for (const k of [1, 3] as const) {
          for (const [, hs] of spaces) resolveBlock(hs as never, k, 20000);
          const samples = new Map<string, number[]>();
          for (let s = 0; s < SAMPLES; s++) {
            // Interleaved, so that both kernels see the same load.
            for (const [name, hs] of spaces) {
              const list = samples.get(name as string) ?? [];
              list.push(mops(resolveBlock(hs as never, k, 200000)));
              samples.set(name as string, list);
            }
          }
          for (const [name, list] of samples) {
            const key = `${name}/${policy.name}/${n}/${k}`;
            measured.set(key, [...(measured.get(key) ?? []), median(list)]);
            if (EMIT_JSON) console.log(JSON.stringify({ cell: key, median: median(list) }));
          }
        }
        if (beside !== undefined && !first) beside(policy.name, n);
        if (EMIT_JSON) console.log(JSON.stringify({ done: { run, policy: policy.name, n } }));
      }
      console.error(`selection run ${run + 1}: ${policy.name} done`);
    }
  }
  return measured;
}

// Measures each policy's selection or lifecycle cells in a process of its own (fresh JIT state
// and heap, one policy per process, as RSPLIB's reference runs): this script again, with
// --emit-json.
// With --rsplib the child waits before each cell (--handshake) and this process runs RSPLIB's
// cell before or after it, alternating.
async function measureOwnProcess(
  list: typeof policies,
  what: "selection" | "lifecycle",
): Promise<Measured> {
  const measured: Measured = new Map();
  const script = new URL(import.meta.url).pathname;
  for (const policy of list) {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        script,
        "--only",
        what,
        "--policies",
        policy.name,
        "--sizes",
        SIZE_LIST.join(","),
        "--samples",
        String(SAMPLES),
        "--runs",
        String(RUNS),
        "--clock",
        CLOCK,
        "--warmup",
        String(WARMUP),
        "--emit-json",
        ...(RSPLIB_RUNNER ? ["--handshake"] : []),
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const writer = child.stdin.getWriter();
    let rsplibAfter = false;
    for await (const line of stdoutLines(child.stdout)) {
      const event = JSON.parse(line) as ChildEvent;
      if ("cell" in event) {
        measured.set(event.cell, [...(measured.get(event.cell) ?? []), event.median]);
      } else if ("next" in event) {
        rsplibAfter = !rsplibFirst();
        if (!rsplibAfter) measureRsplib(event.next.policy, event.next.n, what);
        await writer.write(new TextEncoder().encode("go\n"));
      } else if ("done" in event && RSPLIB_RUNNER && rsplibAfter) {
        measureRsplib(event.done.policy, event.done.n, what);
      }
    }
    await writer.close().catch(() => {});
    if (!(await child.status).success) {
      throw new Error(`own-process ${what} run of ${policy.name} failed`);
    }
  }
  return measured;
}

/** A line of an own-process child (--emit-json). */
type ChildEvent =
  | { cell: string; median: number }
  | { next: { run: number; policy: string; n: number } }
  | { done: { run: number; policy: string; n: number } };

// The lines of a child's stdout as they arrive.
async function* stdoutLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let pending = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    pending += chunk;
    let end: number;
    while ((end = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, end).trim();
      pending = pending.slice(end + 1);
      if (line !== "") yield line;
    }
  }
  if (pending.trim() !== "") yield pending.trim();
}

// Own-process child with --handshake: announces the next cell and blocks until the parent has
// run RSPLIB's (one line on stdin), so that no RSPLIB process runs while this one is timing.
function waitForParent(run: number, policy: string, n: number): void {
  console.log(JSON.stringify({ next: { run, policy, n } }));
  const byte = new Uint8Array(1);
  for (;;) {
    const got = Deno.stdin.readSync(byte);
    if (got === null) throw new Error("own-process child: the parent closed stdin");
    if (got === 1 && byte[0] === 10) return;
  }
}

// `paired`: the RSPLIB runs were measured next to these cells, run by run (--rsplib).
function selectionTables(measured: Measured, setting: string, paired: boolean): void {
  for (const k of [1, 3] as const) {
    const per = k === 1 ? "1 PE per call" : "3 PEs per call";
    console.log(
      `### Handle resolution, ${per}, ${setting} (million calls/s; ours (${refTitle}, ratio))\n`,
    );
    console.log(header("Policy"));
    for (const policy of policies) {
      const row = SIZE_LIST.map((n) => {
        const ours = measured.get(`ts/${policy.name}/${n}/${k}`)!;
        const need = n >= 1000 ? 2 : 1;
        if (RSPLIB_RUNNER) {
          return sameWindowCell(
            ours,
            rsplibRuns.get(`rsplib/${policy.name}/${n}/${k}`),
            need,
            paired,
          );
        }
        return cell(
          median(ours),
          refOf(k === 1 ? RSPLIB.resolve1 : RSPLIB.resolve3, policy.name, n),
          need,
        );
      });
      console.log(`| ${policy.name} | ${row.join(" | ")} |`);
    }
    console.log();
  }
  scalingTable(measured, setting);
}

// Issue 3's scaling target: a policy's throughput at N = 100000 at least a third of its N = 100
// figure (per-selection cost O(log N) or better), judged within one run.
function scalingTable(measured: Measured, setting: string): void {
  if (!SIZE_LIST.includes(100) || !SIZE_LIST.includes(100000)) return;
  console.log(
    `### Scaling, ${setting} (N = 100000 / N = 100 in this run; target ≥ 1/3)\n`,
  );
  console.log("| Policy | k = 1 | k = 3 |\n| --- | --- | --- |");
  for (const policy of policies) {
    const ratios = ([1, 3] as const).map((k) => {
      const ratio = median(measured.get(`ts/${policy.name}/100000/${k}`)!) /
        median(measured.get(`ts/${policy.name}/100/${k}`)!);
      return `${ratio.toFixed(2)}${ratio < 1 / 3 ? " short" : ""}`;
    });
    console.log(`| ${policy.name} | ${ratios.join(" | ")} |`);
  }
  console.log();
}

const LIFECYCLE_PHASES = [
  "registration",
  "updateChanged",
  "updateIdentical",
  "deregistration",
] as const;
type LifecyclePhase = (typeof LIFECYCLE_PHASES)[number];

// The lifecycle cells of the reference policies in `list`, in this process: key
// `<phase>/<policy>/<N>` → one median per run. `beside` runs RSPLIB's cell before or after each
// run of a (policy, N), alternating; an own-process child (--emit-json) prints each cell and
// waits for its parent before each run instead (--handshake).
function measureLifecycle(
  list: typeof policies,
  beside?: (policy: string, n: number) => void,
): Measured {
  const measured: Measured = new Map();
  for (const policy of list.filter((p) => REFERENCE_POLICIES.includes(p.name))) {
    for (const n of SIZE_LIST) {
      const sets = lifecycleSets(policy, n);
      const batch = lifecycleBatch(n);
      const cycles = Math.ceil(200000 / n);
      const blocks = Math.max(1, Math.round(cycles / batch));
      for (let run = 0; run < RUNS; run++) {
        if (HANDSHAKE) waitForParent(run, policy.name, n);
        const first = beside !== undefined && rsplibFirst();
        if (first) beside(policy.name, n);
        lifecycleBlock(sets, Math.max(batch, Math.ceil(10000 / n))); // warm-up: ≥ 10000 ops per phase
        const perPhase: Record<string, number[]> = {};
        for (const ph of LIFECYCLE_PHASES) perPhase[ph] = [];
        for (let s = 0; s < SAMPLES; s++) {
          const sum: Record<string, Sample> = {};
          for (let b = 0; b < blocks; b++) {
            const one: LifecycleSample = lifecycleBlock(sets, batch);
            for (const ph of LIFECYCLE_PHASES) {
              const prev = sum[ph] ?? { ops: 0, ns: 0 };
              sum[ph] = { ops: prev.ops + one[ph].ops, ns: prev.ns + one[ph].ns };
            }
          }
          for (const ph of LIFECYCLE_PHASES) perPhase[ph]!.push(mops(sum[ph]!));
        }
        for (const ph of LIFECYCLE_PHASES) {
          const key = `${ph}/${policy.name}/${n}`, m = median(perPhase[ph]!);
          measured.set(key, [...(measured.get(key) ?? []), m]);
          if (EMIT_JSON) console.log(JSON.stringify({ cell: key, median: m }));
        }
        if (beside !== undefined && !first) beside(policy.name, n);
        if (EMIT_JSON) console.log(JSON.stringify({ done: { run, policy: policy.name, n } }));
      }
    }
    console.error(`lifecycle: ${policy.name} done`);
  }
  return measured;
}

if (EMIT_JSON) {
  // Child of --process own: one JSON line per cell and event on stdout, nothing else.
  if (ONLY.has("selection")) measureSelection(policies, true, false);
  else measureLifecycle(policies);
  Deno.exit(0);
}

// --rsplib: the host's speed in this window, by code that is not the handlespace's (printed last).
const gaugeAtStart = RSPLIB_RUNNER ? rsplibGauge(RSPLIB_RUNNER) : "";

if (ONLY.has("selection") || ONLY.has("wasm")) {
  const own = ONLY.has("selection") && PROCESS !== "mixed"
    ? await measureOwnProcess(policies, "selection")
    : undefined;
  // The WebAssembly cells are measured next to TS cells in the same process (for the ratio).
  // Mixed only with --rsplib: RSPLIB's cells run next to the mixed ones (none measured yet).
  const mixedRsplib = RSPLIB_RUNNER && !own && ONLY.has("selection")
    ? (policy: string, n: number) => measureRsplib(policy, n, "selection")
    : undefined;
  const measured = measureSelection(
    policies,
    (ONLY.has("selection") && PROCESS !== "own") || ONLY.has("wasm"),
    ONLY.has("wasm"),
    mixedRsplib,
  );
  if (own) selectionTables(own, "each policy in its own process", true);
  if (ONLY.has("selection") && PROCESS !== "own") {
    selectionTables(
      measured,
      `all ${policies.length} policies in one process`,
      mixedRsplib !== undefined,
    );
  }
  if (ONLY.has("wasm") && WASM.name === "wasm") {
    for (const k of [1, 3] as const) {
      console.log(
        `### WebAssembly kernel, k = ${k} (million calls/s; wasm (wasm / ts in the same run))\n`,
      );
      console.log(header("Policy"));
      for (const policy of policies.filter((p) => p.engine === "weighted-random")) {
        const row = SIZE_LIST.map((n) => {
          const w = median(measured.get(`wasm/${policy.name}/${n}/${k}`)!);
          const t = median(measured.get(`ts/${policy.name}/${n}/${k}`)!);
          return `${fmt(w)} (${(w / t).toFixed(2)}×)`;
        });
        console.log(`| ${policy.name} | ${row.join(" | ")} |`);
      }
      console.log();
    }
  }
}

if (ONLY.has("lifecycle")) {
  const titles: Record<LifecyclePhase, string> = {
    registration: "Registration",
    updateChanged: "Re-registration, load changed",
    updateIdentical: "Re-registration, identical policy information",
    deregistration: "Deregistration",
  };
  // Each policy in a process of its own unless --process mixed: an N = 100000 cell leaves ~10^5
  // entries of garbage per handlespace, and in one process its collections landed in the next
  // policy's N = 1000 / 10000 cells (identical re-registration 2.8–3.4 M/s there, 8–12 without
  // the N = 100000 cells; bench/HISTORY.md, wave 14).
  const reference = policies.filter((p) => REFERENCE_POLICIES.includes(p.name));
  const measured = PROCESS === "mixed"
    ? measureLifecycle(
      reference,
      RSPLIB_RUNNER ? (policy, n) => measureRsplib(policy, n, "lifecycle") : undefined,
    )
    : await measureOwnProcess(reference, "lifecycle");
  for (const ph of LIFECYCLE_PHASES) {
    console.log(`### ${titles[ph]} (million ops/s; ours (${refTitle}, ratio))\n`);
    console.log(header("Policy"));
    for (const policy of reference) {
      const cells = SIZE_LIST.map((n) => {
        const perRun = measured.get(`${ph}/${policy.name}/${n}`)!;
        const need = n >= 1000 ? 1 : 0;
        return RSPLIB_RUNNER
          ? sameWindowCell(perRun, rsplibRuns.get(`${ph}/${policy.name}/${n}`), need, true)
          : cell(median(perRun), refOf(RSPLIB[ph], policy.name, n), need);
      });
      console.log(`| ${policy.name} | ${cells.join(" | ")} |`);
    }
    console.log();
  }
}

if (ONLY.has("checksum")) {
  const upd: string[] = [], updBig: string[] = [], rec: string[] = [], read: string[] = [];
  // RSPLIB's figure of a checksum row at N: same window (--rsplib, run before ours) or
  // bench-reference.md's.
  const refChecksum = (kind: string, n: number, table: readonly number[]): string => {
    const v = RSPLIB_RUNNER
      ? rsplibRuns.get(`${kind}/RoundRobin/${n}`)?.at(-1)
      : table[(SIZES as readonly number[]).indexOf(n)];
    return v === undefined ? "–" : kind === "checksumRecompute" ? fmt(v) : String(+v.toFixed(2));
  };
  for (const [i, n] of SIZE_LIST.entries()) {
    measureRsplib("RoundRobin", n, "checksum");
    const repeat = Math.ceil(2000000 / n);
    const hs = filledHandlespace(BENCH_POLICIES[0]!, n);
    const records = checksumEntries(hs, n);
    // Warm-up: enough updates for V8 to optimise the block as a whole (not only on stack).
    for (let w = 0; w < 3; w++) checksumUpdateBlock(records, repeat);
    const u = median(Array.from({ length: SAMPLES }, () => {
      const s = checksumUpdateBlock(records, repeat);
      return s.ns / s.ops;
    }));
    upd.push(`${u.toFixed(2)} (${refChecksum("checksumUpdate", n, RSPLIB_CHECKSUM.updateNs)})`);
    if (BIGINT_IDS) {
      for (let w = 0; w < 3; w++) checksumUpdateBigintBlock(records, repeat);
      const b = median(Array.from({ length: SAMPLES }, () => {
        const s = checksumUpdateBigintBlock(records, repeat);
        return s.ns / s.ops;
      }));
      updBig.push(
        `${b.toFixed(2)} (${refChecksum("checksumUpdate", n, RSPLIB_CHECKSUM.updateNs)})`,
      );
    }
    const recRepeat = Math.max(1, Math.ceil(100000 / n));
    checksumRecomputeBlock(hs, recRepeat);
    const rc = median(Array.from({ length: SAMPLES }, () => {
      const s = checksumRecomputeBlock(hs, recRepeat);
      return s.ns / s.ops / 1000;
    }));
    rec.push(`${fmt(rc)} (${refChecksum("checksumRecompute", n, RSPLIB_CHECKSUM.recomputeUs)})`);
    checksumReadBlock(hs, 100000);
    const rd = median(Array.from({ length: SAMPLES }, () => {
      const s = checksumReadBlock(hs, 1000000);
      return s.ns / s.ops;
    }));
    read.push(`${rd.toFixed(2)} (${refChecksum("checksumRead", n, RSPLIB_CHECKSUM.readNs)})`);
    if (i === SIZE_LIST.length - 1) console.error("checksum: handlespace done");
  }
  console.log(`### Handlespace checksum (median; ours (${refTitle}))\n`);
  console.log(header("Checksum operation"));
  console.log(`| incremental update of one PE entry, ns/update | ${upd.join(" | ")} |`);
  if (BIGINT_IDS) {
    console.log(
      `| the same, identifier words from the bigint, ns/update | ${updBig.join(" | ")} |`,
    );
  }
  console.log(`| full recomputation, µs/recompute | ${rec.join(" | ")} |`);
  console.log(`| read finished value, ns/call | ${read.join(" | ")} |`);
  const gbps = (size: number, repeat: number): number => {
    const b = buffer(size);
    checksumBufferBlock(b, repeat);
    return median(Array.from({ length: SAMPLES }, () => {
      const s = checksumBufferBlock(b, repeat);
      return s.ops / s.ns;
    }));
  };
  let buffer64k: number = RSPLIB_CHECKSUM.bufferGBps64k;
  let buffer16m: number = RSPLIB_CHECKSUM.bufferGBps16m;
  if (RSPLIB_RUNNER) {
    const cells = runRsplib(RSPLIB_RUNNER, "RoundRobin", SIZE_LIST[0]!, "buffer");
    buffer64k = +cells.get(`checksumBuffer/${65536}`)!.toFixed(2);
    buffer16m = +cells.get(`checksumBuffer/${16 << 20}`)!.toFixed(2);
  }
  console.log(
    `\nChecksum routine over a buffer (TS kernel): ${
      gbps(65536, 2000).toFixed(2)
    } GB/s (64 KiB; ${refTitle} ${buffer64k}), ${
      gbps(16 << 20, 8).toFixed(2)
    } GB/s (16 MiB; ${refTitle} ${buffer16m}).`,
  );
}

if (RSPLIB_RUNNER) {
  console.log(
    `\nRSPLIB harness's host gauges: at the start ${gaugeAtStart}; at the end ${
      rsplibGauge(RSPLIB_RUNNER)
    }.`,
  );
}
