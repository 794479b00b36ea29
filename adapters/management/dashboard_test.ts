import { test } from "node:test";
import assert from "node:assert/strict";
import { DASHBOARD_HTML } from "./dashboard.ts";

test("DASHBOARD_HTML's script is valid JavaScript and builds content without innerHTML", () => {
  const start = DASHBOARD_HTML.indexOf("<script>");
  const end = DASHBOARD_HTML.indexOf("</script>");
  assert.ok(start > 0 && end > start);
  const script = DASHBOARD_HTML.slice(start + "<script>".length, end);
  assert.doesNotThrow(() => new Function(script)); // compiles; not run (it needs a browser)
  assert.ok(!script.includes("innerHTML"), "peer-supplied text must never become markup");
});

test("DASHBOARD_HTML loads nothing from other origins", () => {
  assert.ok(!/\b(src|href)\s*=\s*["']?(https?:)?\/\//i.test(DASHBOARD_HTML));
  assert.ok(!/@import|url\(/i.test(DASHBOARD_HTML));
});
