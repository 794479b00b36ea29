// Policy selection kernel: the prefix-sum tree descent of the weighted-random engine
// (core/policy/_sum_tree_engine.ts), over the engine's arrays, which it allocates in this
// module's memory when it runs with the WebAssembly selection kernel
// (core/policy/selection_kernel.ts). The TypeScript engine is the reference; the differential
// tests hold this to it. (The sorted engine's heap sifts were measured here too and did not win,
// bench/README.md, so they stay in TypeScript.)
//
// Tree layout (see _sum_tree_engine.ts): pre: f64[] levels 0 … top one after another, starts:
// i32[] the offset of each level; each group of 8 entries holds exclusive prefix sums (the first
// is 0). Exports take byte offsets ("pointers") into this module's memory and return numbers.

export { heap_base } from "./_heap";

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
