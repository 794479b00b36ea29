import { test } from "node:test";
import assert from "node:assert/strict";
import { bytesText, Logger } from "./_log.ts";

const clock = () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6));

test("Logger writes JSON lines with identifiers as decimal strings and pool handles as text", () => {
  const lines: string[] = [];
  const log = new Logger({ tool: "registrar", format: "json", write: (l) => lines.push(l), clock });
  log.info("registered", {
    pool: new TextEncoder().encode("EchoPool"),
    pe: 2n ** 64n - 1n,
    port: 7,
  });
  assert.deepEqual(JSON.parse(lines[0]!), {
    time: "2026-01-02T03:04:05.006Z",
    level: "info",
    tool: "registrar",
    event: "registered",
    pool: "EchoPool",
    pe: "18446744073709551615",
    port: 7,
  });
});

test("Logger drops lines below its level and writes text lines for people", () => {
  const lines: string[] = [];
  const log = new Logger({ tool: "server", level: "warn", write: (l) => lines.push(l), clock });
  log.info("started");
  log.warn("registrar-lost", { reason: "Association reset: gone", pe: 5n });
  assert.deepEqual(lines, [
    '2026-01-02T03:04:05.006Z WARN  server: registrar-lost reason="Association reset: gone" pe=5\n',
  ]);
  assert.equal(log.enabled("debug"), false);
});

test("bytesText() shows printable handles as text and others as hex", () => {
  assert.equal(bytesText(new TextEncoder().encode("Pool")), "Pool");
  assert.equal(bytesText(new Uint8Array([0, 255])), "0x00ff");
});

test("Logger.always() writes the started line at every level", () => {
  const lines: string[] = [];
  const log = new Logger({
    tool: "registrar",
    level: "error",
    format: "json",
    write: (l) => lines.push(l),
    clock,
  });
  log.info("registered");
  log.always("started", { asap: ["127.0.0.1:3863"] });
  assert.equal(lines.length, 1);
  assert.equal(JSON.parse(lines[0]!).event, "started");
});
