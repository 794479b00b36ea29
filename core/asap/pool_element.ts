/**
 * The pool element (PE) side of ASAP as a sans-IO {@link Role}: finds a registrar, registers,
 * re-registers on an interval and when its policy information changes, answers keep-alives,
 * moves to another registrar when its home fails, and deregisters on shutdown.
 *
 * @see RFC 5352 sections 3.1-3.6
 * @module
 */

import { Fifo } from "../fifo.ts";
import { PayloadSlab } from "../payload_slab.ts";
import { randomIdentifier, type Rng } from "../rng.ts";
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
import type { AsapMessage, EndpointKeepAliveMessage } from "../wire/asap_message.ts";
import { errorCauseName } from "../wire/error_cause.ts";
import { canonicalIpAddress } from "../wire/ip_address.ts";
import type { PoolElementId, RegistrarId } from "../wire/pool_element_parameter.ts";
import type { PolicyParameter } from "../wire/policy_parameter.ts";
import { asapPpid, maxId, type WireProfile } from "../wire/profile.ts";
import type {
  TransportParameter,
  TransportProtocol,
  TransportUse,
} from "../wire/transport_parameter.ts";
import { WireDecoder } from "../wire/wire_decoder.ts";
import { WireEncoder } from "../wire/wire_encoder.ts";
import { ASAP_DEFAULTS } from "./defaults.ts";
import {
  POOL_ELEMENT_TRANSITIONS,
  type PoolElementInput,
  type PoolElementState,
} from "./pool_element_state.ts";
import { huntFromConfig, type RegistrarCandidate, type RegistrarHunt } from "./_registrar_hunt.ts";
import { checkPoolHandle, checkTime, receivedAsap, sameBytes } from "./_checks.ts";

/** The pool element's user transport: where pool users reach it. */
export interface PoolElementTransport {
  /** The transport protocol pool users connect with. */
  readonly protocol: TransportProtocol;
  /** The port (1..65535). */
  readonly port: number;
  /** Data only (default) or data plus ASAP control (SCTP and TCP only). */
  readonly transportUse?: TransportUse;
  /**
   * The addresses (exactly one except for SCTP). Default: the local address of the association
   * to the registrar, i.e. the address the registrar sees the PE coming from.
   */
  readonly addresses?: readonly string[];
  /** DCCP service code (DCCP only). */
  readonly dccpServiceCode?: number;
}

/** Options of a {@link PoolElement}. Times are milliseconds; defaults are `ASAP_DEFAULTS`. */
export interface PoolElementConfig {
  /** Random source (identifier, hunt order). */
  readonly rng: Rng;
  /** Wire profile: `"ng"` (default) or `"rfc"`. */
  readonly profile?: WireProfile;
  /** The pool to join (bytes, or text encoded as UTF-8). */
  readonly poolHandle: Uint8Array | string;
  /** The PE identifier (non-zero, of the profile's width); default random. Kept for life. */
  readonly id?: PoolElementId;
  /** The policy and its information (e.g. load); change it with {@link PoolElement.updatePolicy}. */
  readonly policy: PolicyParameter;
  /** Where pool users reach the PE. */
  readonly userTransport: PoolElementTransport;
  /** Static registrar list; combined with announces heard on `announceChannel`. */
  readonly registrars?: readonly TransportAddress[];
  /** UDP channel on which Server Announces arrive (default `"asap-announce"`). */
  readonly announceChannel?: string;
  /** Time between re-registrations (default 30000). */
  readonly reRegistrationInterval?: number;
  /** Registration Life sent (default 3 × `reRegistrationInterval`). */
  readonly registrationLife?: number;
  /** Least time between policy-driven re-registrations (default 250). */
  readonly policyUpdateInterval?: number;
  /** Wait for a registrar's response (default 3000). */
  readonly responseTimeout?: number;
  /** Lifetime of a registrar learned from an announce (default 5000). */
  readonly registrarAnnounceTimeout?: number;
  /** Length of one registrar hunt round (default 7500). */
  readonly registrarConnectTimeout?: number;
  /** Registrars contacted at once (default 3). */
  readonly maxSimultaneousConnects?: number;
  /**
   * NG profile only: the port of a TCP listener this PE runs for registrars (the driver accepts
   * associations there and hands them to the PE). It is named in the Registration as the PE's
   * ASAP transport (an NG extension; RFC registrars refuse it), so a registrar that takes the PE
   * over, or is suggested to, can reach it with an Endpoint Keep-Alive carrying the H flag.
   * Default none: after a takeover the PE moves by registering again on its own.
   */
  readonly asapPort?: number;
}

