// Address scopes of PE addresses, after RSPLIB's scope order (netutilities.c), reduced to the
// four levels a registrar filters on. Unusable addresses (unspecified, multicast, broadcast,
// text that is not an address) rank -1.

import { parseIpAddress } from "../wire/ip_address.ts";
import type { AddressScope } from "./config.ts";

export const SCOPE_RANK: Readonly<Record<AddressScope, number>> = {
  loopback: 0,
  "link-local": 1,
  "site-local": 2,
  global: 3,
};

/** The scope rank of an address given as text (canonical or not); -1 if unusable. */
export function addressScopeRank(text: string): number {
  // parseIpAddress throws only for text that is not an address; check the shape first so no
  // exception is used for control flow on peer data (decoded addresses are canonical anyway).
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return -1;
  let b: Uint8Array;
  try {
    b = parseIpAddress(text);
  } catch {
    return -1;
  }
  return b.length === 4 ? ipv4Rank(b) : ipv6Rank(b);
}

function ipv4Rank(b: Uint8Array): number {
  const a = b[0]!, c = b[1]!;
  if (a === 0) return -1; // this network / unspecified
  if (a === 127) return SCOPE_RANK.loopback;
  if (a >= 224) return -1; // multicast, reserved, broadcast
  if (a === 169 && c === 254) return SCOPE_RANK["link-local"];
  if (a === 10 || (a === 172 && c >= 16 && c <= 31) || (a === 192 && c === 168)) {
    return SCOPE_RANK["site-local"];
  }
  if (a === 100 && c >= 64 && c <= 127) return SCOPE_RANK["site-local"]; // carrier-grade NAT
  return SCOPE_RANK.global;
}

function ipv6Rank(b: Uint8Array): number {
  let zero = true;
  for (let i = 0; i < 15; i++) if (b[i] !== 0) zero = false;
  if (zero && b[15] === 0) return -1; // ::
  if (zero && b[15] === 1) return SCOPE_RANK.loopback; // ::1
  const a = b[0]!, c = b[1]!;
  if (a === 0xff) return -1; // multicast
  if (a === 0xfe && (c & 0xc0) === 0x80) return SCOPE_RANK["link-local"]; // fe80::/10
  if (a === 0xfe && (c & 0xc0) === 0xc0) return SCOPE_RANK["site-local"]; // fec0::/10
  if ((a & 0xfe) === 0xfc) return SCOPE_RANK["site-local"]; // fc00::/7 unique local
  return SCOPE_RANK.global;
}
