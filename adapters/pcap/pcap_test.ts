import { test } from "node:test";
import assert from "node:assert/strict";
import { hex, unhex } from "../../tests/_hex.ts";
import { dissectFrame } from "./packet.ts";
import { CaptureFormatError, readCapture } from "./pcap_reader.ts";
import { PcapWriter, type WriterLinkType } from "./pcap_writer.ts";
import { extractRserpoolPayloads } from "./rserpool_payloads.ts";
import { PPID_ASAP_NG } from "../../core/wire/profile.ts";
import { SeededRng } from "../../core/rng.ts";

const REGISTRATION =
  "0100003c0009000c4563686f506f6f6c000a002c1a2b3c4d0000000000015f90000500100007000000010008c000020a0008000c4000000140000000";
const LIST_REQUEST = "0500000c3f00aa017c5b2e11";
const ANNOUNCE = "0a0000087c5b2e11";
const HR = "0500001c0009000f43616c63417070506f6f6c00803f0008ffffffff";

const A = { src: "192.0.2.1", dst: "192.0.2.2", srcPort: 3863, dstPort: 3863 };
const E6 = { src: "2001:db8::1", dst: "2001:db8::2", srcPort: 9901, dstPort: 9901 };

function sample(linkType: WriterLinkType, format: "pcap" | "pcapng"): Uint8Array {
  const w = new PcapWriter({ linkType, format });
  w.addSctp(A, [{ ppid: 11, payload: unhex(REGISTRATION), stream: 3 }]);
  w.addSctp(E6, [{ ppid: 12, payload: unhex(LIST_REQUEST) }]);
  w.addUdp({ ...A, dst: "239.0.0.50" }, unhex(ANNOUNCE));
  w.addTcp({ ...A, srcPort: 40000 }, 1000, unhex(HR));
  return w.bytes();
}

for (const format of ["pcap", "pcapng"] as const) {
  for (const link of ["ethernet", "raw", "null", "sll", "sll2"] as const) {
    test(`extractRserpoolPayloads() finds SCTP, UDP and TCP messages in ${format} with ${link} link layer`, () => {
      const capture = readCapture(sample(link, format));
      assert.equal(capture.format, format);
      assert.equal(capture.frames.length, 4);
      assert.equal(capture.truncated, false);
      const { payloads, notes } = extractRserpoolPayloads(capture);
      assert.deepEqual(notes, []);
      assert.deepEqual(
        payloads.map((
          p,
        ) => [
          p.frame,
          p.transport,
          p.framing,
          p.protocol,
          p.profile,
          p.ppid,
          p.stream,
          hex(p.bytes),
        ]),
        [
          [1, "sctp", "sctp", "asap", "rfc", 11, 3, REGISTRATION],
          [2, "sctp", "sctp", "enrp", "rfc", 12, 0, LIST_REQUEST],
          [3, "udp", "udp", "asap", undefined, undefined, undefined, ANNOUNCE],
          [4, "tcp", "raw", "asap", undefined, undefined, undefined, HR],
        ],
      );
      assert.deepEqual(
        [payloads[1]!.src, payloads[1]!.dst, payloads[2]!.dst, payloads[3]!.srcPort],
        ["2001:db8::1", "2001:db8::2", "239.0.0.50", 40000],
      );
    });
  }
}

test("readCapture() reads big-endian and nanosecond classic pcap", () => {
  const le = sample("ethernet", "pcap");
  // Rewrite the file in big-endian byte order with the nanosecond magic.
  const be = le.slice();
  const v = new DataView(le.buffer), w = new DataView(be.buffer);
  w.setUint32(0, 0xa1b23c4d, false);
  w.setUint16(4, 2, false);
  w.setUint16(6, 4, false);
  for (const o of [8, 12, 16, 20]) w.setUint32(o, v.getUint32(o, true), false);
  let o = 24;
  while (o < le.length) {
    const incl = v.getUint32(o + 8, true);
    w.setUint32(o, v.getUint32(o, true), false);
    w.setUint32(o + 4, v.getUint32(o + 4, true) * 1000, false);
    w.setUint32(o + 8, incl, false);
    w.setUint32(o + 12, v.getUint32(o + 12, true), false);
    o += 16 + incl;
  }
  const a = readCapture(le), b = readCapture(be);
  assert.deepEqual(b.frames.map((f) => hex(f.data)), a.frames.map((f) => hex(f.data)));
  assert.deepEqual(b.frames.map((f) => f.time.toFixed(6)), a.frames.map((f) => f.time.toFixed(6)));
  assert.equal(a.frames[1]!.time.toFixed(3), "1700000000.001");
});

