// The handlespace's record of one pool element. Public fields are internal
// state of the handlespace; users see the read-only PoolElementEntry view.

import type { PoolElementParameter } from "../wire/pool_element_parameter.ts";
import type { PolicyParameter } from "../wire/policy_parameter.ts";
import type { TransportParameter } from "../wire/transport_parameter.ts";
import type { PoolElementEntry } from "./pool_element.ts";
import type { Pool } from "./_pool.ts";
import type { OwnerRecord } from "./_owner_index.ts";

export class Entry implements PoolElementEntry {
  pool: Pool;
  slot: number;
  /** Handlespace-wide integer key (deadline indexes). */
  key: number;
  readonly id: bigint;
  homeRegistrarId: bigint;
  registrationLife: number;
  userTransport: TransportParameter;
  policy: PolicyParameter;
  asapTransport: TransportParameter | undefined;
  association: number | undefined;
  lastUpdate: number;
  unreachableReports = 0;
  marked = false;
  live = true;
  /** Exact checksum partial sum (Internet-16 or -32, per the handlespace). */
  partial: number;
  /** RSPLIB's partial sum (little-endian words), only with checksumCompat "rsplib"; else 0. */
  rsplibPartial: number;
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
    policy: PolicyParameter,
    asapTransport: TransportParameter | undefined,
    association: number | undefined,
    now: number,
    partial: number,
    rsplibPartial: number,
  ) {
    this.pool = pool;
    this.slot = slot;
    this.key = key;
    this.id = id;
    this.homeRegistrarId = home;
    this.registrationLife = life;
    this.userTransport = userTransport;
    this.policy = policy;
    this.asapTransport = asapTransport;
    this.association = association;
    this.lastUpdate = now;
    this.partial = partial;
    this.rsplibPartial = rsplibPartial;
  }

  get poolHandle(): Uint8Array {
    return this.pool.poolHandle;
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
