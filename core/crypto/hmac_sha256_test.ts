import { test } from "node:test";
import assert from "node:assert/strict";
import { constantTimeEqual, HmacSha256, sha256 } from "./hmac_sha256.ts";

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
const bytes = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));
const text = (s: string) => new TextEncoder().encode(s);

test("sha256() matches the FIPS 180-4 examples, split anywhere", () => {
  assert.equal(
    hex(sha256(new Uint8Array(0))),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  assert.equal(
    hex(sha256(text("abc"))),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  const long = text("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq");
  const want = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
  assert.equal(hex(sha256(long)), want);
  for (let cut = 0; cut <= long.length; cut++) {
    assert.equal(hex(sha256(long.subarray(0, cut), long.subarray(cut))), want);
  }
  const million = new Uint8Array(1_000_000).fill(0x61);
  assert.equal(
    hex(sha256(million)),
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
  );
});

test("HmacSha256.mac() matches the RFC 4231 test cases 1, 2, 4 and 6", () => {
  const cases: [Uint8Array, Uint8Array, string][] = [
    [
      new Uint8Array(20).fill(0x0b),
      text("Hi There"),
      "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    ],
    [
      text("Jefe"),
      text("what do ya want for nothing?"),
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    ],
    [
      bytes("0102030405060708090a0b0c0d0e0f10111213141516171819"),
      new Uint8Array(50).fill(0xcd),
      "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
    ],
    [
      new Uint8Array(131).fill(0xaa),
      text("Test Using Larger Than Block-Size Key - Hash Key First"),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    ],
  ];
  for (const [key, data, want] of cases) assert.equal(hex(new HmacSha256(key).mac(data)), want);
});

test("constantTimeEqual() compares contents and lengths", () => {
  assert.ok(constantTimeEqual(text("abc"), text("abc")));
  assert.ok(!constantTimeEqual(text("abc"), text("abd")));
  assert.ok(!constantTimeEqual(text("abc"), text("ab")));
});
