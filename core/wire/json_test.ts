import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { anyMessageArb } from "../../tests/_wire_arbitraries.ts";
import { ascii } from "../../tests/_hex.ts";
import { messageFromJson, messageToJson } from "./json.ts";
import { policyParameter, PolicyType } from "./policy_parameter.ts";
import { WIRE_PROFILES } from "./profile.ts";

test("messageToJson() renders printable bytes as text and everything else as 0x hex", () => {
  const j = (b: Uint8Array) => messageToJson({ type: "cookie", cookie: b }).cookie;
  assert.equal(j(ascii("session-state-0001")), "session-state-0001");
  assert.equal(j(new Uint8Array([0, 1, 0xff])), "0x0001ff");
  assert.equal(j(ascii("0xabc")), "0x30786162" + "63"); // would be ambiguous as text
  assert.equal(j(ascii("caf\u00e9")), "0x636166c3a9");
  assert.deepEqual(messageFromJson({ type: "cookie", cookie: "0x0001ff" }), {
    type: "cookie",
    cookie: new Uint8Array([0, 1, 0xff]),
  });
  assert.deepEqual(messageFromJson({ type: "cookie", cookie: "café" }), {
    type: "cookie",
    cookie: new Uint8Array([0x63, 0x61, 0x66, 0xc3, 0xa9]),
  });
});

test("messageToJson() names policies and shows only their wire fields", () => {
  const m = {
    type: "handle-resolution-response" as const,
    poolHandle: ascii("P"),
    policy: policyParameter(PolicyType.LeastUsedDpf, { load: 5, loadDpf: 6, distance: 7 }),
    poolElements: [],
  };
  assert.deepEqual(messageToJson(m).policy, {
    type: "LeastUsedDPF",
    load: 5,
    loadDpf: 6,
    distance: 7,
  });
  const unknown = { ...m, policy: { ...policyParameter(0xdeadbeef), raw: [1, 2] } };
  assert.deepEqual(messageToJson(unknown).policy, { type: 0xdeadbeef, raw: [1, 2] });
  // Input takes names, abbreviations and numbers.
  for (const type of ["LeastUsedDPF", "lu-dpf", PolicyType.LeastUsedDpf]) {
    assert.deepEqual(
      messageFromJson({ ...messageToJson(m), policy: { type, load: 5, loadDpf: 6, distance: 7 } }),
      m,
    );
  }
});

test("messageFromJson() refuses policy fields the policy does not carry", () => {
  assert.throws(
    () =>
      messageFromJson({
        type: "business-card",
        poolHandle: "P",
        policy: { type: "RoundRobin", weight: 3 },
      }),
    /message\.policy\.weight: policy RoundRobin has no field weight/,
  );
  assert.throws(
    () => messageFromJson({ type: "business-card", poolHandle: "P", policy: { type: "NoSuch" } }),
    /unknown policy "NoSuch"/,
  );
});

test("messageFromJson() reads identifiers as decimal, hex or safe numbers and checks their width", () => {
  const m = (senderId: unknown) =>
    messageFromJson({ type: "list-request", senderId, receiverId: "0" });
  assert.deepEqual(m("18446744073709551615"), {
    type: "list-request",
    senderId: 2n ** 64n - 1n,
    receiverId: 0n,
  });
  assert.deepEqual(m("0x7c5b2e11"), {
    type: "list-request",
    senderId: 0x7c5b2e11n,
    receiverId: 0n,
  });
  assert.deepEqual(m(42), { type: "list-request", senderId: 42n, receiverId: 0n });
  assert.throws(() => m("18446744073709551616"), RangeError);
  assert.throws(() => m("-1"), TypeError);
  assert.throws(() => m(2 ** 60), RangeError);
});

test("messageFromJson() names the path of a bad field", () => {
  assert.throws(
    () =>
      messageFromJson({
        type: "list-response",
        senderId: "1",
        servers: [{
          registrarId: "2",
          transport: { protocol: "sctp", port: "9901", addresses: [] },
        }],
      }),
    /^TypeError: Cannot read message JSON: message\.servers\[0\]\.transport\.port: expected an integer$/,
  );
  assert.throws(() => messageFromJson([]), /message: expected an object/);
  assert.throws(
    () => messageFromJson({ type: "hello" }),
    /"hello" is not an ASAP or ENRP message type/,
  );
});

test("messageFromJson() defaults missing flags to false", () => {
  assert.deepEqual(
    messageFromJson({ type: "handle-table-request", senderId: "1", receiverId: "2" }),
    {
      type: "handle-table-request",
      ownChildrenOnly: false,
      senderId: 1n,
      receiverId: 2n,
    },
  );
});

for (const profile of WIRE_PROFILES) {
  test(`messageFromJson() inverts messageToJson() through JSON text for every message type (${profile} profile)`, () => {
    fc.assert(
      fc.property(anyMessageArb(profile), ({ message }) => {
        const text = JSON.stringify(messageToJson(message));
        assert.deepStrictEqual(messageFromJson(JSON.parse(text)), message);
      }),
      { numRuns: 500, seed: 7 },
    );
  });
}
