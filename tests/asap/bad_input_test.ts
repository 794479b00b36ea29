// Bad peers never take a registrar down or corrupt its handlespace: garbage bytes, malformed
// and mutated messages of every ASAP and ENRP type (the codec's fuzz corpus), wrong PPIDs,
// registrations with another policy or transport; meanwhile the good PEs stay registered and a
// good PU keeps being served.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Sim, simSeeds, withSeed } from "../_sim.ts";
import { addPoolElement, addPoolUser, addRegistrar, ASAP, enc, ENRP } from "./_setup.ts";
import { corpus, mutate } from "../_wire_fuzz.ts";
import { SeededRng } from "../../core/rng.ts";
import type {
  AssociationId,
  AssociationInfo,
  Role,
  RoleAction,
  TransportAddress,
} from "../../core/role.ts";
import { PPID_ASAP, PPID_ASAP_NG, PPID_ENRP, PPID_ENRP_NG } from "../../core/wire/profile.ts";
import { policyParameter, PolicyType } from "../../core/wire/policy_parameter.ts";
import { ErrorCause } from "../../core/wire/error_cause.ts";
import type { PoolElement, PoolElementEvent } from "../../core/asap/pool_element.ts";
import type { PoolUserEvent } from "../../core/asap/pool_user.ts";
import type { RegistrarEvent } from "../../core/registrar/events.ts";

const SAMPLES = corpus(400, 77);
const PPIDS = [PPID_ASAP_NG, PPID_ASAP_NG, PPID_ASAP_NG, PPID_ENRP_NG, PPID_ASAP, PPID_ENRP, 0, 99];

