import { test } from "node:test";
import assert from "node:assert/strict";
import { SeededRng } from "../rng.ts";
import { AbortCause } from "./abort_cause.ts";
import {
  checkFrameHeader,
  decodeAbort,
  decodeFrame,
  decodeHello,
  encodeAbort,
  encodeFrame,
  encodeHello,
  FRAME_HEADER_BYTES,
  FrameType,
  MAX_CONTROL_PAYLOAD,
} from "./frame.ts";

const DATA = encodeFrame(FrameType.Data, 0x0102, 0x4e474153, new Uint8Array([9, 8, 7, 6, 5]));

test("encodeFrame() writes the 12-byte big-endian header before the payload", () => {
  assert.deepEqual(
    [...DATA],
    [0x01, 0x00, 0x01, 0x02, 0x4e, 0x47, 0x41, 0x53, 0, 0, 0, 5, 9, 8, 7, 6, 5],
  );
});

test("encodeFrame() refuses a stream, PPID or type out of range", () => {
  assert.throws(() => encodeFrame(FrameType.Data, 65536, 0, new Uint8Array(1)), RangeError);
  assert.throws(() => encodeFrame(FrameType.Data, 0, 2 ** 32, new Uint8Array(1)), RangeError);
  assert.throws(() => encodeFrame(256, 0, 0, new Uint8Array(1)), RangeError);
});

test("decodeFrame() decodes a whole frame and leaves trailing bytes untouched", () => {
  const bytes = new Uint8Array(DATA.length + 3);
  bytes.set(DATA);
  bytes.set([0xaa, 0xbb, 0xcc], DATA.length);
  const r = decodeFrame(bytes);
  assert.equal(r.kind, "frame");
  if (r.kind !== "frame") return;
  assert.equal(r.consumed, DATA.length);
  assert.equal(r.frame.type, FrameType.Data);
  assert.equal(r.frame.stream, 0x0102);
  assert.equal(r.frame.ppid, 0x4e474153);
  assert.deepEqual([...r.frame.payload], [9, 8, 7, 6, 5]);
  assert.deepEqual([...bytes.subarray(r.consumed)], [0xaa, 0xbb, 0xcc]);
});

test("decodeFrame() returns need-more for every truncation of valid frames", () => {
  const samples = [
    DATA,
    encodeHello(1 << 20),
    encodeAbort(AbortCause.Timeout, "Handshake timeout"),
    encodeFrame(FrameType.Heartbeat, 0, 0, new Uint8Array(8)),
  ];
  for (const sample of samples) {
    for (let n = 0; n < sample.length; n++) {
      assert.equal(decodeFrame(sample.subarray(0, n)).kind, "need-more", `length ${n}`);
    }
    assert.equal(decodeFrame(sample).kind, "frame");
  }
});

test("decodeFrame() refuses a 2 GiB DATA header after 12 bytes", () => {
  const header = new Uint8Array(FRAME_HEADER_BYTES);
  header[0] = FrameType.Data;
  header[8] = 0x80; // length 0x80000000
  const r = decodeFrame(header);
  assert.equal(r.kind, "malformed");
  if (r.kind === "malformed") {
    assert.equal(r.error.kind, "frame-too-large");
    assert.equal(r.error.cause, AbortCause.FrameTooLarge);
    assert.match(r.error.message, /2147483648 exceeds the limit of 1048576/);
  }
});

test("decodeFrame() honours a custom payload limit", () => {
  const big = encodeFrame(FrameType.Data, 0, 1, new Uint8Array(70000));
  assert.equal(decodeFrame(big, 0, 65535).kind, "malformed");
  assert.equal(decodeFrame(big, 0, 70000).kind, "frame");
});

test("decodeFrame() reports unknown frame types and bad control lengths", () => {
  const http = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  const r = decodeFrame(http);
  assert.equal(r.kind === "malformed" && r.error.kind, "unknown-frame-type");
  const shortBeat = encodeFrame(FrameType.Heartbeat, 0, 0, new Uint8Array(4));
  assert.equal(decodeFrame(shortBeat).kind === "malformed", true);
  const emptyData = encodeFrame(FrameType.Data, 0, 0, new Uint8Array(0));
  const e = decodeFrame(emptyData);
  assert.equal(e.kind === "malformed" && e.error.kind, "invalid-length");
  assert.equal(
    checkFrameHeader(FrameType.Abort, MAX_CONTROL_PAYLOAD + 1, 1 << 20)?.kind,
    "invalid-length",
  );
  assert.equal(checkFrameHeader(FrameType.Hello, 4, 1 << 20)?.kind, "invalid-length");
  assert.equal(checkFrameHeader(0x00, 0, 1 << 20)?.kind, "unknown-frame-type");
});

test("decodeFrame() never throws on random bytes", () => {
  const rng = new SeededRng(12345);
  const rnd = () => rng.nextU32() >>> 24;
  for (let i = 0; i < 2000; i++) {
    const bytes = new Uint8Array(1 + (rnd() % 40));
    for (let j = 0; j < bytes.length; j++) bytes[j] = rnd();
    const r = decodeFrame(bytes);
    assert.ok(r.kind === "frame" || r.kind === "need-more" || r.kind === "malformed");
  }
});

test("encodeHello() and decodeHello() carry the version and the payload limit", () => {
  const r = decodeFrame(encodeHello(200000));
  assert.equal(r.kind, "frame");
  if (r.kind !== "frame") return;
  assert.equal(r.frame.type, FrameType.Hello);
  assert.deepEqual(decodeHello(r.frame.payload), { version: 1, maxPayload: 200000 });
  // A longer HELLO from a later version is accepted; its tail is ignored.
  const longer = new Uint8Array(16);
  longer[0] = 3;
  longer.set([0, 1, 0, 0], 4);
  assert.deepEqual(decodeHello(longer), { version: 3, maxPayload: 65536 });
  const zero = decodeHello(new Uint8Array(8).fill(0));
  assert.ok("kind" in zero && zero.cause === AbortCause.HandshakeFailure);
  assert.throws(() => encodeHello(1000), RangeError);
});

test("encodeAbort() cuts an overlong reason at a character boundary", () => {
  const r = decodeFrame(encodeAbort(AbortCause.UserAbort, "é".repeat(2000)));
  assert.equal(r.kind, "frame");
  if (r.kind !== "frame") return;
  assert.ok(r.frame.payload.length <= MAX_CONTROL_PAYLOAD);
  const info = decodeAbort(r.frame.payload);
  assert.equal(info.cause, AbortCause.UserAbort);
  assert.equal(info.reason, "é".repeat(511));
});

test("decodeAbort() replaces invalid UTF-8 instead of failing", () => {
  assert.deepEqual(decodeAbort(new Uint8Array([0, 1, 0xff, 0x41])), {
    cause: 1,
    reason: "\ufffdA",
  });
});
