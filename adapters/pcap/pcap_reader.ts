/**
 * Reads capture files: classic pcap (both byte orders, micro- and nanosecond
 * timestamps) and pcapng (section header, interface description, enhanced,
 * simple and obsolete packet blocks; other blocks are skipped). Reading is
 * bounded by the file size: every length field is checked before use, and a
 * file cut short yields the frames before the cut with `truncated: true`.
 *
 * @module
 */

/** One captured frame. */
export interface CaptureFrame {
  /** Frame number, 1-based, in file order (as Wireshark numbers them). */
  readonly number: number;
  /** Capture time in seconds since the epoch. */
  readonly time: number;
  /** The LINKTYPE_* value of the frame's interface. */
  readonly linkType: number;
  /** The captured bytes (a view into the file). */
  readonly data: Uint8Array;
}

/** A capture file's frames. */
export interface Capture {
  /** The file format. */
  readonly format: "pcap" | "pcapng";
  /** The frames in file order. */
  readonly frames: readonly CaptureFrame[];
  /** Whether the file ended in the middle of a record. */
  readonly truncated: boolean;
}

/** A file that is not a capture file, with the offset where reading failed. */
export class CaptureFormatError extends SyntaxError {
  /** Byte offset of the problem. */
  readonly offset: number;

  /**
   * Creates the error.
   *
   * @param message What is wrong.
   * @param offset Where.
   */
  constructor(message: string, offset: number) {
    super(message);
    this.name = "CaptureFormatError";
    this.offset = offset;
  }
}

/** Largest frame accepted (Wireshark's default snap length maximum). */
const MAX_FRAME = 262144;

/**
 * Reads a classic pcap or pcapng file.
 *
 * @param file The file bytes.
 * @returns The frames.
 * @throws {CaptureFormatError} If the file is neither pcap nor pcapng.
 * @example Not a capture
 * ```ts
 * import { CaptureFormatError, readCapture } from "./pcap_reader.ts";
 * import assert from "node:assert/strict";
 * assert.throws(() => readCapture(new Uint8Array(32)), CaptureFormatError);
 * ```
 */
export function readCapture(file: Uint8Array): Capture {
  if (file.length < 12) throw new CaptureFormatError("Cannot read capture: file too short", 0);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const magicBe = view.getUint32(0, false);
  if (magicBe === 0x0a0d0d0a) return readPcapng(file, view);
  for (const little of [false, true]) {
    const m = view.getUint32(0, little);
    if (m === 0xa1b2c3d4 || m === 0xa1b23c4d) return readPcap(file, view, little, m === 0xa1b23c4d);
  }
  throw new CaptureFormatError(
    `Cannot read capture: magic 0x${magicBe.toString(16).padStart(8, "0")} is not pcap or pcapng`,
    0,
  );
}

function readPcap(file: Uint8Array, view: DataView, little: boolean, nanos: boolean): Capture {
  if (file.length < 24) throw new CaptureFormatError("Cannot read pcap: header cut short", 0);
  const linkType = view.getUint32(20, little) & 0xffff;
  const frames: CaptureFrame[] = [];
  let o = 24;
  let truncated = false;
  while (o < file.length) {
    if (file.length - o < 16) {
      truncated = true;
      break;
    }
    const sec = view.getUint32(o, little), frac = view.getUint32(o + 4, little);
    const incl = view.getUint32(o + 8, little);
    if (incl > MAX_FRAME) {
      throw new CaptureFormatError(`Cannot read pcap: record length ${incl} at offset ${o}`, o);
    }
    if (o + 16 + incl > file.length) {
      truncated = true;
      break;
    }
    frames.push({
      number: frames.length + 1,
      time: sec + frac / (nanos ? 1e9 : 1e6),
      linkType,
      data: file.subarray(o + 16, o + 16 + incl),
    });
    o += 16 + incl;
  }
  return { format: "pcap", frames, truncated };
}

interface Interface {
  linkType: number;
  /** Timestamp units per second. */
  units: number;
}

function readPcapng(file: Uint8Array, view: DataView): Capture {
  const frames: CaptureFrame[] = [];
  let interfaces: Interface[] = [];
  let little = true;
  let o = 0;
  let truncated = false;
  while (o < file.length) {
    if (file.length - o < 12) {
      truncated = true;
      break;
    }
    let type = view.getUint32(o, little);
    if (view.getUint32(o, false) === 0x0a0d0d0a) {
      // Section header: byte-order magic decides the section's endianness.
      const bom = view.getUint32(o + 8, true);
      if (bom === 0x1a2b3c4d) little = true;
      else if (bom === 0x4d3c2b1a) little = false;
      else {throw new CaptureFormatError(
          `Cannot read pcapng: byte-order magic at offset ${o + 8}`,
          o,
        );}
      type = 0x0a0d0d0a;
      interfaces = [];
    }
    const len = view.getUint32(o + 4, little);
    if (len < 12 || len % 4 !== 0) {
      throw new CaptureFormatError(`Cannot read pcapng: block length ${len} at offset ${o}`, o);
    }
    if (o + len > file.length) {
      truncated = true;
      break;
    }
    const body = o + 8, end = o + len - 4;
    if (type === 1 && end - body >= 8) {
      const linkType = view.getUint16(body, little);
      let units = 1e6;
      // Options: code u16, length u16, value padded to 4; if_tsresol is code 9.
      let p = body + 8;
      while (p + 4 <= end) {
        const code = view.getUint16(p, little), olen = view.getUint16(p + 2, little);
        if (code === 0) break;
        if (code === 9 && olen >= 1 && p + 5 <= end) {
          const v = file[p + 4]!;
          units = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v;
        }
        p += 4 + ((olen + 3) & ~3);
      }
      interfaces.push({ linkType, units });
    } else if ((type === 6 || type === 2) && end - body >= 20) {
      const ifIndex = type === 6 ? view.getUint32(body, little) : view.getUint16(body, little);
      const iface = interfaces[ifIndex];
      const hi = view.getUint32(body + 4, little), lo = view.getUint32(body + 8, little);
      const cap = view.getUint32(body + 12, little);
      if (iface !== undefined && cap <= end - (body + 20) && cap <= MAX_FRAME) {
        frames.push({
          number: frames.length + 1,
          time: (hi * 4294967296 + lo) / iface.units,
          linkType: iface.linkType,
          data: file.subarray(body + 20, body + 20 + cap),
        });
      }
    } else if (type === 3 && end - body >= 4) {
      const iface = interfaces[0];
      const orig = view.getUint32(body, little);
      const cap = Math.min(orig, end - (body + 4), MAX_FRAME);
      if (iface !== undefined) {
        frames.push({
          number: frames.length + 1,
          time: 0,
          linkType: iface.linkType,
          data: file.subarray(body + 4, body + 4 + cap),
        });
      }
    }
    o += len;
  }
  return { format: "pcapng", frames, truncated };
}
