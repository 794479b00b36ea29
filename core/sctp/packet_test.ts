import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { computeChecksum, decodePacket, PacketBuilder, readChecksum } from "./packet.ts";
import { ChunkType } from "./chunk_type.ts";

function packet(...chunks: [number, number, Uint8Array][]): Uint8Array {
  const b = new PacketBuilder(1200, 5000, 3863, 0xdeadbeef);
  for (const [type, flags, value] of chunks) b.addChunk(type, flags, value);
  return b.finish();
}

test("PacketBuilder.finish() writes the header, padded chunks and a checksum decodePacket() accepts", () => {
  const bytes = packet([ChunkType.Heartbeat, 0, new Uint8Array([0, 1, 0, 5, 7])], [
    ChunkType.CookieAck,
    0,
    new Uint8Array(0),
  ]);
  assert.deepEqual([...bytes.subarray(0, 8)], [0x13, 0x88, 0x0f, 0x17, 0xde, 0xad, 0xbe, 0xef]);
  assert.equal(bytes.length, 12 + 12 + 4);
  assert.deepEqual([...bytes.subarray(12, 24)], [4, 0, 0, 9, 0, 1, 0, 5, 7, 0, 0, 0]);
  assert.equal(readChecksum(bytes), computeChecksum(bytes));
  const r = decodePacket(bytes);
  assert.equal(r.kind, "packet");
  if (r.kind !== "packet") return;
  assert.deepEqual(r.header, { srcPort: 5000, dstPort: 3863, vtag: 0xdeadbeef });
  assert.deepEqual(r.chunks.map((c) => [c.type, c.value.length]), [[4, 5], [11, 0]]);
});

test("PacketBuilder.reserveChunk() refuses a chunk that does not fit", () => {
  const b = new PacketBuilder(40, 1, 2, 3);
  assert.ok(b.fits(24));
  assert.ok(!b.fits(25));
  assert.throws(() => b.reserveChunk(0, 0, 25), RangeError);
});

test("decodePacket() reports a short packet, a bad checksum, bad chunk lengths and no chunks", () => {
  const good = packet([ChunkType.CookieAck, 0, new Uint8Array(0)]);
  assert.deepEqual(decodePacket(good.subarray(0, 11)), { kind: "malformed", reason: "short" });
  const flipped = good.slice();
  flipped[12] = flipped[12]! ^ 0x40;
  assert.deepEqual(decodePacket(flipped), { kind: "malformed", reason: "checksum" });
  assert.equal(decodePacket(flipped, false).kind, "packet");
  const b = new PacketBuilder(100, 1, 2, 3);
  b.addChunk(ChunkType.Data, 0, new Uint8Array(20));
  const long = b.finish();
  long[15] = 200; // chunk length past the end
  const fixed = long.slice();
  const c = computeChecksum(fixed);
  fixed.set([c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24], 8);
  assert.deepEqual(decodePacket(fixed), { kind: "malformed", reason: "chunk-length" });
  const header = new PacketBuilder(12, 1, 2, 3).finish();
  assert.deepEqual(decodePacket(header), { kind: "malformed", reason: "no-chunks" });
});

test("decodePacket() never throws on random bytes, truncations or bit flips", () => {
  const sample = packet(
    [ChunkType.Data, 3, new Uint8Array(37).fill(1)],
    [ChunkType.Sack, 0, new Uint8Array(12)],
  );
  for (let n = 0; n <= sample.length; n++) {
    const r = decodePacket(sample.subarray(0, n), false);
    assert.ok(r.kind === "packet" || r.kind === "malformed");
  }
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, verify) => {
      const r = decodePacket(bytes, verify);
      if (r.kind === "packet") {
        for (const c of r.chunks) assert.ok(c.value.length <= bytes.length);
      }
    }),
    { numRuns: 2000 },
  );
});
