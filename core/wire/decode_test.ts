import { test } from "node:test";
import assert from "node:assert/strict";
import { ascii, hex, unhex } from "../../tests/_hex.ts";
import { decodeAsapMessage, decodeEnrpMessage, decodeMessage } from "./decode.ts";
import type { DecodeMalformed, DecodeResult } from "./decode_result.ts";
import { ErrorCause } from "./error_cause.ts";
import { PPID_ASAP_NG, PPID_ENRP_NG } from "./profile.ts";
import { WireEncoder } from "./wire_encoder.ts";

const RFC = { profile: "rfc" } as const;

// Vectors from shared/spec/vectors.md.
const COOKIE = "0b00001c000d001673657373696f6e2d73746174652d303030310000";
const REGISTRATION_TCP_LU =
  "0100003c0009000c4563686f506f6f6c000a002c1a2b3c4d0000000000015f90000500100007000000010008c000020a0008000c4000000140000000";
const HANDLE_RESOLUTION = "050000140009000f43616c63417070506f6f6c00";
const DEREGISTRATION = "020000180009000c4563686f506f6f6c000e00081a2b3c4d";
const LIST_REQUEST = "0500000c3f00aa017c5b2e11";

function malformed<M>(r: DecodeResult<M>): DecodeMalformed {
  assert.equal(
    r.kind,
    "malformed",
    r.kind === "ok"
      ? JSON.stringify(r.message, (_, v) => typeof v === "bigint" ? v.toString() : v)
      : r.kind,
  );
  return r as DecodeMalformed;
}

/** Patches the message Length to the buffer size. */
function fixLength(b: Uint8Array): Uint8Array {
  b[2] = b.length >> 8;
  b[3] = b.length & 0xff;
  return b;
}

/** A Handle Resolution for "CalcAppPool" followed by extra parameter bytes. */
function hrWith(extraHex: string): Uint8Array {
  return fixLength(unhex(HANDLE_RESOLUTION + extraHex));
}

test("decodeAsapMessage() accepts a message Length that excludes the final padding", () => {
  const b = unhex(COOKIE);
  b[3] = 26; // 28 bytes on the wire, Length without the 2 padding bytes
  const r = decodeAsapMessage(b, RFC);
  assert.equal(r.kind, "ok");
  if (r.kind === "ok") {
    assert.equal(r.consumed, 28);
    assert.deepEqual(r.message, { type: "cookie", cookie: ascii("session-state-0001") });
  }
  // Without the padding bytes on the wire at all.
  const short = decodeAsapMessage(b.subarray(0, 26), RFC);
  assert.equal(short.kind === "ok" && short.consumed, 26);
});

test("decodeAsapMessage() leaves bytes after the message for the next call", () => {
  const two = unhex(DEREGISTRATION + HANDLE_RESOLUTION + "ff");
  const first = decodeAsapMessage(two, RFC);
  assert.equal(first.kind === "ok" && first.message.type, "deregistration");
  assert.equal(first.kind === "ok" && first.consumed, 24);
  const second = decodeAsapMessage(two.subarray(24), RFC);
  assert.equal(second.kind === "ok" && second.message.type, "handle-resolution");
  assert.equal(second.kind === "ok" && second.consumed, 20);
  assert.deepEqual(decodeAsapMessage(two.subarray(44), RFC), { kind: "need-more", needed: 4 });
});

test("decodeAsapMessage() answers need-more byte by byte until the message is complete", () => {
  const b = unhex(REGISTRATION_TCP_LU);
  for (let n = 0; n < b.length; n++) {
    assert.deepEqual(decodeAsapMessage(b.subarray(0, n), RFC), {
      kind: "need-more",
      needed: n < 4 ? 4 : 60,
    });
  }
  assert.equal(decodeAsapMessage(b, RFC).kind, "ok");
});

test("decodeAsapMessage() rejects a message Length below 4", () => {
  const r = malformed(decodeAsapMessage(unhex("01000003"), RFC));
  assert.equal(r.reason, "bad-length");
  assert.equal(r.cause, ErrorCause.InvalidValues);
  assert.equal(r.offset, 2);
});

