// SCTP engine throughput, sans-IO (no sockets): CRC32c, packet decode, the stateless INIT-ACK
// (the cost of an INIT flood), and message rounds between two endpoints joined by a loop that
// hands every packet over at once, against the TCP framing shim's association round.
// Figures: bench/README.md, "SCTP over UDP".
import { crc32c } from "../core/sctp/crc32c.ts";
import { decodePacket, PacketBuilder } from "../core/sctp/packet.ts";
import { SctpEndpoint } from "../core/sctp/endpoint.ts";
import { SeededRng } from "../core/rng.ts";
import { FramedAssociation } from "../core/transport/framed_association.ts";
import { ChunkType } from "../core/sctp/chunk_type.ts";

const N = 1000;
const A = { address: "127.0.0.1", port: 40000 }, B = { address: "127.0.0.1", port: 9899 };

const small = new Uint8Array(1200).map((_, i) => i);
const large = new Uint8Array(65536).map((_, i) => i * 7);
/** The bit-at-a-time definition, as the baseline the tables are measured against. */
function bitwise(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}

Deno.bench({
  name: "crc32c bit by bit, 1200 bytes",
  group: "crc32c",
  baseline: true,
  fn: () => void bitwise(small),
});
Deno.bench({
  name: "crc32c slicing-by-8, 1200 bytes",
  group: "crc32c",
  fn: () => void crc32c(small),
});
Deno.bench({ name: "crc32c slicing-by-8, 64 KiB", group: "crc32c", fn: () => void crc32c(large) });

const packet = (() => {
  const b = new PacketBuilder(1200, 5000, 3863, 1);
  for (let i = 0; i < 10; i++) b.addChunk(ChunkType.Data, 3, new Uint8Array(12 + 100));
  return b.finish();
})();
Deno.bench({
  name: "decodePacket: 1200-byte packet of 10 DATA chunks, CRC checked",
  group: "packet",
  fn: () => void decodePacket(packet),
});

/** Two endpoints with an established association; every packet is handed over at once. */
function pair(seed: number) {
  const a = new SctpEndpoint({ rng: new SeededRng(seed) });
  const b = new SctpEndpoint({ rng: new SeededRng(seed + 1) });
  b.listen(3863);
  const assoc = a.connect(0, [B], 3863);
  const pump = (now: number): number => {
    let delivered = 0;
    for (let moved = true; moved;) {
      moved = false;
      for (let t; (t = a.pollTransmit(now)) !== undefined;) {
        moved = true;
        b.handleDatagram(now, A, t.bytes);
      }
      for (let t; (t = b.pollTransmit(now)) !== undefined;) {
        moved = true;
        a.handleDatagram(now, B, t.bytes);
      }
      for (let e; (e = b.pollEvent()) !== undefined;) if (e.type === "message") delivered++;
      while (a.pollEvent() !== undefined);
    }
    return delivered;
  };
  pump(0);
  return { a, assoc, pump };
}

function sctpRound(size: number) {
  const p = pair(1);
  const payload = new Uint8Array(size);
  let now = 1;
  return () => {
    for (let i = 0; i < N; i++) p.a.send(now, p.assoc.id, 11, 0, payload);
    const n = p.pump(now);
    now += 1;
    if (n !== N) throw new Error(`got ${n}`);
  };
}

function shimRound(size: number) {
  const payload = new Uint8Array(size);
  return () => {
    const a = new FramedAssociation(0), b = new FramedAssociation(0);
    for (let i = 0; i < N; i++) a.send(0, 11, 0, payload);
    for (let out; (out = a.pollOutput()) !== undefined;) b.handleBytes(0, out);
    let n = 0;
    for (let e; (e = b.pollEvent()) !== undefined;) if (e.type === "message") n++;
    if (n !== N) throw new Error(`got ${n}`);
  };
}

Deno.bench({
  name: "TCP shim: 1000 messages of 100 bytes, send → bytes → message",
  group: "round 100 B",
  baseline: true,
  fn: shimRound(100),
});
Deno.bench({
  name: "SCTP: 1000 messages of 100 bytes, send → packets → SACKs → message",
  group: "round 100 B",
  fn: sctpRound(100),
});
Deno.bench({
  name: "TCP shim: 1000 messages of 4 KiB",
  group: "round 4 KiB",
  baseline: true,
  fn: shimRound(4096),
});
Deno.bench({
  name: "SCTP: 1000 messages of 4 KiB (4 fragments each)",
  group: "round 4 KiB",
  fn: sctpRound(4096),
});

// The INIT flood: a listener answers each INIT with a stateless INIT-ACK (HMAC-SHA-256 cookie).
const listener = new SctpEndpoint({ rng: new SeededRng(9) });
listener.listen(3863);
const init = (() => {
  const client = new SctpEndpoint({ rng: new SeededRng(10) });
  client.connect(0, [B], 3863);
  return client.pollTransmit(0)!.bytes;
})();
Deno.bench({
  name: "INIT → stateless INIT-ACK with a MACed cookie",
  group: "handshake",
  fn() {
    listener.handleDatagram(0, A, init);
    listener.pollTransmit(0);
  },
});
Deno.bench({
  name: "full handshake: INIT, INIT-ACK, COOKIE-ECHO, COOKIE-ACK (both ends)",
  group: "handshake",
  fn() {
    pair(3);
  },
});
