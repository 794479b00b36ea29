// The calculation application of the RSerPool policy evaluations (Dreibholz, RSPLIB's CalcApp),
// on the real protocol stack over the simulated network: a real Registrar, pool elements that
// are real SessionAcceptors (registration, load reports through re-registration) and pool users
// that are real SessionLayers (handle resolution at the registrar, session, request, result).
// Only the computation is a model: a pool element of capacity c has c slots of 10^6
// calculations per second, shared by its jobs (processor sharing: each of n jobs runs at
// min(1, c/n) of a slot). Pool users generate jobs of exponentially distributed size (mean 10^7
// calculations) at Poisson rates and handle them one at a time; the handling time of a job is
// its queueing at the pool user plus session startup plus processing.
//
// In a pool of capacities {1, 1, 1, 3, 3, 10} at 60 % utilisation, the policies that see load
// (Least Used and its variants) and the ones that know capacities (weighted) give far lower
// handling times than Round Robin and Random, which send a sixth of the work to pool elements
// that have a nineteenth of the capacity. The table is printed; the test asserts the ordering
// with wide margins over several seeds.

import { test } from "node:test";
import { readFileSync } from "node:fs";
import assert from "node:assert/strict";
import { Sim } from "../_sim.ts";
import { policyParameter, PolicyType } from "../../core/wire/policy_parameter.ts";
import { computeLoadPolicy } from "../../core/compute/compute_load.ts";
import type { SessionAcceptor, SessionAcceptorEvent } from "../../core/session/session_acceptor.ts";
import type {
  SessionId,
  SessionLayer,
  SessionLayerEvent,
} from "../../core/session/session_layer.ts";
import type { Rng } from "../../core/rng.ts";
import type { App } from "./_app.ts";
import { addAcceptor, addRegistrar, addSessionUser, codecFor, dec, enc } from "./_setup.ts";

const CAPACITIES = [1, 1, 1, 3, 3, 10];
const SLOT_SPEED = 1000; // calculations per ms (10^6 per second)
const MEAN_JOB = 10_000_000; // calculations
const USERS = 30;
const UTILISATION = 0.6;
const WARMUP = 200_000; // ms
const MEASURE = 1_000_000; // ms

const POLICIES: readonly [string, number][] = [
  ["RoundRobin", PolicyType.RoundRobin],
  ["Random", PolicyType.Random],
  ["WeightedRoundRobin", PolicyType.WeightedRoundRobin],
  ["WeightedRandom", PolicyType.WeightedRandom],
  ["LeastUsed", PolicyType.LeastUsed],
  ["LeastUsedDegradation", PolicyType.LeastUsedDegradation],
  ["PriorityLeastUsed", PolicyType.PriorityLeastUsed],
  ["RandomizedLeastUsed", PolicyType.RandomizedLeastUsed],
  ["PowerOfTwoLeastUsed", PolicyType.PowerOfTwoLeastUsed],
  ["WeightedLeastUsed", PolicyType.WeightedLeastUsed],
];

interface Job {
  remaining: number;
}

/** A calculation pool element: processor sharing over `capacity` slots; reports its load. */
class CalcServer implements App<SessionAcceptorEvent<unknown>> {
  readonly pe: SessionAcceptor<unknown>;
  readonly capacity: number;
  readonly base;
  readonly jobs = new Map<number, Job>();
  last = 0;
  busy = 0; // slot-ms used, for the utilisation
  next: number | undefined = undefined;

  constructor(pe: SessionAcceptor<unknown>, capacity: number, type: number) {
    this.pe = pe;
    this.capacity = capacity;
    this.base = policyParameter(type);
  }

