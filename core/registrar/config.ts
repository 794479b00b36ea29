/**
 * The registrar's configuration: every option with its default (from `ASAP_DEFAULTS`) and the
 * validation that turns a user's options into the resolved settings the registrar runs on.
 *
 * @module
 */

import { ASAP_DEFAULTS } from "../asap/defaults.ts";
import type { ChecksumCompat } from "../handlespace/checksum.ts";
import type { SelectionKernel } from "../policy/selection_kernel.ts";
import type { HandlespaceLimits, PeIdClashPolicy } from "../handlespace/handlespace.ts";
import type { PolicyRegistry } from "../policy/registry.ts";
import type { AuthorizationPolicy } from "./authorization.ts";
import { randomIdentifier, type Rng } from "../rng.ts";
import type { TransportAddress } from "../role.ts";
import { ErrorCause } from "../wire/error_cause.ts";
import { canonicalIpAddress } from "../wire/ip_address.ts";
import type { RegistrarId } from "../wire/pool_element_parameter.ts";
import { ASAP_ANNOUNCE_GROUP, ASAP_PORT, maxId, type WireProfile } from "../wire/profile.ts";

/**
 * Scope of an IP address, lowest first: loopback (127/8, ::1) < link-local (169.254/16,
 * fe80::/10) < site-local (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7, fec0::/10) <
 * global. Unspecified, multicast and broadcast addresses are never accepted as PE addresses.
 */
export type AddressScope = "loopback" | "link-local" | "site-local" | "global";

/**
 * How a registrar checks the addresses of a PE's user transport against the association the
 * Registration came on (after the scope filter):
 *
 * - `"association"` (default, RSPLIB's rule): keep only addresses equal to the association's
 *   remote address; none left → rejected (cause Rejected due to Security Considerations). A PE
 *   cannot register someone else's address.
 * - `"trust"`: keep the PE's addresses as sent (multi-homed PEs whose ASAP traffic leaves from
 *   another interface than their service; trusted networks only).
 * - `"replace"`: register the association's remote address instead of the PE's (a PE behind a
 *   NAT with a port forward, or a PE that does not know its own address).
 */
export type UserAddressCheck = "association" | "trust" | "replace";

