/**
 * The pool user (PU) side of ASAP as a sans-IO {@link Role}: handle resolution with a local
 * cache selected by the pool's policy, Endpoint Unreachable reports, and failover between
 * registrars.
 *
 * @see RFC 5352 sections 3.6-3.8
 * @module
 */

import { Fifo } from "../fifo.ts";
import { PayloadSlab } from "../payload_slab.ts";
import { defaultPolicies, type PolicyRegistry } from "../policy/registry.ts";
import type { Rng } from "../rng.ts";
import type {
  AssociationDown,
  AssociationId,
  AssociationInfo,
  Role,
  RoleAction,
  SendFailure,
  TransportAddress,
} from "../role.ts";
import { TimerTable } from "../timer_table.ts";
import type { AsapMessage, HandleResolutionResponseMessage } from "../wire/asap_message.ts";
import { ErrorCause } from "../wire/error_cause.ts";
import type {
  PoolElementId,
  PoolElementParameter,
  RegistrarId,
} from "../wire/pool_element_parameter.ts";
import type { PolicyParameter } from "../wire/policy_parameter.ts";
import { asapPpid, maxId, type WireProfile } from "../wire/profile.ts";
import { WireDecoder } from "../wire/wire_decoder.ts";
import { WireEncoder } from "../wire/wire_encoder.ts";
import { ASAP_DEFAULTS } from "./defaults.ts";
import { checkPoolHandle, checkTime, handleKey, receivedAsap, sameBytes } from "./_checks.ts";
import { PoolCache } from "./_pu_cache.ts";
import { huntFromConfig, type RegistrarHunt } from "./_registrar_hunt.ts";

/** Options of a {@link PoolUser}. Times are milliseconds; defaults are `ASAP_DEFAULTS`. */
export interface PoolUserConfig {
  /** Random source (hunt order, random policies on the cache). */
  readonly rng: Rng;
  /** Wire profile: `"ng"` (default) or `"rfc"`. */
  readonly profile?: WireProfile;
  /** Static registrar list; combined with announces heard on `announceChannel`. */
  readonly registrars?: readonly TransportAddress[];
  /** UDP channel on which Server Announces arrive (default `"asap-announce"`). */
  readonly announceChannel?: string;
  /** Lifetime of cached handle resolution results; 0 = no cache (default 30000). */
  readonly staleCacheValue?: number;
  /** PEs a resolve() returns when the call does not say (default 1). */
  readonly resolveItems?: number;
  /** Wait for a registrar's response (default 3000). */
  readonly responseTimeout?: number;
  /** Transmissions of one request across registrar failovers (default 3). */
  readonly requestMaxTrials?: number;
  /** Hunt rounds without a registrar before pending requests fail (default 1). */
  readonly registrarHuntRounds?: number;
  /** Lifetime of a registrar learned from an announce (default 5000). */
  readonly registrarAnnounceTimeout?: number;
  /** Length of one registrar hunt round (default 7500). */
  readonly registrarConnectTimeout?: number;
  /** Registrars contacted at once (default 3). */
  readonly maxSimultaneousConnects?: number;
  /** Most resolutions waiting for an answer (default 4096). */
  readonly maxPendingRequests?: number;
  /** The policies known for cache selection (default every built-in policy). */
  readonly policies?: PolicyRegistry;
}

/** Options of one {@link PoolUser.resolve} call. */
export interface ResolveOptions {
  /** How many PEs (1..128), or `"all"` (as many as the registrar gives); default `resolveItems`. */
  readonly items?: number | "all";
  /** Cache lifetime for this call's results; 0 = ask the registrar (default the PU's). */
  readonly staleCacheValue?: number;
}

/** Why a resolution failed. */
export type ResolutionFailure =
  | "unknown-pool"
  | "rejected"
  | "timeout"
  | "no-registrar"
  | "overload"
  | "closed";

