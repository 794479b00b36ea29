// How fast dead pool elements leave the handlespace: a PE that stops answering keep-alives, a
// PE whose host vanishes, a PE whose process crashes, a PE that pool users report unreachable.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Sim, simSeeds, withSeed } from "../_sim.ts";
import { addPoolElement, addPoolUser, addRegistrar, enc } from "./_setup.ts";
import { PoolElement, type PoolElementConfig } from "../../core/asap/pool_element.ts";
import { policyParameter, PolicyType } from "../../core/wire/policy_parameter.ts";
import type {
  AssociationDown,
  AssociationId,
  AssociationInfo,
  Role,
  RoleAction,
  TransportAddress,
} from "../../core/role.ts";
import type { PoolElementEvent } from "../../core/asap/pool_element.ts";
import type { RegistrarEvent } from "../../core/registrar/events.ts";
import type { PoolUserEvent } from "../../core/asap/pool_user.ts";

const RR = policyParameter(PolicyType.RoundRobin);

/** A pool element whose process hangs when told to: it reads and sends nothing any more. */
class HangingPe implements Role<PoolElementEvent> {
  readonly pe: PoolElement;
  hung = false;
  constructor(config: PoolElementConfig) {
    this.pe = new PoolElement(config);
  }
  handleAssociationUp(now: number, assoc: AssociationId, info: AssociationInfo) {
    if (!this.hung) this.pe.handleAssociationUp(now, assoc, info);
  }
  handleMessage(now: number, assoc: AssociationId, ppid: number, stream: number, p: Uint8Array) {
    if (this.hung) return;
    this.pe.handleMessage(now, assoc, ppid, stream, p);
  }
  handleAssociationDown(now: number, assoc: AssociationId, down: AssociationDown) {
    if (!this.hung) this.pe.handleAssociationDown(now, assoc, down);
  }
  handleDatagram(now: number, channel: string, from: TransportAddress, p: Uint8Array) {
    if (!this.hung) this.pe.handleDatagram(now, channel, from, p);
  }
  handleTimeout(now: number) {
    if (!this.hung) this.pe.handleTimeout(now);
  }
  pollTransmit(): RoleAction | undefined {
    return this.hung ? undefined : this.pe.pollTransmit();
  }
  pollTimeout(): number | undefined {
    return this.hung ? undefined : this.pe.pollTimeout();
  }
  pollEvent(): PoolElementEvent | undefined {
    return this.pe.pollEvent();
  }
}

test("A PE that stops answering keep-alives is removed within interval + timeout", () => {
  for (const seed of simSeeds(100, 1000)) {
    withSeed(seed, () => {
      const sim = new Sim({ seed });
      const pr = addRegistrar(sim, "pr");
      const hanging = new HangingPe({
        rng: sim.fork(),
        poolHandle: "EchoPool",
        policy: RR,
        userTransport: { protocol: "tcp", port: 7 },
      });
      sim.addNode("pe", hanging, {
        channels: { "asap-announce": { port: 3863, join: ["239.0.0.50"] } },
      });
      addPoolElement(sim, "healthy", {
        poolHandle: "EchoPool",
        policy: RR,
        userTransport: { protocol: "tcp", port: 7 },
      });
      assert.ok(sim.runUntil(() => pr.registrar.handlespace.size === 2, 5000));
      sim.runFor(sim.random() * 20_000);
      hanging.hung = true;
      const hungAt = sim.now;
      const ph = enc("EchoPool");
      assert.ok(
        sim.runUntil(() => pr.registrar.handlespace.find(ph, hanging.pe.id) === undefined, 20_000),
      );
      // Removed at the latest one full interval + timeout after the last ack.
      assert.ok(sim.now - hungAt <= 5000 + 5000 + 10, `removed after ${sim.now - hungAt} ms`);
      const removed = sim.events<RegistrarEvent>("pr", "keep-alive-timeout");
      assert.equal(removed.length, 1);
      assert.equal(pr.registrar.handlespace.size, 1); // the healthy PE stays
      sim.runFor(20_000);
      assert.equal(pr.registrar.handlespace.size, 1);
    });
  }
});

test("A PE whose host vanishes is removed when its association dies", () => {
  const sim = new Sim({ seed: 7 });
  const pr = addRegistrar(sim, "pr");
  const { pe } = addPoolElement(sim, "pe", {
    poolHandle: "EchoPool",
    policy: RR,
    userTransport: { protocol: "tcp", port: 7 },
  });
  sim.runFor(3000);
  sim.crash("pe"); // no reset: only heartbeats (2 s + 3 s) or a keep-alive timeout notice it
  const crashedAt = sim.now;
  assert.ok(sim.runUntil(() => pr.registrar.handlespace.size === 0, 20_000));
  assert.ok(sim.now - crashedAt <= 5000 + 10, `${sim.now - crashedAt} ms`);
  assert.equal(pe.state, "registered"); // the crashed PE never learned anything
});

