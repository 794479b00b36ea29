/**
 * Every timer, threshold and limit of the ASAP roles (registrar, pool element, pool user) in
 * one table: our default, RSPLIB's value and what it does. The roles read their defaults from
 * here, and README.md "Timers and defaults" renders this table (a test keeps the two in step).
 *
 * @see RFC 5352 section 5 (ASAP timers), spec/behaviour.md section 2 (RSPLIB's values)
 * @module
 */

/** The role(s) a default belongs to: registrar (PR), pool element (PE), pool user (PU). */
export type AsapDefaultRole = "PR" | "PE" | "PU" | "PE, PU";

/** One row of the defaults table. */
export interface AsapDefault {
  /** Which role uses it. */
  readonly role: AsapDefaultRole;
  /** Our default. */
  readonly value: number | string;
  /** Unit of `value`: `"ms"`, `"count"`, `"1/s"`, `"bytes"` or `"-"` (none). */
  readonly unit: "ms" | "count" | "1/s" | "bytes" | "-";
  /** RSPLIB's value, as text (it is sometimes not a plain number). */
  readonly rsplib: string;
  /** What it does, and why ours differs when it does. */
  readonly description: string;
}

/**
 * The defaults of the ASAP roles, keyed by the configuration option that overrides them.
 *
 * @example Read a default
 * ```ts
 * import { ASAP_DEFAULTS } from "./defaults.ts";
 * import assert from "node:assert/strict";
 * assert.equal(ASAP_DEFAULTS.keepAliveTransmissionInterval.value, 5000);
 * assert.equal(ASAP_DEFAULTS.maxBadPeReports.rsplib, "3");
 * ```
 */
