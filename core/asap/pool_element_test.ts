// Unit tests of the PoolElement over the simulated network with real registrars. Runs under
// Deno, Bun and Node.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Sim } from "../../tests/_sim.ts";
import { addPoolElement, addRegistrar, ASAP, enc } from "../../tests/asap/_setup.ts";
import { SeededRng } from "../rng.ts";
import type { Role, RoleAction } from "../role.ts";
import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
import { encodeMessage } from "../wire/wire_encoder.ts";
import { PoolElement, type PoolElementEvent } from "./pool_element.ts";
import { ErrorCause } from "../wire/error_cause.ts";

const LU = (load: number) => policyParameter(PolicyType.LeastUsed, { load });

function setup(seed = 1) {
  const sim = new Sim({ seed });
  const pr = addRegistrar(sim, "pr", { announceTargets: [] });
  const { pe } = addPoolElement(sim, "pe", {
    poolHandle: "EchoPool",
    policy: LU(10),
    userTransport: { protocol: "tcp", port: 7 },
    registrars: [pr.endpoint],
  });
  return { sim, pr, pe };
}

function peEvents(sim: Sim, name = "pe"): PoolElementEvent[] {
  return sim.events<PoolElementEvent>(name);
}

test("PoolElement registers at a static registrar with the address it connects from", () => {
  const { sim, pr, pe } = setup();
  assert.ok(sim.runUntil(() => pe.state === "registered", 1000));
  const entry = pr.registrar.handlespace.find(enc("EchoPool"), pe.id)!;
  assert.deepEqual(entry.userTransport, {
    protocol: "tcp",
    port: 7,
    transportUse: "data",
    addresses: [sim.node("pe").address],
  });
  assert.equal(entry.registrationLife, 90000);
  assert.deepEqual(peEvents(sim).map((e) => e.type), ["registered"]);
  assert.equal(pe.homeRegistrarId, 0n); // not announced yet, no keep-alive yet
});

test("PoolElement re-registers every interval and learns its registrar's id from keep-alives", () => {
  const { sim, pr, pe } = setup();
  sim.runFor(65_000);
  assert.equal(pe.state, "registered");
  const reRegistered = sim.events<{ type: string }>("pr", "re-registered");
  assert.equal(reRegistered.length, 2); // at 30 s and 60 s
  assert.ok(pe.stats().keepAliveAcks >= 10);
  assert.equal(pe.homeRegistrarId, pr.registrar.id);
  assert.equal(pr.registrar.stats().keepAliveTimeouts, 0);
});

test("PoolElement.updatePolicy() re-registers at once and coalesces bursts", () => {
  const { sim, pr, pe } = setup();
  assert.ok(sim.runUntil(() => pe.state === "registered", 1000));
  sim.runFor(1000);
  const before = pr.registrar.stats().reRegistrations;
  sim.command("pe", (now) => pe.updatePolicy(now, LU(1)));
  sim.runFor(5);
  assert.equal(pr.registrar.stats().reRegistrations, before + 1);
  for (let load = 100; load < 110; load++) {
    sim.command("pe", (now) => pe.updatePolicy(now, LU(load)));
    sim.runFor(10);
  }
  sim.runFor(1000);
  const sent = pr.registrar.stats().reRegistrations - before - 1;
  assert.ok(sent >= 1 && sent <= 2, `${sent} re-registrations for 10 updates in 100 ms`);
  assert.equal(pr.registrar.handlespace.find(enc("EchoPool"), pe.id)?.policy.load, 109);
});

test("PoolElement.updatePolicy() refuses a policy the codec cannot encode", () => {
  const { pe } = setup();
  assert.throws(() => pe.updatePolicy(0, { ...LU(1), load: -1 }), RangeError);
  assert.equal(pe.policy.load, 10);
});

