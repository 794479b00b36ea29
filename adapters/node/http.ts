/**
 * Serves a fetch handler with `node:http` through `@hono/node-server`.
 *
 * @module
 */

import { createAdaptorServer } from "@hono/node-server";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { canonicalAddress, TransportError } from "../runtime.ts";
import {
  DEFAULT_HTTP_HOSTNAME,
  type FetchHandler,
  type HttpServeOptions,
  type HttpServer,
  httpUrl,
} from "../http_server.ts";

/**
 * Serves a fetch handler with `node:http`, bridged by `@hono/node-server` (which leaves the
 * global `Request`/`Response` alone here: `overrideGlobalObjects: false`).
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
  const server = createAdaptorServer({
    fetch: (request: Request) => handler(request),
    overrideGlobalObjects: false,
  }) as Server;
  return new Promise((resolve, reject) => {
    const onError = (e: Error & { code?: string }) => {
      reject(
        new TransportError(
          e.code ?? "UNKNOWN",
          `Cannot serve HTTP on ${hostname}:${options.port}: ${e.message}`,
          { cause: e },
        ),
      );
    };
    server.once("error", onError);
    server.listen(options.port, hostname, () => {
      server.off("error", onError);
      const a = server.address() as AddressInfo;
      const local = { address: canonicalAddress(a.address), port: a.port };
      let closing: Promise<void> | undefined;
      resolve({
        local,
        url: httpUrl(local),
        close: () =>
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
