// Small real roles for the transport conformance suite: an application role that records
// everything the driver tells it and, optionally, echoes messages back. Not a mock: it is a
// complete sans-IO Role that the driver runs like any ASAP role.

import type {
  AssociationDown,
  AssociationId,
  AssociationInfo,
  Role,
  RoleAction,
  RttSample,
  SendFailure,
  TransportAddress,
  TransportChoice,
} from "../../core/role.ts";

export interface Received {
  assoc: AssociationId;
  ppid: number;
  stream: number;
  payload: Uint8Array;
}

export class RecordingRole implements Role<string> {
  readonly echo: boolean;
  readonly ups = new Map<AssociationId, AssociationInfo>();
  readonly downs = new Map<AssociationId, AssociationDown>();
  readonly messages: Received[] = [];
  readonly datagrams: { channel: string; from: TransportAddress; payload: Uint8Array }[] = [];
  readonly failures: { assoc: AssociationId; failure: SendFailure }[] = [];
  readonly writable: AssociationId[] = [];
  readonly rtt: { assoc: AssociationId; sample: RttSample }[] = [];
  #out: RoleAction[] = [];
  #events: string[] = [];
  #nextId = 1;

  constructor(echo = false) {
    this.echo = echo;
  }

  connect(
    endpoints: TransportAddress[],
    options: { transport?: TransportChoice; udpPort?: number } = {},
  ): AssociationId {
    const assoc = this.#nextId++;
    this.#out.push({ type: "connect", assoc, endpoints, ...options });
    return assoc;
  }

  send(assoc: AssociationId, ppid: number, stream: number, payload: Uint8Array): void {
    this.#out.push({ type: "send", assoc, ppid, stream, payload });
  }

  close(assoc: AssociationId, abort = false, reason = ""): void {
    this.#out.push({ type: "close", assoc, abort, reason });
  }

  datagram(channel: string, to: TransportAddress, payload: Uint8Array): void {
    this.#out.push({ type: "datagram", channel, to, payload });
  }

  handleAssociationUp(_now: number, assoc: AssociationId, info: AssociationInfo): void {
    this.ups.set(assoc, info);
    this.#events.push(`up ${assoc}`);
  }

  handleMessage(
    _now: number,
    assoc: AssociationId,
    ppid: number,
    stream: number,
    payload: Uint8Array,
  ): void {
    if (this.echo) this.#out.push({ type: "send", assoc, ppid, stream, payload });
    else this.messages.push({ assoc, ppid, stream, payload: payload.slice() });
  }

  handleAssociationDown(_now: number, assoc: AssociationId, down: AssociationDown): void {
    this.downs.set(assoc, down);
    this.#events.push(`down ${assoc} ${down.reason}`);
  }

  handleDatagram(_now: number, channel: string, from: TransportAddress, payload: Uint8Array): void {
    this.datagrams.push({ channel, from, payload: payload.slice() });
  }

  handleTimeout(_now: number): void {}

  handleSendFailed(_now: number, assoc: AssociationId, failure: SendFailure): void {
    this.failures.push({ assoc, failure });
  }

  handleWritable(_now: number, assoc: AssociationId): void {
    this.writable.push(assoc);
  }

  handleRttSample(_now: number, assoc: AssociationId, sample: RttSample): void {
    this.rtt.push({ assoc, sample });
  }

  pollTransmit(): RoleAction | undefined {
    return this.#out.shift();
  }

  pollTimeout(): number | undefined {
    return undefined;
  }

  pollEvent(): string | undefined {
    return this.#events.shift();
  }
}
