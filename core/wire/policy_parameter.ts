/**
 * The Pool Member Selection Policy parameter: policy type codes, the field
 * layout of every policy on the wire, and the value type shared by the codec,
 * the handlespace and the policies.
 *
 * @see RFC 5354 section 3.5, RFC 5356
 * @module
 */

/** Policy type codes (u32 on the wire). */
export const PolicyType = {
  /** Round Robin (RFC 5356). */
  RoundRobin: 0x00000001,
  /** Weighted Round Robin (RFC 5356). */
  WeightedRoundRobin: 0x00000002,
  /** Random (RFC 5356). */
  Random: 0x00000003,
  /** Weighted Random (RFC 5356). */
  WeightedRandom: 0x00000004,
  /** Priority (RFC 5356). */
  Priority: 0x00000005,
  /** Least Used (RFC 5356). */
  LeastUsed: 0x40000001,
  /** Least Used with Degradation (RFC 5356). */
  LeastUsedDegradation: 0x40000002,
  /** Priority Least Used (RFC 5356). */
  PriorityLeastUsed: 0x40000003,
  /** Randomized Least Used (RFC 5356). */
  RandomizedLeastUsed: 0x40000004,
  /** Randomized Priority Least Used (RSPLIB). */
  RandomizedPriorityLeastUsed: 0xb0001001,
  /** Randomized Least Used with Degradation (RSPLIB). */
  RandomizedLeastUsedDegradation: 0xb0001002,
  /** Priority Least Used with Degradation (RSPLIB). */
  PriorityLeastUsedDegradation: 0xb0001003,
  /** Randomized Priority Least Used with Degradation (RSPLIB). */
  RandomizedPriorityLeastUsedDegradation: 0xb0001004,
  /** Weighted Random with Distance Penalty Factor (draft-dreibholz-rserpool-delay, RSPLIB). */
  WeightedRandomDpf: 0xb0002001,
  /** Least Used with Distance Penalty Factor (draft-dreibholz-rserpool-delay, RSPLIB). */
  LeastUsedDpf: 0xb0002002,
  /** Least Used with Degradation and Distance Penalty Factor (RSPLIB). */
  LeastUsedDegradationDpf: 0xb0002003,
  /** Priority Least Used with Distance Penalty Factor (RSPLIB; wire layout defined by rserpool-ng). */
  PriorityLeastUsedDpf: 0xb0002004,
  /** Priority Least Used with Degradation and DPF (RSPLIB; wire layout defined by rserpool-ng). */
  PriorityLeastUsedDegradationDpf: 0xb0002005,
  /** Least Used by power of two random choices (rserpool-ng extension). */
  PowerOfTwoLeastUsed: 0xb0003001,
  /** Weighted Least Used: load relative to weight (capacity) (rserpool-ng extension). */
  WeightedLeastUsed: 0xb0003002,
} as const;

/** A policy type code known to this implementation. */
export type KnownPolicyType = typeof PolicyType[keyof typeof PolicyType];

/** The name of one u32 field of a policy parameter. */
export type PolicyField =
  | "weight"
  | "priority"
  | "load"
  | "loadDegradation"
  | "loadDpf"
  | "weightDpf"
  | "distance";

/**
 * A Pool Member Selection Policy parameter value.
 *
 * Every numeric field is an unsigned 32-bit integer. Fields a policy does not
 * carry on the wire are 0. Loads, load degradations and DPF values are
 * fractions of 0xffffffff (0 = 0 %, 0xffffffff = 100 %); distance is in
 * milliseconds; a larger priority is preferred.
 */
export interface PolicyParameter {
  /** Policy type code (see {@link PolicyType}); any u32 decodes. */
  readonly type: number;
  /** Weight (WRR, WRAND, WRAND-DPF, Weighted LU). */
  readonly weight: number;
  /** Priority, larger is preferred (PRI). */
  readonly priority: number;
  /** Load as a fraction of 0xffffffff (LU family). */
  readonly load: number;
  /** Load degradation per selection, fraction of 0xffffffff (LUD, PLU and variants). */
  readonly loadDegradation: number;
  /** Load distance penalty factor per millisecond, fraction of 0xffffffff. */
  readonly loadDpf: number;
  /** Weight distance penalty factor per millisecond, fraction of 0xffffffff. */
  readonly weightDpf: number;
  /** Distance in milliseconds (DPF policies; accumulated by registrars). */
  readonly distance: number;
  /**
   * The raw u32 fields after the policy type, for a policy type whose layout
   * this implementation does not know. Absent for known types.
   */
  readonly raw?: readonly number[];
}