test("decodeAsapMessage() rejects a Length over maxMessageSize before the bytes arrive", () => {
  const r = malformed(
    decodeAsapMessage(unhex("0100fff0"), { profile: "rfc", maxMessageSize: 1400 }),
  );
  assert.equal(r.reason, "too-large");
  assert.equal(r.cause, ErrorCause.LackOfResources);
  assert.match(r.detail, /65520 exceeds the maximum of 1400/);
});

test("decodeAsapMessage() reports a profile mismatch instead of misparsing", () => {
  const ng = new WireEncoder({ profile: "ng" }).encode({
    type: "deregistration",
    poolHandle: ascii("EchoPool"),
    poolElementId: 0x1a2b3c4dn,
  }).slice();
  const r = malformed(decodeAsapMessage(ng, RFC));
  assert.equal(r.reason, "profile-mismatch");
  assert.equal(r.cause, ErrorCause.UnrecognizedMessage);
  assert.deepEqual(r.offending, ng);
  assert.match(r.detail, /NG flag \(0x80\) is set but the association uses the RFC profile/);
  const back = malformed(decodeAsapMessage(unhex(DEREGISTRATION), { profile: "ng" }));
  assert.equal(back.reason, "profile-mismatch");
  const detected = decodeAsapMessage(ng, { profile: "detect" });
  assert.equal(detected.kind === "ok" && detected.profile, "ng");
  const rfc = decodeAsapMessage(unhex(DEREGISTRATION), { profile: "detect" });
  assert.equal(rfc.kind === "ok" && rfc.profile, "rfc");
});

test("decodeAsapMessage() reports an unknown message type with the message as cause info", () => {
  const b = unhex("0f000008deadbeef");
  const r = malformed(decodeAsapMessage(b, RFC));
  assert.equal(r.reason, "unknown-message-type");
  assert.equal(r.cause, ErrorCause.UnrecognizedMessage);
  assert.equal(r.report, true);
  assert.deepEqual(r.offending, b);
  assert.equal(r.messageType, 0x0f);
  // ENRP types stop at 0x0a.
  assert.equal(
    malformed(decodeEnrpMessage(unhex("0b00000c0000000100000002"), RFC)).reason,
    "unknown-message-type",
  );
});

test("decodeAsapMessage() stops silently at an unrecognized parameter with action bits 00", () => {
  const r = malformed(decodeAsapMessage(hrWith("01230008cafebabe"), RFC));
  assert.equal(r.reason, "unrecognized-parameter");
  assert.equal(r.cause, ErrorCause.UnrecognizedParameter);
  assert.equal(r.report, false);
  assert.equal(r.offset, 20);
  assert.equal(hex(r.offending!), "01230008cafebabe");
});

test("decodeAsapMessage() stops and reports an unrecognized parameter with action bits 01", () => {
  const r = malformed(decodeAsapMessage(hrWith("41230008cafebabe"), RFC));
  assert.equal(r.reason, "unrecognized-parameter");
  assert.equal(r.report, true);
  assert.equal(hex(r.offending!), "41230008cafebabe");
});

test("decodeAsapMessage() skips an unrecognized parameter with action bits 10", () => {
  const r = decodeAsapMessage(hrWith("81230006cafe0000"), RFC);
  assert.equal(r.kind, "ok");
  if (r.kind === "ok") {
    assert.deepEqual(r.message, { type: "handle-resolution", poolHandle: ascii("CalcAppPool") });
    assert.deepEqual(r.unrecognized, []);
  }
});

test("decodeAsapMessage() skips and reports an unrecognized parameter with action bits 11", () => {
  const r = decodeAsapMessage(hrWith("c1230005ab000000803f000800000003"), RFC);
  assert.equal(r.kind, "ok");
  if (r.kind === "ok") {
    assert.deepEqual(r.message, {
      type: "handle-resolution",
      poolHandle: ascii("CalcAppPool"),
      items: 3,
    });
    assert.deepEqual(r.unrecognized.map(hex), ["c1230005ab"]);
  }
});

