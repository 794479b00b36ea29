// The association on a virtual clock between two endpoints over a simulated link (core/sctp/_sim.ts):
// handshake, data both ways, streams and ordering under loss, fragmentation, retransmission and
// RTO backoff, dead peers, restart, shutdown, abort, multi-homing, backpressure.

import { test } from "node:test";
import assert from "node:assert/strict";
import { type LinkOptions, SimNet, type SimNode } from "./_sim.ts";
import { decodePacket } from "./packet.ts";
import { ChunkType } from "./chunk_type.ts";
import { SctpErrorCause } from "./error_cause.ts";
import {
  busyPeerDeadBound,
  DEFAULT_SCTP_OPTIONS,
  idlePeerDeadBound,
  type SctpAssociationOptions,
} from "./options.ts";
import type { SctpAssociation } from "./association.ts";

const PORT = 3863;

function pair(seed: number, link: LinkOptions = {}, association: SctpAssociationOptions = {}) {
  const net = new SimNet(seed, link);
  const a = net.add(["10.0.0.1"], 9899, { association });
  const b = net.add(["10.0.0.2"], 9899, { association });
  b.endpoint.listen(PORT);
  const assoc = a.endpoint.connect(net.now, [b.address], PORT);
  return { net, a, b, assoc };
}

function up(net: SimNet, a: SimNode, b: SimNode): void {
  assert.ok(
    net.run(() => a.of("established").length > 0 && b.of("established").length > 0, 10_000),
    "association up",
  );
}

/** A message whose first 4 bytes are its index and whose size varies. */
function message(i: number, size: number): Uint8Array {
  const p = new Uint8Array(Math.max(4, size)).fill(i & 0xff);
  new DataView(p.buffer).setUint32(0, i);
  return p;
}

function indexOf(p: Uint8Array): number {
  return new DataView(p.buffer, p.byteOffset, p.byteLength).getUint32(0);
}

/** Chunk types of every datagram the tap saw, with send time and destination. */
function record(net: SimNet) {
  const seen: { at: number; to: string; types: number[]; bytes: Uint8Array }[] = [];
  net.tap = (_from, to, bytes, at) => {
    const r = decodePacket(bytes);
    if (r.kind === "packet") {
      seen.push({ at, to: to.address, types: r.chunks.map((c) => c.type), bytes });
    }
  };
  return seen;
}

test("SctpAssociation completes the 4-way handshake and carries messages both ways with PPID and stream", () => {
  const { net, a, b, assoc } = pair(1);
  const seen = record(net);
  up(net, a, b);
  assert.deepEqual(seen.slice(0, 4).map((s) => s.types[0]), [
    ChunkType.Init,
    ChunkType.InitAck,
    ChunkType.CookieEcho,
    ChunkType.CookieAck,
  ]);
  const estA = a.of("established")[0]!, estB = b.of("established")[0]!;
  assert.equal(estA.inbound, false);
  assert.equal(estB.inbound, true);
  assert.equal(estB.localPort, PORT);
  assert.deepEqual(estB.remote, { address: "10.0.0.1", port: 9899 });
  assert.equal(estA.outboundStreams, 65535);
  a.endpoint.send(net.now, assoc.id, 11, 0, new Uint8Array([1, 2]));
  a.endpoint.send(net.now, assoc.id, 0x4e474153, 7, new Uint8Array([3]));
  b.endpoint.send(net.now, estB.assoc, 12, 65534, new Uint8Array([4, 5, 6]));
  net.run(() => b.messages().length === 2 && a.messages().length === 1);
  assert.deepEqual(b.messages().map((m) => [m.ppid, m.stream, [...m.payload]]), [
    [11, 0, [1, 2]],
    [0x4e474153, 7, [3]],
  ]);
  assert.deepEqual(a.messages().map((m) => [m.ppid, m.stream, [...m.payload]]), [
    [12, 65534, [4, 5, 6]],
  ]);
  assert.equal(a.endpoint.associationCount, 1);
  assert.equal(b.endpoint.associationCount, 1);
});

