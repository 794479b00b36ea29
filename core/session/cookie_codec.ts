/**
 * Typed, authenticated session cookies: a pool element's state serialized with CBOR, bound to
 * the pool, stamped with its issue time and tagged with HMAC-SHA-256 under a pool-wide key, so a
 * pool user can carry it to another pool element but can neither read a changed version into a
 * pool element nor forge one.
 *
 * Cookie format (version 1, all integers big-endian):
 *
 * ```text
 *  offset  size  field
 *       0     1  version (1)
 *       1     1  key id (which pool key made the tag; rotation)
 *       2     2  flags (0)
 *       4     8  issued at: ms since the Unix epoch (u64)
 *      12     n  state, CBOR (RFC 8949) as cbor-x writes it without records
 *    12+n    32  tag = HMAC-SHA-256(key, "rserpool-ng cookie v1" | u16 len(PH) | PH | bytes 0..12+n)
 * ```
 *
 * The tag covers the pool handle (PH) without carrying it: a cookie of one pool is refused by
 * every other pool, even one sharing the key. Checks on receipt, cheapest first: size (before any
 * hashing), version, key id, tag (constant time), age, and only then CBOR decoding (untrusted
 * bytes never reach the CBOR decoder), then the application's `validate`. Integrity is not
 * freshness: a pool user may echo any cookie it received within `maxAge`; states that must not
 * go back in time carry their own sequence number.
 *
 * @module
 */

import { Encoder } from "cbor-x/encode";
import { constantTimeEqual, HmacSha256 } from "../crypto/hmac_sha256.ts";
import { SESSION_DEFAULTS } from "./session_defaults.ts";

/** A key of the pool-wide cookie key set. */
export interface CookieKey {
  /** Key id 0..255, written into every cookie it tags. */
  readonly id: number;
  /** The secret, at least 16 bytes; the same on every pool element of the pool. */
  readonly secret: Uint8Array;
}

/** Options of a {@link CookieCodec}. Times are milliseconds. */
export interface CookieCodecOptions<T> {
  /** The pool handle the cookies belong to (bytes, or text encoded as UTF-8). */
  readonly poolHandle: Uint8Array | string;
  /** The pool's keys; cookies tagged with any of them are accepted. */
  readonly keys: readonly CookieKey[];
  /** The key that tags new cookies (default the first of `keys`). */
  readonly sealKeyId?: number;
  /** Largest cookie accepted or made, in bytes (default {@link DEFAULT_COOKIE_MAX_SIZE}). */
  readonly maxSize?: number;
  /** Oldest cookie accepted (default {@link DEFAULT_COOKIE_MAX_AGE}; `Infinity` = any age). */
  readonly maxAge?: number;
  /** How far in the future an issue time may lie (clock skew between PEs; default 60000). */
  readonly maxClockSkew?: number;
  /** Checks the shape of a decoded state (default: any value passes). */
  readonly validate?: (state: unknown) => state is T;
}

/** Why a cookie was refused. */
export type CookieRejection =
  | "malformed"
  | "too-large"
  | "unknown-key"
  | "forged"
  | "expired"
  | "invalid-state";

/** The result of {@link CookieCodec.open}. */
export type CookieOpenResult<T> =
  | {
    /** The cookie is authentic and its state decoded. */
    readonly kind: "ok";
    /** The state. */
    readonly state: T;
    /** When it was sealed (ms since the Unix epoch). */
    readonly issuedAt: number;
    /** The key that tagged it. */
    readonly keyId: number;
  }
  | {
    /** The cookie was refused. */
    readonly kind: "rejected";
    /** Why. */
    readonly reason: CookieRejection;
    /** A human-readable explanation. */
    readonly detail: string;
  };

/** The default size limit of a cookie: 16 KiB (`SESSION_DEFAULTS.cookieMaxSize`). */
export const DEFAULT_COOKIE_MAX_SIZE: number = SESSION_DEFAULTS.cookieMaxSize.value;
/**
 * The largest cookie any limit may allow: what fits into one ASAP Cookie message (65535-byte
 * message, 4-byte message header, 4-byte parameter header).
 */
export const MAX_COOKIE_SIZE = 65527;
/** The default age limit of a cookie: one hour (`SESSION_DEFAULTS.cookieMaxAge`). */
export const DEFAULT_COOKIE_MAX_AGE: number = SESSION_DEFAULTS.cookieMaxAge.value;

const VERSION = 1;
const HEADER = 12;
const TAG = 32;
const CONTEXT = new TextEncoder().encode("rserpool-ng cookie v1");
const UTF8 = new TextEncoder();

