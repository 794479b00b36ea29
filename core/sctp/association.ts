/**
 * One SCTP association, sans-IO: the state machine of RFC 9260 (handshake, data transfer with
 * SACKs, retransmission and congestion control, heartbeats and path management, shutdown and
 * abort, restart). Associations are created and fed by an {@link SctpEndpoint}, which owns the
 * demultiplexing of packets; the application talks to them through the endpoint.
 *
 * @module
 */

import type { TransportAddress } from "../role.ts";
import { randomBelow } from "../rng.ts";
import type { CloseReason } from "../transport/framed_association.ts";
import {
  DataFlag,
  decodeData,
  decodeHeartbeat,
  decodeInit,
  decodeSack,
  decodeShutdown,
  encodeHeartbeat,
  encodeShutdown,
  sackValueBytes,
  T_BIT,
  writeSack,
} from "./_chunks.ts";
import type { CookieData } from "./state_cookie.ts";
import {
  checkInit,
  type HandshakeContext,
  initAckValue,
  initialWindow,
  initValue,
  peerAddresses,
  randomTag,
} from "./_handshake.ts";
import { decodeInitParameters } from "./_init_parameters.ts";
import { Outbound } from "./_outbound.ts";
import { Path } from "./_path.ts";
import { HELD_CHUNK_OVERHEAD, Reassembly, type ReceivedMessage } from "./_reassembly.ts";
import { ReceiveTracker } from "./_receive_tracker.ts";
import { tsnAdd } from "./_serial.ts";
import { SCTP_TRANSITIONS, type SctpInput, type SctpState } from "./association_state.ts";
import { ChunkType, unknownChunkAction } from "./chunk_type.ts";
import {
  decodeCauses,
  describeCauses,
  encodeCauses,
  type SctpCause,
  SctpErrorCause,
} from "./error_cause.ts";
import { messageLimit } from "./options.ts";
import { PacketBuilder, type PacketHeader, type RawChunk, readU32, writeU32 } from "./packet.ts";

/** A packet to send: the UDP payload and the peer's address and UDP encapsulation port. */
export interface SctpTransmit {
  /** Where to send it (IP address and UDP port). */
  readonly to: TransportAddress;
  /** The SCTP packet. */
  readonly bytes: Uint8Array;
}

/** Why `send` did not queue a message; see {@link SctpAssociation.send}. */
export type SctpSendResult = "ok" | "buffer-full" | "too-large" | "closed" | "invalid-stream";

/** What an association reports; `assoc` is the association's id at its endpoint. */
export type SctpAssociationEvent =
  | {
    /** The handshake completed (also the first event of an accepted association). */
    readonly type: "established";
    /** The association. */
    readonly assoc: number;
    /** True when a listener accepted it, false when `connect` opened it. */
    readonly inbound: boolean;
    /** Our SCTP port. */
    readonly localPort: number;
    /** The peer's SCTP port. */
    readonly peerPort: number;
    /** The peer's primary address and UDP encapsulation port. */
    readonly remote: TransportAddress;
    /** Every address of the peer (paths), the primary first. */
    readonly peerAddresses: readonly string[];
    /** Streams we may send on. */
    readonly outboundStreams: number;
    /** Streams the peer may send on. */
    readonly inboundStreams: number;
  }
  | {
    /** A complete message. */
    readonly type: "message";
    /** The association. */
    readonly assoc: number;
    /** Its payload protocol identifier. */
    readonly ppid: number;
    /** Its stream. */
    readonly stream: number;
    /** Whether it was sent unordered. */
    readonly unordered: boolean;
    /** The message (may be a view into a received packet). */
    readonly payload: Uint8Array;
  }
  | {
    /** After a `buffer-full`, the send queue drained to half. */
    readonly type: "writable";
    /** The association. */
    readonly assoc: number;
  }
  | {
    /** A round-trip time sample (from data or a heartbeat). */
    readonly type: "rtt";
    /** The association. */
    readonly assoc: number;
    /** The path's address. */
    readonly address: string;
    /** This sample in ms. */
    readonly rtt: number;
    /** The path's smoothed RTT. */
    readonly srtt: number;
    /** The path's RTT variation. */
    readonly rttvar: number;
  }
  | {
    /** A path changed: confirmed by a heartbeat, inactive after errors, or active again. */
    readonly type: "path";
    /** The association. */
    readonly assoc: number;
    /** The path's address. */
    readonly address: string;
    /** What happened. */
    readonly state: "confirmed" | "active" | "inactive";
  }
  | {
    /**
     * The peer restarted (RFC 9260 5.2.4 action A): the association continues with new tags, an
     * empty send queue and stream sequence numbers from zero. Data not yet acknowledged is lost.
     */
    readonly type: "restart";
    /** The association. */
    readonly assoc: number;
  }
  | {
    /** A message queued before the handshake used a stream the peer does not accept. */
    readonly type: "send-failed";
    /** The association. */
    readonly assoc: number;
    /** Why. */
    readonly failure: "invalid-stream";
    /** The message. */
    readonly payload: Uint8Array;
  }
  | {
    /** The peer reported an error (ERROR chunk) that does not end the association. */
    readonly type: "peer-error";
    /** The association. */
    readonly assoc: number;
    /** The causes reported. */
    readonly causes: readonly SctpCause[];
    /** A description of them. */
    readonly detail: string;
  }
  | {
    /** The association ended; its last event. */
    readonly type: "closed";
    /** The association. */
    readonly assoc: number;
    /** Why, in the vocabulary of the TCP shim. */
    readonly reason: CloseReason;
    /** The SCTP error cause sent or received (0 when none applies). */
    readonly cause: number;
    /** A human-readable explanation. */
    readonly detail: string;
  };

/** How an association starts. */
export type SctpAssociationStart =
  | {
    /** Active open: send INIT to the first of `remotes`. */
    readonly kind: "connect";
    /** The peer's addresses and UDP ports (confirmed: the application named them). */
    readonly remotes: readonly TransportAddress[];
  }
  | {
    /** Passive open from a valid COOKIE-ECHO. */
    readonly kind: "cookie";
    /** The cookie's contents. */
    readonly cookie: CookieData;
    /** Where the COOKIE-ECHO came from. */
    readonly from: TransportAddress;
  };

interface Control {
  readonly path: Path | undefined;
  readonly type: number;
  readonly flags: number;
  readonly value: Uint8Array;
}

const EMPTY = new Uint8Array(0);
const TEXT = new TextEncoder();
/** Heartbeat information: path index u32, nonce u32, send time f64. */
const HB_INFO_BYTES = 16;

/**
 * One SCTP association (RFC 9260), sans-IO. Created by {@link SctpEndpoint} (`connect`, or a
 * valid COOKIE-ECHO at a listener); the endpoint passes it the packets addressed to it, runs its
 * timers, and collects its packets and events. Every method is synchronous and never throws on
 * peer input; a misbehaving peer ends the association with `protocol-error` (and an ABORT).
 *
 * @example Through an endpoint pair (see SctpEndpoint for the full loop)
 * ```ts
 * import { SctpEndpoint } from "./endpoint.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const server = new SctpEndpoint({ rng: new SeededRng(1) });
 * server.listen(3863);
 * const client = new SctpEndpoint({ rng: new SeededRng(2) });
 * const a = client.connect(0, [{ address: "127.0.0.1", port: 9899 }], 3863);
 * assert.equal(a.state, "cookie-wait");
 * ```
 */
