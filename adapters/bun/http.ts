/**
 * Serves a fetch handler with `Bun.serve`.
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

/** The part of `Bun.serve` used here (declared locally, as bun.d.ts does for sockets). */
interface BunServeApi {
  serve(options: {
    hostname: string;
    port: number;
    idleTimeout?: number;
    fetch(request: Request): Response | Promise<Response>;
  }): { readonly hostname: string; readonly port: number; stop(force?: boolean): Promise<void> };
}

/**
 * Seconds a connection may stay silent before Bun closes it (Bun's default is 10, shorter than
 * the management event stream's 15 s keep-alive pings).
 */
const IDLE_TIMEOUT = 120;

/**
 * Serves a fetch handler with `Bun.serve`.
 *
 * @param handler The handler (e.g. the management app's `fetch`).
 * @param options Address and port.
 * @returns The running server; rejects with a {@link TransportError} when the address cannot be bound.
 * @example Serve and fetch on loopback (under Bun)
 * ```ts ignore
 * import { serveHttp } from "./http.ts";
 * const server = await serveHttp(() => new Response("hi"), { port: 0 });
 * console.log(await (await fetch(server.url)).text()); // "hi"
 * await server.close();
 * ```
 */
export function serveHttp(handler: FetchHandler, options: HttpServeOptions): Promise<HttpServer> {
  const api = (globalThis as unknown as { Bun?: BunServeApi }).Bun;
  if (api === undefined) {
    return Promise.reject(
      new TypeError("Cannot serve HTTP: the Bun adapter needs the Bun runtime"),
    );
  }
  const hostname = options.hostname ?? DEFAULT_HTTP_HOSTNAME;
  let server: ReturnType<BunServeApi["serve"]>;
  try {
    server = api.serve({
      hostname,
      port: options.port,
      idleTimeout: IDLE_TIMEOUT,
      fetch: (request) => handler(request),
    });
  } catch (e) {
    const code = (e as { code?: string }).code ?? "UNKNOWN";
    return Promise.reject(
      new TransportError(
        code,
        `Cannot serve HTTP on ${hostname}:${options.port}: ${(e as Error).message}`,
        { cause: e },
      ),
    );
  }
  const local = { address: canonicalAddress(server.hostname), port: server.port };
  let closing: Promise<void> | undefined;
  return Promise.resolve({
    local,
    url: httpUrl(local),
    close: () => closing ??= server.stop(true),
  });
}
