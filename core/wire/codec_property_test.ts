// Property tests of the wire codec: random valid messages of every type
// round-trip in both profiles; truncations never throw; 10^5 random and
// mutated inputs per run decode to a message, need-more or malformed and
// decoded messages re-encode stably. Runs under Deno, Bun and Node.

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { asapMessageArb, enrpMessageArb } from "../../tests/_wire_arbitraries.ts";
import { corpus, fuzz } from "../../tests/_wire_fuzz.ts";
import { ASAP_MESSAGE_TYPES } from "./asap_message.ts";
import { decodeAsapMessage, decodeEnrpMessage } from "./decode.ts";
import { ENRP_MESSAGE_TYPES } from "./enrp_message.ts";
import { WIRE_PROFILES } from "./profile.ts";
import { WireEncoder } from "./wire_encoder.ts";

const RUNS = 1500;

for (const profile of WIRE_PROFILES) {
  test(`WireEncoder.encodeAsap() round-trips random messages of every ASAP type (${profile} profile)`, () => {
    const enc = new WireEncoder({ profile });
    const seen = new Set<string>();
    fc.assert(
      fc.property(asapMessageArb(profile), (message) => {
        seen.add(message.type);
        const bytes = enc.encodeAsap(message);
        assert.equal(bytes.length % 4, 0);
        assert.equal((bytes[2]! << 8) | bytes[3]!, bytes.length);
        assert.equal((bytes[1]! & 0x80) !== 0, profile === "ng");
        const r = decodeAsapMessage(bytes, { profile });
        assert.equal(r.kind, "ok", r.kind === "malformed" ? r.detail : r.kind);
        if (r.kind === "ok") {
          assert.deepStrictEqual(r.message, message);
          assert.equal(r.consumed, bytes.length);
        }
      }),
      { numRuns: RUNS, seed: 1 },
    );
    assert.deepEqual([...seen].sort(), ASAP_MESSAGE_TYPES.map(([name]) => name).sort());
  });

  test(`WireEncoder.encodeEnrp() round-trips random messages of every ENRP type (${profile} profile)`, () => {
    const enc = new WireEncoder({ profile });
    const seen = new Set<string>();
    fc.assert(
      fc.property(enrpMessageArb(profile), (message) => {
        seen.add(message.type);
        const bytes = enc.encodeEnrp(message);
        assert.equal(bytes.length % 4, 0);
        assert.equal((bytes[2]! << 8) | bytes[3]!, bytes.length);
        const r = decodeEnrpMessage(bytes, { profile });
        assert.equal(r.kind, "ok", r.kind === "malformed" ? r.detail : r.kind);
        if (r.kind === "ok") assert.deepStrictEqual(r.message, message);
      }),
      { numRuns: RUNS, seed: 2 },
    );
    assert.deepEqual([...seen].sort(), ENRP_MESSAGE_TYPES.map(([name]) => name).sort());
  });

  test(`decodeAsapMessage() and decodeEnrpMessage() answer need-more for every truncation (${profile} profile)`, () => {
    const enc = new WireEncoder({ profile });
    const samples = [
      ...fc.sample(asapMessageArb(profile), { numRuns: 60, seed: 3 }).map((m) => ({
        p: "asap" as const,
        b: enc.encodeAsap(m).slice(),
      })),
      ...fc.sample(enrpMessageArb(profile), { numRuns: 60, seed: 4 }).map((m) => ({
        p: "enrp" as const,
        b: enc.encodeEnrp(m).slice(),
      })),
    ];
    for (const { p, b } of samples) {
      for (let n = 0; n < b.length; n++) {
        const cut = b.subarray(0, n);
        const r = p === "asap"
          ? decodeAsapMessage(cut, { profile })
          : decodeEnrpMessage(cut, { profile });
        assert.deepEqual(r, { kind: "need-more", needed: n < 4 ? 4 : b.length });
      }
    }
  });

  test(`decodeAsapMessage() rejects every truncated datagram whose Length was patched to fit (${profile} profile)`, () => {
    // A sender that cuts a message short and fixes its Length: never a throw,
    // and whatever decodes must be a shorter, valid message.
    const enc = new WireEncoder({ profile });
    let malformed = 0;
    for (const m of fc.sample(asapMessageArb(profile), { numRuns: 60, seed: 5 })) {
      const b = enc.encodeAsap(m).slice();
      for (let n = 4; n < b.length; n++) {
        const cut = b.slice(0, n);
        cut[2] = n >> 8;
        cut[3] = n & 0xff;
        const r = decodeAsapMessage(cut, { profile });
        assert.notEqual(r.kind, "need-more");
        if (r.kind === "malformed") malformed++;
        else if (r.kind === "ok") {
          const again = decodeAsapMessage(enc.encodeAsap(r.message), { profile });
          assert.deepStrictEqual(again.kind === "ok" && again.message, r.message);
        }
      }
    }
    assert.ok(malformed > 0);
  });
}

test("decodeAsapMessage() and decodeEnrpMessage() survive 10^5 random and mutated inputs", () => {
  const counts = fuzz(100_000, 0x5eed, corpus(400, 6));
  assert.equal(counts.cases, 100_000);
  // The mix must exercise every outcome, or the mutations have gone blind.
  assert.ok(counts.ok > 1000, `ok ${counts.ok}`);
  assert.ok(counts.needMore > 1000, `need-more ${counts.needMore}`);
  assert.ok(counts.malformed > 10_000, `malformed ${counts.malformed}`);
});
