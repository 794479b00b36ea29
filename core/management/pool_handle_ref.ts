/**
 * Pool handles in management URLs and views. A pool handle is 1..255 arbitrary bytes; the
 * management API shows it three ways:
 *
 * - **display text** (`poolHandle` in views): the text when every byte is printable ASCII and
 *   it does not start with `0x`, else `0x` and lower-case hex (the `wire` tool's JSON rule);
 * - **hex** (`poolHandleHex`): lower-case hex of the bytes;
 * - **reference** (`ref`, the `{handle}` path segment of `/v1/pools/{handle}`): the
 *   percent-encoded text for printable ASCII handles that do not start with `hex:`, else
 *   `hex:` and the hex. On input any percent-encoded UTF-8 text is accepted too.
 *
 * @module
 */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const encoder = new TextEncoder();

function printable(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

function ascii(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/**
 * Lower-case hex of bytes.
 *
 * @param bytes The bytes.
 * @returns The hex digits, two per byte.
 * @example Hex
 * ```ts
 * import { bytesToHex } from "./pool_handle_ref.ts";
 * import assert from "node:assert/strict";
 * assert.equal(bytesToHex(new Uint8Array([0, 0xab])), "00ab");
 * ```
 */
export function bytesToHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!];
  return s;
}

/**
 * The display text of a pool handle: its text when printable ASCII (and not starting with
 * `0x`), else `0x` and hex.
 *
 * @param poolHandle The pool handle.
 * @returns The text.
 * @example Text and binary handles
 * ```ts
 * import { poolHandleText } from "./pool_handle_ref.ts";
 * import assert from "node:assert/strict";
 * assert.equal(poolHandleText(new TextEncoder().encode("EchoPool")), "EchoPool");
 * assert.equal(poolHandleText(new Uint8Array([1, 2])), "0x0102");
 * ```
 */
export function poolHandleText(poolHandle: Uint8Array): string {
  if (
    printable(poolHandle) &&
    !(poolHandle.length >= 2 && poolHandle[0] === 0x30 &&
      (poolHandle[1] === 0x78 || poolHandle[1] === 0x58))
  ) {
    return ascii(poolHandle);
  }
  return `0x${bytesToHex(poolHandle)}`;
}

/**
 * The URL path segment naming a pool handle in `/v1/pools/{handle}`.
 *
 * @param poolHandle The pool handle.
 * @returns Percent-encoded text, or `hex:` and hex.
 * @example References
 * ```ts
 * import { poolHandleRef } from "./pool_handle_ref.ts";
 * import assert from "node:assert/strict";
 * assert.equal(poolHandleRef(new TextEncoder().encode("Echo Pool")), "Echo%20Pool");
 * assert.equal(poolHandleRef(new Uint8Array([0xff])), "hex:ff");
 * ```
 */
export function poolHandleRef(poolHandle: Uint8Array): string {
  if (printable(poolHandle)) {
    const text = ascii(poolHandle);
    if (!text.startsWith("hex:")) return encodeURIComponent(text);
  }
  return `hex:${bytesToHex(poolHandle)}`;
}

/**
 * Reads a pool handle reference (already percent-decoded, as routers hand path parameters
 * over): `hex:` and an even number of hex digits, or any text (its UTF-8 bytes).
 *
 * @param ref The reference.
 * @returns The pool handle, or `undefined` when it is empty, longer than 255 bytes, or bad hex.
 * @example Parse
 * ```ts
 * import { parsePoolHandleRef } from "./pool_handle_ref.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parsePoolHandleRef("hex:0102"), new Uint8Array([1, 2]));
 * assert.deepEqual(parsePoolHandleRef("Echo"), new TextEncoder().encode("Echo"));
 * assert.equal(parsePoolHandleRef("hex:1"), undefined);
 * ```
 */
export function parsePoolHandleRef(ref: string): Uint8Array | undefined {
  let bytes: Uint8Array;
  if (ref.startsWith("hex:")) {
    const h = ref.slice(4);
    if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h)) return undefined;
    bytes = new Uint8Array(h.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  } else {
    bytes = encoder.encode(ref);
  }
  return bytes.length === 0 || bytes.length > 255 ? undefined : bytes;
}

/**
 * Compares pool handles in ENRP order (shorter first, then bytewise), the order of
 * `Handlespace.pools()` and of the pool listing.
 *
 * @param a A pool handle.
 * @param b Another.
 * @returns Negative, 0 or positive.
 * @example Order
 * ```ts
 * import { comparePoolHandles } from "./pool_handle_ref.ts";
 * import assert from "node:assert/strict";
 * assert.ok(comparePoolHandles(new Uint8Array([9]), new Uint8Array([1, 1])) < 0);
 * assert.ok(comparePoolHandles(new Uint8Array([2]), new Uint8Array([1])) > 0);
 * ```
 */
export function comparePoolHandles(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return 0;
}
