/**
 * SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104), synchronous and allocation-light. The
 * sans-IO core needs a MAC it can call synchronously (SCTP state cookies, session cookies);
 * WebCrypto is asynchronous, so core carries its own.
 *
 * @module
 */

const K = new Uint32Array([
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
]);

const IV = [
  0x6a09e667,
  0xbb67ae85,
  0x3c6ef372,
  0xa54ff53a,
  0x510e527f,
  0x9b05688c,
  0x1f83d9ab,
  0x5be0cd19,
];

const W = new Uint32Array(64);

function compress(h: Uint32Array, block: Uint8Array, at: number): void {
  for (let i = 0; i < 16; i++) {
    const j = at + i * 4;
    W[i] = (block[j]! << 24) | (block[j + 1]! << 16) | (block[j + 2]! << 8) | block[j + 3]!;
  }
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15]!, w2 = W[i - 2]!;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
  }
  let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, k = h[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (k + S1 + ch + K[i]! + W[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    k = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  h[0] = h[0]! + a;
  h[1] = h[1]! + b;
  h[2] = h[2]! + c;
  h[3] = h[3]! + d;
  h[4] = h[4]! + e;
  h[5] = h[5]! + f;
  h[6] = h[6]! + g;
  h[7] = h[7]! + k;
}

/**
 * SHA-256 of the concatenation of `parts`.
 *
 * @param parts The byte strings to hash, in order.
 * @returns The 32-byte digest.
 * @example Digest of "abc"
 * ```ts
 * import { sha256 } from "./hmac_sha256.ts";
 * import assert from "node:assert/strict";
 * const d = sha256(new TextEncoder().encode("abc"));
 * assert.equal(d[0], 0xba);
 * assert.equal(d.length, 32);
 * ```
 */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = new Uint32Array(IV);
  const block = new Uint8Array(64);
  let fill = 0;
  let total = 0;
  for (const part of parts) {
    total += part.length;
    let i = 0;
    if (fill > 0) {
      const n = Math.min(64 - fill, part.length);
      block.set(part.subarray(0, n), fill);
      fill += n;
      i = n;
      if (fill < 64) continue;
      compress(h, block, 0);
      fill = 0;
    }
    for (; i + 64 <= part.length; i += 64) compress(h, part, i);
    if (i < part.length) {
      block.set(part.subarray(i), 0);
      fill = part.length - i;
    }
  }
  block[fill++] = 0x80;
  if (fill > 56) {
    block.fill(0, fill);
    compress(h, block, 0);
    fill = 0;
  }
  block.fill(0, fill, 56);
  const bits = total * 8;
  const view = new DataView(block.buffer);
  view.setUint32(56, Math.floor(bits / 0x100000000));
  view.setUint32(60, bits >>> 0);
  compress(h, block, 0);
  const out = new Uint8Array(32);
  const ov = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) ov.setUint32(i * 4, h[i]!);
  return out;
}

/**
 * A keyed HMAC-SHA-256 with the key's inner and outer pads computed once.
 *
 * @example Tag and verify
 * ```ts
 * import { constantTimeEqual, HmacSha256 } from "./hmac_sha256.ts";
 * import assert from "node:assert/strict";
 * const mac = new HmacSha256(new TextEncoder().encode("pool-key"));
 * const data = new TextEncoder().encode("state");
 * assert.ok(constantTimeEqual(mac.mac(data), mac.mac(data)));
 * ```
 */
export class HmacSha256 {
  #ipad: Uint8Array;
  #opad: Uint8Array;

  /**
   * Prepares the pads for a key.
   *
   * @param key The secret key (hashed first when longer than 64 bytes).
   */
  constructor(key: Uint8Array) {
    const k = new Uint8Array(64);
    k.set(key.length > 64 ? sha256(key) : key);
    this.#ipad = k.map((b) => b ^ 0x36);
    this.#opad = k.map((b) => b ^ 0x5c);
  }

  /**
   * The 32-byte MAC of the concatenation of `parts`.
   *
   * @param parts The byte strings to authenticate, in order.
   * @returns The 32-byte tag.
   */
  mac(...parts: Uint8Array[]): Uint8Array {
    return sha256(this.#opad, sha256(this.#ipad, ...parts));
  }
}

/**
 * Compares two byte arrays in time independent of where they differ.
 *
 * @param a First array.
 * @param b Second array.
 * @returns Whether they are equal (length and content).
 * @example Equal and different
 * ```ts
 * import { constantTimeEqual } from "./hmac_sha256.ts";
 * import assert from "node:assert/strict";
 * assert.ok(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2)));
 * assert.ok(!constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3)));
 * ```
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