/** An event of a {@link PoolUser}. */
export type PoolUserEvent =
  | {
    /** A resolution succeeded. */
    readonly type: "resolved";
    /** The id {@link PoolUser.resolve} returned. */
    readonly requestId: number;
    /** The pool handle. */
    readonly poolHandle: Uint8Array;
    /** The selected PEs (at least one), best first by the pool's policy. */
    readonly poolElements: readonly PoolElementParameter[];
    /** The pool's policy as the registrar reported it (undefined for a cache hit). */
    readonly policy: PolicyParameter | undefined;
    /** Whether the cache answered (no network traffic). */
    readonly fromCache: boolean;
  }
  | {
    /** A resolution failed. */
    readonly type: "resolution-failed";
    /** The id {@link PoolUser.resolve} returned. */
    readonly requestId: number;
    /** The pool handle. */
    readonly poolHandle: Uint8Array;
    /** Why. */
    readonly reason: ResolutionFailure;
    /** The registrar's Operation Error cause, or 0. */
    readonly cause: number;
  }
  | {
    /** An association to a registrar is up; requests flow over it. */
    readonly type: "registrar-connected";
    /** The registrar's identifier (0 when not known from an announce). */
    readonly registrarId: RegistrarId;
    /** The association. */
    readonly assoc: AssociationId;
  }
  | {
    /** The association to the registrar is gone. */
    readonly type: "registrar-lost";
    /** The registrar's identifier. */
    readonly registrarId: RegistrarId;
    /** Why. */
    readonly reason: string;
  }
  | {
    /** A hunt round reached no registrar. */
    readonly type: "registrar-hunt-failed";
    /** Rounds failed so far in this hunt. */
    readonly round: number;
  }
  | {
    /** The registrar sent something malformed or unexpected; the association was aborted. */
    readonly type: "peer-protocol-error";
    /** The association. */
    readonly assoc: AssociationId;
    /** What was wrong. */
    readonly detail: string;
  };

/** Counters of a {@link PoolUser}. */
export interface PoolUserStats {
  /** resolve() calls. */
  resolutions: number;
  /** resolve() calls answered from the cache. */
  cacheHits: number;
  /** Handle Resolutions sent (including retransmissions). */
  requestsSent: number;
  /** Resolutions that failed. */
  failures: number;
  /** Endpoint Unreachable reports sent. */
  unreachableReports: number;
  /** Registrar associations lost. */
  registrarsLost: number;
  /** Malformed or unexpected messages received. */
  protocolErrors: number;
}

interface Waiter {
  readonly requestId: number;
  readonly items: number;
}

/** One Handle Resolution on the wire; it may answer several resolve() calls (a shared cache fill). */
interface Request {
  readonly poolHandle: Uint8Array;
  readonly key: string;
  readonly option: number | undefined;
  readonly stale: number;
  readonly waiters: Waiter[];
  trials: number;
}

interface RegistrarLink {
  readonly assoc: AssociationId;
  readonly id: RegistrarId;
}

const ALL = 0xffffffff;
/** What a registrar returns without a Handle Resolution option (RSPLIB's and ours). */
const REGISTRAR_DEFAULT_ITEMS = ASAP_DEFAULTS.maxHandleResolutionItems.value;
/** Endpoint Unreachable reports kept while no registrar is connected. */
const MAX_QUEUED_REPORTS = 256;

