/**
 * ENRP messages (RFC 5353) as values: a readonly discriminated union on
 * `type`. Every ENRP message carries the sending and the receiving
 * registrar's identifiers (0 = receiver not known, e.g. multicast).
 *
 * @see RFC 5353 section 2
 * @module
 */

import type { OperationError } from "./operation_error.ts";
import type {
  PoolElementParameter,
  RegistrarId,
  ServerInformationParameter,
} from "./pool_element_parameter.ts";

/** ENRP message type codes (the Type byte of the common header). */
export const EnrpMessageType = {
  /** Presence. */
  Presence: 0x01,
  /** Handle Table Request. */
  HandleTableRequest: 0x02,
  /** Handle Table Response. */
  HandleTableResponse: 0x03,
  /** Handle Update. */
  HandleUpdate: 0x04,
  /** List Request. */
  ListRequest: 0x05,
  /** List Response. */
  ListResponse: 0x06,
  /** Init Takeover. */
  InitTakeover: 0x07,
  /** Init Takeover Ack. */
  InitTakeoverAck: 0x08,
  /** Takeover Server. */
  TakeoverServer: 0x09,
  /** Error. */
  Error: 0x0a,
} as const;

/** Presence: a registrar's heartbeat to its peers (SCTP or UDP multicast). */
export interface PresenceMessage {
  /** Discriminant. */
  readonly type: "presence";
  /** R flag (0x01): the receiver must answer with a Presence. */
  readonly replyRequired: boolean;
  /** The sending registrar. */
  readonly senderId: RegistrarId;
  /** The receiving registrar (0 = not known / multicast). */
  readonly receiverId: RegistrarId;
  /**
   * The sender's ownership checksum (PE Checksum parameter): Internet-16
   * (u16) in the RFC profile, Internet-32 (u32) in NG.
   */
  readonly checksum: number;
  /** The sender's identifier and ENRP endpoint (RSPLIB always sends it and requires it). */
  readonly serverInformation?: ServerInformationParameter;
}

/** Handle Table Request: ask a peer for (part of) its handlespace. */
export interface HandleTableRequestMessage {
  /** Discriminant. */
  readonly type: "handle-table-request";
  /** W flag (0x01): only the pool elements the receiver is home registrar of. */
  readonly ownChildrenOnly: boolean;
  /** The sending registrar. */
  readonly senderId: RegistrarId;
  /** The receiving registrar. */
  readonly receiverId: RegistrarId;
}

/** One pool in a Handle Table Response: a pool handle and one or more pool elements. */
export interface HandleTablePool {
  /** The pool handle. */
  readonly poolHandle: Uint8Array;
  /** The pool elements (at least one; each with its ASAP transport in practice). */
  readonly poolElements: readonly PoolElementParameter[];
}

/** Handle Table Response: (part of) a registrar's handlespace. */
export interface HandleTableResponseMessage {
  /** Discriminant. */
  readonly type: "handle-table-response";
  /** R flag (0x01): the request was rejected (then `pools` is empty). */
  readonly reject: boolean;
  /** M flag (0x02): the sender has more entries; ask again. */
  readonly moreToSend: boolean;
  /** The sending registrar. */
  readonly senderId: RegistrarId;
  /** The receiving registrar. */
  readonly receiverId: RegistrarId;
  /** The pools, in wire order. */
  readonly pools: readonly HandleTablePool[];
}

/**
 * Handle Update action: `"add-pe"` (0) or `"del-pe"` (1). Any other u16 value
 * decodes as that number (RSPLIB logs and ignores such updates).
 */
export type HandleUpdateAction = "add-pe" | "del-pe" | number;