export class SctpAssociation {
  /** The id at the endpoint. */
  readonly id: number;
  /** Our SCTP port. */
  readonly localPort: number;
  /** The peer's SCTP port. */
  readonly peerPort: number;
  /** True when a listener accepted it. */
  readonly inbound: boolean;

  #ctx: HandshakeContext;
  #o: HandshakeContext["options"];
  #state: SctpState;
  #localTag: number;
  #peerTag = 0;
  #localTsn: number;
  #paths: Path[] = [];
  #primary: Path;
  #outboundStreams: number;
  #inboundStreams: number;
  #out: Outbound;
  #tracker: ReceiveTracker | undefined;
  #reassembly: Reassembly;
  #delivered: ReceivedMessage[] = [];
  #events: SctpAssociationEvent[] = [];
  #eventHead = 0;
  #controls: Control[] = [];
  #final: SctpTransmit[] = [];
  #errors = 0;
  #blocked = false;
  #shutdownRequested = false;
  #handshakeRtt: number | undefined;

  // Handshake (T1) and shutdown (T2, T5) timers.
  #t1 = Infinity;
  #t1Count = 0;
  #t1SentAt = 0;
  #t1Chunk: Control | undefined;
  #initRemotes: readonly TransportAddress[] = [];
  #t2 = Infinity;
  #t2Count = 0;
  #t5 = Infinity;

  // Acknowledgement state.
  #sackNow = false;
  #sackAt = Infinity;
  #sackPath: Path | undefined;
  #dataPackets = 0;
  #dropped = false;

