/**
 * The management app: a runtime-neutral Hono application with the registrar's read-only HTTP
 * API, its Prometheus metrics, its server-sent event stream and the live dashboard page. Each
 * runtime adapter serves it (`adapters/deno/http.ts`, `adapters/bun/http.ts`,
 * `adapters/node/http.ts`); `adapters/management/` wires it to a running registrar.
 *
 * Sans-IO like the rest of `core/`: the clocks are injected, handlers answer synchronously
 * from the registrar's state, and the event stream is pushed by the {@link EventFeed} the
 * application publishes the registrar's events into.
 *
 * @module
 */

import { Hono } from "hono";
import { Encoder } from "cbor-x/encode";
import type { Registrar } from "../registrar/registrar.ts";
import type { EventFeed } from "./event_feed.ts";
import { KNOWN_EVENTS, LOG_LEVELS, type LogLevel } from "./event_record.ts";
import type { Histogram } from "./histogram.ts";
import { PROMETHEUS_CONTENT_TYPE, renderMetrics } from "./metrics.ts";
import { negotiateFormat } from "./negotiate.ts";
import type { PeerSource } from "./peer.ts";
import { comparePoolHandles, parsePoolHandleRef } from "./pool_handle_ref.ts";
import { PROBLEM_TYPES, type ProblemDetails, problemResponse } from "./problem.ts";
import { sseResponse } from "./sse.ts";
import {
  bytesToHexCursor,
  peerView,
  poolElementView,
  poolStatsView,
  poolView,
  registrarView,
  type ViewClock,
} from "./views.ts";

/** The answer of a readiness check. */
export interface Readiness {
  /** Whether the registrar is ready to serve. */
  readonly ready: boolean;
  /** Why not (empty when ready). */
  readonly reasons: readonly string[];
}

/**
 * The management app as a server sees it: a fetch handler. (It is a Hono app; pass `fetch`
 * to any runtime's HTTP server, or call `request` in tests.)
 */
export interface ManagementApp {
  /**
   * Answers a request.
   *
   * @param request The request.
   * @returns The response.
   */
  fetch(request: Request): Response | Promise<Response>;
  /**
   * Answers a request for a URL (or a `Request`) without a server.
   *
   * @param input An absolute URL, a path, or a request.
   * @param init Request options.
   * @returns The response.
   */
  request(input: string | Request, init?: RequestInit): Response | Promise<Response>;
}

/** Options of {@link createManagementApp}. */
export interface ManagementAppOptions {
  /** The registrar shown. */
  readonly registrar: Registrar;
  /** The registrar's monotonic clock (ms): the one its driver passes as `now`. */
  readonly now: () => number;
  /** Wall-clock time (ms since the epoch). */
  readonly wallClock: () => number;
  /** The feed the application publishes the registrar's events into (for `/v1/events`). */
  readonly feed?: EventFeed;
  /** ENRP peers (default: none). */
  readonly peers?: PeerSource;
  /** Handle resolution durations in seconds, if the adapter measures them. */
  readonly resolutionDuration?: Histogram;
  /** One resolution in how many is measured (shown in the metric's help; default 1). */
  readonly resolutionSampleEvery?: number;
  /**
   * Extra readiness conditions (listeners bound, mentor synchronisation finished, ...); the
   * registrar is also not ready during its startup phase.
   */
  readonly ready?: () => Readiness;
  /** Wall-clock start time (ms since the epoch); default the time the app was created. */
  readonly startedAt?: number;
  /** A name for the registrar, shown in views and on the dashboard. */
  readonly name?: string;
  /**
   * The dashboard page served at `/` (an HTML document; `adapters/management` passes its
   * `DASHBOARD_HTML`); none by default.
   */
  readonly dashboard?: string;
  /**
   * Host names accepted in the `Host` header besides IP literals and `localhost` (a guard
   * against DNS rebinding: a web page cannot read the API through a name that resolves to
   * 127.0.0.1). `["*"]` accepts any.
   */
  readonly allowedHosts?: readonly string[];
  /** Most pools given per-pool metric series (default 1000). */
  readonly perPoolMetricsLimit?: number;
  /** Most clients following `/v1/events` at once; more get 503 (default 64). */
  readonly maxEventStreams?: number;
}

/**
 * Default and largest page sizes of the paged routes.
 *
 * @example A larger page than allowed is a bad query
 * ```ts
 * import { createManagementApp, PAGE_LIMITS } from "./management_app.ts";
 * import { Registrar } from "../registrar/registrar.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const registrar = new Registrar({ rng: new SeededRng(1), announceTargets: [] });
 * const app = createManagementApp({ registrar, now: () => 0, wallClock: () => 0 });
 * const r = await app.request(`http://127.0.0.1/v1/pools?limit=${PAGE_LIMITS.max + 1}`);
 * assert.equal(r.status, 400);
 * assert.equal((await r.json()).type, "urn:rserpool-ng:problem:bad-query");
 * ```
 */
