// README.md "Sessions (failover with state)" works as written: its example runs under Deno, Bun
// and Node against a real registrar and prints what the README says; its defaults table is
// SESSION_DEFAULTS rendered.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SESSION_DEFAULTS } from "../../core/session/session_defaults.ts";
import { BIN, Proc, ROOT, startRegistrar } from "../e2e/_session_procs.ts";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const start = readme.indexOf("## Sessions (failover with state)");
const next = readme.indexOf("\n## ", start + 1);
const section = readme.slice(start, next < 0 ? undefined : next);

const UNITS: Record<string, string> = { ms: " ms", bytes: " bytes", count: "" };

/** The defaults table as README.md carries it. */
export function renderSessionDefaults(): string {
  const rows = ["| Option | Side | Default | RSPLIB | Meaning |", "|---|---|---:|---|---|"];
  for (const [name, d] of Object.entries(SESSION_DEFAULTS)) {
    rows.push(
      `| \`${name}\` | ${d.side} | ${d.value}${UNITS[d.unit]} | ${d.rsplib} | ${d.description} |`,
    );
  }
  return rows.join("\n");
}

test("README.md 'Sessions' renders SESSION_DEFAULTS", () => {
  const table = renderSessionDefaults();
  assert.ok(section.includes(table), `README.md should contain:\n${table}`);
});

const RUNTIMES: Record<string, (file: string) => [string, string[]]> = {
  deno: (file) => [BIN("deno"), ["run", "--allow-net", file]],
  bun: (file) => [BIN("bun"), [file]],
  node: (file) => [BIN("tsx"), [file]],
};

for (const [runtime, command] of Object.entries(RUNTIMES)) {
  test(`README.md 'Sessions' example runs under ${runtime} and prints what the README says`, async () => {
    const code = /```ts\n([\s\S]*?)```/.exec(section)![1]!;
    const pr = await startRegistrar();
    const dir = join(ROOT, "artifacts", `readme-session-${runtime}`);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "example.ts");
    writeFileSync(
      file,
      code
        .replace(
          '"@rserpool/ng/adapters/session"',
          JSON.stringify(join(ROOT, "adapters/session/mod.ts")),
        )
        .replace('"127.0.0.1:3863"', `"127.0.0.1:${pr.port}"`),
    );
    const [cmd, args] = command(file);
    const run = new Proc(`readme example (${runtime})`, cmd, args);
    try {
      assert.equal(await run.exited, 0, run.stderr.join("\n"));
      const out = run.stdout.filter((l) => l.trim() !== "");
      assert.deepEqual(out.filter((l) => l.startsWith("count")), [
        "count 1",
        "count 3",
        "count 6",
        "count 10",
      ]);
      assert.equal(
        out.filter((l) => /^failover to PE \d+, cookie echoed: true$/.test(l)).length,
        1,
      );
      assert.match(
        section,
        /It prints `count 1`, `count 3`, `count 6`, the failover line, and `count 10`/,
      );
    } finally {
      await run.stop();
      await pr.proc.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
