// The endpoint against a hand-driven raw peer and hostile input: out-of-the-blue packets, garbage,
// bad checksums, truncated chunks, unknown chunk types by their high bits, INIT floods, forged and
// stale cookies, wrong verification tags, the association limit.

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { SeededRng } from "../rng.ts";
import { decodeInit, encodeInit, T_BIT, writeData } from "./_chunks.ts";
import { decodeInitParameters } from "./_init_parameters.ts";
import { ChunkType } from "./chunk_type.ts";
import { decodeCauses, SctpErrorCause } from "./error_cause.ts";
import { SctpEndpoint } from "./endpoint.ts";
import { computeChecksum, decodePacket, PacketBuilder, type RawChunk, readU32 } from "./packet.ts";
import type { SctpAssociationEvent } from "./association.ts";

const PEER = { address: "192.0.2.7", port: 40000 };

/** A copy of a (changed or cut) packet with a valid checksum, so it reaches the chunk parsers. */
function withChecksum(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  if (out.length < 12) return out;
  const c = computeChecksum(out);
  out.set([c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24], 8);
  return out;
}
const PORT = 3863;

interface Reply {
  vtag: number;
  srcPort: number;
  dstPort: number;
  chunks: RawChunk[];
}

/** A listening endpoint and a raw peer that speaks SCTP by hand. */
class Rig {
  now = 0;
  readonly server: SctpEndpoint;
  readonly events: SctpAssociationEvent[] = [];
  tag = 0x0a0b0c0d;
  tsn = 1000;
  peerTag = 0;
  port = 5000;

  constructor(maxAssociations?: number) {
    this.server = new SctpEndpoint({ rng: new SeededRng(7) });
    this.server.listen(PORT, maxAssociations === undefined ? {} : { maxAssociations });
  }

  /** Sends raw chunks from the peer; returns every packet the server sends back. */
  send(vtag: number, chunks: [number, number, Uint8Array][], port = this.port): Reply[] {
    const b = new PacketBuilder(1500, port, PORT, vtag);
    for (const [type, flags, value] of chunks) b.addChunk(type, flags, value);
    return this.raw(b.finish());
  }

  raw(bytes: Uint8Array): Reply[] {
    this.server.handleDatagram(this.now, PEER, bytes);
    return this.drain();
  }

  drain(): Reply[] {
    const out: Reply[] = [];
    for (let t; (t = this.server.pollTransmit(this.now)) !== undefined;) {
      assert.deepEqual(t.to, PEER);
      const r = decodePacket(t.bytes);
      assert.equal(r.kind, "packet", "the server sends well-formed packets");
      if (r.kind === "packet") out.push({ ...r.header, chunks: [...r.chunks] });
    }
    for (let e; (e = this.server.pollEvent()) !== undefined;) this.events.push(e);
    return out;
  }

  init(tag = this.tag): Uint8Array {
    return encodeInit(
      {
        initiateTag: tag,
        arwnd: 65536,
        outboundStreams: 10,
        inboundStreams: 10,
        initialTsn: this.tsn,
      },
      new Uint8Array(0),
    );
  }

  /** INIT, INIT-ACK, COOKIE-ECHO, COOKIE-ACK by hand. */
  handshake(): void {
    const [ack] = this.send(0, [[ChunkType.Init, 0, this.init()]]);
    assert.equal(ack!.vtag, this.tag);
    const initAck = decodeInit(ack!.chunks[0]!.value)!;
    this.peerTag = initAck.initiateTag;
    const cookie = decodeInitParameters(initAck.params, true).cookie!;
    const [cookieAck] = this.send(this.peerTag, [[ChunkType.CookieEcho, 0, cookie]]);
    assert.equal(cookieAck!.chunks[0]!.type, ChunkType.CookieAck);
    assert.equal(this.server.associationCount, 1);
  }

  data(payload: number[], stream = 0): [number, number, Uint8Array] {
    const b = new PacketBuilder(1500, 0, 0, 0);
    writeData(b, this.tsn++, stream, 0, 11, 3, Uint8Array.from(payload));
    const bytes = b.finish();
    return [ChunkType.Data, 3, bytes.slice(16, 16 + 12 + payload.length)];
  }