  /**
   * Creates an association; use {@link SctpEndpoint.connect} instead, which registers it.
   *
   * @param id The id at the endpoint.
   * @param ctx Options, randomness, local addresses and the cookie sealer.
   * @param localPort Our SCTP port.
   * @param peerPort The peer's SCTP port.
   * @param now The current time.
   * @param start Active open, or passive open from a cookie.
   */
  constructor(
    id: number,
    ctx: HandshakeContext,
    localPort: number,
    peerPort: number,
    now: number,
    start: SctpAssociationStart,
  ) {
    this.id = id;
    this.#ctx = ctx;
    this.#o = ctx.options;
    this.localPort = localPort;
    this.peerPort = peerPort;
    const limit = (ppid: number) => messageLimit(ppid, this.#o.maxMessageSize);
    this.#reassembly = new Reassembly(limit, (tsn) => this.#tracker?.has(tsn) ?? false);
    if (start.kind === "connect") {
      this.inbound = false;
      this.#state = "cookie-wait";
      this.#localTag = randomTag(ctx.rng);
      this.#localTsn = ctx.rng.nextU32() >>> 0;
      for (const r of start.remotes) this.#addPath(r.address, r.port, true, now);
      this.#primary = this.#paths[0]!;
      this.#initRemotes = start.remotes;
      this.#outboundStreams = this.#o.outboundStreams;
      this.#inboundStreams = this.#o.inboundStreams;
      this.#out = new Outbound(this.#localTsn, initialWindow(this.#o), this.#o);
      this.#t1Chunk = {
        path: this.#primary,
        type: ChunkType.Init,
        flags: 0,
        value: initValue(ctx, this.#localTag, this.#localTsn),
      };
      this.#controls.push(this.#t1Chunk);
      this.#t1 = now + this.#primary.rto;
      this.#t1SentAt = now;
    } else {
      const c = start.cookie;
      this.inbound = true;
      this.#state = "established";
      this.#localTag = c.localTag;
      this.#peerTag = c.peerTag;
      this.#localTsn = c.localTsn;
      c.peerAddresses.forEach((a, i) => this.#addPath(a, c.remoteUdpPort, i === 0, now));
      this.#primary = this.#paths[0]!;
      const from = this.#pathFor(start.from.address);
      if (from !== undefined) {
        from.confirmed = true;
        from.setUdpPort(start.from.port);
      }
      this.#outboundStreams = c.outboundStreams;
      this.#inboundStreams = c.inboundStreams;
      this.#out = new Outbound(c.localTsn, c.peerArwnd, this.#o);
      this.#tracker = new ReceiveTracker(c.peerTsn);
      this.#controls.push({ path: from, type: ChunkType.CookieAck, flags: 0, value: EMPTY });
      this.#emitEstablished();
    }
  }

  /** The current state. */
  get state(): SctpState {
    return this.#state;
  }

  /** Our verification tag (the peer puts it in every packet). */
  get localTag(): number {
    return this.#localTag;
  }

  /** The peer's verification tag (0 before the INIT-ACK). */
  get peerTag(): number {
    return this.#peerTag;
  }

  /** The peer's addresses, the primary first. */
  get peerAddresses(): readonly string[] {
    return this.#paths.map((p) => p.address);
  }

  /** The peer's primary address and UDP port. */
  get remote(): TransportAddress {
    return this.#primary.remote;
  }

  /** The smoothed RTT of the primary path in ms, once measured. */
  get srtt(): number | undefined {
    return this.#primary.srtt;
  }

  /** Bytes of messages queued or unacknowledged. */
  get queuedBytes(): number {
    return this.#out.queuedBytes;
  }

  /** Bytes held by the receiver for reassembly and reordering. */
  get heldBytes(): number {
    return this.#reassembly.heldBytes;
  }

  /** Streams we may send on (negotiated once established). */
  get outboundStreams(): number {
    return this.#outboundStreams;
  }

  /** The association's consecutive error count (unanswered retransmissions and heartbeats). */
  get errorCount(): number {
    return this.#errors;
  }

  /**
   * A snapshot of each path: address, UDP port, active, confirmed, error count, RTO, srtt, cwnd
   * and bytes in flight.
   *
   * @returns One entry per path, the primary first.
   */
  paths(): {
    address: string;
    port: number;
    active: boolean;
    confirmed: boolean;
    errors: number;
    rto: number;
    srtt: number | undefined;
    cwnd: number;
    flight: number;
  }[] {
    return this.#paths.map((p) => ({
      address: p.address,
      port: p.remote.port,
      active: p.active,
      confirmed: p.confirmed,
      errors: p.errors,
      rto: p.rto,
      srtt: p.srtt,
      cwnd: p.cwnd,
      flight: p.flight,
    }));
  }

  /** Tags of the association as the endpoint's COOKIE-ECHO handling needs them. */
  get tieTags(): { readonly localTag: number; readonly peerTag: number } {
    return { localTag: this.#localTag, peerTag: this.#peerTag };
  }

  // --- commands --------------------------------------------------------------------------------

  /**
   * Queues a message. It is copied, fragmented to the path MTU and sent as windows allow.
   * Messages queued before the handshake completes go out with the COOKIE-ECHO or after it.
   *
   * @param now The current time.
   * @param ppid Payload protocol identifier (0..0xffffffff).
   * @param stream Stream number (0..65535).
   * @param payload The message (at least one byte).
   * @param unordered Deliver without waiting for earlier messages of the stream.
   * @returns `"ok"`; `"buffer-full"` (a `writable` event follows), `"too-large"` (over
   *   `maxMessageSize`, or 65535 for ASAP/ENRP PPIDs), `"closed"` (shutting down or closed) or
   *   `"invalid-stream"` (not below the negotiated outbound stream count).
   * @throws {RangeError} On an invalid PPID, stream or an empty payload.
   */
  send(
    now: number,
    ppid: number,
    stream: number,
    payload: Uint8Array,
    unordered = false,
  ): SctpSendResult {
    if (!Number.isInteger(ppid) || ppid < 0 || ppid > 0xffffffff) {
      throw new RangeError(`Cannot send: PPID ${ppid} is not an integer in 0..0xffffffff`);
    }
    if (!Number.isInteger(stream) || stream < 0 || stream > 0xffff) {
      throw new RangeError(`Cannot send: stream ${stream} is not an integer in 0..65535`);
    }
    if (payload.length === 0) throw new RangeError("Cannot send: the message is empty");
    const s = this.#state;
    if (
      this.#shutdownRequested ||
      (s !== "cookie-wait" && s !== "cookie-echoed" && s !== "established")
    ) {
      return "closed";
    }
    if (payload.length > messageLimit(ppid, this.#o.maxMessageSize)) return "too-large";
    if (stream >= this.#outboundStreams) return "invalid-stream";
    const queued = this.#out.queuedBytes;
    if (queued > 0 && queued + payload.length > this.#o.maxSendBuffer) {
      this.#blocked = true;
      return "buffer-full";
    }
    this.#out.enqueue(stream, ppid, unordered, payload.slice());
    void now;
    return "ok";
  }

  /**
   * Closes gracefully (SHUTDOWN): no more sends; what is queued is delivered first; messages
   * from the peer are delivered until the shutdown completes (or `shutdownTimeout` passes).
   *
   * @param now The current time.
   */
  shutdown(now: number): void {
    if (this.#shutdownRequested || this.#state === "closed") return;
    this.#shutdownRequested = true;
    this.#t5 = now + this.#o.shutdownTimeout;
    if (this.#state === "established") this.#transition("shutdown");
    this.#progressShutdown(now);
  }

  /**
   * Aborts: drops everything queued, sends an ABORT with a User-Initiated Abort cause carrying
   * `reason`, and reports `closed` with reason `aborted`.
   *
   * @param _now The current time.
   * @param reason Why (sent to the peer, at most 256 bytes of it).
   */
  abort(_now: number, reason: string): void {
    if (this.#state === "closed") return;
    const info = TEXT.encode(reason).subarray(0, 256);
    this.#sendAbort([{ code: SctpErrorCause.UserInitiatedAbort, info }]);
    this.#close("abort", "aborted", SctpErrorCause.UserInitiatedAbort, reason);
  }

  // --- input -------------------------------------------------------------------------------

  /**
   * Handles a packet the endpoint matched to this association (by addresses and ports); checks
   * the verification tag and processes the chunks.
   *
   * @param now The current time.
   * @param from The sender (IP address and UDP port).
   * @param header The packet's common header.
   * @param chunks The packet's chunks.
   * @returns `false` when the packet was discarded (wrong tag, not allowed in this state).
   */
  handlePacket(
    now: number,
    from: TransportAddress,
    header: PacketHeader,
    chunks: readonly RawChunk[],
  ): boolean {
    if (this.#state === "closed") return false;
    const first = chunks[0]!;
    if (first.type === ChunkType.Init) {
      if (chunks.length !== 1 || header.vtag !== 0) return false;
      this.#handleInit(now, from, first);
      return true;
    }
    if (!this.#tagOk(header.vtag, chunks)) return false;
    const path = this.#pathFor(from.address);
    if (path === undefined) return false;
    path.setUdpPort(from.port);
    let gotData = false;
    for (const c of chunks) {
      if (this.#isClosed()) break;
      switch (c.type) {
        case ChunkType.Data:
          if (!this.#handleData(now, path, c)) return true;
          gotData = true;
          break;
        case ChunkType.InitAck:
          if (chunks.length !== 1) return false;
          this.#handleInitAck(now, path, c);
          break;
        case ChunkType.Sack:
          this.#handleSack(now, c);
          break;
        case ChunkType.Heartbeat:
          this.#handleHeartbeat(path, c);
          break;
        case ChunkType.HeartbeatAck:
          this.#handleHeartbeatAck(now, c);
          break;
        case ChunkType.Abort:
          this.#handlePeerAbort(c);
          return true;
        case ChunkType.Shutdown:
          this.#handleShutdown(now, c);
          break;
        case ChunkType.ShutdownAck:
          this.#handleShutdownAck(now, path);
          break;
        case ChunkType.ShutdownComplete:
          if (this.#state === "shutdown-ack-sent") {
            this.#close("shutdown-complete", "closed", 0, "Association closed");
          }
          return true;
        case ChunkType.Error:
          this.#handleError(now, c);
          break;
        case ChunkType.CookieAck:
          if (this.#state === "cookie-echoed") {
            if (this.#t1Count === 0) this.#rtt(path, now - this.#t1SentAt);
            this.#t1 = Infinity;
            this.#t1Chunk = undefined;
            this.#transition("cookie-ack");
            this.#emitEstablished();
            this.#progressShutdown(now);
          }
          break;
        case ChunkType.CookieEcho:
        case ChunkType.Init:
          break; // only valid first in a packet (handled by the endpoint / above)
        default: {
          const action = unknownChunkAction(c.type);
          if (action === "stop-report" || action === "skip-report") this.#reportUnknown(path, c);
          if (action === "stop" || action === "stop-report") {
            this.#afterData(now, gotData);
            return true;
          }
        }
      }
    }
    this.#afterData(now, gotData);
    return true;
  }

  /**
   * Handles a COOKIE-ECHO (already authenticated by the endpoint) for this existing association:
   * restart, INIT collision or a duplicate (RFC 9260 5.2.4).
   *
   * @param now The current time.
   * @param from The sender.
   * @param cookie The cookie's contents.
   * @param rest The chunks bundled after the COOKIE-ECHO.
   * @param header The packet's header.
   * @param stale Whether the cookie's lifetime has passed.
   * @returns `false` when the cookie was discarded.
   */
  handleCookieEcho(
    now: number,
    from: TransportAddress,
    cookie: CookieData,
    rest: readonly RawChunk[],
    header: PacketHeader,
    stale: boolean,
  ): boolean {
    if (this.#state === "closed") return false;
    const localMatch = cookie.localTag === this.#localTag;
    const peerMatch = cookie.peerTag === this.#peerTag;
    const path = this.#pathFor(from.address) ?? this.#primary;
    if (!localMatch && !peerMatch) {
      // Action A: the peer restarted, if the tie-tags name this association.
      if (
        cookie.tieLocalTag !== this.#localTag || cookie.tiePeerTag !== this.#peerTag || stale
      ) {
        return false;
      }
      if (this.#state === "shutdown-ack-sent") {
        this.#controls.push({ path, type: ChunkType.ShutdownAck, flags: 0, value: EMPTY });
        this.#controls.push({
          path,
          type: ChunkType.Error,
          flags: 0,
          value: encodeCauses([{
            code: SctpErrorCause.CookieReceivedWhileShuttingDown,
            info: EMPTY,
          }]),
        });
        return true;
      }
      this.#restart(now, cookie, from);
    } else if (localMatch && !peerMatch) {
      // Action B: INIT collision; adopt the peer's tag and initial TSN.
      if (stale && this.#state !== "cookie-wait" && this.#state !== "cookie-echoed") return false;
      this.#peerTag = cookie.peerTag;
      this.#tracker = new ReceiveTracker(cookie.peerTsn);
      this.#reassembly.reset();
      this.#outboundStreams = Math.min(this.#outboundStreams, cookie.outboundStreams);
      this.#inboundStreams = cookie.inboundStreams;
      this.#controls.push({ path, type: ChunkType.CookieAck, flags: 0, value: EMPTY });
      if (this.#state === "cookie-wait" || this.#state === "cookie-echoed") {
        this.#becomeEstablished();
      }
    } else if (!localMatch && peerMatch) {
      // Action C: a late cookie of an earlier collision.
      return false;
    } else {
      // Action D: both tags match: a duplicate or a lost COOKIE-ACK.
      if (this.#state === "cookie-wait" || this.#state === "cookie-echoed") {
        this.#tracker ??= new ReceiveTracker(cookie.peerTsn);
        this.#becomeEstablished();
      }
      this.#controls.push({ path, type: ChunkType.CookieAck, flags: 0, value: EMPTY });
    }
    if (rest.length > 0) {
      this.handlePacket(now, from, { ...header, vtag: this.#localTag }, rest);
    }
    return true;
  }

  /**
   * Runs the timers: T1 (INIT, COOKIE-ECHO), T2 (SHUTDOWN), T5 (shutdown guard), T3-rtx per
   * path, heartbeats, delayed SACK. Harmless to call early or twice.
   *
   * @param now The current time.
   */
  handleTimeout(now: number): void {
    if (this.#state === "closed") return;
    if (now >= this.#t5) {
      this.#sendAbort([{
        code: SctpErrorCause.UserInitiatedAbort,
        info: TEXT.encode("Shutdown timeout"),
      }]);
      this.#close("timeout", "timeout", 0, `Shutdown timeout after ${this.#o.shutdownTimeout} ms`);
      return;
    }
    if (now >= this.#t1) this.#onT1(now);
    if (this.#isClosed()) return;
    if (now >= this.#t2) this.#onT2(now);
    if (this.#isClosed()) return;
    for (const p of this.#paths) {
      if (now >= p.t3) {
        if (this.#state === "cookie-echoed") {
          p.t3 = Infinity; // the COOKIE-ECHO's T1 covers data bundled with it
          continue;
        }
        this.#out.handleT3(p);
        p.backoff(this.#o);
        if (!this.#strike(p, now, true)) return;
      }
      if (now >= p.hbDeadline) {
        p.hbDeadline = Infinity;
        p.backoff(this.#o);
        p.suspect = true;
        p.hbDue = now;
        if (!this.#strike(p, now, p.confirmed)) return;
      }
    }
    if (this.#heartbeatsAllowed()) {
      for (const p of this.#paths) {
        if (p.hbDeadline === Infinity && now >= this.#heartbeatDue(p)) this.#sendHeartbeat(now, p);
      }
    }
    if (now >= this.#sackAt) this.#sackNow = true;
  }

  /**
   * The earliest time at which {@link handleTimeout} has work, or `undefined`.
   *
   * @returns A deadline in ms.
   */
  pollTimeout(): number | undefined {
    if (this.#state === "closed") return undefined;
    let at = Math.min(this.#t1, this.#t2, this.#t5, this.#sackAt);
    const hb = this.#heartbeatsAllowed();
    for (const p of this.#paths) {
      if (p.t3 < at) at = p.t3;
      if (p.hbDeadline < at) at = p.hbDeadline;
      if (hb && p.hbDeadline === Infinity) {
        const due = this.#heartbeatDue(p);
        if (due < at) at = due;
      }
    }
    return at === Infinity ? undefined : at;
  }

  /**
   * The next event, or `undefined`.
   *
   * @returns The event.
   */
  pollEvent(): SctpAssociationEvent | undefined {
    if (this.#eventHead >= this.#events.length) {
      if (this.#eventHead > 0) {
        this.#events = [];
        this.#eventHead = 0;
      }
      return undefined;
    }
    return this.#events[this.#eventHead++];
  }

  /**
   * The next packet to send, or `undefined`. Bundles control chunks, a SACK and DATA for one
   * destination into a packet of at most `mtu` bytes.
   *
   * @param now The current time.
   * @returns The packet and its destination.
   */
  pollTransmit(now: number): SctpTransmit | undefined {
    if (this.#final.length > 0) return this.#final.shift();
    if (this.#state === "closed") return undefined;
    this.#progressShutdown(now);
    const dataPath = this.#dataPath();
    const sackPending = this.#sackNow || this.#sackAt !== Infinity;
    const sackPath = this.#sackPath !== undefined && this.#sackPath.active
      ? this.#sackPath
      : dataPath;
    const dataOk = this.#dataAllowed();
    let dest: Path;
    if (this.#controls.length > 0) dest = this.#controls[0]!.path ?? dataPath;
    else if (this.#sackNow) dest = sackPath;
    else if (dataOk && this.#out.hasSendable(dataPath)) dest = dataPath;
    else return undefined;
    const vtag = this.#state === "cookie-wait" ? 0 : this.#peerTag;
    const b = new PacketBuilder(this.#o.mtu, this.localPort, this.#peerPort(), vtag);
    let hasCookieEcho = false;
    const controls = this.#controls;
    for (let i = 0; i < controls.length;) {
      const c = controls[i]!;
      if ((c.path ?? dataPath) !== dest) {
        i++;
        continue;
      }
      if (!b.fits(c.value.length)) break;
      b.addChunk(c.type, c.flags, c.value);
      if (c.type === ChunkType.CookieEcho) hasCookieEcho = true;
      controls.splice(i, 1);
      if (c.type === ChunkType.Init) break; // INIT travels alone
    }
    const initOnly = b.chunkCount > 0 && b.bytes[12] === ChunkType.Init;
    if (!initOnly && sackPending && sackPath === dest && this.#tracker !== undefined) {
      this.#writeSack(b);
    }
    if (
      !initOnly && dest === dataPath &&
      (dataOk || (this.#state === "cookie-echoed" && hasCookieEcho))
    ) {
      this.#out.fill(b, dest, now);
    }
    if (b.chunkCount === 0) return undefined;
    this.#checkWritable();
    return { to: dest.remote, bytes: b.finish() };
  }

  // --- handshake -------------------------------------------------------------------------------

  #handleInit(now: number, from: TransportAddress, chunk: RawChunk): void {
    const init = decodeInit(chunk.value);
    if (init === undefined) return;
    const params = decodeInitParameters(init.params, false);
    const problem = checkInit(init, params);
    if (problem === "drop") return;
    if (problem !== undefined) {
      this.#abortInit(from, init.initiateTag, problem);
      return;
    }
    const state = this.#state;
    if (state === "shutdown-ack-sent") {
      const path = this.#pathFor(from.address);
      this.#controls.push({ path, type: ChunkType.ShutdownAck, flags: 0, value: EMPTY });
      return;
    }
    let myTag: number, tieLocal: number, tiePeer: number;
    if (state === "cookie-wait" || state === "cookie-echoed") {
      // RFC 9260 5.2.1: INIT collision; answer with our original tag.
      myTag = this.#localTag;
      tieLocal = this.#localTag;
      tiePeer = this.#peerTag;
    } else {
      // RFC 9260 5.2.2: unexpected INIT (perhaps a restart). New addresses are refused.
      const known = new Set(this.#paths.map((p) => p.address));
      const fresh = peerAddresses(from.address, params).filter((a) => !known.has(a));
      if (fresh.length > 0) {
        this.#abortInit(from, init.initiateTag, [{
          code: SctpErrorCause.RestartWithNewAddresses,
          info: EMPTY,
        }]);
        return;
      }
      myTag = randomTag(this.#ctx.rng);
      tieLocal = this.#localTag;
      tiePeer = this.#peerTag;
    }
    const value = initAckValue(
      this.#ctx,
      now,
      init,
      params,
      from,
      this.localPort,
      this.peerPort,
      myTag,
      state === "cookie-wait" || state === "cookie-echoed"
        ? this.#localTsn
        : this.#ctx.rng.nextU32() >>> 0,
      tieLocal,
      tiePeer,
    );
    const b = new PacketBuilder(
      Math.max(this.#o.mtu, 12 + 4 + value.length),
      this.localPort,
      this.peerPort,
      init.initiateTag,
    );
    b.addChunk(ChunkType.InitAck, 0, value);
    this.#final.push({ to: from, bytes: b.finish() });
  }

  #abortInit(to: TransportAddress, vtag: number, causes: SctpCause[]): void {
    const b = new PacketBuilder(this.#o.mtu, this.localPort, this.peerPort, vtag);
    b.addChunk(ChunkType.Abort, 0, encodeCauses(causes));
    this.#final.push({ to, bytes: b.finish() });
  }

  #handleInitAck(now: number, path: Path, chunk: RawChunk): void {
    if (this.#state !== "cookie-wait") return;
    const init = decodeInit(chunk.value);
    if (init === undefined) return;
    const params = decodeInitParameters(init.params, true);
    const problem = checkInit(init, params);
    if (problem === "drop") return;
    if (problem !== undefined || params.cookie === undefined) {
      const causes = problem ?? [{
        code: SctpErrorCause.MissingMandatoryParameter,
        info: Uint8Array.of(0, 1, 0, 7), // one missing parameter: State Cookie
      }];
      this.#peerTag = init.initiateTag;
      this.#sendAbort(causes);
      this.#close("protocol-error", "protocol-error", causes[0]!.code, describeCauses(causes));
      return;
    }
    this.#peerTag = init.initiateTag;
    if (this.#t1Count === 0) this.#rtt(path, now - this.#t1SentAt);
    this.#outboundStreams = Math.min(this.#o.outboundStreams, init.inboundStreams);
    this.#inboundStreams = Math.min(this.#o.inboundStreams, init.outboundStreams);
    this.#tracker = new ReceiveTracker(init.initialTsn);
    this.#out.setPeerWindow(init.arwnd);
    path.confirmed = true;
    for (const a of params.addresses) {
      if (this.#pathFor(a) === undefined) this.#addPath(a, path.remote.port, false, now);
    }
    const t1 = this.#t1Chunk;
    if (t1 !== undefined) {
      const i = this.#controls.indexOf(t1);
      if (i >= 0) this.#controls.splice(i, 1);
    }
    this.#t1Chunk = { path, type: ChunkType.CookieEcho, flags: 0, value: params.cookie.slice() };
    this.#controls.unshift(this.#t1Chunk);
    if (params.unrecognized.length > 0) {
      const info = concat(params.unrecognized.map((u) => pad4(u)));
      this.#controls.splice(1, 0, {
        path,
        type: ChunkType.Error,
        flags: 0,
        value: encodeCauses([{ code: SctpErrorCause.UnrecognizedParameters, info }]),
      });
    }
    this.#t1Count = 0;
    this.#t1 = now + path.rto;
    this.#t1SentAt = now;
    this.#transition("init-ack");
    for (const payload of this.#out.dropStreamsFrom(this.#outboundStreams)) {
      this.#events.push({
        type: "send-failed",
        assoc: this.id,
        failure: "invalid-stream",
        payload,
      });
    }
  }

  #onT1(now: number): void {
    const chunk = this.#t1Chunk;
    if (chunk === undefined) {
      this.#t1 = Infinity;
      return;
    }
    this.#t1Count++;
    const what = chunk.type === ChunkType.Init ? "INIT" : "COOKIE-ECHO";
    if (this.#t1Count > this.#o.maxInitRetransmissions) {
      this.#close(
        "timeout",
        "timeout",
        0,
        `Handshake timeout: no answer to ${what} after ${this.#t1Count} transmissions`,
      );
      return;
    }
    let path = chunk.path!;
    path.backoff(this.#o);
    if (chunk.type === ChunkType.Init && this.#initRemotes.length > 1) {
      const r = this.#initRemotes[this.#t1Count % this.#initRemotes.length]!;
      path = this.#pathFor(r.address) ?? path;
    }
    const again: Control = { ...chunk, path };
    this.#t1Chunk = again;
    const i = this.#controls.indexOf(chunk);
    if (i >= 0) this.#controls.splice(i, 1);
    this.#controls.unshift(again);
    if (chunk.type === ChunkType.CookieEcho) this.#out.markForRetransmission();
    this.#t1 = now + path.rto;
  }

  #becomeEstablished(): void {
    this.#t1 = Infinity;
    this.#t1Chunk = undefined;
    this.#transition("cookie-ack");
    this.#emitEstablished();
  }

  #emitEstablished(): void {
    this.#events.push({
      type: "established",
      assoc: this.id,
      inbound: this.inbound,
      localPort: this.localPort,
      peerPort: this.peerPort,
      remote: this.#primary.remote,
      peerAddresses: this.peerAddresses,
      outboundStreams: this.#outboundStreams,
      inboundStreams: this.#inboundStreams,
    });
    const rtt = this.#handshakeRtt;
    const p = this.#primary;
    if (rtt !== undefined && p.srtt !== undefined) {
      this.#handshakeRtt = undefined;
      this.#events.push({
        type: "rtt",
        assoc: this.id,
        address: p.address,
        rtt,
        srtt: p.srtt,
        rttvar: p.rttvar,
      });
    }
  }

  #restart(now: number, cookie: CookieData, from: TransportAddress): void {
    this.#localTag = cookie.localTag;
    this.#peerTag = cookie.peerTag;
    this.#localTsn = cookie.localTsn;
    this.#outboundStreams = cookie.outboundStreams;
    this.#inboundStreams = cookie.inboundStreams;
    this.#out = new Outbound(cookie.localTsn, cookie.peerArwnd, this.#o);
    this.#tracker = new ReceiveTracker(cookie.peerTsn);
    this.#reassembly.reset();
    this.#controls = [];
    this.#sackNow = false;
    this.#sackAt = Infinity;
    this.#dataPackets = 0;
    this.#errors = 0;
    this.#t1 = Infinity;
    this.#t1Chunk = undefined;
    this.#t2 = Infinity;
    this.#t2Count = 0;
    for (const p of this.#paths) {
      p.resetCongestion(this.#o);
      p.errors = 0;
      p.active = true;
      p.hbDeadline = Infinity;
      p.suspect = false;
      p.hbDue = now;
    }
    const path = this.#pathFor(from.address) ?? this.#primary;
    path.setUdpPort(from.port);
    this.#controls.push({ path, type: ChunkType.CookieAck, flags: 0, value: EMPTY });
    if (this.#state !== "established") {
      // A restart while shutting down or still in the handshake: the peer wants a fresh start.
      this.#state = "established";
      this.#shutdownRequested = false;
      this.#t5 = Infinity;
    }
    this.#events.push({ type: "restart", assoc: this.id });
  }

  // --- data ------------------------------------------------------------------------------------

  /** Handles one DATA chunk; returns false when the association ended. */
  #handleData(now: number, path: Path, chunk: RawChunk): boolean {
    const s = this.#state;
    if (
      this.#tracker === undefined ||
      (s !== "established" && s !== "shutdown-pending" && s !== "shutdown-sent")
    ) {
      return true; // not accepting data in this state: discard
    }
    const d = decodeData(chunk.flags, chunk.value);
    if (d === undefined) {
      this.#protocolViolation("DATA chunk shorter than 16 bytes");
      return false;
    }
    if (d === "empty") {
      const tsn = readU32(chunk.value, 0);
      const info = new Uint8Array(4);
      writeU32(info, 0, tsn);
      this.#sendAbort([{ code: SctpErrorCause.NoUserData, info }]);
      this.#close(
        "protocol-error",
        "protocol-error",
        SctpErrorCause.NoUserData,
        `No User Data: DATA chunk with TSN ${tsn} carries no user data`,
      );
      return false;
    }
    const tracker = this.#tracker;
    this.#sackPath = path;
    if (d.flags & DataFlag.Immediate) this.#sackNow = true;
    if (tracker.has(d.tsn)) {
      tracker.record(d.tsn); // notes the duplicate for the next SACK
      this.#sackNow = true;
      return true;
    }
    if (d.stream >= this.#inboundStreams) {
      if (tracker.record(d.tsn) === "new") {
        const info = new Uint8Array(4);
        info[0] = d.stream >>> 8;
        info[1] = d.stream & 0xff;
        this.#controls.push({
          path,
          type: ChunkType.Error,
          flags: 0,
          value: encodeCauses([{ code: SctpErrorCause.InvalidStreamIdentifier, info }]),
        });
      }
      this.#sackNow = true;
      return true;
    }
    const inSequence = d.tsn === tsnAdd(tracker.cumulativeTsn, 1);
    const size = d.payload.length + HELD_CHUNK_OVERHEAD;
    const room = inSequence
      ? this.#o.receiveBuffer
      : this.#o.receiveBuffer - this.#o.maxMessageSize;
    const deliverable = inSequence &&
      (d.flags & (DataFlag.Begin | DataFlag.End)) === (DataFlag.Begin | DataFlag.End);
    if ((!deliverable && this.#reassembly.heldBytes + size > room) || !tracker.accepts(d.tsn)) {
      this.#dropped = true; // no room: not acknowledged, the peer sends it again
      this.#sackNow = true;
      return true;
    }
    tracker.record(d.tsn);
    // New data proves the peer alive (as any byte does for the TCP shim): unanswered heartbeats
    // on a lossy path do not make a sending peer "dead". Path error counters are left alone,
    // so a path that fails in our direction still fails over.
    this.#errors = 0;
    const err = this.#reassembly.add(d, this.#delivered);
    if (err !== undefined) {
      const detail = err.kind === "too-large"
        ? `Message of ${err.bytes} bytes with PPID ${err.ppid} exceeds the limit of ${err.limit}`
        : err.kind === "ssn-reuse"
        ? `Stream ${err.stream} sequence number ${err.ssn} repeated or out of order`
        : `Fragments of the message at TSN ${err.tsn} are inconsistent`;
      this.#protocolViolation(detail);
      return false;
    }
    if (this.#delivered.length > 0) this.#deliver();
    void now;
    return true;
  }

  #deliver(): void {
    const delivered = this.#delivered;
    for (const m of delivered) {
      this.#events.push({
        type: "message",
        assoc: this.id,
        ppid: m.ppid,
        stream: m.stream,
        unordered: m.unordered,
        payload: m.payload,
      });
    }
    delivered.length = 0;
  }

  /** SACK scheduling after a packet (RFC 9260 6.2): at once on gaps, else every second packet. */
  #afterData(now: number, gotData: boolean): void {
    if (!gotData || this.#tracker === undefined) return;
    const tracker = this.#tracker;
    if (this.#reassembly.stalled(tracker.cumulativeTsn)) {
      this.#protocolViolation("An ordered message waits for a stream sequence number never sent");
      return;
    }
    if (
      tracker.hasGaps || tracker.hasDuplicates || this.#dropped ||
      this.#state === "shutdown-sent"
    ) {
      this.#sackNow = true;
    }
    if (++this.#dataPackets >= 2) this.#sackNow = true;
    if (!this.#sackNow && this.#sackAt === Infinity) this.#sackAt = now + this.#o.delayedAckTime;
    if (this.#state === "shutdown-sent") {
      // RFC 9260 9.2: answer DATA in SHUTDOWN-SENT with a SACK and the SHUTDOWN again.
      this.#queueShutdown(now);
    }
  }

  #window(): number {
    const w = this.#o.receiveBuffer - this.#o.maxMessageSize - this.#reassembly.heldBytes;
    return w > 0 ? w : 0;
  }

  #writeSack(b: PacketBuilder): void {
    const tracker = this.#tracker!;
    const room = b.room - 4 - 12;
    if (room < 0) return;
    const dups = tracker.takeDuplicates();
    const maxDups = Math.min(dups.length, Math.floor(room / 8));
    const gaps = tracker.gapBlocks(Math.floor((room - 4 * maxDups) / 4));
    const nGaps = gaps.length / 2;
    if (!b.fits(sackValueBytes(nGaps, maxDups))) return;
    writeSack(b, tracker.cumulativeTsn, this.#window(), gaps, nGaps, dups, maxDups);
    this.#sackNow = false;
    this.#sackAt = Infinity;
    this.#dataPackets = 0;
    this.#dropped = false;
  }

  #handleSack(now: number, chunk: RawChunk): void {
    const s = this.#state;
    if (s === "cookie-wait" || s === "cookie-echoed") return;
    const sack = decodeSack(chunk.value);
    if (sack === undefined) {
      this.#protocolViolation("Malformed SACK chunk");
      return;
    }
    const r = this.#out.handleSack(now, sack, this.#paths, (p, rtt) => this.#rtt(p, rtt));
    this.#afterAck(now, r);
  }

  #afterAck(now: number, r: ReturnType<Outbound["handleSack"]>): void {
    if (r === "stale") return;
    if (r === "violation") {
      this.#protocolViolation("SACK acknowledges a TSN that was never sent");
      return;
    }
    if (r.ackedBytes > 0) {
      this.#errors = 0;
      for (const p of r.ackedPaths) this.#pathAlive(p);
    }
    this.#checkWritable();
    this.#progressShutdown(now);
  }

  #checkWritable(): void {
    if (this.#blocked && this.#out.queuedBytes <= this.#o.maxSendBuffer / 2) {
      this.#blocked = false;
      if (this.#state === "established" && !this.#shutdownRequested) {
        this.#events.push({ type: "writable", assoc: this.id });
      }
    }
  }

  // --- heartbeats and paths ------------------------------------------------------------------

  #heartbeatsAllowed(): boolean {
    const s = this.#state;
    return s === "established" || s === "shutdown-pending" || s === "shutdown-received";
  }

  #heartbeatDue(p: Path): number {
    return p.hbDue;
  }

  #sendHeartbeat(now: number, p: Path): void {
    if (p.confirmed && !p.suspect) {
      if (p.flight > 0) {
        // Not idle: T3-rtx watches this path. Look again one interval later.
        this.#scheduleHeartbeat(now, p);
        return;
      }
      if (p.lastDataAt + this.#o.heartbeatInterval > now) {
        this.#scheduleHeartbeat(p.lastDataAt, p);
        return;
      }
    }
    const info = new Uint8Array(HB_INFO_BYTES);
    const view = new DataView(info.buffer);
    view.setUint32(0, this.#paths.indexOf(p));
    p.hbNonce = this.#ctx.rng.nextU32() >>> 0;
    view.setUint32(4, p.hbNonce);
    view.setFloat64(8, now);
    p.hbSentAt = now;
    p.hbDeadline = now + p.rto;
    this.#controls.push({
      path: p,
      type: ChunkType.Heartbeat,
      flags: 0,
      value: encodeHeartbeat(info),
    });
  }

  /** Next heartbeat: interval plus the RTO with a jitter of +-50 % (RFC 9260 8.3). */
  #scheduleHeartbeat(now: number, p: Path): void {
    const jitter = 0.5 + randomBelow(this.#ctx.rng, 1001) / 1000;
    p.hbDue = now + this.#o.heartbeatInterval + jitter * p.rto;
  }

  #handleHeartbeat(path: Path, chunk: RawChunk): void {
    if (this.#state === "cookie-wait") return;
    if (decodeHeartbeat(chunk.value) === undefined) return;
    if (4 + chunk.value.length + 12 > this.#o.mtu) return; // would not fit our packet
    this.#controls.push({
      path,
      type: ChunkType.HeartbeatAck,
      flags: 0,
      value: chunk.value.slice(),
    });
  }

  #handleHeartbeatAck(now: number, chunk: RawChunk): void {
    const info = decodeHeartbeat(chunk.value);
    if (info === undefined || info.length !== HB_INFO_BYTES) return;
    const view = new DataView(info.buffer, info.byteOffset, info.byteLength);
    const p = this.#paths[view.getUint32(0)];
    if (p === undefined || p.hbNonce !== view.getUint32(4) || p.hbDeadline === Infinity) return;
    if (view.getFloat64(8) !== p.hbSentAt) return;
    p.hbDeadline = Infinity;
    this.#rtt(p, now - p.hbSentAt);
    this.#errors = 0;
    if (!p.confirmed) {
      p.confirmed = true;
      this.#events.push({ type: "path", assoc: this.id, address: p.address, state: "confirmed" });
    }
    this.#pathAlive(p);
    this.#scheduleHeartbeat(now, p);
  }

  #rtt(p: Path, rtt: number): void {
    p.sample(rtt, this.#o);
    if (this.#state === "cookie-wait" || this.#state === "cookie-echoed") {
      this.#handshakeRtt = rtt; // reported right after "established"
      return;
    }
    this.#events.push({
      type: "rtt",
      assoc: this.id,
      address: p.address,
      rtt,
      srtt: p.srtt!,
      rttvar: p.rttvar,
    });
  }

  #pathAlive(p: Path): void {
    p.errors = 0;
    p.suspect = false;
    if (!p.active) {
      p.active = true;
      this.#events.push({ type: "path", assoc: this.id, address: p.address, state: "active" });
    }
  }

  /**
   * Counts an error (T3 expiry or unanswered heartbeat) on a path and, if `counts`, on the
   * association. Returns false when the peer is now considered dead.
   */
  #strike(p: Path, now: number, counts: boolean): boolean {
    p.errors++;
    if (p.errors > this.#o.pathMaxRetransmissions && p.active) {
      p.active = false;
      this.#events.push({ type: "path", assoc: this.id, address: p.address, state: "inactive" });
    }
    if (!counts) return true;
    this.#errors++;
    if (this.#errors > this.#o.maxRetransmissions) {
      const detail = `Peer unreachable: ${this.#errors} consecutive retransmission timeouts ` +
        `or unanswered heartbeats (maxRetransmissions ${this.#o.maxRetransmissions})`;
      this.#sendAbort([{ code: SctpErrorCause.UserInitiatedAbort, info: TEXT.encode(detail) }]);
      this.#close("peer-dead", "peer-dead", 0, detail);
      return false;
    }
    void now;
    return true;
  }

  /** The path for data: the primary while healthy, else the active path with fewest errors. */
  #dataPath(): Path {
    const primary = this.#primary;
    if (primary.active && primary.errors === 0) return primary;
    let best: Path | undefined;
    for (const p of this.#paths) {
      if (!p.confirmed) continue;
      if (
        best === undefined || (p.active && !best.active) ||
        (p.active === best.active && p.errors < best.errors)
      ) {
        best = p;
      }
    }
    return best ?? primary;
  }

  #addPath(address: string, port: number, confirmed: boolean, now: number): Path {
    const p = new Path(address, port, confirmed, this.#o, now);
    this.#paths.push(p);
    if (!confirmed) p.hbDue = now; // probe at once to confirm it (RFC 9260 5.4)
    else this.#scheduleHeartbeat(now, p);
    return p;
  }

  #pathFor(address: string): Path | undefined {
    for (const p of this.#paths) if (p.address === address) return p;
    return undefined;
  }

  #peerPort(): number {
    return this.peerPort;
  }

  // --- shutdown and abort ----------------------------------------------------------------------

  #progressShutdown(now: number): void {
    const s = this.#state;
    if (s === "cookie-wait" || s === "cookie-echoed" || s === "closed") return;
    if (this.#shutdownRequested && s === "established") this.#transition("shutdown");
    if (!this.#out.isEmpty) return;
    if (this.#state === "shutdown-pending") {
      this.#transition("all-acked");
      this.#queueShutdown(now);
    } else if (this.#state === "shutdown-received") {
      this.#transition("all-acked");
      this.#queueShutdownAck(now);
    }
  }

  #queueShutdown(now: number): void {
    const cum = this.#tracker?.cumulativeTsn ?? 0;
    this.#controls = this.#controls.filter((c) => c.type !== ChunkType.Shutdown);
    this.#controls.push({
      path: undefined,
      type: ChunkType.Shutdown,
      flags: 0,
      value: encodeShutdown(cum),
    });
    this.#t2 = now + this.#dataPath().rto;
    if (this.#t5 === Infinity) this.#t5 = now + this.#o.shutdownTimeout;
  }

  #queueShutdownAck(now: number): void {
    this.#controls.push({ path: undefined, type: ChunkType.ShutdownAck, flags: 0, value: EMPTY });
    this.#t2 = now + this.#dataPath().rto;
    if (this.#t5 === Infinity) this.#t5 = now + this.#o.shutdownTimeout;
  }

  #onT2(now: number): void {
    const path = this.#dataPath();
    path.backoff(this.#o);
    this.#t2Count++;
    this.#t2 = Infinity;
    if (!this.#strike(path, now, true)) return;
    if (this.#state === "shutdown-sent") this.#queueShutdown(now);
    else if (this.#state === "shutdown-ack-sent") this.#queueShutdownAck(now);
  }

  #handleShutdown(now: number, chunk: RawChunk): void {
    const cum = decodeShutdown(chunk.value);
    if (cum === undefined) {
      this.#protocolViolation("Malformed SHUTDOWN chunk");
      return;
    }
    const s = this.#state;
    if (s === "cookie-wait" || s === "cookie-echoed") return;
    this.#afterAck(now, this.#out.handleCumAck(now, cum, this.#paths));
    if (this.#state === "closed") return;
    if (this.#state === "established" || this.#state === "shutdown-pending") {
      this.#transition("peer-shutdown");
      if (this.#t5 === Infinity) this.#t5 = now + this.#o.shutdownTimeout;
      this.#progressShutdown(now);
    } else if (this.#state === "shutdown-sent") {
      this.#transition("peer-shutdown");
      this.#controls = this.#controls.filter((c) => c.type !== ChunkType.Shutdown);
      this.#queueShutdownAck(now);
    }
  }

  #handleShutdownAck(now: number, path: Path): void {
    const s = this.#state;
    if (s !== "shutdown-sent" && s !== "shutdown-ack-sent") return;
    const b = new PacketBuilder(this.#o.mtu, this.localPort, this.peerPort, this.#peerTag);
    b.addChunk(ChunkType.ShutdownComplete, 0, EMPTY);
    this.#final.push({ to: path.remote, bytes: b.finish() });
    void now;
    this.#close("shutdown-ack", "closed", 0, "Association closed");
  }

  #handlePeerAbort(chunk: RawChunk): void {
    const causes = decodeCauses(chunk.value) ?? [];
    const detail = causes.length > 0 ? describeCauses(causes) : "Aborted by the peer";
    const reason = this.#state === "cookie-wait" || this.#state === "cookie-echoed"
      ? "reset"
      : "peer-abort";
    this.#close("peer-abort", reason, causes[0]?.code ?? 0, detail);
  }

  #handleError(now: number, chunk: RawChunk): void {
    const causes = decodeCauses(chunk.value);
    if (causes === undefined) return;
    const stale = causes.find((c) => c.code === SctpErrorCause.StaleCookie);
    if (stale !== undefined && this.#state === "cookie-echoed") {
      // RFC 9260 5.2.6: start over with a fresh INIT (counts against the INIT retransmissions).
      this.#transition("stale-cookie");
      this.#peerTag = 0;
      this.#tracker = undefined;
      this.#t1Chunk = {
        path: this.#primary,
        type: ChunkType.Init,
        flags: 0,
        value: initValue(this.#ctx, this.#localTag, this.#localTsn),
      };
      this.#controls = [this.#t1Chunk];
      this.#t1Count++;
      if (this.#t1Count > this.#o.maxInitRetransmissions) {
        this.#close("timeout", "timeout", SctpErrorCause.StaleCookie, "Cookie stale repeatedly");
        return;
      }
      this.#t1 = now + this.#primary.rto;
      return;
    }
    this.#events.push({
      type: "peer-error",
      assoc: this.id,
      causes: causes.map((c) => ({ code: c.code, info: c.info.slice() })),
      detail: describeCauses(causes),
    });
  }

  #reportUnknown(path: Path, chunk: RawChunk): void {
    // Unrecognized Chunk Type: the whole chunk (header, value) as received, capped to fit.
    const whole = new Uint8Array(4 + chunk.value.length);
    whole[0] = chunk.type;
    whole[1] = chunk.flags;
    whole[2] = whole.length >>> 8;
    whole[3] = whole.length & 0xff;
    whole.set(chunk.value, 4);
    const info = whole.subarray(0, Math.min(whole.length, this.#o.mtu - 12 - 4 - 4 - 3));
    this.#controls.push({
      path,
      type: ChunkType.Error,
      flags: 0,
      value: encodeCauses([{ code: SctpErrorCause.UnrecognizedChunkType, info }]),
    });
  }

  #protocolViolation(detail: string): void {
    this.#sendAbort([{ code: SctpErrorCause.ProtocolViolation, info: TEXT.encode(detail) }]);
    this.#close("protocol-error", "protocol-error", SctpErrorCause.ProtocolViolation, detail);
  }

  /** Queues an ABORT to the peer (nothing in COOKIE-WAIT: the peer has no state). */
  #sendAbort(causes: SctpCause[]): void {
    if (this.#state === "cookie-wait" && this.#peerTag === 0) return;
    const b = new PacketBuilder(this.#o.mtu, this.localPort, this.peerPort, this.#peerTag);
    const value = encodeCauses(causes);
    b.addChunk(ChunkType.Abort, 0, value.subarray(0, Math.min(value.length, b.room - 4)));
    this.#final.push({ to: this.#dataPath().remote, bytes: b.finish() });
  }

  #close(input: SctpInput, reason: CloseReason, cause: number, detail: string): void {
    if (!this.#transition(input)) return;
    this.#controls = [];
    this.#delivered.length = 0;
    this.#events.push({ type: "closed", assoc: this.id, reason, cause, detail });
  }

  #transition(input: SctpInput): boolean {
    const next = SCTP_TRANSITIONS[this.#state][input];
    if (next === undefined) return false;
    this.#state = next;
    return true;
  }

  #isClosed(): boolean {
    return this.#state === "closed";
  }

  #dataAllowed(): boolean {
    const s = this.#state;
    return s === "established" || s === "shutdown-pending" || s === "shutdown-received";
  }

  /** RFC 9260 8.5 and 8.5.1: the verification tag rules. */
  #tagOk(vtag: number, chunks: readonly RawChunk[]): boolean {
    const first = chunks[0]!;
    if (first.type === ChunkType.Abort || first.type === ChunkType.ShutdownComplete) {
      const t = (first.flags & T_BIT) !== 0;
      return t ? vtag === this.#peerTag && this.#peerTag !== 0 : vtag === this.#localTag;
    }
    if (first.type === ChunkType.ShutdownAck && this.#state === "cookie-echoed") {
      return vtag === this.#localTag || vtag === this.#peerTag;
    }
    return vtag === this.#localTag;
  }
}

function pad4(b: Uint8Array): Uint8Array {
  if (b.length % 4 === 0) return b;
  const out = new Uint8Array((b.length + 3) & ~3);
  out.set(b);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