test("SctpAssociation bundles messages queued before the handshake with the COOKIE-ECHO", () => {
  const { net, a, b, assoc } = pair(2);
  const seen = record(net);
  a.endpoint.send(net.now, assoc.id, 11, 0, new Uint8Array(100).fill(7));
  net.run(() => b.messages().length === 1);
  const cookie = seen.find((s) => s.types[0] === ChunkType.CookieEcho)!;
  assert.deepEqual(cookie.types, [ChunkType.CookieEcho, ChunkType.Data]);
  assert.equal(net.now, 3); // three one-way trips of 1 ms: INIT, INIT-ACK, COOKIE-ECHO + DATA
});

for (
  const [name, link] of [
    ["loss 10%, duplication 5%, reordering 10%", {
      loss: 0.1,
      duplicate: 0.05,
      reorder: 0.1,
      reorderDelay: 4,
      jitter: 2,
    }],
    ["loss 25% and heavy reordering", { loss: 0.25, reorder: 0.3, reorderDelay: 9, jitter: 3 }],
  ] as [string, LinkOptions][]
) {
  test(`SctpAssociation delivers every message exactly once, in order per stream, on 8 streams under ${name} (40 seeds)`, () => {
    for (let seed = 1; seed <= 40; seed++) {
      const { net, a, b, assoc } = pair(seed * 7 + 1, link);
      const n = 300;
      const unorderedSent = new Set<number>();
      for (let i = 0; i < n; i++) {
        const stream = i % 8;
        const size = 4 + ((i * 7919) % (i % 17 === 0 ? 6000 : 400)); // some fragmented
        const unordered = i % 11 === 0;
        if (unordered) unorderedSent.add(i);
        assert.equal(
          a.endpoint.send(net.now, assoc.id, 100 + stream, stream, message(i, size), unordered),
          "ok",
        );
      }
      assert.ok(
        net.run(() => b.messages().length >= n, 120_000),
        `seed ${seed}: ${b.messages().length}/${n}`,
      );
      net.advance(2000);
      const got = b.messages();
      assert.equal(got.length, n, `seed ${seed}: no duplicates`);
      const last = new Map<number, number>();
      const seenIdx = new Set<number>();
      for (const m of got) {
        const i = indexOf(m.payload);
        assert.ok(!seenIdx.has(i), `seed ${seed}: ${i} twice`);
        seenIdx.add(i);
        assert.equal(m.stream, i % 8);
        assert.equal(m.ppid, 100 + (i % 8));
        assert.equal(m.unordered, unorderedSent.has(i));
        assert.equal(m.payload.length, 4 + ((i * 7919) % (i % 17 === 0 ? 6000 : 400)));
        assert.ok(
          m.payload.subarray(4).every((x) => x === (i & 0xff)),
          `seed ${seed}: ${i} intact`,
        );
        if (m.unordered) continue;
        assert.ok(i > (last.get(m.stream) ?? -1), `seed ${seed}: stream ${m.stream} order`);
        last.set(m.stream, i);
      }
      assert.equal(b.endpoint.association(b.of("established")[0]!.assoc)!.heldBytes, 0);
    }
  });
}

test("SctpAssociation fragments a 1 MiB message and a 65535-byte ASAP message and reassembles them under loss", () => {
  const { net, a, b, assoc } = pair(5, { loss: 0.05, reorder: 0.05, jitter: 1 });
  const big = new Uint8Array(1 << 20).map((_, i) => (i * 13) & 0xff);
  const asap = new Uint8Array(65535).map((_, i) => (i * 7) & 0xff);
  assert.equal(a.endpoint.send(net.now, assoc.id, 99, 1, big), "ok");
  assert.equal(a.endpoint.send(net.now, assoc.id, 11, 0, asap), "ok");
  assert.equal(a.endpoint.send(net.now, assoc.id, 11, 0, new Uint8Array(65536)), "too-large");
  assert.equal(
    a.endpoint.send(net.now, assoc.id, 99, 0, new Uint8Array((1 << 20) + 1)),
    "too-large",
  );
  assert.ok(net.run(() => b.messages().length === 2, 60_000));
  const byPpid = new Map(b.messages().map((m) => [m.ppid, m.payload]));
  assert.deepEqual(byPpid.get(99), big);
  assert.deepEqual(byPpid.get(11), asap);
});

