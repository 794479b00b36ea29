// The ENRP scenarios, each a function of a seed and a scale, asserting the invariants: used by
// scenarios_test.ts (many seeds at a small scale, a few at full scale) and by the soak script
// (scripts/sim_soak.ts: many seeds at full scale).

import assert from "node:assert/strict";
import { Cluster, type ClusterOptions } from "./_cluster.ts";

/** How big an operation scope a scenario builds. */
export interface Scale {
  readonly poolElements: number;
  readonly poolUsers: number;
  readonly pools: number;
}

/** The scale: 5 registrars, 1,000 PEs, 50 PUs. */
export const FULL: Scale = { poolElements: 1000, poolUsers: 50, pools: 10 };
/** The scale of the many-seed runs of the normal suite. */
export const SMALL: Scale = { poolElements: 60, poolUsers: 6, pools: 4 };

/**
 * Longest time after the last disruption until every invariant holds: detection of a dead peer
 * (peerMaxTimeLastHeard + peerMaxTimeNoResponse), the takeover, PEs failing over by themselves
 * (heartbeat death, one hunt round) and an audit cycle, with room for retransmissions.
 */
const CONVERGENCE = 30_000;
/**
 * The same where a removal may not reach everyone before its home dies or is cut off (PEs taken
 * out during a partition, a lost Handle Update): a taker cannot check a PE without an ASAP
 * listener; it leaves the handlespaces when its registration life (90 s by default) ends.
 */
const CONVERGENCE_GHOSTS = 100_000;

function cluster(seed: number, scale: Scale, extra: Partial<ClusterOptions> = {}): Cluster {
  return new Cluster({
    seed,
    ...scale,
    // Half the seeds find peers by multicast Presence, half only from static peer lists.
    multicast: seed % 2 === 0,
    ...extra,
  });
}

function converged(c: Cluster, what: string, within = CONVERGENCE): void {
  const problems = c.converge(within);
  assert.deepEqual(problems, [], `${what}: not converged after ${within} ms`);
  lowestInitiatorWins(c);
  assert.deepEqual(c.violations, [], `${what}: a live PE was missing longer than allowed`);
  assert.deepEqual(c.unknownPoolAnswers(), [], `${what}: a registrar lost a pool`);
}

/**
 * Concurrent takeovers of one target: a registrar only gives its own up for an initiator with a
 * lower identifier, and exactly one registrar completes each takeover.
 */
function lowestInitiatorWins(c: Cluster): void {
  const completed = new Map<bigint, bigint[]>();
  for (const r of c.registrars) {
    for (const e of r.node?.eventsOf("takeover-completed") ?? []) {
      completed.set(e.targetId, [...(completed.get(e.targetId) ?? []), r.id]);
    }
  }
  for (const r of c.registrars) {
    for (const e of r.node?.eventsOf("takeover-cancelled") ?? []) {
      if (e.reason !== "lower-id-initiator") continue;
      for (const winner of completed.get(e.targetId) ?? []) {
        assert.ok(
          winner < r.id,
          `${r.name} gave way to ${winner} in the takeover of ${e.targetId}`,
        );
      }
    }
  }
  for (const [target, winners] of completed) {
    assert.equal(winners.length, 1, `the takeover of ${target} completed at ${winners.join(", ")}`);
  }
}

/** Registrars that are up, by index. */
function upIndexes(c: Cluster): number[] {
  return c.registrars.flatMap((r, i) => r.down ? [] : [i]);
}

/** Four registrars run; a fifth starts later and downloads the handlespace from a mentor. */
export function joinScenario(seed: number, scale: Scale): Cluster {
  const c = cluster(seed, scale, { startRegistrars: 4 });
  c.watch();
  c.settle();
  c.sim.runFor(c.sim.random() * 6000);
  c.startRegistrar(4);
  const late = c.registrars[4]!;
  assert.ok(
    c.sim.runUntil(() => !late.registrar.inStartupPhase, 6000),
    "the new registrar never left its startup phase",
  );
  const synced = late.node!.eventsOf("mentor-sync-finished");
  assert.equal(synced.length, 1, "the new registrar synchronised with one mentor");
  assert.ok(synced[0]!.poolElements > 0);
  converged(c, "join");
  return c;
}

