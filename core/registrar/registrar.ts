/**
 * The pool registrar (PR) as a sans-IO {@link Role}: the ASAP side of RFC 5352 (registration,
 * deregistration, keep-alive monitoring, endpoint unreachable, handle resolution, server
 * announce) over a {@link Handlespace}, plus the ENRP requests a registrar answers without
 * peering (List Request, Handle Table Request, Presence with the R flag).
 *
 * @see RFC 5352 (ASAP), RFC 5353 (ENRP)
 * @module
 */

import type { Handlespace } from "../handlespace/handlespace.ts";
import type { PoolElementEntry } from "../handlespace/pool_element.ts";
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
import { TimerTable } from "../timer_table.ts";
import { asapErrorReply, enrpErrorReply } from "../wire/error_reply.ts";
import { ErrorCause } from "../wire/error_cause.ts";
import type { RegistrarId } from "../wire/pool_element_parameter.ts";
import type { WireProfile } from "../wire/profile.ts";
import { WireDecoder } from "../wire/wire_decoder.ts";
import { AssociationRecord, RegistrarContext } from "./_context.ts";
import { countParameters } from "./_parameter_count.ts";
import { burstOf } from "./_rate_limiter.ts";
import type { LocalChangeListener } from "./local_change.ts";
import { UnreachableHandler } from "./_endpoint_unreachable.ts";
import { EnrpResponder } from "./_enrp_responder.ts";
import { HandleResolver } from "./_handle_resolution.ts";
import { KeepAliveMonitor } from "./_keep_alive.ts";
import { RegistrationHandler } from "./_registration.ts";
import { ServerAnnouncer } from "./_server_announce.ts";
import {
  type RegistrarConfig,
  type ResolvedRegistrarConfig,
  resolveRegistrarConfig,
  resolveTransportAddresses,
} from "./config.ts";
import type { RegistrarEvent } from "./events.ts";
import type { RegistrarStats } from "./stats.ts";
import { emptyPoolStats, type PoolStats } from "./pool_stats.ts";

/** Largest part of an unusable message echoed back as cause information. */
const ECHO_LIMIT = 1024;
const EMPTY = new Uint8Array(0);

type RegistrarTimer = "startup" | "announce";

