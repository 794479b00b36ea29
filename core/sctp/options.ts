/**
 * Options of an SCTP association and their defaults. Times are milliseconds.
 *
 * The defaults are tuned for fast failure on LANs and loopback, in the spirit of RSPLIB's
 * registrar setups, instead of RFC 9260's Internet defaults (RTO.Initial 1 s, RTO.Min 1 s,
 * RTO.Max 60 s, Association.Max.Retrans 10, Path.Max.Retrans 5, HB.interval 30 s). A path whose
 * heartbeat went unanswered is probed again after one RTO instead of a full interval (the
 * "potentially failed" probing of RFC 7829). With the defaults a silent peer of an idle
 * association is declared dead at most {@link idlePeerDeadBound} = 6.35 s after it fell silent
 * (at a loopback RTT), one with unacknowledged data {@link busyPeerDeadBound} = 3.9 s after the
 * first unanswered transmission: close to the TCP shim's 5 s.
 *
 * @module
 */

import { PPID_ASAP, PPID_ASAP_NG, PPID_ENRP, PPID_ENRP_NG } from "../wire/profile.ts";

/** Options of an SCTP association. */
export interface SctpAssociationOptions {
  /** RTO before the first RTT measurement (default 1000; RFC 9260: 1000). */
  readonly rtoInitial?: number;
  /**
   * Lower bound of the RTO (default 300; RFC 9260: 1000). Kept above `delayedAckTime`, so a
   * peer's delayed SACK does not look like a loss.
   */
  readonly rtoMin?: number;
  /** Upper bound of the RTO (default 1000; RFC 9260: 60000). */
  readonly rtoMax?: number;
  /** Consecutive retransmission timeouts or unanswered heartbeats after which the peer is dead (default 4; RFC: 10). */
  readonly maxRetransmissions?: number;
  /** Consecutive errors after which a path is inactive (default 2; RFC: 5). */
  readonly pathMaxRetransmissions?: number;
  /** INIT and COOKIE-ECHO retransmissions before the handshake fails (default 8, as RFC 9260). */
  readonly maxInitRetransmissions?: number;
  /** Heartbeat interval of an idle path, on top of its RTO (default 2000; RFC: 30000). */
  readonly heartbeatInterval?: number;
  /** Longest delay of a SACK (default 200; RFC: at most 500). */
  readonly delayedAckTime?: number;
  /** Largest SCTP packet (the UDP payload over encapsulation), 508..65507 (default 1200). */
  readonly mtu?: number;
  /**
   * Bytes the receiver buffers for reassembly and reordering (default 2 MiB; at least twice
   * `maxMessageSize`). `maxMessageSize` of it is kept for the message at the cumulative TSN, so
   * a message can always complete; the rest is the window advertised for data out of order.
   */
  readonly receiveBuffer?: number;
  /** Bytes of messages queued or unacknowledged before `send` says `buffer-full` (default 4 MiB). */
  readonly maxSendBuffer?: number;
  /**
   * Largest message sent or accepted (default 1 MiB, like the TCP shim). Messages with an
   * ASAP or ENRP PPID are at most 65535 bytes regardless.
   */
  readonly maxMessageSize?: number;
  /** Outbound streams requested (default 65535; streams cost nothing until used). */
  readonly outboundStreams?: number;
  /** Inbound streams accepted (default 65535). */
  readonly inboundStreams?: number;
  /** Lifetime of a state cookie (default 60000). */
  readonly cookieLifetime?: number;
  /** Time a graceful shutdown may take before the association is given up (default 5000). */
  readonly shutdownTimeout?: number;
  /** Most packets of new data sent in one burst (default 4, RFC 9260 Max.Burst). */
  readonly maxBurst?: number;
}

/** The defaults of {@link SctpAssociationOptions}. */
export const DEFAULT_SCTP_OPTIONS: Readonly<Required<SctpAssociationOptions>> = {
  rtoInitial: 1000,
  rtoMin: 300,
  rtoMax: 1000,
  maxRetransmissions: 4,
  pathMaxRetransmissions: 2,
  maxInitRetransmissions: 8,
  heartbeatInterval: 2000,
  delayedAckTime: 200,
  mtu: 1200,
  receiveBuffer: 2 * 1024 * 1024,
  maxSendBuffer: 4 * 1024 * 1024,
  maxMessageSize: 1024 * 1024,
  outboundStreams: 65535,
  inboundStreams: 65535,
  cookieLifetime: 60000,
  shutdownTimeout: 5000,
  maxBurst: 4,
};

/** Largest ASAP or ENRP message: their length fields are 16 bits. */
export const MAX_CONTROL_MESSAGE = 65535;

/**
 * Checks options and fills in the defaults.
 *
 * @param options The options.
 * @returns Every option, validated.
 * @throws {RangeError} When an option is out of range.
 * @example Defaults and an invalid value
 * ```ts
 * import { resolveSctpOptions } from "./options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(resolveSctpOptions({}).mtu, 1200);
 * assert.throws(() => resolveSctpOptions({ rtoMin: 5000, rtoMax: 1000 }), RangeError);
 * ```
 */
