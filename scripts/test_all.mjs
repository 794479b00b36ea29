#!/usr/bin/env node
// The whole test suite: quality gates, then the tests under Deno, Bun and Node.
// Prints one closing line "N passed, N failed" for the whole run and exits non-zero on failure.
// Runs on a machine that has only Node and npm plus `npm ci` (deno and bun come from node_modules).
// Usage: node scripts/test_all.mjs [--only gates|deno|bun|node] [--quick]
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(fileURLToPath(new URL(".", import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const args = process.argv.slice(2);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
const reports = join(root, "artifacts", "test-reports");
mkdirSync(reports, { recursive: true });
for (const name of ["deno", "bun", "node"]) {
  if (only === undefined || only === name) rmSync(join(reports, `${name}.xml`), { force: true });
}
const env = { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", FORCE_COLOR: "0" };

/** Test files (`*_test.ts`) under a folder, sorted. */
function testFiles(dir, filter = () => true) {
  const out = [];
  const walk = (d) => {
    if (!existsSync(d)) return;
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (name === "node_modules" || name.startsWith(".")) continue;
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith("_test.ts") && filter(p)) out.push(relative(root, p));
    }
  };
  walk(join(root, dir));
  return out;
}

// No part of the run takes 10 minutes on this machine class (the slowest, Deno's, takes about 6):
// a part still running after 30 is hung, and is stopped so that the run ends with its summary.
const PART_LIMIT_MS = 30 * 60 * 1000;

/** Runs a command, streaming its output; returns its exit code. */
function run(title, cmd, argv, extraEnv = {}) {
  console.log(`\n=== ${title}: ${[cmd, ...argv].map((a) => relative(root, a) || a).join(" ")}`);
  const started = Date.now();
  const r = spawnSync(cmd, argv, {
    cwd: root,
    stdio: "inherit",
    env: { ...env, ...extraEnv },
    timeout: PART_LIMIT_MS,
    killSignal: "SIGKILL",
  });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  const code = r.status ?? 1;
  const why = r.error?.code === "ETIMEDOUT"
    ? ` (stopped: still running after ${PART_LIMIT_MS / 60000} minutes)`
    : "";
  console.log(`=== ${title}: exit ${code} in ${secs}s${why}`);
  return code;
}

/** Counts leaf test cases and failures in a JUnit XML report. */
function countJunit(file) {
  if (!existsSync(file)) return undefined;
  const xml = readFileSync(file, "utf8");
  const cases = [];
  // Attribute values are matched as quoted strings: Node leaves ">" unescaped inside them.
  const re = /<testcase\b((?:[^>"]|"[^"]*")*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (let m; (m = re.exec(xml));) {
    const name = /\bname="([^"]*)"/.exec(m[1])?.[1] ?? "";
    const body = m[3] ?? "";
    const failed = /<(failure|error)\b/.test(body) || /\bfailure="/.test(m[1]);
    const skipped = /<skipped\b/.test(body);
    const classname = /\bclassname="([^"]*)"/.exec(m[1])?.[1] ?? "";
    cases.push({ name, classname, failed, skipped });
  }
  // Deno reports a test with steps as a case of its own plus one case per step ("a > b"): count leaves.
  const names = new Set(cases.map((c) => c.name));
  const isParent = (n) => [...names].some((o) => o.startsWith(`${n} > `));
  let passed = 0, failed = 0, skipped = 0;
  const failures = [];
  for (const c of cases) {
    if (isParent(c.name)) continue;
    if (c.skipped) skipped++;
    else if (c.failed) {
      failed++;
      failures.push(`${c.classname ? `${c.classname}: ` : ""}${unescapeXml(c.name)}`);
    } else passed++;
  }
  return { passed, failed, skipped, failures };
}

function unescapeXml(text) {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'").replace(/&amp;/g, "&");
}

const results = [];
function record(name, code, counts) {
  if (counts) {
    // A runner that crashed or failed outside any test case still fails the run, and so does
    // one whose report holds no test at all (a reporter cut short).
    const empty = counts.passed + counts.failed + counts.skipped === 0;
    const extra = (code !== 0 || empty) && counts.failed === 0 ? 1 : 0;
    results.push({
      name,
      passed: counts.passed,
      failed: counts.failed + extra,
      skipped: counts.skipped,
      failures: empty ? ["the runner's report holds no test"] : counts.failures,
    });
  } else {
    results.push({ name, passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, skipped: 0 });
  }
}

const deno = bin("deno");
const wants = (part) => only === undefined || only === part;

if (wants("gates")) {
  for (const gate of gates()) {
    record(`gate: ${gate.name}`, run(`gate ${gate.name}`, gate.cmd[0], gate.cmd.slice(1)));
  }
}

// Core and runtime tests are runtime-neutral and run under all three runtimes; tests/e2e and the
// remaining cross-module suites run under Deno, which starts the other runtimes itself where needed.
const portable = [...testFiles("core"), ...testFiles("adapters"), ...testFiles("tests/runtime")];
const everything = [
  ...portable,
  ...testFiles("scripts"),
  ...testFiles("tests", (p) => !p.includes(`${join("tests", "runtime")}`)),
];

if (wants("deno")) {
  const file = join(reports, "deno.xml");
  const code = run("tests under Deno", deno, [
    "test",
    "--allow-all",
    "--doc",
    `--junit-path=${file}`,
    ...everything,
    ...docModules(),
  ]);
  record("deno test", code, countJunit(file));
}

if (wants("bun") && portable.length > 0) {
  const file = join(reports, "bun.xml");
  const code = run("tests under Bun", bin("bun"), [
    "test",
    "--timeout=120000",
    "--reporter=junit",
    `--reporter-outfile=${file}`,
    ...portable.map((p) => `./${p}`),
  ], { RSERPOOL_TEST_RUNTIME: "bun" });
  record("bun test", code, countJunit(file));
}

if (wants("node") && portable.length > 0) {
  const file = join(reports, "node.xml");
  const code = run("tests under Node", bin("tsx"), [
    "--test",
    // As Bun's: a hung test fails after 2 minutes instead of stalling the run. (Not
    // --test-force-exit: it ends the process before the JUnit reporter has written its file.)
    "--test-timeout=120000",
    "--test-reporter=junit",
    `--test-reporter-destination=${file}`,
    "--test-reporter=dot",
    "--test-reporter-destination=stdout",
    ...portable,
  ], { RSERPOOL_TEST_RUNTIME: "node" });
  record("node test", code, countJunit(file));
}

/** The quality gates: each must exit 0. */
function gates() {
  const config = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"));
  const entrypoints = Object.values(config.exports ?? {});
  const list = [
    { name: "fmt", cmd: [deno, "fmt", "--check"] },
    { name: "lint", cmd: [deno, "lint"] },
    { name: "typecheck", cmd: [deno, "check", "."] },
    { name: "core-purity", cmd: [deno, "run", "--allow-read", "scripts/check_core_purity.ts"] },
    { name: "doc-lint", cmd: [deno, "doc", "--lint", ...entrypoints] },
    {
      name: "doc-examples",
      cmd: [deno, "run", "--allow-read", "--allow-run", "scripts/check_doc_examples.ts"],
    },
    // JSR: slow types, excluded files, unresolvable imports. Works offline (npm packages come
    // from node_modules; nothing is imported from JSR).
    { name: "publish-dry-run", cmd: [deno, "publish", "--dry-run", "--allow-dirty"] },
  ];
  if (existsSync(join(root, "scripts", "build_wasm.ts"))) {
    list.push({
      name: "wasm-up-to-date",
      cmd: [deno, "run", "--allow-all", "scripts/build_wasm.ts", "--check"],
    });
  }
  return list;
}

/**
 * Modules whose JSDoc examples `deno test --doc` type-checks and runs: non-test .ts under core/
 * and adapters/, and mod.ts.
 */
function docModules() {
  const out = [];
  const walk = (d) => {
    if (!existsSync(d)) return;
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        if (name !== "_wasm") walk(p);
      } else if (name.endsWith(".ts") && !name.endsWith("_test.ts") && !name.endsWith(".d.ts")) {
        out.push(relative(root, p));
      }
    }
  };
  walk(join(root, "core"));
  if (existsSync(join(root, "mod.ts"))) out.push("mod.ts");
  // The adapters' examples too (about 50, 15 s): they run on loopback.
  walk(join(root, "adapters"));
  return out;
}

console.log("\n=== summary");
let passed = 0, failed = 0, skipped = 0;
for (const r of results) {
  passed += r.passed;
  failed += r.failed;
  skipped += r.skipped;
  console.log(
    `${r.failed ? "FAIL" : "ok  "} ${r.name}: ${r.passed} passed, ${r.failed} failed${
      r.skipped ? `, ${r.skipped} skipped` : ""
    }`,
  );
  for (const f of r.failures ?? []) console.log(`       failed: ${f}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || results.length === 0 ? 1 : 0);
