// Finds the bytes of a parameter inside a received ASAP Registration, for the cause
// information of a Registration Response that rejects it (RFC 5354: Invalid Values carries the
// offending parameter, Inconsistent Pooling Policy the policy, Inconsistent Transport Type the
// transport). The message decoded successfully, so its TLV structure is sound; the walk is
// bounds-checked anyway and gives an empty result when something does not fit.

import type { RegistrationField } from "../handlespace/handlespace.ts";

const EMPTY = new Uint8Array(0);
const POOL_HANDLE = 0x0009, POOL_ELEMENT = 0x000a, POLICY = 0x0008;

function isTransport(t: number): boolean {
  return t >= 0x0003 && t <= 0x0007;
}

/** A copy of the parameter of a Registration a rejection is about (empty if not found). */
export function offendingParameter(
  message: Uint8Array,
  field: RegistrationField | undefined,
  idBytes: number,
): Uint8Array {
  if (field === undefined) return EMPTY;
  const end = Math.min(message.length, (message[2]! << 8) | message[3]!);
  let pe = -1, peEnd = -1;
  for (let p = 4; p + 4 <= end;) {
    const t = (message[p]! << 8) | message[p + 1]!;
    const l = (message[p + 2]! << 8) | message[p + 3]!;
    if (l < 4 || p + l > end) return EMPTY;
    if (t === POOL_HANDLE && field === "pool-handle") return message.slice(p, p + l);
    if (t === POOL_ELEMENT) {
      pe = p;
      peEnd = p + l;
      break;
    }
    p += (l + 3) & ~3;
  }
  if (pe < 0) return EMPTY;
  if (field === "identifier") return message.slice(pe, peEnd);
  let transports = 0;
  for (let p = pe + 4 + 2 * idBytes + 4; p + 4 <= peEnd;) {
    const t = (message[p]! << 8) | message[p + 1]!;
    const l = (message[p + 2]! << 8) | message[p + 3]!;
    if (l < 4 || p + l > peEnd) return EMPTY;
    if (t === POLICY && field === "policy") return message.slice(p, p + l);
    if (isTransport(t)) {
      transports++;
      if (transports === 1 && field === "user-transport") return message.slice(p, p + l);
      if (transports === 2 && field === "asap-transport") return message.slice(p, p + l);
    }
    p += (l + 3) & ~3;
  }
  return EMPTY;
}
