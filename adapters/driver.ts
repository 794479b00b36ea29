/**
 * The runtime-neutral driver: runs one sans-IO {@link Role} over real sockets of a
 * {@link Runtime} adapter. It owns the TCP connections and their framed associations (the
 * framing shim), the UDP channels, and one runtime timer for all deadlines.
 *
 * ```ts
 * import { Driver } from "./driver.ts";
 * import { createNodeRuntime } from "./node/mod.ts";
 * import type { Role } from "../core/role.ts";
 * import assert from "node:assert/strict";
 * const idle: Role = {
 *   handleAssociationUp() {},
 *   handleMessage() {},
 *   handleAssociationDown() {},
 *   handleDatagram() {},
 *   handleTimeout() {},
 *   pollTransmit: () => undefined,
 *   pollTimeout: () => undefined,
 *   pollEvent: () => undefined,
 * };
 * const driver = new Driver(createNodeRuntime(), idle);
 * assert.equal(driver.associationCount, 0);
 * await driver.close();
 * ```
 *
 * @module
 */

import type {
  AssociationDown,
  AssociationId,
  Role,
  RoleAction,
  SendFailure,
  TransportAddress,
  TransportChoice,
  TransportKind,
} from "../core/role.ts";
import type { SctpAssociationOptions } from "../core/sctp/options.ts";
import type { SctpEndpointStats } from "../core/sctp/endpoint.ts";
import { AbortCause } from "../core/transport/abort_cause.ts";
import { encodeAbort } from "../core/transport/frame.ts";
import type { AssociationState } from "../core/transport/association_state.ts";
import {
  FramedAssociation,
  type FramedAssociationOptions,
} from "../core/transport/framed_association.ts";
import { DeadlineHeap } from "../core/_deadline_heap.ts";
import {
  connectTls,
  listenTls,
  type PeerIdentity,
  resolveTlsOptions,
  type TlsOptions,
} from "./tls.ts";
import {
  type PendingSend,
  SctpTransport,
  type SctpUdpOptions,
  type TransportEvent,
} from "./_sctp_transport.ts";
import {
  encapsulationPort,
  type KernelSctpStatus,
  SCTP_UDP_PORT,
  selectConnectTransports,
  selectListenTransports,
} from "./transport_selection.ts";
import {
  type BindUdpOptions,
  type DatagramSocket,
  type Runtime,
  type RuntimeTimer,
  type StreamCloseReason,
  type StreamHandler,
  type StreamSocket,
  type TcpListener,
  TransportError,
} from "./runtime.ts";

/** Options of a {@link Driver}. Times are milliseconds. */
export interface DriverOptions<E> {
  /** Limits and timers of every association (listeners may override them). */
  readonly association?: FramedAssociationOptions;
  /** Time allowed for each endpoint of a `connect` to accept the TCP connection (default 5000). */
  readonly connectTimeout?: number;
  /** Time a closed association's socket may take to finish before it is destroyed (default 2000). */
  readonly lingerTimeout?: number;
  /** Disable Nagle's algorithm on every connection (default true: messages are latency-bound). */
  readonly noDelay?: boolean;
  /** Receives the role's events. */
  readonly onEvent?: (event: E) => void;
  /**
   * TLS for the TCP associations the driver opens (`connect` actions): the CA that verifies
   * servers, and this end's certificate and key for mutual authentication.
   */
  readonly tls?: TlsOptions;
  /**
   * The transport of `connect` actions that do not name one (default `"tcp"`). `"auto"` tries
   * SCTP over UDP, then TCP (see `transport_selection.ts`).
   */
  readonly transport?: TransportChoice;
  /** SCTP over UDP: UDP ports, multi-homing addresses, association options. */
  readonly sctp?: SctpUdpOptions;
  /** Receives transport decisions: what a listener serves, what `auto` chose, fallbacks, paths. */
  readonly onTransport?: (event: TransportEvent) => void;
  /**
   * Probes kernel SCTP (default: the runtime adapter's probe; Node has none). Tests inject
   * results here.
   */
  readonly probeKernelSctp?: () => Promise<KernelSctpStatus>;
}

export type {
  KernelSctpStatus,
  PeerIdentity,
  SctpEndpointStats,
  SctpUdpOptions,
  TlsOptions,
  TransportEvent,
};
export { encapsulationPort, SCTP_UDP_PORT };

/** Options of {@link Driver.listen}. */
export interface ListenOptions {
  /** The address to bind. */
  readonly hostname: string;
  /** The port (0 = any free port). */
  readonly port: number;
  /**
   * Most associations this listener keeps at once (default 10000). Further connections get an
   * ABORT (cause Too Many Associations) and are closed, without reaching the role.
   */
  readonly maxAssociations?: number;
  /** Limits and timers of the associations accepted here (over the driver's). */
  readonly association?: FramedAssociationOptions;
  /**
   * Which transports to serve (default `"tcp"`): one, a list (served at once on the same port
   * number, e.g. `["tcp", "sctp-udp"]`), or `"auto"` (SCTP over UDP and TCP).
   */
  readonly transport?: TransportChoice | readonly TransportKind[];
  /**
   * The UDP port of SCTP over UDP (default the driver's `sctp.udpPort`, else by the port
   * convention: `encapsulationPort(port)`, 9899 for 3863 and 9901, else the port itself).
   */
  readonly udpPort?: number;
  /** Options of the SCTP associations accepted here (over the driver's `sctp.association`). */
  readonly sctpAssociation?: SctpAssociationOptions;
  /**
   * Serve TCP over TLS with this certificate and key; with a `ca`, clients must present a
   * certificate signed by it (mutual authentication) and its identity reaches the role as
   * `AssociationInfo.peerIdentity`. TLS applies to TCP only.
   */
  readonly tls?: TlsOptions;
  /** Called when a client's TLS handshake fails (no or a bad certificate, not TLS at all). */
  readonly onTlsRefused?: (detail: string, remote: TransportAddress | undefined) => void;
}

