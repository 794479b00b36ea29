import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeAbort, encodeFrame, encodeHello, type Frame, FrameType } from "./frame.ts";
import { FrameDecoder } from "./frame_decoder.ts";

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const STREAM = concat([
  encodeHello(1 << 20),
  encodeFrame(FrameType.Data, 0, 11, new Uint8Array([1, 2, 3, 4])),
  encodeFrame(FrameType.Data, 7, 0x4e47454e, new Uint8Array(5000).fill(0x5a)),
  encodeFrame(FrameType.Heartbeat, 0, 0, new Uint8Array([0, 0, 0, 1, 0, 0, 0, 0])),
  encodeAbort(5, "bye"),
]);

/** Feeds `bytes` in chunks of `size` bytes and returns the frames (copied) and the last result. */
function feed(bytes: Uint8Array, size: number, decoder = new FrameDecoder()) {
  const frames: Frame[] = [];
  let last = "";
  for (let at = 0; at < bytes.length; at += size) {
    decoder.push(bytes.subarray(at, Math.min(bytes.length, at + size)));
    for (;;) {
      const r = decoder.next();
      last = r.kind;
      if (r.kind !== "frame") break;
      frames.push({ ...r.frame, payload: r.frame.payload.slice() });
    }
    if (last === "malformed") break;
  }
  return { frames, last, decoder };
}

test("FrameDecoder yields the same frames whole, in odd chunks and one byte at a time", () => {
  const whole = feed(STREAM, STREAM.length).frames;
  assert.deepEqual(whole.map((f) => f.type), [5, 1, 1, 2, 4]);
  assert.equal(whole[2]!.stream, 7);
  assert.equal(whole[2]!.payload.length, 5000);
  for (const size of [1, 2, 3, 7, 11, 12, 13, 100, 4097]) {
    const { frames, last, decoder } = feed(STREAM, size);
    assert.deepEqual(frames, whole, `chunk size ${size}`);
    assert.equal(last, "need-more");
    assert.equal(decoder.inFrame, false);
  }
});

test("FrameDecoder reports need-more until the last byte of a frame", () => {
  const frame = encodeFrame(FrameType.Data, 0, 11, new Uint8Array(300).fill(1));
  const d = new FrameDecoder();
  for (let i = 0; i < frame.length - 1; i++) {
    d.push(frame.subarray(i, i + 1));
    assert.equal(d.next().kind, "need-more", `byte ${i}`);
    assert.equal(d.inFrame, true);
  }
  d.push(frame.subarray(frame.length - 1));
  assert.equal(d.next().kind, "frame");
  assert.equal(d.inFrame, false);
  assert.equal(d.bufferedBytes, 0);
});

test("FrameDecoder refuses a 2 GiB header without buffering and stays malformed", () => {
  const d = new FrameDecoder();
  const header = new Uint8Array([1, 0, 0, 0, 0, 0, 0, 11, 0x80, 0, 0, 0, 1, 2, 3]);
  d.push(header.subarray(0, 10));
  assert.equal(d.next().kind, "need-more");
  d.push(header.subarray(10));
  const r = d.next();
  assert.equal(r.kind === "malformed" && r.error.kind, "frame-too-large");
  assert.equal(d.bufferedBytes, 0);
  d.push(new Uint8Array(100));
  assert.equal(d.next().kind, "malformed");
});

test("FrameDecoder holds only the bytes received of a large partial frame", () => {
  const d = new FrameDecoder();
  const header = new Uint8Array([1, 0, 0, 0, 0, 0, 0, 11, 0, 0x10, 0, 0]); // 1 MiB announced
  d.push(header);
  assert.equal(d.next().kind, "need-more");
  d.push(new Uint8Array(10));
  assert.equal(d.next().kind, "need-more");
  assert.equal(d.bufferedBytes, 22);
  assert.equal(d.inFrame, true);
});

test("FrameDecoder reports garbage as malformed, never throws", () => {
  const d = new FrameDecoder();
  d.push(new TextEncoder().encode("\x00\x01garbage garbage garbage"));
  const r = d.next();
  assert.equal(r.kind === "malformed" && r.error.kind, "unknown-frame-type");
});

test("FrameDecoder.push() refuses a new chunk before the previous one is drained", () => {
  const d = new FrameDecoder();
  d.push(concat([encodeHello(1 << 20), encodeHello(1 << 20)]));
  assert.equal(d.next().kind, "frame");
  assert.throws(() => d.push(new Uint8Array(1)), TypeError);
});

test("FrameDecoder returns a payload in one chunk as a view and a split payload as a copy", () => {
  const frame = encodeFrame(FrameType.Data, 0, 11, new Uint8Array([1, 2, 3]));
  const d = new FrameDecoder();
  d.push(frame);
  const r = d.next();
  assert.ok(r.kind === "frame" && r.frame.payload.buffer === frame.buffer);
  d.push(frame.subarray(0, 13));
  assert.equal(d.next().kind, "need-more");
  d.push(frame.subarray(13));
  const s = d.next();
  assert.ok(s.kind === "frame" && s.frame.payload.buffer !== frame.buffer);
  assert.ok(s.kind === "frame" && s.frame.payload.length === 3);
});
