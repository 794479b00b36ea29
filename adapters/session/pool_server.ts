/**
 * The pool element's async session API for every runtime: join a pool, serve sessions, keep
 * their state in authenticated cookies so another pool element can resume them.
 *
 * @module
 */

import type { Rng } from "../../core/rng.ts";
import type { TransportAddress } from "../../core/role.ts";
import type { PoolElement, PoolElementEvent } from "../../core/asap/pool_element.ts";
import {
  CookieCodec,
  type CookieKey,
  type CookieRejection,
} from "../../core/session/cookie_codec.ts";
import {
  type AcceptedSessionId,
  SessionAcceptor,
  type SessionAcceptorConfig,
  type SessionAcceptorEvent,
} from "../../core/session/session_acceptor.ts";
import type { FramedAssociationOptions } from "../../core/transport/framed_association.ts";
import type { PoolElementParameter } from "../../core/wire/pool_element_parameter.ts";
import {
  type PolicyParameter,
  policyParameter,
  PolicyType,
} from "../../core/wire/policy_parameter.ts";
import type { WireProfile } from "../../core/wire/profile.ts";
import { currentRuntime } from "../current.ts";
import { Driver } from "../driver.ts";
import type { Runtime } from "../runtime.ts";
import { cryptoSeededRng, Deferred, Inbox, Listeners, toAddress } from "./_support.ts";
import type { SessionMessage } from "./session_client.ts";

/** Options of {@link servePool}. */
export interface ServePoolOptions<T> {
  /** The pool to join. */
  readonly pool: string | Uint8Array;
  /** Registrars, as `"host:port"` or address objects. */
  readonly registrars?: readonly (TransportAddress | string)[];
  /** The policy and its information (default Round Robin). */
  readonly policy?: PolicyParameter;
  /**
   * The pool-wide cookie key (text or bytes, at least 16 bytes; key id 0). The same on every
   * pool element of the pool. Give this, `cookieKeys`, or `cookies`.
   */
  readonly cookieKey?: string | Uint8Array;
  /** The pool's cookie keys, for rotation (the first seals new cookies). */
  readonly cookieKeys?: readonly CookieKey[];
  /** A ready cookie codec (limits, validation). */
  readonly cookies?: CookieCodec<T>;
  /** Checks the shape of restored states (with `cookieKey`/`cookieKeys`). */
  readonly validate?: (state: unknown) => state is T;
  /** Address to listen on for pool users (default `"0.0.0.0"`). */
  readonly hostname?: string;
  /** Port to listen on (default 0: any free port). */
  readonly port?: number;
  /** Addresses to register (default: the address the registrar sees). */
  readonly addresses?: readonly string[];
  /** The PE identifier (default random). */
  readonly id?: bigint;
  /** Wire profile (default `"ng"`). */
  readonly profile?: WireProfile;
  /** Sessions served at once (default 10000). */
  readonly maxSessions?: number;
  /** Further pool element options (re-registration interval, ...). */
  readonly poolElement?: SessionAcceptorConfig<T>["poolElement"];
  /** Framing shim options of every association. */
  readonly association?: FramedAssociationOptions;
  /** Random source (default: seeded from the runtime's cryptographic source). */
  readonly rng?: Rng;
  /** The runtime adapter (default: the running runtime's). */
  readonly runtime?: Runtime;
  /**
   * Called once per session, when its first message arrives: a Cookie Echo (then
   * `session.restored` holds the state) or data. Sessions whose cookie is refused never get here.
   */
  readonly onSession: (session: ServerSession<T>) => void | Promise<void>;
}

/** The events of a {@link ServerSession}. */
export interface ServerSessionEvents<T> {
  /** Application data arrived (listeners take messages away from `receive()`). */
  data: SessionMessage;
  /** A Cookie Echo arrived after data (the first one only; otherwise see `restored`). */
  "cookie-echo": { readonly state: T; readonly issuedAt: number };
  /** The pool user sent a business card. */
  "business-card": {
    readonly poolHandle: Uint8Array;
    readonly poolElements: readonly PoolElementParameter[];
  };
  /** The session ended. */
  closed: { readonly reason: string };
}

