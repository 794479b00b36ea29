/**
 * Finds the ASAP and ENRP messages in a capture:
 *
 * - SCTP: DATA chunks (fragmented messages reassembled) and unfragmented
 *   I-DATA chunks with an RSerPool PPID (11 ASAP, 12 ENRP, and the NG PPIDs
 *   "NGAS"/"NGEN", which also give the profile), or with PPID 0 on port 3863
 *   (ASAP) / 9901 (ENRP). Chunks with other PPIDs are application data.
 * - UDP on port 3863 (ASAP: Server Announce) and 9901 (ENRP: Presence).
 * - TCP: each direction of a connection is reassembled in sequence order (up
 *   to the first gap). A stream that starts with plausible framing-shim frames
 *   (12-byte header `type u8 | flags u8 | stream u16 | ppid u32 | length u32`,
 *   type 0x01 = DATA) carrying an RSerPool PPID is read frame by frame, on any
 *   port; otherwise a stream on port 3863 (ASAP) or 9901 (ENRP) is read as
 *   raw concatenated messages delimited by their Length field, which is how
 *   Wireshark decodes ASAP on TCP port 3863.
 *
 * Work and memory are bounded: per-flow reassembly stops at `maxFlowBytes`,
 * and pending SCTP fragments are capped.
 *
 * @module
 */

import { ASAP_PORT, classifyPpid, ENRP_PORT, type WireProfile } from "../../core/wire/profile.ts";
import { dissectFrame, type TransportSegment } from "./packet.ts";
import type { Capture } from "./pcap_reader.ts";

/** One ASAP or ENRP message found in a capture. */
export interface RserpoolPayload {
  /** Number of the frame that completed the message. */
  readonly frame: number;
  /** Capture time of that frame, in seconds. */
  readonly time: number;
  /** Transport protocol. */
  readonly transport: "sctp" | "udp" | "tcp";
  /** How the message was delimited: an SCTP chunk, a UDP datagram, a shim frame or raw TCP. */
  readonly framing: "sctp" | "udp" | "shim" | "raw";
  /** Source address. */
  readonly src: string;
  /** Destination address. */
  readonly dst: string;
  /** Source port. */
  readonly srcPort: number;
  /** Destination port. */
  readonly dstPort: number;
  /** The PPID (SCTP and shim frames). */
  readonly ppid?: number;
  /** The stream number (SCTP and shim frames). */
  readonly stream?: number;
  /** ASAP or ENRP. */
  readonly protocol: "asap" | "enrp";
  /** The profile the PPID implies (absent when only the port identified the protocol). */
  readonly profile?: WireProfile;
  /** The message bytes. */
  readonly bytes: Uint8Array;
}

/** Options of {@link extractRserpoolPayloads}. */
export interface ExtractOptions {
  /** Bytes reassembled per TCP direction at most (default 16 MiB). */
  readonly maxFlowBytes?: number;
}

/** The messages found, and notes on what was skipped or cut short. */
export interface ExtractResult {
  /** The ASAP and ENRP messages, in frame order. */
  readonly payloads: readonly RserpoolPayload[];
  /** Human-readable notes ("frame 7: TCP stream ... has a gap", ...). */
  readonly notes: readonly string[];
}

/** Shim frame header size and the DATA frame type. */
const SHIM_HEADER = 12;
const SHIM_DATA = 0x01;
/** Largest shim frame a plausible stream carries. */
const SHIM_MAX_FRAME = 1 << 24;
/** Pending SCTP fragments kept at most (messages, bytes). */
const MAX_PENDING_FRAGMENTS = 4096;
const MAX_PENDING_BYTES = 16 << 20;

function byPort(s: TransportSegment): "asap" | "enrp" | undefined {
  if (s.srcPort === ASAP_PORT || s.dstPort === ASAP_PORT) return "asap";
  if (s.srcPort === ENRP_PORT || s.dstPort === ENRP_PORT) return "enrp";
  return undefined;
}

interface Fragment {
  tsn: number;
  flags: number;
  data: Uint8Array;
}

interface TcpSegment {
  seq: number;
  frame: number;
  time: number;
  data: Uint8Array;
}

interface TcpFlow {
  first: TransportSegment;
  isn?: number;
  segments: TcpSegment[];
  bytes: number;
}

