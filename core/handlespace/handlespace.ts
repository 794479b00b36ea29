/**
 * The handlespace: pools by pool handle, pool elements by identifier, the
 * indexes a registrar needs (per owner, per association, per deadline) and the
 * incrementally kept handlespace and ownership checksums. A plain data
 * structure: no I/O, no clock, no events; the registrar drives it and reports
 * what happened.
 *
 * @see RFC 5352 (ASAP) sections 3.1 and 3.10, RFC 5353 (ENRP), RFC 5356 (policies)
 * @module
 */

import type { Rng } from "../rng.ts";
import { ErrorCause, type ErrorCauseCode } from "../wire/error_cause.ts";
import type {
  PoolElementId,
  PoolElementParameter,
  RegistrarId,
} from "../wire/pool_element_parameter.ts";
import { maxId, type WireProfile } from "../wire/profile.ts";
import type { TransportParameter } from "../wire/transport_parameter.ts";
import type { PolicyParameter } from "../wire/policy_parameter.ts";
import type { SelectionPool } from "../policy/selection_pool.ts";
import { defaultPolicies, type PolicyRegistry } from "../policy/registry.ts";
import { type SelectionKernel, tsSelectionKernel } from "../policy/selection_kernel.ts";
import {
  ChecksumAccumulator,
  type ChecksumCompat,
  type ChecksumWidth,
  finishRsplib16,
  partial32,
  rsplibWordSum16,
  swap16,
  wordSum16,
  wordSum32,
} from "./checksum.ts";
import { DeadlineIndex } from "./deadline_index.ts";
import type { PoolElementEntry, PoolInfo } from "./pool_element.ts";
import { Entry, MARKED, REMOVED, REPORT } from "./_entry.ts";
import { OwnerIndex } from "./_owner_index.ts";
import { AssociationIndex } from "./_association_index.ts";
import { u8Copy } from "../_slab.ts";
import {
  idWordSum16,
  idWordSum32,
  mulMod,
  partial16OfNumber,
  partial32OfNumber,
  rsplibIdWordSum16,
} from "./_partial.ts";
import { idNumber } from "./_id_number.ts";
import { compareHandles, hashHandle, Pool, sameBytes } from "./_pool.ts";

/**
 * What to do when a registration names a PE identifier that is already in
 * the pool, owned by this registrar and bound to a different association
 * (see {@link Handlespace} for the rules and citations).
 */
export type PeIdClashPolicy = "update" | "reject";

/** Configured limits; exceeding one rejects a registration (see {@link Handlespace.register}). */
export interface HandlespaceLimits {
  /** Most pools (LackOfResources beyond). Default: unlimited. */
  readonly maxPools?: number;
  /** Most pool elements in total (LackOfResources beyond). Default: unlimited. */
  readonly maxPoolElements?: number;
  /** Most pool elements per pool (LackOfResources beyond). Default: unlimited. */
  readonly maxPoolElementsPerPool?: number;
  /** Longest accepted pool handle in bytes (InvalidValues beyond). Default: 255. */
  readonly maxPoolHandleLength?: number;
  /** Most addresses in a transport parameter (InvalidValues beyond). Default: 64, as RSPLIB. */
  readonly maxAddresses?: number;
}

/** Options of a {@link Handlespace}. */
export interface HandlespaceOptions {
  /** This registrar's identifier. */
  readonly ownId: RegistrarId;
  /** Random source of the random-based policies. */
  readonly rng: Rng;
  /**
   * Wire profile: `"rfc"` (32-bit PE identifiers, Internet-16 checksums) or
   * `"ng"` (64-bit identifiers, Internet-32). Default `"ng"`.
   */
  readonly profile?: WireProfile;
  /** Internet-16 accumulator behaviour (RFC profile only); default `"exact"`. */
  readonly checksumCompat?: ChecksumCompat;
  /** Identifier clash handling; default `"update"` (RSPLIB's behaviour). */
  readonly peIdClash?: PeIdClashPolicy;
  /** MaxIncrement for {@link Handlespace.resolve}; default 0 = each policy's default. */
  readonly maxIncrement?: number;
  /** The policies pools may use; default: every built-in policy. */
  readonly policies?: PolicyRegistry;
  /**
   * Where the pools' selection engines run their hot loops: `tsSelectionKernel` (default) or
   * `createSelectionKernel()` from the policy module (WebAssembly where it measured faster; both
   * choose the same PEs). Adapters pass `createSelectionKernel({ wasm: false })` when
   * `RSERPOOL_NO_WASM` is set.
   */
  readonly selectionKernel?: SelectionKernel;
  /** Limits. */
  readonly limits?: HandlespaceLimits;
}

/** Per-call settings of {@link Handlespace.register}. */
export interface RegisterOptions {
  /** The current time (ms, monotonic); stored as the PE's last update. */
  readonly now: number;
  /**
   * The home registrar to record. An ASAP registration passes the registrar's
   * own identifier (the value the PE sent is ignored, RFC 5352 §3.1); ENRP
   * leaves it out and the Pool Element parameter's value is used.
   */
  readonly home?: RegistrarId;
  /** The registration association (ASAP only): an opaque integer chosen by the registrar. */
  readonly association?: number;
  /**
   * The PE's ASAP transport as the registrar observed it; overrides the parameter's (undefined:
   * the parameter's, as when left out).
   */
  readonly asapTransport?: TransportParameter | undefined;
}

/** Which part of a registration a rejection is about (the parameter to echo in an Operation Error). */
export type RegistrationField =
  | "pool-handle"
  | "identifier"
  | "policy"
  | "user-transport"
  | "asap-transport";

/**
 * The outcome of {@link Handlespace.register}. For a re-registration that changed nothing (a
 * keep-alive re-registration) the result is the entry object itself, which reads as `ok: true`,
 * `entry` = itself, `created: false`, `changed: false`: that case allocates nothing. Read the
 * fields; do not compare result objects.
 */
export type RegistrationResult =
  | {
    /** Accepted. */
    readonly ok: true;
    /** The PE's entry (new or updated). */
    readonly entry: PoolElementEntry;
    /** Whether the PE is new in its pool. */
    readonly created: boolean;
    /**
     * Whether the registration differs from what was stored (always true
     * when created): policy information, user or ASAP transport, home
     * registrar or registration life.
     */
    readonly changed: boolean;
  }
  | {
    /** Rejected. */
    readonly ok: false;
    /** The RFC 5354 cause. */
    readonly cause: ErrorCauseCode;
    /** Why, in words. */
    readonly reason: string;
    /** The offending part of the registration, when one can be named. */
    readonly offending?: RegistrationField;
  };

/** The kinds of per-PE deadlines a registrar keeps (at most one pending per kind and PE). */
export type DeadlineKind = "keep-alive-transmission" | "keep-alive-timeout" | "lifetime-expiry";

/** Every {@link DeadlineKind}, in index order. */
export const DEADLINE_KINDS: readonly DeadlineKind[] = [
  "keep-alive-transmission",
  "keep-alive-timeout",
  "lifetime-expiry",
];

/** A due deadline taken out by {@link Handlespace.popDue}. */
export interface DuePoolElementDeadline {
  /** The PE. */
  readonly entry: PoolElementEntry;
  /** Which deadline. */
  readonly kind: DeadlineKind;
  /** Its time. */
  readonly time: number;
}

/** A position in ENRP enumeration order: the last pool handle and PE identifier returned. */
export interface EnumerationCursor {
  /** Pool handle of the last PE returned. */
  readonly poolHandle: Uint8Array;
  /** Identifier of the last PE returned. */
  readonly id: PoolElementId;
}

/** Options of {@link Handlespace.enumerate}. */
export interface EnumerateOptions {
  /** Only PEs with this home registrar (ENRP Handle Table Request W = 1); default all. */
  readonly owner?: RegistrarId | undefined;
  /** Continue after this position (a previous page's `next`); default from the start. */
  readonly after?: EnumerationCursor | undefined;
  /** Most PEs to return; default 128 (RSPLIB's MaxElementsPerHTRequest). */
  readonly limit?: number | undefined;
}

/** One page of {@link Handlespace.enumerate}. */
export interface EnumerationPage {
  /** The PEs, in ENRP order. */
  readonly entries: PoolElementEntry[];
  /** Where to continue, or `undefined` when no matching PE follows. */
  readonly next: EnumerationCursor | undefined;
}

