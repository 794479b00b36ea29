// Checksum throughput of the embedded WebAssembly on each runtime (deno bench covers only Deno):
//   deno run bench/wasm_throughput.ts | bun bench/wasm_throughput.ts | npx tsx bench/wasm_throughput.ts
// Prints GB/s for the TS kernel and both WebAssembly builds over 64 KiB (copied in, and in place
// in the module's memory) and 16 MiB. Best of 5 rounds of 300 ms, to see past a noisy machine.
import { type ChecksumKernel, tsChecksumKernel } from "../core/checksum/mod.ts";
import { loadChecksumModule, wasmChecksumKernel } from "../core/checksum/wasm_checksum_kernel.ts";

const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";

function gbPerSecond(run: () => number, bytes: number): number {
  let best = 0;
  let sink = 0;
  for (let round = 0; round < 5; round++) {
    let iterations = 0;
    const start = performance.now();
    let now = start;
    while (now - start < 300) {
      sink ^= run();
      iterations++;
      now = performance.now();
    }
    best = Math.max(best, (iterations * bytes) / ((now - start) / 1000) / 1e9);
  }
  if (sink === 0.5) console.log(sink);
  return best;
}

const rows: [string, number][] = [];
for (const size of [65536, 16 << 20]) {
  const bytes = new Uint8Array(size).map((_, i) => (i * 7919) >>> 3);
  const label = size === 65536 ? "64 KiB" : "16 MiB";
  rows.push([`ts sum16 ${label}`, gbPerSecond(() => tsChecksumKernel.sum16(bytes), size)]);
  for (const variant of ["scalar", "simd"] as const) {
    const kernel: ChecksumKernel | undefined = wasmChecksumKernel(variant);
    const loaded = loadChecksumModule(variant);
    if (!kernel || !loaded) continue;
    rows.push([
      `wasm-${variant} sum16 ${label} (copy in)`,
      gbPerSecond(() => kernel.sum16(bytes), size),
    ]);
    const ptr = loaded.module.alloc(size);
    new Uint8Array(loaded.module.buffer, ptr, size).set(bytes);
    const view = new Uint8Array(loaded.module.buffer, ptr, size);
    rows.push([
      `wasm-${variant} sum16 ${label} (in place)`,
      gbPerSecond(() => kernel.sum16(view), size),
    ]);
    loaded.module.free(ptr);
  }
}
for (const [name, gbs] of rows) {
  console.log(`${runtime}\t${name.padEnd(36)}\t${gbs.toFixed(1)} GB/s`);
}
