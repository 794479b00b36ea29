// The registrar's DoS limits, on by default (ASAP_DEFAULTS): each has its reaction on the wire
// (an ASAP Error or a rejecting response with the RFC 5354 cause, or an abort), and a bad peer
// never corrupts the handlespace nor disturbs the others. Runs under Deno, Bun and Node.

import { test } from "node:test";
import assert from "node:assert/strict";
import { ASAP_DEFAULTS } from "../asap/defaults.ts";
import { SeededRng } from "../rng.ts";
import type { AssociationId, RoleAction } from "../role.ts";
import type { AsapMessage } from "../wire/asap_message.ts";
import { decodeAsapMessage } from "../wire/decode.ts";
import { ErrorCause } from "../wire/error_cause.ts";
import type { PoolElementParameter } from "../wire/pool_element_parameter.ts";
import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
import { asapPpid } from "../wire/profile.ts";
import { encodeMessage } from "../wire/wire_encoder.ts";
import type { RegistrarConfig } from "./config.ts";
import { Registrar } from "./registrar.ts";

const PH = new TextEncoder().encode("EchoPool");

function newRegistrar(config: Partial<RegistrarConfig> = {}): Registrar {
  return new Registrar({ rng: new SeededRng(8), id: 0x8000n, announceTargets: [], ...config });
}

function up(pr: Registrar, assoc: AssociationId, address = "127.0.0.1", now = 0): void {
  pr.handleAssociationUp(now, assoc, {
    remote: { address, port: 40000 - assoc },
    local: { address: "127.0.0.1", port: 3863 },
    peerMaxPayload: 65535,
    listener: "asap",
  });
}

function send(pr: Registrar, now: number, assoc: AssociationId, m: AsapMessage): void {
  pr.handleMessage(now, assoc, asapPpid(pr.profile), 0, encodeMessage(m, { profile: pr.profile }));
}

function pe(id: bigint, address = "127.0.0.1"): PoolElementParameter {
  return {
    id,
    homeRegistrarId: 0n,
    registrationLife: 90000,
    userTransport: { protocol: "tcp", port: 7, transportUse: "data", addresses: [address] },
    policy: policyParameter(PolicyType.RoundRobin),
  };
}

/** Drains the registrar; returns the decoded ASAP messages per association and the closes. */
function drain(pr: Registrar) {
  const sent = new Map<AssociationId, AsapMessage[]>();
  const closes: Extract<RoleAction, { type: "close" }>[] = [];
  for (let a = pr.pollTransmit(); a !== undefined; a = pr.pollTransmit()) {
    if (a.type === "close") closes.push(a);
    if (a.type !== "send") continue;
    const r = decodeAsapMessage(a.payload, { profile: pr.profile });
    if (r.kind !== "ok") continue;
    const list = sent.get(a.assoc) ?? [];
    list.push(r.message);
    sent.set(a.assoc, list);
  }
  while (pr.pollEvent() !== undefined);
  return { sent, closes };
}

function causeOf(m: AsapMessage | undefined): number | undefined {
  if (m === undefined || !("error" in m) || m.error === undefined) return undefined;
  return m.error.causes[0]?.code;
}

function checksumsHold(pr: Registrar): void {
  const hs = pr.handlespace;
  assert.equal(hs.handlespaceChecksum(), hs.computeHandlespaceChecksum());
  assert.equal(hs.ownershipChecksum(pr.id), hs.computeOwnershipChecksum(pr.id));
}

test("resolveRegistrarConfig() turns the DoS limits on by default", () => {
  const c = newRegistrar().config;
  assert.equal(c.maxHrRate, ASAP_DEFAULTS.maxHrRate.value);
  assert.ok(c.maxHrRate > 0);
  assert.ok(c.maxEuRate > 0);
  assert.ok(c.maxMessageRate > 0);
  assert.ok(c.maxRegistrationsPerAssociation > 0);
  assert.ok(c.maxParameters > 0);
  assert.equal(c.limits.maxPools, ASAP_DEFAULTS.maxPools.value);
  assert.equal(c.limits.maxPoolElements, ASAP_DEFAULTS.maxPoolElements.value);
  assert.equal(c.limits.maxPoolElementsPerPool, ASAP_DEFAULTS.maxPoolElementsPerPool.value);
  // 0 lifts a limit.
  const open = newRegistrar({ limits: { maxPools: 0 }, maxMessageRate: 0 }).config;
  assert.equal(open.limits.maxPools, Infinity);
  assert.equal(open.maxMessageRate, 0);
});

