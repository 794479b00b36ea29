/**
 * What a registrar reports to its application: a readonly discriminated union on `type`. The
 * type names are stable, kebab-case and usable as log event names.
 *
 * Events for rare and state-changing things are always raised. Per-request events
 * (`handle-resolution`, `association-up`, `association-down`, `announce-sent`) are raised only
 * with `verboseEvents: true`; the statistics count them either way.
 *
 * @module
 */

import type { EnrpEvent } from "../enrp/events.ts";
import type { AssociationId, DownReason, TransportAddress } from "../role.ts";
import type { PoolElementId, RegistrarId } from "../wire/pool_element_parameter.ts";

/** Why a PE left the handlespace. */
export type PeRemovalReason =
  | "deregistered"
  | "keep-alive-timeout"
  | "unreachable"
  | "association-down"
  | "expired";

/** The requests a registrar may rate-limit. */
export type RateLimitedRequest = "handle-resolution" | "endpoint-unreachable";

/** An event of a {@link Registrar} (with the ENRP peering events, {@link EnrpEvent}). */
export type RegistrarEvent =
  | EnrpEvent
  | {
    /**
     * A PE this registrar became home of (by takeover) could not be reached at its ASAP
     * transport for a keep-alive with the H flag; it is kept until its registration life ends
     * unless it registers again meanwhile (here or at a peer).
     */
    readonly type: "home-keep-alive-failed";
    /** Its pool handle. */
    readonly poolHandle: Uint8Array;
    /** Its identifier. */
    readonly peId: PoolElementId;
  }
  | {
    /** A new PE registered (this registrar is its home). */
    readonly type: "registered";
    /** Its pool handle (the handlespace's copy: do not modify). */
    readonly poolHandle: Uint8Array;
    /** Its identifier. */
    readonly peId: PoolElementId;
    /** The registration association. */
    readonly assoc: AssociationId;
  }
  | {
    /** A known PE registered again (periodic re-registration or policy update). */
    readonly type: "re-registered";
    /** Its pool handle. */
    readonly poolHandle: Uint8Array;
    /** Its identifier. */
    readonly peId: PoolElementId;
    /** The registration association. */
    readonly assoc: AssociationId;
    /** Whether anything changed (policy information, transport, life, home). */
    readonly changed: boolean;
  }
  | {
    /** A Registration was refused; the PE got a Registration Response with the R flag. */
    readonly type: "registration-rejected";
    /** The pool handle it asked for. */
    readonly poolHandle: Uint8Array;
    /** The PE identifier it sent. */
    readonly peId: PoolElementId;
    /** The association. */
    readonly assoc: AssociationId;
    /** The RFC 5354 cause sent. */
    readonly cause: number;
    /** Why, in words. */
    readonly reason: string;
  }
  | {
    /** A PE deregistered. */
    readonly type: "deregistered";
    /** Its pool handle. */
    readonly poolHandle: Uint8Array;
    /** Its identifier. */
    readonly peId: PoolElementId;
    /** The association. */
    readonly assoc: AssociationId;
  }
  | {
    /** A PE did not answer an Endpoint Keep-Alive in time and was removed. */
    readonly type: "keep-alive-timeout";
    /** Its pool handle. */
    readonly poolHandle: Uint8Array;
    /** Its identifier. */
    readonly peId: PoolElementId;
    /** Its association (aborted when no other PE uses it), if any. */
    readonly assoc: AssociationId | undefined;
  }
  | {
    /** An Endpoint Unreachable report was counted. */
    readonly type: "unreachable-report";
    /** The pool handle. */
    readonly poolHandle: Uint8Array;
    /** The reported PE. */
    readonly peId: PoolElementId;
    /** The reporting association. */
    readonly assoc: AssociationId;
    /** Reports counted for this PE so far. */
    readonly reports: number;
  }
  | {
    /**
     * A PE reached the bad-report threshold: an Endpoint Keep-Alive confirms whether it is
     * alive before anything is removed.
     */
    readonly type: "unreachable-confirming";
    /** The pool handle. */
    readonly poolHandle: Uint8Array;
    /** The reported PE. */
    readonly peId: PoolElementId;
    /** Reports counted. */
    readonly reports: number;
  }
  | {
    /** A PE reported unreachable answered the confirming keep-alive; its reports are cleared. */
    readonly type: "unreachable-refuted";
    /** The pool handle. */
    readonly poolHandle: Uint8Array;
    /** The PE. */
    readonly peId: PoolElementId;
  }
  | {
    /**
     * A PE reported unreachable did not answer the confirming keep-alive (or could not be
     * reached at all) and was removed.
     */
    readonly type: "pe-removed-unreachable";
    /** Its pool handle. */
    readonly poolHandle: Uint8Array;
    /** Its identifier. */
    readonly peId: PoolElementId;
    /** Reports counted. */
    readonly reports: number;
  }
  | {
    /** The association a PE registered over went down; the PE was removed. */
    readonly type: "pe-removed-association-down";
    /** Its pool handle. */
    readonly poolHandle: Uint8Array;
    /** Its identifier. */
    readonly peId: PoolElementId;
    /** The association. */
    readonly assoc: AssociationId;
    /** Why the association went down. */
    readonly reason: DownReason;
  }
  | {
    /** A PE learned from a peer registrar outlived its registration life and was removed. */
    readonly type: "pe-expired";
    /** Its pool handle. */
    readonly poolHandle: Uint8Array;
    /** Its identifier. */
    readonly peId: PoolElementId;
  }
  | {
    /**
     * A PU association went over a rate limit (raised once when it starts being limited;
     * the statistics count every limited request).
     */
    readonly type: "rate-limited";
    /** The association. */
    readonly assoc: AssociationId;
    /** Which request. */
    readonly request: RateLimitedRequest;
  }
  | {
    /**
     * The authorization policy refused a request: a Registration (answered with cause 0xa), a
     * Handle Resolution (Operation Error 0xa) or an Endpoint Unreachable report (dropped).
     */
    readonly type: "authorization-refused";
    /** The association. */
    readonly assoc: AssociationId;
    /** What the peer asked for. */
    readonly action: "register" | "resolve";
    /** The pool handle. */
    readonly poolHandle: Uint8Array;
    /** The peer's address. */
    readonly remote: TransportAddress;
    /** The subject of its TLS client certificate, if any. */
    readonly identity: string | undefined;
  }
  | {
    /** A peer sent something malformed or unexpected; an Error was sent if the protocol says so. */
    readonly type: "peer-protocol-error";
    /** The association. */
    readonly assoc: AssociationId;
    /** The RFC 5354 cause (0 when none applies). */
    readonly cause: number;
    /** What was wrong. */
    readonly detail: string;
  }
  | {
    /** The registrar aborted an association. */
    readonly type: "association-aborted";
    /** The association. */
    readonly assoc: AssociationId;
    /** Why (also sent to the peer). */
    readonly reason: string;
  }
  | {
    /** An ENRP request was refused (unknown requester, remote monitor, wrong receiver). */
    readonly type: "enrp-request-rejected";
    /** The association. */
    readonly assoc: AssociationId;
    /** The requester's identifier (0 = a monitor). */
    readonly senderId: RegistrarId;
    /** The request's message type. */
    readonly request: string;
    /** Why. */
    readonly reason: string;
  }
  | {
    /** The startup phase ended; Server Announces start. */
    readonly type: "startup-phase-ended";
  }
  | {
    /** Verbose: a Handle Resolution was answered. */
    readonly type: "handle-resolution";
    /** The association. */
    readonly assoc: AssociationId;
    /** The pool handle asked for (the decoder's copy). */
    readonly poolHandle: Uint8Array;
    /** PEs asked for (after defaults and caps). */
    readonly requested: number;
    /** PEs returned (0 with a cause). */
    readonly returned: number;
    /** The Operation Error cause sent, or 0. */
    readonly cause: number;
  }
  | {
    /** Verbose: an association came up. */
    readonly type: "association-up";
    /** The association. */
    readonly assoc: AssociationId;
    /** The listener that accepted it (undefined when the registrar opened it). */
    readonly listener: string | undefined;
    /** The peer. */
    readonly remote: TransportAddress;
  }
  | {
    /** Verbose: an association went down. */
    readonly type: "association-down";
    /** The association. */
    readonly assoc: AssociationId;
    /** Why. */
    readonly reason: DownReason;
  }
  | {
    /** Verbose: a Server Announce was sent. */
    readonly type: "announce-sent";
    /** How many targets it went to. */
    readonly targets: number;
  };

/** The `type` names of {@link RegistrarEvent}. */
export type RegistrarEventType = RegistrarEvent["type"];
