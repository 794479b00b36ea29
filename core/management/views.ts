/**
 * The read-only views of the management API: plain objects built from a registrar's state at
 * the moment of the request. Identifiers stay `bigint` here; the JSON encoding writes them as
 * decimal strings, the CBOR encoding as integers. Absent values are `null`.
 *
 * @module
 */

import type { Handlespace } from "../handlespace/handlespace.ts";
import type { PoolElementEntry, PoolInfo } from "../handlespace/pool_element.ts";
import type { Registrar } from "../registrar/registrar.ts";
import type { PoolStats } from "../registrar/pool_stats.ts";
import type { RegistrarStats } from "../registrar/stats.ts";
import type { TransportAddress } from "../role.ts";
import { type PolicyParameter, policyTypeInfo } from "../wire/policy_parameter.ts";
import type { RegistrarId } from "../wire/pool_element_parameter.ts";
import type { TransportParameter } from "../wire/transport_parameter.ts";
import type { ManagementPeer } from "./peer.ts";
import { bytesToHex, poolHandleRef, poolHandleText } from "./pool_handle_ref.ts";

/** The clocks a view needs. */
export interface ViewClock {
  /** The registrar's monotonic clock (ms), the one PE update times are in. */
  readonly now: () => number;
  /** Wall-clock time (ms since the epoch), to print times. */
  readonly wallClock: () => number;
}

/** A transport address of a view: IP text and port. */
export interface TransportView {
  /** Transport protocol (`tcp`, `sctp`, ...). */
  readonly protocol: string;
  /** Port. */
  readonly port: number;
  /** Transport use (`data` or `data+control`). */
  readonly transportUse: string;
  /** IP addresses. */
  readonly addresses: readonly string[];
}

/** A policy of a view: the name, the code and only the fields the policy carries. */
export interface PolicyView {
  /** Policy name (e.g. `LeastUsed`), or the code in decimal for an unknown type. */
  readonly type: string;
  /** Policy type code. */
  readonly typeCode: number;
  /** Short name (e.g. `LU`), or `null`. */
  readonly abbreviation: string | null;
  /** Load in percent (0–100) for policies with a load, else `null`. */
  readonly loadPercent: number | null;
  /** The policy's own u32 fields (`load`, `weight`, `priority`, ...). */
  readonly [field: string]: string | number | null;
}

/** One pool element. */
export interface PoolElementView {
  /** PE identifier. */
  readonly id: bigint;
  /** Pool handle (display text). */
  readonly poolHandle: string;
  /** Its home registrar. */
  readonly homeRegistrarId: bigint;
  /** Whether this registrar is its home. */
  readonly ownedByThisRegistrar: boolean;
  /** Where pool users reach it. */
  readonly userTransport: TransportView;
  /** Its ASAP endpoint, if known. */
  readonly asapTransport: TransportView | null;
  /** Its policy information. */
  readonly policy: PolicyView;
  /** Registration life in ms, as registered. */
  readonly registrationLife: number;
  /** Time of the last registration or update (ISO 8601). */
  readonly lastUpdate: string;
  /** Milliseconds since then. */
  readonly lastUpdateAgeMs: number;
  /** Endpoint Unreachable reports received. */
  readonly unreachableReports: number;
  /** Times handle resolution selected it. */
  readonly selectionCount: number;
  /** Local degradation counter (LUD policies; 0 otherwise). */
  readonly degradation: number;
  /** The registration association (driver's number), or `null`. */
  readonly association: number | null;
}

/** One pool. */
export interface PoolView {
  /** Pool handle (display text: the text, or `0x` hex). */
  readonly poolHandle: string;
  /** Pool handle in hex. */
  readonly poolHandleHex: string;
  /** The `{handle}` path segment of `/v1/pools/{handle}`. */
  readonly ref: string;
  /** Policy name. */
  readonly policy: string;
  /** Policy type code. */
  readonly policyType: number;
  /** User transport protocol of its PEs. */
  readonly transportProtocol: string;
  /** Transport use of its PEs. */
  readonly transportUse: string;
  /** Number of PEs. */
  readonly poolElements: number;
}

/** One ENRP peer. */
export interface PeerView {
  /** Peer registrar identifier. */
  readonly id: bigint;
  /** ENRP endpoint addresses (`address:port`). */
  readonly addresses: readonly string[];
  /** Last message received (ISO 8601), or `null`. */
  readonly lastHeard: string | null;
  /** Milliseconds since then, or `null`. */
  readonly lastHeardAgeMs: number | null;
  /** Status in words. */
  readonly status: string;
  /** PEs in this registrar's handlespace whose home is the peer. */
  readonly poolElements: number;
  /** The checksum the peer announced for its PEs, or `null`. */
  readonly reportedChecksum: number | null;
  /** This registrar's checksum over the PEs whose home is the peer. */
  readonly localChecksum: number;
  /** Whether the two agree (`null` when the peer announced none yet). */
  readonly inSync: boolean | null;
}

