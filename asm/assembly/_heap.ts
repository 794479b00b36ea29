// Shared by every module: where the JS-side allocator (core/_wasm/wasm_module.ts) may start.
// Kernels never allocate (no `new`, no strings, no arrays): the stub runtime's allocator is
// never linked in, so everything from heap_base() upwards belongs to the JS side.

/** First byte after the static data, rounded up to 16 so every region can hold v128 values. */
export function heap_base(): usize {
  return (__heap_base + 15) & ~(15 as usize);
}
