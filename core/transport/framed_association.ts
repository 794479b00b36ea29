/**
 * One association over a TCP (or MPTCP) connection: the framing shim's state machine.
 *
 * @module
 */

import { AbortCause, abortCauseName } from "./abort_cause.ts";
import {
  ASSOCIATION_TRANSITIONS,
  type AssociationInput,
  type AssociationState,
} from "./association_state.ts";
import {
  checkMaxPayload,
  decodeAbort,
  decodeHello,
  DEFAULT_MAX_PAYLOAD,
  encodeAbort,
  encodeFrame,
  encodeFrameInto,
  encodeHello,
  type Frame,
  FRAME_HEADER_BYTES,
  type FrameError,
  FrameType,
  HEARTBEAT_PAYLOAD_BYTES,
  MIN_MAX_PAYLOAD,
  readU32,
  SHIM_VERSION,
} from "./frame.ts";
import { FrameDecoder } from "./frame_decoder.ts";

/** Limits and timers of a framed association. Times are milliseconds. */
export interface FramedAssociationOptions {
  /** Largest DATA payload accepted from the peer, announced in HELLO (default 1 MiB). */
  readonly maxPayload?: number;
  /**
   * Bytes of DATA frames that may wait in the send queue (default 4 MiB). A `send()` that would
   * exceed it returns `"buffer-full"`; a frame into an empty queue is always accepted.
   */
  readonly maxSendBuffer?: number;
  /** Silence (no byte received) after which a HEARTBEAT is sent (default 2000). */
  readonly heartbeatInterval?: number;
  /** Time after a HEARTBEAT within which some byte must arrive, else the peer is dead (default 3000). */
  readonly heartbeatTimeout?: number;
  /** Time from the start within which the peer's HELLO must arrive (default 5000). */
  readonly handshakeTimeout?: number;
  /** Time within which a started frame must complete (default 30000). */
  readonly frameTimeout?: number;
  /** Time without a DATA frame in either direction after which the association is aborted (0 = never, the default). */
  readonly idleTimeout?: number;
  /** Time a graceful close may take before the association is given up (default 5000). */
  readonly closeTimeout?: number;
}

/** The defaults of {@link FramedAssociationOptions}. */
export const DEFAULT_ASSOCIATION_OPTIONS: Readonly<Required<FramedAssociationOptions>> = {
  maxPayload: DEFAULT_MAX_PAYLOAD,
  maxSendBuffer: 4 * 1024 * 1024,
  heartbeatInterval: 2000,
  heartbeatTimeout: 3000,
  handshakeTimeout: 5000,
  frameTimeout: 30000,
  idleTimeout: 0,
  closeTimeout: 5000,
};

/**
 * Why an association ended.
 *
 * - `closed`: an orderly close (FIN at a frame boundary), by either side.
 * - `reset`: the connection was reset or failed under the association.
 * - `peer-dead`: no byte arrived within the heartbeat timeout after a HEARTBEAT.
 * - `timeout`: the handshake, a started frame, an idle period or a graceful close took too long.
 * - `protocol-error`: the peer broke the shim's rules; an ABORT naming the problem was sent.
 * - `peer-abort`: the peer sent an ABORT.
 * - `aborted`: the local side aborted (by request).
 */
export type CloseReason =
  | "closed"
  | "reset"
  | "peer-dead"
  | "timeout"
  | "protocol-error"
  | "peer-abort"
  | "aborted";

/** What a framed association reports. */
export type AssociationEvent =
  | {
    /** The peer's HELLO arrived: the association is up. */
    readonly type: "established";
    /** The shim version in use (the lower of both sides'). */
    readonly version: number;
    /** The largest DATA payload the peer accepts. */
    readonly peerMaxPayload: number;
  }
  | {
    /** A DATA frame: one message. */
    readonly type: "message";
    /** Its payload protocol identifier. */
    readonly ppid: number;
    /** Its stream number. */
    readonly stream: number;
    /** The message; may be a view into a received chunk. */
    readonly payload: Uint8Array;
  }
  | {
    /** A send refused with "buffer-full" may be retried: the queue drained to half. */
    readonly type: "writable";
  }
  | {
    /** A HEARTBEAT-ACK gave a round-trip time sample. */
    readonly type: "rtt";
    /** This sample, in ms. */
    readonly rtt: number;
    /** The smoothed round-trip time (RFC 6298), in ms. */
    readonly srtt: number;
    /** The round-trip time variation (RFC 6298), in ms. */
    readonly rttvar: number;
  }
  | {
    /** The association ended; this is its last event. */
    readonly type: "closed";
    /** Why. */
    readonly reason: CloseReason;
    /** The ABORT cause sent or received (0 when none applies). */
    readonly cause: number;
    /** A human-readable explanation (for `peer-abort`, the peer's reason). */
    readonly detail: string;
  };