/** The events of a {@link PoolServer}. */
export interface PoolServerEvents {
  /** An event of the pool element (registered, registrar lost, ...). */
  "pool-element": PoolElementEvent;
  /** A Cookie Echo was refused; the session was closed. */
  "cookie-rejected": { readonly reason: CookieRejection; readonly detail: string };
  /** A pool user sent a malformed or unexpected control message. */
  "peer-error": { readonly detail: string };
}

/**
 * One pool user's session at a pool element.
 *
 * @example Answer each message and checkpoint the state in a cookie
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
 * const seen: string[] = [];
 * const server = await servePool<{ lines: number }>({
 *   pool: "LinePool", registrars, hostname: "127.0.0.1", cookieKey: "a pool-wide secret key",
 *   async onSession(s) {
 *     let lines = s.restored?.lines ?? 0;
 *     for await (const m of s) {
 *       seen.push(`${s.remote.address}: ${new TextDecoder().decode(m.payload)}`);
 *       s.setCookie({ lines: ++lines });
 *       s.send(`line ${lines}`);
 *     }
 *   },
 * });
 * await server.registered;
 * const session = await openSession({ pool: "LinePool", registrars });
 * session.send("hello");
 * assert.equal(new TextDecoder().decode((await session.receive())?.payload), "line 1");
 * assert.deepEqual(seen, ["127.0.0.1: hello"]);
 * await session.close();
 * await server.close();
 * await pr.close();
 * ```
 */
export class ServerSession<T> {
  readonly #server: PoolServer<T>;
  readonly #id: AcceptedSessionId;
  readonly #remote: TransportAddress;
  readonly #inbox = new Inbox<SessionMessage>();
  readonly #listeners = new Listeners<ServerSessionEvents<T>>();
  #restored: T | undefined = undefined;
  #open = true;

  /**
   * Internal: sessions come from {@link servePool}.
   *
   * @param server The server.
   * @param id The acceptor's session id.
   * @param remote The pool user's address.
   */
  constructor(server: PoolServer<T>, id: AcceptedSessionId, remote: TransportAddress) {
    this.#server = server;
    this.#id = id;
    this.#remote = remote;
  }

  /** The acceptor's id of this session. */
  get id(): AcceptedSessionId {
    return this.#id;
  }

  /** The pool user's address. */
  get remote(): TransportAddress {
    return this.#remote;
  }

  /** The state restored from the session's Cookie Echo, if its first message was one. */
  get restored(): T | undefined {
    return this.#restored;
  }

  /** Whether the session is open. */
  get open(): boolean {
    return this.#open;
  }

  /**
   * Sends application data.
   *
   * @param data Bytes, or text sent as UTF-8.
   * @param options PPID (default 0) and stream (default 0).
   * @returns Whether the session was open.
   */
  send(
    data: Uint8Array | string,
    options: { readonly ppid?: number; readonly stream?: number } = {},
  ): boolean {
    const payload = typeof data === "string" ? new TextEncoder().encode(data) : data;
    let sent = false;
    this.#server.run((now, a) => (sent = a.send(now, this.#id, payload, options)));
    return sent;
  }

  /**
   * Checkpoints the session: seals the state into a cookie and sends it to the pool user, who
   * echoes the latest one to another pool element after a failover.
   *
   * @param state The state.
   * @returns The cookie's size in bytes (0 when the session is closed).
   * @throws {RangeError} If the cookie would exceed the size limit.
   */
  setCookie(state: T): number {
    let bytes = 0;
    this.#server.run((now, a) => (bytes = a.sendCookie(now, this.#id, state)));
    return bytes;
  }

  /**
   * Sends a business card: the pool to fail over to (default this pool).
   *
   * @param card The pool handle and pool elements.
   * @returns Whether the session was open.
   */
  sendBusinessCard(
    card: {
      readonly poolHandle?: string | Uint8Array;
      readonly poolElements?: readonly PoolElementParameter[];
    } = {},
  ): boolean {
    let sent = false;
    this.#server.run((now, a) => (sent = a.sendBusinessCard(now, this.#id, card)));
    return sent;
  }

