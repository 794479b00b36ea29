// The examples of README.md's "Wire codec and the `wire` tool" section work as written: the
// shell lines run, the shown outputs are what the tool prints, and the TypeScript example runs.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

const root = join(import.meta.dirname!, "../..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const section = readme.slice(
  readme.indexOf("## Wire codec and the `wire` tool"),
  readme.indexOf("## Protocol"),
);
const blocks = (lang: string) =>
  [...section.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!);
const env = {
  ...process.env,
  PATH: `${join(root, "node_modules", ".bin")}:${process.env.PATH}`,
  NO_COLOR: "1",
};

function sh(command: string) {
  return spawnSync("bash", ["-c", command], { cwd: root, env, encoding: "utf8" });
}

test("README wire examples: every shell line runs (except the one needing your capture file)", () => {
  const lines = blocks("sh")[0]!.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"));
  assert.ok(lines.length >= 4);
  for (const line of lines.filter((l) => !l.includes("--pcap"))) {
    const r = sh(line);
    assert.equal(r.status, 0, `${line}\n${r.stderr}`);
  }
});

test("README wire examples: the shown outputs are what the tool prints", () => {
  const decoded = sh("deno task wire decode 0a0000087c5b2e11");
  assert.deepEqual(JSON.parse(decoded.stdout), JSON.parse(blocks("json")[0]!));
  const encodeLine = blocks("sh")[0]!.split("\n").find((l) => l.startsWith("echo"))!;
  const printed = /prints `([0-9a-f]+)`/.exec(section)![1];
  assert.equal(sh(encodeLine).stdout.trim(), printed);
  const failing = sh("deno task wire decode 010000100009000c4563686f506f6f6c --protocol asap");
  assert.equal(failing.status, 2);
  const claimed = /prints `(wire: Cannot decode[^`]*)`/.exec(section)![1]!.replace(/\s+/g, " ");
  assert.equal(failing.stderr.trim().split("\n").at(-1), claimed);
});

test("README wire examples: the TypeScript example runs", () => {
  const code = blocks("ts")[0]!.replace(
    '"@rserpool/ng/wire"',
    JSON.stringify(join(root, "core", "wire", "mod.ts")),
  );
  const dir = mkdtempSync(join(tmpdir(), "rserpool-readme-"));
  try {
    const file = join(dir, "example.ts");
    writeFileSync(file, code);
    const r = spawnSync(process.execPath, ["run", "--quiet", file], { env, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), "handle-resolution");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
