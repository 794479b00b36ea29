// The role state machines (ASAP and session roles) under random and mutated messages and random event orders (the
// bounded run of the normal suite; `deno task fuzz` runs 1,000,000 cases). fast-check draws
// the seeds and shrinks a failing one; tests/_role_fuzz.ts holds the loop and its invariants.

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { fuzzRoles, roleCorpus } from "./_role_fuzz.ts";

const corpora = { ng: roleCorpus("ng", 150, 1), rfc: roleCorpus("rfc", 150, 2) };

test("Registrar (ASAP and ENRP sides), PoolElement, PoolUser, SessionLayer and SessionAcceptor survive random event orders with valid, mutated and random messages (and random API calls), keeping their invariants", () => {
  let cases = 0, sent = 0, closed = 0, registered = 0, sessions = 0, enrpSent = 0;
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0x7fffffff }), (seed) => {
      const c = fuzzRoles(1000, seed, corpora, 200);
      cases += c.cases;
      sent += c.sent;
      closed += c.closed;
      registered += c.registered;
      sessions += c.sessions;
      enrpSent += c.enrpSent;
    }),
    { numRuns: 20, seed: 20261121 },
  );
  assert.equal(cases, 20 * 1000);
  // The run reached the interesting paths: replies went out, associations were closed for
  // misbehaving, and the registrar held PEs.
  assert.ok(sent > 500, `${sent} messages sent`);
  assert.ok(closed > 10, `${closed} associations closed`);
  assert.ok(registered > 0, `${registered} PEs registered`);
  assert.ok(sessions > 20, `${sessions} sessions opened or served`);
  assert.ok(enrpSent > 50, `${enrpSent} ENRP messages sent by the registrars`);
});