/**
 * A pool user.
 *
 * **Driving it.** As every role: after each `handle*` call and each command, drain
 * {@link pollTransmit}, then {@link pollEvent}, then arm a timer for {@link pollTimeout}.
 *
 * **Resolving.** {@link resolve} returns a request id at once; the answer is a `resolved` or
 * `resolution-failed` event with that id (a cache hit answers within the same call). With a
 * cache lifetime > 0, the registrar's PEs are cached per pool and every resolve selects from the
 * cache with the pool's policy (the registrar's own selection code) until they are stale;
 * concurrent resolves of one pool share one Handle Resolution. With lifetime 0 every resolve
 * asks the registrar for exactly the PEs wanted (Handle Resolution option). Requests are
 * pipelined on one association and matched to responses in order.
 *
 * **Failover.** No registrar association: a hunt (static list and announces, up to 3 at
 * once). A missing response (`responseTimeout`), a malformed or unexpected message or the loss
 * of the association: the association is dropped and pending requests are sent again to the
 * next registrar found, up to `requestMaxTrials` transmissions each. When a hunt fails
 * `registrarHuntRounds` rounds, pending requests fail with `no-registrar`.
 *
 * @example A cache hit needs no registrar
 * ```ts
 * import { PoolUser } from "./pool_user.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const pu = new PoolUser({ rng: new SeededRng(1), registrars: [{ address: "127.0.0.1", port: 3863 }] });
 * const id = pu.resolve(0, "EchoPool");
 * assert.equal(pu.pollTransmit()?.type, "connect"); // nothing cached: find a registrar
 * assert.equal(pu.pendingRequests, 1);
 * assert.equal(typeof id, "number");
 * ```
 */
