/**
 * Writes capture files (classic pcap or pcapng) of IPv4/IPv6 packets carrying
 * SCTP, UDP or TCP, with correct IPv4 header, SCTP CRC-32C, UDP and TCP
 * checksums, so Wireshark/tshark (with checksum validation on) dissects them
 * cleanly. Used to check the wire codec against Wireshark and to build pcap
 * fixtures.
 *
 * @module
 */

import { crc32c } from "./crc32c.ts";

/** Link-layer framing of the written packets. */
export type WriterLinkType = "ethernet" | "raw" | "null" | "sll" | "sll2";

/** Options of a {@link PcapWriter}. */
export interface PcapWriterOptions {
  /** File format (default `"pcap"`). */
  readonly format?: "pcap" | "pcapng";
  /** Link-layer header of every packet (default `"ethernet"`). */
  readonly linkType?: WriterLinkType;
  /** Timestamp of the first packet in seconds (default 1700000000); each next is 1 ms later. */
  readonly startTime?: number;
}

/** Addressing of one packet. */
export interface PacketAddress {
  /** Source IP address (IPv4 dotted quad or IPv6 text without `::` shortcuts beyond RFC 4291). */
  readonly src: string;
  /** Destination IP address (same family as `src`). */
  readonly dst: string;
  /** Source port. */
  readonly srcPort: number;
  /** Destination port. */
  readonly dstPort: number;
}

/** One SCTP DATA chunk. */
export interface SctpDataChunk {
  /** Payload protocol identifier. */
  readonly ppid: number;
  /** User data. */
  readonly payload: Uint8Array;
  /** Stream identifier (default 0). */
  readonly stream?: number;
  /** Stream sequence number (default 0). */
  readonly ssn?: number;
  /** TSN (default: a per-writer counter). */
  readonly tsn?: number;
  /** Chunk flags (default 0x03: beginning and end of an unfragmented message). */
  readonly flags?: number;
}

const LINKTYPE: Record<WriterLinkType, number> = {
  ethernet: 1,
  raw: 101,
  null: 0,
  sll: 113,
  sll2: 276,
};

function ipBytes(text: string): Uint8Array {
  if (text.includes(".") && !text.includes(":")) {
    const parts = text.split(".").map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
      throw new TypeError(`Cannot write packet: "${text}" is not an IPv4 address`);
    }
    return new Uint8Array(parts);
  }
  const [head, tail] = text.split("::") as [string, string | undefined];
  const h = head === "" ? [] : head.split(":");
  const t = tail === undefined || tail === "" ? [] : tail.split(":");
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  const groups = [...h, ...Array(fill).fill("0"), ...t];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) {
    throw new TypeError(`Cannot write packet: "${text}" is not an IPv6 address`);
  }
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}

/** One's-complement sum of 16-bit big-endian words (odd length padded with 0). */
function onesSum(bytes: Uint8Array, sum = 0): number {
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (bytes.length & 1) sum += bytes[bytes.length - 1]! << 8;
  return sum;
}

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function u16(v: number): Uint8Array {
  return new Uint8Array([v >> 8, v & 0xff]);
}

