/**
 * The pool user's session layer as a sans-IO {@link Role}: sessions to pools (not to servers)
 * that survive the loss of their pool element with its state.
 *
 * @see RFC 5351 (RSerPool overview: session layer, failover), RFC 5352 sections 2.2 and 3.9-3.11
 * @module
 */

import { Fifo } from "../fifo.ts";
import { DeadlineIndex } from "../handlespace/deadline_index.ts";
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
import { PoolUser, type PoolUserConfig, type PoolUserEvent } from "../asap/pool_user.ts";
import { checkPoolHandle, checkTime } from "../asap/_checks.ts";
import type { AsapMessage } from "../wire/asap_message.ts";
import { ErrorCause, errorCauseName } from "../wire/error_cause.ts";
import type { PoolElementId, PoolElementParameter } from "../wire/pool_element_parameter.ts";
import { asapPpid, classifyPpid, type WireProfile } from "../wire/profile.ts";
import { WireDecoder } from "../wire/wire_decoder.ts";
import { WireEncoder } from "../wire/wire_encoder.ts";
import { EmbeddedRole } from "./_embedded_role.ts";
import { SESSION_TRANSITIONS, type SessionInput, type SessionState } from "./session_state.ts";
import { SESSION_DEFAULTS } from "./session_defaults.ts";

/** Identifies a session of a {@link SessionLayer}. */
export type SessionId = number;

/** A message the application sent on a session, as kept for resending. */
export interface OutgoingMessage {
  /** The id {@link SessionLayer.send} returned. */
  readonly id: number;
  /** Its payload protocol identifier. */
  readonly ppid: number;
  /** Its stream number. */
  readonly stream: number;
  /** The message (the session's own copy). */
  readonly payload: Uint8Array;
}

/** What a {@link ResumeHook} is told when a session reaches a new pool element. */
export interface ResumeContext {
  /** The session. */
  readonly session: SessionId;
  /** The new pool element. */
  readonly poolElement: PoolElementParameter;
  /** The cookie echoed to it first, if any. */
  readonly cookie: Uint8Array | undefined;
  /** The messages sent and not acknowledged, oldest first. */
  readonly unacknowledged: readonly OutgoingMessage[];
}

/**
 * Decides what "resume" means after a failover: returns the ids of the unacknowledged messages
 * to send again, in order (default: all of them). Messages left out are forgotten (treated as
 * acknowledged), e.g. because the cookie shows the old pool element finished them.
 */
export type ResumeHook = (context: ResumeContext) => readonly number[];

/** Options of a {@link SessionLayer}. Times are milliseconds; defaults are `SESSION_DEFAULTS`. */
export interface SessionLayerConfig {
  /** Random source (backoff jitter, the pool user's hunt and cache selection). */
  readonly rng: Rng;
  /** Wire profile: `"ng"` (default) or `"rfc"`; its ASAP PPID marks control messages. */
  readonly profile?: WireProfile;
  /** Static registrar list; combined with announces heard on `announceChannel`. */
  readonly registrars?: readonly TransportAddress[];
  /** UDP channel on which Server Announces arrive (default `"asap-announce"`). */
  readonly announceChannel?: string;
  /** Lifetime of cached handle resolution results (default 30000; 0 = always ask a registrar). */
  readonly staleCacheValue?: number;
  /** Further options of the embedded {@link PoolUser}. */
  readonly poolUser?: Omit<
    PoolUserConfig,
    "rng" | "profile" | "registrars" | "announceChannel" | "staleCacheValue"
  >;
  /** Pool elements asked for per handle resolution; the first usable one is tried first. */
  readonly candidates?: number;
  /** Time for an association to a pool element to come up. */
  readonly connectTimeout?: number;
  /** Least pause between two failed attempts (RSPLIB's handle resolution retry delay). */
  readonly retryDelay?: number;
  /** Largest pause between two failed attempts (exponential backoff with jitter up to this). */
  readonly maxRetryDelay?: number;
  /**
   * Failed attempts in a row after which a session gives up; also the associations an
   * unacknowledged message may be lost on before the session gives up on it.
   */
  readonly maxAttempts?: number;
  /** How long a session avoids a pool element that failed it. */
  readonly avoidTime?: number;
  /** Report failed pool elements to the registrar with Endpoint Unreachable (default true). */
  readonly reportUnreachable?: boolean;
  /** Fail over when a message stays unacknowledged this long (0 = off, the default). */
  readonly ackTimeout?: number;
  /** Messages waiting or unacknowledged per session before `send` refuses more. */
  readonly maxQueued?: number;
}

/** Options of one {@link SessionLayer.open} call. */
export interface SessionOptions {
  /** A cookie to echo to the first pool element (e.g. saved from an earlier session). */
  readonly cookie?: Uint8Array;
  /** What to resend after a failover (default: every unacknowledged message). */
  readonly resume?: ResumeHook;
}

/** Options of one {@link SessionLayer.send} call. */
export interface SendOptions {
  /** Payload protocol identifier of application data (default 0; never an ASAP/ENRP PPID). */
  readonly ppid?: number;
  /** Stream number (default 0). */
  readonly stream?: number;
  /**
   * Keep the message until {@link SessionLayer.acknowledge} and send it again after a
   * failover (default false: best effort, lost with the pool element).
   */
  readonly ack?: boolean;
}

/** A business card: the pool (and optionally the pool elements) a peer should fail over to. */
export interface BusinessCard {
  /** The pool handle. */
  readonly poolHandle: Uint8Array;
  /** Pool elements to try first, best first (may be empty). */
  readonly poolElements: readonly PoolElementParameter[];
}

/** Why a session ended. */
export type SessionCloseReason =
  | "closed"
  | "gave-up"
  | "cookie-rejected"
  | "shutdown";