test("Registrar rejects a registration beyond maxRegistrationsPerAssociation with Lack of Resources; other associations still register", () => {
  const pr = newRegistrar({ maxRegistrationsPerAssociation: 3 });
  up(pr, -1);
  up(pr, -2);
  for (let i = 1n; i <= 4n; i++) {
    send(pr, 0, -1, { type: "registration", poolHandle: PH, poolElement: pe(i) });
  }
  // A re-registration of a PE it has is not a new one.
  send(pr, 1, -1, { type: "registration", poolHandle: PH, poolElement: pe(2n) });
  send(pr, 1, -2, { type: "registration", poolHandle: PH, poolElement: pe(10n) });
  const { sent } = drain(pr);
  const replies = sent.get(-1)!;
  assert.deepEqual(replies.map((m) => m.type === "registration-response" && m.reject), [
    false,
    false,
    false,
    true,
    false,
  ]);
  assert.equal(causeOf(replies[3]), ErrorCause.LackOfResources);
  const other = sent.get(-2)![0];
  assert.ok(other?.type === "registration-response" && !other.reject);
  assert.equal(pr.handlespace.size, 4);
  checksumsHold(pr);
});

test("Registrar rejects registrations beyond the pool and handlespace limits with Lack of Resources", () => {
  const pr = newRegistrar({ limits: { maxPoolElementsPerPool: 2, maxPools: 2 } });
  up(pr, -1);
  for (let i = 1n; i <= 3n; i++) {
    send(pr, 0, -1, { type: "registration", poolHandle: PH, poolElement: pe(i) });
  }
  for (const name of ["A", "B"]) {
    send(pr, 0, -1, {
      type: "registration",
      poolHandle: new TextEncoder().encode(name),
      poolElement: pe(100n),
    });
  }
  const replies = drain(pr).sent.get(-1)!;
  assert.deepEqual(replies.map(causeOf), [
    undefined,
    undefined,
    ErrorCause.LackOfResources,
    undefined,
    ErrorCause.LackOfResources,
  ]);
  assert.equal(pr.handlespace.poolCount, 2);
  checksumsHold(pr);
});

test("Registrar rejects a pool handle longer than maxPoolHandleLength with Invalid Values", () => {
  const pr = newRegistrar({ maxPoolHandleLength: 8 });
  up(pr, -1);
  send(pr, 0, -1, {
    type: "registration",
    poolHandle: new TextEncoder().encode("ThisPoolHandleIsTooLong"),
    poolElement: pe(1n),
  });
  const [reply] = drain(pr).sent.get(-1)!;
  assert.ok(reply?.type === "registration-response" && reply.reject);
  assert.equal(causeOf(reply), ErrorCause.InvalidValues);
  assert.equal(pr.handlespace.size, 0);
});

test("Registrar answers a message with more than maxParameters parameters with an ASAP Error (Invalid Values) and leaves the handlespace alone", () => {
  const pr = newRegistrar({ maxParameters: 8 });
  up(pr, -1);
  // A Registration padded with 20 skip-and-report parameters (type 0xc0ff, empty).
  const reg = encodeMessage({ type: "registration", poolHandle: PH, poolElement: pe(1n) }, {
    profile: pr.profile,
  });
  const extra = new Uint8Array(20 * 4);
  for (let i = 0; i < 20; i++) extra.set([0xc0, 0xff, 0x00, 0x04], i * 4);
  const bloated = new Uint8Array(reg.length + extra.length);
  bloated.set(reg);
  bloated.set(extra, reg.length);
  bloated[2] = bloated.length >> 8;
  bloated[3] = bloated.length & 0xff;
  pr.handleMessage(0, -1, asapPpid(pr.profile), 0, bloated);
  const [reply] = drain(pr).sent.get(-1)!;
  assert.equal(reply?.type, "asap-error");
  assert.equal(causeOf(reply), ErrorCause.InvalidValues);
  assert.equal(pr.handlespace.size, 0);
  // The same Registration without the padding is fine.
  pr.handleMessage(1, -1, asapPpid(pr.profile), 0, reg);
  assert.equal(pr.handlespace.size, 1);
});