/** An event of a {@link PoolElement}. */
export type PoolElementEvent =
  | {
    /** Registered at a registrar (the first time, or again after a change of registrar). */
    readonly type: "registered";
    /** The registrar's identifier (0 until it is known from an announce or a keep-alive). */
    readonly registrarId: RegistrarId;
    /** The association to it. */
    readonly assoc: AssociationId;
  }
  | {
    /** A re-registration (interval or policy update) was accepted. */
    readonly type: "re-registered";
    /** The registrar's identifier. */
    readonly registrarId: RegistrarId;
  }
  | {
    /** The registrar refused the registration; it is retried after the re-registration interval. */
    readonly type: "registration-failed";
    /** The RFC 5354 cause. */
    readonly cause: number;
    /** The cause's name. */
    readonly reason: string;
  }
  | {
    /** The home registrar changed. */
    readonly type: "home-changed";
    /** The old home's identifier (0 if it was not known). */
    readonly from: RegistrarId;
    /** The new home's identifier (0 if not known yet). */
    readonly to: RegistrarId;
    /**
     * `"failover"`: registered at another registrar after losing the old one;
     * `"takeover"`: a registrar claimed the PE with an H-flag keep-alive;
     * `"keep-alive"`: the registrar named itself in a keep-alive.
     */
    readonly reason: "failover" | "takeover" | "keep-alive";
  }
  | {
    /** The association to the registrar is gone; a new hunt starts. */
    readonly type: "registrar-lost";
    /** The registrar's identifier. */
    readonly registrarId: RegistrarId;
    /** Why. */
    readonly reason: string;
  }
  | {
    /** A hunt round reached no registrar; the next round follows. */
    readonly type: "registrar-hunt-failed";
    /** Rounds failed so far in this hunt. */
    readonly round: number;
  }
  | {
    /** The registrar acknowledged the deregistration. */
    readonly type: "deregistered";
    /** The registrar's identifier. */
    readonly registrarId: RegistrarId;
  }
  | {
    /** The registrar (or a peer claiming to be one) sent something malformed or unexpected. */
    readonly type: "peer-protocol-error";
    /** The association (aborted). */
    readonly assoc: AssociationId;
    /** What was wrong. */
    readonly detail: string;
  }
  | {
    /** Shut down: nothing more happens. */
    readonly type: "closed";
  };

/** Counters of a {@link PoolElement}. */
export interface PoolElementStats {
  /** Registrations accepted at a new registrar. */
  registrations: number;
  /** Re-registrations accepted. */
  reRegistrations: number;
  /** Registrations refused. */
  rejections: number;
  /** Endpoint Keep-Alive Acks sent. */
  keepAliveAcks: number;
  /** Registrar associations lost. */
  registrarsLost: number;
  /** Hunt rounds without success. */
  failedHuntRounds: number;
  /** Malformed or unexpected messages received. */
  protocolErrors: number;
}

type PeTimer = "response" | "reregister" | "policy-update";

interface RegistrarLink {
  readonly assoc: AssociationId;
  id: RegistrarId;
  readonly remote: TransportAddress;
  readonly local: TransportAddress;
  readonly candidate: RegistrarCandidate | undefined;
}