test("PoolElement reports a rejected registration and retries after the interval", () => {
  const sim = new Sim({ seed: 2 });
  const pr = addRegistrar(sim, "pr", { announceTargets: [] });
  addPoolElement(sim, "rr", {
    poolHandle: "EchoPool",
    policy: policyParameter(PolicyType.RoundRobin),
    userTransport: { protocol: "tcp", port: 7 },
    registrars: [pr.endpoint],
  });
  sim.runFor(100);
  const { pe } = addPoolElement(sim, "pe", {
    poolHandle: "EchoPool",
    policy: LU(0),
    userTransport: { protocol: "tcp", port: 7 },
    registrars: [pr.endpoint],
    reRegistrationInterval: 10_000,
  });
  sim.runFor(100);
  assert.equal(pe.state, "rejected");
  assert.deepEqual(peEvents(sim), [{
    type: "registration-failed",
    cause: ErrorCause.InconsistentPoolingPolicy,
    reason: "Inconsistent Pooling Policy",
  }]);
  sim.runFor(10_000);
  assert.equal(peEvents(sim).filter((e) => e.type === "registration-failed").length, 2);
});

test("PoolElement fails over to another registrar when its home crashes", () => {
  const sim = new Sim({ seed: 3 });
  const a = addRegistrar(sim, "pr-a", { announceTargets: [] });
  const b = addRegistrar(sim, "pr-b", { announceTargets: [] });
  const { pe } = addPoolElement(sim, "pe", {
    poolHandle: "EchoPool",
    policy: LU(0),
    userTransport: { protocol: "tcp", port: 7 },
    registrars: [a.endpoint, b.endpoint],
  });
  sim.runFor(6000); // registered and one keep-alive: the id is known
  const home = pe.homeRegistrarId;
  const [homeName, other] = home === a.registrar.id ? ["pr-a", b] : ["pr-b", a];
  sim.crash(homeName, { reset: true });
  assert.ok(
    sim.runUntil(() => other.registrar.handlespace.size === 1 && pe.state === "registered", 2000),
  );
  const types = peEvents(sim).map((e) => e.type);
  assert.deepEqual(types, ["registered", "registrar-lost", "registered", "home-changed"]);
  assert.equal(pe.state, "registered");
});

test("PoolElement aborts a registrar that does not answer and registers elsewhere", () => {
  const sim = new Sim({ seed: 4 });
  // A registrar that accepts associations and never answers.
  const silent: Role = {
    handleAssociationUp() {},
    handleMessage() {},
    handleAssociationDown() {},
    handleDatagram() {},
    handleTimeout() {},
    pollTransmit: () => undefined,
    pollTimeout: () => undefined,
    pollEvent: () => undefined,
  };
  sim.addNode("silent", silent, { address: "10.9.0.1", listeners: { asap: ASAP } });
  const good = addRegistrar(sim, "good"); // known only from its announces
  const { pe } = addPoolElement(sim, "pe", {
    poolHandle: "EchoPool",
    policy: LU(0),
    userTransport: { protocol: "tcp", port: 7 },
    registrars: [{ address: "10.9.0.1", port: ASAP }],
    maxSimultaneousConnects: 1,
  });
  assert.ok(sim.runUntil(() => pe.state === "registered", 60_000));
  assert.equal(good.registrar.handlespace.size, 1);
  const lost = peEvents(sim).filter((e) => e.type === "registrar-lost");
  assert.ok(lost.length >= 1);
  assert.ok(
    lost.every((e) => e.type === "registrar-lost" && e.reason === "Registrar response timeout"),
  );
  assert.ok(sim.now >= 3000);
});

test("PoolElement.shutdown() deregisters and closes", () => {
  const { sim, pr, pe } = setup();
  sim.runFor(1000);
  sim.command("pe", (now) => pe.shutdown(now));
  sim.runFor(1000);
  assert.equal(pe.state, "closed");
  assert.deepEqual(peEvents(sim).slice(-2).map((e) => e.type), ["deregistered", "closed"]);
  assert.equal(pr.registrar.handlespace.size, 0);
  assert.equal(pe.pollTimeout(), undefined);
  assert.equal(sim.node("pr").ends.size, 0);
});

