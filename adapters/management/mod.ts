/**
 * Serving a registrar's management app on Deno, Bun and Node: {@link ManagementServer} (event
 * feed, handle resolution timing, HTTP server, stream keep-alives), the runtime-picking
 * {@link serveHttp}, the {@link ResolutionTimer} role wrapper and the dashboard page.
 *
 * ```ts
 * import { ManagementServer } from "./mod.ts";
 * import { Registrar } from "../../core/registrar/registrar.ts";
 * import { SeededRng } from "../../core/rng.ts";
 * import assert from "node:assert/strict";
 * const registrar = new Registrar({ rng: new SeededRng(1), id: 3n, announceTargets: [] });
 * const management = new ManagementServer({ registrar, clock: () => performance.now() });
 * const response = await management.app.request("http://127.0.0.1/v1/health");
 * assert.equal((await response.json()).status, "ok");
 * ```
 *
 * @module
 */

export * from "./management_server.ts";
export * from "./resolution_timer.ts";
export * from "./serve_http.ts";
export * from "./dashboard.ts";
export type * from "../http_server.ts";