test("decodeAsapMessage() applies action bits inside nested parameters too", () => {
  // Registration whose TCP transport carries an extra unrecognised 11-parameter after its address.
  const b = unhex(REGISTRATION_TCP_LU);
  const withExtra = fixLength(unhex(
    hex(b.subarray(0, 16)) + "000a0034" + hex(b.subarray(20, 32)) + "00050018" +
      hex(b.subarray(36, 48)) + "c0990008000000ff" + hex(b.subarray(48)),
  ));
  const r = decodeAsapMessage(withExtra, RFC);
  assert.equal(r.kind, "ok", r.kind === "malformed" ? r.detail : "");
  if (r.kind === "ok" && r.message.type === "registration") {
    assert.deepEqual(r.message.poolElement.userTransport.addresses, ["192.0.2.10"]);
    assert.deepEqual(r.unrecognized.map(hex), ["c0990008000000ff"]);
  }
});

test("decodeAsapMessage() rejects parameter lengths below the 4-byte header", () => {
  for (const len of ["0000", "0001", "0003"]) {
    const r = malformed(decodeAsapMessage(hrWith(`8123${len}`), RFC));
    assert.equal(r.reason, "bad-length");
    assert.equal(r.offset, 20);
    assert.match(r.detail, /shorter than the 4-byte header/);
  }
});

test("decodeAsapMessage() rejects a parameter that runs past its container", () => {
  const r = malformed(decodeAsapMessage(hrWith("803f000c00000002"), RFC));
  assert.equal(r.reason, "bad-length");
  assert.equal(r.offset, 20);
  assert.equal(r.cause, ErrorCause.InvalidValues);
  assert.equal(r.report, true);
});

test("decodeAsapMessage() rejects a container Length that cuts into its last parameter's padding", () => {
  // Pool handle of 11 bytes (Length 15, padded to 16); message Length 19 is fine, 18 is not
  // (the handle's value would end beyond it) and an Operation Error ending mid-padding is bad.
  const b = unhex("050000130009000f43616c63417070506f6f6c00");
  assert.equal(decodeAsapMessage(b, RFC).kind, "ok");
  // Operation Error (Length 11) holding a cause of Length 5 padded to 8: the parameter ends at
  // 11, one byte into the cause's padding.
  const e = fixLength(unhex("0e000000000c000b00090005ab000000"));
  const r = malformed(decodeAsapMessage(e, RFC));
  assert.equal(r.reason, "bad-padding");
  // Operation Error whose Length excludes the cause's padding entirely is accepted.
  const ok = fixLength(unhex("0e000000000c000900090005ab000000"));
  const d = decodeAsapMessage(ok, RFC);
  assert.deepEqual(d.kind === "ok" && d.message, {
    type: "asap-error",
    error: { causes: [{ code: 9, info: new Uint8Array([0xab]) }] },
  });
});

test("decodeAsapMessage() rejects 1 to 3 stray bytes where a parameter header should be", () => {
  for (const tail of ["00", "0000", "000000"]) {
    const b = unhex(HANDLE_RESOLUTION + tail);
    b[3] = b.length;
    const r = malformed(decodeAsapMessage(b, RFC));
    assert.equal(r.reason, "truncated-parameter");
    assert.equal(r.offset, 20);
  }
});

test("decodeAsapMessage() names a missing mandatory parameter", () => {
  const r = malformed(decodeAsapMessage(fixLength(unhex("010000000009000c4563686f506f6f6c")), RFC));
  assert.equal(r.reason, "missing-parameter");
  assert.match(r.detail, /^Cannot decode ASAP Registration: Pool Element is missing/);
});

test("decodeAsapMessage() rejects a recognised parameter in the wrong place", () => {
  // Deregistration with a Cookie instead of the PE Identifier.
  const r = malformed(
    decodeAsapMessage(fixLength(unhex("020000000009000c4563686f506f6f6c000d0005aa000000")), RFC),
  );
  assert.equal(r.reason, "unexpected-parameter");
  assert.equal(r.cause, ErrorCause.InvalidValues);
  assert.equal(hex(r.offending!), "000d0005aa");
  assert.match(r.detail, /Cookie at offset 16 is not allowed here \(expected PE Identifier\)/);
});

