// The pool user side of the `terminal`: messages go to one PE of a pool at a time; when its
// association is lost, the PE is reported unreachable, the pool is resolved again and the
// messages that were not acknowledged yet go to the new PE. All failover logic of the tool is
// in this one class (the session layer, core/session, will take this over).
//
// Acknowledgement: for services that answer every request with one reply (echo, daytime,
// chargen, pingpong) the n-th reply on an association acknowledges the n-th message sent on it
// (TCP keeps order). Messages not yet sent are never lost; messages sent whose reply did not
// come are sent again after a failover unless `resend` is off (then at most once).

import { Fifo } from "../../core/fifo.ts";
import { PoolUser, type PoolUserEvent } from "../../core/asap/pool_user.ts";
import { SeededRng } from "../../core/rng.ts";
import type {
  AssociationDown,
  AssociationId,
  AssociationInfo,
  Role,
  RoleAction,
  TransportAddress,
} from "../../core/role.ts";
import type { PoolElementParameter } from "../../core/wire/pool_element_parameter.ts";
import type { WireProfile } from "../../core/wire/profile.ts";
import { Driver } from "../driver.ts";
import type { Runtime } from "../runtime.ts";
import type { TlsOptions } from "../tls.ts";
import { ANNOUNCE_CHANNEL } from "./_announce.ts";

/** What the client reports. */
export type FailoverClientEvent =
  | {
    /** Connected to a PE; messages flow to it. */
    readonly type: "connected";
    readonly pe: PoolElementParameter;
    readonly endpoint: TransportAddress;
    /** Messages sent again because their reply was lost in a failover. */
    readonly resent: number;
  }
  | {
    /** A reply arrived. */
    readonly type: "reply";
    readonly pe: PoolElementParameter;
    readonly ppid: number;
    readonly payload: Uint8Array;
  }
  | {
    /** The association to the PE failed (or could not be opened): it was reported unreachable. */
    readonly type: "failover";
    readonly pe: PoolElementParameter;
    readonly reason: string;
    /** Messages sent to it and not acknowledged. */
    readonly unacknowledged: number;
  }
  | {
    /** The pool could not be resolved; retried after a pause. */
    readonly type: "resolution-failed";
    readonly reason: string;
    readonly cause: number;
    readonly retryIn: number;
  }
  | {
    /** Something the pool user role reported (registrar found or lost, ...). */
    readonly type: "pool-user";
    readonly event: PoolUserEvent;
  };

/** Options of a {@link FailoverClient}. */
export interface FailoverClientOptions {
  readonly runtime: Runtime;
  readonly poolHandle: string;
  readonly registrars: readonly TransportAddress[];
  readonly profile: WireProfile;
  /** PPID of the messages sent. */
  readonly ppid: number;
  /** Whether every message is answered by one reply (then replies acknowledge). */
  readonly acknowledged: boolean;
  /** Resend unacknowledged messages after a failover (default true). */
  readonly resend: boolean;
  /** A new session (resolution and association) for every message. */
  readonly sessionPerMessage: boolean;
  /** PU cache lifetime (ms); 0 asks the registrar every time. */
  readonly staleCacheValue: number;
  /** Registrar hunt round length (ms). */
  readonly registrarConnectTimeout: number;
  /** TLS towards the registrars (not towards the PEs). */
  readonly tls?: TlsOptions;
  readonly onEvent: (event: FailoverClientEvent) => void;
}

type State = "idle" | "resolving" | "connecting" | "connected" | "closing" | "waiting" | "closed";

const RETRY_FIRST = 250, RETRY_MAX = 2000;

/** See the module comment. */
export class FailoverClient {
  readonly #o: FailoverClientOptions;
  readonly #pu: PoolUser;
  readonly #puDriver: Driver<PoolUserEvent>;
  readonly #link: LinkRole;
  readonly #dataDriver: Driver;
  readonly #queue = new Fifo<Uint8Array>();
  /** Unacknowledged messages of a failed association: sent before the queue. */
  #retry: Uint8Array[] = [];
  #inFlight: Uint8Array[] = [];
  #state: State = "idle";
  #request = 0;
  #pe: PoolElementParameter | undefined;
  #assoc: AssociationId = 0;
  #nextAssoc = 1;
  #retryDelay = RETRY_FIRST;
  #resent = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #idleWaiters: (() => void)[] = [];
  /** Replies received. */
  replies = 0;
  /** Failovers. */
  failovers = 0;
  /** Messages given up on (unacknowledged at a failover without `resend`). */
  lost = 0;

