// Sorted engine for policies whose key changes on every use, mostly downwards
// (weighted round robin's virtual counter): an indexed binary min-heap on
// (key, sequence number), where such a use leaves the root in place.
//
// Layout, by heap position i (0 = root; children 2i+1 and 2i+2):
//   hk: Float64Array  the policy key of the element at i (policy.key)
//   hs: Float64Array  its sequence number (copy of seq[slot], for local compares)
//   hslot: Int32Array its slot
// and by slot: pos: Int32Array, the heap position of the slot (−1 when absent).
//
// Selecting k takes the root and then repeatedly the smallest element of a
// small frontier (children of what was taken): O(k log k) compares and no
// change to the heap. A use gives the slot the next sequence number and the
// policy's per-use update, then restores the heap by sifting (O(log N)).

import type { SelectionPool } from "./selection_pool.ts";
import { KEY_LIMIT, type PoolPolicy } from "./policy.ts";
import { renumber, SEQ_LIMIT, SEQ_START } from "./_sequence.ts";

/** Up to this many selected PEs the frontier is scanned linearly; above, it is a heap. */
const LINEAR_FRONTIER = 16;

export class HeapEngine {
  hk: Float64Array;
  hs: Float64Array;
  hslot: Int32Array;
  pos: Int32Array;
  n = 0;
  nextSeq = SEQ_START;
  #frontier = new Int32Array(LINEAR_FRONTIER + 2);
  readonly #pool: SelectionPool;
  // The pool's per-slot arrays this engine writes (refreshed when the pool grows).
  #seq: Float64Array;
  #sel: Float64Array;
  readonly #policy: PoolPolicy;
  readonly #updates: boolean;

  constructor(pool: SelectionPool, policy: PoolPolicy, capacity: number) {
    this.#pool = pool;
    this.#seq = pool.seq;
    this.#sel = pool.selections;
    this.#policy = policy;
    this.#updates = policy.updatesOnUse;
    this.hk = new Float64Array(capacity);
    this.hs = new Float64Array(capacity);
    this.hslot = new Int32Array(capacity);
    this.pos = new Int32Array(capacity).fill(-1);
  }

  grow(capacity: number): void {
    this.#seq = this.#pool.seq;
    this.#sel = this.#pool.selections;
    const hk = new Float64Array(capacity), hs = new Float64Array(capacity);
    const hslot = new Int32Array(capacity), pos = new Int32Array(capacity).fill(-1);
    hk.set(this.hk);
    hs.set(this.hs);
    hslot.set(this.hslot);
    pos.set(this.pos);
    this.hk = hk;
    this.hs = hs;
    this.hslot = hslot;
    this.pos = pos;
  }

  first(): number {
    return this.n > 0 ? this.hslot[0]! : -1;
  }

  add(slot: number): void {
    const seq = this.#sequence();
    this.#seq[slot] = seq;
    const i = this.n++;
    this.hs[i] = seq;
    this.hslot[i] = slot;
    this.pos[slot] = i;
    this.hk[i] = this.#keyOf(slot);
    this.#siftUp(i);
  }