/**
 * Seals states into cookies and opens cookies into states, for one pool.
 *
 * `seal` is for the pool element's own application: an unencodable or oversized state is a
 * programming error and throws. `open` is for bytes from the network: it never throws, it
 * returns a typed rejection.
 *
 * @typeParam T The state's type.
 * @example Seal on one pool element, open on another
 * ```ts
 * import { CookieCodec } from "./cookie_codec.ts";
 * import assert from "node:assert/strict";
 * const keys = [{ id: 1, secret: new TextEncoder().encode("a pool-wide secret key") }];
 * const pe1 = new CookieCodec<{ done: number[] }>({ poolHandle: "ComputePool", keys });
 * const pe2 = new CookieCodec<{ done: number[] }>({ poolHandle: "ComputePool", keys });
 * const cookie = pe1.seal({ done: [1, 2, 3] }, Date.UTC(2025, 0, 1));
 * const opened = pe2.open(cookie, Date.UTC(2025, 0, 1) + 1000);
 * assert.equal(opened.kind, "ok");
 * assert.deepEqual(opened.kind === "ok" && opened.state, { done: [1, 2, 3] });
 * cookie[13]! ^= 1; // a pool user changes one bit of the state
 * assert.equal(pe2.open(cookie, Date.UTC(2025, 0, 1)).kind, "rejected");
 * ```
 */
export class CookieCodec<T> {
  readonly #poolHandle: Uint8Array;
  readonly #macs = new Map<number, HmacSha256>();
  readonly #sealKey: number;
  readonly #maxSize: number;
  readonly #maxAge: number;
  readonly #maxSkew: number;
  readonly #validate: ((state: unknown) => state is T) | undefined;
  readonly #prefix: Uint8Array;
  readonly #cbor = new Encoder({ useRecords: false, mapsAsObjects: true });

