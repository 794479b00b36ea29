/**
 * ENRP peering (RFC 5353) between pool registrars: the options and defaults, the events and
 * counters a registrar reports for it, the peer states and their transition table, and the
 * takeover-suggestion rules. Peering itself runs inside the registrar (`../registrar/mod.ts`):
 * give its configuration an `enrp` option.
 *
 * ```ts
 * import { ENRP_DEFAULTS, PEER_TRANSITIONS } from "./mod.ts";
 * import assert from "node:assert/strict";
 * assert.equal(ENRP_DEFAULTS.peerMaxTimeNoResponse.value, 5000);
 * assert.equal(PEER_TRANSITIONS.probing["take-over"], "taking-over");
 * ```
 *
 * @module
 */

export type * from "./config.ts";
export * from "./defaults.ts";
export type * from "./events.ts";
export type * from "./host.ts";
export * from "./peer_state.ts";
export type * from "./peer_view.ts";
export * from "./stats.ts";
export * from "./takeover_suggestion.ts";
export * from "./enrp_peering.ts";
