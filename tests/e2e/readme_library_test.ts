// The README's "Using the library" example, run as a user would run it, under Deno, Node and
// Bun: its `@rserpool/ng` specifiers are mapped to the files deno.json exports them from.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = (name: string) => join(root, "node_modules", ".bin", name);

function example(): string {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("\n## Using the library"));
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(m, 'README has a ts block under "## Using the library"');
  const exports = JSON.parse(readFileSync(join(root, "deno.json"), "utf8")).exports as Record<
    string,
    string
  >;
  return m[1]!.replace(/"@rserpool\/ng(\/[a-z-/]+)?"/g, (_all, sub: string | undefined) => {
    const target = exports[`.${sub ?? ""}`];
    assert.ok(target, `deno.json exports @rserpool/ng${sub ?? ""}`);
    return JSON.stringify(join("..", "..", target));
  });
}

const dir = join(root, "artifacts", "readme-example");
mkdirSync(dir, { recursive: true });
const file = join(dir, "example.ts");
writeFileSync(file, example());

for (
  const [runtime, cmd, args] of [
    ["Deno", bin("deno"), ["run", "--check", "--allow-all", file]],
    ["Node", bin("tsx"), [file]],
    ["Bun", bin("bun"), [file]],
  ] as const
) {
  test(`README "Using the library" example runs under ${runtime}`, () => {
    const r = spawnSync(cmd, [...args], { cwd: root, encoding: "utf8", timeout: 60000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "EchoPool -> 127.0.0.1:7\n");
  });
}
