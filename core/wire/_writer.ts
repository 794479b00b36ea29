// Internal writer of the wire encoder: a growable byte buffer owned by one
// WireEncoder, with a cached DataView, TLV lengths backfilled (RSPLIB's
// beginTLV/finishTLV technique) and zero padding to 4 bytes.
//
// Plain byte stores for 8- and 16-bit fields, the DataView for 32- and 64-bit
// ones. The buffer only grows (4x, copying the live bytes), and never beyond
// what one message can need, so a runaway input fails fast with a RangeError.

/** Initial buffer size: fits every common message without growing. */
const INITIAL_SIZE = 2048;

/** Largest buffer a writer grows to: one maximal message plus final padding. */
const MAX_SIZE = 65536 + 16;

/** A growable big-endian byte writer. */
export class Writer {
  buf: Uint8Array;
  view: DataView;
  pos = 0;
  /** 64-bit identifiers (NG profile). */
  readonly wide: boolean;
  /** Identifier width in bytes. */
  readonly idLen: number;
  /** Largest identifier of the profile. */
  readonly maxId: bigint;
  /** Name of the message being written, for error texts. */
  name = "";

  constructor(wide: boolean, initialSize = INITIAL_SIZE) {
    this.buf = new Uint8Array(initialSize);
    this.view = new DataView(this.buf.buffer);
    this.wide = wide;
    this.idLen = wide ? 8 : 4;
    this.maxId = wide ? 0xffffffffffffffffn : 0xffffffffn;
  }

  /** A RangeError with the std-style message prefix. */
  range(detail: string): RangeError {
    return new RangeError(`Cannot encode ${this.name}: ${detail}`);
  }

  /** A TypeError with the std-style message prefix. */
  type(detail: string): TypeError {
    return new TypeError(`Cannot encode ${this.name}: ${detail}`);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.#grow(n);
  }

  #grow(n: number): void {
    const need = this.pos + n;
    if (need > MAX_SIZE) {
      throw this.range(`the message exceeds the 65535-byte maximum of the Length field`);
    }
    let size = this.buf.length * 4;
    while (size < need) size *= 4;
    if (size > MAX_SIZE) size = MAX_SIZE;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    const b = this.buf, p = this.pos;
    b[p] = v >>> 8;
    b[p + 1] = v;
    this.pos = p + 2;
  }

  u32(v: number): void {
    this.view.setUint32(this.pos, v);
    this.pos += 4;
  }

  /** Writes an identifier of the profile's width; validates type and range. */
  id(v: bigint, what: string): void {
    if (typeof v !== "bigint") throw this.type(`${what} must be a bigint, got ${typeof v}`);
    if (v < 0n || v > this.maxId) {
      throw this.range(
        `${what} ${v} does not fit the ${this.wide ? "NG profile (64" : "RFC profile (32"} bits)`,
      );
    }
    if (this.wide) {
      this.view.setBigUint64(this.pos, v);
      this.pos += 8;
    } else {
      this.view.setUint32(this.pos, Number(v));
      this.pos += 4;
    }
  }

  /** Copies bytes (room must have been ensured). */
  bytes(v: Uint8Array): void {
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  /** Starts a TLV: writes the type and a length placeholder; returns the TLV start. */
  begin(type: number): number {
    this.ensure(4);
    const b = this.buf, p = this.pos;
    b[p] = type >>> 8;
    b[p + 1] = type;
    this.pos = p + 4;
    return p;
  }

  /** Finishes the TLV started at `start`: backfills its Length and zero-pads to 4 bytes. */
  finish(start: number): void {
    const len = this.pos - start;
    if (len > 0xffff) {
      throw this.range(`a parameter of ${len} bytes exceeds the 65535-byte maximum`);
    }
    const b = this.buf;
    b[start + 2] = len >>> 8;
    b[start + 3] = len;
    const pad = (4 - (len & 3)) & 3;
    if (pad !== 0) {
      this.ensure(pad);
      const buf = this.buf;
      for (let i = 0; i < pad; i++) buf[this.pos++] = 0;
    }
  }
}

/** Throws unless `v` is an unsigned 16-bit integer. */
export function checkU16(w: Writer, v: number, what: string): void {
  if ((v & 0xffff) !== v) {
    if (typeof v !== "number") throw w.type(`${what} must be a number, got ${typeof v}`);
    throw w.range(`${what} ${v} is not an unsigned 16-bit integer`);
  }
}

/** Throws unless `v` is an unsigned 32-bit integer. */
export function checkU32(w: Writer, v: number, what: string): void {
  if (v >>> 0 !== v) {
    if (typeof v !== "number") throw w.type(`${what} must be a number, got ${typeof v}`);
    throw w.range(`${what} ${v} is not an unsigned 32-bit integer`);
  }
}

/** Throws unless `v` is a Uint8Array. */
export function checkBytes(w: Writer, v: unknown, what: string): asserts v is Uint8Array {
  if (!(v instanceof Uint8Array)) throw w.type(`${what} must be a Uint8Array`);
}
