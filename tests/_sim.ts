// A deterministic simulated network for sans-IO roles (after quinn's Pair/TestEndpoint and
// conventions.md "Testing with a fake clock and deterministic I/O"): nodes with addresses run
// real Role objects; associations connect after a round trip and deliver messages in order with
// a per-link latency; loss and partitions act on whole associations the way the framing shim's
// heartbeats would (an association across a partition dies after heartbeat interval + timeout,
// and an abort or close cannot cross it; a crashed host's peers notice the same way, a crashed
// process's peers get a reset at once); a lost association message arrives after TCP-like
// retransmissions, holding back the ones behind it, or kills its association when they would
// outlast the heartbeat; datagrams (announces, Presence) can be lost and reordered. One virtual clock, one seeded random stream
// for everything, so every run replays exactly from its seed.
//
// Usage:
//   const sim = new Sim({ seed });
//   const pr = sim.addNode("pr", new Registrar({ rng: sim.rng, ... }), { listeners: { asap: 3863 } });
//   sim.runFor(10_000);  // or runUntil(() => ..., 10_000), drive(), step()
//   sim.events("pr")     // what each role reported, with times
//
// Roles see what the real driver gives them: positive association ids for their connects,
// negative ids for accepted ones, handleAssociationDown exactly once per association (also for
// failed connects and local closes), payload copies, handleSendFailed("closed") for sends on
// unknown or closed associations, and a RangeError for datagrams on a channel they do not have.

import { SeededRng } from "../core/rng.ts";
import type {
  AssociationDown,
  AssociationId,
  AssociationInfo,
  DownReason,
  Role,
  RoleAction,
  TransportAddress,
} from "../core/role.ts";

/** Options of a {@link Sim}. Times are milliseconds. */
export interface SimOptions {
  /** The seed of everything random (roles should take `sim.rng` or `sim.fork()`). */
  readonly seed: number;
  /** One-way latency of every link (default 1). */
  readonly latency?: number;
  /** Extra random delay of a datagram, uniform in [0, jitter) (default 2): reorders them. */
  readonly datagramJitter?: number;
  /** Probability that a datagram is lost (default 0). */
  readonly datagramLoss?: number;
  /**
   * Probability that one transmission of an association message is lost (default 0). Like TCP,
   * the association does not lose it: it arrives after the retransmission timeout, doubled for
   * every further loss, and later messages wait behind it (head-of-line blocking). When the
   * retransmissions would take longer than heartbeat interval + timeout, the association dies
   * instead, as the shim's heartbeat would declare it.
   */
  readonly messageLoss?: number;
  /** First retransmission timeout of a lost association message (default 200, Linux's minimum). */
  readonly retransmissionTimeout?: number;
  /** The shim's heartbeat interval (default 2000). */
  readonly heartbeatInterval?: number;
  /** The shim's heartbeat timeout (default 3000). */
  readonly heartbeatTimeout?: number;
  /** Time a connect to an unreachable host takes to fail (default 5000, the driver's). */
  readonly connectTimeout?: number;
  /** Events processed at one instant before the run is declared a livelock (default 500000). */
  readonly maxEventsPerInstant?: number;
}

/** Options of {@link Sim.addNode}. */
export interface NodeOptions {
  /** The node's address (default a fresh 10.x.y.z). */
  readonly address?: string;
  /** Listeners: name → port. */
  readonly listeners?: Readonly<Record<string, number>>;
  /** UDP channels: name → port and multicast groups joined. */
  readonly channels?: Readonly<
    Record<string, { readonly port: number; readonly join?: readonly string[] }>
  >;
}

/** An event a role reported, with the time. */
export interface SimEvent<E> {
  /** When. */
  readonly time: number;
  /** What. */
  readonly event: E;
}

