import { test } from "node:test";
import assert from "node:assert/strict";
import { Logger, type LoggerOptions } from "./log.ts";
import { eventRecord } from "../core/management/event_record.ts";

function capture(options: LoggerOptions = {}) {
  const lines: string[] = [];
  const log = new Logger({ clock: () => 86_400_000, write: (l) => lines.push(l), ...options });
  return { log, lines };
}

test("Logger writes text lines with time, level, tool, event name, message and fields", () => {
  const { log, lines } = capture({ tool: "registrar", fields: { registrar: 42n, name: "pr one" } });
  log.info("http-listening", { port: 8080 }, "Management API on http://127.0.0.1:8080");
  log.event({
    type: "keep-alive-timeout",
    poolHandle: new Uint8Array([1]),
    peId: 9n,
    assoc: undefined,
  });
  log.warn("odd", {
    pool: new TextEncoder().encode("EchoPool"),
    ids: [1n, 2n],
    skipped: undefined,
  });
  assert.deepEqual(lines, [
    '1970-01-02T00:00:00.000Z INFO  registrar: http-listening Management API on http://127.0.0.1:8080 registrar=42 name="pr one" port=8080\n',
    '1970-01-02T00:00:00.000Z WARN  registrar: keep-alive-timeout PE 9 of pool 0x01 missed its keep-alive and was removed registrar=42 name="pr one"\n',
    '1970-01-02T00:00:00.000Z WARN  registrar: odd registrar=42 name="pr one" pool=EchoPool ids=1,2\n',
  ]);
});

test("Logger filters by level and colors levels only when asked", () => {
  const { log, lines } = capture({ level: "warn", color: true });
  log.info("x");
  log.event({ type: "registered", poolHandle: new Uint8Array([65]), peId: 1n, assoc: -1 });
  log.error("boom", {}, "It broke");
  assert.deepEqual(lines, ["1970-01-02T00:00:00.000Z \x1b[31mERROR\x1b[0m boom It broke\n"]);
  assert.equal(log.enabled("warn"), true);
  assert.equal(log.enabled("info"), false);
});

test("Logger JSON lines carry every field; child() adds context; record() keeps the record's time", () => {
  const { log, lines } = capture({ format: "json", tool: "registrar", clock: () => new Date(5) });
  const child = log.child({ component: "management" });
  child.warn(
    "listen-failed",
    { port: 3863, code: "EADDRINUSE", peer: { id: 7n } },
    "Cannot listen",
  );
  child.record(
    eventRecord({ type: "deregistered", poolHandle: new Uint8Array([65]), peId: 3n, assoc: -1 }, {
      seq: 4,
      time: 6,
      registrarId: 1n,
    }),
  );
  assert.deepEqual(JSON.parse(lines[0]!), {
    time: "1970-01-01T00:00:00.005Z",
    level: "warn",
    tool: "registrar",
    event: "listen-failed",
    message: "Cannot listen",
    component: "management",
    port: 3863,
    code: "EADDRINUSE",
    peer: { id: "7" },
  });
  const r = JSON.parse(lines[1]!);
  assert.equal(r.time, "1970-01-01T00:00:00.006Z");
  assert.equal(r.event, "deregistered");
  assert.equal(r.peId, "3");
  assert.ok(lines.every((l) => l.endsWith("\n") && !l.slice(0, -1).includes("\n")));
});

test("Logger rejects unknown levels and formats", () => {
  assert.throws(() => new Logger({ level: "loud" as never }), TypeError);
  assert.throws(() => new Logger({ format: "xml" as never }), TypeError);
});

test("Logger.always() writes at every level; event() adds extra fields to the line", () => {
  const { log, lines } = capture({ level: "error", tool: "registrar" });
  log.info("hidden");
  log.always("started", { asap: ["127.0.0.1:3863"] });
  const json = capture({ format: "json" });
  const registered = {
    type: "registered",
    poolHandle: new TextEncoder().encode("P"),
    peId: 4n,
    assoc: -1,
  };
  json.log.event(registered, { transport: "tcp 127.0.0.1:7 data", policy: undefined });
  const text = capture();
  text.log.event(registered, { transport: "tcp 127.0.0.1:7 data" });
  assert.deepEqual(lines, [
    "1970-01-02T00:00:00.000Z INFO  registrar: started asap=127.0.0.1:3863\n",
  ]);
  const j = JSON.parse(json.lines[0]!);
  assert.equal(j.peId, "4");
  assert.equal(j.transport, "tcp 127.0.0.1:7 data");
  assert.equal("policy" in j, false);
  assert.equal(
    text.lines[0],
    '1970-01-02T00:00:00.000Z INFO  registered PE 4 registered in pool P transport="tcp 127.0.0.1:7 data"\n',
  );
});
