// Why one process resolves at 26 M/s and the next at 45 with the same code: three probes that
// separate memory layout, JIT state and the machine (bench/HISTORY.md, the optimisation log,
// wave 8 `layout`).
//
//   deno run --allow-all bench/process_state_probe.ts [--probe layout|copies|alias]
//     [--policy Priority] [--n 10] [--k 1] [--processes 12] [--pools 4] [--copies 6]
//     [--rounds 6] [--warmup 600000] [--iterations 10000000]
//
// layout: each of --processes processes builds --pools pools of the same policy and size, each
//   after a pad slab of a different length, so that the pools' per-slot arrays (one slab of the
//   shared chunk at N ≤ 16 slots, see core/_slab.ts) and their JS objects sit at different
//   addresses; it prints the address mod 4096 of each pool's seq, load and selections arrays
//   (Deno.UnsafePointer, hence --allow-ffi) and each pool's speed relative to the process's
//   median, from rounds that time every pool once in rotating order. If the placement of the
//   arrays set the speed, pools of one process would differ and equal offsets would give equal
//   speeds across processes.
// copies: --copies identical copies of the timing loop (separate functions, so separate
//   optimised code and inlining decisions) time the same pool in rotating rounds: copies that
//   differ steadily within a process differ in their compiled code, not in data or machine.
// alias: a store/load chain whose load address is a multiple of 4096 bytes from the store
//   (4 KiB aliasing) against other distances, interleaved, in one process: the size of the
//   effect on this CPU.
//
// Times are CPU time (process.cpuUsage()). (--child is the internal mode of a child process.)

import { parseArgs } from "node:util";
import type { Handlespace, PoolElementEntry } from "../core/handlespace/mod.ts";
import { Slab } from "../core/_slab.ts";
import { BENCH_POLICIES, filledHandlespace, POOL_HANDLE } from "./_workload.ts";
import { cpuMs, median } from "./_stats.ts";

const { values: opts } = parseArgs({
  args: Deno.args,
  options: {
    probe: { type: "string", default: "layout" },
    policy: { type: "string", default: "Priority" },
    n: { type: "string", default: "10" },
    k: { type: "string", default: "1" },
    processes: { type: "string", default: "12" },
    pools: { type: "string", default: "4" },
    copies: { type: "string", default: "6" },
    rounds: { type: "string", default: "6" },
    warmup: { type: "string", default: "600000" },
    iterations: { type: "string", default: "10000000" },
    child: { type: "boolean", default: false },
  },
});

const PROBE = opts.probe!;
if (!["layout", "copies", "alias"].includes(PROBE)) {
  throw new RangeError(`--probe ${PROBE}: use layout, copies or alias`);
}
const N = Number(opts.n), K = Number(opts.k), ROUNDS = Number(opts.rounds);
const POOLS = Number(opts.pools), COPIES = Number(opts.copies);
const BLOCK = 200000, WARMUP = Number(opts.warmup), ITERATIONS = Number(opts.iterations);

/** Address of a view's first element, mod 4096. */
function pageOffset(view: ArrayBufferView): number {
  return Number(Deno.UnsafePointer.value(Deno.UnsafePointer.of(view as Uint8Array)) % 4096n);
}

type TimeBlock = (hs: Handlespace, calls: number) => number;

function timeBlock(hs: Handlespace, calls: number): number {
  const out: PoolElementEntry[] = [];
  let got = 0;
  const t0 = cpuMs();
  for (let i = 0; i < calls; i++) got += hs.resolveInto(POOL_HANDLE, K, out);
  const ms = cpuMs() - t0;
  if (got < calls) throw new Error(`resolution returned fewer than ${calls} pool elements`);
  return calls / ms / 1000;
}

// Identical copies of timeBlock, each a function of its own (own feedback, own optimised code).
function copiesOfTimeBlock(count: number): TimeBlock[] {
  const body = `
    const out = [];
    let got = 0;
    const t0 = cpuMs();
    for (let i = 0; i < calls; i++) got += hs.resolveInto(handle, k, out);
    const ms = cpuMs() - t0;
    if (got < calls) throw new Error("resolution returned too few pool elements");
    return calls / ms / 1000;`;
  const list: TimeBlock[] = [];
  for (let c = 0; c < count; c++) {
    const f = new Function("hs", "calls", "handle", "k", "cpuMs", `${body}\n// copy ${c}`) as (
      hs: Handlespace,
      calls: number,
      handle: Uint8Array,
      k: number,
      clock: () => number,
    ) => number;
    list.push((hs, calls) => f(hs, calls, POOL_HANDLE, K, cpuMs));
  }
  return list;
}

// Rounds in which every timer/pool pair runs once, in rotating order; the medians per pair.
function rotatingRounds(pairs: readonly [TimeBlock, Handlespace][]): number[] {
  const res: number[][] = pairs.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    for (let j = 0; j < pairs.length; j++) {
      const i = (j + r) % pairs.length;
      const [time, hs] = pairs[i]!;
      res[i]!.push(time(hs, BLOCK));
    }
  }
  return res.map(median);
}

function policyByName() {
  const policy = BENCH_POLICIES.find((p) => p.name === opts.policy);
  if (policy === undefined) throw new RangeError(`--policy: unknown policy ${opts.policy}`);
  return policy;
}