test("SctpAssociation SACKs report gap blocks and the sender retransmits only what is missing", () => {
  const { net, a, b, assoc } = pair(6);
  up(net, a, b);
  const seen = record(net);
  let dropped = 0;
  net.drop = (_f, to, bytes) => {
    const r = decodePacket(bytes);
    // Drop the 3rd and 4th DATA packets towards b, once each.
    if (to.address === "10.0.0.2" && r.kind === "packet" && r.chunks[0]!.type === ChunkType.Data) {
      dropped++;
      return dropped === 3 || dropped === 4;
    }
    return false;
  };
  for (let i = 0; i < 12; i++) a.endpoint.send(net.now, assoc.id, 1, 0, message(i, 1000));
  assert.ok(net.run(() => b.messages().length === 12));
  assert.deepEqual(b.messages().map((m) => indexOf(m.payload)), [...Array(12).keys()]);
  const sacks = seen.filter((s) => s.to === "10.0.0.1" && s.types.includes(ChunkType.Sack));
  const withGaps = sacks.filter((s) => {
    const r = decodePacket(s.bytes);
    if (r.kind !== "packet") return false;
    const v = r.chunks.find((c) => c.type === ChunkType.Sack)!.value;
    return ((v[8]! << 8) | v[9]!) > 0;
  });
  assert.ok(withGaps.length >= 1, "a SACK with gap blocks");
  const dataPackets = seen.filter((s) => s.to === "10.0.0.2" && s.types.includes(ChunkType.Data));
  // 12 messages in 12 packets, 2 lost and sent again: 14 DATA packets delivered at most.
  assert.ok(dataPackets.length <= 14, `${dataPackets.length} DATA packets`);
});

test("SctpAssociation backs off the RTO exponentially up to rtoMax while the peer is silent", () => {
  const options = { rtoMin: 100, rtoMax: 800, rtoInitial: 100, maxRetransmissions: 6 };
  const { net, a, b, assoc } = pair(7, {}, options);
  up(net, a, b);
  net.drop = (_f, to) => to.address === "10.0.0.2"; // b hears nothing more
  const sends: number[] = [];
  net.tap = undefined;
  const start = net.now;
  const probe = (_from: unknown, to: { address: string }, bytes: Uint8Array) => {
    const r = decodePacket(bytes);
    if (
      to.address === "10.0.0.2" && r.kind === "packet" &&
      r.chunks.some((c) => c.type === ChunkType.Data)
    ) {
      sends.push(net.now - start);
    }
    return true;
  };
  net.drop = probe as typeof net.drop;
  a.endpoint.send(net.now, assoc.id, 1, 0, new Uint8Array(10));
  net.run(() => a.of("closed").length > 0, 30_000);
  const gaps = sends.slice(1).map((t, i) => Math.round(t - sends[i]!));
  assert.deepEqual(gaps, [100, 200, 400, 800, 800, 800]);
  assert.equal(a.of("closed")[0]!.reason, "peer-dead");
});

