/**
 * The state cookie (RFC 9260 section 5.1.3): everything needed to build an association from a
 * COOKIE-ECHO, so a listener keeps no state per INIT (the flooding resistance of SCTP). It is
 * MACed with HMAC-SHA-256 (truncated to 16 bytes) under a secret key of the endpoint; the format
 * is private to one endpoint (only it reads its cookies back).
 *
 * Layout (big-endian): version u8 = 1, reserved u8 x3, created f64 (ms, endpoint clock),
 * lifetime u32 (ms), local tag, peer tag, local initial TSN, peer initial TSN, peer a_rwnd (u32
 * each), outbound streams, inbound streams, local port, peer port (u16 each), tie-tags local and
 * peer (u32 each), remote UDP port u16, address count u8, reserved u8, then per address
 * family u8 (4 or 6) and 4 or 16 bytes; finally the 16-byte MAC over all of the above.
 *
 * @module
 */

import { formatAddress, parseAddress } from "./_address.ts";
import { constantTimeEqual, HmacSha256 } from "../crypto/hmac_sha256.ts";
import { readU32, writeU32 } from "./packet.ts";

const VERSION = 1;
const FIXED = 56;
const MAC_BYTES = 16;

/** What a state cookie carries. */
export interface CookieData {
  /** When the INIT-ACK was made (ms, the endpoint's clock). */
  readonly createdAt: number;
  /** How long the cookie is valid (ms). */
  readonly lifetime: number;
  /** Our verification tag. */
  readonly localTag: number;
  /** The peer's verification tag. */
  readonly peerTag: number;
  /** Our initial TSN. */
  readonly localTsn: number;
  /** The peer's initial TSN. */
  readonly peerTsn: number;
  /** The peer's advertised receive window. */
  readonly peerArwnd: number;
  /** Streams we may send on (negotiated). */
  readonly outboundStreams: number;
  /** Streams the peer may send on (negotiated). */
  readonly inboundStreams: number;
  /** Our SCTP port. */
  readonly localPort: number;
  /** The peer's SCTP port. */
  readonly peerPort: number;
  /** Our tag in the association that existed when the INIT came (restart detection), or 0. */
  readonly tieLocalTag: number;
  /** The peer's tag in that association, or 0. */
  readonly tiePeerTag: number;
  /** The peer's UDP encapsulation port (the INIT's UDP source port). */
  readonly remoteUdpPort: number;
  /** The peer's addresses; the first is the INIT's source address. */
  readonly peerAddresses: readonly string[];
}

/**
 * Seals and opens state cookies under one secret key.
 *
 * @example Seal and open
 * ```ts
 * import { CookieSealer } from "./state_cookie.ts";
 * import assert from "node:assert/strict";
 * const sealer = new CookieSealer(new Uint8Array(32).fill(1));
 * const cookie = sealer.seal({
 *   createdAt: 0, lifetime: 60000, localTag: 1, peerTag: 2, localTsn: 3, peerTsn: 4,
 *   peerArwnd: 65536, outboundStreams: 10, inboundStreams: 10, localPort: 3863, peerPort: 5000,
 *   tieLocalTag: 0, tiePeerTag: 0, remoteUdpPort: 9899, peerAddresses: ["127.0.0.1"],
 * });
 * const data = sealer.open(cookie);
 * assert.ok(typeof data !== "string" && data.peerTag === 2);
 * cookie[0] = 9;
 * assert.equal(sealer.open(cookie), "malformed");
 * ```
 */
export class CookieSealer {
  #hmac: HmacSha256;

  /**
   * Creates a sealer.
   *
   * @param secret The MAC key (at least 16 bytes; 32 random bytes recommended).
   */
  constructor(secret: Uint8Array) {
    if (secret.length < 16) throw new RangeError("Invalid cookie secret: at least 16 bytes");
    this.#hmac = new HmacSha256(secret);
  }

  /**
   * Encodes and MACs a cookie.
   *
   * @param d The contents.
   * @returns The cookie bytes.
   */
  seal(d: CookieData): Uint8Array {
    const addrs = d.peerAddresses.slice(0, 255).map((a) => parseAddress(a) ?? new Uint8Array(4));
    let size = FIXED;
    for (const a of addrs) size += 1 + a.length;
    const out = new Uint8Array(size + MAC_BYTES);
    const view = new DataView(out.buffer);
    out[0] = VERSION;
    view.setFloat64(4, d.createdAt);
    writeU32(out, 12, d.lifetime);
    writeU32(out, 16, d.localTag);
    writeU32(out, 20, d.peerTag);
    writeU32(out, 24, d.localTsn);
    writeU32(out, 28, d.peerTsn);
    writeU32(out, 32, d.peerArwnd);
    view.setUint16(36, d.outboundStreams);
    view.setUint16(38, d.inboundStreams);
    view.setUint16(40, d.localPort);
    view.setUint16(42, d.peerPort);
    writeU32(out, 44, d.tieLocalTag);
    writeU32(out, 48, d.tiePeerTag);
    view.setUint16(52, d.remoteUdpPort);
    out[54] = addrs.length;
    let at = FIXED;
    for (const a of addrs) {
      out[at++] = a.length === 4 ? 4 : 6;
      out.set(a, at);
      at += a.length;
    }
    out.set(this.#hmac.mac(out.subarray(0, size)).subarray(0, MAC_BYTES), size);
    return out;
  }

  /**
   * Checks a cookie's MAC and decodes it. Never throws.
   *
   * @param cookie The bytes of a State Cookie parameter as echoed by the peer.
   * @returns The contents, or `"malformed"` / `"bad-mac"`.
   */
  open(cookie: Uint8Array): CookieData | "malformed" | "bad-mac" {
    if (cookie.length < FIXED + MAC_BYTES || cookie[0] !== VERSION) return "malformed";
    const size = cookie.length - MAC_BYTES;
    const mac = this.#hmac.mac(cookie.subarray(0, size)).subarray(0, MAC_BYTES);
    if (!constantTimeEqual(mac, cookie.subarray(size))) return "bad-mac";
    const view = new DataView(cookie.buffer, cookie.byteOffset, cookie.byteLength);
    const count = cookie[54]!;
    const peerAddresses: string[] = [];
    let at = FIXED;
    for (let i = 0; i < count; i++) {
      const n = cookie[at] === 4 ? 4 : 16;
      if (at + 1 + n > size) return "malformed";
      peerAddresses.push(formatAddress(cookie.subarray(at + 1, at + 1 + n)));
      at += 1 + n;
    }
    if (at !== size || peerAddresses.length === 0) return "malformed";
    return {
      createdAt: view.getFloat64(4),
      lifetime: readU32(cookie, 12),
      localTag: readU32(cookie, 16),
      peerTag: readU32(cookie, 20),
      localTsn: readU32(cookie, 24),
      peerTsn: readU32(cookie, 28),
      peerArwnd: readU32(cookie, 32),
      outboundStreams: view.getUint16(36),
      inboundStreams: view.getUint16(38),
      localPort: view.getUint16(40),
      peerPort: view.getUint16(42),
      tieLocalTag: readU32(cookie, 44),
      tiePeerTag: readU32(cookie, 48),
      remoteUdpPort: view.getUint16(52),
      peerAddresses,
    };
  }
}
