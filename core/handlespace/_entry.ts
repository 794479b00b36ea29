// The handlespace's record of one pool element. Public fields are internal
// state of the handlespace; users see the read-only PoolElementEntry view.
// Kept small (one object per PE): the policy information lives in the pool's
// struct-of-arrays and the flags share one small integer.

import type { PoolElementParameter } from "../wire/pool_element_parameter.ts";
import type { PolicyParameter } from "../wire/policy_parameter.ts";
import type { TransportParameter } from "../wire/transport_parameter.ts";
import type { PoolElementEntry } from "./pool_element.ts";
import type { Pool } from "./_pool.ts";
import type { OwnerRecord } from "./_owner_index.ts";
import { rsplibPartial16 } from "./checksum.ts";

/** Entry.flags: set once the PE has been removed. */
export const REMOVED = 1;
/** Entry.flags: set while the PE is marked for a table synchronisation purge. */
export const MARKED = 2;
/** Entry.flags: one Endpoint Unreachable report (the count sits above the two flag bits). */
export const REPORT = 4;

// The policy information of removed PEs whose slots were reused (until then the pool's arrays
// still hold it), beside the records rather than in a field of each: few removed entries are
// still referenced when their slot is reused, and an entry nobody holds drops out.
const removedPolicies = new WeakMap<Entry, PolicyParameter>();

export class Entry implements PoolElementEntry {
  pool: Pool;
  slot: number;
  /** Handlespace-wide integer key (deadline indexes). */
  key: number;
  readonly id: bigint;
  homeRegistrarId: bigint;
  registrationLife: number;
  userTransport: TransportParameter;
  /**
   * The user transport's address when it is its only one and it has no DCCP service code, else
   * undefined (also before setUserTransport(), which the handlespace calls on every new entry:
   * the constructor stays small enough for V8 to inline into the registration). A keep-alive
   * re-registration compares its transport with this and the stored transport's port, two
   * independent loads, instead of loading the stored transport, its address array and that
   * array's elements one after the other (three cache misses in a large handlespace:
   * bench/HISTORY.md, wave 15 `rereg2`).
   */
  userAddress: string | undefined = undefined;
  asapTransport: TransportParameter | undefined;
  association: number | undefined;
  lastUpdate: number;
  /** Checksum partial sum (Internet-16 or -32, per the handlespace). */
  partial: number;
  flags = 0;
  owner: OwnerRecord | undefined = undefined;
  ownerPrev: Entry | undefined = undefined;
  ownerNext: Entry | undefined = undefined;
  assocPrev: Entry | undefined = undefined;
  assocNext: Entry | undefined = undefined;

  constructor(
    pool: Pool,
    slot: number,
    key: number,
    id: bigint,
    home: bigint,
    life: number,
    userTransport: TransportParameter,
    asapTransport: TransportParameter | undefined,
    association: number | undefined,
    now: number,
    partial: number,
  ) {
    this.pool = pool;
    this.slot = slot;
    this.key = key;
    this.id = id;
    this.homeRegistrarId = home;
    this.registrationLife = life;
    this.userTransport = userTransport;
    this.asapTransport = asapTransport;
    this.association = association;
    this.lastUpdate = now;
    this.partial = partial;
  }

  // An entry also reads as the result of an unchanged re-registration (a keep-alive
  // re-registration, the common case): ok, itself as the entry, not created, not changed.
  // Handlespace.register() returns the entry itself then, so that case allocates nothing; the
  // four values are constants of the class (no per-PE memory) and never change.
  /** As a registration result: accepted. */
  get ok(): true {
    return true;
  }
  /** As a registration result: this entry. */
  get entry(): this {
    return this;
  }
  /** As a registration result: not new in its pool. */
  get created(): false {
    return false;
  }
  /** As a registration result: nothing differed from what was stored. */
  get changed(): false {
    return false;
  }

  /** Stores a user transport, with its only address beside it. */
  setUserTransport(ut: TransportParameter): void {
    this.userTransport = ut;
    this.userAddress = ut.addresses.length === 1 && ut.dccpServiceCode === undefined
      ? ut.addresses[0]
      : undefined;
  }

  /**
   * Whether a transport has the stored one's port and its only address and no DCCP service code
   * (false does not mean it differs: the stored one may have several addresses). Protocol and
   * transport use are the pool's, checked by the handlespace.
   */
  sameUserAddress(ut: TransportParameter): boolean {
    const a = ut.addresses;
    return a.length === 1 && a[0] === this.userAddress && ut.port === this.userTransport.port &&
      ut.dccpServiceCode === undefined;
  }

  get poolHandle(): Uint8Array {
    return this.pool.poolHandle;
  }

  get live(): boolean {
    return (this.flags & REMOVED) === 0;
  }

  get marked(): boolean {
    return (this.flags & MARKED) !== 0;
  }

  get unreachableReports(): number {
    return this.flags >>> 2;
  }

  /**
   * RSPLIB's partial sum (checksumCompat "rsplib", 32-bit identifiers), derived on demand: only
   * that mode reads it, on registration, removal and change of owner.
   */
  get rsplibPartial(): number {
    return rsplibPartial16(this.pool.rsplibHandleSum, this.id);
  }

  /** Keeps a removed PE's policy information before its slot is reused (see removedPolicies). */
  saveRemovedPolicy(): void {
    removedPolicies.set(this, this.policy);
  }

  /** Built from the pool's arrays (a new object per read). */
  get policy(): PolicyParameter {
    if ((this.flags & REMOVED) !== 0) {
      const saved = removedPolicies.get(this);
      if (saved !== undefined) return saved;
    }
    const v = this.pool.selection, s = this.slot;
    return {
      type: this.pool.policy.type,
      weight: v.weight[s]!,
      priority: v.priority[s]!,
      load: v.load[s]!,
      loadDegradation: v.loadDegradation[s]!,
      loadDpf: v.loadDpf[s]!,
      weightDpf: v.weightDpf[s]!,
      distance: v.distance[s]!,
    };
  }

  get degradation(): number {
    return this.live ? this.pool.selection.degradation[this.slot]! : 0;
  }

  get selectionCount(): number {
    return this.live ? this.pool.selection.selections[this.slot]! : 0;
  }

  toParameter(withAsapTransport = true): PoolElementParameter {
    const base = {
      id: this.id,
      homeRegistrarId: this.homeRegistrarId,
      registrationLife: this.registrationLife,
      userTransport: this.userTransport,
      policy: this.policy,
    };
    return withAsapTransport && this.asapTransport !== undefined
      ? { ...base, asapTransport: this.asapTransport }
      : base;
  }
}