/** A snapshot of one session. */
export interface SessionInfo {
  /** The state. */
  readonly state: SessionState;
  /** The pool the session resolves (changed by a business card). */
  readonly poolHandle: Uint8Array;
  /** The pool element of the current (or last tried) association. */
  readonly poolElement: PoolElementParameter | undefined;
  /** Whether a cookie is held for failover. */
  readonly hasCookie: boolean;
  /** Failovers completed. */
  readonly failovers: number;
  /** Failed attempts in a row. */
  readonly attempts: number;
  /** Messages sent and not acknowledged. */
  readonly unacknowledged: number;
  /** Messages waiting for an association. */
  readonly queued: number;
}

/** An event of a {@link SessionLayer}. */
export type SessionLayerEvent =
  | {
    /** The session reached its first pool element. */
    readonly type: "established";
    /** The session. */
    readonly session: SessionId;
    /** The pool element. */
    readonly poolElement: PoolElementParameter;
  }
  | {
    /** The session lost its pool element and looks for another one. */
    readonly type: "failover-started";
    /** The session. */
    readonly session: SessionId;
    /** The pool element lost. */
    readonly poolElementId: PoolElementId;
    /** Why (the association's end, or the application's reason). */
    readonly reason: string;
  }
  | {
    /** The session reached another pool element; the cookie went first, then the resends. */
    readonly type: "failover-complete";
    /** The session. */
    readonly session: SessionId;
    /** The new pool element. */
    readonly poolElement: PoolElementParameter;
    /** Whether a Cookie Echo was sent. */
    readonly cookieEchoed: boolean;
    /** Unacknowledged messages sent again. */
    readonly resent: number;
    /** Attempts it took (1 = the first pool element tried worked). */
    readonly attempts: number;
  }
  | {
    /** One attempt failed (no pool element, connect failed or timed out). */
    readonly type: "attempt-failed";
    /** The session. */
    readonly session: SessionId;
    /** The pool element tried, if one was chosen. */
    readonly poolElementId: PoolElementId | undefined;
    /** Why. */
    readonly reason: string;
    /** When the next attempt starts (`undefined` when the session gives up). */
    readonly retryAt: number | undefined;
  }
  | {
    /** Application data arrived. */
    readonly type: "data";
    /** The session. */
    readonly session: SessionId;
    /** Its payload protocol identifier. */
    readonly ppid: number;
    /** Its stream number. */
    readonly stream: number;
    /** The message (a view valid until the application drops it). */
    readonly payload: Uint8Array;
  }
  | {
    /** The pool element sent a cookie; it replaces the one held. */
    readonly type: "cookie";
    /** The session. */
    readonly session: SessionId;
    /** Its size in bytes. */
    readonly bytes: number;
  }
  | {
    /** The pool element sent a business card; failovers use it from now on. */
    readonly type: "business-card";
    /** The session. */
    readonly session: SessionId;
    /** The pool to fail over to. */
    readonly poolHandle: Uint8Array;
    /** Pool elements to try first. */
    readonly poolElements: readonly PoolElementParameter[];
  }
  | {
    /** The pool element sent an ASAP Error, or something that is not a valid control message. */
    readonly type: "peer-error";
    /** The session. */
    readonly session: SessionId;
    /** The RFC 5354 cause (0 when the message itself was bad). */
    readonly cause: number;
    /** What was wrong. */
    readonly detail: string;
  }
  | {
    /** A message could not be handed to the transport. */
    readonly type: "send-failed";
    /** The session. */
    readonly session: SessionId;
    /** The message's id, when known. */
    readonly messageId: number | undefined;
    /** Why. */
    readonly failure: SendFailure;
  }
  | {
    /** The session ended. */
    readonly type: "session-closed";
    /** The session. */
    readonly session: SessionId;
    /** Why. */
    readonly reason: SessionCloseReason;
    /** Details. */
    readonly detail: string;
  }
  | {
    /** An event of the embedded pool user (registrar found, lost, ...). */
    readonly type: "pool-user";
    /** The event. */
    readonly event: PoolUserEvent;
  };

/** Counters of a {@link SessionLayer}. */
export interface SessionLayerStats {
  /** Sessions opened. */
  opened: number;
  /** Sessions closed (for any reason). */
  closed: number;
  /** Failovers completed. */
  failovers: number;
  /** Attempts that failed. */
  failedAttempts: number;
  /** Cookies received. */
  cookies: number;
  /** Cookie Echoes sent. */
  cookieEchoes: number;
  /** Messages sent again after failovers. */
  resent: number;
  /** Application messages sent. */
  messagesSent: number;
  /** Application messages received. */
  messagesReceived: number;
}

interface Outgoing extends OutgoingMessage {
  readonly ack: boolean;
  sentAt: number;
  /** Associations it was sent on (counted for `ack` messages only). */
  transmissions: number;
}

interface Session {
  readonly id: SessionId;
  readonly slot: number;
  readonly resume: ResumeHook | undefined;
  poolHandle: Uint8Array;
  state: SessionState;
  attempts: number;
  failovers: number;
  established: boolean;
  pe: PoolElementParameter | undefined;
  assoc: AssociationId | undefined;
  requestId: number | undefined;
  candidates: PoolElementParameter[];
  cardTried: boolean;
  readonly avoid: Map<PoolElementId, number>;
  cookie: Uint8Array | undefined;
  card: BusinessCard | undefined;
  unacked: Map<number, Outgoing>;
  readonly queue: Fifo<Outgoing>;
  nextMessage: number;
  timer: "connect" | "retry" | "ack" | undefined;
  echoedOn: AssociationId | undefined;
  rejected: string | undefined;
}

const CONTROL_PPIDS = new Set([11, 12, 0x4e474153, 0x4e47454e]);

