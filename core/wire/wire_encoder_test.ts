import { test } from "node:test";
import assert from "node:assert/strict";
import { ascii, hex } from "../../tests/_hex.ts";
import type { AsapMessage } from "./asap_message.ts";
import { decodeAsapMessage, decodeEnrpMessage } from "./decode.ts";
import type { EnrpMessage, HandleTableResponseMessage } from "./enrp_message.ts";
import { policyParameter, PolicyType } from "./policy_parameter.ts";
import type { PoolElementParameter } from "./pool_element_parameter.ts";
import { encodeMessage, protocolOf, WireEncoder } from "./wire_encoder.ts";

const LU = policyParameter(PolicyType.LeastUsed, { load: 0x40000000 });

function pe(id: bigint, extra: Partial<PoolElementParameter> = {}): PoolElementParameter {
  return {
    id,
    homeRegistrarId: 0x7c5b2e11n,
    registrationLife: 90_000,
    userTransport: { protocol: "tcp", port: 7, transportUse: "data", addresses: ["192.0.2.10"] },
    policy: LU,
    ...extra,
  };
}

const REG: AsapMessage = {
  type: "registration",
  poolHandle: ascii("EchoPool"),
  poolElement: pe(1n),
};

test("WireEncoder.encode() returns a view that the next call overwrites", () => {
  const enc = new WireEncoder({ profile: "rfc" });
  const a = enc.encode({ type: "list-request", senderId: 1n, receiverId: 2n });
  const copy = a.slice();
  enc.encode({ type: "list-request", senderId: 3n, receiverId: 4n });
  assert.notDeepEqual(a, copy); // aliased: overwritten in place
  assert.equal(hex(copy), "0500000c0000000100000002");
});

test("WireEncoder.encodeInto() writes at an offset and refuses a target that is too small", () => {
  const enc = new WireEncoder({ profile: "rfc" });
  const out = new Uint8Array(20).fill(0xee);
  assert.equal(enc.encodeInto({ type: "list-request", senderId: 1n, receiverId: 2n }, out, 4), 12);
  assert.equal(hex(out), "eeeeeeee0500000c0000000100000002eeeeeeee");
  assert.throws(
    () => enc.encodeInto({ type: "list-request", senderId: 1n, receiverId: 2n }, out, 10),
    RangeError,
  );
});

test("WireEncoder.encode() refuses identifiers too wide for the profile", () => {
  const rfc = new WireEncoder({ profile: "rfc" });
  assert.throws(
    () => rfc.encode({ type: "deregistration", poolHandle: ascii("P"), poolElementId: 1n << 32n }),
    /PE identifier 4294967296 does not fit the RFC profile \(32 bits\)/,
  );
  assert.throws(() => rfc.encode({ ...REG, poolElement: pe(-1n) }), RangeError);
  const ng = new WireEncoder({ profile: "ng" });
  assert.equal(
    ng.encode({ type: "deregistration", poolHandle: ascii("P"), poolElementId: (1n << 64n) - 1n })
      .length,
    4 + 8 + 12,
  );
  assert.throws(
    () => ng.encode({ type: "init-takeover", senderId: 1n, receiverId: 2n, targetId: 1n << 64n }),
    RangeError,
  );
});

test("WireEncoder.encode() throws TypeError for values of the wrong type", () => {
  const enc = new WireEncoder({ profile: "rfc" });
  const bad: unknown[] = [
    null,
    { type: "no-such-message" },
    { type: "deregistration", poolHandle: "EchoPool", poolElementId: 1n },
    { type: "deregistration", poolHandle: ascii("P"), poolElementId: 1 },
    {
      ...REG,
      poolElement: pe(1n, { userTransport: { ...pe(1n).userTransport, addresses: ["host"] } }),
    },
    {
      ...REG,
      poolElement: pe(1n, {
        userTransport: { ...pe(1n).userTransport, transportUse: "ctl" as "data" },
      }),
    },
    {
      ...REG,
      poolElement: pe(1n, {
        userTransport: { ...pe(1n).userTransport, protocol: "quic" as "tcp" },
      }),
    },
    { ...REG, poolElement: pe(1n, { policy: { ...LU, raw: [1] } }) },
    { type: "registration-response", reject: 1, poolHandle: ascii("P"), poolElementId: 1n },
    {
      type: "handle-update",
      takeoverSuggested: false,
      senderId: 1n,
      receiverId: 2n,
      action: "move",
      poolHandle: ascii("P"),
      poolElement: pe(1n),
    },
  ];
  for (const m of bad) {
    assert.throws(
      () => enc.encode(m as AsapMessage),
      TypeError,
      JSON.stringify(m, (_, v) => typeof v === "bigint" ? `${v}n` : v),
    );
  }
});