/**
 * The outcome of {@link FramedAssociation.send}.
 *
 * - `ok`: queued.
 * - `buffer-full`: the send queue is at `maxSendBuffer`; a `writable` event follows when it drains.
 * - `too-large`: larger than the peer accepts (or than 65535 bytes before the peer's HELLO).
 * - `closed`: the association is closing or closed.
 */
export type SendResult = "ok" | "buffer-full" | "too-large" | "closed";

/** Output is written in pieces of at most this many bytes when frames are coalesced. */
const COALESCE_LIMIT = 64 * 1024;

/**
 * The framing shim for one connection, sans-IO (after quinn-proto's `Connection`).
 *
 * Inputs: {@link handleBytes} (bytes read from the connection), {@link handleEnd} (the peer's
 * FIN), {@link handleReset} (the connection failed), {@link handleTimeout} (the clock), and the
 * commands {@link send}, {@link close} and {@link abort}. Outputs: {@link pollOutput} (bytes to
 * write, in order), {@link outputEnded} (write a FIN now), {@link pollEvent} and
 * {@link pollTimeout}. After every input or command, drain `pollEvent()` and `pollOutput()`
 * until both return `undefined` (polling output can raise a `writable` event), then re-arm the
 * timer from `pollTimeout()`. `now` is monotonic milliseconds and never goes backwards;
 * `handleTimeout` is harmless to call early or twice.
 *
 * Rules (README, "TCP and MPTCP framing shim"): each side sends HELLO first and may pipeline
 * DATA of up to 65535 bytes behind it; the first frame received must be HELLO (or ABORT).
 * Any received byte proves the peer alive. After `heartbeatInterval` without a received byte a
 * HEARTBEAT is sent (at most one outstanding); if no byte arrives within `heartbeatTimeout`
 * after it, the peer is dead. Right after the handshake one HEARTBEAT is sent to get a first
 * round-trip time. Protocol errors and timeouts send an ABORT with a cause and a reason.
 *
 * @example Two associations talking through a virtual wire
 * ```ts
 * import { FramedAssociation } from "./framed_association.ts";
 * import assert from "node:assert/strict";
 * const a = new FramedAssociation(0), b = new FramedAssociation(0);
 * const pump = (from: FramedAssociation, to: FramedAssociation) => {
 *   for (let out; (out = from.pollOutput()) !== undefined;) to.handleBytes(1, out);
 * };
 * a.send(0, 11, 0, new Uint8Array([1, 2, 3, 4]));
 * pump(a, b);
 * pump(b, a);
 * assert.equal(b.pollEvent()?.type, "established");
 * const m = b.pollEvent();
 * assert.equal(m?.type, "message");
 * if (m?.type === "message") assert.equal(m.ppid, 11);
 * ```
 */
export class FramedAssociation {
  #state: AssociationState = "handshake";
  #maxPayload: number;
  #maxSendBuffer: number;
  #heartbeatInterval: number;
  #heartbeatTimeout: number;
  #handshakeTimeout: number;
  #frameTimeout: number;
  #idleTimeout: number;
  #closeTimeout: number;
  #decoder: FrameDecoder;

  #startedAt: number;
  #lastReceivedAt: number;
  #lastMessageAt: number;
  #partialSince = -1;
  #closingSince = -1;

  #helloReceived = false;
  #version = SHIM_VERSION;
  #peerMaxPayload = MIN_MAX_PAYLOAD;

  #hello: Uint8Array | undefined;
  #abortFrame: Uint8Array | undefined;
  #heartbeat: Uint8Array | undefined;
  #ackPayload: Uint8Array | undefined;
  #data: Uint8Array[] = [];
  #dataHead = 0;
  #queuedBytes = 0;
  #blocked = false;
  #wantEnd = false;

  #probeSeq = 0;
  #probeSentAt = -1;
  #awaitingLiveness = false;
  #srtt: number | undefined;
  #rttvar = 0;

