// A simulated network for the SCTP engine's tests: endpoints at addresses, a virtual clock, and a
// seeded link that delays, loses, reorders and duplicates datagrams. Not shipped (publish exclude).

import type { TransportAddress } from "../role.ts";
import { SeededRng } from "../rng.ts";
import type { SctpAssociationEvent } from "./association.ts";
import { SctpEndpoint, type SctpEndpointOptions } from "./endpoint.ts";

/** Behaviour of the simulated link (applied to every datagram). */
export interface LinkOptions {
  /** One-way delay in ms (default 1). */
  delay?: number;
  /** Extra uniformly random delay in ms (default 0). */
  jitter?: number;
  /** Probability of losing a datagram (default 0). */
  loss?: number;
  /** Probability of duplicating a datagram (default 0). */
  duplicate?: number;
  /** Probability of holding a datagram back by `reorderDelay` (default 0). */
  reorder?: number;
  /** Extra delay of reordered datagrams (default 5). */
  reorderDelay?: number;
}

/** One node: an endpoint reachable at one or more IP addresses with one UDP port. */
export class SimNode {
  readonly endpoint: SctpEndpoint;
  readonly addresses: string[];
  readonly port: number;
  readonly events: SctpAssociationEvent[] = [];
  onEvent: ((e: SctpAssociationEvent) => void) | undefined;
  sent = 0;

  constructor(endpoint: SctpEndpoint, addresses: string[], port: number) {
    this.endpoint = endpoint;
    this.addresses = addresses;
    this.port = port;
  }

  /** The node's first address with its UDP port. */
  get address(): TransportAddress {
    return { address: this.addresses[0]!, port: this.port };
  }

  /** Messages received, as [assoc, ppid, stream, payload]. */
  messages(): {
    assoc: number;
    ppid: number;
    stream: number;
    unordered: boolean;
    payload: Uint8Array;
  }[] {
    const out = [];
    for (const e of this.events) if (e.type === "message") out.push(e);
    return out;
  }

  /** Events of one type. */
  of<T extends SctpAssociationEvent["type"]>(
    type: T,
  ): Extract<SctpAssociationEvent, { type: T }>[] {
    return this.events.filter((e) => e.type === type) as Extract<
      SctpAssociationEvent,
      { type: T }
    >[];
  }
}

interface InFlight {
  readonly at: number;
  readonly seq: number;
  readonly from: TransportAddress;
  readonly to: TransportAddress;
  readonly bytes: Uint8Array;
}

/** The network: nodes, the clock, the link and an optional filter (partitions, dead paths). */
export class SimNet {
  now = 0;
  link: LinkOptions;
  /** Return true to drop a datagram (path failures, partitions, black holes). */
  drop: ((from: TransportAddress, to: TransportAddress, bytes: Uint8Array) => boolean) | undefined;
  /** Sees every datagram that is delivered (after loss and the filter). */
  tap:
    | ((from: TransportAddress, to: TransportAddress, bytes: Uint8Array, at: number) => void)
    | undefined;
  readonly rng: SeededRng;
  #nodes = new Map<string, SimNode>();
  #all: SimNode[] = [];
  #queue: InFlight[] = [];
  #seq = 0;

  constructor(seed: number, link: LinkOptions = {}) {
    this.rng = new SeededRng(seed);
    this.link = link;
  }

  /** Adds an endpoint at `addresses` (UDP port `port`). */
  add(
    addresses: string[],
    port: number,
    options: Partial<SctpEndpointOptions> = {},
  ): SimNode {
    const endpoint = new SctpEndpoint({ rng: new SeededRng(this.rng.nextU32()), ...options });
    const node = new SimNode(endpoint, addresses, port);
    for (const a of addresses) this.#nodes.set(`${a}:${port}`, node);
    this.#all.push(node);
    return node;
  }

  /** Removes a node (a crash: its packets in flight still arrive, nobody answers them). */
  remove(node: SimNode): void {
    for (const a of node.addresses) this.#nodes.delete(`${a}:${node.port}`);
    this.#all = this.#all.filter((n) => n !== node);
  }