test("SctpAssociation declares a silent peer dead within the computed bounds, idle and busy", () => {
  for (let seed = 1; seed <= 10; seed++) {
    const { net, a, b } = pair(100 + seed);
    up(net, a, b);
    net.advance(5000); // heartbeats settle the RTO at rtoMin on this 1 ms link
    const silentAt = net.now;
    net.drop = (from) => from.address === "10.0.0.2";
    net.run(() => a.of("closed").length > 0, 60_000);
    const took = net.now - silentAt;
    const closed = a.of("closed")[0]!;
    assert.equal(closed.reason, "peer-dead");
    assert.ok(
      took <= idlePeerDeadBound({}),
      `idle: dead after ${took} ms > ${idlePeerDeadBound({})}`,
    );
    assert.ok(took >= busyPeerDeadBound({}), `idle: dead after only ${took} ms`);
  }
  for (let seed = 1; seed <= 10; seed++) {
    const { net, a, b, assoc } = pair(200 + seed);
    up(net, a, b);
    net.advance(3000);
    net.drop = (from) => from.address === "10.0.0.2";
    const sentAt = net.now;
    const rto = assoc.paths()[0]!.rto;
    assert.equal(rto, DEFAULT_SCTP_OPTIONS.rtoMin); // measured in the handshake: a 2 ms RTT
    a.endpoint.send(net.now, assoc.id, 1, 0, new Uint8Array(10));
    net.run(() => a.of("closed").length > 0, 60_000);
    const took = net.now - sentAt;
    assert.equal(a.of("closed")[0]!.reason, "peer-dead");
    assert.ok(took <= busyPeerDeadBound({}, rto) + 2, `busy: ${took} ms`);
    assert.ok(took >= busyPeerDeadBound({}, rto), `busy: ${took} ms`);
  }
});

test("SctpAssociation detects a peer restart, resets stream sequence numbers and carries on", () => {
  const net = new SimNet(9);
  const server = net.add(["10.0.0.2"], 9899);
  server.endpoint.listen(PORT);
  const first = net.add(["10.0.0.1"], 9899);
  const a1 = first.endpoint.connect(net.now, [server.address], PORT, { localPort: 5000 });
  for (let i = 0; i < 5; i++) first.endpoint.send(net.now, a1.id, 1, 3, message(i, 10));
  assert.ok(net.run(() => server.messages().length === 5));
  // The client process dies and comes back on the same address and ports.
  net.remove(first);
  const second = net.add(["10.0.0.1"], 9899);
  const a2 = second.endpoint.connect(net.now, [server.address], PORT, { localPort: 5000 });
  for (let i = 100; i < 103; i++) second.endpoint.send(net.now, a2.id, 1, 3, message(i, 10));
  assert.ok(net.run(() => server.messages().length === 8));
  assert.equal(server.of("restart").length, 1);
  assert.equal(server.endpoint.associationCount, 1);
  assert.equal(server.of("closed").length, 0);
  assert.deepEqual(server.messages().slice(5).map((m) => indexOf(m.payload)), [100, 101, 102]);
  // The server's stream 3 starts over at SSN 0 towards the new client too.
  const id = server.of("restart")[0]!.assoc;
  for (let i = 0; i < 3; i++) server.endpoint.send(net.now, id, 1, 3, message(200 + i, 10));
  assert.ok(net.run(() => second.messages().length === 3));
  assert.deepEqual(second.messages().map((m) => indexOf(m.payload)), [200, 201, 202]);
});

test("SctpAssociation refuses a restart that brings new addresses (ABORT, old association kept)", () => {
  const net = new SimNet(10);
  const server = net.add(["10.0.0.2"], 9899);
  server.endpoint.listen(PORT);
  const first = net.add(["10.0.0.1"], 9899);
  first.endpoint.connect(net.now, [server.address], PORT, { localPort: 5000 });
  assert.ok(net.run(() => server.of("established").length === 1));
  net.remove(first);
  const second = net.add(["10.0.0.1", "10.0.1.1"], 9899, {
    localAddresses: ["10.0.0.1", "10.0.1.1"],
  });
  second.endpoint.connect(net.now, [server.address], PORT, { localPort: 5000 });
  assert.ok(net.run(() => second.of("closed").length === 1));
  assert.equal(second.of("closed")[0]!.cause, SctpErrorCause.RestartWithNewAddresses);
  assert.equal(server.of("restart").length, 0);
  assert.equal(server.endpoint.associationCount, 1);
});

