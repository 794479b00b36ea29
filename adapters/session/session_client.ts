/**
 * The pool user's async session API for every runtime: sessions to pools that fail over with
 * their state, over the runtime-neutral driver.
 *
 * @module
 */

import type { Rng } from "../../core/rng.ts";
import type { TransportAddress } from "../../core/role.ts";
import type { PoolUserEvent } from "../../core/asap/pool_user.ts";
import {
  type OutgoingMessage,
  type ResumeHook,
  type SessionCloseReason,
  type SessionId,
  type SessionInfo,
  SessionLayer,
  type SessionLayerConfig,
  type SessionLayerEvent,
} from "../../core/session/session_layer.ts";
import type {
  PoolElementId,
  PoolElementParameter,
} from "../../core/wire/pool_element_parameter.ts";
import type { FramedAssociationOptions } from "../../core/transport/framed_association.ts";
import { ASAP_ANNOUNCE_GROUP, ASAP_PORT } from "../../core/wire/profile.ts";
import { currentRuntime } from "../current.ts";
import { Driver } from "../driver.ts";
import type { Runtime } from "../runtime.ts";
import { cryptoSeededRng, Deferred, Inbox, Listeners, toAddress } from "./_support.ts";

/** Options of a {@link SessionClient}: the session layer's, plus how to run it. */
export interface SessionClientOptions extends Omit<SessionLayerConfig, "rng" | "registrars"> {
  /** Registrars, as `"host:port"` or address objects. */
  readonly registrars?: readonly (TransportAddress | string)[];
  /** Listen for Server Announces on 239.0.0.50:3863 (default false). */
  readonly announces?: boolean;
  /** Random source (default: seeded from the runtime's cryptographic source). */
  readonly rng?: Rng;
  /** The runtime adapter (default: the running runtime's). */
  readonly runtime?: Runtime;
  /**
   * Framing shim options of every association (e.g. a shorter `heartbeatInterval` and
   * `heartbeatTimeout` notice a hung pool element sooner; the defaults 2000 + 3000 ms).
   */
  readonly association?: FramedAssociationOptions;
}

/** Options of {@link SessionClient.open}. */
export interface OpenOptions {
  /** A cookie to echo to the first pool element (e.g. saved from an earlier run). */
  readonly cookie?: Uint8Array;
  /** What to resend after a failover (default: every unacknowledged message). */
  readonly resume?: ResumeHook;
}

/** Options of {@link Session.send}. */
export interface SessionSendOptions {
  /** Payload protocol identifier (default 0). */
  readonly ppid?: number;
  /** Stream number (default 0). */
  readonly stream?: number;
  /** Keep the message until {@link Session.acknowledge} and resend it after failovers. */
  readonly ack?: boolean;
}

/** A message received on a session. */
export interface SessionMessage {
  /** The bytes. */
  readonly payload: Uint8Array;
  /** Its payload protocol identifier. */
  readonly ppid: number;
  /** Its stream number. */
  readonly stream: number;
}

/** The events of a {@link Session} and what their listeners receive. */
export interface SessionEvents {
  /** Reached the first pool element. */
  established: { readonly poolElement: PoolElementParameter };
  /** Lost the pool element; looking for another. */
  "failover-started": { readonly poolElementId: PoolElementId; readonly reason: string };
  /** Reached another pool element: the cookie went first, then the resends. */
  failover: {
    readonly poolElement: PoolElementParameter;
    readonly cookieEchoed: boolean;
    readonly resent: number;
    readonly attempts: number;
  };
  /** One attempt to reach a pool element failed. */
  "attempt-failed": {
    readonly poolElementId: PoolElementId | undefined;
    readonly reason: string;
    readonly retryAt: number | undefined;
  };
  /** Application data arrived (listeners take messages away from `receive()`). */
  data: SessionMessage;
  /** The pool element sent a cookie. */
  cookie: { readonly bytes: number };
  /** The pool element sent a business card. */
  "business-card": {
    readonly poolHandle: Uint8Array;
    readonly poolElements: readonly PoolElementParameter[];
  };
  /** The pool element sent an ASAP Error or a bad control message. */
  error: { readonly cause: number; readonly detail: string };
  /** The session ended. */
  closed: { readonly reason: SessionCloseReason; readonly detail: string };
}

