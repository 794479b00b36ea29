/**
 * A read-only snapshot of one peer registrar, as `Registrar.peers()` returns it (for `hsdump`,
 * management views and tests).
 *
 * @module
 */

import type { TransportAddress } from "../role.ts";
import type { RegistrarId } from "../wire/pool_element_parameter.ts";
import type { PeerState } from "./peer_state.ts";

/** One peer in the peer table. */
export interface PeerView {
  /** Its identifier (0 for a static peer not heard yet). */
  readonly id: RegistrarId;
  /** Where it is reached (its ENRP endpoints). */
  readonly endpoints: readonly TransportAddress[];
  /** Whether it was configured (static) rather than learned. */
  readonly static: boolean;
  /** Its liveness and takeover state. */
  readonly state: PeerState;
  /** When it was last heard (the registrar's clock), or `undefined` if never. */
  readonly lastHeard: number | undefined;
  /** Whether an association with it is up. */
  readonly connected: boolean;
  /** Whether it was this registrar's mentor. */
  readonly mentor: boolean;
  /** PEs whose home it is, as this registrar's handlespace counts them. */
  readonly ownedPoolElements: number;
  /** The ownership checksum over those PEs (what its Presence should carry). */
  readonly checksum: number;
  /** The ownership checksum its last Presence carried, if one came (compare with `checksum`). */
  readonly reportedChecksum: number | undefined;
}