  /**
   * Creates a codec for one pool.
   *
   * @param options Pool handle, keys and limits.
   * @throws {TypeError} For an option of the wrong type.
   * @throws {RangeError} For a key id outside 0..255, a duplicate key id, a secret shorter than
   *   16 bytes, an unknown `sealKeyId` or a limit out of range.
   */
  constructor(options: CookieCodecOptions<T>) {
    if (options === null || typeof options !== "object") {
      throw new TypeError("Cannot create cookie codec: the options must be an object");
    }
    const ph = options.poolHandle;
    const handle = typeof ph === "string" ? UTF8.encode(ph) : ph instanceof Uint8Array ? ph : null;
    if (handle === null) {
      throw new TypeError(
        "Cannot create cookie codec: poolHandle must be a Uint8Array or a string",
      );
    }
    if (handle.length === 0 || handle.length > 65535) {
      throw new RangeError(
        `Cannot create cookie codec: pool handle length ${handle.length} is not in 1..65535`,
      );
    }
    this.#poolHandle = handle.slice();
    if (!Array.isArray(options.keys) || options.keys.length === 0) {
      throw new TypeError("Cannot create cookie codec: keys must be a non-empty array");
    }
    for (const k of options.keys) {
      if (!Number.isInteger(k?.id) || k.id < 0 || k.id > 255) {
        throw new RangeError(`Cannot create cookie codec: key id ${k?.id} is not in 0..255`);
      }
      if (!(k.secret instanceof Uint8Array)) {
        throw new TypeError(`Cannot create cookie codec: the secret of key ${k.id} is not bytes`);
      }
      if (k.secret.length < 16) {
        throw new RangeError(
          `Cannot create cookie codec: the secret of key ${k.id} has ${k.secret.length} bytes, fewer than 16`,
        );
      }
      if (this.#macs.has(k.id)) {
        throw new RangeError(`Cannot create cookie codec: key id ${k.id} appears twice`);
      }
      this.#macs.set(k.id, new HmacSha256(k.secret));
    }
    this.#sealKey = options.sealKeyId ?? options.keys[0]!.id;
    if (!this.#macs.has(this.#sealKey)) {
      throw new RangeError(`Cannot create cookie codec: sealKeyId ${this.#sealKey} is not a key`);
    }
    this.#maxSize = options.maxSize ?? DEFAULT_COOKIE_MAX_SIZE;
    if (
      !Number.isInteger(this.#maxSize) || this.#maxSize < HEADER + TAG + 1 ||
      this.#maxSize > MAX_COOKIE_SIZE
    ) {
      throw new RangeError(
        `Cannot create cookie codec: maxSize ${this.#maxSize} is not an integer in ${
          HEADER + TAG + 1
        }..${MAX_COOKIE_SIZE}`,
      );
    }
    this.#maxAge = options.maxAge ?? DEFAULT_COOKIE_MAX_AGE;
    this.#maxSkew = options.maxClockSkew ?? 60_000;
    for (const [name, v] of [["maxAge", this.#maxAge], ["maxClockSkew", this.#maxSkew]] as const) {
      if (typeof v !== "number" || Number.isNaN(v) || v < 0) {
        throw new RangeError(`Cannot create cookie codec: ${name} ${v} is not a number ≥ 0`);
      }
    }
    if (options.validate !== undefined && typeof options.validate !== "function") {
      throw new TypeError("Cannot create cookie codec: validate must be a function");
    }
    this.#validate = options.validate;
    const prefix = new Uint8Array(CONTEXT.length + 2 + handle.length);
    prefix.set(CONTEXT, 0);
    prefix[CONTEXT.length] = handle.length >> 8;
    prefix[CONTEXT.length + 1] = handle.length & 0xff;
    prefix.set(handle, CONTEXT.length + 2);
    this.#prefix = prefix;
  }

  /** The pool handle the cookies are bound to (a copy). */
  get poolHandle(): Uint8Array {
    return this.#poolHandle.slice();
  }

  /** The size limit in bytes. */
  get maxSize(): number {
    return this.#maxSize;
  }

  /**
   * Seals a state into a cookie.
   *
   * @param state The state: any value CBOR can carry (objects, arrays, strings, numbers,
   *   bigints, byte arrays, booleans, null).
   * @param issuedAt The time to stamp, ms since the Unix epoch (wall clock).
   * @returns A fresh cookie.
   * @throws {TypeError} If the state cannot be encoded as CBOR.
   * @throws {RangeError} If the cookie would exceed `maxSize` or the time is not a non-negative
   *   integer.
   */
  seal(state: T, issuedAt: number): Uint8Array {
    if (!Number.isSafeInteger(issuedAt) || issuedAt < 0) {
      throw new RangeError(`Cannot seal cookie: issue time ${issuedAt} is not an integer ≥ 0`);
    }
    let body: Uint8Array;
    try {
      body = this.#cbor.encode(state);
    } catch (e) {
      throw new TypeError(
        `Cannot seal cookie: the state cannot be encoded as CBOR: ${(e as Error).message}`,
      );
    }
    const size = HEADER + body.length + TAG;
    if (size > this.#maxSize) {
      throw new RangeError(
        `Cannot seal cookie: ${size} bytes exceed the limit of ${this.#maxSize} bytes`,
      );
    }
    const out = new Uint8Array(size);
    out[0] = VERSION;
    out[1] = this.#sealKey;
    const view = new DataView(out.buffer);
    view.setUint32(4, Math.floor(issuedAt / 0x100000000));
    view.setUint32(8, issuedAt >>> 0);
    out.set(body, HEADER);
    const signed = out.subarray(0, HEADER + body.length);
    out.set(this.#macs.get(this.#sealKey)!.mac(this.#prefix, signed), HEADER + body.length);
    return out;
  }

  /**
   * Opens a cookie received from a pool user. Never throws for any input bytes.
   *
   * @param cookie The cookie bytes.
   * @param now The current time, ms since the Unix epoch (wall clock), for the age check.
   * @returns The state, or why the cookie was refused.
   */
  open(cookie: Uint8Array, now: number): CookieOpenResult<T> {
    const n = cookie.length;
    if (n > this.#maxSize) {
      return reject("too-large", `cookie of ${n} bytes exceeds the limit of ${this.#maxSize}`);
    }
    if (n < HEADER + TAG + 1) {
      return reject(
        "malformed",
        `cookie of ${n} bytes is shorter than the ${HEADER + TAG + 1}-byte minimum`,
      );
    }
    if (cookie[0] !== VERSION) return reject("malformed", `cookie version ${cookie[0]} is not 1`);
    const keyId = cookie[1]!;
    const mac = this.#macs.get(keyId);
    if (mac === undefined) return reject("unknown-key", `cookie key id ${keyId} is not a key`);
    const signed = cookie.subarray(0, n - TAG);
    if (!constantTimeEqual(mac.mac(this.#prefix, signed), cookie.subarray(n - TAG))) {
      return reject(
        "forged",
        "cookie integrity tag does not match (forged, altered or other pool)",
      );
    }
    const view = new DataView(cookie.buffer, cookie.byteOffset, n);
    const issuedAt = view.getUint32(4) * 0x100000000 + view.getUint32(8);
    if (now - issuedAt > this.#maxAge) {
      return reject("expired", `cookie issued ${now - issuedAt} ms ago, more than ${this.#maxAge}`);
    }
    if (issuedAt - now > this.#maxSkew) {
      return reject("expired", `cookie issued ${issuedAt - now} ms in the future`);
    }
    let state: unknown;
    try {
      state = this.#cbor.decode(cookie.slice(HEADER, n - TAG));
    } catch (e) {
      return reject("malformed", `cookie state is not CBOR: ${(e as Error).message}`);
    }
    if (this.#validate !== undefined) {
      let valid = false;
      try {
        valid = this.#validate(state);
      } catch {
        valid = false;
      }
      if (!valid) return reject("invalid-state", "cookie state failed the application's check");
    }
    return { kind: "ok", state: state as T, issuedAt, keyId };
  }
}

function reject<T>(reason: CookieRejection, detail: string): CookieOpenResult<T> {
  return { kind: "rejected", reason, detail: `Cannot open cookie: ${detail}` };
}
