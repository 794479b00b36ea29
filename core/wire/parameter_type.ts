/**
 * Parameter type codes of RFC 5354 (and the Handle Resolution option) and the
 * action rule that the top two bits of a type code give an unrecognised
 * parameter.
 *
 * Type codes are compared as full 16-bit values, action bits included (as
 * Wireshark does): a parameter is recognised only under exactly the code in
 * {@link ParameterType}. Every other code is unrecognised and handled by its
 * action bits.
 *
 * @see RFC 5354 sections 3 and 3.1
 * @module
 */

/** Parameter type codes (16 bits, action bits included). */
export const ParameterType = {
  /** IPv4 Address (inside transport parameters). */
  Ipv4Address: 0x0001,
  /** IPv6 Address (inside transport parameters). */
  Ipv6Address: 0x0002,
  /** DCCP Transport. */
  DccpTransport: 0x0003,
  /** SCTP Transport. */
  SctpTransport: 0x0004,
  /** TCP Transport. */
  TcpTransport: 0x0005,
  /** UDP Transport. */
  UdpTransport: 0x0006,
  /** UDP-Lite Transport. */
  UdpLiteTransport: 0x0007,
  /** Pool Member Selection Policy. */
  PoolMemberSelectionPolicy: 0x0008,
  /** Pool Handle. */
  PoolHandle: 0x0009,
  /** Pool Element. */
  PoolElement: 0x000a,
  /** Server Information. */
  ServerInformation: 0x000b,
  /** Operation Error. */
  OperationError: 0x000c,
  /** Cookie. */
  Cookie: 0x000d,
  /** PE Identifier. */
  PeIdentifier: 0x000e,
  /** PE Checksum. */
  PeChecksum: 0x000f,
  /** Handle Resolution option (draft-dreibholz-rserpool-asap-hropt): code 0x3f, action bits 10. */
  HandleResolutionOption: 0x803f,
} as const;

/** What a receiver does with a parameter whose type it does not recognise. */
export type UnrecognizedParameterAction =
  | "stop"
  | "stop-and-report"
  | "skip"
  | "skip-and-report";

const ACTIONS: readonly UnrecognizedParameterAction[] = [
  "stop",
  "stop-and-report",
  "skip",
  "skip-and-report",
];

/**
 * The action an unrecognised parameter type asks for (its top two bits):
 * 00 stop processing and discard the message silently, 01 stop, discard and
 * report, 10 skip the parameter, 11 skip it and report.
 *
 * @param type The 16-bit parameter type code.
 * @returns The action.
 * @example Action bits
 * ```ts
 * import { unrecognizedParameterAction } from "./parameter_type.ts";
 * import assert from "node:assert/strict";
 * assert.equal(unrecognizedParameterAction(0x4123), "stop-and-report");
 * assert.equal(unrecognizedParameterAction(0xc001), "skip-and-report");
 * ```
 */
export function unrecognizedParameterAction(type: number): UnrecognizedParameterAction {
  return ACTIONS[(type >>> 14) & 3]!;
}

const NAMES: Record<number, string> = {
  0x0001: "IPv4 Address",
  0x0002: "IPv6 Address",
  0x0003: "DCCP Transport",
  0x0004: "SCTP Transport",
  0x0005: "TCP Transport",
  0x0006: "UDP Transport",
  0x0007: "UDP-Lite Transport",
  0x0008: "Pool Member Selection Policy",
  0x0009: "Pool Handle",
  0x000a: "Pool Element",
  0x000b: "Server Information",
  0x000c: "Operation Error",
  0x000d: "Cookie",
  0x000e: "PE Identifier",
  0x000f: "PE Checksum",
  0x803f: "Handle Resolution Option",
};

/**
 * The name of a parameter type, or a hex label for an unrecognised one.
 *
 * @param type The 16-bit parameter type code.
 * @returns The name.
 * @example Names
 * ```ts
 * import { parameterTypeName, ParameterType } from "./parameter_type.ts";
 * import assert from "node:assert/strict";
 * assert.equal(parameterTypeName(ParameterType.PoolHandle), "Pool Handle");
 * assert.equal(parameterTypeName(0x4123), "parameter 0x4123");
 * ```
 */
export function parameterTypeName(type: number): string {
  return NAMES[type] ?? `parameter 0x${type.toString(16).padStart(4, "0")}`;
}
