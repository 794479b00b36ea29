import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeMessage } from "../wire/wire_encoder.ts";
import { policyParameter, PolicyType } from "../wire/policy_parameter.ts";
import { offendingParameter } from "./_offending.ts";

const registration = encodeMessage({
  type: "registration",
  poolHandle: new Uint8Array([0x41, 0x42]),
  poolElement: {
    id: 5n,
    homeRegistrarId: 0n,
    registrationLife: 1,
    userTransport: { protocol: "tcp", port: 7, transportUse: "data", addresses: ["10.0.0.1"] },
    policy: policyParameter(PolicyType.WeightedRandom, { weight: 9 }),
    asapTransport: { protocol: "tcp", port: 8, transportUse: "data", addresses: ["10.0.0.2"] },
  },
}, { profile: "rfc" });

test("offendingParameter() finds every part of a Registration", () => {
  assert.deepEqual([...offendingParameter(registration, "pool-handle", 4)], [
    0,
    9,
    0,
    6,
    0x41,
    0x42,
  ]);
  assert.deepEqual(
    [...offendingParameter(registration, "policy", 4)],
    [0, 8, 0, 12, 0, 0, 0, 4, 0, 0, 0, 9],
  );
  assert.deepEqual(
    offendingParameter(registration, "user-transport", 4).slice(0, 6),
    new Uint8Array([0, 5, 0, 16, 0, 7]),
  );
  assert.deepEqual(
    offendingParameter(registration, "asap-transport", 4).slice(0, 6),
    new Uint8Array([0, 5, 0, 16, 0, 8]),
  );
  assert.equal(offendingParameter(registration, "identifier", 4)[1], 0x0a);
  assert.equal(offendingParameter(registration, undefined, 4).length, 0);
});

test("offendingParameter() gives nothing for a cut message instead of reading past it", () => {
  for (let n = 0; n < registration.length; n++) {
    const cut = registration.slice(0, n);
    for (const field of ["pool-handle", "policy", "user-transport", "asap-transport"] as const) {
      const found = offendingParameter(cut, field, 4);
      assert.ok(found.length <= n);
    }
  }
});