/**
 * A pool registrar.
 *
 * **Driving it.** After every `handle*` call and every command, drain {@link pollTransmit}
 * until `undefined`, then {@link pollEvent}, then read {@link pollTimeout} and call
 * {@link handleTimeout} when that time comes (early or twice is harmless). `now` is monotonic
 * milliseconds and never goes backwards. The registrar starts with the first call that brings
 * a `now`; until then `pollTimeout()` is 0 so that a driver calls `handleTimeout` at once.
 * Payloads of `send` actions are fresh copies.
 *
 * **What it expects from the driver.** Associations accepted on the listener named
 * `asapListener` (default `"asap"`, TCP 3863 by convention) carry ASAP from PEs and PUs; those
 * on `enrpListener` (default `"enrp"`, TCP 9901) carry ENRP. Server Announces are `datagram`
 * actions on the UDP channel `announceChannel` (default `"asap-announce"`), which the
 * application must open unless `announceTargets` is empty.
 *
 * **Reactions to bad input** (never an exception): a message with the wrong PPID for its
 * listener aborts the association (as RSPLIB aborts an ASAP PPID on its ENRP socket); a
 * malformed message or one with the other profile's NG flag gets the ASAP/ENRP Error the codec
 * names; a message type a registrar does not accept gets an Error with cause Unrecognized
 * Message; an association that keeps sending such things (more than `protocolErrorBurst`,
 * refilled at one per second) is aborted. Registration problems get a Registration Response
 * with the R flag and the RFC 5354 cause. The handlespace is changed only by valid requests.
 *
 * **PE life cycle.** A Registration makes this registrar the PE's home; the PE is monitored by
 * Endpoint Keep-Alives (not by its registration life) and removed when an ack is missing, when
 * `maxBadPeReports` Endpoint Unreachable reports arrived, when it deregisters, or when the
 * association it registered over goes down (the framing shim's heartbeats detect dead peers,
 * so this is RSPLIB's SCTP behaviour). Endpoint Unreachable reports alone never remove a PE:
 * at `maxBadPeReports` the registrar sends an Endpoint Keep-Alive and removes the PE only when
 * its ack does not come in time; an ack (on the PE's own association) clears the reports.
 *
 * **DoS limits** (on by default, see `ASAP_DEFAULTS`): `maxMessageRate` per association
 * (abort), `maxHrRate` (Operation Error, Lack of Resources), `maxEuRate` (dropped),
 * `maxRegistrationsPerAssociation` and the handlespace `limits` (Registration Response, Lack
 * of Resources), `maxPoolHandleLength` (Invalid Values), `maxParameters` (ASAP Error, Invalid
 * Values), and the `protocolErrorBurst` error budget (abort).
 *
 * @example A PE registers and a PU resolves its pool, without sockets
 * ```ts
 * import { Registrar } from "./registrar.ts";
 * import { SeededRng } from "../rng.ts";
 * import { decodeAsapMessage, encodeMessage, policyParameter, PolicyType } from "../wire/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const pr = new Registrar({ rng: new SeededRng(1), profile: "rfc", id: 0x10n, announceTargets: [] });
 * const info = (port: number) => ({
 *   remote: { address: "127.0.0.1", port }, local: { address: "127.0.0.1", port: 3863 },
 *   peerMaxPayload: 65535, listener: "asap",
 * });
 * const poolHandle = new TextEncoder().encode("EchoPool");
 * pr.handleAssociationUp(0, -1, info(40000)); // the PE
 * pr.handleMessage(0, -1, 11, 0, encodeMessage({
 *   type: "registration", poolHandle,
 *   poolElement: {
 *     id: 0x1234n, homeRegistrarId: 0n, registrationLife: 90000,
 *     userTransport: { protocol: "tcp", port: 7, transportUse: "data", addresses: ["127.0.0.1"] },
 *     policy: policyParameter(PolicyType.RoundRobin),
 *   },
 * }, { profile: "rfc" }));
 * const reply = pr.pollTransmit();
 * assert.ok(reply?.type === "send");
 * const response = decodeAsapMessage(reply.payload, { profile: "rfc" });
 * assert.ok(response.kind === "ok" && response.message.type === "registration-response");
 * assert.equal(response.message.reject, false);
 * assert.equal(pr.pollEvent()?.type, "registered");
 *
 * pr.handleAssociationUp(1, -2, info(40001)); // a PU
 * pr.handleMessage(1, -2, 11, 0, encodeMessage({ type: "handle-resolution", poolHandle }, { profile: "rfc" }));
 * const answer = pr.pollTransmit();
 * assert.ok(answer?.type === "send");
 * const r = decodeAsapMessage(answer.payload, { profile: "rfc" });
 * assert.ok(r.kind === "ok" && r.message.type === "handle-resolution-response");
 * assert.equal(r.message.poolElements[0]?.id, 0x1234n);
 * assert.equal(pr.stats().handleResolutions, 1);
 * ```
 */
export class Registrar implements Role<RegistrarEvent> {
  readonly #ctx: RegistrarContext;
  readonly #decoder: WireDecoder;
  readonly #registration: RegistrationHandler;
  readonly #keepAlive: KeepAliveMonitor;
  readonly #resolver: HandleResolver;
  readonly #unreachable: UnreachableHandler;
  readonly #announcer: ServerAnnouncer;
  readonly #enrp: EnrpResponder;
  readonly #timers = new TimerTable<RegistrarTimer>(["startup", "announce"]);
  #started = false;
  #startup = true;
  #shutDown = false;
  readonly #messageBurst: number;

  /**
   * Creates a registrar.
   *
   * @param config Random source, profile, identifier, timers and limits (see {@link RegistrarConfig}).
   * @throws {TypeError} For an option of the wrong type.
   * @throws {RangeError} For an option out of range.
   */
  constructor(config: RegistrarConfig) {
    const resolved = resolveRegistrarConfig(config);
    const ctx = new RegistrarContext(
      resolved,
      config.rng,
      config.policies,
      config.selectionKernel,
    );
    this.#ctx = ctx;
    this.#decoder = new WireDecoder({ profile: resolved.profile });
    this.#registration = new RegistrationHandler(ctx);
    this.#keepAlive = new KeepAliveMonitor(ctx);
    this.#resolver = new HandleResolver(ctx);
    this.#unreachable = new UnreachableHandler(ctx, this.#keepAlive);
    this.#announcer = new ServerAnnouncer(ctx);
    this.#enrp = new EnrpResponder(ctx);
    this.#messageBurst = burstOf(resolved.maxMessageRate);
  }

