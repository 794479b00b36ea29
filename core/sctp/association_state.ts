/**
 * The states of an SCTP association (RFC 9260 section 4) and the transitions between them, as
 * data.
 *
 * ```text
 *  cookie-wait --init-ack--> cookie-echoed --cookie-ack--> established
 *  (a listener creates its association from a valid COOKIE-ECHO directly in established)
 *  established --shutdown--> shutdown-pending --all-acked--> shutdown-sent --shutdown-ack--> closed
 *  established --peer-shutdown--> shutdown-received --all-acked--> shutdown-ack-sent
 *  shutdown-ack-sent --shutdown-complete--> closed
 *  any state --abort, peer-abort, peer-dead, timeout, protocol-error--> closed
 * ```
 *
 * @module
 */

/** The state of an SCTP association. */
export type SctpState =
  | "cookie-wait"
  | "cookie-echoed"
  | "established"
  | "shutdown-pending"
  | "shutdown-sent"
  | "shutdown-received"
  | "shutdown-ack-sent"
  | "closed";

/**
 * What moves an association between states.
 *
 * - `init-ack`: a valid INIT-ACK arrived (we sent COOKIE-ECHO).
 * - `cookie-ack`: the COOKIE-ACK arrived, or the peer's COOKIE-ECHO resolved an INIT collision.
 * - `shutdown`: the local side closes gracefully.
 * - `all-acked`: everything sent was acknowledged while shutting down.
 * - `peer-shutdown`: the peer's SHUTDOWN arrived.
 * - `shutdown-ack`: the peer's SHUTDOWN-ACK arrived.
 * - `shutdown-complete`: the peer's SHUTDOWN-COMPLETE arrived.
 * - `stale-cookie`: the peer found our cookie stale; the handshake starts over.
 * - `abort`, `peer-abort`, `peer-dead`, `timeout`, `protocol-error`: the association ends.
 */
export type SctpInput =
  | "init-ack"
  | "cookie-ack"
  | "shutdown"
  | "all-acked"
  | "peer-shutdown"
  | "shutdown-ack"
  | "shutdown-complete"
  | "stale-cookie"
  | "abort"
  | "peer-abort"
  | "peer-dead"
  | "timeout"
  | "protocol-error";

const ENDS = {
  abort: "closed",
  "peer-abort": "closed",
  "peer-dead": "closed",
  timeout: "closed",
  "protocol-error": "closed",
} as const;

/**
 * The transition table: for each state, the inputs it accepts and the state each leads to. An
 * input missing from a state's row does not change the state.
 *
 * @example Look up transitions
 * ```ts
 * import { SCTP_TRANSITIONS } from "./association_state.ts";
 * import assert from "node:assert/strict";
 * assert.equal(SCTP_TRANSITIONS["cookie-echoed"]["cookie-ack"], "established");
 * assert.equal(SCTP_TRANSITIONS["shutdown-sent"]["peer-shutdown"], "shutdown-ack-sent");
 * assert.equal(SCTP_TRANSITIONS.closed.abort, undefined);
 * ```
 */
export const SCTP_TRANSITIONS: Readonly<
  Record<SctpState, Readonly<Partial<Record<SctpInput, SctpState>>>>
> = {
  "cookie-wait": { "init-ack": "cookie-echoed", "cookie-ack": "established", ...ENDS },
  "cookie-echoed": { "cookie-ack": "established", "stale-cookie": "cookie-wait", ...ENDS },
  established: {
    shutdown: "shutdown-pending",
    "peer-shutdown": "shutdown-received",
    ...ENDS,
  },
  "shutdown-pending": {
    "all-acked": "shutdown-sent",
    "peer-shutdown": "shutdown-received",
    ...ENDS,
  },
  "shutdown-sent": {
    "peer-shutdown": "shutdown-ack-sent",
    "shutdown-ack": "closed",
    ...ENDS,
  },
  "shutdown-received": { "all-acked": "shutdown-ack-sent", ...ENDS },
  "shutdown-ack-sent": {
    "shutdown-complete": "closed",
    "shutdown-ack": "closed",
    ...ENDS,
  },
  closed: {},
};
