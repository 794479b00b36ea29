// The state the registrar's components share: configuration, handlespace, encoder, the
// association records, the output and event queues, the statistics, and the one place where
// PEs of this registrar change (localChange), which ENRP hooks into to send Handle Updates.

import { Fifo } from "../fifo.ts";
import { PayloadSlab } from "../payload_slab.ts";
import { Handlespace } from "../handlespace/handlespace.ts";
import type { EnumerationCursor } from "../handlespace/handlespace.ts";
import type { PoolElementEntry } from "../handlespace/pool_element.ts";
import type { PolicyRegistry } from "../policy/registry.ts";
import type { SelectionKernel } from "../policy/selection_kernel.ts";
import type { Rng } from "../rng.ts";
import type {
  AssociationId,
  DownReason,
  PeerIdentity,
  RoleAction,
  TransportAddress,
} from "../role.ts";
import type { AsapMessage } from "../wire/asap_message.ts";
import type { EnrpMessage } from "../wire/enrp_message.ts";
import { canonicalIpAddress } from "../wire/ip_address.ts";
import type { RegistrarId } from "../wire/pool_element_parameter.ts";
import { asapPpid, enrpPpid, idBytes, type WireProfile } from "../wire/profile.ts";
import type { TransportParameter } from "../wire/transport_parameter.ts";
import { WireEncoder } from "../wire/wire_encoder.ts";
import { addressScopeRank } from "./_address_scope.ts";
import { burstOf, TokenBucket } from "./_rate_limiter.ts";
import type { ResolvedRegistrarConfig } from "./config.ts";
import type { PeRemovalReason, RegistrarEvent } from "./events.ts";
import type { LocalChange, LocalChangeListener } from "./local_change.ts";
import type { RegistrarStats } from "./stats.ts";
import { emptyRegistrarStats } from "./stats.ts";
import { emptyPoolStats, type PoolStats } from "./pool_stats.ts";

/** What an association carries: ASAP (PEs, PUs) or ENRP (peers, monitors). */
export type AssociationKind = "asap" | "enrp";

/** The registrar's record of one association that is up. */
export class AssociationRecord {
  readonly id: AssociationId;
  readonly kind: AssociationKind;
  readonly listener: string | undefined;
  /** The peer, with its address in canonical text when it is IP text. */
  readonly remote: TransportAddress;
  /** Our end. */
  readonly local: TransportAddress;
  /** Scope rank of the remote address (-1 = unusable). */
  readonly remoteScope: number;
  /** The PE's ASAP transport as observed on this association (built once). */
  asapTransport: TransportParameter | undefined = undefined;
  /** Smoothed round-trip time from the transport, when measured. */
  srtt: number | undefined = undefined;
  /** Handle Resolution rate limit. */
  readonly hr: TokenBucket;
  /** Endpoint Unreachable rate limit. */
  readonly eu: TokenBucket;
  /** Budget of malformed/unexpected messages. */
  readonly errors: TokenBucket;
  /** Rate limit of all ASAP messages (maxMessageRate). */
  readonly messages: TokenBucket;
  /** Handle Table paging position of this requester, and the owner filter it belongs to. */
  tableCursor: EnumerationCursor | undefined = undefined;
  tableOwner: RegistrarId | undefined = undefined;
  /** Set once the registrar aborted or closed it: nothing more is processed. */
  closing = false;
  /** The peer's TLS certificate identity, if any (for the authorization policy). */
  identity: PeerIdentity | undefined = undefined;

  constructor(
    now: number,
    id: AssociationId,
    kind: AssociationKind,
    listener: string | undefined,
    remote: TransportAddress,
    local: TransportAddress,
    config: ResolvedRegistrarConfig,
  ) {
    this.id = id;
    this.kind = kind;
    this.listener = listener;
    const scope = addressScopeRank(remote.address);
    this.remote = scope < 0
      ? remote
      : { address: canonicalIpAddress(remote.address), port: remote.port };
    this.local = local;
    this.remoteScope = scope;
    this.hr = new TokenBucket(now, burstOf(config.maxHrRate));
    this.eu = new TokenBucket(now, burstOf(config.maxEuRate));
    this.errors = new TokenBucket(now, config.protocolErrorBurst);
    this.messages = new TokenBucket(now, burstOf(config.maxMessageRate));
  }
}

const PROTOCOL_ERROR_RATE = 1; // tokens per second refilled into an association's error budget

