// The paired lifecycle A/B tool of bench/ (bench/paired_lifecycle.ts) as a developer runs it:
// against another checkout (here this same tree, so both sides are the same code), it spawns its
// processes, swaps the order in every other and prints one row per phase, policy and size, then a
// geometric mean per phase; without --base it says what is missing. Throughput figures are not
// asserted (no timing in tests).

import { test } from "node:test";
import assert from "node:assert/strict";

const ROOT = new URL("../..", import.meta.url).pathname;
const SCRIPT = new URL("../../bench/paired_lifecycle.ts", import.meta.url).pathname;

async function run(args: readonly string[]): Promise<{ ok: boolean; out: string; err: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", SCRIPT, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { ok: out.success, out: text.decode(out.stdout), err: text.decode(out.stderr) };
}

test("paired lifecycle A/B against a checkout prints a ratio row per phase, policy and size from every process", async () => {
  const r = await run([
    "--base",
    ROOT,
    "--processes",
    "2",
    "--policies",
    "RoundRobin,LeastUsed",
    "--sizes",
    "10,100",
    "--pairs",
    "1",
    "--ops",
    "200",
  ]);
  assert.ok(r.ok, r.err);
  assert.match(r.err, /process 2 of 2 done/);
  const rows = r.out.split("\n").filter((l) =>
    /^\| (registration|updateChanged|updateIdentical|deregistration) \|/.test(l)
  );
  assert.equal(rows.length, 16, r.out);
  for (const row of rows) {
    const cells = row.split("|").map((c) => c.trim());
    const [base, fresh, geo] = [Number(cells[4]), Number(cells[5]), Number(cells[6])];
    assert.ok(base > 0 && fresh > 0 && geo > 0, row);
  }
  for (const phase of ["registration", "updateChanged", "updateIdentical", "deregistration"]) {
    assert.match(r.out, new RegExp(`^${phase}: geometric mean \\d+\\.\\d{3}$`, "m"));
  }
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