  /** This registrar's identifier. */
  get id(): RegistrarId {
    return this.#ctx.id;
  }

  /** The wire profile it speaks. */
  get profile(): WireProfile {
    return this.#ctx.profile;
  }

  /** The configuration with every default applied. */
  get config(): ResolvedRegistrarConfig {
    return this.#ctx.config;
  }

  /**
   * The handlespace. Read it freely (management views, tests); change it only through the
   * registrar, or keep-alive monitoring and the statistics go out of step.
   */
  get handlespace(): Handlespace {
    return this.#ctx.handlespace;
  }

  /** Whether the startup phase (no Server Announces yet) is still on. */
  get inStartupPhase(): boolean {
    return this.#startup;
  }

  /**
   * A snapshot of the statistics counters, with the current sizes filled in.
   *
   * @returns A fresh object.
   */
  stats(): RegistrarStats {
    const ctx = this.#ctx;
    const hs = ctx.handlespace;
    return {
      ...ctx.stats,
      associations: ctx.associations.size,
      poolElements: hs.size,
      pools: hs.poolCount,
      ownedPoolElements: hs.ownedCount(ctx.id),
    };
  }

  /**
   * A snapshot of one pool's counters (registrations, re-registrations, handle resolutions,
   * Endpoint Unreachable reports) since the pool was created.
   *
   * @param poolHandle The pool handle.
   * @returns A fresh object, or `undefined` when the pool does not exist.
   * @example Count the registrations of a pool
   * ```ts
   * import { Registrar } from "./registrar.ts";
   * import { SeededRng } from "../rng.ts";
   * import { encodeMessage, policyParameter, PolicyType } from "../wire/mod.ts";
   * import assert from "node:assert/strict";
   * const pr = new Registrar({ rng: new SeededRng(1), announceTargets: [] });
   * const pool = new TextEncoder().encode("EchoPool");
   * assert.equal(pr.poolStats(pool), undefined);
   * pr.handleAssociationUp(0, -1, {
   *   remote: { address: "127.0.0.1", port: 40000 }, local: { address: "127.0.0.1", port: 3863 },
   *   peerMaxPayload: 65535, listener: "asap",
   * });
   * pr.handleMessage(0, -1, 0x4e474153, 0, encodeMessage({
   *   type: "registration", poolHandle: pool,
   *   poolElement: {
   *     id: 5n, homeRegistrarId: 0n, registrationLife: 90000,
   *     userTransport: { protocol: "tcp", port: 7, transportUse: "data", addresses: ["127.0.0.1"] },
   *     policy: policyParameter(PolicyType.RoundRobin),
   *   },
   * }));
   * assert.equal(pr.poolStats(pool)?.registrations, 1);
   * ```
   */
  poolStats(poolHandle: Uint8Array): PoolStats | undefined {
    const pool = this.#ctx.handlespace.pool(poolHandle);
    if (pool === undefined) return undefined;
    const s = this.#ctx.peekPoolCounters(pool.poolHandle);
    return s === undefined ? emptyPoolStats() : { ...s };
  }

  /**
   * Ends the startup phase now (ENRP calls this when the mentor synchronisation finished);
   * Server Announces start at once and a `startup-phase-ended` event is raised. Harmless when
   * it already ended. Without a configured `startupPhase` there is none: the registrar
   * announces from its first call.
   *
   * @param now The current time.
   */
  endStartupPhase(now: number): void {
    this.#start(now);
    if (!this.#startup) return;
    this.#leaveStartup(now);
    this.#ctx.emit({ type: "startup-phase-ended" });
  }

  #leaveStartup(now: number): void {
    this.#startup = false;
    this.#timers.stop("startup");
    if (!this.#shutDown && this.#ctx.config.announceTargets.length > 0) {
      this.#timers.set("announce", now);
    }
  }