  #events: AssociationEvent[] = [];
  #eventHead = 0;

  /**
   * Starts an association on a connection that just opened (either side): queues our HELLO and
   * starts the handshake timer.
   *
   * @param now The current time (ms, monotonic).
   * @param options Limits and timers; see {@link DEFAULT_ASSOCIATION_OPTIONS}.
   */
  constructor(now: number, options: FramedAssociationOptions = {}) {
    const o = { ...DEFAULT_ASSOCIATION_OPTIONS, ...options };
    checkMaxPayload(o.maxPayload);
    for (
      const key of [
        "maxSendBuffer",
        "heartbeatInterval",
        "heartbeatTimeout",
        "handshakeTimeout",
        "frameTimeout",
        "closeTimeout",
      ] as const
    ) {
      if (!(o[key] > 0)) throw new RangeError(`Invalid ${key}: ${o[key]} is not a positive number`);
    }
    if (!(o.idleTimeout >= 0)) {
      throw new RangeError(`Invalid idleTimeout: ${o.idleTimeout} is not 0 or a positive number`);
    }
    this.#maxPayload = o.maxPayload;
    this.#maxSendBuffer = o.maxSendBuffer;
    this.#heartbeatInterval = o.heartbeatInterval;
    this.#heartbeatTimeout = o.heartbeatTimeout;
    this.#handshakeTimeout = o.handshakeTimeout;
    this.#frameTimeout = o.frameTimeout;
    this.#idleTimeout = o.idleTimeout;
    this.#closeTimeout = o.closeTimeout;
    this.#decoder = new FrameDecoder({ maxPayload: o.maxPayload });
    this.#startedAt = now;
    this.#lastReceivedAt = now;
    this.#lastMessageAt = now;
    this.#hello = encodeHello(o.maxPayload);
  }

  /** The current state. */
  get state(): AssociationState {
    return this.#state;
  }

  /** The largest DATA payload the peer accepts (65535 until its HELLO arrives). */
  get peerMaxPayload(): number {
    return this.#peerMaxPayload;
  }

  /** The shim version in use. */
  get version(): number {
    return this.#version;
  }

  /** The smoothed round-trip time in ms (RFC 6298), or `undefined` before the first sample. */
  get srtt(): number | undefined {
    return this.#srtt;
  }

  /** The round-trip time variation in ms (RFC 6298). */
  get rttvar(): number {
    return this.#rttvar;
  }

  /** Bytes of DATA frames queued and not yet taken by {@link pollOutput}. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Bytes held for a partly received frame. */
  get bufferedBytes(): number {
    return this.#decoder.bufferedBytes;
  }

  /**
   * True once all output has been polled and the write side should be shut (FIN). Stays true.
   */
  get outputEnded(): boolean {
    return this.#wantEnd && !this.#hasOutput();
  }

