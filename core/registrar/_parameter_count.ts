// Counts the parameters of an ASAP message before it is decoded (the registrar's "max
// parameters" DoS limit): the top-level TLVs plus those nested inside Pool Element parameters,
// the only ASAP parameter that holds others (RFC 5354 §2.2.4). Stops counting at `limit + 1`,
// so the cost is bounded by the limit, not by the message. A structure that does not fit is
// not counted further: the decoder reports it.

const POOL_ELEMENT = 0x000a;

/**
 * The number of parameters in an ASAP message, or `limit + 1` as soon as there are more than
 * `limit`. `idBytes` is the profile's identifier width (4 RFC, 8 NG).
 */
export function countParameters(message: Uint8Array, idBytes: number, limit: number): number {
  if (message.length < 4) return 0;
  const end = Math.min(message.length, (message[2]! << 8) | message[3]!);
  return walk(message, 4, end, idBytes, limit, 0);
}

function walk(
  m: Uint8Array,
  start: number,
  end: number,
  idBytes: number,
  limit: number,
  count: number,
): number {
  for (let p = start; p + 4 <= end;) {
    const t = (m[p]! << 8) | m[p + 1]!;
    const l = (m[p + 2]! << 8) | m[p + 3]!;
    if (l < 4 || p + l > end) return count;
    if (++count > limit) return count;
    if (t === POOL_ELEMENT) {
      count = walk(m, p + 4 + 2 * idBytes + 4, p + l, idBytes, limit, count);
      if (count > limit) return count;
    }
    p += (l + 3) & ~3;
  }
  return count;
}