  /**
   * Sends an Endpoint Keep-Alive with the H flag ("I am your home now", after a takeover) to a
   * PE, over its registration association or a new association to its ASAP transport, and arms
   * the keep-alive timeout. For ENRP's takeover.
   *
   * @param now The current time.
   * @param entry A live PE of this registrar's handlespace.
   * @returns False when the PE has neither an association nor an ASAP transport.
   */
  sendHomeKeepAlive(now: number, entry: PoolElementEntry): boolean {
    this.#start(now);
    return this.#keepAlive.sendKeepAlive(now, entry, true);
  }

  /**
   * Registers a function called for every change of a PE this registrar is home of (new
   * registration, re-registration, removal for any reason). ENRP sends its Handle Updates from
   * here. Listeners run synchronously inside the `handle*` call that made the change.
   *
   * @param listener The function.
   */
  addLocalChangeListener(listener: LocalChangeListener): void {
    this.#ctx.localChangeListeners.push(listener);
  }

  /**
   * The ASAP endpoints Server Announces carry (initially `asapEndpoints` of the configuration).
   *
   * @returns The endpoints.
   */
  get asapEndpoints(): readonly TransportAddress[] {
    return this.#announcer.endpoints;
  }

  /**
   * Changes the ASAP endpoints Server Announces carry, e.g. once the driver's listener is bound
   * to a port chosen by the system.
   *
   * @param endpoints Address and port of each ASAP endpoint (empty: announces carry only the
   *   registrar identifier).
   * @throws {TypeError} If an entry is not an address.
   * @throws {RangeError} If a port is not in 1..65535.
   * @throws {SyntaxError} If an address is not IP text.
   */
  setAsapEndpoints(endpoints: readonly TransportAddress[]): void {
    this.#announcer.setEndpoints(resolveTransportAddresses("asapEndpoints", endpoints));
  }

  /**
   * Stops announcing and closes every association gracefully. Associations that come up later
   * are closed at once.
   *
   * @param now The current time.
   */
  shutdown(now: number): void {
    this.#start(now);
    this.#shutDown = true;
    this.#timers.stop("announce");
    this.#timers.stop("startup");
    for (const rec of this.#ctx.associations.values()) {
      if (rec.closing) continue;
      rec.closing = true;
      this.#ctx.actions.push({ type: "close", assoc: rec.id, abort: false, reason: "Shutdown" });
    }
  }

  #start(now: number): void {
    if (this.#started) return;
    this.#started = true;
    const phase = this.#ctx.config.startupPhase;
    if (phase > 0) this.#timers.set("startup", now + phase);
    else this.#leaveStartup(now);
  }

  // ---- Role ----

