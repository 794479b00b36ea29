// Per-pool counters of the Registrar: registrations, re-registrations, handle resolutions,
// Endpoint Unreachable reports, keep-alive timeouts and rate-limited requests, kept per pool and
// forgotten with the pool.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SeededRng } from "../rng.ts";
import { encodeMessage } from "../wire/wire_encoder.ts";
import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
import type { AsapMessage } from "../wire/asap_message.ts";
import { Registrar } from "./registrar.ts";
import type { RegistrarConfig } from "./config.ts";

const A = new TextEncoder().encode("A");
const B = new TextEncoder().encode("B");
const NG_ASAP = 0x4e474153;

function setup(config: Partial<RegistrarConfig> = {}) {
  const pr = new Registrar({ rng: new SeededRng(3), id: 9n, announceTargets: [], ...config });
  for (const assoc of [-1, -2]) {
    pr.handleAssociationUp(0, assoc, {
      remote: { address: "127.0.0.1", port: 40000 - assoc },
      local: { address: "127.0.0.1", port: 3863 },
      peerMaxPayload: 65535,
      listener: "asap",
    });
  }
  const send = (assoc: number, m: AsapMessage, now = 0) => {
    pr.handleMessage(now, assoc, NG_ASAP, 0, encodeMessage(m));
    while (pr.pollTransmit() !== undefined);
    while (pr.pollEvent() !== undefined);
  };
  const register = (poolHandle: Uint8Array, id: bigint) =>
    send(-1, {
      type: "registration",
      poolHandle,
      poolElement: {
        id,
        homeRegistrarId: 0n,
        registrationLife: 90000,
        userTransport: { protocol: "tcp", port: 7, transportUse: "data", addresses: ["127.0.0.1"] },
        policy: policyParameter(PolicyType.RoundRobin),
      },
    });
  return { pr, send, register };
}

test("Registrar.poolStats() counts registrations, re-registrations, resolutions and reports per pool", () => {
  const { pr, send, register } = setup();
  register(A, 1n);
  register(A, 2n);
  register(A, 1n); // re-registration
  register(B, 3n);
  send(-2, { type: "handle-resolution", poolHandle: A });
  send(-2, { type: "handle-resolution", poolHandle: A });
  send(-2, { type: "handle-resolution", poolHandle: B });
  send(-2, { type: "handle-resolution", poolHandle: new TextEncoder().encode("C") });
  send(-2, { type: "endpoint-unreachable", poolHandle: B, poolElementId: 3n });
  assert.deepEqual(pr.poolStats(A), {
    registrations: 2,
    reRegistrations: 1,
    handleResolutions: 2,
    unreachableReports: 0,
    keepAliveTimeouts: 0,
    rateLimitedRequests: 0,
  });
  assert.deepEqual(pr.poolStats(B), {
    registrations: 1,
    reRegistrations: 0,
    handleResolutions: 1,
    unreachableReports: 1,
    keepAliveTimeouts: 0,
    rateLimitedRequests: 0,
  });
  assert.equal(pr.poolStats(new TextEncoder().encode("C")), undefined); // unknown pool
  assert.equal(pr.stats().handleResolutionsUnknownPool, 1);
});

test("Registrar.poolStats() returns a snapshot, and a pool that empties and comes back starts at zero", () => {
  const { pr, send, register } = setup();
  register(A, 1n);
  const snapshot = pr.poolStats(A)!;
  snapshot.registrations = 99;
  assert.equal(pr.poolStats(A)?.registrations, 1);
  send(-1, { type: "deregistration", poolHandle: A, poolElementId: 1n });
  assert.equal(pr.poolStats(A), undefined);
  register(A, 5n);
  assert.deepEqual(pr.poolStats(A), {
    registrations: 1,
    reRegistrations: 0,
    handleResolutions: 0,
    unreachableReports: 0,
    keepAliveTimeouts: 0,
    rateLimitedRequests: 0,
  });
});

test("Registrar.poolStats() counts the keep-alive timeouts of a pool's PEs", () => {
  const { pr, send, register } = setup();
  register(A, 1n);
  register(A, 2n);
  register(B, 3n);
  pr.handleTimeout(5000); // Endpoint Keep-Alives to all three
  while (pr.pollTransmit() !== undefined);
  send(-1, { type: "endpoint-keep-alive-ack", poolHandle: A, poolElementId: 2n }, 7000);
  send(-1, { type: "endpoint-keep-alive-ack", poolHandle: B, poolElementId: 3n }, 7000);
  pr.handleTimeout(10000); // PE 1 stayed silent
  while (pr.pollEvent() !== undefined);
  assert.equal(pr.handlespace.find(A, 1n), undefined);
  assert.equal(pr.poolStats(A)?.keepAliveTimeouts, 1);
  assert.equal(pr.poolStats(B)?.keepAliveTimeouts, 0);
  assert.equal(pr.stats().keepAliveTimeouts, 1);
});

test("Registrar.poolStats() counts rate-limited requests by the pool they name, not unknown pools", () => {
  const { pr, send, register } = setup({ maxHrRate: 1, maxEuRate: 1 });
  register(A, 1n);
  register(B, 2n);
  const C = new TextEncoder().encode("C");
  send(-2, { type: "handle-resolution", poolHandle: A }); // within the burst of 1
  send(-2, { type: "handle-resolution", poolHandle: A }); // refused
  send(-2, { type: "handle-resolution", poolHandle: C }); // refused, pool unknown
  send(-2, { type: "endpoint-unreachable", poolHandle: B, poolElementId: 2n }); // counted
  send(-2, { type: "endpoint-unreachable", poolHandle: B, poolElementId: 2n }); // dropped
  assert.equal(pr.poolStats(A)?.handleResolutions, 1);
  assert.equal(pr.poolStats(A)?.rateLimitedRequests, 1);
  assert.equal(pr.poolStats(B)?.unreachableReports, 1);
  assert.equal(pr.poolStats(B)?.rateLimitedRequests, 1);
  assert.equal(pr.poolStats(C), undefined);
  assert.equal(pr.stats().handleResolutionsRateLimited, 2);
  assert.equal(pr.stats().unreachableReportsRateLimited, 1);
});