test("decodeAsapMessage() rejects an empty pool handle", () => {
  const r = malformed(decodeAsapMessage(fixLength(unhex("0500000000090004")), RFC));
  assert.equal(r.reason, "invalid-value");
  assert.equal(hex(r.offending!), "00090004");
});

test("decodeAsapMessage() enforces one address for non-SCTP transports and at least one for SCTP", () => {
  const base = unhex(REGISTRATION_TCP_LU);
  // TCP transport with two addresses.
  const two = fixLength(unhex(
    hex(base.subarray(0, 16)) + "000a0034" + hex(base.subarray(20, 32)) + "00050018" +
      hex(base.subarray(36, 48)) + "00010008c000020b" + hex(base.subarray(48)),
  ));
  const r = malformed(decodeAsapMessage(two, RFC));
  assert.equal(r.reason, "invalid-value");
  assert.match(r.detail, /TCP Transport at offset 32 carries 2 addresses \(exactly 1 required\)/);
  // SCTP transport without an address.
  const none = fixLength(unhex(
    hex(base.subarray(0, 16)) + "000a0024" + hex(base.subarray(20, 32)) + "00040008" +
      hex(base.subarray(36, 40)) + hex(base.subarray(48)),
  ));
  none[33] = 4;
  const r2 = malformed(decodeAsapMessage(none, RFC));
  assert.equal(r2.reason, "invalid-value");
  assert.match(r2.detail, /carries 0 addresses \(at least 1 required\)/);
});

test("decodeAsapMessage() checks SCTP/TCP transport use and ignores UDP's reserved field", () => {
  const b = unhex(REGISTRATION_TCP_LU);
  b[39] = 2; // TCP transport use 2
  const r = malformed(decodeAsapMessage(b, RFC));
  assert.equal(r.reason, "invalid-value");
  assert.equal(r.offset, 38);
  const udp = unhex(REGISTRATION_TCP_LU);
  udp[33] = 6; // UDP
  udp[39] = 7; // reserved, ignored
  const d = decodeAsapMessage(udp, RFC);
  assert.equal(
    d.kind === "ok" && d.message.type === "registration" &&
      d.message.poolElement.userTransport.transportUse,
    "data",
  );
});

test("decodeAsapMessage() rejects address parameters of the wrong length", () => {
  const b = unhex(REGISTRATION_TCP_LU);
  b[43] = 12; // IPv4 Address Length 12 inside a 16-byte transport
  const r = malformed(decodeAsapMessage(b, RFC));
  assert.equal(r.reason, "bad-length");
});

test("decodeAsapMessage() gives an IPv4-mapped IPv6 address as a dotted quad", () => {
  const b = fixLength(unhex(
    "01000000" + "0009000c4563686f506f6f6c" + "000a0038" + "1a2b3c4d0000000000015f90" +
      "0005001c00070000" + "00020014" + "00000000000000000000ffffc000020a" +
      "0008000c4000000140000000",
  ));
  const r = decodeAsapMessage(b, RFC);
  assert.deepEqual(
    r.kind === "ok" && r.message.type === "registration" &&
      r.message.poolElement.userTransport.addresses,
    ["192.0.2.10"],
  );
});

test("decodeAsapMessage() keeps the fields of an unknown policy type raw", () => {
  const b = unhex(REGISTRATION_TCP_LU);
  b.set([0xde, 0xad, 0xbe, 0xef], 52);
  const r = decodeAsapMessage(b, RFC);
  assert.deepEqual(
    r.kind === "ok" && r.message.type === "registration" && r.message.poolElement.policy,
    {
      type: 0xdeadbeef,
      weight: 0,
      priority: 0,
      load: 0,
      loadDegradation: 0,
      loadDpf: 0,
      weightDpf: 0,
      distance: 0,
      raw: [0x40000000],
    },
  );
});