/** A node of the simulation. */
export class SimNode<E = unknown> {
  readonly name: string;
  readonly address: string;
  readonly listeners: ReadonlyMap<string, number>;
  readonly channels: ReadonlyMap<
    string,
    { readonly port: number; readonly join: readonly string[] }
  >;
  role: Role<E>;
  alive = true;
  incarnation = 0;
  readonly events: SimEvent<E>[] = [];
  /** Messages this node sent / received over associations, and datagrams it sent. */
  sent = 0;
  received = 0;
  datagramsSent = 0;
  wakeAt: number | undefined = undefined;
  nextInbound = -1;
  nextPort = 40000;
  readonly ends = new Map<AssociationId, End>();

  constructor(name: string, address: string, role: Role<E>, options: NodeOptions) {
    this.name = name;
    this.address = address;
    this.role = role;
    this.listeners = new Map(Object.entries(options.listeners ?? {}));
    this.channels = new Map(
      Object.entries(options.channels ?? {}).map((
        [k, v],
      ) => [k, { port: v.port, join: v.join ?? [] }]),
    );
  }

  /** The events of one type, in order. */
  eventsOf<T extends string>(type: T): (E & { type: T })[] {
    return this.events
      .map((e) => e.event)
      .filter((e): e is E & { type: T } => (e as { type?: string }).type === type);
  }
}

interface End {
  readonly node: SimNode<unknown>;
  readonly id: AssociationId;
  readonly link: Link;
  readonly local: TransportAddress;
  readonly remote: TransportAddress;
  /** The role was told "up" and not yet "down". */
  open: boolean;
  /** No more sends accepted from this end (closed or aborted locally). */
  closed: boolean;
  downScheduled: boolean;
  /** Latest delivery time towards this end (in-order delivery). */
  lastArrival: number;
  readonly incarnation: number;
}

interface Link {
  readonly id: number;
  a: End | undefined; // the connecting side
  b: End | undefined; // the accepting side
  state: "connecting" | "up" | "dead";
  /** Sends from the connecting side before the association is up. */
  readonly early: { ppid: number; stream: number; payload: Uint8Array }[];
  /** Messages held by a partition, per direction. */
  held: { to: End; ppid: number; stream: number; payload: Uint8Array }[];
  closeRequested: boolean;
}

type Item =
  | { kind: "wake"; node: SimNode<unknown>; inc: number }
  | { kind: "up"; end: End; info: AssociationInfo }
  | { kind: "message"; end: End; ppid: number; stream: number; payload: Uint8Array }
  | { kind: "down"; end: End; down: AssociationDown }
  | {
    kind: "datagram";
    node: SimNode<unknown>;
    inc: number;
    channel: string;
    from: TransportAddress;
    payload: Uint8Array;
  }
  | { kind: "connect"; link: Link; endpoints: readonly TransportAddress[]; index: number }
  | { kind: "partition-check"; link: Link }
  | { kind: "call"; fn: () => void };

interface Scheduled {
  readonly time: number;
  readonly seq: number;
  readonly item: Item;
}

function isMulticast(address: string): boolean {
  const first = Number(address.split(".")[0]);
  return address.includes(".") && first >= 224 && first <= 239;
}

/** A simulated network. */
export class Sim {
  readonly seed: number;
  /** The simulation's random stream (give roles `fork()`s so they do not share one). */
  readonly rng: SeededRng;
  readonly #latency: number;
  readonly #jitter: number;
  readonly #loss: number;
  readonly #messageLoss: number;
  readonly #rto: number;
  readonly #deathTime: number;
  readonly #connectTimeout: number;
  readonly #maxPerInstant: number;
  readonly #nodes = new Map<string, SimNode<unknown>>();
  readonly #byAddress = new Map<string, SimNode<unknown>>();
  /** Partitioned node pairs, with the time each partition began. */
  readonly #partitions = new Map<string, number>();
  #heap: Scheduled[] = [];
  #seq = 0;
  #links = 0;
  #now = 0;
  #atInstant = 0;
  #steps = 0;
  #nextAddress = 1;