  /**
   * The next message, or `undefined` once the session has ended.
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
  on<K extends keyof ServerSessionEvents<T>>(
    type: K,
    listener: (value: ServerSessionEvents<T>[K]) => void,
  ): () => void {
    return this.#listeners.on(type, listener);
  }

  /**
   * Closes the session gracefully.
   *
   * @param reason Told to the pool user.
   */
  close(reason?: string): void {
    this.#server.run((now, a) => a.close(now, this.#id, reason === undefined ? {} : { reason }));
  }

  /**
   * Internal: the restored state (set before the application sees the session).
   *
   * @param state The state.
   */
  restore(state: T): void {
    this.#restored = state;
  }

  /**
   * Internal: one event of this session.
   *
   * @param e The event.
   */
  dispatch(e: SessionAcceptorEvent<T>): void {
    switch (e.type) {
      case "data": {
        const m = { payload: e.payload, ppid: e.ppid, stream: e.stream };
        if (this.#listeners.has("data")) this.#listeners.emit("data", m);
        else this.#inbox.push(m);
        break;
      }
      case "cookie-echo":
        this.#listeners.emit("cookie-echo", { state: e.state, issuedAt: e.issuedAt });
        break;
      case "business-card":
        this.#listeners.emit("business-card", {
          poolHandle: e.poolHandle,
          poolElements: e.poolElements,
        });
        break;
      case "session-closed":
        this.#open = false;
        this.#inbox.close();
        this.#listeners.emit("closed", { reason: e.reason });
        break;
      default:
        break;
    }
  }
}

/**
 * A running pool element serving sessions (see {@link servePool}).
 *
 * @example Report a new load to the registrar and count sessions
 * ```ts
 * import { policyParameter, PolicyType } from "../../core/wire/policy_parameter.ts";
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
 * const server = await servePool({
 *   pool: "LoadPool", registrars, hostname: "127.0.0.1", cookieKey: "a pool-wide secret key",
 *   policy: policyParameter(PolicyType.LeastUsed, { load: 0 }),
 *   onSession(s) {
 *     s.on("data", (m) => s.send(m.payload));
 *   },
 * });
 * await server.registered;
 * assert.equal(server.sessionCount, 0);
 * const session = await openSession({ pool: "LoadPool", registrars });
 * session.send("ping");
 * await session.receive();
 * assert.equal(server.sessionCount, 1);
 * assert.equal(session.poolElement?.id, server.poolElement.id);
 * server.updatePolicy(policyParameter(PolicyType.LeastUsed, { load: 0x40000000 })); // a re-registration
 * await session.close();
 * await server.close();
 * await pr.close();
 * ```
 */
export class PoolServer<T> {
  readonly #driver: Driver<SessionAcceptorEvent<T>>;
  readonly #acceptor: SessionAcceptor<T>;
  readonly #onSession: (session: ServerSession<T>) => void | Promise<void>;
  readonly #pending = new Map<AcceptedSessionId, { remote: TransportAddress }>();
  readonly #sessions = new Map<AcceptedSessionId, ServerSession<T>>();
  readonly #listeners = new Listeners<PoolServerEvents>();
  readonly #events: Deferred<SessionAcceptorEvent<T>>;
  readonly #registered: Promise<void>;
  #resolveRegistered!: () => void;
  #port = 0;
  #closing: Promise<void> | undefined = undefined;

  /**
   * Internal: use {@link servePool}.
   *
   * @param driver The driver.
   * @param acceptor The acceptor.
   * @param onSession The application's session handler.
   */
  constructor(
    driver: Driver<SessionAcceptorEvent<T>>,
    acceptor: SessionAcceptor<T>,
    onSession: (session: ServerSession<T>) => void | Promise<void>,
  ) {
    this.#driver = driver;
    this.#acceptor = acceptor;
    this.#onSession = onSession;
    this.#events = new Deferred((e) => this.#dispatch(e));
    this.#registered = new Promise((r) => (this.#resolveRegistered = r));
  }

  /** The port pool users connect to. */
  get port(): number {
    return this.#port;
  }

  /** The pool element (identifier, registration state, policy). */
  get poolElement(): PoolElement {
    return this.#acceptor.poolElement!;
  }