  remove(slot: number): void {
    const i = this.pos[slot]!;
    const last = --this.n;
    this.pos[slot] = -1;
    if (i === last) return;
    const hk = this.hk, hs = this.hs, hslot = this.hslot;
    hk[i] = hk[last]!;
    hs[i] = hs[last]!;
    const moved = hslot[last]!;
    hslot[i] = moved;
    this.pos[moved] = i;
    if (this.#siftUp(i) === i) this.#siftDown(i);
  }

  changed(slot: number): void {
    const p = this.pos[slot]!;
    this.hk[p] = this.#keyOf(slot);
    this.#siftDown(this.#siftUp(this.pos[slot]!));
  }

  selectOne(maxIncrement: number): number {
    if (this.n === 0) return -1;
    const s = this.hslot[0]!;
    this.#sel[s]!++;
    if (maxIncrement > 0) this.#use(s);
    return s;
  }

  select(k: number, out: Int32Array, maxIncrement: number): number {
    const n = this.n;
    const want = k < n ? k : n;
    if (want === 0) return 0;
    const hslot = this.hslot;
    if (want === 1) out[0] = hslot[0]!;
    else if (want <= 3) this.#takeFew(want, out);
    else if (want <= LINEAR_FRONTIER) this.#takeLinear(want, out);
    else this.#takeHeap(want, out);
    const selections = this.#sel;
    for (let i = 0; i < want; i++) selections[out[i]!]!++;
    const used = maxIncrement < want ? maxIncrement : want;
    for (let i = 0; i < used; i++) this.#use(out[i]!);
    return want;
  }

  orderInto(out: number[]): void {
    const order = Array.from(this.hslot.subarray(0, this.n));
    const hk = this.hk, hs = this.hs, pos = this.pos;
    order.sort((a, b) => {
      const pa = pos[a]!, pb = pos[b]!;
      return hk[pa]! - hk[pb]! || hs[pa]! - hs[pb]!;
    });
    for (const s of order) out.push(s);
  }

  // The smallest 2 or 3: the root, the smaller child p, then the smallest of the
  // other child and p's children.
  #takeFew(want: number, out: Int32Array): void {
    const hk = this.hk, hs = this.hs, hslot = this.hslot, n = this.n;
    out[0] = hslot[0]!;
    let p = 1, other = -1;
    if (n > 2) {
      if (hk[2]! < hk[1]! || (hk[2] === hk[1] && hs[2]! < hs[1]!)) {
        p = 2;
        other = 1;
      } else other = 2;
    }
    out[1] = hslot[p]!;
    if (want === 2) return;
    let best = other;
    const l = 2 * p + 1;
    for (let c = l; c <= l + 1 && c < n; c++) {
      if (best < 0 || hk[c]! < hk[best]! || (hk[c] === hk[best] && hs[c]! < hs[best]!)) best = c;
    }
    out[2] = hslot[best]!;
  }

