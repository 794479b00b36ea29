/**
 * What the handlespace exposes about pool elements and pools: read-only,
 * live views (they reflect later updates; copy what must not change).
 *
 * @module
 */

import type {
  PoolElementId,
  PoolElementParameter,
  RegistrarId,
} from "../wire/pool_element_parameter.ts";
import type { PolicyParameter } from "../wire/policy_parameter.ts";
import type {
  TransportParameter,
  TransportProtocol,
  TransportUse,
} from "../wire/transport_parameter.ts";
import type { PoolPolicy } from "../policy/policy.ts";

/**
 * A pool element in the handlespace. A live view: fields change when the PE
 * re-registers or changes owner; {@link PoolElementEntry.live} turns false
 * when it is removed. Never mutate the byte or transport values it exposes.
 */
export interface PoolElementEntry {
  /**
   * The pool handle (the pool's own copy; do not modify). A view into memory shared with other
   * small arrays of the handlespace: read it through the view, never through its `buffer`
   * (copy it with `slice()` to keep or transfer it).
   */
  readonly poolHandle: Uint8Array;
  /** The PE identifier (32-bit in the RFC profile, 64-bit in NG). */
  readonly id: PoolElementId;
  /** The home registrar's identifier. */
  readonly homeRegistrarId: RegistrarId;
  /** Registration life in ms, as registered. */
  readonly registrationLife: number;
  /** Where pool users reach the PE. */
  readonly userTransport: TransportParameter;
  /** The PE's policy parameter as registered. */
  readonly policy: PolicyParameter;
  /** The PE's ASAP endpoint, when known (kept from earlier registrations if a later one has none). */
  readonly asapTransport: TransportParameter | undefined;
  /** The registration association (opaque number chosen by the registrar), if any. */
  readonly association: number | undefined;
  /** Time of the last registration or update (ms, the caller's clock). */
  readonly lastUpdate: number;
  /** Endpoint Unreachable reports received for this PE. */
  readonly unreachableReports: number;
  /** Whether the PE is marked for a table synchronisation purge. */
  readonly marked: boolean;
  /** The local degradation counter of the LUD policy family (0 otherwise). */
  readonly degradation: number;
  /** How often handle resolution returned this PE. */
  readonly selectionCount: number;
  /** False once the PE has been removed from the handlespace. */
  readonly live: boolean;
  /**
   * The PE as a Pool Element parameter value (a new object), e.g. for an ENRP
   * Handle Update or a Handle Resolution Response.
   *
   * @param withAsapTransport Include the ASAP transport (ENRP) or not (ASAP); default true.
   * @returns The parameter value.
   */
  toParameter(withAsapTransport?: boolean): PoolElementParameter;
}

/** A pool: its handle, policy and transport settings and its size. */
export interface PoolInfo {
  /**
   * The pool handle (do not modify). A view into memory shared with other small arrays of the
   * handlespace: read it through the view, never through its `buffer`.
   */
  readonly poolHandle: Uint8Array;
  /** The policy, set by the first PE. */
  readonly policy: PoolPolicy;
  /** The user transport protocol every PE of the pool uses. */
  readonly transportProtocol: TransportProtocol;
  /** The transport use (data only, or data plus control) every PE of the pool uses. */
  readonly transportUse: TransportUse;
  /** Number of PEs. */
  readonly size: number;
}
