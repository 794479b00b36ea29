import { test } from "node:test";
import assert from "node:assert/strict";
import { CookieCodec, type CookieKey, MAX_COOKIE_SIZE } from "./cookie_codec.ts";

const text = (s: string) => new TextEncoder().encode(s);
const KEY: CookieKey = { id: 7, secret: text("0123456789abcdef-pool-key") };
const OTHER: CookieKey = { id: 7, secret: text("another pool's secret key!") };
const T0 = Date.UTC(2025, 5, 1);

interface Progress {
  job: string;
  unit: number;
  next: number;
  done: number[];
}

const isProgress = (v: unknown): v is Progress =>
  typeof v === "object" && v !== null && typeof (v as Progress).job === "string" &&
  Array.isArray((v as Progress).done);

function codec(extra: Partial<ConstructorParameters<typeof CookieCodec<Progress>>[0]> = {}) {
  return new CookieCodec<Progress>({ poolHandle: "ComputePool", keys: [KEY], ...extra });
}

test("CookieCodec.seal() and open() round-trip a typed state, including bigints and bytes", () => {
  const c = new CookieCodec<Record<string, unknown>>({ poolHandle: "P", keys: [KEY] });
  const state = { a: 1, big: 2n ** 60n, bytes: Uint8Array.of(1, 2, 3), list: ["x", null, true] };
  const cookie = c.seal(state, T0);
  assert.equal(cookie[0], 1);
  assert.equal(cookie[1], 7);
  const r = c.open(cookie, T0 + 5);
  assert.ok(r.kind === "ok");
  assert.equal(r.issuedAt, T0);
  assert.equal(r.keyId, 7);
  assert.equal(r.state.a, 1);
  assert.equal(r.state.big, 2n ** 60n);
  assert.deepEqual([...(r.state.bytes as Uint8Array)], [1, 2, 3]);
  assert.deepEqual(r.state.list, ["x", null, true]);
});

test("CookieCodec.open() refuses any single changed bit as forged", () => {
  const c = codec();
  const cookie = c.seal({ job: "j", unit: 3, next: 1000, done: [1, 2] }, T0);
  for (let i = 0; i < cookie.length; i++) {
    for (const bit of [0x01, 0x80]) {
      const bad = cookie.slice();
      bad[i]! ^= bit;
      const r = c.open(bad, T0);
      assert.equal(r.kind, "rejected", `byte ${i} bit ${bit}`);
      // Changing the version or key id is caught before the tag; everything else by the tag.
      const want = i === 0 ? "malformed" : i === 1 ? "unknown-key" : "forged";
      assert.equal(r.kind === "rejected" && r.reason, want, `byte ${i}`);
    }
  }
});

test("CookieCodec.open() refuses cookies of another key, another pool and truncations", () => {
  const c = codec();
  const cookie = c.seal({ job: "j", unit: 1, next: 0, done: [] }, T0);
  const otherKey = codec({ keys: [OTHER] }).open(cookie, T0);
  assert.equal(otherKey.kind === "rejected" && otherKey.reason, "forged");
  const otherPool = codec({ poolHandle: "OtherPool" }).open(cookie, T0);
  assert.equal(otherPool.kind === "rejected" && otherPool.reason, "forged");
  for (let n = 0; n < cookie.length; n++) {
    assert.equal(c.open(cookie.subarray(0, n), T0).kind, "rejected", `length ${n}`);
  }
  const longer = new Uint8Array(cookie.length + 1);
  longer.set(cookie);
  assert.equal(c.open(longer, T0).kind, "rejected");
});

test("CookieCodec.open() refuses an oversized cookie before hashing it and names the limit", () => {
  const c = codec({ maxSize: 1024 });
  const r = c.open(new Uint8Array(1025), T0);
  assert.ok(r.kind === "rejected");
  assert.equal(r.reason, "too-large");
  assert.match(r.detail, /1025 bytes exceeds the limit of 1024/);
  assert.throws(
    () => c.seal({ job: "x".repeat(2000), unit: 0, next: 0, done: [] }, T0),
    (e: unknown) => e instanceof RangeError && /exceed the limit of 1024 bytes/.test(e.message),
  );
});

