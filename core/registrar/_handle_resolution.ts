// Handle resolution (RFC 5352 §3.7, draft-dreibholz-rserpool-asap-hropt, behaviour.md §7): the
// registrar's hot path. Selection with the handlespace's allocation-free resolveInto(), the
// number of PEs from the Handle Resolution option or the default, capped by the configured
// limit and by the message size, one reused encoder; errors as Operation Error causes.

import type { PoolElementEntry } from "../handlespace/pool_element.ts";
import type { HandleResolutionMessage } from "../wire/asap_message.ts";
import { ErrorCause } from "../wire/error_cause.ts";
import type { PoolElementParameter } from "../wire/pool_element_parameter.ts";
import type { AssociationRecord, RegistrarContext } from "./_context.ts";
import { burstOf } from "./_rate_limiter.ts";
import { paddedParameterSize, policySize, poolElementSize } from "./_sizes.ts";

const EMPTY = new Uint8Array(0);
const NO_ELEMENTS: readonly PoolElementParameter[] = [];
/** The 16-bit message Length's limit. */
const MAX_MESSAGE = 65535;

export class HandleResolver {
  readonly #ctx: RegistrarContext;
  readonly #out: PoolElementEntry[] = [];
  readonly #burst: number;

  constructor(ctx: RegistrarContext) {
    this.#ctx = ctx;
    this.#burst = burstOf(ctx.config.maxHrRate);
  }

  handle(now: number, rec: AssociationRecord, message: HandleResolutionMessage): void {
    const ctx = this.#ctx;
    const cfg = ctx.config;
    const poolHandle = message.poolHandle;
    if (cfg.maxHrRate > 0) {
      const bucket = rec.hr;
      if (!bucket.take(now, cfg.maxHrRate, this.#burst)) {
        ctx.stats.handleResolutionsRateLimited++;
        ctx.countRateLimited(poolHandle);
        if (!bucket.limited) {
          bucket.limited = true;
          ctx.emit({ type: "rate-limited", assoc: rec.id, request: "handle-resolution" });
        }
        this.#fail(rec, poolHandle, cfg.rateLimitCause, 0);
        return;
      }
      bucket.limited = false;
    }
    if (!ctx.authorized(rec, "resolve", poolHandle)) {
      this.#fail(rec, poolHandle, ErrorCause.RejectedDueToSecurity, 0);
      return;
    }
    const items = message.items;
    let k = items === undefined || items === 0 ? cfg.maxHandleResolutionItems : items;
    if (k > cfg.handleResolutionItemsLimit) k = cfg.handleResolutionItemsLimit;
    const out = this.#out;
    const n = ctx.handlespace.resolveInto(poolHandle, k, out);
    if (n === 0) {
      ctx.stats.handleResolutionsUnknownPool++;
      this.#fail(rec, poolHandle, ErrorCause.UnknownPoolHandle, k);
      return;
    }
    const elements: PoolElementParameter[] = [];
    const idBytes = ctx.idBytes;
    const policy = out[0]!.policy;
    let size = 4 + paddedParameterSize(poolHandle.length) + policySize(policy);
    let m = 0;
    for (let i = 0; i < n; i++) {
      const pe = out[i]!.toParameter(false);
      size += poolElementSize(pe, idBytes);
      if (size > MAX_MESSAGE) break;
      elements.push(pe);
      m++;
    }
    ctx.stats.handleResolutions++;
    ctx.poolCounters(out[0]!.poolHandle).handleResolutions++;
    ctx.sendAsap(rec.id, {
      type: "handle-resolution-response",
      poolHandle,
      policy,
      poolElements: elements,
    });
    if (ctx.verbose) {
      ctx.emit({
        type: "handle-resolution",
        assoc: rec.id,
        poolHandle,
        requested: k,
        returned: m,
        cause: 0,
      });
    }
  }

  #fail(rec: AssociationRecord, poolHandle: Uint8Array, cause: number, requested: number): void {
    const ctx = this.#ctx;
    ctx.sendAsap(rec.id, {
      type: "handle-resolution-response",
      poolHandle,
      poolElements: NO_ELEMENTS,
      error: { causes: [{ code: cause, info: EMPTY }] },
    });
    if (ctx.verbose) {
      ctx.emit({
        type: "handle-resolution",
        assoc: rec.id,
        poolHandle,
        requested,
        returned: 0,
        cause,
      });
    }
  }
}
