/**
 * The states of a pool element's registration and the transitions between them, as data.
 *
 * ```text
 *  idle --start--> hunting --registrar-up--> registering --accepted--> registered
 *                     ^                          |   ^                     |
 *                     |                   rejected   retry                 |
 *                     |                          v   |                     |
 *                     +---- registrar-lost ---- rejected                   |
 *                     +---- registrar-lost ------------------------------- +
 *  registering, registered --shutdown--> deregistering --deregistered--> closed
 *  idle, hunting, rejected --shutdown--> closed
 * ```
 *
 * @module
 */

/**
 * The state of a {@link PoolElement}.
 *
 * - `idle`: created, not started (it starts with the first call that brings a `now`).
 * - `hunting`: looking for a registrar (no registrar association).
 * - `registering`: a Registration is on its way to a new registrar.
 * - `registered`: the registrar accepted it; re-registrations and keep-alive acks go on here.
 * - `rejected`: the registrar refused the registration; it is retried after the
 *   re-registration interval.
 * - `deregistering`: shutting down; the Deregistration awaits its response.
 * - `closed`: shut down.
 */
export type PoolElementState =
  | "idle"
  | "hunting"
  | "registering"
  | "registered"
  | "rejected"
  | "deregistering"
  | "closed";

/** What moves a pool element between states. */
export type PoolElementInput =
  | "start"
  | "registrar-up"
  | "accepted"
  | "rejected"
  | "retry"
  | "registrar-lost"
  | "shutdown"
  | "deregistered";

/**
 * The transition table: for each state, the inputs it accepts and where they lead. An input
 * missing from a state's row does not change the state.
 *
 * @example Look up a transition
 * ```ts
 * import { POOL_ELEMENT_TRANSITIONS } from "./pool_element_state.ts";
 * import assert from "node:assert/strict";
 * assert.equal(POOL_ELEMENT_TRANSITIONS.registering.accepted, "registered");
 * assert.equal(POOL_ELEMENT_TRANSITIONS.registered["registrar-lost"], "hunting");
 * assert.equal(POOL_ELEMENT_TRANSITIONS.closed.start, undefined);
 * ```
 */
export const POOL_ELEMENT_TRANSITIONS: Readonly<
  Record<PoolElementState, Readonly<Partial<Record<PoolElementInput, PoolElementState>>>>
> = {
  idle: { start: "hunting", shutdown: "closed" },
  hunting: { "registrar-up": "registering", shutdown: "closed" },
  registering: {
    accepted: "registered",
    rejected: "rejected",
    "registrar-lost": "hunting",
    shutdown: "deregistering",
  },
  registered: {
    rejected: "rejected",
    "registrar-lost": "hunting",
    "registrar-up": "registering",
    shutdown: "deregistering",
  },
  rejected: {
    retry: "registering",
    accepted: "registered",
    "registrar-lost": "hunting",
    shutdown: "closed",
  },
  deregistering: { deregistered: "closed", "registrar-lost": "closed" },
  closed: {},
};
