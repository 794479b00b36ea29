import { test } from "node:test";
import assert from "node:assert/strict";
import { AbortCause } from "./abort_cause.ts";
import { decodeAbort, decodeFrame, encodeFrame, type Frame, FrameType } from "./frame.ts";
import { FrameDecoder } from "./frame_decoder.ts";
import { type AssociationEvent, FramedAssociation } from "./framed_association.ts";

/** Moves every pending output byte of `from` into `to` at time `now`; returns the byte count. */
function pump(from: FramedAssociation, to: FramedAssociation, now: number): number {
  let n = 0;
  for (let out; (out = from.pollOutput()) !== undefined;) {
    n += out.length;
    to.handleBytes(now, out);
  }
  return n;
}

function events(a: FramedAssociation): AssociationEvent[] {
  const out: AssociationEvent[] = [];
  for (let e; (e = a.pollEvent()) !== undefined;) out.push(e);
  return out;
}

/** Decodes all frames in the pending output of `a`. */
function outputFrames(a: FramedAssociation): Frame[] {
  const d = new FrameDecoder({ maxPayload: 0xffffffff });
  const frames: Frame[] = [];
  for (let out; (out = a.pollOutput()) !== undefined;) {
    d.push(out);
    for (let r; (r = d.next()).kind === "frame";) frames.push(r.frame);
  }
  return frames;
}

function connected(options = {}) {
  const a = new FramedAssociation(0, options), b = new FramedAssociation(0, options);
  pump(a, b, 0);
  pump(b, a, 0);
  pump(a, b, 0); // heartbeat-acks of the first probes
  pump(b, a, 0);
  events(a);
  events(b);
  return { a, b };
}

test("FramedAssociation exchanges HELLOs and reports established with the peer's limit", () => {
  const a = new FramedAssociation(0, { maxPayload: 200000 });
  const b = new FramedAssociation(0);
  assert.equal(a.state, "handshake");
  pump(a, b, 1);
  pump(b, a, 2);
  assert.equal(a.state, "established");
  assert.equal(b.state, "established");
  assert.deepEqual(events(a), [{ type: "established", version: 1, peerMaxPayload: 1 << 20 }]);
  assert.deepEqual(events(b), [{ type: "established", version: 1, peerMaxPayload: 200000 }]);
});

test("FramedAssociation delivers messages in order with PPID and stream, even byte by byte", () => {
  const a = new FramedAssociation(0), b = new FramedAssociation(0);
  a.send(0, 11, 0, new Uint8Array([1, 2, 3, 4]));
  a.send(0, 0x4e474153, 9, new Uint8Array(3000).fill(7));
  a.send(0, 99, 65535, new Uint8Array([5]));
  let out;
  while ((out = a.pollOutput()) !== undefined) {
    for (let i = 0; i < out.length; i++) b.handleBytes(1, out.subarray(i, i + 1));
  }
  const got = events(b).filter((e) => e.type === "message");
  assert.deepEqual(
    got.map((e) => e.type === "message" && [e.ppid, e.stream, e.payload.length]),
    [[11, 0, 4], [0x4e474153, 9, 3000], [99, 65535, 1]],
  );
});

test("FramedAssociation.send() limits DATA to 65535 bytes until the peer's HELLO, then to its limit", () => {
  const a = new FramedAssociation(0), b = new FramedAssociation(0, { maxPayload: 100000 });
  assert.equal(a.send(0, 1, 0, new Uint8Array(65535)), "ok");
  assert.equal(a.send(0, 1, 0, new Uint8Array(65536)), "too-large");
  pump(b, a, 1);
  assert.equal(a.send(1, 1, 0, new Uint8Array(100000)), "ok");
  assert.equal(a.send(1, 1, 0, new Uint8Array(100001)), "too-large");
  assert.throws(() => a.send(1, 1, 0, new Uint8Array(0)), RangeError);
  assert.throws(() => a.send(1, -1, 0, new Uint8Array(1)), RangeError);
  assert.throws(() => a.send(1, 1, 70000, new Uint8Array(1)), RangeError);
});

