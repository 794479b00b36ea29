/**
 * The contract between a sans-IO protocol role (registrar, pool element, pool user, session
 * layer) and the driver that runs it over real sockets (`adapters/driver.ts`) or over the
 * simulated network of the tests.
 *
 * A role never touches a socket. It is told what happened through `handle*` methods and says
 * what to do through {@link Role.pollTransmit} ({@link RoleAction}s), {@link Role.pollTimeout}
 * and {@link Role.pollEvent}, like quinn-proto's `Endpoint`. It speaks of associations
 * (message-oriented, carrying a PPID and a stream number) and of UDP channels; whether an
 * association is SCTP or TCP with the framing shim is the driver's business.
 *
 * Association ids: a role picks the id of each association it opens (`connect`), a positive
 * safe integer not in use; the driver numbers the associations it accepts with negative
 * integers. An id is not reused before its `handleAssociationDown`.
 *
 * @example An action that opens an association to a registrar
 * ```ts
 * import type { RoleAction } from "./role.ts";
 * import assert from "node:assert/strict";
 * const action: RoleAction = {
 *   type: "connect",
 *   assoc: 1,
 *   endpoints: [{ address: "127.0.0.1", port: 3863 }],
 * };
 * assert.equal(action.type, "connect");
 * ```
 *
 * @module
 */

import type { CloseReason } from "./transport/framed_association.ts";

/**
 * Identifies an association. Positive: opened by the role (`connect`); negative: accepted by
 * the driver on a listener.
 */
export type AssociationId = number;

/** An IP address (IPv4 dotted quad or IPv6 text) and a port. */
export interface TransportAddress {
  /** The address, e.g. `"127.0.0.1"` or `"::1"`. */
  readonly address: string;
  /** The port (0..65535). */
  readonly port: number;
}

/**
 * A transport an association runs over.
 *
 * - `tcp`: TCP (or MPTCP, unchanged) with the framing shim of `core/transport`.
 * - `sctp-udp`: SCTP over UDP encapsulation (RFC 6951) with the userland engine of `core/sctp`.
 * - `sctp`: the kernel's SCTP (where the runtime and kernel provide it).
 */
export type TransportKind = "tcp" | "sctp-udp" | "sctp";

/**
 * A transport selection: one transport, or `auto` (kernel SCTP, else SCTP over UDP, else TCP;
 * the driver reports what it chose).
 */
export type TransportChoice = TransportKind | "auto";

/**
 * Who the peer of an association is, from its TLS certificate (mutual authentication). The
 * registrar's authorization policy matches it.
 */
export interface PeerIdentity {
  /** The certificate's subject as `KEY=value` pairs joined by commas, e.g. `"O=Example,CN=pe1"`. */
  readonly subject: string;
  /** The subject's common name, if any. */
  readonly commonName: string | undefined;
  /** The subjectAltName entries, e.g. `"DNS:pe1.example"`, `"IP:10.0.0.1"`, `"URI:spiffe://x"`. */
  readonly subjectAltNames: readonly string[];
  /** The certificate's SHA-256 fingerprint (colon-separated hex), or `""`. */
  readonly fingerprint256: string;
}

/** What the driver knows about an association when it comes up. */
export interface AssociationInfo {
  /** The peer's address and port. */
  readonly remote: TransportAddress;
  /** Our address and port. */
  readonly local: TransportAddress;
  /** The largest message the peer accepts (bytes). */
  readonly peerMaxPayload: number;
  /** The name of the listener that accepted it, or `undefined` for an association the role opened. */
  readonly listener: string | undefined;
  /** The transport it runs over (drivers before SCTP support leave it out: TCP). */
  readonly transport?: TransportKind;
  /**
   * For SCTP: every address of the peer (multi-homing), the primary first. For TCP the one
   * address of `remote`.
   */
  readonly peerAddresses?: readonly string[];
  /** The peer's authenticated identity, when the association runs over TLS with a client certificate. */
  readonly peerIdentity?: PeerIdentity;
}

/**
 * Why an association went down: a {@link CloseReason} of the transport, or `connect-failed`
 * (no endpoint could be reached).
 */
export type DownReason = CloseReason | "connect-failed";

/** An association's end, as reported to the role. */
export interface AssociationDown {
  /** Why. */
  readonly reason: DownReason;
  /**
   * The ABORT cause sent or received, in the vocabulary of the association's transport: a shim
   * cause (`core/transport` AbortCause) over TCP, an RFC 9260 error cause over SCTP; 0 when none
   * applies.
   */
  readonly cause: number;
  /** A human-readable explanation. */
  readonly detail: string;
}

/** A round-trip time sample of an association (from the shim's heartbeats). */
export interface RttSample {
  /** This sample in ms. */
  readonly rtt: number;
  /** The smoothed round-trip time in ms (RFC 6298). */
  readonly srtt: number;
  /** The round-trip time variation in ms. */
  readonly rttvar: number;
}

/**
 * Why a `send` action was not carried out.
 *
 * - `buffer-full`: the association's send queue is full; `handleWritable` follows.
 * - `too-large`: the message is larger than the peer accepts.
 * - `closed`: the association is closing, closed or unknown.
 * - `invalid-stream`: the stream number is not below the outbound stream count the SCTP peer
 *   accepted (never over TCP, which carries all 65536 streams).
 */
