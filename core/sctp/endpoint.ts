/**
 * An SCTP endpoint over UDP encapsulation (RFC 6951), sans-IO: everything one UDP socket carries.
 * It demultiplexes packets to associations by (peer address, peer SCTP port, our SCTP port),
 * answers INITs statelessly with a MACed state cookie, creates associations from valid
 * COOKIE-ECHOs, handles out-of-the-blue packets (RFC 9260 section 8.4) and runs every
 * association's timers from one deadline heap.
 *
 * @module
 */

import type { TransportAddress } from "../role.ts";
import { randomBelow, type Rng } from "../rng.ts";
import { decodeInit, T_BIT } from "./_chunks.ts";
import { type CookieData, CookieSealer } from "./state_cookie.ts";
import { DeadlineHeap } from "../_deadline_heap.ts";
import { checkInit, type HandshakeContext, initAckValue, randomTag } from "./_handshake.ts";
import { decodeInitParameters } from "./_init_parameters.ts";
import { canonicalAddressText } from "./_address.ts";
import {
  SctpAssociation,
  type SctpAssociationEvent,
  type SctpSendResult,
  type SctpTransmit,
} from "./association.ts";
import { ChunkType } from "./chunk_type.ts";
import { encodeCauses, type SctpCause, SctpErrorCause } from "./error_cause.ts";
import { resolveSctpOptions, type SctpAssociationOptions } from "./options.ts";
import { decodePacket, PacketBuilder, type PacketHeader, type RawChunk } from "./packet.ts";

/** Options of an {@link SctpEndpoint}. */
export interface SctpEndpointOptions {
  /** Randomness for verification tags, initial TSNs, nonces and jitter (cryptographic in production). */
  readonly rng: Rng;
  /** The key of the state cookie MAC (at least 16 bytes; default: 32 bytes drawn from `rng`). */
  readonly secret?: Uint8Array;
  /**
   * Our addresses, listed in INIT and INIT-ACK when there are several (multi-homing). With one
   * address or none the peer uses the packets' source address.
   */
  readonly localAddresses?: readonly string[];
  /** Association options (listeners and connects may override them). */
  readonly association?: SctpAssociationOptions;
  /** Answer out-of-the-blue packets with ABORT (RFC 9260 8.4; default true). */
  readonly abortOutOfTheBlue?: boolean;
}

/** Options of {@link SctpEndpoint.listen}. */
export interface SctpListenOptions {
  /** Association options of associations accepted on this port. */
  readonly association?: SctpAssociationOptions;
  /**
   * Most associations at once on this port (default unlimited). Further COOKIE-ECHOs are
   * answered with an ABORT (cause Out of Resource).
   */
  readonly maxAssociations?: number;
}

/** Options of {@link SctpEndpoint.connect}. */
export interface SctpConnectOptions {
  /** Our SCTP port (default: a random free port in 49152..65535). */
  readonly localPort?: number;
  /** Association options of this association. */
  readonly association?: SctpAssociationOptions;
}

/** Counters of what the endpoint received and did, for management views and tests. */
export interface SctpEndpointStats {
  /** Datagrams handed to {@link SctpEndpoint.handleDatagram}. */
  datagrams: number;
  /** Dropped: shorter than 12 bytes or chunk lengths that do not fit. */
  malformed: number;
  /** Dropped: CRC32c mismatch. */
  badChecksum: number;
  /** Dropped by an association: wrong verification tag or not allowed in its state. */
  discarded: number;
  /** Out-of-the-blue packets (no association, not INIT or COOKIE-ECHO). */
  outOfTheBlue: number;
  /** INIT-ACKs sent without keeping state. */
  initAcks: number;
  /** COOKIE-ECHOs refused: bad MAC, malformed, wrong ports or tag, stale, or no listener. */
  cookiesRefused: number;
  /** Associations created from COOKIE-ECHOs. */
  accepted: number;
  /** ABORTs sent in answer to packets without association. */
  abortsSent: number;
}

interface Listener {
  readonly ctx: HandshakeContext;
  readonly max: number;
  count: number;
}