/** One registrar (process or host) crashes; its PEs move, the others take over what is left. */
export function crashOneScenario(seed: number, scale: Scale): Cluster {
  const c = cluster(seed, scale);
  c.watch();
  c.settle();
  c.churnPes(Math.ceil(c.pes.length / 20));
  c.sim.runFor(6000 + c.sim.random() * 4000); // the churn settles (keep-alive timeouts)
  const victim = Math.floor(c.sim.random() * c.registrars.length);
  c.crashRegistrar(victim, c.sim.random() < 0.5);
  converged(c, "crash of one registrar");
  const dead = c.registrars[victim]!.id;
  for (const r of c.liveRegistrars()) assert.equal(r.registrar.handlespace.ownedCount(dead), 0);
  return c;
}

/** Two registrars crash, close together. */
export function crashTwoScenario(seed: number, scale: Scale): Cluster {
  const c = cluster(seed, scale);
  c.watch();
  c.settle();
  c.churnPes(Math.ceil(c.pes.length / 20));
  c.sim.runFor(6000 + c.sim.random() * 4000);
  const first = Math.floor(c.sim.random() * c.registrars.length);
  const second = (first + 1 + Math.floor(c.sim.random() * (c.registrars.length - 1))) %
    c.registrars.length;
  c.crashRegistrar(first, c.sim.random() < 0.5);
  c.sim.runFor(c.sim.random() * 3000);
  c.crashRegistrar(second, c.sim.random() < 0.5);
  converged(c, "crash of two registrars");
  return c;
}

/**
 * The network splits in two (registrars with some PEs and PUs on each side) and heals. During
 * the split, every PE stays resolvable at the registrars of its own side.
 */
export function partitionScenario(seed: number, scale: Scale): Cluster {
  const c = cluster(seed, scale);
  c.watch();
  c.settle();
  c.sim.runFor(3000 + c.sim.random() * 4000);
  const sideA = new Set<string>();
  const split = 1 + Math.floor(c.sim.random() * (c.registrars.length - 1));
  c.registrars.forEach((r, i) => i < split && sideA.add(r.name));
  const share = split / c.registrars.length;
  for (const p of c.pes) if (c.sim.random() < share) sideA.add(p.name);
  for (const u of c.pus) if (c.sim.random() < share) sideA.add(u.name);
  const all = [...c.registrars.map((r) => r.name), ...c.pes.map((p) => p.name)].concat(
    c.pus.map((u) => u.name),
  );
  c.partition([...sideA], all.filter((n) => !sideA.has(n)));
  c.sim.runFor(c.sim.random() * 10_000);
  c.churnPes(Math.ceil(c.pes.length / 20));
  c.sim.runFor(10_000 + c.sim.random() * 10_000);
  c.heal();
  converged(c, "partition and heal", CONVERGENCE_GHOSTS);
  return c;
}

/**
 * Only the registrars are split (every PE and PU still reaches all of them): both sides take
 * the other over, and no PE moves or disappears; after the heal, ownership is settled again.
 */
export function registrarPartitionScenario(seed: number, scale: Scale): Cluster {
  const c = cluster(seed, scale);
  c.watch();
  c.settle();
  c.churnPes(Math.ceil(c.pes.length / 20));
  c.sim.runFor(6000 + c.sim.random() * 4000);
  const split = 1 + Math.floor(c.sim.random() * (c.registrars.length - 1));
  const names = c.registrars.map((r) => r.name);
  c.partition(names.slice(0, split), names.slice(split));
  const homes = new Map(c.pes.map((p) => [p.name, p.pe.homeRegistrarId]));
  c.sim.runFor(15_000 + c.sim.random() * 15_000);
  const moved = c.pes.filter((p) => p.pe.homeRegistrarId !== homes.get(p.name));
  assert.deepEqual(moved.map((p) => p.name), [], "PEs moved during a registrar-only partition");
  c.heal();
  // Each side took the other over; the homes' own claims settle ownership within a few
  // heartbeat cycles (not only when the PEs next re-register).
  converged(c, "registrar-only partition", 15_000);
  return c;
}