interface PoolValues {
  readonly seq: Float64Array;
  readonly load: Uint32Array;
  readonly selections: Float64Array;
}

function childLayout(): void {
  const policy = policyByName();
  const pools: Handlespace[] = [], offsets: number[][] = [];
  for (let i = 0; i < POOLS; i++) {
    new Slab(0, 0, 8 + ((i * 1352) % 2040)); // moves the next pool's slab within the chunk
    const hs = filledHandlespace(policy, N);
    const values = (hs.pool(POOL_HANDLE) as unknown as { selection: PoolValues }).selection;
    offsets.push([values.seq, values.load, values.selections].map(pageOffset));
    pools.push(hs);
  }
  const twin = filledHandlespace(policy, N);
  timeBlock(twin, WARMUP);
  for (const hs of pools) timeBlock(hs, 20000);
  const speeds = rotatingRounds(pools.map((hs) => [timeBlock, hs]));
  console.log(JSON.stringify({ speeds, offsets }));
}

function childCopies(): void {
  const policy = policyByName();
  const timers = copiesOfTimeBlock(COPIES);
  const twin = filledHandlespace(policy, N), hs = filledHandlespace(policy, N);
  for (const time of timers) time(twin, WARMUP);
  for (const time of timers) time(hs, 20000);
  console.log(JSON.stringify({ speeds: rotatingRounds(timers.map((t) => [t, hs])) }));
}

function aliasChain(store: Float64Array, load: Float64Array, iterations: number): number {
  let v = 0;
  for (let i = 0; i < iterations; i++) {
    const j = i & 7;
    store[j] = v; // the store …
    v = load[j]! + 1; // … and a load the chain waits for, at the store's address + d
  }
  return v;
}

function runAlias(): void {
  const buffer = new ArrayBuffer(1 << 16);
  const distances = [4096, 4104, 4160, 8192, 8704, 16384, 18432, 16416];
  const store = new Float64Array(buffer, 8192, 64);
  const loads = distances.map((d) => new Float64Array(buffer, 8192 + d, 64));
  for (const load of loads) aliasChain(store, load, 200000);
  const ms: number[][] = distances.map(() => []);
  for (let r = 0; r < 12; r++) {
    for (let q = 0; q < distances.length; q++) {
      const i = (q + r) % distances.length;
      const t0 = cpuMs();
      aliasChain(store, loads[i]!, ITERATIONS);
      ms[i]!.push(cpuMs() - t0);
    }
  }
  console.log(
    `| load − store (bytes) | mod 4096 | ms per ${ITERATIONS} iterations, median of 12 | min |`,
  );
  console.log("|---|---|---|---|");
  for (let i = 0; i < distances.length; i++) {
    const d = distances[i]!;
    console.log(
      `| ${d} | ${d % 4096} | ${median(ms[i]!).toFixed(1)} | ${Math.min(...ms[i]!).toFixed(1)} |`,
    );
  }
}

async function runParent(): Promise<void> {
  const script = new URL(import.meta.url).pathname;
  const processes = Number(opts.processes);
  const rows: { speeds: number[]; offsets?: number[][] }[] = [];
  for (let i = 0; i < processes; i++) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", script, "--child", ...Deno.args],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!out.success) throw new Error(`probe process ${i + 1} of ${processes} failed`);
    rows.push(JSON.parse(new TextDecoder().decode(out.stdout)));
  }
  const what = PROBE === "layout" ? "pool" : "copy";
  console.log(
    `${PROBE} probe, ${opts.policy} N = ${N} k = ${K}, ${processes} processes one after the ` +
      `other, ${ROUNDS} rounds of ${BLOCK}-call blocks, CPU clock\n`,
  );
  console.log(
    `| process | median M/s | per ${what}: ${
      PROBE === "layout" ? "seq/load/selections address mod 4096: " : ""
    }speed / process median |`,
  );
  console.log("|---|---|---|");
  const ratios: number[] = [];
  rows.forEach((row, p) => {
    const m = median(row.speeds);
    const cells = row.speeds.map((s, i) => {
      ratios.push(s / m);
      const where = row.offsets ? `${row.offsets[i]!.join("/")}: ` : "";
      return `${where}${(s / m).toFixed(2)}`;
    });
    console.log(`| ${p + 1} | ${m.toFixed(1)} | ${cells.join(", ")} |`);
  });
  const medians = rows.map((r) => median(r.speeds));
  console.log(
    `\nProcess medians ${Math.min(...medians).toFixed(1)}–${Math.max(...medians).toFixed(1)} ` +
      `M/s; within a process, ${what} / process median ${Math.min(...ratios).toFixed(2)}–` +
      `${Math.max(...ratios).toFixed(2)}`,
  );
  if (PROBE === "layout") {
    // Processes whose pools landed at the same offsets: their medians.
    const byLayout = new Map<string, number[]>();
    rows.forEach((row) => {
      const key = row.offsets!.map((o) => o.join("/")).join(" ");
      byLayout.set(key, [...(byLayout.get(key) ?? []), median(row.speeds)]);
    });
    for (const [key, list] of byLayout) {
      if (list.length > 1) {
        console.log(`Same offsets (${key}): ${list.map((v) => v.toFixed(1)).join(", ")} M/s`);
      }
    }
  }
}

if (PROBE === "alias") runAlias();
else if (!opts.child) await runParent();
else if (PROBE === "layout") childLayout();
else childCopies();
