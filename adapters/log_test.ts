import { test } from "node:test";
import assert from "node:assert/strict";
import { Logger } from "./log.ts";
import { eventRecord } from "../core/management/event_record.ts";

function capture(options: ConstructorParameters<typeof Logger>[0] = {}) {
  const lines: string[] = [];
  const log = new Logger({ clock: () => 86_400_000, write: (l) => lines.push(l), ...options });
  return { log, lines };
}

test("Logger writes text lines with time, level, event name, message and context fields", () => {
  const { log, lines } = capture({ fields: { registrar: "42", name: "pr one" } });
  log.info("http-listening", "Management API on http://127.0.0.1:8080", { port: 8080 });
  log.event({
    type: "keep-alive-timeout",
    poolHandle: new Uint8Array([1]),
    peId: 9n,
    assoc: undefined,
  });
  assert.deepEqual(lines, [
    '1970-01-02T00:00:00.000Z INFO  http-listening Management API on http://127.0.0.1:8080 registrar=42 name="pr one"',
    '1970-01-02T00:00:00.000Z WARN  keep-alive-timeout PE 9 of pool 0x01 missed its keep-alive and was removed registrar=42 name="pr one"',
  ]);
});

test("Logger filters by level and colors levels only when asked", () => {
  const { log, lines } = capture({ level: "warn", color: true });
  log.info("x");
  log.event({ type: "registered", poolHandle: new Uint8Array([65]), peId: 1n, assoc: -1 });
  log.error("boom", "It broke");
  assert.deepEqual(lines, ["1970-01-02T00:00:00.000Z \x1b[31mERROR\x1b[0m boom It broke"]);
  assert.equal(log.enabled("warn"), true);
  assert.equal(log.enabled("info"), false);
});

test("Logger JSON lines carry every field; child() adds context; record() keeps the record's time", () => {
  const { log, lines } = capture({ format: "json" });
  const child = log.child({ component: "registrar" });
  child.warn("listener-failed", "Cannot listen", { port: 3863, cause: "EADDRINUSE" });
  child.record(
    eventRecord({ type: "deregistered", poolHandle: new Uint8Array([65]), peId: 3n, assoc: -1 }, {
      seq: 4,
      time: 5,
      registrarId: 1n,
    }),
  );
  assert.deepEqual(JSON.parse(lines[0]!), {
    time: "1970-01-02T00:00:00.000Z",
    level: "warn",
    event: "listener-failed",
    message: "Cannot listen",
    component: "registrar",
    port: 3863,
    cause: "EADDRINUSE",
  });
  const r = JSON.parse(lines[1]!);
  assert.equal(r.time, "1970-01-01T00:00:00.005Z");
  assert.equal(r.event, "deregistered");
  assert.equal(r.peId, "3");
});

test("Logger rejects unknown levels and formats", () => {
  assert.throws(() => new Logger({ level: "loud" as never }), TypeError);
  assert.throws(() => new Logger({ format: "xml" as never }), TypeError);
});
