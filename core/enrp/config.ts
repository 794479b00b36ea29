/**
 * The options of ENRP peering, given as the `enrp` option of a registrar's configuration
 * (`RegistrarConfig.enrp`). Without that option a registrar runs alone; with it, it finds peers
 * (static ones and by multicast Presence), downloads the handlespace from a mentor, sends Handle
 * Updates, audits its peers by checksum and takes over the PEs of peers that die.
 *
 * @module
 */

import type { TransportAddress } from "../role.ts";

/** The keep-alive a taker sends to the PEs it took over: see {@link EnrpConfig.takeoverKeepAlive}. */
export type TakeoverKeepAlive = "probe" | "home";

/** Options of ENRP peering. Times are milliseconds; defaults are `ENRP_DEFAULTS`. */
export interface EnrpConfig {
  /**
   * Static peers: ENRP endpoints of other registrars (address and port, e.g. port 9901). Their
   * identifiers are learned from their Presence. Default none.
   */
  readonly peers?: readonly TransportAddress[];
  /**
   * Where Presence goes by UDP, every heartbeat cycle (default 239.0.0.51:9901, the ENRP
   * multicast group); empty: static peers only. The application opens `presenceChannel`, joined
   * to the group, unless this is empty.
   */
  readonly presenceTargets?: readonly TransportAddress[];
  /** UDP channel of multicast Presence (default `"enrp-presence"`). */
  readonly presenceChannel?: string;
  /** Interval of Presence to every peer, jittered ±12.5 % (default 2444). */
  readonly peerHeartbeatCycle?: number;
  /** Silence after which a peer is probed with a Presence carrying the R flag (default 5000). */
  readonly peerMaxTimeLastHeard?: number;
  /** Wait for the probe's answer before the peer's PEs are taken over (default 5000). */
  readonly peerMaxTimeNoResponse?: number;
  /** Longest startup phase: the time to find a mentor and download its handlespace (default 5000). */
  readonly mentorDiscoveryTimeout?: number;
  /** Wait for the Init Takeover Acks (default 5000). */
  readonly takeoverExpiry?: number;
  /**
   * The Endpoint Keep-Alive sent to each PE after this registrar took it over:
   *
   * - `"probe"` (default): the H flag clear. The PE is monitored (answered keep-alives keep it,
   *   a missing answer removes it) but stays registered where it is. PEs notice a dead home on
   *   their own (association heartbeats) and register again; a PE whose home only lost contact
   *   with the other registrars (a partition between registrars) is not moved.
   * - `"home"`: the H flag set (RFC 5353's takeover): the PE re-registers at this registrar.
   */
  readonly takeoverKeepAlive?: TakeoverKeepAlive;
  /** Send and honour takeover suggestions (NG profile; default false). */
  readonly takeoverSuggestion?: boolean;
  /**
   * Suggest takeovers while this registrar owns more than this many times the mean number of PEs
   * per registrar (default 1.25, at least 1).
   */
  readonly takeoverSuggestionThreshold?: number;
}

/** An {@link EnrpConfig} with every default applied. */
export interface ResolvedEnrpConfig {
  /** See {@link EnrpConfig.peers}. */
  readonly peers: readonly TransportAddress[];
  /** See {@link EnrpConfig.presenceTargets}. */
  readonly presenceTargets: readonly TransportAddress[];
  /** See {@link EnrpConfig.presenceChannel}. */
  readonly presenceChannel: string;
  /** See {@link EnrpConfig.peerHeartbeatCycle}. */
  readonly peerHeartbeatCycle: number;
  /** See {@link EnrpConfig.peerMaxTimeLastHeard}. */
  readonly peerMaxTimeLastHeard: number;
  /** See {@link EnrpConfig.peerMaxTimeNoResponse}. */
  readonly peerMaxTimeNoResponse: number;
  /** See {@link EnrpConfig.mentorDiscoveryTimeout}. */
  readonly mentorDiscoveryTimeout: number;
  /** See {@link EnrpConfig.takeoverExpiry}. */
  readonly takeoverExpiry: number;
  /** See {@link EnrpConfig.takeoverKeepAlive}. */
  readonly takeoverKeepAlive: TakeoverKeepAlive;
  /** See {@link EnrpConfig.takeoverSuggestion}. */
  readonly takeoverSuggestion: boolean;
  /** See {@link EnrpConfig.takeoverSuggestionThreshold}. */
  readonly takeoverSuggestionThreshold: number;
}