/** The registrar itself. */
export interface RegistrarView {
  /** Registrar identifier. */
  readonly id: bigint;
  /** Optional operator-given name. */
  readonly name: string | null;
  /** Wire profile (`ng` or `rfc`). */
  readonly profile: string;
  /** Start time (ISO 8601). */
  readonly startedAt: string;
  /** Seconds since the start. */
  readonly uptimeSeconds: number;
  /** Whether the startup phase (no announces yet) is on. */
  readonly inStartupPhase: boolean;
  /** ASAP endpoints carried in Server Announces (`address:port`). */
  readonly asapEndpoints: readonly string[];
  /** Pools now. */
  readonly pools: number;
  /** PEs now. */
  readonly poolElements: number;
  /** PEs whose home is this registrar. */
  readonly ownedPoolElements: number;
  /** Associations up. */
  readonly associations: number;
  /** Checksum width in bits (16 in the RFC profile, 32 in NG). */
  readonly checksumBits: number;
  /** Ownership checksum over this registrar's own PEs (what its Presences carry). */
  readonly ownershipChecksum: number;
  /** Checksum over the whole handlespace. */
  readonly handlespaceChecksum: number;
  /** The timers in ms. */
  readonly timers: {
    readonly serverAnnounceCycle: number;
    readonly startupPhase: number;
    readonly keepAliveTransmissionInterval: number;
    readonly keepAliveTimeout: number;
  };
  /** Limits and thresholds. */
  readonly limits: {
    readonly maxBadPeReports: number;
    readonly maxHandleResolutionItems: number;
    readonly handleResolutionItemsLimit: number;
    readonly maxHrRate: number;
    readonly maxEuRate: number;
    readonly maxPoolHandleLength: number;
    readonly maxPools: number;
    readonly maxPoolElements: number;
    readonly maxPoolElementsPerPool: number;
  };
}

/** One pool's counters and size. */
export interface PoolStatsView extends PoolStats {
  /** Pool handle (display text). */
  readonly poolHandle: string;
  /** The `{handle}` path segment. */
  readonly ref: string;
  /** PEs now. */
  readonly poolElements: number;
}

/**
 * `address:port`, with brackets around IPv6 addresses.
 *
 * @param a The address.
 * @returns The text.
 * @example IPv4 and IPv6
 * ```ts
 * import { addressText } from "./views.ts";
 * import assert from "node:assert/strict";
 * assert.equal(addressText({ address: "::1", port: 80 }), "[::1]:80");
 * assert.equal(addressText({ address: "127.0.0.1", port: 80 }), "127.0.0.1:80");
 * ```
 */
