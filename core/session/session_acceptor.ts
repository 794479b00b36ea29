/**
 * The pool element's side of the session layer as a sans-IO {@link Role}: a {@link PoolElement}
 * (registration, load updates, keep-alives) plus the pool users' sessions on its user transport,
 * with authenticated cookies, Cookie Echo restore and business cards.
 *
 * @see RFC 5352 sections 3.9-3.11, spec/behaviour.md section 13
 * @module
 */

import { Fifo } from "../fifo.ts";
import { PayloadSlab } from "../payload_slab.ts";
import type { Rng } from "../rng.ts";
import type {
  AssociationDown,
  AssociationId,
  AssociationInfo,
  Role,
  RoleAction,
  RttSample,
  SendFailure,
  TransportAddress,
} from "../role.ts";
import {
  PoolElement,
  type PoolElementConfig,
  type PoolElementEvent,
} from "../asap/pool_element.ts";
import { checkPoolHandle, checkTime, sameBytes } from "../asap/_checks.ts";
import type { AsapMessage } from "../wire/asap_message.ts";
import { asapErrorReply } from "../wire/error_reply.ts";
import { ErrorCause } from "../wire/error_cause.ts";
import type { PoolElementId, PoolElementParameter } from "../wire/pool_element_parameter.ts";
import type { PolicyParameter } from "../wire/policy_parameter.ts";
import { asapPpid, classifyPpid, type WireProfile } from "../wire/profile.ts";
import { WireDecoder } from "../wire/wire_decoder.ts";
import { WireEncoder } from "../wire/wire_encoder.ts";
import type { CookieCodec, CookieRejection } from "./cookie_codec.ts";
import { EmbeddedRole } from "./_embedded_role.ts";
import { SESSION_DEFAULTS } from "./session_defaults.ts";

/** Identifies a session at a {@link SessionAcceptor} (positive, never reused). */
export type AcceptedSessionId = number;

/** Options of a {@link SessionAcceptor}. Times are milliseconds. */
export interface SessionAcceptorConfig<T> {
  /** Random source (PE identifier, registrar hunt). */
  readonly rng: Rng;
  /** Wire profile: `"ng"` (default) or `"rfc"`. */
  readonly profile?: WireProfile;
  /** The pool to join. */
  readonly poolHandle: Uint8Array | string;
  /** The policy and its information (e.g. the load); change it with `updatePolicy`. */
  readonly policy: PolicyParameter;
  /** The PE identifier (default random). */
  readonly id?: PoolElementId;
  /** Static registrar list; combined with announces heard on `announceChannel`. */
  readonly registrars?: readonly TransportAddress[];
  /** UDP channel on which Server Announces arrive (default `"asap-announce"`). */
  readonly announceChannel?: string;
  /** Further options of the embedded {@link PoolElement} (re-registration timers, ...). */
  readonly poolElement?: Omit<
    PoolElementConfig,
    | "rng"
    | "profile"
    | "poolHandle"
    | "id"
    | "policy"
    | "userTransport"
    | "registrars"
    | "announceChannel"
  >;
  /**
   * The port of the session listener, when known now; otherwise call
   * {@link SessionAcceptor.listening} once the listener is bound (the PE registers then).
   */
  readonly port?: number;
  /** The addresses to register (default: the address the registrar sees the PE coming from). */
  readonly addresses?: readonly string[];
  /** Name of the listener pool users connect to (default `"session"`). */
  readonly listener?: string;
  /** Name of the listener registrars may connect to after a takeover (default `"asap"`). */
  readonly registrarListener?: string;
  /** Seals and opens the cookies (pool handle, pool-wide keys, limits). */
  readonly cookies: CookieCodec<T>;
  /** Added to `now` to get ms since the Unix epoch for cookie times (default 0). */
  readonly clockOffset?: number;
  /** Sessions served at once (default 10000). */
  readonly maxSessions?: number;
}