  /** The driver (association status; open the announce channel on it to hear registrars). */
  get driver(): Driver<SessionAcceptorEvent<T>> {
    return this.#driver;
  }

  /** The sans-IO acceptor (counters). */
  get acceptor(): SessionAcceptor<T> {
    return this.#acceptor;
  }

  /** Resolves once the pool element is registered (the first time). */
  get registered(): Promise<void> {
    return this.#registered;
  }

  /** Sessions open now. */
  get sessionCount(): number {
    return this.#acceptor.sessionCount;
  }

  /**
   * Internal: called by {@link servePool} once listening.
   *
   * @param port The bound port.
   */
  started(port: number): void {
    this.#port = port;
    this.run((now, a) => a.listening(now, port));
  }

  /**
   * Changes the policy information (e.g. the load); re-registration follows (coalesced).
   *
   * @param policy The new policy parameter.
   */
  updatePolicy(policy: PolicyParameter): void {
    this.run((now, a) => a.updatePolicy(now, policy));
  }

  /**
   * Adds a listener.
   *
   * @param type The event.
   * @param listener Called with the event's value.
   * @returns A function that removes the listener.
   */
  on<K extends keyof PoolServerEvents>(
    type: K,
    listener: (value: PoolServerEvents[K]) => void,
  ): () => void {
    return this.#listeners.on(type, listener);
  }

  /**
   * Runs a command on the acceptor with the current time, then lets the driver act.
   *
   * @param command Calls the acceptor.
   */
  run(command: (now: number, acceptor: SessionAcceptor<T>) => void): void {
    this.#driver.run((now) => command(now, this.#acceptor));
  }

  /**
   * Deregisters, closes every session gracefully and stops.
   *
   * @returns When everything is closed.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.run((now, a) => a.shutdown(now));
      const pe = this.#acceptor.poolElement;
      for (let i = 0; i < 400 && pe !== undefined && pe.state !== "closed"; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      await this.#driver.close();
    })();
    return this.#closing;
  }

  /**
   * Internal: an acceptor event from the driver.
   *
   * @param e The event.
   */
  push(e: SessionAcceptorEvent<T>): void {
    this.#events.push(e);
  }

  #announce(id: AcceptedSessionId, restored: T | undefined): ServerSession<T> | undefined {
    const p = this.#pending.get(id);
    if (p === undefined) return this.#sessions.get(id);
    this.#pending.delete(id);
    const s = new ServerSession(this, id, p.remote);
    if (restored !== undefined) s.restore(restored);
    this.#sessions.set(id, s);
    try {
      const r = this.#onSession(s);
      if (r instanceof Promise) {
        r.catch((e) =>
          queueMicrotask(() => {
            throw e;
          })
        );
      }
    } catch (e) {
      queueMicrotask(() => {
        throw e;
      });
    }
    return s;
  }

  #dispatch(e: SessionAcceptorEvent<T>): void {
    switch (e.type) {
      case "pool-element":
        if (e.event.type === "registered") this.#resolveRegistered();
        this.#listeners.emit("pool-element", e.event);
        return;
      case "session-opened":
        this.#pending.set(e.session, { remote: e.remote });
        return;
      case "cookie-echo":
        if (this.#pending.has(e.session)) this.#announce(e.session, e.state);
        else this.#sessions.get(e.session)?.dispatch(e);
        return;
      case "data":
        this.#announce(e.session, undefined)?.dispatch(e);
        return;
      case "cookie-rejected":
        this.#listeners.emit("cookie-rejected", { reason: e.reason, detail: e.detail });
        return;
      case "peer-error":
        this.#listeners.emit("peer-error", { detail: e.detail });
        return;
      case "business-card":
        this.#announce(e.session, undefined)?.dispatch(e);
        return;
      case "session-closed":
        this.#pending.delete(e.session);
        this.#sessions.get(e.session)?.dispatch(e);
        this.#sessions.delete(e.session);
        return;
    }
  }
}

