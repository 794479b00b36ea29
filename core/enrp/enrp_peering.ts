/**
 * ENRP peering (RFC 5353) as a sans-IO component of the registrar: the peer table, Presence
 * heartbeats, the mentor download at startup, Handle Update propagation, checksum audits with
 * per-owner resynchronisation, and takeover of dead peers (with takeover suggestion).
 *
 * @see RFC 5353, spec/behaviour.md §9 and §10
 * @module
 */

import type { PoolElementEntry } from "../handlespace/pool_element.ts";
import type { AssociationId, AssociationInfo, TransportAddress } from "../role.ts";
import type {
  EnrpMessage,
  HandleTableResponseMessage,
  HandleUpdateMessage,
  PresenceMessage,
} from "../wire/enrp_message.ts";
import type {
  PoolElementParameter,
  RegistrarId,
  ServerInformationParameter,
} from "../wire/pool_element_parameter.ts";
import { policyTypeInfo } from "../wire/policy_parameter.ts";
import { jitteredCycle } from "../jitter.ts";
import { idBytes } from "../wire/profile.ts";
import type { ResolvedEnrpConfig } from "./config.ts";
import type { EnrpHost } from "./host.ts";
import type { PeerView } from "./peer_view.ts";
import { type AssociationEntry, PeerRecord, PeerTable, type SyncKind } from "./_peer_table.ts";
import { suggestionTarget } from "./takeover_suggestion.ts";

/** Why a PE of ours left the handlespace (the registrar's removal reasons). */
export type LocalRemovalReason =
  | "deregistered"
  | "keep-alive-timeout"
  | "unreachable"
  | "association-down"
  | "expired";

/** Where a PE description from a peer came from. */
type Source = "update" | "table" | "mentor";

/** The outcome of applying a peer's PE description. */
type Applied = "applied" | "ignored" | "kept";

interface Claim {
  readonly home: RegistrarId;
  readonly time: number;
}

const UNSPECIFIED = new Set(["0.0.0.0", "::"]);

/**
 * ENRP peering for one registrar. The registrar creates it when its configuration has an `enrp`
 * option, routes ENRP associations, messages, multicast Presence datagrams and timers to it, and
 * calls {@link EnrpPeering.localChange} for every change of its own PEs.
 *
 * **Associations.** One association per peer pair. Either side connects when it needs to talk
 * and has none; when both connected at once, both keep the association opened by the registrar
 * with the lower identifier and close the other gracefully. The first message on every
 * association this registrar opens is a Presence with the R flag, so the other side learns who
 * it is.
 *
 * **Conflicting ownership** (two registrars claim one PE, e.g. after a takeover during a
 * partition) is settled by one rule: a PE registered with a registrar over a live association
 * stays that registrar's, whatever peers say (it answers their claims with its own Handle
 * Update); a PE a registrar only took over yields to a Handle Update from a peer (a fresh
 * registration there) and to a table entry of a peer with a lower identifier.
 *
 * @example Two registrars: the second downloads the first's handlespace from it as its mentor
 * ```ts
 * import { Registrar } from "../registrar/registrar.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const enrp = { presenceTargets: [] };
 * // `a` runs alone so far: no mentor to wait for, its startup phase ends at once.
 * const a = new Registrar({ rng: new SeededRng(1), id: 1n, announceTargets: [],
 *   enrp: { ...enrp, mentorDiscoveryTimeout: 0 }, enrpEndpoint: { address: "10.0.0.1", port: 9901 } });
 * const b = new Registrar({ rng: new SeededRng(2), id: 2n, announceTargets: [],
 *   enrp: { ...enrp, peers: [{ address: "10.0.0.1", port: 9901 }] },
 *   enrpEndpoint: { address: "10.0.0.2", port: 9901 } });
 * a.handleTimeout(0);
 * b.handleTimeout(0); // connects to its static peer
 * let connect = b.pollTransmit();
 * assert.equal(connect?.type, "connect");
 * const at = (address: string, port: number) => ({ address, port });
 * b.handleAssociationUp(1, 1, { remote: at("10.0.0.1", 9901), local: at("10.0.0.2", 40000), peerMaxPayload: 65535, listener: undefined });
 * a.handleAssociationUp(1, -1, { remote: at("10.0.0.2", 40000), local: at("10.0.0.1", 9901), peerMaxPayload: 65535, listener: "enrp" });
 * for (let moved = true; moved;) { // a two-line network between the two registrars
 *   moved = false;
 *   for (let m; (m = b.pollTransmit());) if (m.type === "send") { a.handleMessage(2, -1, m.ppid, 0, m.payload); moved = true; }
 *   for (let m; (m = a.pollTransmit());) if (m.type === "send") { b.handleMessage(2, 1, m.ppid, 0, m.payload); moved = true; }
 * }
 * assert.equal(b.inStartupPhase, false); // the mentor's (empty) handlespace arrived
 * assert.deepEqual(b.peers().map((p) => p.id), [1n]);
 * ```
 */
export class EnrpPeering {
  readonly #host: EnrpHost;
  readonly #cfg: ResolvedEnrpConfig;
  readonly #own: RegistrarId;
  readonly #idBytes: 4 | 8;
  readonly #table = new PeerTable();
  readonly #claims = new Map<string, Claim>();
  /** Peer identifiers as big-endian bytes of the profile's width. */
  readonly #idCache = new Map<RegistrarId, Uint8Array>();
  readonly #claimLife: number;
  #presenceAt = Infinity;
  #started = false;
  #stopped = false;
  #mentor: PeerRecord | undefined = undefined;
  #mentorDone = false;

