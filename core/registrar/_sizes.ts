// Encoded sizes of the parameters a registrar packs into Handle Resolution and Handle Table
// Responses, computed without encoding, so a response is filled up to the message size limit
// exactly (checked against WireEncoder in _sizes_test.ts). All sizes include padding.

import type { PoolElementParameter } from "../wire/pool_element_parameter.ts";
import { type PolicyParameter, policyTypeInfo } from "../wire/policy_parameter.ts";
import type { TransportParameter } from "../wire/transport_parameter.ts";

/** Size of a parameter holding `n` value bytes, padded. */
export function paddedParameterSize(n: number): number {
  return 4 + ((n + 3) & ~3);
}

/** Size of a transport parameter. */
export function transportSize(t: TransportParameter): number {
  let n = t.protocol === "dccp" ? 12 : 8;
  const a = t.addresses;
  for (let i = 0; i < a.length; i++) n += a[i]!.includes(":") ? 20 : 8;
  return n;
}

/** Size of a policy parameter. */
export function policySize(p: PolicyParameter): number {
  const raw = p.raw;
  if (raw !== undefined) return 8 + 4 * raw.length;
  const info = policyTypeInfo(p.type);
  return 8 + 4 * (info === undefined ? 0 : info.fields.length);
}

/** Size of a Pool Element parameter with identifiers of `idBytes` bytes. */
export function poolElementSize(pe: PoolElementParameter, idBytes: number): number {
  let n = 8 + 2 * idBytes + transportSize(pe.userTransport) + policySize(pe.policy);
  if (pe.asapTransport !== undefined) n += transportSize(pe.asapTransport);
  return n;
}
