// Non-throwing wrappers around the wire codec's IP address helpers, for peer-supplied bytes and
// for addresses used as path identities (canonical text: dotted quad, RFC 5952 for IPv6,
// IPv4-mapped IPv6 as the dotted quad).

import { canonicalIpAddress, formatIpAddress, parseIpAddress } from "../wire/ip_address.ts";

/** Parses IPv4 or IPv6 text into 4 or 16 bytes, or `undefined` when it is neither. */
export function parseAddress(text: string): Uint8Array | undefined {
  try {
    return parseIpAddress(text);
  } catch {
    return undefined;
  }
}

/** Canonical text of 4 or 16 address bytes (the caller checks the length). */
export function formatAddress(bytes: Uint8Array): string {
  return formatIpAddress(bytes);
}

/** Canonical text of an address text, or `undefined` when it is not an address. */
export function canonicalAddressText(text: string): string | undefined {
  try {
    return canonicalIpAddress(text);
  } catch {
    return undefined;
  }
}