export const PAGE_LIMITS: { readonly default: number; readonly max: number } = {
  default: 100,
  max: 1000,
};

/**
 * The routes, as `GET /v1` lists them.
 *
 * @example The index route
 * ```ts
 * import { createManagementApp, MANAGEMENT_ROUTES } from "./management_app.ts";
 * import { Registrar } from "../registrar/registrar.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const registrar = new Registrar({ rng: new SeededRng(1), id: 7n, announceTargets: [] });
 * const app = createManagementApp({ registrar, now: () => 0, wallClock: () => 0 });
 * const index = await (await app.request("http://127.0.0.1/v1")).json();
 * assert.deepEqual(index, { registrarId: "7", routes: MANAGEMENT_ROUTES });
 * ```
 */
export const MANAGEMENT_ROUTES: readonly string[] = [
  "/v1/registrar",
  "/v1/pools?cursor=&limit=",
  "/v1/pools/{handle}?cursor=&limit=",
  "/v1/pools/{handle}/pool-elements?cursor=&limit=",
  "/v1/peers",
  "/v1/stats?cursor=&limit=",
  "/v1/events?since=&level=",
  "/v1/health",
  "/v1/ready",
  "/metrics",
];

const cbor = new Encoder({ useRecords: false, tagUint8Array: false });

function jsonText(value: unknown): string {
  return JSON.stringify(value, (_k, v) => typeof v === "bigint" ? v.toString() : v);
}

class BadQuery extends Error {}

function pageLimit(raw: string | undefined): number {
  if (raw === undefined || raw === "") return PAGE_LIMITS.default;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > PAGE_LIMITS.max) {
    throw new BadQuery(`limit must be an integer from 1 to ${PAGE_LIMITS.max}, not "${raw}"`);
  }
  return n;
}

function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith("[");
}

/**
 * Creates the management app of a registrar.
 *
 * Routes (all read-only; other methods get 405): `GET /v1/registrar`, `GET /v1/pools`,
 * `GET /v1/pools/{handle}`, `GET /v1/pools/{handle}/pool-elements`, `GET /v1/peers`,
 * `GET /v1/stats`, `GET /v1/events` (server-sent events), `GET /v1/health`, `GET /v1/ready`,
 * `GET /metrics` (Prometheus) and `GET /` (the dashboard page, when given). JSON by default, CBOR for
 * `Accept: application/cbor`; errors are `application/problem+json` (RFC 9457).
 *
 * @param options The registrar, the clocks, the event feed and the optional parts.
 * @returns The app; serve it with `app.fetch`.
 * @example Ask a registrar for its pools
 * ```ts
 * import { createManagementApp } from "./management_app.ts";
 * import { Registrar } from "../registrar/registrar.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const registrar = new Registrar({ rng: new SeededRng(1), id: 42n, announceTargets: [] });
 * const app = createManagementApp({ registrar, now: () => 0, wallClock: () => 0 });
 * const response = await app.request("http://127.0.0.1/v1/pools");
 * assert.equal(response.status, 200);
 * assert.deepEqual(await response.json(), { items: [], next: null });
 * const missing = await app.request("http://127.0.0.1/v1/pools/NoSuchPool");
 * assert.equal(missing.status, 404);
 * assert.equal(missing.headers.get("content-type"), "application/problem+json");
 * ```
 */
