/**
 * Counters of ENRP peering, part of the registrar's statistics.
 *
 * @module
 */

/** ENRP counters (all only ever grow, except `peers`, the current peer table size). */
export interface EnrpStats {
  /** Presence messages sent (unicast and multicast). */
  presencesSent: number;
  /** Presence messages received from peers. */
  presencesReceived: number;
  /** Handle Updates sent (one per peer and change, plus takeover-suggestion copies). */
  handleUpdatesSent: number;
  /** Handle Updates received. */
  handleUpdatesReceived: number;
  /** Handle Updates not applied (stale, about our own PEs, or inconsistent with the pool). */
  handleUpdatesIgnored: number;
  /** Handle Table Requests sent (one per page). */
  handleTableRequestsSent: number;
  /** PEs received in Handle Table Responses. */
  tableEntriesReceived: number;
  /** Presence checksums that differed from ours (each starts a resynchronisation). */
  auditMismatches: number;
  /** PEs removed because their owner's table did not list them. */
  auditPurged: number;
  /** Mentor synchronisations finished. */
  mentorSyncs: number;
  /** Takeovers started. */
  takeoversStarted: number;
  /** Takeovers completed by this registrar. */
  takeoversCompleted: number;
  /** Takeovers abandoned after `takeoverExpiry`. */
  takeoversExpired: number;
  /** Takeovers cancelled (target alive, or a lower identifier took over). */
  takeoversCancelled: number;
  /** Init Takeover Acks sent. */
  takeoverAcksSent: number;
  /** PEs this registrar became home of by takeover. */
  poolElementsTakenOver: number;
  /** Takeover suggestions (Handle Updates with the T flag) sent. */
  takeoverSuggestionsSent: number;
  /** Takeover suggestions acted on (a keep-alive with the H flag sent to the PE). */
  takeoverSuggestionsReceived: number;
  /** Associations to peers opened by this registrar. */
  peerConnects: number;
  /** Duplicate associations with a peer closed (both sides had connected). */
  duplicateAssociationsClosed: number;
  /** Ownership claims of peers answered with our own Handle Update (PE registered with us). */
  ownershipReasserted: number;
  /** Peers in the peer table now. */
  peers: number;
}

/**
 * ENRP counters, all zero.
 *
 * @returns A fresh object.
 * @example Every counter starts at zero
 * ```ts
 * import { emptyEnrpStats } from "./stats.ts";
 * import assert from "node:assert/strict";
 * assert.equal(emptyEnrpStats().takeoversCompleted, 0);
 * ```
 */
export function emptyEnrpStats(): EnrpStats {
  return {
    presencesSent: 0,
    presencesReceived: 0,
    handleUpdatesSent: 0,
    handleUpdatesReceived: 0,
    handleUpdatesIgnored: 0,
    handleTableRequestsSent: 0,
    tableEntriesReceived: 0,
    auditMismatches: 0,
    auditPurged: 0,
    mentorSyncs: 0,
    takeoversStarted: 0,
    takeoversCompleted: 0,
    takeoversExpired: 0,
    takeoversCancelled: 0,
    takeoverAcksSent: 0,
    poolElementsTakenOver: 0,
    takeoverSuggestionsSent: 0,
    takeoverSuggestionsReceived: 0,
    peerConnects: 0,
    duplicateAssociationsClosed: 0,
    ownershipReasserted: 0,
    peers: 0,
  };
}