  /**
   * Feeds bytes read from the connection. Peer misbehaviour becomes a `closed` event (and an
   * ABORT in the output), never an exception.
   *
   * @param now The current time.
   * @param bytes The bytes read; the association may keep views into them (do not reuse them).
   */
  handleBytes(now: number, bytes: Uint8Array): void {
    if (this.#state === "closed" || bytes.length === 0) return;
    this.#lastReceivedAt = now;
    this.#awaitingLiveness = false;
    const decoder = this.#decoder;
    decoder.push(bytes);
    let completed = false;
    for (;;) {
      const r = decoder.next();
      if (r.kind === "need-more") break;
      if (r.kind === "malformed") {
        this.#protocolError(r.error.cause, r.error.message);
        return;
      }
      completed = true;
      if (!this.#handleFrame(now, r.frame)) return;
    }
    if (!decoder.inFrame) this.#partialSince = -1;
    else if (completed || this.#partialSince < 0) this.#partialSince = now;
  }

  /**
   * Reports the peer's FIN: it will send nothing more. A FIN inside a frame is a protocol error.
   *
   * @param _now The current time.
   */
  handleEnd(_now: number): void {
    if (this.#state === "closed") return;
    if (this.#decoder.inFrame) {
      this.#protocolError(
        AbortCause.InvalidFrameLength,
        `Connection closed by the peer inside a frame (${this.#decoder.bufferedBytes} bytes of it received)`,
      );
      return;
    }
    const detail = this.#state === "closing"
      ? "Association closed"
      : this.#state === "handshake"
      ? "Connection closed by the peer before its HELLO"
      : "Association closed by the peer";
    this.#wantEnd = true;
    this.#finish("end", "closed", 0, detail);
  }

  /**
   * Reports that the connection was reset or failed: nothing more can be written.
   *
   * @param _now The current time.
   * @param detail What happened (for the `closed` event).
   */
  handleReset(_now: number, detail: string): void {
    if (this.#state === "closed") return;
    this.#discardOutput();
    this.#wantEnd = true;
    this.#finish("reset", "reset", 0, detail);
  }

  /**
   * Runs the timers: handshake, started-frame, idle, close and heartbeat.
   *
   * @param now The current time.
   */
  handleTimeout(now: number): void {
    const state = this.#state;
    if (state === "closed") return;
    if (state === "handshake" && now >= this.#startedAt + this.#handshakeTimeout) {
      this.#abortWith(
        "timeout",
        AbortCause.Timeout,
        `Handshake timeout: no HELLO from the peer within ${this.#handshakeTimeout} ms`,
      );
      return;
    }
    if (this.#partialSince >= 0 && now >= this.#partialSince + this.#frameTimeout) {
      this.#abortWith(
        "timeout",
        AbortCause.Timeout,
        `Frame timeout: a frame started ${
          now - this.#partialSince
        } ms ago is incomplete (${this.#decoder.bufferedBytes} bytes received)`,
      );
      return;
    }
    if (state === "closing") {
      if (now >= this.#closingSince + this.#closeTimeout) {
        this.#discardOutput();
        this.#finish(
          "close-timeout",
          "timeout",
          AbortCause.Timeout,
          `Close timeout: the peer did not finish within ${this.#closeTimeout} ms`,
        );
      }
      return;
    }
    if (state !== "established") return;
    if (this.#idleTimeout > 0 && now >= this.#lastMessageAt + this.#idleTimeout) {
      this.#abortWith(
        "timeout",
        AbortCause.Timeout,
        `Idle timeout: no message for ${this.#idleTimeout} ms`,
      );
      return;
    }
    if (this.#awaitingLiveness) {
      if (now >= this.#probeSentAt + this.#heartbeatTimeout) {
        this.#abortWith(
          "peer-dead",
          AbortCause.HeartbeatTimeout,
          `Peer dead: nothing received within ${this.#heartbeatTimeout} ms after a HEARTBEAT`,
        );
      }
      return;
    }
    if (now >= this.#lastReceivedAt + this.#heartbeatInterval) this.#sendProbe(now);
  }