  /**
   * An association is up: accepted on the ASAP or ENRP listener, or opened by the registrar.
   *
   * @param now The current time.
   * @param assoc The association.
   * @param info Its addresses and the listener that accepted it.
   */
  handleAssociationUp(now: number, assoc: AssociationId, info: AssociationInfo): void {
    this.#start(now);
    const ctx = this.#ctx;
    const cfg = ctx.config;
    let kind: "asap" | "enrp" | undefined;
    if (info.listener === undefined) {
      if (this.#keepAlive.pending.delete(assoc)) kind = "asap";
    } else if (info.listener === cfg.asapListener) kind = "asap";
    else if (info.listener === cfg.enrpListener) kind = "enrp";
    const rec = new AssociationRecord(
      now,
      assoc,
      kind ?? "asap",
      info.listener,
      info.remote,
      info.local,
      cfg,
    );
    if (info.peerIdentity !== undefined) rec.identity = info.peerIdentity;
    ctx.associations.set(assoc, rec);
    if (ctx.verbose) {
      ctx.emit({ type: "association-up", assoc, listener: info.listener, remote: rec.remote });
    }
    if (kind === undefined) {
      ctx.abort(rec, `Association from unknown listener "${String(info.listener)}"`);
    } else if (this.#shutDown) {
      rec.closing = true;
      ctx.actions.push({ type: "close", assoc, abort: false, reason: "Shutdown" });
    }
  }

  /**
   * A message arrived.
   *
   * @param now The current time.
   * @param assoc The association.
   * @param ppid Its payload protocol identifier.
   * @param _stream Its stream number (not used).
   * @param payload The message.
   */
  handleMessage(
    now: number,
    assoc: AssociationId,
    ppid: number,
    _stream: number,
    payload: Uint8Array,
  ): void {
    const ctx = this.#ctx;
    const rec = ctx.associations.get(assoc);
    if (rec === undefined || rec.closing) return;
    if (rec.kind === "asap") {
      if (ppid !== ctx.asapPpid) {
        ctx.stats.protocolErrors++;
        ctx.abort(rec, `PPID ${ppid} is not ASAP of the ${ctx.profile.toUpperCase()} profile`);
        return;
      }
      const rate = ctx.config.maxMessageRate;
      if (rate > 0 && !rec.messages.take(now, rate, this.#messageBurst)) {
        ctx.stats.associationsRateLimited++;
        ctx.abort(rec, `Message rate limit exceeded: more than ${rate} ASAP messages per second`);
        return;
      }
      this.#asap(now, rec, payload);
    } else {
      if (ppid !== ctx.enrpPpid) {
        ctx.stats.protocolErrors++;
        ctx.abort(rec, `PPID ${ppid} is not ENRP of the ${ctx.profile.toUpperCase()} profile`);
        return;
      }
      this.#enrpMessage(now, rec, payload);
    }
  }

  #asap(now: number, rec: AssociationRecord, payload: Uint8Array): void {
    const ctx = this.#ctx;
    const maxParameters = ctx.config.maxParameters;
    if (countParameters(payload, ctx.idBytes, maxParameters) > maxParameters) {
      ctx.protocolError(
        now,
        rec,
        ErrorCause.InvalidValues,
        `Cannot accept ASAP message: more than ${maxParameters} parameters`,
        {
          type: "asap-error",
          error: { causes: [{ code: ErrorCause.InvalidValues, info: EMPTY }] },
        },
      );
      return;
    }
    const r = this.#decoder.decodeAsap(payload);
    if (r.kind !== "ok") {
      if (r.kind === "need-more") {
        ctx.protocolError(
          now,
          rec,
          ErrorCause.InvalidValues,
          `Cannot decode ASAP message: ${payload.length} bytes are shorter than its Length`,
          {
            type: "asap-error",
            error: {
              causes: [{
                code: ErrorCause.InvalidValues,
                info: payload.slice(0, ECHO_LIMIT),
              }],
            },
          },
        );
      } else ctx.protocolError(now, rec, r.cause, r.detail, asapErrorReply(r));
      return;
    }
    if (r.unrecognized.length > 0) {
      const reply = asapErrorReply(r);
      if (reply !== undefined) {
        ctx.stats.errorsSent++;
        ctx.sendAsap(rec.id, reply);
      }
    }
    const m = r.message;
    switch (m.type) {
      case "handle-resolution":
        this.#resolver.handle(now, rec, m);
        return;
      case "registration":
        this.#registration.handleRegistration(now, rec, m, payload);
        return;
      case "endpoint-keep-alive-ack":
        this.#keepAlive.handleAck(now, rec, m);
        return;
      case "deregistration":
        this.#registration.handleDeregistration(now, rec, m);
        return;
      case "endpoint-unreachable":
        this.#unreachable.handle(now, rec, m);
        return;
      case "asap-error":
        ctx.stats.errorsReceived++;
        ctx.emit({
          type: "peer-protocol-error",
          assoc: rec.id,
          cause: m.error.causes[0]?.code ?? 0,
          detail: "ASAP Error received",
        });
        return;
      default: {
        const len = (payload[2]! << 8) | payload[3]!;
        ctx.protocolError(
          now,
          rec,
          ErrorCause.UnrecognizedMessage,
          `ASAP ${m.type} is not a message a registrar accepts`,
          {
            type: "asap-error",
            error: {
              causes: [{
                code: ErrorCause.UnrecognizedMessage,
                info: payload.slice(0, Math.min(len, ECHO_LIMIT)),
              }],
            },
          },
        );
      }
    }
  }

  #enrpMessage(now: number, rec: AssociationRecord, payload: Uint8Array): void {
    const ctx = this.#ctx;
    const r = this.#decoder.decodeEnrp(payload);
    if (r.kind !== "ok") {
      const detail = r.kind === "need-more"
        ? `Cannot decode ENRP message: ${payload.length} bytes are shorter than its Length`
        : r.detail;
      const reply = r.kind === "need-more"
        ? {
          type: "enrp-error" as const,
          senderId: ctx.id,
          receiverId: 0n,
          error: {
            causes: [{ code: ErrorCause.InvalidValues, info: payload.slice(0, ECHO_LIMIT) }],
          },
        }
        : enrpErrorReply(r, { senderId: ctx.id, receiverId: 0n });
      ctx.protocolError(
        now,
        rec,
        r.kind === "need-more" ? ErrorCause.InvalidValues : r.cause,
        detail,
        reply,
      );
      return;
    }
    if (r.unrecognized.length > 0) {
      const reply = enrpErrorReply(r, {
        senderId: ctx.id,
        receiverId: (r.message as { senderId: bigint }).senderId,
      });
      if (reply !== undefined) {
        ctx.stats.errorsSent++;
        ctx.sendEnrp(rec.id, reply);
      }
    }
    this.#enrp.handle(now, rec, r.message);
  }