/**
 * A pool user's session layer: many sessions over one embedded {@link PoolUser} (one registrar
 * association and one handle resolution cache for all of them).
 *
 * **Driving it.** As every role: after each `handle*` call and each command, drain
 * {@link pollTransmit}, then {@link pollEvent}, then arm a timer for {@link pollTimeout}.
 *
 * **A session** is opened to a pool, not to a server: {@link open} resolves the pool handle
 * (the cache first), picks the first pool element of the policy's choice that the session does
 * not avoid, and connects to its user transport. Application data (any PPID but the ASAP and
 * ENRP ones) and the ASAP control channel (Cookie, Cookie Echo, Business Card, with the
 * profile's ASAP PPID) share that association. The latest cookie from the pool element is kept.
 *
 * **Failover.** When the association fails (reset, heartbeat timeout, connect failure or
 * timeout, an acknowledgement timeout, or {@link failover}), the session reports the pool
 * element unreachable, avoids it for `avoidTime`, and at once looks for another: candidates
 * from a business card first, then a handle resolution (in the business card's pool, if one
 * came). On the new association it sends the cookie (Cookie Echo) first, then the
 * unacknowledged messages the {@link ResumeHook} picks, then what was queued meanwhile. Failed
 * attempts back off exponentially with jitter, from `retryDelay` (RSPLIB's 250 ms) up to
 * `maxRetryDelay`; after `maxAttempts` failures in a row the session closes (`gave-up`), and so
 * it does when a message sent with `ack: true` was sent on `maxAttempts` associations and each
 * was lost before it was acknowledged (a message that makes pool elements fail or close).
 *
 * **Acknowledgements.** A message sent with `ack: true` is kept until {@link acknowledge}
 * (typically when its response arrives) and sent again after a failover; other messages are
 * best effort.
 *
 * @example A session waits for a registrar, then for a pool element
 * ```ts
 * import { SessionLayer } from "./session_layer.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const layer = new SessionLayer({
 *   rng: new SeededRng(1),
 *   registrars: [{ address: "127.0.0.1", port: 3863 }],
 * });
 * const session = layer.open(0, "ComputePool");
 * assert.equal(layer.info(session)?.state, "resolving");
 * assert.equal(layer.pollTransmit()?.type, "connect"); // the pool user hunts for a registrar
 * const id = layer.send(0, session, new TextEncoder().encode("job 1"), { ack: true });
 * assert.equal(layer.info(session)?.queued, 1); // sent once a pool element is reached
 * assert.equal(typeof id, "number");
 * ```
 */
