/**
 * The policy registry: every built-in pool policy, looked up by type code or
 * by name (RFC 5356 / RSPLIB name or abbreviation, case-insensitive).
 *
 * @module
 */

import type { PoolPolicy } from "./policy.ts";
import { roundRobin } from "./round_robin.ts";
import { weightedRoundRobin } from "./weighted_round_robin.ts";
import { random } from "./random.ts";
import { weightedRandom } from "./weighted_random.ts";
import { priority } from "./priority.ts";
import { leastUsed } from "./least_used.ts";
import { leastUsedDegradation } from "./least_used_degradation.ts";
import { priorityLeastUsed } from "./priority_least_used.ts";
import { randomizedLeastUsed } from "./randomized_least_used.ts";
import { randomizedPriorityLeastUsed } from "./randomized_priority_least_used.ts";
import { randomizedLeastUsedDegradation } from "./randomized_least_used_degradation.ts";
import { priorityLeastUsedDegradation } from "./priority_least_used_degradation.ts";
import { randomizedPriorityLeastUsedDegradation } from "./randomized_priority_least_used_degradation.ts";
import { weightedRandomDpf } from "./weighted_random_dpf.ts";
import { leastUsedDpf } from "./least_used_dpf.ts";
import { leastUsedDegradationDpf } from "./least_used_degradation_dpf.ts";
import { priorityLeastUsedDpf } from "./priority_least_used_dpf.ts";
import { priorityLeastUsedDegradationDpf } from "./priority_least_used_degradation_dpf.ts";
import { powerOfTwoLeastUsed } from "./power_of_two_least_used.ts";
import { weightedLeastUsed } from "./weighted_least_used.ts";

/**
 * Every built-in policy: the nine of RFC 5356, RSPLIB's extra ones (RPLU,
 * RLUD, PLUD, RPLUD and the DPF variants) and rserpool-ng's two
 * (PowerOfTwoLeastUsed, WeightedLeastUsed), in type-code order.
 */
export const BUILTIN_POLICIES: readonly PoolPolicy[] = [
  roundRobin,
  weightedRoundRobin,
  random,
  weightedRandom,
  priority,
  leastUsed,
  leastUsedDegradation,
  priorityLeastUsed,
  randomizedLeastUsed,
  randomizedPriorityLeastUsed,
  randomizedLeastUsedDegradation,
  priorityLeastUsedDegradation,
  randomizedPriorityLeastUsedDegradation,
  weightedRandomDpf,
  leastUsedDpf,
  leastUsedDegradationDpf,
  priorityLeastUsedDpf,
  priorityLeastUsedDegradationDpf,
  powerOfTwoLeastUsed,
  weightedLeastUsed,
];

/**
 * A set of policies looked up by type code or name. {@link defaultPolicies}
 * holds the built-in ones; build your own to add experimental policies.
 *
 * @example Register an extra policy next to the built-in ones
 * ```ts
 * import { BUILTIN_POLICIES, definePolicy, PolicyRegistry } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const mine = definePolicy({
 *   info: { type: 0xb000f001, name: "Mine", abbreviation: "MINE", fields: [], origin: "rserpool-ng" },
 *   engine: "round-robin",
 *   defaultMaxIncrement: 1,
 * });
 * const registry = new PolicyRegistry([...BUILTIN_POLICIES, mine]);
 * assert.equal(registry.byName("mine"), mine);
 * assert.equal(registry.byType(0xb000f001), mine);
 * ```
 */
export class PolicyRegistry {
  readonly #byType = new Map<number, PoolPolicy>();
  readonly #byName = new Map<string, PoolPolicy>();
  readonly #all: readonly PoolPolicy[];

  /**
   * Creates a registry.
   *
   * @param policies The policies; type codes, names and abbreviations must be unique.
   * @throws {TypeError} If two policies share a type code, name or abbreviation.
   */
  constructor(policies: Iterable<PoolPolicy>) {
    const all: PoolPolicy[] = [];
    for (const p of policies) {
      if (this.#byType.has(p.type)) {
        throw new TypeError(
          `Cannot register policy ${p.name}: type 0x${p.type.toString(16)} is already registered`,
        );
      }
      this.#byType.set(p.type, p);
      for (const n of [p.name, p.abbreviation]) {
        const key = n.toLowerCase();
        const other = this.#byName.get(key);
        if (other !== undefined && other !== p) {
          throw new TypeError(
            `Cannot register policy ${p.name}: name "${n}" is already registered`,
          );
        }
        this.#byName.set(key, p);
      }
      all.push(p);
    }
    this.#all = all;
  }

  /**
   * Looks a policy up by type code.
   *
   * @param type A policy type code.
   * @returns The policy, or `undefined` if none has that code.
   * @example Least Used
   * ```ts
   * import { defaultPolicies } from "./mod.ts";
   * import { PolicyType } from "../wire/policy_parameter.ts";
   * import assert from "node:assert/strict";
   * assert.equal(defaultPolicies.byType(PolicyType.LeastUsed)?.name, "LeastUsed");
   * ```
   */
  byType(type: number): PoolPolicy | undefined {
    return this.#byType.get(type);
  }

  /**
   * Looks a policy up by name or abbreviation, case-insensitively.
   *
   * @param name For example `"WeightedRandom"`, `"wrand"` or `"LU-DPF"`.
   * @returns The policy, or `undefined`.
   * @example By abbreviation
   * ```ts
   * import { defaultPolicies } from "./mod.ts";
   * import { PolicyType } from "../wire/policy_parameter.ts";
   * import assert from "node:assert/strict";
   * assert.equal(defaultPolicies.byName("p2c-lu")?.type, PolicyType.PowerOfTwoLeastUsed);
   * ```
   */
  byName(name: string): PoolPolicy | undefined {
    return this.#byName.get(name.toLowerCase());
  }

  /**
   * Every policy of the registry, in the order given to the constructor.
   *
   * @returns The policies.
   * @example Count
   * ```ts
   * import { defaultPolicies } from "./mod.ts";
   * import assert from "node:assert/strict";
   * assert.equal(defaultPolicies.all().length, 20);
   * ```
   */
  all(): readonly PoolPolicy[] {
    return this.#all;
  }
}

/**
 * The registry of the built-in policies.
 *
 * @example Look up Round Robin
 * ```ts
 * import { defaultPolicies, roundRobin } from "./mod.ts";
 * import assert from "node:assert/strict";
 * assert.equal(defaultPolicies.byName("RoundRobin"), roundRobin);
 * ```
 */
export const defaultPolicies: PolicyRegistry = new PolicyRegistry(BUILTIN_POLICIES);