/**
 * Finds every ASAP and ENRP message in a capture (see the module documentation).
 *
 * @param capture A read capture file.
 * @param options Bounds.
 * @returns The messages and notes.
 * @example A Server Announce datagram
 * ```ts
 * import { PcapWriter } from "./pcap_writer.ts";
 * import { readCapture } from "./pcap_reader.ts";
 * import { extractRserpoolPayloads } from "./rserpool_payloads.ts";
 * import assert from "node:assert/strict";
 * const w = new PcapWriter();
 * w.addUdp({ src: "192.0.2.1", dst: "239.0.0.50", srcPort: 3863, dstPort: 3863 },
 *   new Uint8Array([0x0a, 0, 0, 8, 0, 0, 0, 1]));
 * const { payloads } = extractRserpoolPayloads(readCapture(w.bytes()));
 * assert.equal(payloads[0]?.protocol, "asap");
 * ```
 */
export function extractRserpoolPayloads(
  capture: Capture,
  options: ExtractOptions = {},
): ExtractResult {
  const maxFlow = options.maxFlowBytes ?? 16 << 20;
  const payloads: RserpoolPayload[] = [];
  const notes: string[] = [];
  const fragments = new Map<string, Fragment[]>();
  let pendingBytes = 0;
  const flows = new Map<string, TcpFlow>();

  const emit = (
    s: TransportSegment,
    framing: RserpoolPayload["framing"],
    protocol: "asap" | "enrp",
    bytes: Uint8Array,
    extra: { ppid?: number; stream?: number; profile?: WireProfile; frame?: number; time?: number },
  ) => {
    const p: Record<string, unknown> = {
      frame: extra.frame ?? s.frame,
      time: extra.time ?? s.time,
      transport: s.protocol,
      framing,
      src: s.src,
      dst: s.dst,
      srcPort: s.srcPort,
      dstPort: s.dstPort,
    };
    if (extra.ppid !== undefined) p.ppid = extra.ppid;
    if (extra.stream !== undefined) p.stream = extra.stream;
    p.protocol = protocol;
    if (extra.profile !== undefined) p.profile = extra.profile;
    p.bytes = bytes;
    payloads.push(p as unknown as RserpoolPayload);
  };

  const sctpData = (s: TransportSegment, ppid: number, stream: number, data: Uint8Array) => {
    const meaning = classifyPpid(ppid);
    if (meaning.protocol !== "data") {
      emit(s, "sctp", meaning.protocol, data, { ppid, stream, profile: meaning.profile });
      return;
    }
    if (ppid !== 0) return; // application data
    const proto = byPort(s);
    if (proto !== undefined) emit(s, "sctp", proto, data, { ppid, stream });
  };

  for (const frame of capture.frames) {
    const r = dissectFrame(frame);
    if (r.kind === "skip") continue;
    const s = r.segment;
    if (s.protocol === "udp") {
      const proto = byPort(s);
      if (proto !== undefined && s.payload.length > 0) emit(s, "udp", proto, s.payload.slice(), {});
      continue;
    }
    if (s.protocol === "tcp") {
      if (s.payload.length === 0 && !s.syn) continue;
      const key = `${s.src}|${s.srcPort}|${s.dst}|${s.dstPort}`;
      let flow = flows.get(key);
      if (flow === undefined) flows.set(key, flow = { first: s, segments: [], bytes: 0 });
      if (s.syn) flow.isn = s.seq!;
      if (s.payload.length > 0) {
        if (flow.bytes + s.payload.length > maxFlow) {
          if (flow.bytes <= maxFlow) {
            notes.push(
              `frame ${s.frame}: TCP ${key} exceeds ${maxFlow} bytes; the rest is ignored`,
            );
          }
          flow.bytes = maxFlow + 1;
          continue;
        }
        flow.bytes += s.payload.length;
        flow.segments.push({ seq: s.seq!, frame: s.frame, time: s.time, data: s.payload });
      }
      continue;
    }
    // SCTP chunks.
    const c = s.payload;
    let o = 0;
    while (o + 4 <= c.length) {
      const type = c[o]!, flags = c[o + 1]!, len = (c[o + 2]! << 8) | c[o + 3]!;
      if (len < 4 || o + len > c.length) {
        notes.push(`frame ${s.frame}: SCTP chunk length ${len} at offset ${o} is invalid`);
        break;
      }
      if (type === 0 && len >= 16) { // DATA
        const tsn = ((c[o + 4]! << 24) | (c[o + 5]! << 16) | (c[o + 6]! << 8) | c[o + 7]!) >>> 0;
        const stream = (c[o + 8]! << 8) | c[o + 9]!;
        const ssn = (c[o + 10]! << 8) | c[o + 11]!;
        const ppid = ((c[o + 12]! << 24) | (c[o + 13]! << 16) | (c[o + 14]! << 8) | c[o + 15]!) >>>
          0;
        const data = c.subarray(o + 16, o + len);
        if ((flags & 0x03) === 0x03) sctpData(s, ppid, stream, data.slice());
        else {
          // Fragment: collect by association direction, stream and (ordered) SSN.
          const key = `${s.src}|${s.srcPort}|${s.dst}|${s.dstPort}|${s.verificationTag}|${stream}|${
            flags & 0x04 ? "u" : ssn
          }`;
          let list = fragments.get(key);
          if (list === undefined) {
            if (fragments.size >= MAX_PENDING_FRAGMENTS) {
              notes.push(`frame ${s.frame}: too many pending SCTP fragments; fragment dropped`);
              o += (len + 3) & ~3;
              continue;
            }
            fragments.set(key, list = []);
          }
          if (pendingBytes + data.length > MAX_PENDING_BYTES) {
            notes.push(
              `frame ${s.frame}: pending SCTP fragments exceed ${MAX_PENDING_BYTES} bytes`,
            );
          } else {
            pendingBytes += data.length;
            list.push({ tsn, flags, data: data.slice() });
            const whole = assemble(list);
            if (whole !== undefined) {
              fragments.delete(key);
              for (const f of list) pendingBytes -= f.data.length;
              sctpData(s, ppid, stream, whole);
            }
          }
        }
      } else if (type === 64 && len >= 20 && (flags & 0x03) === 0x03) { // I-DATA, unfragmented
        const stream = (c[o + 8]! << 8) | c[o + 9]!;
        const ppid = ((c[o + 16]! << 24) | (c[o + 17]! << 16) | (c[o + 18]! << 8) | c[o + 19]!) >>>
          0;
        sctpData(s, ppid, stream, c.slice(o + 20, o + len));
      }
      o += (len + 3) & ~3;
    }
  }
  for (const [key, list] of fragments) {
    notes.push(`SCTP ${key}: ${list.length} fragment(s) of an incomplete message at the end`);
  }

  for (const [key, flow] of flows) readTcpFlow(key, flow, emit, notes);

  payloads.sort((a, b) => a.frame - b.frame);
  return { payloads, notes };
}