export class RegistrarContext {
  readonly config: ResolvedRegistrarConfig;
  readonly id: RegistrarId;
  readonly profile: WireProfile;
  readonly idBytes: number;
  readonly asapPpid: number;
  readonly enrpPpid: number;
  readonly rng: Rng;
  readonly handlespace: Handlespace;
  readonly encoder: WireEncoder;
  readonly stats: RegistrarStats = emptyRegistrarStats();
  /**
   * Per-pool counters, keyed by the pool's own copy of its handle (the same object for every
   * entry of a pool while it exists): an identity lookup, and a pool that goes away takes its
   * counters with it.
   */
  readonly #poolStats = new WeakMap<Uint8Array, PoolStats>();
  readonly associations = new Map<AssociationId, AssociationRecord>();
  readonly actions = new Fifo<RoleAction>();
  readonly events = new Fifo<RegistrarEvent>();
  readonly localChangeListeners: LocalChangeListener[] = [];
  /**
   * PEs reported unreachable `maxBadPeReports` times whose confirming Endpoint Keep-Alive is
   * on its way: removed when it times out, cleared when the ack comes.
   */
  readonly confirming = new Set<PoolElementEntry>();
  readonly verbose: boolean;
  readonly #slab = new PayloadSlab();
  #nextAssociation = 1;

  constructor(
    config: ResolvedRegistrarConfig,
    rng: Rng,
    policies: PolicyRegistry | undefined,
    selectionKernel: SelectionKernel | undefined,
  ) {
    this.config = config;
    this.id = config.id;
    this.profile = config.profile;
    this.idBytes = idBytes(config.profile);
    this.asapPpid = asapPpid(config.profile);
    this.enrpPpid = enrpPpid(config.profile);
    this.rng = rng;
    this.verbose = config.verboseEvents;
    this.handlespace = new Handlespace({
      ownId: config.id,
      rng,
      profile: config.profile,
      checksumCompat: config.checksumCompat,
      peIdClash: config.peIdClash,
      maxIncrement: config.maxIncrement,
      limits: config.limits,
      ...(policies === undefined ? {} : { policies }),
      ...(selectionKernel === undefined ? {} : { selectionKernel }),
    });
    this.encoder = new WireEncoder({ profile: config.profile });
  }

  /**
   * The counters of the pool whose handle object this is (created at the first use).
   *
   * @param poolHandle The pool's own handle object (`PoolElementEntry.poolHandle`/`PoolInfo.poolHandle`).
   */
  poolCounters(poolHandle: Uint8Array): PoolStats {
    let s = this.#poolStats.get(poolHandle);
    if (s === undefined) {
      s = emptyPoolStats();
      this.#poolStats.set(poolHandle, s);
    }
    return s;
  }

  /**
   * Counts a request naming a pool that a rate limit refused (nothing when the pool does not
   * exist: the handle is the peer's, and unknown handles must not grow the map).
   *
   * @param poolHandle The pool handle as the request gave it.
   */
  countRateLimited(poolHandle: Uint8Array): void {
    const pool = this.handlespace.pool(poolHandle);
    if (pool !== undefined) this.poolCounters(pool.poolHandle).rateLimitedRequests++;
  }

  /** The counters of a pool handle object, if counted yet. */
  peekPoolCounters(poolHandle: Uint8Array): PoolStats | undefined {
    return this.#poolStats.get(poolHandle);
  }

  /** A fresh id for an association the registrar opens. */
  newAssociationId(): AssociationId {
    return this.#nextAssociation++;
  }

  emit(event: RegistrarEvent): void {
    this.events.push(event);
  }

  /** Encodes an ASAP message and queues it (a copy: the encoder's buffer is reused). */
  sendAsap(assoc: AssociationId, message: AsapMessage): void {
    const payload = this.#slab.copy(this.encoder.encodeAsap(message));
    this.actions.push({ type: "send", assoc, ppid: this.asapPpid, stream: 0, payload });
  }

  /** Encodes an ENRP message and queues it. */
  sendEnrp(assoc: AssociationId, message: EnrpMessage): void {
    const payload = this.#slab.copy(this.encoder.encodeEnrp(message));
    this.actions.push({ type: "send", assoc, ppid: this.enrpPpid, stream: 0, payload });
  }