/** Description of one policy type: names and wire layout. */
export interface PolicyTypeInfo {
  /** The type code. */
  readonly type: number;
  /** Name in CamelCase as RSPLIB's policy strings use it (e.g. `WeightedRandom`). */
  readonly name: string;
  /** Short abbreviation (e.g. `WRAND`). */
  readonly abbreviation: string;
  /** The u32 fields after the policy type, in wire order. */
  readonly fields: readonly PolicyField[];
  /** Where the policy is defined. */
  readonly origin: "rfc5356" | "rsplib" | "rserpool-ng";
}

const TABLE: readonly PolicyTypeInfo[] = [
  { type: 0x00000001, name: "RoundRobin", abbreviation: "RR", fields: [], origin: "rfc5356" },
  {
    type: 0x00000002,
    name: "WeightedRoundRobin",
    abbreviation: "WRR",
    fields: ["weight"],
    origin: "rfc5356",
  },
  { type: 0x00000003, name: "Random", abbreviation: "RAND", fields: [], origin: "rfc5356" },
  {
    type: 0x00000004,
    name: "WeightedRandom",
    abbreviation: "WRAND",
    fields: ["weight"],
    origin: "rfc5356",
  },
  {
    type: 0x00000005,
    name: "Priority",
    abbreviation: "PRI",
    fields: ["priority"],
    origin: "rfc5356",
  },
  { type: 0x40000001, name: "LeastUsed", abbreviation: "LU", fields: ["load"], origin: "rfc5356" },
  {
    type: 0x40000002,
    name: "LeastUsedDegradation",
    abbreviation: "LUD",
    fields: ["load", "loadDegradation"],
    origin: "rfc5356",
  },
  {
    type: 0x40000003,
    name: "PriorityLeastUsed",
    abbreviation: "PLU",
    fields: ["load", "loadDegradation"],
    origin: "rfc5356",
  },
  {
    type: 0x40000004,
    name: "RandomizedLeastUsed",
    abbreviation: "RLU",
    fields: ["load"],
    origin: "rfc5356",
  },
  {
    type: 0xb0001001,
    name: "RandomizedPriorityLeastUsed",
    abbreviation: "RPLU",
    fields: ["load", "loadDegradation"],
    origin: "rsplib",
  },
  {
    type: 0xb0001002,
    name: "RandomizedLeastUsedDegradation",
    abbreviation: "RLUD",
    fields: ["load", "loadDegradation"],
    origin: "rsplib",
  },
  {
    type: 0xb0001003,
    name: "PriorityLeastUsedDegradation",
    abbreviation: "PLUD",
    fields: ["load", "loadDegradation"],
    origin: "rsplib",
  },
  {
    type: 0xb0001004,
    name: "RandomizedPriorityLeastUsedDegradation",
    abbreviation: "RPLUD",
    fields: ["load", "loadDegradation"],
    origin: "rsplib",
  },
  {
    type: 0xb0002001,
    name: "WeightedRandomDPF",
    abbreviation: "WRAND-DPF",
    fields: ["weight", "weightDpf", "distance"],
    origin: "rsplib",
  },
  {
    type: 0xb0002002,
    name: "LeastUsedDPF",
    abbreviation: "LU-DPF",
    fields: ["load", "loadDpf", "distance"],
    origin: "rsplib",
  },
  {
    type: 0xb0002003,
    name: "LeastUsedDegradationDPF",
    abbreviation: "LUD-DPF",
    fields: ["load", "loadDegradation", "loadDpf", "distance"],
    origin: "rsplib",
  },
  {
    // RSPLIB has no wire layout for this type; ours follows LUD-DPF's.
    type: 0xb0002004,
    name: "PriorityLeastUsedDPF",
    abbreviation: "PLU-DPF",
    fields: ["load", "loadDegradation", "loadDpf", "distance"],
    origin: "rsplib",
  },
  {
    // RSPLIB has no wire layout for this type; ours follows LUD-DPF's.
    type: 0xb0002005,
    name: "PriorityLeastUsedDegradationDPF",
    abbreviation: "PLUD-DPF",
    fields: ["load", "loadDegradation", "loadDpf", "distance"],
    origin: "rsplib",
  },
  {
    type: 0xb0003001,
    name: "PowerOfTwoLeastUsed",
    abbreviation: "P2C-LU",
    fields: ["load"],
    origin: "rserpool-ng",
  },
  {
    type: 0xb0003002,
    name: "WeightedLeastUsed",
    abbreviation: "WLU",
    fields: ["weight", "load"],
    origin: "rserpool-ng",
  },
];

