/**
 * Dissects a captured frame down to its transport segment: link layer
 * (Ethernet with VLAN tags, raw IP, BSD/OpenBSD loopback, Linux cooked SLL and
 * SLL2), IPv4 or IPv6 (extension headers skipped), then SCTP, UDP or TCP.
 * IP fragments are not reassembled; they are reported as skipped.
 *
 * @module
 */

import { formatIpAddress } from "../../core/wire/ip_address.ts";
import type { CaptureFrame } from "./pcap_reader.ts";

/** A transport segment found in a frame. */
export interface TransportSegment {
  /** The frame number. */
  readonly frame: number;
  /** The capture time in seconds. */
  readonly time: number;
  /** Source IP address (canonical text). */
  readonly src: string;
  /** Destination IP address (canonical text). */
  readonly dst: string;
  /** The transport protocol. */
  readonly protocol: "sctp" | "udp" | "tcp";
  /** Source port. */
  readonly srcPort: number;
  /** Destination port. */
  readonly dstPort: number;
  /** SCTP: the chunks after the common header. UDP, TCP: the payload. */
  readonly payload: Uint8Array;
  /** TCP sequence number (TCP only). */
  readonly seq?: number;
  /** TCP SYN flag (TCP only). */
  readonly syn?: boolean;
  /** SCTP verification tag (SCTP only). */
  readonly verificationTag?: number;
}

/** The result of dissecting one frame. */
export type DissectResult =
  | { readonly kind: "segment"; readonly segment: TransportSegment }
  | { readonly kind: "skip"; readonly reason: string };

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;

function skip(reason: string): DissectResult {
  return { kind: "skip", reason };
}

