// An operation scope on the simulated network: registrars peering with ENRP, pool elements
// spread over them, pool users resolving pools, and the invariants the ENRP scenarios check,
// continuously (no live PE disappears from a live registrar for longer than the takeover
// expiry) and after convergence (every live PE resolvable everywhere with one home that all
// agree on, per-owner checksums equal everywhere, nothing else in any handlespace).

import { PoolElement } from "../../core/asap/pool_element.ts";
import { PoolUser } from "../../core/asap/pool_user.ts";
import type { EnrpConfig } from "../../core/enrp/config.ts";
import { Registrar, type RegistrarConfig } from "../../core/registrar/mod.ts";
import type { RegistrarEvent } from "../../core/registrar/events.ts";
import type { TransportAddress } from "../../core/role.ts";
import { policyParameter, PolicyType } from "../../core/wire/policy_parameter.ts";
import type { PolicyParameter } from "../../core/wire/policy_parameter.ts";
import type { RegistrarId } from "../../core/wire/pool_element_parameter.ts";
import { ASAP_ANNOUNCE_GROUP, ENRP_PRESENCE_GROUP } from "../../core/wire/profile.ts";
import { Sim, type SimNode } from "../_sim.ts";

export const ASAP = 3863;
export const ENRP = 9901;

/** How a scenario's operation scope is built. */
export interface ClusterOptions {
  readonly seed: number;
  /** Registrars (default 5). */
  readonly registrars?: number;
  /** Registrars started at once (default all); the others join later with {@link Cluster.startRegistrar}. */
  readonly startRegistrars?: number;
  /** Pool elements (default 1000). */
  readonly poolElements?: number;
  /** Pools they are spread over (default 10). */
  readonly pools?: number;
  /** Pool users (default 50). */
  readonly poolUsers?: number;
  /** Share of PEs that run an ASAP listener and name it (NG extension; default 0.5). */
  readonly listening?: number;
  /** Peers learn each other by multicast Presence (default) or only from static peer lists. */
  readonly multicast?: boolean;
  /** One-way latency (default 1..3 ms by seed). */
  readonly latency?: number;
  /** Association message loss (retransmissions), see SimOptions.messageLoss. */
  readonly messageLoss?: number;
  /** Datagram loss. */
  readonly datagramLoss?: number;
  /** ENRP options of every registrar (over the defaults). */
  readonly enrp?: EnrpConfig;
  /** Other registrar options. */
  readonly registrar?: Partial<RegistrarConfig>;
  /** PE re-registration interval (default the PE's 30 s). */
  readonly reRegistrationInterval?: number;
  /** Interval of each PU's resolutions (default 1000 ms); 0 = PUs stay idle. */
  readonly resolveInterval?: number;
}

export interface RegistrarSlot {
  readonly name: string;
  readonly address: string;
  readonly id: RegistrarId;
  registrar: Registrar;
  node: SimNode<RegistrarEvent> | undefined;
  /** Crashed (or not started yet). */
  down: boolean;
  /** When it was started (and restarted). */
  readonly starts: number[];
}

export interface PeSlot {
  readonly name: string;
  readonly pe: PoolElement;
  readonly pool: string;
  readonly node: SimNode;
  /** Crashed or shut down by the scenario. */
  gone: boolean;
  /** Its home when it was taken out. */
  home: RegistrarId;
  /**
   * Taken out during a partition: the other side may have taken its home over and keeps the PE
   * until its registration life ends (nobody can check it), so it may come back after the heal.
   */
  goneInPartition: boolean;
}

/** The parts of the simulator's association ends the association count reads. */
interface SimEnd {
  readonly open: boolean;
  readonly closed: boolean;
  readonly link: {
    readonly state: string;
    readonly a: SimEnd | undefined;
    readonly b: SimEnd | undefined;
  };
  readonly node: { readonly name: string };
}

const POLICIES: readonly PolicyParameter[] = [
  policyParameter(PolicyType.RoundRobin),
  policyParameter(PolicyType.LeastUsed, { load: 0 }),
  policyParameter(PolicyType.WeightedRandom, { weight: 5 }),
  policyParameter(PolicyType.Random),
];

