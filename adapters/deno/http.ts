/**
 * Serves a fetch handler with `Deno.serve`.
 *
 * @module
 */

import { canonicalAddress, TransportError } from "../runtime.ts";
import {
  DEFAULT_HTTP_HOSTNAME,
  type FetchHandler,
  type HttpServeOptions,
  type HttpServer,
  httpUrl,
} from "../http_server.ts";

/**
 * Serves a fetch handler over HTTP/1.1 with `Deno.serve`.
 *
 * @param handler The handler (e.g. the management app's `fetch`).
 * @param options Address and port.
 * @returns The running server; rejects with a {@link TransportError} when the address cannot be bound.
 * @example Serve and fetch on loopback
 * ```ts
 * import { serveHttp } from "./http.ts";
 * import assert from "node:assert/strict";
 * const server = await serveHttp(() => new Response("hi"), { port: 0 });
 * assert.equal(await (await fetch(server.url)).text(), "hi");
 * await server.close();
 * ```
 */
export function serveHttp(handler: FetchHandler, options: HttpServeOptions): Promise<HttpServer> {
  const hostname = options.hostname ?? DEFAULT_HTTP_HOSTNAME;
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve(
      { hostname, port: options.port, onListen() {} },
      (request) => handler(request),
    );
  } catch (e) {
    const code = (e as { code?: string }).code ?? (e as Error).name ?? "UNKNOWN";
    return Promise.reject(
      new TransportError(
        code,
        `Cannot serve HTTP on ${hostname}:${options.port}: ${(e as Error).message}`,
        { cause: e },
      ),
    );
  }
  const local = { address: canonicalAddress(server.addr.hostname), port: server.addr.port };
  let closing: Promise<void> | undefined;
  return Promise.resolve({
    local,
    url: httpUrl(local),
    close: () => closing ??= server.shutdown(),
  });
}
