/**
 * Operating a registrar: the runtime-neutral management app (Hono) with the read-only HTTP API,
 * Prometheus metrics, the server-sent event stream and the live dashboard; the event records
 * that logs, the stream and the `monitor` CLI share; and the pieces they are built from.
 * `@rserpool/ng/adapters/management` serves it on Deno, Bun and Node.
 *
 * ```ts
 * import { createManagementApp, EventFeed } from "./mod.ts";
 * import { Registrar } from "../registrar/registrar.ts";
 * import { SeededRng } from "../rng.ts";
 * import assert from "node:assert/strict";
 * const registrar = new Registrar({ rng: new SeededRng(1), id: 7n, announceTargets: [] });
 * const feed = new EventFeed({ registrarId: registrar.id, wallClock: () => 0 });
 * const app = createManagementApp({ registrar, feed, now: () => 0, wallClock: () => 0 });
 * const body = await (await app.request("http://127.0.0.1/v1/registrar")).json();
 * assert.equal(body.id, "7");
 * ```
 *
 * @module
 */

export * from "./management_app.ts";
export * from "./event_feed.ts";
export * from "./event_record.ts";
export * from "./sse.ts";
export * from "./sse_parser.ts";
export * from "./metrics.ts";
export * from "./histogram.ts";
export * from "./views.ts";
export type * from "./peer.ts";
export * from "./pool_handle_ref.ts";
export * from "./negotiate.ts";
export * from "./problem.ts";