export class SessionLayer implements Role<SessionLayerEvent> {
  readonly #profile: WireProfile;
  readonly #ppid: number;
  readonly #rng: Rng;
  readonly #candidates: number;
  readonly #connectTimeout: number;
  readonly #retryDelay: number;
  readonly #maxRetryDelay: number;
  readonly #maxAttempts: number;
  readonly #avoidTime: number;
  readonly #report: boolean;
  readonly #ackTimeout: number;
  readonly #maxQueued: number;
  readonly #pu: EmbeddedRole<PoolUserEvent>;
  readonly #poolUser: PoolUser;
  readonly #encoder: WireEncoder;
  readonly #decoder: WireDecoder;
  readonly #slab = new PayloadSlab();
  readonly #actions = new Fifo<RoleAction>();
  readonly #events = new Fifo<SessionLayerEvent>();
  readonly #sessions = new Map<SessionId, Session>();
  readonly #bySlot: (Session | undefined)[] = [];
  readonly #freeSlots: number[] = [];
  readonly #byAssoc = new Map<AssociationId, Session>();
  readonly #byRequest = new Map<number, Session>();
  readonly #deadlines = new DeadlineIndex();
  readonly #sentIds = new WeakMap<Uint8Array, { session: SessionId; id: number }>();
  readonly #stats: SessionLayerStats = {
    opened: 0,
    closed: 0,
    failovers: 0,
    failedAttempts: 0,
    cookies: 0,
    cookieEchoes: 0,
    resent: 0,
    messagesSent: 0,
    messagesReceived: 0,
  };
  #nextAssoc = 1;
  #nextSession = 1;
  #shutdown = false;

  /**
   * Creates a session layer (nothing is sent before the first session opens).
   *
   * @param config Registrars, cache lifetime, failover timers and limits.
   * @throws {TypeError} For an option of the wrong type.
   * @throws {RangeError} For an option out of range.
   */
  constructor(config: SessionLayerConfig) {
    if (config === null || typeof config !== "object") {
      throw new TypeError("Cannot create session layer: the configuration must be an object");
    }
    const profile = config.profile ?? "ng";
    const d = SESSION_DEFAULTS;
    const role = "session layer";
    this.#poolUser = new PoolUser({
      ...config.poolUser,
      rng: config.rng,
      profile,
      ...(config.registrars === undefined ? {} : { registrars: config.registrars }),
      ...(config.announceChannel === undefined ? {} : { announceChannel: config.announceChannel }),
      ...(config.staleCacheValue === undefined ? {} : { staleCacheValue: config.staleCacheValue }),
    });
    this.#profile = profile;
    this.#ppid = asapPpid(profile);
    this.#rng = config.rng;
    this.#candidates = checkTime(role, "candidates", config.candidates ?? d.candidates.value, 1);
    if (!Number.isInteger(this.#candidates) || this.#candidates > 128) {
      throw new RangeError(
        `Cannot create session layer: candidates ${this.#candidates} is not an integer in 1..128`,
      );
    }
    this.#connectTimeout = checkTime(
      role,
      "connectTimeout",
      config.connectTimeout ?? d.connectTimeout.value,
      1,
    );
    this.#retryDelay = checkTime(role, "retryDelay", config.retryDelay ?? d.retryDelay.value, 0);
    this.#maxRetryDelay = checkTime(
      role,
      "maxRetryDelay",
      config.maxRetryDelay ?? d.maxRetryDelay.value,
      this.#retryDelay,
    );
    this.#maxAttempts = checkTime(
      role,
      "maxAttempts",
      config.maxAttempts ?? d.maxAttempts.value,
      1,
    );
    this.#avoidTime = checkTime(role, "avoidTime", config.avoidTime ?? d.avoidTime.value, 0);
    this.#report = config.reportUnreachable ?? true;
    this.#ackTimeout = checkTime(role, "ackTimeout", config.ackTimeout ?? d.ackTimeout.value, 0);
    this.#maxQueued = checkTime(role, "maxQueued", config.maxQueued ?? d.maxQueued.value, 1);
    this.#encoder = new WireEncoder({ profile });
    this.#decoder = new WireDecoder({ profile });
    this.#pu = new EmbeddedRole(this.#poolUser, () => this.#nextAssoc++);
  }

  /** The wire profile. */
  get profile(): WireProfile {
    return this.#profile;
  }

  /** The embedded pool user (for its cache, counters and direct resolutions). */
  get poolUser(): PoolUser {
    return this.#poolUser;
  }

  /** Sessions not yet closed. */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  /**
   * A snapshot of the counters.
   *
   * @returns A fresh object.
   */
  stats(): SessionLayerStats {
    return { ...this.#stats };
  }

  /**
   * A snapshot of one session.
   *
   * @param session The session.
   * @returns Its state, or `undefined` once it is closed (or never existed).
   */
  info(session: SessionId): SessionInfo | undefined {
    const s = this.#sessions.get(session);
    if (s === undefined) return undefined;
    return {
      state: s.state,
      poolHandle: s.poolHandle,
      poolElement: s.pe,
      hasCookie: s.cookie !== undefined,
      failovers: s.failovers,
      attempts: s.attempts,
      unacknowledged: s.unacked.size,
      queued: s.queue.length,
    };
  }

  /**
   * The latest cookie of a session (to save it, e.g. to resume after a restart of the pool user).
   *
   * @param session The session.
   * @returns A copy of the cookie, or `undefined`.
   */
  cookie(session: SessionId): Uint8Array | undefined {
    return this.#sessions.get(session)?.cookie?.slice();
  }

  /**
   * The messages of a session that were sent and not acknowledged, oldest first.
   *
   * @param session The session.
   * @returns The messages (empty for an unknown session).
   */
  unacknowledged(session: SessionId): OutgoingMessage[] {
    const s = this.#sessions.get(session);
    return s === undefined ? [] : [...s.unacked.values()].map(publicMessage);
  }

  /**
   * Opens a session to a pool. Progress is reported by events carrying the returned id.
   *
   * @param now The current time.
   * @param poolHandle The pool handle (bytes, or text encoded as UTF-8).
   * @param options A cookie to start with, and the resume hook.
   * @returns The session's id.
   * @throws {TypeError} If the pool handle or an option has the wrong type.
   * @throws {RangeError} If the pool handle is empty or too long.
   */
  open(now: number, poolHandle: Uint8Array | string, options: SessionOptions = {}): SessionId {
    const handle = checkPoolHandle("session", poolHandle);
    if (options.cookie !== undefined && !(options.cookie instanceof Uint8Array)) {
      throw new TypeError("Cannot open session: cookie must be a Uint8Array");
    }
    if (options.resume !== undefined && typeof options.resume !== "function") {
      throw new TypeError("Cannot open session: resume must be a function");
    }
    const id = this.#nextSession++;
    const slot = this.#freeSlots.pop() ?? this.#bySlot.length;
    const s: Session = {
      id,
      slot,
      resume: options.resume,
      poolHandle: handle,
      state: "resolving",
      attempts: 0,
      failovers: 0,
      established: false,
      pe: undefined,
      assoc: undefined,
      requestId: undefined,
      candidates: [],
      cardTried: false,
      avoid: new Map(),
      cookie: options.cookie === undefined || options.cookie.length === 0
        ? undefined
        : options.cookie.slice(),
      card: undefined,
      unacked: new Map(),
      queue: new Fifo(),
      nextMessage: 1,
      timer: undefined,
      echoedOn: undefined,
      rejected: undefined,
    };
    this.#sessions.set(id, s);
    this.#bySlot[slot] = s;
    this.#stats.opened++;
    if (this.#shutdown) {
      this.#finish(s, "shutdown", "The session layer is closed");
      return id;
    }
    this.#attempt(now, s);
    this.#pump(now);
    return id;
  }

  /**
   * Sends application data on a session: at once when it is established, else when it reaches
   * a pool element.
   *
   * @param now The current time.
   * @param session The session.
   * @param payload The message (copied).
   * @param options PPID, stream, and whether to keep it until acknowledged.
   * @returns The message's id, or `undefined` when the session is closed or `maxQueued`
   *   messages already wait.
   * @throws {TypeError} If the payload is not bytes.
   * @throws {RangeError} If the payload is empty or the PPID is an ASAP/ENRP one.
   */
  send(
    now: number,
    session: SessionId,
    payload: Uint8Array,
    options: SendOptions = {},
  ): number | undefined {
    if (!(payload instanceof Uint8Array)) {
      throw new TypeError("Cannot send: the payload must be a Uint8Array");
    }
    if (payload.length === 0) throw new RangeError("Cannot send: the message is empty");
    const ppid = options.ppid ?? 0;
    if (!Number.isInteger(ppid) || ppid < 0 || ppid > 0xffffffff || CONTROL_PPIDS.has(ppid)) {
      throw new RangeError(
        `Cannot send: PPID ${ppid} is not an application PPID (0..0xffffffff, not ASAP or ENRP)`,
      );
    }
    const stream = options.stream ?? 0;
    if (!Number.isInteger(stream) || stream < 0 || stream > 0xffff) {
      throw new RangeError(`Cannot send: stream ${stream} is not an integer in 0..65535`);
    }
    const s = this.#sessions.get(session);
    if (s === undefined || s.state === "closing") return undefined;
    if (s.queue.length + s.unacked.size >= this.#maxQueued) return undefined;
    const m: Outgoing = {
      id: s.nextMessage++,
      ppid,
      stream,
      payload: payload.slice(),
      ack: options.ack ?? false,
      sentAt: now,
      transmissions: 0,
    };
    if (s.state === "established") this.#transmit(now, s, m);
    else s.queue.push(m);
    this.#armAck(s);
    this.#pump(now);
    return m.id;
  }

  /**
   * Acknowledges a message sent with `ack: true`: it will not be sent again.
   *
   * @param session The session.
   * @param messageId The id {@link send} returned.
   * @returns Whether the message was waiting for its acknowledgement.
   */
  acknowledge(session: SessionId, messageId: number): boolean {
    const s = this.#sessions.get(session);
    if (s === undefined || !s.unacked.delete(messageId)) return false;
    this.#armAck(s);
    return true;
  }

  /**
   * Sends a business card on an established session: the pool (and pool elements) the peer
   * should use to reach this pool user's side again.
   *
   * @param now The current time.
   * @param session The session.
   * @param card The pool handle and pool elements.
   * @returns Whether it was sent (the session is established).
   * @throws {TypeError} If the card cannot be encoded.
   */
  sendBusinessCard(
    now: number,
    session: SessionId,
    card: {
      readonly poolHandle: Uint8Array | string;
      readonly poolElements?: readonly PoolElementParameter[];
    },
  ): boolean {
    const handle = checkPoolHandle("business card", card.poolHandle);
    const s = this.#sessions.get(session);
    if (s === undefined || s.state !== "established" || s.assoc === undefined) return false;
    this.#control(s.assoc, {
      type: "business-card",
      poolHandle: handle,
      poolElements: card.poolElements ?? [],
    });
    this.#pump(now);
    return true;
  }

  /**
   * Moves an established session to another pool element now (like RSPLIB's
   * `rsp_forcefailover`), e.g. when the application finds its answers wrong or too slow.
   *
   * @param now The current time.
   * @param session The session.
   * @param reason Why (reported in `failover-started` and to the old pool element).
   * @param report Also report the old pool element unreachable to the registrar (default false:
   *   it is avoided by this session either way).
   * @returns Whether a failover started.
   */
  failover(
    now: number,
    session: SessionId,
    reason = "Failover requested",
    report = false,
  ): boolean {
    const s = this.#sessions.get(session);
    if (s === undefined || s.state !== "established" || s.assoc === undefined) return false;
    this.#abortAssoc(s, reason);
    this.#lost(now, s, reason, report);
    this.#pump(now);
    return true;
  }

  /**
   * Closes a session: an established one delivers what is queued and ends with `session-closed`
   * once the association is down; any other ends at once.
   *
   * @param now The current time.
   * @param session The session.
   */
  close(now: number, session: SessionId): void {
    const s = this.#sessions.get(session);
    if (s === undefined || s.state === "closing") return;
    if (s.state === "established" && s.assoc !== undefined) {
      this.#go(s, "close");
      this.#clearTimer(s);
      this.#actions.push({ type: "close", assoc: s.assoc, abort: false, reason: "Session closed" });
    } else {
      if (s.assoc !== undefined) this.#abortAssoc(s, "Session closed");
      this.#finish(s, "closed", "Closed by the application");
    }
    this.#pump(now);
  }

  /**
   * Closes every session and the pool user; sessions end with reason `shutdown`.
   *
   * @param now The current time.
   */
  shutdown(now: number): void {
    if (this.#shutdown) return;
    this.#shutdown = true;
    for (const s of [...this.#sessions.values()]) {
      if (s.assoc !== undefined) {
        this.#byAssoc.delete(s.assoc);
        this.#actions.push({ type: "close", assoc: s.assoc, abort: false, reason: "Shutdown" });
        s.assoc = undefined;
      }
      this.#finish(s, "shutdown", "The session layer is closed");
    }
    this.#poolUser.close(now);
    this.#pump(now);
  }

  // ---- the session machine ----

  #go(s: Session, input: SessionInput): void {
    const next = SESSION_TRANSITIONS[s.state][input];
    if (next !== undefined) s.state = next;
  }

  #setTimer(s: Session, kind: "connect" | "retry" | "ack", at: number): void {
    s.timer = kind;
    this.#deadlines.set(s.slot, at);
  }

  #clearTimer(s: Session): void {
    s.timer = undefined;
    this.#deadlines.clear(s.slot);
  }

  /** Starts an attempt: business card candidates, or a handle resolution. */
  #attempt(now: number, s: Session): void {
    s.state = "resolving";
    this.#clearTimer(s);
    const card = s.card;
    if (card !== undefined && !s.cardTried && card.poolElements.length > 0) {
      s.cardTried = true;
      s.candidates = [...card.poolElements];
      this.#go(s, "resolved");
      this.#connectNext(now, s);
      return;
    }
    const requestId = this.#poolUser.resolve(now, s.poolHandle, { items: this.#candidates });
    s.requestId = requestId;
    this.#byRequest.set(requestId, s);
  }

  #resolved(
    now: number,
    s: Session,
    elements: readonly PoolElementParameter[],
    fromCache: boolean,
  ): void {
    s.requestId = undefined;
    if (fromCache && !elements.some((pe) => this.#usable(now, s, pe))) {
      // The cache offers only pool elements this session just lost (a pool element that died
      // with an orderly close is not reported, so it stays cached): ask a registrar instead.
      const requestId = this.#poolUser.resolve(now, s.poolHandle, {
        items: this.#candidates,
        staleCacheValue: 0,
      });
      s.requestId = requestId;
      this.#byRequest.set(requestId, s);
      return;
    }
    s.candidates = [...elements];
    this.#go(s, "resolved");
    this.#connectNext(now, s);
  }

  #avoided(now: number, s: Session, id: PoolElementId): boolean {
    const until = s.avoid.get(id);
    if (until === undefined) return false;
    if (until > now) return true;
    s.avoid.delete(id);
    return false;
  }

  #usable(now: number, s: Session, pe: PoolElementParameter): boolean {
    const t = pe.userTransport;
    return (t.protocol === "tcp" || t.protocol === "sctp") && t.addresses.length > 0 &&
      !this.#avoided(now, s, pe.id);
  }

  /** Connects to the next usable candidate, or ends the attempt. */
  #connectNext(now: number, s: Session): void {
    for (let pe = s.candidates.shift(); pe !== undefined; pe = s.candidates.shift()) {
      if (!this.#usable(now, s, pe)) continue;
      const t = pe.userTransport;
      const assoc = this.#nextAssoc++;
      s.pe = pe;
      s.assoc = assoc;
      this.#byAssoc.set(assoc, s);
      s.state = "connecting";
      this.#actions.push({
        type: "connect",
        assoc,
        endpoints: t.addresses.map((address) => ({ address, port: t.port })),
        // A TCP user transport is the framing shim; an SCTP one is kernel SCTP or SCTP over UDP.
        transport: t.protocol === "tcp" ? "tcp" : "auto",
      });
      this.#setTimer(s, "connect", now + this.#connectTimeout);
      return;
    }
    this.#attemptFailed(now, s, undefined, "No usable pool element");
  }

  /** One attempt failed: back off, or give up. */
  #attemptFailed(now: number, s: Session, pe: PoolElementId | undefined, reason: string): void {
    this.#stats.failedAttempts++;
    s.attempts++;
    s.candidates = [];
    if (s.attempts >= this.#maxAttempts) {
      this.#events.push({
        type: "attempt-failed",
        session: s.id,
        poolElementId: pe,
        reason,
        retryAt: undefined,
      });
      this.#go(s, "give-up");
      this.#finish(s, "gave-up", `${s.attempts} attempts failed; the last: ${reason}`);
      return;
    }
    const base = Math.min(this.#maxRetryDelay, this.#retryDelay * 2 ** (s.attempts - 1));
    const jittered = base / 2 + (this.#rng.nextU32() / 0x100000000) * base / 2;
    const at = now + Math.max(this.#retryDelay, jittered);
    this.#events.push({
      type: "attempt-failed",
      session: s.id,
      poolElementId: pe,
      reason,
      retryAt: at,
    });
    s.state = "waiting";
    this.#setTimer(s, "retry", at);
  }

  /** The pool element failed this session: report it and keep away from it for a while. */
  #blame(now: number, s: Session, pe: PoolElementParameter, report: boolean): void {
    s.avoid.set(pe.id, now + this.#avoidTime);
    if (report && this.#report) this.#poolUser.reportUnreachable(now, s.poolHandle, pe.id);
  }

  #connectFailed(now: number, s: Session, reason: string, report: boolean): void {
    const pe = s.pe!;
    s.assoc = undefined;
    this.#clearTimer(s);
    this.#blame(now, s, pe, report);
    if (s.candidates.length > 0) {
      this.#events.push({
        type: "attempt-failed",
        session: s.id,
        poolElementId: pe.id,
        reason,
        retryAt: now,
      });
      this.#go(s, "next-candidate");
      this.#connectNext(now, s);
      return;
    }
    this.#attemptFailed(now, s, pe.id, reason);
  }

  #connected(now: number, s: Session, assoc: AssociationId): void {
    this.#clearTimer(s);
    this.#go(s, "connected");
    const pe = s.pe!;
    const failover = s.established;
    const attempts = s.attempts + 1;
    s.established = true;
    s.attempts = 0;
    s.cardTried = false;
    s.rejected = undefined;
    const control = pe.userTransport.transportUse === "data+control";
    let echoed = false;
    if (s.cookie !== undefined && control) {
      this.#control(assoc, { type: "cookie-echo", cookie: s.cookie });
      this.#stats.cookieEchoes++;
      s.echoedOn = assoc;
      echoed = true;
    }
    let resent = 0;
    if (s.unacked.size > 0) {
      const all = [...s.unacked.values()];
      let ids: readonly number[] = all.map((m) => m.id);
      if (s.resume !== undefined) {
        ids = s.resume({
          session: s.id,
          poolElement: pe,
          cookie: echoed ? s.cookie : undefined,
          unacknowledged: all.map(publicMessage),
        });
      }
      const old = s.unacked;
      s.unacked = new Map();
      for (const id of ids) {
        const m = old.get(id);
        if (m === undefined || s.unacked.has(id)) continue;
        this.#transmit(now, s, m);
        resent++;
      }
      this.#stats.resent += resent;
    }
    for (let m = s.queue.shift(); m !== undefined; m = s.queue.shift()) this.#transmit(now, s, m);
    if (failover) {
      s.failovers++;
      this.#stats.failovers++;
      this.#events.push({
        type: "failover-complete",
        session: s.id,
        poolElement: pe,
        cookieEchoed: echoed,
        resent,
        attempts,
      });
    } else {
      this.#events.push({ type: "established", session: s.id, poolElement: pe });
    }
    this.#armAck(s);
  }

  /** The established association is gone: fail over. */
  #lost(now: number, s: Session, reason: string, report: boolean): void {
    const pe = s.pe!;
    if (s.assoc !== undefined) this.#byAssoc.delete(s.assoc);
    s.assoc = undefined;
    s.echoedOn = undefined;
    this.#clearTimer(s);
    if (s.rejected !== undefined) {
      this.#go(s, "rejected");
      this.#finish(s, "cookie-rejected", s.rejected);
      return;
    }
    this.#go(s, "lost");
    this.#blame(now, s, pe, report);
    // A message that every pool element it reaches drops the association over (a request that
    // crashes them, or that they refuse) would otherwise go round the pool for ever.
    for (const m of s.unacked.values()) {
      if (m.transmissions < this.#maxAttempts) continue;
      this.#go(s, "give-up");
      this.#finish(
        s,
        "gave-up",
        `Message ${m.id} was sent on ${m.transmissions} associations and each was lost before ` +
          `it was acknowledged (the last: ${reason})`,
      );
      return;
    }
    this.#events.push({ type: "failover-started", session: s.id, poolElementId: pe.id, reason });
    this.#attempt(now, s);
  }

  #abortAssoc(s: Session, reason: string): void {
    const assoc = s.assoc;
    if (assoc === undefined) return;
    this.#byAssoc.delete(assoc);
    this.#actions.push({ type: "close", assoc, abort: true, reason });
  }

  #finish(s: Session, reason: SessionCloseReason, detail: string): void {
    if (!this.#sessions.delete(s.id)) return;
    s.state = "closed";
    this.#clearTimer(s);
    if (s.assoc !== undefined) this.#byAssoc.delete(s.assoc);
    if (s.requestId !== undefined) this.#byRequest.delete(s.requestId);
    s.assoc = undefined;
    this.#bySlot[s.slot] = undefined;
    this.#freeSlots.push(s.slot);
    this.#stats.closed++;
    this.#events.push({ type: "session-closed", session: s.id, reason, detail });
  }

  #transmit(now: number, s: Session, m: Outgoing): void {
    m.sentAt = now;
    this.#actions.push({
      type: "send",
      assoc: s.assoc!,
      ppid: m.ppid,
      stream: m.stream,
      payload: m.payload,
    });
    this.#sentIds.set(m.payload, { session: s.id, id: m.id });
    this.#stats.messagesSent++;
    if (m.ack) {
      m.transmissions++;
      s.unacked.set(m.id, m);
    }
  }

  #armAck(s: Session): void {
    if (this.#ackTimeout <= 0 || s.state !== "established") return;
    const oldest = s.unacked.values().next();
    if (oldest.done) {
      if (s.timer === "ack") this.#clearTimer(s);
      return;
    }
    this.#setTimer(s, "ack", oldest.value.sentAt + this.#ackTimeout);
  }

  #control(assoc: AssociationId, message: AsapMessage): void {
    const payload = this.#slab.copy(this.#encoder.encodeAsap(message));
    this.#actions.push({ type: "send", assoc, ppid: this.#ppid, stream: 0, payload });
  }

  /** Moves the pool user's actions and events out, handling resolutions of sessions. */
  #pump(now: number): void {
    this.#pu.pump(this.#actions, (e) => this.#onPoolUserEvent(now, e));
  }

  #onPoolUserEvent(now: number, e: PoolUserEvent): void {
    if (e.type === "resolved" || e.type === "resolution-failed") {
      const s = this.#byRequest.get(e.requestId);
      if (s !== undefined) {
        this.#byRequest.delete(e.requestId);
        if (s.requestId !== e.requestId || s.state !== "resolving") return;
        if (e.type === "resolved") this.#resolved(now, s, e.poolElements, e.fromCache);
        else {
          s.requestId = undefined;
          this.#attemptFailed(now, s, undefined, `Handle resolution failed: ${e.reason}`);
        }
        return;
      }
    }
    this.#events.push({ type: "pool-user", event: e });
  }

  #controlMessage(s: Session, assoc: AssociationId, payload: Uint8Array): void {
    const r = this.#decoder.decodeAsap(payload);
    if (r.kind !== "ok") {
      this.#events.push({
        type: "peer-error",
        session: s.id,
        cause: 0,
        detail: r.kind === "malformed" ? r.detail : "Cannot decode ASAP message: it is truncated",
      });
      return;
    }
    const m = r.message;
    switch (m.type) {
      case "cookie":
        s.cookie = m.cookie;
        this.#stats.cookies++;
        this.#events.push({ type: "cookie", session: s.id, bytes: m.cookie.length });
        return;
      case "business-card":
        s.card = { poolHandle: m.poolHandle, poolElements: m.poolElements };
        s.poolHandle = m.poolHandle;
        this.#events.push({
          type: "business-card",
          session: s.id,
          poolHandle: m.poolHandle,
          poolElements: m.poolElements,
        });
        return;
      case "asap-error": {
        const cause = m.error.causes[0]?.code ?? 0;
        const info = m.error.causes[0]?.info;
        const text = info !== undefined && info.length > 0 && isText(info)
          ? `: ${new TextDecoder().decode(info)}`
          : "";
        const detail = `ASAP Error from the pool element: ${errorCauseName(cause)}${text}`;
        if (
          s.echoedOn === assoc &&
          (cause === ErrorCause.RejectedDueToSecurity || cause === ErrorCause.InvalidValues)
        ) {
          s.rejected = `The pool element rejected the cookie: ${errorCauseName(cause)}${text}`;
        }
        this.#events.push({ type: "peer-error", session: s.id, cause, detail });
        return;
      }
      default:
        this.#events.push({
          type: "peer-error",
          session: s.id,
          cause: 0,
          detail: `Unexpected ASAP ${m.type} from a pool element`,
        });
    }
  }

  // ---- Role ----

  /**
   * An association is up: the pool user's registrar association, or a session's.
   *
   * @param now The current time.
   * @param assoc The association.
   * @param info Its addresses.
   */
  handleAssociationUp(now: number, assoc: AssociationId, info: AssociationInfo): void {
    if (this.#pu.owns(assoc)) {
      this.#pu.up(now, assoc, info);
    } else {
      const s = this.#byAssoc.get(assoc);
      if (s !== undefined && s.state === "connecting" && s.assoc === assoc) {
        this.#connected(now, s, assoc);
      } else {
        this.#actions.push({ type: "close", assoc, abort: false, reason: "Not needed" });
      }
    }
    this.#pump(now);
  }

  /**
   * A message arrived: for the pool user, or on a session (data or ASAP control).
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
    if (this.#pu.owns(assoc)) {
      this.#pu.message(now, assoc, ppid, stream, payload);
      this.#pump(now);
      return;
    }
    const s = this.#byAssoc.get(assoc);
    if (s === undefined || s.assoc !== assoc) return;
    if (ppid === this.#ppid) {
      this.#controlMessage(s, assoc, payload);
    } else if (classifyPpid(ppid).protocol !== "data") {
      this.#events.push({
        type: "peer-error",
        session: s.id,
        cause: 0,
        detail: `PPID ${ppid} is not ASAP of the ${this.#profile.toUpperCase()} profile`,
      });
    } else {
      this.#stats.messagesReceived++;
      this.#events.push({ type: "data", session: s.id, ppid, stream, payload });
    }
    this.#pump(now);
  }

  /**
   * An association went down: the pool user's, a failed connect, or a session's (failover).
   *
   * @param now The current time.
   * @param assoc The association.
   * @param down Why.
   */
  handleAssociationDown(now: number, assoc: AssociationId, down: AssociationDown): void {
    if (this.#pu.owns(assoc)) {
      this.#pu.down(now, assoc, down);
      this.#pump(now);
      return;
    }
    const s = this.#byAssoc.get(assoc);
    if (s === undefined || s.assoc !== assoc) return;
    this.#byAssoc.delete(assoc);
    const reason = `Association ${down.reason}: ${down.detail}`;
    // An orderly close is the pool element leaving, not failing: fail over without a report.
    const report = down.reason !== "closed";
    if (s.state === "connecting") this.#connectFailed(now, s, reason, report);
    else if (s.state === "established") this.#lost(now, s, reason, report);
    else if (s.state === "closing") {
      s.assoc = undefined;
      this.#go(s, "closed");
      this.#finish(s, "closed", "Closed by the application");
    }
    this.#pump(now);
  }

  /**
   * A datagram arrived (Server Announces for the pool user).
   *
   * @param now The current time.
   * @param channel The channel.
   * @param from The sender.
   * @param payload The datagram.
   */
  handleDatagram(now: number, channel: string, from: TransportAddress, payload: Uint8Array): void {
    this.#poolUser.handleDatagram(now, channel, from, payload);
    this.#pump(now);
  }

  /**
   * Runs the timers that are due: the pool user's, connect timeouts, retries, acknowledgement
   * timeouts.
   *
   * @param now The current time.
   */
  handleTimeout(now: number): void {
    const puAt = this.#poolUser.pollTimeout();
    if (puAt !== undefined && puAt <= now) this.#poolUser.handleTimeout(now);
    this.#pump(now);
    for (
      let due = this.#deadlines.popDue(now);
      due !== undefined;
      due = this.#deadlines.popDue(now)
    ) {
      const s = this.#bySlot[due.key];
      if (s === undefined) continue;
      const kind = s.timer;
      s.timer = undefined;
      if (kind === "connect" && s.state === "connecting") {
        this.#abortAssoc(s, "Connect timeout");
        this.#connectFailed(now, s, `Connect timeout after ${this.#connectTimeout} ms`, true);
      } else if (kind === "retry" && s.state === "waiting") {
        this.#go(s, "retry");
        this.#attempt(now, s);
      } else if (kind === "ack" && s.state === "established") {
        const reason = `Acknowledgement timeout after ${this.#ackTimeout} ms`;
        this.#abortAssoc(s, reason);
        this.#lost(now, s, reason, true);
      }
      this.#pump(now);
    }
  }

  /**
   * A message could not be sent: reported to the application (`send-failed`).
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
    if (this.#pu.owns(assoc)) {
      this.#pu.sendFailed(now, assoc, failure, payload);
      this.#pump(now);
      return;
    }
    const s = this.#byAssoc.get(assoc);
    if (s === undefined) return;
    const known = this.#sentIds.get(payload);
    this.#events.push({
      type: "send-failed",
      session: s.id,
      messageId: known?.session === s.id ? known.id : undefined,
      failure,
    });
  }

  /**
   * A send queue drained (passed to the pool user for its association).
   *
   * @param now The current time.
   * @param assoc The association.
   */
  handleWritable(now: number, assoc: AssociationId): void {
    if (this.#pu.owns(assoc)) {
      this.#pu.writable(now, assoc);
      this.#pump(now);
    }
  }

  /**
   * A round-trip time sample (passed to the pool user for its association).
   *
   * @param now The current time.
   * @param assoc The association.
   * @param sample The sample.
   */
  handleRttSample(now: number, assoc: AssociationId, sample: RttSample): void {
    if (this.#pu.owns(assoc)) this.#pu.rtt(now, assoc, sample);
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
    const a = this.#poolUser.pollTimeout();
    const b = this.#deadlines.size > 0 ? this.#deadlines.next() : undefined;
    if (a === undefined) return b;
    if (b === undefined) return a;
    return a < b ? a : b;
  }

  /**
   * The next event for the application.
   *
   * @returns The event, or `undefined`.
   */
  pollEvent(): SessionLayerEvent | undefined {
    return this.#events.shift();
  }
}

function publicMessage(m: Outgoing): OutgoingMessage {
  return { id: m.id, ppid: m.ppid, stream: m.stream, payload: m.payload };
}

function isText(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b < 0x20 || b > 0x7e) return false;
  return true;
}
