// Unit tests of the PoolUser over the simulated network with real registrars and pool
// elements. Runs under Deno, Bun and Node.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Sim } from "../../tests/_sim.ts";
import { addPoolElement, addPoolUser, addRegistrar, enc } from "../../tests/asap/_setup.ts";
import { SeededRng } from "../rng.ts";
import { decodeAsapMessage } from "../wire/decode.ts";
import { ErrorCause } from "../wire/error_cause.ts";
import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
import { PoolUser, type PoolUserConfig, type PoolUserEvent } from "./pool_user.ts";

function setup(seed: number, pes: number, config: Omit<PoolUserConfig, "rng"> = {}) {
  const sim = new Sim({ seed });
  const pr = addRegistrar(sim, "pr", { announceTargets: [] });
  for (let i = 0; i < pes; i++) {
    addPoolElement(sim, `pe${i}`, {
      poolHandle: "EchoPool",
      policy: policyParameter(PolicyType.RoundRobin),
      userTransport: { protocol: "tcp", port: 7 },
      registrars: [pr.endpoint],
    });
  }
  const { pu } = addPoolUser(sim, "pu", { registrars: [pr.endpoint], ...config });
  sim.runFor(100);
  return { sim, pr, pu };
}

type Result = Extract<PoolUserEvent, { type: "resolved" | "resolution-failed" }>;

function results(sim: Sim): Result[] {
  return sim.events<PoolUserEvent>("pu").filter((e): e is Result =>
    e.type === "resolved" || e.type === "resolution-failed"
  );
}

test("PoolUser.resolve() answers from its cache until the entries are stale", () => {
  const { sim, pu } = setup(1, 5, { staleCacheValue: 10_000 });
  sim.command("pu", (now) => pu.resolve(now, "EchoPool"));
  sim.runFor(50);
  const sentAfterFirst = sim.node("pu").sent;
  assert.equal(sentAfterFirst, 1);
  for (let i = 0; i < 20; i++) {
    sim.command("pu", (now) => pu.resolve(now, "EchoPool"));
    sim.runFor(100);
  }
  assert.equal(sim.node("pu").sent, sentAfterFirst); // 20 cache hits, no traffic
  const r = results(sim);
  assert.equal(r.length, 21);
  assert.ok(r.slice(1).every((e) => e.type === "resolved" && e.fromCache));
  // Round robin on the cache: the 3 cached PEs take turns.
  const picks = r.slice(1, 7).map((e) => e.type === "resolved" ? e.poolElements[0]!.id : 0n);
  assert.equal(new Set(picks).size, 3);
  assert.equal(pu.cached(sim.now, "EchoPool").length, 3);
  sim.runFor(10_000);
  sim.command("pu", (now) => pu.resolve(now, "EchoPool"));
  sim.runFor(50);
  assert.equal(sim.node("pu").sent, sentAfterFirst + 1); // stale: asked again
  assert.equal(pu.stats().cacheHits, 20);
});

test("PoolUser with staleCacheValue 0 asks the registrar for exactly the PEs wanted", () => {
  const { sim, pr, pu } = setup(2, 6, { staleCacheValue: 0 });
  const id = sim.command("pu", (now) => pu.resolve(now, "EchoPool", { items: 5 }));
  sim.runFor(50);
  const [r] = results(sim);
  assert.ok(r?.type === "resolved" && r.requestId === id && !r.fromCache);
  assert.equal(r.poolElements.length, 5);
  assert.equal(pu.cached(sim.now, "EchoPool").length, 0);
  sim.command("pu", (now) => pu.resolve(now, "EchoPool", { items: "all" }));
  sim.runFor(50);
  const all = results(sim)[1];
  assert.ok(all?.type === "resolved" && all.poolElements.length === 6);
  assert.equal(pr.registrar.stats().handleResolutions, 2);
});

test("PoolUser.resolve() reports an unknown pool", () => {
  const { sim, pu } = setup(3, 1);
  const id = sim.command("pu", (now) => pu.resolve(now, "NoSuchPool"));
  sim.runFor(50);
  assert.deepEqual(results(sim), [{
    type: "resolution-failed",
    requestId: id,
    poolHandle: enc("NoSuchPool"),
    reason: "unknown-pool",
    cause: ErrorCause.UnknownPoolHandle,
  }]);
  assert.equal(pu.pendingRequests, 0);
});

test("PoolUser.reportUnreachable() drops the PE from the cache and tells the registrar", () => {
  const { sim, pr, pu } = setup(4, 3, { staleCacheValue: 60_000 });
  sim.command("pu", (now) => pu.resolve(now, "EchoPool"));
  sim.runFor(50);
  const [r] = results(sim);
  assert.ok(r?.type === "resolved");
  const bad = r.poolElements[0]!.id;
  sim.command("pu", (now) => pu.reportUnreachable(now, "EchoPool", bad));
  sim.runFor(50);
  assert.ok(pu.cached(sim.now, "EchoPool").every((e) => e.id !== bad));
  assert.equal(pr.registrar.handlespace.find(enc("EchoPool"), bad)?.unreachableReports, 1);
  assert.equal(pu.stats().unreachableReports, 1);
});