test("readCapture() reads a big-endian pcapng section with a nanosecond interface", () => {
  const frame = readCapture(sample("raw", "pcap")).frames[2]!.data;
  const be = (n: number) => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  const pad = (4 - (frame.length & 3)) & 3;
  const epbLen = 32 + frame.length + pad;
  const file = new Uint8Array([
    ...be(0x0a0d0d0a),
    ...be(28),
    ...be(0x1a2b3c4d),
    0,
    1,
    0,
    0,
    ...Array(8).fill(0xff),
    ...be(28),
    // IDB: link type 101, snaplen, option if_tsresol = 9 (ns), end of options.
    ...be(1),
    ...be(32),
    0,
    101,
    0,
    0,
    ...be(65535),
    0,
    9,
    0,
    1,
    9,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    ...be(32),
    ...be(6),
    ...be(epbLen),
    ...be(0),
    ...be(0x17979cfe),
    ...be(0x362a0000),
    ...be(frame.length),
    ...be(frame.length),
    ...frame,
    ...Array(pad).fill(0),
    ...be(epbLen),
  ]);
  const c = readCapture(file);
  assert.equal(c.frames.length, 1);
  assert.equal(c.frames[0]!.linkType, 101);
  assert.deepEqual(c.frames[0]!.data, frame);
  assert.equal(Math.round(c.frames[0]!.time), 1700000000);
  assert.equal(extractRserpoolPayloads(c).payloads[0]?.protocol, "asap");
});

test("readCapture() keeps the frames before a cut and refuses files that are not captures", () => {
  const full = sample("ethernet", "pcap");
  const cut = readCapture(full.subarray(0, full.length - 5));
  assert.equal(cut.truncated, true);
  assert.equal(cut.frames.length, 3);
  assert.throws(
    () => readCapture(new TextEncoder().encode("hello, this is not a capture")),
    CaptureFormatError,
  );
  assert.throws(() => readCapture(new Uint8Array(3)), CaptureFormatError);
});

test("extractRserpoolPayloads() reassembles a fragmented SCTP message", () => {
  const msg = unhex(REGISTRATION);
  const w = new PcapWriter();
  // Three fragments, TSNs 10..12, delivered out of order over three packets.
  w.addSctp(A, [{ ppid: 11, payload: msg.subarray(20, 40), tsn: 11, ssn: 5, flags: 0x00 }]);
  w.addSctp(A, [{ ppid: 11, payload: msg.subarray(40), tsn: 12, ssn: 5, flags: 0x01 }]);
  w.addSctp(A, [{ ppid: 11, payload: msg.subarray(0, 20), tsn: 10, ssn: 5, flags: 0x02 }]);
  const { payloads } = extractRserpoolPayloads(readCapture(w.bytes()));
  assert.equal(payloads.length, 1);
  assert.equal(payloads[0]!.frame, 3);
  assert.equal(hex(payloads[0]!.bytes), REGISTRATION);
});

test("extractRserpoolPayloads() tells RSerPool PPIDs, port-only PPID 0 and application data apart", () => {
  const w = new PcapWriter();
  w.addSctp({ ...A, srcPort: 7000, dstPort: 7001 }, [
    { ppid: 38, payload: unhex("deadbeef") }, // application data
    { ppid: 11, payload: unhex(ANNOUNCE) }, // ASAP on a PE's own association
    { ppid: 0, payload: unhex("cafe") }, // unspecified PPID, not an RSerPool port
  ]);
  w.addSctp(A, [{ ppid: 0, payload: unhex(ANNOUNCE) }]);
  w.addSctp(A, [{ ppid: PPID_ASAP_NG, payload: unhex(ANNOUNCE) }]);
  const { payloads } = extractRserpoolPayloads(readCapture(w.bytes()));
  assert.deepEqual(payloads.map((p) => [p.frame, p.ppid, p.protocol, p.profile]), [
    [1, 11, "asap", "rfc"],
    [2, 0, "asap", undefined],
    [3, PPID_ASAP_NG, "asap", "ng"],
  ]);
});

test("extractRserpoolPayloads() reassembles raw TCP out of order and ignores retransmissions", () => {
  const stream = unhex(REGISTRATION + HR);
  const w = new PcapWriter();
  const c = { ...A, srcPort: 40000 };
  w.addTcp(c, 999, new Uint8Array(0), 0x02); // SYN
  w.addTcp(c, 1000 + 50, stream.subarray(50, 70));
  w.addTcp(c, 1000, stream.subarray(0, 50));
  w.addTcp(c, 1000, stream.subarray(0, 30)); // retransmission
  w.addTcp(c, 1000 + 70, stream.subarray(70));
  const { payloads, notes } = extractRserpoolPayloads(readCapture(w.bytes()));
  assert.deepEqual(notes, []);
  assert.deepEqual(payloads.map((p) => [p.frame, p.framing, hex(p.bytes)]), [
    [2, "raw", REGISTRATION],
    [5, "raw", HR],
  ]);
});