  /**
   * Creates an empty network.
   *
   * @param options Seed, latency, loss and timers.
   */
  constructor(options: SimOptions) {
    this.seed = options.seed;
    this.rng = new SeededRng(options.seed);
    this.#latency = options.latency ?? 1;
    this.#jitter = options.datagramJitter ?? 2;
    this.#loss = options.datagramLoss ?? 0;
    this.#messageLoss = options.messageLoss ?? 0;
    this.#rto = options.retransmissionTimeout ?? 200;
    this.#deathTime = (options.heartbeatInterval ?? 2000) + (options.heartbeatTimeout ?? 3000);
    this.#connectTimeout = options.connectTimeout ?? 5000;
    this.#maxPerInstant = options.maxEventsPerInstant ?? 500_000;
  }

  /** The virtual time. */
  get now(): number {
    return this.#now;
  }

  /** Events processed so far. */
  get steps(): number {
    return this.#steps;
  }

  /** A new random stream derived from the simulation's (one per role keeps runs stable). */
  fork(): SeededRng {
    return new SeededRng([
      this.rng.nextU32(),
      this.rng.nextU32(),
      this.rng.nextU32(),
      this.rng.nextU32(),
    ]);
  }

  /** A uniformly random number in [0, 1) from the simulation's stream. */
  random(): number {
    return this.rng.nextU32() / 0x100000000;
  }

