// The takeover-suggestion rules: the draft's XOR rule over 32- and 64-bit identifiers, and the
// load-evening decision (who is "far" over the mean, whom to suggest to). Runs under Deno, Bun
// and Node.

import { test } from "node:test";
import assert from "node:assert/strict";
import { suggestionTarget, underloadedPeers, usefulPeer } from "./takeover_suggestion.ts";

test("usefulPeer() picks the largest XOR with the PE identifier only if it beats the home's own", () => {
  const pe = 0x12345678n;
  assert.equal(usefulPeer(0x12345679n, pe, [0x92345678n, 0x02345678n]), 0x92345678n);
  assert.equal(usefulPeer(0xf2345678n, pe, [0x92345678n]), undefined); // own XOR 0xe0000000 wins
  assert.equal(usefulPeer(1n, pe, [0n, 1n]), undefined); // 0 and itself are skipped
  assert.equal(usefulPeer(1n, pe, []), undefined);
});

test("usefulPeer() compares all 64 bits of NG identifiers", () => {
  const pe = 0x8000_0000_0000_0001n;
  const low = 0x0000_0000_ffff_ffffn; // XOR 0x80000000fffffffe
  const high = 0x7000_0000_0000_0000n; // XOR 0xf000000000000001: only the upper half decides
  assert.equal(usefulPeer(0x8000_0000_0000_0000n, pe, [low, high]), high);
  // Own XOR 0x8000000100000001 beats 0x80000000fffffffe by bit 32, beyond a 32-bit comparison.
  assert.equal(usefulPeer(0x0000_0001_0000_0000n, pe, [low]), undefined);
});

test("underloadedPeers() names nobody until a registrar owns more than threshold times the mean", () => {
  const peers = [{ id: 2n, count: 100 }, { id: 3n, count: 100 }];
  // Mean 112: 137 is under 1.25 × 112 = 140.
  assert.deepEqual(underloadedPeers({ id: 1n, count: 137 }, peers, 1.25), []);
  // Mean 116.7: 150 is over 145.8; both peers own less than the mean.
  assert.deepEqual(underloadedPeers({ id: 1n, count: 150 }, peers, 1.25), [2n, 3n]);
  // A peer at or above the mean is no target.
  assert.deepEqual(
    underloadedPeers({ id: 1n, count: 300 }, [{ id: 2n, count: 0 }, { id: 3n, count: 150 }], 1.25),
    [2n],
  );
  // Threshold 1 with tiny counts: one PE above the mean is needed.
  assert.deepEqual(underloadedPeers({ id: 1n, count: 1 }, [{ id: 2n, count: 0 }], 1), []);
  assert.deepEqual(underloadedPeers({ id: 1n, count: 2 }, [{ id: 2n, count: 0 }], 1), [2n]);
  assert.deepEqual(underloadedPeers({ id: 1n, count: 9 }, [], 1.25), []); // alone
});

test("suggestionTarget() picks by XOR among the underloaded peers, even below the home's own XOR", () => {
  const peers = [{ id: 0x10n, count: 0 }, { id: 0x20n, count: 0 }, { id: 0x40n, count: 500 }];
  // 0x40 has the largest XOR but is not underloaded; of the others 0x20 ^ 0x01 = 0x21 wins.
  assert.equal(suggestionTarget({ id: 0xf0n, count: 500 }, 0x01n, peers, 1.25), 0x20n);
  assert.equal(suggestionTarget({ id: 0xf0n, count: 100 }, 0x01n, peers, 1.25), undefined);
});