export const ASAP_DEFAULTS = {
  serverAnnounceCycle: {
    role: "PR",
    value: 1000,
    unit: "ms",
    rsplib: "1000",
    description:
      "Interval of Server Announces, drawn each time from ±12.5 % around it; sent only after the startup phase",
  },
  announceTargets: {
    role: "PR",
    value: "239.0.0.50:3863",
    unit: "-",
    rsplib: "239.0.0.50:3863",
    description:
      'Where Server Announces go (channel "asap-announce"): unicast or multicast targets; none = no announces',
  },
  startupPhase: {
    role: "PR",
    value: 0,
    unit: "ms",
    rsplib: "5000 (mentor discovery)",
    description:
      "Time before the first Server Announce; 0 without ENRP peers (there is no mentor to wait for)",
  },
  keepAliveTransmissionInterval: {
    role: "PR",
    value: 5000,
    unit: "ms",
    rsplib: "5000",
    description:
      "Time from a registration or the last Keep-Alive Ack to the next Endpoint Keep-Alive",
  },
  keepAliveTimeout: {
    role: "PR",
    value: 5000,
    unit: "ms",
    rsplib: "5000",
    description: "Wait for the Keep-Alive Ack; then the PE is removed",
  },
  maxBadPeReports: {
    role: "PR",
    value: 3,
    unit: "count",
    rsplib: "3",
    description:
      "Endpoint Unreachable reports after which the registrar confirms with an Endpoint Keep-Alive; the PE is removed only when the ack does not come (RSPLIB removes at once)",
  },
  maxHandleResolutionItems: {
    role: "PR",
    value: 3,
    unit: "count",
    rsplib: "3",
    description:
      "PEs in a Handle Resolution Response when the PU sends no Handle Resolution option",
  },
  handleResolutionItemsLimit: {
    role: "PR",
    value: 128,
    unit: "count",
    rsplib: "128 (fixed)",
    description:
      "Most PEs in one Handle Resolution Response (0xffffffff = as many as possible ends here); also capped by the 65535-byte message size",
  },
  maxIncrement: {
    role: "PR",
    value: 0,
    unit: "count",
    rsplib: "0",
    description: "Selected PEs that count as used per handle resolution; 0 = the policy's default",
  },
  maxHrRate: {
    role: "PR",
    value: 1000,
    unit: "1/s",
    rsplib: "unlimited (-1)",
    description:
      "Handle Resolutions per second per PU association (token bucket, burst = one second's worth); excess ones get an Operation Error with cause Lack of Resources; 0 = unlimited",
  },
  maxEuRate: {
    role: "PR",
    value: 10,
    unit: "1/s",
    rsplib: "unlimited (-1)",
    description:
      "Endpoint Unreachable reports per second per PU association; excess reports are dropped; 0 = unlimited",
  },
  maxMessageRate: {
    role: "PR",
    value: 5000,
    unit: "1/s",
    rsplib: "none",
    description:
      "ASAP messages per second per association (token bucket, burst = one second's worth); a peer above it is aborted; 0 = unlimited",
  },
  maxRegistrationsPerAssociation: {
    role: "PR",
    value: 1000,
    unit: "count",
    rsplib: "none",
    description:
      "PEs registered over one association; more get a Registration Response with cause Lack of Resources; 0 = unlimited",
  },
  maxPools: {
    role: "PR",
    value: 100000,
    unit: "count",
    rsplib: "none",
    description:
      "Pools in the handlespace; a Registration creating one more gets cause Lack of Resources; 0 = unlimited",
  },
  maxPoolElements: {
    role: "PR",
    value: 1000000,
    unit: "count",
    rsplib: "none",
    description:
      "PEs in the handlespace; beyond, Registrations get cause Lack of Resources; 0 = unlimited",
  },
  maxPoolElementsPerPool: {
    role: "PR",
    value: 100000,
    unit: "count",
    rsplib: "none",
    description:
      "PEs in one pool; beyond, Registrations get cause Lack of Resources; 0 = unlimited",
  },
  maxParameters: {
    role: "PR",
    value: 64,
    unit: "count",
    rsplib: "none",
    description:
      "Parameters in one ASAP message (top level and inside a Pool Element); more get an ASAP Error with cause Invalid Values",
  },
  protocolErrorBurst: {
    role: "PR",
    value: 10,
    unit: "count",
    rsplib: "none",
    description:
      "Malformed or unexpected messages an association may send (refilled at one per second) before it is aborted",
  },
  distanceStep: {
    role: "PR",
    value: 50,
    unit: "ms",
    rsplib: "50",
    description:
      "Rounding step of the distance (half the smoothed RTT) given to PEs of DPF policies",
  },
  maxPoolHandleLength: {
    role: "PR",
    value: 255,
    unit: "bytes",
    rsplib: "32",
    description: "Longest pool handle accepted in a Registration",
  },
  minAddressScope: {
    role: "PR",
    value: "loopback",
    unit: "-",
    rsplib: "site-local",
    description:
      "Lowest address scope accepted for PE addresses (loopback < link-local < site-local < global)",
  },
  maxElementsPerHandleTableResponse: {
    role: "PR",
    value: 128,
    unit: "count",
    rsplib: "128",
    description: "PEs per ENRP Handle Table Response (more follow with the M flag)",
  },
  maxHandleTableResponseSize: {
    role: "PR",
    value: 65535,
    unit: "bytes",
    rsplib: "1400",
    description:
      "Size cap of one Handle Table Response; RSPLIB's 1400 suits SCTP datagrams, our framed TCP carries 65535",
  },
  reRegistrationInterval: {
    role: "PE",
    value: 30000,
    unit: "ms",
    rsplib: "30000 (rspserver)",
    description: "Time between re-registrations; liveness is carried by keep-alives, not by these",
  },
  registrationLife: {
    role: "PE",
    value: 90000,
    unit: "ms",
    rsplib: "3 × re-registration interval",
    description: "Registration Life sent in the Registration: 3 × the re-registration interval",
  },
  policyUpdateInterval: {
    role: "PE",
    value: 250,
    unit: "ms",
    rsplib: "0 (every update)",
    description:
      "Least time between two re-registrations caused by policy (load) changes; updates in between are coalesced and the latest is sent",
  },
  responseTimeout: {
    role: "PE, PU",
    value: 3000,
    unit: "ms",
    rsplib: "3000",
    description:
      "Wait for a registrar's response; on expiry the association is aborted and the request goes to another registrar",
  },
  registrarAnnounceTimeout: {
    role: "PE, PU",
    value: 5000,
    unit: "ms",
    rsplib: "5000",
    description: "How long a registrar learned from a Server Announce stays a candidate",
  },
  registrarConnectTimeout: {
    role: "PE, PU",
    value: 7500,
    unit: "ms",
    rsplib: "7500",
    description: "Length of one round of the registrar hunt",
  },
  maxSimultaneousConnects: {
    role: "PE, PU",
    value: 3,
    unit: "count",
    rsplib: "3",
    description: "Registrars contacted at once during a hunt",
  },
  requestMaxTrials: {
    role: "PU",
    value: 3,
    unit: "count",
    rsplib: "1",
    description:
      "Transmissions of one Handle Resolution across registrar failovers (RFC 5352 MAX-REQUEST-RETRANSMIT 2 + 1)",
  },
  registrarHuntRounds: {
    role: "PU",
    value: 1,
    unit: "count",
    rsplib: "1",
    description:
      "Hunt rounds without a registrar before pending requests fail (a PE hunts until it succeeds)",
  },
  staleCacheValue: {
    role: "PU",
    value: 30000,
    unit: "ms",
    rsplib: "per call (examples: 0)",
    description:
      "Lifetime of handle resolution results in the PU cache (RFC 5352 stale.cache.value); 0 disables the cache",
  },
  resolveItems: {
    role: "PU",
    value: 1,
    unit: "count",
    rsplib: "1 (rsp_getaddrinfo)",
    description: "PEs a resolve() returns when the caller does not say",
  },
  maxPendingRequests: {
    role: "PU",
    value: 4096,
    unit: "count",
    rsplib: "unbounded",
    description:
      'Handle resolutions waiting for an answer; more fail at once with reason "overload"',
  },
} as const satisfies Record<string, AsapDefault>;

/** The option names of {@link ASAP_DEFAULTS}. */
export type AsapDefaultName = keyof typeof ASAP_DEFAULTS;