test("A PE whose process crashes (connection reset) is removed at once", () => {
  for (const seed of simSeeds(50, 2000)) {
    withSeed(seed, () => {
      const sim = new Sim({ seed, latency: 1 + sim0(seed) });
      const pr = addRegistrar(sim, "pr");
      addPoolElement(sim, "pe", {
        poolHandle: "EchoPool",
        policy: RR,
        userTransport: { protocol: "tcp", port: 7 },
      });
      sim.runFor(2000 + (seed % 7) * 1000);
      assert.equal(pr.registrar.handlespace.size, 1);
      sim.crash("pe", { reset: true });
      const crashedAt = sim.now;
      assert.ok(sim.runUntil(() => pr.registrar.handlespace.size === 0, 1000));
      assert.ok(sim.now - crashedAt <= 10, `${sim.now - crashedAt} ms`);
      const [down] = sim.events<RegistrarEvent>("pr", "pe-removed-association-down");
      assert.equal(down?.type === "pe-removed-association-down" && down.reason, "reset");
    });
  }
});

function sim0(seed: number): number {
  return seed % 5;
}

test("Endpoint Unreachable reports from three pool users remove a hung PE once the confirming keep-alive times out", () => {
  const sim = new Sim({ seed: 11 });
  const pr = addRegistrar(sim, "pr");
  const hanging = new HangingPe({
    rng: sim.fork(),
    poolHandle: "EchoPool",
    policy: RR,
    userTransport: { protocol: "tcp", port: 7 },
  });
  sim.addNode("pe0", hanging, {
    channels: { "asap-announce": { port: 3863, join: ["239.0.0.50"] } },
  });
  const other = addPoolElement(sim, "pe1", {
    poolHandle: "EchoPool",
    policy: RR,
    userTransport: { protocol: "tcp", port: 7 },
  }).pe;
  const pus = [0, 1, 2].map((i) => addPoolUser(sim, `pu${i}`).pu);
  assert.ok(sim.runUntil(() => pr.registrar.handlespace.size === 2, 5000));
  sim.runFor(100);
  hanging.hung = true; // its association stays up: only the reports and a keep-alive tell
  const victim = hanging.pe.id;
  pus.forEach((pu, i) => {
    sim.command(`pu${i}`, (now) => pu.reportUnreachable(now, "EchoPool", victim));
    sim.runFor(20);
  });
  // Three reports: not removed yet, a keep-alive confirms first.
  assert.equal(pr.registrar.handlespace.size, 2);
  assert.equal(sim.events<RegistrarEvent>("pr", "unreachable-confirming").length, 1);
  const reportedAt = sim.now;
  assert.ok(
    sim.runUntil(
      () => pr.registrar.handlespace.find(enc("EchoPool"), victim) === undefined,
      10_000,
    ),
  );
  assert.ok(sim.now - reportedAt <= 5000 + 10, `removed after ${sim.now - reportedAt} ms`);
  assert.equal(sim.events<RegistrarEvent>("pr", "pe-removed-unreachable").length, 1);
  assert.equal(sim.events<RegistrarEvent>("pr", "keep-alive-timeout").length, 0);
  // Resolutions now only return the other PE.
  sim.command(
    "pu0",
    (now) => pus[0]!.resolve(now, "EchoPool", { items: "all", staleCacheValue: 0 }),
  );
  sim.runFor(20);
  const [r] = sim.events<PoolUserEvent>("pu0", "resolved");
  assert.deepEqual(r?.type === "resolved" && r.poolElements.map((e) => e.id), [other.id]);
});

test("Forged Endpoint Unreachable reports never remove a live PE: the confirming keep-alive is answered", () => {
  const sim = new Sim({ seed: 12 });
  const pr = addRegistrar(sim, "pr", { maxEuRate: 0 });
  const { pe } = addPoolElement(sim, "pe", {
    poolHandle: "EchoPool",
    policy: RR,
    userTransport: { protocol: "tcp", port: 7 },
  });
  const pus = [0, 1, 2, 3].map((i) => addPoolUser(sim, `pu${i}`).pu);
  assert.ok(sim.runUntil(() => pr.registrar.handlespace.size === 1, 5000));
  // 4 liars report it 50 times each over 10 s.
  for (let round = 0; round < 50; round++) {
    pus.forEach((pu, i) => {
      sim.command(`pu${i}`, (now) => pu.reportUnreachable(now, "EchoPool", pe.id));
    });
    sim.runFor(200);
  }
  sim.runFor(6000);
  assert.ok(pr.registrar.handlespace.find(enc("EchoPool"), pe.id) !== undefined);
  assert.equal(sim.events<RegistrarEvent>("pr", "pe-removed-unreachable").length, 0);
  const stats = pr.registrar.stats();
  assert.ok(stats.unreachableConfirmations >= 2, `${stats.unreachableConfirmations}`);
  assert.equal(stats.unreachableRefuted, stats.unreachableConfirmations);
  assert.ok(pr.registrar.handlespace.find(enc("EchoPool"), pe.id)!.unreachableReports < 3);
});