function u32(v: number): Uint8Array {
  return new Uint8Array([v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
}

/**
 * Builds a capture file packet by packet.
 *
 * @example An ASAP Server Announce over UDP
 * ```ts
 * import { PcapWriter } from "./pcap_writer.ts";
 * import { readCapture } from "./pcap_reader.ts";
 * import assert from "node:assert/strict";
 * const w = new PcapWriter();
 * w.addUdp({ src: "192.0.2.1", dst: "239.0.0.50", srcPort: 3863, dstPort: 3863 },
 *   new Uint8Array([0x0a, 0, 0, 8, 0, 0, 0, 1]));
 * const capture = readCapture(w.bytes());
 * assert.equal(capture.frames.length, 1);
 * ```
 */
export class PcapWriter {
  #format: "pcap" | "pcapng";
  #link: WriterLinkType;
  #time: number;
  #records: Uint8Array[] = [];
  #tsn = 1;
  #ipId = 1;

  /**
   * Creates an empty capture.
   *
   * @param options Format, link type and start time.
   */
  constructor(options: PcapWriterOptions = {}) {
    this.#format = options.format ?? "pcap";
    this.#link = options.linkType ?? "ethernet";
    this.#time = options.startTime ?? 1_700_000_000;
  }

  /** Number of packets written so far. */
  get count(): number {
    return this.#records.length;
  }

  /**
   * Adds an SCTP packet with DATA chunks.
   *
   * @param addr Addresses and ports.
   * @param chunks The DATA chunks.
   * @param verificationTag The SCTP verification tag (default 0x11223344).
   */
  addSctp(
    addr: PacketAddress,
    chunks: readonly SctpDataChunk[],
    verificationTag = 0x11223344,
  ): void {
    const parts: Uint8Array[] = [
      concat([u16(addr.srcPort), u16(addr.dstPort), u32(verificationTag), u32(0)]),
    ];
    for (const c of chunks) {
      const len = 16 + c.payload.length;
      parts.push(concat([
        new Uint8Array([0, c.flags ?? 0x03]),
        u16(len),
        u32(c.tsn ?? this.#tsn++),
        u16(c.stream ?? 0),
        u16(c.ssn ?? 0),
        u32(c.ppid),
        c.payload,
        new Uint8Array((4 - (len & 3)) & 3),
      ]));
    }
    const sctp = concat(parts);
    const crc = crc32c(sctp);
    // The CRC-32C goes into the checksum field in little-endian byte order.
    sctp.set([crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24], 8);
    this.#addIp(addr, 132, sctp);
  }

  /**
   * Adds a UDP datagram.
   *
   * @param addr Addresses and ports.
   * @param payload The datagram payload.
   */
  addUdp(addr: PacketAddress, payload: Uint8Array): void {
    const udp = concat([
      u16(addr.srcPort),
      u16(addr.dstPort),
      u16(8 + payload.length),
      u16(0),
      payload,
    ]);
    let sum = fold(onesSum(udp, this.#pseudo(addr, 17, udp.length)));
    if (sum === 0) sum = 0xffff;
    udp.set(u16(sum), 6);
    this.#addIp(addr, 17, udp);
  }

  /**
   * Adds a TCP segment.
   *
   * @param addr Addresses and ports.
   * @param seq The sequence number.
   * @param payload The segment payload.
   * @param flags TCP flags (default 0x18: PSH + ACK).
   * @param ack The acknowledgement number (default 1).
   */
  addTcp(addr: PacketAddress, seq: number, payload: Uint8Array, flags = 0x18, ack = 1): void {
    const tcp = concat([
      u16(addr.srcPort),
      u16(addr.dstPort),
      u32(seq >>> 0),
      u32(ack >>> 0),
      new Uint8Array([0x50, flags]),
      u16(65535),
      u16(0),
      u16(0),
      payload,
    ]);
    tcp.set(u16(fold(onesSum(tcp, this.#pseudo(addr, 6, tcp.length)))), 16);
    this.#addIp(addr, 6, tcp);
  }

  /** Pseudo-header sum for UDP/TCP checksums. */
  #pseudo(addr: PacketAddress, proto: number, len: number): number {
    const s = ipBytes(addr.src), d = ipBytes(addr.dst);
    return onesSum(d, onesSum(s)) + proto + len;
  }

  #addIp(addr: PacketAddress, proto: number, payload: Uint8Array): void {
    const s = ipBytes(addr.src), d = ipBytes(addr.dst);
    if (s.length !== d.length) throw new TypeError("Cannot write packet: mixed IPv4 and IPv6");
    let ip: Uint8Array;
    if (s.length === 4) {
      const h = concat([
        new Uint8Array([0x45, 0]),
        u16(20 + payload.length),
        u16(this.#ipId++ & 0xffff),
        u16(0x4000), // don't fragment
        new Uint8Array([64, proto]),
        u16(0),
        s,
        d,
      ]);
      h.set(u16(fold(onesSum(h))), 10);
      ip = concat([h, payload]);
    } else {
      ip = concat([
        new Uint8Array([0x60, 0, 0, 0]),
        u16(payload.length),
        new Uint8Array([proto, 64]),
        s,
        d,
        payload,
      ]);
    }
    const v6 = s.length === 16;
    let frame: Uint8Array;
    switch (this.#link) {
      case "ethernet":
        frame = concat([
          new Uint8Array([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01]),
          u16(v6 ? 0x86dd : 0x0800),
          ip,
        ]);
        break;
      case "raw":
        frame = ip;
        break;
      case "null": // host byte order; written little-endian as on x86
        frame = concat([new Uint8Array([v6 ? 30 : 2, 0, 0, 0]), ip]);
        break;
      case "sll":
        frame = concat([
          u16(0),
          u16(1),
          u16(6),
          new Uint8Array([2, 0, 0, 0, 0, 1, 0, 0]),
          u16(v6 ? 0x86dd : 0x0800),
          ip,
        ]);
        break;
      default: // sll2
        frame = concat([
          u16(v6 ? 0x86dd : 0x0800),
          u16(0),
          u32(1),
          u16(1),
          new Uint8Array([0, 6, 2, 0, 0, 0, 0, 1, 0, 0]),
          ip,
        ]);
    }
    this.#records.push(this.#record(frame));
  }

  #record(frame: Uint8Array): Uint8Array {
    const t = this.#time + this.#records.length / 1000;
    const sec = Math.floor(t);
    const usec = Math.round((t - sec) * 1e6);
    if (this.#format === "pcap") {
      return concat([
        le32(sec),
        le32(usec),
        le32(frame.length),
        le32(frame.length),
        frame,
      ]);
    }
    const us = BigInt(sec) * 1_000_000n + BigInt(usec);
    const pad = (4 - (frame.length & 3)) & 3;
    const total = 32 + frame.length + pad;
    return concat([
      le32(6),
      le32(total),
      le32(0),
      le32(Number(us >> 32n)),
      le32(Number(us & 0xffffffffn)),
      le32(frame.length),
      le32(frame.length),
      frame,
      new Uint8Array(pad),
      le32(total),
    ]);
  }

  /**
   * The capture file written so far.
   *
   * @returns The file bytes.
   */
  bytes(): Uint8Array {
    const link = LINKTYPE[this.#link];
    if (this.#format === "pcap") {
      const header = concat([
        le32(0xa1b2c3d4),
        new Uint8Array([2, 0, 4, 0]),
        le32(0),
        le32(0),
        le32(262144),
        le32(link),
      ]);
      return concat([header, ...this.#records]);
    }
    const shb = concat([
      le32(0x0a0d0d0a),
      le32(28),
      le32(0x1a2b3c4d),
      new Uint8Array([1, 0, 0, 0]),
      new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
      le32(28),
    ]);
    const idb = concat([
      le32(1),
      le32(20),
      new Uint8Array([link & 0xff, link >> 8, 0, 0]),
      le32(262144),
      le32(20),
    ]);
    return concat([shb, idb, ...this.#records]);
  }
}

function le32(v: number): Uint8Array {
  return new Uint8Array([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]);
}
