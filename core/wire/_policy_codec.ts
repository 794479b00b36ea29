// Internal codec of the Pool Member Selection Policy parameter. Known policy
// types use their layout from policy_parameter.ts (a value longer than the
// layout is tolerated, as RSPLIB does; a shorter one is invalid); unknown
// types keep their fields in `raw` so a registrar can reject them itself.

import type { Reader } from "./_reader.ts";
import { checkU32, type Writer } from "./_writer.ts";
import { ParameterType } from "./parameter_type.ts";
import {
  POLICY_TYPES,
  type PolicyField,
  type PolicyParameter,
  policyTypeInfo,
} from "./policy_parameter.ts";

/** Field slot numbers, in the order of PolicyParameter's numeric fields. */
const SLOT: Readonly<Record<PolicyField, number>> = {
  weight: 0,
  priority: 1,
  load: 2,
  loadDegradation: 3,
  loadDpf: 4,
  weightDpf: 5,
  distance: 6,
};

/** Policy type → the slots of its wire fields, in wire order. */
const LAYOUT = new Map<number, readonly number[]>(
  POLICY_TYPES.map((p) => [p.type, p.fields.map((f) => SLOT[f])]),
);

/** Reads a policy parameter at `p` with Length `l`. */
export function readPolicy(r: Reader, p: number, l: number): PolicyParameter {
  if (l < 8) {
    r.fail(
      "bad-length",
      p,
      `Pool Member Selection Policy length ${l} at offset ${p} is shorter than 8`,
      p,
      p + l,
    );
  }
  const type = r.u32(p + 4);
  const layout = LAYOUT.get(type);
  const n = l - 8;
  if (layout === undefined) {
    if ((n & 3) !== 0) {
      r.fail(
        "invalid-value",
        p,
        `policy type 0x${
          type.toString(16)
        } at offset ${p} has ${n} field bytes, not a multiple of 4`,
        p,
        p + l,
      );
    }
    const raw: number[] = [];
    for (let o = p + 8; o < p + l; o += 4) raw.push(r.u32(o));
    return {
      type,
      weight: 0,
      priority: 0,
      load: 0,
      loadDegradation: 0,
      loadDpf: 0,
      weightDpf: 0,
      distance: 0,
      raw,
    };
  }
  const k = layout.length;
  if (n < 4 * k) {
    r.fail(
      "invalid-value",
      p,
      `policy ${policyTypeInfo(type)!.name} at offset ${p} needs ${k} fields but has ${n} bytes`,
      p,
      p + l,
    );
  }
  let weight = 0,
    priority = 0,
    load = 0,
    loadDegradation = 0,
    loadDpf = 0,
    weightDpf = 0,
    distance = 0;
  for (let i = 0; i < k; i++) {
    const v = r.u32(p + 8 + 4 * i);
    switch (layout[i]) {
      case 0:
        weight = v;
        break;
      case 1:
        priority = v;
        break;
      case 2:
        load = v;
        break;
      case 3:
        loadDegradation = v;
        break;
      case 4:
        loadDpf = v;
        break;
      case 5:
        weightDpf = v;
        break;
      default:
        distance = v;
    }
  }
  return { type, weight, priority, load, loadDegradation, loadDpf, weightDpf, distance };
}

/**
 * Writes a policy parameter: the layout fields of a known type (other fields
 * are not sent), or `raw` for an unknown type.
 */
export function writePolicy(w: Writer, policy: PolicyParameter, what: string): void {
  if (policy === null || typeof policy !== "object") throw w.type(`${what} must be an object`);
  const type = policy.type;
  checkU32(w, type, `${what} type`);
  const layout = LAYOUT.get(type);
  const start = w.begin(ParameterType.PoolMemberSelectionPolicy);
  if (layout !== undefined) {
    if (policy.raw !== undefined) {
      throw w.type(`${what}: raw fields are only for unknown policy types`);
    }
    w.ensure(4 + 4 * layout.length);
    w.u32(type);
    for (let i = 0; i < layout.length; i++) {
      let v: number;
      switch (layout[i]) {
        case 0:
          v = policy.weight;
          checkU32(w, v, `${what} weight`);
          break;
        case 1:
          v = policy.priority;
          checkU32(w, v, `${what} priority`);
          break;
        case 2:
          v = policy.load;
          checkU32(w, v, `${what} load`);
          break;
        case 3:
          v = policy.loadDegradation;
          checkU32(w, v, `${what} load degradation`);
          break;
        case 4:
          v = policy.loadDpf;
          checkU32(w, v, `${what} load DPF`);
          break;
        case 5:
          v = policy.weightDpf;
          checkU32(w, v, `${what} weight DPF`);
          break;
        default:
          v = policy.distance;
          checkU32(w, v, `${what} distance`);
      }
      w.u32(v);
    }
  } else {
    const raw = policy.raw ?? [];
    if (!Array.isArray(raw)) throw w.type(`${what} raw must be an array of numbers`);
    w.ensure(4 + 4 * raw.length);
    w.u32(type);
    for (let i = 0; i < raw.length; i++) {
      checkU32(w, raw[i]!, `${what} raw field ${i}`);
      w.u32(raw[i]!);
    }
  }
  w.finish(start);
}