/** Where a listener listens. */
export interface ListenAddress extends TransportAddress {
  /** The transports it serves (TCP and SCTP use the same port number). */
  readonly transports: readonly TransportKind[];
  /** The UDP socket carrying its SCTP over UDP, when it serves that. */
  readonly udp?: TransportAddress;
}

/** Options of {@link Driver.openChannel}: a UDP socket, optionally in multicast groups. */
export interface ChannelOptions extends BindUdpOptions {
  /** Multicast groups to join (receivers bind `0.0.0.0` or the group and set `reuseAddress`). */
  readonly join?: readonly string[];
  /** The interface address to join on and to send multicast from (e.g. `"127.0.0.1"`). */
  readonly multicastInterface?: string;
  /** TTL of multicast datagrams sent (default {@link DEFAULT_MULTICAST_TTL}). */
  readonly multicastTtl?: number;
  /** Whether multicast sent is looped back to this host (default true). */
  readonly multicastLoopback?: boolean;
  /**
   * Called when sending a datagram fails (e.g. no route to a multicast group). Datagrams are
   * best effort (announces repeat), so the driver drops them; this lets the application say so.
   */
  readonly onError?: (detail: string) => void;
}

/** The default multicast TTL of channels: 30, RSPLIB's default for its announces. */
export const DEFAULT_MULTICAST_TTL = 30;

/** A snapshot of one association, for management views and tests. */
export interface AssociationStatus {
  /** The transport it runs over. */
  readonly transport: TransportKind;
  /** The association's state (`"connecting"` before the TCP connection exists). */
  readonly state: AssociationState | "connecting";
  /** The peer, once connected. */
  readonly remote: TransportAddress | undefined;
  /** Our end, once connected. */
  readonly local: TransportAddress | undefined;
  /** Smoothed round-trip time in ms, once measured. */
  readonly srtt: number | undefined;
  /** Bytes queued in the shim and in the socket (SCTP: queued or unacknowledged). */
  readonly queuedBytes: number;
  /** Every address of the peer (SCTP multi-homing), once up. */
  readonly peerAddresses: readonly string[];
}

interface ListenerRecord {
  readonly name: string;
  readonly max: number;
  readonly options: FramedAssociationOptions;
  count: number;
  listener: TcpListener | undefined;
  sctpPort: number | undefined;
}

interface Entry {
  readonly id: AssociationId;
  /** A connect the role asked to run without TLS (`connect` action with `tls: false`). */
  plain?: boolean;
  readonly listener: ListenerRecord | undefined;
  readonly options: FramedAssociationOptions;
  readonly endpoints: readonly TransportAddress[];
  assoc: FramedAssociation | undefined;
  socket: StreamSocket | undefined;
  attempt: number;
  attemptGen: number;
  attemptDeadline: number;
  pending: PendingSend[];
  pendingBytes: number;
  writable: boolean;
  ended: boolean;
  up: boolean;
  downReported: boolean;
  refused: boolean;
  closeRequested: boolean;
  removed: boolean;
  lingerDeadline: number;
  heapDeadline: number;
}

const REFUSAL_DETAIL = "Too many associations";

