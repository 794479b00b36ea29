// Sessions survive the death of their pool element with their state: a running sum kept by the
// pool element in cookies goes on at another pool element after a crash at a random moment;
// every message is applied exactly once, and the answers are the ones a single server gives.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Sim, simSeeds, withSeed } from "../_sim.ts";
import { policyParameter, PolicyType } from "../../core/wire/policy_parameter.ts";
import { SessionAcceptor, type SessionAcceptorEvent } from "../../core/session/session_acceptor.ts";
import type { SessionLayer, SessionLayerEvent } from "../../core/session/session_layer.ts";
import { type App, AppRole } from "./_app.ts";
import {
  addAcceptor,
  addRegistrar,
  addSessionUser,
  codecFor,
  dec,
  enc,
  SESSION_PORT,
  show,
} from "./_setup.ts";

interface Sum {
  sum: number;
  applied: number;
}

const isSum = (v: unknown): v is Sum =>
  typeof v === "object" && v !== null && typeof (v as Sum).sum === "number" &&
  typeof (v as Sum).applied === "number";

/** Keeps a running sum per session; "i:n" adds n once (i increases), answers "i:sum". */
function accumulator(
  pe: SessionAcceptor<Sum>,
  name: string,
  log: { pe: string; i: number }[],
): App<SessionAcceptorEvent<Sum>> {
  const state = new Map<number, Sum>();
  return {
    onEvent(now, e) {
      if (e.type === "cookie-echo") state.set(e.session, { ...e.state });
      if (e.type === "session-closed") state.delete(e.session);
      if (e.type !== "data") return;
      const [i, n] = dec(e.payload).split(":").map(Number) as [number, number];
      const st = state.get(e.session) ?? { sum: 0, applied: 0 };
      state.set(e.session, st);
      if (i > st.applied) {
        st.sum += n;
        st.applied = i;
        log.push({ pe: name, i });
      }
      pe.send(now, e.session, enc(`${i}:${st.sum}`), { ppid: 99 });
      pe.sendCookie(now, e.session, st);
    },
  };
}

/** Sends "i:i" every 100 ms with ack; acknowledges message i when "i:..." comes back. */
class Counter implements App<SessionLayerEvent> {
  readonly layer: SessionLayer;
  readonly count: number;
  readonly answers = new Map<number, number>();
  readonly ids = new Map<number, number>();
  session = 0;
  next = 1;
  at: number | undefined = undefined;

  constructor(layer: SessionLayer, count: number) {
    this.layer = layer;
    this.count = count;
  }
  start(now: number): void {
    this.session = this.layer.open(now, "SumPool");
    this.at = now;
  }
  onEvent(_now: number, e: SessionLayerEvent): void {
    if (e.type !== "data") return;
    const [i, sum] = dec(e.payload).split(":").map(Number) as [number, number];
    if (!this.answers.has(i)) this.answers.set(i, sum);
    this.layer.acknowledge(e.session, this.ids.get(i)!);
  }
  nextTimeout(): number | undefined {
    return this.at;
  }
  onTimeout(now: number): void {
    const i = this.next++;
    this.ids.set(i, this.layer.send(now, this.session, enc(`${i}:${i}`), { ack: true, ppid: 99 })!);
    this.at = this.next <= this.count ? now + 100 : undefined;
  }
}

test("A session keeps its state across a pool element crash at any moment (running sum)", () => {
  for (const seed of simSeeds(60, 9000)) {
    withSeed(seed, () => {
      const sim = new Sim({ seed, latency: 1 + (seed % 4) });
      const { endpoint } = addRegistrar(sim, "pr");
      const log: { pe: string; i: number }[] = [];
      const names = ["pe0", "pe1", "pe2"];
      const pes = names.map((name) =>
        addAcceptor<Sum>(sim, name, {
          poolHandle: "SumPool",
          policy: policyParameter(PolicyType.RoundRobin),
          registrars: [endpoint],
          cookies: codecFor("SumPool", { validate: isSum }),
        }, (pe) => accumulator(pe, name, log))
      );
      let counter!: Counter;
      const pu = addSessionUser(sim, "pu", { registrars: [endpoint] }, (layer) => {
        counter = new Counter(layer, 20);
        return counter;
      });
      assert.ok(
        sim.runUntil(() => pes.every((p) => p.pe.poolElement?.state === "registered"), 10_000),
      );
      pu.role.run(sim.now, (now) => counter.start(now));
      sim.command("pu", () => {});
      // Crash whichever PE serves the session at a random moment of the conversation.
      const reset = sim.random() < 0.5;
      sim.runFor(sim.random() * 2200);
      const serving = pu.layer.info(counter.session)?.poolElement?.id;
      const victim = pes.find((p) => p.pe.poolElement?.id === serving);
      if (victim !== undefined) sim.crash(victim.node.name, { reset });
      assert.ok(
        sim.runUntil(
          () =>
            counter.answers.size === 20 && pu.layer.unacknowledged(counter.session).length === 0,
          60_000,
        ),
        `${counter.answers.size} answers; session ${show(pu.layer.info(counter.session))}`,
      );
      sim.runFor(12_000); // an idle session fails over too (heartbeats notice a dead host)
      for (let i = 1; i <= 20; i++) {
        assert.equal(counter.answers.get(i), (i * (i + 1)) / 2, `answer ${i}`);
      }
      // Every message applied exactly once, across the pool elements.
      assert.deepEqual(log.map((l) => l.i), Array.from({ length: 20 }, (_, k) => k + 1));
      const events = sim.events<SessionLayerEvent>("pu");
      const failovers = events.filter((e) => e.type === "failover-complete");
      if (victim !== undefined && log.some((l) => l.pe === victim.node.name)) {
        assert.equal(failovers.length, 1);
        const f = failovers[0]!;
        assert.ok(f.type === "failover-complete" && f.cookieEchoed);
        assert.notEqual(f.poolElement.id, victim.pe.poolElement?.id);
      }
      assert.equal(events.filter((e) => e.type === "session-closed").length, 0);
    });
  }
});