/** Handle Update: a home registrar tells its peers that a pool element was added or removed. */
export interface HandleUpdateMessage {
  /** Discriminant. */
  readonly type: "handle-update";
  /** T flag (0x01): takeover suggested (draft-dreibholz-rserpool-enrp-takeover). */
  readonly takeoverSuggested: boolean;
  /** The sending registrar. */
  readonly senderId: RegistrarId;
  /** The receiving registrar. */
  readonly receiverId: RegistrarId;
  /** Add or delete. */
  readonly action: HandleUpdateAction;
  /** The pool handle. */
  readonly poolHandle: Uint8Array;
  /** The full pool element, with its ASAP transport. */
  readonly poolElement: PoolElementParameter;
}

/** List Request: ask a peer for its list of registrars. */
export interface ListRequestMessage {
  /** Discriminant. */
  readonly type: "list-request";
  /** The sending registrar. */
  readonly senderId: RegistrarId;
  /** The receiving registrar. */
  readonly receiverId: RegistrarId;
}

/** List Response: the registrars a peer knows (entries with identifier 0 are ignored). */
export interface ListResponseMessage {
  /** Discriminant. */
  readonly type: "list-response";
  /** R flag (0x01): the request was rejected. */
  readonly reject: boolean;
  /** The sending registrar. */
  readonly senderId: RegistrarId;
  /** The receiving registrar. */
  readonly receiverId: RegistrarId;
  /** The registrars. */
  readonly servers: readonly ServerInformationParameter[];
}

/** Init Takeover: start taking over the pool elements of a registrar that is gone. */
export interface InitTakeoverMessage {
  /** Discriminant. */
  readonly type: "init-takeover";
  /** The sending registrar (the takeover initiator). */
  readonly senderId: RegistrarId;
  /** The receiving registrar. */
  readonly receiverId: RegistrarId;
  /** The registrar being taken over. */
  readonly targetId: RegistrarId;
}

/** Init Takeover Ack: a peer agrees to a takeover. */
export interface InitTakeoverAckMessage {
  /** Discriminant. */
  readonly type: "init-takeover-ack";
  /** The acknowledging registrar. */
  readonly senderId: RegistrarId;
  /** The takeover initiator. */
  readonly receiverId: RegistrarId;
  /** The registrar being taken over. */
  readonly targetId: RegistrarId;
}

/** Takeover Server: the initiator has taken over the target's pool elements. */
export interface TakeoverServerMessage {
  /** Discriminant. */
  readonly type: "takeover-server";
  /** The sending registrar (the new home of the target's pool elements). */
  readonly senderId: RegistrarId;
  /** The receiving registrar. */
  readonly receiverId: RegistrarId;
  /** The registrar that was taken over. */
  readonly targetId: RegistrarId;
}

/** ENRP Error: the reply to an ENRP message that could not be processed. */
export interface EnrpErrorMessage {
  /** Discriminant. */
  readonly type: "enrp-error";
  /** The sending registrar. */
  readonly senderId: RegistrarId;
  /** The receiving registrar. */
  readonly receiverId: RegistrarId;
  /** The causes. */
  readonly error: OperationError;
}

/** Any ENRP message. */
export type EnrpMessage =
  | PresenceMessage
  | HandleTableRequestMessage
  | HandleTableResponseMessage
  | HandleUpdateMessage
  | ListRequestMessage
  | ListResponseMessage
  | InitTakeoverMessage
  | InitTakeoverAckMessage
  | TakeoverServerMessage
  | EnrpErrorMessage;

/** The `type` string of an ENRP message. */
export type EnrpMessageTypeName = EnrpMessage["type"];

/** Every ENRP message type name with its type code, in code order. */
export const ENRP_MESSAGE_TYPES: readonly (readonly [EnrpMessageTypeName, number])[] = [
  ["presence", 0x01],
  ["handle-table-request", 0x02],
  ["handle-table-response", 0x03],
  ["handle-update", 0x04],
  ["list-request", 0x05],
  ["list-response", 0x06],
  ["init-takeover", 0x07],
  ["init-takeover-ack", 0x08],
  ["takeover-server", 0x09],
  ["enrp-error", 0x0a],
];
