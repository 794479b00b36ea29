// The driver's SCTP-over-UDP associations: role association ids mapped to associations of the
// sans-IO engine (core/sctp) behind the driver's UDP sockets, with the same up/down contract as
// the TCP shim's associations. Private to adapters/: driver.ts owns one and delegates to it.

import type {
  AssociationDown,
  AssociationId,
  AssociationInfo,
  Role,
  SendFailure,
  TransportAddress,
  TransportKind,
} from "../core/role.ts";
import type { SctpAssociationEvent } from "../core/sctp/association.ts";
import {
  messageLimit,
  resolveSctpOptions,
  type SctpAssociationOptions,
} from "../core/sctp/options.ts";
import { CryptoRng } from "./crypto_rng.ts";
import { addressFamily, type Runtime } from "./runtime.ts";
import { SctpUdpHost } from "./_sctp_udp_host.ts";
import type { AssociationState } from "../core/transport/association_state.ts";

/** The RFC 6951 UDP port. */
export const SCTP_UDP_PORT = 9899;

/** Settings of SCTP over UDP in a driver. */
export interface SctpUdpOptions {
  /** Local UDP port of the sockets listeners bind (default 9899, RFC 6951). */
  readonly udpPort?: number;
  /** The peer's UDP port when a `connect` names none (default 9899). */
  readonly remoteUdpPort?: number;
  /**
   * Our addresses for multi-homing: listed in INIT and INIT-ACK, and a UDP socket is bound on
   * each (listeners and connects then use them). Default: none (the listener's hostname, or a
   * wildcard socket for connects).
   */
  readonly addresses?: readonly string[];
  /** Options of every SCTP association (listeners may override them). */
  readonly association?: SctpAssociationOptions;
  /** Time an `auto` connect gives SCTP over UDP before it falls back to TCP (default 2000). */
  readonly autoFallbackTimeout?: number;
}

/** What the driver reports about transports (see `DriverOptions.onTransport`). */
export type TransportEvent =
  | {
    /** A listener started. */
    readonly type: "listen";
    /** Its name. */
    readonly listener: string;
    /** The transports it serves. */
    readonly transports: readonly TransportKind[];
    /** Why these. */
    readonly note: string;
    /** The UDP socket of its SCTP over UDP, if it serves that. */
    readonly udp?: TransportAddress;
  }
  | {
    /** An association the role opened came up over a transport. */
    readonly type: "connect";
    /** The association. */
    readonly assoc: AssociationId;
    /** The transport it runs over. */
    readonly transport: TransportKind;
    /** Why this transport. */
    readonly note: string;
  }
  | {
    /** An `auto` connect gave up on a transport and tries the next. */
    readonly type: "fallback";
    /** The association. */
    readonly assoc: AssociationId;
    /** The transport given up. */
    readonly from: TransportKind;
    /** The transport tried next. */
    readonly to: TransportKind;
    /** Why. */
    readonly detail: string;
  }
  | {
    /** A path of a multi-homed SCTP association changed. */
    readonly type: "path";
    /** The association. */
    readonly assoc: AssociationId;
    /** The peer address of the path. */
    readonly address: string;
    /** What happened to it. */
    readonly state: "confirmed" | "active" | "inactive";
  };

/** A role send that waits for its association. */
export interface PendingSend {
  readonly ppid: number;
  readonly stream: number;
  readonly payload: Uint8Array;
}

/** What the SCTP part needs from the driver. */
export interface SctpDriverHooks<E> {
  readonly runtime: Runtime;
  readonly role: Role<E>;
  /** The next id for an accepted association. */
  nextInboundId(): AssociationId;
  /** Carries on an `auto` connect over TCP with the same id and the sends still queued. */
  fallbackToTcp(
    id: AssociationId,
    endpoints: readonly TransportAddress[],
    pending: PendingSend[],
  ): void;
  /** Reports a transport decision. */
  log(event: TransportEvent): void;
  /** Runs the driver's loop soon (after a socket callback). */
  wake(): void;
}