/**
 * One registrar loses contact with one other registrar only; the rest still hear both. It is
 * not taken over (those who hear it do not acknowledge the takeover), and no PE moves.
 */
export function asymmetricScenario(seed: number, scale: Scale): Cluster {
  const c = cluster(seed, scale);
  c.watch();
  c.settle();
  c.sim.runFor(c.sim.random() * 4000);
  const a = Math.floor(c.sim.random() * c.registrars.length);
  const b = (a + 1 + Math.floor(c.sim.random() * (c.registrars.length - 1))) %
    c.registrars.length;
  c.partition([c.registrars[a]!.name], [c.registrars[b]!.name]);
  const homes = new Map(c.pes.map((p) => [p.name, p.pe.homeRegistrarId]));
  c.sim.runFor(25_000 + c.sim.random() * 10_000);
  assert.deepEqual(c.registrarEvents("takeover-completed"), [], "a live registrar was taken over");
  const moved = c.pes.filter((p) => p.pe.homeRegistrarId !== homes.get(p.name));
  assert.deepEqual(moved.map((p) => p.name), [], "PEs moved");
  assert.deepEqual(c.problems(false), [], "the handlespaces differ during the cut");
  c.heal();
  converged(c, "asymmetric cut");
  return c;
}

/**
 * 20 % of all transmissions are lost: association messages arrive after retransmissions (and an
 * association dies when they would take longer than its heartbeat allows), datagrams (announces,
 * multicast Presence) are gone. A registrar crashes meanwhile.
 */
export function lossScenario(seed: number, scale: Scale): Cluster {
  const c = cluster(seed, scale, { messageLoss: 0.2, datagramLoss: 0.2 });
  c.watch();
  c.settle();
  c.churnPes(Math.ceil(c.pes.length / 20));
  c.sim.runFor(6000 + c.sim.random() * 5000);
  c.crashRegistrar(Math.floor(c.sim.random() * c.registrars.length), c.sim.random() < 0.5);
  // A Handle Update lost with its association is repaired by the next audit of its sender; when
  // the sender crashed before that, a removed PE's entry lives on until its registration life.
  converged(c, "20 % loss", CONVERGENCE_GHOSTS);
  return c;
}

/** A registrar crashes and starts again with an empty handlespace and the same identifier. */
export function restartScenario(seed: number, scale: Scale): Cluster {
  const c = cluster(seed, scale);
  c.watch();
  c.settle();
  c.churnPes(Math.ceil(c.pes.length / 20));
  c.sim.runFor(6000 + c.sim.random() * 4000);
  const victim = Math.floor(c.sim.random() * c.registrars.length);
  c.crashRegistrar(victim, c.sim.random() < 0.5);
  c.sim.runFor(500 + c.sim.random() * 12_000);
  c.startRegistrar(victim);
  converged(c, "restart with an empty table");
  assert.equal(
    c.registrars[victim]!.registrar.handlespace.size,
    c.pes.filter((p) => !p.gone).length,
  );
  return c;
}

/**
 * RFC takeover with fast peer timers: the survivors take a crashed registrar over before its PEs
 * notice (keep-alives with the H flag); PEs that listen re-register at the taker.
 */
