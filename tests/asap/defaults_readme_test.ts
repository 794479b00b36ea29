// README.md "Timers and defaults" is ASAP_DEFAULTS rendered: this test keeps the two in step
// (and prints the table to paste when they differ).

import { test } from "node:test";
import assert from "node:assert/strict";
import { ASAP_DEFAULTS } from "../../core/asap/defaults.ts";

const UNITS: Record<string, string> = {
  ms: " ms",
  bytes: " bytes",
  "1/s": " /s",
  count: "",
  "-": "",
};

/** The defaults table as README.md carries it. */
export function renderDefaultsTable(): string {
  const rows = ["| Option | Role | Default | RSPLIB | Meaning |", "|---|---|---:|---|---|"];
  for (const [name, d] of Object.entries(ASAP_DEFAULTS)) {
    rows.push(
      `| \`${name}\` | ${d.role} | ${d.value}${UNITS[d.unit]} | ${d.rsplib} | ${d.description} |`,
    );
  }
  return rows.join("\n");
}

test("README.md 'Timers and defaults' renders ASAP_DEFAULTS", async () => {
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const table = renderDefaultsTable();
  assert.ok(readme.includes("## Timers and defaults"));
  assert.ok(readme.includes(table), `README.md should contain:\n${table}`);
});
