/**
 * The Pool Element and Server Information parameters as values.
 *
 * @see RFC 5354 sections 3.6 and 3.7
 * @module
 */

import type { PolicyParameter } from "./policy_parameter.ts";
import type { TransportParameter } from "./transport_parameter.ts";

/**
 * A pool element identifier: 32 bits in the RFC profile, 64 bits in NG.
 * Non-zero for a real pool element.
 */
export type PoolElementId = bigint;

/**
 * A pool registrar identifier: 32 bits in the RFC profile, 64 bits in NG.
 * 0 means "none" or "not known".
 */
export type RegistrarId = bigint;

/** A Pool Element parameter value. */
export interface PoolElementParameter {
  /** The PE identifier, chosen by the pool element. */
  readonly id: PoolElementId;
  /** The home registrar's identifier (0 = none or unknown). */
  readonly homeRegistrarId: RegistrarId;
  /** Registration life in milliseconds (0..0x7fffffff). */
  readonly registrationLife: number;
  /** Where pool users reach the pool element. */
  readonly userTransport: TransportParameter;
  /** The pool element's selection policy and its policy information. */
  readonly policy: PolicyParameter;
  /**
   * The pool element's ASAP endpoint, as registrars know it. Present only in
   * ENRP messages (Handle Update, Handle Table Response); absent in ASAP.
   */
  readonly asapTransport?: TransportParameter;
}

/** A Server Information parameter value: a registrar and its ENRP endpoint. */
export interface ServerInformationParameter {
  /** The registrar's identifier. */
  readonly registrarId: RegistrarId;
  /** The registrar's ENRP endpoint (an SCTP or TCP transport parameter). */
  readonly transport: TransportParameter;
}
