/**
 * Every timer and limit of the session layer (pool user side: `SessionLayer`; pool element
 * side: `SessionAcceptor`) in one table, with RSPLIB's value where it has one. README.md
 * "Sessions (failover with state)" renders this table (a test keeps the two in step).
 *
 * @see spec/behaviour.md section 13 (RSPLIB's session layer)
 * @module
 */

/** Which side a default belongs to. */
export type SessionDefaultSide = "PU" | "PE";

/** One row of the defaults table. */
export interface SessionDefault {
  /** Which side uses it. */
  readonly side: SessionDefaultSide;
  /** Our default. */
  readonly value: number;
  /** Unit of `value`. */
  readonly unit: "ms" | "count" | "bytes";
  /** RSPLIB's value, as text. */
  readonly rsplib: string;
  /** What it does, and why ours differs when it does. */
  readonly description: string;
}

/**
 * The defaults of the session layer, keyed by the configuration option that overrides them.
 *
 * @example Read a default
 * ```ts
 * import { SESSION_DEFAULTS } from "./session_defaults.ts";
 * import assert from "node:assert/strict";
 * assert.equal(SESSION_DEFAULTS.retryDelay.value, 250);
 * assert.equal(SESSION_DEFAULTS.connectTimeout.rsplib, "5000");
 * ```
 */
export const SESSION_DEFAULTS = {
  candidates: {
    side: "PU",
    value: 3,
    unit: "count",
    rsplib: "1",
    description:
      "Pool elements asked for per handle resolution; the first one the session does not avoid is tried, then the next (RSPLIB asks for 1 and may get the failed PE again)",
  },
  connectTimeout: {
    side: "PU",
    value: 5000,
    unit: "ms",
    rsplib: "5000",
    description: "Time for the association to a pool element to come up",
  },
  retryDelay: {
    side: "PU",
    value: 250,
    unit: "ms",
    rsplib: "250",
    description:
      "Least pause after a failed attempt (RSPLIB's handle resolution retry delay); the first attempt after losing a PE starts at once",
  },
  maxRetryDelay: {
    side: "PU",
    value: 8000,
    unit: "ms",
    rsplib: "250 (fixed)",
    description:
      "Largest pause: attempt n waits a uniform draw from [d/2, d], d = min(max, retryDelay × 2^(n-1)), and at least retryDelay",
  },
  maxAttempts: {
    side: "PU",
    value: 10,
    unit: "count",
    rsplib: "application's loop",
    description:
      "Failed attempts in a row after which the session closes (gave-up); also the associations one unacknowledged message may be lost on before it does",
  },
  avoidTime: {
    side: "PU",
    value: 30000,
    unit: "ms",
    rsplib: "none",
    description:
      "How long a session skips a pool element that failed it (the registrar may still list it until keep-alives remove it)",
  },
  ackTimeout: {
    side: "PU",
    value: 0,
    unit: "ms",
    rsplib: "none",
    description:
      "Fail over when a message sent with ack stays unacknowledged this long; 0 = off (the transport's heartbeats detect dead PEs)",
  },
  maxQueued: {
    side: "PU",
    value: 4096,
    unit: "count",
    rsplib: "none",
    description: "Messages waiting for an association plus messages unacknowledged, per session",
  },
  cookieMaxSize: {
    side: "PE",
    value: 16384,
    unit: "bytes",
    rsplib: "65536 (buffer)",
    description:
      "Largest cookie sealed or accepted (CookieCodec maxSize; at most 65527, what one ASAP Cookie message carries)",
  },
  cookieMaxAge: {
    side: "PE",
    value: 3600000,
    unit: "ms",
    rsplib: "none",
    description: "Oldest cookie accepted in a Cookie Echo (CookieCodec maxAge)",
  },
  maxSessions: {
    side: "PE",
    value: 10000,
    unit: "count",
    rsplib: "none",
    description:
      "Sessions a pool element serves at once; more are refused with an ASAP Error (Lack of Resources) and closed",
  },
} as const satisfies Record<string, SessionDefault>;
