/**
 * Problem details (RFC 9457) for the management API's errors: `application/problem+json`
 * bodies with a `type` URI naming the problem, a `title`, the HTTP `status` and a `detail`.
 *
 * @module
 */

/** A problem details object. */
export interface ProblemDetails {
  /** A URI naming the problem type (`about:blank` for plain HTTP errors). */
  readonly type: string;
  /** A short summary of the problem type. */
  readonly title: string;
  /** The HTTP status code. */
  readonly status: number;
  /** What went wrong this time. */
  readonly detail: string;
  /** The request path. */
  readonly instance?: string;
}

/**
 * The problem types of the management API: `urn:rserpool-ng:problem:<name>`.
 *
 * @example Tell an unknown pool from other errors
 * ```ts
 * import { PROBLEM_TYPES } from "./problem.ts";
 * import assert from "node:assert/strict";
 * const body = { type: "urn:rserpool-ng:problem:unknown-pool", status: 404 };
 * assert.equal(body.type, PROBLEM_TYPES.unknownPool);
 * ```
 */
export const PROBLEM_TYPES = {
  notFound: "urn:rserpool-ng:problem:not-found",
  unknownPool: "urn:rserpool-ng:problem:unknown-pool",
  badPoolHandle: "urn:rserpool-ng:problem:bad-pool-handle",
  badQuery: "urn:rserpool-ng:problem:bad-query",
  notAcceptable: "urn:rserpool-ng:problem:not-acceptable",
  methodNotAllowed: "urn:rserpool-ng:problem:read-only",
  notReady: "urn:rserpool-ng:problem:not-ready",
  forbiddenHost: "urn:rserpool-ng:problem:forbidden-host",
  tooManyStreams: "urn:rserpool-ng:problem:too-many-event-streams",
  internal: "urn:rserpool-ng:problem:internal-error",
} as const;

/**
 * A problem details response.
 *
 * @param problem The problem.
 * @param headers Extra headers (e.g. `allow`).
 * @returns The response, `content-type: application/problem+json`.
 * @example Unknown pool
 * ```ts
 * import { PROBLEM_TYPES, problemResponse } from "./problem.ts";
 * import assert from "node:assert/strict";
 * const r = problemResponse({ type: PROBLEM_TYPES.unknownPool, title: "Unknown pool", status: 404, detail: 'No pool "X"' });
 * assert.equal(r.status, 404);
 * assert.equal(r.headers.get("content-type"), "application/problem+json");
 * assert.equal((await r.json()).title, "Unknown pool");
 * ```
 */
export function problemResponse(
  problem: ProblemDetails,
  headers: { readonly [name: string]: string } = {},
): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: {
      "content-type": "application/problem+json",
      "cache-control": "no-store",
      ...headers,
    },
  });
}