test("decodeAsapMessage() rejects a known policy shorter than its layout and tolerates a longer one", () => {
  const b = unhex(REGISTRATION_TCP_LU);
  b[55] = 2; // Least Used Degradation needs two fields but has one
  assert.equal(malformed(decodeAsapMessage(b, RFC)).reason, "invalid-value");
  const longer = unhex(REGISTRATION_TCP_LU);
  longer.set([0, 0, 0, 1], 52); // Round Robin (no field) followed by one more u32: ignored
  const r = decodeAsapMessage(longer, RFC);
  assert.deepEqual(
    r.kind === "ok" && r.message.type === "registration" && r.message.poolElement.policy,
    {
      type: 1,
      weight: 0,
      priority: 0,
      load: 0,
      loadDegradation: 0,
      loadDpf: 0,
      weightDpf: 0,
      distance: 0,
    },
  );
});

test("decodeAsapMessage() recognises the Handle Resolution option only in a Handle Resolution", () => {
  // In a Deregistration the option is an unknown 10-type parameter and skipped.
  const b = fixLength(unhex(DEREGISTRATION + "803f000800000002"));
  const r = decodeAsapMessage(b, RFC);
  assert.equal(r.kind === "ok" && r.message.type, "deregistration");
  assert.deepEqual(r.kind === "ok" && r.unrecognized, []);
});

test("decodeAsapMessage() never asks to answer a malformed ASAP Error", () => {
  const r = malformed(decodeAsapMessage(fixLength(unhex("0e000000000c0004")), RFC));
  assert.equal(r.reason, "invalid-value");
  assert.equal(r.report, false);
});

test("decodeAsapMessage() checks the PE Identifier length of the profile", () => {
  const ng = unhex(DEREGISTRATION);
  ng[1] = 0x80;
  const r = malformed(decodeAsapMessage(ng, { profile: "ng" }));
  assert.equal(r.reason, "bad-length");
  assert.match(r.detail, /PE Identifier length 8 at offset 16 is not 12 \(NG profile\)/);
});

test("decodeAsapMessage() ignores flags a message does not define", () => {
  const b = unhex(REGISTRATION_TCP_LU);
  b[1] = 0x7f;
  assert.equal(decodeAsapMessage(b, RFC).kind, "ok");
});

test("decodeAsapMessage() returns copies that do not alias the input", () => {
  const b = unhex(DEREGISTRATION);
  const r = decodeAsapMessage(b, RFC);
  b.fill(0);
  assert.deepEqual(
    r.kind === "ok" && r.message.type === "deregistration" && r.message.poolHandle,
    ascii("EchoPool"),
  );
});

test("decodeAsapMessage() keeps deeply nested cause information raw (no nesting bomb)", () => {
  // An ASAP Error whose cause info is an ASAP Error whose cause info is ... 8000 levels deep.
  let inner = unhex("0e000008deadbeef");
  for (let i = 0; i < 8000; i++) {
    const n = new Uint8Array(inner.length + 8);
    n.set([0x00, 0x02, (inner.length + 4) >> 8, (inner.length + 4) & 0xff], 4);
    n.set(inner, 8);
    n[0] = 0x00;
    n[1] = 0x0c;
    n[2] = n.length >> 8;
    n[3] = n.length & 0xff;
    inner = n;
    if (inner.length > 65000) break;
  }
  const msg = fixLength(unhex("0e000000" + hex(inner)));
  const r = decodeAsapMessage(msg, RFC);
  assert.equal(r.kind, "ok");
  if (r.kind === "ok" && r.message.type === "asap-error") {
    assert.equal(r.message.error.causes.length, 1);
    assert.equal(r.message.error.causes[0]!.info.length, inner.length - 8);
  }
});

test("decodeAsapMessage() handles a message full of skipped parameters in one linear pass", () => {
  const params = "c0010004".repeat(16_378);
  const b = fixLength(unhex(HANDLE_RESOLUTION + params));
  assert.equal(b.length, 20 + 4 * 16_378);
  const r = decodeAsapMessage(b, RFC);
  assert.equal(r.kind === "ok" && r.unrecognized.length, 16_378);
});

