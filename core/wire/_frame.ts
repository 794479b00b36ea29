// Internal decode entry shared by ASAP and ENRP: option checks, the common
// header (Length, NG flag, type), "need more", and turning a DecodeFailure
// into a malformed result. Nothing thrown inside the body decoders escapes
// except real bugs (anything that is not a DecodeFailure is rethrown).

import { ASAP_MAX_TYPE, ASAP_NAMES, readAsap } from "./_asap_body.ts";
import { ENRP_MAX_TYPE, ENRP_NAMES, readEnrp } from "./_enrp_body.ts";
import { causeOf, DecodeFailure, Reader } from "./_reader.ts";
import type {
  DecodeMalformed,
  DecodeOptions,
  DecodeResult,
  MalformedReason,
  RserpoolProtocol,
} from "./decode_result.ts";
import type { AsapMessage } from "./asap_message.ts";
import type { EnrpMessage } from "./enrp_message.ts";
import { NG_FLAG, type WireProfile } from "./profile.ts";

const NONE: readonly Uint8Array[] = Object.freeze([]) as readonly Uint8Array[];

/** Full message names for error texts, precomputed so a decode builds no string. */
const ASAP_FULL = ASAP_NAMES.map((n) => `ASAP ${n}`);
const ENRP_FULL = ENRP_NAMES.map((n) => `ENRP ${n}`);

/** Reusable decoding state of a WireDecoder. */
export interface DecodeContext {
  /** A reader to reuse (with its byte slab). */
  readonly reader: Reader;
  /** A DataView over the input's ArrayBuffer, if one is at hand. */
  readonly view: DataView | undefined;
  /** The validated maximum message size (the options were checked once, up front). */
  readonly max: number;
}

/** Default and largest message size: the 16-bit Length field's maximum. */
export const MAX_MESSAGE_SIZE = 65535;

/** Validates decode options; returns the maximum message size. */
export function checkDecodeOptions(options: DecodeOptions): number {
  if (options === null || typeof options !== "object") {
    throw new TypeError("Cannot decode: options must be an object with a profile");
  }
  const p = options.profile;
  if (p !== "rfc" && p !== "ng" && p !== "detect") {
    throw new TypeError(`Cannot decode: profile "${String(p)}" is not "rfc", "ng" or "detect"`);
  }
  const max = options.maxMessageSize ?? MAX_MESSAGE_SIZE;
  if (!Number.isInteger(max) || max < 4 || max > MAX_MESSAGE_SIZE) {
    throw new RangeError(`Cannot decode: maxMessageSize ${max} is not in 4..65535`);
  }
  return max;
}

function malformed(
  protocol: RserpoolProtocol,
  reason: MalformedReason,
  offset: number,
  detail: string,
  report: boolean,
  offending: Uint8Array | undefined,
  messageType: number,
  consumed: number,
): DecodeMalformed {
  const cause = causeOf(reason);
  return offending === undefined
    ? { kind: "malformed", protocol, reason, cause, offset, detail, report, messageType, consumed }
    : {
      kind: "malformed",
      protocol,
      reason,
      cause,
      offset,
      detail,
      report,
      offending,
      messageType,
      consumed,
    };
}

/** Decodes one ASAP or ENRP message from the start of `bytes`. */
export function decodeFrame(
  bytes: Uint8Array,
  options: DecodeOptions,
  protocol: "asap",
  ctx?: DecodeContext,
): DecodeResult<AsapMessage>;
export function decodeFrame(
  bytes: Uint8Array,
  options: DecodeOptions,
  protocol: "enrp",
  ctx?: DecodeContext,
): DecodeResult<EnrpMessage>;
export function decodeFrame(
  bytes: Uint8Array,
  options: DecodeOptions,
  protocol: RserpoolProtocol,
  ctx?: DecodeContext,
): DecodeResult<AsapMessage | EnrpMessage>;
export function decodeFrame(
  bytes: Uint8Array,
  options: DecodeOptions,
  protocol: RserpoolProtocol,
  ctx?: DecodeContext,
): DecodeResult<AsapMessage | EnrpMessage> {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError("Cannot decode: bytes must be a Uint8Array");
  }
  const max = ctx === undefined ? checkDecodeOptions(options) : ctx.max;
  const n = bytes.length;
  if (n < 4) return { kind: "need-more", needed: 4 };
  const asap = protocol === "asap";
  const PROTO = asap ? "ASAP" : "ENRP";
  const type = bytes[0]!, flags = bytes[1]!;
  const len = (bytes[2]! << 8) | bytes[3]!;
  const isError = type === (asap ? 0x0e : 0x0a);
  const known = type >= 1 && type <= (asap ? ASAP_MAX_TYPE : ENRP_MAX_TYPE);
  const name = known
    ? (asap ? ASAP_FULL : ENRP_FULL)[type]!
    : `${PROTO} message type 0x${type.toString(16).padStart(2, "0")}`;
  if (len < 4) {
    return malformed(
      protocol,
      "bad-length",
      2,
      `Cannot decode ${name}: message length ${len} is shorter than the 4-byte header`,
      !isError,
      undefined,
      type,
      n,
    );
  }
  const consumed = n >= len ? Math.min((len + 3) & ~3, n) : n;
  const ng = (flags & NG_FLAG) !== 0;
  let profile: WireProfile;
  if (options.profile === "detect") profile = ng ? "ng" : "rfc";
  else {
    profile = options.profile;
    if (ng !== (profile === "ng")) {
      return malformed(
        protocol,
        "profile-mismatch",
        1,
        `Cannot decode ${name}: the NG flag (0x80) is ${
          ng ? "set" : "clear"
        } but the association uses the ${profile === "ng" ? "NG" : "RFC"} profile`,
        !isError,
        bytes.slice(0, Math.min(len, n)),
        type,
        consumed,
      );
    }
  }
  if (len > max) {
    return malformed(
      protocol,
      "too-large",
      2,
      `Cannot decode ${name}: message length ${len} exceeds the maximum of ${max}`,
      !isError,
      undefined,
      type,
      n,
    );
  }
  if (n < len) return { kind: "need-more", needed: len };
  if (!known) {
    return malformed(
      protocol,
      "unknown-message-type",
      0,
      `Cannot decode ${name}: unknown ${PROTO} message type ${type}`,
      true,
      bytes.slice(0, len),
      type,
      consumed,
    );
  }
  const r = ctx === undefined
    ? new Reader(bytes, profile === "ng", name)
    : ctx.reader.reset(bytes, profile === "ng", name, ctx.view);
  try {
    const message = asap ? readAsap(r, type, flags, len) : readEnrp(r, type, flags, len);
    return {
      kind: "ok",
      protocol,
      profile,
      message,
      consumed,
      unrecognized: r.unrecognized ?? NONE,
    };
  } catch (e) {
    if (!(e instanceof DecodeFailure)) throw e;
    return malformed(
      protocol,
      e.reason,
      e.offset,
      e.detail,
      e.report && !isError,
      e.start >= 0 ? bytes.slice(e.start, e.end) : undefined,
      type,
      consumed,
    );
  }
}