export function createManagementApp(options: ManagementAppOptions): ManagementApp {
  const registrar = options.registrar;
  const clock: ViewClock = { now: options.now, wallClock: options.wallClock };
  const startedAt = options.startedAt ?? options.wallClock();
  const name = options.name ?? null;
  const peers = options.peers ?? (() => []);
  const allowed = new Set((options.allowedHosts ?? []).map((h) => h.toLowerCase()));
  const maxStreams = options.maxEventStreams ?? 64;
  const app = new Hono();

  const problem = (
    path: string,
    status: number,
    type: string,
    title: string,
    detail: string,
    headers: { readonly [name: string]: string } = {},
  ): Response => {
    const p: ProblemDetails = { type, title, status, detail, instance: path };
    return problemResponse(p, headers);
  };

  const respond = (accept: string | undefined, path: string, data: unknown): Response => {
    const format = negotiateFormat(accept);
    if (format === undefined) {
      return problem(
        path,
        406,
        PROBLEM_TYPES.notAcceptable,
        "Not acceptable",
        `This resource is available as application/json and application/cbor, not "${accept}"`,
      );
    }
    const headers = { "cache-control": "no-store", vary: "accept" };
    if (format === "cbor") {
      const bytes: Uint8Array = cbor.encode(data);
      return new Response(bytes as Uint8Array<ArrayBuffer>, {
        headers: { ...headers, "content-type": "application/cbor" },
      });
    }
    return new Response(jsonText(data), {
      headers: { ...headers, "content-type": "application/json" },
    });
  };

  const peerViews = () => [...peers()].map((p) => peerView(p, registrar.handlespace, clock));

  const readiness = (): Readiness => {
    const reasons: string[] = [];
    if (registrar.inStartupPhase) reasons.push("The registrar is in its startup phase");
    const extra = options.ready?.();
    if (extra !== undefined) reasons.push(...extra.reasons);
    return { ready: reasons.length === 0 && (extra?.ready ?? true), reasons };
  };

  app.use("*", (c, next) => {
    const method = c.req.method;
    const path = new URL(c.req.url).pathname;
    if (method !== "GET" && method !== "HEAD") {
      return Promise.resolve(problem(
        path,
        405,
        PROBLEM_TYPES.methodNotAllowed,
        "Method not allowed",
        `The management API is read-only: ${method} is not allowed`,
        { allow: "GET, HEAD" },
      ));
    }
    if (!allowed.has("*")) {
      // The URL's host is the request's Host header in every server adapter.
      const u = new URL(c.req.url);
      const h = u.hostname.toLowerCase();
      if (!isIpLiteral(h) && h !== "localhost" && !allowed.has(h)) {
        return Promise.resolve(problem(
          path,
          403,
          PROBLEM_TYPES.forbiddenHost,
          "Forbidden host",
          `Host "${h}" is not an IP address, localhost or an allowed host name`,
        ));
      }
    }
    return next();
  });

  app.get("/v1", (c) =>
    respond(c.req.header("accept"), "/v1", {
      registrarId: registrar.id,
      routes: MANAGEMENT_ROUTES,
    }));

  app.get("/v1/registrar", (c) =>
    respond(
      c.req.header("accept"),
      "/v1/registrar",
      registrarView(registrar, clock, startedAt, name),
    ));

  app.get("/v1/pools", (c) => {
    const pools = registrar.handlespace.pools();
    const page = pagePools(pools, c.req.query("cursor"), pageLimit(c.req.query("limit")));
    return respond(c.req.header("accept"), "/v1/pools", {
      items: page.items.map(poolView),
      next: page.next,
    });
  });

  app.get("/v1/pools/*", (c) => {
    const path = new URL(c.req.url).pathname;
    const rest = path.slice("/v1/pools/".length).split("/");
    let ref: string;
    try {
      ref = decodeURIComponent(rest[0]!);
    } catch {
      ref = "";
    }
    const handle = parsePoolHandleRef(ref);
    if (handle === undefined) {
      return problem(
        path,
        400,
        PROBLEM_TYPES.badPoolHandle,
        "Bad pool handle",
        `"${
          rest[0]
        }" is not a pool handle: give percent-encoded text or hex: and 1..255 bytes of hex`,
      );
    }
    const elementsOnly = rest.length === 2 && rest[1] === "pool-elements";
    if (rest.length > 2 || (rest.length === 2 && !elementsOnly)) {
      return notFound(path);
    }
    const pool = registrar.handlespace.pool(handle);
    if (pool === undefined) {
      return problem(
        path,
        404,
        PROBLEM_TYPES.unknownPool,
        "Unknown pool",
        `The handlespace has no pool "${ref}"`,
      );
    }
    const limit = pageLimit(c.req.query("limit"));
    const cursor = c.req.query("cursor");
    let after: bigint | undefined;
    if (cursor !== undefined && cursor !== "") {
      if (!/^\d+$/.test(cursor)) throw new BadQuery(`cursor "${cursor}" is not a PE identifier`);
      after = BigInt(cursor);
    }
    const entries = registrar.handlespace.poolElements(handle, { after, limit: limit + 1 });
    const more = entries.length > limit;
    if (more) entries.length = limit;
    const items = entries.map((e) => poolElementView(e, registrar.id, clock));
    const next = more ? entries[entries.length - 1]!.id.toString() : null;
    const accept = c.req.header("accept");
    if (elementsOnly) return respond(accept, path, { items, next });
    return respond(accept, path, {
      ...poolView(pool),
      stats: poolStatsView(registrar, pool),
      elements: { items, next },
    });
  });

  app.get("/v1/peers", (c) => respond(c.req.header("accept"), "/v1/peers", { items: peerViews() }));

  app.get("/v1/stats", (c) => {
    const pools = registrar.handlespace.pools();
    const page = pagePools(pools, c.req.query("cursor"), pageLimit(c.req.query("limit")));
    return respond(c.req.header("accept"), "/v1/stats", {
      registrar: registrar.stats(),
      pools: { items: page.items.map((p) => poolStatsView(registrar, p)), next: page.next },
    });
  });

  app.get("/v1/health", (c) =>
    respond(c.req.header("accept"), "/v1/health", {
      status: "ok",
      registrarId: registrar.id,
      uptimeSeconds: Math.max(0, (options.wallClock() - startedAt) / 1000),
    }));

  app.get("/v1/ready", (c) => {
    const r = readiness();
    if (r.ready) return respond(c.req.header("accept"), "/v1/ready", { status: "ready" });
    return problem("/v1/ready", 503, PROBLEM_TYPES.notReady, "Not ready", r.reasons.join("; "));
  });

  app.get("/v1/events", (c) => {
    const feed = options.feed;
    if (feed === undefined) return notFound("/v1/events");
    const header = c.req.header("last-event-id");
    const query = c.req.query("since");
    let since: number | undefined;
    if (header !== undefined && header !== "") since = feed.resumeAfter(header);
    else if (query !== undefined && query !== "") {
      if (!/^\d+$/.test(query)) throw new BadQuery(`since "${query}" is not a sequence number`);
      since = Number(query);
    }
    const level = c.req.query("level");
    if (level !== undefined && !(LOG_LEVELS as readonly string[]).includes(level)) {
      throw new BadQuery(`level must be one of ${LOG_LEVELS.join(", ")}, not "${level}"`);
    }
    if (c.req.raw.method === "HEAD") {
      // No stream: its body would never be read or cancelled, and the subscription would stay.
      return new Response(null, {
        headers: {
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-store",
        },
      });
    }
    if (feed.subscriberCount >= maxStreams) {
      return problem(
        "/v1/events",
        503,
        PROBLEM_TYPES.tooManyStreams,
        "Too many event streams",
        `${feed.subscriberCount} clients follow the event stream already (at most ${maxStreams})`,
        { "retry-after": "10" },
      );
    }
    return sseResponse(feed, {
      since,
      level: level as LogLevel | undefined,
      hello: {
        registrarId: registrar.id.toString(),
        name,
        profile: registrar.profile,
        lastSeq: feed.lastSeq,
        streamId: feed.epoch,
        events: KNOWN_EVENTS.join(","),
      },
    });
  });

  app.get("/metrics", () =>
    new Response(
      renderMetrics({
        registrar,
        peers: peerViews(),
        resolutionDuration: options.resolutionDuration,
        resolutionSampleEvery: options.resolutionSampleEvery ?? 1,
        startedAt,
        ...(options.feed === undefined ? {} : { eventStreamClients: options.feed.subscriberCount }),
        ...(options.perPoolMetricsLimit === undefined
          ? {}
          : { perPoolLimit: options.perPoolMetricsLimit }),
      }),
      { headers: { "content-type": PROMETHEUS_CONTENT_TYPE, "cache-control": "no-store" } },
    ));

  const dashboard = options.dashboard;
  if (dashboard !== undefined) {
    app.get("/", () =>
      new Response(dashboard, {
        headers: {
          "content-type": "text/html; charset=utf-8",
          "cache-control": "no-store",
          "content-security-policy":
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:",
          "x-content-type-options": "nosniff",
          "referrer-policy": "no-referrer",
        },
      }));
  }

  const notFound = (path: string) =>
    problem(path, 404, PROBLEM_TYPES.notFound, "Not found", `No resource at ${path}`);

  app.notFound((c) => notFound(new URL(c.req.url).pathname));
  app.onError((err, c) => {
    const path = new URL(c.req.url).pathname;
    if (err instanceof BadQuery) {
      return problem(path, 400, PROBLEM_TYPES.badQuery, "Bad query", err.message);
    }
    return problem(
      path,
      500,
      PROBLEM_TYPES.internal,
      "Internal error",
      err instanceof Error ? err.message : String(err),
    );
  });
  return app;
}

interface PoolPage<T> {
  readonly items: T[];
  readonly next: string | null;
}

function pagePools<T extends { readonly poolHandle: Uint8Array }>(
  pools: readonly T[],
  cursor: string | undefined,
  limit: number,
): PoolPage<T> {
  let start = 0;
  if (cursor !== undefined && cursor !== "") {
    const after = parsePoolHandleRef(`hex:${cursor}`);
    if (after === undefined) throw new BadQuery(`cursor "${cursor}" is not a pool cursor`);
    let lo = 0, hi = pools.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (comparePoolHandles(pools[mid]!.poolHandle, after) <= 0) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const items = pools.slice(start, start + limit);
  const more = start + limit < pools.length;
  return {
    items,
    next: more ? bytesToHexCursor(items[items.length - 1]!.poolHandle) : null,
  };
}
