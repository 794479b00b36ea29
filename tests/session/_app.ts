// An application on top of a sans-IO role, for the simulated network: it sees every event of
// the role as it happens (before the role's actions leave), may call the role's commands in
// response, and may keep timers of its own (job completions, arrivals). The node records the
// events as usual.

import type {
  AssociationDown,
  AssociationId,
  AssociationInfo,
  Role,
  RoleAction,
  RttSample,
  SendFailure,
  TransportAddress,
} from "../../core/role.ts";

/** What an application does with its role's events and its own timers. */
export interface App<E> {
  /** Reacts to one event; may call the role's commands with `now`. */
  onEvent(now: number, event: E): void;
  /** The application's next timer, if any. */
  nextTimeout?(): number | undefined;
  /** The application's timer is due. */
  onTimeout?(now: number): void;
}

/** A role with an application reacting to its events. */
export class AppRole<E> implements Role<E> {
  readonly inner: Role<E>;
  app: App<E>;
  #now = 0;
  readonly #events: E[] = [];
  #head = 0;

  constructor(inner: Role<E>, app: App<E>) {
    this.inner = inner;
    this.app = app;
  }

  /** Runs a command on the role at a time and lets the application react to what it caused. */
  run<R>(now: number, command: (now: number) => R): R {
    this.#now = now;
    const r = command(now);
    this.#react();
    return r;
  }

  #react(): void {
    for (let e = this.inner.pollEvent(); e !== undefined; e = this.inner.pollEvent()) {
      this.#events.push(e);
      this.app.onEvent(this.#now, e);
    }
  }

  handleAssociationUp(now: number, assoc: AssociationId, info: AssociationInfo): void {
    this.#now = now;
    this.inner.handleAssociationUp(now, assoc, info);
    this.#react();
  }
  handleMessage(
    now: number,
    assoc: AssociationId,
    ppid: number,
    stream: number,
    payload: Uint8Array,
  ): void {
    this.#now = now;
    this.inner.handleMessage(now, assoc, ppid, stream, payload);
    this.#react();
  }
  handleAssociationDown(now: number, assoc: AssociationId, down: AssociationDown): void {
    this.#now = now;
    this.inner.handleAssociationDown(now, assoc, down);
    this.#react();
  }
  handleDatagram(now: number, channel: string, from: TransportAddress, payload: Uint8Array): void {
    this.#now = now;
    this.inner.handleDatagram(now, channel, from, payload);
    this.#react();
  }
  handleTimeout(now: number): void {
    this.#now = now;
    const at = this.inner.pollTimeout();
    if (at !== undefined && at <= now) this.inner.handleTimeout(now);
    this.#react();
    const appAt = this.app.nextTimeout?.();
    if (appAt !== undefined && appAt <= now) {
      this.app.onTimeout?.(now);
      this.#react();
    }
  }
  handleSendFailed(
    now: number,
    assoc: AssociationId,
    failure: SendFailure,
    payload: Uint8Array,
  ): void {
    this.#now = now;
    this.inner.handleSendFailed?.(now, assoc, failure, payload);
    this.#react();
  }
  handleWritable(now: number, assoc: AssociationId): void {
    this.#now = now;
    this.inner.handleWritable?.(now, assoc);
    this.#react();
  }
  handleRttSample(now: number, assoc: AssociationId, sample: RttSample): void {
    this.#now = now;
    this.inner.handleRttSample?.(now, assoc, sample);
    this.#react();
  }
  pollTransmit(): RoleAction | undefined {
    this.#react();
    return this.inner.pollTransmit();
  }
  pollTimeout(): number | undefined {
    const a = this.inner.pollTimeout();
    const b = this.app.nextTimeout?.();
    if (a === undefined) return b;
    if (b === undefined) return a;
    return Math.min(a, b);
  }
  pollEvent(): E | undefined {
    this.#react();
    if (this.#head >= this.#events.length) {
      this.#events.length = 0;
      this.#head = 0;
      return undefined;
    }
    return this.#events[this.#head++];
  }
}