const KIND_INDEX: Record<DeadlineKind, number> = {
  "keep-alive-transmission": 0,
  "keep-alive-timeout": 1,
  "lifetime-expiry": 2,
};

/**
 * A registrar's handlespace.
 *
 * **Registration rules** ({@link Handlespace.register}):
 * - The first PE of a pool sets the pool's policy, user transport protocol
 *   and transport use; later PEs must match them, or they are rejected with
 *   InconsistentPoolingPolicy (0x5), InconsistentTransportType (0x7) or
 *   InconsistentDataControlConfiguration (0x8). RSPLIB enforces the same
 *   (`poolNodeCheckPoolElementNodeCompatibility`).
 * - PE identifier 0 or beyond the profile's width, port 0, no address or more
 *   than `maxAddresses`, an empty or too long pool handle, or an unknown
 *   policy type for a new pool: InvalidValues (0x3). A configured limit:
 *   LackOfResources (0x6).
 * - An identifier already in the pool is the same PE re-registering
 *   (RFC 5352 §3.1: a registration for an existing member is a
 *   re-registration that replaces its attributes; RFC 5353 treats an ENRP
 *   ADD_PE for a known PE as an update). The registration's home registrar
 *   is recorded, so a PE that moves to this registrar is re-homed, and its
 *   association is rebound. That is also RSPLIB's behaviour
 *   (`poolHandlespaceNodeAddOrUpdatePoolElementNode` updates the entry and
 *   its ownership and connection).
 * - With `peIdClash: "reject"`, a registration whose association differs
 *   from the association of an existing PE with the same identifier that
 *   this registrar owns is instead rejected with NonUniquePeIdentifier (0x4,
 *   RFC 5354 §3.10): two live associations claim one identifier, which
 *   means two PEs drew the same random identifier (a registrar removes a
 *   PE's entries when its association closes, so a bound association is a
 *   live one). ENRP updates (no association) always update.
 *
 * **Selection** ({@link Handlespace.resolve}) runs the pool's policy on all
 * its PEs (owned or not), with the injected random source.
 *
 * **Checksums** are Internet-16 (RFC profile) or Internet-32 (NG), per owner
 * and in total, kept in O(1) per change and recomputable from scratch.
 *
 * @example Register, resolve, deregister
 * ```ts
 * import { Handlespace } from "./handlespace.ts";
 * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const hs = new Handlespace({ ownId: 0x10000001n, rng: new SeededRng(1), profile: "rfc" });
 * const ph = new TextEncoder().encode("EchoPool");
 * const pe = {
 *   id: 0x1a2b3c4dn,
 *   homeRegistrarId: 0n,
 *   registrationLife: 30000,
 *   userTransport: { protocol: "sctp", port: 7, transportUse: "data", addresses: ["10.0.0.1"] },
 *   policy: policyParameter(PolicyType.LeastUsed, { load: 0 }),
 * } as const;
 * const r = hs.register(ph, pe, { now: 0, home: 0x10000001n, association: 1 });
 * assert.equal(r.ok && r.created, true);
 * assert.equal(hs.resolve(ph, 3)[0]?.id, 0x1a2b3c4dn);
 * assert.equal(hs.ownershipChecksum(0x10000001n), 0x3bd9); // spec/checksum.md §7, PE 1
 * assert.equal(hs.deregister(ph, 0x1a2b3c4dn)?.id, 0x1a2b3c4dn);
 * assert.equal(hs.size, 0);
 * ```
 */
export class Handlespace {
  readonly #ownId: RegistrarId;
  readonly #rng: Rng;
  readonly #profile: WireProfile;
  readonly #width: ChecksumWidth;
  readonly #compat: ChecksumCompat;
  readonly #rsplib: boolean;
  readonly #maxId: bigint;
  /** The largest identifier as a number when that is exact (RFC: 2^32 − 1), else 2^53 − 1. */
  readonly #maxIdNumber: number;
  /** Whether peIdClash is "reject". */
  readonly #rejectClash: boolean;
  readonly #maxIncrement: number;
  readonly #policies: PolicyRegistry;
  readonly #kernel: SelectionKernel;
  readonly #maxPools: number;
  readonly #maxPes: number;
  readonly #maxPerPool: number;
  readonly #maxHandle: number;
  readonly #maxAddresses: number;

  // Pools: open addressing with linear probing on hashHandle(), plus a most-recently-used hint.
  #table: (Pool | undefined)[] = new Array(16).fill(undefined);
  #mask = 15;
  #poolCount = 0;
  #mru: Pool | undefined = undefined;
  #sortedPools: Pool[] | undefined = undefined;

  #size = 0;
  readonly #owners: OwnerIndex;
  readonly #total: ChecksumAccumulator;
  /** Association number → key (#byKey index) of the first PE registered over it. */
  readonly #associations = new AssociationIndex();
  readonly #deadlines = [new DeadlineIndex(), new DeadlineIndex(), new DeadlineIndex()];
  // Entries by key; the slot of a removed entry holds the next free key (−1: none), so the free
  // keys form a stack threaded through the array (last freed, first reused) that allocates
  // nothing: a JavaScript array of free keys grown by push() allocated ~29 bytes per removal
  // when a pool of 1000 PEs went at once (bench/HISTORY.md, wave 14 `rereg`).
  readonly #byKey: (Entry | number)[] = [];
  #freeKey = -1;

  /**
   * Creates an empty handlespace.
   *
   * @param options Own identifier, random source, profile and limits.
   * @throws {RangeError} For invalid options (e.g. `"rsplib"` checksums with the NG profile).
   */
  constructor(options: HandlespaceOptions) {
    this.#ownId = options.ownId;
    this.#rng = options.rng;
    this.#profile = options.profile ?? "ng";
    this.#width = this.#profile === "rfc" ? 16 : 32;
    this.#compat = options.checksumCompat ?? "exact";
    this.#rsplib = this.#compat === "rsplib";
    if (this.#compat === "rsplib" && this.#profile !== "rfc") {
      throw new RangeError(
        'Cannot create handlespace: checksumCompat "rsplib" needs the "rfc" profile',
      );
    }
    this.#maxId = maxId(this.#profile);
    this.#maxIdNumber = Math.min(Number(this.#maxId), Number.MAX_SAFE_INTEGER);
    this.#rejectClash = (options.peIdClash ?? "update") === "reject";
    this.#maxIncrement = options.maxIncrement ?? 0;
    if ((this.#maxIncrement >>> 0) !== this.#maxIncrement) {
      throw new RangeError(
        `Cannot create handlespace: MaxIncrement ${this.#maxIncrement} is not a non-negative integer`,
      );
    }
    this.#policies = options.policies ?? defaultPolicies;
    this.#kernel = options.selectionKernel ?? tsSelectionKernel;
    const limits = options.limits ?? {};
    this.#maxPools = limits.maxPools ?? Infinity;
    this.#maxPes = limits.maxPoolElements ?? Infinity;
    this.#maxPerPool = limits.maxPoolElementsPerPool ?? Infinity;
    this.#maxHandle = limits.maxPoolHandleLength ?? 255;
    this.#maxAddresses = limits.maxAddresses ?? 64;
    this.#owners = new OwnerIndex(this.#ownId, this.#width, this.#compat);
    this.#total = new ChecksumAccumulator(this.#width, this.#compat);
  }

  /** This registrar's identifier. */
  get ownId(): RegistrarId {
    return this.#ownId;
  }
  /** The wire profile (identifier width and checksum). */
  get profile(): WireProfile {
    return this.#profile;
  }
  /** Number of pool elements. */
  get size(): number {
    return this.#size;
  }
  /** Number of pools. */
  get poolCount(): number {
    return this.#poolCount;
  }

  /**
   * Registers a pool element, or updates it when its identifier is already
   * in the pool (see the class documentation for the rules). Peer data that
   * breaks a rule gives a rejection result, never an exception.
   *
   * @param poolHandle The pool handle (copied when a pool is created).
   * @param element The Pool Element parameter value.
   * @param options Time, home registrar, association, ASAP transport.
   * @returns The entry, or the RFC 5354 cause of the rejection.
   * @throws {TypeError} If the association is not an integer.
   * @example An inconsistent policy is rejected
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import { ErrorCause } from "../wire/error_cause.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * const hs = new Handlespace({ ownId: 1n, rng: new SeededRng(1) });
   * const ph = new TextEncoder().encode("p");
   * const pe = (id: bigint, type: number) => ({
   *   id, homeRegistrarId: 0n, registrationLife: 30000,
   *   userTransport: { protocol: "tcp", port: 80, transportUse: "data", addresses: ["10.0.0.1"] },
   *   policy: policyParameter(type),
   * } as const);
   * assert.equal(hs.register(ph, pe(1n, PolicyType.RoundRobin), { now: 0, home: 1n }).ok, true);
   * const r = hs.register(ph, pe(2n, PolicyType.Random), { now: 0, home: 1n });
   * assert.equal(r.ok, false);
   * assert.equal(!r.ok && r.cause, ErrorCause.InconsistentPoolingPolicy);
   * ```
   */
  register(
    poolHandle: Uint8Array,
    element: PoolElementParameter,
    options: RegisterOptions,
  ): RegistrationResult {
    // Small enough for V8 to inline into the caller, so that an options object written at the
    // call site is never allocated (escape analysis): it was the only allocation of a keep-alive
    // re-registration (bench/HISTORY.md, wave 14 `rereg`).
    return this.#register(
      poolHandle,
      element,
      options.now,
      options.home ?? element.homeRegistrarId,
      options.association,
      options.asapTransport ?? element.asapTransport,
    );
  }