  /**
   * Creates the component (nothing is sent before {@link start}).
   *
   * @param host The registrar.
   * @param config ENRP options with defaults applied.
   * @param claimLife How long a peer's claim on a PE registered with us is remembered (ms): when
   *   the PE's association fails within that time, the PE is handed to the claimant instead of
   *   being removed everywhere.
   */
  constructor(host: EnrpHost, config: ResolvedEnrpConfig, claimLife: number) {
    this.#host = host;
    this.#cfg = config;
    this.#own = host.id;
    this.#idBytes = idBytes(host.profile);
    this.#claimLife = claimLife;
    for (const ep of config.peers) {
      const p = new PeerRecord(0n, [ep], true);
      p.state = "gone"; // not heard yet
      this.#table.add(p);
    }
  }

  /** The configuration. */
  get config(): ResolvedEnrpConfig {
    return this.#cfg;
  }

  /**
   * Starts: connects to the static peers and sends the first Presence.
   *
   * @param now The current time.
   */
  start(now: number): void {
    if (this.#started) return;
    this.#started = true;
    this.#presenceCycle(now);
  }

  /**
   * Stops sending Presence and stops every peer timer (the registrar shuts down).
   *
   * @param _now The current time.
   */
  stop(_now: number): void {
    this.#stopped = true;
    this.#presenceAt = Infinity;
    for (const p of this.#table.records) p.deadline = Infinity;
  }

  /**
   * Whether ENRP opened this association (the registrar routes it to ENRP).
   *
   * @param assoc The association.
   * @returns True for ENRP's own outbound associations.
   */
  ownsAssociation(assoc: AssociationId): boolean {
    return this.#table.associations.get(assoc)?.outbound === true;
  }

  /**
   * Whether a registrar identifier belongs to a peer (its Handle Table Requests are answered).
   *
   * @param id The identifier.
   * @returns True for a peer in the table.
   */
  isPeer(id: RegistrarId): boolean {
    return this.#table.get(id) !== undefined;
  }

  /**
   * Server Information of every identified peer that is alive, for List Responses.
   *
   * @returns The parameters.
   */
  peerServerInformation(): ServerInformationParameter[] {
    const out: ServerInformationParameter[] = [];
    for (const p of this.#table.records) {
      const ep = p.endpoints[0];
      if (p.id === 0n || p.state !== "alive" || ep === undefined) continue;
      out.push({
        registrarId: p.id,
        transport: {
          protocol: "tcp",
          port: ep.port,
          transportUse: "data",
          addresses: p.endpoints.filter((e) => e.port === ep.port).map((e) => e.address),
        },
      });
    }
    return out;
  }

  /**
   * A snapshot of the peer table.
   *
   * @returns One view per peer.
   */
  peers(): PeerView[] {
    const hs = this.#host.handlespace;
    return this.#table.records.map((p) => ({
      id: p.id,
      endpoints: p.endpoints,
      static: p.isStatic,
      state: p.state,
      lastHeard: p.lastHeard,
      connected: p.assoc !== undefined,
      mentor: p.wasMentor,
      ownedPoolElements: p.id === 0n ? 0 : hs.ownedCount(p.id),
      checksum: hs.ownershipChecksum(p.id),
      reportedChecksum: p.reportedChecksum,
    }));
  }

  /**
   * The earliest ENRP deadline.
   *
   * @returns A time, or `undefined` for none.
   */
  nextTimeout(): number | undefined {
    let t = this.#presenceAt;
    const records = this.#table.records;
    for (let i = 0; i < records.length; i++) {
      const d = records[i]!.deadline;
      if (d < t) t = d;
    }
    return t === Infinity ? undefined : t;
  }

  /**
   * Runs what is due: the Presence cycle and the peers' liveness and takeover timers.
   *
   * @param now The current time.
   */
  handleTimeout(now: number): void {
    if (now >= this.#presenceAt) this.#presenceCycle(now);
    for (const p of [...this.#table.records]) {
      if (p.deadline <= now) this.#peerTimer(now, p);
    }
  }

  // ---- associations ----

  /**
   * An ENRP association is up: one this registrar opened, or one accepted on the ENRP listener.
   *
   * @param _now The current time.
   * @param assoc The association.
   * @param info Its addresses.
   */
  handleAssociationUp(_now: number, assoc: AssociationId, info: AssociationInfo): void {
    const table = this.#table;
    const entry = table.associations.get(assoc);
    if (entry === undefined) {
      table.associations.set(assoc, {
        peer: undefined,
        outbound: false,
        up: true,
        closing: false,
        remote: info.remote,
      });
      return;
    }
    entry.up = true;
    entry.remote = info.remote;
    const peer = entry.peer;
    if (peer === undefined) return;
    if (peer.connecting === assoc) peer.connecting = undefined;
    this.#bind(entry, assoc, peer);
  }

  /**
   * An ENRP association went down (or a connect failed).
   *
   * @param _now The current time.
   * @param assoc The association.
   */
  handleAssociationDown(_now: number, assoc: AssociationId): void {
    const table = this.#table;
    const entry = table.associations.get(assoc);
    if (entry === undefined) return;
    table.associations.delete(assoc);
    const peer = entry.peer;
    if (peer === undefined) return;
    if (peer.connecting === assoc) peer.connecting = undefined;
    if (peer.assoc === assoc) peer.assoc = table.otherUp(peer, assoc);
    if (peer.syncAssoc === assoc) this.#restartSync(peer);
  }

  // ---- messages ----

  /**
   * An ENRP message from a registrar. Requests (List Request, Handle Table Request) and messages
   * of monitors (sending identifier 0) are left to the registrar's responder.
   *
   * @param now The current time.
   * @param assoc The association it came on.
   * @param m The message.
   * @returns True when ENRP peering consumed it.
   */
  handleMessage(now: number, assoc: AssociationId, m: EnrpMessage): boolean {
    if (m.type === "enrp-error" || m.senderId === 0n || m.senderId === this.#own) return false;
    const table = this.#table;
    const entry = table.associations.get(assoc);
    if (m.type === "presence") {
      this.#presence(now, assoc, entry, undefined, m);
      return true;
    }
    let peer = entry?.peer;
    if (peer === undefined || peer.id !== m.senderId) {
      peer = this.#identify(assoc, entry, m.senderId).peer;
    }
    if (peer !== undefined) this.#heard(now, peer);
    if (m.type === "list-request" || m.type === "handle-table-request") return false;
    if (m.receiverId !== 0n && m.receiverId !== this.#own) return true;
    switch (m.type) {
      case "handle-update":
        this.#handleUpdate(now, assoc, m);
        return true;
      case "handle-table-response":
        this.#tableResponse(now, assoc, peer, m);
        return true;
      case "list-response":
        if (!m.reject) this.#listResponse(now, m.servers);
        return true;
      case "init-takeover":
        this.#initTakeover(now, assoc, m.senderId, m.targetId);
        return true;
      case "init-takeover-ack":
        this.#initTakeoverAck(now, m.senderId, m.targetId);
        return true;
      case "takeover-server":
        this.#takeoverServer(m.senderId, m.targetId);
        return true;
    }
  }

  /**
   * A Presence that arrived by UDP (multicast).
   *
   * @param now The current time.
   * @param from The datagram's source.
   * @param m The Presence.
   */
  handlePresenceDatagram(now: number, from: TransportAddress, m: PresenceMessage): void {
    if (m.senderId === 0n || m.senderId === this.#own) return;
    this.#presence(now, undefined, undefined, from, m);
  }

  // ---- local changes: Handle Updates ----

  /**
   * A PE of this registrar was added, re-registered or removed: a Handle Update goes to every
   * peer with an association (encoded once, the receiver identifier patched per peer), plus a
   * takeover suggestion copy when this registrar carries far more PEs than its peers.
   *
   * @param now The current time.
   * @param kind What happened.
   * @param entry The PE.
   * @param reason For a removal: why.
   */
  localChange(
    now: number,
    kind: "add" | "update" | "remove",
    entry: PoolElementEntry,
    reason: LocalRemovalReason | undefined,
  ): void {
    if (this.#claims.size > 0) {
      const key = claimKey(entry.poolHandle, entry.id);
      const claim = this.#claims.get(key);
      if (claim !== undefined) {
        this.#claims.delete(key);
        if (
          kind === "remove" && (reason === "association-down" || reason === "keep-alive-timeout") &&
          now - claim.time <= this.#claimLife && this.#handOver(now, entry, claim.home)
        ) return;
      }
    }
    this.#sendUpdate(kind === "remove" ? "del-pe" : "add-pe", entry, kind !== "remove");
  }

  /**
   * Sends a Handle Update to every peer with an association: encoded once, the receiver
   * identifier patched per peer; with `suggest`, plus the takeover-suggestion copy.
   */
  #sendUpdate(action: "add-pe" | "del-pe", entry: PoolElementEntry, suggest: boolean): void {
    const records = this.#table.records;
    let any = false;
    for (let i = 0; i < records.length; i++) {
      const p = records[i]!;
      if (p.assoc !== undefined || p.connecting !== undefined) {
        any = true;
        break;
      }
    }
    if (!any) return;
    const host = this.#host;
    const bytes = host.encoder.encodeEnrp({
      type: "handle-update",
      takeoverSuggested: false,
      senderId: this.#own,
      receiverId: 0n,
      action,
      poolHandle: entry.poolHandle,
      poolElement: entry.toParameter(true),
    });
    for (let i = 0; i < records.length; i++) {
      const p = records[i]!;
      const assoc = p.assoc ?? p.connecting;
      if (assoc === undefined) continue;
      this.#setReceiver(bytes, p.id);
      host.send(assoc, bytes);
      host.stats.handleUpdatesSent++;
    }
    if (suggest && this.#cfg.takeoverSuggestion && entry.asapTransport !== undefined) {
      this.#suggest(bytes, entry);
    }
  }

  /** Sends the takeover-suggestion copy of an encoded ADD_PE, when this registrar is overloaded. */
  #suggest(bytes: Uint8Array, entry: PoolElementEntry): void {
    const hs = this.#host.handlespace;
    const loads = [];
    for (const p of this.#table.records) {
      if (p.id !== 0n && p.state === "alive") loads.push({ id: p.id, count: hs.ownedCount(p.id) });
    }
    const to = suggestionTarget(
      { id: this.#own, count: hs.ownedCount(this.#own) },
      entry.id,
      loads,
      this.#cfg.takeoverSuggestionThreshold,
    );
    if (to === undefined) return;
    const peer = this.#table.get(to);
    const assoc = peer?.assoc ?? peer?.connecting;
    if (peer === undefined || assoc === undefined) return;
    this.#setReceiver(bytes, to);
    bytes[1] = bytes[1]! | 0x01; // the T flag
    this.#host.send(assoc, bytes);
    this.#host.stats.takeoverSuggestionsSent++;
    this.#host.stats.handleUpdatesSent++;
  }

  /** A PE registered with us that a peer claimed lost its association: it becomes the peer's. */
  #handOver(now: number, entry: PoolElementEntry, home: RegistrarId): boolean {
    const peer = this.#table.get(home);
    if (peer === undefined || peer.state !== "alive") return false;
    const hs = this.#host.handlespace;
    const pe = entry.toParameter(true);
    const r = hs.register(entry.poolHandle, { ...pe, homeRegistrarId: home }, { now, home });
    if (!r.ok) return false;
    hs.setDeadline(r.entry, "lifetime-expiry", now + pe.registrationLife);
    return true;
  }

  // ---- Presence ----

  #presenceCycle(now: number): void {
    if (this.#stopped) return;
    const host = this.#host;
    const cfg = this.#cfg;
    this.#presenceAt = now + jitteredCycle(host.rng, cfg.peerHeartbeatCycle);
    if (this.#claims.size > 0) {
      for (const [key, claim] of this.#claims) {
        if (now - claim.time > this.#claimLife) this.#claims.delete(key);
      }
    }
    this.#multicastPresence();
    for (const p of [...this.#table.records]) {
      if (p.assoc !== undefined) this.#sendPresence(p, p.assoc, false);
      else if (p.connecting === undefined) this.#connect(p);
    }
  }

  /** A Presence to every multicast target (needs a known ENRP endpoint for its Server Information). */
  #multicastPresence(): void {
    const host = this.#host;
    const cfg = this.#cfg;
    if (cfg.presenceTargets.length === 0) return;
    const si = host.serverInformation(undefined);
    if (si === undefined) return;
    const bytes = this.#presenceBytes(false, 0n, si);
    for (const to of cfg.presenceTargets) {
      host.datagram(cfg.presenceChannel, to, bytes);
      host.stats.presencesSent++;
    }
  }

  #presenceBytes(
    replyRequired: boolean,
    receiverId: RegistrarId,
    si: ServerInformationParameter | undefined,
  ): Uint8Array {
    const host = this.#host;
    const checksum = host.handlespace.ownershipChecksum(this.#own);
    return host.encoder.encodeEnrp(
      si === undefined
        ? { type: "presence", replyRequired, senderId: this.#own, receiverId, checksum }
        : {
          type: "presence",
          replyRequired,
          senderId: this.#own,
          receiverId,
          checksum,
          serverInformation: si,
        },
    );
  }

  #sendPresence(peer: PeerRecord, assoc: AssociationId, replyRequired: boolean): void {
    const host = this.#host;
    host.send(assoc, this.#presenceBytes(replyRequired, peer.id, host.serverInformation(assoc)));
    host.stats.presencesSent++;
  }

  /** Opens an association to a peer; its first message is a Presence with the R flag. */
  #connect(peer: PeerRecord): AssociationId | undefined {
    if (this.#stopped || peer.endpoints.length === 0) return undefined;
    const host = this.#host;
    const assoc = host.connect(peer.endpoints);
    peer.connecting = assoc;
    this.#table.associations.set(assoc, {
      peer,
      outbound: true,
      up: false,
      closing: false,
      remote: undefined,
    });
    host.stats.peerConnects++;
    this.#sendPresence(peer, assoc, true);
    return assoc;
  }

  /** The association to use for a peer, opening one when there is none. */
  #associationOf(peer: PeerRecord): AssociationId | undefined {
    return peer.assoc ?? peer.connecting ?? this.#connect(peer);
  }

  #presence(
    now: number,
    assoc: AssociationId | undefined,
    entry: AssociationEntry | undefined,
    from: TransportAddress | undefined,
    m: PresenceMessage,
  ): void {
    const host = this.#host;
    const table = this.#table;
    host.stats.presencesReceived++;
    const id = m.senderId;
    const known = this.#identify(assoc, entry, id);
    let peer = known.peer;
    let isNew = known.isNew;
    const fallback = entry?.remote?.address ?? from?.address;
    if (peer === undefined) {
      const endpoints = endpointsOf(m.serverInformation, fallback);
      peer = new PeerRecord(id, endpoints, false);
      table.add(peer);
      isNew = true;
    } else {
      if (peer.state === "gone") isNew = true;
      if (!peer.isStatic && m.serverInformation !== undefined) {
        const endpoints = endpointsOf(m.serverInformation, fallback);
        if (endpoints.length > 0) peer.endpoints = endpoints;
      }
    }
    if (entry !== undefined && entry.peer !== peer) this.#bind(entry, assoc!, peer);
    this.#heard(now, peer);
    peer.reportedChecksum = m.checksum;
    if (isNew) host.emit({ type: "peer-up", peerId: id, endpoint: peer.endpoints[0] });
    if (assoc === undefined) {
      if (peer.assoc === undefined && peer.connecting === undefined) this.#connect(peer);
      return;
    }
    if (m.replyRequired || isNew) this.#sendPresence(peer, assoc, isNew && !m.replyRequired);
    if (
      !this.#mentorDone && this.#mentor === undefined && host.inStartupPhase() &&
      peer.sync === "none"
    ) {
      this.#mentor = peer;
      peer.wasMentor = true;
      host.emit({ type: "mentor-selected", peerId: id });
      this.#startSync(peer, "mentor", assoc);
    } else if (peer.sync === "none") {
      const ours = host.handlespace.ownershipChecksum(id);
      if (ours !== m.checksum) {
        host.stats.auditMismatches++;
        host.emit({ type: "audit-mismatch", peerId: id, theirs: m.checksum, ours });
        this.#startSync(peer, "audit", assoc);
      }
    }
    if (!peer.listRequested) {
      peer.listRequested = true;
      host.send(
        assoc,
        host.encoder.encodeEnrp({ type: "list-request", senderId: this.#own, receiverId: id }),
      );
    }
  }

  /**
   * The peer a message of `id` on `assoc` comes from: a message on our association to a static
   * peer not identified yet names it (or shows it is a peer known by identifier: the records
   * merge); the association is bound to the peer.
   */
  #identify(
    assoc: AssociationId | undefined,
    entry: AssociationEntry | undefined,
    id: RegistrarId,
  ): { peer: PeerRecord | undefined; isNew: boolean } {
    const table = this.#table;
    let peer = table.get(id);
    let isNew = false;
    const bound = entry?.peer;
    if (bound !== undefined && bound !== peer && bound.isStatic && bound.id === 0n) {
      if (peer === undefined) {
        table.identify(bound, id);
        peer = bound;
        isNew = true;
      } else this.#merge(bound, peer);
    }
    if (entry !== undefined && peer !== undefined && entry.peer !== peer) {
      this.#bind(entry, assoc!, peer);
    }
    return { peer, isNew };
  }

  /** A static record turned out to be a peer known by identifier: one record remains. */
  #merge(from: PeerRecord, into: PeerRecord): void {
    const table = this.#table;
    into.isStatic = true;
    for (const [id, a] of table.associations) {
      if (a.peer !== from) continue;
      a.peer = into;
      if (a.up && !a.closing) this.#bind(a, id, into);
      else if (!a.up && into.connecting === undefined) into.connecting = id;
    }
    table.delete(from);
  }

  /** Attaches an association to a peer; two live ones: the lower identifier's opening stays. */
  #bind(entry: AssociationEntry, assoc: AssociationId, peer: PeerRecord): void {
    entry.peer = peer;
    if (!entry.up || entry.closing) return;
    const current = peer.assoc;
    if (current === undefined || current === assoc) {
      peer.assoc = assoc;
      return;
    }
    const other = this.#table.associations.get(current);
    if (other === undefined || !other.up || other.closing || peer.id === 0n) {
      peer.assoc = assoc;
      return;
    }
    const openerOf = (a: AssociationEntry) => a.outbound ? this.#own : peer.id;
    let keep: AssociationId, drop: AssociationId;
    if (openerOf(other) === openerOf(entry)) {
      keep = assoc; // the same side opened both: the newer one stays
      drop = current;
      if (!entry.outbound) {
        peer.assoc = keep; // the opener closes the older one
        return;
      }
    } else if (openerOf(other) < openerOf(entry)) {
      keep = current;
      drop = assoc;
    } else {
      keep = assoc;
      drop = current;
    }
    peer.assoc = keep;
    const dropped = this.#table.associations.get(drop)!;
    dropped.closing = true;
    this.#host.close(drop, "Duplicate ENRP association (the lower identifier's stays)");
    this.#host.stats.duplicateAssociationsClosed++;
    if (peer.syncAssoc === drop) this.#restartSync(peer);
  }

  #heard(now: number, peer: PeerRecord): void {
    peer.lastHeard = now;
    if (peer.state !== "alive") {
      if (peer.takeover !== undefined) {
        peer.takeover = undefined;
        this.#host.stats.takeoversCancelled++;
        this.#host.emit({ type: "takeover-cancelled", targetId: peer.id, reason: "target-alive" });
      }
      peer.takenOverBy = undefined;
      peer.go("heard");
    }
    peer.deadline = this.#stopped ? Infinity : now + this.#cfg.peerMaxTimeLastHeard;
  }

  // ---- Handle Table synchronisation (requester side) ----

  #startSync(peer: PeerRecord, kind: SyncKind, assoc: AssociationId): void {
    if (kind === "audit") this.#host.handlespace.markOwner(peer.id);
    peer.sync = kind;
    peer.syncAssoc = assoc;
    peer.syncReceived = 0;
    this.#requestTable(peer, assoc);
  }

  #requestTable(peer: PeerRecord, assoc: AssociationId): void {
    const host = this.#host;
    host.send(
      assoc,
      host.encoder.encodeEnrp({
        type: "handle-table-request",
        ownChildrenOnly: peer.sync === "audit",
        senderId: this.#own,
        receiverId: peer.id,
      }),
    );
    host.stats.handleTableRequestsSent++;
  }

  /** The association of a running synchronisation went away: go on over another, or drop it. */
  #restartSync(peer: PeerRecord): void {
    const kind = peer.sync;
    peer.sync = "none";
    peer.syncAssoc = undefined;
    if (kind === "none") return;
    const assoc = peer.assoc;
    if (assoc !== undefined) this.#startSync(peer, kind, assoc);
    else if (kind === "mentor") this.#mentor = undefined;
  }

  #tableResponse(
    now: number,
    assoc: AssociationId,
    peer: PeerRecord | undefined,
    m: HandleTableResponseMessage,
  ): void {
    const host = this.#host;
    if (peer === undefined || peer.sync === "none" || peer.syncAssoc !== assoc) return;
    const kind = peer.sync;
    if (m.reject) {
      peer.sync = "none";
      peer.syncAssoc = undefined;
      if (kind === "mentor") this.#mentor = undefined;
      return;
    }
    const reassert: PoolElementEntry[] = [];
    let n = 0;
    for (const pool of m.pools) {
      for (const pe of pool.poolElements) {
        n++;
        this.#apply(
          now,
          peer.id,
          pool.poolHandle,
          pe,
          kind === "mentor" ? "mentor" : "table",
          assoc,
          reassert,
        );
      }
    }
    host.stats.tableEntriesReceived += n;
    peer.syncReceived += n;
    for (const e of reassert) this.#reassert(e);
    if (m.moreToSend) {
      this.#requestTable(peer, assoc);
      return;
    }
    peer.sync = "none";
    peer.syncAssoc = undefined;
    if (kind === "audit") {
      const purged = host.handlespace.purgeMarked(peer.id).length;
      host.stats.auditPurged += purged;
      host.emit({
        type: "audit-finished",
        peerId: peer.id,
        poolElements: peer.syncReceived,
        purged,
      });
    } else {
      this.#mentorDone = true;
      host.stats.mentorSyncs++;
      host.emit({ type: "mentor-sync-finished", peerId: peer.id, poolElements: peer.syncReceived });
      host.endStartupPhase(now);
    }
  }

  /** A peer claimed a PE registered with us: every peer hears again that it is ours. */
  #reassert(entry: PoolElementEntry): void {
    this.#host.stats.ownershipReasserted++;
    this.#sendUpdate("add-pe", entry, false);
  }

  #listResponse(now: number, servers: readonly ServerInformationParameter[]): void {
    const table = this.#table;
    for (const si of servers) {
      const id = si.registrarId;
      if (id === 0n || id === this.#own || table.get(id) !== undefined) continue;
      const endpoints = endpointsOf(si, undefined);
      if (endpoints.length === 0) continue;
      const peer = new PeerRecord(id, endpoints, false);
      table.add(peer);
      peer.deadline = this.#stopped ? Infinity : now + this.#cfg.peerMaxTimeLastHeard;
      this.#host.emit({ type: "peer-up", peerId: id, endpoint: endpoints[0] });
      this.#connect(peer);
    }
  }

  // ---- applying peers' PEs ----

  #handleUpdate(now: number, assoc: AssociationId, m: HandleUpdateMessage): void {
    const host = this.#host;
    const stats = host.stats;
    stats.handleUpdatesReceived++;
    const sender = m.senderId;
    if (m.action === "add-pe") {
      const r = this.#apply(now, sender, m.poolHandle, m.poolElement, "update", assoc, undefined);
      if (r !== "applied") {
        stats.handleUpdatesIgnored++;
        return;
      }
      if (m.takeoverSuggested && this.#cfg.takeoverSuggestion) {
        const entry = host.handlespace.find(m.poolHandle, m.poolElement.id);
        if (
          entry !== undefined && entry.homeRegistrarId !== this.#own &&
          entry.asapTransport !== undefined && this.#canTakeMore()
        ) {
          stats.takeoverSuggestionsReceived++;
          host.sendKeepAlive(now, entry, true, false);
        }
      }
      return;
    }
    if (m.action === "del-pe") {
      const entry = host.handlespace.find(m.poolHandle, m.poolElement.id);
      if (
        entry === undefined || entry.homeRegistrarId === this.#own ||
        entry.homeRegistrarId !== sender
      ) {
        stats.handleUpdatesIgnored++;
        return;
      }
      host.removeRemote(entry);
      return;
    }
    stats.handleUpdatesIgnored++;
  }

  /** Whether this registrar is not itself over the suggestion threshold (it may take PEs). */
  #canTakeMore(): boolean {
    const hs = this.#host.handlespace;
    let total = hs.ownedCount(this.#own), n = 1;
    for (const p of this.#table.records) {
      if (p.id === 0n || p.state !== "alive") continue;
      total += hs.ownedCount(p.id);
      n++;
    }
    return hs.ownedCount(this.#own) < total / n;
  }

  /**
   * Applies one PE description of a peer (Handle Update ADD_PE or table entry), following the
   * ownership rules of the class documentation.
   */
  #apply(
    now: number,
    sender: RegistrarId,
    poolHandle: Uint8Array,
    pe: PoolElementParameter,
    source: Source,
    assoc: AssociationId,
    reassert: PoolElementEntry[] | undefined,
  ): Applied {
    const host = this.#host;
    const hs = host.handlespace;
    const own = this.#own;
    const home = pe.homeRegistrarId === 0n ? sender : pe.homeRegistrarId;
    const existing = hs.find(poolHandle, pe.id);
    if (home === own) {
      // Our own identifier as home: a PE of an earlier life of this registrar (restarted with
      // the same identifier), learned from the mentor. Adopt it and find out if it lives.
      if (existing !== undefined || source !== "mentor") return "ignored";
      const r = hs.register(poolHandle, pe, { now, home: own });
      if (!r.ok) return "ignored";
      if (!host.sendKeepAlive(now, r.entry, this.#cfg.takeoverKeepAlive === "home", true)) {
        hs.setDeadline(r.entry, "lifetime-expiry", now + pe.registrationLife);
      }
      return "applied";
    }
    let yielded = false;
    if (
      source !== "update" && existing !== undefined && existing.homeRegistrarId !== own &&
      existing.homeRegistrarId !== home && existing.homeRegistrarId !== sender &&
      this.#table.get(existing.homeRegistrarId)?.state === "alive"
    ) {
      // A table claims a PE whose home we hear from: that home's own word (its audit) counts.
      // A PE that really moved is announced by a Handle Update of its new home.
      return "kept";
    }
    if (existing !== undefined && existing.homeRegistrarId === own) {
      if (host.hasLiveAssociation(existing)) {
        if (source === "update") {
          this.#claims.set(claimKey(existing.poolHandle, existing.id), { home, time: now });
        } else reassert?.push(existing);
        return "kept";
      }
      if (source !== "update" && !(home < own)) return "kept";
      yielded = true;
    }
    const r = hs.register(poolHandle, this.#withDistance(pe, assoc), { now, home });
    if (!r.ok) return "ignored";
    const entry = r.entry;
    if (yielded) {
      hs.clearDeadline(entry, "keep-alive-transmission");
      hs.clearDeadline(entry, "keep-alive-timeout");
    }
    hs.setDeadline(entry, "lifetime-expiry", now + pe.registrationLife);
    return "applied";
  }

  /** DPF policies: our distance to the sending peer (half its SRTT) is added (RSPLIB). */
  #withDistance(pe: PoolElementParameter, assoc: AssociationId): PoolElementParameter {
    const info = policyTypeInfo(pe.policy.type);
    if (info === undefined || !info.fields.includes("distance")) return pe;
    const srtt = this.#host.srtt(assoc);
    if (srtt === undefined) return pe;
    const step = this.#host.distanceStep;
    const add = Math.round(srtt / 2 / step) * step;
    if (add === 0) return pe;
    const distance = Math.min(0xffffffff, pe.policy.distance + add);
    return { ...pe, policy: { ...pe.policy, distance } };
  }

  // ---- liveness and takeover ----

  #peerTimer(now: number, peer: PeerRecord): void {
    peer.deadline = Infinity;
    if (this.#stopped || peer.id === 0n) return;
    switch (peer.state) {
      case "alive": {
        peer.go("silent");
        this.#host.emit({ type: "peer-silent", peerId: peer.id });
        peer.deadline = now + this.#cfg.peerMaxTimeNoResponse;
        const assoc = peer.assoc ?? peer.connecting;
        if (assoc !== undefined) this.#sendPresence(peer, assoc, true);
        else this.#connect(peer); // its first message is the probe
        return;
      }
      case "probing":
      case "awaiting-takeover":
        peer.takenOverBy = undefined;
        if (this.#host.handlespace.ownedCount(peer.id) > 0) this.#startTakeover(now, peer);
        else {
          peer.go("give-up");
          this.#remove(peer, "silent");
        }
        return;
      case "taking-over":
        this.#takeoverExpired(now, peer);
        return;
      case "gone":
        return;
    }
  }

  #startTakeover(now: number, peer: PeerRecord): void {
    const host = this.#host;
    const outstanding = new Set<RegistrarId>();
    for (const p of this.#table.records) {
      if (p !== peer && p.id !== 0n && p.state === "alive") outstanding.add(p.id);
    }
    peer.go("take-over");
    peer.takeover = outstanding;
    host.stats.takeoversStarted++;
    host.emit({ type: "takeover-started", targetId: peer.id, awaiting: [...outstanding] });
    this.#broadcast("init-takeover", peer.id, undefined);
    if (outstanding.size === 0) this.#completeTakeover(now, peer);
    else peer.deadline = now + this.#cfg.takeoverExpiry;
  }

  #takeoverExpired(now: number, peer: PeerRecord): void {
    const out = peer.takeover;
    if (out === undefined) return;
    for (const id of [...out]) {
      if (this.#table.get(id)?.state !== "alive") out.delete(id);
    }
    if (out.size === 0) {
      this.#completeTakeover(now, peer);
      return;
    }
    const host = this.#host;
    host.stats.takeoversExpired++;
    host.emit({ type: "takeover-expired", targetId: peer.id, missing: [...out] });
    peer.takeover = undefined;
    peer.go("expired");
    peer.deadline = now + this.#cfg.peerMaxTimeNoResponse;
  }

  #completeTakeover(now: number, peer: PeerRecord): void {
    const host = this.#host;
    const hs = host.handlespace;
    const target = peer.id;
    peer.takeover = undefined;
    this.#broadcast("takeover-server", target, target);
    const moved = hs.transferOwnership(target, this.#own);
    const home = this.#cfg.takeoverKeepAlive === "home";
    for (const e of moved) {
      // Monitored by keep-alives from now on; a PE that cannot be reached keeps the expiry its
      // last registration gave it (its Registration Life since then).
      if (host.sendKeepAlive(now, e, home, true)) hs.clearDeadline(e, "lifetime-expiry");
      else if (hs.deadline(e, "lifetime-expiry") === undefined) {
        hs.setDeadline(e, "lifetime-expiry", Math.max(now, e.lastUpdate + e.registrationLife));
      }
    }
    host.stats.takeoversCompleted++;
    host.stats.poolElementsTakenOver += moved.length;
    host.emit({ type: "takeover-completed", targetId: target, poolElements: moved.length });
    peer.go("completed");
    this.#remove(peer, "taken-over");
  }

  /** Sends an Init Takeover or Takeover Server about `target` to every identified peer. */
  #broadcast(
    type: "init-takeover" | "takeover-server",
    target: RegistrarId,
    except: RegistrarId | undefined,
  ): void {
    const host = this.#host;
    const to: [PeerRecord, AssociationId][] = [];
    for (const p of this.#table.records) {
      if (p.id === 0n || p.id === except) continue;
      const assoc = this.#associationOf(p); // connects first: encoding reuses one buffer
      if (assoc !== undefined) to.push([p, assoc]);
    }
    const bytes = host.encoder.encodeEnrp({
      type,
      senderId: this.#own,
      receiverId: 0n,
      targetId: target,
    });
    for (const [p, assoc] of to) {
      this.#setReceiver(bytes, p.id);
      host.send(assoc, bytes);
    }
  }

  #initTakeover(now: number, assoc: AssociationId, sender: RegistrarId, target: RegistrarId): void {
    const host = this.#host;
    if (target === this.#own) {
      this.#announceAlive();
      return;
    }
    const tp = this.#table.get(target);
    if (tp !== undefined) {
      if (tp.state === "alive") return; // we hear it: no ack (see README "Takeover")
      if (tp.state === "taking-over") {
        if (sender > this.#own) return; // ours goes on: the lower identifier wins
        tp.takeover = undefined;
        host.stats.takeoversCancelled++;
        host.emit({ type: "takeover-cancelled", targetId: target, reason: "lower-id-initiator" });
        tp.go("lower-initiator");
      } else tp.go("init-takeover");
      if (tp.state === "awaiting-takeover") {
        tp.takenOverBy = sender;
        tp.deadline = now + this.#cfg.peerMaxTimeNoResponse;
        host.emit({ type: "takeover-acknowledged", targetId: target, initiatorId: sender });
      }
    }
    host.send(
      assoc,
      host.encoder.encodeEnrp({
        type: "init-takeover-ack",
        senderId: this.#own,
        receiverId: sender,
        targetId: target,
      }),
    );
    host.stats.takeoverAcksSent++;
  }

  #initTakeoverAck(now: number, sender: RegistrarId, target: RegistrarId): void {
    const tp = this.#table.get(target);
    if (tp === undefined || tp.state !== "taking-over" || tp.takeover === undefined) return;
    if (tp.takeover.delete(sender) && tp.takeover.size === 0) this.#completeTakeover(now, tp);
  }

  #takeoverServer(sender: RegistrarId, target: RegistrarId): void {
    const host = this.#host;
    if (target === this.#own) {
      this.#announceAlive();
      return;
    }
    const hs = host.handlespace;
    // The PEs keep their expiry (Registration Life since their last update): the new home's
    // updates refresh it.
    const moved = hs.transferOwnership(target, sender);
    host.emit({
      type: "taken-over-by-peer",
      targetId: target,
      byId: sender,
      poolElements: moved.length,
    });
    const tp = this.#table.get(target);
    if (tp === undefined || tp.state === "alive") return;
    tp.takeover = undefined;
    tp.go("takeover-server");
    this.#remove(tp, "taken-over-by-peer");
  }

  /** Someone wants to take us over: Presence to everyone, by multicast and to every peer. */
  #announceAlive(): void {
    this.#multicastPresence();
    for (const p of this.#table.records) {
      const assoc = p.assoc ?? p.connecting;
      if (assoc !== undefined) this.#sendPresence(p, assoc, false);
    }
  }

  #remove(peer: PeerRecord, reason: "silent" | "taken-over" | "taken-over-by-peer"): void {
    const id = peer.id;
    const table = this.#table;
    peer.deadline = Infinity;
    peer.takeover = undefined;
    peer.takenOverBy = undefined;
    peer.listRequested = false;
    peer.sync = "none";
    peer.syncAssoc = undefined;
    if (this.#mentor === peer) this.#mentor = undefined;
    if (peer.isStatic) {
      peer.state = "gone";
      table.unidentify(peer);
    } else {
      table.delete(peer);
      for (const [assoc, a] of table.associations) {
        if (a.peer !== peer) continue;
        a.peer = undefined;
        if (!a.closing) {
          a.closing = true;
          this.#host.close(assoc, "Peer removed from the peer table");
        }
      }
    }
    this.#host.emit({ type: "peer-removed", peerId: id, reason });
  }

  /** Writes a receiver identifier into an encoded ENRP message (after the sender's). */
  #setReceiver(bytes: Uint8Array, id: RegistrarId): void {
    let encoded = this.#idCache.get(id);
    if (encoded === undefined) {
      encoded = new Uint8Array(this.#idBytes);
      let v = id;
      for (let at = encoded.length; at > 0; v >>= 8n) encoded[--at] = Number(v & 0xffn);
      if (this.#idCache.size > 1024) this.#idCache.clear();
      this.#idCache.set(id, encoded);
    }
    bytes.set(encoded, 4 + this.#idBytes);
  }
}

/** Where a peer is reached: its Server Information's addresses at its port, or `fallback`. */
function endpointsOf(
  si: ServerInformationParameter | undefined,
  fallback: string | undefined,
): TransportAddress[] {
  if (si === undefined) return [];
  const port = si.transport.port;
  if (port === 0) return [];
  const out: TransportAddress[] = [];
  for (const address of si.transport.addresses) {
    if (!UNSPECIFIED.has(address)) out.push({ address, port });
  }
  if (out.length === 0 && fallback !== undefined) out.push({ address: fallback, port });
  return out;
}

/** A key for a PE: its pool handle in hex and its identifier. */
function claimKey(poolHandle: Uint8Array, id: bigint): string {
  let s = "";
  for (let i = 0; i < poolHandle.length; i++) s += poolHandle[i]!.toString(16).padStart(2, "0");
  return `${s}:${id}`;
}
