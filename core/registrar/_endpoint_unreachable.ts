// Endpoint Unreachable reports (RFC 5352 §3.8, behaviour.md §6): a per-PE counter in the
// handlespace, removal at the configured threshold, a per-association rate limit.

import type { PoolElementEntry } from "../handlespace/pool_element.ts";
import type { EndpointUnreachableMessage } from "../wire/asap_message.ts";
import type { AssociationRecord, RegistrarContext } from "./_context.ts";
import { burstOf } from "./_rate_limiter.ts";

export class UnreachableHandler {
  readonly #ctx: RegistrarContext;
  readonly #burst: number;

  constructor(ctx: RegistrarContext) {
    this.#ctx = ctx;
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
   * A PE reached the bad-report threshold. Today it is removed at once (RSPLIB); this is the
   * seam for confirming with a keep-alive first.
   */
  thresholdReached(now: number, entry: PoolElementEntry): void {
    this.#ctx.removePe(now, entry, "unreachable", entry.association);
  }
}