/** Options of a {@link Registrar}. Times are milliseconds; defaults are `ASAP_DEFAULTS`. */
export interface RegistrarConfig {
  /** Random source (identifier, policies, jitter). */
  readonly rng: Rng;
  /** Wire profile: `"ng"` (default) or `"rfc"`. */
  readonly profile?: WireProfile;
  /** This registrar's identifier (non-zero, of the profile's width); default random. */
  readonly id?: RegistrarId;
  /** Internet-16 checksum accumulator behaviour (RFC profile only); default `"exact"`. */
  readonly checksumCompat?: ChecksumCompat;
  /** What a registration does with a PE identifier already bound elsewhere; default `"update"`. */
  readonly peIdClash?: PeIdClashPolicy;
  /** The policies pools may use; default every built-in policy. */
  readonly policies?: PolicyRegistry;
  /**
   * The selection kernel of the handlespace's pools (default pure TypeScript); adapters pass
   * `createSelectionKernel()` (WebAssembly where it measured faster, same choices).
   */
  readonly selectionKernel?: SelectionKernel;
  /**
   * Pool and PE limits of the handlespace (Lack of Resources beyond); defaults `maxPools`
   * 100000, `maxPoolElements` 1000000, `maxPoolElementsPerPool` 100000 (`ASAP_DEFAULTS`);
   * 0 = unlimited.
   */
  readonly limits?: Omit<HandlespaceLimits, "maxPoolHandleLength">;
  /** Longest pool handle in bytes (default 255). */
  readonly maxPoolHandleLength?: number;
  /** Name of the listener accepting PE and PU associations (default `"asap"`). */
  readonly asapListener?: string;
  /** Name of the listener accepting ENRP associations (default `"enrp"`). */
  readonly enrpListener?: string;
  /** UDP channel for Server Announces (default `"asap-announce"`). */
  readonly announceChannel?: string;
  /** Where Server Announces go (default 239.0.0.50:3863); empty = no announces. */
  readonly announceTargets?: readonly TransportAddress[];
  /**
   * The registrar's ASAP endpoints, carried in Server Announces as TCP Transport parameters.
   * Default none: announces carry only the registrar identifier and receivers connect to the
   * datagram's source address and port (RSPLIB's way; bind the announce socket to the ASAP port).
   */
  readonly asapEndpoints?: readonly TransportAddress[];
  /**
   * The registrar's ENRP endpoint for Server Information parameters; default the local address
   * of the association the request came on.
   */
  readonly enrpEndpoint?: TransportAddress;
  /** Server Announce interval (default 1000). */
  readonly serverAnnounceCycle?: number;
  /** Time before the first Server Announce (default 0; ENRP sets the mentor discovery time). */
  readonly startupPhase?: number;
  /** Time from registration or last ack to the next Endpoint Keep-Alive (default 5000). */
  readonly keepAliveTransmissionInterval?: number;
  /** Wait for an Endpoint Keep-Alive Ack (default 5000). */
  readonly keepAliveTimeout?: number;
  /** Endpoint Unreachable reports that remove a PE (default 3). */
  readonly maxBadPeReports?: number;
  /** PEs per Handle Resolution Response without a Handle Resolution option (default 3). */
  readonly maxHandleResolutionItems?: number;
  /** Most PEs per Handle Resolution Response (default 128, at most 1024). */
  readonly handleResolutionItemsLimit?: number;
  /** Selected PEs that count as used per resolution; 0 = policy default (default 0). */
  readonly maxIncrement?: number;
  /** Handle Resolutions per second per association; 0 = unlimited (default 1000). */
  readonly maxHrRate?: number;
  /** Endpoint Unreachable reports per second per association; 0 = unlimited (default 10). */
  readonly maxEuRate?: number;
  /**
   * ASAP messages per second per association, of any type; a peer above it is aborted;
   * 0 = unlimited (default 5000).
   */
  readonly maxMessageRate?: number;
  /**
   * PEs registered over one association; more are rejected with Lack of Resources;
   * 0 = unlimited (default 1000).
   */
  readonly maxRegistrationsPerAssociation?: number;
  /**
   * Parameters in one ASAP message (top level plus those inside a Pool Element parameter);
   * more get an ASAP Error with cause Invalid Values (default 64, at least 4).
   */
  readonly maxParameters?: number;
  /**
   * Cause of the Operation Error answering a rate-limited Handle Resolution: default Lack of
   * Resources (0x6, "try again later"); RSPLIB sends Unknown Pool Handle (0x9).
   */
  readonly rateLimitCause?: number;
  /** Malformed/unexpected messages tolerated per association before abort (default 10, +1/s). */
  readonly protocolErrorBurst?: number;
  /** Rounding step of DPF distances (default 50). */
  readonly distanceStep?: number;
  /** Lowest accepted scope of PE addresses (default `"loopback"`). */
  readonly minAddressScope?: AddressScope;
  /** How PE user addresses are checked against the association (default `"association"`). */
  readonly userAddressCheck?: UserAddressCheck;
  /** PEs per Handle Table Response (default 128). */
  readonly maxElementsPerHandleTableResponse?: number;
  /** Size cap of a Handle Table Response in bytes (default 65535, at least 512). */
  readonly maxHandleTableResponseSize?: number;
  /**
   * Accept ENRP requests with sending identifier 0 ("monitors" such as `hsdump`) from
   * non-loopback addresses too (default false: loopback only).
   */
  readonly allowRemoteMonitors?: boolean;
  /**
   * Who may register into and resolve which pools (see `parseAuthorizationPolicy`); default
   * none: every peer may do everything. Refused Registrations get a Registration Response with
   * cause Rejected due to Security Considerations (0xa), refused Handle Resolutions an
   * Operation Error with that cause; refused Endpoint Unreachable reports are dropped.
   */
  readonly authorization?: AuthorizationPolicy;
  /**
   * Raise per-request events (`handle-resolution`, `association-up`, `association-down`,
   * `announce-sent`); default false: those are only counted in the statistics.
   */
  readonly verboseEvents?: boolean;
}

