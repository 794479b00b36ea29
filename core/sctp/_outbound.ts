// The sender's side of an association (RFC 9260 sections 6.1-6.3, 7.2): messages fragmented into
// chunks, TSN assignment at first transmission, the outstanding list in TSN order, SACK
// processing (cumulative and gap acks, fast retransmit on the third miss indication), T3-rtx
// marking, congestion windows per path and the peer's receive window.

import { DATA_HEADER_BYTES, DataFlag, type SackChunk, writeData } from "./_chunks.ts";
import type { Path } from "./_path.ts";
import { tsnAdd, tsnDiff, tsnLt, tsnLte } from "./_serial.ts";
import type { PacketBuilder } from "./packet.ts";

/** One DATA chunk to send or sent. */
export interface OutChunk {
  tsn: number;
  readonly stream: number;
  readonly ssn: number;
  readonly ppid: number;
  readonly flags: number;
  readonly payload: Uint8Array;
  path: Path | undefined;
  sentAt: number;
  transmissions: number;
  /** Acknowledged by a gap block of the latest SACK. */
  acked: boolean;
  misses: number;
  retransmit: boolean;
  fastRetransmitted: boolean;
  inFlight: boolean;
}

/** What a SACK did. */
export interface SackOutcome {
  readonly cumAdvanced: boolean;
  /** Paths whose data the SACK acknowledged (their error counters reset). */
  readonly ackedPaths: readonly Path[];
  /** Bytes newly acknowledged. */
  readonly ackedBytes: number;
}

/** Options the sender needs. */
export interface OutboundOptions {
  readonly mtu: number;
  readonly maxBurst: number;
}

export class Outbound {
  #pending: OutChunk[] = [];
  #pendingHead = 0;
  #out: OutChunk[] = [];
  #outHead = 0;
  #nextTsn: number;
  #cumAck: number;
  #ssn = new Map<number, number>();
  #queued = 0;
  #flight = 0;
  #peerRwnd: number;
  #retransmits = 0;
  #fastPending = false;
  #o: OutboundOptions;
  #maxFragment: number;

  constructor(initialTsn: number, peerArwnd: number, o: OutboundOptions) {
    this.#nextTsn = initialTsn >>> 0;
    this.#cumAck = tsnAdd(initialTsn, -1);
    this.#peerRwnd = peerArwnd;
    this.#o = o;
    // A DATA chunk of the largest fragment fills a packet with only the common header.
    this.#maxFragment = o.mtu - 12 - DATA_HEADER_BYTES;
  }

  /** Bytes of messages queued or unacknowledged. */
  get queuedBytes(): number {
    return this.#queued;
  }

  /** Whether nothing is queued and nothing is unacknowledged. */
  get isEmpty(): boolean {
    return this.#pendingHead === this.#pending.length && this.#outHead === this.#out.length;
  }

  /** Chunks sent and not cumulatively acknowledged. */
  get outstandingCount(): number {
    return this.#out.length - this.#outHead;
  }

  /** Bytes in flight on all paths. */
  get flightBytes(): number {
    return this.#flight;
  }

  /** The peer's receive window as the sender estimates it. */
  get peerRwnd(): number {
    return this.#peerRwnd;
  }

  /** The next TSN to assign. */
  get nextTsn(): number {
    return this.#nextTsn;
  }

  /** The peer's cumulative TSN ack. */
  get cumulativeAck(): number {
    return this.#cumAck;
  }

  /** Sets the peer's receive window (from its INIT or INIT-ACK). */
  setPeerWindow(arwnd: number): void {
    this.#peerRwnd = Math.max(0, arwnd - this.#flight);
  }

