/**
 * ASAP messages (RFC 5352) as values: a readonly discriminated union on
 * `type`, with named boolean flags, pool handles as bytes and identifiers as
 * `bigint` (32 bits in the RFC profile, 64 bits in NG).
 *
 * Parameter order on the wire is the order of the fields here. Optional
 * parameters are absent keys (never `undefined` values).
 *
 * @see RFC 5352 section 2
 * @module
 */

import type { OperationError } from "./operation_error.ts";
import type { PolicyParameter } from "./policy_parameter.ts";
import type { PoolElementId, PoolElementParameter, RegistrarId } from "./pool_element_parameter.ts";
import type { TransportParameter } from "./transport_parameter.ts";

/** ASAP message type codes (the Type byte of the common header). */
export const AsapMessageType = {
  /** Registration (PE → PR). */
  Registration: 0x01,
  /** Deregistration (PE → PR). */
  Deregistration: 0x02,
  /** Registration Response (PR → PE). */
  RegistrationResponse: 0x03,
  /** Deregistration Response (PR → PE). */
  DeregistrationResponse: 0x04,
  /** Handle Resolution (PU → PR). */
  HandleResolution: 0x05,
  /** Handle Resolution Response (PR → PU). */
  HandleResolutionResponse: 0x06,
  /** Endpoint Keep-Alive (PR → PE). */
  EndpointKeepAlive: 0x07,
  /** Endpoint Keep-Alive Ack (PE → PR). */
  EndpointKeepAliveAck: 0x08,
  /** Endpoint Unreachable (PU → PR). */
  EndpointUnreachable: 0x09,
  /** Server Announce (PR → multicast). */
  ServerAnnounce: 0x0a,
  /** Cookie (PE → PU). */
  Cookie: 0x0b,
  /** Cookie Echo (PU → PE). */
  CookieEcho: 0x0c,
  /** Business Card (PU ↔ PE). */
  BusinessCard: 0x0d,
  /** Error. */
  Error: 0x0e,
} as const;

/** Registration: a pool element registers (or re-registers) into a pool. */
export interface RegistrationMessage {
  /** Discriminant. */
  readonly type: "registration";
  /** The pool handle (1 or more bytes). */
  readonly poolHandle: Uint8Array;
  /** The pool element (user transport and policy; no ASAP transport). */
  readonly poolElement: PoolElementParameter;
}

/** Deregistration: a pool element leaves a pool. */
export interface DeregistrationMessage {
  /** Discriminant. */
  readonly type: "deregistration";
  /** The pool handle. */
  readonly poolHandle: Uint8Array;
  /** The pool element's identifier. */
  readonly poolElementId: PoolElementId;
}

/** Registration Response: a registrar accepts or rejects a registration. */
export interface RegistrationResponseMessage {
  /** Discriminant. */
  readonly type: "registration-response";
  /** R flag (0x01): the registration was rejected. */
  readonly reject: boolean;
  /** The pool handle. */
  readonly poolHandle: Uint8Array;
  /** The pool element's identifier. */
  readonly poolElementId: PoolElementId;
  /** Why it was rejected (present on rejection). */
  readonly error?: OperationError;
}

/**
 * Deregistration Response. RSPLIB never sets a flag here and Wireshark decodes
 * none; the R flag (0x01) is modelled after the Registration Response.
 */
export interface DeregistrationResponseMessage {
  /** Discriminant. */
  readonly type: "deregistration-response";
  /** R flag (0x01): the deregistration was rejected. */
  readonly reject: boolean;
  /** The pool handle. */
  readonly poolHandle: Uint8Array;
  /** The pool element's identifier. */
  readonly poolElementId: PoolElementId;
  /** Why it was rejected. */
  readonly error?: OperationError;
}

/** Handle Resolution: a pool user asks for pool elements of a pool. */
export interface HandleResolutionMessage {
  /** Discriminant. */
  readonly type: "handle-resolution";
  /** The pool handle. */
  readonly poolHandle: Uint8Array;
  /**
   * Handle Resolution option (parameter 0x803f): how many pool elements the
   * pool user wants; 0xffffffff = as many as possible. Absent = the registrar
   * chooses.
   */
  readonly items?: number;
}

/**
 * Handle Resolution Response. Success carries an overall policy and the
 * selected pool elements; failure carries an Operation Error (RSPLIB: cause
 * Unknown Pool Handle). No flags are defined (RSPLIB never sets any).
 */
export interface HandleResolutionResponseMessage {
  /** Discriminant. */
  readonly type: "handle-resolution-response";
  /** The pool handle. */
  readonly poolHandle: Uint8Array;
  /** Overall selection policy (RSPLIB: the first selected PE's policy). */
  readonly policy?: PolicyParameter;
  /** The selected pool elements (empty on failure). */
  readonly poolElements: readonly PoolElementParameter[];
  /** The failure (absent on success). */
  readonly error?: OperationError;
}

