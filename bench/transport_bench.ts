// Framing shim throughput, sans-IO (no sockets): frame encode, streaming decode, and a full
// association round (send, pollOutput, handleBytes, pollEvent). Figures: bench/README.md, "Transport".
import { encodeFrame, encodeFrameInto, FrameType } from "../core/transport/frame.ts";
import { FrameDecoder } from "../core/transport/frame_decoder.ts";
import { FramedAssociation } from "../core/transport/framed_association.ts";

const PAYLOAD = new Uint8Array(100).fill(7); // a typical ASAP message is 40..200 bytes
const N = 1000;

Deno.bench({
  name: "encodeFrame: 1000 DATA frames of 100 bytes (new buffer each)",
  group: "encode",
  baseline: true,
  fn() {
    for (let i = 0; i < N; i++) encodeFrame(FrameType.Data, 0, 11, PAYLOAD);
  },
});

const target = new Uint8Array(N * 112);
Deno.bench({
  name: "encodeFrameInto: 1000 DATA frames of 100 bytes into one buffer",
  group: "encode",
  fn() {
    let at = 0;
    for (let i = 0; i < N; i++) at += encodeFrameInto(target, at, FrameType.Data, 0, 11, PAYLOAD);
  },
});

const stream = new Uint8Array(N * 112);
for (let i = 0, at = 0; i < N; i++) {
  at += encodeFrameInto(stream, at, FrameType.Data, 0, 11, PAYLOAD);
}

function decodeIn(chunkSize: number): number {
  const d = new FrameDecoder();
  let frames = 0;
  for (let at = 0; at < stream.length; at += chunkSize) {
    d.push(stream.subarray(at, Math.min(stream.length, at + chunkSize)));
    while (d.next().kind === "frame") frames++;
  }
  if (frames !== N) throw new Error(`decoded ${frames}`);
  return frames;
}

Deno.bench({
  name: "FrameDecoder: 1000 frames of 100 bytes in one 112 KB chunk",
  group: "decode",
  baseline: true,
  fn() {
    decodeIn(stream.length);
  },
});

Deno.bench({
  name: "FrameDecoder: 1000 frames of 100 bytes in 1460-byte chunks (frames split)",
  group: "decode",
  fn() {
    decodeIn(1460);
  },
});

Deno.bench({
  name: "FrameDecoder: 1000 frames of 100 bytes, 7-byte chunks (worst case)",
  group: "decode",
  fn() {
    decodeIn(7);
  },
});

function associationRound(size: number): void {
  const a = new FramedAssociation(0), b = new FramedAssociation(0);
  const payload = new Uint8Array(size);
  for (let i = 0; i < N; i++) a.send(0, 11, 0, payload);
  for (let out; (out = a.pollOutput()) !== undefined;) b.handleBytes(0, out);
  let n = 0;
  for (let e; (e = b.pollEvent()) !== undefined;) if (e.type === "message") n++;
  if (n !== N) throw new Error(`got ${n}`);
}

Deno.bench({
  name: "FramedAssociation: 1000 messages of 100 bytes, send to event",
  group: "association",
  baseline: true,
  fn() {
    associationRound(100);
  },
});

Deno.bench({
  name: "FramedAssociation: 1000 messages of 4 KiB, send to event",
  group: "association",
  fn() {
    associationRound(4096);
  },
});