for (const who of ["client", "server", "both at once"]) {
  test(`SctpAssociation shuts down gracefully (${who}) after delivering everything queued both ways`, () => {
    const { net, a, b, assoc } = pair(11, { loss: 0.1, jitter: 2 });
    up(net, a, b);
    const idB = b.of("established")[0]!.assoc;
    for (let i = 0; i < 50; i++) {
      a.endpoint.send(net.now, assoc.id, 1, i % 3, message(i, 1500));
      b.endpoint.send(net.now, idB, 1, i % 3, message(i, 1500));
    }
    if (who !== "server") a.endpoint.shutdown(net.now, assoc.id);
    if (who !== "client") b.endpoint.shutdown(net.now, idB);
    assert.equal(
      a.endpoint.send(net.now, assoc.id, 1, 0, message(99, 4)),
      who === "server" ? "ok" : "closed",
    );
    assert.ok(net.run(() => a.of("closed").length === 1 && b.of("closed").length === 1, 30_000));
    assert.equal(b.messages().length, who === "server" ? 51 : 50);
    assert.equal(a.messages().length, 50);
    assert.equal(a.of("closed")[0]!.reason, "closed");
    assert.equal(b.of("closed")[0]!.reason, "closed");
    assert.equal(a.endpoint.associationCount, 0);
    assert.equal(b.endpoint.associationCount, 0);
  });
}

test("SctpAssociation.abort() sends ABORT with the reason; the peer reports peer-abort", () => {
  const { net, a, b, assoc } = pair(12);
  up(net, a, b);
  a.endpoint.send(net.now, assoc.id, 1, 0, new Uint8Array(10));
  a.endpoint.abort(net.now, assoc.id, "registrar shutting down");
  net.run(() => b.of("closed").length === 1);
  assert.deepEqual(a.of("closed")[0], {
    type: "closed",
    assoc: assoc.id,
    reason: "aborted",
    cause: SctpErrorCause.UserInitiatedAbort,
    detail: "registrar shutting down",
  });
  const closed = b.of("closed")[0]!;
  assert.equal(closed.reason, "peer-abort");
  assert.equal(closed.cause, SctpErrorCause.UserInitiatedAbort);
  assert.equal(closed.detail, "User-Initiated Abort: registrar shutting down");
  assert.equal(b.endpoint.associationCount, 0);
});

test("SctpAssociation connect to a port nobody listens on ends at once with the peer's ABORT", () => {
  const net = new SimNet(13);
  const a = net.add(["10.0.0.1"], 9899);
  const b = net.add(["10.0.0.2"], 9899);
  a.endpoint.connect(net.now, [b.address], 4444);
  net.run(() => a.of("closed").length === 1);
  assert.equal(a.of("closed")[0]!.reason, "reset");
  assert.equal(net.now, 2);
});

test("SctpAssociation connect to a silent address times out after maxInitRetransmissions", () => {
  const net = new SimNet(14);
  const a = net.add(["10.0.0.1"], 9899, { association: { maxInitRetransmissions: 3 } });
  a.endpoint.connect(net.now, [{ address: "10.9.9.9", port: 9899 }], PORT);
  net.run(() => a.of("closed").length === 1);
  const closed = a.of("closed")[0]!;
  assert.equal(closed.reason, "timeout");
  assert.match(closed.detail, /no answer to INIT after 4 transmissions/);
  assert.equal(net.now, 1000 + 1000 + 1000 + 1000); // rtoInitial, doubled up to rtoMax 1000
});

