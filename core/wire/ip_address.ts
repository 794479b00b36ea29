/**
 * IP addresses as the wire codec carries them: canonical text in values,
 * 4 or 16 bytes on the wire.
 *
 * Canonical text is the dotted quad for IPv4 and the RFC 5952 form for IPv6
 * (lower-case hex, leading zeros dropped, the longest run of two or more zero
 * groups compressed to `::`, the first such run on a tie). An IPv4-mapped IPv6
 * address (`::ffff:a.b.c.d`) is an IPv4 address: its canonical text is the
 * dotted quad and the codec sends it in an IPv4 Address parameter, as RSPLIB
 * does.
 *
 * @see RFC 5354 sections 3.1 and 3.2, RFC 5952
 * @module
 */

import { formatIpv4At, formatIpv6At, isIpv4Mapped, parseIpv4Into, parseIpv6Into } from "./_ip.ts";

/**
 * Formats an address given as 4 (IPv4) or 16 (IPv6) bytes as canonical text.
 *
 * @param bytes The address bytes in network order.
 * @returns The canonical text (an IPv4-mapped IPv6 address gives its dotted quad).
 * @throws {RangeError} If `bytes` is neither 4 nor 16 bytes long.
 * @example Format addresses
 * ```ts
 * import { formatIpAddress } from "./ip_address.ts";
 * import assert from "node:assert/strict";
 * assert.equal(formatIpAddress(new Uint8Array([192, 0, 2, 10])), "192.0.2.10");
 * const v6 = new Uint8Array(16);
 * v6.set([0x20, 0x01, 0x0d, 0xb8]);
 * v6[15] = 7;
 * assert.equal(formatIpAddress(v6), "2001:db8::7");
 * ```
 */
export function formatIpAddress(bytes: Uint8Array): string {
  if (bytes.length === 4) return formatIpv4At(bytes, 0);
  if (bytes.length === 16) return formatIpv6At(bytes, 0);
  throw new RangeError(
    `Cannot format IP address: expected 4 or 16 bytes, got ${bytes.length}`,
  );
}

/**
 * Parses an IP address from text into 4 bytes (IPv4, including an IPv4-mapped
 * IPv6 address) or 16 bytes (IPv6).
 *
 * @param text An IPv4 dotted quad or IPv6 text (no zone index).
 * @returns The address bytes in network order.
 * @throws {SyntaxError} If the text is not an IP address.
 * @example Parse addresses
 * ```ts
 * import { parseIpAddress } from "./ip_address.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseIpAddress("192.0.2.10"), new Uint8Array([192, 0, 2, 10]));
 * assert.deepEqual(parseIpAddress("::ffff:192.0.2.10"), new Uint8Array([192, 0, 2, 10]));
 * assert.equal(parseIpAddress("2001:db8::7").length, 16);
 * assert.throws(() => parseIpAddress("192.0.2.256"), SyntaxError);
 * ```
 */
export function parseIpAddress(text: string): Uint8Array {
  const v4 = new Uint8Array(4);
  if (parseIpv4Into(text, v4, 0)) return v4;
  const v6 = new Uint8Array(16);
  if (!parseIpv6Into(text, v6, 0)) {
    throw new SyntaxError(`Cannot parse IP address: "${text}" is not IPv4 or IPv6 text`);
  }
  if (isIpv4Mapped(v6, 0)) return v6.slice(12);
  return v6;
}

/**
 * Canonical text of an IP address (see the module documentation).
 *
 * @param text Any IPv4 or IPv6 text form.
 * @returns The canonical text.
 * @throws {SyntaxError} If the text is not an IP address.
 * @example Canonical forms
 * ```ts
 * import { canonicalIpAddress } from "./ip_address.ts";
 * import assert from "node:assert/strict";
 * assert.equal(canonicalIpAddress("2001:DB8:0:0:0:0:0:07"), "2001:db8::7");
 * assert.equal(canonicalIpAddress("::ffff:c000:20a"), "192.0.2.10");
 * ```
 */
export function canonicalIpAddress(text: string): string {
  return formatIpAddress(parseIpAddress(text));
}