const BY_TYPE = new Map<number, PolicyTypeInfo>(TABLE.map((p) => [p.type, p]));
const BY_NAME = new Map<string, PolicyTypeInfo>();
for (const p of TABLE) {
  BY_NAME.set(p.name.toLowerCase(), p);
  BY_NAME.set(p.abbreviation.toLowerCase(), p);
}

/** Every policy type this implementation knows, in type-code order of the table above. */
export const POLICY_TYPES: readonly PolicyTypeInfo[] = TABLE;

/**
 * Looks up a policy type by code.
 *
 * @param type A policy type code.
 * @returns Its description, or `undefined` for an unknown code.
 * @example Layout of Least Used
 * ```ts
 * import { policyTypeInfo, PolicyType } from "./policy_parameter.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(policyTypeInfo(PolicyType.LeastUsed)?.fields, ["load"]);
 * ```
 */
export function policyTypeInfo(type: number): PolicyTypeInfo | undefined {
  return BY_TYPE.get(type);
}

/**
 * Looks up a policy type by name or abbreviation, case-insensitively
 * (`WeightedRandom`, `wrand`, `LU-DPF`, ...).
 *
 * @param name The name or abbreviation.
 * @returns Its description, or `undefined`.
 * @example By name
 * ```ts
 * import { policyTypeByName, PolicyType } from "./policy_parameter.ts";
 * import assert from "node:assert/strict";
 * assert.equal(policyTypeByName("wrand")?.type, PolicyType.WeightedRandom);
 * ```
 */
export function policyTypeByName(name: string): PolicyTypeInfo | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/**
 * Builds a policy parameter value; omitted fields are 0.
 *
 * @param type The policy type code.
 * @param fields The fields to set (unsigned 32-bit integers).
 * @returns A complete {@link PolicyParameter}.
 * @throws {RangeError} If a field is not an unsigned 32-bit integer.
 * @example Weighted Random with weight 5
 * ```ts
 * import { policyParameter, PolicyType } from "./policy_parameter.ts";
 * import assert from "node:assert/strict";
 * const p = policyParameter(PolicyType.WeightedRandom, { weight: 5 });
 * assert.equal(p.weight, 5);
 * assert.equal(p.load, 0);
 * ```
 */
export function policyParameter(
  type: number,
  fields: Partial<Record<PolicyField, number>> = {},
): PolicyParameter {
  checkU32("type", type);
  const p: PolicyParameter = {
    type,
    weight: fields.weight ?? 0,
    priority: fields.priority ?? 0,
    load: fields.load ?? 0,
    loadDegradation: fields.loadDegradation ?? 0,
    loadDpf: fields.loadDpf ?? 0,
    weightDpf: fields.weightDpf ?? 0,
    distance: fields.distance ?? 0,
  };
  for (const k of FIELD_NAMES) checkU32(k, p[k]);
  return p;
}

const FIELD_NAMES: readonly PolicyField[] = [
  "weight",
  "priority",
  "load",
  "loadDegradation",
  "loadDpf",
  "weightDpf",
  "distance",
];

function checkU32(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new RangeError(`Cannot build policy parameter: ${name} ${v} is not a u32`);
  }
}
