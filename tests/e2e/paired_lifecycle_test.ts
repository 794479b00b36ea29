// The paired lifecycle A/B tool of bench/ (bench/paired_lifecycle.ts) as a developer runs it:
// against another checkout (here this same tree, so both sides are the same code), it spawns its
// processes, swaps the order in every other and prints one row per policy, size and phase; without
// --base it says what is missing. Throughput figures are not asserted (no timing in tests).

import { test } from "node:test";
import assert from "node:assert/strict";
import { type BenchToolRun, ROOT, runBenchTool } from "./_bench_tool.ts";

function run(args: readonly string[]): Promise<BenchToolRun> {
  return runBenchTool("paired_lifecycle.ts", args);
}

test("paired lifecycle A/B against a checkout prints a ratio row per policy, size and phase from every process", async () => {
  const r = await run([
    "--base",
    ROOT,
    "--processes",
    "2",
    "--policies",
    "RoundRobin,LeastUsed",
    "--sizes",
    "100",
    "--pairs",
    "1",
    "--ops",
    "200",
  ]);
  assert.ok(r.ok, r.err);
  assert.match(r.err, /process 2 of 2 done/);
  const rows = r.out.split("\n").filter((l) => /^\| (RoundRobin|LeastUsed) \| 100 \|/.test(l));
  assert.equal(rows.length, 8, r.out);
  const phases = rows.map((row) => row.split("|")[3]!.trim());
  for (const ph of ["registration", "updateChanged", "updateIdentical", "deregistration"]) {
    assert.equal(phases.filter((p) => p === ph).length, 2, r.out);
  }
  for (const row of rows) {
    const cells = row.split("|").map((c) => c.trim());
    const [base, fresh, geo] = [Number(cells[4]), Number(cells[5]), Number(cells[6])];
    assert.ok(base > 0 && fresh > 0 && geo > 0, row);
  }
  assert.match(r.out, /registration: geometric mean \d+\.\d{3}/);
});

test("paired lifecycle A/B without --base names the missing option and fails", async () => {
  const r = await run(["--processes", "1"]);
  assert.equal(r.ok, false);
  assert.match(r.err, /--base is required/);
});

test("paired lifecycle A/B rejects an unknown policy by name", async () => {
  const r = await run(["--base", ROOT, "--processes", "1", "--policies", "NoSuchPolicy"]);
  assert.equal(r.ok, false);
  assert.match(r.err, /unknown policy NoSuchPolicy/);
});