/**
 * Runs a sans-IO {@link Role} over a {@link Runtime}: TCP associations with the framing shim,
 * UDP channels, one timer.
 *
 * After every socket event or timer the driver feeds the role (`handle*`), carries out its
 * actions (`pollTransmit`), forwards its events (`pollEvent` → `onEvent`) and re-arms the timer
 * at the earliest of the role's `pollTimeout()` and every association's deadline (a heap with
 * lazy deletion, so thousands of associations cost one runtime timer). After calling one of the
 * role's own commands, call {@link flush} (or use {@link run}).
 *
 * @example Echo over loopback TCP
 * ```ts
 * import { Driver } from "./driver.ts";
 * import { currentRuntime } from "./current.ts";
 * import type { AssociationId, Role, RoleAction } from "../core/role.ts";
 * import assert from "node:assert/strict";
 *
 * // A real (tiny) role: echoes every message back on the association it came from.
 * class Echo implements Role {
 *   out: RoleAction[] = [];
 *   handleAssociationUp() {}
 *   handleMessage(_now: number, assoc: AssociationId, ppid: number, stream: number, payload: Uint8Array) {
 *     this.out.push({ type: "send", assoc, ppid, stream, payload });
 *   }
 *   handleAssociationDown() {}
 *   handleDatagram() {}
 *   handleTimeout() {}
 *   pollTransmit() { return this.out.shift(); }
 *   pollTimeout() { return undefined; }
 *   pollEvent() { return undefined; }
 * }
 * // A client role: connects, sends "hi", records the answer.
 * class Client extends Echo {
 *   answer: string | undefined;
 *   constructor(port: number) {
 *     super();
 *     this.out.push({ type: "connect", assoc: 1, endpoints: [{ address: "127.0.0.1", port }] });
 *     this.out.push({ type: "send", assoc: 1, ppid: 99, stream: 0, payload: new TextEncoder().encode("hi") });
 *   }
 *   override handleMessage(_now: number, _a: AssociationId, _p: number, _s: number, payload: Uint8Array) {
 *     this.answer = new TextDecoder().decode(payload);
 *   }
 * }
 * const runtime = await currentRuntime();
 * const server = new Driver(runtime, new Echo());
 * const { port } = await server.listen("main", { hostname: "127.0.0.1", port: 0 });
 * const role = new Client(port);
 * const client = new Driver(runtime, role);
 * client.flush();
 * for (let i = 0; i < 500 && role.answer === undefined; i++) await new Promise((r) => setTimeout(r, 10));
 * assert.equal(role.answer, "hi");
 * await client.close();
 * await server.close();
 * ```
 */
export class Driver<E = never> {
  #runtime: Runtime;
  #role: Role<E>;
  #options: FramedAssociationOptions;
  readonly #tls: TlsOptions | undefined;
  #connectTimeout: number;
  #lingerTimeout: number;
  #noDelay: boolean;
  #onEvent: ((event: E) => void) | undefined;
  #entries = new Map<AssociationId, Entry>();
  #lingering = new Set<Entry>();
  #listeners = new Map<string, ListenerRecord>();
  #channels = new Map<string, DatagramSocket>();
  #dirty = new Set<Entry>();
  #heap = new DeadlineHeap<Entry>();
  #timer: RuntimeTimer;
  #inboundSeq = 0;
  #busy = false;
  #kicked = false;
  #closed = false;
  #stopped = false;
  #refusal = encodeAbort(AbortCause.TooManyAssociations, REFUSAL_DETAIL);
  #transport: TransportChoice;
  #sctp: SctpTransport<E>;
  #onTransport: ((event: TransportEvent) => void) | undefined;
  #sctpUdpPort: number | undefined;
  #kernel: KernelSctpStatus = { kind: "error", detail: "kernel SCTP not probed yet" };
  #kernelProbe: Promise<KernelSctpStatus>;
  /** Role ids of `auto` connects now trying TCP (reported as chosen when up). */
  #fellBack = new Set<AssociationId>();

