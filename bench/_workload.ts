// The bench workload of bench-reference.md ("Workload definition"), shared by the handlespace
// benchmarks, the table script and the memory script: per-PE data derived from fmix32, one pool
// "EchoPool", SCTP user transport 10.x.y.z port 5000 + (i mod 50000), ASAP transport port
// 40000 + (i mod 20000), association i + 1, registrar 0x10000001 as own id and every PE's home,
// registration life 30000, time stamp 1000000.

import { Handlespace } from "../core/handlespace/mod.ts";
import {
  BUILTIN_POLICIES,
  type PoolPolicy,
  type SelectionKernel,
  tsSelectionKernel,
} from "../core/policy/mod.ts";
import { SeededRng } from "../core/rng.ts";
import { type PolicyParameter, policyParameter } from "../core/wire/policy_parameter.ts";
import type { PoolElementParameter } from "../core/wire/pool_element_parameter.ts";
import type { TransportParameter } from "../core/wire/transport_parameter.ts";

export const OWN_ID = 0x10000001n;
export const POOL_HANDLE = new TextEncoder().encode("EchoPool");
export const NOW = 1000000;
export const SIZES = [10, 100, 1000, 10000, 100000] as const;

/** MurmurHash3's 32-bit finalizer. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Per-PE numbers of PE i. */
export function peNumbers(
  i: number,
): { id: number; weight: number; load: number; degradation: number } {
  const id = fmix32(i + 1);
  return {
    id,
    weight: 1 + (fmix32((id ^ 0xa5a5a5a5) >>> 0) % 100),
    load: fmix32((id ^ 0x3c3c3c3c) >>> 0),
    degradation: fmix32((id ^ 0x5a5a5a5a) >>> 0) >>> 8,
  };
}

/** The load of PE i in re-registration cycle r ≥ 1 ("load changed"). */
export function changedLoad(i: number, r: number): number {
  const id = fmix32(i + 1);
  return fmix32((id ^ 0x3c3c3c3c ^ Math.imul(r, 0x9e3779b9)) >>> 0);
}

/** Policy information of PE i for a policy (the same numbers for every policy). */
export function policyOf(policy: PoolPolicy, i: number, load?: number): PolicyParameter {
  const n = peNumbers(i);
  return policyParameter(policy.type, {
    weight: n.weight,
    priority: n.weight, // RSPLIB keeps a PE's priority in its weight field
    load: load ?? n.load,
    loadDegradation: n.degradation,
  });
}

function address(i: number): string {
  const x = (i + 1) & 0xffffff;
  return `10.${x >>> 16}.${(x >>> 8) & 0xff}.${x & 0xff}`;
}

/** Everything one registration call of PE i takes (fresh objects, as a decoder would produce). */
export interface Registration {
  readonly element: PoolElementParameter;
  readonly asapTransport: TransportParameter;
  readonly association: number;
}

export function registration(policy: PoolPolicy, i: number, load?: number): Registration {
  const addr = address(i);
  return {
    element: {
      id: BigInt(peNumbers(i).id),
      homeRegistrarId: 0n,
      registrationLife: 30000,
      userTransport: {
        protocol: "sctp",
        port: 5000 + (i % 50000),
        transportUse: "data",
        addresses: [addr],
      },
      policy: policyOf(policy, i, load),
    },
    asapTransport: {
      protocol: "sctp",
      port: 40000 + (i % 20000),
      transportUse: "data",
      addresses: [addr],
    },
    association: i + 1,
  };
}

/**
 * PEs 0 … n−1 of cycle r (r = 0: as first registered; r ≥ 1: the load changed). Re-registrations
 * (`over`, the first registrations) keep each PE's ASAP transport object: the pool element is
 * decoded afresh from every message, but the transport is the association's, one object per
 * association in the registrar (core/registrar's AssociationRecord), as RSPLIB's timed calls pass
 * the registrator transport block built once per PE before the timers.
 */
export function registrations(
  policy: PoolPolicy,
  n: number,
  r = 0,
  over?: readonly Registration[],
): Registration[] {
  return Array.from({ length: n }, (_, i) => {
    const fresh = registration(policy, i, r === 0 ? undefined : changedLoad(i, r));
    return over === undefined ? fresh : { ...fresh, asapTransport: over[i]!.asapTransport };
  });
}

/** An empty handlespace of the bench (RFC profile: 32-bit identifiers, Internet-16, as RSPLIB). */
export function newHandlespace(
  seed = 1,
  selectionKernel: SelectionKernel = tsSelectionKernel,
): Handlespace {
  return new Handlespace({
    ownId: OWN_ID,
    rng: new SeededRng(seed),
    profile: "rfc",
    selectionKernel,
  });
}

/** Registers a batch into a handlespace, as the registrar's ASAP handler would. */
export function registerAll(hs: Handlespace, regs: readonly Registration[]): void {
  for (let i = 0; i < regs.length; i++) {
    const r = regs[i]!;
    const result = hs.register(POOL_HANDLE, r.element, {
      now: NOW,
      home: OWN_ID,
      association: r.association,
      asapTransport: r.asapTransport,
    });
    if (!result.ok) throw new Error(`bench registration rejected: ${result.reason}`);
  }
}

/** A handlespace with one pool of n PEs of the policy. */
export function filledHandlespace(
  policy: PoolPolicy,
  n: number,
  selectionKernel: SelectionKernel = tsSelectionKernel,
): Handlespace {
  const hs = newHandlespace(1, selectionKernel);
  registerAll(hs, registrations(policy, n));
  return hs;
}

/** The nine policies RSPLIB was measured with, in bench-reference.md's row order. */
export const REFERENCE_POLICIES: readonly string[] = [
  "RoundRobin",
  "WeightedRoundRobin",
  "Random",
  "WeightedRandom",
  "Priority",
  "LeastUsed",
  "PriorityLeastUsed",
  "RandomizedLeastUsed",
  "LeastUsedDegradation",
];

/** Every built-in policy: the reference nine first, then the others in type-code order. */
export const BENCH_POLICIES: readonly PoolPolicy[] = [
  ...REFERENCE_POLICIES.map((n) => BUILTIN_POLICIES.find((p) => p.name === n)!),
  ...BUILTIN_POLICIES.filter((p) => !REFERENCE_POLICIES.includes(p.name)),
];
