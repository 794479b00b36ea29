/**
 * What ENRP peering reports to the registrar's application: a readonly discriminated union on
 * `type`, part of the registrar's events. Every one marks a rare, state-changing step (peers
 * appearing and going, mentor synchronisation, audits that found a difference, takeovers), so
 * they are always raised; routine traffic is only counted in the statistics.
 *
 * @module
 */

import type { TransportAddress } from "../role.ts";
import type { RegistrarId } from "../wire/pool_element_parameter.ts";

/** Why a peer left the peer table. */
export type PeerRemovalReason =
  | "silent"
  | "taken-over"
  | "taken-over-by-peer";

/** Why a takeover was given up before it completed. */
export type TakeoverCancelReason = "target-alive" | "lower-id-initiator";

/** An event of ENRP peering. */
export type EnrpEvent =
  | {
    /** A peer became known (or was heard again after it had been dropped). */
    readonly type: "peer-up";
    /** Its identifier. */
    readonly peerId: RegistrarId;
    /** Its ENRP endpoint, when known. */
    readonly endpoint: TransportAddress | undefined;
  }
  | {
    /** A peer was silent for `peerMaxTimeLastHeard` and was probed (Presence with the R flag). */
    readonly type: "peer-silent";
    /** Its identifier. */
    readonly peerId: RegistrarId;
  }
  | {
    /** A peer left the peer table (static peers stay as addresses and are tried again). */
    readonly type: "peer-removed";
    /** Its identifier. */
    readonly peerId: RegistrarId;
    /** Why. */
    readonly reason: PeerRemovalReason;
  }
  | {
    /** The startup phase chose a mentor and asks it for the whole handlespace. */
    readonly type: "mentor-selected";
    /** The mentor. */
    readonly peerId: RegistrarId;
  }
  | {
    /** The mentor's handlespace was downloaded; the startup phase ends. */
    readonly type: "mentor-sync-finished";
    /** The mentor. */
    readonly peerId: RegistrarId;
    /** PEs received. */
    readonly poolElements: number;
  }
  | {
    /** A peer's Presence carried another ownership checksum than ours for it: resynchronising. */
    readonly type: "audit-mismatch";
    /** The peer. */
    readonly peerId: RegistrarId;
    /** The checksum the peer sent. */
    readonly theirs: number;
    /** Our checksum over the PEs we think it owns. */
    readonly ours: number;
  }
  | {
    /** The resynchronisation of one peer's PEs finished. */
    readonly type: "audit-finished";
    /** The peer. */
    readonly peerId: RegistrarId;
    /** PEs received from it. */
    readonly poolElements: number;
    /** PEs we held for it that it does not own: removed. */
    readonly purged: number;
  }
  | {
    /** This registrar started taking over a silent peer (Init Takeover sent). */
    readonly type: "takeover-started";
    /** The peer being taken over. */
    readonly targetId: RegistrarId;
    /** The peers whose Init Takeover Ack is awaited. */
    readonly awaiting: readonly RegistrarId[];
  }
  | {
    /** This registrar became home of the target's PEs (Takeover Server sent). */
    readonly type: "takeover-completed";
    /** The peer taken over. */
    readonly targetId: RegistrarId;
    /** PEs taken over. */
    readonly poolElements: number;
  }
  | {
    /** A takeover was given up: the target spoke, or a peer with a lower identifier takes over. */
    readonly type: "takeover-cancelled";
    /** The target. */
    readonly targetId: RegistrarId;
    /** Why. */
    readonly reason: TakeoverCancelReason;
  }
  | {
    /** Acks of live peers were still missing after `takeoverExpiry`; retried later. */
    readonly type: "takeover-expired";
    /** The target. */
    readonly targetId: RegistrarId;
    /** Peers that did not acknowledge. */
    readonly missing: readonly RegistrarId[];
  }
  | {
    /** Another registrar's takeover of a peer was acknowledged. */
    readonly type: "takeover-acknowledged";
    /** The target. */
    readonly targetId: RegistrarId;
    /** The registrar taking over. */
    readonly initiatorId: RegistrarId;
  }
  | {
    /** Another registrar took a peer over (Takeover Server): its PEs now have that home. */
    readonly type: "taken-over-by-peer";
    /** The peer taken over. */
    readonly targetId: RegistrarId;
    /** The new home. */
    readonly byId: RegistrarId;
    /** PEs that moved in our handlespace. */
    readonly poolElements: number;
  };

/** The `type` names of {@link EnrpEvent}. */
export type EnrpEventType = EnrpEvent["type"];