test("FramedAssociation answers a HEARTBEAT and keeps a smoothed RTT from the acks", () => {
  const a = new FramedAssociation(0), b = new FramedAssociation(0);
  pump(a, b, 0);
  pump(b, a, 0);
  pump(a, b, 10); // a's first probe reaches b at 10
  pump(b, a, 20); // b's ack reaches a at 20
  const rtt = events(a).find((e) => e.type === "rtt");
  assert.deepEqual(rtt, { type: "rtt", rtt: 20, srtt: 20, rttvar: 10 });
  assert.equal(a.srtt, 20);
  // Silence: the next probe is due heartbeatInterval after the last received byte.
  assert.equal(a.pollTimeout(), 20 + 2000);
  a.handleTimeout(2020);
  const frames = outputFrames(a);
  assert.deepEqual(frames.map((f) => f.type), [FrameType.Heartbeat]);
  b.handleBytes(2030, encodeFrame(FrameType.Heartbeat, 0, 0, frames[0]!.payload));
  pump(b, a, 2060);
  const second = events(a).find((e) => e.type === "rtt");
  assert.ok(second?.type === "rtt" && second.rtt === 40);
  assert.equal(a.srtt, 0.875 * 20 + 0.125 * 40);
});

test("FramedAssociation declares the peer dead after heartbeatInterval + heartbeatTimeout of silence", () => {
  const { a } = connected({ heartbeatInterval: 1000, heartbeatTimeout: 1500 });
  assert.equal(a.pollTimeout(), 1000);
  a.handleTimeout(999);
  assert.equal(a.state, "established");
  a.handleTimeout(1000);
  assert.deepEqual(outputFrames(a).map((f) => f.type), [FrameType.Heartbeat]);
  assert.equal(a.pollTimeout(), 2500);
  a.handleTimeout(2499);
  assert.equal(a.state, "established");
  a.handleTimeout(2500);
  assert.equal(a.state, "closed");
  const closed = events(a).at(-1);
  assert.equal(closed?.type === "closed" && closed.reason, "peer-dead");
  const frames = outputFrames(a);
  assert.equal(frames[0]?.type, FrameType.Abort);
  assert.equal(decodeAbort(frames[0]!.payload).cause, AbortCause.HeartbeatTimeout);
  assert.equal(a.outputEnded, true);
  assert.equal(a.pollTimeout(), undefined);
});

test("FramedAssociation counts any received byte as a sign of life", () => {
  const { a } = connected({ heartbeatInterval: 1000, heartbeatTimeout: 1000 });
  a.handleTimeout(1000); // probe sent
  outputFrames(a);
  a.handleBytes(1900, new Uint8Array([1])); // the first byte of a frame
  a.handleTimeout(2000);
  assert.equal(a.state, "established");
  assert.equal(a.pollTimeout(), 2900);
});

test("FramedAssociation aborts when the peer's HELLO does not come within handshakeTimeout", () => {
  const a = new FramedAssociation(100, { handshakeTimeout: 500 });
  assert.equal(a.pollTimeout(), 600);
  a.handleTimeout(599);
  assert.equal(a.state, "handshake");
  a.handleTimeout(600);
  const closed = events(a).at(-1);
  assert.ok(closed?.type === "closed" && closed.reason === "timeout");
  assert.ok(closed?.type === "closed" && closed.cause === AbortCause.Timeout);
  const frames = outputFrames(a);
  assert.deepEqual(frames.map((f) => f.type), [FrameType.Abort]);
  assert.match(decodeAbort(frames[0]!.payload).reason, /Handshake timeout/);
});

test("FramedAssociation refuses DATA as the first frame with a handshake failure", () => {
  const a = new FramedAssociation(0);
  a.pollOutput();
  a.handleBytes(1, encodeFrame(FrameType.Data, 0, 11, new Uint8Array(4)));
  const closed = events(a).at(-1);
  assert.ok(closed?.type === "closed" && closed.reason === "protocol-error");
  assert.ok(closed?.type === "closed" && closed.cause === AbortCause.HandshakeFailure);
  assert.equal(outputFrames(a)[0]?.type, FrameType.Abort);
});

