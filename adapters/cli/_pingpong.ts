// The Ping Pong Protocol of RSPLIB's PingPong service (IANA PPID 33), written from its message
// layout: a common header (type u8: 1 Ping, 2 Pong; flags u8; length u16 of the whole message),
// then for a Ping the message number (u64) and data, for a Pong the Ping's message number, the
// server's reply number (u64) and the Ping's data. All big-endian.

/** IANA PPID of the Ping Pong Protocol (RSPLIB). */
export const PPID_PINGPONG = 33;

const PING = 0x01, PONG = 0x02;
const PING_HEADER = 12, PONG_HEADER = 20;

/** A decoded Ping. */
export interface Ping {
  readonly messageNo: bigint;
  readonly data: Uint8Array;
}

/** A decoded Pong. */
export interface Pong {
  readonly messageNo: bigint;
  readonly replyNo: bigint;
  readonly data: Uint8Array;
}

function header(type: number, length: number): Uint8Array {
  if (length > 0xffff) {
    throw new RangeError(`Cannot encode Ping Pong message: ${length} bytes is too long`);
  }
  const out = new Uint8Array(length);
  out[0] = type;
  out[2] = length >> 8;
  out[3] = length & 0xff;
  return out;
}

/** Encodes a Ping. */
export function encodePing(messageNo: bigint, data: Uint8Array): Uint8Array {
  const out = header(PING, PING_HEADER + data.length);
  new DataView(out.buffer).setBigUint64(4, messageNo);
  out.set(data, PING_HEADER);
  return out;
}

/** Encodes a Pong. */
export function encodePong(messageNo: bigint, replyNo: bigint, data: Uint8Array): Uint8Array {
  const out = header(PONG, PONG_HEADER + data.length);
  const view = new DataView(out.buffer);
  view.setBigUint64(4, messageNo);
  view.setBigUint64(12, replyNo);
  out.set(data, PONG_HEADER);
  return out;
}

function declared(b: Uint8Array, type: number, min: number): number | undefined {
  if (b.length < min || b[0] !== type) return undefined;
  const length = (b[2]! << 8) | b[3]!;
  return length < min || length > b.length ? undefined : length;
}

/** Decodes a Ping, or `undefined` when the bytes are not one. */
export function decodePing(b: Uint8Array): Ping | undefined {
  const length = declared(b, PING, PING_HEADER);
  if (length === undefined) return undefined;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { messageNo: view.getBigUint64(4), data: b.slice(PING_HEADER, length) };
}

/** Decodes a Pong, or `undefined` when the bytes are not one. */
export function decodePong(b: Uint8Array): Pong | undefined {
  const length = declared(b, PONG, PONG_HEADER);
  if (length === undefined) return undefined;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    messageNo: view.getBigUint64(4),
    replyNo: view.getBigUint64(12),
    data: b.slice(PONG_HEADER, length),
  };
}