  // register() with the options read out.
  #register(
    poolHandle: Uint8Array,
    element: PoolElementParameter,
    now: number,
    home: bigint,
    association: number | undefined,
    asap: TransportParameter | undefined,
  ): RegistrationResult {
    const id = element.id;
    const hl = poolHandle.length;
    if (hl === 0 || hl > this.#maxHandle) {
      return reject(
        ErrorCause.InvalidValues,
        `pool handle length ${hl} is not in 1..${this.#maxHandle}`,
        "pool-handle",
      );
    }
    // The identifier as a number, once (a BigInt operation costs several ns): exact below 2^53,
    // so the range check needs BigInt arithmetic only beyond (NG identifiers above 2^53) and
    // for ids that are no 64-bit value (n = −1).
    const n = idNumber(id);
    if (!(n >= 1 && n <= this.#maxIdNumber) && (id <= 0n || id > this.#maxId)) {
      return reject(
        ErrorCause.InvalidValues,
        `PE identifier ${id} is not in 1..${this.#maxId}`,
        "identifier",
      );
    }
    const ut = element.userTransport;
    const bad = this.#badTransport(ut);
    if (bad !== undefined) {
      return reject(ErrorCause.InvalidValues, `user transport ${bad}`, "user-transport");
    }
    if (asap !== undefined) {
      const badAsap = this.#badTransport(asap);
      if (badAsap !== undefined) {
        return reject(ErrorCause.InvalidValues, `ASAP transport ${badAsap}`, "asap-transport");
      }
    }
    if (association !== undefined && !Number.isInteger(association)) {
      throw new TypeError(
        `Cannot register pool element: association ${association} is not an integer`,
      );
    }
    const policy = element.policy;
    let pool = this.#mru;
    if (pool === undefined || !pool.matchesHandle(poolHandle)) pool = this.#find(poolHandle);
    if (pool === undefined) {
      const poolPolicy = this.#policies.byType(policy.type);
      if (poolPolicy === undefined) {
        return reject(
          ErrorCause.InvalidValues,
          `policy type 0x${policy.type.toString(16).padStart(8, "0")} is not supported`,
          "policy",
        );
      }
      if (this.#poolCount >= this.#maxPools) {
        return reject(ErrorCause.LackOfResources, `pool limit ${this.#maxPools} reached`);
      }
      if (this.#size >= this.#maxPes) {
        return reject(ErrorCause.LackOfResources, `pool element limit ${this.#maxPes} reached`);
      }
      pool = this.#createPool(poolHandle, poolPolicy.type, ut);
    } else {
      if (ut.protocol !== pool.transportProtocol) {
        return reject(
          ErrorCause.InconsistentTransportType,
          `user transport ${ut.protocol} differs from the pool's ${pool.transportProtocol}`,
          "user-transport",
        );
      }
      if (ut.transportUse !== pool.transportUse) {
        return reject(
          ErrorCause.InconsistentDataControlConfiguration,
          `transport use ${ut.transportUse} differs from the pool's ${pool.transportUse}`,
          "user-transport",
        );
      }
      if (policy.type !== pool.policy.type) {
        return reject(
          ErrorCause.InconsistentPoolingPolicy,
          `policy ${
            this.#policies.byType(policy.type)?.name ?? `0x${policy.type.toString(16)}`
          } differs from the pool's ${pool.policy.name}`,
          "policy",
        );
      }
      const existing = pool.lookup(id, n);
      if (existing !== undefined) {
        return this.#update(existing, element, home, asap, association, now);
      }
      if (pool.selection.size >= this.#maxPerPool) {
        return reject(
          ErrorCause.LackOfResources,
          `pool element limit ${this.#maxPerPool} per pool reached`,
        );
      }
      if (this.#size >= this.#maxPes) {
        return reject(ErrorCause.LackOfResources, `pool element limit ${this.#maxPes} reached`);
      }
    }
    const entry = this.#insert(pool, element, n, home, asap, association, now);
    return { ok: true, entry, created: true, changed: true };
  }

  /**
   * Removes a pool element by pool handle and identifier; the pool goes with
   * its last PE.
   *
   * @param poolHandle The pool handle.
   * @param id The PE identifier.
   * @returns The removed entry (now not live), or `undefined` if unknown.
   * @example Unknown PE
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * const hs = new Handlespace({ ownId: 1n, rng: new SeededRng(1) });
   * assert.equal(hs.deregister(new Uint8Array([1]), 5n), undefined);
   * ```
   */
  deregister(poolHandle: Uint8Array, id: PoolElementId): PoolElementEntry | undefined {
    const n = idNumber(id);
    let pool = this.#mru;
    if (pool === undefined || !pool.matchesHandle(poolHandle)) pool = this.#find(poolHandle);
    const entry = pool?.lookup(id, n);
    if (entry === undefined) return undefined;
    this.#remove(entry, n);
    return entry;
  }

  /**
   * Removes a pool element given its entry (keep-alive timeout, Endpoint
   * Unreachable threshold, lifetime expiry, table synchronisation purge).
   *
   * @param entry A live entry of this handlespace.
   * @returns Whether it was removed (false if it was not live).
   * @throws {TypeError} If the entry belongs to another handlespace.
   * @example Remove twice
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * const hs = new Handlespace({ ownId: 1n, rng: new SeededRng(1) });
   * const r = hs.register(new Uint8Array([1]), {
   *   id: 9n, homeRegistrarId: 2n, registrationLife: 1000,
   *   userTransport: { protocol: "udp", port: 9, transportUse: "data", addresses: ["10.1.1.1"] },
   *   policy: policyParameter(PolicyType.Random),
   * }, { now: 0 });
   * assert.ok(r.ok);
   * assert.equal(hs.remove(r.entry), true);
   * assert.equal(hs.remove(r.entry), false);
   * ```
   */
  remove(entry: PoolElementEntry): boolean {
    if (!entry.live) return false;
    this.#remove(this.#own(entry));
    return true;
  }

  /**
   * Handle resolution: selects up to k distinct PEs of a pool by its policy.
   * Allocates the result; see {@link Handlespace.resolveInto} for the
   * allocation-free form.
   *
   * @param poolHandle The pool handle.
   * @param k How many PEs (a registrar caps this, e.g. at 128).
   * @param maxIncrement How many of the selected count as used; default the handlespace's setting.
   * @returns The selected entries (empty for an unknown pool).
   * @example Unknown pool
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * const hs = new Handlespace({ ownId: 1n, rng: new SeededRng(1) });
   * assert.deepEqual(hs.resolve(new Uint8Array([1]), 3), []);
   * ```
   */
  resolve(
    poolHandle: Uint8Array,
    k: number,
    maxIncrement: number = this.#maxIncrement,
  ): PoolElementEntry[] {
    const out: PoolElementEntry[] = [];
    this.resolveInto(poolHandle, k, out, maxIncrement);
    return out;
  }

  /**
   * Handle resolution without allocation: writes the selected entries into
   * `out[0 .. n)` and returns n. n is 0 for an unknown pool (pools are never
   * empty) and for a pool whose PEs all have selection weight 0.
   *
   * @param poolHandle The pool handle.
   * @param k How many PEs (non-negative integer).
   * @param out Receives the entries (give it room for k to avoid growth).
   * @param maxIncrement How many of the selected count as used; default the handlespace's setting.
   * @returns The number of entries written.
   * @throws {RangeError} If k or maxIncrement is not a non-negative integer.
   * @example Reuse one output array
   * ```ts
   * import { Handlespace, type PoolElementEntry } from "./mod.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * const hs = new Handlespace({ ownId: 1n, rng: new SeededRng(1) });
   * const ph = new Uint8Array([7]);
   * for (const id of [1n, 2n]) {
   *   hs.register(ph, {
   *     id, homeRegistrarId: 1n, registrationLife: 1000,
   *     userTransport: { protocol: "tcp", port: 1, transportUse: "data", addresses: ["10.0.0.1"] },
   *     policy: policyParameter(PolicyType.RoundRobin),
   *   }, { now: 0 });
   * }
   * const out: PoolElementEntry[] = [];
   * assert.equal(hs.resolveInto(ph, 1, out), 1);
   * assert.equal(out[0]?.id, 1n);
   * hs.resolveInto(ph, 1, out);
   * assert.equal(out[0]?.id, 2n);
   * ```
   */
  resolveInto(
    poolHandle: Uint8Array,
    k: number,
    out: PoolElementEntry[],
    maxIncrement?: number,
  ): number {
    // The most recently used pool (compared by bytes) with k checked and the handlespace's
    // maxIncrement, inline; anything else out of line. Kept small (no default parameter, no
    // second check in SelectionPool) so that V8 inlines both the k = 1 and the k > 1 selection
    // into it or its caller: everything inlined into one optimised function shares 920 bytes
    // of bytecode (bench/HISTORY.md, wave 11).
    const pool = this.#mru;
    if (
      pool === undefined || maxIncrement !== undefined || (k >>> 0) !== k ||
      !pool.matchesHandle(poolHandle)
    ) return this.#resolveOther(poolHandle, k, out, maxIncrement);
    // (Live slots always hold an entry, so the selected ones are never undefined.)
    const selection = pool.selection, entries = pool.entries as readonly PoolElementEntry[];
    const rng = this.#rng, mi = pool.maxIncrement;
    if (k !== 1) return selection.selectIntoTrusted(k, entries, out, rng, mi);
    const s = selection.selectOneTrusted(rng, mi);
    if (s < 0) return 0;
    out[0] = entries[s]!;
    return 1;
  }

  // resolveInto() off its inline path: a pool other than the most recently used one (found by
  // its hash), an explicit maxIncrement, or a k that is not a non-negative integer; the checks
  // and the selection of SelectionPool.selectOne / selectInto, which throw RangeError for a
  // bad k or maxIncrement (k first, and for an unknown pool only k).
  #resolveOther(
    poolHandle: Uint8Array,
    k: number,
    out: PoolElementEntry[],
    maxIncrement: number | undefined,
  ): number {
    const pool = this.#find(poolHandle);
    if (pool === undefined) return unknownPool(k);
    const mi = maxIncrement === undefined ? this.#maxIncrement : maxIncrement;
    const selection = pool.selection;
    if (k !== 1) {
      const entries = pool.entries as readonly PoolElementEntry[];
      return selection.selectInto(k, entries, out, this.#rng, mi);
    }
    const s = selection.selectOne(this.#rng, mi);
    if (s < 0) return 0;
    out[0] = pool.entries[s]!;
    return 1;
  }

  /**
   * Looks up one pool element.
   *
   * @param poolHandle The pool handle.
   * @param id The PE identifier.
   * @returns The entry, or `undefined`.
   * @example Not found
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * assert.equal(new Handlespace({ ownId: 1n, rng: new SeededRng(1) }).find(new Uint8Array([1]), 1n), undefined);
   * ```
   */
  find(poolHandle: Uint8Array, id: PoolElementId): PoolElementEntry | undefined {
    return this.#find(poolHandle)?.lookup(id, idNumber(id));
  }

  /**
   * A pool's settings and size.
   *
   * @param poolHandle The pool handle.
   * @returns The pool, or `undefined` if it does not exist.
   * @example Unknown pool
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * assert.equal(new Handlespace({ ownId: 1n, rng: new SeededRng(1) }).pool(new Uint8Array([1])), undefined);
   * ```
   */
  pool(poolHandle: Uint8Array): PoolInfo | undefined {
    return this.#find(poolHandle);
  }

  /**
   * Every pool, in ENRP order of pool handles (shorter first, then bytewise).
   *
   * @returns The pools.
   * @example No pools
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new Handlespace({ ownId: 1n, rng: new SeededRng(1) }).pools(), []);
   * ```
   */
  pools(): PoolInfo[] {
    return [...this.#pools()];
  }

  /**
   * The pool elements of one pool in identifier order, a page at a time.
   *
   * @param poolHandle The pool handle.
   * @param options `after`: continue after this identifier; `limit`: page size (default 128).
   * @returns Up to `limit` entries (empty for an unknown pool).
   * @example Empty
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * const hs = new Handlespace({ ownId: 1n, rng: new SeededRng(1) });
   * assert.deepEqual(hs.poolElements(new Uint8Array([1])), []);
   * ```
   */
  poolElements(
    poolHandle: Uint8Array,
    options: { readonly after?: PoolElementId | undefined; readonly limit?: number | undefined } =
      {},
  ): PoolElementEntry[] {
    const limit = checkLimit(options.limit ?? 128);
    const pool = this.#find(poolHandle);
    const out: PoolElementEntry[] = [];
    if (pool === undefined) return out;
    for (const e of pool.order.from(options.after)) {
      if (out.length >= limit) break;
      out.push(e);
    }
    return out;
  }

  /**
   * Pages through the handlespace in ENRP order (pool handle: shorter first,
   * then bytes; then PE identifier), optionally only the PEs of one owner, as
   * a Handle Table Response needs. The cursor is a plain position, so it can
   * be kept across calls while the handlespace changes: PEs removed meanwhile
   * are skipped, and PEs added behind the cursor are found.
   *
   * @param options Owner filter, cursor and page size.
   * @returns The page and the cursor for the next one.
   * @example Two pages
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * const hs = new Handlespace({ ownId: 1n, rng: new SeededRng(1) });
   * for (const [ph, id] of [["bb", 1n], ["a", 2n], ["a", 1n]] as const) {
   *   hs.register(new TextEncoder().encode(ph), {
   *     id, homeRegistrarId: 1n, registrationLife: 1000,
   *     userTransport: { protocol: "tcp", port: 1, transportUse: "data", addresses: ["10.0.0.1"] },
   *     policy: policyParameter(PolicyType.RoundRobin),
   *   }, { now: 0 });
   * }
   * const p1 = hs.enumerate({ limit: 2 });
   * assert.deepEqual(p1.entries.map((e) => e.id), [1n, 2n]); // pool "a"
   * const p2 = hs.enumerate({ limit: 2, after: p1.next });
   * assert.deepEqual(p2.entries.map((e) => e.id), [1n]); // pool "bb"
   * assert.equal(p2.next, undefined);
   * ```
   */
  enumerate(options: EnumerateOptions = {}): EnumerationPage {
    const limit = checkLimit(options.limit ?? 128);
    const owner = options.owner;
    const after = options.after;
    const pools = this.#pools();
    let i = 0;
    if (after !== undefined) {
      let lo = 0, hi = pools.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compareHandles(pools[mid]!.poolHandle, after.poolHandle) < 0) lo = mid + 1;
        else hi = mid;
      }
      i = lo;
    }
    const entries: PoolElementEntry[] = [];
    for (; i < pools.length; i++) {
      const pool = pools[i]!;
      const from = after !== undefined && sameBytes(pool.poolHandle, after.poolHandle)
        ? after.id
        : undefined;
      for (const e of pool.order.from(from)) {
        if (owner !== undefined && e.homeRegistrarId !== owner) continue;
        if (entries.length === limit) {
          const last = entries[limit - 1]!;
          return { entries, next: { poolHandle: last.poolHandle, id: last.id } };
        }
        entries.push(e);
      }
    }
    return { entries, next: undefined };
  }

  /**
   * The finished ownership checksum of one home registrar: over the PEs whose
   * home is `owner` (the value of an ENRP Presence's PE Checksum parameter
   * when `owner` is this registrar). O(1).
   *
   * @param owner A registrar identifier.
   * @returns The 16- or 32-bit checksum (0xffff / 0xffffffff for no PEs).
   * @example No PEs
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * const hs = new Handlespace({ ownId: 1n, rng: new SeededRng(1), profile: "rfc" });
   * assert.equal(hs.ownershipChecksum(1n), 0xffff);
   * ```
   */
  ownershipChecksum(owner: RegistrarId): number {
    const rec = this.#owners.get(owner);
    return rec === undefined ? this.#emptyChecksum() : rec.checksum.value();
  }

  /**
   * The finished checksum over the whole handlespace. O(1).
   *
   * @returns The 16- or 32-bit checksum.
   * @example Empty NG handlespace
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * assert.equal(new Handlespace({ ownId: 1n, rng: new SeededRng(1) }).handlespaceChecksum(), 0xffffffff);
   * ```
   */
  handlespaceChecksum(): number {
    return this.#total.value();
  }

  /**
   * Recomputes an ownership checksum from scratch (for audits and tests):
   * every PE's partial sum is derived again from its pool handle and
   * identifier. O(number of PEs).
   *
   * @param owner A registrar identifier.
   * @returns The same value {@link Handlespace.ownershipChecksum} returns when all is well.
   * @example Audit
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * const hs = new Handlespace({ ownId: 1n, rng: new SeededRng(1) });
   * assert.equal(hs.computeOwnershipChecksum(1n), hs.ownershipChecksum(1n));
   * ```
   */
  computeOwnershipChecksum(owner: RegistrarId): number {
    return this.#recompute(owner);
  }

  /**
   * Recomputes the handlespace checksum from scratch. O(number of PEs).
   *
   * @returns The same value {@link Handlespace.handlespaceChecksum} returns when all is well.
   * @example Audit
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * const hs = new Handlespace({ ownId: 1n, rng: new SeededRng(1) });
   * assert.equal(hs.computeHandlespaceChecksum(), hs.handlespaceChecksum());
   * ```
   */
  computeHandlespaceChecksum(): number {
    return this.#recompute(undefined);
  }

  /**
   * Number of PEs whose home is a registrar.
   *
   * @param owner A registrar identifier.
   * @returns The count.
   * @example None
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * assert.equal(new Handlespace({ ownId: 1n, rng: new SeededRng(1) }).ownedCount(1n), 0);
   * ```
   */
  ownedCount(owner: RegistrarId): number {
    return this.#owners.get(owner)?.count ?? 0;
  }

  /**
   * Every registrar that is home of at least one PE.
   *
   * @returns The identifiers, in no particular order.
   * @example None
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new Handlespace({ ownId: 1n, rng: new SeededRng(1) }).owners(), []);
   * ```
   */
  owners(): RegistrarId[] {
    return this.#owners.ids();
  }

  /**
   * The PEs whose home is a registrar (a snapshot array).
   *
   * @param owner A registrar identifier.
   * @returns The entries, in no particular order.
   * @example None
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new Handlespace({ ownId: 1n, rng: new SeededRng(1) }).entriesOf(7n), []);
   * ```
   */
  entriesOf(owner: RegistrarId): PoolElementEntry[] {
    return this.#owners.get(owner)?.entries() ?? [];
  }

  /**
   * Changes the home registrar of one PE (moving its partial sum between
   * the ownership checksums).
   *
   * @param entry A live entry.
   * @param home The new home registrar.
   * @returns Whether the home changed.
   * @throws {TypeError} If the entry is not a live entry of this handlespace.
   * @example Re-home
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * const hs = new Handlespace({ ownId: 1n, rng: new SeededRng(1) });
   * const r = hs.register(new Uint8Array([1]), {
   *   id: 5n, homeRegistrarId: 2n, registrationLife: 1000,
   *   userTransport: { protocol: "tcp", port: 1, transportUse: "data", addresses: ["10.0.0.1"] },
   *   policy: policyParameter(PolicyType.RoundRobin),
   * }, { now: 0 });
   * assert.ok(r.ok);
   * assert.equal(hs.changeOwner(r.entry, 1n), true);
   * assert.equal(hs.ownedCount(1n), 1);
   * assert.equal(hs.ownedCount(2n), 0);
   * ```
   */
  changeOwner(entry: PoolElementEntry, home: RegistrarId): boolean {
    const e = this.#own(entry);
    if (!e.live) throw new TypeError("Cannot change owner: the pool element has been removed");
    if (e.homeRegistrarId === home) return false;
    this.#rehome(e, home);
    return true;
  }

  /**
   * Takeover: makes `to` the home of every PE whose home is `from`.
   *
   * @param from The old home registrar (e.g. a dead peer).
   * @param to The new home registrar (e.g. this registrar).
   * @returns The moved entries.
   * @example Take over a peer's PEs
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * const hs = new Handlespace({ ownId: 1n, rng: new SeededRng(1) });
   * hs.register(new Uint8Array([1]), {
   *   id: 5n, homeRegistrarId: 2n, registrationLife: 1000,
   *   userTransport: { protocol: "tcp", port: 1, transportUse: "data", addresses: ["10.0.0.1"] },
   *   policy: policyParameter(PolicyType.RoundRobin),
   * }, { now: 0 });
   * const before = hs.ownershipChecksum(2n);
   * assert.equal(hs.transferOwnership(2n, 1n).length, 1);
   * assert.equal(hs.ownershipChecksum(1n), before);
   * ```
   */
  transferOwnership(from: RegistrarId, to: RegistrarId): PoolElementEntry[] {
    const moved = this.#owners.get(from)?.entries() ?? [];
    if (from === to) return moved;
    for (const e of moved) this.#rehome(e, to);
    return moved;
  }

  /**
   * Marks every PE of an owner (start of an ENRP table synchronisation). Any
   * later registration or update of a PE clears its mark.
   *
   * @param owner The owner.
   * @returns How many PEs were marked.
   * @example Mark nothing
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * assert.equal(new Handlespace({ ownId: 1n, rng: new SeededRng(1) }).markOwner(2n), 0);
   * ```
   */
  markOwner(owner: RegistrarId): number {
    let n = 0;
    for (let e = this.#owners.get(owner)?.head; e !== undefined; e = e.ownerNext) {
      e.flags |= MARKED;
      n++;
    }
    return n;
  }

  /**
   * Removes the PEs of an owner that are still marked (end of a table
   * synchronisation).
   *
   * @param owner The owner.
   * @returns The removed entries.
   * @example Mark, refresh one, purge the other
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * const hs = new Handlespace({ ownId: 1n, rng: new SeededRng(1) });
   * const ph = new Uint8Array([1]);
   * const pe = (id: bigint) => ({
   *   id, homeRegistrarId: 2n, registrationLife: 1000,
   *   userTransport: { protocol: "tcp", port: 1, transportUse: "data", addresses: ["10.0.0.1"] },
   *   policy: policyParameter(PolicyType.RoundRobin),
   * } as const);
   * hs.register(ph, pe(1n), { now: 0 });
   * hs.register(ph, pe(2n), { now: 0 });
   * hs.markOwner(2n);
   * hs.register(ph, pe(1n), { now: 1 });
   * assert.deepEqual(hs.purgeMarked(2n).map((e) => e.id), [2n]);
   * ```
   */
  purgeMarked(owner: RegistrarId): PoolElementEntry[] {
    const removed: Entry[] = [];
    for (const e of this.#owners.get(owner)?.entries() ?? []) {
      if ((e.flags & MARKED) !== 0) {
        this.#remove(e);
        removed.push(e);
      }
    }
    return removed;
  }

  /**
   * The PEs registered over an association.
   *
   * @param association The association number given at registration.
   * @returns The entries (a snapshot array).
   * @example None
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * assert.deepEqual(new Handlespace({ ownId: 1n, rng: new SeededRng(1) }).entriesOfAssociation(3), []);
   * ```
   */
  entriesOfAssociation(association: number): PoolElementEntry[] {
    const out: Entry[] = [];
    const headKey = this.#associations.get(association);
    for (
      let e = headKey >= 0 ? this.#byKey[headKey] as Entry : undefined;
      e !== undefined;
      e = e.assocNext
    ) {
      out.push(e);
    }
    return out;
  }

  /**
   * Counts the PEs registered over an association, up to a bound (no allocation; the walk
   * stops at `atMost`, so a limit check costs at most the limit).
   *
   * @param association The association number given at registration.
   * @param atMost Stop counting here (default: count all).
   * @returns The number of PEs, at most `atMost`.
   * @example None yet
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * assert.equal(new Handlespace({ ownId: 1n, rng: new SeededRng(1) }).countOfAssociation(3), 0);
   * ```
   */
  countOfAssociation(association: number, atMost = Infinity): number {
    let n = 0;
    const headKey = this.#associations.get(association);
    for (
      let e = headKey >= 0 ? this.#byKey[headKey] as Entry : undefined;
      e !== undefined && n < atMost;
      e = e.assocNext
    ) {
      n++;
    }
    return n;
  }

  /**
   * Removes every PE registered over an association (the association closed).
   *
   * @param association The association number.
   * @returns The removed entries.
   * @example Close an association
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * const hs = new Handlespace({ ownId: 1n, rng: new SeededRng(1) });
   * hs.register(new Uint8Array([1]), {
   *   id: 5n, homeRegistrarId: 0n, registrationLife: 1000,
   *   userTransport: { protocol: "tcp", port: 1, transportUse: "data", addresses: ["10.0.0.1"] },
   *   policy: policyParameter(PolicyType.RoundRobin),
   * }, { now: 0, home: 1n, association: 42 });
   * assert.equal(hs.removeAssociation(42).length, 1);
   * assert.equal(hs.size, 0);
   * ```
   */
  removeAssociation(association: number): PoolElementEntry[] {
    const victims = this.entriesOfAssociation(association) as Entry[];
    for (const e of victims) this.#remove(e);
    return victims;
  }

  /**
   * Counts an Endpoint Unreachable report for a PE. The registrar decides
   * when the count is high enough to remove it (RSPLIB: 3).
   *
   * @param poolHandle The pool handle.
   * @param id The PE identifier.
   * @returns The entry with its new count, or `undefined` for an unknown PE.
   * @example Count reports
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * const hs = new Handlespace({ ownId: 1n, rng: new SeededRng(1) });
   * const ph = new Uint8Array([1]);
   * hs.register(ph, {
   *   id: 5n, homeRegistrarId: 1n, registrationLife: 1000,
   *   userTransport: { protocol: "tcp", port: 1, transportUse: "data", addresses: ["10.0.0.1"] },
   *   policy: policyParameter(PolicyType.RoundRobin),
   * }, { now: 0 });
   * hs.reportUnreachable(ph, 5n);
   * assert.equal(hs.reportUnreachable(ph, 5n)?.unreachableReports, 2);
   * ```
   */
  reportUnreachable(poolHandle: Uint8Array, id: PoolElementId): PoolElementEntry | undefined {
    const e = this.#find(poolHandle)?.lookup(id, idNumber(id));
    if (e !== undefined) e.flags += REPORT;
    return e;
  }

  /**
   * Clears a PE's Endpoint Unreachable count (it proved alive, e.g. by answering the keep-alive
   * a registrar sends to confirm the reports).
   *
   * @param entry An entry of this handlespace (removed ones are ignored).
   * @example Reports cleared
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * const hs = new Handlespace({ ownId: 1n, rng: new SeededRng(1) });
   * const ph = new Uint8Array([1]);
   * hs.register(ph, {
   *   id: 5n, homeRegistrarId: 1n, registrationLife: 1000,
   *   userTransport: { protocol: "tcp", port: 1, transportUse: "data", addresses: ["10.0.0.1"] },
   *   policy: policyParameter(PolicyType.RoundRobin),
   * }, { now: 0 });
   * const e = hs.reportUnreachable(ph, 5n)!;
   * hs.clearUnreachableReports(e);
   * assert.equal(e.unreachableReports, 0);
   * ```
   */
  clearUnreachableReports(entry: PoolElementEntry): void {
    const e = entry as Entry;
    if (e.live) e.flags &= REPORT - 1;
  }

  /**
   * Sets (or moves) a PE's deadline of one kind.
   *
   * @param entry A live entry.
   * @param kind The deadline kind.
   * @param time When it is due (ms, the caller's monotonic clock).
   * @throws {TypeError} If the entry is not a live entry of this handlespace.
   * @example Earliest deadline
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * const hs = new Handlespace({ ownId: 1n, rng: new SeededRng(1) });
   * const r = hs.register(new Uint8Array([1]), {
   *   id: 5n, homeRegistrarId: 1n, registrationLife: 1000,
   *   userTransport: { protocol: "tcp", port: 1, transportUse: "data", addresses: ["10.0.0.1"] },
   *   policy: policyParameter(PolicyType.RoundRobin),
   * }, { now: 0 });
   * assert.ok(r.ok);
   * hs.setDeadline(r.entry, "keep-alive-transmission", 5000);
   * hs.setDeadline(r.entry, "lifetime-expiry", 1000);
   * assert.equal(hs.nextDeadline(), 1000);
   * assert.equal(hs.popDue(1000)?.kind, "lifetime-expiry");
   * ```
   */
  setDeadline(entry: PoolElementEntry, kind: DeadlineKind, time: number): void {
    const e = this.#live(entry);
    this.#deadlines[kindIndex(kind)]!.set(e.key, time);
  }

  /**
   * Clears a PE's deadline of one kind.
   *
   * @param entry A live entry.
   * @param kind The deadline kind.
   * @returns Whether one was pending.
   * @throws {TypeError} If the entry is not a live entry of this handlespace.
   * @example Nothing pending
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * const hs = new Handlespace({ ownId: 1n, rng: new SeededRng(1) });
   * const r = hs.register(new Uint8Array([1]), {
   *   id: 5n, homeRegistrarId: 1n, registrationLife: 1000,
   *   userTransport: { protocol: "tcp", port: 1, transportUse: "data", addresses: ["10.0.0.1"] },
   *   policy: policyParameter(PolicyType.RoundRobin),
   * }, { now: 0 });
   * assert.ok(r.ok);
   * assert.equal(hs.clearDeadline(r.entry, "keep-alive-timeout"), false);
   * ```
   */
  clearDeadline(entry: PoolElementEntry, kind: DeadlineKind): boolean {
    const e = this.#live(entry);
    return this.#deadlines[kindIndex(kind)]!.clear(e.key);
  }

  /**
   * A PE's pending deadline of one kind.
   *
   * @param entry A live entry.
   * @param kind The deadline kind.
   * @returns Its time, or `undefined`.
   * @throws {TypeError} If the entry is not a live entry of this handlespace.
   * @example Read back
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * const hs = new Handlespace({ ownId: 1n, rng: new SeededRng(1) });
   * const r = hs.register(new Uint8Array([1]), {
   *   id: 5n, homeRegistrarId: 1n, registrationLife: 1000,
   *   userTransport: { protocol: "tcp", port: 1, transportUse: "data", addresses: ["10.0.0.1"] },
   *   policy: policyParameter(PolicyType.RoundRobin),
   * }, { now: 0 });
   * assert.ok(r.ok);
   * hs.setDeadline(r.entry, "keep-alive-timeout", 7);
   * assert.equal(hs.deadline(r.entry, "keep-alive-timeout"), 7);
   * ```
   */
  deadline(entry: PoolElementEntry, kind: DeadlineKind): number | undefined {
    const e = this.#live(entry);
    return this.#deadlines[kindIndex(kind)]!.get(e.key);
  }

  /**
   * The earliest pending PE deadline of any kind, in O(1).
   *
   * @returns Its time, or `undefined`.
   * @example Empty
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * assert.equal(new Handlespace({ ownId: 1n, rng: new SeededRng(1) }).nextDeadline(), undefined);
   * ```
   */
  nextDeadline(): number | undefined {
    let best: number | undefined = undefined;
    for (const d of this.#deadlines) {
      const t = d.next();
      if (t !== undefined && (best === undefined || t < best)) best = t;
    }
    return best;
  }

  /**
   * Takes out the earliest due PE deadline (time ≤ now). Call repeatedly
   * until it returns `undefined`; the handlespace itself changes nothing
   * else (the registrar acts on the deadline).
   *
   * @param now The current time.
   * @returns The due deadline, or `undefined`.
   * @example Nothing due
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * assert.equal(new Handlespace({ ownId: 1n, rng: new SeededRng(1) }).popDue(0), undefined);
   * ```
   */
  popDue(now: number): DuePoolElementDeadline | undefined {
    let bestKind = -1, bestTime = Infinity;
    for (let k = 0; k < 3; k++) {
      const t = this.#deadlines[k]!.next();
      if (t !== undefined && t <= now && t < bestTime) {
        bestKind = k;
        bestTime = t;
      }
    }
    if (bestKind < 0) return undefined;
    const due = this.#deadlines[bestKind]!.popDue(now)!;
    return {
      entry: this.#byKey[due.key] as Entry,
      kind: DEADLINE_KINDS[bestKind]!,
      time: due.time,
    };
  }

  /**
   * Removes every PE whose lifetime-expiry deadline is due (non-home
   * registrars expire PEs learned by ENRP after their registration life).
   *
   * @param now The current time.
   * @returns The removed entries.
   * @example Expire one
   * ```ts
   * import { Handlespace } from "./handlespace.ts";
   * import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
   * import { SeededRng } from "../rng.ts";
   * import assert from "node:assert/strict";
   * const hs = new Handlespace({ ownId: 1n, rng: new SeededRng(1) });
   * const r = hs.register(new Uint8Array([1]), {
   *   id: 5n, homeRegistrarId: 2n, registrationLife: 1000,
   *   userTransport: { protocol: "tcp", port: 1, transportUse: "data", addresses: ["10.0.0.1"] },
   *   policy: policyParameter(PolicyType.RoundRobin),
   * }, { now: 0 });
   * assert.ok(r.ok);
   * hs.setDeadline(r.entry, "lifetime-expiry", 1000);
   * assert.equal(hs.expire(999).length, 0);
   * assert.equal(hs.expire(1000).length, 1);
   * ```
   */
  expire(now: number): PoolElementEntry[] {
    const index = this.#deadlines[2]!;
    const removed: Entry[] = [];
    for (let due = index.popDue(now); due !== undefined; due = index.popDue(now)) {
      const e = this.#byKey[due.key] as Entry;
      this.#remove(e);
      removed.push(e);
    }
    return removed;
  }

  // ---- internals ----

  #badTransport(t: TransportParameter): string | undefined {
    const n = t.addresses.length;
    if (n < 1 || n > this.#maxAddresses) {
      return `has ${n} addresses, not 1..${this.#maxAddresses}`;
    }
    if (t.port === 0) return "has port 0";
    return undefined;
  }

  #find(handle: Uint8Array): Pool | undefined {
    const mru = this.#mru;
    if (mru !== undefined && mru.matchesHandle(handle)) return mru;
    const h = hashHandle(handle);
    const table = this.#table, mask = this.#mask;
    for (let i = h & mask;; i = (i + 1) & mask) {
      const p = table[i];
      if (p === undefined) return undefined;
      if (p.hash === h && p.matchesHandle(handle)) {
        this.#mru = p;
        return p;
      }
    }
  }

  #createPool(handle: Uint8Array, policyType: number, ut: TransportParameter): Pool {
    const copy = u8Copy(handle);
    const policy = this.#policies.byType(policyType)!;
    const sum = this.#width === 16 ? wordSum16(copy) : wordSum32(copy);
    const rsplibSum = this.#compat === "rsplib" ? rsplibWordSum16(copy) : 0;
    const pool = new Pool(
      copy,
      hashHandle(copy),
      policy,
      ut.protocol,
      ut.transportUse,
      sum,
      rsplibSum,
      this.#kernel,
      this.#maxIncrement,
    );
    if ((this.#poolCount + 1) * 2 > this.#table.length) this.#rehash(this.#table.length * 2);
    this.#place(pool);
    this.#poolCount++;
    this.#sortedPools = undefined;
    return pool;
  }

  #place(pool: Pool): void {
    const table = this.#table, mask = this.#mask;
    let i = pool.hash & mask;
    while (table[i] !== undefined) i = (i + 1) & mask;
    table[i] = pool;
  }

  #rehash(size: number): void {
    const old = this.#table;
    this.#table = new Array(size).fill(undefined);
    this.#mask = size - 1;
    for (const p of old) if (p !== undefined) this.#place(p);
  }

  // Removes a pool from the open-addressing table (backward-shift deletion).
  #dropPool(pool: Pool): void {
    const table = this.#table, mask = this.#mask;
    let i = pool.hash & mask;
    while (table[i] !== pool) i = (i + 1) & mask;
    table[i] = undefined;
    for (let j = (i + 1) & mask; table[j] !== undefined; j = (j + 1) & mask) {
      const p = table[j]!;
      table[j] = undefined;
      this.#place(p);
    }
    this.#poolCount--;
    if (this.#mru === pool) this.#mru = undefined;
    this.#sortedPools = undefined;
  }

  #pools(): Pool[] {
    if (this.#sortedPools === undefined) {
      const list: Pool[] = [];
      for (const p of this.#table) if (p !== undefined) list.push(p);
      list.sort((a, b) => compareHandles(a.poolHandle, b.poolHandle));
      this.#sortedPools = list;
    }
    return this.#sortedPools;
  }

  #insert(
    pool: Pool,
    element: PoolElementParameter,
    n: number,
    home: bigint,
    asap: TransportParameter | undefined,
    association: number | undefined,
    now: number,
  ): Entry {
    const id = element.id;
    // A removed PE whose slot is about to be reused keeps its policy information.
    const previous = pool.entries[pool.selection.nextSlot()];
    if (previous !== undefined) previous.saveRemovedPolicy();
    const slot = pool.selection.add(element.policy);
    let key = this.#freeKey;
    if (key >= 0) this.#freeKey = this.#byKey[key] as number;
    else key = this.#byKey.length;
    const entry = new Entry(
      pool,
      slot,
      key,
      id,
      home,
      element.registrationLife,
      element.userTransport,
      asap,
      association,
      now,
      this.#partial(pool, id, n),
    );
    entry.setUserTransport(element.userTransport); // with its only address beside it
    this.#byKey[key] = entry;
    pool.entries[slot] = entry;
    pool.index(id, n, slot);
    pool.order.add(slot);
    this.#owners.link(entry, home);
    this.#total.add(entry.partial, this.#rsplib ? entry.rsplibPartial : 0);
    if (association !== undefined) this.#linkAssociation(entry, association);
    this.#size++;
    return entry;
  }

  #update(
    entry: Entry,
    element: PoolElementParameter,
    home: bigint,
    asap: TransportParameter | undefined,
    association: number | undefined,
    now: number,
  ): RegistrationResult {
    // The steady state (a keep-alive re-registration over the same association with the same
    // values) stays small enough for V8 to inline into register(); the rest is out of line.
    const bound = entry.association;
    if (
      association !== bound && this.#rejectClash && association !== undefined &&
      bound !== undefined && entry.homeRegistrarId === this.#ownId
    ) return clash(entry);
    // Compared with the pool's arrays; the update also resets a non-zero degradation
    // counter, as RSPLIB does on every re-registration.
    // With the counter at 0, update() compares once and reports whether any value differed.
    const selection = entry.pool.selection, slot = entry.slot, policy = element.policy;
    let changed = selection.degraded(slot)
      ? resetDegradation(selection, slot, policy)
      : selection.update(slot, policy);
    // An equal transport keeps the stored object (the decoder's new one can die young).
    // (Its protocol and transport use equal the pool's, checked by register().) The entry's
    // copy of its only address answers first, without the stored transport's address array.
    const ut = element.userTransport, storedUt = entry.userTransport;
    if (
      ut !== storedUt && !entry.sameUserAddress(ut) && !samePortAndAddresses(ut, storedUt)
    ) {
      changed = true;
      entry.setUserTransport(ut);
    }
    if (asap !== undefined && asap !== entry.asapTransport && newAsap(entry, asap)) changed = true;
    if (
      element.registrationLife !== entry.registrationLife || home !== entry.homeRegistrarId ||
      association !== bound
    ) changed = this.#updateRest(entry, element.registrationLife, home, association) || changed;
    entry.lastUpdate = now;
    if ((entry.flags & MARKED) !== 0) entry.flags &= ~MARKED;
    // Unchanged: the entry itself is the result (see Entry.ok; no allocation).
    return changed ? { ok: true, entry, created: false, changed } : entry;
  }

  // #update() of the registration life, home registrar and association; whether the first two
  // changed.
  #updateRest(
    entry: Entry,
    life: number,
    home: bigint,
    association: number | undefined,
  ): boolean {
    let changed = false;
    if (life !== entry.registrationLife) {
      changed = true;
      entry.registrationLife = life;
    }
    if (home !== entry.homeRegistrarId) {
      changed = true;
      this.#rehome(entry, home);
    }
    if (association !== entry.association) this.#rebind(entry, association);
    return changed;
  }

  // Binds an entry to another association (or none).
  #rebind(entry: Entry, association: number | undefined): void {
    if (entry.association !== undefined) this.#unlinkAssociation(entry);
    entry.association = association;
    if (association !== undefined) this.#linkAssociation(entry, association);
  }

  // Removes a live entry; `n` is idNumber(e.id) when the caller has it.
  #remove(e: Entry, n: number = idNumber(e.id)): void {
    const pool = e.pool;
    // The entry stays in pool.entries until its slot is reused (see #insert), so its policy
    // information can still be read from the pool's arrays without a copy now.
    pool.selection.remove(e.slot);
    pool.unindex(e.id, n);
    pool.order.removed();
    this.#owners.unlink(e);
    this.#total.sub(e.partial, this.#rsplib ? e.rsplibPartial : 0);
    if (e.association !== undefined) this.#unlinkAssociation(e);
    const key = e.key, deadlines = this.#deadlines;
    deadlines[0]!.clear(key);
    deadlines[1]!.clear(key);
    deadlines[2]!.clear(key);
    this.#byKey[key] = this.#freeKey;
    this.#freeKey = key;
    e.flags |= REMOVED;
    this.#size--;
    if (pool.selection.size === 0) this.#dropPool(pool);
  }

  #rehome(e: Entry, home: bigint): void {
    this.#owners.unlink(e);
    e.homeRegistrarId = home;
    this.#owners.link(e, home);
  }

  // A PE's checksum partial sum, from the pool handle's word sum and the identifier (n is
  // Number(id); identifiers up to 2^53 need no bigint arithmetic).
  #partial(pool: Pool, id: bigint, n: number): number {
    if (this.#width === 16) return partial16OfNumber(pool.handleSum, n);
    return n > Number.MAX_SAFE_INTEGER
      ? partial32(pool.handleSum, id)
      : partial32OfNumber(pool.handleSum, n);
  }

  #linkAssociation(e: Entry, association: number): void {
    // The new entry becomes the head of the association's list (one probe of the map).
    const headKey = this.#associations.exchange(association, e.key);
    e.assocPrev = undefined;
    if (headKey >= 0) {
      const head = this.#byKey[headKey] as Entry;
      e.assocNext = head;
      head.assocPrev = e;
    } else e.assocNext = undefined;
  }

  #unlinkAssociation(e: Entry): void {
    const prev = e.assocPrev, next = e.assocNext;
    if (prev !== undefined) prev.assocNext = next;
    else if (next !== undefined) this.#associations.replace(e.association!, next.key);
    else this.#associations.delete(e.association!);
    if (next !== undefined) next.assocPrev = prev;
    e.assocPrev = e.assocNext = undefined;
  }

  // The handlespace's own record behind a public entry view.
  #own(entry: PoolElementEntry): Entry {
    if (!(entry instanceof Entry) || (entry.live && this.#byKey[entry.key] !== entry)) {
      throw new TypeError("Cannot use pool element: the entry belongs to another handlespace");
    }
    return entry;
  }

  #live(entry: PoolElementEntry): Entry {
    const e = this.#own(entry);
    if (!e.live) throw new TypeError("Cannot use pool element: it has been removed");
    return e;
  }

  #emptyChecksum(): number {
    return this.#width === 16 ? 0xffff : 0xffffffff;
  }

  // Derives the checksum again from every live PE's pool handle and identifier. The pool
  // handle's words are summed once per pool (every PE of the pool shares them): a pool of c
  // PEs adds c · wordSum(handle) + Σ wordSum(id), the same value as the c partial sums.
  #recompute(owner: bigint | undefined): number {
    const wide = this.#width === 32, rsplib = this.#compat === "rsplib";
    const m = wide ? 0xffffffff : 0xffff;
    let total = 0; // ≡ S (mod m), below 2^53
    let count = 0;
    let raw = 0; // RSPLIB's accumulator, mod 2^32
    for (const p of this.#table) {
      if (p === undefined) continue;
      const entries = p.entries;
      let ids = 0, rsplibIds = 0, members = 0;
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i];
        if (e === undefined || (e.flags & REMOVED) !== 0) continue;
        if (owner !== undefined && e.homeRegistrarId !== owner) continue;
        const w = wide ? idWordSum32(e.id) : idWordSum16(e.id);
        if (w < 0) {
          throw new RangeError(
            `Cannot compute checksum: identifier ${e.id} does not fit the ${this.#width}-bit checksum`,
          );
        }
        ids += w; // w < 2^33
        if (ids >= 2 ** 52) ids %= m;
        if (rsplib) rsplibIds += rsplibIdWordSum16(e.id); // < 2^17 each
        members++;
      }
      if (members === 0) continue;
      const handle = p.poolHandle;
      const handleSum = wide ? wordSum32(handle) : wordSum16(handle);
      // c · wordSum(handle) is exact in doubles for any realistic pool; otherwise reduce first.
      const handles = members * handleSum;
      total += handles < 2 ** 52 ? handles : mulMod(members % m, handleSum % m, m);
      total += ids;
      if (total >= 2 ** 52) total %= m;
      if (rsplib) raw = (raw + Math.imul(members, rsplibWordSum16(handle)) + rsplibIds) >>> 0;
      count += members;
    }
    if (rsplib) return swap16(finishRsplib16(raw));
    if (count === 0) return m;
    total %= m;
    return total === 0 ? 0 : m - total;
  }
}

