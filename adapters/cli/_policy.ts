// Policy strings of the CLI, RSPLIB's rspserver syntax (`-policy=`): a policy name or
// abbreviation (`WeightedRandom`, `WRAND`, case-insensitive), then colon-separated values for
// the policy's fields in wire order, leaving out load and distance: WeightedRoundRobin:5,
// Priority:3, LeastUsedDegradation:0.01, LeastUsedDegradationDPF:0.01:0.5,
// WeightedRandomDPF:5:0.5, WeightedLeastUsed:4. Weights and priorities are integers; load
// degradation and the DPF factors are fractions 0..1 of 0xffffffff. The load is its own flag.

import {
  type PolicyField,
  type PolicyParameter,
  policyParameter,
  policyTypeByName,
  policyTypeInfo,
} from "../../core/wire/policy_parameter.ts";
import { UsageError } from "./_args.ts";

/** 100 % load (and degradation, DPF factor) on the wire. */
export const FULL_SCALE = 0xffffffff;

const INTEGER_FIELDS: ReadonlySet<PolicyField> = new Set(["weight", "priority"]);

/** Whether a policy (by type) carries a load. */
export function policyHasLoad(type: number): boolean {
  return policyTypeInfo(type)?.fields.includes("load") ?? false;
}

/** A fraction 0..1 as its u32 wire value. */
export function fractionToU32(fraction: number): number {
  return Math.min(FULL_SCALE, Math.max(0, Math.round(fraction * FULL_SCALE)));
}

/**
 * Parses a policy string and a load fraction into a policy parameter.
 *
 * @throws {UsageError} For an unknown policy, a bad value, or a load for a policy without one.
 */
export function parsePolicy(text: string, load: number | undefined): PolicyParameter {
  const [name = "", ...args] = text.split(":");
  const info = policyTypeByName(name.trim());
  if (info === undefined) {
    throw new UsageError(
      `--policy: "${name}" is not a policy (e.g. RoundRobin, WeightedRandom:5, LeastUsed, Priority:3)`,
    );
  }
  const settable = info.fields.filter((f) => f !== "load" && f !== "distance");
  if (args.length > settable.length) {
    throw new UsageError(
      `--policy: ${info.name} takes ${
        settable.length === 0 ? "no values" : `at most ${settable.join(", ")}`
      }, not "${text}"`,
    );
  }
  const fields: Partial<Record<PolicyField, number>> = {};
  for (const f of settable) if (f === "weight") fields.weight = 1;
  settable.forEach((f, i) => {
    const a = args[i];
    if (a === undefined || a.trim() === "") return;
    const v = Number(a);
    if (INTEGER_FIELDS.has(f)) {
      if (!/^\s*\d+\s*$/.test(a) || v > FULL_SCALE) {
        throw new UsageError(
          `--policy: ${info.name} ${f} must be an integer 0..${FULL_SCALE}, not "${a}"`,
        );
      }
      fields[f] = v;
    } else {
      if (!/^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(a) || v > 1) {
        throw new UsageError(`--policy: ${info.name} ${f} must be a fraction 0..1, not "${a}"`);
      }
      fields[f] = fractionToU32(v);
    }
  });
  if (load !== undefined) {
    if (!info.fields.includes("load")) {
      throw new UsageError(`--load: ${info.name} carries no load (use a Least Used policy)`);
    }
    fields.load = fractionToU32(load);
  }
  return policyParameter(info.type, fields);
}

function percent(v: number): string {
  return `${(100 * v / FULL_SCALE).toFixed(2)}%`;
}

/** A policy in words: `LeastUsed load=25.00%`, `WeightedRandom weight=5`. */
export function policyText(p: PolicyParameter): string {
  const info = policyTypeInfo(p.type);
  if (info === undefined) return `0x${p.type.toString(16).padStart(8, "0")}`;
  const parts = [info.name];
  for (const f of info.fields) {
    const v = p[f];
    if (f === "weight" || f === "priority") parts.push(`${f}=${v}`);
    else if (f === "distance") parts.push(`distance=${v}ms`);
    else parts.push(`${f}=${percent(v)}`);
  }
  return parts.join(" ");
}
