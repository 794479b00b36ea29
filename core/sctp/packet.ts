/**
 * SCTP packets (RFC 9260 section 3): the 12-byte common header, the CRC32c checksum, the list of
 * chunks, and a builder that bundles chunks into one packet. Over UDP encapsulation (RFC 6951)
 * such a packet is the whole UDP payload.
 *
 * ```text
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Source Port Number        |     Destination Port Number   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      Verification Tag                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  Checksum (CRC32c, little-endian)             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Chunk Type    | Chunk Flags   |        Chunk Length           |  ... chunks, each padded
 * ```
 *
 * @module
 */

import { crc32c } from "./crc32c.ts";

/** Size of the common header. */
export const COMMON_HEADER_BYTES = 12;
/** Size of a chunk header (type, flags, length). */
export const CHUNK_HEADER_BYTES = 4;

/** The common header of a packet. */
export interface PacketHeader {
  /** The sender's SCTP port. */
  readonly srcPort: number;
  /** The receiver's SCTP port. */
  readonly dstPort: number;
  /** The verification tag. */
  readonly vtag: number;
}

/** One chunk as found in a packet. */
export interface RawChunk {
  /** The chunk type. */
  readonly type: number;
  /** The chunk flags. */
  readonly flags: number;
  /** The chunk value without header and padding (a view into the packet). */
  readonly value: Uint8Array;
}

/**
 * The outcome of {@link decodePacket}: the header and chunks, or why the packet is unusable.
 * Reasons: `short` (under 12 bytes), `checksum` (CRC32c mismatch), `chunk-length` (a chunk length
 * under 4 or past the end of the packet), `no-chunks`.
 */
export type PacketDecodeResult =
  | {
    /** A well-formed packet. */
    readonly kind: "packet";
    /** Its common header. */
    readonly header: PacketHeader;
    /** Its chunks, in order. */
    readonly chunks: readonly RawChunk[];
  }
  | {
    /** An unusable packet, to be dropped. */
    readonly kind: "malformed";
    /** Why. */
    readonly reason: "short" | "checksum" | "chunk-length" | "no-chunks";
  };

/**
 * Decodes a packet: checks the length and the CRC32c, then splits the chunks. Never throws.
 *
 * @param bytes The packet (a UDP payload).
 * @param verifyChecksum Check the CRC32c (default true).
 * @returns The header and chunks, or `malformed`.
 * @example A packet built and decoded
 * ```ts
 * import { decodePacket, PacketBuilder } from "./packet.ts";
 * import assert from "node:assert/strict";
 * const b = new PacketBuilder(1200, 5000, 3863, 0x1234);
 * b.addChunk(11, 0, new Uint8Array(0)); // COOKIE-ACK
 * const bytes = b.finish();
 * const r = decodePacket(bytes);
 * assert.equal(r.kind, "packet");
 * if (r.kind === "packet") assert.equal(r.chunks[0]!.type, 11);
 * bytes[13] = bytes[13]! ^ 1;
 * assert.deepEqual(decodePacket(bytes), { kind: "malformed", reason: "checksum" });
 * ```
 */
export function decodePacket(bytes: Uint8Array, verifyChecksum = true): PacketDecodeResult {
  if (bytes.length < COMMON_HEADER_BYTES) return { kind: "malformed", reason: "short" };
  if (verifyChecksum && readChecksum(bytes) !== computeChecksum(bytes)) {
    return { kind: "malformed", reason: "checksum" };
  }
  const header: PacketHeader = {
    srcPort: (bytes[0]! << 8) | bytes[1]!,
    dstPort: (bytes[2]! << 8) | bytes[3]!,
    vtag: readU32(bytes, 4),
  };
  const chunks: RawChunk[] = [];
  let at = COMMON_HEADER_BYTES;
  while (at < bytes.length) {
    if (at + CHUNK_HEADER_BYTES > bytes.length) {
      return { kind: "malformed", reason: "chunk-length" };
    }
    const len = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (len < CHUNK_HEADER_BYTES || at + len > bytes.length) {
      return { kind: "malformed", reason: "chunk-length" };
    }
    chunks.push({
      type: bytes[at]!,
      flags: bytes[at + 1]!,
      value: bytes.subarray(at + CHUNK_HEADER_BYTES, at + len),
    });
    // The last chunk's padding may be missing (RFC 9260 3.2 says the sender adds it; be lenient).
    at += (len + 3) & ~3;
  }
  if (chunks.length === 0) return { kind: "malformed", reason: "no-chunks" };
  return { kind: "packet", header, chunks };
}

