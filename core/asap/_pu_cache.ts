// The pool user's cache of one pool: the PEs of recent Handle Resolution Responses with their
// expiry, selected locally by the pool's policy (the same SelectionPool code the registrar
// runs), so a cache hit costs no network traffic (spec/behaviour.md §7).

import { PolicySet } from "../policy/policy_set.ts";
import type { PolicyRegistry } from "../policy/registry.ts";
import { roundRobin } from "../policy/round_robin.ts";
import type { Rng } from "../rng.ts";
import type { PoolElementId, PoolElementParameter } from "../wire/pool_element_parameter.ts";
import { type PolicyParameter, policyParameter, PolicyType } from "../wire/policy_parameter.ts";

const ROUND_ROBIN = policyParameter(PolicyType.RoundRobin);

export class PoolCache {
  readonly poolHandle: Uint8Array;
  readonly #registry: PolicyRegistry;
  #type = -1;
  #known = false;
  #set: PolicySet<PoolElementId, PoolElementParameter>;

  constructor(poolHandle: Uint8Array, registry: PolicyRegistry) {
    this.poolHandle = poolHandle;
    this.#registry = registry;
    this.#set = new PolicySet(roundRobin);
  }

  /** Stores the PEs of a response, each until `expires`. */
  put(
    policy: PolicyParameter | undefined,
    elements: readonly PoolElementParameter[],
    expires: number,
  ): void {
    const type = policy?.type ?? elements[0]?.policy.type ?? PolicyType.RoundRobin;
    if (type !== this.#type) {
      const p = this.#registry.byType(type);
      this.#type = type;
      this.#known = p !== undefined;
      // A policy this PU does not know: keep the registrar's order, round robin among them.
      this.#set = new PolicySet(p ?? roundRobin);
    }
    for (const pe of elements) {
      const values = this.#known && pe.policy.type === type ? pe.policy : ROUND_ROBIN;
      if (!this.#known || pe.policy.type === type) this.#set.set(pe.id, pe, values, expires);
    }
  }

  /** Up to k PEs by the pool's policy, after dropping expired ones. */
  select(k: number, rng: Rng, now: number): PoolElementParameter[] {
    this.#set.purgeExpired(now);
    return this.#set.select(k, rng);
  }

  /** PEs cached and unexpired. */
  size(now: number): number {
    this.#set.purgeExpired(now);
    return this.#set.size;
  }

  delete(id: PoolElementId): boolean {
    return this.#set.delete(id);
  }

  values(now: number): PoolElementParameter[] {
    this.#set.purgeExpired(now);
    return this.#set.values();
  }
}