test("CookieCodec.open() refuses expired cookies and cookies from the future", () => {
  const c = codec({ maxAge: 10_000, maxClockSkew: 500 });
  const cookie = c.seal({ job: "j", unit: 1, next: 0, done: [] }, T0);
  assert.equal(c.open(cookie, T0 + 10_000).kind, "ok");
  const old = c.open(cookie, T0 + 10_001);
  assert.equal(old.kind === "rejected" && old.reason, "expired");
  assert.equal(c.open(cookie, T0 - 500).kind, "ok");
  const future = c.open(cookie, T0 - 501);
  assert.equal(future.kind === "rejected" && future.reason, "expired");
});

test("CookieCodec key rotation: old cookies open while new ones use the new key", () => {
  const oldKey = { id: 1, secret: text("the old pool key, 2024") };
  const newKey = { id: 2, secret: text("the new pool key, 2025") };
  const before = new CookieCodec<Progress>({ poolHandle: "P", keys: [oldKey] });
  const during = new CookieCodec<Progress>({
    poolHandle: "P",
    keys: [oldKey, newKey],
    sealKeyId: 2,
  });
  const after = new CookieCodec<Progress>({ poolHandle: "P", keys: [newKey] });
  const oldCookie = before.seal({ job: "j", unit: 1, next: 5, done: [] }, T0);
  assert.equal(during.open(oldCookie, T0).kind, "ok");
  const newCookie = during.seal({ job: "j", unit: 1, next: 6, done: [] }, T0);
  assert.equal(newCookie[1], 2);
  assert.equal(after.open(newCookie, T0).kind, "ok");
  const retired = after.open(oldCookie, T0);
  assert.equal(retired.kind === "rejected" && retired.reason, "unknown-key");
});

test("CookieCodec validate: an authentic state of the wrong shape is refused", () => {
  const loose = new CookieCodec<unknown>({ poolHandle: "ComputePool", keys: [KEY] });
  const strict = codec({ validate: isProgress });
  const cookie = loose.seal({ something: "else" }, T0);
  const r = strict.open(cookie, T0);
  assert.equal(r.kind === "rejected" && r.reason, "invalid-state");
  const good = loose.seal({ job: "j", unit: 1, next: 0, done: [4] }, T0);
  assert.equal(strict.open(good, T0).kind, "ok");
  const throwing = new CookieCodec<Progress>({
    poolHandle: "ComputePool",
    keys: [KEY],
    validate: (_v: unknown): _v is Progress => {
      throw new Error("boom");
    },
  });
  assert.equal(throwing.open(good, T0).kind, "rejected");
});

test("CookieCodec.open() never throws for random bytes, even with a valid header and key id", () => {
  const c = codec();
  let seed = 12345;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
  for (let i = 0; i < 2000; i++) {
    const n = next() * 2;
    const bytes = Uint8Array.from({ length: n }, next);
    if (i % 2 === 0 && n > 2) {
      bytes[0] = 1;
      bytes[1] = 7;
    }
    const r = c.open(bytes, T0);
    assert.equal(r.kind, "rejected");
  }
});

test("CookieCodec constructor refuses weak keys, bad ids and impossible limits", () => {
  const k = (id: number, s: string) => ({ id, secret: text(s) });
  assert.throws(() => new CookieCodec({ poolHandle: "P", keys: [] }), TypeError);
  assert.throws(() => new CookieCodec({ poolHandle: "P", keys: [k(1, "short")] }), RangeError);
  assert.throws(() => new CookieCodec({ poolHandle: "P", keys: [k(256, "x".repeat(16))] }), {
    name: "RangeError",
  });
  assert.throws(
    () => new CookieCodec({ poolHandle: "P", keys: [k(1, "x".repeat(16)), k(1, "y".repeat(16))] }),
    RangeError,
  );
  assert.throws(
    () => new CookieCodec({ poolHandle: "P", keys: [k(1, "x".repeat(16))], sealKeyId: 2 }),
    RangeError,
  );
  assert.throws(
    () =>
      new CookieCodec({
        poolHandle: "P",
        keys: [k(1, "x".repeat(16))],
        maxSize: MAX_COOKIE_SIZE + 1,
      }),
    RangeError,
  );
  assert.throws(
    () => new CookieCodec({ poolHandle: "", keys: [k(1, "x".repeat(16))] }),
    RangeError,
  );
  const c = new CookieCodec<unknown>({ poolHandle: "P", keys: [k(1, "x".repeat(16))] });
  assert.throws(() => c.seal({ f: () => 1 } as unknown, T0), TypeError);
  assert.throws(() => c.seal({}, -1), RangeError);
});