/**
 * The CRC32c of a packet with its checksum field taken as zero.
 *
 * @param bytes The packet (at least 12 bytes).
 * @returns The checksum value as an unsigned integer.
 * @example Agrees with the value the builder stores
 * ```ts
 * import { computeChecksum, PacketBuilder, readChecksum } from "./packet.ts";
 * import assert from "node:assert/strict";
 * const b = new PacketBuilder(1200, 1, 2, 3);
 * b.addChunk(11, 0, new Uint8Array(0));
 * const bytes = b.finish();
 * assert.equal(readChecksum(bytes), computeChecksum(bytes));
 * ```
 */
export function computeChecksum(bytes: Uint8Array): number {
  let crc = crc32c(bytes, 0, 0, 8);
  crc = crc32c(ZERO4, crc);
  return crc32c(bytes, crc, 12, bytes.length);
}

/**
 * The checksum stored in a packet (the CRC32c's bytes are stored least significant first).
 *
 * @param bytes The packet.
 * @returns The stored checksum.
 * @example Read it back
 * ```ts
 * import { readChecksum } from "./packet.ts";
 * import assert from "node:assert/strict";
 * const p = new Uint8Array(12);
 * p.set([0x1f, 0x5e, 0xdd, 0x6f], 8);
 * assert.equal(readChecksum(p), 0x6fdd5e1f);
 * ```
 */
export function readChecksum(bytes: Uint8Array): number {
  return (bytes[8]! | (bytes[9]! << 8) | (bytes[10]! << 16) | (bytes[11]! << 24)) >>> 0;
}

const ZERO4 = new Uint8Array(4);

/** The buffer of the last finished builder, for the next one of the same capacity. */
let spare: Uint8Array | undefined;

/**
 * Bundles chunks into one packet of at most `capacity` bytes. Write the chunks with
 * {@link addChunk} or {@link reserveChunk}, then {@link finish} fills in the checksum.
 *
 * @example Bundle two chunks
 * ```ts
 * import { decodePacket, PacketBuilder } from "./packet.ts";
 * import assert from "node:assert/strict";
 * const b = new PacketBuilder(1200, 1, 2, 7);
 * b.addChunk(4, 0, new Uint8Array([0, 1, 0, 5, 9])); // HEARTBEAT, padded to 12 bytes
 * b.addChunk(11, 0, new Uint8Array(0));
 * assert.equal(b.length, 12 + 12 + 4);
 * const r = decodePacket(b.finish());
 * assert.equal(r.kind === "packet" && r.chunks.length, 2);
 * ```
 */
export class PacketBuilder {
  #buf: Uint8Array;
  #at = COMMON_HEADER_BYTES;
  #chunks = 0;

  /**
   * Starts a packet.
   *
   * @param capacity The largest packet size in bytes (the path MTU left for SCTP).
   * @param srcPort Our SCTP port.
   * @param dstPort The peer's SCTP port.
   * @param vtag The verification tag.
   */
  constructor(capacity: number, srcPort: number, dstPort: number, vtag: number) {
    // Builders are used one after the other: reuse the last one's buffer (finish() copies out).
    let buf = spare;
    if (buf !== undefined && buf.length === capacity) spare = undefined;
    else buf = new Uint8Array(capacity);
    buf[0] = srcPort >>> 8;
    buf[1] = srcPort & 0xff;
    buf[2] = dstPort >>> 8;
    buf[3] = dstPort & 0xff;
    writeU32(buf, 4, vtag);
    this.#buf = buf;
  }

