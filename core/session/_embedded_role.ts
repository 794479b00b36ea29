// Runs one sans-IO role inside another: the inner role (a PoolUser, a PoolElement) keeps its
// own association numbering; its connects get ids of the outer role's numbering, accepted
// associations keep the driver's (negative) ids. The outer role forwards the inputs of the
// associations the inner role owns and carries out its actions.

import type { Fifo } from "../fifo.ts";
import type {
  AssociationDown,
  AssociationId,
  AssociationInfo,
  Role,
  RoleAction,
  RttSample,
  SendFailure,
} from "../role.ts";

export class EmbeddedRole<E> {
  readonly role: Role<E>;
  readonly #allocate: () => AssociationId;
  readonly #toOuter = new Map<AssociationId, AssociationId>();
  readonly #toInner = new Map<AssociationId, AssociationId>();

  constructor(role: Role<E>, allocate: () => AssociationId) {
    this.role = role;
    this.#allocate = allocate;
  }

  /** Whether an outer association belongs to the inner role. */
  owns(outer: AssociationId): boolean {
    return this.#toInner.has(outer);
  }

  /** Hands an association accepted by the driver (negative id) to the inner role. */
  adopt(outer: AssociationId): void {
    this.#toInner.set(outer, outer);
    this.#toOuter.set(outer, outer);
  }

  /**
   * Moves the inner role's actions (ids translated) and events out, until it has none left
   * (reacting to an event may call the inner role again).
   */
  pump(actions: Fifo<RoleAction>, onEvent: (event: E) => void): void {
    for (let busy = true; busy;) busy = this.#pumpOnce(actions, onEvent);
  }

  #pumpOnce(actions: Fifo<RoleAction>, onEvent: (event: E) => void): boolean {
    const role = this.role;
    let moved = false;
    for (let a = role.pollTransmit(); a !== undefined; a = role.pollTransmit()) {
      moved = true;
      switch (a.type) {
        case "connect": {
          const outer = this.#allocate();
          this.#toOuter.set(a.assoc, outer);
          this.#toInner.set(outer, a.assoc);
          actions.push({ ...a, assoc: outer });
          break;
        }
        case "send":
        case "close": {
          const outer = this.#toOuter.get(a.assoc);
          // An id the inner role no longer has a mapping for: already down; let the driver say so.
          actions.push({ ...a, assoc: outer ?? a.assoc });
          break;
        }
        case "datagram":
          actions.push(a);
          break;
      }
    }
    for (let e = role.pollEvent(); e !== undefined; e = role.pollEvent()) {
      moved = true;
      onEvent(e);
    }
    return moved;
  }

  up(now: number, outer: AssociationId, info: AssociationInfo): void {
    this.role.handleAssociationUp(now, this.#toInner.get(outer)!, info);
  }

  message(
    now: number,
    outer: AssociationId,
    ppid: number,
    stream: number,
    payload: Uint8Array,
  ): void {
    this.role.handleMessage(now, this.#toInner.get(outer)!, ppid, stream, payload);
  }

  down(now: number, outer: AssociationId, down: AssociationDown): void {
    const inner = this.#toInner.get(outer)!;
    this.#toInner.delete(outer);
    this.#toOuter.delete(inner);
    this.role.handleAssociationDown(now, inner, down);
  }

  sendFailed(now: number, outer: AssociationId, failure: SendFailure, payload: Uint8Array): void {
    this.role.handleSendFailed?.(now, this.#toInner.get(outer)!, failure, payload);
  }

  writable(now: number, outer: AssociationId): void {
    this.role.handleWritable?.(now, this.#toInner.get(outer)!);
  }

  rtt(now: number, outer: AssociationId, sample: RttSample): void {
    this.role.handleRttSample?.(now, this.#toInner.get(outer)!, sample);
  }
}