/** An event of a {@link SessionAcceptor}. */
export type SessionAcceptorEvent<T> =
  | {
    /** A pool user opened a session. */
    readonly type: "session-opened";
    /** The session. */
    readonly session: AcceptedSessionId;
    /** The pool user's address. */
    readonly remote: TransportAddress;
  }
  | {
    /** The first Cookie Echo of the session: restore this state before serving its data. */
    readonly type: "cookie-echo";
    /** The session. */
    readonly session: AcceptedSessionId;
    /** The authentic state. */
    readonly state: T;
    /** When another pool element sealed it (ms since the Unix epoch). */
    readonly issuedAt: number;
  }
  | {
    /**
     * A Cookie Echo was refused (forged, altered, oversized, expired, of another pool or key);
     * the pool user got an ASAP Error and the session is being closed.
     */
    readonly type: "cookie-rejected";
    /** The session. */
    readonly session: AcceptedSessionId;
    /** Why. */
    readonly reason: CookieRejection;
    /** Details. */
    readonly detail: string;
  }
  | {
    /** Application data arrived. */
    readonly type: "data";
    /** The session. */
    readonly session: AcceptedSessionId;
    /** Its payload protocol identifier. */
    readonly ppid: number;
    /** Its stream number. */
    readonly stream: number;
    /** The message. */
    readonly payload: Uint8Array;
  }
  | {
    /** The pool user sent a business card: the pool to reach it through. */
    readonly type: "business-card";
    /** The session. */
    readonly session: AcceptedSessionId;
    /** The pool handle. */
    readonly poolHandle: Uint8Array;
    /** Its pool elements. */
    readonly poolElements: readonly PoolElementParameter[];
  }
  | {
    /** The pool user sent a malformed or unexpected control message (answered with an ASAP Error). */
    readonly type: "peer-error";
    /** The session. */
    readonly session: AcceptedSessionId;
    /** What was wrong. */
    readonly detail: string;
  }
  | {
    /** The session ended. */
    readonly type: "session-closed";
    /** The session. */
    readonly session: AcceptedSessionId;
    /** Why. */
    readonly reason: string;
  }
  | {
    /** An event of the embedded pool element (registered, registrar lost, ...). */
    readonly type: "pool-element";
    /** The event. */
    readonly event: PoolElementEvent;
  };

/** Counters of a {@link SessionAcceptor}. */
export interface SessionAcceptorStats {
  /** Sessions accepted. */
  sessions: number;
  /** Sessions refused (over `maxSessions`). */
  refused: number;
  /** Cookies sent. */
  cookiesSent: number;
  /** Cookie Echoes restored. */
  cookieEchoes: number;
  /** Cookie Echoes refused. */
  cookiesRejected: number;
  /** Further Cookie Echoes of a session, ignored (RSPLIB delivers only the first). */
  extraCookieEchoes: number;
  /** Malformed or unexpected control messages. */
  protocolErrors: number;
}

interface Accepted {
  readonly id: AcceptedSessionId;
  readonly assoc: AssociationId;
  readonly remote: TransportAddress;
  echoed: boolean;
  rejected: boolean;
  closing: boolean;
}

/** The RFC 5354 cause sent back for each kind of cookie refusal. */
function rejectionCause(reason: CookieRejection): number {
  return reason === "too-large" || reason === "malformed"
    ? ErrorCause.InvalidValues
    : ErrorCause.RejectedDueToSecurity;
}

