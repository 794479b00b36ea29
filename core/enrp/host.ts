/**
 * What ENRP peering needs from the registrar that runs it: the handlespace, the output queue,
 * events and statistics, and a few registrar services (keep-alives with the H flag, the end of
 * the startup phase). The registrar implements it; ENRP never sees the registrar's internals.
 *
 * @module
 */

import type { Handlespace } from "../handlespace/handlespace.ts";
import type { PoolElementEntry } from "../handlespace/pool_element.ts";
import type { Rng } from "../rng.ts";
import type { AssociationId, TransportAddress } from "../role.ts";
import type { RegistrarId, ServerInformationParameter } from "../wire/pool_element_parameter.ts";
import type { WireProfile } from "../wire/profile.ts";
import type { WireEncoder } from "../wire/wire_encoder.ts";
import type { EnrpEvent } from "./events.ts";
import type { EnrpStats } from "./stats.ts";

/** The registrar as ENRP peering sees it. */
export interface EnrpHost {
  /** The registrar's identifier. */
  readonly id: RegistrarId;
  /** Its wire profile. */
  readonly profile: WireProfile;
  /** Its handlespace. */
  readonly handlespace: Handlespace;
  /** Its random source (heartbeat jitter). */
  readonly rng: Rng;
  /** Its encoder (the result is a view into a reused buffer). */
  readonly encoder: WireEncoder;
  /** Where ENRP counts. */
  readonly stats: EnrpStats;
  /** Rounding step of DPF distances (ms). */
  readonly distanceStep: number;
  /**
   * Whether the registrar is still in its startup phase.
   *
   * @returns True until the mentor synchronisation finished or the phase timed out.
   */
  inStartupPhase(): boolean;
  /**
   * Ends the startup phase (the mentor synchronisation finished).
   *
   * @param now The current time.
   */
  endStartupPhase(now: number): void;
  /**
   * Queues an encoded ENRP message on an association (the bytes are copied).
   *
   * @param assoc The association.
   * @param payload The message.
   */
  send(assoc: AssociationId, payload: Uint8Array): void;
  /**
   * Opens an association to a peer's ENRP endpoint.
   *
   * @param endpoints Where, tried in order.
   * @returns The new association's id (sends may be queued on it at once).
   */
  connect(endpoints: readonly TransportAddress[]): AssociationId;
  /**
   * Closes an association gracefully.
   *
   * @param assoc The association.
   * @param reason Why.
   */
  close(assoc: AssociationId, reason: string): void;
  /**
   * Sends a UDP datagram.
   *
   * @param channel The channel.
   * @param to The destination.
   * @param payload The datagram (not kept).
   */
  datagram(channel: string, to: TransportAddress, payload: Uint8Array): void;
  /**
   * Raises an event.
   *
   * @param event The event.
   */
  emit(event: EnrpEvent): void;
  /**
   * Sends a PE an Endpoint Keep-Alive over a new association to its ASAP transport.
   *
   * @param now The current time.
   * @param entry The PE.
   * @param home Set the H flag ("I am your home now"): the PE re-registers here.
   * @param monitor Arm the keep-alive timeout (the registrar is the PE's home); false for a
   *   takeover suggestion, where the PE is still another registrar's.
   * @returns False when the PE has no ASAP transport to reach it at.
   */
  sendKeepAlive(now: number, entry: PoolElementEntry, home: boolean, monitor: boolean): boolean;
  /**
   * Whether a PE this registrar owns is registered over an association that is up.
   *
   * @param entry The PE.
   * @returns True when its registration association is live.
   */
  hasLiveAssociation(entry: PoolElementEntry): boolean;
  /**
   * Removes a PE learned from a peer (no Handle Update follows).
   *
   * @param entry The PE.
   */
  removeRemote(entry: PoolElementEntry): void;
  /**
   * The smoothed round-trip time of an association, when measured.
   *
   * @param assoc The association.
   * @returns The SRTT in ms, or `undefined`.
   */
  srtt(assoc: AssociationId): number | undefined;
  /**
   * The registrar's Server Information: its identifier and ENRP endpoint.
   *
   * @param assoc The association the message goes on, whose local end is the fallback endpoint.
   * @returns The parameter, or `undefined` when no ENRP endpoint is known.
   */
  serverInformation(assoc: AssociationId | undefined): ServerInformationParameter | undefined;
}