test("Many sessions through crashes, restarts and partitions: every answer is the single-server one", () => {
  let total = 0;
  const seeds = simSeeds(12, 9500);
  for (const seed of seeds) {
    withSeed(seed, () => {
      const sim = new Sim({
        seed,
        latency: 1 + (seed % 3),
        heartbeatInterval: 500,
        heartbeatTimeout: 500,
      });
      const { endpoint } = addRegistrar(sim, "pr");
      const log: { pe: string; i: number }[] = [];
      const names = ["pe0", "pe1", "pe2", "pe3", "pe4"];
      const make = (name: string) => {
        const pe = new SessionAcceptor<Sum>({
          rng: sim.fork(),
          port: SESSION_PORT,
          poolHandle: "SumPool",
          policy: policyParameter(PolicyType.Random),
          registrars: [endpoint],
          cookies: codecFor("SumPool", { validate: isSum }),
        });
        return { pe, role: new AppRole(pe, accumulator(pe, name, log)) };
      };
      const pes = new Map(names.map((name) => {
        const m = make(name);
        sim.addNode(name, m.role, { listeners: { session: SESSION_PORT } });
        return [name, m];
      }));
      const counters: Counter[] = [];
      const users = Array.from(
        { length: 8 },
        (_, u) =>
          addSessionUser(sim, `pu${u}`, {
            registrars: [endpoint],
            staleCacheValue: 0,
            maxAttempts: 50,
          }, (layer) => {
            const c = new Counter(layer, 30);
            counters.push(c);
            return c;
          }),
      );
      assert.ok(
        sim.runUntil(
          () => [...pes.values()].every((p) => p.pe.poolElement?.state === "registered"),
          10_000,
        ),
      );
      users.forEach((u, k) => u.role.run(sim.now, (now) => counters[k]!.start(now)));
      for (const u of users) sim.command(u.node.name, () => {});
      // Chaos for 3 s: crashes (reset or not) with restarts, and partitions that heal.
      for (let t = 0; t < 3000; t += 150) {
        sim.runFor(150);
        const name = names[Math.floor(sim.random() * names.length)]!;
        const roll = sim.random();
        if (roll < 0.4 && sim.node(name).alive) sim.crash(name, { reset: sim.random() < 0.5 });
        else if (roll < 0.55 && !sim.node(name).alive) {
          const m = make(name);
          pes.set(name, m);
          sim.restart(name, m.role);
        } else if (roll < 0.7) {
          const u = `pu${Math.floor(sim.random() * users.length)}`;
          sim.partition([u], [name]);
          sim.at(sim.now + 400 + sim.random() * 1200, () => sim.heal([u], [name]));
        }
      }
      for (const name of names) {
        if (!sim.node(name).alive) {
          const m = make(name);
          pes.set(name, m);
          sim.restart(name, m.role);
        }
      }
      assert.ok(
        sim.runUntil(() => counters.every((c) => c.answers.size === 30), 120_000),
        counters.map((c) => c.answers.size).join(" "),
      );
      for (const c of counters) {
        for (let i = 1; i <= 30; i++) {
          assert.equal(c.answers.get(i), (i * (i + 1)) / 2, `answer ${i}`);
        }
      }
      let failovers = 0;
      for (const u of users) {
        assert.equal(sim.events(u.node.name, "session-closed").length, 0);
        failovers += sim.events(u.node.name, "failover-complete").length;
      }
      assert.ok(failovers >= 1, "no failover: the chaos did not reach the sessions");
      total += failovers;
    });
  }
  assert.ok(total >= 3 * seeds.length, `${total} failovers in ${seeds.length} runs`);
});