/** A {@link RegistrarConfig} with every default applied (what {@link Registrar.config} returns). */
export interface ResolvedRegistrarConfig {
  /** See {@link RegistrarConfig.profile}. */
  readonly profile: WireProfile;
  /** See {@link RegistrarConfig.id}. */
  readonly id: RegistrarId;
  /** See {@link RegistrarConfig.checksumCompat}. */
  readonly checksumCompat: ChecksumCompat;
  /** See {@link RegistrarConfig.peIdClash}. */
  readonly peIdClash: PeIdClashPolicy;
  /** See {@link RegistrarConfig.limits}. */
  readonly limits: HandlespaceLimits;
  /** See {@link RegistrarConfig.asapListener}. */
  readonly asapListener: string;
  /** See {@link RegistrarConfig.enrpListener}. */
  readonly enrpListener: string;
  /** See {@link RegistrarConfig.announceChannel}. */
  readonly announceChannel: string;
  /** See {@link RegistrarConfig.announceTargets}. */
  readonly announceTargets: readonly TransportAddress[];
  /** See {@link RegistrarConfig.asapEndpoints}. */
  readonly asapEndpoints: readonly TransportAddress[];
  /** See {@link RegistrarConfig.enrpEndpoint}. */
  readonly enrpEndpoint: TransportAddress | undefined;
  /** See {@link RegistrarConfig.serverAnnounceCycle}. */
  readonly serverAnnounceCycle: number;
  /** See {@link RegistrarConfig.startupPhase}. */
  readonly startupPhase: number;
  /** See {@link RegistrarConfig.keepAliveTransmissionInterval}. */
  readonly keepAliveTransmissionInterval: number;
  /** See {@link RegistrarConfig.keepAliveTimeout}. */
  readonly keepAliveTimeout: number;
  /** See {@link RegistrarConfig.maxBadPeReports}. */
  readonly maxBadPeReports: number;
  /** See {@link RegistrarConfig.maxHandleResolutionItems}. */
  readonly maxHandleResolutionItems: number;
  /** See {@link RegistrarConfig.handleResolutionItemsLimit}. */
  readonly handleResolutionItemsLimit: number;
  /** See {@link RegistrarConfig.maxIncrement}. */
  readonly maxIncrement: number;
  /** See {@link RegistrarConfig.maxHrRate}. */
  readonly maxHrRate: number;
  /** See {@link RegistrarConfig.maxEuRate}. */
  readonly maxEuRate: number;
  /** See {@link RegistrarConfig.maxMessageRate}. */
  readonly maxMessageRate: number;
  /** See {@link RegistrarConfig.maxRegistrationsPerAssociation} (0 = unlimited). */
  readonly maxRegistrationsPerAssociation: number;
  /** See {@link RegistrarConfig.maxParameters}. */
  readonly maxParameters: number;
  /** See {@link RegistrarConfig.rateLimitCause}. */
  readonly rateLimitCause: number;
  /** See {@link RegistrarConfig.protocolErrorBurst}. */
  readonly protocolErrorBurst: number;
  /** See {@link RegistrarConfig.distanceStep}. */
  readonly distanceStep: number;
  /** See {@link RegistrarConfig.minAddressScope}. */
  readonly minAddressScope: AddressScope;
  /** See {@link RegistrarConfig.userAddressCheck}. */
  readonly userAddressCheck: UserAddressCheck;
  /** See {@link RegistrarConfig.maxElementsPerHandleTableResponse}. */
  readonly maxElementsPerHandleTableResponse: number;
  /** See {@link RegistrarConfig.maxHandleTableResponseSize}. */
  readonly maxHandleTableResponseSize: number;
  /** See {@link RegistrarConfig.allowRemoteMonitors}. */
  readonly allowRemoteMonitors: boolean;
  /** See {@link RegistrarConfig.verboseEvents}. */
  readonly verboseEvents: boolean;
  /** See {@link RegistrarConfig.authorization}. */
  readonly authorization: AuthorizationPolicy | undefined;
}

const SCOPES: readonly AddressScope[] = ["loopback", "link-local", "site-local", "global"];
const CHECKS: readonly UserAddressCheck[] = ["association", "trust", "replace"];

/**
 * Applies the defaults to a registrar configuration and validates it.
 *
 * @param config The user's options.
 * @returns The resolved settings.
 * @throws {TypeError} For an option of the wrong type (e.g. an unknown profile or scope).
 * @throws {RangeError} For an option out of range (e.g. identifier 0 or a negative time).
 * @throws {SyntaxError} For an address that is not IP text.
 * @example Defaults
 * ```ts
 * import { resolveRegistrarConfig } from "./config.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const c = resolveRegistrarConfig({ rng: new SeededRng(1), id: 7n });
 * assert.equal(c.keepAliveTimeout, 5000);
 * assert.equal(c.profile, "ng");
 * assert.deepEqual(c.announceTargets, [{ address: "239.0.0.50", port: 3863 }]);
 * assert.throws(() => resolveRegistrarConfig({ rng: new SeededRng(1), id: 0n }), RangeError);
 * ```
 */