test("SctpAssociation fails over to the alternate path when the primary path dies, and back", () => {
  const net = new SimNet(15);
  const a = net.add(["10.0.0.1", "10.0.1.1"], 9899, { localAddresses: ["10.0.0.1", "10.0.1.1"] });
  const b = net.add(["10.0.0.2", "10.0.1.2"], 9899, { localAddresses: ["10.0.0.2", "10.0.1.2"] });
  b.endpoint.listen(PORT);
  const assoc = a.endpoint.connect(net.now, [b.address], PORT);
  up(net, a, b);
  assert.deepEqual(a.of("established")[0]!.peerAddresses, ["10.0.0.2", "10.0.1.2"]);
  assert.ok(
    net.run(() => a.of("path").some((p) => p.address === "10.0.1.2" && p.state === "confirmed")),
  );
  let dead = true;
  net.drop = (from, to) => dead && (to.address === "10.0.0.2" || from.address === "10.0.0.2");
  const sent: number[] = [];
  for (let i = 0; i < 200; i++) {
    net.advance(20);
    a.endpoint.send(net.now, assoc.id, 1, 0, message(i, 200));
    sent.push(i);
  }
  assert.ok(net.run(() => b.messages().length === 200, 20_000));
  assert.deepEqual(b.messages().map((m) => indexOf(m.payload)), sent);
  assert.ok(
    net.run(
      () => a.of("path").some((p) => p.address === "10.0.0.2" && p.state === "inactive"),
      10_000,
    ),
  );
  assert.equal(a.of("closed").length, 0);
  const paths = a.endpoint.association(assoc.id)!.paths();
  assert.equal(paths[0]!.active, false);
  dead = false;
  assert.ok(
    net.run(
      () => a.of("path").some((p) => p.address === "10.0.0.2" && p.state === "active"),
      20_000,
    ),
  );
});

test("SctpAssociation.send() says buffer-full beyond maxSendBuffer, then writable once acknowledged", () => {
  const { net, a, b, assoc } = pair(16, {}, { maxSendBuffer: 100_000 });
  up(net, a, b);
  let n = 0;
  for (; n < 1000; n++) {
    const r = a.endpoint.send(net.now, assoc.id, 1, 0, new Uint8Array(10_000));
    if (r !== "ok") {
      assert.equal(r, "buffer-full");
      break;
    }
  }
  assert.ok(n >= 10 && n <= 11, `${n} accepted`);
  assert.ok(net.run(() => a.of("writable").length === 1));
  assert.ok(net.run(() => b.messages().length === n && assoc.queuedBytes === 0));
  assert.equal(a.endpoint.send(net.now, assoc.id, 1, 0, new Uint8Array(10_000)), "ok");
});

test("SctpAssociation.send() refuses streams the peer does not accept and bad arguments", () => {
  const net = new SimNet(17);
  const a = net.add(["10.0.0.1"], 9899);
  const b = net.add(["10.0.0.2"], 9899, { association: { inboundStreams: 4 } });
  b.endpoint.listen(PORT);
  const assoc: SctpAssociation = a.endpoint.connect(net.now, [b.address], PORT);
  a.endpoint.send(net.now, assoc.id, 1, 2, new Uint8Array([1]));
  a.endpoint.send(net.now, assoc.id, 1, 9, new Uint8Array([2])); // queued before the handshake
  up(net, a, b);
  assert.deepEqual(a.of("send-failed").map((e) => [...e.payload]), [[2]]);
  assert.equal(a.endpoint.send(net.now, assoc.id, 1, 4, new Uint8Array([3])), "invalid-stream");
  assert.equal(assoc.outboundStreams, 4);
  assert.throws(() => a.endpoint.send(net.now, assoc.id, -1, 0, new Uint8Array(1)), RangeError);
  assert.throws(() => a.endpoint.send(net.now, assoc.id, 1, 70000, new Uint8Array(1)), RangeError);
  assert.throws(() => a.endpoint.send(net.now, assoc.id, 1, 0, new Uint8Array(0)), RangeError);
  assert.ok(net.run(() => b.messages().length === 1));
  assert.equal(a.endpoint.send(net.now, 999, 1, 0, new Uint8Array(1)), "closed");
});

