// Policy selection kernels: the hot loops of the sorted engine's 4-ary heap and of the weighted-
// random engine's prefix-sum tree (core/policy/_heap_engine.ts, _sum_tree_engine.ts), over the
// same arrays, which the engines allocate in this module's memory when they run with the
// WebAssembly selection kernel (core/policy/wasm_selection_kernel.ts). The TypeScript engines are
// the reference; the differential tests hold these to them.
//
// Heap layout (see _heap_engine.ts): position i of the heap is stored at index i + 3 of
//   hk: f64[] keys, hs: f64[] sequence numbers, hslot: i32[] slots;
// the children of position i are positions 4i+1 … 4i+4 (indices 4(i+1) … 4(i+1)+3, one aligned
// group); positions from n on hold +Infinity in hk and hs. pos: i32[] by slot, the position.
// Elements are ordered by key, then sequence number (a total order: sequence numbers are unique).
//
// Tree layout (see _sum_tree_engine.ts): pre: f64[] levels 0 … top one after another, starts:
// i32[] the offset of each level; each group of 8 entries holds exclusive prefix sums (the first
// is 0). Exports take byte offsets ("pointers") into this module's memory and return numbers.

export { heap_base } from "./_heap";

const OFF: i32 = 3;

// @ts-ignore: decorator
@inline
function key(hk: usize, i: i32): f64 {
  return load<f64>(hk + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline
function seqAt(hs: usize, i: i32): f64 {
  return load<f64>(hs + (<usize>i << 3));
}

/** 1 if the element at index i comes before the one at index j, else 0 (no branches). */
// @ts-ignore: decorator
@inline
function before(hk: usize, hs: usize, i: i32, j: i32): i32 {
  const ki = key(hk, i), kj = key(hk, j);
  return i32(ki < kj) | (i32(ki == kj) & i32(seqAt(hs, i) < seqAt(hs, j)));
}

/** The index of the smallest of the four elements at g … g + 3 (a tournament without branches). */
// @ts-ignore: decorator
@inline
function minOf4(hk: usize, hs: usize, g: i32): i32 {
  const a = g + before(hk, hs, g + 1, g);
  const b = g + 2 + before(hk, hs, g + 3, g + 2);
  return select<i32>(b, a, before(hk, hs, b, a));
}

// @ts-ignore: decorator
@inline
function place(hk: usize, hs: usize, hslot: usize, pos: usize, i: i32, k: f64, s: f64, slot: i32): void {
  store<f64>(hk + (<usize>i << 3), k);
  store<f64>(hs + (<usize>i << 3), s);
  store<i32>(hslot + (<usize>i << 2), slot);
  store<i32>(pos + (<usize>slot << 2), i - OFF);
}

/**
 * Moves the element at heap position p down to its place among n elements; returns its new
 * position.
 */
export function heap_sift_down(hk: usize, hs: usize, hslot: usize, pos: usize, n: i32, p: i32): i32 {
  const end = n + OFF;
  let i = p + OFF;
  const k = key(hk, i), s = seqAt(hs, i), slot = load<i32>(hslot + (<usize>i << 2));
  while (true) {
    const g = 4 * i - 8;
    if (g >= end) break;
    const c = minOf4(hk, hs, g);
    const ck = key(hk, c);
    if (k < ck || (k == ck && s < seqAt(hs, c))) break;
    place(hk, hs, hslot, pos, i, ck, seqAt(hs, c), load<i32>(hslot + (<usize>c << 2)));
    i = c;
  }
  place(hk, hs, hslot, pos, i, k, s, slot);
  return i - OFF;
}

/** Moves the element at heap position p up to its place; returns its new position. */
export function heap_sift_up(hk: usize, hs: usize, hslot: usize, pos: usize, p: i32): i32 {
  let i = p + OFF;
  const k = key(hk, i), s = seqAt(hs, i), slot = load<i32>(hslot + (<usize>i << 2));
  while (i > OFF) {
    const q = ((i - OFF - 1) >> 2) + OFF;
    const qk = key(hk, q);
    if (qk < k || (qk == k && seqAt(hs, q) < s)) break;
    place(hk, hs, hslot, pos, i, qk, seqAt(hs, q), load<i32>(hslot + (<usize>q << 2)));
    i = q;
  }
  place(hk, hs, hslot, pos, i, k, s, slot);
  return i - OFF;
}

/**
 * The slots of the first `want` (2 or 3) heap elements in order, written to out (i32s): the
 * root, the smallest child c, then the smaller of the runner-up among the root's children and
 * the smallest of c's children (positions past n hold +Infinity and never win).
 */
export function heap_take3(hk: usize, hs: usize, hslot: usize, want: i32, out: usize): void {
  store<i32>(out, load<i32>(hslot + (<usize>OFF << 2)));
  const x = before(hk, hs, 5, 4), a = 4 + x, a2 = 5 - x;
  const y = before(hk, hs, 7, 6), b = 6 + y, b2 = 7 - y;
  const z = before(hk, hs, b, a);
  const c = select<i32>(b, a, z);
  store<i32>(out, load<i32>(hslot + (<usize>c << 2)), 4);
  if (want == 2) return;
  const loser = select<i32>(a, b, z), beaten = select<i32>(b2, a2, z);
  const up = select<i32>(beaten, loser, before(hk, hs, beaten, loser));
  const g = minOf4(hk, hs, 4 * c - 8);
  const third = select<i32>(g, up, before(hk, hs, g, up));
  store<i32>(out, load<i32>(hslot + (<usize>third << 2)), 8);
}

/**
 * The slot whose cumulative weight range contains r (0 ≤ r < total) in a prefix-sum tree of
 * top + 1 levels; stores what remains of r within that slot's range at `rest` (an f64).
 */
export function tree_find(pre: usize, starts: usize, top: i32, r: f64, rest: usize): i32 {
  let i: i32 = 0;
  for (let l = top; l >= 0; l--) {
    const g = pre + ((<usize>load<i32>(starts + (<usize>l << 2)) + (<usize>i << 3)) << 3);
    const c = i32(load<f64>(g, 8) <= r) + i32(load<f64>(g, 16) <= r) + i32(load<f64>(g, 24) <= r) +
      i32(load<f64>(g, 32) <= r) + i32(load<f64>(g, 40) <= r) + i32(load<f64>(g, 48) <= r) +
      i32(load<f64>(g, 56) <= r);
    r -= load<f64>(g + (<usize>c << 3));
    i = (i << 3) + c;
  }
  store<f64>(rest, r);
  return i;
}