test("WireEncoder.encode() throws RangeError for values out of range", () => {
  const enc = new WireEncoder({ profile: "rfc" });
  const t = pe(1n).userTransport;
  const bad: (AsapMessage | EnrpMessage)[] = [
    { type: "deregistration", poolHandle: new Uint8Array(0), poolElementId: 1n },
    {
      ...REG,
      poolElement: pe(1n, { userTransport: { ...t, addresses: ["192.0.2.1", "192.0.2.2"] } }),
    },
    { ...REG, poolElement: pe(1n, { userTransport: { ...t, protocol: "sctp", addresses: [] } }) },
    {
      ...REG,
      poolElement: pe(1n, {
        userTransport: { ...t, protocol: "udp", transportUse: "data+control" },
      }),
    },
    { ...REG, poolElement: pe(1n, { userTransport: { ...t, port: 70000 } }) },
    { ...REG, poolElement: pe(1n, { registrationLife: -1 }) },
    { ...REG, poolElement: pe(1n, { policy: { ...LU, load: 2 ** 32 } }) },
    { type: "asap-error", error: { causes: [] } },
    { type: "asap-error", error: { causes: [{ code: 0x10000, info: new Uint8Array() }] } },
    { type: "cookie", cookie: new Uint8Array(0) },
    { type: "handle-resolution", poolHandle: ascii("P"), items: -1 },
    { type: "presence", replyRequired: false, senderId: 1n, receiverId: 0n, checksum: 0x10000 },
    {
      type: "handle-table-response",
      reject: false,
      moreToSend: false,
      senderId: 1n,
      receiverId: 2n,
      pools: [{ poolHandle: ascii("P"), poolElements: [] }],
    },
  ];
  for (const m of bad) assert.throws(() => enc.encode(m), RangeError, m.type);
});

test("WireEncoder.encode() keeps working after a refused message", () => {
  const enc = new WireEncoder({ profile: "rfc" });
  assert.throws(() => enc.encode({ ...REG, poolElement: pe(1n << 40n) }), RangeError);
  const b = enc.encode(REG);
  const r = decodeAsapMessage(b, { profile: "rfc" });
  assert.deepEqual(r.kind === "ok" && r.message, REG);
});

test("WireEncoder.encode() grows its buffer for a Handle Table Response of 128 pool elements", () => {
  const enc = new WireEncoder({ profile: "ng", maxMessageSize: 65535 });
  const small = enc.encode({ type: "list-request", senderId: 1n, receiverId: 2n }).slice();
  const asapTransport = {
    protocol: "sctp" as const,
    port: 52000,
    transportUse: "data" as const,
    addresses: ["192.0.2.10", "2001:db8::10"],
  };
  const msg: HandleTableResponseMessage = {
    type: "handle-table-response",
    reject: false,
    moreToSend: true,
    senderId: 7n,
    receiverId: 8n,
    pools: [{
      poolHandle: ascii("EchoPool"),
      poolElements: Array.from(
        { length: 128 },
        (_, i) => pe(BigInt(i + 1) << 40n, { asapTransport }),
      ),
    }],
  };
  const b = enc.encode(msg);
  assert.ok(b.length > 2048, `${b.length}`);
  const r = decodeEnrpMessage(b, { profile: "ng" });
  assert.deepEqual(r.kind === "ok" && r.message, msg);
  assert.deepEqual(enc.encode({ type: "list-request", senderId: 1n, receiverId: 2n }), small);
});