/**
 * Thrown by {@link SessionClient.open} when a session ends before reaching a pool element.
 *
 * @example Tell a pool that cannot be reached from a refused cookie
 * ```ts
 * import { SessionError } from "./session_client.ts";
 * import assert from "node:assert/strict";
 *
 * function explain(e: unknown): string {
 *   if (e instanceof SessionError && e.reason === "gave-up") return "no pool element reachable";
 *   if (e instanceof SessionError && e.reason === "cookie-rejected") return "state refused";
 *   return "unexpected";
 * }
 * assert.equal(explain(new SessionError("gave-up", "no pool element of EchoPool answered")), "no pool element reachable");
 * assert.equal(explain(new SessionError("cookie-rejected", "bad tag")), "state refused");
 * assert.equal(new SessionError("gave-up", "x").name, "SessionError");
 * ```
 */
export class SessionError extends Error {
  /** Why the session ended. */
  readonly reason: SessionCloseReason;

  /**
   * Creates the error.
   *
   * @param reason Why the session ended.
   * @param message Details.
   */
  constructor(reason: SessionCloseReason, message: string) {
    super(message);
    this.name = "SessionError";
    this.reason = reason;
  }
}

/**
 * A session to a pool: send, receive, events, close. Made by {@link SessionClient.open} or
 * {@link openSession}.
 *
 * @example Acknowledged messages and the latest cookie of the serving pool element
 * ```ts
 * import { openSession } from "./session_client.ts";
 * import { servePool } from "./pool_server.ts";
 * import { Registrar } from "../../core/registrar/mod.ts";
 * import { SeededRng } from "../../core/rng.ts";
 * import { Driver } from "../driver.ts";
 * import { currentRuntime } from "../current.ts";
 * import assert from "node:assert/strict";
 *
 * const pr = new Driver(await currentRuntime(), new Registrar({ rng: new SeededRng(1), announceTargets: [] }));
 * const { port } = await pr.listen("asap", { hostname: "127.0.0.1", port: 0 });
 * const registrars = [`127.0.0.1:${port}`];
 * const server = await servePool<{ total: number }>({
 *   pool: "SumPool", registrars, hostname: "127.0.0.1", cookieKey: "a pool-wide secret key",
 *   onSession(s) {
 *     let total = s.restored?.total ?? 0;
 *     s.on("data", (m) => {
 *       total += Number(new TextDecoder().decode(m.payload));
 *       s.setCookie({ total }); // the checkpoint goes before the answer
 *       s.send(String(total));
 *     });
 *   },
 * });
 * await server.registered;
 * const session = await openSession({ pool: "SumPool", registrars });
 * const id = session.send("5", { ack: true });
 * assert.equal(session.unacknowledged().length, 1);
 * assert.equal(new TextDecoder().decode((await session.receive())?.payload), "5");
 * assert.equal(session.acknowledge(id), true);
 * assert.equal(session.unacknowledged().length, 0);
 * assert.ok(session.cookie() instanceof Uint8Array); // kept for a failover or a later resume
 * assert.equal(session.failovers, 0);
 * await session.close();
 * await server.close();
 * await pr.close();
 * ```
 */
export class Session {
  readonly #client: SessionClient;
  readonly #id: SessionId;
  readonly #listeners = new Listeners<SessionEvents>();
  readonly #inbox = new Inbox<SessionMessage>();
  readonly #closed: Promise<SessionEvents["closed"]>;
  #resolveClosed!: (v: SessionEvents["closed"]) => void;
  #info: SessionInfo | undefined;
  #end: SessionEvents["closed"] | undefined = undefined;
  #onEnd: (() => Promise<void>) | undefined = undefined;

