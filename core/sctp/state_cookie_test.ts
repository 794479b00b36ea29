import { test } from "node:test";
import assert from "node:assert/strict";
import { type CookieData, CookieSealer } from "./state_cookie.ts";

const data: CookieData = {
  createdAt: 123456.789,
  lifetime: 60000,
  localTag: 0x11223344,
  peerTag: 0x55667788,
  localTsn: 1,
  peerTsn: 0xffffffff,
  peerArwnd: 1 << 20,
  outboundStreams: 10,
  inboundStreams: 2048,
  localPort: 3863,
  peerPort: 5000,
  tieLocalTag: 0,
  tiePeerTag: 7,
  remoteUdpPort: 9899,
  peerAddresses: ["127.0.0.1", "::1", "2001:db8::7"],
};

test("CookieSealer.open() returns what seal() put in", () => {
  const s = new CookieSealer(new Uint8Array(32).fill(9));
  assert.deepEqual(s.open(s.seal(data)), data);
});

test("CookieSealer.open() refuses any changed byte, another key and truncations", () => {
  const s = new CookieSealer(new Uint8Array(32).fill(9));
  const cookie = s.seal(data);
  for (let i = 0; i < cookie.length; i++) {
    const bad = cookie.slice();
    bad[i] = bad[i]! ^ 1;
    const r = s.open(bad);
    assert.ok(r === "bad-mac" || r === "malformed", `byte ${i}`);
  }
  assert.equal(new CookieSealer(new Uint8Array(32).fill(8)).open(cookie), "bad-mac");
  for (let n = 0; n < cookie.length; n++) {
    assert.ok(typeof s.open(cookie.subarray(0, n)) === "string");
  }
  assert.throws(() => new CookieSealer(new Uint8Array(15)), RangeError);
});