export function resolveSctpOptions(
  options: SctpAssociationOptions = {},
): Readonly<Required<SctpAssociationOptions>> {
  const o = { ...DEFAULT_SCTP_OPTIONS, ...options };
  const positive = [
    "rtoInitial",
    "rtoMin",
    "rtoMax",
    "heartbeatInterval",
    "delayedAckTime",
    "cookieLifetime",
    "shutdownTimeout",
    "maxSendBuffer",
  ] as const;
  for (const key of positive) {
    if (!(o[key] > 0) || !Number.isFinite(o[key])) {
      throw new RangeError(`Invalid ${key}: ${o[key]} is not a positive number`);
    }
  }
  const integers: [keyof SctpAssociationOptions, number, number][] = [
    ["maxRetransmissions", 0, 1000],
    ["pathMaxRetransmissions", 0, 1000],
    ["maxInitRetransmissions", 0, 1000],
    ["mtu", 508, 65507],
    ["outboundStreams", 1, 65535],
    ["inboundStreams", 1, 65535],
    ["maxBurst", 1, 1000],
    ["maxMessageSize", 1, 0x7fffffff],
    ["receiveBuffer", 1500, 0x7fffffff],
  ];
  for (const [key, min, max] of integers) {
    const v = o[key] as number;
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new RangeError(`Invalid ${key}: ${v} is not an integer in ${min}..${max}`);
    }
  }
  if (o.rtoMin > o.rtoMax) {
    throw new RangeError(`Invalid rtoMin: ${o.rtoMin} is above rtoMax ${o.rtoMax}`);
  }
  if (o.receiveBuffer < Math.max(2 * o.maxMessageSize, o.maxMessageSize + 1500)) {
    throw new RangeError(
      `Invalid receiveBuffer: ${o.receiveBuffer} is below twice maxMessageSize ${o.maxMessageSize}`,
    );
  }
  return o;
}

/**
 * The largest message accepted or sent with a PPID: 65535 for ASAP and ENRP (both profiles),
 * else `maxMessageSize`.
 *
 * @param ppid The payload protocol identifier.
 * @param maxMessageSize The association's limit for other messages.
 * @returns The limit in bytes.
 * @example ASAP versus application data
 * ```ts
 * import { messageLimit } from "./options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(messageLimit(11, 1 << 20), 65535);
 * assert.equal(messageLimit(99, 1 << 20), 1 << 20);
 * ```
 */
export function messageLimit(ppid: number, maxMessageSize: number): number {
  switch (ppid) {
    case PPID_ASAP:
    case PPID_ENRP:
    case PPID_ASAP_NG:
    case PPID_ENRP_NG:
      return Math.min(MAX_CONTROL_MESSAGE, maxMessageSize);
    default:
      return maxMessageSize;
  }
}

/**
 * The longest time from when the peer of an idle association (nothing to send) fell silent until
 * it is reported `peer-dead`: the first heartbeat goes out at most `heartbeatInterval` plus 1.5
 * RTOs (RFC 9260 jitter) after the last answer; then `maxRetransmissions + 1` unanswered probes,
 * each sent when the previous one's RTO ran out, the RTO doubling up to `rtoMax`.
 *
 * @param options The association's options.
 * @param rto The path's RTO when the peer fell silent (default `rtoMin`: a loopback RTT).
 * @returns The bound in ms.
 * @example With the defaults
 * ```ts
 * import { idlePeerDeadBound } from "./options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(idlePeerDeadBound({}), 2000 + 1.5 * 300 + (300 + 600 + 1000 + 1000 + 1000));
 * ```
 */
export function idlePeerDeadBound(options: SctpAssociationOptions, rto?: number): number {
  const o = resolveSctpOptions(options);
  const r0 = Math.min(o.rtoMax, Math.max(o.rtoMin, rto ?? o.rtoMin));
  return o.heartbeatInterval + 1.5 * r0 + busyPeerDeadBound(options, r0);
}

/**
 * The longest time from the first unacknowledged transmission to a silent peer until the
 * association reports `peer-dead`: `maxRetransmissions + 1` retransmission timeouts, the RTO
 * doubling up to `rtoMax`.
 *
 * @param options The association's options.
 * @param rto The path's RTO at the first transmission (default `rtoMin`).
 * @returns The bound in ms.
 * @example With the defaults
 * ```ts
 * import { busyPeerDeadBound } from "./options.ts";
 * import assert from "node:assert/strict";
 * assert.equal(busyPeerDeadBound({}), 300 + 600 + 1000 + 1000 + 1000);
 * ```
 */
export function busyPeerDeadBound(options: SctpAssociationOptions, rto?: number): number {
  const o = resolveSctpOptions(options);
  let r = Math.min(o.rtoMax, Math.max(o.rtoMin, rto ?? o.rtoMin));
  let t = 0;
  for (let i = 0; i <= o.maxRetransmissions; i++) {
    t += r;
    r = Math.min(o.rtoMax, 2 * r);
  }
  return t;
}
