// A hash map from a number key (a policy key: usually an integer below 2^32, a
// fraction for weighted least used, or Infinity; or an association number) to
// a non-negative integer value, in typed arrays: open addressing with linear
// probing, at most half full, deletion by backward shift (no tombstones).
// Integer keys below 2^32 hash by multiplication; other doubles by their bits.
// Several times cheaper than a Map for heap-number keys.
//
// Layout: keys: Float64Array, vals: Int32Array (−1 = empty slot), both of
// length capacity (a power of two); the hash mixes both 32-bit halves of the
// key's IEEE-754 bits.

import { grownCapacity, Slab } from "./_slab.ts";

const bits = new Float64Array(1);
const halves = new Uint32Array(bits.buffer);

function hash(key: number): number {
  if ((key >>> 0) === key) {
    // Integers 0 .. 2^32−1 (loads, association numbers): multiplicative hashing.
    const h = Math.imul(key, 0x9e3779b1);
    return h ^ (h >>> 16);
  }
  bits[0] = key + 0; // +0 turns −0 into 0
  const h = Math.imul(halves[0]! ^ Math.imul(halves[1]!, 0x9e3779b1), 0x85ebca6b);
  return h ^ (h >>> 15);
}

export class KeyMap {
  #keys: Float64Array;
  #vals: Int32Array;
  #mask: number;
  #size = 0;

  constructor(capacity = 8) {
    let cap = 8;
    while (cap < capacity * 2) cap *= 2;
    const slab = new Slab(cap, cap);
    this.#keys = slab.f64(cap);
    this.#vals = slab.i32(cap, -1);
    this.#mask = cap - 1;
  }

  get size(): number {
    return this.#size;
  }

  /** The value of a key, or −1. */
  get(key: number): number {
    const keys = this.#keys, vals = this.#vals, mask = this.#mask;
    for (let i = hash(key) & mask;; i = (i + 1) & mask) {
      const v = vals[i]!;
      if (v < 0 || keys[i] === key) return v;
    }
  }

  /** Sets the value of a key that is in the map. */
  replace(key: number, value: number): void {
    const keys = this.#keys, vals = this.#vals, mask = this.#mask;
    let i = hash(key) & mask;
    while (keys[i] !== key || vals[i]! < 0) i = (i + 1) & mask;
    vals[i] = value;
  }

  /** Sets the value of a key, whether or not it is in the map. */
  set(key: number, value: number): void {
    const keys = this.#keys, vals = this.#vals, mask = this.#mask;
    for (let i = hash(key) & mask;; i = (i + 1) & mask) {
      if (vals[i]! < 0) break;
      if (keys[i] === key) {
        vals[i] = value;
        return;
      }
    }
    this.insert(key, value);
  }

  /**
   * Sets the value of a key, whether or not it is in the map, and returns its previous value
   * (−1 if it was not in the map): get() and set() in one probe.
   */
  exchange(key: number, value: number): number {
    const keys = this.#keys, vals = this.#vals, mask = this.#mask;
    let i = hash(key) & mask;
    for (;; i = (i + 1) & mask) {
      const v = vals[i]!;
      if (v < 0) break;
      if (keys[i] === key) {
        vals[i] = value;
        return v;
      }
    }
    // A new key goes into the empty slot the probe ended at, unless the map must grow first.
    if ((this.#size + 1) * 2 > vals.length) this.insert(key, value);
    else {
      keys[i] = key;
      vals[i] = value;
      this.#size++;
    }
    return -1;
  }

  /** Sets the value of a key that is not in the map. */
  insert(key: number, value: number): void {
    // Slots grow as a selection pool of half as many slots does (see grownCapacity), so that a
    // map of a pool's PEs stays at twice the pool's capacity.
    if ((this.#size + 1) * 2 > this.#vals.length) {
      this.#rehash(2 * grownCapacity(this.#vals.length >> 1));
    }
    this.#place(key, value);
    this.#size++;
  }

  /** Removes a key that is in the map. */
  delete(key: number): void {
    const keys = this.#keys, vals = this.#vals, mask = this.#mask;
    let i = hash(key) & mask;
    while (keys[i] !== key || vals[i]! < 0) i = (i + 1) & mask;
    // Backward shift: move later members of the probe run into the hole when their home
    // position does not lie cyclically in (hole, their position].
    for (let j = (i + 1) & mask;; j = (j + 1) & mask) {
      const v = vals[j]!;
      if (v < 0) break;
      const k = keys[j]!;
      const home = hash(k) & mask;
      if (((j - home) & mask) >= ((j - i) & mask)) {
        keys[i] = k;
        vals[i] = v;
        i = j;
      }
    }
    vals[i] = -1;
    this.#size--;
  }

  #place(key: number, value: number): void {
    const keys = this.#keys, vals = this.#vals, mask = this.#mask;
    let i = hash(key) & mask;
    while (vals[i]! >= 0) i = (i + 1) & mask;
    keys[i] = key;
    vals[i] = value;
  }

  #rehash(cap: number): void {
    const keys = this.#keys, vals = this.#vals;
    const slab = new Slab(cap, cap);
    this.#keys = slab.f64(cap);
    this.#vals = slab.i32(cap, -1);
    this.#mask = cap - 1;
    for (let i = 0; i < vals.length; i++) if (vals[i]! >= 0) this.#place(keys[i]!, vals[i]!);
  }
}