/** Reassembles a fragmented SCTP message once its B..E fragments are all present. */
function assemble(list: Fragment[]): Uint8Array | undefined {
  const end = list.find((f) => f.flags & 0x01);
  const begin = list.find((f) => f.flags & 0x02);
  if (end === undefined || begin === undefined) return undefined;
  const count = ((end.tsn - begin.tsn) >>> 0) + 1;
  if (count > list.length) return undefined;
  const parts: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const tsn = (begin.tsn + i) >>> 0;
    const f = list.find((x) => x.tsn === tsn);
    if (f === undefined) return undefined;
    parts.push(f.data);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

type Emit = (
  s: TransportSegment,
  framing: RserpoolPayload["framing"],
  protocol: "asap" | "enrp",
  bytes: Uint8Array,
  extra: { ppid?: number; stream?: number; profile?: WireProfile; frame?: number; time?: number },
) => void;

/** Reassembles one TCP direction and reads shim frames or raw messages from it. */
function readTcpFlow(key: string, flow: TcpFlow, emit: Emit, notes: string[]): void {
  if (flow.segments.length === 0) return;
  const base = flow.isn !== undefined ? (flow.isn + 1) >>> 0 : minSeq(flow.segments);
  const segs = flow.segments
    .map((s) => ({ ...s, rel: (s.seq - base) | 0 }))
    .filter((s) => s.rel + s.data.length > 0)
    .sort((a, b) => a.rel - b.rel);
  // Contiguous bytes from relative offset 0, with the frame that delivered each segment.
  const chunks: Uint8Array[] = [];
  const marks: { end: number; frame: number; time: number }[] = [];
  let have = 0;
  for (const s of segs) {
    if (s.rel > have) {
      notes.push(`frame ${s.frame}: TCP ${key} has a gap at stream offset ${have}; reading stops`);
      break;
    }
    const from = have - s.rel;
    if (from >= s.data.length) continue; // retransmission
    chunks.push(s.data.subarray(from));
    have += s.data.length - from;
    marks.push({ end: have, frame: s.frame, time: s.time });
  }
  const stream = new Uint8Array(have);
  let o = 0;
  for (const c of chunks) {
    stream.set(c, o);
    o += c.length;
  }
  // The frame that delivered the byte at offset `at` (exclusive end).
  let mi = 0;
  const frameAt = (endOffset: number) => {
    while (mi < marks.length - 1 && marks[mi]!.end < endOffset) mi++;
    return marks[mi]!;
  };
  const s = flow.first;
  if (looksLikeShim(stream)) {
    let p = 0;
    while (p + SHIM_HEADER <= stream.length) {
      const type = stream[p]!;
      const sid = (stream[p + 2]! << 8) | stream[p + 3]!;
      const ppid = ((stream[p + 4]! << 24) | (stream[p + 5]! << 16) | (stream[p + 6]! << 8) |
        stream[p + 7]!) >>> 0;
      const len = ((stream[p + 8]! << 24) | (stream[p + 9]! << 16) | (stream[p + 10]! << 8) |
        stream[p + 11]!) >>> 0;
      if (len > SHIM_MAX_FRAME) {
        notes.push(
          `TCP ${key}: shim frame length ${len} at stream offset ${p} is implausible; reading stops`,
        );
        return;
      }
      if (p + SHIM_HEADER + len > stream.length) {
        notes.push(`TCP ${key}: shim frame at stream offset ${p} is cut short`);
        return;
      }
      const meaning = classifyPpid(ppid);
      if (type === SHIM_DATA && meaning.protocol !== "data") {
        const at = frameAt(p + SHIM_HEADER + len);
        emit(s, "shim", meaning.protocol, stream.slice(p + SHIM_HEADER, p + SHIM_HEADER + len), {
          ppid,
          stream: sid,
          profile: meaning.profile,
          frame: at.frame,
          time: at.time,
        });
      }
      p += SHIM_HEADER + len;
    }
    return;
  }
  const proto = byPort(s);
  if (proto === undefined) return;
  let p = 0;
  while (p + 4 <= stream.length) {
    const len = (stream[p + 2]! << 8) | stream[p + 3]!;
    if (len < 4) {
      notes.push(`TCP ${key}: message Length ${len} at stream offset ${p}; reading stops`);
      return;
    }
    if (p + len > stream.length) {
      notes.push(`TCP ${key}: message at stream offset ${p} is cut short`);
      return;
    }
    const next = Math.min(p + ((len + 3) & ~3), stream.length);
    const at = frameAt(p + len);
    emit(s, "raw", proto, stream.slice(p, next), { frame: at.frame, time: at.time });
    p = next;
  }
  if (p < stream.length) notes.push(`TCP ${key}: ${stream.length - p} trailing byte(s)`);
}

function minSeq(segs: TcpSegment[]): number {
  let base = segs[0]!.seq;
  for (const s of segs) if (((s.seq - base) | 0) < 0) base = s.seq;
  return base;
}

/**
 * Whether a TCP stream starts with framing-shim frames: the first frames (up
 * to 8, or as many as the stream holds) have sane headers and lengths that
 * fit, and at least one of them is a DATA frame with an RSerPool PPID.
 */
function looksLikeShim(stream: Uint8Array): boolean {
  let p = 0, frames = 0, rserpool = false;
  while (frames < 8 && p + SHIM_HEADER <= stream.length) {
    const type = stream[p]!;
    const ppid = ((stream[p + 4]! << 24) | (stream[p + 5]! << 16) | (stream[p + 6]! << 8) |
      stream[p + 7]!) >>> 0;
    const len = ((stream[p + 8]! << 24) | (stream[p + 9]! << 16) | (stream[p + 10]! << 8) |
      stream[p + 11]!) >>> 0;
    if (type === 0 || type > 0x0f || len > SHIM_MAX_FRAME) return false;
    if (p + SHIM_HEADER + len > stream.length) break; // the last frame may be cut short
    if (type === SHIM_DATA && classifyPpid(ppid).protocol !== "data") rserpool = true;
    p += SHIM_HEADER + len;
    frames++;
  }
  return frames > 0 && rserpool;
}