  // The smallest `want` elements with a linearly scanned frontier (small k).
  #takeLinear(want: number, out: Int32Array): void {
    const hk = this.hk, hs = this.hs, hslot = this.hslot, n = this.n;
    const fr = this.#frontier;
    fr[0] = 0;
    let fn = 1;
    for (let c = 0; c < want; c++) {
      let bi = 0, bp = fr[0]!, bk = hk[bp]!, bs = hs[bp]!;
      for (let j = 1; j < fn; j++) {
        const p = fr[j]!, pk = hk[p]!;
        if (pk < bk || (pk === bk && hs[p]! < bs)) {
          bi = j;
          bp = p;
          bk = pk;
          bs = hs[p]!;
        }
      }
      out[c] = hslot[bp]!;
      const l = 2 * bp + 1;
      if (l < n) {
        fr[bi] = l;
        if (l + 1 < n) fr[fn++] = l + 1;
      } else {
        fr[bi] = fr[--fn]!;
      }
    }
  }

  // The smallest `want` elements with a binary-heap frontier (large k): O(k log k).
  #takeHeap(want: number, out: Int32Array): void {
    const hk = this.hk, hs = this.hs, hslot = this.hslot, n = this.n;
    let fr = this.#frontier;
    if (fr.length < want + 2) fr = this.#frontier = new Int32Array(2 * want + 2);
    const less = (a: number, b: number): boolean =>
      hk[a]! < hk[b]! || (hk[a] === hk[b] && hs[a]! < hs[b]!);
    const down = (i: number, fn: number): void => {
      const p = fr[i]!;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= fn) break;
        if (c + 1 < fn && less(fr[c + 1]!, fr[c]!)) c++;
        if (!less(fr[c]!, p)) break;
        fr[i] = fr[c]!;
        i = c;
      }
      fr[i] = p;
    };
    const up = (i: number): void => {
      const p = fr[i]!;
      while (i > 0) {
        const q = (i - 1) >> 1;
        if (!less(p, fr[q]!)) break;
        fr[i] = fr[q]!;
        i = q;
      }
      fr[i] = p;
    };
    fr[0] = 0;
    let fn = 1;
    for (let c = 0; c < want; c++) {
      const top: number = fr[0]!;
      out[c] = hslot[top]!;
      const l: number = 2 * top + 1;
      if (l < n) {
        fr[0] = l;
        down(0, fn);
        if (l + 1 < n) {
          fr[fn] = l + 1;
          up(fn++);
        }
      } else {
        fr[0] = fr[--fn]!;
        if (fn > 0) down(0, fn);
      }
    }
  }

  #use(slot: number): void {
    const seq = this.#sequence();
    this.#seq[slot] = seq;
    let p = this.pos[slot]!;
    this.hs[p] = seq;
    const policy = this.#policy;
    if (this.#updates) {
      const pool = this.#pool;
      policy.update(pool, slot);
      const key = policy.key(pool, slot);
      // The root with a smaller key (weighted round robin's virtual counter) stays the root.
      if (p === 0 && key < this.hk[0]!) {
        this.hk[0] = key;
        return;
      }
      this.hk[p] = this.#keyOf(slot);
      p = this.#siftUp(p);
    }
    this.#siftDown(p);
  }

  #sequence(): number {
    if (this.nextSeq >= SEQ_LIMIT) {
      const seq = this.#seq, hslot = this.hslot, hs = this.hs, n = this.n;
      this.nextSeq = renumber(seq, hslot, n);
      for (let i = 0; i < n; i++) hs[i] = seq[hslot[i]!]!;
    }
    return this.nextSeq++;
  }

  // The key of a slot that is in the heap arrays; rebases all keys when it is too large.
  #keyOf(slot: number): number {
    const policy = this.#policy, pool = this.#pool;
    const key = policy.key(pool, slot);
    if (key < KEY_LIMIT || key === Infinity) return key;
    if (!policy.rebase(pool, this.hslot, this.n)) return key;
    const hk = this.hk, hslot = this.hslot;
    for (let i = 0; i < this.n; i++) hk[i] = policy.key(pool, hslot[i]!);
    return hk[this.pos[slot]!]!;
  }

  #siftUp(i: number): number {
    const hk = this.hk, hs = this.hs, hslot = this.hslot, pos = this.pos;
    const k = hk[i]!, s = hs[i]!, slot = hslot[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pk = hk[p]!;
      if (pk < k || (pk === k && hs[p]! < s)) break;
      hk[i] = pk;
      hs[i] = hs[p]!;
      const ps = hslot[p]!;
      hslot[i] = ps;
      pos[ps] = i;
      i = p;
    }
    hk[i] = k;
    hs[i] = s;
    hslot[i] = slot;
    pos[slot] = i;
    return i;
  }

  #siftDown(i: number): number {
    const hk = this.hk, hs = this.hs, hslot = this.hslot, pos = this.pos, n = this.n;
    const k = hk[i]!, s = hs[i]!, slot = hslot[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let ck = hk[c]!, cs = hs[c]!;
      const d = c + 1;
      if (d < n) {
        const dk = hk[d]!;
        if (dk < ck || (dk === ck && hs[d]! < cs)) {
          c = d;
          ck = dk;
          cs = hs[d]!;
        }
      }
      if (k < ck || (k === ck && s < cs)) break;
      hk[i] = ck;
      hs[i] = cs;
      const cslot = hslot[c]!;
      hslot[i] = cslot;
      pos[cslot] = i;
      i = c;
    }
    hk[i] = k;
    hs[i] = s;
    hslot[i] = slot;
    pos[slot] = i;
    return i;
  }
}