/** A snapshot of an SCTP association for `Driver.status()`. */
export interface SctpStatus {
  readonly state: AssociationState | "connecting";
  readonly remote: TransportAddress | undefined;
  readonly local: TransportAddress | undefined;
  readonly srtt: number | undefined;
  readonly queuedBytes: number;
  readonly peerAddresses: readonly string[];
}

interface Listener {
  readonly name: string;
}

interface Entry {
  readonly id: AssociationId;
  readonly listener: Listener | undefined;
  /** The engine association's id, or -1 while none exists. */
  sctp: number;
  /** Endpoint groups to try: consecutive endpoints with one SCTP port are one multi-homed try. */
  readonly groups: readonly { readonly remotes: TransportAddress[]; readonly port: number }[];
  readonly endpoints: readonly TransportAddress[];
  attempt: number;
  /** `auto`: fall back to TCP after SCTP over UDP failed; hold sends until up. */
  readonly auto: boolean;
  /** When an `auto` connect gives up on SCTP over UDP. */
  autoDeadline: number;
  /** When the current attempt (one endpoint group) gives up (the driver's connect timeout). */
  attemptDeadline: number;
  pending: PendingSend[];
  pendingBytes: number;
  up: boolean;
  downReported: boolean;
  closeRequested: boolean;
  primary: TransportAddress | undefined;
  local: TransportAddress | undefined;
  peerAddresses: readonly string[];
  readonly note: string;
}

/** SCTP over UDP associations of one driver. */
export class SctpTransport<E> {
  #hooks: SctpDriverHooks<E>;
  #options: SctpUdpOptions;
  #assocOptions: Readonly<Required<SctpAssociationOptions>>;
  #host: SctpUdpHost | undefined;
  #entries = new Map<AssociationId, Entry>();
  #byEngine = new Map<number, Entry>();
  #listeners = new Map<number, Listener>();
  #attempting = new Set<Entry>();
  #closed = false;
  #connectTimeout: number;

  constructor(hooks: SctpDriverHooks<E>, options: SctpUdpOptions = {}, connectTimeout = 5000) {
    this.#hooks = hooks;
    this.#options = options;
    this.#connectTimeout = connectTimeout;
    this.#assocOptions = resolveSctpOptions(options.association);
    for (const a of options.addresses ?? []) {
      if (!/^[0-9a-fA-F:.]+$/.test(a)) throw new TypeError(`Invalid SCTP address: "${a}"`);
    }
    const t = options.autoFallbackTimeout ?? 2000;
    if (!(t > 0)) {
      throw new RangeError(`Invalid autoFallbackTimeout: ${t} is not a positive number`);
    }
  }

  /** Whether the id belongs to an SCTP association. */
  has(id: AssociationId): boolean {
    return this.#entries.has(id);
  }

  /** Associations known (connecting, up or closing). */
  get count(): number {
    return this.#entries.size;
  }

  /** The engine's endpoint (tests and status views), once started. */
  get host(): SctpUdpHost | undefined {
    return this.#host;
  }