  /**
   * Internal: sessions come from {@link SessionClient.open}.
   *
   * @param client The client.
   * @param id The session layer's id.
   */
  constructor(client: SessionClient, id: SessionId) {
    this.#client = client;
    this.#id = id;
    this.#closed = new Promise((r) => (this.#resolveClosed = r));
    this.#info = client.layer.info(id);
  }

  /** The session layer's id of this session. */
  get id(): SessionId {
    return this.#id;
  }

  /** The state (`"closed"` once ended). */
  get state(): SessionInfo["state"] {
    return this.#client.layer.info(this.#id)?.state ?? "closed";
  }

  /** The pool element of the current (or last) association. */
  get poolElement(): PoolElementParameter | undefined {
    return (this.#client.layer.info(this.#id) ?? this.#info)?.poolElement;
  }

  /** Failovers completed so far. */
  get failovers(): number {
    return (this.#client.layer.info(this.#id) ?? this.#info)?.failovers ?? 0;
  }

  /** Resolves when the session has ended, with why. */
  get closed(): Promise<SessionEvents["closed"]> {
    return this.#closed;
  }

  /**
   * Sends application data (at once, or when the session reaches a pool element).
   *
   * @param data Bytes, or text sent as UTF-8.
   * @param options PPID, stream, and `ack` to keep it until acknowledged.
   * @returns The message's id (for {@link acknowledge}).
   * @throws {TypeError} If the session is closed, or too many messages wait.
   */
  send(data: Uint8Array | string, options: SessionSendOptions = {}): number {
    const payload = typeof data === "string" ? new TextEncoder().encode(data) : data;
    let id: number | undefined;
    this.#client.run((now, layer) => (id = layer.send(now, this.#id, payload, options)));
    if (id === undefined) {
      throw new TypeError(
        this.#end === undefined && this.state !== "closed" && this.state !== "closing"
          ? "Cannot send: too many messages wait on the session (maxQueued)"
          : "Cannot send: the session is closed",
      );
    }
    return id;
  }

  /**
   * Acknowledges a message sent with `ack: true` (it will not be resent).
   *
   * @param messageId The id {@link send} returned.
   * @returns Whether it was waiting for its acknowledgement.
   */
  acknowledge(messageId: number): boolean {
    return this.#client.layer.acknowledge(this.#id, messageId);
  }

  /**
   * The messages sent with `ack: true` and not acknowledged, oldest first.
   *
   * @returns The messages.
   */
  unacknowledged(): OutgoingMessage[] {
    return this.#client.layer.unacknowledged(this.#id);
  }

  /**
   * The latest cookie (to save it; {@link SessionClient.open} takes it back).
   *
   * @returns A copy, or `undefined`.
   */
  cookie(): Uint8Array | undefined {
    return this.#client.layer.cookie(this.#id);
  }

  /**
   * Sends a business card to the pool element: the pool (and pool elements, tried first) through
   * which it reaches this pool user's side again, e.g. the pool this pool user serves itself.
   *
   * @param card The pool handle and pool elements.
   * @returns Whether it was sent (the session is established).
   * @throws {TypeError} If the pool handle is not bytes or text.
   * @throws {RangeError} If the pool handle is empty or too long.
   */
  sendBusinessCard(card: {
    readonly poolHandle: Uint8Array | string;
    readonly poolElements?: readonly PoolElementParameter[];
  }): boolean {
    let sent = false;
    this.#client.run((now, layer) => (sent = layer.sendBusinessCard(now, this.#id, card)));
    return sent;
  }

  /**
   * Moves the session to another pool element now.
   *
   * @param reason Why.
   * @param report Also report the old pool element unreachable to the registrar (default false).
   * @returns Whether a failover started (the session was established).
   */
  failover(reason?: string, report = false): boolean {
    let started = false;
    this.#client.run((now, layer) => (started = layer.failover(now, this.#id, reason, report)));
    return started;
  }

  /**
   * The next message, or `undefined` once the session has ended and every message was read.
   *
   * @returns The message.
   */
  receive(): Promise<SessionMessage | undefined> {
    return this.#inbox.receive();
  }

  /**
   * Iterates over received messages until the session ends.
   *
   * @returns The iterator.
   */
  [Symbol.asyncIterator](): AsyncIterator<SessionMessage> {
    return this.#inbox.iterate();
  }

  /**
   * Adds a listener.
   *
   * @param type The event.
   * @param listener Called with the event's value.
   * @returns A function that removes the listener.
   */
  on<K extends keyof SessionEvents>(
    type: K,
    listener: (value: SessionEvents[K]) => void,
  ): () => void {
    return this.#listeners.on(type, listener);
  }

  /**
   * Closes the session (queued data is delivered first) and waits for its end.
   *
   * @returns Why it ended.
   */
  async close(): Promise<SessionEvents["closed"]> {
    this.#client.run((now, layer) => layer.close(now, this.#id));
    const end = await this.#closed;
    await this.#onEnd?.();
    return end;
  }

  /** Internal: called by {@link openSession} to close its own client with the session. */
  set onEnd(f: () => Promise<void>) {
    this.#onEnd = f;
  }

  /**
   * Internal: one event of this session from the layer.
   *
   * @param e The event.
   */
  dispatch(e: SessionLayerEvent): void {
    const l = this.#listeners;
    switch (e.type) {
      case "established":
        l.emit("established", { poolElement: e.poolElement });
        break;
      case "failover-started":
        l.emit("failover-started", { poolElementId: e.poolElementId, reason: e.reason });
        break;
      case "failover-complete":
        l.emit("failover", {
          poolElement: e.poolElement,
          cookieEchoed: e.cookieEchoed,
          resent: e.resent,
          attempts: e.attempts,
        });
        break;
      case "attempt-failed":
        l.emit("attempt-failed", {
          poolElementId: e.poolElementId,
          reason: e.reason,
          retryAt: e.retryAt,
        });
        break;
      case "data": {
        const m = { payload: e.payload, ppid: e.ppid, stream: e.stream };
        if (l.has("data")) l.emit("data", m);
        else this.#inbox.push(m);
        break;
      }
      case "cookie":
        l.emit("cookie", { bytes: e.bytes });
        break;
      case "business-card":
        l.emit("business-card", { poolHandle: e.poolHandle, poolElements: e.poolElements });
        break;
      case "peer-error":
        l.emit("error", { cause: e.cause, detail: e.detail });
        break;
      case "send-failed":
        l.emit("error", {
          cause: 0,
          detail: `Message ${e.messageId ?? "?"} was not sent: ${e.failure}`,
        });
        break;
      case "session-closed":
        this.#end = { reason: e.reason, detail: e.detail };
        this.#inbox.close();
        l.emit("closed", this.#end);
        this.#resolveClosed(this.#end);
        break;
      case "pool-user":
        break;
    }
    this.#info = this.#client.layer.info(this.#id) ?? this.#info;
  }
}

/**
 * Hosts many sessions over one session layer: one registrar association and one handle
 * resolution cache for all of them, on one driver.
 *
 * @example Open a session to a pool served on loopback
 * ```ts
 * import { SessionClient } from "./session_client.ts";
 * import { servePool } from "./pool_server.ts";
 * import { Registrar } from "../../core/registrar/mod.ts";
 * import { SeededRng } from "../../core/rng.ts";
 * import { Driver } from "../driver.ts";
 * import { currentRuntime } from "../current.ts";
 * import assert from "node:assert/strict";
 *
 * const runtime = await currentRuntime();
 * const pr = new Driver(runtime, new Registrar({ rng: new SeededRng(1), announceTargets: [] }));
 * const { port } = await pr.listen("asap", { hostname: "127.0.0.1", port: 0 });
 * const registrars = [`127.0.0.1:${port}`];
 * const server = await servePool({
 *   pool: "EchoPool", registrars, hostname: "127.0.0.1", cookieKey: "a pool-wide secret key",
 *   async onSession(s) {
 *     for await (const m of s) s.send(m.payload); // echo
 *   },
 * });
 * await server.registered;
 * const client = await SessionClient.create({ registrars });
 * const session = await client.open("EchoPool");
 * session.send("hello");
 * const answer = await session.receive();
 * assert.equal(new TextDecoder().decode(answer?.payload), "hello");
 * await client.close();
 * await server.close();
 * await pr.close();
 * ```
 */
export class SessionClient {
  readonly #driver: Driver<SessionLayerEvent>;
  readonly #layer: SessionLayer;
  readonly #sessions = new Map<SessionId, Session>();
  readonly #listeners = new Listeners<{ "pool-user": PoolUserEvent }>();
  readonly #events: Deferred<SessionLayerEvent>;
  #closing: Promise<void> | undefined = undefined;

  /**
   * Internal: use {@link SessionClient.create}.
   *
   * @param driver The driver running the layer.
   * @param layer The session layer.
   */
  private constructor(driver: Driver<SessionLayerEvent>, layer: SessionLayer) {
    this.#driver = driver;
    this.#layer = layer;
    this.#events = new Deferred((e) => this.#dispatch(e));
  }

  /**
   * Creates a client (nothing is sent before the first session opens).
   *
   * @param options Registrars, session layer options, runtime.
   * @returns The client.
   * @throws {TypeError} For an option of the wrong type (e.g. a registrar that is not "host:port").
   * @throws {RangeError} For an option out of range.
   */
  static async create(options: SessionClientOptions = {}): Promise<SessionClient> {
    const runtime = options.runtime ?? await currentRuntime();
    const { registrars, announces, rng, runtime: _r, association, ...rest } = options;
    const layer = new SessionLayer({
      ...rest,
      rng: rng ?? cryptoSeededRng(runtime),
      registrars: (registrars ?? []).map((r) => toAddress(r, "registrar")),
    });
    const driver = new Driver<SessionLayerEvent>(runtime, layer, {
      ...(association === undefined ? {} : { association }),
      onEvent: (e) => client.#events.push(e),
    });
    const client = new SessionClient(driver, layer);
    if (announces === true) {
      await driver.openChannel(rest.announceChannel ?? "asap-announce", {
        hostname: "0.0.0.0",
        port: ASAP_PORT,
        reuseAddress: true,
        join: [ASAP_ANNOUNCE_GROUP],
      });
    }
    return client;
  }

  /** The sans-IO session layer (counters, the pool user's cache). */
  get layer(): SessionLayer {
    return this.#layer;
  }

  /** The driver (association status, runtime). */
  get driver(): Driver<SessionLayerEvent> {
    return this.#driver;
  }

  /**
   * Opens a session to a pool and waits until it reaches a pool element.
   *
   * @param pool The pool handle.
   * @param options A cookie to start with, the resume hook.
   * @returns The established session.
   * @throws {SessionError} When the session gives up before reaching a pool element.
   */
  async open(pool: string | Uint8Array, options: OpenOptions = {}): Promise<Session> {
    const session = this.openNow(pool, options);
    if (session.state === "established") return session;
    await new Promise<void>((resolve, reject) => {
      const offs = [
        session.on("established", () => {
          offs.forEach((f) => f());
          resolve();
        }),
        session.on("closed", (c) => {
          offs.forEach((f) => f());
          reject(new SessionError(c.reason, `Cannot open session: ${c.detail}`));
        }),
      ];
    });
    return session;
  }

  /**
   * Opens a session without waiting: messages sent before it is established wait for it.
   *
   * @param pool The pool handle.
   * @param options A cookie to start with, the resume hook.
   * @returns The session.
   * @throws {TypeError} If the client is closed.
   */
  openNow(pool: string | Uint8Array, options: OpenOptions = {}): Session {
    if (this.#closing !== undefined) {
      throw new TypeError("Cannot open session: the client is closed");
    }
    let session!: Session;
    this.run((now, layer) => {
      const id = layer.open(now, pool, options);
      session = new Session(this, id);
      this.#sessions.set(id, session);
    });
    return session;
  }

  /**
   * Adds a listener for the pool user's events (registrar found, lost, hunts failed).
   *
   * @param type `"pool-user"`.
   * @param listener Called with each event.
   * @returns A function that removes the listener.
   */
  on(type: "pool-user", listener: (event: PoolUserEvent) => void): () => void {
    return this.#listeners.on(type, listener);
  }

  /**
   * Runs a command on the session layer with the current time, then lets the driver act.
   *
   * @param command Calls the layer.
   */
  run(command: (now: number, layer: SessionLayer) => void): void {
    this.#driver.run((now) => command(now, this.#layer));
  }

  /**
   * Closes every session and the registrar association, and stops the driver.
   *
   * @returns When everything is closed.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.run((now, layer) => layer.shutdown(now));
      await this.#driver.close();
    })();
    return this.#closing;
  }

  #dispatch(e: SessionLayerEvent): void {
    if (e.type === "pool-user") {
      this.#listeners.emit("pool-user", e.event);
      return;
    }
    const s = this.#sessions.get(e.session);
    if (s === undefined) return;
    s.dispatch(e);
    if (e.type === "session-closed") this.#sessions.delete(e.session);
  }
}

/**
 * Opens one session to a pool with its own {@link SessionClient}, closed with the session.
 *
 * @param options The pool, the registrars and the client's options.
 * @returns The established session.
 * @throws {SessionError} When the session gives up before reaching a pool element.
 * @example Echo through a pool on loopback
 * ```ts
 * import { openSession } from "./session_client.ts";
 * import { servePool } from "./pool_server.ts";
 * import { Registrar } from "../../core/registrar/mod.ts";
 * import { SeededRng } from "../../core/rng.ts";
 * import { Driver } from "../driver.ts";
 * import { currentRuntime } from "../current.ts";
 * import assert from "node:assert/strict";
 *
 * const pr = new Driver(await currentRuntime(), new Registrar({ rng: new SeededRng(1), announceTargets: [] }));
 * const { port } = await pr.listen("asap", { hostname: "127.0.0.1", port: 0 });
 * const server = await servePool({
 *   pool: "EchoPool", registrars: [`127.0.0.1:${port}`], hostname: "127.0.0.1",
 *   cookieKey: "a pool-wide secret key",
 *   onSession(s) {
 *     s.on("data", (m) => s.send(m.payload));
 *   },
 * });
 * await server.registered;
 * const session = await openSession({ pool: "EchoPool", registrars: [`127.0.0.1:${port}`] });
 * session.send("ping");
 * for await (const m of session) {
 *   assert.equal(new TextDecoder().decode(m.payload), "ping");
 *   break;
 * }
 * await session.close();
 * await server.close();
 * await pr.close();
 * ```
 */
export async function openSession(
  options: SessionClientOptions & OpenOptions & { readonly pool: string | Uint8Array },
): Promise<Session> {
  const { pool, cookie, resume, ...clientOptions } = options;
  const client = await SessionClient.create(clientOptions);
  try {
    const session = await client.open(pool, {
      ...(cookie === undefined ? {} : { cookie }),
      ...(resume === undefined ? {} : { resume }),
    });
    session.onEnd = () => client.close();
    void session.closed.then(() => client.close());
    return session;
  } catch (e) {
    await client.close();
    throw e;
  }
}
