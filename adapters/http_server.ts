/**
 * The HTTP server vocabulary every runtime adapter implements (`adapters/deno/http.ts`,
 * `adapters/bun/http.ts`, `adapters/node/http.ts`): serve a standard fetch handler (such as the
 * management app's) on an address, and stop.
 *
 * @example The shapes
 * ```ts
 * import type { FetchHandler, HttpServeOptions } from "./http_server.ts";
 * import assert from "node:assert/strict";
 * const handler: FetchHandler = () => new Response("ok");
 * const options: HttpServeOptions = { hostname: "127.0.0.1", port: 0 };
 * assert.equal(options.port, 0);
 * assert.equal(await (await handler(new Request("http://x/"))).text(), "ok");
 * ```
 *
 * @module
 */

import type { TransportAddress } from "../core/role.ts";

/** A standard fetch handler: a request in, a response out. */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/** Where to serve. */
export interface HttpServeOptions {
  /** The address to bind (default `127.0.0.1`: management is local unless asked otherwise). */
  readonly hostname?: string;
  /** The port (0 = any free port). */
  readonly port: number;
}

/** A running HTTP server. */
export interface HttpServer {
  /** The bound address and port. */
  readonly local: TransportAddress;
  /** Its base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /**
   * Stops accepting connections and closes the open ones (end streaming responses such as
   * server-sent events first, or they are cut).
   *
   * @returns When the server is closed.
   */
  close(): Promise<void>;
}

/**
 * Default address of HTTP servers: loopback only.
 *
 * @example Loopback
 * ```ts
 * import { DEFAULT_HTTP_HOSTNAME } from "./http_server.ts";
 * import assert from "node:assert/strict";
 * assert.equal(DEFAULT_HTTP_HOSTNAME, "127.0.0.1");
 * ```
 */
export const DEFAULT_HTTP_HOSTNAME = "127.0.0.1";

/**
 * The base URL of a bound address.
 *
 * @param local The bound address.
 * @returns `http://address:port`, with brackets around IPv6 addresses.
 * @example URLs
 * ```ts
 * import { httpUrl } from "./http_server.ts";
 * import assert from "node:assert/strict";
 * assert.equal(httpUrl({ address: "::1", port: 80 }), "http://[::1]:80");
 * ```
 */
export function httpUrl(local: TransportAddress): string {
  const host = local.address.includes(":") ? `[${local.address}]` : local.address;
  return `http://${host}:${local.port}`;
}
