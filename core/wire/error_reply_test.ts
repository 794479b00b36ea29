import { test } from "node:test";
import assert from "node:assert/strict";
import { hex, unhex } from "../../tests/_hex.ts";
import { decodeAsapMessage, decodeEnrpMessage } from "./decode.ts";
import { ErrorCause } from "./error_cause.ts";
import { asapErrorReply, enrpErrorReply } from "./error_reply.ts";
import { WireEncoder } from "./wire_encoder.ts";

const RFC = { profile: "rfc" } as const;
const HR = "050000140009000f43616c63417070506f6f6c00";

function withParam(p: string): Uint8Array {
  const b = unhex(HR + p);
  b[3] = b.length;
  return b;
}

test("asapErrorReply() answers an action-01 parameter with Unrecognized Parameter and the TLV", () => {
  const reply = asapErrorReply(decodeAsapMessage(withParam("41230008cafebabe"), RFC));
  assert.deepEqual(reply, {
    type: "asap-error",
    error: {
      causes: [{ code: ErrorCause.UnrecognizedParameter, info: unhex("41230008cafebabe") }],
    },
  });
  // The reply itself encodes and is the RFC vector shape of an ASAP Error.
  assert.equal(
    hex(new WireEncoder({ profile: "rfc" }).encode(reply!)),
    "0e000014000c00100001000c41230008cafebabe",
  );
});

test("asapErrorReply() stays silent for action 00, a decoded message, an Error and need-more", () => {
  assert.equal(asapErrorReply(decodeAsapMessage(withParam("01230008cafebabe"), RFC)), undefined);
  assert.equal(asapErrorReply(decodeAsapMessage(unhex(HR), RFC)), undefined);
  assert.equal(asapErrorReply(decodeAsapMessage(unhex("0e0000080000"), RFC)), undefined);
  assert.equal(asapErrorReply(decodeAsapMessage(unhex("0e00000c000c0004"), RFC)), undefined);
});

test("asapErrorReply() reports every skipped action-11 parameter of a decoded message", () => {
  const r = decodeAsapMessage(withParam("c1230005ab000000c0010004"), RFC);
  assert.equal(r.kind, "ok");
  assert.deepEqual(asapErrorReply(r)?.error.causes.map((c) => [c.code, hex(c.info)]), [
    [1, "c1230005ab"],
    [1, "c0010004"],
  ]);
});

test("asapErrorReply() answers invalid values with cause 3 and the offending parameter", () => {
  const r = decodeAsapMessage(unhex("0500000800090004"), RFC); // empty pool handle
  assert.deepEqual(asapErrorReply(r)?.error.causes, [
    { code: ErrorCause.InvalidValues, info: unhex("00090004") },
  ]);
});

test("asapErrorReply() clips huge cause information so the reply still encodes", () => {
  const big = new Uint8Array(65532);
  big.set([0x3f, 0, 0xff, 0xfc]);
  const reply = asapErrorReply(decodeAsapMessage(big, RFC));
  assert.equal(reply?.error.causes[0]?.code, ErrorCause.UnrecognizedMessage);
  const bytes = new WireEncoder({ profile: "ng" }).encode(reply!);
  assert.ok(bytes.length <= 65535);
});

test("enrpErrorReply() carries our and the peer's registrar identifiers", () => {
  const r = decodeEnrpMessage(unhex("0b00000c0000000100000002"), RFC);
  assert.deepEqual(enrpErrorReply(r, { senderId: 2n, receiverId: 1n }), {
    type: "enrp-error",
    senderId: 2n,
    receiverId: 1n,
    error: {
      causes: [{ code: ErrorCause.UnrecognizedMessage, info: unhex("0b00000c0000000100000002") }],
    },
  });
});

test("asapErrorReply() and enrpErrorReply() refuse a result of the other protocol", () => {
  const enrp = decodeEnrpMessage(unhex("0b00000c0000000100000002"), RFC);
  assert.throws(() => asapErrorReply(enrp), TypeError);
  const asap = decodeAsapMessage(unhex("0f000004"), RFC);
  assert.throws(() => enrpErrorReply(asap, { senderId: 1n, receiverId: 2n }), TypeError);
});