export type SendFailure = "buffer-full" | "too-large" | "closed" | "invalid-stream";

/** What a role asks the driver to do. */
export type RoleAction =
  | {
    /** Send one message on an association. */
    readonly type: "send";
    /** The association. */
    readonly assoc: AssociationId;
    /** Payload protocol identifier (ASAP 11, ENRP 12, NG PPIDs, or application data). */
    readonly ppid: number;
    /** Stream number (0..65535). */
    readonly stream: number;
    /** The message (the driver copies it before returning). */
    readonly payload: Uint8Array;
  }
  | {
    /** Open an association; the endpoints are tried in order. */
    readonly type: "connect";
    /** The id the role chose (a positive safe integer not in use). */
    readonly assoc: AssociationId;
    /** Where to connect. */
    readonly endpoints: readonly TransportAddress[];
    /** Over which transport (default: the driver's `transport` option). */
    readonly transport?: TransportChoice;
    /**
     * For SCTP over UDP: the peer's UDP encapsulation port (default: the driver's
     * `sctp.remoteUdpPort`, 9899). `endpoints` carry SCTP ports.
     */
    readonly udpPort?: number;
  }
  | {
    /** Close an association: gracefully, or abort (drop queued messages, tell the peer why). */
    readonly type: "close";
    /** The association. */
    readonly assoc: AssociationId;
    /** Abort instead of a graceful close. */
    readonly abort: boolean;
    /** Why (sent to the peer with an abort). */
    readonly reason: string;
  }
  | {
    /** Send one UDP datagram on a channel the application opened. */
    readonly type: "datagram";
    /** The channel's name. */
    readonly channel: string;
    /** The destination (unicast or multicast group). */
    readonly to: TransportAddress;
    /** The datagram. */
    readonly payload: Uint8Array;
  };

/**
 * A sans-IO protocol role, driven by a driver.
 *
 * After every `handle*` call (and after the application calls one of the role's own commands)
 * the driver drains {@link pollTransmit} until `undefined`, then {@link pollEvent}, then reads
 * {@link pollTimeout} and arms one timer. `now` is monotonic milliseconds and never goes
 * backwards. `handleTimeout` may be called early or twice.
 *
 * Guarantees of the driver: `handleAssociationDown` is called exactly once for every
 * association the role opened and for every accepted association that was reported up;
 * `handleMessage` is only called between up and down.
 *
 * @typeParam E The role's own events (for the application), e.g. "registered".
 */
export interface Role<E = never> {
  /**
   * An association is up (handshake done).
   *
   * @param now The current time.
   * @param assoc The association.
   * @param info Its addresses and limits.
   */
  handleAssociationUp(now: number, assoc: AssociationId, info: AssociationInfo): void;
  /**
   * A message arrived.
   *
   * @param now The current time.
   * @param assoc The association.
   * @param ppid Its payload protocol identifier.
   * @param stream Its stream number.
   * @param payload The message; may be a view into a received chunk (copy it to keep it long).
   */
  handleMessage(
    now: number,
    assoc: AssociationId,
    ppid: number,
    stream: number,
    payload: Uint8Array,
  ): void;
  /**
   * An association went down (or never came up).
   *
   * @param now The current time.
   * @param assoc The association.
   * @param down Why.
   */
  handleAssociationDown(now: number, assoc: AssociationId, down: AssociationDown): void;
  /**
   * A datagram arrived on a UDP channel.
   *
   * @param now The current time.
   * @param channel The channel's name.
   * @param from The sender.
   * @param payload The datagram.
   */
  handleDatagram(now: number, channel: string, from: TransportAddress, payload: Uint8Array): void;
  /**
   * The time returned by `pollTimeout()` has come (or a little earlier).
   *
   * @param now The current time.
   */
  handleTimeout(now: number): void;
  /**
   * A `send` action could not be carried out (optional).
   *
   * @param now The current time.
   * @param assoc The association.
   * @param failure Why.
   * @param payload The message that was not sent.
   */
  handleSendFailed?(
    now: number,
    assoc: AssociationId,
    failure: SendFailure,
    payload: Uint8Array,
  ): void;
  /**
   * After a `buffer-full` failure, the association's send queue drained to half (optional).
   *
   * @param now The current time.
   * @param assoc The association.
   */
  handleWritable?(now: number, assoc: AssociationId): void;
  /**
   * A round-trip time sample (optional; registrars use it as "distance" for DPF policies).
   *
   * @param now The current time.
   * @param assoc The association.
   * @param sample The sample and the smoothed values.
   */
  handleRttSample?(now: number, assoc: AssociationId, sample: RttSample): void;
  /**
   * The next action, or `undefined`.
   *
   * @returns The action.
   */
  pollTransmit(): RoleAction | undefined;
  /**
   * When `handleTimeout` should run next, or `undefined` for never.
   *
   * @returns A deadline in ms.
   */
  pollTimeout(): number | undefined;
  /**
   * The next event for the application, or `undefined`.
   *
   * @returns The event.
   */
  pollEvent(): E | undefined;
}