export function homeTakeoverScenario(seed: number, scale: Scale): Cluster {
  const c = cluster(seed, scale, {
    listening: 1,
    enrp: {
      takeoverKeepAlive: "home",
      peerHeartbeatCycle: 400,
      peerMaxTimeLastHeard: 1000,
      peerMaxTimeNoResponse: 1000,
      takeoverExpiry: 1000,
    },
  });
  c.watch();
  c.settle();
  c.sim.runFor(3000 + c.sim.random() * 4000);
  const victim = Math.floor(c.sim.random() * c.registrars.length);
  const slot = c.registrars[victim]!;
  const owned = c.pes.filter((p) => p.pe.homeRegistrarId === slot.id);
  c.crashRegistrar(victim, false); // the host vanishes: PEs notice only after 5 s
  converged(c, "takeover with the H flag");
  const completed = c.registrarEvents("takeover-completed").filter((e) => e.targetId === slot.id);
  assert.equal(completed.length, 1, "exactly one registrar completed the takeover");
  const taker = c.registrars.find((r) =>
    r.node?.eventsOf("takeover-completed").includes(completed[0]!)
  );
  if (owned.length > 0) {
    const viaTakeover = owned.filter((p) =>
      p.node.eventsOf("home-changed").some((e) =>
        (e as { reason?: string }).reason === "takeover" &&
        (e as { to?: bigint }).to === taker?.id
      )
    );
    assert.ok(viaTakeover.length > 0, "no PE adopted the taker after its H-flag keep-alive");
  }
  return c;
}

/**
 * Takeover suggestion: one registrar carries every PE, four join; with suggestions on, PEs move
 * until no registrar carries more than the threshold times the mean.
 */
export function suggestionScenario(seed: number, scale: Scale): Cluster {
  const threshold = 1.25;
  const c = cluster(seed, scale, {
    startRegistrars: 1,
    listening: 1,
    reRegistrationInterval: 6000, // above the 5 s keep-alive interval: PEs learn their home
    enrp: { takeoverSuggestion: true, takeoverSuggestionThreshold: threshold },
  });
  c.watch();
  c.settle();
  const first = c.registrars[0]!;
  assert.equal(first.registrar.handlespace.ownedCount(first.id), c.pes.length);
  for (let i = 1; i < c.registrars.length; i++) c.startRegistrar(i);
  const even = () => {
    const live = c.liveRegistrars();
    if (live.length < c.registrars.length) return false;
    const hs = live[0]!.registrar.handlespace;
    const mean = c.pes.length / live.length;
    return live.every((r) => hs.ownedCount(r.id) <= threshold * mean + 1);
  };
  assert.ok(c.sim.runUntil(even, 60_000), "ownership did not even out");
  converged(c, "takeover suggestion");
  const moved = c.pes.filter((p) =>
    p.node.eventsOf("home-changed").some((e) => (e as { reason?: string }).reason === "takeover")
  );
  assert.ok(moved.length > 0, "PEs moved on keep-alives with the H flag");
  return c;
}

/** Two registrars: the survivor of a crash completes the takeover at once (nobody else to ack). */
export function twoRegistrarsScenario(seed: number, scale: Scale): Cluster {
  const c = cluster(seed, scale, {
    registrars: 2,
    enrp: { peerMaxTimeLastHeard: 1000, peerMaxTimeNoResponse: 1000, peerHeartbeatCycle: 400 },
  });
  c.watch();
  c.settle();
  c.sim.runFor(3000);
  const [a, b] = upIndexes(c);
  const victim = c.sim.random() < 0.5 ? a! : b!;
  c.crashRegistrar(victim, false);
  converged(c, "two registrars");
  const started = c.registrarEvents("takeover-started");
  for (const e of started) assert.deepEqual(e.awaiting, []);
  return c;
}

/** Every scenario by name (the soak runs them all). */
export const SCENARIOS: Readonly<Record<string, (seed: number, scale: Scale) => Cluster>> = {
  join: joinScenario,
  "crash-one": crashOneScenario,
  "crash-two": crashTwoScenario,
  partition: partitionScenario,
  "registrar-partition": registrarPartitionScenario,
  asymmetric: asymmetricScenario,
  loss: lossScenario,
  restart: restartScenario,
  "home-takeover": homeTakeoverScenario,
  suggestion: suggestionScenario,
  "two-registrars": twoRegistrarsScenario,
};