  /** Bytes written so far (header and padded chunks). */
  get length(): number {
    return this.#at;
  }

  /** Bytes still free. */
  get room(): number {
    return this.#buf.length - this.#at;
  }

  /** Chunks added so far. */
  get chunkCount(): number {
    return this.#chunks;
  }

  /**
   * Whether a chunk with a value of `valueBytes` bytes still fits.
   *
   * @param valueBytes The chunk value's size.
   * @returns True when it fits (with header and padding).
   */
  fits(valueBytes: number): boolean {
    return this.#at + ((CHUNK_HEADER_BYTES + valueBytes + 3) & ~3) <= this.#buf.length;
  }

  /**
   * Appends a chunk header for a value of `valueBytes` bytes and returns where the value goes;
   * the caller writes the value into {@link bytes} there. The padding is zero.
   *
   * @param type The chunk type.
   * @param flags The chunk flags.
   * @param valueBytes The value's size.
   * @returns The offset of the value in {@link bytes}.
   */
  reserveChunk(type: number, flags: number, valueBytes: number): number {
    const len = CHUNK_HEADER_BYTES + valueBytes;
    if (len > 0xffff) throw new RangeError(`Cannot add a chunk of ${len} bytes: over 65535`);
    const padded = (len + 3) & ~3;
    if (this.#at + padded > this.#buf.length) {
      throw new RangeError(`Cannot add a chunk of ${len} bytes: ${this.room} bytes left`);
    }
    const buf = this.#buf, at = this.#at;
    buf[at] = type;
    buf[at + 1] = flags;
    buf[at + 2] = len >>> 8;
    buf[at + 3] = len & 0xff;
    for (let i = at + len; i < at + padded; i++) buf[i] = 0; // the buffer may be reused
    this.#at = at + padded;
    this.#chunks++;
    return at + CHUNK_HEADER_BYTES;
  }

  /**
   * Appends a chunk with the given value.
   *
   * @param type The chunk type.
   * @param flags The chunk flags.
   * @param value The value.
   */
  addChunk(type: number, flags: number, value: Uint8Array): void {
    const at = this.reserveChunk(type, flags, value.length);
    this.#buf.set(value, at);
  }

  /** The packet buffer being written (for values written in place after {@link reserveChunk}). */
  get bytes(): Uint8Array {
    return this.#buf;
  }

  /**
   * Writes the checksum and returns the packet. The builder must not be used afterwards (its
   * buffer is reused by the next builder).
   *
   * @returns The packet bytes, exactly as long as the packet, owned by the caller.
   */
  finish(): Uint8Array {
    const out = this.#buf.slice(0, this.#at);
    const crc = computeChecksum(out);
    out[8] = crc & 0xff;
    out[9] = (crc >>> 8) & 0xff;
    out[10] = (crc >>> 16) & 0xff;
    out[11] = crc >>> 24;
    spare = this.#buf;
    return out;
  }
}

/**
 * Reads a big-endian unsigned 32-bit integer.
 *
 * @param b The bytes.
 * @param at The offset.
 * @returns The value.
 * @example Read
 * ```ts
 * import { readU32 } from "./packet.ts";
 * import assert from "node:assert/strict";
 * assert.equal(readU32(new Uint8Array([0xde, 0xad, 0xbe, 0xef]), 0), 0xdeadbeef);
 * ```
 */
export function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/**
 * Writes a big-endian unsigned 32-bit integer.
 *
 * @param b The bytes.
 * @param at The offset.
 * @param v The value.
 * @example Write
 * ```ts
 * import { readU32, writeU32 } from "./packet.ts";
 * import assert from "node:assert/strict";
 * const b = new Uint8Array(4);
 * writeU32(b, 0, 0xcafef00d);
 * assert.equal(readU32(b, 0), 0xcafef00d);
 * ```
 */
export function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}
