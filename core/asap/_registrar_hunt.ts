// Finding a registrar (RFC 5352 §3.6 "server hunt", spec/behaviour.md §3), shared by the pool
// element and the pool user: candidates from a static list and from Server Announces (kept for
// the announce timeout after the last one), rounds of up to N simultaneous connects starting at
// a random candidate, the first association up wins. A round ends at its deadline, or early
// when every candidate was tried and failed; a new round starts at the old one's deadline or
// as soon as an announce brings news while nothing is outstanding.

import type { Fifo } from "../fifo.ts";
import { randomBelow, type Rng } from "../rng.ts";
import type { AssociationId, RoleAction, TransportAddress } from "../role.ts";
import { canonicalIpAddress } from "../wire/ip_address.ts";
import { checkTime } from "./_checks.ts";
import { ASAP_DEFAULTS } from "./defaults.ts";
import type { ServerAnnounceMessage } from "../wire/asap_message.ts";
import type { RegistrarId } from "../wire/pool_element_parameter.ts";

/** A registrar the hunt may contact. */
export interface RegistrarCandidate {
  /** Its identifier, 0 while unknown (static entries until an announce or keep-alive names it). */
  id: RegistrarId;
  /** Where to connect (tried in order by one connect action). */
  endpoints: readonly TransportAddress[];
  /** From the static list (never expires). */
  readonly static: boolean;
  /** When an announced candidate expires. */
  expires: number;
}

export interface HuntOptions {
  readonly rng: Rng;
  readonly announceTimeout: number;
  readonly connectTimeout: number;
  readonly maxSimultaneous: number;
}

/** What the hunt asks its role to do. */
export interface HuntSink {
  /** Opens an association; returns its id. */
  connect(endpoints: readonly TransportAddress[]): AssociationId;
  /** Gives up an attempt that is no longer wanted. */
  close(assoc: AssociationId): void;
  /** A round ended without an association (1 = the first round of this hunt). */
  roundFailed(now: number, round: number): void;
}

export type HuntStatus = "idle" | "connecting" | "waiting";

function sameEndpoint(a: TransportAddress, b: TransportAddress): boolean {
  return a.address === b.address && a.port === b.port;
}

export class RegistrarHunt {
  readonly #options: HuntOptions;
  readonly #sink: HuntSink;
  readonly #candidates: RegistrarCandidate[] = [];
  readonly #attempts = new Map<AssociationId, RegistrarCandidate>();
  #order: RegistrarCandidate[] = [];
  #next = 0;
  #status: HuntStatus = "idle";
  #deadline = Infinity;
  #tried = 0;
  #round = 0;

  constructor(options: HuntOptions, sink: HuntSink) {
    this.#options = options;
    this.#sink = sink;
  }

  get status(): HuntStatus {
    return this.#status;
  }

  /** Rounds failed since the hunt began. */
  get failedRounds(): number {
    return this.#round;
  }

  /** The candidates known now (static and unexpired announced ones). */
  candidates(now: number): RegistrarCandidate[] {
    return this.#candidates.filter((c) => c.static || c.expires > now);
  }

  addStatic(endpoint: TransportAddress): void {
    this.#candidates.push({ id: 0n, endpoints: [endpoint], static: true, expires: Infinity });
  }

