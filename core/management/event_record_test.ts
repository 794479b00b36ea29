import { test } from "node:test";
import assert from "node:assert/strict";
import { eventFields, eventMessage, eventRecord, KNOWN_EVENTS } from "./event_record.ts";
import type { RegistrarEvent } from "../registrar/events.ts";

const ph = new TextEncoder().encode("EchoPool");
const remote = { address: "::1", port: 3863 };

const SAMPLES: RegistrarEvent[] = [
  { type: "registered", poolHandle: ph, peId: 1n, assoc: -1 },
  { type: "re-registered", poolHandle: ph, peId: 1n, assoc: -1, changed: true },
  {
    type: "registration-rejected",
    poolHandle: ph,
    peId: 1n,
    assoc: -1,
    cause: 5,
    reason: "policy",
  },
  { type: "deregistered", poolHandle: ph, peId: 1n, assoc: -1 },
  { type: "keep-alive-timeout", poolHandle: ph, peId: 1n, assoc: undefined },
  { type: "unreachable-report", poolHandle: ph, peId: 1n, assoc: -2, reports: 2 },
  { type: "pe-removed-unreachable", poolHandle: ph, peId: 1n, reports: 3 },
  { type: "pe-removed-association-down", poolHandle: ph, peId: 1n, assoc: -1, reason: "reset" },
  { type: "pe-expired", poolHandle: ph, peId: 1n },
  { type: "rate-limited", assoc: -2, request: "handle-resolution" },
  { type: "peer-protocol-error", assoc: -2, cause: 3, detail: "bad" },
  { type: "association-aborted", assoc: -2, reason: "too many" },
  { type: "enrp-request-rejected", assoc: -3, senderId: 0n, request: "list-request", reason: "x" },
  { type: "startup-phase-ended" },
  { type: "handle-resolution", assoc: -2, poolHandle: ph, requested: 3, returned: 1, cause: 0 },
  { type: "association-up", assoc: -2, listener: "asap", remote },
  { type: "association-down", assoc: -2, reason: "closed" },
  { type: "announce-sent", targets: 1 },
];

test("eventMessage() has a sentence for every registrar event, without undefined values", () => {
  assert.deepEqual(new Set(SAMPLES.map((e) => e.type)), new Set(KNOWN_EVENTS));
  for (const e of SAMPLES) {
    const m = eventMessage(e.type, eventFields(e));
    assert.ok(!m.includes("undefined") && !m.includes("null"), `${e.type}: ${m}`);
    assert.ok(!m.startsWith(e.type), `${e.type} has its own sentence: ${m}`);
  }
});

test("eventFields() names causes, writes addresses and identifiers as text and skips undefined", () => {
  assert.deepEqual(eventFields(SAMPLES[2]!), {
    poolHandle: "EchoPool",
    poolHandleRef: "EchoPool",
    peId: "1",
    assoc: -1,
    cause: 5,
    causeName: "Inconsistent Pooling Policy",
    reason: "policy",
  });
  assert.equal(eventFields(SAMPLES[15]!).remote, "[::1]:3863");
  assert.equal("assoc" in eventFields(SAMPLES[4]!), false);
});

test("eventRecord() shows an event this version does not know with its fields", () => {
  const r = eventRecord({ type: "takeover-started", target: 9n, peers: [1n, 2n], seq: 99 }, {
    seq: 1,
    time: 0,
    registrarId: 5n,
  });
  assert.equal(r.level, "info");
  assert.equal(r.seq, 1); // an event field never overwrites a fixed one
  assert.equal(r.message, "takeover-started: target=9 peers=1,2");
  assert.equal(r.target, "9");
});
