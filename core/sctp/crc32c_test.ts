import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { crc32c } from "./crc32c.ts";

const hex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));

/** Bit-at-a-time reference (the definition), to check the slicing-by-8 tables against. */
function reference(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}

test("crc32c() matches the check value and the RFC 3720 B.4 vectors", () => {
  assert.equal(crc32c(new TextEncoder().encode("123456789")), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
  assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
  assert.equal(crc32c(new Uint8Array(0)), 0);
});

test("crc32c() agrees with the checksum usrsctp put in its INIT (capture of the SCTP spike)", () => {
  // An INIT sent by usrsctp 0.9.5 over UDP encapsulation; the stored checksum is 1f 5e dd 6f.
  const packet = hex(
    "138926ab000000001f5edd6f0100001e64d8160400100000ffffffff461b4599c000000480080006c0820000",
  );
  const zeroed = packet.slice();
  zeroed.set([0, 0, 0, 0], 8);
  const crc = crc32c(zeroed);
  assert.equal(crc, 0x6fdd5e1f);
  // Stored least significant byte first.
  assert.deepEqual([...packet.subarray(8, 12)], [
    crc & 0xff,
    (crc >>> 8) & 0xff,
    (crc >>> 16) & 0xff,
    crc >>> 24,
  ]);
});

test("crc32c() equals the bit-at-a-time definition on random input, whole or continued", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(300), (bytes, cut) => {
      const at = Math.min(cut, bytes.length);
      const want = reference(bytes);
      assert.equal(crc32c(bytes), want);
      assert.equal(crc32c(bytes.subarray(at), crc32c(bytes.subarray(0, at))), want);
      assert.equal(crc32c(bytes, crc32c(bytes, 0, 0, at), at), want);
    }),
    { numRuns: 500 },
  );
});
