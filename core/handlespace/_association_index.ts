// Association number → key (the handlespace's #byKey index) of the first PE registered over it,
// the head of the association's list through Entry.assocPrev/assocNext.
//
// A registrar numbers its associations 1, 2, 3, … (core/registrar/_context.ts), so the live
// numbers mostly differ in their low bits: a number goes into slot (number & mask) of a direct
// table and is found, replaced and removed there without hashing or probing, in the order the
// registrar numbered them (a hash map scatters consecutive numbers over its whole table). A
// number whose slot holds another number goes to an overflow KeyMap. Any integers work (each
// number is in exactly one of the two places); only the speed depends on how they are spread.

import { KeyMap } from "../_key_map.ts";
import { grownCapacity, Slab } from "../_slab.ts";

export class AssociationIndex {
  /** The number held by each slot (meaningful where #heads is not −1). */
  #numbers: Float64Array;
  /** The head key per slot, −1 for an empty slot. */
  #heads: Int32Array;
  #mask: number;
  /** Numbers in the direct table. */
  #direct = 0;
  /** Numbers whose slot was taken when they came (created on the first). */
  #overflow: KeyMap | undefined = undefined;

  /** @param capacity Slots of the direct table (a power of two). */
  constructor(capacity = 32) {
    const slab = new Slab(capacity, capacity);
    this.#numbers = slab.f64(capacity);
    this.#heads = slab.i32(capacity, -1);
    this.#mask = capacity - 1;
  }

  /** The head key of an association, or −1. */
  get(association: number): number {
    const s = association & this.#mask;
    const h = this.#heads[s]!;
    if (h >= 0 && this.#numbers[s] === association) return h;
    const o = this.#overflow;
    return o === undefined || o.size === 0 ? -1 : o.get(association);
  }

  /** Sets the head key of an association and returns the previous one (−1 if it had none). */
  exchange(association: number, key: number): number {
    const heads = this.#heads, s = association & this.#mask;
    const h = heads[s]!;
    if (h >= 0) {
      if (this.#numbers[s] === association) {
        heads[s] = key;
        return h;
      }
      return (this.#overflow ??= new KeyMap()).exchange(association, key);
    }
    // An empty slot: the number may still be in the overflow map, from a time when another
    // number held the slot.
    const o = this.#overflow;
    if (o !== undefined && o.size > 0) {
      const previous = o.get(association);
      if (previous >= 0) {
        o.replace(association, key);
        return previous;
      }
    }
    if ((this.#direct + 1) * 2 > heads.length) {
      this.#grow();
      return this.exchange(association, key);
    }
    this.#numbers[s] = association;
    heads[s] = key;
    this.#direct++;
    return -1;
  }

  /** Sets the head key of an association that has one. */
  replace(association: number, key: number): void {
    const s = association & this.#mask;
    if (this.#heads[s]! >= 0 && this.#numbers[s] === association) this.#heads[s] = key;
    else this.#overflow!.replace(association, key);
  }

  /** Removes an association that has a head key. */
  delete(association: number): void {
    const s = association & this.#mask;
    if (this.#heads[s]! >= 0 && this.#numbers[s] === association) {
      this.#heads[s] = -1;
      this.#direct--;
    } else this.#overflow!.delete(association);
  }

  // A larger direct table. Numbers in distinct slots differ in the bits of the old mask, so they
  // land in distinct slots of the new one; the overflow map keeps its numbers.
  #grow(): void {
    const numbers = this.#numbers, heads = this.#heads;
    const cap = grownCapacity(heads.length), mask = cap - 1;
    const slab = new Slab(cap, cap);
    const n2 = slab.f64(cap), h2 = slab.i32(cap, -1);
    for (let s = 0; s < heads.length; s++) {
      const h = heads[s]!;
      if (h < 0) continue;
      const a = numbers[s]!;
      const t = a & mask;
      n2[t] = a;
      h2[t] = h;
    }
    this.#numbers = n2;
    this.#heads = h2;
    this.#mask = mask;
  }
}
