/**
 * The registrar's statistics counters: a plain object of numbers, cheap to keep on the hot path
 * and to copy for a management view.
 *
 * @module
 */

import { emptyEnrpStats, type EnrpStats } from "../enrp/stats.ts";

/**
 * Counters of a {@link Registrar} since it was created, and a few current sizes; with the ENRP
 * counters ({@link EnrpStats}, all zero without peering).
 */
export interface RegistrarStats extends EnrpStats {
  /** New PEs registered. */
  registrations: number;
  /** Re-registrations of known PEs. */
  reRegistrations: number;
  /** Registrations refused (Registration Response with R flag). */
  registrationsRejected: number;
  /** Deregistrations of known PEs. */
  deregistrations: number;
  /** Handle Resolutions answered with PEs. */
  handleResolutions: number;
  /** Handle Resolutions answered with Unknown Pool Handle. */
  handleResolutionsUnknownPool: number;
  /** Handle Resolutions refused by the rate limit. */
  handleResolutionsRateLimited: number;
  /** Endpoint Keep-Alives sent. */
  keepAlivesSent: number;
  /** Endpoint Keep-Alive Acks received for known PEs. */
  keepAliveAcks: number;
  /** PEs removed for a missing Keep-Alive Ack. */
  keepAliveTimeouts: number;
  /** Endpoint Unreachable reports counted. */
  unreachableReports: number;
  /** Endpoint Unreachable reports dropped by the rate limit. */
  unreachableReportsRateLimited: number;
  /** PEs removed after too many Endpoint Unreachable reports. */
  removedUnreachable: number;
  /** PEs removed because their association went down. */
  removedAssociationDown: number;
  /** PEs removed at the end of their registration life (learned from peers). */
  expired: number;
  /** Changes of PEs this registrar is home of (add, update, remove): what ENRP announces. */
  localChanges: number;
  /** Malformed or unexpected messages received. */
  protocolErrors: number;
  /** ASAP/ENRP Error messages sent. */
  errorsSent: number;
  /** ASAP/ENRP Error messages received. */
  errorsReceived: number;
  /** Associations aborted by the registrar. */
  associationsAborted: number;
  /** Associations aborted for going over `maxMessageRate`. */
  associationsRateLimited: number;
  /** Endpoint Keep-Alives sent to confirm a PE reported unreachable `maxBadPeReports` times. */
  unreachableConfirmations: number;
  /** PEs reported unreachable that answered the confirming keep-alive (reports cleared). */
  unreachableRefuted: number;
  /** Associations aborted because their source address had `maxAssociationsPerAddress` already. */
  associationsPerAddressRefused: number;
  /** Registrations rejected because their identity had `maxRegistrationsPerIdentity` PEs. */
  registrationsPerIdentityRejected: number;
  /** Associations aborted for sending no valid ASAP message within `firstMessageTimeout`. */
  associationsFirstMessageTimeout: number;
  /** Associations aborted because their send queue was full (the peer does not read). */
  associationsSendBufferFull: number;
  /** Requests refused by the authorization policy (registration, resolution, deregistration). */
  authorizationRefusals: number;
  /** Messages the transport could not send (queue full or association closed). */
  sendFailures: number;
  /** Server Announces sent (one per target). */
  announcesSent: number;
  /** ENRP List Requests answered. */
  listRequests: number;
  /** ENRP Handle Table Responses sent. */
  handleTableResponses: number;
  /** ENRP Presences answered. */
  presenceReplies: number;
  /** ENRP requests refused. */
  enrpRequestsRejected: number;
  /** ENRP messages ignored (not handled by this registrar yet, or not for it). */
  enrpIgnored: number;
  /** Associations currently up. */
  associations: number;
  /** Pool elements in the handlespace now. */
  poolElements: number;
  /** Pools in the handlespace now. */
  pools: number;
  /** Pool elements whose home is this registrar now. */
  ownedPoolElements: number;
}

/**
 * A statistics object with every counter at 0.
 *
 * @returns The counters.
 * @example Zero
 * ```ts
 * import { emptyRegistrarStats } from "./stats.ts";
 * import assert from "node:assert/strict";
 * assert.equal(emptyRegistrarStats().registrations, 0);
 * ```
 */
export function emptyRegistrarStats(): RegistrarStats {
  return {
    ...emptyEnrpStats(),
    registrations: 0,
    reRegistrations: 0,
    registrationsRejected: 0,
    deregistrations: 0,
    handleResolutions: 0,
    handleResolutionsUnknownPool: 0,
    handleResolutionsRateLimited: 0,
    keepAlivesSent: 0,
    keepAliveAcks: 0,
    keepAliveTimeouts: 0,
    unreachableReports: 0,
    unreachableReportsRateLimited: 0,
    removedUnreachable: 0,
    removedAssociationDown: 0,
    expired: 0,
    localChanges: 0,
    protocolErrors: 0,
    errorsSent: 0,
    errorsReceived: 0,
    associationsAborted: 0,
    associationsRateLimited: 0,
    unreachableConfirmations: 0,
    unreachableRefuted: 0,
    associationsPerAddressRefused: 0,
    registrationsPerIdentityRejected: 0,
    associationsFirstMessageTimeout: 0,
    associationsSendBufferFull: 0,
    authorizationRefusals: 0,
    sendFailures: 0,
    announcesSent: 0,
    listRequests: 0,
    handleTableResponses: 0,
    presenceReplies: 0,
    enrpRequestsRejected: 0,
    enrpIgnored: 0,
    associations: 0,
    poolElements: 0,
    pools: 0,
    ownedPoolElements: 0,
  };
}