  /**
   * The earliest time at which {@link handleTimeout} has work, or `undefined` (no timer).
   *
   * @returns A deadline in ms, or `undefined`.
   */
  pollTimeout(): number | undefined {
    const state = this.#state;
    if (state === "closed") return undefined;
    let at = Infinity;
    if (state === "handshake") at = this.#startedAt + this.#handshakeTimeout;
    if (this.#partialSince >= 0) at = Math.min(at, this.#partialSince + this.#frameTimeout);
    if (state === "closing") at = Math.min(at, this.#closingSince + this.#closeTimeout);
    if (state === "established") {
      if (this.#idleTimeout > 0) at = Math.min(at, this.#lastMessageAt + this.#idleTimeout);
      at = Math.min(
        at,
        this.#awaitingLiveness
          ? this.#probeSentAt + this.#heartbeatTimeout
          : this.#lastReceivedAt + this.#heartbeatInterval,
      );
    }
    return at === Infinity ? undefined : at;
  }

  /**
   * Queues one message. Messages are sent in order, each in one DATA frame. The payload is
   * copied, so the caller may reuse its buffer.
   *
   * @param now The current time.
   * @param ppid The payload protocol identifier (0..0xffffffff).
   * @param stream The stream number (0..65535).
   * @param payload The message (at least 1 byte).
   * @returns `"ok"`, `"buffer-full"`, `"too-large"` or `"closed"`; throws RangeError on invalid arguments.
   */
  send(now: number, ppid: number, stream: number, payload: Uint8Array): SendResult {
    if (!Number.isInteger(ppid) || ppid < 0 || ppid > 0xffffffff) {
      throw new RangeError(`Cannot send: PPID ${ppid} is not an integer in 0..0xffffffff`);
    }
    if (!Number.isInteger(stream) || stream < 0 || stream > 0xffff) {
      throw new RangeError(`Cannot send: stream ${stream} is not an integer in 0..65535`);
    }
    if (payload.length === 0) throw new RangeError("Cannot send: the message is empty");
    if (this.#state === "closing" || this.#state === "closed") return "closed";
    if (payload.length > this.#peerMaxPayload) return "too-large";
    const size = FRAME_HEADER_BYTES + payload.length;
    if (this.#queuedBytes > 0 && this.#queuedBytes + size > this.#maxSendBuffer) {
      this.#blocked = true;
      return "buffer-full";
    }
    const frame = new Uint8Array(size);
    encodeFrameInto(frame, 0, FrameType.Data, stream, ppid, payload);
    this.#data.push(frame);
    this.#queuedBytes += size;
    this.#lastMessageAt = now;
    return "ok";
  }

  /**
   * Closes gracefully: no more sends; queued messages are written, then a FIN; messages from
   * the peer are still delivered until its FIN (or `closeTimeout`).
   *
   * @param now The current time.
   */
  close(now: number): void {
    if (!this.#transition("close")) return;
    this.#closingSince = now;
    this.#wantEnd = true;
    this.#heartbeat = undefined;
  }

  /**
   * Aborts: queued messages are dropped, an ABORT with cause User Abort and `reason` is sent,
   * then a FIN. The association reports `closed` with reason `aborted`.
   *
   * @param _now The current time.
   * @param reason Why (sent to the peer).
   */
  abort(_now: number, reason: string): void {
    this.#abortWith("aborted", AbortCause.UserAbort, reason);
  }

  /**
   * The next event, or `undefined`.
   *
   * @returns The event.
   */
  pollEvent(): AssociationEvent | undefined {
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
   * The next bytes to write, or `undefined`. Control frames go before queued DATA frames; small
   * frames are coalesced into pieces of up to 64 KiB.
   *
   * @returns Bytes owned by the caller.
   */
  pollOutput(): Uint8Array | undefined {
    const parts: Uint8Array[] = [];
    let total = 0;
    const take = (frame: Uint8Array | undefined): void => {
      if (frame !== undefined) {
        parts.push(frame);
        total += frame.length;
      }
    };
    take(this.#hello);
    this.#hello = undefined;
    take(this.#abortFrame);
    this.#abortFrame = undefined;
    if (this.#ackPayload !== undefined) {
      take(encodeFrame(FrameType.HeartbeatAck, 0, 0, this.#ackPayload));
      this.#ackPayload = undefined;
    }
    take(this.#heartbeat);
    this.#heartbeat = undefined;
    const data = this.#data;
    while (this.#dataHead < data.length) {
      const frame = data[this.#dataHead]!;
      if (total > 0 && total + frame.length > COALESCE_LIMIT) break;
      data[this.#dataHead++] = EMPTY;
      this.#queuedBytes -= frame.length;
      take(frame);
    }
    if (this.#dataHead === data.length && this.#dataHead > 0) {
      this.#data = [];
      this.#dataHead = 0;
    } else if (this.#dataHead > 1024 && this.#dataHead * 2 > data.length) {
      this.#data = data.slice(this.#dataHead);
      this.#dataHead = 0;
    }
    if (this.#blocked && this.#queuedBytes <= this.#maxSendBuffer / 2) {
      this.#blocked = false;
      if (this.#state !== "closed" && this.#state !== "closing") {
        this.#events.push({ type: "writable" });
      }
    }
    if (parts.length <= 1) return parts[0];
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  #hasOutput(): boolean {
    return this.#hello !== undefined || this.#abortFrame !== undefined ||
      this.#ackPayload !== undefined || this.#heartbeat !== undefined ||
      this.#dataHead < this.#data.length;
  }

  /** Handles one frame; returns false once the association is closed. */
  #handleFrame(now: number, frame: Frame): boolean {
    const type = frame.type;
    if (type === FrameType.Abort) {
      const info = decodeAbort(frame.payload);
      this.#discardOutput();
      this.#wantEnd = true;
      this.#finish(
        "peer-abort",
        "peer-abort",
        info.cause,
        info.reason === "" ? abortCauseName(info.cause) : info.reason,
      );
      return false;
    }
    if (!this.#helloReceived) {
      if (type !== FrameType.Hello) {
        this.#protocolError(
          AbortCause.HandshakeFailure,
          `Handshake failure: expected HELLO as the first frame, got ${frameName(type)}`,
        );
        return false;
      }
      const hello = decodeHello(frame.payload);
      if ("kind" in hello) {
        this.#protocolError((hello as FrameError).cause, (hello as FrameError).message);
        return false;
      }
      this.#helloReceived = true;
      this.#version = Math.min(SHIM_VERSION, hello.version);
      this.#peerMaxPayload = hello.maxPayload;
      this.#transition("hello"); // no change when closing before the peer's HELLO arrived
      this.#lastMessageAt = now;
      this.#events.push({
        type: "established",
        version: this.#version,
        peerMaxPayload: hello.maxPayload,
      });
      if (this.#state !== "established") return true;
      this.#sendProbe(now);
      this.#awaitingLiveness = false; // the first probe measures the RTT; silence rules start later
      return true;
    }
    switch (type) {
      case FrameType.Data:
        this.#lastMessageAt = now;
        this.#events.push({
          type: "message",
          ppid: frame.ppid,
          stream: frame.stream,
          payload: frame.payload,
        });
        return true;
      case FrameType.Heartbeat:
        if (!this.#wantEnd) this.#ackPayload = frame.payload.slice();
        return true;
      case FrameType.HeartbeatAck:
        this.#handleAck(now, frame.payload);
        return true;
      case FrameType.Hello:
        this.#protocolError(AbortCause.HandshakeFailure, "Handshake failure: a second HELLO");
        return false;
    }
    return true;
  }

  #sendProbe(now: number): void {
    if (this.#wantEnd) return;
    this.#probeSeq = (this.#probeSeq + 1) >>> 0;
    const payload = new Uint8Array(HEARTBEAT_PAYLOAD_BYTES);
    payload[0] = this.#probeSeq >>> 24;
    payload[1] = (this.#probeSeq >>> 16) & 0xff;
    payload[2] = (this.#probeSeq >>> 8) & 0xff;
    payload[3] = this.#probeSeq & 0xff;
    this.#heartbeat = encodeFrame(FrameType.Heartbeat, 0, 0, payload);
    this.#probeSentAt = now;
    this.#awaitingLiveness = true;
  }

  #handleAck(now: number, payload: Uint8Array): void {
    if (this.#probeSentAt < 0 || readU32(payload, 0) !== this.#probeSeq) return;
    const rtt = Math.max(0, now - this.#probeSentAt);
    this.#probeSentAt = -1;
    if (this.#srtt === undefined) {
      this.#srtt = rtt;
      this.#rttvar = rtt / 2;
    } else {
      this.#rttvar = 0.75 * this.#rttvar + 0.25 * Math.abs(this.#srtt - rtt);
      this.#srtt = 0.875 * this.#srtt + 0.125 * rtt;
    }
    this.#events.push({ type: "rtt", rtt, srtt: this.#srtt, rttvar: this.#rttvar });
  }

  #protocolError(cause: number, message: string): void {
    this.#abortWith("protocol-error", cause, message);
  }

  #abortWith(reason: CloseReason, cause: number, detail: string): void {
    if (this.#state === "closed") return;
    this.#discardOutput();
    this.#abortFrame = encodeAbort(cause, detail);
    this.#wantEnd = true;
    this.#finish("abort", reason, cause, detail);
  }

  #discardOutput(): void {
    this.#hello = undefined;
    this.#heartbeat = undefined;
    this.#ackPayload = undefined;
    this.#data = [];
    this.#dataHead = 0;
    this.#queuedBytes = 0;
    this.#blocked = false;
  }

  #finish(input: AssociationInput, reason: CloseReason, cause: number, detail: string): void {
    if (!this.#transition(input)) return;
    this.#partialSince = -1;
    this.#awaitingLiveness = false;
    this.#events.push({ type: "closed", reason, cause, detail });
  }

  #transition(input: AssociationInput): boolean {
    const next = ASSOCIATION_TRANSITIONS[this.#state][input];
    if (next === undefined) return false;
    this.#state = next;
    return true;
  }
}

const EMPTY = new Uint8Array(0);

function frameName(type: number): string {
  switch (type) {
    case FrameType.Data:
      return "DATA";
    case FrameType.Heartbeat:
      return "HEARTBEAT";
    case FrameType.HeartbeatAck:
      return "HEARTBEAT-ACK";
    case FrameType.Abort:
      return "ABORT";
    case FrameType.Hello:
      return "HELLO";
    default:
      return `type 0x${type.toString(16).padStart(2, "0")}`;
  }
}
