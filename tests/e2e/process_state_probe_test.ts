// The process-state probes of bench/ (bench/process_state_probe.ts) as a developer runs them:
// the layout probe prints per process the offsets and relative speed of every pool, the copies
// probe one relative speed per copy of the timing loop, the alias probe one row per distance;
// an unknown probe or policy is named. Throughput figures are not asserted (no timing in tests).

import { test } from "node:test";
import assert from "node:assert/strict";
import { type BenchToolRun, runBenchTool } from "./_bench_tool.ts";

function run(args: readonly string[]): Promise<BenchToolRun> {
  return runBenchTool("process_state_probe.ts", args);
}

const QUICK = ["--processes", "2", "--rounds", "1", "--warmup", "2000"];

test("layout probe prints every pool's array offsets mod 4096 and speed ratio per process", async () => {
  const r = await run(["--probe", "layout", "--pools", "3", "--policy", "LeastUsed", ...QUICK]);
  assert.ok(r.ok, r.err);
  const rows = r.out.split("\n").filter((l) => /^\| \d+ \|/.test(l));
  assert.equal(rows.length, 2, r.out);
  for (const row of rows) {
    const pools = row.split("|")[3]!.split(",");
    assert.equal(pools.length, 3, row);
    for (const pool of pools) {
      const m = pool.trim().match(/^(\d+)\/(\d+)\/(\d+): (\d+\.\d\d)$/);
      assert.ok(m, pool);
      for (const offset of m.slice(1, 4)) assert.ok(Number(offset) < 4096, pool);
      assert.ok(Number(m[4]) > 0, pool);
    }
  }
  assert.match(r.out, /Process medians [\d.]+–[\d.]+ M\/s; within a process, pool/);
});

test("copies probe prints one speed ratio per copy of the timing loop", async () => {
  const r = await run(["--probe", "copies", "--copies", "3", "--k", "3", ...QUICK]);
  assert.ok(r.ok, r.err);
  const rows = r.out.split("\n").filter((l) => /^\| \d+ \|/.test(l));
  assert.equal(rows.length, 2, r.out);
  for (const row of rows) assert.equal(row.split("|")[3]!.split(",").length, 3, row);
});

test("alias probe prints one row per distance, multiples of 4096 among them", async () => {
  const r = await run(["--probe", "alias", "--iterations", "1000"]);
  assert.ok(r.ok, r.err);
  const rows = r.out.split("\n").filter((l) => /^\| \d+ \| \d+ \|/.test(l));
  assert.equal(rows.length, 8, r.out);
  assert.ok(rows.some((row) => row.startsWith("| 8192 | 0 |")), r.out);
});

test("probe rejects an unknown probe and an unknown policy by name", async () => {
  const a = await run(["--probe", "cache"]);
  assert.equal(a.ok, false);
  assert.match(a.err, /--probe cache: use layout, copies or alias/);
  const b = await run(["--policy", "NoSuchPolicy", ...QUICK]);
  assert.equal(b.ok, false);
  assert.match(b.err, /unknown policy NoSuchPolicy/);
});
