/**
 * The states of a framed association and the transitions between them, as data.
 *
 * ```text
 *  handshake --hello--> established --close--> closing
 *      |                    |                     |
 *      +-- end, abort, peer-abort, reset ---------+-- close-timeout --> closed
 * ```
 *
 * @module
 */

/**
 * The state of a framed association.
 *
 * - `handshake`: our HELLO is queued or sent; the peer's HELLO has not arrived.
 * - `established`: both HELLOs seen; messages and heartbeats flow.
 * - `closing`: the local side closed gracefully; queued messages are flushed, then a FIN;
 *   messages from the peer are still delivered until its FIN.
 * - `closed`: nothing more is delivered; at most an ABORT and the FIN remain to be written.
 */
export type AssociationState = "handshake" | "established" | "closing" | "closed";

/**
 * What moves an association between states.
 *
 * - `hello`: the peer's valid HELLO arrived.
 * - `close`: the local side closed gracefully.
 * - `end`: the peer's FIN arrived (end of its byte stream).
 * - `abort`: the local side aborted: by request, on a protocol error, a timeout or a dead peer.
 * - `peer-abort`: the peer's ABORT arrived.
 * - `reset`: the connection was reset or failed under us.
 * - `close-timeout`: a graceful close did not finish in time.
 */
export type AssociationInput =
  | "hello"
  | "close"
  | "end"
  | "abort"
  | "peer-abort"
  | "reset"
  | "close-timeout";

/**
 * The transition table: for each state, the inputs it accepts and the state each leads to.
 * An input missing from a state's row does not change the state.
 *
 * @example Look up a transition
 * ```ts
 * import { ASSOCIATION_TRANSITIONS } from "./association_state.ts";
 * import assert from "node:assert/strict";
 * assert.equal(ASSOCIATION_TRANSITIONS.handshake.hello, "established");
 * assert.equal(ASSOCIATION_TRANSITIONS.closed.hello, undefined);
 * ```
 */
export const ASSOCIATION_TRANSITIONS: Readonly<
  Record<AssociationState, Readonly<Partial<Record<AssociationInput, AssociationState>>>>
> = {
  handshake: {
    hello: "established",
    close: "closing",
    end: "closed",
    abort: "closed",
    "peer-abort": "closed",
    reset: "closed",
  },
  established: {
    close: "closing",
    end: "closed",
    abort: "closed",
    "peer-abort": "closed",
    reset: "closed",
  },
  closing: {
    end: "closed",
    abort: "closed",
    "peer-abort": "closed",
    reset: "closed",
    "close-timeout": "closed",
  },
  closed: {},
};