  /**
   * Adds a node running a role; the role gets its first `handleTimeout` now.
   *
   * @param name A unique name.
   * @param role The role.
   * @param options Address, listeners, channels.
   * @returns The node.
   */
  addNode<E>(name: string, role: Role<E>, options: NodeOptions = {}): SimNode<E> {
    if (this.#nodes.has(name)) throw new TypeError(`Sim: node "${name}" exists`);
    const address = options.address ?? this.#freshAddress();
    if (this.#byAddress.has(address)) throw new TypeError(`Sim: address ${address} is taken`);
    const node = new SimNode<E>(name, address, role, options);
    this.#nodes.set(name, node as SimNode<unknown>);
    this.#byAddress.set(address, node as SimNode<unknown>);
    this.#drain(node as SimNode<unknown>);
    return node;
  }

  #freshAddress(): string {
    const n = this.#nextAddress++;
    return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  }

  /**
   * A node by name.
   *
   * @param name The name.
   * @returns The node.
   */
  node<E = unknown>(name: string): SimNode<E> {
    const n = this.#nodes.get(name);
    if (n === undefined) throw new TypeError(`Sim: no node "${name}"`);
    return n as SimNode<E>;
  }

  /**
   * The events a node's role reported (all, or one type).
   *
   * @param name The node.
   * @param type Only events of this type.
   * @returns The events.
   */
  events<E = { type: string }>(name: string, type?: string): E[] {
    const all = this.node(name).events.map((e) => e.event as E);
    return type === undefined ? all : all.filter((e) => (e as { type?: string }).type === type);
  }

  /**
   * Runs an application command on a node's role now, then carries out what it asked for.
   *
   * @param name The node.
   * @param command Calls the role (keep a reference to it), given the current time.
   * @returns What the command returned.
   */
  command<R>(name: string, command: (now: number) => R): R {
    const node = this.node(name);
    const result = command(this.#now);
    this.#drain(node);
    return result;
  }

  /**
   * Schedules a function at a time (e.g. a command later in a scenario).
   *
   * @param time When.
   * @param fn What.
   */
  at(time: number, fn: () => void): void {
    this.#push(Math.max(time, this.#now), { kind: "call", fn });
  }

  /**
   * Crashes a node: its role stops and its associations die. With `reset` (the process died,
   * the host lives) peers see a reset at once and connects are refused; without (the host is
   * gone) peers notice after heartbeat interval + timeout and connects time out.
   *
   * @param name The node.
   * @param options `reset`: see above (default false).
   */
  crash(name: string, options: { readonly reset?: boolean } = {}): void {
    const node = this.node(name);
    if (!node.alive) return;
    node.alive = false;
    node.incarnation++;
    node.wakeAt = undefined;
    (node as { reset?: boolean }).reset = options.reset ?? false;
    for (const end of [...node.ends.values()]) {
      const link = end.link;
      const peer = link.a === end ? link.b : link.a;
      end.closed = true;
      end.open = false;
      node.ends.delete(end.id);
      if (link.state === "connecting") continue; // the connect fails on its own
      link.state = "dead";
      if (peer !== undefined && !peer.closed && !peer.downScheduled) {
        const reset = options.reset ?? false;
        this.#scheduleDown(
          peer,
          this.#now + (reset ? this.#latency : this.#deathTime),
          reset ? "reset" : "peer-dead",
          reset ? "Connection reset by peer" : "Heartbeat timeout",
        );
      }
    }
  }

  /**
   * Restarts a crashed node with a role (a new one, as a restarted process would have).
   *
   * @param name The node.
   * @param role The role.
   */
  restart<E>(name: string, role: Role<E>): void {
    const node = this.node(name);
    if (node.alive) throw new TypeError(`Sim: node "${name}" is running`);
    node.alive = true;
    node.incarnation++;
    node.role = role as Role<unknown>;
    node.wakeAt = undefined;
    node.nextInbound = -1; // a new process numbers its associations afresh
    this.#drain(node);
  }

  /**
   * Cuts the network between two groups of nodes: datagrams are lost, connects time out, and
   * associations across die after heartbeat interval + timeout unless healed before.
   *
   * @param a Node names.
   * @param b Node names.
   */
  partition(a: readonly string[], b: readonly string[]): void {
    for (const x of a) {
      for (const y of b) {
        const key = pairKey(x, y);
        if (!this.#partitions.has(key)) this.#partitions.set(key, this.#now);
        for (const end of this.node(x).ends.values()) {
          const peer = end.link.a === end ? end.link.b : end.link.a;
          if (peer?.node.name === y && end.link.state === "up") {
            this.#push(this.#now + this.#deathTime, { kind: "partition-check", link: end.link });
          }
        }
      }
    }
  }

  /**
   * Heals partitions between two groups; messages held meanwhile are delivered.
   *
   * @param a Node names.
   * @param b Node names.
   */
  heal(a: readonly string[], b: readonly string[]): void {
    for (const x of a) for (const y of b) this.#partitions.delete(pairKey(x, y));
    for (const node of this.#nodes.values()) {
      for (const end of node.ends.values()) {
        const link = end.link;
        if (link.held.length === 0 || link.state !== "up" || link.a !== end) continue;
        const held = link.held;
        link.held = [];
        for (const h of held) this.#deliver(h.to, h.ppid, h.stream, h.payload);
      }
    }
  }

  #partitioned(x: SimNode<unknown>, y: SimNode<unknown>): boolean {
    return this.#partitions.size > 0 && this.#partitions.has(pairKey(x.name, y.name));
  }

  // ---- running ----

  /**
   * Processes the next event (advancing the clock to it).
   *
   * @returns False when nothing is scheduled.
   */
  step(): boolean {
    const next = this.#pop();
    if (next === undefined) return false;
    if (next.time > this.#now) {
      this.#now = next.time;
      this.#atInstant = 0;
    }
    if (++this.#atInstant > this.#maxPerInstant) {
      throw new Error(
        `Sim livelock: more than ${this.#maxPerInstant} events at t=${this.#now} (seed ${this.seed})`,
      );
    }
    this.#steps++;
    this.#process(next.item);
    return true;
  }

  /**
   * Steps until nothing is scheduled any more.
   *
   * @param maxSteps Steps allowed before the run is declared a livelock.
   */
  drive(maxSteps = 1_000_000): void {
    for (let i = 0; this.step(); i++) {
      if (i >= maxSteps) {
        throw new Error(`Sim livelock: still busy after ${maxSteps} steps (seed ${this.seed})`);
      }
    }
  }

  /**
   * {@link drive} with a bound: fails when the network does not fall quiet within n steps.
   *
   * @param n Steps allowed.
   */
  driveBounded(n: number): void {
    this.drive(n);
  }

  /**
   * Runs for a span of virtual time (roles with periodic timers never fall quiet).
   *
   * @param ms How long.
   * @param maxSteps Steps allowed.
   */
  runFor(ms: number, maxSteps = 10_000_000): void {
    const end = this.#now + ms;
    for (let i = 0; this.#heap.length > 0 && this.#heap[0]!.time <= end; i++) {
      if (i >= maxSteps) {
        throw new Error(
          `Sim livelock: more than ${maxSteps} steps in ${ms} ms (seed ${this.seed})`,
        );
      }
      this.step();
    }
    if (end > this.#now) {
      this.#now = end;
      this.#atInstant = 0;
    }
  }

  /**
   * Runs until a condition holds (checked after every event) or the time is up.
   *
   * @param condition The condition.
   * @param timeout Most virtual time to run.
   * @param maxSteps Steps allowed.
   * @returns Whether the condition held.
   */
  runUntil(condition: () => boolean, timeout: number, maxSteps = 10_000_000): boolean {
    const end = this.#now + timeout;
    if (condition()) return true;
    for (let i = 0; this.#heap.length > 0 && this.#heap[0]!.time <= end; i++) {
      if (i >= maxSteps) {
        throw new Error(`Sim livelock: more than ${maxSteps} steps (seed ${this.seed})`);
      }
      this.step();
      if (condition()) return true;
    }
    if (end > this.#now) this.#now = end;
    return condition();
  }

  // ---- the event heap ----

  #push(time: number, item: Item): void {
    const h = this.#heap;
    const entry: Scheduled = { time, seq: this.#seq++, item };
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (before(h[p]!, entry)) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = entry;
  }

  #pop(): Scheduled | undefined {
    const h = this.#heap;
    const top = h[0];
    if (top === undefined) return undefined;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        let best = last;
        if (l < h.length && before(h[l]!, best)) {
          m = l;
          best = h[l]!;
        }
        if (r < h.length && before(h[r]!, best)) m = r;
        if (m === i) break;
        h[i] = h[m]!;
        i = m;
      }
      h[i] = last;
    }
    return top;
  }

  // ---- processing ----

  #process(item: Item): void {
    switch (item.kind) {
      case "call":
        item.fn();
        return;
      case "wake": {
        const node = item.node;
        if (!node.alive || node.incarnation !== item.inc || node.wakeAt === undefined) return;
        if (node.wakeAt > this.#now) return; // moved later meanwhile
        node.wakeAt = undefined;
        node.role.handleTimeout(this.#now);
        this.#drain(node);
        return;
      }
      case "up": {
        const end = item.end;
        const node = end.node;
        if (!node.alive || node.incarnation !== end.incarnation || end.closed) return;
        if (end.link.state !== "up") return;
        end.open = true;
        node.role.handleAssociationUp(this.#now, end.id, item.info);
        node.role.handleRttSample?.(this.#now, end.id, {
          rtt: 2 * this.#latency,
          srtt: 2 * this.#latency,
          rttvar: 0,
        });
        this.#drain(node);
        return;
      }
      case "message": {
        const end = item.end;
        const node = end.node;
        if (!node.alive || node.incarnation !== end.incarnation || !end.open) return;
        node.received++;
        node.role.handleMessage(this.#now, end.id, item.ppid, item.stream, item.payload);
        this.#drain(node);
        return;
      }
      case "down": {
        const end = item.end;
        const node = end.node;
        if (node.incarnation !== end.incarnation) return;
        node.ends.delete(end.id);
        const wasOpen = end.open;
        end.open = false;
        end.closed = true;
        if (!node.alive) return;
        // Like the driver: accepted associations only report down if they were reported up.
        if (end.id < 0 && !wasOpen) return;
        node.role.handleAssociationDown(this.#now, end.id, item.down);
        this.#drain(node);
        return;
      }
      case "datagram": {
        const node = item.node;
        if (!node.alive || node.incarnation !== item.inc) return;
        node.role.handleDatagram(this.#now, item.channel, item.from, item.payload);
        this.#drain(node);
        return;
      }
      case "connect":
        this.#tryConnect(item.link, item.endpoints, item.index);
        return;
      case "partition-check": {
        const link = item.link;
        const a = link.a, b = link.b;
        if (link.state !== "up" || a === undefined || b === undefined) return;
        // Still cut since at least the heartbeat death time (not healed and cut again since).
        const since = this.#partitions.get(pairKey(a.node.name, b.node.name));
        if (since === undefined || this.#now - since < this.#deathTime) return;
        link.state = "dead";
        link.held = [];
        for (const end of [a, b]) {
          if (!end.closed && !end.downScheduled) {
            this.#scheduleDown(end, this.#now, "peer-dead", "Heartbeat timeout");
          }
        }
        return;
      }
    }
  }

  /** Carries out what a role asked for, records its events and its next wake-up. */
  #drain(node: SimNode<unknown>): void {
    if (!node.alive) return;
    const role = node.role;
    const inc = node.incarnation;
    for (let action = role.pollTransmit(); action !== undefined; action = role.pollTransmit()) {
      this.#execute(node, action);
      if (!node.alive || node.incarnation !== inc) return;
    }
    for (let e = role.pollEvent(); e !== undefined; e = role.pollEvent()) {
      node.events.push({ time: this.#now, event: e });
    }
    const t = role.pollTimeout();
    if (t === undefined) {
      node.wakeAt = undefined;
      return;
    }
    const at = Math.max(t, this.#now);
    if (node.wakeAt !== at) {
      node.wakeAt = at;
      this.#push(at, { kind: "wake", node, inc });
    }
  }

  #execute(node: SimNode<unknown>, action: RoleAction): void {
    switch (action.type) {
      case "send": {
        const end = node.ends.get(action.assoc);
        const payload = action.payload.slice();
        if (payload.length === 0) throw new RangeError("Cannot send: the message is empty");
        if (end === undefined || end.closed) {
          node.role.handleSendFailed?.(this.#now, action.assoc, "closed", payload);
          return;
        }
        const link = end.link;
        node.sent++;
        if (link.state === "connecting") {
          link.early.push({ ppid: action.ppid, stream: action.stream, payload });
          return;
        }
        const peer = link.a === end ? link.b : link.a;
        if (link.state !== "up" || peer === undefined) return; // dying: lost with the connection
        if (this.#partitioned(end.node, peer.node)) {
          link.held.push({ to: peer, ppid: action.ppid, stream: action.stream, payload });
          return;
        }
        this.#deliver(peer, action.ppid, action.stream, payload);
        return;
      }
      case "connect": {
        if (action.assoc <= 0 || node.ends.has(action.assoc)) {
          throw new RangeError(`Sim: association id ${action.assoc} is not a fresh positive id`);
        }
        const link: Link = {
          id: ++this.#links,
          a: undefined,
          b: undefined,
          state: "connecting",
          early: [],
          held: [],
          closeRequested: false,
        };
        const local = { address: node.address, port: node.nextPort++ };
        const end: End = {
          node,
          id: action.assoc,
          link,
          local,
          remote: action.endpoints[0] ?? { address: "0.0.0.0", port: 0 },
          open: false,
          closed: false,
          downScheduled: false,
          lastArrival: 0,
          incarnation: node.incarnation,
        };
        link.a = end;
        node.ends.set(action.assoc, end);
        this.#push(this.#now, { kind: "connect", link, endpoints: action.endpoints, index: 0 });
        return;
      }
      case "close": {
        const end = node.ends.get(action.assoc);
        if (end === undefined || end.closed) return;
        end.closed = true;
        const link = end.link;
        const peer = link.a === end ? link.b : link.a;
        if (link.state === "connecting") {
          if (action.abort) {
            link.state = "dead";
            this.#scheduleDown(end, this.#now, "aborted", action.reason);
          } else link.closeRequested = true;
          return;
        }
        if (link.state !== "up") return; // already dying: its down is on the way
        link.state = "dead";
        if (peer !== undefined && this.#partitioned(end.node, peer.node)) {
          // The ABORT or FIN cannot cross the cut: the peer notices by its heartbeats.
          const since = this.#partitions.get(pairKey(end.node.name, peer.node.name))!;
          this.#scheduleDown(end, this.#now, action.abort ? "aborted" : "closed", action.reason);
          if (!peer.downScheduled) {
            const at = Math.max(this.#now, since + this.#deathTime);
            this.#scheduleDown(peer, at, "peer-dead", "Heartbeat timeout");
          }
          return;
        }
        if (action.abort) {
          this.#scheduleDown(end, this.#now, "aborted", action.reason);
          if (peer !== undefined && !peer.downScheduled) {
            const at = Math.max(this.#now + this.#latency, peer.lastArrival);
            this.#scheduleDown(peer, at, "peer-abort", action.reason);
          }
        } else {
          // Graceful: what is in flight arrives, then the FIN; our end closes after the peer's.
          const at = Math.max(this.#now + this.#latency, peer?.lastArrival ?? 0);
          if (peer !== undefined && !peer.downScheduled) {
            this.#scheduleDown(peer, at, "closed", "Closed by peer");
          }
          this.#scheduleDown(end, at + this.#latency, "closed", "Closed");
        }
        return;
      }
      case "datagram": {
        const channel = node.channels.get(action.channel);
        if (channel === undefined) {
          throw new RangeError(`Cannot send a datagram: no channel named "${action.channel}"`);
        }
        node.datagramsSent++;
        const from = { address: node.address, port: channel.port };
        const to = action.to;
        for (const target of this.#nodes.values()) {
          if (!target.alive) continue;
          for (const [name, ch] of target.channels) {
            if (ch.port !== to.port) continue;
            const match = isMulticast(to.address)
              ? ch.join.includes(to.address)
              : target.address === to.address;
            if (!match) continue;
            if (this.#partitioned(node, target)) continue;
            if (this.#loss > 0 && this.random() < this.#loss) continue;
            const at = this.#now + this.#latency + this.random() * this.#jitter;
            this.#push(at, {
              kind: "datagram",
              node: target,
              inc: target.incarnation,
              channel: name,
              from,
              payload: action.payload.slice(),
            });
          }
        }
        return;
      }
    }
  }

  #deliver(to: End, ppid: number, stream: number, payload: Uint8Array): void {
    let at = this.#now + this.#latency;
    if (this.#messageLoss > 0) {
      let rto = this.#rto, delay = 0;
      while (this.random() < this.#messageLoss) {
        delay += rto;
        rto *= 2;
      }
      if (delay >= this.#deathTime) {
        this.#lossKills(to.link);
        return;
      }
      at += delay;
    }
    at = Math.max(at, to.lastArrival);
    to.lastArrival = at;
    this.#push(at, { kind: "message", end: to, ppid, stream, payload });
  }

  /** Retransmissions failed for longer than the heartbeat allows: both ends see the peer dead. */
  #lossKills(link: Link): void {
    if (link.state !== "up") return;
    link.state = "dead";
    link.held = [];
    for (const end of [link.a, link.b]) {
      if (end !== undefined && !end.closed && !end.downScheduled) {
        this.#scheduleDown(end, this.#now + this.#deathTime, "peer-dead", "Heartbeat timeout");
      }
    }
  }

  #scheduleDown(end: End, at: number, reason: DownReason, detail: string): void {
    end.downScheduled = true;
    this.#push(at, { kind: "down", end, down: { reason, cause: 0, detail } });
  }

  #tryConnect(link: Link, endpoints: readonly TransportAddress[], index: number): void {
    const a = link.a!;
    if (link.state !== "connecting" || a.closed && !link.closeRequested) return;
    if (!a.node.alive || a.node.incarnation !== a.incarnation) return;
    const ep = endpoints[index];
    if (ep === undefined) {
      link.state = "dead";
      this.#scheduleDown(a, this.#now, "connect-failed", "No endpoint could be reached");
      return;
    }
    const target = this.#byAddress.get(ep.address);
    let name: string | undefined;
    if (target !== undefined) {
      for (const [n, port] of target.listeners) if (port === ep.port) name = n;
    }
    const next = (delay: number) =>
      this.#push(this.#now + delay, { kind: "connect", link, endpoints, index: index + 1 });
    if (target === undefined || this.#partitioned(a.node, target)) {
      next(this.#connectTimeout); // nobody answers: the connect times out
      return;
    }
    if (!target.alive) {
      const reset = (target as { reset?: boolean }).reset === true;
      next(reset ? 2 * this.#latency : this.#connectTimeout);
      return;
    }
    if (name === undefined) {
      next(2 * this.#latency); // refused
      return;
    }
    // Established: TCP handshake plus the shim's HELLO, one round trip.
    const remotePort = ep.port;
    const bId = target.nextInbound--;
    const b: End = {
      node: target,
      id: bId,
      link,
      local: { address: target.address, port: remotePort },
      remote: a.local,
      open: false,
      closed: false,
      downScheduled: false,
      lastArrival: 0,
      incarnation: target.incarnation,
    };
    link.b = b;
    target.ends.set(bId, b);
    (a as { remote: TransportAddress }).remote = { address: target.address, port: remotePort };
    link.state = "up";
    const at = this.#now + 2 * this.#latency;
    this.#push(at, {
      kind: "up",
      end: a,
      info: { remote: b.local, local: a.local, peerMaxPayload: 65535, listener: undefined },
    });
    this.#push(at, {
      kind: "up",
      end: b,
      info: { remote: a.local, local: b.local, peerMaxPayload: 65535, listener: name },
    });
    a.lastArrival = at;
    b.lastArrival = at;
    for (const m of link.early) this.#deliver(b, m.ppid, m.stream, m.payload);
    link.early.length = 0;
    if (link.closeRequested) {
      link.state = "dead";
      this.#scheduleDown(
        b,
        Math.max(at, b.lastArrival) + this.#latency,
        "closed",
        "Closed by peer",
      );
      this.#scheduleDown(a, Math.max(at, b.lastArrival) + 2 * this.#latency, "closed", "Closed");
    }
  }
}

function before(x: Scheduled, y: Scheduled): boolean {
  return x.time < y.time || (x.time === y.time && x.seq < y.seq);
}

function pairKey(x: string, y: string): string {
  return x < y ? `${x}\u0000${y}` : `${y}\u0000${x}`;
}

/** The seeds to run: `count` seeds from `base`, or only `SIM_SEED` when that is set. */
export function simSeeds(count: number, base = 1): number[] {
  const env = (globalThis as { Deno?: { env: { get(k: string): string | undefined } } }).Deno?.env
    .get("SIM_SEED");
  if (env !== undefined && env !== "") return [Number(env)];
  return Array.from({ length: count }, (_, i) => base + i);
}

/**
 * Runs a scenario for one seed; a failure is rethrown with the seed and how to replay it.
 *
 * @param seed The seed.
 * @param scenario The scenario.
 * @param replay The test file or folder named in the replay command.
 */
export function withSeed(
  seed: number,
  scenario: (seed: number) => void,
  replay = "tests/asap/",
): void {
  try {
    scenario(seed);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new Error(
      `${message}\n  simulation seed ${seed}: replay with SIM_SEED=${seed} deno test --allow-all ${replay}`,
      { cause: e },
    );
  }
}
