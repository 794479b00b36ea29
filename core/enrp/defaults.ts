/**
 * Every timer, threshold and switch of ENRP peering (RFC 5353) in one table: our default,
 * RSPLIB's value and what it does. The registrar reads its ENRP defaults from here, and README.md
 * "Timers and defaults" renders this table (a test keeps the two in step).
 *
 * @see RFC 5353 section 7 (ENRP timers), spec/behaviour.md sections 2, 9 and 10 (RSPLIB's values)
 * @module
 */

/** One row of the ENRP defaults table. */
export interface EnrpDefault {
  /** Our default. */
  readonly value: number | string | boolean;
  /** Unit of `value`: `"ms"`, `"ratio"` or `"-"` (none). */
  readonly unit: "ms" | "ratio" | "-";
  /** RSPLIB's value, as text. */
  readonly rsplib: string;
  /** What it does, and why ours differs when it does. */
  readonly description: string;
}

/**
 * The defaults of ENRP peering, keyed by the `enrp` option of the registrar configuration that
 * overrides them. Times are RSPLIB's (`rspregistrar.h`); RFC 5353's own suggestions are much
 * slower (a peer heartbeat cycle of 30 s, 61 s before a silent peer is probed).
 *
 * @example Read a default
 * ```ts
 * import { ENRP_DEFAULTS } from "./defaults.ts";
 * import assert from "node:assert/strict";
 * assert.equal(ENRP_DEFAULTS.peerHeartbeatCycle.value, 2444);
 * assert.equal(ENRP_DEFAULTS.takeoverExpiry.rsplib, "5000");
 * ```
 */
export const ENRP_DEFAULTS = {
  peers: {
    value: "none",
    unit: "-",
    rsplib: "none (-peer=)",
    description:
      "Static peers (ENRP endpoints of other registrars) for networks without multicast; their identifiers are learned from their Presence",
  },
  presenceTargets: {
    value: "239.0.0.51:9901",
    unit: "-",
    rsplib: "239.0.0.51:9901",
    description:
      'Where Presence goes by UDP (channel "enrp-presence"), usually the multicast group every registrar joins; none = static peers only',
  },
  peerHeartbeatCycle: {
    value: 2444,
    unit: "ms",
    rsplib: "2444",
    description:
      "Interval of Presence to every peer (and the multicast group), drawn each time from ±12.5 % around it",
  },
  peerMaxTimeLastHeard: {
    value: 5000,
    unit: "ms",
    rsplib: "5000",
    description:
      "Silence of a peer (no ENRP message at all) after which it is probed with a Presence carrying the R flag",
  },
  peerMaxTimeNoResponse: {
    value: 5000,
    unit: "ms",
    rsplib: "5000",
    description:
      "Wait for the probe's answer; then the peer's PEs are taken over (or the peer is dropped when it owns none)",
  },
  mentorDiscoveryTimeout: {
    value: 5000,
    unit: "ms",
    rsplib: "5000",
    description:
      "Startup phase: the first peer heard becomes the mentor whose handlespace is downloaded; announces start when that finished or this time is up",
  },
  takeoverExpiry: {
    value: 5000,
    unit: "ms",
    rsplib: "5000",
    description:
      "Wait for the Init Takeover Acks; a takeover still missing acks of peers that are heard is abandoned and retried after peerMaxTimeNoResponse",
  },
  takeoverKeepAlive: {
    value: "probe",
    unit: "-",
    rsplib: "home",
    description:
      'Keep-alive a taker sends to each PE it took over: "probe" (H flag clear: monitored, the PE stays where it is registered) or "home" (H flag set, RFC 5353: the PE re-registers at the taker)',
  },
  takeoverSuggestion: {
    value: false,
    unit: "-",
    rsplib: "off",
    description:
      "Takeover suggestion (NG; draft-dreibholz-rserpool-enrp-takeover): an overloaded home sets the T flag so an underloaded peer takes PEs over; both sides must enable it",
  },
  takeoverSuggestionThreshold: {
    value: 1.25,
    unit: "ratio",
    rsplib: "none",
    description:
      "A registrar suggests takeovers while it owns more than this many times the mean number of PEs per registrar",
  },
} as const satisfies Record<string, EnrpDefault>;