test("Registrar aborts an association sending more than maxMessageRate messages per second; other associations are served", () => {
  const pr = newRegistrar({ maxMessageRate: 50, maxHrRate: 0 });
  up(pr, -1); // a PE
  up(pr, -2); // a flooding PU
  up(pr, -3); // a legit PU
  send(pr, 0, -1, { type: "registration", poolHandle: PH, poolElement: pe(1n) });
  for (let i = 0; i < 200; i++) send(pr, 10, -2, { type: "handle-resolution", poolHandle: PH });
  send(pr, 10, -3, { type: "handle-resolution", poolHandle: PH });
  const { sent, closes } = drain(pr);
  assert.deepEqual(closes.map((c) => [c.assoc, c.abort]), [[-2, true]]);
  assert.match(closes[0]!.reason, /Message rate limit/);
  // The flooder got its first second's worth, then nothing.
  assert.equal(sent.get(-2)!.length, 50);
  const legit = sent.get(-3)!;
  assert.ok(legit[0]?.type === "handle-resolution-response" && legit[0].poolElements.length === 1);
  assert.equal(pr.stats().associationsRateLimited, 1);
  // A second later the rate refills for a well-behaved association.
  for (let i = 0; i < 40; i++) send(pr, 1010, -3, { type: "handle-resolution", poolHandle: PH });
  assert.equal(drain(pr).closes.length, 0);
});

test("Registrar answers Handle Resolutions over the default maxHrRate with Lack of Resources while another PU is served", () => {
  const pr = newRegistrar();
  const rate = pr.config.maxHrRate;
  up(pr, -1);
  up(pr, -2);
  up(pr, -3);
  send(pr, 0, -1, { type: "registration", poolHandle: PH, poolElement: pe(1n) });
  for (let i = 0; i < rate + 5; i++) send(pr, 5, -2, { type: "handle-resolution", poolHandle: PH });
  send(pr, 5, -3, { type: "handle-resolution", poolHandle: PH });
  const { sent } = drain(pr);
  const flood = sent.get(-2)!;
  assert.equal(flood.filter((m) => causeOf(m) === undefined).length, rate);
  assert.equal(flood.filter((m) => causeOf(m) === ErrorCause.LackOfResources).length, 5);
  assert.equal(causeOf(sent.get(-3)![0]), undefined);
});

test("Registrar keeps the handlespace consistent under a mixed flood from one peer (registrations, deregistrations of others, garbage, resolutions)", () => {
  const pr = newRegistrar({ maxRegistrationsPerAssociation: 50, maxMessageRate: 0 });
  const rng = new SeededRng(99);
  up(pr, -1, "127.0.0.1"); // the legit PE
  up(pr, -9, "127.0.0.1"); // the attacker
  send(pr, 0, -1, { type: "registration", poolHandle: PH, poolElement: pe(1n) });
  drain(pr);
  for (let i = 0; i < 2000; i++) {
    const now = 1 + i;
    const k = rng.nextU32() % 5;
    if (k === 0) {
      const id = BigInt(2 + (rng.nextU32() % 200));
      send(pr, now, -9, { type: "registration", poolHandle: PH, poolElement: pe(id) });
    } else if (k === 1) {
      send(pr, now, -9, { type: "deregistration", poolHandle: PH, poolElementId: 1n });
    } else if (k === 2) {
      const junk = new Uint8Array(4 + (rng.nextU32() % 60));
      for (let j = 0; j < junk.length; j++) junk[j] = rng.nextU32() & 0xff;
      pr.handleMessage(now, -9, asapPpid(pr.profile), 0, junk);
    } else if (k === 3) {
      send(pr, now, -9, { type: "endpoint-unreachable", poolHandle: PH, poolElementId: 1n });
    } else send(pr, now, -9, { type: "handle-resolution", poolHandle: PH });
    drain(pr);
    if (i % 100 === 0) checksumsHold(pr);
  }
  // The legit PE is still there, home here, on its own association.
  const legit = pr.handlespace.find(PH, 1n);
  assert.ok(legit !== undefined);
  assert.equal(legit.association, -1);
  assert.ok(pr.handlespace.entriesOfAssociation(-9).length <= 50);
  checksumsHold(pr);
});