/** Endpoint Keep-Alive: a registrar checks that a pool element is alive. */
export interface EndpointKeepAliveMessage {
  /** Discriminant. */
  readonly type: "endpoint-keep-alive";
  /** H flag (0x01): the sender asks to become the pool element's home registrar. */
  readonly home: boolean;
  /** The sending registrar's identifier (fixed field). */
  readonly registrarId: RegistrarId;
  /** The pool handle. */
  readonly poolHandle: Uint8Array;
  /** RSPLIB extension: the one pool element meant (absent: all of the receiver's). */
  readonly poolElementId?: PoolElementId;
}

/** Endpoint Keep-Alive Ack: a pool element answers a keep-alive. */
export interface EndpointKeepAliveAckMessage {
  /** Discriminant. */
  readonly type: "endpoint-keep-alive-ack";
  /** The pool handle. */
  readonly poolHandle: Uint8Array;
  /** The pool element's identifier. */
  readonly poolElementId: PoolElementId;
}

/** Endpoint Unreachable: a pool user reports a pool element it cannot reach. */
export interface EndpointUnreachableMessage {
  /** Discriminant. */
  readonly type: "endpoint-unreachable";
  /** The pool handle. */
  readonly poolHandle: Uint8Array;
  /** The unreachable pool element's identifier. */
  readonly poolElementId: PoolElementId;
}

/**
 * Server Announce: a registrar announces itself (UDP multicast). RSPLIB sends
 * no transport and expects receivers to use the datagram's source address and
 * port as the registrar's ASAP endpoint.
 */
export interface ServerAnnounceMessage {
  /** Discriminant. */
  readonly type: "server-announce";
  /** The announcing registrar's identifier (fixed field). */
  readonly registrarId: RegistrarId;
  /** The registrar's ASAP endpoints (may be empty). */
  readonly transports: readonly TransportParameter[];
}

/** Cookie: a pool element hands its session state to the pool user. */
export interface CookieMessage {
  /** Discriminant. */
  readonly type: "cookie";
  /** The opaque cookie (at least 1 byte). */
  readonly cookie: Uint8Array;
}

/** Cookie Echo: a pool user returns the last cookie to a new pool element after failover. */
export interface CookieEchoMessage {
  /** Discriminant. */
  readonly type: "cookie-echo";
  /** The opaque cookie (at least 1 byte). */
  readonly cookie: Uint8Array;
}

/**
 * Business Card: the pool a peer belongs to and the pool elements to fail over
 * to. Sent as pool handle + pool elements; an optional policy after the pool
 * handle (RSPLIB's encoder layout) is accepted and kept.
 */
export interface BusinessCardMessage {
  /** Discriminant. */
  readonly type: "business-card";
  /** The pool handle. */
  readonly poolHandle: Uint8Array;
  /** Overall policy (RSPLIB layout only). */
  readonly policy?: PolicyParameter;
  /** The pool elements. */
  readonly poolElements: readonly PoolElementParameter[];
}

/** ASAP Error: the reply to an ASAP message that could not be processed. */
export interface AsapErrorMessage {
  /** Discriminant. */
  readonly type: "asap-error";
  /** The causes. */
  readonly error: OperationError;
}

/** Any ASAP message. */
export type AsapMessage =
  | RegistrationMessage
  | DeregistrationMessage
  | RegistrationResponseMessage
  | DeregistrationResponseMessage
  | HandleResolutionMessage
  | HandleResolutionResponseMessage
  | EndpointKeepAliveMessage
  | EndpointKeepAliveAckMessage
  | EndpointUnreachableMessage
  | ServerAnnounceMessage
  | CookieMessage
  | CookieEchoMessage
  | BusinessCardMessage
  | AsapErrorMessage;

/** The `type` string of an ASAP message. */
export type AsapMessageTypeName = AsapMessage["type"];

/** Every ASAP message type name with its type code, in code order. */
export const ASAP_MESSAGE_TYPES: readonly (readonly [AsapMessageTypeName, number])[] = [
  ["registration", 0x01],
  ["deregistration", 0x02],
  ["registration-response", 0x03],
  ["deregistration-response", 0x04],
  ["handle-resolution", 0x05],
  ["handle-resolution-response", 0x06],
  ["endpoint-keep-alive", 0x07],
  ["endpoint-keep-alive-ack", 0x08],
  ["endpoint-unreachable", 0x09],
  ["server-announce", 0x0a],
  ["cookie", 0x0b],
  ["cookie-echo", 0x0c],
  ["business-card", 0x0d],
  ["asap-error", 0x0e],
];
