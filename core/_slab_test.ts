import { test } from "node:test";
import assert from "node:assert/strict";
import { Slab } from "./_slab.ts";

test("Slab: small slabs carved from a shared chunk start zeroed and never overlap", () => {
  // Enough small slabs to fill several chunks; each writes its own index into every element.
  const views: { f: Float64Array; u: Uint32Array; b: Uint8Array; mark: number }[] = [];
  for (let i = 0; i < 300; i++) {
    const n = 1 + (i % 13);
    const slab = new Slab(n, 2 * n, n);
    const f = slab.f64(n), u = slab.u32(2 * n), b = slab.u8(n);
    assert.ok(f.every((x) => x === 0) && u.every((x) => x === 0) && b.every((x) => x === 0));
    const mark = i + 1;
    f.fill(mark);
    u.fill(mark);
    b.fill(mark & 0xff);
    views.push({ f, u, b, mark });
  }
  for (const { f, u, b, mark } of views) {
    assert.ok(f.every((x) => x === mark) && u.every((x) => x === mark));
    assert.ok(b.every((x) => x === (mark & 0xff)));
  }
});

test("Slab: a large slab gets a buffer of its own, zeroed", () => {
  const slab = new Slab(1000, 1000, 3);
  const f = slab.f64(1000), i = slab.i32(1000, -1), b = slab.u8(3);
  assert.equal(f.buffer.byteLength, 12003);
  assert.ok(f.every((x) => x === 0) && i.every((x) => x === -1) && b.every((x) => x === 0));
});