export function addressText(a: TransportAddress): string {
  return a.address.includes(":") ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

function transportView(t: TransportParameter): TransportView {
  return {
    protocol: t.protocol,
    port: t.port,
    transportUse: t.transportUse,
    addresses: [...t.addresses],
  };
}

/**
 * The view of a policy parameter.
 *
 * @param p The policy parameter.
 * @returns Name, code, load in percent and the policy's fields.
 * @example Least Used at half load
 * ```ts
 * import { policyView } from "./views.ts";
 * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
 * import assert from "node:assert/strict";
 * const v = policyView(policyParameter(PolicyType.LeastUsed, { load: 0x80000000 }));
 * assert.equal(v.type, "LeastUsed");
 * assert.equal(v.load, 0x80000000);
 * assert.equal(Math.round(v.loadPercent!), 50);
 * ```
 */
export function policyView(p: PolicyParameter): PolicyView {
  const info = policyTypeInfo(p.type);
  const out: { [field: string]: string | number | null } = {
    type: info?.name ?? String(p.type),
    typeCode: p.type,
    abbreviation: info?.abbreviation ?? null,
    loadPercent: null,
  };
  if (info !== undefined) {
    for (const f of info.fields) out[f] = p[f];
    if (info.fields.includes("load")) out.loadPercent = (p.load / 0xffffffff) * 100;
  }
  return out as PolicyView;
}

function isoTime(clock: ViewClock, monotonic: number): string {
  return new Date(clock.wallClock() - (clock.now() - monotonic)).toISOString();
}

/**
 * The view of one pool element.
 *
 * @param entry The PE.
 * @param ownId This registrar's identifier.
 * @param clock The clocks.
 * @returns The view.
 * @example A PE of the handlespace
 * ```ts
 * import { poolElementView } from "./views.ts";
 * import { Handlespace } from "../handlespace/handlespace.ts";
 * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const hs = new Handlespace({ ownId: 1n, rng: new SeededRng(1) });
 * const r = hs.register(new TextEncoder().encode("P"), {
 *   id: 5n, homeRegistrarId: 1n, registrationLife: 1000,
 *   userTransport: { protocol: "tcp", port: 7, transportUse: "data", addresses: ["10.0.0.1"] },
 *   policy: policyParameter(PolicyType.RoundRobin),
 * }, { now: 100 });
 * assert.ok(r.ok);
 * const v = poolElementView(r.entry, 1n, { now: () => 1100, wallClock: () => 10_000 });
 * assert.equal(v.id, 5n);
 * assert.equal(v.lastUpdateAgeMs, 1000);
 * assert.equal(v.lastUpdate, new Date(9_000).toISOString());
 * ```
 */
export function poolElementView(
  entry: PoolElementEntry,
  ownId: RegistrarId,
  clock: ViewClock,
): PoolElementView {
  return {
    id: entry.id,
    poolHandle: poolHandleText(entry.poolHandle),
    homeRegistrarId: entry.homeRegistrarId,
    ownedByThisRegistrar: entry.homeRegistrarId === ownId,
    userTransport: transportView(entry.userTransport),
    asapTransport: entry.asapTransport === undefined ? null : transportView(entry.asapTransport),
    policy: policyView(entry.policy),
    registrationLife: entry.registrationLife,
    lastUpdate: isoTime(clock, entry.lastUpdate),
    lastUpdateAgeMs: Math.max(0, clock.now() - entry.lastUpdate),
    unreachableReports: entry.unreachableReports,
    selectionCount: entry.selectionCount,
    degradation: entry.degradation,
    association: entry.association ?? null,
  };
}

/**
 * The view of one pool.
 *
 * @param pool The pool.
 * @returns The view.
 * @example An unused pool value
 * ```ts
 * import { poolView } from "./views.ts";
 * import { defaultPolicies } from "../policy/registry.ts";
 * import assert from "node:assert/strict";
 * const v = poolView({
 *   poolHandle: new TextEncoder().encode("EchoPool"), policy: defaultPolicies.byName("RoundRobin")!,
 *   transportProtocol: "tcp", transportUse: "data", size: 2,
 * });
 * assert.equal(v.ref, "EchoPool");
 * assert.equal(v.poolElements, 2);
 * ```
 */
export function poolView(pool: PoolInfo): PoolView {
  return {
    poolHandle: poolHandleText(pool.poolHandle),
    poolHandleHex: bytesToHex(pool.poolHandle),
    ref: poolHandleRef(pool.poolHandle),
    policy: pool.policy.name,
    policyType: pool.policy.type,
    transportProtocol: pool.transportProtocol,
    transportUse: pool.transportUse,
    poolElements: pool.size,
  };
}

/**
 * The view of one ENRP peer, with the checksum comparison.
 *
 * @param peer The peer.
 * @param handlespace This registrar's handlespace.
 * @param clock The clocks.
 * @returns The view.
 * @example A peer without PEs whose checksum agrees
 * ```ts
 * import { peerView } from "./views.ts";
 * import { Handlespace } from "../handlespace/handlespace.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const hs = new Handlespace({ ownId: 1n, rng: new SeededRng(1) });
 * const v = peerView(
 *   { id: 2n, addresses: [{ address: "127.0.0.1", port: 9901 }], lastHeard: 50, reportedChecksum: 0xffffffff, status: "active" },
 *   hs, { now: () => 150, wallClock: () => 1000 },
 * );
 * assert.equal(v.inSync, true);
 * assert.equal(v.lastHeardAgeMs, 100);
 * assert.deepEqual(v.addresses, ["127.0.0.1:9901"]);
 * ```
 */
export function peerView(
  peer: ManagementPeer,
  handlespace: Handlespace,
  clock: ViewClock,
): PeerView {
  const local = handlespace.ownershipChecksum(peer.id);
  return {
    id: peer.id,
    addresses: peer.addresses.map(addressText),
    lastHeard: peer.lastHeard === undefined ? null : isoTime(clock, peer.lastHeard),
    lastHeardAgeMs: peer.lastHeard === undefined ? null : Math.max(0, clock.now() - peer.lastHeard),
    status: peer.status,
    poolElements: handlespace.ownedCount(peer.id),
    reportedChecksum: peer.reportedChecksum ?? null,
    localChecksum: local,
    inSync: peer.reportedChecksum === undefined ? null : peer.reportedChecksum === local,
  };
}

/**
 * The view of the registrar.
 *
 * @param registrar The registrar.
 * @param clock The clocks.
 * @param startedAt Wall-clock start time (ms since the epoch).
 * @param name Operator-given name, or `null`.
 * @returns The view.
 * @example A fresh registrar
 * ```ts
 * import { registrarView } from "./views.ts";
 * import { Registrar } from "../registrar/registrar.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const pr = new Registrar({ rng: new SeededRng(1), id: 42n, announceTargets: [] });
 * const v = registrarView(pr, { now: () => 0, wallClock: () => 5000 }, 2000, "pr1");
 * assert.equal(v.id, 42n);
 * assert.equal(v.uptimeSeconds, 3);
 * assert.equal(v.checksumBits, 32);
 * ```
 */
export function registrarView(
  registrar: Registrar,
  clock: ViewClock,
  startedAt: number,
  name: string | null,
): RegistrarView {
  const hs = registrar.handlespace;
  const cfg = registrar.config;
  const stats = registrar.stats();
  return {
    id: registrar.id,
    name,
    profile: registrar.profile,
    startedAt: new Date(startedAt).toISOString(),
    uptimeSeconds: Math.max(0, (clock.wallClock() - startedAt) / 1000),
    inStartupPhase: registrar.inStartupPhase,
    asapEndpoints: registrar.asapEndpoints.map(addressText),
    pools: stats.pools,
    poolElements: stats.poolElements,
    ownedPoolElements: stats.ownedPoolElements,
    associations: stats.associations,
    checksumBits: registrar.profile === "rfc" ? 16 : 32,
    ownershipChecksum: hs.ownershipChecksum(registrar.id),
    handlespaceChecksum: hs.handlespaceChecksum(),
    timers: {
      serverAnnounceCycle: cfg.serverAnnounceCycle,
      startupPhase: cfg.startupPhase,
      keepAliveTransmissionInterval: cfg.keepAliveTransmissionInterval,
      keepAliveTimeout: cfg.keepAliveTimeout,
    },
    limits: {
      maxBadPeReports: cfg.maxBadPeReports,
      maxHandleResolutionItems: cfg.maxHandleResolutionItems,
      handleResolutionItemsLimit: cfg.handleResolutionItemsLimit,
      maxHrRate: cfg.maxHrRate,
      maxEuRate: cfg.maxEuRate,
      maxPoolHandleLength: cfg.limits.maxPoolHandleLength ?? 255,
      maxPools: cfg.limits.maxPools ?? 0,
      maxPoolElements: cfg.limits.maxPoolElements ?? 0,
      maxPoolElementsPerPool: cfg.limits.maxPoolElementsPerPool ?? 0,
    },
  };
}

/**
 * The statistics view: the registrar's counters.
 *
 * @param registrar The registrar.
 * @returns The counters (a fresh object).
 * @example Counters
 * ```ts
 * import { registrarStatsView } from "./views.ts";
 * import { Registrar } from "../registrar/registrar.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * assert.equal(registrarStatsView(new Registrar({ rng: new SeededRng(1), announceTargets: [] })).registrations, 0);
 * ```
 */
export function registrarStatsView(registrar: Registrar): RegistrarStats {
  return registrar.stats();
}

/**
 * One pool's counters and size.
 *
 * @param registrar The registrar.
 * @param pool The pool.
 * @returns The view.
 * @example No registrations yet
 * ```ts
 * import { poolStatsView } from "./views.ts";
 * import { Registrar } from "../registrar/registrar.ts";
 * import { defaultPolicies } from "../policy/registry.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const pr = new Registrar({ rng: new SeededRng(1), announceTargets: [] });
 * const v = poolStatsView(pr, {
 *   poolHandle: new Uint8Array([1]), policy: defaultPolicies.byName("RoundRobin")!,
 *   transportProtocol: "tcp", transportUse: "data", size: 0,
 * });
 * assert.equal(v.handleResolutions, 0);
 * assert.equal(v.ref, "hex:01");
 * ```
 */
export function poolStatsView(registrar: Registrar, pool: PoolInfo): PoolStatsView {
  const s = registrar.poolStats(pool.poolHandle);
  return {
    poolHandle: poolHandleText(pool.poolHandle),
    ref: poolHandleRef(pool.poolHandle),
    poolElements: pool.size,
    registrations: s?.registrations ?? 0,
    reRegistrations: s?.reRegistrations ?? 0,
    handleResolutions: s?.handleResolutions ?? 0,
    unreachableReports: s?.unreachableReports ?? 0,
    keepAliveTimeouts: s?.keepAliveTimeouts ?? 0,
    rateLimitedRequests: s?.rateLimitedRequests ?? 0,
  };
}

/**
 * The cursor of a pool page: the hex of the last pool handle on it.
 *
 * @param poolHandle The last pool handle of the page.
 * @returns The cursor.
 * @example Cursor
 * ```ts
 * import { bytesToHexCursor } from "./views.ts";
 * import assert from "node:assert/strict";
 * assert.equal(bytesToHexCursor(new TextEncoder().encode("A")), "41");
 * ```
 */
export function bytesToHexCursor(poolHandle: Uint8Array): string {
  return bytesToHex(poolHandle);
}
