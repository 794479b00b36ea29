// A hash map from a policy key (a double: usually an integer below 2^32, a
// fraction for weighted least used, or Infinity) to a bucket id, in typed
// arrays: open addressing with linear probing, at most half full, deletion by
// backward shift (no tombstones). Cheaper than a Map for heap-number keys.
//
// Layout: keys: Float64Array, vals: Int32Array (−1 = empty slot), both of
// length capacity (a power of two); the hash mixes both 32-bit halves of the
// key's IEEE-754 bits.

const bits = new Float64Array(1);
const halves = new Uint32Array(bits.buffer);

function hash(key: number): number {
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
    this.#keys = new Float64Array(cap);
    this.#vals = new Int32Array(cap).fill(-1);
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

  /** Sets the value of a key that is not in the map. */
  insert(key: number, value: number): void {
    if ((this.#size + 1) * 2 > this.#vals.length) this.#rehash(this.#vals.length * 2);
    this.#place(key, value);
    this.#size++;
  }

  /** Removes a key that is in the map. */
  delete(key: number): void {
    const keys = this.#keys, vals = this.#vals, mask = this.#mask;
    let i = hash(key) & mask;
    while (keys[i] !== key || vals[i]! < 0) i = (i + 1) & mask;
    vals[i] = -1;
    this.#size--;
    // Backward shift: re-place the rest of the probe run.
    for (let j = (i + 1) & mask; vals[j]! >= 0; j = (j + 1) & mask) {
      const k = keys[j]!, v = vals[j]!;
      vals[j] = -1;
      this.#place(k, v);
    }
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
    this.#keys = new Float64Array(cap);
    this.#vals = new Int32Array(cap).fill(-1);
    this.#mask = cap - 1;
    for (let i = 0; i < vals.length; i++) if (vals[i]! >= 0) this.#place(keys[i]!, vals[i]!);
  }
}
