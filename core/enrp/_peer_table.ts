// The peer table: one record per peer registrar (static peers start with identifier 0 until
// their Presence names them), the associations ENRP knows with the peer each belongs to, and the
// per-peer state: liveness deadline, table synchronisation, takeover bookkeeping.

import type { AssociationId, TransportAddress } from "../role.ts";
import type { RegistrarId } from "../wire/pool_element_parameter.ts";
import { PEER_TRANSITIONS, type PeerInput, type PeerState } from "./peer_state.ts";

/** What a Handle Table synchronisation with a peer is for. */
export type SyncKind = "none" | "mentor" | "audit";

export class PeerRecord {
  id: RegistrarId;
  endpoints: readonly TransportAddress[];
  isStatic: boolean;
  /** The association in use (up). */
  assoc: AssociationId | undefined = undefined;
  /** An association this registrar opened that is not up yet. */
  connecting: AssociationId | undefined = undefined;
  state: PeerState = "alive";
  lastHeard: number | undefined = undefined;
  /** The state's timer: last heard, no response, takeover expiry (Infinity = none). */
  deadline = Infinity;
  listRequested = false;
  sync: SyncKind = "none";
  /** The association the running synchronisation's requests and responses use. */
  syncAssoc: AssociationId | undefined = undefined;
  syncReceived = 0;
  /** Our takeover of this peer: the peers whose ack is outstanding. */
  takeover: Set<RegistrarId> | undefined = undefined;
  /** Another registrar announced it takes this peer over. */
  takenOverBy: RegistrarId | undefined = undefined;
  wasMentor = false;
  /** The ownership checksum its last Presence announced (its own view of its PEs). */
  reportedChecksum: number | undefined = undefined;

  constructor(id: RegistrarId, endpoints: readonly TransportAddress[], isStatic: boolean) {
    this.id = id;
    this.endpoints = endpoints;
    this.isStatic = isStatic;
  }

  /** Applies a transition of the peer state table; false when the input does not apply. */
  go(input: PeerInput): boolean {
    const next = PEER_TRANSITIONS[this.state][input];
    if (next === undefined) return false;
    this.state = next;
    return true;
  }
}

/** An association ENRP knows: who opened it, whether it is up, the peer it belongs to. */
export interface AssociationEntry {
  peer: PeerRecord | undefined;
  readonly outbound: boolean;
  up: boolean;
  closing: boolean;
  /** The peer's address and port, once up. */
  remote: TransportAddress | undefined;
}

export class PeerTable {
  /** Every record, static ones first, in the order they became known. */
  readonly records: PeerRecord[] = [];
  readonly #byId = new Map<RegistrarId, PeerRecord>();
  readonly associations = new Map<AssociationId, AssociationEntry>();

  get(id: RegistrarId): PeerRecord | undefined {
    return this.#byId.get(id);
  }

  add(record: PeerRecord): void {
    this.records.push(record);
    if (record.id !== 0n) this.#byId.set(record.id, record);
  }

  /** Gives a static record (identifier 0) its identifier. */
  identify(record: PeerRecord, id: RegistrarId): void {
    record.id = id;
    this.#byId.set(id, record);
  }

  /** Forgets a static record's identifier (it is tried again as an address). */
  unidentify(record: PeerRecord): void {
    if (record.id !== 0n && this.#byId.get(record.id) === record) this.#byId.delete(record.id);
    record.id = 0n;
  }

  delete(record: PeerRecord): void {
    const i = this.records.indexOf(record);
    if (i >= 0) this.records.splice(i, 1);
    if (this.#byId.get(record.id) === record) this.#byId.delete(record.id);
  }

  /** Another association of the peer that is up, if any. */
  otherUp(record: PeerRecord, except: AssociationId): AssociationId | undefined {
    for (const [id, a] of this.associations) {
      if (id !== except && a.peer === record && a.up && !a.closing) return id;
    }
    return undefined;
  }
}