export class Cluster {
  readonly sim: Sim;
  readonly options: ClusterOptions;
  readonly registrars: RegistrarSlot[] = [];
  readonly pes: PeSlot[] = [];
  readonly pus: { readonly name: string; readonly pu: PoolUser }[] = [];
  readonly pools: string[] = [];
  readonly takeoverExpiry: number;
  /** Partition groups in force (node names), for the continuous check. */
  #partition: [Set<string>, Set<string>] | undefined = undefined;
  readonly #missingSince = new Map<string, number>();
  /** Registrar-PE pairs where the PE was in the registrar's handlespace at some check. */
  readonly #present = new Set<string>();
  /** When a taken-out PE's home removed it (a removal event there), by PE identifier. */
  readonly #removedAt = new Map<bigint, number>();
  readonly #scanned = new Map<string, number>();
  #checking = false;
  readonly violations: string[] = [];
  #settledAt: number | undefined = undefined;

  constructor(options: ClusterOptions) {
    this.options = options;
    const seed = options.seed;
    this.sim = new Sim({
      seed,
      latency: options.latency ?? 1 + (seed % 3),
      ...(options.messageLoss === undefined ? {} : { messageLoss: options.messageLoss }),
      ...(options.datagramLoss === undefined ? {} : { datagramLoss: options.datagramLoss }),
    });
    this.takeoverExpiry = options.enrp?.takeoverExpiry ?? 5000;
    const n = options.registrars ?? 5;
    const ids = new Set<bigint>();
    for (let i = 0; i < n; i++) {
      let id: bigint;
      do id = BigInt(1 + (this.sim.rng.nextU32() % 0xfffffff)); while (ids.has(id));
      ids.add(id);
      const address = `10.200.0.${i + 1}`;
      this.registrars.push({
        name: `pr${i}`,
        address,
        id,
        registrar: undefined as unknown as Registrar,
        node: undefined,
        down: true,
        starts: [],
      });
    }
    const start = options.startRegistrars ?? n;
    for (let i = 0; i < start; i++) this.startRegistrar(i);
    const pools = options.pools ?? 10;
    for (let i = 0; i < pools; i++) this.pools.push(`pool-${i}`);
    const asapEndpoints = this.registrars.map((r) => ({ address: r.address, port: ASAP }));
    const listening = options.listening ?? 0.5;
    const count = options.poolElements ?? 1000;
    for (let i = 0; i < count; i++) {
      const poolIndex = i % pools;
      const name = `pe${i}`;
      const pe = new PoolElement({
        rng: this.sim.fork(),
        poolHandle: this.pools[poolIndex]!,
        policy: POLICIES[poolIndex % POLICIES.length]!,
        userTransport: { protocol: "tcp", port: 7000 + poolIndex },
        // Most know every registrar statically; some only learn them from announces.
        ...(i % 4 === 3 ? {} : { registrars: asapEndpoints }),
        ...(this.sim.random() < listening ? { asapPort: ASAP } : {}),
        ...(options.reRegistrationInterval === undefined
          ? {}
          : { reRegistrationInterval: options.reRegistrationInterval }),
      });
      const node = this.sim.addNode(name, pe, {
        listeners: { asap: ASAP },
        channels: { "asap-announce": { port: ASAP, join: [ASAP_ANNOUNCE_GROUP] } },
      });
      this.pes.push({
        name,
        pe,
        pool: this.pools[poolIndex]!,
        node,
        gone: false,
        home: 0n,
        goneInPartition: false,
      });
    }
    const interval = options.resolveInterval ?? 1000;
    for (let i = 0; i < (options.poolUsers ?? 50); i++) {
      const name = `pu${i}`;
      const pu = new PoolUser({
        rng: this.sim.fork(),
        registrars: asapEndpoints,
        staleCacheValue: 0,
      });
      this.sim.addNode(name, pu, {
        channels: { "asap-announce": { port: ASAP, join: [ASAP_ANNOUNCE_GROUP] } },
      });
      this.pus.push({ name, pu });
      if (interval > 0) this.#resolveLoop(name, pu, this.sim.random() * interval, interval);
    }
  }