/**
 * Joins a pool as a pool element and serves its pool users' sessions: listens on TCP (framing
 * shim), registers (Transport Use "data plus control") at a registrar, answers keep-alives,
 * and hands every session to `onSession` once its first message arrives.
 *
 * @param options The pool, registrars, cookie key and the session handler.
 * @returns The running server.
 * @throws {TypeError} Without a cookie key, or for an option of the wrong type.
 * @throws {RangeError} For a key shorter than 16 bytes or an option out of range.
 * @example A counter whose state survives in cookies
 * ```ts
 * import { servePool } from "./pool_server.ts";
 * import { openSession } from "./session_client.ts";
 * import { Registrar } from "../../core/registrar/mod.ts";
 * import { SeededRng } from "../../core/rng.ts";
 * import { Driver } from "../driver.ts";
 * import { currentRuntime } from "../current.ts";
 * import assert from "node:assert/strict";
 *
 * const pr = new Driver(await currentRuntime(), new Registrar({ rng: new SeededRng(1), announceTargets: [] }));
 * const { port } = await pr.listen("asap", { hostname: "127.0.0.1", port: 0 });
 * const registrars = [`127.0.0.1:${port}`];
 * const server = await servePool<{ count: number }>({
 *   pool: "CounterPool", registrars, hostname: "127.0.0.1", cookieKey: "a pool-wide secret key",
 *   onSession(s) {
 *     let count = s.restored?.count ?? 0;
 *     s.on("data", () => {
 *       count++;
 *       s.send(String(count));
 *       s.setCookie({ count }); // a checkpoint another PE can resume from
 *     });
 *   },
 * });
 * await server.registered;
 * const session = await openSession({ pool: "CounterPool", registrars });
 * session.send("+1");
 * session.send("+1");
 * const answers = [];
 * for await (const m of session) {
 *   answers.push(new TextDecoder().decode(m.payload));
 *   if (answers.length === 2) break;
 * }
 * assert.deepEqual(answers, ["1", "2"]);
 * await session.close();
 * await server.close();
 * await pr.close();
 * ```
 */
export async function servePool<T = unknown>(options: ServePoolOptions<T>): Promise<PoolServer<T>> {
  if (options === null || typeof options !== "object") {
    throw new TypeError("Cannot serve pool: the options must be an object");
  }
  if (typeof options.onSession !== "function") {
    throw new TypeError("Cannot serve pool: onSession must be a function");
  }
  const runtime = options.runtime ?? await currentRuntime();
  const cookies = options.cookies ?? codecFrom(options);
  const acceptor = new SessionAcceptor<T>({
    rng: options.rng ?? cryptoSeededRng(runtime),
    poolHandle: options.pool,
    policy: options.policy ?? policyParameter(PolicyType.RoundRobin),
    cookies,
    clockOffset: Date.now() - runtime.now(),
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.id === undefined ? {} : { id: options.id }),
    ...(options.addresses === undefined ? {} : { addresses: options.addresses }),
    ...(options.maxSessions === undefined ? {} : { maxSessions: options.maxSessions }),
    ...(options.poolElement === undefined ? {} : { poolElement: options.poolElement }),
    registrars: (options.registrars ?? []).map((r) => toAddress(r, "registrar")),
  });
  const driver = new Driver<SessionAcceptorEvent<T>>(runtime, acceptor, {
    ...(options.association === undefined ? {} : { association: options.association }),
    onEvent: (e) => server.push(e),
  });
  const server = new PoolServer(driver, acceptor, options.onSession);
  try {
    const { port } = await driver.listen("session", {
      hostname: options.hostname ?? "0.0.0.0",
      port: options.port ?? 0,
    });
    server.started(port);
  } catch (e) {
    await driver.close();
    throw e;
  }
  return server;
}

function codecFrom<T>(options: ServePoolOptions<T>): CookieCodec<T> {
  const keys: CookieKey[] = options.cookieKeys !== undefined
    ? [...options.cookieKeys]
    : options.cookieKey !== undefined
    ? [{
      id: 0,
      secret: typeof options.cookieKey === "string"
        ? new TextEncoder().encode(options.cookieKey)
        : options.cookieKey,
    }]
    : [];
  if (keys.length === 0) {
    throw new TypeError("Cannot serve pool: give cookieKey, cookieKeys or cookies");
  }
  return new CookieCodec<T>({
    poolHandle: options.pool,
    keys,
    ...(options.validate === undefined ? {} : { validate: options.validate }),
  });
}