/** Finds the IP packet in a frame; returns its offset and version, or a skip reason. */
function ipStart(f: CaptureFrame): { at: number; version: number } | string {
  const d = f.data;
  const u16 = (o: number) => (d[o]! << 8) | d[o + 1]!;
  const byEthertype = (type: number, at: number) =>
    type === ETHERTYPE_IPV4
      ? { at, version: 4 }
      : type === ETHERTYPE_IPV6
      ? { at, version: 6 }
      : `ethertype 0x${type.toString(16).padStart(4, "0")} is not IP`;
  switch (f.linkType) {
    case 1: { // Ethernet, with 802.1Q / 802.1ad tags
      let o = 12;
      if (d.length < o + 2) return "Ethernet header cut short";
      let type = u16(o);
      while ((type === 0x8100 || type === 0x88a8 || type === 0x9100) && d.length >= o + 6) {
        o += 4;
        type = u16(o);
      }
      return byEthertype(type, o + 2);
    }
    case 101:
    case 12:
    case 14: // raw IP
      if (d.length < 1) return "empty frame";
      return { at: 0, version: d[0]! >> 4 };
    case 228:
      return { at: 0, version: 4 };
    case 229:
      return { at: 0, version: 6 };
    case 0: // BSD loopback: 4-byte address family in the capturing host's byte order
    case 108: { // OpenBSD loopback: network byte order
      if (d.length < 4) return "loopback header cut short";
      const fam = f.linkType === 108 || d[0] === 0
        ? ((d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!) >>> 0
        : (d[0]! | (d[1]! << 8) | (d[2]! << 16) | (d[3]! << 24)) >>> 0;
      if (fam === 2) return { at: 4, version: 4 };
      if (fam === 10 || fam === 24 || fam === 28 || fam === 30) return { at: 4, version: 6 };
      return `loopback address family ${fam} is not IP`;
    }
    case 113: // Linux cooked capture v1
      if (d.length < 16) return "SLL header cut short";
      return byEthertype(u16(14), 16);
    case 276: // Linux cooked capture v2
      if (d.length < 20) return "SLL2 header cut short";
      return byEthertype(u16(0), 20);
    default:
      return `link type ${f.linkType} is not supported`;
  }
}

/**
 * Dissects a frame down to its SCTP, UDP or TCP segment.
 *
 * @param frame A captured frame.
 * @returns The segment, or the reason it was skipped.
 * @example A frame of another link type is skipped
 * ```ts
 * import { dissectFrame } from "./packet.ts";
 * import assert from "node:assert/strict";
 * const r = dissectFrame({ number: 1, time: 0, linkType: 105, data: new Uint8Array(40) });
 * assert.equal(r.kind, "skip");
 * ```
 */
export function dissectFrame(frame: CaptureFrame): DissectResult {
  const start = ipStart(frame);
  if (typeof start === "string") return skip(start);
  const d = frame.data;
  let o = start.at;
  let proto: number, end: number, src: string, dst: string;
  if (start.version === 4) {
    if (d.length < o + 20) return skip("IPv4 header cut short");
    const ihl = (d[o]! & 0x0f) * 4;
    const total = (d[o + 2]! << 8) | d[o + 3]!;
    if (ihl < 20 || d.length < o + ihl) return skip("bad IPv4 header length");
    const frag = ((d[o + 6]! << 8) | d[o + 7]!) & 0x3fff;
    if (frag !== 0) return skip("IPv4 fragment (fragments are not reassembled)");
    proto = d[o + 9]!;
    src = formatIpAddress(d.subarray(o + 12, o + 16));
    dst = formatIpAddress(d.subarray(o + 16, o + 20));
    end = Math.min(d.length, o + Math.max(total, ihl));
    o += ihl;
  } else if (start.version === 6) {
    if (d.length < o + 40) return skip("IPv6 header cut short");
    const plen = (d[o + 4]! << 8) | d[o + 5]!;
    proto = d[o + 6]!;
    src = formatIpAddress(d.subarray(o + 8, o + 24));
    dst = formatIpAddress(d.subarray(o + 24, o + 40));
    end = Math.min(d.length, o + 40 + plen);
    o += 40;
    // Extension headers.
    for (let hops = 0; hops < 16; hops++) {
      if (proto === 0 || proto === 43 || proto === 60) {
        if (end < o + 8) return skip("IPv6 extension header cut short");
        const next = d[o]!;
        o += (d[o + 1]! + 1) * 8;
        proto = next;
      } else if (proto === 44) {
        if (end < o + 8) return skip("IPv6 fragment header cut short");
        const off = ((d[o + 2]! << 8) | d[o + 3]!) & 0xfff9;
        if (off !== 0) return skip("IPv6 fragment (fragments are not reassembled)");
        proto = d[o]!;
        o += 8;
      } else if (proto === 51) {
        if (end < o + 8) return skip("IPv6 AH header cut short");
        const next = d[o]!;
        o += (d[o + 1]! + 2) * 4;
        proto = next;
      } else break;
    }
  } else return skip(`IP version ${start.version} is not 4 or 6`);
  if (o > end) return skip("IP header runs past the packet");
  const u16 = (p: number) => (d[p]! << 8) | d[p + 1]!;
  const u32 = (p: number) =>
    ((d[p]! << 24) | (d[p + 1]! << 16) | (d[p + 2]! << 8) | d[p + 3]!) >>> 0;
  const base = { frame: frame.number, time: frame.time, src, dst };
  switch (proto) {
    case 132:
      if (end - o < 12) return skip("SCTP common header cut short");
      return {
        kind: "segment",
        segment: {
          ...base,
          protocol: "sctp",
          srcPort: u16(o),
          dstPort: u16(o + 2),
          verificationTag: u32(o + 4),
          payload: d.subarray(o + 12, end),
        },
      };
    case 17:
      if (end - o < 8) return skip("UDP header cut short");
      return {
        kind: "segment",
        segment: {
          ...base,
          protocol: "udp",
          srcPort: u16(o),
          dstPort: u16(o + 2),
          payload: d.subarray(o + 8, Math.min(end, o + Math.max(8, u16(o + 4)))),
        },
      };
    case 6: {
      if (end - o < 20) return skip("TCP header cut short");
      const off = (d[o + 12]! >> 4) * 4;
      if (off < 20 || end - o < off) return skip("bad TCP header length");
      return {
        kind: "segment",
        segment: {
          ...base,
          protocol: "tcp",
          srcPort: u16(o),
          dstPort: u16(o + 2),
          seq: u32(o + 4),
          syn: (d[o + 13]! & 0x02) !== 0,
          payload: d.subarray(o + off, end),
        },
      };
    }
    default:
      return skip(`IP protocol ${proto} is not SCTP, UDP or TCP`);
  }
}