  messages(): number[][] {
    return this.events.flatMap((e) => (e.type === "message" ? [[...e.payload]] : []));
  }
}

test("SctpEndpoint answers an INIT statelessly and creates the association only from a valid COOKIE-ECHO", () => {
  const rig = new Rig();
  const [ack] = rig.send(0, [[ChunkType.Init, 0, rig.init()]]);
  assert.equal(ack!.chunks[0]!.type, ChunkType.InitAck);
  assert.equal(rig.server.associationCount, 0);
  assert.equal(rig.server.pollTimeout(), undefined); // no timer: no state at all
  assert.equal(rig.server.stats.initAcks, 1);
  rig.handshake();
  assert.equal(rig.events[0]!.type, "established");
  rig.send(rig.peerTag, [rig.data([1, 2, 3])]);
  assert.deepEqual(rig.messages(), [[1, 2, 3]]);
});

test("SctpEndpoint survives an INIT flood without keeping state", () => {
  const rig = new Rig();
  for (let i = 0; i < 5000; i++) {
    const replies = rig.send(
      0,
      [[ChunkType.Init, 0, rig.init(i + 1)]],
      1024 + (i % 60000),
    );
    assert.equal(replies.length, 1);
  }
  assert.equal(rig.server.associationCount, 0);
  assert.equal(rig.server.stats.initAcks, 5000);
  assert.equal(rig.server.pollTimeout(), undefined);
});

test("SctpEndpoint refuses forged, altered, misdirected and stale cookies", () => {
  const rig = new Rig();
  const [ack] = rig.send(0, [[ChunkType.Init, 0, rig.init()]]);
  const initAck = decodeInit(ack!.chunks[0]!.value)!;
  const cookie = decodeInitParameters(initAck.params, true).cookie!;
  const altered = cookie.slice();
  altered[20] = altered[20]! ^ 1;
  assert.deepEqual(rig.send(initAck.initiateTag, [[ChunkType.CookieEcho, 0, altered]]), []);
  assert.deepEqual(
    rig.send(initAck.initiateTag, [[ChunkType.CookieEcho, 0, new Uint8Array(80)]]),
    [],
  );
  assert.deepEqual(rig.send(initAck.initiateTag ^ 1, [[ChunkType.CookieEcho, 0, cookie]]), []);
  assert.deepEqual(rig.send(initAck.initiateTag, [[ChunkType.CookieEcho, 0, cookie]], 5001), []);
  assert.equal(rig.server.associationCount, 0);
  rig.now = 60_001; // past the cookie lifetime
  const [error] = rig.send(initAck.initiateTag, [[ChunkType.CookieEcho, 0, cookie]]);
  assert.equal(error!.chunks[0]!.type, ChunkType.Error);
  assert.equal(error!.vtag, rig.tag);
  assert.equal(decodeCauses(error!.chunks[0]!.value)![0]!.code, SctpErrorCause.StaleCookie);
  assert.equal(rig.server.associationCount, 0);
  assert.equal(rig.server.stats.cookiesRefused, 5);
});

test("SctpEndpoint answers out-of-the-blue packets per RFC 9260 8.4", () => {
  const rig = new Rig();
  const ootbData = rig.send(0x1234, [rig.data([1])]);
  assert.equal(ootbData.length, 1);
  assert.equal(ootbData[0]!.chunks[0]!.type, ChunkType.Abort);
  assert.equal(ootbData[0]!.chunks[0]!.flags & T_BIT, T_BIT);
  assert.equal(ootbData[0]!.vtag, 0x1234);
  const shutdownAck = rig.send(0x99, [[ChunkType.ShutdownAck, 0, new Uint8Array(0)]]);
  assert.equal(shutdownAck[0]!.chunks[0]!.type, ChunkType.ShutdownComplete);
  assert.equal(shutdownAck[0]!.chunks[0]!.flags, T_BIT);
  assert.deepEqual(rig.send(0x99, [[ChunkType.Abort, 0, new Uint8Array(0)]]), []);
  assert.deepEqual(rig.send(0x99, [[ChunkType.ShutdownComplete, 0, new Uint8Array(0)]]), []);
  assert.deepEqual(rig.send(0x99, [[ChunkType.CookieAck, 0, new Uint8Array(0)]]), []);
  // INIT to a port nobody listens on: ABORT with the INIT's tag, T bit clear.
  const b = new PacketBuilder(100, 6000, 4444, 0);
  b.addChunk(ChunkType.Init, 0, rig.init(0x77));
  rig.server.handleDatagram(0, PEER, b.finish());
  const [abort] = rig.drain();
  assert.equal(abort!.vtag, 0x77);
  assert.equal(abort!.chunks[0]!.flags & T_BIT, 0);
  assert.equal(rig.server.associationCount, 0);
});

