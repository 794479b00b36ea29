// Internal cursor of the wire decoder: bounds-checked reads over one message,
// the TLV walk with the action-bit rules, and the failure signal.
//
// Offsets are relative to the first byte of the message (bytes[0]); every
// container (message body, parameter value) starts 4-byte aligned, so padding
// arithmetic is `(x + 3) & ~3` throughout.
//
// A decoding failure is signalled by throwing a DecodeFailure, which is not an
// Error (no stack capture, so it is cheap) and is always caught by the decode
// entry points in _frame.ts. No exception leaves the public API.

import type { ByteSlab } from "./_byte_slab.ts";
import type { MalformedReason } from "./decode_result.ts";
import { ErrorCause } from "./error_cause.ts";
import { ParameterType, parameterTypeName } from "./parameter_type.ts";

/** A failed decode, thrown inside the decoder and turned into a malformed result. */
export class DecodeFailure {
  constructor(
    readonly reason: MalformedReason,
    readonly cause: number,
    readonly offset: number,
    readonly detail: string,
    /** Offending bytes [start, end) in the message, or start < 0 for none. */
    readonly start: number,
    readonly end: number,
    /** False when the protocol says to drop the message silently. */
    readonly report: boolean,
  ) {}
}

const CAUSE_OF: Record<MalformedReason, number> = {
  "profile-mismatch": ErrorCause.UnrecognizedMessage,
  "bad-length": ErrorCause.InvalidValues,
  "truncated-parameter": ErrorCause.InvalidValues,
  "bad-padding": ErrorCause.InvalidValues,
  "unknown-message-type": ErrorCause.UnrecognizedMessage,
  "unrecognized-parameter": ErrorCause.UnrecognizedParameter,
  "unexpected-parameter": ErrorCause.InvalidValues,
  "missing-parameter": ErrorCause.InvalidValues,
  "invalid-value": ErrorCause.InvalidValues,
  "too-large": ErrorCause.LackOfResources,
};

/** The RFC 5354 cause code a malformed reason is reported with. */
export function causeOf(reason: MalformedReason): number {
  return CAUSE_OF[reason];
}

/** Is a 16-bit type code one this implementation recognises (any context)? */
function known(t: number): boolean {
  return (t >= 0x0001 && t <= 0x000f) || t === ParameterType.HandleResolutionOption;
}

/** Bounds-checked reader over one message. */
export class Reader {
  /** The message bytes (bytes[0] is the message type). */
  b: Uint8Array;
  /** 64-bit identifiers (NG profile). */
  wide: boolean;
  /** Identifier width in bytes (4 or 8). */
  idLen: number;
  /** Message name for error texts, e.g. "ASAP Registration". */
  name: string;
  /** Whether the Handle Resolution option is recognised in the current container. */
  hrOption = false;
  /** Unrecognised parameters with action bits 11, to be reported. */
  unrecognized: Uint8Array[] | undefined = undefined;
  /** Type of the parameter found by the last nextParam(). */
  t = 0;
  /** Length field of the parameter found by the last nextParam(). */
  l = 0;
  /** Where byte fields are copied to (a fresh slice each when absent). */
  slab: ByteSlab | undefined;
  /** A DataView over b.buffer (created on demand for 64-bit identifiers). */
  view: DataView | undefined;
  /** 64-bit identifiers read without a DataView so far. */
  #wideReads = 0;

  constructor(
    b: Uint8Array,
    wide: boolean,
    name: string,
    slab?: ByteSlab,
    view?: DataView,
  ) {
    this.b = b;
    this.wide = wide;
    this.idLen = wide ? 8 : 4;
    this.name = name;
    this.slab = slab;
    this.view = view;
  }

  /** Prepares a reused reader for the next message (decoding is synchronous, never reentrant). */
  reset(b: Uint8Array, wide: boolean, name: string, view: DataView | undefined): this {
    this.b = b;
    this.wide = wide;
    this.idLen = wide ? 8 : 4;
    this.name = name;
    this.view = view;
    this.hrOption = false;
    this.unrecognized = undefined;
    this.#wideReads = 0;
    return this;
  }

  /** A copy of b[start, end) that does not alias the input. */
  copy(start: number, end: number): Uint8Array {
    return this.slab === undefined ? this.b.slice(start, end) : this.slab.copy(this.b, start, end);
  }

  u16(o: number): number {
    const b = this.b;
    return (b[o]! << 8) | b[o + 1]!;
  }

  u32(o: number): number {
    const b = this.b;
    return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  }