test("PoolUser pipelines concurrent resolutions on one association and shares one per pool", () => {
  const { sim, pr, pu } = setup(5, 2, { staleCacheValue: 5000 });
  const ids: number[] = [];
  sim.command("pu", (now) => {
    for (let i = 0; i < 10; i++) ids.push(pu.resolve(now, "EchoPool"));
    for (let i = 0; i < 10; i++) ids.push(pu.resolve(now, `Pool${i}`));
  });
  sim.runFor(50);
  const r = results(sim);
  assert.equal(r.length, 20);
  assert.deepEqual(r.map((e) => e.requestId).sort((a, b) => a - b), ids);
  assert.equal(r.filter((e) => e.type === "resolved").length, 10);
  assert.equal(r.filter((e) => e.type === "resolution-failed").length, 10);
  // 1 Handle Resolution for EchoPool's 10 waiters, 10 for the unknown pools.
  assert.equal(
    pr.registrar.stats().handleResolutions + pr.registrar.stats().handleResolutionsUnknownPool,
    11,
  );
  assert.equal(sim.node("pr").ends.size, 3); // two PEs and one PU association
});

test("PoolUser resends pending requests to another registrar when its registrar goes silent", () => {
  const sim = new Sim({ seed: 6 });
  const a = addRegistrar(sim, "pr-a", { announceTargets: [] });
  const b = addRegistrar(sim, "pr-b", { announceTargets: [] });
  for (const pr of [a, b]) {
    addPoolElement(sim, `pe-${pr.node.name}`, {
      poolHandle: "EchoPool",
      policy: policyParameter(PolicyType.RoundRobin),
      userTransport: { protocol: "tcp", port: 7 },
      registrars: [pr.endpoint],
    });
  }
  const { pu } = addPoolUser(sim, "pu", {
    registrars: [a.endpoint, b.endpoint],
    staleCacheValue: 0,
  });
  sim.runFor(100);
  sim.command("pu", (now) => pu.resolve(now, "EchoPool"));
  sim.runFor(50);
  const first = pu.registrarAssociation;
  const usedA = sim.node("pr-a").ends.size === 2;
  sim.crash(usedA ? "pr-a" : "pr-b"); // host gone: no reset, the association just goes quiet
  const id = sim.command("pu", (now) => pu.resolve(now, "EchoPool"));
  assert.ok(sim.runUntil(() => results(sim).length === 2, 20_000));
  const last = results(sim)[1];
  assert.ok(last?.type === "resolved" && last.requestId === id);
  assert.notEqual(pu.registrarAssociation, first);
  const lost = sim.events<PoolUserEvent>("pu", "registrar-lost");
  assert.equal(lost.length, 1);
  assert.ok(lost[0]?.type === "registrar-lost" && lost[0].reason === "Registrar response timeout");
});

test("PoolUser fails requests with no-registrar when no registrar can be reached", () => {
  const sim = new Sim({ seed: 7 });
  const { pu } = addPoolUser(sim, "pu", { registrars: [{ address: "10.99.0.1", port: 3863 }] });
  const id = sim.command("pu", (now) => pu.resolve(now, "EchoPool"));
  assert.ok(sim.runUntil(() => results(sim).length === 1, 60_000));
  assert.deepEqual(results(sim)[0], {
    type: "resolution-failed",
    requestId: id,
    poolHandle: enc("EchoPool"),
    reason: "no-registrar",
    cause: 0,
  });
  assert.equal(pu.pendingRequests, 0);
});

test("PoolUser fails resolutions beyond maxPendingRequests at once", () => {
  const sim = new Sim({ seed: 8 });
  const { pu } = addPoolUser(sim, "pu", { maxPendingRequests: 2, staleCacheValue: 0 });
  sim.command("pu", (now) => {
    for (let i = 0; i < 3; i++) pu.resolve(now, "EchoPool");
  });
  const r = results(sim);
  assert.equal(r.length, 1);
  assert.ok(r[0]?.type === "resolution-failed" && r[0].reason === "overload");
  assert.equal(pu.pendingRequests, 2);
  sim.command("pu", (now) => pu.close(now));
  assert.equal(results(sim).filter((e) => e.type === "resolution-failed").length, 3);
  assert.equal(pu.pendingRequests, 0);
});

test("PoolUser sends the Handle Resolution option only when needed", () => {
  const pu = new PoolUser({ rng: new SeededRng(1), staleCacheValue: 1000 });
  pu.handleAssociationUp(0, 1, {
    remote: { address: "127.0.0.1", port: 3863 },
    local: { address: "127.0.0.1", port: 4000 },
    peerMaxPayload: 65535,
    listener: undefined,
  });
  // Association 1 is not a hunt attempt: refused.
  assert.equal(pu.pollTransmit()?.type, "close");
  const p = new PoolUser({
    rng: new SeededRng(1),
    registrars: [{ address: "127.0.0.1", port: 3863 }],
  });
  p.resolve(0, "A");
  p.resolve(0, "B", { items: "all" });
  p.resolve(0, "C", { staleCacheValue: 0, items: 2 });
  p.resolve(0, "D", { items: 7 });
  const connect = p.pollTransmit();
  assert.ok(connect?.type === "connect");
  p.handleAssociationUp(1, connect.assoc, {
    remote: { address: "127.0.0.1", port: 3863 },
    local: { address: "127.0.0.1", port: 4000 },
    peerMaxPayload: 65535,
    listener: undefined,
  });
  const items = [];
  for (let a = p.pollTransmit(); a !== undefined; a = p.pollTransmit()) {
    assert.equal(a.type, "send");
    const r = a.type === "send" ? decodeAsapMessage(a.payload, { profile: "ng" }) : undefined;
    assert.ok(r?.kind === "ok" && r.message.type === "handle-resolution");
    items.push(r.message.items);
  }
  assert.deepEqual(items, [undefined, 0xffffffff, 2, 7]);
  assert.throws(() => p.resolve(1, "A", { items: 0 }), RangeError);
  assert.throws(() => p.resolve(1, ""), RangeError);
});