test("SctpAssociation measures the RTT with data and heartbeats", () => {
  const { net, a, b, assoc } = pair(18, { delay: 10 });
  up(net, a, b);
  a.endpoint.send(net.now, assoc.id, 1, 0, new Uint8Array(10));
  net.advance(5000);
  const rtts = a.of("rtt");
  assert.ok(rtts.length >= 2);
  for (const r of rtts) assert.ok(r.rtt >= 20 && r.rtt < 25, `rtt ${r.rtt}`);
  assert.ok(Math.abs(rtts[rtts.length - 1]!.srtt - 20) < 2);
});

test("SctpAssociation resolves an INIT collision into one association", () => {
  for (let seed = 1; seed <= 10; seed++) {
    const net = new SimNet(300 + seed, { jitter: 2 });
    const a = net.add(["10.0.0.1"], 9899);
    const b = net.add(["10.0.0.2"], 9899);
    a.endpoint.listen(PORT);
    b.endpoint.listen(PORT);
    const fromA = a.endpoint.connect(net.now, [b.address], PORT, { localPort: PORT });
    const fromB = b.endpoint.connect(net.now, [a.address], PORT, { localPort: PORT });
    a.endpoint.send(net.now, fromA.id, 1, 0, new Uint8Array([1]));
    b.endpoint.send(net.now, fromB.id, 1, 0, new Uint8Array([2]));
    assert.ok(
      net.run(() => a.messages().length === 1 && b.messages().length === 1, 10_000),
      `seed ${seed}`,
    );
    assert.equal(fromA.state, "established");
    assert.equal(fromB.state, "established");
    assert.equal(fromA.peerTag, fromB.localTag);
    assert.equal(fromB.peerTag, fromA.localTag);
    assert.equal(a.endpoint.associationCount, 1);
    assert.equal(b.endpoint.associationCount, 1);
  }
});

test("SctpAssociation starts over with a new INIT when its cookie went stale", () => {
  const net = new SimNet(19, { delay: 1 });
  const a = net.add(["10.0.0.1"], 9899);
  const b = net.add(["10.0.0.2"], 9899, { association: { cookieLifetime: 50 } });
  b.endpoint.listen(PORT);
  const seen = record(net);
  let held = 0;
  net.drop = (_f, _t, bytes) => {
    // Hold back the first COOKIE-ECHO: it arrives 100 ms late, past the 50 ms lifetime.
    const r = decodePacket(bytes);
    if (held === 0 && r.kind === "packet" && r.chunks[0]!.type === ChunkType.CookieEcho) {
      held++;
      net.inject(
        { address: "10.0.0.1", port: 9899 },
        { address: "10.0.0.2", port: 9899 },
        bytes.slice(),
        100,
      );
      return true;
    }
    return false;
  };
  const assoc = a.endpoint.connect(net.now, [b.address], PORT);
  assert.ok(net.run(() => assoc.state === "established", 10_000));
  const errors = seen.filter((s) => s.types[0] === ChunkType.Error);
  assert.equal(errors.length >= 1, true, "a Stale Cookie ERROR");
  assert.equal(seen.filter((s) => s.types[0] === ChunkType.Init).length, 2);
  assert.equal(b.endpoint.stats.cookiesRefused >= 1, true);
});

test("SctpAssociation gives up a shutdown the peer never answers after shutdownTimeout", () => {
  const { net, a, b, assoc } = pair(20, {}, { shutdownTimeout: 800, maxRetransmissions: 50 });
  up(net, a, b);
  net.drop = (from) => from.address === "10.0.0.2";
  const start = net.now;
  a.endpoint.shutdown(net.now, assoc.id);
  assert.ok(net.run(() => a.of("closed").length === 1, 10_000));
  assert.equal(a.of("closed")[0]!.reason, "timeout");
  assert.ok(net.now - start >= 800 && net.now - start < 900);
});