  /** An identifier field (4 or 8 bytes) as bigint. */
  id(o: number): bigint {
    if (!this.wide) return BigInt(this.u32(o));
    const hi = this.u32(o);
    // Below 2^53 a single Number→BigInt conversion is exact and cheaper.
    if (hi < 0x200000) return BigInt(hi * 4294967296 + this.u32(o + 4));
    let v = this.view;
    if (v === undefined) {
      // Composing from two halves costs about three DataView reads; a DataView pays off
      // from the third wide identifier of a message on.
      if (++this.#wideReads <= 2) return (BigInt(hi) << 32n) | BigInt(this.u32(o + 4));
      v = this.view = new DataView(this.b.buffer);
    }
    return v.getBigUint64(this.b.byteOffset + o);
  }

  /** Throws a failure; `start`/`end` delimit the offending bytes (start < 0: none). */
  fail(
    reason: MalformedReason,
    offset: number,
    detail: string,
    start = -1,
    end = -1,
  ): never {
    throw new DecodeFailure(
      reason,
      CAUSE_OF[reason],
      offset,
      `Cannot decode ${this.name}: ${detail}`,
      start,
      end,
      true,
    );
  }

  /**
   * Finds the next recognised parameter at or after `pos` inside [pos, end),
   * applying the action bits of unrecognised ones (stop → failure; skip; skip
   * and report → recorded in `unrecognized`). Sets `t` and `l` and returns
   * its offset, or -1 when the container holds no further parameter.
   */
  next(pos: number, end: number): number {
    const b = this.b;
    while (pos < end) {
      if (end - pos < 4) {
        this.fail(
          "truncated-parameter",
          pos,
          `${end - pos} byte(s) at offset ${pos} are too few for a parameter header`,
          pos,
          end,
        );
      }
      const t = (b[pos]! << 8) | b[pos + 1]!;
      const l = (b[pos + 2]! << 8) | b[pos + 3]!;
      if (l < 4) {
        this.fail(
          "bad-length",
          pos,
          `parameter length ${l} is shorter than the 4-byte header (offset ${pos})`,
          pos,
          pos + 4,
        );
      }
      if (pos + l > end) {
        this.fail(
          "bad-length",
          pos,
          `${
            parameterTypeName(t)
          } length ${l} at offset ${pos} runs past the end of its container at offset ${end}`,
          pos,
          end,
        );
      }
      const next = pos + ((l + 3) & ~3);
      if (next > end && pos + l !== end) {
        this.fail(
          "bad-padding",
          pos,
          `the container ending at offset ${end} cuts into the padding of ${
            parameterTypeName(t)
          } at offset ${pos}`,
          pos,
          end,
        );
      }
      if (known(t) && (t !== ParameterType.HandleResolutionOption || this.hrOption)) {
        this.t = t;
        this.l = l;
        return pos;
      }
      switch (t >>> 14) {
        case 0:
          throw new DecodeFailure(
            "unrecognized-parameter",
            ErrorCause.UnrecognizedParameter,
            pos,
            `Cannot decode ${this.name}: unrecognized ${
              parameterTypeName(t)
            } at offset ${pos} (action: stop, discard silently)`,
            pos,
            pos + l,
            false,
          );
        case 1:
          this.fail(
            "unrecognized-parameter",
            pos,
            `unrecognized ${parameterTypeName(t)} at offset ${pos} (action: stop and report)`,
            pos,
            pos + l,
          );
          break;
        case 3:
          (this.unrecognized ??= []).push(b.slice(pos, pos + l));
          break;
      }
      pos = next;
    }
    return -1;
  }

  /**
   * Like next(), but the parameter must exist and have type `type`.
   * Returns its offset with `t`/`l` set.
   */
  expect(pos: number, end: number, type: number): number {
    const p = this.next(pos, end);
    if (p < 0) {
      this.fail(
        "missing-parameter",
        pos,
        `${parameterTypeName(type)} is missing (expected at offset ${pos})`,
      );
    }
    if (this.t !== type) this.unexpected(p, parameterTypeName(type));
    return p;
  }

  /** Fails for a recognised parameter at `p` (header in t/l) where `wanted` was expected. */
  unexpected(p: number, wanted: string): never {
    this.fail(
      "unexpected-parameter",
      p,
      `${parameterTypeName(this.t)} at offset ${p} is not allowed here (expected ${wanted})`,
      p,
      p + this.l,
    );
  }

  /** Requires that no recognised parameter follows in [pos, end). */
  end(pos: number, end: number): void {
    const p = this.next(pos, end);
    if (p >= 0) this.unexpected(p, "no further parameter");
  }
}

/** Offset just after a parameter at `p` with Length `l` and its padding. */
export function after(p: number, l: number): number {
  return p + ((l + 3) & ~3);
}
