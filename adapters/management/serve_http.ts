/**
 * Serves a fetch handler with the HTTP server of the runtime this code runs on.
 *
 * @module
 */

import { detectRuntime } from "../current.ts";
import type { FetchHandler, HttpServeOptions, HttpServer } from "../http_server.ts";

/**
 * Serves a fetch handler with `Deno.serve`, `Bun.serve` or `node:http`, whichever runtime
 * runs (each adapter is loaded only on its runtime).
 *
 * @param handler The handler.
 * @param options Address (default 127.0.0.1) and port.
 * @returns The running server.
 * @example Serve and fetch on loopback
 * ```ts
 * import { serveHttp } from "./serve_http.ts";
 * import assert from "node:assert/strict";
 * const server = await serveHttp(() => new Response("hi"), { port: 0 });
 * assert.equal(await (await fetch(server.url)).text(), "hi");
 * await server.close();
 * ```
 */
export async function serveHttp(
  handler: FetchHandler,
  options: HttpServeOptions,
): Promise<HttpServer> {
  switch (detectRuntime()) {
    case "deno":
      return (await import("../deno/http.ts")).serveHttp(handler, options);
    case "bun":
      return (await import("../bun/http.ts")).serveHttp(handler, options);
    default:
      return (await import("../node/http.ts")).serveHttp(handler, options);
  }
}
