// Endpoint Unreachable reports (RFC 5352 §3.8, behaviour.md §6): a per-PE counter in the
// handlespace, removal at the configured threshold, a per-association rate limit.

import type { PoolElementEntry } from "../handlespace/pool_element.ts";
import type { EndpointUnreachableMessage } from "../wire/asap_message.ts";
import type { AssociationRecord, RegistrarContext } from "./_context.ts";
import type { KeepAliveMonitor } from "./_keep_alive.ts";
import { burstOf } from "./_rate_limiter.ts";

export class UnreachableHandler {
  readonly #ctx: RegistrarContext;
  readonly #burst: number;
  readonly #keepAlive: KeepAliveMonitor;

  constructor(ctx: RegistrarContext, keepAlive: KeepAliveMonitor) {
    this.#ctx = ctx;
    this.#keepAlive = keepAlive;
    this.#burst = burstOf(ctx.config.maxEuRate);
  }

  handle(now: number, rec: AssociationRecord, message: EndpointUnreachableMessage): void {
    const ctx = this.#ctx;
    const cfg = ctx.config;
    if (cfg.maxEuRate > 0) {
      const bucket = rec.eu;
      if (!bucket.take(now, cfg.maxEuRate, this.#burst)) {
        // Dropped without an answer (RSPLIB): Endpoint Unreachable has no response.
        ctx.stats.unreachableReportsRateLimited++;
        ctx.countRateLimited(message.poolHandle);
        if (!bucket.limited) {
          bucket.limited = true;
          ctx.emit({ type: "rate-limited", assoc: rec.id, request: "endpoint-unreachable" });
        }
        return;
      }
      bucket.limited = false;
    }
    // Only a peer allowed to resolve the pool may report its PEs (dropped: no response exists).
    if (!ctx.authorized(rec, "resolve", message.poolHandle)) return;
    const entry = ctx.handlespace.reportUnreachable(message.poolHandle, message.poolElementId);
    if (entry === undefined) return; // unknown PE: ignored
    ctx.stats.unreachableReports++;
    ctx.poolCounters(entry.poolHandle).unreachableReports++;
    const reports = entry.unreachableReports;
    ctx.emit({
      type: "unreachable-report",
      poolHandle: entry.poolHandle,
      peId: entry.id,
      assoc: rec.id,
      reports,
    });
    if (reports >= cfg.maxBadPeReports) this.thresholdReached(now, entry);
  }

  /**
   * A PE reached the bad-report threshold. Reports alone never remove it (they may be forged):
   * the registrar confirms with an Endpoint Keep-Alive, and the PE goes only when the ack does
   * not come within `keepAliveTimeout` (removal reason "unreachable"); an ack clears the
   * reports. Only a PE with no way to reach it (no association, no ASAP transport) is removed
   * at once, as RSPLIB removes every reported PE.
   */
  thresholdReached(now: number, entry: PoolElementEntry): void {
    const ctx = this.#ctx;
    if (ctx.confirming.has(entry)) return; // the confirming keep-alive is on its way
    if (!this.#keepAlive.sendKeepAlive(now, entry, false, true)) {
      ctx.removePe(now, entry, "unreachable", entry.association);
      return;
    }
    ctx.confirming.add(entry);
    ctx.stats.unreachableConfirmations++;
    ctx.emit({
      type: "unreachable-confirming",
      poolHandle: entry.poolHandle,
      peId: entry.id,
      reports: entry.unreachableReports,
    });
  }
}
