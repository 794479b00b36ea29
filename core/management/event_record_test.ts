import { test } from "node:test";
import assert from "node:assert/strict";
import {
  eventFields,
  eventMessage,
  eventRecord,
  KNOWN_EVENTS,
  type NamedEvent,
} from "./event_record.ts";
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
  { type: "unreachable-confirming", poolHandle: ph, peId: 1n, reports: 3 },
  { type: "unreachable-refuted", poolHandle: ph, peId: 1n },
  {
    type: "authorization-refused",
    assoc: -2,
    action: "register",
    poolHandle: ph,
    remote,
    identity: undefined,
  },
];

// ENRP's events (core/enrp/events.ts on the ENRP branch), with the same fields.
const ENRP_SAMPLES: NamedEvent[] = [
  { type: "peer-up", peerId: 2n, endpoint: { address: "127.0.0.1", port: 9901 } },
  { type: "peer-silent", peerId: 2n },
  { type: "peer-removed", peerId: 2n, reason: "silent" },
  { type: "mentor-selected", peerId: 2n },
  { type: "mentor-sync-finished", peerId: 2n, poolElements: 10 },
  { type: "audit-mismatch", peerId: 2n, theirs: 1, ours: 2 },
  { type: "audit-finished", peerId: 2n, poolElements: 3, purged: 1 },
  { type: "takeover-started", targetId: 3n, awaiting: [2n] },
  { type: "takeover-completed", targetId: 3n, poolElements: 4 },
  { type: "takeover-cancelled", targetId: 3n, reason: "target-alive" },
  { type: "takeover-expired", targetId: 3n, missing: [2n] },
  { type: "takeover-acknowledged", targetId: 3n, initiatorId: 2n },
  { type: "taken-over-by-peer", targetId: 3n, byId: 2n, poolElements: 4 },
];

test("eventMessage() has a sentence for every registrar event, without undefined values", () => {
  const all: NamedEvent[] = [...SAMPLES, ...ENRP_SAMPLES];
  assert.deepEqual(new Set(all.map((e) => e.type)), new Set(KNOWN_EVENTS));
  for (const e of all) {
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
  const r = eventRecord({ type: "future-event", target: 9n, peers: [1n, 2n], seq: 99 }, {
    seq: 1,
    time: 0,
    registrarId: 5n,
  });
  assert.equal(r.level, "info");
  assert.equal(r.seq, 1); // an event field never overwrites a fixed one
  assert.equal(r.message, "future-event: target=9 peers=1,2");
  assert.equal(r.target, "9");
});

test("eventRecord() gives ENRP's peer, audit and takeover events their levels and messages", () => {
  const ctx = { seq: 1, time: 0, registrarId: 1n };
  const started = eventRecord(
    { type: "takeover-started", targetId: 7n, awaiting: [2n, 3n] },
    ctx,
  );
  assert.equal(started.level, "warn");
  assert.equal(started.message, "Takeover of silent registrar 7 started (awaiting 2,3)");
  assert.equal(started.targetId, "7");
  const audit = eventRecord(
    { type: "audit-mismatch", peerId: 2n, theirs: 0xbeef, ours: 0x1234 },
    ctx,
  );
  assert.equal(audit.level, "warn");
  assert.equal(
    audit.message,
    "Checksum of peer registrar 2 differs (theirs 0xbeef, ours 0x1234): resynchronising",
  );
  const up = eventRecord(
    { type: "peer-up", peerId: 2n, endpoint: { address: "127.0.0.1", port: 9901 } },
    ctx,
  );
  assert.equal(up.level, "info");
  assert.equal(up.message, "Peer registrar 2 is up at 127.0.0.1:9901");
  assert.equal(
    eventRecord({ type: "peer-up", peerId: 3n, endpoint: undefined }, ctx).message,
    "Peer registrar 3 is up",
  );
  for (const name of ["takeover-completed", "taken-over-by-peer", "peer-removed"]) {
    assert.ok(KNOWN_EVENTS.includes(name), name);
  }
});