  /**
   * Creates a driver. Nothing listens or connects until the role or the application asks.
   *
   * @param runtime The runtime adapter.
   * @param role The role to run.
   * @param options Timers, limits and the event sink.
   */
  constructor(runtime: Runtime, role: Role<E>, options: DriverOptions<E> = {}) {
    this.#runtime = runtime;
    this.#role = role;
    this.#options = options.association ?? {};
    new FramedAssociation(0, this.#options); // validates the options now
    this.#connectTimeout = positive("connectTimeout", options.connectTimeout ?? 5000);
    this.#lingerTimeout = positive("lingerTimeout", options.lingerTimeout ?? 2000);
    this.#noDelay = options.noDelay ?? true;
    this.#onEvent = options.onEvent;
    if (options.tls !== undefined) resolveTlsOptions(options.tls); // validates
    this.#tls = options.tls;
    this.#timer = runtime.createTimer(() => this.#onTimer());
    this.#transport = options.transport ?? "tcp";
    this.#onTransport = options.onTransport;
    this.#sctpUdpPort = options.sctp?.udpPort;
    this.#sctp = new SctpTransport<E>(
      {
        runtime,
        role,
        nextInboundId: () => -(++this.#inboundSeq),
        fallbackToTcp: (id, endpoints, pending) => this.#fallbackToTcp(id, endpoints, pending),
        log: (event) => this.#onTransport?.(event),
        wake: () => this.#process(),
      },
      options.sctp,
      this.#connectTimeout,
    );
    const probe = options.probeKernelSctp ?? runtime.probeKernelSctp?.bind(runtime);
    this.#kernelProbe = (probe?.() ?? Promise.resolve<KernelSctpStatus>({
      kind: "no-ffi",
      detail: "the runtime adapter has no kernel SCTP probe",
    })).then(
      (status) => this.#kernel = status,
      (e: unknown) =>
        this.#kernel = {
          kind: "error",
          detail: `kernel SCTP probe failed: ${(e as Error).message}`,
        },
    );
  }

  /**
   * What the kernel SCTP probe found (after it ran; the driver starts it at construction).
   *
   * @returns The probe's result.
   */
  kernelSctp(): Promise<KernelSctpStatus> {
    return this.#kernelProbe;
  }

  /**
   * Counters of the SCTP over UDP endpoint (datagrams, malformed, bad checksums, out-of-the-blue
   * packets, INIT-ACKs, refused cookies, ...), once SCTP over UDP is in use.
   *
   * @returns The live counters, or `undefined`.
   */
  sctpStats(): Readonly<SctpEndpointStats> | undefined {
    return this.#sctp.host?.endpoint.stats;
  }

  /** The runtime adapter this driver uses. */
  get runtime(): Runtime {
    return this.#runtime;
  }

  /** Associations known (connecting, up, or closing), not counting refused connections. */
  get associationCount(): number {
    return this.#entries.size + this.#sctp.count;
  }

  /**
   * A snapshot of one association.
   *
   * @param id The association.
   * @returns Its status, or `undefined` when unknown (never existed or fully gone).
   */
  status(id: AssociationId): AssociationStatus | undefined {
    const s = this.#sctp.status(id);
    if (s !== undefined) return { transport: "sctp-udp", ...s };
    const e = this.#entries.get(id);
    if (e === undefined) return undefined;
    return {
      transport: "tcp",
      peerAddresses: e.socket !== undefined && e.up ? [e.socket.remote.address] : [],
      state: e.assoc?.state ?? "connecting",
      remote: e.socket?.remote,
      local: e.socket?.local,
      srtt: e.assoc?.srtt,
      queuedBytes: (e.assoc?.queuedBytes ?? e.pendingBytes) + (e.socket?.bufferedAmount ?? 0),
    };
  }

  /**
   * Listens for associations: over TCP (the default), SCTP over UDP, or both at once on the
   * same port number (`transport: ["tcp", "sctp-udp"]` or `"auto"`). Accepted associations get
   * negative ids and reach the role once their handshake is done (`handleAssociationUp` with
   * `info.listener = name` and `info.transport`).
   *
   * @param name The listener's name (unique per driver).
   * @param options Where, which transports, the association limit (per transport) and
   *   per-listener association options.
   * @returns The bound address (TCP and SCTP share the port number) and the UDP socket.
   */
  async listen(name: string, options: ListenOptions): Promise<ListenAddress> {
    if (this.#closed) throw new TypeError("Cannot listen: the driver is closed");
    if (this.#listeners.has(name)) {
      throw new TypeError(`Cannot listen: a listener named "${name}" exists`);
    }
    const max = options.maxAssociations ?? 10000;
    if (!Number.isInteger(max) || max < 0) {
      throw new RangeError(`Invalid maxAssociations: ${max} is not a non-negative integer`);
    }
    const assocOptions = { ...this.#options, ...options.association };
    new FramedAssociation(0, assocOptions); // validates
    const choice = options.transport ?? "tcp";
    if (choice !== "tcp") await this.#kernelProbe;
    const selection = selectListenTransports(choice, this.#kernel);
    const record: ListenerRecord = {
      name,
      max,
      options: assocOptions,
      count: 0,
      listener: undefined,
      sctpPort: undefined,
    };
    this.#listeners.set(name, record);
    let port = options.port;
    let udp: TransportAddress | undefined;
    let address = options.hostname;
    const tcp = selection.transports.includes("tcp");
    const sctp = selection.transports.includes("sctp-udp");
    // TCP and SCTP share the port number and, by the port convention, SCTP's UDP port is that
    // number too: a port the system picked for TCP may be taken in UDP, then pick again.
    const retry = tcp && sctp && options.port === 0 && options.udpPort === undefined &&
      this.#sctpUdpPort === undefined;
    for (let attempt = 0;; attempt++) {
      try {
        if (tcp) {
          const where = { hostname: options.hostname, port: options.port };
          const accept = (socket: StreamSocket) => this.#accept(record, socket);
          record.listener = options.tls === undefined
            ? await this.#runtime.listenTcp(where, accept)
            : await listenTls(where, options.tls, accept, (detail, remote) => {
              options.onTlsRefused?.(detail, remote);
            });
          port = record.listener.local.port;
          address = record.listener.local.address;
        }
        if (sctp) {
          const bound = await this.#sctp.listen(
            name,
            options.hostname,
            port,
            options.udpPort,
            max,
            options.sctpAssociation,
          );
          udp = bound.udp;
          port = bound.sctpPort;
          record.sctpPort = port;
          if (record.listener === undefined) address = udp.address;
        }
        break;
      } catch (e) {
        record.listener?.close();
        record.listener = undefined;
        const inUse = e instanceof TransportError && e.code === "EADDRINUSE";
        if (retry && inUse && attempt < 20 && !this.#closed) continue;
        this.#listeners.delete(name);
        throw e;
      }
    }
    this.#onTransport?.({
      type: "listen",
      listener: name,
      transports: selection.transports,
      note: selection.note,
      ...(udp === undefined ? {} : { udp }),
    });
    return {
      address,
      port,
      transports: selection.transports,
      ...(udp === undefined ? {} : { udp }),
    };
  }

  /**
   * Opens a UDP channel the role can send on (`datagram` actions) and receive from
   * (`handleDatagram`).
   *
   * @param name The channel's name (unique per driver).
   * @param options Where to bind, multicast groups, TTL, loopback and interface.
   * @returns The bound address.
   */
  async openChannel(name: string, options: ChannelOptions): Promise<TransportAddress> {
    if (this.#closed) throw new TypeError("Cannot open a channel: the driver is closed");
    if (this.#channels.has(name)) {
      throw new TypeError(`Cannot open a channel: a channel named "${name}" exists`);
    }
    const socket = await this.#runtime.bindUdp(options, {
      message: (bytes, from) => {
        const now = this.#runtime.now();
        this.#role.handleDatagram(now, name, from, bytes);
        this.#process();
      },
      error: (detail) => {
        // Datagrams are best effort (announces repeat); a failed send is dropped.
        options.onError?.(detail);
      },
    });
    try {
      for (const group of options.join ?? []) {
        socket.joinMulticast(group, options.multicastInterface);
      }
      if (options.multicastInterface !== undefined) {
        socket.setMulticastInterface(options.multicastInterface);
      }
      if (options.join !== undefined || options.multicastTtl !== undefined) {
        socket.setMulticastTtl(options.multicastTtl ?? DEFAULT_MULTICAST_TTL);
        socket.setMulticastLoopback(options.multicastLoopback ?? true);
      }
    } catch (e) {
      socket.close();
      throw e;
    }
    this.#channels.set(name, socket);
    return socket.local;
  }

  /** Carries out the role's pending actions and re-arms the timer; call after a role command. */
  flush(): void {
    this.#process();
  }

  /**
   * Runs a role command with the current time, then {@link flush}es.
   *
   * @param command Calls the role, e.g. `(now) => pe.register(now, ...)`.
   */
  run(command: (now: number) => void): void {
    command(this.#runtime.now());
    this.#process();
  }

  /**
   * Stops listening, closes every association gracefully (waiting at most the close and linger
   * timeouts), closes the channels and the timer.
   *
   * @returns When everything is closed.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const record of this.#listeners.values()) {
      record.listener?.close();
      if (record.sctpPort !== undefined) this.#sctp.unlisten(record.sctpPort);
    }
    const now = this.#runtime.now();
    this.#sctp.closeAll(now);
    for (const entry of [...this.#entries.values()]) {
      if (entry.assoc !== undefined) {
        entry.assoc.close(now);
        this.#dirty.add(entry);
      } else if (!entry.downReported) {
        this.#giveUpConnecting(entry, "closed", "Driver closed");
      }
    }
    this.#process();
    const closeTimeout = this.#options.closeTimeout ?? 5000;
    const deadline = this.#runtime.now() + closeTimeout + this.#lingerTimeout + 500;
    while (
      (this.#entries.size > 0 || this.#lingering.size > 0 || this.#sctp.busy) &&
      this.#runtime.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 10));
    }
    for (const entry of [...this.#entries.values(), ...this.#lingering]) entry.socket?.destroy();
    this.#sctp.stop(this.#runtime.now());
    for (const socket of this.#channels.values()) socket.close();
    this.#channels.clear();
    this.#stopped = true;
    this.#timer.clear();
  }

  // --- inbound ------------------------------------------------------------------------------

  #accept(record: ListenerRecord, socket: StreamSocket): StreamHandler {
    const now = this.#runtime.now();
    if (this.#closed || record.count >= record.max) return this.#refuse(socket, now);
    record.count++;
    const entry = this.#newEntry(-(++this.#inboundSeq), record, record.options, []);
    entry.socket = socket;
    entry.assoc = new FramedAssociation(now, record.options);
    socket.setNoDelay(this.#noDelay);
    this.#entries.set(entry.id, entry);
    this.#dirty.add(entry);
    this.#kick();
    return this.#handlerFor(entry);
  }

  #refuse(socket: StreamSocket, now: number): StreamHandler {
    const entry = this.#newEntry(0, undefined, {}, []);
    entry.refused = true;
    entry.socket = socket;
    entry.downReported = true;
    entry.lingerDeadline = now + this.#lingerTimeout;
    this.#lingering.add(entry);
    socket.write(this.#refusal);
    socket.end();
    entry.ended = true;
    this.#dirty.add(entry);
    this.#kick();
    return this.#handlerFor(entry);
  }

  // --- outbound -----------------------------------------------------------------------------

  #connect(
    id: AssociationId,
    endpoints: readonly TransportAddress[],
    transport: TransportChoice | undefined,
    udpPort: number | undefined,
    plain = false,
  ): void {
    if (!Number.isSafeInteger(id) || id <= 0) {
      throw new RangeError(`Cannot connect: association id ${id} is not a positive safe integer`);
    }
    if (this.#entries.has(id) || this.#sctp.has(id)) {
      throw new RangeError(`Cannot connect: association id ${id} is in use`);
    }
    if (endpoints.length === 0) throw new RangeError("Cannot connect: no endpoints");
    const choice = transport ?? this.#transport;
    if (choice !== "tcp") {
      let selection;
      try {
        selection = selectConnectTransports(choice, this.#kernel);
      } catch (e) {
        // Kernel SCTP asked for but unusable: the association never comes up.
        const entry = this.#newEntry(id, undefined, this.#options, endpoints);
        this.#entries.set(id, entry);
        this.#giveUpConnecting(entry, "connect-failed", (e as Error).message);
        return;
      }
      if (selection.transports[0] === "sctp-udp") {
        this.#sctp.connect(id, endpoints, udpPort, selection.transports.length > 1, selection.note);
        return;
      }
    }
    this.#connectTcp(id, endpoints, [], plain);
  }

  #connectTcp(
    id: AssociationId,
    endpoints: readonly TransportAddress[],
    pending: PendingSend[],
    plain = false,
  ): void {
    const entry = this.#newEntry(id, undefined, this.#options, endpoints);
    if (plain) entry.plain = true;
    entry.pending = pending;
    entry.pendingBytes = pending.reduce((n, p) => n + p.payload.length, 0);
    this.#entries.set(id, entry);
    if (this.#closed) {
      this.#giveUpConnecting(entry, "connect-failed", "Driver closed");
      return;
    }
    this.#startAttempt(entry);
  }

  /** An `auto` connect whose SCTP over UDP failed goes on over TCP with the same id. */
  #fallbackToTcp(
    id: AssociationId,
    endpoints: readonly TransportAddress[],
    pending: PendingSend[],
  ): void {
    this.#connectTcp(id, endpoints, pending);
    this.#fellBack.add(id);
  }

  #startAttempt(entry: Entry): void {
    const endpoint = entry.endpoints[entry.attempt]!;
    const gen = ++entry.attemptGen;
    entry.attemptDeadline = this.#runtime.now() + this.#connectTimeout;
    this.#dirty.add(entry);
    const where = { hostname: endpoint.address, port: endpoint.port };
    const open = (socket: StreamSocket) => this.#opened(entry, gen, socket);
    (this.#tls === undefined || entry.plain === true
      ? this.#runtime.connectTcp(where, open)
      : connectTls(where, this.#tls, open)).catch((e: unknown) => {
        if (entry.attemptGen !== gen || entry.downReported) return;
        this.#attemptFailed(entry, (e as Error).message ?? String(e));
        this.#process();
      });
  }

  #opened(entry: Entry, gen: number, socket: StreamSocket): StreamHandler {
    if (entry.attemptGen !== gen || entry.downReported || entry.removed) {
      // Too late (timed out, closed meanwhile): drop this connection.
      queueMicrotask(() => socket.destroy());
      return DISCARD;
    }
    const now = this.#runtime.now();
    entry.attemptDeadline = Infinity;
    entry.socket = socket;
    socket.setNoDelay(this.#noDelay);
    const assoc = new FramedAssociation(now, entry.options);
    entry.assoc = assoc;
    const pending = entry.pending;
    entry.pending = [];
    entry.pendingBytes = 0;
    for (const p of pending) {
      const r = assoc.send(now, p.ppid, p.stream, p.payload);
      if (r !== "ok") this.#role.handleSendFailed?.(now, entry.id, r, p.payload);
    }
    if (entry.closeRequested) assoc.close(now);
    this.#dirty.add(entry);
    this.#kick();
    return this.#handlerFor(entry);
  }

  #attemptFailed(entry: Entry, detail: string): void {
    entry.attemptGen++;
    entry.attempt++;
    if (entry.attempt < entry.endpoints.length) {
      this.#startAttempt(entry);
      return;
    }
    this.#giveUpConnecting(entry, "connect-failed", detail);
  }

  #giveUpConnecting(entry: Entry, reason: AssociationDown["reason"], detail: string): void {
    entry.attemptGen++;
    entry.attemptDeadline = Infinity;
    const now = this.#runtime.now();
    for (const p of entry.pending) {
      this.#role.handleSendFailed?.(now, entry.id, "closed", p.payload);
    }
    entry.pending = [];
    entry.pendingBytes = 0;
    this.#reportDown(entry, { reason, cause: 0, detail });
    this.#remove(entry);
  }

  // --- socket events ------------------------------------------------------------------------

  #handlerFor(entry: Entry): StreamHandler {
    return {
      data: (bytes) => {
        const assoc = entry.assoc;
        if (assoc === undefined) return; // refused: discard
        assoc.handleBytes(this.#runtime.now(), bytes);
        this.#dirty.add(entry);
        this.#process();
      },
      drain: () => {
        entry.writable = true;
        this.#dirty.add(entry);
        this.#process();
      },
      end: () => {
        if (entry.assoc !== undefined) entry.assoc.handleEnd(this.#runtime.now());
        else entry.socket?.destroy(); // refused connection: the peer went away
        this.#dirty.add(entry);
        this.#process();
      },
      close: (reason, detail) => this.#socketClosed(entry, reason, detail),
    };
  }

  #socketClosed(entry: Entry, reason: StreamCloseReason, detail: string): void {
    const now = this.#runtime.now();
    const assoc = entry.assoc;
    entry.writable = false;
    if (assoc !== undefined && assoc.state !== "closed") {
      if (reason === "closed") assoc.handleEnd(now);
      if ((assoc.state as AssociationState) !== "closed") {
        assoc.handleReset(now, detail === "" ? `Connection ${reason}` : detail);
      }
    }
    if (assoc !== undefined) this.#drainEvents(entry, now);
    if (reason !== "closed" && assoc !== undefined && !entry.downReported) {
      this.#reportDown(entry, { reason: "reset", cause: 0, detail });
    }
    this.#remove(entry);
    this.#process();
  }

  // --- the loop -----------------------------------------------------------------------------

  #kick(): void {
    if (this.#kicked) return;
    this.#kicked = true;
    queueMicrotask(() => {
      this.#kicked = false;
      this.#process();
    });
  }

  #process(): void {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const role = this.#role;
      for (let rounds = 0;; rounds++) {
        let worked = false;
        for (let action; (action = role.pollTransmit()) !== undefined;) {
          worked = true;
          this.#execute(action);
        }
        if (this.#sctp.drain(this.#runtime.now())) worked = true;
        if (this.#dirty.size > 0) {
          worked = true;
          const now = this.#runtime.now();
          const dirty = [...this.#dirty];
          this.#dirty.clear();
          for (const entry of dirty) this.#service(entry, now);
        }
        if (!worked) break;
        if (rounds > 1_000_000) throw new Error("Driver livelock: the role never stops acting");
      }
      const onEvent = this.#onEvent;
      for (let event; (event = role.pollEvent()) !== undefined;) onEvent?.(event);
    } finally {
      this.#busy = false;
    }
    if (this.#dirty.size > 0) this.#kick();
    this.#armTimer();
  }

  #service(entry: Entry, now: number): void {
    const assoc = entry.assoc;
    if (assoc !== undefined) {
      this.#drainEvents(entry, now);
      this.#flushOutput(entry);
      this.#drainEvents(entry, now);
    }
    this.#schedule(entry, assoc?.pollTimeout());
  }

  #flushOutput(entry: Entry): void {
    const assoc = entry.assoc!;
    const socket = entry.socket;
    if (socket === undefined || entry.ended || entry.removed) {
      if (entry.ended || entry.removed) { while (assoc.pollOutput() !== undefined); }
      return;
    }
    while (entry.writable) {
      const out = assoc.pollOutput();
      if (out === undefined) break;
      entry.writable = socket.write(out);
    }
    if (assoc.outputEnded) {
      entry.ended = true;
      socket.end();
    }
  }

  #drainEvents(entry: Entry, now: number): void {
    const assoc = entry.assoc!;
    const role = this.#role;
    for (let e; (e = assoc.pollEvent()) !== undefined;) {
      switch (e.type) {
        case "established":
          if (entry.downReported) break;
          entry.up = true;
          if (entry.id > 0 && this.#onTransport !== undefined) {
            const fell = this.#fellBack.delete(entry.id);
            this.#onTransport({
              type: "connect",
              assoc: entry.id,
              transport: "tcp",
              note: fell ? "auto: SCTP over UDP failed, TCP is up" : "tcp as asked",
            });
          }
          role.handleAssociationUp(now, entry.id, {
            remote: entry.socket!.remote,
            local: entry.socket!.local,
            peerMaxPayload: e.peerMaxPayload,
            listener: entry.listener?.name,
            transport: "tcp",
            peerAddresses: [entry.socket!.remote.address],
            ...(entry.socket!.peerIdentity === undefined
              ? {}
              : { peerIdentity: entry.socket!.peerIdentity }),
          });
          break;
        case "message":
          if (entry.up && !entry.downReported) {
            role.handleMessage(now, entry.id, e.ppid, e.stream, e.payload);
          }
          break;
        case "writable":
          if (entry.up && !entry.downReported) role.handleWritable?.(now, entry.id);
          break;
        case "rtt":
          if (entry.up && !entry.downReported) {
            role.handleRttSample?.(now, entry.id, { rtt: e.rtt, srtt: e.srtt, rttvar: e.rttvar });
          }
          break;
        case "closed":
          this.#reportDown(entry, { reason: e.reason, cause: e.cause, detail: e.detail });
          entry.lingerDeadline = now + this.#lingerTimeout;
          break;
      }
    }
  }

  #reportDown(entry: Entry, down: AssociationDown): void {
    if (entry.downReported) return;
    entry.downReported = true;
    if (entry.id > 0 || entry.up) {
      this.#role.handleAssociationDown(this.#runtime.now(), entry.id, down);
    }
    // The id is free for the role once it heard of the down; the socket may linger a little.
    if (this.#entries.get(entry.id) === entry) {
      this.#entries.delete(entry.id);
      if (!entry.removed) this.#lingering.add(entry);
    }
  }

  #remove(entry: Entry): void {
    if (entry.removed) return;
    entry.removed = true;
    entry.heapDeadline = Infinity;
    if (this.#entries.get(entry.id) === entry) this.#entries.delete(entry.id);
    this.#lingering.delete(entry);
    if (entry.listener !== undefined) entry.listener.count--;
    this.#dirty.delete(entry);
  }

  #execute(action: RoleAction): void {
    const now = this.#runtime.now();
    if ((action.type === "send" || action.type === "close") && this.#sctp.has(action.assoc)) {
      if (action.type === "send") {
        this.#sctp.send(now, action.assoc, action.ppid, action.stream, action.payload);
      } else this.#sctp.close(now, action.assoc, action.abort, action.reason);
      return;
    }
    switch (action.type) {
      case "send": {
        const entry = this.#entries.get(action.assoc);
        if (entry === undefined || entry.downReported) {
          this.#sendFailed(now, action.assoc, "closed", action.payload);
          return;
        }
        if (entry.assoc === undefined) {
          if (entry.closeRequested) {
            return this.#sendFailed(now, action.assoc, "closed", action.payload);
          }
          const size = action.payload.length;
          const cap = entry.options.maxSendBuffer ?? 4 * 1024 * 1024;
          if (size === 0) throw new RangeError("Cannot send: the message is empty");
          if (size > 65535) return this.#sendFailed(now, action.assoc, "too-large", action.payload);
          if (entry.pendingBytes > 0 && entry.pendingBytes + size > cap) {
            return this.#sendFailed(now, action.assoc, "buffer-full", action.payload);
          }
          entry.pending.push({
            ppid: action.ppid,
            stream: action.stream,
            payload: action.payload.slice(),
          });
          entry.pendingBytes += size;
          return;
        }
        const r = entry.assoc.send(now, action.ppid, action.stream, action.payload);
        if (r !== "ok") this.#sendFailed(now, action.assoc, r, action.payload);
        this.#dirty.add(entry);
        return;
      }
      case "connect":
        this.#connect(
          action.assoc,
          action.endpoints,
          action.transport,
          action.udpPort,
          action.tls === false,
        );
        return;
      case "close": {
        const entry = this.#entries.get(action.assoc);
        if (entry === undefined || entry.downReported) return;
        if (entry.assoc === undefined) {
          // Still connecting: an abort gives up now; a graceful close sends what is queued first.
          if (action.abort) this.#giveUpConnecting(entry, "aborted", action.reason);
          else entry.closeRequested = true;
          return;
        }
        if (action.abort) entry.assoc.abort(now, action.reason);
        else entry.assoc.close(now);
        this.#dirty.add(entry);
        return;
      }
      case "datagram": {
        const channel = this.#channels.get(action.channel);
        if (channel === undefined) {
          throw new RangeError(`Cannot send a datagram: no channel named "${action.channel}"`);
        }
        channel.send(action.payload, action.to);
        return;
      }
    }
  }

  #sendFailed(now: number, assoc: AssociationId, failure: SendFailure, payload: Uint8Array): void {
    this.#role.handleSendFailed?.(now, assoc, failure, payload);
  }

  #newEntry(
    id: AssociationId,
    listener: ListenerRecord | undefined,
    options: FramedAssociationOptions,
    endpoints: readonly TransportAddress[],
  ): Entry {
    return {
      id,
      listener,
      options,
      endpoints,
      assoc: undefined,
      socket: undefined,
      attempt: 0,
      attemptGen: 0,
      attemptDeadline: Infinity,
      pending: [],
      pendingBytes: 0,
      writable: true,
      ended: false,
      up: false,
      downReported: false,
      refused: false,
      closeRequested: false,
      removed: false,
      lingerDeadline: Infinity,
      heapDeadline: Infinity,
    };
  }

  // --- timers -------------------------------------------------------------------------------

  #schedule(entry: Entry, assocDeadline: number | undefined): void {
    if (entry.removed) return;
    const at = Math.min(
      assocDeadline ?? Infinity,
      entry.attemptDeadline,
      entry.downReported || entry.refused ? entry.lingerDeadline : Infinity,
    );
    if (at < entry.heapDeadline) {
      entry.heapDeadline = at;
      this.#heap.push(at, entry);
    }
  }

  #onTimer(): void {
    const now = this.#runtime.now();
    const heap = this.#heap;
    for (let top = heap.peek(); top !== undefined && top.at <= now; top = heap.peek()) {
      heap.pop();
      const entry = top.value;
      if (entry.removed || top.at !== entry.heapDeadline) continue;
      entry.heapDeadline = Infinity;
      if (entry.attemptDeadline <= now) {
        this.#attemptFailed(entry, `Connect timeout after ${this.#connectTimeout} ms`);
      }
      if (entry.assoc !== undefined) entry.assoc.handleTimeout(now);
      if ((entry.downReported || entry.refused) && entry.lingerDeadline <= now) {
        entry.lingerDeadline = Infinity;
        entry.socket?.destroy();
        if (entry.socket === undefined) this.#remove(entry);
      }
      this.#dirty.add(entry);
    }
    const sctpAt = this.#sctp.pollTimeout();
    if (sctpAt !== undefined && sctpAt <= now) this.#sctp.handleTimeout(now);
    const roleAt = this.#role.pollTimeout();
    if (roleAt !== undefined && roleAt <= now) this.#role.handleTimeout(now);
    this.#process();
  }

  #armTimer(): void {
    if (this.#stopped) return;
    const heap = this.#heap;
    let top = heap.peek();
    while (top !== undefined && (top.value.removed || top.at !== top.value.heapDeadline)) {
      heap.pop();
      top = heap.peek();
    }
    const at = Math.min(
      top?.at ?? Infinity,
      this.#role.pollTimeout() ?? Infinity,
      this.#sctp.pollTimeout() ?? Infinity,
    );
    if (at === Infinity) this.#timer.clear();
    else this.#timer.set(at);
  }
}

const DISCARD: StreamHandler = {
  data() {},
  drain() {},
  end() {},
  close() {},
};

function positive(name: string, value: number): number {
  if (!(value > 0)) throw new RangeError(`Invalid ${name}: ${value} is not a positive number`);
  return value;
}