export class PoolUser implements Role<PoolUserEvent> {
  readonly #profile: WireProfile;
  readonly #ppid: number;
  readonly #rng: Rng;
  readonly #stale: number;
  readonly #items: number;
  readonly #responseTimeout: number;
  readonly #maxTrials: number;
  readonly #huntRounds: number;
  readonly #maxPending: number;
  readonly #announceChannel: string;
  readonly #policies: PolicyRegistry;
  readonly #encoder: WireEncoder;
  readonly #decoder: WireDecoder;
  readonly #hunt: RegistrarHunt;
  readonly #actions = new Fifo<RoleAction>();
  readonly #slab = new PayloadSlab();
  readonly #events = new Fifo<PoolUserEvent>();
  readonly #timers = new TimerTable<"response">(["response"]);
  readonly #cache = new Map<string, PoolCache>();
  #queue = new Fifo<Request>();
  #inflight = new Fifo<Request>();
  readonly #sharing = new Map<string, Request>();
  readonly #reports = new Fifo<AsapMessage>();
  readonly #stats: PoolUserStats = {
    resolutions: 0,
    cacheHits: 0,
    requestsSent: 0,
    failures: 0,
    unreachableReports: 0,
    registrarsLost: 0,
    protocolErrors: 0,
  };
  #link: RegistrarLink | undefined = undefined;
  #pending = 0;
  #nextRequest = 1;
  #closed = false;

  /**
   * Creates a pool user (nothing is sent before the first resolve or report).
   *
   * @param config Registrars, cache lifetime and timers.
   * @throws {TypeError} For an option of the wrong type.
   * @throws {RangeError} For an option out of range.
   */
  constructor(config: PoolUserConfig) {
    if (config === null || typeof config !== "object") {
      throw new TypeError("Cannot create pool user: the configuration must be an object");
    }
    const profile = config.profile ?? "ng";
    if (profile !== "rfc" && profile !== "ng") {
      throw new TypeError(
        `Cannot create pool user: profile "${String(profile)}" is not "rfc" or "ng"`,
      );
    }
    const rng = config.rng;
    if (rng === undefined || typeof rng.nextU32 !== "function") {
      throw new TypeError("Cannot create pool user: rng must be an Rng");
    }
    const d = ASAP_DEFAULTS;
    const role = "pool user";
    this.#profile = profile;
    this.#ppid = asapPpid(profile);
    this.#rng = rng;
    this.#stale = checkTime(
      role,
      "staleCacheValue",
      config.staleCacheValue ?? d.staleCacheValue.value,
      0,
    );
    this.#items = checkItems(config.resolveItems ?? d.resolveItems.value);
    this.#responseTimeout = checkTime(
      role,
      "responseTimeout",
      config.responseTimeout ?? d.responseTimeout.value,
      1,
    );
    this.#maxTrials = checkTime(
      role,
      "requestMaxTrials",
      config.requestMaxTrials ?? d.requestMaxTrials.value,
      1,
    );
    this.#huntRounds = checkTime(
      role,
      "registrarHuntRounds",
      config.registrarHuntRounds ?? d.registrarHuntRounds.value,
      1,
    );
    this.#maxPending = checkTime(
      role,
      "maxPendingRequests",
      config.maxPendingRequests ?? d.maxPendingRequests.value,
      1,
    );
    this.#announceChannel = config.announceChannel ?? "asap-announce";
    this.#policies = config.policies ?? defaultPolicies;
    this.#encoder = new WireEncoder({ profile });
    this.#decoder = new WireDecoder({ profile });
    this.#hunt = huntFromConfig(role, config, rng, this.#actions, (now, round) => {
      this.#events.push({ type: "registrar-hunt-failed", round });
      if (round >= this.#huntRounds) {
        this.#hunt.stop();
        this.#failQueued(now, "no-registrar");
      }
    });
  }

  /** The wire profile. */
  get profile(): WireProfile {
    return this.#profile;
  }

  /** Resolutions waiting for an answer. */
  get pendingRequests(): number {
    return this.#pending;
  }

  /** The association to the current registrar, if one is up. */
  get registrarAssociation(): AssociationId | undefined {
    return this.#link?.assoc;
  }

  /**
   * A snapshot of the counters.
   *
   * @returns A fresh object.
   */
  stats(): PoolUserStats {
    return { ...this.#stats };
  }

  /**
   * The unexpired cached PEs of a pool (no selection, no network).
   *
   * @param now The current time.
   * @param poolHandle The pool handle.
   * @returns The cached PEs, in no particular order.
   */
  cached(now: number, poolHandle: Uint8Array | string): PoolElementParameter[] {
    const handle = checkPoolHandle("pool user request", poolHandle);
    return this.#cache.get(handleKey(handle))?.values(now) ?? [];
  }

  /**
   * Resolves a pool handle to PEs selected by the pool's policy. The answer is a `resolved` or
   * `resolution-failed` event carrying the returned id.
   *
   * @param now The current time.
   * @param poolHandle The pool handle (bytes, or text encoded as UTF-8).
   * @param options How many PEs and the cache lifetime.
   * @returns The request id.
   * @throws {TypeError} If the pool handle is not bytes or text.
   * @throws {RangeError} If the pool handle is empty or an option is out of range.
   */
  resolve(now: number, poolHandle: Uint8Array | string, options: ResolveOptions = {}): number {
    const handle = checkPoolHandle("pool user request", poolHandle);
    const itemsOption = options.items ?? this.#items;
    const items = itemsOption === "all" ? ALL : checkItems(itemsOption);
    const stale = checkTime(
      "pool user request",
      "staleCacheValue",
      options.staleCacheValue ?? this.#stale,
      0,
    );
    const requestId = this.#nextRequest++;
    this.#stats.resolutions++;
    if (this.#closed) {
      this.#failed(requestId, handle, "closed", 0);
      return requestId;
    }
    const key = handleKey(handle);
    if (stale > 0) {
      const cache = this.#cache.get(key);
      if (cache !== undefined) {
        const selected = cache.select(items === ALL ? cache.size(now) : items, this.#rng, now);
        if (selected.length > 0) {
          this.#stats.cacheHits++;
          this.#events.push({
            type: "resolved",
            requestId,
            poolHandle: cache.poolHandle,
            poolElements: selected,
            policy: undefined,
            fromCache: true,
          });
          return requestId;
        }
      }
    }
    if (this.#pending >= this.#maxPending) {
      this.#failed(requestId, handle, "overload", 0);
      return requestId;
    }
    this.#pending++;
    const waiter = { requestId, items };
    if (stale > 0 && items !== ALL) {
      const shared = this.#sharing.get(key);
      if (shared !== undefined && (shared.option ?? REGISTRAR_DEFAULT_ITEMS) >= items) {
        shared.waiters.push(waiter);
        return requestId;
      }
    }
    // With the cache on and a count up to the registrar's default, the default fills the cache
    // (RSPLIB, behaviour.md §7); otherwise the option asks for what is wanted, so a resolve for
    // more PEs than the default is not cut short.
    const request: Request = {
      poolHandle: handle,
      key,
      option: items === ALL || stale === 0 || items > REGISTRAR_DEFAULT_ITEMS ? items : undefined,
      stale,
      waiters: [waiter],
      trials: 0,
    };
    if (stale > 0 && items !== ALL) this.#sharing.set(key, request);
    this.#queue.push(request);
    this.#flush(now);
    return requestId;
  }

  /**
   * Reports a PE the application could not reach: it leaves the cache at once and an Endpoint
   * Unreachable goes to the registrar (no answer is expected).
   *
   * @param now The current time.
   * @param poolHandle The pool handle.
   * @param peId The PE's identifier.
   * @throws {TypeError} If the pool handle is not bytes or text.
   * @throws {RangeError} If the identifier is not a non-zero identifier of the profile.
   */
  reportUnreachable(now: number, poolHandle: Uint8Array | string, peId: PoolElementId): void {
    const handle = checkPoolHandle("pool user report", poolHandle);
    if (typeof peId !== "bigint" || peId <= 0n || peId > maxId(this.#profile)) {
      throw new RangeError(`Cannot report PE: identifier ${String(peId)} is out of range`);
    }
    if (this.#closed) return;
    this.#cache.get(handleKey(handle))?.delete(peId);
    if (this.#reports.length >= MAX_QUEUED_REPORTS) this.#reports.shift();
    this.#reports.push({ type: "endpoint-unreachable", poolHandle: handle, poolElementId: peId });
    this.#flush(now);
  }

  /**
   * Fails every pending resolution (`closed`) and closes the registrar association.
   *
   * @param _now The current time.
   */
  close(_now: number): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#hunt.stop();
    this.#timers.stop("response");
    const waiting = [...this.#inflight.toArray(), ...this.#queue.toArray()];
    this.#inflight.clear();
    this.#queue.clear();
    this.#sharing.clear();
    this.#reports.clear();
    for (const r of waiting) this.#failRequest(r, "closed", 0);
    const link = this.#link;
    this.#link = undefined;
    if (link !== undefined) {
      this.#actions.push({ type: "close", assoc: link.assoc, abort: false, reason: "Closed" });
    }
  }

  #failed(requestId: number, poolHandle: Uint8Array, reason: ResolutionFailure, cause: number) {
    this.#stats.failures++;
    this.#events.push({ type: "resolution-failed", requestId, poolHandle, reason, cause });
  }

  #failRequest(r: Request, reason: ResolutionFailure, cause: number): void {
    if (this.#sharing.get(r.key) === r) this.#sharing.delete(r.key);
    for (const w of r.waiters) {
      this.#pending--;
      this.#failed(w.requestId, r.poolHandle, reason, cause);
    }
  }

  #failQueued(_now: number, reason: ResolutionFailure): void {
    const queued = this.#queue.toArray();
    this.#queue.clear();
    this.#reports.clear();
    for (const r of queued) this.#failRequest(r, reason, 0);
  }

  #send(assoc: AssociationId, message: AsapMessage): void {
    const payload = this.#slab.copy(this.#encoder.encodeAsap(message));
    this.#actions.push({ type: "send", assoc, ppid: this.#ppid, stream: 0, payload });
  }

  /** Sends what waits, or finds a registrar first. */
  #flush(now: number): void {
    const link = this.#link;
    if (link === undefined) {
      if (this.#queue.length > 0 || this.#reports.length > 0) this.#hunt.begin(now);
      return;
    }
    for (let m = this.#reports.shift(); m !== undefined; m = this.#reports.shift()) {
      this.#stats.unreachableReports++;
      this.#send(link.assoc, m);
    }
    for (let r = this.#queue.shift(); r !== undefined; r = this.#queue.shift()) {
      r.trials++;
      this.#stats.requestsSent++;
      this.#send(
        link.assoc,
        r.option === undefined
          ? { type: "handle-resolution", poolHandle: r.poolHandle }
          : { type: "handle-resolution", poolHandle: r.poolHandle, items: r.option },
      );
      if (this.#inflight.length === 0) this.#timers.set("response", now + this.#responseTimeout);
      this.#inflight.push(r);
    }
  }

  /** The registrar association failed: resend what was in flight elsewhere. */
  #lost(now: number, reason: string): void {
    const link = this.#link;
    if (link === undefined) return;
    this.#link = undefined;
    this.#timers.stop("response");
    this.#stats.registrarsLost++;
    this.#events.push({ type: "registrar-lost", registrarId: link.id, reason });
    const queue = new Fifo<Request>();
    for (const r of [...this.#inflight.toArray(), ...this.#queue.toArray()]) {
      if (r.trials >= this.#maxTrials) this.#failRequest(r, "timeout", 0);
      else queue.push(r);
    }
    this.#inflight = new Fifo<Request>();
    this.#queue = queue;
    this.#flush(now);
  }

  #fail(now: number, reason: string): void {
    const link = this.#link;
    if (link === undefined) return;
    this.#actions.push({ type: "close", assoc: link.assoc, abort: true, reason });
    this.#lost(now, reason);
  }

  #protocolError(now: number, assoc: AssociationId, detail: string): void {
    this.#stats.protocolErrors++;
    this.#events.push({ type: "peer-protocol-error", assoc, detail });
    this.#fail(now, detail);
  }

  #answered(now: number, r: Request, m: HandleResolutionResponseMessage): void {
    if (this.#sharing.get(r.key) === r) this.#sharing.delete(r.key);
    const error = m.error;
    if (error !== undefined || m.poolElements.length === 0) {
      const cause = error?.causes[0]?.code ?? ErrorCause.UnknownPoolHandle;
      if (cause === ErrorCause.UnknownPoolHandle) this.#cache.delete(r.key);
      this.#failRequest(
        r,
        cause === ErrorCause.UnknownPoolHandle ? "unknown-pool" : "rejected",
        cause,
      );
      return;
    }
    if (r.stale > 0) {
      let cache = this.#cache.get(r.key);
      if (cache === undefined) {
        cache = new PoolCache(r.poolHandle, this.#policies);
        this.#cache.set(r.key, cache);
      }
      cache.put(m.policy, m.poolElements, now + r.stale);
      for (const w of r.waiters) {
        this.#pending--;
        const selected = cache.select(w.items === ALL ? cache.size(now) : w.items, this.#rng, now);
        this.#events.push({
          type: "resolved",
          requestId: w.requestId,
          poolHandle: r.poolHandle,
          poolElements: selected.length > 0 ? selected : m.poolElements.slice(0, w.items),
          policy: m.policy,
          fromCache: false,
        });
      }
      return;
    }
    for (const w of r.waiters) {
      this.#pending--;
      this.#events.push({
        type: "resolved",
        requestId: w.requestId,
        poolHandle: r.poolHandle,
        poolElements: w.items === ALL ? m.poolElements : m.poolElements.slice(0, w.items),
        policy: m.policy,
        fromCache: false,
      });
    }
  }

  // ---- Role ----

  /**
   * An association is up: the first hunt attempt to come up becomes the registrar association.
   *
   * @param now The current time.
   * @param assoc The association.
   * @param _info Its addresses.
   */
  handleAssociationUp(now: number, assoc: AssociationId, _info: AssociationInfo): void {
    const winner = this.#hunt.up(assoc);
    if (winner === undefined || this.#closed) {
      this.#actions.push({ type: "close", assoc, abort: false, reason: "Not needed" });
      return;
    }
    this.#link = { assoc, id: winner.id };
    this.#events.push({ type: "registrar-connected", registrarId: winner.id, assoc });
    this.#flush(now);
  }

  /**
   * A message arrived from the registrar.
   *
   * @param now The current time.
   * @param assoc The association.
   * @param ppid Its payload protocol identifier.
   * @param _stream Its stream number.
   * @param payload The message.
   */
  handleMessage(
    now: number,
    assoc: AssociationId,
    ppid: number,
    _stream: number,
    payload: Uint8Array,
  ): void {
    if (this.#link?.assoc !== assoc) return;
    const m = receivedAsap(this.#decoder, this.#profile, ppid, payload);
    if (typeof m === "string") {
      this.#protocolError(now, assoc, m);
      return;
    }
    if (m.type === "handle-resolution-response") {
      const head = this.#inflight.peek();
      if (head === undefined || !sameBytes(head.poolHandle, m.poolHandle)) {
        this.#protocolError(now, assoc, "Handle Resolution Response that answers no request");
        return;
      }
      this.#inflight.shift();
      if (this.#inflight.length === 0) this.#timers.stop("response");
      else this.#timers.set("response", now + this.#responseTimeout);
      this.#answered(now, head, m);
      return;
    }
    if (m.type === "asap-error") {
      // Our request was refused as malformed: the oldest one fails; resending cannot help.
      const head = this.#inflight.shift();
      if (head !== undefined) {
        if (this.#inflight.length === 0) this.#timers.stop("response");
        this.#failRequest(head, "rejected", m.error.causes[0]?.code ?? 0);
      }
      return;
    }
    this.#protocolError(now, assoc, `Unexpected ASAP ${m.type} from a registrar`);
  }

  /**
   * An association went down: a failed hunt attempt, or the registrar association (pending
   * requests go to the next registrar).
   *
   * @param now The current time.
   * @param assoc The association.
   * @param down Why.
   */
  handleAssociationDown(now: number, assoc: AssociationId, down: AssociationDown): void {
    if (this.#hunt.down(now, assoc)) return;
    if (this.#link?.assoc === assoc) this.#lost(now, `Association ${down.reason}: ${down.detail}`);
  }

  /**
   * A datagram arrived: Server Announces on the announce channel feed the registrar list.
   *
   * @param now The current time.
   * @param channel The channel.
   * @param from The sender.
   * @param payload The datagram.
   */
  handleDatagram(now: number, channel: string, from: TransportAddress, payload: Uint8Array): void {
    if (channel !== this.#announceChannel || this.#closed) return;
    const r = this.#decoder.decodeAsap(payload);
    if (r.kind === "ok" && r.message.type === "server-announce") {
      this.#hunt.announce(now, from, r.message);
    }
  }

  /**
   * Runs the timers that are due: hunt rounds and the response timeout.
   *
   * @param now The current time.
   */
  handleTimeout(now: number): void {
    this.#hunt.handleTimeout(now);
    if (this.#timers.isExpired("response", now)) {
      this.#timers.stop("response");
      this.#fail(now, "Registrar response timeout");
    }
  }

  /**
   * A message could not be sent (the response timeout deals with a lost request).
   *
   * @param _now The current time.
   * @param _assoc The association.
   * @param _failure Why.
   * @param _payload The message.
   */
  handleSendFailed(
    _now: number,
    _assoc: AssociationId,
    _failure: SendFailure,
    _payload: Uint8Array,
  ): void {
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
    const a = this.#timers.nextTimeout();
    const b = this.#hunt.nextTimeout();
    if (a === undefined) return b;
    if (b === undefined) return a;
    return a < b ? a : b;
  }

  /**
   * The next event for the application.
   *
   * @returns The event, or `undefined`.
   */
  pollEvent(): PoolUserEvent | undefined {
    return this.#events.shift();
  }
}

function checkItems(items: number): number {
  if (!Number.isInteger(items) || items < 1 || items > 128) {
    throw new RangeError(`Cannot resolve: items ${items} is not "all" or an integer in 1..128`);
  }
  return items;
}