  #resolveLoop(name: string, pu: PoolUser, delay: number, interval: number): void {
    const sim = this.sim;
    sim.at(sim.now + delay, () => {
      if (!sim.node(name).alive) return;
      const pool = this.pools[Math.floor(sim.random() * this.pools.length)]!;
      sim.command(name, (now) => pu.resolve(now, pool));
      this.#resolveLoop(name, pu, interval * (0.5 + sim.random()), interval);
    });
  }

  /** The ENRP endpoints of every registrar (static peers). */
  get enrpEndpoints(): TransportAddress[] {
    return this.registrars.map((r) => ({ address: r.address, port: ENRP }));
  }

  #newRegistrar(slot: RegistrarSlot): Registrar {
    const o = this.options;
    const multicast = o.multicast ?? true;
    return new Registrar({
      rng: this.sim.fork(),
      id: slot.id,
      asapEndpoints: [{ address: slot.address, port: ASAP }],
      enrpEndpoint: { address: slot.address, port: ENRP },
      verboseEvents: true,
      ...o.registrar,
      enrp: {
        ...(multicast ? {} : { presenceTargets: [] }),
        peers: multicast ? [] : this.enrpEndpoints.filter((e) => e.address !== slot.address),
        ...o.enrp,
      },
    });
  }

  /** Starts (or restarts after a crash, with an empty handlespace) registrar `i`. */
  startRegistrar(i: number): void {
    const slot = this.registrars[i]!;
    if (!slot.down) throw new TypeError(`${slot.name} is running`);
    slot.registrar = this.#newRegistrar(slot);
    slot.down = false;
    slot.starts.push(this.sim.now);
    if (slot.node === undefined) {
      slot.node = this.sim.addNode<RegistrarEvent>(slot.name, slot.registrar, {
        address: slot.address,
        listeners: { asap: ASAP, enrp: ENRP },
        channels: {
          "asap-announce": { port: ASAP },
          "enrp-presence": { port: ENRP, join: [ENRP_PRESENCE_GROUP] },
        },
      });
    } else this.sim.restart(slot.name, slot.registrar);
  }

  /** Crashes registrar `i`: a process crash (`reset`) or the host vanishing. */
  crashRegistrar(i: number, reset: boolean): void {
    const slot = this.registrars[i]!;
    slot.down = true;
    this.sim.crash(slot.name, { reset });
  }

  /** Cuts the network in two (node names); both sides keep running. */
  partition(a: readonly string[], b: readonly string[]): void {
    this.sim.partition(a, b);
    this.#partition = [new Set(a), new Set(b)];
  }

  heal(): void {
    const p = this.#partition;
    if (p === undefined) return;
    this.sim.heal([...p[0]], [...p[1]]);
    this.#partition = undefined;
  }

  #cut(x: string, y: string): boolean {
    const p = this.#partition;
    if (p === undefined) return false;
    return (p[0].has(x) && p[1].has(y)) || (p[1].has(x) && p[0].has(y));
  }

  /** Running registrars that finished their startup phase. */
  liveRegistrars(): RegistrarSlot[] {
    return this.registrars.filter((r) => !r.down && !r.registrar.inStartupPhase);
  }

  /** PEs that registered at least once and were not crashed or shut down. */
  livePes(): PeSlot[] {
    return this.pes.filter((p) => !p.gone && p.pe.stats().registrations > 0);
  }

  /**
   * Takes `n` random PEs out: a third crash with a reset (the registrar notices at once), a third
   * vanish with their host (noticed by heartbeats), a third deregister. Their entries must go
   * from every handlespace.
   */
  churnPes(n: number): void {
    const candidates = this.pes.filter((p) => !p.gone);
    for (let i = 0; i < n && candidates.length > 0; i++) {
      const [p] = candidates.splice(Math.floor(this.sim.random() * candidates.length), 1);
      p!.gone = true;
      p!.home = p!.pe.homeRegistrarId;
      p!.goneInPartition = this.#partition !== undefined;
      const how = i % 3;
      if (how === 2) this.sim.command(p!.name, (now) => p!.pe.shutdown(now));
      else this.sim.crash(p!.name, { reset: how === 0 });
    }
  }

  /**
   * Checks every `interval` ms, from the end of the warm-up ({@link settle}) on, that no live PE
   * disappears from a live registrar (that it can reach) for longer than the takeover expiry:
   * once a PE was in a registrar's handlespace, it must not be missing there longer. (That every
   * PE reaches every registrar at all is checked once things converged, {@link problems}.)
   */
  watch(interval = 250): void {
    if (this.#checking) return;
    this.#checking = true;
    const tick = () => {
      this.#check();
      this.sim.at(this.sim.now + interval, tick);
    };
    this.sim.at(this.sim.now + interval, tick);
  }

  #check(): void {
    if (this.#settledAt === undefined) return; // the warm-up: PEs are still registering
    const now = this.sim.now;
    const limit = this.takeoverExpiry;
    const seen = new Set<string>();
    const pes = this.livePes();
    for (const r of this.liveRegistrars()) {
      const hs = r.registrar.handlespace;
      for (const p of pes) {
        if (this.#cut(r.name, p.name)) continue;
        // One registrar process and one PE: a restarted registrar starts with nothing seen.
        const key = `${r.name}/${r.starts.length} ${p.name}`;
        if (hs.find(p.pe.poolHandle, p.pe.id) !== undefined) {
          this.#present.add(key);
          continue;
        }
        if (!this.#present.has(key)) continue; // not arrived yet: the converged check's business
        seen.add(key);
        const since = this.#missingSince.get(key);
        if (since === undefined) this.#missingSince.set(key, now);
        else if (now - since > limit && this.violations.length < 20) {
          this.violations.push(
            `t=${now}: ${p.name} (id ${p.pe.id}, ${p.pe.state}, home ${p.pe.homeRegistrarId}) missing at ${r.name} (id ${r.id}) since t=${since}`,
          );
          this.#missingSince.set(key, Infinity);
        }
      }
    }
    for (const key of [...this.#missingSince.keys()]) {
      if (!seen.has(key)) this.#missingSince.delete(key);
    }
    this.#checkStale(now);
  }

  /**
   * A PE taken out must leave every registrar its home can reach soon after the home removed
   * it: the home's Handle Update (DEL_PE) carries that at once; with message loss, the audit of
   * the home's checksum does when a Handle Update was lost with its association.
   */
  #checkStale(now: number): void {
    const gone = this.pes.filter((p) => p.gone && !p.goneInPartition);
    if (gone.length === 0) return;
    const ids = new Set(gone.map((p) => p.pe.id));
    for (const r of this.registrars) {
      if (r.node === undefined) continue;
      const events = r.node.events;
      let i = this.#scanned.get(r.name) ?? 0;
      for (; i < events.length; i++) {
        const e = events[i]!.event as { type: string; peId?: bigint };
        if (
          e.peId !== undefined && ids.has(e.peId) && !this.#removedAt.has(e.peId) &&
          (e.type === "deregistered" || e.type === "keep-alive-timeout" ||
            e.type === "pe-removed-association-down")
        ) this.#removedAt.set(e.peId, events[i]!.time);
      }
      this.#scanned.set(r.name, i);
    }
    const limit = (this.options.messageLoss ?? 0) > 0 ? 12_000 : 1000;
    for (const p of gone) {
      const at = this.#removedAt.get(p.pe.id);
      if (at === undefined || now - at <= limit) continue;
      const home = this.registrars.find((r) => r.id === p.home);
      if (home === undefined || home.down) continue;
      for (const r of this.liveRegistrars()) {
        if (this.#cut(r.name, home.name)) continue;
        if (
          r.registrar.handlespace.find(p.pe.poolHandle, p.pe.id) !== undefined &&
          this.violations.length < 20
        ) {
          this.violations.push(
            `t=${now}: ${p.name} left its home ${home.name} at t=${at} but is still at ${r.name}`,
          );
          ids.delete(p.pe.id);
          this.#removedAt.set(p.pe.id, Infinity);
        }
      }
    }
  }

  /**
   * What is wrong with the converged state (empty when every invariant holds).
   *
   * @param associations Check that each pair of registrars has exactly one association (not
   *   during a cut between them).
   */
  problems(associations = true): string[] {
    const out: string[] = [];
    const live = this.liveRegistrars();
    const liveIds = new Set(live.map((r) => r.id));
    const pes = this.pes.filter((p) => !p.gone);
    if (this.registrars.some((r) => !r.down && r.registrar.inStartupPhase)) {
      out.push("a registrar is still in its startup phase");
    }
    for (const p of pes) {
      if (p.pe.state !== "registered") {
        out.push(`${p.name} is ${p.pe.state}`);
        continue;
      }
      const homes = new Set<bigint>();
      for (const r of live) {
        const e = r.registrar.handlespace.find(p.pe.poolHandle, p.pe.id);
        if (e === undefined) out.push(`${p.name} missing at ${r.name}`);
        else homes.add(e.homeRegistrarId);
      }
      if (homes.size > 1) out.push(`${p.name} has homes ${[...homes].join(", ")}`);
      const [home] = homes;
      if (home !== undefined && home !== p.pe.homeRegistrarId) {
        out.push(
          `${p.name}: registrars say home ${home}, the PE is registered at ${p.pe.homeRegistrarId}`,
        );
      }
      if (home !== undefined && !liveIds.has(home)) out.push(`${p.name}: home ${home} is not live`);
    }
    const owners = new Set<bigint>();
    for (const r of live) for (const o of r.registrar.handlespace.owners()) owners.add(o);
    for (const o of owners) {
      const sums = new Set(live.map((r) => r.registrar.handlespace.ownershipChecksum(o)));
      if (sums.size > 1) out.push(`owner ${o}: checksums differ (${[...sums].join(", ")})`);
    }
    const names = new Set(associations ? live.map((r) => r.name) : []);
    for (const r of live) {
      // One association per pair of registrars (duplicates from simultaneous connects closed).
      const count = new Map<string, number>();
      for (const end of r.node!.ends.values() as Iterable<SimEnd>) {
        if (!end.open || end.closed || end.link.state !== "up") continue;
        const other = end.link.a === end ? end.link.b : end.link.a;
        const name = other?.node.name;
        if (name !== undefined && names.has(name)) count.set(name, (count.get(name) ?? 0) + 1);
      }
      for (const other of names) {
        if (other !== r.name && count.get(other) !== 1) {
          out.push(`${r.name} has ${count.get(other) ?? 0} associations with ${other}`);
        }
      }
    }
    for (const r of live) {
      const hs = r.registrar.handlespace;
      if (hs.size !== pes.length) out.push(`${r.name} holds ${hs.size} PEs, not ${pes.length}`);
      if (hs.handlespaceChecksum() !== hs.computeHandlespaceChecksum()) {
        out.push(`${r.name}: incremental checksum differs from a recomputation`);
      }
    }
    return out.slice(0, 20);
  }

  /** Runs until the invariants hold (checked every second); returns the last problems. */
  converge(timeout: number): string[] {
    let problems = this.problems();
    const end = this.sim.now + timeout;
    while (problems.length > 0 && this.sim.now < end) {
      this.sim.runFor(1000);
      problems = this.problems();
    }
    return problems;
  }

  /**
   * Runs the warm-up until every PE registered and every invariant holds, and marks its end:
   * the continuous checks start, and pools exist from now on.
   */
  settle(timeout = 30_000): void {
    const end = this.sim.now + timeout;
    while (this.problems().length > 0) {
      if (this.sim.now >= end) {
        throw new Error(`The warm-up did not converge: ${this.problems().join("; ")}`);
      }
      this.sim.runFor(250);
    }
    this.#settledAt = this.sim.now;
  }

  /**
   * Handle Resolutions a registrar answered with Unknown Pool Handle after the warm-up, outside
   * its own startup phase (while it downloads the handlespace it answers from what it has).
   */
  unknownPoolAnswers(): string[] {
    const out: string[] = [];
    const from = this.#settledAt;
    if (from === undefined) return out;
    for (const r of this.registrars) {
      if (r.node === undefined) continue;
      let started = -Infinity, ready = false;
      let next = 0;
      for (const { time, event } of r.node.events) {
        while (next < r.starts.length && r.starts[next]! <= time) {
          started = r.starts[next++]!;
          ready = false;
        }
        if (event.type === "startup-phase-ended") ready = true;
        if (
          event.type === "handle-resolution" && event.cause === 0x9 && ready && time >= from &&
          time >= started
        ) out.push(`t=${time}: ${r.name} answered unknown pool`);
      }
    }
    return out;
  }

  /** Events of one type raised by any registrar. */
  registrarEvents<T extends RegistrarEvent["type"]>(type: T): (RegistrarEvent & { type: T })[] {
    const out: (RegistrarEvent & { type: T })[] = [];
    for (const r of this.registrars) {
      if (r.node === undefined) continue;
      out.push(...r.node.eventsOf(type));
    }
    return out;
  }
}