export function resolveRegistrarConfig(config: RegistrarConfig): ResolvedRegistrarConfig {
  if (config === null || typeof config !== "object") {
    throw new TypeError("Cannot create registrar: the configuration must be an object");
  }
  if (config.rng === undefined || typeof config.rng.nextU32 !== "function") {
    throw new TypeError("Cannot create registrar: rng must be an Rng");
  }
  const profile = config.profile ?? "ng";
  if (profile !== "rfc" && profile !== "ng") {
    throw new TypeError(
      `Cannot create registrar: profile "${String(profile)}" is not "rfc" or "ng"`,
    );
  }
  const id = config.id ?? randomIdentifier(config.rng, profile === "rfc" ? 32 : 64);
  if (typeof id !== "bigint" || id <= 0n || id > maxId(profile)) {
    throw new RangeError(
      `Cannot create registrar: identifier ${String(id)} is not in 1..${maxId(profile)}`,
    );
  }
  const d = ASAP_DEFAULTS;
  const scope = config.minAddressScope ?? "loopback";
  if (!SCOPES.includes(scope)) {
    throw new TypeError(`Cannot create registrar: address scope "${String(scope)}" is unknown`);
  }
  const check = config.userAddressCheck ?? "association";
  if (!CHECKS.includes(check)) {
    throw new TypeError(
      `Cannot create registrar: user address check "${String(check)}" is unknown`,
    );
  }
  const rateLimitCause = config.rateLimitCause ?? ErrorCause.LackOfResources;
  integer("rateLimitCause", rateLimitCause, 0, 0xffff);
  const maxHandle = config.maxPoolHandleLength ?? d.maxPoolHandleLength.value;
  integer("maxPoolHandleLength", maxHandle, 1, 65000);
  return {
    profile,
    id,
    checksumCompat: config.checksumCompat ?? "exact",
    peIdClash: config.peIdClash ?? "update",
    limits: {
      ...config.limits,
      maxPools: limit("maxPools", config.limits?.maxPools ?? d.maxPools.value),
      maxPoolElements: limit(
        "maxPoolElements",
        config.limits?.maxPoolElements ?? d.maxPoolElements.value,
      ),
      maxPoolElementsPerPool: limit(
        "maxPoolElementsPerPool",
        config.limits?.maxPoolElementsPerPool ?? d.maxPoolElementsPerPool.value,
      ),
      maxPoolHandleLength: maxHandle,
    },
    asapListener: name("asapListener", config.asapListener ?? "asap"),
    enrpListener: name("enrpListener", config.enrpListener ?? "enrp"),
    announceChannel: name("announceChannel", config.announceChannel ?? "asap-announce"),
    announceTargets: resolveTransportAddresses(
      "announceTargets",
      config.announceTargets ?? [{ address: ASAP_ANNOUNCE_GROUP, port: ASAP_PORT }],
    ),
    asapEndpoints: resolveTransportAddresses("asapEndpoints", config.asapEndpoints ?? []),
    enrpEndpoint: config.enrpEndpoint === undefined
      ? undefined
      : resolveTransportAddresses("enrpEndpoint", [config.enrpEndpoint])[0],
    serverAnnounceCycle: time(
      "serverAnnounceCycle",
      config.serverAnnounceCycle,
      d.serverAnnounceCycle.value,
      1,
    ),
    startupPhase: time("startupPhase", config.startupPhase, d.startupPhase.value, 0),
    keepAliveTransmissionInterval: time(
      "keepAliveTransmissionInterval",
      config.keepAliveTransmissionInterval,
      d.keepAliveTransmissionInterval.value,
      1,
    ),
    keepAliveTimeout: time(
      "keepAliveTimeout",
      config.keepAliveTimeout,
      d.keepAliveTimeout.value,
      1,
    ),
    maxBadPeReports: integer(
      "maxBadPeReports",
      config.maxBadPeReports ?? d.maxBadPeReports.value,
      1,
      0x3fffffff,
    ),
    maxHandleResolutionItems: integer(
      "maxHandleResolutionItems",
      config.maxHandleResolutionItems ?? d.maxHandleResolutionItems.value,
      1,
      1024,
    ),
    handleResolutionItemsLimit: integer(
      "handleResolutionItemsLimit",
      config.handleResolutionItemsLimit ?? d.handleResolutionItemsLimit.value,
      1,
      1024,
    ),
    maxIncrement: integer(
      "maxIncrement",
      config.maxIncrement ?? d.maxIncrement.value,
      0,
      0xffffffff,
    ),
    maxHrRate: rate("maxHrRate", config.maxHrRate ?? d.maxHrRate.value),
    maxEuRate: rate("maxEuRate", config.maxEuRate ?? d.maxEuRate.value),
    maxMessageRate: rate("maxMessageRate", config.maxMessageRate ?? d.maxMessageRate.value),
    maxRegistrationsPerAssociation: integer(
      "maxRegistrationsPerAssociation",
      config.maxRegistrationsPerAssociation ?? d.maxRegistrationsPerAssociation.value,
      0,
      0x3fffffff,
    ),
    maxParameters: integer(
      "maxParameters",
      config.maxParameters ?? d.maxParameters.value,
      4,
      65535,
    ),
    rateLimitCause,
    protocolErrorBurst: integer(
      "protocolErrorBurst",
      config.protocolErrorBurst ?? d.protocolErrorBurst.value,
      1,
      1_000_000,
    ),
    distanceStep: time("distanceStep", config.distanceStep, d.distanceStep.value, 1),
    minAddressScope: scope,
    userAddressCheck: check,
    maxElementsPerHandleTableResponse: integer(
      "maxElementsPerHandleTableResponse",
      config.maxElementsPerHandleTableResponse ?? d.maxElementsPerHandleTableResponse.value,
      1,
      100_000,
    ),
    maxHandleTableResponseSize: integer(
      "maxHandleTableResponseSize",
      config.maxHandleTableResponseSize ?? d.maxHandleTableResponseSize.value,
      512,
      65535,
    ),
    allowRemoteMonitors: config.allowRemoteMonitors ?? false,
    verboseEvents: config.verboseEvents ?? false,
    authorization: authorizationOf(config.authorization),
  };
}

