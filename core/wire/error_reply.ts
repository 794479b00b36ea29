/**
 * Building the ASAP Error / ENRP Error reply that the protocol asks for when
 * a received message cannot be processed, or when it carried unrecognised
 * parameters whose action bits say "report".
 *
 * @see RFC 5352 section 2.2.14, RFC 5353 section 2.2.10, RFC 5354 section 3
 * @module
 */

import type { AsapErrorMessage } from "./asap_message.ts";
import type { DecodeResult } from "./decode_result.ts";
import type { EnrpErrorMessage } from "./enrp_message.ts";
import { ErrorCause } from "./error_cause.ts";
import type { OperationErrorCause } from "./operation_error.ts";
import type { RegistrarId } from "./pool_element_parameter.ts";

/**
 * Room for cause information in a reply: the 65535-byte message maximum minus
 * the largest header (NG ENRP: 4 + 16), the Operation Error header (4) and
 * slack for padding.
 */
const INFO_BUDGET = 65535 - 32;

const EMPTY = new Uint8Array(0);

function causesFor(result: DecodeResult<unknown>, protocol: "asap" | "enrp") {
  if (result.kind === "need-more") return undefined;
  if (result.protocol !== protocol) {
    throw new TypeError(
      `Cannot build ${protocol.toUpperCase()} Error: the result is of ${result.protocol.toUpperCase()}`,
    );
  }
  const causes: OperationErrorCause[] = [];
  if (result.kind === "malformed") {
    if (!result.report) return undefined;
    const info = result.offending ?? EMPTY;
    causes.push({
      code: result.cause,
      info: info.length > INFO_BUDGET ? info.slice(0, INFO_BUDGET) : info.slice(),
    });
    return causes;
  }
  const type = (result.message as { type: string }).type;
  if (result.unrecognized.length === 0 || type === "asap-error" || type === "enrp-error") {
    return undefined;
  }
  let budget = INFO_BUDGET;
  for (const tlv of result.unrecognized) {
    const size = 4 + ((tlv.length + 3) & ~3);
    if (size > budget) break;
    budget -= size;
    causes.push({ code: ErrorCause.UnrecognizedParameter, info: tlv.slice() });
  }
  return causes;
}

/**
 * The ASAP Error to send in reply to a decode result, or `undefined` when the
 * protocol says not to reply: the message was fine (and had nothing to
 * report), was an Error itself, was incomplete, or stopped silently (action
 * bits 00). A malformed message gives one cause (the result's cause code,
 * with the offending parameter or message as information); a decoded message
 * with unrecognised action-11 parameters gives one Unrecognized Parameter
 * cause per parameter.
 *
 * @param result The result of decoding an ASAP message.
 * @returns The reply, or `undefined`.
 * @throws {TypeError} If the result is of an ENRP message.
 * @example Reply to an unknown message type
 * ```ts
 * import { asapErrorReply } from "./error_reply.ts";
 * import { decodeAsapMessage } from "./decode.ts";
 * import { ErrorCause } from "./error_cause.ts";
 * import assert from "node:assert/strict";
 * const bytes = new Uint8Array([0x3f, 0, 0, 4]);
 * const reply = asapErrorReply(decodeAsapMessage(bytes, { profile: "rfc" }));
 * assert.equal(reply?.error.causes[0]?.code, ErrorCause.UnrecognizedMessage);
 * assert.deepEqual(reply?.error.causes[0]?.info, bytes);
 * ```
 */
export function asapErrorReply(result: DecodeResult<unknown>): AsapErrorMessage | undefined {
  const causes = causesFor(result, "asap");
  return causes === undefined ? undefined : { type: "asap-error", error: { causes } };
}

/** The registrar identifiers of an ENRP Error reply. */
export interface EnrpErrorReplyIds {
  /** The replying registrar (us). */
  readonly senderId: RegistrarId;
  /** The registrar that sent the bad message (0 if not known). */
  readonly receiverId: RegistrarId;
}

/**
 * The ENRP Error to send in reply to a decode result, or `undefined` when the
 * protocol says not to reply (see {@link asapErrorReply}).
 *
 * @param result The result of decoding an ENRP message.
 * @param ids Our registrar identifier and the peer's.
 * @returns The reply, or `undefined`.
 * @throws {TypeError} If the result is of an ASAP message.
 * @example No reply to an Error
 * ```ts
 * import { enrpErrorReply } from "./error_reply.ts";
 * import { decodeEnrpMessage } from "./decode.ts";
 * import assert from "node:assert/strict";
 * // An ENRP Error whose Operation Error has no cause: malformed, but never answered.
 * const bytes = new Uint8Array([0x0a, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0x0c, 0, 4]);
 * const r = decodeEnrpMessage(bytes, { profile: "rfc" });
 * assert.equal(r.kind, "malformed");
 * assert.equal(enrpErrorReply(r, { senderId: 2n, receiverId: 1n }), undefined);
 * ```
 */
export function enrpErrorReply(
  result: DecodeResult<unknown>,
  ids: EnrpErrorReplyIds,
): EnrpErrorMessage | undefined {
  const causes = causesFor(result, "enrp");
  if (causes === undefined) return undefined;
  return {
    type: "enrp-error",
    senderId: ids.senderId,
    receiverId: ids.receiverId,
    error: { causes },
  };
}
