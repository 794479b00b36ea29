/**
 * The states of a pool user's session and the transitions between them, as data.
 *
 * ```text
 *            open
 *              |
 *              v          resolve-failed, connect-failed
 *   +----> resolving -----------------------------------+
 *   |          | resolved                               |
 *   |          v               next-candidate           v
 *   |      connecting <----------------------+      waiting --give-up--> closed
 *   |          |   |                          |        |
 *   |          |   +--------------------------+        | retry
 *   |          | connected                              |
 *   |          v                                        |
 *   |     established --rejected--> closed              |
 *   |          |                                        |
 *   +---lost---+  (failing over: report the PE unreachable, pick another)
 *   resolving <---------------------------------------- +
 *
 *   any state but closed --close--> closing (established) or closed (otherwise)
 *   closing --closed--> closed
 * ```
 *
 * A session is *failing over* while it is in `resolving`, `connecting` or `waiting` after it
 * has been `established` once: the next `connected` completes the failover.
 *
 * @module
 */

/**
 * The state of a session.
 *
 * - `resolving`: asking the pool user (its cache, or a registrar) for pool elements.
 * - `connecting`: an association to the chosen pool element is being opened.
 * - `established`: the association is up; data and the ASAP control channel flow.
 * - `waiting`: an attempt failed; the next one starts after a backoff.
 * - `closing`: the application closed the session; queued data is being delivered.
 * - `closed`: over; see the `session-closed` event for why.
 */
export type SessionState =
  | "resolving"
  | "connecting"
  | "established"
  | "waiting"
  | "closing"
  | "closed";

/** What moves a session between states. */
export type SessionInput =
  | "resolved"
  | "resolve-failed"
  | "connected"
  | "connect-failed"
  | "next-candidate"
  | "lost"
  | "rejected"
  | "retry"
  | "give-up"
  | "close"
  | "closed";

/**
 * The transition table: for each state, the inputs it accepts and where they lead. An input
 * missing from a state's row is not valid there (the session ignores it).
 *
 * @example Look up transitions
 * ```ts
 * import { SESSION_TRANSITIONS } from "./session_state.ts";
 * import assert from "node:assert/strict";
 * assert.equal(SESSION_TRANSITIONS.established.lost, "resolving");
 * assert.equal(SESSION_TRANSITIONS.waiting.retry, "resolving");
 * assert.equal(SESSION_TRANSITIONS.closed.close, undefined);
 * ```
 */
export const SESSION_TRANSITIONS: Readonly<
  Record<SessionState, Readonly<Partial<Record<SessionInput, SessionState>>>>
> = {
  resolving: {
    resolved: "connecting",
    "resolve-failed": "waiting",
    "give-up": "closed",
    close: "closed",
  },
  connecting: {
    connected: "established",
    "next-candidate": "connecting",
    "connect-failed": "waiting",
    "give-up": "closed",
    close: "closed",
  },
  established: {
    lost: "resolving",
    rejected: "closed",
    close: "closing",
  },
  waiting: {
    retry: "resolving",
    "give-up": "closed",
    close: "closed",
  },
  closing: { closed: "closed", lost: "closed" },
  closed: {},
};