  /**
   * An association went down. PEs registered over it are removed.
   *
   * @param now The current time.
   * @param assoc The association.
   * @param down Why.
   */
  handleAssociationDown(now: number, assoc: AssociationId, down: AssociationDown): void {
    this.#start(now);
    const ctx = this.#ctx;
    this.#keepAlive.pending.delete(assoc);
    const rec = ctx.associations.get(assoc);
    if (rec === undefined) return;
    ctx.associations.delete(assoc);
    if (ctx.verbose) ctx.emit({ type: "association-down", assoc, reason: down.reason });
    if (rec.kind !== "asap") return;
    const own = ctx.id;
    for (const entry of ctx.handlespace.removeAssociation(assoc)) {
      ctx.removed(
        now,
        entry,
        "association-down",
        entry.homeRegistrarId === own,
        assoc,
        down.reason,
      );
    }
  }

  /**
   * A datagram arrived. The registrar ignores them today (its own announces looped back, or
   * other registrars' announces); ENRP adds multicast Presence.
   *
   * @param now The current time.
   * @param _channel The channel.
   * @param _from The sender.
   * @param _payload The datagram.
   */
  handleDatagram(
    now: number,
    _channel: string,
    _from: TransportAddress,
    _payload: Uint8Array,
  ): void {
    this.#start(now);
  }

  /**
   * Runs the timers that are due: end of the startup phase, Server Announce, and the PE
   * deadlines (keep-alive transmission and timeout, lifetime expiry).
   *
   * @param now The current time.
   */
  handleTimeout(now: number): void {
    this.#start(now);
    const timers = this.#timers;
    if (timers.isExpired("startup", now)) this.endStartupPhase(now);
    if (timers.isExpired("announce", now)) timers.set("announce", this.#announcer.announce(now));
    this.#keepAlive.handleTimeout(now);
  }

  /**
   * A message could not be sent; counted (requests are not retried by the registrar).
   *
   * @param now The current time.
   * @param _assoc The association.
   * @param _failure Why.
   * @param _payload The message.
   */
  handleSendFailed(
    now: number,
    _assoc: AssociationId,
    _failure: SendFailure,
    _payload: Uint8Array,
  ): void {
    this.#start(now);
    this.#ctx.stats.sendFailures++;
  }

  /**
   * A round-trip time sample: kept as the association's distance for DPF policies.
   *
   * @param _now The current time.
   * @param assoc The association.
   * @param sample The sample.
   */
  handleRttSample(_now: number, assoc: AssociationId, sample: RttSample): void {
    const rec = this.#ctx.associations.get(assoc);
    if (rec !== undefined) rec.srtt = sample.srtt;
  }

  /**
   * The next action for the driver.
   *
   * @returns The action, or `undefined`.
   */
  pollTransmit(): RoleAction | undefined {
    return this.#ctx.actions.shift();
  }

  /**
   * When {@link handleTimeout} should run next.
   *
   * @returns The deadline (0 before the first call with a `now`), or `undefined` for never.
   */
  pollTimeout(): number | undefined {
    if (!this.#started) return 0;
    const a = this.#timers.nextTimeout();
    const b = this.#ctx.handlespace.nextDeadline();
    if (a === undefined) return b;
    if (b === undefined) return a;
    return a < b ? a : b;
  }

  /**
   * The next event for the application.
   *
   * @returns The event, or `undefined`.
   */
  pollEvent(): RegistrarEvent | undefined {
    return this.#ctx.events.shift();
  }
}