test("extractRserpoolPayloads() reads framing-shim streams on any port and skips application frames", () => {
  const frame = (type: number, stream: number, ppid: number, payload: Uint8Array) => {
    const h = new Uint8Array(12 + payload.length);
    const v = new DataView(h.buffer);
    h[0] = type;
    v.setUint16(2, stream);
    v.setUint32(4, ppid);
    v.setUint32(8, payload.length);
    h.set(payload, 12);
    return h;
  };
  const parts = [
    frame(0x01, 0, 38, unhex("0102030405")), // application data
    frame(0x01, 2, 11, unhex(ANNOUNCE)),
    frame(0x02, 0, 0, new Uint8Array(0)), // another frame type (e.g. a heartbeat)
    frame(0x01, 1, PPID_ASAP_NG, unhex("0b8000080a0b0c0d")),
  ];
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  const w = new PcapWriter();
  const c = { src: "192.0.2.7", dst: "192.0.2.8", srcPort: 5000, dstPort: 7000 };
  w.addTcp(c, 1, all.subarray(0, 20));
  w.addTcp(c, 21, all.subarray(20));
  const { payloads } = extractRserpoolPayloads(readCapture(w.bytes()));
  assert.deepEqual(
    payloads.map((p) => [p.frame, p.framing, p.ppid, p.stream, p.profile, hex(p.bytes)]),
    [
      [2, "shim", 11, 2, "rfc", ANNOUNCE],
      [2, "shim", PPID_ASAP_NG, 1, "ng", "0b8000080a0b0c0d"],
    ],
  );
});

test("extractRserpoolPayloads() stops a TCP stream at a gap and says so", () => {
  const stream = unhex(REGISTRATION + HR);
  const w = new PcapWriter();
  w.addTcp(A, 5000, stream.subarray(0, 60));
  w.addTcp(A, 5000 + 70, stream.subarray(70));
  const { payloads, notes } = extractRserpoolPayloads(readCapture(w.bytes()));
  assert.equal(payloads.length, 1);
  assert.match(notes.join("\n"), /has a gap at stream offset 60/);
});

test("extractRserpoolPayloads() bounds TCP reassembly per flow", () => {
  const w = new PcapWriter();
  for (let i = 0; i < 10; i++) w.addTcp(A, 1 + 28 * i, unhex(HR));
  const { payloads, notes } = extractRserpoolPayloads(readCapture(w.bytes()), {
    maxFlowBytes: 100,
  });
  assert.equal(payloads.length, 3);
  assert.match(notes.join("\n"), /exceeds 100 bytes/);
});

test("dissectFrame() walks VLAN tags, IPv6 extension headers and skips IP fragments", () => {
  const w = new PcapWriter();
  w.addUdp({ ...A, dst: "239.0.0.50" }, unhex(ANNOUNCE));
  const eth = readCapture(w.bytes()).frames[0]!.data;
  // Insert an 802.1Q tag after the MAC addresses.
  const tagged = new Uint8Array(eth.length + 4);
  tagged.set(eth.subarray(0, 12));
  tagged.set([0x81, 0x00, 0x00, 0x2a], 12);
  tagged.set(eth.subarray(12), 16);
  const r = dissectFrame({ number: 1, time: 0, linkType: 1, data: tagged });
  assert.equal(r.kind === "segment" && hex(r.segment.payload), ANNOUNCE);
  // Mark the IPv4 packet as a fragment.
  const frag = eth.slice();
  frag[14 + 6] = 0x20; // more fragments
  const f = dissectFrame({ number: 1, time: 0, linkType: 1, data: frag });
  assert.equal(f.kind === "skip" && f.reason, "IPv4 fragment (fragments are not reassembled)");
  // IPv6 with a hop-by-hop options header before UDP.
  const w6 = new PcapWriter({ linkType: "raw" });
  w6.addUdp({ ...E6, dst: "ff02::1" }, unhex(ANNOUNCE));
  const ip6 = readCapture(w6.bytes()).frames[0]!.data;
  const withHop = new Uint8Array(ip6.length + 8);
  withHop.set(ip6.subarray(0, 40));
  withHop[6] = 0; // next header: hop-by-hop
  withHop[5] = ip6[5]! + 8;
  withHop.set([17, 0, 1, 4, 0, 0, 0, 0], 40); // next: UDP, length 0 (8 bytes), PadN
  withHop.set(ip6.subarray(40), 48);
  const h = dissectFrame({ number: 1, time: 0, linkType: 101, data: withHop });
  assert.equal(h.kind === "segment" && h.segment.protocol, "udp");
  assert.equal(h.kind === "segment" && hex(h.segment.payload), ANNOUNCE);
});

test("readCapture() and extractRserpoolPayloads() survive 3000 mutated captures", () => {
  const rng = new SeededRng(77);
  const originals = [sample("ethernet", "pcap"), sample("sll2", "pcapng"), sample("null", "pcap")];
  for (let i = 0; i < 3000; i++) {
    const b = originals[i % originals.length]!.slice();
    for (let k = 0; k < 1 + (rng.nextU32() % 8); k++) {
      b[rng.nextU32() % b.length] = rng.nextU32() & 0xff;
    }
    const cut = b.subarray(0, rng.nextU32() % (b.length + 1));
    let capture;
    try {
      capture = readCapture(cut);
    } catch (e) {
      assert.ok(e instanceof CaptureFormatError, String(e));
      continue;
    }
    const { payloads } = extractRserpoolPayloads(capture);
    for (const p of payloads) assert.ok(p.bytes.length <= cut.length);
  }
});