  constructor(options: FailoverClientOptions) {
    this.#o = options;
    const seed = new Uint32Array(options.runtime.randomBytes(16).buffer.slice(0, 16));
    this.#pu = new PoolUser({
      rng: new SeededRng([seed[0]!, seed[1]!, seed[2]!, seed[3]!]),
      profile: options.profile,
      registrars: options.registrars,
      staleCacheValue: options.staleCacheValue,
      registrarConnectTimeout: options.registrarConnectTimeout,
      announceChannel: ANNOUNCE_CHANNEL,
    });
    this.#puDriver = new Driver(options.runtime, this.#pu, {
      onEvent: (e) => this.#puEvent(e),
      ...(options.tls === undefined ? {} : { tls: options.tls }),
    });
    this.#link = new LinkRole(this);
    this.#dataDriver = new Driver<never>(options.runtime, this.#link);
  }

  /** The pool user's driver (to open the announce channel on). */
  get poolUserDriver(): Driver<PoolUserEvent> {
    return this.#puDriver;
  }

  /** Messages not acknowledged yet (queued or in flight). */
  get outstanding(): number {
    return this.#retry.length + this.#queue.length + this.#inFlight.length;
  }

  /** Queues a message for the pool. */
  send(payload: Uint8Array): void {
    if (this.#state === "closed") return;
    this.#queue.push(payload);
    this.#pump();
  }

  /**
   * Waits until every message is acknowledged (or, without acknowledgements, sent), at most
   * `ms` milliseconds.
   *
   * @returns Whether everything was acknowledged in time.
   */
  async drain(ms: number): Promise<boolean> {
    if (this.outstanding === 0) return true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = await Promise.race([
      new Promise<boolean>((resolve) => this.#idleWaiters.push(() => resolve(true))),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
    ]);
    clearTimeout(timer);
    return done;
  }

  /** Closes the association and the pool user. */
  async close(): Promise<void> {
    this.#state = "closed";
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    if (this.#assoc !== 0) this.#link.close(this.#assoc, false, "Terminal closed");
    this.#dataDriver.flush();
    this.#puDriver.run((now) => this.#pu.close(now));
    await Promise.all([this.#dataDriver.close(), this.#puDriver.close()]);
  }

  // ---- the state machine ----

  #pump(): void {
    switch (this.#state) {
      case "idle":
        if (this.#retry.length + this.#queue.length > 0) this.#resolve();
        return;
      case "connected": {
        const one = this.#o.sessionPerMessage;
        while (this.#retry.length + this.#queue.length > 0 && !(one && this.#inFlight.length > 0)) {
          const payload = this.#retry.length > 0 ? this.#retry.shift()! : this.#queue.shift()!;
          this.#link.send(this.#assoc, this.#o.ppid, payload);
          if (this.#o.acknowledged) this.#inFlight.push(payload);
        }
        this.#dataDriver.flush();
        if (this.#state !== "connected") return;
        if (one && this.outstanding === 0) this.#endSession();
        this.#checkIdle();
        return;
      }
      default:
        return;
    }
  }

  #resolve(): void {
    this.#state = "resolving";
    this.#puDriver.run((now) => {
      this.#request = this.#pu.resolve(now, this.#o.poolHandle);
    });
  }

  #puEvent(e: PoolUserEvent): void {
    // Called while the pool user's driver delivers events: act after it finished.
    queueMicrotask(() => this.#onPoolUserEvent(e));
  }

  #onPoolUserEvent(e: PoolUserEvent): void {
    if (e.type === "resolved" && e.requestId === this.#request && this.#state === "resolving") {
      this.#connect(e.poolElements[0]!);
      return;
    }
    if (
      e.type === "resolution-failed" && e.requestId === this.#request && this.#state === "resolving"
    ) {
      this.#retryLater(e.reason, e.cause);
      return;
    }
    this.#o.onEvent({ type: "pool-user", event: e });
  }

  #retryLater(reason: string, cause: number): void {
    const delay = this.#retryDelay;
    this.#retryDelay = Math.min(RETRY_MAX, delay * 2);
    this.#state = "waiting";
    this.#o.onEvent({ type: "resolution-failed", reason, cause, retryIn: delay });
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#state !== "waiting") return;
      this.#state = "idle";
      this.#pump();
    }, delay);
  }

  #connect(pe: PoolElementParameter): void {
    const t = pe.userTransport;
    if (t.protocol !== "tcp") {
      this.#pe = pe;
      this.#failed(`its transport is ${t.protocol}; this tool speaks TCP`);
      return;
    }
    this.#pe = pe;
    this.#state = "connecting";
    this.#assoc = this.#nextAssoc++;
    this.#link.connect(this.#assoc, t.addresses.map((address) => ({ address, port: t.port })));
    this.#dataDriver.flush();
  }

  /** The association to the PE failed, or its PE cannot be used: report it, resolve again. */
  #failed(reason: string): void {
    const pe = this.#pe!;
    this.failovers++;
    const unacknowledged = this.#inFlight.length;
    if (this.#o.resend) {
      this.#retry = this.#inFlight.concat(this.#retry);
      this.#resent += unacknowledged;
    } else this.lost += unacknowledged;
    this.#inFlight = [];
    this.#assoc = 0;
    this.#o.onEvent({ type: "failover", pe, reason, unacknowledged });
    this.#puDriver.run((now) => this.#pu.reportUnreachable(now, this.#o.poolHandle, pe.id));
    this.#state = "idle";
    this.#checkIdle();
    if (this.#retry.length + this.#queue.length === 0) return;
    // Pace repeated failures (a dead PE may still be returned until the registrar drops it).
    const delay = this.#retryDelay;
    this.#retryDelay = Math.min(RETRY_MAX, delay * 2);
    this.#state = "waiting";
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#state !== "waiting") return;
      this.#state = "idle";
      this.#pump();
    }, delay === RETRY_FIRST ? 0 : delay);
  }

  #endSession(): void {
    this.#state = "closing";
    this.#link.close(this.#assoc, false, "Session done");
    this.#dataDriver.flush();
  }

  #checkIdle(): void {
    if (this.outstanding > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  // ---- from the association role ----

  /** @internal */ up(assoc: AssociationId, info: AssociationInfo): void {
    if (assoc !== this.#assoc || this.#state !== "connecting") return;
    this.#state = "connected";
    const resent = this.#resent;
    this.#resent = 0;
    this.#o.onEvent({ type: "connected", pe: this.#pe!, endpoint: info.remote, resent });
    this.#pump();
  }

  /** @internal */ message(assoc: AssociationId, ppid: number, payload: Uint8Array): void {
    if (assoc !== this.#assoc || this.#state !== "connected") return;
    this.replies++;
    this.#retryDelay = RETRY_FIRST;
    if (this.#o.acknowledged) this.#inFlight.shift();
    this.#o.onEvent({ type: "reply", pe: this.#pe!, ppid, payload: payload.slice() });
    if (this.#o.sessionPerMessage && this.#inFlight.length === 0) this.#endSession();
    this.#checkIdle();
  }

  /** @internal */ down(assoc: AssociationId, down: AssociationDown): void {
    if (assoc !== this.#assoc) return;
    if (this.#state === "closing" || this.#state === "closed") {
      if (this.#state === "closing") {
        this.#state = "idle";
        this.#assoc = 0;
        this.#pump();
      }
      return;
    }
    this.#failed(down.detail === "" ? down.reason : `${down.reason}: ${down.detail}`);
  }
}

/** The association to the PE, as a role of its own driver. */
class LinkRole implements Role<never> {
  readonly #client: FailoverClient;
  readonly #actions = new Fifo<RoleAction>();

  constructor(client: FailoverClient) {
    this.#client = client;
  }

  connect(assoc: AssociationId, endpoints: TransportAddress[]): void {
    this.#actions.push({ type: "connect", assoc, endpoints });
  }

  send(assoc: AssociationId, ppid: number, payload: Uint8Array): void {
    this.#actions.push({ type: "send", assoc, ppid, stream: 0, payload });
  }

  close(assoc: AssociationId, abort: boolean, reason: string): void {
    this.#actions.push({ type: "close", assoc, abort, reason });
  }

  handleAssociationUp(_now: number, assoc: AssociationId, info: AssociationInfo): void {
    this.#client.up(assoc, info);
  }

  handleMessage(_now: number, assoc: AssociationId, ppid: number, _s: number, payload: Uint8Array) {
    this.#client.message(assoc, ppid, payload);
  }

  handleAssociationDown(_now: number, assoc: AssociationId, down: AssociationDown): void {
    this.#client.down(assoc, down);
  }

  handleDatagram(): void {}

  handleTimeout(): void {}

  pollTransmit(): RoleAction | undefined {
    return this.#actions.shift();
  }

  pollTimeout(): number | undefined {
    return undefined;
  }

  pollEvent(): never | undefined {
    return undefined;
  }
}
