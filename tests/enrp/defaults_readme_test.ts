// README.md "Timers and defaults" carries ENRP_DEFAULTS rendered below the ASAP table: this test
// keeps the two in step (and prints the table to paste when they differ).

import { test } from "node:test";
import assert from "node:assert/strict";
import { ENRP_DEFAULTS } from "../../core/enrp/defaults.ts";

const UNITS: Record<string, string> = { ms: " ms", ratio: " ×", "-": "" };

/** The ENRP defaults table as README.md carries it. */
export function renderEnrpDefaultsTable(): string {
  const rows = ["| `enrp` option | Default | RSPLIB | Meaning |", "|---|---:|---|---|"];
  for (const [name, d] of Object.entries(ENRP_DEFAULTS)) {
    rows.push(`| \`${name}\` | ${d.value}${UNITS[d.unit]} | ${d.rsplib} | ${d.description} |`);
  }
  return rows.join("\n");
}

test("README.md 'Timers and defaults' renders ENRP_DEFAULTS", async () => {
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const table = renderEnrpDefaultsTable();
  assert.ok(readme.includes(table), `README.md should contain:\n${table}`);
});