test("WireEncoder.encode() refuses messages over the size limit", () => {
  const many: AsapMessage = {
    type: "handle-resolution-response",
    poolHandle: ascii("P"),
    poolElements: Array.from({ length: 2000 }, (_, i) => pe(BigInt(i + 1))),
  };
  assert.throws(() => new WireEncoder({ profile: "rfc" }).encode(many), /65535/);
  const limited = new WireEncoder({ profile: "rfc", maxMessageSize: 1400 });
  assert.throws(
    () => limited.encode({ ...many, poolElements: many.poolElements.slice(0, 40) }),
    /over the maximum of 1400/,
  );
  assert.equal(
    limited.encode({ ...many, poolElements: many.poolElements.slice(0, 10) }).length,
    4 + 8 + 10 * 44,
  );
});

test("WireEncoder.encode() writes the NG field widths and the NG flag", () => {
  const ng = new WireEncoder({ profile: "ng" });
  const b = ng.encode(REG);
  assert.equal(b[1], 0x80);
  // Pool Element parameter at 16: id(8) home(8) life(4) then the TCP transport.
  assert.equal(hex(b.subarray(16, 20)), "000a0034");
  assert.equal(hex(b.subarray(20, 40)), "0000000000000001000000007c5b2e110001" + "5f90");
  const presence = ng.encode({
    type: "presence",
    replyRequired: true,
    senderId: 1n,
    receiverId: 2n,
    checksum: 0xdeadbeef,
  });
  // PE Checksum of Length 8 carrying an Internet-32 value.
  assert.equal(
    hex(presence),
    "0181001c" + "0000000000000001" + "0000000000000002" + "000f0008deadbeef",
  );
  const peid = ng.encode({
    type: "endpoint-unreachable",
    poolHandle: ascii("PP"),
    poolElementId: 5n,
  });
  assert.equal(hex(peid.subarray(12)), "000e000c0000000000000005");
  const rfc = new WireEncoder({ profile: "rfc" });
  assert.equal(rfc.encode(REG)[1], 0x00);
  assert.equal(new WireEncoder().profile, "ng");
});

test("WireEncoder.encode() writes IPv4-mapped IPv6 text as an IPv4 Address and canonicalises IPv6", () => {
  const enc = new WireEncoder({ profile: "rfc" });
  const m = {
    ...REG,
    poolElement: pe(1n, {
      userTransport: {
        protocol: "sctp",
        port: 9,
        transportUse: "data",
        addresses: ["::ffff:192.0.2.10", "2001:DB8:0::0:7"],
      },
    }),
  } as const;
  const b = enc.encode(m);
  assert.ok(hex(b).includes("00010008c000020a"));
  const r = decodeAsapMessage(b, { profile: "rfc" });
  assert.deepEqual(
    r.kind === "ok" && r.message.type === "registration" &&
      r.message.poolElement.userTransport.addresses,
    ["192.0.2.10", "2001:db8::7"],
  );
});

test("WireEncoder constructor refuses an unknown profile and a bad size limit", () => {
  // @ts-expect-error: profile must be rfc or ng
  assert.throws(() => new WireEncoder({ profile: "detect" }), TypeError);
  assert.throws(() => new WireEncoder({ maxMessageSize: 65536 }), RangeError);
});

test("encodeMessage() returns a fresh copy and protocolOf() tells ASAP from ENRP", () => {
  const a = encodeMessage(REG, { profile: "rfc" });
  const b = encodeMessage(REG, { profile: "rfc" });
  assert.notEqual(a.buffer, b.buffer);
  assert.equal(protocolOf(REG), "asap");
  assert.equal(
    protocolOf({
      type: "enrp-error",
      senderId: 1n,
      receiverId: 2n,
      error: { causes: [{ code: 1, info: new Uint8Array() }] },
    }),
    "enrp",
  );
});