/**
 * An SCTP endpoint over UDP (RFC 6951): the sans-IO engine behind one UDP socket. The adapter
 * feeds it datagrams ({@link handleDatagram}) and the clock ({@link handleTimeout}); after every
 * input or command drain {@link pollTransmit} (send each packet to its `to`), then
 * {@link pollEvent}, then arm one timer at {@link pollTimeout}. `now` is monotonic milliseconds
 * and never goes backwards.
 *
 * Several SCTP ports share the endpoint (listeners, and the random ports of `connect`).
 * Flooding resistance: an INIT costs one stateless INIT-ACK; an association exists only after a
 * COOKIE-ECHO whose MAC, ports, tag and lifetime check out. Nothing a peer sends makes it throw.
 *
 * @example Two endpoints exchange a message through a loop that carries their packets
 * ```ts
 * import { SctpEndpoint } from "./endpoint.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const a = new SctpEndpoint({ rng: new SeededRng(1) });
 * const b = new SctpEndpoint({ rng: new SeededRng(2) });
 * b.listen(3863);
 * const addrA = { address: "127.0.0.1", port: 10001 };
 * const addrB = { address: "127.0.0.1", port: 10002 };
 * const assoc = a.connect(0, [addrB], 3863);
 * assert.equal(a.send(0, assoc.id, 11, 0, new Uint8Array([1, 2, 3])), "ok");
 * const got: number[] = [];
 * for (let round = 0; round < 10; round++) {
 *   for (let t; (t = a.pollTransmit(round)) !== undefined;) b.handleDatagram(round, addrA, t.bytes);
 *   for (let t; (t = b.pollTransmit(round)) !== undefined;) a.handleDatagram(round, addrB, t.bytes);
 *   for (let e; (e = b.pollEvent()) !== undefined;) if (e.type === "message") got.push(...e.payload);
 * }
 * assert.deepEqual(got, [1, 2, 3]);
 * ```
 */
