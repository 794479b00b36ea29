// One destination transport address of the peer (RFC 9260 sections 6.3, 7.2, 8.2, 8.3): its RTO
// (RFC 6298 estimator), congestion window, bytes in flight, error counter, T3-rtx deadline and
// heartbeat state. Over UDP encapsulation the destination is an IP address plus the peer's UDP
// encapsulation port, which is updated from every authentic packet (RFC 6951 section 5.4).

import type { TransportAddress } from "../role.ts";

/** Resolved options a path needs. */
export interface PathOptions {
  readonly rtoInitial: number;
  readonly rtoMin: number;
  readonly rtoMax: number;
  readonly mtu: number;
}

export class Path {
  readonly address: string;
  /** The destination as `{ address, port }` (port = the peer's UDP port); replaced on change. */
  remote: TransportAddress;
  /** Whether the address is confirmed (the handshake's source, or a heartbeat came back). */
  confirmed: boolean;
  /** Inactive after more than Path.Max.Retrans consecutive errors. */
  active = true;
  errors = 0;
  srtt: number | undefined;
  rttvar = 0;
  rto: number;
  cwnd: number;
  ssthresh: number;
  partialBytesAcked = 0;
  /** Bytes of DATA sent to this path and neither acknowledged nor marked for retransmission. */
  flight = 0;
  /** T3-rtx deadline (Infinity = stopped). */
  t3 = Infinity;
  /** TSN whose acknowledgement will give an RTT sample, or -1 (one at a time, Karn). */
  rttTsn = -1;
  rttSentAt = 0;
  /** When the next heartbeat is due. */
  hbDue: number;
  /** When the outstanding heartbeat times out (Infinity = none outstanding). */
  hbDeadline = Infinity;
  hbNonce = 0;
  hbSentAt = 0;
  /** When DATA was last sent to this path (the path is not idle before an interval passed). */
  lastDataAt = -Infinity;
  /** An unanswered heartbeat or T3 expiry happened: probe every RTO (RFC 7829 style). */
  suspect = false;
  /** In fast recovery until this TSN is acknowledged (-1 = not in fast recovery). */
  fastRecoveryExit = -1;

  constructor(address: string, udpPort: number, confirmed: boolean, o: PathOptions, now: number) {
    this.address = address;
    this.remote = { address, port: udpPort };
    this.confirmed = confirmed;
    this.rto = o.rtoInitial;
    // RFC 9260 7.2.1: initial cwnd = min(4 * MTU, max(2 * MTU, 4380)).
    this.cwnd = Math.min(4 * o.mtu, Math.max(2 * o.mtu, 4380));
    this.ssthresh = 0x7fffffff;
    this.hbDue = now;
  }

  /** Updates the peer's UDP port for this address. */
  setUdpPort(port: number): void {
    if (port !== this.remote.port) this.remote = { address: this.address, port };
  }

  /** Takes an RTT sample (RFC 9260 6.3.1, RFC 6298 with alpha 1/8, beta 1/4). */
  sample(rtt: number, o: PathOptions): void {
    const r = Math.max(0, rtt);
    if (this.srtt === undefined) {
      this.srtt = r;
      this.rttvar = r / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
    this.rto = clamp(this.srtt + Math.max(1, 4 * this.rttvar), o.rtoMin, o.rtoMax);
  }

  /** Doubles the RTO up to RTO.Max (RFC 9260 6.3.3 E2). */
  backoff(o: PathOptions): void {
    this.rto = Math.min(o.rtoMax, this.rto * 2);
  }

  /** Resets congestion state to its initial values (association restart). */
  resetCongestion(o: PathOptions): void {
    this.cwnd = Math.min(4 * o.mtu, Math.max(2 * o.mtu, 4380));
    this.ssthresh = 0x7fffffff;
    this.partialBytesAcked = 0;
    this.flight = 0;
    this.t3 = Infinity;
    this.rttTsn = -1;
    this.fastRecoveryExit = -1;
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
