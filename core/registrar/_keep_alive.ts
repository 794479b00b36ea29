// Home registrar monitoring (RFC 5352 §3.5, spec/behaviour.md §5): per-PE deadlines in the
// handlespace's deadline index; an Endpoint Keep-Alive when the transmission deadline comes,
// removal when the ack does not arrive in time; lifetime expiry of PEs learned from peers.

import type { PoolElementEntry } from "../handlespace/pool_element.ts";
import type { EndpointKeepAliveAckMessage } from "../wire/asap_message.ts";
import type { AssociationRecord, RegistrarContext } from "./_context.ts";

export class KeepAliveMonitor {
  readonly #ctx: RegistrarContext;
  /** Associations the registrar opened to reach PEs at their ASAP transport (not yet up). */
  readonly pending = new Set<number>();

  constructor(ctx: RegistrarContext) {
    this.#ctx = ctx;
  }

  /** Acts on every PE deadline that is due. */
  handleTimeout(now: number): void {
    const hs = this.#ctx.handlespace;
    for (let due = hs.popDue(now); due !== undefined; due = hs.popDue(now)) {
      const entry = due.entry;
      switch (due.kind) {
        case "keep-alive-transmission":
          // A PE being confirmed has its keep-alive out already; its timeout must not move.
          if (!this.#ctx.confirming.has(entry)) this.sendKeepAlive(now, entry, false);
          break;
        case "keep-alive-timeout":
          this.#timedOut(now, entry);
          break;
        case "lifetime-expiry":
          this.#ctx.removePe(now, entry, "expired", entry.association);
          break;
      }
    }
  }

  /**
   * Sends an Endpoint Keep-Alive (H flag as given) over the PE's registration association, or
   * over a new association to its ASAP transport when it has none, and arms the ack timeout.
   * Returns false when there is no way to reach the PE.
   */
  sendKeepAlive(now: number, entry: PoolElementEntry, home: boolean): boolean {
    const ctx = this.#ctx;
    let assoc = entry.association;
    if (assoc === undefined || !ctx.associations.has(assoc)) {
      const asap = entry.asapTransport;
      if (asap === undefined) return false;
      assoc = ctx.newAssociationId();
      this.pending.add(assoc);
      ctx.actions.push({
        type: "connect",
        assoc,
        endpoints: asap.addresses.map((address) => ({ address, port: asap.port })),
      });
    }
    ctx.stats.keepAlivesSent++;
    ctx.sendAsap(assoc, {
      type: "endpoint-keep-alive",
      home,
      registrarId: ctx.id,
      poolHandle: entry.poolHandle,
      poolElementId: entry.id,
    });
    ctx.handlespace.setDeadline(entry, "keep-alive-timeout", now + ctx.config.keepAliveTimeout);
    return true;
  }

  handleAck(now: number, rec: AssociationRecord, message: EndpointKeepAliveAckMessage): void {
    const ctx = this.#ctx;
    const entry = ctx.handlespace.find(message.poolHandle, message.poolElementId);
    if (entry === undefined) return; // unknown: ignored
    const confirming = ctx.confirming.has(entry);
    if (!confirming && !ctx.owns(entry)) return; // not ours: ignored
    // Only the PE itself answers: over its registration association, or over one the
    // registrar opened to its ASAP transport. An ack from any other association is forged.
    if (rec.id !== entry.association && rec.listener !== undefined) return;
    ctx.stats.keepAliveAcks++;
    ctx.handlespace.clearDeadline(entry, "keep-alive-timeout");
    if (confirming) {
      ctx.confirming.delete(entry);
      ctx.handlespace.clearUnreachableReports(entry);
      ctx.stats.unreachableRefuted++;
      ctx.emit({ type: "unreachable-refuted", poolHandle: entry.poolHandle, peId: entry.id });
    }
    if (!ctx.owns(entry)) return;
    ctx.handlespace.setDeadline(
      entry,
      "keep-alive-transmission",
      now + ctx.config.keepAliveTransmissionInterval,
    );
  }

  #timedOut(now: number, entry: PoolElementEntry): void {
    const ctx = this.#ctx;
    const assoc = entry.association;
    ctx.removePe(
      now,
      entry,
      ctx.confirming.has(entry) ? "unreachable" : "keep-alive-timeout",
      assoc,
    );
    // The association goes too, unless other PEs still use it (several PEs may share one).
    if (assoc === undefined) return;
    const rec = ctx.associations.get(assoc);
    if (rec !== undefined && ctx.handlespace.entriesOfAssociation(assoc).length === 0) {
      ctx.abort(rec, "Endpoint Keep-Alive timeout");
    }
  }
}