export class SctpEndpoint {
  #rng: Rng;
  #sealer: CookieSealer;
  #localAddresses: readonly string[];
  #ctx: HandshakeContext;
  #abortOotb: boolean;
  #defaults: SctpAssociationOptions;
  #listeners = new Map<number, Listener>();
  #byKey = new Map<string, SctpAssociation>();
  #byId = new Map<number, SctpAssociation>();
  #listenerOf = new Map<SctpAssociation, Listener>();
  #keyed = new Map<SctpAssociation, number>();
  #portUse = new Map<number, number>();
  #nextId = 1;
  #out: SctpTransmit[] = [];
  #sendable = new Set<SctpAssociation>();
  #eventful = new Set<SctpAssociation>();
  #heap = new DeadlineHeap<SctpAssociation>();
  #deadline = new Map<SctpAssociation, number>();
  #stats: SctpEndpointStats = {
    datagrams: 0,
    malformed: 0,
    badChecksum: 0,
    discarded: 0,
    outOfTheBlue: 0,
    initAcks: 0,
    cookiesRefused: 0,
    accepted: 0,
    abortsSent: 0,
  };

  /**
   * Creates an endpoint.
   *
   * @param options Randomness, the cookie secret, local addresses and association options.
   */
  constructor(options: SctpEndpointOptions) {
    this.#rng = options.rng;
    let secret = options.secret;
    if (secret === undefined) {
      secret = new Uint8Array(32);
      const view = new DataView(secret.buffer);
      for (let i = 0; i < 8; i++) view.setUint32(i * 4, options.rng.nextU32() >>> 0);
    }
    this.#sealer = new CookieSealer(secret);
    this.#localAddresses = (options.localAddresses ?? []).map((a) => {
      const c = canonicalAddressText(a);
      if (c === undefined) throw new TypeError(`Invalid local address: "${a}" is not IPv4 or IPv6`);
      return c;
    });
    this.#defaults = options.association ?? {};
    this.#ctx = this.#context(undefined);
    this.#abortOotb = options.abortOutOfTheBlue ?? true;
  }

  /** Counters of received and answered packets (a live object). */
  get stats(): Readonly<SctpEndpointStats> {
    return this.#stats;
  }

  /** Associations that exist (in any state but closed). */
  get associationCount(): number {
    return this.#byId.size;
  }

  /**
   * An association by id.
   *
   * @param id The id.
   * @returns The association, or `undefined` once it closed and its last packet was taken.
   */
  association(id: number): SctpAssociation | undefined {
    return this.#byId.get(id);
  }

  /**
   * Accepts associations on an SCTP port.
   *
   * @param port The SCTP port (1..65535).
   * @param options Association options and the association limit of this port.
   * @throws {TypeError} When the port is already listening.
   */
  listen(port: number, options: SctpListenOptions = {}): void {
    checkPort(port);
    if (this.#listeners.has(port)) {
      throw new TypeError(`Cannot listen: SCTP port ${port} is in use`);
    }
    const max = options.maxAssociations ?? Infinity;
    if (!(max >= 0)) throw new RangeError(`Invalid maxAssociations: ${max}`);
    this.#listeners.set(port, { ctx: this.#context(options.association), max, count: 0 });
  }

  /**
   * Stops accepting on a port; its associations go on.
   *
   * @param port The SCTP port.
   */
  unlisten(port: number): void {
    this.#listeners.delete(port);
  }

  /**
   * Opens an association: sends INIT to the first of `remotes` (others are tried on
   * retransmissions and become further paths).
   *
   * @param now The current time.
   * @param remotes The peer's addresses with its UDP encapsulation port (9899 by convention).
   * @param peerPort The peer's SCTP port.
   * @param options Our SCTP port and association options.
   * @returns The association (state `cookie-wait`); its `established` or `closed` event follows.
   */
  connect(
    now: number,
    remotes: readonly TransportAddress[],
    peerPort: number,
    options: SctpConnectOptions = {},
  ): SctpAssociation {
    checkPort(peerPort);
    if (remotes.length === 0) throw new RangeError("Cannot connect: no remote addresses");
    const canonical = remotes.map((r) => {
      const address = canonicalAddressText(r.address);
      if (address === undefined) {
        throw new TypeError(`Cannot connect: "${r.address}" is not an IPv4 or IPv6 address`);
      }
      if (!Number.isInteger(r.port) || r.port < 1 || r.port > 65535) {
        throw new RangeError(`Cannot connect: UDP port ${r.port} is not in 1..65535`);
      }
      return { address, port: r.port };
    });
    const localPort = options.localPort ?? this.#ephemeralPort(canonical, peerPort);
    checkPort(localPort);
    for (const r of canonical) {
      if (this.#byKey.has(key(r.address, peerPort, localPort))) {
        throw new TypeError(
          `Cannot connect: an association ${r.address}:${peerPort} <-> port ${localPort} exists`,
        );
      }
    }
    const ctx = options.association === undefined ? this.#ctx : this.#context(options.association);
    const assoc = new SctpAssociation(this.#nextId++, ctx, localPort, peerPort, now, {
      kind: "connect",
      remotes: canonical,
    });
    this.#register(assoc);
    this.#touch(assoc);
    return assoc;
  }

  /**
   * Queues a message on an association ({@link SctpAssociation.send}).
   *
   * @param now The current time.
   * @param id The association.
   * @param ppid Payload protocol identifier.
   * @param stream Stream number.
   * @param payload The message (copied).
   * @param unordered Unordered delivery.
   * @returns The outcome; `"closed"` for an unknown association.
   */
  send(
    now: number,
    id: number,
    ppid: number,
    stream: number,
    payload: Uint8Array,
    unordered = false,
  ): SctpSendResult {
    const a = this.#byId.get(id);
    if (a === undefined) return "closed";
    const r = a.send(now, ppid, stream, payload, unordered);
    if (r === "ok") this.#sendable.add(a);
    else this.#eventful.add(a);
    return r;
  }

  /**
   * Starts a graceful shutdown ({@link SctpAssociation.shutdown}).
   *
   * @param now The current time.
   * @param id The association.
   */
  shutdown(now: number, id: number): void {
    const a = this.#byId.get(id);
    if (a === undefined) return;
    a.shutdown(now);
    this.#touch(a);
  }

  /**
   * Aborts an association ({@link SctpAssociation.abort}).
   *
   * @param now The current time.
   * @param id The association.
   * @param reason Why (sent to the peer).
   */
  abort(now: number, id: number, reason: string): void {
    const a = this.#byId.get(id);
    if (a === undefined) return;
    a.abort(now, reason);
    this.#touch(a);
  }

  /**
   * Reports that nothing receives at a peer's UDP address and port (an ICMP port unreachable
   * the adapter saw): the association's path there fails at once, and the association ends
   * (`peer-dead`) when no other path is active ({@link SctpAssociation.handleUnreachable}).
   *
   * @param now The current time.
   * @param id The association.
   * @param remote The path's address and the closed UDP port.
   * @param detail What was seen.
   */
  handleUnreachable(now: number, id: number, remote: TransportAddress, detail: string): void {
    const a = this.#byId.get(id);
    if (a === undefined) return;
    a.handleUnreachable(now, remote, detail);
    this.#touch(a);
  }

  /**
   * Handles one received UDP datagram (an SCTP packet). Never throws on its contents.
   *
   * @param now The current time.
   * @param from The sender's IP address and UDP port.
   * @param bytes The datagram (views into it may be kept until delivered).
   */
  handleDatagram(now: number, from: TransportAddress, bytes: Uint8Array): void {
    const stats = this.#stats;
    stats.datagrams++;
    const r = decodePacket(bytes);
    if (r.kind === "malformed") {
      if (r.reason === "checksum") stats.badChecksum++;
      else stats.malformed++;
      return;
    }
    const { header, chunks } = r;
    const first = chunks[0]!;
    if (first.type === ChunkType.CookieEcho) {
      this.#handleCookieEcho(now, from, header, chunks);
      return;
    }
    const assoc = this.#byKey.get(key(from.address, header.srcPort, header.dstPort));
    if (assoc !== undefined) {
      if (!assoc.handlePacket(now, from, header, chunks)) stats.discarded++;
      this.#touch(assoc);
      return;
    }
    if (first.type === ChunkType.Init) {
      this.#handleInit(now, from, header, chunks);
      return;
    }
    this.#outOfTheBlue(from, header, chunks);
  }

  /**
   * Runs the timers of every association that is due.
   *
   * @param now The current time.
   */
  handleTimeout(now: number): void {
    const heap = this.#heap;
    for (let top = heap.peek(); top !== undefined && top.at <= now; top = heap.peek()) {
      heap.pop();
      const a = top.value;
      if (this.#deadline.get(a) !== top.at) continue;
      this.#deadline.delete(a);
      a.handleTimeout(now);
      this.#touch(a);
    }
  }

  /**
   * The earliest deadline of any association, or `undefined`.
   *
   * @returns A deadline in ms.
   */
  pollTimeout(): number | undefined {
    const heap = this.#heap;
    for (let top = heap.peek(); top !== undefined; top = heap.peek()) {
      if (this.#deadline.get(top.value) === top.at) return top.at;
      heap.pop();
    }
    return undefined;
  }

  /**
   * The next packet to send, or `undefined`.
   *
   * @param now The current time.
   * @returns The packet and its destination (IP address and UDP port).
   */
  pollTransmit(now: number): SctpTransmit | undefined {
    const own = this.#out;
    if (own.length > 0) return own.shift();
    for (const a of this.#sendable) {
      const t = a.pollTransmit(now);
      if (t !== undefined) return t;
      this.#sendable.delete(a);
      this.#eventful.add(a);
      this.#schedule(a);
    }
    return undefined;
  }

  /**
   * The next event of any association, or `undefined`.
   *
   * @returns The event.
   */
  pollEvent(): SctpAssociationEvent | undefined {
    for (const a of this.#eventful) {
      const e = a.pollEvent();
      if (e !== undefined) {
        if (e.type === "closed") this.#forget(a);
        return e;
      }
      this.#eventful.delete(a);
      this.#schedule(a);
    }
    return undefined;
  }

  // --- internals -----------------------------------------------------------------------------

  #context(options: SctpAssociationOptions | undefined): HandshakeContext {
    return {
      rng: this.#rng,
      options: resolveSctpOptions({ ...this.#defaults, ...options }),
      localAddresses: this.#localAddresses,
      sealer: this.#sealer,
    };
  }

  #touch(a: SctpAssociation): void {
    if (a.peerAddresses.length !== this.#keyed.get(a)) this.#register(a);
    this.#sendable.add(a);
    this.#eventful.add(a);
  }

  #schedule(a: SctpAssociation): void {
    const at = a.pollTimeout();
    if (at === undefined) {
      this.#deadline.delete(a);
      return;
    }
    if (this.#deadline.get(a) === at) return;
    this.#deadline.set(a, at);
    this.#heap.push(at, a);
  }

  /** Registers the association's id and a key per peer address (again when paths were added). */
  #register(a: SctpAssociation): void {
    if (!this.#byId.has(a.id)) {
      this.#byId.set(a.id, a);
      this.#portUse.set(a.localPort, (this.#portUse.get(a.localPort) ?? 0) + 1);
    }
    for (const address of a.peerAddresses) {
      const k = key(address, a.peerPort, a.localPort);
      if (!this.#byKey.has(k)) this.#byKey.set(k, a);
    }
    this.#keyed.set(a, a.peerAddresses.length);
  }

  #forget(a: SctpAssociation): void {
    if (this.#byId.get(a.id) !== a) return;
    this.#byId.delete(a.id);
    for (const address of a.peerAddresses) {
      const k = key(address, a.peerPort, a.localPort);
      if (this.#byKey.get(k) === a) this.#byKey.delete(k);
    }
    const n = (this.#portUse.get(a.localPort) ?? 1) - 1;
    if (n > 0) this.#portUse.set(a.localPort, n);
    else this.#portUse.delete(a.localPort);
    const l = this.#listenerOf.get(a);
    if (l !== undefined) {
      l.count--;
      this.#listenerOf.delete(a);
    }
    this.#deadline.delete(a);
    this.#keyed.delete(a);
  }

  #ephemeralPort(remotes: readonly TransportAddress[], peerPort: number): number {
    for (let i = 0; i < 1000; i++) {
      const port = 49152 + randomBelow(this.#rng, 16384);
      if (this.#listeners.has(port) || this.#portUse.has(port)) continue;
      if (remotes.some((r) => this.#byKey.has(key(r.address, peerPort, port)))) continue;
      return port;
    }
    throw new RangeError("Cannot connect: no free SCTP port in 49152..65535");
  }

  #handleInit(
    now: number,
    from: TransportAddress,
    header: PacketHeader,
    chunks: readonly RawChunk[],
  ): void {
    if (chunks.length !== 1 || header.vtag !== 0) return; // RFC 9260 6.10, 8.5.1
    const init = decodeInit(chunks[0]!.value);
    if (init === undefined) return;
    const listener = this.#listeners.get(header.dstPort);
    if (listener === undefined) {
      if (init.initiateTag !== 0) this.#abort(from, header, init.initiateTag, false, []);
      return;
    }
    const params = decodeInitParameters(init.params, false);
    const problem = checkInit(init, params);
    if (problem === "drop") return;
    if (problem !== undefined) {
      this.#abort(from, header, init.initiateTag, false, problem);
      return;
    }
    const value = initAckValue(
      listener.ctx,
      now,
      init,
      params,
      from,
      header.dstPort,
      header.srcPort,
      randomTag(this.#rng),
      this.#rng.nextU32() >>> 0,
      0,
      0,
    );
    const b = new PacketBuilder(
      Math.max(listener.ctx.options.mtu, 16 + value.length),
      header.dstPort,
      header.srcPort,
      init.initiateTag,
    );
    b.addChunk(ChunkType.InitAck, 0, value);
    this.#out.push({ to: from, bytes: b.finish() });
    this.#stats.initAcks++;
  }

  #handleCookieEcho(
    now: number,
    from: TransportAddress,
    header: PacketHeader,
    chunks: readonly RawChunk[],
  ): void {
    const stats = this.#stats;
    const cookie = this.#sealer.open(chunks[0]!.value);
    if (
      typeof cookie === "string" || cookie.localPort !== header.dstPort ||
      cookie.peerPort !== header.srcPort || cookie.localTag !== header.vtag
    ) {
      // Not ours, forged, or for other ports: maybe a packet of an association it matches.
      const assoc = this.#byKey.get(key(from.address, header.srcPort, header.dstPort));
      if (assoc !== undefined && typeof cookie !== "string") {
        stats.discarded++;
      } else if (assoc === undefined && typeof cookie === "string") {
        stats.cookiesRefused++;
      } else stats.cookiesRefused++;
      return;
    }
    const stale = now > cookie.createdAt + cookie.lifetime || now < cookie.createdAt - 1;
    const existing = this.#byKey.get(key(from.address, header.srcPort, header.dstPort)) ??
      this.#byKey.get(key(cookie.peerAddresses[0]!, header.srcPort, header.dstPort));
    if (existing !== undefined) {
      if (!existing.handleCookieEcho(now, from, cookie, chunks.slice(1), header, stale)) {
        stats.cookiesRefused++;
      }
      this.#touch(existing);
      return;
    }
    if (!cookie.peerAddresses.includes(from.address)) {
      stats.cookiesRefused++;
      return;
    }
    if (stale) {
      stats.cookiesRefused++;
      const info = new Uint8Array(4);
      const micros = Math.min(
        0xffffffff,
        Math.round((now - cookie.createdAt - cookie.lifetime) * 1000),
      );
      new DataView(info.buffer).setUint32(0, Math.max(0, micros));
      const b = new PacketBuilder(64, header.dstPort, header.srcPort, cookie.peerTag);
      b.addChunk(ChunkType.Error, 0, encodeCauses([{ code: SctpErrorCause.StaleCookie, info }]));
      this.#out.push({ to: from, bytes: b.finish() });
      return;
    }
    const listener = this.#listeners.get(header.dstPort);
    if (listener === undefined || listener.count >= listener.max) {
      stats.cookiesRefused++;
      if (listener !== undefined) {
        this.#abortCookie(from, header, cookie, [{
          code: SctpErrorCause.OutOfResource,
          info: new Uint8Array(0),
        }]);
      }
      return;
    }
    const assoc = new SctpAssociation(
      this.#nextId++,
      listener.ctx,
      header.dstPort,
      header.srcPort,
      now,
      { kind: "cookie", cookie, from },
    );
    listener.count++;
    this.#listenerOf.set(assoc, listener);
    this.#register(assoc);
    stats.accepted++;
    if (chunks.length > 1) {
      assoc.handlePacket(now, from, { ...header, vtag: cookie.localTag }, chunks.slice(1));
    }
    this.#touch(assoc);
  }

  #abortCookie(
    to: TransportAddress,
    header: PacketHeader,
    cookie: CookieData,
    causes: SctpCause[],
  ): void {
    this.#abort(to, header, cookie.peerTag, false, causes);
  }

  /** RFC 9260 8.4: a packet that matches no association. */
  #outOfTheBlue(from: TransportAddress, header: PacketHeader, chunks: readonly RawChunk[]): void {
    this.#stats.outOfTheBlue++;
    let shutdownAck = false;
    for (const c of chunks) {
      switch (c.type) {
        case ChunkType.Abort:
        case ChunkType.ShutdownComplete:
        case ChunkType.CookieAck:
          return; // never answered
        case ChunkType.Error:
          if (
            c.value.length >= 2 && ((c.value[0]! << 8) | c.value[1]!) === SctpErrorCause.StaleCookie
          ) {
            return;
          }
          break;
        case ChunkType.ShutdownAck:
          shutdownAck = true;
          break;
      }
    }
    if (shutdownAck) {
      const b = new PacketBuilder(16, header.dstPort, header.srcPort, header.vtag);
      b.addChunk(ChunkType.ShutdownComplete, T_BIT, new Uint8Array(0));
      this.#out.push({ to: from, bytes: b.finish() });
      return;
    }
    if (this.#abortOotb) this.#abort(from, header, header.vtag, true, []);
  }

  #abort(
    to: TransportAddress,
    header: PacketHeader,
    vtag: number,
    tBit: boolean,
    causes: SctpCause[],
  ): void {
    const value = encodeCauses(causes);
    const b = new PacketBuilder(16 + value.length, header.dstPort, header.srcPort, vtag);
    b.addChunk(ChunkType.Abort, tBit ? T_BIT : 0, value);
    this.#out.push({ to, bytes: b.finish() });
    this.#stats.abortsSent++;
  }
}

function key(address: string, peerPort: number, localPort: number): string {
  return `${address}|${peerPort}|${localPort}`;
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`Invalid SCTP port: ${port} is not an integer in 1..65535`);
  }
}