  #ensureHost(): SctpUdpHost {
    if (this.#host === undefined) {
      const runtime = this.#hooks.runtime;
      const addresses = this.#options.addresses ?? [];
      this.#host = new SctpUdpHost(runtime, {
        rng: new CryptoRng((n) => runtime.randomBytes(n)),
        secret: runtime.randomBytes(32),
        localAddresses: addresses,
        association: this.#options.association ?? {},
      }, () => this.#hooks.wake());
    }
    return this.#host;
  }

  /**
   * Listens on an SCTP port: binds the UDP socket(s) and accepts associations on the port.
   *
   * @returns The UDP socket's address.
   */
  async listen(
    name: string,
    hostname: string,
    sctpPort: number,
    udpPort: number | undefined,
    maxAssociations: number,
    association: SctpAssociationOptions | undefined,
  ): Promise<TransportAddress> {
    const host = this.#ensureHost();
    const port = udpPort ?? this.#options.udpPort ?? SCTP_UDP_PORT;
    const addresses = this.#options.addresses ?? [];
    let udp: TransportAddress;
    if (addresses.length > 0) {
      udp = await host.bind(addresses[0]!, port);
      for (const a of addresses.slice(1)) await host.bind(a, udp.port);
    } else {
      udp = await host.bind(hostname, port);
    }
    host.endpoint.listen(sctpPort, {
      association: { ...this.#options.association, ...association },
      maxAssociations,
    });
    this.#listeners.set(sctpPort, { name });
    return udp;
  }

  /** Stops accepting on an SCTP port. */
  unlisten(sctpPort: number): void {
    this.#listeners.delete(sctpPort);
    this.#host?.endpoint.unlisten(sctpPort);
  }

  /** Opens an association: SCTP over UDP to the endpoints (SCTP ports), in groups. */
  connect(
    id: AssociationId,
    endpoints: readonly TransportAddress[],
    udpPort: number | undefined,
    auto: boolean,
    note: string,
  ): void {
    const peerUdp = udpPort ?? this.#options.remoteUdpPort ?? SCTP_UDP_PORT;
    const groups: { remotes: TransportAddress[]; port: number }[] = [];
    for (const e of endpoints) {
      const last = groups[groups.length - 1];
      const remote = { address: e.address, port: peerUdp };
      if (last !== undefined && last.port === e.port) last.remotes.push(remote);
      else groups.push({ remotes: [remote], port: e.port });
    }
    const now = this.#hooks.runtime.now();
    const entry: Entry = {
      id,
      listener: undefined,
      sctp: -1,
      groups,
      endpoints,
      attempt: 0,
      auto,
      autoDeadline: auto ? now + (this.#options.autoFallbackTimeout ?? 2000) : Infinity,
      attemptDeadline: Infinity,
      pending: [],
      pendingBytes: 0,
      up: false,
      downReported: false,
      closeRequested: false,
      primary: undefined,
      local: undefined,
      peerAddresses: [],
      note,
    };
    this.#entries.set(id, entry);
    if (this.#closed) {
      this.#giveUp(entry, "connect-failed", "Driver closed");
      return;
    }
    this.#attempting.add(entry);
    this.#startAttempt(entry);
  }

  #startAttempt(entry: Entry): void {
    const host = this.#ensureHost();
    const group = entry.groups[entry.attempt]!;
    const family = addressFamily(group.remotes[0]!.address);
    const addresses = this.#options.addresses ?? [];
    const ready = addresses.length > 0
      ? Promise.all(addresses.map((a) => host.bind(a, 0))).then(() => {})
      : host.ensureSocket(family);
    ready.then(() => {
      if (entry.downReported || !this.#entries.has(entry.id)) return;
      const now = this.#hooks.runtime.now();
      let assoc;
      try {
        assoc = host.endpoint.connect(now, group.remotes, group.port);
      } catch (e) {
        this.#attemptFailed(entry, (e as Error).message);
        this.#hooks.wake();
        return;
      }
      entry.sctp = assoc.id;
      entry.attemptDeadline = now + this.#connectTimeout;
      this.#byEngine.set(assoc.id, entry);
      if (!entry.auto) {
        this.#flushPending(entry, now);
        if (entry.closeRequested) host.endpoint.shutdown(now, assoc.id);
      }
      this.#hooks.wake();
    }, (e: unknown) => {
      if (entry.downReported) return;
      this.#attemptFailed(entry, (e as Error).message ?? String(e));
      this.#hooks.wake();
    });
  }

  #flushPending(entry: Entry, now: number): void {
    const pending = entry.pending;
    entry.pending = [];
    entry.pendingBytes = 0;
    for (const p of pending) this.#engineSend(now, entry, p.ppid, p.stream, p.payload);
  }

  #engineSend(now: number, entry: Entry, ppid: number, stream: number, payload: Uint8Array): void {
    const r = this.#host!.endpoint.send(now, entry.sctp, ppid, stream, payload);
    if (r !== "ok") this.#failed(now, entry.id, r, payload);
  }

  #failed(now: number, id: AssociationId, failure: SendFailure, payload: Uint8Array): void {
    this.#hooks.role.handleSendFailed?.(now, id, failure, payload);
  }

  #attemptFailed(entry: Entry, detail: string): void {
    if (entry.sctp >= 0) this.#byEngine.delete(entry.sctp);
    entry.sctp = -1;
    entry.attempt++;
    entry.attemptDeadline = Infinity;
    if (entry.attempt < entry.groups.length && this.#hooks.runtime.now() < entry.autoDeadline) {
      this.#startAttempt(entry);
      return;
    }
    if (entry.auto && !this.#closed) {
      this.#entries.delete(entry.id);
      this.#attempting.delete(entry);
      entry.downReported = true;
      this.#hooks.log({ type: "fallback", assoc: entry.id, from: "sctp-udp", to: "tcp", detail });
      this.#hooks.fallbackToTcp(entry.id, entry.endpoints, entry.pending);
      return;
    }
    this.#giveUp(entry, "connect-failed", detail);
  }

  #giveUp(entry: Entry, reason: AssociationDown["reason"], detail: string): void {
    const now = this.#hooks.runtime.now();
    for (const p of entry.pending) this.#failed(now, entry.id, "closed", p.payload);
    entry.pending = [];
    entry.pendingBytes = 0;
    this.#reportDown(entry, { reason, cause: 0, detail });
  }

  #reportDown(entry: Entry, down: AssociationDown): void {
    if (entry.downReported) return;
    entry.downReported = true;
    this.#attempting.delete(entry);
    if (this.#entries.get(entry.id) === entry) this.#entries.delete(entry.id);
    if (entry.sctp >= 0 && this.#byEngine.get(entry.sctp) === entry) {
      this.#byEngine.delete(entry.sctp);
    }
    if (entry.id > 0 || entry.up) {
      this.#hooks.role.handleAssociationDown(this.#hooks.runtime.now(), entry.id, down);
    }
  }

  /** A role's `send`. */
  send(now: number, id: AssociationId, ppid: number, stream: number, payload: Uint8Array): void {
    const entry = this.#entries.get(id);
    if (entry === undefined || entry.downReported) {
      this.#failed(now, id, "closed", payload);
      return;
    }
    if (entry.sctp >= 0 && (entry.up || !entry.auto)) {
      this.#engineSend(now, entry, ppid, stream, payload);
      return;
    }
    if (payload.length === 0) throw new RangeError("Cannot send: the message is empty");
    if (entry.closeRequested) return this.#failed(now, id, "closed", payload);
    if (payload.length > messageLimit(ppid, this.#assocOptions.maxMessageSize)) {
      return this.#failed(now, id, "too-large", payload);
    }
    if (
      entry.pendingBytes > 0 &&
      entry.pendingBytes + payload.length > this.#assocOptions.maxSendBuffer
    ) {
      return this.#failed(now, id, "buffer-full", payload);
    }
    entry.pending.push({ ppid, stream, payload: payload.slice() });
    entry.pendingBytes += payload.length;
  }

  /** A role's `close`. */
  close(now: number, id: AssociationId, abort: boolean, reason: string): void {
    const entry = this.#entries.get(id);
    if (entry === undefined || entry.downReported) return;
    if (entry.sctp < 0 || (!entry.up && entry.auto)) {
      if (abort) {
        if (entry.sctp >= 0) this.#host!.endpoint.abort(now, entry.sctp, reason);
        this.#giveUp(entry, "aborted", reason);
      } else entry.closeRequested = true;
      return;
    }
    if (abort) this.#host!.endpoint.abort(now, entry.sctp, reason);
    else this.#host!.endpoint.shutdown(now, entry.sctp);
  }

  /** Moves the engine's events to the role and its packets to the sockets; true if any. */
  drain(now: number): boolean {
    const host = this.#host;
    if (host === undefined) return false;
    let worked = false;
    const ep = host.endpoint;
    for (let e; (e = ep.pollEvent()) !== undefined;) {
      worked = true;
      this.#event(now, e);
    }
    for (let t; (t = ep.pollTransmit(now)) !== undefined;) {
      worked = true;
      host.send(t);
    }
    return worked;
  }

  #event(now: number, e: SctpAssociationEvent): void {
    const role = this.#hooks.role;
    const entry = this.#byEngine.get(e.assoc);
    switch (e.type) {
      case "established": {
        if (e.inbound) {
          this.#accepted(now, e);
          return;
        }
        if (entry === undefined || entry.downReported) return;
        entry.up = true;
        this.#attempting.delete(entry);
        entry.attemptDeadline = Infinity;
        entry.primary = { address: e.remote.address, port: e.peerPort };
        entry.local = { address: this.#localAddress(e.remote.address), port: e.localPort };
        entry.peerAddresses = e.peerAddresses;
        if (entry.auto) this.#flushPending(entry, now);
        this.#hooks.log({
          type: "connect",
          assoc: entry.id,
          transport: "sctp-udp",
          note: entry.note,
        });
        role.handleAssociationUp(now, entry.id, this.#info(entry, e.peerAddresses));
        if (entry.closeRequested) this.#host!.endpoint.shutdown(now, entry.sctp);
        return;
      }
      case "message":
        if (entry?.up && !entry.downReported) {
          role.handleMessage(now, entry.id, e.ppid, e.stream, e.payload);
        }
        return;
      case "writable":
        if (entry?.up && !entry.downReported) role.handleWritable?.(now, entry.id);
        return;
      case "rtt":
        if (entry?.up && !entry.downReported && e.address === entry.primary?.address) {
          role.handleRttSample?.(now, entry.id, { rtt: e.rtt, srtt: e.srtt, rttvar: e.rttvar });
        }
        return;
      case "path":
        if (entry !== undefined) {
          this.#hooks.log({ type: "path", assoc: entry.id, address: e.address, state: e.state });
        }
        return;
      case "send-failed":
        if (entry !== undefined) this.#failed(now, entry.id, e.failure, e.payload);
        return;
      case "peer-error":
        return;
      case "restart": {
        if (entry === undefined) return;
        // The peer lost its state: to the role this association ended and a new one began.
        this.#reportDown(entry, {
          reason: "reset",
          cause: 0,
          detail: "Association restarted by the peer",
        });
        const fresh = this.#newEntry(this.#hooks.nextInboundId(), entry.listener, e.assoc);
        fresh.up = true;
        fresh.primary = entry.primary;
        fresh.local = entry.local;
        fresh.peerAddresses = entry.peerAddresses;
        role.handleAssociationUp(now, fresh.id, this.#info(fresh, entry.peerAddresses));
        return;
      }
      case "closed":
        if (entry === undefined || entry.downReported) return;
        if (!entry.up) {
          this.#attemptFailed(entry, `${e.detail} (${e.reason})`);
          return;
        }
        this.#reportDown(entry, { reason: e.reason, cause: e.cause, detail: e.detail });
        return;
    }
  }

  #accepted(now: number, e: Extract<SctpAssociationEvent, { type: "established" }>): void {
    const listener = this.#listeners.get(e.localPort);
    if (listener === undefined || this.#closed) {
      this.#host!.endpoint.abort(now, e.assoc, "Not accepting associations");
      return;
    }
    const entry = this.#newEntry(this.#hooks.nextInboundId(), listener, e.assoc);
    entry.up = true;
    entry.primary = { address: e.remote.address, port: e.peerPort };
    entry.local = { address: this.#localAddress(e.remote.address), port: e.localPort };
    entry.peerAddresses = e.peerAddresses;
    this.#hooks.role.handleAssociationUp(now, entry.id, this.#info(entry, e.peerAddresses));
  }

  #newEntry(id: AssociationId, listener: Listener | undefined, engineId: number): Entry {
    const entry: Entry = {
      id,
      listener,
      sctp: engineId,
      groups: [],
      endpoints: [],
      attempt: 0,
      auto: false,
      autoDeadline: Infinity,
      attemptDeadline: Infinity,
      pending: [],
      pendingBytes: 0,
      up: false,
      downReported: false,
      closeRequested: false,
      primary: undefined,
      local: undefined,
      peerAddresses: [],
      note: "",
    };
    this.#entries.set(id, entry);
    this.#byEngine.set(engineId, entry);
    return entry;
  }

  #info(entry: Entry, peerAddresses: readonly string[]): AssociationInfo {
    return {
      remote: entry.primary!,
      local: entry.local!,
      peerMaxPayload: this.#assocOptions.maxMessageSize,
      listener: entry.listener?.name,
      transport: "sctp-udp",
      peerAddresses,
    };
  }

  #localAddress(remote: string): string {
    const family = addressFamily(remote);
    const local = this.#host?.locals.find((l) => addressFamily(l.address) === family);
    return local?.address ?? (family === "ipv6" ? "::" : "0.0.0.0");
  }

  /** The earliest deadline: the engine's timers and `auto` fallback budgets. */
  pollTimeout(): number | undefined {
    let at = this.#host?.endpoint.pollTimeout() ?? Infinity;
    for (const e of this.#attempting) at = Math.min(at, e.autoDeadline, e.attemptDeadline);
    return at === Infinity ? undefined : at;
  }

  /** Runs due timers. */
  handleTimeout(now: number): void {
    for (const e of [...this.#attempting]) {
      if (e.up || e.downReported) {
        this.#attempting.delete(e);
        continue;
      }
      const auto = e.autoDeadline <= now;
      if (!auto && e.attemptDeadline > now) continue;
      const detail = auto
        ? `SCTP over UDP not up within ${this.#options.autoFallbackTimeout ?? 2000} ms`
        : `Connect timeout after ${this.#connectTimeout} ms`;
      if (e.sctp >= 0) {
        this.#byEngine.delete(e.sctp);
        this.#host!.endpoint.abort(now, e.sctp, auto ? "Falling back to TCP" : "Connect timeout");
      }
      if (auto) e.attempt = e.groups.length;
      this.#attemptFailed(e, detail);
    }
    this.#host?.endpoint.handleTimeout(now);
  }

  /** A status snapshot of one association. */
  status(id: AssociationId): SctpStatus | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    const a = entry.sctp >= 0 ? this.#host?.endpoint.association(entry.sctp) : undefined;
    let state: SctpStatus["state"] = "connecting";
    if (a !== undefined) {
      switch (a.state) {
        case "cookie-wait":
        case "cookie-echoed":
          state = "handshake";
          break;
        case "established":
          state = "established";
          break;
        case "closed":
          state = "closed";
          break;
        default:
          state = "closing";
      }
    }
    return {
      state,
      remote: entry.primary,
      local: entry.local,
      srtt: a?.srtt,
      queuedBytes: (a?.queuedBytes ?? 0) + entry.pendingBytes,
      peerAddresses: entry.peerAddresses,
    };
  }

  /** Starts closing everything gracefully (driver close). */
  closeAll(now: number): void {
    this.#closed = true;
    for (const entry of [...this.#entries.values()]) {
      if (entry.sctp >= 0 && (entry.up || !entry.auto)) {
        this.#host?.endpoint.shutdown(now, entry.sctp);
      } else this.#giveUp(entry, "closed", "Driver closed");
    }
  }

  /** Whether associations remain in the engine. */
  get busy(): boolean {
    return this.#entries.size > 0 || (this.#host?.endpoint.associationCount ?? 0) > 0;
  }

  /** Aborts what is left and closes the sockets. */
  stop(now: number): void {
    const host = this.#host;
    if (host === undefined) return;
    for (const entry of [...this.#entries.values()]) {
      if (entry.sctp >= 0) host.endpoint.abort(now, entry.sctp, "Driver closed");
    }
    this.drain(now);
    host.close();
  }
}