  /** Aborts an association (once) and says why. */
  abort(rec: AssociationRecord, reason: string): void {
    if (rec.closing) return;
    rec.closing = true;
    this.stats.associationsAborted++;
    this.actions.push({ type: "close", assoc: rec.id, abort: true, reason });
    this.emit({ type: "association-aborted", assoc: rec.id, reason });
  }

  /**
   * A peer sent something malformed or unexpected: count it, report it, send the Error reply
   * the protocol asks for, and abort the association once its error budget is spent.
   */
  protocolError(
    now: number,
    rec: AssociationRecord,
    cause: number,
    detail: string,
    reply: AsapMessage | EnrpMessage | undefined,
  ): void {
    this.stats.protocolErrors++;
    this.emit({ type: "peer-protocol-error", assoc: rec.id, cause, detail });
    if (rec.closing) return;
    if (!rec.errors.take(now, PROTOCOL_ERROR_RATE, this.config.protocolErrorBurst)) {
      this.abort(rec, `Too many malformed or unexpected messages: ${detail}`);
      return;
    }
    if (reply !== undefined) {
      this.stats.errorsSent++;
      if (reply.type === "enrp-error") this.sendEnrp(rec.id, reply);
      else this.sendAsap(rec.id, reply as AsapMessage);
    }
  }

  /**
   * Whether the authorization policy lets the association's peer do this with the pool (always
   * true without a policy). A refusal is counted and raised as an event.
   */
  authorized(rec: AssociationRecord, action: "register" | "resolve", poolHandle: Uint8Array) {
    const policy = this.config.authorization;
    if (policy === undefined) return true;
    if (
      policy.allows(action, poolHandle, { address: rec.remote.address, identity: rec.identity })
    ) {
      return true;
    }
    this.stats.authorizationRefusals++;
    this.emit({
      type: "authorization-refused",
      assoc: rec.id,
      action,
      poolHandle,
      remote: rec.remote,
      identity: rec.identity?.subject,
    });
    return false;
  }

  /** Whether this registrar is the PE's home. */
  owns(entry: PoolElementEntry): boolean {
    return entry.homeRegistrarId === this.id;
  }

  /**
   * The one place where changes of this registrar's own PEs are announced: counts them and
   * calls the listeners (ENRP's Handle Update sender).
   */
  localChange(now: number, change: LocalChange): void {
    this.stats.localChanges++;
    const listeners = this.localChangeListeners;
    for (let i = 0; i < listeners.length; i++) listeners[i]!(now, change);
  }

  /** Removes a live PE for a reason, raising its event and the local change when owned. */
  removePe(
    now: number,
    entry: PoolElementEntry,
    reason: PeRemovalReason,
    assoc: AssociationId | undefined,
    downReason?: DownReason,
  ): void {
    const owned = this.owns(entry);
    if (!this.handlespace.remove(entry)) return;
    this.removed(now, entry, reason, owned, assoc, downReason);
  }

  /** After a PE left the handlespace: statistics, event, local change. */
  removed(
    now: number,
    entry: PoolElementEntry,
    reason: PeRemovalReason,
    owned: boolean,
    assoc: AssociationId | undefined,
    downReason?: DownReason,
  ): void {
    const poolHandle = entry.poolHandle, peId = entry.id;
    this.confirming.delete(entry);
    switch (reason) {
      case "deregistered":
        this.stats.deregistrations++;
        this.emit({ type: "deregistered", poolHandle, peId, assoc: assoc ?? 0 });
        break;
      case "keep-alive-timeout":
        this.stats.keepAliveTimeouts++;
        this.poolCounters(poolHandle).keepAliveTimeouts++;
        this.emit({ type: "keep-alive-timeout", poolHandle, peId, assoc });
        break;
      case "unreachable":
        this.stats.removedUnreachable++;
        this.emit({
          type: "pe-removed-unreachable",
          poolHandle,
          peId,
          reports: entry.unreachableReports,
        });
        break;
      case "association-down":
        this.stats.removedAssociationDown++;
        this.emit({
          type: "pe-removed-association-down",
          poolHandle,
          peId,
          assoc: assoc ?? 0,
          reason: downReason ?? "reset",
        });
        break;
      case "expired":
        this.stats.expired++;
        this.emit({ type: "pe-expired", poolHandle, peId });
        break;
    }
    if (owned) this.localChange(now, { kind: "remove", entry, changed: true, reason });
  }
}
