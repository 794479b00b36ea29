/**
 * The small interface the management API reads ENRP peers through: what a registrar knows
 * about each peer registrar. ENRP provides it; without ENRP the list is empty.
 *
 * @module
 */

import type { TransportAddress } from "../role.ts";
import type { RegistrarId } from "../wire/pool_element_parameter.ts";

/** One ENRP peer as the management API shows it. */
export interface ManagementPeer {
  /** The peer's registrar identifier. */
  readonly id: RegistrarId;
  /** Its ENRP endpoint addresses. */
  readonly addresses: readonly TransportAddress[];
  /** When a message from it was last received (ms on the registrar's monotonic clock), if ever. */
  readonly lastHeard: number | undefined;
  /**
   * The ownership checksum the peer last announced for its own PEs (ENRP Presence), if any;
   * compared with this registrar's checksum over the PEs it holds with that home.
   */
  readonly reportedChecksum: number | undefined;
  /** The peer's state in words (e.g. `"active"`, `"synchronising"`, `"unreachable"`, `"takeover"`). */
  readonly status: string;
}

/** Supplies the current peers (called on every request; return a snapshot). */
export type PeerSource = () => Iterable<ManagementPeer>;