/**
 * A pool element serving sessions.
 *
 * **Driving it.** As every role: after each `handle*` call and each command, drain
 * {@link pollTransmit}, then {@link pollEvent}, then arm a timer for {@link pollTimeout}. Give
 * it a listener named `listener` ("session") for pool users and, optionally, one named
 * `registrarListener` ("asap") for registrars taking the PE over. It registers (with Transport
 * Use "data plus control") once the session listener's port is known.
 *
 * **Sessions.** Every association on the session listener is a session. The first Cookie Echo
 * of a session is opened with the {@link CookieCodec} (size, key, tag, age, then CBOR) and
 * delivered as `cookie-echo` before any data that follows it; later ones are ignored
 * (RSPLIB). A refused cookie raises `cookie-rejected`, answers an ASAP Error (Rejected due to
 * Security Considerations; Invalid Values for an oversized or malformed one), drops the
 * session's further data and closes it: nothing of a forged state reaches the application, and
 * nothing a pool user sends can make the role throw. {@link sendCookie} seals a state and sends
 * it (the pool user keeps only the latest); {@link sendBusinessCard} names the pool to fail
 * over to.
 *
 * @example A Cookie Echo restores state; a forged one is refused
 * ```ts
 * import { SessionAcceptor } from "./session_acceptor.ts";
 * import { CookieCodec } from "./cookie_codec.ts";
 * import { SeededRng } from "../rng.ts";
 * import { policyParameter, PolicyType, WireEncoder, PPID_ASAP_NG } from "../wire/mod.ts";
 * import assert from "node:assert/strict";
 * const cookies = new CookieCodec<{ done: number }>({
 *   poolHandle: "ComputePool",
 *   keys: [{ id: 1, secret: new TextEncoder().encode("pool-wide secret key") }],
 * });
 * const pe = new SessionAcceptor({
 *   rng: new SeededRng(1), poolHandle: "ComputePool", port: 9000, cookies,
 *   policy: policyParameter(PolicyType.LeastUsed, { load: 0 }),
 * });
 * const info = (listener: string) => ({
 *   remote: { address: "127.0.0.1", port: 50000 }, local: { address: "127.0.0.1", port: 9000 },
 *   peerMaxPayload: 65535, listener,
 * });
 * const echo = (cookie: Uint8Array) => new WireEncoder().encode({ type: "cookie-echo", cookie }).slice();
 * pe.handleAssociationUp(0, -1, info("session"));
 * pe.handleMessage(0, -1, PPID_ASAP_NG, 0, echo(cookies.seal({ done: 7 }, 0)));
 * const events = [];
 * for (let e; (e = pe.pollEvent());) events.push(e);
 * assert.deepEqual(events.map((e) => e.type), ["session-opened", "cookie-echo"]);
 * assert.equal(events[1]?.type === "cookie-echo" && events[1].state.done, 7);
 *
 * pe.handleAssociationUp(0, -2, info("session"));
 * const forged = cookies.seal({ done: 7 }, 0);
 * forged[forged.length - 1]! ^= 1;
 * pe.handleMessage(0, -2, PPID_ASAP_NG, 0, echo(forged));
 * const rejected = [];
 * for (let e; (e = pe.pollEvent());) rejected.push(e);
 * const last = rejected.at(-1);
 * assert.equal(last?.type === "cookie-rejected" && last.reason, "forged");
 * ```
 */
