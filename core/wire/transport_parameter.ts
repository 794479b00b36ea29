/**
 * Transport parameters (SCTP, TCP, UDP, UDP-Lite, DCCP) as values.
 *
 * @see RFC 5354 section 3.3
 * @module
 */

/** The transport protocol of a transport parameter. */
export type TransportProtocol = "sctp" | "tcp" | "udp" | "udp-lite" | "dccp";

/**
 * What a pool element accepts on a transport: application data only, or data
 * plus ASAP session-layer control messages (Cookie, Cookie Echo, Business Card).
 * Only SCTP and TCP transports carry this field; the others send 0 ("data").
 */
export type TransportUse = "data" | "data+control";

/**
 * A transport parameter value: protocol, port and the endpoint's addresses.
 *
 * Addresses are canonical text: dotted quad for IPv4, RFC 5952 form
 * (lower case, `::` compression) for IPv6. IPv4-mapped IPv6 addresses are
 * carried as IPv4. SCTP allows several addresses (multi-homing); every other
 * protocol carries exactly one.
 */
export interface TransportParameter {
  /** The transport protocol. */
  readonly protocol: TransportProtocol;
  /** The port (1..65535 for a usable endpoint; 0 decodes but is rejected by registrars). */
  readonly port: number;
  /** Data only, or data plus control (SCTP and TCP only; `"data"` for the others). */
  readonly transportUse: TransportUse;
  /** The addresses, in wire order. */
  readonly addresses: readonly string[];
  /** DCCP service code (DCCP only). */
  readonly dccpServiceCode?: number;
}