function integer(option: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(
      `Cannot create registrar: ${option} ${v} is not an integer in ${min}..${max}`,
    );
  }
  return v;
}

function authorizationOf(a: AuthorizationPolicy | undefined): AuthorizationPolicy | undefined {
  if (a !== undefined && (a === null || typeof a.allows !== "function")) {
    throw new TypeError("Cannot create registrar: authorization must be an AuthorizationPolicy");
  }
  return a;
}

/** A count limit where 0 means unlimited (Infinity). */
function limit(option: string, v: number): number {
  if (v === Infinity) return v;
  integer(option, v, 0, Number.MAX_SAFE_INTEGER);
  return v === 0 ? Infinity : v;
}

function time(option: string, v: number | undefined, fallback: number, min: number): number {
  const t = v ?? fallback;
  if (typeof t !== "number" || !Number.isFinite(t) || t < min) {
    throw new RangeError(
      `Cannot create registrar: ${option} ${t} is not a time of at least ${min} ms`,
    );
  }
  return t;
}

function rate(option: string, v: number): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
    throw new RangeError(
      `Cannot create registrar: ${option} ${v} is not a rate of at least 0 per second`,
    );
  }
  return v;
}

function name(option: string, v: string): string {
  if (typeof v !== "string" || v.length === 0) {
    throw new TypeError(`Cannot create registrar: ${option} must be a non-empty string`);
  }
  return v;
}

/**
 * Validates a list of IP addresses with ports (registrar options such as `announceTargets`),
 * giving each address its canonical text.
 *
 * @param option The option's name, for error messages.
 * @param list The addresses.
 * @returns A copy with canonical addresses.
 * @throws {TypeError} If the list or an entry is not of the right type.
 * @throws {RangeError} If a port is not in 1..65535.
 * @throws {SyntaxError} If an address is not IP text.
 * @example Canonical text
 * ```ts
 * import { resolveTransportAddresses } from "./config.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(
 *   resolveTransportAddresses("asapEndpoints", [{ address: "::ffff:127.0.0.1", port: 3863 }]),
 *   [{ address: "127.0.0.1", port: 3863 }],
 * );
 * ```
 */
export function resolveTransportAddresses(
  option: string,
  list: readonly TransportAddress[],
): readonly TransportAddress[] {
  if (!Array.isArray(list)) {
    throw new TypeError(`Cannot create registrar: ${option} must be an array of addresses`);
  }
  return list.map((a) => {
    if (a === null || typeof a !== "object" || typeof a.address !== "string") {
      throw new TypeError(
        `Cannot create registrar: ${option} holds a value that is not an address`,
      );
    }
    if (!Number.isInteger(a.port) || a.port < 1 || a.port > 65535) {
      throw new RangeError(`Cannot create registrar: ${option} port ${a.port} is not in 1..65535`);
    }
    return { address: canonicalIpAddress(a.address), port: a.port };
  });
}