  /** Injects a datagram as if `from` sent it. */
  inject(from: TransportAddress, to: TransportAddress, bytes: Uint8Array, delay = 0): void {
    this.#enqueue({ at: this.now + delay, seq: this.#seq++, from, to, bytes });
  }

  /** Moves every node's output into the network and its events into `node.events`. */
  flush(): void {
    for (let again = true; again;) {
      again = false;
      for (const node of this.#all) {
        const ep = node.endpoint;
        for (let t; (t = ep.pollTransmit(this.now)) !== undefined;) {
          again = true;
          node.sent++;
          this.#send(node, t.to, t.bytes);
        }
        for (let e; (e = ep.pollEvent()) !== undefined;) {
          again = true;
          node.events.push(e);
          node.onEvent?.(e);
        }
      }
    }
  }

  /** Runs until `until()` holds or the clock passes `limit` ms; returns whether `until` held. */
  run(until: () => boolean, limit = 60_000, maxSteps = 2_000_000): boolean {
    const end = this.now + limit;
    for (let steps = 0; steps < maxSteps; steps++) {
      this.flush();
      if (until()) return true;
      const next = this.#nextTime();
      if (next === undefined || next > end) {
        this.now = Math.max(this.now, Math.min(end, next ?? end));
        this.flush();
        return until();
      }
      this.now = Math.max(this.now, next);
      this.#deliverDue();
      for (const node of this.#all) {
        const at = node.endpoint.pollTimeout();
        if (at !== undefined && at <= this.now) node.endpoint.handleTimeout(this.now);
      }
    }
    throw new Error(`Simulation did not settle within ${maxSteps} steps`);
  }

  /** Runs for `ms` of virtual time. */
  advance(ms: number): void {
    const end = this.now + ms;
    this.run(() => false, ms);
    this.now = Math.max(this.now, end);
  }

  #send(node: SimNode, to: TransportAddress, bytes: Uint8Array): void {
    const index = Math.max(0, this.#indexOf(to.address));
    const from = { address: node.addresses[index] ?? node.addresses[0]!, port: node.port };
    const l = this.link;
    if ((l.loss ?? 0) > 0 && this.#random() < l.loss!) return;
    const copies = (l.duplicate ?? 0) > 0 && this.#random() < l.duplicate! ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      let at = this.now + (l.delay ?? 1) + (l.jitter ?? 0) * this.#random();
      if ((l.reorder ?? 0) > 0 && this.#random() < l.reorder!) at += l.reorderDelay ?? 5;
      this.#enqueue({ at, seq: this.#seq++, from, to, bytes: bytes.slice() });
    }
  }

  /** Which address index of its node `address` is (to pick the matching source address). */
  #indexOf(address: string): number {
    for (const n of this.#all) {
      const i = n.addresses.indexOf(address);
      if (i >= 0) return i;
    }
    return 0;
  }

  #random(): number {
    return this.rng.nextU32() / 0x100000000;
  }

  #enqueue(f: InFlight): void {
    const q = this.#queue;
    let i = q.length;
    while (i > 0 && (q[i - 1]!.at > f.at || (q[i - 1]!.at === f.at && q[i - 1]!.seq > f.seq))) i--;
    q.splice(i, 0, f);
  }

  #nextTime(): number | undefined {
    let next = this.#queue[0]?.at;
    for (const n of this.#all) {
      const at = n.endpoint.pollTimeout();
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    return next;
  }

  #deliverDue(): void {
    const q = this.#queue;
    while (q.length > 0 && q[0]!.at <= this.now) {
      const f = q.shift()!;
      if (this.drop?.(f.from, f.to, f.bytes)) continue;
      const node = this.#nodes.get(`${f.to.address}:${f.to.port}`);
      if (node === undefined) continue;
      this.tap?.(f.from, f.to, f.bytes, this.now);
      node.endpoint.handleDatagram(this.now, f.from, f.bytes);
    }
  }
}