test("decodeEnrpMessage() decodes an unknown Handle Update action as its number", () => {
  const b = unhex(
    "040000587c5b2e113f00aa01000700000009000c4563686f506f6f6c000a003c1a2b3c4d7c5b2e1100015f90000500100007000000010008c000020a0008000c400000014000000000040010cb20000000010008c000020a",
  );
  const r = decodeEnrpMessage(b, RFC);
  assert.equal(r.kind === "ok" && r.message.type === "handle-update" && r.message.action, 7);
});

test("decodeEnrpMessage() requires a pool handle before and a pool element after it in a Handle Table Response", () => {
  const noPe = fixLength(unhex("030000007c5b2e113f00aa010009000c4563686f506f6f6c"));
  const r = malformed(decodeEnrpMessage(noPe, RFC));
  assert.equal(r.reason, "missing-parameter");
  assert.match(r.detail, /pool handle at offset 12 is not followed by a pool element/);
  const peFirst = fixLength(unhex("030000007c5b2e113f00aa01000e00081a2b3c4d"));
  assert.equal(malformed(decodeEnrpMessage(peFirst, RFC)).reason, "unexpected-parameter");
  const empty = decodeEnrpMessage(unhex("0301000c7c5b2e113f00aa01"), RFC);
  assert.deepEqual(empty.kind === "ok" && empty.message, {
    type: "handle-table-response",
    reject: true,
    moreToSend: false,
    senderId: 0x7c5b2e11n,
    receiverId: 0x3f00aa01n,
    pools: [],
  });
});

test("decodeEnrpMessage() rejects a message shorter than its fixed fields", () => {
  const r = malformed(decodeEnrpMessage(unhex("0500000800000001"), RFC));
  assert.equal(r.reason, "bad-length");
  assert.match(r.detail, /message length 8 is shorter than its 12-byte fixed part/);
  const t = malformed(decodeEnrpMessage(unhex("0700000c0000000100000002"), RFC));
  assert.match(t.detail, /shorter than its 16-byte fixed part/);
});

test("decodeMessage() picks protocol and profile from the PPID", () => {
  const rfc = decodeMessage(unhex(LIST_REQUEST), 12);
  assert.equal(rfc.kind === "ok" && rfc.message.type, "list-request");
  assert.equal(rfc.kind === "ok" && rfc.profile, "rfc");
  // The same bytes under the ASAP PPID are an ASAP Handle Resolution with garbage inside.
  assert.equal(malformed(decodeMessage(unhex(LIST_REQUEST), 11)).protocol, "asap");
  assert.equal(
    malformed(decodeMessage(unhex(LIST_REQUEST), PPID_ENRP_NG)).reason,
    "profile-mismatch",
  );
  const ng = new WireEncoder({ profile: "ng" }).encode({
    type: "list-request",
    senderId: 1n,
    receiverId: 2n,
  });
  const d = decodeMessage(ng, PPID_ENRP_NG);
  assert.equal(d.kind === "ok" && d.profile, "ng");
  assert.equal(malformed(decodeMessage(ng, PPID_ASAP_NG)).protocol, "asap");
  assert.throws(() => decodeMessage(ng, 38), RangeError);
});

test("decodeAsapMessage() throws only for misuse of its options", () => {
  const b = unhex(DEREGISTRATION);
  // @ts-expect-error: profile must be rfc, ng or detect
  assert.throws(() => decodeAsapMessage(b, { profile: "v2" }), TypeError);
  assert.throws(() => decodeAsapMessage(b, { profile: "rfc", maxMessageSize: 3 }), RangeError);
  assert.throws(() => decodeAsapMessage(b, { profile: "rfc", maxMessageSize: 70000 }), RangeError);
  // @ts-expect-error: bytes must be a Uint8Array
  assert.throws(() => decodeAsapMessage([1, 2, 3, 4], RFC), TypeError);
});