test("PoolElement takes a registrar's H-flag keep-alive as a change of home", () => {
  const sim = new Sim({ seed: 5 });
  const a = addRegistrar(sim, "pr-a", { announceTargets: [] });
  const b = addRegistrar(sim, "pr-b", { announceTargets: [] });
  const { pe } = addPoolElement(sim, "pe", {
    poolHandle: "EchoPool",
    policy: LU(0),
    userTransport: { protocol: "tcp", port: 7 },
    registrars: [a.endpoint],
  }, "10.3.0.1");
  sim.runFor(6000);
  assert.equal(pe.homeRegistrarId, a.registrar.id);
  // Registrar B learned the PE (as ENRP would tell it) and takes it over.
  const r = b.registrar.handlespace.register(enc("EchoPool"), {
    id: pe.id,
    homeRegistrarId: a.registrar.id,
    registrationLife: 90000,
    userTransport: { protocol: "tcp", port: 7, transportUse: "data", addresses: ["10.3.0.1"] },
    policy: LU(0),
  }, {
    now: sim.now,
    asapTransport: { protocol: "tcp", port: ASAP, transportUse: "data", addresses: ["10.3.0.1"] },
  });
  assert.ok(r.ok);
  b.registrar.handlespace.changeOwner(r.entry, b.registrar.id);
  sim.command("pr-b", (now) => b.registrar.sendHomeKeepAlive(now, r.entry));
  sim.runFor(1000);
  assert.equal(pe.homeRegistrarId, b.registrar.id);
  assert.deepEqual(
    peEvents(sim).filter((e) => e.type === "home-changed"),
    [{ type: "home-changed", from: a.registrar.id, to: b.registrar.id, reason: "takeover" }],
  );
  assert.equal(a.registrar.handlespace.size, 0); // the old association was aborted
  assert.equal(
    b.registrar.handlespace.find(enc("EchoPool"), pe.id)?.association !== undefined,
    true,
  );
});

test("PoolElement finds a registrar through Server Announces", () => {
  const sim = new Sim({ seed: 6 });
  const pr = addRegistrar(sim, "pr");
  const { pe } = addPoolElement(sim, "pe", {
    poolHandle: "EchoPool",
    policy: LU(0),
    userTransport: { protocol: "tcp", port: 7 },
  });
  assert.ok(sim.runUntil(() => pe.state === "registered", 3000));
  const [registered] = peEvents(sim);
  assert.deepEqual(
    registered && registered.type === "registered" && registered.registrarId,
    pr.registrar.id,
  );
});

test("PoolElement aborts an association that sends garbage and hunts again", () => {
  const sim = new Sim({ seed: 7 });
  let sent = false;
  const out: RoleAction[] = [];
  const liar: Role = {
    handleAssociationUp(_now, assoc) {
      if (!sent) {
        sent = true;
        out.push({
          type: "send",
          assoc,
          ppid: 0x4e474153,
          stream: 0,
          payload: new Uint8Array([1, 2, 3, 4, 5]),
        });
      }
    },
    handleMessage() {},
    handleAssociationDown() {},
    handleDatagram() {},
    handleTimeout() {},
    pollTransmit: () => out.shift(),
    pollTimeout: () => undefined,
    pollEvent: () => undefined,
  };
  sim.addNode("liar", liar, { address: "10.9.0.2", listeners: { asap: ASAP } });
  const { pe } = addPoolElement(sim, "pe", {
    poolHandle: "EchoPool",
    policy: LU(0),
    userTransport: { protocol: "tcp", port: 7 },
    registrars: [{ address: "10.9.0.2", port: ASAP }],
  });
  sim.runFor(100);
  const types = peEvents(sim).map((e) => e.type);
  assert.deepEqual(types.slice(0, 2), ["peer-protocol-error", "registrar-lost"]);
  assert.equal(pe.state, "registering"); // hunted again and got the liar once more
});

test("PoolElement refuses invalid configuration", () => {
  const base = {
    rng: new SeededRng(1),
    poolHandle: "p",
    policy: LU(0),
    userTransport: { protocol: "tcp" as const, port: 7 },
  };
  assert.throws(() => new PoolElement({ ...base, id: 0n }), RangeError);
  assert.throws(() => new PoolElement({ ...base, profile: "rfc", id: 1n << 40n }), RangeError);
  assert.throws(() => new PoolElement({ ...base, poolHandle: "" }), RangeError);
  assert.throws(() => new PoolElement({ ...base, reRegistrationInterval: -1 }), RangeError);
  assert.throws(() =>
    new PoolElement({ ...base, userTransport: { protocol: "tcp", port: 70000 } })
  );
  assert.ok(new PoolElement({ ...base, profile: "rfc" }).id <= 0xffffffffn);
  // The codec accepts the RFC profile's registration encoding too.
  assert.ok(encodeMessage({ type: "list-request", senderId: 1n, receiverId: 0n }).length > 0);
});
