// Home registrar monitoring (RFC 5352 §3.5, spec/behaviour.md §5): per-PE deadlines in the
// handlespace's deadline index; an Endpoint Keep-Alive when the transmission deadline comes,
// removal when the ack does not arrive in time; lifetime expiry of PEs learned from peers.
// Keep-alives to PEs without a registration association (after a takeover, or a takeover
// suggestion) go over an association the registrar opens to the PE's ASAP transport, one per
// endpoint. When that connect fails in the RFC profile (where the transport is only the remote
// end of the PE's old association), a PE this registrar owns is kept until its registration life
// ends instead of being removed after the keep-alive timeout: it may be alive and about to
// register again, at us or at a peer.

import type { PoolElementEntry } from "../handlespace/pool_element.ts";
import type { AssociationId } from "../role.ts";
import type { EndpointKeepAliveAckMessage } from "../wire/asap_message.ts";
import type { TransportParameter } from "../wire/transport_parameter.ts";
import type { AssociationRecord, RegistrarContext } from "./_context.ts";

interface Opened {
  readonly endpoint: string;
  up: boolean;
  /** A keep-alive with the H flag went over it: the PE will register over it. */
  home: boolean;
  /** Keep-alives sent over it and not answered yet. */
  outstanding: number;
  /** PEs whose keep-alive waits for the association to come up. */
  readonly entries: PoolElementEntry[];
}

function endpointKey(t: TransportParameter): string {
  return `${t.port} ${t.addresses.join(" ")}`;
}

export class KeepAliveMonitor {
  readonly #ctx: RegistrarContext;
  readonly #opened = new Map<AssociationId, Opened>();
  readonly #byEndpoint = new Map<string, AssociationId>();

  constructor(ctx: RegistrarContext) {
    this.#ctx = ctx;
  }

  /** Whether the registrar opened this association to reach PEs (it carries ASAP). */
  opened(assoc: AssociationId): boolean {
    return this.#opened.has(assoc);
  }

  /** An association opened to reach PEs is up. */
  up(assoc: AssociationId): void {
    const o = this.#opened.get(assoc);
    if (o === undefined) return;
    o.up = true;
    o.entries.length = 0;
  }

  /**
   * An association went down; when one opened to reach PEs never came up, they are unreachable.
   * In the NG profile the ASAP transport is a listener the PE itself named, so its silence counts
   * (the keep-alive timeout removes the PE, as RSPLIB's failed keep-alive does); in the RFC
   * profile it is the remote end of the PE's old association, which proves nothing over TCP.
   */
  down(now: number, assoc: AssociationId): void {
    const o = this.#opened.get(assoc);
    if (o === undefined) return;
    this.#opened.delete(assoc);
    if (this.#byEndpoint.get(o.endpoint) === assoc) this.#byEndpoint.delete(o.endpoint);
    if (o.up) return;
    const ctx = this.#ctx;
    if (ctx.profile === "ng") return;
    const hs = ctx.handlespace;
    for (const entry of o.entries) {
      if (!entry.live || !ctx.owns(entry) || this.#liveAssociation(entry) !== undefined) continue;
      if (hs.deadline(entry, "keep-alive-timeout") === undefined) continue;
      hs.clearDeadline(entry, "keep-alive-timeout");
      hs.clearDeadline(entry, "keep-alive-transmission");
      hs.setDeadline(
        entry,
        "lifetime-expiry",
        Math.max(now, entry.lastUpdate + entry.registrationLife),
      );
      ctx.emit({ type: "home-keep-alive-failed", poolHandle: entry.poolHandle, peId: entry.id });
    }
  }

  /** Acts on every PE deadline that is due. */
  handleTimeout(now: number): void {
    const hs = this.#ctx.handlespace;
    for (let due = hs.popDue(now); due !== undefined; due = hs.popDue(now)) {
      const entry = due.entry;
      switch (due.kind) {
        case "keep-alive-transmission":
          // A PE being confirmed has its keep-alive out already; its timeout must not move.
          if (!this.#ctx.confirming.has(entry)) this.sendKeepAlive(now, entry, false, true);
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

  #liveAssociation(entry: PoolElementEntry): AssociationId | undefined {
    const assoc = entry.association;
    return assoc !== undefined && this.#ctx.associations.has(assoc) ? assoc : undefined;
  }

  /**
   * Sends an Endpoint Keep-Alive (H flag as given) over the PE's registration association, or
   * over an association to its ASAP transport when it has none, and, with `monitor`, arms the
   * ack timeout. Returns false when there is no way to reach the PE.
   */
  sendKeepAlive(now: number, entry: PoolElementEntry, home: boolean, monitor: boolean): boolean {
    const ctx = this.#ctx;
    let assoc = this.#liveAssociation(entry);
    if (assoc === undefined) {
      const asap = entry.asapTransport;
      if (asap === undefined) return false;
      const key = endpointKey(asap);
      assoc = this.#byEndpoint.get(key);
      if (assoc === undefined) {
        assoc = ctx.newAssociationId();
        this.#opened.set(assoc, {
          endpoint: key,
          up: false,
          home: false,
          outstanding: 0,
          entries: [],
        });
        this.#byEndpoint.set(key, assoc);
        ctx.actions.push({
          type: "connect",
          assoc,
          endpoints: asap.addresses.map((address) => ({ address, port: asap.port })),
          // A pool element's ASAP listener is plain TCP, also when the registrar's ENRP peer
          // associations (the driver's outgoing ones) run TLS.
          tls: false,
        });
      }
      const o = this.#opened.get(assoc)!;
      if (!o.up && monitor) o.entries.push(entry);
      if (home) o.home = true;
      o.outstanding++;
    }
    ctx.stats.keepAlivesSent++;
    ctx.sendAsap(assoc, {
      type: "endpoint-keep-alive",
      home,
      registrarId: ctx.id,
      poolHandle: entry.poolHandle,
      poolElementId: entry.id,
    });
    if (monitor) {
      ctx.handlespace.setDeadline(entry, "keep-alive-timeout", now + ctx.config.keepAliveTimeout);
    }
    return true;
  }

  handleAck(now: number, rec: AssociationRecord, message: EndpointKeepAliveAckMessage): void {
    const ctx = this.#ctx;
    const o = this.#opened.get(rec.id);
    if (o !== undefined && --o.outstanding <= 0 && !o.home && !rec.closing) {
      // A probe answered and nobody registered over it: no need to keep it open.
      if (ctx.handlespace.entriesOfAssociation(rec.id).length === 0) {
        rec.closing = true;
        if (this.#byEndpoint.get(o.endpoint) === rec.id) this.#byEndpoint.delete(o.endpoint);
        ctx.actions.push({
          type: "close",
          assoc: rec.id,
          abort: false,
          reason: "Keep-alive answered",
        });
      }
    }
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