/**
 * A pool element.
 *
 * **Driving it.** As every role: after each `handle*` call and each command, drain
 * {@link pollTransmit}, then {@link pollEvent}, then arm a timer for {@link pollTimeout}. It
 * starts (begins the registrar hunt) with the first call that brings a `now`; until then
 * `pollTimeout()` is 0.
 *
 * **What it expects.** Connect actions for registrar associations; optionally a listener
 * (any name) on which registrars may open associations to it (keep-alives with the H flag after
 * a takeover); announces arrive as datagrams on `announceChannel` (default `"asap-announce"`).
 *
 * **Behaviour.** The registrar hunt contacts up to 3 registrars at once (static list and
 * announced ones, from a random start) and takes the first association up. One request is
 * outstanding at a time: the Registration, re-registrations (every `reRegistrationInterval`,
 * and after {@link updatePolicy}, at most one per `policyUpdateInterval` with the latest
 * values), the Deregistration on {@link shutdown}. A missing response (`responseTimeout`), a
 * malformed message, the wrong PPID or the loss of the association aborts it and starts a new
 * hunt; the PE keeps its identifier and registers at whichever registrar answers.
 *
 * @example Register through a registrar, without sockets
 * ```ts
 * import { PoolElement } from "./pool_element.ts";
 * import { Registrar } from "../registrar/registrar.ts";
 * import { SeededRng } from "../rng.ts";
 * import { policyParameter, PolicyType } from "../wire/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const pr = new Registrar({ rng: new SeededRng(1), announceTargets: [] });
 * const pe = new PoolElement({
 *   rng: new SeededRng(2), poolHandle: "EchoPool", id: 77n,
 *   policy: policyParameter(PolicyType.RoundRobin),
 *   userTransport: { protocol: "tcp", port: 7 },
 *   registrars: [{ address: "127.0.0.1", port: 3863 }],
 * });
 * pe.handleTimeout(0); // starts the hunt
 * const connect = pe.pollTransmit();
 * assert.ok(connect?.type === "connect");
 * // A two-line "network": deliver the association and every message between the two roles.
 * const here = { address: "127.0.0.1", port: 50000 }, there = { address: "127.0.0.1", port: 3863 };
 * pe.handleAssociationUp(1, connect.assoc, { remote: there, local: here, peerMaxPayload: 65535, listener: undefined });
 * pr.handleAssociationUp(1, -1, { remote: here, local: there, peerMaxPayload: 65535, listener: "asap" });
 * for (let moved = true; moved;) {
 *   moved = false;
 *   for (let a; (a = pe.pollTransmit());) if (a.type === "send") { pr.handleMessage(2, -1, a.ppid, 0, a.payload); moved = true; }
 *   for (let a; (a = pr.pollTransmit());) if (a.type === "send") { pe.handleMessage(2, connect.assoc, a.ppid, 0, a.payload); moved = true; }
 * }
 * assert.equal(pe.state, "registered");
 * assert.equal(pr.handlespace.find(new TextEncoder().encode("EchoPool"), 77n)?.userTransport.addresses[0], "127.0.0.1");
 * ```
 */
