// The 51 tshark-validated vectors of shared/spec/vectors.md (RFC profile):
// each decodes to its documented field values and re-encodes to the same
// bytes; the documented values, read as JSON, encode to the same bytes too.

import { test } from "node:test";
import assert from "node:assert/strict";
import doc from "../testdata/wire_vectors.json" with { type: "json" };
import { hex, unhex } from "../_hex.ts";
import { decodeAsapMessage, decodeEnrpMessage } from "../../core/wire/decode.ts";
import { messageFromJson, messageToJson } from "../../core/wire/json.ts";
import { WireEncoder } from "../../core/wire/wire_encoder.ts";

const encoder = new WireEncoder({ profile: "rfc" });

test("wire_vectors.json holds all 51 vectors of vectors.md", () => {
  assert.equal(doc.vectors.length, 51);
  assert.equal(new Set(doc.vectors.map((v) => v.name)).size, 51);
});

for (const v of doc.vectors) {
  test(`vector ${v.name} decodes to its documented fields and re-encodes identically`, () => {
    const bytes = unhex(v.hex);
    const r = v.protocol === "asap"
      ? decodeAsapMessage(bytes, { profile: "rfc" })
      : decodeEnrpMessage(bytes, { profile: "rfc" });
    assert.equal(r.kind, "ok", r.kind === "malformed" ? r.detail : r.kind);
    if (r.kind !== "ok") return;
    assert.equal(r.consumed, bytes.length);
    assert.deepEqual(r.unrecognized, []);
    assert.deepStrictEqual(JSON.parse(JSON.stringify(messageToJson(r.message))), v.expected);
    assert.equal(hex(encoder.encode(r.message)), v.hex);
    assert.equal(hex(encoder.encode(messageFromJson(v.expected))), v.hex);
  });
}

test("checksum vector: a Presence carries the PE Checksum parameter bytes of checksum.md §7", () => {
  const c = doc.checksumVector;
  const bytes = encoder.encode({
    type: "presence",
    replyRequired: false,
    senderId: 0x7c5b2e11n,
    receiverId: 0n,
    checksum: c.checksum,
  }).slice();
  assert.equal(hex(bytes.subarray(12)), c.hex);
  const r = decodeEnrpMessage(bytes, { profile: "rfc" });
  assert.equal(r.kind === "ok" && r.message.type === "presence" && r.message.checksum, 0x2fc3);
});