test("SctpEndpoint drops garbage, bad checksums, truncated chunks and INITs with other chunks", () => {
  const rig = new Rig();
  rig.handshake();
  const good = new PacketBuilder(100, rig.port, PORT, rig.peerTag);
  good.addChunk(...rig.data([7]));
  const bytes = good.finish();
  const badCrc = bytes.slice();
  badCrc[20] = badCrc[20]! ^ 0xff;
  assert.deepEqual(rig.raw(badCrc), []);
  assert.equal(rig.server.stats.badChecksum, 1);
  assert.deepEqual(rig.raw(new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n")), []);
  assert.deepEqual(rig.raw(new Uint8Array(5)), []);
  const chunkEnd = 12 + 16 + 1; // the DATA chunk without its padding
  for (let n = 12; n < chunkEnd; n++) {
    // Truncated with a valid checksum: the chunk length no longer fits the packet.
    assert.deepEqual(rig.raw(withChecksum(bytes.subarray(0, n))), []);
  }
  assert.equal(rig.server.stats.malformed, 1 + (chunkEnd - 12));
  assert.deepEqual(rig.messages(), []);
  assert.equal(rig.server.associationCount, 1);
  // An INIT bundled with anything else is discarded.
  assert.deepEqual(
    rig.send(0, [[ChunkType.Init, 0, rig.init(5)], [ChunkType.CookieAck, 0, new Uint8Array(0)]]),
    [],
  );
  rig.tsn--; // the DATA above was never accepted
  rig.raw(bytes);
  assert.deepEqual(rig.messages(), [[7]]);
});

test("SctpEndpoint discards packets with a wrong verification tag", () => {
  const rig = new Rig();
  rig.handshake();
  assert.deepEqual(rig.send(rig.peerTag ^ 0x5555, [rig.data([1])]), []);
  assert.equal(rig.server.stats.discarded, 1);
  assert.deepEqual(rig.messages(), []);
  // An ABORT with the T bit must carry the server's own tag... reflected: the peer's tag is ours.
  assert.deepEqual(rig.send(rig.peerTag, [[ChunkType.Abort, T_BIT, new Uint8Array(0)]]), []);
  assert.equal(rig.events.filter((e) => e.type === "closed").length, 0);
  rig.send(rig.tag, [[ChunkType.Abort, T_BIT, new Uint8Array(0)]]);
  assert.equal(rig.events.filter((e) => e.type === "closed").length, 1);
});

for (
  const [type, action, delivered, reported] of [
    [0x3f, "stop", false, false],
    [0x7f, "stop and report", false, true],
    [0xbf, "skip", true, false],
    [0xff, "skip and report", true, true],
  ] as [number, string, boolean, boolean][]
) {
  test(`SctpAssociation handles an unknown chunk type 0x${type.toString(16)} (${action})`, () => {
    const rig = new Rig();
    rig.handshake();
    const replies = rig.send(rig.peerTag, [
      [type, 0, new Uint8Array([1, 2, 3, 4, 5])],
      rig.data([9]),
    ]);
    assert.deepEqual(rig.messages(), delivered ? [[9]] : []);
    const errors = replies.flatMap((r) => r.chunks).filter((c) => c.type === ChunkType.Error);
    assert.equal(errors.length, reported ? 1 : 0);
    if (reported) {
      const [cause] = decodeCauses(errors[0]!.value)!;
      assert.equal(cause!.code, SctpErrorCause.UnrecognizedChunkType);
      assert.deepEqual([...cause!.info.subarray(0, 4)], [type, 0, 0, 9]);
    }
    assert.equal(rig.server.associationCount, 1);
  });
}

test("SctpAssociation aborts on DATA without user data and on a SACK for TSNs never sent", () => {
  let rig = new Rig();
  rig.handshake();
  const empty = new Uint8Array(12);
  new DataView(empty.buffer).setUint32(0, rig.tsn);
  const [abort] = rig.send(rig.peerTag, [[ChunkType.Data, 3, empty]]);
  assert.equal(abort!.chunks[0]!.type, ChunkType.Abort);
  assert.equal(decodeCauses(abort!.chunks[0]!.value)![0]!.code, SctpErrorCause.NoUserData);
  assert.equal(rig.events.at(-1)!.type, "closed");
  rig = new Rig();
  rig.handshake();
  const sack = new Uint8Array(12);
  new DataView(sack.buffer).setUint32(0, 0x7fffffff);
  const [abort2] = rig.send(rig.peerTag, [[ChunkType.Sack, 0, sack]]);
  assert.equal(decodeCauses(abort2!.chunks[0]!.value)![0]!.code, SctpErrorCause.ProtocolViolation);
  const closed = rig.events.at(-1)!;
  assert.ok(closed.type === "closed" && closed.reason === "protocol-error");
});

test("SctpAssociation reports DATA on a stream the peer may not use and acknowledges it", () => {
  const rig = new Rig();
  rig.server.unlisten(PORT);
  rig.server.listen(PORT, { association: { inboundStreams: 2 } });
  rig.handshake();
  const replies = rig.send(rig.peerTag, [rig.data([1], 5)]);
  const chunks = replies.flatMap((r) => r.chunks);
  const error = chunks.find((c) => c.type === ChunkType.Error)!;
  assert.equal(decodeCauses(error.value)![0]!.code, SctpErrorCause.InvalidStreamIdentifier);
  const sack = chunks.find((c) => c.type === ChunkType.Sack)!;
  assert.equal(readU32(sack.value, 0), rig.tsn - 1);
  assert.deepEqual(rig.messages(), []);
});

test("SctpEndpoint refuses associations beyond maxAssociations with an ABORT", () => {
  const rig = new Rig(1);
  rig.handshake();
  rig.port = 5001;
  rig.tag = 0x1111;
  const [ack] = rig.send(0, [[ChunkType.Init, 0, rig.init()]]);
  const initAck = decodeInit(ack!.chunks[0]!.value)!;
  const cookie = decodeInitParameters(initAck.params, true).cookie!;
  const [abort] = rig.send(initAck.initiateTag, [[ChunkType.CookieEcho, 0, cookie]]);
  assert.equal(abort!.chunks[0]!.type, ChunkType.Abort);
  assert.equal(decodeCauses(abort!.chunks[0]!.value)![0]!.code, SctpErrorCause.OutOfResource);
  assert.equal(rig.server.associationCount, 1);
});

test("SctpEndpoint.handleDatagram() never throws and never creates state from random or mutated packets", () => {
  const rig = new Rig();
  rig.handshake();
  const sample = new PacketBuilder(200, rig.port, PORT, rig.peerTag);
  sample.addChunk(...rig.data([1, 2, 3]));
  sample.addChunk(ChunkType.Sack, 0, new Uint8Array(12));
  const base = sample.finish();
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 300 }),
        fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
          const m = base.slice();
          m[i] = m[i]! ^ x;
          return withChecksum(m); // so the mutation reaches the chunk parsers
        }),
        fc.uint8Array({ minLength: 12, maxLength: 300 }).map(withChecksum),
      ),
      (bytes) => {
        rig.server.handleDatagram(rig.now, PEER, bytes);
        rig.drain();
        assert.ok(rig.server.associationCount <= 1);
      },
    ),
    { numRuns: 3000 },
  );
});