  #rate(): number {
    return SLOT_SPEED * Math.min(1, this.capacity / Math.max(1, this.jobs.size));
  }

  #advance(now: number): void {
    const dt = now - this.last;
    this.last = now;
    if (dt <= 0 || this.jobs.size === 0) return;
    const r = this.#rate();
    this.busy += dt * Math.min(this.capacity, this.jobs.size);
    for (const j of this.jobs.values()) j.remaining -= r * dt;
  }

  #reschedule(now: number): void {
    let least = Infinity;
    for (const j of this.jobs.values()) least = Math.min(least, j.remaining);
    this.next = least === Infinity ? undefined : now + Math.max(0, least) / this.#rate();
    this.pe.updatePolicy(now, computeLoadPolicy(this.base, this.jobs.size, this.capacity));
  }

  onEvent(now: number, e: SessionAcceptorEvent<unknown>): void {
    if (e.type === "data") {
      this.#advance(now);
      this.jobs.set(e.session, { remaining: Number(dec(e.payload)) });
      this.#reschedule(now);
    } else if (e.type === "session-closed" && this.jobs.has(e.session)) {
      this.#advance(now);
      this.jobs.delete(e.session);
      this.#reschedule(now);
    }
  }

  nextTimeout(): number | undefined {
    return this.next;
  }

  onTimeout(now: number): void {
    this.#advance(now);
    for (const [session, j] of [...this.jobs]) {
      if (j.remaining <= 1e-6) {
        this.jobs.delete(session);
        this.pe.send(now, session, enc("done"), { ppid: 99 });
      }
    }
    this.#reschedule(now);
  }
}

/** A calculation pool user: Poisson job arrivals, one job at a time, one session per job. */
class CalcClient implements App<SessionLayerEvent> {
  readonly layer: SessionLayer;
  readonly rng: Rng;
  readonly rate: number; // jobs per ms
  readonly queue: { created: number; size: number }[] = [];
  readonly handling: number[] = [];
  current: { session: SessionId; created: number } | undefined = undefined;
  arrival: number;

  constructor(layer: SessionLayer, rng: Rng, rate: number) {
    this.layer = layer;
    this.rng = rng;
    this.rate = rate;
    this.arrival = this.#exp(1 / rate);
  }

