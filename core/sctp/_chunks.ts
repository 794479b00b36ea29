// Value layouts of the chunks the engine implements (RFC 9260 section 3.3): decoders that return
// `undefined` for a malformed value (never throw), and writers into a PacketBuilder.

import type { PacketBuilder } from "./packet.ts";
import { readU32, writeU32 } from "./packet.ts";

/** DATA chunk flags. */
export const DataFlag = { End: 0x01, Begin: 0x02, Unordered: 0x04, Immediate: 0x08 } as const;
/** The T bit of ABORT and SHUTDOWN-COMPLETE: the verification tag is the sender's own. */
export const T_BIT = 0x01;

/** Bytes of a DATA chunk before the user data (chunk header included). */
export const DATA_HEADER_BYTES = 16;

/** A decoded DATA chunk. */
export interface DataChunk {
  readonly tsn: number;
  readonly stream: number;
  readonly ssn: number;
  readonly ppid: number;
  readonly flags: number;
  /** The user data (a view into the packet). */
  readonly payload: Uint8Array;
}

/** Decodes a DATA chunk value; `"empty"` when it has no user data, `undefined` when short. */
export function decodeData(flags: number, value: Uint8Array): DataChunk | "empty" | undefined {
  if (value.length < 12) return undefined;
  if (value.length === 12) return "empty";
  return {
    tsn: readU32(value, 0),
    stream: (value[4]! << 8) | value[5]!,
    ssn: (value[6]! << 8) | value[7]!,
    ppid: readU32(value, 8),
    flags,
    payload: value.subarray(12),
  };
}

/** Writes a DATA chunk. */
export function writeData(
  b: PacketBuilder,
  tsn: number,
  stream: number,
  ssn: number,
  ppid: number,
  flags: number,
  payload: Uint8Array,
): void {
  const at = b.reserveChunk(0, flags, 12 + payload.length);
  const buf = b.bytes;
  writeU32(buf, at, tsn);
  buf[at + 4] = stream >>> 8;
  buf[at + 5] = stream & 0xff;
  buf[at + 6] = ssn >>> 8;
  buf[at + 7] = ssn & 0xff;
  writeU32(buf, at + 8, ppid);
  buf.set(payload, at + 12);
}

/** The fixed part of INIT and INIT-ACK, with the raw parameters. */
export interface InitChunk {
  readonly initiateTag: number;
  readonly arwnd: number;
  readonly outboundStreams: number;
  readonly inboundStreams: number;
  readonly initialTsn: number;
  /** The parameters' bytes (a view). */
  readonly params: Uint8Array;
}

/** Decodes an INIT or INIT-ACK value (`undefined` when shorter than its fixed part). */
export function decodeInit(value: Uint8Array): InitChunk | undefined {
  if (value.length < 16) return undefined;
  return {
    initiateTag: readU32(value, 0),
    arwnd: readU32(value, 4),
    outboundStreams: (value[8]! << 8) | value[9]!,
    inboundStreams: (value[10]! << 8) | value[11]!,
    initialTsn: readU32(value, 12),
    params: value.subarray(16),
  };
}

/** Encodes an INIT or INIT-ACK value. */
export function encodeInit(init: Omit<InitChunk, "params">, params: Uint8Array): Uint8Array {
  const out = new Uint8Array(16 + params.length);
  writeU32(out, 0, init.initiateTag);
  writeU32(out, 4, init.arwnd);
  out[8] = init.outboundStreams >>> 8;
  out[9] = init.outboundStreams & 0xff;
  out[10] = init.inboundStreams >>> 8;
  out[11] = init.inboundStreams & 0xff;
  writeU32(out, 12, init.initialTsn);
  out.set(params, 16);
  return out;
}

/** A decoded SACK. Gap blocks are offsets from the cumulative TSN ack, as on the wire. */
export interface SackChunk {
  readonly cumTsn: number;
  readonly arwnd: number;
  /** Gap ack blocks as [start, end] offset pairs, flattened. */
  readonly gaps: readonly number[];
  readonly dups: readonly number[];
}

/** Decodes a SACK value (`undefined` when its counts do not match its length). */
export function decodeSack(value: Uint8Array): SackChunk | undefined {
  if (value.length < 12) return undefined;
  const nGaps = (value[8]! << 8) | value[9]!;
  const nDups = (value[10]! << 8) | value[11]!;
  if (12 + 4 * nGaps + 4 * nDups !== value.length) return undefined;
  const gaps: number[] = [];
  let at = 12;
  for (let i = 0; i < nGaps; i++, at += 4) {
    gaps.push((value[at]! << 8) | value[at + 1]!, (value[at + 2]! << 8) | value[at + 3]!);
  }
  const dups: number[] = [];
  for (let i = 0; i < nDups; i++, at += 4) dups.push(readU32(value, at));
  return { cumTsn: readU32(value, 0), arwnd: readU32(value, 4), gaps, dups };
}

/** Writes a SACK. `gaps` are [start, end] offset pairs, flattened. */
export function writeSack(
  b: PacketBuilder,
  cumTsn: number,
  arwnd: number,
  gaps: readonly number[],
  gapCount: number,
  dups: readonly number[],
  dupCount: number,
): void {
  const at = b.reserveChunk(3, 0, 12 + 4 * gapCount + 4 * dupCount);
  const buf = b.bytes;
  writeU32(buf, at, cumTsn);
  writeU32(buf, at + 4, arwnd);
  buf[at + 8] = gapCount >>> 8;
  buf[at + 9] = gapCount & 0xff;
  buf[at + 10] = dupCount >>> 8;
  buf[at + 11] = dupCount & 0xff;
  let p = at + 12;
  for (let i = 0; i < gapCount; i++, p += 4) {
    const s = gaps[2 * i]!, e = gaps[2 * i + 1]!;
    buf[p] = s >>> 8;
    buf[p + 1] = s & 0xff;
    buf[p + 2] = e >>> 8;
    buf[p + 3] = e & 0xff;
  }
  for (let i = 0; i < dupCount; i++, p += 4) writeU32(buf, p, dups[i]!);
}

/** SACK value size for the given counts. */
export function sackValueBytes(gapCount: number, dupCount: number): number {
  return 12 + 4 * gapCount + 4 * dupCount;
}

/** Decodes a SHUTDOWN value: the cumulative TSN ack (`undefined` unless exactly 4 bytes). */
export function decodeShutdown(value: Uint8Array): number | undefined {
  return value.length === 4 ? readU32(value, 0) : undefined;
}

/** Encodes a SHUTDOWN value. */
export function encodeShutdown(cumTsn: number): Uint8Array {
  const out = new Uint8Array(4);
  writeU32(out, 0, cumTsn);
  return out;
}

/** Wraps heartbeat information in its Heartbeat Info parameter (type 1): a HEARTBEAT value. */
export function encodeHeartbeat(info: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + info.length);
  out[0] = 0;
  out[1] = 1;
  out[2] = (4 + info.length) >>> 8;
  out[3] = (4 + info.length) & 0xff;
  out.set(info, 4);
  return out;
}

/** The heartbeat information of a HEARTBEAT or HEARTBEAT-ACK value, or `undefined`. */
export function decodeHeartbeat(value: Uint8Array): Uint8Array | undefined {
  if (value.length < 4) return undefined;
  const type = (value[0]! << 8) | value[1]!;
  const len = (value[2]! << 8) | value[3]!;
  if (type !== 1 || len < 4 || len > value.length) return undefined;
  return value.subarray(4, len);
}