  /**
   * A Server Announce: adds or refreshes the candidate (a static entry with the same endpoint
   * just learns the identifier). Starts the next round at once when the hunt is waiting.
   */
  announce(now: number, from: TransportAddress, message: ServerAnnounceMessage): void {
    const endpoints: TransportAddress[] = [];
    for (const t of message.transports) {
      if (t.protocol !== "tcp" && t.protocol !== "sctp") continue;
      for (const address of t.addresses) {
        const e = { address, port: t.port };
        // A registrar serving SCTP and TCP announces each endpoint twice: connect once (the
        // connect's transport decides how).
        if (!endpoints.some((f) => sameEndpoint(e, f))) endpoints.push(e);
      }
    }
    if (endpoints.length === 0) endpoints.push({ address: from.address, port: from.port });
    const id = message.registrarId;
    let found: RegistrarCandidate | undefined;
    for (const c of this.#candidates) {
      if (c.static) {
        if (c.endpoints.some((e) => endpoints.some((f) => sameEndpoint(e, f)))) {
          c.id = id;
          found = c;
          break;
        }
      } else if (c.id === id) {
        c.endpoints = endpoints;
        c.expires = now + this.#options.announceTimeout;
        found = c;
        break;
      }
    }
    if (found === undefined) {
      this.#candidates.push({
        id,
        endpoints,
        static: false,
        expires: now + this.#options.announceTimeout,
      });
    }
    this.#purge(now);
    // Nothing outstanding: a registrar that announces itself is worth a try at once.
    if (
      this.#status === "waiting" || (this.#status === "connecting" && this.#attempts.size === 0)
    ) {
      this.#startRound(now);
    }
  }

  /** The identifier of a registrar known by one of its endpoints (0 if not known). */
  idOf(endpoint: TransportAddress): RegistrarId {
    for (const c of this.#candidates) {
      if (c.endpoints.some((e) => sameEndpoint(e, endpoint))) return c.id;
    }
    return 0n;
  }

  /** Starts hunting, unless a hunt is on. */
  begin(now: number): void {
    if (this.#status !== "idle") return;
    this.#round = 0;
    this.#startRound(now);
  }

  /** Stops hunting and gives up every attempt. */
  stop(): void {
    this.#status = "idle";
    this.#deadline = Infinity;
    for (const assoc of this.#attempts.keys()) this.#sink.close(assoc);
    this.#attempts.clear();
  }

  isAttempt(assoc: AssociationId): boolean {
    return this.#attempts.has(assoc);
  }

  /** An attempt came up: it wins, the others are given up. */
  up(assoc: AssociationId): RegistrarCandidate | undefined {
    const winner = this.#attempts.get(assoc);
    if (winner === undefined) return undefined;
    this.#attempts.delete(assoc);
    this.stop();
    return winner;
  }

  /** An attempt failed; returns false when the association was not an attempt. */
  down(now: number, assoc: AssociationId): boolean {
    if (!this.#attempts.delete(assoc)) return false;
    if (this.#status === "connecting") this.#fill(now);
    return true;
  }

  handleTimeout(now: number): void {
    if (this.#status === "idle" || now < this.#deadline) return;
    if (this.#status === "connecting") {
      for (const assoc of this.#attempts.keys()) this.#sink.close(assoc);
      this.#attempts.clear();
      this.#fail(now);
      if ((this.#status as HuntStatus) === "idle") return;
    }
    this.#startRound(now);
  }

  nextTimeout(): number | undefined {
    return this.#status === "idle" ? undefined : this.#deadline;
  }

  #purge(now: number): void {
    for (let i = this.#candidates.length - 1; i >= 0; i--) {
      const c = this.#candidates[i]!;
      if (!c.static && c.expires <= now && ![...this.#attempts.values()].includes(c)) {
        this.#candidates.splice(i, 1);
      }
    }
  }

  #startRound(now: number): void {
    this.#purge(now);
    this.#status = "connecting";
    this.#deadline = now + this.#options.connectTimeout;
    const list = this.candidates(now);
    const start = list.length === 0 ? 0 : randomBelow(this.#options.rng, list.length);
    this.#order = [...list.slice(start), ...list.slice(0, start)];
    this.#next = 0;
    this.#tried = 0;
    this.#fill(now);
  }

  #fill(now: number): void {
    const order = this.#order;
    while (this.#attempts.size < this.#options.maxSimultaneous && this.#next < order.length) {
      const c = order[this.#next++]!;
      if (!c.static && c.expires <= now) continue;
      this.#tried++;
      const assoc = this.#sink.connect(c.endpoints);
      this.#attempts.set(assoc, c);
      if (this.#status !== "connecting") return; // the sink reacted synchronously
    }
    if (this.#attempts.size === 0 && this.#next >= order.length && this.#tried > 0) {
      // Every candidate of this round failed: the round is over; wait for its deadline or news.
      this.#fail(now);
    }
  }

  #fail(now: number): void {
    this.#round++;
    this.#status = "waiting";
    this.#sink.roundFailed(now, this.#round);
  }
}

/** The hunt settings the pool element and the pool user both take from their configuration. */
export interface HuntConfig {
  /** Static registrar list; combined with announces. */
  readonly registrars?: readonly TransportAddress[];
  /** How long an announced registrar stays a candidate (ms). */
  readonly registrarAnnounceTimeout?: number;
  /** How long one hunt round waits for an association (ms). */
  readonly registrarConnectTimeout?: number;
  /** Connect attempts per round. */
  readonly maxSimultaneousConnects?: number;
}

/**
 * A role's registrar hunt from its configuration: checks the options (defaults from
 * ASAP_DEFAULTS), numbers the role's associations, queues connect and close actions on the role's
 * action queue and seeds the static registrars. Both roles open associations only through their
 * hunt, so the numbering lives here.
 */
export function huntFromConfig(
  role: string,
  config: HuntConfig,
  rng: Rng,
  actions: Fifo<RoleAction>,
  roundFailed: (now: number, round: number) => void,
): RegistrarHunt {
  const d = ASAP_DEFAULTS;
  const option = (name: keyof HuntConfig & keyof typeof d, value: number | undefined) =>
    checkTime(role, name, value ?? d[name].value, 1);
  let nextAssoc = 1;
  const hunt = new RegistrarHunt({
    rng,
    announceTimeout: option("registrarAnnounceTimeout", config.registrarAnnounceTimeout),
    connectTimeout: option("registrarConnectTimeout", config.registrarConnectTimeout),
    maxSimultaneous: option("maxSimultaneousConnects", config.maxSimultaneousConnects),
  }, {
    connect: (endpoints) => {
      const assoc = nextAssoc++;
      actions.push({ type: "connect", assoc, endpoints });
      return assoc;
    },
    close: (assoc) => {
      actions.push({
        type: "close",
        assoc,
        abort: true,
        reason: "Registrar hunt: another registrar answered first",
      });
    },
    roundFailed,
  });
  for (const r of config.registrars ?? []) {
    hunt.addStatic({ address: canonicalIpAddress(r.address), port: r.port });
  }
  return hunt;
}