test("FramedAssociation answers a 2 GiB frame header with ABORT and ends its output", () => {
  const { a } = connected();
  const header = new Uint8Array([1, 0, 0, 0, 0, 0, 0, 11, 0x80, 0, 0, 0]);
  a.handleBytes(5, header);
  assert.equal(a.state, "closed");
  assert.equal(a.bufferedBytes, 0);
  const closed = events(a).at(-1);
  assert.ok(closed?.type === "closed" && closed.reason === "protocol-error");
  const frames = outputFrames(a);
  assert.equal(frames.length, 1);
  assert.deepEqual(decodeAbort(frames[0]!.payload).cause, AbortCause.FrameTooLarge);
  assert.equal(a.outputEnded, true);
  a.handleBytes(6, new Uint8Array(100)); // ignored once closed
  assert.equal(a.pollEvent(), undefined);
});

test("FramedAssociation answers garbage with ABORT (unknown frame type)", () => {
  const a = new FramedAssociation(0);
  a.pollOutput();
  a.handleBytes(1, new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n"));
  const closed = events(a).at(-1);
  assert.ok(closed?.type === "closed" && closed.cause === AbortCause.UnknownFrameType);
  assert.equal(decodeAbort(outputFrames(a)[0]!.payload).cause, AbortCause.UnknownFrameType);
});

test("FramedAssociation aborts a frame that trickles in slower than frameTimeout", () => {
  const { a } = connected({ frameTimeout: 3000, heartbeatInterval: 1000 });
  const frame = encodeFrame(FrameType.Data, 0, 11, new Uint8Array(100));
  let now = 0;
  for (let i = 0; i < 40; i++) {
    now += 100;
    a.handleBytes(now, frame.subarray(i, i + 1));
    a.handleTimeout(now);
    outputFrames(a);
    if (a.state === "closed") break;
  }
  assert.equal(a.state, "closed");
  const closed = events(a).at(-1);
  assert.ok(closed?.type === "closed" && closed.reason === "timeout");
  assert.ok(closed?.type === "closed" && /Frame timeout/.test(closed.detail));
  assert.ok(now >= 3000 && now <= 3200, `closed at ${now}`);
});

test("FramedAssociation aborts after idleTimeout without messages, heartbeats notwithstanding", () => {
  const { a, b } = connected({ idleTimeout: 5000, heartbeatInterval: 1000 });
  let now = 0;
  while (a.state !== "closed" && now < 10000) {
    now += 250;
    a.handleTimeout(now);
    b.handleTimeout(now);
    pump(a, b, now);
    pump(b, a, now);
  }
  const closed = events(a).find((e) => e.type === "closed");
  assert.ok(closed?.type === "closed" && /Idle timeout/.test(closed.detail));
  assert.equal(now, 5000);
});

test("FramedAssociation.send() returns buffer-full at maxSendBuffer and reports writable after draining", () => {
  const a = new FramedAssociation(0, { maxSendBuffer: 100000 });
  a.pollOutput(); // HELLO
  let accepted = 0;
  while (a.send(0, 1, 0, new Uint8Array(10000)) === "ok") accepted++;
  assert.equal(accepted, 9);
  assert.ok(a.queuedBytes <= 100000);
  assert.equal(a.send(0, 1, 0, new Uint8Array(10000)), "buffer-full");
  assert.equal(a.pollEvent(), undefined);
  const out = a.pollOutput(); // up to 64 KiB
  assert.ok(out !== undefined && out.length <= 64 * 1024);
  assert.deepEqual(events(a), [{ type: "writable" }]);
  assert.equal(a.send(0, 1, 0, new Uint8Array(10000)), "ok");
});

test("FramedAssociation coalesces small frames into pieces of at most 64 KiB", () => {
  const a = new FramedAssociation(0);
  for (let i = 0; i < 10000; i++) a.send(0, 1, 0, new Uint8Array(20));
  const sizes: number[] = [];
  for (let out; (out = a.pollOutput()) !== undefined;) sizes.push(out.length);
  assert.ok(sizes.every((n) => n <= 64 * 1024));
  assert.equal(sizes.reduce((x, y) => x + y, 0), 20 + 10000 * 32);
  assert.ok(sizes.length <= 6, `${sizes.length} pieces`);
});

test("FramedAssociation closes gracefully: queued messages first, then FIN; both sides report closed", () => {
  const { a, b } = connected();
  a.send(1, 11, 0, new Uint8Array([1, 2, 3, 4]));
  a.close(1);
  assert.equal(a.state, "closing");
  assert.equal(a.send(1, 11, 0, new Uint8Array([1])), "closed");
  assert.equal(a.outputEnded, false);
  pump(a, b, 2);
  assert.equal(a.outputEnded, true);
  b.handleEnd(3);
  const bEvents = events(b);
  assert.equal(bEvents[0]?.type, "message");
  assert.ok(bEvents[1]?.type === "closed" && bEvents[1].reason === "closed");
  assert.equal(b.outputEnded, true);
  a.handleEnd(4);
  const aClosed = events(a).at(-1);
  assert.ok(aClosed?.type === "closed" && aClosed.reason === "closed");
});

test("FramedAssociation gives up a graceful close after closeTimeout", () => {
  const { a } = connected({ closeTimeout: 1000 });
  a.close(10);
  assert.equal(a.pollTimeout(), 1010);
  a.handleTimeout(1010);
  const closed = events(a).at(-1);
  assert.ok(closed?.type === "closed" && closed.reason === "timeout");
});

test("FramedAssociation reports the peer's ABORT with its cause and reason", () => {
  const { a, b } = connected();
  b.abort(5, "shutting down");
  pump(b, a, 6);
  const closed = events(a).at(-1);
  assert.deepEqual(closed, {
    type: "closed",
    reason: "peer-abort",
    cause: AbortCause.UserAbort,
    detail: "shutting down",
  });
  assert.equal(a.outputEnded, true);
  const bClosed = events(b).at(-1);
  assert.ok(bClosed?.type === "closed" && bClosed.reason === "aborted");
});

test("FramedAssociation treats a FIN inside a frame as a protocol error", () => {
  const { a } = connected();
  a.handleBytes(1, encodeFrame(FrameType.Data, 0, 11, new Uint8Array(10)).subarray(0, 15));
  a.handleEnd(2);
  const closed = events(a).at(-1);
  assert.ok(closed?.type === "closed" && closed.reason === "protocol-error");
});

test("FramedAssociation.handleReset() closes with reason reset and drops output", () => {
  const { a } = connected();
  a.send(1, 11, 0, new Uint8Array(4));
  a.handleReset(2, "Connection reset by peer");
  assert.equal(a.pollOutput(), undefined);
  assert.equal(a.outputEnded, true);
  assert.deepEqual(events(a).at(-1), {
    type: "closed",
    reason: "reset",
    cause: 0,
    detail: "Connection reset by peer",
  });
});

test("FramedAssociation answers many HEARTBEATs with at most one queued ack", () => {
  const { a } = connected();
  const beat = encodeFrame(FrameType.Heartbeat, 0, 0, new Uint8Array([0, 0, 0, 9, 0, 0, 0, 0]));
  for (let i = 0; i < 1000; i++) a.handleBytes(10, beat);
  const frames = outputFrames(a);
  assert.deepEqual(frames.map((f) => f.type), [FrameType.HeartbeatAck]);
  assert.deepEqual([...frames[0]!.payload], [0, 0, 0, 9, 0, 0, 0, 0]);
});

test("FramedAssociation accepts the peer's HELLO after a local close during the handshake", () => {
  const a = new FramedAssociation(0), b = new FramedAssociation(0);
  a.close(0);
  pump(b, a, 1);
  assert.equal(a.state, "closing");
  assert.deepEqual(events(a), [{ type: "established", version: 1, peerMaxPayload: 1 << 20 }]);
  const r = decodeFrame(a.pollOutput()!);
  assert.equal(r.kind === "frame" && r.frame.type, FrameType.Hello);
  assert.equal(a.outputEnded, true);
});