  /** Queues a message as one or more chunks; the payload is kept (pass a copy). */
  enqueue(stream: number, ppid: number, unordered: boolean, payload: Uint8Array): void {
    let ssn = 0;
    if (!unordered) {
      ssn = this.#ssn.get(stream) ?? 0;
      this.#ssn.set(stream, (ssn + 1) & 0xffff);
    }
    const u = unordered ? DataFlag.Unordered : 0;
    const max = this.#maxFragment;
    for (let at = 0; at < payload.length; at += max) {
      const end = Math.min(payload.length, at + max);
      const flags = u | (at === 0 ? DataFlag.Begin : 0) |
        (end === payload.length ? DataFlag.End : 0);
      this.#pending.push({
        tsn: -1,
        stream,
        ssn,
        ppid,
        flags,
        payload: at === 0 && end === payload.length ? payload : payload.subarray(at, end),
        path: undefined,
        sentAt: 0,
        transmissions: 0,
        acked: false,
        misses: 0,
        retransmit: false,
        fastRetransmitted: false,
        inFlight: false,
      });
    }
    this.#queued += payload.length;
  }

  /**
   * Removes queued, never sent messages on streams at or above `streams` (the peer accepts fewer
   * streams than we asked for); returns the payloads of the messages removed.
   */
  dropStreamsFrom(streams: number): Uint8Array[] {
    const keep: OutChunk[] = [], dropped: Uint8Array[] = [];
    let part: Uint8Array[] = [];
    for (let i = this.#pendingHead; i < this.#pending.length; i++) {
      const c = this.#pending[i]!;
      if (c.stream < streams) {
        keep.push(c);
        continue;
      }
      this.#queued -= c.payload.length;
      part.push(c.payload);
      if (c.flags & DataFlag.End) {
        dropped.push(concat(part));
        part = [];
      }
    }
    this.#pending = keep;
    this.#pendingHead = 0;
    return dropped;
  }

  /** Whether {@link fill} would add a chunk for `path` now. */
  hasSendable(path: Path): boolean {
    if (this.#retransmits > 0) return this.#fastPending || path.flight < path.cwnd;
    if (this.#pendingHead === this.#pending.length || path.flight >= path.cwnd) return false;
    const c = this.#pending[this.#pendingHead]!;
    return c.payload.length <= this.#peerRwnd || this.#flight === 0;
  }

  /**
   * Adds DATA chunks to a packet for `path`: chunks marked for retransmission first (limited by
   * the congestion window, except one packet after a fast retransmit), then new chunks while the
   * congestion window and the peer's window allow (one chunk may always be in flight).
   *
   * @returns Whether a chunk was added.
   */
  fill(b: PacketBuilder, path: Path, now: number): boolean {
    let added = false;
    let lastFlags = -1;
    if (this.#retransmits > 0) {
      const exempt = this.#fastPending;
      this.#fastPending = false;
      const out = this.#out;
      for (let i = this.#outHead; i < out.length && this.#retransmits > 0; i++) {
        const c = out[i]!;
        if (!c.retransmit) continue;
        if (!exempt && path.flight >= path.cwnd) break;
        if (!b.fits(12 + c.payload.length)) break;
        lastFlags = b.length + 1;
        writeData(b, c.tsn, c.stream, c.ssn, c.ppid, c.flags, c.payload);
        c.retransmit = false;
        this.#retransmits--;
        c.transmissions++;
        c.misses = 0;
        this.#send(c, path, now);
        added = true;
      }
      if (this.#retransmits > 0) return this.#immediate(b, path, lastFlags, added);
    }
    const pending = this.#pending;
    while (this.#pendingHead < pending.length) {
      const c = pending[this.#pendingHead]!;
      if (path.flight >= path.cwnd) break;
      if (c.payload.length > this.#peerRwnd && this.#flight > 0) break;
      if (!b.fits(12 + c.payload.length)) break;
      c.tsn = this.#nextTsn;
      this.#nextTsn = tsnAdd(this.#nextTsn, 1);
      lastFlags = b.length + 1;
      writeData(b, c.tsn, c.stream, c.ssn, c.ppid, c.flags, c.payload);
      c.transmissions = 1;
      pending[this.#pendingHead++] = undefined as unknown as OutChunk;
      this.#out.push(c);
      this.#peerRwnd = Math.max(0, this.#peerRwnd - c.payload.length);
      this.#send(c, path, now);
      if (path.rttTsn < 0) {
        path.rttTsn = c.tsn;
        path.rttSentAt = now;
      }
      added = true;
    }
    if (this.#pendingHead === pending.length) {
      this.#pending = [];
      this.#pendingHead = 0;
    } else if (this.#pendingHead > 1024 && this.#pendingHead * 2 > pending.length) {
      this.#pending = pending.slice(this.#pendingHead);
      this.#pendingHead = 0;
    }
    return this.#immediate(b, path, lastFlags, added);
  }

  /**
   * Sets the I bit (RFC 7053) on the packet's last DATA chunk when the sender will send nothing
   * more for now: the queue is empty, or the congestion or receive window is full. The receiver
   * then SACKs at once instead of after its delayed-SACK timer, which would otherwise stall a
   * window-limited sender (and inflate RTT samples) until the timer or T3-rtx fires.
   */
  #immediate(b: PacketBuilder, path: Path, flagsAt: number, added: boolean): boolean {
    if (flagsAt < 0) return added;
    const idle = this.#pendingHead === this.#pending.length && this.#retransmits === 0;
    if (idle || path.flight >= path.cwnd || this.#peerRwnd === 0) {
      b.bytes[flagsAt] = b.bytes[flagsAt]! | DataFlag.Immediate;
    }
    return added;
  }

  #send(c: OutChunk, path: Path, now: number): void {
    path.lastDataAt = now;
    c.path = path;
    c.sentAt = now;
    c.inFlight = true;
    path.flight += c.payload.length;
    this.#flight += c.payload.length;
    if (path.t3 === Infinity) path.t3 = now + path.rto;
  }

  #unflight(c: OutChunk): void {
    if (!c.inFlight) return;
    c.inFlight = false;
    c.path!.flight -= c.payload.length;
    this.#flight -= c.payload.length;
  }

  /**
   * Processes a SACK (RFC 9260 6.2.1, 7.2). Returns `"stale"` for a SACK older than one already
   * seen and `"violation"` when it acknowledges a TSN never sent.
   */
  handleSack(
    now: number,
    sack: SackChunk,
    paths: readonly Path[],
    onRtt: (path: Path, rtt: number) => void,
    withGaps = true,
  ): SackOutcome | "stale" | "violation" {
    const cum = sack.cumTsn;
    if (tsnLt(cum, this.#cumAck)) return "stale";
    if (!tsnLt(cum, this.#nextTsn)) return "violation";
    const cumAdvanced = tsnLt(this.#cumAck, cum);
    const flightBefore = paths.map((p) => p.flight);
    const ackedBy = new Map<Path, number>();
    let ackedBytes = 0;
    let htna = 0, haveHtna = false;
    const out = this.#out;
    let i = this.#outHead;
    for (; i < out.length; i++) {
      const c = out[i]!;
      if (!tsnLte(c.tsn, cum)) break;
      const path = c.path!;
      if (!c.acked) {
        ackedBytes += c.payload.length;
        ackedBy.set(path, (ackedBy.get(path) ?? 0) + c.payload.length);
        htna = c.tsn;
        haveHtna = true;
      }
      this.#unflight(c);
      if (c.retransmit) {
        c.retransmit = false;
        this.#retransmits--;
      }
      if (path.rttTsn === c.tsn) {
        if (c.transmissions === 1) onRtt(path, now - path.rttSentAt);
        path.rttTsn = -1;
      }
      this.#queued -= c.payload.length;
      out[i] = undefined as unknown as OutChunk;
    }
    this.#outHead = i;
    this.#cumAck = cum;
    // Gap blocks: walk the outstanding chunks and the blocks together (both ascending).
    const gaps = sack.gaps;
    const nGaps = gaps.length / 2;
    let g = 0;
    for (let j = this.#outHead; withGaps && j < out.length; j++) {
      const c = out[j]!;
      const off = tsnDiff(c.tsn, cum);
      while (g < nGaps && off > gaps[2 * g + 1]!) g++;
      const inGap = g < nGaps && off >= gaps[2 * g]!;
      if (inGap && !c.acked) {
        c.acked = true;
        ackedBytes += c.payload.length;
        ackedBy.set(c.path!, (ackedBy.get(c.path!) ?? 0) + c.payload.length);
        htna = c.tsn;
        haveHtna = true;
        this.#unflight(c);
        if (c.retransmit) {
          c.retransmit = false;
          this.#retransmits--;
        }
      } else if (!inGap && c.acked) {
        // The peer reneged on a gap ack: send it again.
        c.acked = false;
        if (!c.retransmit) {
          c.retransmit = true;
          this.#retransmits++;
        }
      }
    }
    // Fast retransmit: miss indications for chunks below the highest newly acked TSN.
    if (haveHtna) {
      for (let j = this.#outHead; j < out.length; j++) {
        const c = out[j]!;
        if (!tsnLt(c.tsn, htna)) break;
        if (c.acked || c.retransmit || c.fastRetransmitted) continue;
        if (++c.misses < 3) continue;
        c.fastRetransmitted = true;
        c.retransmit = true;
        this.#retransmits++;
        this.#unflight(c);
        this.#fastPending = true;
        const p = c.path!;
        if (p.fastRecoveryExit < 0) {
          p.ssthresh = Math.max(p.cwnd / 2, 4 * this.#o.mtu);
          p.cwnd = p.ssthresh;
          p.partialBytesAcked = 0;
          p.fastRecoveryExit = tsnAdd(this.#nextTsn, -1);
        }
      }
    }
    // Congestion windows (RFC 9260 7.2.1 slow start, 7.2.2 congestion avoidance).
    const mtu = this.#o.mtu;
    for (let k = 0; k < paths.length; k++) {
      const p = paths[k]!;
      const acked = ackedBy.get(p) ?? 0;
      if (p.fastRecoveryExit >= 0 && tsnLte(p.fastRecoveryExit, cum)) p.fastRecoveryExit = -1;
      if (acked > 0 && p.fastRecoveryExit < 0) {
        const full = flightBefore[k]! >= p.cwnd;
        if (p.cwnd <= p.ssthresh) {
          if (cumAdvanced && full) p.cwnd += Math.min(acked, mtu);
        } else {
          p.partialBytesAcked += acked;
          if (p.partialBytesAcked >= p.cwnd && full) {
            p.partialBytesAcked -= p.cwnd;
            p.cwnd += mtu;
          }
        }
      }
      if (p.flight === 0 && !this.#hasUnackedOn(p)) p.t3 = Infinity;
      else if (cumAdvanced && acked > 0) p.t3 = now + p.rto;
      const burst = p.flight + this.#o.maxBurst * mtu;
      if (p.cwnd > burst) p.cwnd = burst;
    }
    this.#peerRwnd = Math.max(0, sack.arwnd - this.#flight);
    if (this.#outHead === out.length) {
      this.#out = [];
      this.#outHead = 0;
    } else if (this.#outHead > 1024 && this.#outHead * 2 > out.length) {
      this.#out = out.slice(this.#outHead);
      this.#outHead = 0;
    }
    return { cumAdvanced, ackedPaths: [...ackedBy.keys()], ackedBytes };
  }

  #hasUnackedOn(p: Path): boolean {
    const out = this.#out;
    for (let j = this.#outHead; j < out.length; j++) {
      const c = out[j]!;
      if (c.path === p && !c.acked) return true;
    }
    return false;
  }

  /** The T3-rtx timer of `path` expired (RFC 9260 6.3.3): mark its chunks for retransmission. */
  handleT3(path: Path): void {
    const mtu = this.#o.mtu;
    path.ssthresh = Math.max(path.cwnd / 2, 4 * mtu);
    path.cwnd = mtu;
    path.partialBytesAcked = 0;
    path.fastRecoveryExit = -1;
    path.rttTsn = -1;
    path.t3 = Infinity;
    this.markForRetransmission(path);
  }

  /** Marks every unacknowledged chunk last sent to `path` (or to any path) for retransmission. */
  markForRetransmission(path?: Path): void {
    const out = this.#out;
    for (let j = this.#outHead; j < out.length; j++) {
      const c = out[j]!;
      if (c.acked || c.retransmit || (path !== undefined && c.path !== path)) continue;
      c.retransmit = true;
      this.#retransmits++;
      this.#unflight(c);
    }
  }

  /** The peer's cumulative TSN ack from a SHUTDOWN chunk (no gap blocks, window unchanged). */
  handleCumAck(
    now: number,
    cum: number,
    paths: readonly Path[],
  ): SackOutcome | "stale" | "violation" {
    return this.handleSack(
      now,
      { cumTsn: cum, arwnd: this.#peerRwnd + this.#flight, gaps: [], dups: [] },
      paths,
      () => {},
      false,
    );
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
