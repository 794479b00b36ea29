// Handlespace checksum: pure TS against the WebAssembly builds (scalar, SIMD), on the operations
// of bench-reference.md section 6 with its workload (pool "EchoPool", PE ids fmix32(i + 1)).
//   deno bench --allow-all bench/checksum_bench.ts
// RSERPOOL_NO_WASM=1 leaves out the WebAssembly rows (and makes the default kernel pure TS).
// Figures and the decisions they justify: bench/README.md, "WebAssembly hot path".
import {
  ChecksumAccumulator,
  type ChecksumKernel,
  createChecksumKernel,
  fold16,
  foldTimes,
  idSum16,
  NO_WASM_ENV,
  noWasmFromEnv,
  tsChecksumKernel,
} from "../core/checksum/mod.ts";
import { loadChecksumModule, wasmChecksumKernel } from "../core/checksum/wasm_checksum_kernel.ts";

const useWasm = !noWasmFromEnv(Deno.env.get(NO_WASM_ENV));

/** Every operation in WebAssembly, whatever the thresholds say, to measure it. */
function pure(variant: "simd" | "scalar"): ChecksumKernel | undefined {
  return useWasm
    ? wasmChecksumKernel(variant, { minBytes: 0, minIds: 0, peSums: "wasm" })
    : undefined;
}
const simd = pure("simd");
const scalar = pure("scalar");
const chosen = createChecksumKernel({ wasm: useWasm });

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) {
    crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  }
  return out;
}

let sink = 0;

// --- (d) buffer routine: bytes/s over 64 KiB and 16 MiB (RSPLIB: 8.2 / 8.1 GB/s at -O2) -------

for (const [label, size] of [["64 KiB", 65536], ["16 MiB", 16 << 20]] as const) {
  const bytes = randomBytes(size);
  const group = `sum16 ${label}`;
  Deno.bench(`ts sum16 ${label}`, { group, baseline: true }, () => {
    sink ^= tsChecksumKernel.sum16(bytes);
  });
  if (scalar) {
    Deno.bench(`wasm-scalar sum16 ${label} (copy in)`, { group }, () => {
      sink ^= scalar.sum16(bytes);
    });
  }
  if (simd) {
    Deno.bench(`wasm-simd sum16 ${label} (copy in)`, { group }, () => {
      sink ^= simd.sum16(bytes);
    });
    // The same bytes already in the module's memory: what a caller that fills a region in
    // place (e.g. an encoder writing into it) gets.
    const { module } = loadChecksumModule("simd")!;
    const ptr = module.alloc(size);
    const inPlace = () => new Uint8Array(module.buffer, ptr, size);
    inPlace().set(bytes);
    Deno.bench(`wasm-simd sum16 ${label} (in place)`, { group }, () => {
      sink ^= simd.sum16(inPlace());
    });
    Deno.bench(`wasm-simd sum32 ${label} (copy in)`, { group }, () => {
      sink ^= simd.sum32(bytes);
    });
  }
  Deno.bench(`ts sum32 ${label}`, { group }, () => {
    sink ^= tsChecksumKernel.sum32(bytes);
  });
}

// --- short buffers: where WebAssembly starts to win (WASM_MIN_BYTES) -------------------------

for (const size of [16, 64, 128, 256, 1024]) {
  const bytes = randomBytes(size);
  const group = `sum16 ${size} B`;
  Deno.bench(`ts sum16 ${size} B`, { group, baseline: true }, () => {
    sink ^= tsChecksumKernel.sum16(bytes);
  });
  if (simd) {
    Deno.bench(`wasm-simd sum16 ${size} B`, { group }, () => {
      sink ^= simd.sum16(bytes);
    });
  }
}

// --- (a) incremental update of one PE entry, RSPLIB's way: subtract the old partial sum from
// the handlespace and ownership accumulators, recompute it, add it to both (RSPLIB: 7.5-8.4 ns)

const N_UPDATE = 1000;
const handle = new TextEncoder().encode("EchoPool");
const ids: bigint[] = Array.from({ length: N_UPDATE }, (_, i) => BigInt(fmix32(i + 1)));

// Every row below has its own function literal: closures made from one literal share V8's type
// feedback, so a shared helper would make later rows polymorphic and slower than a registrar with
// one kernel ever is.

/** Accumulators and stored partial sums as a registrar holds them before the timed updates. */
function seed(partial: (id: bigint) => number) {
  const handlespace = new ChecksumAccumulator(16);
  const ownership = new ChecksumAccumulator(16);
  const partials = ids.map(partial);
  for (const p of partials) {
    handlespace.add(p);
    ownership.add(p);
  }
  return { handlespace, ownership, partials, i: 0 };
}

