// The application side of a pool element as a role: accepts PU associations on its listener and
// runs one service session per association. ASAP messages on these associations (the session
// layer's control channel: Cookie, Cookie Echo, Business Card) are left to the session layer and
// only counted here.

import { Fifo } from "../../core/fifo.ts";
import type {
  AssociationDown,
  AssociationId,
  AssociationInfo,
  Role,
  RoleAction,
  TransportAddress,
} from "../../core/role.ts";
import { classifyPpid } from "../../core/wire/profile.ts";
import { createSession, type ServiceName, type ServiceSession } from "./_services.ts";

/** What the service role reports. */
export type ServiceEvent =
  | {
    readonly type: "session-up";
    readonly assoc: AssociationId;
    readonly remote: TransportAddress;
  }
  | {
    readonly type: "session-down";
    readonly assoc: AssociationId;
    readonly reason: string;
    readonly messages: number;
  }
  | { readonly type: "session-aborted"; readonly assoc: AssociationId; readonly reason: string };

interface Session {
  readonly service: ServiceSession;
  messages: number;
}

/** Runs a service for every association accepted by the driver. */
export class ServiceRole implements Role<ServiceEvent> {
  readonly #service: ServiceName;
  readonly #sessions = new Map<AssociationId, Session>();
  readonly #actions = new Fifo<RoleAction>();
  readonly #events = new Fifo<ServiceEvent>();
  /** Application messages handled. */
  messages = 0;
  /** ASAP/ENRP messages received on service associations (for the session layer). */
  controlMessages = 0;

  constructor(service: ServiceName) {
    this.#service = service;
  }

  /** Sessions open now. */
  get sessions(): number {
    return this.#sessions.size;
  }

  /** Closes every session gracefully. */
  closeAll(): void {
    for (const assoc of this.#sessions.keys()) {
      this.#actions.push({ type: "close", assoc, abort: false, reason: "Shutdown" });
    }
  }

  handleAssociationUp(_now: number, assoc: AssociationId, info: AssociationInfo): void {
    this.#sessions.set(assoc, { service: createSession(this.#service), messages: 0 });
    this.#events.push({ type: "session-up", assoc, remote: info.remote });
  }

  handleMessage(
    _now: number,
    assoc: AssociationId,
    ppid: number,
    stream: number,
    payload: Uint8Array,
  ): void {
    const session = this.#sessions.get(assoc);
    if (session === undefined) return;
    if (classifyPpid(ppid).protocol !== "data") {
      this.controlMessages++;
      return;
    }
    session.messages++;
    this.messages++;
    const result = session.service.handle(ppid, payload);
    for (const r of result.replies) {
      this.#actions.push({ type: "send", assoc, ppid: r.ppid, stream, payload: r.payload });
    }
    if (result.abort !== undefined) {
      this.#sessions.delete(assoc);
      this.#actions.push({ type: "close", assoc, abort: true, reason: result.abort });
      this.#events.push({ type: "session-aborted", assoc, reason: result.abort });
    }
  }

  handleAssociationDown(_now: number, assoc: AssociationId, down: AssociationDown): void {
    const session = this.#sessions.get(assoc);
    if (session === undefined) return;
    this.#sessions.delete(assoc);
    this.#events.push({
      type: "session-down",
      assoc,
      reason: down.detail === "" ? down.reason : `${down.reason}: ${down.detail}`,
      messages: session.messages,
    });
  }

  handleDatagram(): void {}

  handleTimeout(): void {}

  pollTransmit(): RoleAction | undefined {
    return this.#actions.shift();
  }

  pollTimeout(): number | undefined {
    return undefined;
  }

  pollEvent(): ServiceEvent | undefined {
    return this.#events.shift();
  }
}
