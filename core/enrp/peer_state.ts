/**
 * The liveness and takeover states of a peer registrar, and the transitions between them, as
 * data (RFC 5353 peer liveness and takeover, spec/behaviour.md §9.7 and §10).
 *
 * ```text
 *            heard (any state)
 *   +---------------------------------------------------------------+
 *   v                                                               |
 * alive --silent--> probing --take-over--> taking-over --completed--> gone
 *                     |  ^                   |     |
 *                     |  +-----expired-------+     +--lower-initiator--+
 *                     |                                                v
 *                     +--other-takes-over / init-takeover--> awaiting-takeover
 *                     +--give-up--> gone         awaiting-takeover --takeover-server--> gone
 *                                                awaiting-takeover --take-over--> taking-over
 * ```
 *
 * @module
 */

/**
 * The state of a peer in the peer table.
 *
 * - `alive`: heard within `peerMaxTimeLastHeard`.
 * - `probing`: silent; a Presence with the R flag was sent, its answer is awaited for
 *   `peerMaxTimeNoResponse`.
 * - `taking-over`: this registrar sent Init Takeover and awaits the acks of the live peers.
 * - `awaiting-takeover`: another registrar takes it over (we acknowledged); its Takeover Server is
 *   awaited for `peerMaxTimeNoResponse`, after which we try ourselves.
 * - `gone`: given up, or a static peer not heard yet; a static peer stays in the table in this
 *   state and is tried again every heartbeat cycle.
 */
export type PeerState = "alive" | "probing" | "taking-over" | "awaiting-takeover" | "gone";

/** What moves a peer between states. */
export type PeerInput =
  | "heard"
  | "silent"
  | "take-over"
  | "other-takes-over"
  | "give-up"
  | "init-takeover"
  | "completed"
  | "lower-initiator"
  | "expired"
  | "takeover-server";

/**
 * The transition table: for each state, the inputs it accepts and where they lead. An input
 * missing from a state's row does not change the state.
 *
 * @example Look up a transition
 * ```ts
 * import { PEER_TRANSITIONS } from "./peer_state.ts";
 * import assert from "node:assert/strict";
 * assert.equal(PEER_TRANSITIONS.alive.silent, "probing");
 * assert.equal(PEER_TRANSITIONS["taking-over"].expired, "probing");
 * assert.equal(PEER_TRANSITIONS.gone.silent, undefined);
 * ```
 */
export const PEER_TRANSITIONS: Readonly<
  Record<PeerState, Readonly<Partial<Record<PeerInput, PeerState>>>>
> = {
  alive: { heard: "alive", silent: "probing" },
  probing: {
    heard: "alive",
    "take-over": "taking-over",
    "other-takes-over": "awaiting-takeover",
    "init-takeover": "awaiting-takeover",
    "give-up": "gone",
    "takeover-server": "gone",
  },
  "taking-over": {
    heard: "alive",
    completed: "gone",
    "lower-initiator": "awaiting-takeover",
    expired: "probing",
    "takeover-server": "gone",
  },
  "awaiting-takeover": {
    heard: "alive",
    "init-takeover": "awaiting-takeover",
    "take-over": "taking-over",
    "give-up": "gone",
    "takeover-server": "gone",
  },
  gone: { heard: "alive" },
};

/**
 * Whether a peer in this state is suspected dead (silent for longer than
 * `peerMaxTimeLastHeard`): its Init Takeover Ack is not awaited by a takeover.
 *
 * @param state The peer's state.
 * @returns True for every state but `alive`.
 * @example Only a peer heard lately is not suspected
 * ```ts
 * import { isSuspected } from "./peer_state.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isSuspected("alive"), false);
 * assert.equal(isSuspected("probing"), true);
 * ```
 */
export function isSuspected(state: PeerState): boolean {
  return state !== "alive";
}
