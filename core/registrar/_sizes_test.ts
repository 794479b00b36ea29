// The parameter sizes a registrar uses to fill responses equal what the encoder writes.

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { poolElementArb } from "../../tests/_wire_arbitraries.ts";
import { WireEncoder } from "../wire/wire_encoder.ts";
import { idBytes, WIRE_PROFILES } from "../wire/profile.ts";
import { paddedParameterSize, poolElementSize } from "./_sizes.ts";

for (const profile of WIRE_PROFILES) {
  test(`poolElementSize() is the encoded size of a Pool Element parameter (${profile} profile)`, () => {
    const encoder = new WireEncoder({ profile });
    const poolHandle = new Uint8Array([1, 2, 3]);
    fc.assert(
      fc.property(fc.array(poolElementArb(profile), { minLength: 1, maxLength: 4 }), (pes) => {
        const valid = pes.map((pe) => ({
          ...pe,
          id: pe.id === 0n ? 1n : pe.id,
          registrationLife: pe.registrationLife & 0x7fffffff,
        }));
        const bytes = encoder.encodeEnrp({
          type: "handle-table-response",
          reject: false,
          moreToSend: false,
          senderId: 1n,
          receiverId: 2n,
          pools: [{ poolHandle, poolElements: valid }],
        });
        let size = 4 + 2 * idBytes(profile) + paddedParameterSize(poolHandle.length);
        for (const pe of valid) size += poolElementSize(pe, idBytes(profile));
        assert.equal(size, bytes.length);
      }),
      { numRuns: 300, seed: 11 },
    );
  });
}