export class PoolElement implements Role<PoolElementEvent> {
  readonly #profile: WireProfile;
  readonly #ppid: number;
  readonly #id: PoolElementId;
  readonly #poolHandle: Uint8Array;
  readonly #transport: PoolElementTransport;
  readonly #announceChannel: string;
  readonly #interval: number;
  readonly #life: number;
  readonly #policyInterval: number;
  readonly #responseTimeout: number;
  readonly #asapPort: number | undefined;
  readonly #encoder: WireEncoder;
  readonly #decoder: WireDecoder;
  readonly #hunt: RegistrarHunt;
  readonly #actions = new Fifo<RoleAction>();
  readonly #slab = new PayloadSlab();
  readonly #events = new Fifo<PoolElementEvent>();
  readonly #timers = new TimerTable<PeTimer>(["response", "reregister", "policy-update"]);
  readonly #inbound = new Map<AssociationId, AssociationInfo>();
  readonly #stats: PoolElementStats = {
    registrations: 0,
    reRegistrations: 0,
    rejections: 0,
    keepAliveAcks: 0,
    registrarsLost: 0,
    failedHuntRounds: 0,
    protocolErrors: 0,
  };
  #policy: PolicyParameter;
  #state: PoolElementState = "idle";
  #link: RegistrarLink | undefined = undefined;
  #outstanding: "registration" | "deregistration" | undefined = undefined;
  #policyDirty = false;
  #lastPolicySend = -Infinity;
  #home: { id: RegistrarId; remote: TransportAddress } | undefined = undefined;

  /**
   * Creates a pool element (nothing is sent before the first call that brings a `now`).
   *
   * @param config Pool handle, policy, user transport, registrars and timers.
   * @throws {TypeError} For an option of the wrong type (e.g. a policy the codec cannot encode).
   * @throws {RangeError} For an option out of range (e.g. identifier 0, a negative time).
   */
  constructor(config: PoolElementConfig) {
    if (config === null || typeof config !== "object") {
      throw new TypeError("Cannot create pool element: the configuration must be an object");
    }
    const profile = config.profile ?? "ng";
    if (profile !== "rfc" && profile !== "ng") {
      throw new TypeError(
        `Cannot create pool element: profile "${String(profile)}" is not "rfc" or "ng"`,
      );
    }
    this.#profile = profile;
    this.#ppid = asapPpid(profile);
    const rng = config.rng;
    if (rng === undefined || typeof rng.nextU32 !== "function") {
      throw new TypeError("Cannot create pool element: rng must be an Rng");
    }
    const id = config.id ?? randomIdentifier(rng, profile === "rfc" ? 32 : 64);
    if (typeof id !== "bigint" || id <= 0n || id > maxId(profile)) {
      throw new RangeError(
        `Cannot create pool element: identifier ${String(id)} is not in 1..${maxId(profile)}`,
      );
    }
    this.#id = id;
    this.#poolHandle = checkPoolHandle("pool element", config.poolHandle);
    const d = ASAP_DEFAULTS;
    this.#interval = checkTime(
      "pool element",
      "reRegistrationInterval",
      config.reRegistrationInterval ?? d.reRegistrationInterval.value,
      1,
    );
    this.#life = checkTime(
      "pool element",
      "registrationLife",
      config.registrationLife ?? Math.min(3 * this.#interval, 0x7fffffff),
      0,
    );
    if (!Number.isInteger(this.#life) || this.#life > 0x7fffffff) {
      throw new RangeError(
        `Cannot create pool element: registrationLife ${this.#life} is not an integer in 0..2147483647`,
      );
    }
    this.#policyInterval = checkTime(
      "pool element",
      "policyUpdateInterval",
      config.policyUpdateInterval ?? d.policyUpdateInterval.value,
      0,
    );
    this.#responseTimeout = checkTime(
      "pool element",
      "responseTimeout",
      config.responseTimeout ?? d.responseTimeout.value,
      1,
    );
    const asapPort = config.asapPort;
    if (asapPort !== undefined) {
      if (!Number.isInteger(asapPort) || asapPort < 1 || asapPort > 65535) {
        throw new RangeError(
          `Cannot create pool element: asapPort ${asapPort} is not an integer in 1..65535`,
        );
      }
      if (profile !== "ng") {
        throw new RangeError("Cannot create pool element: asapPort needs the NG profile");
      }
    }
    this.#asapPort = asapPort;
    this.#announceChannel = config.announceChannel ?? "asap-announce";
    const t = config.userTransport;
    if (t === null || typeof t !== "object") {
      throw new TypeError("Cannot create pool element: userTransport must be an object");
    }
    this.#transport = {
      ...t,
      ...(t.addresses === undefined ? {} : { addresses: t.addresses.map(canonicalIpAddress) }),
    };
    this.#encoder = new WireEncoder({ profile });
    this.#decoder = new WireDecoder({ profile });
    this.#policy = config.policy;
    // Encoding a Registration once validates policy and transport now (the codec throws).
    this.#encoder.encodeAsap(this.#registration({ address: "127.0.0.1", port: 1 }));
    this.#hunt = huntFromConfig("pool element", config, rng, this.#actions, (_now, round) => {
      this.#stats.failedHuntRounds++;
      this.#events.push({ type: "registrar-hunt-failed", round });
    });
  }

  /** The PE identifier. */
  get id(): PoolElementId {
    return this.#id;
  }

  /** The pool handle. */
  get poolHandle(): Uint8Array {
    return this.#poolHandle;
  }

  /** The wire profile. */
  get profile(): WireProfile {
    return this.#profile;
  }

  /** The current policy information. */
  get policy(): PolicyParameter {
    return this.#policy;
  }

  /** The registration state. */
  get state(): PoolElementState {
    return this.#state;
  }

  /** The home registrar's identifier (0 while unknown or not registered). */
  get homeRegistrarId(): RegistrarId {
    return this.#state === "registered" ? (this.#link?.id ?? 0n) : 0n;
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
  stats(): PoolElementStats {
    return { ...this.#stats };
  }

  /**
   * Changes the policy information (e.g. the load) and re-registers with it: at once, or, when
   * a request is outstanding or the last policy-driven re-registration was less than
   * `policyUpdateInterval` ago, as soon as allowed, with the latest values.
   *
   * @param now The current time.
   * @param policy The new policy parameter (its type should stay the pool's).
   * @throws {TypeError} If the value is not a policy the codec can encode.
   * @throws {RangeError} If a field is out of range.
   */
  updatePolicy(now: number, policy: PolicyParameter): void {
    // Encoding validates the value (the codec throws on misuse) before anything changes.
    this.#encoder.encodeAsap(this.#registration({ address: "127.0.0.1", port: 1 }, policy));
    this.#start(now);
    this.#policy = policy;
    this.#policyDirty = true;
    this.#trySendUpdate(now);
  }

  /**
   * Deregisters (waiting up to `responseTimeout` for the answer) and closes the association to
   * the registrar. Ends with a `closed` event.
   *
   * @param now The current time.
   */
  shutdown(now: number): void {
    this.#start(now);
    const state = this.#state;
    if (state === "closed" || state === "deregistering") return;
    this.#hunt.stop();
    this.#timers.stop("reregister");
    this.#timers.stop("policy-update");
    const link = this.#link;
    if ((state === "registered" || state === "registering") && link !== undefined) {
      this.#go("shutdown");
      this.#outstanding = "deregistration";
      this.#send(link.assoc, {
        type: "deregistration",
        poolHandle: this.#poolHandle,
        poolElementId: this.#id,
      });
      this.#timers.set("response", now + this.#responseTimeout);
      return;
    }
    this.#close();
  }

  #start(now: number): void {
    if (this.#state !== "idle") return;
    this.#go("start");
    this.#hunt.begin(now);
  }

  #go(input: PoolElementInput): void {
    const next = POOL_ELEMENT_TRANSITIONS[this.#state][input];
    if (next !== undefined) this.#state = next;
  }

  #send(assoc: AssociationId, message: AsapMessage): void {
    const payload = this.#slab.copy(this.#encoder.encodeAsap(message));
    this.#actions.push({ type: "send", assoc, ppid: this.#ppid, stream: 0, payload });
  }

  #userTransport(local: TransportAddress): TransportParameter {
    const t = this.#transport;
    const base: TransportParameter = {
      protocol: t.protocol,
      port: t.port,
      transportUse: t.transportUse ?? "data",
      addresses: t.addresses ?? [local.address],
    };
    return t.dccpServiceCode === undefined ? base : { ...base, dccpServiceCode: t.dccpServiceCode };
  }

  #registration(local: TransportAddress, policy = this.#policy): AsapMessage {
    const poolElement = {
      id: this.#id,
      homeRegistrarId: this.#link?.id ?? 0n,
      registrationLife: this.#life,
      userTransport: this.#userTransport(local),
      policy,
    };
    const port = this.#asapPort;
    return {
      type: "registration",
      poolHandle: this.#poolHandle,
      poolElement: port === undefined ? poolElement : {
        ...poolElement,
        asapTransport: { protocol: "tcp", port, transportUse: "data", addresses: [local.address] },
      },
    };
  }

  #sendRegistration(now: number, link: RegistrarLink): void {
    this.#outstanding = "registration";
    this.#policyDirty = false;
    this.#lastPolicySend = now;
    this.#timers.stop("policy-update");
    this.#send(link.assoc, this.#registration(link.local));
    this.#timers.set("response", now + this.#responseTimeout);
  }

  #trySendUpdate(now: number): void {
    if (!this.#policyDirty) return;
    const link = this.#link;
    if (this.#state !== "registered" || link === undefined || this.#outstanding !== undefined) {
      return; // the next registration carries the latest values
    }
    const due = this.#lastPolicySend + this.#policyInterval;
    if (now >= due) this.#sendRegistration(now, link);
    else this.#timers.set("policy-update", due);
  }

  /** Takes an association as the registrar association and registers over it. */
  #adopt(now: number, link: RegistrarLink): void {
    this.#link = link;
    this.#go("registrar-up");
    this.#sendRegistration(now, link);
  }

  /** The registrar association failed: forget it and hunt again. */
  #lost(now: number, reason: string): void {
    const link = this.#link;
    if (link === undefined) return;
    this.#link = undefined;
    this.#outstanding = undefined;
    this.#timers.stop("response");
    this.#timers.stop("reregister");
    this.#timers.stop("policy-update");
    this.#stats.registrarsLost++;
    this.#events.push({ type: "registrar-lost", registrarId: link.id, reason });
    if (this.#state === "deregistering") {
      this.#close();
      return;
    }
    this.#go("registrar-lost");
    this.#hunt.begin(now);
  }

  /** Aborts the registrar association for a reason and hunts again. */
  #fail(now: number, reason: string): void {
    const link = this.#link;
    if (link === undefined) return;
    this.#actions.push({ type: "close", assoc: link.assoc, abort: true, reason });
    this.#lost(now, reason);
  }

  #protocolError(now: number, assoc: AssociationId, detail: string): void {
    this.#stats.protocolErrors++;
    this.#events.push({ type: "peer-protocol-error", assoc, detail });
    if (this.#link?.assoc === assoc) this.#fail(now, detail);
    else if (this.#inbound.delete(assoc)) {
      this.#actions.push({ type: "close", assoc, abort: true, reason: detail });
    }
  }

  #close(): void {
    const link = this.#link;
    this.#link = undefined;
    if (link !== undefined) {
      this.#actions.push({ type: "close", assoc: link.assoc, abort: false, reason: "Shutdown" });
    }
    for (const assoc of this.#inbound.keys()) {
      this.#actions.push({ type: "close", assoc, abort: false, reason: "Shutdown" });
    }
    this.#inbound.clear();
    this.#hunt.stop();
    this.#timers.stop("response");
    this.#timers.stop("reregister");
    this.#timers.stop("policy-update");
    this.#outstanding = undefined;
    this.#state = "closed";
    this.#events.push({ type: "closed" });
  }

  // ---- Role ----

  /**
   * An association is up: a hunt attempt (the first one wins), or a registrar connecting to
   * the PE.
   *
   * @param now The current time.
   * @param assoc The association.
   * @param info Its addresses.
   */
  handleAssociationUp(now: number, assoc: AssociationId, info: AssociationInfo): void {
    this.#start(now);
    if (this.#state === "closed") {
      this.#actions.push({ type: "close", assoc, abort: false, reason: "Shutdown" });
      return;
    }
    const winner = this.#hunt.up(assoc);
    if (winner !== undefined) {
      this.#adopt(now, {
        assoc,
        id: winner.id,
        remote: info.remote,
        local: info.local,
        candidate: winner,
      });
      return;
    }
    if (info.listener !== undefined) this.#inbound.set(assoc, info);
  }

  /**
   * A message arrived from a registrar.
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
    const link = this.#link;
    const fromRegistrar = link !== undefined && link.assoc === assoc;
    if (!fromRegistrar && !this.#inbound.has(assoc)) return;
    const m = receivedAsap(this.#decoder, this.#profile, ppid, payload);
    if (typeof m === "string") {
      this.#protocolError(now, assoc, m);
      return;
    }
    switch (m.type) {
      case "endpoint-keep-alive":
        this.#keepAlive(now, assoc, m);
        return;
      case "registration-response":
        if (!fromRegistrar || this.#outstanding !== "registration") break;
        if (m.poolElementId !== this.#id || !sameBytes(m.poolHandle, this.#poolHandle)) {
          this.#protocolError(now, assoc, "Registration Response for another pool element");
          return;
        }
        this.#registrationAnswered(now, m.reject ? (m.error?.causes[0]?.code ?? 0) : -1);
        return;
      case "deregistration-response":
        if (!fromRegistrar || this.#outstanding !== "deregistration") break;
        this.#events.push({ type: "deregistered", registrarId: link.id });
        this.#close();
        return;
      case "asap-error":
        if (fromRegistrar && this.#outstanding === "registration") {
          this.#registrationAnswered(now, m.error.causes[0]?.code ?? 0);
          return;
        }
        this.#stats.protocolErrors++;
        this.#events.push({
          type: "peer-protocol-error",
          assoc,
          detail: `ASAP Error received: ${errorCauseName(m.error.causes[0]?.code ?? 0)}`,
        });
        return;
      default:
        break;
    }
    if (this.#state === "deregistering" && m.type === "registration-response") return;
    this.#protocolError(now, assoc, `Unexpected ASAP ${m.type} from a registrar`);
  }

  /** cause -1 = accepted. */
  #registrationAnswered(now: number, cause: number): void {
    const link = this.#link!;
    this.#outstanding = undefined;
    this.#timers.stop("response");
    this.#timers.set("reregister", now + this.#interval);
    if (cause >= 0) {
      this.#stats.rejections++;
      this.#go("rejected");
      this.#events.push({ type: "registration-failed", cause, reason: errorCauseName(cause) });
      return;
    }
    if (this.#state === "registered") {
      this.#stats.reRegistrations++;
      this.#events.push({ type: "re-registered", registrarId: link.id });
    } else {
      this.#go("accepted");
      this.#stats.registrations++;
      this.#events.push({ type: "registered", registrarId: link.id, assoc: link.assoc });
      const home = this.#home;
      if (
        home !== undefined &&
        (home.remote.address !== link.remote.address || home.remote.port !== link.remote.port) &&
        (home.id === 0n || home.id !== link.id)
      ) {
        this.#events.push({ type: "home-changed", from: home.id, to: link.id, reason: "failover" });
      }
      this.#home = { id: link.id, remote: link.remote };
    }
    this.#trySendUpdate(now);
  }

  #keepAlive(now: number, assoc: AssociationId, m: EndpointKeepAliveMessage): void {
    if (m.poolElementId !== undefined && m.poolElementId !== this.#id) return;
    if (!sameBytes(m.poolHandle, this.#poolHandle)) return;
    const state = this.#state;
    if (state === "closed" || state === "deregistering") return;
    const link = this.#link;
    if (link !== undefined && link.assoc === assoc) {
      if (m.registrarId !== 0n && m.registrarId !== link.id) {
        if (link.id !== 0n) {
          this.#events.push({
            type: "home-changed",
            from: link.id,
            to: m.registrarId,
            reason: "keep-alive",
          });
        }
        link.id = m.registrarId;
        if (link.candidate !== undefined) link.candidate.id = m.registrarId;
        if (this.#home !== undefined && this.#home.remote === link.remote) {
          this.#home.id = m.registrarId;
        }
      }
    } else if (m.home) {
      // A registrar took the PE over: its association becomes the registrar association.
      const info = this.#inbound.get(assoc);
      if (info === undefined) return;
      this.#inbound.delete(assoc);
      const from = link?.id ?? this.#home?.id ?? 0n;
      if (link !== undefined) {
        this.#actions.push({
          type: "close",
          assoc: link.assoc,
          abort: true,
          reason: "Home registrar changed (takeover)",
        });
        this.#link = undefined;
      }
      this.#hunt.stop();
      this.#outstanding = undefined;
      this.#events.push({ type: "home-changed", from, to: m.registrarId, reason: "takeover" });
      this.#home = { id: m.registrarId, remote: info.remote };
      this.#stats.keepAliveAcks++;
      this.#send(assoc, this.#ack());
      this.#adopt(now, {
        assoc,
        id: m.registrarId,
        remote: info.remote,
        local: info.local,
        candidate: undefined,
      });
      return;
    }
    this.#stats.keepAliveAcks++;
    this.#send(assoc, this.#ack());
  }

  #ack(): AsapMessage {
    return {
      type: "endpoint-keep-alive-ack",
      poolHandle: this.#poolHandle,
      poolElementId: this.#id,
    };
  }

  /**
   * An association went down: a failed hunt attempt, the registrar association (a new hunt
   * starts), or an association a registrar had opened.
   *
   * @param now The current time.
   * @param assoc The association.
   * @param down Why.
   */
  handleAssociationDown(now: number, assoc: AssociationId, down: AssociationDown): void {
    this.#start(now);
    if (this.#hunt.down(now, assoc)) return;
    this.#inbound.delete(assoc);
    if (this.#link?.assoc === assoc) {
      this.#lost(now, `Association ${down.reason}: ${down.detail}`);
    }
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
    this.#start(now);
    if (channel !== this.#announceChannel || this.#state === "closed") return;
    const r = this.#decoder.decodeAsap(payload);
    if (r.kind === "ok" && r.message.type === "server-announce") {
      this.#hunt.announce(now, from, r.message);
    }
  }

  /**
   * Runs the timers that are due: hunt rounds, response timeout, re-registration, coalesced
   * policy update.
   *
   * @param now The current time.
   */
  handleTimeout(now: number): void {
    this.#start(now);
    const timers = this.#timers;
    this.#hunt.handleTimeout(now);
    if (timers.isExpired("response", now)) {
      timers.stop("response");
      if (this.#state === "deregistering") this.#close();
      else this.#fail(now, "Registrar response timeout");
    }
    if (timers.isExpired("reregister", now)) {
      timers.stop("reregister");
      const link = this.#link;
      if (
        link !== undefined && this.#outstanding === undefined &&
        (this.#state === "registered" || this.#state === "rejected")
      ) {
        this.#go("retry");
        this.#sendRegistration(now, link);
      }
    }
    if (timers.isExpired("policy-update", now)) {
      timers.stop("policy-update");
      this.#trySendUpdate(now);
    }
  }

  /**
   * A message could not be sent (the response timeout deals with a lost request).
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
   * @returns The deadline (0 before the start), or `undefined` for never.
   */
  pollTimeout(): number | undefined {
    if (this.#state === "idle") return 0;
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
  pollEvent(): PoolElementEvent | undefined {
    return this.#events.shift();
  }
}
