/**
 * An {@link Rng} that draws every value from the runtime's cryptographic source, for what must be
 * unguessable: SCTP verification tags, initial TSNs, heartbeat nonces, the cookie secret.
 *
 * @module
 */

import type { Rng } from "../core/rng.ts";

/**
 * Random 32-bit words from a cryptographic byte source, fetched 1 KiB at a time.
 *
 * @example Draw from `crypto.getRandomValues`
 * ```ts
 * import { CryptoRng } from "./crypto_rng.ts";
 * import assert from "node:assert/strict";
 * const rng = new CryptoRng((n) => crypto.getRandomValues(new Uint8Array(n)));
 * const a = rng.nextU32(), b = rng.nextU32();
 * assert.ok(a >= 0 && a <= 0xffffffff && Number.isInteger(a));
 * assert.ok(a !== b || rng.nextU32() !== a);
 * ```
 */
export class CryptoRng implements Rng {
  #source: (length: number) => Uint8Array;
  #words: Uint32Array = new Uint32Array(0);
  #next = 0;

  /**
   * Creates the generator.
   *
   * @param randomBytes The cryptographic source (`Runtime.randomBytes`).
   */
  constructor(randomBytes: (length: number) => Uint8Array) {
    this.#source = randomBytes;
  }

  /**
   * The next random integer in 0..0xffffffff.
   *
   * @returns The integer.
   */
  nextU32(): number {
    if (this.#next >= this.#words.length) {
      let bytes = this.#source(1024);
      if (bytes.byteOffset % 4 !== 0) bytes = bytes.slice();
      this.#words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
      this.#next = 0;
    }
    return this.#words[this.#next++]!;
  }
}