/** Connects to a registrar again and again and sends it mutated messages. */
class Attacker implements Role {
  readonly #rng: SeededRng;
  readonly #target: TransportAddress;
  readonly #out: RoleAction[] = [];
  #assoc: AssociationId | undefined = undefined;
  #next = 1;
  #wake = 0;
  sent = 0;
  aborted = 0;
  constructor(seed: number, target: TransportAddress) {
    this.#rng = new SeededRng(seed);
    this.#target = target;
  }
  handleAssociationUp(now: number, assoc: AssociationId, _info: AssociationInfo) {
    this.#assoc = assoc;
    this.#wake = now;
  }
  handleMessage() {}
  handleAssociationDown(now: number, assoc: AssociationId) {
    if (assoc === this.#assoc) {
      this.#assoc = undefined;
      this.aborted++;
    }
    this.#wake = now + 50;
  }
  handleDatagram() {}
  handleTimeout(now: number) {
    if (now < this.#wake) return;
    this.#wake = now + 5;
    if (this.#assoc === undefined) {
      if (this.#out.length === 0) {
        this.#out.push({ type: "connect", assoc: this.#next++, endpoints: [this.#target] });
        this.#wake = now + 10_000;
      }
      return;
    }
    for (let i = 0; i < 3; i++) {
      const payload = mutate(this.#rng, SAMPLES);
      if (payload.length === 0) continue;
      const ppid = PPIDS[this.#rng.nextU32() % PPIDS.length]!;
      this.sent++;
      this.#out.push({ type: "send", assoc: this.#assoc, ppid, stream: 0, payload });
    }
  }
  pollTransmit() {
    return this.#out.shift();
  }
  pollTimeout() {
    return this.#wake;
  }
  pollEvent() {
    return undefined;
  }
}

test("Garbage, malformed messages and wrong PPIDs never corrupt the registrar", () => {
  for (const seed of simSeeds(100, 5000)) {
    withSeed(seed, () => {
      const sim = new Sim({ seed });
      const pr = addRegistrar(sim, "pr");
      const good: PoolElement[] = [];
      for (let i = 0; i < 5; i++) {
        good.push(
          addPoolElement(sim, `pe${i}`, {
            poolHandle: "EchoPool",
            policy: policyParameter(PolicyType.LeastUsed, { load: i }),
            userTransport: { protocol: "tcp", port: 7 },
          }).pe,
        );
      }
      const { pu } = addPoolUser(sim, "pu", { staleCacheValue: 0 });
      const attackers = [0, 1, 2].map((i) => {
        const a = new Attacker(seed * 7 + i, {
          address: pr.endpoint.address,
          port: i === 2 ? ENRP : ASAP,
        });
        sim.addNode(`attacker${i}`, a);
        return a;
      });
      for (let s = 0; s < 10; s++) {
        sim.runFor(1000);
        sim.command("pu", (now) => pu.resolve(now, "EchoPool", { items: "all" }));
      }
      sim.runFor(1000);
      const hs = pr.registrar.handlespace;
      // Consistent: incremental checksums equal recomputed ones, counts add up.
      assert.equal(hs.handlespaceChecksum(), hs.computeHandlespaceChecksum());
      for (const owner of hs.owners()) {
        assert.equal(hs.ownershipChecksum(owner), hs.computeOwnershipChecksum(owner));
      }
      let n = 0;
      for (const pool of hs.pools()) n += pool.size;
      assert.equal(n, hs.size);
      // The good PEs are registered and were never disturbed; the PU was served every time.
      for (const pe of good) {
        assert.equal(hs.find(enc("EchoPool"), pe.id)?.live, true);
        assert.equal(pe.state, "registered");
        assert.deepEqual(sim.events<PoolElementEvent>(`pe${good.indexOf(pe)}`).map((e) => e.type), [
          "registered",
        ]);
      }
      const served = sim.events<PoolUserEvent>("pu", "resolved");
      assert.equal(served.length, 10);
      for (const r of served) {
        assert.ok(r.type === "resolved" && r.poolElements.length >= 5);
      }
      // The attackers were answered with errors and cut off now and then.
      const stats = pr.registrar.stats();
      assert.ok(attackers.reduce((s, a) => s + a.sent, 0) > 1000);
      assert.ok(stats.protocolErrors > 100, `${stats.protocolErrors} protocol errors`);
      assert.ok(stats.associationsAborted > 0);
      assert.ok(attackers.some((a) => a.aborted > 0));
      assert.ok(sim.events<RegistrarEvent>("pr", "peer-protocol-error").length > 0);
    });
  }
});

test("Registrations with another policy or transport get the R flag and the right cause", () => {
  const sim = new Sim({ seed: 55 });
  const pr = addRegistrar(sim, "pr");
  addPoolElement(sim, "first", {
    poolHandle: "EchoPool",
    policy: policyParameter(PolicyType.RoundRobin),
    userTransport: { protocol: "tcp", port: 7 },
  });
  sim.runFor(100);
  addPoolElement(sim, "policy", {
    poolHandle: "EchoPool",
    policy: policyParameter(PolicyType.WeightedRandom, { weight: 1 }),
    userTransport: { protocol: "tcp", port: 7 },
  });
  addPoolElement(sim, "transport", {
    poolHandle: "EchoPool",
    policy: policyParameter(PolicyType.RoundRobin),
    userTransport: { protocol: "udp", port: 7 },
  });
  addPoolElement(sim, "control", {
    poolHandle: "EchoPool",
    policy: policyParameter(PolicyType.RoundRobin),
    userTransport: { protocol: "tcp", port: 7, transportUse: "data+control" },
  });
  sim.runFor(1000);
  const failure = (name: string) => {
    const [e] = sim.events<PoolElementEvent>(name, "registration-failed");
    return e?.type === "registration-failed" ? e.cause : undefined;
  };
  assert.equal(failure("policy"), ErrorCause.InconsistentPoolingPolicy);
  assert.equal(failure("transport"), ErrorCause.InconsistentTransportType);
  assert.equal(failure("control"), ErrorCause.InconsistentDataControlConfiguration);
  assert.equal(pr.registrar.handlespace.size, 1);
  assert.equal(pr.registrar.stats().registrationsRejected, 3);
  const rejected = sim.events<RegistrarEvent>("pr", "registration-rejected");
  assert.equal(rejected.length, 3);
});
