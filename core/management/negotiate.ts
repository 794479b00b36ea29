/**
 * Content negotiation of the management API: JSON by default, CBOR for clients that prefer
 * `application/cbor` (RFC 9110 §12.5.1 `Accept` with quality values).
 *
 * @module
 */

/** The representations the API serves. */
export type ManagementFormat = "json" | "cbor";

const TYPES: readonly [string, ManagementFormat][] = [
  ["application/json", "json"],
  ["application/cbor", "cbor"],
];

/**
 * Picks the representation for an `Accept` header: the supported media type with the highest
 * quality (JSON wins ties and wildcards); no header means JSON.
 *
 * @param accept The `Accept` header, or `null`/`undefined`.
 * @returns `"json"`, `"cbor"`, or `undefined` when the client accepts neither (406).
 * @example Negotiation
 * ```ts
 * import { negotiateFormat } from "./negotiate.ts";
 * import assert from "node:assert/strict";
 * assert.equal(negotiateFormat(undefined), "json");
 * assert.equal(negotiateFormat("application/cbor"), "cbor");
 * assert.equal(negotiateFormat("application/cbor;q=0.5, application/json"), "json");
 * assert.equal(negotiateFormat("*\/*"), "json");
 * assert.equal(negotiateFormat("text/html"), undefined);
 * ```
 */
export function negotiateFormat(accept: string | null | undefined): ManagementFormat | undefined {
  if (accept === null || accept === undefined || accept.trim() === "") return "json";
  let best: ManagementFormat | undefined;
  let bestQ = 0;
  let bestSpecific = -1;
  for (const part of accept.split(",")) {
    const [rawType, ...params] = part.split(";");
    const range = rawType!.trim().toLowerCase();
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split("=");
      if (k?.trim().toLowerCase() === "q") {
        const n = Number(v?.trim());
        q = Number.isFinite(n) ? n : 0;
      }
    }
    if (q <= 0) continue;
    for (const [type, format] of TYPES) {
      const specific = range === type
        ? 2
        : range === "application/*"
        ? 1
        : range === "*/*"
        ? 0
        : -1;
      if (specific < 0) continue;
      if (q > bestQ || (q === bestQ && specific > bestSpecific)) {
        best = format;
        bestQ = q;
        bestSpecific = specific;
      }
    }
  }
  return best;
}
