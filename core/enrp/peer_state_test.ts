// The peer state table: every state returns to alive when the peer is heard, a takeover only
// starts from a silent peer, and "gone" is left only by hearing the peer. Runs under Deno, Bun
// and Node.

import { test } from "node:test";
import assert from "node:assert/strict";
import { isSuspected, PEER_TRANSITIONS, type PeerState } from "./peer_state.ts";

const STATES: readonly PeerState[] = [
  "alive",
  "probing",
  "taking-over",
  "awaiting-takeover",
  "gone",
];

test("PEER_TRANSITIONS: hearing a peer makes it alive from every state", () => {
  for (const s of STATES) assert.equal(PEER_TRANSITIONS[s].heard, "alive");
});

test("PEER_TRANSITIONS: a takeover starts only from a silent peer and ends with the peer gone", () => {
  const starts = STATES.filter((s) => PEER_TRANSITIONS[s]["take-over"] !== undefined);
  assert.deepEqual(starts, ["probing", "awaiting-takeover"]);
  assert.equal(PEER_TRANSITIONS["taking-over"].completed, "gone");
  assert.equal(PEER_TRANSITIONS["taking-over"]["lower-initiator"], "awaiting-takeover");
  assert.equal(PEER_TRANSITIONS["taking-over"].expired, "probing");
  assert.deepEqual(Object.keys(PEER_TRANSITIONS.gone), ["heard"]);
  assert.equal(PEER_TRANSITIONS.alive["take-over"], undefined);
  assert.equal(PEER_TRANSITIONS.alive["init-takeover"], undefined); // a peer we hear: no ack
});

test("isSuspected() is true for every state but alive", () => {
  assert.deepEqual(STATES.filter(isSuspected), [
    "probing",
    "taking-over",
    "awaiting-takeover",
    "gone",
  ]);
});