// resolveInto() of an unknown pool: nothing, after checking k.
function unknownPool(k: number): number {
  if ((k >>> 0) !== k) {
    throw new RangeError(`Cannot resolve pool handle: k ${k} is not a non-negative integer`);
  }
  return 0;
}

function reject(
  cause: ErrorCauseCode,
  reason: string,
  offending?: RegistrationField,
): RegistrationResult {
  return offending === undefined
    ? { ok: false, cause, reason }
    : { ok: false, cause, reason, offending };
}

function kindIndex(kind: DeadlineKind): number {
  const i = KIND_INDEX[kind];
  if (i === undefined) throw new TypeError(`Cannot use deadline: unknown kind "${kind}"`);
  return i;
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`Cannot enumerate: limit ${limit} is not a positive integer`);
  }
  return limit;
}

// The rejection of a PE identifier registered over another association (peIdClash "reject").
function clash(entry: Entry): RegistrationResult {
  return reject(
    ErrorCause.NonUniquePeIdentifier,
    `PE identifier ${entry.id} is registered over another association`,
    "identifier",
  );
}

// SelectionPool.update() of a PE whose degradation counter is not 0 (the update resets it, which
// counts as a change only when the values differ).
function resetDegradation(
  selection: SelectionPool,
  slot: number,
  policy: PolicyParameter,
): boolean {
  const changed = !selection.matches(slot, policy);
  selection.update(slot, policy);
  return changed;
}

// Stores a re-registration's ASAP transport when it differs from the stored one; whether it did.
function newAsap(entry: Entry, asap: TransportParameter): boolean {
  const stored = entry.asapTransport;
  if (stored !== undefined && sameTransport(asap, stored)) return false;
  entry.asapTransport = asap;
  return true;
}

function sameTransport(a: TransportParameter, b: TransportParameter): boolean {
  return a.protocol === b.protocol && a.transportUse === b.transportUse &&
    samePortAndAddresses(a, b);
}

// Everything of two transports but protocol and transport use.
function samePortAndAddresses(a: TransportParameter, b: TransportParameter): boolean {
  if (a.port !== b.port || a.dccpServiceCode !== b.dccpServiceCode) return false;
  const x = a.addresses, y = b.addresses;
  if (x === y) return true;
  const n = x.length;
  if (n !== y.length) return false;
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return false;
  return true;
}
