import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { anyMessageArb } from "../../tests/_wire_arbitraries.ts";
import { ascii } from "../../tests/_hex.ts";
import { decodeAsapMessage } from "./decode.ts";
import { WIRE_PROFILES } from "./profile.ts";
import { WireDecoder } from "./wire_decoder.ts";
import { WireEncoder } from "./wire_encoder.ts";

for (const profile of WIRE_PROFILES) {
  test(`WireDecoder decodes exactly what the free functions decode (${profile} profile)`, () => {
    const enc = new WireEncoder({ profile });
    const dec = new WireDecoder({ profile });
    fc.assert(
      fc.property(anyMessageArb(profile), ({ protocol, message }) => {
        const bytes = enc.encode(message);
        const r = protocol === "asap" ? dec.decodeAsap(bytes) : dec.decodeEnrp(bytes);
        assert.deepStrictEqual(r.kind === "ok" && r.message, message);
      }),
      { numRuns: 1000, seed: 11 },
    );
  });
}

test("WireDecoder keeps decoded fields intact when the slab fills and the input buffer is reused", () => {
  const enc = new WireEncoder({ profile: "ng" });
  const dec = new WireDecoder({ profile: "ng" });
  const buf = new Uint8Array(1024); // one receive buffer, reused for every message
  const kept: { handle: Uint8Array; id: bigint; want: string }[] = [];
  for (let i = 0; i < 400; i++) {
    const handle = ascii(`pool-${i}-${"x".repeat(i % 40)}`);
    const id = (0xf000000000000000n | BigInt(i)) ^ (BigInt(i) << 40n);
    const bytes = enc.encode({ type: "deregistration", poolHandle: handle, poolElementId: id });
    buf.fill(0xee);
    buf.set(bytes, 16);
    const r = dec.decodeAsap(buf.subarray(16, 16 + bytes.length));
    assert.equal(r.kind, "ok");
    if (r.kind === "ok" && r.message.type === "deregistration") {
      assert.equal(r.message.poolElementId, id);
      kept.push({ handle: r.message.poolHandle, id, want: `pool-${i}-${"x".repeat(i % 40)}` });
    }
  }
  buf.fill(0);
  for (const k of kept) assert.equal(new TextDecoder().decode(k.handle), k.want);
});

test("WireDecoder.decodeByPpid() takes protocol and profile from the PPID", () => {
  const dec = new WireDecoder({ profile: "rfc", maxMessageSize: 24 });
  const ng = new WireEncoder({ profile: "ng" }).encode({
    type: "list-request",
    senderId: 1n,
    receiverId: 2n,
  });
  const r = dec.decodeByPpid(ng, 0x4e47454e);
  assert.equal(r.kind === "ok" && r.profile, "ng");
  const big = new WireEncoder({ profile: "rfc" }).encode({
    type: "handle-resolution",
    poolHandle: ascii("a-long-pool-handle"),
  });
  const tooLarge = dec.decodeByPpid(big, 11);
  assert.equal(tooLarge.kind === "malformed" && tooLarge.reason, "too-large");
  assert.throws(() => dec.decodeByPpid(ng, 0), RangeError);
});

test("WireDecoder refuses bad options like the free functions", () => {
  // @ts-expect-error: not a profile
  assert.throws(() => new WireDecoder({ profile: "auto" }), TypeError);
  assert.throws(() => new WireDecoder({ profile: "rfc", maxMessageSize: 0 }), RangeError);
  const dec = new WireDecoder({ profile: "rfc" });
  const bytes = new Uint8Array([0x0a, 0, 0, 8, 0, 0, 0, 7]);
  assert.deepEqual(dec.decodeAsap(bytes), decodeAsapMessage(bytes, { profile: "rfc" }));
});