  #exp(mean: number): number {
    return -Math.log(1 - this.rng.nextU32() / 0x100000000) * mean;
  }

  #start(now: number): void {
    if (this.current !== undefined) return;
    const job = this.queue.shift();
    if (job === undefined) return;
    const session = this.layer.open(now, "CalcAppPool");
    this.layer.send(now, session, enc(String(Math.round(job.size))), { ppid: 99, ack: true });
    this.current = { session, created: job.created };
  }

  onEvent(now: number, e: SessionLayerEvent): void {
    const c = this.current;
    if (c === undefined || !("session" in e) || e.session !== c.session) return;
    if (e.type === "data") {
      if (c.created >= WARMUP) this.handling.push(now - c.created);
      this.current = undefined;
      this.layer.close(now, e.session);
      this.#start(now);
    }
  }

  nextTimeout(): number {
    return this.arrival;
  }

  onTimeout(now: number): void {
    if (now < this.arrival) return;
    this.queue.push({ created: this.arrival, size: this.#exp(MEAN_JOB) });
    this.arrival += this.#exp(1 / this.rate);
    this.#start(now);
  }
}

interface Row {
  policy: string;
  jobs: number;
  mean: number;
  p95: number;
  utilisation: number[];
}

function run(seed: number, name: string, type: number): Row {
  const sim = new Sim({ seed });
  const { endpoint } = addRegistrar(sim, "pr");
  const servers = CAPACITIES.map((capacity, i) => {
    let app!: CalcServer;
    const a = addAcceptor<unknown>(sim, `pe${i}`, {
      poolHandle: "CalcAppPool",
      policy: computeLoadPolicy(policyParameter(type), 0, capacity),
      registrars: [endpoint],
      cookies: codecFor("CalcAppPool"),
    }, (pe) => (app = new CalcServer(pe, capacity, type)));
    return { ...a, app };
  });
  assert.ok(
    sim.runUntil(() => servers.every((s) => s.pe.poolElement?.state === "registered"), 10_000),
  );
  const total = CAPACITIES.reduce((a, b) => a + b, 0) * SLOT_SPEED;
  const perUser = (UTILISATION * total) / MEAN_JOB / USERS; // jobs per ms
  const clients: CalcClient[] = [];
  for (let u = 0; u < USERS; u++) {
    const rng = sim.fork();
    addSessionUser(sim, `pu${u}`, { registrars: [endpoint], staleCacheValue: 0 }, (layer) => {
      const c = new CalcClient(layer, rng, perUser);
      c.arrival += sim.now;
      clients.push(c);
      return c;
    });
  }
  const t0 = sim.now;
  sim.runFor(WARMUP - t0);
  const busy0 = servers.map((s) => s.app.busy);
  sim.runFor(MEASURE);
  const times = clients.flatMap((c) => c.handling).sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  return {
    policy: name,
    jobs: times.length,
    mean: mean / 1000,
    p95: times[Math.floor(times.length * 0.95)]! / 1000,
    utilisation: servers.map((s, i) => (s.app.busy - busy0[i]!) / MEASURE / CAPACITIES[i]!),
  };
}

function table(rows: readonly Row[]): string {
  const lines = [
    `Calculation application: capacities {${CAPACITIES.join(", ")}} × 10^6 calc/s, ${USERS} PUs, ` +
    `jobs of mean 10^7 calc, ${UTILISATION * 100} % offered load, ${MEASURE / 1000} s measured`,
    "| Policy | Jobs | Mean handling time (s) | p95 (s) | Utilisation of the 1× / 3× / 10× PEs |",
    "|---|---:|---:|---:|---|",
  ];
  for (const r of rows) {
    const u = (i: number) => `${Math.round(r.utilisation[i]! * 100)} %`;
    lines.push(
      `| ${r.policy} | ${r.jobs} | ${r.mean.toFixed(1)} | ${r.p95.toFixed(1)} | ${u(0)} / ${
        u(3)
      } / ${u(5)} |`,
    );
  }
  return lines.join("\n");
}

test("Calculation application: load-aware policies beat Round Robin and Random in a heterogeneous pool", () => {
  const seeds = [1, 2];
  const all = new Map<string, Row[]>();
  for (const seed of seeds) {
    for (const [name, type] of POLICIES) {
      const row = run(seed, name, type);
      all.set(name, [...(all.get(name) ?? []), row]);
    }
  }
  const averaged: Row[] = POLICIES.map(([name]) => {
    const rows = all.get(name)!;
    const avg = (f: (r: Row) => number) => rows.reduce((a, r) => a + f(r), 0) / rows.length;
    return {
      policy: name,
      jobs: Math.round(avg((r) => r.jobs)),
      mean: avg((r) => r.mean),
      p95: avg((r) => r.p95),
      utilisation: CAPACITIES.map((_, i) => avg((r) => r.utilisation[i]!)),
    };
  });
  console.log(`\n${table(averaged)}\n(averages of seeds ${seeds.join(", ")})\n`);
  // README.md "Distributed computing in 5 minutes" shows this table.
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const at = readme.indexOf("## Distributed computing in 5 minutes");
  const end = readme.indexOf("\n## ", at + 1);
  const shown = readme.slice(at, end < 0 ? undefined : end).split("\n")
    .filter((l) => l.startsWith("| "));
  assert.deepEqual(shown, table(averaged).split("\n").filter((l) => l.startsWith("| ")));
  for (const seed of seeds.keys()) {
    const mean = (name: string) => all.get(name)![seed]!.mean;
    const worstBlind = Math.min(mean("RoundRobin"), mean("Random"));
    for (
      const lu of ["LeastUsed", "LeastUsedDegradation", "PriorityLeastUsed", "WeightedLeastUsed"]
    ) {
      assert.ok(
        mean(lu) < worstBlind / 2,
        `seed ${seeds[seed]}: ${lu} ${mean(lu).toFixed(1)} s is not under half of RR/Random ${
          worstBlind.toFixed(1)
        } s`,
      );
    }
  }
});
