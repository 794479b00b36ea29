/**
 * The ASAP/ENRP wire codec: every message of RFC 5352 (ASAP) and RFC 5353
 * (ENRP), every parameter of RFC 5354 and every policy of RFC 5356 and RSPLIB,
 * in the RFC profile (32-bit identifiers, Internet-16 checksum) and the NG
 * profile (64-bit identifiers, Internet-32 checksum).
 *
 * - Decoding ({@link decodeAsapMessage}, {@link decodeEnrpMessage},
 *   {@link decodeMessage}) is total: a message, "need-more" or a malformed
 *   result naming the RFC 5354 cause, never an exception.
 * - {@link WireDecoder} does the same with reusable state for hot paths.
 * - Encoding ({@link WireEncoder}) writes canonical bytes into a reused
 *   buffer and refuses values its decoder would reject.
 * - {@link messageToJson} / {@link messageFromJson} give the JSON form used by
 *   the `wire` tool; {@link asapErrorReply} / {@link enrpErrorReply} build the
 *   Error replies the protocol asks for.
 *
 * ```ts
 * import { decodeAsapMessage, WireEncoder } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const encoder = new WireEncoder({ profile: "ng" });
 * const bytes = encoder.encode({
 *   type: "registration",
 *   poolHandle: new TextEncoder().encode("EchoPool"),
 *   poolElement: {
 *     id: 0x1a2b3c4d5e6f7081n,
 *     homeRegistrarId: 0n,
 *     registrationLife: 90_000,
 *     userTransport: {
 *       protocol: "tcp",
 *       port: 7,
 *       transportUse: "data",
 *       addresses: ["192.0.2.10"],
 *     },
 *     policy: {
 *       type: 0x40000001, // Least Used
 *       weight: 0,
 *       priority: 0,
 *       load: 0x40000000,
 *       loadDegradation: 0,
 *       loadDpf: 0,
 *       weightDpf: 0,
 *       distance: 0,
 *     },
 *   },
 * });
 * const result = decodeAsapMessage(bytes, { profile: "ng" });
 * assert.equal(result.kind, "ok");
 * if (result.kind === "ok" && result.message.type === "registration") {
 *   assert.equal(result.message.poolElement.id, 0x1a2b3c4d5e6f7081n);
 * }
 * ```
 *
 * @module
 */

export * from "./profile.ts";
export * from "./error_cause.ts";
export * from "./policy_parameter.ts";
export type * from "./transport_parameter.ts";
export type * from "./pool_element_parameter.ts";
export * from "./parameter_type.ts";
export * from "./operation_error.ts";
export * from "./ip_address.ts";
export * from "./asap_message.ts";
export * from "./enrp_message.ts";
export type * from "./decode_result.ts";
export * from "./decode.ts";
export * from "./wire_encoder.ts";
export * from "./wire_decoder.ts";
export * from "./json.ts";
export * from "./error_reply.ts";
