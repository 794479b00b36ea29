// The JSDoc examples of the async session API start real pool elements and sessions on loopback;
// the test runner type-checks and runs `--doc` examples of core/ only, so this runs these.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { BIN, ROOT } from "../e2e/_session_procs.ts";

test("adapters/session JSDoc examples run (deno test --doc)", () => {
  const r = spawnSync(BIN("deno"), [
    "test",
    "--allow-net",
    "--doc",
    "adapters/session/mod.ts",
    "adapters/session/session_client.ts",
    "adapters/session/pool_server.ts",
  ], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  // Deno colours its report whenever FORCE_COLOR is set, even to "0" (the test runner's value).
  const colours = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");
  const report = r.stdout.replace(colours, "");
  assert.match(report, /ok \| 4 passed/);
});