export class SessionAcceptor<T> implements Role<SessionAcceptorEvent<T>> {
  readonly #config: SessionAcceptorConfig<T>;
  readonly #profile: WireProfile;
  readonly #ppid: number;
  readonly #poolHandle: Uint8Array;
  readonly #listener: string;
  readonly #registrarListener: string;
  readonly #cookies: CookieCodec<T>;
  readonly #clockOffset: number;
  readonly #maxSessions: number;
  readonly #encoder: WireEncoder;
  readonly #decoder: WireDecoder;
  readonly #slab = new PayloadSlab();
  readonly #actions = new Fifo<RoleAction>();
  readonly #events = new Fifo<SessionAcceptorEvent<T>>();
  readonly #byAssoc = new Map<AssociationId, Accepted>();
  readonly #byId = new Map<AcceptedSessionId, Accepted>();
  readonly #stats: SessionAcceptorStats = {
    sessions: 0,
    refused: 0,
    cookiesSent: 0,
    cookieEchoes: 0,
    cookiesRejected: 0,
    extraCookieEchoes: 0,
    protocolErrors: 0,
  };
  #pe: EmbeddedRole<PoolElementEvent> | undefined = undefined;
  #poolElement: PoolElement | undefined = undefined;
  #policy: PolicyParameter;
  #nextAssoc = 1;
  #nextSession = 1;
  #shutdown = false;

  /**
   * Creates the role; the pool element is created (and registers) once the port is known.
   *
   * @param config Pool, policy, registrars, the cookie codec and limits.
   * @throws {TypeError} For an option of the wrong type.
   * @throws {RangeError} For an option out of range, or a cookie codec of another pool.
   */
  constructor(config: SessionAcceptorConfig<T>) {
    if (config === null || typeof config !== "object") {
      throw new TypeError("Cannot create session acceptor: the configuration must be an object");
    }
    this.#config = config;
    this.#profile = config.profile ?? "ng";
    this.#ppid = asapPpid(this.#profile);
    this.#poolHandle = checkPoolHandle("session acceptor", config.poolHandle);
    const cookies = config.cookies;
    if (cookies === undefined || typeof cookies.open !== "function") {
      throw new TypeError("Cannot create session acceptor: cookies must be a CookieCodec");
    }
    if (!sameBytes(cookies.poolHandle, this.#poolHandle)) {
      throw new RangeError(
        "Cannot create session acceptor: the cookie codec belongs to another pool handle",
      );
    }
    this.#cookies = cookies;
    this.#listener = config.listener ?? "session";
    this.#registrarListener = config.registrarListener ?? "asap";
    this.#clockOffset = config.clockOffset ?? 0;
    if (!Number.isFinite(this.#clockOffset)) {
      throw new RangeError(
        `Cannot create session acceptor: clockOffset ${this.#clockOffset} is not finite`,
      );
    }
    this.#maxSessions = checkTime(
      "session acceptor",
      "maxSessions",
      config.maxSessions ?? SESSION_DEFAULTS.maxSessions.value,
      0,
    );
    this.#policy = config.policy;
    this.#encoder = new WireEncoder({ profile: this.#profile });
    this.#decoder = new WireDecoder({ profile: this.#profile });
    if (config.port !== undefined) this.#createPoolElement(config.port);
  }

  /** The pool element (`undefined` until the session listener's port is known). */
  get poolElement(): PoolElement | undefined {
    return this.#poolElement;
  }

  /** The pool handle. */
  get poolHandle(): Uint8Array {
    return this.#poolHandle.slice();
  }

  /** Sessions open now. */
  get sessionCount(): number {
    return this.#byId.size;
  }

  /**
   * A snapshot of the counters.
   *
   * @returns A fresh object.
   */
  stats(): SessionAcceptorStats {
    return { ...this.#stats };
  }

  /**
   * Tells the role the session listener's port (when it was not known at construction): the
   * pool element is created and starts registering.
   *
   * @param now The current time.
   * @param port The port pool users connect to.
   * @throws {TypeError} If the port was already given.
   * @throws {RangeError} If the port is not in 1..65535.
   */
  listening(now: number, port: number): void {
    if (this.#pe !== undefined) {
      throw new TypeError("Cannot set the session port: the pool element exists already");
    }
    this.#createPoolElement(port);
    this.#poolElement!.handleTimeout(now);
    this.#pump();
  }

  #createPoolElement(port: number): void {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new RangeError(`Cannot create session acceptor: port ${port} is not in 1..65535`);
    }
    const c = this.#config;
    const pe = new PoolElement({
      ...c.poolElement,
      rng: c.rng,
      profile: this.#profile,
      poolHandle: this.#poolHandle,
      ...(c.id === undefined ? {} : { id: c.id }),
      policy: this.#policy,
      userTransport: {
        protocol: "tcp",
        port,
        transportUse: "data+control",
        ...(c.addresses === undefined ? {} : { addresses: c.addresses }),
      },
      ...(c.registrars === undefined ? {} : { registrars: c.registrars }),
      ...(c.announceChannel === undefined ? {} : { announceChannel: c.announceChannel }),
    });
    this.#poolElement = pe;
    this.#pe = new EmbeddedRole(pe, () => this.#nextAssoc++);
  }

  /**
   * Sends application data on a session.
   *
   * @param _now The current time.
   * @param session The session.
   * @param payload The message.
   * @param options PPID (default 0) and stream (default 0).
   * @returns Whether the session was open to send on.
   * @throws {RangeError} If the payload is empty or the PPID is ASAP/ENRP.
   */
  send(
    _now: number,
    session: AcceptedSessionId,
    payload: Uint8Array,
    options: { readonly ppid?: number; readonly stream?: number } = {},
  ): boolean {
    if (!(payload instanceof Uint8Array)) {
      throw new TypeError("Cannot send: the payload must be a Uint8Array");
    }
    if (payload.length === 0) throw new RangeError("Cannot send: the message is empty");
    const ppid = options.ppid ?? 0;
    if (
      !Number.isInteger(ppid) || ppid < 0 || ppid > 0xffffffff ||
      classifyPpid(ppid).protocol !== "data"
    ) {
      throw new RangeError(
        `Cannot send: PPID ${ppid} is not an application PPID (0..0xffffffff, not ASAP or ENRP)`,
      );
    }
    const s = this.#byId.get(session);
    if (s === undefined || s.closing) return false;
    this.#actions.push({
      type: "send",
      assoc: s.assoc,
      ppid,
      stream: options.stream ?? 0,
      payload,
    });
    return true;
  }

  /**
   * Seals a state into a cookie and sends it to the session's pool user, who keeps the latest
   * one and echoes it to another pool element after a failover.
   *
   * @param now The current time.
   * @param session The session.
   * @param state The state.
   * @returns The cookie's size in bytes, or 0 when the session is not open.
   * @throws {TypeError} If the state cannot be encoded as CBOR.
   * @throws {RangeError} If the cookie would exceed the codec's size limit.
   */
  sendCookie(now: number, session: AcceptedSessionId, state: T): number {
    const s = this.#byId.get(session);
    if (s === undefined || s.closing) return 0;
    const cookie = this.#cookies.seal(state, Math.max(0, Math.round(now + this.#clockOffset)));
    this.#control(s.assoc, { type: "cookie", cookie });
    this.#stats.cookiesSent++;
    return cookie.length;
  }

  /**
   * Sends a business card: the pool (by default this one) and pool elements the pool user should
   * fail over to.
   *
   * @param _now The current time.
   * @param session The session.
   * @param card The pool handle (default this pool) and pool elements (default none).
   * @returns Whether the session was open to send on.
   * @throws {TypeError} If the card cannot be encoded.
   */
  sendBusinessCard(
    _now: number,
    session: AcceptedSessionId,
    card: {
      readonly poolHandle?: Uint8Array | string;
      readonly poolElements?: readonly PoolElementParameter[];
    } = {},
  ): boolean {
    const s = this.#byId.get(session);
    if (s === undefined || s.closing) return false;
    const handle = card.poolHandle === undefined
      ? this.#poolHandle
      : checkPoolHandle("business card", card.poolHandle);
    this.#control(s.assoc, {
      type: "business-card",
      poolHandle: handle,
      poolElements: card.poolElements ?? [],
    });
    return true;
  }

  /**
   * Closes a session: gracefully (queued messages are delivered first) or by abort.
   *
   * @param _now The current time.
   * @param session The session.
   * @param options `abort` and the reason told to the pool user.
   */
  close(
    _now: number,
    session: AcceptedSessionId,
    options: { readonly abort?: boolean; readonly reason?: string } = {},
  ): void {
    const s = this.#byId.get(session);
    if (s === undefined || s.closing) return;
    s.closing = true;
    this.#actions.push({
      type: "close",
      assoc: s.assoc,
      abort: options.abort ?? false,
      reason: options.reason ?? "Session closed by the pool element",
    });
  }

  /**
   * Changes the policy information (e.g. the load); the pool element re-registers (coalesced).
   *
   * @param now The current time.
   * @param policy The new policy parameter.
   * @throws {TypeError} If the value is not a policy the codec can encode.
   */
  updatePolicy(now: number, policy: PolicyParameter): void {
    this.#policy = policy;
    this.#poolElement?.updatePolicy(now, policy);
    this.#pump();
  }

  /**
   * Closes every session gracefully and deregisters the pool element.
   *
   * @param now The current time.
   */
  shutdown(now: number): void {
    if (this.#shutdown) return;
    this.#shutdown = true;
    for (const s of this.#byId.values()) this.close(now, s.id, { reason: "Pool element shutdown" });
    this.#poolElement?.shutdown(now);
    this.#pump();
  }

  #control(assoc: AssociationId, message: AsapMessage): void {
    const payload = this.#slab.copy(this.#encoder.encodeAsap(message));
    this.#actions.push({ type: "send", assoc, ppid: this.#ppid, stream: 0, payload });
  }

  #pump(): void {
    this.#pe?.pump(this.#actions, (event) => this.#events.push({ type: "pool-element", event }));
  }

  #reject(now: number, s: Accepted, reason: CookieRejection, detail: string): void {
    s.rejected = true;
    this.#stats.cookiesRejected++;
    this.#events.push({ type: "cookie-rejected", session: s.id, reason, detail });
    this.#control(s.assoc, {
      type: "asap-error",
      error: { causes: [{ code: rejectionCause(reason), info: new Uint8Array(0) }] },
    });
    this.close(now, s.id, { reason: `Cookie Echo rejected: ${detail}` });
  }

  #protocolError(s: Accepted, detail: string, reply: AsapMessage | undefined): void {
    this.#stats.protocolErrors++;
    this.#events.push({ type: "peer-error", session: s.id, detail });
    if (reply !== undefined) this.#control(s.assoc, reply);
  }

  #controlMessage(now: number, s: Accepted, payload: Uint8Array): void {
    const r = this.#decoder.decodeAsap(payload);
    if (r.kind !== "ok") {
      this.#protocolError(
        s,
        r.kind === "malformed" ? r.detail : "Cannot decode ASAP message: it is truncated",
        asapErrorReply(r),
      );
      return;
    }
    const m = r.message;
    switch (m.type) {
      case "cookie-echo": {
        if (s.echoed) {
          this.#stats.extraCookieEchoes++;
          return;
        }
        s.echoed = true;
        const opened = this.#cookies.open(m.cookie, now + this.#clockOffset);
        if (opened.kind === "rejected") {
          this.#reject(now, s, opened.reason, opened.detail);
          return;
        }
        this.#stats.cookieEchoes++;
        this.#events.push({
          type: "cookie-echo",
          session: s.id,
          state: opened.state,
          issuedAt: opened.issuedAt,
        });
        return;
      }
      case "business-card":
        this.#events.push({
          type: "business-card",
          session: s.id,
          poolHandle: m.poolHandle,
          poolElements: m.poolElements,
        });
        return;
      case "asap-error":
        this.#protocolError(
          s,
          `ASAP Error from the pool user: cause ${m.error.causes[0]?.code ?? 0}`,
          undefined,
        );
        return;
      default:
        this.#protocolError(s, `Unexpected ASAP ${m.type} from a pool user`, {
          type: "asap-error",
          error: { causes: [{ code: ErrorCause.UnrecognizedMessage, info: payload.slice() }] },
        });
    }
  }

  // ---- Role ----

  /**
   * An association is up: a pool user's session, the pool element's registrar association, or a
   * registrar connecting to the pool element.
   *
   * @param now The current time.
   * @param assoc The association.
   * @param info Its addresses and the listener.
   */
  handleAssociationUp(now: number, assoc: AssociationId, info: AssociationInfo): void {
    if (this.#pe?.owns(assoc)) {
      this.#pe.up(now, assoc, info);
    } else if (info.listener === this.#listener) {
      const id = this.#nextSession++;
      const s: Accepted = {
        id,
        assoc,
        remote: info.remote,
        echoed: false,
        rejected: false,
        closing: false,
      };
      this.#byAssoc.set(assoc, s);
      this.#byId.set(id, s);
      if (this.#shutdown || this.#byId.size > this.#maxSessions) {
        this.#stats.refused++;
        s.rejected = true;
        this.#control(assoc, {
          type: "asap-error",
          error: { causes: [{ code: ErrorCause.LackOfResources, info: new Uint8Array(0) }] },
        });
        this.close(now, id, {
          reason: this.#shutdown ? "Pool element shutdown" : "Too many sessions",
        });
      } else {
        this.#stats.sessions++;
        this.#events.push({ type: "session-opened", session: id, remote: info.remote });
      }
    } else if (info.listener === this.#registrarListener && this.#pe !== undefined) {
      this.#pe.adopt(assoc);
      this.#pe.up(now, assoc, info);
    } else {
      this.#actions.push({ type: "close", assoc, abort: true, reason: "Unexpected association" });
    }
    this.#pump();
  }

  /**
   * A message arrived: for the pool element, or on a session (data or ASAP control).
   *
   * @param now The current time.
   * @param assoc The association.
   * @param ppid Its payload protocol identifier.
   * @param stream Its stream number.
   * @param payload The message.
   */
  handleMessage(
    now: number,
    assoc: AssociationId,
    ppid: number,
    stream: number,
    payload: Uint8Array,
  ): void {
    if (this.#pe?.owns(assoc)) {
      this.#pe.message(now, assoc, ppid, stream, payload);
      this.#pump();
      return;
    }
    const s = this.#byAssoc.get(assoc);
    if (s === undefined || s.rejected) return;
    if (ppid === this.#ppid) this.#controlMessage(now, s, payload);
    else if (classifyPpid(ppid).protocol !== "data") {
      this.#protocolError(
        s,
        `PPID ${ppid} is not ASAP of the ${this.#profile.toUpperCase()} profile`,
        undefined,
      );
    } else this.#events.push({ type: "data", session: s.id, ppid, stream, payload });
  }

  /**
   * An association went down: a session ends, or the pool element's association.
   *
   * @param now The current time.
   * @param assoc The association.
   * @param down Why.
   */
  handleAssociationDown(now: number, assoc: AssociationId, down: AssociationDown): void {
    if (this.#pe?.owns(assoc)) {
      this.#pe.down(now, assoc, down);
      this.#pump();
      return;
    }
    const s = this.#byAssoc.get(assoc);
    if (s === undefined) return;
    this.#byAssoc.delete(assoc);
    this.#byId.delete(s.id);
    this.#events.push({
      type: "session-closed",
      session: s.id,
      reason: `Association ${down.reason}: ${down.detail}`,
    });
  }

  /**
   * A datagram arrived (Server Announces for the pool element).
   *
   * @param now The current time.
   * @param channel The channel.
   * @param from The sender.
   * @param payload The datagram.
   */
  handleDatagram(now: number, channel: string, from: TransportAddress, payload: Uint8Array): void {
    this.#poolElement?.handleDatagram(now, channel, from, payload);
    this.#pump();
  }

  /**
   * Runs the pool element's timers.
   *
   * @param now The current time.
   */
  handleTimeout(now: number): void {
    this.#poolElement?.handleTimeout(now);
    this.#pump();
  }

  /**
   * A message could not be sent (the pool element's are its business; a session's is dropped:
   * the pool user resends what it needs after a failover).
   *
   * @param now The current time.
   * @param assoc The association.
   * @param failure Why.
   * @param payload The message.
   */
  handleSendFailed(
    now: number,
    assoc: AssociationId,
    failure: SendFailure,
    payload: Uint8Array,
  ): void {
    if (this.#pe?.owns(assoc)) {
      this.#pe.sendFailed(now, assoc, failure, payload);
      this.#pump();
    }
  }

  /**
   * A send queue drained.
   *
   * @param now The current time.
   * @param assoc The association.
   */
  handleWritable(now: number, assoc: AssociationId): void {
    if (this.#pe?.owns(assoc)) {
      this.#pe.writable(now, assoc);
      this.#pump();
    }
  }

  /**
   * A round-trip time sample.
   *
   * @param now The current time.
   * @param assoc The association.
   * @param sample The sample.
   */
  handleRttSample(now: number, assoc: AssociationId, sample: RttSample): void {
    if (this.#pe?.owns(assoc)) this.#pe.rtt(now, assoc, sample);
  }

  /**
   * The next action for the driver.
   *
   * @returns The action, or `undefined`.
   */
  pollTransmit(): RoleAction | undefined {
    return this.#actions.shift();
  }

  /**
   * When {@link handleTimeout} should run next.
   *
   * @returns The deadline, or `undefined` for never.
   */
  pollTimeout(): number | undefined {
    return this.#poolElement?.pollTimeout();
  }

  /**
   * The next event for the application.
   *
   * @returns The event, or `undefined`.
   */
  pollEvent(): SessionAcceptorEvent<T> | undefined {
    return this.#events.shift();
  }
}