{
  const st = seed((id) => tsChecksumKernel.peSum16(handle, id));
  Deno.bench("ts per-PE update", { group: "per-PE update", baseline: true }, () => {
    const old = st.partials[st.i]!;
    st.handlespace.sub(old);
    st.ownership.sub(old);
    const p = tsChecksumKernel.peSum16(handle, ids[st.i]!);
    st.partials[st.i] = p;
    st.handlespace.add(p);
    st.ownership.add(p);
    st.i = st.i + 1 === N_UPDATE ? 0 : st.i + 1;
  });
}
if (simd) {
  const st = seed((id) => simd.peSum16(handle, id));
  Deno.bench("wasm-simd per-PE update", { group: "per-PE update" }, () => {
    const old = st.partials[st.i]!;
    st.handlespace.sub(old);
    st.ownership.sub(old);
    const p = simd.peSum16(handle, ids[st.i]!);
    st.partials[st.i] = p;
    st.handlespace.add(p);
    st.ownership.add(p);
    st.i = st.i + 1 === N_UPDATE ? 0 : st.i + 1;
  });
}
if (scalar) {
  const st = seed((id) => scalar.peSum16(handle, id));
  Deno.bench("wasm-scalar per-PE update", { group: "per-PE update" }, () => {
    const old = st.partials[st.i]!;
    st.handlespace.sub(old);
    st.ownership.sub(old);
    const p = scalar.peSum16(handle, ids[st.i]!);
    st.partials[st.i] = p;
    st.handlespace.add(p);
    st.ownership.add(p);
    st.i = st.i + 1 === N_UPDATE ? 0 : st.i + 1;
  });
}
{
  // With the pool handle's share cached per pool, a PE's partial sum is that plus its id words.
  const handleSum = tsChecksumKernel.peSum16(handle, 0n);
  const st = seed((id) => handleSum + idSum16(id));
  Deno.bench("ts per-PE update, cached handle sum", { group: "per-PE update" }, () => {
    const old = st.partials[st.i]!;
    st.handlespace.sub(old);
    st.ownership.sub(old);
    const p = handleSum + idSum16(ids[st.i]!);
    st.partials[st.i] = p;
    st.handlespace.add(p);
    st.ownership.add(p);
    st.i = st.i + 1 === N_UPDATE ? 0 : st.i + 1;
  });
}

// --- (c) reading the finished value (RSPLIB: 1.2 ns) -----------------------------------------

{
  const acc = new ChecksumAccumulator(16);
  for (const id of ids) acc.add(tsChecksumKernel.peSum16(handle, id));
  Deno.bench("ts finish()", { group: "finish" }, () => {
    sink ^= acc.finish();
  });
}

// --- (b) full recomputation over N PEs (RSPLIB: 0.059 µs at N = 10 ... 14259 µs at 100000) ----

for (const n of [10, 100, 1000, 10000, 100000]) {
  const column = new Uint32Array(n);
  for (let i = 0; i < n; i++) column[i] = fmix32(i + 1);
  const bigIds = Array.from(column, (id) => BigInt(id));
  const group = `recompute N=${n}`;
  const handleSum = tsChecksumKernel.peSum16(handle, 0n);
  Deno.bench(`ts recompute N=${n} (id column)`, { group, baseline: true }, () => {
    sink ^= fold16(foldTimes(16, handleSum, n) + tsChecksumKernel.sumIds16(column));
  });
  if (simd) {
    Deno.bench(`wasm-simd recompute N=${n} (id column)`, { group }, () => {
      sink ^= fold16(foldTimes(16, handleSum, n) + simd.sumIds16(column));
    });
  }
  if (scalar) {
    Deno.bench(`wasm-scalar recompute N=${n} (id column)`, { group }, () => {
      sink ^= fold16(foldTimes(16, handleSum, n) + scalar.sumIds16(column));
    });
  }
  Deno.bench(`default kernel (${chosen.name}) recompute N=${n}`, { group }, () => {
    sink ^= fold16(foldTimes(16, handleSum, n) + chosen.sumIds16(column));
  });
  Deno.bench(`ts recompute N=${n} (per-PE partial sums)`, { group }, () => {
    const acc = new ChecksumAccumulator(16);
    for (const id of bigIds) acc.add(tsChecksumKernel.peSum16(handle, id));
    sink ^= acc.finish();
  });
}

globalThis.addEventListener("unload", () => {
  if (sink === 0.5) console.log(sink); // keeps `sink` observable
});
